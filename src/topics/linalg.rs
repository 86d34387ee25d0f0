//! The little linear algebra topics need, written out so it is deterministic and has no
//! native dependencies: the topics' stream of koe's one generator ([`crate::rng`]), sparse rows, and a randomized truncated
//! SVD (Halko, Martinsson & Tropp 2011) that turns sparse TF-IDF rows into dense
//! latent-semantic (LSA) vectors of a few dozen dimensions.
//!
//! The SVD runs on a sample of rows only; the projection it returns maps any row, sampled
//! or not, in time proportional to the row's non-zeros.

pub use crate::rng::SplitMix64 as Rng;

/// The topics stage's stream of koe's one generator: its seed is the analyst's
/// `--seed`, offset so that topics do not draw the numbers a held-out split of the same
/// seed draws.
pub fn seeded(seed: u64) -> Rng {
    Rng::new(seed ^ 0x6a09_e667_f3bc_c909)
}

/// Sparse rows in compressed form: row `i` is `cols[ptr[i]..ptr[i+1]]` with its values.
#[derive(Debug, Default)]
pub struct SparseRows {
    ptr: Vec<usize>,
    cols: Vec<u32>,
    vals: Vec<f32>,
}

impl SparseRows {
    pub fn new() -> Self {
        SparseRows {
            ptr: vec![0],
            ..Default::default()
        }
    }

    pub fn push(&mut self, row: &[(u32, f32)]) {
        for &(c, v) in row {
            self.cols.push(c);
            self.vals.push(v);
        }
        self.ptr.push(self.cols.len());
    }

    pub(crate) fn len(&self) -> usize {
        self.ptr.len() - 1
    }

    /// The rows with their columns renumbered 0.. in the order of `cols` (sorted, and
    /// holding every column the rows use).
    fn renumbered(&self, cols: &[u32]) -> SparseRows {
        SparseRows {
            ptr: self.ptr.clone(),
            cols: self
                .cols
                .iter()
                .map(|c| cols.binary_search(c).unwrap_or_default() as u32)
                .collect(),
            vals: self.vals.clone(),
        }
    }

    /// The columns the rows use, sorted.
    fn used_columns(&self) -> Vec<u32> {
        let mut cols = self.cols.clone();
        cols.sort_unstable();
        cols.dedup();
        cols
    }

    fn row(&self, i: usize) -> impl Iterator<Item = (usize, f64)> + '_ {
        let range = self.ptr[i]..self.ptr[i + 1];
        self.cols[range.clone()]
            .iter()
            .zip(&self.vals[range])
            .map(|(&c, &v)| (c as usize, f64::from(v)))
    }
}

/// A linear map from sparse term space to `dims` latent dimensions (the top right
/// singular vectors), over the columns the fitting rows used (a theme's clauses use a
/// fraction of the vocabulary), stored term-major: `matrix[i * dims + j]` for `cols[i]`.
#[derive(Debug, Clone)]
pub struct Projection {
    pub dims: usize,
    /// Columns with a basis row, sorted; the others map to nothing.
    cols: Vec<u32>,
    matrix: Vec<f32>,
}

impl Projection {
    /// Projects a unit sparse row into `out` (length `dims`) and L2-normalises it.
    /// Returns the norm before normalising: the basis is orthonormal, so that is how
    /// much of the row the latent space captures (0..1); None when it captures nothing.
    pub fn project(&self, row: &[(u32, f32)], out: &mut [f32]) -> Option<f32> {
        out.fill(0.0);
        for &(c, v) in row {
            let Ok(i) = self.cols.binary_search(&c) else {
                continue;
            };
            let basis = &self.matrix[i * self.dims..(i + 1) * self.dims];
            for (o, &b) in out.iter_mut().zip(basis) {
                *o += v * b;
            }
        }
        let captured = out.iter().map(|x| x * x).sum::<f32>().sqrt();
        normalize(out).then_some(captured)
    }

    /// The latent vector `z` as a direction in term space, (column, weight) for each
    /// column of the map: the cosine of a unit row with it is the row's projection
    /// dotted with `z`.
    pub fn back_project(&self, z: &[f32]) -> Vec<(u32, f32)> {
        self.cols
            .iter()
            .zip(self.matrix.chunks_exact(self.dims.max(1)))
            .map(|(&c, basis)| (c, dot(basis, z)))
            .collect()
    }

    /// The columns and the matrix (`dims` values per column), for saving.
    pub fn parts(&self) -> (&[u32], &[f32]) {
        (&self.cols, &self.matrix)
    }

    /// A saved projection; None when the parts do not fit together.
    pub fn from_parts(dims: usize, cols: Vec<u32>, matrix: Vec<f32>) -> Option<Projection> {
        (dims > 0 && matrix.len() == cols.len() * dims && cols.is_sorted()).then_some(Projection {
            dims,
            cols,
            matrix,
        })
    }
}

/// L2-normalises in place; false (and all zeros) for a (near-)zero vector.
pub(crate) fn normalize(v: &mut [f32]) -> bool {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm < 1e-6 {
        v.fill(0.0);
        return false;
    }
    v.iter_mut().for_each(|x| *x /= norm);
    true
}

/// Dot product over eight running sums, which the compiler turns into SIMD (one sum
/// in order cannot be: float addition is not associative). Same inputs, same result.
pub(crate) fn dot(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut sums = [0.0f32; 8];
    let (a8, b8) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f32 = a8
        .remainder()
        .iter()
        .zip(b8.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in a8.zip(b8) {
        for i in 0..8 {
            sums[i] += x[i] * y[i];
        }
    }
    sums.iter().sum::<f32>() + tail
}

/// Power iterations of the range finder: two are plenty for TF-IDF spectra.
const POWER_ITERATIONS: usize = 2;
const OVERSAMPLING: usize = 10;

/// Randomized truncated SVD of `rows` keeping at most `dims` dimensions, over the
/// columns the rows use. None when the rows span nothing (no rows, no columns, all
/// zero).
pub fn truncated_svd(rows: &SparseRows, dims: usize, rng: &mut Rng) -> Option<Projection> {
    let cols = rows.used_columns();
    let rows = &rows.renumbered(&cols);
    let n_cols = cols.len();
    let m = rows.len();
    let l = (dims + OVERSAMPLING).min(m).min(n_cols);
    if l == 0 || dims == 0 {
        return None;
    }
    // Ω: n_cols × l Gaussian test matrix, term-major.
    let omega: Vec<f64> = (0..n_cols * l).map(|_| rng.gaussian()).collect();
    let mut y = times(rows, &omega, l); // m × l
    orthonormalize(&mut y, m, l);
    for _ in 0..POWER_ITERATIONS {
        let mut z = transpose_times(rows, &y, n_cols, l); // n_cols × l
        orthonormalize(&mut z, n_cols, l);
        y = times(rows, &z, l);
        orthonormalize(&mut y, m, l);
    }
    // Bᵀ = Aᵀ Q (n_cols × l), then B Bᵀ = (Bᵀ)ᵀ Bᵀ (l × l).
    let bt = transpose_times(rows, &y, n_cols, l);
    let mut gram = vec![0.0f64; l * l];
    for row in bt.chunks_exact(l) {
        for i in 0..l {
            if row[i] == 0.0 {
                continue;
            }
            for j in i..l {
                gram[i * l + j] += row[i] * row[j];
            }
        }
    }
    for i in 0..l {
        for j in 0..i {
            gram[i * l + j] = gram[j * l + i];
        }
    }
    let (values, vectors) = symmetric_eigen(gram, l);
    let top = values.first().copied().unwrap_or(0.0);
    if top <= 1e-12 {
        return None;
    }
    // Right singular vectors V = Bᵀ U Σ⁻¹, keeping directions with real variance.
    let kept: Vec<(usize, f64)> = values
        .iter()
        .enumerate()
        .filter(|&(_, &v)| v > top * 1e-8)
        .take(dims)
        .map(|(j, &v)| (j, v.sqrt()))
        .collect();
    let r = kept.len();
    let mut matrix = vec![0.0f32; n_cols * r];
    for (c, row) in bt.chunks_exact(l).enumerate() {
        for (k, &(j, sigma)) in kept.iter().enumerate() {
            let s: f64 = (0..l).map(|i| row[i] * vectors[i * l + j]).sum();
            matrix[c * r + k] = (s / sigma) as f32;
        }
    }
    Some(Projection {
        dims: r,
        cols,
        matrix,
    })
}

/// A · X for X term-major (n_cols × l); result row-major m × l.
fn times(rows: &SparseRows, x: &[f64], l: usize) -> Vec<f64> {
    let mut out = vec![0.0; rows.len() * l];
    for (i, o) in out.chunks_exact_mut(l).enumerate() {
        for (c, v) in rows.row(i) {
            for (o, &xv) in o.iter_mut().zip(&x[c * l..(c + 1) * l]) {
                *o += v * xv;
            }
        }
    }
    out
}

/// Aᵀ · Y for Y row-major (m × l); result term-major n_cols × l.
fn transpose_times(rows: &SparseRows, y: &[f64], n_cols: usize, l: usize) -> Vec<f64> {
    let mut out = vec![0.0; n_cols * l];
    for (i, yr) in y.chunks_exact(l).enumerate() {
        for (c, v) in rows.row(i) {
            for (o, &yv) in out[c * l..(c + 1) * l].iter_mut().zip(yr) {
                *o += v * yv;
            }
        }
    }
    out
}

/// Modified Gram–Schmidt on the columns of a row-major n × l matrix (twice, for
/// stability); columns that are dependent on earlier ones become zero.
fn orthonormalize(a: &mut [f64], n: usize, l: usize) {
    // Work on contiguous columns: the row-major layout would stride through memory.
    let mut cols = vec![0.0; n * l];
    for i in 0..n {
        for j in 0..l {
            cols[j * n + i] = a[i * l + j];
        }
    }
    for _ in 0..2 {
        for j in 0..l {
            let (done, rest) = cols.split_at_mut(j * n);
            let col = &mut rest[..n];
            for prev in done.chunks_exact(n) {
                let d: f64 = col.iter().zip(prev).map(|(x, y)| x * y).sum();
                col.iter_mut().zip(prev).for_each(|(x, y)| *x -= d * y);
            }
            let norm = col.iter().map(|x| x * x).sum::<f64>().sqrt();
            let scale = if norm > 1e-10 { 1.0 / norm } else { 0.0 };
            col.iter_mut().for_each(|x| *x *= scale);
        }
    }
    for i in 0..n {
        for j in 0..l {
            a[i * l + j] = cols[j * n + i];
        }
    }
}

/// Cyclic Jacobi eigen-decomposition of a symmetric n × n matrix: eigenvalues in
/// decreasing order and the matching eigenvectors as columns of a row-major matrix.
fn symmetric_eigen(mut a: Vec<f64>, n: usize) -> (Vec<f64>, Vec<f64>) {
    let mut v = vec![0.0; n * n];
    for i in 0..n {
        v[i * n + i] = 1.0;
    }
    let total: f64 = a.iter().map(|x| x * x).sum();
    for _sweep in 0..60 {
        let off: f64 = (0..n)
            .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[i * n + j].powi(2))
            .sum();
        if off <= total * 1e-24 {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                let apq = a[p * n + q];
                if apq.abs() < 1e-300 {
                    continue;
                }
                let theta = (a[q * n + q] - a[p * n + p]) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..n {
                    let akp = a[k * n + p];
                    let akq = a[k * n + q];
                    a[k * n + p] = c * akp - s * akq;
                    a[k * n + q] = s * akp + c * akq;
                }
                for k in 0..n {
                    let apk = a[p * n + k];
                    let aqk = a[q * n + k];
                    a[p * n + k] = c * apk - s * aqk;
                    a[q * n + k] = s * apk + c * aqk;
                }
                for k in 0..n {
                    let vkp = v[k * n + p];
                    let vkq = v[k * n + q];
                    v[k * n + p] = c * vkp - s * vkq;
                    v[k * n + q] = s * vkp + c * vkq;
                }
            }
        }
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&i, &j| a[j * n + j].total_cmp(&a[i * n + i]).then(i.cmp(&j)));
    let values = order.iter().map(|&i| a[i * n + i].max(0.0)).collect();
    let mut vectors = vec![0.0; n * n];
    for (new, &old) in order.iter().enumerate() {
        for k in 0..n {
            vectors[k * n + new] = v[k * n + old];
        }
    }
    (values, vectors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jacobi_finds_eigenvalues_of_a_small_matrix() {
        // [[2,1],[1,2]] has eigenvalues 3 and 1.
        let (values, vectors) = symmetric_eigen(vec![2.0, 1.0, 1.0, 2.0], 2);
        assert!((values[0] - 3.0).abs() < 1e-9 && (values[1] - 1.0).abs() < 1e-9);
        let (x, y) = (vectors[0], vectors[2]);
        assert!(
            (x.abs() - y.abs()).abs() < 1e-9,
            "eigenvector of 3 is (1,1)/√2"
        );
    }

    #[test]
    fn svd_keeps_the_structure_of_two_blocks() {
        // Rows on terms {0,1} and rows on terms {2,3}: two latent directions.
        let mut rows = SparseRows::new();
        for i in 0..20 {
            if i % 2 == 0 {
                rows.push(&[(0, 0.8), (1, 0.6)]);
            } else {
                rows.push(&[(2, 0.6), (3, 0.8)]);
            }
        }
        let p = truncated_svd(&rows, 8, &mut seeded(1)).unwrap();
        assert_eq!(p.dims, 2, "rank 2");
        let (mut a, mut b, mut c) = (vec![0.0; 2], vec![0.0; 2], vec![0.0; 2]);
        let whole = p.project(&[(0, 0.8), (1, 0.6)], &mut a);
        assert!(
            whole.is_some_and(|n| n > 0.99),
            "a sample row lies in the space"
        );
        let part = p.project(&[(0, 1.0)], &mut a);
        assert!(
            part.is_some_and(|n| (n - 0.8).abs() < 1e-4),
            "term 0 alone: 0.8 of it"
        );
        assert!(p.project(&[(1, 1.0)], &mut b).is_some());
        assert!(p.project(&[(3, 1.0)], &mut c).is_some());
        assert_eq!(p.project(&[(0, 0.0)], &mut c), None);
        assert!(dot(&a, &b) > 0.99, "co-occurring terms map together");
        assert!(dot(&a, &c).abs() < 0.01, "separate blocks stay orthogonal");
    }

    #[test]
    fn svd_of_nothing_is_none() {
        assert!(truncated_svd(&SparseRows::new(), 8, &mut seeded(1)).is_none());
    }
}
