//! Words of the scripts koe has no language analyser for (Greek, Cyrillic, Arabic,
//! Hangul, …): Unicode word boundaries (UAX #29) and lower-casing, no stemming and no
//! stop words, so such text is still searchable word by word.

use compact_str::CompactString;
use unicode_segmentation::UnicodeSegmentation;

use crate::text::{Error, LanguageTokenizer, Pos, Token};

#[derive(Debug, Clone, Copy, Default)]
pub struct WordTokenizer;

impl LanguageTokenizer for WordTokenizer {
    fn tokenize_into(&self, text: &str, offset: usize, out: &mut Vec<Token>) -> Result<(), Error> {
        for (start, word) in text.unicode_word_indices() {
            out.push(Token {
                surface: word.into(),
                lemma: CompactString::from_str_to_lowercase(word),
                pos: Pos::Word,
                pos_detail: "",
                stop: is_number(word),
                span: offset + start..offset + start + word.len(),
            });
        }
        Ok(())
    }
}

/// Digits with their separators ("42", "3.5", "1,200"): searchable, never a topic word.
pub fn is_number(word: &str) -> bool {
    word.chars().all(|c| c.is_numeric() || c == '.' || c == ',')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lowercases_words_of_any_script() {
        let mut out = Vec::new();
        WordTokenizer
            .tokenize_into("Πολύ ΚΑΛΟ 100", 4, &mut out)
            .unwrap();
        let view: Vec<(&str, bool)> = out.iter().map(|t| (t.lemma.as_str(), t.stop)).collect();
        assert_eq!(view, vec![("πολύ", false), ("καλο", false), ("100", true)]);
        assert_eq!(out[0].span, 4..4 + "Πολύ".len());
    }
}
