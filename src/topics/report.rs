//! Terminal rendering of [`Topics`]: the pain-point table and the quality summary.
//!
//! Columns are padded by display width (a kanji takes two cells), so mixed Japanese and
//! English labels line up.

use std::fmt::Write;

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use super::{ImpactBasis, Topic, Topics};

/// Widest label shown, in terminal cells.
const LABEL_WIDTH: usize = 44;

/// The pain-point table, ranked by impact: the first `limit` topics (all when `None`),
/// numbered by topic id, the number `koe search --topic` takes.
pub fn render_table(topics: &Topics, limit: Option<usize>) -> String {
    let o = &topics.overall;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} topics over {} records ({} outliers) · overall NPS {} · mean rating {}",
        topics.topics.len(),
        o.docs,
        o.outliers,
        o.nps.map_or("–".to_string(), |n| format!("{n:+.0}")),
        o.mean_rating.map_or("–".to_string(), |r| format!("{r:.2}")),
    );
    let impact = match o.impact_basis {
        ImpactBasis::Nps => {
            "impact: NPS points gained if the topic's negative detractors were passives"
        }
        ImpactBasis::Rating => {
            "impact: mean-rating stars gained if the topic's negative records rated 3"
        }
        ImpactBasis::Sentiment => "impact: percent of all records negative on the topic",
    };
    let _ = writeln!(out, "{impact}\n");
    if topics.topics.is_empty() {
        out.push_str("no topics found\n");
        return out;
    }
    let _ = writeln!(
        out,
        "{:>3}  {}  {:>7} {:>6} {:>5} {:>11} {:>7}  trend",
        "#",
        pad("topic", LABEL_WIDTH),
        "records",
        "share",
        "%neg",
        "NPS (Δ)",
        "impact",
    );
    let shown = shown(topics, limit);
    for t in shown {
        let row = format!(
            "{:>3}  {}  {:>7} {:>5.1}% {:>4.0}% {:>11} {:>7}  {:<9} {}",
            t.id,
            pad(&t.label, LABEL_WIDTH),
            t.size,
            t.share,
            t.share_negative,
            nps_cell(t, o.nps),
            impact_cell(t.impact, o.impact_basis),
            trend_cell(t),
            if t.emerging { "▲ emerging" } else { "" }
        );
        let _ = writeln!(out, "{}", row.trim_end());
    }
    let hidden = topics.topics.len() - shown.len();
    if hidden > 0 {
        let _ = writeln!(out, "  … and {hidden} more");
    }
    out
}

fn shown(topics: &Topics, limit: Option<usize>) -> &[Topic] {
    &topics.topics[..limit.map_or(topics.topics.len(), |n| n.min(topics.topics.len()))]
}

/// Coherence and diversity, overall and per topic (the first `limit` topics).
pub fn render_quality(topics: &Topics, limit: Option<usize>) -> String {
    let mut out = String::new();
    let q = &topics.quality;
    let _ = writeln!(
        out,
        "quality: coherence (NPMI, top 10 terms) {:+.3} · diversity {:.3}",
        q.coherence_npmi, q.diversity
    );
    for t in shown(topics, limit) {
        let _ = writeln!(
            out,
            "{:>3}  {}  NPMI {:+.3}",
            t.id,
            pad(&t.label, LABEL_WIDTH),
            t.coherence
        );
    }
    out
}

fn nps_cell(t: &Topic, overall: Option<f64>) -> String {
    match (t.nps, overall) {
        (Some(n), Some(o)) => format!("{n:+.0} ({:+.0})", n - o),
        (Some(n), None) => format!("{n:+.0}"),
        _ => "–".to_string(),
    }
}

fn impact_cell(impact: f64, basis: ImpactBasis) -> String {
    match basis {
        ImpactBasis::Rating => format!("+{impact:.2}"),
        _ => format!("+{impact:.1}"),
    }
}

/// An arrow when the share moves by at least 5% of itself per period, with the slope.
fn trend_cell(t: &Topic) -> String {
    if t.trend.len() < 2 {
        return "–".to_string();
    }
    let mean = t.trend.iter().map(|p| p.share).sum::<f64>() / t.trend.len() as f64;
    let arrow = if t.slope.abs() < 0.05 * mean.max(1e-9) {
        '→'
    } else if t.slope > 0.0 {
        '↑'
    } else {
        '↓'
    };
    format!("{arrow} {:+.1}pp", t.slope)
}

/// Truncates to `width` cells (with …) and pads with spaces to exactly `width`.
fn pad(text: &str, width: usize) -> String {
    let mut out = String::new();
    let mut used = 0;
    if text.width() > width {
        for c in text.chars() {
            let w = c.width().unwrap_or(0);
            if used + w + 1 > width {
                break;
            }
            out.push(c);
            used += w;
        }
        out.push('…');
        used += 1;
    } else {
        out.push_str(text);
        used = text.width();
    }
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(used)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pads_by_display_width() {
        assert_eq!(pad("配送", 6), "配送  ");
        assert_eq!(pad("abc", 5), "abc  ");
        assert_eq!(pad("配送が遅い", 6).width(), 6);
        assert!(pad("配送が遅い", 6).contains('…'));
    }

    #[test]
    fn renders_an_empty_fit() {
        let text = render_table(&Topics::default(), None);
        assert!(text.contains("0 topics over 0 records"), "{text}");
        assert!(text.contains("no topics found"));
    }
}
