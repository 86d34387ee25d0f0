"""koe on Apache Spark: analyse a review dump across executors, one index shard per
partition, merged into one analysis folder.

    python python/spark/koe_spark.py DUMP --out OUT [--master local[2]] [--partitions N]
        [--sample-rows N] [--sentiment lexicon] [--field text=comment ...] [--period month]
        [--threads 1] [--fit-records N] [-- FIT_FLAGS...]

What runs where (see the README's "Scaling"):

1. Driver: reads DUMP (Parquet, or JSON Lines) as a DataFrame, takes a sample of
   ``--sample-rows`` records and fits the topic model on it once, with
   ``koe.fit_topics(SAMPLE, OUT/model)`` — ``koe analyze SAMPLE --out OUT/model`` in
   process (and, with ``--sentiment auto``, the linear sentiment models its ratings
   allow). The fitted model folder is broadcast.
2. Executors, one task per partition (``mapInArrow``: Arrow batches in and out): the
   Python package analyses the partition's batches in process, ``koe.Shard(
   OUT/shards/part-NNNNN, topics_from=MODEL)`` — what ``koe analyze PART --topics-from
   MODEL --no-candidate-topics --emit parquet`` does with a file of them, the same code
   — with the same sentiment and topic model on every executor, so a record's results
   never depend on its partition; the shard's records (``records.parquet``) go back to
   Spark as Arrow batches. Each Python worker loads the dictionary and models once.
3. Spark writes the analysed records as Parquet (``OUT/records/``), one row per record:
   id, text, language, sentiment label, score and confidence, topic ids, survey fields.
4. Driver: ``koe.merge_indexes(OUT/shards/*, OUT/analysis)`` (``koe index merge``)
   joins the shards into one analysis folder that ``koe search``, ``koe topics``,
   ``koe report`` and ``koe serve`` open.

Driver and executors need only the ``koe`` package in their Python (PYSPARK_PYTHON; this
interpreter by default), no koe binary. ``--field KOE=COLUMN`` maps a column to one of
koe's fields (``--field text=comment``) and ``--period`` sets the trend buckets, for the
fit and every shard alike; flags after ``--`` are the fit's only, named as ``koe
analyze``'s (``--theme-vectors tfidf``, ``--min-topic-size 20``, ``--threads 2``: the
shards apply what it fitted). ``--threads`` is koe's threads per task (default 1: Spark
runs a task per core). ``--fit-records N`` has a task apply the model N records at a
time (``koe analyze --fit-records``; koe's default, 100,000, when not given), which bounds
the memory of a large partition. OUT must be on storage every
executor and the driver share (a local folder in local mode; NFS or a mounted bucket on
a cluster). Spark's own options (``--master``, executor memory) come from
``spark-submit`` or the flags below.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import pyarrow as pa

# The analysed records as Spark holds them: records.parquet's columns, with the unsigned
# integers Spark has no type for widened to signed ones.
RECORDS_DDL = (
    "id string, text string, lang string, sentiment string, sentiment_score float, "
    "sentiment_confidence float, theme bigint, topics array<bigint>, categories array<string>, "
    "rating int, nps int, effort int, channel string, stage string, product string, "
    "created_at timestamp, source_file string, source_line bigint"
)
RECORDS_ARROW = pa.schema(
    [
        ("id", pa.string()),
        ("text", pa.string()),
        ("lang", pa.string()),
        ("sentiment", pa.string()),
        ("sentiment_score", pa.float32()),
        ("sentiment_confidence", pa.float32()),
        ("theme", pa.int64()),
        ("topics", pa.list_(pa.int64())),
        ("categories", pa.list_(pa.string())),
        ("rating", pa.int32()),
        ("nps", pa.int32()),
        ("effort", pa.int32()),
        ("channel", pa.string()),
        ("stage", pa.string()),
        ("product", pa.string()),
        ("created_at", pa.timestamp("us", tz="UTC")),
        ("source_file", pa.string()),
        ("source_line", pa.int64()),
    ]
)


def fit_options(flags: list[str]) -> tuple[dict, int | None]:
    """The fit's flags (after ``--``), named as ``koe analyze``'s, as ``koe.fit_topics``'s
    keywords; and ``--threads``, koe's threads on the driver."""
    parser = argparse.ArgumentParser(prog="koe_spark.py ... --", add_help=False)
    for flag in ("--topic-vectors", "--theme-vectors", "--ja-en-dictionary"):
        parser.add_argument(flag)
    for flag in ("--min-topic-size", "--themes", "--max-topics", "--seed", "--threads"):
        parser.add_argument(flag, type=int)
    given = vars(parser.parse_args(flags))
    threads = given.pop("threads")
    return {k: v for k, v in given.items() if v is not None}, threads


def current_generation(folder: Path) -> Path:
    pointer = json.loads((folder / "analysis.json").read_text())
    return folder / pointer["folder"]


def pack_model(folder: Path) -> dict[str, bytes]:
    """The files of an analysis folder's current generation that shards need (the topic
    model, the learnt sentiment models), for broadcasting."""
    generation = current_generation(folder)
    files = {}
    for path in generation.rglob("*"):
        relative = path.relative_to(generation)
        if path.is_file() and relative.parts[0] in ("topic-model.cbor", "sentiment-model"):
            files[str(relative)] = path.read_bytes()
    files["summary.json"] = (generation / "summary.json").read_bytes()
    return files


def unpack_model(files: dict[str, bytes], folder: Path) -> Path:
    """Writes a broadcast model as an analysis folder (once per executor process)."""
    if (folder / "analysis.json").is_file():
        return folder
    staging = folder.with_name(folder.name + f".tmp-{os.getpid()}")
    generation = staging / "gen-000001"
    for name, data in files.items():
        (generation / name).parent.mkdir(parents=True, exist_ok=True)
        (generation / name).write_bytes(data)
    (staging / "analysis.json").write_text(
        json.dumps({"format": "koe-analysis/1", "generation": 1, "folder": "gen-000001"})
    )
    try:
        staging.rename(folder)
    except OSError:  # another task of this executor was first
        shutil.rmtree(staging, ignore_errors=True)
    return folder


def analyse_partition(model_files, model_digest, shards, sentiment, fields, period, threads,
                      fit_records):
    """The ``mapInArrow`` function: one partition's Arrow batches → one index shard (the
    ``koe`` package, in this Python worker), and the shard's records back as Arrow
    batches."""

    def analyse(batches):
        from pyspark import TaskContext

        # koe's worker threads, read when koe first runs in this process.
        os.environ.setdefault("RAYON_NUM_THREADS", str(threads))
        import koe

        name = f"part-{TaskContext.get().partitionId():05d}"
        shard = None
        try:
            for batch in batches:
                if shard is None:
                    # Named by its content: a later job with another model never reuses it.
                    model = unpack_model(
                        model_files.value,
                        Path(tempfile.gettempdir()) / f"koe-model-{model_digest}",
                    )
                    folder = Path(shards) / name
                    if folder.exists():  # a retried task starts its shard again
                        shutil.rmtree(folder)
                    shard = koe.Shard(folder, topics_from=model,
                                      model=sentiment.format(model=model),
                                      fields=fields, period=period, name=name,
                                      fit_records=fit_records)
                shard.add(batch)
        except BaseException:
            if shard is not None:
                shard.abandon()
            raise
        if shard is None:
            return  # an empty partition: no shard
        for batch in shard.close().record_batches():
            yield pa.Table.from_batches([batch]).cast(RECORDS_ARROW).to_batches()[0]

    return analyse


def shard_sentiment(sentiment: str, model: Path) -> str:
    """What every shard scores with: with `auto`, what the driver's fit learnt (the
    linear models it saved, else the lexicon); any other model as given."""
    if sentiment != "auto":
        return sentiment
    learnt = current_generation(model) / "sentiment-model"
    # {model}: the broadcast model folder, as each executor writes it out.
    return "linear:{model}" if learnt.is_dir() else "lexicon"


def keep_last_per_id(df, id_column: str):
    """Of the rows that share an id, the last in the order Spark reads the dump (for one
    file, the file's order), as ``koe analyze``'s default ``--duplicate-ids last`` keeps;
    rows without an id (null or empty) are all kept. Returns the rows kept, in the
    dump's order, and how many were dropped; ``df`` itself when none were (or it has no
    such column)."""
    if id_column not in df.columns:
        return df, 0
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    has_id = F.col(id_column).isNotNull() & (F.col(id_column).cast("string") != "")
    with_id = df.where(has_id)
    repeated = with_id.count() - with_id.select(id_column).distinct().count()
    if repeated == 0:
        return df, 0
    row, last = "__koe_row", "__koe_last"
    numbered = df.withColumn(row, F.monotonically_increasing_id())
    numbered = numbered.withColumn(last, F.max(row).over(Window.partitionBy(id_column)))
    kept = numbered.where(~has_id | (F.col(row) == F.col(last)))
    return kept.orderBy(row).drop(row, last), repeated


def main(argv: list[str] | None = None) -> dict:
    argv = sys.argv[1:] if argv is None else argv
    koe_args: list[str] = []
    if "--" in argv:
        at = argv.index("--")
        argv, koe_args = argv[:at], argv[at + 1 :]
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dump", help="Parquet file or folder, or JSON Lines file")
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--master", default=None, help="e.g. local[2] (default: spark-submit's)")
    parser.add_argument("--partitions", type=int, default=None)
    parser.add_argument("--sample-rows", type=int, default=20_000,
                        help="records the topic model is fitted on (default 20000)")
    parser.add_argument("--sentiment", default="lexicon",
                        help="lexicon (default), auto (learnt on the sample), linear:DIR, ...")
    parser.add_argument("--field", action="append", default=[], metavar="KOE=COLUMN",
                        help="the column holding one of koe's fields (text=comment); repeatable")
    parser.add_argument("--period", default="month", help="trend buckets: month or week")
    parser.add_argument("--threads", type=int, default=1,
                        help="koe's threads per Spark task (default 1)")
    parser.add_argument("--fit-records", type=int, default=None,
                        help="records a task applies the topic model to at a time "
                             "(default: koe's, 100,000)")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    fields = {}
    for field in args.field:
        name, equals, column = field.partition("=")
        if not (name and equals and column):
            parser.error(f"--field {field!r}: give KOE=COLUMN, such as text=comment")
        fields[name] = column
    fit, fit_threads = fit_options(koe_args)
    if fit_threads:  # read when koe first runs in this process
        os.environ["RAYON_NUM_THREADS"] = str(fit_threads)
    import koe

    from pyspark.sql import SparkSession

    # Python workers run this interpreter (with pyarrow) unless spark-submit says otherwise.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)

    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    builder = SparkSession.builder.appName("koe")
    if args.master:
        builder = builder.master(args.master)
    # A Python worker runs task after task; with glibc's default of one malloc arena per
    # thread, the memory each task frees is not all reused by the next and the worker's
    # peak creeps up task by task. Two arenas keep it flat (set it yourself to override).
    os.environ.setdefault("MALLOC_ARENA_MAX", "2")
    builder = builder.config("spark.executorEnv.MALLOC_ARENA_MAX", os.environ["MALLOC_ARENA_MAX"])
    spark = builder.config("spark.ui.enabled", "false").getOrCreate()
    # Executors import this file for the partition function.
    spark.sparkContext.addPyFile(__file__)
    started = time.monotonic()
    try:
        reader = spark.read
        dump = str(Path(args.dump).resolve())
        df = reader.parquet(dump) if not dump.endswith((".jsonl", ".ndjson", ".json")) else reader.json(dump)
        partitions = args.partitions or df.rdd.getNumPartitions()
        rows = df.count()
        # Records sharing an id are one record given twice: keep one, as koe analyze does,
        # before the partitions split them (the merge refuses an id in two shards).
        df, duplicates = keep_last_per_id(df, fields.get("id", "id"))
        if args.partitions or duplicates:
            df = df.repartition(partitions)

        # 1. Fit once, on the driver, on a sample.
        fraction = min(1.0, args.sample_rows / max(rows - duplicates, 1))
        sample = df.sample(fraction=fraction, seed=args.seed) if fraction < 1.0 else df
        model = out / "model"
        shutil.rmtree(model, ignore_errors=True)
        koe.fit_topics(sample.toArrow(), model, model=args.sentiment, fields=fields,
                       period=args.period, **fit)
        sentiment = shard_sentiment(args.sentiment, model)
        files = pack_model(model)
        digest = hashlib.sha256(
            b"".join(name.encode() + b"\0" + data for name, data in sorted(files.items()))
        ).hexdigest()[:16]
        model_files = spark.sparkContext.broadcast(files)
        fitted = time.monotonic()

        # 2–3. Analyse every partition; write the records.
        shards = out / "shards"
        shutil.rmtree(shards, ignore_errors=True)
        shards.mkdir()
        analysed = df.mapInArrow(
            analyse_partition(model_files, digest, str(shards), sentiment, fields,
                              args.period, args.threads, args.fit_records),
            RECORDS_DDL,
        )
        analysed.write.mode("overwrite").parquet(str(out / "records"))
        analysed_at = time.monotonic()

        # 4. One index.
        parts = sorted(str(p) for p in shards.iterdir())
        merged = koe.merge_indexes(parts, out / "analysis").summary()
        done = time.monotonic()
    finally:
        spark.stop()
    timing = {
        "records": rows,
        "duplicate_ids": duplicates,
        "partitions": len(parts),
        "fit_s": round(fitted - started, 2),
        "analyse_s": round(analysed_at - fitted, 2),
        "merge_s": round(done - analysed_at, 2),
        "total_s": round(done - started, 2),
        "docs_per_s": round(rows / (done - started), 1),
        "indexed": merged["indexed"],
        "rejected": merged["rejected"],
    }
    print(json.dumps(timing))
    return timing


if __name__ == "__main__":
    main()
