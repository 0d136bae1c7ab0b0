//! Acceptance tests: the CloudTrail queries of the seed document, run through the
//! `trailscope` binary against the hand-made fixture export in `tests/fixtures/seed`.
//!
//! Each query lives in `tests/fixtures/seed/queries/NN-name.dql` (verbatim from the seed
//! document) and its expected JSON Lines output in `tests/fixtures/seed/expected/NN-name.jsonl`.
//! The expectations were derived by hand from the fixture data and cross-checked with an
//! independent script; `tests/fixtures/seed/README.md` explains every value.
//!
//! Comparison rules:
//! * every stdout line must be a JSON object whose keys come in the expected column order;
//! * `content` is compared as parsed JSON (whitespace/key order of the text do not matter);
//! * `log.source` is only checked to end with the expected file name;
//! * rows are compared in order where the query defines one (fetch = newest first, `sort`),
//!   and as an unordered multiset for `summarize` and unsorted `makeTimeseries`.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

const BUCKET: &str = "my_aws_bucket";
const NOW: &str = "2026-11-20T12:00:00Z";

/// Columns of a fetched CloudTrail log record, in order.
const LOG_COLUMNS: [&str; 7] = [
    "timestamp",
    "content",
    "aws.service",
    "aws.account.id",
    "aws.region",
    "dt.system.bucket",
    "log.source",
];

// ---------------------------------------------------------------------------------------------
// One test per seed query
// ---------------------------------------------------------------------------------------------

/// `fetch logs, from: -30min | filter aws.service == "cloudtrail"`:
/// the 84 unique events with eventTime in [11:30:00, 12:00:00), newest first.
#[test]
fn q01_fetch_cloudtrail() {
    let out = run_query("01-fetch-cloudtrail");
    let expected = expected_rows("01-fetch-cloudtrail");
    assert_eq!(expected.rows.len(), 84);
    assert_columns(&out, &LOG_COLUMNS);
    assert_rows_in_order("01-fetch-cloudtrail", &out.rows, &expected.rows);
}

/// Same as 01 with the bucket filter in front; every record is in `my_aws_bucket`.
#[test]
fn q02_fetch_bucket() {
    let out = run_query("02-fetch-bucket");
    let expected = expected_rows("02-fetch-bucket");
    assert_eq!(expected.rows.len(), 84);
    assert_columns(&out, &LOG_COLUMNS);
    assert_rows_in_order("02-fetch-bucket", &out.rows, &expected.rows);
}

/// `... | parse content, "JSON:event"`: the 02 rows plus an `event` record column.
///
/// Reduced expectation: the expected file only lists, per row in order, the timestamp,
/// account, region, log file and the eventID; the full record is checked by requiring
/// `event` to equal the parsed `content`.
#[test]
fn q03_parse_json() {
    let out = run_query("03-parse-json");
    let expected = expected_rows("03-parse-json");
    assert_eq!(expected.rows.len(), 84);
    let mut columns = LOG_COLUMNS.to_vec();
    columns.push("event");
    assert_columns(&out, &columns);
    assert_eq!(
        out.rows.len(),
        expected.rows.len(),
        "03-parse-json: row count\nstdout rows: {:#?}",
        event_ids(&out.rows)
    );
    for (i, (actual, want)) in out.rows.iter().zip(&expected.rows).enumerate() {
        let content = parse_json_text(&actual["content"], "content");
        let event = &actual["event"];
        assert!(
            event.is_object(),
            "row {i}: `event` is not a record: {event}"
        );
        assert_eq!(
            event, &content,
            "row {i}: `event` differs from the parsed `content`"
        );
        assert_eq!(
            event["eventID"], want["eventID"],
            "row {i}: eventID (rows must be newest first)"
        );
        for key in ["timestamp", "aws.account.id", "aws.region"] {
            assert_eq!(actual[key], want[key], "row {i}: column `{key}`");
        }
        assert_eq!(actual["aws.service"], "cloudtrail", "row {i}: aws.service");
        assert_eq!(
            actual["dt.system.bucket"], BUCKET,
            "row {i}: dt.system.bucket"
        );
        assert_eq!(
            file_name(&actual["log.source"]),
            file_name(&want["log.source"]),
            "row {i}: log.source"
        );
    }
}

/// Sign-in failures summarized by IP, reason, region, user ARN and MFA use: 5 groups,
/// including a `reason = null` group (failure without errorMessage) and a `userARN = null`
/// group (unknown user names hide the ARN). The duplicated and out-of-window failures are not
/// counted.
#[test]
fn q04_console_login_failures() {
    let out = run_query("04-console-login-failures");
    let expected = expected_rows("04-console-login-failures");
    assert_eq!(expected.rows.len(), 5);
    assert_columns(
        &out,
        &[
            "ipAddr", "reason", "region", "userARN", "MFAUsed", "count()",
        ],
    );
    assert_rows_unordered("04-console-login-failures", &out.rows, &expected.rows);
}

/// AccessDenied / UnauthorizedOperation per eventName as 1-minute series, top 10 by the
/// average of the non-empty minutes. Eleven eventNames qualify; CreateKey (avg 1.0) is cut.
#[test]
fn q05_unauthorized_top10() {
    let out = run_query("05-unauthorized-top10");
    let expected = expected_rows("05-unauthorized-top10");
    assert_eq!(expected.rows.len(), 10);
    assert_columns(&out, &["timeframe", "interval", "eventName", "event_count"]);
    assert_rows_in_order("05-unauthorized-top10", &out.rows, &expected.rows);
}

/// The two-dimension variant (`user`, `eventName`) appended to the same base pipeline:
/// 17 series, including one with `user = null` (an AWSService identity has no ARN).
#[test]
fn q06_unauthorized_by_user() {
    let out = run_query("06-unauthorized-by-user");
    let expected = expected_rows("06-unauthorized-by-user");
    assert_eq!(expected.rows.len(), 17);
    assert_columns(
        &out,
        &["timeframe", "interval", "user", "eventName", "count()"],
    );
    assert_rows_unordered("06-unauthorized-by-user", &out.rows, &expected.rows);
}

/// Client.RequestLimitExceeded per eventName: 3 series (ThrottlingException does not match).
#[test]
fn q07_api_throttling() {
    let out = run_query("07-api-throttling");
    let expected = expected_rows("07-api-throttling");
    assert_eq!(expected.rows.len(), 3);
    assert_columns(&out, &["timeframe", "interval", "eventName", "count()"]);
    assert_rows_unordered("07-api-throttling", &out.rows, &expected.rows);
}

/// CreateKey events whose origin does not start with "AWS_", newest first: 4 rows, including
/// the one without any origin (startsWith(null, ..) is null, so filterOut keeps it) and the
/// denied one (null keyUsage/keyId).
#[test]
fn q08_kms_external_keys() {
    let out = run_query("08-kms-external-keys");
    let expected = expected_rows("08-kms-external-keys");
    assert_eq!(expected.rows.len(), 4);
    assert_columns(
        &out,
        &[
            "eventName",
            "origin",
            "keyUsage",
            "region",
            "userARN",
            "keyId",
        ],
    );
    assert_rows_in_order("08-kms-external-keys", &out.rows, &expected.rows);
}

/// The load report on stderr mentions the one duplicate event (same eventID in two files)
/// and the skipped CloudTrail-Digest file.
#[test]
fn load_report_mentions_duplicate_and_digest() {
    let out = run_query("01-fetch-cloudtrail");
    let report = out.stderr.to_lowercase();
    assert!(
        report.contains("digest"),
        "stderr does not mention the digest file:\n{}",
        out.stderr
    );
    let duplicate_lines: Vec<&str> = report.lines().filter(|l| l.contains("duplicate")).collect();
    assert!(
        !duplicate_lines.is_empty(),
        "stderr does not mention duplicates:\n{}",
        out.stderr
    );
    assert!(
        duplicate_lines.iter().any(|line| has_number(line, 1)),
        "stderr should report 1 duplicate:\n{}",
        out.stderr
    );
}

// ---------------------------------------------------------------------------------------------
// Running the binary and reading expectations
// ---------------------------------------------------------------------------------------------

/// Rows of a JSON Lines text, with the key order of each line.
struct JsonLines {
    rows: Vec<Value>,
    keys: Vec<Vec<String>>,
}

struct QueryOutput {
    rows: Vec<Value>,
    keys: Vec<Vec<String>>,
    stderr: String,
}

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/seed")
}

fn run_query(name: &str) -> QueryOutput {
    let dir = fixture_dir();
    let query_path = dir.join("queries").join(format!("{name}.dql"));
    let query = std::fs::read_to_string(&query_path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", query_path.display()));
    let output = Command::new(env!("CARGO_BIN_EXE_trailscope"))
        .args([
            "query", "--bucket", BUCKET, "--now", NOW, "--format", "json",
        ])
        .arg(&query)
        .arg(dir.join("AWSLogs"))
        .output()
        .expect("cannot run the trailscope binary");
    let stdout = String::from_utf8(output.stdout).expect("stdout is not UTF-8");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(
        output.status.success(),
        "{name}: trailscope exited with {}\nstderr:\n{stderr}\nstdout:\n{stdout}",
        output.status
    );
    let parsed = parse_json_lines(&stdout, &format!("{name}: stdout"));
    QueryOutput {
        rows: parsed.rows,
        keys: parsed.keys,
        stderr,
    }
}

fn expected_rows(name: &str) -> JsonLines {
    let path = fixture_dir().join("expected").join(format!("{name}.jsonl"));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    parse_json_lines(&text, &path.display().to_string())
}

fn parse_json_lines(text: &str, what: &str) -> JsonLines {
    let mut rows = Vec::new();
    let mut keys = Vec::new();
    for (n, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let value: Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("{what}, line {}: not JSON ({e}): {line}", n + 1));
        assert!(
            value.is_object(),
            "{what}, line {}: not a JSON object: {line}",
            n + 1
        );
        keys.push(top_level_keys(line));
        rows.push(value);
    }
    JsonLines { rows, keys }
}

// ---------------------------------------------------------------------------------------------
// Comparison helpers
// ---------------------------------------------------------------------------------------------

/// Every output row has exactly these keys, in this order.
fn assert_columns(out: &QueryOutput, columns: &[&str]) {
    for (i, keys) in out.keys.iter().enumerate() {
        assert_eq!(keys, columns, "row {i}: columns (in order)");
    }
}

/// Makes a row comparable: `content` becomes parsed JSON, `log.source` its file name.
fn normalize(row: &Value) -> Value {
    let mut row = row.clone();
    if let Some(obj) = row.as_object_mut() {
        if let Some(content) = obj.get("content").cloned() {
            obj.insert("content".into(), parse_json_text(&content, "content"));
        }
        if let Some(source) = obj.get("log.source").cloned() {
            obj.insert("log.source".into(), file_name(&source));
        }
    }
    row
}

fn assert_rows_in_order(name: &str, actual: &[Value], expected: &[Value]) {
    let actual: Vec<Value> = actual.iter().map(normalize).collect();
    let expected: Vec<Value> = expected.iter().map(normalize).collect();
    for (i, (a, e)) in actual.iter().zip(&expected).enumerate() {
        assert_eq!(
            a, e,
            "{name}: row {i} differs\n  actual:   {a}\n  expected: {e}"
        );
    }
    assert_eq!(
        actual.len(),
        expected.len(),
        "{name}: row count differs (the first {} rows match)",
        actual.len().min(expected.len())
    );
}

fn assert_rows_unordered(name: &str, actual: &[Value], expected: &[Value]) {
    let mut missing: Vec<String> = expected.iter().map(|r| normalize(r).to_string()).collect();
    let mut unexpected = Vec::new();
    for row in actual {
        let row = normalize(row).to_string();
        match missing.iter().position(|m| *m == row) {
            Some(at) => {
                missing.swap_remove(at);
            }
            None => unexpected.push(row),
        }
    }
    assert!(
        missing.is_empty() && unexpected.is_empty(),
        "{name}: rows differ (order ignored)\nmissing rows:\n  {}\nunexpected rows:\n  {}",
        missing.join("\n  "),
        unexpected.join("\n  ")
    );
}

/// Parses a JSON text held in a string column.
fn parse_json_text(value: &Value, column: &str) -> Value {
    let text = value
        .as_str()
        .unwrap_or_else(|| panic!("`{column}` is not a string: {value}"));
    serde_json::from_str(text).unwrap_or_else(|e| panic!("`{column}` is not JSON ({e}): {text}"))
}

/// The last path component of a `log.source` value.
fn file_name(value: &Value) -> Value {
    match value.as_str() {
        Some(path) => Value::String(path.rsplit(['/', '\\']).next().unwrap_or(path).to_string()),
        None => value.clone(),
    }
}

fn event_ids(rows: &[Value]) -> Vec<String> {
    rows.iter()
        .map(|r| r["event"]["eventID"].to_string())
        .collect()
}

/// Whether `text` contains `n` as a whole number (not part of a longer digit run).
fn has_number(text: &str, n: u64) -> bool {
    text.split(|c: char| !c.is_ascii_digit())
        .any(|run| run.parse::<u64>() == Ok(n))
}

/// The keys of a (valid) JSON object text at the top level, in the order they appear.
/// `serde_json::Value` does not keep key order, so column order is checked on the text.
fn top_level_keys(json: &str) -> Vec<String> {
    let bytes = json.as_bytes();
    let mut keys = Vec::new();
    let mut depth = 0usize;
    let mut expect_key = false;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                let start = i;
                i += 1;
                while bytes[i] != b'"' {
                    if bytes[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
                if depth == 1 && expect_key {
                    keys.push(serde_json::from_str(&json[start..=i]).expect("a JSON string"));
                    expect_key = false;
                }
            }
            b'{' | b'[' => {
                depth += 1;
                expect_key = depth == 1 && bytes[i] == b'{';
            }
            b'}' | b']' => depth -= 1,
            b',' if depth == 1 => expect_key = true,
            _ => {}
        }
        i += 1;
    }
    keys
}
