//! A run's staging generation: locked, written, then published in one step.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::lock::WriteLock;
use super::{
    AnalysisDir, Error, Generation, LOCK, POINTER, POINTER_TEMPORARY, Part, Pointer, STAGING,
    generation_number, sync_dir,
};

/// A generation being written. Only its holder writes into the folder (it holds the
/// lock); nobody reads its staging folder. [`publish`](Run::publish) makes it current;
/// dropping it unpublished removes the staging folder.
#[derive(Debug)]
pub struct Run {
    dir: AnalysisDir,
    staging: PathBuf,
    number: u64,
    previous: Option<Generation>,
    published: bool,
    _lock: WriteLock,
}

impl Run {
    pub(super) fn begin(
        dir: &AnalysisDir,
        waiting: Option<&mut dyn FnMut(&str)>,
    ) -> Result<Run, Error> {
        let root = dir.root();
        claim(dir)?;
        let lock = WriteLock::take(root, waiting)?;
        // Under the lock: the pointer cannot change, and every leftover is a dead run's.
        let current = match dir.pointer() {
            Ok(pointer) => pointer.generation,
            Err(Error::NotAnAnalysis(_)) => {
                dir.write_pointer(&Pointer::to(None))?;
                None
            }
            Err(e) => return Err(e),
        };
        remove_leftovers(root, current)?;
        let staging = root.join(format!("{STAGING}{}", std::process::id()));
        std::fs::create_dir(&staging).map_err(Error::io(&staging))?;
        Ok(Run {
            dir: dir.clone(),
            staging,
            number: current.map_or(1, |n| n + 1),
            previous: current.map(|n| Generation::new(root, n)),
            published: false,
            _lock: lock,
        })
    }

    /// The output folder it writes into.
    pub fn folder(&self) -> &AnalysisDir {
        &self.dir
    }

    /// The number the generation will have once published.
    pub fn number(&self) -> u64 {
        self.number
    }

    /// The generation that was current when the run began (`None` for a folder's first
    /// run): what `--append` adds to. It stays on disk until this run is published.
    pub fn previous(&self) -> Option<&Generation> {
        self.previous.as_ref()
    }

    /// Where to write `part` (its folder exists; the part does not yet).
    pub fn path(&self, part: Part) -> PathBuf {
        self.staging.join(part.file_name())
    }

    /// Writes a JSON part (pretty-printed, flushed to disk).
    pub fn write_json(&self, part: Part, value: &impl Serialize) -> Result<(), Error> {
        let path = self.path(part);
        let mut json = serde_json::to_vec_pretty(value).map_err(|source| Error::Json {
            path: path.clone(),
            source,
        })?;
        json.push(b'\n');
        let mut file = std::fs::File::create(&path).map_err(Error::io(&path))?;
        file.write_all(&json).map_err(Error::io(&path))?;
        Ok(())
    }

    /// Makes the run's generation the current one, with one atomic rename of the pointer;
    /// the generations but this one and the one before are then removed.
    pub fn publish(mut self) -> Result<Generation, Error> {
        for part in Part::SCRATCH {
            let path = self.path(part);
            if path.exists() {
                std::fs::remove_file(&path).map_err(Error::io(&path))?;
            }
        }
        sync_tree(&self.staging)?;
        let root = self.dir.root().to_path_buf();
        let generation = Generation::new(&root, self.number);
        std::fs::rename(&self.staging, generation.dir()).map_err(Error::io(generation.dir()))?;
        self.published = true;
        // The publish step: before this rename readers see the previous generation.
        self.dir.write_pointer(&Pointer::to(Some(self.number)))?;
        // Best effort: a generation left here is removed by the next run.
        let _ = remove_leftovers(&root, Some(self.number));
        Ok(generation)
    }
}

impl Drop for Run {
    fn drop(&mut self) {
        if !self.published {
            let _ = std::fs::remove_dir_all(&self.staging);
        }
    }
}

/// Checks that koe may write into `dir`: it is an analysis folder already, or it is new
/// or empty (then it is made). Anything else is refused before anything is written.
fn claim(dir: &AnalysisDir) -> Result<(), Error> {
    let root = dir.root();
    match std::fs::metadata(root) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return std::fs::create_dir_all(root).map_err(|source| Error::Create {
                path: root.to_path_buf(),
                source,
            });
        }
        Err(source) => {
            return Err(Error::Create {
                path: root.to_path_buf(),
                source,
            });
        }
        Ok(meta) if !meta.is_dir() => {
            return Err(Error::Corrupt {
                path: root.to_path_buf(),
                message: "is a file, not a folder".into(),
            });
        }
        Ok(_) => {}
    }
    if root.join(POINTER).is_file() {
        return Ok(());
    }
    if dir.is_old_layout() {
        return Err(Error::OldLayout(root.to_path_buf()));
    }
    // Empty, or holding only the lock of a first run that died before marking it.
    let mut entries = std::fs::read_dir(root).map_err(Error::io(root))?;
    let foreign = entries.try_fold(false, |foreign, entry| {
        let entry = entry.map_err(Error::io(root))?;
        Ok::<_, Error>(foreign || entry.file_name() != LOCK)
    })?;
    if foreign {
        return Err(Error::NotOurs(root.to_path_buf()));
    }
    Ok(())
}

/// Removes staging folders, the pointer's temporary file, and every generation but
/// `current` and the newest one before it. Called only by the lock holder, so nothing it
/// removes belongs to a live run.
fn remove_leftovers(root: &Path, current: Option<u64>) -> Result<(), Error> {
    let mut generations = Vec::new();
    for entry in std::fs::read_dir(root).map_err(Error::io(root))? {
        let entry = entry.map_err(Error::io(root))?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let path = entry.path();
        if name.starts_with(STAGING) || name == POINTER_TEMPORARY {
            remove(&path)?;
        } else if let Some(number) = generation_number(name) {
            generations.push((number, path));
        }
    }
    let keep_before = current.and_then(|current| {
        generations
            .iter()
            .map(|&(n, _)| n)
            .filter(|&n| n < current)
            .max()
    });
    for (number, path) in generations {
        if Some(number) != current && Some(number) != keep_before {
            remove(&path)?;
        }
    }
    Ok(())
}

/// Removes a leftover file or folder (a symlink is removed, never followed).
fn remove(path: &Path) -> Result<(), Error> {
    let meta = std::fs::symlink_metadata(path).map_err(Error::io(path))?;
    let result = if meta.is_dir() {
        std::fs::remove_dir_all(path)
    } else {
        std::fs::remove_file(path)
    };
    match result {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(Error::io(path)(e)),
        _ => Ok(()),
    }
}

/// Flushes every file and folder under `dir` to disk, so a publish that survives a crash
/// of the machine points at complete files.
fn sync_tree(dir: &Path) -> Result<(), Error> {
    for entry in std::fs::read_dir(dir).map_err(Error::io(dir))? {
        let entry = entry.map_err(Error::io(dir))?;
        let path = entry.path();
        let kind = entry.file_type().map_err(Error::io(&path))?;
        if kind.is_dir() {
            sync_tree(&path)?;
        } else if kind.is_file() {
            std::fs::File::open(&path)
                .and_then(|f| f.sync_all())
                .map_err(Error::io(&path))?;
        }
    }
    sync_dir(dir)
}
