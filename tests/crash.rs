//! The crash test: `koe analyze` killed with SIGKILL at several points of a real run
//! (the demo corpus, with topics), and after each kill the readers see exactly the
//! generation before the run or the one it was writing — never a mix, never nothing —
//! and the next run clears what the dead one left.
//!
//! Each kill point is a state of the output folder the test polls for (every
//! millisecond) before it kills, plus one at a random time; a run that gets past a point
//! before the test sees it completes, and is checked the same way. `KOE_CRASH_ROUNDS=N`
//! repeats the points N times (default 1); see the README for the 100-run command.

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::Value;

mod common;

use common::{corpus, koe, koe_process, run_json, run_ok, staging, wait_until, write};
use koe::analysis::{AnalysisDir, Part};

/// What readers see of a folder: search facets over every record, the topics, and the
/// summary's counts. A generation mixed of two runs differs from both runs' views.
#[derive(Debug, PartialEq)]
struct View {
    search: Value,
    topics: Value,
    summary: (Value, Value, Value),
}

fn view(out: &Path) -> View {
    let search = run_json(
        koe()
            .arg("search")
            .arg(out)
            .args(["--json", "--limit", "0"]),
    );
    let topics = run_json(koe().arg("topics").arg(out).arg("--json"));
    let generation = AnalysisDir::new(out).current().unwrap();
    let summary: Value = generation.read_json(Part::Summary).unwrap().unwrap();
    View {
        search,
        topics,
        summary: (
            summary["indexed"].clone(),
            summary["topics"].clone(),
            summary["inputs"].clone(),
        ),
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Where in a run to kill it: a state of the output folder, or a time after the start.
#[derive(Debug)]
enum Point {
    /// The lock is held and the staging folder made.
    Begun,
    /// A batch of records is analysed and spilled.
    Analysing,
    /// The topics are fitted (topics.json staged); the index is being written.
    Indexing,
    /// Everything is staged (summary.json is written last).
    Staged,
    /// The staging folder is renamed to its generation; the pointer may not be replaced.
    Renamed,
    /// A random time within the run's length.
    AtRandom(Duration),
}

impl Point {
    fn reached(&self, out: &Path, started: Instant) -> bool {
        let staged = |part: Part| staging(out).is_some_and(|s| s.join(part.file_name()).exists());
        match self {
            Point::Begun => staging(out).is_some(),
            Point::Analysing => staging(out)
                .and_then(|s| std::fs::metadata(s.join(Part::Spill.file_name())).ok())
                .is_some_and(|m| m.len() > 0),
            Point::Indexing => staged(Part::Topics),
            Point::Staged => staged(Part::Summary),
            Point::Renamed => out.join("gen-000002").exists(),
            Point::AtRandom(after) => started.elapsed() >= *after,
        }
    }
}

/// A seed from the clock: each test run kills at other random times.
fn random_fraction(state: &mut u64) -> f64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    (*state % 10_000) as f64 / 10_000.0
}

#[test]
fn a_run_killed_anywhere_leaves_the_old_generation_or_the_new() {
    let rounds: usize = std::env::var("KOE_CRASH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(1);
    let dir = tempfile::tempdir().unwrap();
    let demo = std::fs::read_to_string(common::DEMO).unwrap();
    let first: String = demo.lines().take(60).map(|l| format!("{l}\n")).collect();
    let old_input = write(dir.path(), "old.jsonl", first);
    let new_input = corpus(dir.path(), 1);
    let tiny = write(
        dir.path(),
        "tiny.jsonl",
        "{\"id\":\"t\",\"text\":\"届きました\"}\n",
    );

    // The two generations a reader may see: before the run, and after it.
    let old_ref = dir.path().join("old-ref");
    run_ok(
        koe()
            .arg("analyze")
            .arg(&old_input)
            .arg("--out")
            .arg(&old_ref)
            .arg("--quiet"),
    );
    let new_ref = dir.path().join("new-ref");
    copy_dir(&old_ref, &new_ref);
    let started = Instant::now();
    run_ok(
        koe()
            .arg("analyze")
            .arg(&new_input)
            .arg("--out")
            .arg(&new_ref)
            .args(["--quiet", "--batch-size", "64"]),
    );
    let run_length = started.elapsed();
    let (old, new) = (view(&old_ref), view(&new_ref));
    assert_ne!(old, new);

    let mut seed = (std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64)
        | 1;
    let (mut saw_old, mut saw_new) = (0, 0);
    for round in 0..rounds {
        let at_random = run_length.mul_f64(1.1 * random_fraction(&mut seed));
        let points = [
            Point::Begun,
            Point::Analysing,
            Point::Indexing,
            Point::Staged,
            Point::Renamed,
            Point::AtRandom(at_random),
        ];
        for (i, point) in points.iter().enumerate() {
            let out = dir.path().join(format!("crash-{round}-{i}"));
            copy_dir(&old_ref, &out);
            let mut run = koe_process()
                .arg("analyze")
                .arg(&new_input)
                .arg("--out")
                .arg(&out)
                .args(["--quiet", "--batch-size", "64"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            let started = Instant::now();
            let caught = wait_until(&mut run, || point.reached(&out, started));
            if caught && matches!(point, Point::Analysing) {
                // A reader while the run is alive sees the old generation.
                assert_eq!(view(&out), old, "a reader during the run");
            }
            let _ = run.kill(); // SIGKILL
            let status = run.wait().unwrap();
            let seen = view(&out);
            let which = if seen == old { "old" } else { "new" };
            eprintln!("crash test: {point:?}: killed {caught} ({status}), readers see the {which}");
            if seen == old {
                saw_old += 1;
            } else if seen == new {
                saw_new += 1;
            } else {
                panic!(
                    "round {round}, point {i} (killed: {caught}, {status}): a reader sees neither \
                     generation:\n{seen:#?}"
                );
            }
            // The next run removes what the killed one left, and publishes.
            let next = run_json(
                koe()
                    .args([
                        "analyze",
                        &tiny,
                        "--no-topics",
                        "--json",
                        "--quiet",
                        "--out",
                    ])
                    .arg(&out),
            );
            assert_eq!(staging(&out), None, "round {round}, point {i}");
            let generations = common::names(&out)
                .into_iter()
                .filter(|n| n.starts_with("gen-"))
                .count();
            assert!(generations <= 2, "round {round}, point {i}: {generations}");
            assert_eq!(next["indexed"], 1);
            std::fs::remove_dir_all(&out).unwrap();
        }
    }
    eprintln!(
        "crash test: {} kills over {rounds} round(s) of a {:.1} s run: {saw_old} saw the old \
         generation, {saw_new} the new",
        saw_old + saw_new,
        run_length.as_secs_f64()
    );
    assert!(saw_old > 0, "no kill landed before the publish");
}
