//! koe's text stage alone, one thread, over a file of one document per line: what
//! `benches/mecab_compare.sh` sets beside `mecab -O wakati` on the same file.
//!
//!     cargo run --release --example text_stage -- FILE [--repeat N]
//!
//! Loads the dictionary first (not timed), then normalises, splits into sentences and
//! tokenizes every line (part of speech, lemma) with [`koe::TextAnalyzer::analyse`], and
//! prints `characters seconds characters_per_s tokens` on one line.

use std::io::BufRead;
use std::time::Instant;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .ok_or_else(|| anyhow::anyhow!("usage: text_stage FILE [--repeat N]"))?;
    let repeat: usize = match (args.next().as_deref(), args.next()) {
        (Some("--repeat"), Some(n)) => n.parse()?,
        _ => 1,
    };
    let analyzer = koe::TextAnalyzer::load(None)?;
    let lines: Vec<String> = std::io::BufReader::new(std::fs::File::open(&path)?)
        .lines()
        .collect::<Result<_, _>>()?;
    let start = Instant::now();
    let (mut chars, mut tokens) = (0usize, 0usize);
    for _ in 0..repeat {
        for line in &lines {
            let doc = analyzer.analyse(line, None)?;
            chars += line.chars().count();
            tokens += doc.tokens.len();
        }
    }
    let seconds = start.elapsed().as_secs_f64();
    println!(
        "{chars} {seconds:.3} {:.0} {tokens}",
        chars as f64 / seconds
    );
    Ok(())
}
