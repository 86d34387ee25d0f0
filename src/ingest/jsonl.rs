//! JSON Lines reader: one JSON object per line, blank lines ignored.
//!
//! Lines are read with a cap ([`Limits`](super::Limits)): a runaway line is consumed but
//! not kept, and becomes a `text_too_long` reject instead of a memory spike.

use std::borrow::Cow;
use std::io::BufRead;

use serde_json::{Map, Value as Json};

use super::fields::{Fields, Value, to_record};
use super::lines::{Endings, read_line_capped, without_ending};
use super::{Error, Item, RejectReason, Source};

pub(super) struct JsonlReader {
    reader: Box<dyn BufRead + Send>,
    source: Source,
    line: u64,
    buf: Vec<u8>,
    done: bool,
}

impl JsonlReader {
    pub(super) fn new(reader: Box<dyn BufRead + Send>, source: Source) -> Self {
        JsonlReader {
            reader,
            source,
            line: 0,
            buf: Vec::new(),
            done: false,
        }
    }

    /// Parses the line in `self.buf`; `None` for a blank line.
    fn parse_line(&self) -> Option<Item> {
        let mut bytes = self.buf.trim_ascii();
        if self.line == 1 {
            bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
        }
        if bytes.is_empty() {
            return None;
        }
        let reject =
            |reason, detail: String| Some(Err(self.source.reject(self.line, reason, detail)));
        let text = match std::str::from_utf8(bytes) {
            Ok(text) => text,
            Err(e) => {
                let detail = format!("invalid UTF-8 at byte {} of the line", e.valid_up_to());
                return reject(RejectReason::InvalidUtf8, detail);
            }
        };
        match serde_json::from_str::<Json>(text) {
            Ok(Json::Object(map)) => Some(to_record(&JsonFields(&map), &self.source, self.line)),
            Ok(other) => reject(
                RejectReason::NotAnObject,
                format!("expected a JSON object, found {}", kind_of(&other)),
            ),
            Err(e) => reject(RejectReason::BrokenJson, e.to_string()),
        }
    }
}

impl Iterator for JsonlReader {
    type Item = Result<Item, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        let max = self.source.limits.max_line_bytes();
        while !self.done {
            let read = read_line_capped(&mut self.reader, &mut self.buf, max, Endings::Newline);
            let length = match read {
                Ok(None) => {
                    self.done = true;
                    return None;
                }
                Ok(Some(length)) => length,
                Err(source) => {
                    self.done = true;
                    return Some(Err(Error::Read {
                        path: self.source.path.clone(),
                        line: self.line + 1,
                        source,
                    }));
                }
            };
            self.line += 1;
            // A cut line keeps `max + 1` bytes: over the limit either way.
            let length = if length == self.buf.len() {
                without_ending(&self.buf).len()
            } else {
                length
            };
            if length > max {
                let detail = super::lines::too_long(length, max);
                let reject = self
                    .source
                    .reject(self.line, RejectReason::TextTooLong, detail);
                return Some(Ok(Err(reject)));
            }
            if let Some(item) = self.parse_line() {
                return Some(Ok(item));
            }
        }
        None
    }
}

fn kind_of(value: &Json) -> &'static str {
    match value {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "an array",
        Json::Object(_) => "an object",
    }
}

struct JsonFields<'a>(&'a Map<String, Json>);

impl Fields for JsonFields<'_> {
    fn get(&self, name: &str) -> Value<'_> {
        match self.0.get(name) {
            None | Some(Json::Null) => Value::Missing,
            Some(Json::String(s)) => Value::Text(Cow::Borrowed(s)),
            Some(Json::Number(n)) => n.as_f64().map_or(Value::Other("a number"), Value::Number),
            Some(other) => Value::Other(kind_of(other)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    use crate::ingest::{FieldMap, Limits};

    fn read(input: &[u8], max_text_bytes: usize) -> Vec<Item> {
        let source = Source {
            path: "t.jsonl".into(),
            name: "t.jsonl".into(),
            fields: Arc::new(FieldMap::default()),
            limits: Limits { max_text_bytes },
        };
        let reader = Box::new(std::io::Cursor::new(input.to_vec()));
        JsonlReader::new(reader, source)
            .map(|r| r.unwrap())
            .collect()
    }

    fn reasons(items: &[Item]) -> Vec<Result<u64, (u64, RejectReason)>> {
        items
            .iter()
            .map(|i| match i {
                Ok(r) => Ok(r.origin.line),
                Err(r) => Err((r.line, r.reason)),
            })
            .collect()
    }

    #[test]
    fn reads_records_and_sets_bad_lines_aside_with_their_line() {
        let input = "{\"text\":\"配送が遅い\",\"rating\":2,\"channel\":\"app\"}\n\
                     \n\
                     {\"text\":\"broken\"\n\
                     [1,2]\n\
                     {\"text\":\"  \"}\n\
                     {\"text\":\"ok\",\"created_at\":\"last Tuesday\"}\n\
                     {\"text\":\"ok\",\"rating\":9,\"extra\":{\"a\":1}}\n\
                     {\"text\":\"Great staff\",\"nps\":10,\"unknown\":true}";
        let items = read(input.as_bytes(), 1000);
        assert_eq!(
            reasons(&items),
            vec![
                Ok(1),
                Err((3, RejectReason::BrokenJson)),
                Err((4, RejectReason::NotAnObject)),
                Err((5, RejectReason::EmptyText)),
                Err((6, RejectReason::BadDate)),
                Err((7, RejectReason::RatingOutOfRange)),
                Ok(8),
            ]
        );
        let first = items[0].as_ref().unwrap();
        assert_eq!(
            (first.rating, first.channel.as_deref()),
            (Some(2), Some("app"))
        );
        assert_eq!(items[6].as_ref().unwrap().nps, Some(10));
    }

    #[test]
    fn invalid_utf8_and_huge_lines_are_rejects_not_errors() {
        let mut input = b"{\"text\":\"caf\xe9\"}\n".to_vec();
        input.extend(format!("{{\"text\":\"{}\"}}\n", "x".repeat(500_000)).bytes());
        input.extend(format!("{{\"text\":\"{}\"}}\n", "y".repeat(2_000)).bytes());
        input.extend(b"{\"text\":\"fine\"}");
        let items = read(&input, 1000);
        assert_eq!(
            reasons(&items),
            vec![
                Err((1, RejectReason::InvalidUtf8)),
                Err((2, RejectReason::TextTooLong)),
                Err((3, RejectReason::TextTooLong)),
                Ok(4),
            ]
        );
    }

    #[test]
    fn a_byte_order_mark_and_crlf_are_ignored() {
        let items = read(
            "\u{feff}{\"text\":\"hi\"}\r\n{\"text\":\"yo\"}\r\n".as_bytes(),
            100,
        );
        assert_eq!(reasons(&items), vec![Ok(1), Ok(2)]);
    }
}
