//! One shard of a corpus analysed apart, for runs spread over machines (the Spark job in
//! `python/spark/`): records in, a published analysis folder out, which
//! [`merge`](super::merge) joins with the other shards into one analysis.
//!
//! Every shard applies the same topic model, fitted once on a sample (by `koe analyze`
//! on the driver) and shipped to each worker, and leaves what it does not cover outliers
//! ([`TopicOptions::applying`]): a record's sentiment, theme and topics then depend on
//! the record and the shared models alone, never on which shard it fell in, so the
//! merged shards hold what one `koe analyze --topics-from MODEL --no-candidate-topics`
//! over the whole corpus gives.

use std::path::Path;
use std::sync::Arc;

use super::{Error, Options, Pipeline, Summary};
use crate::analysis::AnalysisDir;
use crate::record::Record;
use crate::topics::{TopicModel, TopicOptions};

/// Analyses `records` with `pipeline` (the shared sentiment model) and `model` into the
/// new or empty folder `out`, and publishes it; `options` gives the rest (field map,
/// batch size, indexing memory, `emit_parquet`), its topic options are replaced.
pub fn analyse_shard(
    pipeline: &Pipeline,
    records: impl IntoIterator<Item = Record>,
    model: Arc<TopicModel>,
    options: Options,
    out: &Path,
) -> Result<Summary, Error> {
    let options = Options {
        topics: Some(TopicOptions::applying(model)?),
        append: false,
        ..options
    };
    let run = AnalysisDir::new(out).begin_run(None)?;
    let summary = pipeline.run_records(records, &run, &options, &mut |_| {})?;
    run.publish()?;
    Ok(summary)
}
