use super::*;
use crate::ingest::{load_bytes, LoadOptions};

fn store() -> std::sync::Arc<Store> {
    let events = r#"{"Records":[
 {"eventTime":"2026-11-20T11:00:00Z","eventID":"a","eventName":"ConsoleLogin","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/alice","accountId":"1"}},
 {"eventTime":"2026-11-20T11:01:00Z","eventID":"b","eventName":"GetObject","userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::1:assumed-role/r/s","sessionContext":{"mfa":true}}}
]}"#;
    load_bytes("e.json", events.as_bytes(), LoadOptions::default()).0
}

/// Completions at the `‸` of `text`: the labels, and the text the first one would make.
fn at(text: &str) -> (Vec<String>, String) {
    let cursor = text.find('‸').expect("a cursor");
    let t = text.replace('‸', "");
    let s = store();
    let c = complete(Some(&s), &t, cursor);
    let applied = match c.items.first() {
        Some(first) => format!(
            "{}{}{}",
            &t[..c.replace.start],
            first.insert,
            &t[c.replace.end..]
        ),
        None => t.clone(),
    };
    (c.items.into_iter().map(|i| i.label).collect(), applied)
}

#[test]
fn commands_after_a_pipe_and_sources_first() {
    let (labels, applied) = at("fetch logs | fil‸");
    assert_eq!(labels, ["filter", "filterOut"]);
    assert_eq!(applied, "fetch logs | filter ");
    let (labels, _) = at("‸");
    assert_eq!(labels, ["fetch", "data"]);
    let (labels, _) = at("fetch logs | join [‸");
    assert_eq!(labels, ["fetch", "data"]);
    let (labels, _) = at("fetch logs | join [fetch logs | ‸");
    assert!(labels.contains(&"summarize".to_string()) && !labels.contains(&"fetch".to_string()));
}

#[test]
fn parameters_of_the_command_and_the_function() {
    let (labels, applied) = at("fetch logs | summarize count(), b‸");
    assert_eq!(labels[0], "by:");
    assert_eq!(applied, "fetch logs | summarize count(), by: ");
    let (labels, _) = at("fetch logs | fields x = substring(content, ‸");
    assert!(labels.contains(&"from:".to_string()) && labels.contains(&"to:".to_string()));
}

#[test]
fn fields_of_the_pipeline_so_far() {
    let (labels, _) = at("data record(alpha = 1, beta = 2) | fields a = 1, alpha | filter ‸");
    assert!(
        labels.starts_with(&["a".to_string(), "alpha".to_string()]),
        "{labels:?}"
    );
    assert!(!labels.contains(&"beta".to_string()));
    let (labels, applied) = at("fetch logs | filter aws.reg‸");
    assert_eq!(labels, ["aws.region"]);
    assert_eq!(applied, "fetch logs | filter aws.region");
    // Names that need backticks get them.
    let (_, applied) = at("data record(`count()` = 1) | filter cou‸");
    assert_eq!(applied, "data record(`count()` = 1) | filter `count()`");
}

#[test]
fn members_of_parsed_events_from_the_data() {
    let (labels, applied) =
        at("fetch logs | parse content, \"JSON:event\" | filter event[userIdentity][‸");
    // Most frequent first: every event has `arn` and `type`.
    assert_eq!(labels[..2], ["arn", "type"]);
    assert!(
        labels.contains(&"sessionContext".to_string()) && labels.contains(&"accountId".to_string())
    );
    assert!(applied.ends_with("event[userIdentity][arn]"), "{applied}");
    let (labels, _) = at("fetch logs | parse content, \"JSON:event\" | filter event[event‸");
    assert_eq!(labels, ["eventID", "eventName", "eventTime"]);
    // A record that is no parsed event has no members to learn.
    let (labels, _) = at("data record(r = record(a = 1)) | filter r[‸");
    assert!(labels.is_empty());
}

#[test]
fn functions_with_their_signature_and_what_may_follow_a_value() {
    let s = store();
    let c = complete(Some(&s), "fetch logs | filter startsW", 26);
    let f = &c.items[0];
    assert_eq!((f.label.as_str(), f.kind), ("startsWith", Kind::Function));
    assert!(f.detail.starts_with("startsWith(") && !f.doc.is_empty());
    let (labels, _) = at("fetch logs | filter content ‸");
    assert!(labels.contains(&"and".to_string()) && labels.contains(&"in".to_string()));
}

#[test]
fn signature_help_names_the_parameter_being_written() {
    let h = signature_help("fetch logs | fields s = substring(content, 2", 44).unwrap();
    assert!(h.signature.starts_with("substring("));
    assert_eq!(h.active, 1);
    assert_eq!(signature_help("fetch logs | filter a", 21), None);
}

#[test]
fn any_cursor_in_any_text_is_safe() {
    let s = store();
    for t in [
        "",
        "fetch logs | filter event[",
        "é|[(",
        "[[[]]]",
        "data record(a = \"x",
        "`a",
        "a[][",
    ] {
        for i in 0..=t.len() + 2 {
            let c = complete(Some(&s), t, i);
            assert!(c.replace.start <= c.replace.end && c.replace.end <= t.len());
            let _ = signature_help(t, i);
        }
    }
}
