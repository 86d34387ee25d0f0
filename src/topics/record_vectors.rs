//! Record vectors: each record's whole-text embedding, the semantic half of its theme
//! vector ([`TopicOptions::theme_vectors`](super::TopicOptions::theme_vectors), use-m3
//! by default in the CLI).
//!
//! At one signed byte per dimension and a scale (516 bytes a record for use-m3) they
//! were most of what the topics stage kept per record. They are needed twice: by the
//! theme fit, for its sample only (the records with the smallest text hashes, at most
//! [`TopicOptions::sample_size`](super::TopicOptions::sample_size) of those with a
//! vector), and by the assignment of every record to its nearest theme, once each, in
//! record order. So a run spills them ([`RecordVectors::spill_to`]): every record's row
//! (its scale, 0 for none, then its bytes) goes to a scratch file in record order, only
//! the bottom-k by text hash stays in memory ([`Sample`]), and the themes are assigned
//! chunk by chunk as the file is read back ([`RecordVectors::for_each_chunk`]). Memory
//! then holds the sample (about 11 MB at 20,000 records), whatever the number of
//! records. Without a file (small fits in memory) every row stays in memory.
//!
//! The vectors come from the encoder in batches of [`EMBED_BATCH`] texts, queued as
//! records arrive; records in a language the encoder does not cover queue too, with no
//! text, so the rows stay in record order.
//!
//! A run's clause embeddings (`--topic-vectors embeddings:…`) wait the same way, a row
//! per stored clause in clause order, with no sample (`staged` hands each piece its
//! clauses' rows).

use std::collections::{BTreeSet, HashMap};
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

use super::embedding::{
    self, ClauseEmbedder, EMBED_BATCH, Queue, RecordSemantics, dequantize, quantize,
};
use crate::record::Lang;
use crate::scratch::{self, ScratchFile};

/// Records read back from the scratch file at a time.
const CHUNK: usize = 8192;

/// What keeping the record vectors can fail on.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Encoder(#[from] embedding::Error),
    #[error("scratch file {0}")]
    Scratch(#[from] scratch::Error),
    #[error("row {0} was asked for, past the last one kept")]
    PastTheEnd(usize),
}

/// Every record's theme-vector half from a sentence encoder (see the module doc).
pub(crate) struct RecordVectors {
    embedder: Arc<dyn ClauseEmbedder>,
    /// Languages embedded; all when empty.
    langs: Vec<Lang>,
    dims: usize,
    /// Texts waiting for the next batch.
    queue: Queue,
    /// Each queued record's text hash, and whether its text is in `queue`.
    queued: Vec<(u64, bool)>,
    /// Records whose rows are written (queued ones not counted).
    records: usize,
    kept: Kept,
}

/// Where the rows are kept.
enum Kept {
    /// Every record's row, in memory.
    All(Rows),
    /// Every row in a scratch file, the sample's in memory too.
    Spilled {
        out: BufWriter<File>,
        file: ScratchFile,
        sample: Sample,
        /// A row's bytes on their way to `out`.
        bytes: Vec<u8>,
    },
}

impl RecordVectors {
    /// Vectors of records in `langs` (all when empty) from `embedder`, kept in memory.
    pub fn new(embedder: Arc<dyn ClauseEmbedder>, langs: &[Lang]) -> Self {
        let dims = embedder.dimension();
        RecordVectors {
            embedder,
            langs: langs.to_vec(),
            dims,
            queue: Queue::default(),
            queued: Vec::new(),
            records: 0,
            kept: Kept::All(Rows::empty(0, dims)),
        }
    }

    /// Rows written to a new scratch file at `path` (replacing one left there), with the
    /// `sample_size` records of smallest text hash kept in memory for the fit. Call
    /// before the first [`push`](Self::push).
    pub fn spill_to(mut self, path: PathBuf, sample_size: usize) -> Result<Self, Error> {
        let (file, out) = ScratchFile::create(path)?;
        self.kept = Kept::Spilled {
            out,
            file,
            sample: Sample::new(sample_size, self.dims),
            bytes: Vec::with_capacity(self.dims),
        };
        Ok(self)
    }

    fn covers(&self, lang: Lang) -> bool {
        self.langs.is_empty() || self.langs.contains(&lang)
    }

    /// Takes the next record: its text (embedded when the encoder covers `lang`) and
    /// text hash `key`. Embeds the queue when it is full.
    pub fn push(&mut self, lang: Lang, text: &str, key: u64) -> Result<(), Error> {
        let embedded = self.covers(lang);
        if embedded {
            self.queue.push(text);
        }
        self.queued.push((key, embedded));
        if self.queued.len() >= EMBED_BATCH {
            self.flush()?;
        }
        Ok(())
    }

    /// Embeds the queued records and keeps their rows.
    fn flush(&mut self) -> Result<(), Error> {
        let vectors = self.queue.embed(&*self.embedder)?;
        let mut vectors = vectors.iter();
        let mut row = vec![0i8; self.dims];
        let queued = std::mem::take(&mut self.queued);
        for &(key, embedded) in &queued {
            row.fill(0);
            // Scale 0: no vector (not embedded, or a zero vector).
            let scale = match embedded.then(|| vectors.next()).flatten() {
                Some(v) => {
                    let (scale, values) = quantize(v);
                    row.iter_mut().zip(values).for_each(|(r, q)| *r = q);
                    if row.iter().any(|&q| q != 0) {
                        scale
                    } else {
                        0.0
                    }
                }
                None => 0.0,
            };
            self.keep(key, scale, &row)?;
        }
        self.queued = queued;
        self.queued.clear();
        Ok(())
    }

    /// Keeps the next record's row (`scale` 0: none).
    fn keep(&mut self, key: u64, scale: f32, row: &[i8]) -> Result<(), Error> {
        let record = self.records as u32;
        match &mut self.kept {
            Kept::All(rows) => rows.push(scale, row),
            Kept::Spilled {
                out,
                file,
                sample,
                bytes,
            } => {
                write_row(out, scale, row, bytes).map_err(|e| file.error(e))?;
                if scale != 0.0 {
                    sample.offer(key, record, scale, row);
                }
            }
        }
        self.records += 1;
        Ok(())
    }

    /// Takes the next record's row as [`RowReader`] read it from the vectors of another
    /// collector of the run (with the same encoder), rather than embedding its text.
    pub fn push_row(&mut self, key: u64, scale: f32, row: &[i8]) -> Result<(), Error> {
        debug_assert!(self.queued.is_empty(), "rows go in after every queued text");
        self.keep(key, scale, row)
    }

    /// Every record's row, in order, from the first. Call after [`finish`](Self::finish).
    pub fn rows(&self) -> Result<RowReader<'_>, Error> {
        let source = match &self.kept {
            Kept::All(rows) => RowSource::Memory(rows),
            Kept::Spilled { file, .. } => RowSource::File {
                reader: file.open()?,
                file,
                bytes: vec![0; self.dims],
            },
        };
        Ok(RowReader {
            source,
            next: 0,
            row: vec![0; self.dims],
        })
    }

    /// Embeds what is still queued and hands what is buffered to the file: call once
    /// every record is pushed.
    pub fn finish(&mut self) -> Result<(), Error> {
        self.flush()?;
        match &mut self.kept {
            Kept::All(_) => Ok(()),
            Kept::Spilled { out, file, .. } => Ok(out.flush().map_err(|e| file.error(e))?),
        }
    }

    /// What the theme fit reads: every record's vector in memory, or the sample's.
    pub fn for_fit(&self) -> RecordSemantics<'_> {
        match &self.kept {
            Kept::All(rows) => RecordSemantics::Rows(rows),
            Kept::Spilled { sample, .. } => RecordSemantics::Sample(sample),
        }
    }

    /// Calls `each` with consecutive ranges of records, in order, and their vectors;
    /// from the file, chunk by chunk, when spilled. Call after [`finish`](Self::finish).
    pub fn for_each_chunk(
        &self,
        mut each: impl FnMut(Range<usize>, RecordSemantics<'_>),
    ) -> Result<(), Error> {
        let file = match &self.kept {
            Kept::All(rows) => {
                each(0..self.records, RecordSemantics::Rows(rows));
                return Ok(());
            }
            Kept::Spilled { file, .. } => file,
        };
        let mut reader = file.open()?;
        let mut chunk = Rows::empty(0, self.dims);
        let mut bytes = vec![0u8; self.dims];
        while chunk.first < self.records {
            let end = (chunk.first + CHUNK).min(self.records);
            for _ in chunk.first..end {
                let scale = read_row(&mut reader, &mut bytes).map_err(|e| file.error(e))?;
                chunk.scales.push(scale);
                chunk.values.extend(bytes.iter().map(|&b| b as i8));
            }
            each(chunk.first..end, RecordSemantics::Rows(&chunk));
            chunk = Rows::empty(end, self.dims);
        }
        Ok(())
    }
}

/// Reads the records' rows back in order ([`RecordVectors::rows`]).
pub(crate) struct RowReader<'a> {
    source: RowSource<'a>,
    next: usize,
    row: Vec<i8>,
}

enum RowSource<'a> {
    Memory(&'a Rows),
    File {
        reader: BufReader<File>,
        file: &'a ScratchFile,
        bytes: Vec<u8>,
    },
}

impl RowReader<'_> {
    /// The next record's scale (0: no vector) and row.
    pub fn next_row(&mut self) -> Result<(f32, &[i8]), Error> {
        let scale = match &mut self.source {
            RowSource::Memory(rows) => {
                let dims = rows.dims;
                let Some(&scale) = rows.scales.get(self.next) else {
                    return Err(Error::PastTheEnd(self.next));
                };
                self.row
                    .copy_from_slice(&rows.values[self.next * dims..(self.next + 1) * dims]);
                scale
            }
            RowSource::File {
                reader,
                file,
                bytes,
            } => {
                let scale = read_row(reader, bytes).map_err(|e| file.error(e))?;
                self.row
                    .iter_mut()
                    .zip(bytes.iter())
                    .for_each(|(r, &b)| *r = b as i8);
                scale
            }
        };
        self.next += 1;
        Ok((scale, &self.row))
    }
}

/// Quantised vectors of the consecutive records `first..first + scales.len()`: a scale
/// (0 for a record with none) and `dims` bytes each.
pub(crate) struct Rows {
    first: usize,
    dims: usize,
    scales: Vec<f32>,
    values: Vec<i8>,
}

impl Rows {
    fn empty(first: usize, dims: usize) -> Self {
        Rows {
            first,
            dims,
            scales: Vec::new(),
            values: Vec::new(),
        }
    }

    fn push(&mut self, scale: f32, row: &[i8]) {
        self.scales.push(scale);
        self.values.extend_from_slice(row);
    }

    pub fn dims(&self) -> usize {
        self.dims
    }

    /// Record `doc`'s unit vector into `out`; false when it has none or is not here.
    pub fn vector(&self, doc: usize, out: &mut [f32]) -> bool {
        let Some(i) = doc.checked_sub(self.first) else {
            return false;
        };
        match self.scales.get(i) {
            Some(&scale) if scale != 0.0 => {
                dequantize(&self.values[i * self.dims..(i + 1) * self.dims], scale, out)
            }
            _ => false,
        }
    }
}

/// The records with a vector of smallest (text hash, record number), at most
/// `capacity`: all the theme fit's sample can hold of them, since the fit samples
/// records in that order.
pub(crate) struct Sample {
    capacity: usize,
    dims: usize,
    order: BTreeSet<(u64, u32)>,
    rows: HashMap<u32, (f32, Box<[i8]>)>,
}

impl Sample {
    fn new(capacity: usize, dims: usize) -> Self {
        Sample {
            capacity,
            dims,
            order: BTreeSet::new(),
            rows: HashMap::new(),
        }
    }

    /// Keeps `record`'s row if it is among the `capacity` smallest so far.
    fn offer(&mut self, key: u64, record: u32, scale: f32, row: &[i8]) {
        if self.order.len() >= self.capacity {
            match self.order.last() {
                Some(&largest) if (key, record) < largest => {
                    self.order.pop_last();
                    self.rows.remove(&largest.1);
                }
                _ => return,
            }
        }
        self.order.insert((key, record));
        self.rows.insert(record, (scale, row.into()));
    }

    pub fn dims(&self) -> usize {
        self.dims
    }

    /// Record `doc`'s unit vector into `out`; false when it has none or is not kept.
    pub fn vector(&self, doc: usize, out: &mut [f32]) -> bool {
        match u32::try_from(doc).ok().and_then(|d| self.rows.get(&d)) {
            Some((scale, values)) => dequantize(values, *scale, out),
            None => false,
        }
    }
}

/// One row: its scale, then its bytes (through `bytes`, a buffer kept for the purpose).
fn write_row(out: &mut impl Write, scale: f32, row: &[i8], bytes: &mut Vec<u8>) -> io::Result<()> {
    out.write_all(&scale.to_le_bytes())?;
    bytes.clear();
    bytes.extend(row.iter().map(|&q| q as u8));
    out.write_all(bytes)
}

/// The next row's bytes into `bytes` (a row long); returns its scale.
fn read_row(reader: &mut impl Read, bytes: &mut [u8]) -> io::Result<f32> {
    let mut scale = [0u8; 4];
    reader.read_exact(&mut scale)?;
    reader.read_exact(bytes)?;
    Ok(f32::from_le_bytes(scale))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A three-dimension encoder: the text's length, 1, and -0.01.
    struct Lengths;

    impl ClauseEmbedder for Lengths {
        fn name(&self) -> &str {
            "lengths"
        }
        fn dimension(&self) -> usize {
            3
        }
        fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, embedding::Error> {
            Ok(texts
                .iter()
                .map(|t| vec![t.chars().count() as f32, 1.0, -0.01])
                .collect())
        }
    }

    /// 600 records (more than two batches), every third Japanese (not embedded), with
    /// keys that fall in reverse record order.
    fn fill(vectors: &mut RecordVectors) {
        for i in 0..600usize {
            let lang = if i % 3 == 0 { Lang::Ja } else { Lang::En };
            let text = "x".repeat(i % 7);
            vectors.push(lang, &text, 10_000 - i as u64).unwrap();
        }
        vectors.finish().unwrap();
    }

    fn all(vectors: &RecordVectors) -> Vec<Option<Vec<f32>>> {
        let mut got = Vec::new();
        vectors
            .for_each_chunk(|range, rows| {
                let mut out = vec![0.0; 3];
                let mut scratch = vec![0.0; 3];
                for d in range {
                    got.push(
                        rows.vector(d, 0..0, &mut scratch, &mut out)
                            .then(|| out.clone()),
                    );
                }
            })
            .unwrap();
        got
    }

    #[test]
    fn spilled_rows_read_back_as_kept_in_memory_and_the_sample_is_the_bottom_k() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("theme-vectors.bin");
        let mut memory = RecordVectors::new(Arc::new(Lengths), &[Lang::En]);
        let mut spilled = RecordVectors::new(Arc::new(Lengths), &[Lang::En])
            .spill_to(path.clone(), 50)
            .unwrap();
        fill(&mut memory);
        fill(&mut spilled);
        assert_eq!(std::fs::metadata(&path).unwrap().len(), 600 * (4 + 3));
        let from_memory = all(&memory);
        assert_eq!(from_memory.len(), 600);
        assert_eq!(from_memory, all(&spilled));
        assert!(from_memory[0].is_none(), "Japanese is not embedded");
        let v = from_memory[2].as_ref().unwrap();
        let expected = [2.0, 1.0, -0.01].map(|x: f32| x / 5.0001f32.sqrt());
        for (a, b) in v.iter().zip(expected) {
            assert!((a - b).abs() < 0.01, "{v:?} vs {expected:?}");
        }
        // The sample: the 50 embedded records of smallest key, the last ones pushed.
        let sample = spilled.for_fit();
        let mut out = vec![0.0; 3];
        let mut scratch = vec![0.0; 3];
        let kept: Vec<usize> = (0..600)
            .filter(|&d| sample.vector(d, 0..0, &mut scratch, &mut out))
            .collect();
        let expected: Vec<usize> = (0..600).rev().filter(|d| d % 3 != 0).take(50).collect();
        let mut expected = expected;
        expected.sort_unstable();
        assert_eq!(kept, expected);
        drop(spilled);
        assert!(!path.exists(), "the scratch file goes with the vectors");
    }
}
