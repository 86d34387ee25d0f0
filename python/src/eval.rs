//! `koe eval` on rows held in Python: the same reading of labels ([`LabelMap`]), the
//! same passes over the rows, borrowed where Python keeps them ([`InMemory`],
//! [`GoldRows::read`], [`eval::read_gold`], [`eval::evaluate`], [`eval::compare_all`]),
//! and the same [`Report`] as `koe eval --json`.

use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;

use koe::eval::labelled::{InMemory, LabelMap};
use koe::eval::{self, GoldRows, Report, Uncertainty};

use crate::errors::{model_error, runtime_error, value_error};
use crate::pipelines::{analyzer, parse_lang, parse_spec};
use crate::texts::Texts;

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(eval_json, m)?)?;
    Ok(())
}

/// Each model's figures on `texts` and their gold `labels` (class names or 1–5 stars;
/// `label_map` as `koe eval --label-map`), as the JSON `koe eval --json` prints.
#[pyfunction]
#[pyo3(signature = (texts, labels, models, *, lang=None, resamples=1000, seed=42, label_map=None, name="<python>"))]
#[allow(clippy::too_many_arguments)]
fn eval_json(
    py: Python<'_>,
    texts: &Bound<'_, PyAny>,
    labels: Vec<PyBackedStr>,
    models: Vec<String>,
    lang: Option<&str>,
    resamples: usize,
    seed: u64,
    label_map: Option<&str>,
    name: &str,
) -> PyResult<String> {
    let texts = Texts::extract(texts)?;
    if texts.len() != labels.len() {
        return Err(value_error(format!(
            "{} texts but {} labels",
            texts.len(),
            labels.len()
        )));
    }
    if models.is_empty() {
        return Err(value_error("give at least one model"));
    }
    let specs = models
        .iter()
        .map(|spec| parse_spec(spec))
        .collect::<PyResult<Vec<_>>>()?;
    let lang = parse_lang(lang)?;
    let map = match label_map {
        Some(spec) => LabelMap::with_overrides(spec).map_err(value_error)?,
        None => LabelMap::default(),
    };
    let analyzer = analyzer()?;
    let uncertainty = Uncertainty { resamples, seed };
    py.detach(|| {
        texts.with_strs(|strs| {
            let labels: Vec<&str> = labels.iter().map(|l| &**l).collect();
            let source = InMemory {
                name,
                texts: strs,
                labels: &labels,
            };
            let (rows, summary) = GoldRows::read(&source, &map).map_err(|e| runtime_error(&e))?;
            if rows.is_empty() {
                return Err(value_error(format!(
                    "no usable labelled row ({} bad rows; first: {})",
                    summary.bad_lines.len(),
                    summary
                        .bad_lines
                        .first()
                        .map(|b| format!("row {}: {}", b.line, b.reason))
                        .unwrap_or_default()
                )));
            }
            let split = format!("all {} documents", rows.len());
            let set = eval::read_gold(&analyzer, &source, &map, rows, lang, &|_| {})
                .map_err(|e| runtime_error(&e))?;
            let mut reports = Vec::with_capacity(specs.len());
            for spec in &specs {
                let report = eval::evaluate(spec, &analyzer, &set, uncertainty, &|_| {});
                reports.push(report.map_err(|e| match &e {
                    eval::Error::Model { source, .. } => model_error(source),
                    _ => runtime_error(&e),
                })?);
            }
            let comparisons = eval::compare_all(&reports, &set, uncertainty);
            let report = Report::new(&summary, split, &set, reports, comparisons);
            serde_json::to_string(&report).map_err(|e| runtime_error(&e))
        })
    })
}
