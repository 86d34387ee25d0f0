#!/usr/bin/env bash
# Peak memory and throughput of `koe analyze` on Parquet beside JSONL, as the input grows.
#
# For each size, generates a corpus (benches/gen_corpus.py), converts it to Parquet with
# pyarrow (benches/to_parquet.py, row groups of 64k rows, snappy), and runs the release
# binary on both files in the same script, one after the other, with --no-topics, or with
# the topics stage on (the default run) when TOPICS=1.
# Prints docs/s and peak RSS per format, and Parquet's as ratios of JSONL's.
# Usage: benches/parquet_scale.sh [SIZES...]   (default: 100000 1000000)
# BASELINE=OLD_KOE also runs an older build on the same files, just before this one, and
# prints this build's figures as ratios of its; FORMATS="parquet" leaves JSONL out;
# KOE=BINARY measures that binary instead of building target/release/koe; TOPICS=1 runs
# the default analysis (topics fitted) instead of --no-topics; KOE_ARGS adds flags.
# pyarrow goes into a venv of this script's own (target/bench-parquet-venv).
set -euo pipefail
cd "$(dirname "$0")/.."

sizes=("${@:-100000 1000000}")
read -r -a sizes <<<"${sizes[*]}"
work=target/bench-parquet
venv=target/bench-parquet-venv
mkdir -p "$work"
if ! "$venv/bin/python" -c 'import pyarrow' 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check 'pyarrow==21.0.0'
fi
this_koe=${KOE:-target/release/koe}
[ -n "${KOE:-}" ] || cargo build --release --quiet

formats=(${FORMATS:-jsonl parquet})
topics_flag=--no-topics
[ "${TOPICS:-0}" = 1 ] && topics_flag=

run() { # corpus out [koe] -> prints "docs/s peak_kib indexed rejected"
    rm -rf "$2"
    /usr/bin/time -f "%M" -o "$2.rss" \
        "${3:-$this_koe}" analyze "$1" --out "$2" --json --quiet $topics_flag \
        --sentiment lexicon ${KOE_ARGS:-} >"$2.json"
    python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
print("%.0f %s %d %d" % (s["docs_per_s"], open(sys.argv[2]).read().split()[-1], s["indexed"], s["rejected"]))' \
        "$2.json" "$2.rss"
}

printf '%-9s %-8s %-9s %8s %9s %9s %9s\n' records format build docs/s peak_MiB indexed rejected
for n in "${sizes[@]}"; do
    jsonl="$work/gen-$n.jsonl"
    parquet="$work/gen-$n.parquet"
    [ -f "$jsonl" ] || python3 benches/gen_corpus.py --records "$n" --seed 7 --out "$jsonl"
    [ -f "$parquet" ] || "$venv/bin/python" benches/to_parquet.py "$jsonl" "$parquet"
    declare -A rate=() rss=()
    for format in "${formats[@]}"; do
        corpus="$work/gen-$n.$format"
        builds=(this)
        [ -n "${BASELINE:-}" ] && builds=(baseline this)
        for build in "${builds[@]}"; do
            koe=$this_koe
            [ "$build" = baseline ] && koe=$BASELINE
            read -r r m indexed rejected < <(run "$corpus" "$work/out-$format-$n-$build" "$koe")
            rate[$format-$build]=$r
            rss[$format-$build]=$m
            printf '%-9s %-8s %-9s %8s %9s %9s %9s\n' "$n" "$format" "$build" "$r" "$((m / 1024))" "$indexed" "$rejected"
        done
        if [ -n "${BASELINE:-}" ]; then
            python3 -c "import sys; r,br,m,bm=map(float,sys.argv[1:5]); print(f'  {sys.argv[5]}: this vs baseline: docs/s x{r/br:.2f}, peak memory x{m/bm:.2f}')" \
                "${rate[$format-this]}" "${rate[$format-baseline]}" "${rss[$format-this]}" "${rss[$format-baseline]}" "$format"
        fi
    done
    if [ -n "${rate[parquet-this]:-}" ] && [ -n "${rate[jsonl-this]:-}" ]; then
        python3 -c "import sys; r,br,m,bm=map(float,sys.argv[1:5]); print(f'  parquet vs jsonl: docs/s x{r/br:.2f}, peak memory x{m/bm:.2f}')" \
            "${rate[parquet-this]}" "${rate[jsonl-this]}" "${rss[parquet-this]}" "${rss[jsonl-this]}"
    fi
    unset rate rss
done
