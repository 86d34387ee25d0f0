//! `koe analyze --sentiment auto` (the default): it learns from the records' star
//! ratings where there are enough, says which model each language uses and why, saves
//! what it trained, and changes nothing for a dump without ratings.

mod common;

use common::{koe, run_json, run_ok, write};
use serde_json::Value;

const ITEMS: [&str; 6] = ["sofa", "table", "lamp", "chair", "desk", "shelf"];

/// Reviews whose stars follow words no lexicon scores: how long delivery and assembly
/// took. The lexicon calls all of them neutral; the ratings say otherwise.
fn rated_english(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| {
            let item = ITEMS[i % ITEMS.len()];
            let (text, rating) = if i % 2 == 0 {
                (
                    format!(
                        "The {item} arrived in {} days and the assembly took {} minutes.",
                        2 + i % 3,
                        10 + i % 20
                    ),
                    5,
                )
            } else {
                (
                    format!(
                        "The {item} arrived after {} weeks and the assembly took {} hours.",
                        3 + i % 4,
                        2 + i % 5
                    ),
                    1,
                )
            };
            serde_json::json!({"id": format!("en-{i}"), "text": text, "rating": rating}).to_string()
        })
        .collect()
}

/// Japanese records without ratings (social posts).
fn unrated_japanese() -> Vec<String> {
    [
        "配送がとても遅くて困りました。",
        "スタッフの対応がとても親切でした。",
        "ソファの色が写真と違いました。",
        "明日は店舗に行く予定です。",
    ]
    .iter()
    .enumerate()
    .map(|(i, t)| serde_json::json!({"id": format!("ja-{i}"), "text": t}).to_string())
    .collect()
}

fn dump(dir: &std::path::Path, lines: &[String]) -> String {
    write(dir, "dump.jsonl", lines.join("\n") + "\n")
}

fn language<'a>(summary: &'a Value, lang: &str) -> &'a Value {
    summary["sentiment_auto"]["languages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["lang"] == lang)
        .unwrap_or_else(|| panic!("no {lang} in {summary}"))
}

#[test]
fn auto_learns_where_ratings_are_and_keeps_the_lexicon_elsewhere() {
    let dir = tempfile::tempdir().unwrap();
    let mut lines = rated_english(80);
    lines.extend(unrated_japanese());
    let input = dump(dir.path(), &lines);
    let out = dir.path().join("out");
    let summary = run_json(
        koe()
            .args(["analyze", &input, "--no-topics", "--json"])
            .args(["--auto-min-per-class", "20", "--out", out.to_str().unwrap()]),
    );
    let en = language(&summary, "en");
    assert_eq!(en["model"], "linear", "{en}");
    assert_eq!(en["rated"]["positive"], 40);
    assert_eq!(en["rated"]["negative"], 40);
    assert_eq!(en["trained_on"], 60, "25% of each class held out");
    let held = &en["held_out"];
    assert_eq!(held["docs"], 20);
    assert!(
        held["linear"]["macro_recall"].as_f64().unwrap() > 0.9,
        "{held}"
    );
    assert!(
        held["lexicon"]["macro_recall"].as_f64().unwrap() < 0.3,
        "{held}"
    );
    let ja = language(&summary, "ja");
    assert_eq!(ja["model"], "lexicon");
    assert_eq!(ja["reason"], "no rated ja records");
    assert_eq!(summary["sentiment_model"], "auto (ja: lexicon, en: linear)");
    // Unrated Japanese records are scored by the lexicon all the same.
    assert_eq!(summary["by_lang"]["ja"], 4);
    let generation = out.join("gen-000001");
    let saved = generation.join("sentiment-model");
    assert!(saved.join("en/model.json").is_file());
    assert!(!saved.join("ja").exists());
    let saved_summary: Value =
        serde_json::from_slice(&std::fs::read(generation.join("summary.json")).unwrap()).unwrap();
    assert_eq!(saved_summary["sentiment_auto"], summary["sentiment_auto"]);

    // The human summary says what was chosen, and why.
    let text = String::from_utf8(run_ok(
        koe().args(["analyze", &input, "--no-topics", "-q"]).args([
            "--auto-min-per-class",
            "20",
            "--out",
            dir.path().join("again").to_str().unwrap(),
        ]),
    ))
    .unwrap();
    assert!(
        text.contains("en: linear, trained on 60 rated records"),
        "{text}"
    );
    assert!(
        text.contains("held-out macro-recall on 20 rated records"),
        "{text}"
    );
    assert!(text.contains("ja: lexicon"), "{text}");

    // The saved folder is a model of its own: reused by analyze (named by the analysis
    // folder), scored by eval.
    let spec = format!("linear:{}", out.display());
    let reused = run_json(
        koe()
            .args(["analyze", &input, "--no-topics", "--json"])
            .args([
                "--sentiment",
                &spec,
                "--out",
                dir.path().join("reused").to_str().unwrap(),
            ]),
    );
    assert_eq!(reused["by_sentiment"], summary["by_sentiment"]);
    assert!(reused.get("sentiment_auto").is_none());
    let labelled = write(
        dir.path(),
        "labelled.tsv",
        "label\ttext\n5\tThe lamp arrived in 3 days and the assembly took 12 minutes.\n\
         1\tThe desk arrived after 5 weeks and the assembly took 4 hours.\n",
    );
    let report = run_json(
        koe()
            .args(["eval", "--data", &labelled, "--json", "-q"])
            .args(["--model", &format!("linear:{}", saved.join("en").display())]),
    );
    assert_eq!(report["models"][0]["metrics"]["accuracy"], 1.0);
}

#[test]
fn a_dump_without_ratings_runs_as_with_the_lexicon() {
    let dir = tempfile::tempdir().unwrap();
    let lines: Vec<String> = rated_english(12)
        .into_iter()
        .map(|l| {
            let mut v: Value = serde_json::from_str(&l).unwrap();
            v.as_object_mut().unwrap().remove("rating");
            v.to_string()
        })
        .chain(unrated_japanese())
        .collect();
    let input = dump(dir.path(), &lines);
    let run = |extra: &[&str], name: &str| {
        run_json(
            koe()
                .args(["analyze", &input, "--no-topics", "--json", "--out"])
                .arg(dir.path().join(name))
                .args(extra),
        )
    };
    let auto = run(&[], "auto");
    let lexicon = run(&["--sentiment", "lexicon"], "lexicon");
    assert_eq!(auto["sentiment_model"], "lexicon");
    assert_eq!(auto["by_sentiment"], lexicon["by_sentiment"]);
    assert_eq!(language(&auto, "en")["reason"], "no rated en records");
    assert!(dir.path().join("auto/gen-000001").is_dir());
    assert!(!dir.path().join("auto/gen-000001/sentiment-model").exists());
}

#[test]
fn too_few_ratings_keep_the_lexicon_and_say_so() {
    let dir = tempfile::tempdir().unwrap();
    let input = dump(dir.path(), &rated_english(30));
    let summary = run_json(
        koe()
            .args(["analyze", &input, "--no-topics", "--json", "--out"])
            .arg(dir.path().join("out")),
    );
    let en = language(&summary, "en");
    assert_eq!(en["model"], "lexicon");
    assert_eq!(
        en["reason"],
        "too few ratings: 30 rated en records; training needs at least 300 in each of two classes"
    );
    assert!(en["held_out"].is_null());
    assert_eq!(summary["sentiment_model"], "lexicon");
}
