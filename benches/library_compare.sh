#!/usr/bin/env bash
# koe's hand-written numerics against faer, linfa and rand, side by side on the same rows
# in one run: SGD logistic regression vs linfa-logistic (L-BFGS) on koe's features of
# the shared sentiment sets (holdout 0.3, split seed 42, as `koe train`/`koe eval`),
# randomized SVD vs faer's exact eigen-decomposition, spherical k-means vs
# linfa-clustering's KMeans (NMI on BBC news topics), SplitMix64 vs rand's generators.
#
# Usage: benches/library_compare.sh [DATA_DIR]   (default /work/shared/data)
#
# benches/library-compare/ is a standalone crate (its own lock file and an empty
# [workspace]), so koe's build and CI never compile faer or linfa. It builds in release
# into koe's target/ (same profile, so koe's compiled dependencies are reused: one target
# dir on a tight disk). Prints one Markdown table on stdout; "× koe" is each method's
# seconds over koe's in the same comparison, same run.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
data="${1:-/work/shared/data}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
cargo build --release --quiet --manifest-path "$root/benches/library-compare/Cargo.toml"
"$CARGO_TARGET_DIR/release/library-compare" "$data"
