//! The analysis folder: the one owner of everything `koe analyze` writes into `--out`.
//!
//! A run never writes into what readers read. It writes a whole **generation** — index,
//! topics, summary, rejects, models — into a staging folder, and publishes it with one
//! atomic step, the way Tantivy publishes a commit by an atomic write of `meta.json`:
//!
//! ```text
//! OUT/
//!   analysis.json     the pointer: which generation is current (replaced by rename(2))
//!   .lock             held (flock) by the one run writing; says who that is
//!   gen-000007/       the current generation: index/, topics.json, summary.json, …
//!   gen-000006/       the one before, kept for readers that opened it a moment ago
//!   .staging-4242/    a run in progress (pid 4242): nobody reads it
//! ```
//!
//! * [`AnalysisDir::current`] is how every reader (`search`, `topics`, `report`, `serve`)
//!   opens a folder: it resolves the pointer once and hands back a [`Generation`], whose
//!   files all come from one run. A folder without a completed run is a clear [`Error`].
//! * [`AnalysisDir::begin_run`] is how a writer starts: it takes the folder's lock (a
//!   second writer fails naming the first, or waits), removes what dead runs left
//!   (staging folders, unpublished and old generations — never anything of a live run:
//!   only the lock holder cleans, and a live run holds the lock), and hands back a
//!   [`Run`] with an empty staging generation. [`Run::publish`] fsyncs the staging folder,
//!   renames it to its generation folder and replaces `analysis.json`: before that rename
//!   readers see the previous generation, after it the new one. A run that fails, is
//!   interrupted or is killed leaves the previous generation as it was; dropping a
//!   [`Run`] removes its staging folder, and a killed run's is removed by the next run.
//! * koe writes only into a folder it made: a new or empty folder becomes an analysis
//!   folder (`analysis.json` marks it); any other non-empty folder is refused, so
//!   `--out ~/Documents` deletes nothing.
//!
//! Readers take no lock and never wait. The two newest generations are kept, so a reader
//! that resolved the pointer just before a publish still finds its generation; one that
//! finds it gone (two publishes later) resolves the pointer again.
//!
//! This relies on Linux (POSIX) semantics: rename(2) replacing a file atomically, flock(2)
//! locks released when their holder dies, and files that stay readable while open after
//! they are removed. Windows is not a target.
//!
//! # Adding a file to a generation
//!
//! Every name inside an output folder lives in [`Part`]: add one line to the `parts!`
//! list below (`TopicModel => "topic-model.json",`). A run writes it with
//! [`Run::write_json`], or creates [`Run::path`] itself (a file, or a folder of files:
//! `std::fs::create_dir(run.path(Part::SentimentModel))`); a reader reads it with
//! [`Generation::read_json`] or opens [`Generation::path`] — of its own folder's current
//! generation, or another's (`AnalysisDir::new(previous).current()?.path(part)`, for a
//! model fitted by an earlier analysis). It is fsynced, published, kept and removed with
//! the rest of its generation, with no other change. A file only a run uses while it
//! works (never published) goes in `Part::SCRATCH` too.

mod generation;
mod lock;
mod run;

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use generation::Generation;
pub use run::Run;

/// The pointer file: marks a folder as koe's and names its current generation.
const POINTER: &str = "analysis.json";
/// The pointer being replaced: written in full, then renamed over [`POINTER`].
const POINTER_TEMPORARY: &str = ".analysis.json.tmp";
/// The lock file a writer holds (flock) while it runs.
const LOCK: &str = ".lock";
/// Prefix of a staging folder (`.staging-<pid>`).
const STAGING: &str = ".staging-";
/// Prefix of a generation folder (`gen-000007`).
const GENERATION: &str = "gen-";
/// The format `analysis.json` declares.
const FORMAT: &str = "koe-analysis/1";

macro_rules! parts {
    ($($(#[$doc:meta])* $part:ident => $name:literal,)*) => {
        /// Every file and folder a generation can hold: the one list of names inside an
        /// output folder. Add a line here to add a file (see the module doc).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Part {
            $($(#[$doc])* $part,)*
        }

        impl Part {
            /// Its name inside a generation folder.
            pub fn file_name(self) -> &'static str {
                match self {
                    $(Part::$part => $name,)*
                }
            }
        }
    };
}

parts! {
    /// The Tantivy index (a folder).
    Index => "index",
    /// What the run did: [`crate::pipeline::Summary`].
    Summary => "summary.json",
    /// The topics stage's pain points: [`crate::topics::Topics`]; absent with `--no-topics`.
    Topics => "topics.json",
    /// What the topics' figures are computed from, as counts and sums that add across
    /// shards: [`crate::topics::TopicTallies`]; beside topics.json.
    TopicTallies => "topic-tallies.json",
    /// The taxonomy's categories with their figures: [`crate::taxonomy::CategoryFigures`];
    /// only with `--taxonomy`.
    Categories => "categories.json",
    /// The fitted two-level topic model ([`crate::topics::TopicModel`], CBOR), which a
    /// later run applies with `--topics-from`; absent with `--no-topics`.
    TopicModel => "topic-model.cbor",
    /// Every line the run set aside, with file, line and reason (JSON Lines).
    Rejects => "rejects.jsonl",
    /// The linear models `--sentiment auto` trained, one folder per language (`ja/`),
    /// loadable as `--sentiment linear:<this folder>`; absent when the lexicon won.
    SentimentModel => "sentiment-model",
    /// One row per analysed record (`--emit parquet`): [`crate::export::RecordsWriter`].
    Records => "records.parquet",
    /// Scratch: analysed records waiting for their topic ids; removed before publishing.
    Spill => "spill.jsonl",
    /// Scratch: each record's topic features (term ids, phrases, sentiment, survey
    /// facts, snippet), read back a piece at a time to fit; removed before publishing.
    TopicFeatures => "topic-features.cbor",
    /// Scratch: the id and snippet of each record of the topics' piece being fitted, for
    /// its examples; removed before publishing.
    TopicSnippets => "topic-snippets.cbor",
    /// Scratch: each record's theme vector from a sentence encoder, for the themes;
    /// removed before publishing.
    ThemeVectors => "theme-vectors.bin",
    /// Scratch: the theme vectors of the topics' piece being fitted; removed before
    /// publishing.
    FitThemeVectors => "fit-theme-vectors.bin",
    /// Scratch: each clause's sentence embedding (with `--topic-vectors embeddings:…`),
    /// in clause order; removed before publishing.
    ClauseVectors => "clause-vectors.bin",
    /// Scratch: every record's theme and topics from a topic fit of several pieces, for
    /// the index; removed before publishing.
    TopicAssignments => "topic-assignments.bin",
}

impl Part {
    /// Parts a run uses while it works and never publishes.
    const SCRATCH: [Part; 7] = [
        Part::Spill,
        Part::TopicFeatures,
        Part::TopicSnippets,
        Part::ThemeVectors,
        Part::FitThemeVectors,
        Part::TopicAssignments,
        Part::ClauseVectors,
    ];
}

/// Errors of opening, locking or publishing an analysis folder.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("no koe analysis in {0}: run `koe analyze <INPUT> --out {0}` first")]
    NotFound(PathBuf),
    #[error(
        "{0} is not a koe analysis folder (it has no {POINTER}): run `koe analyze <INPUT> --out {0}` first"
    )]
    NotAnAnalysis(PathBuf),
    #[error(
        "{0} holds an analysis written by an older koe (index/ and summary.json at its top); \
         this koe keeps each run as a generation: analyse into a new folder, or remove this one \
         first (rm -r {0})"
    )]
    OldLayout(PathBuf),
    #[error(
        "{0} has no completed analysis yet: its first run is still going, or did not finish; \
         run `koe analyze <INPUT> --out {0}`"
    )]
    NoGeneration(PathBuf),
    #[error(
        "{0} is not empty and was not made by koe: koe writes only into a new or empty folder, \
         or one it made before; choose another --out"
    )]
    NotOurs(PathBuf),
    #[error(
        "{root} is being written by another run ({owner}): wait for it to finish, or pass --wait"
    )]
    Locked { root: PathBuf, owner: String },
    #[error("cannot make the output folder {path}: {source}")]
    Create {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: not a file koe can read: {source}")]
    Json {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("{path}: {message}")]
    Corrupt { path: PathBuf, message: String },
}

impl Error {
    fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
        move |source| Error::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// What `analysis.json` holds.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Pointer {
    format: String,
    /// The current generation; `None` until the first run publishes.
    generation: Option<u64>,
    /// Its folder, for people and scripts (`gen-000007`).
    folder: Option<String>,
}

impl Pointer {
    fn to(generation: Option<u64>) -> Self {
        Pointer {
            format: FORMAT.to_string(),
            generation,
            folder: generation.map(generation_folder),
        }
    }
}

fn generation_folder(number: u64) -> String {
    format!("{GENERATION}{number:06}")
}

/// The generation number of a folder name (`gen-000007` → 7).
fn generation_number(name: &str) -> Option<u64> {
    let digits = name.strip_prefix(GENERATION)?;
    (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
        .then(|| digits.parse().ok())
        .flatten()
}

/// An output folder of `koe analyze`, by path (nothing is read until asked).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnalysisDir {
    root: PathBuf,
}

impl AnalysisDir {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        AnalysisDir { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The current generation, for reading: every file it names comes from one run.
    pub fn current(&self) -> Result<Generation, Error> {
        // A generation is removed two publishes after it stops being current; a reader
        // that resolved the pointer before both resolves it again.
        let mut last_seen = None;
        for _ in 0..3 {
            let number = self
                .published()?
                .ok_or_else(|| Error::NoGeneration(self.root.clone()))?;
            let generation = Generation::new(&self.root, number);
            if generation.dir().is_dir() {
                return Ok(generation);
            }
            if last_seen == Some(number) {
                break;
            }
            last_seen = Some(number);
        }
        Err(Error::Corrupt {
            path: self.root.join(POINTER),
            message: "names a generation folder that is not there".into(),
        })
    }

    /// Where `koe report` writes by default (`OUT/report.html`, `.md`, `.json`): beside
    /// the generations, not in one, since a report is made from a generation later.
    pub fn report_prefix(&self) -> PathBuf {
        self.root.join("report")
    }

    /// Whether the folder is one koe made (it has the pointer file), published or not.
    pub fn is_analysis(&self) -> bool {
        self.root.join(POINTER).is_file()
    }

    /// The number of the current generation (`None` before the first publish), read from
    /// the pointer alone: cheap enough to poll (`koe serve` does, to reload).
    pub fn published(&self) -> Result<Option<u64>, Error> {
        Ok(self.pointer()?.generation)
    }

    /// Starts a run: locks the folder (making it if needed), removes what dead runs left,
    /// and returns an empty staging generation. With `waiting`, a locked folder is waited
    /// for (`waiting` is told who holds it first); without, it is an [`Error::Locked`].
    pub fn begin_run(&self, waiting: Option<&mut dyn FnMut(&str)>) -> Result<Run, Error> {
        Run::begin(self, waiting)
    }

    fn pointer(&self) -> Result<Pointer, Error> {
        let path = self.root.join(POINTER);
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(if !self.root.is_dir() {
                    Error::NotFound(self.root.clone())
                } else if self.is_old_layout() {
                    Error::OldLayout(self.root.clone())
                } else {
                    Error::NotAnAnalysis(self.root.clone())
                });
            }
            Err(source) => return Err(Error::Io { path, source }),
        };
        let pointer: Pointer = serde_json::from_slice(&bytes).map_err(|source| Error::Json {
            path: path.clone(),
            source,
        })?;
        if pointer.format != FORMAT {
            return Err(Error::Corrupt {
                path,
                message: format!(
                    "format {:?}, this koe reads {FORMAT:?}: analyse again with this koe",
                    pointer.format
                ),
            });
        }
        Ok(pointer)
    }

    /// Replaces the pointer atomically: readers see the old file or the new, never a mix.
    fn write_pointer(&self, pointer: &Pointer) -> Result<(), Error> {
        let path = self.root.join(POINTER);
        let temporary = self.root.join(POINTER_TEMPORARY);
        let mut json = serde_json::to_vec_pretty(pointer).map_err(|source| Error::Json {
            path: path.clone(),
            source,
        })?;
        json.push(b'\n');
        write_synced(&temporary, &json)?;
        std::fs::rename(&temporary, &path).map_err(Error::io(&path))?;
        sync_dir(&self.root)
    }

    /// What koe < 0.2 wrote: `index/` and `summary.json` at the top, no pointer.
    fn is_old_layout(&self) -> bool {
        self.root.join("index").join("meta.json").is_file()
            || self.root.join("summary.json").is_file()
    }
}

/// Writes `bytes` to `path` and flushes them to disk.
fn write_synced(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let mut file = std::fs::File::create(path).map_err(Error::io(path))?;
    file.write_all(bytes).map_err(Error::io(path))?;
    file.sync_all().map_err(Error::io(path))
}

/// Flushes a folder's entries (new names, renames) to disk.
fn sync_dir(dir: &Path) -> Result<(), Error> {
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(Error::io(dir))
}

#[cfg(test)]
mod tests;
