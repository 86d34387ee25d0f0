//! End to end: `koe analyze` on the demo corpus, then the server's router answers the
//! page and API requests (in process, through `tower::ServiceExt::oneshot`; no socket).

use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

mod common;

use common::{koe, run_json, run_ok};
use koe::TextAnalyzer;
use koe::analysis::AnalysisDir;
use koe::serve::{Hosts, Served, router};

/// `koe analyze CORPUS --out target/tmp/NAME` (plus `extra` flags), once per test run.
fn analyse(name: &str, extra: &[&str]) -> PathBuf {
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&out);
    run_ok(
        koe()
            .args(["analyze", common::DEMO, "--quiet", "--out"])
            .arg(&out)
            .args(extra),
    );
    out
}

fn served(out: &Path) -> Arc<Served> {
    let analyzer = Arc::new(TextAnalyzer::load(None).unwrap());
    Arc::new(Served::open(AnalysisDir::new(out), analyzer).unwrap())
}

fn serve(out: &Path) -> Router {
    router(served(out), Hosts::new([127, 0, 0, 1].into(), &[]))
}

/// The demo corpus analysed with topics, and a router over it.
static DEMO: LazyLock<(PathBuf, Router)> = LazyLock::new(|| {
    let out = analyse("serve-demo", &[]);
    let app = serve(&out);
    (out, app)
});

/// Percent-encodes a query value (the test's URIs carry Japanese).
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn query(pairs: &[(&str, &str)]) -> String {
    let pairs: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect();
    pairs.join("&")
}

struct Answer {
    status: StatusCode,
    content_type: String,
    headers: axum::http::HeaderMap,
    body: Vec<u8>,
}

impl Answer {
    fn json(&self) -> Value {
        assert!(
            self.content_type.starts_with("application/json"),
            "{}",
            self.content_type
        );
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&self.body)))
    }
}

/// A GET as a browser on this machine sends it.
fn get(app: &Router, uri: &str) -> Answer {
    send(app, request(uri, "127.0.0.1:7878"))
}

fn request(uri: &str, host: &str) -> Request<Body> {
    Request::get(uri)
        .header(header::HOST, host)
        .body(Body::empty())
        .unwrap()
}

fn send(app: &Router, request: Request<Body>) -> Answer {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let response = app.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let content_type = response
            .headers()
            .get(header::CONTENT_TYPE)
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        let headers = response.headers().clone();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        Answer {
            status,
            content_type,
            headers,
            body: body.to_vec(),
        }
    })
}

fn search(pairs: &[(&str, &str)]) -> Value {
    let answer = get(&DEMO.1, &format!("/api/search?{}", query(pairs)));
    assert_eq!(
        answer.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&answer.body)
    );
    answer.json()
}

fn hits(results: &Value) -> &Vec<Value> {
    results["hits"].as_array().unwrap()
}

/// The highlighted parts of a hit's snippet (highlights are byte ranges).
fn highlighted(hit: &Value) -> Vec<String> {
    let fragment = hit["snippet"]["fragment"].as_str().unwrap();
    hit["snippet"]["highlights"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let (a, b) = (r[0].as_u64().unwrap(), r[1].as_u64().unwrap());
            fragment[a as usize..b as usize].to_string()
        })
        .collect()
}

fn sum(counts: &Value) -> u64 {
    counts
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum()
}

#[test]
fn a_japanese_query_finds_japanese_records_with_highlights() {
    let results = search(&[("q", "配送"), ("per_page", "50")]);
    let total = results["total"].as_u64().unwrap();
    assert!(total >= 10, "{total} records mention 配送");
    assert_eq!(results["facets"]["lang"]["ja"], total, "only Japanese");
    assert!(results["facets"]["lang"].get("en").is_none());
    for hit in hits(&results) {
        assert_eq!(hit["lang"], "ja");
        assert!(
            highlighted(hit).iter().any(|h| h == "配送"),
            "{}: {:?}",
            hit["snippet"]["fragment"],
            highlighted(hit)
        );
    }
    // Japanese without spaces is split into words: 「配送遅い」 finds 配送 … 遅い.
    let both = search(&[("q", "配送遅い")]);
    assert!(both["total"].as_u64().unwrap() >= 1);
    assert!(both["total"].as_u64().unwrap() < total);

    let english = search(&[("q", "delivery"), ("lang", "en")]);
    assert!(english["total"].as_u64().unwrap() > 0);
    for hit in hits(&english) {
        assert!(!highlighted(hit).is_empty(), "{hit}");
    }
}

#[test]
fn a_facet_value_narrows_the_results_to_its_count() {
    let all = search(&[("q", "配送")]);
    let negative = all["facets"]["sentiment"]["negative"].as_u64().unwrap();
    assert!(negative > 0 && negative < all["total"].as_u64().unwrap());
    assert_eq!(sum(&all["facets"]["sentiment"]), all["total"]);

    let narrowed = search(&[
        ("q", "配送"),
        ("sentiment", "negative"),
        ("per_page", "100"),
    ]);
    assert_eq!(narrowed["total"], negative);
    assert_eq!(hits(&narrowed).len() as u64, negative);
    assert!(hits(&narrowed).iter().all(|h| h["sentiment"] == "negative"));
    assert_eq!(sum(&narrowed["facets"]["channel"]), negative);

    // Two channels are either; a channel and a sentiment are both.
    let channels = &all["facets"]["channel"];
    let (a, b) = {
        let mut names = channels.as_object().unwrap().keys();
        (names.next().unwrap().clone(), names.next().unwrap().clone())
    };
    let either = search(&[("q", "配送"), ("channel", &a), ("channel", &b)]);
    assert_eq!(
        either["total"].as_u64().unwrap(),
        channels[&a].as_u64().unwrap() + channels[&b].as_u64().unwrap()
    );

    // Paging walks the same results.
    let first = search(&[("q", "配送"), ("per_page", "3")]);
    let second = search(&[("q", "配送"), ("per_page", "3"), ("page", "2")]);
    assert_eq!(second["offset"], 3);
    assert_eq!(first["total"], second["total"]);
    assert_ne!(hits(&first)[0]["id"], hits(&second)[0]["id"]);
}

#[test]
fn filters_by_date_and_rating() {
    let may = search(&[("since", "2026-05-01"), ("until", "2026-05-31")]);
    let total = may["total"].as_u64().unwrap();
    assert!(total > 0);
    for hit in hits(&may) {
        let date = hit["created_at"].as_str().unwrap();
        assert!(date.starts_with("2026-05"), "{date}");
    }
    let low = search(&[
        ("min_rating", "1"),
        ("max_rating", "2"),
        ("per_page", "100"),
    ]);
    assert!(low["total"].as_u64().unwrap() > 0);
    assert!(
        hits(&low)
            .iter()
            .all(|h| h["rating"].as_u64().unwrap() <= 2)
    );
}

#[test]
fn topics_rank_pain_points_and_link_to_their_records() {
    let answer = get(&DEMO.1, "/api/topics");
    assert_eq!(answer.status, StatusCode::OK);
    let topics = answer.json();
    let list = topics["topics"].as_array().unwrap();
    assert!(list.len() >= 3, "{} topics", list.len());
    let impacts: Vec<f64> = list.iter().map(|t| t["impact"].as_f64().unwrap()).collect();
    assert!(impacts.windows(2).all(|w| w[0] >= w[1]), "{impacts:?}");
    for key in ["label", "size", "share_negative", "nps", "trend"] {
        assert!(list[0].get(key).is_some(), "{key}");
    }
    let top = &list[0];
    let id = top["id"].to_string();
    let records = search(&[("topic", &id)]);
    assert_eq!(
        records["total"], top["size"],
        "the topic filter finds its records"
    );
    assert_eq!(records["topic_labels"][&id], top["label"]);
}

#[test]
fn topics_are_a_clear_404_without_the_topics_stage() {
    let out = analyse("serve-no-topics", &["--no-topics"]);
    let answer = get(&serve(&out), "/api/topics");
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    let error = answer.json()["error"].as_str().unwrap().to_string();
    assert!(error.contains("--no-topics"), "{error}");
}

#[test]
fn metrics_are_the_figures_of_koe_report() {
    let answer = get(&DEMO.1, "/api/metrics");
    assert_eq!(answer.status, StatusCode::OK);
    let metrics = answer.json();
    let prefix = Path::new(env!("CARGO_TARGET_TMPDIR")).join("serve-report/report");
    let report = run_json(
        koe()
            .arg("report")
            .arg(&DEMO.0)
            .arg("--out")
            .arg(&prefix)
            .arg("--json"),
    );
    assert_eq!(metrics, report["metrics"]);
    assert_eq!(metrics["overall"]["records"], 400);
    assert!(metrics["overall"]["nps"]["score"].is_number());
}

#[test]
fn bad_requests_are_400_json_naming_the_parameter() {
    for (pairs, parameter) in [
        (&[("q", "nosuchfield:配送")][..], "q"),
        (&[("q", "id:*")], "q"),
        (&[("q", "text_en:*")], "q"),
        (&[("q", "colour:*")], "q"),
        (&[("since", "yesterday")], "since"),
        (&[("until", "2026-02-30")], "until"),
        (&[("min_rating", "9")], "min_rating"),
        (&[("min_rating", "4"), ("max_rating", "2")], "min_rating"),
        (&[("sentiment", "angry")], "sentiment"),
        (&[("per_page", "5000")], "per_page"),
        (&[("topic", "配送")], "topic"),
    ] {
        let answer = get(&DEMO.1, &format!("/api/search?{}", query(pairs)));
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{pairs:?}");
        let body = answer.json();
        assert_eq!(body["parameter"], parameter, "{pairs:?}: {body}");
        let error = body["error"].as_str().unwrap();
        assert!(error.starts_with(parameter), "{error}");
    }
    let long = query(&[("q", &"配送".repeat(600))]);
    let too_long = get(&DEMO.1, &format!("/api/search?{long}"));
    assert_eq!(too_long.status, StatusCode::BAD_REQUEST);
    assert_eq!(too_long.json()["parameter"], "q");
    let unknown = get(&DEMO.1, "/api/search?colour=red");
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert!(unknown.json()["error"].as_str().unwrap().contains("colour"));
    let post = send(
        &DEMO.1,
        Request::post("/api/search")
            .header(header::HOST, "localhost:7878")
            .body(Body::empty())
            .unwrap(),
    );
    assert_eq!(post.status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(post.json()["error"].as_str().unwrap().contains("GET"));
    let missing = get(&DEMO.1, "/api/nothing");
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.json()["error"].is_string());
}

#[test]
fn the_page_is_served_as_html() {
    let answer = get(&DEMO.1, "/");
    assert_eq!(answer.status, StatusCode::OK);
    assert!(
        answer.content_type.starts_with("text/html"),
        "{}",
        answer.content_type
    );
    let page = String::from_utf8(answer.body).unwrap();
    assert!(page.contains("<title>koe"));
    assert!(page.contains("Noto Sans CJK JP"), "a Japanese font stack");
    assert!(page.contains("/api/search"), "the script is inline");
}

#[test]
fn only_requests_for_this_server_are_answered() {
    for host in ["evil.example", "evil.example:7878", "192.168.1.20:7878"] {
        let answer = send(&DEMO.1, request("/api/metrics", host));
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{host}");
        let error = answer.json()["error"].as_str().unwrap().to_string();
        assert!(error.contains("--allow-host"), "{error}");
    }
    for host in ["localhost:7878", "127.0.0.1:7878", "[::1]:7878"] {
        assert_eq!(send(&DEMO.1, request("/", host)).status, StatusCode::OK);
    }
    let named = router(
        served(&DEMO.0),
        Hosts::new([127, 0, 0, 1].into(), &["koe.lan".into()]),
    );
    assert_eq!(
        send(&named, request("/api/metrics", "koe.lan:7878")).status,
        StatusCode::OK
    );
}

#[test]
fn every_answer_says_not_to_sniff_or_frame_it() {
    for uri in [
        "/",
        "/api/search?q=配送",
        "/api/search?q=id:*",
        "/api/nothing",
    ] {
        let answer = get(&DEMO.1, &query_uri(uri));
        let header = |name| {
            answer
                .headers
                .get(name)
                .map(|v| v.to_str().unwrap().to_string())
                .unwrap_or_default()
        };
        assert_eq!(header("x-content-type-options"), "nosniff", "{uri}");
        assert!(
            header("content-security-policy").contains("frame-ancestors 'none'"),
            "{uri}: {}",
            header("content-security-policy")
        );
        assert_eq!(header("x-frame-options"), "DENY", "{uri}");
    }
}

/// `uri` with its query's Japanese percent-encoded.
fn query_uri(uri: &str) -> String {
    match uri.split_once("?q=") {
        Some((path, q)) => format!("{path}?q={}", encode(q)),
        None => uri.to_string(),
    }
}

#[test]
fn a_new_generation_is_served_whole_once_published() {
    let out = analyse("serve-reload", &[]);
    let served = served(&out);
    let app = router(served.clone(), Hosts::new([127, 0, 0, 1].into(), &[]));
    let before = get(&app, "/api/metrics").json();
    assert_eq!(before["overall"]["records"], 400);
    assert_eq!(served.reload().unwrap(), None, "nothing newer yet");

    let dir = tempfile::tempdir().unwrap();
    let first: String = std::fs::read_to_string(common::DEMO)
        .unwrap()
        .lines()
        .take(80)
        .map(|l| format!("{l}\n"))
        .collect();
    let input = common::write(dir.path(), "first-80.jsonl", first);
    run_ok(
        koe()
            .args(["analyze", &input, "--quiet", "--out"])
            .arg(&out),
    );
    // Until it is loaded, the old generation is served whole.
    assert_eq!(get(&app, "/api/metrics").json(), before);
    assert_eq!(served.reload().unwrap(), Some(2));
    let metrics = get(&app, "/api/metrics").json();
    assert_eq!(metrics["overall"]["records"], 80);
    let all = get(&app, "/api/search?per_page=1").json();
    assert_eq!(all["total"], 80);
    let topics = get(&app, "/api/topics").json();
    assert_eq!(topics["overall"]["docs"], 80, "topics of the same run");
    for (id, label) in all["topic_labels"].as_object().unwrap() {
        let topic = topics["topics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["id"].as_u64() == id.parse().ok())
            .unwrap();
        assert_eq!(&topic["label"], label);
    }
}

#[test]
fn an_idle_connection_is_closed() {
    use std::io::{Read, Write};
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let address = listener.local_addr().unwrap();
    let app = DEMO.1.clone();
    runtime.spawn(koe::serve::run(
        listener,
        app,
        std::time::Duration::from_secs(1),
    ));

    // A request is answered.
    let mut busy = std::net::TcpStream::connect(address).unwrap();
    write!(
        busy,
        "GET /api/metrics HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    busy.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");

    // A connection that says nothing is closed after the idle timeout.
    let mut idle = std::net::TcpStream::connect(address).unwrap();
    idle.set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    let started = std::time::Instant::now();
    let mut buf = [0u8; 16];
    let read = idle.read(&mut buf);
    assert!(
        matches!(read, Ok(0)) || read.is_err() && started.elapsed().as_secs() < 9,
        "{read:?}"
    );
    assert!(
        started.elapsed().as_secs() < 9,
        "closed by the server, not the test"
    );
}
