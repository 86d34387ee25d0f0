#!/usr/bin/env bash
# Throughput and peak memory of `koe analyze` as the input grows.
#
# Generates synthetic corpora (benches/gen_corpus.py) of 100k and 400k records, runs the
# release binary on each in the same script, and prints docs/s and peak RSS side by side,
# with the 400k figures as ratios of the 100k ones: memory should stay flat (ratio ~1),
# throughput too. Usage: benches/scale.sh [SIZES...]   (default: 100000 400000)
# Extra `koe analyze` flags go in KOE_ARGS, e.g. KOE_ARGS=--no-topics benches/scale.sh
set -euo pipefail
cd "$(dirname "$0")/.."

sizes=("${@:-100000 400000}")
read -r -a sizes <<<"${sizes[*]}"
work=target/bench-scale
mkdir -p "$work"
cargo build --release --quiet

printf '%-10s %10s %10s %12s %10s\n' records seconds docs/s peak_MiB indexed
base_rate="" base_rss=""
for n in "${sizes[@]}"; do
    corpus="$work/gen-$n.jsonl"
    [ -f "$corpus" ] || python3 benches/gen_corpus.py --records "$n" --seed 7 --out "$corpus"
    rm -rf "$work/out-$n"
    /usr/bin/time -f "%M" -o "$work/rss-$n" \
        target/release/koe analyze "$corpus" --out "$work/out-$n" --json --quiet ${KOE_ARGS:-} \
        >"$work/summary-$n.json"
    rss_kib=$(tail -n 1 "$work/rss-$n")
    read -r secs rate indexed < <(python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
print("%.1f %.0f %d" % (s["elapsed_s"], s["docs_per_s"], s["indexed"]))' "$work/summary-$n.json")
    printf '%-10s %10s %10s %12s %10s\n' "$n" "$secs" "$rate" "$((rss_kib / 1024))" "$indexed"
    if [ -z "$base_rate" ]; then
        base_rate=$rate base_rss=$rss_kib base_n=$n
    else
        python3 -c "import sys; r,br,m,bm=map(float,sys.argv[1:5]); print(f'  vs {sys.argv[5]}: docs/s x{r/br:.2f}, peak memory x{m/bm:.2f}')" \
            "$rate" "$base_rate" "$rss_kib" "$base_rss" "$base_n"
    fi
done
