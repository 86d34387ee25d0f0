//! A fine-tuned classifier as a Hugging Face folder:
//!
//! - `config.json`: the base's, with `architectures: ["BertForSequenceClassification"]`,
//!   `id2label`, `label2id` and `problem_type`;
//! - the base's tokenizer files (`tokenizer.json` and/or `vocab.txt`,
//!   `special_tokens_map.json`), and `tokenizer_config.json` with `model_max_length` set
//!   to the length the model was trained at, which koe and `transformers` truncate to;
//! - `model.safetensors`: every weight in float32, with the `{"format": "pt"}` metadata
//!   `transformers` checks for;
//! - `training.json`: koe's card — base, data, hyper-parameters, each epoch's figures.
//!
//! The files are written into a staging folder beside the output and moved into place
//! only once all of them are complete, so a failed run never leaves a half-written model.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use safetensors::tensor::{Dtype, View};
use serde::Serialize;
use tch::{Device, Kind, Tensor};

use super::{EpochReport, Error, FineTuneParams, FineTuned};
use crate::polarity::Label;

/// `training.json`'s format name.
pub const FORMAT: &str = "koe-finetune/1";

/// What `training.json` says about a fine-tuned model.
#[derive(Debug, Clone, Serialize)]
pub struct TrainingCard {
    pub format: &'static str,
    pub koe_version: &'static str,
    /// The base model's folder or id.
    pub base: String,
    pub labels: Vec<Label>,
    pub params: FineTuneParams,
    /// Where the training data came from, in words.
    pub provenance: String,
    pub train_docs: u64,
    pub by_label: BTreeMap<Label, u64>,
    pub validation_docs: u64,
    pub history: Vec<EpochReport>,
    pub best_epoch: u32,
    pub new_weights: Vec<String>,
    pub seconds: f64,
    pub threads: i32,
}

impl FineTuned {
    /// The card for `training.json`.
    pub fn card(&self, provenance: String) -> TrainingCard {
        TrainingCard {
            format: FORMAT,
            koe_version: env!("CARGO_PKG_VERSION"),
            base: self.base.source.clone(),
            labels: self.labels.clone(),
            params: self.params.clone(),
            provenance,
            train_docs: self.by_label.values().sum(),
            by_label: self.by_label.clone(),
            validation_docs: self.validation_docs,
            history: self.history.clone(),
            best_epoch: self.best_epoch,
            new_weights: self.new_weights.clone(),
            seconds: self.seconds,
            threads: tch::get_num_threads(),
        }
    }

    /// Writes the model folder `out` (created, or its files replaced).
    pub fn save(&self, out: &Path, card: &TrainingCard) -> Result<(), Error> {
        let staging = staging_dir(out);
        if staging.exists() {
            std::fs::remove_dir_all(&staging).map_err(write_error(&staging))?;
        }
        std::fs::create_dir_all(&staging).map_err(write_error(&staging))?;
        write_json(&staging.join("config.json"), &self.config)?;
        let mut tokenizer_config = match &self.base.tokenizer_config {
            Some(path) => super::super::read_json(path)?,
            None => serde_json::json!({}),
        };
        if let Some(map) = tokenizer_config.as_object_mut() {
            map.insert("model_max_length".into(), self.params.max_length.into());
        }
        write_json(&staging.join("tokenizer_config.json"), &tokenizer_config)?;
        let base_dir = self.base.tokenizer.parent().unwrap_or(Path::new("."));
        let mut tokenizer_files = vec![self.base.tokenizer.clone()];
        for name in ["tokenizer.json", "vocab.txt", "special_tokens_map.json"] {
            let path = base_dir.join(name);
            if path.is_file() && !tokenizer_files.contains(&path) {
                tokenizer_files.push(path);
            }
        }
        for from in &tokenizer_files {
            let to = staging.join(from.file_name().unwrap_or_default());
            std::fs::copy(from, &to).map_err(write_error(&to))?;
        }
        write_safetensors(&self.vs.variables(), &staging.join("model.safetensors"))?;
        write_json(&staging.join("training.json"), card)?;
        publish(&staging, out)
    }
}

/// `.<name>.koe-partial` beside `out`.
fn staging_dir(out: &Path) -> PathBuf {
    let name = out
        .file_name()
        .map_or_else(|| "model".into(), |n| n.to_string_lossy().into_owned());
    out.with_file_name(format!(".{name}.koe-partial"))
}

/// Moves the staged files into `out`: the whole folder when `out` is new, else file by
/// file (the weights last), then removes the staging folder.
fn publish(staging: &Path, out: &Path) -> Result<(), Error> {
    if !out.exists() {
        return std::fs::rename(staging, out).map_err(write_error(out));
    }
    let mut names: Vec<PathBuf> = std::fs::read_dir(staging)
        .map_err(write_error(staging))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    names.sort_by_key(|p| p.file_name().is_some_and(|n| n == "model.safetensors"));
    for from in names {
        let to = out.join(from.file_name().unwrap_or_default());
        std::fs::rename(&from, &to).map_err(write_error(&to))?;
    }
    std::fs::remove_dir(staging).map_err(write_error(staging))
}

fn write_error(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |source| Error::Write {
        path: path.to_path_buf(),
        source,
    }
}

fn write_json(path: &Path, value: &impl Serialize) -> Result<(), Error> {
    let mut json = serde_json::to_vec_pretty(value).map_err(|e| Error::Write {
        path: path.to_path_buf(),
        source: e.into(),
    })?;
    json.push(b'\n');
    std::fs::write(path, json).map_err(write_error(path))
}

/// One float32 tensor's bytes, little-endian, as safetensors stores them.
struct F32Tensor {
    shape: Vec<usize>,
    bytes: Vec<u8>,
}

impl View for &F32Tensor {
    fn dtype(&self) -> Dtype {
        Dtype::F32
    }
    fn shape(&self) -> &[usize] {
        &self.shape
    }
    fn data(&self) -> Cow<'_, [u8]> {
        Cow::Borrowed(&self.bytes)
    }
    fn data_len(&self) -> usize {
        self.bytes.len()
    }
}

fn write_safetensors(variables: &HashMap<String, Tensor>, path: &Path) -> Result<(), Error> {
    let error = |source: Box<dyn std::error::Error + Send + Sync>| Error::Safetensors {
        path: path.to_path_buf(),
        source,
    };
    let mut tensors = Vec::with_capacity(variables.len());
    for (name, t) in variables {
        let t = t.detach().to_device(Device::Cpu).to_kind(Kind::Float);
        let shape = t.size().iter().map(|&d| d as usize).collect();
        let values = Vec::<f32>::try_from(t.flatten(0, -1)).map_err(|e| error(e.into()))?;
        let bytes = values.iter().flat_map(|x| x.to_le_bytes()).collect();
        tensors.push((name.as_str(), F32Tensor { shape, bytes }));
    }
    let metadata = HashMap::from([("format".to_string(), "pt".to_string())]);
    safetensors::tensor::serialize_to_file(
        tensors.iter().map(|(name, t)| (*name, t)),
        &Some(metadata),
        path,
    )
    .map_err(|e| error(e.into()))
}
