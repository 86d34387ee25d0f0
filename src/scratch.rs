//! A scratch file of a run: a path whose file is removed when the holder is dropped,
//! whether the run finished, failed or was abandoned. The pipeline's record spill and
//! the topics stage's example snippets both wait in one.

use std::io;
use std::path::{Path, PathBuf};

/// An I/O error on a scratch file, with its path.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {source}")]
pub struct Error {
    pub path: PathBuf,
    pub source: io::Error,
}

/// Owns a scratch file's path; removes the file (if any) on drop.
#[derive(Debug)]
pub(crate) struct ScratchFile(PathBuf);

impl ScratchFile {
    /// Takes charge of `path`: whatever is there when this is dropped is removed.
    pub(crate) fn new(path: PathBuf) -> Self {
        ScratchFile(path)
    }

    pub(crate) fn path(&self) -> &Path {
        &self.0
    }

    /// `source`, which happened on this file.
    pub(crate) fn error(&self, source: io::Error) -> Error {
        Error {
            path: self.0.clone(),
            source,
        }
    }
}

impl Drop for ScratchFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}
