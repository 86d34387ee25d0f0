//! Quality: are the topics coherent, and are they different from each other?
//!
//! * **Coherence** is NPMI (Bouma 2009; Röder et al. 2015's C_NPMI without a
//!   sliding window) over each topic's top 10 terms, counting co-occurrence in records
//!   of the corpus itself: NPMI(a, b) = ln(p(a,b) / (p(a) p(b))) / −ln p(a,b), −1 when
//!   a and b never meet, 1 when they always do. A topic's coherence is the mean over its
//!   term pairs; the corpus's is the mean over topics. Above 0 is better than chance;
//!   0.1–0.3 is typical of good short-text topics.
//! * **Diversity** (Dieng et al. 2020) is the share of unique terms among all topics'
//!   top 10 terms: 1 when no two topics share a top term.

use std::collections::HashMap;

use super::vectorize::ClauseStore;

/// Mean NPMI over topics, and each topic's. One pass over the records.
pub(crate) fn coherence_npmi(store: &ClauseStore, tops: &[Vec<u32>]) -> (f64, Vec<f64>) {
    // Where each top term sits: (topic, position); positions < 64 fit a bit mask.
    let mut slots: HashMap<u32, Vec<(usize, usize)>> = HashMap::new();
    for (topic, terms) in tops.iter().enumerate() {
        for (i, &t) in terms.iter().enumerate().take(64) {
            slots.entry(t).or_default().push((topic, i));
        }
    }
    let mut single: Vec<Vec<u64>> = tops.iter().map(|t| vec![0; t.len().min(64)]).collect();
    let mut pair: Vec<Vec<u64>> = tops
        .iter()
        .map(|t| vec![0; t.len().min(64).pow(2)])
        .collect();
    let mut masks = vec![0u64; tops.len()];
    let mut touched: Vec<usize> = Vec::new();
    let docs = store.docs();
    for d in 0..docs {
        for c in store.doc_clauses(d) {
            for t in store.clause(c).0 {
                for &(topic, i) in slots.get(t).map_or(&[][..], Vec::as_slice) {
                    if masks[topic] == 0 {
                        touched.push(topic);
                    }
                    masks[topic] |= 1 << i;
                }
            }
        }
        for &topic in &touched {
            let mask = masks[topic];
            let k = single[topic].len();
            let present: Vec<usize> = (0..k).filter(|&i| mask & (1 << i) != 0).collect();
            for (x, &i) in present.iter().enumerate() {
                single[topic][i] += 1;
                for &j in &present[x + 1..] {
                    pair[topic][i * k + j] += 1;
                }
            }
            masks[topic] = 0;
        }
        touched.clear();
    }
    let n = docs.max(1) as f64;
    let per_topic: Vec<f64> = single
        .iter()
        .zip(&pair)
        .map(|(single, pair)| {
            let k = single.len();
            let mut sum = 0.0;
            let mut pairs = 0;
            for i in 0..k {
                for j in i + 1..k {
                    sum += npmi(
                        single[i] as f64 / n,
                        single[j] as f64 / n,
                        pair[i * k + j] as f64 / n,
                    );
                    pairs += 1;
                }
            }
            if pairs > 0 {
                sum / f64::from(pairs)
            } else {
                0.0
            }
        })
        .collect();
    let scored: Vec<f64> = per_topic
        .iter()
        .zip(tops)
        .filter(|(_, t)| t.len() >= 2)
        .map(|(s, _)| *s)
        .collect();
    let mean = if scored.is_empty() {
        0.0
    } else {
        scored.iter().sum::<f64>() / scored.len() as f64
    };
    (mean, per_topic)
}

fn npmi(pa: f64, pb: f64, pab: f64) -> f64 {
    if pab <= 0.0 || pa <= 0.0 || pb <= 0.0 {
        return -1.0;
    }
    if pab >= 1.0 {
        return 1.0;
    }
    ((pab / (pa * pb)).ln() / -pab.ln()).clamp(-1.0, 1.0)
}

/// Unique terms / all terms over the topics' top terms (0 with no topics).
pub(crate) fn diversity(tops: &[Vec<u32>]) -> f64 {
    let total: usize = tops.iter().map(Vec::len).sum();
    if total == 0 {
        return 0.0;
    }
    let mut all: Vec<u32> = tops.iter().flatten().copied().collect();
    all.sort_unstable();
    all.dedup();
    all.len() as f64 / total as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn npmi_limits() {
        assert_eq!(npmi(0.5, 0.5, 0.0), -1.0);
        assert!((npmi(0.5, 0.5, 0.5) - 1.0).abs() < 1e-12, "always together");
        assert!(npmi(0.5, 0.5, 0.25).abs() < 1e-12, "independent");
    }

    #[test]
    fn diversity_counts_shared_terms_once() {
        assert_eq!(diversity(&[vec![1, 2], vec![2, 3]]), 0.75);
        assert_eq!(diversity(&[]), 0.0);
    }
}
