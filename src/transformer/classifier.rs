//! Sequence classification: texts → class probabilities, for the BERT family rust-bert
//! 0.23 implements (dispatch on `config.json`'s `model_type`).
//!
//! BERT models with GELU run [`FastBertClassifier`]'s fused forward pass (as the sentence
//! embedder does); the others rust-bert's own. Texts are tokenized together, sorted by length and run in batches of
//! [`BATCH_SIZE`](super::BATCH_SIZE), each padded only to its longest text; results come
//! back in input order. Texts over the model's maximum length are truncated.

use std::sync::Mutex;

use rust_bert::bert::{BertConfig, BertForSequenceClassification};
use rust_bert::deberta::{DebertaConfig, DebertaForSequenceClassification};
use rust_bert::deberta_v2::{DebertaV2Config, DebertaV2ForSequenceClassification};
use rust_bert::distilbert::{DistilBertConfig, DistilBertModelClassifier};
use rust_bert::roberta::RobertaForSequenceClassification;
use tch::nn::VarStore;
use tch::{Device, Kind, Tensor};

use super::fast_bert::FastBertClassifier;
use super::tokenize::Batch;
use super::{
    BATCH_SIZE, Error, ModelFiles, TextTokenizer, layer_norm_eps, load_weights, parse_config,
};

/// The `model_type`s [`SequenceClassifier`] loads.
pub const SUPPORTED: &str =
    "bert, distilbert, roberta, xlm-roberta, camembert, deberta, deberta-v2";

enum Model {
    /// BERT with GELU: rust-bert loads the weights, [`FastBertClassifier`] runs them.
    FastBert(FastBertClassifier),
    Bert(BertForSequenceClassification),
    DistilBert(DistilBertModelClassifier),
    Roberta(RobertaForSequenceClassification),
    Deberta(Box<DebertaForSequenceClassification>),
    DebertaV2(Box<DebertaV2ForSequenceClassification>),
}

/// libtorch tensors are `Send` but not `Sync`; the model runs one batch at a time
/// (libtorch spreads each over its own threads).
struct Loaded {
    model: Model,
    _vs: VarStore,
}

/// A loaded sequence classifier with its tokenizer and label names.
pub struct SequenceClassifier {
    source: String,
    model_type: String,
    loaded: Mutex<Loaded>,
    tokenizer: TextTokenizer,
    labels: Vec<String>,
    device: Device,
}

impl SequenceClassifier {
    /// Loads a model folder or Hugging Face id (see [`ModelFiles::resolve`]).
    pub fn load(spec: &str) -> Result<Self, Error> {
        Self::from_files(&ModelFiles::resolve(spec)?)
    }

    pub fn from_files(files: &ModelFiles) -> Result<Self, Error> {
        let (model_type, config) = files.read_config()?;
        let labels = id2label(files, &config)?;
        let device = super::device();
        let mut vs = VarStore::new(device);
        let root = vs.root();
        let path = &files.config;
        let mut bert_config = None;
        let model = match model_type.as_str() {
            "bert" => {
                let c = parse_config::<BertConfig>(path, &config)?;
                let model = BertForSequenceClassification::new(&root, &c)?;
                bert_config = Some(c);
                Model::Bert(model)
            }
            "distilbert" => Model::DistilBert(DistilBertModelClassifier::new(
                &root,
                &parse_config::<DistilBertConfig>(path, &config)?,
            )?),
            "roberta" | "xlm-roberta" | "camembert" => {
                Model::Roberta(RobertaForSequenceClassification::new(
                    &root,
                    &parse_config::<BertConfig>(path, &config)?,
                )?)
            }
            "deberta" => Model::Deberta(Box::new(DebertaForSequenceClassification::new(
                &root,
                &parse_config::<DebertaConfig>(path, &config)?,
            )?)),
            "deberta-v2" => Model::DebertaV2(Box::new(DebertaV2ForSequenceClassification::new(
                &root,
                &parse_config::<DebertaV2Config>(path, &config)?,
            )?)),
            _ => {
                return Err(Error::UnsupportedModel {
                    path: path.clone(),
                    model_type,
                    task: "sequence classification",
                    supported: SUPPORTED,
                });
            }
        };
        load_weights(&mut vs, &files.weights)?;
        let model = match (model, bert_config) {
            (Model::Bert(slow), Some(c)) => {
                match FastBertClassifier::from_vars(&vs.variables(), &c, layer_norm_eps(&config))? {
                    Some(fast) => Model::FastBert(fast),
                    None => Model::Bert(slow),
                }
            }
            (model, _) => model,
        };
        let tokenizer = TextTokenizer::load(files, files.max_length(&config, &model_type))?;
        Ok(SequenceClassifier {
            source: files.source.clone(),
            model_type,
            loaded: Mutex::new(Loaded { model, _vs: vs }),
            tokenizer,
            labels,
            device,
        })
    }

    /// The folder or model id it was loaded from.
    pub fn source(&self) -> &str {
        &self.source
    }

    pub fn model_type(&self) -> &str {
        &self.model_type
    }

    /// `config.json`'s `id2label`, in class order.
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    pub fn tokenizer(&self) -> &TextTokenizer {
        &self.tokenizer
    }

    /// Class probabilities (softmax) for each text, in input order.
    pub fn predict(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, Error> {
        let loaded = self.loaded.lock().unwrap_or_else(|e| e.into_inner());
        self.tokenizer
            .run_batches(texts, BATCH_SIZE, self.device, |inputs| {
                Ok(forward(&loaded.model, inputs)?.softmax(-1, Kind::Float))
            })
    }
}

fn forward(model: &Model, b: &Batch) -> Result<Tensor, Error> {
    let (ids, mask, types) = (
        Some(&b.input_ids),
        Some(&b.attention_mask),
        Some(&b.token_type_ids),
    );
    Ok(match model {
        Model::FastBert(m) => m.logits(&b.input_ids, &b.attention_mask, &b.token_type_ids, false),
        Model::Bert(m) => m.forward_t(ids, mask, types, None, None, false).logits,
        Model::DistilBert(m) => m.forward_t(ids, mask, None, false)?.logits,
        // RoBERTa has one token type; its position ids come from the padding.
        Model::Roberta(m) => m.forward_t(ids, mask, None, None, None, false).logits,
        Model::Deberta(m) => m.forward_t(ids, mask, types, None, None, false)?.logits,
        Model::DebertaV2(m) => m.forward_t(ids, mask, types, None, None, false)?.logits,
    })
}

/// `id2label` as a list in id order; it must number its classes 0..n.
fn id2label(files: &ModelFiles, config: &serde_json::Value) -> Result<Vec<String>, Error> {
    let err = |message: String| Error::Config {
        path: files.config.clone(),
        message,
    };
    let map = config
        .get("id2label")
        .and_then(|v| v.as_object())
        .ok_or_else(|| err("no \"id2label\": not a sequence classifier".into()))?;
    let mut labels = vec![None; map.len()];
    for (id, name) in map {
        let slot = id
            .parse::<usize>()
            .ok()
            .and_then(|i| labels.get_mut(i))
            .ok_or_else(|| err(format!("id2label id {id:?} is not in 0..{}", map.len())))?;
        *slot = Some(name.as_str().unwrap_or_default().to_string());
    }
    if labels.len() < 2 {
        return Err(err("id2label has fewer than two classes".into()));
    }
    Ok(labels.into_iter().map(Option::unwrap_or_default).collect())
}
