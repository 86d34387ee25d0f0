//! What `koe eval` found, in one value: the data, each model's figures and every pairwise
//! comparison. `koe eval --json` prints it, its table is rendered from it, and the Python
//! package's `koe.eval` returns it, so all three carry the same figures.

use std::collections::BTreeMap;

use serde::Serialize;

use super::labelled::{BadLine, RawLabel, Summary};
use super::stats::Comparison;
use super::{GoldSet, ModelReport};
use crate::sentiment::Label;

/// Everything an evaluation found.
#[derive(Debug, Serialize)]
pub struct Report {
    pub koe_version: &'static str,
    /// The labelled file (or what in-memory rows came from).
    pub data: String,
    /// Which part of the data was scored.
    pub split: String,
    pub docs: usize,
    pub by_label: BTreeMap<Label, u64>,
    pub raw_labels: BTreeMap<String, RawLabel>,
    /// Lines that gave no document (unreadable or unanalysable), with the reason.
    pub bad_lines: Vec<BadLine>,
    pub threads: usize,
    /// The text stage over every document, reading the file excluded (each model's pass
    /// reads the file and runs the text stage again, batch by batch, so that no text is
    /// kept).
    pub analysis_s: f64,
    pub analysis_docs_per_s: f64,
    pub models: Vec<ModelReport>,
    /// Every pair of models, on the same rows (empty with 0 resamples).
    pub comparisons: Vec<Comparison>,
    pub notes: Vec<&'static str>,
}

impl Report {
    /// The report of `models` (scored by [`super::evaluate`] on `set`, whose source's
    /// reading found `data`).
    pub fn new(
        data: &Summary,
        split: String,
        set: &GoldSet,
        models: Vec<ModelReport>,
        comparisons: Vec<Comparison>,
    ) -> Report {
        let mut bad_lines = data.bad_lines.clone();
        bad_lines.extend(set.failed.iter().cloned());
        bad_lines.sort_by_key(|b| b.line);
        let mut by_label = BTreeMap::new();
        for &label in &set.gold {
            *by_label.entry(label).or_insert(0) += 1;
        }
        let mut notes = vec![
            "macro averages run over the classes present in the gold labels",
            "intervals: 95% percentile bootstrap over the rows; comparisons: difference a - b, \
             paired bootstrap interval, two-sided approximate-randomization p-value, McNemar's exact test",
            "peak_kib is the process's resident high-water mark (VmHWM) while the model loaded \
             and scored; reset before each model when memory.reset is true, else the run's peak so far",
        ];
        if !by_label.contains_key(&Label::Neutral) {
            notes.push("no gold neutral: a model's neutral answers count as wrong");
        }
        Report {
            koe_version: env!("CARGO_PKG_VERSION"),
            data: data.path.clone(),
            split,
            docs: set.len(),
            by_label,
            raw_labels: data.raw_labels.clone(),
            bad_lines,
            threads: rayon::current_num_threads(),
            analysis_s: set.analysis_s,
            analysis_docs_per_s: set.len() as f64 / set.analysis_s.max(1e-9),
            models,
            comparisons,
            notes,
        }
    }
}
