//! The embedded default backend: sentiment lexicons with rules, no download, no training.
//!
//! English sentences go through [`Vader`], Japanese ones through [`JapanesePolarity`].
//! Each sentence yields a [`SentencePolarity`]: a value in [-1, 1] and its evidence (how
//! many sentiment-bearing words it rests on). A document's value is the evidence-weighted
//! mean of its sentences, so one angry sentence among two neutral ones still makes a
//! negative document, and "配送は遅いが、スタッフは親切" comes out mixed, not neutral.
//!
//! Japanese text has a second, embedded source of evidence: asari's n-gram classifier
//! ([`TfidfScorer`]), added to the rules' verdict on each sentence, and a Japanese
//! document is the sum of its sentences' log-odds; [`combine`] explains both.
//! [`LexiconModel::score_rules`] gives the rules alone, with the mean over sentences,
//! as the linear model's lexicon features have always read them.

use std::sync::Arc;

use crate::lang::Lang;
use crate::sentiment::japanese::combine;
use crate::sentiment::japanese::tfidf::TfidfScorer;
use crate::sentiment::japanese::{JapanesePolarity, opens_with_contrast};
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
    /// Whether the verdict rests on how the sentence is built more than on its words: a
    /// negated polar word (悪くない), a request (安くしてほしい), a regret
    /// (〜ば良かった) or a word read in its context (値段が高い), where the words alone
    /// may say the opposite. Japanese only.
    pub turned: bool,
}

impl SentencePolarity {
    pub const NONE: SentencePolarity = SentencePolarity {
        value: 0.0,
        evidence: 0.0,
        turned: false,
    };
}

pub struct LexiconModel {
    english: Vader,
    japanese: JapanesePolarity,
    japanese_ngrams: Arc<TfidfScorer>,
}

impl LexiconModel {
    /// The lexicons shipped in `models/`, compiled into the binary.
    pub fn embedded() -> Result<Self, Error> {
        Ok(LexiconModel {
            english: Vader::embedded_for_feedback()?,
            japanese: JapanesePolarity::embedded()?,
            japanese_ngrams: TfidfScorer::embedded()?,
        })
    }

    /// The embedded default's answer: the rules, and in Japanese asari's n-grams too.
    pub(crate) fn score_one(&self, doc: &AnalysedText) -> DocSentiment {
        let (polarities, whole) = self.rules(doc);
        if doc.lang != Lang::Ja {
            return sentiment(whole.value, polarities.iter().map(|p| p.value));
        }
        let mut total = 0.0;
        let mut log_odds = Vec::with_capacity(polarities.len());
        for (s, &p) in doc.sentences.iter().zip(&polarities) {
            let tokens = doc.sentence_tokens(s);
            let z = combine::log_odds(p, self.japanese_ngrams.evidence([tokens]));
            if opens_with_contrast(tokens) {
                total *= combine::BEFORE_CONTRAST;
            }
            total += z;
            log_odds.push(z);
        }
        sentiment(
            combine::value(total),
            log_odds.into_iter().map(combine::value),
        )
    }

    /// The rules alone (VADER, the Japanese lexicon and its rules), without asari's
    /// n-grams: the linear model's lexicon features.
    pub(crate) fn score_rules(&self, doc: &AnalysedText) -> DocSentiment {
        let (polarities, whole) = self.rules(doc);
        sentiment(whole.value, polarities.iter().map(|p| p.value))
    }

    /// Each sentence's polarity, and the document's: their evidence-weighted mean value
    /// and total evidence.
    fn rules(&self, doc: &AnalysedText) -> (Vec<SentencePolarity>, SentencePolarity) {
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
        let value = if evidence > 0.0 {
            polarities.iter().map(|p| p.value * p.evidence).sum::<f32>() / evidence
        } else {
            0.0
        };
        let turned = polarities.iter().any(|p| p.turned);
        let whole = SentencePolarity {
            value,
            evidence,
            turned,
        };
        (polarities, whole)
    }
}

fn sentiment(doc: f32, sentences: impl Iterator<Item = f32>) -> DocSentiment {
    DocSentiment {
        doc: Score::from_value(doc),
        sentences: sentences.map(Score::from_value).collect(),
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
