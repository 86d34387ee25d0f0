//! A record's topic features: what the collector keeps of it (its clauses' term ids
//! with counts, phrase ids and sentiment; its survey facts, text hash, seed, id and
//! snippet), and the scratch file a run writes them to, one record after another, to
//! read them back a piece at a time when it fits ([`super::staged`]).
//!
//! Term and phrase ids are those of the run's one vocabulary and phrase table, which
//! stay in memory (they grow with the distinct words, not with the records).

use std::fs::File;
use std::io::{self, BufReader, BufWriter};
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::collector::DocMeta;
use crate::scratch::{Error, ScratchFile};
use crate::sentiment::Score;

/// One record's features (see the module doc).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct RecordFeatures {
    /// Hash of the record's text: where it falls in every sample.
    pub key: u64,
    /// The theme seed it matched, `NONE` if none.
    pub seed: u32,
    pub meta: DocMeta,
    pub id: String,
    /// The first characters of its text, for examples.
    pub snippet: String,
    /// Its stored clauses (those with a topic term), in order.
    pub clauses: Vec<ClauseFeatures>,
    /// Every clause's sorted term ids, back to back (`ClauseFeatures::terms_end`)…
    pub terms: Vec<u32>,
    /// …with each one's count in the clause…
    pub counts: Vec<u16>,
    /// …and every clause's phrase ids (`ClauseFeatures::phrases_end`).
    pub phrases: Vec<u32>,
}

/// One stored clause of a [`RecordFeatures`].
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub(crate) struct ClauseFeatures {
    pub sentiment: Score,
    pub terms_end: u32,
    pub phrases_end: u32,
}

impl RecordFeatures {
    /// Each clause's sentiment, terms, counts and phrases.
    pub fn clauses(&self) -> impl Iterator<Item = (Score, &[u32], &[u16], &[u32])> {
        let (mut terms, mut phrases) = (0, 0);
        self.clauses.iter().map(move |c| {
            let (t, p) = (terms..c.terms_end as usize, phrases..c.phrases_end as usize);
            (terms, phrases) = (t.end, p.end);
            (
                c.sentiment,
                &self.terms[t.clone()],
                &self.counts[t],
                &self.phrases[p],
            )
        })
    }
}

/// The scratch file of every record's features, in record order.
pub(crate) struct FeatureFile {
    out: BufWriter<File>,
    file: ScratchFile,
    records: usize,
}

impl FeatureFile {
    /// A new file at `path` (replacing one left there); removed when this is dropped.
    pub fn create(path: PathBuf) -> Result<Self, Error> {
        let (file, out) = ScratchFile::create(path)?;
        Ok(FeatureFile {
            out,
            file,
            records: 0,
        })
    }

    pub fn write(&mut self, features: &RecordFeatures) -> Result<(), Error> {
        ciborium::into_writer(features, &mut self.out)
            .map_err(|e| self.file.error(io::Error::other(e)))?;
        self.records += 1;
        Ok(())
    }

    /// Records written.
    pub fn len(&self) -> usize {
        self.records
    }

    /// Hands what is buffered to the file: call once every record is written, before
    /// [`read`](Self::read).
    pub fn finish(&mut self) -> Result<(), Error> {
        io::Write::flush(&mut self.out).map_err(|e| self.file.error(e))
    }

    /// The records from the first, in order.
    pub fn read(&self) -> Result<FeatureReader<'_>, Error> {
        Ok(FeatureReader {
            reader: self.file.open()?,
            file: &self.file,
            left: self.records,
        })
    }
}

/// Reads a [`FeatureFile`] back, record by record.
pub(crate) struct FeatureReader<'a> {
    reader: BufReader<File>,
    file: &'a ScratchFile,
    left: usize,
}

impl Iterator for FeatureReader<'_> {
    type Item = Result<RecordFeatures, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        self.left = self.left.checked_sub(1)?;
        Some(
            ciborium::from_reader(&mut self.reader)
                .map_err(|e| self.file.error(io::Error::other(e))),
        )
    }
}
