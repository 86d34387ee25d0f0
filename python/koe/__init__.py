"""koe: voice-of-customer text mining for Japanese and English feedback, from Python.

The library behind the ``koe`` command line, in process:

    >>> import koe
    >>> [d["lang"] for d in koe.analyze(["配送が遅い", "Great staff"])]
    ['ja', 'en']
    >>> koe.score(["配送が遅い", "Great staff"]).column("sentiment").to_pylist()
    ['negative', 'positive']

* ``analyze(texts)``: language, tokens, lemmas, sentences with their sentiment, and the
  document's sentiment, per text (a list of dicts).
* ``analyze_arrow(texts)``: the same as one ``pyarrow.RecordBatch`` built in Rust (tokens
  as a list<string> column): no Python object per token, the fast form.
* ``score(texts, model=...)``: document sentiment as a ``pyarrow.RecordBatch`` (``lang``,
  ``sentiment``, ``score``, ``confidence``); ``.to_pandas()`` makes a DataFrame.
* ``eval(data, models=[...])``: ``koe eval`` on a DataFrame (``text`` and ``label``
  columns) or on ``(texts, labels)``: the figures of ``koe eval --json``.
* ``open(folder)``: an analysis folder written by ``koe analyze``: ``.search(query)``,
  ``.topics()``, ``.metrics()``, ``.summary()``, ``.records()``, ``.record_batches()``.
* ``Shard(out, topics_from=MODEL)``: Arrow record batches (a Spark partition's) analysed
  into an analysis folder as ``koe analyze --topics-from MODEL --no-candidate-topics
  --emit parquet`` analyses a file of them; ``koe index merge`` joins the shards.

* ``fit_topics(sample, out)`` and ``merge_indexes(shards, out)``: ``koe analyze SAMPLE
  --out MODEL`` and ``koe index merge``, the steps before and after the shards.

``texts`` may be a list of str, a pandas Series, or a pyarrow ``Array`` /
``ChunkedArray`` of strings (read in place through the Arrow C data interface). Models
are koe's specs: ``lexicon`` (the default), ``linear:<dir>`` (a model of ``koe train
sentiment``, or an analysis folder whose ``--sentiment auto`` run learnt one),
``transformer:<dir>`` (a koe built with the ``transformer`` feature), or ``auto`` with
``ratings=`` (one 1–5 star rating or None per text): a linear model per language learnt
from the rated texts where it beats the lexicon on held-out ones, as ``koe analyze
--sentiment auto`` learns from a dump's ratings (300 rated texts per class and language
at least; ``score``'s schema metadata ``koe.sentiment_auto`` says what it chose). The
work runs on koe's threads with the GIL released.
"""

from __future__ import annotations

import json
import os
from typing import Any, Optional, Sequence

from . import _native

__version__ = _native.__version__
__all__ = [
    "analyze",
    "analyze_arrow",
    "score",
    "eval",
    "open",
    "Analysis",
    "Shard",
    "fit_topics",
    "merge_indexes",
    "__version__",
]


def _texts(texts: Any) -> Any:
    """What the native half reads: a list of str, or pyarrow string arrays in place.

    A pandas Series backed by Arrow (``string[pyarrow]``) hands over its arrays; any
    other Series hands over its str objects (a list of references, not of copies).
    """
    if isinstance(texts, str):
        raise TypeError("koe expects a list of texts, not one str: wrap it in [ ]")
    if isinstance(texts, list):
        return texts
    if hasattr(texts, "chunks"):  # pyarrow.ChunkedArray
        return texts.chunks
    if hasattr(texts, "__arrow_c_array__"):  # pyarrow.Array, or any Arrow array
        return texts
    dtype = getattr(texts, "dtype", None)
    if dtype is not None and "pyarrow" in str(dtype):  # pandas Series on Arrow
        import pyarrow

        return pyarrow.chunked_array(pyarrow.array(texts)).chunks
    tolist = getattr(texts, "tolist", None)  # pandas Series, numpy array
    if tolist is not None:
        return tolist()
    return list(texts)


def _ratings(ratings: Any) -> Optional[list]:
    """Star ratings as the native half reads them: int or None (NaN, a missing value)."""
    if ratings is None:
        return None
    values = ratings.tolist() if hasattr(ratings, "tolist") else list(ratings)
    out = []
    for value in values:
        if value is None or (isinstance(value, float) and value != value):
            out.append(None)
        elif isinstance(value, float) and value.is_integer():
            out.append(int(value))
        else:
            out.append(value)
    return out


def analyze(
    texts: Any,
    *,
    model: str = "lexicon",
    lang: Optional[str] = None,
    ratings: Optional[Sequence[Any]] = None,
) -> list:
    """Language, tokens, sentences and sentiment of each text (a list of dicts).

    Each dict: ``lang``, ``sentiment`` (negative / neutral / positive), ``score``
    (−1…1), ``confidence`` (0…1), ``sentences`` (each with ``text``, ``sentiment``,
    ``score``), ``tokens``, ``lemmas`` and ``normalized`` (the NFKC text koe analysed).
    ``lang`` ("ja", "en") skips detection. ``ratings``: with ``model="auto"``.
    """
    return _native.analyze(_texts(texts), model=model, lang=lang, ratings=_ratings(ratings))


def analyze_arrow(
    texts: Any,
    *,
    model: str = "lexicon",
    lang: Optional[str] = None,
    ratings: Optional[Sequence[Any]] = None,
):
    """What ``analyze`` gives, as one ``pyarrow.RecordBatch`` with a row per text, built
    in Rust: no Python object per text, token or sentence, so it costs what ``score``
    costs (``analyze``'s dicts cost a str per token).

    Columns: ``lang``, ``sentiment``, ``score``, ``confidence`` (as ``score`` gives
    them), ``sentences`` (a list of structs ``text``, ``sentiment``, ``score``),
    ``tokens`` and ``lemmas`` (lists of strings) and ``normalized``. ``.to_pandas()``
    makes a DataFrame (and then the Python objects).
    """
    return _native.analyze_arrow(
        _texts(texts), model=model, lang=lang, ratings=_ratings(ratings)
    )


def score(
    texts: Any,
    *,
    model: str = "lexicon",
    lang: Optional[str] = None,
    ratings: Optional[Sequence[Any]] = None,
):
    """Document sentiment of each text, as a ``pyarrow.RecordBatch``.

    Columns ``lang``, ``sentiment``, ``score`` (float32, −1…1) and ``confidence``
    (float32, 0…1), one row per text, in order: the labels and scores ``koe analyze``
    gives the same texts with the same model. With ``model="auto"`` and ``ratings``, the
    schema's metadata ``koe.sentiment_auto`` holds what it chose per language (JSON, as
    ``summary.json``'s ``sentiment_auto``).
    """
    return _native.score(_texts(texts), model=model, lang=lang, ratings=_ratings(ratings))


def _labels(labels: Any) -> list:
    """Gold labels as str: class names as they are, star ratings as digits (4.0 → "4")."""
    values = labels.tolist() if hasattr(labels, "tolist") else list(labels)
    out = []
    for value in values:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        out.append(str(value))
    return out


def eval(
    data: Any,
    labels: Optional[Sequence[Any]] = None,
    *,
    models: Sequence[str] = ("lexicon",),
    text_column: str = "text",
    label_column: str = "label",
    label_map: Optional[str] = None,
    lang: Optional[str] = None,
    resamples: int = 1000,
    seed: int = 42,
) -> dict:
    """``koe eval`` on a DataFrame (text and label columns) or on texts and labels.

    Labels are class names (negative / neutral / positive, neg / neu / pos) or 1–5 star
    ratings; ``label_map`` adds mappings as ``--label-map`` does ("0=negative,1=positive").
    Returns what ``koe eval --json`` prints: per model, accuracy, macro-F1, macro-recall,
    per-class figures and confusion, bootstrap intervals (``resamples``, ``seed``), the
    same per language, speed and memory, and every pair of models compared. A row whose
    label is unknown is a bad line (``bad_lines``, numbered from 1), as in a file.
    """
    if labels is None:
        texts, labels = data[text_column], data[label_column]
    else:
        texts = data
    if isinstance(models, str):
        models = [models]
    report = _native.eval_json(
        _texts(texts),
        _labels(labels),
        list(models),
        lang=lang,
        resamples=resamples,
        seed=seed,
        label_map=label_map,
    )
    return json.loads(report)


class Analysis:
    """An analysis folder written by ``koe analyze``, at its current generation.

    Opening reads the folder's pointer once: a later ``koe analyze`` into the same
    folder publishes a new generation, which ``koe.open`` sees; this object keeps the
    one it opened.
    """

    def __init__(self, path: "str | os.PathLike[str]") -> None:
        self._native = _native.Analysis(os.fspath(path))

    @property
    def path(self) -> str:
        return os.fspath(self._native.path)

    @property
    def generation(self) -> int:
        return self._native.generation

    def search(
        self,
        query: str = "",
        *,
        limit: int = 10,
        offset: int = 0,
        sentiment: Optional[str] = None,
        lang: Optional[str] = None,
        topic: Optional[Sequence[int]] = None,
        theme: Optional[Sequence[int]] = None,
        category: Optional[Sequence[str]] = None,
        channel: Optional[Sequence[str]] = None,
        product: Optional[Sequence[str]] = None,
        stage: Optional[Sequence[str]] = None,
        min_rating: Optional[int] = None,
        max_rating: Optional[int] = None,
    ) -> dict:
        """Hits (id, text, snippet, sentiment, topics, …), their total and facet counts:
        ``koe search --json``'s answer. An empty query matches every record; filters
        taking several values match any of them."""

        def many(value):
            if value is None or isinstance(value, (list, tuple)):
                return value
            return [value]

        return json.loads(
            self._native.search_json(
                query,
                limit=limit,
                offset=offset,
                sentiment=sentiment,
                lang=lang,
                topic=many(topic),
                theme=many(theme),
                category=many(category),
                channel=many(channel),
                product=many(product),
                stage=many(stage),
                min_rating=min_rating,
                max_rating=max_rating,
            )
        )

    def topics(self) -> Optional[dict]:
        """The pain points (``topics.json``), or None when the run fitted none."""
        return json.loads(self._native.topics_json())

    def metrics(self, period: str = "month") -> dict:
        """NPS, CSAT, CES and sentiment overall, by period and by group (``koe report``)."""
        return json.loads(self._native.metrics_json(period))

    def summary(self) -> dict:
        """What the run did (``summary.json``)."""
        return json.loads(self._native.summary_json())

    def records(self):
        """The run's ``records.parquet`` (``koe analyze --emit parquet``) as a
        ``pyarrow.Table``; ``.to_pandas()`` makes a DataFrame."""
        path = self._native.records_path()
        if path is None:
            raise FileNotFoundError(
                f"{self.path}: its current analysis has no records.parquet: "
                "run `koe analyze ... --emit parquet`"
            )
        import pyarrow.parquet

        return pyarrow.parquet.read_table(path)

    def record_batches(self, batch_size: int = 4096):
        """The run's ``records.parquet`` as ``pyarrow.RecordBatch``es of at most
        ``batch_size`` rows, read one at a time (``records()`` reads the whole table)."""
        path = self._native.records_path()
        if path is None:
            raise FileNotFoundError(
                f"{self.path}: its current analysis has no records.parquet: "
                "run `koe analyze ... --emit parquet`"
            )
        import pyarrow.parquet

        yield from pyarrow.parquet.ParquetFile(path).iter_batches(batch_size=batch_size)

    def __repr__(self) -> str:
        return f"koe.Analysis({self.path!r}, generation={self.generation})"


def open(path: "str | os.PathLike[str]") -> Analysis:  # noqa: A001 (koe.open, like io.open)
    """Opens the analysis folder ``path`` (written by ``koe analyze``) at its current
    generation. A missing folder, or one with no analysis, is an ``OSError``."""
    return Analysis(path)


class Shard:
    """Records held as Arrow record batches (a Spark partition's) analysed into the
    analysis folder ``out``, as ``koe analyze PART --topics-from MODEL
    --no-candidate-topics --emit parquet --out OUT`` analyses a file of them: the same
    field mapping, rejects, sentiment, themes and topics, index and ``records.parquet``,
    so ``koe index merge`` joins shards analysed with one model into one analysis.

        >>> with koe.Shard("out/part-0", topics_from="model") as shard:
        ...     for batch in batches:
        ...         shard.add(batch)
        >>> analysis = shard.close()          # published; an Analysis
        >>> next(analysis.record_batches())   # one row per record, records.parquet's

    ``topics_from``: an analysis folder whose run fitted topics (``koe analyze SAMPLE
    --out MODEL``); its topic model is applied, and clauses none of its sub-topics covers
    stay outliers, so a record's themes and topics depend on the record and the model
    alone. ``model``: the sentiment model spec (``lexicon``, ``linear:<dir>``, …; not
    ``auto``: learn it on the sample and pass ``linear:MODEL``). ``fields``: koe's field
    → the batches' column name, or names tried in order (``{"text": "comment"}``); koe's
    own name is tried last. ``period``: month or week (topic trends). ``name``: what
    origins and rejects call the source (rows are numbered from 1 over all batches).
    Ids: the first record of an id is kept, later ones are ``duplicate_id`` rejects
    (``duplicate_ids="error"`` stops instead; ``koe analyze``'s default ``last`` needs
    two passes over the records). ``fit_records``: ``koe analyze``'s ``--fit-records``,
    the most records whose topic features are held at once (the model is applied a
    piece of that many at a time; None: its default, 100,000).

    The dictionary, sentiment model and topic model are loaded once per process and
    shared by every shard. ``add`` returns once the batch is read; koe analyses it on a
    thread of its own while the caller reads the next. ``close`` finishes the analysis
    and publishes the folder's new generation; a shard left by an exception (``with``)
    or never closed publishes nothing.
    """

    def __init__(
        self,
        out: "str | os.PathLike[str]",
        *,
        topics_from: "str | os.PathLike[str]",
        model: str = "lexicon",
        fields: Optional[dict] = None,
        period: str = "month",
        name: str = "arrow",
        batch_size: int = 2048,
        duplicate_ids: str = "first",
        fit_records: Optional[int] = None,
    ) -> None:
        if model == "auto":
            raise ValueError(
                "a shard cannot learn a sentiment model: fit the topic model with "
                "`koe analyze SAMPLE --sentiment auto --out MODEL` and pass "
                "model='linear:MODEL' (or 'lexicon' when it learnt none)"
            )
        names = _field_names(fields)
        self._native = _native.Shard(
            os.fspath(out),
            topics_from=os.fspath(topics_from),
            model=model,
            fields=names,
            period=period,
            name=name,
            batch_size=batch_size,
            duplicate_ids=duplicate_ids,
            fit_records=fit_records,
        )
        self.summary: Optional[dict] = None

    def add(self, batch) -> None:
        """Analyses a ``pyarrow.RecordBatch`` (or anything with ``to_batches()``, such as
        a ``pyarrow.Table``, batch by batch)."""
        if hasattr(batch, "to_batches"):
            for part in batch.to_batches():
                self._native.add(part)
        else:
            self._native.add(batch)

    def close(self) -> Analysis:
        """Finishes the analysis (topics applied, index committed, ``records.parquet``
        written), publishes it and opens it; ``summary`` holds its ``summary.json``.
        Closing a closed shard opens it again."""
        if self.summary is None:
            self.summary = json.loads(self._native.close())
        return Analysis(self._native.out)

    def abandon(self) -> None:
        """Stops the analysis; nothing is published, the folder stays as it was."""
        self._native.abandon()

    def __enter__(self) -> "Shard":
        return self

    def __exit__(self, kind, value, traceback) -> None:
        if kind is not None:
            self.abandon()
        elif self.summary is None:
            self.close()


def fit_topics(
    data: Any,
    out: "str | os.PathLike[str]",
    *,
    model: str = "auto",
    fields: Optional[dict] = None,
    period: str = "month",
    topic_vectors: str = "tfidf",
    theme_vectors: str = "auto",
    min_topic_size: Optional[int] = None,
    themes: Optional[int] = None,
    max_topics: Optional[int] = None,
    seed: Optional[int] = None,
    ja_en_dictionary: str = "auto",
    fit_records: Optional[int] = None,
) -> Analysis:
    """Fits the topic model that shards apply (``Shard(topics_from=out)``): ``koe analyze
    DATA --out OUT`` in process, the same code and defaults.

    ``data``: a file ``koe analyze`` reads (Parquet, JSON Lines, CSV, TSV), a list of
    them, or records in memory as a ``pyarrow.Table`` / ``RecordBatch`` (written to a
    temporary Parquet file, read as ``koe analyze`` reads one). ``model``: ``auto`` (the
    default, as ``koe analyze``: a linear sentiment model per language learnt from the
    records' ratings where it beats the lexicon; shards then use ``linear:OUT``),
    ``lexicon``, ``linear:<dir>``, … ``fields``: as ``Shard``'s. ``topic_vectors``,
    ``theme_vectors``, ``min_topic_size``, ``themes``, ``max_topics``, ``seed``,
    ``ja_en_dictionary``, ``fit_records``: ``koe analyze``'s ``--topic-vectors``, …
    (None: its default).
    A default that is not installed (the use-m3 encoder, Debian's edict) is a
    ``UserWarning`` and falls back as ``koe analyze`` does. Returns the published folder.
    """
    import tempfile

    names = _field_names(fields)
    options = dict(
        model=model,
        fields=names,
        period=period,
        topic_vectors=topic_vectors,
        theme_vectors=theme_vectors,
        min_topic_size=min_topic_size,
        themes=themes,
        max_topics=max_topics,
        seed=seed,
        ja_en_dictionary=ja_en_dictionary,
        fit_records=fit_records,
    )
    if hasattr(data, "schema") and hasattr(data, "num_rows"):  # pyarrow Table / RecordBatch
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.Table.from_batches([data]) if isinstance(data, pa.RecordBatch) else data
        with tempfile.TemporaryDirectory(prefix="koe-fit-") as staging:
            sample = os.path.join(staging, "sample.parquet")
            pq.write_table(table, sample)
            _native.fit_topics_json([sample], os.fspath(out), **options)
    else:
        paths = [data] if isinstance(data, (str, os.PathLike)) else list(data)
        _native.fit_topics_json([os.fspath(p) for p in paths], os.fspath(out), **options)
    return Analysis(out)


def merge_indexes(
    shards: Sequence["str | os.PathLike[str]"], out: "str | os.PathLike[str]"
) -> Analysis:
    """Joins the analysis folders ``shards`` (each a ``Shard``'s, of one corpus, analysed
    with one model) into a new generation of ``out``: ``koe index merge SHARD... --out
    OUT``, the same code — one index (BM25 over the whole corpus), the records and
    rejects concatenated, the topic figures recomputed from the shards' tallies. Shards
    analysed otherwise are a ``ValueError`` naming the shard. Returns the merged folder
    (``.summary()`` holds its counts)."""
    if isinstance(shards, (str, os.PathLike)):
        raise TypeError("merge_indexes takes a list of shard folders: wrap it in [ ]")
    _native.merge_indexes_json([os.fspath(s) for s in shards], os.fspath(out))
    return Analysis(out)


def _field_names(fields: Optional[dict]) -> dict:
    """``fields={"text": "comment"}`` as the native half reads it: names as lists."""
    return {
        field: [value] if isinstance(value, str) else list(value)
        for field, value in (fields or {}).items()
    }
