//! `koe report`: an analysis folder → report.html, report.md and report.json, and a short
//! summary on stdout.

use std::fmt::Write;
use std::path::PathBuf;

use anyhow::Context;

use koe::analysis::AnalysisDir;
use koe::report::format::{self, NONE, count, signed};
use koe::report::{Period, Report};

use super::output::{emit, print_json};

/// Write a report an analyst can read: headline figures, trends, pain points.
///
/// Reads every record of an index written by `koe analyze` and computes NPS (% promoters
/// 9–10 − % detractors 0–6), CSAT (share of 4–5 star ratings), CES (mean 1–7 effort
/// answer), mean sentiment and share negative — overall and by channel, journey stage,
/// product and month (or week), each with its count and a 95% confidence interval;
/// figures on fewer than 30 answers are flagged as small. Pain points and positive
/// themes come from DIR/topics.json when the topics stage wrote one.
///
/// Writes three files: report.html (self-contained: charts, heat map, tables; open it in
/// any browser, no network needed), report.md and report.json (the figures, for
/// programs), into DIR unless --out or --out-dir says otherwise.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  koe report out/demo
  koe report out/demo --period week --out-dir reports/
  koe report out/demo --out reports/2026-q3 --json")]
pub struct Args {
    /// Output folder of `koe analyze` (its current generation is reported).
    #[arg(value_name = "DIR")]
    dir: PathBuf,

    /// Write PREFIX.html, PREFIX.md and PREFIX.json instead of DIR/report.*.
    #[arg(long, value_name = "PREFIX", conflicts_with = "out_dir")]
    out: Option<PathBuf>,

    /// Write report.html, report.md and report.json into this folder instead of DIR.
    #[arg(long, value_name = "FOLDER")]
    out_dir: Option<PathBuf>,

    /// Period of the trends and of the by-period table: month (YYYY-MM) or week
    /// (ISO 8601, YYYY-Www). Periods are in UTC.
    #[arg(long, default_value = "month", value_name = "PERIOD")]
    period: Period,

    /// Print the report (report.json's content) on stdout instead of a summary.
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let folder = AnalysisDir::new(&args.dir);
    let generation = folder.current()?;
    let index = generation.open_records()?;
    let report = Report::build(&generation, &index, args.period)
        .with_context(|| format!("cannot read the records of {}", args.dir.display()))?;
    let prefix = match (&args.out, &args.out_dir) {
        (Some(prefix), _) => prefix.clone(),
        (None, Some(folder)) => folder.join("report"),
        (None, None) => folder.report_prefix(),
    };
    let written = report.write(&prefix)?;
    if args.json {
        return print_json(&report);
    }
    let mut text = render_summary(&report);
    let _ = writeln!(
        text,
        "  wrote      {}\n             {}\n             {}",
        written.html.display(),
        written.markdown.display(),
        written.json.display()
    );
    emit(&text)
}

fn render_summary(report: &Report) -> String {
    let m = &report.metrics;
    let all = &m.overall;
    let mut text = String::new();
    let span = match (&m.first_date, &m.last_date) {
        (Some(first), Some(last)) => format!(", {} to {}", format::day(first), format::day(last)),
        _ => String::new(),
    };
    let _ = writeln!(text, "koe report: {} records{span}", count(all.records));
    let small = |is_small: bool| if is_small { "  (small sample)" } else { "" };
    let nps = all.nps.as_ref().map_or(NONE.to_string(), |n| {
        format!("{:<12} n={}{}", format::nps(n), count(n.n), small(n.small))
    });
    let _ = writeln!(text, "  NPS        {nps}");
    let csat = all.csat.as_ref().map_or(NONE.to_string(), |s| {
        format!(
            "{:<12} 95% CI {} · n={}{}",
            format::percent(s),
            format::percent_ci(s),
            count(s.n),
            small(s.small)
        )
    });
    let _ = writeln!(text, "  CSAT       {csat}");
    let ces = all.ces.as_ref().map_or(NONE.to_string(), |c| {
        format!(
            "{:<12} n={}{}",
            format::mean(c, 1, false),
            count(c.n),
            small(c.small)
        )
    });
    let _ = writeln!(text, "  CES        {ces}");
    let sentiment = all
        .sentiment
        .as_ref()
        .map_or(NONE.to_string(), |s| signed(s.mean, 2));
    let negative = all
        .negative
        .as_ref()
        .map_or(NONE.to_string(), format::percent);
    let _ = writeln!(text, "  sentiment  {sentiment:<12} {negative} negative");
    match &report.topics_note {
        Some(note) => {
            let _ = writeln!(text, "  topics     {note}");
        }
        None => {
            let top: Vec<String> = report
                .pain_points
                .iter()
                .take(3)
                .map(|t| t.title())
                .collect();
            let _ = writeln!(
                text,
                "  pain points {}{}{}",
                report.pain_points.len(),
                if top.is_empty() { "" } else { ": " },
                top.join(" · ")
            );
        }
    }
    text
}
