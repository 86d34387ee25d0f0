//! Mentions: which topics each record talks about, and how it feels about each.
//!
//! A record mentions a topic when at least one of its clauses is assigned to it. Its
//! sentiment on the topic is the mean score of those clauses; it is negative on the
//! topic when those clauses are all labelled negative or, when their labels differ,
//! when the mean falls below the neutral band. The primary topic comes first: the one
//! with most clauses, then the most similar to its centroid.

use super::cluster::Assignment;
use super::vectorize::{ClauseStore, NONE};
use crate::sentiment::{Label, Score};

/// A record's mention of a topic.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Mention {
    pub topic: u32,
    pub clauses: u32,
    /// Best clause similarity to the topic's centroid.
    pub similarity: f32,
    pub sentiment: f32,
    pub negative: bool,
}

/// Mentions per record (CSR), primary topic first.
pub(crate) struct Mentions {
    pub offsets: Vec<usize>,
    pub list: Vec<Mention>,
}

impl Mentions {
    pub fn build(store: &ClauseStore, assignments: &[Assignment], n_topics: usize) -> Self {
        let mut offsets = vec![0];
        let mut list: Vec<Mention> = Vec::new();
        let mut labels: Vec<(u32, Label)> = Vec::new();
        for d in 0..store.docs() {
            let start = list.len();
            labels.clear();
            for c in store.doc_clauses(d) {
                let a = assignments[c];
                if a.topic == NONE || a.topic as usize >= n_topics {
                    continue;
                }
                let score = store.sentiment[c];
                labels.push((a.topic, score.label));
                match list[start..].iter_mut().find(|m| m.topic == a.topic) {
                    Some(m) => {
                        m.clauses += 1;
                        m.similarity = m.similarity.max(a.similarity);
                        m.sentiment += score.value;
                    }
                    None => list.push(Mention {
                        topic: a.topic,
                        clauses: 1,
                        similarity: a.similarity,
                        sentiment: score.value,
                        negative: false,
                    }),
                }
            }
            for m in &mut list[start..] {
                m.sentiment /= m.clauses as f32;
                let mut own = labels
                    .iter()
                    .filter(|(t, _)| *t == m.topic)
                    .map(|(_, l)| *l);
                let first = own.next().unwrap_or(Label::Neutral);
                let label = if own.all(|l| l == first) {
                    first
                } else {
                    Score::from_value(m.sentiment).label
                };
                m.negative = label == Label::Negative;
            }
            list[start..].sort_by(|a, b| {
                b.clauses
                    .cmp(&a.clauses)
                    .then(b.similarity.total_cmp(&a.similarity))
                    .then(a.topic.cmp(&b.topic))
            });
            offsets.push(list.len());
        }
        Mentions { offsets, list }
    }

    /// Themes as mentions: each record mentions its one theme (`NONE`: none) with its
    /// record sentiment, and all its clauses.
    pub fn one_per_record(
        store: &ClauseStore,
        themes: &[(u32, f32)],
        sentiment: impl Fn(usize) -> Score,
    ) -> Self {
        let mut offsets = vec![0];
        let mut list = Vec::new();
        for (d, &(theme, similarity)) in themes.iter().enumerate() {
            if theme != NONE {
                let score = sentiment(d);
                list.push(Mention {
                    topic: theme,
                    clauses: store.doc_clauses(d).len() as u32,
                    similarity,
                    sentiment: score.value,
                    negative: score.label == Label::Negative,
                });
            }
            offsets.push(list.len());
        }
        Mentions { offsets, list }
    }

    /// The theme of each topic: the one most of its records are in (`NONE` for a topic
    /// no record with a theme mentions), the lower id on a tie.
    pub fn majority_theme(
        &self,
        theme_of_doc: &[u32],
        n_topics: usize,
        n_themes: usize,
    ) -> Vec<u32> {
        let mut counts = vec![0usize; n_topics * n_themes];
        for (d, &theme) in theme_of_doc.iter().enumerate().take(self.docs()) {
            if theme == NONE {
                continue;
            }
            for m in self.of(d) {
                counts[m.topic as usize * n_themes + theme as usize] += 1;
            }
        }
        counts
            .chunks(n_themes.max(1))
            .take(n_topics)
            .map(|per_theme| {
                per_theme
                    .iter()
                    .enumerate()
                    .filter(|&(_, &n)| n > 0)
                    .fold(None, |best: Option<(usize, usize)>, (t, &n)| match best {
                        Some((_, b)) if b >= n => best,
                        _ => Some((t, n)),
                    })
                    .map_or(NONE, |(t, _)| t as u32)
            })
            .collect()
    }

    pub fn of(&self, doc: usize) -> &[Mention] {
        &self.list[self.offsets[doc]..self.offsets[doc + 1]]
    }

    pub fn docs(&self) -> usize {
        self.offsets.len() - 1
    }
}
