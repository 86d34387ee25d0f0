//! A trained linear backend: multinomial logistic regression over hashed word and
//! character n-grams and the lexicon's scores (`--sentiment linear:<dir>`).
//!
//! [`features`] turns analysed text into a sparse vector, the model multiplies it by its
//! weight matrix and takes the softmax over its labels. Each sentence is scored on its
//! own by the same model, and the document on the whole text (not as a mean of its
//! sentences). A [`Score`]'s value is P(positive) − P(negative), its label the most
//! probable class and its confidence that class's probability. Models are trained by
//! [`crate::sentiment::train`] and saved in the `koe-linear/1` format ([`format`]).

pub mod features;
pub mod format;

use std::path::{Path, PathBuf};

use crate::sentiment::lexicon::LexiconModel;
use crate::sentiment::{DocSentiment, Label, Score, SentimentModel};
use crate::text::AnalysedText;
use features::{Features, Featurizer};
use format::ModelCard;

/// Errors loading or saving a linear model.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot read or write {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {source}")]
    Json {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("{path}: {message}")]
    Format { path: PathBuf, message: String },
    #[error("{path}: checksum {found} does not match model.json's {expected}")]
    Checksum {
        path: PathBuf,
        expected: String,
        found: String,
    },
    #[error(transparent)]
    Lexicon(Box<crate::sentiment::Error>),
}

/// A loaded (or freshly trained) linear model.
pub struct LinearModel {
    name: String,
    card: ModelCard,
    featurizer: Featurizer,
    /// Row-major: `weights[feature * labels + k]`.
    weights: Vec<f32>,
}

impl LinearModel {
    /// Builds a model from its card and weights; loads the lexicons if the features use them.
    pub fn new(name: String, card: ModelCard, weights: Vec<f32>) -> Result<Self, Error> {
        let lexicon = if card.features.lexicon {
            Some(LexiconModel::embedded().map_err(|e| Error::Lexicon(Box::new(e)))?)
        } else {
            None
        };
        Ok(LinearModel {
            name,
            featurizer: Featurizer::new(card.features.clone(), lexicon),
            card,
            weights,
        })
    }

    /// Loads a `koe-linear/1` model from its folder (or its `model.json`).
    pub fn load(path: &Path) -> Result<Self, Error> {
        let (card, weights) = format::load(path)?;
        LinearModel::new(format!("linear:{}", path.display()), card, weights)
    }

    /// Saves the model in `dir` (`model.json`, `weights.bin`); returns the card as
    /// saved (with the weights' shape and checksum).
    pub fn save(&self, dir: &Path) -> Result<ModelCard, Error> {
        let mut card = self.card.clone();
        format::save(dir, &mut card, &self.weights)?;
        Ok(card)
    }

    pub fn card(&self) -> &ModelCard {
        &self.card
    }

    /// The weight matrix, row-major (`weights[feature * labels + k]`).
    pub fn weights(&self) -> &[f32] {
        &self.weights
    }

    pub(crate) fn card_mut(&mut self) -> &mut ModelCard {
        &mut self.card
    }

    pub(crate) fn weights_mut(&mut self) -> &mut [f32] {
        &mut self.weights
    }

    pub fn featurizer(&self) -> &Featurizer {
        &self.featurizer
    }

    /// The index of the most probable label.
    pub fn argmax(&self, features: &Features) -> usize {
        let p = self.probabilities(features);
        (0..p.len()).fold(0, |best, k| if p[k] > p[best] { k } else { best })
    }

    /// Class probabilities for a feature vector, in [`ModelCard::labels`] order.
    pub fn probabilities(&self, features: &Features) -> Vec<f32> {
        let mut logits = vec![0.0f32; self.card.labels.len()];
        logits_into(&self.weights, features, &mut logits);
        softmax(&mut logits);
        logits
    }

    fn score(&self, features: &Features) -> Score {
        let p = self.probabilities(features);
        let mut best = 0;
        let (mut p_negative, mut p_positive) = (0.0, 0.0);
        for (k, (&label, &pk)) in self.card.labels.iter().zip(&p).enumerate() {
            match label {
                Label::Negative => p_negative = pk,
                Label::Positive => p_positive = pk,
                Label::Neutral => {}
            }
            if pk > p[best] {
                best = k;
            }
        }
        Score {
            value: (p_positive - p_negative).clamp(-1.0, 1.0),
            label: self.card.labels[best],
            confidence: p[best],
        }
    }

    fn score_one(&self, doc: &AnalysedText) -> DocSentiment {
        let (whole, sentences) = self.featurizer.featurize(doc, true);
        DocSentiment {
            doc: self.score(&whole),
            sentences: sentences.iter().map(|f| self.score(f)).collect(),
        }
    }
}

impl SentimentModel for LinearModel {
    fn name(&self) -> &str {
        &self.name
    }

    fn score_batch(
        &self,
        docs: &[&AnalysedText],
    ) -> Result<Vec<DocSentiment>, crate::sentiment::Error> {
        Ok(docs.iter().map(|d| self.score_one(d)).collect())
    }
}

/// `logits[k] = Σ value · weights[index · K + k]`.
pub(crate) fn logits_into(weights: &[f32], features: &Features, logits: &mut [f32]) {
    let k = logits.len();
    logits.fill(0.0);
    for (&i, &v) in features.indices.iter().zip(&features.values) {
        let row = &weights[i as usize * k..][..k];
        for (logit, w) in logits.iter_mut().zip(row) {
            *logit += v * w;
        }
    }
}

/// In place, stable for large logits.
pub(crate) fn softmax(values: &mut [f32]) {
    let max = values.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0;
    for v in values.iter_mut() {
        *v = (*v - max).exp();
        sum += *v;
    }
    for v in values.iter_mut() {
        *v /= sum;
    }
}
