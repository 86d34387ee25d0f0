//! Topics: group feedback into themes and rank them as pain points.
//!
//! The stage reads [`Analysed`](crate::Analysed) records one at a time into a compact
//! [`TopicCollector`] (term ids per clause, a few bytes of survey facts per record,
//! the first 200 characters of each text for examples), then [`TopicCollector::fit`]
//! runs, in order:
//!
//! 1. `vectorize`: clauses (a sentence cut at けど / but …, see [`clauses`]) → TF-IDF
//!    rows over topic terms ([`is_topic_term`]), one vocabulary for Japanese and English;
//!    or, with [`Vectors::Embeddings`], also a sentence embedding per clause
//!    (`embedding`), computed in batches as records arrive;
//! 2. `cluster` and `kmeans`: a seeded sample → truncated SVD (LSA, `linalg`; not with
//!    embeddings) → spherical k-means with k chosen by silhouette → near-identical topics merged →
//!    every clause assigned to its nearest centroid in one linear pass, weak matches
//!    left out as outliers; `mentions` then says which topics each record talks about
//!    and with which sentiment;
//! 3. `label`: each topic's top terms by class-based TF-IDF (BERTopic's c-TF-IDF), a
//!    label from them, and its most representative records;
//! 4. `painpoints`: volume, sentiment, rating, NPS and impact per topic, trend by month
//!    or ISO week with a least-squares slope, emerging topics, channel and stage
//!    breakdowns;
//! 5. `quality`: NPMI coherence and topic diversity.
//!
//! The result, [`Topics`], is sorted by impact and serialises to `topics.json`
//! ([`render_table`] prints it); its per-record assignments ([`Topics::doc_topics`])
//! are for the index stage. Everything is deterministic for a given
//! [`TopicOptions::seed`], whatever the number of threads.

mod cluster;
mod collector;
pub mod embedding;
mod groups;
mod kmeans;
mod label;
mod linalg;
mod mentions;
mod painpoints;
mod quality;
pub mod report;
mod vectorize;

use std::collections::BTreeMap;
use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::record::Lang;
pub use collector::TopicCollector;
pub use embedding::{ClauseEmbedder, Vectors};
pub use groups::{GroupMention, GroupTally};
pub use painpoints::ImpactBasis;
pub use report::{render_quality, render_table};
pub use vectorize::{clauses, is_topic_term};

pub use crate::period::Period;

/// What the analyst can tune. The defaults suit thousands to millions of short records.
#[derive(Debug, Clone)]
pub struct TopicOptions {
    /// How clauses become vectors: TF-IDF + LSA (default) or sentence embeddings.
    pub vectors: Vectors,
    /// At most this many topics: the smallest is merged into its most similar until
    /// the cap holds.
    pub max_topics: Option<usize>,
    /// A topic needs this many records; smaller ones are dissolved.
    pub min_topic_size: usize,
    pub seed: u64,
    /// Cluster Japanese and English records apart (true) or in one space (false).
    pub separate_languages: bool,
    pub period: Period,
    /// Terms in fewer clauses than this are ignored.
    pub min_df: usize,
    /// Terms in more than this fraction of clauses are ignored.
    pub max_df: f64,
    /// Vocabulary cap (most frequent terms first).
    pub max_terms: usize,
    /// Dimensions of the LSA space.
    pub dims: usize,
    /// Clauses sampled (per language group) to fit the LSA space and the clusters.
    pub sample_size: usize,
    /// Largest k tried by the silhouette search.
    pub max_clusters: usize,
    /// A clause less similar than this to every centroid is an outlier (cosine in term
    /// space between the clause and the centroid's direction; with embeddings, cosine
    /// between the clause's embedding and the centroid).
    pub min_similarity: f32,
    /// Centroids more similar (cosine, LSA or embedding space) than this are one topic.
    pub merge_similarity: f32,
    /// Top terms kept per topic (per language when a topic mixes both).
    pub top_terms: usize,
    /// Representative records kept per topic.
    pub examples: usize,
}

impl Default for TopicOptions {
    fn default() -> Self {
        TopicOptions {
            vectors: Vectors::TfIdf,
            max_topics: None,
            min_topic_size: 10,
            seed: 42,
            separate_languages: false,
            period: Period::Month,
            min_df: 2,
            max_df: 0.5,
            max_terms: 50_000,
            dims: 100,
            sample_size: 20_000,
            max_clusters: 60,
            min_similarity: 0.3,
            merge_similarity: 0.8,
            top_terms: 10,
            examples: 3,
        }
    }
}

/// A topic term and its c-TF-IDF weight (weights of a topic sum to at most 1).
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

/// One topic with its pain-point figures. Record counts are records with at least one
/// clause in the topic; sentiment is that of those clauses ("aspect" sentiment).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Topic {
    pub id: u32,
    pub label: String,
    pub terms: Vec<TermWeight>,
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
}

/// Figures over all records, for comparison.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Overall {
    pub docs: usize,
    pub nps: Option<f64>,
    pub mean_rating: Option<f64>,
    /// Records with no clause in any topic.
    pub outliers: usize,
    pub mean_sentiment: f64,
    /// Percent of records negative overall.
    pub share_negative: f64,
    pub impact_basis: ImpactBasis,
    pub period: Period,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Quality {
    /// Mean NPMI (-1..1) of each topic's top 10 terms, co-occurrence in records.
    pub coherence_npmi: f64,
    /// Share of unique terms among all topics' top 10 terms (0..1).
    pub diversity: f64,
}

/// The fitted topics, sorted by impact (topic id = rank, 0 first).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Topics {
    pub topics: Vec<Topic>,
    pub overall: Overall,
    pub quality: Quality,
    /// Topic ids per record (CSR); not serialised.
    #[serde(skip)]
    pub(crate) assignments: DocTopics,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct DocTopics {
    pub offsets: Vec<usize>,
    pub topics: Vec<u32>,
    /// The record's sentiment on each of its topics.
    pub sentiments: Vec<f32>,
}

impl Topics {
    /// Topic ids of a record (by sequence number), primary first; empty for outliers
    /// and for records this fit never saw.
    pub fn doc_topics(&self, doc_seq: usize) -> &[u32] {
        &self.assignments.topics[self.doc_range(doc_seq)]
    }

    /// The record's sentiment (-1..1) on each topic of [`Topics::doc_topics`], same order.
    pub fn doc_topic_sentiments(&self, doc_seq: usize) -> &[f32] {
        &self.assignments.sentiments[self.doc_range(doc_seq)]
    }

    fn doc_range(&self, doc_seq: usize) -> Range<usize> {
        let offsets = &self.assignments.offsets;
        match (offsets.get(doc_seq), offsets.get(doc_seq + 1)) {
            (Some(&a), Some(&b)) => a..b,
            _ => 0..0,
        }
    }

    pub fn label(&self, topic: u32) -> Option<&str> {
        self.topics
            .iter()
            .find(|t| t.id == topic)
            .map(|t| t.label.as_str())
    }
}

#[cfg(test)]
mod tests;
