//! The investigation parts of a portable case (issue 14): the query tree (every run a node,
//! branches the paths tried), named evidence lists (values, CIDR ranges, principal ARNs) and the
//! reference event. Each type has its limits and checks here, as a case file or a share link may
//! carry it from anyone: counts, lengths, no control or invisible characters, parents that exist
//! and come first (so a tree can never loop), colours from a fixed palette.

use serde::{Deserialize, Serialize};
use trailscope_engine::ip;
use trailscope_engine::syntax::quote;
use trailscope_engine::time::{format_timestamp, parse_timestamp};

use crate::case::{check_text, check_time, invalid, Invalid, TimeFrame, MAX_QUERY_BYTES};

/// Most query nodes a case may hold.
pub const MAX_NODES: usize = 1_000;
/// Longest node name, in characters.
pub const MAX_NODE_NAME_CHARS: usize = 200;
/// Longest node annotation, in bytes.
pub const MAX_NODE_NOTE_BYTES: usize = 20_000;
/// The colours a node may be marked with, by name (the page draws each as a swatch).
pub const NODE_COLORS: [&str; 7] = ["red", "orange", "yellow", "green", "blue", "purple", "grey"];
/// Most evidence lists per case.
pub const MAX_LISTS: usize = 100;
/// Longest list name, in characters.
pub const MAX_LIST_NAME_CHARS: usize = 100;
/// Most items in one list.
pub const MAX_LIST_ITEMS: usize = 10_000;
/// Longest list item, in bytes (an ARN of a role session is about 200).
pub const MAX_ITEM_BYTES: usize = 2_048;
/// Longest reference label, in characters.
pub const MAX_LABEL_CHARS: usize = 300;
/// Deepest a query tree may nest (a root is at depth 1). The page draws the tree as a flat
/// list with levels, never recursively, but a tree a thousand levels deep is not one anybody
/// made by hand.
pub const MAX_DEPTH: usize = 100;

/// One run of a query in a case: its text, the time frame it read, how many rows it gave, and
/// what the investigator made of it. `parent` is the node it was run from; nodes without one
/// are roots. Results are not kept in a case: a node runs again when it is opened.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueryNode {
    /// Unique within the case.
    pub id: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<u64>,
    pub query: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeframe: Option<TimeFrame>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rows: Option<u64>,
    /// A name the investigator gave it (empty: the query's first line is shown).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// One of [`NODE_COLORS`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
    /// When it last ran (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ran: Option<String>,
}

/// A named list of values the investigation collects ("Suspicious IPs", "Compromised
/// principals", "Safe IPs"): addresses, CIDR ranges, principal ARNs or any other value, one
/// string each (what each is, is read from its text: [`item_kind`]).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvidenceList {
    pub name: String,
    #[serde(default)]
    pub items: Vec<String>,
}

/// What a list item is, read from its text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ItemKind {
    /// An IPv4 or IPv6 address.
    Ip,
    /// A CIDR range (`10.0.0.0/8`).
    Cidr,
    /// An AWS ARN (`arn:aws:iam::…`).
    Arn,
    Value,
}

impl ItemKind {
    pub fn name(self) -> &'static str {
        match self {
            ItemKind::Ip => "IP address",
            ItemKind::Cidr => "CIDR range",
            ItemKind::Arn => "ARN",
            ItemKind::Value => "value",
        }
    }
}

/// What `item` is: an address, a CIDR range, an ARN or another value.
pub fn item_kind(item: &str) -> ItemKind {
    if ip::parse(item).is_some() {
        ItemKind::Ip
    } else if item.contains('/') && ip::Range::parse(item).is_some() {
        ItemKind::Cidr
    } else if item.starts_with("arn:") && item.split(':').count() >= 6 {
        ItemKind::Arn
    } else {
        ItemKind::Value
    }
}

/// The record the investigation is timed against: every time-ordered result shows each row's
/// distance to it, and the time frame picker offers "±N minutes around the reference".
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reference {
    /// The event's time (RFC 3339, nanoseconds kept).
    pub time: String,
    /// What it is, as text (`ConsoleLogin · 203.0.113.7`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub label: String,
}

fn check_name(field: &str, s: &str, max_chars: usize) -> Result<(), Invalid> {
    if s.trim().is_empty() {
        return Err(invalid(field, "is empty"));
    }
    if s.chars().count() > max_chars {
        return Err(invalid(
            field,
            format!("longer than {max_chars} characters"),
        ));
    }
    check_text(field, s, max_chars * 4, false)
}

/// Checks a query tree: at most [`MAX_NODES`] nodes, unique ids, each parent an earlier node
/// (so no loop can be written), every text and time within its limits.
pub fn validate_tree(nodes: &[QueryNode]) -> Result<(), Invalid> {
    if nodes.len() > MAX_NODES {
        return Err(invalid(
            "query tree",
            format!("{} nodes, more than the {MAX_NODES} allowed", nodes.len()),
        ));
    }
    // id → depth (a root is 1).
    let mut seen = std::collections::HashMap::new();
    for (i, n) in nodes.iter().enumerate() {
        let field = format!("query node {}", i + 1);
        let depth = match n.parent {
            None => 1,
            Some(p) => match seen.get(&p) {
                Some(d) => d + 1,
                None => {
                    return Err(invalid(
                        &field,
                        format!("its parent {p} is not an earlier node of the tree"),
                    ))
                }
            },
        };
        if depth > MAX_DEPTH {
            return Err(invalid(
                &field,
                format!("nested deeper than the {MAX_DEPTH} levels allowed"),
            ));
        }
        if seen.insert(n.id, depth).is_some() {
            return Err(invalid(&field, format!("id {} is used twice", n.id)));
        }
        check_text(&format!("{field}: query"), &n.query, MAX_QUERY_BYTES, true)?;
        if let Some(tf) = &n.timeframe {
            tf.validate()?;
        }
        if !n.name.is_empty() {
            check_name(&format!("{field}: name"), &n.name, MAX_NODE_NAME_CHARS)?;
        }
        if let Some(c) = &n.color {
            if !NODE_COLORS.contains(&c.as_str()) {
                let shown: String = c.chars().take(20).collect();
                return Err(invalid(
                    format!("{field}: colour"),
                    format!("{shown:?} is not one of {}", NODE_COLORS.join(", ")),
                ));
            }
        }
        check_text(
            &format!("{field}: note"),
            &n.note,
            MAX_NODE_NOTE_BYTES,
            true,
        )?;
        if let Some(t) = &n.ran {
            check_time(&format!("{field}: ran"), t)?;
        }
    }
    Ok(())
}

/// Checks evidence lists: at most [`MAX_LISTS`], names unique and within limits, at most
/// [`MAX_LIST_ITEMS`] items of at most [`MAX_ITEM_BYTES`] each, no control or invisible
/// characters.
pub fn validate_lists(lists: &[EvidenceList]) -> Result<(), Invalid> {
    if lists.len() > MAX_LISTS {
        return Err(invalid(
            "evidence lists",
            format!("{} lists, more than the {MAX_LISTS} allowed", lists.len()),
        ));
    }
    for (i, l) in lists.iter().enumerate() {
        let field = format!("evidence list {}", i + 1);
        check_name(&format!("{field}: name"), &l.name, MAX_LIST_NAME_CHARS)?;
        if lists[..i].iter().any(|o| o.name == l.name) {
            return Err(invalid(
                format!("{field}: name"),
                "another list has the same name",
            ));
        }
        if l.items.len() > MAX_LIST_ITEMS {
            return Err(invalid(
                &field,
                format!(
                    "{} items, more than the {MAX_LIST_ITEMS} allowed",
                    l.items.len()
                ),
            ));
        }
        for (k, item) in l.items.iter().enumerate() {
            let f = format!("{field}: item {}", k + 1);
            if item.is_empty() {
                return Err(invalid(f, "is empty"));
            }
            check_text(&f, item, MAX_ITEM_BYTES, false)?;
        }
    }
    Ok(())
}

/// The items of a list written as text or CSV: one item per line. Text whose first line is a
/// CSV header starting with `value` (what [`list_csv`] writes) is CSV: each line's first cell
/// is the item (quoted cells with `""` read as RFC 4180 writes them); otherwise a whole line is
/// one item (an ARN or a value may hold commas). Blank lines and lines starting with `#` are
/// skipped; items are trimmed and kept once, in their first order. Each item is checked as
/// a case file checks it (length, no control or invisible characters): the first bad line is
/// refused with its number, nothing is half-imported.
pub fn parse_items(text: &str) -> Result<Vec<String>, Invalid> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut items: Vec<String> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let first = text
        .lines()
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let csv = first == "value" || first.starts_with("value,");
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || (csv && i == 0) {
            continue;
        }
        let item = if csv {
            first_csv_cell(line)
        } else {
            line.to_string()
        };
        let item = item.trim();
        if item.is_empty() {
            continue;
        }
        check_text(&format!("line {}", i + 1), item, MAX_ITEM_BYTES, false)?;
        if seen.insert(item.to_string()) {
            if items.len() >= MAX_LIST_ITEMS {
                return Err(invalid(
                    "list",
                    format!("more than the {MAX_LIST_ITEMS} items a list may hold"),
                ));
            }
            items.push(item.to_string());
        }
    }
    Ok(items)
}

/// The first cell of a CSV line: up to the first comma, or a quoted cell with `""` for `"`.
fn first_csv_cell(line: &str) -> String {
    let Some(rest) = line.strip_prefix('"') else {
        return line.split(',').next().unwrap_or("").to_string();
    };
    let mut out = String::new();
    let mut chars = rest.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '"' {
            if chars.peek() == Some(&'"') {
                chars.next();
                out.push('"');
            } else {
                break;
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// A list as text: one item per line.
pub fn list_text(list: &EvidenceList) -> String {
    let mut out = list.items.join("\n");
    out.push('\n');
    out
}

/// A list as CSV: `value,kind` then one line per item, quoted where RFC 4180 needs it; a cell
/// starting with `=`, `+`, `-`, `@`, TAB or CR gets a leading `'` (the formula defence of the
/// result exports).
pub fn list_csv(list: &EvidenceList) -> String {
    let mut out = String::from("value,kind\r\n");
    for item in &list.items {
        out.push_str(&csv_cell(item));
        out.push(',');
        out.push_str(item_kind(item).name());
        out.push_str("\r\n");
    }
    out
}

fn csv_cell(s: &str) -> String {
    let guarded = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if guarded.contains([',', '"', '\n', '\r']) || guarded != guarded.trim() {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

/// The field a list is usually matched against, from what its items are: addresses and
/// ranges the caller's address, ARNs the principal, anything else the event name.
pub fn default_field(list: &EvidenceList) -> &'static str {
    let kinds: Vec<ItemKind> = list.items.iter().map(|i| item_kind(i)).collect();
    if !kinds.is_empty()
        && kinds
            .iter()
            .all(|k| matches!(k, ItemKind::Ip | ItemKind::Cidr))
    {
        "event[sourceIPAddress]"
    } else if !kinds.is_empty() && kinds.iter().all(|k| *k == ItemKind::Arn) {
        "event[userIdentity][arn]"
    } else {
        "event[eventName]"
    }
}

/// The DQL line that keeps (or, with `exclude`, drops) the records whose `field` (a DQL
/// expression such as `event[sourceIPAddress]`) is on the list. A list of addresses and CIDR
/// ranges becomes `| filter ipIn(field, "203.0.113.7", "10.0.0.0/8")` (an address matches a
/// range it lies in); any other list `| filter in(field, "a", "b")` (equal values; an array
/// field matches when an element is on the list). Both are plain DQL, so the line can be read,
/// edited and shared like any other; `filterOut` drops only records that match, as in
/// Dynatrace. Refused when the list is empty or the line would be longer than a query may be.
pub fn list_filter(list: &EvidenceList, field: &str, exclude: bool) -> Result<String, String> {
    if list.items.is_empty() {
        return Err(format!("the list \u{201c}{}\u{201d} is empty", list.name));
    }
    let addresses = list
        .items
        .iter()
        .all(|i| matches!(item_kind(i), ItemKind::Ip | ItemKind::Cidr));
    let function = if addresses { "ipIn" } else { "in" };
    let command = if exclude { "filterOut" } else { "filter" };
    let mut line = format!("| {command} {function}({field}");
    for item in &list.items {
        line.push_str(", ");
        line.push_str(&quote::string(item));
    }
    line.push(')');
    if line.len() > MAX_QUERY_BYTES / 2 {
        return Err(format!(
            "the list is too long to write into a query ({} KB)",
            line.len() / 1000
        ));
    }
    Ok(line)
}

/// The time of the event a record (a result row as JSON) is about, RFC 3339 with nanoseconds:
/// its `timestamp` field, else the `eventTime` of the record, of its parsed `event`, or of the
/// whole source event it came from (`source`, when the row was projected). `None` when none
/// of them holds a time (a `summarize` row).
pub fn record_time(record: &str, source: Option<&str>) -> Option<String> {
    let time_in = |json: &str| -> Option<i64> {
        let serde_json::Value::Object(map) = serde_json::from_str(json).ok()? else {
            return None;
        };
        let event = map.get("event").and_then(|e| e.as_object());
        ["timestamp", "eventTime"]
            .iter()
            .filter_map(|k| map.get(*k).or_else(|| event.and_then(|e| e.get(*k))))
            .filter_map(|v| v.as_str())
            .find_map(parse_timestamp)
    };
    time_in(record)
        .or_else(|| source.and_then(time_in))
        .map(format_timestamp)
}

impl Reference {
    pub fn validate(&self) -> Result<(), Invalid> {
        check_time("reference: time", &self.time)?;
        if self.label.chars().count() > MAX_LABEL_CHARS {
            return Err(invalid(
                "reference: label",
                format!("longer than {MAX_LABEL_CHARS} characters"),
            ));
        }
        check_text("reference: label", &self.label, MAX_LABEL_CHARS * 4, false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(id: u64, parent: Option<u64>) -> QueryNode {
        QueryNode {
            id,
            parent,
            query: "fetch logs".into(),
            ..QueryNode::default()
        }
    }

    #[test]
    fn list_items_say_what_they_are() {
        for (item, kind) in [
            ("203.0.113.7", ItemKind::Ip),
            ("2001:db8::1", ItemKind::Ip),
            ("10.0.0.0/8", ItemKind::Cidr),
            ("2001:db8::/32", ItemKind::Cidr),
            ("10.0.0.0/33", ItemKind::Value),
            ("arn:aws:iam::111122223333:user/alice", ItemKind::Arn),
            ("arn:aws", ItemKind::Value),
            ("AKIAEXAMPLE", ItemKind::Value),
        ] {
            assert_eq!(item_kind(item), kind, "{item}");
        }
    }

    #[test]
    fn trees_need_earlier_parents_and_unique_ids() {
        assert_eq!(
            validate_tree(&[node(1, None), node(2, Some(1)), node(3, Some(1))]),
            Ok(())
        );
        type Case = (&'static str, Vec<QueryNode>, &'static str);
        let bad_colour = QueryNode {
            color: Some("<red>".into()),
            ..node(1, None)
        };
        let cases: Vec<Case> = vec![
            (
                "a loop",
                vec![node(1, Some(2)), node(2, Some(1))],
                "is not an earlier node",
            ),
            ("its own parent", vec![node(1, Some(1))], "earlier node"),
            ("twice", vec![node(1, None), node(1, None)], "used twice"),
            ("colour", vec![bad_colour], "is not one of red"),
            (
                "query",
                vec![QueryNode {
                    query: "a\u{202e}b".into(),
                    ..node(1, None)
                }],
                "U+202E",
            ),
            (
                "name",
                vec![QueryNode {
                    name: "x\ny".into(),
                    ..node(1, None)
                }],
                "control character",
            ),
            (
                "ran",
                vec![QueryNode {
                    ran: Some("yesterday".into()),
                    ..node(1, None)
                }],
                "not an RFC 3339",
            ),
            (
                "too many",
                (0..=MAX_NODES as u64).map(|i| node(i, None)).collect(),
                "more than the 1000",
            ),
        ];
        for (what, nodes, needle) in cases {
            let err = validate_tree(&nodes).expect_err(what).to_string();
            assert!(err.contains(needle), "{what}: {err}");
        }
    }

    #[test]
    fn lists_are_checked() {
        let ok = vec![EvidenceList {
            name: "Suspicious IPs".into(),
            items: vec!["203.0.113.7".into(), "10.0.0.0/8".into()],
        }];
        assert_eq!(validate_lists(&ok), Ok(()));
        let list = |name: &str, items: Vec<String>| EvidenceList {
            name: name.into(),
            items,
        };
        for (what, lists, needle) in [
            ("blank name", vec![list(" ", vec![])], "is empty"),
            (
                "same name",
                vec![list("a", vec![]), list("a", vec![])],
                "same name",
            ),
            (
                "empty item",
                vec![list("a", vec![String::new()])],
                "item 1: is empty",
            ),
            (
                "long item",
                vec![list("a", vec!["x".repeat(MAX_ITEM_BYTES + 1)])],
                "more than the 2048",
            ),
            (
                "hidden text",
                vec![list("a", vec!["1.2.3.4\u{200b}".into()])],
                "U+200B",
            ),
            (
                "line break",
                vec![list("a", vec!["a\nb".into()])],
                "control character",
            ),
            (
                "too many items",
                vec![list("a", vec!["x".into(); MAX_LIST_ITEMS + 1])],
                "10001 items",
            ),
            (
                "too many lists",
                (0..=MAX_LISTS)
                    .map(|i| list(&i.to_string(), vec![]))
                    .collect(),
                "101 lists",
            ),
        ] {
            let err = validate_lists(&lists).expect_err(what).to_string();
            assert!(err.contains(needle), "{what}: {err}");
        }
    }

    #[test]
    fn deep_trees_are_refused() {
        let chain: Vec<QueryNode> = (0..=MAX_DEPTH as u64)
            .map(|i| node(i, i.checked_sub(1)))
            .collect();
        assert_eq!(validate_tree(&chain[..MAX_DEPTH]), Ok(()));
        let err = validate_tree(&chain).unwrap_err().to_string();
        assert!(err.contains("deeper than the 100 levels"), "{err}");
    }

    #[test]
    fn list_items_are_read_from_text_and_csv() {
        for (text, items) in [
            (
                "203.0.113.7\n10.0.0.0/8\n",
                vec!["203.0.113.7", "10.0.0.0/8"],
            ),
            (" a \r\n\r\n# comment\nb\na\n", vec!["a", "b"]),
            ("value,kind\r\n1.2.3.4,IP address\r\n", vec!["1.2.3.4"]),
            ("\u{feff}Value\n\"x,\"\"y\"\"\",value\n", vec!["x,\"y\""]),
            ("a,b\n", vec!["a,b"]),
            ("", vec![]),
        ] {
            assert_eq!(parse_items(text).unwrap(), items, "{text:?}");
        }
        let err = parse_items("ok\nbad\u{202e}\n").unwrap_err().to_string();
        assert!(err.starts_with("line 2") && err.contains("U+202E"), "{err}");
        let many: String = (0..=MAX_LIST_ITEMS).map(|i| format!("{i}\n")).collect();
        assert!(parse_items(&many).is_err());
    }

    #[test]
    fn lists_export_as_text_and_safe_csv_and_read_back() {
        let l = EvidenceList {
            name: "x".into(),
            items: vec![
                "203.0.113.7".into(),
                "=HYPERLINK(\"a\")".into(),
                "a,b".into(),
            ],
        };
        assert_eq!(list_text(&l), "203.0.113.7\n=HYPERLINK(\"a\")\na,b\n");
        assert_eq!(
            list_csv(&l),
            "value,kind\r\n203.0.113.7,IP address\r\n\"'=HYPERLINK(\"\"a\"\")\",value\r\n\"a,b\",value\r\n"
        );
        assert_eq!(parse_items(&list_text(&l)).unwrap(), l.items);
        assert_eq!(parse_items(&list_csv(&l)).unwrap()[2], "a,b");
    }

    #[test]
    fn lists_become_dql_filters() {
        let ips = EvidenceList {
            name: "Suspicious IPs".into(),
            items: vec!["203.0.113.7".into(), "10.0.0.0/8".into()],
        };
        assert_eq!(default_field(&ips), "event[sourceIPAddress]");
        assert_eq!(
            list_filter(&ips, "event[sourceIPAddress]", false).unwrap(),
            r#"| filter ipIn(event[sourceIPAddress], "203.0.113.7", "10.0.0.0/8")"#
        );
        let arns = EvidenceList {
            name: "Principals".into(),
            items: vec!["arn:aws:iam::1:user/a\"b".into()],
        };
        assert_eq!(default_field(&arns), "event[userIdentity][arn]");
        assert_eq!(
            list_filter(&arns, "event[userIdentity][arn]", true).unwrap(),
            r#"| filterOut in(event[userIdentity][arn], "arn:aws:iam::1:user/a\"b")"#
        );
        let empty = EvidenceList {
            name: "E".into(),
            items: vec![],
        };
        assert!(list_filter(&empty, "x", false)
            .unwrap_err()
            .contains("is empty"));
    }

    #[test]
    fn records_say_when_their_event_happened() {
        for (record, source, time) in [
            (
                r#"{"timestamp":"2026-11-20T10:00:00.5Z"}"#,
                None,
                Some("2026-11-20T10:00:00.500000000Z"),
            ),
            (
                r#"{"event":{"eventTime":"2026-11-20T10:00:00Z"}}"#,
                None,
                Some("2026-11-20T10:00:00.000000000Z"),
            ),
            (
                r#"{"n":1}"#,
                Some(r#"{"eventTime":"2026-11-20T10:00:00Z"}"#),
                Some("2026-11-20T10:00:00.000000000Z"),
            ),
            (r#"{"count()":3}"#, None, None),
            ("not json", None, None),
        ] {
            let got = record_time(record, source);
            // The engine's own format decides the fraction digits; what matters is the instant.
            assert_eq!(
                got.as_deref().and_then(parse_timestamp),
                time.and_then(parse_timestamp),
                "{record}"
            );
        }
    }

    #[test]
    fn references_are_checked() {
        let r = Reference {
            time: "2026-11-20T10:00:00.123456789Z".into(),
            label: "ConsoleLogin".into(),
        };
        assert_eq!(r.validate(), Ok(()));
        let bad = Reference {
            time: "noon".into(),
            ..r.clone()
        };
        assert!(bad.validate().is_err());
        let hidden = Reference {
            label: "a\u{2066}b".into(),
            ..r
        };
        assert!(hidden
            .validate()
            .unwrap_err()
            .to_string()
            .contains("U+2066"));
    }
}
