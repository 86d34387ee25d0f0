//! Metrics: a stream of responses → NPS, CSAT, CES, mean sentiment and share negative,
//! overall and by channel, journey stage, product, period and channel × stage.
//!
//! [`MetricsBuilder`] takes one [`Response`] at a time and keeps one [`Tally`] per group,
//! so memory grows with the number of groups, not of records. [`MetricsBuilder::finish`]
//! hands the renderers a [`Metrics`] value in which every figure carries its count, its
//! 95% interval and a `small` flag (see [`super::stats`]).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::figures::{Figures, Response, Tally};
use crate::period::Period;

/// The group name of responses without a channel, stage or product.
pub const UNSET: &str = "(none)";

/// Journey stages in the order customers meet them; other stages follow, largest first.
const JOURNEY: [&str; 12] = [
    "awareness",
    "discovery",
    "consideration",
    "purchase",
    "checkout",
    "delivery",
    "onboarding",
    "usage",
    "support",
    "return",
    "renewal",
    "cancellation",
];

impl Metrics {
    /// The by-group tables a report shows, titled: channel, journey stage, product, period.
    pub fn group_tables(&self) -> [(&'static str, &[Group]); 4] {
        let by_period = match self.period {
            Period::Month => "Month",
            Period::Week => "ISO week",
        };
        [
            ("Channel", &self.by_channel),
            ("Journey stage", &self.by_stage),
            ("Product", &self.by_product),
            (by_period, &self.by_period),
        ]
    }
}

/// Figures of one channel, stage, product or period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Group {
    pub key: String,
    #[serde(flatten)]
    pub figures: Figures,
}

/// Figures of one channel × stage cell.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cell {
    pub channel: String,
    pub stage: String,
    #[serde(flatten)]
    pub figures: Figures,
}

/// What [`MetricsBuilder::finish`] hands the renderers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    pub period: Period,
    /// Earliest and latest `created_at` (RFC 3339, UTC).
    pub first_date: Option<String>,
    pub last_date: Option<String>,
    /// Records without a date, in no period.
    pub undated: u64,
    /// Answers outside their scale (NPS > 10, rating not 1–5, effort not 1–7), ignored.
    pub out_of_range: u64,
    pub overall: Figures,
    /// Largest first.
    pub by_channel: Vec<Group>,
    /// In journey order (discovery, purchase, delivery, …), then largest first.
    pub by_stage: Vec<Group>,
    /// Largest first.
    pub by_product: Vec<Group>,
    /// Oldest first.
    pub by_period: Vec<Group>,
    pub by_channel_stage: Vec<Cell>,
}

/// Adds responses one at a time; one tally per group.
#[derive(Debug, Default)]
pub struct MetricsBuilder {
    period: Period,
    overall: Tally,
    by_channel: BTreeMap<String, Tally>,
    by_stage: BTreeMap<String, Tally>,
    by_product: BTreeMap<String, Tally>,
    by_period: BTreeMap<String, Tally>,
    by_channel_stage: BTreeMap<String, BTreeMap<String, Tally>>,
    first: Option<DateTime<Utc>>,
    last: Option<DateTime<Utc>>,
    undated: u64,
    out_of_range: u64,
    period_key: String,
}

impl MetricsBuilder {
    pub fn new(period: Period) -> Self {
        MetricsBuilder {
            period,
            ..MetricsBuilder::default()
        }
    }

    pub fn add(&mut self, r: &Response) {
        let out_of_range = r.nps.is_some_and(|v| v > 10)
            || r.rating.is_some_and(|v| !(1..=5).contains(&v))
            || r.effort.is_some_and(|v| !(1..=7).contains(&v));
        self.out_of_range += u64::from(out_of_range);
        self.overall.add(r);
        let channel = r.channel.unwrap_or(UNSET);
        let stage = r.stage.unwrap_or(UNSET);
        group(&mut self.by_channel, channel).add(r);
        group(&mut self.by_stage, stage).add(r);
        group(&mut self.by_product, r.product.unwrap_or(UNSET)).add(r);
        group(group(&mut self.by_channel_stage, channel), stage).add(r);
        match r.created_at {
            Some(date) => {
                self.first = Some(self.first.map_or(date, |d| d.min(date)));
                self.last = Some(self.last.map_or(date, |d| d.max(date)));
                self.period.key(date, &mut self.period_key);
                group(&mut self.by_period, &self.period_key).add(r);
            }
            None => self.undated += 1,
        }
    }

    pub fn finish(self) -> Metrics {
        let groups = |map: BTreeMap<String, Tally>| -> Vec<Group> {
            map.into_iter()
                .map(|(key, t)| Group {
                    key,
                    figures: t.figures(),
                })
                .collect()
        };
        let mut by_channel = groups(self.by_channel);
        let mut by_stage = groups(self.by_stage);
        let mut by_product = groups(self.by_product);
        let largest_first =
            |a: &Group, b: &Group| (b.figures.records, &a.key).cmp(&(a.figures.records, &b.key));
        by_channel.sort_by(largest_first);
        by_product.sort_by(largest_first);
        let journey = |g: &Group| {
            JOURNEY
                .iter()
                .position(|s| g.key.eq_ignore_ascii_case(s))
                .unwrap_or(JOURNEY.len())
        };
        by_stage.sort_by(|a, b| journey(a).cmp(&journey(b)).then(largest_first(a, b)));
        let by_channel_stage = self
            .by_channel_stage
            .into_iter()
            .flat_map(|(channel, stages)| {
                stages.into_iter().map(move |(stage, t)| Cell {
                    channel: channel.clone(),
                    stage,
                    figures: t.figures(),
                })
            })
            .collect();
        Metrics {
            period: self.period,
            first_date: self.first.map(|d| d.to_rfc3339()),
            last_date: self.last.map(|d| d.to_rfc3339()),
            undated: self.undated,
            out_of_range: self.out_of_range,
            overall: self.overall.figures(),
            by_channel,
            by_stage,
            by_product,
            by_period: groups(self.by_period),
            by_channel_stage,
        }
    }
}

/// The value of `key`, made on first use: the key is allocated only then, not for every
/// response.
fn group<'m, T: Default>(map: &'m mut BTreeMap<String, T>, key: &str) -> &'m mut T {
    if !map.contains_key(key) {
        map.insert(key.to_string(), T::default());
    }
    map.get_mut(key)
        .unwrap_or_else(|| unreachable!("the key was inserted above"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> Option<DateTime<Utc>> {
        DateTime::parse_from_rfc3339(s)
            .ok()
            .map(|d| d.with_timezone(&Utc))
    }

    fn close(actual: f64, expected: f64) {
        assert!(
            (actual - expected).abs() < 1e-3,
            "{actual} is not {expected}"
        );
    }

    /// Six responses: (channel, stage, date, nps, rating, effort, sentiment).
    fn responses() -> Vec<Response<'static>> {
        let rows = [
            (
                "web",
                "delivery",
                "2026-07-03T10:00:00Z",
                Some(10),
                Some(5),
                Some(7),
                0.6,
            ),
            (
                "web",
                "delivery",
                "2026-07-20T10:00:00Z",
                Some(9),
                Some(4),
                Some(5),
                0.2,
            ),
            (
                "web",
                "purchase",
                "2026-07-31T23:30:00-01:00",
                Some(7),
                Some(3),
                None,
                0.0,
            ),
            (
                "app",
                "purchase",
                "2026-08-02T10:00:00+09:00",
                Some(3),
                Some(1),
                Some(2),
                -0.8,
            ),
            (
                "app",
                "delivery",
                "2026-08-15T10:00:00Z",
                Some(0),
                Some(2),
                Some(6),
                -0.4,
            ),
            (
                "app",
                "delivery",
                "2026-08-16T10:00:00Z",
                None,
                Some(5),
                None,
                0.4,
            ),
        ];
        rows.into_iter()
            .map(
                |(channel, stage, at, nps, rating, effort, sentiment)| Response {
                    channel: Some(channel),
                    stage: Some(stage),
                    product: None,
                    created_at: date(at),
                    nps,
                    rating,
                    effort,
                    sentiment: Some(sentiment),
                    negative: Some(sentiment < -0.3),
                },
            )
            .collect()
    }

    fn metrics(period: Period) -> Metrics {
        let mut builder = MetricsBuilder::new(period);
        responses().iter().for_each(|r| builder.add(r));
        builder.finish()
    }

    #[test]
    fn overall_figures_match_the_hand_computation() {
        let m = metrics(Period::Month);
        let all = &m.overall;
        assert_eq!(all.records, 6);
        assert!(all.small);
        // NPS answers 10 9 7 3 0: 2 promoters, 1 passive, 2 detractors → NPS 0;
        // Var = (0.4 + 0.4 − 0²)/5 = 0.16, margin = 1.96·0.4·100 = 78.4.
        let nps = all.nps.as_ref().unwrap();
        assert_eq!(
            (nps.n, nps.promoters, nps.passives, nps.detractors),
            (5, 2, 1, 2)
        );
        close(nps.score, 0.0);
        close(nps.margin, 78.4);
        // Ratings 5 4 3 1 2 5: 3 of 6 are 4–5 → CSAT 50%; Wilson with z² = 3.8416:
        // denominator 1.640267, centre (0.5 + 0.320133)/1.640267 = 0.5,
        // half 1.96·√(0.25/6 + 3.8416/144)/1.640267 = 1.96·0.261428/1.640267 = 0.312387
        // → [18.761%, 81.239%].
        let csat = all.csat.as_ref().unwrap();
        assert_eq!((csat.hits, csat.n), (3, 6));
        close(csat.percent, 50.0);
        close(csat.ci.low, 18.761);
        close(csat.ci.high, 81.239);
        // Effort 7 5 2 6: mean 5; squared deviations 4 0 9 1 = 14; s = √(14/3) = 2.160247.
        let ces = all.ces.as_ref().unwrap();
        assert_eq!(ces.n, 4);
        close(ces.mean, 5.0);
        close(ces.sd.unwrap(), 2.160247);
        // Sentiment 0.6 0.2 0 −0.8 −0.4 0.4: mean 0; 2 of 6 below −0.3 are negative.
        close(all.sentiment.as_ref().unwrap().mean, 0.0);
        close(all.negative.as_ref().unwrap().percent, 100.0 / 3.0);
        assert_eq!(m.undated, 0);
        assert_eq!(m.first_date.as_deref(), Some("2026-07-03T10:00:00+00:00"));
    }

    #[test]
    fn groups_are_ordered_and_counted() {
        let m = metrics(Period::Month);
        let keys = |groups: &[Group]| -> Vec<(String, u64)> {
            groups
                .iter()
                .map(|g| (g.key.clone(), g.figures.records))
                .collect()
        };
        // Both channels have 3 records: ties go alphabetically.
        assert_eq!(keys(&m.by_channel), [("app".into(), 3), ("web".into(), 3)]);
        // Journey order, not size: purchase before delivery.
        assert_eq!(
            keys(&m.by_stage),
            [("purchase".into(), 2), ("delivery".into(), 4)]
        );
        assert_eq!(keys(&m.by_product), [(UNSET.into(), 6)]);
        // 2026-07-31T23:30−01:00 is 08-01 in UTC; 2026-08-02T10:00+09:00 is still 08-02.
        assert_eq!(
            keys(&m.by_period),
            [("2026-07".into(), 2), ("2026-08".into(), 4)]
        );
        // web: NPS answers 10 9 7 → 100·(2 − 0)/3 = +66.67; app: 3 0 → −100.
        let web = &m.by_channel[1].figures;
        close(web.nps.as_ref().unwrap().score, 200.0 / 3.0);
        close(m.by_channel[0].figures.nps.as_ref().unwrap().score, -100.0);
        let cells: Vec<(&str, &str, u64)> = m
            .by_channel_stage
            .iter()
            .map(|c| (c.channel.as_str(), c.stage.as_str(), c.figures.records))
            .collect();
        assert_eq!(
            cells,
            [
                ("app", "delivery", 2),
                ("app", "purchase", 1),
                ("web", "delivery", 2),
                ("web", "purchase", 1)
            ]
        );
    }

    #[test]
    fn weeks_group_and_undated_records_are_counted() {
        let mut builder = MetricsBuilder::new(Period::Week);
        for at in [
            "2026-12-31T12:00:00Z",
            "2027-01-01T12:00:00Z",
            "2027-01-04T00:00:00Z",
        ] {
            builder.add(&Response {
                created_at: date(at),
                ..Response::default()
            });
        }
        builder.add(&Response::default());
        let m = builder.finish();
        let keys: Vec<(&str, u64)> = m
            .by_period
            .iter()
            .map(|g| (g.key.as_str(), g.figures.records))
            .collect();
        assert_eq!(keys, [("2026-W53", 2), ("2027-W01", 1)]);
        assert_eq!(m.undated, 1);
    }

    #[test]
    fn answers_off_their_scale_are_ignored_and_counted() {
        let mut builder = MetricsBuilder::new(Period::Month);
        builder.add(&Response {
            nps: Some(11),
            rating: Some(0),
            effort: Some(9),
            ..Response::default()
        });
        let m = builder.finish();
        assert_eq!(m.out_of_range, 1);
        assert_eq!(m.overall.records, 1);
        assert!(m.overall.nps.is_none() && m.overall.csat.is_none() && m.overall.ces.is_none());
    }
}
