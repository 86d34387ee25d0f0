//! Each record's theme and sub-topics as a fit leaves them for the index pass: in memory
//! ([`DocTopics`]), or, in a run fitted a piece at a time ([`super::staged`]), in a
//! scratch file written a piece after another ([`AssignmentFile`]); either way read
//! back once, in record order ([`Topics::records`](super::Topics::records)).

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::ops::Range;
use std::path::PathBuf;

use super::vectorize::NONE;
use crate::scratch::{Error, ScratchFile};

/// Topic ids per record (CSR), with the record's sentiment on each, and its theme.
#[derive(Debug, Clone, Default)]
pub(crate) struct DocTopics {
    pub offsets: Vec<usize>,
    pub topics: Vec<u32>,
    /// The record's sentiment on each of its topics.
    pub sentiments: Vec<f32>,
    /// Theme of each record (`NONE`: none).
    pub themes: Vec<u32>,
}

impl DocTopics {
    /// Records held.
    pub fn len(&self) -> usize {
        self.themes.len()
    }

    /// Record `doc`'s theme; None for none, or a record not held.
    pub fn theme(&self, doc: usize) -> Option<u32> {
        self.themes.get(doc).copied().filter(|&t| t != NONE)
    }

    /// Record `doc`'s topic ids, primary first (empty for a record not held).
    pub fn topics(&self, doc: usize) -> &[u32] {
        &self.topics[self.range(doc)]
    }

    /// Record `doc`'s sentiment on each of its topics.
    pub fn sentiments(&self, doc: usize) -> &[f32] {
        &self.sentiments[self.range(doc)]
    }

    fn range(&self, doc: usize) -> Range<usize> {
        match (self.offsets.get(doc), self.offsets.get(doc + 1)) {
            (Some(&a), Some(&b)) => a..b,
            _ => 0..0,
        }
    }
}

/// The records' themes and topic ids in a scratch file, in record order: per record its
/// theme (`NONE`: none), its number of topics, and their ids (little-endian `u32`s).
#[derive(Debug)]
pub(crate) struct AssignmentFile {
    /// `None` once finished.
    out: Option<BufWriter<File>>,
    file: ScratchFile,
    records: usize,
}

impl AssignmentFile {
    /// A new file at `path` (replacing one left there); removed when this is dropped.
    pub fn create(path: PathBuf) -> Result<Self, Error> {
        let (file, out) = ScratchFile::create(path)?;
        Ok(AssignmentFile {
            out: Some(out),
            file,
            records: 0,
        })
    }

    /// Appends the records of `piece`, which follow those written.
    pub fn append(&mut self, piece: &DocTopics) -> Result<(), Error> {
        let Some(out) = &mut self.out else {
            return Err(self
                .file
                .error(io::Error::other("written after it was finished")));
        };
        let mut write = || -> io::Result<()> {
            for doc in 0..piece.len() {
                let topics = piece.topics(doc);
                out.write_all(&piece.themes[doc].to_le_bytes())?;
                out.write_all(&(topics.len() as u32).to_le_bytes())?;
                for topic in topics {
                    out.write_all(&topic.to_le_bytes())?;
                }
            }
            Ok(())
        };
        write().map_err(|e| self.file.error(e))?;
        self.records += piece.len();
        Ok(())
    }

    /// Hands what is buffered to the file and closes it for writing.
    pub fn finish(&mut self) -> Result<(), Error> {
        match self.out.take() {
            Some(mut out) => out.flush().map_err(|e| self.file.error(e)),
            None => Ok(()),
        }
    }
}

/// Each record's theme and topic ids, in record order ([`Topics::records`](super::Topics::records)).
pub struct RecordTopics<'a> {
    source: Source<'a>,
    next: usize,
}

enum Source<'a> {
    Memory(&'a DocTopics),
    File {
        reader: BufReader<File>,
        file: &'a ScratchFile,
        records: usize,
    },
}

impl<'a> RecordTopics<'a> {
    pub(crate) fn in_memory(topics: &'a DocTopics) -> Self {
        RecordTopics {
            source: Source::Memory(topics),
            next: 0,
        }
    }

    pub(crate) fn from_file(assigned: &'a AssignmentFile) -> Result<Self, Error> {
        let file = &assigned.file;
        Ok(RecordTopics {
            source: Source::File {
                reader: file.open()?,
                file,
                records: assigned.records,
            },
            next: 0,
        })
    }
}

impl Iterator for RecordTopics<'_> {
    /// The record's theme (None: none) and topic ids, primary first.
    type Item = Result<(Option<u32>, Vec<u32>), super::Error>;

    fn next(&mut self) -> Option<Self::Item> {
        let doc = self.next;
        let item = match &mut self.source {
            Source::Memory(topics) => {
                (doc < topics.len()).then(|| Ok((topics.theme(doc), topics.topics(doc).to_vec())))
            }
            Source::File {
                reader,
                file,
                records,
            } => (doc < *records)
                .then(|| read_record(reader).map_err(|e| super::Error::Assignments(file.error(e)))),
        };
        self.next += 1;
        item
    }
}

fn read_record(reader: &mut impl Read) -> io::Result<(Option<u32>, Vec<u32>)> {
    let mut word = [0u8; 4];
    let mut read = || -> io::Result<u32> {
        reader.read_exact(&mut word)?;
        Ok(u32::from_le_bytes(word))
    };
    let theme = read()?;
    let n = read()? as usize;
    let topics = (0..n).map(|_| read()).collect::<io::Result<Vec<u32>>>()?;
    Ok((Some(theme).filter(|&t| t != NONE), topics))
}
