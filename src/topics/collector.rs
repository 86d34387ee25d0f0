//! The collector: what the topics stage keeps of each record until it fits.
//!
//! Per clause: its topic-term ids with counts, its key phrases (`phrases`, for labels)
//! and its sentiment; per record: language, rating, NPS, channel, stage, period and
//! sentiment, a hash of its text (the order-free key that samples are drawn by), its
//! theme seed, its id and first 200 characters (for examples, `snippets`), and its
//! whole-text vector from the theme encoder (`record_vectors`, 516 bytes with use-m3,
//! the CLI's default `--theme-vectors`). The texts themselves and their tokens are not
//! kept.
//!
//! A collector alone (the Python package's `koe.analyze`, tests) keeps all this in
//! memory. A run's collector spills it ([`TopicCollector::spill_to`]): each record's
//! features go to a scratch file as it arrives (`features`), its theme vector to
//! another, and the fit reads them back a piece of at most
//! [`TopicOptions::fit_records`] records at a time (`staged`), so that memory holds the
//! vocabulary, the phrase table and 8 bytes a record (its text hash), plus one piece,
//! whatever the number of records. With clause embeddings (`--topic-vectors
//! embeddings:…`) each clause's vector waits in a scratch file too, in clause order,
//! and goes into the piece with its clause. Peak RSS at 100k and 1M records: README,
//! Scaling.

use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::TopicOptions;
use super::embedding::{self, Embeddings, Vectors};
use super::features::{ClauseFeatures, FeatureFile, RecordFeatures};
use super::phrases::PhraseStore;
use super::record_vectors::{self, RecordVectors};
use super::snippets::{self, Snippets, snippet_of};
use super::staged::Staging;
use super::vectorize::{ClauseStore, NONE, Vocabulary, clause_terms, clauses};
use crate::record::{Analysed, Lang};
use crate::sentiment::{Score, SentimentModel};
use crate::text::{AnalysedText, Sentence};

/// What collecting records and fitting topics can fail on.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Vectors(#[from] embedding::Error),
    #[error("examples' scratch file {0}")]
    Snippets(#[from] snippets::Error),
    #[error("theme vectors: {0}")]
    ThemeVectors(#[from] record_vectors::Error),
    #[error("topic features' scratch file {0}")]
    Features(crate::scratch::Error),
    #[error("clause vectors: {0}")]
    ClauseVectors(record_vectors::Error),
    #[error("topic assignments' scratch file {0}")]
    Assignments(crate::scratch::Error),
    #[error("the fit of the sample made no topic model to apply to the rest")]
    NoModel,
}

impl Error {
    /// A scratch file of the run could not be written or read (rather than a model
    /// failing).
    pub fn is_scratch_file(&self) -> bool {
        matches!(
            self,
            Error::Snippets(_)
                | Error::Features(_)
                | Error::Assignments(_)
                | Error::ClauseVectors(record_vectors::Error::Scratch(_))
                | Error::ThemeVectors(record_vectors::Error::Scratch(_))
        )
    }
}

/// What the collector keeps of a record besides its clauses.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct DocMeta {
    pub lang: Lang,
    pub rating: Option<u8>,
    pub nps: Option<u8>,
    pub channel: u32,
    pub stage: u32,
    pub period: Option<i32>,
    pub sentiment: Score,
}

impl DocMeta {
    /// What is kept of `analysed`, its channel and stage interned.
    pub(crate) fn of(
        analysed: &Analysed,
        channels: &mut Interner,
        stages: &mut Interner,
        period: super::Period,
    ) -> Self {
        let record = &analysed.record;
        DocMeta {
            lang: analysed.text.lang,
            rating: record.rating,
            nps: record.nps,
            channel: channels.intern(record.channel.as_deref()),
            stage: stages.intern(record.stage.as_deref()),
            period: record.created_at.map(|t| period.index(t.date_naive())),
            sentiment: analysed.sentiment.doc,
        }
    }
}

/// Accumulates compact features of every record (see the module doc for memory);
/// [`fit`](TopicCollector::fit) turns them into [`Topics`].
pub struct TopicCollector {
    pub(super) options: TopicOptions,
    pub(super) vocab: Vocabulary,
    pub(super) store: ClauseStore,
    /// Each stored clause's key phrases, for labels only.
    pub(super) phrases: PhraseStore,
    /// Each stored clause's sentence embedding, with [`Vectors::Embeddings`]…
    pub(super) embeddings: Option<Embeddings>,
    /// …or, in a run ([`spill_to`](Self::spill_to)), every stored clause's vector in a
    /// scratch file, in clause order (a record's rows after another's).
    pub(super) clause_vectors: Option<RecordVectors>,
    /// Each record's whole-text embedding, with [`TopicOptions::theme_vectors`].
    pub(super) record_vectors: Option<RecordVectors>,
    pub(super) docs: Vec<DocMeta>,
    /// The theme seed ([`TopicOptions::theme_seeds`]) each record matched, `NONE` if none.
    pub(super) seeds: Vec<u32>,
    /// Hash of each record's text: where it falls in every sample, whatever the order
    /// records came in.
    pub(super) keys: Vec<u64>,
    /// Id and text snippet of each record, for examples.
    pub(super) snippets: Snippets,
    pub(super) channels: Interner,
    pub(super) stages: Interner,
    clause_model: Option<Arc<dyn SentimentModel>>,
    /// One clause's terms, counts and phrases on their way into a record's features
    /// (buffers reused from clause to clause).
    clause: (Vec<u32>, Vec<u16>, Vec<u32>),
    /// In a run ([`spill_to`](Self::spill_to)): the records' features go to a scratch
    /// file rather than into the stores above, to be fitted a piece at a time.
    pub(super) staging: Option<Staging>,
}

/// The scratch files of a collector that spills ([`TopicCollector::spill_to`]).
#[derive(Debug, Clone)]
pub struct ScratchPaths {
    /// Every record's features.
    pub features: PathBuf,
    /// Every record's theme vector (with [`TopicOptions::theme_vectors`]).
    pub theme_vectors: PathBuf,
    /// Every clause's sentence embedding (with [`TopicOptions::vectors`] embeddings).
    pub clause_vectors: PathBuf,
    /// Ids and snippets of the records of the piece being fitted.
    pub snippets: PathBuf,
    /// Theme vectors of the records of the piece being fitted.
    pub fit_theme_vectors: PathBuf,
    /// Every record's theme and topics, when the fit takes more than one piece.
    pub assignments: PathBuf,
}

impl TopicCollector {
    pub fn new(options: TopicOptions) -> Self {
        let embeddings = match &options.vectors {
            Vectors::TfIdf => None,
            Vectors::Embeddings { embedder, langs } => {
                Some(Embeddings::new(embedder.clone(), langs))
            }
        };
        let record_vectors = match &options.theme_vectors {
            Vectors::TfIdf => None,
            Vectors::Embeddings { embedder, langs } => {
                Some(RecordVectors::new(embedder.clone(), langs))
            }
        };
        TopicCollector {
            options,
            record_vectors,
            vocab: Vocabulary::default(),
            store: ClauseStore::new(),
            phrases: PhraseStore::default(),
            embeddings,
            clause_vectors: None,
            docs: Vec::new(),
            seeds: Vec::new(),
            keys: Vec::new(),
            snippets: Snippets::default(),
            channels: Interner::default(),
            stages: Interner::default(),
            clause_model: None,
            clause: Default::default(),
            staging: None,
        }
    }

    /// Scores clauses of multi-clause sentences with `model`, so 「遅かったけど、親切
    /// でした」 gives its delivery clause and its staff clause their own sentiment.
    /// Without it a clause takes its sentence's score.
    pub fn with_clause_sentiment(mut self, model: Arc<dyn SentimentModel>) -> Self {
        self.clause_model = Some(model);
        self
    }

    /// Keeps what it collects in new scratch files at `paths` rather than in memory
    /// (see the module doc); the files are removed when the collector (or the fit) is
    /// done with them. Call before the first [`add`](Self::add).
    pub fn spill_to(mut self, paths: ScratchPaths) -> Result<Self, Error> {
        if let Vectors::Embeddings { embedder, langs } = &self.options.vectors {
            self.embeddings = None;
            let clauses = RecordVectors::new(embedder.clone(), langs);
            self.clause_vectors = Some(
                clauses
                    .spill_to(paths.clause_vectors.clone(), 0)
                    .map_err(Error::ClauseVectors)?,
            );
        }
        if let Some(vectors) = self.record_vectors.take() {
            // Every row to the file; each piece keeps its own sample.
            self.record_vectors = Some(vectors.spill_to(paths.theme_vectors.clone(), 0)?);
        }
        let features = FeatureFile::create(paths.features.clone()).map_err(Error::Features)?;
        self.staging = Some(Staging::new(features, paths));
        Ok(self)
    }

    /// Adds the next record; call in sequence order (0, 1, 2, …). Fails only where an
    /// embedding model does (with [`Vectors::Embeddings`]) or a scratch file cannot be
    /// written.
    pub fn add(&mut self, analysed: &Analysed) -> Result<(), Error> {
        self.add_seeded(analysed, None)
    }

    /// [`add`](Self::add) for a record that matched theme seed `seed` (an index into
    /// [`TopicOptions::theme_seeds`]): a fresh fit puts it in that seed's theme.
    pub fn add_seeded(&mut self, analysed: &Analysed, seed: Option<usize>) -> Result<(), Error> {
        let features = self.features_of(analysed, seed)?;
        if let Some(vectors) = self.record_vectors.as_mut() {
            let doc = &analysed.text;
            vectors.push(doc.lang, &doc.normalized, features.key)?;
        }
        match &mut self.staging {
            Some(staging) => staging.write(&features),
            None => self.push_features(&features),
        }
    }

    /// The features of `analysed` (its terms and phrases interned), its clauses' texts
    /// queued for their embeddings (with [`Vectors::Embeddings`]).
    fn features_of(
        &mut self,
        analysed: &Analysed,
        seed: Option<usize>,
    ) -> Result<RecordFeatures, Error> {
        let doc = &analysed.text;
        let sentiment = &analysed.sentiment;
        let record = &analysed.record;
        let mut features = RecordFeatures {
            key: text_key(&record.text),
            seed: seed
                .filter(|&s| s < self.options.theme_seeds.len())
                .map_or(NONE, |s| s as u32),
            meta: DocMeta::of(
                analysed,
                &mut self.channels,
                &mut self.stages,
                self.options.period,
            ),
            id: record.id.clone(),
            snippet: snippet_of(&record.text).to_string(),
            clauses: Vec::new(),
            terms: Vec::new(),
            counts: Vec::new(),
            phrases: Vec::new(),
        };
        let (terms, counts, phrases) = &mut self.clause;
        let aligned = sentiment.sentences.len() == doc.sentences.len();
        for (i, sentence) in doc.sentences.iter().enumerate() {
            let score = if aligned {
                sentiment.sentences[i]
            } else {
                sentiment.doc
            };
            let ranges = clauses(doc, sentence);
            let scores = match &self.clause_model {
                Some(model) if ranges.len() > 1 => {
                    let texts: Vec<AnalysedText> =
                        ranges.iter().map(|r| clause_text(doc, r.clone())).collect();
                    let refs: Vec<&AnalysedText> = texts.iter().collect();
                    // Where the model fails, clauses keep their sentence's score.
                    let scored = model.score_batch(&refs).unwrap_or_default();
                    (0..ranges.len())
                        .map(|j| scored.get(j).map_or(score, |s| s.doc))
                        .collect()
                }
                _ => vec![score; ranges.len()],
            };
            for (range, score) in ranges.into_iter().zip(scores) {
                let tokens = &doc.tokens[range.clone()];
                clause_terms(&mut self.vocab, tokens, doc.lang, terms, counts);
                if terms.is_empty() {
                    continue;
                }
                self.phrases
                    .phrases_of(&self.vocab, tokens, &doc.normalized, doc.lang, phrases);
                features.terms.extend_from_slice(terms);
                features.counts.extend_from_slice(counts);
                features.phrases.extend_from_slice(phrases);
                features.clauses.push(ClauseFeatures {
                    sentiment: score,
                    terms_end: features.terms.len() as u32,
                    phrases_end: features.phrases.len() as u32,
                });
                let text = || {
                    doc.normalized
                        .get(clause_span(doc, range.clone()))
                        .unwrap_or("")
                };
                if let Some(embeddings) = self.embeddings.as_mut() {
                    embeddings.push(doc.lang, text())?;
                }
                if let Some(vectors) = self.clause_vectors.as_mut() {
                    vectors
                        .push(doc.lang, text(), features.key)
                        .map_err(Error::ClauseVectors)?;
                }
            }
        }
        Ok(features)
    }

    /// Puts a record's features into the stores.
    pub(super) fn push_features(&mut self, features: &RecordFeatures) -> Result<(), Error> {
        self.seeds.push(features.seed);
        for (sentiment, terms, counts, phrases) in features.clauses() {
            self.store.push(terms, counts, sentiment);
            self.phrases.push(phrases);
        }
        self.store.end_doc();
        self.docs.push(features.meta.clone());
        self.keys.push(features.key);
        self.snippets.push(&features.id, &features.snippet)?;
        Ok(())
    }
}

/// The order-free key of a record: the first 8 bytes of its text's BLAKE3 hash.
pub(super) fn text_key(text: &str) -> u64 {
    let hash = blake3::hash(text.as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&hash.as_bytes()[..8]);
    u64::from_le_bytes(first)
}

/// Byte span (in `doc.normalized`) of the clause made of `tokens` (a token range).
fn clause_span(doc: &AnalysedText, tokens: Range<usize>) -> Range<usize> {
    let tokens = &doc.tokens[tokens];
    let start = tokens.first().map_or(0, |t| t.span.start);
    let end = tokens.last().map_or(start, |t| t.span.end);
    start..end
}

/// A clause as a one-sentence document of its own, for a sentiment model.
fn clause_text(doc: &AnalysedText, range: Range<usize>) -> AnalysedText {
    let span = clause_span(doc, range.clone());
    let start = span.start;
    let tokens = &doc.tokens[range];
    let normalized = doc.normalized.get(span).unwrap_or("").to_string();
    let tokens: Vec<_> = tokens
        .iter()
        .map(|t| crate::text::Token {
            span: t.span.start.saturating_sub(start)..t.span.end.saturating_sub(start),
            ..t.clone()
        })
        .collect();
    AnalysedText {
        sentences: vec![Sentence {
            span: 0..normalized.len(),
            tokens: 0..tokens.len(),
        }],
        normalized,
        lang: doc.lang,
        tokens,
    }
}

/// Channel and stage names, numbered in order of first appearance.
#[derive(Debug, Default)]
pub(crate) struct Interner {
    ids: std::collections::HashMap<String, u32>,
    pub names: Vec<String>,
}

impl Interner {
    fn intern(&mut self, name: Option<&str>) -> u32 {
        let Some(name) = name.filter(|n| !n.is_empty()) else {
            return NONE;
        };
        if let Some(&id) = self.ids.get(name) {
            return id;
        }
        let id = self.names.len() as u32;
        self.ids.insert(name.to_string(), id);
        self.names.push(name.to_string());
        id
    }
}
