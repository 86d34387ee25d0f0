#![no_main]
//! JSON Lines ingest: any bytes → records and rejects that keep koe's promises.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| koe_fuzz::check_ingest("fuzz.jsonl", data));
