#!/usr/bin/env bash
# koe's themes against the topic models users would pick instead, on labelled real
# corpora: NMI and ARI of each record's theme against its gold category, outlier
# share, number of themes and runtime, one table.
#
# Usage: benches/themes_compare.sh [--koe PATH] [--json FILE] [--max-rows N]
#                                  [--koe-flags "FLAGS"] [CORPUS.tsv ...]
#
#   CORPUS...     `label<TAB>text` files with a header (default: the shared BBC news
#                 and restaurant aspect sets in ../shared/data, and where they exist the
#                 AG News and livedoor sets in ../valdata)
#   --koe PATH    the koe binary (default: $KOE, else target/release/koe)
#   --json FILE   also write the results as JSON
#   --max-rows N  a corpus with more rows is cut to its first N (default 4000)
#   --koe-flags   extra `koe analyze` flags (e.g. "--themes 5")
#
# The first run creates a virtualenv in target/themes-venv (scikit-learn, fugashi +
# ipadic for the baselines' Japanese words; ~100 MB) and reuses it afterwards.
# koe runs as users run it: `koe analyze` with its defaults (the number of themes chosen
# from the data), then `koe topics --eval --labels`. The baselines are given the gold
# number of categories, which koe is not: TF-IDF → LSA (100) → k-means, NMF on TF-IDF,
# and LDA on counts, all scikit-learn on the same rows.
set -euo pipefail
here=$PWD
cd "$(dirname "$0")/.."

absolute() { case "$1" in /*) echo "$1" ;; *) echo "$here/$1" ;; esac; }
usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }

koe=target/release/koe
[ -z "${KOE:-}" ] || koe=$(absolute "$KOE")
json=""
max_rows=4000
koe_flags=""
corpora=()
while [ $# -gt 0 ]; do
    case "$1" in
        -h | --help) usage; exit 0 ;;
        --koe) koe=$(absolute "$2"); shift 2 ;;
        --json) json=$(absolute "$2"); shift 2 ;;
        --max-rows) max_rows=$2; shift 2 ;;
        --koe-flags) koe_flags=$2; shift 2 ;;
        -*) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
        *) corpora+=("$(absolute "$1")"); shift ;;
    esac
done
[ -x "$koe" ] || { echo "no koe binary at $koe (cargo build --release, or --koe PATH)" >&2; exit 1; }

if [ ${#corpora[@]} -eq 0 ]; then
    for f in ../shared/data/en-bbc-news-topics.tsv ../shared/data/en-restaurant-aspects-single.tsv \
        ../valdata/en-agnews-topics.tsv ../valdata/ja-livedoor-news-topics-3000.tsv \
        ../valdata/ja-livedoor-titles-topics.tsv; do
        [ -f "$f" ] && corpora+=("$(cd "$(dirname "$f")" && pwd)/$(basename "$f")")
    done
fi
[ ${#corpora[@]} -gt 0 ] || { echo "no corpora given and none found in ../shared/data" >&2; exit 1; }

venv=target/themes-venv
if ! "$venv/bin/python" -c 'import sklearn, fugashi, ipadic' 2>/dev/null; then
    echo "creating $venv" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check \
        scikit-learn==1.9.1 numpy==2.4.6 scipy==1.17.1 fugashi==1.5.2 ipadic==1.0.0
fi

# shellcheck disable=SC2086
"$venv/bin/python" benches/themes_compare.py --koe "$koe" --work target/themes-compare \
    --max-rows "$max_rows" ${json:+--json "$json"} ${koe_flags:+--koe-flags "$koe_flags"} "${corpora[@]}"
