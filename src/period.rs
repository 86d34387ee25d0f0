//! Periods: a date → the month (`YYYY-MM`) or ISO 8601 week (`YYYY-Www`) it falls in,
//! in UTC, for the trends of topics and reports. One bucketing for both: a date's
//! [`Period::index`] (consecutive periods are consecutive numbers, for slopes) and the
//! index's [`Period::name`].

use std::fmt::Write;
use std::str::FromStr;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
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
    /// Writes the name of the period of `date` (in UTC) into `key`.
    pub fn key(self, date: DateTime<Utc>, key: &mut String) {
        key.clear();
        self.write_name(self.index(date.date_naive()), key);
    }

    /// The period's number: year·12 + month − 1, or Mondays since 0001-01-01 / 7.
    pub fn index(self, date: NaiveDate) -> i32 {
        match self {
            Period::Month => date.year() * 12 + date.month0() as i32,
            Period::Week => {
                let monday = date.num_days_from_ce() - date.weekday().num_days_from_monday() as i32;
                (monday - 1).div_euclid(7)
            }
        }
    }

    /// `2026-07` or `2026-W27`: the name of the period numbered `index`.
    pub fn name(self, index: i32) -> String {
        let mut name = String::new();
        self.write_name(index, &mut name);
        name
    }

    fn write_name(self, index: i32, out: &mut String) {
        let _ = match self {
            Period::Month => write!(
                out,
                "{:04}-{:02}",
                index.div_euclid(12),
                index.rem_euclid(12) + 1
            ),
            Period::Week => match NaiveDate::from_num_days_from_ce_opt(index * 7 + 1) {
                Some(monday) => {
                    let week = monday.iso_week();
                    write!(out, "{:04}-W{:02}", week.year(), week.week())
                }
                None => write!(out, "week {index}"),
            },
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
    fn indices_are_consecutive_and_name_their_period() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let month = Period::Month;
        assert_eq!(
            month.index(day(2027, 1, 5)),
            month.index(day(2026, 12, 31)) + 1
        );
        assert_eq!(month.name(month.index(day(2026, 7, 31))), "2026-07");
        // 2026-07-01 is a Wednesday in ISO week 27, with Monday 2026-06-29.
        let week = Period::Week;
        assert_eq!(week.index(day(2026, 7, 1)), week.index(day(2026, 6, 29)));
        assert_eq!(
            week.index(day(2026, 7, 6)),
            week.index(day(2026, 6, 29)) + 1
        );
        assert_eq!(week.name(week.index(day(2026, 7, 1))), "2026-W27");
        assert_eq!(week.name(week.index(day(2027, 1, 1))), "2026-W53");
    }

    #[test]
    fn periods_parse() {
        assert_eq!("week".parse::<Period>(), Ok(Period::Week));
        assert_eq!("Month".parse::<Period>(), Ok(Period::Month));
        assert!("year".parse::<Period>().is_err());
    }
}
