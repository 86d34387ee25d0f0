//! Parquet reader: one row group at a time, one record per row.
//!
//! Only the columns the [`FieldMap`](super::FieldMap) names are decoded (a dump's other
//! columns are never read), and only one row group is held at once, in batches of
//! [`BATCH_ROWS`] rows: memory follows the size of a row group, not of the file. Rows
//! are numbered from 1 over the whole file; a reject's `line` is that row number.
//! Strings (plain, large, view or dictionary-encoded), numbers, dates and timestamps map
//! to koe's fields the way JSON values do; a list, struct or boolean where koe wants
//! text or a number is a `bad_field` reject, as in JSONL. A file that is not Parquet, or
//! a page that does not decode, is an [`Error`] naming the file and the row.

use std::borrow::Cow;
use std::fs::File;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Date64Type, Float16Type, Float32Type, Float64Type, Int8Type, Int16Type, Int32Type,
    Int64Type, TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType,
    TimestampSecondType, UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use arrow_array::{Array, RecordBatch, downcast_dictionary_array};
use arrow_schema::{DataType, Schema, TimeUnit};
use chrono::{DateTime, NaiveDate, Utc};
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReader,
    ParquetRecordBatchReaderBuilder,
};

use super::fields::{Fields, Value, to_record};
use super::{Error, FieldMap, Item, Limits, Source};

/// Rows decoded at once: small enough that a batch of long texts stays small.
const BATCH_ROWS: usize = 1024;

pub(super) struct ParquetReader {
    file: File,
    metadata: ArrowReaderMetadata,
    projection: ProjectionMask,
    source: Source,
    bytes_read: Arc<AtomicU64>,
    next_group: usize,
    batches: Option<ParquetRecordBatchReader>,
    batch: Option<RecordBatch>,
    row_in_batch: usize,
    /// Rows handed out so far (the 1-based number of the last one).
    row: u64,
    done: bool,
}

impl ParquetReader {
    /// Reads the file's footer and checks that the text column is there.
    pub(super) fn open(
        file: File,
        source: Source,
        bytes_read: Arc<AtomicU64>,
    ) -> Result<Self, Error> {
        let metadata =
            ArrowReaderMetadata::load(&file, ArrowReaderOptions::new()).map_err(|e| {
                Error::Parquet {
                    path: source.path.clone(),
                    row: 0,
                    source: e,
                }
            })?;
        let schema = metadata.schema();
        let wanted = source.fields.all_names();
        let columns: Vec<usize> = schema
            .fields()
            .iter()
            .enumerate()
            .filter(|(_, f)| wanted.contains(&f.name().as_str()))
            .map(|(i, _)| i)
            .collect();
        check_text_column(schema, &source, "--text-field")?;
        let projection = ProjectionMask::roots(metadata.parquet_schema(), columns);
        Ok(ParquetReader {
            file,
            metadata,
            projection,
            source,
            bytes_read,
            next_group: 0,
            batches: None,
            batch: None,
            row_in_batch: 0,
            row: 0,
            done: false,
        })
    }

    fn error(&mut self, source: parquet::errors::ParquetError) -> Error {
        self.done = true;
        Error::Parquet {
            path: self.source.path.clone(),
            row: self.row + 1,
            source,
        }
    }

    /// Starts the next row group; `false` when there is none.
    fn open_next_group(&mut self) -> Result<bool, Error> {
        let groups = self.metadata.metadata().row_groups();
        let Some(group) = groups.get(self.next_group) else {
            return Ok(false);
        };
        self.bytes_read
            .fetch_add(group.compressed_size().max(0) as u64, Ordering::Relaxed);
        let file = self
            .file
            .try_clone()
            .map_err(|e| self.error(parquet::errors::ParquetError::External(Box::new(e))))?;
        let reader =
            ParquetRecordBatchReaderBuilder::new_with_metadata(file, self.metadata.clone())
                .with_projection(self.projection.clone())
                .with_row_groups(vec![self.next_group])
                .with_batch_size(BATCH_ROWS)
                .build()
                .map_err(|e| self.error(e))?;
        self.next_group += 1;
        self.batches = Some(reader);
        Ok(true)
    }
}

impl Iterator for ParquetReader {
    type Item = Result<Item, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.done {
            if let Some(batch) = &self.batch
                && self.row_in_batch < batch.num_rows()
            {
                let row = Row {
                    batch,
                    index: self.row_in_batch,
                };
                self.row_in_batch += 1;
                self.row += 1;
                return Some(Ok(to_record(&row, &self.source, self.row)));
            }
            self.batch = None;
            match self.batches.as_mut().map(Iterator::next) {
                Some(Some(Ok(batch))) => {
                    self.batch = Some(batch);
                    self.row_in_batch = 0;
                }
                Some(Some(Err(e))) => return Some(Err(self.error(e.into()))),
                Some(None) | None => {
                    self.batches = None;
                    match self.open_next_group() {
                        Ok(true) => {}
                        Ok(false) => self.done = true,
                        Err(e) => return Some(Err(e)),
                    }
                }
            }
        }
        None
    }
}

/// Refuses a schema without the text column, listing the columns it has; `hint` says
/// how the caller maps another name (`--text-field`, `fields={"text": ...}`).
fn check_text_column(schema: &Schema, source: &Source, hint: &str) -> Result<(), Error> {
    let has_text = source
        .fields
        .text
        .names()
        .iter()
        .any(|name| schema.field_with_name(name).is_ok());
    if has_text {
        return Ok(());
    }
    let found: Vec<&str> = schema
        .fields()
        .iter()
        .take(20)
        .map(|f| f.name().as_str())
        .collect();
    Err(Error::MissingTextColumn {
        path: source.path.clone(),
        field: source.fields.text.to_string(),
        found: format!("columns: {}; map yours with {hint}", found.join(", ")),
    })
}

/// Records from Arrow record batches the caller holds (a Spark partition's), read as
/// the rows of a Parquet file are: the same field mapping and rejects, rows numbered
/// from 1 over all the batches, `name` standing for the file in origins and rejects.
pub struct ArrowRows {
    source: Source,
    /// Rows read so far (the 1-based number of the last one).
    row: u64,
}

impl ArrowRows {
    pub fn new(name: &str, fields: Arc<FieldMap>, limits: Limits) -> Self {
        ArrowRows {
            source: Source::new(Path::new(name), fields, limits),
            row: 0,
        }
    }

    /// One record or reject per row of `batch`; a batch without the text column is an
    /// error naming the columns it has.
    pub fn read(&mut self, batch: &RecordBatch) -> Result<Vec<Item>, Error> {
        check_text_column(&batch.schema(), &self.source, "the text field's name")?;
        let first = self.row;
        self.row += batch.num_rows() as u64;
        Ok((0..batch.num_rows())
            .map(|index| {
                let line = first + index as u64 + 1;
                to_record(&Row { batch, index }, &self.source, line)
            })
            .collect())
    }
}

/// One row of a decoded batch, read by column name.
struct Row<'a> {
    batch: &'a RecordBatch,
    index: usize,
}

impl Fields for Row<'_> {
    fn get(&self, name: &str) -> Value<'_> {
        match self.batch.column_by_name(name) {
            Some(column) => value_at(column.as_ref(), self.index),
            None => Value::Missing,
        }
    }
}

/// The value of one cell, as ingest's field mapping understands values.
fn value_at(array: &dyn Array, row: usize) -> Value<'_> {
    if array.is_null(row) {
        return Value::Missing;
    }
    let number = |n: f64| Value::Number(n);
    match array.data_type() {
        DataType::Utf8 => Value::Text(Cow::Borrowed(array.as_string::<i32>().value(row))),
        DataType::LargeUtf8 => Value::Text(Cow::Borrowed(array.as_string::<i64>().value(row))),
        DataType::Utf8View => Value::Text(Cow::Borrowed(array.as_string_view().value(row))),
        DataType::Binary => bytes(array.as_binary::<i32>().value(row)),
        DataType::LargeBinary => bytes(array.as_binary::<i64>().value(row)),
        DataType::BinaryView => bytes(array.as_binary_view().value(row)),
        DataType::Int8 => number(array.as_primitive::<Int8Type>().value(row).into()),
        DataType::Int16 => number(array.as_primitive::<Int16Type>().value(row).into()),
        DataType::Int32 => number(array.as_primitive::<Int32Type>().value(row).into()),
        DataType::Int64 => number(array.as_primitive::<Int64Type>().value(row) as f64),
        DataType::UInt8 => number(array.as_primitive::<UInt8Type>().value(row).into()),
        DataType::UInt16 => number(array.as_primitive::<UInt16Type>().value(row).into()),
        DataType::UInt32 => number(array.as_primitive::<UInt32Type>().value(row).into()),
        DataType::UInt64 => number(array.as_primitive::<UInt64Type>().value(row) as f64),
        DataType::Float16 => number(array.as_primitive::<Float16Type>().value(row).to_f64()),
        DataType::Float32 => number(array.as_primitive::<Float32Type>().value(row).into()),
        DataType::Float64 => number(array.as_primitive::<Float64Type>().value(row)),
        DataType::Date32 => {
            let days = array.as_primitive::<Date32Type>().value(row);
            date_text(NaiveDate::from_epoch_days(days).map(|d| d.to_string()))
        }
        DataType::Date64 => {
            let millis = array.as_primitive::<Date64Type>().value(row);
            date_text(DateTime::<Utc>::from_timestamp_millis(millis).map(|d| d.to_rfc3339()))
        }
        DataType::Timestamp(unit, _) => {
            let instant = match unit {
                TimeUnit::Second => DateTime::<Utc>::from_timestamp(
                    array.as_primitive::<TimestampSecondType>().value(row),
                    0,
                ),
                TimeUnit::Millisecond => DateTime::<Utc>::from_timestamp_millis(
                    array.as_primitive::<TimestampMillisecondType>().value(row),
                ),
                TimeUnit::Microsecond => DateTime::<Utc>::from_timestamp_micros(
                    array.as_primitive::<TimestampMicrosecondType>().value(row),
                ),
                TimeUnit::Nanosecond => Some(DateTime::<Utc>::from_timestamp_nanos(
                    array.as_primitive::<TimestampNanosecondType>().value(row),
                )),
            };
            date_text(instant.map(|d| d.to_rfc3339()))
        }
        DataType::Dictionary(_, _) => downcast_dictionary_array!(
            array => match array.key(row) {
                Some(key) => value_at(array.values().as_ref(), key),
                None => Value::Missing,
            },
            _ => Value::Other("a dictionary koe cannot read"),
        ),
        DataType::Boolean => Value::Other("a boolean"),
        DataType::Null => Value::Missing,
        DataType::List(_)
        | DataType::LargeList(_)
        | DataType::ListView(_)
        | DataType::LargeListView(_)
        | DataType::FixedSizeList(_, _) => Value::Other("a list"),
        DataType::Struct(_) | DataType::Map(_, _) => Value::Other("a struct"),
        _ => Value::Other("a value of a type koe does not read"),
    }
}

fn bytes(value: &[u8]) -> Value<'_> {
    match std::str::from_utf8(value) {
        Ok(text) => Value::Text(Cow::Borrowed(text)),
        Err(_) => Value::Other("bytes that are not UTF-8"),
    }
}

/// A date column as the text ingest parses: the same checks as a date written as text.
fn date_text(text: Option<String>) -> Value<'static> {
    match text {
        Some(text) => Value::Text(Cow::Owned(text)),
        None => Value::Other("a date out of range"),
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::sync::Arc;
    use std::sync::atomic::AtomicU64;

    use arrow_array::builder::{ListBuilder, StringBuilder};
    use arrow_array::{
        ArrayRef, DictionaryArray, Int32Array, Int64Array, StringArray, TimestampMillisecondArray,
    };
    use parquet::arrow::ArrowWriter;
    use parquet::file::properties::WriterProperties;

    use crate::ingest::{self, FieldMap, FieldNames, Limits, RejectReason};

    /// Writes `columns` as a Parquet file with row groups of `group_rows` rows.
    fn write(path: &Path, columns: Vec<(&str, ArrayRef)>, group_rows: usize) {
        let batch = RecordBatch::try_from_iter(columns).unwrap();
        let file = File::create(path).unwrap();
        let properties = WriterProperties::builder()
            .set_max_row_group_row_count(Some(group_rows))
            .build();
        let mut writer = ArrowWriter::try_new(file, batch.schema(), Some(properties)).unwrap();
        writer.write(&batch).unwrap();
        writer.close().unwrap();
    }

    fn read(path: &Path, fields: FieldMap) -> Vec<Item> {
        ingest::open(
            path,
            Arc::new(fields),
            Limits::default(),
            Arc::new(AtomicU64::new(0)),
        )
        .unwrap()
        .map(|item| item.unwrap())
        .collect()
    }

    use super::*;

    #[test]
    fn reads_rows_across_row_groups_and_rejects_bad_rows_by_row_number() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("dump.parquet");
        let comments: StringArray = vec![
            Some("配送が遅くて困りました"),
            Some("Great staff, quick checkout"),
            None,
            Some("   "),
            Some("アプリが落ちる"),
            Some("Refund took a month"),
        ]
        .into_iter()
        .collect();
        let stars = Int64Array::from(vec![Some(2), Some(5), Some(3), Some(4), Some(9), None]);
        let channel: DictionaryArray<Int32Type> =
            vec!["app", "store", "app", "web", "app", "support"]
                .into_iter()
                .collect();
        let millis = 1_700_000_000_000;
        let created = TimestampMillisecondArray::from(vec![millis; 6]).with_timezone("UTC");
        let mut tags = ListBuilder::new(StringBuilder::new());
        for _ in 0..6 {
            tags.values().append_value("x");
            tags.append(true);
        }
        let ids = Int32Array::from(vec![101, 102, 103, 104, 105, 106]);
        write(
            &path,
            vec![
                ("review_id", Arc::new(ids) as ArrayRef),
                ("comment", Arc::new(comments)),
                ("stars", Arc::new(stars)),
                ("channel", Arc::new(channel)),
                ("created_at", Arc::new(created)),
                ("tags", Arc::new(tags.finish())),
            ],
            4,
        );
        let fields = FieldMap {
            id: FieldNames::preferring(vec!["review_id".into()], "id"),
            text: FieldNames::preferring(vec!["comment".into()], "text"),
            rating: FieldNames::preferring(vec!["stars".into()], "rating"),
            ..FieldMap::default()
        };
        let items = read(&path, fields);
        let outcome: Vec<Result<u64, (u64, RejectReason)>> = items
            .iter()
            .map(|item| match item {
                Ok(record) => Ok(record.origin.line),
                Err(reject) => Err((reject.line, reject.reason)),
            })
            .collect();
        assert_eq!(
            outcome,
            vec![
                Ok(1),
                Ok(2),
                Err((3, RejectReason::MissingText)),
                Err((4, RejectReason::EmptyText)),
                Err((5, RejectReason::RatingOutOfRange)),
                Ok(6),
            ]
        );
        let first = items[0].as_ref().unwrap();
        assert_eq!(first.id, "101");
        assert_eq!(first.text, "配送が遅くて困りました");
        assert_eq!(first.rating, Some(2));
        assert_eq!(first.channel.as_deref(), Some("app"));
        assert_eq!(first.created_at.map(|d| d.timestamp_millis()), Some(millis));
        let last = items[5].as_ref().unwrap();
        assert_eq!(
            (last.rating, last.channel.as_deref()),
            (None, Some("support"))
        );
        let reject = items[4].as_ref().unwrap_err();
        assert_eq!(&*reject.file, path.to_string_lossy());
    }

    #[test]
    fn a_list_where_text_belongs_is_a_bad_field_and_a_missing_text_column_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lists.parquet");
        let mut texts = ListBuilder::new(StringBuilder::new());
        texts.values().append_value("not a text");
        texts.append(true);
        write(
            &path,
            vec![("text", Arc::new(texts.finish()) as ArrayRef)],
            10,
        );
        let items = read(&path, FieldMap::default());
        assert_eq!(
            items[0].as_ref().unwrap_err().reason,
            RejectReason::BadField
        );

        let other = dir.path().join("other.parquet");
        let body: StringArray = vec![Some("hello")].into_iter().collect();
        write(&other, vec![("body", Arc::new(body) as ArrayRef)], 10);
        let error = ingest::open(
            &other,
            Arc::new(FieldMap::default()),
            Limits::default(),
            Arc::new(AtomicU64::new(0)),
        )
        .err()
        .unwrap();
        assert!(error.to_string().contains("columns: body"), "{error}");
    }

    #[test]
    fn arrow_rows_number_rows_over_batches_and_name_the_missing_text_column() {
        let fields = Arc::new(FieldMap {
            text: FieldNames::preferring(vec!["comment".into()], "text"),
            ..FieldMap::default()
        });
        let mut rows = ArrowRows::new("part-00003", fields, Limits::default());
        let first: StringArray = vec![Some("配送が遅くて困りました"), None]
            .into_iter()
            .collect();
        let second: StringArray = vec![Some("Great staff")].into_iter().collect();
        let mut lines = Vec::new();
        for comments in [first, second] {
            let batch =
                RecordBatch::try_from_iter([("comment", Arc::new(comments) as ArrayRef)]).unwrap();
            for item in rows.read(&batch).unwrap() {
                lines.push(match item {
                    Ok(record) => (record.origin.line, record.text, None),
                    Err(reject) => (reject.line, String::new(), Some(reject.reason)),
                });
            }
        }
        assert_eq!(
            lines,
            vec![
                (1, "配送が遅くて困りました".to_string(), None),
                (2, String::new(), Some(RejectReason::MissingText)),
                (3, "Great staff".to_string(), None),
            ]
        );

        let body: StringArray = vec![Some("hello")].into_iter().collect();
        let batch = RecordBatch::try_from_iter([("body", Arc::new(body) as ArrayRef)]).unwrap();
        let error = rows.read(&batch).unwrap_err().to_string();
        assert!(
            error.contains("part-00003") && error.contains("columns: body"),
            "{error}"
        );
    }

    #[test]
    fn a_file_that_is_not_parquet_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fake.parquet");
        std::fs::write(&path, "{\"text\":\"this is JSON\"}\n").unwrap();
        let error = ingest::open(
            &path,
            Arc::new(FieldMap::default()),
            Limits::default(),
            Arc::new(AtomicU64::new(0)),
        )
        .err()
        .unwrap();
        assert!(error.to_string().contains("fake.parquet"), "{error}");
    }
}
