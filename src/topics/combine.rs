//! The topics of shards analysed apart with one model, combined into the topics of the
//! whole corpus (`koe index merge`).
//!
//! Every shard applied the same model without candidates, so a theme or sub-topic id
//! means the same thing in each. Counts are summed (records, clauses, per channel, stage
//! and language, per period); shares are recomputed from the summed counts; the label
//! and terms are those of the shard where the topic is largest (labels come from a
//! shard's own words); examples are the most pronounced of every shard's. The figures a
//! shard derives from its records (mean sentiment and rating, share negative, NPS,
//! impact, coherence, trend slope) are the shards' means weighted by the topic's records
//! in each: exact for means over records, close for NPS and impact, whose respondents
//! are not spread over the shards as the records are. `emerging` is recomputed from the
//! combined trend where it can be, and is otherwise whether any shard saw it emerge.

use std::collections::BTreeMap;

use super::{Overall, PeriodStat, Quality, Topic, Topics};

/// Combines the topics of shards of one corpus (see the module doc).
pub fn combine(shards: Vec<Topics>) -> Topics {
    let mut combined = Topics {
        overall: combine_overall(shards.iter().map(|s| &s.overall)),
        quality: weighted_quality(shards.iter().map(|s| (&s.quality, s.overall.docs))),
        theme_quality: weighted_quality(shards.iter().map(|s| (&s.theme_quality, s.overall.docs))),
        theme_choice: shards
            .first()
            .map(|s| s.theme_choice.clone())
            .unwrap_or_default(),
        ..Topics::default()
    };
    let docs = combined.overall.docs;
    let totals: Vec<BTreeMap<String, f64>> = shards.iter().map(period_totals).collect();
    let all_totals = sum_maps(totals.iter());
    let pick = |level: fn(&Topics) -> &Vec<Topic>| {
        let mut by_id: BTreeMap<u32, Vec<&Topic>> = BTreeMap::new();
        for shard in &shards {
            for topic in level(shard) {
                by_id.entry(topic.id).or_default().push(topic);
            }
        }
        let mut topics: Vec<Topic> = by_id
            .into_values()
            .map(|parts| combine_topic(&parts, docs, &all_totals))
            .collect();
        topics.sort_by(|a, b| b.impact.total_cmp(&a.impact).then(a.id.cmp(&b.id)));
        topics
    };
    combined.themes = pick(|t| &t.themes);
    combined.topics = pick(|t| &t.topics);
    combined
}

/// Records per period in a shard, from any topic's count and share of that period.
fn period_totals(topics: &Topics) -> BTreeMap<String, f64> {
    let mut totals = BTreeMap::new();
    for stat in topics
        .themes
        .iter()
        .chain(&topics.topics)
        .flat_map(|t| &t.trend)
    {
        if stat.count > 0 && stat.share > 0.0 {
            totals
                .entry(stat.period.clone())
                .or_insert((stat.count as f64 * 100.0 / stat.share).round());
        }
    }
    totals
}

fn sum_maps<'a, V: Copy + std::ops::AddAssign + Default + 'a>(
    maps: impl Iterator<Item = &'a BTreeMap<String, V>>,
) -> BTreeMap<String, V> {
    let mut sum = BTreeMap::new();
    for map in maps {
        for (key, &value) in map {
            *sum.entry(key.clone()).or_default() += value;
        }
    }
    sum
}

/// The mean of `value` over parts weighted by `weight`; None when no part has a value.
fn weighted<T>(
    parts: &[T],
    weight: impl Fn(&T) -> usize,
    value: impl Fn(&T) -> Option<f64>,
) -> Option<f64> {
    let (mut sum, mut total) = (0.0, 0.0);
    for part in parts {
        if let Some(v) = value(part) {
            sum += v * weight(part) as f64;
            total += weight(part) as f64;
        }
    }
    (total > 0.0).then(|| sum / total)
}

fn combine_topic(parts: &[&Topic], docs: usize, totals: &BTreeMap<String, f64>) -> Topic {
    let largest = parts
        .iter()
        .max_by_key(|t| t.size)
        .expect("a topic comes from at least one shard");
    let size: usize = parts.iter().map(|t| t.size).sum();
    let mean =
        |value: fn(&Topic) -> f64| weighted(parts, |t| t.size, |t| Some(value(t))).unwrap_or(0.0);
    let mean_of = |value: fn(&Topic) -> Option<f64>| weighted(parts, |t| t.size, |t| value(t));
    // Per period: records, and the sum and weight of the mean sentiments.
    let mut trend: BTreeMap<String, (usize, f64, usize)> = BTreeMap::new();
    for topic in parts {
        for stat in &topic.trend {
            let entry = trend.entry(stat.period.clone()).or_default();
            entry.0 += stat.count;
            if let Some(s) = stat.mean_sentiment {
                entry.1 += s * stat.count as f64;
                entry.2 += stat.count;
            }
        }
    }
    let trend: Vec<PeriodStat> = trend
        .into_iter()
        .map(|(period, (count, sentiment, weight))| PeriodStat {
            share: totals
                .get(&period)
                .filter(|&&t| t > 0.0)
                .map_or(0.0, |t| 100.0 * count as f64 / t),
            period,
            count,
            mean_sentiment: (weight > 0).then(|| sentiment / weight as f64),
        })
        .collect();
    let mut examples: Vec<_> = parts.iter().flat_map(|t| t.examples.clone()).collect();
    examples.sort_by(|a, b| b.sentiment.abs().total_cmp(&a.sentiment.abs()));
    examples.truncate(largest.examples.len().max(1));
    let count_maps =
        |field: fn(&Topic) -> &BTreeMap<String, usize>| sum_maps(parts.iter().map(|t| field(t)));
    Topic {
        id: largest.id,
        theme: largest.theme,
        candidate: false,
        label: largest.label.clone(),
        terms: largest.terms.clone(),
        phrases: largest.phrases.clone(),
        size,
        clauses: parts.iter().map(|t| t.clauses).sum(),
        share: if docs > 0 {
            100.0 * size as f64 / docs as f64
        } else {
            0.0
        },
        mean_sentiment: mean(|t| t.mean_sentiment),
        share_negative: mean(|t| t.share_negative),
        mean_rating: mean_of(|t| t.mean_rating),
        nps: mean_of(|t| t.nps),
        impact: mean(|t| t.impact),
        emerging: parts.iter().any(|t| t.emerging),
        slope: mean(|t| t.slope),
        trend,
        by_channel: count_maps(|t| &t.by_channel),
        by_stage: count_maps(|t| &t.by_stage),
        by_lang: count_maps(|t| &t.by_lang),
        coherence: mean(|t| t.coherence),
        examples,
    }
}

fn combine_overall<'a>(parts: impl Iterator<Item = &'a Overall>) -> Overall {
    let parts: Vec<&Overall> = parts.collect();
    let Some(first) = parts.first() else {
        return Overall::default();
    };
    let docs = |o: &&Overall| o.docs;
    Overall {
        docs: parts.iter().map(|o| o.docs).sum(),
        nps: weighted(&parts, docs, |o| o.nps),
        mean_rating: weighted(&parts, docs, |o| o.mean_rating),
        outliers: parts.iter().map(|o| o.outliers).sum(),
        theme_outliers: parts.iter().map(|o| o.theme_outliers).sum(),
        mean_sentiment: weighted(&parts, docs, |o| Some(o.mean_sentiment)).unwrap_or(0.0),
        share_negative: weighted(&parts, docs, |o| Some(o.share_negative)).unwrap_or(0.0),
        impact_basis: first.impact_basis,
        period: first.period,
    }
}

fn weighted_quality<'a>(parts: impl Iterator<Item = (&'a Quality, usize)>) -> Quality {
    let parts: Vec<_> = parts.collect();
    Quality {
        coherence_npmi: weighted(&parts, |p| p.1, |p| Some(p.0.coherence_npmi)).unwrap_or(0.0),
        diversity: weighted(&parts, |p| p.1, |p| Some(p.0.diversity)).unwrap_or(0.0),
    }
}
