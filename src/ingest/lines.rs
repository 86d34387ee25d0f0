//! Reading one physical line at a time with a cap on what is kept: a runaway line is
//! consumed but not kept, so one huge line never becomes a memory spike. JSONL and CSV
//! both read through here.

use std::io::{self, BufRead};

/// What ends a line: `\n` only (JSON Lines; a `\r` before it stays in the line), or any
/// of `\n`, `\r\n` and a lone `\r` (CSV, as spreadsheets write it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Endings {
    Newline,
    Any,
}

/// Reads one line, its ending included, into `buf` (cleared first), keeping at most
/// `max + 1` bytes of it. Returns the line's full length with its ending, or `None` at
/// the end of input; a length over `max` means the line was cut.
pub(super) fn read_line_capped(
    reader: &mut dyn BufRead,
    buf: &mut Vec<u8>,
    max: usize,
    endings: Endings,
) -> io::Result<Option<usize>> {
    buf.clear();
    let mut length = 0;
    loop {
        let available = match reader.fill_buf() {
            Ok(available) => available,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return Ok((length > 0).then_some(length));
        }
        let end = match endings {
            Endings::Newline => available.iter().position(|&b| b == b'\n'),
            Endings::Any => available.iter().position(|&b| b == b'\n' || b == b'\r'),
        };
        let (chunk, ending) = match end {
            Some(i) => (&available[..=i], Some(available[i])),
            None => (available, None),
        };
        let room = (max + 1).saturating_sub(buf.len());
        buf.extend_from_slice(&chunk[..chunk.len().min(room)]);
        let consumed = chunk.len();
        length += consumed;
        reader.consume(consumed);
        match ending {
            None => {}
            Some(b'\r') => {
                // `\r\n` is one ending, even when the `\n` is in the next read.
                if next_byte(reader)? == Some(b'\n') {
                    if buf.len() <= max {
                        buf.push(b'\n');
                    }
                    reader.consume(1);
                    length += 1;
                }
                return Ok(Some(length));
            }
            Some(_) => return Ok(Some(length)),
        }
    }
}

fn next_byte(reader: &mut dyn BufRead) -> io::Result<Option<u8>> {
    loop {
        match reader.fill_buf() {
            Ok(available) => return Ok(available.first().copied()),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
}

/// The line without its ending.
pub(super) fn without_ending(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(input: &[u8], max: usize, endings: Endings) -> Vec<(Vec<u8>, usize)> {
        // A tiny buffer, so endings fall across reads.
        let mut reader = io::BufReader::with_capacity(3, input);
        let mut buf = Vec::new();
        let mut out = Vec::new();
        while let Some(length) = read_line_capped(&mut reader, &mut buf, max, endings).unwrap() {
            out.push((buf.clone(), length));
        }
        out
    }

    #[test]
    fn every_ending_and_a_cap() {
        let input = b"ab\r\ncd\ref\ngh";
        let any = lines(input, 100, Endings::Any);
        let texts: Vec<&[u8]> = any.iter().map(|(l, _)| l.as_slice()).collect();
        assert_eq!(texts, [&b"ab\r\n"[..], b"cd\r", b"ef\n", b"gh"]);
        let newline = lines(input, 100, Endings::Newline);
        assert_eq!(newline[0].0, b"ab\r\n");
        assert_eq!(newline[1].0, b"cd\ref\n");
        let capped = lines(b"0123456789\nok\n", 4, Endings::Any);
        assert_eq!(capped[0], (b"01234".to_vec(), 11));
        assert_eq!(capped[1], (b"ok\n".to_vec(), 3));
        assert_eq!(without_ending(b"x\r\n"), b"x");
    }
}

/// One line of a [`CappedLines`] reader.
#[derive(Debug, PartialEq, Eq)]
pub enum Line<'a> {
    /// The line without its ending.
    Kept { number: u64, bytes: &'a [u8] },
    /// A line over the cap: consumed, not kept.
    TooLong {
        number: u64,
        length: usize,
        max: usize,
    },
}

/// Why a line (or row) over the cap was set aside, in the same words for every reader.
pub fn too_long(length: usize, max: usize) -> String {
    format!("line is {length} bytes, over the limit of {max}")
}

/// The lines of a stream ending in `\n`, numbered from 1, each kept up to `max` bytes:
/// what the JSONL reader does, for other readers of line files (labelled data).
pub struct CappedLines {
    reader: Box<dyn BufRead + Send>,
    path: std::path::PathBuf,
    max: usize,
    number: u64,
    buf: Vec<u8>,
}

impl CappedLines {
    pub fn new(reader: Box<dyn BufRead + Send>, path: &std::path::Path, max: usize) -> Self {
        CappedLines {
            reader,
            path: path.to_path_buf(),
            max,
            number: 0,
            buf: Vec::new(),
        }
    }

    /// Reads the first line as a tab-separated header ([`super::csv::header_names`]): no
    /// columns for an empty input, an [`super::Error::Header`] for a line over the cap.
    pub fn tsv_header(&mut self) -> Result<Vec<String>, super::Error> {
        match self.next_line()? {
            None => Ok(Vec::new()),
            Some(Line::Kept { bytes, .. }) => {
                Ok(super::csv::header_names(bytes.split(|&b| b == b'\t')))
            }
            Some(Line::TooLong { length, max, .. }) => Err(super::Error::Header {
                path: self.path.clone(),
                message: too_long(length, max),
            }),
        }
    }

    /// The next line; `None` at the end; an I/O failure says the file and line.
    pub fn next_line(&mut self) -> Result<Option<Line<'_>>, super::Error> {
        let read = read_line_capped(&mut self.reader, &mut self.buf, self.max, Endings::Newline);
        let length = match read {
            Ok(None) => return Ok(None),
            Ok(Some(length)) => length,
            Err(source) => {
                return Err(super::Error::Read {
                    path: self.path.clone(),
                    line: self.number + 1,
                    source,
                });
            }
        };
        self.number += 1;
        let kept = without_ending(&self.buf);
        let length = if length == self.buf.len() {
            kept.len()
        } else {
            length
        };
        Ok(Some(if length > self.max {
            Line::TooLong {
                number: self.number,
                length,
                max: self.max,
            }
        } else {
            Line::Kept {
                number: self.number,
                bytes: kept,
            }
        }))
    }
}
