//! Evaluation: how well, how fast and in how much memory sentiment models label a
//! labelled data set (`koe eval`).
//!
//! [`labelled`] reads the gold data. Evaluation streams it: [`GoldRows::read`] reads the
//! source once and keeps each good row's line and gold label, not its text (a split,
//! such as `--holdout`, then keeps some rows); [`read_gold`] reads it again and runs the
//! text stage over those rows (timed on its own), keeping each one's language;
//! [`evaluate`] loads one model and reads the source once more, sending the texts through
//! the text stage and the model in bounded batches. Memory holds a few bytes per row
//! (line, gold label, language, each model's label: what the statistics need) and one
//! batch of texts, whatever the size of the set. It compares the document labels with the
//! gold ones ([`metrics`]), timing loading apart from scoring and watching peak memory
//! ([`memory`]). [`analyse`] keeps every analysed document, for training. The same data
//! in the same run for every model keeps the ratios fair. [`stats`] adds bootstrap
//! intervals to each model's figures (overall and per language) and compares models
//! pairwise on the same rows ([`compare_all`]).

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
use std::ops::ControlFlow;
use std::time::Instant;

use rayon::prelude::*;
use serde::Serialize;

use crate::lang::Lang;
use crate::sentiment::{self, Label, ModelSpec, SentimentModel};
use crate::text::{AnalysedText, TextAnalyzer};
use labelled::{BadLine, LabelMap, LabelledDoc, Source, Summary};
use memory::{MemoryProbe, PeakMemory};
use metrics::{Confusion, Metrics};
pub use report::Report;
use stats::{Comparison, Intervals};

/// Documents handed to a worker (and to `score_batch`) at once, as in the pipeline.
const CHUNK: usize = 64;

/// Chunks per worker thread in one batch of texts read from the source.
const CHUNKS_PER_THREAD: usize = 4;

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
                .map(|doc| {
                    analyse_one(analyzer, doc.line, &doc.text, lang)
                        .map(|text| (text, doc.label, doc.line))
                })
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

/// The rows of a labelled source to evaluate on, before the text stage: each one's line
/// and gold label, in the source's order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GoldRows {
    pub lines: Vec<u64>,
    pub gold: Vec<Label>,
}

impl GoldRows {
    /// Every good row of `source` (its raw labels read through `labels`), and what
    /// reading it found besides them.
    pub fn read(source: &dyn Source, labels: &LabelMap) -> Result<(GoldRows, Summary), Error> {
        let mut rows = GoldRows::default();
        let summary = labelled::scan(source, labels, &mut |row| {
            rows.lines.push(row.line);
            rows.gold.push(row.label);
            ControlFlow::Continue(())
        })?;
        Ok((rows, summary))
    }

    pub fn len(&self) -> usize {
        self.gold.len()
    }

    pub fn is_empty(&self) -> bool {
        self.gold.is_empty()
    }

    /// Keeps row `i` where `keep[i]` (a split over the rows in order).
    pub fn retain(&mut self, keep: &[bool]) {
        (self.lines, self.gold) = self
            .lines
            .iter()
            .zip(&self.gold)
            .zip(keep)
            .filter(|(_, keep)| **keep)
            .map(|((&line, &gold), _)| (line, gold))
            .unzip();
    }
}

/// The gold side of a labelled set after one pass of the text stage: the rows it could
/// analyse, with their labels, languages and lines, and the source to read their texts
/// from again.
pub struct GoldSet<'a> {
    pub source: &'a dyn Source,
    pub labels: &'a LabelMap,
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

impl GoldSet<'_> {
    /// Documents in the set.
    pub fn len(&self) -> usize {
        self.gold.len()
    }

    pub fn is_empty(&self) -> bool {
        self.gold.is_empty()
    }
}

/// Reads the texts of `rows` from `source` again and runs the text stage over them in
/// parallel (timed, reading excluded), keeping what [`evaluate`] needs besides the
/// analysed text; `progress` hears how many more are done.
pub fn read_gold<'a>(
    analyzer: &TextAnalyzer,
    source: &'a dyn Source,
    labels: &'a LabelMap,
    rows: GoldRows,
    lang: Option<Lang>,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<GoldSet<'a>, Error> {
    let mut set = GoldSet {
        source,
        labels,
        gold: Vec::with_capacity(rows.len()),
        langs: Vec::with_capacity(rows.len()),
        lines: Vec::with_capacity(rows.len()),
        failed: Vec::new(),
        analysis_s: 0.0,
        lang,
    };
    let mut gold = rows.gold.iter();
    stream_texts(source, labels, &rows.lines, &mut |batch| {
        let started = Instant::now();
        let langs: Vec<Result<Lang, BadLine>> = batch
            .par_chunks(CHUNK)
            .flat_map_iter(|chunk| {
                let langs: Vec<_> = chunk
                    .iter()
                    .map(|doc| analyse_one(analyzer, doc.line, &doc.text, lang).map(|t| t.lang))
                    .collect();
                progress(chunk.len() as u64);
                langs
            })
            .collect();
        set.analysis_s += started.elapsed().as_secs_f64();
        for (doc, result) in batch.iter().zip(langs) {
            let label = *gold.next().expect("one gold label per row streamed");
            match result {
                Ok(lang) => {
                    set.gold.push(label);
                    set.langs.push(lang);
                    set.lines.push(doc.line);
                }
                Err(bad) => set.failed.push(bad),
            }
        }
        ControlFlow::Continue(())
    })?;
    Ok(set)
}

/// A row's text, read from the source for one batch.
struct RowText {
    line: u64,
    text: String,
}

/// Reads `source` again and hands the texts of the rows at `lines` (ascending, as
/// [`GoldRows`] found them) to `work` in order, in batches of a few chunks per worker
/// thread, so that one batch of texts is held at a time; stops reading where `work`
/// says to (the rows left are then not checked).
fn stream_texts(
    source: &dyn Source,
    labels: &LabelMap,
    lines: &[u64],
    work: &mut dyn FnMut(&[RowText]) -> ControlFlow<()>,
) -> Result<(), labelled::Error> {
    let size = CHUNK * CHUNKS_PER_THREAD * rayon::current_num_threads();
    let mut batch: Vec<RowText> = Vec::with_capacity(size);
    let mut wanted = lines.iter().peekable();
    let mut stopped = false;
    labelled::scan(source, labels, &mut |row| {
        if wanted.next_if_eq(&&row.line).is_none() {
            return ControlFlow::Continue(());
        }
        batch.push(RowText {
            line: row.line,
            text: row.text.to_string(),
        });
        if batch.len() < size {
            return ControlFlow::Continue(());
        }
        let flow = work(&batch);
        batch.clear();
        stopped = flow.is_break();
        flow
    })?;
    if stopped {
        return Ok(());
    }
    if let Some(&&line) = wanted.peek() {
        return Err(labelled::Error::Changed {
            name: source.name(),
            line,
        });
    }
    if !batch.is_empty() {
        let _ = work(&batch);
    }
    Ok(())
}

fn analyse_one(
    analyzer: &TextAnalyzer,
    line: u64,
    text: &str,
    lang: Option<Lang>,
) -> Result<AnalysedText, BadLine> {
    analyzer.analyse(text, lang).map_err(|e| BadLine {
        line,
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
    let pass = stream_predict(model.as_ref(), analyzer, set, progress)?;
    let predicted = pass.labels.map_err(model_error)?;
    // The pass runs the text stage again; the share of the workers' time spent in
    // `score_batch` is the model's.
    let scoring_s = pass.busy_s * pass.scoring_share;
    let memory = probe.finish();
    let n = set.len() as f64;
    let confusion = Confusion::from_pairs(set.gold.iter().copied().zip(predicted.iter().copied()));
    let mut by_lang = BTreeMap::new();
    for lang in [Lang::Ja, Lang::En, Lang::Und] {
        let rows: Vec<usize> = (0..set.len()).filter(|&i| set.langs[i] == lang).collect();
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

/// One model's pass over a set.
struct Pass {
    /// Each document's label, in order, or the model's first failure.
    labels: Result<Vec<Label>, sentiment::Error>,
    /// Wall time of the batches' work (reading the source excluded).
    busy_s: f64,
    /// The share of the workers' time that `score_batch` took.
    scoring_share: f64,
}

/// Document labels, each chunk of a batch analysed and scored on a worker thread and
/// then dropped.
fn stream_predict(
    model: &dyn SentimentModel,
    analyzer: &TextAnalyzer,
    set: &GoldSet,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Pass, Error> {
    let mut labels = Ok(Vec::with_capacity(set.len()));
    let (mut busy_s, mut analysis_s, mut scoring_s) = (0.0, 0.0, 0.0);
    let mut changed = None;
    let lang = set.lang;
    stream_texts(set.source, set.labels, &set.lines, &mut |batch| {
        let Ok(done) = &mut labels else {
            return ControlFlow::Break(());
        };
        let started = Instant::now();
        let chunks: Result<Vec<(Vec<Label>, f64, f64)>, PassError> = batch
            .par_chunks(CHUNK)
            .map(|chunk| {
                let analysing = Instant::now();
                // Every document here analysed once already ([`read_gold`]); the text
                // stage is deterministic, so one that fails now was changed since.
                let texts: Vec<AnalysedText> = chunk
                    .iter()
                    .map(|doc| analyse_one(analyzer, doc.line, &doc.text, lang))
                    .collect::<Result<_, _>>()
                    .map_err(PassError::Changed)?;
                let analysis_s = analysing.elapsed().as_secs_f64();
                let scoring = Instant::now();
                let refs: Vec<&AnalysedText> = texts.iter().collect();
                let scored = model.score_batch(&refs).map_err(PassError::Model)?;
                let scoring_s = scoring.elapsed().as_secs_f64();
                progress(chunk.len() as u64);
                let labels = scored.into_iter().map(|s| s.doc.label).collect();
                Ok((labels, analysis_s, scoring_s))
            })
            .collect();
        busy_s += started.elapsed().as_secs_f64();
        // A model error or a changed file ends the pass: the rest is not read.
        match chunks {
            Ok(chunks) => {
                for (chunk, a, s) in chunks {
                    done.extend(chunk);
                    analysis_s += a;
                    scoring_s += s;
                }
                ControlFlow::Continue(())
            }
            Err(PassError::Model(error)) => {
                labels = Err(error);
                ControlFlow::Break(())
            }
            Err(PassError::Changed(bad)) => {
                changed = Some(bad.line);
                ControlFlow::Break(())
            }
        }
    })?;
    if let Some(line) = changed {
        return Err(labelled::Error::Changed {
            name: set.source.name(),
            line,
        }
        .into());
    }
    Ok(Pass {
        labels,
        busy_s,
        scoring_share: scoring_s / (analysis_s + scoring_s).max(1e-12),
    })
}

/// Why a chunk of a model's pass stopped.
enum PassError {
    Model(sentiment::Error),
    Changed(BadLine),
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
        let source = labelled::InMemory {
            name: "<test>",
            texts: &[
                "I love this, great service",
                "Terrible, the worst delivery ever",
                "とても満足しています",
                "スタッフの対応が最悪でした",
            ],
            labels: &["positive", "negative", "5", "1"],
        };
        let map = LabelMap::default();
        let (rows, summary) = GoldRows::read(&source, &map).unwrap();
        assert!(summary.bad_lines.is_empty());
        let set = read_gold(test_analyzer(), &source, &map, rows, None, &|_| {}).unwrap();
        assert_eq!(set.len(), 4);
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

    /// Many rows, counting how many were handed over.
    struct Counted {
        rows: u64,
        visited: std::cell::Cell<u64>,
    }

    impl Source for Counted {
        fn name(&self) -> String {
            "counted.tsv".into()
        }

        fn rows(&self, visit: &mut labelled::Visit<'_>) -> Result<(), labelled::Error> {
            for line in 1..=self.rows {
                self.visited.set(self.visited.get() + 1);
                let text = if line % 2 == 0 {
                    "配送が遅い"
                } else {
                    "Great staff"
                };
                if visit(line, Ok((text, "5"))).is_break() {
                    break;
                }
            }
            Ok(())
        }
    }

    /// A model that fails on every batch.
    struct Failing;

    impl SentimentModel for Failing {
        fn name(&self) -> &str {
            "failing"
        }
        fn score_batch(
            &self,
            _: &[&AnalysedText],
        ) -> Result<Vec<sentiment::DocSentiment>, sentiment::Error> {
            Err(sentiment::Error::AutoNeedsRatings)
        }
    }

    #[test]
    fn a_model_error_ends_the_pass_without_reading_the_rest() {
        let source = Counted {
            rows: 20_000,
            visited: std::cell::Cell::new(0),
        };
        let map = LabelMap::default();
        let (rows, _) = GoldRows::read(&source, &map).unwrap();
        let set = read_gold(test_analyzer(), &source, &map, rows, None, &|_| {}).unwrap();
        assert_eq!(source.visited.get(), 40_000, "two whole readings");
        source.visited.set(0);
        let pass = stream_predict(&Failing, test_analyzer(), &set, &|_| {}).unwrap();
        assert!(matches!(
            pass.labels,
            Err(sentiment::Error::AutoNeedsRatings)
        ));
        let batch = (CHUNK * CHUNKS_PER_THREAD * rayon::current_num_threads()) as u64;
        assert_eq!(source.visited.get(), batch, "the first batch only");
    }

    /// Rows that count how often they are read, and lose row 2's label from the third
    /// reading on (a file edited while `koe eval` runs).
    struct Edited {
        readings: std::cell::Cell<usize>,
    }

    impl Source for Edited {
        fn name(&self) -> String {
            "edited.tsv".into()
        }

        fn rows(&self, visit: &mut labelled::Visit<'_>) -> Result<(), labelled::Error> {
            self.readings.set(self.readings.get() + 1);
            let second = if self.readings.get() >= 3 { "??" } else { "1" };
            let rows = [
                ("配送が早くて助かりました", "5"),
                ("The strap broke after a week", second),
                ("普通です", "3"),
            ];
            for (line, row) in (1..).zip(rows) {
                if visit(line, Ok(row)).is_break() {
                    break;
                }
            }
            Ok(())
        }
    }

    #[test]
    fn each_pass_reads_the_source_again_and_an_edited_source_is_an_error() {
        let source = Edited {
            readings: std::cell::Cell::new(0),
        };
        let map = LabelMap::default();
        let (mut rows, _) = GoldRows::read(&source, &map).unwrap();
        assert_eq!(rows.lines, [1, 2, 3]);
        rows.retain(&[true, true, false]);
        assert_eq!(
            (rows.lines.as_slice(), rows.gold.as_slice()),
            (
                [1, 2].as_slice(),
                [Label::Positive, Label::Negative].as_slice()
            )
        );
        let set = read_gold(test_analyzer(), &source, &map, rows, None, &|_| {}).unwrap();
        assert_eq!(
            (set.langs.as_slice(), source.readings.get()),
            ([Lang::Ja, Lang::En].as_slice(), 2)
        );
        let edited = evaluate(
            &ModelSpec::Lexicon,
            test_analyzer(),
            &set,
            Uncertainty::default(),
            &|_| {},
        );
        assert_eq!(source.readings.get(), 3);
        match edited {
            Err(Error::Data(labelled::Error::Changed { name, line })) => {
                assert_eq!((name.as_str(), line), ("edited.tsv", 2));
            }
            other => panic!("expected a changed source, got {other:?}"),
        }
    }
}
