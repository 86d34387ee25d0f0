//! The reject log: every set-aside line, as JSON Lines, and counts by reason.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use super::{Reject, RejectReason};

/// Writes rejects to a JSONL file as they come and counts them by reason.
pub struct RejectLog {
    out: BufWriter<File>,
    counts: BTreeMap<RejectReason, u64>,
}

impl RejectLog {
    pub fn create(path: &Path) -> io::Result<Self> {
        Ok(RejectLog {
            out: BufWriter::new(File::create(path)?),
            counts: BTreeMap::new(),
        })
    }

    pub fn write(&mut self, reject: &Reject) -> io::Result<()> {
        *self.counts.entry(reject.reason).or_default() += 1;
        serde_json::to_writer(&mut self.out, reject)?;
        self.out.write_all(b"\n")
    }

    pub fn total(&self) -> u64 {
        self.counts.values().sum()
    }

    /// Counts by reason, in a fixed order.
    pub fn counts(&self) -> &BTreeMap<RejectReason, u64> {
        &self.counts
    }

    pub fn finish(mut self) -> io::Result<BTreeMap<RejectReason, u64>> {
        self.out.flush()?;
        Ok(self.counts)
    }
}
