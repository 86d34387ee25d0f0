//! Training the linear backend: labelled, analysed documents → a [`LinearModel`].
//!
//! Multinomial logistic regression (softmax over the labels present in the training
//! data) with an L2 penalty, fitted by plain stochastic gradient descent: examples in a
//! fresh seeded shuffle each epoch, step size `η_t = η₀ / (1 + η₀ λ t)` (Bottou, "Stochastic
//! Gradient Descent Tricks", 2012), and the weight decay of the L2 term kept as one
//! scale factor so that a step touches only the features of its example. Examples may be
//! weighted per class (`balanced`: n / (classes · n_class)), which suits a macro-averaged
//! metric on skewed data. The weights kept are the mean of the late iterates (tail
//! averaging, [`fit`]), which steadies what plain SGD's last steps leave. Everything
//! runs in a fixed order on one thread (features are computed in parallel, but each
//! document's alone), so a seed gives the same weights bit for bit.
//! [`stratified_holdout`] is the split `koe train` and `koe eval` share.

use std::collections::BTreeMap;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::lang::Lang;
use crate::polarity::metrics::Confusion;
use crate::sentiment::Label;
use crate::sentiment::linear::format::{FORMAT, ModelCard, TrainingInfo, WeightsInfo};
use crate::sentiment::linear::{self, LinearModel, features::FeatureConfig};
use crate::text::AnalysedText;

mod split;
pub use crate::polarity::{ClassWeight, class_weights};
pub use split::stratified_holdout;

use crate::rng::SplitMix64;

/// Errors of training.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("no training documents")]
    Empty,
    #[error("training data holds one class only ({0}); a classifier needs two or more")]
    OneClass(Label),
    #[error("{docs} documents but {labels} labels")]
    Mismatch { docs: usize, labels: usize },
    #[error("invalid hyper-parameter: {0}")]
    HyperParameter(String),
    #[error(transparent)]
    Model(#[from] linear::Error),
}

/// The knobs of training; saved in `model.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HyperParameters {
    pub epochs: u32,
    /// λ, the L2 penalty per example.
    pub l2: f32,
    /// η₀, the first step size.
    pub learning_rate: f32,
    pub class_weight: ClassWeight,
    pub seed: u64,
    /// Whether the weights are the mean of the second half's end-of-epoch iterates
    /// ([`fit`]); absent in models trained before it: false, the last iterate.
    #[serde(default)]
    pub average: bool,
}

impl Default for HyperParameters {
    fn default() -> Self {
        HyperParameters {
            epochs: 15,
            l2: 2e-3,
            learning_rate: 0.5,
            class_weight: ClassWeight::Balanced,
            seed: 42,
            average: true,
        }
    }
}

/// What to train on and how.
pub struct TrainingRun<'a> {
    pub docs: &'a [AnalysedText],
    pub labels: &'a [Label],
    pub hyper: HyperParameters,
    pub features: FeatureConfig,
    /// The language the documents were analysed as, if one was forced.
    pub lang: Option<Lang>,
    /// Where the data came from, in words (saved in `model.json`).
    pub provenance: String,
    /// Penalties to choose `hyper.l2` from on a validation part ([`L2_GRID`]); empty:
    /// `hyper.l2` as given.
    pub l2_grid: &'a [f32],
}

/// Trains a model; `progress` hears each epoch and its loss.
pub fn train(
    run: TrainingRun<'_>,
    progress: &mut dyn FnMut(u32, f64),
) -> Result<LinearModel, Error> {
    let TrainingRun {
        docs,
        labels,
        hyper,
        features,
        lang,
        provenance,
        l2_grid,
    } = run;
    if docs.len() != labels.len() {
        return Err(Error::Mismatch {
            docs: docs.len(),
            labels: labels.len(),
        });
    }
    let first = *labels.first().ok_or(Error::Empty)?;
    let classes: Vec<Label> = Label::ALL
        .into_iter()
        .filter(|l| labels.contains(l))
        .collect();
    if classes.len() < 2 {
        return Err(Error::OneClass(first));
    }
    if !(hyper.l2 >= 0.0 && hyper.learning_rate > 0.0 && hyper.l2 * hyper.learning_rate < 1.0) {
        return Err(Error::HyperParameter(format!(
            "need l2 ≥ 0, learning rate > 0 and their product < 1 (got {} and {})",
            hyper.l2, hyper.learning_rate
        )));
    }
    features.check().map_err(Error::HyperParameter)?;
    let mut by_label = BTreeMap::new();
    for &l in labels {
        *by_label.entry(l).or_insert(0u64) += 1;
    }
    let card = ModelCard {
        format: FORMAT.into(),
        koe_version: env!("CARGO_PKG_VERSION").into(),
        labels: classes.clone(),
        lang,
        features: features.clone(),
        hyper_parameters: hyper.clone(),
        training: TrainingInfo {
            provenance,
            docs: docs.len() as u64,
            by_label: by_label.clone(),
            final_loss: 0.0,
            train_accuracy: 0.0,
            l2_search: Vec::new(),
        },
        weights: WeightsInfo {
            file: String::new(),
            encoding: String::new(),
            rows: features.dimension(),
            columns: classes.len(),
            stored_rows: 0,
            blake3: String::new(),
        },
    };
    let weights = vec![0.0; features.dimension() * classes.len()];
    let mut model = LinearModel::new("linear (training)".into(), card, weights)?;
    let examples: Vec<Example> = docs
        .par_iter()
        .zip(labels)
        .map(|(doc, label)| {
            let k = classes.iter().position(|c| c == label).unwrap_or(0);
            (model.featurizer().featurize(doc, false).0, k)
        })
        .collect();
    let class_weights = class_weights(labels, &classes, hyper.class_weight);
    let mut hyper = hyper;
    let mut trials = Vec::new();
    if !l2_grid.is_empty() {
        trials = search_l2(&examples, labels, &class_weights, &classes, &hyper, l2_grid);
        // The best macro-recall; on a tie the stronger penalty (max_by keeps the last of
        // equals, and the grid ascends).
        if let Some(best) = trials
            .iter()
            .max_by(|a, b| a.macro_recall.total_cmp(&b.macro_recall))
        {
            hyper.l2 = best.l2;
        }
        model.card_mut().hyper_parameters.l2 = hyper.l2;
    }
    let loss = fit(
        model.weights_mut(),
        &examples,
        &class_weights,
        classes.len(),
        &hyper,
        Some(progress),
    );
    let correct = examples
        .iter()
        .filter(|(f, k)| model.argmax(f) == *k)
        .count();
    let training = &mut model.card_mut().training;
    training.final_loss = loss;
    training.l2_search = trials;
    training.train_accuracy = correct as f64 / examples.len() as f64;
    Ok(model)
}

/// A featurized training document and its class index.
type Example = (linear::features::Features, usize);

/// Fits `weights` (zeros in, of `classes` columns) on `examples` by SGD; returns the
/// final loss. `progress`, when given, hears each epoch's loss (computed only then).
///
/// With `hyper.average`, the weights returned are the mean of the iterates at the end of
/// each epoch of the second half (tail averaging: Polyak and Juditsky 1992; Jain et al.,
/// "Parallelizing Stochastic Gradient Descent for Least Squares Regression", 2018):
/// plain SGD ends wherever its last noisy steps left it, the mean of its late iterates
/// near the optimum they circle.
fn fit(
    weights: &mut [f32],
    examples: &[Example],
    class_weights: &[f32],
    classes: usize,
    hyper: &HyperParameters,
    mut progress: Option<&mut dyn FnMut(u32, f64)>,
) -> f64 {
    let mut sgd = Sgd::new(weights, classes, hyper);
    let mut order: Vec<usize> = (0..examples.len()).collect();
    let mut rng = SplitMix64::new(hyper.seed);
    let mut loss = f64::NAN;
    let mut sum: Vec<f32> = Vec::new();
    let mut averaged = 0u32;
    for epoch in 1..=hyper.epochs {
        rng.shuffle(&mut order);
        for &i in &order {
            let (features, k) = &examples[i];
            sgd.step(features, *k, class_weights[*k]);
        }
        sgd.settle();
        if hyper.average && epoch > hyper.epochs / 2 {
            if sum.is_empty() {
                sum = sgd.v.to_vec();
            } else {
                sum.iter_mut().zip(sgd.v.iter()).for_each(|(s, w)| *s += w);
            }
            averaged += 1;
        }
        if let Some(progress) = progress.as_mut() {
            loss = sgd.loss(examples, class_weights);
            progress(epoch, loss);
        }
    }
    sgd.settle();
    if averaged > 0 {
        let n = averaged as f32;
        sgd.v.iter_mut().zip(&sum).for_each(|(w, s)| *w = s / n);
        if progress.is_some() {
            loss = sgd.loss(examples, class_weights);
        }
    }
    loss
}

/// The share of the training documents `--l2 auto` holds out to choose λ.
pub const L2_VALIDATION: f64 = 0.2;

/// The penalties `--l2 auto` tries.
pub const L2_GRID: [f32; 6] = [1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3];

/// One penalty tried by `--l2 auto`, and the macro-recall it reached on the validation part.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct L2Trial {
    pub l2: f32,
    pub macro_recall: f64,
}

/// Fits each λ of `grid` on a stratified 80% of the examples and scores it on the rest.
fn search_l2(
    examples: &[Example],
    labels: &[Label],
    class_weights: &[f32],
    classes: &[Label],
    hyper: &HyperParameters,
    grid: &[f32],
) -> Vec<L2Trial> {
    let held = stratified_holdout(labels, L2_VALIDATION, hyper.seed.wrapping_add(1));
    let train: Vec<Example> = examples
        .iter()
        .zip(&held)
        .filter(|(_, h)| !**h)
        .map(|(e, _)| e.clone())
        .collect();
    let dimension = examples
        .iter()
        .flat_map(|(f, _)| f.indices.iter())
        .max()
        .map_or(0, |&i| i as usize + 1);
    grid.par_iter()
        .map(|&l2| {
            let hyper = HyperParameters {
                l2,
                ..hyper.clone()
            };
            let mut weights = vec![0.0f32; dimension * classes.len()];
            fit(
                &mut weights,
                &train,
                class_weights,
                classes.len(),
                &hyper,
                None,
            );
            let mut logits = vec![0.0f32; classes.len()];
            let pairs = examples
                .iter()
                .zip(&held)
                .filter(|(_, h)| **h)
                .map(|((f, k), _)| {
                    linear::logits_into(&weights, f, &mut logits);
                    let best = (0..classes.len())
                        .fold(0, |b, c| if logits[c] > logits[b] { c } else { b });
                    (classes[*k], classes[best])
                });
            L2Trial {
                l2,
                macro_recall: Confusion::from_pairs(pairs.collect::<Vec<_>>()).macro_recall(),
            }
        })
        .collect()
}

/// SGD state over a weight matrix stored as `scale · v`.
struct Sgd<'w> {
    v: &'w mut [f32],
    scale: f32,
    classes: usize,
    l2: f32,
    eta0: f32,
    t: u64,
    p: Vec<f32>,
}

impl<'w> Sgd<'w> {
    fn new(v: &'w mut [f32], classes: usize, hyper: &HyperParameters) -> Self {
        Sgd {
            v,
            scale: 1.0,
            classes,
            l2: hyper.l2,
            eta0: hyper.learning_rate,
            t: 0,
            p: vec![0.0; classes],
        }
    }

    fn step(&mut self, features: &linear::features::Features, label: usize, weight: f32) {
        let eta = self.eta0 / (1.0 + self.eta0 * self.l2 * self.t as f32);
        self.t += 1;
        linear::logits_into(self.v, features, &mut self.p);
        self.p.iter_mut().for_each(|x| *x *= self.scale);
        linear::softmax(&mut self.p);
        self.scale *= 1.0 - eta * self.l2;
        let k = self.classes;
        for (&i, &x) in features.indices.iter().zip(&features.values) {
            let row = &mut self.v[i as usize * k..][..k];
            for (c, w) in row.iter_mut().enumerate() {
                let target = if c == label { 1.0 } else { 0.0 };
                *w -= eta * weight * (self.p[c] - target) * x / self.scale;
            }
        }
        if self.scale < 1e-4 {
            self.settle();
        }
    }

    /// Folds the scale into the weights.
    fn settle(&mut self) {
        if self.scale != 1.0 {
            let s = self.scale;
            self.v.iter_mut().for_each(|w| *w *= s);
            self.scale = 1.0;
        }
    }

    /// Class-weighted mean cross-entropy plus λ/2 ‖w‖² (after `settle`).
    fn loss(&mut self, examples: &[(linear::features::Features, usize)], weights: &[f32]) -> f64 {
        let (mut sum, mut total) = (0.0f64, 0.0f64);
        for (features, k) in examples {
            linear::logits_into(self.v, features, &mut self.p);
            linear::softmax(&mut self.p);
            let w = f64::from(weights[*k]);
            sum -= w * f64::from(self.p[*k].max(1e-12)).ln();
            total += w;
        }
        let norm: f64 = self.v.iter().map(|&w| f64::from(w) * f64::from(w)).sum();
        sum / total.max(1e-12) + 0.5 * f64::from(self.l2) * norm
    }
}

#[cfg(test)]
mod tests;
