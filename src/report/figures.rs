//! One group's figures: each [`Response`] goes into a [`Tally`] (a few numbers per
//! metric), which turns into [`Figures`] with counts, 95% intervals and `small` flags.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::stats::{Mean, MeanTally, Nps, NpsTally, SMALL_N, Share, ShareTally};
use crate::index::Hit;

/// One response as the metrics see it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Response<'a> {
    pub channel: Option<&'a str>,
    pub stage: Option<&'a str>,
    pub product: Option<&'a str>,
    pub created_at: Option<DateTime<Utc>>,
    /// 0–10.
    pub nps: Option<u64>,
    /// 1–5 stars.
    pub rating: Option<u64>,
    /// 1 (very hard) – 7 (very easy).
    pub effort: Option<u64>,
    /// Document sentiment, −1..1.
    pub sentiment: Option<f64>,
    /// Whether the document was labelled negative.
    pub negative: Option<bool>,
}

impl<'a> From<&'a Hit> for Response<'a> {
    fn from(hit: &'a Hit) -> Self {
        Response {
            channel: hit.channel.as_deref(),
            stage: hit.stage.as_deref(),
            product: hit.product.as_deref(),
            created_at: hit
                .created_at
                .as_deref()
                .and_then(|d| DateTime::parse_from_rfc3339(d).ok())
                .map(|d| d.with_timezone(&Utc)),
            nps: hit.nps,
            rating: hit.rating,
            effort: hit.effort,
            sentiment: hit.sentiment_score,
            negative: hit.sentiment.as_deref().map(|label| label == "negative"),
        }
    }
}

/// Every metric of one group of responses. A metric is `null` when no response of the
/// group answered it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Figures {
    pub records: u64,
    /// Fewer than 30 records.
    pub small: bool,
    pub nps: Option<Nps>,
    /// Share of 4–5 star ratings.
    pub csat: Option<Share>,
    /// Mean Customer Effort Score answer, 1–7 (higher is easier).
    pub ces: Option<Mean>,
    /// Mean document sentiment, −1..1.
    pub sentiment: Option<Mean>,
    /// Share of records labelled negative.
    pub negative: Option<Share>,
}

/// The running tallies of one group.
#[derive(Debug, Clone, Copy, Default)]
pub struct Tally {
    records: u64,
    nps: NpsTally,
    csat: ShareTally,
    ces: MeanTally,
    sentiment: MeanTally,
    negative: ShareTally,
}

impl Tally {
    pub fn add(&mut self, r: &Response) {
        self.records += 1;
        if let Some(answer) = r.nps {
            self.nps.add(answer);
        }
        if let Some(rating @ 1..=5) = r.rating {
            self.csat.add(rating >= 4);
        }
        if let Some(effort @ 1..=7) = r.effort {
            self.ces.add(effort as f64);
        }
        if let Some(score) = r.sentiment {
            self.sentiment.add(score);
        }
        if let Some(negative) = r.negative {
            self.negative.add(negative);
        }
    }

    pub fn figures(&self) -> Figures {
        Figures {
            records: self.records,
            small: self.records < SMALL_N,
            nps: self.nps.summary(),
            csat: self.csat.summary(),
            ces: self.ces.summary(),
            sentiment: self.sentiment.summary(),
            negative: self.negative.summary(),
        }
    }
}
