//! A scratch file of a run: a path whose file is removed when the holder is dropped,
//! whether the run finished, failed or was abandoned. The pipeline's record spill and
//! the topics stage's example snippets both wait in one.

use std::fs::File;
use std::io::{self, BufReader, BufWriter};
use std::path::{Path, PathBuf};

/// Bytes buffered when a scratch file is written or read.
const BUFFER: usize = 1 << 16;

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

    /// A new file at `path` (replacing one left there), to be written through the
    /// buffer returned with it.
    pub(crate) fn create(path: PathBuf) -> Result<(Self, BufWriter<File>), Error> {
        match File::create(&path) {
            Ok(f) => Ok((ScratchFile(path), BufWriter::with_capacity(BUFFER, f))),
            Err(source) => Err(Error { path, source }),
        }
    }

    /// The file from its start, buffered.
    pub(crate) fn open(&self) -> Result<BufReader<File>, Error> {
        File::open(&self.0)
            .map(|f| BufReader::with_capacity(BUFFER, f))
            .map_err(|e| self.error(e))
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
