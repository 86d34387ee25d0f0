#!/usr/bin/env bash
# Peak memory and time of `koe eval` on a large labelled file, two builds side by side.
#
#   benches/eval_memory.sh BEFORE_KOE [AFTER_KOE] [COPIES]   (AFTER: target/release/koe)
#
# The file is ../shared/data/ja-amazon-reviews-dev.tsv (6,000 Japanese reviews) repeated
# COPIES times (default 10, about 20 MB), written under target/ and never committed.
# Each build runs `koe eval --model lexicon --resamples 0` on it once; prints peak RSS
# (/usr/bin/time %M), wall and CPU seconds, and the after/before ratio of the peak.
set -euo pipefail
cd "$(dirname "$0")/.."
before=${1:?usage: benches/eval_memory.sh BEFORE_KOE [AFTER_KOE] [COPIES]}
after=${2:-target/release/koe}
copies=${3:-10}
work=target/bench-eval
mkdir -p "$work"
data="$work/ja-amazon-x$copies.tsv"
if [ ! -f "$data" ]; then
    src=../shared/data/ja-amazon-reviews-dev.tsv
    head -n 1 "$src" >"$data"
    for _ in $(seq "$copies"); do tail -n +2 "$src" >>"$data"; done
fi
printf '%-8s %10s %8s %8s\n' build peak_MiB wall_s cpu_s
for build in before after; do
    bin=$before; [ "$build" = after ] && bin=$after
    /usr/bin/time -f "%M %e %U %S" -o "$work/time-$build" \
        "$bin" eval --data "$data" --model lexicon --resamples 0 --quiet --json >"$work/report-$build.json"
    read -r kib wall user sys <"$work/time-$build"
    printf '%-8s %10s %8s %8s\n' "$build" "$((kib / 1024))" "$wall" \
        "$(python3 -c "print(f'{$user + $sys:.1f}')")"
done
python3 - "$work" <<'PY'
import json, sys
w = sys.argv[1]
kib = {b: int(open(f"{w}/time-{b}").read().split()[0]) for b in ("before", "after")}
acc = {b: json.load(open(f"{w}/report-{b}.json"))["models"][0]["metrics"]["accuracy"] for b in kib}
print(f"peak after/before: x{kib['after'] / kib['before']:.2f}; accuracy before {acc['before']:.4f}, after {acc['after']:.4f}")
PY
