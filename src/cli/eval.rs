//! `koe eval`: score sentiment models on a labelled file and print them side by side.

use std::path::PathBuf;

use anyhow::Context;

use koe::Lang;
use koe::eval::labelled::{self, Fields, LabelMap, LabelledData, LabelledFile};
use koe::eval::{self, GoldRows, ModelReport, Report, Uncertainty};
use koe::sentiment::train::stratified_holdout;
use koe::sentiment::{Label, ModelSpec};

use super::output::{emit, print_json, progress_bar};
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
/// The file is streamed, never held: a first pass reads the gold labels, a second runs
/// the text stage (timed on its own), and each model then reads the file again and sends
/// the texts through the text stage and the model batch by batch; memory keeps a few
/// bytes per document, so it does not grow with the data set. A model's scoring time is
/// its share of its pass; loading is timed apart. Peak memory is the process's resident high-water
/// mark (VmHWM), reset before each model where Linux allows.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  koe eval --data reviews.jsonl --model lexicon --model linear:my-model
  koe eval --data stars.jsonl --text-field body --label-field stars --json
  koe eval --data tweets.tsv --holdout 0.3 --lang en --threads 1")]
pub struct Args {
    /// A model to score: `lexicon`, `linear:<dir>` or `transformer:<dir-or-id>` (repeat to
    /// compare several).
    #[arg(long = "model", value_name = "MODEL", default_value = "lexicon")]
    models: Vec<ModelSpec>,

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

    /// The labelled file and the reading of its labels.
    pub fn source(&self) -> anyhow::Result<(LabelledFile, LabelMap)> {
        let map = match &self.label_map {
            Some(spec) => LabelMap::with_overrides(spec)?,
            None => LabelMap::default(),
        };
        let fields = Fields {
            text: self.text_field.clone(),
            label: self.label_field.clone(),
        };
        Ok((LabelledFile::new(&self.data, fields)?, map))
    }

    /// Reads the file and keeps `part` of it (all of it without --holdout); returns the
    /// data and a description of the split.
    pub fn read(&self, part: Part) -> anyhow::Result<(LabelledData, String)> {
        let (file, map) = self.source()?;
        let mut data = labelled::read(&file, &map).with_context(|| self.reading())?;
        let labels: Vec<Label> = data.docs.iter().map(|d| d.label).collect();
        let (keep, description) = self.split(&labels, part);
        let mut keep = keep.into_iter();
        data.docs.retain(|_| keep.next().unwrap_or(false));
        Ok((data, description))
    }

    fn reading(&self) -> String {
        format!("reading labelled data {}", self.data.display())
    }

    /// Which of the documents labelled `labels` (in file order) `part` keeps, and a
    /// description of the split.
    fn split(&self, labels: &[Label], part: Part) -> (Vec<bool>, String) {
        let total = labels.len();
        let Some(fraction) = self.holdout else {
            return (vec![true; total], format!("all {total} documents"));
        };
        let keep: Vec<bool> = stratified_holdout(labels, fraction, self.split_seed)
            .into_iter()
            .map(|held| held == (part == Part::HeldOut))
            .collect();
        let (which, percent) = match part {
            Part::HeldOut => ("held-out", fraction * 100.0),
            Part::Rest => ("training", (1.0 - fraction) * 100.0),
        };
        let description = format!(
            "{} of {total} documents: the {which} {percent:.0}% of a stratified split \
             (--holdout {fraction}, --split-seed {})",
            keep.iter().filter(|&&k| k).count(),
            self.split_seed
        );
        (keep, description)
    }
}

pub fn run(args: Args) -> anyhow::Result<()> {
    use_threads(args.threads)?;
    let (file, map) = args.data.source()?;
    let (mut rows, summary) = GoldRows::read(&file, &map).with_context(|| args.data.reading())?;
    let (keep, split) = args.data.split(&rows.gold, Part::HeldOut);
    rows.retain(&keep);
    anyhow::ensure!(
        !rows.is_empty(),
        "{} holds no usable labelled line ({} bad lines)",
        args.data.data.display(),
        summary.bad_lines.len()
    );
    let analyzer = args.dictionary.load_analyzer()?;
    let n = rows.len() as u64;
    let bar = progress_bar(n * (1 + args.models.len() as u64), args.quiet || args.json);
    bar.set_message("text stage");
    let set = eval::read_gold(&analyzer, &file, &map, rows, args.data.lang, &|k| {
        bar.inc(k)
    })
    .with_context(|| args.data.reading())?;
    let uncertainty = Uncertainty {
        resamples: args.resamples,
        seed: args.seed,
    };
    let mut models = Vec::new();
    for spec in &args.models {
        bar.set_message(spec.to_string());
        let spec = spec.clone().resolve()?;
        models.push(eval::evaluate(&spec, &analyzer, &set, uncertainty, &|k| {
            bar.inc(k)
        })?);
    }
    if let Some(path) = &args.predictions {
        write_predictions(path, &set, &models)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    bar.set_message("comparing");
    let comparisons = eval::compare_all(&models, &set, uncertainty);
    bar.finish_and_clear();
    let report = Report::new(&summary, split, &set, models, comparisons);
    if args.json {
        print_json(&report)
    } else {
        emit(&render::table(&report))
    }
}

/// One row per document: its line, language, gold label and every model's answer.
fn write_predictions(
    path: &std::path::Path,
    set: &eval::GoldSet,
    models: &[ModelReport],
) -> std::io::Result<()> {
    use std::io::Write;
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    write!(out, "line\tlang\tgold")?;
    for m in models {
        write!(out, "\t{}", m.spec.replace(['\t', '\n'], " "))?;
    }
    writeln!(out)?;
    for (i, lang) in set.langs.iter().enumerate() {
        write!(out, "{}\t{}\t{}", set.lines[i], lang, set.gold[i])?;
        for m in models {
            write!(out, "\t{}", m.predicted[i])?;
        }
        writeln!(out)?;
    }
    out.flush()
}
