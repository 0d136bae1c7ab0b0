//! `trailscope query --format csv` writes the engine's one CSV writer (the app's CSV export uses
//! the same): numbers stay numbers, text that a spreadsheet would run gets a leading `'`.

use std::path::Path;
use std::process::Command;

#[test]
fn csv_keeps_numbers_and_defuses_formulas() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/seed/AWSLogs");
    let output = Command::new(env!("CARGO_BIN_EXE_trailscope"))
        .args(["query", "--report", "none", "--format", "csv"])
        .arg(r#"fetch logs | limit 1 | fields n = -5, d = -0.5, s = "-5", f = "=SUM(A1)", `@h` = "a,b""#)
        .arg(data)
        .output()
        .expect("cannot run the trailscope binary");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert_eq!(
        String::from_utf8(output.stdout).expect("UTF-8"),
        "n,d,s,f,'@h\n-5,-0.5,'-5,'=SUM(A1),\"a,b\"\n"
    );
}

/// A query of `data` records runs without an export (the documented examples work as they are);
/// a query that fetches the logs says it needs one.
#[test]
fn data_queries_need_no_export_and_fetch_does() {
    let run = |q: &str| {
        Command::new(env!("CARGO_BIN_EXE_trailscope"))
            .args(["query", "--format", "json", q])
            .output()
            .expect("cannot run the trailscope binary")
    };
    let out = run("data record(a = array(2, 2)), record(a = array(7, 1)) | summarize sum(a[])");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "{\"sum(a[])\":[9.0,3.0]}\n"
    );
    assert!(!String::from_utf8_lossy(&out.stderr).contains("Loaded"));
    let out = run("fetch logs | limit 1");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("expected at least one file"));
}
