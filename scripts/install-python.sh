#!/usr/bin/env bash
# Installs the `koe` Python package from this checkout into a virtualenv: the README's
# `pip install ./python`, plus the virtualenv and, for the tests, pytest and pandas.
#
#   scripts/install-python.sh                  # release build into .venv (made if absent)
#   VENV=~/envs/voc scripts/install-python.sh  # into another virtualenv
#   scripts/install-python.sh --dev            # dev-profile build (minutes quicker; CI)
#   scripts/install-python.sh --test           # also pytest and pandas
#
# Everything comes from PyPI: pip fetches maturin (the build backend python/pyproject.toml
# names) into an isolated build environment, and pyarrow (the package's one dependency).
# maturin builds one abi3 wheel (CPython >= 3.10) with cargo, in this checkout's target/,
# so a second run rebuilds only what changed. Run it again after changing koe: it always
# reinstalls the package. Japanese needs the IPADIC source scripts/setup.sh installs.
set -euo pipefail
cd "$(dirname "$0")/.."

profile=release
extra=""
for arg in "$@"; do
    case "$arg" in
        --dev) profile=dev ;;
        --test) extra="[test]" ;;
        *) echo "usage: $0 [--dev] [--test]" >&2; exit 2 ;;
    esac
done

venv="${VENV:-.venv}"
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
pip=("$venv/bin/python" -m pip install --quiet --disable-pip-version-check)
# Uninstalled first so that pip builds and installs this checkout's koe every time (and
# leaves dependencies already there alone).
"$venv/bin/python" -m pip uninstall --quiet --yes koe 2>/dev/null || true
MATURIN_PEP517_ARGS="--profile $profile" "${pip[@]}" "./python$extra"
"$venv/bin/python" -c "import koe; print('koe', koe.__version__, '($profile build) installed in $venv')"
