//! Ingest: JSONL and CSV dumps (optionally gzipped) and Parquet files → a stream of
//! [`Record`]s.
//!
//! [`open`] picks a reader by file extension (`.jsonl`, `.ndjson`, `.csv`, `.tsv`, each
//! optionally `.gz`, and `.parquet`) and returns an iterator that reads one line or row
//! at a time (Parquet: one row group at a time), so memory stays flat whatever the size
//! of the dump ([`read`] does the same for any byte stream but Parquet, which needs a
//! file it can seek in). A line or row is kept up to a bound ([`Limits`]); past it, it is a reject. Field names come from a [`FieldMap`]
//! (koe's defaults, or the names a dump uses). Every line yields either a valid
//! [`Record`] or a [`Reject`] that says which file and line went wrong and why; only an
//! I/O failure of the file itself is an [`Error`]. [`ArrowRows`] reads Arrow record
//! batches a caller already holds (a Spark partition's) the way Parquet rows are read.
//! The pipeline hands records to the text stage and writes rejects to `rejects.jsonl`.

mod csv;
mod fields;
mod jsonl;
mod lines;
mod parquet;
mod rejects;

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;

use crate::record::Record;
pub use csv::{CsvRows, Row};
pub use fields::{FieldMap, FieldNames, parse_date, parse_date_end, parse_since, parse_until};
pub use lines::{CappedLines, Line, too_long};
pub use parquet::ArrowRows;
pub use rejects::RejectLog;

/// Errors that stop reading a file (bad lines are [`Reject`]s, not errors).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot open {path}: {source}")]
    Open {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot read {path} near line {line}: {source}")]
    Read {
        path: PathBuf,
        line: u64,
        source: std::io::Error,
    },
    #[error(
        "cannot tell the format of {0}: expected .jsonl, .ndjson, .csv or .tsv (optionally .gz), or .parquet"
    )]
    UnknownFormat(PathBuf),
    #[error("{path}: bad header row: {message}")]
    Header { path: PathBuf, message: String },
    #[error("{path}: cannot read Parquet at row {row}: {source}")]
    Parquet {
        path: PathBuf,
        /// The 1-based row being read; 0 for the file's footer.
        row: u64,
        source: ::parquet::errors::ParquetError,
    },
    #[error("{0}: Parquet is read from a file koe can seek in, not from a stream")]
    ParquetStream(PathBuf),
    #[error("{path}: the text column {field} is not among its columns ({found})")]
    MissingTextColumn {
        path: PathBuf,
        field: String,
        found: String,
    },
}

/// Why a line was set aside.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RejectReason {
    BrokenJson,
    NotAnObject,
    BrokenCsv,
    InvalidUtf8,
    MissingText,
    EmptyText,
    TextTooLong,
    BadDate,
    RatingOutOfRange,
    NpsOutOfRange,
    EffortOutOfRange,
    BadField,
    BadLang,
    /// The text stage could not analyse the text.
    AnalysisFailed,
    /// Another record with the same id is kept instead (`--duplicate-ids`).
    DuplicateId,
}

impl RejectReason {
    pub fn as_str(self) -> &'static str {
        match self {
            RejectReason::BrokenJson => "broken_json",
            RejectReason::NotAnObject => "not_an_object",
            RejectReason::BrokenCsv => "broken_csv",
            RejectReason::InvalidUtf8 => "invalid_utf8",
            RejectReason::MissingText => "missing_text",
            RejectReason::EmptyText => "empty_text",
            RejectReason::TextTooLong => "text_too_long",
            RejectReason::BadDate => "bad_date",
            RejectReason::RatingOutOfRange => "rating_out_of_range",
            RejectReason::NpsOutOfRange => "nps_out_of_range",
            RejectReason::EffortOutOfRange => "effort_out_of_range",
            RejectReason::BadField => "bad_field",
            RejectReason::BadLang => "bad_lang",
            RejectReason::AnalysisFailed => "analysis_failed",
            RejectReason::DuplicateId => "duplicate_id",
        }
    }
}

/// A line that did not make a record: where, why, and a human-readable detail.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reject {
    pub file: Arc<str>,
    pub line: u64,
    pub reason: RejectReason,
    pub detail: String,
}

/// What one line or row of input became.
pub type Item = Result<Record, Reject>;

/// Size limits that keep one huge record from blowing up memory.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Longest text accepted, in bytes (UTF-8); longer texts are rejected.
    pub max_text_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_text_bytes: 100_000,
        }
    }
}

impl Limits {
    /// Longest JSONL line kept in memory: room for the text, its escapes and the fields.
    pub fn max_line_bytes(self) -> usize {
        self.max_text_bytes.saturating_mul(6).max(64 * 1024)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Jsonl,
    Csv { delimiter: u8 },
    Parquet,
}

fn format_of(path: &Path) -> Option<(Format, bool)> {
    let (extension, gzip) = extension_of(path);
    let format = match extension.as_str() {
        "jsonl" | "ndjson" => Format::Jsonl,
        "csv" => Format::Csv { delimiter: b',' },
        "tsv" => Format::Csv { delimiter: b'\t' },
        // A compressed Parquet file is compressed inside, page by page.
        "parquet" if !gzip => Format::Parquet,
        _ => return None,
    };
    Some((format, gzip))
}

/// A file name's extension in lower case, less a final `.gz`, and whether it had one:
/// `("tsv", true)` for `Train.TSV.gz`, `("", false)` for `README`.
pub fn extension_of(path: &Path) -> (String, bool) {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let (stem, gzip) = match name.strip_suffix(".gz") {
        Some(stem) => (stem, true),
        None => (name.as_str(), false),
    };
    let extension = stem.rsplit_once('.').map_or("", |(_, e)| e).to_string();
    (extension, gzip)
}

/// A stream of items from one input file.
pub type Items = Box<dyn Iterator<Item = Result<Item, Error>> + Send>;

/// Opens `path` and returns its records and rejects, one per line or row, in order.
/// `bytes_read` counts the file's bytes as they are read (compressed, for `.gz`), for
/// progress bars.
pub fn open(
    path: &Path,
    fields: Arc<FieldMap>,
    limits: Limits,
    bytes_read: Arc<AtomicU64>,
) -> Result<Items, Error> {
    let file = File::open(path).map_err(|source| Error::Open {
        path: path.into(),
        source,
    })?;
    if let Some((Format::Parquet, _)) = format_of(path) {
        let source = Source::new(path, fields, limits);
        return Ok(Box::new(parquet::ParquetReader::open(
            file, source, bytes_read,
        )?));
    }
    let file = CountingReader {
        inner: file,
        count: bytes_read,
    };
    read(path, Box::new(file), fields, limits)
}

/// Reads records from `input`, whose format (and compression) the name `path` gives, as
/// [`open`] reads a file: for input that is not a file (a pipe, bytes in memory).
pub fn read(
    path: &Path,
    input: Box<dyn Read + Send>,
    fields: Arc<FieldMap>,
    limits: Limits,
) -> Result<Items, Error> {
    let (format, gzip) = format_of(path).ok_or_else(|| Error::UnknownFormat(path.into()))?;
    let reader = decoded(input, gzip);
    let source = Source::new(path, fields, limits);
    Ok(match format {
        Format::Jsonl => Box::new(jsonl::JsonlReader::new(reader, source)),
        Format::Csv { delimiter } => Box::new(csv::CsvReader::new(reader, delimiter, source)?),
        Format::Parquet => return Err(Error::ParquetStream(path.into())),
    })
}

/// `input`, gunzipped when `gzip`, buffered.
fn decoded(input: Box<dyn Read + Send>, gzip: bool) -> Box<dyn BufRead + Send> {
    let raw: Box<dyn Read + Send> = if gzip {
        Box::new(flate2::read::MultiGzDecoder::new(input))
    } else {
        input
    };
    Box::new(BufReader::with_capacity(256 * 1024, raw))
}

/// Opens a file for a reader of its own (labelled data, gold themes): the file, gunzipped
/// when its name ends in `.gz` ([`extension_of`] tells its format).
pub fn open_decoded(path: &Path) -> Result<Box<dyn BufRead + Send>, Error> {
    let file = File::open(path).map_err(|source| Error::Open {
        path: path.into(),
        source,
    })?;
    Ok(decoded(Box::new(file), extension_of(path).1))
}

/// Counts the bytes read through it.
struct CountingReader<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// What every reader needs to know about the file it reads.
struct Source {
    path: PathBuf,
    /// The path as the user gave it: in rejects, origins and generated ids.
    name: Arc<str>,
    fields: Arc<FieldMap>,
    limits: Limits,
}

impl Source {
    fn new(path: &Path, fields: Arc<FieldMap>, limits: Limits) -> Self {
        Source {
            path: path.to_path_buf(),
            name: path.to_string_lossy().into(),
            fields,
            limits,
        }
    }

    fn reject(&self, line: u64, reason: RejectReason, detail: impl Into<String>) -> Reject {
        Reject {
            file: self.name.clone(),
            line,
            reason,
            detail: detail.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_by_extension() {
        assert_eq!(
            format_of(Path::new("a/b.jsonl")),
            Some((Format::Jsonl, false))
        );
        assert_eq!(
            format_of(Path::new("B.NDJSON.gz")),
            Some((Format::Jsonl, true))
        );
        assert_eq!(
            format_of(Path::new("survey.tsv")),
            Some((Format::Csv { delimiter: b'\t' }, false))
        );
        assert_eq!(
            format_of(Path::new("dump.parquet")),
            Some((Format::Parquet, false))
        );
        assert_eq!(format_of(Path::new("dump.parquet.gz")), None);
        assert_eq!(format_of(Path::new("notes.txt")), None);
        assert_eq!(format_of(Path::new("jsonl")), None);
        assert_eq!(
            extension_of(Path::new("d/Train.TSV.gz")),
            ("tsv".into(), true)
        );
    }
}
