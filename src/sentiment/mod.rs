//! Sentiment: analysed text → a score per sentence and per document.
//!
//! Every backend implements [`SentimentModel`]: it scores a batch of [`AnalysedText`]
//! and returns, for each, a [`DocSentiment`]: one [`Score`] per sentence and one for the
//! whole document, each a value in [-1, 1], a [`Label`] and a confidence. Batches let
//! a transformer backend pad and run many texts at once; the lexicon backend just maps.
//!
//! The embedded default is [`lexicon::LexiconModel`]: VADER for English ([`vader`]) and
//! the Tohoku polarity dictionary for Japanese ([`japanese`]), both shipped in `models/`.
//! [`linear::LinearModel`] is a logistic regression over hashed n-grams and the lexicon's
//! scores, trained on labelled data by [`train`] (`koe train sentiment`).
//! `transformer::TransformerModel` (cargo feature `transformer`) runs a fine-tuned
//! BERT-family classifier through rust-bert and libtorch (`transformer:<dir-or-id>`).

pub mod auto;
pub mod by_lang;
pub mod japanese;
pub mod lexicon;
pub mod linear;
mod spec;
pub mod train;
#[cfg(feature = "transformer")]
pub mod transformer;
pub mod vader;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

pub use crate::polarity::Label;
use crate::text::AnalysedText;
pub use spec::ModelSpec;

/// Errors of the sentiment stage.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(
        "unknown sentiment model {0:?} (expected `lexicon`, `auto`, `linear:<dir>` or `transformer:<dir-or-id>`)"
    )]
    UnknownModel(String),
    #[error(
        "`auto` learns a model from the star ratings of the dump `koe analyze --sentiment auto` \
         reads, so it cannot be loaded on its own: use `linear:<that analysis folder>` for \
         the models it learnt"
    )]
    AutoNeedsRatings,
    #[error(
        "{folder}: its current analysis (generation {generation}) trained no sentiment model: \
         `--sentiment auto` chose the lexicon for every language"
    )]
    NoLearntModel {
        folder: std::path::PathBuf,
        generation: u64,
    },
    #[error(transparent)]
    Analysis(#[from] crate::analysis::Error),
    #[error(
        "{0:?} needs the transformer backend, which this koe was built without: rebuild with `cargo build --release --features transformer` (see scripts/setup-transformer.sh)"
    )]
    TransformerNotBuilt(String),
    #[cfg(feature = "transformer")]
    #[error(transparent)]
    Transformer(#[from] transformer::Error),
    #[error(transparent)]
    Linear(#[from] linear::Error),
    #[error("invalid lexicon {file} line {line}: {message}")]
    Lexicon {
        file: &'static str,
        line: usize,
        message: String,
    },
}

/// A sentiment judgement on a sentence or a document.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Score {
    /// -1 (most negative) to 1 (most positive).
    pub value: f32,
    pub label: Label,
    /// How sure the model is of `label`, 0–1. For the lexicon backend this is how far
    /// `value` lies from the neutral band, not a calibrated probability.
    pub confidence: f32,
}

/// Where a lexicon score stops counting as neutral (VADER's published ±0.05).
pub const NEUTRAL_BAND: f32 = 0.05;

impl Score {
    pub const NEUTRAL: Score = Score {
        value: 0.0,
        label: Label::Neutral,
        confidence: 1.0,
    };

    /// Labels a value in [-1, 1] by the neutral band, with the distance from it as confidence.
    pub fn from_value(value: f32) -> Score {
        let value = value.clamp(-1.0, 1.0);
        let (label, confidence) = if value >= NEUTRAL_BAND {
            (Label::Positive, 0.5 + 0.5 * value)
        } else if value <= -NEUTRAL_BAND {
            (Label::Negative, 0.5 - 0.5 * value)
        } else {
            (Label::Neutral, 1.0 - value.abs() / NEUTRAL_BAND * 0.5)
        };
        Score {
            value,
            label,
            confidence,
        }
    }
}

/// A document's sentiment: the whole, and one score per sentence (same order as
/// [`AnalysedText::sentences`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocSentiment {
    pub doc: Score,
    pub sentences: Vec<Score>,
}

/// A sentiment backend.
pub trait SentimentModel: Send + Sync {
    /// A short name for reports and tables (`lexicon`, `linear:models/ja`, …).
    fn name(&self) -> &str;

    /// Scores each document; the result has one entry per input, in order. Fails only
    /// where the backend itself can (a transformer out of memory), never on odd text.
    fn score_batch(&self, docs: &[&AnalysedText]) -> Result<Vec<DocSentiment>, Error>;
}

/// Parses and loads a model spec in one step ([`ModelSpec`]: `lexicon`,
/// `linear:<dir>`, `transformer:<dir-or-id>`; without the `transformer` feature the last
/// is [`Error::TransformerNotBuilt`]).
pub fn from_spec(spec: &str) -> Result<Box<dyn SentimentModel>, Error> {
    spec.parse::<ModelSpec>()?.load()
}

/// Documents handed to a worker (and to `score_batch`) at once.
const PREDICT_CHUNK: usize = 64;

/// Document labels, scored in chunks over the worker threads.
pub fn predict(
    model: &dyn SentimentModel,
    docs: &[AnalysedText],
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Vec<Label>, Error> {
    let chunks: Vec<Vec<Label>> = docs
        .par_chunks(PREDICT_CHUNK)
        .map(|chunk| -> Result<Vec<Label>, Error> {
            let refs: Vec<&AnalysedText> = chunk.iter().collect();
            let scored = model.score_batch(&refs)?;
            progress(chunk.len() as u64);
            Ok(scored.into_iter().map(|s| s.doc.label).collect())
        })
        .collect::<Result<_, _>>()?;
    Ok(chunks.into_iter().flatten().collect())
}

#[cfg(test)]
mod tests {
    #[cfg(not(feature = "transformer"))]
    #[test]
    fn transformer_spec_without_the_feature_says_how_to_rebuild() {
        let err = super::from_spec("transformer:models/x").err().unwrap();
        assert!(matches!(err, super::Error::TransformerNotBuilt(_)));
        assert!(err.to_string().contains("--features transformer"), "{err}");
    }

    #[test]
    fn unknown_specs_name_the_transformer_backend() {
        let err = super::from_spec("bert").err().unwrap();
        assert!(err.to_string().contains("transformer:<dir-or-id>"), "{err}");
    }
}
