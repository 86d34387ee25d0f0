//! Labelled data: a TSV, CSV or JSONL file of texts with gold sentiment labels (or such
//! rows in memory) → labelled rows for `koe eval` and `koe train`.
//!
//! A [`Source`] hands over its rows afresh each time it is asked ([`LabelledFile`],
//! [`InMemory`]); [`scan`] maps their raw labels and passes each good row on while
//! keeping only the bad lines and the raw labels seen, so `koe eval` can read a file
//! once per pass without holding its texts; [`read`] keeps every document (training).
//!
//! The file is opened and read with ingest's readers: gzipped when its name ends in `.gz`
//! (`train.tsv.gz`), lines and CSV rows kept up to ingest's cap (a longer one is a bad
//! line, not a memory spike), header rows as ingest reads them, read errors with the file
//! and line. TSV (`.tsv`) is read as IANA tab-separated values: a header row, one record
//! per line, no quoting, so a tweet that starts with `"` keeps its quotes. CSV (`.csv`)
//! is read with RFC 4180 quoting, as ingest reads it: a quoted cell may span lines (the
//! row's line is the one it starts on), and a stray quote costs its own line, not the
//! rest of the file. JSONL (`.jsonl`, `.ndjson`) takes one object per line; a numeric
//! label (`5`) reads as its digits. Raw labels go through a [`LabelMap`]: by default the
//! names `negative`/`neutral`/`positive` (and `neg`/`neu`/`pos`) and 5-star ratings, 1–2
//! negative, 3 neutral, 4–5 positive. A bad line (wrong column count, no text, a label
//! the map does not know, broken JSON) is set aside as a [`BadLine`] with its line
//! number; only a file that cannot be read at all is an [`Error`].

use std::collections::{BTreeMap, HashMap};
use std::ops::ControlFlow;
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
    #[error("bad --label-map entry {entry:?}: {message}")]
    LabelMap { entry: String, message: String },
    /// A later pass did not find the rows the first one found.
    #[error("{name} changed while koe read it: line {line} is not the labelled row it was")]
    Changed { name: String, line: u64 },
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

/// What [`Source::rows`] hands over for each row: its 1-based line, and its text and raw
/// label or why it has none; [`ControlFlow::Break`] stops the reading there.
pub type Visit<'a> = dyn FnMut(u64, Result<(&str, &str), String>) -> ControlFlow<()> + 'a;

/// Labelled rows that can be read more than once, in the same order each time: a file
/// ([`LabelledFile`]) or rows in memory ([`InMemory`]). `koe eval` reads its source once
/// per pass rather than holding the texts.
pub trait Source {
    /// What the rows come from: the file's path, or a name given to rows in memory.
    fn name(&self) -> String;

    /// Hands every row to `visit`, in order, until it says to stop.
    fn rows(&self, visit: &mut Visit<'_>) -> Result<(), Error>;
}

/// The formats of labelled files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Tsv,
    Csv,
    Jsonl,
}

/// A labelled file (see the module docs for its formats), read afresh by each pass.
#[derive(Debug, Clone)]
pub struct LabelledFile {
    path: PathBuf,
    fields: Fields,
    format: Format,
}

impl LabelledFile {
    /// The file at `path`, its format told by its name; nothing is read yet.
    pub fn new(path: &Path, fields: Fields) -> Result<Self, Error> {
        let format = match ingest::extension_of(path).0.as_str() {
            "tsv" => Format::Tsv,
            "csv" => Format::Csv,
            "jsonl" | "ndjson" => Format::Jsonl,
            _ => return Err(Error::UnknownFormat(path.into())),
        };
        Ok(LabelledFile {
            path: path.into(),
            fields,
            format,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Source for LabelledFile {
    fn name(&self) -> String {
        self.path.display().to_string()
    }

    fn rows(&self, visit: &mut Visit<'_>) -> Result<(), Error> {
        let (path, fields) = (self.path.as_path(), &self.fields);
        let reader = ingest::open_decoded(path)?;
        let max = Limits::default().max_line_bytes();
        match self.format {
            Format::Tsv => read_tsv(CappedLines::new(reader, path, max), path, fields, visit),
            Format::Csv => read_csv(CsvRows::open(reader, path, b',', max)?, path, fields, visit),
            Format::Jsonl => read_jsonl(CappedLines::new(reader, path, max), fields, visit),
        }
    }
}

/// Rows held in memory (a DataFrame's text and label columns, borrowed): row `i` is
/// line `i + 1`. Texts and labels pair up in order; extra ones on either side are ignored.
#[derive(Debug, Clone, Copy)]
pub struct InMemory<'a> {
    pub name: &'a str,
    pub texts: &'a [&'a str],
    pub labels: &'a [&'a str],
}

impl Source for InMemory<'_> {
    fn name(&self) -> String {
        self.name.to_string()
    }

    fn rows(&self, visit: &mut Visit<'_>) -> Result<(), Error> {
        for (i, (text, label)) in self.texts.iter().zip(self.labels).enumerate() {
            if visit(i as u64 + 1, Ok((text, label))).is_break() {
                break;
            }
        }
        Ok(())
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

/// A good row as [`scan`] hands it over: its text borrowed from the reader.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LabelledRow<'a> {
    pub line: u64,
    pub text: &'a str,
    pub label: Label,
}

/// A line that gave no labelled text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BadLine {
    pub line: u64,
    pub reason: String,
}

/// What reading a labelled source found besides its documents.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// The source's name ([`Source::name`]).
    pub path: String,
    pub bad_lines: Vec<BadLine>,
    /// Each raw label seen, how it was mapped and how often.
    pub raw_labels: BTreeMap<String, RawLabel>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RawLabel {
    pub label: Label,
    pub count: u64,
}

/// A whole labelled source in memory, texts included (for training).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LabelledData {
    pub summary: Summary,
    pub docs: Vec<LabelledDoc>,
}

/// Reads `source` once, mapping raw labels through `labels`: every good row goes to
/// `keep`, in order, until it says to stop; the bad lines and the raw labels seen (up
/// to there) come back.
pub fn scan(
    source: &dyn Source,
    labels: &LabelMap,
    keep: &mut dyn FnMut(LabelledRow<'_>) -> ControlFlow<()>,
) -> Result<Summary, Error> {
    let mut summary = Summary {
        path: source.name(),
        bad_lines: Vec::new(),
        raw_labels: BTreeMap::new(),
    };
    source.rows(&mut |line, row| {
        let labelled = row.and_then(|(text, raw)| Ok((text, raw, accept(text, raw, labels)?)));
        match labelled {
            Ok((text, raw, label)) => {
                let raw = raw.trim();
                match summary.raw_labels.get_mut(raw) {
                    Some(seen) => seen.count += 1,
                    None => {
                        summary
                            .raw_labels
                            .insert(raw.to_string(), RawLabel { label, count: 1 });
                    }
                }
                keep(LabelledRow { line, text, label })
            }
            Err(reason) => {
                summary.bad_lines.push(BadLine { line, reason });
                ControlFlow::Continue(())
            }
        }
    })?;
    Ok(summary)
}

/// Reads all of `source` into memory; see the module docs for formats and label mapping.
pub fn read(source: &dyn Source, labels: &LabelMap) -> Result<LabelledData, Error> {
    let mut docs = Vec::new();
    let summary = scan(source, labels, &mut |row| {
        docs.push(LabelledDoc {
            line: row.line,
            text: row.text.to_string(),
            label: row.label,
        });
        ControlFlow::Continue(())
    })?;
    Ok(LabelledData { summary, docs })
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
        read_file(&path, map).unwrap()
    }

    fn read_file(path: &Path, map: &LabelMap) -> Result<LabelledData, Error> {
        read(&LabelledFile::new(path, Fields::default())?, map)
    }

    #[test]
    fn tsv_keeps_quotes_and_reports_bad_lines() {
        let data = read_str(
            "t.tsv",
            "\u{feff}label\ttext \npositive\t\"Loved it\" she said\r\nmeh\tok\n\nneg\t\nnegative\ttoo\tmany\n3\tfine\n",
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
        let bad: Vec<u64> = data.summary.bad_lines.iter().map(|b| b.line).collect();
        assert_eq!(bad, vec![3, 5, 6]);
        assert!(data.summary.bad_lines[0].reason.contains("--label-map"));
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
        let source = InMemory {
            name: "<rows>",
            texts: &rows.map(|(t, _)| t),
            labels: &rows.map(|(_, l)| l),
        };
        let data = read(&source, &map).unwrap();
        assert_eq!(data.summary.path, "<rows>");
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
            .summary
            .bad_lines
            .iter()
            .map(|b| (b.line, b.reason.as_str()))
            .collect();
        assert_eq!(bad[0], (3, "empty text"));
        assert_eq!(bad[1].0, 4);
        assert_eq!(data.summary.raw_labels["bad"].count, 1);
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
        assert_eq!(data.summary.bad_lines.len(), 3);
        assert_eq!(data.summary.raw_labels["5"].count, 1);
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
            read_file(&path, &LabelMap::default()),
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
            .summary
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
        let err = read_file(&path, &LabelMap::default()).unwrap_err();
        assert!(
            matches!(err, Error::Read(ingest::Error::Header { .. })),
            "{err}"
        );
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
        let data = read_file(&path, &LabelMap::default()).unwrap();
        let docs: Vec<(&str, u64)> = data
            .docs
            .iter()
            .map(|d| (d.text.as_str(), d.line))
            .collect();
        assert_eq!(docs, [("最高でした", 2), ("Slow", 4)]);
        assert_eq!(data.summary.bad_lines.len(), 1);
        assert_eq!(data.summary.bad_lines[0].line, 3);
        assert!(
            data.summary.bad_lines[0].reason.contains("over the limit"),
            "{:?}",
            data.summary.bad_lines
        );
        let missing = read_file(&dir.path().join("none.jsonl"), &LabelMap::default());
        assert!(matches!(missing, Err(Error::Read(_))));
        assert!(matches!(
            LabelledFile::new(&dir.path().join("set.txt"), Fields::default()),
            Err(Error::UnknownFormat(_))
        ));
    }
}
