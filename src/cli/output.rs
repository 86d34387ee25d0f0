//! Output helpers shared by subcommands: JSON for programs, progress for people.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;

use koe::pipeline::{Progress, Stage};

/// One line on where a run is.
fn describe(p: &Progress, elapsed: Duration) -> String {
    let rate = p.records_read as f64 / elapsed.as_secs_f64().max(1e-3);
    match p.stage {
        Stage::ReadingIds => "reading record ids".to_string(),
        Stage::LearningSentiment => format!(
            "{} records read ({rate:.0}/s); looking for ratings to learn sentiment from",
            p.records_read
        ),
        Stage::Carrying => format!(
            "{} records read; analysing the previous generation's records again",
            p.records_read
        ),
        Stage::Analysing => format!(
            "{} records read ({rate:.0}/s), {} rejected",
            p.records_read, p.rejected
        ),
        Stage::FittingTopics => format!("{} records read; finding topics", p.records_read),
        Stage::Indexing => format!("indexing: {} of {} records", p.indexed, p.records_read),
    }
}

/// Writes text for people on stdout (an error, not a panic, if stdout is closed).
pub fn emit(text: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(())
}

/// Prints a value as pretty JSON on stdout.
pub fn print_json(value: &impl Serialize) -> anyhow::Result<()> {
    let mut json = serde_json::to_string_pretty(value)?;
    json.push('\n');
    emit(&json)
}

/// A progress bar over input bytes on a terminal; a log line every few seconds otherwise.
pub enum ProgressDisplay {
    Bar(ProgressBar),
    Log { started: Instant, last: Instant },
    Quiet,
}

impl ProgressDisplay {
    pub fn new(total_bytes: u64, quiet: bool) -> Self {
        if quiet {
            return ProgressDisplay::Quiet;
        }
        if !std::io::stderr().is_terminal() {
            let now = Instant::now();
            return ProgressDisplay::Log {
                started: now,
                last: now,
            };
        }
        let bar = ProgressBar::new(total_bytes);
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} · {msg} · ETA {eta}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar.enable_steady_tick(Duration::from_millis(200));
        ProgressDisplay::Bar(bar)
    }

    pub fn update(&mut self, p: Progress) {
        match self {
            ProgressDisplay::Bar(bar) => {
                bar.set_position(p.bytes_read);
                bar.set_message(describe(&p, bar.elapsed()));
            }
            ProgressDisplay::Log { started, last } => {
                if last.elapsed() >= Duration::from_secs(5)
                    || !matches!(p.stage, Stage::Analysing | Stage::LearningSentiment)
                {
                    *last = Instant::now();
                    eprintln!("koe: {}", describe(&p, started.elapsed()));
                }
            }
            ProgressDisplay::Quiet => {}
        }
    }

    pub fn finish(self) {
        if let ProgressDisplay::Bar(bar) = self {
            bar.finish_and_clear();
        }
    }
}

/// A bar on stderr for work of `total` units; hidden with `quiet` or when stderr is not a
/// terminal.
pub fn progress_bar(total: u64, quiet: bool) -> ProgressBar {
    if quiet || !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg:24} {wide_bar} {pos}/{len} · ETA {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    bar
}
