//! The batch job behind `koe analyze`: input files → analysed records → topics, index,
//! rejects and a summary.
//!
//! [`check_inputs`] refuses inputs that are missing, inside the output folder or given
//! twice before anything is written. A first pass over the inputs reads their ids
//! (`ids`: which record of each id is kept, [`DuplicateIds`]); then records stream from
//! ingest in batches; each batch is analysed (text stage) and
//! scored (sentiment stage) in parallel with rayon. Without topics, records go straight
//! to the index writer. With topics (the default), the analysis also feeds each record's
//! compact term features to the topic collector and spills the record to a temporary
//! file; once every record is read the topics are fitted (`topics.json`) and a last pass
//! indexes the spilled records with their topic ids. With `--append`, the previous
//! generation's records whose ids the run does not have follow the new ones through the
//! same stages, so the topics are fitted on the whole corpus. Either way memory holds one
//! batch, the writer's budget and one piece of the topic fit, never the dump (the id pass's 24
//! bytes a record are freed before the analysis starts).
//! Everything goes into the run's staging generation ([`crate::analysis::Run`]):
//! rejects as they happen, the summary last; the caller publishes it. An [`Interrupt`]
//! stops a run between batches.
//! A caller holding the records itself (the Python package's `koe.Shard`, one per Spark
//! partition) feeds them through the same stages with [`Pipeline::feed`].
//! With `--sentiment auto`, [`Pipeline::learn_sentiment`] first reads the inputs for
//! their ratings and learns the model the run uses ([`learn`]); the models it trained
//! go into the generation ([`crate::analysis::Part::SentimentModel`]).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

mod ids;
mod inputs;
mod learn;
pub mod merge;
mod run;
mod spill;
mod texts;
mod topic_specs;

pub use run::Feed;
pub use texts::TextResult;
pub use topic_specs::TopicSpecs;

pub use learn::LearnedSentiment;

use rayon::prelude::*;
use serde::Serialize;

use crate::analysis;
use crate::index;
use crate::ingest::{self, FieldMap, Limits, Reject, RejectReason};
use crate::record::{Analysed, Record};
use crate::sentiment::SentimentModel;
use crate::taxonomy::{MergeOutcome, RenameOutcome, Tagger};
use crate::text::{AnalysedText, TextAnalyzer};
use crate::topics::TopicOptions;
pub use ids::DuplicateIds;
pub use inputs::{InputFile, check_inputs, hash_file};

/// Documents per `score_batch` call: small enough to spread over cores, large enough for
/// a transformer backend to pad and batch.
const SCORING_CHUNK: usize = 64;

/// Errors that stop a run (bad records never do).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("input file {0} does not exist")]
    MissingInput(PathBuf),
    #[error("cannot read {path}: {source}")]
    Input {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "{input} is inside the output folder {output}, which a run replaces: copy it elsewhere first"
    )]
    InputInOutput { input: PathBuf, output: PathBuf },
    #[error("{second} is {first} again (the same file, or the same bytes): give each input once")]
    SameInput { first: PathBuf, second: PathBuf },
    #[error(
        "{input} has the same bytes as {earlier}, which generation {generation} of this folder \
         already read: leave it out (records already there are updated by id, not added twice)"
    )]
    AlreadyAnalysed {
        input: PathBuf,
        earlier: String,
        generation: u64,
    },
    #[error(
        "id {id:?} at {at} was already at {first} (--duplicate-ids error); \
         --duplicate-ids last or first keeps one of them"
    )]
    DuplicateId {
        id: String,
        at: String,
        first: String,
    },
    #[error(transparent)]
    Ingest(#[from] ingest::Error),
    #[error(transparent)]
    Index(#[from] index::Error),
    #[error(transparent)]
    Export(#[from] crate::export::Error),
    #[error(transparent)]
    Analysis(#[from] analysis::Error),
    #[error("cannot write {path}: {source}")]
    Output {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("topics: {0}")]
    TopicVectors(#[from] crate::topics::embedding::Error),
    #[error("topics: {0}")]
    Topics(#[from] crate::topics::Error),
    #[error(transparent)]
    Model(#[from] crate::topics::model::Error),
    #[error("--sentiment auto")]
    Auto(#[from] crate::sentiment::auto::Error),
    #[error("saving the learnt sentiment model in {path}: {source}")]
    SaveModel {
        path: PathBuf,
        source: crate::sentiment::linear::Error,
    },
    /// An option the run cannot work with, named as the CLI flag.
    #[error("--{option}: {message}")]
    Option {
        option: &'static str,
        message: String,
    },
    /// `koe index merge`: a shard that cannot be merged with the others.
    #[error("cannot merge {shard}: {message}")]
    Merge { shard: PathBuf, message: String },
    /// The run was asked to stop ([`Interrupt`]); the value is what the asker gave.
    #[error("interrupted: nothing was published, the output folder is as it was")]
    Interrupted(usize),
}

/// A request to stop a run, checked between batches: the run then ends with
/// [`Error::Interrupted`] and publishes nothing. The CLI sets it on Ctrl-C and SIGTERM
/// (to the signal's number, which becomes the exit code).
#[derive(Debug, Clone, Default)]
pub struct Interrupt(Arc<AtomicUsize>);

impl Interrupt {
    /// The flag itself, for a signal handler to store a nonzero value into.
    pub fn flag(&self) -> Arc<AtomicUsize> {
        self.0.clone()
    }

    /// Asks the run to stop; `reason` must be nonzero.
    pub fn request(&self, reason: usize) {
        self.0.store(reason, Ordering::SeqCst);
    }

    fn check(&self) -> Result<(), Error> {
        match self.0.load(Ordering::SeqCst) {
            0 => Ok(()),
            reason => Err(Error::Interrupted(reason)),
        }
    }
}

/// The input files whose records `generation` holds, in the order they were read (from
/// its `summary.json`; with `--append`, those of the generations before first).
pub fn read_corpus(generation: &analysis::Generation) -> Result<Vec<InputFile>, Error> {
    #[derive(serde::Deserialize)]
    struct Corpus {
        #[serde(default)]
        corpus: Vec<InputFile>,
    }
    Ok(generation
        .read_json::<Corpus>(analysis::Part::Summary)?
        .map(|s| s.corpus)
        .unwrap_or_default())
}

/// The topic model of the analysis in `out_dir` (its current generation), for
/// `--topics-from`.
pub fn read_model(out_dir: &Path) -> Result<crate::topics::TopicModel, Error> {
    let generation = analysis::AnalysisDir::new(out_dir).current()?;
    Ok(crate::topics::TopicModel::read(
        &generation.path(analysis::Part::TopicModel),
        out_dir,
    )?)
}

/// How to read and index the inputs.
#[derive(Debug, Clone)]
pub struct Options {
    /// Fit topics (pain points) and write them into the index; `None` skips the stage.
    pub topics: Option<TopicOptions>,
    pub fields: FieldMap,
    pub limits: Limits,
    /// Records analysed together; one batch is in memory at a time.
    pub batch_size: usize,
    /// Tantivy's indexing memory, in bytes: the in-memory segment is flushed when full, so
    /// this bounds the writer's memory whatever the corpus size.
    pub index_memory: usize,
    /// Which record is kept when several have one id.
    pub duplicate_ids: DuplicateIds,
    /// Add to the previous generation (updating its records by id) instead of replacing it.
    pub append: bool,
    /// Checked between batches; a run asked to stop publishes nothing.
    pub interrupt: Interrupt,
    /// Tag records with the analyst's categories (`--taxonomy`), rename topics.
    pub taxonomy: Option<Arc<Tagger>>,
    /// Also write every analysed record to `records.parquet` in the generation.
    pub emit_parquet: bool,
}

/// The least indexing memory Tantivy accepts for one writer thread.
pub const MIN_INDEX_MEMORY: usize = 15 * 1024 * 1024;

impl Options {
    /// Rejects what no run can work with: batches of no records, an indexing budget below
    /// Tantivy's minimum ([`MIN_INDEX_MEMORY`]).
    pub fn check(&self) -> Result<(), Error> {
        if self.batch_size == 0 {
            return Err(Error::Option {
                option: "batch-size",
                message: "a batch holds at least one record".into(),
            });
        }
        if self.index_memory < MIN_INDEX_MEMORY {
            return Err(Error::Option {
                option: "index-memory-mb",
                message: format!(
                    "{} MiB is below the {} MiB Tantivy needs",
                    self.index_memory / (1024 * 1024),
                    MIN_INDEX_MEMORY / (1024 * 1024)
                ),
            });
        }
        Ok(())
    }
}

impl Default for Options {
    fn default() -> Self {
        Options {
            topics: Some(TopicOptions::default()),
            fields: FieldMap::default(),
            limits: Limits::default(),
            batch_size: 2048,
            index_memory: 32 * 1024 * 1024,
            duplicate_ids: DuplicateIds::default(),
            append: false,
            interrupt: Interrupt::default(),
            taxonomy: None,
            emit_parquet: false,
        }
    }
}

/// What a run did: written as `summary.json`.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub koe_version: &'static str,
    /// The generation of the output folder this run published.
    pub generation: u64,
    /// This run's inputs.
    pub inputs: Vec<String>,
    /// Every input whose records the generation holds (with `--append`, those of the
    /// generations before too), with its size and BLAKE3 hash.
    pub corpus: Vec<InputFile>,
    pub sentiment_model: String,
    /// What `--sentiment auto` decided per language, with both held-out scores.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sentiment_auto: Option<crate::sentiment::auto::AutoChoice>,
    /// Lines or rows of this run's inputs that held something (blank lines are not
    /// records).
    pub records_read: u64,
    /// Records in the generation's index.
    pub indexed: u64,
    pub rejected: u64,
    pub rejected_by_reason: BTreeMap<RejectReason, u64>,
    pub by_lang: BTreeMap<String, u64>,
    pub by_sentiment: BTreeMap<String, u64>,
    /// Themes found (absent when the stage was off).
    pub themes: Option<usize>,
    /// Records in no theme.
    pub theme_outliers: Option<usize>,
    /// Sub-topics found (absent when the stage was off).
    pub topics: Option<usize>,
    /// Records with no clause in any sub-topic.
    pub topic_outliers: Option<usize>,
    /// Where the run had more records than `--fit-records`: the records of smallest
    /// text hash the topic model was fitted on, before it was applied to every record
    /// (absent: fitted on all of them, or a model applied).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub topic_sample: Option<usize>,
    /// The rule for records sharing an id (`duplicate_id` rejects are the others).
    pub duplicate_ids: DuplicateIds,
    /// With `--append`: what became of the previous generation's records.
    pub append: Option<Appended>,
    /// How clauses were vectorised for topics (`tfidf`, `embeddings:<model>`).
    pub topic_vectors: Option<String>,
    /// With `--taxonomy`: records per category (figures in `categories.json`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub taxonomy: Option<TaxonomySummary>,
    /// What records' theme vectors mixed with LSA (`embeddings:use-m3`; `tfidf`: LSA
    /// alone, or the clauses' embeddings where `topic_vectors` has them).
    pub theme_vectors: Option<String>,
    pub elapsed_s: f64,
    /// Records read per second of the whole run.
    pub docs_per_s: f64,
}

/// What the taxonomy did in a run.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TaxonomySummary {
    /// The file, as given.
    pub file: String,
    /// Records in at least one category.
    pub tagged: u64,
    /// Records per category name (a parent counts its children's records once each).
    pub by_category: BTreeMap<String, u64>,
    /// What each `[[rename]]` did (empty without topics).
    pub renames: Vec<RenameOutcome>,
    /// What each `[[merge]]` did (empty without topics).
    pub merges: Vec<MergeOutcome>,
}

/// What an appending run did with the generation it added to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Appended {
    /// The generation added to.
    pub previous_generation: u64,
    /// Its records carried over (analysed again: topics are fitted on the whole corpus).
    pub kept: u64,
    /// Its records replaced by a record of this run with the same id.
    pub updated: u64,
    /// Records of this run whose id it did not have.
    pub added: u64,
}

/// What a progress display is told after each batch.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    pub stage: Stage,
    pub bytes_read: u64,
    pub records_read: u64,
    pub rejected: u64,
    /// Records written to the index so far.
    pub indexed: u64,
}

/// The parts of a run a progress display can tell apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// `--sentiment auto` reading the ratings before the run.
    LearningSentiment,
    /// The first of two passes over the inputs: which record of each id is kept.
    ReadingIds,
    Analysing,
    /// With `--append`: the previous generation's records, analysed again.
    Carrying,
    FittingTopics,
    Indexing,
}

/// The analysis stages, composed: text analysis, then sentiment.
pub struct Pipeline {
    analyzer: TextAnalyzer,
    /// Shared with the topic stage, which scores clauses of mixed sentences with it.
    model: Arc<dyn SentimentModel>,
    /// What `--sentiment auto` learnt, when it ran.
    learned: Option<LearnedSentiment>,
}

impl Pipeline {
    pub fn new(analyzer: TextAnalyzer, model: Box<dyn SentimentModel>) -> Self {
        Pipeline {
            analyzer,
            model: Arc::from(model),
            learned: None,
        }
    }

    pub fn analyzer(&self) -> &TextAnalyzer {
        &self.analyzer
    }

    /// Analyses and scores a batch in parallel; a record the text stage cannot analyse
    /// becomes a reject.
    pub fn analyse_batch(&self, records: Vec<Record>) -> (Vec<Analysed>, Vec<Reject>) {
        let results: Vec<_> = records
            .into_par_iter()
            .map(
                |record| match self.analyzer.analyse(&record.text, record.lang) {
                    Ok(text) => Ok((record, text)),
                    Err(e) => Err(analysis_failed(&record, e.to_string())),
                },
            )
            .collect();
        let mut texts = Vec::with_capacity(results.len());
        let mut rejects = Vec::new();
        for result in results {
            match result {
                Ok(pair) => texts.push(pair),
                Err(reject) => rejects.push(reject),
            }
        }
        let scored: Vec<_> = texts
            .par_chunks(SCORING_CHUNK)
            .map(|chunk| {
                let docs: Vec<&AnalysedText> = chunk.iter().map(|(_, text)| text).collect();
                self.model.score_batch(&docs)
            })
            .collect();
        let mut analysed = Vec::with_capacity(texts.len());
        let mut texts = texts.into_iter();
        for chunk in scored {
            let pairs = texts.by_ref().take(SCORING_CHUNK);
            match chunk {
                Ok(sentiments) => {
                    analysed.extend(pairs.zip(sentiments).map(|((record, text), sentiment)| {
                        Analysed {
                            record,
                            text,
                            sentiment,
                        }
                    }))
                }
                // The model failed on this chunk (a transformer out of memory): its
                // records are set aside, counted, rather than scored as something else.
                Err(e) => rejects.extend(pairs.map(|(record, _)| {
                    analysis_failed(&record, format!("sentiment model failed: {e}"))
                })),
            }
        }
        (analysed, rejects)
    }
}

/// Saves the models `auto` trained in `dir/<lang>/` (`dir` is in the run's staging
/// generation, so nothing half-written is ever published).
fn save_models(learned: &LearnedSentiment, dir: &std::path::Path) -> Result<(), Error> {
    for (lang, model) in &learned.models {
        let path = dir.join(lang.code());
        model
            .save(&path)
            .map_err(|source| Error::SaveModel { path, source })?;
    }
    Ok(())
}

fn analysis_failed(record: &Record, detail: String) -> Reject {
    Reject {
        file: record.origin.file.clone(),
        line: record.origin.line,
        reason: RejectReason::AnalysisFailed,
        detail,
    }
}

#[cfg(test)]
mod tests {

    use super::*;
    use crate::sentiment::{self, DocSentiment, Label};

    /// A backend that fails on any batch holding the word "boom", as a transformer does
    /// when libtorch runs out of memory.
    struct Fragile;

    impl SentimentModel for Fragile {
        fn name(&self) -> &str {
            "fragile"
        }
        fn score_batch(
            &self,
            docs: &[&AnalysedText],
        ) -> Result<Vec<DocSentiment>, sentiment::Error> {
            if docs.iter().any(|d| d.normalized.contains("boom")) {
                return Err(sentiment::Error::UnknownModel("out of memory".into()));
            }
            sentiment::from_spec("lexicon")?.score_batch(docs)
        }
    }

    fn record(line: u64, text: &str) -> Record {
        Record::new(line.to_string(), text, "test.jsonl", line)
    }

    #[test]
    fn a_failing_model_rejects_its_chunk_and_scores_the_rest() {
        let pipeline = Pipeline::new(TextAnalyzer::load(None).unwrap(), Box::new(Fragile));
        let mut records: Vec<Record> = (0..SCORING_CHUNK as u64 * 2)
            .map(|line| record(line + 1, "配送がとても遅くて困りました。"))
            .collect();
        records.push(record(9999, "The app went boom after the update"));
        let (analysed, rejects) = pipeline.analyse_batch(records);

        assert_eq!(analysed.len(), SCORING_CHUNK * 2, "whole chunks scored");
        assert!(
            analysed
                .iter()
                .all(|a| a.sentiment.doc.label == Label::Negative)
        );
        assert_eq!(rejects.len(), 1);
        assert_eq!(rejects[0].line, 9999);
        assert_eq!(rejects[0].reason, RejectReason::AnalysisFailed);
        assert!(
            rejects[0].detail.contains("out of memory"),
            "{}",
            rejects[0].detail
        );
    }
}
