//! Shared by the benches: the demo corpus, read through koe's own ingest.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use koe::Record;
use koe::ingest::{self, FieldMap, Limits};

pub const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/corpora/shop-feedback.jsonl");

pub fn records() -> Vec<Record> {
    let items = ingest::open(
        Path::new(CORPUS),
        Arc::new(FieldMap::default()),
        Limits::default(),
        Arc::new(AtomicU64::new(0)),
    )
    .expect("the demo corpus");
    items.filter_map(|item| item.ok()?.ok()).collect()
}
