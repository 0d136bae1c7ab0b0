//! Property tests (STYLE.md, Tests), one module per subject:
//!
//! * [`syntax`]: lexer spans stay in bounds and increase; parser spans nest; generated valid
//!   pipelines parse cleanly; canonical text re-parses to itself and keeps the tree.
//! * [`tables`]: executor laws (`filter true`, `sort`, `limit`, `summarize count()`,
//!   `filter`/`filterOut`, `dedup`) on random tables, from `data` and from loaded events.
//! * [`correlation`]: `join`, `lookup`, `joinNested`, `append`, `in [ … ]`, `expand`, iterative
//!   expressions and `fieldsSummary` against nested-loop references; search terms against brute
//!   force.
//! * [`reference`]: the engine agrees with a naive row-by-row evaluator written from the DQL
//!   reference (§2: three-valued logic, `==` and null, numeric comparison, arithmetic).
//! * [`dpl`]: DPL matching stays within its step budget on random patterns and texts; the
//!   entry points (parse, whole match, search) agree.
//! * [`time_and_ip`]: address text round trips, month arithmetic, zone offsets both ways, odd
//!   date-time patterns and zone names.
//!
//! Engine bugs the properties found are kept as ignored minimal tests at the end of each module;
//! the generators leave those inputs out (each exclusion names its test) until they pass.
//!
//! Case counts are small so the file runs in seconds. For a longer hunt:
//! `PROPTEST_CASES=5000 cargo test -p trailscope-engine --test properties -- --include-ignored`.
//! A failing case is saved under `engine/tests/proptest-regressions/` and replayed first next
//! time; commit that file with the fix.

mod correlation;
mod dpl;
mod reference;
mod syntax;
mod tables;
mod time_and_ip;

use proptest::prelude::*;

/// `n` cases, unless `PROPTEST_CASES` asks for another number.
pub(crate) fn cases(n: u32) -> ProptestConfig {
    let n = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(n);
    ProptestConfig {
        cases: n,
        ..ProptestConfig::default()
    }
}

/// A DQL string literal: only `"` and `\` need escaping.
pub(crate) fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// 2^63: `-9223372036854775808.0` as a double, one past the largest long.
pub(crate) const TWO_POW_63: f64 = 9_223_372_036_854_775_808.0;
