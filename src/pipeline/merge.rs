//! `koe index merge`: analysis folders of shards of one corpus (one per Spark partition,
//! each analysed by the Python package's `koe.Shard` ([`Pipeline::feed`](super::Pipeline::feed))
//! or `koe analyze --topics-from MODEL --no-candidate-topics`) → one new generation of an
//! analysis folder, which `koe search`, `topics`, `report` and `serve` open like any other.
//!
//! The shards must have been analysed alike — the same koe, sentiment model, topic
//! vectors and topic model (byte for byte), none with candidate topics or a taxonomy, all
//! with or all without `records.parquet` — and must split the records, no id in two of
//! them ([`crate::index::merge::shared_id`]), or the merge stops before writing
//! anything, naming the shard and what differs. Into the generation go: the index (the shards'
//! segments merged into one, [`crate::index::merge`]); the shared topic model; the
//! topics with their figures recomputed from the shards' summed tallies
//! ([`crate::topics::combine`]) and those tallies; the rejects and
//! `records.parquet` concatenated in shard order; and a summary whose counts are the
//! shards' sums and which names the shards (`merged_from`). The generation is published
//! whole, as a run's is ([`crate::analysis`]).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde_json::{Map, Value};

use super::Error;
use crate::analysis::{AnalysisDir, Generation, Part};
use crate::export;
use crate::topics::{Topics, combine};

/// Summary fields every shard must share (dotted: a field of a field).
const ALIKE: [&str; 5] = [
    "koe_version",
    "sentiment_model",
    "topic_vectors",
    "theme_vectors",
    "duplicate_ids",
];
/// Summary fields that are counts, summed.
const COUNTS: [&str; 5] = [
    "records_read",
    "indexed",
    "rejected",
    "theme_outliers",
    "topic_outliers",
];
/// Summary fields that are counts by key, summed key by key.
const COUNTS_BY: [&str; 3] = ["rejected_by_reason", "by_lang", "by_sentiment"];

/// What a merge did.
#[derive(Debug, Clone)]
pub struct Merged {
    /// The generation published.
    pub generation: Generation,
    /// Its `summary.json`.
    pub summary: Value,
}

/// Merges the current generations of the analysis folders `shards` into a new
/// generation of `out` (new, empty, or an analysis folder; see the module doc).
pub fn merge(shards: &[PathBuf], out: &Path) -> Result<Merged, Error> {
    let started = Instant::now();
    if shards.is_empty() {
        return Err(Error::Merge {
            shard: out.to_path_buf(),
            message: "no shards to merge".into(),
        });
    }
    let generations: Vec<Generation> = shards
        .iter()
        .map(|dir| AnalysisDir::new(dir).current())
        .collect::<Result<_, _>>()?;
    let summaries: Vec<Map<String, Value>> = generations
        .iter()
        .map(|g| match g.read_json::<Value>(Part::Summary)? {
            Some(Value::Object(summary)) => Ok(summary),
            _ => Err(mismatch(
                g,
                "has no summary.json: it is not a finished analysis",
            )),
        })
        .collect::<Result<_, Error>>()?;
    let model = check_alike(&generations, &summaries)?;
    let topics = read_topics(&generations)?;
    let emit_parquet = generations[0].path(Part::Records).is_file();

    let index_dirs: Vec<PathBuf> = generations.iter().map(|g| g.path(Part::Index)).collect();
    let index_dirs: Vec<&Path> = index_dirs.iter().map(PathBuf::as_path).collect();
    if let Some((id, first, second)) = crate::index::merge::shared_id(&index_dirs)? {
        return Err(mismatch(
            &generations[second],
            format!(
                "it holds id {id:?}, which {} holds too: shards must split the records, \
                 each id in one shard (deduplicate the dump by id before splitting it)",
                generations[first].root().display()
            ),
        ));
    }

    let run = AnalysisDir::new(out).begin_run(None)?;
    let indexed = crate::index::merge::merge(&index_dirs, &run.path(Part::Index))?;
    if let Some(model) = model {
        let path = run.path(Part::TopicModel);
        std::fs::write(&path, model).map_err(|source| Error::Output { path, source })?;
    }
    let n_topics = topics.map(|topics| {
        let topics = combine::combine(topics);
        let counts = (topics.themes.len(), topics.topics.len());
        run.write_json(Part::Topics, &topics)?;
        run.write_json(Part::TopicTallies, &topics.tallies())
            .map(|()| counts)
    });
    let n_topics = n_topics.transpose()?;
    concatenate(&generations, Part::Rejects, &run.path(Part::Rejects))?;
    if emit_parquet {
        let parts: Vec<PathBuf> = generations.iter().map(|g| g.path(Part::Records)).collect();
        export::concatenate(&parts, &run.path(Part::Records))?;
    }

    let mut summary = summaries[0].clone();
    for key in COUNTS {
        let sum = summaries
            .iter()
            .filter_map(|s| s[key].as_u64())
            .sum::<u64>();
        if summaries.iter().any(|s| s[key].is_u64()) {
            summary.insert(key.into(), sum.into());
        }
    }
    for key in COUNTS_BY {
        let mut sum = Map::new();
        for shard in &summaries {
            for (k, v) in shard[key].as_object().into_iter().flatten() {
                let total =
                    sum.get(k).and_then(Value::as_u64).unwrap_or(0) + v.as_u64().unwrap_or(0);
                sum.insert(k.clone(), total.into());
            }
        }
        summary.insert(key.into(), sum.into());
    }
    if let Some((themes, topics)) = n_topics {
        summary.insert("themes".into(), themes.into());
        summary.insert("topics".into(), topics.into());
    }
    let listed = |key: &str| -> Vec<Value> {
        summaries
            .iter()
            .flat_map(|s| s[key].as_array().cloned().unwrap_or_default())
            .collect()
    };
    summary.insert("inputs".into(), listed("inputs").into());
    summary.insert("corpus".into(), listed("corpus").into());
    summary.insert("generation".into(), run.number().into());
    summary.insert("indexed".into(), indexed.into());
    summary.insert(
        "merged_from".into(),
        shards
            .iter()
            .map(|s| Value::from(s.display().to_string()))
            .collect::<Vec<_>>()
            .into(),
    );
    let elapsed = started.elapsed().as_secs_f64();
    let shard_seconds: f64 = summaries
        .iter()
        .filter_map(|s| s["elapsed_s"].as_f64())
        .sum();
    summary.insert("elapsed_s".into(), elapsed.into());
    summary.insert("shard_elapsed_s".into(), shard_seconds.into());
    let records_read = summary["records_read"].as_f64().unwrap_or(0.0);
    summary.insert(
        "docs_per_s".into(),
        (records_read / shard_seconds.max(1e-9)).into(),
    );
    let summary = Value::Object(summary);
    run.write_json(Part::Summary, &summary)?;
    let generation = run.publish()?;
    Ok(Merged {
        generation,
        summary,
    })
}

fn mismatch(generation: &Generation, message: impl Into<String>) -> Error {
    Error::Merge {
        shard: generation.root().to_path_buf(),
        message: message.into(),
    }
}

/// Refuses shards not analysed alike; returns the topic model they share (its bytes).
fn check_alike(
    generations: &[Generation],
    summaries: &[Map<String, Value>],
) -> Result<Option<Vec<u8>>, Error> {
    let read_model = |g: &Generation| {
        let path = g.path(Part::TopicModel);
        match std::fs::read(&path) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(Error::Input { path, source }),
        }
    };
    let first = &generations[0];
    let model = read_model(first)?;
    let parquet = first.path(Part::Records).is_file();
    for (generation, summary) in generations.iter().zip(summaries) {
        for key in ALIKE {
            if summary.get(key) != summaries[0].get(key) {
                return Err(mismatch(
                    generation,
                    format!(
                        "its {key} is {}, {}'s is {}: shards must be analysed alike",
                        summary.get(key).unwrap_or(&Value::Null),
                        first.root().display(),
                        summaries[0].get(key).unwrap_or(&Value::Null)
                    ),
                ));
            }
        }
        if summary.get("taxonomy").is_some_and(|t| !t.is_null()) {
            return Err(mismatch(
                generation,
                "was analysed with --taxonomy: merging category figures is not supported; \
                 analyse the shards without it",
            ));
        }
        if read_model(generation)? != model {
            return Err(mismatch(
                generation,
                format!(
                    "its topic model differs from {}'s: fit the model once (koe analyze SAMPLE \
                     --out MODEL) and analyse every shard with --topics-from MODEL \
                     --no-candidate-topics",
                    first.root().display()
                ),
            ));
        }
        if generation.path(Part::Records).is_file() != parquet {
            return Err(mismatch(
                generation,
                format!(
                    "{} records.parquet and {} not: analyse every shard with --emit parquet or none",
                    if parquet {
                        first.root()
                    } else {
                        generation.root()
                    }
                    .display(),
                    if parquet {
                        generation.root()
                    } else {
                        first.root()
                    }
                    .display(),
                ),
            ));
        }
    }
    Ok(model)
}

/// Every shard's topics, or None when they ran without topics; a shard with candidate
/// topics (fitted on its own records, so its ids mean nothing elsewhere) is refused.
fn read_topics(generations: &[Generation]) -> Result<Option<Vec<Topics>>, Error> {
    let mut all = Vec::with_capacity(generations.len());
    for generation in generations {
        let Some(topics) = generation.topics()? else {
            return Ok(None);
        };
        let Some(tallies) = generation.read_json(Part::TopicTallies)? else {
            return Err(mismatch(
                generation,
                "has topics.json but no topic-tallies.json, from which the merged topics' \
                 figures are computed: analyse it again with this koe",
            ));
        };
        let topics = topics
            .with_tallies(tallies)
            .map_err(|message| mismatch(generation, format!("topic-tallies.json: {message}")))?;
        if topics.topics.iter().any(|t| t.candidate) {
            return Err(mismatch(
                generation,
                "has candidate topics: analyse shards with --topics-from MODEL \
                 --no-candidate-topics",
            ));
        }
        all.push(topics);
    }
    Ok(Some(all))
}

/// Concatenates a text part of every generation (those that have it) into `out`.
fn concatenate(generations: &[Generation], part: Part, out: &Path) -> Result<(), Error> {
    let output = |source| Error::Output {
        path: out.to_path_buf(),
        source,
    };
    let mut file = std::fs::File::create(out).map_err(output)?;
    for generation in generations {
        let path = generation.path(part);
        match std::fs::File::open(&path) {
            Ok(mut part) => {
                std::io::copy(&mut part, &mut file).map_err(output)?;
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => return Err(Error::Input { path, source }),
        }
    }
    file.flush().map_err(output)
}
