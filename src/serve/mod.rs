//! Serve: an analysis folder → a local web server with a search page and a JSON API.
//!
//! [`Analysis::open`] loads the current generation of an analysis folder once — the index,
//! `topics.json` and the report's metrics (computed by [`crate::report`], so they match
//! `koe report`), all from one run — and
//! [`router`] answers from it: [`page`] the self-contained search page at `/`, [`api`]
//! `/api/search`, `/api/topics` and `/api/metrics`. Tantivy is synchronous, so searches
//! run on tokio's blocking pool; the folder is read-only while it is served.

pub mod api;
pub mod page;

use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::routing::get;

use crate::analysis::AnalysisDir;
use crate::index::SearchIndex;
use crate::report::{self, Metrics, Period};
use crate::text::TextAnalyzer;
use crate::topics::Topics;

/// Errors of opening an analysis folder for serving.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Index(#[from] crate::index::Error),
    #[error(transparent)]
    Report(#[from] crate::report::Error),
    #[error(transparent)]
    Analysis(#[from] crate::analysis::Error),
}

/// What the server answers from: one generation of an analysis folder, loaded whole.
pub struct Analysis {
    pub dir: PathBuf,
    /// The generation loaded (its index, topics and metrics come from that run).
    pub generation: u64,
    pub index: SearchIndex,
    /// None when the analysis ran with `--no-topics`.
    pub topics: Option<Topics>,
    pub metrics: Metrics,
}

impl Analysis {
    /// Opens the current generation of `dir`: its index, its topics.json (if any) and the
    /// metrics (one pass over every record).
    pub fn open(dir: &AnalysisDir, analyzer: &TextAnalyzer) -> Result<Self, Error> {
        let generation = dir.current()?;
        let index = generation.open_index(analyzer)?;
        let topics = generation.topics()?;
        let metrics = report::metrics(&index, Period::Month)?;
        Ok(Analysis {
            dir: dir.root().to_path_buf(),
            generation: generation.number(),
            index,
            topics,
            metrics,
        })
    }
}

/// The page and the API over one analysis.
pub fn router(analysis: Arc<Analysis>) -> Router {
    Router::new()
        .route("/", get(page::page))
        .route("/api/search", get(api::search))
        .route("/api/topics", get(api::topics))
        .route("/api/metrics", get(api::metrics))
        .method_not_allowed_fallback(api::method_not_allowed)
        .fallback(api::not_found)
        .with_state(analysis)
}

/// Resolves when the process is asked to stop (Ctrl-C, or SIGTERM on Unix), for
/// `axum::serve(..).with_graceful_shutdown`: requests in flight are answered first.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        // If the handler cannot be installed, never resolve rather than stop at once.
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}
