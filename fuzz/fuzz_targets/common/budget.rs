//! The budgets the fuzz targets hold every input to: no input of at most 64 KB may make the
//! work take more than 10 seconds or 1 GB of memory (the bar for a few-KB hostile
//! file, query or link). Measured here, in the harness, with a counting allocator: not as a
//! timed unit test, which a busy machine would make flaky. Run with
//! `-timeout=30 -rss_limit_mb=2048` so libFuzzer's own limits sit above these.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Inputs this long or shorter are held to the budgets.
pub const SMALL_INPUT: usize = 64 << 10;
pub const MAX_TIME: Duration = Duration::from_secs(10);
pub const MAX_BYTES: usize = 1 << 30;

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to the system allocator unchanged; only counts the bytes.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = CURRENT.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            if new_size >= layout.size() {
                let grow = new_size - layout.size();
                let now = CURRENT.fetch_add(grow, Ordering::Relaxed) + grow;
                PEAK.fetch_max(now, Ordering::Relaxed);
            } else {
                CURRENT.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Runs `work` on `input`; for a small input, panics (a finding) when it took longer than
/// [`MAX_TIME`] or made the heap grow by more than [`MAX_BYTES`].
pub fn within_budget<T>(input: &[u8], work: impl FnOnce() -> T) -> T {
    let base = CURRENT.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let started = Instant::now();
    let out = work();
    let took = started.elapsed();
    let grew = PEAK.load(Ordering::Relaxed).saturating_sub(base);
    if input.len() <= SMALL_INPUT {
        assert!(
            took <= MAX_TIME,
            "a {}-byte input took {took:?} (budget {MAX_TIME:?})",
            input.len()
        );
        assert!(
            grew <= MAX_BYTES,
            "a {}-byte input used {} MB (budget {} MB)",
            input.len(),
            grew >> 20,
            MAX_BYTES >> 20
        );
    }
    out
}
