//! CSV rows in bounded memory, resynchronised after a runaway quote.
//!
//! A quoted cell may hold line breaks, so a row can span lines; one stray quote would
//! then swallow every line after it into one row. The splitter reads physical lines,
//! follows the quoting as csv-core does, and gives up on a row that spans lines and
//!
//! * runs past the row limit (the JSONL line limit: room for the longest text),
//! * reaches the end of the input inside quotes, or
//! * is malformed: text right after a closing quote, or not the header's number of cells
//!   (what a stray quote does when it is closed by the next row's quote).
//!
//! Such a row costs its first line only: that line is a `broken_csv` reject, and the lines
//! after it are read again as rows. Memory holds at most one row's lines (the limit),
//! and each line is read at most twice.

use std::collections::VecDeque;
use std::io::BufRead;

use csv::ByteRecord;
use csv_core::ReadRecordResult;

use crate::ingest::lines::{Endings, read_line_capped, without_ending};

/// One physical line of input, its ending included.
struct Line {
    number: u64,
    bytes: Vec<u8>,
    /// The full length when the line was cut at the limit (its bytes are not all here).
    cut: Option<usize>,
}

/// What the splitter made of the next lines.
#[derive(Debug, PartialEq, Eq)]
pub enum Row {
    /// A row's cells; `line` is the line it starts on.
    Cells { line: u64, cells: ByteRecord },
    /// A line that cannot start a row; the lines after it are read again.
    Broken { line: u64, detail: String },
    /// A line over the limit on its own.
    TooLong {
        line: u64,
        length: usize,
        max: usize,
    },
}

pub(super) struct RowSplitter {
    reader: Box<dyn BufRead + Send>,
    delimiter: u8,
    max_row_bytes: usize,
    /// Lines to read again (after a runaway row) before reading on.
    replay: VecDeque<Line>,
    lines_read: u64,
    parser: csv_core::Reader,
    buffer: Vec<u8>,
    /// Cell contents and cell ends, reused from row to row.
    output: Vec<u8>,
    ends: Vec<usize>,
}

/// Where csv-core's quoting state machine is: enough of it to know whether a line break
/// ends the row and whether the quotes are well formed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Quoting {
    CellStart,
    Unquoted,
    Quoted,
    /// A quote inside a quoted cell: it closes the cell, or is the first of `""`.
    QuoteInQuoted,
}

impl Quoting {
    /// The next state after `byte`, and whether the byte breaks RFC 4180 (text right
    /// after a closing quote, which csv-core keeps as text).
    fn step(self, byte: u8, delimiter: u8) -> (Quoting, bool) {
        let ends_cell = byte == delimiter || byte == b'\n' || byte == b'\r';
        match self {
            Quoting::CellStart if byte == b'"' => (Quoting::Quoted, false),
            Quoting::CellStart | Quoting::Unquoted if ends_cell => (Quoting::CellStart, false),
            Quoting::CellStart | Quoting::Unquoted => (Quoting::Unquoted, false),
            Quoting::Quoted if byte == b'"' => (Quoting::QuoteInQuoted, false),
            Quoting::Quoted => (Quoting::Quoted, false),
            Quoting::QuoteInQuoted if byte == b'"' => (Quoting::Quoted, false),
            Quoting::QuoteInQuoted if ends_cell => (Quoting::CellStart, false),
            Quoting::QuoteInQuoted => (Quoting::Unquoted, true),
        }
    }
}

/// Why a row that spans lines was given up.
enum Runaway {
    TooLong,
    EndOfInput,
    Malformed(u64),
    Cells(usize, usize),
}

impl RowSplitter {
    pub(super) fn new(
        reader: Box<dyn BufRead + Send>,
        delimiter: u8,
        max_row_bytes: usize,
    ) -> Self {
        RowSplitter {
            reader,
            delimiter,
            max_row_bytes,
            replay: VecDeque::new(),
            lines_read: 0,
            parser: csv_core::ReaderBuilder::new().delimiter(delimiter).build(),
            buffer: Vec::new(),
            output: Vec::new(),
            ends: Vec::new(),
        }
    }

    /// Physical lines read so far (the line a read error happens on is the next one).
    pub(super) fn lines_read(&self) -> u64 {
        self.lines_read
    }

    /// The next row, `None` at the end of input. `width` is the header's number of
    /// cells (`None` while reading the header).
    pub(super) fn next_row(&mut self, width: Option<usize>) -> std::io::Result<Option<Row>> {
        loop {
            let Some(first) = self.next_line()? else {
                return Ok(None);
            };
            if let Some(length) = first.cut {
                return Ok(Some(Row::TooLong {
                    line: first.number,
                    length,
                    max: self.max_row_bytes,
                }));
            }
            if without_ending(&first.bytes).is_empty() {
                continue; // blank lines are not rows
            }
            let (mut quoting, bad) = self.follow(Quoting::CellStart, &first.bytes);
            let mut malformed = bad.then_some(first.number);
            let mut lines = vec![first];
            let mut runaway = None;
            let mut size = lines[0].bytes.len();
            while quoting == Quoting::Quoted {
                match self.next_line()? {
                    None => {
                        runaway = Some(Runaway::EndOfInput);
                        break;
                    }
                    Some(line)
                        if line.cut.is_some() || size + line.bytes.len() > self.max_row_bytes =>
                    {
                        self.replay.push_front(line);
                        runaway = Some(Runaway::TooLong);
                        break;
                    }
                    Some(line) => {
                        let (next, bad) = self.follow(quoting, &line.bytes);
                        if bad {
                            malformed = malformed.or(Some(line.number));
                        }
                        quoting = next;
                        size += line.bytes.len();
                        lines.push(line);
                    }
                }
            }
            let multiline = lines.len() > 1;
            if runaway.is_none() {
                let cells = self.cells(&lines);
                match (width, multiline, malformed) {
                    (_, true, Some(at)) => runaway = Some(Runaway::Malformed(at)),
                    (Some(width), true, None) if cells.len() != width => {
                        runaway = Some(Runaway::Cells(cells.len(), width))
                    }
                    _ => {
                        return Ok(Some(Row::Cells {
                            line: lines[0].number,
                            cells,
                        }));
                    }
                }
            }
            let first = lines.remove(0);
            for line in lines.into_iter().rev() {
                self.replay.push_front(line);
            }
            let why = match runaway.expect("set above") {
                Runaway::TooLong => format!("runs past {} bytes", self.max_row_bytes),
                Runaway::EndOfInput => "runs to the end of the file".to_string(),
                Runaway::Malformed(at) => {
                    format!("ends in text after a closing quote on line {at}")
                }
                Runaway::Cells(found, width) => {
                    format!("spans lines into {found} cells, the header has {width}")
                }
            };
            return Ok(Some(Row::Broken {
                line: first.number,
                detail: format!(
                    "a quote opened on this line is not closed as a cell (the row {why}); \
                     the lines after it are read as rows of their own"
                ),
            }));
        }
    }

    /// The quoting state after `bytes`, and whether they broke RFC 4180's quoting.
    fn follow(&self, mut quoting: Quoting, bytes: &[u8]) -> (Quoting, bool) {
        let mut malformed = false;
        for &byte in bytes {
            let (next, bad) = quoting.step(byte, self.delimiter);
            malformed |= bad;
            quoting = next;
        }
        (quoting, malformed)
    }

    fn next_line(&mut self) -> std::io::Result<Option<Line>> {
        if let Some(line) = self.replay.pop_front() {
            return Ok(Some(line));
        }
        let max = self.max_row_bytes;
        let Some(length) =
            read_line_capped(&mut *self.reader, &mut self.buffer, max, Endings::Any)?
        else {
            return Ok(None);
        };
        self.lines_read += 1;
        let bytes = std::mem::take(&mut self.buffer);
        let cut = (length > bytes.len() || without_ending(&bytes).len() > max).then_some(length);
        Ok(Some(Line {
            number: self.lines_read,
            bytes,
            cut,
        }))
    }

    /// Splits a row's lines into cells as csv-core does (quotes removed, `""` unescaped).
    fn cells(&mut self, lines: &[Line]) -> ByteRecord {
        let input: Vec<u8> = lines.iter().flat_map(|l| l.bytes.iter().copied()).collect();
        // Cells are never longer than their input, and there is at most one per byte.
        self.output.clear();
        self.output.resize(input.len() + 1, 0);
        self.ends.clear();
        self.ends.resize(input.len() + 2, 0);
        self.parser.reset();
        let (result, _, mut nout, mut nend) =
            self.parser
                .read_record(&input, &mut self.output, &mut self.ends);
        // Sized above so that the output never fills. A row whose last line has no
        // ending leaves csv-core waiting for more: tell it the input ends.
        if result == ReadRecordResult::InputEmpty {
            let (_, _, out, end) =
                self.parser
                    .read_record(&[], &mut self.output[nout..], &mut self.ends[nend..]);
            nout += out;
            nend += end;
        }
        let mut record = ByteRecord::with_capacity(nout, nend);
        let mut start = 0;
        for &end in &self.ends[..nend] {
            record.push_field(&self.output[start..end]);
            start = end;
        }
        record
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(input: &str, width: usize, max: usize) -> Vec<String> {
        let mut splitter = RowSplitter::new(
            Box::new(std::io::Cursor::new(input.as_bytes().to_vec())),
            b',',
            max,
        );
        let mut out = Vec::new();
        while let Some(row) = splitter.next_row(Some(width)).unwrap() {
            out.push(match row {
                Row::Cells { line, cells } => {
                    let cells: Vec<String> = cells
                        .iter()
                        .map(|c| String::from_utf8_lossy(c).into_owned())
                        .collect();
                    format!("{line}: {}", cells.join("|"))
                }
                Row::Broken { line, .. } => format!("{line}: broken"),
                Row::TooLong { line, .. } => format!("{line}: too long"),
            });
        }
        out
    }

    #[test]
    fn quoted_cells_hold_delimiters_quotes_and_line_breaks() {
        let input = "a,\"b, \"\"c\"\"\"\r\n\n\"multi\nline\",z\rlast,\"\"";
        assert_eq!(
            rows(input, 2, 1000),
            ["1: a|b, \"c\"", "3: multi\nline|z", "5: last|"]
        );
    }

    #[test]
    fn a_stray_quote_costs_its_own_line_only() {
        // Closed by the next row's quote, or by none: either way the rows after it read.
        let input = "1,\"stray\n2,\"fine\"\n3,plain\n4,\"open\n5,x\n6,y\n";
        assert_eq!(
            rows(input, 2, 1000),
            [
                "1: broken",
                "2: 2|fine",
                "3: 3|plain",
                "4: broken",
                "5: 5|x",
                "6: 6|y"
            ]
        );
    }

    #[test]
    fn a_row_over_the_limit_is_given_up_and_reading_goes_on() {
        let mut input = String::from("1,\"runaway\n");
        for i in 2..200 {
            input.push_str(&format!("{i},row {i}\n"));
        }
        let rows = rows(&input, 2, 64);
        assert_eq!(rows[0], "1: broken");
        assert_eq!(rows.len(), 199, "every other row is read");
        assert_eq!(rows[198], "199: 199|row 199");
        let long = format!("1,{}\n2,ok\n", "x".repeat(100));
        assert_eq!(rows_of(&long, 64), ["1: too long", "2: 2|ok"]);
    }

    fn rows_of(input: &str, max: usize) -> Vec<String> {
        rows(input, 2, max)
    }

    #[test]
    fn text_after_a_closing_quote_is_kept_on_one_line_as_csv_does() {
        assert_eq!(rows("a\"b,\"c\"d\n", 2, 100), ["1: a\"b|cd"]);
    }
}
