//! Sentence splitting for Japanese and English alike.
//!
//! UAX #29 sentence boundaries know the Japanese full stop 。 as well as `.`, `!` and `?`,
//! and break at newlines, which is what reviews and survey comments use for structure.
//! Spans exclude the trailing whitespace; empty sentences are dropped.

use std::ops::Range;

use unicode_segmentation::UnicodeSegmentation;

/// Byte ranges of the sentences of `text`.
pub fn split(text: &str) -> impl Iterator<Item = Range<usize>> + '_ {
    text.split_sentence_bound_indices()
        .filter_map(|(start, s)| {
            let trimmed = s.trim_end();
            let lead = trimmed.len() - trimmed.trim_start().len();
            (!trimmed.trim_start().is_empty()).then(|| start + lead..start + trimmed.len())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sentences(text: &str) -> Vec<&str> {
        split(text).map(|r| &text[r]).collect()
    }

    #[test]
    fn splits_japanese() {
        assert_eq!(
            sentences("配送が遅い。でも店員さんは親切でした!また使います"),
            vec!["配送が遅い。", "でも店員さんは親切でした!", "また使います"]
        );
    }

    #[test]
    fn splits_english_and_newlines() {
        assert_eq!(
            sentences("Delivery was late. The staff were kind!\nWill order again"),
            vec![
                "Delivery was late.",
                "The staff were kind!",
                "Will order again"
            ]
        );
    }

    #[test]
    fn blank_text_has_no_sentences() {
        assert!(sentences("  \n ").is_empty());
    }
}
