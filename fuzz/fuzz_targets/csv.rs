//! Arbitrary bytes → `detect_csv` and `CsvEvents`, fed in chunks whose sizes come from the first
//! byte. Reading never panics; every record's JSON is one valid JSON object (the
//! engine's own parser reads it); line numbers never decrease and never pass the input's line count; and chunking does
//! not change the records.

#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "common/budget.rs"]
mod budget;
use trailscope_engine::ingest::csv::{detect_csv, CsvEvents, CsvRecord};
use trailscope_engine::storage::tape::parse_value;

fn read(data: &[u8], chunk: usize) -> Vec<CsvRecord> {
    let mut r = CsvEvents::new();
    let mut got = Vec::new();
    for c in data.chunks(chunk) {
        r.push(c, &mut |rec| got.push(rec));
    }
    r.finish(&mut |rec| got.push(rec));
    got
}

fn check(data: &[u8]) {
    let _ = detect_csv(data);
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let whole = read(rest, rest.len().max(1));
    let lines = rest.iter().filter(|&&c| c == b'\n').count() as u64 + 1;
    let mut last = 0;
    for rec in &whole {
        assert!(
            rec.line >= last && rec.line >= 1 && rec.line <= lines,
            "line {}",
            rec.line
        );
        last = rec.line;
        if let Ok(json) = &rec.result {
            let text = std::str::from_utf8(json).expect("event JSON is UTF-8");
            assert!(text.starts_with('{') && text.ends_with('}'), "{text}");
            parse_value(text).unwrap_or_else(|e| panic!("invalid JSON {text:?}: {e:?}"));
        }
    }
    let chunk = 1 + usize::from(first % 64);
    assert_eq!(read(rest, chunk), whole, "chunking changed the records");
}

fuzz_target!(|data: &[u8]| budget::within_budget(data, || check(data)));
