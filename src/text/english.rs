//! English tokenization: Unicode words, lower-casing, stop words, Snowball stemming.
//!
//! Tokens keep their surface as written (sentiment needs "GREAT" in capitals) and carry
//! the lower-cased stem as lemma, so "delays", "delayed" and "Delay" are one term for
//! topics and search. Stop words are marked, not dropped: "not" is a stop word to topics
//! and the most important word there is to sentiment.

use std::collections::HashSet;
use std::sync::{Arc, LazyLock};

use compact_str::CompactString;
use rust_stemmers::{Algorithm, Stemmer};
use unicode_segmentation::UnicodeSegmentation;

use crate::text::words::is_number;
use crate::text::{Error, LanguageTokenizer, Pos, Token};

/// The NLTK English stop word list (the one Snowball, NLTK and scikit-learn users know),
/// plus contraction stems that Unicode word splitting leaves behind.
const STOP_WORDS: &str = include_str!("english-stop-words.txt");

static STOP_SET: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    STOP_WORDS
        .lines()
        .map(str::trim)
        .filter(|w| !w.is_empty())
        .collect()
});

/// Whether a lower-cased English word is a stop word.
pub fn is_stop_word(lower: &str) -> bool {
    STOP_SET.contains(lower)
}

#[derive(Clone)]
pub struct EnglishTokenizer {
    stemmer: Arc<Stemmer>,
}

impl Default for EnglishTokenizer {
    fn default() -> Self {
        Self::new()
    }
}

impl EnglishTokenizer {
    pub fn new() -> Self {
        EnglishTokenizer {
            stemmer: Arc::new(Stemmer::create(Algorithm::English)),
        }
    }
}

/// Lower-cases and straightens apostrophes, so "Don’t" and "don't" are one word.
fn fold(word: &str) -> CompactString {
    let lower = CompactString::from_str_to_lowercase(word);
    if lower.contains('’') {
        lower.replace('’', "'").into()
    } else {
        lower
    }
}

impl LanguageTokenizer for EnglishTokenizer {
    fn tokenize_into(&self, text: &str, offset: usize, out: &mut Vec<Token>) -> Result<(), Error> {
        for (start, word) in text.unicode_word_indices() {
            let lower = fold(word);
            out.push(Token {
                surface: word.into(),
                lemma: self.stemmer.stem(&lower).into(),
                pos: Pos::Word,
                pos_detail: "",
                stop: is_number(word) || is_stop_word(&lower),
                span: offset + start..offset + start + word.len(),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(text: &str) -> Vec<Token> {
        let mut out = Vec::new();
        EnglishTokenizer::new()
            .tokenize_into(text, 0, &mut out)
            .unwrap();
        out
    }

    #[test]
    fn stems_and_lowercases() {
        let lemmas: Vec<CompactString> = tokens("Delays DELAYED delay")
            .into_iter()
            .map(|t| t.lemma)
            .collect();
        assert_eq!(lemmas, vec!["delay", "delay", "delay"]);
    }

    #[test]
    fn marks_stop_words_but_keeps_them() {
        let toks = tokens("The app doesn't work");
        let stop: Vec<(&str, bool)> = toks.iter().map(|t| (t.surface.as_str(), t.stop)).collect();
        assert_eq!(
            stop,
            vec![
                ("The", true),
                ("app", false),
                ("doesn't", true),
                ("work", false)
            ]
        );
    }

    #[test]
    fn spans_point_into_the_text() {
        let text = "Rude   support!";
        for t in tokens(text) {
            assert_eq!(&text[t.span.clone()], t.surface);
        }
    }
}
