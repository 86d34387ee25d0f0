//! Polarity: the three sentiment classes, and what is counted over them, as a leaf that
//! every stage can name without importing another (sentiment scores in them, topics and
//! the index tally them, eval and both trainers — the linear model's and the transformer
//! fine-tuning — score and weight them).
//!
//! [`Label`] is the class and the one reading of labels as data sets and models write
//! them ([`Label::from_name`]); [`metrics`] turns (gold, predicted) pairs into a confusion
//! matrix and its figures; [`class_weights`] weighs training examples per class.

pub mod metrics;

use serde::{Deserialize, Serialize};

/// The three classes koe reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Label {
    Negative,
    Neutral,
    Positive,
}

impl Label {
    pub const ALL: [Label; 3] = [Label::Negative, Label::Neutral, Label::Positive];

    pub fn as_str(self) -> &'static str {
        match self {
            Label::Negative => "negative",
            Label::Neutral => "neutral",
            Label::Positive => "positive",
        }
    }
}

impl Label {
    /// A 1–5 star rating's class: 1–2 negative, 3 neutral, 4–5 positive.
    pub fn from_rating(stars: u8) -> Option<Label> {
        match stars {
            1 | 2 => Some(Label::Negative),
            3 => Some(Label::Neutral),
            4 | 5 => Some(Label::Positive),
            _ => None,
        }
    }
}

impl std::fmt::Display for Label {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Label {
    /// A class by its name, in any case: negative / neg, neutral / neu, positive / pos.
    fn from_class_name(name: &str) -> Option<Label> {
        match name.trim().to_ascii_lowercase().as_str() {
            "negative" | "neg" => Some(Label::Negative),
            "neutral" | "neu" => Some(Label::Neutral),
            "positive" | "pos" => Some(Label::Positive),
            _ => None,
        }
    }

    /// The one reading of labels as data sets and models write them: a class name
    /// ([`FromStr`](std::str::FromStr)) or a star rating, as a digit or in words ("4",
    /// "4 stars", "1 star"): 1–2 negative, 3 neutral, 4–5 positive.
    pub fn from_name(name: &str) -> Option<Label> {
        if let Some(label) = Label::from_class_name(name) {
            return Some(label);
        }
        let name = name.trim().to_ascii_lowercase();
        let stars = name
            .strip_suffix("stars")
            .or_else(|| name.strip_suffix("star"))
            .unwrap_or(&name)
            .trim();
        match stars {
            "1" | "2" => Some(Label::Negative),
            "3" => Some(Label::Neutral),
            "4" | "5" => Some(Label::Positive),
            _ => None,
        }
    }
}

impl std::str::FromStr for Label {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Label::from_class_name(s)
            .ok_or_else(|| format!("unknown sentiment label {s:?} (negative, neutral, positive)"))
    }
}

/// How examples of each class are weighted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ClassWeight {
    /// n / (classes · n_class): every class weighs the same in total.
    Balanced,
    /// Every example weighs 1.
    None,
}

impl std::str::FromStr for ClassWeight {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "balanced" => Ok(ClassWeight::Balanced),
            "none" => Ok(ClassWeight::None),
            _ => Err(format!("unknown class weighting {s:?} (balanced, none)")),
        }
    }
}

/// Each of `classes`' example weight under `how`, for training on `labels`.
pub fn class_weights(labels: &[Label], classes: &[Label], how: ClassWeight) -> Vec<f32> {
    classes
        .iter()
        .map(|c| match how {
            ClassWeight::None => 1.0,
            ClassWeight::Balanced => {
                let n_class = labels.iter().filter(|l| *l == c).count().max(1) as f32;
                labels.len() as f32 / (classes.len() as f32 * n_class)
            }
        })
        .collect()
}
