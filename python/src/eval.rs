//! `koe eval` on rows held in Python: the same reading of labels ([`LabelMap`]), the
//! same passes ([`eval::read_gold`], [`eval::evaluate`], [`eval::compare_all`]) and the
//! same [`Report`] as `koe eval --json`.

use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;

use koe::eval::labelled::{LabelMap, LabelledData};
use koe::eval::{self, Report, Uncertainty};

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
        let data = texts.with_strs(|strs| {
            let rows = strs
                .iter()
                .zip(&labels)
                .map(|(text, label)| (text.to_string(), label.to_string()));
            LabelledData::from_rows(name, rows, &map)
        });
        if data.docs.is_empty() {
            return Err(value_error(format!(
                "no usable labelled row ({} bad rows; first: {})",
                data.bad_lines.len(),
                data.bad_lines
                    .first()
                    .map(|b| format!("row {}: {}", b.line, b.reason))
                    .unwrap_or_default()
            )));
        }
        let set = eval::read_gold(&analyzer, &data.docs, lang, &|_| {});
        let mut reports = Vec::with_capacity(specs.len());
        for spec in &specs {
            let report = eval::evaluate(spec, &analyzer, &set, uncertainty, &|_| {});
            reports.push(report.map_err(|e| match &e {
                eval::Error::Model { source, .. } => model_error(source),
                _ => runtime_error(&e),
            })?);
        }
        let comparisons = eval::compare_all(&reports, &set, uncertainty);
        let split = format!("all {} documents", data.docs.len());
        let report = Report::new(&data, split, &set, reports, comparisons);
        serde_json::to_string(&report).map_err(|e| runtime_error(&e))
    })
}
