//! Text analysis: raw feedback text → [`AnalysedText`].
//!
//! In order: [`normalize`] (NFKC folds full-width and half-width forms, and finds the
//! social entities — URLs, @mentions, #hashtags, emoji — that must stay searchable but are
//! not words), [`lang`] (the document's language for sentiment and topics: ja, en or und,
//! the dominant script wins, a given language wins over it), [`sentences`] (UAX #29
//! sentence boundaries, which know 。！？ as well as .!?), then [`script`] splits each
//! sentence into runs of one script and sends each run to its segmenter: [`japanese`]
//! (lindera over IPADIC, keeping part of speech and base form) for kana and kanji,
//! [`english`] (Unicode words, lower-casing, stop words, Snowball stemming) for Latin
//! letters, [`words`] (Unicode words, lower-cased) for any other script. Sentiment, topics
//! and the index all read the tokens made here; queries are tokenized by the same code.

pub mod dictionary;
pub mod edict;
pub mod english;
pub mod japanese;
pub mod lang;
pub mod normalize;
pub mod script;
pub mod sentences;
pub mod words;

use std::ops::Range;
use std::path::Path;

use compact_str::CompactString;
use serde::Serialize;

use crate::lang::Lang;
use english::EnglishTokenizer;
use japanese::JapaneseTokenizer;
use normalize::{Entity, EntityKind};
use script::ScriptTokenizer;

/// Errors of the text stage.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Dictionary(#[from] dictionary::Error),
    #[error("Japanese tokenization failed")]
    Tokenize(#[source] lindera::error::LinderaError),
}

/// What a token is: a part of speech, or a social entity kept whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Pos {
    Noun,
    Verb,
    Adjective,
    Adverb,
    /// Japanese auxiliary verb (助動詞): ない, ます, た, …
    Auxiliary,
    /// Japanese particle (助詞): が, を, けど, …
    Particle,
    Conjunction,
    Interjection,
    Prefix,
    Symbol,
    Other,
    /// An English word: koe tags no English parts of speech.
    Word,
    Url,
    Mention,
    Hashtag,
    Emoji,
}

impl Pos {
    /// Social entities: searchable, never words of sentiment or topic terms.
    pub fn is_entity(self) -> bool {
        matches!(self, Pos::Url | Pos::Mention | Pos::Hashtag | Pos::Emoji)
    }
}

/// One token of normalised text. Surface and lemma are [`CompactString`]s: up to 24
/// bytes (8 kana or kanji, most words) they live inside the token, with no allocation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Token {
    /// The text as written (after normalisation), case kept.
    pub surface: CompactString,
    /// What the token counts as: the base form in Japanese (遅かった → 遅い), the
    /// lower-cased Snowball stem in English (delayed → delay), the entity itself otherwise.
    pub lemma: CompactString,
    pub pos: Pos,
    /// IPADIC's first sub-category (非自立, 代名詞, 接続助詞, …); empty in English.
    pub pos_detail: &'static str,
    /// A function word: stop word, particle, auxiliary, non-independent word.
    pub stop: bool,
    /// Byte range in [`AnalysedText::normalized`].
    pub span: Range<usize>,
}

impl Token {
    /// Content words are what topics and search use: not stop words, not entities,
    /// not symbols.
    pub fn is_content(&self) -> bool {
        !self.stop && !self.pos.is_entity() && self.pos != Pos::Symbol
    }

    /// Terms worth searching: content words and entities, not grammar or punctuation.
    /// The index keeps these tokens, and queries look for them.
    pub fn is_searchable(&self) -> bool {
        self.pos.is_entity() || (!self.stop && self.pos != Pos::Symbol)
    }
}

/// A sentence: byte range in the normalised text, and the range of its tokens.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sentence {
    pub span: Range<usize>,
    pub tokens: Range<usize>,
}

/// The text stage's output for one document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnalysedText {
    pub normalized: String,
    pub lang: Lang,
    pub sentences: Vec<Sentence>,
    pub tokens: Vec<Token>,
}

impl AnalysedText {
    pub fn sentence_text(&self, sentence: &Sentence) -> &str {
        &self.normalized[sentence.span.clone()]
    }

    pub fn sentence_tokens(&self, sentence: &Sentence) -> &[Token] {
        &self.tokens[sentence.tokens.clone()]
    }

    pub fn content_lemmas(&self) -> impl Iterator<Item = &str> {
        self.tokens
            .iter()
            .filter(|t| t.is_content())
            .map(|t| t.lemma.as_str())
    }
}

/// A per-language tokenizer over a stretch of normalised text that holds no entities.
pub trait LanguageTokenizer: Send + Sync {
    /// Appends the tokens of `text`, whose first byte is at `offset` in the document.
    fn tokenize_into(&self, text: &str, offset: usize, out: &mut Vec<Token>) -> Result<(), Error>;
}

/// The whole text stage: one value, shared by every worker thread (cheap to clone).
#[derive(Clone)]
pub struct TextAnalyzer {
    tokenizer: ScriptTokenizer,
}

impl TextAnalyzer {
    /// Loads the Japanese dictionary (building it from IPADIC source on first use).
    pub fn load(dictionary_dir: Option<&Path>) -> Result<Self, Error> {
        let dictionary = dictionary::load(dictionary_dir)?;
        Ok(Self::new(JapaneseTokenizer::new(dictionary)))
    }

    pub fn new(japanese: JapaneseTokenizer) -> Self {
        TextAnalyzer {
            tokenizer: ScriptTokenizer::new(japanese),
        }
    }

    pub fn japanese(&self) -> &JapaneseTokenizer {
        self.tokenizer.japanese()
    }

    pub fn english(&self) -> &EnglishTokenizer {
        self.tokenizer.english()
    }

    /// Normalises, detects the language (unless given), splits and tokenizes `text`.
    pub fn analyse(&self, text: &str, given: Option<Lang>) -> Result<AnalysedText, Error> {
        let normalized = normalize::normalize(text).into_owned();
        let entities = normalize::find_entities(&normalized);
        let lang = given.unwrap_or_else(|| lang::detect(&normalized, &entities));
        // About one token per 4 bytes in either language: the vector seldom grows.
        let mut tokens = Vec::with_capacity(normalized.len() / 4 + 1);
        let mut sentences = Vec::new();
        self.tokenize_normalized(&normalized, &entities, &mut sentences, &mut tokens)?;
        Ok(AnalysedText {
            normalized,
            lang,
            sentences,
            tokens,
        })
    }

    /// Splits already normalised text into sentences and tokenizes each, entities kept
    /// whole, script runs each by its segmenter: what [`analyse`](Self::analyse) does
    /// after normalising, and what the index does to a query.
    pub fn tokenize_normalized(
        &self,
        normalized: &str,
        entities: &[Entity],
        sentences: &mut Vec<Sentence>,
        tokens: &mut Vec<Token>,
    ) -> Result<(), Error> {
        for span in sentences::split(normalized) {
            let first = tokens.len();
            tokenize_with_entities(&self.tokenizer, normalized, span.clone(), entities, tokens)?;
            sentences.push(Sentence {
                span,
                tokens: first..tokens.len(),
            });
        }
        Ok(())
    }
}

/// Tokenizes `text[span]`: entities become tokens of their own, the stretches between
/// them go to the language tokenizer.
pub fn tokenize_with_entities(
    tokenizer: &dyn LanguageTokenizer,
    text: &str,
    span: Range<usize>,
    entities: &[Entity],
    out: &mut Vec<Token>,
) -> Result<(), Error> {
    let mut cursor = span.start;
    let inside = entities
        .iter()
        .filter(|e| e.span.start >= span.start && e.span.end <= span.end);
    for entity in inside {
        if entity.span.start > cursor {
            tokenizer.tokenize_into(&text[cursor..entity.span.start], cursor, out)?;
        }
        out.push(entity_token(text, entity));
        cursor = entity.span.end;
    }
    if cursor < span.end {
        tokenizer.tokenize_into(&text[cursor..span.end], cursor, out)?;
    }
    Ok(())
}

fn entity_token(text: &str, entity: &Entity) -> Token {
    let surface = &text[entity.span.clone()];
    let (pos, lemma) = match entity.kind {
        EntityKind::Url => (Pos::Url, surface.into()),
        EntityKind::Mention => (Pos::Mention, surface.to_lowercase().into()),
        EntityKind::Hashtag => (Pos::Hashtag, surface[1..].to_lowercase().into()),
        EntityKind::Emoji => (Pos::Emoji, surface.into()),
    };
    Token {
        surface: surface.into(),
        lemma,
        pos,
        pos_detail: "",
        stop: false,
        span: entity.span.clone(),
    }
}

/// One analyzer for all unit tests (the dictionary is built once per machine).
#[cfg(test)]
pub(crate) fn test_analyzer() -> &'static TextAnalyzer {
    static ANALYZER: std::sync::OnceLock<TextAnalyzer> = std::sync::OnceLock::new();
    ANALYZER.get_or_init(|| TextAnalyzer::load(None).expect("IPADIC dictionary (scripts/setup.sh)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn analyses_japanese_with_sentences_and_entities() {
        let doc = test_analyzer()
            .analyse(
                "ｱﾌﾟﾘが落ちる😡 @hanamori_jp さん直してください！#不具合",
                None,
            )
            .unwrap();
        assert_eq!(doc.lang, Lang::Ja);
        assert!(
            doc.normalized.starts_with("アプリが落ちる"),
            "NFKC folds half-width kana"
        );
        assert_eq!(doc.sentences.len(), 2);
        let kinds: Vec<(Pos, &str)> = doc
            .tokens
            .iter()
            .filter(|t| t.pos.is_entity())
            .map(|t| (t.pos, t.lemma.as_str()))
            .collect();
        assert_eq!(
            kinds,
            vec![
                (Pos::Emoji, "😡"),
                (Pos::Mention, "@hanamori_jp"),
                (Pos::Hashtag, "不具合")
            ]
        );
        for t in &doc.tokens {
            assert_eq!(&doc.normalized[t.span.clone()], t.surface);
        }
    }

    #[test]
    fn a_given_language_wins_over_detection() {
        let doc = test_analyzer().analyse("OK", Some(Lang::Ja)).unwrap();
        assert_eq!(doc.lang, Lang::Ja);
    }

    #[test]
    fn english_sentences_and_content_lemmas() {
        let doc = test_analyzer()
            .analyse("Delivery was delayed again. The refunds take weeks!", None)
            .unwrap();
        assert_eq!(doc.lang, Lang::En);
        assert_eq!(doc.sentences.len(), 2);
        let lemmas: Vec<&str> = doc.content_lemmas().collect();
        assert_eq!(lemmas, vec!["deliveri", "delay", "refund", "take", "week"]);
    }

    fn searchable(doc: &AnalysedText) -> Vec<&str> {
        doc.tokens
            .iter()
            .filter(|t| t.is_searchable())
            .map(|t| t.lemma.as_str())
            .collect()
    }

    #[test]
    fn japanese_inside_english_goes_to_lindera() {
        let doc = test_analyzer()
            .analyse(
                "Tried the new 抹茶ラテ at the Shibuya store. Way too sweet, but the staff were lovely.",
                None,
            )
            .unwrap();
        assert_eq!(doc.lang, Lang::En);
        let terms = searchable(&doc);
        for term in ["tri", "抹茶", "ラテ", "shibuya", "sweet", "staff", "love"] {
            assert!(terms.contains(&term), "{term} in {terms:?}");
        }
    }

    #[test]
    fn english_inside_japanese_goes_to_the_english_analyser() {
        let doc = test_analyzer()
            .analyse(
                "イヤホンのBluetooth接続がすぐ切れます。Crashesも多いし、返品したいです。",
                None,
            )
            .unwrap();
        assert_eq!(doc.lang, Lang::Ja);
        let terms = searchable(&doc);
        for term in ["bluetooth", "接続", "切れる", "crash", "返品"] {
            assert!(terms.contains(&term), "{term} in {terms:?}");
        }
        let bluetooth = doc.tokens.iter().find(|t| t.lemma == "bluetooth").unwrap();
        assert_eq!(bluetooth.surface, "Bluetooth");
        assert_eq!(&doc.normalized[bluetooth.span.clone()], "Bluetooth");
    }

    #[test]
    fn other_scripts_are_und_and_still_tokenized() {
        let doc = test_analyzer()
            .analyse("Η παράδοση άργησε πολύ. Κακή εξυπηρέτηση!", None)
            .unwrap();
        assert_eq!(doc.lang, Lang::Und);
        assert_eq!(doc.sentences.len(), 2);
        assert_eq!(
            searchable(&doc),
            vec!["η", "παράδοση", "άργησε", "πολύ", "κακή", "εξυπηρέτηση"]
        );
    }
}
