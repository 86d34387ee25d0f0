//! Documents → clauses → TF-IDF vectors.
//!
//! Topics are assigned per clause, not per record: a sentence is cut after a
//! contrastive or listing conjunctive particle (「遅かったけど、」「安いし、」) and before
//! "but / although / though / however / whereas", so 「配送は遅かったけど、スタッフは親切
//! でした」 is two clauses that can land in two topics. Each clause keeps only its
//! topic terms ([`is_topic_term`]: koe's content words that are nouns, verbs and
//! adjectives — すぐ, また, とても say nothing about what a topic is) as term ids in
//! one vocabulary shared by Japanese and English; each term remembers which language uses it and, for English
//! stems, the surface form people wrote most ("delivery" for the stem "deliveri").
//!
//! At fit time the [`Vectorizer`] prunes terms by document frequency (clause level),
//! weights by smoothed IDF with sublinear TF, and L2-normalises each row.

use std::collections::HashMap;
use std::ops::Range;

use super::bridge::Bridge;

use crate::record::Lang;
use crate::sentiment::Score;
use crate::text::{AnalysedText, Pos, Sentence, Token};

/// Japanese conjunctive particles (接続助詞) after which a sentence turns to another
/// matter: contrast (けど, が, のに, ものの) or listing (し).
const JA_CLAUSE_ENDS: &[&str] = &["けど", "けれど", "けれども", "が", "のに", "ものの", "し"];

/// English words that start a contrasting clause.
const EN_CLAUSE_STARTS: &[&str] = &["but", "although", "though", "however", "whereas"];

/// Surface forms remembered per English stem (the first few seen; enough to pick a
/// readable one).
const MAX_SURFACES: usize = 4;

/// A content word that can name a topic: a Japanese noun, verb or adjective, or an
/// English word (koe tags no English parts of speech; stop words are already out),
/// written in letters: no punctuation glued on by the tokenizer (「?」」, 「...。」), no
/// numbers alone, no one-letter English residue of markup ("b", "p").
pub fn is_topic_term(token: &Token) -> bool {
    token.is_content()
        && matches!(
            token.pos,
            Pos::Noun | Pos::Verb | Pos::Adjective | Pos::Word
        )
        && is_word(&token.surface)
}

fn is_word(surface: &str) -> bool {
    let letters = surface.chars().filter(|c| c.is_alphabetic()).count();
    let glue = |c: char| c.is_alphanumeric() || matches!(c, '-' | '\'' | '’' | '・' | '&');
    surface.chars().all(glue) && (letters >= 2 || (letters == 1 && !surface.is_ascii()))
}

/// Token ranges (into `doc.tokens`) of the clauses of one sentence. A clause without
/// content words joins the clause before it (or after it, at the start).
pub fn clauses(doc: &AnalysedText, sentence: &Sentence) -> Vec<Range<usize>> {
    let tokens = doc.sentence_tokens(sentence);
    let base = sentence.tokens.start;
    let mut cuts = vec![0];
    for (i, t) in tokens.iter().enumerate() {
        let cut = match t.pos {
            Pos::Particle
                if t.pos_detail == "接続助詞" && JA_CLAUSE_ENDS.contains(&t.lemma.as_str()) =>
            {
                Some(i + 1)
            }
            Pos::Word
                if EN_CLAUSE_STARTS
                    .iter()
                    .any(|w| t.surface.eq_ignore_ascii_case(w)) =>
            {
                Some(i)
            }
            _ => None,
        };
        if let Some(cut) = cut
            && cut > cuts[cuts.len() - 1]
            && cut < tokens.len()
        {
            cuts.push(cut);
        }
    }
    cuts.push(tokens.len());
    let mut out: Vec<Range<usize>> = Vec::with_capacity(cuts.len() - 1);
    for w in cuts.windows(2) {
        let range = w[0]..w[1];
        let has_content = tokens[range.clone()].iter().any(is_topic_term);
        match out.last_mut() {
            Some(last) if !has_content => last.end = range.end,
            Some(last) if !tokens[last.clone()].iter().any(is_topic_term) => last.end = range.end,
            _ => out.push(range),
        }
    }
    out.into_iter()
        .map(|r| base + r.start..base + r.end)
        .collect()
}

/// A term of the shared vocabulary.
#[derive(Debug, Clone)]
pub(crate) struct Term {
    pub lemma: Box<str>,
    /// Occurrences in Japanese and in English documents.
    langs: [u32; 2],
    surfaces: Vec<(Box<str>, u32)>,
}

impl Term {
    /// Whether documents of `lang` use the term.
    pub fn used_in(&self, lang: Lang) -> bool {
        self.langs[usize::from(lang == Lang::En)] > 0
    }

    /// The language that uses the term most.
    pub fn lang(&self) -> Lang {
        if self.langs[1] > self.langs[0] {
            Lang::En
        } else {
            Lang::Ja
        }
    }

    /// What to show people: the most written surface for English stems, the base form
    /// (辞書形) otherwise.
    pub fn display(&self) -> &str {
        self.surfaces
            .iter()
            .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
            .map_or(&*self.lemma, |(s, _)| s)
    }
}

#[derive(Debug, Default)]
pub(crate) struct Vocabulary {
    pub ids: HashMap<Box<str>, u32>,
    pub terms: Vec<Term>,
}

impl Vocabulary {
    fn intern(&mut self, token: &Token, lang: Lang) -> u32 {
        let id = match self.ids.get(token.lemma.as_str()) {
            Some(&id) => id,
            None => {
                let id = self.terms.len() as u32;
                self.ids.insert(token.lemma.as_str().into(), id);
                self.terms.push(Term {
                    lemma: token.lemma.as_str().into(),
                    langs: [0, 0],
                    surfaces: Vec::new(),
                });
                id
            }
        };
        let term = &mut self.terms[id as usize];
        term.langs[usize::from(lang == Lang::En)] += 1;
        if token.pos == Pos::Word {
            let surfaces = &mut term.surfaces;
            match surfaces
                .iter()
                .position(|(s, _)| s.eq_ignore_ascii_case(&token.surface))
            {
                Some(i) => surfaces[i].1 += 1,
                None if surfaces.len() < MAX_SURFACES => {
                    surfaces.push((token.surface.to_lowercase().into(), 1))
                }
                None => {}
            }
        }
        id
    }
}

/// The topic terms of a clause made of `tokens`, interned in `vocab`: sorted term ids
/// into `terms`, each one's count into `counts` (both cleared first). Empty when the
/// clause has no topic term (such a clause is not stored).
pub(crate) fn clause_terms(
    vocab: &mut Vocabulary,
    tokens: &[Token],
    lang: Lang,
    terms: &mut Vec<u32>,
    counts: &mut Vec<u16>,
) {
    terms.clear();
    counts.clear();
    terms.extend(
        tokens
            .iter()
            .filter(|t| is_topic_term(t))
            .map(|t| vocab.intern(t, lang)),
    );
    terms.sort_unstable();
    let mut i = 0;
    let mut kept = 0;
    while i < terms.len() {
        let term = terms[i];
        let run = terms[i..].iter().take_while(|&&t| t == term).count();
        terms[kept] = term;
        counts.push(run.min(u16::MAX as usize) as u16);
        kept += 1;
        i += run;
    }
    terms.truncate(kept);
}

/// Every clause of every document, as sorted term ids with counts, plus its sentiment.
/// Clauses of one document are contiguous, documents in sequence order.
#[derive(Debug, Default)]
pub(crate) struct ClauseStore {
    /// Document of each clause.
    pub doc: Vec<u32>,
    pub sentiment: Vec<Score>,
    offsets: Vec<usize>,
    terms: Vec<u32>,
    counts: Vec<u16>,
    /// First clause of each document (plus the end).
    doc_start: Vec<usize>,
}

impl ClauseStore {
    pub fn new() -> Self {
        ClauseStore {
            offsets: vec![0],
            doc_start: vec![0],
            ..Default::default()
        }
    }

    pub fn len(&self) -> usize {
        self.doc.len()
    }

    pub fn docs(&self) -> usize {
        self.doc_start.len() - 1
    }

    /// Adds a clause of the current document: its sorted term ids with their counts
    /// ([`clause_terms`]) and its sentiment.
    pub fn push(&mut self, terms: &[u32], counts: &[u16], sentiment: Score) {
        self.terms.extend_from_slice(terms);
        self.counts.extend_from_slice(counts);
        self.offsets.push(self.terms.len());
        self.doc.push(self.docs() as u32);
        self.sentiment.push(sentiment);
    }

    /// [`clause_terms`] then [`push`](Self::push); false (nothing stored) for a clause
    /// without topic terms.
    #[cfg(test)]
    pub fn push_clause(
        &mut self,
        vocab: &mut Vocabulary,
        tokens: &[Token],
        lang: Lang,
        sentiment: Score,
    ) -> bool {
        let (mut terms, mut counts) = (Vec::new(), Vec::new());
        clause_terms(vocab, tokens, lang, &mut terms, &mut counts);
        if !terms.is_empty() {
            self.push(&terms, &counts, sentiment);
        }
        !terms.is_empty()
    }

    /// Closes the current document.
    pub fn end_doc(&mut self) {
        self.doc_start.push(self.doc.len());
    }

    pub fn doc_clauses(&self, doc: usize) -> Range<usize> {
        self.doc_start[doc]..self.doc_start[doc + 1]
    }

    pub fn clause(&self, c: usize) -> (&[u32], &[u16]) {
        let r = self.offsets[c]..self.offsets[c + 1];
        (&self.terms[r.clone()], &self.counts[r])
    }
}

/// Which terms count (document-frequency pruning) and how much (IDF), over clauses
/// (sub-topics) or over whole records (themes).
///
/// Columns are ordered by lemma, not by the order terms were first seen, so that the
/// same records in another order give the same columns, and everything fitted on them
/// (the LSA space, the clusters) comes out the same.
#[derive(Debug)]
pub(crate) struct Vectorizer {
    /// Column of each vocabulary term, `NONE` when pruned.
    col_of: Vec<u32>,
    /// Vocabulary term of each column (`NONE` for a column of a saved model that this
    /// run's vocabulary does not have).
    pub term_of: Vec<u32>,
    /// Lemma of each column.
    pub lemmas: Vec<Box<str>>,
    pub idf: Vec<f32>,
    /// Record level: the columns of each Japanese term's English counterparts (see
    /// [`Bridge`]), which its records carry beside its own column.
    bridge: HashMap<u32, Box<[u32]>>,
}

/// How much of a Japanese word's weight its English counterparts share between them.
const BRIDGE_WEIGHT: f32 = 1.0;

pub(crate) const NONE: u32 = u32::MAX;

/// Document-frequency pruning: which documents count as one.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Pruning {
    /// Terms in fewer documents than this are ignored.
    pub min_df: usize,
    /// Terms in more than this fraction of the documents are ignored.
    pub max_df: f64,
    /// Vocabulary cap (most frequent terms first).
    pub max_terms: usize,
}

impl Vectorizer {
    /// Clause-level: a clause is a document.
    pub fn fit(store: &ClauseStore, vocab: &Vocabulary, pruning: Pruning) -> Self {
        let mut df = vec![0u32; vocab.terms.len()];
        for &t in &store.terms {
            df[t as usize] += 1;
        }
        Self::from_df(&df, store.len(), vocab, pruning)
    }

    /// Record-level: all clauses of a record are one document, which also holds the
    /// English counterparts of its Japanese terms (`bridge`).
    pub fn fit_records(
        store: &ClauseStore,
        vocab: &Vocabulary,
        pruning: Pruning,
        bridge: &Bridge,
    ) -> Self {
        let mut df = vec![0u32; vocab.terms.len()];
        let mut last_doc = vec![NONE; vocab.terms.len()];
        for d in 0..store.docs() {
            for c in store.doc_clauses(d) {
                for &t in store.clause(c).0 {
                    for &t in std::iter::once(&t).chain(bridge.targets(t)) {
                        if last_doc[t as usize] != d as u32 {
                            last_doc[t as usize] = d as u32;
                            df[t as usize] += 1;
                        }
                    }
                }
            }
        }
        let mut vectorizer = Self::from_df(&df, store.docs(), vocab, pruning);
        vectorizer.bridge = bridge
            .iter()
            .filter_map(|(term, targets)| {
                let cols: Box<[u32]> = targets.iter().filter_map(|&t| vectorizer.col(t)).collect();
                (!cols.is_empty()).then_some((term, cols))
            })
            .collect();
        vectorizer
    }

    /// Whether some Japanese term carries English columns.
    pub fn has_bridge(&self) -> bool {
        !self.bridge.is_empty()
    }

    /// The bridge by lemma (Japanese lemma, English columns), sorted, for saving.
    pub fn saved_bridge(&self, vocab: &Vocabulary) -> Vec<(Box<str>, Vec<u32>)> {
        let mut saved: Vec<(Box<str>, Vec<u32>)> = self
            .bridge
            .iter()
            .map(|(&t, cols)| (vocab.terms[t as usize].lemma.clone(), cols.to_vec()))
            .collect();
        saved.sort();
        saved
    }

    /// Keeps terms in at least `min_df` of `n` documents and at most `max_df` of them,
    /// the `max_terms` most frequent of those; smoothed IDF.
    fn from_df(df: &[u32], n: usize, vocab: &Vocabulary, pruning: Pruning) -> Self {
        let min_df = pruning.min_df.max(1);
        let ceiling = ((pruning.max_df * n as f64).floor() as usize).max(min_df);
        let lemma = |t: u32| &*vocab.terms[t as usize].lemma;
        let mut kept: Vec<u32> = (0..df.len() as u32)
            .filter(|&t| (min_df..=ceiling).contains(&(df[t as usize] as usize)))
            .collect();
        kept.sort_by(|&a, &b| {
            df[b as usize]
                .cmp(&df[a as usize])
                .then_with(|| lemma(a).cmp(lemma(b)))
        });
        kept.truncate(pruning.max_terms);
        kept.sort_by(|&a, &b| lemma(a).cmp(lemma(b)));
        let idf = kept
            .iter()
            .map(|&t| {
                let d = f64::from(df[t as usize]);
                (((1.0 + n as f64) / (1.0 + d)).ln() + 1.0) as f32
            })
            .collect();
        let lemmas = kept.iter().map(|&t| lemma(t).into()).collect();
        Self::with_columns(kept, lemmas, idf, vocab.terms.len())
    }

    /// The columns of a saved model (`lemmas`, `idf`, and the record level's `bridge`)
    /// over this run's vocabulary: terms the model does not know are left out, as
    /// pruned terms are.
    pub fn from_model(
        lemmas: Vec<Box<str>>,
        idf: Vec<f32>,
        bridge: &[(Box<str>, Vec<u32>)],
        vocab: &Vocabulary,
    ) -> Self {
        let term_of = lemmas
            .iter()
            .map(|l| vocab.ids.get(l).copied().unwrap_or(NONE))
            .collect();
        let n_cols = lemmas.len();
        let mut vectorizer = Self::with_columns(term_of, lemmas, idf, vocab.terms.len());
        vectorizer.bridge = bridge
            .iter()
            .filter_map(|(lemma, cols)| {
                let term = *vocab.ids.get(lemma)?;
                let cols: Box<[u32]> = cols
                    .iter()
                    .copied()
                    .filter(|&c| (c as usize) < n_cols)
                    .collect();
                (!cols.is_empty()).then_some((term, cols))
            })
            .collect();
        vectorizer
    }

    fn with_columns(
        term_of: Vec<u32>,
        lemmas: Vec<Box<str>>,
        idf: Vec<f32>,
        vocab_len: usize,
    ) -> Self {
        let mut col_of = vec![NONE; vocab_len];
        for (col, &t) in term_of.iter().enumerate() {
            if let Some(slot) = col_of.get_mut(t as usize) {
                *slot = col as u32;
            }
        }
        Vectorizer {
            col_of,
            term_of,
            lemmas,
            idf,
            bridge: HashMap::new(),
        }
    }

    pub fn n_cols(&self) -> usize {
        self.term_of.len()
    }

    pub fn col(&self, term: u32) -> Option<u32> {
        self.col_of
            .get(term as usize)
            .copied()
            .filter(|&c| c != NONE)
    }

    /// The clause's L2-normalised TF-IDF row (sublinear TF) into `out`, sorted by
    /// column; empty when no term of the clause survived pruning.
    pub fn row(&self, store: &ClauseStore, c: usize, out: &mut Vec<(u32, f32)>) {
        out.clear();
        let (terms, counts) = store.clause(c);
        for (&t, &n) in terms.iter().zip(counts) {
            if let Some(col) = self.col(t) {
                out.push((col, f32::from(n)));
            }
        }
        self.weigh(out);
    }

    /// The record's row: the counts of all its clauses together, and for each Japanese
    /// term with English counterparts, its count shared among their columns.
    pub fn record_row(&self, store: &ClauseStore, doc: usize, out: &mut Vec<(u32, f32)>) {
        out.clear();
        for c in store.doc_clauses(doc) {
            let (terms, counts) = store.clause(c);
            for (&t, &n) in terms.iter().zip(counts) {
                if let Some(col) = self.col(t) {
                    out.push((col, f32::from(n)));
                }
                if let Some(cols) = self.bridge.get(&t) {
                    let share = f32::from(n) * BRIDGE_WEIGHT / cols.len() as f32;
                    out.extend(cols.iter().map(|&col| (col, share)));
                }
            }
        }
        self.weigh(out);
    }

    /// Raw counts per column → sorted, merged, sublinear TF · IDF, unit length. A count
    /// under one (a bridged share) weighs what it is.
    fn weigh(&self, out: &mut Vec<(u32, f32)>) {
        out.sort_unstable_by_key(|&(col, _)| col);
        out.dedup_by(|later, kept| {
            let same = later.0 == kept.0;
            if same {
                kept.1 += later.1;
            }
            same
        });
        for (col, v) in out.iter_mut() {
            let tf = if *v >= 1.0 { 1.0 + v.ln() } else { *v };
            *v = tf * self.idf[*col as usize];
        }
        let norm = out.iter().map(|(_, v)| v * v).sum::<f32>().sqrt();
        if norm > 0.0 {
            out.iter_mut().for_each(|(_, v)| *v /= norm);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::test_analyzer;

    fn clause_texts(text: &str) -> Vec<String> {
        let doc = test_analyzer().analyse(text, None).unwrap();
        doc.sentences
            .iter()
            .flat_map(|s| clauses(&doc, s))
            .map(|r| {
                let span = doc.tokens[r.start].span.start..doc.tokens[r.end - 1].span.end;
                doc.normalized[span]
                    .trim_matches(|c: char| "、。.,!?".contains(c))
                    .to_string()
            })
            .collect()
    }

    #[test]
    fn splits_at_contrast_in_japanese_and_english() {
        assert_eq!(
            clause_texts("配送は遅かったけど、スタッフは親切でした"),
            vec!["配送は遅かったけど", "スタッフは親切でした"]
        );
        assert_eq!(
            clause_texts("The delivery was late but the staff were kind."),
            vec!["The delivery was late", "but the staff were kind"]
        );
    }

    #[test]
    fn keeps_a_plain_sentence_whole() {
        assert_eq!(
            clause_texts("アプリがすぐ落ちる。"),
            vec!["アプリがすぐ落ちる"]
        );
        assert_eq!(clause_texts("But why?"), vec!["But why"]);
    }

    #[test]
    fn prunes_by_document_frequency() {
        let mut vocab = Vocabulary::default();
        let mut store = ClauseStore::new();
        for text in ["late delivery", "late parcel", "rude staff"] {
            let doc = test_analyzer().analyse(text, None).unwrap();
            store.push_clause(&mut vocab, &doc.tokens, Lang::En, Score::NEUTRAL);
            store.end_doc();
        }
        let v = Vectorizer::fit(
            &store,
            &vocab,
            Pruning {
                min_df: 2,
                max_df: 1.0,
                max_terms: 100,
            },
        );
        let kept: Vec<&str> = v
            .term_of
            .iter()
            .map(|&t| &*vocab.terms[t as usize].lemma)
            .collect();
        assert_eq!(kept, vec!["late"]);
        let mut row = Vec::new();
        v.row(&store, 2, &mut row);
        assert!(row.is_empty(), "rude staff has no kept term");
    }

    #[test]
    fn topic_terms_are_words_not_punctuation_or_markup() {
        for word in [
            "配送",
            "遅い",
            "アプリ",
            "late",
            "wi-fi",
            "don't",
            "届",
            "ー",
        ] {
            assert!(is_word(word), "{word}");
        }
        for residue in ["?」", "...。", "!」", "b", "42", "「", "<br>", "&nbsp;"] {
            assert!(!is_word(residue), "{residue}");
        }
    }
}
