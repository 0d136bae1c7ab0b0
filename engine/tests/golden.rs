//! The golden corpus, the specification: every `tests/golden/**/*.dql` file is its own test
//! (a failure names its file; `cargo test -p trailscope-engine --test golden -- NAME` runs the
//! files whose path contains NAME).
//!
//! ```text
//! // data: fixtures/seed/AWSLogs      (optional; relative to tests/; omit for `data` queries;
//!                                     settings may follow other leading comments)
//! // now: 2026-11-20T12:00:00Z        (optional)
//! // bucket: my_aws_bucket            (optional)
//! fetch logs | …
//! ---- plan                           (optional: what `EXPLAIN` prints)
//! fetch logs, from: …
//! ----
//! {"column":"value",…}                (one JSON object per result row, keys in column order)
//! ```
//! An error case has `---- error` followed by the rendered diagnostics. Warnings and notices of
//! a successful query follow the rows as `! ` lines. `BLESS=1` rewrites expectations (the plan
//! section only where a file has one) from the engine; review them with `git diff`.
//!
//! Folder rules, checked for every file:
//! - `errors/`: the query fails with at least one error;
//! - `unsupported/`: the query fails and an error says what is "not supported";
//! - `warnings/`: the query runs and gives at least one warning;
//! - anywhere else: the query runs (no error).
//!
//! A deliberate difference from Dynatrace is marked with a line
//! `// DIFFERENCE FROM DYNATRACE: <topic>` (`tests/differences.rs` checks that the topics are
//! exactly those of the table in ARCHITECTURE.md).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use trailscope_engine::{
    explain_query, render_diagnostics, run_query, time, LoadOptions, Loader, QueryOptions, Store,
};

const MARK: &str = "// DIFFERENCE FROM DYNATRACE: ";

fn tests_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests")
}

struct Case {
    data: Option<String>,
    now: Option<String>,
    bucket: String,
    query: String,
    /// The expected `---- plan` section, if the file has one.
    plan: Option<String>,
    expected: String,
}

fn parse_case(text: &str) -> Case {
    let (head, rest) = match text.find("\n----") {
        Some(i) => (&text[..i], &text[i + 1..]),
        None => (text, ""),
    };
    let (plan, expected) = match rest.strip_prefix("---- plan\n") {
        Some(p) => match p.find("\n----") {
            Some(i) => (Some(p[..i].trim_end().to_string()), p[i + 1..].to_string()),
            None => (Some(p.trim_end().to_string()), String::new()),
        },
        None => (None, rest.to_string()),
    };
    let mut c = Case {
        data: None,
        now: None,
        bucket: "default_logs".into(),
        query: String::new(),
        plan,
        expected,
    };
    let mut query_lines: Vec<&str> = Vec::new();
    for line in head.lines() {
        let meta = line.strip_prefix("// ").and_then(|l| l.split_once(": "));
        // Settings come before the query (after other comments, such as a docs citation).
        let before = query_lines.iter().all(|l| l.starts_with("//"));
        match meta {
            Some(("data", v)) if before => c.data = Some(v.trim().to_string()),
            Some(("now", v)) if before => c.now = Some(v.trim().to_string()),
            Some(("bucket", v)) if before => c.bucket = v.trim().to_string(),
            _ => query_lines.push(line),
        }
    }
    c.query = query_lines.join("\n").trim().to_string();
    c
}

/// Stores are loaded once per (data, bucket) and shared by the tests that run in parallel.
fn store(data: &Option<String>, bucket: &str) -> Result<Arc<Store>, String> {
    type Stores = Mutex<HashMap<(Option<String>, String), Arc<Store>>>;
    static STORES: OnceLock<Stores> = OnceLock::new();
    let stores = STORES.get_or_init(Default::default);
    let key = (data.clone(), bucket.to_string());
    if let Some(s) = stores.lock().map_err(|e| e.to_string())?.get(&key) {
        return Ok(s.clone());
    }
    let mut l = Loader::new(LoadOptions {
        bucket: bucket.to_string(),
    });
    if let Some(d) = data {
        l.add_path(&tests_dir().join(d))
            .map_err(|e| format!("data {d}: {e}"))?;
    }
    let s = l.finish().0;
    stores
        .lock()
        .map_err(|e| e.to_string())?
        .insert(key, s.clone());
    Ok(s)
}

fn options(c: &Case) -> QueryOptions {
    QueryOptions {
        now_ns: c
            .now
            .as_deref()
            .map(|n| time::parse_timestamp(n).expect("bad // now:")),
        from_ns: None,
        to_ns: None,
        limits: Default::default(),
    }
}

fn actual_output(store: &Arc<Store>, c: &Case) -> String {
    match run_query(store, &c.query, &options(c)) {
        Ok(out) => {
            let mut s = String::from("----\n");
            for r in 0..out.table.num_rows() {
                s.push_str(&out.table.row_json(r));
                s.push('\n');
            }
            if out.table.num_rows() == 0 {
                s.push_str(&format!(
                    "(no rows; columns: {})\n",
                    out.table.columns.join(", ")
                ));
            }
            for w in render_diagnostics(&c.query, &out.warnings).lines() {
                s.push_str(format!("! {w}").trim_end());
                s.push('\n');
            }
            for n in &out.notices {
                s.push_str(&format!("! notice: {n}\n"));
            }
            s
        }
        Err(d) => format!("---- error\n{}", render_diagnostics(&c.query, &d)),
    }
}

/// The folder rule for a file (see the module documentation), as an error message.
fn folder_rule(rel: &str, actual: &str) -> Option<String> {
    let failed = actual.starts_with("---- error");
    let top = rel.split('/').next().unwrap_or("");
    match top {
        "errors" if !(failed && actual.contains("\nerror[")) => {
            Some("a query in errors/ must fail with an error".into())
        }
        "unsupported" if !(failed && actual.contains("not supported")) => {
            Some("a query in unsupported/ must fail saying what is not supported".into())
        }
        "warnings" if failed || !actual.contains("\n! warning[") => {
            Some("a query in warnings/ must run and give a warning".into())
        }
        "errors" | "unsupported" | "warnings" => None,
        _ if failed => Some(format!(
            "a query in {top}/ must run without errors (errors belong in errors/)"
        )),
        _ => None,
    }
}

fn golden(path: &Path, text: String) -> datatest_stable::Result<()> {
    let c = parse_case(&text);
    let full = path.to_string_lossy().replace('\\', "/");
    let rel = full
        .split_once("tests/golden/")
        .map_or(full.as_str(), |(_, r)| r)
        .to_string();
    let store = store(&c.data, &c.bucket)?;
    let actual = actual_output(&store, &c);
    let actual_plan =
        c.plan
            .as_ref()
            .map(|_| match explain_query(&store, &c.query, &options(&c)) {
                Ok((plan, _)) => plan,
                Err(d) => format!("(no plan)\n{}", render_diagnostics(&c.query, &d)),
            });
    let bless = std::env::var_os("BLESS").is_some();
    let rows_differ = actual.trim_end() != c.expected.trim_end();
    let plan_differs = match (&c.plan, &actual_plan) {
        (Some(want), Some(got)) => want.trim_end() != got.trim_end(),
        _ => false,
    };
    if rows_differ || plan_differs {
        if bless {
            let head_end = text.find("\n----").map_or(text.len(), |i| i + 1);
            let mut new = text[..head_end].to_string();
            if !new.ends_with('\n') {
                new.push('\n');
            }
            if let Some(p) = &actual_plan {
                new.push_str("---- plan\n");
                new.push_str(p.trim_end());
                new.push('\n');
            }
            new.push_str(&actual);
            std::fs::write(path, new)?;
        } else {
            let mut msg = String::from("differs from the engine (BLESS=1 rewrites it):\n");
            if plan_differs {
                msg.push_str(&format!(
                    "--- expected plan\n{}\n--- actual plan\n{}\n",
                    c.plan.as_deref().unwrap_or("").trim_end(),
                    actual_plan.as_deref().unwrap_or("").trim_end()
                ));
            }
            if rows_differ {
                msg.push_str(&format!(
                    "--- expected\n{}\n--- actual\n{}",
                    c.expected.trim_end(),
                    actual.trim_end()
                ));
            }
            return Err(msg.into());
        }
    }
    if let Some(rule) = folder_rule(&rel, &actual) {
        return Err(format!("{rel}: {rule}").into());
    }
    if rel.starts_with("differences/") && !text.contains(MARK) {
        return Err(format!("{rel}: a file in differences/ carries a `{MARK}<topic>` line").into());
    }
    Ok(())
}

datatest_stable::harness! {
    { test = golden, root = "../tests/golden", pattern = r"\.dql$" },
}
