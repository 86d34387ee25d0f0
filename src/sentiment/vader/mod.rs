//! English sentence sentiment: a port of VADER (Valence Aware Dictionary and sEntiment
//! Reasoner), vaderSentiment 3.3.2 by C.J. Hutto, MIT licence.
//!
//! > Hutto, C.J. & Gilbert, E.E. (2014). VADER: A Parsimonious Rule-based Model for
//! > Sentiment Analysis of Social Media Text. ICWSM-14, Ann Arbor, MI.
//!
//! The two lexicons ship unchanged in `models/vader/` and are compiled in. Scoring follows
//! `SentimentIntensityAnalyzer.polarity_scores` step by step: each emoji code point is
//! replaced by its description from `emoji_utf8_lexicon.txt`; the text is split on
//! whitespace and ASCII punctuation is stripped from each token unless that leaves two
//! characters or fewer (which keeps emoticons such as `:)`); each token gets its lexicon
//! valence, adjusted by the preceding three tokens (boosters and dampeners, ALL-CAPS
//! emphasis when the text mixes case, negation, "never so", "without doubt", special
//! idioms, "kind of"), by "no" and "least", then by "but" (×0.5 before, ×1.5 after); the
//! sum, amplified by `!` (up to 4) and `?` (2 or more), is normalised to `compound`.
//! Where the reference has a quirk (operator precedence in the three-word negation check,
//! `list.index` in the "but" rule) the port reproduces it, so scores match the reference:
//! `tests/fixtures/vader_reference.tsv`, made by `tests/fixtures/make_vader_fixture.py`.

use std::collections::HashMap;

use crate::sentiment::Error;
use crate::sentiment::lexicon::SentencePolarity;

mod rules;

const LEXICON_FILE: &str = "models/vader/vader_lexicon.txt";
const EMOJI_FILE: &str = "models/vader/emoji_utf8_lexicon.txt";
const SUPPLEMENT_FILE: &str = "models/vader/koe-supplement-en.tsv";
const LEXICON: &str = include_str!("../../../models/vader/vader_lexicon.txt");
const SUPPLEMENT: &str = include_str!("../../../models/vader/koe-supplement-en.tsv");
const EMOJI_LEXICON: &str = include_str!("../../../models/vader/emoji_utf8_lexicon.txt");

/// The VADER analyser: the word lexicon and the emoji descriptions.
#[derive(Clone)]
pub struct Vader {
    /// Word or emoticon → mean valence, -4 to 4.
    lexicon: HashMap<String, f64>,
    /// Emoji (one or more code points) → its CLDR short name, e.g. "grinning face".
    emoji: HashMap<String, String>,
}

impl std::fmt::Debug for Vader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vader")
            .field("lexicon_entries", &self.lexicon.len())
            .field("emoji_entries", &self.emoji.len())
            .finish()
    }
}

/// VADER's four scores for a text, as `polarity_scores` returns them (same rounding).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scores {
    pub neg: f64,
    pub neu: f64,
    pub pos: f64,
    /// Normalised sum of valences, -1 to 1.
    pub compound: f64,
}

/// One whitespace-separated token, punctuation stripped as VADER strips it.
struct Word<'a> {
    text: &'a str,
    lower: String,
}

impl<'a> Word<'a> {
    fn new(text: &'a str) -> Self {
        Word {
            text,
            lower: text.to_lowercase(),
        }
    }
}

/// Per-token valences of a text and the text they came from (emoji replaced).
struct Valences {
    text: String,
    sentiments: Vec<f64>,
}

impl Vader {
    /// The lexicons shipped in `models/vader/`, parsed once.
    pub fn embedded() -> Result<Vader, Error> {
        Vader::from_lexicons(LEXICON, EMOJI_LEXICON)
    }

    /// VADER plus koe's supplement of customer-feedback words (`late`, `crashes`, …):
    /// what koe's lexicon backend scores English with.
    pub fn embedded_for_feedback() -> Result<Vader, Error> {
        let mut vader = Vader::embedded()?;
        // Comment lines become blank lines, so line numbers in errors stay true.
        let entries: Vec<&str> = SUPPLEMENT
            .split('\n')
            .map(|line| if line.starts_with('#') { "" } else { line })
            .collect();
        for (line_no, key, value) in tab_separated(&entries.join("\n"), SUPPLEMENT_FILE)? {
            let valence = parse_valence(value, SUPPLEMENT_FILE, line_no)?;
            vader.lexicon.insert(key.to_string(), valence);
        }
        Ok(vader)
    }

    fn from_lexicons(lexicon: &str, emoji: &str) -> Result<Vader, Error> {
        let mut vader = Vader {
            lexicon: HashMap::new(),
            emoji: HashMap::new(),
        };
        for (line_no, key, value) in tab_separated(lexicon, LEXICON_FILE)? {
            let valence = parse_valence(value, LEXICON_FILE, line_no)?;
            vader.lexicon.insert(key.to_string(), valence);
        }
        for (_, key, description) in tab_separated(emoji, EMOJI_FILE)? {
            vader.emoji.insert(key.to_string(), description.to_string());
        }
        Ok(vader)
    }

    /// The sentence's compound score and how many tokens carry sentiment.
    pub fn sentence_polarity(&self, text: &str) -> SentencePolarity {
        let valences = self.valences(text);
        let evidence = valences.sentiments.iter().filter(|&&v| v != 0.0).count();
        SentencePolarity {
            value: score(&valences).compound as f32,
            evidence: evidence as f32,
            turned: false,
        }
    }

    /// VADER's `polarity_scores`: negative, neutral and positive proportions and compound.
    pub fn polarity_scores(&self, text: &str) -> Scores {
        score(&self.valences(text))
    }

    /// Valence (-4 to 4) of one emoji, from the VADER valences of the words of its
    /// description ("grinning face" → "grinning" 1.5); `None` for an unknown emoji or one
    /// whose description carries no sentiment ("thumbs up"). Accepts the emoji with or
    /// without the variation selector U+FE0F.
    pub fn emoji_valence(&self, emoji: &str) -> Option<f32> {
        let description = self.emoji_description(emoji.trim())?;
        let words = words_and_emoticons(description);
        let sum: f64 = self.word_valences(&words).iter().sum();
        (sum != 0.0).then(|| sum.clamp(-4.0, 4.0) as f32)
    }

    fn emoji_description(&self, emoji: &str) -> Option<&str> {
        const VS16: char = '\u{FE0F}';
        let without: String = emoji.chars().filter(|&c| c != VS16).collect();
        let mut with = String::with_capacity(without.len() + VS16.len_utf8());
        let mut chars = without.chars();
        with.extend(chars.next());
        with.push(VS16);
        with.extend(chars);
        [emoji, without.as_str(), with.as_str()]
            .into_iter()
            .find_map(|key| self.emoji.get(key))
            .map(String::as_str)
    }

    /// Replaces each emoji code point by its description, as the reference does (a space
    /// before it unless one is there, none after), then trims.
    fn describe_emoji(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut prev_space = true;
        let mut buf = [0u8; 4];
        for c in text.chars() {
            if let Some(description) = self.emoji.get(&*c.encode_utf8(&mut buf)) {
                if !prev_space {
                    out.push(' ');
                }
                out.push_str(description);
                prev_space = false;
            } else {
                out.push(c);
                prev_space = c == ' ';
            }
        }
        out.trim_matches(is_python_space).to_string()
    }

    fn valences(&self, text: &str) -> Valences {
        let text = self.describe_emoji(text);
        let sentiments = self.word_valences(&words_and_emoticons(&text));
        Valences { text, sentiments }
    }

    /// One valence per token (0 for most), after every rule including "but".
    fn word_valences(&self, words: &[Word]) -> Vec<f64> {
        let cap_diff = allcap_differential(words);
        let mut sentiments: Vec<f64> = (0..words.len())
            .map(|i| {
                let lower = words[i].lower.as_str();
                let kind_of = lower == "kind" && words.get(i + 1).is_some_and(|w| w.lower == "of");
                if rules::booster(lower).is_some() || kind_of {
                    0.0
                } else {
                    self.valence_at(words, i, cap_diff)
                }
            })
            .collect();
        rules::but_check(words, &mut sentiments);
        sentiments
    }

    fn in_lexicon(&self, word: &Word) -> bool {
        self.lexicon.contains_key(&word.lower)
    }

    /// `sentiment_valence`: the lexicon valence of `words[i]` adjusted by its context.
    fn valence_at(&self, words: &[Word], i: usize, cap_diff: bool) -> f64 {
        let word = &words[i];
        let Some(&base) = self.lexicon.get(&word.lower) else {
            return 0.0;
        };
        let lower_at = |j: usize| words[j].lower.as_str();
        let mut valence = base;
        // "no" before another lexicon word negates it rather than scoring itself.
        if word.lower == "no" && words.get(i + 1).is_some_and(|next| self.in_lexicon(next)) {
            valence = 0.0;
        }
        if (i > 0 && lower_at(i - 1) == "no")
            || (i > 1 && lower_at(i - 2) == "no")
            || (i > 2 && lower_at(i - 3) == "no" && matches!(lower_at(i - 1), "or" | "nor"))
        {
            valence = base * rules::N_SCALAR;
        }
        if cap_diff && is_upper(word.text) {
            valence += if valence > 0.0 {
                rules::C_INCR
            } else {
                -rules::C_INCR
            };
        }
        for distance in 1..=3 {
            if i < distance || self.in_lexicon(&words[i - distance]) {
                continue;
            }
            let scalar = rules::scalar_inc_dec(&words[i - distance], valence, cap_diff);
            valence += match distance {
                2 => scalar * 0.95,
                3 => scalar * 0.9,
                _ => scalar,
            };
            valence = rules::negation_check(valence, words, distance, i);
            if distance == 3 {
                valence = rules::special_idioms_check(valence, words, i);
            }
        }
        if i > 0 && lower_at(i - 1) == "least" && !self.in_lexicon(&words[i - 1]) {
            // "least" negates, except in "at least" and "very least".
            if i == 1 || !matches!(lower_at(i - 2), "at" | "very") {
                valence *= rules::N_SCALAR;
            }
        }
        valence
    }
}

/// `score_valence`: the sum amplified by punctuation, normalised, and the proportions.
fn score(valences: &Valences) -> Scores {
    let sentiments = &valences.sentiments;
    if sentiments.is_empty() {
        return Scores {
            neg: 0.0,
            neu: 0.0,
            pos: 0.0,
            compound: 0.0,
        };
    }
    let emphasis = rules::punctuation_emphasis(&valences.text);
    let mut sum: f64 = sentiments.iter().sum();
    if sum > 0.0 {
        sum += emphasis;
    } else if sum < 0.0 {
        sum -= emphasis;
    }
    let compound = (sum / (sum * sum + rules::ALPHA).sqrt()).clamp(-1.0, 1.0);

    // Each sentiment-bearing word also counts as one neutral unit (the ±1).
    let pos_sum: f64 = sentiments
        .iter()
        .filter(|&&v| v > 0.0)
        .map(|v| v + 1.0)
        .sum();
    let neg_sum: f64 = sentiments
        .iter()
        .filter(|&&v| v < 0.0)
        .map(|v| v - 1.0)
        .sum();
    let neu_count = sentiments.iter().filter(|&&v| v == 0.0).count() as f64;
    let (pos_sum, neg_sum) = if pos_sum > neg_sum.abs() {
        (pos_sum + emphasis, neg_sum)
    } else if pos_sum < neg_sum.abs() {
        (pos_sum, neg_sum - emphasis)
    } else {
        (pos_sum, neg_sum)
    };
    let total = pos_sum + neg_sum.abs() + neu_count;
    Scores {
        neg: round_to(neg_sum.abs() / total, 3),
        neu: round_to(neu_count / total, 3),
        pos: round_to(pos_sum.abs() / total, 3),
        compound: round_to(compound, 4),
    }
}

/// Python's `round(x, decimals)`: half to even on the exact binary value, which is
/// also how Rust formats a float to a fixed number of decimals.
fn round_to(x: f64, decimals: usize) -> f64 {
    format!("{x:.decimals$}").parse().unwrap_or(x)
}

/// `SentiText._words_and_emoticons`: whitespace split, punctuation stripped from both
/// ends unless that leaves two characters or fewer.
fn words_and_emoticons(text: &str) -> Vec<Word<'_>> {
    text.split(is_python_space)
        .filter(|token| !token.is_empty())
        .map(|token| {
            let stripped = token.trim_matches(|c| rules::ASCII_PUNCTUATION.contains(c));
            Word::new(if stripped.chars().count() <= 2 {
                token
            } else {
                stripped
            })
        })
        .collect()
}

/// True when some, but not all, tokens are ALL CAPS.
fn allcap_differential(words: &[Word]) -> bool {
    let caps = words.iter().filter(|w| is_upper(w.text)).count();
    caps > 0 && caps < words.len()
}

/// Python's `str.isupper`: at least one cased character and no lowercase or titlecase one.
fn is_upper(s: &str) -> bool {
    let mut cased = false;
    for c in s.chars() {
        if c.is_lowercase() || is_titlecase(c) {
            return false;
        }
        cased |= c.is_uppercase();
    }
    cased
}

/// General category Lt (digraphs such as "ǅ" and Greek capitals with prosgegrammeni).
fn is_titlecase(c: char) -> bool {
    matches!(c,
        '\u{01C5}' | '\u{01C8}' | '\u{01CB}' | '\u{01F2}'
        | '\u{1F88}'..='\u{1F8F}' | '\u{1F98}'..='\u{1F9F}' | '\u{1FA8}'..='\u{1FAF}'
        | '\u{1FBC}' | '\u{1FCC}' | '\u{1FFC}')
}

/// Python's `str.isspace`, which `str.split()` and `str.strip()` use: Unicode White_Space
/// plus the information separators U+001C–U+001F.
fn is_python_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1C}'..='\u{1F}').contains(&c)
}

/// Lines of `key<TAB>value[<TAB>…]` as the reference reads them: blank lines skipped,
/// each line trimmed, the first two fields kept.
fn parse_valence(value: &str, file: &'static str, line: usize) -> Result<f64, Error> {
    value.parse::<f64>().map_err(|e| Error::Lexicon {
        file,
        line,
        message: format!("valence {value:?}: {e}"),
    })
}

fn tab_separated<'a>(
    text: &'a str,
    file: &'static str,
) -> Result<Vec<(usize, &'a str, &'a str)>, Error> {
    let mut rows = Vec::new();
    for (index, line) in text.trim_end_matches('\n').split('\n').enumerate() {
        let line = line.trim_matches(is_python_space);
        if line.is_empty() {
            continue;
        }
        let mut fields = line.split('\t');
        match (fields.next(), fields.next()) {
            (Some(key), Some(value)) if !key.is_empty() => rows.push((index + 1, key, value)),
            _ => {
                return Err(Error::Lexicon {
                    file,
                    line: index + 1,
                    message: format!("expected `key<TAB>value`, got {line:?}"),
                });
            }
        }
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::OnceLock;

    #[test]
    fn the_feedback_supplement_knows_complaints_vader_does_not() {
        let plain = Vader::embedded().unwrap();
        let feedback = Vader::embedded_for_feedback().unwrap();
        for text in [
            "The delivery was late",
            "The app crashes every day",
            "The clerk was unhelpful",
        ] {
            assert_eq!(plain.sentence_polarity(text).evidence, 0.0, "{text}");
            assert!(feedback.sentence_polarity(text).value < -0.05, "{text}");
        }
        assert!(
            feedback
                .sentence_polarity("The delivery was not late")
                .value
                > 0.05
        );
        assert!(feedback.emoji_valence("😡").is_some_and(|v| v < 0.0));
    }

    /// Compound scores of the reference implementation, from `make_vader_fixture.py`.
    const REFERENCE: &str = include_str!("../../../tests/fixtures/vader_reference.tsv");

    fn vader() -> &'static Vader {
        static VADER: OnceLock<Vader> = OnceLock::new();
        VADER.get_or_init(|| Vader::embedded().expect("embedded VADER lexicons parse"))
    }

    fn compound(text: &str) -> f64 {
        vader().polarity_scores(text).compound
    }

    #[test]
    fn matches_reference_vader_3_3_2() {
        let mut checked = 0;
        let mut mismatches = Vec::new();
        for line in REFERENCE.lines() {
            let (sentence, expected) = line.rsplit_once('\t').expect("sentence<TAB>compound");
            let expected: f64 = expected.parse().expect("compound is a number");
            let got = compound(sentence);
            if (got - expected).abs() > 0.01 {
                mismatches.push(format!("{sentence:?}: reference {expected}, port {got}"));
            }
            checked += 1;
        }
        assert!(checked >= 80, "only {checked} reference sentences");
        assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
    }

    #[test]
    fn plain_sentences() {
        assert!(compound("The staff were great") > 0.5);
        assert!(compound("The app is not good") < -0.3);
        // "late" is not in the VADER lexicon.
        assert_eq!(
            vader().sentence_polarity("The delivery was late"),
            SentencePolarity::NONE
        );
        assert!(compound("The delivery was NOT late, but the support was awful!!!") < -0.3);
        assert_eq!(compound("Hidden fees everywhere. Never again."), 0.0);
    }

    #[test]
    fn sentence_polarity_is_compound_with_evidence() {
        let text = "Terrible service and rude staff.";
        let polarity = vader().sentence_polarity(text);
        assert_eq!(polarity.value, compound(text) as f32);
        assert_eq!(polarity.evidence, 2.0);
        assert_eq!(vader().sentence_polarity("Love it 😀").evidence, 2.0);
    }

    #[test]
    fn proportions_add_up() {
        let scores = vader().polarity_scores("The plot was good, but the dialog is not great.");
        assert!((scores.neg + scores.neu + scores.pos - 1.0).abs() < 0.002);
        assert!(scores.neg > 0.0 && scores.pos > 0.0);
    }

    #[test]
    fn emoji_valence_scores_the_description() {
        let v = vader();
        assert_eq!(v.emoji_valence("😀"), Some(1.5)); // grinning face
        assert_eq!(v.emoji_valence("😊"), Some(4.0)); // smiling face with smiling eyes
        assert_eq!(v.emoji_valence("😢"), Some(-2.1)); // crying face
        assert_eq!(v.emoji_valence("👍"), None); // thumbs up: no lexicon word
        assert_eq!(v.emoji_valence("😡"), None); // pouting face
        assert_eq!(v.emoji_valence("x"), None);
        assert_eq!(v.emoji_valence(""), None);
        // With and without the variation selector U+FE0F.
        assert_eq!(v.emoji_valence("❤\u{FE0F}"), Some(3.2)); // red heart
        assert_eq!(v.emoji_valence("❤"), Some(3.2));
        assert_eq!(v.emoji_valence("😀\u{FE0F}"), Some(1.5));
    }

    #[test]
    fn never_panics() {
        let v = vader();
        for text in [
            "", " ", "!!!", "?", "\u{FE0F}", "but", "no", "kind", "least", "ǅ", ":)",
        ] {
            let polarity = v.sentence_polarity(text);
            assert!((-1.0..=1.0).contains(&polarity.value), "{text:?}");
        }
        let huge = "The staff were great but the app is not good!!! 😀 ".repeat(20_000);
        let polarity = v.sentence_polarity(&huge);
        assert!((-1.0..=1.0).contains(&polarity.value));
        assert!(polarity.evidence > 0.0);
    }

    #[test]
    fn lexicon_errors_name_file_and_line() {
        let err = Vader::from_lexicons("good\t1.9\n\nbad\tminus two\n", "").unwrap_err();
        assert!(
            matches!(
                err,
                Error::Lexicon {
                    file: LEXICON_FILE,
                    line: 3,
                    ..
                }
            ),
            "{err}"
        );
        let err = Vader::from_lexicons("", "😀 grinning face\n").unwrap_err();
        assert!(
            matches!(
                err,
                Error::Lexicon {
                    file: EMOJI_FILE,
                    line: 1,
                    ..
                }
            ),
            "{err}"
        );
    }

    #[test]
    fn vader_is_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Vader>();
    }
}
