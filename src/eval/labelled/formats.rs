//! The three formats of labelled files: TSV without quoting, CSV with it, JSONL, read
//! through ingest's bounded readers ([`CappedLines`], and [`CsvRows`] for CSV, whose
//! rows may span lines). Each hands every line's (text, raw label), or why it has none,
//! to a collector.

use std::path::Path;

use super::{Error, Fields};
use crate::ingest::{CappedLines, CsvRows, Line, Row};

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
        } => (number, Err(too_long(length, max))),
    }
}

/// Why a line or row over ingest's cap is a bad line.
fn too_long(length: usize, max: usize) -> String {
    format!("line is {length} bytes, over the limit of {max}")
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
                message: too_long(length, max),
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
    mut rows: CsvRows,
    path: &Path,
    fields: &Fields,
    collect: &mut Collect<'_>,
) -> Result<(), Error> {
    let header: Vec<String> = match rows.next_row()? {
        None => return Err(Error::NoHeader { path: path.into() }),
        Some(Row::Cells { cells, .. }) => cells
            .iter()
            .map(|name| String::from_utf8_lossy(name).to_string())
            .collect(),
        Some(Row::Broken { line, detail }) => {
            return Err(Error::BadHeader {
                path: path.into(),
                message: format!("line {line}: {detail}"),
            });
        }
        Some(Row::TooLong { length, max, .. }) => {
            return Err(Error::BadHeader {
                path: path.into(),
                message: too_long(length, max),
            });
        }
    };
    let names: Vec<&str> = header
        .iter()
        .map(|name| name.trim_start_matches('\u{feff}'))
        .collect();
    let (text_at, label_at) = (
        column(&names, &fields.text, path)?,
        column(&names, &fields.label, path)?,
    );
    while let Some(row) = rows.next_row()? {
        let (line, cells) = match row {
            Row::Cells { line, cells } => (line, cells),
            Row::Broken { line, detail } => {
                collect(line, Err(format!("broken CSV: {detail}")));
                continue;
            }
            Row::TooLong { line, length, max } => {
                collect(line, Err(too_long(length, max)));
                continue;
            }
        };
        if cells.iter().all(|c| c.trim_ascii().is_empty()) {
            continue;
        }
        let row = if cells.len() != names.len() {
            Err(format!(
                "{} columns, the header has {}",
                cells.len(),
                names.len()
            ))
        } else {
            let cell = |at: usize| {
                std::str::from_utf8(&cells[at])
                    .map(str::to_string)
                    .map_err(|_| "not UTF-8".to_string())
            };
            cell(text_at).and_then(|text| Ok((text, cell(label_at)?)))
        };
        collect(line, row);
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
