//! Pain points: what each topic costs, and where it is heading.
//!
//! A record "mentions" a topic when at least one of its clauses is assigned to it; its
//! sentiment on the topic is the mean of those clauses' scores, negative when they are
//! all labelled negative or, when their labels differ, when that mean falls below the
//! neutral band. Per topic this gives volume and share, mean sentiment and share
//! negative, mean star rating and NPS of its records (promoters 9–10 minus detractors
//! 0–6, in points), and an **impact** whose unit is the corpus's [`ImpactBasis`]:
//!
//! * `nps`: the rise of the overall NPS if every record that is negative on the topic
//!   and a detractor became a passive: 100 · (those records) / (records with an NPS
//!   answer). Only the detractor term of NPS changes, so this is exact.
//! * `rating` (no NPS in the corpus): the rise of the overall mean rating if every
//!   record negative on the topic and rated below 3 were rated 3:
//!   Σ (3 − rating) / (records with a rating).
//! * `sentiment` (neither): the percentage of all records that are negative on the topic.
//!
//! A record negative on two topics counts in both, so impacts do not add up.
//!
//! Trend: records per month (or ISO week) and their share of that period's records;
//! the slope is the least-squares slope of that share (percentage points per period),
//! share rather than count so that a growing survey volume does not make every topic
//! "grow". A topic is **emerging** when its share in the latest period is at least 1.5
//! times its mean share over the up to six periods before, at least one point higher,
//! with at least three records in the latest period.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::collector::DocMeta;
use super::mentions::Mentions;
use super::{Overall, Period, PeriodStat, Topic};
use crate::sentiment::Label;
use crate::stats::NpsTally;

/// Periods kept in a trend (the latest ones): ten years of weeks.
const MAX_PERIODS: i32 = 520;
const EMERGING_RATIO: f64 = 1.5;
const EMERGING_MIN_GAIN_POINTS: f64 = 1.0;
const EMERGING_MIN_COUNT: usize = 3;
const EMERGING_LOOKBACK: usize = 6;

/// What a topic's impact is measured in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ImpactBasis {
    /// Overall NPS points.
    Nps,
    /// Overall mean-rating stars.
    Rating,
    /// Percentage points of records negative on the topic.
    #[default]
    Sentiment,
}

impl Topic {
    /// A pain point: its records lean negative (mean sentiment below 0, more than half
    /// of them negative on it, or a mean rating below 3).
    pub fn is_pain_point(&self) -> bool {
        self.mean_sentiment < 0.0
            || self.share_negative > 50.0
            || self.mean_rating.is_some_and(|r| r < 3.0)
    }

    /// A theme customers praise: not a pain point, and its records lean positive (mean
    /// sentiment above 0 or a mean rating of 4 or more).
    pub fn is_positive(&self) -> bool {
        !self.is_pain_point()
            && (self.mean_sentiment > 0.0 || self.mean_rating.is_some_and(|r| r >= 4.0))
    }

    /// The label, or the top terms when there is none.
    pub fn title(&self) -> String {
        if !self.label.trim().is_empty() {
            return self.label.clone();
        }
        let terms: Vec<&str> = self.terms.iter().take(3).map(|t| t.term.as_str()).collect();
        if terms.is_empty() {
            format!("topic {}", self.id)
        } else {
            terms.join(" · ")
        }
    }
}

/// Names for the interned facets, and the trend period.
pub(crate) struct Facets<'a> {
    pub channels: &'a [String],
    pub stages: &'a [String],
    pub period: Period,
}

/// What a topic's figures are computed from: counts and sums over its records, which add
/// up across parts of a corpus ([`TopicTally::merge`]) to exactly the whole's — `koe index
/// merge` recomputes the figures of shards from their summed tallies. A run keeps every
/// theme's, sub-topic's and the overall tally in `topic-tallies.json`.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub struct TopicTally {
    docs: usize,
    clauses: usize,
    sentiment: f64,
    negative: usize,
    rating_sum: f64,
    rated: usize,
    nps: NpsTally,
    /// Negative records that are detractors; Σ (3 − rating) of negative ones rated < 3.
    negative_detractors: usize,
    negative_rating_gap: f64,
    by_channel: BTreeMap<String, usize>,
    by_stage: BTreeMap<String, usize>,
    by_lang: BTreeMap<String, usize>,
    /// Records and their summed sentiment per period (its number, [`Period::index`]).
    periods: BTreeMap<i32, (usize, f64)>,
}

impl TopicTally {
    fn record(&mut self, doc: &DocMeta, sentiment: f64, negative: bool, facets: &Facets) {
        self.docs += 1;
        self.sentiment += sentiment;
        self.negative += usize::from(negative);
        if let Some(r) = doc.rating {
            self.rating_sum += f64::from(r);
            self.rated += 1;
            if negative && r < 3 {
                self.negative_rating_gap += f64::from(3 - r);
            }
        }
        if let Some(n) = doc.nps {
            self.nps.add(u64::from(n));
            self.negative_detractors += usize::from(negative && NpsTally::is_detractor(n.into()));
        }
        if let Some(name) = facets.channels.get(doc.channel as usize) {
            *self.by_channel.entry(name.clone()).or_default() += 1;
        }
        if let Some(name) = facets.stages.get(doc.stage as usize) {
            *self.by_stage.entry(name.clone()).or_default() += 1;
        }
        *self.by_lang.entry(doc.lang.code().to_string()).or_default() += 1;
        if let Some(p) = doc.period {
            let e = self.periods.entry(p).or_default();
            e.0 += 1;
            e.1 += sentiment;
        }
    }

    /// Adds the records another tally counted (of the same topic, elsewhere).
    pub(crate) fn merge(&mut self, other: &TopicTally) {
        self.docs += other.docs;
        self.clauses += other.clauses;
        self.sentiment += other.sentiment;
        self.negative += other.negative;
        self.rating_sum += other.rating_sum;
        self.rated += other.rated;
        self.nps.merge(&other.nps);
        self.negative_detractors += other.negative_detractors;
        self.negative_rating_gap += other.negative_rating_gap;
        for (mine, theirs) in [
            (&mut self.by_channel, &other.by_channel),
            (&mut self.by_stage, &other.by_stage),
            (&mut self.by_lang, &other.by_lang),
        ] {
            for (key, n) in theirs {
                *mine.entry(key.clone()).or_default() += n;
            }
        }
        for (&p, &(n, sum)) in &other.periods {
            let e = self.periods.entry(p).or_default();
            e.0 += n;
            e.1 += sum;
        }
    }

    fn mean_rating(&self) -> Option<f64> {
        (self.rated > 0).then(|| self.rating_sum / self.rated as f64)
    }
}

/// Per-topic figures (labels, terms and examples left empty) and the overall ones.
pub(crate) fn pain_points(
    docs: &[DocMeta],
    mentions: &Mentions,
    n_topics: usize,
    facets: &Facets,
) -> (Vec<Topic>, Overall) {
    let mut all = TopicTally::default();
    let mut tallies = vec![TopicTally::default(); n_topics];
    let mut outliers = 0;
    for (d, doc) in docs.iter().enumerate().take(mentions.docs()) {
        let s = doc.sentiment;
        all.record(doc, f64::from(s.value), s.label == Label::Negative, facets);
        let mine = mentions.of(d);
        outliers += usize::from(mine.is_empty());
        for m in mine {
            let t = &mut tallies[m.topic as usize];
            t.clauses += m.clauses as usize;
            t.record(doc, f64::from(m.sentiment), m.negative, facets);
        }
    }
    let corpus = Corpus::new(all, facets.period);
    let topics = tallies
        .into_iter()
        .enumerate()
        .map(|(i, t)| corpus.topic(i as u32, t))
        .collect();
    (topics, corpus.overall(outliers))
}

/// What every topic's figures are relative to: the tally of all records, the impact's
/// basis and the periods a trend covers.
pub(crate) struct Corpus {
    all: TopicTally,
    basis: ImpactBasis,
    periods: Vec<i32>,
    period: Period,
}

impl Corpus {
    pub(crate) fn new(all: TopicTally, period: Period) -> Corpus {
        let basis = if all.nps.answered() > 0 {
            ImpactBasis::Nps
        } else if all.rated > 0 {
            ImpactBasis::Rating
        } else {
            ImpactBasis::Sentiment
        };
        Corpus {
            basis,
            periods: trend_periods(&all.periods),
            all,
            period,
        }
    }

    /// A topic's figures from its tally (labels, terms and examples left empty); the
    /// tally goes with it.
    pub(crate) fn topic(&self, id: u32, t: TopicTally) -> Topic {
        let all = &self.all;
        let trend = trend(&t, all, &self.periods, self.period);
        Topic {
            id,
            size: t.docs,
            clauses: t.clauses,
            share: percent(t.docs, all.docs),
            mean_sentiment: t.sentiment / t.docs.max(1) as f64,
            share_negative: percent(t.negative, t.docs),
            mean_rating: t.mean_rating(),
            nps: t.nps.score(),
            impact: match self.basis {
                ImpactBasis::Nps => percent(t.negative_detractors, all.nps.answered() as usize),
                ImpactBasis::Rating => t.negative_rating_gap / all.rated.max(1) as f64,
                ImpactBasis::Sentiment => percent(t.negative, all.docs),
            },
            slope: slope(&self.periods, &trend),
            emerging: emerging(&trend),
            trend,
            by_channel: t.by_channel.clone(),
            by_stage: t.by_stage.clone(),
            by_lang: t.by_lang.clone(),
            tally: t,
            ..Topic::default()
        }
    }

    /// The overall figures, with `outliers` records in no topic; the tally goes with them.
    pub(crate) fn overall(self, outliers: usize) -> Overall {
        let all = self.all;
        Overall {
            docs: all.docs,
            nps: all.nps.score(),
            mean_rating: all.mean_rating(),
            outliers,
            theme_outliers: 0,
            mean_sentiment: all.sentiment / all.docs.max(1) as f64,
            share_negative: percent(all.negative, all.docs),
            impact_basis: self.basis,
            period: self.period,
            tally: all,
        }
    }
}

/// `part` as a percentage of `whole` (0 of nothing).
fn percent(part: usize, whole: usize) -> f64 {
    100.0 * part as f64 / whole.max(1) as f64
}

/// The periods a trend covers: those with records, the latest MAX_PERIODS of the span.
fn trend_periods(periods: &BTreeMap<i32, (usize, f64)>) -> Vec<i32> {
    let Some(&last) = periods.keys().next_back() else {
        return Vec::new();
    };
    periods
        .keys()
        .copied()
        .filter(|&p| p > last - MAX_PERIODS)
        .collect()
}

/// The topic's stats in each period that has records at all.
fn trend(t: &TopicTally, all: &TopicTally, periods: &[i32], period: Period) -> Vec<PeriodStat> {
    periods
        .iter()
        .map(|&p| {
            let total = all.periods.get(&p).map_or(0, |e| e.0);
            let (count, sum) = t.periods.get(&p).copied().unwrap_or((0, 0.0));
            PeriodStat {
                period: period.name(p),
                count,
                share: 100.0 * count as f64 / total.max(1) as f64,
                mean_sentiment: (count > 0).then(|| sum / count as f64),
            }
        })
        .collect()
}

/// Least-squares slope of share against the period number (periods without any
/// record are not points: a share of nothing is undefined).
fn slope(periods: &[i32], trend: &[PeriodStat]) -> f64 {
    let n = trend.len() as f64;
    if trend.len() < 2 {
        return 0.0;
    }
    let mean_x = periods.iter().map(|&p| f64::from(p)).sum::<f64>() / n;
    let mean_y = trend.iter().map(|p| p.share).sum::<f64>() / n;
    let (mut sxy, mut sxx) = (0.0, 0.0);
    for (&x, p) in periods.iter().zip(trend) {
        let dx = f64::from(x) - mean_x;
        sxy += dx * (p.share - mean_y);
        sxx += dx * dx;
    }
    if sxx > 0.0 { sxy / sxx } else { 0.0 }
}

fn emerging(trend: &[PeriodStat]) -> bool {
    let Some((latest, before)) = trend.split_last() else {
        return false;
    };
    if before.is_empty() || latest.count < EMERGING_MIN_COUNT {
        return false;
    }
    let lookback = &before[before.len().saturating_sub(EMERGING_LOOKBACK)..];
    let prior = lookback.iter().map(|p| p.share).sum::<f64>() / lookback.len() as f64;
    latest.share >= EMERGING_RATIO * prior && latest.share - prior >= EMERGING_MIN_GAIN_POINTS
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Lang;
    use crate::sentiment::Score;
    use crate::topics::mentions::Mention;
    use crate::topics::vectorize::NONE;

    fn doc(nps: Option<u8>, rating: Option<u8>, period: Option<i32>) -> DocMeta {
        DocMeta {
            lang: Lang::Ja,
            rating,
            nps,
            channel: NONE,
            stage: NONE,
            period,
            sentiment: Score::NEUTRAL,
        }
    }

    /// Mentions from (topic, negative) per record.
    fn mentions(per_doc: &[&[(u32, bool)]]) -> Mentions {
        let mut offsets = vec![0];
        let mut list = Vec::new();
        for doc in per_doc {
            for &(topic, negative) in *doc {
                list.push(Mention {
                    topic,
                    clauses: 1,
                    similarity: 1.0,
                    sentiment: if negative { -0.5 } else { 0.5 },
                    negative,
                });
            }
            offsets.push(list.len());
        }
        Mentions { offsets, list }
    }

    const NO_FACETS: Facets = Facets {
        channels: &[],
        stages: &[],
        period: Period::Month,
    };

    #[test]
    fn nps_and_impact_by_hand() {
        // 3 promoters (10, 9, 9), 2 passives (8, 7), 5 detractors (6, 3, 0, 5, 2).
        let answers = [10, 9, 9, 8, 7, 6, 3, 0, 5, 2];
        let docs: Vec<DocMeta> = answers.iter().map(|&n| doc(Some(n), None, None)).collect();
        let m = mentions(&[
            &[(0, false)], // promoter, positive on 0
            &[],
            &[(0, true)], // promoter, negative on 0: not a detractor
            &[(0, true)], // passive, negative on 0: not a detractor
            &[],
            &[(0, true)],            // detractor, negative on 0: counts for 0
            &[(0, true), (1, true)], // detractor, negative on both: counts for both
            &[(0, false)],           // detractor but positive on 0: does not count
            &[],
            &[(1, true)], // detractor, negative on 1
        ]);
        let (topics, overall) = pain_points(&docs, &m, 2, &NO_FACETS);
        // (3 − 5) / 10 = −20.
        assert_eq!(overall.nps, Some(-20.0));
        assert_eq!(overall.impact_basis, ImpactBasis::Nps);
        assert_eq!(overall.outliers, 3);
        // Topic 0: records 0, 2, 3, 5, 6, 7 → 2 promoters, 3 detractors of 6 → −16.7.
        assert_eq!(topics[0].size, 6);
        assert!((topics[0].nps.unwrap() - (-100.0 / 6.0)).abs() < 1e-9);
        assert!((topics[0].share_negative - 400.0 / 6.0).abs() < 1e-9);
        // Records 5 and 6 become passives: (3 − 3) / 10 = 0, a rise of 20 points.
        assert!((topics[0].impact - 20.0).abs() < 1e-9);
        // Topic 1: records 6 and 9 become passives: (3 − 3) / 10 → +20 as well;
        // record 6 counts for both topics.
        assert!((topics[1].impact - 20.0).abs() < 1e-9);
        assert_eq!(topics[1].nps, Some(-100.0));
    }

    #[test]
    fn rating_impact_without_nps() {
        let docs: Vec<DocMeta> = [5, 1, 2, 4]
            .iter()
            .map(|&r| doc(None, Some(r), None))
            .collect();
        let m = mentions(&[&[(0, false)], &[(0, true)], &[(0, true)], &[(0, true)]]);
        let (topics, overall) = pain_points(&docs, &m, 1, &NO_FACETS);
        assert_eq!(overall.impact_basis, ImpactBasis::Rating);
        assert_eq!(overall.mean_rating, Some(3.0));
        // 1 → 3 and 2 → 3 (the 4 stays): mean 3.0 → 3.75.
        assert!((topics[0].impact - 0.75).abs() < 1e-9);
        assert_eq!(topics[0].mean_rating, Some(3.0));
        assert_eq!(topics[0].nps, None);
    }

    #[test]
    fn trend_slope_and_emerging() {
        // Three months of 10 records; the topic has 1, 2 and 6 of them.
        let may = Period::Month.index(chrono::NaiveDate::from_ymd_opt(2026, 5, 3).unwrap());
        let mut docs = Vec::new();
        let mut per_doc: Vec<Vec<(u32, bool)>> = Vec::new();
        for (month, hits) in [(may, 1), (may + 1, 2), (may + 2, 6)] {
            for i in 0..10 {
                docs.push(doc(None, None, Some(month)));
                per_doc.push(if i < hits { vec![(0, true)] } else { vec![] });
            }
        }
        let refs: Vec<&[(u32, bool)]> = per_doc.iter().map(Vec::as_slice).collect();
        let (topics, overall) = pain_points(&docs, &mentions(&refs), 1, &NO_FACETS);
        assert_eq!(overall.impact_basis, ImpactBasis::Sentiment);
        let t = &topics[0];
        let periods: Vec<&str> = t.trend.iter().map(|p| p.period.as_str()).collect();
        assert_eq!(periods, vec!["2026-05", "2026-06", "2026-07"]);
        // Shares 10, 20, 60: slope = Σ dx·dy / Σ dx² = (20 + 30) / 2 = 25 points a month.
        assert!((t.slope - 25.0).abs() < 1e-9, "{}", t.slope);
        assert!(t.emerging, "60% against a prior 15%");
        assert!(
            (t.impact - 30.0).abs() < 1e-9,
            "9 of 30 records negative on it"
        );
    }

    #[test]
    fn tallies_of_two_halves_add_up_to_the_figures_of_the_whole() {
        // Two months; NPS answers and ratings; the halves split the months unevenly.
        let may = Period::Month.index(chrono::NaiveDate::from_ymd_opt(2026, 5, 3).unwrap());
        let answers = [10, 3, 9, 6, 8, 0, 7, 2, 9, 5];
        let docs: Vec<DocMeta> = answers
            .iter()
            .enumerate()
            .map(|(i, &n)| doc(Some(n), Some(1 + (i % 5) as u8), Some(may + (i / 4) as i32)))
            .collect();
        let per_doc: Vec<Vec<(u32, bool)>> = (0..docs.len())
            .map(|i| match i % 3 {
                0 => vec![(0, true)],
                1 => vec![(0, false), (1, true)],
                _ => vec![],
            })
            .collect();
        let refs: Vec<&[(u32, bool)]> = per_doc.iter().map(Vec::as_slice).collect();
        let (whole, whole_overall) = pain_points(&docs, &mentions(&refs), 2, &NO_FACETS);
        let mut parts = Vec::new();
        for range in [0..3, 3..10] {
            parts.push(pain_points(
                &docs[range.clone()],
                &mentions(&refs[range]),
                2,
                &NO_FACETS,
            ));
        }
        let mut all = TopicTally::default();
        for (_, overall) in &parts {
            all.merge(&overall.tally);
        }
        let corpus = Corpus::new(all, Period::Month);
        for (id, expected) in whole.iter().enumerate() {
            let mut tally = TopicTally::default();
            for (topics, _) in &parts {
                tally.merge(&topics[id].tally);
            }
            let combined = corpus.topic(id as u32, tally);
            assert_eq!(combined, *expected, "topic {id}");
            assert!(expected.trend.len() == 3 && expected.nps.is_some());
        }
        assert_eq!(corpus.overall(whole_overall.outliers), whole_overall);
    }
}
