//! `koe topics`: the pain-point table of an analysis, from its `topics.json`.

use std::path::PathBuf;

use anyhow::Context;

use koe::analysis::{AnalysisDir, Part};
use koe::topics::{Topics, render_quality, render_table};

use super::output::{emit, print_json};

/// Show the topics found by `koe analyze`, ranked by impact.
///
/// Each topic is a theme of the feedback (by clause, so a record about late delivery and
/// kind staff counts in both), labelled by its top terms (c-TF-IDF) in Japanese and/or
/// English. Columns: records and share, percent negative on the topic, NPS of its records
/// against the overall NPS, impact (how much the overall NPS would rise if the topic's
/// negative detractors were passives; mean rating or share negative when there is no
/// NPS), the trend of its share per month with its slope, and whether it is emerging.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  koe topics out/demo
  koe topics out/demo --limit 5 --eval
  koe topics out/demo --json")]
pub struct Args {
    /// Output folder of `koe analyze` (its current generation holds topics.json).
    #[arg(value_name = "DIR")]
    dir: PathBuf,

    /// Print the topics as JSON (terms, trend, breakdowns, examples included).
    #[arg(long)]
    json: bool,

    /// Also print topic quality: NPMI coherence per topic and diversity.
    #[arg(long)]
    eval: bool,

    /// Show only the first N topics.
    #[arg(long, short = 'n', value_name = "N")]
    limit: Option<usize>,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let generation = AnalysisDir::new(&args.dir).current()?;
    let mut topics: Topics = generation.topics()?.with_context(|| {
        format!(
            "{} has no {} (run `koe analyze` first, without --no-topics)",
            args.dir.display(),
            Part::Topics.file_name()
        )
    })?;
    if args.json {
        if let Some(limit) = args.limit {
            topics.topics.truncate(limit);
        }
        return print_json(&topics);
    }
    let mut text = render_table(&topics, args.limit);
    if args.eval {
        text.push('\n');
        text.push_str(&render_quality(&topics, args.limit));
    }
    emit(&text)
}
