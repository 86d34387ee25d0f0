//! The topics of shards analysed apart with one model, combined into the topics of the
//! whole corpus (`koe index merge`).
//!
//! Every shard applied the same model without candidates, so a theme or sub-topic id
//! means the same thing in each. A topic's figures come from its tally ([`Topic::tally`]:
//! records, clauses, sentiment sums, NPS promoters, passives and detractors, ratings,
//! per channel, stage, language and period), which adds across shards; the figures —
//! share, mean sentiment and rating, share negative, NPS, impact, trend, slope,
//! emerging — are computed from the summed tallies by the code `koe analyze` computes
//! them with, so they are those of one run over the whole corpus (sentiment means up to
//! the order of floating-point sums). The label and terms are those of the shard where
//! the topic is largest (labels come from a shard's own words); examples are the most
//! pronounced of every shard's; coherence, which is not a sum over records, is the
//! shards' mean weighted by the topic's records in each.

use std::collections::BTreeMap;

use super::painpoints::{Corpus, TopicTally};
use super::{Quality, Topic, Topics};

/// Combines the topics of shards of one corpus (see the module doc); the shards' topics
/// must carry their tallies ([`Topics::with_tallies`]).
pub fn combine(shards: Vec<Topics>) -> Topics {
    let Some(first) = shards.first() else {
        return Topics::default();
    };
    let period = first.overall.period;
    let theme_choice = first.theme_choice.clone();
    let mut all = TopicTally::default();
    for shard in &shards {
        all.merge(&shard.overall.tally);
    }
    let corpus = Corpus::new(all, period);
    let pick = |level: fn(&Topics) -> &Vec<Topic>| {
        let mut by_id: BTreeMap<u32, Vec<&Topic>> = BTreeMap::new();
        for shard in &shards {
            for topic in level(shard) {
                by_id.entry(topic.id).or_default().push(topic);
            }
        }
        let mut topics: Vec<Topic> = by_id
            .into_values()
            .map(|parts| combine_topic(&parts, &corpus))
            .collect();
        topics.sort_by(|a, b| b.impact.total_cmp(&a.impact).then(a.id.cmp(&b.id)));
        topics
    };
    let themes = pick(|t| &t.themes);
    let topics = pick(|t| &t.topics);
    let mut overall = corpus.overall(shards.iter().map(|s| s.overall.outliers).sum());
    overall.theme_outliers = shards.iter().map(|s| s.overall.theme_outliers).sum();
    Topics {
        quality: weighted_quality(shards.iter().map(|s| (&s.quality, s.overall.docs))),
        theme_quality: weighted_quality(shards.iter().map(|s| (&s.theme_quality, s.overall.docs))),
        theme_choice,
        themes,
        topics,
        overall,
        ..Topics::default()
    }
}

/// The mean of `value` over parts weighted by `weight`; None when no part has a value.
fn weighted<T>(
    parts: &[T],
    weight: impl Fn(&T) -> usize,
    value: impl Fn(&T) -> f64,
) -> Option<f64> {
    let (mut sum, mut total) = (0.0, 0.0);
    for part in parts {
        sum += value(part) * weight(part) as f64;
        total += weight(part) as f64;
    }
    (total > 0.0).then(|| sum / total)
}

fn combine_topic(parts: &[&Topic], corpus: &Corpus) -> Topic {
    let largest = parts
        .iter()
        .max_by_key(|t| t.size)
        .expect("a topic comes from at least one shard");
    let mut tally = TopicTally::default();
    for part in parts {
        tally.merge(&part.tally);
    }
    let mut examples: Vec<_> = parts.iter().flat_map(|t| t.examples.clone()).collect();
    examples.sort_by(|a, b| b.sentiment.abs().total_cmp(&a.sentiment.abs()));
    examples.truncate(largest.examples.len().max(1));
    Topic {
        theme: largest.theme,
        label: largest.label.clone(),
        terms: largest.terms.clone(),
        phrases: largest.phrases.clone(),
        coherence: weighted(parts, |t| t.size, |t| t.coherence).unwrap_or(0.0),
        examples,
        ..corpus.topic(largest.id, tally)
    }
}

fn weighted_quality<'a>(parts: impl Iterator<Item = (&'a Quality, usize)>) -> Quality {
    let parts: Vec<_> = parts.collect();
    Quality {
        coherence_npmi: weighted(&parts, |p| p.1, |p| p.0.coherence_npmi).unwrap_or(0.0),
        diversity: weighted(&parts, |p| p.1, |p| p.0.diversity).unwrap_or(0.0),
    }
}
