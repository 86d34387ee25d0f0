//! `koe serve`: an analysis folder → a local search page and JSON API.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;

use koe::analysis::AnalysisDir;
use koe::serve::{Hosts, Served, router, watch};

use super::DictionaryArgs;

/// Search an analysis in the browser: a search page and a JSON API on this machine.
///
/// The page searches in Japanese and English with facet counts you click to filter
/// (sentiment, topic, channel, stage, product, language), date and rating ranges,
/// highlighted snippets and paging, and lists the pain points ranked by impact, each
/// linking to its records. Nothing is fetched from the network.
///
/// The API: GET /api/search (the page's parameters: q, sentiment, topic, channel, stage,
/// product, lang, since, until, min_rating, max_rating, page, per_page), /api/topics and
/// /api/metrics. Errors are JSON {"error": "..."}, 400 for a bad parameter.
///
/// Serves the folder's current generation, and the next one, whole, once a run of
/// `koe analyze` publishes it (checked every --reload-every seconds): answers never mix
/// two runs. Listens on 127.0.0.1 only unless --host says otherwise, answers only
/// requests whose Host names it (its address, localhost, --allow-host), and closes
/// connections idle for --idle-timeout seconds; stop it with Ctrl-C.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  koe serve out/demo
  koe serve out/demo --port 0          # any free port; the URL is printed
  curl 'http://127.0.0.1:7878/api/search?q=配送&sentiment=negative'")]
pub struct Args {
    /// Output folder of `koe analyze` (its current generation is served).
    #[arg(value_name = "DIR")]
    dir: PathBuf,

    /// Address to listen on (0.0.0.0 makes the page reachable from other machines).
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST), value_name = "ADDR")]
    host: IpAddr,

    /// Port to listen on (0: any free port).
    #[arg(long, short = 'p', default_value_t = 7878, value_name = "PORT")]
    port: u16,

    /// Also answer requests for this host name (repeat for several; `*` for any). By
    /// default only the address it listens on and localhost are answered, so that a web
    /// page elsewhere cannot reach the API through a name of its own (DNS rebinding).
    #[arg(long, value_name = "NAME")]
    allow_host: Vec<String>,

    /// Close a connection after this many seconds without a byte either way.
    #[arg(long, default_value_t = 30, value_name = "SECONDS",
          value_parser = clap::value_parser!(u64).range(1..))]
    idle_timeout: u64,

    /// How often to check for a newer generation of DIR, in seconds.
    #[arg(long, default_value_t = 2, value_name = "SECONDS",
          value_parser = clap::value_parser!(u64).range(1..))]
    reload_every: u64,

    #[command(flatten)]
    dictionary: DictionaryArgs,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let started = Instant::now();
    let analyzer = Arc::new(args.dictionary.load_analyzer()?);
    let served = Arc::new(
        Served::open(AnalysisDir::new(&args.dir), analyzer)
            .with_context(|| format!("cannot serve {}", args.dir.display()))?,
    );
    let loaded = served.current();
    let (records, generation) = (loaded.index.records().num_docs(), loaded.generation);
    drop(loaded);
    let runtime = tokio::runtime::Runtime::new().context("cannot start the server's runtime")?;
    runtime.block_on(async {
        let address = SocketAddr::new(args.host, args.port);
        let listener = tokio::net::TcpListener::bind(address)
            .await
            .with_context(|| format!("cannot listen on {address}"))?;
        let local = listener.local_addr()?;
        let host = match local.ip() {
            IpAddr::V6(ip) => format!("[{ip}]"),
            IpAddr::V4(ip) => ip.to_string(),
        };
        eprintln!(
            "koe serve: {records} records of {} (generation {generation}) ready in {:.1} s; \
             Ctrl-C stops",
            args.dir.display(),
            started.elapsed().as_secs_f64()
        );
        // The URL alone on stdout, for scripts that start the server on port 0.
        println!("http://{host}:{}/", local.port());
        let every = Duration::from_secs(args.reload_every);
        tokio::spawn(watch(served.clone(), every));
        let app = router(served, Hosts::new(local.ip(), &args.allow_host));
        koe::serve::run(listener, app, Duration::from_secs(args.idle_timeout))
            .await
            .context("the server failed")
    })?;
    eprintln!("koe serve: stopped");
    Ok(())
}
