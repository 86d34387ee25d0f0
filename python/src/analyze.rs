//! `analyze` and `score`: the text and sentiment stages of `koe analyze` over texts held
//! in Python (`Pipeline::analyse_texts`, the same code, models and chunking), so labels
//! and scores are the CLI's.

use std::sync::Arc;

use arrow_array::{ArrayRef, Float32Array, RecordBatch, StringArray};
use arrow_pyarrow::ToPyArrow;
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use koe::pipeline::TextResult;

use crate::errors::runtime_error;
use crate::pipelines::{parse_lang, parse_spec, pipeline};
use crate::texts::Texts;

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(analyze, m)?)?;
    m.add_function(wrap_pyfunction!(score, m)?)?;
    Ok(())
}

/// Runs the text and sentiment stages over `texts` with the GIL released.
fn run(
    py: Python<'_>,
    texts: &Bound<'_, PyAny>,
    model: &str,
    lang: Option<&str>,
) -> PyResult<Vec<TextResult>> {
    let texts = Texts::extract(texts)?;
    let lang = parse_lang(lang)?;
    let pipeline = pipeline(py, &parse_spec(model)?)?;
    Ok(py.detach(|| texts.with_strs(|strs| pipeline.analyse_texts(strs, lang))))
}

fn failed(i: usize, reason: &str) -> PyErr {
    PyRuntimeError::new_err(format!("text {i} could not be analysed: {reason}"))
}

/// Language, tokens, lemmas, sentences and sentiment (per sentence and per document) of
/// each text, as a list of dicts.
#[pyfunction]
#[pyo3(signature = (texts, *, model="lexicon", lang=None))]
fn analyze<'py>(
    py: Python<'py>,
    texts: &Bound<'py, PyAny>,
    model: &str,
    lang: Option<&str>,
) -> PyResult<Bound<'py, PyList>> {
    let results = run(py, texts, model, lang)?;
    let out = PyList::empty(py);
    for (i, result) in results.iter().enumerate() {
        let (text, sentiment) = result.as_ref().map_err(|reason| failed(i, reason))?;
        let doc = PyDict::new(py);
        doc.set_item("lang", text.lang.code())?;
        doc.set_item("sentiment", sentiment.doc.label.as_str())?;
        doc.set_item("score", sentiment.doc.value)?;
        doc.set_item("confidence", sentiment.doc.confidence)?;
        let sentences = PyList::empty(py);
        for (sentence, score) in text.sentences.iter().zip(&sentiment.sentences) {
            let s = PyDict::new(py);
            s.set_item("text", text.sentence_text(sentence))?;
            s.set_item("sentiment", score.label.as_str())?;
            s.set_item("score", score.value)?;
            sentences.append(s)?;
        }
        doc.set_item("sentences", sentences)?;
        let tokens: Vec<&str> = text.tokens.iter().map(|t| t.surface.as_str()).collect();
        let lemmas: Vec<&str> = text.tokens.iter().map(|t| t.lemma.as_str()).collect();
        doc.set_item("tokens", tokens)?;
        doc.set_item("lemmas", lemmas)?;
        doc.set_item("normalized", &text.normalized)?;
        out.append(doc)?;
    }
    Ok(out)
}

/// Document sentiment of each text as a pyarrow RecordBatch: `lang`, `sentiment`,
/// `score` (−1…1), `confidence` (0…1), one row per text, in order.
#[pyfunction]
#[pyo3(signature = (texts, *, model="lexicon", lang=None))]
fn score<'py>(
    py: Python<'py>,
    texts: &Bound<'py, PyAny>,
    model: &str,
    lang: Option<&str>,
) -> PyResult<Bound<'py, PyAny>> {
    let results = run(py, texts, model, lang)?;
    let batch = py.detach(|| scores_batch(&results))?;
    batch.to_pyarrow(py)
}

/// The document sentiment columns of `results`; the first text that failed is an error.
pub fn scores_batch(results: &[TextResult]) -> PyResult<RecordBatch> {
    let n = results.len();
    let (mut langs, mut labels) = (Vec::with_capacity(n), Vec::with_capacity(n));
    let (mut scores, mut confidences) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for (i, result) in results.iter().enumerate() {
        let (text, sentiment) = result.as_ref().map_err(|reason| failed(i, reason))?;
        langs.push(text.lang.code());
        labels.push(sentiment.doc.label.as_str());
        scores.push(sentiment.doc.value);
        confidences.push(sentiment.doc.confidence);
    }
    let columns: [(&str, ArrayRef); 4] = [
        ("lang", Arc::new(StringArray::from(langs))),
        ("sentiment", Arc::new(StringArray::from(labels))),
        ("score", Arc::new(Float32Array::from(scores))),
        ("confidence", Arc::new(Float32Array::from(confidences))),
    ];
    RecordBatch::try_from_iter(columns).map_err(|e| runtime_error(&e))
}
