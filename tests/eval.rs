//! End to end: `koe train sentiment` and `koe eval` on small labelled files the test
//! writes (English and Japanese, 3-class TSV, 5-star JSONL, 2-class with a label map).

use serde_json::Value;

mod common;

use common::{koe, run_json, run_ok, write};

/// Written for this test; line 6 has no label, line 9 an unknown one, line 11 three columns.
const TSV: &str = "label\ttext\n\
positive\tGreat service, I love this shop!\n\
negative\tTerrible support, my parcel never arrived.\n\
neutral\tThe store opens at nine on Mondays.\n\
positive\tとても満足しています。\n\
\tno label here\n\
negative\tスタッフの対応が最悪でした。\n\
neutral\t明日、店舗に行く予定です。\n\
meh\tWhatever.\n\
negative\tAwful app, it crashes every time.\n\
positive\ttoo\tmany columns\n\
positive\tThe staff were wonderful and helpful.\n";

const STARS: &str = r#"{"review":"Love it, works great","stars":5}
{"review":"Worst purchase ever, broken on arrival","stars":1}
{"review":"It is a phone case","stars":3}
{"review":"Really good value","stars":4.0}
{"review":"Disappointing and slow","stars":2}
not json at all
"#;

fn eval_json(args: &[&str]) -> Value {
    run_json(koe().args(args).arg("--json"))
}

#[test]
fn eval_reports_metrics_speed_memory_and_bad_lines() {
    let dir = tempfile::tempdir().unwrap();
    let data = write(dir.path(), "labelled.tsv", TSV);
    let report = eval_json(&["eval", "--data", &data, "--model", "lexicon"]);
    assert_eq!(report["docs"], 8);
    let bad: Vec<u64> = report["bad_lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["line"].as_u64().unwrap())
        .collect();
    assert_eq!(bad, vec![6, 9, 11]);
    let model = &report["models"][0];
    assert_eq!(model["name"], "lexicon");
    let metrics = &model["metrics"];
    assert_eq!(metrics["docs"], 8);
    for key in ["accuracy", "macro_f1", "macro_recall"] {
        let v = metrics[key].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&v), "{key} = {v}");
    }
    let confusion: u64 = metrics["confusion"]["counts"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|row| row.as_array().unwrap())
        .map(|c| c.as_u64().unwrap())
        .sum();
    assert_eq!(confusion, 8);
    assert!(model["scoring_docs_per_s"].as_f64().unwrap() > 0.0);
    if cfg!(target_os = "linux") {
        assert!(model["memory"]["peak_kib"].as_u64().unwrap() > 0);
    }
}

#[test]
fn five_star_jsonl_and_two_class_data() {
    let dir = tempfile::tempdir().unwrap();
    let stars = write(dir.path(), "stars.jsonl", STARS);
    let report = eval_json(&[
        "eval",
        "--data",
        &stars,
        "--text-field",
        "review",
        "--label-field",
        "stars",
    ]);
    assert_eq!(report["docs"], 5);
    assert_eq!(report["by_label"]["negative"], 2);
    assert_eq!(report["by_label"]["neutral"], 1);
    assert_eq!(report["raw_labels"]["4"]["label"], "positive");
    assert_eq!(report["bad_lines"][0]["line"], 6);

    // 3 stars as negative: 2-class data; the table says neutral answers count as wrong.
    let table = run_ok(
        koe()
            .args(["eval", "--data", &stars, "--text-field", "review"])
            .args(["--label-field", "stars", "--label-map", "3=negative"]),
    );
    let table = String::from_utf8(table).unwrap();
    assert!(table.contains("no gold neutral"), "{table}");
    assert!(table.contains("macro-recall (TweetEval)"), "{table}");
    assert!(table.contains("rows gold, columns predicted"), "{table}");
}

#[test]
fn train_then_compare_on_a_held_out_part() {
    let dir = tempfile::tempdir().unwrap();
    let mut tsv = String::from("label\ttext\n");
    for i in 0..20 {
        tsv.push_str(&format!("positive\tgreat service and lovely staff {i}\n"));
        tsv.push_str(&format!("negative\tawful delay, broken parcel {i}\n"));
        tsv.push_str(&format!("neutral\tthe shop is on street {i}\n"));
    }
    let data = write(dir.path(), "train.tsv", &tsv);
    let model_dir = dir.path().join("model");
    let model = model_dir.to_str().unwrap();
    let common = ["--data", &data, "--holdout", "0.25", "--lang", "en"];
    let trained = eval_json(
        &[
            &["train", "sentiment"],
            &common[..],
            &["--out", model, "--seed", "3"],
        ]
        .concat(),
    );
    assert_eq!(trained["card"]["format"], "koe-linear/1");
    assert_eq!(trained["card"]["training"]["docs"], 45);
    let provenance = trained["card"]["training"]["provenance"].as_str().unwrap();
    assert!(provenance.contains("train.tsv (blake3 "), "{provenance}");
    // --train-sample: a stratified part of the same training part, said in the provenance.
    let sampled_dir = dir.path().join("sampled");
    let sampled = eval_json(
        &[
            &["train", "sentiment"],
            &common[..],
            &[
                "--out",
                sampled_dir.to_str().unwrap(),
                "--train-sample",
                "12",
            ],
        ]
        .concat(),
    );
    assert_eq!(sampled["card"]["training"]["docs"], 12);
    for label in ["negative", "neutral", "positive"] {
        assert_eq!(
            sampled["card"]["training"]["by_label"][label], 4,
            "{sampled}"
        );
    }
    let provenance = sampled["card"]["training"]["provenance"].as_str().unwrap();
    assert!(
        provenance.contains("45 of 60") && provenance.contains("--train-sample 12"),
        "{provenance}"
    );
    let card: Value =
        serde_json::from_slice(&std::fs::read(model_dir.join("model.json")).unwrap()).unwrap();
    assert_eq!(
        card["labels"],
        serde_json::json!(["negative", "neutral", "positive"])
    );

    let linear = format!("linear:{model}");
    let args = [
        &["eval"],
        &common[..],
        &["--model", "lexicon", "--model", &linear],
    ]
    .concat();
    let report = eval_json(&args);
    assert_eq!(report["docs"], 15, "the held-out quarter");
    assert_eq!(report["models"][1]["name"], linear);
    assert_eq!(report["models"][1]["metrics"]["accuracy"], 1.0);

    let missing = koe()
        .args(["eval", "--data", &data, "--model", "linear:/no/such/model"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("/no/such/model"));
}
