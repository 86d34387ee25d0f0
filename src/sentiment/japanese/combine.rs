//! The embedded Japanese default: the lexicon's rules and asari's n-grams, read as two
//! independent pieces of evidence about the same text.
//!
//! The rules ([`super::JapanesePolarity`]) are precise where they find a polar word and
//! know negation, contrast and requests, but a sentence that says nothing in the
//! dictionary is neutral to them (返品の手続きをしています), and a complaint the
//! dictionary lacks (電源が入らなくなりました) leaves the polite praise around it to
//! decide. asari's classifier ([`super::tfidf`]) weighs every word and word pair it saw
//! in some 33,000 app-store reviews, but knows nothing of a sentence's structure and
//! calls most plain statements positive. Each is turned into log-odds of positive and
//! the two are added, as naive Bayes adds independent evidence:
//!
//! * the lexicon's value v (its P(positive) − P(negative)) gives 2·atanh(v), so on its
//!   own it comes back unchanged (v is capped at ±0.99);
//! * asari gives its n-grams' sum without its intercept: that intercept is the
//!   app-store prior (more 5-star than 1-star reviews), not something the text said;
//!   its polite auxiliaries (です, ます) are muted ([`super::tfidf::POLITENESS`]);
//! * where the rules found nothing, asari's evidence counts only beyond one nat
//!   ([`DEAD_ZONE`]), so that "部屋は3階でした" stays neutral and only a text asari is
//!   sure of (odds beyond e : 1 without its prior) becomes polar;
//! * where the rules' verdict rests on the sentence's structure (a negated polar word,
//!   a request, a regret, a word read in its context: [`SentencePolarity::turned`]),
//!   asari counts only when it agrees: its bag of n-grams holds the words without the
//!   turn, so 悪くないです (not bad) reads negative to it, 使いやすいとは言えない and
//!   値段が高い (expensive; 値段 alone is +2 nats to asari) positive.
//!
//! A document is the sum of its sentences' log-odds: each sentence is evidence of its
//! own, so a complaint is not diluted by the polite sentences around it: one clearly
//! negative sentence (v = −0.9, −2.9 nats) outweighs two mildly positive ones (v =
//! 0.46, +1.0 nat each), which the evidence-weighted mean of values calls neutral
//! (0.01). A sentence that opens with a contrasting conjunction (しかし, ただ, でも)
//! halves the sum before it, as a clause after けど outweighs the one before it
//! within a sentence: 丁寧に梱包されていました。ただ、二日で壊れました。 is a
//! complaint. English keeps VADER's mean.
//!
//! A sum z of log-odds becomes a value in [-1, 1] as tanh(z / 2), P(positive) −
//! P(negative), so the neutral band reads as it does everywhere else.

use super::tfidf::Evidence;
use crate::sentiment::lexicon::SentencePolarity;

/// The weight of the sentences before one that opens with しかし, ただ, でも, ….
pub const BEFORE_CONTRAST: f32 = 0.5;
/// How much of asari's evidence, in nats, is ignored where the rules found nothing.
pub const DEAD_ZONE: f32 = 1.0;
/// The largest lexicon value read as log-odds (2·atanh(0.99) ≈ 5.3).
const MAX_LEXICON: f32 = 0.99;

/// A sentence's log-odds of positive from the rules' verdict and asari's n-grams.
pub fn log_odds(rules: SentencePolarity, ngrams: Option<Evidence>) -> f32 {
    let lexicon = 2.0 * rules.value.clamp(-MAX_LEXICON, MAX_LEXICON).atanh();
    let mut asari = ngrams.map_or(0.0, |e| e.logit);
    if rules.evidence == 0.0 {
        asari = asari.signum() * (asari.abs() - DEAD_ZONE).max(0.0);
    }
    if rules.turned && asari * lexicon < 0.0 {
        asari = 0.0;
    }
    lexicon + asari
}

/// Log-odds as a value in [-1, 1]: P(positive) − P(negative).
pub fn value(log_odds: f32) -> f32 {
    (log_odds / 2.0).tanh()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(value: f32, evidence: f32) -> SentencePolarity {
        SentencePolarity {
            value,
            evidence,
            turned: false,
        }
    }

    fn turned(value: f32) -> SentencePolarity {
        SentencePolarity {
            turned: true,
            ..rules(value, 1.0)
        }
    }

    fn ngrams(logit: f32) -> Option<Evidence> {
        Some(Evidence { logit, ngrams: 3 })
    }

    fn combine(rules: SentencePolarity, ngrams: Option<Evidence>) -> f32 {
        value(log_odds(rules, ngrams))
    }

    #[test]
    fn without_ngrams_the_lexicon_value_stands() {
        for v in [-0.9, -0.46, 0.0, 0.3, 0.72] {
            let combined = combine(rules(v, 1.0), None);
            assert!((combined - v).abs() < 1e-5, "{v} → {combined}");
        }
        assert_eq!(combine(SentencePolarity::NONE, None), 0.0);
    }

    #[test]
    fn agreeing_evidence_adds_up_and_disagreeing_evidence_cancels() {
        let plain = combine(rules(0.46, 1.0), None);
        assert!(combine(rules(0.46, 1.0), ngrams(1.0)) > plain);
        assert!(combine(rules(0.46, 1.0), ngrams(-3.0)) < 0.0);
        let even = combine(rules(0.46, 1.0), ngrams(-2.0 * 0.46f32.atanh()));
        assert!(even.abs() < 1e-5, "{even}");
    }

    #[test]
    fn where_the_rules_found_nothing_only_sure_ngrams_count() {
        assert_eq!(combine(SentencePolarity::NONE, ngrams(0.8)), 0.0);
        assert_eq!(combine(SentencePolarity::NONE, ngrams(-1.0)), 0.0);
        let sure = combine(SentencePolarity::NONE, ngrams(-3.0));
        assert!((sure - (-1.0f32).tanh()).abs() < 1e-5, "{sure}");
        // A neutral verdict of the rules with evidence (two words that cancel) is not
        // "nothing found": asari's evidence counts in full.
        assert!(combine(rules(0.0, 2.0), ngrams(0.8)) > 0.3);
    }

    #[test]
    fn where_the_structure_decided_only_agreeing_ngrams_count() {
        // 悪くないです: the rules read "not bad", asari's n-grams read 悪い.
        let not_bad = turned(0.36);
        assert_eq!(combine(not_bad, ngrams(-1.8)), combine(not_bad, None));
        assert!(combine(not_bad, ngrams(1.0)) > combine(not_bad, None));
        // The same disagreement about plain words is evidence against the rules.
        assert!(combine(rules(0.36, 1.0), ngrams(-1.8)) < 0.0);
    }

    #[test]
    fn sentences_add_up() {
        let polite = log_odds(rules(0.46, 1.0), None);
        let complaint = log_odds(rules(-0.9, 1.0), None);
        assert!(value(polite + complaint) < -0.5, "the complaint outweighs");
        assert!(value(polite + polite) > value(polite));
    }

    #[test]
    fn extreme_values_stay_in_range() {
        for (v, z) in [
            (1.0, 50.0),
            (-1.0, -50.0),
            (1.0, -50.0),
            (0.0, f32::MAX / 2.0),
        ] {
            let c = combine(rules(v, 1.0), ngrams(z));
            assert!((-1.0..=1.0).contains(&c), "{v} {z} → {c}");
        }
    }
}
