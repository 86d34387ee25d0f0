//! `koe index merge`: shards of one corpus, each analysed apart with one fitted topic
//! model (what the Spark job does per partition; one shard by the CLI, the other fed
//! through the library's `Pipeline::feed` as the Python package's `koe.Shard` does), merged into one analysis that agrees
//! with one `koe analyze` over the whole corpus — the same records, sentiment, themes,
//! topics and search hits — on the Japanese and English demo corpus.

mod common;

use std::path::{Path, PathBuf};

use serde_json::Value;

use common::{DEMO, current, koe, run_err, run_json, run_ok, write};
use koe::analysis::Part;

/// The flags every analysis here shares: a fixed sentiment model (`auto` would learn one
/// per shard), LSA themes (no encoder needed) and the ids rule of records fed one at a
/// time (`last` reads the inputs twice), which shards must share.
const ALIKE: [&str; 6] = [
    "--sentiment",
    "lexicon",
    "--theme-vectors",
    "tfidf",
    "--duplicate-ids",
    "first",
];

fn analyze(input: &Path, out: &Path, model: Option<&Path>) -> Value {
    let mut cmd = koe();
    cmd.arg("analyze").arg(input).args(ALIKE).arg("--json");
    cmd.args(["--emit", "parquet", "--out"]).arg(out);
    if let Some(model) = model {
        cmd.arg("--topics-from")
            .arg(model)
            .arg("--no-candidate-topics");
    }
    run_json(&mut cmd)
}

/// Every record matching `query` (all of them for `*`), by id, without what names the
/// input file (`origin`), which differs between the shards and the whole.
fn hits(dir: &Path, query: &str) -> Vec<Value> {
    let output = run_json(
        koe()
            .arg("search")
            .arg(dir)
            .arg(query)
            .args(["--json", "-n", "1000"]),
    );
    let mut hits: Vec<Value> = output["hits"].as_array().unwrap().clone();
    for hit in &mut hits {
        hit.as_object_mut().unwrap().remove("origin");
        // BM25 scores agree to float rounding; compare them to 4 decimals.
        let relevance = hit["relevance"].as_f64().unwrap();
        hit["relevance"] = Value::from((relevance * 1e4).round() / 1e4);
    }
    hits.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    hits
}

/// Analyses `input`'s records with `Pipeline::feed` (the library's entry for records a
/// caller holds) into `out`, applying `model` as `--topics-from MODEL
/// --no-candidate-topics` does.
fn feed(input: &Path, out: &Path, model: &Path) {
    use koe::pipeline::{DuplicateIds, Options, Pipeline, read_model};
    use koe::topics::TopicOptions;
    use std::sync::Arc;

    let pipeline = Pipeline::new(
        koe::text::TextAnalyzer::load(None).unwrap(),
        koe::sentiment::from_spec("lexicon").unwrap(),
    );
    let model = Arc::new(read_model(model).unwrap());
    let options = Options {
        topics: Some(TopicOptions::applying(model).unwrap()),
        duplicate_ids: DuplicateIds::First,
        emit_parquet: true,
        ..Options::default()
    };
    let run = koe::analysis::AnalysisDir::new(out)
        .begin_run(None)
        .unwrap();
    let mut quiet = |_| {};
    let name = input.display().to_string();
    let mut fed = pipeline.feed(&name, &run, &options, &mut quiet).unwrap();
    let items = koe::ingest::open(
        input,
        Arc::new(options.fields.clone()),
        options.limits,
        Default::default(),
    )
    .unwrap();
    for item in items {
        fed.push(item.unwrap()).unwrap();
    }
    fed.finish().unwrap();
    run.publish().unwrap();
}

/// The demo corpus split into `parts` files of consecutive lines.
fn split(dir: &Path, parts: usize) -> Vec<PathBuf> {
    let demo = std::fs::read_to_string(DEMO).unwrap();
    let lines: Vec<&str> = demo.lines().collect();
    lines
        .chunks(lines.len().div_ceil(parts))
        .enumerate()
        .map(|(i, chunk)| {
            PathBuf::from(write(
                dir,
                &format!("part-{i}.jsonl"),
                chunk.join("\n") + "\n",
            ))
        })
        .collect()
}

#[test]
fn merged_shards_agree_with_one_run_over_the_whole_corpus() {
    let dir = tempfile::tempdir().unwrap();
    let at = |name: &str| dir.path().join(name);
    // The model is fitted once, on a sample (here the first half), as the driver does.
    let parts = split(dir.path(), 2);
    analyze(&parts[0], &at("model"), None);
    let model = at("model");

    let whole = analyze(Path::new(DEMO), &at("whole"), Some(&model));
    let mut shards = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        let shard = at(&format!("shard-{i}"));
        match i {
            0 => {
                analyze(part, &shard, Some(&model));
            }
            // Fed record by record through the library, as the Python package's
            // koe.Shard does with a Spark partition's Arrow batches.
            _ => feed(part, &shard, &model),
        }
        shards.push(shard);
    }
    let merged = run_json(
        koe()
            .args(["index", "merge"])
            .args(&shards)
            .arg("--out")
            .arg(at("merged"))
            .arg("--json"),
    );

    for key in [
        "records_read",
        "indexed",
        "rejected",
        "by_lang",
        "by_sentiment",
    ] {
        assert_eq!(merged[key], whole[key], "{key}");
    }
    assert_eq!(merged["indexed"], 400);
    assert_eq!(merged["by_lang"]["ja"], whole["by_lang"]["ja"]);
    assert!(whole["by_lang"]["en"].as_u64().unwrap() > 100, "{whole}");

    // Every record: the same sentiment, score, theme and topics; and the same hits, in
    // Japanese and English, with the same BM25 scores (document frequencies are the
    // whole corpus's once merged).
    let all = hits(&at("whole"), "*");
    assert_eq!(all.len(), 400);
    assert!(
        all.iter()
            .filter(|h| !h["topics"].as_array().unwrap().is_empty())
            .count()
            > 100,
        "most records have topics"
    );
    assert_eq!(hits(&at("merged"), "*"), all);
    for query in ["配送 遅い", "スタッフ", "app crash", "refund"] {
        let expected = hits(&at("whole"), query);
        assert!(!expected.is_empty(), "{query}");
        assert_eq!(hits(&at("merged"), query), expected, "{query}");
    }

    // The merged topics: the model's, with the whole corpus's figures — counts, NPS,
    // impact, trend, slope — computed from the shards' tallies exactly as one run
    // computes them (sentiment means up to the order of floating-point sums). The halves
    // cover different months, so a trend that was not recomputed would differ.
    let (merged_topics, whole_topics) = assert_same_figures(&at("merged"), &at("whole"));
    for level in ["themes", "topics"] {
        let found = whole_topics[level].as_array().unwrap();
        assert!(found.len() >= 3, "{level}: {found:?}");
    }
    let answered: Vec<&Value> = whole_topics["topics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["nps"].is_f64() && t["trend"].as_array().unwrap().len() >= 4)
        .collect();
    assert!(
        answered.len() >= 3,
        "topics with an NPS and a trend of months"
    );
    assert_eq!(merged_topics["overall"]["impact_basis"], "nps");
    assert_eq!(merged_topics["overall"]["docs"], 400);

    // records.parquet holds every record once; the topic model is the shared one.
    let records = std::fs::read(current(&at("merged"), Part::Records)).unwrap();
    assert_eq!(&records[..4], b"PAR1");
    assert_eq!(
        std::fs::read(current(&at("merged"), Part::TopicModel)).unwrap(),
        std::fs::read(current(&model, Part::TopicModel)).unwrap()
    );
}

/// The topics of two analyses, as `koe topics --json` shows them, after checking that
/// they are the same themes and sub-topics with the same figures (sentiment means up
/// to the order of floating-point sums), overall too.
fn assert_same_figures(merged: &Path, whole: &Path) -> (Value, Value) {
    let topics = |dir: &Path| run_json(koe().arg("topics").arg(dir).arg("--json"));
    let (merged_topics, whole_topics) = (topics(merged), topics(whole));
    for level in ["themes", "topics"] {
        let by_id = |t: &Value| -> Vec<Value> {
            let mut topics = t[level].as_array().unwrap().clone();
            topics.sort_by_key(|t| t["id"].as_u64());
            topics
        };
        let (merged, whole) = (by_id(&merged_topics), by_id(&whole_topics));
        assert_eq!(merged.len(), whole.len(), "{level}");
        assert!(whole.len() >= 2, "{level}: {whole:?}");
        for (m, w) in merged.iter().zip(&whole) {
            let what = format!("{level} {}", w["id"]);
            assert_eq!(m["id"], w["id"], "{what}");
            for key in [
                "size",
                "clauses",
                "share",
                "share_negative",
                "mean_rating",
                "nps",
                "impact",
                "slope",
                "emerging",
                "by_channel",
                "by_stage",
                "by_lang",
            ] {
                assert_eq!(m[key], w[key], "{what}: {key}");
            }
            let close = |a: &Value, b: &Value, key: &str| match (a.as_f64(), b.as_f64()) {
                (Some(a), Some(b)) => assert!((a - b).abs() < 1e-9, "{what}: {key} {a} {b}"),
                _ => assert_eq!(a, b, "{what}: {key}"),
            };
            close(&m["mean_sentiment"], &w["mean_sentiment"], "mean_sentiment");
            let (mt, wt) = (
                m["trend"].as_array().unwrap(),
                w["trend"].as_array().unwrap(),
            );
            assert_eq!(mt.len(), wt.len(), "{what}: trend");
            for (mp, wp) in mt.iter().zip(wt) {
                for key in ["period", "count", "share"] {
                    assert_eq!(mp[key], wp[key], "{what}: trend {key}");
                }
                close(
                    &mp["mean_sentiment"],
                    &wp["mean_sentiment"],
                    "trend mean_sentiment",
                );
            }
        }
    }
    for key in [
        "docs",
        "nps",
        "mean_rating",
        "outliers",
        "theme_outliers",
        "share_negative",
        "impact_basis",
        "period",
    ] {
        assert_eq!(
            merged_topics["overall"][key], whole_topics["overall"][key],
            "{key}"
        );
    }
    (merged_topics, whole_topics)
}

/// A run with more records than `--fit-records` fits its model on a sample and applies
/// it a piece at a time: each record gets what the model gives it and the figures count
/// every record, as in a run applying that model to the whole corpus at once.
#[test]
fn a_run_larger_than_a_fit_agrees_with_its_model_applied_to_every_record() {
    let dir = tempfile::tempdir().unwrap();
    let at = |name: &str| dir.path().join(name);
    let pieces = run_json(
        koe()
            .arg("analyze")
            .arg(DEMO)
            .args(ALIKE)
            .args(["--fit-records", "150", "--json", "--out"])
            .arg(at("pieces")),
    );
    assert_eq!(pieces["topic_sample"], 150, "{pieces}");
    let whole = analyze(Path::new(DEMO), &at("whole"), Some(&at("pieces")));
    assert!(whole.get("topic_sample").is_none(), "{whole}");
    assert_eq!(hits(&at("pieces"), "*"), hits(&at("whole"), "*"));
    let (topics, _) = assert_same_figures(&at("pieces"), &at("whole"));
    assert_eq!(topics["overall"]["docs"], 400);
    for part in [
        Part::TopicFeatures,
        Part::FitThemeVectors,
        Part::TopicSnippets,
    ] {
        assert!(!current(&at("pieces"), part).exists(), "{part:?}");
    }
}

#[test]
fn shards_analysed_otherwise_are_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let at = |name: &str| dir.path().join(name);
    let parts = split(dir.path(), 2);
    analyze(&parts[0], &at("model"), None);
    analyze(&parts[0], &at("shard-0"), Some(&at("model")));
    // A shard that fitted its own topic model.
    analyze(&parts[1], &at("own-model"), None);
    let merge = |other: &str| {
        run_err(
            koe()
                .args(["index", "merge"])
                .arg(at("shard-0"))
                .arg(at(other))
                .arg("--out")
                .arg(at("merged")),
        )
    };
    let stderr = merge("own-model");
    assert!(stderr.contains("topic model differs"), "{stderr}");
    assert!(stderr.contains("own-model"), "{stderr}");
    assert!(!at("merged").exists(), "a refused merge writes nothing");

    // Without records.parquet, where the other shard has one.
    run_ok(
        koe()
            .arg("analyze")
            .arg(&parts[1])
            .args(ALIKE)
            .arg("--topics-from")
            .arg(at("model"))
            .arg("--no-candidate-topics")
            .arg("--out")
            .arg(at("no-parquet")),
    );
    let stderr = merge("no-parquet");
    assert!(stderr.contains("--emit parquet"), "{stderr}");

    // A shard holding a record of shard-0 again (the same id): the merged index would
    // count it twice.
    let first_of_part_0 = std::fs::read_to_string(&parts[0]).unwrap();
    let first_of_part_0 = first_of_part_0.lines().next().unwrap();
    let id = serde_json::from_str::<Value>(first_of_part_0).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let overlapping = write(
        dir.path(),
        "overlapping.jsonl",
        std::fs::read_to_string(&parts[1]).unwrap() + first_of_part_0 + "\n",
    );
    analyze(
        Path::new(&overlapping),
        &at("overlapping"),
        Some(&at("model")),
    );
    let stderr = merge("overlapping");
    assert!(stderr.contains(&format!("holds id {id:?}")), "{stderr}");
    assert!(stderr.contains("overlapping"), "{stderr}");
    assert!(!at("merged").exists(), "a refused merge writes nothing");

    // Not an analysis at all.
    std::fs::create_dir(at("empty")).unwrap();
    let stderr = merge("empty");
    assert!(stderr.contains("not a koe analysis folder"), "{stderr}");
}
