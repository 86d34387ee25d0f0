//! Periods: a date → the month (`YYYY-MM`) or ISO 8601 week (`YYYY-Www`) it falls in,
//! in UTC, for the trends of topics and reports.

use std::fmt::Write;
use std::str::FromStr;

use chrono::{DateTime, Datelike, Utc};
use serde::{Deserialize, Serialize};

/// How responses are grouped over time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Period {
    /// Calendar month, `YYYY-MM`.
    #[default]
    Month,
    /// ISO 8601 week, `YYYY-Www`.
    Week,
}

impl Period {
    /// Writes the period of `date` (in UTC) into `key`.
    pub fn key(self, date: DateTime<Utc>, key: &mut String) {
        key.clear();
        let _ = match self {
            Period::Month => write!(key, "{:04}-{:02}", date.year(), date.month()),
            Period::Week => {
                let week = date.iso_week();
                write!(key, "{:04}-W{:02}", week.year(), week.week())
            }
        };
    }
}

impl FromStr for Period {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "month" | "monthly" => Ok(Period::Month),
            "week" | "weekly" => Ok(Period::Week),
            _ => Err(format!("unknown period {s:?} (month, week)")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(period: Period, date: &str) -> String {
        let date = DateTime::parse_from_rfc3339(date)
            .unwrap()
            .with_timezone(&Utc);
        let mut key = String::new();
        period.key(date, &mut key);
        key
    }

    #[test]
    fn months_and_iso_weeks_in_utc() {
        assert_eq!(key(Period::Month, "2026-07-31T23:30:00-01:00"), "2026-08");
        assert_eq!(key(Period::Week, "2026-12-31T12:00:00Z"), "2026-W53");
        // 2027-01-01 is a Friday: it belongs to the last week of 2026, which has 53.
        assert_eq!(key(Period::Week, "2027-01-01T12:00:00Z"), "2026-W53");
        assert_eq!(key(Period::Week, "2027-01-04T00:00:00Z"), "2027-W01");
    }

    #[test]
    fn periods_parse() {
        assert_eq!("week".parse::<Period>(), Ok(Period::Week));
        assert_eq!("Month".parse::<Period>(), Ok(Period::Month));
        assert!("year".parse::<Period>().is_err());
    }
}
