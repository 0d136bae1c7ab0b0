//! `trailscope bench`: load once, run each query several times, report load speed, memory and
//! median latencies (`--json` for `bench/run`).

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use trailscope_engine::{render_diagnostics, run_query, LoadOptions, Loader, QueryOptions};

use crate::{json_estimate, safe, walk};

#[derive(clap::Args)]
pub struct BenchArgs {
    /// Folder of .dql files to time (default: the seed queries in tests/fixtures/seed/queries).
    #[arg(long, default_value = "tests/fixtures/seed/queries")]
    queries: PathBuf,
    /// Runs per query; the median is reported.
    #[arg(long, default_value_t = 5)]
    runs: usize,
    #[arg(long, default_value = "my_aws_bucket")]
    bucket: String,
    /// Print one JSON object (load figures and per-query timings) instead of the text report;
    /// `bench/run` reads it.
    #[arg(long)]
    json: bool,
    /// Write each query's result (first run) to DIR/<query name>.jsonl, as `query --format json`
    /// does, so that other tools' results can be checked against it. Results of more than
    /// 10,000 rows are not written (their row count is in the report).
    #[arg(long, value_name = "DIR")]
    results: Option<PathBuf>,
    /// Files and folders to load.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
}

/// Peak resident memory of this process so far (Linux), in bytes.
fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace()
        .nth(1)?
        .parse::<u64>()
        .ok()
        .map(|kb| kb * 1024)
}

fn current_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace()
        .nth(1)?
        .parse::<u64>()
        .ok()
        .map(|kb| kb * 1024)
}

/// One query's timings in `bench`.
struct QueryTiming {
    name: String,
    rows: usize,
    median_ms: f64,
    first_ms: f64,
    runs_ms: Vec<f64>,
    error: Option<String>,
}

/// Results larger than this are not written by `bench --results` (a million events as JSON
/// would take longer to write than to load, and a row count checks them as well).
const MAX_RESULT_ROWS: usize = 10_000;

pub fn bench(b: BenchArgs) -> ExitCode {
    let mut raw_bytes = 0u64;
    let started = Instant::now();
    let mut loader = Loader::new(LoadOptions {
        bucket: b.bucket.clone(),
    });
    loader.reserve_for(json_estimate(&b.paths));
    for p in &b.paths {
        let files: Vec<PathBuf> = if p.is_dir() { walk(p) } else { vec![p.clone()] };
        for f in files {
            // Streamed like `query` does: peak memory is the store's, not the file's.
            match std::fs::File::open(&f) {
                Ok(file) => {
                    raw_bytes += file.metadata().map_or(0, |m| m.len());
                    loader.add_reader(&f.to_string_lossy(), file);
                }
                Err(e) => {
                    eprintln!("error: cannot read {}: {e}", f.display());
                    return ExitCode::from(1);
                }
            }
        }
    }
    let (store, report) = loader.finish();
    let load = started.elapsed().as_secs_f64();
    let peak_load = peak_rss().unwrap_or(0);
    let after = current_rss().unwrap_or(0);
    if !b.json {
        println!("events            {}", report.events());
        println!(
            "input             {:.1} MB (as read; gzip counted compressed)",
            raw_bytes as f64 / 1e6
        );
        println!(
            "load              {:.2} s = {:.0} MB/s, {:.0} events/s",
            load,
            raw_bytes as f64 / 1e6 / load,
            report.events() as f64 / load
        );
        println!(
            "store heap        {:.1} MB = {:.3} bytes per input byte",
            store.heap_bytes() as f64 / 1e6,
            store.heap_bytes() as f64 / raw_bytes.max(1) as f64
        );
        println!(
            "rss after load    {:.1} MB; peak during load {:.1} MB",
            after as f64 / 1e6,
            peak_load as f64 / 1e6
        );
        for (part, bytes) in store.memory_breakdown() {
            println!("  {part:<16} {:.1} MB", bytes as f64 / 1e6);
        }
        println!("  distinct strings {}", store.distinct_strings());
    }
    if let Some(dir) = &b.results {
        if let Err(e) = std::fs::create_dir_all(dir) {
            eprintln!("error: cannot create {}: {e}", dir.display());
            return ExitCode::from(1);
        }
    }
    let mut files: Vec<PathBuf> = walk(&b.queries)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "dql"))
        .collect();
    files.sort();
    let now = store
        .time_span()
        .map(|(_, newest)| trailscope_engine::exec::default_now(newest));
    let mut timings = Vec::new();
    for f in files {
        let Ok(q) = std::fs::read_to_string(&f) else {
            continue;
        };
        let name = f
            .file_stem()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let opts = QueryOptions {
            now_ns: now,
            ..QueryOptions::default()
        };
        let mut t = QueryTiming {
            name,
            rows: 0,
            median_ms: 0.0,
            first_ms: 0.0,
            runs_ms: Vec::new(),
            error: None,
        };
        for i in 0..b.runs.max(1) {
            let clock = Instant::now();
            match run_query(&store, &q, &opts) {
                Ok(out) => {
                    let ms = clock.elapsed().as_secs_f64() * 1e3;
                    t.rows = out.table.num_rows();
                    if i == 0 {
                        t.first_ms = ms;
                        if let Some(dir) = &b.results {
                            write_result(&dir.join(format!("{}.jsonl", t.name)), &out.table);
                        }
                    }
                    t.runs_ms.push(ms);
                }
                Err(d) => {
                    let rendered = render_diagnostics(&q, &d);
                    eprint!("{}", safe(&rendered));
                    t.error = Some(rendered);
                    break;
                }
            }
        }
        let mut sorted = t.runs_ms.clone();
        sorted.sort_by(f64::total_cmp);
        t.median_ms = sorted.get(sorted.len() / 2).copied().unwrap_or(0.0);
        if !b.json {
            println!(
                "{:<32} median {:>8.2} ms  first {:>8.2} ms  rows {}",
                f.file_name()
                    .map(|n| n.to_string_lossy().to_string())
                    .unwrap_or_default(),
                t.median_ms,
                t.first_ms,
                t.rows
            );
        }
        timings.push(t);
    }
    let peak = peak_rss().unwrap_or(0);
    if b.json {
        println!(
            "{}",
            bench_json(&report, raw_bytes, load, &store, after, peak_load, peak, &timings)
        );
    } else {
        println!("peak rss          {:.1} MB", peak as f64 / 1e6);
    }
    ExitCode::SUCCESS
}

/// Writes a result table as JSON Lines, unless it is too large to be worth writing.
fn write_result(path: &std::path::Path, table: &trailscope_engine::Table) {
    if table.num_rows() > MAX_RESULT_ROWS {
        return;
    }
    let written = std::fs::File::create(path).and_then(|f| {
        let mut w = std::io::BufWriter::new(f);
        table.write_json_lines(&mut w)?;
        w.flush()
    });
    if let Err(e) = written {
        eprintln!("warning: cannot write {}: {e}", path.display());
    }
}

/// The `bench --json` report: one object, figures in bytes, seconds and milliseconds.
#[allow(clippy::too_many_arguments)]
fn bench_json(
    report: &trailscope_engine::LoadReport,
    raw_bytes: u64,
    load_s: f64,
    store: &trailscope_engine::Store,
    rss_after: u64,
    peak_load: u64,
    peak: u64,
    timings: &[QueryTiming],
) -> String {
    use std::fmt::Write as _;
    use trailscope_engine::value::write_json_string;
    let mut s = String::new();
    let _ = write!(
        s,
        "{{\"events\":{},\"input_bytes\":{raw_bytes},\"load_s\":{load_s},\"store_bytes\":{},\
         \"rss_after_load_bytes\":{rss_after},\"peak_load_bytes\":{peak_load},\"peak_bytes\":{peak},\
         \"queries\":[",
        report.events(),
        store.heap_bytes()
    );
    for (i, t) in timings.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.push_str("{\"name\":");
        write_json_string(&mut s, &t.name);
        let runs: Vec<String> = t.runs_ms.iter().map(|ms| ms.to_string()).collect();
        let _ = write!(
            s,
            ",\"rows\":{},\"median_ms\":{},\"first_ms\":{},\"runs_ms\":[{}]",
            t.rows,
            t.median_ms,
            t.first_ms,
            runs.join(",")
        );
        if let Some(e) = &t.error {
            s.push_str(",\"error\":");
            write_json_string(&mut s, e);
        }
        s.push('}');
    }
    s.push_str("]}");
    s
}
