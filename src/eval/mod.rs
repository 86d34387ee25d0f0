//! Evaluation: how well, how fast and in how much memory sentiment models label a
//! labelled data set (`koe eval`).
//!
//! [`labelled`] reads the gold data; [`read_gold`] runs the text stage once over it
//! (timed on its own) and keeps each document's label, language and line, not its
//! analysed text; [`evaluate`] then loads one model and streams the documents through
//! the text stage and the model chunk by chunk, so memory holds one chunk of analysed
//! text per thread whatever the size of the set. It compares the document labels with
//! the gold ones ([`metrics`]), timing loading apart from scoring and watching peak
//! memory ([`memory`]). [`analyse`] keeps every analysed document, for training. The same data in the same run for every model keeps the ratios fair.
//! [`stats`] adds bootstrap intervals to each model's figures (overall and per language)
//! and compares models pairwise on the same rows ([`compare_all`]).

pub mod labelled;
pub mod memory;
mod report;
pub mod stats;
pub mod themes;

/// Classification metrics ([`crate::polarity`]'s, which both trainers score with) and partition
/// agreement (the topics stage's own, for its stability), here with the rest of evaluation.
pub use crate::polarity::metrics;
pub use crate::sentiment::predict;
pub use crate::topics::clustering;

use std::collections::BTreeMap;
use std::time::Instant;

use rayon::prelude::*;
use serde::Serialize;

use crate::lang::Lang;
use crate::sentiment::{self, Label, ModelSpec, SentimentModel};
use crate::text::{AnalysedText, TextAnalyzer};
use labelled::{BadLine, LabelledDoc};
use memory::{MemoryProbe, PeakMemory};
use metrics::{Confusion, Metrics};
pub use report::Report;
use stats::{Comparison, Intervals};

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
    /// Each document's line in the labelled file.
    pub lines: Vec<u64>,
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
    let results: Vec<Result<(AnalysedText, Label, u64), BadLine>> = docs
        .par_chunks(CHUNK)
        .flat_map_iter(|chunk| {
            let analysed: Vec<_> = chunk
                .iter()
                .map(|doc| analyse_one(analyzer, doc, lang).map(|text| (text, doc.label, doc.line)))
                .collect();
            progress(chunk.len() as u64);
            analysed
        })
        .collect();
    let mut set = AnalysedSet {
        docs: Vec::with_capacity(results.len()),
        gold: Vec::with_capacity(results.len()),
        lines: Vec::with_capacity(results.len()),
        failed: Vec::new(),
        analysis_s: 0.0,
    };
    for result in results {
        match result {
            Ok((text, label, line)) => {
                set.docs.push(text);
                set.gold.push(label);
                set.lines.push(line);
            }
            Err(bad) => set.failed.push(bad),
        }
    }
    set.analysis_s = started.elapsed().as_secs_f64();
    set
}

/// An error and its causes, as one line: "a: b: c".
fn with_causes(error: &dyn std::error::Error) -> String {
    let mut line = error.to_string();
    let mut cause = error.source();
    while let Some(c) = cause {
        line.push_str(": ");
        line.push_str(&c.to_string());
        cause = c.source();
    }
    line
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
    /// 95% bootstrap intervals of the headline figures (absent with 0 resamples).
    pub intervals: Option<Intervals>,
    /// The same figures for each language of the documents.
    pub by_lang: BTreeMap<Lang, LangReport>,
    /// Each document's label, in the order of the set (for paired comparisons).
    #[serde(skip)]
    pub predicted: Vec<Label>,
}

/// One model's figures on the documents of one language.
#[derive(Debug, Clone, Serialize)]
pub struct LangReport {
    pub metrics: Metrics,
    pub intervals: Option<Intervals>,
}

/// How many bootstrap resamples (and randomization rounds) to draw, from which seed;
/// 0 resamples leaves intervals and comparisons out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Uncertainty {
    pub resamples: usize,
    pub seed: u64,
}

impl Default for Uncertainty {
    fn default() -> Self {
        Uncertainty {
            resamples: 1000,
            seed: 42,
        }
    }
}

impl Uncertainty {
    fn intervals(&self, gold: &[Label], predicted: &[Label]) -> Option<Intervals> {
        (self.resamples > 0 && !gold.is_empty())
            .then(|| stats::bootstrap(gold, predicted, self.resamples, self.seed))
    }
}

/// The gold side of a labelled set after one pass of the text stage: the documents it
/// could analyse, with their labels, languages and lines, but not their analysed text.
#[derive(Debug)]
pub struct GoldSet<'a> {
    pub docs: Vec<&'a LabelledDoc>,
    pub gold: Vec<Label>,
    pub langs: Vec<Lang>,
    /// Each document's line in the labelled file.
    pub lines: Vec<u64>,
    /// Lines whose text the text stage could not analyse.
    pub failed: Vec<BadLine>,
    /// The text stage over every document, in seconds.
    pub analysis_s: f64,
    /// The language given for every document (`--lang`), if any.
    pub lang: Option<Lang>,
}

/// Runs the text stage over `docs` in parallel (timed), keeping what [`evaluate`] needs
/// besides the analysed text; `progress` hears how many more are done.
pub fn read_gold<'a>(
    analyzer: &TextAnalyzer,
    docs: &'a [LabelledDoc],
    lang: Option<Lang>,
    progress: &(dyn Fn(u64) + Sync),
) -> GoldSet<'a> {
    let started = Instant::now();
    let results: Vec<Result<Lang, BadLine>> = docs
        .par_chunks(CHUNK)
        .flat_map_iter(|chunk| {
            let langs: Vec<_> = chunk
                .iter()
                .map(|doc| analyse_one(analyzer, doc, lang).map(|text| text.lang))
                .collect();
            progress(chunk.len() as u64);
            langs
        })
        .collect();
    let mut set = GoldSet {
        docs: Vec::with_capacity(docs.len()),
        gold: Vec::with_capacity(docs.len()),
        langs: Vec::with_capacity(docs.len()),
        lines: Vec::with_capacity(docs.len()),
        failed: Vec::new(),
        analysis_s: 0.0,
        lang,
    };
    for (doc, result) in docs.iter().zip(results) {
        match result {
            Ok(lang) => {
                set.docs.push(doc);
                set.gold.push(doc.label);
                set.langs.push(lang);
                set.lines.push(doc.line);
            }
            Err(bad) => set.failed.push(bad),
        }
    }
    set.analysis_s = started.elapsed().as_secs_f64();
    set
}

fn analyse_one(
    analyzer: &TextAnalyzer,
    doc: &LabelledDoc,
    lang: Option<Lang>,
) -> Result<AnalysedText, BadLine> {
    analyzer.analyse(&doc.text, lang).map_err(|e| BadLine {
        line: doc.line,
        reason: format!("analysis failed: {}", with_causes(&e)),
    })
}

/// Loads the model `spec`, streams every document of `set` through the text stage and
/// the model, and measures the result.
pub fn evaluate(
    spec: &ModelSpec,
    analyzer: &TextAnalyzer,
    set: &GoldSet,
    uncertainty: Uncertainty,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<ModelReport, Error> {
    let probe = MemoryProbe::start();
    let loading = Instant::now();
    let model_error = |source| Error::Model {
        spec: spec.to_string(),
        source,
    };
    let model = spec.load().map_err(model_error)?;
    let load_s = loading.elapsed().as_secs_f64();
    let pass = Instant::now();
    let (predicted, scoring_share) =
        stream_predict(model.as_ref(), analyzer, set, progress).map_err(model_error)?;
    // The pass runs the text stage again; the share of the workers' time spent in
    // `score_batch` is the model's.
    let scoring_s = pass.elapsed().as_secs_f64() * scoring_share;
    let memory = probe.finish();
    let n = set.docs.len() as f64;
    let confusion = Confusion::from_pairs(set.gold.iter().copied().zip(predicted.iter().copied()));
    let mut by_lang = BTreeMap::new();
    for lang in [Lang::Ja, Lang::En, Lang::Und] {
        let rows: Vec<usize> = (0..set.docs.len())
            .filter(|&i| set.langs[i] == lang)
            .collect();
        if rows.is_empty() {
            continue;
        }
        let gold: Vec<Label> = rows.iter().map(|&i| set.gold[i]).collect();
        let answers: Vec<Label> = rows.iter().map(|&i| predicted[i]).collect();
        let confusion = Confusion::from_pairs(gold.iter().copied().zip(answers.iter().copied()));
        by_lang.insert(
            lang,
            LangReport {
                metrics: Metrics::from(&confusion),
                intervals: uncertainty.intervals(&gold, &answers),
            },
        );
    }
    Ok(ModelReport {
        spec: spec.to_string(),
        name: model.name().to_string(),
        load_s,
        scoring_s,
        scoring_docs_per_s: n / scoring_s.max(1e-9),
        analysis_and_scoring_docs_per_s: n / (set.analysis_s + scoring_s).max(1e-9),
        memory,
        metrics: Metrics::from(&confusion),
        intervals: uncertainty.intervals(&set.gold, &predicted),
        by_lang,
        predicted,
    })
}

/// Document labels, each chunk analysed and scored on a worker thread and then dropped;
/// with the share of the workers' time that scoring took.
fn stream_predict(
    model: &dyn SentimentModel,
    analyzer: &TextAnalyzer,
    set: &GoldSet,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<(Vec<Label>, f64), sentiment::Error> {
    let chunks: Vec<(Vec<Label>, f64, f64)> = set
        .docs
        .par_chunks(CHUNK)
        .map(|chunk| -> Result<_, sentiment::Error> {
            let analysing = Instant::now();
            // Every document here analysed once already ([`read_gold`]); the text stage
            // is deterministic, so none fails now.
            let texts: Vec<AnalysedText> = chunk
                .iter()
                .filter_map(|doc| analyse_one(analyzer, doc, set.lang).ok())
                .collect();
            let analysis_s = analysing.elapsed().as_secs_f64();
            let scoring = Instant::now();
            let refs: Vec<&AnalysedText> = texts.iter().collect();
            let scored = model.score_batch(&refs)?;
            let scoring_s = scoring.elapsed().as_secs_f64();
            progress(chunk.len() as u64);
            let labels = scored.into_iter().map(|s| s.doc.label).collect();
            Ok((labels, analysis_s, scoring_s))
        })
        .collect::<Result<_, _>>()?;
    let (analysis, scoring) = chunks
        .iter()
        .fold((0.0, 0.0), |(a, s), c| (a + c.1, s + c.2));
    let labels = chunks.into_iter().flat_map(|c| c.0).collect();
    Ok((labels, scoring / (analysis + scoring).max(1e-12)))
}

/// Every pair of models (in the order given) compared on the rows of `set`.
pub fn compare_all(
    models: &[ModelReport],
    set: &GoldSet,
    uncertainty: Uncertainty,
) -> Vec<Comparison> {
    if uncertainty.resamples == 0 {
        return Vec::new();
    }
    let mut comparisons = Vec::new();
    for (i, a) in models.iter().enumerate() {
        for b in &models[i + 1..] {
            comparisons.push(stats::compare(
                (&a.name, &b.name),
                &set.gold,
                &a.predicted,
                &b.predicted,
                uncertainty.resamples,
                uncertainty.seed,
            ));
        }
    }
    comparisons
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
        let set = read_gold(test_analyzer(), &docs, None, &|_| {});
        assert_eq!(set.docs.len(), 4);
        let report = evaluate(
            &ModelSpec::Lexicon,
            test_analyzer(),
            &set,
            Uncertainty::default(),
            &|_| {},
        )
        .unwrap();
        assert_eq!(report.name, "lexicon");
        assert_eq!(report.metrics.docs, 4);
        assert_eq!(
            report.metrics.accuracy, 1.0,
            "{:?}",
            report.metrics.confusion
        );
        assert_eq!(report.by_lang[&Lang::Ja].metrics.docs, 2);
        assert_eq!(report.by_lang[&Lang::En].metrics.docs, 2);
        let intervals = report.intervals.as_ref().unwrap();
        assert_eq!(
            (intervals.accuracy.low, intervals.accuracy.high),
            (1.0, 1.0)
        );
        assert!(matches!(
            evaluate(
                &ModelSpec::Linear("/nonexistent/model".into()),
                test_analyzer(),
                &set,
                Uncertainty::default(),
                &|_| {}
            ),
            Err(Error::Model { .. })
        ));
    }
}
