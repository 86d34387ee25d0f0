//! The embedded default backend: sentiment lexicons with rules, no download, no training.
//!
//! English sentences go through [`Vader`], Japanese ones through [`JapanesePolarity`].
//! Each sentence yields a [`SentencePolarity`]: a value in [-1, 1] and its evidence (how
//! many sentiment-bearing words it rests on). A document's value is the evidence-weighted
//! mean of its sentences, so one angry sentence among two neutral ones still makes a
//! negative document, and "配送は遅いが、スタッフは親切" comes out mixed, not neutral.

use crate::lang::Lang;
use crate::sentiment::japanese::JapanesePolarity;
use crate::sentiment::vader::Vader;
use crate::sentiment::{DocSentiment, Error, Score, SentimentModel};
use crate::text::AnalysedText;

/// One sentence's polarity as a lexicon backend sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SentencePolarity {
    /// -1 to 1.
    pub value: f32,
    /// Number of sentiment-bearing words (lexicon hits, emoji, idioms); 0 = no evidence.
    pub evidence: f32,
}

impl SentencePolarity {
    pub const NONE: SentencePolarity = SentencePolarity {
        value: 0.0,
        evidence: 0.0,
    };
}

pub struct LexiconModel {
    english: Vader,
    japanese: JapanesePolarity,
}

impl LexiconModel {
    /// The lexicons shipped in `models/`, compiled into the binary.
    pub fn embedded() -> Result<Self, Error> {
        Ok(LexiconModel {
            english: Vader::embedded_for_feedback()?,
            japanese: JapanesePolarity::embedded()?,
        })
    }

    pub(crate) fn score_one(&self, doc: &AnalysedText) -> DocSentiment {
        let polarities: Vec<SentencePolarity> = doc
            .sentences
            .iter()
            .map(|s| match doc.lang {
                // VADER reads emoji and emoticons, the only sentiment koe can see in a
                // script it has no language for.
                Lang::En | Lang::Und => self.english.sentence_polarity(doc.sentence_text(s)),
                Lang::Ja => self
                    .japanese
                    .sentence_polarity(doc.sentence_tokens(s), &self.english),
            })
            .collect();
        let evidence: f32 = polarities.iter().map(|p| p.evidence).sum();
        let doc_value = if evidence > 0.0 {
            polarities.iter().map(|p| p.value * p.evidence).sum::<f32>() / evidence
        } else {
            0.0
        };
        DocSentiment {
            doc: Score::from_value(doc_value),
            sentences: polarities
                .iter()
                .map(|p| Score::from_value(p.value))
                .collect(),
        }
    }
}

impl SentimentModel for LexiconModel {
    fn name(&self) -> &str {
        "lexicon"
    }

    fn score_batch(&self, docs: &[&AnalysedText]) -> Result<Vec<DocSentiment>, Error> {
        Ok(docs.iter().map(|d| self.score_one(d)).collect())
    }
}
