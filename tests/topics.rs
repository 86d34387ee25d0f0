//! Pain points end to end: `koe analyze` on the demo corpus finds its planted pain points
//! as topics, `koe topics` lists them, and `koe search --topic` finds their records.

mod common;

use serde_json::Value;

use common::{DEMO, current, koe, run_err, run_json, run_ok};
use koe::analysis::Part;

/// The first topic whose label has all of `words`.
fn topic_with<'a>(topics: &'a [Value], words: &[&str]) -> &'a Value {
    topics
        .iter()
        .find(|t| {
            words
                .iter()
                .all(|w| t["label"].as_str().unwrap().contains(w))
        })
        .unwrap_or_else(|| {
            let labels: Vec<&str> = topics
                .iter()
                .map(|t| t["label"].as_str().unwrap())
                .collect();
            panic!("no topic labelled with {words:?} in {labels:?}")
        })
}

#[test]
fn planted_pain_points_become_searchable_topics() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let summary = run_json(koe().args(["analyze", DEMO, "--json", "--out"]).arg(&out));
    assert!(summary["topics"].as_u64().unwrap() >= 5, "{summary}");

    let report = run_json(koe().arg("topics").arg(&out).arg("--json"));
    let topics = report["topics"].as_array().unwrap();
    let impacts: Vec<f64> = topics
        .iter()
        .map(|t| t["impact"].as_f64().unwrap())
        .collect();
    assert!(
        impacts.windows(2).all(|w| w[0] >= w[1]),
        "ranked by impact: {impacts:?}"
    );

    // The demo corpus's app crashes surge after the September update: an emerging topic.
    let crashes = topic_with(topics, &["crash", "app"]);
    assert_eq!(crashes["emerging"], true, "{crashes}");
    assert!(
        crashes["share_negative"].as_f64().unwrap() > 50.0,
        "{crashes}"
    );
    // 遅 is in both 遅い and 遅延, whichever the label leads with.
    let delivery = topic_with(topics, &["配送", "遅"]);

    for topic in [crashes, delivery] {
        let id = topic["id"].as_u64().unwrap().to_string();
        let found = run_json(
            koe()
                .arg("search")
                .arg(&out)
                .args(["--topic", &id, "--limit", "500", "--json"]),
        );
        assert_eq!(found["total"], topic["size"], "{}", topic["label"]);
        let label_terms: Vec<&str> = topic["label"].as_str().unwrap().split(" · ").collect();
        let hits = found["hits"].as_array().unwrap();
        let on_topic = hits
            .iter()
            .filter(|h| {
                let text = h["text"].as_str().unwrap().to_lowercase();
                label_terms.iter().any(|t| text.contains(t))
            })
            .count();
        assert!(
            on_topic * 10 >= hits.len() * 7,
            "{on_topic} of {} on {}",
            hits.len(),
            topic["label"]
        );
        let all = run_json(
            koe()
                .arg("search")
                .arg(&out)
                .args(["--limit", "1", "--json"]),
        );
        assert_eq!(all["facets"]["topic"][&id], topic["size"]);
    }

    let table = String::from_utf8(run_ok(koe().arg("topics").arg(&out))).unwrap();
    assert!(
        table.contains("emerging") && table.contains("配送"),
        "{table}"
    );
}

#[test]
fn a_rerun_without_topics_leaves_no_stale_topics() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    run_json(koe().args(["analyze", DEMO, "--json", "--out"]).arg(&out));
    assert!(current(&out, Part::Topics).is_file());

    let summary = run_json(
        koe()
            .args(["analyze", DEMO, "--json", "--no-topics", "--out"])
            .arg(&out),
    );
    assert_eq!(summary["topics"], Value::Null, "{summary}");
    assert!(
        !current(&out, Part::Topics).exists(),
        "stale topics.json kept"
    );
    run_err(koe().arg("topics").arg(&out));
}

#[cfg(not(feature = "transformer"))]
#[test]
fn embeddings_without_the_transformer_build_say_how_to_get_it() {
    let dir = tempfile::tempdir().unwrap();
    let stderr = run_err(
        koe()
            .args([
                "analyze",
                DEMO,
                "--topic-vectors",
                "embeddings:models/minilm",
            ])
            .arg("--out")
            .arg(dir.path().join("out")),
    );
    assert!(stderr.contains("--features transformer"), "{stderr}");
    assert!(!dir.path().join("out").exists());
}

/// The default build's multilingual encoder (installed by scripts/setup.sh) puts the demo
/// corpus's Japanese and English delivery complaints into one topic.
#[test]
fn use_m3_vectors_put_both_languages_in_one_topic() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let summary = run_json(
        koe()
            .args([
                "analyze",
                DEMO,
                "--json",
                "--topic-vectors",
                "embeddings:use-m3",
            ])
            .arg("--out")
            .arg(&out),
    );
    assert_eq!(summary["topic_vectors"], "embeddings:use-m3", "{summary}");
    let report = run_json(koe().arg("topics").arg(&out).arg("--json"));
    let topics = report["topics"].as_array().unwrap();
    let delivery = topic_with(topics, &["配送", "late"]);
    let id = delivery["id"].as_u64().unwrap().to_string();
    let found = run_json(
        koe()
            .arg("search")
            .arg(&out)
            .args(["--topic", &id, "--limit", "500", "--json"]),
    );
    let hits = found["hits"].as_array().unwrap();
    let japanese = hits
        .iter()
        .filter(|h| h["text"].as_str().unwrap().contains("配送"))
        .count();
    let english = hits
        .iter()
        .filter(|h| h["text"].as_str().unwrap().to_lowercase().contains("late"))
        .count();
    assert!(
        japanese >= 5 && english >= 5,
        "{japanese} ja, {english} en: {delivery}"
    );
}

#[test]
fn unknown_topic_vectors_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let stderr = run_err(
        koe()
            .args(["analyze", DEMO, "--topic-vectors", "word2vec"])
            .arg("--out")
            .arg(dir.path().join("out")),
    );
    assert!(
        stderr.contains("expected `tfidf`, `embeddings:use-m3` or `embeddings:"),
        "{stderr}"
    );
}

#[test]
fn analyze_help_groups_the_topic_options_under_their_heading() {
    let help = String::from_utf8(run_ok(koe().args(["analyze", "--help"]))).unwrap();
    let topics = help.find("Topics:").expect("a Topics heading");
    let section = &help[topics..];
    for option in ["--max-topics", "--topic-vectors", "--embed-lang"] {
        assert!(section.contains(option), "{option} under Topics:\n{help}");
    }
    // General options stay under Options, not in the last group.
    for option in ["--max-text-bytes", "--dictionary", "--threads"] {
        assert!(
            help[..topics].contains(option),
            "{option} before Topics:\n{help}"
        );
    }
}
