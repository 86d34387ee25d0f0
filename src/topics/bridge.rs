//! The Japanese–English bridge of the themes' LSA half.
//!
//! Japanese and English records share no word, so in TF-IDF → LSA space a Japanese
//! complaint and the same complaint in English are orthogonal, and themes split by
//! language. The bridge gives each Japanese term of the vocabulary the English terms
//! of this corpus that a Japanese–English dictionary glosses it with (「配送」 →
//! "delivery", 「遅延」 → "delay"; [`JaEnDictionary`]); a Japanese record's row then
//! carries those English columns beside its own words (see
//! [`Vectorizer::record_row`](super::vectorize::Vectorizer::record_row)), so both
//! languages meet in the LSA space.
//!
//! Only English terms that English records of the corpus use are targets: a corpus in
//! one language gets an empty bridge, and the dictionary is not even parsed.

use std::collections::{HashMap, HashSet};

use super::vectorize::Vocabulary;
use crate::record::Lang;
use crate::text::edict::JaEnDictionary;

/// Each Japanese term's English counterparts, as vocabulary term ids.
#[derive(Debug, Default)]
pub(crate) struct Bridge {
    targets: HashMap<u32, Vec<u32>>,
}

impl Bridge {
    /// The bridge between the Japanese and English terms of `vocab`; empty without a
    /// dictionary or when the corpus has no terms of one of the languages.
    pub fn build(vocab: &Vocabulary, dictionary: Option<&JaEnDictionary>) -> Bridge {
        let Some(dictionary) = dictionary else {
            return Bridge::default();
        };
        let japanese: HashSet<&str> = vocab
            .terms
            .iter()
            .filter(|t| t.used_in(Lang::Ja) && !t.lemma.is_ascii())
            .map(|t| &*t.lemma)
            .collect();
        let english = |lemma: &str| {
            vocab
                .ids
                .get(lemma)
                .copied()
                .filter(|&id| vocab.terms[id as usize].used_in(Lang::En))
        };
        if japanese.is_empty() || !vocab.terms.iter().any(|t| t.used_in(Lang::En)) {
            return Bridge::default();
        }
        let targets = dictionary
            .glosses(&japanese)
            .into_iter()
            .filter_map(|(lemma, glosses)| {
                let source = vocab.ids[lemma.as_str()];
                let mut targets: Vec<u32> = glosses
                    .iter()
                    .filter_map(|g| english(g))
                    .filter(|&t| t != source)
                    .collect();
                targets.dedup();
                (!targets.is_empty()).then_some((source, targets))
            })
            .collect();
        Bridge { targets }
    }

    /// The English counterparts of a term (empty for most).
    pub fn targets(&self, term: u32) -> &[u32] {
        self.targets.get(&term).map_or(&[], Vec::as_slice)
    }

    pub fn iter(&self) -> impl Iterator<Item = (u32, &[u32])> {
        self.targets.iter().map(|(&t, v)| (t, v.as_slice()))
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::sentiment::Score;
    use crate::text::test_analyzer;
    use crate::topics::vectorize::ClauseStore;

    const LINES: &str = "\
配送 [はいそう] /(n,vs) delivery/(P)/
遅い [おそい] /(adj-i) (1) slow/(adj-i) (2) late/(P)/
返金 [へんきん] /(n,vs) refund/(P)/
";

    fn vocab_of(texts: &[(&str, Lang)]) -> Vocabulary {
        let mut vocab = Vocabulary::default();
        let mut store = ClauseStore::new();
        for &(text, lang) in texts {
            let doc = test_analyzer().analyse(text, None).unwrap();
            store.push_clause(&mut vocab, &doc.tokens, lang, Score::NEUTRAL);
            store.end_doc();
        }
        vocab
    }

    fn lemmas<'a>(vocab: &'a Vocabulary, ids: &[u32]) -> Vec<&'a str> {
        ids.iter()
            .map(|&t| &*vocab.terms[t as usize].lemma)
            .collect()
    }

    #[test]
    fn japanese_terms_reach_the_english_terms_of_the_corpus() {
        let dictionary = JaEnDictionary::from_bytes(PathBuf::from("test"), LINES.into());
        let vocab = vocab_of(&[
            ("配送が遅い", Lang::Ja),
            ("返金がない", Lang::Ja),
            ("The delivery was late", Lang::En),
        ]);
        let bridge = Bridge::build(&vocab, Some(&dictionary));
        let id = |lemma: &str| vocab.ids[lemma];
        assert_eq!(lemmas(&vocab, bridge.targets(id("配送"))), ["deliveri"]);
        // "slow" is no English term of this corpus; "refund" neither.
        assert_eq!(lemmas(&vocab, bridge.targets(id("遅い"))), ["late"]);
        assert!(bridge.targets(id("返金")).is_empty());
    }

    #[test]
    fn a_corpus_in_one_language_has_no_bridge() {
        let dictionary = JaEnDictionary::from_bytes(PathBuf::from("test"), LINES.into());
        let vocab = vocab_of(&[("配送が遅い", Lang::Ja), ("返金がない", Lang::Ja)]);
        assert_eq!(Bridge::build(&vocab, Some(&dictionary)).iter().count(), 0);
    }
}
