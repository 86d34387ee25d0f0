//! The `koe` command line: one file per subcommand, flags defined here with their help.
//!
//! The CLI wires library stages together and owns nothing else; errors become `anyhow`
//! messages here and exit codes in `main.rs`.

mod analyze;
mod eval;
mod index;
mod output;
mod report;
mod search;
mod serve;
mod topics;
mod train;

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{Parser, Subcommand};

use koe::TextAnalyzer;
use koe::text::dictionary;

/// koe (声) — voice-of-customer text mining for Japanese and English feedback.
///
/// Analyse review dumps, survey comments, support tickets and social posts: sentiment per
/// sentence and record, searchable with filters and facets.
#[derive(Debug, Parser)]
#[command(name = "koe", version, propagate_version = true, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    Analyze(Box<analyze::Args>),
    Search(search::Args),
    Topics(topics::Args),
    Report(report::Args),
    Serve(serve::Args),
    Eval(eval::Args),
    Train(train::Args),
    Index(index::Args),
}

/// Where the Japanese dictionary lives; shared by every subcommand that tokenizes.
#[derive(Debug, clap::Args)]
struct DictionaryArgs {
    /// Folder of the lindera IPADIC dictionary (default: $KOE_DICTIONARY, else
    /// ~/.cache/koe/). Built there from Debian's mecab-ipadic source
    /// (/usr/share/mecab/dic/ipadic, or $KOE_IPADIC_SOURCE) the first time it is needed.
    #[arg(long, value_name = "DIR")]
    dictionary: Option<PathBuf>,
}

impl DictionaryArgs {
    fn load_analyzer(&self) -> anyhow::Result<TextAnalyzer> {
        let dir = self
            .dictionary
            .clone()
            .unwrap_or_else(dictionary::default_dir);
        if !is_built(&dir) {
            eprintln!(
                "koe: building the Japanese dictionary into {} (once; a few seconds)",
                dir.display()
            );
        }
        TextAnalyzer::load(Some(&dir)).context("cannot load the Japanese dictionary")
    }
}

fn is_built(dir: &Path) -> bool {
    dir.join("metadata.json").is_file()
}

pub fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Analyze(args) => analyze::run(*args),
        Command::Search(args) => search::run(args),
        Command::Topics(args) => topics::run(args),
        Command::Report(args) => report::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Eval(args) => eval::run(args),
        Command::Train(args) => train::run(args),
        Command::Index(args) => index::run(args),
    }
}

/// Sizes the worker pool (`--threads`); one per core when not given.
fn use_threads(threads: Option<usize>) -> anyhow::Result<()> {
    if let Some(threads) = threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build_global()
            .context("cannot set up worker threads")?;
    }
    Ok(())
}
