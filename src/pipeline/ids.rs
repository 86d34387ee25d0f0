//! Record ids within a run: which of several records with one id is kept.
//!
//! An id names one record: two lines with the same id are one record given twice (a dump
//! exported twice, a row corrected later), and indexing both would count it twice in
//! every figure. [`DuplicateIds`] says which one stays; the others are `duplicate_id`
//! rejects that name the one kept. The same registry tells `--append` which records of
//! the previous generation the run replaces.
//!
//! The inputs are read twice: once for the ids ([`IdRegistry::note`]), once to analyse
//! ([`IdRegistry::admit`]). The first pass keeps a 128-bit hash of each record's id and
//! its position, 24 bytes a record, in one vector; [`IdRegistry::seal`] sorts it, keeps
//! only the ids several records share (with the position of the one kept) and frees
//! the rest, so that while the records are analysed the check costs nothing per
//! distinct id: memory stays flat however large the dump (24 MB for a million records
//! during the id pass, before the analysis allocates anything). With `--append` the
//! sorted hashes stay (24 bytes a distinct id) to tell which previous records the run
//! replaces.
//!
//! A fed run ([`Pipeline::feed`](super::Pipeline::feed): records pushed as they come)
//! has no id pass: it is never sealed, and remembers each id it keeps (16 bytes and a
//! position a distinct id), so only `first` and `error` can be decided.

use std::collections::HashMap;
use std::str::FromStr;

use serde::Serialize;

use crate::ingest::{Reject, RejectReason};
use crate::record::Record;

/// What to do with records whose id an earlier record of the run already has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DuplicateIds {
    /// The last record with an id wins, as a later correction would.
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

/// Bits of a packed position that hold the line; the input's index takes the rest.
const LINE_BITS: u32 = 40;

impl Position {
    /// The position as one number that sorts in reading order; None past 2^40 lines or
    /// 2^24 inputs.
    fn pack(self) -> Option<u64> {
        (self.line < 1 << LINE_BITS && self.input < 1 << (64 - LINE_BITS))
            .then(|| (u64::from(self.input) << LINE_BITS) | self.line)
    }

    fn unpack(packed: u64) -> Position {
        Position {
            input: (packed >> LINE_BITS) as u32,
            line: packed & ((1 << LINE_BITS) - 1),
        }
    }
}

/// What becomes of a record, by its id.
pub(super) enum Verdict {
    Keep,
    /// Another record with this id is kept instead.
    SetAside(Reject),
    /// `--duplicate-ids error`, and the id was seen before at this position.
    Repeated(Position),
}

/// One record of the id pass: its id's hash and packed position (24 bytes, no padding).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Seen {
    hash: [u64; 2],
    at: u64,
}

/// The ids of a run's records and, for ids several records share, the position of the
/// one kept.
pub(super) struct IdRegistry {
    rule: DuplicateIds,
    /// The id pass's records; after [`IdRegistry::seal`], with `--append`, one per
    /// distinct id, sorted (otherwise empty).
    seen: Vec<Seen>,
    /// Ids several records share → the position of the one kept; unsealed (a fed run),
    /// every id kept so far → its position.
    repeated: HashMap<[u64; 2], Position>,
    /// Whether the id pass ended ([`IdRegistry::seal`]).
    sealed: bool,
}

impl IdRegistry {
    pub(super) fn new(rule: DuplicateIds) -> Self {
        IdRegistry {
            rule,
            seen: Vec::new(),
            repeated: HashMap::new(),
            sealed: false,
        }
    }

    /// The id pass: a record's id, in input order. Errs (with what overflowed) for a
    /// position past 2^40 lines or 2^24 inputs.
    pub(super) fn note(&mut self, id: &str, position: Position) -> Result<(), String> {
        let at = position.pack().ok_or_else(|| {
            format!(
                "line {} of input {} is past what the duplicate-id check counts \
                 (2^40 lines, 2^24 inputs)",
                position.line,
                position.input + 1
            )
        })?;
        self.seen.push(Seen { hash: hash(id), at });
        Ok(())
    }

    /// Ends the id pass: finds the ids several records share and the one kept of each;
    /// keeps the distinct ids' hashes only when `keep_ids` (for [`IdRegistry::contains`]).
    pub(super) fn seal(&mut self, keep_ids: bool) {
        self.sealed = true;
        let mut seen = std::mem::take(&mut self.seen);
        seen.sort_unstable();
        for run in seen.chunk_by(|a, b| a.hash == b.hash) {
            if let [first, .., last] = run {
                let kept = match self.rule {
                    DuplicateIds::Last => last,
                    DuplicateIds::First | DuplicateIds::Error => first,
                };
                self.repeated.insert(first.hash, Position::unpack(kept.at));
            }
        }
        if keep_ids {
            seen.dedup_by_key(|s| s.hash);
            seen.shrink_to_fit();
            self.seen = seen;
        }
    }

    /// The analysis pass: decides on a record of the run at `position`; `name_of` gives
    /// an input's name.
    pub(super) fn admit(
        &mut self,
        record: &Record,
        position: Position,
        name_of: impl Fn(u32) -> String,
    ) -> Verdict {
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
        let key = hash(&record.id);
        if !self.sealed {
            // No id pass (a fed run, `first` or `error`): the first record of an id stays.
            return match self.repeated.get(&key).copied() {
                None => {
                    self.repeated.insert(key, position);
                    Verdict::Keep
                }
                Some(kept) if self.rule == DuplicateIds::Error => Verdict::Repeated(kept),
                Some(kept) => set_aside(kept, "first"),
            };
        }
        // An id the first pass did not see repeated is kept (also when the input
        // changed in between).
        match (self.rule, self.repeated.get(&key).copied()) {
            (_, None) => Verdict::Keep,
            (_, Some(kept)) if kept == position => Verdict::Keep,
            (DuplicateIds::Last, Some(kept)) => set_aside(kept, "last"),
            (DuplicateIds::First, Some(kept)) => set_aside(kept, "first"),
            (DuplicateIds::Error, Some(kept)) => Verdict::Repeated(kept),
        }
    }

    /// Whether a record of the run has this id (a record of the previous generation with
    /// it is replaced); needs [`IdRegistry::seal`] with `keep_ids`.
    pub(super) fn contains(&self, id: &str) -> bool {
        let key = hash(id);
        self.seen.binary_search_by_key(&key, |s| s.hash).is_ok()
    }
}

fn hash(id: &str) -> [u64; 2] {
    let digest = blake3::hash(id.as_bytes());
    let half =
        |i: usize| u64::from_le_bytes(digest.as_bytes()[i..i + 8].try_into().expect("8 bytes"));
    [half(0), half(8)]
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
        for (i, id) in ids.iter().enumerate() {
            registry.note(id, at(i)).unwrap();
        }
        registry.seal(false);
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
    fn a_fed_run_keeps_the_first_record_of_an_id_without_an_id_pass() {
        let mut registry = IdRegistry::new(DuplicateIds::First);
        let at = |line| Position { input: 0, line };
        let name = |_| "partition".to_string();
        assert!(matches!(
            registry.admit(&record("注文-1", 1), at(1), name),
            Verdict::Keep
        ));
        assert!(matches!(
            registry.admit(&record("order-2", 2), at(2), name),
            Verdict::Keep
        ));
        match registry.admit(&record("注文-1", 3), at(3), name) {
            Verdict::SetAside(reject) => assert!(
                reject.detail.contains("partition:1, the first record"),
                "{}",
                reject.detail
            ),
            _ => panic!("a repeated id must be set aside"),
        }
        let mut strict = IdRegistry::new(DuplicateIds::Error);
        strict.admit(&record("a", 1), at(1), name);
        assert!(matches!(
            strict.admit(&record("a", 2), at(2), name),
            Verdict::Repeated(Position { line: 1, .. })
        ));
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

    #[test]
    fn the_sealed_registry_keeps_only_repeated_ids_and_with_append_every_id() {
        let mut registry = IdRegistry::new(DuplicateIds::Last);
        for (line, id) in ["配送-1", "b", "配送-1", "c"].iter().enumerate() {
            let at = Position {
                input: 1,
                line: line as u64 + 1,
            };
            registry.note(id, at).unwrap();
        }
        registry.seal(true);
        assert_eq!(registry.repeated.len(), 1, "only the id two records share");
        assert_eq!(
            registry.repeated[&hash("配送-1")],
            Position { input: 1, line: 3 }
        );
        assert!(registry.contains("配送-1") && registry.contains("c"));
        assert!(!registry.contains("d"));
        let mut without = IdRegistry::new(DuplicateIds::First);
        without.note("a", Position { input: 0, line: 1 }).unwrap();
        without.seal(false);
        assert!(without.seen.is_empty() && without.repeated.is_empty());
    }

    #[test]
    fn positions_pack_in_reading_order_or_are_refused() {
        let p = |input, line| Position { input, line };
        for at in [p(0, 1), p(3, (1 << 40) - 1), p((1 << 24) - 1, 7)] {
            assert_eq!(Position::unpack(at.pack().unwrap()), at);
        }
        assert!(p(0, 1 << 40).pack().is_none());
        assert!(p(1 << 24, 1).pack().is_none());
        assert!(p(0, 99).pack() < p(1, 1).pack());
        let mut registry = IdRegistry::new(DuplicateIds::Last);
        let err = registry.note("a", p(0, 1 << 40)).unwrap_err();
        assert!(err.contains("2^40 lines"), "{err}");
    }
}
