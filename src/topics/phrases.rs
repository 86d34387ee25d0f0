//! Key phrases: the pairs of topic terms that records say together, for labels.
//!
//! A label made of a topic's top words (「配送 · 遅延 · 残念」, "delivery · date · 4pm")
//! leaves the reader to guess how they go together; the phrase people wrote does not
//! (「配送が遅い」, "late delivery", "app crashes"). While records are collected, each
//! clause keeps its **phrases**: two topic terms ([`is_topic_term`]) next to each other,
//! or with at most [`MAX_GAP`] other words between them (particles, auxiliaries,
//! adverbs, English stop words) and no punctuation: 配送 が 遅かっ た → 「配送が遅い」, "the
//! delivery was late" → "delivery was late". A phrase is keyed by its two terms in either
//! order, so 「遅い配送」 and 「配送が遅い」, "late delivery" and "delivery was late" are
//! one phrase; it is shown as the form written most often, a Japanese phrase ending in
//! its last word's base form (辞書形), an English one in lower case.
//!
//! Phrases only name topics ([`super::label`]); they never enter the vectors that themes
//! and sub-topics are fitted on. Memory: 4 bytes per phrase occurrence, one entry per
//! distinct pair.
//!
//! [`is_generic`] says which words say nothing on their own in a label: the Stopwords ISO
//! list of the language (`stop-words` crate), which holds interjections and fillers
//! (hi, hello, hm, ok, thanks, please) and generic verbs (want, said, going) that the
//! NLTK list the text stage uses keeps.

use std::collections::HashMap;
use std::sync::LazyLock;

use super::vectorize::{Vocabulary, is_topic_term};
use crate::record::Lang;
use crate::text::{Pos, Token};

/// Function words allowed between the two terms of a phrase (が, は; "was", "the").
const MAX_GAP: usize = 2;
/// Written forms remembered per phrase (the first few seen; enough to pick one).
const MAX_FORMS: usize = 4;

static GENERIC_EN: LazyLock<std::collections::HashSet<&'static str>> =
    LazyLock::new(|| stop_words::get("en").iter().copied().collect());
static GENERIC_JA: LazyLock<std::collections::HashSet<&'static str>> =
    LazyLock::new(|| stop_words::get("ja").iter().copied().collect());

/// A word that names nothing on its own in a label (see the module doc); `word` as shown
/// to readers (English surface, Japanese base form). The list is chosen by the word's
/// script, not by the language of the records that use it: "hm" of an order number
/// (「注文番号 HM-2041」) is English residue in Japanese feedback.
pub(crate) fn is_generic(word: &str) -> bool {
    if word.is_ascii() {
        GENERIC_EN.contains(word.to_lowercase().as_str())
    } else {
        GENERIC_JA.contains(word)
    }
}

/// One phrase: its two terms (smaller id first) and the forms it was written in.
#[derive(Debug, Clone)]
pub(crate) struct Phrase {
    pub terms: [u32; 2],
    forms: Vec<(Box<str>, u32)>,
}

impl Phrase {
    /// The form written most often (ties: the first in byte order).
    pub fn display(&self) -> &str {
        self.forms
            .iter()
            .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
            .map_or("", |(s, _)| s)
    }
}

/// Every clause's phrases, in the order of the clause store (one entry per stored
/// clause), and the phrases themselves.
#[derive(Debug)]
pub(crate) struct PhraseStore {
    pub phrases: Vec<Phrase>,
    ids: HashMap<[u32; 2], u32>,
    offsets: Vec<usize>,
    list: Vec<u32>,
}

/// A run's phrases and their ids, as [`PhraseStore::take_table`] hands them on.
#[derive(Debug, Default)]
pub(crate) struct PhraseTable {
    phrases: Vec<Phrase>,
    ids: HashMap<[u32; 2], u32>,
}

impl Default for PhraseStore {
    fn default() -> Self {
        PhraseStore {
            phrases: Vec::new(),
            ids: HashMap::new(),
            offsets: vec![0],
            list: Vec::new(),
        }
    }
}

impl PhraseStore {
    /// The phrases of a clause (its terms already in `vocab`), interned, into `out`
    /// (cleared first), each once. `text` is the normalised text the tokens' spans
    /// point into.
    pub fn phrases_of(
        &mut self,
        vocab: &Vocabulary,
        tokens: &[Token],
        text: &str,
        lang: Lang,
        out: &mut Vec<u32>,
    ) {
        out.clear();
        let mut previous: Option<(usize, u32)> = None;
        let mut gap = 0;
        for (i, token) in tokens.iter().enumerate() {
            // English tokens leave punctuation out: look at what lies between them.
            let punctuated = i > 0
                && text
                    .get(tokens[i - 1].span.end..token.span.start)
                    .is_some_and(|between| between.chars().any(|c| !c.is_whitespace()));
            if punctuated {
                previous = None;
            }
            if !is_topic_term(token) {
                gap += 1;
                if token.pos == Pos::Symbol || token.pos.is_entity() || gap > MAX_GAP {
                    previous = None;
                }
                continue;
            }
            let Some(&term) = vocab.ids.get(token.lemma.as_str()) else {
                previous = None;
                continue;
            };
            if let Some((from, first)) = previous.filter(|&(_, first)| first != term) {
                let negation = negation_after(&tokens[i + 1..]);
                let form = written_form(&tokens[from..=i], negation, lang);
                let id = self.intern([first.min(term), first.max(term)], form);
                if !out.contains(&id) {
                    out.push(id);
                }
            }
            previous = Some((i, term));
            gap = 0;
        }
    }

    /// Adds the next stored clause's phrase ids (from [`phrases_of`](Self::phrases_of)).
    pub fn push(&mut self, phrases: &[u32]) {
        self.list.extend_from_slice(phrases);
        self.offsets.push(self.list.len());
    }

    /// [`phrases_of`](Self::phrases_of) then [`push`](Self::push).
    #[cfg(test)]
    pub fn push_clause(&mut self, vocab: &Vocabulary, tokens: &[Token], text: &str, lang: Lang) {
        let mut out = Vec::new();
        self.phrases_of(vocab, tokens, text, lang, &mut out);
        self.push(&out);
    }

    /// The phrases themselves, without the clauses' lists: what a store of other
    /// clauses of the same run starts from ([`with_table`](Self::with_table)).
    pub fn take_table(&mut self) -> PhraseTable {
        PhraseTable {
            phrases: std::mem::take(&mut self.phrases),
            ids: std::mem::take(&mut self.ids),
        }
    }

    /// An empty store of clauses over the phrases of `table`.
    pub fn with_table(table: PhraseTable) -> Self {
        PhraseStore {
            phrases: table.phrases,
            ids: table.ids,
            ..PhraseStore::default()
        }
    }

    /// Phrase ids of stored clause `c`, each once.
    pub fn clause(&self, c: usize) -> &[u32] {
        match (self.offsets.get(c), self.offsets.get(c + 1)) {
            (Some(&a), Some(&b)) => &self.list[a..b],
            _ => &[],
        }
    }

    fn intern(&mut self, terms: [u32; 2], form: String) -> u32 {
        let id = match self.ids.get(&terms) {
            Some(&id) => id,
            None => {
                let id = self.phrases.len() as u32;
                self.ids.insert(terms, id);
                self.phrases.push(Phrase {
                    terms,
                    forms: Vec::new(),
                });
                id
            }
        };
        let forms = &mut self.phrases[id as usize].forms;
        match forms.iter().position(|(s, _)| **s == *form) {
            Some(i) => forms[i].1 += 1,
            None if forms.len() < MAX_FORMS => forms.push((form.into(), 1)),
            None => {}
        }
        id
    }
}

/// The auxiliaries right after a word up to a negative one (届か**ない**, 届き**ません**),
/// when there is one.
fn negation_after(tokens: &[Token]) -> Option<&[Token]> {
    let run = tokens
        .iter()
        .take_while(|t| t.pos == Pos::Auxiliary)
        .count();
    let last = tokens[..run]
        .iter()
        .rposition(|t| matches!(t.lemma.as_str(), "ない" | "ぬ" | "ん"))?;
    Some(&tokens[..=last])
}

/// How a reader would write `tokens` (a phrase from its first to its last term):
/// Japanese as written up to the last word, which takes its base form (配送が遅かっ →
/// 配送が遅い) or, with a `negation` after it, as written with it (荷物が届かない):
/// the base form would say the opposite. English words in lower case, one space apart.
fn written_form(tokens: &[Token], negation: Option<&[Token]>, lang: Lang) -> String {
    let Some((last, before)) = tokens.split_last() else {
        return String::new();
    };
    if lang == Lang::En || last.pos == Pos::Word {
        return tokens
            .iter()
            .map(|t| t.surface.to_lowercase())
            .collect::<Vec<_>>()
            .join(" ");
    }
    let mut form: String = before.iter().map(|t| t.surface.as_str()).collect();
    if let Some(negation) = negation {
        form.push_str(&last.surface);
        form.extend(negation.iter().map(|t| t.surface.as_str()));
    } else {
        form.push_str(&last.lemma);
    }
    form
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sentiment::Score;
    use crate::text::test_analyzer;
    use crate::topics::vectorize::ClauseStore;

    fn phrases_of(texts: &[(&str, Lang)]) -> Vec<String> {
        let mut vocab = Vocabulary::default();
        let mut store = ClauseStore::new();
        let mut phrases = PhraseStore::default();
        for &(text, lang) in texts {
            let doc = test_analyzer().analyse(text, Some(lang)).unwrap();
            if store.push_clause(&mut vocab, &doc.tokens, lang, Score::NEUTRAL) {
                phrases.push_clause(&vocab, &doc.tokens, &doc.normalized, lang);
            }
            store.end_doc();
        }
        let mut shown: Vec<String> = phrases
            .phrases
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        shown.sort();
        shown
    }

    #[test]
    fn a_japanese_phrase_ends_in_the_base_form() {
        assert_eq!(
            phrases_of(&[("配送が遅かった。", Lang::Ja)]),
            vec!["配送が遅い"]
        );
        assert_eq!(
            phrases_of(&[("アプリがすぐ落ちる", Lang::Ja)]),
            vec!["アプリがすぐ落ちる"]
        );
    }

    #[test]
    fn a_negative_stays_negative() {
        assert_eq!(
            phrases_of(&[("荷物がなかなか届かない。", Lang::Ja)]),
            vec!["荷物がなかなか届かない"]
        );
        assert_eq!(
            phrases_of(&[("荷物が届きません", Lang::Ja)]),
            vec!["荷物が届きません"]
        );
    }

    #[test]
    fn one_phrase_in_either_order_shown_as_written_most() {
        let shown = phrases_of(&[
            ("Late delivery again.", Lang::En),
            ("The delivery was late.", Lang::En),
            ("late delivery, as usual", Lang::En),
        ]);
        assert_eq!(shown, vec!["late delivery"]);
    }

    #[test]
    fn punctuation_breaks_a_phrase() {
        assert_eq!(
            phrases_of(&[("delivery, late", Lang::En)]),
            Vec::<String>::new()
        );
    }

    #[test]
    fn interjections_and_fillers_are_generic() {
        for word in ["hi", "Hello", "hm", "ok", "thanks", "please"] {
            assert!(is_generic(word), "{word}");
        }
        for word in ["delivery", "late", "app", "crashes", "food", "service"] {
            assert!(!is_generic(word), "{word}");
        }
        assert!(is_generic("する"));
        assert!(!is_generic("配送"));
    }
}
