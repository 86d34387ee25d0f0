#!/usr/bin/env bash
# The search page in a real browser: analyse the demo corpus, start `koe serve` on a free
# port, and drive the page in Debian's headless Chromium (tests/browser, playwright-core).
# Installs chromium (and Japanese and emoji fonts, for readable screenshots) with apt-get when
# missing, sudo when not root. Screenshots: target/browser/*.png.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v chromium >/dev/null || missing+=(chromium)
fc-list :lang=ja 2>/dev/null | grep -q . || missing+=(fonts-noto-cjk)
fc-list 2>/dev/null | grep -qi emoji || missing+=(fonts-noto-color-emoji)
if [ ${#missing[@]} -gt 0 ]; then
    echo "browser-test: installing ${missing[*]}"
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

(cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)

target="${CARGO_TARGET_DIR:-target}"
cargo build --quiet --bin koe
koe="$target/debug/koe"

work="$(mktemp -d)"
server=""
cleanup() {
    if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

"$koe" analyze corpora/shop-feedback.jsonl --out "$work/out" --quiet
"$koe" serve "$work/out" --port 0 >"$work/url" 2>"$work/serve.log" &
server=$!

# koe serve prints its URL on stdout once it listens.
url=""
for _ in $(seq 1 300); do
    url="$(head -n 1 "$work/url" 2>/dev/null || true)"
    [ -n "$url" ] && break
    kill -0 "$server" 2>/dev/null || { cat "$work/serve.log" >&2; exit 1; }
    sleep 0.1
done
[ -n "$url" ] || { echo "browser-test: koe serve did not start" >&2; cat "$work/serve.log" >&2; exit 1; }
echo "browser-test: koe serve at $url"

mkdir -p target/browser
KOE_URL="$url" SCREENSHOTS="$PWD/target/browser" timeout 300 node tests/browser/search-page.test.mjs
