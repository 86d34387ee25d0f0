//! Sentence-embedding throughput of koe's `SentenceEmbedder` (feature `transformer`), for
//! `benches/transformer_vs_python.sh`.
//!
//! `embed_bench MODEL_DIR TSV [N] [BATCH] [THREADS]` embeds the first N texts of a
//! `label<TAB>text` file (header skipped) in batches of BATCH on THREADS libtorch threads,
//! after one warm-up batch, and prints `koe docs/s <rate>` plus the first embedding's
//! first values (to compare with Python's).

use std::time::Instant;

use koe::transformer::SentenceEmbedder;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [model, tsv, rest @ ..] = args.as_slice() else {
        anyhow::bail!("usage: embed_bench MODEL_DIR TSV [N] [BATCH] [THREADS]");
    };
    let arg = |i: usize, default: usize| -> anyhow::Result<usize> {
        Ok(rest
            .get(i)
            .map(|s| s.parse())
            .transpose()?
            .unwrap_or(default))
    };
    let (n, batch, threads) = (arg(0, 2000)?, arg(1, 32)?, arg(2, 1)?);
    tch::set_num_threads(threads as i32);
    tch::set_num_interop_threads(1);

    let text = std::fs::read_to_string(tsv)?;
    let texts: Vec<&str> = text
        .lines()
        .skip(1)
        .filter_map(|l| l.split_once('\t').map(|(_, t)| t))
        .take(n)
        .collect();
    let embedder = SentenceEmbedder::load(model)?.with_batch_size(batch);
    embedder.embed(&texts[..batch.min(texts.len())])?; // warm-up

    let start = Instant::now();
    let vectors = embedder.embed(&texts)?;
    let secs = start.elapsed().as_secs_f64();
    println!(
        "koe docs {} batch {} threads {} seconds {:.3} docs/s {:.1}",
        vectors.len(),
        batch,
        threads,
        secs,
        vectors.len() as f64 / secs
    );
    // KOE_BENCH_DUMP=FILE writes every vector, one line of space-separated values each,
    // to compare with Python's by hand.
    if let Some(path) = std::env::var_os("KOE_BENCH_DUMP") {
        let lines: Vec<String> = vectors
            .iter()
            .map(|v| {
                v.iter()
                    .map(|x| x.to_string())
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        std::fs::write(path, lines.join("\n") + "\n")?;
    }
    let first: Vec<String> = vectors[0][..4].iter().map(|x| format!("{x:.5}")).collect();
    println!("koe first [{}]", first.join(", "));
    Ok(())
}
