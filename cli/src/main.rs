//! `trailscope`: run DQL over CloudTrail exports from the terminal.
//!
//! ```text
//! trailscope query [--bucket NAME] [--now RFC3339] [--from T] [--to T]
//!                  [--format table|json|csv] [--report text|json] (QUERY | -f FILE) PATH...
//! ```
//! Exit codes: 0 success, 1 unreadable input, 2 query error.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use clap::{Parser, Subcommand, ValueEnum};
use trailscope_engine::{render_diagnostics, run_query, time, LoadOptions, Loader, QueryOptions};

#[derive(Parser)]
#[command(name = "trailscope", version, about = "Investigate AWS CloudTrail exports with DQL, offline")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Load exports (files or folders, .json / .json.gz / NDJSON) and run a DQL query over them.
    Query(QueryArgs),
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Table,
    Json,
    Csv,
}

#[derive(Clone, Copy, ValueEnum)]
enum Report {
    Text,
    Json,
    None,
}

#[derive(clap::Args)]
struct QueryArgs {
    /// Value of `dt.system.bucket` for the loaded events.
    #[arg(long, default_value = "default_logs")]
    bucket: String,
    /// Reference time for relative time frames such as `from: -30min` (RFC 3339). Default: the
    /// wall clock.
    #[arg(long)]
    now: Option<String>,
    /// Start of the global time frame for queries without `from:`/`timeframe:` (RFC 3339, or a
    /// duration before now such as -7d). Default: all loaded data.
    #[arg(long)]
    from: Option<String>,
    /// End of the global time frame (RFC 3339 or a duration such as -1h). Default: all loaded data.
    #[arg(long)]
    to: Option<String>,
    /// Output format. `json` writes JSON Lines: one object per record.
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
    /// Load report on stderr.
    #[arg(long, value_enum, default_value = "text")]
    report: Report,
    /// Read the query from this file instead of the first argument.
    #[arg(short = 'f', long = "file")]
    file: Option<PathBuf>,
    /// The query (unless -f), then the files and folders to load.
    #[arg(required = true)]
    args: Vec<String>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Query(q) => query(q),
    }
}

fn parse_time(text: &str, now: i64, what: &str) -> Result<i64, String> {
    if let Some(t) = time::parse_timestamp(text) {
        return Ok(t);
    }
    let t = text.trim();
    let (sign, rest) = match t.strip_prefix('-') {
        Some(r) => (-1, r),
        None => (1, t.strip_prefix('+').unwrap_or(t)),
    };
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    if let (Ok(n), Some(time::Unit::Fixed(len))) = (digits.parse::<i64>(), time::unit(&rest[digits.len()..])) {
        return Ok(now + sign * n * len);
    }
    Err(format!("{what}: expected an RFC 3339 time such as 2026-11-20T12:00:00Z or a duration such as -2h, found {text:?}"))
}

fn query(a: QueryArgs) -> ExitCode {
    let wall = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos() as i64);
    let now = match a.now.as_deref().map(|n| parse_time(n, wall, "--now")).transpose() {
        Ok(n) => n.unwrap_or(wall),
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let from = a.from.as_deref().map(|t| parse_time(t, now, "--from")).transpose();
    let to = a.to.as_deref().map(|t| parse_time(t, now, "--to")).transpose();
    let (from, to) = match (from, to) {
        (Ok(f), Ok(t)) => (f, t),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let (query_text, paths) = match &a.file {
        Some(f) => match std::fs::read_to_string(f) {
            Ok(t) => (t, a.args.clone()),
            Err(e) => {
                eprintln!("error: cannot read query file {}: {e}", f.display());
                return ExitCode::from(1);
            }
        },
        None => (a.args[0].clone(), a.args[1..].to_vec()),
    };
    if paths.is_empty() {
        eprintln!("error: expected at least one file or folder to load after the query");
        return ExitCode::from(1);
    }
    let started = Instant::now();
    let mut loader = Loader::new(LoadOptions { bucket: a.bucket.clone() });
    let mut unreadable = false;
    for p in &paths {
        if let Err(e) = loader.add_path(std::path::Path::new(p)) {
            eprintln!("error: cannot read {p}: {e}");
            unreadable = true;
        }
    }
    let (store, report) = loader.finish();
    let load_time = started.elapsed();
    match a.report {
        Report::Text => eprint!("{}", report.summary()),
        Report::Json => eprintln!("{}", report.to_json()),
        Report::None => {}
    }
    if unreadable {
        return ExitCode::from(1);
    }
    let started = Instant::now();
    let opts = QueryOptions { now_ns: Some(now), from_ns: from, to_ns: to };
    let out = match run_query(&store, &query_text, &opts) {
        Ok(o) => o,
        Err(diags) => {
            eprint!("{}", render_diagnostics(&query_text, &diags));
            return ExitCode::from(2);
        }
    };
    let run_time = started.elapsed();
    if !out.warnings.is_empty() {
        eprint!("{}", render_diagnostics(&query_text, &out.warnings));
    }
    for n in &out.notices {
        eprintln!("notice: {n}");
    }
    let stdout = std::io::stdout();
    let mut w = std::io::BufWriter::new(stdout.lock());
    let written = match a.format {
        Format::Json => out.table.write_json_lines(&mut w),
        Format::Csv => out.table.write_csv(&mut w),
        Format::Table => write!(w, "{}", out.table.to_text(80)),
    };
    if let Err(e) = written.and_then(|_| w.flush()) {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("error: cannot write the result: {e}");
            return ExitCode::from(1);
        }
    }
    if matches!(a.report, Report::Text) {
        eprintln!("{} rows in {:.1} ms (load {:.1} ms)", out.table.num_rows(), run_time.as_secs_f64() * 1e3, load_time.as_secs_f64() * 1e3);
    }
    ExitCode::SUCCESS
}
