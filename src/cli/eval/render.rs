//! The `koe eval` report for people: one column per model, then a confusion matrix each.

use std::fmt::Write;

use koe::Label;
use koe::eval::ModelReport;
use koe::eval::metrics::{ClassMetrics, Metrics};
use koe::eval::stats::{Difference, Interval, Intervals};

use super::Report;

/// A headline figure: its value and its interval.
type Figure = fn(&Metrics, Option<&Intervals>) -> (f64, Option<Interval>);

const HEADLINE: [(&str, Figure); 3] = [
    ("accuracy", |m, i| (m.accuracy, i.map(|i| i.accuracy))),
    ("macro-F1", |m, i| (m.macro_f1, i.map(|i| i.macro_f1))),
    ("macro-recall (TweetEval)", |m, i| {
        (m.macro_recall, i.map(|i| i.macro_recall))
    }),
];

/// `0.712 (0.690–0.733)`, or `0.712` without an interval.
fn with_interval((value, interval): (f64, Option<Interval>)) -> String {
    match interval {
        Some(i) => format!("{value:.3} ({:.3}–{:.3})", i.low, i.high),
        None => format!("{value:.3}"),
    }
}

/// Line numbers of bad lines shown before "…".
const BAD_LINES_SHOWN: usize = 12;

pub fn table(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "koe eval: {} — {}", report.data, report.split);
    let gold: Vec<String> = report
        .by_label
        .iter()
        .map(|(l, n)| format!("{l} {n}"))
        .collect();
    let _ = writeln!(out, "  gold       {}", gold.join(" · "));
    let raw: Vec<String> = report
        .raw_labels
        .iter()
        .filter(|(raw, r)| raw.as_str() != r.label.as_str())
        .map(|(raw, r)| format!("{raw}→{}", r.label))
        .collect();
    if !raw.is_empty() {
        let _ = writeln!(out, "  mapped     {}", raw.join(" "));
    }
    bad_lines(report, &mut out);
    let _ = writeln!(
        out,
        "  text stage {:.2} s, {:.0} docs/s on {} thread(s), shared by every model",
        report.analysis_s, report.analysis_docs_per_s, report.threads
    );
    if !report.by_label.contains_key(&Label::Neutral) {
        let _ = writeln!(
            out,
            "  note       no gold neutral: macro averages run over negative and positive, \
             and a model's neutral answers count as wrong"
        );
    }
    out.push('\n');
    let intervals = report.models.iter().any(|m| m.intervals.is_some());
    let width = report
        .models
        .iter()
        .map(|m| m.name.chars().count())
        .max()
        .unwrap_or(0)
        .max(if intervals { 19 } else { 9 });
    let mut row = |name: &str, cells: &mut dyn Iterator<Item = String>| {
        let _ = write!(out, "{name:<26}");
        for cell in cells {
            let _ = write!(out, "  {cell:>width$}");
        }
        out.push('\n');
    };
    let models = &report.models;
    row("", &mut models.iter().map(|m| m.name.clone()));
    for (name, figure) in HEADLINE {
        row(
            name,
            &mut models
                .iter()
                .map(|m| with_interval(figure(&m.metrics, m.intervals.as_ref()))),
        );
    }
    for label in Label::ALL {
        if report.by_label.get(&label).copied().unwrap_or(0) == 0
            && models.iter().all(|m| class(m, label).predicted == 0)
        {
            continue;
        }
        let prf = |m: &ModelReport| {
            let c = class(m, label);
            let recall = c.recall.map_or("—".into(), |r| format!("{r:.2}"));
            format!("{:.2} / {recall} / {:.2}", c.precision, c.f1)
        };
        row(&format!("{label} P / R / F1"), &mut models.iter().map(prf));
    }
    row(
        "load (s)",
        &mut models.iter().map(|m| format!("{:.3}", m.load_s)),
    );
    row(
        "scoring docs/s",
        &mut models
            .iter()
            .map(|m| format!("{:.0}", m.scoring_docs_per_s)),
    );
    row(
        "text+scoring docs/s",
        &mut models
            .iter()
            .map(|m| format!("{:.0}", m.analysis_and_scoring_docs_per_s)),
    );
    row("peak RSS (MiB)", &mut models.iter().map(peak));
    out.push_str(
        "\npeak RSS: the process's high-water mark (VmHWM) while the model loaded and scored,\n\
         analysed data included; ≥ marks a figure the kernel would not reset (the run's peak so far).\n",
    );
    if let Some(m) = models.iter().find_map(|m| m.intervals.as_ref()) {
        let _ = writeln!(
            out,
            "(low–high): {:.0}% percentile bootstrap interval over {} resamples of the rows.",
            m.level * 100.0,
            m.resamples
        );
    }
    by_language(report, width, &mut out);
    comparisons(report, &mut out);
    for m in models {
        confusion(m, &mut out);
    }
    out
}

/// Each language's figures, one column per model, when the data mixes languages.
fn by_language(report: &Report, width: usize, out: &mut String) {
    let langs: std::collections::BTreeSet<_> = report
        .models
        .iter()
        .flat_map(|m| m.by_lang.keys().copied())
        .collect();
    if langs.len() < 2 {
        return;
    }
    let _ = writeln!(out, "\nby language");
    for lang in langs {
        for (name, figure) in HEADLINE {
            let _ = write!(out, "{:<26}", format!("{lang} {name}"));
            for m in &report.models {
                let cell = m.by_lang.get(&lang).map_or("—".into(), |l| {
                    with_interval(figure(&l.metrics, l.intervals.as_ref()))
                });
                let _ = write!(out, "  {cell:>width$}");
            }
            out.push('\n');
        }
        let docs = report
            .models
            .first()
            .and_then(|m| m.by_lang.get(&lang))
            .map_or(0, |l| l.metrics.docs);
        let _ = writeln!(out, "{:<26}  {docs:>width$}", format!("{lang} documents"));
    }
}

/// Paired comparisons: A − B with its interval and p-values.
fn comparisons(report: &Report, out: &mut String) {
    if report.comparisons.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\npaired comparisons on the same {} rows: difference A − B (95% paired bootstrap \
         interval), p = two-sided approximate randomization over {} rounds",
        report.docs, report.comparisons[0].resamples
    );
    for c in &report.comparisons {
        let _ = writeln!(out, "  A {}  vs  B {}", c.a, c.b);
        let figures: [(&str, &Difference); 3] = [
            ("accuracy", &c.accuracy),
            ("macro-F1", &c.macro_f1),
            ("macro-recall", &c.macro_recall),
        ];
        for (name, d) in figures {
            let _ = writeln!(
                out,
                "    {name:<13} {:+.3} ({:+.3} to {:+.3})  p = {}",
                d.difference,
                d.interval.low,
                d.interval.high,
                p_value(d.p_value)
            );
        }
        let _ = writeln!(
            out,
            "    McNemar       only A right {} · only B right {}  p = {}",
            c.mcnemar.only_a_right,
            c.mcnemar.only_b_right,
            p_value(c.mcnemar.p_value)
        );
    }
}

fn p_value(p: f64) -> String {
    if p < 1e-4 {
        format!("{p:.1e}")
    } else {
        format!("{p:.4}")
    }
}

fn class(m: &ModelReport, label: Label) -> &ClassMetrics {
    let i = Label::ALL.iter().position(|&l| l == label).unwrap_or(0);
    &m.metrics.per_class[i]
}

fn peak(m: &ModelReport) -> String {
    match m.memory.peak_kib {
        Some(kib) if m.memory.reset => format!("{:.0}", kib as f64 / 1024.0),
        Some(kib) => format!("≥ {:.0}", kib as f64 / 1024.0),
        None => "—".into(),
    }
}

fn bad_lines(report: &Report, out: &mut String) {
    let bad = &report.bad_lines;
    if bad.is_empty() {
        let _ = writeln!(out, "  bad lines  0");
        return;
    }
    let numbers: Vec<String> = bad
        .iter()
        .take(BAD_LINES_SHOWN)
        .map(|b| b.line.to_string())
        .collect();
    let more = if bad.len() > BAD_LINES_SHOWN {
        ", …"
    } else {
        ""
    };
    let _ = writeln!(
        out,
        "  bad lines  {} (line {}{more}; first: {}; --json lists all with reasons)",
        bad.len(),
        numbers.join(", "),
        bad[0].reason
    );
}

fn confusion(m: &ModelReport, out: &mut String) {
    let _ = writeln!(
        out,
        "\n{} — rows gold, columns predicted\n{:>14} {:>9} {:>9} {:>9}",
        m.name, "", "negative", "neutral", "positive"
    );
    for gold in Label::ALL {
        let counts = Label::ALL.map(|p| m.metrics.confusion.get(gold, p));
        if counts.iter().sum::<u64>() == 0 {
            continue;
        }
        let _ = writeln!(
            out,
            "{:>14} {:>9} {:>9} {:>9}",
            gold.as_str(),
            counts[0],
            counts[1],
            counts[2]
        );
    }
}
