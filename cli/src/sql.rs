//! `trailscope sql` (a query as one SQL statement of a dialect) and `trailscope spark` (that
//! statement run on Apache Spark through PySpark, with `cli/spark/driver.py`).

use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Command as Process, ExitCode, Stdio};

use trailscope_engine::render_diagnostics;
use trailscope_engine::sql::{self, Dialect, SqlOptions, Translation};

/// The driver `trailscope spark` runs (written to a temporary folder at each run).
const DRIVER: &str = include_str!("../spark/driver.py");

#[derive(clap::Args)]
pub struct SqlArgs {
    /// spark, athena or duckdb.
    #[arg(long, default_value = "spark")]
    dialect: String,
    /// The table or view of events (default: cloudtrail; Athena: cloudtrail_logs).
    #[arg(long)]
    table: Option<String>,
    #[command(flatten)]
    common: Common,
    /// Print a JSON object (`sql`, result `columns` with their kinds, member `paths` read)
    /// instead of the statement.
    #[arg(long)]
    json: bool,
    /// The query (unless -f).
    query: Option<String>,
}

#[derive(clap::Args)]
pub struct SparkArgs {
    /// Spark master URL (default: local mode on two threads).
    #[arg(long, default_value = "local[2]")]
    master: String,
    /// table, or json (JSON Lines, as `trailscope query --format json`).
    #[arg(long, default_value = "table")]
    format: String,
    /// The Python with PySpark (default: $TRAILSCOPE_PYTHON, then .tools/sql-venv/bin/python
    /// of this repository, then python3).
    #[arg(long)]
    python: Option<PathBuf>,
    #[command(flatten)]
    common: Common,
    /// The query (unless -f), then the files and folders (or s3a:// URLs) to read.
    #[arg(required = true)]
    args: Vec<String>,
}

#[derive(clap::Args)]
struct Common {
    /// Read the query from this file.
    #[arg(short = 'f', long = "file")]
    file: Option<PathBuf>,
    #[command(flatten)]
    frame: super::Frame,
}

impl Common {
    fn options(&self, table: Option<String>) -> Result<SqlOptions, String> {
        let (now, from_ns, to_ns) = self.frame.resolve()?;
        Ok(SqlOptions {
            table,
            now_ns: Some(now),
            from_ns,
            to_ns,
            bucket: self.frame.bucket.clone(),
        })
    }

    fn query(&self, first: Option<&String>) -> Result<String, String> {
        match (&self.file, first) {
            (Some(f), _) => std::fs::read_to_string(f)
                .map_err(|e| format!("cannot read query file {}: {e}", f.display())),
            (None, Some(q)) => Ok(q.clone()),
            (None, None) => Err("expected a query (or -f FILE)".into()),
        }
    }
}

fn translate(query: &str, dialect: Dialect, opts: &SqlOptions) -> Result<Translation, ExitCode> {
    sql::translate(query, dialect, opts).map_err(|d| {
        eprint!("{}", super::safe(&render_diagnostics(query, &d)));
        ExitCode::from(2)
    })
}

fn translation_json(t: &Translation) -> String {
    let cols: Vec<String> = t
        .columns
        .iter()
        .map(|c| {
            format!(
                "{{\"name\":{},\"kind\":\"{}\"}}",
                json_str(&c.name),
                c.kind.name()
            )
        })
        .collect();
    let paths: Vec<String> = t
        .paths
        .iter()
        .map(|p| {
            format!(
                "[{}]",
                p.iter().map(|k| json_str(k)).collect::<Vec<_>>().join(",")
            )
        })
        .collect();
    format!(
        "{{\"sql\":{},\"columns\":[{}],\"paths\":[{}]}}",
        json_str(&t.sql),
        cols.join(","),
        paths.join(",")
    )
}

fn json_str(s: &str) -> String {
    let mut out = String::new();
    trailscope_engine::value::write_json_string(&mut out, s);
    out
}

pub fn sql(a: SqlArgs) -> ExitCode {
    let Some(dialect) = Dialect::from_name(&a.dialect) else {
        eprintln!(
            "error: expected a dialect (spark, athena or duckdb), found {:?}",
            a.dialect
        );
        return ExitCode::from(2);
    };
    let (query, opts) = match a
        .common
        .query(a.query.as_ref())
        .and_then(|q| Ok((q, a.common.options(a.table.clone())?)))
    {
        Ok(x) => x,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    match translate(&query, dialect, &opts) {
        Ok(t) if a.json => println!("{}", translation_json(&t)),
        Ok(t) => println!("{};", t.sql),
        Err(code) => return code,
    }
    ExitCode::SUCCESS
}

/// The Python that has PySpark: --python, $TRAILSCOPE_PYTHON, the repository's venv (found
/// from the executable's folder or the working folder), python3.
fn python(given: &Option<PathBuf>) -> PathBuf {
    if let Some(p) = given {
        return p.clone();
    }
    if let Some(p) = std::env::var_os("TRAILSCOPE_PYTHON") {
        return PathBuf::from(p);
    }
    let venv = std::path::Path::new(".tools/sql-venv/bin/python");
    let mut bases: Vec<PathBuf> = std::env::current_dir().into_iter().collect();
    if let Ok(exe) = std::env::current_exe() {
        bases.extend(exe.ancestors().map(PathBuf::from));
    }
    bases
        .into_iter()
        .map(|b| b.join(venv))
        .find(|p| p.is_file())
        .unwrap_or_else(|| PathBuf::from("python3"))
}

pub fn spark(a: SparkArgs) -> ExitCode {
    let first = if a.common.file.is_some() {
        None
    } else {
        a.args.first()
    };
    let paths: Vec<&String> = a.args.iter().skip(usize::from(first.is_some())).collect();
    let (query, opts) = match a
        .common
        .query(first)
        .and_then(|q| Ok((q, a.common.options(None)?)))
    {
        Ok(x) => x,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    if paths.is_empty() {
        eprintln!("error: expected at least one file or folder to read after the query");
        return ExitCode::from(1);
    }
    let t = match translate(&query, Dialect::Spark, &opts) {
        Ok(t) => t,
        Err(code) => return code,
    };
    let dir = std::env::temp_dir().join(format!("trailscope-spark-{}", std::process::id()));
    let driver = dir.join("driver.py");
    if let Err(e) = std::fs::create_dir_all(&dir).and_then(|_| std::fs::write(&driver, DRIVER)) {
        eprintln!(
            "error: cannot write the Spark driver to {}: {e}",
            dir.display()
        );
        return ExitCode::from(1);
    }
    let py = python(&a.python);
    let child = Process::new(&py)
        .arg(&driver)
        .arg("--master")
        .arg(&a.master)
        .args(&paths)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: cannot run {}: {e}\nhint: install PySpark with scripts/setup-sql-tools (or pass --python)", py.display());
            let _ = std::fs::remove_dir_all(&dir);
            return ExitCode::from(1);
        }
    };
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(translation_json(&t).as_bytes());
    }
    let out = child.wait_with_output();
    let _ = std::fs::remove_dir_all(&dir);
    let out = match out {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: the Spark driver failed: {e}");
            return ExitCode::from(1);
        }
    };
    if !out.status.success() {
        // Spark's own log is long: its error lines, else the end of it.
        let err = String::from_utf8_lossy(&out.stderr);
        let errors: Vec<&str> = err.lines().filter(|l| l.starts_with("error:")).collect();
        let shown = if errors.is_empty() {
            err.lines()
                .rev()
                .take(20)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect()
        } else {
            errors
        };
        eprintln!("{}", super::safe(&shown.join("\n")));
        return ExitCode::from(2);
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let mut stdout = std::io::stdout().lock();
    let _ = if a.format == "json" {
        write!(stdout, "{}", super::safe(&text))
    } else {
        write!(stdout, "{}", super::safe(&table(&t.columns, &text)))
    };
    ExitCode::SUCCESS
}

/// JSON Lines rows as an aligned text table (cells as their JSON, strings unquoted).
fn table(columns: &[sql::OutColumn], lines: &str) -> String {
    let names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
    let rows: Vec<Vec<String>> = lines
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            columns
                .iter()
                .map(|c| shown(&cell(l, &c.name), c.kind))
                .collect()
        })
        .collect();
    let mut width: Vec<usize> = names.iter().map(|n| n.chars().count()).collect();
    for r in &rows {
        for (w, c) in width.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count()).min(80);
        }
    }
    let line = |cells: Vec<String>| {
        let parts: Vec<String> = cells
            .iter()
            .zip(&width)
            .map(|(c, w)| {
                let c: String = c.chars().take(*w).collect();
                format!("{c:<w$}")
            })
            .collect();
        parts.join("  ").trim_end().to_string() + "\n"
    };
    let mut out = line(names.iter().map(|n| n.to_string()).collect());
    for r in rows {
        out.push_str(&line(r));
    }
    out.push_str(&format!(
        "({} rows)\n",
        lines.lines().filter(|l| !l.trim().is_empty()).count()
    ));
    out
}

/// A cell as `trailscope query` shows it: a time frame as `start – end`, a duration as text.
fn shown(text: &str, kind: sql::OutKind) -> String {
    use trailscope_engine::time::format_duration;
    match kind {
        sql::OutKind::Duration => text
            .parse::<i64>()
            .map_or_else(|_| text.to_string(), format_duration),
        sql::OutKind::Timeframe => {
            let part = |k: &str| {
                let key = format!("\"{k}\": \"");
                let at = text.find(&key)? + key.len();
                text[at..].split('"').next().map(str::to_string)
            };
            match (part("start"), part("end")) {
                (Some(a), Some(b)) => format!("{a} – {b}"),
                _ => text.to_string(),
            }
        }
        _ => text.to_string(),
    }
}

/// The text of member `name` of a JSON object line (the driver writes flat keys in order).
fn cell(line: &str, name: &str) -> String {
    let key = format!("{}:", json_str(name));
    let Some(start) = line.find(&key).map(|i| i + key.len()) else {
        return String::new();
    };
    // The value runs to the next top-level comma or the closing brace.
    let rest = &line[start..];
    let (mut depth, mut in_str, mut esc, mut end) = (0i32, false, false, rest.len());
    for (i, ch) in rest.char_indices() {
        match (in_str, ch) {
            (true, _) if esc => esc = false,
            (true, '\\') => esc = true,
            (true, '"') => in_str = false,
            (false, '"') => in_str = true,
            (false, '{' | '[') => depth += 1,
            (false, '}' | ']') if depth > 0 => depth -= 1,
            (false, ',' | '}') if depth == 0 => {
                end = i;
                break;
            }
            _ => {}
        }
    }
    let v = rest[..end].trim();
    match v.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
        Some(s) if !s.contains('\\') => s.to_string(),
        _ if v == "null" => String::new(),
        _ => v.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use trailscope_engine::sql::{OutColumn, OutKind};

    #[test]
    fn spark_rows_print_as_trailscope_query_prints_them() {
        let col = |name: &str, kind| OutColumn {
            name: name.into(),
            kind,
        };
        let cols = [
            col("timeframe", OutKind::Timeframe),
            col("interval", OutKind::Duration),
            col("user", OutKind::Plain),
            col("count()", OutKind::Nested),
        ];
        let line = r#"{"timeframe": {"start": "2026-11-20T11:30:00Z", "end": "2026-11-20T12:00:00Z"}, "interval": 60000000000, "user": "alice", "count()": [null, 2]}"#;
        let out = table(&cols, &format!("{line}\n"));
        let row = out.lines().nth(1).unwrap();
        assert!(
            row.starts_with("2026-11-20T11:30:00Z – 2026-11-20T12:00:00Z  1 min"),
            "{out}"
        );
        assert!(row.contains("alice") && row.ends_with("[null, 2]"), "{out}");
        assert!(out.ends_with("(1 rows)\n"), "{out}");
    }
}
