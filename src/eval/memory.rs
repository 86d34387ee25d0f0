//! Peak memory, as Linux reports it: the resident-set high-water mark (`VmHWM` in
//! `/proc/self/status`).
//!
//! The mark belongs to the whole process, not to a model: it includes the analysed data
//! set and whatever the allocator kept from earlier work. Before each model `koe eval`
//! asks the kernel to reset it (`5` written to `/proc/self/clear_refs`, Linux ≥ 4.0), so
//! the mark read afterwards is the peak while that model loaded and scored; where the
//! reset is refused the figure is the run's peak so far and only ever grows. Elsewhere
//! than Linux there is no figure.

use serde::Serialize;

/// The process's resident-set high-water mark, in KiB.
pub fn peak_rss_kib() -> Option<u64> {
    status_field("VmHWM:")
}

/// The process's resident set now, in KiB.
pub fn rss_kib() -> Option<u64> {
    status_field("VmRSS:")
}

/// Resets the high-water mark to the current resident set; `false` if refused.
pub fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

fn status_field(name: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(name))?;
    line[name.len()..]
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

/// Memory around one model's load and scoring.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PeakMemory {
    /// Resident set before the model loaded.
    pub rss_before_kib: Option<u64>,
    /// High-water mark after it scored.
    pub peak_kib: Option<u64>,
    /// Whether the mark was reset before this model (else it is the run's peak so far).
    pub reset: bool,
}

/// Watches memory from [`MemoryProbe::start`] to [`MemoryProbe::finish`].
#[derive(Debug)]
pub struct MemoryProbe {
    reset: bool,
    rss_before_kib: Option<u64>,
}

impl MemoryProbe {
    /// Resets the mark (where allowed) and notes the resident set: call before loading.
    pub fn start() -> Self {
        let reset = reset_peak();
        MemoryProbe {
            reset,
            rss_before_kib: rss_kib(),
        }
    }

    pub fn finish(self) -> PeakMemory {
        PeakMemory {
            rss_before_kib: self.rss_before_kib,
            peak_kib: peak_rss_kib(),
            reset: self.reset,
        }
    }
}
