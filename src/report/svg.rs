//! Charts as inline SVG, written by hand: a line chart with a shaded 95% band, a
//! sparkline, and the diverging colour scale of the heat map.
//!
//! Hand-written SVG keeps the report one self-contained file with no chart library: the
//! charts are small, their text is styled by the page's CSS (so Japanese labels use the
//! page's fonts), and every label is escaped like any other text.

use std::fmt::Write;

use super::escape::Html;

/// One period of a [`LineChart`].
#[derive(Debug, Clone)]
pub struct Point {
    pub label: String,
    /// `None`: no answers in this period (the line breaks there).
    pub value: Option<f64>,
    /// The 95% interval, shaded around the line.
    pub band: Option<(f64, f64)>,
    pub n: u64,
    /// Fewer than 30 answers: drawn hollow.
    pub small: bool,
}

/// A line over periods with its interval band.
#[derive(Debug, Clone)]
pub struct LineChart<'a> {
    /// For screen readers (`aria-label`).
    pub title: &'a str,
    pub points: &'a [Point],
    /// The scale's own limits (−100..100 for NPS); the axis never goes beyond them.
    pub limits: (f64, f64),
    /// Distance between gridlines; the axis is rounded out to multiples of it.
    pub step: f64,
    pub decimals: usize,
    pub colour: &'a str,
}

const WIDTH: f64 = 520.0;
const HEIGHT: f64 = 230.0;
const LEFT: f64 = 48.0;
const RIGHT: f64 = 30.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 40.0;

impl LineChart<'_> {
    /// The axis range: the data, its bands and zero, rounded out to whole steps.
    fn range(&self) -> (f64, f64) {
        let values = self.points.iter().flat_map(|p| {
            let (low, high) = p.band.unwrap_or((f64::NAN, f64::NAN));
            [p.value.unwrap_or(f64::NAN), low, high]
        });
        let (min, max) = values
            .filter(|v| v.is_finite())
            .fold((0.0_f64, 0.0_f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
        let (floor, ceiling) = self.limits;
        let low = ((min / self.step).floor() * self.step).max(floor);
        let mut high = ((max / self.step).ceil() * self.step).min(ceiling);
        if high <= low {
            high = (low + self.step).min(ceiling);
        }
        // A flat line sits mid-chart, not on an edge.
        let low = if high - low <= self.step {
            (low - self.step).max(floor)
        } else {
            low
        };
        (low, high)
    }

    pub fn render(&self) -> String {
        let mut svg = String::new();
        let _ = write!(
            svg,
            r#"<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{}">"#,
            Html(self.title)
        );
        let (low, high) = self.range();
        let plot_height = HEIGHT - TOP - BOTTOM;
        let y = |v: f64| TOP + (high - v.clamp(low, high)) / (high - low) * plot_height;
        let count = self.points.len();
        let x = |i: usize| {
            if count <= 1 {
                LEFT + (WIDTH - LEFT - RIGHT) / 2.0
            } else {
                LEFT + i as f64 * (WIDTH - LEFT - RIGHT) / (count - 1) as f64
            }
        };
        // Gridlines and their labels; zero drawn darker.
        let steps = ((high - low) / self.step).round() as usize;
        for k in 0..=steps {
            let value = low + k as f64 * self.step;
            let class = if value.abs() < self.step / 1e3 {
                "zero"
            } else {
                "grid"
            };
            let (right, at, label) = (WIDTH - RIGHT, y(value), LEFT - 6.0);
            let _ = write!(
                svg,
                r#"<line class="{class}" x1="{LEFT}" x2="{right:.1}" y1="{at:.1}" y2="{at:.1}"/><text class="tick" x="{label:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
                at + 4.0,
                super::format::signed(value, self.decimals)
            );
        }
        // The band and the line, broken wherever a period has no answers.
        for run in runs(self.points) {
            let banded: Vec<usize> = run
                .clone()
                .filter(|&i| self.points[i].band.is_some())
                .collect();
            if banded.len() > 1 {
                let mut outline = String::new();
                for &i in &banded {
                    let (_, hi) = self.points[i].band.unwrap_or_default();
                    let _ = write!(outline, "{:.1},{:.1} ", x(i), y(hi));
                }
                for &i in banded.iter().rev() {
                    let (lo, _) = self.points[i].band.unwrap_or_default();
                    let _ = write!(outline, "{:.1},{:.1} ", x(i), y(lo));
                }
                let _ = write!(
                    svg,
                    r#"<polygon class="band" fill="{}" points="{}"/>"#,
                    self.colour,
                    outline.trim_end()
                );
            }
            let line: Vec<String> = run
                .filter_map(|i| Some(format!("{:.1},{:.1}", x(i), y(self.points[i].value?))))
                .collect();
            let _ = write!(
                svg,
                r#"<polyline class="line" stroke="{}" points="{}"/>"#,
                self.colour,
                line.join(" ")
            );
        }
        // As many period labels as fit side by side (about 6.5 units a character at 11px).
        let longest = self
            .points
            .iter()
            .map(|p| p.label.chars().count())
            .max()
            .unwrap_or(1);
        let fit = ((WIDTH - LEFT - RIGHT) / (longest as f64 * 6.5 + 12.0))
            .floor()
            .max(1.0);
        let every = count.div_ceil(fit as usize).max(1);
        for (i, p) in self.points.iter().enumerate() {
            if let Some(v) = p.value {
                let fill = if p.small { "#fff" } else { self.colour };
                let band = p.band.map_or(String::new(), |(lo, hi)| {
                    let f = |v| super::format::signed(v, self.decimals);
                    format!(" (95% CI {} to {})", f(lo), f(hi))
                });
                let _ = write!(
                    svg,
                    r#"<circle cx="{:.1}" cy="{:.1}" r="3.5" fill="{fill}" stroke="{}"><title>{}: {}{band}, n={}</title></circle>"#,
                    x(i),
                    y(v),
                    self.colour,
                    Html(&p.label),
                    super::format::signed(v, self.decimals),
                    p.n
                );
            }
            // Counted back from the latest period, which is always labelled.
            if (count - 1 - i).is_multiple_of(every) {
                let _ = write!(
                    svg,
                    r#"<text class="tick" x="{0:.1}" y="{1:.1}" text-anchor="middle">{2}</text><text class="tick n" x="{0:.1}" y="{3:.1}" text-anchor="middle">n={4}</text>"#,
                    x(i),
                    HEIGHT - BOTTOM + 16.0,
                    Html(&p.label),
                    HEIGHT - BOTTOM + 30.0,
                    p.n
                );
            }
        }
        svg.push_str("</svg>");
        svg
    }
}

/// Index ranges of consecutive points that have a value.
fn runs(points: &[Point]) -> Vec<std::ops::Range<usize>> {
    let mut runs = Vec::new();
    let mut start = None;
    for (i, p) in points.iter().enumerate() {
        match (p.value.is_some(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                runs.push(s..i);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        runs.push(s..points.len());
    }
    runs
}

/// A small line of counts per period; `title` lists them for a hover.
pub fn sparkline(counts: &[u64], title: &str, emerging: bool) -> String {
    const W: f64 = 120.0;
    const H: f64 = 28.0;
    let max = counts.iter().copied().max().unwrap_or(0).max(1) as f64;
    let x = |i: usize| {
        if counts.len() <= 1 {
            W / 2.0
        } else {
            2.0 + i as f64 * (W - 4.0) / (counts.len() - 1) as f64
        }
    };
    let y = |c: u64| H - 3.0 - c as f64 / max * (H - 6.0);
    let points: Vec<String> = counts
        .iter()
        .enumerate()
        .map(|(i, &c)| format!("{:.1},{:.1}", x(i), y(c)))
        .collect();
    let colour = if emerging { "#b2182b" } else { "#555" };
    let mut svg = format!(
        r#"<svg class="spark" viewBox="0 0 {W} {H}" width="{W}" height="{H}" role="img" aria-label="{0}"><title>{0}</title>"#,
        Html(title)
    );
    if let Some(last) = points.last() {
        let _ = write!(
            svg,
            r#"<polygon fill="{colour}" opacity="0.12" points="{:.1},{H} {} {:.1},{H}"/><polyline fill="none" stroke="{colour}" stroke-width="1.5" points="{}"/>"#,
            x(0),
            points.join(" "),
            x(counts.len() - 1),
            points.join(" ")
        );
        if let Some((cx, cy)) = last.split_once(',') {
            let _ = write!(
                svg,
                r#"<circle cx="{cx}" cy="{cy}" r="2.5" fill="{colour}"/>"#
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

/// A colour for `t` in −1..1 on a red (−1) – white (0) – blue (1) scale (ColorBrewer
/// RdBu, readable with the common colour-vision deficiencies), and whether text on it
/// should be white.
pub fn diverging(t: f64) -> (String, bool) {
    const RED: (f64, f64, f64) = (178.0, 24.0, 43.0);
    const WHITE: (f64, f64, f64) = (247.0, 247.0, 247.0);
    const BLUE: (f64, f64, f64) = (33.0, 102.0, 172.0);
    let t = if t.is_finite() {
        t.clamp(-1.0, 1.0)
    } else {
        0.0
    };
    let end = if t < 0.0 { RED } else { BLUE };
    let a = t.abs();
    let mix = |from: f64, to: f64| (from + (to - from) * a).round() as u8;
    let colour = format!(
        "#{:02x}{:02x}{:02x}",
        mix(WHITE.0, end.0),
        mix(WHITE.1, end.1),
        mix(WHITE.2, end.2)
    );
    (colour, a > 0.55)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(label: &str, value: Option<f64>) -> Point {
        Point {
            label: label.to_string(),
            value,
            band: value.map(|v| (v - 10.0, v + 10.0)),
            n: 40,
            small: false,
        }
    }

    #[test]
    fn the_line_breaks_where_a_period_has_no_answers() {
        let points = [
            point("2026-05", Some(-20.0)),
            point("2026-06", Some(5.0)),
            point("2026-07", None),
            point("2026-08", Some(12.0)),
        ];
        assert_eq!(runs(&points), [0..2, 3..4]);
        let chart = LineChart {
            title: "NPS <by month>",
            points: &points,
            limits: (-100.0, 100.0),
            step: 20.0,
            decimals: 0,
            colour: "#2166ac",
        };
        assert_eq!(chart.range(), (-40.0, 40.0));
        let svg = chart.render();
        assert_eq!(svg.matches("<polyline").count(), 2);
        assert!(svg.contains("aria-label=\"NPS &lt;by month&gt;\""));
        assert!(svg.contains("<title>2026-05: −20 (95% CI −30 to −10), n=40</title>"));
    }

    #[test]
    fn colours_run_from_red_through_white_to_blue() {
        assert_eq!(diverging(-1.0), ("#b2182b".to_string(), true));
        assert_eq!(diverging(0.0), ("#f7f7f7".to_string(), false));
        assert_eq!(diverging(2.0), ("#2166ac".to_string(), true));
        assert_eq!(diverging(f64::NAN).0, "#f7f7f7");
    }
}
