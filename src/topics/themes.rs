//! Themes: the top level of the two-level model, one per record.
//!
//! A theme is what a whole record is about (delivery, the app, billing; sport, politics),
//! so its vector comes from all of the record's text, not from one clause:
//!
//! * the **LSA half**: the record's TF-IDF row over koe's topic terms (all its clauses'
//!   counts together, record-level document frequencies, sublinear TF), projected by a
//!   truncated SVD fitted on a sample of records and normalised;
//! * the **semantic half**, where a sentence encoder runs: the whole record's vector
//!   from [`TopicOptions::theme_vectors`] (by default the multilingual use-m3 where it
//!   is installed), else the mean of its clauses' vectors with `--topic-vectors
//!   embeddings:<model>` (see [`RecordSemantics`]). It meets "my parcel never came" and
//!   「配送が遅い」 although they share no word, and short texts, which share few words
//!   with anything.
//!
//! The halves are weighted √(1−w) and √w (w = [`TopicOptions::semantic_weight`]) and
//! the whole is normalised, so cosines mix the two in proportion w. Spherical k-means
//! over a sample of at most [`TopicOptions::sample_size`] records then finds the themes,
//! k chosen by [`stability`](super::stability) in `min_themes..=max_themes` unless
//! `themes` fixes it, and every record joins its nearest theme in one linear pass: a
//! record is an outlier only when it has no vector at all (no topic term, no embedding).
//!
//! Nothing depends on the order records came in: the sample is the records with the
//! smallest hashes of their text, sorted by hash; term columns are sorted by lemma; every
//! random choice comes from the seed. The same records shuffled give the same themes.

use rayon::prelude::*;

use super::TopicOptions;
use super::embedding::RecordSemantics;
use super::kmeans::{MAX_ITERATIONS, best_of, nearest_centroid};
use super::linalg::{Projection, Rng, SparseRows, normalize, truncated_svd};
use super::model::TopicModel;
use super::stability::{Stability, most_stable, stabilities};
use super::vectorize::{ClauseStore, NONE, Pruning, Vectorizer, Vocabulary};

/// k-means restarts for the final fit (the best is kept).
const KMEANS_INITS: usize = 4;

/// How records become theme vectors: fitted on one run, saved with the model, applied
/// as is to later runs.
pub(crate) struct ThemeSpace {
    /// Record-level columns and IDF.
    pub vectorizer: Vectorizer,
    /// The LSA projection (None when no record had a kept term).
    pub projection: Option<Projection>,
    /// Dimensions of the semantic half (0 without a model).
    pub semantic_dims: usize,
    /// Share of the cosine that comes from the semantic half.
    pub semantic_weight: f32,
}

/// Buffers for [`ThemeSpace::point`].
#[derive(Default)]
pub(crate) struct Scratch {
    row: Vec<(u32, f32)>,
    clause: Vec<f32>,
}

impl ThemeSpace {
    pub fn lsa_dims(&self) -> usize {
        self.projection.as_ref().map_or(0, |p| p.dims)
    }

    pub fn dims(&self) -> usize {
        self.lsa_dims() + self.semantic_dims
    }

    /// Record `doc` as a unit vector into `out` (`dims` long); false when it has none.
    pub fn point(
        &self,
        store: &ClauseStore,
        semantics: RecordSemantics<'_>,
        doc: usize,
        scratch: &mut Scratch,
        out: &mut [f32],
    ) -> bool {
        out.fill(0.0);
        let (lsa, semantic) = out.split_at_mut(self.lsa_dims());
        let mut halves = 0;
        if let Some(projection) = &self.projection {
            self.vectorizer.record_row(store, doc, &mut scratch.row);
            if projection.project(&scratch.row, lsa).is_some() {
                halves += 1;
                let w = (1.0 - self.semantic_weight).sqrt();
                lsa.iter_mut().for_each(|x| *x *= w);
            }
        }
        if self.semantic_dims > 0 && semantics.dims() == self.semantic_dims {
            scratch.clause.resize(self.semantic_dims, 0.0);
            if semantics.vector(doc, store.doc_clauses(doc), &mut scratch.clause, semantic) {
                halves += 1;
                let w = self.semantic_weight.sqrt();
                semantic.iter_mut().for_each(|x| *x *= w);
            }
        }
        halves > 0 && normalize(out)
    }
}

/// Fitted themes: the space, the centroids (k × dims) and how k was chosen.
pub(crate) struct ThemeFit {
    pub space: ThemeSpace,
    pub centroids: Vec<f32>,
    /// Stability of each candidate k (empty when k was fixed or there was no choice).
    pub stability: Vec<Stability>,
    /// The seed ([`TopicOptions::theme_seeds`]) of each seeded theme: themes
    /// `0..seeded.len()`, before the data's own.
    pub seeded: Vec<u32>,
}

impl ThemeFit {
    pub fn k(&self) -> usize {
        self.centroids.len() / self.space.dims().max(1)
    }
}

/// Fits the themes of the records in `store`; `keys` are the records' text hashes,
/// `seeds` the theme seed each matched (`NONE`: none).
pub(crate) fn fit(
    store: &ClauseStore,
    vocab: &Vocabulary,
    semantics: RecordSemantics<'_>,
    keys: &[u64],
    seeds: &[u32],
    options: &TopicOptions,
    rng: &mut Rng,
) -> ThemeFit {
    let vectorizer = Vectorizer::fit_records(store, vocab, options.record_pruning());
    let semantic_dims = semantics.dims();
    // Records in hash order: the sample is the first sample_size with anything to go on.
    let mut order: Vec<(u64, u32)> = keys
        .iter()
        .enumerate()
        .map(|(d, &k)| (k, d as u32))
        .collect();
    order.sort_unstable();
    let mut rows = SparseRows::new();
    let mut sample = Vec::new();
    let mut row = Vec::new();
    let mut clause = vec![0.0; semantic_dims];
    let mut semantic = vec![0.0; semantic_dims];
    for &(_, d) in &order {
        if sample.len() >= options.sample_size {
            break;
        }
        let d = d as usize;
        vectorizer.record_row(store, d, &mut row);
        let embedded = semantics.vector(d, store.doc_clauses(d), &mut clause, &mut semantic);
        if !row.is_empty() || embedded {
            sample.push(d);
            if !row.is_empty() {
                rows.push(&row);
            }
        }
    }
    let projection = truncated_svd(&rows, options.dims, rng);
    let space = ThemeSpace {
        vectorizer,
        projection,
        semantic_dims,
        semantic_weight: if semantic_dims > 0 {
            options.semantic_weight
        } else {
            0.0
        },
    };
    let dims = space.dims();
    let mut points = Vec::with_capacity(sample.len() * dims);
    let mut point_docs = Vec::with_capacity(sample.len());
    let mut z = vec![0.0; dims];
    let mut scratch = Scratch::default();
    for &d in &sample {
        if space.point(store, semantics, d, &mut scratch, &mut z) {
            points.extend_from_slice(&z);
            point_docs.push(d);
        }
    }
    let n = points.len() / dims.max(1);
    if n == 0 {
        return ThemeFit {
            space,
            centroids: Vec::new(),
            stability: Vec::new(),
            seeded: Vec::new(),
        };
    }
    if seeds.iter().all(|&s| s == NONE) {
        let (k, stability) = choose_k(&points, dims, options, rng.next_u64());
        let (centroids, _) = best_of(&points, dims, k, KMEANS_INITS, MAX_ITERATIONS, rng);
        return ThemeFit {
            space,
            centroids,
            stability,
            seeded: Vec::new(),
        };
    }
    seeded_fit(space, &points, &point_docs, seeds, options, rng)
}

/// A guided start: one theme per seed that sample records matched (the mean direction
/// of their vectors), then the themes of the records that matched none, found as
/// without seeds (`--themes N` counts all themes, seeded ones included).
fn seeded_fit(
    space: ThemeSpace,
    points: &[f32],
    point_docs: &[usize],
    seeds: &[u32],
    options: &TopicOptions,
    rng: &mut Rng,
) -> ThemeFit {
    let dims = space.dims();
    let n_seeds = options.theme_seeds.len();
    let mut sums = vec![0.0f32; n_seeds * dims];
    let mut found = vec![false; n_seeds];
    let mut free = Vec::new();
    for (p, &d) in points.chunks_exact(dims).zip(point_docs) {
        match seeds.get(d).copied().unwrap_or(NONE) {
            NONE => free.extend_from_slice(p),
            s => {
                let s = s as usize;
                found[s] = true;
                let sum = &mut sums[s * dims..(s + 1) * dims];
                sum.iter_mut().zip(p).for_each(|(a, b)| *a += b);
            }
        }
    }
    let mut centroids = Vec::new();
    let mut seeded = Vec::new();
    for s in (0..n_seeds).filter(|&s| found[s]) {
        let centroid = &mut sums[s * dims..(s + 1) * dims];
        if normalize(centroid) {
            centroids.extend_from_slice(centroid);
            seeded.push(s as u32);
        }
    }
    let mut stability = Vec::new();
    if free.len() / dims.max(1) >= options.min_topic_size.max(1) {
        let own = TopicOptions {
            themes: options
                .themes
                .map(|k| k.saturating_sub(seeded.len()).max(1)),
            ..options.clone()
        };
        let (k, scores) = choose_k(&free, dims, &own, rng.next_u64());
        let (more, _) = best_of(&free, dims, k, KMEANS_INITS, MAX_ITERATIONS, rng);
        centroids.extend(more);
        stability = scores;
    }
    ThemeFit {
        space,
        centroids,
        stability,
        seeded,
    }
}

/// The themes of a saved model, in its order, over this run's vocabulary.
pub(crate) fn from_model(model: &TopicModel, vocab: &Vocabulary) -> ThemeFit {
    ThemeFit {
        space: ThemeSpace {
            vectorizer: Vectorizer::from_model(
                model.records.lemmas.clone(),
                model.records.idf.clone(),
                vocab,
            ),
            projection: model.projection(),
            semantic_dims: model.semantic_dims,
            semantic_weight: model.semantic_weight,
        },
        centroids: model
            .themes
            .iter()
            .flat_map(|t| t.centroid.iter().copied())
            .collect(),
        stability: Vec::new(),
        seeded: Vec::new(),
    }
}

/// `options.themes`, or the most stable k in `min_themes..=max_themes` (fewer when the
/// sample cannot give each theme `min_topic_size` records).
fn choose_k(
    points: &[f32],
    dims: usize,
    options: &TopicOptions,
    seed: u64,
) -> (usize, Vec<Stability>) {
    let n = points.len() / dims;
    if let Some(k) = options.themes {
        return (k.clamp(1, n), Vec::new());
    }
    let most = options
        .max_themes
        .min(n / options.min_topic_size.max(1))
        .max(1);
    let least = options.min_themes.clamp(1, most);
    if least == most {
        return (least, Vec::new());
    }
    let ks: Vec<usize> = (least..=most).collect();
    let scores = stabilities(points, dims, &ks, seed);
    (most_stable(&scores), scores)
}

/// Each record's theme (`NONE` when it has no vector) and its cosine to the centroid,
/// in one parallel pass: a record that matched a seed ([`ThemeFit::seeded`]) is in that
/// seed's theme, any other in the nearest.
pub(crate) fn assign(
    fit: &ThemeFit,
    store: &ClauseStore,
    semantics: RecordSemantics<'_>,
    seeds: &[u32],
) -> Vec<(u32, f32)> {
    let dims = fit.space.dims();
    if fit.centroids.is_empty() {
        return vec![(NONE, 0.0); store.docs()];
    }
    (0..store.docs())
        .into_par_iter()
        .map_init(
            || (Scratch::default(), vec![0.0f32; dims]),
            |(scratch, z), d| {
                let has_point = fit.space.point(store, semantics, d, scratch, z);
                let seed = seeds.get(d).copied().unwrap_or(NONE);
                match fit.seeded.iter().position(|&s| s == seed) {
                    Some(theme) if seed != NONE => {
                        let cosine = if has_point {
                            let centroid = &fit.centroids[theme * dims..(theme + 1) * dims];
                            z.iter().zip(centroid).map(|(a, b)| a * b).sum()
                        } else {
                            0.0
                        };
                        (theme as u32, cosine)
                    }
                    _ if has_point => nearest_centroid(z, &fit.centroids, dims),
                    _ => (NONE, 0.0),
                }
            },
        )
        .collect()
}

impl TopicOptions {
    /// Document-frequency pruning of the record-level (theme) vocabulary.
    pub(crate) fn record_pruning(&self) -> Pruning {
        Pruning {
            min_df: self.min_df,
            max_df: self.max_df,
            max_terms: self.max_terms,
        }
    }

    /// Document-frequency pruning of the clause-level (sub-topic) vocabulary.
    pub(crate) fn clause_pruning(&self) -> Pruning {
        self.record_pruning()
    }
}
