//! `koe train sentiment`: fit the linear sentiment backend on a labelled file.

use std::fmt::Write;
use std::path::PathBuf;

use anyhow::Context;
use clap::Subcommand;
use serde::Serialize;

use koe::eval::metrics::{Confusion, Metrics};
use koe::eval::{self, labelled::LabelledDoc};
use koe::sentiment::linear::features::FeatureConfig;
use koe::sentiment::train::{self, ClassWeight, HyperParameters, TrainingRun};
use koe::sentiment::{self, SentimentModel};

use super::eval::{DataArgs, Part, parse_fraction};
use super::output::{emit, print_json};
use super::{DictionaryArgs, use_threads};

/// Train a model.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    what: What,
}

#[derive(Debug, Subcommand)]
enum What {
    Sentiment(SentimentArgs),
}

/// Train the linear sentiment backend (`--sentiment linear:<dir>`).
///
/// Multinomial logistic regression over hashed word unigrams and bigrams (koe's lemmas),
/// character 2–4-grams and the lexicon backend's scores, fitted by SGD with an L2
/// penalty; the same data, options and --seed give the same weights. Writes
/// OUT/model.json (format koe-linear/1: labels, hyper-parameters, features, provenance)
/// and OUT/weights.bin. With --holdout it trains on the rest of a stratified split, the
/// part `koe eval --holdout` (same fraction and seed) leaves out.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  koe train sentiment --data tweets.tsv --holdout 0.3 --lang en --out my-model
  koe train sentiment --data tweets.tsv --holdout 0.3 --validation 0.2 --l2 1e-3 --out tune")]
struct SentimentArgs {
    /// Folder to write model.json and weights.bin into.
    #[arg(long, short, value_name = "DIR")]
    out: PathBuf,

    /// Passes over the training data.
    #[arg(long, default_value_t = HyperParameters::default().epochs, value_name = "N")]
    epochs: u32,

    /// Seed of the example order (the split has its own, --split-seed).
    #[arg(long, default_value_t = HyperParameters::default().seed, value_name = "N")]
    seed: u64,

    /// L2 penalty λ per example, or `auto`: each of 1e-5, 3e-5, 1e-4, 3e-4, 1e-3 and 3e-3
    /// is fitted on a stratified 80% of the training data and scored on the other 20%,
    /// and the best by macro-recall (on a tie the larger) is fitted on all of it.
    #[arg(long, default_value = "auto", value_name = "λ")]
    l2: Penalty,

    /// First SGD step size η₀ (decays as η₀ / (1 + η₀ λ t)).
    #[arg(long, default_value_t = HyperParameters::default().learning_rate, value_name = "η")]
    learning_rate: f32,

    /// Class weights: `balanced` (each class weighs the same in total, which suits the
    /// macro-averaged figures on skewed data) or `none` (every example weighs 1).
    #[arg(long, default_value = "balanced", value_name = "HOW")]
    class_weight: ClassWeight,

    /// Hash buckets as a power of two (weights: 2^N × labels f32, zeros not stored).
    #[arg(long, default_value_t = FeatureConfig::default().buckets_log2, value_name = "N")]
    buckets_log2: u32,

    /// Leave out the lexicon's scores as features (n-grams only).
    #[arg(long)]
    no_lexicon_features: bool,

    /// Hold out this fraction of the training part (stratified, seed --split-seed + 1),
    /// train on the rest and report figures on it: for choosing hyper-parameters without
    /// touching the --holdout part.
    #[arg(long, value_name = "FRACTION", value_parser = parse_fraction)]
    validation: Option<f64>,

    /// Words on where the data came from, added to model.json's provenance.
    #[arg(long, value_name = "TEXT")]
    provenance: Option<String>,

    /// Worker threads for the text stage (training itself runs on one).
    #[arg(long, value_name = "N")]
    threads: Option<usize>,

    /// Print the model card as JSON on stdout.
    #[arg(long)]
    json: bool,

    #[command(flatten)]
    data: DataArgs,

    #[command(flatten)]
    dictionary: DictionaryArgs,
}

/// `--l2`: a number, or `auto` (chosen on a validation part).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Penalty {
    Auto,
    Fixed(f32),
}

impl std::str::FromStr for Penalty {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s == "auto" {
            return Ok(Penalty::Auto);
        }
        match s.parse::<f32>() {
            Ok(x) if x >= 0.0 && x.is_finite() => Ok(Penalty::Fixed(x)),
            _ => Err(format!("{s:?} is neither `auto` nor a penalty ≥ 0")),
        }
    }
}

pub fn run(args: Args) -> anyhow::Result<()> {
    match args.what {
        What::Sentiment(args) => sentiment(args),
    }
}

/// Figures on the --validation part, the lexicon backend's beside the new model's.
#[derive(Debug, Serialize)]
struct Validation {
    docs: usize,
    metrics: Metrics,
    lexicon: Metrics,
}

fn sentiment(args: SentimentArgs) -> anyhow::Result<()> {
    use_threads(args.threads)?;
    let (data, split) = args.data.read(Part::Rest)?;
    let mut docs: Vec<LabelledDoc> = data.docs;
    let mut validation_docs = Vec::new();
    let mut split_words = split;
    if let Some(fraction) = args.validation {
        let labels: Vec<_> = docs.iter().map(|d| d.label).collect();
        let held = train::stratified_holdout(&labels, fraction, args.data.split_seed + 1);
        let (v, t): (Vec<_>, Vec<_>) = docs.into_iter().zip(held).partition(|(_, h)| *h);
        validation_docs = v.into_iter().map(|(d, _)| d).collect();
        docs = t.into_iter().map(|(d, _)| d).collect();
        split_words.push_str(&format!(
            ", less a validation {:.0}% (seed {}): {} documents",
            fraction * 100.0,
            args.data.split_seed + 1,
            docs.len()
        ));
    }
    let analyzer = args.dictionary.load_analyzer()?;
    let set = eval::analyse(&analyzer, &docs, args.data.lang, &|_| {});
    let bytes = std::fs::read(args.data.path())
        .with_context(|| format!("reading {}", args.data.path().display()))?;
    let file_name = args.data.path().file_name().map_or_else(
        || args.data.path().display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let mut provenance = format!(
        "{file_name} (blake3 {}; {} bad lines): {split_words}",
        blake3::hash(&bytes).to_hex(),
        data.bad_lines.len() + set.failed.len()
    );
    if let Some(note) = &args.provenance {
        provenance = format!("{note}. {provenance}");
    }
    let run = TrainingRun {
        docs: &set.docs,
        labels: &set.gold,
        hyper: HyperParameters {
            epochs: args.epochs,
            l2: match args.l2 {
                Penalty::Fixed(l2) => l2,
                Penalty::Auto => HyperParameters::default().l2,
            },
            learning_rate: args.learning_rate,
            class_weight: args.class_weight,
            seed: args.seed,
        },
        features: FeatureConfig {
            buckets_log2: args.buckets_log2,
            lexicon: !args.no_lexicon_features,
            ..FeatureConfig::default()
        },
        lang: args.data.lang,
        provenance,
        l2_grid: if args.l2 == Penalty::Auto {
            &train::L2_GRID
        } else {
            &[]
        },
    };
    let mut losses = Vec::new();
    let model = train::train(run, &mut |_, loss| losses.push(loss))?;
    let card = model
        .save(&args.out)
        .with_context(|| format!("saving the model in {}", args.out.display()))?;
    let validation = if validation_docs.is_empty() {
        None
    } else {
        let held = eval::analyse(&analyzer, &validation_docs, args.data.lang, &|_| {});
        let metrics = |model: &dyn SentimentModel| -> anyhow::Result<Metrics> {
            let predicted = eval::predict(model, &held.docs, &|_| {})?;
            Ok(Metrics::from(&Confusion::from_pairs(
                held.gold.iter().copied().zip(predicted),
            )))
        };
        Some(Validation {
            docs: held.docs.len(),
            metrics: metrics(&model)?,
            lexicon: metrics(sentiment::from_spec("lexicon")?.as_ref())?,
        })
    };
    if args.json {
        #[derive(Serialize)]
        struct Output<'a> {
            card: &'a koe::sentiment::linear::format::ModelCard,
            losses: &'a [f64],
            validation: Option<Validation>,
        }
        return print_json(&Output {
            card: &card,
            losses: &losses,
            validation,
        });
    }
    let mut text = String::new();
    let _ = writeln!(
        text,
        "koe train sentiment: {} documents ({}), {} epochs",
        card.training.docs,
        card.training
            .by_label
            .iter()
            .map(|(l, n)| format!("{l} {n}"))
            .collect::<Vec<_>>()
            .join(" · "),
        losses.len()
    );
    let curve: Vec<String> = losses.iter().map(|l| format!("{l:.3}")).collect();
    let _ = writeln!(text, "  loss       {}", curve.join(" "));
    let _ = writeln!(
        text,
        "  training   accuracy {:.3}",
        card.training.train_accuracy
    );
    if !card.training.l2_search.is_empty() {
        let trials: Vec<String> = card
            .training
            .l2_search
            .iter()
            .map(|t| format!("{:e} {:.3}", t.l2, t.macro_recall))
            .collect();
        let _ = writeln!(
            text,
            "  l2 auto    λ = {:e} (validation macro-recall: {})",
            card.hyper_parameters.l2,
            trials.join(" · ")
        );
    }
    if let Some(v) = &validation {
        let _ = writeln!(
            text,
            "  validation {} docs: accuracy {:.3} · macro-F1 {:.3} · macro-recall {:.3}",
            v.docs, v.metrics.accuracy, v.metrics.macro_f1, v.metrics.macro_recall
        );
        let _ = writeln!(
            text,
            "  (lexicon)  same docs:  accuracy {:.3} · macro-F1 {:.3} · macro-recall {:.3}",
            v.lexicon.accuracy, v.lexicon.macro_f1, v.lexicon.macro_recall
        );
    }
    let _ = writeln!(
        text,
        "  weights    {} of {} rows stored → {}",
        card.weights.stored_rows,
        card.weights.rows,
        args.out.join("weights.bin").display()
    );
    let _ = writeln!(
        text,
        "  model      {}",
        args.out.join("model.json").display()
    );
    let _ = writeln!(text, "  provenance {}", card.training.provenance);
    emit(&text)
}
