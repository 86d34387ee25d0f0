//! How sure a figure is: 95% bootstrap intervals of one model's accuracy, macro-F1 and
//! macro-recall, and a paired test of the difference between two models scored on the
//! same rows.
//!
//! * **Intervals** are percentile bootstrap intervals (Efron & Tibshirani 1993): the rows
//!   are drawn with replacement `resamples` times, each draw's confusion matrix gives the
//!   three figures, and the interval runs from the 2.5th to the 97.5th percentile.
//! * **Paired comparison** of models A and B on the same rows: the difference A − B of
//!   each figure, a paired bootstrap interval of that difference (the same drawn rows for
//!   both), and a two-sided p-value from approximate randomization (Noreen 1989; the test
//!   Dror et al. 2018 recommend for F1-like figures): each round swaps A's and B's answers
//!   on every row with probability ½, and the p-value is the share of rounds whose
//!   |difference| reaches the observed one, `(hits + 1) / (rounds + 1)`. For accuracy,
//!   McNemar's exact test on the rows only one model gets right is given as well.
//!
//! Everything is seeded ([`SplitMix64`]): the same rows, answers and seed give the same
//! intervals and p-values.

use serde::Serialize;

use crate::eval::metrics::Confusion;
use crate::sentiment::Label;
use crate::sentiment::train::SplitMix64;

/// The figures intervals and tests are given for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Figure {
    Accuracy,
    MacroF1,
    MacroRecall,
}

const FIGURES: [Figure; 3] = [Figure::Accuracy, Figure::MacroF1, Figure::MacroRecall];

impl Figure {
    fn of(self, c: &Confusion) -> f64 {
        match self {
            Figure::Accuracy => c.accuracy(),
            Figure::MacroF1 => c.macro_f1(),
            Figure::MacroRecall => c.macro_recall(),
        }
    }
}

/// A two-sided interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Interval {
    pub low: f64,
    pub high: f64,
}

/// 95% bootstrap intervals of a model's headline figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Intervals {
    /// 0.95.
    pub level: f64,
    pub resamples: usize,
    pub accuracy: Interval,
    pub macro_f1: Interval,
    pub macro_recall: Interval,
}

/// Percentile bootstrap intervals over the rows `(gold[i], predicted[i])`.
pub fn bootstrap(gold: &[Label], predicted: &[Label], resamples: usize, seed: u64) -> Intervals {
    let rows: Vec<(Label, Label)> = gold
        .iter()
        .copied()
        .zip(predicted.iter().copied())
        .collect();
    let mut rng = SplitMix64::new(seed);
    let mut draws: [Vec<f64>; 3] = Default::default();
    for _ in 0..resamples {
        let mut c = Confusion::default();
        for _ in 0..rows.len() {
            let (g, p) = rows[rng.below(rows.len())];
            c.add(g, p);
        }
        for (draw, figure) in draws.iter_mut().zip(FIGURES) {
            draw.push(figure.of(&c));
        }
    }
    let [accuracy, macro_f1, macro_recall] = draws.map(|mut d| percentile_interval(&mut d));
    Intervals {
        level: LEVEL,
        resamples,
        accuracy,
        macro_f1,
        macro_recall,
    }
}

const LEVEL: f64 = 0.95;

/// The central 95% of `values` (sorted in place); NaN-free input assumed.
fn percentile_interval(values: &mut [f64]) -> Interval {
    if values.is_empty() {
        return Interval {
            low: f64::NAN,
            high: f64::NAN,
        };
    }
    values.sort_by(f64::total_cmp);
    let at = |q: f64| {
        // Linear interpolation between closest ranks (numpy's default).
        let position = q * (values.len() - 1) as f64;
        let (below, above) = (position.floor() as usize, position.ceil() as usize);
        let t = position - below as f64;
        values[below] * (1.0 - t) + values[above] * t
    };
    let tail = (1.0 - LEVEL) / 2.0;
    Interval {
        low: at(tail),
        high: at(1.0 - tail),
    }
}

/// One figure of a paired comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Difference {
    pub a: f64,
    pub b: f64,
    /// `a − b`.
    pub difference: f64,
    /// 95% paired bootstrap interval of `a − b`.
    pub interval: Interval,
    /// Two-sided approximate-randomization p-value of `a − b = 0`.
    pub p_value: f64,
}

/// McNemar's exact test on the rows exactly one of the two models gets right.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct McNemar {
    pub only_a_right: u64,
    pub only_b_right: u64,
    /// Two-sided exact binomial p-value (1 when the models never disagree on correctness).
    pub p_value: f64,
}

/// Two models compared on the same rows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    pub a: String,
    pub b: String,
    pub docs: usize,
    pub resamples: usize,
    pub accuracy: Difference,
    pub macro_f1: Difference,
    pub macro_recall: Difference,
    pub mcnemar: McNemar,
}

/// Compares models A and B, whose answers on the rows of `gold` are `a` and `b`.
pub fn compare(
    names: (&str, &str),
    gold: &[Label],
    a: &[Label],
    b: &[Label],
    resamples: usize,
    seed: u64,
) -> Comparison {
    let rows: Vec<(Label, Label, Label)> = (0..gold.len().min(a.len()).min(b.len()))
        .map(|i| (gold[i], a[i], b[i]))
        .collect();
    let confusions = |rows: &mut dyn Iterator<Item = (Label, Label, Label)>| {
        let (mut ca, mut cb) = (Confusion::default(), Confusion::default());
        for (g, pa, pb) in rows {
            ca.add(g, pa);
            cb.add(g, pb);
        }
        (ca, cb)
    };
    let (observed_a, observed_b) = confusions(&mut rows.iter().copied());
    let observed = FIGURES.map(|f| f.of(&observed_a) - f.of(&observed_b));

    // Paired bootstrap of the difference.
    let mut rng = SplitMix64::new(seed);
    let mut draws: [Vec<f64>; 3] = Default::default();
    for _ in 0..resamples {
        let (ca, cb) = confusions(&mut (0..rows.len()).map(|_| rows[rng.below(rows.len())]));
        for (draw, figure) in draws.iter_mut().zip(FIGURES) {
            draw.push(figure.of(&ca) - figure.of(&cb));
        }
    }
    let intervals = draws.map(|mut d| percentile_interval(&mut d));

    // Approximate randomization: only rows where the answers differ can change.
    let (same, differing): (Vec<_>, Vec<_>) = rows.iter().partition(|(_, pa, pb)| pa == pb);
    let (base_a, _) = confusions(&mut same.iter().copied());
    let mut hits = [0usize; 3];
    let mut rng = SplitMix64::new(seed ^ 0x0005_eed0_fa11);
    for _ in 0..resamples {
        let (mut ca, mut cb) = (base_a, base_a);
        for &(g, pa, pb) in &differing {
            let (x, y) = if rng.next_u64() & 1 == 0 {
                (pa, pb)
            } else {
                (pb, pa)
            };
            ca.add(g, x);
            cb.add(g, y);
        }
        for (k, figure) in FIGURES.into_iter().enumerate() {
            let d = figure.of(&ca) - figure.of(&cb);
            // A small tolerance so that ties with the observed value count as reached.
            if d.abs() >= observed[k].abs() - 1e-12 {
                hits[k] += 1;
            }
        }
    }
    let difference = |k: usize| Difference {
        a: FIGURES[k].of(&observed_a),
        b: FIGURES[k].of(&observed_b),
        difference: observed[k],
        interval: intervals[k],
        p_value: (hits[k] + 1) as f64 / (resamples + 1) as f64,
    };
    let only_a_right = rows.iter().filter(|(g, pa, pb)| pa == g && pb != g).count() as u64;
    let only_b_right = rows.iter().filter(|(g, pa, pb)| pb == g && pa != g).count() as u64;
    Comparison {
        a: names.0.to_string(),
        b: names.1.to_string(),
        docs: rows.len(),
        resamples,
        accuracy: difference(0),
        macro_f1: difference(1),
        macro_recall: difference(2),
        mcnemar: McNemar {
            only_a_right,
            only_b_right,
            p_value: mcnemar_exact(only_a_right, only_b_right),
        },
    }
}

/// Two-sided exact McNemar p-value: 2 · P(X ≤ min(n01, n10)) for X ~ Binomial(n01 + n10, ½),
/// at most 1.
pub fn mcnemar_exact(n01: u64, n10: u64) -> f64 {
    let n = n01 + n10;
    if n == 0 {
        return 1.0;
    }
    let k = n01.min(n10);
    // Sum the binomial terms in log space: n may be in the tens of thousands.
    let ln_half_n = n as f64 * 0.5f64.ln();
    let mut ln_term = ln_half_n; // C(n, 0) / 2^n
    let mut tail = ln_term.exp();
    for i in 1..=k {
        ln_term += ((n - i + 1) as f64).ln() - (i as f64).ln();
        tail += ln_term.exp();
    }
    (2.0 * tail).min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Label::{Negative as Neg, Neutral as Neu, Positive as Pos};

    fn close(a: f64, b: f64, tolerance: f64) {
        assert!((a - b).abs() <= tolerance, "{a} != {b} (± {tolerance})");
    }

    #[test]
    fn mcnemar_matches_the_binomial_by_hand() {
        // n = 10, k = 2: P(X ≤ 2) = (1 + 10 + 45) / 1024 = 56/1024; two-sided 112/1024.
        close(mcnemar_exact(2, 8), 112.0 / 1024.0, 1e-12);
        close(mcnemar_exact(8, 2), 112.0 / 1024.0, 1e-12);
        assert_eq!(mcnemar_exact(0, 0), 1.0);
        assert_eq!(mcnemar_exact(5, 5), 1.0);
        // Large and lopsided: below what f64 holds (2^-5100), so 0, never NaN.
        let p = mcnemar_exact(100, 5000);
        assert!((0.0..1e-100).contains(&p), "{p}");
    }

    #[test]
    fn percentiles_interpolate_like_numpy() {
        let mut v: Vec<f64> = (0..=100).map(f64::from).rev().collect();
        let i = percentile_interval(&mut v);
        close(i.low, 2.5, 1e-12);
        close(i.high, 97.5, 1e-12);
    }

    /// 200 rows, a model right on 160 (accuracy 0.8): the normal approximation of the
    /// interval is 0.8 ± 1.96·√(0.8·0.2/200) = 0.8 ± 0.055.
    #[test]
    fn bootstrap_interval_is_close_to_the_normal_approximation() {
        let gold: Vec<Label> = (0..200).map(|i| [Neg, Neu, Pos][i % 3]).collect();
        let wrong = |g: Label| if g == Pos { Neg } else { Pos };
        let predicted: Vec<Label> = (0..200)
            .map(|i| if i % 5 == 0 { wrong(gold[i]) } else { gold[i] })
            .collect();
        let c = Confusion::from_pairs(gold.iter().copied().zip(predicted.iter().copied()));
        close(c.accuracy(), 0.8, 1e-12);
        let intervals = bootstrap(&gold, &predicted, 2000, 7);
        close(intervals.accuracy.low, 0.8 - 0.055, 0.015);
        close(intervals.accuracy.high, 0.8 + 0.055, 0.015);
        assert!(intervals.macro_f1.low < c.macro_f1() && c.macro_f1() < intervals.macro_f1.high);
        assert!(
            intervals.macro_recall.low < c.macro_recall()
                && c.macro_recall() < intervals.macro_recall.high
        );
        assert_eq!(intervals, bootstrap(&gold, &predicted, 2000, 7), "seeded");
    }

    #[test]
    fn identical_models_do_not_differ_and_a_better_one_does() {
        let gold: Vec<Label> = (0..300).map(|i| [Neg, Neu, Pos][i % 3]).collect();
        let same = compare(("x", "y"), &gold, &gold, &gold, 500, 1);
        assert_eq!(same.accuracy.difference, 0.0);
        assert_eq!(same.accuracy.p_value, 1.0);
        assert_eq!(same.mcnemar.p_value, 1.0);
        // B is wrong on every fourth row where A is right everywhere: A − B = 0.25.
        let worse: Vec<Label> = gold
            .iter()
            .enumerate()
            .map(|(i, &g)| {
                if i % 4 == 0 {
                    if g == Pos { Neg } else { Pos }
                } else {
                    g
                }
            })
            .collect();
        let c = compare(("good", "worse"), &gold, &gold, &worse, 500, 1);
        close(c.accuracy.difference, 0.25, 1e-12);
        assert!(c.accuracy.interval.low > 0.15 && c.accuracy.interval.high < 0.35);
        assert!(c.accuracy.p_value < 0.01, "{}", c.accuracy.p_value);
        assert!(c.macro_recall.p_value < 0.01);
        assert_eq!((c.mcnemar.only_a_right, c.mcnemar.only_b_right), (75, 0));
        assert!(c.mcnemar.p_value < 1e-20);
        // Swapped, the difference changes sign and the p-values stay.
        let swapped = compare(("worse", "good"), &gold, &worse, &gold, 500, 1);
        close(swapped.accuracy.difference, -0.25, 1e-12);
        close(swapped.mcnemar.p_value, c.mcnemar.p_value, 1e-15);
    }

    /// Two models equally good, wrong on different rows: no evidence of a difference.
    #[test]
    fn equally_good_models_are_not_significantly_different() {
        let gold: Vec<Label> = (0..400).map(|i| [Neg, Pos][i % 2]).collect();
        let flip = |g: Label| if g == Pos { Neg } else { Pos };
        let a: Vec<Label> = (0..400)
            .map(|i| if i % 10 == 0 { flip(gold[i]) } else { gold[i] })
            .collect();
        let b: Vec<Label> = (0..400)
            .map(|i| if i % 10 == 5 { flip(gold[i]) } else { gold[i] })
            .collect();
        let c = compare(("a", "b"), &gold, &a, &b, 1000, 3);
        assert_eq!(c.accuracy.difference, 0.0);
        assert!(c.accuracy.p_value > 0.5, "{}", c.accuracy.p_value);
        assert!(c.accuracy.interval.low < 0.0 && c.accuracy.interval.high > 0.0);
        assert_eq!((c.mcnemar.only_a_right, c.mcnemar.only_b_right), (40, 40));
    }
}
