//! `fit_topics` and `merge_indexes`: what the driver of a sharded run (the Spark job)
//! does once, before and after the shards, in process — no koe binary needed.
//!
//! - `fit_topics` is `koe analyze SAMPLE --out MODEL`: files (a sample of the dump) read,
//!   analysed and the topic model fitted, with the sentiment model learnt from their
//!   ratings first when `model="auto"`; the folder it publishes is what
//!   [`Shard`](crate::shard)'s `topics_from=` applies. Topic settings go through
//!   [`TopicSpecs`], the same code as `koe analyze`'s flags.
//! - `merge_indexes` is `koe index merge SHARD... --out DIR`
//!   ([`koe::pipeline::merge::merge`]).

use std::collections::HashMap;
use std::ffi::CString;
use std::path::PathBuf;

use pyo3::exceptions::PyUserWarning;
use pyo3::prelude::*;

use koe::analysis::AnalysisDir;
use koe::pipeline::{self, Options, Pipeline, Summary, TopicSpecs, check_inputs, merge};
use koe::sentiment::ModelSpec;
use koe::sentiment::auto::AutoOptions;
use koe::topics::Period;

use crate::errors::{model_error, positive, run_error, runtime_error, value_error};
use crate::fields::field_map;
use crate::pipelines::{analyzer, parse_spec, pipeline};

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(fit_topics_json, m)?)?;
    m.add_function(wrap_pyfunction!(merge_indexes_json, m)?)?;
    Ok(())
}

/// Analyses the files `inputs` into the analysis folder `out` and fits its topic model,
/// as `koe analyze INPUTS --out OUT` does; returns `summary.json` as JSON. Defaults are
/// `koe analyze`'s; a default that is not installed (the use-m3 encoder, the edict
/// dictionary) is a `UserWarning` and what `koe analyze` falls back to.
#[pyfunction]
#[pyo3(signature = (inputs, out, *, model="auto", fields=None, period="month", topic_vectors="tfidf", theme_vectors="auto", min_topic_size=None, themes=None, max_topics=None, seed=None, ja_en_dictionary="auto", fit_records=None))]
#[allow(clippy::too_many_arguments)]
fn fit_topics_json(
    py: Python<'_>,
    inputs: Vec<PathBuf>,
    out: PathBuf,
    model: &str,
    fields: Option<HashMap<String, Vec<String>>>,
    period: &str,
    topic_vectors: &str,
    theme_vectors: &str,
    min_topic_size: Option<usize>,
    themes: Option<usize>,
    max_topics: Option<usize>,
    seed: Option<u64>,
    ja_en_dictionary: &str,
    fit_records: Option<usize>,
) -> PyResult<String> {
    let defaults = TopicSpecs::default();
    let specs = TopicSpecs {
        themes,
        max_topics,
        min_topic_size: min_topic_size.unwrap_or(defaults.min_topic_size),
        period: period.parse::<Period>().map_err(value_error)?,
        seed: seed.unwrap_or(defaults.seed),
        topic_vectors: topic_vectors.into(),
        theme_vectors: theme_vectors.into(),
        ja_en_dictionary: ja_en_dictionary.into(),
        fit_records: match fit_records {
            Some(records) => positive("fit_records", records)?,
            None => defaults.fit_records,
        },
        ..defaults
    };
    let mut warnings = Vec::new();
    let topics = py
        .detach(|| specs.options(&mut |warning| warnings.push(warning.to_string())))
        .map_err(|e| run_error(&e))?;
    for warning in warnings {
        let message = CString::new(warning).map_err(|e| runtime_error(&e))?;
        PyErr::warn(py, py.get_type::<PyUserWarning>().as_any(), &message, 1)?;
    }
    let options = Options {
        topics: Some(topics),
        fields: field_map(fields.unwrap_or_default())?,
        ..Options::default()
    };
    let summary = if model == "auto" {
        let mut learning = Pipeline::new(
            analyzer()?,
            ModelSpec::Lexicon.load().map_err(|e| model_error(&e))?,
        );
        py.detach(|| {
            analyse_into(&inputs, &out, &options, || {
                learning.learn_sentiment(&inputs, &options, &AutoOptions::default(), &mut |_| {})?;
                Ok(&learning)
            })
        })
    } else {
        let pipeline = pipeline(py, &parse_spec(model)?)?;
        py.detach(|| analyse_into(&inputs, &out, &options, || Ok(&*pipeline)))
    };
    let summary = summary.map_err(|e| run_error(&e))?;
    serde_json::to_string(&summary).map_err(|e| runtime_error(&e))
}

/// One run of `inputs` into a new generation of `out`, published, in `koe analyze`'s
/// order: the folder's run lock first, then `pipeline` (which, for `auto`, learns the
/// sentiment from the inputs' ratings), then the analysis.
fn analyse_into<'p>(
    inputs: &[PathBuf],
    out: &std::path::Path,
    options: &Options,
    pipeline: impl FnOnce() -> Result<&'p Pipeline, pipeline::Error>,
) -> Result<Summary, pipeline::Error> {
    let folder = AnalysisDir::new(out);
    check_inputs(inputs, &folder)?;
    let run = folder.begin_run(None)?;
    let summary = pipeline()?.run(inputs, &run, options, &mut |_| {})?;
    run.publish()?;
    Ok(summary)
}

/// Joins the analysis folders `shards` into a new generation of `out`, as `koe index
/// merge` does; returns the merged `summary.json` as JSON. Shards analysed otherwise
/// (another model, other settings) are a `ValueError` naming the shard.
#[pyfunction]
fn merge_indexes_json(py: Python<'_>, shards: Vec<PathBuf>, out: PathBuf) -> PyResult<String> {
    let merged = py
        .detach(|| merge::merge(&shards, &out))
        .map_err(|e| run_error(&e))?;
    serde_json::to_string(&merged.summary).map_err(|e| runtime_error(&e))
}
