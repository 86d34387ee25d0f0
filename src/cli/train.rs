//! `koe train sentiment`: fit the linear sentiment backend on a labelled file, or
//! fine-tune a transformer (`--base transformer:<dir>`, [`finetune`]).

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

#[cfg(feature = "transformer")]
mod finetune;

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

/// Train a sentiment model on a labelled file: the linear backend (`--sentiment
/// linear:<dir>`), or a fine-tuned transformer (`--sentiment transformer:<dir>`).
///
/// Linear (the default): multinomial logistic regression over hashed word unigrams and
/// bigrams (koe's lemmas), character 2–4-grams and the lexicon backend's scores, fitted by
/// SGD with an L2 penalty, keeping the mean of the second half's end-of-epoch weights
/// (--no-averaging: the last); the same data, options and --seed give the same weights.
/// Writes OUT/model.json (format koe-linear/1: labels, hyper-parameters, features,
/// provenance) and OUT/weights.bin.
///
/// Fine-tuning (`--base transformer:<dir>`, a BERT-architecture encoder in the Hugging
/// Face layout, e.g. all-MiniLM-L6-v2; needs a koe built with `--features transformer`):
/// the encoder plus a classification head, trained with AdamW, a linear warm-up and decay,
/// class weights, and early stopping on the macro-recall of a --validation part (default
/// 10% of the training part). Writes a Hugging Face folder — config.json with id2label,
/// tokenizer files, model.safetensors, training.json — that `--sentiment transformer:OUT`,
/// `koe eval --model transformer:OUT` and Python `transformers` load. Without a GPU keep
/// it short: at --max-length 128 an epoch of all-MiniLM-L6-v2 costs about 4.5 CPU-seconds
/// per 16 tweets, a few minutes per thousand tweets on two idle cores.
///
/// With --holdout it trains on the rest of a stratified split, the part `koe eval
/// --holdout` (same fraction and seed) leaves out.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  koe train sentiment --data tweets.tsv --holdout 0.3 --lang en --out my-model
  koe train sentiment --data tweets.tsv --holdout 0.3 --validation 0.2 --l2 1e-3 --out tune
  koe train sentiment --base transformer:target/models/all-minilm-l6-v2 \\
      --data tweets.tsv --holdout 0.3 --lang en --epochs 3 --out tweets-minilm
  koe eval --data tweets.tsv --holdout 0.3 --model lexicon --model transformer:tweets-minilm")]
struct SentimentArgs {
    /// Folder to write the model into (created; files of the same names are replaced).
    #[arg(long, short, value_name = "DIR")]
    out: PathBuf,

    /// What to train: `linear`, or `transformer:<dir>` to fine-tune that encoder.
    #[arg(long, default_value = "linear", value_name = "BASE")]
    base: Base,

    /// Passes over the training data [default: 15 (linear), 4 (transformer, the most:
    /// early stopping may end sooner)].
    #[arg(long, value_name = "N")]
    epochs: Option<u32>,

    /// Seed of the example order (and of a transformer head's initialisation and
    /// dropout); the split has its own, --split-seed.
    #[arg(long, default_value_t = HyperParameters::default().seed, value_name = "N")]
    seed: u64,

    /// First step size [default: 0.5 (linear SGD's η₀, which decays as η₀ / (1 + η₀ λ
    /// t)), 1e-4 (transformer: AdamW's peak, after the warm-up)].
    #[arg(long, value_name = "η")]
    learning_rate: Option<f64>,

    /// Class weights: `balanced` (each class weighs the same in total, which suits the
    /// macro-averaged figures on skewed data) or `none` (every example weighs 1).
    #[arg(long, default_value = "balanced", value_name = "HOW")]
    class_weight: ClassWeight,

    /// Linear: the L2 penalty λ per example, or `auto`: each of 1e-5, 3e-5, 1e-4, 3e-4,
    /// 1e-3 and 3e-3 is fitted on a stratified 80% of the training data and scored on the
    /// other 20%, and the best by macro-recall (on a tie the larger) is fitted on all of it.
    /// [default: auto]
    #[arg(long, value_name = "λ")]
    l2: Option<Penalty>,

    /// Linear: hash buckets as a power of two (weights: 2^N × labels f32, zeros not
    /// stored). [default: 18]
    #[arg(long, value_name = "N")]
    buckets_log2: Option<u32>,

    /// Linear: leave out the lexicon's scores as features (n-grams only).
    #[arg(long)]
    no_lexicon_features: bool,

    /// Linear: keep SGD's last weights instead of the mean of the second half's
    /// end-of-epoch weights (the default, which steadies the last noisy steps).
    #[arg(long)]
    no_averaging: bool,

    /// Transformer: tokens per text, special tokens included; longer texts are truncated,
    /// in training and when the model scores. [default: 128]
    #[arg(long, value_name = "N")]
    max_length: Option<usize>,

    /// Transformer: texts per optimizer step. [default: 16]
    #[arg(long, value_name = "N")]
    batch_size: Option<usize>,

    /// Transformer: the fraction of all steps over which the step size rises from zero
    /// to --learning-rate (then it falls linearly to zero). [default: 0.1]
    #[arg(long, value_name = "FRACTION")]
    warmup: Option<f64>,

    /// Transformer: AdamW's weight decay. [default: 0.01]
    #[arg(long, value_name = "X")]
    weight_decay: Option<f64>,

    /// Transformer: stop after this many epochs without a better validation macro-recall
    /// (0: never); the best epoch's weights are the ones saved. [default: 2]
    #[arg(long, value_name = "N")]
    patience: Option<u32>,

    /// Hold out this fraction of the training part (stratified, seed --split-seed + 1),
    /// train on the rest and report figures on it: for choosing hyper-parameters without
    /// touching the --holdout part. A transformer stops early on it [default: 0.1 for a
    /// transformer, none for linear].
    #[arg(long, value_name = "FRACTION", value_parser = parse_fraction)]
    validation: Option<f64>,

    /// Train on a stratified random N documents of the training part (seed --split-seed +
    /// 2, drawn after the --validation part is set aside): a cheaper fine-tuning run whose
    /// --holdout and validation documents stay the same as a full run's. The provenance
    /// says so.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    train_sample: Option<u64>,

    /// Words on where the data came from, added to model.json's provenance.
    #[arg(long, value_name = "TEXT")]
    provenance: Option<String>,

    /// Worker threads for the text stage and libtorch (linear training itself runs on
    /// one).
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

/// `--base`: the linear backend, or an encoder to fine-tune.
#[derive(Debug, Clone, PartialEq)]
enum Base {
    Linear,
    Transformer(String),
}

impl std::str::FromStr for Base {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.split_once(':') {
            _ if s == "linear" => Ok(Base::Linear),
            Some(("transformer", dir)) if !dir.is_empty() => Ok(Base::Transformer(dir.into())),
            _ => Err(format!(
                "{s:?} is neither `linear` nor `transformer:<encoder dir>`"
            )),
        }
    }
}

pub fn run(args: Args) -> anyhow::Result<()> {
    match args.what {
        What::Sentiment(args) => sentiment(args),
    }
}

fn sentiment(args: SentimentArgs) -> anyhow::Result<()> {
    let linear_only = [
        ("--l2", args.l2.is_some()),
        ("--buckets-log2", args.buckets_log2.is_some()),
        ("--no-lexicon-features", args.no_lexicon_features),
        ("--no-averaging", args.no_averaging),
    ];
    let transformer_only = [
        ("--max-length", args.max_length.is_some()),
        ("--batch-size", args.batch_size.is_some()),
        ("--warmup", args.warmup.is_some()),
        ("--weight-decay", args.weight_decay.is_some()),
        ("--patience", args.patience.is_some()),
    ];
    let (misplaced, base): (&[(&str, bool)], _) = match &args.base {
        Base::Linear => (&transformer_only, "linear"),
        Base::Transformer(_) => (&linear_only, "transformer"),
    };
    if let Some((flag, _)) = misplaced.iter().find(|(_, given)| *given) {
        anyhow::bail!("{flag} does not apply to --base {base}");
    }
    use_threads(args.threads)?;
    match args.base.clone() {
        Base::Linear => linear(args),
        #[cfg(feature = "transformer")]
        Base::Transformer(dir) => finetune::run(args, &dir),
        #[cfg(not(feature = "transformer"))]
        Base::Transformer(dir) => {
            Err(sentiment::Error::TransformerNotBuilt(format!("transformer:{dir}")).into())
        }
    }
}

/// The training part of the file, less a validation part, analysed; and where it came
/// from, in words.
struct TrainingData {
    train: eval::AnalysedSet,
    validation: Option<eval::AnalysedSet>,
    provenance: String,
}

impl TrainingData {
    fn read(args: &SentimentArgs, validation: Option<f64>) -> anyhow::Result<TrainingData> {
        let (data, split) = args.data.read(Part::Rest)?;
        let mut docs: Vec<LabelledDoc> = data.docs;
        let mut validation_docs = None;
        let mut split_words = split;
        if let Some(fraction) = validation {
            let labels: Vec<_> = docs.iter().map(|d| d.label).collect();
            let held = train::stratified_holdout(&labels, fraction, args.data.split_seed + 1);
            let (v, t): (Vec<_>, Vec<_>) = docs.into_iter().zip(held).partition(|(_, h)| *h);
            validation_docs = Some(v.into_iter().map(|(d, _)| d).collect::<Vec<_>>());
            docs = t.into_iter().map(|(d, _)| d).collect();
            split_words.push_str(&format!(
                ", less a validation {:.0}% (seed {}): {} documents",
                fraction * 100.0,
                args.data.split_seed + 1,
                docs.len()
            ));
        }
        if let Some(n) = args.train_sample.map(|n| n as usize)
            && n < docs.len()
        {
            let labels: Vec<_> = docs.iter().map(|d| d.label).collect();
            let seed = args.data.split_seed + 2;
            let kept = train::stratified_holdout(&labels, n as f64 / docs.len() as f64, seed);
            docs = docs
                .into_iter()
                .zip(kept)
                .filter(|(_, k)| *k)
                .map(|(d, _)| d)
                .collect();
            split_words.push_str(&format!(
                ", subsampled (--train-sample {n}, stratified, seed {seed}): {} documents",
                docs.len()
            ));
        }
        let analyzer = args.dictionary.load_analyzer()?;
        let train = eval::analyse(&analyzer, &docs, args.data.lang, &|_| {});
        let validation =
            validation_docs.map(|docs| eval::analyse(&analyzer, &docs, args.data.lang, &|_| {}));
        let digest = koe::pipeline::hash_file(args.data.path())?;
        let file_name = args.data.path().file_name().map_or_else(
            || args.data.path().display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        let mut provenance = format!(
            "{file_name} (blake3 {}; {} bad lines): {split_words}",
            digest,
            data.summary.bad_lines.len() + train.failed.len()
        );
        if let Some(note) = &args.provenance {
            provenance = format!("{note}. {provenance}");
        }
        Ok(TrainingData {
            train,
            validation,
            provenance,
        })
    }
}

/// Figures on the --validation part, the lexicon backend's beside the new model's.
#[derive(Debug, Serialize)]
struct Validation {
    docs: usize,
    metrics: Metrics,
    lexicon: Metrics,
}

impl Validation {
    /// `model` and the lexicon on `held`.
    fn score(model: &dyn SentimentModel, held: &eval::AnalysedSet) -> anyhow::Result<Self> {
        let metrics = |model: &dyn SentimentModel| -> anyhow::Result<Metrics> {
            let predicted = eval::predict(model, &held.docs, &|_| {})?;
            Ok(Metrics::from(&Confusion::from_pairs(
                held.gold.iter().copied().zip(predicted),
            )))
        };
        Ok(Validation {
            docs: held.docs.len(),
            metrics: metrics(model)?,
            lexicon: metrics(sentiment::from_spec("lexicon")?.as_ref())?,
        })
    }

    /// Two lines of a training summary: the new model and the lexicon on the same docs.
    fn render(&self, text: &mut String) {
        let _ = writeln!(
            text,
            "  validation {} docs: accuracy {:.3} · macro-F1 {:.3} · macro-recall {:.3}",
            self.docs, self.metrics.accuracy, self.metrics.macro_f1, self.metrics.macro_recall
        );
        let _ = writeln!(
            text,
            "  (lexicon)  same docs:  accuracy {:.3} · macro-F1 {:.3} · macro-recall {:.3}",
            self.lexicon.accuracy, self.lexicon.macro_f1, self.lexicon.macro_recall
        );
    }
}

fn linear(args: SentimentArgs) -> anyhow::Result<()> {
    let data = TrainingData::read(&args, args.validation)?;
    let set = &data.train;
    let defaults = HyperParameters::default();
    let l2 = args.l2.unwrap_or(Penalty::Auto);
    let run = TrainingRun {
        docs: &set.docs,
        labels: &set.gold,
        hyper: HyperParameters {
            epochs: args.epochs.unwrap_or(defaults.epochs),
            l2: match l2 {
                Penalty::Fixed(l2) => l2,
                Penalty::Auto => defaults.l2,
            },
            learning_rate: args
                .learning_rate
                .map_or(defaults.learning_rate, |x| x as f32),
            class_weight: args.class_weight,
            seed: args.seed,
            average: !args.no_averaging,
        },
        features: FeatureConfig {
            buckets_log2: args
                .buckets_log2
                .unwrap_or(FeatureConfig::default().buckets_log2),
            lexicon: !args.no_lexicon_features,
            ..FeatureConfig::default()
        },
        lang: args.data.lang,
        provenance: data.provenance.clone(),
        l2_grid: if l2 == Penalty::Auto {
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
    let validation = match &data.validation {
        Some(held) => Some(Validation::score(&model, held)?),
        None => None,
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
        v.render(&mut text);
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
