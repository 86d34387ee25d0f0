//! What comes in and what each stage adds to it.
//!
//! A [`Record`] is one piece of customer feedback as ingest read it: its text and the
//! optional survey fields around it, plus where it came from. The pipeline turns it into
//! an [`Analysed`] record: the normalised, tokenized text ([`AnalysedText`]) and its
//! sentiment ([`DocSentiment`]). The index stage stores `Analysed` records.

use std::fmt;
use std::ops::RangeInclusive;
use std::str::FromStr;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::sentiment::DocSentiment;
use crate::text::AnalysedText;

/// Languages koe analyses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Ja,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ja => "ja",
            Lang::En => "en",
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Lang {
    type Err = String;

    /// Accepts ISO 639-1 codes and BCP 47 tags (`ja`, `ja-JP`, `en-US`, `EN`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let primary = s
            .split(['-', '_'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        match primary.as_str() {
            "ja" | "jp" | "jpn" => Ok(Lang::Ja),
            "en" | "eng" => Ok(Lang::En),
            _ => Err(format!("unsupported language {s:?} (koe reads ja and en)")),
        }
    }
}

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

/// A record with everything the analysis stages added.
#[derive(Debug, Clone)]
pub struct Analysed {
    pub record: Record,
    pub text: AnalysedText,
    pub sentiment: DocSentiment,
}
