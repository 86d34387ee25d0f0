//! The forward pass, as the reference's `backends/numpy.py` runs it, on a flat batch:
//! the pieces of several texts in one matrix, each piece's n-gram windows cut at its own
//! text's edges (zeros outside, as if each text ran alone).
//!
//! Per piece: its dequantised embedding (512) → one projection for the three branches
//! (768) and a layer norm → per branch (2-, 3- and 5-grams, 256 wide) two window
//! convolutions with ReLU and residual → the embedding and the three branch outputs side
//! by side (1,280) and a layer norm: the piece's *features* ([`token_features`]). A text
//! or clause pools the sum of its pieces' features; [`head`] projects a pooled sum to 512
//! (the projection commutes with the sum), divides by √count, and runs the small MLP and
//! `tanh` to a unit-length vector.

use std::ops::Range;

use super::weights::{Branch, EMBEDDING, Weights};
use super::{CNN, DIMENSION, FEATURES};

/// Features of every piece of a batch (`ids.len() × FEATURES`, row-major); `texts` are
/// the ranges of `ids` that belong to one text each, in order and covering all of `ids`.
pub fn token_features(w: &Weights, ids: &[u32], texts: &[Range<usize>]) -> Vec<f32> {
    let rows = ids.len();
    let mut features = vec![0.0f32; rows * FEATURES];
    for (row, &id) in features.chunks_exact_mut(FEATURES).zip(ids) {
        w.embed(id, &mut row[..EMBEDDING]);
    }
    let wide = 3 * CNN;
    let mut x = vec![0.0f32; rows * wide];
    matmul(
        rows,
        EMBEDDING,
        wide,
        &features,
        FEATURES,
        &w.proj,
        &mut x,
        wide,
        Product::Set,
    );
    for row in x.chunks_exact_mut(wide) {
        add(row, &w.proj_b);
        layer_norm(row, &w.proj_ln_g, &w.proj_ln_b, w.eps);
    }
    // For every piece, the range of rows of its own text.
    let bounds: Vec<Range<usize>> = texts
        .iter()
        .flat_map(|t| std::iter::repeat_n(t.clone(), t.len()))
        .collect();
    let widest = w.branches.iter().map(|b| b.order).max().unwrap_or(1);
    let mut window = vec![0.0f32; rows * widest * CNN];
    let mut xs = vec![0.0f32; rows * CNN];
    let mut h = vec![0.0f32; rows * CNN];
    for (i, branch) in w.branches.iter().enumerate() {
        for (dst, src) in xs.chunks_exact_mut(CNN).zip(x.chunks_exact(wide)) {
            dst.copy_from_slice(&src[i * CNN..(i + 1) * CNN]);
        }
        let k = branch.order * CNN;
        gather_windows(&xs, branch, &bounds, &mut window[..rows * k]);
        matmul(
            rows,
            k,
            CNN,
            &window,
            k,
            &branch.w1,
            &mut h,
            CNN,
            Product::Set,
        );
        for (h, xs) in h.chunks_exact_mut(CNN).zip(xs.chunks_exact(CNN)) {
            add(h, &branch.b1);
            relu(h);
            add(h, xs);
        }
        gather_windows(&h, branch, &bounds, &mut window[..rows * k]);
        let column = EMBEDDING + i * CNN;
        matmul(
            rows,
            k,
            CNN,
            &window,
            k,
            &branch.w2,
            &mut features[column..],
            FEATURES,
            Product::Set,
        );
        for (row, h) in features.chunks_exact_mut(FEATURES).zip(h.chunks_exact(CNN)) {
            let out = &mut row[column..column + CNN];
            add(out, &branch.b2);
            relu(out);
            add(out, h);
        }
    }
    for row in features.chunks_exact_mut(FEATURES) {
        layer_norm(row, &w.ln_g, &w.ln_b, w.eps);
    }
    features
}

/// Unit-length vectors (`counts.len() × DIMENSION`) from pooled feature sums
/// (`counts.len() × FEATURES`), each the sum of `count` pieces' features (count > 0).
pub fn head(w: &Weights, pooled: &[f32], counts: &[f32]) -> Vec<f32> {
    let rows = counts.len();
    let hidden = w.d0.len() / DIMENSION;
    let mut mean = vec![0.0f32; rows * DIMENSION];
    matmul(
        rows,
        FEATURES,
        DIMENSION,
        pooled,
        FEATURES,
        &w.cnn_w,
        &mut mean,
        DIMENSION,
        Product::Set,
    );
    for (row, &count) in mean.chunks_exact_mut(DIMENSION).zip(counts) {
        let root = count.sqrt().recip();
        for (m, &b) in row.iter_mut().zip(&w.cnn_b) {
            *m = (*m + count * b) * root;
        }
    }
    let mut y0 = vec![0.0f32; rows * hidden];
    matmul(
        rows,
        DIMENSION,
        hidden,
        &mean,
        DIMENSION,
        &w.d0,
        &mut y0,
        hidden,
        Product::Set,
    );
    relu(&mut y0);
    let mut y1 = vec![0.0f32; rows * hidden];
    matmul(
        rows,
        DIMENSION,
        hidden,
        &mean,
        DIMENSION,
        &w.p1,
        &mut y1,
        hidden,
        Product::Set,
    );
    matmul(
        rows,
        hidden,
        hidden,
        &y0,
        hidden,
        &w.d1,
        &mut y1,
        hidden,
        Product::Add,
    );
    relu(&mut y1);
    let mut y2 = vec![0.0f32; rows * DIMENSION];
    matmul(
        rows,
        hidden,
        DIMENSION,
        &y1,
        hidden,
        &w.d2,
        &mut y2,
        DIMENSION,
        Product::Set,
    );
    relu(&mut y2);
    let mut z = vec![0.0f32; rows * DIMENSION];
    matmul(
        rows,
        hidden,
        DIMENSION,
        &y1,
        hidden,
        &w.p3,
        &mut z,
        DIMENSION,
        Product::Set,
    );
    matmul(
        rows,
        DIMENSION,
        DIMENSION,
        &y2,
        DIMENSION,
        &w.d3,
        &mut z,
        DIMENSION,
        Product::Add,
    );
    for row in z.chunks_exact_mut(DIMENSION) {
        row.iter_mut().for_each(|v| *v = v.tanh());
        let norm = row.iter().map(|v| v * v).sum::<f32>().max(w.eps).sqrt();
        row.iter_mut().for_each(|v| *v /= norm);
    }
    z
}

/// Row `r` of `window` (`order · CNN` wide): the rows `r - left .. r - left + order` of
/// `input` (`CNN` wide), zeros for those outside `r`'s own text.
fn gather_windows(input: &[f32], branch: &Branch, bounds: &[Range<usize>], window: &mut [f32]) {
    let k = branch.order * CNN;
    for (r, (out, text)) in window.chunks_exact_mut(k).zip(bounds).enumerate() {
        for (j, slot) in out.chunks_exact_mut(CNN).enumerate() {
            match (r + j).checked_sub(branch.left) {
                Some(src) if text.contains(&src) => {
                    slot.copy_from_slice(&input[src * CNN..(src + 1) * CNN])
                }
                _ => slot.fill(0.0),
            }
        }
    }
}

/// What [`matmul`] does with the product: `c = a · b` or `c += a · b`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Product {
    Set,
    Add,
}

/// `c = a · b` or `c += a · b`: `a` is `m × k` with rows `lda` apart, `b` is `k × n`
/// (contiguous), `c` is `m × n` with rows `ldc` apart.
#[allow(clippy::too_many_arguments)]
fn matmul(
    m: usize,
    k: usize,
    n: usize,
    a: &[f32],
    lda: usize,
    b: &[f32],
    c: &mut [f32],
    ldc: usize,
    product: Product,
) {
    if m == 0 || n == 0 {
        return;
    }
    assert!(lda >= k && ldc >= n, "row strides shorter than rows");
    assert!(a.len() >= (m - 1) * lda + k, "a is {} long", a.len());
    assert!(b.len() >= k * n, "b is {} long", b.len());
    assert!(c.len() >= (m - 1) * ldc + n, "c is {} long", c.len());
    let beta = match product {
        Product::Set => 0.0,
        Product::Add => 1.0,
    };
    // SAFETY: the asserts above keep every element sgemm reads or writes inside the
    // three slices, and `c` is borrowed mutably, so it aliases neither `a` nor `b`.
    unsafe {
        matrixmultiply::sgemm(
            m,
            k,
            n,
            1.0,
            a.as_ptr(),
            lda as isize,
            1,
            b.as_ptr(),
            n as isize,
            1,
            beta,
            c.as_mut_ptr(),
            ldc as isize,
            1,
        );
    }
}

fn add(row: &mut [f32], other: &[f32]) {
    row.iter_mut().zip(other).for_each(|(r, o)| *r += o);
}

fn relu(row: &mut [f32]) {
    row.iter_mut().for_each(|v| *v = v.max(0.0));
}

/// Layer norm over the row, with gain `g` and bias `b`.
fn layer_norm(row: &mut [f32], g: &[f32], b: &[f32], eps: f32) {
    let n = row.len() as f32;
    let mean = row.iter().sum::<f32>() / n;
    row.iter_mut().for_each(|v| *v -= mean);
    let var = row.iter().map(|v| v * v).sum::<f32>() / n;
    let scale = (var + eps).sqrt().recip();
    for ((v, &g), &b) in row.iter_mut().zip(g).zip(b) {
        *v = *v * scale * g + b;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matmul_with_strides() {
        // a = [[1, 2], [3, 4]] inside rows of 3, b = [[1, 0, 2], [0, 1, 3]].
        let a = [1.0, 2.0, 9.0, 3.0, 4.0];
        let b = [1.0, 0.0, 2.0, 0.0, 1.0, 3.0];
        let mut c = [0.0; 8];
        matmul(2, 2, 3, &a, 3, &b, &mut c, 4, Product::Set);
        assert_eq!(c, [1.0, 2.0, 8.0, 0.0, 3.0, 4.0, 18.0, 0.0]);
        matmul(2, 2, 3, &a, 3, &b, &mut c, 4, Product::Add);
        assert_eq!(c, [2.0, 4.0, 16.0, 0.0, 6.0, 8.0, 36.0, 0.0]);
    }

    #[test]
    fn windows_stop_at_their_text() {
        let branch = Branch {
            order: 3,
            left: 1,
            w1: vec![],
            b1: vec![],
            w2: vec![],
            b2: vec![],
        };
        // Two texts: rows 0..2 and 2..3; row r is filled with r + 1.
        let input: Vec<f32> = (0..3).flat_map(|r| vec![r as f32 + 1.0; CNN]).collect();
        let bounds = [0..2, 0..2, 2..3];
        let mut window = vec![-1.0; 3 * 3 * CNN];
        gather_windows(&input, &branch, &bounds, &mut window);
        let firsts: Vec<f32> = window.chunks_exact(CNN).map(|s| s[0]).collect();
        assert_eq!(firsts, [0.0, 1.0, 2.0, 1.0, 2.0, 0.0, 0.0, 3.0, 0.0]);
    }

    #[test]
    fn layer_norm_centres_and_scales() {
        let mut row = [1.0, 2.0, 3.0, 4.0];
        layer_norm(&mut row, &[1.0; 4], &[0.5; 4], 0.0);
        let var = 1.25f32;
        let expected = [-1.5, -0.5, 0.5, 1.5].map(|v: f32| v / var.sqrt() + 0.5);
        for (a, b) in row.iter().zip(expected) {
            assert!((a - b).abs() < 1e-6, "{row:?}");
        }
    }
}
