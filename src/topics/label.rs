//! Labels: what a topic is about, in words people can read.
//!
//! Each topic's terms are weighted by how specific they are to it: their count in the
//! topic times the log-odds ratio with an informative Dirichlet prior (Monroe, Colaresi
//! & Quinn 2008, "Fightin' Words") of the topic's clauses against all the others
//! ([`Specificity`]). All clauses of a topic form one "class document" (the outliers are
//! a class too); a word's prior is its share of the whole corpus, scaled to the mean
//! class, so a word said as much everywhere ("told BBC", "people") weighs nothing
//! however often the topic says it, and a word seen once weighs little however
//! specific. Only words the topic says more than the rest count, over
//! the topic's core clauses (see `Assignment::core`); a topic that is the whole text has
//! nothing to be specific against and is named by its most frequent words.
//! The best terms are then re-ranked around the topic's top term in each language, so
//! a label's words are ones that occur together ([`rank_around_anchors`]). Words that
//! name nothing alone ([`is_generic`]: hi, thanks, want, する) are left out.
//!
//! A label is made of **key phrases** first ([`super::phrases`]: 「配送が遅い」, "late
//! delivery"), weighted the same way with counts = the records that say the phrase,
//! and scaled by the weights of the topic's words it holds (so a phrase of the
//! topic's own words wins), kept when several records say it ([`min_phrase_records`]),
//! when its words are of one language, when its last word, its head, is not generic
//! ("really happy" names something, "order hm" does not: [`ends_generic`]) and when the
//! clauses that carry it lean the topic's way: a complaint is never named by a phrase
//! said in praise, nor the reverse. Up to [`LABEL_PHRASES`] phrases, then the best terms no phrase holds,
//! three items in all at most: 「配送が遅い · 配送遅延 · 残念」, "late delivery · refund".
//! A topic that mixes languages (the minority language has at least a fifth of its
//! clauses) is labelled in each, dominant language first:
//! 「配送が遅い · 遅延 / late delivery · order」. A topic none of whose words is
//! specific to it (or all generic) is named by its most frequent words that are not
//! generic, or failing that by its most frequent words: a label is never empty.
//!
//! Representative records are those whose clauses lie closest to the topic's centroid,
//! with duplicate texts shown once.

use std::collections::HashMap;

use super::cluster::Assignment;
use super::mentions::Mentions;
use super::phrases::{PhraseStore, is_generic};
use super::snippets::{self, Snippets};
use super::vectorize::{ClauseStore, NONE, Vectorizer, Vocabulary};
use super::{Example, TermWeight};
use crate::record::Lang;
use crate::sentiment::Label;

/// Items (phrases and terms) in a label, per language.
const LABEL_TERMS: usize = 3;
/// Phrases in a label, per language.
const LABEL_PHRASES: usize = 2;
/// A topic lists both languages when the minority has this share of its clauses.
const MIXED_SHARE: f64 = 0.2;
/// A listed term occurs at least this often in the topic (a word said once is noise),
/// unless the topic has fewer than LABEL_TERMS such terms.
const MIN_TERM_COUNT: f64 = 2.0;
/// A topic's core clauses (close to its centroid, [`Assignment::core`]) alone name it.
/// Clauses that only just passed the outlier threshold belong to the topic for counts
/// and search, but one shared generic word is often all that brought them there, and
/// their other words would blur the label. A topic with fewer core clauses than this is
/// named by all of its clauses.
const MIN_CORE_CLAUSES: usize = 5;
/// Top terms used for coherence and diversity.
pub(crate) const QUALITY_TERMS: usize = 10;

/// What labels are made from: the clauses' terms and phrases.
pub(crate) struct Words<'a> {
    pub store: &'a ClauseStore,
    pub phrases: &'a PhraseStore,
    pub vocab: &'a Vocabulary,
}

pub(crate) struct Labelled {
    pub label: String,
    pub terms: Vec<TermWeight>,
    pub phrases: Vec<TermWeight>,
    /// The QUALITY_TERMS best vocabulary ids, any language.
    pub top: Vec<u32>,
}

/// A phrase in one class: records that say it (each once), and the lean (positive minus
/// negative) of the clauses that carry it.
#[derive(Debug, Clone, Copy)]
struct PhraseCount {
    records: u32,
    lean: i64,
    last_doc: u32,
}

/// A phrase whose last word names nothing alone ("order hm", "service has really"): the
/// head of an English or Japanese phrase comes last, so "really happy" and 「品質が良い」
/// pass and these do not.
fn ends_generic(phrase: &super::phrases::Phrase, vocab: &Vocabulary) -> bool {
    let shown = phrase.display();
    phrase.terms.iter().any(|&t| {
        let term = &vocab.terms[t as usize];
        let last = match term.lang() {
            Lang::En => shown
                .rsplit(' ')
                .next()
                .is_some_and(|w| w == term.display()),
            _ => shown.ends_with(&*term.lemma),
        };
        last && is_generic(term.display())
    })
}

/// The fewest records of a topic that must say a phrase for it to name the topic: two
/// in a small topic, three from 30 records up (a phrase one customer wrote twice is
/// that customer's, not the topic's).
fn min_phrase_records(topic_records: usize) -> u32 {
    if topic_records < 30 { 2 } else { 3 }
}

pub(crate) fn name_topics(
    words: &Words,
    vectorizer: &Vectorizer,
    assignments: &[Assignment],
    lang_of_doc: &[Lang],
    n_topics: usize,
    top_terms: usize,
) -> Vec<Labelled> {
    let Words {
        store,
        phrases,
        vocab,
    } = *words;
    let n_cols = vectorizer.n_cols();
    let classes = n_topics + 1; // the last class holds the outliers
    let mut tf = vec![0.0f64; classes * n_cols];
    let mut langs = vec![[0usize; 2]; n_topics];
    let mut core = vec![0usize; n_topics];
    let mut named_by: Vec<Vec<usize>> = vec![Vec::new(); n_topics];
    let mut phrase_counts: Vec<HashMap<u32, PhraseCount>> = vec![HashMap::new(); classes];
    let mut phrase_total = vec![0.0f64; phrases.phrases.len()];
    for a in assignments.iter().filter(|a| a.topic != NONE) {
        core[a.topic as usize] += usize::from(a.core);
    }
    for (c, a) in assignments.iter().enumerate() {
        let class = if a.topic == NONE {
            n_topics
        } else {
            a.topic as usize
        };
        if let Some(l) = langs.get_mut(class) {
            let lang = lang_of_doc.get(store.doc[c] as usize).copied();
            l[usize::from(lang == Some(Lang::En))] += 1;
        }
        // A topic's terms come from its core clauses when it has enough of them; the
        // rest count as background, like the outliers.
        let class = match core.get(class) {
            Some(&n) if n >= MIN_CORE_CLAUSES && !a.core => n_topics,
            _ => class,
        };
        if class < n_topics {
            named_by[class].push(c);
        }
        let (terms, counts) = store.clause(c);
        for (&t, &n) in terms.iter().zip(counts) {
            if let Some(col) = vectorizer.col(t) {
                tf[class * n_cols + col as usize] += f64::from(n);
            }
        }
        let doc = store.doc[c];
        let polarity = polarity(store.sentiment[c].label);
        for &p in phrases.clause(c) {
            let count = phrase_counts[class].entry(p).or_insert(PhraseCount {
                records: 0,
                lean: 0,
                last_doc: NONE,
            });
            count.lean += polarity;
            if count.last_doc != doc {
                count.last_doc = doc;
                count.records += 1;
                phrase_total[p as usize] += 1.0;
            }
        }
    }
    let mut f = vec![0.0f64; n_cols];
    for class in tf.chunks_exact(n_cols.max(1)).take(classes) {
        f.iter_mut().zip(class).for_each(|(f, x)| *f += x);
    }
    let term_totals: Vec<f64> = (0..classes)
        .map(|c| tf[c * n_cols..(c + 1) * n_cols].iter().sum())
        .collect();
    let phrase_totals: Vec<f64> = phrase_counts
        .iter()
        .map(|counts| counts.values().map(|c| f64::from(c.records)).sum())
        .collect();
    let term_specificity = Specificity::new(&term_totals);
    let phrase_specificity = Specificity::new(&phrase_totals);
    let term_of = |col: usize| vectorizer.term_of[col];
    let generic = |t: u32| {
        // As shown: an English stem ("help" of "helpful") is not the word people wrote.
        let term = &vocab.terms[t as usize];
        is_generic(term.display())
    };
    (0..n_topics)
        .map(|topic| {
            let row = &tf[topic * n_cols..(topic + 1) * n_cols];
            let mut weights: Vec<(usize, f64)> = row
                .iter()
                .enumerate()
                .filter(|&(col, &x)| x > 0.0 && !generic(term_of(col)))
                .map(|(col, &x)| (col, term_specificity.weight(topic, x, f[col])))
                .filter(|w| w.1 > 0.0)
                .collect();
            let total: f64 = weights.iter().map(|w| w.1).sum();
            weights
                .iter_mut()
                .for_each(|w| w.1 /= total.max(f64::MIN_POSITIVE));
            weights.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            if weights
                .iter()
                .filter(|w| row[w.0] >= MIN_TERM_COUNT)
                .count()
                >= LABEL_TERMS
            {
                weights.retain(|w| row[w.0] >= MIN_TERM_COUNT);
            }
            let lang_of = |col: usize| vocab.terms[term_of(col) as usize].lang();
            rank_around_anchors(&mut weights, &named_by[topic], store, vectorizer, &lang_of);
            let top = weights
                .iter()
                .take(QUALITY_TERMS)
                .map(|w| term_of(w.0))
                .collect();
            let topic_lean: i64 = named_by[topic]
                .iter()
                .map(|&c| polarity(store.sentiment[c].label))
                .sum();
            let mut records: Vec<u32> = named_by[topic].iter().map(|&c| store.doc[c]).collect();
            records.dedup();
            let least = min_phrase_records(records.len());
            // A phrase counts for the topic's words it holds: "hidden fees" names a topic
            // of fees better than "abandoning my cart", said as often there.
            let term_weight: HashMap<u32, f64> =
                weights.iter().map(|&(col, w)| (term_of(col), w)).collect();
            let mut key_phrases: Vec<(u32, f64)> = phrase_counts[topic]
                .iter()
                .filter(|&(&p, count)| {
                    let phrase = &phrases.phrases[p as usize];
                    let [a, b] = phrase.terms;
                    count.records >= least
                        && count.lean.signum() * topic_lean.signum() >= 0
                        && vocab.terms[a as usize].lang() == vocab.terms[b as usize].lang()
                        && !ends_generic(phrase, vocab)
                })
                .map(|(&p, count)| {
                    let [a, b] = phrases.phrases[p as usize].terms;
                    let specific = phrase_specificity.weight(
                        topic,
                        f64::from(count.records),
                        phrase_total[p as usize],
                    );
                    let words =
                        term_weight.get(&a).unwrap_or(&0.0) + term_weight.get(&b).unwrap_or(&0.0);
                    (p, specific.max(0.0) * words)
                })
                .filter(|p| p.1 > 0.0)
                .collect();
            // Ties go by the phrase as shown, not by its id (the order records came in).
            let shown = |p: u32| phrases.phrases[p as usize].display();
            key_phrases.sort_by(|a, b| b.1.total_cmp(&a.1).then(shown(a.0).cmp(shown(b.0))));
            let total: f64 = key_phrases.iter().map(|p| p.1).sum();
            key_phrases
                .iter_mut()
                .for_each(|p| p.1 /= total.max(f64::MIN_POSITIVE));
            key_phrases.truncate(top_terms);
            let terms: Vec<(u32, f64)> =
                weights.iter().map(|&(col, w)| (term_of(col), w)).collect();
            let fallback = |lang: Option<Lang>| {
                most_frequent(&named_by[topic], lang, store, vocab, topic_lean)
            };
            let topic_langs = langs[topic];
            describe(
                &terms,
                &key_phrases,
                topic_langs,
                top_terms,
                words,
                top,
                &fallback,
            )
        })
        .collect()
}

/// How much an item names its class: its count times the log-odds ratio of the class
/// against all other classes, with an informative Dirichlet prior (Monroe, Colaresi &
/// Quinn 2008, eq. 16): the item's share of the class's Kullback–Leibler divergence from
/// the rest of the corpus. Each item's prior is its share of the whole corpus times
/// `alpha0`, here the mean size of a class, which shrinks the ratio of an item seen
/// rarely toward zero; an item said as much everywhere has a ratio of zero however
/// often the class says it.
struct Specificity {
    /// Items counted in each class.
    class_totals: Vec<f64>,
    /// Items counted in all classes.
    total: f64,
    /// The prior's total weight.
    alpha0: f64,
}

impl Specificity {
    fn new(class_totals: &[f64]) -> Self {
        let total: f64 = class_totals.iter().sum();
        Specificity {
            class_totals: class_totals.to_vec(),
            total,
            alpha0: total / class_totals.len().max(1) as f64,
        }
    }

    /// The weight of an item said `count` times in `class` and `all` times in all
    /// classes: count × log-odds ratio, or its count alone when the class is the whole
    /// corpus (nothing to be specific against).
    fn weight(&self, class: usize, count: f64, all: f64) -> f64 {
        let in_class = self.class_totals.get(class).copied().unwrap_or(0.0);
        let rest = self.total - in_class;
        if rest <= 0.0 {
            return count;
        }
        count
            * log_odds_ratio(
                [count, in_class],
                [all - count, rest],
                self.alpha0 * all / self.total,
                self.alpha0,
            )
    }
}

/// Monroe et al.'s log-odds ratio of an item said `class[0]` times among the `class[1]`
/// items of a class and `rest[0]` times among the `rest[1]` of the others, with prior
/// `alpha` for the item and `alpha0` in all: positive when the class says it more than
/// the others.
fn log_odds_ratio(class: [f64; 2], rest: [f64; 2], alpha: f64, alpha0: f64) -> f64 {
    let log_odds =
        |[y, n]: [f64; 2]| ((y + alpha) / (n + alpha0 - y - alpha).max(f64::MIN_POSITIVE)).ln();
    log_odds(class) - log_odds(rest)
}

/// A label for a topic none of whose words (of `lang`, with Some) is specific to it: its
/// most frequent words in its naming `clauses`, those that name something alone first
/// and none said mostly against the topic's lean (praise in a complaint).
fn most_frequent(
    clauses: &[usize],
    lang: Option<Lang>,
    store: &ClauseStore,
    vocab: &Vocabulary,
    topic_lean: i64,
) -> String {
    let mut counts: HashMap<u32, (u32, i64)> = HashMap::new();
    for &c in clauses {
        let polarity = polarity(store.sentiment[c].label);
        for (&t, &n) in store.clause(c).0.iter().zip(store.clause(c).1) {
            let count = counts.entry(t).or_default();
            count.0 += u32::from(n);
            count.1 += polarity;
        }
    }
    let mut ranked: Vec<(bool, u32, &str)> = counts
        .into_iter()
        .filter(|&(t, (_, lean))| {
            lean.signum() * topic_lean.signum() >= 0
                && lang.is_none_or(|l| vocab.terms[t as usize].lang() == l)
        })
        .map(|(t, (n, _))| {
            let shown = vocab.terms[t as usize].display();
            (is_generic(shown), n, shown)
        })
        .collect();
    ranked.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)).then(a.2.cmp(b.2)));
    // Generic words only when there is nothing else.
    if ranked.first().is_some_and(|r| !r.0) {
        ranked.retain(|r| !r.0);
    }
    ranked
        .iter()
        .take(LABEL_TERMS)
        .map(|r| r.2)
        .collect::<Vec<_>>()
        .join(" · ")
}

/// Candidates re-ranked around the anchors.
const ANCHOR_CANDIDATES: usize = 30;

/// Re-ranks a topic's best terms around its anchors (its top term in each language):
/// every other candidate's weight is scaled by the share of its naming clauses that
/// also hold its language's anchor. A topic's label then names one theme whose words go
/// together (「親切 · 担当 · スタッフ」) rather than the top words of two (「親切 · スタッフ
/// · 最悪」). A candidate said mostly in clauses of the other polarity than the topic's
/// (more positive than negative ones in a topic of more negative than positive) is
/// dropped, so a label never mixes praise and complaint. Label NPMI (top 3, benches/bertopic_compare.py's scorer): 0.551 → 0.569
/// on a seed-11 generated corpus, 0.340 → 0.352 on the demo, 0.562 → 0.600 on 10k
/// seed-7 records.
fn rank_around_anchors(
    weights: &mut Vec<(usize, f64)>,
    clauses: &[usize],
    store: &ClauseStore,
    vectorizer: &Vectorizer,
    lang_of: &impl Fn(usize) -> Lang,
) {
    let n = weights.len().min(ANCHOR_CANDIDATES);
    let candidates = &mut weights[..n];
    let anchor_of = |lang: Lang| {
        candidates
            .iter()
            .find(|w| lang_of(w.0) == lang)
            .map(|w| w.0)
    };
    let anchors = [anchor_of(Lang::Ja), anchor_of(Lang::En)];
    let anchor = |col: usize| anchors[usize::from(lang_of(col) == Lang::En)];
    // Clauses holding each candidate, those holding its anchor too, and the lean
    // (positive minus negative clauses) of each candidate and of the whole topic.
    let mut holding = vec![0usize; n];
    let mut with_anchor = vec![0usize; n];
    let mut lean = vec![0i64; n];
    let mut topic_lean = 0i64;
    let mut present = Vec::new();
    for &c in clauses {
        let polarity = polarity(store.sentiment[c].label);
        topic_lean += polarity;
        present.clear();
        present.extend(store.clause(c).0.iter().filter_map(|&t| vectorizer.col(t)));
        for (i, w) in candidates.iter().enumerate() {
            if present.contains(&(w.0 as u32)) {
                holding[i] += 1;
                lean[i] += polarity;
                let a = anchor(w.0).map_or(w.0 as u32, |a| a as u32);
                with_anchor[i] += usize::from(present.contains(&a));
            }
        }
    }
    for (i, w) in candidates.iter_mut().enumerate() {
        if anchor(w.0) != Some(w.0) && holding[i] > 0 {
            w.1 *= with_anchor[i] as f64 / holding[i] as f64;
        }
        // A word said mostly in praise does not name a complaint, nor the reverse:
        // 「配送 · 遅延 · スムーズ」 mixes two opinions.
        if lean[i].signum() * topic_lean.signum() < 0 {
            w.1 = f64::NEG_INFINITY;
        }
    }
    candidates.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    weights.retain(|w| w.1 != f64::NEG_INFINITY);
}

/// +1 for a positive clause, -1 for a negative one, 0 for a neutral one.
fn polarity(label: Label) -> i64 {
    match label {
        Label::Positive => 1,
        Label::Negative => -1,
        Label::Neutral => 0,
    }
}

/// The topic's terms and phrases (best first, weights summing to at most 1) as listed
/// terms, listed phrases and a label.
fn describe(
    terms: &[(u32, f64)],
    key_phrases: &[(u32, f64)],
    langs: [usize; 2],
    top_terms: usize,
    words: &Words,
    top: Vec<u32>,
    fallback: &dyn Fn(Option<Lang>) -> String,
) -> Labelled {
    let vocab = words.vocab;
    let (dominant, minority) = if langs[1] > langs[0] {
        (Lang::En, Lang::Ja)
    } else {
        (Lang::Ja, Lang::En)
    };
    let total = (langs[0] + langs[1]).max(1) as f64;
    let mixed = langs[usize::from(minority == Lang::En)] as f64 / total >= MIXED_SHARE;
    let term_lang = |t: u32| vocab.terms[t as usize].lang();
    let phrase_lang = |p: u32| term_lang(words.phrases.phrases[p as usize].terms[0]);
    let listed_term = |&(t, weight): &(u32, f64)| TermWeight {
        term: vocab.terms[t as usize].display().to_string(),
        lang: term_lang(t),
        weight,
    };
    let listed_phrase = |&(p, weight): &(u32, f64)| TermWeight {
        term: words.phrases.phrases[p as usize].display().to_string(),
        lang: phrase_lang(p),
        weight,
    };
    // The label in one language (any, with None).
    let section = |lang: Option<Lang>| -> String {
        let mut used: Vec<u32> = Vec::new();
        let mut items: Vec<String> = Vec::new();
        for &(p, _) in key_phrases
            .iter()
            .filter(|&&(p, _)| lang.is_none_or(|l| phrase_lang(p) == l))
        {
            if items.len() == LABEL_PHRASES {
                break;
            }
            let pair = words.phrases.phrases[p as usize].terms;
            // A second phrase adds a word to the first and shares one with it: one
            // matter (「配送が遅い · 配送の遅延」), not two (「親切な店員 · ひどい対応」).
            let shared = pair.iter().filter(|t| used.contains(t)).count();
            if !items.is_empty() && shared != 1 {
                continue;
            }
            used.extend(pair);
            items.push(words.phrases.phrases[p as usize].display().to_string());
        }
        let wanted = if items.is_empty() { LABEL_TERMS } else { 2 };
        // Words the re-ranking left at no weight are never said with the others.
        for &(t, _) in terms
            .iter()
            .filter(|&&(t, w)| w > 0.0 && lang.is_none_or(|l| term_lang(t) == l))
        {
            if items.len() >= wanted {
                break;
            }
            if !used.contains(&t) {
                used.push(t);
                items.push(vocab.terms[t as usize].display().to_string());
            }
        }
        if items.is_empty() {
            return fallback(lang);
        }
        items.join(" · ")
    };
    let of_lang = |lang: Lang| -> Vec<TermWeight> {
        terms
            .iter()
            .filter(|&&(t, _)| term_lang(t) == lang)
            .take(top_terms)
            .map(listed_term)
            .collect()
    };
    let (terms, label) = if mixed {
        let mut listed = [of_lang(dominant), of_lang(minority)].concat();
        listed.sort_by(|x, y| y.weight.total_cmp(&x.weight));
        let label = [section(Some(dominant)), section(Some(minority))]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" / ");
        (listed, label)
    } else {
        let listed = terms.iter().take(top_terms).map(listed_term).collect();
        (listed, section(None))
    };
    Labelled {
        label: if label.is_empty() {
            "(no terms)".to_string()
        } else {
            label
        },
        terms,
        phrases: key_phrases.iter().map(listed_phrase).collect(),
        top,
    }
}

/// The `n` records most similar to each topic's centroid, duplicate texts once, with
/// their ids and snippets from `snippets` (one read of them for all topics).
pub(crate) fn representatives(
    mentions: &Mentions,
    n_topics: usize,
    n: usize,
    snippets: &Snippets,
) -> Result<Vec<Vec<Example>>, snippets::Error> {
    // Keep a few more candidates than needed, to survive duplicate texts.
    let keep = n * 4;
    let mut best: Vec<Vec<(f32, usize, f32)>> = vec![Vec::new(); n_topics];
    for d in 0..mentions.docs() {
        for m in mentions.of(d) {
            let list = &mut best[m.topic as usize];
            let at = list
                .partition_point(|&(s, doc, _)| s > m.similarity || (s == m.similarity && doc < d));
            if at < keep {
                list.insert(at, (m.similarity, d, m.sentiment));
                list.truncate(keep);
            }
        }
    }
    let docs: Vec<usize> = best.iter().flatten().map(|&(_, d, _)| d).collect();
    let strings = snippets.fetch(&docs)?;
    Ok(best
        .into_iter()
        .map(|list| {
            let mut out: Vec<Example> = Vec::with_capacity(n);
            for (_, d, sentiment) in list {
                let Some((id, text)) = strings.get(&d) else {
                    continue;
                };
                if out.len() < n && !out.iter().any(|e| e.text == *text) {
                    out.push(Example {
                        id: id.clone(),
                        text: text.clone(),
                        sentiment: f64::from(sentiment),
                    });
                }
            }
            out
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sentiment::Score;
    use crate::text::test_analyzer;
    use crate::topics::vectorize::Pruning;

    /// A clause at the heart of topic 0.
    const CORE: Assignment = Assignment {
        topic: 0,
        similarity: 0.9,
        core: true,
    };

    /// Records of one clause each, stored as the collector stores them.
    struct Fixture {
        vocab: Vocabulary,
        store: ClauseStore,
        phrases: PhraseStore,
    }

    impl Fixture {
        fn new() -> Self {
            Fixture {
                vocab: Vocabulary::default(),
                store: ClauseStore::new(),
                phrases: PhraseStore::default(),
            }
        }

        /// Adds `times` records of `text` with sentiment `value`.
        fn add(&mut self, text: &str, lang: Lang, value: f32, times: usize) {
            let doc = test_analyzer().analyse(text, Some(lang)).unwrap();
            for _ in 0..times {
                let score = Score::from_value(value);
                if self
                    .store
                    .push_clause(&mut self.vocab, &doc.tokens, lang, score)
                {
                    self.phrases
                        .push_clause(&self.vocab, &doc.tokens, &doc.normalized, lang);
                }
                self.store.end_doc();
            }
        }

        /// Labels of one topic (0), terms in two clauses or more.
        fn label(&self, assignments: &[Assignment], langs: &[Lang]) -> Labelled {
            let pruning = Pruning {
                min_df: 2,
                max_df: 1.0,
                max_terms: 100,
            };
            let vectorizer = Vectorizer::fit(&self.store, &self.vocab, pruning);
            let words = Words {
                store: &self.store,
                phrases: &self.phrases,
                vocab: &self.vocab,
            };
            let mut labelled = name_topics(&words, &vectorizer, assignments, langs, 1, 10);
            labelled.remove(0)
        }

        /// Every record in topic 0, at its heart.
        fn label_all_core(&self, lang: Lang) -> Labelled {
            self.label(&vec![CORE; self.store.len()], &vec![lang; self.store.len()])
        }
    }

    /// A clause of `topic` (0, at its heart) or an outlier (`NONE`).
    fn in_topic(topic: u32) -> Assignment {
        Assignment {
            topic,
            similarity: 0.9,
            core: topic == 0,
        }
    }

    fn listed(terms: &[TermWeight]) -> Vec<&str> {
        terms.iter().map(|t| &*t.term).collect()
    }

    /// Six clauses close to their centroid about late deliveries, six that only share
    /// "delivery" and talk about the weather, and six outliers.
    #[test]
    fn a_topic_is_named_by_its_core_clauses() {
        let mut fixture = Fixture::new();
        let mut assignments = Vec::new();
        let clauses = [
            ("late delivery again, parcel late", 0, 0.8, true),
            ("weather rainy delivery, weather cold", 0, 0.35, false),
            ("password reset email never came", NONE, 0.0, false),
        ];
        for _ in 0..6 {
            for (text, topic, similarity, core) in clauses {
                fixture.add(text, Lang::En, 0.0, 1);
                assignments.push(Assignment {
                    topic,
                    similarity,
                    core,
                });
            }
        }
        let langs = vec![Lang::En; fixture.store.len()];
        let labelled = fixture.label(&assignments, &langs);
        let terms = listed(&labelled.terms);
        assert!(
            terms.contains(&"late") && terms.contains(&"parcel"),
            "{terms:?}"
        );
        assert!(!terms.contains(&"weather"), "{terms:?}");
        assert!(
            labelled.label.contains("late delivery") && !labelled.label.contains("weather"),
            "{}",
            labelled.label
        );
    }

    /// News about budgets and news about matches both quote "reporters" in every
    /// clause: said as much everywhere, it is specific to neither and never names the
    /// budget topic, however often the topic says it (by c-TF-IDF it was listed).
    #[test]
    fn a_word_said_everywhere_names_no_topic() {
        let mut fixture = Fixture::new();
        let mut assignments = Vec::new();
        for (text, topic) in [
            ("reporters heard the budget tax plans", 0),
            ("reporters watched the match goal replays", NONE),
        ] {
            fixture.add(text, Lang::En, 0.0, 6);
            assignments.extend(std::iter::repeat_n(in_topic(topic), 6));
        }
        let labelled = fixture.label(&assignments, &vec![Lang::En; fixture.store.len()]);
        let terms = listed(&labelled.terms);
        assert!(terms.contains(&"budget"), "{terms:?}");
        assert!(!terms.contains(&"reporters"), "{terms:?}");
        assert!(!labelled.label.contains("reporters"), "{}", labelled.label);
        assert!(labelled.label.contains("budget"), "{}", labelled.label);
    }

    /// A topic that says exactly what the rest of the corpus says has no word specific
    /// to it; it is named by its most frequent words, never "(no terms)".
    #[test]
    fn a_topic_with_no_specific_word_is_named_by_its_frequent_words() {
        let mut fixture = Fixture::new();
        let mut assignments = Vec::new();
        for topic in [0, NONE] {
            fixture.add("配送が遅くて困った", Lang::Ja, -0.6, 4);
            assignments.extend(std::iter::repeat_n(in_topic(topic), 4));
        }
        let labelled = fixture.label(&assignments, &vec![Lang::Ja; fixture.store.len()]);
        assert!(labelled.terms.is_empty(), "{:?}", listed(&labelled.terms));
        assert!(labelled.label.contains("配送"), "{}", labelled.label);
        assert!(!labelled.label.contains("(no terms)"));
    }

    /// A Japanese delivery topic with a third of English clauses that the rest of the
    /// corpus says more often: no English word is specific to it, and its English half
    /// is still named, by its most frequent English words.
    #[test]
    fn each_language_of_a_mixed_topic_is_named() {
        let mut fixture = Fixture::new();
        let mut assignments = Vec::new();
        let mut langs = Vec::new();
        for (text, lang, topic, times) in [
            ("配送が遅くて困った", Lang::Ja, 0, 6),
            ("parcel arrived late", Lang::En, 0, 3),
            ("parcel arrived late", Lang::En, NONE, 3),
            ("天気が寒い", Lang::Ja, NONE, 2),
        ] {
            fixture.add(text, lang, -0.5, times);
            langs.extend(std::iter::repeat_n(lang, times));
            assignments.extend(std::iter::repeat_n(in_topic(topic), times));
        }
        let labelled = fixture.label(&assignments, &langs);
        let (ja, en) = labelled.label.split_once(" / ").expect("two languages");
        assert!(ja.contains("配送"), "{}", labelled.label);
        assert!(en.contains("parcel"), "{}", labelled.label);
    }

    /// A topic whose clauses are mostly kind clerks, with some rude ones: by c-TF-IDF
    /// alone its label would be 「kind · clerk · awful」, words never said together.
    #[test]
    fn a_label_holds_words_that_occur_together() {
        let mut fixture = Fixture::new();
        for (text, times) in [("kind clerk", 6), ("kind helpful", 3), ("awful rude", 5)] {
            fixture.add(text, Lang::En, 0.0, times);
        }
        let labelled = fixture.label_all_core(Lang::En);
        // "kind" alone is generic (Stopwords ISO), so the clerks anchor the label; the
        // rude ones, never said with them, are not in it.
        assert_eq!(labelled.label, "kind clerk");
        let terms = listed(&labelled.terms);
        assert!(!terms.contains(&"kind"), "{terms:?}");
        let mut sorted = terms.clone();
        sorted.sort_unstable();
        assert_eq!(
            sorted,
            vec!["awful", "clerk", "helpful", "rude"],
            "the other words stay listed"
        );
        assert_eq!(listed(&labelled.phrases), vec!["kind clerk"]);
    }

    /// A delivery topic where most clauses complain of delays and a few praise a smooth
    /// one: 「スムーズ」 is said in praise and stays out of the complaint's label.
    #[test]
    fn a_label_never_mixes_praise_and_complaint() {
        let mut fixture = Fixture::new();
        fixture.add("配送が遅延して遅い", Lang::Ja, -0.6, 6);
        fixture.add("配送の遅延がひどい", Lang::Ja, -0.7, 3);
        fixture.add("配送がスムーズで早い", Lang::Ja, 0.7, 4);
        let labelled = fixture.label_all_core(Lang::Ja);
        let terms = listed(&labelled.terms);
        assert!(labelled.label.contains("遅延"), "{}", labelled.label);
        assert!(!labelled.label.contains("スムーズ"), "{}", labelled.label);
        assert!(
            !terms.contains(&"スムーズ") && !terms.contains(&"早い"),
            "{terms:?}"
        );
        assert!(
            terms.contains(&"配送"),
            "said in both, it names the topic: {terms:?}"
        );
        let phrases = listed(&labelled.phrases);
        assert!(
            phrases.iter().all(|p| !p.contains("スムーズ")),
            "{phrases:?}"
        );
    }

    /// Complaints about late deliveries written many ways: the label is the phrase people
    /// wrote, in its base form (「配送が遅い」), not a list of words.
    #[test]
    fn a_japanese_complaint_is_named_by_its_phrase() {
        let mut fixture = Fixture::new();
        fixture.add("配送が遅かったです", Lang::Ja, -0.6, 3);
        fixture.add("今回も配送が遅い", Lang::Ja, -0.6, 2);
        fixture.add("えーと、配送が遅くて困りました", Lang::Ja, -0.7, 2);
        fixture.add("注文した商品の配送が遅すぎる", Lang::Ja, -0.7, 1);
        let labelled = fixture.label_all_core(Lang::Ja);
        assert!(
            labelled.label.starts_with("配送が遅い"),
            "{}",
            labelled.label
        );
        assert!(!labelled.label.contains("えーと"), "{}", labelled.label);
    }

    /// English complaints that open with greetings and thanks: the label names the
    /// complaint ("late delivery"), never "hi · hello · thanks".
    #[test]
    fn greetings_and_fillers_never_name_an_english_topic() {
        let mut fixture = Fixture::new();
        fixture.add("Hi, late delivery again", Lang::En, -0.5, 3);
        fixture.add("Hello team, another late delivery", Lang::En, -0.5, 3);
        fixture.add("hm, late delivery, thanks", Lang::En, -0.4, 2);
        fixture.add(
            "Hi there, my parcel came late, ok thanks",
            Lang::En,
            -0.4,
            2,
        );
        let labelled = fixture.label_all_core(Lang::En);
        assert!(
            labelled.label.starts_with("late delivery"),
            "{}",
            labelled.label
        );
        for filler in ["hi", "hello", "hm", "thanks", "ok"] {
            assert!(
                !labelled.label.split([' ', '·']).any(|w| w == filler),
                "{filler} in {}",
                labelled.label
            );
            assert!(
                !listed(&labelled.terms).contains(&filler),
                "{filler} listed"
            );
        }
    }
}
