//! Serve: an analysis folder → a local web server with a search page and a JSON API.
//!
//! [`Analysis::open`] loads what `koe analyze` wrote once — the index, `topics.json` and
//! the report's metrics (computed by [`crate::report`], so they match `koe report`) — and
//! [`router`] answers from it: [`page`] the self-contained search page at `/`, [`api`]
//! `/api/search`, `/api/topics` and `/api/metrics`. Tantivy is synchronous, so searches
//! run on tokio's blocking pool; the folder is read-only while it is served.

pub mod api;
pub mod page;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::Router;
use axum::routing::get;

use crate::index::SearchIndex;
use crate::pipeline::read_topics;
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
    Topics(#[from] crate::pipeline::Error),
}

/// What the server answers from: one analysis folder, loaded once.
pub struct Analysis {
    pub dir: PathBuf,
    pub index: SearchIndex,
    /// None when the analysis ran with `--no-topics`.
    pub topics: Option<Topics>,
    pub metrics: Metrics,
}

impl Analysis {
    /// Opens the index of `dir`, reads its topics.json (if any) and computes the metrics
    /// (one pass over every record).
    pub fn open(dir: &Path, analyzer: &TextAnalyzer) -> Result<Self, Error> {
        let index = SearchIndex::open(dir, analyzer)?;
        let topics = read_topics(dir)?;
        let metrics = report::metrics(&index, Period::Month)?;
        Ok(Analysis {
            dir: dir.to_path_buf(),
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
