//! Stored records: an index opened only to read what it stores (ids, texts, survey
//! fields, sentiment, topics), one record at a time. No analyser and no dictionary: what
//! `koe report`, `koe topics --eval` and `koe analyze --append` need, where searching
//! ([`SearchIndex`](super::SearchIndex)) needs the text stage too.

use std::path::Path;

use chrono::{DateTime, Utc};
use tantivy::schema::{Facet, Value};
use tantivy::{Index, IndexReader, TantivyDocument};

use super::{Hit, Snippet};
use crate::index::{Error, IndexFields};
use crate::record::{Origin, Record};

pub struct StoredRecords {
    pub(super) index: Index,
    pub(super) reader: IndexReader,
    pub(super) fields: IndexFields,
}

impl StoredRecords {
    /// Opens the committed index in the folder `dir` for reading its records (readers of
    /// an analysis folder go through
    /// [`Generation::open_records`](crate::analysis::Generation::open_records)).
    pub fn open(dir: &Path) -> Result<Self, Error> {
        if !dir.join("meta.json").is_file() {
            return Err(Error::NotFound(dir.to_path_buf()));
        }
        let index = Index::open_in_dir(dir)?;
        let fields = IndexFields::from_schema(&index.schema(), dir)?;
        let reader = index.reader()?;
        Ok(StoredRecords {
            index,
            reader,
            fields,
        })
    }

    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Calls `each` with every record of the index, in storage order (no snippets), for
    /// reports that need them all; memory holds one record at a time.
    pub fn for_each_record(&self, mut each: impl FnMut(Hit)) -> Result<(), Error> {
        self.for_each_document(|doc| {
            each(self.hit(doc, 1.0));
            Ok::<_, Error>(())
        })
    }

    /// Calls `each` with every record the index stores, rebuilt as ingest gave it (its
    /// language as detected then, its date to the second), until `each` fails: what
    /// `--append` carries into the next generation. Memory holds one record at a time.
    pub fn try_for_each_stored_record<E: From<Error>>(
        &self,
        mut each: impl FnMut(Record) -> Result<(), E>,
    ) -> Result<(), E> {
        self.for_each_document(|doc| each(self.stored_record(doc)))
    }

    fn for_each_document<E: From<Error>>(
        &self,
        mut each: impl FnMut(&TantivyDocument) -> Result<(), E>,
    ) -> Result<(), E> {
        let searcher = self.reader.searcher();
        for segment in searcher.segment_readers() {
            let store = segment
                .get_store_reader(16)
                .map_err(|e| Error::from(tantivy::TantivyError::from(e)))?;
            for doc in store.iter::<TantivyDocument>(segment.alive_bitset()) {
                each(&doc.map_err(Error::from)?)?;
            }
        }
        Ok(())
    }

    fn stored_record(&self, doc: &TantivyDocument) -> Record {
        let hit = self.hit(doc, 1.0);
        let f = &self.fields;
        let small = |value: Option<u64>| value.and_then(|v| u8::try_from(v).ok());
        let origin = hit.origin.unwrap_or_default();
        let (file, line) = origin
            .rsplit_once(':')
            .and_then(|(file, line)| Some((file, line.parse().ok()?)))
            .unwrap_or((origin.as_str(), 0));
        Record {
            id: hit.id,
            text: hit.text,
            rating: small(hit.rating),
            nps: small(hit.nps),
            effort: small(hit.effort),
            channel: hit.channel,
            stage: hit.stage,
            product: hit.product,
            created_at: doc
                .get_first(f.created_at)
                .and_then(|v| v.as_datetime())
                .and_then(|d| DateTime::<Utc>::from_timestamp(d.into_timestamp_secs(), 0)),
            lang: hit.lang.and_then(|code| code.parse().ok()),
            origin: Origin {
                file: file.into(),
                line,
            },
        }
    }

    pub(super) fn hit(&self, doc: &TantivyDocument, relevance: f32) -> Hit {
        let f = &self.fields;
        let text_of = |field| {
            doc.get_first(field)
                .and_then(|v| v.as_str())
                .map(str::to_string)
        };
        let facet_value = |encoded: &str| {
            let facet = Facet::from_encoded(encoded.as_bytes().to_vec()).ok()?;
            facet.to_path().last().map(|s| s.to_string())
        };
        let facet_of = |field| facet_value(doc.get_first(field)?.as_facet()?);
        let u64_of = |field| doc.get_first(field).and_then(|v| v.as_u64());
        Hit {
            id: text_of(f.id).unwrap_or_default(),
            relevance,
            text: text_of(f.text).unwrap_or_default(),
            snippet: Snippet::default(),
            lang: facet_of(f.lang),
            sentiment: facet_of(f.sentiment),
            sentiment_score: doc.get_first(f.sentiment_score).and_then(|v| v.as_f64()),
            channel: facet_of(f.channel),
            stage: facet_of(f.stage),
            product: facet_of(f.product),
            theme: facet_of(f.theme).and_then(|t| t.parse().ok()),
            topics: doc
                .get_all(f.topic)
                .filter_map(|v| facet_value(v.as_facet()?)?.parse().ok())
                .collect(),
            categories: doc
                .get_all(f.category)
                .filter_map(|v| facet_value(v.as_facet()?))
                .collect(),
            rating: u64_of(f.rating),
            nps: u64_of(f.nps),
            effort: u64_of(f.effort),
            created_at: doc
                .get_first(f.created_at)
                .and_then(|v| v.as_datetime())
                .and_then(|d| DateTime::<Utc>::from_timestamp(d.into_timestamp_secs(), 0))
                .map(|d| d.to_rfc3339()),
            origin: text_of(f.origin),
        }
    }
}
