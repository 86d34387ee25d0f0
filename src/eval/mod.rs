//! Evaluation: how well, how fast and in how much memory sentiment models label a
//! labelled data set (`koe eval`).
//!
//! [`labelled`] reads the gold data; [`analyse`] runs the text stage once over it (timed
//! on its own: every model reads the same [`AnalysedText`]s); [`evaluate`] then loads one
//! model, scores every document and compares the document labels with the gold ones
//! ([`metrics`]), timing loading apart from scoring and watching peak memory
//! ([`memory`]). The same data in the same run for every model keeps the ratios fair.

pub mod clustering;
pub mod labelled;
pub mod memory;
pub mod metrics;
pub mod themes;

use std::time::Instant;

use rayon::prelude::*;
use serde::Serialize;

use crate::record::Lang;
use crate::sentiment::{self, Label, SentimentModel};
use crate::text::{AnalysedText, TextAnalyzer};
use labelled::{BadLine, LabelledDoc};
use memory::{MemoryProbe, PeakMemory};
use metrics::{Confusion, Metrics};

/// Documents handed to a worker (and to `score_batch`) at once, as in the pipeline.
const CHUNK: usize = 64;

/// Errors that stop an evaluation.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Data(#[from] labelled::Error),
    #[error("cannot load model {spec:?}: {source}")]
    Model {
        spec: String,
        source: sentiment::Error,
    },
}

/// The gold data after the text stage.
#[derive(Debug)]
pub struct AnalysedSet {
    pub docs: Vec<AnalysedText>,
    pub gold: Vec<Label>,
    /// Lines whose text the text stage could not analyse.
    pub failed: Vec<BadLine>,
    pub analysis_s: f64,
}

/// Runs the text stage over `docs` in parallel; `progress` hears how many more are done.
pub fn analyse(
    analyzer: &TextAnalyzer,
    docs: &[LabelledDoc],
    lang: Option<Lang>,
    progress: &(dyn Fn(u64) + Sync),
) -> AnalysedSet {
    let started = Instant::now();
    let results: Vec<Result<(AnalysedText, Label), BadLine>> = docs
        .par_chunks(CHUNK)
        .flat_map_iter(|chunk| {
            let analysed: Vec<_> = chunk
                .iter()
                .map(|doc| match analyzer.analyse(&doc.text, lang) {
                    Ok(text) => Ok((text, doc.label)),
                    Err(e) => Err(BadLine {
                        line: doc.line,
                        reason: format!("analysis failed: {e}"),
                    }),
                })
                .collect();
            progress(chunk.len() as u64);
            analysed
        })
        .collect();
    let mut set = AnalysedSet {
        docs: Vec::with_capacity(results.len()),
        gold: Vec::with_capacity(results.len()),
        failed: Vec::new(),
        analysis_s: 0.0,
    };
    for result in results {
        match result {
            Ok((text, label)) => {
                set.docs.push(text);
                set.gold.push(label);
            }
            Err(bad) => set.failed.push(bad),
        }
    }
    set.analysis_s = started.elapsed().as_secs_f64();
    set
}

/// One model's figures on one data set.
#[derive(Debug, Clone, Serialize)]
pub struct ModelReport {
    /// The spec it was loaded from (`lexicon`, `linear:models/linear-en`).
    pub spec: String,
    /// What the model calls itself.
    pub name: String,
    pub load_s: f64,
    /// `score_batch` over every document (the text stage excluded).
    pub scoring_s: f64,
    pub scoring_docs_per_s: f64,
    /// Text stage plus scoring: what a run of `koe analyze` would see, minus I/O and index.
    pub analysis_and_scoring_docs_per_s: f64,
    pub memory: PeakMemory,
    pub metrics: Metrics,
}

/// Loads the model `spec`, scores every document of `set` and measures the result.
pub fn evaluate(
    spec: &str,
    set: &AnalysedSet,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<ModelReport, Error> {
    let probe = MemoryProbe::start();
    let loading = Instant::now();
    let model = sentiment::from_spec(spec).map_err(|source| Error::Model {
        spec: spec.to_string(),
        source,
    })?;
    let load_s = loading.elapsed().as_secs_f64();
    let scoring = Instant::now();
    let predicted =
        predict(model.as_ref(), &set.docs, progress).map_err(|source| Error::Model {
            spec: spec.to_string(),
            source,
        })?;
    let scoring_s = scoring.elapsed().as_secs_f64();
    let memory = probe.finish();
    let n = set.docs.len() as f64;
    let confusion = Confusion::from_pairs(set.gold.iter().copied().zip(predicted));
    Ok(ModelReport {
        spec: spec.to_string(),
        name: model.name().to_string(),
        load_s,
        scoring_s,
        scoring_docs_per_s: n / scoring_s.max(1e-9),
        analysis_and_scoring_docs_per_s: n / (set.analysis_s + scoring_s).max(1e-9),
        memory,
        metrics: Metrics::from(&confusion),
    })
}

/// Document labels, scored in chunks over the worker threads.
pub fn predict(
    model: &dyn SentimentModel,
    docs: &[AnalysedText],
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Vec<Label>, sentiment::Error> {
    let chunks: Vec<Vec<Label>> = docs
        .par_chunks(CHUNK)
        .map(|chunk| -> Result<Vec<Label>, sentiment::Error> {
            let refs: Vec<&AnalysedText> = chunk.iter().collect();
            let scored = model.score_batch(&refs)?;
            progress(chunk.len() as u64);
            Ok(scored.into_iter().map(|s| s.doc.label).collect())
        })
        .collect::<Result<_, _>>()?;
    Ok(chunks.into_iter().flatten().collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::test_analyzer;

    #[test]
    fn lexicon_on_a_tiny_set() {
        let docs: Vec<LabelledDoc> = [
            ("I love this, great service", Label::Positive),
            ("Terrible, the worst delivery ever", Label::Negative),
            ("とても満足しています", Label::Positive),
            ("スタッフの対応が最悪でした", Label::Negative),
        ]
        .into_iter()
        .enumerate()
        .map(|(i, (text, label))| LabelledDoc {
            line: i as u64 + 2,
            text: text.into(),
            label,
        })
        .collect();
        let set = analyse(test_analyzer(), &docs, None, &|_| {});
        assert_eq!(set.docs.len(), 4);
        let report = evaluate("lexicon", &set, &|_| {}).unwrap();
        assert_eq!(report.name, "lexicon");
        assert_eq!(report.metrics.docs, 4);
        assert_eq!(
            report.metrics.accuracy, 1.0,
            "{:?}",
            report.metrics.confusion
        );
        assert!(matches!(
            evaluate("nonsense", &set, &|_| {}),
            Err(Error::Model { .. })
        ));
    }
}
