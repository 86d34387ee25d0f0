//! CSV / TSV reader: a header row names the columns, one record per row.
//!
//! Quoted cells may hold delimiters, quotes and line breaks; a record's line is the line
//! its row starts on. Empty cells count as missing fields. A row with the wrong number of
//! cells, or bytes that are not UTF-8 in a column koe reads, is rejected on its own; the
//! rest of the file still reads. Rows are bounded like JSONL lines and a stray quote
//! costs one line ([`rows`]). Only the columns the field map names are ever decoded: a
//! Shift-JIS comment in a column koe does not use leaves the row as good as it was.

mod rows;

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::BufRead;
use std::path::{Path, PathBuf};

use csv::ByteRecord;

use super::fields::{Fields, Value, to_record};
use super::lines::too_long;
use super::{Error, Item, RejectReason, Source};
pub use rows::Row;
use rows::RowSplitter;

/// The rows of a CSV stream as ingest's own reader splits them — each bounded by `max`
/// bytes, resynchronised after a stray quote, numbered by the line it starts on — after
/// its header, for every reader of CSV files (ingest's and labelled data's). Rows that
/// span lines are held to the header's number of cells.
pub struct CsvRows {
    rows: RowSplitter,
    path: PathBuf,
    /// The column names, as [`CsvRows::open`] reads them.
    header: Vec<String>,
}

impl CsvRows {
    /// Reads the header of `reader` ([`header_names`]). An empty input has no columns; a
    /// header that is broken or over `max` bytes is an [`Error::Header`].
    pub fn open(
        reader: Box<dyn BufRead + Send>,
        path: &Path,
        delimiter: u8,
        max: usize,
    ) -> Result<Self, Error> {
        let mut rows = CsvRows {
            rows: RowSplitter::new(reader, delimiter, max),
            path: path.to_path_buf(),
            header: Vec::new(),
        };
        let header_error = |message: String| Error::Header {
            path: path.into(),
            message,
        };
        rows.header = match rows.read(None)? {
            None => Vec::new(),
            Some(Row::Cells { cells, .. }) => header_names(cells.iter()),
            Some(Row::Broken { line, detail }) => {
                return Err(header_error(format!("line {line}: {detail}")));
            }
            Some(Row::TooLong { length, max, .. }) => {
                return Err(header_error(too_long(length, max)));
            }
        };
        Ok(rows)
    }

    /// The column names (none for an empty input).
    pub fn header(&self) -> &[String] {
        &self.header
    }

    /// The next row after the header; `None` at the end; an I/O failure says the file
    /// and line.
    pub fn next_row(&mut self) -> Result<Option<Row>, Error> {
        self.read(Some(self.header.len()))
    }

    fn read(&mut self, width: Option<usize>) -> Result<Option<Row>, Error> {
        self.rows.next_row(width).map_err(|source| Error::Read {
            path: self.path.clone(),
            line: self.rows.lines_read() + 1,
            source,
        })
    }
}

/// A header row's cells as column names: decoded leniently (a name that is not UTF-8 can
/// only not be matched), trimmed, a byte-order mark before the first dropped. CSV and TSV
/// headers, ingest's and labelled data's, all read through here.
pub(crate) fn header_names<'a>(cells: impl Iterator<Item = &'a [u8]>) -> Vec<String> {
    cells
        .enumerate()
        .map(|(i, name)| {
            let name = String::from_utf8_lossy(name);
            let name = match i {
                0 => name.trim_start_matches('\u{feff}'),
                _ => &name,
            };
            name.trim().to_string()
        })
        .collect()
}

pub(super) struct CsvReader {
    rows: CsvRows,
    /// The columns the field map names, by name; no other column is looked at.
    columns: HashMap<String, usize>,
    source: Source,
    done: bool,
}

impl CsvReader {
    pub(super) fn new(
        reader: Box<dyn BufRead + Send>,
        delimiter: u8,
        source: Source,
    ) -> Result<Self, Error> {
        let max = source.limits.max_line_bytes();
        let rows = CsvRows::open(reader, &source.path, delimiter, max)?;
        let wanted = source.fields.all_names();
        let mut columns = HashMap::new();
        for (i, name) in rows.header().iter().enumerate() {
            if wanted.contains(&name.as_str()) {
                columns.entry(name.clone()).or_insert(i);
            }
        }
        if !source
            .fields
            .text
            .names()
            .iter()
            .any(|n| columns.contains_key(n))
        {
            let found: Vec<&str> = rows.header().iter().take(20).map(String::as_str).collect();
            return Err(Error::MissingTextColumn {
                path: source.path.clone(),
                field: source.fields.text.to_string(),
                found: format!("columns: {}; map yours with --text-field", found.join(", ")),
            });
        }
        Ok(CsvReader {
            rows,
            columns,
            source,
            done: false,
        })
    }
}

impl Iterator for CsvReader {
    type Item = Result<Item, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let row = match self.rows.next_row() {
            Ok(Some(row)) => row,
            Ok(None) => {
                self.done = true;
                return None;
            }
            Err(error) => {
                self.done = true;
                return Some(Err(error));
            }
        };
        let width = self.rows.header().len();
        let reject =
            |line, reason, detail: String| Some(Ok(Err(self.source.reject(line, reason, detail))));
        match row {
            Row::Broken { line, detail } => reject(line, RejectReason::BrokenCsv, detail),
            Row::TooLong { line, length, max } => {
                reject(line, RejectReason::TextTooLong, too_long(length, max))
            }
            Row::Cells { line, cells } if cells.len() != width => reject(
                line,
                RejectReason::BrokenCsv,
                format!("row has {} cells, the header has {}", cells.len(), width),
            ),
            Row::Cells { line, cells } => {
                let row = CsvRow {
                    columns: &self.columns,
                    cells: &cells,
                };
                Some(Ok(match row.invalid_utf8() {
                    Some(column) => Err(self.source.reject(
                        line,
                        RejectReason::InvalidUtf8,
                        format!("column {column:?} is not valid UTF-8"),
                    )),
                    None => to_record(&row, &self.source, line),
                }))
            }
        }
    }
}

struct CsvRow<'a> {
    columns: &'a HashMap<String, usize>,
    cells: &'a ByteRecord,
}

impl CsvRow<'_> {
    /// The first mapped column whose cell is not UTF-8.
    fn invalid_utf8(&self) -> Option<&str> {
        self.columns
            .iter()
            .find(|&(_, &i)| {
                self.cells
                    .get(i)
                    .is_some_and(|c| std::str::from_utf8(c).is_err())
            })
            .map(|(name, _)| name.as_str())
    }
}

impl Fields for CsvRow<'_> {
    fn get(&self, name: &str) -> Value<'_> {
        let cell = self.columns.get(name).and_then(|&i| self.cells.get(i));
        match cell.map(std::str::from_utf8) {
            Some(Ok(text)) if !text.trim().is_empty() => Value::Text(Cow::Borrowed(text)),
            _ => Value::Missing,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;
    use std::sync::Arc;

    use crate::ingest::{FieldMap, FieldNames, Limits, Reject};

    fn reader(input: &str, text_field: &str) -> Result<CsvReader, Error> {
        bytes_reader(input.as_bytes(), text_field)
    }

    fn bytes_reader(input: &[u8], text_field: &str) -> Result<CsvReader, Error> {
        let source = Source {
            path: "s.csv".into(),
            name: "s.csv".into(),
            fields: Arc::new(FieldMap {
                text: FieldNames::new(text_field),
                rating: FieldNames::preferring(vec!["score".into()], "rating"),
                ..FieldMap::default()
            }),
            limits: Limits::default(),
        };
        CsvReader::new(Box::new(Cursor::new(input.to_vec())), b',', source)
    }

    #[test]
    fn a_stray_quote_costs_one_row_not_the_rest_of_the_file() {
        let mut input = String::from(
            "id,comment,score
",
        );
        for i in 1..=10_000 {
            let quote = if i == 5 { "\"" } else { "" };
            input.push_str(&format!("r{i},{quote}届くのが遅い {i},3\n"));
        }
        let items: Vec<Item> = reader(&input, "comment")
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        let rejects: Vec<&Reject> = items.iter().filter_map(|i| i.as_ref().err()).collect();
        assert_eq!(rejects.len(), 1, "{rejects:?}");
        assert_eq!(
            (rejects[0].line, rejects[0].reason),
            (6, RejectReason::BrokenCsv)
        );
        assert!(rejects[0].detail.contains("quote"), "{}", rejects[0].detail);
        assert_eq!(items.len(), 10_000);
        let last = items.last().unwrap().as_ref().unwrap();
        assert_eq!((last.id.as_str(), last.origin.line), ("r10000", 10_001));
    }

    #[test]
    fn columns_koe_does_not_read_are_never_decoded() {
        // 「店舗」 and 「東京店」 in Shift-JIS: a header and a cell koe is not asked for.
        let mut input = b"id,comment,\x93\x58\x95\xdc\n".to_vec();
        input.extend_from_slice(b"r1,\xe6\xb0\x97\xe6\x8c\x81\xe3\x81\xa1\xe3\x81\x84\xe3\x81\x84,\x93\x8c\x8b\x9e\x93\x58\n");
        input.extend_from_slice(b"r2,\x93\x8c\x8b\x9e,ok\n");
        let items: Vec<Item> = bytes_reader(&input, "comment")
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        let first = items[0].as_ref().unwrap();
        assert_eq!(
            (first.id.as_str(), first.text.as_str()),
            ("r1", "気持ちいい")
        );
        let second = items[1].as_ref().unwrap_err();
        assert_eq!(
            second.reason,
            RejectReason::InvalidUtf8,
            "a mapped column still is"
        );
        assert!(second.detail.contains("comment"), "{}", second.detail);
    }

    #[test]
    fn maps_columns_and_keeps_the_starting_line_of_multiline_rows() {
        let input = "id,comment,score\n\
                     r1,\"店員さんが親切でした。\nまた来ます\",5\n\
                     r2,\"Rude staff, long queue\",1\n\
                     r3,short,\n\
                     r4,too,many,cells\n\
                     r5,\"rating bad\",7\n";
        let items: Vec<Item> = reader(input, "comment")
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        let first = items[0].as_ref().unwrap();
        assert_eq!(
            (first.id.as_str(), first.rating, first.origin.line),
            ("r1", Some(5), 2)
        );
        assert!(first.text.contains("また来ます"));
        let second = items[1].as_ref().unwrap();
        assert_eq!(
            (second.text.as_str(), second.origin.line),
            ("Rude staff, long queue", 4)
        );
        assert_eq!(items[2].as_ref().unwrap().rating, None);
        let broken = items[3].as_ref().unwrap_err();
        assert_eq!((broken.line, broken.reason), (6, RejectReason::BrokenCsv));
        let out_of_range = items[4].as_ref().unwrap_err();
        assert_eq!(
            (out_of_range.line, out_of_range.reason),
            (7, RejectReason::RatingOutOfRange)
        );
    }

    #[test]
    fn a_byte_order_mark_before_the_header_is_not_part_of_the_first_name() {
        let items: Vec<Item> = reader("\u{feff}comment,score\nとても良い,5\n", "comment")
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        let record = items[0].as_ref().unwrap();
        assert_eq!(
            (record.text.as_str(), record.rating),
            ("とても良い", Some(5))
        );
    }

    #[test]
    fn a_missing_text_column_is_an_error_that_names_the_columns() {
        let Err(error) = reader("id,body\n1,hello\n", "comment") else {
            panic!("expected an error");
        };
        let message = error.to_string();
        assert!(
            message.contains("\"comment\"") && message.contains("body"),
            "{message}"
        );
    }
}
