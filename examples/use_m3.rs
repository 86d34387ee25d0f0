//! koe's USE-m3 encoder on texts from stdin (one JSON string per line), for
//! `benches/use_m3_compare.py`, which compares it with the Python reference.
//!
//! `use_m3 ids` prints each text's piece ids (with `<s>` and `</s>`) as a JSON array per
//! line. `use_m3 vectors OUT [BATCH]` encodes the texts in calls of BATCH (default 256,
//! as the topics stage sends them), after one warm-up call, writes the vectors to OUT as
//! float32 little-endian rows of 512, and prints on stdout one JSON line: `seconds`,
//! `texts`, `pieces` (what the network read, markers included) and `load_seconds`.

use std::io::{BufRead, Write};
use std::time::Instant;

use koe::embed::UseM3;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let texts: Vec<String> = std::io::stdin()
        .lock()
        .lines()
        .map(|line| Ok(serde_json::from_str(&line?)?))
        .collect::<anyhow::Result<_>>()?;
    let start = Instant::now();
    let encoder = UseM3::load()?;
    let load_seconds = start.elapsed().as_secs_f64();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["ids"] => {
            for text in &texts {
                serde_json::to_writer(&mut out, &encoder.piece_ids(text))?;
                writeln!(out)?;
            }
        }
        ["vectors", path, rest @ ..] => {
            let batch: usize = rest.first().map_or(Ok(256), |b| b.parse())?;
            let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
            let pieces: usize = texts.iter().map(|t| encoder.piece_ids(t).len()).sum();
            encoder.encode(&texts[..batch.min(texts.len())]); // warm-up
            let start = Instant::now();
            let vectors: Vec<Vec<f32>> = texts
                .chunks(batch.max(1))
                .flat_map(|chunk| encoder.encode(chunk))
                .collect();
            let seconds = start.elapsed().as_secs_f64();
            let bytes: Vec<u8> = vectors
                .iter()
                .flatten()
                .flat_map(|x| x.to_le_bytes())
                .collect();
            std::fs::write(path, bytes)?;
            serde_json::to_writer(
                &mut out,
                &serde_json::json!({
                    "seconds": seconds,
                    "texts": texts.len(),
                    "pieces": pieces,
                    "load_seconds": load_seconds,
                }),
            )?;
            writeln!(out)?;
        }
        _ => anyhow::bail!(
            "usage: use_m3 ids | use_m3 vectors OUT [BATCH]  (texts on stdin, one JSON string a line)"
        ),
    }
    Ok(())
}
