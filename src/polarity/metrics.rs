//! Classification metrics from a confusion matrix: accuracy, per-class precision, recall
//! and F1, macro-F1 and macro-averaged recall (TweetEval's official sentiment metric).
//!
//! Conventions, as scikit-learn's with `zero_division=0`: a class that is never predicted
//! has precision 0; F1 is 0 when precision and recall are both 0. Macro averages run over
//! the classes that occur in the gold labels, so on 2-class data (negative / positive)
//! they average two classes, and every `neutral` a model says counts as a wrong answer:
//! it lowers the recall of the gold class and is never right. Macro-F1 is the mean of the
//! per-class F1 scores (not the F1 of the mean precision and recall).

use serde::Serialize;

use super::Label;

/// Counts of (gold, predicted) pairs, indexed in [`Label::ALL`] order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Confusion {
    /// `counts[gold][predicted]`.
    pub counts: [[u64; 3]; 3],
}

fn index(label: Label) -> usize {
    match label {
        Label::Negative => 0,
        Label::Neutral => 1,
        Label::Positive => 2,
    }
}

impl Confusion {
    /// The matrix of gold and predicted labels taken pairwise.
    pub fn from_pairs(pairs: impl IntoIterator<Item = (Label, Label)>) -> Self {
        let mut confusion = Confusion::default();
        for (gold, predicted) in pairs {
            confusion.add(gold, predicted);
        }
        confusion
    }

    pub fn add(&mut self, gold: Label, predicted: Label) {
        self.counts[index(gold)][index(predicted)] += 1;
    }

    pub fn get(&self, gold: Label, predicted: Label) -> u64 {
        self.counts[index(gold)][index(predicted)]
    }

    pub fn total(&self) -> u64 {
        self.counts.iter().flatten().sum()
    }

    /// Documents whose gold label is `label`.
    pub fn support(&self, label: Label) -> u64 {
        self.counts[index(label)].iter().sum()
    }

    /// Documents the model gave `label`.
    pub fn predicted(&self, label: Label) -> u64 {
        self.counts.iter().map(|row| row[index(label)]).sum()
    }

    /// The classes that occur in the gold labels: what macro averages run over.
    pub fn gold_classes(&self) -> Vec<Label> {
        Label::ALL
            .into_iter()
            .filter(|&l| self.support(l) > 0)
            .collect()
    }

    pub fn accuracy(&self) -> f64 {
        let correct: u64 = Label::ALL.iter().map(|&l| self.get(l, l)).sum();
        ratio(correct, self.total())
    }

    pub fn precision(&self, label: Label) -> f64 {
        ratio(self.get(label, label), self.predicted(label))
    }

    /// `None` when the class has no gold documents (recall is undefined).
    pub fn recall(&self, label: Label) -> Option<f64> {
        let support = self.support(label);
        (support > 0).then(|| ratio(self.get(label, label), support))
    }

    pub fn f1(&self, label: Label) -> f64 {
        let p = self.precision(label);
        let r = self.recall(label).unwrap_or(0.0);
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }

    /// Mean F1 over the gold classes.
    pub fn macro_f1(&self) -> f64 {
        mean(self.gold_classes().into_iter().map(|l| self.f1(l)))
    }

    /// Mean recall over the gold classes (TweetEval's metric for sentiment).
    pub fn macro_recall(&self) -> f64 {
        mean(
            self.gold_classes()
                .into_iter()
                .filter_map(|l| self.recall(l)),
        )
    }
}

fn ratio(numerator: u64, denominator: u64) -> f64 {
    if denominator == 0 {
        0.0
    } else {
        numerator as f64 / denominator as f64
    }
}

fn mean(values: impl Iterator<Item = f64>) -> f64 {
    let (sum, n) = values.fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    if n == 0 { 0.0 } else { sum / n as f64 }
}

/// One class's figures.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ClassMetrics {
    pub label: Label,
    /// Gold documents of this class.
    pub support: u64,
    /// Documents the model gave this class.
    pub predicted: u64,
    pub precision: f64,
    /// `None` when the class has no gold documents.
    pub recall: Option<f64>,
    pub f1: f64,
}

/// Everything `koe eval` reports about one model's answers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Metrics {
    pub docs: u64,
    pub accuracy: f64,
    pub macro_f1: f64,
    pub macro_recall: f64,
    /// The classes macro averages run over (those in the gold labels).
    pub averaged_over: Vec<Label>,
    pub per_class: Vec<ClassMetrics>,
    pub confusion: Confusion,
}

impl From<&Confusion> for Metrics {
    fn from(c: &Confusion) -> Self {
        Metrics {
            docs: c.total(),
            accuracy: c.accuracy(),
            macro_f1: c.macro_f1(),
            macro_recall: c.macro_recall(),
            averaged_over: c.gold_classes(),
            per_class: Label::ALL
                .into_iter()
                .map(|label| ClassMetrics {
                    label,
                    support: c.support(label),
                    predicted: c.predicted(label),
                    precision: c.precision(label),
                    recall: c.recall(label),
                    f1: c.f1(label),
                })
                .collect(),
            confusion: *c,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Label::{Negative as Neg, Neutral as Neu, Positive as Pos};

    fn matrix(counts: [[u64; 3]; 3]) -> Confusion {
        Confusion { counts }
    }

    fn close(a: f64, b: f64) {
        assert!((a - b).abs() < 1e-12, "{a} != {b}");
    }

    /// By hand, rows gold, columns predicted (neg, neu, pos):
    ///
    /// ```text
    ///            neg neu pos | support
    ///   neg        3   1   1 |  5
    ///   neu        1   4   1 |  6
    ///   pos        0   2   7 |  9
    ///   predicted  4   7   9 | 20
    /// ```
    ///
    /// accuracy = (3 + 4 + 7) / 20 = 14/20 = 0.7
    /// precision: neg 3/4, neu 4/7, pos 7/9;  recall: neg 3/5, neu 4/6 = 2/3, pos 7/9
    /// F1 neg = 2·(3/4)(3/5) / (3/4 + 3/5) = 0.9 / 1.35 = 2/3
    /// F1 neu = 2·(4/7)(2/3) / (4/7 + 2/3) = (16/21) / (26/21) = 8/13
    /// F1 pos = 7/9 (precision = recall)
    /// macro-F1 = (2/3 + 8/13 + 7/9) / 3 ≈ 0.686610
    /// macro-recall = (3/5 + 2/3 + 7/9) / 3 = (27/45 + 30/45 + 35/45) / 3 = 92/135 ≈ 0.681481
    #[test]
    fn three_classes_by_hand() {
        let c = matrix([[3, 1, 1], [1, 4, 1], [0, 2, 7]]);
        assert_eq!(c.total(), 20);
        close(c.accuracy(), 0.7);
        close(c.precision(Neg), 3.0 / 4.0);
        close(c.precision(Neu), 4.0 / 7.0);
        close(c.precision(Pos), 7.0 / 9.0);
        close(c.recall(Neg).unwrap(), 3.0 / 5.0);
        close(c.recall(Neu).unwrap(), 2.0 / 3.0);
        close(c.recall(Pos).unwrap(), 7.0 / 9.0);
        close(c.f1(Neg), 2.0 / 3.0);
        close(c.f1(Neu), 8.0 / 13.0);
        close(c.f1(Pos), 7.0 / 9.0);
        close(c.macro_f1(), (2.0 / 3.0 + 8.0 / 13.0 + 7.0 / 9.0) / 3.0);
        close(c.macro_recall(), 92.0 / 135.0);
        assert!((c.macro_f1() - 0.686610).abs() < 1e-6);
    }

    /// 2-class gold data; the model says neutral twice, which is always wrong:
    ///
    /// ```text
    ///            neg neu pos | support
    ///   neg        3   1   0 |  4
    ///   neu        0   0   0 |  0
    ///   pos        1   1   2 |  4
    ///   predicted  4   2   2 |  8
    /// ```
    ///
    /// accuracy = 5/8; precision neg 3/4, pos 2/2 = 1, neu 0/2 = 0
    /// recall neg 3/4, pos 2/4 = 1/2, neu undefined (no gold neutral) → not averaged
    /// F1 neg = 3/4; F1 pos = 2·1·(1/2) / (3/2) = 2/3
    /// macro-F1 = (3/4 + 2/3) / 2 = 17/24; macro-recall = (3/4 + 1/2) / 2 = 5/8
    #[test]
    fn two_class_data_counts_neutral_as_wrong() {
        let c = matrix([[3, 1, 0], [0, 0, 0], [1, 1, 2]]);
        assert_eq!(c.gold_classes(), vec![Neg, Pos]);
        close(c.accuracy(), 5.0 / 8.0);
        close(c.precision(Neu), 0.0);
        assert_eq!(c.recall(Neu), None);
        close(c.f1(Neu), 0.0);
        close(c.f1(Pos), 2.0 / 3.0);
        close(c.macro_f1(), 17.0 / 24.0);
        close(c.macro_recall(), 5.0 / 8.0);
    }

    #[test]
    fn empty_and_never_predicted_are_zero_not_nan() {
        let empty = Confusion::default();
        close(empty.accuracy(), 0.0);
        close(empty.macro_f1(), 0.0);
        // All gold negative, all predicted positive.
        let c = matrix([[4, 0, 0], [0, 0, 0], [0, 0, 0]]);
        let flipped = Confusion::from_pairs((0..4).map(|_| (Neg, Pos)));
        close(c.macro_recall(), 1.0);
        close(flipped.precision(Neg), 0.0);
        close(flipped.f1(Neg), 0.0);
        close(flipped.macro_recall(), 0.0);
        let m = Metrics::from(&flipped);
        assert_eq!(m.per_class[2].predicted, 4);
        assert_eq!(m.averaged_over, vec![Neg]);
    }
}
