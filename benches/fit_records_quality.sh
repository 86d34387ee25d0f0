#!/usr/bin/env bash
# What fitting the topics on a sample costs on real labelled text: the themes' NMI of
# each set fitted on every record (the baseline) and, in the same run, on a half and a
# quarter of its records (`--fit-records`: the model fitted on the records of smallest
# text hash, then applied to every record a piece at a time).
#   benches/fit_records_quality.sh [KOE_BINARY] [DATA_DIR]     (from the repository root)
set -eu
KOE="${1:-target/release/koe}"; DATA="${2:-../shared/data}"
[ -n "${1:-}" ] || cargo build --release --quiet
for set in en-bbc-news-topics.tsv en-restaurant-aspects-single.tsv; do
    n=$(( $(wc -l < "$DATA/$set") - 1 ))
    for fit in "$n" $(( n / 2 )) $(( n / 4 )); do
        printf 'fit_records %6d  ' "$fit"
        ../shared/tools/theme-check "$KOE" "$DATA/$set" --fit-records "$fit"
    done
done
