//! The portable part of a case: what a case file and a share link carry (no tab id, no result),
//! and the checks every field passes before it reaches the page. A case that arrives from a file
//! or a link is untrusted input: lengths, counts, types and time stamps are all checked, and the
//! page shows every string as text only.

use serde::{Deserialize, Serialize};
use trailscope_engine::terminal;
use trailscope_engine::time::parse_timestamp;

use crate::investigation::{self, EvidenceList, QueryNode, Reference};

/// Longest case name, in characters.
pub const MAX_NAME_CHARS: usize = 200;
/// Longest query text (also each history entry), in bytes.
pub const MAX_QUERY_BYTES: usize = 100_000;
/// Most history entries a case file may carry (the page keeps 50).
pub const MAX_HISTORY: usize = 200;
/// Longest notes text, in bytes.
pub const MAX_NOTES_BYTES: usize = 1_000_000;
/// Most pinned evidence records per case.
pub const MAX_EVIDENCE: usize = 1_000;
/// Longest pinned record (compact JSON), in bytes.
pub const MAX_RECORD_BYTES: usize = 1_000_000;
/// Longest relative time frame: about 100 years.
const MAX_LAST_NS: i64 = 100 * 366 * 24 * 3_600 * 1_000_000_000;

/// A case as it travels: name, query, history, notes, pinned evidence and the time frame; since
/// case file version 2 also its query tree, evidence lists and reference event (each left out
/// when empty, so a case without them serialises, and hashes, exactly as version 1 wrote it).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseData {
    pub name: String,
    pub query: String,
    /// Queries run in this case, oldest first.
    #[serde(default)]
    pub history: Vec<String>,
    #[serde(default)]
    pub notes: String,
    #[serde(default)]
    pub evidence: Vec<Evidence>,
    /// The time frame picker's setting when the case was shared (`None`: leave it as it is).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeframe: Option<TimeFrame>,
    /// Every run of the case, parents first (version 2).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tree: Vec<QueryNode>,
    /// Named lists of values, ranges and ARNs (version 2).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lists: Vec<EvidenceList>,
    /// The reference event (version 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<Reference>,
}

impl CaseData {
    /// Whether the case uses anything version 1 of the case file format did not have.
    pub fn needs_version_2(&self) -> bool {
        !self.tree.is_empty()
            || !self.lists.is_empty()
            || self.reference.is_some()
            || self.evidence.iter().any(|e| e.time.is_some())
    }
}

/// One record pinned as evidence, with the query whose result held it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Evidence {
    /// The query that produced the record.
    pub query: String,
    /// The record as a JSON object (compact text, key order as the result had it). Kept as text
    /// rather than as a JSON value so that its key order and number spelling survive a round
    /// trip and the integrity hash covers exactly what the investigator saw.
    pub record: String,
    /// When it was pinned (RFC 3339, UTC).
    pub pinned: String,
    /// The time of the event the record came from (RFC 3339), when it came from one (version 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
}

/// The page's time frame picker, in a form that survives a trip through a file or a link.
/// `last_ns` set: the last N nanoseconds before "now"; else `from`/`to` (RFC 3339) when either is
/// set; else all loaded data.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimeFrame {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_ns: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// "Now" is the wall clock (`true`) or just after the newest loaded event (`false`).
    #[serde(default)]
    pub now_clock: bool,
}

/// A field that failed its check: which one and why, for a message such as
/// "evidence 3: record is not a JSON object".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invalid {
    pub field: String,
    pub reason: String,
}

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.reason)
    }
}

pub(crate) fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Invalid {
    Invalid {
        field: field.into(),
        reason: reason.into(),
    }
}

/// Text fields may hold line breaks and tabs (queries, notes) but no other control characters,
/// and none of the invisible characters that reorder or hide text (bidi embeddings, overrides
/// and isolates, zero-width characters, the BOM: the engine's [`terminal::is_unsafe`] list, so
/// the CLI escapes exactly what a case refuses). A query that reads `filter x == "admin"` on
/// screen could otherwise run something else (Trojan Source, CVE-2021-42574).
pub(crate) fn check_text(
    field: &str,
    s: &str,
    max_bytes: usize,
    multiline: bool,
) -> Result<(), Invalid> {
    if s.len() > max_bytes {
        return Err(invalid(
            field,
            format!("{} bytes, more than the {max_bytes} allowed", s.len()),
        ));
    }
    let bad = s
        .chars()
        .find(|&c| terminal::is_unsafe(c) && !(multiline && matches!(c, '\n' | '\r' | '\t')));
    match bad {
        None => Ok(()),
        Some(c) if c.is_control() => Err(invalid(
            field,
            format!("contains the control character U+{:04X}", c as u32),
        )),
        Some(c) => {
            let is_query =
                field == "query" || field.starts_with("history") || field.ends_with(": query");
            let hint = if is_query {
                format!("; in a query string, write it as \\u{:04x}", c as u32)
            } else {
                String::new()
            };
            Err(invalid(
                field,
                format!(
                    "contains U+{:04X} ({}), an invisible character that can reorder or hide text{hint}",
                    c as u32,
                    invisible_name(c),
                ),
            ))
        }
    }
}

/// The Unicode name of an invisible character [`check_text`] refuses.
fn invisible_name(c: char) -> &'static str {
    match c {
        '\u{061c}' => "ARABIC LETTER MARK",
        '\u{200b}' => "ZERO WIDTH SPACE",
        '\u{200c}' => "ZERO WIDTH NON-JOINER",
        '\u{200d}' => "ZERO WIDTH JOINER",
        '\u{200e}' => "LEFT-TO-RIGHT MARK",
        '\u{200f}' => "RIGHT-TO-LEFT MARK",
        '\u{202a}' => "LEFT-TO-RIGHT EMBEDDING",
        '\u{202b}' => "RIGHT-TO-LEFT EMBEDDING",
        '\u{202c}' => "POP DIRECTIONAL FORMATTING",
        '\u{202d}' => "LEFT-TO-RIGHT OVERRIDE",
        '\u{202e}' => "RIGHT-TO-LEFT OVERRIDE",
        '\u{2060}' => "WORD JOINER",
        '\u{2061}' => "FUNCTION APPLICATION",
        '\u{2062}' => "INVISIBLE TIMES",
        '\u{2063}' => "INVISIBLE SEPARATOR",
        '\u{2064}' => "INVISIBLE PLUS",
        '\u{2066}' => "LEFT-TO-RIGHT ISOLATE",
        '\u{2067}' => "RIGHT-TO-LEFT ISOLATE",
        '\u{2068}' => "FIRST STRONG ISOLATE",
        '\u{2069}' => "POP DIRECTIONAL ISOLATE",
        '\u{feff}' => "ZERO WIDTH NO-BREAK SPACE",
        _ => "an invisible format character",
    }
}

/// A time stamp as the page writes them: RFC 3339, UTC or with an offset.
pub fn check_time(field: &str, s: &str) -> Result<i64, Invalid> {
    if s.len() > 64 {
        return Err(invalid(field, "is not a time stamp"));
    }
    parse_timestamp(s).ok_or_else(|| invalid(field, format!("{s:?} is not an RFC 3339 time stamp")))
}

impl CaseData {
    /// Checks every field against its type, length and count limits.
    pub fn validate(&self) -> Result<(), Invalid> {
        if self.name.trim().is_empty() {
            return Err(invalid("case name", "is empty"));
        }
        if self.name.chars().count() > MAX_NAME_CHARS {
            return Err(invalid(
                "case name",
                format!("longer than {MAX_NAME_CHARS} characters"),
            ));
        }
        check_text("case name", &self.name, MAX_NAME_CHARS * 4, false)?;
        check_text("query", &self.query, MAX_QUERY_BYTES, true)?;
        if self.history.len() > MAX_HISTORY {
            return Err(invalid(
                "history",
                format!(
                    "{} entries, more than the {MAX_HISTORY} allowed",
                    self.history.len()
                ),
            ));
        }
        for (i, h) in self.history.iter().enumerate() {
            check_text(
                &format!("history entry {}", i + 1),
                h,
                MAX_QUERY_BYTES,
                true,
            )?;
        }
        check_text("notes", &self.notes, MAX_NOTES_BYTES, true)?;
        if self.evidence.len() > MAX_EVIDENCE {
            return Err(invalid(
                "evidence",
                format!(
                    "{} records, more than the {MAX_EVIDENCE} allowed",
                    self.evidence.len()
                ),
            ));
        }
        for (i, e) in self.evidence.iter().enumerate() {
            e.validate(&format!("evidence {}", i + 1))?;
        }
        if let Some(tf) = &self.timeframe {
            tf.validate()?;
        }
        investigation::validate_tree(&self.tree)?;
        investigation::validate_lists(&self.lists)?;
        if let Some(r) = &self.reference {
            r.validate()?;
        }
        Ok(())
    }
}

impl Evidence {
    pub fn validate(&self, field: &str) -> Result<(), Invalid> {
        check_text(
            &format!("{field}: query"),
            &self.query,
            MAX_QUERY_BYTES,
            true,
        )?;
        if self.record.len() > MAX_RECORD_BYTES {
            return Err(invalid(
                format!("{field}: record"),
                format!(
                    "{} bytes, more than the {MAX_RECORD_BYTES} allowed",
                    self.record.len()
                ),
            ));
        }
        // serde_json caps nesting at 128 levels, so a deeply nested record is an error, not a
        // stack overflow.
        match serde_json::from_str::<serde_json::Value>(&self.record) {
            Ok(v) if v.is_object() => {}
            Ok(_) => return Err(invalid(format!("{field}: record"), "is not a JSON object")),
            Err(e) => {
                return Err(invalid(
                    format!("{field}: record"),
                    format!("is not valid JSON ({e})"),
                ))
            }
        }
        check_time(&format!("{field}: pinned"), &self.pinned)?;
        if let Some(t) = &self.time {
            check_time(&format!("{field}: time"), t)?;
        }
        Ok(())
    }

    /// A one-line label: `eventName · eventTime` when the record has them, else its first
    /// fields. Plain text for the page to show as text.
    pub fn label(&self) -> String {
        let Ok(serde_json::Value::Object(map)) =
            serde_json::from_str::<serde_json::Value>(&self.record)
        else {
            return "record".into();
        };
        // A record from `parse content, "JSON:event"` has the event under `event`; a `fields`
        // result has flat columns.
        let event = map.get("event").and_then(|e| e.as_object());
        let find = |key: &str| {
            map.get(key)
                .or_else(|| event.and_then(|e| e.get(key)))
                .and_then(|v| v.as_str())
                .map(str::to_string)
        };
        let mut parts: Vec<String> = ["eventName", "eventTime", "sourceIPAddress"]
            .iter()
            .filter_map(|k| find(k))
            .collect();
        if parts.is_empty() {
            parts = map
                .iter()
                .filter(|(k, _)| k.as_str() != "content")
                .take(3)
                .map(|(k, v)| match v {
                    serde_json::Value::String(s) => format!("{k}={s}"),
                    v => format!("{k}={v}"),
                })
                .collect();
        }
        let label = parts.join(" · ");
        if label.chars().count() > 160 {
            let mut cut: String = label.chars().take(159).collect();
            cut.push('…');
            cut
        } else if label.is_empty() {
            "record".into()
        } else {
            label
        }
    }
}

impl TimeFrame {
    pub fn validate(&self) -> Result<(), Invalid> {
        if let Some(d) = self.last_ns {
            if d <= 0 || d > MAX_LAST_NS {
                return Err(invalid("time frame", format!("{d} ns is not a duration")));
            }
        }
        let from = self
            .from
            .as_deref()
            .map(|s| check_time("time frame start", s))
            .transpose()?;
        let to = self
            .to
            .as_deref()
            .map(|s| check_time("time frame end", s))
            .transpose()?;
        if let (Some(a), Some(b)) = (from, to) {
            if a > b {
                return Err(invalid("time frame", "starts after it ends"));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case() -> CaseData {
        CaseData {
            name: "Brute force".into(),
            query: "fetch logs\n| limit 3".into(),
            history: vec!["fetch logs".into()],
            notes: "Started 09:00.\n\tSee ticket.".into(),
            evidence: vec![Evidence {
                query: "fetch logs".into(),
                record:
                    r#"{"event":{"eventName":"ConsoleLogin","eventTime":"2026-11-20T10:00:00Z"}}"#
                        .into(),
                pinned: "2026-11-20T12:00:00Z".into(),
                time: Some("2026-11-20T10:00:00Z".into()),
            }],
            timeframe: Some(TimeFrame {
                last_ns: Some(1_800_000_000_000),
                ..TimeFrame::default()
            }),
            ..CaseData::default()
        }
    }

    #[test]
    fn a_good_case_passes() {
        assert_eq!(case().validate(), Ok(()));
    }

    #[test]
    fn each_field_is_checked() {
        let long = "x".repeat(MAX_QUERY_BYTES + 1);
        type Change = Box<dyn Fn(&mut CaseData)>;
        let cases: Vec<(&str, Change)> = vec![
            ("case name", Box::new(|c| c.name = "  ".into())),
            ("case name", Box::new(|c| c.name = "a\u{7}b".into())),
            ("case name", Box::new(|c| c.name = "x".repeat(201))),
            ("case name", Box::new(|c| c.name = "a\nb".into())),
            ("query", Box::new(move |c| c.query = long.clone())),
            ("query", Box::new(|c| c.query = "a\u{0}".into())),
            (
                "history",
                Box::new(|c| c.history = vec![String::new(); 201]),
            ),
            (
                "history entry 2",
                Box::new(|c| c.history.push("\u{1b}[2J".into())),
            ),
            ("notes", Box::new(|c| c.notes = "right\u{202e}left".into())),
            (
                "evidence 1: record",
                Box::new(|c| c.evidence[0].record = "[1]".into()),
            ),
            (
                "evidence 1: record",
                Box::new(|c| c.evidence[0].record = "{".into()),
            ),
            (
                "evidence 1: pinned",
                Box::new(|c| c.evidence[0].pinned = "yesterday".into()),
            ),
            (
                "evidence 1: time",
                Box::new(|c| c.evidence[0].time = Some("then".into())),
            ),
            (
                "evidence",
                Box::new(|c| c.evidence = vec![c.evidence[0].clone(); 1001]),
            ),
            (
                "time frame",
                Box::new(|c| c.timeframe.as_mut().unwrap().last_ns = Some(-5)),
            ),
            (
                "time frame start",
                Box::new(|c| c.timeframe.as_mut().unwrap().from = Some("soon".into())),
            ),
        ];
        for (field, change) in cases {
            let mut c = case();
            change(&mut c);
            let err = c.validate().expect_err(field);
            assert_eq!(err.field, field, "{err}");
        }
    }

    /// Every bidi control and zero-width character is refused in every text field, with a
    /// message naming the field and the character.
    #[test]
    fn invisible_characters_are_refused_in_every_text_field() {
        let chars = ('\u{200b}'..='\u{200f}')
            .chain('\u{202a}'..='\u{202e}')
            .chain('\u{2060}'..='\u{2064}')
            .chain('\u{2066}'..='\u{2069}')
            .chain(['\u{feff}', '\u{061c}']);
        type Put = fn(&mut CaseData, String);
        let fields: [(&str, Put); 5] = [
            ("case name", |c, t| c.name = t),
            ("query", |c, t| c.query = t),
            ("history entry 2", |c, t| c.history.push(t)),
            ("notes", |c, t| c.notes = t),
            ("evidence 1: query", |c, t| c.evidence[0].query = t),
        ];
        let mut n = 0;
        for ch in chars {
            for (field, put) in fields {
                let mut c = case();
                put(&mut c, format!("admin{ch}x"));
                let err = c.validate().expect_err(field);
                assert_eq!(err.field, field, "{ch:?}: {err}");
                let code = format!("U+{:04X} (", ch as u32);
                assert!(err.reason.contains(&code), "{err}");
                assert!(
                    !err.reason.contains("(an invisible format character)"),
                    "{err}"
                );
                assert_eq!(
                    err.reason.contains("write it as \\u"),
                    field != "case name" && field != "notes",
                    "{err}"
                );
                n += 1;
            }
        }
        assert_eq!(n, 21 * 5);
        let mut c = case();
        c.name = "user\u{202e}gnp.exe".into();
        assert_eq!(
            c.validate().unwrap_err().to_string(),
            "case name: contains U+202E (RIGHT-TO-LEFT OVERRIDE), an invisible character that can reorder or hide text"
        );
        // Other non-ASCII text is fine: accents, CJK, emoji, right-to-left scripts.
        c.name = "Ünïcode 日本 😀 שלום".into();
        assert_eq!(c.validate(), Ok(()));
    }

    #[test]
    fn deep_records_are_rejected_not_overflowed() {
        let mut c = case();
        c.evidence[0].record = format!("{}{}", "{\"a\":".repeat(10_000), "}".repeat(10_000));
        assert_eq!(c.validate().unwrap_err().field, "evidence 1: record");
    }

    #[test]
    fn evidence_labels_name_the_event() {
        assert_eq!(
            case().evidence[0].label(),
            "ConsoleLogin · 2026-11-20T10:00:00Z"
        );
        let flat = Evidence {
            record: r#"{"count()":3,"ip":"<b>1.2.3.4</b>"}"#.into(),
            ..Evidence::default()
        };
        assert_eq!(flat.label(), "count()=3 · ip=<b>1.2.3.4</b>");
    }
}
