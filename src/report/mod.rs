//! Report: an analysis folder → what an analyst reads first.
//!
//! [`metrics`] streams every record of the index into NPS, CSAT, CES and sentiment
//! figures with 95% intervals (overall, by channel, stage, product, [`period`] and
//! channel × stage; [`figures`] and [`stats`] hold the tallies).

pub mod figures;
pub mod metrics;
pub mod period;
pub mod stats;

pub use figures::{Figures, Response};
pub use metrics::{Metrics, MetricsBuilder};
pub use period::Period;
