//! `Shard`: records held in Python as Arrow record batches (a Spark partition's) analysed
//! into an analysis folder, as `koe analyze PART --topics-from MODEL
//! --no-candidate-topics --emit parquet --out OUT` analyses a file of them, so that
//! `koe index merge` joins the shards into one analysis.
//!
//! The same code as the CLI: rows become records through ingest's field mapping
//! ([`ArrowRows`], the Parquet reader's), and go through [`Pipeline::feed`], the stages
//! of [`Pipeline::run`], with the topic options of [`TopicOptions::applying`]. The
//! pipeline (dictionary, sentiment model) and the topic model are loaded once per
//! process and shared by every shard ([`crate::pipelines`]).
//!
//! The run lives on a thread of its own that owns it; `add` converts a batch on the
//! caller's thread with the GIL released and hands the records over a short queue, so
//! Python reads the next batch while koe analyses the last. `close` finishes the run
//! (topics applied, index committed, `records.parquet` written) and publishes it; a
//! shard dropped or abandoned before `close` publishes nothing.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread::JoinHandle;

use arrow_array::RecordBatch;
use arrow_pyarrow::PyArrowType;
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;

use koe::analysis::AnalysisDir;
use koe::ingest::{ArrowRows, Item, Limits};
use koe::pipeline::{self, DuplicateIds, Interrupt, Options, Pipeline, Summary};
use koe::topics::{Period, TopicModel, TopicOptions};

use crate::errors::{os_error, positive, run_error, runtime_error, value_error};
use crate::fields::field_map;
use crate::pipelines::{parse_spec, pipeline};

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Shard>()
}

/// Batches of records waiting for the run: enough to overlap reading and analysing.
const QUEUE: usize = 2;

#[pyclass(module = "koe._native")]
struct Shard {
    out: PathBuf,
    rows: ArrowRows,
    /// `None` once closed or abandoned.
    sender: Option<SyncSender<Vec<Item>>>,
    worker: Option<JoinHandle<Result<Summary, pipeline::Error>>>,
    interrupt: Interrupt,
}

#[pymethods]
impl Shard {
    /// Starts the run into `out` (new, or an analysis folder: the shard becomes its next
    /// generation). `topics_from`: the analysis folder whose topic model every shard
    /// applies; `model`: the sentiment model spec; `fields`: koe's field name → the
    /// batches' column name(s); `name`: what origins and rejects call the source;
    /// `fit_records`: records applied the model a piece at a time (None: koe's default).
    #[new]
    #[pyo3(signature = (out, *, topics_from, model="lexicon", fields=None, period="month", name="arrow", batch_size=2048, duplicate_ids="first", fit_records=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        out: PathBuf,
        topics_from: PathBuf,
        model: &str,
        fields: Option<HashMap<String, Vec<String>>>,
        period: &str,
        name: &str,
        batch_size: usize,
        duplicate_ids: &str,
        fit_records: Option<usize>,
    ) -> PyResult<Self> {
        let pipeline = pipeline(py, &parse_spec(model)?)?;
        let topic_model = topic_model(py, topics_from)?;
        let fields = field_map(fields.unwrap_or_default())?;
        let mut topics = TopicOptions::applying(topic_model).map_err(|e| os_error(&e))?;
        topics.period = period.parse::<Period>().map_err(value_error)?;
        if let Some(records) = fit_records {
            topics.fit_records = positive("fit_records", records)?;
        }
        let interrupt = Interrupt::default();
        let options = Options {
            topics: Some(topics),
            fields: fields.clone(),
            batch_size,
            duplicate_ids: duplicate_ids.parse::<DuplicateIds>().map_err(value_error)?,
            interrupt: interrupt.clone(),
            emit_parquet: true,
            ..Options::default()
        };
        let (sender, receiver) = sync_channel(QUEUE);
        let (ready, started) = sync_channel(1);
        let source = name.to_string();
        let folder = out.clone();
        let worker = std::thread::Builder::new()
            .name(format!("koe shard {name}"))
            .spawn(move || analyse(&pipeline, &source, &folder, &options, receiver, ready))
            .map_err(|e| runtime_error(&e))?;
        let mut shard = Shard {
            out,
            rows: ArrowRows::new(name, Arc::new(fields), Limits::default()),
            sender: Some(sender),
            worker: Some(worker),
            interrupt,
        };
        // The run has begun, or failed to (a bad option, a folder being written): the
        // error is the constructor's.
        if py.detach(move || started.recv()).is_err() {
            return Err(shard.join().expect_err("a run that never began failed"));
        }
        Ok(shard)
    }

    /// Analyses the rows of a `pyarrow.RecordBatch` (columns named as `fields` says):
    /// rows that make no record (no text, a rating out of range) are rejects, numbered
    /// from 1 over the shard's rows.
    fn add(&mut self, py: Python<'_>, batch: PyArrowType<RecordBatch>) -> PyResult<()> {
        let Some(sender) = &self.sender else {
            return Err(PyRuntimeError::new_err("the shard is closed"));
        };
        let rows = &mut self.rows;
        let items = py.detach(|| rows.read(&batch.0)).map_err(value_error)?;
        if py.detach(|| sender.send(items)).is_err() {
            // The run stopped on an error: that error, not the closed queue.
            self.sender = None;
            return Err(self.join().expect_err("a run that stopped failed"));
        }
        Ok(())
    }

    /// Finishes the run (topics applied, index committed, `records.parquet` written),
    /// publishes it and returns its summary (`summary.json`) as JSON.
    fn close(&mut self, py: Python<'_>) -> PyResult<String> {
        if self.sender.take().is_none() && self.worker.is_none() {
            return Err(PyRuntimeError::new_err("the shard is closed"));
        }
        let summary = py.detach(|| self.join())?;
        serde_json::to_string(&summary).map_err(|e| runtime_error(&e))
    }

    /// Stops the run and publishes nothing: the folder stays as it was.
    fn abandon(&mut self, py: Python<'_>) {
        self.interrupt.request(1);
        self.sender = None;
        // Interrupted, as asked: nothing to report.
        let _ = py.detach(|| self.join());
    }

    #[getter]
    fn out(&self) -> PathBuf {
        self.out.clone()
    }
}

impl Shard {
    /// Waits for the run's thread; what it returned, or its panic as an error.
    fn join(&mut self) -> PyResult<Summary> {
        let Some(worker) = self.worker.take() else {
            return Err(PyRuntimeError::new_err("the shard is closed"));
        };
        match worker.join() {
            Ok(Ok(summary)) => Ok(summary),
            Ok(Err(e)) => Err(run_error(&e)),
            Err(_) => Err(PyRuntimeError::new_err("koe's shard thread panicked")),
        }
    }
}

impl Drop for Shard {
    /// A shard never closed (an exception in the caller) publishes nothing.
    fn drop(&mut self) {
        if self.worker.is_some() {
            self.interrupt.request(1);
            self.sender = None;
            let _ = self.join();
        }
    }
}

/// The shard's run, on its own thread: begun (said on `ready`), fed every batch the
/// queue brings, finished and published when the queue closes.
fn analyse(
    pipeline: &Pipeline,
    name: &str,
    out: &std::path::Path,
    options: &Options,
    batches: Receiver<Vec<Item>>,
    ready: SyncSender<()>,
) -> Result<Summary, pipeline::Error> {
    let run = AnalysisDir::new(out).begin_run(None)?;
    let mut quiet = |_| {};
    let mut feed = pipeline.feed(name, &run, options, &mut quiet)?;
    // The constructor waits for this; it has gone only if Python is tearing down.
    let _ = ready.send(());
    for items in batches {
        for item in items {
            feed.push(item)?;
        }
    }
    let summary = feed.finish()?;
    run.publish()?;
    Ok(summary)
}

/// The topic model of `folder`'s current generation, read once per process (a new
/// generation of the folder is read anew).
fn topic_model(py: Python<'_>, folder: PathBuf) -> PyResult<Arc<TopicModel>> {
    static MODELS: OnceLock<Mutex<HashMap<PathBuf, Arc<TopicModel>>>> = OnceLock::new();
    let generation = AnalysisDir::new(&folder)
        .current()
        .map_err(|e| os_error(&e))?;
    let key = generation.root().to_path_buf();
    let models = MODELS.get_or_init(Default::default);
    let lock = || models.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(model) = lock().get(&key) {
        return Ok(model.clone());
    }
    let model = py
        .detach(|| pipeline::read_model(&folder))
        .map_err(|e| os_error(&e))?;
    Ok(lock().entry(key).or_insert(Arc::new(model)).clone())
}
