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
#   --bertopic    also BERTopic on the same rows (all-MiniLM-L6-v2 embeddings → UMAP →
#                 HDBSCAN, its defaults: the number of topics its own; and reduced to the
#                 gold number), in target/bertopic-venv (the venv of
#                 benches/bertopic_compare.sh, ~750 MB: it runs on the torch of
#                 scripts/setup-transformer.sh, which it runs first where
#                 target/transformer.env is missing)
#   --minilm DIR  also koe with MiniLM as its sentence encoder on the English corpora:
#                 `--topic-vectors embeddings:DIR --embed-lang en --theme-vectors
#                 embeddings:DIR`, clauses and whole records (without the last flag
#                 the themes keep use-m3: `auto` follows --topic-vectors only when no
#                 --embed-lang limits it). DIR defaults to $KOE_MINILM_DIR,
#                 which target/transformer.env sets; needs a koe built with --features
#                 transformer, see scripts/setup-transformer.sh
#
# The first run creates a virtualenv in target/themes-venv (scikit-learn, fugashi +
# ipadic for the baselines' Japanese words; ~100 MB) and reuses it afterwards; with
# --bertopic everything runs in target/bertopic-venv (benches/bench-venv.sh makes both).
# koe runs as users run it: `koe analyze` with its defaults (the number of themes chosen
# from the data), then `koe topics --eval --labels`. The baselines are given the gold
# number of categories, which koe is not: TF-IDF → LSA (100) → k-means, NMF on TF-IDF,
# and LDA on counts, all scikit-learn on the same rows.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

koe=target/release/koe
[ -z "${KOE:-}" ] || koe=$(absolute "$KOE")
json=""
max_rows=4000
koe_flags=""
bertopic=""
minilm=${KOE_MINILM_DIR:-}
corpora=()
while [ $# -gt 0 ]; do
    case "$1" in
        -h | --help) usage; exit 0 ;;
        --koe) koe=$(absolute "$2"); shift 2 ;;
        --json) json=$(absolute "$2"); shift 2 ;;
        --max-rows) max_rows=$2; shift 2 ;;
        --koe-flags) koe_flags=$2; shift 2 ;;
        --bertopic) bertopic=1; shift ;;
        --minilm) minilm=$(absolute "$2"); shift 2 ;;
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

# shellcheck source=benches/bench-venv.sh
. benches/bench-venv.sh
if [ -n "$bertopic" ]; then
    venv=target/bertopic-venv
    bench_venv_on_torch "$venv" "$BERTOPIC_MODULES" "${BERTOPIC_PACKAGES[@]}"
else
    venv=target/themes-venv
    bench_venv "$venv" "$SKLEARN_MODULES" "${SKLEARN_PACKAGES[@]}"
fi

# shellcheck disable=SC2086
HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 "$venv/bin/python" benches/themes_compare.py \
    --koe "$koe" --work target/themes-compare --max-rows "$max_rows" ${json:+--json "$json"} \
    ${koe_flags:+--koe-flags "$koe_flags"} ${bertopic:+--bertopic} ${minilm:+--minilm "$minilm"} \
    "${corpora[@]}"
