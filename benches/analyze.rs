//! The analyze stage on the demo corpus: analysis + sentiment alone, and the whole run
//! with the index written; throughput in records/s.

mod common;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use koe::analysis::AnalysisDir;
use koe::pipeline::{Options, Pipeline};
use koe::{TextAnalyzer, sentiment};

fn analyze(c: &mut Criterion) {
    let analyzer = TextAnalyzer::load(None).expect("dictionary (scripts/setup.sh)");
    let pipeline = Pipeline::new(analyzer, sentiment::from_spec("lexicon").unwrap());
    let records = common::records();
    let mut group = c.benchmark_group("analyze");
    group.throughput(Throughput::Elements(records.len() as u64));
    group.bench_function("text+sentiment", |b| {
        b.iter(|| pipeline.analyse_batch(records.clone()).0.len())
    });
    group.sample_size(10);
    let inputs = vec![std::path::PathBuf::from(common::CORPUS)];
    group.bench_function("run (with index)", |b| {
        b.iter(|| {
            let out = tempfile::tempdir().unwrap();
            let options = Options {
                index_memory: 50 * 1024 * 1024,
                ..Options::default()
            };
            let run = AnalysisDir::new(out.path()).begin_run(None).unwrap();
            let indexed = pipeline
                .run(&inputs, &run, &options, &mut |_| {})
                .unwrap()
                .indexed;
            run.publish().unwrap();
            indexed
        })
    });
    group.finish();
}

criterion_group!(benches, analyze);
criterion_main!(benches);
