//! Joining indexes built apart (one per shard of a corpus) into one, with Tantivy's
//! segment merge: the shards' segments are read and written as one new segment, so the
//! result searches (and scores: document frequencies are the whole corpus's) as one
//! index built over every record would.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::path::Path;

use tantivy::directory::MmapDirectory;
use tantivy::postings::TermInfo;
use tantivy::schema::IndexRecordOption;
use tantivy::{DocSet, Index, SegmentReader, TERMINATED};

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

/// An id that live records of two of the committed indexes in `shards` hold: the id and
/// the positions of the first two shards that hold it; None when every id is in one
/// shard only.
///
/// Each shard keeps one record per id, so a k-way merge of the shards' id terms, sorted
/// in every segment's term dictionary, finds an id two shards share, holding one term
/// per segment at a time whatever the number of records. A term whose records were all
/// deleted (replaced by `--append`) does not count.
pub fn shared_id(shards: &[&Path]) -> Result<Option<(String, usize, usize)>, Error> {
    let mut searchers = Vec::with_capacity(shards.len());
    let mut id = None;
    for &dir in shards {
        let index = Index::open_in_dir(dir)?;
        id = Some(IndexFields::from_schema(&index.schema(), dir)?.id);
        searchers.push(index.reader()?.searcher());
    }
    let Some(id) = id else {
        return Ok(None);
    };
    let mut segments = Vec::new();
    for (shard, searcher) in searchers.iter().enumerate() {
        for segment in searcher.segment_readers() {
            segments.push((shard, segment, segment.inverted_index(id)?));
        }
    }
    let io = |e: std::io::Error| Error::from(tantivy::TantivyError::from(e));
    let mut streams = Vec::with_capacity(segments.len());
    for (_, _, inverted) in &segments {
        streams.push(inverted.terms().stream().map_err(io)?);
    }
    let mut next: BinaryHeap<Reverse<(Vec<u8>, usize)>> = BinaryHeap::new();
    for (i, stream) in streams.iter_mut().enumerate() {
        if stream.advance() {
            next.push(Reverse((stream.key().to_vec(), i)));
        }
    }
    while let Some(Reverse((term, first))) = next.pop() {
        let mut at = vec![first];
        while let Some(Reverse((other, _))) = next.peek()
            && *other == term
        {
            if let Some(Reverse((_, i))) = next.pop() {
                at.push(i);
            }
        }
        if at.iter().any(|&i| segments[i].0 != segments[first].0) {
            let mut holders = Vec::new();
            for &i in &at {
                let (shard, segment, inverted) = &segments[i];
                if !holders.contains(shard)
                    && has_live_record(segment, inverted, streams[i].value())?
                {
                    holders.push(*shard);
                }
            }
            holders.sort_unstable();
            if let [a, b, ..] = holders[..] {
                return Ok(Some((String::from_utf8_lossy(&term).into_owned(), a, b)));
            }
        }
        for i in at {
            if streams[i].advance() {
                next.push(Reverse((streams[i].key().to_vec(), i)));
            }
        }
    }
    Ok(None)
}

/// Whether a record of `segment` not deleted has the term of `info`.
fn has_live_record(
    segment: &SegmentReader,
    inverted: &tantivy::InvertedIndexReader,
    info: &TermInfo,
) -> Result<bool, Error> {
    let mut postings = inverted
        .read_postings_from_terminfo(info, IndexRecordOption::Basic)
        .map_err(tantivy::TantivyError::from)?;
    let mut doc = postings.doc();
    while doc != TERMINATED {
        if segment
            .alive_bitset()
            .is_none_or(|alive| alive.is_alive(doc))
        {
            return Ok(true);
        }
        doc = postings.advance();
    }
    Ok(false)
}
