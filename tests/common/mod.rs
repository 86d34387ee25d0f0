//! Helpers shared by the integration tests: run the koe binary, check how it ended,
//! read its JSON.
#![allow(dead_code)] // each test file uses some of them

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

/// The demo corpus (400 Japanese and English records).
pub const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/corpora/shop-feedback.jsonl");

pub fn koe() -> Command {
    Command::cargo_bin("koe").unwrap()
}

/// Runs `cmd` and returns its stdout; fails the test, with the command's stderr, unless
/// it succeeded.
pub fn run_ok(cmd: &mut Command) -> Vec<u8> {
    let output = cmd.output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

/// Runs `cmd` and parses its stdout as JSON.
pub fn run_json(cmd: &mut Command) -> Value {
    json(&run_ok(cmd))
}

/// Runs `cmd` and returns its stderr; fails the test if it succeeded.
pub fn run_err(cmd: &mut Command) -> String {
    let output = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(!output.status.success(), "succeeded: {stderr}");
    stderr
}

pub fn json(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(bytes)))
}

/// Writes `dir/name` and returns its path as a string, for arguments.
pub fn write(dir: &Path, name: &str, content: impl AsRef<[u8]>) -> String {
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    path.to_str().unwrap().to_string()
}

/// Where `part` of the current generation of the output folder `out` is.
pub fn current(out: &Path, part: koe::analysis::Part) -> PathBuf {
    koe::analysis::AnalysisDir::new(out)
        .current()
        .unwrap()
        .path(part)
}

/// The demo corpus `copies` times over (ids made unique), as `dir/corpus-N.jsonl`: a run
/// long enough to be caught in the middle.
pub fn corpus(dir: &Path, copies: usize) -> PathBuf {
    let demo = std::fs::read_to_string(DEMO).unwrap();
    let mut out = String::with_capacity(demo.len() * copies);
    for copy in 0..copies {
        for line in demo.lines() {
            out.push_str(&line.replacen("\"id\": \"fb-", &format!("\"id\": \"c{copy}-"), 1));
            out.push('\n');
        }
    }
    let path = dir.join(format!("corpus-{copies}.jsonl"));
    std::fs::write(&path, out).unwrap();
    path
}

/// The staging folder of a run writing into `out`, once it has one.
pub fn staging(out: &Path) -> Option<PathBuf> {
    std::fs::read_dir(out)
        .ok()?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(".staging-"))
        })
}

/// Waits (polling every millisecond, at most two minutes) until `ready` holds; false if
/// `child` ended first.
pub fn wait_until(child: &mut std::process::Child, mut ready: impl FnMut() -> bool) -> bool {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while std::time::Instant::now() < deadline {
        if ready() {
            return true;
        }
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    panic!("waited two minutes");
}

/// Sends `signal` (`TERM`, `INT`, `KILL`) to a child process.
pub fn signal(child: &std::process::Child, signal: &str) {
    let status = std::process::Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(child.id().to_string())
        .status()
        .unwrap();
    assert!(status.success(), "kill -{signal}");
}

/// The `koe` binary as a plain `std::process::Command`, for runs a test starts and
/// watches.
pub fn koe_process() -> std::process::Command {
    std::process::Command::new(env!("CARGO_BIN_EXE_koe"))
}

/// The names in a folder, sorted.
pub fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}
