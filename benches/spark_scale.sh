#!/usr/bin/env bash
# Throughput of the Spark job (python/spark/koe_spark.py) with 1 and 2 local executor
# threads, the job of commit 89cb0e0 (each partition written to Parquet and analysed by a
# `koe analyze` subprocess) beside today's (each partition analysed by the koe Python
# package, koe.Shard, inside Spark's Python worker), and `koe analyze` alone, on the same
# rows, in one script.
#
# The rows: the Japanese Amazon reviews and English restaurant reviews of /work/shared/data
# (see its README for their terms; read here, never copied into the repo), 11 000 records,
# made one Parquet file (text and rating columns; ids from their row). Every arm uses the
# same koe build and flags (--sentiment lexicon, a fit with --theme-vectors tfidf) and the
# same kind of topic model: each Spark job fits it on its sample, and the `koe analyze` arm
# applies that model (--topics-from MODEL --no-candidate-topics), as each partition does.
# Each koe gets one worker thread (--threads 1), so local[N] uses N cores, as N
# single-core executors would; koe alone runs with 1 and with 2 threads.
# Usage: benches/spark_scale.sh [--dev] [PARTITIONS]   (default 4 partitions; --dev: the
# dev-profile builds `cargo build` and `scripts/install-python.sh --dev` make, instead of
# release). Needs scripts/setup-spark.sh; installs this checkout's koe package into .venv
# (or $VENV). REPEAT=N repeats the rows N times (ids made unique; for speed only: the
# same texts again), JOBS=package leaves the subprocess job out.
set -euo pipefail
cd "$(dirname "$0")/.."

profile=release
if [ "${1:-}" = "--dev" ]; then profile=dev; shift; fi
partitions="${1:-4}"
data="${KOE_DATA:-/work/shared/data}"
work=target/bench-spark
mkdir -p "$work"
python="${VENV:-.venv}/bin/python"
if [ "$profile" = dev ]; then
    cargo build --quiet
    koe="$PWD/target/debug/koe"
    scripts/install-python.sh --dev >/dev/null
else
    cargo build --release --quiet
    koe="$PWD/target/release/koe"
    scripts/install-python.sh >/dev/null
fi
# The job before the koe package analysed partitions, as it was at commit 89cb0e0, reading
# records.parquet's columns by name (it gained `theme` since).
git show 89cb0e0:python/spark/koe_spark.py |
    sed 's/pa.Table.from_batches(\[batch\]).cast(RECORDS_ARROW)/pa.Table.from_batches([batch]).select(RECORDS_ARROW.names).cast(RECORDS_ARROW)/' \
    >"$work/koe_spark_subprocess.py"
grep -q 'select(RECORDS_ARROW.names)' "$work/koe_spark_subprocess.py"

"$python" - "$data" "$work/reviews.parquet" "${REPEAT:-1}" <<'PY'
import csv, sys
import pyarrow as pa, pyarrow.parquet as pq
data, out, repeat = sys.argv[1], sys.argv[2], int(sys.argv[3])
ids, texts, ratings = [], [], []
for copy in range(repeat):
    for name, rating in [("ja-amazon-reviews-dev.tsv", {"negative": 1, "positive": 5}),
                         ("en-restaurant-reviews-stars-dev.tsv", None)]:
        with open(f"{data}/{name}", newline="") as f:
            for i, row in enumerate(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)):
                ids.append(f"{name.split('-')[0]}-{i}" + (f"-{copy}" if copy else ""))
                texts.append(row["text"])
                ratings.append(rating[row["label"]] if rating else int(row["label"]))
pq.write_table(pa.table({"id": ids, "text": texts, "rating": pa.array(ratings, pa.int8())}), out)
print(f"{len(ids)} records", file=sys.stderr)
PY

fit=(--theme-vectors tfidf --threads 1)
printf '%-30s %8s %8s %8s %8s\n' arm records total_s docs/s analyse_s
for master in 'local[1]' 'local[2]'; do
    for job in ${JOBS:-package subprocess}; do
        out="$work/out-$job-${master//[^a-z0-9]/}"
        rm -rf "$out"
        case $job in
            package) args=(python/spark/koe_spark.py --threads 1 -- "${fit[@]}") ;;
            subprocess) args=("$work/koe_spark_subprocess.py" --koe "$koe" -- "${fit[@]}") ;;
        esac
        line=$(nice -n 19 "$python" "${args[0]}" "$work/reviews.parquet" --out "$out" \
            --master "$master" --partitions "$partitions" --sentiment lexicon \
            "${args[@]:1}" 2>"$out.log" | tail -n 1)
        "$python" -c 'import json,sys; t=json.loads(sys.argv[1]); print("%-30s %8d %8.1f %8.1f %8.1f" % (sys.argv[2], t["records"], t["total_s"], t["docs_per_s"], t["analyse_s"]))' "$line" "spark $master, $job"
    done
done
# koe alone, the same model, one process over the whole file.
for threads in 1 2; do
    rm -rf "$work/out-single"
    start=$(date +%s.%N)
    nice -n 19 "$koe" analyze "$work/reviews.parquet" --out "$work/out-single" --sentiment lexicon \
        --theme-vectors tfidf --topics-from "$work/out-package-local2/model" --no-candidate-topics \
        --emit parquet --quiet --json --threads "$threads" >"$work/out-single.json"
    end=$(date +%s.%N)
    "$python" -c 'import json,sys; s=json.load(open(sys.argv[1])); t=float(sys.argv[3])-float(sys.argv[2]); print("%-30s %8d %8.1f %8.1f %8s" % (sys.argv[4], s["records_read"], t, s["records_read"]/t, "-"))' \
        "$work/out-single.json" "$start" "$end" "koe analyze, $threads thr"
done
