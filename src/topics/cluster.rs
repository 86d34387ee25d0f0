//! Clause vectors → topics: sample, reduce, cluster, then assign everything.
//!
//! 1. A seeded reservoir sample of at most `sample_size` clauses (per language group)
//!    is the only data that is ever compared pairwise-ish.
//! 2. A randomized truncated SVD of the sample's TF-IDF rows gives an LSA space of
//!    `dims` dimensions in which co-occurring words (配送 and 届く, app and crash) lie
//!    close together. Where sentence embeddings cover the group's language
//!    ([`Space::embeddings`]), the clauses' unit vectors are the space as they are: no
//!    reduction, as spherical k-means needs none (BERTopic reduces with UMAP because
//!    HDBSCAN's densities do).
//! 3. Spherical k-means (cosine, k-means++ seeding) clusters the sample; k is chosen
//!    by the mean silhouette over a grid of k, each k fitted on a sub-sample.
//! 4. Centroids closer than `merge_similarity` become one topic; then every clause is
//!    assigned to its nearest centroid in one linear, parallel pass, and a clause less
//!    similar than `min_similarity` to every centroid is an outlier. Similarity is the
//!    cosine in term space between the clause and the centroid's direction (the LSA
//!    cosine times the share of the clause the LSA space captures), so a clause made
//!    of words the space does not represent is an outlier, not a random match. Topics that reach
//!    fewer than `min_topic_size` documents are dissolved (their clauses go to the next
//!    nearest centroid or become outliers), and `max_topics` merges the smallest topic
//!    into its most similar one until the cap holds.
//!
//! Cost: O(sample · k · dims · iterations) for the fit, O(clauses · (terms + k) · dims)
//! for assignment, never quadratic in the number of documents.

use rayon::prelude::*;

use super::TopicOptions;
use super::embedding::Embeddings;
use super::kmeans::{choose_k, spherical_kmeans};
use super::linalg::{Projection, Rng, SparseRows, dot, normalize, truncated_svd};
use super::vectorize::{ClauseStore, NONE, Vectorizer};
use crate::record::Lang;

/// A clause's topic (`NONE`: outlier), its cosine similarity to the centroid, and
/// whether it is in the topic's core. While clustering, `topic` holds the index of the
/// nearest centroid instead.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Assignment {
    pub topic: u32,
    pub similarity: f32,
    /// At least [`Group::core_similarity`] to its centroid: the clauses that name the
    /// topic (see `label`).
    pub core: bool,
}

const OUTLIER: Assignment = Assignment {
    topic: NONE,
    similarity: 0.0,
    core: false,
};

/// What clauses are clustered as: their TF-IDF rows, projected into an LSA space fitted
/// per group, and, for the languages the model covers, their sentence embeddings.
#[derive(Clone, Copy)]
pub(crate) struct Space<'a> {
    pub vectorizer: &'a Vectorizer,
    pub embeddings: Option<&'a Embeddings>,
}

/// The space of one language group (or of everything).
enum Group {
    Lsa(Projection),
    Embedded { dims: usize },
}

impl Group {
    /// Fits the space of a group of `lang` (`None`: all languages) on its sample;
    /// `None` when nothing in it has a vector.
    fn fit(
        space: Space,
        lang: Option<Lang>,
        store: &ClauseStore,
        sample: &[usize],
        options: &TopicOptions,
        rng: &mut Rng,
    ) -> Option<Group> {
        if let Some(embeddings) = space.embeddings
            && lang.map_or(embeddings.covers_all(), |l| embeddings.covers(l))
        {
            return Some(Group::Embedded {
                dims: embeddings.dims(),
            });
        }
        let vectorizer = space.vectorizer;
        let mut rows = SparseRows::new();
        let mut row = Vec::new();
        for &c in sample {
            vectorizer.row(store, c, &mut row);
            if !row.is_empty() {
                rows.push(&row);
            }
        }
        truncated_svd(&rows, vectorizer.n_cols(), options.dims, rng).map(Group::Lsa)
    }

    fn dims(&self) -> usize {
        match self {
            Group::Lsa(projection) => projection.dims,
            Group::Embedded { dims } => *dims,
        }
    }

    /// The similarity from which a clause is in its topic's core. The scales differ:
    /// term-space cosines of short clauses run lower than sentence-embedding cosines,
    /// whose members sit at 0.5–0.8 from their centroid. Chosen on a 10 000-record
    /// corpus from `benches/gen_corpus.py --seed 11` (not a reported one) by the NPMI
    /// of the label terms (top 3, scored by benches/bertopic_compare.py): with MiniLM
    /// for English, 0.445 at 0.5 and 0.512 at 0.7; TF-IDF 0.551 at 0.5, 0.549 at 0.7.
    fn core_similarity(&self) -> f32 {
        match self {
            Group::Lsa(_) => 0.5,
            Group::Embedded { .. } => 0.7,
        }
    }

    /// Clause `c` as a unit vector into `z` (`dims` long) and the share of the clause
    /// the space captures (1 for embeddings); `None` when it has no vector.
    fn point(
        &self,
        space: Space,
        store: &ClauseStore,
        c: usize,
        row: &mut Vec<(u32, f32)>,
        z: &mut [f32],
    ) -> Option<f32> {
        match self {
            Group::Lsa(projection) => {
                space.vectorizer.row(store, c, row);
                projection.project(row, z)
            }
            Group::Embedded { .. } => space
                .embeddings
                .is_some_and(|e| e.vector(c, z))
                .then_some(1.0),
        }
    }
}

struct Centroid {
    group: usize,
    vector: Vec<f32>,
    topic: u32,
    active: bool,
}

/// The result: one assignment per clause, topics numbered 0..n_topics.
pub(crate) struct Clustering {
    pub assignments: Vec<Assignment>,
    pub n_topics: usize,
}

/// Clusters all clauses of `store` in `space`; `lang_of_doc` decides groups when
/// languages are clustered separately, as they are when embeddings cover only some
/// languages (the spaces differ).
pub(crate) fn cluster(
    store: &ClauseStore,
    space: Space,
    lang_of_doc: &[Lang],
    options: &TopicOptions,
) -> Clustering {
    let separate = options.separate_languages || space.embeddings.is_some_and(|e| !e.covers_all());
    let group_langs: &[Option<Lang>] = if separate {
        &[Some(Lang::Ja), Some(Lang::En)]
    } else {
        &[None]
    };
    let group_of = |c: usize| -> usize {
        match lang_of_doc.get(store.doc[c] as usize) {
            Some(Lang::En) if separate => 1,
            _ => 0,
        }
    };
    let mut rng = Rng::new(options.seed);
    let samples = reservoir(
        store.len(),
        group_langs.len(),
        group_of,
        options.sample_size,
        &mut rng,
    );
    let mut groups = Vec::new();
    // Fitted group of each sample group (None when it had nothing to fit).
    let mut fitted = vec![None; samples.len()];
    let mut centroids = Vec::new();
    for (i, sample) in samples.iter().enumerate() {
        let is_english = |c: usize| lang_of_doc.get(store.doc[c] as usize) == Some(&Lang::En);
        if let Some((fitted_group, vectors)) = fit_group(
            store,
            space,
            group_langs[i],
            sample,
            &is_english,
            options,
            &mut rng,
        ) {
            let group = groups.len();
            fitted[i] = Some(group);
            groups.push(fitted_group);
            centroids.extend(vectors.into_iter().map(|vector| Centroid {
                group,
                vector,
                topic: 0,
                active: true,
            }));
        }
    }
    merge_near_identical(&mut centroids, options.merge_similarity);
    let group_of_clause = |c: usize| fitted[group_of(c)];
    let first = assign(
        store,
        space,
        &groups,
        &centroids,
        options.min_similarity,
        &group_of_clause,
    );
    let n_topics = centroids
        .iter()
        .map(|c| c.topic as usize + 1)
        .max()
        .unwrap_or(0);
    let topic_of = |a: &Assignment| {
        let mut a = *a;
        if a.topic != NONE {
            a.topic = centroids[a.topic as usize].topic;
        }
        a
    };
    let sizes = docs_per_topic(
        store,
        &first.iter().map(topic_of).collect::<Vec<_>>(),
        n_topics,
    );
    for c in centroids.iter_mut() {
        if sizes[c.topic as usize] < options.min_topic_size.max(1) {
            c.active = false;
        }
    }
    if let Some(cap) = options.max_topics {
        cap_topics(&mut centroids, sizes, cap);
    }
    let mut assignments = if centroids.iter().all(|c| c.active) {
        first
    } else {
        assign(
            store,
            space,
            &groups,
            &centroids,
            options.min_similarity,
            &group_of_clause,
        )
    };
    for a in assignments.iter_mut().filter(|a| a.topic != NONE) {
        a.topic = centroids[a.topic as usize].topic;
    }
    // Number the surviving topics 0.. in order of first centroid.
    let mut new_id = vec![NONE; n_topics];
    let mut next = 0;
    for c in centroids.iter().filter(|c| c.active) {
        if new_id[c.topic as usize] == NONE {
            new_id[c.topic as usize] = next;
            next += 1;
        }
    }
    for a in assignments.iter_mut().filter(|a| a.topic != NONE) {
        a.topic = new_id[a.topic as usize];
    }
    Clustering {
        assignments,
        n_topics: next as usize,
    }
}

/// Seeded reservoir samples (Algorithm R) of clause indices, one per group, sorted.
fn reservoir(
    n: usize,
    n_groups: usize,
    group_of: impl Fn(usize) -> usize,
    size: usize,
    rng: &mut Rng,
) -> Vec<Vec<usize>> {
    let mut samples = vec![Vec::new(); n_groups];
    let mut seen = vec![0usize; n_groups];
    for c in 0..n {
        let g = group_of(c).min(n_groups - 1);
        seen[g] += 1;
        if samples[g].len() < size {
            samples[g].push(c);
        } else {
            let j = rng.below(seen[g]);
            if j < size {
                samples[g][j] = c;
            }
        }
    }
    samples.iter_mut().for_each(|s| s.sort_unstable());
    samples
}

/// The space and k-means centroids of one group's sample.
fn fit_group(
    store: &ClauseStore,
    space: Space,
    lang: Option<Lang>,
    sample: &[usize],
    is_english: &impl Fn(usize) -> bool,
    options: &TopicOptions,
    rng: &mut Rng,
) -> Option<(Group, Vec<Vec<f32>>)> {
    let group = Group::fit(space, lang, store, sample, options, rng)?;
    let dims = group.dims();
    let mut points = Vec::with_capacity(sample.len() * dims);
    let mut english = Vec::with_capacity(sample.len());
    let mut row = Vec::new();
    let mut z = vec![0.0; dims];
    for &c in sample {
        // A clause the space barely captures would be an outlier anyway; as a point it
        // is only noise in an arbitrary direction.
        if group
            .point(space, store, c, &mut row, &mut z)
            .is_some_and(|captured| captured >= options.min_similarity)
        {
            points.extend_from_slice(&z);
            english.push(is_english(c));
        }
    }
    let n = points.len() / dims;
    if n == 0 {
        return None;
    }
    let k = choose_k(&points, dims, options.max_clusters, rng.next_u64());
    let (centroids, labels) = spherical_kmeans(&points, dims, k, &mut Rng::new(rng.next_u64()));
    let centroids = split_by_language(&points, dims, &labels, &english, &centroids);
    Some((group, centroids))
}

/// A cluster needs this many points of each language to be split by language…
const SPLIT_MIN_POINTS: usize = 4;
/// …and its two languages' means must be less similar than this.
const SPLIT_SIMILARITY: f32 = 0.3;

/// Japanese and English clauses share almost no terms, so when k is too small k-means
/// can park a Japanese and an English group on one centroid halfway between them. A
/// cluster whose two languages' means point different ways (and whose minority
/// language has a fifth of its points) becomes two centroids, one per language.
/// Clusters that mix languages through shared words (「app」 in Japanese text) stay.
fn split_by_language(
    points: &[f32],
    dims: usize,
    labels: &[u32],
    english: &[bool],
    centroids: &[f32],
) -> Vec<Vec<f32>> {
    let k = centroids.len() / dims;
    let mut sums = vec![0.0f32; k * 2 * dims];
    let mut counts = vec![[0usize; 2]; k];
    for ((point, &label), &en) in points.chunks_exact(dims).zip(labels).zip(english) {
        let side = usize::from(en);
        counts[label as usize][side] += 1;
        let at = (label as usize * 2 + side) * dims;
        sums[at..at + dims]
            .iter_mut()
            .zip(point)
            .for_each(|(s, x)| *s += x);
    }
    let mut out = Vec::with_capacity(k);
    for (j, centroid) in centroids.chunks_exact(dims).enumerate() {
        let [ja, en] = counts[j];
        let minority = ja.min(en);
        if minority >= SPLIT_MIN_POINTS && minority * 5 >= ja + en {
            let mut a = sums[j * 2 * dims..(j * 2 + 1) * dims].to_vec();
            let mut b = sums[(j * 2 + 1) * dims..(j * 2 + 2) * dims].to_vec();
            if normalize(&mut a) && normalize(&mut b) && dot(&a, &b) < SPLIT_SIMILARITY {
                out.push(a);
                out.push(b);
                continue;
            }
        }
        out.push(centroid.to_vec());
    }
    out
}

/// Centroids of one group whose cosine exceeds `threshold` share a topic (single
/// linkage, union–find); topics are numbered 0.. by first centroid.
fn merge_near_identical(centroids: &mut [Centroid], threshold: f32) {
    let n = centroids.len();
    let mut parent: Vec<usize> = (0..n).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    for i in 0..n {
        for j in i + 1..n {
            if centroids[i].group == centroids[j].group
                && dot(&centroids[i].vector, &centroids[j].vector) > threshold
            {
                let (a, b) = (root(&mut parent, i), root(&mut parent, j));
                parent[a.max(b)] = a.min(b);
            }
        }
    }
    let mut id = vec![NONE; n];
    let mut next = 0;
    for (i, centroid) in centroids.iter_mut().enumerate() {
        let r = root(&mut parent, i);
        if id[r] == NONE {
            id[r] = next;
            next += 1;
        }
        centroid.topic = id[r];
    }
}

/// Merges the smallest active topic into its most similar one (same group, cosine of
/// the topics' mean centroids) until at most `cap` remain; a topic with no partner in
/// its group is dissolved instead.
fn cap_topics(centroids: &mut [Centroid], mut sizes: Vec<usize>, cap: usize) {
    loop {
        let mut active: Vec<u32> = centroids
            .iter()
            .filter(|c| c.active)
            .map(|c| c.topic)
            .collect();
        active.sort_unstable();
        active.dedup();
        if active.len() <= cap {
            return;
        }
        let Some(&smallest) = active
            .iter()
            .min_by_key(|&&t| (sizes[t as usize], std::cmp::Reverse(t)))
        else {
            return;
        };
        let mean = |t: u32| -> (usize, Vec<f32>) {
            let members: Vec<&Centroid> = centroids
                .iter()
                .filter(|c| c.active && c.topic == t)
                .collect();
            let group = members.first().map_or(usize::MAX, |c| c.group);
            let mut v = vec![0.0; members.first().map_or(0, |c| c.vector.len())];
            for c in &members {
                v.iter_mut().zip(&c.vector).for_each(|(s, x)| *s += x);
            }
            normalize(&mut v);
            (group, v)
        };
        let (group, v) = mean(smallest);
        let partner = active
            .iter()
            .filter(|&&t| t != smallest)
            .map(|&t| (t, mean(t)))
            .filter(|(_, (g, _))| *g == group)
            .map(|(t, (_, w))| (t, dot(&v, &w)))
            .fold(None, |best: Option<(u32, f32)>, cur| match best {
                Some(b) if b.1 >= cur.1 => Some(b),
                _ => Some(cur),
            });
        for c in centroids
            .iter_mut()
            .filter(|c| c.active && c.topic == smallest)
        {
            match partner {
                Some((p, _)) => c.topic = p,
                None => c.active = false,
            }
        }
        if let Some((p, _)) = partner {
            sizes[p as usize] += sizes[smallest as usize];
        }
    }
}

/// Nearest active centroid (its index) of each clause's group, in parallel.
fn assign(
    store: &ClauseStore,
    space: Space,
    groups: &[Group],
    centroids: &[Centroid],
    min_similarity: f32,
    group_of_clause: &(impl Fn(usize) -> Option<usize> + Sync),
) -> Vec<Assignment> {
    let max_dims = groups.iter().map(|g| g.dims()).max().unwrap_or(0);
    (0..store.len())
        .into_par_iter()
        .map_init(
            || (Vec::new(), vec![0.0f32; max_dims]),
            |(row, z), c| {
                let Some(g) = group_of_clause(c) else {
                    return OUTLIER;
                };
                let group = &groups[g];
                let z = &mut z[..group.dims()];
                let Some(captured) = group.point(space, store, c, row, z) else {
                    return OUTLIER;
                };
                // captured · cos(z, centroid) is the cosine, in term space, between the
                // clause and the centroid's direction: a clause the LSA space hardly
                // represents cannot pass for a good match. (Embeddings capture all.)
                centroids
                    .iter()
                    .enumerate()
                    .filter(|(_, ce)| ce.active && ce.group == g)
                    .map(|(i, ce)| (i as u32, captured * dot(z, &ce.vector)))
                    .fold(None, |best: Option<(u32, f32)>, cur| match best {
                        Some(b) if b.1 >= cur.1 => Some(b),
                        _ => Some(cur),
                    })
                    .filter(|&(_, s)| s >= min_similarity)
                    .map_or(OUTLIER, |(topic, similarity)| Assignment {
                        topic,
                        similarity,
                        core: similarity >= group.core_similarity(),
                    })
            },
        )
        .collect()
}

/// Documents with at least one clause in each topic.
pub(crate) fn docs_per_topic(
    store: &ClauseStore,
    assignments: &[Assignment],
    n_topics: usize,
) -> Vec<usize> {
    let mut sizes = vec![0usize; n_topics];
    let mut seen: Vec<u32> = Vec::new();
    for d in 0..store.docs() {
        seen.clear();
        for a in &assignments[store.doc_clauses(d)] {
            if a.topic != NONE && !seen.contains(&a.topic) {
                seen.push(a.topic);
                sizes[a.topic as usize] += 1;
            }
        }
    }
    sizes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_centroid_between_languages_is_split() {
        // Japanese points along x, English along y, all on one centroid.
        let dims = 2;
        let mut points = Vec::new();
        let mut english = Vec::new();
        for i in 0..10 {
            points.extend_from_slice(if i % 2 == 0 { &[1.0, 0.0] } else { &[0.0, 1.0] });
            english.push(i % 2 == 1);
        }
        let labels = vec![0; 10];
        let half = std::f32::consts::FRAC_1_SQRT_2;
        let split = split_by_language(&points, dims, &labels, &english, &[half, half]);
        assert_eq!(split, vec![vec![1.0, 0.0], vec![0.0, 1.0]]);
        // The same languages pointing the same way stay one topic.
        let same = [1.0, 0.0].repeat(10);
        let kept = split_by_language(&same, dims, &labels, &english, &[1.0, 0.0]);
        assert_eq!(kept, vec![vec![1.0, 0.0]]);
    }
}
