//! `analyze`, `analyze_arrow` and `score`: the text and sentiment stages of `koe analyze`
//! over texts held in Python (`Pipeline::analyse_texts`, the same code, models and
//! chunking), so labels and scores are the CLI's. `analyze` answers in dicts (a Python
//! object per sentence and word); `analyze_arrow` and `score` in Arrow columns built
//! without the GIL and handed over without a copy, which is why they cost what the CLI
//! does. `model="auto"` with `ratings=` learns the model first, as `koe analyze
//! --sentiment auto` does from a dump's ratings (`Pipeline::learn_sentiment_from`).

use std::collections::HashMap;
use std::sync::Arc;

use arrow_array::{ArrayRef, Float32Array, ListArray, RecordBatch, StringArray, StructArray};
use arrow_buffer::OffsetBuffer;
use arrow_schema::Field;
use arrow_pyarrow::ToPyArrow;
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::intern;
use pyo3::types::{PyDict, PyList, PyString};

use koe::pipeline::{Pipeline, TextResult};
use koe::record::Record;
use koe::sentiment::ModelSpec;
use koe::sentiment::auto::{AutoChoice, AutoOptions};
use koe::Lang;

use crate::errors::{model_error, runtime_error, value_error};
use crate::pipelines::{analyzer, parse_lang, parse_spec, pipeline};
use crate::texts::Texts;

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(analyze, m)?)?;
    m.add_function(wrap_pyfunction!(analyze_arrow, m)?)?;
    m.add_function(wrap_pyfunction!(score, m)?)?;
    Ok(())
}

/// Runs the text and sentiment stages over `texts` with the GIL released; with `auto`,
/// first learns the model from the texts' `ratings` and says what it chose.
fn run(
    py: Python<'_>,
    texts: &Bound<'_, PyAny>,
    model: &str,
    lang: Option<&str>,
    ratings: Option<Vec<Option<u8>>>,
) -> PyResult<(Vec<TextResult>, Option<AutoChoice>)> {
    let texts = Texts::extract(texts)?;
    let lang = parse_lang(lang)?;
    let (pipeline, choice) = match (model, ratings) {
        ("auto", Some(ratings)) => {
            let (pipeline, choice) = learn(py, &texts, &ratings, lang)?;
            (Arc::new(pipeline), Some(choice))
        }
        ("auto", None) => {
            return Err(value_error(
                "model='auto' learns a model per language from star ratings, as `koe analyze \
                 --sentiment auto` does from a dump's: pass ratings=[...] (1–5, None where \
                 unrated), one per text",
            ));
        }
        (_, Some(_)) => {
            return Err(value_error("ratings= is what model='auto' learns from"));
        }
        (spec, None) => (pipeline(py, &parse_spec(spec)?)?, None),
    };
    let results = py.detach(|| texts.with_strs(|strs| pipeline.analyse_texts(strs, lang)));
    Ok((results, choice))
}

/// `auto`: a pipeline whose model is what `koe analyze --sentiment auto` learns from
/// these ratings (a linear model per language with enough of them, the lexicon for the
/// rest). Not cached: it belongs to these texts.
fn learn(
    py: Python<'_>,
    texts: &Texts,
    ratings: &[Option<u8>],
    lang: Option<Lang>,
) -> PyResult<(Pipeline, AutoChoice)> {
    if ratings.len() != texts.len() {
        return Err(value_error(format!(
            "{} texts but {} ratings: give one rating (or None) per text",
            texts.len(),
            ratings.len()
        )));
    }
    if let Some((i, rating)) = ratings
        .iter()
        .enumerate()
        .find_map(|(i, r)| r.filter(|r| !(1..=5).contains(r)).map(|r| (i, r)))
    {
        return Err(value_error(format!(
            "rating {rating} of text {i} is not a 1–5 star rating"
        )));
    }
    let lexicon = ModelSpec::Lexicon.load().map_err(|e| model_error(&e))?;
    let mut pipeline = Pipeline::new(analyzer()?, lexicon);
    let choice = py.detach(|| {
        let records = texts.with_strs(|strs| {
            strs.iter()
                .zip(ratings)
                .enumerate()
                .filter_map(|(i, (text, rating))| {
                    let mut record = Record::new(i.to_string(), *text, "python", i as u64 + 1);
                    record.rating = Some((*rating)?);
                    record.lang = lang;
                    Some(record)
                })
                .collect::<Vec<_>>()
        });
        pipeline.learn_sentiment_from(records, &AutoOptions::default())
    });
    let choice = choice.map_err(|e| runtime_error(&e))?;
    Ok((pipeline, choice))
}

fn failed(i: usize, reason: &str) -> PyErr {
    PyRuntimeError::new_err(format!("text {i} could not be analysed: {reason}"))
}

/// Language, tokens, lemmas, sentences and sentiment (per sentence and per document) of
/// each text, as a list of dicts. Keys, labels and language codes are made once per call
/// and shared by every dict; tokens and lemmas are one str per distinct string of the
/// call (a word repeated over the texts is one Python object).
#[pyfunction]
#[pyo3(signature = (texts, *, model="lexicon", lang=None, ratings=None))]
fn analyze<'py>(
    py: Python<'py>,
    texts: &Bound<'py, PyAny>,
    model: &str,
    lang: Option<&str>,
    ratings: Option<Vec<Option<u8>>>,
) -> PyResult<Bound<'py, PyList>> {
    let (results, _) = run(py, texts, model, lang, ratings)?;
    let mut strings = Strings::new(py);
    let mut docs = Vec::with_capacity(results.len());
    for (i, result) in results.iter().enumerate() {
        let (text, sentiment) = result.as_ref().map_err(|reason| failed(i, reason))?;
        let doc = PyDict::new(py);
        doc.set_item(intern!(py, "lang"), strings.get(text.lang.code()))?;
        doc.set_item(
            intern!(py, "sentiment"),
            strings.get(sentiment.doc.label.as_str()),
        )?;
        doc.set_item(intern!(py, "score"), sentiment.doc.value)?;
        doc.set_item(intern!(py, "confidence"), sentiment.doc.confidence)?;
        let mut sentences = Vec::with_capacity(text.sentences.len());
        for (sentence, score) in text.sentences.iter().zip(&sentiment.sentences) {
            let s = PyDict::new(py);
            s.set_item(intern!(py, "text"), text.sentence_text(sentence))?;
            s.set_item(intern!(py, "sentiment"), strings.get(score.label.as_str()))?;
            s.set_item(intern!(py, "score"), score.value)?;
            sentences.push(s);
        }
        doc.set_item(intern!(py, "sentences"), PyList::new(py, sentences)?)?;
        let tokens = text.tokens.iter().map(|t| strings.get(&t.surface));
        doc.set_item(intern!(py, "tokens"), PyList::new(py, tokens)?)?;
        let lemmas = text.tokens.iter().map(|t| strings.get(&t.lemma));
        doc.set_item(intern!(py, "lemmas"), PyList::new(py, lemmas)?)?;
        doc.set_item(intern!(py, "normalized"), &text.normalized)?;
        docs.push(doc);
    }
    PyList::new(py, docs)
}

/// One Python str per distinct string: what `analyze` hands out many times (labels,
/// language codes, the words of a corpus) is made once and shared.
struct Strings<'py, 'a> {
    py: Python<'py>,
    made: HashMap<&'a str, Bound<'py, PyString>>,
}

impl<'py, 'a> Strings<'py, 'a> {
    fn new(py: Python<'py>) -> Self {
        Strings {
            py,
            made: HashMap::new(),
        }
    }

    fn get(&mut self, s: &'a str) -> Bound<'py, PyString> {
        let py = self.py;
        self.made
            .entry(s)
            .or_insert_with(|| PyString::new(py, s))
            .clone()
    }
}

/// `analyze`'s answer as columns, built in Rust without a Python object per text, token
/// or sentence: `score`'s four columns, then `sentences` (a list of `text`, `sentiment`,
/// `score` structs per text), `tokens` and `lemmas` (lists of strings) and `normalized`.
#[pyfunction]
#[pyo3(signature = (texts, *, model="lexicon", lang=None, ratings=None))]
fn analyze_arrow<'py>(
    py: Python<'py>,
    texts: &Bound<'py, PyAny>,
    model: &str,
    lang: Option<&str>,
    ratings: Option<Vec<Option<u8>>>,
) -> PyResult<Bound<'py, PyAny>> {
    let (results, _) = run(py, texts, model, lang, ratings)?;
    py.detach(|| analysis_batch(&results))?.to_pyarrow(py)
}

/// The columns of [`analyze_arrow`].
fn analysis_batch(results: &[TextResult]) -> PyResult<RecordBatch> {
    let scores = scores_batch(results)?;
    // scores_batch has checked that every text was analysed.
    let analysed: Vec<_> = results.iter().flatten().collect();
    let sentences = analysed.iter().map(|(text, sentiment)| {
        text.sentences
            .iter()
            .zip(&sentiment.sentences)
            .map(move |(sentence, score)| (text.sentence_text(sentence), score))
    });
    let sentence_counts = sentences.clone().map(|s| s.count());
    let (mut sentence_texts, mut labels, mut values) = (Vec::new(), Vec::new(), Vec::new());
    for (text, score) in sentences.flatten() {
        sentence_texts.push(text);
        labels.push(score.label.as_str());
        values.push(score.value);
    }
    let sentence_fields: [(&str, ArrayRef); 3] = [
        ("text", Arc::new(StringArray::from(sentence_texts))),
        ("sentiment", Arc::new(StringArray::from(labels))),
        ("score", Arc::new(Float32Array::from(values))),
    ];
    let sentence_structs =
        StructArray::try_from(sentence_fields.to_vec()).map_err(|e| runtime_error(&e))?;
    let tokens = analysed.iter().map(|(text, _)| text.tokens.iter().map(|t| t.surface.as_str()));
    let lemmas = analysed.iter().map(|(text, _)| text.tokens.iter().map(|t| t.lemma.as_str()));
    let normalized = analysed.iter().map(|(text, _)| text.normalized.as_str());
    let schema = scores.schema();
    let mut columns: Vec<(&str, ArrayRef)> = schema
        .fields()
        .iter()
        .map(|f| f.name().as_str())
        .zip(scores.columns().iter().cloned())
        .collect();
    columns.push(("sentences", list(sentence_counts, Arc::new(sentence_structs))?));
    columns.push(("tokens", string_lists(tokens)?));
    columns.push(("lemmas", string_lists(lemmas)?));
    columns.push((
        "normalized",
        Arc::new(StringArray::from_iter_values(normalized)),
    ));
    RecordBatch::try_from_iter(columns).map_err(|e| runtime_error(&e))
}

/// A list per text of the strings `lists` gives for it.
fn string_lists<'s, L>(lists: impl Iterator<Item = L> + Clone) -> PyResult<ArrayRef>
where
    L: Iterator<Item = &'s str>,
{
    let values = StringArray::from_iter_values(lists.clone().flatten());
    list(lists.map(|l| l.count()), Arc::new(values))
}

/// `values` cut into one list per text, of the lengths `lengths` gives.
fn list(lengths: impl Iterator<Item = usize>, values: ArrayRef) -> PyResult<ArrayRef> {
    let field = Arc::new(Field::new_list_field(values.data_type().clone(), false));
    let offsets = OffsetBuffer::<i32>::from_lengths(lengths);
    let list = ListArray::try_new(field, offsets, values, None).map_err(|e| runtime_error(&e))?;
    Ok(Arc::new(list))
}

/// Document sentiment of each text as a pyarrow RecordBatch: `lang`, `sentiment`,
/// `score` (−1…1), `confidence` (0…1), one row per text, in order. With `auto`, the
/// schema's metadata `koe.sentiment_auto` holds what it chose (`summary.json`'s
/// `sentiment_auto`), as JSON.
#[pyfunction]
#[pyo3(signature = (texts, *, model="lexicon", lang=None, ratings=None))]
fn score<'py>(
    py: Python<'py>,
    texts: &Bound<'py, PyAny>,
    model: &str,
    lang: Option<&str>,
    ratings: Option<Vec<Option<u8>>>,
) -> PyResult<Bound<'py, PyAny>> {
    let (results, choice) = run(py, texts, model, lang, ratings)?;
    let mut batch = py.detach(|| scores_batch(&results))?;
    if let Some(choice) = choice {
        let json = serde_json::to_string(&choice).map_err(|e| runtime_error(&e))?;
        let metadata = HashMap::from([("koe.sentiment_auto".to_string(), json)]);
        let schema = batch.schema().as_ref().clone().with_metadata(metadata);
        batch = batch
            .with_schema(Arc::new(schema))
            .map_err(|e| runtime_error(&e))?;
    }
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
