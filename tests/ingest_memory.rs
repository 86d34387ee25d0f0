//! Memory stays flat while a CSV with a runaway quote is read, alone in its own test
//! process (the resident-set high-water mark is process-wide).

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use koe::eval::memory::peak_rss_kib;
use koe::ingest::{self, FieldMap, Limits};

#[test]
fn a_runaway_quote_in_a_large_csv_keeps_memory_flat() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("survey.csv");
    let mut file = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    writeln!(file, "id,text,rating").unwrap();
    let comment = "配送が遅くて困りました。スタッフの対応は丁寧でした。".repeat(8);
    let rows = 100_000;
    for i in 1..=rows {
        // One quote that never closes: without a bound, the rest of the file is one row.
        let quote = if i == 2 { "\"" } else { "" };
        writeln!(file, "r{i},{quote}{comment},4").unwrap();
    }
    file.flush().unwrap();
    drop(file);
    let size_mib = std::fs::metadata(&path).unwrap().len() >> 20;
    assert!(size_mib >= 40, "{size_mib} MiB");

    let before = peak_rss_kib().expect("VmHWM in /proc/self/status");
    let items = ingest::open(
        &path,
        Arc::new(FieldMap::default()),
        Limits::default(),
        Arc::new(AtomicU64::new(0)),
    )
    .unwrap();
    let (mut records, mut rejects) = (0, Vec::new());
    for item in items {
        match item.unwrap() {
            Ok(_) => records += 1,
            Err(reject) => rejects.push(reject),
        }
    }
    let grew_mib = (peak_rss_kib().unwrap() - before) >> 10;
    assert_eq!(rejects.len(), 1, "only the row with the stray quote");
    assert_eq!(rejects[0].line, 3);
    assert_eq!(records, rows - 1);
    assert!(
        grew_mib < 16,
        "reading a {size_mib} MiB file grew the peak by {grew_mib} MiB"
    );
}
