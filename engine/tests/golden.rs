//! The golden corpus: every `tests/golden/**/*.dql` file is a query with its expected result.
//!
//! ```text
//! // data: fixtures/seed/AWSLogs      (optional; relative to tests/; omit for `data` queries)
//! // now: 2026-11-20T12:00:00Z        (optional)
//! // bucket: my_aws_bucket            (optional)
//! fetch logs | …
//! ----
//! {"column":"value",…}                (one JSON object per result row, keys in column order)
//! ```
//! An error case has `---- error` followed by the rendered diagnostics. Warnings and notices of
//! a successful query follow the rows as `! ` lines. Run with `BLESS=1` to rewrite expectations
//! from the engine, then review them with `git diff`: the corpus is the specification.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use trailscope_engine::{
    render_diagnostics, run_query, time, LoadOptions, Loader, QueryOptions, Store,
};

fn tests_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests")
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().is_some_and(|e| e == "dql") {
            out.push(p);
        }
    }
}

struct Case {
    data: Option<String>,
    now: Option<String>,
    bucket: String,
    query: String,
    expected: String,
}

fn parse_case(text: &str) -> Case {
    let (head, expected) = match text.find("\n----") {
        Some(i) => (&text[..i], text[i + 1..].to_string()),
        None => (text, String::new()),
    };
    let mut c = Case {
        data: None,
        now: None,
        bucket: "default_logs".into(),
        query: String::new(),
        expected,
    };
    let mut query_lines = Vec::new();
    for line in head.lines() {
        let meta = line.strip_prefix("// ").and_then(|l| l.split_once(": "));
        match meta {
            Some(("data", v)) if query_lines.is_empty() => c.data = Some(v.trim().to_string()),
            Some(("now", v)) if query_lines.is_empty() => c.now = Some(v.trim().to_string()),
            Some(("bucket", v)) if query_lines.is_empty() => c.bucket = v.trim().to_string(),
            _ => query_lines.push(line),
        }
    }
    c.query = query_lines.join("\n").trim().to_string();
    c
}

fn actual_output(store: &Arc<Store>, c: &Case) -> String {
    let now = c
        .now
        .as_deref()
        .map(|n| time::parse_timestamp(n).expect("bad // now:"));
    let opts = QueryOptions {
        now_ns: now,
        from_ns: None,
        to_ns: None,
    };
    match run_query(store, &c.query, &opts) {
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

#[test]
fn golden_corpus() {
    let mut files = Vec::new();
    collect(&tests_dir().join("golden"), &mut files);
    assert!(!files.is_empty(), "no golden files found");
    let bless = std::env::var_os("BLESS").is_some();
    let mut stores: HashMap<(Option<String>, String), Arc<Store>> = HashMap::new();
    let mut failures = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let c = parse_case(&text);
        let key = (c.data.clone(), c.bucket.clone());
        let store = stores
            .entry(key)
            .or_insert_with(|| {
                let mut l = Loader::new(LoadOptions {
                    bucket: c.bucket.clone(),
                });
                if let Some(d) = &c.data {
                    l.add_path(&tests_dir().join(d))
                        .unwrap_or_else(|e| panic!("{}: data {d}: {e}", f.display()));
                }
                l.finish().0
            })
            .clone();
        let actual = actual_output(&store, &c);
        let normalized_expected = c.expected.trim_end().to_string();
        if actual.trim_end() != normalized_expected {
            if bless {
                let head_end = text.find("\n----").map_or(text.len(), |i| i + 1);
                let mut new = text[..head_end].to_string();
                if !new.ends_with('\n') {
                    new.push('\n');
                }
                new.push_str(&actual);
                std::fs::write(f, new).unwrap();
            } else {
                failures.push(format!(
                    "{}:\n--- expected\n{}\n--- actual\n{}",
                    f.display(),
                    normalized_expected,
                    actual.trim_end()
                ));
            }
        }
    }
    println!("{} golden files checked", files.len());
    assert!(
        failures.is_empty(),
        "{} golden files differ (BLESS=1 rewrites them):\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
