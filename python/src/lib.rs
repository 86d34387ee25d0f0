//! `koe._native`: the compiled half of the `koe` Python package (`python/koe/` is the
//! other half: argument handling, pandas, docs).
//!
//! Each file below is one part of the API and registers its own functions and classes;
//! a new part is a new file and one more name in the [`parts!`] list.
//!
//! - [`texts`]: texts as Python hands them over (a list of str, pyarrow arrays), borrowed
//!   where Python keeps them.
//! - [`pipelines`]: one loaded pipeline (dictionary + sentiment model) per model spec.
//! - [`analyze`]: `analyze` (tokens, sentences, sentiment per sentence and document, as
//!   dicts), `analyze_arrow` (the same as Arrow columns) and `score` (document sentiment
//!   as a pyarrow RecordBatch).
//! - [`fields`]: koe's fields as Python names them (`fields={"text": "comment"}`).
//! - [`eval`]: `koe eval` on in-memory rows.
//! - [`folder`]: `Analysis`, an analysis folder `koe analyze` wrote: search, topics,
//!   metrics, summary.
//! - [`shard`]: `Shard`, Arrow record batches (a Spark partition's) analysed into an
//!   analysis folder with a fitted topic model, as `koe analyze --topics-from`.
//! - [`fit`]: `fit_topics` (`koe analyze SAMPLE --out MODEL`) and `merge_indexes` (`koe
//!   index merge`): a sharded run's driver steps, before and after the shards.
//!
//! The work runs with the GIL released (`Python::detach`), on koe's rayon threads as in
//! `koe analyze`. Errors become Python exceptions ([`errors`]).

use pyo3::prelude::*;

/// Declares the API's parts and registers each (`part::register(module)`) in order.
macro_rules! parts {
    ($($part:ident),* $(,)?) => {
        $(mod $part;)*
        fn register_parts(m: &Bound<'_, PyModule>) -> PyResult<()> {
            $($part::register(m)?;)*
            Ok(())
        }
    };
}

mod errors;
mod fields;
mod pipelines;
mod texts;

parts![analyze, eval, folder, shard, fit];

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    register_parts(m)
}
