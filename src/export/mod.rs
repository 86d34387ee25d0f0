//! Export: analysed records → a Parquet file, one row per record, for warehouses and BI
//! tools (`koe analyze --emit parquet` writes it into the run's generation as
//! `records.parquet`).
//!
//! [`RecordsWriter`] takes the same [`IndexDoc`]s the index stage takes, after the
//! topics stage has given them their topic ids, and writes them in row groups of
//! [`GROUP_ROWS`] rows, so memory stays flat whatever the corpus size. The columns
//! ([`schema`]) are the record's id, text and survey fields as ingest read them, where
//! it came from (file and 1-based line or row), the detected language, the document's
//! sentiment (label, score −1…1, confidence), its theme id (null: none), its topic ids,
//! primary first, and the
//! taxonomy categories it is in (`--taxonomy`; ancestors included, empty without one).

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::builder::{
    Float32Builder, ListBuilder, StringBuilder, TimestampMicrosecondBuilder, UInt8Builder,
    UInt32Builder, UInt64Builder,
};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;

use crate::index::IndexDoc;

/// Rows buffered before they are handed to the Parquet writer as one batch.
const BATCH_ROWS: usize = 4096;
/// Rows per row group: what a reader (and this writer) holds in memory at once.
pub const GROUP_ROWS: usize = 65_536;

/// Errors of writing an export.
#[derive(Debug, thiserror::Error)]
#[error("cannot write {path}: {source}")]
pub struct Error {
    path: PathBuf,
    source: parquet::errors::ParquetError,
}

/// The columns of `records.parquet`, in order.
pub fn schema() -> SchemaRef {
    let text = |name: &str, nullable| Field::new(name, DataType::Utf8, nullable);
    let small = |name: &str| Field::new(name, DataType::UInt8, true);
    Arc::new(Schema::new(vec![
        text("id", false),
        text("text", false),
        text("lang", false),
        text("sentiment", false),
        Field::new("sentiment_score", DataType::Float32, false),
        Field::new("sentiment_confidence", DataType::Float32, false),
        Field::new("theme", DataType::UInt32, true),
        Field::new(
            "topics",
            DataType::List(Arc::new(Field::new_list_field(DataType::UInt32, false))),
            false,
        ),
        Field::new(
            "categories",
            DataType::List(Arc::new(Field::new_list_field(DataType::Utf8, false))),
            false,
        ),
        small("rating"),
        small("nps"),
        small("effort"),
        text("channel", true),
        text("stage", true),
        text("product", true),
        Field::new(
            "created_at",
            DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
            true,
        ),
        text("source_file", false),
        Field::new("source_line", DataType::UInt64, false),
    ]))
}

/// Column builders for one batch, in [`schema`] order.
struct Columns {
    id: StringBuilder,
    text: StringBuilder,
    lang: StringBuilder,
    sentiment: StringBuilder,
    score: Float32Builder,
    confidence: Float32Builder,
    theme: UInt32Builder,
    topics: ListBuilder<UInt32Builder>,
    categories: ListBuilder<StringBuilder>,
    rating: UInt8Builder,
    nps: UInt8Builder,
    effort: UInt8Builder,
    channel: StringBuilder,
    stage: StringBuilder,
    product: StringBuilder,
    created_at: TimestampMicrosecondBuilder,
    source_file: StringBuilder,
    source_line: UInt64Builder,
    rows: usize,
}

impl Columns {
    fn new() -> Self {
        Columns {
            id: StringBuilder::new(),
            text: StringBuilder::new(),
            lang: StringBuilder::new(),
            sentiment: StringBuilder::new(),
            score: Float32Builder::new(),
            confidence: Float32Builder::new(),
            theme: UInt32Builder::new(),
            topics: ListBuilder::new(UInt32Builder::new())
                .with_field(Arc::new(Field::new_list_field(DataType::UInt32, false))),
            categories: ListBuilder::new(StringBuilder::new())
                .with_field(Arc::new(Field::new_list_field(DataType::Utf8, false))),
            rating: UInt8Builder::new(),
            nps: UInt8Builder::new(),
            effort: UInt8Builder::new(),
            channel: StringBuilder::new(),
            stage: StringBuilder::new(),
            product: StringBuilder::new(),
            created_at: TimestampMicrosecondBuilder::new().with_timezone("UTC"),
            source_file: StringBuilder::new(),
            source_line: UInt64Builder::new(),
            rows: 0,
        }
    }

    fn push(&mut self, doc: &IndexDoc) {
        let record = &doc.record;
        self.id.append_value(&record.id);
        self.text.append_value(&record.text);
        self.lang.append_value(doc.lang.code());
        self.sentiment.append_value(doc.sentiment.label.as_str());
        self.score.append_value(doc.sentiment.value);
        self.confidence.append_value(doc.sentiment.confidence);
        self.theme.append_option(doc.theme);
        self.topics.values().append_slice(&doc.topics);
        self.topics.append(true);
        for category in &doc.categories {
            self.categories.values().append_value(category);
        }
        self.categories.append(true);
        self.rating.append_option(record.rating);
        self.nps.append_option(record.nps);
        self.effort.append_option(record.effort);
        self.channel.append_option(record.channel.as_deref());
        self.stage.append_option(record.stage.as_deref());
        self.product.append_option(record.product.as_deref());
        self.created_at
            .append_option(record.created_at.map(|d| d.timestamp_micros()));
        self.source_file.append_value(&*record.origin.file);
        self.source_line.append_value(record.origin.line);
        self.rows += 1;
    }

    /// The rows so far as one batch; the builders start empty again.
    fn finish(&mut self, schema: &SchemaRef) -> Result<RecordBatch, arrow_schema::ArrowError> {
        self.rows = 0;
        let columns: Vec<ArrayRef> = vec![
            Arc::new(self.id.finish()),
            Arc::new(self.text.finish()),
            Arc::new(self.lang.finish()),
            Arc::new(self.sentiment.finish()),
            Arc::new(self.score.finish()),
            Arc::new(self.confidence.finish()),
            Arc::new(self.theme.finish()),
            Arc::new(self.topics.finish()),
            Arc::new(self.categories.finish()),
            Arc::new(self.rating.finish()),
            Arc::new(self.nps.finish()),
            Arc::new(self.effort.finish()),
            Arc::new(self.channel.finish()),
            Arc::new(self.stage.finish()),
            Arc::new(self.product.finish()),
            Arc::new(self.created_at.finish()),
            Arc::new(self.source_file.finish()),
            Arc::new(self.source_line.finish()),
        ];
        RecordBatch::try_new(schema.clone(), columns)
    }
}

/// Writes analysed records to a Parquet file as they come.
pub struct RecordsWriter {
    path: PathBuf,
    schema: SchemaRef,
    writer: ArrowWriter<File>,
    columns: Columns,
}

impl RecordsWriter {
    pub fn create(path: &Path) -> Result<Self, Error> {
        let schema = schema();
        let writer = parquet_writer(path, &schema)?;
        Ok(RecordsWriter {
            path: path.to_path_buf(),
            schema,
            writer,
            columns: Columns::new(),
        })
    }

    pub fn add(&mut self, doc: &IndexDoc) -> Result<(), Error> {
        self.columns.push(doc);
        if self.columns.rows >= BATCH_ROWS {
            self.write_batch()?;
        }
        Ok(())
    }

    fn write_batch(&mut self) -> Result<(), Error> {
        let batch = self
            .columns
            .finish(&self.schema)
            .map_err(|e| self.error(e.into()))?;
        self.writer.write(&batch).map_err(|e| self.error(e))
    }

    fn error(&self, source: parquet::errors::ParquetError) -> Error {
        Error {
            path: self.path.clone(),
            source,
        }
    }

    /// Writes what is buffered and the file's footer.
    pub fn finish(mut self) -> Result<(), Error> {
        if self.columns.rows > 0 {
            self.write_batch()?;
        }
        let path = self.path;
        self.writer
            .close()
            .map(drop)
            .map_err(|source| Error { path, source })
    }
}

/// A Parquet writer of `schema` into the new file `path`, as `records.parquet` is written.
fn parquet_writer(path: &Path, schema: &SchemaRef) -> Result<ArrowWriter<File>, Error> {
    let error = |source| Error {
        path: path.to_path_buf(),
        source,
    };
    let file = File::create(path).map_err(|e| error(e.into()))?;
    let properties = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_row_count(Some(GROUP_ROWS))
        .build();
    ArrowWriter::try_new(file, schema.clone(), Some(properties)).map_err(error)
}

/// Writes the rows of the `records.parquet` files `parts`, in order, into `out` (`koe
/// index merge`), a row group at a time. A part with other columns is an error.
pub fn concatenate(parts: &[PathBuf], out: &Path) -> Result<(), Error> {
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    let schema = schema();
    let mut writer = parquet_writer(out, &schema)?;
    let out_error = |source| Error {
        path: out.to_path_buf(),
        source,
    };
    for part in parts {
        let error = |source| Error {
            path: part.clone(),
            source,
        };
        let file = File::open(part).map_err(|e| error(e.into()))?;
        let reader = ParquetRecordBatchReaderBuilder::try_new(file)
            .map_err(error)?
            .with_batch_size(BATCH_ROWS)
            .build()
            .map_err(error)?;
        for batch in reader {
            let batch = batch.map_err(|e| error(e.into()))?;
            if batch.schema().fields() != schema.fields() {
                return Err(error(parquet::errors::ParquetError::General(
                    "not a records.parquet of this koe (other columns)".into(),
                )));
            }
            writer.write(&batch).map_err(out_error)?;
        }
    }
    writer.close().map(drop).map_err(out_error)
}
