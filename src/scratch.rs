//! A scratch file of a run: a path whose file is removed when the holder is dropped,
//! whether the run finished, failed or was abandoned. The pipeline's record spill and
//! the topics stage's example snippets both wait in one.

use std::path::{Path, PathBuf};

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
}

impl Drop for ScratchFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}
