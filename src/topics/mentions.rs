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

    pub fn of(&self, doc: usize) -> &[Mention] {
        &self.list[self.offsets[doc]..self.offsets[doc + 1]]
    }

    pub fn docs(&self) -> usize {
        self.offsets.len() - 1
    }
}
