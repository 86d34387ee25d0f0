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
