//! Parquet in and out: `koe analyze dump.parquet` reads what the same dump as JSONL gives,
//! with the same field-mapping flags and rejects by row; `--emit parquet` writes one row
//! per record into the published generation, read back here with the parquet crate.

mod common;

use std::collections::BTreeMap;
use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float32Type, UInt8Type, UInt32Type, UInt64Type};
use arrow_array::{Array, ArrayRef, Int64Array, RecordBatch, StringArray};
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::file::properties::WriterProperties;
use serde_json::Value;

use common::{DEMO, current, koe, run_json};
use koe::analysis::Part;

/// The demo corpus as Parquet, in row groups of 64 rows, with the text column named
/// `comment` and the rating `stars` (as a warehouse export would name them).
fn demo_as_parquet(path: &Path) -> usize {
    let lines: Vec<Value> = std::fs::read_to_string(DEMO)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let text = |name: &str| -> ArrayRef {
        let values: StringArray = lines.iter().map(|l| l[name].as_str()).collect();
        Arc::new(values)
    };
    let number = |name: &str| -> ArrayRef {
        let values: Int64Array = lines.iter().map(|l| l[name].as_i64()).collect();
        Arc::new(values)
    };
    let batch = RecordBatch::try_from_iter(vec![
        ("id", text("id")),
        ("comment", text("text")),
        ("stars", number("rating")),
        ("nps", number("nps")),
        ("channel", text("channel")),
        ("stage", text("stage")),
        ("product", text("product")),
        ("created_at", text("created_at")),
        ("lang", text("lang")),
    ])
    .unwrap();
    let properties = WriterProperties::builder()
        .set_max_row_group_row_count(Some(64))
        .build();
    let mut writer = ArrowWriter::try_new(
        File::create(path).unwrap(),
        batch.schema(),
        Some(properties),
    )
    .unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();
    lines.len()
}

/// One row of records.parquet, by id: lang, sentiment, score, topics, rating, channel.
type Row = (String, String, f32, Vec<u32>, Option<i64>, Option<String>);

fn read_records(path: &Path) -> (BTreeMap<String, Row>, Vec<u64>) {
    let reader = ParquetRecordBatchReaderBuilder::try_new(File::open(path).unwrap())
        .unwrap()
        .build()
        .unwrap();
    let mut rows = BTreeMap::new();
    let mut lines = Vec::new();
    for batch in reader {
        let batch = batch.unwrap();
        let column = |name: &str| batch.column_by_name(name).unwrap().clone();
        let (id, lang, sentiment) = (column("id"), column("lang"), column("sentiment"));
        let (id, lang, sentiment) = (
            id.as_string::<i32>(),
            lang.as_string::<i32>(),
            sentiment.as_string::<i32>(),
        );
        let score = column("sentiment_score");
        let score = score.as_primitive::<Float32Type>();
        let topics = column("topics");
        let topics = topics.as_list::<i32>();
        let rating = arrow_cast_rating(&column("rating"));
        let channel = column("channel");
        let channel = channel.as_string::<i32>();
        let line = column("source_line");
        lines.extend(line.as_primitive::<UInt64Type>().values().iter().copied());
        for (i, rating) in rating.into_iter().enumerate() {
            let topic_ids = topics.value(i);
            let topic_ids = topic_ids.as_primitive::<UInt32Type>().values().to_vec();
            rows.insert(
                id.value(i).to_string(),
                (
                    lang.value(i).to_string(),
                    sentiment.value(i).to_string(),
                    score.value(i),
                    topic_ids,
                    rating,
                    (!channel.is_null(i)).then(|| channel.value(i).to_string()),
                ),
            );
        }
    }
    (rows, lines)
}

/// The rating column (UInt8) as i64s, nulls kept.
fn arrow_cast_rating(column: &ArrayRef) -> Vec<Option<i64>> {
    let ratings = column.as_primitive::<UInt8Type>();
    (0..ratings.len())
        .map(|i| (!ratings.is_null(i)).then(|| i64::from(ratings.value(i))))
        .collect()
}

#[test]
fn a_parquet_dump_analyses_like_the_same_jsonl_and_emits_one_row_per_record() {
    let dir = tempfile::tempdir().unwrap();
    let parquet = dir.path().join("demo.parquet");
    let rows = demo_as_parquet(&parquet);
    let (from_jsonl, from_parquet) = (dir.path().join("a"), dir.path().join("b"));
    let args = [
        "--sentiment",
        "lexicon",
        "--emit",
        "parquet",
        "--json",
        "--quiet",
    ];
    let jsonl_summary = run_json(
        koe()
            .args(["analyze", DEMO, "--out"])
            .arg(&from_jsonl)
            .args(args),
    );
    let parquet_summary = run_json(
        koe()
            .arg("analyze")
            .arg(&parquet)
            .arg("--out")
            .arg(&from_parquet)
            .args(["--text-field", "comment", "--rating-field", "stars"])
            .args(args),
    );
    assert_eq!(parquet_summary["records_read"], rows);
    for key in ["indexed", "rejected", "by_lang", "by_sentiment", "topics"] {
        assert_eq!(jsonl_summary[key], parquet_summary[key], "{key}");
    }

    let (expected, _) = read_records(&current(&from_jsonl, Part::Records));
    let (got, lines) = read_records(&current(&from_parquet, Part::Records));
    assert_eq!(
        got.len() as u64,
        parquet_summary["indexed"].as_u64().unwrap()
    );
    assert_eq!(got, expected, "same records, sentiment, topics and fields");
    assert!(
        got.values().any(|row| !row.3.is_empty()),
        "records carry their topic ids"
    );
    assert!(
        got.values().any(|row| row.4.is_some()),
        "ratings mapped from stars"
    );
    let mut lines = lines;
    lines.sort_unstable();
    assert_eq!(lines.first(), Some(&1));
    assert_eq!(lines.last(), Some(&(rows as u64)));
}

#[test]
fn bad_parquet_rows_are_rejected_with_file_and_row() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("survey.parquet");
    let comment: StringArray = vec![
        Some("配送が遅くて困りました"),
        None,
        Some("Great staff"),
        Some("アプリが落ちる"),
    ]
    .into_iter()
    .collect();
    let stars = Int64Array::from(vec![Some(2), Some(4), Some(9), Some(1)]);
    let batch = RecordBatch::try_from_iter(vec![
        ("comment", Arc::new(comment) as ArrayRef),
        ("stars", Arc::new(stars) as ArrayRef),
    ])
    .unwrap();
    let properties = WriterProperties::builder()
        .set_max_row_group_row_count(Some(2))
        .build();
    let mut writer = ArrowWriter::try_new(
        File::create(&path).unwrap(),
        batch.schema(),
        Some(properties),
    )
    .unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();

    let out = dir.path().join("out");
    let summary = run_json(
        koe()
            .arg("analyze")
            .arg(&path)
            .arg("--out")
            .arg(&out)
            .args(["--text-field", "comment", "--rating-field", "stars"])
            .args(["--sentiment", "lexicon", "--no-topics", "--json", "--quiet"]),
    );
    assert_eq!(
        (summary["indexed"].as_u64(), summary["rejected"].as_u64()),
        (Some(2), Some(2))
    );
    let rejects: Vec<Value> = std::fs::read_to_string(current(&out, Part::Rejects))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let seen: Vec<(&str, u64, &str)> = rejects
        .iter()
        .map(|r| {
            (
                r["file"].as_str().unwrap(),
                r["line"].as_u64().unwrap(),
                r["reason"].as_str().unwrap(),
            )
        })
        .collect();
    let file = path.to_str().unwrap();
    assert_eq!(
        seen,
        vec![(file, 2, "missing_text"), (file, 3, "rating_out_of_range")]
    );
}
