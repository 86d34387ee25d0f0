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

use super::linalg::{Rng, dot, normalize};

/// Sub-sample on which each candidate k is fitted.
const SELECTION_SAMPLE: usize = 5_000;
/// Points whose silhouette is measured (pairwise distances: keep it small).
const SILHOUETTE_SAMPLE: usize = 1_500;
/// A candidate k must leave about this many sample points per cluster.
const MIN_POINTS_PER_CLUSTER: usize = 4;
const MAX_ITERATIONS: usize = 50;
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
            let mut rng = Rng::new(seed ^ (k as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15));
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
    let n = points.len() / dims;
    let k = k.clamp(1, n.max(1));
    let point = |i: usize| &points[i * dims..(i + 1) * dims];
    let mut centroids = Vec::with_capacity(k * dims);
    if n == 0 {
        return (vec![0.0; k * dims], Vec::new());
    }
    centroids.extend_from_slice(point(rng.below(n)));
    let mut nearest: Vec<f64> = (0..n)
        .map(|i| f64::from(1.0 - dot(point(i), &centroids[..dims])).max(0.0))
        .collect();
    for _ in 1..k {
        let weights: f64 = nearest.iter().map(|d| d * d).sum();
        let chosen = if weights <= 0.0 {
            rng.below(n)
        } else {
            let mut target = rng.next_f64() * weights;
            nearest
                .iter()
                .position(|d| {
                    target -= d * d;
                    target <= 0.0
                })
                .unwrap_or(n - 1)
        };
        let c = point(chosen).to_vec();
        for (i, d) in nearest.iter_mut().enumerate() {
            *d = d.min(f64::from(1.0 - dot(point(i), &c)).max(0.0));
        }
        centroids.extend_from_slice(&c);
    }
    let mut labels = vec![u32::MAX; n];
    for _ in 0..MAX_ITERATIONS {
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
        if changed == 0 {
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

fn nearest_centroid(z: &[f32], centroids: &[f32], dims: usize) -> (u32, f32) {
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
        let mut rng = Rng::new(3);
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
        let (c1, l1) = spherical_kmeans(&points, 3, 3, &mut Rng::new(1));
        let (c2, l2) = spherical_kmeans(&points, 3, 3, &mut Rng::new(1));
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
        let (centroids, labels) = spherical_kmeans(&[], 2, 3, &mut Rng::new(1));
        assert!(labels.is_empty());
        assert_eq!(centroids.len(), 2);
    }
}
