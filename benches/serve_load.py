#!/usr/bin/env python3
"""Latency of `koe serve` under a bounded load of varied searches.

    benches/serve_load.py                       # 100k records, 4 clients, 20 s
    benches/serve_load.py --records 20000 --clients 2 --duration 10

Generates a corpus with benches/gen_corpus.py (kept in target/bench-serve/), analyses it
with the release binary (once; the analysis is kept too), starts `koe serve` on a free
port, and runs CLIENTS closed-loop clients (each a thread with one keep-alive HTTP
connection) for DURATION seconds. Each request is drawn from a fixed mix: Japanese and
English queries, with and without facet filters (sentiment, channel, topic, language,
rating and date ranges), the first three pages, and the pain-point and metrics endpoints
now and then. Prints requests/s and mean, p50, p90, p99 and max latency in ms, overall
and per kind of request. Deterministic request mix for a given --seed.

The clients run on the same machine as the server (Python threads, one core's worth at
most): the figures are what a browser on the analyst's machine would see, not the
server's limit. Python 3.11, standard library only.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

JAPANESE = ["配送", "遅い", "配送 遅い", "返品", "アプリ", "対応", "品質", "梱包", "送料",
            "届く", "スタッフ 親切", "アプリ 落ちる", "返金", "注文", "満足"]
ENGLISH = ["delivery", "late delivery", "refund", "app crash", "support", "fee", "damaged",
           "staff", "checkout", "quality", "\"hidden fee\"", "return -refund"]


def request_mix(rng: random.Random, topic_ids: list[int], channels: list[str]) -> tuple[str, str]:
    """One request: (kind, path with query)."""
    roll = rng.random()
    if roll < 0.03:
        return "topics", "/api/topics"
    if roll < 0.05:
        return "metrics", "/api/metrics"
    params: list[tuple[str, str]] = []
    kind = "search"
    lang = rng.random()
    if lang < 0.45:
        params.append(("q", rng.choice(JAPANESE)))
        kind += " ja"
    elif lang < 0.85:
        params.append(("q", rng.choice(ENGLISH)))
        kind += " en"
    else:
        kind += " all"
    if rng.random() < 0.5:
        kind += "+facets"
        if rng.random() < 0.5:
            params.append(("sentiment", rng.choice(["negative", "neutral", "positive"])))
        if channels and rng.random() < 0.4:
            params.append(("channel", rng.choice(channels)))
        if topic_ids and rng.random() < 0.3:
            params.append(("topic", str(rng.choice(topic_ids))))
        if rng.random() < 0.2:
            params.append(("lang", rng.choice(["ja", "en"])))
        if rng.random() < 0.2:
            params += [("min_rating", "1"), ("max_rating", str(rng.randint(1, 3)))]
        if rng.random() < 0.2:
            month = rng.randint(5, 10)
            params += [("since", f"2026-{month:02}-01"), ("until", f"2026-{month:02}-28")]
    page = rng.choice([1, 1, 1, 2, 3])
    if page > 1:
        params.append(("page", str(page)))
    return kind, "/api/search?" + urllib.parse.urlencode(params)


def percentile(sorted_ms: list[float], p: float) -> float:
    if not sorted_ms:
        return float("nan")
    k = min(len(sorted_ms) - 1, max(0, round(p / 100 * (len(sorted_ms) - 1))))
    return sorted_ms[k]


def line(name: str, ms: list[float], seconds: float) -> str:
    ms = sorted(ms)
    return (f"{name:<22} {len(ms):>8} {len(ms) / seconds:>9.1f} {statistics.fmean(ms):>8.2f} "
            f"{percentile(ms, 50):>8.2f} {percentile(ms, 90):>8.2f} {percentile(ms, 99):>8.2f} "
            f"{ms[-1]:>8.2f}")


def prepare(records: int, seed: int, koe: Path) -> Path:
    work = ROOT / "target" / "bench-serve"
    work.mkdir(parents=True, exist_ok=True)
    corpus = work / f"gen-{records}.jsonl"
    out = work / f"out-{records}"
    if not corpus.exists():
        subprocess.run([sys.executable, str(ROOT / "benches" / "gen_corpus.py"), "--records",
                        str(records), "--seed", str(seed), "--out", str(corpus)], check=True)
    if not (out / "analysis.json").exists():
        started = time.perf_counter()
        subprocess.run([str(koe), "analyze", str(corpus), "--out", str(out), "--quiet"],
                       check=True, stdout=subprocess.DEVNULL)
        print(f"serve_load: analysed {records} records in {time.perf_counter() - started:.0f} s",
              file=sys.stderr)
    return out


def current_generation(out: Path) -> Path:
    """The folder of an analysis folder's current generation (analysis.json names it)."""
    return out / json.loads((out / "analysis.json").read_text())["folder"]


def koe_binary() -> Path:
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "koe"], cwd=ROOT, check=True)
    return target / "release" / "koe"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--duration", type=float, default=20.0, help="seconds of load")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--koe", type=Path, help="koe binary to run (default: cargo build --release)")
    ap.add_argument("--analysis", type=Path, help="serve this analysis folder instead of a "
                    "generated corpus's")
    args = ap.parse_args()

    koe = args.koe or koe_binary()
    out = args.analysis or prepare(args.records, args.seed, koe)
    records = json.loads((current_generation(out) / "summary.json").read_text())["indexed"]
    started = time.perf_counter()
    server = subprocess.Popen([str(koe), "serve", str(out), "--port", "0"],
                              stdout=subprocess.PIPE, text=True)
    try:
        url = urllib.parse.urlsplit(server.stdout.readline().strip())
        print(f"serve_load: koe serve ready in {time.perf_counter() - started:.1f} s at "
              f"{url.geturl()}", file=sys.stderr)
        host, port = url.hostname, url.port

        def get(conn: http.client.HTTPConnection, path: str) -> bytes:
            conn.request("GET", path)
            response = conn.getresponse()
            body = response.read()
            if response.status != 200:
                raise RuntimeError(f"{path}: {response.status} {body[:200]!r}")
            return body

        probe = http.client.HTTPConnection(host, port, timeout=30)
        topics = json.loads(get(probe, "/api/topics"))["topics"]
        channels = list(json.loads(get(probe, "/api/search?per_page=1"))["facets"]["channel"])
        topic_ids = [t["id"] for t in topics]
        for _ in range(20):  # warm the page cache and the searcher
            get(probe, "/api/search?" + urllib.parse.urlencode({"q": "配送"}))
        probe.close()

        results: list[list[tuple[str, float]]] = [[] for _ in range(args.clients)]
        errors: list[str] = []
        deadline = time.perf_counter() + args.duration

        def client(i: int) -> None:
            rng = random.Random(args.seed * 1000 + i)
            conn = http.client.HTTPConnection(host, port, timeout=30)
            while time.perf_counter() < deadline:
                kind, path = request_mix(rng, topic_ids, channels)
                t0 = time.perf_counter()
                try:
                    get(conn, path)
                except Exception as e:  # noqa: BLE001  (counted and reported)
                    errors.append(str(e))
                    conn.close()
                    conn = http.client.HTTPConnection(host, port, timeout=30)
                    continue
                results[i].append((kind, (time.perf_counter() - t0) * 1000))
            conn.close()

        load_start = time.perf_counter()
        threads = [threading.Thread(target=client, args=(i,)) for i in range(args.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        seconds = time.perf_counter() - load_start
    finally:
        server.terminate()
        server.wait(timeout=30)

    samples = [s for r in results for s in r]
    print(f"koe serve, {records} records, {args.clients} clients, {seconds:.1f} s, "
          f"{len(errors)} errors")
    print(f"{'requests':<22} {'n':>8} {'req/s':>9} {'mean':>8} {'p50':>8} {'p90':>8} "
          f"{'p99':>8} {'max':>8}   (ms)")
    print(line("all", [ms for _, ms in samples], seconds))
    for kind in sorted({k for k, _ in samples}):
        print(line(kind, [ms for k, ms in samples if k == kind], seconds))
    for e in errors[:5]:
        print("error:", e, file=sys.stderr)
    if errors:
        sys.exit(1)


if __name__ == "__main__":
    main()
