//! Arbitrary query text → `run_query` over a small fixed store (a seed NDJSON export plus a few
//! events with unusual values). A query may fail, but only with diagnostics: never a panic
//! (libFuzzer aborts on any panic, even one `run_query` would catch), never an internal error
//! (E9xx), and every diagnostic points into the query. Results are rendered every way the CLI
//! and the app show them.

#![no_main]

use std::sync::{Arc, OnceLock};

use libfuzzer_sys::fuzz_target;

#[path = "common/budget.rs"]
mod budget;
use trailscope_engine::{render_diagnostics, run_query, LoadOptions, Loader, QueryOptions, Store};

const SEED: &[u8] = include_bytes!(
    "../../tests/fixtures/seed/AWSLogs/444455556666/CloudTrail/eu-west-1/2026/11/20/444455556666_CloudTrail_eu-west-1_20261120T1145Z_4WlFi1aWHg7kYPjA.ndjson"
);

/// Values the seed lacks: numbers of both kinds, arrays, nulls, empty and non-ASCII strings,
/// a missing eventID, a timestamp with a fraction and an offset.
const ODD: &str = r#"{"Records":[
 {"eventTime":"2026-11-20T11:00:00.123456789+01:00","eventName":"Odd","eventSource":"x.amazonaws.com","awsRegion":"eu-west-1","n":-9223372036854775808,"d":1e308,"a":[1,"x",null,[2.5],{"k":true}],"s":"","u":"é😀\u0000","r":{"":{"a":[]}}},
 {"eventTime":"2026-11-20T11:30:00Z","eventID":"odd-2","eventName":"Odd","n":9223372036854775807,"d":-0.0,"a":[],"s":"Odd","userIdentity":{"accountId":"123"}}
]}"#;

fn store() -> &'static Arc<Store> {
    static STORE: OnceLock<Arc<Store>> = OnceLock::new();
    STORE.get_or_init(|| {
        let mut l = Loader::new(LoadOptions::default());
        l.add_bytes("seed.ndjson", SEED);
        l.add_bytes("odd.json", ODD.as_bytes());
        l.finish().0
    })
}

fn check(data: &[u8]) {
    let Ok(query) = std::str::from_utf8(data) else {
        return;
    };
    // "Now": 2026-11-20T12:00:00Z, just after the data, so relative time frames select something.
    // A small memory budget: no fuzzed query may build more (it is stopped with E401).
    let opts = QueryOptions {
        now_ns: Some(1_795_176_000_000_000_000),
        limits: trailscope_engine::exec::budget::Limits {
            memory_bytes: 256 << 20,
            interrupt: None,
        },
        ..QueryOptions::default()
    };
    match run_query(store(), query, &opts) {
        Ok(out) => {
            let t = &out.table;
            for r in 0..t.num_rows().min(200) {
                let _ = t.row_json(r);
                for c in 0..t.num_columns() {
                    let _ = t.cell_text(c, r);
                }
            }
            if t.num_rows() <= 200 {
                let _ = t.to_text(40);
                let mut csv = Vec::new();
                t.write_csv(0..t.num_rows(), &mut csv)
                    .expect("CSV into memory");
            }
            check_diagnostics(query, &out.warnings);
        }
        Err(diags) => {
            assert!(!diags.is_empty(), "a failed query must say why");
            check_diagnostics(query, &diags);
        }
    }
}

fuzz_target!(|data: &[u8]| budget::within_budget(data, || check(data)));

fn check_diagnostics(query: &str, diags: &[trailscope_engine::Diagnostic]) {
    for d in diags {
        assert!(
            !d.code.as_str().starts_with("E9"),
            "internal error for {query:?}: {d:?}"
        );
        assert!(
            d.span.start <= d.span.end && d.span.end as usize <= query.len(),
            "diagnostic span out of the query: {d:?}"
        );
    }
    let _ = render_diagnostics(query, diags);
}
