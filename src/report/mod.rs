//! Report: an analysis folder → what an analyst reads first, as HTML, Markdown and JSON.
//!
//! [`metrics`] streams every record of the index into NPS, CSAT, CES and sentiment
//! figures with 95% intervals (overall, by channel, stage, product, [`period`] and
//! channel × stage; [`figures`] holds the tallies, [`stats`] the arithmetic), [`topics`] reads the topics stage's `topics.json`
//! into pain points and positive themes, [`categories`] reads the taxonomy's
//! `categories.json` into one row per category, and [`html`] (with [`svg`] charts) and
//! [`markdown`] render the [`Report`]; its JSON is `report.json`. Every piece of customer
//! text passes through [`escape`] on its way into a page.

pub mod categories;
pub mod escape;
pub mod figures;
pub mod format;
pub mod html;
pub mod markdown;
pub mod metrics;
pub mod svg;
pub mod topics;

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::analysis::{Generation, Part};
use crate::index::StoredRecords;
pub use crate::period::Period;
pub use crate::stats;
pub use figures::{Figures, Response};
pub use metrics::{Metrics, MetricsBuilder};
pub use topics::{Topic, TopicsStatus};

/// Errors of the report stage.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Index(#[from] crate::index::Error),
    #[error(transparent)]
    Analysis(#[from] crate::analysis::Error),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write the report as JSON: {0}")]
    Json(#[from] serde_json::Error),
}

/// Everything a report shows; serialised as `report.json`.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub koe_version: &'static str,
    /// The analysis folder it describes.
    pub source: String,
    /// The generation of that folder it was made from.
    pub generation: u64,
    pub metrics: Metrics,
    /// Ranked by impact, largest first.
    pub pain_points: Vec<Topic>,
    /// Largest first.
    pub positive_themes: Vec<Topic>,
    /// Why there are no topics, when there are none.
    pub topics_note: Option<String>,
    /// The taxonomy's categories, parents first (empty: the run had no `--taxonomy`).
    pub categories: Vec<categories::CategoryRow>,
}

/// The report's figures alone: one pass over every record of `index`.
pub fn metrics(index: &StoredRecords, period: Period) -> Result<Metrics, Error> {
    let mut builder = MetricsBuilder::new(period);
    index.for_each_record(|hit| builder.add(&Response::from(&hit)))?;
    Ok(builder.finish())
}

impl Report {
    /// Reads every record of `index` (the index of `generation`) and the generation's
    /// `topics.json`. A missing or unreadable topics file leaves the topic sections out,
    /// with a note saying why; only a failing index is an error.
    pub fn build(
        generation: &Generation,
        index: &StoredRecords,
        period: Period,
    ) -> Result<Report, Error> {
        let metrics = metrics(index, period)?;
        let topics_file = Part::Topics.file_name();
        let (topics, topics_note) = match topics::load(generation) {
            Ok(TopicsStatus::Loaded(topics)) if topics.is_empty() => {
                (topics, Some(format!("{topics_file} lists no topics")))
            }
            Ok(TopicsStatus::Loaded(topics)) => (topics, None),
            Ok(TopicsStatus::Missing) => (
                Vec::new(),
                Some(format!("no {topics_file}: run koe analyze with topics")),
            ),
            Err(e) => (Vec::new(), Some(e.to_string())),
        };
        let categories = categories::load(generation)?;
        Ok(Report {
            koe_version: env!("CARGO_PKG_VERSION"),
            source: generation.root().display().to_string(),
            generation: generation.number(),
            pain_points: topics::pain_points(&topics),
            positive_themes: topics::positive_themes(&topics),
            metrics,
            topics_note,
            categories,
        })
    }

    /// Writes `PREFIX.html`, `PREFIX.md` and `PREFIX.json`, making PREFIX's folder if needed.
    pub fn write(&self, prefix: &Path) -> Result<Written, Error> {
        let with = |extension: &str| {
            let mut name = prefix.as_os_str().to_owned();
            name.push(".");
            name.push(extension);
            PathBuf::from(name)
        };
        let written = Written {
            html: with("html"),
            markdown: with("md"),
            json: with("json"),
        };
        if let Some(parent) = prefix.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|source| Error::Io {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        let mut json = serde_json::to_string_pretty(self)?;
        json.push('\n');
        for (path, content) in [
            (&written.html, html::render(self)),
            (&written.markdown, markdown::render(self)),
            (&written.json, json),
        ] {
            // Whole or not at all: a reader never opens half a report.
            let mut temporary = path.as_os_str().to_owned();
            temporary.push(".tmp");
            let temporary = PathBuf::from(temporary);
            std::fs::write(&temporary, content)
                .and_then(|()| std::fs::rename(&temporary, path))
                .map_err(|source| Error::Io {
                    path: path.clone(),
                    source,
                })?;
        }
        Ok(written)
    }
}

/// The files [`Report::write`] wrote.
#[derive(Debug, Clone)]
pub struct Written {
    pub html: PathBuf,
    pub markdown: PathBuf,
    pub json: PathBuf,
}
