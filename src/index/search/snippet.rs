//! Snippets: the part of a hit's text around its best match, with the matched terms'
//! byte ranges, made by Tantivy's snippet generator over the `terms` field.

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

pub(super) struct Snippets {
    generator: SnippetGenerator,
    max_chars: usize,
}

impl Snippets {
    pub(super) fn new(
        searcher: &Searcher,
        query: &dyn Query,
        fields: &IndexFields,
        max_chars: usize,
    ) -> Result<Self, Error> {
        let mut generator = SnippetGenerator::create(searcher, query, fields.terms)?;
        generator.set_max_num_chars(max_chars);
        Ok(Snippets {
            generator,
            max_chars,
        })
    }

    pub(super) fn make(&self, original: &str) -> Snippet {
        let text = normalize(original);
        let snippet = self.generator.snippet(&text);
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
