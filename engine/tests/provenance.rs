//! Every result row that is one event's knows its event (`Table::source_row`): the app shows the
//! whole source event beside projected values. Checked on the project's seed export: through
//! each command that keeps rows, the event behind a row is the one its values came from.

use std::path::Path;
use std::sync::Arc;

use trailscope_engine::{run_query, LoadOptions, Loader, QueryOptions, Store, Table, Value};

fn store() -> Arc<Store> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/seed/AWSLogs");
    let mut l = Loader::new(LoadOptions::default());
    let mut files = Vec::new();
    collect(&dir, &mut files);
    files.sort();
    for f in files {
        let bytes = std::fs::read(&f).unwrap();
        l.add_bytes(&f.to_string_lossy(), &bytes);
    }
    l.finish().0
}

fn collect(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().filter_map(Result::ok) {
        let p = e.path();
        if p.is_dir() {
            collect(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn run(store: &Arc<Store>, q: &str) -> Table {
    match run_query(store, q, &QueryOptions::default()) {
        Ok(out) => out.table,
        Err(d) => panic!("{q}: {d:?}"),
    }
}

/// Each row's `id` column is the `eventID` of the event the row names as its source.
fn check_ids(t: &Table, q: &str) {
    let c = t.column_index("id").unwrap();
    assert!(t.num_rows() > 0, "{q}: no rows");
    for r in 0..t.num_rows() {
        let ev = t
            .source_event(r)
            .unwrap_or_else(|| panic!("{q}: row {r} has no source"));
        assert_eq!(ev.member("eventID"), t.cell(c, r), "{q}: row {r}");
        assert!(t.source_content(r).unwrap().contains("\"eventID\""));
    }
}

#[test]
fn rows_keep_their_event() {
    let s = store();
    let base = "fetch logs | parse content, \"JSON:event\"";
    for tail in [
        "fields id = event[eventID]",
        "filter event[errorCode] == \"AccessDenied\" | fields id = event[eventID], n = lower(event[eventName])",
        "sort event[eventName], timestamp desc | limit 7 | fields id = event[eventID]",
        "dedup event[eventSource] | fields id = event[eventID]",
        "fieldsAdd id = event[eventID] | filter isNotNull(event[resources]) | expand r = event[resources] | fieldsRemove event",
        "fields id = event[eventID], who = event[userIdentity] | fieldsFlatten who",
        "fields id = event[eventID], ip = event[sourceIPAddress] | lookup [data record(ip = \"185.220.101.34\", tor = true)], lookupField: ip",
        "fields id = event[eventID], arn = event[userIdentity][arn] | join [data record(arn = \"arn:aws:iam::111122223333:user/alice\", team = \"ops\")], on: {arn}",
        "fields id = event[eventID] | append [fetch logs | parse content, \"JSON:event\" | fields id = event[eventID] | limit 3]",
    ] {
        let q = format!("{base} | {tail}");
        check_ids(&run(&s, &q), &q);
    }
}

#[test]
fn aggregates_and_records_written_in_the_query_have_none() {
    let s = store();
    let t = run(&s, "fetch logs | summarize count(), by: {aws.region}");
    assert!(t.num_rows() > 0);
    assert!((0..t.num_rows()).all(|r| t.source_row(r).is_none()));
    let t = run(&s, "fetch logs | limit 2 | append [data record(x = 1)]");
    assert_eq!(t.num_rows(), 3);
    assert!(t.source_row(0).is_some() && t.source_row(1).is_some());
    assert_eq!(t.source_row(2), None);
    // An outer join's unmatched sub-query record is its own event's.
    let t = run(
        &s,
        "data record(k = \"none\") | join [fetch logs | parse content, \"JSON:event\" | fields k = event[eventID] | limit 1], on: {k}, kind: outer",
    );
    assert_eq!(t.num_rows(), 2);
    assert_eq!(t.source_row(0), None);
    let ev = t.source_event(1).unwrap();
    assert_eq!(
        Value::str(&ev.member("eventID").display()),
        t.cell(t.column_index("right.k").unwrap(), 1)
    );
}

/// The field sidebar's numbers: every path inside parsed events with how many rows have it and
/// its top values, counted against the events themselves.
#[test]
fn field_stats_count_every_path_of_the_events() {
    let s = store();
    let t = run(
        &s,
        "fetch logs | parse content, \"JSON:event\" | filter event[eventSource] == \"s3.amazonaws.com\"",
    );
    let stats = t.field_stats(3);
    let find = |n: &str| {
        stats.iter().find(|f| f.name == n).unwrap_or_else(|| {
            panic!(
                "no {n} in {:?}",
                stats.iter().map(|f| &f.name).collect::<Vec<_>>()
            )
        })
    };
    // Count by hand from the events.
    let events: Vec<Value> = (0..t.num_rows())
        .map(|r| t.source_event(r).unwrap())
        .collect();
    let arn_present = events
        .iter()
        .filter(|e| match e.member("userIdentity") {
            Value::Record(r) => r.fields.iter().any(|(k, _)| &**k == "arn"),
            _ => false,
        })
        .count();
    let arn = find("event[userIdentity][arn]");
    assert_eq!(arn.present, arn_present);
    let mut counts: std::collections::HashMap<String, usize> = Default::default();
    for e in &events {
        if let Value::Str(a) = e.member("userIdentity").member("arn") {
            *counts.entry(a.to_string()).or_default() += 1;
        }
    }
    let max = counts.values().max().copied().unwrap();
    assert_eq!(arn.top[0].1, max);
    assert_eq!(arn.distinct, counts.len());
    // Array elements are paths too, written as iterative expressions.
    let types = find("event[resources][][type]");
    assert!(types
        .top
        .iter()
        .any(|(v, _)| v.as_str() == Some("AWS::S3::Bucket")));
    assert_eq!(
        find("event[eventSource]").top,
        vec![(Value::str("s3.amazonaws.com"), t.num_rows())]
    );
    // Plain columns are counted too; `content` only by presence.
    assert_eq!(find("content").present, t.num_rows());
    assert!(find("aws.region").present > 0);
}

/// `TextFilter` is exact: for every event, "may contain" is exactly "the event's text contains
/// it", for literals that can only stand inside strings; others get no filter.
#[test]
fn text_filter_agrees_with_the_text() {
    use trailscope_engine::storage::TextFilter;
    let mut s = store();
    // Add events with escapes: a bidi character, a quote and a backslash, a newline.
    let odd = r#"{"Records":[{"eventTime":"2026-11-20T11:00:00Z","eventID":"odd1","eventName":"x\u202ey","userAgent":"a\"b\\c\nd/e","n":1.5e10,"t":true}]}"#;
    let mut l = Loader::new(LoadOptions::default());
    l.add_bytes("odd.json", odd.as_bytes());
    let extra = l.finish().0;
    for store in [&mut s, &mut extra.clone()] {
        for lit in [
            ":user/",
            "AccessDenied",
            "us-east-1",
            "arn:aws",
            "Bucket",
            "/",
            "x",
            "u202e",
            "d/e",
            "nd/",
            "eventName",
            "Name\":",
            "1.5e10",
            "true",
            "ConsoleLogin",
            "é",
        ] {
            let Some(mut f) = TextFilter::new(store, lit) else {
                assert!(
                    lit.contains('"')
                        || lit
                            .chars()
                            .all(|c| "{}[]:,0123456789+-.eEtrufalsn".contains(c)),
                    "{lit} should be filterable"
                );
                continue;
            };
            for row in 0..store.len() as u32 {
                let text = store.content(row);
                assert_eq!(
                    f.may_contain(store, row),
                    text.contains(lit),
                    "{lit:?} in {text}"
                );
            }
        }
    }
}

/// `filter contains(content, "…")` answers from the strings' text without rebuilding events;
/// it keeps exactly the rows the general path keeps (`… == true` takes that path), for
/// filterable literals and others, and `filterOut` the rest.
#[test]
fn contains_over_content_agrees_with_the_text() {
    let s = store();
    let ids = |q: &str| -> Vec<String> {
        let t = run(&s, q);
        (0..t.num_rows()).map(|r| t.row_json(r)).collect()
    };
    let mut kept_some = 0;
    for lit in [
        ":user/",
        "AccessDenied",
        "arn:aws:iam::",
        "ConsoleLogin",
        "\"eventName\":\"ConsoleLogin\"",
        "kms",
        "1",
        "true",
        "é",
        "nothing-like-this",
    ] {
        let q = |cond: &str| {
            format!(
                "fetch logs | filter {cond} | parse content, \"JSON:e\" | fields id = e[eventID]"
            )
        };
        let quoted = trailscope_engine::syntax::quote::string(lit);
        let fast = ids(&q(&format!("contains(content, {quoted})")));
        let general = ids(&q(&format!("contains(content, {quoted}) == true")));
        assert_eq!(fast, general, "{lit}");
        let out = ids(&format!(
            "fetch logs | filterOut contains(content, {quoted}) | parse content, \"JSON:e\" | fields id = e[eventID]"
        ));
        assert_eq!(fast.len() + out.len(), s.len(), "{lit}");
        kept_some += usize::from(!fast.is_empty());
    }
    assert!(kept_some >= 6, "the literals should find events");
}
