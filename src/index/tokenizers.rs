//! koe's analysers for Tantivy, registered by name in one place.
//!
//! Both wrap the text stage's own tokenizers, so the index sees exactly the terms that
//! sentiment and topics see: lindera base forms for Japanese (遅かった is indexed as 遅い,
//! so 「配送 遅い」 finds it), lower-cased Snowball stems for English ("delays" finds
//! "delayed"). Particles, auxiliaries, stop words and punctuation are left out; URLs,
//! @mentions, #hashtags (as the bare tag) and emoji are kept as terms of their own.

use tantivy::Index;
use tantivy::tokenizer::{Token as TantivyToken, TokenStream, Tokenizer};

use crate::text::normalize::find_entities;
use crate::text::{LanguageTokenizer, Pos, TextAnalyzer, Token, tokenize_with_entities};

/// Name of the Japanese analyser in the index schema.
pub const JAPANESE: &str = "koe_ja";
/// Name of the English analyser in the index schema.
pub const ENGLISH: &str = "koe_en";

/// Registers koe's analysers on an index (needed to write to it and to query it).
pub fn register(index: &Index, analyzer: &TextAnalyzer) {
    let manager = index.tokenizers();
    manager.register(JAPANESE, IndexTokenizer::new(analyzer.japanese().clone()));
    manager.register(ENGLISH, IndexTokenizer::new(analyzer.english().clone()));
}

/// A koe language tokenizer seen as a Tantivy tokenizer. The text it gets is already
/// normalised (the writer indexes normalised text; the search CLI normalises queries).
#[derive(Clone)]
pub struct IndexTokenizer<T> {
    inner: T,
    koe_tokens: Vec<Token>,
    tokens: Vec<TantivyToken>,
}

impl<T: LanguageTokenizer + Clone + 'static> IndexTokenizer<T> {
    pub fn new(inner: T) -> Self {
        IndexTokenizer {
            inner,
            koe_tokens: Vec::new(),
            tokens: Vec::new(),
        }
    }
}

/// Terms worth searching: content words and entities, not grammar or punctuation.
fn is_searchable(token: &Token) -> bool {
    token.pos.is_entity() || (!token.stop && token.pos != Pos::Symbol)
}

impl<T: LanguageTokenizer + Clone + 'static> Tokenizer for IndexTokenizer<T> {
    type TokenStream<'a> = VecTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecTokenStream<'a> {
        self.koe_tokens.clear();
        self.tokens.clear();
        let entities = find_entities(text);
        // A tokenizer error leaves this text without terms; the text stage has already
        // tokenized it once, so this cannot fail for a record that reached the index.
        let _ = tokenize_with_entities(
            &self.inner,
            text,
            0..text.len(),
            &entities,
            &mut self.koe_tokens,
        );
        for (position, token) in self.koe_tokens.drain(..).enumerate() {
            if is_searchable(&token) {
                self.tokens.push(TantivyToken {
                    offset_from: token.span.start,
                    offset_to: token.span.end,
                    position,
                    text: token.lemma,
                    position_length: 1,
                });
            }
        }
        VecTokenStream {
            tokens: &mut self.tokens,
            next: 0,
        }
    }
}

/// Tokens made up front, handed out one by one.
pub struct VecTokenStream<'a> {
    tokens: &'a mut Vec<TantivyToken>,
    next: usize,
}

impl TokenStream for VecTokenStream<'_> {
    fn advance(&mut self) -> bool {
        self.next += 1;
        self.next <= self.tokens.len()
    }

    fn token(&self) -> &TantivyToken {
        &self.tokens[self.next - 1]
    }

    fn token_mut(&mut self) -> &mut TantivyToken {
        &mut self.tokens[self.next - 1]
    }
}
