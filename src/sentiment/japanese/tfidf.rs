//! asari's review classifier, ported: TF-IDF over word 1–2-grams and one linear score.
//!
//! asari 0.2.0 (PyPI, MIT, © 2019 Hiroki Nakayama) is a scikit-learn pipeline trained on
//! Japanese app-store reviews (1 star negative, 5 stars positive): a `TfidfVectorizer`
//! over Janome's IPADIC tokens, word unigrams and bigrams, L2-normalised, then five
//! calibrated linear SVMs. `scripts/extract-asari.py` folds the five into one weight per
//! n-gram on the log-odds scale and writes `models/ja/asari-tfidf.tsv.gz`
//! (`ngram<TAB>idf<TAB>weight`, the intercept in a `# intercept` line).
//!
//! The features are those scikit-learn trained on: the surface forms of the tokens,
//! lower-cased, split at characters that are not word characters, and only pieces of
//! two or more word characters kept (its default `token_pattern`, `\b\w\w+\b`), so
//! particles such as が and punctuation drop out and bigrams join the words around them.
//! Every stretch of text is one bag of n-grams: bigrams run across sentence ends as they
//! did in training. lindera and Janome segment with the same IPADIC, so the n-grams are
//! asari's own; koe's NFKC folding is applied to the model's n-grams too.
//!
//! [`TfidfScorer::logit`] gives log P(positive) / P(negative) and the number of the
//! model's n-grams found, or `None` when the text holds none of them (asari would then
//! answer with its prior, which says nothing about the text).

use std::collections::HashMap;
use std::io::Read;

use crate::sentiment::Error;
use crate::text::Token;

const MODEL: (&str, &[u8]) = (
    "models/ja/asari-tfidf.tsv.gz",
    include_bytes!("../../../models/ja/asari-tfidf.tsv.gz"),
);

/// The ported classifier; immutable after loading, shared across threads.
#[derive(Debug, Clone)]
pub struct TfidfScorer {
    unigrams: HashMap<Box<str>, u32>,
    /// (first unigram, second unigram) → feature.
    bigrams: HashMap<u64, u32>,
    idf: Vec<f32>,
    weight: Vec<f32>,
    intercept: f32,
}

/// A stretch of text as the classifier sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Logit {
    /// log P(positive) / P(negative).
    pub value: f32,
    /// How many of the model's n-grams the text holds (with repeats).
    pub ngrams: usize,
}

impl TfidfScorer {
    /// The model shipped in `models/ja/`, compiled into the binary.
    pub fn embedded() -> Result<Self, Error> {
        let (file, gz) = MODEL;
        let mut text = String::new();
        flate2::read::GzDecoder::new(gz)
            .read_to_string(&mut text)
            .map_err(|e| invalid(file, 0, format!("cannot decompress: {e}")))?;
        Self::parse(file, &text)
    }

    /// Parses `ngram<TAB>idf<TAB>weight` lines after a `# intercept<TAB>x` line and a header.
    pub fn parse(file: &'static str, text: &str) -> Result<Self, Error> {
        let mut scorer = TfidfScorer {
            unigrams: HashMap::new(),
            bigrams: HashMap::new(),
            idf: Vec::new(),
            weight: Vec::new(),
            intercept: f32::NAN,
        };
        let mut bigram_lines = Vec::new();
        let mut header = false;
        for (index, raw) in text.lines().enumerate() {
            let line = index + 1;
            if let Some(comment) = raw.strip_prefix('#') {
                if let Some(value) = comment.trim_start().strip_prefix("intercept\t") {
                    scorer.intercept = number(value).map_err(|m| invalid(file, line, m))?;
                }
                continue;
            }
            if !header {
                if raw != "ngram\tidf\tweight" {
                    return Err(invalid(file, line, "expected the header ngram, idf, weight"));
                }
                header = true;
                continue;
            }
            let fields: Vec<&str> = raw.split('\t').collect();
            let [ngram, idf, weight] = fields[..] else {
                return Err(invalid(file, line, "expected ngram<TAB>idf<TAB>weight"));
            };
            let idf = number(idf).map_err(|m| invalid(file, line, m))?;
            let weight = number(weight).map_err(|m| invalid(file, line, m))?;
            match ngram.split(' ').collect::<Vec<_>>()[..] {
                [word] if !word.is_empty() => {
                    let id = scorer.push(idf, weight);
                    if scorer.unigrams.insert(word.into(), id).is_some() {
                        return Err(invalid(file, line, format!("{word:?} repeats")));
                    }
                }
                [first, second] if !first.is_empty() && !second.is_empty() => {
                    let id = scorer.push(idf, weight);
                    bigram_lines.push((line, first, second, id));
                }
                _ => return Err(invalid(file, line, "an n-gram is one or two words")),
            }
        }
        if scorer.intercept.is_nan() {
            return Err(invalid(file, 1, "no `# intercept` line"));
        }
        // Every bigram's words are unigrams of the vocabulary (scikit-learn counts both).
        for (line, first, second, id) in bigram_lines {
            let (Some(&a), Some(&b)) = (scorer.unigrams.get(first), scorer.unigrams.get(second))
            else {
                return Err(invalid(file, line, "a bigram of words that are not unigrams"));
            };
            if scorer.bigrams.insert(pair(a, b), id).is_some() {
                return Err(invalid(file, line, format!("{first} {second:?} repeats")));
            }
        }
        Ok(scorer)
    }

    /// Number of n-grams in the vocabulary.
    pub fn len(&self) -> usize {
        self.idf.len()
    }

    pub fn is_empty(&self) -> bool {
        self.idf.is_empty()
    }

    /// The classifier's log-odds for the tokens of one or more sentences, read as one bag
    /// of n-grams; `None` if none of the model's n-grams occurs.
    pub fn logit<'a>(&self, sentences: impl IntoIterator<Item = &'a [Token]>) -> Option<Logit> {
        let mut features: Vec<u32> = Vec::new();
        let mut previous: Option<u32> = None;
        let mut piece = String::new();
        for token in sentences.into_iter().flatten() {
            for word in words(&token.surface) {
                let id = if word.chars().any(char::is_uppercase) {
                    piece.clear();
                    piece.extend(word.chars().flat_map(char::to_lowercase));
                    self.unigrams.get(piece.as_str())
                } else {
                    self.unigrams.get(word)
                }
                .copied();
                if let Some(id) = id {
                    features.push(id);
                }
                if let (Some(a), Some(b)) = (previous, id)
                    && let Some(&bigram) = self.bigrams.get(&pair(a, b))
                {
                    features.push(bigram);
                }
                previous = id;
            }
        }
        if features.is_empty() {
            return None;
        }
        features.sort_unstable();
        let (mut dot, mut squares) = (0.0f32, 0.0f32);
        for run in features.chunk_by(|a, b| a == b) {
            let f = run[0] as usize;
            let x = run.len() as f32 * self.idf[f];
            dot += x * self.weight[f];
            squares += x * x;
        }
        Some(Logit {
            value: dot / squares.sqrt() + self.intercept,
            ngrams: features.len(),
        })
    }

    fn push(&mut self, idf: f32, weight: f32) -> u32 {
        self.idf.push(idf);
        self.weight.push(weight);
        (self.idf.len() - 1) as u32
    }
}

/// The pieces of a surface form that scikit-learn's `\b\w\w+\b` keeps: runs of two or
/// more word characters (letters, digits, `_`).
fn words(surface: &str) -> impl Iterator<Item = &str> {
    surface
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| w.chars().nth(1).is_some())
}

fn pair(a: u32, b: u32) -> u64 {
    (u64::from(a) << 32) | u64::from(b)
}

fn number(text: &str) -> Result<f32, String> {
    match text.trim().parse::<f32>() {
        Ok(x) if x.is_finite() => Ok(x),
        _ => Err(format!("{text:?} is not a finite number")),
    }
}

fn invalid(file: &'static str, line: usize, message: impl Into<String>) -> Error {
    Error::Lexicon {
        file,
        line,
        message: message.into(),
    }
}
