//! The three formats of labelled files: TSV without quoting, CSV with it, JSONL. Each
//! hands every line's (text, raw label), or why it has none, to a collector.

use std::io::BufRead;
use std::path::Path;

use super::{Error, Fields};
use crate::ingest::{CappedLines, Line};

pub(super) type Collect<'a> = dyn FnMut(u64, Result<(String, String), String>) + 'a;

fn column(header: &[&str], name: &str, path: &Path) -> Result<usize, Error> {
    header
        .iter()
        .position(|h| h.trim() == name)
        .ok_or_else(|| Error::MissingColumn {
            path: path.into(),
            field: name.to_string(),
            found: header.join(", "),
        })
}

/// A line of a line file as text, or why it is a bad line.
fn text_of(line: Line<'_>) -> (u64, Result<&str, String>) {
    match line {
        Line::Kept { number, bytes } => (
            number,
            std::str::from_utf8(bytes).map_err(|_| "not UTF-8".to_string()),
        ),
        Line::TooLong {
            number,
            length,
            max,
        } => (
            number,
            Err(format!("line is {length} bytes, over the limit of {max}")),
        ),
    }
}

pub(super) fn read_tsv(
    mut lines: CappedLines,
    path: &Path,
    fields: &Fields,
    collect: &mut Collect<'_>,
) -> Result<(), Error> {
    let header = match lines.next_line()? {
        None => return Err(Error::NoHeader { path: path.into() }),
        Some(Line::Kept { bytes, .. }) => String::from_utf8_lossy(bytes).into_owned(),
        Some(Line::TooLong { length, max, .. }) => {
            return Err(Error::BadHeader {
                path: path.into(),
                message: format!("{length} bytes, over the limit of {max}"),
            });
        }
    };
    let header: Vec<&str> = header.trim_start_matches('\u{feff}').split('\t').collect();
    let (text_at, label_at) = (
        column(&header, &fields.text, path)?,
        column(&header, &fields.label, path)?,
    );
    while let Some(line) = lines.next_line()? {
        let (line_no, line) = text_of(line);
        let line = match line {
            Ok(line) if line.trim().is_empty() => continue,
            Ok(line) => line,
            Err(reason) => {
                collect(line_no, Err(reason));
                continue;
            }
        };
        let cells: Vec<&str> = line.split('\t').collect();
        let row = if cells.len() != header.len() {
            Err(format!(
                "{} columns, the header has {}",
                cells.len(),
                header.len()
            ))
        } else {
            Ok((cells[text_at].to_string(), cells[label_at].to_string()))
        };
        collect(line_no, row);
    }
    Ok(())
}

pub(super) fn read_jsonl(
    mut lines: CappedLines,
    fields: &Fields,
    collect: &mut Collect<'_>,
) -> Result<(), Error> {
    while let Some(line) = lines.next_line()? {
        match text_of(line) {
            (_, Ok(line)) if line.trim().is_empty() => {}
            (line_no, Ok(line)) => collect(line_no, json_row(line, fields)),
            (line_no, Err(reason)) => collect(line_no, Err(reason)),
        }
    }
    Ok(())
}

pub(super) fn read_csv(
    reader: impl BufRead,
    path: &Path,
    fields: &Fields,
    collect: &mut Collect<'_>,
) -> Result<(), Error> {
    let mut csv = csv::ReaderBuilder::new().flexible(true).from_reader(reader);
    let header: Vec<String> = csv
        .headers()
        .map_err(|e| Error::Io {
            path: path.into(),
            source: std::io::Error::other(e),
        })?
        .iter()
        .map(str::to_string)
        .collect();
    let names: Vec<&str> = header.iter().map(String::as_str).collect();
    let (text_at, label_at) = (
        column(&names, &fields.text, path)?,
        column(&names, &fields.label, path)?,
    );
    let mut record = csv::StringRecord::new();
    loop {
        let line_no = csv.position().line();
        match csv.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) if record.iter().all(|c| c.trim().is_empty()) => {}
            Ok(true) if record.len() != header.len() => collect(
                line_no,
                Err(format!(
                    "{} columns, the header has {}",
                    record.len(),
                    header.len()
                )),
            ),
            Ok(true) => collect(
                line_no,
                Ok((record[text_at].to_string(), record[label_at].to_string())),
            ),
            Err(e) if e.is_io_error() => {
                return Err(Error::Io {
                    path: path.into(),
                    source: std::io::Error::other(e),
                });
            }
            Err(e) => collect(line_no, Err(format!("broken CSV: {e}"))),
        }
    }
    Ok(())
}

fn json_row(line: &str, fields: &Fields) -> Result<(String, String), String> {
    let value: serde_json::Value =
        serde_json::from_str(line).map_err(|e| format!("broken JSON: {e}"))?;
    let object = value.as_object().ok_or("not a JSON object")?;
    let text = match object.get(&fields.text) {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(_) => return Err(format!("{:?} is not a string", fields.text)),
        None => return Err(format!("no {:?} field", fields.text)),
    };
    let label = match object.get(&fields.label) {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Number(n)) => match n.as_f64() {
            Some(x) if x.fract() == 0.0 => format!("{}", x as i64),
            _ => n.to_string(),
        },
        Some(serde_json::Value::Bool(b)) => b.to_string(),
        Some(_) => return Err(format!("{:?} is not a string or number", fields.label)),
        None => return Err(format!("no {:?} field", fields.label)),
    };
    Ok((text, label))
}
