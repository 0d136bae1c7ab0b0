//! The CLI facing hostile or broken input: what it prints and how it exits. Each class of
//! problem found by the red-team pass that the terminal sees has a test here.

use std::path::Path;
use std::process::{Command, Output};

fn trailscope(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_trailscope"))
        .args(args)
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(".."))
        .output()
        .expect("the binary runs")
}

#[test]
fn an_unreadable_path_is_reported_and_the_query_still_runs() {
    let out = trailscope(&[
        "query",
        "--format",
        "json",
        "fetch logs | summarize n = count()",
        "no/such/export.json",
        "tests/fixtures/seed/AWSLogs",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stdout.trim(), r#"{"n":92}"#, "{stderr}");
    assert!(
        stderr.contains("no/such/export.json: cannot read"),
        "{stderr}"
    );
    assert_eq!(out.status.code(), Some(1), "{stderr}");
}

#[test]
fn relative_global_time_frames_are_accepted_as_help_shows() {
    let out = trailscope(&[
        "query",
        "--now",
        "2026-11-20T12:00:00Z",
        "--from",
        "-7d",
        "--to",
        "-1h",
        "--format",
        "json",
        "fetch logs | summarize n = count()",
        "tests/fixtures/seed/AWSLogs",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), r#"{"n":1}"#);
}

/// No control or invisible character of a log value or file name reaches the terminal raw.
fn assert_inert(bytes: &[u8], what: &str) {
    let text = String::from_utf8_lossy(bytes);
    let bad: Vec<char> = text
        .chars()
        .filter(|&c| trailscope_engine::terminal::is_unsafe(c) && c != '\n')
        .collect();
    assert!(bad.is_empty(), "{what} prints {bad:?}:\n{text}");
}

#[test]
fn log_values_and_file_names_cannot_drive_the_terminal() {
    let dir = std::env::temp_dir().join(format!("trailscope-term-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let name = dir.join("evil\u{1b}[31m\u{202e}name.ndjson");
    let event = "{\"eventTime\":\"2026-11-20T11:00:00Z\",\"eventID\":\"x1\",\"userAgent\":\"aws-cli\\u001b[2J\\u001b]0;pwned\\u0007\\u202egnp.exe\",\"eventName\":\"\\u009b31mRed\\u200b\"}\n{broken \u{1b}[5m line\n";
    std::fs::write(&name, event).unwrap();
    let path = name.to_str().unwrap();
    let q = r#"fetch logs | parse content, "JSON:e" | fields `a\u001bb` = e[userAgent], e[eventName], log.source, content"#;
    for format in ["table", "json"] {
        let out = trailscope(&["query", "--format", format, q, path]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_inert(&out.stdout, format);
        assert_inert(&out.stderr, "the load report");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("gnp.exe"), "{text}");
    }
    // Query errors quote the query; a hostile query file must not drive the terminal either.
    let out = trailscope(&[
        "query",
        "fetch logs | filter \u{1b}[2J == \"\u{202e}\"",
        path,
    ]);
    assert_inert(&out.stderr, "a diagnostic");
    let _ = std::fs::remove_dir_all(&dir);
}
