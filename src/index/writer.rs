//! Building an index: one `IndexWriter`, a staging folder, an atomic move at the end.
//!
//! The index is written to `OUT/.index-building-<pid>` and renamed to `OUT/index` only
//! after Tantivy's commit, so an interrupted run never leaves something `koe search` would
//! take for a complete index; a previous index stays readable until the new one replaces it.

use std::path::{Path, PathBuf};

use tantivy::indexer::LogMergePolicy;
use tantivy::schema::Facet;
use tantivy::{DateTime, Index, IndexWriter, TantivyDocument};

use super::{Error, INDEX_DIR, IndexDoc, IndexFields, tokenizers};
use crate::text::TextAnalyzer;

pub struct IndexBuilder {
    writer: IndexWriter,
    fields: IndexFields,
    staging: Staging,
    target: PathBuf,
}

/// The folder an index is built in; removed on drop unless the index was moved out.
struct Staging(PathBuf);

impl Drop for Staging {
    fn drop(&mut self) {
        // Best effort: a run that fails leaves no half-built index behind.
        if self.0.exists() {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

impl IndexBuilder {
    /// Starts an index for the output folder `out_dir`; `memory_budget` is in bytes
    /// (Tantivy needs at least 15 MB per indexing thread).
    pub fn create(
        out_dir: &Path,
        analyzer: &TextAnalyzer,
        memory_budget: usize,
    ) -> Result<Self, Error> {
        let staging = out_dir.join(format!(".index-building-{}", std::process::id()));
        let io = |source| Error::Io {
            path: staging.clone(),
            source,
        };
        if staging.exists() {
            std::fs::remove_dir_all(&staging).map_err(io)?;
        }
        std::fs::create_dir_all(&staging).map_err(io)?;
        let schema = IndexFields::schema();
        let fields = IndexFields::from_schema(&schema, &staging)?;
        let index = Index::create_in_dir(&staging, schema)?;
        tokenizers::register(&index, analyzer);
        let writer = index.writer(memory_budget)?;
        writer.set_merge_policy(Box::new(bounded_merges()));
        Ok(IndexBuilder {
            writer,
            fields,
            staging: Staging(staging),
            target: out_dir.join(INDEX_DIR),
        })
    }

    pub fn add(&mut self, doc: &IndexDoc) -> Result<(), Error> {
        self.writer.add_document(self.document(doc))?;
        Ok(())
    }

    fn document(&self, source: &IndexDoc) -> TantivyDocument {
        let f = &self.fields;
        let record = &source.record;
        let mut doc = TantivyDocument::default();
        doc.add_text(f.id, &record.id);
        doc.add_text(f.text, &record.text);
        doc.add_text(f.text_of(source.lang), &source.normalized);
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
        doc
    }

    /// Commits and moves the index into place; returns its folder.
    pub fn commit(self) -> Result<PathBuf, Error> {
        let IndexBuilder {
            mut writer,
            staging,
            target,
            ..
        } = self;
        writer.commit()?;
        writer.wait_merging_threads()?;
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| Error::Io { path, source }
        };
        let previous = target.with_file_name(format!(".index-old-{}", std::process::id()));
        if target.exists() {
            std::fs::rename(&target, &previous).map_err(io(&target))?;
        }
        std::fs::rename(&staging.0, &target).map_err(io(&target))?;
        if previous.exists() {
            std::fs::remove_dir_all(&previous).map_err(io(&previous))?;
        }
        Ok(target)
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
