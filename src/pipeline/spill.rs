//! A temporary JSON Lines file of index documents.
//!
//! Topic ids are only known once every record has been read, but the index should not
//! wait with millions of records in memory: the first pass writes each analysed record
//! here, the second pass reads them back, one at a time, with their topics. The file is
//! removed when the writer or reader holding it is dropped.

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::path::PathBuf;

use crate::index::IndexDoc;
use crate::scratch::ScratchFile;

pub struct SpillWriter {
    out: BufWriter<File>,
    file: ScratchFile,
}

impl SpillWriter {
    pub fn create(path: PathBuf) -> io::Result<Self> {
        Ok(SpillWriter {
            out: BufWriter::with_capacity(1 << 20, File::create(&path)?),
            file: ScratchFile::new(path),
        })
    }

    pub fn push(&mut self, doc: &IndexDoc) -> io::Result<()> {
        serde_json::to_writer(&mut self.out, doc)?;
        self.out.write_all(b"\n")
    }

    /// Hands what is buffered to the file (once a batch: the file shows how far the run
    /// is, and a batch's records are not held twice).
    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    /// Finishes writing and reopens the file for reading, from the first document.
    pub fn into_reader(self) -> io::Result<SpillReader> {
        let SpillWriter { mut out, file } = self;
        out.flush()?;
        drop(out);
        let reader = BufReader::with_capacity(1 << 20, File::open(file.path())?);
        Ok(SpillReader {
            lines: reader.lines(),
            _file: file,
        })
    }
}

pub struct SpillReader {
    lines: io::Lines<BufReader<File>>,
    _file: ScratchFile,
}

impl Iterator for SpillReader {
    type Item = io::Result<IndexDoc>;

    fn next(&mut self) -> Option<Self::Item> {
        let line = self.lines.next()?;
        Some(line.and_then(|l| serde_json::from_str(&l).map_err(io::Error::from)))
    }
}
