//! Features of the linear model: analysed text → a sparse vector of hashed n-grams plus
//! a few dense lexicon scores.
//!
//! Three groups, each scaled to unit length so that no group drowns the others:
//!
//! * **words**: the lemmas koe's text stage made (Snowball stems in English, IPADIC base
//!   forms in Japanese), single and in pairs within a sentence; URLs read as `<url>` and
//!   @mentions as `@user`, as TweetEval writes them;
//! * **characters**: n-grams (2–4 by default) of the lower-cased normalised text with
//!   runs of white space folded to one space, which catch spellings the lemmas miss
//!   (`sooo`, `!!!`, `:(`, 最高すぎ);
//! * **lexicon** (dense, not hashed): the lexicon backend's value for the text, its
//!   absolute value, its most positive and most negative sentence, and whether it says
//!   neutral; plus a bias term.
//!
//! With `sublinear_tf`, a feature counted n times in a group weighs 1 + ln n before the
//! group is scaled (long reviews repeat words without meaning them more).
//!
//! N-grams are hashed with 64-bit FNV-1a (a group byte, then the UTF-8 bytes; a 0x01 byte
//! between the two words of a pair) into `2^buckets_log2` buckets: stable across
//! platforms and Rust versions, so a saved model reads the same features everywhere.

use serde::{Deserialize, Serialize};

use crate::sentiment::lexicon::LexiconModel;
use crate::sentiment::{DocSentiment, Label, Score};
use crate::text::{AnalysedText, Pos, Token};

/// The hash function's name in `model.json`.
pub const HASH: &str = "fnv1a-64";

/// The dense features after the hashed buckets, in order.
pub const DENSE: [&str; 6] = [
    "bias",
    "lexicon_value",
    "lexicon_abs_value",
    "lexicon_max_sentence",
    "lexicon_min_sentence",
    "lexicon_neutral",
];

const WORDS: u8 = b'w';
const CHARS: u8 = b'c';

/// What the features are; saved in `model.json` and checked on load.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeatureConfig {
    pub hash: String,
    pub buckets_log2: u32,
    /// Longest word n-gram (1 = unigrams only, 2 = with bigrams).
    pub word_ngrams_max: usize,
    /// Character n-gram lengths, shortest and longest.
    pub char_ngrams: [usize; 2],
    /// Whether the dense lexicon scores are used (they need the embedded lexicons).
    pub lexicon: bool,
    pub dense: Vec<String>,
    /// Counts weigh 1 + ln n (absent in older models: raw counts).
    #[serde(default)]
    pub sublinear_tf: bool,
}

impl Default for FeatureConfig {
    fn default() -> Self {
        FeatureConfig {
            hash: HASH.into(),
            buckets_log2: 18,
            word_ngrams_max: 2,
            char_ngrams: [2, 4],
            lexicon: true,
            dense: DENSE.iter().map(|s| s.to_string()).collect(),
            sublinear_tf: true,
        }
    }
}

impl FeatureConfig {
    pub fn buckets(&self) -> usize {
        1 << self.buckets_log2
    }

    /// Rows of the weight matrix: the buckets, then the dense features.
    pub fn dimension(&self) -> usize {
        self.buckets() + DENSE.len()
    }

    /// Why this configuration cannot be used, if it cannot.
    pub fn check(&self) -> Result<(), String> {
        if self.hash != HASH {
            return Err(format!(
                "unknown feature hash {:?} (koe has {HASH})",
                self.hash
            ));
        }
        if !(8..=24).contains(&self.buckets_log2) {
            return Err(format!(
                "buckets_log2 {} is outside 8–24",
                self.buckets_log2
            ));
        }
        let [lo, hi] = self.char_ngrams;
        if lo == 0 || lo > hi || hi > 8 || self.word_ngrams_max > 2 {
            return Err("unsupported n-gram lengths".into());
        }
        if self.dense != DENSE {
            return Err(format!(
                "dense features {:?}, koe has {DENSE:?}",
                self.dense
            ));
        }
        Ok(())
    }
}

/// A sparse feature vector; an index may repeat (its values add up).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Features {
    pub indices: Vec<u32>,
    pub values: Vec<f32>,
}

/// Turns analysed text into [`Features`].
pub struct Featurizer {
    config: FeatureConfig,
    lexicon: Option<LexiconModel>,
}

impl Featurizer {
    pub fn new(config: FeatureConfig, lexicon: Option<LexiconModel>) -> Self {
        Featurizer { config, lexicon }
    }

    pub fn config(&self) -> &FeatureConfig {
        &self.config
    }

    /// The document's features, and each sentence's when `sentences` is set.
    pub fn featurize(&self, doc: &AnalysedText, sentences: bool) -> (Features, Vec<Features>) {
        let lexicon: Option<DocSentiment> = if self.config.lexicon {
            self.lexicon.as_ref().map(|l| l.score_one(doc))
        } else {
            None
        };
        let scores = lexicon
            .as_ref()
            .map(|l| l.sentences.as_slice())
            .unwrap_or(&[]);
        let whole = self.features(
            &doc.normalized,
            doc.sentences.iter().map(|s| doc.sentence_tokens(s)),
            lexicon.as_ref().map(|l| Dense::new(l.doc, scores)),
        );
        let parts = if sentences {
            doc.sentences
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    let dense = scores.get(i).map(|&score| Dense::new(score, &[score]));
                    let tokens = doc.sentence_tokens(s);
                    self.features(doc.sentence_text(s), std::iter::once(tokens), dense)
                })
                .collect()
        } else {
            Vec::new()
        };
        (whole, parts)
    }

    fn features<'a>(
        &self,
        text: &str,
        sentences: impl Iterator<Item = &'a [Token]>,
        dense: Option<Dense>,
    ) -> Features {
        let mask = (self.config.buckets() - 1) as u32;
        let sublinear = self.config.sublinear_tf;
        let mut out = Features::default();
        let mut hashes = Vec::new();
        for tokens in sentences {
            let mut previous: Option<&str> = None;
            for token in tokens {
                let lemma = word(token);
                hashes.push(Fnv::new(WORDS).str(lemma).bucket(mask));
                if let Some(before) = previous.filter(|_| self.config.word_ngrams_max >= 2) {
                    let pair = Fnv::new(WORDS).str(before).byte(1).str(lemma);
                    hashes.push(pair.bucket(mask));
                }
                previous = Some(lemma);
            }
        }
        push_normalised(&mut hashes, sublinear, &mut out);
        char_ngrams(text, self.config.char_ngrams, mask, &mut hashes);
        push_normalised(&mut hashes, sublinear, &mut out);
        let base = self.config.buckets() as u32;
        let dense = dense.map_or([1.0, 0.0, 0.0, 0.0, 0.0, 0.0], |d| d.values());
        for (i, value) in dense.into_iter().enumerate() {
            if value != 0.0 {
                out.indices.push(base + i as u32);
                out.values.push(value);
            }
        }
        out
    }
}

/// The lexicon's view of a stretch of text.
struct Dense {
    score: Score,
    max: f32,
    min: f32,
}

impl Dense {
    fn new(score: Score, sentences: &[Score]) -> Self {
        let values = sentences.iter().map(|s| s.value);
        Dense {
            score,
            max: values.clone().fold(score.value, f32::max),
            min: values.fold(score.value, f32::min),
        }
    }

    /// In [`DENSE`] order.
    fn values(&self) -> [f32; 6] {
        let neutral = if self.score.label == Label::Neutral {
            1.0
        } else {
            0.0
        };
        let v = self.score.value;
        [1.0, v, v.abs(), self.max, self.min, neutral]
    }
}

fn word(token: &Token) -> &str {
    match token.pos {
        Pos::Url => "<url>",
        Pos::Mention => "@user",
        _ => &token.lemma,
    }
}

/// Character n-grams of the lower-cased text, white space folded, padded with a space.
fn char_ngrams(text: &str, [lo, hi]: [usize; 2], mask: u32, out: &mut Vec<u32>) {
    let mut chars: Vec<char> = Vec::with_capacity(text.len() + 2);
    chars.push(' ');
    for c in text.chars().flat_map(char::to_lowercase) {
        let c = if c.is_whitespace() { ' ' } else { c };
        if !(c == ' ' && chars.last() == Some(&' ')) {
            chars.push(c);
        }
    }
    if chars.last() != Some(&' ') {
        chars.push(' ');
    }
    for start in 0..chars.len() {
        let mut hash = Fnv::new(CHARS);
        for (k, &c) in chars[start..].iter().take(hi).enumerate() {
            hash = hash.char(c);
            if k + 1 >= lo {
                out.push(hash.bucket(mask));
            }
        }
    }
}

/// Appends a group's buckets with their counts (or 1 + ln count) scaled to unit length,
/// and clears them.
fn push_normalised(buckets: &mut Vec<u32>, sublinear: bool, out: &mut Features) {
    if buckets.is_empty() {
        return;
    }
    buckets.sort_unstable();
    let first = out.indices.len();
    let mut sum_squares = 0.0f32;
    for run in buckets.chunk_by(|a, b| a == b) {
        let count = if sublinear {
            1.0 + (run.len() as f32).ln()
        } else {
            run.len() as f32
        };
        out.indices.push(run[0]);
        out.values.push(count);
        sum_squares += count * count;
    }
    let scale = sum_squares.sqrt().recip();
    for value in &mut out.values[first..] {
        *value *= scale;
    }
    buckets.clear();
}

/// 64-bit FNV-1a.
#[derive(Clone, Copy)]
struct Fnv(u64);

impl Fnv {
    fn new(group: u8) -> Self {
        Fnv(0xcbf2_9ce4_8422_2325).byte(group)
    }

    fn byte(self, b: u8) -> Self {
        Fnv((self.0 ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3))
    }

    fn str(self, s: &str) -> Self {
        s.bytes().fold(self, Fnv::byte)
    }

    fn char(self, c: char) -> Self {
        let mut buffer = [0u8; 4];
        self.str(c.encode_utf8(&mut buffer))
    }

    fn bucket(self, mask: u32) -> u32 {
        ((self.0 ^ (self.0 >> 32)) as u32) & mask
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::test_analyzer;

    #[test]
    fn fnv_matches_the_reference() {
        // FNV-1a 64 of "a" is 0xaf63dc4c8601ec8c (Fowler, Noll, Vo test vectors).
        let mut h = Fnv(0xcbf2_9ce4_8422_2325);
        h = h.byte(b'a');
        assert_eq!(h.0, 0xaf63_dc4c_8601_ec8c);
    }

    #[test]
    fn groups_have_unit_length_and_dense_comes_last() {
        let featurizer = Featurizer::new(
            FeatureConfig::default(),
            Some(LexiconModel::embedded().unwrap()),
        );
        let doc = test_analyzer()
            .analyse("Great  app!! @someone loves it. Slow delivery though", None)
            .unwrap();
        let (whole, sentences) = featurizer.featurize(&doc, true);
        assert_eq!(sentences.len(), doc.sentences.len());
        let base = featurizer.config().buckets() as u32;
        let hashed: f32 = whole
            .indices
            .iter()
            .zip(&whole.values)
            .filter(|(i, _)| **i < base)
            .map(|(_, v)| v * v)
            .sum();
        assert!(
            (hashed - 2.0).abs() < 1e-4,
            "two unit-length groups: {hashed}"
        );
        assert_eq!(whole.indices.iter().filter(|&&i| i == base).count(), 1);
        let (again, _) = featurizer.featurize(&doc, false);
        assert_eq!(whole, again, "deterministic");
        let japanese = test_analyzer().analyse("配送が遅い。", None).unwrap();
        assert!(!featurizer.featurize(&japanese, false).0.indices.is_empty());
    }
}
