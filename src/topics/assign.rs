//! Clauses → sub-topics: the nearest centroid of all themes, in one linear pass.
//!
//! Sub-topics are fitted inside their theme, but a clause is matched against every
//! theme's sub-topics: 「配送は遅かったけど、スタッフは親切でした」 is one record in one
//! theme, and its staff clause still finds the kind-staff sub-topic wherever that lives.
//! A centroid is a direction in term space (an LSA centroid mapped back, see
//! [`CentroidVector::from_lsa`]) compared with a clause's unit TF-IDF row, or a unit
//! vector of a sentence-embedding model compared with the clause's embedding; a clause
//! is compared only with centroids of its kind, and of its language when languages are
//! clustered apart. Term centroids sit in an inverted index (column → centroids), so a
//! clause costs the postings of its few terms, not a pass over every centroid. The same
//! [`Assigner`] assigns the clauses of the run that fitted the centroids and of later
//! runs that apply its saved model.

use serde::{Deserialize, Serialize};

use super::linalg::{Projection, dot};
use crate::record::Lang;

/// A clause less similar than this to every centroid of its kind is an outlier, and one
/// at least `core_similarity` is in its topic's core (see `label`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum VectorKind {
    /// TF-IDF rows against term-space centroids.
    Terms,
    /// Sentence embeddings against centroids in the model's space.
    Embedded,
}

impl VectorKind {
    /// The similarity from which a clause is in its topic's core. The scales differ:
    /// term-space cosines of short clauses run lower than sentence-embedding cosines,
    /// whose members sit at 0.5–0.8 from their centroid. Chosen on a 10 000-record
    /// corpus from `benches/gen_corpus.py --seed 11` (not a reported one) by the NPMI
    /// of the label terms (top 3, scored by benches/bertopic_compare.py): with MiniLM
    /// for English, 0.445 at 0.5 and 0.512 at 0.7; TF-IDF 0.551 at 0.5, 0.549 at 0.7.
    pub fn core_similarity(self) -> f32 {
        match self {
            VectorKind::Terms => 0.5,
            VectorKind::Embedded => 0.7,
        }
    }
}

/// A centroid as clauses are compared with it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum CentroidVector {
    /// A direction in term space: (column, weight), sorted by column.
    Terms(Vec<(u32, f32)>),
    /// A unit vector in the embedding space.
    Dense(Vec<f32>),
}

/// Largest weights kept of a term-space centroid: those that make up this share of
/// its squared length…
const TERM_CENTROID_MASS: f32 = 0.995;
/// …and at most this many.
const TERM_CENTROID_TERMS: usize = 1_000;

impl CentroidVector {
    /// The LSA centroid `c` mapped back to term space (P·c), its largest weights kept:
    /// the cosine between a clause's unit TF-IDF row and P·c is the LSA cosine times the
    /// share of the clause the LSA space captures, so a clause made of words the space
    /// does not represent is an outlier, not a random match.
    pub fn from_lsa(projection: &Projection, c: &[f32]) -> Self {
        let mut weights = projection.back_project(c);
        weights.retain(|w| w.1 != 0.0);
        weights.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()).then(a.0.cmp(&b.0)));
        let total: f32 = weights.iter().map(|w| w.1 * w.1).sum();
        let mut mass = 0.0;
        let keep = weights
            .iter()
            .take_while(|w| {
                let before = mass;
                mass += w.1 * w.1;
                before < TERM_CENTROID_MASS * total
            })
            .count()
            .min(TERM_CENTROID_TERMS);
        weights.truncate(keep);
        weights.sort_unstable_by_key(|w| w.0);
        CentroidVector::Terms(weights)
    }

    /// Cosine between two centroids of one kind (None across kinds).
    pub fn cosine(&self, other: &CentroidVector) -> Option<f32> {
        match (self, other) {
            (CentroidVector::Terms(a), CentroidVector::Terms(b)) => {
                let (mut i, mut j, mut sum) = (0, 0, 0.0);
                while i < a.len() && j < b.len() {
                    match a[i].0.cmp(&b[j].0) {
                        std::cmp::Ordering::Less => i += 1,
                        std::cmp::Ordering::Greater => j += 1,
                        std::cmp::Ordering::Equal => {
                            sum += a[i].1 * b[j].1;
                            i += 1;
                            j += 1;
                        }
                    }
                }
                Some(sum)
            }
            (CentroidVector::Dense(a), CentroidVector::Dense(b)) => Some(dot(a, b)),
            _ => None,
        }
    }
}

/// A centroid clauses can be assigned to.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Target {
    /// What the caller calls it (a centroid index while fitting, a topic id after).
    pub id: u32,
    /// Only clauses of this language are compared with it (None: all).
    pub lang: Option<Lang>,
    pub vector: CentroidVector,
}

/// A clause's vector, as its kind compares.
#[derive(Debug, Clone, Copy)]
pub(crate) enum ClauseVector<'a> {
    /// Unit TF-IDF row, sorted by column.
    Terms(&'a [(u32, f32)]),
    Embedded(&'a [f32]),
}

/// The nearest-centroid search over a fixed set of targets.
pub(crate) struct Assigner<'a> {
    targets: &'a [Target],
    /// Column → (target, weight) of the term centroids.
    postings: Vec<Vec<(u32, f32)>>,
    /// Targets with dense vectors.
    dense: Vec<u32>,
    min_similarity: f32,
}

/// Per-thread buffers of [`Assigner::nearest`].
#[derive(Default)]
pub(crate) struct Scores {
    sums: Vec<f32>,
    touched: Vec<u32>,
}

impl<'a> Assigner<'a> {
    pub fn new(targets: &'a [Target], min_similarity: f32) -> Self {
        let mut postings: Vec<Vec<(u32, f32)>> = Vec::new();
        let mut dense = Vec::new();
        for (t, target) in targets.iter().enumerate() {
            match &target.vector {
                CentroidVector::Terms(weights) => {
                    for &(col, w) in weights {
                        let col = col as usize;
                        if postings.len() <= col {
                            postings.resize_with(col + 1, Vec::new);
                        }
                        postings[col].push((t as u32, w));
                    }
                }
                CentroidVector::Dense(_) => dense.push(t as u32),
            }
        }
        Assigner {
            targets,
            postings,
            dense,
            min_similarity,
        }
    }

    /// The most similar target of the clause's kind (and language), with its cosine,
    /// if at least `min_similarity`; ties go to the first target.
    pub fn nearest(
        &self,
        clause: ClauseVector,
        lang: Lang,
        scores: &mut Scores,
    ) -> Option<(&'a Target, f32)> {
        let fits = |t: &Target| t.lang.is_none_or(|l| l == lang);
        let mut best: Option<(u32, f32)> = None;
        let mut consider = |t: u32, s: f32| match best {
            Some((bt, bs)) if bs > s || (bs == s && bt < t) => {}
            _ => best = Some((t, s)),
        };
        match clause {
            ClauseVector::Terms(row) => {
                scores.sums.resize(self.targets.len(), 0.0);
                for &(col, v) in row {
                    for &(t, w) in self
                        .postings
                        .get(col as usize)
                        .map_or(&[][..], Vec::as_slice)
                    {
                        if scores.sums[t as usize] == 0.0 {
                            scores.touched.push(t);
                        }
                        scores.sums[t as usize] += v * w;
                    }
                }
                for &t in &scores.touched {
                    if fits(&self.targets[t as usize]) {
                        consider(t, scores.sums[t as usize]);
                    }
                    scores.sums[t as usize] = 0.0;
                }
                scores.touched.clear();
            }
            ClauseVector::Embedded(z) => {
                for &t in &self.dense {
                    let target = &self.targets[t as usize];
                    if let (true, CentroidVector::Dense(v)) = (fits(target), &target.vector) {
                        consider(t, dot(z, v));
                    }
                }
            }
        }
        best.filter(|&(_, s)| s >= self.min_similarity)
            .map(|(t, s)| (&self.targets[t as usize], s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nearest_term_centroid_of_the_clause_language_wins() {
        let targets = vec![
            Target {
                id: 10,
                lang: None,
                vector: CentroidVector::Terms(vec![(0, 0.8), (1, 0.6)]),
            },
            Target {
                id: 11,
                lang: Some(Lang::En),
                vector: CentroidVector::Terms(vec![(1, 0.6), (2, 0.8)]),
            },
            Target {
                id: 12,
                lang: None,
                vector: CentroidVector::Dense(vec![1.0, 0.0]),
            },
        ];
        let assigner = Assigner::new(&targets, 0.3);
        let mut scores = Scores::default();
        let near = |row: &[(u32, f32)], lang, scores: &mut Scores| {
            assigner
                .nearest(ClauseVector::Terms(row), lang, scores)
                .map(|(t, s)| (t.id, (s * 100.0).round() / 100.0))
        };
        assert_eq!(near(&[(2, 1.0)], Lang::En, &mut scores), Some((11, 0.8)));
        // Target 11 is English only; a Japanese clause falls to the next best.
        assert_eq!(
            near(&[(1, 0.6), (2, 0.8)], Lang::Ja, &mut scores),
            Some((10, 0.36))
        );
        // Too far from everything: an outlier.
        assert_eq!(near(&[(3, 1.0)], Lang::En, &mut scores), None);
        let dense = assigner.nearest(ClauseVector::Embedded(&[0.6, 0.8]), Lang::Ja, &mut scores);
        assert_eq!(dense.map(|(t, _)| t.id), Some(12));
    }

    #[test]
    fn centroid_cosines_within_a_kind() {
        let a = CentroidVector::Terms(vec![(0, 0.6), (2, 0.8)]);
        let b = CentroidVector::Terms(vec![(1, 0.6), (2, 0.8)]);
        assert!((a.cosine(&b).unwrap() - 0.64).abs() < 1e-6);
        assert_eq!(a.cosine(&CentroidVector::Dense(vec![1.0])), None);
    }
}
