//! PLACEHOLDER — being replaced by the VADER port.
use crate::sentiment::Error;
use crate::sentiment::lexicon::SentencePolarity;
pub struct Vader;
impl Vader {
    pub fn embedded() -> Result<Self, Error> {
        Ok(Vader)
    }
    pub fn sentence_polarity(&self, _text: &str) -> SentencePolarity {
        SentencePolarity::NONE
    }
    pub fn emoji_valence(&self, _emoji: &str) -> Option<f32> {
        None
    }
}
