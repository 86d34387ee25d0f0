//! Index: analysed records → a Tantivy index analysts can search.
//!
//! [`schema`] names the fields (the text's terms, the original text stored, facets and
//! fast fields for every filter), [`tokenizers`] turns the text stage's tokens into terms
//! and registers the same analysis for queries,
//! [`writer`] builds an index (in a run's staging generation, see [`crate::analysis`]),
//! [`merge`] joins indexes built apart (shards of one corpus) into one,
//! and [`search`] runs queries with filters, snippets and facet counts; a generation of an
//! analysis folder opens its index with `Generation::open_index` and `open_records`.

mod generation;
pub mod merge;
pub mod schema;
pub mod search;
pub mod tokenizers;
pub mod writer;

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::lang::Lang;
use crate::record::{Analysed, Record};
use crate::sentiment::Score;

pub use schema::IndexFields;
pub use search::{
    FacetCounts, Filters, Hit, SearchIndex, SearchOutput, SearchRequest, SearchResults,
    StoredRecords,
};
pub use writer::IndexBuilder;

/// What the index keeps of one analysed record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndexDoc {
    pub record: Record,
    /// The normalised text: the offsets of `terms` point into it.
    pub normalized: String,
    /// The searchable tokens the text stage made, as index terms.
    pub terms: Vec<tantivy::tokenizer::Token>,
    pub lang: Lang,
    pub sentiment: Score,
    /// The record's theme (None: none, or no topics stage).
    #[serde(default)]
    pub theme: Option<u32>,
    /// Sub-topic ids, primary first (empty: no topic).
    pub topics: Vec<u32>,
    /// Names of the taxonomy categories the record is in, ancestors included.
    #[serde(default)]
    pub categories: Vec<String>,
}

impl From<Analysed> for IndexDoc {
    fn from(analysed: Analysed) -> Self {
        IndexDoc {
            record: analysed.record,
            terms: tokenizers::index_tokens(&analysed.text.tokens),
            normalized: analysed.text.normalized,
            lang: analysed.text.lang,
            sentiment: analysed.sentiment.doc,
            theme: None,
            topics: Vec::new(),
            categories: Vec::new(),
        }
    }
}

/// Errors of the index stage.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("index error: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0} holds no committed index: run `koe analyze` again")]
    NotFound(PathBuf),
    #[error(
        "{0} was not written by this version of koe (field {1:?} is missing or set up otherwise): run `koe analyze` again"
    )]
    Schema(PathBuf, &'static str),
    #[error("cannot parse the query {query:?}: {message}")]
    Query { query: String, message: String },
    /// A filter no record could pass, named as in the API (`min_rating`).
    #[error("{filter}: {message}")]
    Filter {
        filter: &'static str,
        message: String,
    },
}
