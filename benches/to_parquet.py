#!/usr/bin/env python3
"""Converts a koe JSONL dump (benches/gen_corpus.py output) to Parquet, streaming.

    python benches/to_parquet.py IN.jsonl OUT.parquet [--row-group-rows 65536]

Needs pyarrow (benches/parquet_scale.sh installs it into a venv of its own). Columns as
the dump has them: id, text, channel, stage, product, created_at and lang as strings,
rating and nps as int8 (null where a record has none). Row groups of --row-group-rows
rows, snappy-compressed, as Spark and pandas write them; memory holds one batch.
"""

import argparse
import json
import sys

import pyarrow as pa
import pyarrow.parquet as pq

SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("text", pa.string()),
        ("rating", pa.int8()),
        ("nps", pa.int8()),
        ("channel", pa.string()),
        ("stage", pa.string()),
        ("product", pa.string()),
        ("created_at", pa.string()),
        ("lang", pa.string()),
    ]
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("input")
    parser.add_argument("output")
    parser.add_argument("--row-group-rows", type=int, default=65536)
    args = parser.parse_args()
    names = SCHEMA.names
    rows = 0
    with pq.ParquetWriter(args.output, SCHEMA, compression="snappy") as writer:
        batch = []

        def flush():
            columns = {name: [r.get(name) for r in batch] for name in names}
            writer.write_table(pa.table(columns, schema=SCHEMA), row_group_size=args.row_group_rows)
            batch.clear()

        with open(args.input, encoding="utf-8") as lines:
            for line in lines:
                batch.append(json.loads(line))
                rows += 1
                if len(batch) == args.row_group_rows:
                    flush()
        if batch:
            flush()
    print(f"to_parquet: {rows} rows -> {args.output}", file=sys.stderr)


if __name__ == "__main__":
    main()
