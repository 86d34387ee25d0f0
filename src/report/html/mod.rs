//! The HTML report: one self-contained file (inline CSS and SVG, no scripts, no fonts or
//! anything else fetched) an analyst can open, print or mail.
//!
//! Top to bottom: headline figures, NPS and sentiment over time, a channel × stage heat
//! map, pain points and positive themes from `topics.json` (see [`super::topics`]), then
//! tables by channel, stage, product and period and a note on method. All text from the
//! data goes through [`Html`].

mod charts;
mod topics;

use std::fmt::Write;

use super::escape::Html;
use super::figures::Figures;
use super::format::{self, NONE, count, signed};
use super::metrics::Group;
use super::stats::{Mean, SMALL_N, Share};
use super::{Report, categories};

const STYLE: &str = include_str!("report.css");

pub fn render(report: &Report) -> String {
    let m = &report.metrics;
    let mut page = String::with_capacity(64 * 1024);
    let _ = write!(
        page,
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>koe report · {}</title><style>{STYLE}</style></head><body><main>"#,
        Html(&report.source)
    );
    header(report, &mut page);
    cards(&m.overall, &mut page);
    charts::trends(m, &mut page);
    charts::heat_maps(m, &mut page);
    topics::pain_points(report, &mut page);
    categories(report, &mut page);
    page.push_str("<section><h2>By group</h2>");
    for (title, groups) in m.group_tables() {
        group_table(title, groups, &mut page);
    }
    page.push_str("</section>");
    footer(report, &mut page);
    page.push_str("</main></body></html>\n");
    page
}

fn header(report: &Report, page: &mut String) {
    let m = &report.metrics;
    let span = match (&m.first_date, &m.last_date) {
        (Some(first), Some(last)) => {
            format!(" · {} to {}", format::day(first), format::day(last))
        }
        _ => String::new(),
    };
    let _ = write!(
        page,
        r#"<header><h1>Voice of the customer</h1><p class="meta">{} · {} records{span} · koe {}</p></header>"#,
        Html(&report.source),
        count(m.overall.records),
        report.koe_version
    );
}

fn cards(all: &Figures, page: &mut String) {
    page.push_str(r#"<section class="cards">"#);
    let card = |page: &mut String, label: &str, value: String, detail: String, small: bool| {
        let badge = if small {
            r#" <span class="badge warn">small sample</span>"#
        } else {
            ""
        };
        let _ = write!(
            page,
            r#"<div class="card"><div class="label">{label}{badge}</div><div class="value">{value}</div><div class="sub">{detail}</div></div>"#
        );
    };
    card(
        page,
        "Records",
        count(all.records),
        String::new(),
        all.small,
    );
    match &all.nps {
        Some(n) => card(
            page,
            "NPS",
            format!(
                "{} <small>± {}</small>",
                signed(n.score, 0),
                format::plain(n.margin, 0)
            ),
            format!(
                "95% CI {} to {} · n={}<br>{} promoters · {} passives · {} detractors",
                signed(n.ci.low, 0),
                signed(n.ci.high, 0),
                count(n.n),
                count(n.promoters),
                count(n.passives),
                count(n.detractors)
            ),
            n.small,
        ),
        None => card(page, "NPS", NONE.into(), "no NPS answers".into(), false),
    }
    share_card(page, "CSAT (4–5 ★)", all.csat.as_ref(), "no ratings", &card);
    match &all.ces {
        Some(c) => card(
            page,
            "CES (1–7, 7 = easy)",
            mean_value(c, 1, false),
            mean_detail(c, 1),
            c.small,
        ),
        None => card(
            page,
            "CES (1–7)",
            NONE.into(),
            "no effort answers".into(),
            false,
        ),
    }
    match &all.sentiment {
        Some(s) => card(
            page,
            "Sentiment (−1…1)",
            mean_value(s, 2, true),
            mean_detail(s, 2),
            s.small,
        ),
        None => card(
            page,
            "Mean sentiment",
            NONE.into(),
            "not scored".into(),
            false,
        ),
    }
    share_card(page, "Negative", all.negative.as_ref(), "not scored", &card);
    page.push_str("</section>");
}

type Card<'a> = dyn Fn(&mut String, &str, String, String, bool) + 'a;

fn share_card(page: &mut String, label: &str, share: Option<&Share>, none: &str, card: &Card) {
    match share {
        Some(s) => card(
            page,
            label,
            format::percent(s),
            format!(
                "95% CI {} · {} of {}",
                format::percent_ci(s),
                count(s.hits),
                count(s.n)
            ),
            s.small,
        ),
        None => card(page, label, NONE.into(), none.into(), false),
    }
}

fn mean_value(m: &Mean, decimals: usize, with_sign: bool) -> String {
    let value = if with_sign {
        signed(m.mean, decimals)
    } else {
        format::plain(m.mean, decimals)
    };
    match m.ci {
        Some(ci) => format!(
            "{value} <small>± {}</small>",
            format::plain((ci.high - ci.low) / 2.0, decimals)
        ),
        None => value,
    }
}

fn mean_detail(m: &Mean, decimals: usize) -> String {
    match m.ci {
        Some(ci) => format!(
            "95% CI {} to {} · n={}",
            signed(ci.low, decimals),
            signed(ci.high, decimals),
            count(m.n)
        ),
        None => format!("n={}", count(m.n)),
    }
}

fn group_table(title: &str, groups: &[Group], page: &mut String) {
    let _ = write!(
        page,
        r#"<h3>{title}</h3><div class="scroll"><table><thead><tr><th>{}</th><th>Records</th><th>NPS</th><th>CSAT</th><th>CES</th><th>Sentiment</th><th>Negative</th></tr></thead><tbody>"#,
        Html(&title.to_lowercase())
    );
    for g in groups {
        let f = &g.figures;
        let _ = write!(
            page,
            r#"<tr{}><td>{}{}</td><td>{}</td>"#,
            if f.small { r#" class="small""# } else { "" },
            Html(&g.key),
            if f.small {
                r#" <span class="badge warn">n&lt;30</span>"#
            } else {
                ""
            },
            count(f.records)
        );
        let cell = |page: &mut String, value: Option<(String, String)>| match value {
            Some((value, detail)) => {
                let _ = write!(page, r#"<td>{value}<span class="n">{detail}</span></td>"#);
            }
            None => {
                let _ = write!(page, "<td>{NONE}</td>");
            }
        };
        cell(
            page,
            f.nps
                .as_ref()
                .map(|n| (format::nps(n), format!("n={}", count(n.n)))),
        );
        let share = |s: &Share| {
            (
                format::percent(s),
                format!("{} · n={}", format::percent_ci(s), count(s.n)),
            )
        };
        cell(page, f.csat.as_ref().map(share));
        let mean = |m: &Mean, d, sign| (format::mean(m, d, sign), format!("n={}", count(m.n)));
        cell(page, f.ces.as_ref().map(|m| mean(m, 1, false)));
        cell(page, f.sentiment.as_ref().map(|m| mean(m, 2, true)));
        cell(page, f.negative.as_ref().map(share));
        page.push_str("</tr>");
    }
    page.push_str("</tbody></table></div>");
}

fn footer(report: &Report, page: &mut String) {
    let m = &report.metrics;
    let _ = write!(
        page,
        r#"<footer><h2>How to read this</h2><dl><dt>NPS</dt><dd>% promoters (9–10) − % detractors (0–6) of the 0–10 answers, −100 to +100. ± is the 95% interval of that difference on one trinomial sample: 1.96·√((p₊ + p₋ − (p₊ − p₋)²)/n).</dd><dt>CSAT</dt><dd>Share of 4–5 star ratings; 95% Wilson interval.</dd><dt>CES</dt><dd>Mean Customer Effort answer, 1 (very hard) to 7 (very easy); ± is 1.96·s/√n.</dd><dt>Sentiment</dt><dd>Mean document sentiment from −1 to +1 and share of comments labelled negative (Wilson interval).</dd><dt>Small samples</dt><dd>Figures on fewer than {SMALL_N} answers are marked (“small”, †, hollow points): their intervals are wide; read them as hints, not findings. On a few answers, ± 0 means they all agreed, not that the figure is certain.</dd></dl><p>{} records{}. Periods are UTC. Generated by koe {}.</p></footer>"#,
        count(m.overall.records),
        if m.out_of_range > 0 {
            format!(
                "; {} with answers off their scale (ignored)",
                count(m.out_of_range)
            )
        } else {
            String::new()
        },
        report.koe_version
    );
}

/// The taxonomy's categories as a table, children indented under their parents.
fn categories(report: &Report, page: &mut String) {
    if report.categories.is_empty() {
        return;
    }
    page.push_str(r#"<section><h2>Categories</h2><p class="note">The analyst's taxonomy: records whose sentences match a category's keywords or patterns (a parent holds its children's records), with the figures pain points have; a record's sentiment on a category is that of its matching sentences.</p><div class="scroll"><table><thead><tr><th>Category</th><th>Records</th><th>Share</th><th>Sentiment mix</th><th>NPS</th><th>Sentiment</th><th>Negative</th><th>Impact</th></tr></thead><tbody>"#);
    for c in &report.categories {
        let f = &c.figures;
        let cell = |value: Option<String>| value.unwrap_or_else(|| NONE.to_string());
        let _ = write!(
            page,
            r#"<tr><td style="padding-left:{}em">{}</td><td>{}</td><td>{}%</td><td>{}</td><td>{}</td><td>{}</td><td>{}%</td><td>{}</td></tr>"#,
            0.5 + 1.2 * c.depth as f64,
            Html(&f.title()),
            count(f.size as u64),
            format::plain(f.share, 1),
            Html(&categories::mix(c)),
            cell(f.nps.map(|n| signed(n, 0))),
            signed(f.mean_sentiment, 2),
            format::plain(f.share_negative, 0),
            format::plain(f.impact, 1),
        );
    }
    page.push_str("</tbody></table></div></section>");
}
