//! The collector: what the topics stage keeps of each record until it fits.
//!
//! Per clause: its topic-term ids with counts, its key phrases (`phrases`, for labels)
//! and its sentiment; per record: language,
//! rating, NPS, channel, stage, period and sentiment, a hash of its text (the order-free
//! key that samples are drawn by). Two things per record wait in scratch files of the
//! run instead ([`TopicCollector::spill_to`], in its staging folder), or, without them,
//! in memory: each record's id and first 200 characters, for the examples (`snippets`),
//! and its whole-text vector from the theme encoder (`record_vectors`, 516 bytes with
//! use-m3, the CLI's default `--theme-vectors`), of which only the theme fit's sample
//! stays in memory. Memory therefore grows with the number of topic terms (6 bytes
//! each), of clauses (about 40 bytes each with their phrases) and of records (about 50
//! bytes); the texts themselves and their tokens are not kept. Measured on generated
//! records (`TOPICS=1 FORMATS=parquet benches/parquet_scale.sh 100000 1000000`; README,
//! Scaling): see the README for the peak RSS at 100k and 1M records.

use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

use super::TopicOptions;
use super::embedding::{self, Embeddings, Vectors};
use super::phrases::PhraseStore;
use super::record_vectors::{self, RecordVectors};
use super::snippets::{self, Snippets};
use super::vectorize::{ClauseStore, NONE, Vocabulary, clauses};
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
    #[error(transparent)]
    ThemeVectors(#[from] record_vectors::Error),
}

impl Error {
    /// A scratch file of the run could not be written or read (rather than a model
    /// failing).
    pub fn is_scratch_file(&self) -> bool {
        matches!(
            self,
            Error::Snippets(_) | Error::ThemeVectors(record_vectors::Error::Scratch(_))
        )
    }
}

/// What the collector keeps of a record besides its clauses.
#[derive(Debug, Clone)]
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
    /// Each stored clause's sentence embedding, with [`Vectors::Embeddings`].
    pub(super) embeddings: Option<Embeddings>,
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
            docs: Vec::new(),
            seeds: Vec::new(),
            keys: Vec::new(),
            snippets: Snippets::default(),
            channels: Interner::default(),
            stages: Interner::default(),
            clause_model: None,
        }
    }

    /// Scores clauses of multi-clause sentences with `model`, so 「遅かったけど、親切
    /// でした」 gives its delivery clause and its staff clause their own sentiment.
    /// Without it a clause takes its sentence's score.
    pub fn with_clause_sentiment(mut self, model: Arc<dyn SentimentModel>) -> Self {
        self.clause_model = Some(model);
        self
    }

    /// Keeps each record's id and snippet in a new scratch file at `snippets`, and its
    /// theme vector (with [`TopicOptions::theme_vectors`]) in one at `theme_vectors`,
    /// rather than in memory (see the module doc); the files are removed when the
    /// collector (or the fit) is done with them. Call before the first [`add`](Self::add).
    pub fn spill_to(mut self, snippets: PathBuf, theme_vectors: PathBuf) -> Result<Self, Error> {
        self.snippets = Snippets::spill_to(snippets)?;
        if let Some(vectors) = self.record_vectors.take() {
            self.record_vectors = Some(vectors.spill_to(theme_vectors, self.options.sample_size)?);
        }
        Ok(self)
    }

    /// Adds the next record; call in sequence order (0, 1, 2, …). Fails only where an
    /// embedding model does (with [`Vectors::Embeddings`]) or the snippets' scratch file
    /// cannot be written.
    pub fn add(&mut self, analysed: &Analysed) -> Result<(), Error> {
        self.add_seeded(analysed, None)
    }

    /// [`add`](Self::add) for a record that matched theme seed `seed` (an index into
    /// [`TopicOptions::theme_seeds`]): a fresh fit puts it in that seed's theme.
    pub fn add_seeded(&mut self, analysed: &Analysed, seed: Option<usize>) -> Result<(), Error> {
        self.seeds.push(
            seed.filter(|&s| s < self.options.theme_seeds.len())
                .map_or(NONE, |s| s as u32),
        );
        let doc = &analysed.text;
        let sentiment = &analysed.sentiment;
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
                let stored = self
                    .store
                    .push_clause(&mut self.vocab, tokens, doc.lang, score);
                if stored {
                    self.phrases
                        .push_clause(&self.vocab, tokens, &doc.normalized, doc.lang);
                }
                if let Some(embeddings) = self.embeddings.as_mut().filter(|_| stored) {
                    let text = doc.normalized.get(clause_span(doc, range)).unwrap_or("");
                    embeddings.push(doc.lang, text)?;
                }
            }
        }
        self.store.end_doc();
        let record = &analysed.record;
        let key = text_key(&record.text);
        if let Some(vectors) = self.record_vectors.as_mut() {
            vectors.push(doc.lang, &doc.normalized, key)?;
        }
        self.docs.push(DocMeta::of(
            analysed,
            &mut self.channels,
            &mut self.stages,
            self.options.period,
        ));
        self.keys.push(key);
        self.snippets.push(&record.id, &record.text)?;
        Ok(())
    }
}

/// The order-free key of a record: the first 8 bytes of its text's BLAKE3 hash.
fn text_key(text: &str) -> u64 {
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
