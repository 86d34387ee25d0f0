//! Topics: group feedback into themes and sub-topics, and rank them as pain points.
//!
//! Two levels. **Themes** partition the records: each record belongs to the one theme
//! its whole text is about (sport or politics, delivery or the app). **Sub-topics** are
//! the pain points inside a theme, found clause by clause, so 「配送は遅かったけど、
//! スタッフは親切でした」 counts for a late-delivery sub-topic and a kind-staff one.
//!
//! The stage reads [`Analysed`](crate::Analysed) records one at a time into a compact
//! [`TopicCollector`] (term ids per clause, a hash of the text, a few bytes of survey
//! facts per record; the id and first 200 characters of each text, for examples, and
//! its theme vector from a sentence encoder), in a run all in scratch files
//! (`features`), then [`TopicCollector::fit`] runs, on every record or, in a run of
//! more than [`TopicOptions::fit_records`], on a sample whose model is then applied to
//! every record a piece at a time (`staged`), in order:
//!
//! 1. `vectorize`: clauses (a sentence cut at けど / but …, see [`clauses`]) → TF-IDF
//!    rows over topic terms ([`is_topic_term`]), one vocabulary for Japanese and English,
//!    per clause and per record; or, with [`Vectors::Embeddings`], also a sentence
//!    embedding per clause (`embedding`), computed in batches as records arrive;
//! 2. `themes` and `stability`: record vectors (record-level TF-IDF → LSA, plus the
//!    semantic half: the whole record's vector from [`TopicOptions::theme_vectors`],
//!    use-m3 by default in the CLI, or the mean of its clause embeddings) → spherical k-means over a sample, k chosen by
//!    how stable the partition is under resampling → every record to its nearest theme;
//! 3. `cluster` and `kmeans`: inside each theme, a sample of clauses → truncated SVD (LSA,
//!    `linalg`; not with embeddings) → spherical k-means with k chosen by silhouette →
//!    near-identical sub-topics merged → every clause assigned to its nearest centroid
//!    in one linear pass, weak matches left out as outliers; `mentions` then says which
//!    sub-topics each record talks about and with which sentiment;
//! 4. `label`: each theme's and sub-topic's top terms and key phrases by how specific
//!    they are to it (log-odds ratio against the rest of the corpus, informative
//!    Dirichlet prior), a label from them, and its most representative records;
//! 5. `painpoints`: volume, sentiment, rating, NPS and impact per theme and sub-topic,
//!    trend by month or ISO week with a least-squares slope, emerging topics, channel
//!    and stage breakdowns;
//! 6. `quality`: NPMI coherence and topic diversity.
//!
//! The result, [`Topics`], lists themes and sub-topics, each sorted by impact, and
//! serialises to `topics.json` ([`render_table`] prints it); its per-record assignments
//! ([`Topics::records`], in memory or a scratch file: `assigned`) are for the index
//! stage. Everything
//! is deterministic for a given [`TopicOptions::seed`], whatever the number of threads,
//! and does not depend on the order the records came in.

mod assign;
mod assigned;
mod bridge;
mod cluster;
pub mod clustering;
mod collector;
pub mod combine;
pub mod curation;
pub mod embedding;
mod features;
mod fit;
mod groups;
mod kmeans;
mod label;
mod linalg;
mod mentions;
pub mod model;
mod painpoints;
mod phrases;
mod quality;
mod record_vectors;
pub mod report;
mod snippets;
mod stability;
mod staged;
mod themes;
mod vectorize;

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use assigned::{AssignmentFile, DocTopics};

use crate::record::Lang;
use crate::text::edict::JaEnDictionary;
pub use assigned::RecordTopics;
pub use collector::{Error, ScratchPaths, TopicCollector};
pub use curation::{MergeOutcome, TopicKey, TopicMerge};
pub use embedding::{ClauseEmbedder, Vectors};
pub use groups::{GroupMention, GroupTally};
pub use model::TopicModel;
pub use painpoints::{ImpactBasis, TopicTally};
pub use report::{TableLimits, render_quality, render_table};
pub use vectorize::{clauses, is_topic_term};

pub use crate::period::Period;

/// The hand-written numerics, for benches/library-compare only (not a stable API).
#[doc(hidden)]
pub mod numerics {
    pub use super::kmeans::spherical_kmeans;
    pub use super::linalg::{Projection, Rng, SparseRows, seeded, truncated_svd};
}

/// What the analyst can tune. The defaults suit thousands to millions of short records.
#[derive(Debug, Clone)]
pub struct TopicOptions {
    /// How clauses become vectors: TF-IDF + LSA (default) or sentence embeddings.
    pub vectors: Vectors,
    /// How whole records become theme vectors besides their LSA row: with
    /// [`Vectors::Embeddings`], a sentence encoder's vector of the record's text (for
    /// records in its languages), mixed with LSA by `semantic_weight`; with
    /// [`Vectors::TfIdf`], LSA alone, or the mean of the clause embeddings where
    /// `vectors` has them.
    pub theme_vectors: Vectors,
    /// At most this many topics: the smallest is merged into its most similar until
    /// the cap holds.
    pub max_topics: Option<usize>,
    /// A topic needs this many records; smaller ones are dissolved (0 reads as 1: a topic
    /// has a record at least).
    pub min_topic_size: usize,
    pub seed: u64,
    /// Exactly this many themes; None: chosen by stability in `min_themes..=max_themes`.
    pub themes: Option<usize>,
    pub min_themes: usize,
    pub max_themes: usize,
    /// Share of a theme cosine that comes from the semantic half of the record vectors
    /// (where a sentence-embedding model runs; the rest from LSA).
    pub semantic_weight: f32,
    /// Cluster Japanese and English records apart (true) or in one space (false).
    pub separate_languages: bool,
    /// A Japanese–English dictionary for the themes' LSA half: where a corpus has both
    /// languages, Japanese records also carry the English words of their words.
    pub ja_en_dictionary: Option<Arc<JaEnDictionary>>,
    pub period: Period,
    /// Terms in fewer clauses than this are ignored.
    pub min_df: usize,
    /// Terms in more than this fraction of clauses are ignored.
    pub max_df: f64,
    /// Vocabulary cap (most frequent terms first).
    pub max_terms: usize,
    /// Dimensions of the LSA space.
    pub dims: usize,
    /// Records sampled to fit the themes; clauses sampled to fit the sub-topics (split
    /// over the themes, at least 3 000 per theme).
    pub sample_size: usize,
    /// Most records a fit holds in memory at once, in a run that spills its features
    /// ([`TopicCollector::spill_to`]): a run with more fits its model on this many (those
    /// of smallest text hash) and applies it to every record in pieces of this many,
    /// whose figures add up ([`combine`]), so memory stays flat however many records
    /// there are (0 reads as 1).
    pub fit_records: usize,
    /// Most sub-topics per theme tried by the silhouette search.
    pub max_clusters: usize,
    /// A clause less similar than this to every centroid is an outlier (cosine in term
    /// space between the clause and the centroid's direction; with embeddings, cosine
    /// between the clause's embedding and the centroid).
    pub min_similarity: f32,
    /// Centroids more similar (cosine, LSA or embedding space) than this are one topic.
    pub merge_similarity: f32,
    /// Top terms kept per topic (per language when a topic mixes both).
    pub top_terms: usize,
    /// Apply this model (`--topics-from`) instead of fitting: its themes and sub-topics
    /// keep their ids, and what none covers becomes candidate topics.
    pub model: Option<Arc<TopicModel>>,
    /// With a model: cluster the clauses none of its sub-topics covers into candidate
    /// topics (true), or leave them outliers (false), so that every record's topics
    /// depend on the record and the model alone, as they must when shards of one corpus
    /// are analysed apart and merged (`koe index merge`).
    pub candidates: bool,
    /// Representative records kept per topic.
    pub examples: usize,
    /// Labels of the themes the analyst seeds (taxonomy categories with `seed = true`):
    /// a fresh fit starts with one theme per seed that records matched, holding those
    /// records ([`TopicCollector::add_seeded`]); the records that match none form
    /// themes of their own, found as without seeds, and join the nearest theme of all.
    pub theme_seeds: Vec<String>,
    /// The analyst's merges of discovered sub-topics (taxonomy `[[merge]]`), applied to
    /// a fresh fit.
    pub merges: Vec<TopicMerge>,
}

impl Default for TopicOptions {
    fn default() -> Self {
        TopicOptions {
            vectors: Vectors::TfIdf,
            theme_vectors: Vectors::TfIdf,
            max_topics: None,
            min_topic_size: 10,
            seed: 42,
            themes: None,
            min_themes: 4,
            max_themes: 20,
            semantic_weight: 0.5,
            separate_languages: false,
            ja_en_dictionary: None,
            period: Period::Month,
            min_df: 2,
            max_df: 0.5,
            max_terms: 50_000,
            dims: 100,
            sample_size: 20_000,
            fit_records: 100_000,
            max_clusters: 20,
            min_similarity: 0.3,
            merge_similarity: 0.8,
            top_terms: 10,
            examples: 3,
            model: None,
            candidates: true,
            merges: Vec::new(),
            theme_seeds: Vec::new(),
        }
    }
}

impl TopicOptions {
    /// The options that apply `model` as it was fitted (its clause and theme vectors,
    /// the embedding models loaded again) and leave what it does not cover outliers
    /// (`candidates: false`): what `koe analyze --topics-from MODEL --no-candidate-topics`
    /// runs with, and every shard of one corpus analysed apart (`koe.Shard`), so that a
    /// record's topics depend on the record and the model alone.
    pub fn applying(model: Arc<TopicModel>) -> Result<Self, embedding::Error> {
        let themes = model.theme_vectors();
        let clauses = model
            .vectors
            .split_once("; themes: ")
            .map_or(model.vectors.as_str(), |(clauses, _)| clauses);
        let vectors = match clauses.split_once(" for ") {
            Some((spec, langs)) => {
                let langs: Vec<Lang> = langs.split(',').filter_map(|l| l.parse().ok()).collect();
                Vectors::from_spec(spec)?.only_for(&langs)
            }
            None => Vectors::from_spec(clauses)?,
        };
        let theme_vectors = match &vectors {
            Vectors::Embeddings { embedder, .. } if embedder.name() == themes => {
                Vectors::Embeddings {
                    embedder: embedder.clone(),
                    langs: Vec::new(),
                }
            }
            _ => Vectors::from_spec(themes)?,
        };
        Ok(TopicOptions {
            vectors,
            theme_vectors,
            model: Some(model),
            candidates: false,
            ..TopicOptions::default()
        })
    }

    /// The vectors of clauses and of themes, as a model records them: `tfidf`,
    /// `embeddings:<model>`, with `; themes: embeddings:<model>` when records are
    /// encoded whole.
    pub fn vectors_spec(&self) -> String {
        match &self.theme_vectors {
            Vectors::TfIdf => self.vectors.to_string(),
            themes => format!("{}; themes: {themes}", self.vectors),
        }
    }
}

/// A topic term and its weight (how specific it is to the topic; weights of a
/// topic sum to at most 1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TermWeight {
    pub term: String,
    pub lang: Lang,
    pub weight: f64,
}

/// A topic's records in one month or week.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeriodStat {
    pub period: String,
    pub count: usize,
    /// Percent of that period's records.
    pub share: f64,
    /// None when the topic has no record in the period.
    pub mean_sentiment: Option<f64>,
}

/// A representative record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Example {
    pub id: String,
    /// The first 200 characters.
    pub text: String,
    /// The record's sentiment on this topic (its clauses in the topic).
    pub sentiment: f64,
}

/// A theme or a sub-topic with its pain-point figures. A theme's records are those whose
/// primary theme it is, with their record sentiment; a sub-topic's are the records with
/// at least one clause in it, with the sentiment of those clauses ("aspect" sentiment).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Topic {
    /// Themes and sub-topics are numbered apart; an id stays with its theme or sub-topic
    /// when a later run applies this run's model (`--topics-from`).
    pub id: u32,
    /// The theme a sub-topic belongs to (None for a theme, and for a candidate topic
    /// whose records span themes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub theme: Option<u32>,
    /// A candidate new topic: what no topic of the applied model covers.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub candidate: bool,
    pub label: String,
    pub terms: Vec<TermWeight>,
    /// Key phrases (two topic terms written together, as written most), weighted by how
    /// specific they are to the topic, counted in records; the label starts with the best.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub phrases: Vec<TermWeight>,
    /// Records in the topic.
    pub size: usize,
    /// Clauses in the topic.
    pub clauses: usize,
    /// Percent of all records.
    pub share: f64,
    pub mean_sentiment: f64,
    /// Percent of the topic's records negative on it.
    pub share_negative: f64,
    pub mean_rating: Option<f64>,
    /// NPS (-100..100) of the topic's records that answered.
    pub nps: Option<f64>,
    /// See [`ImpactBasis`] for the unit.
    pub impact: f64,
    pub trend: Vec<PeriodStat>,
    /// Least-squares slope of `share` over periods: percentage points per period.
    pub slope: f64,
    pub emerging: bool,
    pub by_channel: BTreeMap<String, usize>,
    pub by_stage: BTreeMap<String, usize>,
    pub by_lang: BTreeMap<String, usize>,
    /// NPMI of the topic's top terms.
    pub coherence: f64,
    pub examples: Vec<Example>,
    /// What the figures above are computed from; kept in `topic-tallies.json`
    /// ([`Topics::tallies`]), not in topics.json.
    #[serde(skip)]
    pub tally: TopicTally,
}

/// Figures over all records, for comparison.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Overall {
    pub docs: usize,
    pub nps: Option<f64>,
    pub mean_rating: Option<f64>,
    /// Records with no clause in any sub-topic.
    pub outliers: usize,
    /// Records in no theme (nothing to go on: no topic term, no embedding).
    #[serde(default)]
    pub theme_outliers: usize,
    pub mean_sentiment: f64,
    /// Percent of records negative overall.
    pub share_negative: f64,
    pub impact_basis: ImpactBasis,
    pub period: Period,
    /// What the figures above are computed from (see [`Topic`]'s).
    #[serde(skip)]
    pub tally: TopicTally,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Quality {
    /// Mean NPMI (-1..1) of each topic's top 10 terms, co-occurrence in records.
    pub coherence_npmi: f64,
    /// Share of unique terms among all topics' top 10 terms (0..1).
    pub diversity: f64,
}

/// How many themes, and why.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ThemeChoice {
    /// `stability`, `fixed` (`--themes`), `seeded` (taxonomy seeds, the rest by
    /// stability), `model` (`--topics-from`) or `none`.
    pub method: String,
    /// Stability (mean ARI between fits on two subsamples) of each k tried.
    pub stability: Vec<KStability>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct KStability {
    pub k: usize,
    pub stability: f64,
    /// Standard error of the stability (over the subsample pairs).
    #[serde(default)]
    pub error: f64,
}

/// The fitted themes and sub-topics, each sorted by impact.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Topics {
    /// Themes, ranked by impact.
    #[serde(default)]
    pub themes: Vec<Topic>,
    /// Sub-topics (and candidate topics), ranked by impact.
    pub topics: Vec<Topic>,
    pub overall: Overall,
    /// Coherence and diversity of the sub-topics…
    pub quality: Quality,
    /// …and of the themes.
    #[serde(default)]
    pub theme_quality: Quality,
    /// How the number of themes was chosen.
    #[serde(default)]
    pub theme_choice: ThemeChoice,
    /// Topic ids per record (CSR); not serialised.
    #[serde(skip)]
    pub(crate) assignments: DocTopics,
    /// Or, from a fit a piece at a time, every record's theme and topic ids in a scratch
    /// file.
    #[serde(skip)]
    pub(crate) spilled: Option<Arc<AssignmentFile>>,
    /// The model to save (or the applied one); not in topics.json.
    #[serde(skip)]
    pub(crate) model: Option<Arc<TopicModel>>,
    /// What each of [`TopicOptions::merges`] did; not in topics.json.
    #[serde(skip)]
    pub merges: Vec<MergeOutcome>,
    /// The records the model was fitted on, where a run had more than
    /// [`TopicOptions::fit_records`] (None: all of them, or a model applied); not in
    /// topics.json.
    #[serde(skip)]
    pub sample: Option<usize>,
}

/// Every theme's and sub-topic's [`Topic::tally`] by id, and the overall one: what a
/// run keeps in `topic-tallies.json` beside topics.json, from which `koe index merge`
/// recomputes the figures of shards exactly ([`combine`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TopicTallies {
    overall: painpoints::TopicTally,
    themes: BTreeMap<u32, painpoints::TopicTally>,
    topics: BTreeMap<u32, painpoints::TopicTally>,
}

impl Topics {
    /// The tallies of these topics' figures, for `topic-tallies.json`.
    pub fn tallies(&self) -> TopicTallies {
        let by_id = |topics: &[Topic]| topics.iter().map(|t| (t.id, t.tally.clone())).collect();
        TopicTallies {
            overall: self.overall.tally.clone(),
            themes: by_id(&self.themes),
            topics: by_id(&self.topics),
        }
    }

    /// These topics (read from topics.json, which leaves the tallies out) with their
    /// tallies; Err names a theme or sub-topic that has none.
    pub fn with_tallies(mut self, mut tallies: TopicTallies) -> Result<Topics, String> {
        self.overall.tally = tallies.overall;
        for (level, topics, by_id) in [
            ("theme", &mut self.themes, &mut tallies.themes),
            ("sub-topic", &mut self.topics, &mut tallies.topics),
        ] {
            for topic in topics {
                topic.tally = by_id
                    .remove(&topic.id)
                    .ok_or_else(|| format!("{level} {} has no tally", topic.id))?;
            }
        }
        Ok(self)
    }

    /// Topic ids of a record (by sequence number), primary first; empty for outliers
    /// and for records this fit never saw, or does not hold in memory (a fit a piece at
    /// a time: [`records`](Self::records) reads every record's).
    pub fn doc_topics(&self, doc_seq: usize) -> &[u32] {
        self.assignments.topics(doc_seq)
    }

    /// The record's theme; None for a record with nothing to go on (no topic term, no
    /// embedding) and for records this fit never saw or does not hold in memory.
    pub fn doc_theme(&self, doc_seq: usize) -> Option<u32> {
        self.assignments.theme(doc_seq)
    }

    /// The record's sentiment (-1..1) on each topic of [`Topics::doc_topics`], same order.
    pub fn doc_topic_sentiments(&self, doc_seq: usize) -> &[f32] {
        self.assignments.sentiments(doc_seq)
    }

    /// Every record's theme and topic ids, in record order: from memory, or from the
    /// scratch file of a fit a piece at a time.
    pub fn records(&self) -> Result<RecordTopics<'_>, Error> {
        match &self.spilled {
            Some(file) => RecordTopics::from_file(file).map_err(Error::Assignments),
            None => Ok(RecordTopics::in_memory(&self.assignments)),
        }
    }

    pub fn label(&self, topic: u32) -> Option<&str> {
        self.topics
            .iter()
            .find(|t| t.id == topic)
            .map(|t| t.label.as_str())
    }

    /// The model this fit made or applied, for `--topics-from` of a later run.
    pub fn model(&self) -> Option<&TopicModel> {
        self.model.as_deref()
    }

    pub fn theme_label(&self, theme: u32) -> Option<&str> {
        self.themes
            .iter()
            .find(|t| t.id == theme)
            .map(|t| t.label.as_str())
    }
}

#[cfg(test)]
mod tests;
