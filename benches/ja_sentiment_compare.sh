#!/usr/bin/env bash
# koe's embedded Japanese default (`--sentiment lexicon`: the polarity rules plus the
# n-grams of asari's model, ported) against oseti and asari, the two Japanese sentiment
# tools on PyPI, on the same labelled files: accuracy, macro-recall, docs per CPU second
# and koe's speed as a multiple of each tool's, one table.
#
# Usage: benches/ja_sentiment_compare.sh [--koe PATH] [--limit N] [--rounds N] [--overlap] FILE.tsv [FILE.tsv ...]
#
#   FILE.tsv     labelled Japanese files, `label<TAB>text` with a header (labels
#                negative / neutral / positive or 1–5 stars), e.g.
#                ../shared/data/ja-hotel-sentences-train.tsv ../shared/data/ja-amazon-reviews-dev.tsv
#   --koe PATH   the koe binary (default: $KOE, else target/release/koe; use a release build)
#   --limit N    only the first N rows of each file (default: all)
#   --rounds N   runs of each tool on each file; the least CPU time counts (default 3)
#   --overlap    also check whether asari trained on these texts (benches/asari_overlap.py)
#
# The first run creates a virtualenv in target/ja-bench-venv with oseti 0.4.3.1 (the
# Tohoku dictionary koe also ships, MeCab through mecab-python3's bundled IPADIC) and
# asari 0.2.0 (TF-IDF over Janome tokens + a linear classifier, as ONNX), and the
# en_US.UTF-8 locale that asari's ONNX string normaliser needs (localedef; root or
# sudo). koe runs with --threads 1, the Python tools as they are. Each tool is timed as
# a whole process in CPU seconds (user + system: tokenization, loading and start-up
# included for all three), least of the rounds, so the ratio holds on a loaded machine;
# docs/s (wall clock) is printed beside it for reference.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

koe=target/release/koe
[ -z "${KOE:-}" ] || koe=$(absolute "$KOE")
limit=0
rounds=3
overlap=0
files=()
while [ $# -gt 0 ]; do
    case "$1" in
        --koe) koe=$(absolute "$2"); shift 2 ;;
        --limit) limit=$2; shift 2 ;;
        --rounds) rounds=$2; shift 2 ;;
        --overlap) overlap=1; shift ;;
        -h|--help) usage; exit 0 ;;
        *) files+=("$(absolute "$1")"); shift ;;
    esac
done
[ ${#files[@]} -gt 0 ] || { usage >&2; exit 2; }
[ -x "$koe" ] || { echo "no koe binary at $koe (cargo build --release)" >&2; exit 1; }

venv=target/ja-bench-venv
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import oseti, asari' 2>/dev/null; then
    echo "ja_sentiment_compare: creating $venv (oseti 0.4.3.1, asari 0.2.0)" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check oseti==0.4.3.1 asari==0.2.0
fi
if ! locale -a 2>/dev/null | grep -qi '^en_US\.utf-\?8$'; then
    echo "ja_sentiment_compare: generating the en_US.UTF-8 locale asari needs" >&2
    sudo_="" && [ "$(id -u)" = 0 ] || sudo_=sudo
    $sudo_ localedef -i en_US -f UTF-8 en_US.UTF-8
fi
[ "$overlap" = 0 ] || "$venv/bin/python" benches/asari_overlap.py "${files[@]}"
exec "$venv/bin/python" benches/ja_sentiment_compare.py --koe "$koe" --limit "$limit" --rounds "$rounds" "${files[@]}"
