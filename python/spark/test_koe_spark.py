"""The Spark job in local mode agrees with `koe analyze` on the same input: the same
records, sentiment, themes and topics (given the job's fitted model) and search hits.

The partitions are analysed by the koe Python package (`koe.Shard`) in Spark's Python
workers, and the driver fits and merges with it (`koe.fit_topics`, `koe.merge_indexes`);
the single-machine run it is checked against is the koe CLI's. Run from the repository root after
`cargo test` (which builds target/debug/koe), scripts/install-python.sh and
scripts/setup-spark.sh (into one venv):  .venv/bin/python -m pytest python/spark
"""

import json
import os
import subprocess
from pathlib import Path

import pyarrow.parquet as pq

import koe_spark

ROOT = Path(__file__).resolve().parents[2]
KOE = os.environ.get("KOE_BIN", str(ROOT / "target" / "debug" / "koe"))
# 400 Japanese and English records kept in the repository.
DEMO = ROOT / "corpora" / "shop-feedback.jsonl"
# The flags of the job's fit (after `--`); the single run gets the same.
ALIKE = ["--theme-vectors", "tfidf"]


def koe(*args):
    return subprocess.run([KOE, *args], check=True, capture_output=True, text=True).stdout


def hits(folder, query):
    """Every hit of `query`, by id, without `origin` (file and line differ between the
    partition files and the whole) and with BM25 scores to 4 decimals."""
    found = json.loads(koe("search", str(folder), query, "--json", "-n", "1000"))["hits"]
    for hit in found:
        del hit["origin"]
        hit["relevance"] = round(hit["relevance"], 4)
    return sorted(found, key=lambda h: h["id"])


def by_id(table):
    columns = ["lang", "sentiment", "sentiment_score", "theme", "topics", "rating", "channel"]
    rows = table.select(["id", *columns]).to_pylist()
    return {r["id"]: {c: r[c] for c in columns} for r in rows}


def corrected(dump, tmp_path):
    """`dump` with three of its first records given again at the end, corrected (the
    same id, another text and rating): a re-export, which koe counts once, the last."""
    lines = Path(dump).read_text(encoding="utf-8").splitlines()
    fixes = ["配送は翌日に届きました。梱包も丁寧でした。", "The app works fine after the update.",
             "スタッフの説明がとても分かりやすかったです。"]
    for line, text in zip(lines[:3], fixes):
        record = json.loads(line)
        record.update(text=text, rating=5)
        lines.append(json.dumps(record, ensure_ascii=False))
    path = tmp_path / "corrected.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_spark_job_agrees_with_koe_analyze(tmp_path):
    assert Path(KOE).is_file(), f"{KOE} missing: run `cargo test` (or set KOE_BIN) first"
    dump = corrected(DEMO, tmp_path)
    out = tmp_path / "spark"
    # Each task applies the model 60 records at a time (partitions of about 130
    # records), which must not change a record's results.
    timing = koe_spark.main([
        str(dump), "--out", str(out), "--master", "local[2]", "--partitions", "3",
        "--sample-rows", "300", "--fit-records", "60", "--", *ALIKE,
    ])
    assert timing["records"] == 403
    assert timing["duplicate_ids"] == 3
    assert timing["partitions"] == 3
    assert timing["indexed"] == 400

    # One machine, the same input, the model the job fitted on its sample.
    single = tmp_path / "single"
    koe("analyze", str(dump), "--out", str(single), "--sentiment", "lexicon",
        "--topics-from", str(out / "model"), "--no-candidate-topics",
        "--emit", "parquet", "--quiet", *ALIKE)
    generation = koe_spark.current_generation(single)
    expected = by_id(pq.read_table(generation / "records.parquet"))
    spark_records = by_id(pq.read_table(out / "records"))
    assert len(spark_records) == 400
    assert spark_records == expected
    langs = {r["lang"] for r in expected.values()}
    assert langs == {"ja", "en"}
    assert sum(1 for r in expected.values() if r["topics"]) > 100, "most records have topics"
    # The corrections, not the records they replace.
    first = json.loads(DEMO.read_text(encoding="utf-8").splitlines()[0])
    assert spark_records[first["id"]]["rating"] == 5

    # The merged index: the same records with the same themes and topics, and the same
    # hits for Japanese and English queries.
    merged = out / "analysis"
    assert hits(merged, "*") == hits(single, "*")
    for query in ["配送 遅い", "スタッフ", "app crash"]:
        expected_hits = hits(single, query)
        assert expected_hits, query
        assert hits(merged, query) == expected_hits, query
