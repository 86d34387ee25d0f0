//! Texts without records: the text and sentiment stages over borrowed strings, for
//! callers that hold the text already (the Python package, a Spark partition).

use rayon::prelude::*;

use super::{Pipeline, SCORING_CHUNK};
use crate::record::Lang;
use crate::sentiment::DocSentiment;
use crate::text::AnalysedText;

/// One text's analysis, or why there is none.
pub type TextResult = Result<(AnalysedText, DocSentiment), String>;

impl Pipeline {
    /// Analyses and scores `texts` in parallel, in order: the same stages, models and
    /// chunking as a run of `koe analyze` gives its records (`lang`, when given, wins
    /// over detection). A text the text stage cannot analyse, or a chunk the model fails
    /// on, gets an `Err` saying why, in its place.
    pub fn analyse_texts(&self, texts: &[&str], lang: Option<Lang>) -> Vec<TextResult> {
        let chunks: Vec<Vec<TextResult>> = texts
            .par_chunks(SCORING_CHUNK)
            .map(|chunk| {
                let analysed: Vec<Result<AnalysedText, String>> = chunk
                    .iter()
                    .map(|text| self.analyzer.analyse(text, lang).map_err(|e| e.to_string()))
                    .collect();
                let docs: Vec<&AnalysedText> = analysed.iter().flatten().collect();
                let mut scores = match self.model.score_batch(&docs) {
                    Ok(scores) => scores.into_iter().map(Ok).collect::<Vec<_>>(),
                    Err(e) => {
                        let failed = format!("sentiment model failed: {e}");
                        vec![Err(failed); docs.len()]
                    }
                }
                .into_iter();
                analysed
                    .into_iter()
                    .map(|text| {
                        let text = text?;
                        let score = scores.next().unwrap_or_else(|| {
                            Err("sentiment model returned too few scores".to_string())
                        })?;
                        Ok((text, score))
                    })
                    .collect()
            })
            .collect();
        chunks.into_iter().flatten().collect()
    }
}

#[cfg(test)]
mod tests {
    use crate::pipeline::Pipeline;
    use crate::record::Lang;
    use crate::sentiment::{self, Label};
    use crate::text::TextAnalyzer;

    #[test]
    fn texts_get_the_language_and_sentiment_records_get() {
        let analyzer = TextAnalyzer::load(None).unwrap();
        let pipeline = Pipeline::new(analyzer, sentiment::from_spec("lexicon").unwrap());
        let texts = ["配送が遅くて最悪でした", "Great staff, really helpful!"];
        let results = pipeline.analyse_texts(&texts, None);
        let (ja, ja_sentiment) = results[0].as_ref().unwrap();
        let (en, en_sentiment) = results[1].as_ref().unwrap();
        assert_eq!((ja.lang, en.lang), (Lang::Ja, Lang::En));
        assert_eq!(ja_sentiment.doc.label, Label::Negative);
        assert_eq!(en_sentiment.doc.label, Label::Positive);
        assert_eq!(ja_sentiment.sentences.len(), ja.sentences.len());
    }
}
