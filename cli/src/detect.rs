//! `trailscope detect`: run the detection pack (and detection files of one's own) over loaded
//! exports and print one line per hit; `--list` prints the pack.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use trailscope_engine::detect::{self, Detection, DetectionRun, Severity};
use trailscope_engine::value::{write_json_string, Value};
use trailscope_engine::{render_diagnostics, time, QueryOptions};

use crate::{limits, load, parse_size, safe, Report};

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum DetectFormat {
    Table,
    Json,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum MinSeverity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl MinSeverity {
    fn severity(self) -> Severity {
        match self {
            MinSeverity::Info => Severity::Info,
            MinSeverity::Low => Severity::Low,
            MinSeverity::Medium => Severity::Medium,
            MinSeverity::High => Severity::High,
            MinSeverity::Critical => Severity::Critical,
        }
    }
}

#[derive(clap::Args)]
pub struct DetectArgs {
    /// Print the detections (id, title, severity, MITRE technique, Panther rules covered, query)
    /// instead of running them.
    #[arg(long)]
    list: bool,
    /// `json` writes JSON Lines: one object per hit (or per detection with --list).
    #[arg(long, value_enum, default_value = "table")]
    format: DetectFormat,
    /// Run only these detections (ids, comma-separated or repeated).
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    /// Also run the detections whose lists (accounts, regions, roles) are examples to replace
    /// (`configure:` in --list); by default they run only when named with --only.
    #[arg(long)]
    all: bool,
    /// Run only detections of this severity or higher.
    #[arg(long, value_enum, default_value = "info")]
    min_severity: MinSeverity,
    /// Also run the detection in this file (a `// key: value` header, then the query: the form
    /// of the files in engine/detections/); repeatable.
    #[arg(long = "with", value_name = "FILE")]
    with: Vec<PathBuf>,
    #[command(flatten)]
    frame: crate::Frame,
    /// Load report on stderr.
    #[arg(long, value_enum, default_value = "text")]
    report: Report,
    /// Memory each detection's query may use for the values it builds.
    #[arg(long, value_name = "SIZE", default_value = "2GiB", value_parser = parse_size)]
    max_memory: u64,
    /// Stop after this many seconds for the whole pack (E402). Default: no limit.
    #[arg(long, value_name = "SECONDS")]
    timeout: Option<f64>,
    /// Files and folders to load.
    paths: Vec<String>,
}

pub fn detect(a: DetectArgs) -> ExitCode {
    let mut detections: Vec<Detection> = detect::catalogue().to_vec();
    for f in &a.with {
        let parsed = std::fs::read_to_string(f)
            .map_err(|e| e.to_string())
            .and_then(|t| Detection::parse(&t));
        match parsed {
            Ok(d) => {
                detections.retain(|x| x.id != d.id);
                detections.push(d);
            }
            Err(e) => {
                eprintln!("error: {}: {}", f.display(), safe(&e));
                return ExitCode::from(2);
            }
        }
    }
    if !a.only.is_empty() {
        for id in &a.only {
            if !detections.iter().any(|d| &d.id == id) {
                eprintln!(
                    "error: --only: no detection {:?} (trailscope detect --list shows them)",
                    safe(id)
                );
                return ExitCode::from(2);
            }
        }
        detections.retain(|d| a.only.contains(&d.id));
    }
    detections.retain(|d| d.severity >= a.min_severity.severity());
    if a.list {
        return list(&detections, a.format);
    }
    // Detections with example lists run only when named or with --all (and the files given
    // with --with, which the user wrote).
    let own: Vec<String> = detections
        .iter()
        .filter(|d| !detect::catalogue().contains(d))
        .map(|d| d.id.clone())
        .collect();
    detections.retain(|d| {
        d.configure.is_none() || a.all || a.only.contains(&d.id) || own.contains(&d.id)
    });
    if a.paths.is_empty() {
        eprintln!("error: expected at least one file or folder to load (or --list)");
        return ExitCode::from(2);
    }
    let (now, from, to) = match a.frame.resolve() {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let loaded = load(&a.paths, &a.frame.bucket);
    match a.report {
        Report::Text => eprint!("{}", safe(&loaded.report.summary())),
        Report::Json => eprintln!("{}", loaded.report.to_json()),
        Report::None => {}
    }
    let opts = QueryOptions {
        now_ns: Some(now),
        from_ns: from,
        to_ns: to,
        limits: limits(a.max_memory, a.timeout),
    };
    // Most severe first; the pack's order within a severity.
    detections.sort_by_key(|d| std::cmp::Reverse(d.severity));
    let started = Instant::now();
    let mut failed = false;
    let mut runs: Vec<(&Detection, DetectionRun)> = Vec::new();
    for d in &detections {
        match detect::run(&loaded.store, &d.query, &opts) {
            Ok(run) => runs.push((d, run)),
            Err(diags) => {
                failed = true;
                eprintln!("error: detection {} does not run:", d.id);
                eprint!("{}", safe(&render_diagnostics(&d.query, &diags)));
            }
        }
    }
    let elapsed = started.elapsed();
    let stdout = std::io::stdout();
    let mut w = std::io::BufWriter::new(stdout.lock());
    let written = match a.format {
        DetectFormat::Json => write_json(&runs, &mut w),
        DetectFormat::Table => write_table(&runs, &mut w),
    };
    if let Err(e) = written.and_then(|_| w.flush()) {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("error: cannot write the hits: {e}");
            return ExitCode::from(1);
        }
    }
    if !matches!(a.report, Report::None) {
        let hits: usize = runs.iter().map(|(_, r)| r.hits.len()).sum();
        let firing = runs.iter().filter(|(_, r)| !r.hits.is_empty()).count();
        eprintln!(
            "{hits} hits from {firing} of {} detections over {} events in {:.2} s",
            runs.len(),
            loaded.store.len(),
            elapsed.as_secs_f64()
        );
    }
    if failed {
        ExitCode::from(2)
    } else if loaded.unreadable {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn json_list(out: &mut String, items: &[String]) {
    out.push('[');
    for (i, s) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_json_string(out, s);
    }
    out.push(']');
}

/// `--list`: one object (JSON) or line (table) per detection.
fn list(detections: &[Detection], format: DetectFormat) -> ExitCode {
    let stdout = std::io::stdout();
    let mut w = std::io::BufWriter::new(stdout.lock());
    let mut text = String::new();
    for d in detections {
        match format {
            DetectFormat::Json => {
                text.push_str("{\"id\":");
                write_json_string(&mut text, &d.id);
                text.push_str(",\"title\":");
                write_json_string(&mut text, &d.title);
                text.push_str(",\"severity\":");
                write_json_string(&mut text, d.severity.as_str());
                text.push_str(",\"mitre\":");
                json_list(&mut text, &d.mitre);
                text.push_str(",\"maps\":");
                json_list(&mut text, &d.maps);
                text.push_str(",\"references\":");
                json_list(&mut text, &d.references);
                text.push_str(",\"description\":");
                write_json_string(&mut text, &d.description);
                text.push_str(",\"threshold\":");
                match d.threshold {
                    Some(t) => text.push_str(&t.to_string()),
                    None => text.push_str("null"),
                }
                text.push_str(",\"configure\":");
                match &d.configure {
                    Some(c) => write_json_string(&mut text, c),
                    None => text.push_str("null"),
                }
                text.push_str(",\"query\":");
                write_json_string(&mut text, &d.query);
                text.push_str("}\n");
            }
            DetectFormat::Table => {
                text.push_str(&format!(
                    "{:<46} {:<8} {:<18} {}{}\n",
                    safe(&d.id),
                    d.severity.as_str(),
                    safe(&d.mitre.join(",")),
                    safe(&d.title),
                    if d.configure.is_some() {
                        " (configure first)"
                    } else {
                        ""
                    }
                ));
            }
        }
    }
    if let Err(e) = w.write_all(text.as_bytes()).and_then(|_| w.flush()) {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("error: cannot write the list: {e}");
            return ExitCode::from(1);
        }
    }
    ExitCode::SUCCESS
}

fn write_json(
    runs: &[(&Detection, DetectionRun)],
    w: &mut impl std::io::Write,
) -> std::io::Result<()> {
    let mut line = String::new();
    for (d, run) in runs {
        for hit in &run.hits {
            line.clear();
            line.push_str("{\"id\":");
            write_json_string(&mut line, &d.id);
            line.push_str(",\"title\":");
            write_json_string(&mut line, &d.title);
            line.push_str(",\"severity\":");
            write_json_string(&mut line, d.severity.as_str());
            let opt = |line: &mut String, key: &str, v: Option<&str>| {
                line.push_str(&format!(",\"{key}\":"));
                match v {
                    Some(s) => write_json_string(line, s),
                    None => line.push_str("null"),
                }
            };
            opt(&mut line, "eventID", hit.event_id.as_deref());
            let ts = hit.timestamp.map(time::format_timestamp);
            opt(&mut line, "timestamp", ts.as_deref());
            opt(&mut line, "principal", hit.principal.as_deref());
            opt(&mut line, "eventName", hit.event_name.as_deref());
            opt(&mut line, "source", hit.source.as_deref());
            line.push_str(",\"maps\":");
            json_list(&mut line, &d.maps);
            line.push_str(",\"mitre\":");
            json_list(&mut line, &d.mitre);
            line.push_str(",\"fields\":{");
            for c in 0..run.table.num_columns() {
                if c > 0 {
                    line.push(',');
                }
                write_json_string(&mut line, &run.table.columns[c]);
                line.push(':');
                run.table.cell(c, hit.row).write_json(&mut line);
            }
            line.push_str("}}\n");
            w.write_all(line.as_bytes())?;
        }
    }
    Ok(())
}

/// Cells longer than this are cut in the table.
const WIDTH: usize = 60;

fn cut(s: &str) -> String {
    let s = safe(s).into_owned();
    if s.chars().count() > WIDTH {
        let mut t: String = s.chars().take(WIDTH - 1).collect();
        t.push('…');
        t
    } else {
        s
    }
}

fn write_table(
    runs: &[(&Detection, DetectionRun)],
    w: &mut impl std::io::Write,
) -> std::io::Result<()> {
    for (d, run) in runs {
        if run.hits.is_empty() {
            continue;
        }
        writeln!(
            w,
            "{} {} ({}{}): {} hit{}",
            d.severity.as_str().to_uppercase(),
            d.id,
            safe(&d.title),
            if d.mitre.is_empty() {
                String::new()
            } else {
                format!(", {}", d.mitre.join(","))
            },
            run.hits.len(),
            if run.hits.len() == 1 { "" } else { "s" }
        )?;
        for hit in &run.hits {
            let mut context: Vec<String> = Vec::new();
            for (c, name) in run.table.columns.iter().enumerate() {
                let v = run.table.cell(c, hit.row);
                if !matches!(v, Value::Null) {
                    context.push(format!("{}={}", safe(name), cut(&v.display())));
                }
            }
            writeln!(
                w,
                "  {}  {}  {}  {}  {}",
                hit.timestamp
                    .map(time::format_timestamp)
                    .unwrap_or_default(),
                cut(hit.principal.as_deref().unwrap_or("-")),
                cut(hit.event_name.as_deref().unwrap_or("-")),
                cut(hit.event_id.as_deref().unwrap_or("-")),
                context.join(" ")
            )?;
        }
    }
    Ok(())
}
