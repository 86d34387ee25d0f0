//! `--sentiment auto`: per language, a linear model trained on the dump's own star
//! ratings where there are enough of them, kept only where it beats the lexicon on rated
//! records it never saw.
//!
//! For each language, ratings become labels (1–2 negative, 3 neutral, 4–5 positive;
//! [`Label::from_rating`]). A class takes part in training when it has at least
//! [`AutoOptions::min_per_class`] rated records; with fewer than two such classes the
//! language keeps the lexicon ("too few ratings"). Otherwise a stratified
//! [`AutoOptions::holdout`] share of the rated records (every class, used for training or
//! not) is set aside, a linear model is trained on the rest (class-balanced, the
//! lexicon's scores among its features), and both models score the held-out records: the
//! one with the higher macro-averaged recall is used for every record of that language,
//! rated or not (a tie keeps the lexicon). A class too small to train still counts in the
//! held-out figure, so a model that cannot say `neutral` pays for it where customers do
//! give three stars. The held-out figure is honest: the model that is used is the one
//! that was scored, trained without those records.
//!
//! NPS answers are **not** used as labels: NPS measures loyalty, not the sentiment of the
//! text (a detractor's comment is often neutral, a loyal customer's often a complaint),
//! and the pain-point ranking weighs topics by NPS, which labels learnt from NPS would
//! echo. What NPS would have been worth as a label is measured instead, on every run:
//! [`NpsAgreement`] counts, over records with both answers, how NPS classes (detractor
//! 0–6, passive 7–8, promoter 9–10) line up with the rating classes.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::lang::Lang;
use crate::polarity::metrics::{Confusion, Metrics};
use crate::sentiment::lexicon::LexiconModel;
use crate::sentiment::linear::LinearModel;
use crate::sentiment::linear::features::FeatureConfig;
use crate::sentiment::predict;
use crate::sentiment::train::{self, HyperParameters, TrainingRun, stratified_holdout};
use crate::sentiment::{Label, SentimentModel};
use crate::text::AnalysedText;

/// When `auto` trains and how it tests.
#[derive(Debug, Clone, PartialEq)]
pub struct AutoOptions {
    /// Rated records a class needs (per language) to take part in training.
    pub min_per_class: usize,
    /// Share of each class's rated records held out to compare the two models.
    pub holdout: f64,
    /// At most this many rated records (a seeded uniform sample of all of them) are
    /// analysed to train and test, so memory stays bounded on any dump.
    pub max_examples: usize,
    pub seed: u64,
}

impl Default for AutoOptions {
    fn default() -> Self {
        AutoOptions {
            min_per_class: 300,
            holdout: 0.25,
            max_examples: 20_000,
            seed: 42,
        }
    }
}

/// A rated record after the text stage.
pub struct Example {
    pub text: AnalysedText,
    pub label: Label,
}

/// Which model a language uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Chosen {
    Lexicon,
    Linear,
}

/// Both models on the held-out rated records of one language.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HeldOut {
    pub docs: u64,
    pub lexicon: Metrics,
    pub linear: Metrics,
}

/// What `auto` decided for one language, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LanguageChoice {
    pub lang: Lang,
    pub model: Chosen,
    /// The reason, in words.
    pub reason: String,
    /// Rated records of this language among those analysed, by class.
    pub rated: BTreeMap<Label, u64>,
    /// The classes the linear model was trained on.
    pub classes: Vec<Label>,
    /// Records the linear model was trained on.
    pub trained_on: u64,
    /// Absent when no model was trained.
    pub held_out: Option<HeldOut>,
}

/// Everything `auto` decided, for the run summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AutoChoice {
    pub min_per_class: usize,
    pub holdout: f64,
    /// Rated records in the dump, and how many of them were analysed (a sample when more
    /// than `max_examples`).
    pub rated_records: u64,
    pub rated_analysed: u64,
    pub languages: Vec<LanguageChoice>,
    /// How NPS answers line up with ratings (NPS is not used as a label).
    pub nps_agreement: NpsAgreement,
}

impl AutoChoice {
    /// One phrase: `auto (ja: linear, en: lexicon)`.
    pub fn describe(&self) -> String {
        let parts: Vec<String> = self
            .languages
            .iter()
            .map(|l| {
                let which = match l.model {
                    Chosen::Lexicon => "lexicon",
                    Chosen::Linear => "linear",
                };
                format!("{}: {which}", l.lang)
            })
            .collect();
        format!("auto ({})", parts.join(", "))
    }
}

/// NPS class against rating class, over records that carry both.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct NpsAgreement {
    pub records: u64,
    /// Share where detractor ↔ negative, passive ↔ neutral, promoter ↔ positive.
    pub agreement: Option<f64>,
    /// `counts[nps class][rating class]`, NPS classes detractor, passive, promoter and
    /// rating classes negative, neutral, positive.
    pub counts: [[u64; 3]; 3],
}

impl NpsAgreement {
    pub fn add(&mut self, nps: u8, rating: u8) {
        let Some(label) = Label::from_rating(rating) else {
            return;
        };
        let row = match nps {
            0..=6 => 0,
            7 | 8 => 1,
            _ => 2,
        };
        self.counts[row][label as usize] += 1;
        self.records += 1;
        let agreeing: u64 = (0..3).map(|k| self.counts[k][k]).sum();
        self.agreement = Some(agreeing as f64 / self.records as f64);
    }
}

/// Errors of `auto`: training or scoring the held-out records failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("training on the ratings")]
    Train(#[from] train::Error),
    #[error("scoring the held-out ratings")]
    Score(#[from] crate::sentiment::Error),
    /// An option no choice can be made with, named as the CLI flag.
    #[error("--{option}: {message}")]
    Option {
        option: &'static str,
        message: String,
    },
}

/// A trained model that won its language.
pub struct Learned {
    pub lang: Lang,
    pub model: LinearModel,
}

/// Decides per language; returns the decisions and the linear models that won.
pub fn choose(
    examples: Vec<Example>,
    options: &AutoOptions,
    lexicon: &LexiconModel,
) -> Result<(Vec<LanguageChoice>, Vec<Learned>), Error> {
    if options.min_per_class == 0 {
        return Err(Error::Option {
            option: "auto-min-per-class",
            message: "a class needs at least one rated record".into(),
        });
    }
    let mut by_lang: BTreeMap<Lang, Vec<Example>> = BTreeMap::new();
    for e in examples {
        by_lang.entry(e.text.lang).or_default().push(e);
    }
    let mut choices = Vec::new();
    let mut learned = Vec::new();
    for lang in [Lang::Ja, Lang::En] {
        let examples = by_lang.remove(&lang).unwrap_or_default();
        let (choice, model) = choose_one(lang, examples, options, lexicon)?;
        if let Some(model) = model {
            learned.push(Learned { lang, model });
        }
        choices.push(choice);
    }
    Ok((choices, learned))
}

fn choose_one(
    lang: Lang,
    examples: Vec<Example>,
    options: &AutoOptions,
    lexicon: &LexiconModel,
) -> Result<(LanguageChoice, Option<LinearModel>), Error> {
    let mut rated = BTreeMap::new();
    for e in &examples {
        *rated.entry(e.label).or_insert(0u64) += 1;
    }
    let classes: Vec<Label> = Label::ALL
        .into_iter()
        .filter(|l| rated.get(l).copied().unwrap_or(0) >= options.min_per_class as u64)
        .collect();
    let mut choice = LanguageChoice {
        lang,
        model: Chosen::Lexicon,
        reason: String::new(),
        rated,
        classes: classes.clone(),
        trained_on: 0,
        held_out: None,
    };
    if examples.is_empty() {
        choice.reason = format!("no rated {lang} records");
        return Ok((choice, None));
    }
    if classes.len() < 2 {
        choice.classes.clear();
        choice.reason = format!(
            "too few ratings: {} rated {lang} records; training needs at least {} in each of two classes",
            examples.len(),
            options.min_per_class
        );
        return Ok((choice, None));
    }
    let labels: Vec<Label> = examples.iter().map(|e| e.label).collect();
    let held = stratified_holdout(&labels, options.holdout, options.seed);
    let (mut train_docs, mut train_labels, mut test_docs, mut test_labels) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (e, h) in examples.into_iter().zip(held) {
        if h {
            test_docs.push(e.text);
            test_labels.push(e.label);
        } else if classes.contains(&e.label) {
            train_docs.push(e.text);
            train_labels.push(e.label);
        }
    }
    let run = TrainingRun {
        docs: &train_docs,
        labels: &train_labels,
        hyper: HyperParameters {
            seed: options.seed,
            ..HyperParameters::default()
        },
        features: FeatureConfig::default(),
        lang: Some(lang),
        provenance: format!(
            "koe analyze --sentiment auto: {} rated {lang} records of the dump, less a \
             stratified {:.0}% held out (seed {})",
            train_docs.len(),
            options.holdout * 100.0,
            options.seed
        ),
        l2_grid: &train::L2_GRID,
    };
    let model = train::train(run, &mut |_, _| {})?;
    let metrics = |m: &dyn SentimentModel| -> Result<Metrics, Error> {
        let answers = predict(m, &test_docs, &|_| {})?;
        Ok(Metrics::from(&Confusion::from_pairs(
            test_labels.iter().copied().zip(answers),
        )))
    };
    let held_out = HeldOut {
        docs: test_docs.len() as u64,
        lexicon: metrics(lexicon)?,
        linear: metrics(&model)?,
    };
    let (lin, lex) = (held_out.linear.macro_recall, held_out.lexicon.macro_recall);
    choice.trained_on = train_docs.len() as u64;
    let wins = lin > lex;
    choice.model = if wins {
        Chosen::Linear
    } else {
        Chosen::Lexicon
    };
    choice.reason = format!(
        "held-out macro-recall on {} rated records: linear {lin:.3}, lexicon {lex:.3}",
        held_out.docs
    );
    choice.held_out = Some(held_out);
    Ok((choice, wins.then_some(model)))
}
