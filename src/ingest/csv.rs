//! CSV / TSV reader: a header row names the columns, one record per row.
//!
//! Quoted fields may hold commas, quotes and newlines; a record's line is the line its row
//! starts on. Empty cells count as missing fields. A row with the wrong number of cells,
//! or bytes that are not UTF-8, is rejected on its own; the rest of the file still reads.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::BufRead;

use csv::{ByteRecord, ReaderBuilder};

use super::fields::{Fields, Value, to_record};
use super::{Error, Item, RejectReason, Source};

pub(super) struct CsvReader {
    reader: csv::Reader<Box<dyn BufRead + Send>>,
    columns: HashMap<String, usize>,
    row: ByteRecord,
    source: Source,
    done: bool,
}

impl CsvReader {
    pub(super) fn new(
        reader: Box<dyn BufRead + Send>,
        delimiter: u8,
        source: Source,
    ) -> Result<Self, Error> {
        let mut reader = ReaderBuilder::new()
            .delimiter(delimiter)
            .flexible(false)
            .from_reader(reader);
        let header_error = |message: String| Error::CsvHeader {
            path: source.path.clone(),
            message,
        };
        let headers = reader
            .byte_headers()
            .map_err(|e| header_error(e.to_string()))?;
        let mut columns = HashMap::new();
        for (i, name) in headers.iter().enumerate() {
            let name = std::str::from_utf8(name)
                .map_err(|_| header_error(format!("column {} is not UTF-8", i + 1)))?;
            columns.entry(name.trim().to_string()).or_insert(i);
        }
        if !source
            .fields
            .text
            .names()
            .iter()
            .any(|n| columns.contains_key(n))
        {
            let mut found: Vec<&str> = headers
                .iter()
                .map(|h| std::str::from_utf8(h).unwrap_or("?"))
                .collect();
            found.truncate(20);
            return Err(Error::MissingTextColumn {
                path: source.path.clone(),
                field: source.fields.text.to_string(),
                found: format!("columns: {}; map yours with --text-field", found.join(", ")),
            });
        }
        Ok(CsvReader {
            reader,
            columns,
            row: ByteRecord::new(),
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
        let result = self.reader.read_byte_record(&mut self.row);
        let line = self.row.position().map_or(0, |p| p.line());
        match result {
            Ok(false) => {
                self.done = true;
                None
            }
            Ok(true) => {
                let row = Row {
                    columns: &self.columns,
                    cells: &self.row,
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
            Err(e) if e.is_io_error() => {
                self.done = true;
                let csv::ErrorKind::Io(source) = e.into_kind() else {
                    unreachable!("is_io_error() said this is an I/O error")
                };
                Some(Err(Error::Read {
                    path: self.source.path.clone(),
                    line,
                    source,
                }))
            }
            Err(e) => {
                let line = e.position().map_or(line, |p| p.line());
                let detail = match e.kind() {
                    csv::ErrorKind::UnequalLengths {
                        expected_len, len, ..
                    } => format!("row has {len} cells, the header has {expected_len}"),
                    _ => e.to_string(),
                };
                Some(Ok(Err(self.source.reject(
                    line,
                    RejectReason::BrokenCsv,
                    detail,
                ))))
            }
        }
    }
}

struct Row<'a> {
    columns: &'a HashMap<String, usize>,
    cells: &'a ByteRecord,
}

impl Row<'_> {
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

impl Fields for Row<'_> {
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

    use crate::ingest::{FieldMap, FieldNames, Limits};

    fn reader(input: &str, text_field: &str) -> Result<CsvReader, Error> {
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
        CsvReader::new(
            Box::new(Cursor::new(input.as_bytes().to_vec())),
            b',',
            source,
        )
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
