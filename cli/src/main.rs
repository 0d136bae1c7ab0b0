//! `trailscope`: run DQL over CloudTrail exports from the terminal.
//!
//! ```text
//! trailscope query [--bucket NAME] [--now RFC3339] [--from T] [--to T] [--explain]
//!                  [--format table|json|csv] [--report text|json] (QUERY | -f FILE) PATH...
//! ```
//! Exit codes: 0 success, 1 some input could not be read (the query still ran over the rest,
//! and the load report names what was missing), 2 query error.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use clap::{Parser, Subcommand, ValueEnum};

mod bench;
mod detect;
mod gen;
mod identity;
mod sql;
use bench::BenchArgs;
use trailscope_engine::{
    explain_query, render_diagnostics, run_query, time, LoadOptions, Loader, QueryOptions,
};

#[derive(Parser)]
#[command(
    name = "trailscope",
    version,
    about = "Investigate AWS CloudTrail exports with DQL, offline"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Load exports (files or folders, .json / .json.gz / NDJSON) and run a DQL query over them.
    Query(QueryArgs),
    /// Write a realistic, deterministic CloudTrail export (for samples and benchmarks).
    Gen(GenArgs),
    /// Run the detection pack over loaded exports: one line (or JSON object) per hit.
    Detect(detect::DetectArgs),
    /// What a principal, access key or session did, and the chain of roles and credentials
    /// that led to it.
    Identity(identity::IdentityArgs),
    /// Load once, run each query several times, print load speed, memory and median latencies.
    Bench(BenchArgs),
    /// Print a DQL query as one SQL statement (Spark SQL, Athena or DuckDB; docs/sql.md).
    Sql(sql::SqlArgs),
    /// Run a DQL query on Apache Spark through PySpark (scripts/setup-sql-tools installs it).
    Spark(sql::SparkArgs),
}

#[derive(clap::Args)]
struct GenArgs {
    /// Number of events.
    #[arg(long, default_value_t = 10_000)]
    events: usize,
    /// Layout: s3 (AWSLogs/… tree of .json.gz), ndjson, or records (one {"Records":[…]} file).
    #[arg(long, value_enum, default_value = "s3")]
    format: gen::GenFormat,
    /// Seed: the same seed gives the same bytes.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// First event time (RFC 3339).
    #[arg(long, default_value = "2026-11-20T00:00:00Z")]
    start: String,
    /// Time covered, in hours.
    #[arg(long, default_value_t = 24)]
    hours: i64,
    /// Gzip the output (always on for s3).
    #[arg(long)]
    gzip: bool,
    /// Output folder (s3) or file.
    #[arg(long)]
    out: PathBuf,
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

/// The options every command that runs DQL takes: the bucket name the events get, "now", and
/// the global time frame.
#[derive(clap::Args)]
struct Frame {
    /// Value of `dt.system.bucket` for the loaded events.
    #[arg(long, default_value = "default_logs")]
    bucket: String,
    /// Reference time for relative time frames such as `from: -30min` (RFC 3339). Default: the
    /// wall clock.
    #[arg(long)]
    now: Option<String>,
    /// Start of the global time frame for queries without `from:`/`timeframe:` (RFC 3339, or a
    /// duration before now such as -7d). Default: all loaded data.
    #[arg(long, allow_hyphen_values = true)]
    from: Option<String>,
    /// End of the global time frame (RFC 3339 or a duration such as -1h). Default: all loaded data.
    #[arg(long, allow_hyphen_values = true)]
    to: Option<String>,
}

impl Frame {
    /// `--now`, `--from`, `--to` as nanoseconds: "now" (default: the wall clock) and the global
    /// time frame (default: all loaded data).
    fn resolve(&self) -> Result<(i64, Option<i64>, Option<i64>), String> {
        let wall = wall_clock();
        let now = self
            .now
            .as_deref()
            .map(|n| parse_time(n, wall, "--now"))
            .transpose()?
            .unwrap_or(wall);
        let from = self
            .from
            .as_deref()
            .map(|t| parse_time(t, now, "--from"))
            .transpose()?;
        let to = self
            .to
            .as_deref()
            .map(|t| parse_time(t, now, "--to"))
            .transpose()?;
        Ok((now, from, to))
    }
}

#[derive(clap::Args)]
struct QueryArgs {
    #[command(flatten)]
    frame: Frame,
    /// Output format. `json` writes JSON Lines: one object per record.
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
    /// Load report on stderr.
    #[arg(long, value_enum, default_value = "text")]
    report: Report,
    /// Read the query from this file instead of the first argument.
    #[arg(short = 'f', long = "file")]
    file: Option<PathBuf>,
    /// Memory the query may use for the values it builds (strings, arrays, records), e.g.
    /// 512MiB or 8GiB; past it the query stops with an error (E401).
    #[arg(long, value_name = "SIZE", default_value = "2GiB", value_parser = parse_size)]
    max_memory: u64,
    /// Stop the query after this many seconds (E402). Default: no limit.
    #[arg(long, value_name = "SECONDS")]
    timeout: Option<f64>,
    /// Print the plan the query would run (commands and functions resolved, defaults written
    /// out, constants folded, time frames absolute) instead of running it.
    #[arg(long)]
    explain: bool,
    /// Print, instead of the rows, every field of the result (paths inside parsed events
    /// included) with how many rows have it, how many distinct values, and its N most frequent
    /// values with their counts.
    #[arg(long, value_name = "N")]
    fields: Option<usize>,
    /// The query (unless -f), then the files and folders to load (none for a query of `data`
    /// records).
    #[arg(required_unless_present = "file")]
    args: Vec<String>,
}

/// A size such as `512MiB`, `8GiB`, `2G` or `1048576` (bytes).
fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let split = t
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num
        .parse()
        .map_err(|_| format!("expected a size such as 512MiB or 8GiB, found {text:?}"))?;
    let scale: f64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "k" | "kb" | "kib" => 1024.0,
        "m" | "mb" | "mib" => 1024.0 * 1024.0,
        "g" | "gb" | "gib" => 1024.0 * 1024.0 * 1024.0,
        "t" | "tb" | "tib" => 1024.0f64.powi(4),
        other => return Err(format!("unknown size unit {other:?} (use KiB, MiB, GiB)")),
    };
    Ok((n * scale) as u64)
}

/// Text for the terminal: log values, file names and queries are shown with their control and
/// invisible characters escaped (`--format json` escapes them too; CSV keeps them, as data).
fn safe(text: &str) -> std::borrow::Cow<'_, str> {
    trailscope_engine::terminal::escape(text, true)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Query(q) => query(q),
        Command::Gen(g) => generate(g),
        Command::Bench(b) => bench::bench(b),
        Command::Detect(d) => detect::detect(d),
        Command::Identity(i) => identity::identity(i),
        Command::Sql(a) => sql::sql(a),
        Command::Spark(a) => sql::spark(a),
    }
}

/// The JSON the files under `paths` hold, about (the store's room is reserved from it once, as
/// the app's worker does, instead of growing while loading).
fn json_estimate(paths: &[PathBuf]) -> u64 {
    paths
        .iter()
        .flat_map(|p| walk(p))
        .map(|f| {
            let size = f.metadata().map_or(0, |m| m.len());
            trailscope_engine::ingest::json_estimate(&f.to_string_lossy(), size)
        })
        .sum()
}

fn walk(p: &std::path::Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if p.is_dir() {
        if let Ok(rd) = std::fs::read_dir(p) {
            let mut entries: Vec<PathBuf> = rd.filter_map(Result::ok).map(|e| e.path()).collect();
            entries.sort();
            for e in entries {
                out.extend(walk(&e));
            }
        }
    } else {
        out.push(p.to_path_buf());
    }
    out
}

fn generate(g: GenArgs) -> ExitCode {
    let Some(start) = time::parse_timestamp(&g.start) else {
        eprintln!(
            "error: --start: expected an RFC 3339 time, found {:?}",
            g.start
        );
        return ExitCode::from(2);
    };
    let events = gen::events(g.events, g.seed, start, g.hours * time::NS_PER_HOUR);
    match gen::write(&events, g.format, &g.out, g.gzip) {
        Ok(bytes) => {
            eprintln!(
                "wrote {} events ({:.1} MB of JSON) to {}",
                events.len(),
                bytes as f64 / 1e6,
                g.out.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: cannot write {}: {e}", g.out.display());
            ExitCode::from(1)
        }
    }
}

/// What `query`, `detect` and `identity` load: the store, its report, and whether some path
/// could not be read.
struct Loaded {
    store: std::sync::Arc<trailscope_engine::Store>,
    report: trailscope_engine::LoadReport,
    unreadable: bool,
}

/// Loads files and folders (every shape, recursively), streaming each file; a path that cannot
/// be read is reported with the rest of the load and the others still load.
fn load(paths: &[String], bucket: &str) -> Loaded {
    let mut loader = Loader::new(LoadOptions {
        bucket: bucket.to_string(),
    });
    let listed: Vec<PathBuf> = paths.iter().map(PathBuf::from).collect();
    loader.reserve_for(json_estimate(&listed));
    let mut unreadable = false;
    for p in paths {
        if let Err(e) = loader.add_path(std::path::Path::new(p)) {
            loader.unreadable(p, &e.to_string());
            unreadable = true;
        }
    }
    let (store, report) = loader.finish();
    Loaded {
        store,
        report,
        unreadable,
    }
}

/// `--max-memory` and `--timeout` as a run's limits (the deadline counts from now).
fn limits(max_memory: u64, timeout: Option<f64>) -> trailscope_engine::exec::budget::Limits {
    let interrupt = timeout.map(|secs| {
        let deadline = Instant::now() + std::time::Duration::from_secs_f64(secs.max(0.0));
        let stop: trailscope_engine::exec::budget::Interrupt =
            std::sync::Arc::new(move || Instant::now() >= deadline);
        stop
    });
    trailscope_engine::exec::budget::Limits {
        memory_bytes: max_memory,
        interrupt,
    }
}

/// Now, in ns since the epoch.
fn wall_clock() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as i64)
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
    if let (Ok(n), Some(time::Unit::Fixed(len))) =
        (digits.parse::<i64>(), time::unit(&rest[digits.len()..]))
    {
        return Ok(now + sign * n * len);
    }
    Err(format!("{what}: expected an RFC 3339 time such as 2026-11-20T12:00:00Z or a duration such as -2h, found {text:?}"))
}

fn query(a: QueryArgs) -> ExitCode {
    let (now, from, to) = match a.frame.resolve() {
        Ok(t) => t,
        Err(e) => {
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
    // A query of `data` records needs no export; one that fetches the loaded logs does.
    let fetches = trailscope_engine::syntax::parse(&query_text)
        .0
        .commands
        .first()
        .is_some_and(|c| c.name.name.eq_ignore_ascii_case("fetch"));
    if paths.is_empty() && fetches {
        eprintln!("error: expected at least one file or folder to load after the query");
        return ExitCode::from(1);
    }
    let started = Instant::now();
    let loaded = load(&paths, &a.frame.bucket);
    let (store, report) = (loaded.store, loaded.report);
    let load_time = started.elapsed();
    match a.report {
        _ if paths.is_empty() => {}
        Report::Text => eprint!("{}", safe(&report.summary())),
        Report::Json => eprintln!("{}", report.to_json()),
        Report::None => {}
    }
    let done = if loaded.unreadable {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    };
    let started = Instant::now();
    let opts = QueryOptions {
        now_ns: Some(now),
        from_ns: from,
        to_ns: to,
        limits: limits(a.max_memory, a.timeout),
    };
    if a.explain {
        return match explain_query(&store, &query_text, &opts) {
            Ok((plan, warnings)) => {
                if !warnings.is_empty() {
                    eprint!("{}", safe(&render_diagnostics(&query_text, &warnings)));
                }
                println!("{}", safe(&plan));
                done
            }
            Err(diags) => {
                eprint!("{}", safe(&render_diagnostics(&query_text, &diags)));
                ExitCode::from(2)
            }
        };
    }
    let out = match run_query(&store, &query_text, &opts) {
        Ok(o) => o,
        Err(diags) => {
            eprint!("{}", safe(&render_diagnostics(&query_text, &diags)));
            return ExitCode::from(2);
        }
    };
    let run_time = started.elapsed();
    if !out.warnings.is_empty() {
        eprint!("{}", safe(&render_diagnostics(&query_text, &out.warnings)));
    }
    for n in &out.notices {
        eprintln!("notice: {}", safe(&n.to_string()));
    }
    let stdout = std::io::stdout();
    let mut w = std::io::BufWriter::new(stdout.lock());
    let written = match (a.fields, a.format) {
        (Some(top), format) => write_field_stats(&out.table, top, format, &mut w),
        (None, Format::Json) => out.table.write_json_lines(&mut w),
        (None, Format::Csv) => out.table.write_csv(0..out.table.num_rows(), &mut w),
        (None, Format::Table) => write!(w, "{}", out.table.to_text(80)),
    };
    if let Err(e) = written.and_then(|_| w.flush()) {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("error: cannot write the result: {e}");
            return ExitCode::from(1);
        }
    }
    if matches!(a.report, Report::Text) {
        eprintln!(
            "{} rows in {:.1} ms (load {:.1} ms)",
            out.table.num_rows(),
            run_time.as_secs_f64() * 1e3,
            load_time.as_secs_f64() * 1e3
        );
    }
    done
}

/// `--fields N`: the result's fields with their counts and top values, as a table (or JSON
/// Lines / CSV through a small table of their own).
fn write_field_stats(
    t: &trailscope_engine::Table,
    top: usize,
    format: Format,
    w: &mut impl std::io::Write,
) -> std::io::Result<()> {
    let stats = t.field_stats(top);
    let fields: Vec<String> = stats
        .iter()
        .map(|f| {
            let mut line = String::from("{\"field\":");
            trailscope_engine::value::write_json_string(&mut line, &f.name);
            line.push_str(&format!(
                ",\"present\":{},\"distinct\":{},\"top\":[",
                f.present, f.distinct
            ));
            for (i, (v, n)) in f.top.iter().enumerate() {
                if i > 0 {
                    line.push(',');
                }
                line.push_str("{\"value\":");
                v.write_json(&mut line);
                line.push_str(&format!(",\"count\":{n}}}"));
            }
            line.push_str("]}");
            line
        })
        .collect();
    match format {
        Format::Json => {
            for l in fields {
                writeln!(w, "{l}")?;
            }
        }
        _ => {
            let width = stats
                .iter()
                .map(|f| f.name.chars().count())
                .max()
                .unwrap_or(5)
                .min(60);
            writeln!(
                w,
                "{:<width$}  {:>9}  {:>9}  top values",
                "field", "present", "distinct"
            )?;
            for f in &stats {
                let tops: Vec<String> = f
                    .top
                    .iter()
                    .map(|(v, n)| format!("{} ({n})", safe(&v.display())))
                    .collect();
                let distinct = if f.capped && f.top.is_empty() {
                    "-".to_string()
                } else {
                    f.distinct.to_string()
                };
                writeln!(
                    w,
                    "{:<width$}  {:>9}  {:>9}  {}",
                    safe(&f.name),
                    f.present,
                    distinct,
                    tops.join(", ")
                )?;
            }
        }
    }
    Ok(())
}
