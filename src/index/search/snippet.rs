//! Snippets: the part of a hit's text around its best match, with the matched terms'
//! byte ranges, made by Tantivy's snippet generator for the hit's language field.

use serde::Serialize;
use tantivy::Searcher;
use tantivy::query::Query;
use tantivy::snippet::SnippetGenerator;

use crate::index::{Error, IndexFields};
use crate::text::normalize::normalize;

/// A fragment of the (normalised) text around the best match, with the byte ranges of
/// matched terms inside it.
#[derive(Debug, Default, Serialize)]
pub struct Snippet {
    pub fragment: String,
    pub highlights: Vec<[usize; 2]>,
}

/// One snippet generator per language field.
pub(super) struct Snippets {
    japanese: SnippetGenerator,
    english: SnippetGenerator,
    max_chars: usize,
}

impl Snippets {
    pub(super) fn new(
        searcher: &Searcher,
        query: &dyn Query,
        fields: &IndexFields,
        max_chars: usize,
    ) -> Result<Self, Error> {
        let generator = |field| -> Result<SnippetGenerator, Error> {
            let mut g = SnippetGenerator::create(searcher, query, field)?;
            g.set_max_num_chars(max_chars);
            Ok(g)
        };
        Ok(Snippets {
            japanese: generator(fields.text_ja)?,
            english: generator(fields.text_en)?,
            max_chars,
        })
    }

    pub(super) fn make(&self, lang: Option<&str>, original: &str) -> Snippet {
        let text = normalize(original);
        let generator = if lang == Some("ja") {
            &self.japanese
        } else {
            &self.english
        };
        let snippet = generator.snippet(&text);
        // Tantivy's fragment ends at the last indexed term; show whole sentences instead:
        // from the fragment's start (or the beginning, when the text is short) for up to
        // `max_chars` characters.
        let fits = text.chars().count() <= self.max_chars;
        let start = if fits || snippet.is_empty() {
            0
        } else {
            snippet.fragment_range().start
        };
        let end = text[start..]
            .char_indices()
            .nth(self.max_chars)
            .map_or(text.len(), |(i, _)| start + i);
        let shift = snippet.fragment_range().start - start;
        Snippet {
            fragment: text[start..end].to_string(),
            highlights: snippet
                .highlighted()
                .iter()
                .map(|r| [r.start + shift, r.end + shift])
                .filter(|r| r[1] <= end - start)
                .collect(),
        }
    }
}
