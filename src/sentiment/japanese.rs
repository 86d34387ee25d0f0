//! PLACEHOLDER — being replaced by the Japanese polarity scorer.

#[path = "japanese_lexicon.rs"]
pub mod lexicon;

use crate::sentiment::Error;
use crate::sentiment::lexicon::SentencePolarity;
use crate::sentiment::vader::Vader;
use crate::text::Token;
pub struct JapanesePolarity;
impl JapanesePolarity {
    pub fn embedded() -> Result<Self, Error> { Ok(JapanesePolarity) }
    pub fn sentence_polarity(&self, _tokens: &[Token], _emoji: &Vader) -> SentencePolarity { SentencePolarity::NONE }
}
