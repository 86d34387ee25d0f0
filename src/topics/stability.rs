//! How many themes: the k whose clusters come back when the data is sampled again.
//!
//! For each candidate k, spherical k-means is fitted on two random 80% subsamples of the
//! points, each fit labels all points, and the adjusted Rand index between the two
//! labelings says how much the partition depends on the sample (Ben-Hur, Elisseeff &
//! Guyon 2002; Lange et al. 2004). A k that cuts through a real group, or splits one
//! group in two arbitrary halves, gives partitions that move with the sample; the k of
//! the data's own grouping gives the same one each time. The mean over pairs is the
//! k's stability, and the most stable k wins: a few pairs for every k, then more for
//! the finalists, whose means are often closer than one pair's noise. (Taking the
//! smallest k within one standard error of the best was tried: on livedoor news, 9
//! categories, it took k = 4, whose five pairs happened to spread wide.)
//!
//! Silhouette and Calinski–Harabasz were measured first and dropped: on TF-IDF/LSA
//! vectors of BBC news (5 categories) both rise or fall monotonically with k, while
//! stability peaks at 5 (ARI 0.93 against 0.67–0.88 for 4 and 6).
//!
//! Each fit is the best of [`INITS`] k-means runs: a single run's local optima move
//! more than the sample does, and drown the signal (on BBC, single runs rate k = 5 at
//! 0.79 ± 0.17 over ten pairs, best-of-3 at 0.95 ± 0.07).
//!
//! Cost: pairs × 2 × inits fits of O(m · k · dims · iterations) per k, on at most
//! [`STABILITY_SAMPLE`] points reduced to at most [`STABILITY_DIMS`] dimensions (their
//! top singular directions: on BBC's LSA vectors the choice is the same at 50 as at
//! 100 dimensions); candidates run in parallel.

use rayon::prelude::*;

use super::clustering::ari;
use super::kmeans::{best_of, nearest_centroid};
use super::linalg::{Rng, SparseRows, seeded, truncated_svd};

/// Points the stability of each k is measured on.
pub(crate) const STABILITY_SAMPLE: usize = 2_000;
/// Dimensions they are reduced to.
pub(crate) const STABILITY_DIMS: usize = 50;
/// Subsample pairs per k…
const PAIRS: usize = 5;
/// …and this many more for the most stable few: one pair's ARI varies by ±0.1 or
/// more, and the finalists are often closer than that.
const MORE_PAIRS: usize = 10;
const FINALISTS: usize = 3;
/// k-means runs per fit (the best is kept).
const INITS: usize = 3;
/// Share of the points each fit of a pair sees.
const SUBSAMPLE: f64 = 0.8;
/// Lloyd iterations per stability fit: the partition has settled long before.
const ITERATIONS: usize = 25;
/// A candidate number of clusters and how stable its partition is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Stability {
    pub k: usize,
    /// Mean ARI over the pairs.
    pub mean: f64,
    /// Standard error of that mean.
    pub error: f64,
}

/// Each candidate k with its stability, in the order of `ks`: [`PAIRS`] pairs each,
/// then [`MORE_PAIRS`] more for the [`FINALISTS`] most stable, whose means decide.
pub(crate) fn stabilities(points: &[f32], dims: usize, ks: &[usize], seed: u64) -> Vec<Stability> {
    let n = points.len() / dims;
    let m = n.min(STABILITY_SAMPLE);
    // The caller's points come in an order that does not depend on the input's
    // (hash order), so their first m are a random subset.
    let (points, dims) = reduce(&points[..m * dims], dims, STABILITY_DIMS, seed);
    let pair_scores = |k: usize, pairs: std::ops::Range<usize>| -> Vec<f64> {
        pairs
            .map(|pair| {
                let mut rng =
                    seeded(seed ^ ((k * 1_000 + pair) as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15));
                let a = labels_from_subsample(&points, dims, k, &mut rng);
                let b = labels_from_subsample(&points, dims, k, &mut rng);
                ari(&a, &b)
            })
            .collect()
    };
    let mut scores: Vec<(usize, Vec<f64>)> = ks
        .par_iter()
        .map(|&k| (k, pair_scores(k, 0..PAIRS)))
        .collect();
    let mut ranked: Vec<usize> = (0..scores.len()).collect();
    ranked.sort_by(|&a, &b| {
        mean(&scores[b].1)
            .total_cmp(&mean(&scores[a].1))
            .then(a.cmp(&b))
    });
    ranked.truncate(FINALISTS);
    let more: Vec<(usize, Vec<f64>)> = ranked
        .par_iter()
        .map(|&i| (i, pair_scores(scores[i].0, PAIRS..PAIRS + MORE_PAIRS)))
        .collect();
    for (i, extra) in more {
        scores[i].1.extend(extra);
    }
    scores
        .into_iter()
        .map(|(k, scores)| {
            let n = scores.len() as f64;
            let mean = mean(&scores);
            let variance =
                scores.iter().map(|s| (s - mean).powi(2)).sum::<f64>() / (n - 1.0).max(1.0);
            Stability {
                k,
                mean,
                error: (variance / n).sqrt(),
            }
        })
        .collect()
}

fn mean(scores: &[f64]) -> f64 {
    scores.iter().sum::<f64>() / scores.len().max(1) as f64
}

/// The most stable k (mean ARI), the smaller on a tie; 1 when there are none.
pub(crate) fn most_stable(scores: &[Stability]) -> usize {
    scores
        .iter()
        .max_by(|a, b| a.mean.total_cmp(&b.mean).then(b.k.cmp(&a.k)))
        .map_or(1, |s| s.k)
}

/// The points projected on their top `target` singular directions and normalised
/// (as they are when they have no more dimensions than that).
fn reduce(points: &[f32], dims: usize, target: usize, seed: u64) -> (Vec<f32>, usize) {
    let dense = |p: &[f32]| -> Vec<(u32, f32)> {
        p.iter().enumerate().map(|(j, &x)| (j as u32, x)).collect()
    };
    if dims <= target {
        return (points.to_vec(), dims);
    }
    let mut rows = SparseRows::new();
    for p in points.chunks_exact(dims) {
        rows.push(&dense(p));
    }
    let Some(projection) = truncated_svd(&rows, target, &mut seeded(seed)) else {
        return (points.to_vec(), dims);
    };
    let reduced = projection.dims;
    let mut out = vec![0.0; points.len() / dims * reduced];
    for (p, o) in points.chunks_exact(dims).zip(out.chunks_exact_mut(reduced)) {
        projection.project(&dense(p), o);
    }
    (out, reduced)
}

/// Fits k-means on a random SUBSAMPLE of the points and labels all of them.
fn labels_from_subsample(points: &[f32], dims: usize, k: usize, rng: &mut Rng) -> Vec<u32> {
    let n = points.len() / dims;
    let take = ((n as f64 * SUBSAMPLE).round() as usize).clamp(1, n);
    let mut order: Vec<usize> = (0..n).collect();
    for i in 0..take {
        let j = i + rng.below(n - i);
        order.swap(i, j);
    }
    let mut chosen = order[..take].to_vec();
    chosen.sort_unstable();
    let subsample: Vec<f32> = chosen
        .iter()
        .flat_map(|&i| points[i * dims..(i + 1) * dims].iter().copied())
        .collect();
    let (centroids, _) = best_of(&subsample, dims, k, INITS, ITERATIONS, rng);
    points
        .chunks_exact(dims)
        .map(|p| nearest_centroid(p, &centroids, dims).0)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::topics::linalg::normalize;

    /// `per` noisy unit points around each of `groups` axes of a `dims`-space, shuffled.
    fn blobs(groups: usize, dims: usize, per: usize, noise: f64) -> Vec<f32> {
        let mut rng = seeded(5);
        let mut points: Vec<Vec<f32>> = Vec::new();
        for axis in 0..groups {
            for _ in 0..per {
                let mut p: Vec<f32> = (0..dims).map(|_| (noise * rng.gaussian()) as f32).collect();
                p[axis] += 1.0;
                normalize(&mut p);
                points.push(p);
            }
        }
        for i in (1..points.len()).rev() {
            let j = rng.below(i + 1);
            points.swap(i, j);
        }
        points.concat()
    }

    #[test]
    fn the_number_of_groups_is_the_most_stable() {
        let points = blobs(5, 12, 60, 0.15);
        let ks: Vec<usize> = (3..=9).collect();
        let scores = stabilities(&points, 12, &ks, 7);
        assert_eq!(most_stable(&scores), 5, "{scores:?}");
        let five = scores.iter().find(|s| s.k == 5).unwrap().mean;
        assert!(five > 0.95, "{scores:?}");
    }

    #[test]
    fn the_most_stable_k_wins_the_smaller_on_a_tie() {
        let s = |k, mean| Stability {
            k,
            mean,
            error: 0.05,
        };
        assert_eq!(most_stable(&[s(4, 0.7), s(5, 0.9), s(6, 0.5)]), 5);
        assert_eq!(most_stable(&[s(4, 0.9), s(5, 0.9), s(6, 0.5)]), 4);
        assert_eq!(most_stable(&[]), 1);
    }
}
