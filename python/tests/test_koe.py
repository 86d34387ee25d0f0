"""The koe Python package against the koe CLI, on Japanese and English text.

Run after scripts/install-python.sh --test, with the koe binary built (`cargo build`;
KOE_BIN names another one): the tests run the CLI on the same inputs (an analysis of
the demo corpus, `koe eval` on a small labelled fixture) and check that Python gives the
same answers.
"""

import json
import os
import subprocess
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

import koe

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "corpora" / "shop-feedback.jsonl"
EVAL_FIXTURE = Path(__file__).resolve().parent / "fixtures" / "eval-small.tsv"
KOE_BIN = Path(os.environ.get("KOE_BIN", ROOT / "target" / "debug" / "koe"))


def cli(*args) -> str:
    if not KOE_BIN.is_file():
        pytest.fail(f"{KOE_BIN} is missing: run `cargo build` first (or set KOE_BIN)")
    return subprocess.run(
        [KOE_BIN, *map(str, args)], check=True, capture_output=True, text=True
    ).stdout


def test_the_readme_example_prints_languages_and_sentiments():
    ja, en = koe.analyze(["配送が遅い", "Great staff"])
    assert (ja["lang"], ja["sentiment"]) == ("ja", "negative")
    assert (en["lang"], en["sentiment"]) == ("en", "positive")


def test_analyze_gives_language_tokens_sentences_and_sentiment():
    ja, en = koe.analyze(["配送が遅い。二度と頼みません。", "Great staff, really helpful! The parking is awful."])
    assert "配送" in ja["tokens"] and "遅い" in ja["lemmas"]
    assert [s["text"] for s in ja["sentences"]] == ["配送が遅い。", "二度と頼みません。"]
    assert ja["sentiment"] == "negative" and ja["score"] < 0
    assert ja["sentences"][0]["sentiment"] == "negative"
    assert len(en["sentences"]) == 2
    assert en["sentences"][0]["sentiment"] == "positive"
    assert en["sentences"][1]["sentiment"] == "negative"
    assert 0 <= en["confidence"] <= 1
    forced = koe.analyze(["ok"], lang="ja")[0]
    assert forced["lang"] == "ja"


def test_score_takes_lists_pandas_and_arrow_alike_and_returns_arrow():
    texts = ["配送が遅くて困りました", "アプリがとても使いやすい", "The app keeps crashing. Awful.", "ok"]
    batch = koe.score(texts)
    assert isinstance(batch, pa.RecordBatch)
    assert batch.schema.names == ["lang", "sentiment", "score", "confidence"]
    assert batch.column("lang").to_pylist() == ["ja", "ja", "en", "en"]
    assert batch.column("sentiment").to_pylist()[:3] == ["negative", "positive", "negative"]
    for same in [
        pd.Series(texts),
        pd.Series(texts, dtype="string[pyarrow]"),
        pa.array(texts),
        pa.array(texts, pa.large_string()),
        pa.array(texts, pa.string_view()),
        pa.chunked_array([texts[:1], texts[1:]]),
        tuple(texts),
    ]:
        assert koe.score(same).equals(batch), type(same)
    frame = koe.score(texts, lang="en").to_pandas()
    assert list(frame["lang"]) == ["en"] * 4


def test_analyze_arrow_gives_what_analyze_gives_as_columns():
    texts = [
        "配送が遅い。二度と頼みません。",
        "Great staff, really helpful! The parking is awful.",
        "アプリがとても使いやすい",
        "ok",
    ]
    dicts = koe.analyze(texts)
    batch = koe.analyze_arrow(texts)
    assert isinstance(batch, pa.RecordBatch)
    assert batch.schema.names == [
        "lang", "sentiment", "score", "confidence", "sentences", "tokens", "lemmas", "normalized",
    ]
    assert batch.schema.field("tokens").type == pa.list_(pa.field("item", pa.string(), nullable=False))
    assert batch.num_rows == 4
    # The first four columns are score's; every row is analyze's dict.
    assert batch.select(["lang", "sentiment", "score", "confidence"]).equals(koe.score(texts))
    for row, doc in zip(batch.to_pylist(), dicts):
        assert row["sentences"] == [
            {"text": s["text"], "sentiment": s["sentiment"], "score": pytest.approx(s["score"])}
            for s in doc["sentences"]
        ]
        for key in ["lang", "sentiment", "tokens", "lemmas", "normalized"]:
            assert row[key] == doc[key], key
    assert "配送" in batch.column("tokens")[0].as_py()
    assert [s["text"] for s in batch.column("sentences")[0].as_py()] == ["配送が遅い。", "二度と頼みません。"]
    assert len(batch.column("sentences")[1].as_py()) == 2
    # Empty input: an empty batch with the same columns.
    empty = koe.analyze_arrow([])
    assert empty.num_rows == 0 and empty.schema.names == batch.schema.names
    with pytest.raises(ValueError, match="text 1 is null"):
        koe.analyze_arrow(pa.array(["fine", None]))


def test_analyze_dicts_share_repeated_strings_but_stay_independent():
    docs = koe.analyze(["the staff the staff", "the staff"])
    assert docs[0]["tokens"][0] == "the"
    # A word the texts repeat is one object; changing one dict leaves the others alone.
    assert docs[0]["tokens"][0] is docs[1]["tokens"][0]
    docs[0]["tokens"].append("x")
    assert docs[1]["tokens"] == ["the", "staff"]


def test_bad_input_is_a_clear_python_error():
    with pytest.raises(ValueError, match="unknown sentiment model"):
        koe.score(["hi"], model="no-such-model")
    with pytest.raises(ValueError, match="--sentiment auto"):
        koe.score(["hi"], model="auto")
    with pytest.raises(OSError, match="no-such-dir"):
        koe.score(["hi"], model="linear:/no-such-dir")
    with pytest.raises(ValueError, match="language"):
        koe.score(["hi"], lang="fr")
    with pytest.raises(TypeError, match="not one str"):
        koe.score("one string")
    with pytest.raises(TypeError, match="list of str"):
        koe.score([1, 2])
    with pytest.raises(ValueError, match="text 2 is null"):
        koe.score(pa.chunked_array([["fine"], ["ok", None]]))
    with pytest.raises(ValueError, match="2 texts but 1 labels"):
        koe.eval(["a", "b"], ["positive"])
    with pytest.raises(OSError):
        koe.open("/no/such/analysis")


def read_tsv(path):
    """The fixture as koe reads TSV: a header row, tab-separated, no quoting."""
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split("\t")
    return pd.DataFrame([line.split("\t") for line in lines[1:]], columns=header)


def test_eval_gives_the_figures_of_koe_eval_json():
    args = ["--resamples", "200", "--seed", "7"]
    expected = json.loads(cli("eval", "--data", EVAL_FIXTURE, "--json", "--quiet", *args))
    frame = read_tsv(EVAL_FIXTURE)
    got = koe.eval(frame, resamples=200, seed=7)
    assert got["docs"] == expected["docs"] == 22
    assert got["by_label"] == expected["by_label"]
    assert got["raw_labels"] == expected["raw_labels"]
    # One row's label is unknown: the CLI numbers file lines (header = 1), Python rows from 1.
    assert [b["line"] for b in expected["bad_lines"]] == [22]
    assert [b["line"] for b in got["bad_lines"]] == [21]
    (model,) = got["models"]
    (cli_model,) = expected["models"]
    for key in ["spec", "name", "metrics", "intervals", "by_lang"]:
        assert model[key] == cli_model[key], key
    assert set(model["by_lang"]) == {"ja", "en"}
    # The same labels as scoring the texts directly.
    known = frame[frame["label"] != "so-so"]
    predicted = koe.score(known["text"]).column("sentiment").to_pylist()
    gold = [{"4": "positive", "1": "negative"}.get(label, label) for label in known["label"]]
    right = sum(p == g for p, g in zip(predicted, gold))
    assert model["metrics"]["accuracy"] == pytest.approx(right / len(gold))


def test_eval_on_lists_with_star_ratings_and_a_label_map():
    texts = ["Love it, works great", "Broken on arrival", "壊れていて最悪です", "とても満足しています"]
    report = koe.eval(texts, [5, 1.0, "bad", 4], label_map="bad=negative", resamples=0)
    assert report["by_label"] == {"negative": 2, "positive": 2}
    assert report["comparisons"] == [] and report["models"][0]["intervals"] is None
    assert report["models"][0]["metrics"]["accuracy"] == 1.0


@pytest.fixture(scope="module")
def demo_analysis(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo") / "out"
    summary = cli("analyze", DEMO, "--out", out, "--sentiment", "lexicon",
                  "--emit", "parquet", "--json", "--quiet")
    return out, json.loads(summary)


def test_an_analysis_folder_searches_and_reads_like_the_cli(demo_analysis):
    out, summary = demo_analysis
    analysis = koe.open(out)
    assert analysis.generation == summary["generation"]
    assert analysis.summary()["indexed"] == summary["indexed"] == 400
    for query in ["配送", "refund"]:
        found = analysis.search(query, limit=5)
        expected = json.loads(cli("search", out, query, "-n", "5", "--json"))
        assert found["total"] == expected["total"] > 0, query
        assert [h["id"] for h in found["hits"]] == [h["id"] for h in expected["hits"]]
    negative = analysis.search("", sentiment="negative", lang="en", limit=3)
    assert negative["total"] > 3
    assert all(h["sentiment"] == "negative" and h["lang"] == "en" for h in negative["hits"])
    topics = analysis.topics()
    assert topics is not None and len(topics["topics"]) == summary["topics"] > 0
    topic = topics["topics"][0]["id"]
    in_topic = analysis.search("", topic=topic, limit=400)
    assert in_topic["total"] > 0
    assert all(topic in h["topics"] for h in in_topic["hits"])
    metrics = analysis.metrics()
    assert metrics["overall"]["records"] == summary["indexed"]
    with pytest.raises(ValueError, match="rating"):
        analysis.search("", min_rating=9)


def test_python_labels_records_as_the_cli_did(demo_analysis):
    out, summary = demo_analysis
    records = koe.open(out).records().to_pandas()
    assert len(records) == summary["indexed"]
    scored = koe.score(records["text"]).to_pandas()
    assert list(records["sentiment"]) == list(scored["sentiment"])
    assert list(records["lang"]) == list(scored["lang"])
    assert records["sentiment_score"].to_numpy() == pytest.approx(scored["score"].to_numpy(), abs=1e-6)


@pytest.fixture(scope="module")
def topic_model(tmp_path_factory):
    """A topic model fitted on the demo corpus (TF-IDF themes: quick, and what every
    machine has)."""
    model = tmp_path_factory.mktemp("model") / "model"
    cli("analyze", DEMO, "--out", model, "--sentiment", "lexicon", "--theme-vectors", "tfidf",
        "--quiet")
    return model


def demo_table() -> pa.Table:
    """The demo corpus as Arrow, its text column named `comment` (as a warehouse's may be)."""
    rows = [json.loads(line) for line in DEMO.read_text(encoding="utf-8").splitlines()]
    for row in rows:
        row["comment"] = row.pop("text")
    return pa.Table.from_pylist(rows)


def by_id(table: pa.Table, columns) -> dict:
    return {row["id"]: {c: row[c] for c in columns} for row in table.select(["id", *columns]).to_pylist()}


def test_a_shard_of_arrow_batches_is_what_koe_analyze_topics_from_gives(tmp_path, topic_model):
    table = demo_table()
    out = tmp_path / "shard"
    with koe.Shard(out, topics_from=topic_model, fields={"text": "comment"}, name="part-0") as shard:
        # Three batches; a row without text between them is a reject numbered over all.
        shard.add(table.slice(0, 150).to_batches()[0])
        shard.add(pa.RecordBatch.from_pylist([{"id": "empty", "comment": "  "}]))
        shard.add(table.slice(150))  # a Table: its batches in turn
    analysis = shard.close()
    assert shard.summary["indexed"] == 400 and shard.summary["rejected"] == 1
    assert shard.summary["inputs"] == ["part-0"]
    rejects = (Path(analysis.path) / f"gen-{analysis.generation:06d}" / "rejects.jsonl").read_text()
    assert json.loads(rejects)["line"] == 151 and json.loads(rejects)["file"] == "part-0"

    single = tmp_path / "single"
    cli("analyze", DEMO, "--out", single, "--sentiment", "lexicon", "--topics-from", topic_model,
        "--no-candidate-topics", "--emit", "parquet", "--quiet")
    columns = ["lang", "sentiment", "sentiment_score", "theme", "topics", "rating", "channel", "created_at"]
    expected = by_id(koe.open(single).records(), columns)
    batches = list(analysis.record_batches(batch_size=100))
    assert len(batches) == 4 and all(isinstance(b, pa.RecordBatch) for b in batches)
    got = by_id(pa.Table.from_batches(batches), columns)
    assert got == expected
    assert {r["lang"] for r in got.values()} == {"ja", "en"}
    assert sum(1 for r in got.values() if r["topics"]) > 100, "most records have topics"
    assert {r["theme"] for r in got.values()} - {None}, "records have themes"
    # The same hits with the same BM25 scores (ties come in either order).
    def hits(folder, query):
        found = koe.open(folder).search(query, limit=400)["hits"]
        return sorted((h["id"], round(h["relevance"], 4)) for h in found)

    for query in ["配送 遅い", "app crash"]:
        assert hits(out, query) and hits(out, query) == hits(single, query), query


def test_a_shard_refuses_what_it_cannot_analyse_and_publishes_nothing_on_error(tmp_path, topic_model):
    with pytest.raises(ValueError, match="columns: body"):
        with koe.Shard(tmp_path / "a", topics_from=topic_model) as shard:
            shard.add(pa.RecordBatch.from_pylist([{"body": "配送が遅い"}]))
    with pytest.raises(OSError):
        koe.open(tmp_path / "a")
    with pytest.raises(ValueError, match="linear:MODEL"):
        koe.Shard(tmp_path / "b", topics_from=topic_model, model="auto")
    with pytest.raises(ValueError, match="not one of koe's fields"):
        koe.Shard(tmp_path / "b", topics_from=topic_model, fields={"txt": "comment"})
    with pytest.raises(ValueError, match="duplicate-ids"):
        koe.Shard(tmp_path / "b", topics_from=topic_model, duplicate_ids="last")
    with pytest.raises(OSError):
        koe.Shard(tmp_path / "b", topics_from=tmp_path / "no-model")
    # The first record of an id is kept, the next one is a reject naming it.
    with koe.Shard(tmp_path / "c", topics_from=topic_model) as shard:
        shard.add(pa.RecordBatch.from_pylist([
            {"id": "x", "text": "配送が遅くて困りました"},
            {"id": "x", "text": "Great staff"},
        ]))
    assert shard.summary["indexed"] == 1 and shard.summary["rejected_by_reason"] == {"duplicate_id": 1}


def test_auto_learns_from_the_ratings_given_as_koe_analyze_does_from_the_dumps(tmp_path):
    rows = [json.loads(line) for line in DEMO.read_text(encoding="utf-8").splitlines()]
    texts = [row["text"] for row in rows]
    stars = pd.Series([row.get("rating") for row in rows], dtype="float")  # NaN: unrated
    batch = koe.score(texts, model="auto", ratings=stars)
    choice = json.loads(batch.schema.metadata[b"koe.sentiment_auto"])

    out = tmp_path / "auto"
    summary = json.loads(cli("analyze", DEMO, "--out", out, "--sentiment", "auto", "--no-topics",
                             "--emit", "parquet", "--json", "--quiet"))
    expected = summary["sentiment_auto"]
    assert choice["rated_records"] == expected["rated_records"] == stars.notna().sum()
    assert choice["languages"] == expected["languages"]
    records = koe.open(out).records()
    assert batch.column("sentiment").to_pylist() == records.column("sentiment").to_pylist()
    assert koe.analyze(texts[:2], model="auto", ratings=stars[:2])[0]["lang"] in ("ja", "en")

    with pytest.raises(ValueError, match="ratings"):
        koe.score(texts, model="auto")
    with pytest.raises(ValueError, match="2 texts but 1 ratings"):
        koe.score(texts[:2], model="auto", ratings=[5])
    with pytest.raises(ValueError, match="rating 9 of text 1"):
        koe.score(texts[:2], model="auto", ratings=[5, 9])
    with pytest.raises(ValueError, match="model='auto'"):
        koe.score(texts[:2], ratings=[5, 1])


def test_fit_topics_and_merge_indexes_do_what_koe_analyze_and_koe_index_merge_do(tmp_path):
    table = demo_table()
    # The fit, in process, from an Arrow table and from the file: koe analyze's model.
    model = koe.fit_topics(table, tmp_path / "model", model="lexicon",
                           fields={"text": "comment"}, theme_vectors="tfidf")
    assert isinstance(model, koe.Analysis)
    summary = model.summary()
    assert summary["indexed"] == 400 and summary["topics"] > 0
    cli_model = tmp_path / "cli-model"
    expected = json.loads(cli("analyze", DEMO, "--out", cli_model, "--sentiment", "lexicon",
                              "--theme-vectors", "tfidf", "--json", "--quiet"))
    assert summary["topics"] == expected["topics"] and summary["themes"] == expected["themes"]
    assert summary["by_sentiment"] == expected["by_sentiment"]
    topics = model.topics()
    assert [t["label"] for t in topics["topics"]] == [t["label"] for t in koe.open(cli_model).topics()["topics"]]

    # Two shards applying that model, merged: koe index merge's answer.
    shards = []
    for i, part in enumerate([table.slice(0, 200), table.slice(200)]):
        shard = koe.Shard(tmp_path / f"part-{i}", topics_from=model.path, fields={"text": "comment"})
        shard.add(part)
        shards.append(shard.close().path)
    merged = koe.merge_indexes(shards, tmp_path / "merged")
    assert merged.summary()["indexed"] == 400
    cli("index", "merge", *shards, "--out", tmp_path / "cli-merged")
    for query in ["配送 遅い", "app crash"]:
        got = merged.search(query, limit=400)
        want = koe.open(tmp_path / "cli-merged").search(query, limit=400)
        assert got["total"] == want["total"] > 0, query
        assert [(h["id"], h["relevance"]) for h in got["hits"]] == [
            (h["id"], h["relevance"]) for h in want["hits"]
        ], query
    assert merged.topics()["topics"] == koe.open(tmp_path / "cli-merged").topics()["topics"]

    with pytest.raises(ValueError, match="theme-vectors"):
        koe.fit_topics(DEMO, tmp_path / "bad", theme_vectors="no-such-vectors")
    with pytest.raises(OSError, match="does not exist"):
        koe.fit_topics(tmp_path / "missing.jsonl", tmp_path / "bad")
    with pytest.raises(TypeError, match="list of shard folders"):
        koe.merge_indexes(shards[0], tmp_path / "bad")
    other = koe.fit_topics(DEMO, tmp_path / "other-model", model="lexicon", theme_vectors="tfidf",
                           min_topic_size=30)
    odd = koe.Shard(tmp_path / "odd", topics_from=other.path)
    odd.add(table.slice(0, 10).rename_columns(["text" if c == "comment" else c for c in table.column_names]))
    odd.close()
    with pytest.raises(ValueError, match="cannot merge"):
        koe.merge_indexes([shards[0], tmp_path / "odd"], tmp_path / "bad")


def test_fit_records_fits_a_sample_and_shards_apply_a_model_a_piece_at_a_time(tmp_path):
    table = demo_table()
    # Past fit_records, the model is fitted on that many records (those of smallest text
    # hash), as koe analyze --fit-records does, and applied to every record.
    pieces = koe.fit_topics(table, tmp_path / "pieces", model="lexicon",
                            fields={"text": "comment"}, theme_vectors="tfidf", fit_records=150)
    assert pieces.summary()["topic_sample"] == 150
    assert pieces.summary()["indexed"] == 400
    expected = json.loads(cli("analyze", DEMO, "--out", tmp_path / "cli", "--sentiment", "lexicon",
                              "--theme-vectors", "tfidf", "--fit-records", "150", "--json",
                              "--quiet"))
    assert expected["topic_sample"] == 150
    assert [t["label"] for t in pieces.topics()["topics"]] == [
        t["label"] for t in koe.open(tmp_path / "cli").topics()["topics"]
    ]

    # A shard applying a model 50 records at a time gives each record and each topic
    # what one piece gives.
    shards = []
    for name, fit_records in [("one-piece", None), ("pieces-of-50", 50)]:
        shard = koe.Shard(tmp_path / name, topics_from=pieces.path, fields={"text": "comment"},
                          fit_records=fit_records)
        shard.add(table)
        shards.append(shard.close())
    whole, small = shards
    by_id = lambda a: sorted(a.search("*", limit=400)["hits"], key=lambda h: h["id"])
    assert by_id(small) == by_id(whole) and len(by_id(whole)) == 400
    figures = lambda a: [(t["id"], t["size"], t["nps"], t["impact"]) for t in a.topics()["topics"]]
    assert figures(small) == figures(whole) and len(figures(whole)) >= 2
    with pytest.raises(ValueError, match="fit_records must be at least 1"):
        koe.Shard(tmp_path / "bad", topics_from=pieces.path, fit_records=0)
    with pytest.raises(ValueError, match="fit_records must be at least 1"):
        koe.fit_topics(DEMO, tmp_path / "bad", fit_records=0)
