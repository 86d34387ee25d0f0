//! Joining indexes built apart (one per shard of a corpus) into one, with Tantivy's
//! segment merge: the shards' segments are read and written as one new segment, so the
//! result searches (and scores: document frequencies are the whole corpus's) as one
//! index built over every record would.

use std::path::Path;

use tantivy::Index;
use tantivy::directory::MmapDirectory;

use super::{Error, IndexFields};

/// Merges the committed indexes in `shards` into the new folder `out`; returns the
/// number of documents. Every shard must have this koe's schema ([`Error::Schema`]).
pub fn merge(shards: &[&Path], out: &Path) -> Result<u64, Error> {
    let mut indices = Vec::with_capacity(shards.len());
    for &dir in shards {
        if !dir.join("meta.json").is_file() {
            return Err(Error::NotFound(dir.to_path_buf()));
        }
        let index = Index::open_in_dir(dir)?;
        IndexFields::from_schema(&index.schema(), dir)?;
        if index.schema() != IndexFields::schema() {
            return Err(Error::Schema(dir.to_path_buf(), "(schema)"));
        }
        indices.push(index);
    }
    std::fs::create_dir(out).map_err(|source| Error::Io {
        path: out.to_path_buf(),
        source,
    })?;
    let mut segments = 0;
    for index in &indices {
        segments += index.searchable_segments()?.len();
    }
    let merged = if segments == 0 {
        // Tantivy merges segments, and shards of no records have none.
        Index::create_in_dir(out, IndexFields::schema())?
    } else {
        let directory = MmapDirectory::open(out).map_err(tantivy::TantivyError::from)?;
        tantivy::indexer::merge_indices(&indices, directory)?
    };
    Ok(merged.reader()?.searcher().num_docs())
}
