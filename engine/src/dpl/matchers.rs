//! The matcher set: every matcher name Dynatrace documents (with its aliases), what its
//! configuration takes, what its quantifier means, and the scanners of the simple matchers
//! (numbers, booleans, IP addresses, quoted strings, UUIDs, character sets). Each scanner looks
//! at the text from a position and gives the end of what it matched, never more than `end`.
//!
//! About 880 lines on purpose: the matcher table and the scanners it names are read together when a
//! matcher is added or checked against Dynatrace's page.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::value::Value;

/// What a matcher name stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Def {
    /// LD, LDATA: any characters up to the next matcher, within the line.
    Line,
    /// DATA: any characters up to the next matcher, across lines.
    Data,
    /// STRING: a quoted string, or characters up to the next matcher within a token.
    Str,
    Dqs,
    Sqs,
    CsvDqs,
    CsvSqs,
    Posix(Posix),
    Eol,
    Cr,
    EolWin,
    Bos,
    Eos,
    Mos,
    Int,
    Long,
    HexInt,
    HexLong,
    Double,
    CDouble,
    Bool,
    IpAddr,
    Ipv4,
    Ipv6,
    Timestamp,
    Iso8601,
    HttpDate,
    JsonTimestamp,
    Uuid,
    Json,
    JsonArray,
    JsonValue,
    Kvp,
    Array,
    Structure,
    Enum,
    /// Documented by Dynatrace, not implemented here.
    NotYet,
}

/// The POSIX classes, usable as matchers (`ALPHA`) or inside groups (`[[:alpha:]_]`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Posix {
    Alnum,
    Alpha,
    Blank,
    Cntrl,
    Digit,
    Graph,
    Lower,
    Print,
    Punct,
    Space,
    NSpace,
    Upper,
    XDigit,
    Ascii,
    Word,
    Any,
}

impl Posix {
    pub const NAMES: &'static [(&'static str, Posix)] = &[
        ("alnum", Posix::Alnum),
        ("alpha", Posix::Alpha),
        ("blank", Posix::Blank),
        ("cntrl", Posix::Cntrl),
        ("digit", Posix::Digit),
        ("graph", Posix::Graph),
        ("lower", Posix::Lower),
        ("print", Posix::Print),
        ("punct", Posix::Punct),
        ("space", Posix::Space),
        ("upper", Posix::Upper),
        ("xdigit", Posix::XDigit),
        ("ascii", Posix::Ascii),
        ("word", Posix::Word),
        ("any", Posix::Any),
    ];

    pub fn by_name(name: &str) -> Option<Posix> {
        Posix::NAMES
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, p)| *p)
    }

    pub fn contains(self, c: char) -> bool {
        match self {
            Posix::Alnum => c.is_ascii_alphanumeric(),
            Posix::Alpha => c.is_ascii_alphabetic(),
            Posix::Blank => c == ' ' || c == '\t',
            Posix::Cntrl => matches!(c, '\x01'..='\x1f' | '\x7f'),
            Posix::Digit => c.is_ascii_digit(),
            Posix::Graph => matches!(c, '\x21'..='\x7e'),
            Posix::Lower => c.is_ascii_lowercase(),
            Posix::Print => matches!(c, '\x20'..='\x7e'),
            Posix::Punct => c.is_ascii_punctuation(),
            Posix::Space => is_space(c),
            Posix::NSpace => !is_space(c),
            Posix::Upper => c.is_ascii_uppercase(),
            Posix::XDigit => c.is_ascii_hexdigit(),
            Posix::Ascii => c.is_ascii(),
            Posix::Word => c.is_ascii_alphanumeric() || c == '_',
            Posix::Any => true,
        }
    }
}

/// `\t \n \v \f \r` and space: POSIX `[:space:]`.
pub fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\x0b' | '\x0c' | '\r')
}

/// What a quantifier on a matcher counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quantified {
    /// The matcher is repeated (literals, groups, character sets, numbers …).
    Repeat,
    /// The matcher's own length in bytes (LD, DATA, quoted strings).
    Bytes,
    /// Elements or pairs of a composite (ARRAY, KVP).
    Count,
}

/// One catalogue entry.
pub struct Entry {
    pub names: &'static [&'static str],
    pub def: Def,
    /// Configuration keys it takes.
    pub config: &'static [&'static str],
    /// Default `{min,max}`.
    pub min: u32,
    pub max: u32,
    pub quantified: Quantified,
    /// What `{ … }` after the name holds: nothing, matcher expressions, members, a type.
    pub body: BodyKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BodyKind {
    None,
    /// Matcher expressions (KVP, ARRAY, STRUCTURE).
    Items,
    /// JSON member matchers.
    Members,
    /// One matcher naming the element type (JSON_ARRAY, JSON_VALUE).
    Type,
    Enum,
}

const TEXT: &[&str] = &["locale", "charset"];
const NUM: &[&str] = &["min", "max", "locale", "charset"];
const JSON_CONF: &[&str] = &["greedy", "flat", "maxlen", "strict", "locale", "charset"];
const JSON_ARR: &[&str] = &["typed", "maxlen", "strict", "locale", "charset"];
const TIME_CONF: &[&str] = &["format", "timezone", "tz", "locale", "charset"];

const fn e(
    names: &'static [&'static str],
    def: Def,
    config: &'static [&'static str],
    (min, max): (u32, u32),
    quantified: Quantified,
    body: BodyKind,
) -> Entry {
    Entry {
        names,
        def,
        config,
        min,
        max,
        quantified,
        body,
    }
}

use BodyKind as B;
use Quantified as Q;

/// Every matcher, first name as the docs spell it.
pub static CATALOGUE: &[Entry] = &[
    e(
        &["LD", "LDATA"],
        Def::Line,
        TEXT,
        (1, 4096),
        Q::Bytes,
        B::None,
    ),
    e(&["DATA"], Def::Data, TEXT, (1, 4096), Q::Bytes, B::None),
    e(&["STRING"], Def::Str, TEXT, (1, 4096), Q::Bytes, B::None),
    e(&["DQS"], Def::Dqs, TEXT, (1, 4096), Q::Bytes, B::None),
    e(&["SQS"], Def::Sqs, TEXT, (1, 4096), Q::Bytes, B::None),
    e(&["CSVDQS"], Def::CsvDqs, TEXT, (1, 4096), Q::Bytes, B::None),
    e(&["CSVSQS"], Def::CsvSqs, TEXT, (1, 4096), Q::Bytes, B::None),
    e(
        &["ALNUM"],
        Def::Posix(Posix::Alnum),
        TEXT,
        (1, 4096),
        Q::Repeat,
        B::None,
    ),
    e(
        &["ALPHA"],
        Def::Posix(Posix::Alpha),
        TEXT,
        (1, 4096),
        Q::Repeat,
        B::None,
    ),
    e(
        &["BLANK"],
        Def::Posix(Posix::Blank),
        TEXT,
        (1, 4096),
        Q::Repeat,
        B::None,
    ),
    e(
        &["CNTRL"],
        Def::Posix(Posix::Cntrl),
        TEXT,
        (1, 4096),
        Q::Repeat,
        B::None,
    ),
    e(
        &["DIGIT"],
        Def::Posix(Posix::Digit),
        TEXT,
        (1, 4096),
        Q::Repeat,
        B::None,
    ),
    e(
        &["GRAPH"],
        Def::Posix(Posix::Graph),
        TEXT,
        (1, 4096),
        Q::Repeat,
        B::None,
    ),
    e(
        &["LOWER"],
        Def::Posix(Posix::Lower),
        TEXT,
        (1, 4096),
        Q::Repeat,
        B::None,
    ),
    e(
        &["PRINT"],
        Def::Posix(Posix::Print),
        TEXT,
        (1, 4096),
        Q::Repeat,
        B::None,
    ),
    e(
        &["PUNCT"],
        Def::Posix(Posix::Punct),
        TEXT,
        (1, 4096),
        Q::Repeat,
        B::None,
    ),
    e(
        &["SPACE"],
        Def::Posix(Posix::Space),
        TEXT,
        (1, 4096),
        Q::Repeat,
        B::None,
    ),
    e(
        &["NSPACE"],
        Def::Posix(Posix::NSpace),
        TEXT,
        (1, 4096),
        Q::Repeat,
        B::None,
    ),
    e(
        &["UPPER"],
        Def::Posix(Posix::Upper),
        TEXT,
        (1, 4096),
        Q::Repeat,
        B::None,
    ),
    e(
        &["XDIGIT"],
        Def::Posix(Posix::XDigit),
        TEXT,
        (1, 4096),
        Q::Repeat,
        B::None,
    ),
    e(
        &["ASCII"],
        Def::Posix(Posix::Ascii),
        TEXT,
        (1, 4096),
        Q::Repeat,
        B::None,
    ),
    e(
        &["WORD"],
        Def::Posix(Posix::Word),
        TEXT,
        (1, 4096),
        Q::Repeat,
        B::None,
    ),
    e(&["EOL", "LF"], Def::Eol, &[], (1, 1), Q::Repeat, B::None),
    e(&["CR"], Def::Cr, &[], (1, 1), Q::Repeat, B::None),
    e(
        &["EOLWIN", "WINEOL"],
        Def::EolWin,
        &[],
        (1, 1),
        Q::Repeat,
        B::None,
    ),
    e(&["BOS", "BOF"], Def::Bos, &[], (1, 1), Q::Repeat, B::None),
    e(&["EOS", "EOF"], Def::Eos, &[], (1, 1), Q::Repeat, B::None),
    e(&["MOS", "MOF"], Def::Mos, &[], (1, 1), Q::Repeat, B::None),
    e(
        &["INT", "INTEGER"],
        Def::Int,
        NUM,
        (1, 1),
        Q::Repeat,
        B::None,
    ),
    e(&["LONG"], Def::Long, NUM, (1, 1), Q::Repeat, B::None),
    e(&["HEXINT"], Def::HexInt, NUM, (1, 1), Q::Repeat, B::None),
    e(&["HEXLONG"], Def::HexLong, NUM, (1, 1), Q::Repeat, B::None),
    e(
        &["DOUBLE", "FLOAT"],
        Def::Double,
        NUM,
        (1, 1),
        Q::Repeat,
        B::None,
    ),
    e(
        &["CDOUBLE", "CFLOAT"],
        Def::CDouble,
        NUM,
        (1, 1),
        Q::Repeat,
        B::None,
    ),
    e(
        &["BOOLEAN", "BOOL"],
        Def::Bool,
        TEXT,
        (1, 1),
        Q::Repeat,
        B::None,
    ),
    e(
        &["IPADDR", "IP"],
        Def::IpAddr,
        TEXT,
        (1, 1),
        Q::Repeat,
        B::None,
    ),
    e(
        &["IPV4", "IPV4ADDR"],
        Def::Ipv4,
        TEXT,
        (1, 1),
        Q::Repeat,
        B::None,
    ),
    e(
        &["IPV6", "IPV6ADDR"],
        Def::Ipv6,
        TEXT,
        (1, 1),
        Q::Repeat,
        B::None,
    ),
    e(
        &["TIMESTAMP", "TIME"],
        Def::Timestamp,
        TIME_CONF,
        (1, 1),
        Q::Repeat,
        B::None,
    ),
    e(&["ISO8601"], Def::Iso8601, TEXT, (1, 1), Q::Repeat, B::None),
    e(
        &["HTTPDATE"],
        Def::HttpDate,
        TEXT,
        (1, 1),
        Q::Repeat,
        B::None,
    ),
    e(
        &["JSONTIMESTAMP"],
        Def::JsonTimestamp,
        TEXT,
        (1, 1),
        Q::Repeat,
        B::None,
    ),
    e(&["UUIDSTRING"], Def::Uuid, TEXT, (1, 1), Q::Repeat, B::None),
    e(
        &["JSON", "JSON_OBJECT"],
        Def::Json,
        JSON_CONF,
        (1, 1),
        Q::Repeat,
        B::Members,
    ),
    e(
        &["JSON_ARRAY"],
        Def::JsonArray,
        JSON_ARR,
        (1, 1),
        Q::Repeat,
        B::Type,
    ),
    e(
        &["JSON_VALUE"],
        Def::JsonValue,
        JSON_ARR,
        (1, 1),
        Q::Repeat,
        B::Type,
    ),
    e(&["KVP"], Def::Kvp, TEXT, (1, 128), Q::Count, B::Items),
    e(&["ARRAY"], Def::Array, TEXT, (1, 1), Q::Count, B::Items),
    e(
        &["STRUCTURE"],
        Def::Structure,
        TEXT,
        (1, 1),
        Q::Repeat,
        B::Items,
    ),
    e(
        &["ENUM"],
        Def::Enum,
        &["cis", "locale", "charset"],
        (1, 1),
        Q::Repeat,
        B::Enum,
    ),
    e(
        &[
            "XML",
            "XML_PLAIN",
            "XML_VERBOSE",
            "CREDITCARD",
            "SMARTSCAPEID",
            "TIMESTAMP_NANO",
        ],
        Def::NotYet,
        &[],
        (1, 1),
        Q::Repeat,
        B::None,
    ),
];

/// A matcher by name, in any case.
pub fn lookup(name: &str) -> Option<&'static Entry> {
    CATALOGUE
        .iter()
        .find(|e| e.names.iter().any(|n| n.eq_ignore_ascii_case(name)))
}

/// Names (and aliases) users can write, for "did you mean".
pub fn all_names() -> impl Iterator<Item = &'static str> {
    CATALOGUE
        .iter()
        .filter(|e| e.def != Def::NotYet)
        .flat_map(|e| e.names.iter().copied())
}

/// Matchers whose configuration can be a value alone: `TIMESTAMP('yyyy-MM-dd')`.
pub fn takes_unnamed(name: &str) -> bool {
    matches!(lookup(name), Some(e) if e.def == Def::Timestamp)
}

/// Matchers that take a `{ … }` body: `JSON{…}`, `KVP{…}`, `ENUM{…}`.
pub fn takes_body(name: &str) -> bool {
    matches!(lookup(name), Some(e) if e.body != BodyKind::None)
}

/// The DQL value of an IP address. Trailscope has no IP type yet: addresses are strings in
/// their canonical form (IPv6 compressed and lower case, RFC 5952). This is the one place to
/// change when an IP type comes.
pub fn ip_value(addr: IpAddr) -> Value {
    Value::str(&addr.to_string())
}

// ---------------------------------------------------------------------------------------------
// Scanners. `b` is the whole text, `pos` the start, `end` the last byte they may look at.

/// `[+-]?[0-9]+` (or hexadecimal `[+-]?0?x?[0-9a-fA-F]+`): the end and the value, within i64.
pub fn integer(b: &[u8], pos: usize, end: usize, hex: bool) -> Option<(usize, i64)> {
    let mut i = pos;
    let neg = match b.get(i) {
        Some(b'-') if i < end => {
            i += 1;
            true
        }
        Some(b'+') if i < end => {
            i += 1;
            false
        }
        _ => false,
    };
    if hex {
        // `0x1F`, `x1F`, `0X1F`, or plain `1F`.
        if i + 1 < end && b[i] == b'0' && matches!(b[i + 1], b'x' | b'X') {
            if i + 2 < end && b[i + 2].is_ascii_hexdigit() {
                i += 2;
            }
        } else if i < end
            && matches!(b[i], b'x' | b'X')
            && i + 1 < end
            && b[i + 1].is_ascii_hexdigit()
        {
            i += 1;
        }
    }
    let start = i;
    let mut v: i128 = 0;
    while i < end {
        let d = match b[i] {
            c @ b'0'..=b'9' => (c - b'0') as i128,
            c @ b'a'..=b'f' if hex => (c - b'a' + 10) as i128,
            c @ b'A'..=b'F' if hex => (c - b'A' + 10) as i128,
            _ => break,
        };
        v = v * if hex { 16 } else { 10 } + d;
        if v > u64::MAX as i128 {
            return None;
        }
        i += 1;
    }
    if i == start {
        return None;
    }
    let v = if neg { -v } else { v };
    i64::try_from(v).ok().map(|v| (i, v))
}

/// `[+-]?[0-9]+(\.[0-9]*)?([eE][+-]?[0-9]+)?` (`,` as the separator for CDOUBLE).
pub fn double(b: &[u8], pos: usize, end: usize, comma: bool) -> Option<(usize, f64)> {
    let sep = if comma { b',' } else { b'.' };
    let mut i = pos;
    if i < end && matches!(b[i], b'+' | b'-') {
        i += 1;
    }
    let digits = |mut i: usize| {
        while i < end && b[i].is_ascii_digit() {
            i += 1;
        }
        i
    };
    let int_end = digits(i);
    if int_end == i {
        return None;
    }
    i = int_end;
    if i < end && b[i] == sep {
        i = digits(i + 1);
    }
    if i < end && matches!(b[i], b'e' | b'E') {
        let mut j = i + 1;
        if j < end && matches!(b[j], b'+' | b'-') {
            j += 1;
        }
        let k = digits(j);
        if k > j {
            i = k;
        }
    }
    let text = std::str::from_utf8(&b[pos..i]).ok()?;
    let v = if comma {
        text.replace(',', ".").parse::<f64>().ok()?
    } else {
        text.parse::<f64>().ok()?
    };
    Some((i, v))
}

/// `true` or `false`, any case.
pub fn boolean(b: &[u8], pos: usize, end: usize) -> Option<(usize, bool)> {
    let rest = b.get(pos..end).unwrap_or(&[]);
    if rest.len() >= 4 && rest[..4].eq_ignore_ascii_case(b"true") {
        return Some((pos + 4, true));
    }
    if rest.len() >= 5 && rest[..5].eq_ignore_ascii_case(b"false") {
        return Some((pos + 5, false));
    }
    None
}

/// The longest IPv4 (dotted decimal) and/or IPv6 (hextets) address at `pos`.
pub fn ip(text: &str, pos: usize, end: usize, v4: bool, v6: bool) -> Option<(usize, IpAddr)> {
    let b = text.as_bytes();
    // Candidate characters: hex digits, `.` and `:` (an address is at most 45 of them).
    let mut k = pos;
    while k < end && k - pos < 45 && (b[k].is_ascii_hexdigit() || b[k] == b'.' || b[k] == b':') {
        k += 1;
    }
    let mut best = None;
    if v4 {
        best = ipv4(b, pos, k).map(|(e, a)| (e, IpAddr::V4(a)));
    }
    if v6 {
        // Longest prefix that is an IPv6 address; addresses end on a hex digit (or `::`).
        let mut e = k;
        while e > pos + 1 {
            if let Ok(a) = text[pos..e].parse::<Ipv6Addr>() {
                if best.is_none_or(|(be, _)| e > be) {
                    best = Some((e, IpAddr::V6(a)));
                }
                break;
            }
            e -= 1;
        }
    }
    best
}

fn ipv4(b: &[u8], pos: usize, end: usize) -> Option<(usize, Ipv4Addr)> {
    let mut i = pos;
    let mut parts = [0u8; 4];
    for (n, part) in parts.iter_mut().enumerate() {
        if n > 0 {
            if i < end && b[i] == b'.' {
                i += 1;
            } else {
                return None;
            }
        }
        let start = i;
        let mut v: u32 = 0;
        while i < end && i - start < 3 && b[i].is_ascii_digit() {
            v = v * 10 + (b[i] - b'0') as u32;
            i += 1;
        }
        if i == start || v > 255 || (i - start > 1 && b[start] == b'0') {
            return None;
        }
        *part = v as u8;
    }
    Some((i, Ipv4Addr::from(parts)))
}

/// `8-4-4-4-12` hex digits.
pub fn uuid(b: &[u8], pos: usize, end: usize) -> Option<usize> {
    let mut i = pos;
    for (n, len) in [8usize, 4, 4, 4, 12].into_iter().enumerate() {
        if n > 0 {
            if i < end && b[i] == b'-' {
                i += 1;
            } else {
                return None;
            }
        }
        if i + len > end || !b[i..i + len].iter().all(u8::is_ascii_hexdigit) {
            return None;
        }
        i += len;
    }
    Some(i)
}

/// A quoted string at `pos`: backslash escapes (`csv: false`) or doubled quotes (`csv: true`).
/// The end after the closing quote; `None` when it is not closed before `end`.
pub fn quoted(b: &[u8], pos: usize, end: usize, quote: u8, csv: bool) -> Option<usize> {
    if pos >= end || b[pos] != quote {
        return None;
    }
    let mut i = pos + 1;
    while i < end {
        match b[i] {
            b'\\' if !csv => i += 2,
            c if c == quote => {
                if csv && i + 1 < end && b[i + 1] == quote {
                    i += 2;
                } else {
                    return Some(i + 1);
                }
            }
            _ => i += 1,
        }
    }
    None
}

/// The content of a quoted string without its quotes, escapes resolved.
pub fn unquote(s: &str, csv: bool) -> String {
    // The quotes are ASCII: one byte each.
    let Some(q) = s.chars().next() else {
        return String::new();
    };
    let inner = s.get(1..s.len().saturating_sub(1)).unwrap_or("");
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if csv && c == q {
            chars.next();
            out.push(q);
        } else if !csv && c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('r') => out.push('\r'),
                Some(o) => out.push(o),
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// A set of characters: a character group or a POSIX class.
#[derive(Clone, Debug)]
pub struct CharSet {
    /// ASCII members, one bit each.
    pub ascii: u128,
    /// Non-ASCII ranges.
    pub ranges: Vec<(char, char)>,
    pub posix: Vec<Posix>,
    pub negated: bool,
    /// The DIGIT matcher: its export is a number (Dynatrace's catalogue gives it `integer`).
    pub number: bool,
}

impl CharSet {
    pub fn posix(p: Posix) -> CharSet {
        let mut s = CharSet {
            ascii: 0,
            ranges: Vec::new(),
            posix: Vec::new(),
            negated: false,
            number: p == Posix::Digit,
        };
        s.add_posix(p);
        s
    }

    pub fn add_posix(&mut self, p: Posix) {
        for c in 0u8..128 {
            if p.contains(c as char) {
                self.ascii |= 1 << c;
            }
        }
        if matches!(p, Posix::NSpace | Posix::Any) {
            self.posix.push(p);
        }
    }

    pub fn add_range(&mut self, lo: char, hi: char) {
        for c in (lo as u32)..=(hi as u32).min(127) {
            self.ascii |= 1 << c;
        }
        if hi as u32 >= 128 {
            self.ranges.push((lo.max('\u{80}'), hi));
        }
    }

    pub fn contains(&self, c: char) -> bool {
        let inside = if (c as u32) < 128 {
            self.ascii & (1 << c as u32) != 0
        } else {
            self.ranges.iter().any(|&(lo, hi)| lo <= c && c <= hi)
                || self.posix.iter().any(|p| p.contains(c))
        };
        inside != self.negated
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        let int = |s: &str, hex| integer(s.as_bytes(), 0, s.len(), hex);
        assert_eq!(int("1-10", false), Some((1, 1)));
        assert_eq!(int("-10+20", false), Some((3, -10)));
        assert_eq!(int("+20x", false), Some((3, 20)));
        assert_eq!(int("x", false), None);
        assert_eq!(int("-", false), None);
        assert_eq!(int("99999999999999999999", false), None);
        assert_eq!(int("0xa01F", true), Some((6, 40991)));
        assert_eq!(int("-xFE", true), Some((4, -254)));
        assert_eq!(int("10fE", true), Some((4, 4350)));
        let dbl = |s: &str| double(s.as_bytes(), 0, s.len(), false);
        assert_eq!(dbl("3e0"), Some((3, 3.0)));
        assert_eq!(dbl("-343.8e7,"), Some((8, -3.438e9)));
        assert_eq!(dbl("0.1."), Some((3, 0.1)));
        assert_eq!(dbl(".5"), None);
        assert_eq!(double(b"1,5", 0, 3, true), Some((3, 1.5)));
        assert_eq!(boolean(b"TrUe!", 0, 5), Some((4, true)));
    }

    #[test]
    fn addresses() {
        let v = |s: &str| ip(s, 0, s.len(), true, true).map(|(e, a)| (e, a.to_string()));
        assert_eq!(v("192.168.0.1 x"), Some((11, "192.168.0.1".into())));
        assert_eq!(v("1.2.3.4567"), None);
        assert_eq!(v("1.2.3.4:80"), Some((7, "1.2.3.4".into())));
        assert_eq!(v("::1]"), Some((3, "::1".into())));
        assert_eq!(
            v("0000:0000:0000:0159:0000:0000:0000:0016"),
            Some((39, "::159:0:0:0:16".into()))
        );
        assert_eq!(
            v("fe80:0:0:0:8e1:734c:9cca:6bc3"),
            Some((29, "fe80::8e1:734c:9cca:6bc3".into()))
        );
        assert_eq!(
            v("1080:0:0:0:8:800:200C:417A"),
            Some((26, "1080::8:800:200c:417a".into()))
        );
        assert_eq!(v("300.1.1.1"), None);
        assert_eq!(v("abc"), None);
        assert_eq!(
            uuid(b"123e4567-e89b-12d3-a456-426614174000", 0, 36),
            Some(36)
        );
    }

    #[test]
    fn quoting() {
        assert_eq!(quoted(br#""a\"b" x"#, 0, 8, b'"', false), Some(6));
        assert_eq!(unquote(r#""a\"b""#, false), "a\"b");
        assert_eq!(quoted(b"'a''b' x", 0, 8, b'\'', true), Some(6));
        assert_eq!(unquote("'a''b'", true), "a'b");
        assert_eq!(quoted(b"\"abc", 0, 4, b'"', false), None);
    }

    #[test]
    fn every_name_is_found_once() {
        let mut seen = std::collections::HashSet::new();
        for e in CATALOGUE {
            for n in e.names {
                assert!(seen.insert(n.to_ascii_lowercase()), "{n} twice");
                assert!(std::ptr::eq(lookup(&n.to_ascii_lowercase()).unwrap(), e));
            }
        }
    }
}
