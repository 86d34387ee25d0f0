#!/usr/bin/env python3
"""Long Japanese documents for speed benches: 2-5 KB articles made by joining Japanese
sentences of the labelled sets in ../shared/data (never copied into the repository).

    python3 benches/long_japanese.py --articles 2000 --seed 1 --jsonl out.jsonl --text out.txt

Sentences come from ja-amazon-reviews-dev.tsv and ja-hotel-sentences-train.tsv (cut after
。！？), drawn at random (seeded) until an article reaches its drawn size (2,000 to 5,000
UTF-8 bytes). --jsonl writes one koe record per article (id, text); --text writes one
article per line, for `mecab -O wakati`. Both hold the same articles. Standard library
only; prints one summary line to stderr.
"""

import argparse
import json
import random
import re
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
SOURCES = ["ja-amazon-reviews-dev.tsv", "ja-hotel-sentences-train.tsv"]
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def sentences(data: Path) -> list[str]:
    out = []
    for name in SOURCES:
        with open(data / name, encoding="utf-8") as f:
            next(f)  # header
            for line in f:
                _, _, text = line.rstrip("\n").partition("\t")
                for s in re.split(r"(?<=[。！？!?])\s*", text):
                    s = s.strip()
                    if len(s) >= 4 and JAPANESE.search(s):
                        out.append(s)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--jsonl", type=Path)
    ap.add_argument("--text", type=Path)
    args = ap.parse_args()
    pool = sentences(args.data)
    rng = random.Random(args.seed)
    jsonl = open(args.jsonl, "w", encoding="utf-8") if args.jsonl else None
    text = open(args.text, "w", encoding="utf-8") if args.text else None
    total_bytes = total_chars = 0
    for i in range(args.articles):
        size = rng.randint(2000, 5000)
        parts, n = [], 0
        while n < size:
            s = rng.choice(pool)
            parts.append(s)
            n += len(s.encode("utf-8"))
        article = "".join(parts)
        total_bytes += len(article.encode("utf-8"))
        total_chars += len(article)
        if jsonl:
            jsonl.write(json.dumps({"id": f"a{i}", "text": article}, ensure_ascii=False) + "\n")
        if text:
            text.write(article + "\n")
    for f in (jsonl, text):
        if f:
            f.close()
    print(
        f"{args.articles} articles, {total_chars} characters, {total_bytes} bytes, "
        f"from {len(pool)} sentences",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
