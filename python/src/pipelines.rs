//! Loaded pipelines, kept for the life of the interpreter: the text analyzer (lindera's
//! dictionary) is loaded once and shared, and each model spec's pipeline is built on
//! first use, so a notebook pays for loading once, as one run of `koe analyze` does.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use pyo3::prelude::*;

use koe::Lang;
use koe::pipeline::Pipeline;
use koe::sentiment::ModelSpec;
use koe::text::TextAnalyzer;

use crate::errors::{model_error, os_error, value_error};

/// The text analyzer (loaded on first use; `None` in `dictionary_dir` is koe's default
/// dictionary, which `scripts/setup.sh` builds).
pub fn analyzer() -> PyResult<TextAnalyzer> {
    static ANALYZER: OnceLock<TextAnalyzer> = OnceLock::new();
    if let Some(analyzer) = ANALYZER.get() {
        return Ok(analyzer.clone());
    }
    let loaded = TextAnalyzer::load(None).map_err(|e| os_error(&e))?;
    Ok(ANALYZER.get_or_init(|| loaded).clone())
}

/// A model spec as Python gives it (`lexicon`, `linear:DIR`, …), parsed and resolved.
pub fn parse_spec(spec: &str) -> PyResult<ModelSpec> {
    let parsed: ModelSpec = spec.parse().map_err(|e| model_error(&e))?;
    parsed.resolve().map_err(|e| model_error(&e))
}

/// The pipeline of `spec`, loaded on first use. Loading happens without the GIL.
pub fn pipeline(py: Python<'_>, spec: &ModelSpec) -> PyResult<Arc<Pipeline>> {
    static PIPELINES: OnceLock<Mutex<HashMap<ModelSpec, Arc<Pipeline>>>> = OnceLock::new();
    let pipelines = PIPELINES.get_or_init(Default::default);
    let cached = |spec: &ModelSpec| {
        let pipelines = pipelines
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        pipelines.get(spec).cloned()
    };
    if let Some(pipeline) = cached(spec) {
        return Ok(pipeline);
    }
    let analyzer = analyzer()?;
    let model = py.detach(|| spec.load()).map_err(|e| model_error(&e))?;
    let pipeline = Arc::new(Pipeline::new(analyzer, model));
    let mut pipelines = pipelines
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    Ok(pipelines.entry(spec.clone()).or_insert(pipeline).clone())
}

/// `lang=` as Python gives it: `None` (detect per text), `"ja"`, `"en"`.
pub fn parse_lang(lang: Option<&str>) -> PyResult<Option<Lang>> {
    lang.map(|l| l.parse::<Lang>().map_err(value_error))
        .transpose()
}
