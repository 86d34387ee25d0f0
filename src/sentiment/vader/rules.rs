//! VADER's constant tables and word predicates, copied from vaderSentiment 3.3.2
//! (`vaderSentiment.py`, © C.J. Hutto, MIT licence; see `models/vader/LICENSE`).
//!
//! The reference also defines `SENTIMENT_LADEN_IDIOMS` ("cut the mustard", "under the
//! weather", …) but never applies them (its `_sentiment_laden_idioms_check` is marked
//! "future work" and is not called), so they are deliberately absent here.
//!
//! The functions below are the reference's context rules, each named after its Python
//! counterpart; they see the tokens as [`Word`]s (original text and lowercase).

use std::collections::{BTreeSet, HashMap};

use super::Word;

/// Empirically derived rise in intensity from a booster word ("very good").
const B_INCR: f64 = 0.293;
/// Empirically derived fall in intensity from a dampener word ("slightly good").
const B_DECR: f64 = -0.293;
/// Rise in intensity from an ALL-CAPS word in a text that mixes case.
pub const C_INCR: f64 = 0.733;
/// Factor applied to a negated valence.
pub const N_SCALAR: f64 = -0.74;
/// Normalisation constant of the compound score: `x / sqrt(x² + ALPHA)`.
pub const ALPHA: f64 = 15.0;
/// Rise in intensity per exclamation mark, counting at most [`MAX_EXCLAMATIONS`].
const EXCLAMATION_INCR: f64 = 0.292;
const MAX_EXCLAMATIONS: usize = 4;
/// Rise in intensity per question mark when there are 2 or 3 of them …
const QUESTION_INCR: f64 = 0.18;
/// … and the flat rise for 4 or more.
const QUESTION_MAX_INCR: f64 = 0.96;

/// Python's `string.punctuation`, which VADER strips from both ends of each token.
pub const ASCII_PUNCTUATION: &str = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

/// Negation words (`NEGATE`); any token containing "n't" negates too.
#[rustfmt::skip]
const NEGATE: &[&str] = &[
    "aint", "arent", "cannot", "cant", "couldnt", "darent", "didnt", "doesnt", "ain't",
    "aren't", "can't", "couldn't", "daren't", "didn't", "doesn't", "dont", "hadnt", "hasnt",
    "havent", "isnt", "mightnt", "mustnt", "neither", "don't", "hadn't", "hasn't", "haven't",
    "isn't", "mightn't", "mustn't", "neednt", "needn't", "never", "none", "nope", "nor", "not",
    "nothing", "nowhere", "oughtnt", "shant", "shouldnt", "uhuh", "wasnt", "werent", "oughtn't",
    "shan't", "shouldn't", "uh-uh", "wasn't", "weren't", "without", "wont", "wouldnt", "won't",
    "wouldn't", "rarely", "seldom", "despite",
];

/// Degree adverbs that raise (booster) the valence of the word they precede.
#[rustfmt::skip]
const BOOSTERS: &[&str] = &[
    "absolutely", "amazingly", "awfully", "completely", "considerable", "considerably",
    "decidedly", "deeply", "effing", "enormous", "enormously", "entirely", "especially",
    "exceptional", "exceptionally", "extreme", "extremely", "fabulously", "flipping", "flippin",
    "frackin", "fracking", "fricking", "frickin", "frigging", "friggin", "fully", "fuckin",
    "fucking", "fuggin", "fugging", "greatly", "hella", "highly", "hugely", "incredible",
    "incredibly", "intensely", "major", "majorly", "more", "most", "particularly", "purely",
    "quite", "really", "remarkably", "so", "substantially", "thoroughly", "total", "totally",
    "tremendous", "tremendously", "uber", "unbelievably", "unusually", "utter", "utterly",
    "very",
];

/// Degree adverbs that lower (dampener) it; the multi-word ones only ever match as
/// n-grams in the special-idiom check, as in the reference.
#[rustfmt::skip]
const DAMPENERS: &[&str] = &[
    "almost", "barely", "hardly", "just enough", "kind of", "kinda", "kindof", "kind-of",
    "less", "little", "marginal", "marginally", "occasional", "occasionally", "partly",
    "scarce", "scarcely", "slight", "slightly", "somewhat", "sort of", "sorta", "sortof",
    "sort-of",
];

/// Idioms and phrases containing lexicon words, with the valence that replaces the word's.
const SPECIAL_CASES: &[(&str, f64)] = &[
    ("the shit", 3.0),
    ("the bomb", 3.0),
    ("bad ass", 1.5),
    ("badass", 1.5),
    ("bus stop", 0.0),
    ("yeah right", -2.0),
    ("kiss of death", -1.5),
    ("to die for", 3.0),
    ("beating heart", 3.5),
];

/// `BOOSTER_DICT[word]`: the scalar of a booster or dampener (lowercase), if it is one.
pub fn booster(lower: &str) -> Option<f64> {
    if BOOSTERS.contains(&lower) {
        Some(B_INCR)
    } else if DAMPENERS.contains(&lower) {
        Some(B_DECR)
    } else {
        None
    }
}

/// `negated([word])`: a negation word, or any token containing "n't" (lowercase).
pub fn is_negation(lower: &str) -> bool {
    NEGATE.contains(&lower) || lower.contains("n't")
}

/// `SPECIAL_CASES[phrase]` (lowercase, words joined by single spaces).
pub fn special_case(phrase: &str) -> Option<f64> {
    SPECIAL_CASES
        .iter()
        .find(|(idiom, _)| *idiom == phrase)
        .map(|&(_, valence)| valence)
}

/// `_punctuation_emphasis`: the rise from `!` (up to 4) and `?` (2 or more).
pub fn punctuation_emphasis(text: &str) -> f64 {
    let exclamations = text.matches('!').count().min(MAX_EXCLAMATIONS);
    let questions = text.matches('?').count();
    let question_emphasis = match questions {
        0 | 1 => 0.0,
        2 | 3 => questions as f64 * QUESTION_INCR,
        _ => QUESTION_MAX_INCR,
    };
    exclamations as f64 * EXCLAMATION_INCR + question_emphasis
}

/// `scalar_inc_dec`: the booster or dampener effect of `word` on `valence`.
pub fn scalar_inc_dec(word: &Word, valence: f64, cap_diff: bool) -> f64 {
    let Some(mut scalar) = booster(&word.lower) else {
        return 0.0;
    };
    if valence < 0.0 {
        scalar = -scalar;
    }
    if cap_diff && super::is_upper(word.text) {
        scalar += if valence > 0.0 { C_INCR } else { -C_INCR };
    }
    scalar
}

/// `_negation_check` for the word `distance` tokens before `words[i]`.
pub fn negation_check(valence: f64, words: &[Word], distance: usize, i: usize) -> f64 {
    let w = |back: usize| words[i - back].lower.as_str();
    let is_so_or_this = |s: &str| s == "so" || s == "this";
    let negated = is_negation(w(distance));
    match distance {
        1 if negated => valence * N_SCALAR,
        2 if w(2) == "never" && is_so_or_this(w(1)) => valence * 1.25,
        2 if w(2) == "without" && w(1) == "doubt" => valence,
        2 if negated => valence * N_SCALAR,
        // The reference reads `A and B or C` as `(A and B) or C`, so "so"/"this" right
        // before the word intensifies it even without "never".
        3 if (w(3) == "never" && is_so_or_this(w(2))) || is_so_or_this(w(1)) => valence * 1.25,
        3 if w(3) == "without" && (w(2) == "doubt" || w(1) == "doubt") => valence,
        3 if negated => valence * N_SCALAR,
        _ => valence,
    }
}

/// `_special_idioms_check` (only reached with `i >= 3`): phrases around `words[i]` that
/// replace its valence, then "kind of"-style dampener bigrams before it.
pub fn special_idioms_check(mut valence: f64, words: &[Word], i: usize) -> f64 {
    let phrase = |from: usize, to: usize| -> String {
        let lowers: Vec<&str> = words[from..=to].iter().map(|w| w.lower.as_str()).collect();
        lowers.join(" ")
    };
    let (one_zero, two_one_zero, two_one) =
        (phrase(i - 1, i), phrase(i - 2, i), phrase(i - 2, i - 1));
    let (three_two_one, three_two) = (phrase(i - 3, i - 1), phrase(i - 3, i - 2));
    let before = [
        &one_zero,
        &two_one_zero,
        &two_one,
        &three_two_one,
        &three_two,
    ];
    if let Some(v) = before.into_iter().find_map(|seq| special_case(seq)) {
        valence = v;
    }
    if i + 1 < words.len()
        && let Some(v) = special_case(&phrase(i, i + 1))
    {
        valence = v;
    }
    if i + 2 < words.len()
        && let Some(v) = special_case(&phrase(i, i + 2))
    {
        valence = v;
    }
    for n_gram in [&three_two_one, &three_two, &two_one] {
        valence += booster(n_gram).unwrap_or(0.0);
    }
    valence
}

/// `_but_check`: valences before the first "but" ×0.5, after it ×1.5. The reference
/// walks the list and rescales the *first* slot holding an equal value (`list.index`),
/// which can hit an earlier slot; reproduced exactly, with an index of slots by value
/// so long texts stay O(n log n).
pub fn but_check(words: &[Word], sentiments: &mut [f64]) {
    let Some(but) = words.iter().position(|w| w.lower == "but") else {
        return;
    };
    // Zero valences are left unchanged by any factor, so only non-zero ones are indexed.
    let mut slots: HashMap<u64, BTreeSet<usize>> = HashMap::new();
    for (j, &v) in sentiments.iter().enumerate().filter(|(_, v)| **v != 0.0) {
        slots.entry(v.to_bits()).or_default().insert(j);
    }
    for k in 0..sentiments.len() {
        let value = sentiments[k];
        let first = slots
            .get_mut(&value.to_bits())
            .and_then(|set| set.pop_first());
        let Some(slot) = first else { continue };
        let factor = match slot.cmp(&but) {
            std::cmp::Ordering::Less => 0.5,
            std::cmp::Ordering::Greater => 1.5,
            std::cmp::Ordering::Equal => 1.0,
        };
        let scaled = value * factor;
        sentiments[slot] = scaled;
        slots.entry(scaled.to_bits()).or_default().insert(slot);
    }
}
