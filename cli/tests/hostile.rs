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
