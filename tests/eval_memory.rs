//! The peak-memory probe of `koe eval`, alone in its own test process: VmHWM is
//! process-wide, so tests allocating on other threads would blur what it measures.

use koe::eval::memory::MemoryProbe;

#[test]
fn reads_and_resets_the_mark_on_linux() {
    if !cfg!(target_os = "linux") {
        return;
    }
    let probe = MemoryProbe::start();
    let block = vec![1u8; 64 << 20];
    std::hint::black_box(&block);
    drop(block);
    let memory = probe.finish();
    let (Some(before), Some(peak)) = (memory.rss_before_kib, memory.peak_kib) else {
        panic!("no VmRSS/VmHWM in /proc/self/status");
    };
    assert!(peak >= before);
    if memory.reset {
        assert!(peak >= before + 60 * 1024, "{before} → {peak}");
    }
}
