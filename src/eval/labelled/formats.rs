//! The three formats of labelled files: TSV without quoting, CSV with it, JSONL, read
//! through ingest's bounded readers ([`CappedLines`], and [`CsvRows`] for CSV, whose
//! rows may span lines and whose header it reads). Each hands every line's (text, raw
//! label), borrowed, or why it has none, to a [`Visit`]or.

use std::ops::ControlFlow;
use std::path::Path;

use super::{Error, Fields, Visit};
use crate::ingest::{CappedLines, CsvRows, Line, Row, too_long};

fn column<S: AsRef<str>>(header: &[S], name: &str, path: &Path) -> Result<usize, Error> {
    header
        .iter()
        .position(|h| h.as_ref().trim() == name)
        .ok_or_else(|| Error::MissingColumn {
            path: path.into(),
            field: name.to_string(),
            found: header
                .iter()
                .map(AsRef::as_ref)
                .collect::<Vec<_>>()
                .join(", "),
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

pub(super) fn read_tsv(
    mut lines: CappedLines,
    path: &Path,
    fields: &Fields,
    visit: &mut Visit<'_>,
) -> Result<(), Error> {
    let header = lines.tsv_header()?;
    if header.is_empty() {
        return Err(Error::NoHeader { path: path.into() });
    }
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
                if visit(line_no, Err(reason)).is_break() {
                    break;
                }
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
            Ok((cells[text_at], cells[label_at]))
        };
        if visit(line_no, row).is_break() {
            break;
        }
    }
    Ok(())
}

pub(super) fn read_jsonl(
    mut lines: CappedLines,
    fields: &Fields,
    visit: &mut Visit<'_>,
) -> Result<(), Error> {
    while let Some(line) = lines.next_line()? {
        let flow = match text_of(line) {
            (_, Ok(line)) if line.trim().is_empty() => ControlFlow::Continue(()),
            (line_no, Ok(line)) => match json_row(line, fields) {
                Ok((text, label)) => visit(line_no, Ok((&text, &label))),
                Err(reason) => visit(line_no, Err(reason)),
            },
            (line_no, Err(reason)) => visit(line_no, Err(reason)),
        };
        if flow.is_break() {
            break;
        }
    }
    Ok(())
}

pub(super) fn read_csv(
    mut rows: CsvRows,
    path: &Path,
    fields: &Fields,
    visit: &mut Visit<'_>,
) -> Result<(), Error> {
    let names = rows.header().to_vec();
    if names.is_empty() {
        return Err(Error::NoHeader { path: path.into() });
    }
    let (text_at, label_at) = (
        column(&names, &fields.text, path)?,
        column(&names, &fields.label, path)?,
    );
    while let Some(row) = rows.next_row()? {
        let (line, cells) = match row {
            Row::Cells { line, cells } => (line, cells),
            Row::Broken { line, detail } => {
                if visit(line, Err(format!("broken CSV: {detail}"))).is_break() {
                    break;
                }
                continue;
            }
            Row::TooLong { line, length, max } => {
                if visit(line, Err(too_long(length, max))).is_break() {
                    break;
                }
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
            let cell =
                |at: usize| std::str::from_utf8(&cells[at]).map_err(|_| "not UTF-8".to_string());
            cell(text_at).and_then(|text| Ok((text, cell(label_at)?)))
        };
        if visit(line, row).is_break() {
            break;
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
