//! Labelled data: a TSV, CSV or JSONL file of texts with gold sentiment labels →
//! [`LabelledDoc`]s for `koe eval` and `koe train`.
//!
//! The file is opened and read with ingest's readers: gzipped when its name ends in `.gz`
//! (`train.tsv.gz`), lines and CSV rows kept up to ingest's cap (a longer one is a bad
//! line, not a memory spike), read errors with the file and line. TSV (`.tsv`) is read as
//! IANA tab-separated values: a header row, one record per line, no quoting, so a tweet
//! that starts with `"` keeps its quotes. CSV (`.csv`) is read with RFC 4180 quoting, as
//! ingest reads it: a quoted cell may span lines (the row's line is the one it starts
//! on), and a stray quote costs its own line, not the rest of the file. JSONL (`.jsonl`, `.ndjson`) takes one object per line; a
//! numeric label (`5`) reads as its digits. Raw labels go through a [`LabelMap`]: by
//! default the names `negative`/`neutral`/`positive` (and `neg`/`neu`/`pos`) and 5-star
//! ratings, 1–2 negative, 3 neutral, 4–5 positive. A bad line (wrong column count, no
//! text, a label the map does not know, broken JSON) is set aside as a [`BadLine`] with
//! its line number; only a file that cannot be read at all is an [`Error`].

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::ingest::{self, CappedLines, CsvRows, Limits};
use crate::sentiment::Label;

mod formats;
use formats::{read_csv, read_jsonl, read_tsv};

/// Errors that stop reading a labelled file.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Opening, decompressing or reading the file (with its line).
    #[error(transparent)]
    Read(#[from] ingest::Error),
    #[error("cannot tell the format of {0}: expected .tsv, .csv, .jsonl or .ndjson")]
    UnknownFormat(PathBuf),
    #[error("{path}: the header has no {field:?} column (columns: {found})")]
    MissingColumn {
        path: PathBuf,
        field: String,
        found: String,
    },
    #[error("{path}: no header row")]
    NoHeader { path: PathBuf },
    #[error("{path}: bad header row: {message}")]
    BadHeader { path: PathBuf, message: String },
    #[error("bad --label-map entry {entry:?}: {message}")]
    LabelMap { entry: String, message: String },
}

/// Raw label → koe's three classes: the `--label-map` overrides, then koe's one reading
/// of labels ([`Label::from_name`]: class names and 1–5 stars).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LabelMap(HashMap<String, Label>);

impl LabelMap {
    /// The defaults, overridden and extended by `raw=label` pairs separated by commas
    /// (`neg=negative,0=negative,3=negative`). Raw labels match case-insensitively.
    pub fn with_overrides(spec: &str) -> Result<Self, Error> {
        let mut map = LabelMap::default();
        for entry in spec.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let bad = |message: String| Error::LabelMap {
                entry: entry.to_string(),
                message,
            };
            let (raw, label) = entry
                .split_once('=')
                .ok_or_else(|| bad("expected raw=label".into()))?;
            let label: Label = label.trim().parse().map_err(bad)?;
            map.0.insert(raw.trim().to_lowercase(), label);
        }
        Ok(map)
    }

    pub fn get(&self, raw: &str) -> Option<Label> {
        self.0
            .get(&raw.trim().to_lowercase())
            .copied()
            .or_else(|| Label::from_name(raw))
    }
}

/// Which fields hold the text and the label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fields {
    pub text: String,
    pub label: String,
}

impl Default for Fields {
    fn default() -> Self {
        Fields {
            text: "text".into(),
            label: "label".into(),
        }
    }
}

/// One labelled text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LabelledDoc {
    /// 1-based line (the header is line 1 in TSV and CSV).
    pub line: u64,
    pub text: String,
    pub label: Label,
}

/// A line that gave no labelled text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BadLine {
    pub line: u64,
    pub reason: String,
}

/// A whole labelled file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LabelledData {
    pub path: String,
    pub docs: Vec<LabelledDoc>,
    pub bad_lines: Vec<BadLine>,
    /// Each raw label seen, how it was mapped and how often.
    pub raw_labels: BTreeMap<String, RawLabel>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RawLabel {
    pub label: Label,
    pub count: u64,
}

impl LabelledData {
    /// No rows yet; `path` names where they come from.
    pub fn new(path: impl Into<String>) -> Self {
        LabelledData {
            path: path.into(),
            docs: Vec::new(),
            bad_lines: Vec::new(),
            raw_labels: BTreeMap::new(),
        }
    }

    /// Rows held in memory (a DataFrame's text and label columns): row `i` is line
    /// `i + 1`; each goes through `labels` as a file's lines do.
    pub fn from_rows(
        path: impl Into<String>,
        rows: impl IntoIterator<Item = (String, String)>,
        labels: &LabelMap,
    ) -> Self {
        let mut data = LabelledData::new(path);
        for (i, row) in rows.into_iter().enumerate() {
            data.add(i as u64 + 1, Ok(row), labels);
        }
        data
    }

    /// Adds one row (its text and raw label, or why it has none) as a document or a
    /// bad line.
    pub fn add(&mut self, line: u64, row: Result<(String, String), String>, labels: &LabelMap) {
        let labelled = row.and_then(|(text, raw)| {
            let label = accept(&text, &raw, labels)?;
            Ok((text, raw, label))
        });
        match labelled {
            Ok((text, raw, label)) => {
                self.raw_labels
                    .entry(raw.trim().to_string())
                    .or_insert(RawLabel { label, count: 0 })
                    .count += 1;
                self.docs.push(LabelledDoc { line, text, label });
            }
            Err(reason) => self.bad_lines.push(BadLine { line, reason }),
        }
    }

    /// Gold documents per class.
    pub fn counts(&self) -> BTreeMap<Label, u64> {
        let mut counts = BTreeMap::new();
        for doc in &self.docs {
            *counts.entry(doc.label).or_default() += 1;
        }
        counts
    }
}

/// Reads a labelled file; see the module docs for formats and label mapping.
pub fn read(path: &Path, fields: &Fields, labels: &LabelMap) -> Result<LabelledData, Error> {
    let (reader, extension) = ingest::open_decoded(path)?;
    let mut data = LabelledData::new(path.display().to_string());
    let mut collect =
        |line: u64, row: Result<(String, String), String>| data.add(line, row, labels);
    let max = Limits::default().max_line_bytes();
    let lines = |reader| CappedLines::new(reader, path, max);
    match extension.as_str() {
        "tsv" => read_tsv(lines(reader), path, fields, &mut collect)?,
        "csv" => read_csv(
            CsvRows::new(reader, path, b',', max),
            path,
            fields,
            &mut collect,
        )?,
        "jsonl" | "ndjson" => read_jsonl(lines(reader), fields, &mut collect)?,
        _ => return Err(Error::UnknownFormat(path.into())),
    }
    Ok(data)
}

fn accept(text: &str, raw: &str, labels: &LabelMap) -> Result<Label, String> {
    if text.trim().is_empty() {
        return Err("empty text".into());
    }
    if raw.trim().is_empty() {
        return Err("empty label".into());
    }
    labels
        .get(raw)
        .ok_or_else(|| format!("unknown label {raw:?} (map it with --label-map)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_str(name: &str, content: &str, map: &LabelMap) -> LabelledData {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        std::fs::write(&path, content).unwrap();
        read(&path, &Fields::default(), map).unwrap()
    }

    #[test]
    fn tsv_keeps_quotes_and_reports_bad_lines() {
        let data = read_str(
            "t.tsv",
            "label\ttext\npositive\t\"Loved it\" she said\r\nmeh\tok\n\nneg\t\nnegative\ttoo\tmany\n3\tfine\n",
            &LabelMap::default(),
        );
        let texts: Vec<(&str, Label, u64)> = data
            .docs
            .iter()
            .map(|d| (d.text.as_str(), d.label, d.line))
            .collect();
        assert_eq!(
            texts,
            vec![
                ("\"Loved it\" she said", Label::Positive, 2),
                ("fine", Label::Neutral, 7)
            ]
        );
        let bad: Vec<u64> = data.bad_lines.iter().map(|b| b.line).collect();
        assert_eq!(bad, vec![3, 5, 6]);
        assert!(data.bad_lines[0].reason.contains("--label-map"));
    }

    #[test]
    fn rows_in_memory_read_like_lines_of_a_file() {
        let map = LabelMap::with_overrides("bad=negative").unwrap();
        let rows = [
            ("最高です", "5"),
            ("Broken", "bad"),
            ("", "positive"),
            ("meh", "?"),
        ];
        let data = LabelledData::from_rows(
            "<rows>",
            rows.map(|(t, l)| (t.to_string(), l.to_string())),
            &map,
        );
        let docs: Vec<(&str, Label, u64)> = data
            .docs
            .iter()
            .map(|d| (d.text.as_str(), d.label, d.line))
            .collect();
        assert_eq!(
            docs,
            vec![
                ("最高です", Label::Positive, 1),
                ("Broken", Label::Negative, 2)
            ]
        );
        let bad: Vec<(u64, &str)> = data
            .bad_lines
            .iter()
            .map(|b| (b.line, b.reason.as_str()))
            .collect();
        assert_eq!(bad[0], (3, "empty text"));
        assert_eq!(bad[1].0, 4);
        assert_eq!(data.raw_labels["bad"].count, 1);
    }

    #[test]
    fn jsonl_stars_and_a_label_map() {
        let map = LabelMap::with_overrides("0=negative, 3=negative").unwrap();
        let data = read_str(
            "r.jsonl",
            "{\"text\":\"配送が遅い\",\"label\":3}\n{\"text\":\"最高\",\"label\":5.0}\n\
             not json\n[1]\n{\"text\":\"x\"}\n{\"text\":\"bad\",\"label\":0}\n",
            &map,
        );
        let labels: Vec<Label> = data.docs.iter().map(|d| d.label).collect();
        assert_eq!(
            labels,
            vec![Label::Negative, Label::Positive, Label::Negative]
        );
        assert_eq!(data.bad_lines.len(), 3);
        assert_eq!(data.raw_labels["5"].count, 1);
        assert!(LabelMap::with_overrides("x=great").is_err());
        assert!(LabelMap::with_overrides("x").is_err());
    }

    #[test]
    fn csv_with_quoted_commas_and_a_missing_column() {
        let data = read_str(
            "s.csv",
            "label,text\n4,\"Good, fast\"\n1,Slow\n",
            &LabelMap::default(),
        );
        assert_eq!(data.docs[0].text, "Good, fast");
        assert_eq!(data.docs[1].line, 3);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("n.tsv");
        std::fs::write(&path, "rating\tcomment\n").unwrap();
        assert!(matches!(
            read(&path, &Fields::default(), &LabelMap::default()),
            Err(Error::MissingColumn { .. })
        ));
    }

    /// tests/fixtures/labelled-ja-en.csv: Japanese and English rows with quoted commas,
    /// a cell over two lines, `""` escapes, a stray quote (line 8) and a row of three
    /// cells (line 9); the test adds a row over ingest's cap and one after it.
    #[test]
    fn csv_rows_are_capped_and_resynchronised_as_ingest_reads_them() {
        let fixture = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/labelled-ja-en.csv"
        );
        let mut content = std::fs::read_to_string(fixture).unwrap();
        let max = Limits::default().max_line_bytes();
        let long = "電池の持ちが悪い。".repeat(max / "電池の持ちが悪い。".len() + 1);
        content.push_str(&format!(
            "negative,\"{long}\"\npositive,Works as described\n"
        ));
        let data = read_str("mixed.csv", &content, &LabelMap::default());
        let docs: Vec<(u64, Label, &str)> = data
            .docs
            .iter()
            .map(|d| (d.line, d.label, d.text.as_str()))
            .collect();
        assert_eq!(
            docs,
            [
                (2, Label::Positive, "配送が早くて梱包も丁寧でした。"),
                (3, Label::Negative, "Arrived late, and the box was crushed."),
                (4, Label::Positive, "Great sound.\nBattery lasts all day."),
                (
                    6,
                    Label::Negative,
                    "説明書には\"防水\"とあるのに、雨で壊れました。"
                ),
                (7, Label::Neutral, "普通です, 可もなく不可もなく"),
                (10, Label::Positive, "店員さんが親切でした"),
                (12, Label::Positive, "Works as described"),
            ]
        );
        let bad: Vec<(u64, &str)> = data
            .bad_lines
            .iter()
            .map(|b| (b.line, b.reason.as_str()))
            .collect();
        assert_eq!(bad.len(), 3, "{bad:?}");
        assert_eq!(bad[0].0, 8);
        assert!(
            bad[0].1.starts_with("broken CSV: a quote opened"),
            "{bad:?}"
        );
        assert_eq!(bad[1], (9, "3 columns, the header has 2"));
        assert_eq!(bad[2].0, 11);
        let over = format!("over the limit of {max}");
        assert!(bad[2].1.ends_with(&over), "{bad:?}");
    }

    #[test]
    fn a_csv_header_over_the_cap_is_an_error_naming_the_file() {
        let max = Limits::default().max_line_bytes();
        let header = format!("label,text,{}\n", "x".repeat(max));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("wide.csv");
        std::fs::write(&path, header + "positive,最高\n").unwrap();
        let err = read(&path, &Fields::default(), &LabelMap::default()).unwrap_err();
        assert!(matches!(err, Error::BadHeader { .. }), "{err}");
        let message = err.to_string();
        assert!(
            message.contains("wide.csv") && message.contains("over the limit"),
            "{message}"
        );
    }

    #[test]
    fn gzipped_files_read_through_ingest_and_long_lines_are_bad_lines() {
        use std::io::Write;
        let long = "長".repeat(Limits::default().max_line_bytes() / 3 + 1);
        let content = format!("label\ttext\npositive\t最高でした\nnegative\t{long}\n1\tSlow\n");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("set.tsv.gz");
        let mut gz = flate2::write::GzEncoder::new(
            std::fs::File::create(&path).unwrap(),
            flate2::Compression::fast(),
        );
        gz.write_all(content.as_bytes()).unwrap();
        gz.finish().unwrap();
        let data = read(&path, &Fields::default(), &LabelMap::default()).unwrap();
        let docs: Vec<(&str, u64)> = data
            .docs
            .iter()
            .map(|d| (d.text.as_str(), d.line))
            .collect();
        assert_eq!(docs, [("最高でした", 2), ("Slow", 4)]);
        assert_eq!(data.bad_lines.len(), 1);
        assert_eq!(data.bad_lines[0].line, 3);
        assert!(
            data.bad_lines[0].reason.contains("over the limit"),
            "{:?}",
            data.bad_lines
        );
        let missing = read(
            &dir.path().join("none.jsonl"),
            &Fields::default(),
            &LabelMap::default(),
        );
        assert!(matches!(missing, Err(Error::Read(_))));
    }
}
