//! A BERT encoder forward pass over rust-bert's loaded weights, with PyTorch's fused
//! kernels: one GELU (rust-bert composes erf from four tensor operations) and
//! `scaled_dot_product_attention`. Used by [`super::SentenceEmbedder`] and, with
//! [`FastBertClassifier`]'s pooler and head, by [`super::SequenceClassifier`] and
//! [`super::finetune`] for `bert` models; the weights and their names are the ones
//! rust-bert's `BertModel` loaded. In training (`train = true`) it applies dropout where
//! `transformers`' `BertModel` does: after the embeddings, on the attention
//! probabilities, and after each sub-layer's output projection.

use std::collections::HashMap;

use rust_bert::Activation;
use rust_bert::bert::BertConfig;
use tch::{Kind, Tensor};

use super::Error;

struct Dense {
    weight: Tensor,
    bias: Tensor,
}

impl Dense {
    fn apply(&self, x: &Tensor) -> Tensor {
        x.linear(&self.weight, Some(&self.bias))
    }
}

struct Layer {
    query: Dense,
    key: Dense,
    value: Dense,
    attention_out: Dense,
    attention_norm: Dense,
    intermediate: Dense,
    output: Dense,
    output_norm: Dense,
}

pub(crate) struct FastBert {
    word: Tensor,
    position: Tensor,
    token_type: Tensor,
    embedding_norm: Dense,
    layers: Vec<Layer>,
    heads: i64,
    hidden: i64,
    eps: f64,
    hidden_dropout: f64,
    attention_dropout: f64,
}

impl FastBert {
    /// Takes the encoder's tensors from rust-bert's variable store (`prefix` is `` or
    /// `bert.`); `None` when the model's activation is not GELU, which this pass assumes.
    pub(crate) fn from_vars(
        vars: &HashMap<String, Tensor>,
        prefix: &str,
        config: &BertConfig,
        eps: f64,
    ) -> Result<Option<Self>, Error> {
        if !matches!(config.hidden_act, Activation::gelu) {
            return Ok(None);
        }
        let get = |name: &str| -> Result<Tensor, Error> {
            vars.get(&format!("{prefix}{name}"))
                .map(Tensor::shallow_clone)
                .ok_or_else(|| Error::Config {
                    path: name.into(),
                    message: "missing BERT weight".into(),
                })
        };
        let dense = |name: &str| -> Result<Dense, Error> {
            Ok(Dense {
                weight: get(&format!("{name}.weight"))?,
                bias: get(&format!("{name}.bias"))?,
            })
        };
        let layers = (0..config.num_hidden_layers)
            .map(|i| {
                let p = format!("encoder.layer.{i}.");
                Ok(Layer {
                    query: dense(&format!("{p}attention.self.query"))?,
                    key: dense(&format!("{p}attention.self.key"))?,
                    value: dense(&format!("{p}attention.self.value"))?,
                    attention_out: dense(&format!("{p}attention.output.dense"))?,
                    attention_norm: dense(&format!("{p}attention.output.LayerNorm"))?,
                    intermediate: dense(&format!("{p}intermediate.dense"))?,
                    output: dense(&format!("{p}output.dense"))?,
                    output_norm: dense(&format!("{p}output.LayerNorm"))?,
                })
            })
            .collect::<Result<_, Error>>()?;
        Ok(Some(FastBert {
            word: get("embeddings.word_embeddings.weight")?,
            position: get("embeddings.position_embeddings.weight")?,
            token_type: get("embeddings.token_type_embeddings.weight")?,
            embedding_norm: dense("embeddings.LayerNorm")?,
            layers,
            heads: config.num_attention_heads,
            hidden: config.hidden_size,
            eps,
            hidden_dropout: config.hidden_dropout_prob,
            attention_dropout: config.attention_probs_dropout_prob,
        }))
    }

    fn norm(&self, x: &Tensor, n: &Dense) -> Tensor {
        x.layer_norm(
            [self.hidden],
            Some(&n.weight),
            Some(&n.bias),
            self.eps,
            false,
        )
    }

    /// The last hidden state, `[batch, length, hidden]`, without dropout.
    pub(crate) fn forward(&self, ids: &Tensor, mask: &Tensor, types: &Tensor) -> Tensor {
        self.forward_t(ids, mask, types, false)
    }

    /// The last hidden state; with dropout when `train`.
    pub(crate) fn forward_t(
        &self,
        ids: &Tensor,
        mask: &Tensor,
        types: &Tensor,
        train: bool,
    ) -> Tensor {
        let (batch, length) = (ids.size()[0], ids.size()[1]);
        let positions = Tensor::arange(length, (Kind::Int64, ids.device()));
        let mut x = Tensor::embedding(&self.word, ids, -1, false, false)
            + Tensor::embedding(&self.position, &positions, -1, false, false).unsqueeze(0)
            + Tensor::embedding(&self.token_type, types, -1, false, false);
        let dropout = |t: Tensor| t.dropout(self.hidden_dropout, train);
        x = dropout(self.norm(&x, &self.embedding_norm));
        let attention_dropout = if train { self.attention_dropout } else { 0.0 };
        // True where a key may be attended to, broadcast over heads and queries.
        let attend = mask.ne(0).view([batch, 1, 1, length]);
        let head = self.hidden / self.heads;
        let split = |t: Tensor| t.view([batch, length, self.heads, head]).transpose(1, 2);
        for layer in &self.layers {
            let context = Tensor::scaled_dot_product_attention(
                &split(layer.query.apply(&x)),
                &split(layer.key.apply(&x)),
                &split(layer.value.apply(&x)),
                Some(&attend),
                attention_dropout,
                false,
                None,
            )
            .transpose(1, 2)
            .reshape([batch, length, self.hidden]);
            x = self.norm(
                &(dropout(layer.attention_out.apply(&context)) + &x),
                &layer.attention_norm,
            );
            let inner = layer.intermediate.apply(&x).gelu("none");
            x = self.norm(
                &(dropout(layer.output.apply(&inner)) + &x),
                &layer.output_norm,
            );
        }
        x
    }
}

/// `transformers`' `BertForSequenceClassification` over [`FastBert`]: the encoder (under
/// `bert.`), a tanh pooler over the first token, dropout, and the `classifier` layer.
pub(crate) struct FastBertClassifier {
    encoder: FastBert,
    pooler: Dense,
    classifier: Dense,
}

impl FastBertClassifier {
    /// From the variables of rust-bert's `BertForSequenceClassification`; `None` when
    /// the activation is not GELU.
    pub(crate) fn from_vars(
        vars: &HashMap<String, Tensor>,
        config: &BertConfig,
        eps: f64,
    ) -> Result<Option<Self>, Error> {
        let Some(encoder) = FastBert::from_vars(vars, "bert.", config, eps)? else {
            return Ok(None);
        };
        let dense = |name: &str| -> Result<Dense, Error> {
            let get = |part: &str| {
                let key = format!("{name}.{part}");
                vars.get(&key)
                    .map(Tensor::shallow_clone)
                    .ok_or_else(|| Error::Config {
                        path: key.into(),
                        message: "missing classifier weight".into(),
                    })
            };
            Ok(Dense {
                weight: get("weight")?,
                bias: get("bias")?,
            })
        };
        Ok(Some(FastBertClassifier {
            encoder,
            pooler: dense("bert.pooler.dense")?,
            classifier: dense("classifier")?,
        }))
    }

    /// `[batch, classes]` logits; with dropout when `train`.
    pub(crate) fn logits(
        &self,
        ids: &Tensor,
        mask: &Tensor,
        types: &Tensor,
        train: bool,
    ) -> Tensor {
        let hidden = self.encoder.forward_t(ids, mask, types, train);
        let first = hidden.select(1, 0);
        let pooled = self.pooler.apply(&first).tanh();
        let pooled = pooled.dropout(self.encoder.hidden_dropout, train);
        self.classifier.apply(&pooled)
    }
}
