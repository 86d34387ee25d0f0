//! Number formats shared by the HTML and Markdown reports: signed figures with a true
//! minus sign, percentages, intervals and counts, and "—" where there is no figure.

use super::stats::{Mean, Nps, Share};

/// Shown where a group has no answers for a metric.
pub const NONE: &str = "—";

/// `+12`, `−5`, `0` (no sign on zero, and no "−0").
pub fn signed(value: f64, decimals: usize) -> String {
    let text = format!("{value:+.decimals$}");
    if text[1..].bytes().all(|b| b == b'0' || b == b'.') {
        return text[1..].to_string();
    }
    text.replace('-', "−")
}

/// `12`, `−5.3`: like [`signed`] without the plus.
pub fn plain(value: f64, decimals: usize) -> String {
    signed(value, decimals).trim_start_matches('+').to_string()
}

/// NPS as `+12 ± 9`.
pub fn nps(n: &Nps) -> String {
    format!("{} ± {}", signed(n.score, 0), plain(n.margin, 0))
}

/// `54%`.
pub fn percent(share: &Share) -> String {
    format!("{}%", plain(share.percent, 0))
}

/// The Wilson interval of a share, `48–60%`.
pub fn percent_ci(share: &Share) -> String {
    format!("{}–{}%", plain(share.ci.low, 0), plain(share.ci.high, 0))
}

/// A mean and, when there is one, the half-width of its interval: `5.2 ± 0.3`.
pub fn mean(m: &Mean, decimals: usize, with_sign: bool) -> String {
    let value = if with_sign {
        signed(m.mean, decimals)
    } else {
        plain(m.mean, decimals)
    };
    match m.ci {
        Some(ci) => format!("{value} ± {}", plain((ci.high - ci.low) / 2.0, decimals)),
        None => value,
    }
}

/// `1,234`.
pub fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The day of an RFC 3339 timestamp: `2026-05-01`.
pub fn day(timestamp: &str) -> &str {
    timestamp.get(..10).unwrap_or(timestamp)
}

/// At most `max` characters, with "…" when cut.
pub fn clip(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", text[..at].trim_end()),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_and_separators() {
        assert_eq!(signed(12.4, 0), "+12");
        assert_eq!(signed(-5.0, 0), "−5");
        assert_eq!(signed(-0.4, 0), "0");
        assert_eq!(signed(0.004, 2), "0.00");
        assert_eq!(signed(-0.25, 2), "−0.25");
        assert_eq!(plain(54.4, 0), "54");
        assert_eq!(count(1234567), "1,234,567");
        assert_eq!(count(400), "400");
        assert_eq!(day("2026-05-01T10:00:00+00:00"), "2026-05-01");
    }
}
