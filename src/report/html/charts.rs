//! The charts of the HTML report: NPS and sentiment over time (SVG line charts with
//! their intervals) and the channel × stage heat maps (tables coloured by value).

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::period::Period;
use crate::report::escape::Html;
use crate::report::figures::Figures;
use crate::report::format::{self, count, signed};
use crate::report::metrics::Metrics;
use crate::report::stats::{Mean, SMALL_N};
use crate::report::svg::{self, LineChart, Point};

/// NPS at which the heat map is fully coloured.
const NPS_FULL: f64 = 50.0;
/// Mean sentiment at which the heat map is fully coloured.
const SENTIMENT_FULL: f64 = 0.5;

pub fn trends(m: &Metrics, page: &mut String) {
    let unit = match m.period {
        Period::Month => "month",
        Period::Week => "week",
    };
    let _ = write!(
        page,
        r#"<section><h2>Over time</h2><p class="note">By {unit} (UTC). Shaded: 95% confidence interval; hollow points: fewer than {SMALL_N} answers.{}</p>"#,
        if m.undated > 0 {
            format!(" {} undated records are left out.", count(m.undated))
        } else {
            String::new()
        }
    );
    if m.by_period.is_empty() {
        page.push_str(r#"<p class="empty-section">No record has a date.</p></section>"#);
        return;
    }
    let nps: Vec<Point> = m
        .by_period
        .iter()
        .map(|g| {
            let n = g.figures.nps.as_ref();
            Point {
                label: g.key.clone(),
                value: n.map(|n| n.score),
                band: n.map(|n| (n.ci.low, n.ci.high)),
                n: n.map_or(0, |n| n.n),
                small: n.is_none_or(|n| n.small),
            }
        })
        .collect();
    let sentiment: Vec<Point> = m
        .by_period
        .iter()
        .map(|g| mean_point(&g.key, g.figures.sentiment.as_ref()))
        .collect();
    page.push_str(r#"<div class="charts">"#);
    for (caption, points, limits, step, decimals, colour) in [
        ("NPS", &nps, (-100.0, 100.0), 20.0, 0, "#2166ac"),
        (
            "Mean sentiment",
            &sentiment,
            (-1.0, 1.0),
            0.25,
            2,
            "#7b3294",
        ),
    ] {
        let title = format!("{caption} by {unit}");
        let chart = LineChart {
            title: &title,
            points,
            limits,
            step,
            decimals,
            colour,
        };
        let _ = write!(
            page,
            "<figure><figcaption>{}</figcaption>{}</figure>",
            Html(&title),
            chart.render()
        );
    }
    page.push_str("</div></section>");
}

fn mean_point(label: &str, m: Option<&Mean>) -> Point {
    Point {
        label: label.to_string(),
        value: m.map(|m| m.mean),
        band: m.and_then(|m| m.ci).map(|ci| (ci.low, ci.high)),
        n: m.map_or(0, |m| m.n),
        small: m.is_none_or(|m| m.small),
    }
}

pub fn heat_maps(m: &Metrics, page: &mut String) {
    page.push_str(r#"<section><h2>Channel × journey stage</h2>"#);
    if m.by_channel_stage.is_empty() {
        page.push_str(r#"<p class="empty-section">No records.</p></section>"#);
        return;
    }
    let cells: BTreeMap<(&str, &str), &Figures> = m
        .by_channel_stage
        .iter()
        .map(|c| ((c.channel.as_str(), c.stage.as_str()), &c.figures))
        .collect();
    let nps = |f: &Figures| {
        let n = f.nps.as_ref()?;
        Some((
            n.score / NPS_FULL,
            signed(n.score, 0),
            n.n,
            n.small,
            format::nps(n),
        ))
    };
    let sentiment = |f: &Figures| {
        let s = f.sentiment.as_ref()?;
        Some((
            s.mean / SENTIMENT_FULL,
            signed(s.mean, 2),
            s.n,
            s.small,
            format::mean(s, 2, true),
        ))
    };
    let maps: [(&str, &str, &HeatValue); 2] = [
        ("NPS", "−50 or less … +50 or more", &nps),
        ("Mean sentiment", "−0.5 or less … +0.5 or more", &sentiment),
    ];
    for (title, scale, value) in maps {
        let _ = write!(
            page,
            r#"<h3>{title}</h3><div class="legend"><i style="background:#b2182b"></i><i style="background:#f7f7f7"></i><i style="background:#2166ac"></i>{scale} · n = answers · pale with † : fewer than {SMALL_N}</div><div class="scroll"><table class="heat"><thead><tr><th>channel \ stage</th>"#
        );
        for stage in &m.by_stage {
            let _ = write!(page, "<th>{}</th>", Html(&stage.key));
        }
        page.push_str("</tr></thead><tbody>");
        for channel in &m.by_channel {
            let _ = write!(page, "<tr><th>{}</th>", Html(&channel.key));
            for stage in &m.by_stage {
                let key = (channel.key.as_str(), stage.key.as_str());
                match cells.get(&key).and_then(|f| value(f)) {
                    Some((t, shown, n, small, full)) => {
                        // Small cells keep their hue at half strength: visible, not loud.
                        let (colour, light) = svg::diverging(t);
                        let (class, alpha) = match (small, light) {
                            (true, _) => ("small", "80"),
                            (false, true) => ("light", ""),
                            (false, false) => ("", ""),
                        };
                        let _ = write!(
                            page,
                            r#"<td class="{class}" style="background:{colour}{alpha}" title="{} × {}: {title} {}, n={n}"><b>{shown}</b><span>n={n}</span></td>"#,
                            Html(key.0),
                            Html(key.1),
                            Html(&full)
                        );
                    }
                    None => page.push_str(r#"<td class="empty">·</td>"#),
                }
            }
            page.push_str("</tr>");
        }
        page.push_str("</tbody></table></div>");
    }
    page.push_str("</section>");
}

/// A heat-map cell: colour position (−1..1), shown value, n, small, value with interval.
type HeatValue<'a> = dyn Fn(&Figures) -> Option<(f64, String, u64, bool, String)> + 'a;
