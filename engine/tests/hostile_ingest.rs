//! Exports come from the systems under investigation: a hostile file must not abort, hang or
//! quietly mislead the loader. Each class of attack found by the red-team pass has a test here
//! (bombs across layers are in `engine/src/ingest/tests.rs`, next to the archive builders).

use trailscope_engine::ingest::report::MAX_PROBLEMS;
use trailscope_engine::{load_bytes, LoadOptions};

fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

#[test]
fn diagnostics_are_capped_whatever_the_file_holds() {
    // A few KB of gzip that unpack to a million lines, each a skipped "event".
    let lines = "{}\n".repeat(1_000_000);
    let file = gzip(lines.as_bytes());
    assert!(file.len() < 16 << 10, "{}", file.len());
    let (store, report) = load_bytes("empty-objects.ndjson.gz", &file, LoadOptions::default());
    assert_eq!(store.len(), 0);
    let f = &report.files[0];
    assert_eq!(f.problems.len(), MAX_PROBLEMS);
    assert!(f.more.len() <= 20, "{:?}", f.more);
    // Everything is still counted: the skipped events add up.
    let unpacked = f.skipped();
    assert!(unpacked > MAX_PROBLEMS, "{unpacked}");
    let summary = report.summary();
    assert!(summary.lines().count() < MAX_PROBLEMS + 30, "{summary}");
    assert!(summary.contains("more like this"), "{summary}");
    let json = report.to_json();
    assert!(json.len() < 64 << 10, "{}", json.len());
    assert!(json.contains("\"more\":[{\"kind\":\"skipped\""), "{json}");
}

#[test]
fn kinds_past_the_cap_are_counted_apart_and_bounded() {
    // Every event has a different bad time: the kinds blank the details out, so they count as one.
    let mut text = String::new();
    for i in 0..5_000 {
        text.push_str(&format!(
            "{{\"eventTime\":\"not a time {i}\",\"eventID\":\"e{i}\"}}\n"
        ));
    }
    let (_, report) = load_bytes("bad-times.ndjson", text.as_bytes(), LoadOptions::default());
    let f = &report.files[0];
    assert_eq!(f.skipped(), 5_000);
    assert_eq!(f.more.len(), 1, "{:?}", f.more);
    assert_eq!(f.more[0].count, 5_000 - MAX_PROBLEMS);
    assert!(f.more[0].kind.contains("eventTime"), "{:?}", f.more);
}

#[cfg(unix)]
#[test]
fn folder_loops_and_fifos_neither_hang_nor_abort() {
    use std::os::unix::fs::symlink;
    use trailscope_engine::{Loader, Shape};
    let dir = std::env::temp_dir().join(format!("trailscope-hostile-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let root = dir.join("AWSLogs");
    std::fs::create_dir_all(root.join("a")).unwrap();
    let ev = r#"{"Records":[{"eventTime":"2026-11-20T11:00:00Z","eventID":"e1","eventName":"GetObject"}]}"#;
    std::fs::write(root.join("a/1.json"), ev).unwrap();
    // A loop (a link to its own parent) and a fan of links to one folder.
    symlink(&root, root.join("a/loop")).unwrap();
    for i in 0..8 {
        symlink(root.join("a"), root.join(format!("link{i}"))).unwrap();
    }
    // A FIFO with no writer: opening it would block forever.
    let fifo = root.join("pipe.json");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    let mut l = Loader::new(LoadOptions::default());
    l.add_path(&root).unwrap();
    let (store, report) = l.finish();
    assert_eq!(store.len(), 1, "{}", report.summary());
    let s = report.summary();
    assert!(s.contains("already read"), "{s}");
    if made.is_ok_and(|st| st.success()) {
        assert!(s.contains("AWSLogs/pipe.json") && s.contains("FIFO"), "{s}");
    }
    assert!(report
        .files
        .iter()
        .filter(|f| f.shape == Shape::Unreadable)
        .all(|f| f.events == 0));
    let _ = std::fs::remove_dir_all(&dir);
}

fn event(id: &str, minute: u32) -> String {
    format!(
        r#"{{"eventVersion":"1.08","eventTime":"2026-11-20T11:{minute:02}:00Z","eventID":"{id}","eventName":"GetObject","awsRegion":"us-east-1"}}"#
    )
}

/// Loads `bytes` in chunks of each size; the report must not depend on the chunking.
fn load_every_chunking(name: &str, bytes: &[u8]) -> (usize, String) {
    use trailscope_engine::Loader;
    let mut first: Option<(usize, String)> = None;
    for chunk in [1, 7, 64, 4096, bytes.len().max(1)] {
        let mut l = Loader::new(LoadOptions::default());
        let mut f = l.begin_file(name);
        for c in bytes.chunks(chunk) {
            l.push(&mut f, c);
        }
        l.end_file(f);
        let (store, report) = l.finish();
        let got = (store.len(), report.summary());
        match &first {
            None => first = Some(got),
            Some(want) => assert_eq!(&got, want, "{name} in {chunk}-byte chunks"),
        }
    }
    first.unwrap()
}

#[test]
fn damage_at_the_start_costs_only_the_damaged_part() {
    let (e1, e2, e3) = (event("e1", 0), event("e2", 1), event("e3", 2));
    let ndjson = format!("{e1}\n{e2}\n{e3}\n");
    let s3 = format!("{{\"Records\":[{e1},{e2},{e3}]}}");
    let cases: Vec<(&str, String, usize)> = vec![
        (
            "comment.ndjson",
            format!("# exported by tool x\n{ndjson}"),
            3,
        ),
        ("cut.ndjson", ndjson[30..].to_string(), 2),
        ("cut-object.json", s3[40..].to_string(), 2),
        (
            "000000",
            format!("garbage\n2026-11-20T11:00:00.000Z {e1}\n2026-11-20T11:01:00.000Z {e2}\n"),
            2,
        ),
    ];
    for (name, text, want) in cases {
        let (events, summary) = load_every_chunking(name, text.as_bytes());
        assert_eq!(events, want, "{name}: {summary}");
        assert!(
            summary.contains("does not start with CloudTrail JSON"),
            "{name}: {summary}"
        );
    }
}

#[test]
fn text_that_is_not_cloudtrail_is_still_called_so() {
    for (name, text) in [
        (
            "README.md",
            "# Title\n\nSome text.\n\n```json\n{\"a\": 1}\n```\n",
        ),
        ("notes.txt", "just words, no events at all\n"),
    ] {
        let (events, summary) = load_every_chunking(name, text.as_bytes());
        assert_eq!(events, 0);
        assert!(summary.contains("not a CloudTrail export"), "{summary}");
    }
}

#[test]
fn cr_only_line_endings_load_every_event() {
    let text = format!("{}\r{}\r{}\r", event("a", 0), event("b", 1), event("c", 2));
    for name in ["old-mac.ndjson", "old-mac.json"] {
        let (events, summary) = load_every_chunking(name, text.as_bytes());
        assert_eq!(events, 3, "{name}: {summary}");
    }
    let crlf = format!("{}\r\n{}\r\n", event("a", 0), event("b", 1));
    let (events, summary) = load_every_chunking("windows.ndjson", crlf.as_bytes());
    assert_eq!(events, 2, "{summary}");
    assert!(!summary.contains("error"), "{summary}");
}

#[test]
fn same_id_with_other_content_is_a_conflict_and_both_are_kept() {
    let a = event("same", 0);
    let edited = a.replace("GetObject", "DeleteBucket");
    // The same event written in another member order with another number spelling is not a
    // conflict but a duplicate.
    let reordered = r#"{"eventID":"same","awsRegion":"us-east-1","eventName":"GetObject","eventTime":"2026-11-20T11:00:00Z","eventVersion":"1.08"}"#;
    let text = format!("{a}\n{reordered}\n{edited}\n");
    let (store, report) = load_bytes("tampered.ndjson", text.as_bytes(), LoadOptions::default());
    assert_eq!(store.len(), 2, "{}", report.summary());
    let f = &report.files[0];
    assert_eq!((f.duplicates, f.conflicts), (1, 1));
    let s = report.summary();
    assert!(
        s.contains("1 eventID conflict") && s.contains("both events are kept"),
        "{s}"
    );
    assert!(s.contains("line 3"), "{s}");
    assert!(report.to_json().contains("\"conflicts\":1"));
}

#[test]
fn a_repeated_key_reads_as_its_last_value_and_is_reported() {
    use trailscope_engine::{run_query, QueryOptions};
    let text = r#"{"eventTime":"2026-11-20T11:00:00Z","eventID":"d1","eventName":"ListBuckets","eventName":"DeleteBucket","requestParameters":{"bucketName":"a","bucketName":"b"}}"#;
    let (store, report) = load_bytes("dup.ndjson", text.as_bytes(), LoadOptions::default());
    assert_eq!(store.len(), 1);
    let s = report.summary();
    assert!(
        s.contains("appears twice") && s.contains("last value"),
        "{s}"
    );
    let q = r#"fetch logs | parse content, "JSON:e" | fields n = e[eventName], b = e[requestParameters][bucketName], r = toString(e[requestParameters])"#;
    let out = run_query(&store, q, &QueryOptions::default()).unwrap();
    assert_eq!(
        out.table.row_json(0),
        r#"{"n":"DeleteBucket","b":"b","r":"{\"bucketName\":\"b\"}"}"#
    );
    // The hot column (filled while loading) agrees with the lookup.
    let out = run_query(
        &store,
        "fetch logs | parse content, \"JSON:e\" | summarize count(), by: {e[eventName]}",
        &QueryOptions::default(),
    )
    .unwrap();
    assert_eq!(out.table.cell_text(0, 0), "DeleteBucket");
}

#[test]
fn a_second_records_array_is_read_not_ignored() {
    let text = format!(
        "{{\"Records\":[{}],\"Records\":[{},{}]}}",
        event("r1", 0),
        event("r2", 1),
        event("r3", 2)
    );
    let (events, summary) = load_every_chunking("two-records.json", text.as_bytes());
    assert_eq!(events, 3, "{summary}");
    assert!(summary.contains("a second `Records` array"), "{summary}");
}

#[test]
fn messages_say_what_is_really_wrong() {
    let text = r#"{"Records":[{"eventTime":1700000000,"eventID":"n1"},{"eventTime":"1500-01-01T00:00:00Z","eventID":"n2"},{"eventTime":"yesterday","eventID":"n3"}]}"#;
    let (_, report) = load_bytes("times.json", text.as_bytes(), LoadOptions::default());
    let s = report.summary();
    assert!(
        s.contains("eventTime is 1700000000, not a text timestamp"),
        "{s}"
    );
    assert!(s.contains("outside the range Trailscope holds"), "{s}");
    assert!(
        s.contains("\"yesterday\" is not an RFC 3339 timestamp"),
        "{s}"
    );
    let (_, report) = load_bytes(
        "obj.json",
        br#"{"Records":{"a":1}}"#,
        LoadOptions::default(),
    );
    let s = report.summary();
    assert!(s.contains("`Records` holds an object, not an array"), "{s}");
}
