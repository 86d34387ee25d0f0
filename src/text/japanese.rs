//! Japanese tokenization: lindera over IPADIC.
//!
//! Each morpheme keeps its part of speech, IPADIC sub-category and base form, so later
//! stages can match 遅かった with the dictionary entry 遅い, see that ない after 悪く
//! negates it, and keep only content words (nouns, verbs, adjectives) for topics.

use std::borrow::Cow;
use std::sync::Arc;

use lindera::dictionary::Dictionary;
use lindera::mode::Mode;
use lindera::segmenter::Segmenter;

use crate::text::{Error, LanguageTokenizer, Pos, Token};

/// Verbs so common that they carry no topic ("する", "ある"); still seen by sentiment.
const LIGHT_VERBS: &[&str] = &[
    "する",
    "ある",
    "いる",
    "なる",
    "れる",
    "られる",
    "せる",
    "させる",
    "おる",
    "くる",
    "いく",
];

/// Sub-categories that mark a word as grammatical rather than content.
const FUNCTION_DETAILS: &[&str] = &["非自立", "代名詞", "数", "接尾", "特殊"];

/// lindera segmenter with IPADIC; cheap to clone, shared across threads.
#[derive(Clone)]
pub struct JapaneseTokenizer {
    segmenter: Arc<Segmenter>,
}

impl JapaneseTokenizer {
    pub fn new(dictionary: Dictionary) -> Self {
        JapaneseTokenizer {
            segmenter: Arc::new(Segmenter::new(Mode::Normal, dictionary, None)),
        }
    }
}

impl LanguageTokenizer for JapaneseTokenizer {
    fn tokenize_into(&self, text: &str, offset: usize, out: &mut Vec<Token>) -> Result<(), Error> {
        let mut morphemes = self
            .segmenter
            .segment(Cow::Borrowed(text))
            .map_err(|e| Error::Tokenize(e.to_string()))?;
        for morpheme in morphemes.iter_mut() {
            let surface = morpheme.surface.to_string();
            if surface.trim().is_empty() {
                continue;
            }
            let span = offset + morpheme.byte_start..offset + morpheme.byte_end;
            let details = morpheme.details();
            // lindera files unknown ASCII punctuation ("-", "\"") under nouns.
            let pos = if surface.chars().all(|c| c.is_ascii_punctuation()) {
                Pos::Symbol
            } else {
                pos_of(details.first().copied().unwrap_or(""))
            };
            let pos_detail = details.get(1).copied().unwrap_or("*");
            let lemma = match details.get(6).copied() {
                Some(base) if base != "*" && !base.is_empty() => base.to_string(),
                _ => surface.to_lowercase(),
            };
            let stop = match pos {
                Pos::Particle | Pos::Auxiliary | Pos::Symbol => true,
                Pos::Verb => LIGHT_VERBS.contains(&lemma.as_str()),
                _ => FUNCTION_DETAILS.contains(&pos_detail),
            } || pos_detail == "非自立";
            out.push(Token {
                pos_detail: if pos_detail == "*" {
                    String::new()
                } else {
                    pos_detail.to_string()
                },
                surface,
                lemma,
                pos,
                stop,
                span,
            });
        }
        Ok(())
    }
}

fn pos_of(ipadic: &str) -> Pos {
    match ipadic {
        "名詞" => Pos::Noun,
        "動詞" => Pos::Verb,
        "形容詞" => Pos::Adjective,
        "副詞" => Pos::Adverb,
        "助動詞" => Pos::Auxiliary,
        "助詞" => Pos::Particle,
        "接続詞" => Pos::Conjunction,
        "感動詞" => Pos::Interjection,
        "接頭詞" => Pos::Prefix,
        "記号" => Pos::Symbol,
        _ => Pos::Other,
    }
}

#[cfg(test)]
mod tests {
    use crate::text::{LanguageTokenizer, Pos, Token, test_analyzer};

    fn tokens(text: &str) -> Vec<Token> {
        let mut out = Vec::new();
        test_analyzer()
            .japanese()
            .tokenize_into(text, 0, &mut out)
            .unwrap();
        out
    }

    #[test]
    fn keeps_base_forms_and_parts_of_speech() {
        let toks = tokens("配送が遅かったです");
        let view: Vec<(&str, &str, Pos, bool)> = toks
            .iter()
            .map(|t| (t.surface.as_str(), t.lemma.as_str(), t.pos, t.stop))
            .collect();
        assert_eq!(
            view,
            vec![
                ("配送", "配送", Pos::Noun, false),
                ("が", "が", Pos::Particle, true),
                ("遅かっ", "遅い", Pos::Adjective, false),
                ("た", "た", Pos::Auxiliary, true),
                ("です", "です", Pos::Auxiliary, true),
            ]
        );
    }

    #[test]
    fn negation_stays_visible_to_sentiment() {
        let lemmas: Vec<String> = tokens("二度と使いません")
            .into_iter()
            .map(|t| t.lemma)
            .collect();
        assert!(lemmas.contains(&"使う".to_string()), "{lemmas:?}");
        assert!(lemmas.contains(&"ん".to_string()), "{lemmas:?}");
    }

    #[test]
    fn light_verbs_and_suffixes_are_not_content() {
        let content: Vec<String> = tokens("問い合わせをしたけど、返事がありません")
            .into_iter()
            .filter(|t| t.is_content())
            .map(|t| t.lemma)
            .collect();
        assert_eq!(content, vec!["問い合わせ", "返事"]);
    }

    #[test]
    fn ascii_punctuation_is_a_symbol() {
        let toks = tokens("品番HM-2601の\"在庫\"");
        let symbols: Vec<&str> = toks
            .iter()
            .filter(|t| t.pos == Pos::Symbol)
            .map(|t| t.surface.as_str())
            .collect();
        assert!(
            symbols.contains(&"-") && symbols.contains(&"\""),
            "{toks:?}"
        );
        assert!(
            toks.iter()
                .filter(|t| t.is_content())
                .all(|t| t.lemma != "-")
        );
    }
}
