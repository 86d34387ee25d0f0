//! Agreement between two partitions of the same items: normalised mutual information
//! and the adjusted Rand index, as scikit-learn computes them.
//!
//! `koe topics --eval --labels` scores themes against gold categories with them, and the
//! theme stage picks its number of themes by how well two fits on different samples
//! agree (ARI). Both take any label type and need no label to match across the two
//! sides: only which items share a label counts.

use std::collections::HashMap;
use std::hash::Hash;

/// Counts per label pair and per label of each side.
struct Contingency {
    n: f64,
    /// Non-empty cells: (left label, right label, count).
    cells: Vec<(usize, usize, f64)>,
    left: Vec<f64>,
    right: Vec<f64>,
}

impl Contingency {
    fn new<A: Eq + Hash, B: Eq + Hash>(a: &[A], b: &[B]) -> Self {
        assert_eq!(a.len(), b.len(), "two labelings of the same items");
        let mut left: HashMap<&A, usize> = HashMap::new();
        let mut right: HashMap<&B, usize> = HashMap::new();
        let mut cells: HashMap<(usize, usize), usize> = HashMap::new();
        let mut left_counts = Vec::new();
        let mut right_counts = Vec::new();
        for (x, y) in a.iter().zip(b) {
            let next = left.len();
            let i = *left.entry(x).or_insert(next);
            let next = right.len();
            let j = *right.entry(y).or_insert(next);
            if i == left_counts.len() {
                left_counts.push(0.0);
            }
            if j == right_counts.len() {
                right_counts.push(0.0);
            }
            left_counts[i] += 1.0;
            right_counts[j] += 1.0;
            *cells.entry((i, j)).or_default() += 1;
        }
        // Sorted, so that sums run in one order and results repeat to the last bit.
        let mut cells: Vec<(usize, usize, f64)> = cells
            .into_iter()
            .map(|((i, j), c)| (i, j, c as f64))
            .collect();
        cells.sort_by_key(|&(i, j, _)| (i, j));
        Contingency {
            n: a.len() as f64,
            cells,
            left: left_counts,
            right: right_counts,
        }
    }
}

fn entropy(counts: &[f64], n: f64) -> f64 {
    counts
        .iter()
        .filter(|&&c| c > 0.0)
        .map(|&c| -(c / n) * (c / n).ln())
        .sum()
}

/// Normalised mutual information with the arithmetic mean of the two entropies
/// (scikit-learn's default): 1 for the same partition, near 0 for unrelated ones. Two
/// single-cluster labelings agree (1); one single cluster against anything else is 0.
pub fn nmi<A: Eq + Hash, B: Eq + Hash>(a: &[A], b: &[B]) -> f64 {
    let t = Contingency::new(a, b);
    if t.left.len() == t.right.len() && t.left.len() <= 1 {
        return 1.0;
    }
    let (ha, hb) = (entropy(&t.left, t.n), entropy(&t.right, t.n));
    if ha <= 0.0 || hb <= 0.0 {
        return 0.0;
    }
    let n = t.n;
    let mi: f64 = t
        .cells
        .iter()
        .map(|&(i, j, c)| (c / n) * (c * n / (t.left[i] * t.right[j])).ln())
        .sum();
    (mi / ((ha + hb) / 2.0)).clamp(0.0, 1.0)
}

/// Adjusted Rand index (Hubert & Arabie 1985): 1 for the same partition, about 0 for
/// chance agreement, negative below chance.
pub fn ari<A: Eq + Hash, B: Eq + Hash>(a: &[A], b: &[B]) -> f64 {
    let t = Contingency::new(a, b);
    let pairs = |c: f64| c * (c - 1.0) / 2.0;
    let index: f64 = t.cells.iter().map(|&(_, _, c)| pairs(c)).sum();
    let sum_a: f64 = t.left.iter().map(|&c| pairs(c)).sum();
    let sum_b: f64 = t.right.iter().map(|&c| pairs(c)).sum();
    let total = pairs(t.n);
    if total <= 0.0 {
        return 1.0;
    }
    let expected = sum_a * sum_b / total;
    let max = (sum_a + sum_b) / 2.0;
    if (max - expected).abs() < f64::EPSILON {
        // Both all in one cluster, or both all singletons: the same partition.
        return 1.0;
    }
    (index - expected) / (max - expected)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Expected values from scikit-learn 1.x (`normalized_mutual_info_score`,
    /// `adjusted_rand_score`) on the same labelings.
    #[test]
    fn agrees_with_scikit_learn() {
        let close = |a: f64, b: f64| (a - b).abs() < 1e-12;
        let cases: [(&[u32], &[u32], f64, f64); 5] = [
            (
                &[0, 0, 1, 1, 2, 2],
                &[0, 0, 1, 1, 1, 2],
                0.7396673768007592,
                0.4444444444444444,
            ),
            (&[0, 0, 0, 1, 1, 1], &[1, 1, 1, 0, 0, 0], 1.0, 1.0),
            (&[0, 0, 0, 0], &[0, 1, 2, 3], 0.0, 0.0),
            (
                &[0, 1, 2, 3, 4, 5],
                &[0, 0, 0, 1, 1, 1],
                0.5578858913022593,
                0.0,
            ),
            (&[0, 0, 1, 1], &[0, 0, 0, 0], 0.0, 0.0),
        ];
        for (a, b, want_nmi, want_ari) in cases {
            assert!(close(nmi(a, b), want_nmi), "nmi {a:?} {b:?}: {}", nmi(a, b));
            assert!(close(ari(a, b), want_ari), "ari {a:?} {b:?}: {}", ari(a, b));
        }
        let gold = ["a", "a", "b", "b", "c", "c", "c"];
        let found = [0, 1, 0, 1, 2, 2, 2];
        assert!(close(nmi(&gold, &found), 0.6329129160661658));
        assert!(close(ari(&gold, &found), 0.475));
    }

    #[test]
    fn one_cluster_each_side_is_agreement() {
        assert_eq!(nmi(&[1, 1, 1], &["x", "x", "x"]), 1.0);
        assert_eq!(ari(&[1, 1, 1], &["x", "x", "x"]), 1.0);
    }
}
