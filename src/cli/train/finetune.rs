//! `koe train sentiment --base transformer:<dir>`: fine-tune an encoder on the training
//! part and save it as a Hugging Face folder ([`koe::transformer::finetune`]).

use std::fmt::Write;

use anyhow::Context;
use serde::Serialize;

use koe::sentiment::transformer::TransformerModel;
use koe::transformer::ModelFiles;
use koe::transformer::finetune::{
    self, FineTuneParams, FineTuning, Labelled, Progress, TrainingCard,
};

use super::super::output::{emit, print_json, progress_bar};
use super::{SentimentArgs, TrainingData, Validation};

/// The validation part a transformer stops early on, unless --validation says otherwise.
const DEFAULT_VALIDATION: f64 = 0.1;

pub fn run(args: SentimentArgs, base: &str) -> anyhow::Result<()> {
    if let Some(threads) = args.threads {
        tch::set_num_threads(i32::try_from(threads).unwrap_or(i32::MAX));
    }
    let files = ModelFiles::resolve(base).with_context(|| format!("--base transformer:{base}"))?;
    let defaults = FineTuneParams::default();
    let params = FineTuneParams {
        epochs: args.epochs.unwrap_or(defaults.epochs),
        batch_size: args.batch_size.unwrap_or(defaults.batch_size),
        learning_rate: args.learning_rate.unwrap_or(defaults.learning_rate),
        warmup: args.warmup.unwrap_or(defaults.warmup),
        weight_decay: args.weight_decay.unwrap_or(defaults.weight_decay),
        max_length: args.max_length.unwrap_or(defaults.max_length),
        class_weight: args.class_weight,
        seed: args.seed,
        patience: args.patience.unwrap_or(defaults.patience),
    };
    // Fail before minutes of training, not after.
    params.check()?;
    std::fs::create_dir_all(args.out.parent().unwrap_or(std::path::Path::new(".")))
        .with_context(|| format!("creating the folder of {}", args.out.display()))?;

    let data = TrainingData::read(&args, Some(args.validation.unwrap_or(DEFAULT_VALIDATION)))?;
    let validation = data.validation.as_ref().context("no validation part")?;
    let texts = |set: &koe::eval::AnalysedSet| -> Vec<String> {
        set.docs.iter().map(|d| d.normalized.clone()).collect()
    };
    let (train_texts, validation_texts) = (texts(&data.train), texts(validation));
    let train_refs: Vec<&str> = train_texts.iter().map(String::as_str).collect();
    let validation_refs: Vec<&str> = validation_texts.iter().map(String::as_str).collect();

    let bar = progress_bar(0, args.json);
    bar.set_message("fine-tuning");
    // Without a terminal (a batch job's log), a line every tenth of the steps.
    let mut total = 0;
    let started = std::time::Instant::now();
    let mut on_progress = |p: Progress| match p {
        Progress::Started { steps } => {
            total = steps;
            bar.set_length(steps);
        }
        Progress::Step { step, loss } => {
            bar.inc(1);
            bar.set_message(format!("loss {loss:.3}"));
            if bar.is_hidden() && !args.json && step % (total / 10).max(1) == 0 {
                eprintln!(
                    "step {step}/{total}: loss {loss:.3} ({:.0} s)",
                    started.elapsed().as_secs_f64()
                );
            }
        }
        Progress::Epoch(e) => {
            let line = format!(
                "epoch {}: loss {:.3}, validation macro-recall {:.3} ({:.0} s)",
                e.epoch, e.train_loss, e.validation.macro_recall, e.seconds
            );
            if bar.is_hidden() {
                eprintln!("{line}");
            } else {
                bar.println(line);
            }
        }
    };
    let tuned = finetune::fine_tune(
        FineTuning {
            base: &files,
            train: Labelled {
                texts: &train_refs,
                labels: &data.train.gold,
            },
            validation: Labelled {
                texts: &validation_refs,
                labels: &validation.gold,
            },
            params,
        },
        &mut on_progress,
    )
    .with_context(|| format!("fine-tuning {base}"))?;
    bar.finish_and_clear();
    let card = tuned.card(data.provenance.clone());
    tuned
        .save(&args.out, &card)
        .with_context(|| format!("saving the model in {}", args.out.display()))?;
    drop(tuned);

    // The saved folder, loaded back as `--sentiment transformer:OUT` loads it.
    let saved = args.out.display().to_string();
    let model = TransformerModel::load(&saved)
        .with_context(|| format!("loading the saved model {saved}"))?;
    let scored = Validation::score(&model, validation)?;
    if args.json {
        #[derive(Serialize)]
        struct Output<'a> {
            card: &'a TrainingCard,
            validation: Validation,
        }
        return print_json(&Output {
            card: &card,
            validation: scored,
        });
    }
    emit(&summary(&card, &scored, &saved))
}

fn summary(card: &TrainingCard, v: &Validation, out: &str) -> String {
    let mut text = String::new();
    let by_label: Vec<String> = card
        .by_label
        .iter()
        .map(|(l, n)| format!("{l} {n}"))
        .collect();
    let _ = writeln!(
        text,
        "koe train sentiment: fine-tuned {} on {} documents ({})",
        card.base,
        card.train_docs,
        by_label.join(" · ")
    );
    for e in &card.history {
        let _ = writeln!(
            text,
            "  epoch {:<4} loss {:.3} · validation macro-recall {:.3} · accuracy {:.3} · {:.0} s{}",
            e.epoch,
            e.train_loss,
            e.validation.macro_recall,
            e.validation.accuracy,
            e.seconds,
            if e.epoch == card.best_epoch {
                " (kept)"
            } else {
                ""
            }
        );
    }
    v.render(&mut text);
    let _ = writeln!(
        text,
        "  time       {:.0} s on {} threads",
        card.seconds, card.threads
    );
    let _ = writeln!(
        text,
        "  model      {out} (config.json, tokenizer, model.safetensors, training.json)"
    );
    let _ = writeln!(text, "  provenance {}", card.provenance);
    text
}
