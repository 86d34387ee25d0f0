//! The transformer backend (`--sentiment transformer:<dir-or-id>`, feature
//! `transformer`): a fine-tuned BERT-family sequence classifier run through rust-bert.
//!
//! Every sentence and every whole document of a batch is classified in one call (sorted
//! by length, padded per batch of 32); the document is scored on its whole text, not as
//! a mean of its sentences. Texts over the model's maximum length are truncated (the
//! model reads only their first tokens: 512 for most BERTs).
//!
//! The model's `id2label` is mapped onto koe's three classes ([`LabelMap`]): names with
//! "neg"/"neu"/"pos", star ratings ("1 star" … "5 stars": 1–2 negative, 3 neutral, 4–5
//! positive), or, for names that say nothing (`LABEL_0` …), by position: two classes
//! are negative/positive, three negative/neutral/positive, five are stars. A [`Score`]'s
//! value is P(positive) − P(negative), its label the most probable of koe's classes
//! (the model's classes summed into them) and its confidence that class's probability.

use crate::sentiment::{DocSentiment, Error as SentimentError, Label, Score, SentimentModel};
use crate::text::AnalysedText;
use crate::transformer::{self, SequenceClassifier};

/// koe's class for each of the model's classes, in the model's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelMap {
    pub classes: Vec<Label>,
}

impl LabelMap {
    /// Maps `id2label` names (in id order); `None` when some name can't be placed.
    pub fn from_names<S: AsRef<str>>(names: &[S]) -> Option<LabelMap> {
        let by_name: Option<Vec<Label>> = names.iter().map(|n| label_of(n.as_ref())).collect();
        let classes = match by_name {
            Some(classes) => classes,
            None if names.iter().all(|n| is_anonymous(n.as_ref())) => by_position(names.len())?,
            None => return None,
        };
        Some(LabelMap { classes })
    }

    /// The score for one text from its class probabilities (in the model's order).
    pub fn score(&self, probabilities: &[f32]) -> Score {
        let mut p = [0.0f32; 3];
        for (&label, &pk) in self.classes.iter().zip(probabilities) {
            p[label as usize] += pk;
        }
        let best = (0..3).fold(0, |b, k| if p[k] > p[b] { k } else { b });
        Score {
            value: (p[Label::Positive as usize] - p[Label::Negative as usize]).clamp(-1.0, 1.0),
            label: Label::ALL[best],
            confidence: p[best],
        }
    }
}

/// A class from its name: koe's reading of labels ([`Label::from_name`]: "negative",
/// "NEG", "2 stars"), else a name that contains one ("very positive", "Negative_sent").
fn label_of(name: &str) -> Option<Label> {
    if let Some(label) = Label::from_name(name) {
        return Some(label);
    }
    let name = name.trim().to_lowercase();
    if name.contains("star") {
        return None;
    }
    if name.contains("neg") {
        Some(Label::Negative)
    } else if name.contains("neu") {
        Some(Label::Neutral)
    } else if name.contains("pos") {
        Some(Label::Positive)
    } else {
        None
    }
}

/// `LABEL_3`, `3`: a name that says only its position.
fn is_anonymous(name: &str) -> bool {
    let name = name.trim().to_ascii_lowercase();
    let digits = name.strip_prefix("label_").unwrap_or(&name);
    !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit())
}

fn by_position(n: usize) -> Option<Vec<Label>> {
    use Label::*;
    match n {
        2 => Some(vec![Negative, Positive]),
        3 => Some(vec![Negative, Neutral, Positive]),
        5 => Some(vec![Negative, Negative, Neutral, Positive, Positive]),
        _ => None,
    }
}

/// Errors loading or running the transformer backend.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Model(#[from] transformer::Error),
    #[error("{model}: cannot map its labels {labels:?} onto negative/neutral/positive")]
    Labels { model: String, labels: Vec<String> },
}

/// A sequence classifier as a [`SentimentModel`].
pub struct TransformerModel {
    name: String,
    classifier: SequenceClassifier,
    labels: LabelMap,
}

impl TransformerModel {
    /// Loads a model folder or Hugging Face id.
    pub fn load(spec: &str) -> Result<Self, Error> {
        let classifier = SequenceClassifier::load(spec)?;
        let labels = LabelMap::from_names(classifier.labels()).ok_or_else(|| Error::Labels {
            model: classifier.source().to_string(),
            labels: classifier.labels().to_vec(),
        })?;
        Ok(TransformerModel {
            name: format!("transformer:{spec}"),
            classifier,
            labels,
        })
    }

    pub fn classifier(&self) -> &SequenceClassifier {
        &self.classifier
    }

    pub fn label_map(&self) -> &LabelMap {
        &self.labels
    }
}

impl SentimentModel for TransformerModel {
    fn name(&self) -> &str {
        &self.name
    }

    fn score_batch(&self, docs: &[&AnalysedText]) -> Result<Vec<DocSentiment>, SentimentError> {
        // Each document, then its sentences: one classifier call for the whole batch.
        let mut texts = Vec::new();
        for doc in docs {
            texts.push(doc.normalized.as_str());
            texts.extend(doc.sentences.iter().map(|s| doc.sentence_text(s)));
        }
        // A libtorch failure (out of memory) fails the batch: the pipeline sets its
        // records aside as rejects rather than scoring them neutral.
        let probabilities = self.classifier.predict(&texts).map_err(Error::Model)?;
        let mut scores = probabilities.iter().map(|p| self.labels.score(p));
        Ok(docs
            .iter()
            .map(|doc| DocSentiment {
                doc: scores.next().unwrap_or(Score::NEUTRAL),
                sentences: scores.by_ref().take(doc.sentences.len()).collect(),
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Label::*;

    #[test]
    fn five_stars_fold_into_three_classes() {
        let names = ["1 star", "2 stars", "3 stars", "4 stars", "5 stars"];
        let map = LabelMap::from_names(&names).unwrap();
        assert_eq!(
            map.classes,
            [Negative, Negative, Neutral, Positive, Positive]
        );
        let s = map.score(&[0.1, 0.1, 0.1, 0.3, 0.4]);
        assert_eq!(s.label, Positive);
        assert!((s.value - 0.5).abs() < 1e-6);
        assert!((s.confidence - 0.7).abs() < 1e-6);
    }

    #[test]
    fn named_and_anonymous_labels() {
        let map = LabelMap::from_names(&["NEGATIVE", "POSITIVE"]).unwrap();
        assert_eq!(map.classes, [Negative, Positive]);
        let map = LabelMap::from_names(&["LABEL_0", "LABEL_1", "LABEL_2"]).unwrap();
        assert_eq!(map.classes, [Negative, Neutral, Positive]);
        let map = LabelMap::from_names(&["positive", "neutral", "negative"]).unwrap();
        assert_eq!(map.classes, [Positive, Neutral, Negative]);
        assert!(LabelMap::from_names(&["joy", "anger"]).is_none());
        assert!(LabelMap::from_names(&["LABEL_0", "LABEL_1", "LABEL_2", "LABEL_3"]).is_none());
    }

    #[test]
    fn score_is_p_positive_minus_p_negative() {
        let map = LabelMap::from_names(&["negative", "neutral", "positive"]).unwrap();
        let s = map.score(&[0.6, 0.3, 0.1]);
        assert_eq!(s.label, Negative);
        assert!((s.value + 0.5).abs() < 1e-6);
        assert!((s.confidence - 0.6).abs() < 1e-6);
    }
}
