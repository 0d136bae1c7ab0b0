//! DQL values: the scalar and nested types a query produces, with DQL's equality (three-valued),
//! sort order (by type class, nulls last), table display and JSON output.

use std::cmp::Ordering;
use std::fmt::Write as _;
use std::hash::{Hash, Hasher};
use std::net::IpAddr;
use std::sync::Arc;

use crate::time::{format_duration, format_timestamp};

/// An ordered record: keys keep their insertion order, as JSON objects and DQL records do.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Record {
    pub fields: Vec<(Arc<str>, Value)>,
}

impl Record {
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.fields
            .iter()
            .find(|(k, _)| &**k == key)
            .map(|(_, v)| v)
    }
}

#[derive(Clone, Debug, Default)]
pub enum Value {
    #[default]
    Null,
    Bool(bool),
    Long(i64),
    Double(f64),
    Str(Arc<str>),
    /// Nanoseconds since the Unix epoch, UTC.
    Timestamp(i64),
    /// Nanoseconds.
    Duration(i64),
    /// Start (inclusive) and end (exclusive), as timestamps.
    Timeframe(i64, i64),
    /// An IPv4 or IPv6 address (`ip("10.0.0.1")`); never stored, only computed: CloudTrail
    /// writes addresses as text.
    Ip(IpAddr),
    /// A `uid` (`toUid("…")`, `uuid(high, low)`); computed, never stored.
    Uid(crate::uid::Uid),
    /// Bytes (`decodeBase64ToBinary`); written as Base64 text. Computed, never stored.
    Binary(Arc<[u8]>),
    Array(Arc<[Value]>),
    Record(Arc<Record>),
}

impl Value {
    pub fn str(s: &str) -> Value {
        Value::Str(Arc::from(s))
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Long(v) => Some(*v as f64),
            Value::Double(v) => Some(*v),
            _ => None,
        }
    }

    /// The DQL type name, as `type()` reports it.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Long(_) => "long",
            Value::Double(_) => "double",
            Value::Str(_) => "string",
            Value::Timestamp(_) => "timestamp",
            Value::Duration(_) => "duration",
            Value::Timeframe(..) => "timeframe",
            Value::Ip(_) => "ip",
            Value::Uid(_) => "uid",
            Value::Binary(_) => "binary",
            Value::Array(_) => "array",
            Value::Record(_) => "record",
        }
    }

    /// Member access `v[key]`: records by key, timeframes by `start`/`end`; anything else is null.
    pub fn member(&self, key: &str) -> Value {
        match self {
            Value::Record(r) => r.get(key).cloned().unwrap_or(Value::Null),
            Value::Timeframe(s, e) => match key {
                "start" => Value::Timestamp(*s),
                "end" => Value::Timestamp(*e),
                _ => Value::Null,
            },
            _ => Value::Null,
        }
    }

    /// Element access `v[i]`: 0-based; out of range or not an array is null.
    pub fn element(&self, i: i64) -> Value {
        match self {
            Value::Array(a) if i >= 0 => a.get(i as usize).cloned().unwrap_or(Value::Null),
            _ => Value::Null,
        }
    }

    /// Rank of the type class in DQL's mixed-type sort order.
    fn class(&self) -> u8 {
        match self {
            Value::Bool(_) => 0,
            Value::Long(_) | Value::Double(_) => 1,
            Value::Binary(_) => 2,
            Value::Str(_) => 3,
            Value::Timestamp(_) => 4,
            Value::Duration(_) => 5,
            Value::Timeframe(..) => 6,
            Value::Uid(_) => 7,
            Value::Ip(_) => 8,
            Value::Array(_) => 9,
            Value::Record(_) => 10,
            Value::Null => 255,
        }
    }
}

/// DQL `==`: null if either side is null; numbers compare across long/double; values of types
/// that cannot be compared are simply not equal.
pub fn dql_eq(a: &Value, b: &Value) -> Option<bool> {
    if a.is_null() || b.is_null() {
        return None;
    }
    Some(same(a, b))
}

/// Structural equality with numeric cross-type comparison; nulls inside arrays/records are equal.
pub fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Null, Value::Null) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Long(x), Value::Long(y)) => x == y,
        (Value::Long(_) | Value::Double(_), Value::Long(_) | Value::Double(_)) => {
            a.as_f64() == b.as_f64()
        }
        (Value::Str(x), Value::Str(y)) => x == y,
        (Value::Timestamp(x), Value::Timestamp(y)) | (Value::Duration(x), Value::Duration(y)) => {
            x == y
        }
        (Value::Timeframe(a1, a2), Value::Timeframe(b1, b2)) => a1 == b1 && a2 == b2,
        (Value::Ip(x), Value::Ip(y)) => x == y,
        (Value::Uid(x), Value::Uid(y)) => x == y,
        (Value::Binary(x), Value::Binary(y)) => x == y,
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| same(p, q))
        }
        (Value::Record(x), Value::Record(y)) => {
            x.fields.len() == y.fields.len()
                && x.fields
                    .iter()
                    .zip(&y.fields)
                    .all(|((k1, v1), (k2, v2))| k1 == k2 && same(v1, v2))
        }
        _ => false,
    }
}

/// DQL `<`, `<=`, ...: numbers, strings, timestamps, durations and addresses of one family
/// compare; other pairs give null.
pub fn dql_cmp(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Long(x), Value::Long(y)) => Some(x.cmp(y)),
        (Value::Long(_) | Value::Double(_), Value::Long(_) | Value::Double(_)) => {
            a.as_f64()?.partial_cmp(&b.as_f64()?)
        }
        (Value::Str(x), Value::Str(y)) => Some(x.cmp(y)),
        (Value::Timestamp(x), Value::Timestamp(y)) | (Value::Duration(x), Value::Duration(y)) => {
            Some(x.cmp(y))
        }
        (Value::Ip(x), Value::Ip(y)) if x.is_ipv4() == y.is_ipv4() => Some(crate::ip::order(x, y)),
        _ => None,
    }
}

/// The total order `sort` uses: by type class first (boolean < numbers < binary < string <
/// timestamp < duration < timeframe < uid < ip < array < record), then by value (IPv4 before
/// IPv6; uids by subtype, then bits; bytes as unsigned); null after everything.
pub fn sort_cmp(a: &Value, b: &Value) -> Ordering {
    let (ca, cb) = (a.class(), b.class());
    if ca != cb {
        return ca.cmp(&cb);
    }
    match (a, b) {
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::Long(x), Value::Long(y)) => x.cmp(y),
        (Value::Long(_) | Value::Double(_), _) => {
            let (x, y) = (a.as_f64().unwrap_or(0.0), b.as_f64().unwrap_or(0.0));
            // -0.0 and 0.0 are equal here (total_cmp would order them).
            x.partial_cmp(&y).unwrap_or_else(|| x.total_cmp(&y))
        }
        (Value::Str(x), Value::Str(y)) => x.cmp(y),
        (Value::Timestamp(x), Value::Timestamp(y)) | (Value::Duration(x), Value::Duration(y)) => {
            x.cmp(y)
        }
        (Value::Timeframe(a1, a2), Value::Timeframe(b1, b2)) => (a1, a2).cmp(&(b1, b2)),
        (Value::Ip(x), Value::Ip(y)) => crate::ip::order(x, y),
        (Value::Uid(x), Value::Uid(y)) => (x.kind, x.bits()).cmp(&(y.kind, y.bits())),
        (Value::Binary(x), Value::Binary(y)) => x.cmp(y),
        (Value::Array(x), Value::Array(y)) => {
            for (p, q) in x.iter().zip(y.iter()) {
                let o = sort_cmp(p, q);
                if o != Ordering::Equal {
                    return o;
                }
            }
            x.len().cmp(&y.len())
        }
        (Value::Record(x), Value::Record(y)) => x.fields.len().cmp(&y.fields.len()),
        _ => Ordering::Equal,
    }
}

/// A hashable wrapper with grouping equality: `summarize` and `dedup` keys, `countDistinct`.
/// Numbers group by numeric value (1 and 1.0 are one group); null is its own group.
#[derive(Clone, Debug)]
pub struct GroupKey(pub Value);

impl PartialEq for GroupKey {
    fn eq(&self, other: &Self) -> bool {
        same(&self.0, &other.0)
    }
}
impl Eq for GroupKey {}

impl Hash for GroupKey {
    fn hash<H: Hasher>(&self, h: &mut H) {
        hash_value(&self.0, h)
    }
}

fn hash_value<H: Hasher>(v: &Value, h: &mut H) {
    match v {
        Value::Null => 0u8.hash(h),
        Value::Bool(b) => (1u8, b).hash(h),
        Value::Long(_) | Value::Double(_) => {
            let f = v.as_f64().unwrap_or(0.0);
            // 1 and 1.0 must hash alike; -0.0 and 0.0 too.
            (2u8, if f == 0.0 { 0 } else { f.to_bits() }).hash(h)
        }
        Value::Str(s) => (3u8, s).hash(h),
        Value::Timestamp(t) => (4u8, t).hash(h),
        Value::Duration(d) => (5u8, d).hash(h),
        Value::Timeframe(s, e) => (6u8, s, e).hash(h),
        Value::Ip(ip) => (9u8, ip).hash(h),
        Value::Uid(u) => (10u8, u).hash(h),
        Value::Binary(b) => (11u8, b).hash(h),
        Value::Array(a) => {
            (7u8, a.len()).hash(h);
            a.iter().for_each(|x| hash_value(x, h));
        }
        Value::Record(r) => {
            (8u8, r.fields.len()).hash(h);
            for (k, x) in &r.fields {
                k.hash(h);
                hash_value(x, h);
            }
        }
    }
}

/// Shortest text that reads back as the same double; whole numbers without `.0`, as DQL shows them.
pub fn format_double(f: f64) -> String {
    if f.is_nan() {
        "NaN".into()
    } else if f.is_infinite() {
        if f > 0.0 { "Infinity" } else { "-Infinity" }.into()
    } else if f == f.trunc() && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

/// Writes a JSON string literal with the escapes RFC 8259 requires, and `\uXXXX` for the other
/// characters a terminal would act on or hide (DEL, C1 controls, bidi and zero-width
/// characters, see [`crate::terminal`]): the same string to a JSON reader, inert on a screen.
pub fn write_json_string(out: &mut String, s: &str) {
    out.push('"');
    // Runs of printable ASCII other than `"` and `\` are copied whole (rebuilding `content`
    // spends its time here); everything else is looked at one character at a time.
    let b = s.as_bytes();
    let (mut run, mut i) = (0, 0);
    while i < b.len() {
        if b.len() - i >= 8 && plain8(&b[i..i + 8]) {
            i += 8;
            continue;
        }
        let c = b[i];
        if (0x20..0x7f).contains(&c) && c != b'"' && c != b'\\' {
            i += 1;
            continue;
        }
        out.push_str(&s[run..i]);
        let ch = s[i..].chars().next().unwrap_or('\u{fffd}');
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || crate::terminal::is_unsafe(c) => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
        i += ch.len_utf8().max(1);
        run = i;
    }
    out.push_str(&s[run..]);
    out.push('"');
}

/// [`write_json_string`] for text as bytes (valid UTF-8, not checked here: the store's
/// strings), into bytes.
pub fn write_json_string_bytes(out: &mut Vec<u8>, b: &[u8]) {
    out.push(b'"');
    let (mut run, mut i) = (0, 0);
    while i < b.len() {
        if b.len() - i >= 8 && plain8(&b[i..i + 8]) {
            i += 8;
            continue;
        }
        let c = b[i];
        if (0x20..0x7f).contains(&c) && c != b'"' && c != b'\\' {
            i += 1;
            continue;
        }
        out.extend_from_slice(&b[run..i]);
        let (ch, len) = decode_utf8(&b[i..]);
        match ch {
            '"' => out.extend_from_slice(b"\\\""),
            '\\' => out.extend_from_slice(b"\\\\"),
            '\n' => out.extend_from_slice(b"\\n"),
            '\r' => out.extend_from_slice(b"\\r"),
            '\t' => out.extend_from_slice(b"\\t"),
            c if (c as u32) < 0x20 || crate::terminal::is_unsafe(c) => {
                let _ = std::io::Write::write_fmt(out, format_args!("\\u{:04x}", c as u32));
            }
            _ => out.extend_from_slice(&b[i..i + len]),
        }
        i += len;
        run = i;
    }
    out.extend_from_slice(&b[run..]);
    out.push(b'"');
}

/// True when none of the eight bytes needs escaping in JSON text: none is below 0x20, `"`, `\`
/// or 0x7f and above (a byte at a time: false positives only, which the caller then checks).
#[inline]
fn plain8(b: &[u8]) -> bool {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let w = u64::from_le_bytes(b.try_into().unwrap_or([0; 8]));
    let zero_byte = |v: u64| v.wrapping_sub(LO) & !v & HI;
    let below_space = w.wrapping_sub(LO * 0x20) & !w & HI;
    let quote = zero_byte(w ^ (LO * b'"' as u64));
    let backslash = zero_byte(w ^ (LO * b'\\' as u64));
    let del_or_high = (w | w.wrapping_add(LO)) & HI;
    below_space | quote | backslash | del_or_high == 0
}

/// The character at the start of valid UTF-8 bytes and its length (U+FFFD for a bad byte).
fn decode_utf8(b: &[u8]) -> (char, usize) {
    let c0 = b[0] as u32;
    let (len, mut c) = match c0 {
        0x00..=0x7f => return (c0 as u8 as char, 1),
        0xf0..=0xf7 => (4, c0 & 0x07),
        0xe0..=0xef => (3, c0 & 0x0f),
        0xc0..=0xdf => (2, c0 & 0x1f),
        _ => return ('\u{fffd}', 1),
    };
    if b.len() < len {
        return ('\u{fffd}', 1);
    }
    for &x in &b[1..len] {
        c = (c << 6) | (x as u32 & 0x3f);
    }
    (char::from_u32(c).unwrap_or('\u{fffd}'), len)
}

impl Value {
    /// JSON as the CLI's `--format json` writes it: timestamps as RFC 3339 strings, durations as
    /// integer nanoseconds, timeframes as `{"start": …, "end": …}`, addresses as strings.
    pub fn write_json(&self, out: &mut String) {
        match self {
            Value::Null => out.push_str("null"),
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Long(v) => {
                let _ = write!(out, "{v}");
            }
            Value::Double(f) if f.is_finite() => {
                if *f == f.trunc() && f.abs() < 1e15 {
                    let _ = write!(out, "{:.1}", f);
                } else {
                    let _ = write!(out, "{f}");
                }
            }
            Value::Double(_) => out.push_str("null"),
            Value::Str(s) => write_json_string(out, s),
            Value::Timestamp(t) => write_json_string(out, &format_timestamp(*t)),
            Value::Duration(d) => {
                let _ = write!(out, "{d}");
            }
            Value::Timeframe(s, e) => {
                out.push_str("{\"start\":");
                write_json_string(out, &format_timestamp(*s));
                out.push_str(",\"end\":");
                write_json_string(out, &format_timestamp(*e));
                out.push('}');
            }
            Value::Ip(ip) => write_json_string(out, &crate::ip::format(ip)),
            Value::Uid(u) => write_json_string(out, &u.to_string()),
            Value::Binary(b) => write_json_string(out, &base64(b)),
            Value::Array(a) => {
                out.push('[');
                for (i, v) in a.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    v.write_json(out);
                }
                out.push(']');
            }
            Value::Record(r) => {
                out.push('{');
                for (i, (k, v)) in r.fields.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_json_string(out, k);
                    out.push(':');
                    v.write_json(out);
                }
                out.push('}');
            }
        }
    }

    pub fn to_json(&self) -> String {
        let mut s = String::new();
        self.write_json(&mut s);
        s
    }

    /// Text for a table cell: strings bare, nested values compact JSON, durations `5 min`.
    pub fn display(&self) -> String {
        match self {
            Value::Null => "null".into(),
            Value::Str(s) => s.to_string(),
            Value::Double(f) => format_double(*f),
            Value::Timestamp(t) => format_timestamp(*t),
            Value::Duration(d) => format_duration(*d),
            Value::Timeframe(s, e) => {
                format!("{} – {}", format_timestamp(*s), format_timestamp(*e))
            }
            Value::Ip(ip) => crate::ip::format(ip),
            Value::Uid(u) => u.to_string(),
            Value::Binary(b) => base64(b),
            Value::Array(a) => {
                let parts: Vec<String> = a.iter().map(Value::display_nested).collect();
                format!("[{}]", parts.join(", "))
            }
            Value::Record(_) => self.to_json(),
            other => other.to_json(),
        }
    }

    fn display_nested(&self) -> String {
        match self {
            Value::Str(_) | Value::Record(_) => self.to_json(),
            other => other.display(),
        }
    }

    /// `toString()`: strings as they are, numbers plainly, nested values as JSON.
    pub fn to_dql_string(&self) -> Option<String> {
        Some(match self {
            Value::Null => return None,
            Value::Str(s) => s.to_string(),
            Value::Long(v) => v.to_string(),
            Value::Double(f) => format_double(*f),
            Value::Bool(b) => b.to_string(),
            Value::Timestamp(t) => tostring_timestamp(*t),
            Value::Duration(d) => tostring_duration(*d),
            Value::Timeframe(s, e) => {
                format!("{}/{}", tostring_timestamp(*s), tostring_timestamp(*e))
            }
            Value::Ip(ip) => crate::ip::format(ip),
            Value::Uid(u) => u.to_string(),
            Value::Binary(b) => base64(b),
            Value::Array(a) => {
                let parts: Vec<String> = a
                    .iter()
                    .map(|v| match v {
                        Value::Str(_) | Value::Record(_) | Value::Null => v.to_json(),
                        other => other.to_dql_string().unwrap_or_default(),
                    })
                    .collect();
                format!("[{}]", parts.join(", "))
            }
            Value::Record(_) => self.to_json(),
        })
    }
}

/// Bytes as standard Base64 with padding: how a `binary` value is written.
pub fn base64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// `toString(timestamp)`: `2019-08-01T13:30:00.000000000 +0000`.
fn tostring_timestamp(ns: i64) -> String {
    let t = format_timestamp(ns.div_euclid(1_000_000_000) * 1_000_000_000);
    format!(
        "{}.{:09} +0000",
        t.trim_end_matches('Z'),
        ns.rem_euclid(1_000_000_000)
    )
}

/// `toString(duration)`: `05:00.000000000` (minutes:seconds.nanos), hours and days in front when
/// present (`1:00:00.000000000`, `2d 03:00:00.000000000`).
fn tostring_duration(ns: i64) -> String {
    let sign = if ns < 0 { "-" } else { "" };
    let n = ns.unsigned_abs();
    let (secs, frac) = (n / 1_000_000_000, n % 1_000_000_000);
    let (days, h, m, s) = (secs / 86400, secs / 3600 % 24, secs / 60 % 60, secs % 60);
    match (days, h) {
        (0, 0) => format!("{sign}{m:02}:{s:02}.{frac:09}"),
        (0, h) => format!("{sign}{h:02}:{m:02}:{s:02}.{frac:09}"),
        (d, h) => format!("{sign}{d}d {h:02}:{m:02}:{s:02}.{frac:09}"),
    }
}

impl PartialEq for Value {
    /// Test-friendly structural equality (null equals null).
    fn eq(&self, other: &Self) -> bool {
        same(self, other) && self.type_name() == other.type_name()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `write_json_string` copies plain ASCII runs whole: the same text as escaping character
    /// by character.
    #[test]
    fn json_strings_escape_as_character_by_character() {
        fn one_by_one(s: &str) -> String {
            let mut out = String::from('"');
            for c in s.chars() {
                match c {
                    '"' => out.push_str("\\\""),
                    '\\' => out.push_str("\\\\"),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    '\t' => out.push_str("\\t"),
                    c if (c as u32) < 0x20 || crate::terminal::is_unsafe(c) => {
                        out.push_str(&format!("\\u{:04x}", c as u32))
                    }
                    c => out.push(c),
                }
            }
            out.push('"');
            out
        }
        let pieces = [
            "a", "\"", "\\", "\n", "\u{1}", "\u{7f}", "\u{85}", "é", "😀", "\u{202e}", " ", "{}",
        ];
        for a in pieces {
            for b in pieces {
                for c in pieces {
                    let s = format!("{a}{b}x{c}");
                    let mut out = String::new();
                    write_json_string(&mut out, &s);
                    assert_eq!(out, one_by_one(&s), "{s:?}");
                    let mut bytes = Vec::new();
                    write_json_string_bytes(&mut bytes, s.as_bytes());
                    assert_eq!(String::from_utf8(bytes).unwrap(), out, "{s:?}");
                }
            }
        }
    }

    #[test]
    fn three_valued_equality() {
        let s = Value::str("a");
        for (a, b, want) in [
            (s.clone(), Value::str("a"), Some(true)),
            (s.clone(), Value::Null, None),
            (Value::Null, Value::Null, None),
            (Value::Long(5), Value::str("5"), Some(false)),
            (Value::Long(1), Value::Double(1.0), Some(true)),
            (Value::Bool(true), Value::Long(1), Some(false)),
        ] {
            assert_eq!(dql_eq(&a, &b), want, "{a:?} == {b:?}");
        }
    }

    #[test]
    fn sort_order_by_class_nulls_last() {
        let mut v = [
            Value::Null,
            Value::str("b"),
            Value::Long(2),
            Value::Bool(true),
            Value::Double(1.5),
            Value::str("B"),
        ];
        v.sort_by(sort_cmp);
        let shown: Vec<String> = v.iter().map(Value::display).collect();
        assert_eq!(shown, ["true", "1.5", "2", "B", "b", "null"]);
    }

    #[test]
    fn a_value_stays_three_words() {
        // Columns hold millions of values: the `ip` and `uid` variants (17 bytes) must not widen
        // them.
        assert_eq!(std::mem::size_of::<Value>(), 24);
    }

    #[test]
    fn json_output() {
        let r = Value::Record(Arc::new(Record {
            fields: vec![
                ("a".into(), Value::Double(2.0)),
                ("t".into(), Value::Timestamp(0)),
                ("s".into(), Value::str("x\"\n")),
            ],
        }));
        assert_eq!(
            r.to_json(),
            r#"{"a":2.0,"t":"1970-01-01T00:00:00Z","s":"x\"\n"}"#
        );
    }
}
