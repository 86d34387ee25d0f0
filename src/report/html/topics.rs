//! Pain points and positive themes in the HTML report: one card per topic with its
//! figures, top terms, a sparkline of comments per period and example comments.

use std::fmt::Write;

use crate::report::Report;
use crate::report::escape::Html;
use crate::report::format;
use crate::report::stats::SMALL_N;
use crate::report::svg;
use crate::report::topics::{Topic, facts};

/// Longest example comment shown, in characters.
const EXAMPLE_CHARS: usize = 300;

pub fn pain_points(report: &Report, page: &mut String) {
    page.push_str(r#"<section><h2>Pain points</h2><p class="note">Topics whose comments lean negative, ranked by impact on satisfaction. Line: comments per period.</p>"#);
    if let Some(note) = &report.topics_note {
        let _ = write!(
            page,
            r#"<p class="empty-section">{}</p></section>"#,
            Html(note)
        );
        return;
    }
    topic_list(&report.pain_points, 3, "No topic leans negative.", page);
    page.push_str(r#"<h2>What customers like</h2><p class="note">Topics whose comments lean positive, largest first.</p>"#);
    topic_list(&report.positive_themes, 1, "No topic leans positive.", page);
    page.push_str("</section>");
}

fn topic_list(topics: &[Topic], examples: usize, none: &str, page: &mut String) {
    if topics.is_empty() {
        let _ = write!(page, r#"<p class="empty-section">{none}</p>"#);
        return;
    }
    page.push_str(r#"<ol class="topics">"#);
    for (rank, t) in topics.iter().enumerate() {
        let _ = write!(
            page,
            r#"<li class="topic"><div class="head"><span class="rank">{}</span><h3>{}</h3>{}{}{}</div>"#,
            rank + 1,
            Html(&t.title()),
            if t.emerging {
                r#"<span class="badge hot">emerging ↑</span>"#
            } else {
                ""
            },
            if (t.size as u64) < SMALL_N {
                r#"<span class="badge warn">small</span>"#
            } else {
                ""
            },
            sparkline(t)
        );
        let facts = facts(t);
        let _ = write!(
            page,
            r#"<div class="facts">{}</div>"#,
            Html(&facts.join(" · "))
        );
        if !t.terms.is_empty() {
            page.push_str(r#"<div class="terms">"#);
            for term in t.terms.iter().take(8) {
                let _ = write!(page, "<span>{}</span>", Html(&term.term));
            }
            page.push_str("</div>");
        }
        for example in t.examples.iter().take(examples) {
            let text = format::clip(&example.text, EXAMPLE_CHARS);
            let sentiment = format::signed(example.sentiment, 2);
            let cite = [example.id.as_str(), sentiment.as_str()]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(" · ");
            let _ = write!(
                page,
                "<blockquote>{}<cite>{}</cite></blockquote>",
                Html(&text),
                Html(&cite)
            );
        }
        page.push_str("</li>");
    }
    page.push_str("</ol>");
}

/// The topic's comments per period as a sparkline, with its first and last counts.
fn sparkline(t: &Topic) -> String {
    let [first, .., last] = t.trend.as_slice() else {
        return String::new();
    };
    let counts: Vec<u64> = t.trend.iter().map(|p| p.count as u64).collect();
    let title: Vec<String> = t
        .trend
        .iter()
        .map(|p| format!("{} {}", p.period, p.count))
        .collect();
    format!(
        r#"<span class="trend">{}{} ({}) → {} ({})</span>"#,
        svg::sparkline(&counts, &title.join(" · "), t.emerging),
        first.count,
        Html(&first.period),
        last.count,
        Html(&last.period)
    )
}
