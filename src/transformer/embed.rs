//! Sentence embeddings: a BERT encoder (all-MiniLM-L6-v2 and the like), mean pooling
//! over the attention mask, L2 normalisation — what sentence-transformers computes for
//! models with a mean-pooling module.
//!
//! Texts are sorted by length and run in padded batches of
//! [`BATCH_SIZE`](super::BATCH_SIZE); vectors come back in input order. Texts over the
//! model's maximum length (`sentence_bert_config.json`'s `max_seq_length`, 256 for
//! MiniLM) are truncated.

use std::sync::Mutex;

use rust_bert::bert::{BertConfig, BertEmbeddings, BertModel};
use rust_bert::roberta::RobertaEmbeddings;
use tch::nn::VarStore;
use tch::{Device, Kind, Tensor};

use super::fast_bert::FastBert;
use super::tokenize::Batch;
use super::{
    BATCH_SIZE, Error, ModelFiles, TextTokenizer, layer_norm_eps, load_weights, parse_config,
};

enum Encoder {
    /// rust-bert loads the weights; the forward pass is [`FastBert`]'s fused one.
    Bert(FastBert),
    Roberta(Box<BertModel<RobertaEmbeddings>>),
}

struct Loaded {
    encoder: Encoder,
    _vs: VarStore,
}

/// Unit-length sentence vectors from a BERT-family encoder.
pub struct SentenceEmbedder {
    source: String,
    loaded: Mutex<Loaded>,
    tokenizer: TextTokenizer,
    device: Device,
    dimension: usize,
    batch_size: usize,
}

impl SentenceEmbedder {
    /// Loads a model folder or Hugging Face id (see [`ModelFiles::resolve`]).
    pub fn load(spec: &str) -> Result<Self, Error> {
        Self::from_files(&ModelFiles::resolve(spec)?)
    }

    pub fn from_files(files: &ModelFiles) -> Result<Self, Error> {
        let (model_type, value) = files.read_config()?;
        let config: BertConfig = parse_config(&files.config, &value)?;
        let device = super::device();
        // sentence-transformers saves the bare encoder (`embeddings.…`); a checkpoint of a
        // task model keeps it under `bert.` or `roberta.`: try both.
        let mut last_error = None;
        for prefix in [None, Some(model_type.replace('-', "_"))] {
            let mut vs = VarStore::new(device);
            let root = match &prefix {
                None => vs.root(),
                Some(p) => vs.root() / p.as_str(),
            };
            let encoder = match model_type.as_str() {
                "bert" => {
                    let _: BertModel<BertEmbeddings> =
                        BertModel::new_with_optional_pooler(&root, &config, false);
                    None
                }
                "roberta" | "xlm-roberta" => Some(Encoder::Roberta(Box::new(
                    BertModel::new_with_optional_pooler(&root, &config, false),
                ))),
                _ => {
                    return Err(Error::UnsupportedModel {
                        path: files.config.clone(),
                        model_type: model_type.clone(),
                        task: "sentence embeddings",
                        supported: "bert, roberta, xlm-roberta",
                    });
                }
            };
            match load_weights(&mut vs, &files.weights) {
                Ok(()) => {
                    let encoder = match encoder {
                        Some(encoder) => encoder,
                        None => Encoder::Bert(
                            FastBert::from_vars(
                                &vs.variables(),
                                &prefix.as_ref().map(|p| format!("{p}.")).unwrap_or_default(),
                                &config,
                                layer_norm_eps(&value),
                            )?
                            .ok_or_else(|| {
                                Error::UnsupportedModel {
                                    path: files.config.clone(),
                                    model_type: format!("{model_type} ({:?})", config.hidden_act),
                                    task: "sentence embeddings",
                                    supported: "bert with GELU, roberta, xlm-roberta",
                                }
                            })?,
                        ),
                    };
                    let tokenizer =
                        TextTokenizer::load(files, files.max_length(&value, &model_type))?;
                    return Ok(SentenceEmbedder {
                        source: files.source.clone(),
                        loaded: Mutex::new(Loaded { encoder, _vs: vs }),
                        tokenizer,
                        device,
                        dimension: config.hidden_size as usize,
                        batch_size: BATCH_SIZE,
                    });
                }
                Err(e) => last_error = Some(e),
            }
        }
        Err(last_error.expect("tried at least once"))
    }

    /// Texts per forward pass (default [`BATCH_SIZE`]).
    pub fn with_batch_size(mut self, batch_size: usize) -> Self {
        self.batch_size = batch_size.max(1);
        self
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    /// Length of each vector.
    pub fn dimension(&self) -> usize {
        self.dimension
    }

    pub fn tokenizer(&self) -> &TextTokenizer {
        &self.tokenizer
    }

    /// One unit-length vector per text, in input order.
    pub fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, Error> {
        let loaded = self.loaded.lock().unwrap_or_else(|e| e.into_inner());
        self.tokenizer
            .run_batches(texts, self.batch_size, self.device, |inputs| {
                mean_pool(&loaded.encoder, inputs)
            })
    }
}

/// Mean of the token vectors where the mask is 1, scaled to unit length.
fn mean_pool(encoder: &Encoder, b: &Batch) -> Result<Tensor, Error> {
    let hidden = match encoder {
        Encoder::Bert(m) => m.forward(&b.input_ids, &b.attention_mask, &b.token_type_ids),
        // RoBERTa has one token type; its position ids come from the padding.
        Encoder::Roberta(m) => {
            let (ids, mask) = (Some(&b.input_ids), Some(&b.attention_mask));
            m.forward_t(ids, mask, None, None, None, None, None, false)?
                .hidden_state
        }
    };
    let mask = b.attention_mask.unsqueeze(-1).to_kind(hidden.kind());
    let tokens: &[i64] = &[1];
    let summed = (&hidden * &mask).sum_dim_intlist(tokens, false, hidden.kind());
    let counts = mask
        .sum_dim_intlist(tokens, false, hidden.kind())
        .clamp_min(1e-9);
    let mean = summed / counts;
    let norm = mean.norm_scalaropt_dim(2.0, [1i64], true).clamp_min(1e-12);
    Ok((mean / norm).to_kind(Kind::Float))
}
