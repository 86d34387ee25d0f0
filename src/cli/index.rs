//! `koe index`: work on the index of analyses as a whole (`koe index merge`).

use std::path::PathBuf;

use anyhow::Context;

use koe::pipeline::merge;

use super::output::{emit, print_json};

/// Work on analysis folders' indexes.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    Merge(MergeArgs),
}

/// Join analyses of shards of one corpus into one searchable analysis.
///
/// Each SHARD is an analysis folder of one part of a corpus (one Spark partition; see the
/// README's "Scaling"), all analysed alike: the same sentiment model and the same topic
/// model, fitted once and applied to each part with `koe analyze PART --topics-from MODEL
/// --no-candidate-topics`. Their indexes are merged into one (Tantivy's segment merge),
/// their rejects and records.parquet concatenated, their counts summed and their topic
/// figures combined, into a new generation of OUT, published whole: `koe search`,
/// `topics`, `report` and `serve` then open OUT as one analysis. Shards analysed
/// otherwise (another model, other settings, candidate topics) are refused, naming the
/// shard and what differs; nothing is written then.
#[derive(Debug, clap::Args)]
#[command(after_help = "Example:
  koe index merge shards/part-0 shards/part-1 --out out/merged")]
struct MergeArgs {
    /// Analysis folders of the shards (their current generations are read).
    #[arg(required = true, value_name = "SHARD")]
    shards: Vec<PathBuf>,

    /// Output folder: a new, empty or koe analysis folder; the merge is its next
    /// generation.
    #[arg(long, short, value_name = "DIR")]
    out: PathBuf,

    /// Print the merged summary as JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    match args.command {
        Command::Merge(args) => run_merge(args),
    }
}

fn run_merge(args: MergeArgs) -> anyhow::Result<()> {
    let merged = merge::merge(&args.shards, &args.out).context("koe index merge")?;
    if args.json {
        return print_json(&merged.summary);
    }
    let s = &merged.summary;
    let topics = match s["topics"].as_u64() {
        Some(n) => format!(", {n} topics"),
        None => String::new(),
    };
    emit(&format!(
        "merged {} shards into {} (generation {}): {} records indexed, {} rejected{topics}\n",
        args.shards.len(),
        args.out.display(),
        merged.generation.number(),
        s["indexed"],
        s["rejected"],
    ))
}
