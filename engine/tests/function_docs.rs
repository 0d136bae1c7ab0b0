//! The function declarations are the reference: every documented example runs and gives its
//! documented result, and `docs/functions.md` is exactly what the declarations generate
//! (`BLESS=1` rewrites it; CI fails when it is stale).

mod support;

use std::sync::Arc;

use trailscope_engine::functions::{self, docs, Example};
use trailscope_engine::{render_diagnostics, run_query, LoadOptions, Loader, QueryOptions, Store};

fn empty_store() -> Arc<Store> {
    Loader::new(LoadOptions::default()).finish().0
}

/// The example's output: a value's JSON for an expression, rows as JSON lines for a query.
fn run(store: &Arc<Store>, ex: &Example) -> Result<String, String> {
    let query = if ex.is_query() {
        ex.query.to_string()
    } else {
        format!("data record()\n| fields result = {}", ex.query)
    };
    let opts = QueryOptions {
        now_ns: Some(1_763_640_000_000_000_000),
        ..QueryOptions::default()
    };
    let out = run_query(store, &query, &opts).map_err(|d| render_diagnostics(&query, &d))?;
    if !out.warnings.is_empty() {
        return Err(render_diagnostics(&query, &out.warnings));
    }
    let t = &out.table;
    if ex.is_query() {
        Ok((0..t.num_rows())
            .map(|r| t.row_json(r))
            .collect::<Vec<_>>()
            .join("\n"))
    } else {
        let mut s = String::new();
        t.cell(0, 0).write_json(&mut s);
        Ok(s)
    }
}

#[test]
fn every_documented_example_gives_its_result() {
    let store = empty_store();
    let mut failures = Vec::new();
    let mut count = 0;
    for f in functions::all() {
        for ex in f.examples {
            count += 1;
            match run(&store, ex) {
                Ok(got) if got == ex.result => {}
                Ok(got) => failures.push(format!(
                    "{}: `{}`\n  documented: {}\n  actual:     {got}",
                    f.name, ex.query, ex.result
                )),
                Err(e) => failures.push(format!("{}: `{}` fails:\n{e}", f.name, ex.query)),
            }
        }
    }
    println!("{count} examples run");
    assert!(
        failures.is_empty(),
        "{} examples differ:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn the_reference_is_generated_from_the_declarations() {
    support::check_generated(
        "docs/functions.md",
        &docs::reference(),
        "BLESS=1 cargo test -p trailscope-engine --test function_docs",
    );
}
