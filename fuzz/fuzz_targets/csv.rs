#![no_main]
//! CSV ingest: any bytes → records and rejects that keep koe's promises (bounded rows,
//! stray quotes resynchronised, unmapped columns never decoded).

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| koe_fuzz::check_ingest("fuzz.csv", data));
