//! Curation: the analyst's merges of discovered sub-topics (the taxonomy's `[[merge]]`,
//! see [`crate::taxonomy`]), and how a rename or merge names a topic.
//!
//! A merge is applied inside a fresh fit, before figures are final: every clause of the
//! merged sub-topics is given to one of them, and mentions, counts, sentiment, NPS,
//! impact, trend, terms and examples are all computed again from the records, so a
//! record that spoke of both counts once and its NPS answer once (adding the rows up
//! would count it twice). The merged sub-topic takes the merge's label, and the model
//! saved for `--topics-from` holds it as one sub-topic with the centroids of all its
//! parts: later runs give its records the same id and label.

use serde::Serialize;

use super::Topic;
use super::cluster::Assignment;
use super::vectorize::NONE;

/// How a rename or merge names a discovered topic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TopicKey {
    /// A topic's id. Ids are stable across runs chained with `--topics-from`; in a fresh
    /// run they are ranks by impact.
    Id(String),
    /// Terms that must all be among the topic's top terms (case ignored).
    Terms(Vec<String>),
}

impl TopicKey {
    /// The topic (index into `topics`) this key names, among those not `taken`: by id,
    /// or the topic holding all the terms among its top terms, ranked highest there
    /// (the lowest sum of their ranks, then the lowest id).
    pub fn find(&self, topics: &[Topic], taken: &[bool]) -> Option<usize> {
        let free = topics
            .iter()
            .enumerate()
            .filter(|(i, _)| !taken.get(*i).copied().unwrap_or(false));
        match self {
            TopicKey::Id(id) => {
                let id: u32 = id.parse().ok()?;
                free.filter(|(_, t)| t.id == id).map(|(i, _)| i).next()
            }
            TopicKey::Terms(terms) => free
                .filter_map(|(i, topic)| {
                    let rank = |term: &String| {
                        topic
                            .terms
                            .iter()
                            .position(|t| t.term.to_lowercase() == term.to_lowercase())
                    };
                    let ranks: Option<Vec<usize>> = terms.iter().map(rank).collect();
                    Some((ranks?.iter().sum::<usize>(), topic.id, i))
                })
                .min()
                .map(|(_, _, i)| i),
        }
    }
}

/// Discovered sub-topics the analyst counts as one, under one label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicMerge {
    pub topics: Vec<TopicKey>,
    pub label: String,
    /// Line of its `[[merge]]` in the taxonomy file.
    pub line: usize,
}

/// What a merge did, for the summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MergeOutcome {
    /// Line of its `[[merge]]`.
    pub line: usize,
    pub label: String,
    /// The id of the merged topic (in a run from a saved model, whose topics are already
    /// as merged: the model's topic under the merge's label); None when fewer than two
    /// of its topics were found by their terms (`id` keys do not name topics of a fresh
    /// fit, whose ids are not yet given).
    pub topic: Option<u32>,
    /// How many discovered topics it joined (0 in a run from a saved model).
    pub merged: usize,
}

/// Merges to apply: which sub-topic index each old one becomes, how many remain, and
/// per merge the surviving index (None: not applied).
pub(crate) struct MergePlan {
    pub remap: Vec<u32>,
    pub n: usize,
    pub merged: Vec<(Option<u32>, usize)>,
}

impl MergePlan {
    /// Finds each merge's sub-topics in `topics` (indexed as fitted, labelled); a topic
    /// joins at most one merge, the first in the file. None when nothing merges.
    pub fn new(topics: &[Topic], merges: &[TopicMerge]) -> Option<MergePlan> {
        let mut taken = vec![false; topics.len()];
        let mut groups: Vec<Vec<usize>> = Vec::with_capacity(merges.len());
        for merge in merges {
            let mut group = Vec::new();
            // Ids are ranks until the fit is numbered: a merge names topics by terms.
            let by_terms = merge
                .topics
                .iter()
                .filter(|k| matches!(k, TopicKey::Terms(_)));
            for key in by_terms {
                if let Some(i) = key.find(topics, &taken) {
                    taken[i] = true;
                    group.push(i);
                }
            }
            if group.len() < 2 {
                group.iter().for_each(|&i| taken[i] = false);
                group.clear();
            }
            groups.push(group);
        }
        if groups.iter().all(Vec::is_empty) {
            return None;
        }
        // The merged topic takes the place of its first part; the others are renumbered.
        let mut target: Vec<usize> = (0..topics.len()).collect();
        for group in groups.iter().filter(|g| !g.is_empty()) {
            let first = group.iter().copied().min().unwrap_or_default();
            group.iter().for_each(|&i| target[i] = first);
        }
        let mut kept = vec![NONE; topics.len()];
        let mut n = 0u32;
        for (i, &t) in target.iter().enumerate() {
            if t == i {
                kept[i] = n;
                n += 1;
            }
        }
        let remap: Vec<u32> = target.iter().map(|&t| kept[t]).collect();
        let merged = groups
            .iter()
            .map(|g| (g.first().map(|&i| remap[i]), g.len()))
            .collect();
        Some(MergePlan {
            remap,
            n: n as usize,
            merged,
        })
    }

    /// Gives every clause of a merged sub-topic to the merged one.
    pub fn apply(&self, assignments: &mut [Assignment]) {
        for a in assignments.iter_mut().filter(|a| a.topic != NONE) {
            a.topic = self.remap[a.topic as usize];
        }
    }
}
