//! The saved form of a linear model, `koe-linear/1`: a folder with `model.json` and
//! `weights.bin`.
//!
//! `model.json` says what the model is: its labels, feature configuration,
//! hyper-parameters, training provenance, and the shape and BLAKE3 checksum of the
//! weights. `weights.bin` holds the weight matrix (rows: hashed buckets, then dense
//! features; columns: labels) as sparse rows, since most buckets are never touched by a
//! small training set: for each row with a non-zero weight, in ascending order, the row
//! index as u32 and then one f32 per label, all little-endian.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::Error;
use super::features::FeatureConfig;
use crate::record::Lang;
use crate::sentiment::Label;
use crate::sentiment::train::HyperParameters;

pub const FORMAT: &str = "koe-linear/1";
pub const CARD_FILE: &str = "model.json";
pub const WEIGHTS_FILE: &str = "weights.bin";
pub const WEIGHTS_ENCODING: &str = "sparse-rows-u32-f32-le";

/// `model.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelCard {
    pub format: String,
    pub koe_version: String,
    /// Output classes, in weight-column order.
    pub labels: Vec<Label>,
    /// The language the training texts were analysed as (`None`: detected per text).
    pub lang: Option<Lang>,
    pub features: FeatureConfig,
    pub hyper_parameters: HyperParameters,
    pub training: TrainingInfo,
    pub weights: WeightsInfo,
}

/// Where the model came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingInfo {
    /// The data it was trained on, in words: file, checksum, split.
    pub provenance: String,
    pub docs: u64,
    pub by_label: BTreeMap<Label, u64>,
    /// Class-weighted mean cross-entropy after the last epoch, regulariser included.
    pub final_loss: f64,
    pub train_accuracy: f64,
    /// The penalties `--l2 auto` tried (empty when λ was given).
    #[serde(default)]
    pub l2_search: Vec<crate::sentiment::train::L2Trial>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeightsInfo {
    pub file: String,
    pub encoding: String,
    pub rows: usize,
    pub columns: usize,
    /// Rows stored (those with a non-zero weight).
    pub stored_rows: usize,
    pub blake3: String,
}

/// Writes `dir/model.json` and `dir/weights.bin`; `card.weights` is filled in here.
pub fn save(dir: &Path, card: &mut ModelCard, weights: &[f32]) -> Result<(), Error> {
    let columns = card.labels.len();
    let mut bytes = Vec::new();
    let mut stored_rows = 0;
    for (row, w) in weights.chunks_exact(columns).enumerate() {
        if w.iter().any(|&x| x != 0.0) {
            let index = u32::try_from(row).map_err(|_| format_error(dir, "too many rows"))?;
            bytes.extend_from_slice(&index.to_le_bytes());
            for x in w {
                bytes.extend_from_slice(&x.to_le_bytes());
            }
            stored_rows += 1;
        }
    }
    card.weights = WeightsInfo {
        file: WEIGHTS_FILE.into(),
        encoding: WEIGHTS_ENCODING.into(),
        rows: weights.len() / columns.max(1),
        columns,
        stored_rows,
        blake3: blake3::hash(&bytes).to_hex().to_string(),
    };
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let weights_path = dir.join(WEIGHTS_FILE);
    std::fs::write(&weights_path, &bytes).map_err(io(&weights_path))?;
    let card_path = dir.join(CARD_FILE);
    let mut json = serde_json::to_vec_pretty(card).map_err(|source| Error::Json {
        path: card_path.clone(),
        source,
    })?;
    json.push(b'\n');
    std::fs::write(&card_path, json).map_err(io(&card_path))
}

/// Reads and checks a saved model: `path` is its folder or its `model.json`.
pub fn load(path: &Path) -> Result<(ModelCard, Vec<f32>), Error> {
    let card_path = if path.is_dir() {
        path.join(CARD_FILE)
    } else {
        path.to_path_buf()
    };
    let dir = card_path.parent().unwrap_or(Path::new("."));
    let text = std::fs::read_to_string(&card_path).map_err(io(&card_path))?;
    let card: ModelCard = serde_json::from_str(&text).map_err(|source| Error::Json {
        path: card_path.clone(),
        source,
    })?;
    let bad = |message: String| format_error(&card_path, message);
    if card.format != FORMAT {
        return Err(bad(format!("format {:?}, koe reads {FORMAT}", card.format)));
    }
    card.features.check().map_err(bad)?;
    let info = &card.weights;
    let columns = card.labels.len();
    if !(2..=3).contains(&columns) || info.columns != columns {
        return Err(bad(format!(
            "{columns} labels for {} columns",
            info.columns
        )));
    }
    if info.rows != card.features.dimension() || info.encoding != WEIGHTS_ENCODING {
        return Err(bad("weights do not match the feature configuration".into()));
    }
    let weights_path = dir.join(&info.file);
    let bytes = std::fs::read(&weights_path).map_err(io(&weights_path))?;
    let found = blake3::hash(&bytes).to_hex().to_string();
    if found != info.blake3 {
        return Err(Error::Checksum {
            path: weights_path,
            expected: info.blake3.clone(),
            found,
        });
    }
    let weights = decode(&bytes, info.rows, columns).map_err(|m| format_error(&weights_path, m))?;
    Ok((card, weights))
}

fn decode(bytes: &[u8], rows: usize, columns: usize) -> Result<Vec<f32>, String> {
    let record = 4 + 4 * columns;
    if !bytes.len().is_multiple_of(record) {
        return Err(format!(
            "{} bytes is not a whole number of rows",
            bytes.len()
        ));
    }
    let mut weights = vec![0.0f32; rows * columns];
    let mut last: Option<usize> = None;
    for chunk in bytes.chunks_exact(record) {
        let word = |at: usize| [chunk[at], chunk[at + 1], chunk[at + 2], chunk[at + 3]];
        let row = u32::from_le_bytes(word(0)) as usize;
        if row >= rows || last.is_some_and(|l| l >= row) {
            return Err(format!("row {row} out of order or past {rows}"));
        }
        last = Some(row);
        for k in 0..columns {
            let value = f32::from_le_bytes(word(4 + 4 * k));
            if !value.is_finite() {
                return Err(format!("row {row} holds {value}"));
            }
            weights[row * columns + k] = value;
        }
    }
    Ok(weights)
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + use<> {
    let path: PathBuf = path.into();
    move |source| Error::Io { path, source }
}

fn format_error(path: &Path, message: impl Into<String>) -> Error {
    Error::Format {
        path: path.into(),
        message: message.into(),
    }
}
