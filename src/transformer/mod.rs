//! Transformer models (feature `transformer`): loading BERT-family checkpoints through
//! rust-bert and libtorch, shared by the transformer sentiment backend
//! ([`crate::sentiment::transformer`]) and sentence embeddings ([`SentenceEmbedder`]).
//!
//! A model is a folder in the Hugging Face layout — `config.json`, `tokenizer.json` (or
//! `vocab.txt` for BERT WordPiece), and weights as `model.safetensors` or rust-bert's
//! `rust_model.ot` — or, for users with internet access, a Hugging Face model id
//! (`owner/name`) that rust-bert's `RemoteResource` downloads into its cache.
//! [`ModelFiles`] finds the files, [`tokenize::TextTokenizer`] turns text into padded id
//! batches, [`classifier::SequenceClassifier`] and [`embed::SentenceEmbedder`] run them.
//!
//! Texts longer than the model's maximum length (the smallest of `max_position_embeddings`,
//! `sentence_bert_config.json`'s `max_seq_length` and `tokenizer_config.json`'s
//! `model_max_length`, at most 512 tokens) are **truncated**: only their first tokens are
//! read. [`finetune`] trains a classifier and saves it in the same layout.

pub mod classifier;
pub mod embed;
mod fast_bert;
pub mod finetune;
pub mod tokenize;

use std::path::{Path, PathBuf};

pub use classifier::SequenceClassifier;
pub use embed::SentenceEmbedder;
pub use tokenize::TextTokenizer;

/// Documents per forward pass: the padded batch both backends run at once.
pub const BATCH_SIZE: usize = 32;

/// Errors loading or running a transformer model.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(
        "model folder {0} does not exist (give a folder with config.json, or a Hugging Face id `owner/name`)"
    )]
    NotFound(PathBuf),
    #[error("{dir} has no {file}")]
    MissingFile { dir: PathBuf, file: &'static str },
    #[error(
        "{dir} has no weights: expected model.safetensors or rust_model.ot (a pytorch_model.bin must first be saved as model.safetensors, e.g. with Python's safetensors.torch.save_file)"
    )]
    MissingWeights { dir: PathBuf },
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {source}")]
    Json {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error(
        "{path}: model_type {model_type:?} is not supported for {task} (supported: {supported})"
    )]
    UnsupportedModel {
        path: PathBuf,
        model_type: String,
        task: &'static str,
        supported: &'static str,
    },
    #[error("{path}: {message}")]
    Config { path: PathBuf, message: String },
    #[error("tokenizer {path}: {source}")]
    Tokenizer {
        path: PathBuf,
        source: tokenizers::Error,
    },
    #[error("cannot download {file} of {model_id}: {source}")]
    Download {
        model_id: String,
        file: &'static str,
        source: rust_bert::RustBertError,
    },
    #[error("loading weights {path}: {source}")]
    Weights {
        path: PathBuf,
        source: tch::TchError,
    },
    #[error("libtorch: {0}")]
    Torch(#[from] tch::TchError),
    #[error("rust-bert: {0}")]
    RustBert(#[from] rust_bert::RustBertError),
}

/// The files of one model, local or downloaded.
#[derive(Debug, Clone)]
pub struct ModelFiles {
    /// The folder (local) or model id (remote), for names and messages.
    pub source: String,
    pub config: PathBuf,
    /// `tokenizer.json` where there is one, else `vocab.txt`.
    pub tokenizer: PathBuf,
    /// `tokenizer_config.json`, `sentence_bert_config.json` when present.
    pub tokenizer_config: Option<PathBuf>,
    pub sentence_config: Option<PathBuf>,
    pub weights: PathBuf,
}

impl ModelFiles {
    /// A local folder if `spec` names one; otherwise, if `spec` looks like a Hugging Face
    /// id (`owner/name`), its files downloaded through rust-bert's cache.
    pub fn resolve(spec: &str) -> Result<ModelFiles, Error> {
        let path = Path::new(spec);
        if path.is_dir() {
            return ModelFiles::local(path);
        }
        if path.exists() || !looks_like_model_id(spec) {
            return Err(Error::NotFound(path.to_path_buf()));
        }
        ModelFiles::remote(spec)
    }

    /// The files of a local model folder; names the first one missing.
    pub fn local(dir: &Path) -> Result<ModelFiles, Error> {
        let config = dir.join("config.json");
        if !config.is_file() {
            return Err(Error::MissingFile {
                dir: dir.to_path_buf(),
                file: "config.json",
            });
        }
        // The first of `files` the folder has.
        let first = |files: &[&str]| files.iter().map(|f| dir.join(f)).find(|p| p.is_file());
        let tokenizer =
            first(&["tokenizer.json", "vocab.txt"]).ok_or_else(|| Error::MissingFile {
                dir: dir.to_path_buf(),
                file: "tokenizer.json (or vocab.txt)",
            })?;
        let weights = first(&["model.safetensors", "rust_model.ot"]).ok_or_else(|| {
            Error::MissingWeights {
                dir: dir.to_path_buf(),
            }
        })?;
        let optional = |f: &str| first(&[f]);
        Ok(ModelFiles {
            source: dir.display().to_string(),
            config,
            tokenizer,
            tokenizer_config: optional("tokenizer_config.json"),
            sentence_config: optional("sentence_bert_config.json"),
            weights,
        })
    }

    /// Downloads (or finds in rust-bert's cache) the files of a Hugging Face model.
    pub fn remote(model_id: &str) -> Result<ModelFiles, Error> {
        use rust_bert::resources::{RemoteResource, ResourceProvider};
        let fetch = |file: &'static str| -> Result<PathBuf, Error> {
            let url = format!("https://huggingface.co/{model_id}/resolve/main/{file}");
            RemoteResource::new(&url, model_id)
                .get_local_path()
                .map_err(|e| Error::Download {
                    model_id: model_id.to_string(),
                    file,
                    source: e,
                })
        };
        let first = |files: &[&'static str]| -> Result<PathBuf, Error> {
            let mut last = None;
            for &f in files {
                match fetch(f) {
                    Ok(p) => return Ok(p),
                    Err(e) => last = Some(e),
                }
            }
            Err(last.expect("at least one file name"))
        };
        Ok(ModelFiles {
            source: model_id.to_string(),
            config: fetch("config.json")?,
            tokenizer: first(&["tokenizer.json", "vocab.txt"])?,
            tokenizer_config: fetch("tokenizer_config.json").ok(),
            sentence_config: fetch("sentence_bert_config.json").ok(),
            weights: first(&["model.safetensors", "rust_model.ot"])?,
        })
    }

    /// `config.json` as JSON, and its `model_type`.
    pub fn read_config(&self) -> Result<(String, serde_json::Value), Error> {
        let value = read_json(&self.config)?;
        let model_type = value
            .get("model_type")
            .and_then(|v| v.as_str())
            .ok_or_else(|| Error::Config {
                path: self.config.clone(),
                message: "no \"model_type\"".into(),
            })?
            .to_string();
        Ok((model_type, value))
    }

    /// The longest input the model reads, in tokens (special tokens included).
    pub fn max_length(&self, config: &serde_json::Value, model_type: &str) -> usize {
        let int = |v: Option<&serde_json::Value>| v.and_then(|v| v.as_u64()).map(|n| n as usize);
        let mut max = int(config.get("max_position_embeddings")).unwrap_or(512);
        // RoBERTa's position ids start after its padding index (514 positions, 512 tokens).
        if matches!(model_type, "roberta" | "xlm-roberta") {
            max = max.saturating_sub(2);
        }
        let sentence = self
            .sentence_config
            .as_deref()
            .and_then(|p| read_json(p).ok());
        if let Some(n) = int(sentence.as_ref().and_then(|c| c.get("max_seq_length"))) {
            max = max.min(n);
        }
        // A fine-tuned model's tokenizer says the length it was trained at.
        let tokenizer = self
            .tokenizer_config
            .as_deref()
            .and_then(|p| read_json(p).ok());
        if let Some(n) = int(tokenizer.as_ref().and_then(|c| c.get("model_max_length"))) {
            max = max.min(n);
        }
        max.clamp(8, 512)
    }
}

/// `owner/name`: one slash, no path-like prefix.
fn looks_like_model_id(spec: &str) -> bool {
    let mut parts = spec.split('/');
    let ok = |s: Option<&str>| {
        s.is_some_and(|s| {
            !s.is_empty()
                && !s.starts_with('.')
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        })
    };
    ok(parts.next()) && ok(parts.next()) && parts.next().is_none()
}

pub(crate) fn read_json(path: &Path) -> Result<serde_json::Value, Error> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|source| Error::Json {
        path: path.to_path_buf(),
        source,
    })
}

/// Parses `config.json` into one of rust-bert's config structs.
pub(crate) fn parse_config<T: serde::de::DeserializeOwned>(
    path: &Path,
    value: &serde_json::Value,
) -> Result<T, Error> {
    T::deserialize(value).map_err(|source| Error::Json {
        path: path.to_path_buf(),
        source,
    })
}

/// `config.json`'s `layer_norm_eps` (BERT's 1e-12 when absent).
pub(crate) fn layer_norm_eps(config: &serde_json::Value) -> f64 {
    config
        .get("layer_norm_eps")
        .and_then(|v| v.as_f64())
        .unwrap_or(1e-12)
}

/// CUDA when libtorch sees a GPU, else the CPU; `KOE_DEVICE=cpu` forces the CPU.
pub fn device() -> tch::Device {
    match std::env::var("KOE_DEVICE").as_deref() {
        Ok("cpu") => tch::Device::Cpu,
        _ => tch::Device::cuda_if_available(),
    }
}

/// Loads `files.weights` into `vs`, naming the file in the error.
pub(crate) fn load_weights(vs: &mut tch::nn::VarStore, weights: &Path) -> Result<(), Error> {
    vs.load(weights).map_err(|e| Error::Weights {
        path: weights.to_path_buf(),
        source: e,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_ids_are_owner_slash_name() {
        assert!(looks_like_model_id(
            "sentence-transformers/all-MiniLM-L6-v2"
        ));
        assert!(!looks_like_model_id("target/models/all-minilm-l6-v2"));
        assert!(!looks_like_model_id("./models"));
        assert!(!looks_like_model_id("/abs/path"));
        assert!(!looks_like_model_id("plain"));
    }

    #[test]
    fn missing_config_names_the_file() {
        let dir = std::env::temp_dir().join(format!("koe-empty-model-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let err = ModelFiles::resolve(dir.to_str().unwrap()).unwrap_err();
        assert!(err.to_string().contains("config.json"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
