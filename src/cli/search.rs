//! `koe search`: query an index with filters; hits with snippets and facet counts.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::Context;
use chrono::{DateTime, Utc};

use koe::analysis::AnalysisDir;
use koe::index::{Filters, Hit, SearchOutput, SearchRequest};
use koe::ingest::{parse_since, parse_until};
use koe::{Label, Lang};

use super::DictionaryArgs;
use super::output::{emit, print_json};

/// Search an index written by `koe analyze`.
///
/// The query matches words, not substrings: Japanese through lindera base forms
/// (「配送 遅い」 finds 「配送がとても遅かった」), English through stems ("delays" finds
/// "delayed"). All words are required; use quotes for a phrase, `-word` to exclude,
/// `OR` for either. No query (or `*`) lists every record that passes the filters.
/// Facet counts (sentiment, channel, stage, product, lang, topic, category) cover all
/// matching records. With a taxonomy (`koe analyze --taxonomy FILE`), `category:NAME`
/// in the query (`-category:NAME` to exclude, quotes for a name with spaces) or
/// `--category NAME` keeps the records of that category, its children's included.
///
/// Examples:
///   koe search out/demo category:配送 遅い
///   koe search out/demo 対応 --sentiment negative
///   koe search out/demo delays --channel app --since 2026-09-01 --json
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Output folder of `koe analyze` (its current generation is searched).
    #[arg(value_name = "DIR")]
    dir: PathBuf,

    /// Query words, joined with spaces (put a query that starts with `-` after `--`).
    #[arg(value_name = "QUERY")]
    query: Vec<String>,

    /// Only records with this document sentiment (negative, neutral, positive).
    #[arg(long, value_name = "LABEL")]
    sentiment: Option<Label>,

    /// Only these channels (repeat for any of several).
    #[arg(long, value_name = "NAME")]
    channel: Vec<String>,

    /// Only these journey stages (repeat for any of several).
    #[arg(long, value_name = "NAME")]
    stage: Vec<String>,

    /// Only these products (repeat for any of several).
    #[arg(long, value_name = "NAME")]
    product: Vec<String>,

    /// Only records in these themes (theme ids from `koe topics`; repeat for any).
    #[arg(long, value_name = "ID")]
    theme: Vec<u32>,

    /// Only records about these sub-topics (pain point ids from `koe topics`; repeat for any).
    #[arg(long, value_name = "ID")]
    topic: Vec<u32>,

    /// Only records in these taxonomy categories (names from the file given to
    /// `koe analyze --taxonomy`; repeat for any of several; a parent holds its children).
    #[arg(long, value_name = "NAME")]
    category: Vec<String>,

    /// Only records in this language (ja, en).
    #[arg(long, value_name = "LANG")]
    lang: Option<Lang>,

    /// Only records created on or after this date (YYYY-MM-DD or RFC 3339).
    #[arg(long, value_name = "DATE", value_parser = parse_since)]
    since: Option<DateTime<Utc>>,

    /// Only records created on or before this date (a whole day for YYYY-MM-DD).
    #[arg(long, value_name = "DATE", value_parser = parse_until)]
    until: Option<DateTime<Utc>>,

    /// Only records rated at least this (1–5).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(1..=5))]
    min_rating: Option<u8>,

    /// Only records rated at most this (1–5).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(1..=5))]
    max_rating: Option<u8>,

    /// Hits to show.
    #[arg(long, short = 'n', default_value_t = 10, value_name = "N")]
    limit: usize,

    /// Hits to skip (for paging).
    #[arg(long, default_value_t = 0, value_name = "N")]
    offset: usize,

    /// Print results as JSON.
    #[arg(long)]
    json: bool,

    #[command(flatten)]
    dictionary: DictionaryArgs,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let generation = AnalysisDir::new(&args.dir).current()?;
    let analyzer = args.dictionary.load_analyzer()?;
    let index = generation.open_index(&analyzer)?;
    let request = SearchRequest {
        query: args.query.join(" "),
        filters: Filters {
            sentiment: args.sentiment,
            channel: args.channel,
            stage: args.stage,
            product: args.product,
            theme: args.theme,
            topic: args.topic,
            category: args.category,
            lang: args.lang,
            since: args.since,
            until: args.until,
            min_rating: args.min_rating,
            max_rating: args.max_rating,
        },
        limit: args.limit,
        offset: args.offset,
        snippet_chars: 160,
    };
    let results = index
        .search(&request)
        .with_context(|| format!("search in {}", args.dir.display()))?;
    // Labels are a nicety here: a missing or unreadable topics file leaves them out.
    let topics = generation.topics().ok().flatten();
    let output = SearchOutput::new(&request, results, topics.as_ref());
    if args.json {
        print_json(&output)
    } else {
        emit(&render(&request, &output))
    }
}

fn render(request: &SearchRequest, results: &SearchOutput) -> String {
    let mut out = String::new();
    let query = if request.query.trim().is_empty() {
        "all records".to_string()
    } else {
        format!("「{}」", request.query)
    };
    let shown = results.hits.len();
    let first = request.offset + usize::from(shown > 0);
    let _ = writeln!(
        out,
        "{} records match {query} (showing {first}–{})\n",
        results.total,
        request.offset + shown
    );
    let highlight = Highlight::for_stdout();
    for (i, hit) in results.hits.iter().enumerate() {
        let _ = writeln!(out, "{:>3}. {}", request.offset + i + 1, describe(hit));
        let _ = writeln!(out, "     {}", highlight.apply(hit));
    }
    render_facets(results, &mut out);
    out
}

fn describe(hit: &Hit) -> String {
    let mut parts = vec![format!(
        "{} {:+.2}",
        hit.sentiment.as_deref().unwrap_or("?"),
        hit.sentiment_score.unwrap_or(0.0)
    )];
    if let Some(r) = hit.rating {
        parts.push(format!("★{r}"));
    }
    if let Some(n) = hit.nps {
        parts.push(format!("NPS {n}"));
    }
    let place: Vec<&str> = [&hit.channel, &hit.stage, &hit.product]
        .into_iter()
        .filter_map(|v| v.as_deref())
        .collect();
    if !place.is_empty() {
        parts.push(place.join("/"));
    }
    if let Some(date) = &hit.created_at {
        parts.push(date.get(..10).unwrap_or(date).to_string());
    }
    if let Some(theme) = hit.theme {
        parts.push(format!("theme {theme}"));
    }
    if !hit.categories.is_empty() {
        parts.push(hit.categories.join(","));
    }
    if !hit.topics.is_empty() {
        let ids: Vec<String> = hit.topics.iter().map(|t| format!("#{t}")).collect();
        parts.push(format!("topic {}", ids.join(",")));
    }
    parts.push(hit.id.clone());
    parts.join(" · ")
}

/// How matched terms are marked: bold on a terminal, brackets in a pipe.
struct Highlight {
    open: &'static str,
    close: &'static str,
}

impl Highlight {
    fn for_stdout() -> Self {
        if std::io::stdout().is_terminal() {
            Highlight {
                open: "\x1b[1;33m",
                close: "\x1b[0m",
            }
        } else {
            Highlight {
                open: "[",
                close: "]",
            }
        }
    }

    fn apply(&self, hit: &Hit) -> String {
        let fragment = &hit.snippet.fragment;
        let mut out = String::with_capacity(fragment.len() + 16);
        let mut cursor = 0;
        for &[start, end] in &hit.snippet.highlights {
            if start < cursor || end > fragment.len() {
                continue;
            }
            out.push_str(&fragment[cursor..start]);
            out.push_str(self.open);
            out.push_str(&fragment[start..end]);
            out.push_str(self.close);
            cursor = end;
        }
        out.push_str(&fragment[cursor..]);
        out.replace('\n', " ")
    }
}

fn render_facets(results: &SearchOutput, out: &mut String) {
    let facets = &results.facets;
    out.push('\n');
    let groups = [
        ("sentiment", &facets.sentiment),
        ("channel", &facets.channel),
        ("stage", &facets.stage),
        ("product", &facets.product),
        ("lang", &facets.lang),
        ("category", &facets.category),
    ];
    for (name, counts) in groups {
        if counts.is_empty() {
            continue;
        }
        let mut sorted: Vec<_> = counts.iter().collect();
        sorted.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let line: Vec<String> = sorted.iter().map(|(k, v)| format!("{k} {v}")).collect();
        let _ = writeln!(out, "{name:>10}: {}", line.join(" · "));
    }
    render_ids("themes:", &facets.theme, &results.theme_labels, out);
    render_ids("topics:", &facets.topic, &results.topic_labels, out);
}

/// Theme or topic counts with their labels, the 8 largest.
fn render_ids(
    name: &str,
    counts: &BTreeMap<String, u64>,
    labels: &BTreeMap<String, String>,
    out: &mut String,
) {
    let mut sorted: Vec<_> = counts.iter().collect();
    sorted.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    for (i, (id, count)) in sorted.iter().take(8).enumerate() {
        let label = labels.get(*id).map_or("", String::as_str);
        let name = if i == 0 { name } else { "" };
        let _ = writeln!(out, "{name:>11} #{id:<3} {count:>5}  {label}");
    }
    if sorted.len() > 8 {
        let _ = writeln!(
            out,
            "{:>10}  … {} more (--json for all)",
            "",
            sorted.len() - 8
        );
    }
}
