//! The USE-m3 sentence encoder on the demo corpus (400 Japanese and English records), in
//! calls of 256 texts as the topics stage makes them: tokenization alone, `encode`, and
//! `encode_records` with each record's sentences as clauses (the extra cost of clause
//! vectors). The model comes from scripts/setup.sh. benches/use_m3_compare.sh compares
//! the encoder with the Python reference on real data.

mod common;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use koe::embed::{RecordText, UseM3};

const CALL: usize = 256;

fn embed(c: &mut Criterion) {
    let encoder = UseM3::load().unwrap_or_else(|e| panic!("{e}"));
    let texts: Vec<String> = common::records().into_iter().map(|r| r.text).collect();
    let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
    let sentences: Vec<Vec<_>> = texts
        .iter()
        .map(|t| koe::text::sentences::split(t).collect())
        .collect();
    let records: Vec<RecordText<'_>> = texts
        .iter()
        .zip(&sentences)
        .map(|(text, clauses)| RecordText { text, clauses })
        .collect();

    let mut group = c.benchmark_group(format!("use-m3 ({} demo records)", texts.len()));
    group.throughput(Throughput::Elements(texts.len() as u64));
    group.sample_size(20);
    group.bench_function("tokenize", |b| {
        b.iter(|| {
            texts
                .iter()
                .map(|t| encoder.piece_ids(t).len())
                .sum::<usize>()
        })
    });
    group.bench_function("encode", |b| {
        b.iter(|| {
            texts
                .chunks(CALL)
                .map(|c| encoder.encode(c).len())
                .sum::<usize>()
        })
    });
    group.bench_function("encode_records (sentences as clauses)", |b| {
        b.iter(|| {
            records
                .chunks(CALL)
                .map(|c| encoder.encode_records(c).len())
                .sum::<usize>()
        })
    });
    group.finish();
}

criterion_group!(benches, embed);
criterion_main!(benches);
