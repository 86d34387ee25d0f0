//! `koe topics`: the themes and pain points of an analysis, from its `topics.json`.

use std::path::PathBuf;

use anyhow::Context;
use serde::Serialize;

use koe::analysis::{AnalysisDir, Generation, Part};
use koe::eval::themes::{ThemeScores, read_gold, record_themes, score};
use koe::pipeline::read_corpus;
use koe::topics::{Quality, TableLimits, Topics, render_quality, render_table};

use super::output::{emit, print_json};

/// Show the themes and sub-topics found by `koe analyze`, ranked by impact.
///
/// Themes partition the records: each record is in the one theme its whole text is about
/// (T0, T1, … in the table). Sub-topics are the pain points inside a theme, found clause by
/// clause, so a record about late delivery and kind staff counts in both (#0, #1, …). Each
/// is labelled by its top terms (the words most specific to it) in Japanese and/or English. Columns: records and
/// share, percent negative, NPS of its records against the overall NPS, impact (how much
/// the overall NPS would rise if its negative detractors were passives; mean rating or
/// share negative when there is no NPS), the trend of its share per month with its slope,
/// and whether it is emerging.
///
/// With --eval, topic quality (NPMI coherence and diversity of themes and sub-topics); with
/// --labels, also how the themes agree with gold categories (NMI and ARI).
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  koe topics out/demo
  koe topics out/demo --limit 5 --subtopics 3
  koe topics out/demo --eval --labels gold.tsv --json")]
pub struct Args {
    /// Output folder of `koe analyze` (its current generation holds topics.json).
    #[arg(value_name = "DIR")]
    dir: PathBuf,

    /// Print the topics as JSON (themes and sub-topics with terms, trend, breakdowns,
    /// examples); with --eval, the evaluation instead.
    #[arg(long)]
    json: bool,

    /// Evaluate: coherence (NPMI of the top 10 terms, co-occurrence in records) and
    /// diversity of themes and sub-topics, per theme; with --labels, NMI and ARI of the
    /// themes against gold categories.
    #[arg(long)]
    eval: bool,

    /// Gold categories for --eval: a TSV with a header and a `label` column, matched to
    /// the analysed records by an `id` column or, without one, by row order (the input's
    /// order; every record must have been analysed).
    #[arg(long, value_name = "FILE", requires = "eval")]
    labels: Option<PathBuf>,

    /// Show only the first N themes.
    #[arg(long, short = 'n', value_name = "N")]
    limit: Option<usize>,

    /// Show only the first N sub-topics of each theme.
    #[arg(long, value_name = "N")]
    subtopics: Option<usize>,
}

/// What `--eval --json` prints.
#[derive(Debug, Serialize)]
struct Evaluation {
    themes: usize,
    sub_topics: usize,
    theme_quality: Quality,
    sub_topic_quality: Quality,
    /// Against the gold labels, with --labels.
    gold: Option<ThemeScores>,
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
    let limits = TableLimits {
        themes: args.limit,
        topics: args.subtopics,
    };
    if args.eval {
        let gold = match &args.labels {
            Some(path) => Some(gold_scores(&generation, path)?),
            None => None,
        };
        let evaluation = Evaluation {
            themes: topics.themes.len(),
            sub_topics: topics.topics.len(),
            theme_quality: topics.theme_quality.clone(),
            sub_topic_quality: topics.quality.clone(),
            gold,
        };
        if args.json {
            return print_json(&evaluation);
        }
        let mut text = render_table(&topics, limits);
        text.push('\n');
        text.push_str(&render_quality(&topics, limits));
        if let Some(g) = &evaluation.gold {
            text.push_str(&format!(
                "\nthemes against {} ({} records matched by {}, {} classes): NMI {:.3} · ARI {:.3} · {} themes · outliers {} ({:.1}%)\n",
                g.gold_file,
                g.records,
                g.matched_by,
                g.gold_classes,
                g.nmi,
                g.ari,
                g.themes,
                g.outliers,
                100.0 * g.outlier_share
            ));
        }
        return emit(&text);
    }
    if args.json {
        if let Some(limit) = args.limit {
            topics.themes.truncate(limit);
        }
        return print_json(&topics);
    }
    emit(&render_table(&topics, limits))
}

/// NMI and ARI of the analysis's themes against the gold labels in `path`.
fn gold_scores(generation: &Generation, path: &std::path::Path) -> anyhow::Result<ThemeScores> {
    let gold = read_gold(path)?;
    let index = generation.open_records()?;
    let inputs: Vec<String> = read_corpus(generation)?
        .into_iter()
        .map(|f| f.path)
        .collect();
    let records = record_themes(&index, &inputs)?;
    Ok(score(&gold, &records)?)
}
