#!/usr/bin/env bash
# `koe analyze` docs/s of two builds side by side, in one run: 100k generated records
# (benches/gen_corpus.py) and long Japanese articles (benches/long_japanese.py: 2-5 KB
# articles joined from ../shared/data sentences; written under target/, never committed).
#
#   benches/analyze_compare.sh BEFORE_KOE [AFTER_KOE]   (AFTER defaults to target/release/koe)
#
# Each build runs each corpus ROUNDS times (default 2), alternating, and the best docs/s
# counts (the shared machine is noisy). Prints docs/s per build and the after/before
# ratio. Extra `koe analyze` flags go in KOE_ARGS.
set -euo pipefail
cd "$(dirname "$0")/.."
before=${1:?usage: benches/analyze_compare.sh BEFORE_KOE [AFTER_KOE]}
after=${2:-target/release/koe}
rounds=${ROUNDS:-2}
work=target/bench-compare
mkdir -p "$work"
gen="$work/gen-100000.jsonl"
long="$work/long-ja.jsonl"
[ -f "$gen" ] || python3 benches/gen_corpus.py --records 100000 --seed 7 --out "$gen"
[ -f "$long" ] || python3 benches/long_japanese.py --articles 2000 --seed 1 --jsonl "$long"

rate() { # binary corpus → docs/s
    rm -rf "$work/out"
    "$1" analyze "$2" --out "$work/out" --json --quiet ${KOE_ARGS:-} >"$work/summary.json"
    python3 -c 'import json,sys; print("%.0f" % json.load(open(sys.argv[1]))["docs_per_s"])' "$work/summary.json"
}

printf '%-22s %12s %12s %8s\n' corpus before after ratio
for corpus in "$gen" "$long"; do
    best_b=0 best_a=0
    for _ in $(seq "$rounds"); do
        b=$(rate "$before" "$corpus"); a=$(rate "$after" "$corpus")
        [ "$b" -gt "$best_b" ] && best_b=$b
        [ "$a" -gt "$best_a" ] && best_a=$a
    done
    printf '%-22s %12s %12s %8s\n' "$(basename "$corpus")" "$best_b" "$best_a" \
        "$(python3 -c "print(f'x{$best_a/$best_b:.2f}')")"
done
