//! End to end: `koe analyze` on files the test writes, then `koe search` on the index.

use std::path::Path;

use serde_json::Value;

mod common;

use common::{current, json, koe, run_json, write};
use koe::analysis::Part;

const FEEDBACK: &str = r#"{"id":"ja-1","text":"スタッフの対応が最悪でした。","rating":1,"nps":0,"channel":"support","stage":"support","created_at":"2026-06-01T10:00:00+09:00"}
{"id":"ja-2","text":"二度と使いません","rating":1,"nps":1,"channel":"app","stage":"usage","created_at":"2026-06-10"}
{"id":"ja-3","text":"とても満足しています","rating":5,"nps":10,"channel":"store","stage":"purchase","created_at":"2026-07-02"}
{"id":"ja-4","text":"値段は高いけど、悪くない","rating":4,"channel":"web","stage":"purchase","created_at":"2026-07-05"}
{"id":"ja-5","text":"配送がとても遅かったです。届くまで二週間もかかりました。","rating":2,"nps":3,"channel":"web","stage":"delivery","created_at":"2026-08-01"}
{"id":"en-1","text":"My parcel was delayed for a week and support never answered!","rating":1,"nps":2,"channel":"web","stage":"delivery","created_at":"2026-08-03"}
{"id":"en-2","text":"Great app, checkout is fast and easy 😀","rating":5,"nps":9,"channel":"app","stage":"purchase","created_at":"2026-08-04","unknown_field":[1,2]}
{"id":"en-3","text":"The staff at the Shibuya store were not helpful.","rating":2,"channel":"store","stage":"support","created_at":"2026-09-09"}
"#;

const SURVEY: &str = "response_id,comment,score,visit_date\n\
s-1,\"丁寧な対応、ありがとうございました。\",5,2026/09/01\n\
s-2,\"Checkout delays, but the cashier was friendly\",3,2026-09-02\n";

const BROKEN: &str = "{\"id\":\"b-1\",\"text\":\"配送が早くて助かりました\"}\n\
{\"id\":\"b-2\",\"text\":\"unterminated\n\
{\"id\":\"b-3\",\"text\":\"\"}\n\
{\"id\":\"b-4\",\"text\":\"ok\",\"created_at\":\"last Tuesday\"}\n\
\n\
{\"id\":\"b-6\",\"text\":\"ok\",\"rating\":9}\n\
{\"id\":\"b-7\",\"rating\":3}\n\
[\"not\",\"an\",\"object\"]\n\
{\"id\":\"b-9\",\"text\":\"Fine, thanks\",\"nps\":7}\n";

fn search(out: &Path, args: &[&str]) -> Value {
    run_json(koe().arg("search").arg(out).args(args).arg("--json"))
}

fn hit_ids(results: &Value) -> Vec<String> {
    let mut ids: Vec<String> = results["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    ids
}

/// Analyses the JSONL and the CSV (text column mapped by flag) into `dir/out`.
fn analyse_demo(dir: &Path) -> std::path::PathBuf {
    let feedback = write(dir, "feedback.jsonl", FEEDBACK.as_bytes());
    let survey = write(dir, "survey.csv", SURVEY.as_bytes());
    let out = dir.join("out");
    let summary = run_json(
        koe()
            .args(["analyze", &feedback, &survey, "--out"])
            .arg(&out)
            .args(["--text-field", "comment", "--id-field", "response_id"])
            .args([
                "--rating-field",
                "score",
                "--date-field",
                "visit_date",
                "--json",
            ]),
    );
    assert_eq!(summary["records_read"], 10);
    assert_eq!(summary["indexed"], 10);
    assert_eq!(summary["rejected"], 0);
    assert!(summary["docs_per_s"].as_f64().unwrap() > 0.0);
    assert_eq!(
        json(&std::fs::read(current(&out, Part::Summary)).unwrap()),
        summary
    );
    out
}

#[test]
fn analyze_then_search_in_both_languages() {
    let dir = tempfile::tempdir().unwrap();
    let out = analyse_demo(dir.path());

    let taiou = search(&out, &["対応"]);
    assert_eq!(hit_ids(&taiou), vec!["ja-1", "s-1"]);
    assert_eq!(taiou["total"], 2);

    assert_eq!(hit_ids(&search(&out, &["配送", "遅い"])), vec!["ja-5"]);
    assert_eq!(hit_ids(&search(&out, &["delays"])), vec!["en-1", "s-2"]);

    let july = search(&out, &["--since", "2026-07-01", "--until", "2026-07-31"]);
    assert_eq!(hit_ids(&july), vec!["ja-3", "ja-4"]);

    let web = search(&out, &["--channel", "web", "--max-rating", "2"]);
    assert_eq!(hit_ids(&web), vec!["en-1", "ja-5"]);
    assert_eq!(web["facets"]["stage"]["delivery"], 2);

    let all = search(&out, &["--limit", "3"]);
    assert_eq!(all["total"], 10);
    assert_eq!(all["hits"].as_array().unwrap().len(), 3);
    assert_eq!(all["facets"]["lang"]["ja"], 6);
    assert_eq!(all["facets"]["lang"]["en"], 4);
    assert_eq!(all["facets"]["channel"]["web"], 3);
}

#[test]
fn sentiment_of_the_sentences_analysts_check() {
    let dir = tempfile::tempdir().unwrap();
    let out = analyse_demo(dir.path());
    let negative = hit_ids(&search(&out, &["--sentiment", "negative", "--lang", "ja"]));
    assert!(negative.contains(&"ja-1".to_string()), "最悪: {negative:?}");
    assert!(
        negative.contains(&"ja-2".to_string()),
        "二度と使いません: {negative:?}"
    );
    assert!(
        !negative.contains(&"ja-4".to_string()),
        "悪くない: {negative:?}"
    );
    let positive = hit_ids(&search(&out, &["--sentiment", "positive"]));
    assert!(positive.contains(&"ja-3".to_string()), "満足: {positive:?}");
    assert!(
        positive.contains(&"en-2".to_string()),
        "Great app: {positive:?}"
    );
    let english_negative = hit_ids(&search(&out, &["--sentiment", "negative", "--lang", "en"]));
    assert!(
        english_negative.contains(&"en-3".to_string()),
        "not helpful: {english_negative:?}"
    );
}

#[test]
fn bad_lines_are_rejected_with_their_line_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let mut broken = BROKEN.as_bytes().to_vec();
    broken.extend(b"{\"id\":\"b-10\",\"text\":\"caf\xe9\"}\n");
    let input = write(dir.path(), "broken.jsonl", &broken);
    let out = dir.path().join("out");
    koe()
        .args(["analyze", &input, "--quiet", "--out"])
        .arg(&out)
        .assert()
        .success();
    let summary = json(&std::fs::read(current(&out, Part::Summary)).unwrap());
    assert_eq!(summary["records_read"], 9, "the blank line is not a record");
    assert_eq!(summary["indexed"], 2);
    assert_eq!(summary["rejected"], 7);
    let rejects: Vec<(u64, String)> = std::fs::read_to_string(current(&out, Part::Rejects))
        .unwrap()
        .lines()
        .map(|l| {
            let v = json(l.as_bytes());
            assert_eq!(v["file"], input.as_str());
            (
                v["line"].as_u64().unwrap(),
                v["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expected = [
        (2, "broken_json"),
        (3, "empty_text"),
        (4, "bad_date"),
        (6, "rating_out_of_range"),
        (7, "missing_text"),
        (8, "not_an_object"),
        (10, "invalid_utf8"),
    ];
    let expected: Vec<(u64, String)> = expected.iter().map(|(l, r)| (*l, r.to_string())).collect();
    assert_eq!(rejects, expected);
    assert_eq!(summary["rejected_by_reason"]["broken_json"], 1);
    assert_eq!(hit_ids(&search(&out, &["*"])), vec!["b-1", "b-9"]);
}

#[test]
fn gzip_input_reads_like_plain() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(FEEDBACK.as_bytes()).unwrap();
    let input = write(dir.path(), "feedback.jsonl.gz", gz.finish().unwrap());
    let out = dir.path().join("out");
    koe()
        .args(["analyze", &input, "-q", "--out"])
        .arg(&out)
        .assert()
        .success();
    assert_eq!(hit_ids(&search(&out, &["最悪"])), vec!["ja-1"]);
}

#[test]
fn a_missing_input_or_unwritable_output_fails_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.jsonl");
    let output = koe()
        .arg("analyze")
        .arg(&missing)
        .arg("--out")
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("nope.jsonl"));
    assert!(
        !dir.path().join("out").exists(),
        "a failed start touches no folder"
    );

    let input = write(dir.path(), "ok.jsonl", FEEDBACK.as_bytes());
    let blocker = write(dir.path(), "file", b"not a folder");
    let output = koe()
        .args(["analyze", &input, "--out"])
        .arg(Path::new(&blocker).join("out"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("cannot make the output folder"));

    let output = koe()
        .arg("search")
        .arg(dir.path())
        .arg("x")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("not a koe analysis folder") && stderr.contains("koe analyze"),
        "{stderr}"
    );
}
