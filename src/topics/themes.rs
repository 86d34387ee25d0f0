//! Themes: the top level of the two-level model, one per record.
//!
//! A theme is what a whole record is about (delivery, the app, billing; sport, politics),
//! so its vector comes from all of the record's text, not from one clause:
//!
//! * the **LSA half**: the record's TF-IDF row over koe's topic terms (all its clauses'
//!   counts together, record-level document frequencies, sublinear TF), where the corpus
//!   has both languages with the English counterparts of its Japanese words
//!   ([`bridge`](super::bridge)), projected by a truncated SVD fitted on a sample of
//!   records and normalised;
//! * the **semantic half**, where a sentence encoder runs: the whole record's vector
//!   from [`TopicOptions::theme_vectors`] (by default the multilingual use-m3 where it
//!   is installed), else the mean of its clauses' vectors with `--topic-vectors
//!   embeddings:<model>` (see [`RecordSemantics`]). It meets "my parcel never came" and
//!   「配送が遅い」 although they share no word, and short texts, which share few words
//!   with anything.
//!
//! The halves are weighted √(1−w) and √w (w = [`TopicOptions::semantic_weight`]) and
//! the whole is normalised, so cosines mix the two in proportion w. Where the sample
//! has records of both languages, each language's vectors are then centred on the mean
//! of all ([`lang_shifts`]): both halves set a language apart (LSA by its words, the
//! encoder by its style), and without the shift a theme can be a language. Spherical k-means
//! over a sample of at most [`TopicOptions::sample_size`] records then finds the themes,
//! k chosen by [`stability`](super::stability) in `min_themes..=max_themes` unless
//! `themes` fixes it, and every record joins its nearest theme in one linear pass: a
//! record is an outlier only when it has no vector at all (no topic term, no embedding).
//!
//! Nothing depends on the order records came in: the sample is the records with the
//! smallest hashes of their text, sorted by hash; term columns are sorted by lemma; every
//! random choice comes from the seed. The same records shuffled give the same themes.

use std::ops::Range;

use rayon::prelude::*;

use super::TopicOptions;
use super::bridge::Bridge;
use super::embedding::RecordSemantics;
use super::kmeans::{MAX_ITERATIONS, best_of, nearest_centroid};
use super::linalg::{Projection, Rng, SparseRows, normalize, truncated_svd};
use super::model::TopicModel;
use super::stability::{Stability, most_stable, stabilities};
use super::vectorize::{ClauseStore, NONE, Pruning, Vectorizer, Vocabulary};
use crate::record::Lang;

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
    /// Added to the vectors of a language's records before they are normalised again:
    /// the mean of all sampled records minus that language's mean (see [`lang_shifts`]).
    pub lang_shifts: Vec<(Lang, Vec<f32>)>,
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

    /// Record `doc` (in `lang`) as a unit vector into `out` (`dims` long); false when it
    /// has none.
    pub fn point(
        &self,
        store: &ClauseStore,
        semantics: RecordSemantics<'_>,
        doc: usize,
        lang: Lang,
        scratch: &mut Scratch,
        out: &mut [f32],
    ) -> bool {
        if !self.unshifted_point(store, semantics, doc, scratch, out) {
            return false;
        }
        match self.lang_shifts.iter().find(|(l, _)| *l == lang) {
            Some((_, shift)) => {
                out.iter_mut().zip(shift).for_each(|(x, s)| *x += s);
                normalize(out)
            }
            None => true,
        }
    }

    fn unshifted_point(
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

/// What the theme fit needs to know of each record besides its clauses, one entry per
/// record of the store.
#[derive(Clone, Copy)]
pub(crate) struct RecordFacts<'a> {
    /// The records' text hashes (the sample is taken in their order).
    pub keys: &'a [u64],
    /// The records' languages (for the ja–en bridge and the language shifts).
    pub langs: &'a [Lang],
    /// The theme seed each record matched (`NONE`: none).
    pub seeds: &'a [u32],
}

/// Fits the themes of the records in `store`.
pub(crate) fn fit(
    store: &ClauseStore,
    vocab: &Vocabulary,
    semantics: RecordSemantics<'_>,
    records: RecordFacts<'_>,
    options: &TopicOptions,
    rng: &mut Rng,
) -> ThemeFit {
    let RecordFacts { keys, langs, seeds } = records;
    let count = |lang: Lang| langs.iter().filter(|&&l| l == lang).count();
    let mixed = [Lang::Ja, Lang::En]
        .into_iter()
        .all(|lang| has_a_share(count(lang), langs.len(), options.min_topic_size));
    let dictionary = options.ja_en_dictionary.as_deref().filter(|_| mixed);
    let bridge = Bridge::build(vocab, dictionary);
    let vectorizer = Vectorizer::fit_records(store, vocab, options.record_pruning(), &bridge);
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
    let mut space = ThemeSpace {
        vectorizer,
        projection,
        lang_shifts: Vec::new(),
        semantic_dims,
        semantic_weight: if semantic_dims > 0 {
            options.semantic_weight
        } else {
            0.0
        },
    };
    let dims = space.dims();
    let mut points = Vec::with_capacity(sample.len() * dims);
    let mut point_langs = Vec::with_capacity(sample.len());
    let mut point_docs = Vec::with_capacity(sample.len());
    let mut z = vec![0.0; dims];
    let mut scratch = Scratch::default();
    for &d in &sample {
        if space.unshifted_point(store, semantics, d, &mut scratch, &mut z) {
            points.extend_from_slice(&z);
            point_langs.push(langs[d]);
            point_docs.push(d);
        }
    }
    if space.vectorizer.has_bridge() || semantic_in_both(&points, &point_langs, &space) {
        space.lang_shifts = lang_shifts(&points, &point_langs, dims, options.min_topic_size);
    }
    for (p, lang) in points.chunks_exact_mut(dims.max(1)).zip(&point_langs) {
        if let Some((_, shift)) = space.lang_shifts.iter().find(|(l, _)| l == lang) {
            p.iter_mut().zip(shift).for_each(|(x, s)| *x += s);
            normalize(p);
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
                &model.records.bridge,
                vocab,
            ),
            projection: model.projection(),
            semantic_dims: model.semantic_dims,
            semantic_weight: model.semantic_weight,
            lang_shifts: model.lang_shifts.clone(),
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

/// Whether a language with `count` of `n` records is more than a few stray records: at
/// least `min_records` of them and 5 % of all. Only then does the bridge join it to the
/// other language (two English titles among 3 000 Japanese ones would only add noise)
/// and does it get a shift of its own.
fn has_a_share(count: usize, n: usize, min_records: usize) -> bool {
    count >= min_records.max(1) && count * 20 >= n
}

/// Whether the semantic half is there for records of both languages: with neither it
/// nor the bridge, nothing relates a Japanese record to an English one, and centring
/// the languages would only pair them at random.
fn semantic_in_both(points: &[f32], langs: &[Lang], space: &ThemeSpace) -> bool {
    let (lsa, dims) = (space.lsa_dims(), space.dims());
    let has = |lang: Lang| {
        points
            .chunks_exact(dims.max(1))
            .zip(langs)
            .any(|(p, &l)| l == lang && p[lsa..].iter().any(|&x| x != 0.0))
    };
    space.semantic_dims > 0 && has(Lang::Ja) && has(Lang::En)
}

/// Where the sample has records of more than one language, each with at least
/// `min_records` of them and 5 % of the sample: for each such language, the mean of all
/// points minus the mean of its points. Added to a record's vector, it takes away what
/// sets its language apart — the direction between the languages' means, which both
/// halves have (LSA: words of one language only; the encoder: a language's style) —
/// so that a theme is what records are about, not the language they are written in
/// (language-specific centring, as for multilingual sentence encoders). A corpus in
/// one language has no shift.
fn lang_shifts(
    points: &[f32],
    langs: &[Lang],
    dims: usize,
    min_records: usize,
) -> Vec<(Lang, Vec<f32>)> {
    let n = langs.len();
    if dims == 0 {
        return Vec::new();
    }
    let mut all = vec![0.0f64; dims];
    let mut by_lang: Vec<(Lang, usize, Vec<f64>)> = Vec::new();
    for (p, &lang) in points.chunks_exact(dims).zip(langs) {
        let i = match by_lang.iter().position(|(l, _, _)| *l == lang) {
            Some(i) => i,
            None => {
                by_lang.push((lang, 0, vec![0.0; dims]));
                by_lang.len() - 1
            }
        };
        by_lang[i].1 += 1;
        for ((a, m), &x) in all.iter_mut().zip(&mut by_lang[i].2).zip(p) {
            *a += f64::from(x);
            *m += f64::from(x);
        }
    }
    let qualifies = |count: usize| has_a_share(count, n, min_records);
    if by_lang.iter().filter(|(_, c, _)| qualifies(*c)).count() < 2 {
        return Vec::new();
    }
    let mut shifts: Vec<(Lang, Vec<f32>)> = by_lang
        .into_iter()
        .filter(|(_, c, _)| qualifies(*c))
        .map(|(lang, count, sum)| {
            let shift = all
                .iter()
                .zip(&sum)
                .map(|(a, s)| (a / n as f64 - s / count as f64) as f32)
                .collect();
            (lang, shift)
        })
        .collect();
    shifts.sort_by_key(|(lang, _)| *lang as u8);
    shifts
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

/// The theme of each record of `docs` (`NONE` when it has no vector) and its cosine to
/// the centroid, in one parallel pass: a record that matched a seed
/// ([`ThemeFit::seeded`]) is in that seed's theme, any other in the nearest.
/// `semantics` holds the vectors of `docs` at least.
pub(crate) fn assign(
    fit: &ThemeFit,
    store: &ClauseStore,
    semantics: RecordSemantics<'_>,
    records: RecordFacts<'_>,
    docs: Range<usize>,
) -> Vec<(u32, f32)> {
    let RecordFacts { langs, seeds, .. } = records;
    let dims = fit.space.dims();
    if fit.centroids.is_empty() {
        return vec![(NONE, 0.0); docs.len()];
    }
    docs.into_par_iter()
        .map_init(
            || (Scratch::default(), vec![0.0f32; dims]),
            |(scratch, z), d| {
                let has_point = fit.space.point(store, semantics, d, langs[d], scratch, z);
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Points of one topic, `n` per language, the Japanese ones off in a direction of
    /// their own, as a language sets its records apart.
    fn two_languages(n: usize) -> (Vec<f32>, Vec<Lang>) {
        let mut points = Vec::new();
        let mut langs = Vec::new();
        for i in 0..n {
            let wobble = i as f32 * 0.01;
            points.extend([1.0, wobble, 0.0]);
            langs.push(Lang::En);
            points.extend([1.0, wobble, 1.0]);
            langs.push(Lang::Ja);
        }
        (points, langs)
    }

    #[test]
    fn shifts_take_away_the_direction_between_languages() {
        let (mut points, langs) = two_languages(20);
        let shifts = lang_shifts(&points, &langs, 3, 10);
        assert_eq!(shifts.len(), 2);
        for (p, lang) in points.chunks_exact_mut(3).zip(&langs) {
            let (_, shift) = shifts.iter().find(|(l, _)| l == lang).unwrap();
            p.iter_mut().zip(shift).for_each(|(x, s)| *x += s);
        }
        // Both languages sit at one place on the third axis (the language); what the
        // records are about stays.
        assert!(
            points
                .chunks_exact(3)
                .all(|p| (p[2] - 0.5).abs() < 1e-6 && p[0] > 0.9)
        );
    }

    #[test]
    fn a_language_with_few_records_or_one_language_gets_no_shift() {
        let (points, langs) = two_languages(20);
        assert!(lang_shifts(&points, &langs, 3, 30).is_empty());
        let english = vec![Lang::En; langs.len()];
        assert!(lang_shifts(&points, &english, 3, 10).is_empty());
    }
}
