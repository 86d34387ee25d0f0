#!/usr/bin/env bash
# What tagging with a taxonomy costs: `koe analyze` on the same corpus with and without
# --taxonomy, alternating runs (the machine is noisy), docs/s from summary.json.
# Generated data is fine here: this measures speed, not quality.
#
#   benches/taxonomy_cost.sh [RECORDS] [ROUNDS]     (defaults: 20000 records, 3 rounds)
#
# Needs a release build (cargo build --release). Prints each run and the medians.
set -euo pipefail
cd "$(dirname "$0")/.."
records=${1:-20000}
rounds=${2:-3}
koe=target/release/koe
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 benches/gen_corpus.py --records "$records" --out "$work/corpus.jsonl" >&2
common=(--no-topics --sentiment lexicon --quiet --json)
run() { # $1: label, rest: extra flags
  local label=$1
  shift
  rm -rf "$work/out"
  "$koe" analyze "$work/corpus.jsonl" --out "$work/out" "${common[@]}" "$@" >"$work/summary.json"
  python3 -c "import json,sys; s=json.load(open(sys.argv[1])); print(sys.argv[2], s['docs_per_s'], s.get('taxonomy',{}).get('tagged',''))" \
    "$work/summary.json" "$label"
}
for _ in $(seq "$rounds"); do
  run plain
  run taxonomy --taxonomy examples/taxonomy.toml
done | tee "$work/runs.txt"
python3 - "$work/runs.txt" "$records" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    label, rate, *_ = line.split()
    runs.setdefault(label, []).append(float(rate))
plain = statistics.median(runs["plain"])
tagged = statistics.median(runs["taxonomy"])
print(f"{sys.argv[2]} records, --no-topics --sentiment lexicon, median of {len(runs['plain'])} runs each:")
print(f"  without --taxonomy  {plain:8.0f} docs/s")
print(f"  with    --taxonomy  {tagged:8.0f} docs/s  ({tagged / plain:.3f}x, examples/taxonomy.toml)")
PY
