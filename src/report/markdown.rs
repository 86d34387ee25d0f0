//! The Markdown report: the same figures as the HTML one, as text for a wiki page, a
//! pull request or a chat message. Tables instead of charts; customer text escaped with
//! [`escape::markdown`] so it stays inside its line and cell.

use std::fmt::Write;

use super::Report;
use super::categories::{self, CategoryRow};
use super::escape;
use super::figures::Figures;
use super::format::{self, NONE, count, signed};
use super::metrics::Group;
use super::stats::SMALL_N;
use super::topics::{self, Topic};

pub fn render(report: &Report) -> String {
    let m = &report.metrics;
    let mut md = String::with_capacity(16 * 1024);
    let _ = writeln!(md, "# Voice of the customer\n");
    let span = match (&m.first_date, &m.last_date) {
        (Some(first), Some(last)) => {
            format!(", {} to {}", format::day(first), format::day(last))
        }
        _ => String::new(),
    };
    let _ = writeln!(
        md,
        "{}: {} records{span}. koe {}.\n",
        escape::markdown(&report.source),
        count(m.overall.records),
        report.koe_version
    );
    headline(&m.overall, &mut md);
    let _ = writeln!(md, "## Pain points\n");
    match &report.topics_note {
        Some(note) => {
            let _ = writeln!(md, "_{}_\n", escape::markdown(note));
        }
        None => {
            topic_list(&report.pain_points, 2, &mut md);
            let _ = writeln!(md, "## What customers like\n");
            topic_list(&report.positive_themes, 1, &mut md);
        }
    }
    categories(&report.categories, &mut md);
    for (title, groups) in m.group_tables() {
        table(title, groups, &mut md);
    }
    let _ = writeln!(
        md,
        "NPS: % promoters (9–10) − % detractors (0–6), ± its 95% interval. CSAT: share of 4–5 \
         star ratings (95% Wilson interval). CES: mean effort answer, 1 (very hard) to 7 (very \
         easy). † fewer than {SMALL_N} answers: read with care."
    );
    md
}

fn headline(all: &Figures, md: &mut String) {
    let _ = writeln!(
        md,
        "| Metric | Value | 95% CI | n |\n| --- | --: | --: | --: |"
    );
    let _ = writeln!(md, "| Records | {} | | |", count(all.records));
    let dagger = |small: bool| if small { " †" } else { "" };
    match &all.nps {
        Some(n) => {
            let _ = writeln!(
                md,
                "| NPS | {}{} | {} to {} | {} |",
                format::nps(n),
                dagger(n.small),
                signed(n.ci.low, 0),
                signed(n.ci.high, 0),
                count(n.n)
            );
        }
        None => {
            let _ = writeln!(md, "| NPS | {NONE} | | 0 |");
        }
    }
    for (label, share) in [("CSAT", &all.csat), ("Negative", &all.negative)] {
        match share {
            Some(s) => {
                let _ = writeln!(
                    md,
                    "| {label} | {}{} | {} | {} |",
                    format::percent(s),
                    dagger(s.small),
                    format::percent_ci(s),
                    count(s.n)
                );
            }
            None => {
                let _ = writeln!(md, "| {label} | {NONE} | | 0 |");
            }
        }
    }
    for (label, mean, decimals, sign) in [
        ("CES (1–7)", &all.ces, 1, false),
        ("Mean sentiment", &all.sentiment, 2, true),
    ] {
        match mean {
            Some(m) => {
                let ci = m.ci.map_or(String::new(), |ci| {
                    format!(
                        "{} to {}",
                        signed(ci.low, decimals),
                        signed(ci.high, decimals)
                    )
                });
                let value = if sign {
                    signed(m.mean, decimals)
                } else {
                    format::plain(m.mean, decimals)
                };
                let _ = writeln!(
                    md,
                    "| {label} | {value}{} | {ci} | {} |",
                    dagger(m.small),
                    count(m.n)
                );
            }
            None => {
                let _ = writeln!(md, "| {label} | {NONE} | | 0 |");
            }
        }
    }
    md.push('\n');
}

fn topic_list(topics: &[Topic], examples: usize, md: &mut String) {
    if topics.is_empty() {
        let _ = writeln!(md, "_None._\n");
        return;
    }
    for (rank, t) in topics.iter().enumerate() {
        let emerging = if t.emerging { " (emerging ↑)" } else { "" };
        let _ = writeln!(
            md,
            "{}. **{}**{emerging} — {}",
            rank + 1,
            escape::markdown(&t.title()),
            escape::markdown(&topics::facts(t).join(" · "))
        );
        if !t.trend.is_empty() {
            let trend: Vec<String> = t
                .trend
                .iter()
                .map(|p| format!("{} {}", p.period, p.count))
                .collect();
            let _ = writeln!(md, "   - trend: {}", escape::markdown(&trend.join(", ")));
        }
        for example in t.examples.iter().take(examples) {
            let _ = writeln!(
                md,
                "   - “{}” ({})",
                escape::markdown(&format::clip(&example.text, 200)),
                escape::markdown(&example.id)
            );
        }
    }
    md.push('\n');
}

fn table(title: &str, groups: &[Group], md: &mut String) {
    let _ = writeln!(
        md,
        "## {title}\n\n| {title} | Records | NPS | CSAT | CES | Sentiment | Negative |\n\
         | --- | --: | --: | --: | --: | --: | --: |"
    );
    for g in groups {
        let f = &g.figures;
        let or_none = |v: Option<String>| v.unwrap_or_else(|| NONE.to_string());
        let _ = writeln!(
            md,
            "| {}{} | {} | {} | {} | {} | {} | {} |",
            escape::markdown(&g.key),
            if f.small { " †" } else { "" },
            count(f.records),
            or_none(
                f.nps
                    .as_ref()
                    .map(|n| format!("{} (n={})", format::nps(n), n.n))
            ),
            or_none(
                f.csat
                    .as_ref()
                    .map(|s| format!("{} (n={})", format::percent(s), s.n))
            ),
            or_none(f.ces.as_ref().map(|m| format::mean(m, 1, false))),
            or_none(f.sentiment.as_ref().map(|m| format::mean(m, 2, true))),
            or_none(f.negative.as_ref().map(format::percent)),
        );
    }
    md.push('\n');
}

/// The taxonomy's categories, children indented under their parents.
fn categories(categories: &[CategoryRow], md: &mut String) {
    if categories.is_empty() {
        return;
    }
    let _ = writeln!(
        md,
        "## Categories\n\n| Category | Records | Share | Sentiment mix | NPS | Mean sentiment | Negative | Impact |\n|---|--:|--:|---|--:|--:|--:|--:|"
    );
    for c in categories {
        let f = &c.figures;
        let indent = "\u{a0}\u{a0}".repeat(c.depth);
        let _ = writeln!(
            md,
            "| {indent}{} | {} | {}% | {} | {} | {} | {}% | {} |",
            escape::markdown(&f.title()),
            count(f.size as u64),
            format::plain(f.share, 1),
            categories::mix(c),
            f.nps.map_or(NONE.into(), |n| signed(n, 0)),
            signed(f.mean_sentiment, 2),
            format::plain(f.share_negative, 0),
            format::plain(f.impact, 1),
        );
    }
    md.push('\n');
}
