#!/usr/bin/env bash
# Japanese text-stage speed, koe against MeCab, on the same long Japanese text.
#
#   benches/mecab_compare.sh [ARTICLES]   (default 2000 articles of 2-5 KB, about 2.5M characters)
#
# Makes the text with benches/long_japanese.py (sentences of ../shared/data joined into
# articles, one per line, under target/; never committed), then times, on one thread:
# - `mecab -O wakati` over the file (whole process: dictionary load included, as users
#   run it; Debian's mecab with mecab-ipadic-utf8, installed here if missing);
# - koe's text stage (examples/text_stage.rs: NFKC, entities, sentences, script runs,
#   lindera with part of speech and lemma), dictionary load not timed.
# Each runs ROUNDS times (default 3), the least CPU time counts. Prints characters per
# CPU second and koe/MeCab. BASELINE=path/to/an/older/text_stage adds that build as a
# third row, run in the same rounds (before/after figures from one run).
set -euo pipefail
cd "$(dirname "$0")/.."
articles=${1:-2000}
rounds=${ROUNDS:-3}
if ! command -v mecab >/dev/null || [ ! -d /var/lib/mecab/dic/ipadic-utf8 ]; then
    echo "mecab_compare: installing mecab and mecab-ipadic-utf8" >&2
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq mecab mecab-ipadic-utf8 >/dev/null
fi
work=target/bench-mecab
mkdir -p "$work"
text="$work/long-ja-$articles.txt"
[ -f "$text" ] || python3 benches/long_japanese.py --articles "$articles" --seed 1 --text "$text"
[ -n "${NO_BUILD:-}" ] || cargo build --release --quiet --example text_stage
chars=$(python3 -c 'import sys; print(sum(len(l.rstrip("\n")) for l in open(sys.argv[1], encoding="utf-8")))' "$text")

# CPU seconds (user + system) of each whole process, dictionary load included for both:
# the shared machine's wall clock depends on its load, CPU time much less.
cpu() { /usr/bin/time -f "%U %S" -o "$work/cpu" "$@" >/dev/null && python3 -c 'import sys; u, s = open(sys.argv[1]).read().split()[-2:]; print(float(u) + float(s))' "$work/cpu"; }
best_mecab=999999 best_koe=999999 best_base=999999
for _ in $(seq "$rounds"); do
    t=$(cpu mecab -O wakati -d /var/lib/mecab/dic/ipadic-utf8 -o /dev/null "$text")
    best_mecab=$(python3 -c "print(min($best_mecab, $t))")
    t=$(cpu target/release/examples/text_stage "$text")
    best_koe=$(python3 -c "print(min($best_koe, $t))")
    if [ -n "${BASELINE:-}" ]; then
        t=$(cpu "$BASELINE" "$text")
        best_base=$(python3 -c "print(min($best_base, $t))")
    fi
done
python3 - "$chars" "$best_mecab" "$best_koe" "${BASELINE:+$best_base}" <<'PY'
import sys
chars, mecab, koe = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
base = float(sys.argv[4]) if sys.argv[4:] and sys.argv[4] else None
print(f"{'tool (one thread)':<30} {'cpu_s':>8} {'chars/cpu_s':>12}")
print(f"{'mecab -O wakati':<30} {mecab:>8.2f} {chars / mecab:>12,.0f}")
if base is not None:
    print(f"{'koe text stage (BASELINE)':<30} {base:>8.2f} {chars / base:>12,.0f}")
print(f"{'koe text stage':<30} {koe:>8.2f} {chars / koe:>12,.0f}")
if base is not None:
    print(f"BASELINE / MeCab: x{mecab / base:.2f}")
print(f"koe / MeCab: x{mecab / koe:.2f}  ({chars:,} characters)")
PY
