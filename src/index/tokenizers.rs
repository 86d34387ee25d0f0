//! The one analysis of the index: the text stage's tokens, as Tantivy terms.
//!
//! Records are indexed with the tokens the text stage already made ([`index_tokens`],
//! handed to Tantivy as a `PreTokenizedString`), so lindera runs once per record. Queries
//! and snippets go through [`KOE`], a Tantivy tokenizer over the very same code
//! ([`TextAnalyzer::tokenize_normalized`]: sentences, entities, script runs), so what is
//! indexed and what is searched are the same terms by construction: lindera base forms
//! for kana and kanji (遅かった is indexed as 遅い, so 「配送 遅い」 finds it), lower-cased
//! Snowball stems for Latin words ("delays" finds "delayed"), lower-cased words for other
//! scripts, and URLs, @mentions, #hashtags (the bare tag, `#配送遅延` one term) and emoji
//! as terms of their own. Particles, auxiliaries, stop words and punctuation are left out
//! ([`Token::is_searchable`]); positions count them, so phrases keep their gaps.

use tantivy::Index;
use tantivy::tokenizer::{Token as TantivyToken, TokenStream, Tokenizer};

use crate::text::normalize::find_entities;
use crate::text::{TextAnalyzer, Token};

/// Name of koe's analyser in the index schema.
pub const KOE: &str = "koe";

/// Registers koe's analyser on an index (needed to query it and to make snippets).
pub fn register(index: &Index, analyzer: &TextAnalyzer) {
    index
        .tokenizers()
        .register(KOE, QueryTokenizer::new(analyzer.clone()));
}

/// The searchable tokens of a document, as Tantivy tokens: the lemma is the term, the
/// span the offsets, the position the token's place among all tokens.
pub fn index_tokens(tokens: &[Token]) -> Vec<TantivyToken> {
    let mut out = Vec::new();
    extend_index_tokens(tokens, &mut out);
    out
}

fn extend_index_tokens(tokens: &[Token], out: &mut Vec<TantivyToken>) {
    let searchable = tokens.iter().enumerate().filter(|(_, t)| t.is_searchable());
    out.extend(searchable.map(|(position, token)| TantivyToken {
        offset_from: token.span.start,
        offset_to: token.span.end,
        position,
        text: token.lemma.to_string(),
        position_length: 1,
    }));
}

/// The text stage seen as a Tantivy tokenizer, for queries and snippets. The text it gets
/// is already normalised (the search normalises queries and the text of hits).
#[derive(Clone)]
pub struct QueryTokenizer {
    analyzer: TextAnalyzer,
    koe_tokens: Vec<Token>,
    tokens: Vec<TantivyToken>,
}

impl QueryTokenizer {
    pub fn new(analyzer: TextAnalyzer) -> Self {
        QueryTokenizer {
            analyzer,
            koe_tokens: Vec::new(),
            tokens: Vec::new(),
        }
    }
}

impl Tokenizer for QueryTokenizer {
    type TokenStream<'a> = VecTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecTokenStream<'a> {
        self.koe_tokens.clear();
        self.tokens.clear();
        let entities = find_entities(text);
        // A tokenizer error (lindera failing on this text) leaves it without terms: the
        // query then finds nothing, as a word that is nowhere in the index would.
        let _ = self.analyzer.tokenize_normalized(
            text,
            &entities,
            &mut Vec::new(),
            &mut self.koe_tokens,
        );
        extend_index_tokens(&self.koe_tokens, &mut self.tokens);
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
