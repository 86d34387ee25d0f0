#![no_main]
//! Search requests: any query string → results or a 400, never a 500 or a panic.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| koe_fuzz::check_search(data));
