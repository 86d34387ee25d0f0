//! Building an index: one `IndexWriter` over a new folder, committed once at the end.
//!
//! The folder is part of a run's staging generation ([`crate::analysis::Run`]), which
//! nobody reads until the run publishes it, so the index is never seen half-built.

use std::path::Path;

use tantivy::indexer::LogMergePolicy;
use tantivy::schema::Facet;
use tantivy::tokenizer::PreTokenizedString;
use tantivy::{DateTime, Index, IndexWriter, TantivyDocument};

use super::{Error, IndexDoc, IndexFields, tokenizers};
use crate::text::TextAnalyzer;

pub struct IndexBuilder {
    writer: IndexWriter,
    fields: IndexFields,
}

impl IndexBuilder {
    /// Starts an index in the new folder `dir`; `memory_budget` is in bytes (Tantivy
    /// needs at least 15 MB per indexing thread).
    pub fn create(
        dir: &Path,
        analyzer: &TextAnalyzer,
        memory_budget: usize,
    ) -> Result<Self, Error> {
        std::fs::create_dir(dir).map_err(|source| Error::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        let schema = IndexFields::schema();
        let fields = IndexFields::from_schema(&schema, dir)?;
        let index = Index::create_in_dir(dir, schema)?;
        tokenizers::register(&index, analyzer);
        let writer = index.writer(memory_budget)?;
        writer.set_merge_policy(Box::new(bounded_merges()));
        Ok(IndexBuilder { writer, fields })
    }

    pub fn add(&mut self, doc: IndexDoc) -> Result<(), Error> {
        self.writer.add_document(self.document(doc))?;
        Ok(())
    }

    fn document(&self, source: IndexDoc) -> TantivyDocument {
        let f = &self.fields;
        let record = &source.record;
        let mut doc = TantivyDocument::default();
        doc.add_text(f.id, &record.id);
        doc.add_text(f.text, &record.text);
        doc.add_facet(f.lang, Facet::from_path([source.lang.code()]));
        let score = source.sentiment;
        doc.add_facet(f.sentiment, Facet::from_path([score.label.as_str()]));
        doc.add_f64(f.sentiment_score, f64::from(score.value));
        let labels = [
            (f.channel, &record.channel),
            (f.stage, &record.stage),
            (f.product, &record.product),
        ];
        for (field, value) in labels {
            if let Some(value) = value {
                doc.add_facet(field, Facet::from_path([value.as_str()]));
            }
        }
        if let Some(theme) = source.theme {
            doc.add_facet(f.theme, Facet::from_path([theme.to_string()]));
        }
        for topic in &source.topics {
            doc.add_facet(f.topic, Facet::from_path([topic.to_string()]));
        }
        for category in &source.categories {
            doc.add_facet(f.category, Facet::from_path([category.as_str()]));
        }
        for (field, value) in [
            (f.rating, record.rating),
            (f.nps, record.nps),
            (f.effort, record.effort),
        ] {
            if let Some(value) = value {
                doc.add_u64(field, u64::from(value));
            }
        }
        if let Some(created_at) = record.created_at {
            doc.add_date(
                f.created_at,
                DateTime::from_timestamp_secs(created_at.timestamp()),
            );
        }
        doc.add_text(f.origin, record.origin.to_string());
        doc.add_pre_tokenized_text(
            f.terms,
            PreTokenizedString {
                text: source.normalized,
                tokens: source.terms,
            },
        );
        doc
    }

    /// Commits every document added and waits for merges to end.
    pub fn commit(self) -> Result<(), Error> {
        let mut writer = self.writer;
        writer.commit()?;
        writer.wait_merging_threads()?;
        Ok(())
    }
}

/// Tantivy's log merge policy, but a segment that holds over [`MAX_MERGED_DOCS`] documents
/// is not merged again: merges stay small (and so does the memory they take and the pages
/// they map in) as the corpus grows, at the cost of a few more segments per million records.
fn bounded_merges() -> LogMergePolicy {
    let mut policy = LogMergePolicy::default();
    policy.set_max_docs_before_merge(MAX_MERGED_DOCS);
    policy
}

const MAX_MERGED_DOCS: usize = 100_000;
