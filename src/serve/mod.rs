//! Serve: an analysis folder → a local web server with a search page and a JSON API.
//!
//! [`Analysis::open`] loads the current generation of an analysis folder whole — the
//! index, `topics.json` and the report's metrics (computed by [`crate::report`], so they
//! match `koe report`), all from one run. [`Served`] holds the generation being served
//! and swaps in a newer one, whole, once a run publishes it ([`watch`]): a search never
//! mixes the index of one run with the topics of another. [`router`] answers from it:
//! [`page`] the self-contained search page at `/`, [`api`] `/api/search`, `/api/topics`
//! and `/api/metrics`, behind [`guard`] (Host names, security headers); [`run`] serves
//! it with [`idle`] connections closed. Tantivy is synchronous, so searches run on
//! tokio's blocking pool.

pub mod api;
pub mod guard;
pub mod idle;
pub mod page;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use arc_swap::ArcSwap;
use axum::Router;
use axum::middleware;
use axum::routing::get;

use crate::analysis::AnalysisDir;
use crate::index::SearchIndex;
use crate::report::{self, Metrics, Period};
use crate::text::TextAnalyzer;
use crate::topics::Topics;
pub use guard::Hosts;

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
        let metrics = report::metrics(index.records(), Period::Month)?;
        Ok(Analysis {
            dir: dir.root().to_path_buf(),
            generation: generation.number(),
            index,
            topics,
            metrics,
        })
    }
}

/// The generation being served, replaced whole when a newer one is published.
pub struct Served {
    dir: AnalysisDir,
    analyzer: Arc<TextAnalyzer>,
    current: ArcSwap<Analysis>,
}

impl Served {
    /// Loads the current generation of `dir`.
    pub fn open(dir: AnalysisDir, analyzer: Arc<TextAnalyzer>) -> Result<Self, Error> {
        let analysis = Analysis::open(&dir, &analyzer)?;
        Ok(Served {
            dir,
            analyzer,
            current: ArcSwap::from_pointee(analysis),
        })
    }

    /// The generation to answer a request from: a request keeps it to the end, even if
    /// a newer one is swapped in meanwhile.
    pub fn current(&self) -> Arc<Analysis> {
        self.current.load_full()
    }

    /// Loads the folder's current generation if it is not the one served, and swaps it
    /// in; returns its number then. Until it is loaded whole, the old one is served.
    pub fn reload(&self) -> Result<Option<u64>, Error> {
        let published = self.dir.published()?;
        if published.is_none_or(|n| n == self.current().generation) {
            return Ok(None);
        }
        let analysis = Analysis::open(&self.dir, &self.analyzer)?;
        let generation = analysis.generation;
        self.current.store(Arc::new(analysis));
        Ok(Some(generation))
    }
}

/// Checks every `interval` whether a newer generation was published, and serves it once
/// it is loaded; says so (or why not) on stderr. Runs until the server stops.
pub async fn watch(served: Arc<Served>, interval: Duration) {
    loop {
        tokio::time::sleep(interval).await;
        let served = served.clone();
        let dir = served.dir.root().display().to_string();
        match tokio::task::spawn_blocking(move || {
            let loaded = served.reload();
            (loaded, served.current().index.records().num_docs())
        })
        .await
        {
            Ok((Ok(Some(generation)), records)) => {
                eprintln!(
                    "koe serve: now serving generation {generation} of {dir} ({records} records)"
                )
            }
            Ok((Ok(None), _)) => {}
            // The generation served stays; the next check tries again.
            Ok((Err(e), _)) => eprintln!("koe serve: cannot load the new generation of {dir}: {e}"),
            Err(e) => eprintln!("koe serve: reloading failed: {e}"),
        }
    }
}

/// The page and the API over what `served` holds, for the Host names `hosts` allows.
pub fn router(served: Arc<Served>, hosts: Hosts) -> Router {
    Router::new()
        .route("/", get(page::page))
        .route("/api/search", get(api::search))
        .route("/api/topics", get(api::topics))
        .route("/api/metrics", get(api::metrics))
        .method_not_allowed_fallback(api::method_not_allowed)
        .fallback(api::not_found)
        .with_state(served)
        .layer(middleware::from_fn_with_state(
            Arc::new(hosts),
            guard::check_host,
        ))
        .layer(middleware::from_fn(guard::secure_headers))
}

/// Serves `app` on `listener` until Ctrl-C or SIGTERM (requests in flight are answered
/// first); a connection idle for `idle` is closed.
pub async fn run(
    listener: tokio::net::TcpListener,
    app: Router,
    idle: Duration,
) -> std::io::Result<()> {
    axum::serve(idle::IdleTimeoutListener::new(listener, idle), app)
        .with_graceful_shutdown(shutdown_signal())
        .await
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
