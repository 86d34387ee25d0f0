//! Record ids within a run: which of several records with one id is kept.
//!
//! An id names one record: two lines with the same id are one record given twice (a dump
//! exported twice, a row corrected later), and indexing both would count it twice in
//! every figure. [`DuplicateIds`] says which one stays; the others are `duplicate_id`
//! rejects that name the one kept. The same registry tells `--append` which records of
//! the previous generation the run replaces.
//!
//! Memory: a 128-bit hash of each distinct id and the position of the record kept (32
//! bytes, about 50 with the hash table's slack), whatever the ids' length: some 50 MB
//! for a million records.

use std::collections::HashMap;
use std::str::FromStr;

use serde::Serialize;

use crate::ingest::{Reject, RejectReason};
use crate::record::Record;

/// What to do with records whose id an earlier record of the run already has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DuplicateIds {
    /// The last record with an id wins, as a later correction would (the inputs are read
    /// twice: once for the ids, once to analyse).
    #[default]
    Last,
    /// The first record with an id wins.
    First,
    /// A repeated id stops the run (nothing is published).
    Error,
}

impl FromStr for DuplicateIds {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "last" => Ok(DuplicateIds::Last),
            "first" => Ok(DuplicateIds::First),
            "error" => Ok(DuplicateIds::Error),
            _ => Err(format!("{s:?} is not a rule: last, first or error")),
        }
    }
}

/// Where a record is: its input (by index in the run's list) and line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Position {
    pub input: u32,
    pub line: u64,
}

/// What becomes of a record, by its id.
pub(super) enum Verdict {
    Keep,
    /// Another record with this id is kept instead.
    SetAside(Reject),
    /// `--duplicate-ids error`, and the id was seen before at this position.
    Repeated(Position),
}

/// The ids of a run's records and the position of the one kept for each.
pub(super) struct IdRegistry {
    rule: DuplicateIds,
    kept: HashMap<u128, Position>,
}

impl IdRegistry {
    pub(super) fn new(rule: DuplicateIds) -> Self {
        IdRegistry {
            rule,
            kept: HashMap::new(),
        }
    }

    /// With [`DuplicateIds::Last`], the first pass: every record's id, in input order.
    pub(super) fn note(&mut self, id: &str, position: Position) {
        self.kept.insert(hash(id), position);
    }

    pub(super) fn needs_first_pass(&self) -> bool {
        self.rule == DuplicateIds::Last
    }

    /// Decides on a record of the run at `position`; `name_of` gives an input's name.
    pub(super) fn admit(
        &mut self,
        record: &Record,
        position: Position,
        name_of: impl Fn(u32) -> String,
    ) -> Verdict {
        let key = hash(&record.id);
        let set_aside = |kept: Position, which: &str| {
            Verdict::SetAside(Reject {
                file: record.origin.file.clone(),
                line: record.origin.line,
                reason: RejectReason::DuplicateId,
                detail: format!(
                    "id {:?} is also at {}:{}, the {which} record with it, which is kept \
                     (--duplicate-ids)",
                    record.id,
                    name_of(kept.input),
                    kept.line
                ),
            })
        };
        match (self.rule, self.kept.get(&key).copied()) {
            (DuplicateIds::Last, Some(kept)) if kept == position => Verdict::Keep,
            (DuplicateIds::Last, Some(kept)) => set_aside(kept, "last"),
            // Not seen in the first pass: the input changed in between; keep it.
            (DuplicateIds::Last, None) => Verdict::Keep,
            (DuplicateIds::First, Some(kept)) => set_aside(kept, "first"),
            (DuplicateIds::Error, Some(kept)) => Verdict::Repeated(kept),
            (DuplicateIds::First | DuplicateIds::Error, None) => {
                self.kept.insert(key, position);
                Verdict::Keep
            }
        }
    }

    /// Whether a record of the run has this id (a record of the previous generation with
    /// it is replaced).
    pub(super) fn contains(&self, id: &str) -> bool {
        self.kept.contains_key(&hash(id))
    }
}

fn hash(id: &str) -> u128 {
    let digest = blake3::hash(id.as_bytes());
    u128::from_le_bytes(digest.as_bytes()[..16].try_into().expect("16 of 32 bytes"))
}

#[cfg(test)]
mod tests {

    use super::*;

    fn record(id: &str, line: u64) -> Record {
        Record::new(id, "x", "a.jsonl", line)
    }

    fn verdicts(rule: DuplicateIds, ids: &[&str]) -> Vec<String> {
        let mut registry = IdRegistry::new(rule);
        let at = |line: usize| Position {
            input: 0,
            line: line as u64 + 1,
        };
        if registry.needs_first_pass() {
            for (i, id) in ids.iter().enumerate() {
                registry.note(id, at(i));
            }
        }
        ids.iter()
            .enumerate()
            .map(|(i, id)| {
                match registry.admit(&record(id, at(i).line), at(i), |_| "a.jsonl".into()) {
                    Verdict::Keep => "keep".to_string(),
                    Verdict::SetAside(r) => {
                        assert_eq!(r.reason, RejectReason::DuplicateId);
                        r.detail.split(" the ").next().unwrap().to_string()
                    }
                    Verdict::Repeated(p) => format!("stop at {}", p.line),
                }
            })
            .collect()
    }

    #[test]
    fn each_rule_keeps_one_record_per_id() {
        let ids = ["a", "b", "a", "c", "a"];
        assert_eq!(
            verdicts(DuplicateIds::Last, &ids),
            [
                "id \"a\" is also at a.jsonl:5,",
                "keep",
                "id \"a\" is also at a.jsonl:5,",
                "keep",
                "keep"
            ]
        );
        assert_eq!(
            verdicts(DuplicateIds::First, &ids),
            [
                "keep",
                "keep",
                "id \"a\" is also at a.jsonl:1,",
                "keep",
                "id \"a\" is also at a.jsonl:1,"
            ]
        );
        assert_eq!(
            verdicts(DuplicateIds::Error, &ids)[2],
            "stop at 1",
            "the first repeat stops the run"
        );
        assert_eq!("first".parse(), Ok(DuplicateIds::First));
        assert!("newest".parse::<DuplicateIds>().is_err());
    }
}
