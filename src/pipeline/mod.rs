//! The batch job behind `koe analyze`: input files → analysed records → topics, index,
//! rejects and a summary.
//!
//! Records stream from ingest in batches; each batch is analysed (text stage) and scored
//! (sentiment stage) in parallel with rayon. Without topics, records go straight to the
//! index writer. With topics (the default), pass one also feeds each record's compact
//! term features to the [`TopicCollector`] and spills the record to a temporary file; once
//! every record is read the topics are fitted (`OUT/topics.json`) and pass two indexes the
//! spilled records with their topic ids. Either way memory holds one batch, the writer's
//! budget and the topic features, never the dump. Rejects go to `OUT/rejects.jsonl` as
//! they happen; `OUT/summary.json` is written last.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Instant;

mod spill;

use rayon::prelude::*;
use serde::Serialize;

use crate::index::{self, IndexBuilder, IndexDoc};
use crate::ingest::{self, FieldMap, Limits, Reject, RejectLog, RejectReason};
use crate::record::{Analysed, Record};
use crate::sentiment::SentimentModel;
use crate::text::{AnalysedText, TextAnalyzer};
use crate::topics::{TopicCollector, TopicOptions};
use spill::SpillWriter;

/// Documents per `score_batch` call: small enough to spread over cores, large enough for
/// a transformer backend to pad and batch.
const SCORING_CHUNK: usize = 64;

/// The files a run writes into its output folder (besides `index/`).
pub const SUMMARY_FILE: &str = "summary.json";
pub const REJECTS_FILE: &str = "rejects.jsonl";
pub const TOPICS_FILE: &str = "topics.json";
/// The fitted topic model, for `koe analyze --topics-from` (see `topics::model`).
pub const MODEL_FILE: &str = "topic-model.cbor";

/// Errors that stop a run (bad records never do), or reading its output back.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("input file {0} does not exist")]
    MissingInput(PathBuf),
    #[error(transparent)]
    Ingest(#[from] ingest::Error),
    #[error(transparent)]
    Index(#[from] index::Error),
    #[error("cannot write {path}: {source}")]
    Output {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("topics: {0}")]
    TopicVectors(#[from] crate::topics::embedding::Error),
    #[error(transparent)]
    Model(#[from] crate::topics::model::Error),
    #[error("{path}: not a summary koe can read: {source}")]
    Summary {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("{path}: not a topics file koe can read: {source}")]
    Topics {
        path: PathBuf,
        source: serde_json::Error,
    },
}

/// The topics a run wrote into `out_dir`, as [`Topics`](crate::topics::Topics) or as any
/// type that reads the parts of `topics.json` it needs; `None` when the run had no topics
/// stage.
pub fn read_topics<T: serde::de::DeserializeOwned>(out_dir: &Path) -> Result<Option<T>, Error> {
    let path = out_dir.join(TOPICS_FILE);
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(Error::Read { path, source }),
    };
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|source| Error::Topics { path, source })
}

/// The topic model of the run that wrote `out_dir`, for `--topics-from`.
pub fn read_model(out_dir: &Path) -> Result<crate::topics::TopicModel, Error> {
    Ok(crate::topics::TopicModel::read(
        &out_dir.join(MODEL_FILE),
        out_dir,
    )?)
}

/// The input files of the run that wrote `out_dir`, in the order it read them (from
/// its `summary.json`).
pub fn read_inputs(out_dir: &Path) -> Result<Vec<String>, Error> {
    #[derive(serde::Deserialize)]
    struct Inputs {
        inputs: Vec<String>,
    }
    let path = out_dir.join(SUMMARY_FILE);
    let bytes = std::fs::read(&path).map_err(|source| Error::Read {
        path: path.clone(),
        source,
    })?;
    serde_json::from_slice::<Inputs>(&bytes)
        .map(|s| s.inputs)
        .map_err(|source| Error::Summary { path, source })
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
}

impl Default for Options {
    fn default() -> Self {
        Options {
            topics: Some(TopicOptions::default()),
            fields: FieldMap::default(),
            limits: Limits::default(),
            batch_size: 2048,
            index_memory: 32 * 1024 * 1024,
        }
    }
}

/// What a run did: written as `summary.json`.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub koe_version: &'static str,
    pub inputs: Vec<String>,
    pub sentiment_model: String,
    /// Lines or rows that held something (blank lines are not records).
    pub records_read: u64,
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
    /// How clauses were vectorised for topics (`tfidf`, `embeddings:<model>`).
    pub topic_vectors: Option<String>,
    pub elapsed_s: f64,
    /// Records read per second of the whole run.
    pub docs_per_s: f64,
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
    Analysing,
    FittingTopics,
    Indexing,
}

/// Where pass one puts each analysed record.
enum Sink {
    Index(IndexBuilder),
    /// Topics first: features to the collector, records to the spill file.
    Spill {
        index: IndexBuilder,
        spill: SpillWriter,
        topics: Box<TopicCollector>,
    },
}

/// The analysis stages, composed: text analysis, then sentiment.
pub struct Pipeline {
    analyzer: TextAnalyzer,
    /// Shared with the topic stage, which scores clauses of mixed sentences with it.
    model: Arc<dyn SentimentModel>,
}

impl Pipeline {
    pub fn new(analyzer: TextAnalyzer, model: Box<dyn SentimentModel>) -> Self {
        Pipeline {
            analyzer,
            model: Arc::from(model),
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

    /// Reads every input, analyses it and writes `out_dir/{index,rejects.jsonl,summary.json}`.
    pub fn run(
        &self,
        inputs: &[PathBuf],
        out_dir: &Path,
        options: &Options,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<Summary, Error> {
        let started = Instant::now();
        if let Some(missing) = inputs.iter().find(|p| !p.is_file()) {
            return Err(Error::MissingInput(missing.clone()));
        }
        let output = |path: PathBuf| move |source| Error::Output { path, source };
        std::fs::create_dir_all(out_dir).map_err(output(out_dir.into()))?;
        let summary_path = out_dir.join(SUMMARY_FILE);
        // A previous run's results must not pass for this run's (a rerun with --no-topics
        // leaves no topics).
        for stale in [SUMMARY_FILE, TOPICS_FILE, MODEL_FILE].map(|name| out_dir.join(name)) {
            if stale.exists() {
                std::fs::remove_file(&stale).map_err(output(stale.clone()))?;
            }
        }
        let rejects_path = out_dir.join(REJECTS_FILE);
        let mut rejects = RejectLog::create(&rejects_path).map_err(output(rejects_path.clone()))?;
        let index = IndexBuilder::create(out_dir, &self.analyzer, options.index_memory)?;
        let mut sink = match &options.topics {
            None => Sink::Index(index),
            Some(topic_options) => {
                let path = out_dir.join(format!(".spill-{}.jsonl", std::process::id()));
                Sink::Spill {
                    index,
                    spill: SpillWriter::create(path.clone()).map_err(output(path))?,
                    topics: Box::new(
                        TopicCollector::new(topic_options.clone())
                            .with_clause_sentiment(self.model.clone()),
                    ),
                }
            }
        };
        let fields = Arc::new(options.fields.clone());
        let bytes_read = Arc::new(AtomicU64::new(0));
        let mut summary = Summary {
            koe_version: env!("CARGO_PKG_VERSION"),
            inputs: inputs.iter().map(|p| p.display().to_string()).collect(),
            sentiment_model: self.model.name().to_string(),
            records_read: 0,
            indexed: 0,
            rejected: 0,
            rejected_by_reason: BTreeMap::new(),
            by_lang: BTreeMap::new(),
            by_sentiment: BTreeMap::new(),
            themes: None,
            theme_outliers: None,
            topics: None,
            topic_outliers: None,
            topic_vectors: options.topics.as_ref().map(|t| t.vectors.to_string()),
            elapsed_s: 0.0,
            docs_per_s: 0.0,
        };
        let reject = |r: &Reject, rejects: &mut RejectLog| {
            rejects.write(r).map_err(output(rejects_path.clone()))
        };
        let mut report = |stage, summary: &Summary, rejected| {
            progress(Progress {
                stage,
                bytes_read: bytes_read.load(std::sync::atomic::Ordering::Relaxed),
                records_read: summary.records_read,
                rejected,
                indexed: summary.indexed,
            })
        };
        for input in inputs {
            let items = ingest::open(input, fields.clone(), options.limits, bytes_read.clone())?;
            let mut batch = Vec::with_capacity(options.batch_size);
            let mut items = items.peekable();
            while items.peek().is_some() {
                for item in items.by_ref().take(options.batch_size) {
                    summary.records_read += 1;
                    match item? {
                        Ok(record) => batch.push(record),
                        Err(r) => reject(&r, &mut rejects)?,
                    }
                }
                let (analysed, failed) = self.analyse_batch(std::mem::take(&mut batch));
                for r in &failed {
                    reject(r, &mut rejects)?;
                }
                for a in analysed {
                    *summary.by_lang.entry(a.text.lang.to_string()).or_default() += 1;
                    let label = a.sentiment.doc.label.to_string();
                    *summary.by_sentiment.entry(label).or_default() += 1;
                    match &mut sink {
                        Sink::Index(index) => {
                            index.add(&IndexDoc::from(a))?;
                            summary.indexed += 1;
                        }
                        Sink::Spill { spill, topics, .. } => {
                            topics.add(&a)?;
                            let path = out_dir.join("spill");
                            spill.push(&IndexDoc::from(a)).map_err(output(path))?;
                        }
                    }
                }
                report(Stage::Analysing, &summary, rejects.total());
            }
        }
        let index = match sink {
            Sink::Index(index) => index,
            Sink::Spill {
                mut index,
                spill,
                topics,
            } => {
                report(Stage::FittingTopics, &summary, rejects.total());
                let topics = topics.fit()?;
                let topics_path = out_dir.join(TOPICS_FILE);
                write_json_atomically(&topics_path, &topics).map_err(output(topics_path))?;
                if let Some(model) = topics.model() {
                    model.write(&out_dir.join(MODEL_FILE))?;
                }
                summary.themes = Some(topics.themes.len());
                summary.theme_outliers = Some(topics.overall.theme_outliers);
                summary.topics = Some(topics.topics.len());
                summary.topic_outliers = Some(topics.overall.outliers);
                let spilled = spill.into_reader().map_err(output(out_dir.join("spill")))?;
                for (seq, doc) in spilled.enumerate() {
                    let mut doc = doc.map_err(output(out_dir.join("spill")))?;
                    doc.theme = topics.doc_theme(seq);
                    doc.topics = topics.doc_topics(seq).to_vec();
                    index.add(&doc)?;
                    summary.indexed += 1;
                    if summary.indexed.is_multiple_of(options.batch_size as u64) {
                        report(Stage::Indexing, &summary, rejects.total());
                    }
                }
                index
            }
        };
        index.commit()?;
        summary.rejected_by_reason = rejects.finish().map_err(output(rejects_path.clone()))?;
        summary.rejected = summary.rejected_by_reason.values().sum();
        summary.elapsed_s = started.elapsed().as_secs_f64();
        summary.docs_per_s = summary.records_read as f64 / summary.elapsed_s.max(1e-9);
        write_json_atomically(&summary_path, &summary).map_err(output(summary_path.clone()))?;
        Ok(summary)
    }
}

fn analysis_failed(record: &Record, detail: String) -> Reject {
    Reject {
        file: record.origin.file.clone(),
        line: record.origin.line,
        reason: RejectReason::AnalysisFailed,
        detail,
    }
}

/// Writes JSON to a temporary file and renames it into place.
fn write_json_atomically(path: &Path, value: &impl Serialize) -> std::io::Result<()> {
    let staging = path.with_extension("json.partial");
    let mut json = serde_json::to_vec_pretty(value)?;
    json.push(b'\n');
    std::fs::write(&staging, json)?;
    std::fs::rename(&staging, path)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::record::Origin;
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
        Record {
            id: line.to_string(),
            text: text.to_string(),
            rating: None,
            nps: None,
            effort: None,
            channel: None,
            stage: None,
            product: None,
            created_at: None,
            lang: None,
            origin: Origin {
                file: Arc::from("test.jsonl"),
                line,
            },
        }
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
