//! The budget of one query run: memory for the values it builds, and a way to stop it (a time
//! limit, or the user's Cancel). Queries come from users, case files and share links, so a few
//! bytes of query must not be able to exhaust memory (`fieldsAdd s = concat(s, s)` twenty
//! times) or run for ever.
//!
//! How it holds without threading a `Result` through every function: the run's state is a
//! thread-local. Functions that build strings, arrays or records ask [`charge`] before they do;
//! row loops call [`tick`]. Once the budget is spent or the run is interrupted, `charge` and
//! `tick` say no, so every remaining step is cheap (values become null, loops stop), and the
//! executor stops after the command it is in and returns an error instead of a partial result.
//! Outside a query run (constant folding, tests of single functions) everything is allowed.

use std::cell::RefCell;
use std::sync::Arc;

/// A callback asked now and then during a run: true stops it (the worker's Cancel flag, a
/// deadline).
pub type Interrupt = Arc<dyn Fn() -> bool + Send + Sync>;

/// What one query may use.
#[derive(Clone)]
pub struct Limits {
    /// Bytes of values (strings, arrays, records, rebuilt event text) the run may build.
    pub memory_bytes: u64,
    /// Asked every [`TICKS_PER_CHECK`] rows; true stops the run.
    pub interrupt: Option<Interrupt>,
}

/// The default memory budget of a run.
pub const DEFAULT_MEMORY: u64 = 2 << 30;
/// Rows between two calls of the interrupt callback.
pub const TICKS_PER_CHECK: u32 = 1 << 14;

impl Default for Limits {
    fn default() -> Self {
        Limits {
            memory_bytes: DEFAULT_MEMORY,
            interrupt: None,
        }
    }
}

impl std::fmt::Debug for Limits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Limits")
            .field("memory_bytes", &self.memory_bytes)
            .field("interrupt", &self.interrupt.is_some())
            .finish()
    }
}

/// Why a run stopped early.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    /// The values it builds need more than the memory budget.
    Memory { limit: u64 },
    /// The interrupt callback said stop (Cancel, or a time limit).
    Interrupted,
}

struct Run {
    left: i64,
    limit: u64,
    interrupt: Option<Interrupt>,
    ticks: u32,
    stop: Option<Stop>,
}

thread_local! {
    static RUN: RefCell<Option<Run>> = const { RefCell::new(None) };
}

/// Ends the run when dropped (also when the run unwinds).
pub struct Guard(());

impl Drop for Guard {
    fn drop(&mut self) {
        RUN.with(|r| *r.borrow_mut() = None);
    }
}

/// Starts a run with these limits on this thread.
pub fn start(limits: &Limits) -> Guard {
    RUN.with(|r| {
        *r.borrow_mut() = Some(Run {
            left: i64::try_from(limits.memory_bytes).unwrap_or(i64::MAX),
            limit: limits.memory_bytes,
            interrupt: limits.interrupt.clone(),
            ticks: 0,
            stop: None,
        })
    });
    Guard(())
}

/// Asks for `bytes` more of the memory budget; false (and the run stops) when they are not
/// there. Always true outside a run.
pub fn charge(bytes: usize) -> bool {
    RUN.with(|r| match &mut *r.borrow_mut() {
        None => true,
        Some(run) if run.stop.is_some() => false,
        Some(run) => {
            run.left -= bytes as i64;
            if run.left < 0 {
                run.stop = Some(Stop::Memory { limit: run.limit });
                false
            } else {
                true
            }
        }
    })
}

/// One more row of work; false once the run is stopped. Every [`TICKS_PER_CHECK`] rows the
/// interrupt callback is asked.
pub fn tick() -> bool {
    RUN.with(|r| match &mut *r.borrow_mut() {
        None => true,
        Some(run) if run.stop.is_some() => false,
        Some(run) => {
            run.ticks += 1;
            if run.ticks >= TICKS_PER_CHECK {
                run.ticks = 0;
                if run.interrupt.as_ref().is_some_and(|f| f()) {
                    run.stop = Some(Stop::Interrupted);
                    return false;
                }
            }
            true
        }
    })
}

/// Why the run stopped, if it did.
pub fn stopped() -> Option<Stop> {
    RUN.with(|r| r.borrow().as_ref().and_then(|run| run.stop))
}

/// Asks the interrupt callback now (between commands).
pub fn check_interrupt() -> Option<Stop> {
    RUN.with(|r| {
        let mut r = r.borrow_mut();
        let run = r.as_mut()?;
        if run.stop.is_none() && run.interrupt.as_ref().is_some_and(|f| f()) {
            run.stop = Some(Stop::Interrupted);
        }
        run.stop
    })
}

/// The heap a value holds, roughly: what [`charge`] counts for a value built from others.
pub fn size_of(v: &crate::value::Value) -> usize {
    use crate::value::Value;
    match v {
        Value::Str(s) => s.len() + 16,
        Value::Array(xs) => 16 + xs.iter().map(size_of).sum::<usize>(),
        Value::Record(r) => {
            16 + r
                .fields
                .iter()
                .map(|(k, v)| k.len() + 16 + size_of(v))
                .sum::<usize>()
        }
        _ => 16,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_stops_when_its_memory_is_spent_and_outside_a_run_all_is_allowed() {
        assert!(charge(usize::MAX / 2));
        {
            let _g = start(&Limits {
                memory_bytes: 100,
                interrupt: None,
            });
            assert!(charge(60));
            assert!(!charge(60));
            assert_eq!(stopped(), Some(Stop::Memory { limit: 100 }));
            assert!(!tick());
        }
        assert_eq!(stopped(), None);
        assert!(charge(1 << 40) && tick());
    }

    #[test]
    fn the_interrupt_is_asked_every_so_many_rows() {
        let calls = Arc::new(std::sync::atomic::AtomicU32::new(0));
        let seen = calls.clone();
        let _g = start(&Limits {
            memory_bytes: 1 << 20,
            interrupt: Some(Arc::new(move || {
                seen.fetch_add(1, std::sync::atomic::Ordering::Relaxed) >= 2
            })),
        });
        let mut rows = 0u64;
        while tick() {
            rows += 1;
        }
        assert_eq!(rows, 3 * u64::from(TICKS_PER_CHECK) - 1);
        assert_eq!(stopped(), Some(Stop::Interrupted));
    }
}
