//! The load report: per file its detected shape, events loaded, duplicates and every problem
//! with its position; totals; text for a terminal and JSON for tools.

use std::fmt::{self, Write as _};

use crate::time::format_timestamp;
use crate::value::write_json_string;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Shape {
    #[default]
    Unknown,
    S3Records,
    JsonArray,
    SingleEvent,
    Ndjson,
    LookupEvents,
    /// JSON documents one after another (`jq` output, concatenated files).
    JsonSequence,
    /// CloudWatch Logs export to S3: `<timestamp> <event>` lines.
    CloudWatch,
    /// CloudTrail console "Event history" CSV download.
    ConsoleCsv,
    /// CloudTrail Lake query results as CSV.
    LakeCsv,
    /// A zip or tar archive: its members are listed as files of their own.
    Zip,
    Tar,
    Digest,
    Empty,
    NotCloudTrail,
    Malformed,
    Unreadable,
}

impl Shape {
    pub fn describe(self) -> &'static str {
        match self {
            Shape::Unknown => "unknown",
            Shape::S3Records => "CloudTrail S3 object {\"Records\": [...]}",
            Shape::JsonArray => "JSON array of events",
            Shape::SingleEvent => "single event object",
            Shape::Ndjson => "NDJSON (one event per line)",
            Shape::LookupEvents => "aws cloudtrail lookup-events output",
            Shape::JsonSequence => "JSON documents one after another",
            Shape::CloudWatch => "CloudWatch Logs export (timestamp and event per line)",
            Shape::ConsoleCsv => "CloudTrail console Event history CSV",
            Shape::LakeCsv => "CloudTrail Lake query results CSV",
            Shape::Zip => "zip archive (members listed separately)",
            Shape::Tar => "tar archive (members listed separately)",
            Shape::Digest => "CloudTrail digest file",
            Shape::Empty => "empty",
            Shape::NotCloudTrail => "not CloudTrail",
            Shape::Malformed => "malformed JSON",
            Shape::Unreadable => "unreadable",
        }
    }
    pub fn id(self) -> &'static str {
        match self {
            Shape::Unknown => "unknown",
            Shape::S3Records => "s3-records",
            Shape::JsonArray => "json-array",
            Shape::SingleEvent => "single-event",
            Shape::Ndjson => "ndjson",
            Shape::LookupEvents => "lookup-events",
            Shape::JsonSequence => "json-sequence",
            Shape::CloudWatch => "cloudwatch-export",
            Shape::ConsoleCsv => "console-csv",
            Shape::LakeCsv => "lake-csv",
            Shape::Zip => "zip",
            Shape::Tar => "tar",
            Shape::Digest => "digest",
            Shape::Empty => "empty",
            Shape::NotCloudTrail => "not-cloudtrail",
            Shape::Malformed => "malformed",
            Shape::Unreadable => "unreadable",
        }
    }
}

/// Where in a file a problem is: a line/column (1-based, of the decompressed text) with its
/// byte offset, a line of NDJSON, or the index of an element in the file's event list.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Position {
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub byte: Option<usize>,
    pub element: Option<usize>,
}

impl Position {
    pub fn at(text: &[u8], offset: usize) -> Position {
        let offset = offset.min(text.len());
        let before = &text[..offset];
        let line = before.iter().filter(|&&c| c == b'\n').count() + 1;
        let line_start = before
            .iter()
            .rposition(|&c| c == b'\n')
            .map_or(0, |i| i + 1);
        let column = String::from_utf8_lossy(&text[line_start..offset])
            .chars()
            .count()
            + 1;
        Position {
            line: Some(line),
            column: Some(column),
            byte: Some(offset),
            element: None,
        }
    }
    pub fn line(n: usize) -> Position {
        Position {
            line: Some(n),
            ..Default::default()
        }
    }
    pub fn element(i: usize) -> Position {
        Position {
            element: Some(i),
            ..Default::default()
        }
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column, self.element) {
            (Some(l), Some(c), _) => write!(f, "line {l}, column {c}"),
            (Some(l), None, _) => write!(f, "line {l}"),
            (_, _, Some(e)) => write!(f, "event #{}", e + 1),
            _ => Ok(()),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    pub position: Option<Position>,
    pub reason: String,
    /// True for an event that was skipped, false for a file-level error or notice.
    pub skipped_event: bool,
    pub notice: bool,
}

/// Problems kept with their position for one file; past this many, problems are only counted,
/// by kind, so that nothing a file contains can make the report large.
pub const MAX_PROBLEMS: usize = 100;
/// Kinds counted apart past [`MAX_PROBLEMS`]; further kinds are counted as "other problems".
pub const MAX_KINDS: usize = 16;

/// Problems past [`MAX_PROBLEMS`] of one kind: the reason with its details (quoted text,
/// numbers) blanked out, and how many there were.
#[derive(Clone, Debug, PartialEq)]
pub struct MoreProblems {
    pub kind: String,
    pub skipped_event: bool,
    pub notice: bool,
    pub count: usize,
}

#[derive(Clone, Debug, Default)]
pub struct FileReport {
    pub source: String,
    pub shape: Shape,
    pub compressed: bool,
    pub events: usize,
    pub duplicates: usize,
    /// Events whose eventID an earlier event with other content has (both kept).
    pub conflicts: usize,
    /// The first [`MAX_PROBLEMS`] problems, with their positions.
    pub problems: Vec<Problem>,
    /// The problems after those, counted by kind.
    pub more: Vec<MoreProblems>,
}

/// A reason with the details that change from one event to the next blanked out, so that
/// problems of one kind count together: `eventTime "…" is not an RFC N timestamp`.
fn kind_of(reason: &str) -> String {
    let mut out = String::new();
    let mut quoted = false;
    let mut digits = false;
    for c in reason.chars() {
        if c == '"' {
            if !quoted {
                out.push_str("\"…\"");
            }
            quoted = !quoted;
            continue;
        }
        if quoted {
            continue;
        }
        if c.is_ascii_digit() {
            if !digits {
                out.push('N');
            }
            digits = true;
            continue;
        }
        digits = false;
        out.push(c);
        if out.len() >= 120 {
            out.push('…');
            break;
        }
    }
    out
}

impl FileReport {
    pub fn new(source: &str) -> Self {
        FileReport {
            source: source.to_string(),
            ..Default::default()
        }
    }
    /// Keeps a problem with its position, or past [`MAX_PROBLEMS`] counts it by kind.
    fn add(&mut self, p: Problem) {
        if self.problems.len() < MAX_PROBLEMS {
            self.problems.push(p);
            return;
        }
        let kind = if self.more.len() < MAX_KINDS {
            kind_of(&p.reason)
        } else {
            "other problems".to_string()
        };
        let found = self.more.iter().position(|m| {
            m.skipped_event == p.skipped_event && m.notice == p.notice && m.kind == kind
        });
        match found {
            Some(i) => self.more[i].count += 1,
            // At most MAX_KINDS kinds, plus an "other problems" row per sort of problem.
            None => self.more.push(MoreProblems {
                kind,
                skipped_event: p.skipped_event,
                notice: p.notice,
                count: 1,
            }),
        }
    }
    pub fn problem(&mut self, position: Option<Position>, reason: impl Into<String>) {
        self.add(Problem {
            position,
            reason: reason.into(),
            skipped_event: false,
            notice: false,
        });
    }
    pub fn notice(&mut self, reason: impl Into<String>) {
        self.add(Problem {
            position: None,
            reason: reason.into(),
            skipped_event: false,
            notice: true,
        });
    }
    pub fn skip(&mut self, position: Position, reason: impl Into<String>) {
        self.add(Problem {
            position: Some(position),
            reason: reason.into(),
            skipped_event: true,
            notice: false,
        });
    }
    /// Events skipped, all of them (not only those listed with a position).
    pub fn skipped(&self) -> usize {
        self.problems.iter().filter(|p| p.skipped_event).count()
            + self
                .more
                .iter()
                .filter(|m| m.skipped_event)
                .map(|m| m.count)
                .sum::<usize>()
    }
    /// Problems that are not notices, all of them.
    pub fn errors(&self) -> usize {
        self.problems.iter().filter(|p| !p.notice).count()
            + self
                .more
                .iter()
                .filter(|m| !m.notice)
                .map(|m| m.count)
                .sum::<usize>()
    }
}

#[derive(Clone, Debug, Default)]
pub struct LoadReport {
    pub files: Vec<FileReport>,
    pub time_span: Option<(i64, i64)>,
    pub store_bytes: usize,
}

impl LoadReport {
    pub(crate) fn push(&mut self, f: FileReport) {
        self.files.push(f);
    }
    pub fn events(&self) -> usize {
        self.files.iter().map(|f| f.events).sum()
    }
    pub fn duplicates(&self) -> usize {
        self.files.iter().map(|f| f.duplicates).sum()
    }
    pub fn conflicts(&self) -> usize {
        self.files.iter().map(|f| f.conflicts).sum()
    }
    pub fn skipped_events(&self) -> usize {
        self.files.iter().map(FileReport::skipped).sum()
    }
    pub fn files_with_errors(&self) -> usize {
        self.files.iter().filter(|f| f.errors() > 0).count()
    }

    /// A few lines for a terminal or a status bar, then one line per problem.
    pub fn summary(&self) -> String {
        let mut s = String::new();
        let skipped_files = self
            .files
            .iter()
            .filter(|f| f.events == 0 && !f.problems.is_empty())
            .count();
        let _ = write!(
            s,
            "Loaded {} event{} from {} file{}",
            self.events(),
            plural(self.events()),
            self.files.len(),
            plural(self.files.len())
        );
        let mut parts = Vec::new();
        if self.duplicates() > 0 {
            parts.push(format!(
                "{} duplicate{} dropped (same eventID)",
                self.duplicates(),
                plural(self.duplicates())
            ));
        }
        if self.conflicts() > 0 {
            parts.push(format!(
                "{} eventID conflict{} (same ID, other content: both kept)",
                self.conflicts(),
                plural(self.conflicts())
            ));
        }
        if self.skipped_events() > 0 {
            parts.push(format!(
                "{} event{} skipped",
                self.skipped_events(),
                plural(self.skipped_events())
            ));
        }
        if skipped_files > 0 {
            parts.push(format!(
                "{skipped_files} file{} without events",
                plural(skipped_files)
            ));
        }
        if !parts.is_empty() {
            let _ = write!(s, " ({})", parts.join(", "));
        }
        s.push('.');
        if let Some((a, b)) = self.time_span {
            let _ = write!(
                s,
                " Events span {} to {}.",
                format_timestamp(a),
                format_timestamp(b)
            );
        }
        s.push('\n');
        if self.files.len() > 1 {
            // What was found, by shape: "30 CloudTrail S3 object {…}, 1 digest file".
            let mut shapes: Vec<(Shape, usize)> = Vec::new();
            for f in &self.files {
                match shapes.iter_mut().find(|(sh, _)| *sh == f.shape) {
                    Some((_, n)) => *n += 1,
                    None => shapes.push((f.shape, 1)),
                }
            }
            let parts: Vec<String> = shapes
                .iter()
                .map(|(sh, n)| format!("{n} {}", sh.describe()))
                .collect();
            let _ = writeln!(s, "  files: {}", parts.join(", "));
        }
        for f in &self.files {
            for p in &f.problems {
                let kind = kind_name(p.notice, p.skipped_event);
                match &p.position {
                    Some(pos) if !pos.to_string().is_empty() => {
                        let _ = writeln!(s, "  {kind}: {}: {pos}: {}", f.source, p.reason);
                    }
                    _ => {
                        let _ = writeln!(s, "  {kind}: {}: {}", f.source, p.reason);
                    }
                }
            }
            for m in &f.more {
                let kind = kind_name(m.notice, m.skipped_event);
                let _ = writeln!(
                    s,
                    "  {kind}: {}: {} more like this (after the first {MAX_PROBLEMS} problems, only counted): {}",
                    f.source, m.count, m.kind
                );
            }
        }
        s
    }

    /// One line per file: shape, events, duplicates, skipped, problems, name (`--report files`).
    pub fn files_text(&self) -> String {
        let mut s = String::new();
        for f in &self.files {
            let _ = writeln!(
                s,
                "{:<16} {:>8} events {:>6} duplicates {:>6} skipped {:>4} problems{}  {}",
                f.shape.id(),
                f.events,
                f.duplicates,
                f.skipped(),
                f.errors(),
                if f.compressed { " (gzip)" } else { "" },
                f.source
            );
        }
        s
    }

    /// The report as JSON (`--report json`).
    pub fn to_json(&self) -> String {
        let mut s = String::from("{\"files\":[");
        for (i, f) in self.files.iter().enumerate() {
            if i > 0 {
                s.push(',');
            }
            s.push_str("{\"source\":");
            write_json_string(&mut s, &f.source);
            let _ = write!(s, ",\"shape\":\"{}\",\"compressed\":{},\"events\":{},\"duplicates\":{},\"conflicts\":{},\"skipped\":{},\"problems\":[", f.shape.id(), f.compressed, f.events, f.duplicates, f.conflicts, f.skipped());
            for (j, p) in f.problems.iter().enumerate() {
                if j > 0 {
                    s.push(',');
                }
                let kind = kind_name(p.notice, p.skipped_event);
                let _ = write!(s, "{{\"kind\":\"{kind}\",\"reason\":");
                write_json_string(&mut s, &p.reason);
                if let Some(pos) = &p.position {
                    for (k, v) in [
                        ("line", pos.line),
                        ("column", pos.column),
                        ("byte", pos.byte),
                        ("element", pos.element),
                    ] {
                        if let Some(v) = v {
                            let _ = write!(s, ",\"{k}\":{v}");
                        }
                    }
                }
                s.push('}');
            }
            s.push_str("],\"more\":[");
            for (j, m) in f.more.iter().enumerate() {
                if j > 0 {
                    s.push(',');
                }
                let kind = kind_name(m.notice, m.skipped_event);
                let _ = write!(s, "{{\"kind\":\"{kind}\",\"reason\":");
                write_json_string(&mut s, &m.kind);
                let _ = write!(s, ",\"count\":{}}}", m.count);
            }
            s.push_str("]}");
        }
        let _ = write!(
            s,
            "],\"events\":{},\"duplicates\":{},\"conflicts\":{},\"skipped\":{}",
            self.events(),
            self.duplicates(),
            self.conflicts(),
            self.skipped_events()
        );
        if let Some((a, b)) = self.time_span {
            let _ = write!(
                s,
                ",\"from\":\"{}\",\"to\":\"{}\"",
                format_timestamp(a),
                format_timestamp(b)
            );
        }
        s.push('}');
        s
    }
}

fn kind_name(notice: bool, skipped_event: bool) -> &'static str {
    if notice {
        "notice"
    } else if skipped_event {
        "skipped"
    } else {
        "error"
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
