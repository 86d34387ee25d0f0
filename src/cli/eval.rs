//! `koe eval`: score sentiment models on a labelled file and print them side by side.

use std::path::PathBuf;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;

use koe::Lang;
use koe::eval::labelled::{self, BadLine, Fields, LabelMap, LabelledData};
use koe::eval::stats::Comparison;
use koe::eval::{self, ModelReport, Uncertainty};
use koe::sentiment::train::stratified_holdout;

use super::output::{emit, print_json};
use super::{DictionaryArgs, use_threads};

mod render;

/// Measure sentiment models on labelled data: accuracy, macro-F1, macro-averaged recall
/// (TweetEval's official metric), per-class precision / recall / F1, confusion matrices,
/// speed and peak memory, one column per model.
///
/// For researchers: each headline figure comes with a 95% percentile bootstrap interval
/// (--resamples draws of the rows with replacement, seeded by --seed); every pair of
/// models is compared on the same rows (the difference A − B with a paired bootstrap
/// interval, a two-sided approximate-randomization p-value, and McNemar's exact test for
/// accuracy); on mixed data the figures are also given per language. --json carries all
/// of it.
///
/// Gold labels map to negative / neutral / positive: the names (and neg / neu / pos) and
/// 5-star ratings (1–2 negative, 3 neutral, 4–5 positive) by default; change or add
/// mappings with --label-map. On 2-class data (no gold neutral) macro averages run over
/// the two classes and a model's `neutral` counts as wrong. Bad lines are counted and
/// listed with their line numbers; they do not stop the run.
///
/// Speed: the text stage runs once and is timed on its own (every model reads the same
/// analysed texts); each model's loading is timed apart from its scoring. Peak memory is
/// the process's resident high-water mark (VmHWM), reset before each model where Linux
/// allows, so it includes the analysed data set.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  koe eval --data reviews.jsonl --model lexicon --model linear:my-model
  koe eval --data stars.jsonl --text-field body --label-field stars --json
  koe eval --data tweets.tsv --holdout 0.3 --lang en --threads 1")]
pub struct Args {
    /// A model to score: `lexicon`, `linear:<dir>` or `transformer:<dir-or-id>` (repeat to
    /// compare several).
    #[arg(long = "model", value_name = "MODEL", default_value = "lexicon")]
    models: Vec<String>,

    /// Bootstrap resamples for the intervals, and randomization rounds for the paired
    /// tests (0: neither).
    #[arg(long, default_value_t = Uncertainty::default().resamples, value_name = "N")]
    resamples: usize,

    /// Seed of the resampling (the held-out split has its own, --split-seed).
    #[arg(long, default_value_t = Uncertainty::default().seed, value_name = "N")]
    seed: u64,

    /// Also write each document's answers to FILE (TSV: line, lang, gold, one column per
    /// model), for error analysis and tests of your own.
    #[arg(long, value_name = "FILE")]
    predictions: Option<PathBuf>,

    /// Worker threads (default: one per core); `--threads 1` gives docs/s per core.
    #[arg(long, value_name = "N")]
    threads: Option<usize>,

    /// Print the report as JSON on stdout.
    #[arg(long)]
    json: bool,

    /// No progress bar.
    #[arg(long, short)]
    quiet: bool,

    #[command(flatten)]
    dictionary: DictionaryArgs,

    // Last: it sets the help heading of what follows it.
    #[command(flatten)]
    data: DataArgs,
}

/// The labelled file and how to read and split it; shared with `koe train`.
#[derive(Debug, clap::Args)]
#[command(next_help_heading = "Labelled data")]
pub struct DataArgs {
    /// Labelled file: TSV or CSV with a header row, or JSONL (one object per line).
    #[arg(long, value_name = "FILE")]
    data: PathBuf,

    /// Field (column) holding the text.
    #[arg(long, default_value = "text", value_name = "NAME")]
    text_field: String,

    /// Field (column) holding the gold label.
    #[arg(long, default_value = "label", value_name = "NAME")]
    label_field: String,

    /// Raw label → class pairs, added to the defaults and winning over them, e.g.
    /// 'neg=negative,0=negative,1=positive' or '3=negative'.
    #[arg(long, value_name = "MAP")]
    label_map: Option<String>,

    /// Analyse every text as this language (ja, en); default: detect per text.
    #[arg(long, value_name = "LANG")]
    pub lang: Option<Lang>,

    /// Hold out this fraction of each class (seeded, stratified, over the good lines in
    /// file order): `koe eval` scores only the held-out part, `koe train` trains on the rest.
    #[arg(long, value_name = "FRACTION", value_parser = parse_fraction)]
    pub holdout: Option<f64>,

    /// Seed of the held-out split.
    #[arg(long, default_value_t = 42, value_name = "N")]
    pub split_seed: u64,
}

/// A fraction strictly between 0 and 1 (`--holdout`, `--validation`).
pub fn parse_fraction(raw: &str) -> Result<f64, String> {
    match raw.parse::<f64>() {
        Ok(x) if x > 0.0 && x < 1.0 => Ok(x),
        _ => Err(format!("{raw:?} is not a fraction between 0 and 1")),
    }
}

/// Which part of the file a command uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    HeldOut,
    Rest,
}

impl DataArgs {
    pub fn path(&self) -> &std::path::Path {
        &self.data
    }

    /// Reads the file and keeps `part` of it (all of it without --holdout); returns the
    /// data and a description of the split.
    pub fn read(&self, part: Part) -> anyhow::Result<(LabelledData, String)> {
        let map = match &self.label_map {
            Some(spec) => LabelMap::with_overrides(spec)?,
            None => LabelMap::default(),
        };
        let fields = Fields {
            text: self.text_field.clone(),
            label: self.label_field.clone(),
        };
        let mut data = labelled::read(&self.data, &fields, &map)
            .with_context(|| format!("reading labelled data {}", self.data.display()))?;
        let Some(fraction) = self.holdout else {
            let all = format!("all {} documents", data.docs.len());
            return Ok((data, all));
        };
        let total = data.docs.len();
        let labels: Vec<_> = data.docs.iter().map(|d| d.label).collect();
        let held = stratified_holdout(&labels, fraction, self.split_seed);
        let mut keep = held.iter().map(|&h| h == (part == Part::HeldOut));
        data.docs.retain(|_| keep.next().unwrap_or(false));
        let which = match part {
            Part::HeldOut => "held-out",
            Part::Rest => "training",
        };
        let percent = match part {
            Part::HeldOut => fraction * 100.0,
            Part::Rest => (1.0 - fraction) * 100.0,
        };
        let description = format!(
            "{} of {total} documents: the {which} {percent:.0}% of a stratified split \
             (--holdout {fraction}, --split-seed {})",
            data.docs.len(),
            self.split_seed
        );
        Ok((data, description))
    }
}

/// Everything `koe eval` found; `--json` prints it as is.
#[derive(Debug, Serialize)]
pub struct Report {
    pub koe_version: &'static str,
    pub data: String,
    pub split: String,
    pub docs: usize,
    pub by_label: std::collections::BTreeMap<koe::Label, u64>,
    pub raw_labels: std::collections::BTreeMap<String, labelled::RawLabel>,
    /// Lines that gave no document (unreadable or unanalysable), with the reason.
    pub bad_lines: Vec<BadLine>,
    pub threads: usize,
    /// The text stage, once for all models.
    pub analysis_s: f64,
    pub analysis_docs_per_s: f64,
    pub models: Vec<ModelReport>,
    /// Every pair of models, on the same rows (empty with --resamples 0).
    pub comparisons: Vec<Comparison>,
    pub notes: Vec<&'static str>,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    use_threads(args.threads)?;
    let (data, split) = args.data.read(Part::HeldOut)?;
    anyhow::ensure!(
        !data.docs.is_empty(),
        "{} holds no usable labelled line ({} bad lines)",
        args.data.data.display(),
        data.bad_lines.len()
    );
    let analyzer = args.dictionary.load_analyzer()?;
    let n = data.docs.len() as u64;
    let bar = progress_bar(n * (1 + args.models.len() as u64), args.quiet || args.json);
    bar.set_message("text stage");
    let set = eval::analyse(&analyzer, &data.docs, args.data.lang, &|k| bar.inc(k));
    let uncertainty = Uncertainty {
        resamples: args.resamples,
        seed: args.seed,
    };
    let mut models = Vec::new();
    for spec in &args.models {
        bar.set_message(spec.clone());
        let spec = super::model_spec(spec)?;
        models.push(eval::evaluate(&spec, &set, uncertainty, &|k| bar.inc(k))?);
    }
    if let Some(path) = &args.predictions {
        write_predictions(path, &set, &models)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    bar.set_message("comparing");
    let comparisons = eval::compare_all(&models, &set, uncertainty);
    bar.finish_and_clear();
    let mut bad_lines = data.bad_lines.clone();
    bad_lines.extend(set.failed.iter().cloned());
    bad_lines.sort_by_key(|b| b.line);
    let mut by_label = std::collections::BTreeMap::new();
    for &label in &set.gold {
        *by_label.entry(label).or_insert(0) += 1;
    }
    let mut notes = vec![
        "macro averages run over the classes present in the gold labels",
        "intervals: 95% percentile bootstrap over the rows; comparisons: difference a - b, \
         paired bootstrap interval, two-sided approximate-randomization p-value, McNemar's exact test",
        "peak_kib is the process's resident high-water mark (VmHWM) while the model loaded \
         and scored; reset before each model when memory.reset is true, else the run's peak so far",
    ];
    if !by_label.contains_key(&koe::Label::Neutral) {
        notes.push("no gold neutral: a model's neutral answers count as wrong");
    }
    let report = Report {
        koe_version: env!("CARGO_PKG_VERSION"),
        data: data.path.clone(),
        split,
        docs: set.docs.len(),
        by_label,
        raw_labels: data.raw_labels.clone(),
        bad_lines,
        threads: rayon::current_num_threads(),
        analysis_s: set.analysis_s,
        analysis_docs_per_s: set.docs.len() as f64 / set.analysis_s.max(1e-9),
        models,
        comparisons,
        notes,
    };
    if args.json {
        print_json(&report)
    } else {
        emit(&render::table(&report))
    }
}

/// One row per document: its line, language, gold label and every model's answer.
fn write_predictions(
    path: &std::path::Path,
    set: &eval::AnalysedSet,
    models: &[ModelReport],
) -> std::io::Result<()> {
    use std::io::Write;
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    write!(out, "line\tlang\tgold")?;
    for m in models {
        write!(out, "\t{}", m.spec.replace(['\t', '\n'], " "))?;
    }
    writeln!(out)?;
    for (i, doc) in set.docs.iter().enumerate() {
        write!(out, "{}\t{}\t{}", set.lines[i], doc.lang, set.gold[i])?;
        for m in models {
            write!(out, "\t{}", m.predicted[i])?;
        }
        writeln!(out)?;
    }
    out.flush()
}

fn progress_bar(total: u64, quiet: bool) -> ProgressBar {
    if quiet || !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg:24} {wide_bar} {pos}/{len} · ETA {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    bar
}
