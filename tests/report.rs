//! End to end: `koe analyze` on a small survey export the test writes, then `koe report`;
//! the figures checked against a hand computation, and customer text that tries to inject
//! HTML shown as text.

use std::path::{Path, PathBuf};

use serde_json::Value;

mod common;

use common::{current, json, koe, run_err, run_ok};
use koe::analysis::Part;
use koe::lang::Lang;
use koe::topics::{Example, PeriodStat, TermWeight, Topic, Topics};

/// Ten responses; en-3's comment and so-1's channel try to inject HTML.
const FEEDBACK: &str = r#"{"id":"ja-1","text":"スタッフの対応が最悪でした。","rating":1,"nps":0,"effort":2,"channel":"support","stage":"support","created_at":"2026-06-01"}
{"id":"ja-2","text":"二度と使いません","rating":2,"nps":3,"effort":3,"channel":"app","stage":"usage","created_at":"2026-06-10"}
{"id":"ja-3","text":"とても満足しています","rating":5,"nps":10,"effort":7,"channel":"store","stage":"purchase","created_at":"2026-06-15"}
{"id":"ja-4","text":"値段は高いけど、悪くない","rating":4,"nps":8,"channel":"web","stage":"purchase","created_at":"2026-06-20"}
{"id":"en-1","text":"My parcel was delayed for a week and support never answered!","rating":1,"nps":2,"effort":1,"channel":"web","stage":"delivery","created_at":"2026-07-01"}
{"id":"en-2","text":"Great app, checkout is fast and easy","rating":5,"nps":9,"effort":6,"channel":"app","stage":"purchase","created_at":"2026-07-04"}
{"id":"en-3","text":"<script>alert('koe')</script> the store was fine","rating":3,"nps":7,"channel":"store","stage":"support","created_at":"2026-07-09"}
{"id":"en-4","text":"Fast delivery, thank you","rating":5,"nps":10,"effort":5,"channel":"web","stage":"delivery","created_at":"2026-07-12"}
{"id":"ja-5","text":"配送が遅かったです。","rating":2,"nps":6,"effort":4,"channel":"web","stage":"delivery","created_at":"2026-07-20"}
{"id":"so-1","text":"No survey answers here","channel":"<img src=x onerror=alert(1)>","stage":"discovery"}
"#;

/// What the topics stage would write (its own type), with the malicious comment as an
/// example.
fn topics_json() -> String {
    let period = |period: &str, count| PeriodStat {
        period: period.into(),
        count,
        share: 10.0,
        mean_sentiment: Some(-0.4),
    };
    let delay = Topic {
        id: 0,
        label: "配送 <b>delay</b>".into(),
        size: 3,
        share: 30.0,
        mean_sentiment: -0.4,
        share_negative: 67.0,
        nps: Some(-33.3),
        impact: 1.2,
        terms: vec![TermWeight {
            term: "配送".into(),
            lang: Lang::Ja,
            weight: 0.9,
        }],
        trend: vec![period("2026-06", 1), period("2026-07", 2)],
        emerging: true,
        examples: vec![Example {
            id: "en-3".into(),
            text: "<script>alert('koe')</script> the store was fine".into(),
            sentiment: -0.2,
        }],
        ..Topic::default()
    };
    let praise = Topic {
        id: 1,
        label: "満足".into(),
        size: 2,
        mean_sentiment: 0.6,
        mean_rating: Some(5.0),
        ..Topic::default()
    };
    let mut topics = Topics::default();
    topics.topics = vec![delay, praise];
    serde_json::to_string(&topics).unwrap()
}

/// Analyses the small file without topics (ten records make no topics worth having; the
/// topic sections are tested with a topics.json of their own).
fn analyse(dir: &Path) -> PathBuf {
    let input = dir.join("feedback.jsonl");
    std::fs::write(&input, FEEDBACK).unwrap();
    let out = dir.join("out");
    run_ok(
        koe()
            .arg("analyze")
            .arg(&input)
            .arg("--out")
            .arg(&out)
            .arg("--quiet")
            .arg("--no-topics"),
    );
    out
}

fn report(args: &[&str]) -> Vec<u8> {
    run_ok(koe().arg("report").args(args))
}

fn close(value: &Value, expected: f64) {
    let actual = value
        .as_f64()
        .unwrap_or_else(|| panic!("{value} is not a number"));
    assert!(
        (actual - expected).abs() < 1e-3,
        "{actual} is not {expected}"
    );
}

#[test]
fn report_figures_match_the_hand_computation() {
    let dir = tempfile::tempdir().unwrap();
    let out = analyse(dir.path());
    let summary = String::from_utf8(report(&[out.to_str().unwrap()])).unwrap();
    assert!(summary.contains("10 records"), "{summary}");
    assert!(summary.contains("no topics.json"), "{summary}");

    let report = json(&std::fs::read(out.join("report.json")).unwrap());
    let m = &report["metrics"];
    assert_eq!(m["overall"]["records"], 10);
    assert_eq!(m["overall"]["small"], true);
    assert_eq!(m["undated"], 1);

    // NPS answers 0 3 10 8 2 9 7 10 6 (n = 9): promoters 10 9 10 (3), passives 8 7 (2),
    // detractors 0 3 2 6 (4). NPS = 100·(3 − 4)/9 = −11.111.
    // Var = (3/9 + 4/9 − (1/9)²)/9 = (62/81)/9 = 0.085048; margin = 1.96·0.291630·100 = 57.159.
    let nps = &m["overall"]["nps"];
    assert_eq!(nps["n"], 9);
    assert_eq!(
        (&nps["promoters"], &nps["passives"], &nps["detractors"]),
        (&3.into(), &2.into(), &4.into())
    );
    close(&nps["score"], -11.111);
    close(&nps["margin"], 57.159);
    close(&nps["ci"]["low"], -68.271);
    close(&nps["ci"]["high"], 46.049);

    // Ratings 1 2 5 4 1 5 3 5 2 (n = 9): 4–5 stars 4 → CSAT 44.444%. Wilson, z² = 3.8416:
    // denominator 1.426844, centre (0.444444 + 0.213422)/1.426844 = 0.461064,
    // half 1.96·√(0.444444·0.555556/9 + 3.8416/324)/1.426844 = 0.272288 → [18.878, 73.335].
    let csat = &m["overall"]["csat"];
    assert_eq!((&csat["hits"], &csat["n"]), (&4.into(), &9.into()));
    close(&csat["percent"], 44.444);
    close(&csat["ci"]["low"], 18.878);
    close(&csat["ci"]["high"], 73.335);

    // Effort 2 3 7 1 6 5 4 (n = 7): mean 4; squared deviations 4 1 9 9 4 1 0 = 28,
    // s = √(28/6) = 2.160247; margin 1.96·2.160247/√7 = 1.600334 → [2.399666, 5.600334].
    let ces = &m["overall"]["ces"];
    assert_eq!(ces["n"], 7);
    close(&ces["mean"], 4.0);
    close(&ces["ci"]["low"], 2.399666);
    close(&ces["ci"]["high"], 5.600334);

    // June: NPS 0 3 10 8 → (1 − 2)/4 = −25; July: 2 9 7 10 6 → (2 − 2)/5 = 0.
    let months: Vec<(&str, u64)> = m["by_period"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| (g["key"].as_str().unwrap(), g["records"].as_u64().unwrap()))
        .collect();
    assert_eq!(months, [("2026-06", 4), ("2026-07", 5)]);
    close(&m["by_period"][0]["nps"]["score"], -25.0);
    close(&m["by_period"][1]["nps"]["score"], 0.0);
    // web: ja-4 en-1 en-4 ja-5, NPS 8 2 10 6 → (1 − 2)/4 = −25; the largest channel.
    assert_eq!(m["by_channel"][0]["key"], "web");
    assert_eq!(m["by_channel"][0]["records"], 4);
    close(&m["by_channel"][0]["nps"]["score"], -25.0);
    // Journey order: discovery, purchase, delivery, usage, support.
    let stages: Vec<&str> = m["by_stage"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["key"].as_str().unwrap())
        .collect();
    assert_eq!(
        stages,
        ["discovery", "purchase", "delivery", "usage", "support"]
    );
    assert_eq!(report["pain_points"], Value::Array(vec![]));

    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    for headline in ["−11 <small>± 57</small>", "44%", "4.0 <small>± 1.6</small>"] {
        assert!(html.contains(headline), "no {headline:?} in the HTML");
    }
    assert!(html.contains("no topics.json: run koe analyze with topics"));
    assert!(!html.contains("<img"), "a channel name became a tag");
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
    let markdown = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(
        markdown.contains("| NPS | −11 ± 57 † | −68 to +46 | 9 |"),
        "{markdown}"
    );
    assert!(!markdown.contains("<img"));
}

#[test]
fn topics_become_pain_points_and_comments_stay_text() {
    let dir = tempfile::tempdir().unwrap();
    let out = analyse(dir.path());
    std::fs::write(current(&out, Part::Topics), topics_json()).unwrap();
    let elsewhere = dir.path().join("reports");
    let stdout = report(&[
        out.to_str().unwrap(),
        "--out-dir",
        elsewhere.to_str().unwrap(),
        "--period",
        "week",
        "--json",
    ]);
    let report = json(&stdout);
    assert_eq!(
        json(&std::fs::read(elsewhere.join("report.json")).unwrap()),
        report
    );
    assert!(
        !out.join("report.html").exists(),
        "--out-dir writes elsewhere"
    );
    assert_eq!(report["metrics"]["period"], "week");
    assert_eq!(report["metrics"]["by_period"][0]["key"], "2026-W23");
    assert_eq!(report["pain_points"][0]["label"], "配送 <b>delay</b>");
    assert_eq!(report["positive_themes"][0]["label"], "満足");
    assert_eq!(report["topics_note"], Value::Null);

    let html = std::fs::read_to_string(elsewhere.join("report.html")).unwrap();
    let lower = html.to_lowercase();
    assert!(!lower.contains("<script"), "a comment became a script");
    assert!(!lower.contains("<b>delay"), "a label became markup");
    assert!(html.contains("&lt;script&gt;alert(&#39;koe&#39;)&lt;/script&gt; the store was fine"));
    assert!(html.contains("配送 &lt;b&gt;delay&lt;/b&gt;"));
    assert!(html.contains("emerging"));
    let markdown = std::fs::read_to_string(elsewhere.join("report.md")).unwrap();
    assert!(!markdown.to_lowercase().contains("<script"));
    assert!(markdown.contains("1. **配送 &lt;b&gt;delay&lt;/b&gt;** (emerging ↑)"));
}

#[test]
fn an_unreadable_topics_file_leaves_topics_out_with_a_note() {
    let dir = tempfile::tempdir().unwrap();
    let out = analyse(dir.path());
    std::fs::write(current(&out, Part::Topics), "{ not json").unwrap();
    let prefix = dir.path().join("q3/summary");
    report(&[out.to_str().unwrap(), "--out", prefix.to_str().unwrap()]);
    let report = json(&std::fs::read(dir.path().join("q3/summary.json")).unwrap());
    let note = report["topics_note"].as_str().unwrap();
    assert!(
        note.contains("topics.json") && note.contains("not a file koe can read"),
        "{note}"
    );
    assert!(dir.path().join("q3/summary.html").is_file());
    assert!(dir.path().join("q3/summary.md").is_file());
}

#[test]
fn a_folder_without_an_index_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let stderr = run_err(koe().arg("report").arg(dir.path()));
    assert!(stderr.contains("koe analyze"), "{stderr}");
}
