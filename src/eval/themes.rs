//! Themes against gold categories: what `koe topics DIR --eval --labels FILE` reports.
//!
//! The gold file is TSV with a header: a `label` column, and optionally an `id` column
//! (other columns, such as `text`, are ignored). With an `id` column each gold row is
//! matched to the analysed record with that id; without one, gold rows are matched to
//! records in input order (the files in the order they were analysed, then line by
//! line), which needs every input record to have been analysed (no rejects). A record
//! in no theme counts as a group of its own, as clustering scores usually count
//! outliers.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::clustering::{ari, nmi};
use crate::ingest::{self, CappedLines, Limits, Line};

/// Errors reading gold labels or matching them to records.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Opening, decompressing or reading the file (with its line).
    #[error(transparent)]
    Read(#[from] ingest::Error),
    #[error("{path}:{line}: {reason}")]
    BadLine {
        path: PathBuf,
        line: u64,
        reason: String,
    },
    #[error("{path}: no header row")]
    NoHeader { path: PathBuf },
    #[error("{path}: the header has no \"label\" column (columns: {found})")]
    NoLabelColumn { path: PathBuf, found: String },
    #[error("{path}:{line}: {found} columns, the header has {expected}")]
    Columns {
        path: PathBuf,
        line: u64,
        found: usize,
        expected: usize,
    },
    #[error(
        "{path} has {gold} labelled rows but the analysis has {records} records: rows can only be matched in order when every input record was analysed; give the file an `id` column"
    )]
    RowCount {
        path: PathBuf,
        gold: usize,
        records: usize,
    },
    #[error("{path}: none of its ids is a record of the analysis")]
    NoIdMatched { path: PathBuf },
}

/// Gold labels, in file order, with their ids where the file has an `id` column.
#[derive(Debug, Clone, PartialEq)]
pub struct GoldLabels {
    pub path: PathBuf,
    pub labels: Vec<String>,
    pub ids: Option<Vec<String>>,
}

/// Reads a gold TSV (see the module doc), optionally gzipped, through ingest's readers.
pub fn read_gold(path: &Path) -> Result<GoldLabels, Error> {
    let reader = ingest::open_decoded(path)?;
    let mut lines = CappedLines::new(reader, path, Limits::default().max_line_bytes());
    let bad_line = |line, reason: String| Error::BadLine {
        path: path.into(),
        line,
        reason,
    };
    let text = |line: Line<'_>| match line {
        Line::Kept { number, bytes } => std::str::from_utf8(bytes)
            .map(|text| (number, text.to_string()))
            .map_err(|_| bad_line(number, "not UTF-8".into())),
        Line::TooLong {
            number,
            length,
            max,
        } => Err(bad_line(number, ingest::too_long(length, max))),
    };
    let header = lines.tsv_header()?;
    if header.is_empty() {
        return Err(Error::NoHeader { path: path.into() });
    }
    let label_at =
        header
            .iter()
            .position(|h| h == "label")
            .ok_or_else(|| Error::NoLabelColumn {
                path: path.into(),
                found: header.join(", "),
            })?;
    let id_at = header.iter().position(|h| h == "id");
    let mut labels = Vec::new();
    let mut ids = id_at.map(|_| Vec::new());
    while let Some(line) = lines.next_line()? {
        let (number, line) = text(line)?;
        if line.trim().is_empty() {
            continue;
        }
        let cells: Vec<&str> = line.trim_end_matches('\r').split('\t').collect();
        if cells.len() < header.len() {
            return Err(Error::Columns {
                path: path.into(),
                line: number,
                found: cells.len(),
                expected: header.len(),
            });
        }
        labels.push(cells[label_at].trim().to_string());
        if let (Some(ids), Some(at)) = (ids.as_mut(), id_at) {
            ids.push(cells[at].trim().to_string());
        }
    }
    Ok(GoldLabels {
        path: path.into(),
        labels,
        ids,
    })
}

/// An analysed record's place and primary theme.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordTheme {
    pub id: String,
    /// Index of its input file (in the order analysed) and its line there.
    pub file: usize,
    pub line: u64,
    pub theme: Option<u32>,
}

/// Every record of an analysis's index with its theme; `inputs` are the run's input
/// files in the order it read them (`pipeline::read_inputs`).
pub fn record_themes(
    index: &crate::index::StoredRecords,
    inputs: &[String],
) -> Result<Vec<RecordTheme>, crate::index::Error> {
    let mut records = Vec::new();
    index.for_each_record(|hit| {
        let origin = hit.origin.unwrap_or_default();
        let (file, line) = origin.rsplit_once(':').unwrap_or((&origin, "0"));
        records.push(RecordTheme {
            file: inputs
                .iter()
                .position(|i| i == file)
                .unwrap_or(inputs.len()),
            line: line.parse().unwrap_or(0),
            id: hit.id,
            theme: hit.theme,
        });
    })?;
    Ok(records)
}

/// How a theme partition agrees with gold categories.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ThemeScores {
    pub gold_file: String,
    /// `id` or `row`.
    pub matched_by: &'static str,
    /// Gold rows matched to records (the scores are over these).
    pub records: usize,
    pub gold_classes: usize,
    pub themes: usize,
    pub nmi: f64,
    pub ari: f64,
    /// Matched records in no theme, and their share (0..1).
    pub outliers: usize,
    pub outlier_share: f64,
}

/// Scores `records`' themes against `gold` (see the module doc for matching).
pub fn score(gold: &GoldLabels, records: &[RecordTheme]) -> Result<ThemeScores, Error> {
    let (matched_by, pairs): (&'static str, Vec<(&str, Option<u32>)>) = match &gold.ids {
        Some(ids) => {
            let theme_of: HashMap<&str, Option<u32>> =
                records.iter().map(|r| (r.id.as_str(), r.theme)).collect();
            let pairs: Vec<(&str, Option<u32>)> = ids
                .iter()
                .zip(&gold.labels)
                .filter_map(|(id, label)| Some((label.as_str(), *theme_of.get(id.as_str())?)))
                .collect();
            if pairs.is_empty() {
                return Err(Error::NoIdMatched {
                    path: gold.path.clone(),
                });
            }
            ("id", pairs)
        }
        None => {
            if gold.labels.len() != records.len() {
                return Err(Error::RowCount {
                    path: gold.path.clone(),
                    gold: gold.labels.len(),
                    records: records.len(),
                });
            }
            let mut ordered: Vec<&RecordTheme> = records.iter().collect();
            ordered.sort_by_key(|r| (r.file, r.line));
            let pairs = gold
                .labels
                .iter()
                .zip(ordered)
                .map(|(label, r)| (label.as_str(), r.theme))
                .collect();
            ("row", pairs)
        }
    };
    let labels: Vec<&str> = pairs.iter().map(|p| p.0).collect();
    // Outliers are one group of their own (None), as theme-check and the bench count them.
    let themes: Vec<Option<u32>> = pairs.iter().map(|p| p.1).collect();
    let outliers = themes.iter().filter(|t| t.is_none()).count();
    let distinct = |v: &[Option<u32>]| {
        let mut d: Vec<u32> = v.iter().flatten().copied().collect();
        d.sort_unstable();
        d.dedup();
        d.len()
    };
    let mut classes = labels.clone();
    classes.sort_unstable();
    classes.dedup();
    Ok(ThemeScores {
        gold_file: gold.path.display().to_string(),
        matched_by,
        records: pairs.len(),
        gold_classes: classes.len(),
        themes: distinct(&themes),
        nmi: nmi(&labels, &themes),
        ari: ari(&labels, &themes),
        outliers,
        outlier_share: outliers as f64 / pairs.len().max(1) as f64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(id: &str, file: usize, line: u64, theme: Option<u32>) -> RecordTheme {
        RecordTheme {
            id: id.into(),
            file,
            line,
            theme,
        }
    }

    fn gold(content: &str) -> GoldLabels {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gold.tsv");
        std::fs::write(&path, content).unwrap();
        read_gold(&path).unwrap()
    }

    #[test]
    fn rows_match_records_in_input_order() {
        let gold = gold("label\ttext\nsport\ta\nsport\tb\npolitics\tc\npolitics\td\n");
        assert!(gold.ids.is_none());
        // Stored out of order; the second file's records come after the first's.
        let records = [
            record("x", 1, 1, Some(7)),
            record("y", 0, 2, Some(3)),
            record("z", 0, 1, Some(3)),
            record("w", 1, 2, Some(7)),
        ];
        let scores = score(&gold, &records).unwrap();
        assert_eq!(scores.matched_by, "row");
        assert_eq!((scores.nmi, scores.ari), (1.0, 1.0));
        assert_eq!(
            (scores.gold_classes, scores.themes, scores.outliers),
            (2, 2, 0)
        );
    }

    #[test]
    fn ids_match_whatever_the_order_and_outliers_are_a_group() {
        let gold = gold("id\tlabel\nb\tx\na\tx\nc\ty\nd\ty\n");
        let records = [
            record("a", 0, 1, Some(1)),
            record("b", 0, 2, Some(1)),
            record("c", 0, 3, None),
            record("d", 0, 4, None),
            record("e", 0, 5, Some(2)),
        ];
        let scores = score(&gold, &records).unwrap();
        assert_eq!(scores.matched_by, "id");
        assert_eq!(scores.records, 4);
        assert_eq!(scores.nmi, 1.0);
        assert_eq!((scores.outliers, scores.outlier_share), (2, 0.5));
    }

    #[test]
    fn a_row_count_mismatch_is_a_clear_error() {
        let gold = gold("label\ttext\nx\ta\ny\tb\n");
        let err = score(&gold, &[record("a", 0, 1, Some(0))]).unwrap_err();
        assert!(
            err.to_string().contains("give the file an `id` column"),
            "{err}"
        );
    }
}
