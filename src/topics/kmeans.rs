//! Spherical k-means, and the choice of k by silhouette.
//!
//! Text vectors are compared by angle, so clusters are too: points and centroids are
//! unit vectors, a point joins the centroid with the highest cosine, and a centroid is
//! its members' normalised mean (Dhillon & Modha 2001). Seeding is k-means++ with
//! cosine distance, from the caller's seeded generator, so a fit is reproducible.
//!
//! k is the smallest value in a grid whose mean silhouette (Rousseeuw 1987, cosine
//! distance) comes within a small tolerance of the best; each candidate is fitted on a
//! strided sub-sample and scored on a smaller one, so the search costs
//! O(grid · sub-sample · k · dims) plus one s × s distance matrix (s ≤ 1,500).

use rayon::prelude::*;

use super::linalg::{Rng, dot, normalize, seeded};

/// Sub-sample on which each candidate k is fitted.
const SELECTION_SAMPLE: usize = 2_500;
/// Points whose silhouette is measured (pairwise distances: keep it small).
const SILHOUETTE_SAMPLE: usize = 1_500;
/// A candidate k must leave about this many sample points per cluster.
const MIN_POINTS_PER_CLUSTER: usize = 4;
pub(crate) const MAX_ITERATIONS: usize = 50;
/// Lloyd iterations stop when fewer than one point in this many moves.
const CONVERGED_PER_MILLE: usize = 1_000;
/// Silhouettes this close to the best are a tie, and the smaller k wins: differences
/// this small are sampling noise, and fewer topics are easier to read.
const SILHOUETTE_TOLERANCE: f64 = 0.02;

/// The smallest k in a grid (2..=10, then ~25% steps) whose mean silhouette is within
/// SILHOUETTE_TOLERANCE of the best.
pub(crate) fn choose_k(points: &[f32], dims: usize, max_clusters: usize, seed: u64) -> usize {
    let selection = strided(points, dims, SELECTION_SAMPLE);
    let m = selection.len() / dims;
    let k_max = max_clusters.min(m / MIN_POINTS_PER_CLUSTER);
    if k_max < 2 {
        return 1;
    }
    let mut grid: Vec<usize> = (2..=k_max.min(10)).collect();
    let mut k = 10usize;
    while k < k_max {
        k = (k + k.div_ceil(4)).min(k_max);
        grid.push(k);
    }
    // Silhouette on the first SILHOUETTE_SAMPLE points of the (already strided) selection.
    let s = m.min(SILHOUETTE_SAMPLE);
    let distances: Vec<f32> = (0..s * s)
        .into_par_iter()
        .map(|ij| {
            1.0 - dot(
                &selection[ij / s * dims..][..dims],
                &selection[ij % s * dims..][..dims],
            )
        })
        .collect();
    let scores: Vec<(usize, f64)> = grid
        .par_iter()
        .map(|&k| {
            let mut rng = seeded(seed ^ (k as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15));
            let (_, labels) = spherical_kmeans(&selection, dims, k, &mut rng);
            (k, silhouette(&distances, &labels[..s], k))
        })
        .collect();
    let best = scores.iter().map(|s| s.1).fold(f64::NEG_INFINITY, f64::max);
    scores
        .iter()
        .find(|s| s.1 >= best - SILHOUETTE_TOLERANCE)
        .map_or(1, |s| s.0)
}

/// Every (n / limit)-th point, at most `limit`.
fn strided(points: &[f32], dims: usize, limit: usize) -> Vec<f32> {
    let n = points.len() / dims;
    if n <= limit {
        return points.to_vec();
    }
    (0..limit)
        .flat_map(|i| points[i * n / limit * dims..][..dims].iter().copied())
        .collect()
}

/// Mean silhouette (Rousseeuw 1987) of `labels` under the s × s distance matrix.
fn silhouette(distances: &[f32], labels: &[u32], k: usize) -> f64 {
    let s = labels.len();
    let mut sizes = vec![0usize; k];
    labels.iter().for_each(|&l| sizes[l as usize] += 1);
    let mut sums = vec![0.0f64; k];
    let mut total = 0.0;
    for i in 0..s {
        sums.fill(0.0);
        for j in 0..s {
            sums[labels[j] as usize] += f64::from(distances[i * s + j]);
        }
        let own = labels[i] as usize;
        if sizes[own] <= 1 {
            continue; // a singleton's silhouette is 0
        }
        let a = sums[own] / (sizes[own] - 1) as f64;
        let b = (0..k)
            .filter(|&c| c != own && sizes[c] > 0)
            .map(|c| sums[c] / sizes[c] as f64)
            .fold(f64::INFINITY, f64::min);
        if b.is_finite() && a.max(b) > 0.0 {
            total += (b - a) / a.max(b);
        }
    }
    total / s.max(1) as f64
}

/// Spherical k-means on unit vectors: k-means++ seeding by cosine distance, Lloyd
/// iterations until no point moves. Returns centroids (k × dims) and labels.
pub fn spherical_kmeans(
    points: &[f32],
    dims: usize,
    k: usize,
    rng: &mut Rng,
) -> (Vec<f32>, Vec<u32>) {
    spherical_kmeans_capped(points, dims, k, MAX_ITERATIONS, rng)
}

/// Centroids (k × dims) and labels of a k-means fit.
pub(crate) type Fit = (Vec<f32>, Vec<u32>);

/// The best of `inits` k-means fits (each seeded from `rng` in turn, at most
/// `max_iterations` Lloyd iterations): the one whose points are closest to their
/// centroids (largest sum of cosines); the first of equals, whatever the threads did.
pub(crate) fn best_of(
    points: &[f32],
    dims: usize,
    k: usize,
    inits: usize,
    max_iterations: usize,
    rng: &mut Rng,
) -> Fit {
    let seeds: Vec<u64> = (0..inits.max(1)).map(|_| rng.next_u64()).collect();
    let fits: Vec<(f64, Fit)> = seeds
        .into_par_iter()
        .map(|seed| {
            let fit = spherical_kmeans_capped(points, dims, k, max_iterations, &mut seeded(seed));
            let closeness: f64 = points
                .chunks_exact(dims)
                .zip(&fit.1)
                .map(|(p, &l)| f64::from(dot(p, &fit.0[l as usize * dims..][..dims])))
                .sum();
            (closeness, fit)
        })
        .collect();
    fits.into_iter()
        .reduce(|best, cur| if cur.0 > best.0 { cur } else { best })
        .map_or_else(|| (vec![0.0; k * dims], Vec::new()), |(_, fit)| fit)
}

/// [`spherical_kmeans`] with at most `max_iterations` Lloyd iterations.
pub(crate) fn spherical_kmeans_capped(
    points: &[f32],
    dims: usize,
    k: usize,
    max_iterations: usize,
    rng: &mut Rng,
) -> (Vec<f32>, Vec<u32>) {
    let n = points.len() / dims;
    let k = k.clamp(1, n.max(1));
    let point = |i: usize| &points[i * dims..(i + 1) * dims];
    let mut centroids = Vec::with_capacity(k * dims);
    if n == 0 {
        return (vec![0.0; k * dims], Vec::new());
    }
    centroids.extend_from_slice(point(rng.below(n)));
    // Greedy k-means++ (Arthur & Vassilvitskii 2007, as scikit-learn does it): each new
    // seed is the best of a few candidates drawn in proportion to their squared
    // distance from the seeds so far (1 − cos, for unit vectors), the one that lowers
    // the total most. Plain k-means++ leaves a bad seeding to chance, and with it the
    // partition the stability of k is measured on.
    let distance = |i: usize, c: &[f32]| f64::from(1.0 - dot(point(i), c)).max(0.0);
    let mut nearest: Vec<f64> = (0..n).map(|i| distance(i, &centroids[..dims])).collect();
    let trials = 2 + (k as f64).ln() as usize;
    for _ in 1..k {
        let total: f64 = nearest.iter().sum();
        let mut best: Option<(f64, Vec<f64>, usize)> = None;
        for _ in 0..trials {
            let chosen = if total <= 0.0 {
                rng.below(n)
            } else {
                let mut target = rng.next_f64() * total;
                nearest
                    .iter()
                    .position(|d| {
                        target -= d;
                        target <= 0.0
                    })
                    .unwrap_or(n - 1)
            };
            let c = point(chosen);
            let after: Vec<f64> = nearest
                .iter()
                .enumerate()
                .map(|(i, &d)| d.min(distance(i, c)))
                .collect();
            let potential: f64 = after.iter().sum();
            if best.as_ref().is_none_or(|b| potential < b.0) {
                best = Some((potential, after, chosen));
            }
        }
        let Some((_, after, chosen)) = best else {
            break;
        };
        nearest = after;
        centroids.extend_from_slice(point(chosen));
    }
    let mut labels = vec![u32::MAX; n];
    for _ in 0..max_iterations {
        let best: Vec<(u32, f32)> = (0..n)
            .into_par_iter()
            .map(|i| nearest_centroid(point(i), &centroids, dims))
            .collect();
        let changed = best
            .iter()
            .zip(&labels)
            .filter(|((l, _), old)| l != *old)
            .count();
        labels.iter_mut().zip(&best).for_each(|(l, b)| *l = b.0);
        // Converged when (almost) no point moves: the last few in a thousand would
        // take as many iterations again and change nothing anyone reads.
        if changed * CONVERGED_PER_MILLE <= n {
            break;
        }
        let mut sums = vec![0.0f32; k * dims];
        let mut counts = vec![0usize; k];
        for (i, &l) in labels.iter().enumerate() {
            counts[l as usize] += 1;
            sums[l as usize * dims..][..dims]
                .iter_mut()
                .zip(point(i))
                .for_each(|(s, x)| *s += x);
        }
        for j in 0..k {
            let sum = &mut sums[j * dims..(j + 1) * dims];
            if counts[j] == 0 || !normalize(sum) {
                // An empty cluster restarts at the point its old centroid served worst.
                let worst = (0..n)
                    .min_by(|&a, &b| best[a].1.total_cmp(&best[b].1).then(a.cmp(&b)))
                    .unwrap_or(0);
                sum.copy_from_slice(point(worst));
            }
        }
        centroids = sums;
    }
    (centroids, labels)
}

/// The centroid (index, cosine) nearest to the unit vector `z`.
pub(crate) fn nearest_centroid(z: &[f32], centroids: &[f32], dims: usize) -> (u32, f32) {
    centroids
        .chunks_exact(dims)
        .enumerate()
        .map(|(j, c)| (j as u32, dot(z, c)))
        .fold((0, f32::NEG_INFINITY), |best, cur| {
            if cur.1 > best.1 { cur } else { best }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `per` noisy unit points around each of the axes of a `dims`-space.
    fn blobs(dims: usize, per: usize) -> Vec<f32> {
        let mut rng = seeded(3);
        let mut points = Vec::new();
        for axis in 0..dims {
            for _ in 0..per {
                let mut p: Vec<f32> = (0..dims).map(|_| 0.1 * rng.gaussian() as f32).collect();
                p[axis] += 1.0;
                normalize(&mut p);
                points.extend(p);
            }
        }
        points
    }

    #[test]
    fn silhouette_finds_the_number_of_blobs() {
        let points = blobs(5, 30);
        assert_eq!(choose_k(&points, 5, 20, 7), 5);
    }

    #[test]
    fn kmeans_is_deterministic_and_separates_blobs() {
        let points = blobs(3, 20);
        let (c1, l1) = spherical_kmeans(&points, 3, 3, &mut seeded(1));
        let (c2, l2) = spherical_kmeans(&points, 3, 3, &mut seeded(1));
        assert_eq!((c1, &l1), (c2, &l2));
        for blob in l1.chunks(20) {
            assert!(blob.iter().all(|&l| l == blob[0]), "one label per blob");
        }
        let mut firsts: Vec<u32> = l1.chunks(20).map(|b| b[0]).collect();
        firsts.dedup();
        assert_eq!(firsts.len(), 3);
    }

    #[test]
    fn too_few_points_make_one_cluster() {
        assert_eq!(choose_k(&[1.0, 0.0, 0.0, 1.0], 2, 60, 1), 1);
        let (centroids, labels) = spherical_kmeans(&[], 2, 3, &mut seeded(1));
        assert!(labels.is_empty());
        assert_eq!(centroids.len(), 2);
    }
}
