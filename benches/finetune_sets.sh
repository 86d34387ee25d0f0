#!/usr/bin/env bash
# One labelled set, three sentiment models on the same held-out rows: the lexicon, the
# linear model and a fine-tuned transformer, both trained on the same training part
# (`--holdout 0.3 --split-seed 42`, as `koe eval` holds out). Prints the training times
# and `koe eval`'s table (intervals, docs/s, paired tests); keeps the models and
# `koe eval`'s output under OUT.
#
# Usage: benches/finetune_sets.sh [--koe PATH] SET.tsv LANG BASE_DIR OUT [FINE-TUNING FLAGS...]
#
#   SET.tsv     a labelled file (`label<TAB>text`), e.g. ../shared/data/ja-hotel-sentences-train.tsv
#   LANG        ja or en (passed as --lang)
#   BASE_DIR    the encoder to fine-tune, e.g. target/models/multilingual-e5-small-q4
#               (scripts/setup-ja-encoder.sh) or target/models/all-minilm-l6-v2
#   OUT         folder for OUT/linear, OUT/finetuned, OUT/eval.txt, OUT/*.log
#   FLAGS       passed to `koe train sentiment --base transformer:…`, e.g.
#               --max-length 64 --epochs 2 --train-sample 1200
#   --koe PATH  a release build with --features transformer (default: $KOE, else
#               target/tf/release/koe); source target/transformer.env first
#
# Environment: THREADS (libtorch threads for training and scoring, default 1), CAP (seconds
# the fine-tuning may run before it is stopped, default 1800). Training runs under
# `nice -n 19`: the machine is shared. Long: minutes to half an hour per set on a CPU.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

koe=target/tf/release/koe
[ -z "${KOE:-}" ] || koe=$(absolute "$KOE")
if [ "${1:-}" = --koe ]; then koe=$(absolute "$2"); shift 2; fi
if [ $# -lt 4 ] || [ "$1" = -h ] || [ "$1" = --help ]; then usage; exit 2; fi
data=$(absolute "$1") lang=$2 base=$(absolute "$3") out=$(absolute "$4")
shift 4
threads=${THREADS:-1}
cap=${CAP:-1800}
split=(--data "$data" --holdout 0.3 --split-seed 42 --lang "$lang")
mkdir -p "$out"

echo "== linear"
"$koe" train sentiment "${split[@]}" --out "$out/linear" | tee "$out/linear.log"

echo "== fine-tuning $base ($*; $threads threads, stopped after $cap s)"
start=$(date +%s)
/usr/bin/time -f "fine-tuning: %e s wall, %U s user CPU, %M KB peak" \
    timeout "$cap" nice -n 19 "$koe" train sentiment --base "transformer:$base" "${split[@]}" \
    --threads "$threads" "$@" --out "$out/finetuned" 2>&1 | tee "$out/finetune.log"
echo "fine-tuning wall: $(($(date +%s) - start)) s" | tee -a "$out/finetune.log"

echo "== koe eval on the held-out rows"
nice -n 19 "$koe" eval "${split[@]}" --threads "$threads" \
    --model lexicon --model "linear:$out/linear" --model "transformer:$out/finetuned" \
    | tee "$out/eval.txt"
