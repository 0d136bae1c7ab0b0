//! Ingest: every shape the loader reads, and bad input that must give a clear problem report
//! (file, position, reason) while every good event around it still loads.

use std::io::Write;

use trailscope_engine::{load_bytes, run_query, LoadOptions, LoadReport, Shape, Value};

fn ev(id: &str, time: &str) -> String {
    format!(
        r#"{{"eventVersion":"1.08","eventTime":"{time}","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"eu-west-1","eventID":"{id}","recipientAccountId":"111122223333","userIdentity":{{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/alice","accountId":"111122223333"}}}}"#
    )
}

fn load(name: &str, bytes: &[u8]) -> LoadReport {
    load_bytes(name, bytes, LoadOptions::default()).1
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut g = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    g.write_all(bytes).unwrap();
    g.finish().unwrap()
}

#[test]
fn shapes_are_detected_by_content() {
    let a = ev("a", "2026-11-20T11:00:00Z");
    let b = ev("b", "2026-11-20T11:01:00Z");
    let records = format!(r#"{{"Records":[{a},{b}]}}"#);
    let lookup = format!(
        r#"{{"Events":[{{"EventId":"a","CloudTrailEvent":{}}}],"NextToken":"x"}}"#,
        serde_like_string(&a)
    );
    for (name, text, shape, events) in [
        ("x.json", records.clone(), Shape::S3Records, 2),
        ("x", format!("[{a},\n{b}]"), Shape::JsonArray, 2),
        ("x.txt", a.clone(), Shape::SingleEvent, 1),
        ("x.log", format!("{a}\n{b}\n"), Shape::Ndjson, 2),
        ("x.json", lookup, Shape::LookupEvents, 1),
        ("x.json", format!("\u{feff}{records}"), Shape::S3Records, 2),
        ("x.json", r#"{"awsAccountId":"1","digestStartTime":"2026-11-20T10:00:00Z","digestEndTime":"2026-11-20T11:00:00Z","logFiles":[]}"#.to_string(), Shape::Digest, 0),
    ] {
        let r = load(name, text.as_bytes());
        assert_eq!((r.files[0].shape, r.events()), (shape, events), "{name}: {}", r.summary());
        let rz = load(&format!("{name}.gz"), &gzip(text.as_bytes()));
        assert_eq!((rz.files[0].shape, rz.events()), (shape, events), "gzip {name}");
        assert!(rz.files[0].compressed);
    }
}

/// A JSON string literal holding `s` (CloudTrailEvent is an event as a string).
fn serde_like_string(s: &str) -> String {
    let mut out = String::new();
    trailscope_engine::value::write_json_string(&mut out, s);
    out
}

#[test]
fn bad_lines_are_reported_and_good_ones_load() {
    let text = format!(
        "{}\n{{\"eventTime\": broken}}\n\n{}\nnot json\n",
        ev("a", "2026-11-20T11:00:00Z"),
        ev("b", "2026-11-20T11:02:00Z")
    );
    let r = load("mixed.ndjson", text.as_bytes());
    assert_eq!(r.events(), 2, "{}", r.summary());
    assert_eq!(r.skipped_events(), 2);
    let lines: Vec<usize> = r.files[0]
        .problems
        .iter()
        .filter_map(|p| p.position.as_ref()?.line)
        .collect();
    assert_eq!(lines, [2, 5]);
    let s = r.summary();
    assert!(
        s.contains("mixed.ndjson: line 2, column 15: malformed JSON"),
        "{s}"
    );
}

#[test]
fn a_broken_event_in_an_array_loses_only_itself() {
    let text = format!(
        "{{\"Records\":[\n{},\n{{\"eventTime\": \"2026-11-20T11:01:00Z\", \"bad\": ]}},\n{}\n{}]}}",
        ev("a", "2026-11-20T11:00:00Z"),
        ev("b", "2026-11-20T11:02:00Z"),
        ev("c", "2026-11-20T11:03:00Z")
    );
    let r = load("broken.json", text.as_bytes());
    assert_eq!(r.events(), 3, "{}", r.summary());
    let s = r.summary();
    assert!(s.contains("line 3"), "{s}");
    assert!(s.contains("expected `,` between events"), "{s}");
}

#[test]
fn duplicates_by_event_id_are_dropped_and_counted() {
    let a = ev("same", "2026-11-20T11:00:00Z");
    let text = format!("[{a},{a},{}]", ev("other", "2026-11-20T11:00:00Z"));
    let r = load("dups.json", text.as_bytes());
    assert_eq!((r.events(), r.duplicates()), (2, 1));
    assert!(r.summary().contains("1 duplicate dropped"));
}

#[test]
fn bad_input_never_panics_and_says_why() {
    let good = ev("a", "2026-11-20T11:00:00Z");
    let deep = "[".repeat(10_000) + &"]".repeat(10_000);
    let mut truncated = gzip(format!("{{\"Records\":[{good},{good}]}}").as_bytes());
    truncated.truncate(truncated.len() - 20);
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain("[{}]".encode_utf16().flat_map(|u| u.to_le_bytes()))
        .collect();
    let invalid_utf8 = [
        b"[{\"eventTime\":\"2026-11-20T11:00:00Z\",\"x\":\"".as_slice(),
        &[0xC3, 0x28],
        b"\"}]",
    ]
    .concat();
    for (name, bytes, needle) in [
        ("empty.json", Vec::new(), "empty file"),
        ("blank.json", b"  \n ".to_vec(), "empty file"),
        ("readme.md", b"# notes".to_vec(), "not a CloudTrail export"),
        ("deep.json", deep.into_bytes(), "nested deeper"),
        (
            "trunc.json.gz",
            truncated,
            "gzip data is damaged or truncated",
        ),
        ("utf16.json", utf16, "UTF-16"),
        ("bad-utf8.json", invalid_utf8, "invalid UTF-8"),
        (
            "no-time.json",
            br#"{"eventName":"X"}"#.to_vec(),
            "no eventTime",
        ),
        (
            "bad-time.json",
            br#"{"eventTime":"yesterday"}"#.to_vec(),
            "not an RFC 3339 timestamp",
        ),
        ("scalar.json", b"[1, \"x\"]".to_vec(), "not a JSON object"),
    ] {
        let r = load(name, &bytes);
        let s = r.summary();
        assert!(s.contains(needle), "{name}: {s}");
        assert!(s.contains(name), "{name}: {s}");
    }
}

#[test]
fn a_large_single_event_loads() {
    let big = "x".repeat(10 << 20);
    let text = format!(
        r#"{{"eventTime":"2026-11-20T11:00:00Z","eventID":"big","requestParameters":{{"policy":"{big}"}}}}"#
    );
    let (store, r) = load_bytes("big.json", text.as_bytes(), LoadOptions::default());
    assert_eq!(r.events(), 1);
    let out = run_query(&store, "fetch logs | parse content, \"JSON:event\" | fields n = stringLength(event[requestParameters][policy])", &Default::default()).unwrap();
    assert_eq!(out.table.cell(0, 0), Value::Long(10 << 20));
}

#[test]
fn fields_of_the_log_record() {
    let text = format!(
        r#"{{"Records":[{},{}]}}"#,
        ev("a", "2026-11-20T11:00:00.5Z"),
        r#"{"eventTime":"2026-11-20T11:05:00Z","awsRegion":"us-east-1","userIdentity":{"accountId":"444455556666"}}"#
    );
    let (store, _) = load_bytes(
        "AWSLogs/x.json",
        text.as_bytes(),
        LoadOptions {
            bucket: "my_aws_bucket".into(),
        },
    );
    let out = run_query(
        &store,
        "fetch logs | fieldsRemove content",
        &Default::default(),
    )
    .unwrap();
    assert_eq!(
        out.table.columns,
        [
            "timestamp",
            "aws.service",
            "aws.account.id",
            "aws.region",
            "dt.system.bucket",
            "log.source"
        ]
    );
    assert_eq!(
        out.table.row_json(0),
        r#"{"timestamp":"2026-11-20T11:05:00Z","aws.service":"cloudtrail","aws.account.id":"444455556666","aws.region":"us-east-1","dt.system.bucket":"my_aws_bucket","log.source":"AWSLogs/x.json"}"#
    );
    assert_eq!(
        out.table.row_json(1),
        r#"{"timestamp":"2026-11-20T11:00:00.500Z","aws.service":"cloudtrail","aws.account.id":"111122223333","aws.region":"eu-west-1","dt.system.bucket":"my_aws_bucket","log.source":"AWSLogs/x.json"}"#
    );
}

#[test]
fn content_keeps_key_order_and_number_text() {
    let text =
        r#"{"eventTime":"2026-11-20T11:00:00Z","z":1.50,"a":[1e3,-0,{"k":null}],"m":{},"s":"é\n"}"#;
    let (store, _) = load_bytes("x.json", text.as_bytes(), LoadOptions::default());
    let out = run_query(&store, "fetch logs | fields content", &Default::default()).unwrap();
    assert_eq!(
        out.table.cell(0, 0),
        Value::str(
            r#"{"eventTime":"2026-11-20T11:00:00Z","z":1.50,"a":[1e3,0,{"k":null}],"m":{},"s":"é\n"}"#
        )
    );
}

#[test]
fn loading_more_files_later_keeps_everything_consistent() {
    use std::sync::Arc;
    use trailscope_engine::Loader;
    let mut l = Loader::new(LoadOptions::default());
    l.add_bytes(
        "a.json",
        format!(
            "[{},{}]",
            ev("a1", "2026-11-20T11:00:00Z"),
            ev("a2", "2026-11-20T11:10:00Z")
        )
        .as_bytes(),
    );
    let (store, _) = l.finish();
    let q = "fetch logs | parse content, \"JSON:event\" | summarize n = count(), by: { e = event[eventID], s = log.source, b = dt.system.bucket } | sort e";
    assert_eq!(
        run_query(&store, q, &Default::default())
            .unwrap()
            .table
            .num_rows(),
        2
    );
    // More files later, one repeating an event already loaded, one older than everything.
    assert_eq!(Arc::strong_count(&store), 1);
    let Ok(store) = Arc::try_unwrap(store) else {
        panic!("no other references")
    };
    let mut l = Loader::resume(
        store,
        LoadOptions {
            bucket: "second".into(),
        },
    );
    l.add_bytes(
        "b.json",
        format!(
            "[{},{}]",
            ev("a1", "2026-11-20T11:00:00Z"),
            ev("b1", "2026-11-20T10:00:00Z")
        )
        .as_bytes(),
    );
    let (store, report) = l.finish();
    assert_eq!((report.events(), report.duplicates()), (1, 1));
    let out = run_query(&store, q, &Default::default()).unwrap();
    let rows: Vec<String> = (0..out.table.num_rows())
        .map(|r| out.table.row_json(r))
        .collect();
    assert_eq!(
        rows,
        [
            r#"{"e":"a1","s":"a.json","b":"default_logs","n":1}"#,
            r#"{"e":"a2","s":"a.json","b":"default_logs","n":1}"#,
            r#"{"e":"b1","s":"b.json","b":"second","n":1}"#,
        ]
    );
    // Newest first across both loads, and the time frame covers both.
    drop(out);
    let out = run_query(&store, "fetch logs | fields timestamp", &Default::default()).unwrap();
    let times: Vec<String> = (0..3).map(|r| out.table.cell_text(0, r)).collect();
    assert_eq!(
        times,
        [
            "2026-11-20T11:10:00Z",
            "2026-11-20T11:00:00Z",
            "2026-11-20T10:00:00Z"
        ]
    );
    drop(out);
    // Renaming a source's bucket.
    let Ok(mut store) = Arc::try_unwrap(store) else {
        panic!("no other references")
    };
    assert_eq!(store.set_bucket("a.json", "prod"), 2);
    // Each row knows where it came from (case files keep it with each event).
    let origins: Vec<(&str, &str)> = (0..3).map(|r| store.origin(r)).collect();
    assert_eq!(
        origins,
        [("a.json", "prod"), ("a.json", "prod"), ("b.json", "second")]
    );
    assert_eq!(store.origin(99), ("", ""));
    let store = Arc::new(store);
    let out = run_query(
        &store,
        "fetch logs, bucket: \"prod\" | summarize count()",
        &Default::default(),
    )
    .unwrap();
    assert_eq!(out.table.cell(0, 0), Value::Long(2));
}

/// Loads `bytes` pushed in chunks of `chunk` bytes.
fn load_chunked(name: &str, bytes: &[u8], chunk: usize) -> (String, Vec<String>) {
    use trailscope_engine::Loader;
    let mut l = Loader::new(LoadOptions::default());
    let mut f = l.begin_file(name);
    for c in bytes.chunks(chunk.max(1)) {
        l.push(&mut f, c);
    }
    l.end_file(f);
    let (store, report) = l.finish();
    let out = run_query(&store, "fetch logs | fields content", &Default::default()).unwrap();
    let rows = (0..out.table.num_rows())
        .map(|r| out.table.cell_text(0, r))
        .collect();
    (report.to_json(), rows)
}

/// Every shape and every kind of damage, as the files would arrive.
fn streaming_cases() -> Vec<(&'static str, Vec<u8>)> {
    let a = ev("a", "2026-11-20T11:00:00Z");
    let b = ev("b", "2026-11-20T11:01:00Z").replace("alice", "zoë ✓ 𝄞");
    let c = ev("c", "2026-11-20T11:02:00Z");
    let pretty = |e: &str| e.replace(",\"", ",\n  \"").replace('{', "{\n  ");
    let lookup = format!(
        "{{\"NextToken\":\"t\",\"Events\":[{{\"EventId\":\"a\",\"CloudTrailEvent\":{}}},{{\"EventId\":\"b\",\"CloudTrailEvent\":\"{{\\\"eventTime\\\":\\\"2026-11-20T11:00:00Z\\\",\\\"x\\\":\\\"line\nbreak\\\"}}\"}}]}}",
        serde_like_string(&a)
    );
    let mut cases: Vec<(&str, String)> = vec![
        ("records.json", format!("{{\"Records\":[{a},{b},{c}]}}")),
        ("records-pretty.json", format!("{{\n  \"Records\": [\n{},\n{}\n  ]\n}}\n", pretty(&a), pretty(&b))),
        ("array.json", format!("[{a},\n{b}]")),
        ("single.json", pretty(&b)),
        ("lines.ndjson", format!("{a}\n{{broken\n\n{b}\n{c}")),
        ("lines.log", format!("{a}\r\n{b}\r\n")),
        ("jq-output.json", format!("{}\n{}\n", pretty(&a), pretty(&c))),
        ("two-objects.json", format!("{{\"Records\":[{a}]}}\n{{\"Records\":[{b}]}}")),
        ("lookup.json", lookup),
        ("cloudwatch", format!("2026-11-20T11:00:00.000Z {a}\n2026-11-20T11:01:00.000Z {b}\nnot a line\n")),
        ("missing-comma.json", format!("{{\"Records\":[{a}\n{b},{c}]}}")),
        ("broken-event.json", format!("{{\"Records\":[{a},\n{{\"eventTime\": \"2026-11-20T11:01:00Z\", \"bad\": ]}},\n{c}]}}")),
        ("unterminated.json", format!("{{\"Records\":[{a},{{\"eventTime\":\"2026-11-20T11:01:00Z\",\"x\":\"open}},{c}]}}")),
        ("truncated.json", format!("{{\"Records\":[{a},{b},{}", &c[..c.len() / 2])),
        ("trailing.json", format!("{{\"Records\":[{a}]}} junk {b}")),
        ("tail-keys.json", format!("{{\"Records\":[{a}],\"x\":{{\"y\":[1,2]}}}}")),
        ("digest.json", r#"{"awsAccountId":"1","digestStartTime":"2026-11-20T10:00:00Z","logFiles":[]}"#.into()),
        ("control.json", format!("[{{\"eventTime\":\"2026-11-20T11:00:00Z\",\"m\":\"a\tb\"}},{c}]")),
        ("numbers.json", "[{\"eventTime\":\"2026-11-20T11:00:00Z\",\"n\":12345678901234567890,\"f\":-1.5e-7,\"t\":true}]".into()),
        ("scalars.json", "[1, \"x\", null, 123456]".into()),
        ("empty.json", " \n ".into()),
        ("readme.md", "# notes\n".into()),
    ];
    cases.push(("bom.json", format!("\u{feff}{{\"Records\":[{a}]}}")));
    let mut out: Vec<(&str, Vec<u8>)> = cases
        .into_iter()
        .map(|(n, t)| (n, t.into_bytes()))
        .collect();
    let mut bad_utf8 = format!("[{a},{b}]").into_bytes();
    let at = bad_utf8.len() - 20;
    bad_utf8[at] = 0xFF;
    out.push(("bad-utf8.json", bad_utf8));
    out.push(("records.json.gz", gzip(&out[0].1)));
    out.push(("jq.json.gz", gzip(&out[6].1)));
    out
}

#[test]
fn chunking_never_changes_what_loads() {
    for (name, bytes) in streaming_cases() {
        let whole = load_chunked(name, &bytes, bytes.len());
        for chunk in [1, 2, 3, 5, 16, 100, 4096] {
            let got = load_chunked(name, &bytes, chunk);
            assert_eq!(
                got.0, whole.0,
                "{name}: report differs with {chunk}-byte chunks"
            );
            assert_eq!(
                got.1, whole.1,
                "{name}: events differ with {chunk}-byte chunks"
            );
        }
    }
}

#[test]
fn streamed_shapes_load_with_positions() {
    let cases = streaming_cases();
    let get = |n: &str| cases.iter().find(|c| c.0 == n).unwrap().1.clone();
    let check = |n: &str, shape: Shape, events: usize, needles: &[&str]| {
        let r = load(n, &get(n));
        let s = r.summary();
        assert_eq!((r.files[0].shape, r.events()), (shape, events), "{n}: {s}");
        for needle in needles {
            assert!(s.contains(needle), "{n}: no {needle:?} in {s}");
        }
    };
    check(
        "jq-output.json",
        Shape::JsonSequence,
        2,
        &["several JSON documents"],
    );
    check("two-objects.json", Shape::S3Records, 2, &[]);
    check(
        "lookup.json",
        Shape::LookupEvents,
        2,
        &["raw control characters"],
    );
    check("cloudwatch", Shape::CloudWatch, 2, &["line 3"]);
    check("lines.ndjson", Shape::Ndjson, 3, &["line 2"]);
    check("lines.log", Shape::Ndjson, 2, &[]);
    check(
        "missing-comma.json",
        Shape::S3Records,
        3,
        &["expected `,` between events"],
    );
    check(
        "unterminated.json",
        Shape::S3Records,
        2,
        &["malformed JSON", "resumed reading"],
    );
    check(
        "truncated.json",
        Shape::S3Records,
        2,
        &[
            "the file ends inside this value (truncated?)",
            "the 2 events before it were read",
        ],
    );
    check(
        "trailing.json",
        Shape::S3Records,
        2,
        &["unexpected text after the end", "line 1, column 311"],
    );
    check("tail-keys.json", Shape::S3Records, 1, &[]);
    check("records-pretty.json", Shape::S3Records, 2, &[]);
    check(
        "bad-utf8.json",
        Shape::JsonArray,
        1,
        &["invalid UTF-8", "line 1"],
    );
}

#[test]
fn memory_per_file_stays_bounded_while_streaming() {
    use trailscope_engine::Loader;
    // 16 MB of events in one Records object, fed in 64 KiB chunks as a reader would.
    let e = ev("x", "2026-11-20T11:00:00Z");
    let mut text = String::from("{\"Records\":[");
    for i in 0..(16 << 20) / e.len() {
        if i > 0 {
            text.push(',');
        }
        text.push_str(&e.replace("\"x\"", &format!("\"id-{i}\"")));
    }
    text.push_str("]}");
    let z = gzip(text.as_bytes());
    for (name, bytes) in [("big.json", text.as_bytes()), ("big.json.gz", &z[..])] {
        let mut l = Loader::new(LoadOptions::default());
        let mut f = l.begin_file(name);
        let mut most = 0;
        for c in bytes.chunks(64 << 10) {
            l.push(&mut f, c);
            most = most.max(f.buffered());
        }
        l.end_file(f);
        let (_, r) = l.finish();
        assert_eq!(r.events(), (16 << 20) / e.len(), "{name}");
        // One chunk (or one inflated block) plus an unfinished event, never the file.
        assert!(most < 600 << 10, "{name}: {most} bytes held");
    }
}

#[test]
fn a_file_abandoned_midway_keeps_its_events_and_says_where_it_stopped() {
    use trailscope_engine::Loader;
    let evs: Vec<String> = (0..10)
        .map(|i| ev(&format!("e{i}"), "2026-11-20T11:00:00Z"))
        .collect();
    let text = format!("{{\"Records\":[{}]}}", evs.join(","));
    let mut l = Loader::new(LoadOptions::default());
    let mut f = l.begin_file("big.json");
    let half = text.len() / 2;
    l.push(&mut f, &text.as_bytes()[..half]);
    l.abandon_file(f, "loading cancelled");
    let (store, report) = l.finish();
    let s = report.summary();
    assert!(store.len() >= 4 && store.len() < 10, "{s}");
    assert_eq!(report.files[0].errors(), 0, "{s}");
    assert!(
        s.contains(&format!(
            "loading cancelled: reading stopped after {half} bytes"
        )),
        "{s}"
    );
}

#[test]
fn reserving_room_up_front_changes_nothing_but_capacity() {
    use trailscope_engine::Loader;
    let evs: Vec<String> = (0..50)
        .map(|i| ev(&format!("r{i}"), "2026-11-20T11:00:00Z"))
        .collect();
    let text = format!("{{\"Records\":[{}]}}", evs.join(","));
    let plain = load_chunked("r.json", text.as_bytes(), 7);
    let mut l = Loader::new(LoadOptions::default());
    l.reserve_for(50 << 20);
    assert!(l.heap_bytes() > 5 << 20, "room was reserved");
    let mut f = l.begin_file("r.json");
    for c in text.as_bytes().chunks(7) {
        l.push(&mut f, c);
    }
    l.end_file(f);
    let (store, report) = l.finish();
    let out = run_query(&store, "fetch logs | fields content", &Default::default()).unwrap();
    let rows: Vec<String> = (0..out.table.num_rows())
        .map(|r| out.table.cell_text(0, r))
        .collect();
    assert_eq!((report.to_json(), rows), plain);
}

/// Path columns hold their codes in one, two or four bytes by the number of distinct values;
/// filters and groupings read every width the same way. eventName (a column built while
/// loading) and requestParameters.n (built on first use) get 70,000 distinct values for the
/// four-byte width, userAgent 300 for two bytes, errorCode 3 for one.
#[test]
fn path_columns_of_every_code_width_answer_alike() {
    let n = 70_000;
    let events: Vec<String> = (0..n)
        .map(|i| {
            let t = format!("2026-11-20T{:02}:{:02}:{:02}Z", i / 3600 % 24, i / 60 % 60, i % 60);
            format!(
                r#"{{"eventTime":"{t}","eventID":"id-{i}","eventName":"E{i}","userAgent":"ua-{}","errorCode":"c{}","requestParameters":{{"n":"N{i}"}}}}"#,
                i % 300,
                i % 3
            )
        })
        .collect();
    let text = format!(r#"{{"Records":[{}]}}"#, events.join(","));
    let (store, report) = load_bytes("wide.json", text.as_bytes(), LoadOptions::default());
    assert_eq!(report.events(), n);
    let count = |q: &str| {
        let out = run_query(&store, q, &Default::default()).unwrap();
        out.table.num_rows()
    };
    let one = |q: &str| {
        let out = run_query(&store, q, &Default::default()).unwrap();
        out.table.cell(0, 0)
    };
    let parse = "fetch logs | parse content, \"JSON:e\"";
    for (path, distinct) in [
        ("e[eventName]", n),
        ("e[requestParameters][n]", n),
        ("e[userAgent]", 300),
        ("e[errorCode]", 3),
    ] {
        let q = format!("{parse} | summarize count(), by: {{ v = {path} }}");
        assert_eq!(count(&q), distinct, "{path}");
    }
    assert_eq!(
        count(&format!("{parse} | filter e[eventName] == \"E69999\"")),
        1
    );
    assert_eq!(
        count(&format!(
            "{parse} | filter e[requestParameters][n] == \"N12345\""
        )),
        1
    );
    assert_eq!(
        count(&format!("{parse} | filter e[userAgent] == \"ua-299\"")),
        n / 300
    );
    assert_eq!(
        count(&format!("{parse} | filterOut e[errorCode] == \"c0\"")),
        n - n.div_ceil(3)
    );
    assert_eq!(
        one(&format!("{parse} | filter e[userAgent] == \"ua-7\" and e[errorCode] == \"c1\" | summarize count()")),
        Value::Long((0..n).filter(|i| i % 300 == 7 && i % 3 == 1).count() as i64)
    );
}
