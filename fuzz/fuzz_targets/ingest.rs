//! Arbitrary bytes → `load_bytes`. Loading never panics, and the report agrees with the store:
//! the event count is the row count, a time span exists exactly when events do, and an
//! uncompressed file of n bytes cannot hold more than n / 10 events (the smallest event,
//! `{"eventTime":"…"}`, is far longer). Every loaded event's text must read back as one event.
//! Streaming: the same bytes pushed in small chunks (size from the first byte) give the same
//! report and the same events.

#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "common/budget.rs"]
mod budget;
use trailscope_engine::{load_bytes, run_query, LoadOptions, Loader, QueryOptions};

fn contents(store: &std::sync::Arc<trailscope_engine::Store>) -> Vec<String> {
    let out = run_query(store, "fetch logs | fields content", &QueryOptions::default())
        .unwrap_or_else(|d| panic!("the simplest query failed: {d:?}"));
    (0..out.table.num_rows())
        .map(|r| out.table.cell_text(0, r))
        .collect()
}

fn check(data: &[u8]) {
    let (store, report) = load_bytes("fuzz.json", data, LoadOptions::default());
    assert_eq!(report.files.len(), 1);
    let file = &report.files[0];
    assert_eq!(report.events(), store.len(), "report and store disagree");
    assert_eq!(
        report.time_span.is_some(),
        !store.is_empty(),
        "time span without events or events without one"
    );
    if !file.compressed {
        assert!(
            store.len() <= data.len() / 10,
            "{} events from {} bytes",
            store.len(),
            data.len()
        );
    }
    let _ = report.summary();
    let _ = report.to_json();

    let chunk = 1 + data.first().map_or(0, |&b| b as usize % 64);
    let mut l = Loader::new(LoadOptions::default());
    let mut f = l.begin_file("fuzz.json");
    for c in data.chunks(chunk) {
        l.push(&mut f, c);
    }
    l.end_file(f);
    let (chunked, chunked_report) = l.finish();
    assert_eq!(
        chunked_report.to_json(),
        report.to_json(),
        "{chunk}-byte chunks change the report"
    );
    assert_eq!(contents(&chunked), contents(&store), "{chunk}-byte chunks change the events");

    let out = run_query(
        &store,
        "fetch logs | fields timestamp, content",
        &QueryOptions::default(),
    )
    .unwrap_or_else(|d| panic!("the simplest query failed: {d:?}"));
    assert_eq!(out.table.num_rows(), store.len());
    for r in 0..out.table.num_rows().min(50) {
        let content = out.table.cell_text(1, r);
        let (again, rep) = load_bytes("event.json", content.as_bytes(), LoadOptions::default());
        assert_eq!(
            again.len(),
            1,
            "event text does not load back as one event: {content:?}\n{}",
            rep.summary()
        );
    }
}

fuzz_target!(|data: &[u8]| budget::within_budget(data, || check(data)));
