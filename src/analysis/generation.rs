//! A published generation: one run's files, read-only.
//!
//! This module names no stage: [`Generation::path`] and [`Generation::read_json`] reach any
//! part, and each stage opens its own part with a method it adds where its types live —
//! [`Generation::open_records`] and [`Generation::open_index`] in [`crate::index`],
//! [`Generation::topics`] in [`crate::report::topics`]. So every stage may name the
//! analysis folder (the sentiment stage, for the models `--sentiment auto` saved in it)
//! without the folder depending back on the stages.

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

use super::{Error, Part, generation_folder};

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
}
