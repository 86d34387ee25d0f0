//! Survey statistics with their uncertainty: tallies that take one answer at a time and
//! turn into a figure with a 95% confidence interval. The one home of NPS arithmetic:
//! the report's figures and the topics' pain points both count with [`NpsTally`].
//!
//! Three kinds of figure cover every metric of a report: [`Nps`] (a difference of two
//! proportions of one trinomial sample), [`Share`] (a proportion, with a Wilson interval,
//! which stays inside 0–100% and behaves for small n and extreme shares) and [`Mean`]
//! (a normal interval on the sample mean). Tallies hold a few numbers each, so a report
//! keeps one per group and never the answers themselves.

use serde::{Deserialize, Serialize};

/// The normal quantile for a two-sided 95% interval.
pub const Z95: f64 = 1.96;

/// Below this many answers a figure is flagged `small`: too few to read much into.
pub const SMALL_N: u64 = 30;

/// A 95% confidence interval, in the unit of the figure it belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    pub low: f64,
    pub high: f64,
}

/// Net Promoter Score: % promoters (9–10) − % detractors (0–6), from −100 to 100.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Nps {
    pub score: f64,
    /// NPS answers counted.
    pub n: u64,
    pub promoters: u64,
    pub passives: u64,
    pub detractors: u64,
    /// Half-width of the 95% interval, in NPS points (the "±").
    pub margin: f64,
    /// `score ± margin`, clipped to −100..100.
    pub ci: Interval,
    pub small: bool,
}

/// A share of answers, in percent, with its Wilson 95% interval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Share {
    pub percent: f64,
    /// Answers that count towards the share.
    pub hits: u64,
    pub n: u64,
    pub ci: Interval,
    pub small: bool,
}

/// A mean with its sample standard deviation and a normal 95% interval (from two answers).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mean {
    pub mean: f64,
    pub n: u64,
    pub sd: Option<f64>,
    pub ci: Option<Interval>,
    pub small: bool,
}

/// Counts NPS answers (0–10) into promoters, passives and detractors; tallies of parts
/// of a corpus add up ([`NpsTally::merge`]) to the whole's.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NpsTally {
    promoters: u64,
    passives: u64,
    detractors: u64,
}

impl NpsTally {
    /// Counts one answer; an answer outside 0–10 is not counted and returns `false`.
    pub fn add(&mut self, answer: u64) -> bool {
        match answer {
            9..=10 => self.promoters += 1,
            7..=8 => self.passives += 1,
            0..=6 => self.detractors += 1,
            _ => return false,
        }
        true
    }

    /// Adds the answers another tally counted.
    pub fn merge(&mut self, other: &NpsTally) {
        self.promoters += other.promoters;
        self.passives += other.passives;
        self.detractors += other.detractors;
    }

    /// Whether an answer (0–10) is a detractor's (0–6).
    pub fn is_detractor(answer: u64) -> bool {
        answer <= 6
    }

    /// Answers counted.
    pub fn answered(&self) -> u64 {
        self.promoters + self.passives + self.detractors
    }

    /// % promoters − % detractors, or `None` without answers.
    pub fn score(&self) -> Option<f64> {
        let n = self.answered();
        (n > 0).then(|| 100.0 * (self.promoters as f64 - self.detractors as f64) / n as f64)
    }

    /// The score with its interval, or `None` without answers.
    ///
    /// The interval is the Wald interval of a difference of proportions from one
    /// trinomial sample: Var(p̂₊ − p̂₋) = (p₊ + p₋ − (p₊ − p₋)²) / n. Like every Wald
    /// interval it collapses to zero width when all answers agree; `small` warns there.
    pub fn summary(&self) -> Option<Nps> {
        let score = self.score()?;
        let n = self.answered();
        let total = n as f64;
        let pro = self.promoters as f64 / total;
        let det = self.detractors as f64 / total;
        let difference = pro - det;
        let variance = ((pro + det - difference * difference) / total).max(0.0);
        let margin = Z95 * variance.sqrt() * 100.0;
        Some(Nps {
            score,
            n,
            promoters: self.promoters,
            passives: self.passives,
            detractors: self.detractors,
            margin,
            ci: Interval {
                low: (score - margin).max(-100.0),
                high: (score + margin).min(100.0),
            },
            small: n < SMALL_N,
        })
    }
}

/// Counts answers that do or do not fall in a class (CSAT's 4–5 stars, negative records).
#[derive(Debug, Clone, Copy, Default)]
pub struct ShareTally {
    hits: u64,
    n: u64,
}

impl ShareTally {
    pub fn add(&mut self, hit: bool) {
        self.n += 1;
        self.hits += u64::from(hit);
    }

    /// The share in percent with its Wilson score interval, or `None` without answers.
    pub fn summary(&self) -> Option<Share> {
        if self.n == 0 {
            return None;
        }
        let n = self.n as f64;
        let p = self.hits as f64 / n;
        let z2 = Z95 * Z95;
        let denominator = 1.0 + z2 / n;
        let centre = (p + z2 / (2.0 * n)) / denominator;
        let half = Z95 * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / denominator;
        Some(Share {
            percent: 100.0 * p,
            hits: self.hits,
            n: self.n,
            ci: Interval {
                low: 100.0 * (centre - half).max(0.0),
                high: 100.0 * (centre + half).min(1.0),
            },
            small: self.n < SMALL_N,
        })
    }
}

/// Running mean and variance (Welford), one value at a time.
#[derive(Debug, Clone, Copy, Default)]
pub struct MeanTally {
    n: u64,
    mean: f64,
    /// Sum of squared deviations from the running mean.
    m2: f64,
}

impl MeanTally {
    /// Adds a value; NaN and infinities are not counted.
    pub fn add(&mut self, value: f64) {
        if !value.is_finite() {
            return;
        }
        self.n += 1;
        let delta = value - self.mean;
        self.mean += delta / self.n as f64;
        self.m2 += delta * (value - self.mean);
    }

    /// The mean, its sample standard deviation and mean ± 1.96·sd/√n; `None` without
    /// values, no spread or interval from a single value.
    pub fn summary(&self) -> Option<Mean> {
        if self.n == 0 {
            return None;
        }
        let n = self.n as f64;
        let sd = (self.n > 1).then(|| (self.m2 / (n - 1.0)).max(0.0).sqrt());
        let ci = sd.map(|sd| {
            let margin = Z95 * sd / n.sqrt();
            Interval {
                low: self.mean - margin,
                high: self.mean + margin,
            }
        });
        Some(Mean {
            mean: self.mean,
            n: self.n,
            sd,
            ci,
            small: self.n < SMALL_N,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(actual: f64, expected: f64) {
        assert!(
            (actual - expected).abs() < 1e-3,
            "{actual} is not {expected}"
        );
    }

    #[test]
    fn nps_and_its_interval_match_the_hand_computation() {
        // Answers 10 10 9 9 9 | 8 7 | 6 3 0: 5 promoters, 2 passives, 3 detractors, n = 10.
        // NPS = 100·(0.5 − 0.3) = 20.
        // Var = (0.5 + 0.3 − 0.2²) / 10 = 0.076; √0.076 = 0.275681
        // margin = 1.96 · 0.275681 · 100 = 54.0335 → CI [−34.0335, 74.0335].
        let mut tally = NpsTally::default();
        for answer in [10, 10, 9, 9, 9, 8, 7, 6, 3, 0] {
            assert!(tally.add(answer));
        }
        assert!(!tally.add(11), "11 is not an NPS answer");
        let nps = tally.summary().unwrap();
        assert_eq!((nps.promoters, nps.passives, nps.detractors), (5, 2, 3));
        assert_eq!(nps.n, 10);
        close(nps.score, 20.0);
        close(nps.margin, 54.0335);
        close(nps.ci.low, -34.0335);
        close(nps.ci.high, 74.0335);
        assert!(nps.small);
    }

    #[test]
    fn nps_interval_stays_within_its_scale() {
        // 1 promoter, 1 detractor: NPS 0, Var = (0.5 + 0.5 − 0) / 2 = 0.5,
        // margin = 1.96 · 0.7071 · 100 = 138.59, clipped to ±100.
        let mut tally = NpsTally::default();
        tally.add(10);
        tally.add(0);
        let nps = tally.summary().unwrap();
        close(nps.margin, 138.593);
        assert_eq!(
            nps.ci,
            Interval {
                low: -100.0,
                high: 100.0
            }
        );
        assert!(NpsTally::default().summary().is_none());
    }

    #[test]
    fn wilson_interval_matches_the_hand_computation() {
        // 3 of 5 satisfied: p = 0.6, z² = 3.8416, denominator = 1 + 3.8416/5 = 1.76832.
        // centre = (0.6 + 3.8416/10) / 1.76832 = 0.556551
        // half = 1.96·√(0.6·0.4/5 + 3.8416/100) / 1.76832 = 1.96·0.293966/1.76832 = 0.325831
        // → [23.072%, 88.238%].
        let mut tally = ShareTally::default();
        for hit in [true, true, true, false, false] {
            tally.add(hit);
        }
        let share = tally.summary().unwrap();
        close(share.percent, 60.0);
        close(share.ci.low, 23.072);
        close(share.ci.high, 88.238);
        assert_eq!((share.hits, share.n), (3, 5));
    }

    #[test]
    fn wilson_interval_is_not_degenerate_at_zero() {
        // 0 of 10: centre = (3.8416/20)/1.38416 = 0.138770, half the same → [0%, 27.75%].
        let mut tally = ShareTally::default();
        (0..10).for_each(|_| tally.add(false));
        let share = tally.summary().unwrap();
        close(share.percent, 0.0);
        close(share.ci.low, 0.0);
        close(share.ci.high, 27.754);
    }

    #[test]
    fn mean_and_its_interval_match_the_hand_computation() {
        // 7 5 6 2: mean 5; squared deviations 4 0 1 9 = 14; s² = 14/3 = 4.6667,
        // s = 2.160247; margin = 1.96 · 2.160247 / 2 = 2.117042 → [2.882958, 7.117042].
        let mut tally = MeanTally::default();
        for value in [7.0, 5.0, 6.0, 2.0, f64::NAN] {
            tally.add(value);
        }
        let mean = tally.summary().unwrap();
        assert_eq!(mean.n, 4);
        close(mean.mean, 5.0);
        close(mean.sd.unwrap(), 2.160247);
        let ci = mean.ci.unwrap();
        close(ci.low, 2.882958);
        close(ci.high, 7.117042);
    }

    #[test]
    fn one_value_has_a_mean_but_no_interval() {
        let mut tally = MeanTally::default();
        tally.add(3.0);
        let mean = tally.summary().unwrap();
        assert_eq!((mean.mean, mean.sd, mean.ci), (3.0, None, None));
    }
}
