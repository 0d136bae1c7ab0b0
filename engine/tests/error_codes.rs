//! The diagnostic code table (`engine/src/diag/codes.rs`) is the reference: every code's
//! example raises that code, internal codes have none, and `docs/errors.md` is exactly what the
//! table generates (`BLESS=1` rewrites it; CI fails when it is stale). Diagnostics can only
//! carry codes of the table: `Code` is generated from it.

mod support;

use std::path::Path;
use std::sync::Arc;

use trailscope_engine::diag::codes::{self, Code, CODES};
use trailscope_engine::exec::budget::Limits;
use trailscope_engine::sql::{self, Dialect, SqlOptions};
use trailscope_engine::{run_query, LoadOptions, Loader, QueryOptions, Store};

/// The seed export, so that warnings about event members have events to compare with.
fn store() -> Arc<Store> {
    let mut l = Loader::new(LoadOptions::default());
    let seed = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/seed/AWSLogs");
    l.add_path(&seed).expect("the seed fixture loads");
    l.finish().0
}

/// Every code a query raises, errors and warnings: with a small memory budget, and for E402
/// with Cancel pressed from the start.
fn raised(store: &Arc<Store>, query: &str, code: Code) -> Vec<Code> {
    let opts = QueryOptions {
        limits: Limits {
            memory_bytes: 64 << 20,
            interrupt: (code == Code::E402).then(|| {
                let cancel: trailscope_engine::exec::budget::Interrupt = Arc::new(|| true);
                cancel
            }),
        },
        ..QueryOptions::default()
    };
    match run_query(store, query, &opts) {
        Ok(out) => out.warnings.iter().map(|d| d.code).collect(),
        Err(d) => d.iter().map(|d| d.code).collect(),
    }
}

#[test]
fn every_example_raises_its_code() {
    let store = store();
    let mut failures = Vec::new();
    for info in CODES {
        let example = info.example_text();
        if example.is_empty() {
            assert!(
                info.code.as_str().starts_with("E9"),
                "{}: only internal codes (E9xx) may lack an example",
                info.code
            );
            continue;
        }
        // E5xx are the SQL writer's: its example is refused in every dialect.
        if info.code.as_str().starts_with("E5") {
            for d in Dialect::ALL {
                let codes: Vec<Code> = match sql::translate(&example, d, &SqlOptions::default()) {
                    Ok(_) => Vec::new(),
                    Err(diags) => diags.iter().map(|x| x.code).collect(),
                };
                if !codes.contains(&info.code) {
                    failures.push(format!(
                        "{}: `{}` in {d} raises {codes:?}",
                        info.code, info.example
                    ));
                }
            }
            continue;
        }
        let codes = raised(&store, &example, info.code);
        if !codes.contains(&info.code) {
            failures.push(format!(
                "{}: `{}` raises {codes:?}",
                info.code, info.example
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_reference_is_generated_from_the_table() {
    support::check_generated(
        "docs/errors.md",
        &codes::reference(),
        "BLESS=1 cargo test -p trailscope-engine --test error_codes",
    );
}
