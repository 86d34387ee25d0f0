#!/usr/bin/env python3
"""docs/s of the koe Python package against the koe CLI, on the same texts, same run.

    nice .venv/bin/python benches/python_vs_cli.py [--rounds 5] [FILE.tsv ...]

For each labelled TSV (default: the Japanese Amazon reviews and the English restaurant
reviews of /work/shared/data), alternating round by round so that the machine's load
falls on both alike:

* CLI: `koe eval --data FILE --resamples 0 --json`, which times the text stage and the
  lexicon's scoring apart from reading the file and loading models:
  `analysis_and_scoring_docs_per_s`, the CLI's own figure for the work below.
* Python `koe.score(texts)` (a list of str, as a notebook has it): the same text stage and
  scoring (`Pipeline::analyse_texts`), plus the binding: borrowing the strs, releasing
  the GIL, building the pyarrow RecordBatch. Timed from the call to its return.
* Python `koe.score(pyarrow array)`: the same, with the texts read in place through the
  Arrow C data interface.
* Python `koe.analyze_arrow(texts)` (list of str, and pyarrow array): what `analyze`
  gives, as one pyarrow RecordBatch built in Rust (tokens and lemmas as list<string>
  columns, sentences as a list of structs): no Python object per text or token.
* Python `koe.analyze(texts)`: a dict per text with tokens, lemmas and sentences (a
  Python object per distinct word and per sentence: what that API costs on top).

Prints the best round of each, docs/s, and the ratio to the CLI. Needs the package
installed in release (scripts/install-python.sh) and the release binary
(cargo build --release). Reads the texts as koe reads TSV (header row, tab-separated).
"""

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa

import koe

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = [
    Path("/work/shared/data/ja-amazon-reviews-dev.tsv"),
    Path("/work/shared/data/en-restaurant-reviews-stars-dev.tsv"),
]


def read_tsv(path: Path) -> list:
    lines = path.read_text(encoding="utf-8").splitlines()
    column = lines[0].split("\t").index("text")
    texts = []
    for line in lines[1:]:
        fields = line.split("\t")
        if len(fields) > column and fields[column].strip():
            texts.append(fields[column])
    return texts


def timed(call, n: int) -> float:
    started = time.perf_counter()
    call()
    return n / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="*", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--koe", default=str(ROOT / "target" / "release" / "koe"))
    args = parser.parse_args()
    print(f"koe {koe.__version__}; best of {args.rounds} alternating rounds; docs/s and ratio to the CLI")
    print(f"{'data':<36} {'docs':>6} {'':<30} {'docs/s':>8} {'vs CLI':>7}")
    for path in args.data:
        texts = read_tsv(path)
        arrow = pa.array(texts)
        n = len(texts)
        koe.score(texts[:10])  # loads the dictionary and the lexicon once, as a session would
        runs = {
            "CLI (koe eval, text+scoring)": None,
            "Python score(list of str)": lambda: koe.score(texts),
            "Python score(pyarrow array)": lambda: koe.score(arrow),
            "Python analyze_arrow(list)": lambda: koe.analyze_arrow(texts),
            "Python analyze_arrow(pyarrow)": lambda: koe.analyze_arrow(arrow),
            "Python analyze(list of str)": lambda: koe.analyze(texts),
        }
        best = dict.fromkeys(runs, 0.0)
        for _ in range(args.rounds):
            for name, call in runs.items():
                if call is None:
                    report = json.loads(subprocess.run(
                        [args.koe, "eval", "--data", path, "--resamples", "0", "--json", "--quiet"],
                        check=True, capture_output=True, text=True,
                    ).stdout)
                    assert report["docs"] == n, (report["docs"], n)
                    rate = report["models"][0]["analysis_and_scoring_docs_per_s"]
                else:
                    rate = timed(call, n)
                best[name] = max(best[name], rate)
        cli = best["CLI (koe eval, text+scoring)"]
        for name, rate in best.items():
            print(f"{path.name:<36} {n:>6} {name:<30} {rate:>8.0f} {rate / cli:>7.2f}")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
