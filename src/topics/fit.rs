//! Fitting: the collected records → themes and sub-topics, fresh or from a saved model.
//!
//! A **fresh** fit finds the themes (`themes`), then the sub-topics inside each theme
//! (`cluster`), and numbers both by impact (0 = the highest); the result carries a new
//! [`TopicModel`]. A fit **from a model** (`--topics-from`) takes the model's themes and
//! sub-topics as they are, assigns every record and clause to them (`assign`), and
//! clusters the clauses no sub-topic covers into candidate topics, numbered after the
//! model's; ids, labels and terms of known themes and sub-topics stay the model's, the
//! figures are this run's. Either way the figures, examples and quality come from the
//! same code (`describe`).

use std::sync::Arc;

use super::assign::{Assigner, Target};
use super::assigned::DocTopics;
use super::cluster::{self, Assignment, Clustering, Grouping, Space};
use super::collector::{Error, TopicCollector};
use super::curation::{MergeOutcome, MergePlan};
use super::embedding::RecordSemantics;
use super::linalg::seeded;
use super::mentions::Mentions;
use super::model::{SavedCentroid, SavedProjection, SavedTheme, SavedTopic, TermSpace, TopicModel};
use super::painpoints;
use super::themes::{self, ThemeFit};
use super::vectorize::{NONE, Vectorizer};
use super::{KStability, Overall, Quality, ThemeChoice, Topic, Topics, label, quality};
use crate::record::Lang;

/// The sub-topics of a fit before they are named and numbered.
struct SubTopics {
    /// One per clause; `topic` is an index into the sub-topics.
    assignments: Vec<Assignment>,
    n: usize,
    /// For a fresh fit: each sub-topic's centroids, to save.
    centroids: Vec<(u32, SavedCentroid)>,
    /// Sub-topics `known..n` are candidates (a fit from a model).
    known: usize,
}

impl TopicCollector {
    /// Finds the themes and their sub-topics (or applies the model of
    /// [`TopicOptions::model`](super::TopicOptions::model)), labels and measures them;
    /// in a run that spilled its features, a piece at a time ([`super::staged`]).
    /// Fails only where an embedding model does, on the last clauses still to embed, or
    /// where a scratch file cannot be read.
    pub fn fit(mut self) -> Result<Topics, Error> {
        match self.staging.take() {
            Some(staging) => staging.fit(self),
            None => self.fit_collected(),
        }
    }

    /// [`fit`](Self::fit) of the records in the stores.
    pub(super) fn fit_collected(&mut self) -> Result<Topics, Error> {
        self.snippets.finish()?;
        if let Some(embeddings) = &mut self.embeddings {
            embeddings.flush()?;
        }
        if let Some(vectors) = &mut self.record_vectors {
            vectors.finish()?;
        }
        let model = self.options.model.clone();
        let options = &self.options;
        let embeddings = self.embeddings.as_ref();
        let semantics = match (&self.record_vectors, embeddings) {
            (Some(records), _) => records.for_fit(),
            (None, Some(clauses)) => RecordSemantics::ClauseMean(clauses),
            (None, None) => RecordSemantics::None,
        };
        let langs: Vec<Lang> = self.docs.iter().map(|d| d.lang).collect();
        let facts = themes::RecordFacts {
            keys: &self.keys,
            langs: &langs,
            seeds: &self.seeds,
        };
        let mut rng = seeded(options.seed);

        // Level 1: a theme per record.
        let theme_fit = match &model {
            None => themes::fit(
                &self.store,
                &self.vocab,
                semantics,
                facts,
                options,
                &mut rng,
            ),
            Some(model) => themes::from_model(model, &self.vocab),
        };
        let doc_themes = self.assign_themes(&theme_fit, semantics, facts)?;
        let n_themes = theme_fit.k();
        let theme_of_doc: Vec<u32> = doc_themes.iter().map(|t| t.0).collect();
        // Labels and quality always use this run's words.
        let vectorizer = Vectorizer::fit(&self.store, &self.vocab, options.clause_pruning());
        // The themes described first, so that their per-clause lists are gone before the
        // sub-topics' are made (the peak memory of a large run).
        let (mut themes, theme_overall, theme_quality) =
            self.describe_themes(&doc_themes, &theme_of_doc, n_themes, &vectorizer, &langs)?;
        drop(doc_themes);
        // A seeded theme is named by its category.
        for (theme, &seed) in themes.iter_mut().zip(&theme_fit.seeded) {
            theme.label = options.theme_seeds[seed as usize].clone();
        }

        // Level 2: sub-topics per clause.
        let space = Space {
            vectorizer: &vectorizer,
            embeddings,
        };
        let mut sub = match &model {
            None => {
                let grouping = Grouping {
                    theme_of_doc: &theme_of_doc,
                    lang_of_doc: &langs,
                    n_themes,
                    doc_keys: &self.keys,
                    clauses: None,
                };
                let clustering = cluster::cluster(&self.store, space, &grouping, options);
                SubTopics {
                    centroids: saved_centroids(&clustering),
                    n: clustering.n_topics,
                    assignments: clustering.assignments,
                    known: 0,
                }
            }
            Some(model) => self.apply_topics(model, space, &theme_of_doc, &langs),
        };

        let mut mentions = Mentions::build(&self.store, &sub.assignments, sub.n);
        let (mut topics, mut overall, mut topic_quality) =
            self.describe(&mentions, &sub.assignments, sub.n, &vectorizer, &langs)?;
        // The analyst's merges, on a fresh fit (a saved model's topics are as merged):
        // clauses move, and every figure is computed again from the records.
        let mut merged = vec![(None, 0); options.merges.len()];
        if model.is_none()
            && let Some(plan) = MergePlan::new(&topics, &options.merges)
        {
            plan.apply(&mut sub.assignments);
            for (topic, _) in &mut sub.centroids {
                *topic = plan.remap[*topic as usize];
            }
            sub.n = plan.n;
            mentions = Mentions::build(&self.store, &sub.assignments, sub.n);
            (topics, overall, topic_quality) =
                self.describe(&mentions, &sub.assignments, sub.n, &vectorizer, &langs)?;
            for (&(index, _), merge) in plan.merged.iter().zip(&options.merges) {
                if let Some(i) = index {
                    topics[i as usize].label = merge.label.clone();
                }
            }
            merged = plan.merged;
        }
        overall.theme_outliers = theme_overall.outliers;
        let parent = mentions.majority_theme(&theme_of_doc, sub.n, n_themes);
        // Not needed from here on: the clauses' sub-topics live on in `mentions`.
        drop(std::mem::take(&mut sub.assignments));

        let (theme_ids, topic_ids, saved) = match &model {
            None => {
                let theme_ids = rank_by_impact(&mut themes);
                for t in &mut topics {
                    t.theme = Some(parent[t.id as usize])
                        .filter(|&p| p != NONE)
                        .map(|p| theme_ids[p as usize]);
                }
                let topic_ids = rank_by_impact(&mut topics);
                let saved = self.model_of(
                    &theme_fit,
                    &themes,
                    &theme_ids,
                    &vectorizer,
                    &topics,
                    &topic_ids,
                    sub.centroids,
                );
                (theme_ids, topic_ids, Arc::new(saved))
            }
            Some(model) => {
                let theme_ids = name_from_model(
                    &mut themes,
                    model.themes.iter().map(|t| (t.id, &t.label, &t.terms)),
                );
                for t in &mut topics {
                    t.theme = Some(parent[t.id as usize])
                        .filter(|&p| p != NONE)
                        .map(|p| theme_ids[p as usize]);
                }
                let known = model.topics.iter().map(|t| (t.id, &t.label, &t.terms));
                let mut topic_ids = name_from_model(&mut topics[..sub.known], known);
                for (t, saved) in topics.iter_mut().zip(&model.topics) {
                    t.theme = saved.theme;
                }
                // Candidates: numbered after the model's ids, by impact.
                let mut candidates: Vec<Topic> = topics.drain(sub.known..).collect();
                let order = rank_by_impact(&mut candidates);
                let first = model.next_topic_id();
                for c in &mut candidates {
                    c.id += first;
                    c.candidate = true;
                }
                topic_ids.extend(order.iter().map(|r| r + first));
                topics.extend(candidates);
                sort_by_impact(&mut themes);
                sort_by_impact(&mut topics);
                (theme_ids, topic_ids, model.clone())
            }
        };

        let merges = merged
            .iter()
            .zip(&options.merges)
            .map(|(&(index, parts), merge)| MergeOutcome {
                line: merge.line,
                label: merge.label.clone(),
                // In a run from a model, the model's topic made by this merge.
                topic: match (index, &model) {
                    (Some(i), _) => Some(topic_ids[i as usize]),
                    (None, Some(model)) => model
                        .topics
                        .iter()
                        .find(|t| t.label == merge.label)
                        .map(|t| t.id),
                    (None, None) => None,
                },
                merged: parts,
            })
            .collect();
        let Mentions { offsets, list } = mentions;
        let assignments = DocTopics {
            offsets,
            topics: list.iter().map(|m| topic_ids[m.topic as usize]).collect(),
            sentiments: list.iter().map(|m| m.sentiment).collect(),
            themes: theme_of_doc
                .into_iter()
                .map(|t| theme_ids.get(t as usize).copied().unwrap_or(NONE))
                .collect(),
        };
        let method = match (&model, n_themes, options.themes) {
            (Some(_), _, _) => "model",
            (None, _, _) if !theme_fit.seeded.is_empty() => "seeded",
            (None, 0, _) => "none",
            (None, _, Some(_)) => "fixed",
            (None, _, None) => "stability",
        };
        let theme_choice = ThemeChoice {
            method: method.to_string(),
            stability: theme_fit
                .stability
                .iter()
                .map(|s| KStability {
                    k: s.k,
                    stability: s.mean,
                    error: s.error,
                })
                .collect(),
        };
        Ok(Topics {
            themes,
            topics,
            overall,
            quality: topic_quality,
            theme_quality,
            theme_choice,
            assignments,
            model: Some(saved),
            merges,
            sample: None,
            spilled: None,
        })
    }

    /// Every record's theme and its cosine to it ([`themes::assign`]); record vectors
    /// are read back in chunks (from their scratch file in a run).
    fn assign_themes(
        &self,
        theme_fit: &ThemeFit,
        semantics: RecordSemantics<'_>,
        facts: themes::RecordFacts<'_>,
    ) -> Result<Vec<(u32, f32)>, Error> {
        let Some(vectors) = &self.record_vectors else {
            let docs = 0..self.store.docs();
            return Ok(themes::assign(
                theme_fit,
                &self.store,
                semantics,
                facts,
                docs,
            ));
        };
        let mut doc_themes = Vec::with_capacity(self.store.docs());
        vectors.for_each_chunk(|docs, semantics| {
            doc_themes.extend(themes::assign(
                theme_fit,
                &self.store,
                semantics,
                facts,
                docs,
            ))
        })?;
        Ok(doc_themes)
    }

    /// A model's sub-topics applied: each clause to its nearest saved centroid, and the
    /// clauses none covers clustered among themselves into candidates.
    fn apply_topics(
        &self,
        model: &TopicModel,
        space: Space,
        theme_of_doc: &[u32],
        langs: &[Lang],
    ) -> SubTopics {
        let model_vectorizer = Vectorizer::from_model(
            model.clauses.lemmas.clone(),
            model.clauses.idf.clone(),
            &[],
            &self.vocab,
        );
        let targets: Vec<Target> = model
            .topics
            .iter()
            .enumerate()
            .flat_map(|(i, t)| {
                t.centroids.iter().map(move |c| Target {
                    id: i as u32,
                    lang: c.lang,
                    vector: c.vector.clone(),
                })
            })
            .collect();
        let assigner = Assigner::new(&targets, model.min_similarity);
        let model_space = Space {
            vectorizer: &model_vectorizer,
            embeddings: space.embeddings,
        };
        let mut assignments =
            cluster::assign_clauses(&self.store, model_space, langs, &assigner, None);
        let known = model.topics.len();
        if !self.options.candidates {
            return SubTopics {
                assignments,
                n: known,
                centroids: Vec::new(),
                known,
            };
        }
        // What no sub-topic covers, clustered in this run's own words.
        let uncovered: Vec<bool> = assignments.iter().map(|a| a.topic == NONE).collect();
        let one_theme: Vec<u32> = theme_of_doc
            .iter()
            .map(|&t| if t == NONE { NONE } else { 0 })
            .collect();
        let grouping = Grouping {
            theme_of_doc: &one_theme,
            lang_of_doc: langs,
            n_themes: 1,
            doc_keys: &self.keys,
            clauses: Some(&uncovered),
        };
        let candidates = cluster::cluster(&self.store, space, &grouping, &self.options);
        for (a, c) in assignments.iter_mut().zip(&candidates.assignments) {
            if a.topic == NONE && c.topic != NONE {
                *a = Assignment {
                    topic: known as u32 + c.topic,
                    ..*c
                };
            }
        }
        SubTopics {
            assignments,
            n: known + candidates.n_topics,
            centroids: Vec::new(),
            known,
        }
    }

    /// Figures, labels, coherence and examples of `n` topics (themes or sub-topics),
    /// numbered as in `mentions` and `assignments` (one per clause); the ids are those
    /// numbers until they are named and numbered.
    fn describe(
        &self,
        mentions: &Mentions,
        assignments: &[Assignment],
        n: usize,
        vectorizer: &Vectorizer,
        langs: &[Lang],
    ) -> Result<(Vec<Topic>, Overall, Quality), Error> {
        let options = &self.options;
        let facets = painpoints::Facets {
            channels: &self.channels.names,
            stages: &self.stages.names,
            period: options.period,
        };
        let (mut topics, overall) = painpoints::pain_points(&self.docs, mentions, n, &facets);
        let words = label::Words {
            store: &self.store,
            phrases: &self.phrases,
            vocab: &self.vocab,
        };
        let labelled =
            label::name_topics(&words, vectorizer, assignments, langs, n, options.top_terms);
        let tops: Vec<Vec<u32>> = labelled.iter().map(|l| l.top.clone()).collect();
        let (coherence, per_topic) = quality::coherence_npmi(&self.store, &tops);
        let examples = label::representatives(mentions, n, options.examples, &self.snippets)?;
        for (((topic, labelled), coherence), examples) in
            topics.iter_mut().zip(labelled).zip(per_topic).zip(examples)
        {
            topic.label = labelled.label;
            topic.terms = labelled.terms;
            topic.phrases = labelled.phrases;
            topic.coherence = coherence;
            topic.examples = examples;
        }
        let quality = Quality {
            coherence_npmi: coherence,
            diversity: quality::diversity(&tops),
        };
        Ok((topics, overall, quality))
    }

    /// [`describe`](Self::describe) for the themes: each record mentions its theme once,
    /// and each of its clauses is in it.
    fn describe_themes(
        &self,
        doc_themes: &[(u32, f32)],
        theme_of_doc: &[u32],
        n_themes: usize,
        vectorizer: &Vectorizer,
        langs: &[Lang],
    ) -> Result<(Vec<Topic>, Overall, Quality), Error> {
        let mentions =
            Mentions::one_per_record(&self.store, doc_themes, |d| self.docs[d].sentiment);
        let clauses: Vec<Assignment> = (0..self.store.len())
            .map(|c| match theme_of_doc[self.store.doc[c] as usize] {
                NONE => cluster::OUTLIER,
                theme => Assignment {
                    topic: theme,
                    similarity: 1.0,
                    core: true,
                },
            })
            .collect();
        self.describe(&mentions, &clauses, n_themes, vectorizer, langs)
    }

    /// The model of a fresh fit: its spaces, and its themes and sub-topics under their
    /// ids (`theme_ids`, `topic_ids`: new id of each index) and names.
    #[allow(clippy::too_many_arguments)]
    fn model_of(
        &self,
        theme_fit: &ThemeFit,
        themes: &[Topic],
        theme_ids: &[u32],
        vectorizer: &Vectorizer,
        topics: &[Topic],
        topic_ids: &[u32],
        centroids: Vec<(u32, SavedCentroid)>,
    ) -> TopicModel {
        let dims = theme_fit.space.dims().max(1);
        let saved_themes = theme_fit
            .centroids
            .chunks_exact(dims)
            .zip(theme_ids)
            .filter_map(|(centroid, &id)| {
                let named = themes.iter().find(|t| t.id == id)?;
                Some(SavedTheme {
                    id,
                    label: named.label.clone(),
                    terms: named.terms.clone(),
                    centroid: centroid.to_vec(),
                })
            })
            .collect();
        let saved_topics = topics
            .iter()
            .map(|t| SavedTopic {
                id: t.id,
                theme: t.theme,
                label: t.label.clone(),
                terms: t.terms.clone(),
                centroids: centroids
                    .iter()
                    .filter(|(index, _)| topic_ids.get(*index as usize) == Some(&t.id))
                    .map(|(_, c)| c.clone())
                    .collect(),
            })
            .collect();
        let space = &theme_fit.space;
        let mut model = TopicModel::new(
            self.options.vectors_spec(),
            space.semantic_dims,
            space.semantic_weight,
            self.options.min_similarity,
            TermSpace {
                lemmas: space.vectorizer.lemmas.clone(),
                idf: space.vectorizer.idf.clone(),
                bridge: space.vectorizer.saved_bridge(&self.vocab),
            },
            space.projection.as_ref().map(SavedProjection::of),
            saved_themes,
            TermSpace {
                lemmas: vectorizer.lemmas.clone(),
                idf: vectorizer.idf.clone(),
                bridge: Vec::new(),
            },
            saved_topics,
        );
        model.lang_shifts = space.lang_shifts.clone();
        model
    }
}

/// The active centroids of a clustering with their sub-topic index, as saved.
fn saved_centroids(clustering: &Clustering) -> Vec<(u32, SavedCentroid)> {
    clustering
        .centroids
        .iter()
        .map(|c| {
            (
                c.topic,
                SavedCentroid {
                    lang: clustering.groups[c.group].key.lang,
                    vector: c.compare.clone(),
                },
            )
        })
        .collect()
}

/// Sorts topics by impact (then size, then label) and numbers them in that order;
/// returns the new id of each old one.
fn rank_by_impact(topics: &mut Vec<Topic>) -> Vec<u32> {
    let mut order: Vec<usize> = (0..topics.len()).collect();
    order.sort_by(|&a, &b| by_impact(&topics[a], &topics[b]));
    let mut rank = vec![NONE; topics.len()];
    for (r, &old) in order.iter().enumerate() {
        rank[old] = r as u32;
    }
    let mut sorted: Vec<Topic> = order
        .iter()
        .map(|&i| std::mem::take(&mut topics[i]))
        .collect();
    for (r, t) in sorted.iter_mut().enumerate() {
        t.id = r as u32;
    }
    *topics = sorted;
    rank
}

fn by_impact(a: &Topic, b: &Topic) -> std::cmp::Ordering {
    b.impact
        .total_cmp(&a.impact)
        .then(b.size.cmp(&a.size))
        .then(a.label.cmp(&b.label))
        .then(a.id.cmp(&b.id))
}

fn sort_by_impact(topics: &mut [Topic]) {
    topics.sort_by(by_impact);
}

/// Gives topics (in the model's order) the model's ids, labels and terms; returns the
/// id of each.
fn name_from_model<'a>(
    topics: &mut [Topic],
    names: impl Iterator<Item = (u32, &'a String, &'a Vec<super::TermWeight>)>,
) -> Vec<u32> {
    topics
        .iter_mut()
        .zip(names)
        .map(|(t, (id, label, terms))| {
            t.id = id;
            t.label = label.clone();
            t.terms = terms.clone();
            id
        })
        .collect()
}
