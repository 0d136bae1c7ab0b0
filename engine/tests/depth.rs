//! Depth is a budget of the whole pipeline: the parser refuses expressions deeper than
//! `syntax::parse::MAX_DEPTH` (a clear E206), and every expression it accepts — of any shape, in
//! any command — parses, plans, runs and is named within the stack a wasm engine has (1 MiB, the
//! wasm32 default). Optimised builds (`cargo test --release`, and the wasm build, which is
//! always optimised) are checked on a 1 MiB thread; unoptimised test builds keep every local in
//! its own stack slot (about 8 KB a level instead of under 1 KB), so they get 4 MiB: still far
//! below what the 10,000-level queries below would need without the budget. The browser test
//! `tests/e2e/hostile.test.mjs` runs the same limits in the real wasm engine.

use std::sync::Arc;

use trailscope_engine::syntax::parse::MAX_DEPTH;
use trailscope_engine::{explain_query, run_query, LoadOptions, QueryOptions, Store};

const WASM_STACK: usize = if cfg!(debug_assertions) {
    4 << 20
} else {
    1 << 20
};

fn store() -> Arc<Store> {
    let events = r#"{"Records":[{"eventVersion":"1.08","eventTime":"2026-11-20T11:45:00Z","eventSource":"kms.amazonaws.com","eventName":"CreateKey","awsRegion":"us-east-1","eventID":"e1","recipientAccountId":"111122223333"}]}"#;
    let (store, _) =
        trailscope_engine::load_bytes("e.json", events.as_bytes(), LoadOptions::default());
    store
}

/// Runs the query (and its EXPLAIN) on a thread with a wasm-sized stack; the codes it raised.
fn run_small_stack(query: String) -> Result<Vec<String>, String> {
    std::thread::Builder::new()
        .stack_size(WASM_STACK)
        .spawn(move || {
            let store = store();
            let opts = QueryOptions::default();
            let _ = explain_query(&store, &query, &opts);
            match run_query(&store, &query, &opts) {
                Ok(out) => {
                    // Reading every cell renders values (records nest as deep as the query).
                    for r in 0..out.table.num_rows() {
                        let _ = out.table.row_json(r);
                    }
                    out.warnings.iter().map(|d| d.code.to_string()).collect()
                }
                Err(d) => d.iter().map(|d| d.code.to_string()).collect(),
            }
        })
        .map_err(|e| e.to_string())?
        .join()
        .map_err(|_| "the query overflowed or panicked".to_string())
}

/// `n` levels of each shape of expression, in the command that walks it.
fn shapes(n: usize) -> Vec<(&'static str, String)> {
    let chain = |sep: &str, term: &str, k: usize| vec![term; k].join(sep);
    vec![
        (
            "arithmetic chain",
            format!("data record() | fields x = {}", chain(" + ", "1", n)),
        ),
        (
            "not chain",
            format!("data record() | fields x = {}true", "not ".repeat(n - 1)),
        ),
        (
            "parentheses",
            format!(
                "data record() | fields x = {}1{}",
                "(".repeat(n - 1),
                ")".repeat(n - 1)
            ),
        ),
        (
            "nested calls",
            format!(
                "data record(s = \"A\") | fields x = {}s{}",
                "lower(".repeat(n - 1),
                ")".repeat(n - 1)
            ),
        ),
        (
            "nested records",
            format!(
                "data record() | fields x = {}1{}",
                "record(a = ".repeat(n - 1),
                ")".repeat(n - 1)
            ),
        ),
        (
            "member chain",
            format!(
                "fetch logs | parse content, \"JSON:e\" | fields x = e{}",
                "[a]".repeat(n - 1)
            ),
        ),
        (
            "or chain in filter",
            format!(
                "fetch logs | filter {}",
                chain(" or ", "aws.region == \"x\"", n - 1)
            ),
        ),
        (
            "and chain in filter",
            format!(
                "fetch logs | filter {}",
                chain(" and ", "isNotNull(aws.region)", n - 1)
            ),
        ),
        (
            "and chain in filterOut",
            format!(
                "fetch logs | filterOut {}",
                chain(" and ", "aws.region == \"x\"", n - 1)
            ),
        ),
        (
            "aggregations in summarize",
            format!("fetch logs | summarize x = {}", chain(" + ", "count()", n)),
        ),
        (
            "condition of countIf in makeTimeseries",
            format!(
                "fetch logs | makeTimeseries countIf({})",
                chain(" or ", "aws.region == \"x\"", n - 2)
            ),
        ),
        (
            "sort key",
            format!("fetch logs | sort {}", chain(" + ", "1", n)),
        ),
        (
            "alignment chain",
            format!("data record() | fields x = now(){}", "@h".repeat(n - 1)),
        ),
    ]
}

#[test]
fn every_shape_at_the_limit_runs_on_a_wasm_stack() {
    for (what, query) in shapes(MAX_DEPTH) {
        let codes = run_small_stack(query).unwrap_or_else(|e| panic!("{what}: {e}"));
        assert!(
            !codes.iter().any(|c| c.starts_with('E')),
            "{what} at depth {MAX_DEPTH} must run: {codes:?}"
        );
    }
}

#[test]
fn one_level_more_is_a_clear_error() {
    for (what, query) in shapes(MAX_DEPTH + 1) {
        let codes = run_small_stack(query).unwrap_or_else(|e| panic!("{what}: {e}"));
        assert!(codes.contains(&"E206".to_string()), "{what}: {codes:?}");
    }
}

#[test]
fn huge_chains_are_refused_not_overflowed() {
    for query in [
        format!("data record() | fields x = {}", vec!["1"; 10_000].join("+")),
        format!("fetch logs | filter {}", vec!["a == 1"; 5_000].join(" or ")),
        format!("data record() | fields x = {}1", "-".repeat(20_000)),
        format!("data record() | fields x = {}1", "not ".repeat(20_000)),
        format!("data record() | fields x = {}", "(".repeat(50_000)),
        format!("data record() | fields x = a{}", "[0]".repeat(20_000)),
    ] {
        let codes = run_small_stack(query).expect("no overflow");
        assert!(codes.contains(&"E206".to_string()), "{codes:?}");
    }
}
