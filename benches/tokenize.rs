//! Japanese and English tokenization on the demo corpus; throughput in tokens/s.

mod common;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use koe::text::LanguageTokenizer;
use koe::{Lang, TextAnalyzer};

fn tokenize(c: &mut Criterion) {
    let analyzer = TextAnalyzer::load(None).expect("dictionary (scripts/setup.sh)");
    let records = common::records();
    let mut group = c.benchmark_group("tokenize");
    for lang in [Lang::Ja, Lang::En] {
        let texts: Vec<String> = records
            .iter()
            .filter_map(|r| {
                let doc = analyzer.analyse(&r.text, None).ok()?;
                (doc.lang == lang).then_some(doc.normalized)
            })
            .collect();
        let tokenizer: &dyn LanguageTokenizer = match lang {
            Lang::Ja => analyzer.japanese(),
            _ => analyzer.english(),
        };
        let mut tokens = Vec::new();
        let count: usize = texts
            .iter()
            .map(|t| {
                tokens.clear();
                tokenizer.tokenize_into(t, 0, &mut tokens).unwrap();
                tokens.len()
            })
            .sum();
        group.throughput(Throughput::Elements(count as u64));
        group.bench_function(lang.code(), |b| {
            b.iter(|| {
                for text in &texts {
                    tokens.clear();
                    tokenizer.tokenize_into(text, 0, &mut tokens).unwrap();
                }
                tokens.len()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, tokenize);
criterion_main!(benches);
