//! End to end: `koe analyze --taxonomy` on small Japanese and English feedback the test
//! writes, then the categories in summary.json, categories.json, `koe search` and
//! `koe report`; and a bad taxonomy file refused with its file and line.

use std::path::{Path, PathBuf};

use serde_json::Value;

mod common;

use common::{current, json, koe, run_err, run_json, run_ok, write};
use koe::analysis::Part;

/// Eight records: two detractors on late delivery (ja, en), a passive on shipping fees,
/// app crashes, praise for the app, a quality complaint, and one about nothing here.
const FEEDBACK: &str = r#"{"id":"ja-1","text":"配送が遅すぎて本当に困りました。","nps":2}
{"id":"en-1","text":"Two late deliveries in a row, very disappointing.","nps":4}
{"id":"ja-2","text":"送料が高いです。","nps":7}
{"id":"en-2","text":"The app crashes every time I open it.","nps":3}
{"id":"ja-3","text":"アプリはとても使いやすくて最高です。","nps":10}
{"id":"en-3","text":"The table arrived scratched.","nps":6}
{"id":"ja-4","text":"店舗の雰囲気が好きです。","nps":9}
{"id":"en-4","text":"The couriers were friendly and quick.","nps":10}
"#;

const TAXONOMY: &str = r#"
[[category]]
name = "配送"
label = "配送 / delivery"
ja.keywords = ["配送", "届く"]
en.keywords = ["delivery", "courier"]

[[category]]
name = "配送遅延"
parent = "配送"
ja.keywords = ["遅い", "届く ない"]
en.keywords = ["late delivery"]

[[category]]
name = "送料"
parent = "配送"
ja.keywords = ["送料"]
en.keywords = ["shipping fee"]

[[category]]
name = "アプリ"
ja.keywords = ["アプリ"]
en.keywords = ["app"]
en.patterns = ['(?i)\bcrash(es|ed)?\b']

[[category]]
name = "品質"
ja.keywords = ["傷"]
en.keywords = ["scratched", "scratch"]
"#;

fn analyse(dir: &Path, taxonomy: &str) -> PathBuf {
    let input = write(dir, "feedback.jsonl", FEEDBACK);
    let file = write(dir, "shop.toml", taxonomy);
    let out = dir.join("out");
    run_ok(
        koe()
            .args([
                "analyze",
                &input,
                "--quiet",
                "--no-topics",
                "--emit",
                "parquet",
            ])
            .args(["--sentiment", "lexicon", "--taxonomy", &file])
            .arg("--out")
            .arg(&out),
    );
    out
}

fn search(out: &Path, args: &[&str]) -> Value {
    run_json(koe().arg("search").arg(out).arg("--json").args(args))
}

fn ids(found: &Value) -> Vec<String> {
    let mut ids: Vec<String> = found["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    ids
}

#[test]
fn records_are_tagged_counted_measured_searched_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let out = analyse(dir.path(), TAXONOMY);

    let summary = json(&std::fs::read(current(&out, Part::Summary)).unwrap());
    let taxonomy = &summary["taxonomy"];
    assert_eq!(taxonomy["tagged"], 7, "{taxonomy}");
    let counts: Vec<(String, u64)> = taxonomy["by_category"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_u64().unwrap()))
        .collect();
    let expected = [
        ("アプリ", 2),
        ("品質", 1),
        ("送料", 1),
        ("配送", 4),
        ("配送遅延", 2),
    ];
    assert_eq!(
        counts,
        expected.map(|(k, v)| (k.to_string(), v)),
        "a child's records count in its parent"
    );

    let categories = json(&std::fs::read(current(&out, Part::Categories)).unwrap());
    let rows = categories["categories"].as_array().unwrap();
    let names: Vec<&str> = rows.iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["配送", "配送遅延", "送料", "アプリ", "品質"]);
    let late = &rows[1];
    assert_eq!(late["parent"], "配送");
    // Both detractors, both negative on it: NPS −100; overall NPS (3 − 4) / 8 = −12.5,
    // and the two becoming passives would lift it by 2 / 8 = 25 points.
    assert_eq!(late["nps"], -100.0);
    assert_eq!(late["impact"], 25.0);
    assert_eq!(late["sentiment_mix"]["negative"], 2);
    assert_eq!(categories["overall"]["nps"], -12.5);
    assert_eq!(rows[0]["label"], "配送 / delivery");
    assert_eq!(rows[0]["share"], 50.0);

    // Search: the facet by name, in the query or as a filter, with counts.
    let found = search(&out, &["category:配送"]);
    assert_eq!(ids(&found), ["en-1", "en-4", "ja-1", "ja-2"]);
    assert_eq!(found["facets"]["category"]["配送遅延"], 2);
    let found = search(&out, &["--category", "アプリ", "--sentiment", "negative"]);
    assert_eq!(ids(&found), ["en-2"]);
    assert_eq!(found["hits"][0]["categories"][0], "アプリ");
    let found = search(&out, &["--", "-category:配送", "-category:アプリ"]);
    assert_eq!(ids(&found), ["en-3", "ja-4"]);

    // Report: one row per category, with the figures.
    let report = json(&run_ok(
        koe()
            .arg("report")
            .arg(&out)
            .arg("--out")
            .arg(dir.path().join("r"))
            .arg("--json"),
    ));
    let rows = report["categories"].as_array().unwrap();
    assert_eq!(rows.len(), 5);
    assert_eq!(rows[1]["name"], "配送遅延");
    assert_eq!(rows[1]["depth"], 1);
    assert_eq!(rows[1]["impact"], 25.0);
    let markdown = std::fs::read_to_string(dir.path().join("r.md")).unwrap();
    assert!(markdown.contains("## Categories"), "{markdown}");
    // ja-1, en-1 (detractors) and ja-2 negative, en-4 (a promoter) positive; the mean
    // score between NPS and the negative share is the lexicon's, checked in the JSON.
    let row = markdown
        .lines()
        .find(|l| l.starts_with("| 配送 / delivery |"))
        .unwrap_or_else(|| panic!("{markdown}"));
    assert!(
        row.starts_with(
            "| 配送 / delivery | 4 | 50.0% | 3 negative · 0 neutral · 1 positive | −25 | −0."
        ) && row.ends_with("| 75% | 25.0 |"),
        "{row}"
    );
    let html = std::fs::read_to_string(dir.path().join("r.html")).unwrap();
    assert!(html.contains("<h2>Categories</h2>"));

    // records.parquet (--emit parquet): each record's categories, ancestors included.
    let categories = records_categories(&current(&out, Part::Records));
    assert_eq!(categories.len(), 8);
    assert_eq!(categories["ja-1"], ["配送", "配送遅延"]);
    assert_eq!(categories["en-2"], ["アプリ"]);
    assert_eq!(categories["ja-2"], ["送料", "配送"]);
    assert!(categories["ja-4"].is_empty(), "{:?}", categories["ja-4"]);
}

/// The `categories` column of a records.parquet, by record id (sorted within a record).
fn records_categories(path: &Path) -> std::collections::BTreeMap<String, Vec<String>> {
    use arrow_array::cast::AsArray;
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    let file = std::fs::File::open(path).unwrap();
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .unwrap()
        .build()
        .unwrap();
    let mut by_id = std::collections::BTreeMap::new();
    for batch in reader {
        let batch = batch.unwrap();
        let ids = batch
            .column_by_name("id")
            .unwrap()
            .as_string::<i32>()
            .clone();
        let lists = batch
            .column_by_name("categories")
            .unwrap()
            .as_list::<i32>()
            .clone();
        for i in 0..batch.num_rows() {
            let names = lists.value(i);
            let mut names: Vec<String> = names
                .as_string::<i32>()
                .iter()
                .map(|n| n.unwrap().to_string())
                .collect();
            names.sort();
            by_id.insert(ids.value(i).to_string(), names);
        }
    }
    by_id
}

#[test]
fn a_bad_taxonomy_is_refused_naming_its_file_and_line_and_nothing_is_published() {
    let dir = tempfile::tempdir().unwrap();
    let bad = TAXONOMY.replace(
        "parent = \"配送\"\nja.keywords = [\"送料\"]",
        "parent = \"配達\"\nja.keywords = [\"送料\"]",
    );
    let input = write(dir.path(), "feedback.jsonl", FEEDBACK);
    let file = write(dir.path(), "shop.toml", &bad);
    let out = dir.path().join("out");
    let stderr = run_err(
        koe()
            .args([
                "analyze",
                &input,
                "--quiet",
                "--no-topics",
                "--taxonomy",
                &file,
            ])
            .arg("--out")
            .arg(&out),
    );
    assert!(
        stderr.contains(&format!(
            "{file}:16:10: parent \"配達\" is not a category of this file"
        )),
        "{stderr}"
    );
    assert!(!out.join("analysis.json").exists(), "no folder made");
}
