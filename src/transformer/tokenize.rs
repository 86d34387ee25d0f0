//! Text → token ids with Hugging Face `tokenizers`, and ids → padded tensors.
//!
//! `tokenizer.json` is used as the model shipped it (normaliser, pre-tokenizer, special
//! tokens), with its truncation replaced by the model's maximum length and its padding
//! switched off: koe pads each batch itself, to the longest text in it. A folder with
//! only `vocab.txt` gets a BERT WordPiece tokenizer (lower-casing as
//! `tokenizer_config.json`'s `do_lower_case` says, default on).

use std::path::Path;

use tch::{Device, Tensor};
use tokenizers::models::wordpiece::WordPiece;
use tokenizers::normalizers::BertNormalizer;
use tokenizers::pre_tokenizers::bert::BertPreTokenizer;
use tokenizers::processors::bert::BertProcessing;
use tokenizers::{Tokenizer, TruncationParams};

use super::{Error, ModelFiles, read_json};

/// A tokenizer with the model's padding id and maximum length.
pub struct TextTokenizer {
    inner: Tokenizer,
    pad_id: i64,
    max_length: usize,
}

/// One text's token ids (special tokens included, truncated).
#[derive(Debug, Clone, PartialEq)]
pub struct Encoded {
    pub ids: Vec<i64>,
    pub type_ids: Vec<i64>,
}

/// A padded batch on the model's device.
pub struct Batch {
    pub input_ids: Tensor,
    /// 1 for tokens, 0 for padding (Int64).
    pub attention_mask: Tensor,
    pub token_type_ids: Tensor,
}

impl TextTokenizer {
    /// Loads `tokenizer.json` (or builds WordPiece from `vocab.txt`).
    pub fn load(files: &ModelFiles, max_length: usize) -> Result<Self, Error> {
        let path = &files.tokenizer;
        let err = |source: tokenizers::Error| Error::Tokenizer {
            path: path.clone(),
            source,
        };
        let mut inner = if path.file_name().is_some_and(|n| n == "vocab.txt") {
            let lowercase = files
                .tokenizer_config
                .as_deref()
                .and_then(|p| read_json(p).ok())
                .and_then(|c| c.get("do_lower_case").and_then(|v| v.as_bool()))
                .unwrap_or(true);
            wordpiece(path, lowercase).map_err(err)?
        } else {
            Tokenizer::from_file(path).map_err(err)?
        };
        let pad_id = inner
            .get_padding()
            .map(|p| p.pad_id)
            .or_else(|| ["[PAD]", "<pad>"].iter().find_map(|t| inner.token_to_id(t)))
            .unwrap_or(0) as i64;
        inner.with_padding(None);
        inner
            .with_truncation(Some(TruncationParams {
                max_length,
                ..Default::default()
            }))
            .map_err(err)?;
        Ok(TextTokenizer {
            inner,
            pad_id,
            max_length,
        })
    }

    pub fn max_length(&self) -> usize {
        self.max_length
    }

    pub fn pad_id(&self) -> i64 {
        self.pad_id
    }

    /// Encodes texts, with special tokens, truncated to the maximum length.
    pub fn encode(&self, texts: &[&str]) -> Result<Vec<Encoded>, Error> {
        let encodings =
            self.inner
                .encode_batch(texts.to_vec(), true)
                .map_err(|e| Error::Tokenizer {
                    path: "(encoding)".into(),
                    source: e,
                })?;
        Ok(encodings
            .iter()
            .map(|e| Encoded {
                ids: e.get_ids().iter().map(|&i| i as i64).collect(),
                type_ids: e.get_type_ids().iter().map(|&i| i as i64).collect(),
            })
            .collect())
    }

    /// Pads `texts` to the longest of them (dynamic padding) into tensors on `device`.
    pub fn batch(&self, texts: &[&Encoded], device: Device) -> Batch {
        let width = texts.iter().map(|e| e.ids.len()).max().unwrap_or(0).max(1);
        let n = texts.len();
        let mut ids = vec![self.pad_id; n * width];
        let mut mask = vec![0i64; n * width];
        let mut types = vec![0i64; n * width];
        for (row, e) in texts.iter().enumerate() {
            let at = row * width;
            ids[at..at + e.ids.len()].copy_from_slice(&e.ids);
            mask[at..at + e.ids.len()].fill(1);
            types[at..at + e.type_ids.len()].copy_from_slice(&e.type_ids);
        }
        let shape = [n as i64, width as i64];
        let tensor = |v: &[i64]| Tensor::from_slice(v).view(shape).to_device(device);
        Batch {
            input_ids: tensor(&ids),
            attention_mask: tensor(&mask),
            token_type_ids: tensor(&types),
        }
    }

    /// Encodes `texts`, runs `model` on them in length-sorted padded batches of
    /// `batch_size` (without gradients) and returns each text's output row — the model's
    /// `[batch, width]` result, one row per text — in input order.
    pub fn run_batches(
        &self,
        texts: &[&str],
        batch_size: usize,
        device: Device,
        mut model: impl FnMut(&Batch) -> Result<Tensor, Error>,
    ) -> Result<Vec<Vec<f32>>, Error> {
        let encoded = self.encode(texts)?;
        let mut out = vec![Vec::new(); texts.len()];
        for batch in length_sorted_batches(&encoded, batch_size) {
            let rows: Vec<_> = batch.iter().map(|&i| &encoded[i]).collect();
            let inputs = self.batch(&rows, device);
            let result = tch::no_grad(|| model(&inputs))?.to_device(Device::Cpu);
            let flat = Vec::<f32>::try_from(result.reshape([-1i64]))?;
            let width = flat.len() / batch.len();
            for (row, &i) in batch.iter().enumerate() {
                out[i] = flat[row * width..(row + 1) * width].to_vec();
            }
        }
        Ok(out)
    }
}

/// Indices of `texts` in batches of `size`, longest first, so that each batch pads little.
pub fn length_sorted_batches(texts: &[Encoded], size: usize) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = (0..texts.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(texts[i].ids.len()));
    order.chunks(size.max(1)).map(<[usize]>::to_vec).collect()
}

fn wordpiece(vocab: &Path, lowercase: bool) -> Result<Tokenizer, tokenizers::Error> {
    let vocab_str = vocab.to_str().ok_or("path is not UTF-8")?;
    let model = WordPiece::from_file(vocab_str)
        .unk_token("[UNK]".into())
        .build()?;
    let mut tokenizer = Tokenizer::new(model);
    let id = |t: &str| {
        tokenizer
            .token_to_id(t)
            .ok_or_else(|| format!("vocab.txt has no {t} token"))
    };
    let (cls, sep) = (id("[CLS]")?, id("[SEP]")?);
    tokenizer
        .with_normalizer(Some(BertNormalizer::new(true, true, None, lowercase)))
        .with_pre_tokenizer(Some(BertPreTokenizer))
        .with_post_processor(Some(BertProcessing::new(
            ("[SEP]".into(), sep),
            ("[CLS]".into(), cls),
        )));
    Ok(tokenizer)
}
