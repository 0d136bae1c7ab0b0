//! Arbitrary bytes → `load_bytes`. Loading never panics, and the report agrees with the store:
//! the event count is the row count, a time span exists exactly when events do, and an
//! uncompressed file of n bytes cannot hold more than n / 10 events (the smallest event,
//! `{"eventTime":"…"}`, is far longer). Every loaded event's text must read back as one event.

#![no_main]

use libfuzzer_sys::fuzz_target;
use trailscope_engine::{load_bytes, run_query, LoadOptions, QueryOptions};

fuzz_target!(|data: &[u8]| {
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
});
