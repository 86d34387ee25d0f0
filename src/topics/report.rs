//! Terminal rendering of [`Topics`]: themes with their sub-topics, and the quality summary.
//!
//! Columns are padded by display width (a kanji takes two cells), so mixed Japanese and
//! English labels line up.

use std::fmt::Write;

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use super::{ImpactBasis, Quality, Topic, Topics};

/// Widest label shown, in terminal cells.
const LABEL_WIDTH: usize = 44;

/// How much of the table to show.
#[derive(Debug, Clone, Copy, Default)]
pub struct TableLimits {
    /// The first this many themes (all when None).
    pub themes: Option<usize>,
    /// The first this many sub-topics of each theme (all when None).
    pub topics: Option<usize>,
}

/// The pain-point table: themes ranked by impact, each with its sub-topics ranked by
/// impact, then candidate topics; numbered by id, the numbers `koe search --theme` and
/// `--topic` take.
pub fn render_table(topics: &Topics, limits: TableLimits) -> String {
    let o = &topics.overall;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} themes, {} sub-topics over {} records ({} in no theme, {} in no sub-topic) · overall NPS {} · mean rating {}",
        topics.themes.len(),
        topics.topics.iter().filter(|t| !t.candidate).count(),
        o.docs,
        o.theme_outliers,
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
    if topics.themes.is_empty() && topics.topics.is_empty() {
        out.push_str("no topics found\n");
        return out;
    }
    let _ = writeln!(
        out,
        "{:>7}  {}  {:>7} {:>6} {:>5} {:>11} {:>7}  trend",
        "#",
        pad("theme / sub-topic", LABEL_WIDTH),
        "records",
        "share",
        "%neg",
        "NPS (Δ)",
        "impact",
    );
    let shown = limits
        .themes
        .map_or(topics.themes.len(), |n| n.min(topics.themes.len()));
    for theme in &topics.themes[..shown] {
        row(&mut out, theme, "", o.nps, o.impact_basis);
        let mine: Vec<&Topic> = topics
            .topics
            .iter()
            .filter(|t| !t.candidate && t.theme == Some(theme.id))
            .collect();
        let listed = limits.topics.map_or(mine.len(), |n| n.min(mine.len()));
        for t in &mine[..listed] {
            row(&mut out, t, "  ", o.nps, o.impact_basis);
        }
        if mine.len() > listed {
            let _ = writeln!(
                out,
                "{:>9}… and {} more sub-topics",
                "",
                mine.len() - listed
            );
        }
    }
    let hidden = topics.themes.len() - shown;
    if hidden > 0 {
        let _ = writeln!(out, "  … and {hidden} more themes");
    }
    let candidates: Vec<&Topic> = topics.topics.iter().filter(|t| t.candidate).collect();
    if !candidates.is_empty() {
        let _ = writeln!(
            out,
            "\ncandidate new topics (what the applied model's topics do not cover):"
        );
        for t in candidates {
            row(&mut out, t, "  ", o.nps, o.impact_basis);
        }
    }
    out
}

/// One theme (`indent` empty, `T` before its id) or sub-topic row.
fn row(out: &mut String, t: &Topic, indent: &str, overall_nps: Option<f64>, basis: ImpactBasis) {
    let id = if indent.is_empty() {
        format!("T{}", t.id)
    } else {
        format!("#{}", t.id)
    };
    let label = format!("{indent}{}", t.label);
    let line = format!(
        "{:>7}  {}  {:>7} {:>5.1}% {:>4.0}% {:>11} {:>7}  {:<9} {}",
        format!("{indent}{id}"),
        pad(&label, LABEL_WIDTH),
        t.size,
        t.share,
        t.share_negative,
        nps_cell(t, overall_nps),
        impact_cell(t.impact, basis),
        trend_cell(t),
        if t.emerging { "▲ emerging" } else { "" }
    );
    let _ = writeln!(out, "{}", line.trim_end());
}

/// Coherence and diversity of the themes and of the sub-topics, and per theme.
pub fn render_quality(topics: &Topics, limits: TableLimits) -> String {
    let mut out = String::new();
    let line = |name: &str, q: &Quality| {
        format!(
            "{name}: coherence (NPMI, top 10 terms) {:+.3} · diversity {:.3}\n",
            q.coherence_npmi, q.diversity
        )
    };
    out.push_str(&line("themes    ", &topics.theme_quality));
    out.push_str(&line("sub-topics", &topics.quality));
    let shown = limits
        .themes
        .map_or(topics.themes.len(), |n| n.min(topics.themes.len()));
    for t in &topics.themes[..shown] {
        let _ = writeln!(
            out,
            "{:>4}  {}  NPMI {:+.3}",
            format!("T{}", t.id),
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
        let text = render_table(&Topics::default(), TableLimits::default());
        assert!(
            text.contains("0 themes, 0 sub-topics over 0 records"),
            "{text}"
        );
        assert!(text.contains("no topics found"));
    }
}
