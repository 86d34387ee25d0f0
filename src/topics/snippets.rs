//! Snippets: each record's id and first 200 characters, for the examples of topics.
//!
//! A topic shows a few representative records, but which ones is only known once the
//! topics are fitted, and keeping every record's id and snippet in memory until then
//! costs more than all of its term features together (about 130 bytes a record).
//! [`Snippets::spill_to`] writes them instead to a scratch file (one CBOR pair per
//! record, in sequence order) that [`Snippets::fetch`] reads back once per set of
//! examples, keeping only the records asked for; the file is removed when the
//! [`Snippets`] are dropped. [`Snippets::default`] keeps them in memory, for small fits
//! without a folder to write in.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;

pub use crate::scratch::Error;
use crate::scratch::ScratchFile;

/// Characters of a record's text kept for its examples.
pub(crate) const SNIPPET_CHARS: usize = 200;

/// The first [`SNIPPET_CHARS`] characters of `text`: what an example shows of it.
pub(crate) fn snippet_of(text: &str) -> &str {
    &text[..text
        .char_indices()
        .nth(SNIPPET_CHARS)
        .map_or(text.len(), |(i, _)| i)]
}

/// Where the records' ids and snippets wait for the examples (see the module doc).
#[derive(Debug)]
pub(crate) enum Snippets {
    /// Ids and snippets back to back, with the end of each.
    Memory { strings: String, ends: Vec<usize> },
    Spilled {
        out: BufWriter<File>,
        file: ScratchFile,
        records: usize,
    },
}

impl Default for Snippets {
    fn default() -> Self {
        Snippets::Memory {
            strings: String::new(),
            ends: Vec::new(),
        }
    }
}

/// A record's id and snippet, as [`Snippets::fetch`] hands them back.
pub(crate) type Snippet = (String, String);

impl Snippets {
    /// Snippets written to a new file at `path` (replacing one left there).
    pub fn spill_to(path: PathBuf) -> Result<Self, Error> {
        let (file, out) = ScratchFile::create(path)?;
        Ok(Snippets::Spilled {
            out,
            file,
            records: 0,
        })
    }

    /// Keeps the next record's id and the first [`SNIPPET_CHARS`] characters of `text`.
    pub fn push(&mut self, id: &str, text: &str) -> Result<(), Error> {
        let snippet = snippet_of(text);
        match self {
            Snippets::Memory { strings, ends } => {
                strings.push_str(id);
                ends.push(strings.len());
                strings.push_str(snippet);
                ends.push(strings.len());
                Ok(())
            }
            Snippets::Spilled { out, file, records } => {
                ciborium::into_writer(&(id, snippet), out)
                    .map_err(|e| file.error(io::Error::other(e)))?;
                *records += 1;
                Ok(())
            }
        }
    }

    /// Hands what is buffered to the file: call once every record is pushed, before
    /// [`fetch`](Self::fetch).
    pub fn finish(&mut self) -> Result<(), Error> {
        match self {
            Snippets::Memory { .. } => Ok(()),
            Snippets::Spilled { out, file, .. } => out.flush().map_err(|e| file.error(e)),
        }
    }

    /// The id and snippet of each record of `docs` (sequence numbers); one pass over the
    /// file when spilled (up to the last record asked for). A record never pushed is
    /// left out.
    pub fn fetch(&self, docs: &[usize]) -> Result<HashMap<usize, Snippet>, Error> {
        let mut wanted: Vec<usize> = docs.to_vec();
        wanted.sort_unstable();
        wanted.dedup();
        match self {
            Snippets::Memory { strings, ends } => {
                let string = |i: usize| {
                    let start = if i == 0 { 0 } else { ends[i - 1] };
                    strings.get(start..ends[i]).unwrap_or("").to_string()
                };
                Ok(wanted
                    .into_iter()
                    .filter(|&d| 2 * d + 1 < ends.len())
                    .map(|d| (d, (string(2 * d), string(2 * d + 1))))
                    .collect())
            }
            Snippets::Spilled { file, records, .. } => {
                let mut found = HashMap::with_capacity(wanted.len());
                let Some(&last) = wanted.last() else {
                    return Ok(found);
                };
                let mut reader = file.open()?;
                let mut next = wanted.iter().peekable();
                for d in 0..(*records).min(last + 1) {
                    let pair: Snippet = ciborium::from_reader(&mut reader)
                        .map_err(|e| file.error(io::Error::other(e)))?;
                    if next.next_if_eq(&&d).is_some() {
                        found.insert(d, pair);
                    }
                }
                Ok(found)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fill(snippets: &mut Snippets) {
        let long = "配".repeat(250);
        for (id, text) in [
            ("r1", "配送が遅い"),
            ("r2", long.as_str()),
            ("r3", "Great staff"),
        ] {
            snippets.push(id, text).unwrap();
        }
    }

    #[test]
    fn a_spilled_file_gives_what_memory_gives_and_goes_away() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("snippets.cbor");
        let mut memory = Snippets::default();
        let mut spilled = Snippets::spill_to(path.clone()).unwrap();
        fill(&mut memory);
        fill(&mut spilled);
        spilled.finish().unwrap();
        let asked = [2, 1, 7, 1];
        let from_memory = memory.fetch(&asked).unwrap();
        assert_eq!(from_memory, spilled.fetch(&asked).unwrap());
        assert_eq!(from_memory.len(), 2, "record 7 was never pushed");
        assert_eq!(from_memory[&2], ("r3".into(), "Great staff".into()));
        assert_eq!(from_memory[&1].1.chars().count(), SNIPPET_CHARS);
        assert!(path.exists());
        drop(spilled);
        assert!(
            !path.exists(),
            "the scratch file is removed with the snippets"
        );
    }
}
