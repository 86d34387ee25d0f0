//! What comes in and what each stage adds to it.
//!
//! A [`Record`] is one piece of customer feedback as ingest read it: its text and the
//! optional survey fields around it, plus where it came from. The pipeline turns it into
//! an [`Analysed`] record: the normalised, tokenized text ([`AnalysedText`]) and its
//! sentiment ([`DocSentiment`]). The index stage stores `Analysed` records.

use std::fmt;
use std::ops::RangeInclusive;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use crate::lang::Lang;
use crate::sentiment::DocSentiment;
use crate::text::AnalysedText;

/// The seconds since 1970 a record's date may have: the index stores instants as
/// nanoseconds in an `i64`, from 1677-09-21 to 2262-04-11. A date outside would wrap
/// around to another (9999-12-31 became 1816-03-29), so ingest rejects it instead.
pub const KEEPABLE_SECONDS: RangeInclusive<i64> =
    (i64::MIN / 1_000_000_000)..=(i64::MAX / 1_000_000_000);

/// Whether a date is one koe can keep (see [`KEEPABLE_SECONDS`]).
pub fn keepable(date: &DateTime<Utc>) -> bool {
    KEEPABLE_SECONDS.contains(&date.timestamp())
}

/// Where a record came from: the input file and the 1-based line (JSONL) or row (CSV).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Origin {
    pub file: Arc<str>,
    pub line: u64,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// One piece of feedback, validated by ingest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub id: String,
    pub text: String,
    /// Star rating, 1–5.
    pub rating: Option<u8>,
    /// Net Promoter answer, 0–10.
    pub nps: Option<u8>,
    /// Customer Effort Score answer, 1 (very hard) to 7 (very easy).
    pub effort: Option<u8>,
    pub channel: Option<String>,
    /// Customer-journey stage (e.g. purchase, delivery, support).
    pub stage: Option<String>,
    pub product: Option<String>,
    /// Always [`keepable`]: ingest rejects dates the index could not store.
    pub created_at: Option<DateTime<Utc>>,
    /// Language given by the input; wins over detection.
    pub lang: Option<Lang>,
    pub origin: Origin,
}

impl Record {
    /// A record of `text` alone, no survey fields, from line `line` of `file`: where a
    /// caller holding bare texts (or a test) starts; set the other fields after.
    pub fn new(id: impl Into<String>, text: impl Into<String>, file: &str, line: u64) -> Record {
        Record {
            id: id.into(),
            text: text.into(),
            rating: None,
            nps: None,
            effort: None,
            channel: None,
            stage: None,
            product: None,
            created_at: None,
            lang: None,
            origin: Origin {
                file: Arc::from(file),
                line,
            },
        }
    }
}

/// A record with everything the analysis stages added.
#[derive(Debug, Clone)]
pub struct Analysed {
    pub record: Record,
    pub text: AnalysedText,
    pub sentiment: DocSentiment,
}
