//! Clause vectors → sub-topics: inside each theme, sample, reduce, cluster, then assign.
//!
//! The clauses of a theme's records (each language apart with `separate_languages`, or
//! where embeddings cover only some languages) form a **group**; each group is
//! clustered on its own, so a sub-topic never spans two themes:
//!
//! 1. A sample of at most `sample_size / themes` clauses per group (at least
//!    [`MIN_GROUP_SAMPLE`]): those with the smallest hashes of their record's text and
//!    their place in it, so the sample does not depend on input order.
//! 2. A randomized truncated SVD of the sample's TF-IDF rows gives an LSA space of
//!    `dims` dimensions in which co-occurring words (配送 and 届く, app and crash) lie
//!    close together. Where sentence embeddings cover the group's language
//!    ([`Space::embeddings`]), the clauses' unit vectors are the space as they are: no
//!    reduction, as spherical k-means needs none (BERTopic reduces with UMAP because
//!    HDBSCAN's densities do).
//! 3. Spherical k-means (cosine, k-means++ seeding) clusters the sample; k is chosen
//!    by the mean silhouette over a grid of k up to `max_clusters`, each k fitted on a
//!    sub-sample.
//! 4. Centroids closer than `merge_similarity` become one topic. An LSA centroid is
//!    then mapped back to term space (the direction P·c, its largest weights kept,
//!    [`TermCentroid`]): the cosine between a clause's TF-IDF row and that direction is
//!    the LSA cosine times the share of the clause the space captures, so a clause made
//!    of words the space does not represent is an outlier, not a random match, and a
//!    saved model can assign new clauses with the vocabulary and these weights alone.
//!    Every clause is assigned to its nearest centroid of its group in one linear,
//!    parallel pass; a clause less similar than `min_similarity` to every centroid is
//!    an outlier. Topics that reach fewer than `min_topic_size` documents are dissolved
//!    (their clauses go to the next nearest centroid or become outliers), and
//!    `max_topics` merges the smallest topic into its most similar one until the cap
//!    holds.
//!
//! Cost: O(sample · k · dims · iterations) per group for the fit, O(clauses · terms ·
//! log(centroid terms) · k) for assignment, never quadratic in the number of documents.

use std::collections::BinaryHeap;

use rayon::prelude::*;

use super::TopicOptions;
use super::assign::{Assigner, CentroidVector, ClauseVector, Scores, Target, VectorKind};
use super::embedding::Embeddings;
use super::kmeans::{choose_k, spherical_kmeans};
use super::linalg::{Projection, Rng, SparseRows, dot, normalize, seeded, truncated_svd};
use super::vectorize::{ClauseStore, NONE, Vectorizer};
use crate::record::Lang;

/// A group's sample holds at least this many clauses (when it has them).
pub(crate) const MIN_GROUP_SAMPLE: usize = 3_000;

/// A clause's topic (`NONE`: outlier), its cosine similarity to the centroid, and
/// whether it is in the topic's core. While clustering, `topic` holds the index of the
/// nearest centroid instead.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Assignment {
    pub topic: u32,
    pub similarity: f32,
    /// At least [`VectorKind::core_similarity`] to its centroid: the clauses that name
    /// the topic (see `label`).
    pub core: bool,
}

pub(crate) const OUTLIER: Assignment = Assignment {
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

/// The clauses of one theme (and language, when languages are apart).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct GroupKey {
    pub theme: u32,
    /// None: all languages together.
    pub lang: Option<Lang>,
}

/// A fitted group: its key, how it compares, and (for fitting) its LSA space.
pub(crate) struct Group {
    pub key: GroupKey,
    projection: Option<Projection>,
    dims: usize,
}

impl Group {
    /// Fits the space of a group on its sample; `None` when nothing in it has a vector.
    fn fit(
        space: Space,
        key: GroupKey,
        store: &ClauseStore,
        sample: &[usize],
        options: &TopicOptions,
        rng: &mut Rng,
    ) -> Option<Group> {
        if let Some(embeddings) = space.embeddings
            && key
                .lang
                .map_or(embeddings.covers_all(), |l| embeddings.covers(l))
        {
            return Some(Group {
                key,
                projection: None,
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
        let projection = truncated_svd(&rows, options.dims, rng)?;
        Some(Group {
            key,
            dims: projection.dims,
            projection: Some(projection),
        })
    }

    /// Clause `c` as a unit vector of the fitting space into `z` (`dims` long) and the
    /// share of the clause the space captures (1 for embeddings); `None` when it has
    /// no vector.
    fn point(
        &self,
        space: Space,
        store: &ClauseStore,
        c: usize,
        row: &mut Vec<(u32, f32)>,
        z: &mut [f32],
    ) -> Option<f32> {
        match &self.projection {
            Some(projection) => {
                space.vectorizer.row(store, c, row);
                projection.project(row, z)
            }
            None => space
                .embeddings
                .is_some_and(|e| e.vector(c, z))
                .then_some(1.0),
        }
    }

    /// The centroid `c` of the fitting space as clauses are compared with it.
    fn centroid(&self, c: Vec<f32>) -> CentroidVector {
        match &self.projection {
            Some(projection) => CentroidVector::from_lsa(projection, &c),
            None => CentroidVector::Dense(c),
        }
    }
}

/// A centroid: its group (index into the groups), its vector in the fitting space (for
/// merging), how clauses are compared with it, and its topic.
pub(crate) struct Centroid {
    pub group: usize,
    vector: Vec<f32>,
    pub compare: CentroidVector,
    pub topic: u32,
    pub active: bool,
}

/// The result: one assignment per clause, topics numbered 0..n_topics, and the groups
/// and active centroids that assign clauses to them.
pub(crate) struct Clustering {
    pub assignments: Vec<Assignment>,
    pub n_topics: usize,
    pub groups: Vec<Group>,
    pub centroids: Vec<Centroid>,
}

/// Where each record's clauses are clustered: its theme, and its language when
/// languages are clustered apart.
pub(crate) struct Grouping<'a> {
    /// Theme of each record (`NONE`: its clauses are outliers).
    pub theme_of_doc: &'a [u32],
    pub lang_of_doc: &'a [Lang],
    pub n_themes: usize,
    /// Order-free hash of each record (its text's).
    pub doc_keys: &'a [u64],
    /// Only these clauses are clustered and assigned (None: all).
    pub clauses: Option<&'a [bool]>,
}

impl Grouping<'_> {
    fn separate(space: Space, options: &TopicOptions) -> bool {
        options.separate_languages || space.embeddings.is_some_and(|e| !e.covers_all())
    }

    fn langs(separate: bool) -> &'static [Option<Lang>] {
        if separate {
            &[Some(Lang::Ja), Some(Lang::En)]
        } else {
            &[None]
        }
    }

    /// Group index of clause `c` (None for a record without a theme).
    fn group_of(&self, store: &ClauseStore, c: usize, n_langs: usize) -> Option<usize> {
        if self
            .clauses
            .is_some_and(|only| !only.get(c).copied().unwrap_or(false))
        {
            return None;
        }
        let doc = store.doc[c] as usize;
        let theme = *self.theme_of_doc.get(doc)?;
        if theme == NONE {
            return None;
        }
        let lang = usize::from(n_langs > 1 && self.lang_of_doc.get(doc) == Some(&Lang::En));
        Some(theme as usize * n_langs + lang)
    }
}

/// Clusters the clauses of `store` in `space`, inside the groups of `grouping`.
pub(crate) fn cluster(
    store: &ClauseStore,
    space: Space,
    grouping: &Grouping,
    options: &TopicOptions,
) -> Clustering {
    let langs = Grouping::langs(Grouping::separate(space, options));
    let n_langs = langs.len();
    let n_groups = grouping.n_themes * n_langs;
    let group_of = |c: usize| grouping.group_of(store, c, n_langs);
    let per_group = (options.sample_size / grouping.n_themes.max(1)).max(MIN_GROUP_SAMPLE);
    let samples = hash_samples(store, grouping.doc_keys, n_groups, &group_of, per_group);
    let mut rng = seeded(options.seed);
    let mut groups = Vec::new();
    let mut centroids = Vec::new();
    for (i, sample) in samples.iter().enumerate() {
        let key = GroupKey {
            theme: (i / n_langs) as u32,
            lang: langs[i % n_langs],
        };
        let is_english =
            |c: usize| grouping.lang_of_doc.get(store.doc[c] as usize) == Some(&Lang::En);
        if let Some((group, vectors)) =
            fit_group(store, space, key, sample, &is_english, options, &mut rng)
        {
            let index = groups.len();
            centroids.extend(vectors.into_iter().map(|vector| Centroid {
                group: index,
                compare: group.centroid(vector.clone()),
                vector,
                topic: 0,
                active: true,
            }));
            groups.push(group);
        }
    }
    merge_near_identical(&mut centroids, options.merge_similarity);
    let separate = n_langs > 1;
    let first = assign(
        store,
        space,
        grouping,
        separate,
        &groups,
        &centroids,
        options.min_similarity,
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
            grouping,
            separate,
            &groups,
            &centroids,
            options.min_similarity,
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
    centroids.retain(|c| c.active);
    for c in centroids.iter_mut() {
        c.topic = new_id[c.topic as usize];
    }
    Clustering {
        assignments,
        n_topics: next as usize,
        groups,
        centroids,
    }
}

/// An order-free key of clause `c`: its record's key mixed with its place in the record.
fn clause_key(store: &ClauseStore, doc_keys: &[u64], c: usize) -> u64 {
    let doc = store.doc[c] as usize;
    let place = (c - store.doc_clauses(doc).start) as u64;
    let mut rng =
        seeded(doc_keys.get(doc).copied().unwrap_or(0) ^ place.wrapping_mul(0x9e37_79b9_7f4a_7c15));
    rng.next_u64()
}

/// Per group, the `size` clauses with the smallest keys, sorted by key.
fn hash_samples(
    store: &ClauseStore,
    doc_keys: &[u64],
    n_groups: usize,
    group_of: &impl Fn(usize) -> Option<usize>,
    size: usize,
) -> Vec<Vec<usize>> {
    let mut heaps: Vec<BinaryHeap<(u64, usize)>> = vec![BinaryHeap::new(); n_groups];
    for c in 0..store.len() {
        let Some(heap) = group_of(c).and_then(|g| heaps.get_mut(g)) else {
            continue;
        };
        let key = (clause_key(store, doc_keys, c), c);
        if heap.len() < size {
            heap.push(key);
        } else if heap.peek().is_some_and(|top| key < *top) {
            heap.pop();
            heap.push(key);
        }
    }
    heaps
        .into_iter()
        .map(|heap| heap.into_sorted_vec().into_iter().map(|(_, c)| c).collect())
        .collect()
}

/// The space and k-means centroids of one group's sample.
fn fit_group(
    store: &ClauseStore,
    space: Space,
    key: GroupKey,
    sample: &[usize],
    is_english: &impl Fn(usize) -> bool,
    options: &TopicOptions,
    rng: &mut Rng,
) -> Option<(Group, Vec<Vec<f32>>)> {
    let group = Group::fit(space, key, store, sample, options, rng)?;
    let dims = group.dims;
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
    // A group of few records has room for few sub-topics of min_topic_size records.
    let mut docs: Vec<u32> = sample.iter().map(|&c| store.doc[c]).collect();
    docs.sort_unstable();
    docs.dedup();
    let room = (docs.len() / options.min_topic_size.max(1)).max(1);
    let k = choose_k(
        &points,
        dims,
        options.max_clusters.min(room),
        rng.next_u64(),
    );
    let (centroids, labels) = spherical_kmeans(&points, dims, k, &mut seeded(rng.next_u64()));
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

/// Merges the smallest active topic into its most similar one (the largest cosine
/// between their centroids, which must be of one kind) until at most `cap` remain; a
/// topic with no partner of its kind is dissolved instead.
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
        let similarity = |t: u32| -> Option<f32> {
            let of = |topic: u32| {
                centroids
                    .iter()
                    .filter(move |c| c.active && c.topic == topic)
            };
            of(smallest)
                .flat_map(|a| of(t).filter_map(|b| a.compare.cosine(&b.compare)))
                .reduce(f32::max)
        };
        let partner = active
            .iter()
            .filter(|&&t| t != smallest)
            .filter_map(|&t| Some((t, similarity(t)?)))
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

/// Each clause's nearest active centroid (its index), over all groups of its kind
/// (and language, when languages are apart), in parallel.
fn assign(
    store: &ClauseStore,
    space: Space,
    grouping: &Grouping,
    separate: bool,
    groups: &[Group],
    centroids: &[Centroid],
    min_similarity: f32,
) -> Vec<Assignment> {
    let targets: Vec<Target> = centroids
        .iter()
        .enumerate()
        .filter(|(_, c)| c.active)
        .map(|(i, c)| Target {
            id: i as u32,
            lang: if separate {
                groups[c.group].key.lang
            } else {
                None
            },
            vector: c.compare.clone(),
        })
        .collect();
    let assigner = Assigner::new(&targets, min_similarity);
    assign_clauses(
        store,
        space,
        grouping.lang_of_doc,
        &assigner,
        grouping.clauses,
    )
}

/// Each clause of `store` (of `only`, when given) to its nearest target of `assigner`
/// (`topic` = the target's id), in parallel: a clause in a language the embeddings
/// cover by its embedding, any other by its TF-IDF row.
pub(crate) fn assign_clauses(
    store: &ClauseStore,
    space: Space,
    lang_of_doc: &[Lang],
    assigner: &Assigner,
    only: Option<&[bool]>,
) -> Vec<Assignment> {
    let dims = space.embeddings.map_or(0, Embeddings::dims);
    (0..store.len())
        .into_par_iter()
        .map_init(
            || (Vec::new(), vec![0.0f32; dims], Scores::default()),
            |(row, z, scores), c| {
                if only.is_some_and(|only| !only.get(c).copied().unwrap_or(false)) {
                    return OUTLIER;
                }
                let Some(&lang) = lang_of_doc.get(store.doc[c] as usize) else {
                    return OUTLIER;
                };
                let clause = match space.embeddings.filter(|e| e.covers(lang)) {
                    Some(e) if e.vector(c, z) => ClauseVector::Embedded(z),
                    Some(_) => return OUTLIER,
                    None => {
                        space.vectorizer.row(store, c, row);
                        ClauseVector::Terms(row)
                    }
                };
                let kind = match clause {
                    ClauseVector::Terms(_) => VectorKind::Terms,
                    ClauseVector::Embedded(_) => VectorKind::Embedded,
                };
                assigner
                    .nearest(clause, lang, scores)
                    .map_or(OUTLIER, |(target, similarity)| Assignment {
                        topic: target.id,
                        similarity,
                        core: similarity >= kind.core_similarity(),
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
