//! Case files: one investigation as one JSON file (`*.trailscope.json`) that can go by mail or on
//! a USB stick, and comes back as a case tab, with its events when they were included.
//!
//! ```text
//! {
//!   "format": "trailscope-case",
//!   "version": 2,
//!   "created": "2026-11-20T12:00:00Z",
//!   "sha256": "<hex SHA-256 of the canonical payload>",
//!   "case": { "name", "query", "history", "notes",
//!             "evidence": [{ "query", "record", "pinned", "time"? }],
//!             "timeframe"?, "tree"?: [{ "id", "parent"?, "query", "timeframe"?, "rows"?,
//!             "name"?, "color"?, "note"?, "ran"? }], "lists"?: [{ "name", "items" }],
//!             "reference"?: { "time", "label"? } },
//!   "events"?: { "encoding": "gzip+base64", "count": N, "bytes": B,
//!                "sources"?: [{ "name", "bucket", "count" }],
//!                "sha256": "<hex SHA-256 of the gzip bytes>", "data": "<base64>" }
//! }
//! ```
//!
//! Version 2 added the query tree, evidence lists, the reference event, each evidence record's
//! event time, and the events' sources: runs of consecutive events with the `log.source` and
//! `dt.system.bucket` they had when exported, in order, so the events load back under their own
//! names. Version 1 files still read (none of these fields may appear in them); this version
//! writes version 2.
//!
//! The canonical payload is the compact JSON (serde_json, fields in the order above) of
//! everything but `sha256` and `events.data`; `events.sha256` covers the data. Reading checks,
//! in order: size, UTF-8, JSON, `format`, `version`, every field's type (unknown fields are
//! errors), every field's limits ([`CaseData::validate`]), the payload hash, then the events'
//! encoding, hash, decompressed size and line count (over every gzip member, with the loader's
//! own decoder), and that the sources cover exactly those events. The hash finds damage and
//! careless edits; it is not a signature (anyone can recompute it), so a case file is always
//! treated as untrusted, whatever its hash says.

use std::io::Write;

use base64::Engine as _;
use flate2::write::GzEncoder;
use flate2::Compression;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use trailscope_engine::ingest::gzip::Gunzip;

use crate::case::{check_text, check_time, invalid, CaseData, Invalid};

pub const FORMAT: &str = "trailscope-case";
/// The version this Trailscope writes.
pub const VERSION: u32 = 2;
/// The versions it reads.
pub const READS: [u32; 2] = [1, 2];
/// Most source runs an events block may list.
pub const MAX_SOURCES: usize = 100_000;
/// Longest source name (`log.source`), in bytes.
pub const MAX_SOURCE_BYTES: usize = 1_024;
/// Longest bucket name, in bytes.
pub const MAX_BUCKET_BYTES: usize = 256;
/// What a case file's name ends with.
pub const EXTENSION: &str = ".trailscope.json";
pub const EVENTS_ENCODING: &str = "gzip+base64";
/// Largest case file read, in bytes.
pub const MAX_FILE_BYTES: u64 = 512 << 20;
/// Largest events block, decompressed (NDJSON), in bytes. Writing refuses to go past it, so
/// every file Trailscope writes can be read back.
pub const MAX_EVENTS_BYTES: u64 = 256 << 20;

/// Why a case file was refused. Each message says what is wrong in the user's terms.
#[derive(Clone, Debug, PartialEq)]
pub enum CaseFileError {
    TooLarge { bytes: u64 },
    NotText,
    NotJson(String),
    NotACaseFile,
    UnsupportedVersion(String),
    BadStructure(String),
    Invalid(Invalid),
    HashMismatch,
    BadEvents(String),
    EventsHashMismatch,
    EventsTooLarge,
}

impl std::fmt::Display for CaseFileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use CaseFileError::*;
        match self {
            TooLarge { bytes } => write!(
                f,
                "the file is {} MB, more than the {} MB a case file may have",
                bytes >> 20,
                MAX_FILE_BYTES >> 20
            ),
            NotText => write!(f, "the file is not UTF-8 text, so it is not a case file"),
            NotJson(e) => write!(f, "the file is not valid JSON ({e}); it may be damaged"),
            NotACaseFile => write!(
                f,
                "the file is JSON but not a Trailscope case file (no \"format\": \"{FORMAT}\")"
            ),
            UnsupportedVersion(v) => write!(
                f,
                "the file is case file version {v}; this Trailscope reads versions 1 and {VERSION}"
            ),
            BadStructure(e) => write!(f, "the file's structure is wrong: {e}"),
            Invalid(i) => write!(f, "the file holds an invalid value: {i}"),
            HashMismatch => write!(
                f,
                "its integrity hash does not match its content: the file was changed or damaged after it was exported"
            ),
            BadEvents(e) => write!(f, "the events in the file are damaged: {e}"),
            EventsHashMismatch => write!(
                f,
                "the events' integrity hash does not match: the events were changed or damaged after export"
            ),
            EventsTooLarge => write!(
                f,
                "the events decompress to more than {} MB, the most a case file may hold",
                MAX_EVENTS_BYTES >> 20
            ),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseFile {
    format: String,
    version: u32,
    created: String,
    sha256: String,
    case: CaseData,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    events: Option<EventsBlock>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct EventsBlock {
    encoding: String,
    count: u64,
    bytes: u64,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    sources: Vec<EventSource>,
    sha256: String,
    data: String,
}

/// A run of consecutive events (in the order of the events block) that came from one source:
/// its `log.source` and `dt.system.bucket` when the case was exported.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventSource {
    pub name: String,
    pub bucket: String,
    pub count: u64,
}

/// What the hash covers (see the module docs); borrowed, so hashing copies nothing big.
#[derive(Serialize)]
struct Signed<'a> {
    format: &'a str,
    version: u32,
    created: &'a str,
    case: &'a CaseData,
    events: Option<EventsMeta<'a>>,
}

#[derive(Serialize)]
struct EventsMeta<'a> {
    encoding: &'a str,
    count: u64,
    bytes: u64,
    #[serde(skip_serializing_if = "<[EventSource]>::is_empty")]
    sources: &'a [EventSource],
    sha256: &'a str,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn payload_hash(file: &CaseFile) -> String {
    let signed = Signed {
        format: &file.format,
        version: file.version,
        created: &file.created,
        case: &file.case,
        events: file.events.as_ref().map(|e| EventsMeta {
            encoding: &e.encoding,
            count: e.count,
            bytes: e.bytes,
            sources: &e.sources,
            sha256: &e.sha256,
        }),
    };
    // Serialising plain structs of strings and integers cannot fail.
    sha256_hex(&serde_json::to_vec(&signed).unwrap_or_default())
}

/// Collects the loaded events as NDJSON, gzip-compressed on the fly, for a case file.
pub struct EventsWriter {
    gz: GzEncoder<Vec<u8>>,
    count: u64,
    bytes: u64,
    sources: Vec<EventSource>,
}

/// The events compressed for [`encode`].
pub struct PackedEvents {
    gzip: Vec<u8>,
    count: u64,
    bytes: u64,
    sources: Vec<EventSource>,
}

impl Default for EventsWriter {
    fn default() -> Self {
        EventsWriter::new()
    }
}

impl EventsWriter {
    pub fn new() -> Self {
        EventsWriter {
            gz: GzEncoder::new(Vec::new(), Compression::default()),
            count: 0,
            bytes: 0,
            sources: Vec::new(),
        }
    }

    /// Adds one event that came from `source` in bucket `bucket` (its `log.source` and
    /// `dt.system.bucket`): consecutive events of one source make one run.
    pub fn add_from(&mut self, source: &str, bucket: &str, event_json: &str) -> Result<(), String> {
        self.add(event_json)?;
        match self.sources.last_mut() {
            Some(s) if s.name == source && s.bucket == bucket => s.count += 1,
            _ => self.sources.push(EventSource {
                name: source.to_string(),
                bucket: bucket.to_string(),
                count: 1,
            }),
        }
        Ok(())
    }

    /// Adds one event (its JSON text, on one line). Fails once the events pass
    /// [`MAX_EVENTS_BYTES`], with a message for the user.
    pub fn add(&mut self, event_json: &str) -> Result<(), String> {
        let len = event_json.len() as u64 + 1;
        if self.bytes + len > MAX_EVENTS_BYTES {
            return Err(format!(
                "the loaded events are more than {} MB of JSON, the most a case file may hold; export the case without events",
                MAX_EVENTS_BYTES >> 20
            ));
        }
        let line = event_json.replace(['\n', '\r'], " ");
        self.gz
            .write_all(line.as_bytes())
            .and_then(|_| self.gz.write_all(b"\n"))
            .map_err(|e| format!("cannot compress the events: {e}"))?;
        self.count += 1;
        self.bytes += len;
        Ok(())
    }

    pub fn finish(self) -> Result<PackedEvents, String> {
        let gzip = self
            .gz
            .finish()
            .map_err(|e| format!("cannot compress the events: {e}"))?;
        // Sources that would not pass the reader's checks are left out rather than making a
        // file that cannot be read back: the events then load under the case file's name.
        let mut sources = self.sources;
        if validate_sources(&sources, self.count).is_err() {
            sources.clear();
        }
        Ok(PackedEvents {
            gzip,
            count: self.count,
            bytes: self.bytes,
            sources,
        })
    }
}

/// Writes a case file (pretty-printed JSON). `created` is an RFC 3339 time stamp.
pub fn encode(
    case: &CaseData,
    created: &str,
    events: Option<PackedEvents>,
) -> Result<Vec<u8>, String> {
    case.validate()
        .map_err(|e| format!("the case cannot be exported: {e}"))?;
    let events = events.map(|p| EventsBlock {
        encoding: EVENTS_ENCODING.into(),
        count: p.count,
        bytes: p.bytes,
        sources: p.sources,
        sha256: sha256_hex(&p.gzip),
        data: base64::engine::general_purpose::STANDARD.encode(&p.gzip),
    });
    let mut file = CaseFile {
        format: FORMAT.into(),
        version: VERSION,
        created: created.into(),
        sha256: String::new(),
        case: case.clone(),
        events,
    };
    file.sha256 = payload_hash(&file);
    let mut out = serde_json::to_vec_pretty(&file).map_err(|e| e.to_string())?;
    out.push(b'\n');
    Ok(out)
}

/// A case file that passed every check.
#[derive(Debug, PartialEq)]
pub struct Imported {
    pub case: CaseData,
    pub created: String,
    pub events: Option<ImportedEvents>,
}

/// The events of a case file: the gzip-compressed NDJSON as it was in the file (the loader
/// decompresses it again), checked against its hash, its size limit and its line count; and
/// the sources they came from (empty in version 1 files: they load under the case file's name).
#[derive(Debug, PartialEq)]
pub struct ImportedEvents {
    pub gzip: Vec<u8>,
    pub count: u64,
    pub sources: Vec<EventSource>,
}

/// Checks the source runs of an events block: at most [`MAX_SOURCES`], names and buckets
/// within their limits and free of control and invisible characters, no empty run, and the
/// counts adding up to the events' `count`.
pub fn validate_sources(sources: &[EventSource], count: u64) -> Result<(), Invalid> {
    if sources.is_empty() {
        return Ok(());
    }
    if sources.len() > MAX_SOURCES {
        return Err(invalid(
            "event sources",
            format!(
                "{} runs, more than the {MAX_SOURCES} allowed",
                sources.len()
            ),
        ));
    }
    let mut total = 0u64;
    for (i, s) in sources.iter().enumerate() {
        let field = format!("event source {}", i + 1);
        if s.name.is_empty() {
            return Err(invalid(format!("{field}: name"), "is empty"));
        }
        check_text(&format!("{field}: name"), &s.name, MAX_SOURCE_BYTES, false)?;
        check_text(
            &format!("{field}: bucket"),
            &s.bucket,
            MAX_BUCKET_BYTES,
            false,
        )?;
        if s.count == 0 {
            return Err(invalid(format!("{field}: count"), "is 0"));
        }
        total = total.saturating_add(s.count);
    }
    if total != count {
        return Err(invalid(
            "event sources",
            format!("they count {total} events, but the file holds {count}"),
        ));
    }
    Ok(())
}

/// Reads and checks a case file (see the module docs for the order of the checks).
pub fn decode(bytes: &[u8]) -> Result<Imported, CaseFileError> {
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(CaseFileError::TooLarge {
            bytes: bytes.len() as u64,
        });
    }
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|_| CaseFileError::NotText)?;
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| CaseFileError::NotJson(e.to_string()))?;
    if value.get("format").and_then(|f| f.as_str()) != Some(FORMAT) {
        return Err(CaseFileError::NotACaseFile);
    }
    let version = match value.get("version") {
        Some(v)
            if v.as_u64()
                .is_some_and(|n| READS.iter().any(|&r| u64::from(r) == n)) =>
        {
            v.as_u64().unwrap_or(1)
        }
        Some(v) => {
            let shown: String = v.to_string().chars().take(20).collect();
            return Err(CaseFileError::UnsupportedVersion(shown));
        }
        None => {
            return Err(CaseFileError::BadStructure(
                "missing field `version`".into(),
            ))
        }
    };
    let file: CaseFile =
        serde_json::from_value(value).map_err(|e| CaseFileError::BadStructure(e.to_string()))?;
    // A version 1 file has none of version 2's fields: a file that says 1 and has them was
    // not written by any Trailscope.
    let sources = file.events.as_ref().is_some_and(|e| !e.sources.is_empty());
    if version == 1 && (file.case.needs_version_2() || sources) {
        return Err(CaseFileError::BadStructure(
            "it says version 1 but holds fields of version 2 (tree, lists, reference, evidence times or event sources)".into(),
        ));
    }
    check_time("created", &file.created).map_err(CaseFileError::Invalid)?;
    file.case.validate().map_err(CaseFileError::Invalid)?;
    if let Some(e) = &file.events {
        if e.encoding != EVENTS_ENCODING {
            return Err(CaseFileError::BadEvents(format!(
                "unknown encoding {:?} (expected {EVENTS_ENCODING:?})",
                e.encoding.chars().take(40).collect::<String>()
            )));
        }
        if e.bytes > MAX_EVENTS_BYTES {
            return Err(CaseFileError::EventsTooLarge);
        }
        validate_sources(&e.sources, e.count).map_err(CaseFileError::Invalid)?;
    }
    if !file.sha256.eq_ignore_ascii_case(&payload_hash(&file)) {
        return Err(CaseFileError::HashMismatch);
    }
    let events = match file.events {
        None => None,
        Some(e) => Some(decode_events(e)?),
    };
    Ok(Imported {
        case: file.case,
        created: file.created,
        events,
    })
}

fn decode_events(e: EventsBlock) -> Result<ImportedEvents, CaseFileError> {
    let gzip = base64::engine::general_purpose::STANDARD
        .decode(e.data.as_bytes())
        .map_err(|err| CaseFileError::BadEvents(format!("not base64 ({err})")))?;
    drop(e.data);
    if !sha256_hex(&gzip).eq_ignore_ascii_case(&e.sha256) {
        return Err(CaseFileError::EventsHashMismatch);
    }
    let (total, lines) = inflated_size(&gzip, MAX_EVENTS_BYTES)?;
    if total != e.bytes || lines != e.count {
        return Err(CaseFileError::BadEvents(format!(
            "the data holds {lines} events in {total} bytes (every gzip member counted), but the file declares {} in {}",
            e.count, e.bytes
        )));
    }
    Ok(ImportedEvents {
        gzip,
        count: e.count,
        sources: e.sources,
    })
}

/// The events of a case file split back into the sources they came from: one NDJSON text per
/// distinct (source, bucket), in the order each first appears, runs of one source joined. The
/// events were checked by [`decode`] (size, lines, hash), so this only decompresses them
/// again, with the same cap. Events of a version 1 file (no sources) are one part named
/// `fallback` with no bucket.
pub fn split_events(
    events: &ImportedEvents,
    fallback: &str,
) -> Result<Vec<(EventSource, Vec<u8>)>, CaseFileError> {
    let mut text = Vec::new();
    let mut gunzip = Gunzip::new();
    let mut keep = |out: &[u8]| {
        if text.len() as u64 + out.len() as u64 > MAX_EVENTS_BYTES {
            return false;
        }
        text.extend_from_slice(out);
        true
    };
    gunzip
        .push(&events.gzip, &mut keep)
        .and_then(|()| gunzip.finish())
        .map_err(CaseFileError::BadEvents)?;
    if events.sources.is_empty() {
        let whole = EventSource {
            name: fallback.to_string(),
            bucket: String::new(),
            count: events.count,
        };
        return Ok(vec![(whole, text)]);
    }
    let mut parts: Vec<(EventSource, Vec<u8>)> = Vec::new();
    let mut lines = text.split_inclusive(|&b| b == b'\n');
    for run in &events.sources {
        let i = match parts
            .iter()
            .position(|(s, _)| s.name == run.name && s.bucket == run.bucket)
        {
            Some(i) => i,
            None => {
                let part = EventSource {
                    count: 0,
                    ..run.clone()
                };
                parts.push((part, Vec::new()));
                parts.len() - 1
            }
        };
        let (part, bytes) = &mut parts[i];
        for _ in 0..run.count {
            let Some(line) = lines.next() else {
                return Err(CaseFileError::BadEvents(
                    "the events end before their sources do".into(),
                ));
            };
            bytes.extend_from_slice(line);
            if !line.ends_with(b"\n") {
                bytes.push(b'\n');
            }
            part.count += 1;
        }
    }
    Ok(parts)
}

/// Decompresses with a cap (a small file may inflate to gigabytes), counting bytes and lines
/// (a last line without a newline counts) without keeping the output.
///
/// The events go to the engine's loader, which reads every gzip member of a file one after
/// another (`cat a.gz b.gz`), so they are counted with the loader's own decoder
/// ([`Gunzip`]): a decoder that stopped after the first member would let a file declare 2
/// events and load a thousand. Anything that decoder reports (damage, a checksum, bytes after
/// the last member, an expansion past its ratio cap) refuses the file: Trailscope writes a
/// single clean member.
fn inflated_size(gzip: &[u8], limit: u64) -> Result<(u64, u64), CaseFileError> {
    let mut gunzip = Gunzip::new();
    let (mut total, mut lines, mut last) = (0u64, 0u64, b'\n');
    let mut count = |out: &[u8]| {
        total += out.len() as u64;
        if total > limit {
            return false;
        }
        lines += out.iter().filter(|&&b| b == b'\n').count() as u64;
        if let Some(&b) = out.last() {
            last = b;
        }
        true
    };
    if gzip.is_empty() {
        return Err(CaseFileError::BadEvents("no gzip data".into()));
    }
    let pushed = gunzip.push(gzip, &mut count);
    if total > limit {
        return Err(CaseFileError::EventsTooLarge);
    }
    pushed
        .and_then(|()| gunzip.finish())
        .map_err(CaseFileError::BadEvents)?;
    if last != b'\n' {
        lines += 1;
    }
    Ok((total, lines))
}

/// Whether a dropped or opened file is a case file rather than a CloudTrail export: its name
/// ends with `.trailscope.json`, or its first bytes (the page reads 512) name the format.
pub fn looks_like_case_file(name: &str, head: &[u8]) -> bool {
    if name.to_ascii_lowercase().ends_with(EXTENSION) {
        return true;
    }
    let head = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
    let start = head.iter().position(|b| !b.is_ascii_whitespace());
    if start.is_none_or(|i| head[i] != b'{') {
        return false;
    }
    let text = String::from_utf8_lossy(head);
    let needle = format!("\"{FORMAT}\"");
    text.contains("\"format\"") && text.contains(&needle)
}

/// A file name for a case: the case name with anything but letters, digits, `-` and `_`
/// replaced, plus [`EXTENSION`].
pub fn file_name(case_name: &str) -> String {
    let mut stem: String = case_name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .take(80)
        .collect();
    while stem.contains("--") {
        stem = stem.replace("--", "-");
    }
    let stem = stem.trim_matches('-');
    format!("{}{EXTENSION}", if stem.is_empty() { "case" } else { stem })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::Evidence;
    use flate2::read::GzDecoder;
    use std::io::Read;

    fn case() -> CaseData {
        CaseData {
            name: "KMS <script>".into(),
            query: "fetch logs\n| limit 3".into(),
            history: vec!["fetch logs".into(), "fetch logs\n| limit 3".into()],
            notes: "Key created from outside AWS.\n".into(),
            evidence: vec![Evidence {
                query: "fetch logs".into(),
                record: r#"{"b":1.50,"a":"x"}"#.into(),
                pinned: "2026-11-20T12:00:00Z".into(),
                time: None,
            }],
            ..CaseData::default()
        }
    }

    fn events(lines: &[&str]) -> PackedEvents {
        let mut w = EventsWriter::new();
        for l in lines {
            w.add(l).unwrap();
        }
        w.finish().unwrap()
    }

    const T: &str = "2026-11-21T08:00:00Z";

    #[test]
    fn a_case_round_trips_with_its_events() {
        let lines = [r#"{"eventID":"1"}"#, r#"{"eventID":"2"}"#];
        let bytes = encode(&case(), T, Some(events(&lines))).unwrap();
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(text.starts_with("{\n  \"format\": \"trailscope-case\",\n  \"version\": 2,"));
        let back = decode(&bytes).unwrap();
        assert_eq!(back.case, case());
        assert_eq!(back.created, T);
        let ev = back.events.unwrap();
        assert_eq!(ev.count, 2);
        let mut ndjson = String::new();
        GzDecoder::new(ev.gzip.as_slice())
            .read_to_string(&mut ndjson)
            .unwrap();
        assert_eq!(ndjson, format!("{}\n{}\n", lines[0], lines[1]));
        // The record's key order and number spelling survive.
        assert!(text.contains(r#"{\"b\":1.50,\"a\":\"x\"}"#));
    }

    /// A file as another version would have written it: `encode`'s output with `version`
    /// changed and the hash recomputed (what an older Trailscope's file looks like).
    fn as_version(bytes: &[u8], version: u32) -> Vec<u8> {
        let mut file: CaseFile = serde_json::from_slice(bytes).unwrap();
        file.version = version;
        file.sha256 = payload_hash(&file);
        serde_json::to_vec_pretty(&file).unwrap()
    }

    fn investigated() -> CaseData {
        use crate::investigation::{EvidenceList, QueryNode, Reference};
        let mut c = case();
        c.evidence[0].time = Some("2026-11-20T10:00:00Z".into());
        c.tree = vec![
            QueryNode {
                id: 1,
                query: "fetch logs".into(),
                rows: Some(8000),
                ran: Some(T.into()),
                ..QueryNode::default()
            },
            QueryNode {
                id: 2,
                parent: Some(1),
                query: "fetch logs\n| limit 3".into(),
                name: "First three".into(),
                color: Some("red".into()),
                note: "looks odd".into(),
                ..QueryNode::default()
            },
        ];
        c.lists = vec![EvidenceList {
            name: "Suspicious IPs".into(),
            items: vec!["203.0.113.7".into(), "10.0.0.0/8".into()],
        }];
        c.reference = Some(Reference {
            time: "2026-11-20T10:00:00.5Z".into(),
            label: "ConsoleLogin".into(),
        });
        c
    }

    #[test]
    fn version_1_files_still_read() {
        let v1 = as_version(&encode(&case(), T, Some(events(&["{}"]))).unwrap(), 1);
        assert!(String::from_utf8_lossy(&v1).contains("\"version\": 1"));
        let back = decode(&v1).unwrap();
        assert_eq!(back.case, case());
        let ev = back.events.unwrap();
        assert!(ev.sources.is_empty());
        // Its events load as one source named after the file.
        let parts = split_events(&ev, "old.trailscope.json").unwrap();
        assert_eq!(parts.len(), 1);
        assert_eq!(
            (
                parts[0].0.name.as_str(),
                parts[0].0.count,
                parts[0].1.as_slice()
            ),
            ("old.trailscope.json", 1, &b"{}\n"[..])
        );
    }

    #[test]
    fn tree_lists_reference_and_sources_round_trip() {
        let mut w = EventsWriter::new();
        w.add_from("a.json.gz", "default_logs", r#"{"eventID":"1"}"#)
            .unwrap();
        w.add_from("a.json.gz", "default_logs", r#"{"eventID":"2"}"#)
            .unwrap();
        w.add_from("b/c.json", "prod", r#"{"eventID":"3"}"#)
            .unwrap();
        let bytes = encode(&investigated(), T, Some(w.finish().unwrap())).unwrap();
        let back = decode(&bytes).unwrap();
        assert_eq!(back.case, investigated());
        let ev = back.events.unwrap();
        assert_eq!(ev.count, 3);
        let runs: Vec<(&str, &str, u64)> = ev
            .sources
            .iter()
            .map(|s| (s.name.as_str(), s.bucket.as_str(), s.count))
            .collect();
        assert_eq!(
            runs,
            [("a.json.gz", "default_logs", 2), ("b/c.json", "prod", 1)]
        );
        let parts = split_events(&ev, "x.trailscope.json").unwrap();
        let parts: Vec<(&str, &str, u64, &[u8])> = parts
            .iter()
            .map(|(s, b)| (s.name.as_str(), s.bucket.as_str(), s.count, b.as_slice()))
            .collect();
        assert_eq!(
            parts,
            [
                (
                    "a.json.gz",
                    "default_logs",
                    2,
                    &b"{\"eventID\":\"1\"}\n{\"eventID\":\"2\"}\n"[..]
                ),
                ("b/c.json", "prod", 1, &b"{\"eventID\":\"3\"}\n"[..]),
            ]
        );
        // The same content claimed as version 1 is refused: no Trailscope wrote that.
        let v1 = as_version(&bytes, 1);
        assert!(
            matches!(decode(&v1), Err(CaseFileError::BadStructure(m)) if m.contains("says version 1"))
        );
    }

    #[test]
    fn hostile_investigation_parts_are_refused() {
        let good = encode(&investigated(), T, None).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&good).unwrap();
        // Each edit is re-hashed: the checks, not the hash, must refuse it.
        let with = |f: &dyn Fn(&mut serde_json::Value)| {
            let mut v = v.clone();
            f(&mut v);
            let mut file: CaseFile = serde_json::from_value(v).unwrap();
            file.sha256 = payload_hash(&file);
            serde_json::to_vec(&file).unwrap()
        };
        for (what, bytes, needle) in [
            (
                "loop",
                with(&|v| v["case"]["tree"][0]["parent"] = 2.into()),
                "query node 1",
            ),
            (
                "colour",
                with(&|v| v["case"]["tree"][1]["color"] = "url(x)".into()),
                "colour",
            ),
            (
                "hidden list item",
                with(&|v| v["case"]["lists"][0]["items"][0] = "1.2.3.4\u{2066}".into()),
                "U+2066",
            ),
            (
                "reference time",
                with(&|v| v["case"]["reference"]["time"] = "soon".into()),
                "reference: time",
            ),
        ] {
            let err = decode(&bytes).expect_err(what).to_string();
            assert!(err.contains(needle), "{what}: {err}");
        }
        // Sources that do not add up to the events are refused too.
        let mut w = EventsWriter::new();
        w.add_from("a", "b", "{}").unwrap();
        let mut packed = w.finish().unwrap();
        packed.sources[0].count = 5;
        let err = decode(&encode(&case(), T, Some(packed)).unwrap()).unwrap_err();
        assert!(err.to_string().contains("they count 5 events"), "{err}");
    }

    #[test]
    fn whitespace_does_not_matter_but_content_does() {
        let bytes = encode(&case(), T, None).unwrap();
        let compact: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        let compact = serde_json::to_vec(&compact).unwrap();
        assert!(decode(&compact).is_ok());
        let text = String::from_utf8(bytes).unwrap();
        let edited = text.replace("outside AWS", "inside AWS");
        assert_eq!(
            decode(edited.as_bytes()).unwrap_err(),
            CaseFileError::HashMismatch
        );
    }

    /// One line per way a file can be damaged or tampered with, and the error it must give.
    #[test]
    fn damaged_files_are_refused_with_a_reason() {
        let good =
            String::from_utf8(encode(&case(), T, Some(events(&[r#"{"eventID":"1"}"#]))).unwrap())
                .unwrap();
        let v: serde_json::Value = serde_json::from_str(&good).unwrap();
        let with = |f: &dyn Fn(&mut serde_json::Value)| {
            let mut v = v.clone();
            f(&mut v);
            serde_json::to_vec(&v).unwrap()
        };
        let data = v["events"]["data"].as_str().unwrap().to_string();
        let mut flipped = data.clone().into_bytes();
        flipped[20] = if flipped[20] == b'A' { b'B' } else { b'A' };
        let flipped = String::from_utf8(flipped).unwrap();
        type Check = fn(&CaseFileError) -> bool;
        let cases: Vec<(&str, Vec<u8>, Check)> = vec![
            ("binary", vec![0xff, 0xfe, 0x00], |e| {
                *e == CaseFileError::NotText
            }),
            (
                "truncated",
                good.as_bytes()[..good.len() / 2].to_vec(),
                |e| matches!(e, CaseFileError::NotJson(_)),
            ),
            ("an export", br#"{"Records":[]}"#.to_vec(), |e| {
                *e == CaseFileError::NotACaseFile
            }),
            (
                "version 3",
                with(&|v| v["version"] = 3.into()),
                |e| matches!(e, CaseFileError::UnsupportedVersion(v) if v == "3"),
            ),
            (
                "version as text",
                with(&|v| v["version"] = "1".into()),
                |e| matches!(e, CaseFileError::UnsupportedVersion(_)),
            ),
            (
                "unknown field",
                with(&|v| v["case"]["run"] = "x".into()),
                |e| matches!(e, CaseFileError::BadStructure(m) if m.contains("unknown field `run`")),
            ),
            (
                "wrong type",
                with(&|v| v["case"]["history"] = 5.into()),
                |e| matches!(e, CaseFileError::BadStructure(m) if m.contains("invalid type")),
            ),
            (
                "bad record",
                with(&|v| v["case"]["evidence"][0]["record"] = "[]".into()),
                |e| matches!(e, CaseFileError::Invalid(i) if i.field == "evidence 1: record"),
            ),
            (
                "changed name",
                with(&|v| v["case"]["name"] = "Other".into()),
                |e| *e == CaseFileError::HashMismatch,
            ),
            (
                "changed hash",
                with(&|v| v["sha256"] = "00".repeat(32).into()),
                |e| *e == CaseFileError::HashMismatch,
            ),
            (
                "changed count",
                with(&|v| v["events"]["count"] = 9.into()),
                |e| *e == CaseFileError::HashMismatch,
            ),
            (
                "flipped event byte",
                with(&|v| v["events"]["data"] = flipped.clone().into()),
                |e| *e == CaseFileError::EventsHashMismatch,
            ),
            (
                "not base64",
                with(&|v| v["events"]["data"] = "!!".into()),
                |e| matches!(e, CaseFileError::BadEvents(m) if m.starts_with("not base64")),
            ),
            (
                "encoding",
                with(&|v| v["events"]["encoding"] = "zstd".into()),
                |e| matches!(e, CaseFileError::BadEvents(m) if m.contains("zstd")),
            ),
            (
                "huge claim",
                with(&|v| v["events"]["bytes"] = (1u64 << 40).into()),
                |e| *e == CaseFileError::EventsTooLarge,
            ),
        ];
        for (what, bytes, check) in cases {
            let err = decode(&bytes).expect_err(what);
            assert!(check(&err), "{what}: {err:?}");
            assert!(!err.to_string().is_empty());
        }
    }

    #[test]
    fn events_must_match_their_counts_even_with_a_recomputed_hash() {
        // A forger can recompute both hashes; the line count still has to agree.
        let mut p = events(&[r#"{"eventID":"1"}"#, r#"{"eventID":"2"}"#]);
        p.count = 1;
        let bytes = encode(&case(), T, Some(p)).unwrap();
        assert!(
            matches!(decode(&bytes), Err(CaseFileError::BadEvents(m)) if m.contains("2 events"))
        );
    }

    #[test]
    fn events_in_a_second_gzip_member_are_counted() {
        // The loader reads every member of a gzip file; a count that covers only the first is
        // refused, even with both hashes recomputed (encode does that).
        let first = events(&[r#"{"eventID":"1"}"#, r#"{"eventID":"2"}"#]);
        let more: Vec<String> = (3..=1000)
            .map(|i| format!(r#"{{"eventID":"{i}"}}"#))
            .collect();
        let second = events(&more.iter().map(String::as_str).collect::<Vec<_>>());
        let mut gzip = first.gzip.clone();
        gzip.extend_from_slice(&second.gzip);
        let forged = PackedEvents {
            gzip: gzip.clone(),
            count: first.count,
            bytes: first.bytes,
            sources: Vec::new(),
        };
        let err = decode(&encode(&case(), T, Some(forged)).unwrap()).unwrap_err();
        assert!(
            matches!(&err, CaseFileError::BadEvents(m) if m.contains("holds 1000 events") && m.contains("declares 2 in")),
            "{err}"
        );
        assert!(err
            .to_string()
            .starts_with("the events in the file are damaged: "));
        // Declared in full, the same two members are a valid file.
        let honest = PackedEvents {
            gzip,
            count: first.count + second.count,
            bytes: first.bytes + second.bytes,
            sources: Vec::new(),
        };
        let back = decode(&encode(&case(), T, Some(honest)).unwrap()).unwrap();
        assert_eq!(back.events.unwrap().count, 1000);
    }

    #[test]
    fn damaged_gzip_is_refused_with_the_decoders_reason() {
        let good = events(&[r#"{"eventID":"1"}"#]).gzip;
        let mut crc = good.clone();
        let n = crc.len();
        crc[n - 8] ^= 0xff;
        let mut junk = good.clone();
        junk.extend_from_slice(b"not gzip");
        for (what, gzip, needle) in [
            ("truncated", good[..good.len() - 4].to_vec(), "truncated"),
            ("checksum", crc, "checksum mismatch in member 1"),
            ("trailing bytes", junk, "not gzip follow"),
            ("not gzip", b"not gzip".to_vec(), "bad magic"),
            ("empty", Vec::new(), "no gzip data"),
        ] {
            match inflated_size(&gzip, 1 << 20) {
                Err(CaseFileError::BadEvents(m)) => assert!(m.contains(needle), "{what}: {m}"),
                other => panic!("{what}: {other:?}"),
            }
        }
    }

    #[test]
    fn a_gzip_bomb_stops_at_the_limit() {
        // 64 MB of newlines compress to about 64 KB: past the loader's expansion cap, so it is
        // refused as the loader would refuse it, long before it is inflated.
        let mut gz = GzEncoder::new(Vec::new(), Compression::best());
        let chunk = vec![b'\n'; 1 << 20];
        for _ in 0..64 {
            gz.write_all(&chunk).unwrap();
        }
        let gzip = gz.finish().unwrap();
        assert!(gzip.len() < 1 << 20);
        assert!(matches!(
            inflated_size(&gzip, 256 << 20),
            Err(CaseFileError::BadEvents(m)) if m.contains("expands more than")
        ));
        // Below the ratio cap, the size limit stops it: 4 MB of varied lines against 1 MB.
        let mut gz = GzEncoder::new(Vec::new(), Compression::default());
        let mut x: u64 = 7;
        let n: u64 = 135_000; // lines of 31 bytes
        for _ in 0..n {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            writeln!(gz, "{{\"eventID\":\"{x:016x}\"}}").unwrap();
        }
        let gzip = gz.finish().unwrap();
        assert_eq!(
            inflated_size(&gzip, 1 << 20).unwrap_err(),
            CaseFileError::EventsTooLarge
        );
        let (bytes, lines) = inflated_size(&gzip, 64 << 20).unwrap();
        assert_eq!((bytes, lines), (n * 31, n));
    }

    #[test]
    fn oversized_files_are_refused_before_parsing() {
        // No need to allocate 512 MB: the check is on the length alone.
        let err = CaseFileError::TooLarge {
            bytes: MAX_FILE_BYTES + 1,
        };
        assert!(err.to_string().contains("512 MB"));
    }

    #[test]
    fn case_files_are_recognised_by_name_or_content() {
        let good = encode(&case(), T, None).unwrap();
        for (name, head, yes) in [
            ("x.trailscope.json", &b""[..], true),
            ("X.TRAILSCOPE.JSON", b"", true),
            ("evidence.json", &good[..good.len().min(512)], true),
            ("export.json", br#"{"Records":[{"eventName":"x"}]}"#, false),
            ("export.json.gz", b"\x1f\x8b\x08", false),
            ("notes.txt", b"format trailscope-case", false),
        ] {
            assert_eq!(looks_like_case_file(name, head), yes, "{name}");
        }
    }

    #[test]
    fn file_names_are_tame() {
        for (name, file) in [
            ("Brute force", "Brute-force.trailscope.json"),
            ("../../etc/passwd", "etc-passwd.trailscope.json"),
            ("<>", "case.trailscope.json"),
            ("Ünïcode 1", "Ünïcode-1.trailscope.json"),
        ] {
            assert_eq!(file_name(name), file);
        }
    }
}
