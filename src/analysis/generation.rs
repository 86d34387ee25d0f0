//! A published generation: one run's files, read-only.

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

use super::{Error, Part, generation_folder};
use crate::index::{self, SearchIndex, StoredRecords};
use crate::text::TextAnalyzer;

/// One complete run's output, as [`AnalysisDir::current`](super::AnalysisDir::current)
/// found it: its index, topics, summary and rejects all come from the same run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generation {
    root: PathBuf,
    number: u64,
    dir: PathBuf,
}

impl Generation {
    pub(super) fn new(root: &Path, number: u64) -> Self {
        Generation {
            root: root.to_path_buf(),
            number,
            dir: root.join(generation_folder(number)),
        }
    }

    /// 1 for a folder's first run, one more for each run published after it.
    pub fn number(&self) -> u64 {
        self.number
    }

    /// The output folder it belongs to.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Its folder (`OUT/gen-000007`).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Where `part` is in this generation (it may be absent: topics with `--no-topics`).
    pub fn path(&self, part: Part) -> PathBuf {
        self.dir.join(part.file_name())
    }

    /// Reads a JSON part; `None` when the run did not write it.
    pub fn read_json<T: DeserializeOwned>(&self, part: Part) -> Result<Option<T>, Error> {
        let path = self.path(part);
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => return Err(Error::Io { path, source }),
        };
        serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|source| Error::Json { path, source })
    }

    /// The topics the run found (`topics.json`, the topics stage's one type); `None`
    /// when it ran with `--no-topics`.
    pub fn topics(&self) -> Result<Option<crate::topics::Topics>, Error> {
        self.read_json(Part::Topics)
    }

    /// Opens the generation's index to read its records (no dictionary needed).
    pub fn open_records(&self) -> Result<StoredRecords, index::Error> {
        StoredRecords::open(&self.path(Part::Index))
    }

    /// Opens the generation's index for searching.
    pub fn open_index(&self, analyzer: &TextAnalyzer) -> Result<SearchIndex, index::Error> {
        SearchIndex::open(&self.path(Part::Index), analyzer)
    }
}
