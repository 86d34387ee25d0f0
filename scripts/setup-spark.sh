#!/usr/bin/env bash
# Installs what the Spark job (python/spark/koe_spark.py) and its test need, idempotently:
# Java 17 from Debian (openjdk-17-jre-headless; Spark 4 runs on Java 17+) and PySpark with
# pyarrow from PyPI into the Python package's virtualenv (.venv, or $VENV), beside the
# `koe` package scripts/install-python.sh installs there. A second run changes nothing.
#
#   scripts/setup-spark.sh                 # into .venv
#   VENV=~/envs/voc scripts/setup-spark.sh
set -euo pipefail
cd "$(dirname "$0")/.."

PYSPARK_VERSION="${PYSPARK_VERSION:-4.0.5}"

java_major() {
    java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1
}
if ! command -v java >/dev/null || [ "$(java_major)" -lt 17 ]; then
    echo "setup-spark: installing openjdk-17-jre-headless (Java for Spark)"
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq openjdk-17-jre-headless >/dev/null
fi
echo "setup-spark: java $(java_major) found"

venv="${VENV:-.venv}"
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
if ! "$venv/bin/python" -c "import pyspark, pyarrow, pandas, pytest; assert pyspark.__version__ == '$PYSPARK_VERSION'" 2>/dev/null; then
    echo "setup-spark: installing pyspark $PYSPARK_VERSION, pyarrow, pandas (which PySpark's Arrow functions import) and pytest into $venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
        "pyspark==$PYSPARK_VERSION" "pyarrow>=15" "pandas>=2" pytest
fi
"$venv/bin/python" -c "import pyspark; print('setup-spark: pyspark', pyspark.__version__, 'in $venv')"
