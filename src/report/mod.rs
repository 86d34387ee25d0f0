//! Report: an analysis folder → what an analyst reads first.
//!
//! [`metrics`] streams every record of the index into NPS, CSAT, CES and sentiment
//! figures with 95% intervals (overall, by channel, stage, product, [`period`] and
//! channel × stage; [`figures`] and [`stats`] hold the tallies), and [`topics`] reads the
//! topics stage's `topics.json` into pain points and positive themes.

pub mod figures;
pub mod format;
pub mod metrics;
pub mod period;
pub mod stats;
pub mod topics;

use std::path::PathBuf;

pub use figures::{Figures, Response};
pub use metrics::{Metrics, MetricsBuilder};
pub use period::Period;
pub use topics::{Topic, TopicsStatus};

/// Errors of the report stage.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Index(#[from] crate::index::Error),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: not a topics file koe can read: {source}")]
    Topics {
        path: PathBuf,
        source: serde_json::Error,
    },
}
