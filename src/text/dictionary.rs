//! The Japanese dictionary: lindera's IPADIC, built from Debian's `mecab-ipadic` source.
//!
//! lindera's `embed-ipadic` feature downloads its source from a host many networks cannot
//! reach, so koe builds the dictionary itself from the MeCab IPADIC source that Debian
//! ships (`apt-get install mecab-ipadic`: CSV and .def files in EUC-JP under
//! /usr/share/mecab/dic/ipadic). The build takes a few seconds and happens once: the result
//! is cached and later runs only memory-map it. Concurrent first runs are safe: each
//! builds into its own temporary directory and the first to finish renames it into place.

use std::path::{Path, PathBuf};

use lindera::dictionary::Dictionary;
use lindera_dictionary::builder::DictionaryBuilder;
use lindera_dictionary::dictionary::metadata::Metadata;

/// Where Debian's `mecab-ipadic` package puts the dictionary source.
pub const DEFAULT_SOURCE: &str = "/usr/share/mecab/dic/ipadic";

/// lindera's IPADIC schema, with the encoding of the Debian source.
const METADATA: &str = include_str!("ipadic-metadata.json");

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(
        "the IPADIC dictionary source was not found at {0}; install it with \
         `apt-get install mecab-ipadic` (or run scripts/setup.sh), or point \
         KOE_IPADIC_SOURCE at a MeCab IPADIC source directory"
    )]
    SourceMissing(PathBuf),
    #[error("cannot build the Japanese dictionary from {source_dir} into {target}: {message}")]
    Build {
        source_dir: PathBuf,
        target: PathBuf,
        message: String,
    },
    #[error("cannot load the Japanese dictionary at {path}: {source}")]
    Load {
        path: PathBuf,
        #[source]
        source: lindera::error::LinderaError,
    },
    #[error("cannot prepare the dictionary cache {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The built dictionary's directory: `KOE_DICTIONARY` if set, else koe's cache
/// ([`crate::cache::dir`]), one directory per lindera version.
pub fn default_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("KOE_DICTIONARY") {
        return PathBuf::from(dir);
    }
    crate::cache::dir().join(format!("lindera-{}-ipadic", lindera::get_version()))
}

/// Where the IPADIC source is read from: `KOE_IPADIC_SOURCE`, or Debian's location.
pub fn source_dir() -> PathBuf {
    std::env::var_os("KOE_IPADIC_SOURCE")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(DEFAULT_SOURCE))
}

/// Builds the dictionary into `dir` unless it is already there; returns `dir`.
pub fn ensure_built(dir: &Path) -> Result<&Path, Error> {
    if dir.join("metadata.json").is_file() {
        return Ok(dir);
    }
    let source = source_dir();
    if !source.join("matrix.def").is_file() {
        return Err(Error::SourceMissing(source));
    }
    let io = |source| Error::Io {
        path: dir.to_path_buf(),
        source,
    };
    let parent = dir.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(io)?;
    let staging = parent.join(format!(
        ".{}.building-{}",
        file_name(dir),
        std::process::id()
    ));
    std::fs::create_dir_all(&staging).map_err(io)?;
    let build_error = |message: String| Error::Build {
        source_dir: source.clone(),
        target: dir.to_path_buf(),
        message,
    };
    let metadata = Metadata::load(METADATA.as_bytes()).map_err(|e| build_error(e.to_string()))?;
    if let Err(e) = DictionaryBuilder::new(metadata).build_dictionary(&source, &staging) {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(build_error(e.to_string()));
    }
    // Another process may have finished first; its dictionary is as good as ours.
    if std::fs::rename(&staging, dir).is_err() {
        let _ = std::fs::remove_dir_all(&staging);
        if !dir.join("metadata.json").is_file() {
            return Err(build_error(
                "could not move the built dictionary into place".into(),
            ));
        }
    }
    Ok(dir)
}

/// Loads the dictionary from `dir` (default: [`default_dir`]), building it first if needed.
pub fn load(dir: Option<&Path>) -> Result<Dictionary, Error> {
    let dir = dir.map(Path::to_path_buf).unwrap_or_else(default_dir);
    ensure_built(&dir)?;
    lindera::dictionary::load_fs_dictionary(&dir).map_err(|source| Error::Load {
        path: dir.clone(),
        source,
    })
}

fn file_name(dir: &Path) -> String {
    dir.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "dictionary".into())
}
