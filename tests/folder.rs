//! End to end: what `koe analyze` does to its output folder when runs repeat, overlap,
//! append, fail, or are stopped — and what it refuses to touch.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use serde_json::Value;

mod common;

use common::{
    corpus, current, json, koe, koe_process, names, run_err, run_json, signal, staging, wait_until,
    write,
};
use koe::analysis::Part;

const FIRST: &str = r#"{"id":"a1","text":"配送がとても遅かったです。","rating":2,"created_at":"2026-06-01"}
{"id":"a2","text":"The parcel arrived late and damaged.","rating":1,"created_at":"2026-06-02"}
{"id":"a3","text":"スタッフの対応が丁寧でした。","rating":5,"created_at":"2026-06-03"}
{"id":"a4","text":"Checkout was quick and easy.","rating":5,"created_at":"2026-06-04"}
"#;

/// An update of a2 (a corrected comment) and two new records.
const SECOND: &str = r#"{"id":"a2","text":"The parcel arrived on time after all, thank you.","rating":4,"created_at":"2026-06-02"}
{"id":"b1","text":"返品の手続きが面倒でした。","rating":2,"created_at":"2026-07-01"}
{"id":"b2","text":"Great support on the phone.","rating":5,"created_at":"2026-07-02"}
"#;

fn analyse(out: &Path, inputs: &[&str], extra: &[&str]) -> Value {
    run_json(
        koe()
            .arg("analyze")
            .args(inputs)
            .arg("--out")
            .arg(out)
            .args(["--json", "--quiet"])
            .args(extra),
    )
}

fn search(out: &Path, args: &[&str]) -> Value {
    run_json(koe().arg("search").arg(out).args(args).arg("--json"))
}

/// Id → text of every record.
fn records(out: &Path) -> Vec<(String, String)> {
    let all = search(out, &["--limit", "100"]);
    let mut records: Vec<(String, String)> = all["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            let text = h["text"].as_str().unwrap().to_string();
            (h["id"].as_str().unwrap().to_string(), text)
        })
        .collect();
    records.sort();
    records
}

fn generation(out: &Path) -> u64 {
    koe::analysis::AnalysisDir::new(out)
        .current()
        .unwrap()
        .number()
}

fn rejects(out: &Path) -> Vec<Value> {
    std::fs::read_to_string(current(out, Part::Rejects))
        .unwrap()
        .lines()
        .map(|l| json(l.as_bytes()))
        .collect()
}

#[test]
fn append_updates_ids_it_has_adds_the_others_and_refits_the_whole_corpus() {
    let dir = tempfile::tempdir().unwrap();
    let first = write(dir.path(), "first.jsonl", FIRST);
    let second = write(dir.path(), "second.jsonl", SECOND);
    let out = dir.path().join("out");
    analyse(&out, &[&first], &[]);

    let summary = analyse(&out, &[&second], &["--append"]);
    assert_eq!(summary["generation"], 2);
    assert_eq!(
        summary["append"],
        serde_json::json!({"previous_generation": 1, "kept": 3, "updated": 1, "added": 2})
    );
    assert_eq!(summary["indexed"], 6);
    assert_eq!(summary["records_read"], 3, "this run's inputs");
    let corpus: Vec<&str> = summary["corpus"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(corpus, [first.as_str(), second.as_str()]);
    let records = records(&out);
    let ids: Vec<&str> = records.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(ids, ["a1", "a2", "a3", "a4", "b1", "b2"], "no id twice");
    assert!(records[1].1.contains("on time after all"), "a2 updated");
    // Topics are fitted again over the whole corpus, not over the new records alone.
    let topics = run_json(koe().arg("topics").arg(&out).arg("--json"));
    assert_eq!(topics["overall"]["docs"], 6);
    // The carried records keep where they came from.
    let a1 = search(&out, &["配送"]);
    assert_eq!(a1["hits"][0]["origin"], format!("{first}:1"));

    // The same bytes again, under any name, would count nothing new: refused.
    let copy = write(dir.path(), "second-again.jsonl", SECOND);
    for input in [&second, &copy] {
        let stderr = run_err(
            koe()
                .args(["analyze", input.as_str(), "--append", "--quiet", "--out"])
                .arg(&out),
        );
        assert!(stderr.contains("already read"), "{stderr}");
    }
    assert_eq!(generation(&out), 2);

    // Without --append a run replaces the analysis.
    let summary = analyse(&out, &[&second], &[]);
    assert_eq!(
        (summary["indexed"].as_u64(), summary["append"].is_null()),
        (Some(3), true)
    );
}

#[test]
fn records_sharing_an_id_are_kept_once_by_the_chosen_rule() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(
        dir.path(),
        "dupes.jsonl",
        "{\"id\":\"x\",\"text\":\"最初の版です。\"}\n\
         {\"id\":\"y\",\"text\":\"Another comment.\"}\n\
         {\"id\":\"x\",\"text\":\"The corrected comment.\"}\n",
    );
    let out = dir.path().join("out");
    let summary = analyse(&out, &[&input], &["--no-topics"]);
    assert_eq!(
        (summary["indexed"].as_u64(), summary["rejected"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(summary["duplicate_ids"], "last");
    assert_eq!(records(&out)[0].1, "The corrected comment.");
    let reject = &rejects(&out)[0];
    assert_eq!(
        (reject["line"].as_u64(), reject["reason"].as_str()),
        (Some(1), Some("duplicate_id"))
    );
    assert!(
        reject["detail"]
            .as_str()
            .unwrap()
            .contains(&format!("{input}:3")),
        "{reject}"
    );

    analyse(
        &out,
        &[&input],
        &["--no-topics", "--duplicate-ids", "first"],
    );
    assert_eq!(records(&out)[0].1, "最初の版です。");
    assert_eq!(rejects(&out)[0]["line"], 3);

    let stderr = run_err(
        koe()
            .args([
                "analyze",
                &input,
                "--no-topics",
                "--duplicate-ids",
                "error",
                "--out",
            ])
            .arg(&out),
    );
    assert!(
        stderr.contains("\"x\"") && stderr.contains(&format!("{input}:1")),
        "{stderr}"
    );
    assert_eq!(generation(&out), 2, "nothing published");
}

#[test]
fn the_same_input_twice_is_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(dir.path(), "a.jsonl", FIRST);
    let again = dir.path().join(".").join("a.jsonl");
    let copy = write(dir.path(), "copy.jsonl", FIRST);
    let out = dir.path().join("out");
    let stderr = run_err(
        koe()
            .args(["analyze", &input])
            .arg(&again)
            .arg("--out")
            .arg(&out),
    );
    assert!(stderr.contains("give each input once"), "{stderr}");
    assert!(!out.exists());
    let stderr = run_err(koe().args(["analyze", &input, &copy, "--out"]).arg(&out));
    assert!(stderr.contains("copy.jsonl"), "{stderr}");
    assert!(!out.join(Part::Summary.file_name()).exists());
}

#[test]
fn an_input_inside_the_output_folder_is_refused_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(dir.path(), "a.jsonl", format!("{FIRST}not json\n"));
    let out = dir.path().join("out");
    analyse(&out, &[&input], &["--no-topics"]);
    let rejects = current(&out, Part::Rejects);
    let before = std::fs::read(&rejects).unwrap();
    assert!(!before.is_empty());
    let stderr = run_err(koe().arg("analyze").arg(&rejects).arg("--out").arg(&out));
    assert!(stderr.contains("inside the output folder"), "{stderr}");
    assert_eq!(std::fs::read(&rejects).unwrap(), before);
}

#[test]
fn a_folder_koe_did_not_make_is_never_emptied() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(dir.path(), "a.jsonl", FIRST);
    let mine = dir.path().join("mine");
    std::fs::create_dir_all(mine.join("index")).unwrap();
    std::fs::write(mine.join("index/thesis.tex"), "years of work").unwrap();
    let stderr = run_err(koe().args(["analyze", &input, "--out"]).arg(&mine));
    assert!(stderr.contains("not made by koe"), "{stderr}");
    assert_eq!(names(&mine), ["index"]);
    assert_eq!(
        std::fs::read_to_string(mine.join("index/thesis.tex")).unwrap(),
        "years of work"
    );
}

#[test]
fn a_run_that_fails_leaves_the_previous_generation_as_it_was() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let input = write(dir.path(), "a.jsonl", FIRST);
    let out = dir.path().join("out");
    analyse(&out, &[&input], &[]);
    let summary = std::fs::read(current(&out, Part::Summary)).unwrap();
    let topics = std::fs::read(current(&out, Part::Topics)).unwrap();

    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(SECOND.repeat(50).as_bytes()).unwrap();
    let bytes = gz.finish().unwrap();
    let truncated = write(dir.path(), "cut.jsonl.gz", &bytes[..bytes.len() / 2]);
    let stderr = run_err(koe().args(["analyze", &truncated, "--out"]).arg(&out));
    assert!(stderr.contains("cut.jsonl.gz"), "{stderr}");
    assert_eq!(generation(&out), 1);
    assert_eq!(
        std::fs::read(current(&out, Part::Summary)).unwrap(),
        summary
    );
    assert_eq!(std::fs::read(current(&out, Part::Topics)).unwrap(), topics);
    assert_eq!(records(&out).len(), 4);
    assert_eq!(staging(&out), None, "the failed run's staging is gone");
}

/// Starts `koe analyze` on a corpus long enough to be caught while it analyses.
fn start_long_run(dir: &Path, out: &Path, extra: &[&str]) -> std::process::Child {
    let corpus = corpus(dir, 1);
    koe_process()
        .arg("analyze")
        .arg(&corpus)
        .arg("--out")
        .arg(out)
        .args(["--quiet", "--batch-size", "16"])
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// True once the run writing into `out` has analysed a batch.
fn analysing(out: &Path) -> bool {
    staging(out)
        .and_then(|s| std::fs::metadata(s.join(Part::Spill.file_name())).ok())
        .is_some_and(|m| m.len() > 0)
}

#[test]
fn ctrl_c_and_sigterm_stop_a_run_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(dir.path(), "a.jsonl", FIRST);
    let out = dir.path().join("out");
    analyse(&out, &[&input], &[]);
    let before = names(&out);
    for (name, code) in [("TERM", 143), ("INT", 130)] {
        let mut run = start_long_run(dir.path(), &out, &[]);
        assert!(
            wait_until(&mut run, || analysing(&out)),
            "the run ended first"
        );
        signal(&run, name);
        let output = run.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(code), "SIG{name}: {stderr}");
        assert!(stderr.contains("interrupted"), "{stderr}");
        assert_eq!(names(&out), before, "SIG{name} left something behind");
        assert_eq!(generation(&out), 1);
        assert_eq!(records(&out).len(), 4);
    }
}

#[test]
fn a_second_writer_fails_naming_the_first_or_waits_and_readers_never_block() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(dir.path(), "a.jsonl", FIRST);
    let out = dir.path().join("out");
    analyse(&out, &[&input], &[]);
    let mut first = start_long_run(dir.path(), &out, &[]);
    assert!(
        wait_until(&mut first, || analysing(&out)),
        "the run ended first"
    );

    let stderr = run_err(koe().args(["analyze", &input, "--out"]).arg(&out));
    assert!(
        stderr.contains(&format!("pid {}", first.id())) && stderr.contains("--wait"),
        "{stderr}"
    );
    // Readers are not blocked, and see the generation before the run.
    assert_eq!(records(&out).len(), 4);

    let waiting = koe_process()
        .args([
            "analyze",
            &input,
            "--wait",
            "--quiet",
            "--json",
            "--no-topics",
            "--out",
        ])
        .arg(&out)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let first = first.wait_with_output().unwrap();
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let waited = waiting.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&waited.stderr);
    assert!(waited.status.success(), "{stderr}");
    assert!(stderr.contains("waiting for it"), "{stderr}");
    assert_eq!(json(&waited.stdout)["generation"], 3, "after the first");
    assert_eq!(generation(&out), 3);
    let kept: Vec<PathBuf> = ["gen-000002", "gen-000003"]
        .iter()
        .map(|g| out.join(g))
        .collect();
    assert!(kept.iter().all(|g| g.is_dir()));
    assert!(!out.join("gen-000001").exists(), "pruned");
}
