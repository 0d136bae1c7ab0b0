//! Inputs the fuzz targets (`fuzz/`) found crashing the engine, reduced by hand. Each test is
//! ignored until its bug is fixed; then remove the `#[ignore]`, or move the case into the golden
//! corpus as STYLE.md asks. The fuzz profile checks overflow, as `cargo test` does: in a release
//! build these overflows do not panic but give wrong times.

use std::panic::{catch_unwind, AssertUnwindSafe};

use trailscope_engine::syntax::parse;
use trailscope_engine::{load_bytes, render_diagnostics, run_query, LoadOptions, QueryOptions};

#[test]
fn diagnostics_render_after_multibyte_text_at_line_start() {
    for q in ["é'", "§1.3).", "fetch logs\n§§"] {
        let (_, diags) = parse(q);
        assert!(!diags.is_empty(), "{q:?} should have a diagnostic");
        let text = catch_unwind(|| render_diagnostics(q, &diags))
            .unwrap_or_else(|_| panic!("rendering {q:?} panicked"));
        assert!(text.contains('^'), "{text}");
    }
}

#[test]
fn timestamp_function_beyond_2262_does_not_panic() {
    let store = load_bytes("empty", b"", LoadOptions::default()).0;
    for q in [
        "data record(x = 1) | fields t = timestamp(3000, 1, 1, 0, 0, 0)",
        "data record(y = 3000) | fields t = timestamp(y, 1, 1, 0, 0, 0)",
    ] {
        let run = catch_unwind(AssertUnwindSafe(|| {
            run_query(&store, q, &QueryOptions::default())
        }));
        match run {
            Err(_) => panic!("{q}: panicked"),
            Ok(Ok(out)) => assert!(
                out.table.cell(0, 0).is_null(),
                "{q}: {:?}",
                out.table.cell(0, 0)
            ),
            Ok(Err(d)) => assert!(
                d.iter().all(|d| !d.code.as_str().starts_with("E9")),
                "{q}: internal error {d:?}"
            ),
        }
    }
}

#[test]
fn event_time_beyond_2262_is_skipped() {
    for t in ["3000-01-01", "4467-11-29"] {
        let json = format!(r#"{{"eventTime":"{t}","eventID":"x"}}"#);
        let loaded = catch_unwind(|| load_bytes("e.json", json.as_bytes(), LoadOptions::default()));
        let (store, report) = loaded.unwrap_or_else(|_| panic!("loading eventTime {t} panicked"));
        assert_eq!(
            (store.len(), report.skipped_events()),
            (0, 1),
            "{t}: {}",
            report.summary()
        );
    }
}
