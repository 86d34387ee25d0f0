//! Sentiment scoring alone (`score_batch` on texts analysed beforehand), on one thread:
//! docs/s per core for the lexicon backend, and for a linear model if one is given.
//!
//! Texts: English tweets from $KOE_BENCH_TWEETS, by default TweetEval's validation split
//! beside the repository (`../shared/data/tweeteval-sentiment-val.tsv`), else the demo
//! corpus. A linear model is benched when $KOE_BENCH_LINEAR names its folder. The text
//! stage is timed too, so the two can be compared.

mod common;

use std::path::{Path, PathBuf};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use koe::eval::labelled::{self, Fields, LabelMap, LabelledFile};
use koe::{AnalysedText, Lang, SentimentModel, TextAnalyzer, sentiment};

/// Documents per `score_batch` call, as in the pipeline.
const CHUNK: usize = 64;

fn texts() -> (String, Vec<String>) {
    let tweets = std::env::var_os("KOE_BENCH_TWEETS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/tweeteval-sentiment-val.tsv")
        });
    let file = LabelledFile::new(&tweets, Fields::default());
    match file.and_then(|file| labelled::read(&file, &LabelMap::default())) {
        Ok(data) => (
            "tweets".into(),
            data.docs.into_iter().map(|d| d.text).collect(),
        ),
        Err(_) => (
            "demo corpus".into(),
            common::records().into_iter().map(|r| r.text).collect(),
        ),
    }
}

fn score_all(model: &dyn SentimentModel, docs: &[AnalysedText]) -> usize {
    docs.chunks(CHUNK)
        .map(|chunk| {
            let refs: Vec<&AnalysedText> = chunk.iter().collect();
            model.score_batch(&refs).unwrap().len()
        })
        .sum()
}

fn sentiment(c: &mut Criterion) {
    let analyzer = TextAnalyzer::load(None).expect("dictionary (scripts/setup.sh)");
    let (source, texts) = texts();
    let lang = (source == "tweets").then_some(Lang::En);
    let docs: Vec<AnalysedText> = texts
        .iter()
        .filter_map(|t| analyzer.analyse(t, lang).ok())
        .collect();
    let mut models: Vec<Box<dyn SentimentModel>> =
        vec![sentiment::from_spec("lexicon").expect("lexicon")];
    if let Some(dir) = std::env::var_os("KOE_BENCH_LINEAR") {
        let spec = format!("linear:{}", Path::new(&dir).display());
        models.push(sentiment::from_spec(&spec).expect("the model in $KOE_BENCH_LINEAR"));
    }
    let mut group = c.benchmark_group(format!("sentiment ({} {source})", docs.len()));
    group.throughput(Throughput::Elements(docs.len() as u64));
    group.sample_size(20);
    for model in &models {
        group.bench_function(format!("score_batch {}", model.name()), |b| {
            b.iter(|| score_all(model.as_ref(), &docs))
        });
    }
    group.bench_function("text stage (for comparison)", |b| {
        b.iter(|| {
            texts
                .iter()
                .filter_map(|t| analyzer.analyse(t, lang).ok())
                .count()
        })
    });
    group.finish();
}

criterion_group!(benches, sentiment);
criterion_main!(benches);
