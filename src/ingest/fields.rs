//! Field mapping and validation: one line's fields → a [`Record`] or a [`Reject`].
//!
//! Readers expose a line's fields through [`Fields`]; [`to_record`] checks each one the
//! same way for JSONL and CSV, so a rating of 9 is rejected with the same reason wherever
//! it comes from.

use std::borrow::Cow;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

use super::{Item, RejectReason, Source};
use crate::record::{Lang, Origin, Record, keepable};

/// Which input field holds each part of a record (`--text-field body`, …).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldMap {
    pub id: FieldNames,
    pub text: FieldNames,
    pub rating: FieldNames,
    pub nps: FieldNames,
    pub effort: FieldNames,
    pub channel: FieldNames,
    pub stage: FieldNames,
    pub product: FieldNames,
    pub created_at: FieldNames,
    pub lang: FieldNames,
}

impl Default for FieldMap {
    fn default() -> Self {
        FieldMap {
            id: FieldNames::new("id"),
            text: FieldNames::new("text"),
            rating: FieldNames::new("rating"),
            nps: FieldNames::new("nps"),
            effort: FieldNames::new("effort"),
            channel: FieldNames::new("channel"),
            stage: FieldNames::new("stage"),
            product: FieldNames::new("product"),
            created_at: FieldNames::new("created_at"),
            lang: FieldNames::new("lang"),
        }
    }
}

impl FieldMap {
    /// Every input field name the map reads: what a CSV reader decodes, and nothing else.
    pub fn all_names(&self) -> Vec<&str> {
        [
            &self.id,
            &self.text,
            &self.rating,
            &self.nps,
            &self.effort,
            &self.channel,
            &self.stage,
            &self.product,
            &self.created_at,
            &self.lang,
        ]
        .into_iter()
        .flat_map(|names| names.names().iter().map(String::as_str))
        .collect()
    }
}

/// The names one field goes by, tried in order: a JSONL dump and a CSV export read in
/// one run may call the text `text` and `comment`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldNames(Vec<String>);

impl FieldNames {
    pub fn new(name: &str) -> Self {
        FieldNames(vec![name.to_string()])
    }

    /// The given names first, then koe's own `default`.
    pub fn preferring(names: Vec<String>, default: &str) -> Self {
        let mut all = names;
        if !all.iter().any(|n| n == default) {
            all.push(default.to_string());
        }
        FieldNames(all)
    }

    pub fn names(&self) -> &[String] {
        &self.0
    }

    /// The first of these fields the line has, and the name it goes by there.
    fn find<'f>(&'f self, fields: &'f impl Fields) -> (Value<'f>, &'f str) {
        for name in &self.0 {
            match fields.get(name) {
                Value::Missing => continue,
                value => return (value, name),
            }
        }
        (Value::Missing, self.0.first().map_or("", String::as_str))
    }
}

impl std::fmt::Display for FieldNames {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let quoted: Vec<String> = self.0.iter().map(|n| format!("{n:?}")).collect();
        f.write_str(&quoted.join(" or "))
    }
}

/// A field's value as the reader found it.
pub(super) enum Value<'a> {
    Missing,
    Text(Cow<'a, str>),
    Number(f64),
    /// A JSON array, object or boolean: never a valid koe field.
    Other(&'static str),
}

/// Access to one line's fields by name.
pub(super) trait Fields {
    fn get(&self, name: &str) -> Value<'_>;
}

/// Validates one line's fields into a record; the first bad field rejects the line.
pub(super) fn to_record(fields: &impl Fields, source: &Source, line: u64) -> Item {
    build(fields, source, line).map_err(|(reason, detail)| source.reject(line, reason, detail))
}

type Invalid = (RejectReason, String);

fn build(fields: &impl Fields, source: &Source, line: u64) -> Result<Record, Invalid> {
    let map = &source.fields;
    let text = match map.text.find(fields) {
        (Value::Text(text), _) => text,
        (Value::Missing, _) => {
            return Err((RejectReason::MissingText, format!("no {} field", map.text)));
        }
        (other, name) => return Err((RejectReason::BadField, not_text(name, &other))),
    };
    if text.trim().is_empty() {
        return Err((RejectReason::EmptyText, format!("{} is empty", map.text)));
    }
    let max = source.limits.max_text_bytes;
    if text.len() > max {
        let detail = format!(
            "text is {} bytes, over the limit of {max} (--max-text-bytes)",
            text.len()
        );
        return Err((RejectReason::TextTooLong, detail));
    }
    let label = |names: &FieldNames| {
        let (value, name) = names.find(fields);
        optional_text(value, name)
    };
    let integer = |names: &FieldNames, min, max| {
        let (value, name) = names.find(fields);
        integer_in(value, name, min, max)
    };
    let created_at = match label(&map.created_at)? {
        None => None,
        Some(raw) => match parse_date(&raw) {
            Some(date) if keepable(&date) => Some(date),
            Some(_) => {
                let detail = format!(
                    "{} is {raw:?}: outside the dates koe can keep (1677-09-21 to 2262-04-11)",
                    map.created_at
                );
                return Err((RejectReason::BadDate, detail));
            }
            None => {
                let detail = format!(
                    "{} is {raw:?}: expected RFC 3339 or YYYY-MM-DD",
                    map.created_at
                );
                return Err((RejectReason::BadDate, detail));
            }
        },
    };
    let lang = match label(&map.lang)? {
        None => None,
        Some(raw) => Some(
            raw.parse::<Lang>()
                .map_err(|m| (RejectReason::BadLang, m))?,
        ),
    };
    Ok(Record {
        id: label(&map.id)?.unwrap_or_else(|| generated_id(&source.name, line)),
        rating: integer(&map.rating, 1, 5)
            .map_err(|e| range_error(e, RejectReason::RatingOutOfRange))?,
        nps: integer(&map.nps, 0, 10).map_err(|e| range_error(e, RejectReason::NpsOutOfRange))?,
        effort: integer(&map.effort, 1, 7)
            .map_err(|e| range_error(e, RejectReason::EffortOutOfRange))?,
        channel: label(&map.channel)?,
        stage: label(&map.stage)?,
        product: label(&map.product)?,
        created_at,
        lang,
        text: text.into_owned(),
        origin: Origin {
            file: source.name.clone(),
            line,
        },
    })
}

fn range_error(
    (reason, detail): (Option<RejectReason>, String),
    out_of_range: RejectReason,
) -> Invalid {
    (reason.unwrap_or(out_of_range), detail)
}

/// A stable id for a record that has none: the same file and line give the same id.
fn generated_id(file: &str, line: u64) -> String {
    let hash = blake3::hash(format!("{file}\n{line}").as_bytes());
    hash.to_hex()[..16].to_string()
}

fn not_text(name: &str, value: &Value) -> String {
    match value {
        Value::Number(n) => format!("{name:?} is the number {n}, expected text"),
        Value::Other(kind) => format!("{name:?} is {kind}, expected text"),
        _ => format!("{name:?} is not text"),
    }
}

/// A label-like field: text (trimmed, empty = missing) or a number written as text.
fn optional_text(value: Value, name: &str) -> Result<Option<String>, Invalid> {
    match value {
        Value::Missing => Ok(None),
        Value::Text(t) => {
            let t = t.trim();
            Ok((!t.is_empty()).then(|| t.to_string()))
        }
        Value::Number(n) => Ok(Some(n.to_string())),
        Value::Other(kind) => Err((
            RejectReason::BadField,
            format!("{name:?} is {kind}, expected text"),
        )),
    }
}

/// An integer field within `min..=max`. On error: `Some(reason)` for a value that is not
/// an integer at all, `None` for one out of range (the caller names the range reason).
fn integer_in(
    value: Value,
    name: &str,
    min: u8,
    max: u8,
) -> Result<Option<u8>, (Option<RejectReason>, String)> {
    let number = match value {
        Value::Missing => return Ok(None),
        Value::Number(n) => n,
        Value::Text(t) if t.trim().is_empty() => return Ok(None),
        Value::Text(t) => t.trim().parse::<f64>().map_err(|_| {
            (
                Some(RejectReason::BadField),
                format!("{name:?} is {t:?}, expected a number"),
            )
        })?,
        Value::Other(kind) => {
            return Err((
                Some(RejectReason::BadField),
                format!("{name:?} is {kind}, expected a number"),
            ));
        }
    };
    if number.fract() != 0.0 || number < f64::from(min) || number > f64::from(max) {
        return Err((
            None,
            format!("{name:?} is {number}, expected an integer {min}–{max}"),
        ));
    }
    Ok(Some(number as u8))
}

/// RFC 3339, or a date / date-time without zone (taken as UTC): `2026-05-01`,
/// `2026/05/01`, `2026-05-01 09:30:00`, `2026-05-01T09:30:00`.
pub fn parse_date(raw: &str) -> Option<DateTime<Utc>> {
    let raw = raw.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(raw) {
        return Some(dt.with_timezone(&Utc));
    }
    for format in ["%Y-%m-%d", "%Y/%m/%d"] {
        if let Ok(date) = NaiveDate::parse_from_str(raw, format) {
            return Some(date.and_time(chrono::NaiveTime::MIN).and_utc());
        }
    }
    for format in [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
        "%Y/%m/%d %H:%M:%S",
    ] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(raw, format) {
            return Some(dt.and_utc());
        }
    }
    None
}

/// The end of a date range given as `raw`, exclusive: the day after a bare date
/// (`2026-05-31` covers all of May 31st), the instant itself for a date-time.
pub fn parse_date_end(raw: &str) -> Option<DateTime<Utc>> {
    let date = parse_date(raw)?;
    let whole_day = raw.trim().len() == "YYYY-MM-DD".len();
    Some(if whole_day {
        date + chrono::Duration::days(1)
    } else {
        date
    })
}

/// The start of a date range someone typed (`--since`, `since=`), as [`parse_date`]
/// reads it; the error says what a date looks like.
pub fn parse_since(raw: &str) -> Result<DateTime<Utc>, String> {
    typed_date(raw, parse_date)
}

/// The end of a date range someone typed (`--until`, `until=`), as [`parse_date_end`]
/// reads it; the error says what a date looks like.
pub fn parse_until(raw: &str) -> Result<DateTime<Utc>, String> {
    typed_date(raw, parse_date_end)
}

fn typed_date(
    raw: &str,
    parse: fn(&str) -> Option<DateTime<Utc>>,
) -> Result<DateTime<Utc>, String> {
    parse(raw).ok_or_else(|| format!("{raw:?} is not a date (YYYY-MM-DD or RFC 3339)"))
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::sync::Arc;

    use chrono::{Datelike, NaiveDate, TimeZone};
    use proptest::prelude::*;

    use super::*;
    use crate::ingest::Limits;
    use crate::record::KEEPABLE_SECONDS;

    /// One line's fields, by name.
    struct Line(HashMap<&'static str, String>);

    impl Fields for Line {
        fn get(&self, name: &str) -> Value<'_> {
            self.0
                .get(name)
                .map_or(Value::Missing, |v| Value::Text(Cow::Borrowed(v)))
        }
    }

    fn record(fields: &[(&'static str, &str)]) -> Item {
        let source = Source {
            path: "t.jsonl".into(),
            name: "t.jsonl".into(),
            fields: Arc::new(FieldMap::default()),
            limits: Limits::default(),
        };
        let line = Line(fields.iter().map(|&(k, v)| (k, v.to_string())).collect());
        to_record(&line, &source, 1)
    }

    #[test]
    fn dates_koe_cannot_keep_are_rejected_not_moved() {
        for raw in [
            "9999-12-31",
            "1600-01-01",
            "2262-04-12",
            "1677-09-20T00:00:00Z",
        ] {
            let reject = record(&[("text", "届きました"), ("created_at", raw)]).unwrap_err();
            assert_eq!(reject.reason, RejectReason::BadDate, "{raw}");
            assert!(
                reject.detail.contains("outside the dates"),
                "{}",
                reject.detail
            );
        }
        for raw in ["2262-04-11", "1677-09-22", "1970-01-01"] {
            let kept = record(&[("text", "届きました"), ("created_at", raw)]).unwrap();
            assert_eq!(kept.created_at, parse_date(raw), "{raw}");
        }
    }

    proptest! {
        #[test]
        fn any_text_is_a_date_or_not_without_a_panic(raw in "\\PC{0,40}") {
            let _ = parse_date(&raw);
            let _ = parse_date_end(&raw);
            let _ = record(&[("text", "x"), ("created_at", &raw)]);
        }

        #[test]
        fn every_keepable_instant_reads_back_in_each_form(
            seconds in KEEPABLE_SECONDS,
        ) {
            let instant = Utc.timestamp_opt(seconds, 0).unwrap();
            prop_assume!((1000..=9999).contains(&instant.year()));
            for format in ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S"] {
                let text = instant.format(format).to_string();
                prop_assert_eq!(parse_date(&text), Some(instant), "{}", text);
            }
            prop_assert_eq!(parse_date(&instant.to_rfc3339()), Some(instant));
            let day = instant.date_naive();
            let midnight = day.and_hms_opt(0, 0, 0).unwrap().and_utc();
            for format in ["%Y-%m-%d", "%Y/%m/%d"] {
                let text = day.format(format).to_string();
                prop_assert_eq!(parse_date(&text), Some(midnight));
                prop_assert_eq!(parse_date_end(&text), Some(midnight + chrono::Duration::days(1)));
            }
            // What the index stores is the same instant, never a wrapped one.
            let stored = tantivy::DateTime::from_timestamp_secs(seconds);
            prop_assert_eq!(stored.into_timestamp_secs(), seconds);
            let kept = record(&[("text", "x"), ("created_at", &instant.to_rfc3339())]);
            prop_assert_eq!(kept.unwrap().created_at, Some(instant));
        }

        #[test]
        fn dates_past_the_index_range_are_rejects(year in 2263i32..=9999, ordinal in 1u32..=365) {
            let day = NaiveDate::from_yo_opt(year, ordinal).unwrap();
            let raw = day.format("%Y-%m-%d").to_string();
            let reject = record(&[("text", "x"), ("created_at", &raw)]).unwrap_err();
            prop_assert_eq!(reject.reason, RejectReason::BadDate);
            // A filter may still name such a day: it parses, and the search clamps it.
            prop_assert!(parse_until(&raw).is_ok());
        }

        #[test]
        fn a_rating_is_a_whole_number_in_range_or_a_named_reject(n in prop_oneof![
            any::<f64>(),
            (-3i32..10).prop_map(f64::from),
            (-30i32..100).prop_map(|n| f64::from(n) / 4.0),
        ]) {
            let whole_in_range = n.fract() == 0.0 && (1.0..=5.0).contains(&n);
            match integer_in(Value::Number(n), "rating", 1, 5) {
                Ok(Some(r)) => prop_assert!(whole_in_range && f64::from(r) == n),
                Ok(None) => prop_assert!(false, "a number is never missing"),
                Err((reason, _)) => {
                    prop_assert!(!whole_in_range);
                    prop_assert_eq!(reason, None, "out of range, not a bad field");
                }
            }
            let text = n.to_string();
            let reason = record(&[("text", "x"), ("rating", &text)]).err().map(|r| r.reason);
            prop_assert_eq!(reason.is_none(), whole_in_range, "{}", text);
            if let Some(reason) = reason {
                prop_assert_eq!(reason, RejectReason::RatingOutOfRange);
            }
        }

        #[test]
        fn a_rating_that_is_not_a_number_is_a_bad_field(raw in "[a-zA-Z★]{1,8}") {
            prop_assume!(raw.parse::<f64>().is_err());
            let reject = record(&[("text", "x"), ("rating", &raw)]).unwrap_err();
            prop_assert_eq!(reject.reason, RejectReason::BadField);
        }
    }

    #[test]
    fn parses_the_date_forms_dumps_use() {
        let day = parse_date("2026-05-01").unwrap();
        assert_eq!(day.to_rfc3339(), "2026-05-01T00:00:00+00:00");
        assert_eq!(parse_date("2026/05/01"), Some(day));
        let end = parse_date_end("2026/05/01").unwrap();
        assert_eq!(end.to_rfc3339(), "2026-05-02T00:00:00+00:00");
        let instant = "2026-05-01T09:30:00+00:00";
        assert_eq!(parse_date_end(instant), parse_date(instant));
        let tokyo = parse_date("2026-05-01T09:00:00+09:00").unwrap();
        assert_eq!(tokyo, day);
        assert!(parse_date("2026-05-01 12:30:00").is_some());
        assert_eq!(parse_date("last Tuesday"), None);
        assert_eq!(parse_date("2026-13-01"), None);
    }

    #[test]
    fn integers_must_be_whole_and_in_range() {
        assert_eq!(integer_in(Value::Number(4.0), "rating", 1, 5), Ok(Some(4)));
        assert_eq!(
            integer_in(Value::Text(" 5 ".into()), "rating", 1, 5),
            Ok(Some(5))
        );
        assert_eq!(integer_in(Value::Text("".into()), "rating", 1, 5), Ok(None));
        assert!(matches!(
            integer_in(Value::Number(9.0), "rating", 1, 5),
            Err((None, _))
        ));
        assert!(matches!(
            integer_in(Value::Number(4.5), "rating", 1, 5),
            Err((None, _))
        ));
        assert!(matches!(
            integer_in(Value::Text("good".into()), "rating", 1, 5),
            Err((Some(RejectReason::BadField), _))
        ));
    }

    #[test]
    fn generated_ids_are_stable_and_distinct() {
        assert_eq!(generated_id("a.jsonl", 3), generated_id("a.jsonl", 3));
        assert_ne!(generated_id("a.jsonl", 3), generated_id("a.jsonl", 4));
        assert_ne!(generated_id("a.jsonl", 3), generated_id("b.jsonl", 3));
    }
}
