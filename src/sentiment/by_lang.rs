//! A model per language: each document goes to the model of its language, or to the
//! fallback (the lexicon) when its language has none.
//!
//! `--sentiment auto` ends up as one of these (the languages whose ratings trained a
//! linear model that beat the lexicon use it), and so does `linear:<dir>` when the
//! folder holds one model per language (`<dir>/ja/`, `<dir>/en/`), as `auto` saves them.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use crate::record::Lang;
use crate::sentiment::linear::{self, LinearModel};
use crate::sentiment::{DocSentiment, Error, SentimentModel};
use crate::text::AnalysedText;

pub struct PerLanguage {
    name: String,
    models: BTreeMap<Lang, Arc<dyn SentimentModel>>,
    fallback: Arc<dyn SentimentModel>,
}

impl PerLanguage {
    /// `models` for their languages, `fallback` for the others; `name` describes the whole
    /// (`auto (ja: linear, en: lexicon)`).
    pub fn new(
        name: String,
        models: BTreeMap<Lang, Arc<dyn SentimentModel>>,
        fallback: Arc<dyn SentimentModel>,
    ) -> Self {
        PerLanguage {
            name,
            models,
            fallback,
        }
    }

    /// The per-language linear models saved under `dir` (`dir/ja/model.json`, …), the
    /// lexicon for languages without one; `None` when `dir` holds no such folder.
    pub fn load_linear(dir: &Path) -> Result<Option<Self>, Error> {
        let mut models: BTreeMap<Lang, Arc<dyn SentimentModel>> = BTreeMap::new();
        for lang in [Lang::Ja, Lang::En] {
            let sub = dir.join(lang.code());
            if sub.join(linear::format::CARD_FILE).is_file() {
                models.insert(lang, Arc::new(LinearModel::load(&sub)?));
            }
        }
        if models.is_empty() {
            return Ok(None);
        }
        let parts: Vec<String> = [Lang::Ja, Lang::En]
            .iter()
            .map(|l| {
                let which = if models.contains_key(l) {
                    "linear"
                } else {
                    "lexicon"
                };
                format!("{l}: {which}")
            })
            .collect();
        let name = format!("linear:{} ({})", dir.display(), parts.join(", "));
        let lexicon = Arc::new(crate::sentiment::lexicon::LexiconModel::embedded()?);
        Ok(Some(PerLanguage::new(name, models, lexicon)))
    }

    fn model_for(&self, lang: Lang) -> &dyn SentimentModel {
        self.models.get(&lang).unwrap_or(&self.fallback).as_ref()
    }
}

impl SentimentModel for PerLanguage {
    fn name(&self) -> &str {
        &self.name
    }

    fn score_batch(&self, docs: &[&AnalysedText]) -> Result<Vec<DocSentiment>, Error> {
        let mut langs: Vec<Lang> = docs.iter().map(|d| d.lang).collect();
        langs.sort();
        langs.dedup();
        let mut scored: Vec<(usize, DocSentiment)> = Vec::with_capacity(docs.len());
        for lang in langs {
            let rows: Vec<usize> = (0..docs.len()).filter(|&i| docs[i].lang == lang).collect();
            let group: Vec<&AnalysedText> = rows.iter().map(|&i| docs[i]).collect();
            let answers = self.model_for(lang).score_batch(&group)?;
            scored.extend(rows.into_iter().zip(answers));
        }
        scored.sort_by_key(|(i, _)| *i);
        Ok(scored.into_iter().map(|(_, s)| s).collect())
    }
}
