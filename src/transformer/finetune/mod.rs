//! Fine-tuning (`koe train sentiment --base transformer:<dir>`): a BERT encoder with a
//! sequence-classification head, trained on labelled texts through libtorch and saved as
//! a Hugging Face folder that [`SequenceClassifier`](super::SequenceClassifier) and
//! Python `transformers` both load.
//!
//! The model is `transformers`' `BertForSequenceClassification` — the encoder, a tanh
//! pooler over the first token, dropout and a linear layer: rust-bert's class of that name
//! creates the variables (under the names `transformers` uses), the fused forward pass of
//! [`FastBertClassifier`] trains them. The encoder (and pooler) start from the base
//! folder's weights, found under their own names or without the `bert.` prefix that a
//! bare encoder such as all-MiniLM-L6-v2 lacks; what the base does not have (the head)
//! starts as `transformers` starts it, N(0, `initializer_range`) weights and zero biases.
//!
//! Training: cross-entropy over the classes the training labels hold (optionally weighted
//! per class), AdamW with a linear warm-up and a linear decay to zero over all planned
//! steps, gradients clipped to norm 1, examples in a fresh seeded shuffle each epoch,
//! grouped by length within pools of the shuffle ([`epoch_batches`]) and batches padded to
//! their longest text (at most `max_length` tokens). After each epoch
//! the model is scored on the validation texts; the weights of the epoch with the best
//! macro-recall are kept, and training stops once `patience` epochs in a row bring no
//! improvement. [`save`] writes the result.

use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

use rust_bert::bert::{BertConfig, BertForSequenceClassification};
use serde::{Deserialize, Serialize};
use tch::nn::{OptimizerConfig, VarStore};
use tch::{Device, Kind, Reduction, Tensor};

use super::fast_bert::FastBertClassifier;
use super::tokenize::{Batch, Encoded};
use super::{Error as ModelError, ModelFiles, TextTokenizer, layer_norm_eps, parse_config};
use crate::polarity::metrics::{Confusion, Metrics};
use crate::polarity::{ClassWeight, Label, class_weights};
use crate::rng::SplitMix64;

pub mod save;
mod schedule;

pub use save::TrainingCard;

/// The `model_type`s that can be fine-tuned.
pub const SUPPORTED: &str = "bert (BERT, MiniLM, E5 and other BERT-architecture encoders)";

/// Errors of fine-tuning.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Model(#[from] ModelError),
    #[error("no training texts")]
    Empty,
    #[error("training data holds one class only ({0}); a classifier needs two or more")]
    OneClass(Label),
    #[error("no validation texts: early stopping needs some (--validation)")]
    NoValidation,
    #[error("invalid hyper-parameter: {0}")]
    HyperParameter(String),
    #[error("base {base}: weight {name} has shape {found:?}, the model expects {expected:?}")]
    Shape {
        base: String,
        name: String,
        found: Vec<i64>,
        expected: Vec<i64>,
    },
    #[error("base {base} holds none of the encoder's weights: is it a BERT checkpoint?")]
    NoEncoderWeights { base: String },
    #[error("libtorch: {0}")]
    Torch(#[from] tch::TchError),
    #[error("cannot write {path}: {source}")]
    Write {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("writing {path}: {source}")]
    Safetensors {
        path: std::path::PathBuf,
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

/// The knobs of fine-tuning; saved in `training.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FineTuneParams {
    /// Most passes over the training texts (early stopping may end sooner).
    pub epochs: u32,
    pub batch_size: usize,
    /// AdamW's peak step size, reached at the end of the warm-up.
    pub learning_rate: f64,
    /// The fraction of all planned steps over which the step size rises from zero.
    pub warmup: f64,
    /// AdamW's decoupled weight decay (on every weight).
    pub weight_decay: f64,
    /// Tokens per text, special tokens included; longer texts are truncated.
    pub max_length: usize,
    pub class_weight: ClassWeight,
    /// Seeds the head's initialisation, dropout and the example order.
    pub seed: u64,
    /// Epochs without a better validation macro-recall before training stops (0: never).
    pub patience: u32,
}

impl Default for FineTuneParams {
    fn default() -> Self {
        FineTuneParams {
            epochs: 4,
            batch_size: 16,
            learning_rate: 1e-4,
            warmup: 0.1,
            weight_decay: 0.01,
            max_length: 128,
            class_weight: ClassWeight::Balanced,
            seed: 42,
            patience: 2,
        }
    }
}

impl FineTuneParams {
    /// An error naming the hyper-parameters out of range.
    pub fn check(&self) -> Result<(), Error> {
        let ok = self.epochs >= 1
            && self.batch_size >= 1
            && self.learning_rate > 0.0
            && self.learning_rate.is_finite()
            && (0.0..1.0).contains(&self.warmup)
            && self.weight_decay >= 0.0
            && (8..=512).contains(&self.max_length);
        if ok {
            Ok(())
        } else {
            Err(Error::HyperParameter(format!(
                "need epochs ≥ 1, batch size ≥ 1, learning rate > 0, warm-up in [0, 1), \
                 weight decay ≥ 0 and max length in 8..=512 (got {self:?})"
            )))
        }
    }
}

/// Texts with their gold labels.
#[derive(Debug, Clone, Copy)]
pub struct Labelled<'a> {
    pub texts: &'a [&'a str],
    pub labels: &'a [Label],
}

/// What to fine-tune on and how.
pub struct FineTuning<'a> {
    pub base: &'a ModelFiles,
    pub train: Labelled<'a>,
    /// Scored after each epoch for early stopping; never trained on.
    pub validation: Labelled<'a>,
    pub params: FineTuneParams,
}

/// What fine-tuning reports as it goes.
#[derive(Debug, Clone)]
pub enum Progress {
    /// Training begins: this many optimizer steps are planned.
    Started { steps: u64 },
    /// One optimizer step done, with its batch's loss.
    Step { step: u64, loss: f64 },
    /// One epoch done and scored.
    Epoch(EpochReport),
}

/// One epoch: its mean training loss and its figures on the validation texts.
#[derive(Debug, Clone, Serialize)]
pub struct EpochReport {
    pub epoch: u32,
    pub steps: u64,
    pub train_loss: f64,
    pub validation: Metrics,
    pub seconds: f64,
}

/// A fine-tuned classifier, ready to [`save`](FineTuned::save).
pub struct FineTuned {
    vs: VarStore,
    model: FastBertClassifier,
    tokenizer: TextTokenizer,
    base: ModelFiles,
    config: serde_json::Value,
    /// The classes in the head's order.
    pub labels: Vec<Label>,
    pub params: FineTuneParams,
    pub history: Vec<EpochReport>,
    /// The epoch whose weights were kept (1-based).
    pub best_epoch: u32,
    /// Weights the base did not have, initialised afresh (the head).
    pub new_weights: Vec<String>,
    pub seconds: f64,
    by_label: BTreeMap<Label, u64>,
    validation_docs: u64,
}

/// Fine-tunes `run.base` on `run.train`; `progress` hears each step and epoch.
pub fn fine_tune(
    run: FineTuning<'_>,
    progress: &mut dyn FnMut(Progress),
) -> Result<FineTuned, Error> {
    let FineTuning {
        base,
        train,
        validation,
        params,
    } = run;
    params.check()?;
    let first = *train.labels.first().ok_or(Error::Empty)?;
    let labels: Vec<Label> = Label::ALL
        .into_iter()
        .filter(|l| train.labels.contains(l))
        .collect();
    if labels.len() < 2 {
        return Err(Error::OneClass(first));
    }
    if validation.texts.is_empty() {
        return Err(Error::NoValidation);
    }
    let started = Instant::now();
    let (model_type, mut config) = base.read_config()?;
    if model_type != "bert" {
        return Err(ModelError::UnsupportedModel {
            path: base.config.clone(),
            model_type,
            task: "fine-tuning",
            supported: SUPPORTED,
        }
        .into());
    }
    with_head(&mut config, &labels);
    let bert_config: BertConfig = parse_config(&base.config, &config)?;
    let device = super::device();
    tch::manual_seed(params.seed as i64);
    let mut vs = VarStore::new(device);
    let _ =
        BertForSequenceClassification::new(vs.root(), &bert_config).map_err(ModelError::from)?;
    let new_weights = load_base(&mut vs, base, f64::from(bert_config.initializer_range))?;
    // rust-bert's model made the variables under `transformers`' names; the fused forward
    // pass trains them.
    let model =
        FastBertClassifier::from_vars(&vs.variables(), &bert_config, layer_norm_eps(&config))?
            .ok_or_else(|| ModelError::UnsupportedModel {
                path: base.config.clone(),
                model_type: format!("bert ({:?})", bert_config.hidden_act),
                task: "fine-tuning",
                supported: "bert with GELU",
            })?;
    let tokenizer = TextTokenizer::load(base, params.max_length)?;

    let targets: Vec<i64> = train
        .labels
        .iter()
        .map(|l| labels.iter().position(|c| c == l).unwrap_or(0) as i64)
        .collect();
    let weights = class_weights(train.labels, &labels, params.class_weight);
    let weights = Tensor::from_slice(&weights).to_device(device);
    let encoded = tokenizer.encode(train.texts)?;
    let steps_per_epoch = encoded.len().div_ceil(params.batch_size) as u64;
    let total_steps = steps_per_epoch * u64::from(params.epochs);
    let warmup_steps = (total_steps as f64 * params.warmup).round() as u64;
    let mut optimizer = tch::nn::AdamW {
        wd: params.weight_decay,
        ..Default::default()
    }
    .build(&vs, params.learning_rate)?;
    progress(Progress::Started { steps: total_steps });

    let mut rng = SplitMix64::new(params.seed);
    let mut step = 0u64;
    let mut history = Vec::new();
    let mut best: Option<(f64, u32, HashMap<String, Tensor>)> = None;
    for epoch in 1..=params.epochs {
        let epoch_started = Instant::now();
        let batches = epoch_batches(&encoded, params.batch_size, &mut rng);
        let mut loss_sum = 0.0;
        for chunk in &batches {
            optimizer.set_lr(schedule::learning_rate(
                step,
                total_steps,
                warmup_steps,
                params.learning_rate,
            ));
            let rows: Vec<&Encoded> = chunk.iter().map(|&i| &encoded[i]).collect();
            let inputs = tokenizer.batch(&rows, device);
            let gold: Vec<i64> = chunk.iter().map(|&i| targets[i]).collect();
            let gold = Tensor::from_slice(&gold).to_device(device);
            let logits = logits(&model, &inputs, true);
            let loss = logits.cross_entropy_loss(&gold, Some(&weights), Reduction::Mean, -100, 0.0);
            optimizer.backward_step_clip_norm(&loss, 1.0);
            let loss = loss.double_value(&[]);
            loss_sum += loss;
            step += 1;
            progress(Progress::Step { step, loss });
        }
        let scored = evaluate(&model, &tokenizer, &labels, validation, device)?;
        let report = EpochReport {
            epoch,
            steps: step,
            train_loss: loss_sum / steps_per_epoch.max(1) as f64,
            validation: scored,
            seconds: epoch_started.elapsed().as_secs_f64(),
        };
        let recall = report.validation.macro_recall;
        progress(Progress::Epoch(report.clone()));
        history.push(report);
        match &best {
            Some((best_recall, _, _)) if recall <= *best_recall => {}
            _ => best = Some((recall, epoch, snapshot(&vs))),
        }
        let best_epoch = best.as_ref().map_or(epoch, |b| b.1);
        if params.patience > 0 && epoch - best_epoch >= params.patience {
            break;
        }
    }
    let (_, best_epoch, weights) = best.ok_or(Error::Empty)?;
    restore(&vs, &weights);
    Ok(FineTuned {
        vs,
        model,
        tokenizer,
        base: base.clone(),
        config,
        labels,
        params,
        history,
        best_epoch,
        new_weights,
        seconds: started.elapsed().as_secs_f64(),
        by_label: labels_count(train.labels),
        validation_docs: validation.texts.len() as u64,
    })
}

impl FineTuned {
    /// Class probabilities for each text, in the head's class order (see `labels`).
    pub fn predict(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, Error> {
        let device = self.vs.device();
        Ok(self
            .tokenizer
            .run_batches(texts, super::BATCH_SIZE, device, |inputs| {
                Ok(logits(&self.model, inputs, false).softmax(-1, Kind::Float))
            })?)
    }
}

/// Batches fine-tuned on together in one batch pool.
const BATCHES_PER_POOL: usize = 32;

/// One epoch's batches of indices into `texts`: a fresh shuffle, cut into pools of
/// [`BATCHES_PER_POOL`] batches, each pool sorted by length and cut into batches, the
/// batches shuffled again. Texts of like length share a batch, so little is padding (on
/// reviews about half the work of random batches) while every batch still holds texts
/// from all over the data.
fn epoch_batches(texts: &[Encoded], size: usize, rng: &mut SplitMix64) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = (0..texts.len()).collect();
    rng.shuffle(&mut order);
    let mut batches: Vec<Vec<usize>> = Vec::with_capacity(texts.len().div_ceil(size));
    for pool in order.chunks_mut(size * BATCHES_PER_POOL) {
        pool.sort_by_key(|&i| texts[i].ids.len());
        batches.extend(pool.chunks(size).map(<[usize]>::to_vec));
    }
    rng.shuffle(&mut batches);
    batches
}

fn logits(model: &FastBertClassifier, b: &Batch, train: bool) -> Tensor {
    model.logits(&b.input_ids, &b.attention_mask, &b.token_type_ids, train)
}

/// `config.json` for a classifier over `labels`: the base's, with its head described.
fn with_head(config: &mut serde_json::Value, labels: &[Label]) {
    let id2label: serde_json::Map<String, serde_json::Value> = labels
        .iter()
        .enumerate()
        .map(|(i, l)| (i.to_string(), l.as_str().into()))
        .collect();
    let label2id: serde_json::Map<String, serde_json::Value> = labels
        .iter()
        .enumerate()
        .map(|(i, l)| (l.as_str().to_string(), i.into()))
        .collect();
    if let Some(map) = config.as_object_mut() {
        map.insert(
            "architectures".into(),
            serde_json::json!(["BertForSequenceClassification"]),
        );
        map.insert("id2label".into(), id2label.into());
        map.insert("label2id".into(), label2id.into());
        map.insert("problem_type".into(), "single_label_classification".into());
    }
}

/// Copies the base's weights into `vs` by name (with or without the `bert.` prefix);
/// initialises the rest as `transformers` would and returns their names.
fn load_base(vs: &mut VarStore, base: &ModelFiles, std: f64) -> Result<Vec<String>, Error> {
    let path = &base.weights;
    let tensors = if path.extension().is_some_and(|e| e == "safetensors") {
        Tensor::read_safetensors(path)
    } else {
        Tensor::load_multi(path)
    }
    .map_err(|e| ModelError::Weights {
        path: path.clone(),
        source: e,
    })?;
    let tensors: HashMap<String, Tensor> = tensors.into_iter().collect();
    let mut fresh = Vec::new();
    let mut variables: Vec<(String, Tensor)> = vs.variables().into_iter().collect();
    variables.sort_by(|a, b| a.0.cmp(&b.0));
    tch::no_grad(|| -> Result<(), Error> {
        for (name, mut var) in variables {
            let found = tensors
                .get(&name)
                .or_else(|| name.strip_prefix("bert.").and_then(|n| tensors.get(n)));
            match found {
                Some(t) if t.size() == var.size() => {
                    var.copy_(&t.to_kind(var.kind()));
                }
                Some(t) => {
                    return Err(Error::Shape {
                        base: base.source.clone(),
                        name,
                        found: t.size(),
                        expected: var.size(),
                    });
                }
                None if name.ends_with(".bias") || name.contains("LayerNorm") => {
                    let value = if name.ends_with(".bias") { 0.0 } else { 1.0 };
                    let _ = var.fill_(value);
                    fresh.push(name);
                }
                None => {
                    var.copy_(&(var.randn_like() * std));
                    fresh.push(name);
                }
            }
        }
        Ok(())
    })?;
    if fresh.iter().any(|n| n.contains(".encoder.layer.")) {
        return Err(Error::NoEncoderWeights {
            base: base.source.clone(),
        });
    }
    Ok(fresh)
}

/// The model's predictions on `set`, scored.
fn evaluate(
    model: &FastBertClassifier,
    tokenizer: &TextTokenizer,
    labels: &[Label],
    set: Labelled<'_>,
    device: Device,
) -> Result<Metrics, Error> {
    let logits = tokenizer.run_batches(set.texts, super::BATCH_SIZE, device, |inputs| {
        Ok(logits(model, inputs, false))
    })?;
    let predicted = logits.iter().map(|row| {
        let best = (0..row.len()).fold(0, |b, k| if row[k] > row[b] { k } else { b });
        labels[best]
    });
    let confusion = Confusion::from_pairs(set.labels.iter().copied().zip(predicted));
    Ok(Metrics::from(&confusion))
}

fn labels_count(labels: &[Label]) -> BTreeMap<Label, u64> {
    let mut counts = BTreeMap::new();
    for &l in labels {
        *counts.entry(l).or_insert(0) += 1;
    }
    counts
}

fn snapshot(vs: &VarStore) -> HashMap<String, Tensor> {
    tch::no_grad(|| {
        vs.variables()
            .into_iter()
            .map(|(name, t)| (name, t.detach().copy()))
            .collect()
    })
}

fn restore(vs: &VarStore, weights: &HashMap<String, Tensor>) {
    tch::no_grad(|| {
        for (name, mut var) in vs.variables() {
            if let Some(saved) = weights.get(&name) {
                var.copy_(saved);
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::{Encoded, SplitMix64, epoch_batches};

    fn texts(lengths: impl Iterator<Item = usize>) -> Vec<Encoded> {
        lengths
            .map(|n| Encoded {
                ids: vec![1; n],
                type_ids: vec![0; n],
            })
            .collect()
    }

    #[test]
    fn every_text_once_per_epoch_in_batches_of_like_length() {
        let data = texts((0..1000).map(|i| 3 + (i * 7919) % 120));
        let mut rng = SplitMix64::new(1);
        let batches = epoch_batches(&data, 16, &mut rng);
        assert_eq!(batches.len(), 1000usize.div_ceil(16));
        let mut seen: Vec<usize> = batches.concat();
        seen.sort_unstable();
        assert_eq!(seen, (0..1000).collect::<Vec<_>>());
        // Padding: far less than in the random order's batches.
        let padded = |batches: &[Vec<usize>]| -> usize {
            batches
                .iter()
                .map(|b| b.iter().map(|&i| data[i].ids.len()).max().unwrap() * b.len())
                .sum()
        };
        let mut shuffled: Vec<usize> = (0..1000).collect();
        SplitMix64::new(1).shuffle(&mut shuffled);
        let random: Vec<Vec<usize>> = shuffled.chunks(16).map(<[usize]>::to_vec).collect();
        assert!(padded(&batches) * 10 < padded(&random) * 7);
        // Another epoch, another order; the same seed, the same order.
        assert_ne!(epoch_batches(&data, 16, &mut rng), batches);
        assert_eq!(epoch_batches(&data, 16, &mut SplitMix64::new(1)), batches);
    }
}
