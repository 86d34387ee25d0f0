#!/usr/bin/env bash
# Fuzzes koe's parsers with cargo-fuzz (libFuzzer) on the stable toolchain: JSON Lines and
# CSV ingest, and search requests (/api/search's parameters and the query syntax).
#
#   scripts/fuzz.sh                 60 s per target (what .ci/run does)
#   scripts/fuzz.sh 3600 csv        an hour on the CSV reader
#
# Each target starts from its corpus in fuzz/corpus/<target>/ (kept in the repository)
# and writes the inputs that reach new code to fuzz/target/corpus/<target>/ (not kept).
# After a long run, merge into the repository's corpus only those that add coverage,
# and commit them:
#   cd fuzz && cargo fuzz run --sanitizer none -O <target> corpus/<target> \
#       target/corpus/<target> -- -merge=1
# A crash is saved in fuzz/artifacts/<target>/ and fails the script; replay it with
#   cd fuzz && cargo fuzz run --sanitizer none -O <target> artifacts/<target>/<file>
#
# `--sanitizer none`: cargo-fuzz's default (AddressSanitizer) needs a nightly compiler,
# and koe is safe Rust, where the fuzzer looks for panics, hangs and runaway memory, not
# memory errors. (With RUSTC_BOOTSTRAP=1, `-s address` also works on stable.)
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(jsonl csv query)

if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked --version 0.13.2
fi

cd fuzz
cargo fuzz build --sanitizer none -O
mkdir -p target
for target in "${targets[@]}"; do
    echo "fuzz: $target for $seconds s"
    log="target/fuzz-$target.log"
    mkdir -p "target/corpus/$target"
    if ! cargo fuzz run --sanitizer none -O "$target" "target/corpus/$target" "corpus/$target" -- \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
        -dict="dict/$target.dict" -print_final_stats=1 >"$log" 2>&1; then
        tail -n 60 "$log"
        echo "fuzz: $target failed; the input is in fuzz/artifacts/$target/"
        exit 1
    fi
    grep -E '^(Done|stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb)' "$log" |
        sed "s/^/fuzz: $target: /"
done
