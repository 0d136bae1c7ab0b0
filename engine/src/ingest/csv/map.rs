//! From CSV cells to CloudTrail event JSON: which header names mean which event field, how the
//! console and CloudTrail Lake write times, Lake's `{key=value, …}` rendering of structs, maps
//! and arrays, and a small JSON checker for cells that already hold JSON.
//!
//! One file of about 800 lines on purpose: the column tables of both exports and the Lake cell
//! reader they share are read together when a column is added.

use crate::time::{days_from_civil, days_in_month, format_timestamp, parse_timestamp, NS_PER_SEC};
use crate::value::write_json_string;

use super::CsvKind;

/// A JSON value being built for one event.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum J {
    Str(String),
    /// JSON text already checked by [`json_len`], written as it is.
    Raw(String),
    Bool(bool),
    Null,
    Obj(Vec<(String, J)>),
    Arr(Vec<J>),
}

impl J {
    pub(super) fn write(&self, out: &mut String) {
        match self {
            J::Str(s) => write_json_string(out, s),
            J::Raw(r) => out.push_str(r),
            J::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            J::Null => out.push_str("null"),
            J::Obj(members) => {
                out.push('{');
                for (i, (k, v)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_json_string(out, k);
                    out.push(':');
                    v.write(out);
                }
                out.push('}');
            }
            J::Arr(items) => {
                out.push('[');
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    v.write(out);
                }
                out.push(']');
            }
        }
    }
}

/// Sets `path` in an object, creating nested objects; the first value for a path wins.
pub(super) fn set(members: &mut Vec<(String, J)>, path: &[&str], value: J) {
    let Some((first, rest)) = path.split_first() else {
        return;
    };
    let at = members.iter().position(|(k, _)| k == first);
    if rest.is_empty() {
        if at.is_none() {
            members.push((first.to_string(), value));
        }
        return;
    }
    let i = match at {
        Some(i) => i,
        None => {
            members.push((first.to_string(), J::Obj(Vec::new())));
            members.len() - 1
        }
    };
    if let J::Obj(inner) = &mut members[i].1 {
        set(inner, rest, value);
    }
}

/// A header name compared loosely: lower case, without spaces, `-` and `_`.
pub(super) fn norm(name: &str) -> String {
    name.trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '_'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// What a column becomes in the event.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Target {
    /// A string at this path.
    Text(&'static [&'static str]),
    /// `eventTime`, converted to RFC 3339.
    Time,
    /// `true` / `false` (any case) as a JSON boolean, else the text.
    Bool(&'static str),
    /// JSON if the cell holds a JSON object or array, else the text.
    JsonOrText(&'static str),
    /// A Lake value: JSON, Lake struct text (keys renamed by the table) or text.
    Lake(&'static str, &'static [(&'static str, &'static str)]),
    /// The whole event as JSON text (used when it parses as an object).
    FullEvent,
    /// Not a CloudTrail field: kept under the header name as given.
    Keep(String),
}

/// Console "Event history" CSV headers (normalised) and their event fields.
const CONSOLE: &[(&str, Target)] = &[
    ("eventid", Target::Text(&["eventID"])),
    ("eventtime", Target::Time),
    ("username", Target::Text(&["userIdentity", "userName"])),
    ("eventname", Target::Text(&["eventName"])),
    ("eventsource", Target::Text(&["eventSource"])),
    (
        "awsaccesskey",
        Target::Text(&["userIdentity", "accessKeyId"]),
    ),
    (
        "accesskeyid",
        Target::Text(&["userIdentity", "accessKeyId"]),
    ),
    ("sourceipaddress", Target::Text(&["sourceIPAddress"])),
    ("sourceip", Target::Text(&["sourceIPAddress"])),
    ("awsregion", Target::Text(&["awsRegion"])),
    ("region", Target::Text(&["awsRegion"])),
    ("errorcode", Target::Text(&["errorCode"])),
    ("errormessage", Target::Text(&["errorMessage"])),
    ("resources", Target::JsonOrText("resources")),
    ("requestid", Target::Text(&["requestID"])),
    ("readonly", Target::Bool("readOnly")),
    ("eventtype", Target::Text(&["eventType"])),
    ("eventcategory", Target::Text(&["eventCategory"])),
    ("useragent", Target::Text(&["userAgent"])),
    ("recipientaccountid", Target::Text(&["recipientAccountId"])),
    ("cloudtrailevent", Target::FullEvent),
];

/// `userIdentity` keys as Lake prints them (lower case) → as CloudTrail writes them.
const USER_IDENTITY_KEYS: &[(&str, &str)] = &[
    ("type", "type"),
    ("principalid", "principalId"),
    ("arn", "arn"),
    ("accountid", "accountId"),
    ("accesskeyid", "accessKeyId"),
    ("username", "userName"),
    ("sessioncontext", "sessionContext"),
    ("attributes", "attributes"),
    ("creationdate", "creationDate"),
    ("mfaauthenticated", "mfaAuthenticated"),
    ("sessionissuer", "sessionIssuer"),
    ("webidfederationdata", "webIdFederationData"),
    ("federatedprovider", "federatedProvider"),
    ("sourceidentity", "sourceIdentity"),
    ("ec2roledelivery", "ec2RoleDelivery"),
    ("ec2issuedinvpc", "ec2IssuedInVPC"),
    ("assumedroot", "assumedRoot"),
    ("onbehalfof", "onBehalfOf"),
    ("userid", "userId"),
    ("identitystorearn", "identityStoreArn"),
    ("inscopeof", "inScopeOf"),
    ("sourcearn", "sourceArn"),
    ("sourceaccount", "sourceAccount"),
    ("issuertype", "issuerType"),
    ("credentialsissuedto", "credentialsIssuedTo"),
    ("invokedby", "invokedBy"),
    ("identityprovider", "identityProvider"),
    ("credentialid", "credentialId"),
];

const RESOURCE_KEYS: &[(&str, &str)] = &[
    ("accountid", "accountId"),
    ("type", "type"),
    ("arn", "ARN"),
    ("arnprefix", "ARNPrefix"),
];

const TLS_KEYS: &[(&str, &str)] = &[
    ("tlsversion", "tlsVersion"),
    ("ciphersuite", "cipherSuite"),
    ("clientprovidedhostheader", "clientProvidedHostHeader"),
];

const NO_KEYS: &[(&str, &str)] = &[];

/// CloudTrail Lake column names (the event data store schema prints them in lower case) →
/// event fields. Source: AWS CloudTrail User Guide, "Supported SQL schemas for event data
/// stores" (`eventversion`, `useridentity` struct, `eventtime` timestamp, …).
const LAKE: &[(&str, Target)] = &[
    ("eventversion", Target::Lake("eventVersion", NO_KEYS)),
    (
        "useridentity",
        Target::Lake("userIdentity", USER_IDENTITY_KEYS),
    ),
    ("eventtime", Target::Time),
    ("eventsource", Target::Lake("eventSource", NO_KEYS)),
    ("eventname", Target::Lake("eventName", NO_KEYS)),
    ("awsregion", Target::Lake("awsRegion", NO_KEYS)),
    ("sourceipaddress", Target::Lake("sourceIPAddress", NO_KEYS)),
    ("useragent", Target::Lake("userAgent", NO_KEYS)),
    ("errorcode", Target::Lake("errorCode", NO_KEYS)),
    ("errormessage", Target::Lake("errorMessage", NO_KEYS)),
    (
        "requestparameters",
        Target::Lake("requestParameters", NO_KEYS),
    ),
    (
        "responseelements",
        Target::Lake("responseElements", NO_KEYS),
    ),
    (
        "additionaleventdata",
        Target::Lake("additionalEventData", NO_KEYS),
    ),
    ("requestid", Target::Lake("requestID", NO_KEYS)),
    ("eventid", Target::Lake("eventID", NO_KEYS)),
    ("readonly", Target::Bool("readOnly")),
    ("resources", Target::Lake("resources", RESOURCE_KEYS)),
    ("eventtype", Target::Lake("eventType", NO_KEYS)),
    ("apiversion", Target::Lake("apiVersion", NO_KEYS)),
    ("managementevent", Target::Bool("managementEvent")),
    (
        "recipientaccountid",
        Target::Lake("recipientAccountId", NO_KEYS),
    ),
    ("sharedeventid", Target::Lake("sharedEventID", NO_KEYS)),
    ("annotation", Target::Lake("annotation", NO_KEYS)),
    ("vpcendpointid", Target::Lake("vpcEndpointId", NO_KEYS)),
    (
        "vpcendpointaccountid",
        Target::Lake("vpcEndpointAccountId", NO_KEYS),
    ),
    (
        "serviceeventdetails",
        Target::Lake("serviceEventDetails", NO_KEYS),
    ),
    ("addendum", Target::Lake("addendum", NO_KEYS)),
    (
        "edgedevicedetails",
        Target::Lake("edgeDeviceDetails", NO_KEYS),
    ),
    ("insightdetails", Target::Lake("insightDetails", NO_KEYS)),
    ("eventcategory", Target::Lake("eventCategory", NO_KEYS)),
    ("tlsdetails", Target::Lake("tlsDetails", TLS_KEYS)),
    (
        "sessioncredentialfromconsole",
        Target::Lake("sessionCredentialFromConsole", NO_KEYS),
    ),
    ("eventcontext", Target::Lake("eventContext", NO_KEYS)),
    ("eventjson", Target::FullEvent),
    ("cloudtrailevent", Target::FullEvent),
];

/// The target of a header name for a kind of export.
pub(super) fn target(kind: CsvKind, header: &str) -> Target {
    let n = norm(header);
    let table = match kind {
        CsvKind::ConsoleEventHistory => CONSOLE,
        CsvKind::LakeQueryResult => LAKE,
    };
    table
        .iter()
        .find(|(k, _)| *k == n)
        .map(|(_, t)| t.clone())
        .unwrap_or_else(|| Target::Keep(header.trim().to_string()))
}

/// Which kind of export a header row is, or `None`. Console headers are words with spaces
/// (`Event time`); Lake headers are field names (`eventtime`, `eventTime`). Either needs an
/// event time column or a full-event column, since an event cannot load without its time.
pub(super) fn classify(headers: &[String]) -> Option<CsvKind> {
    let spaced = headers.iter().any(|h| {
        h.trim().eq_ignore_ascii_case("event time") || h.trim().eq_ignore_ascii_case("event name")
    });
    let kind = if spaced {
        CsvKind::ConsoleEventHistory
    } else {
        CsvKind::LakeQueryResult
    };
    let usable = headers
        .iter()
        .any(|h| matches!(target(kind, h), Target::Time | Target::FullEvent));
    usable.then_some(kind)
}

/// Builds one event from a record's cells (`cells[i]` under `targets[i]`).
pub(super) fn event(kind: CsvKind, targets: &[Target], cells: &[String]) -> Result<String, String> {
    let mut members: Vec<(String, J)> = Vec::new();
    for (t, cell) in targets.iter().zip(cells) {
        let cell = cell.trim();
        if cell.is_empty() || (kind == CsvKind::LakeQueryResult && cell == "null") {
            continue;
        }
        match t {
            Target::FullEvent => {
                if cell.starts_with('{') && json_len(cell.as_bytes()) == Some(cell.len()) {
                    return Ok(cell.to_string());
                }
            }
            Target::Time => {
                let ns = parse_time(cell).ok_or_else(|| {
                    format!("event time {cell:?} is not a date and time this reader knows")
                })?;
                set(&mut members, &["eventTime"], J::Str(format_timestamp(ns)));
            }
            Target::Text(path) => set(&mut members, path, J::Str(cell.to_string())),
            Target::Bool(key) => {
                let v = if cell.eq_ignore_ascii_case("true") {
                    J::Bool(true)
                } else if cell.eq_ignore_ascii_case("false") {
                    J::Bool(false)
                } else {
                    J::Str(cell.to_string())
                };
                set(&mut members, &[key], v);
            }
            Target::JsonOrText(key) => set(&mut members, &[key], json_or_text(cell)),
            Target::Lake(key, keys) => {
                if let Some(v) = lake_value(cell, keys) {
                    set(&mut members, &[key], v);
                }
            }
            Target::Keep(name) => {
                let v = match kind {
                    CsvKind::LakeQueryResult => lake_value(cell, NO_KEYS),
                    CsvKind::ConsoleEventHistory => Some(J::Str(cell.to_string())),
                };
                if let Some(v) = v {
                    set(&mut members, &[name.as_str()], v);
                }
            }
        }
    }
    if !members.iter().any(|(k, _)| k == "eventTime") {
        return Err("no event time in this record".into());
    }
    let mut out = String::with_capacity(256);
    J::Obj(members).write(&mut out);
    Ok(out)
}

fn json_or_text(cell: &str) -> J {
    if cell.starts_with(['{', '[']) && json_len(cell.as_bytes()) == Some(cell.len()) {
        J::Raw(cell.to_string())
    } else {
        J::Str(cell.to_string())
    }
}

/// A Lake cell: JSON, or Lake's struct / map / array text, or plain text. `None` for null.
pub(super) fn lake_value(cell: &str, keys: &[(&str, &str)]) -> Option<J> {
    if cell == "null" {
        return None;
    }
    if cell.starts_with(['{', '[']) {
        if json_len(cell.as_bytes()) == Some(cell.len()) {
            return Some(J::Raw(cell.to_string()));
        }
        let mut p = LakeText {
            s: cell.as_bytes(),
            i: 0,
            keys,
            depth: 0,
        };
        if let Some(v) = p.value(Ctx::Top) {
            if p.i == p.s.len() {
                return Some(v);
            }
        }
    }
    Some(J::Str(cell.to_string()))
}

/// Where a Lake value sits, which decides where a plain value ends.
#[derive(Clone, Copy, PartialEq)]
enum Ctx {
    Top,
    Object,
    Array,
}

/// Parser for Lake's text rendering of structs, maps and arrays (the Trino / Athena form):
/// `{type=IAMUser, principalid=AIDA…, sessioncontext={attributes={mfaauthenticated=false}},
/// invokedby=null}` and `[{accountid=1, type=AWS::S3::Bucket, arn=arn:…}]`. Values are not
/// quoted, so the format is ambiguous: a plain value ends at `, ` followed by `key=`, or at the
/// closing bracket; a value that itself contains `, x=` is split there (best effort). Nulls are
/// dropped from objects, as CloudTrail leaves absent fields out. Every plain value is a string.
struct LakeText<'a> {
    s: &'a [u8],
    i: usize,
    keys: &'a [(&'a str, &'a str)],
    depth: usize,
}

const MAX_DEPTH: usize = 64;

impl LakeText<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn skip_spaces(&mut self) {
        while self.peek() == Some(b' ') {
            self.i += 1;
        }
    }

    fn value(&mut self, ctx: Ctx) -> Option<J> {
        self.skip_spaces();
        let start = self.i;
        if matches!(self.peek(), Some(b'{' | b'[')) {
            if let Some(n) = json_len(&self.s[self.i..]) {
                let after = self.s.get(self.i + n).copied();
                if self.ends_value(after, ctx) {
                    let text = String::from_utf8_lossy(&self.s[self.i..self.i + n]).into_owned();
                    self.i += n;
                    return Some(J::Raw(text));
                }
            }
            if self.depth < MAX_DEPTH {
                self.depth += 1;
                let v = if self.peek() == Some(b'{') {
                    self.object()
                } else {
                    self.array()
                };
                self.depth -= 1;
                if let Some(v) = v {
                    return Some(v);
                }
            }
            self.i = start;
        }
        Some(self.plain(ctx))
    }

    fn ends_value(&self, next: Option<u8>, ctx: Ctx) -> bool {
        matches!(
            (next, ctx),
            (None, _)
                | (Some(b','), Ctx::Object | Ctx::Array)
                | (Some(b'}'), Ctx::Object)
                | (Some(b']'), Ctx::Array)
        )
    }

    fn object(&mut self) -> Option<J> {
        self.i += 1; // `{`
        let mut members: Vec<(String, J)> = Vec::new();
        self.skip_spaces();
        if self.peek() == Some(b'}') {
            self.i += 1;
            return Some(J::Obj(members));
        }
        loop {
            self.skip_spaces();
            let key_start = self.i;
            while let Some(c) = self.peek() {
                if c == b'=' {
                    break;
                }
                if matches!(c, b',' | b'{' | b'}' | b'[' | b']') {
                    return None;
                }
                self.i += 1;
            }
            if self.peek() != Some(b'=') || self.i == key_start {
                return None;
            }
            let key = String::from_utf8_lossy(&self.s[key_start..self.i])
                .trim()
                .to_string();
            self.i += 1; // `=`
            let v = self.value(Ctx::Object)?;
            if v != J::Null {
                let key = self
                    .keys
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(&key))
                    .map_or(key, |(_, canonical)| canonical.to_string());
                members.push((key, v));
            }
            self.skip_spaces();
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b'}') => {
                    self.i += 1;
                    return Some(J::Obj(members));
                }
                _ => return None,
            }
        }
    }

    fn array(&mut self) -> Option<J> {
        self.i += 1; // `[`
        let mut items = Vec::new();
        self.skip_spaces();
        if self.peek() == Some(b']') {
            self.i += 1;
            return Some(J::Arr(items));
        }
        loop {
            items.push(self.value(Ctx::Array)?);
            self.skip_spaces();
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b']') => {
                    self.i += 1;
                    return Some(J::Arr(items));
                }
                _ => return None,
            }
        }
    }

    /// A plain value, up to where it ends in its context (brackets inside it kept balanced).
    fn plain(&mut self, ctx: Ctx) -> J {
        let start = self.i;
        let mut depth = 0usize;
        while let Some(c) = self.peek() {
            if depth == 0 {
                let ends = match (c, ctx) {
                    (b'}', Ctx::Object) | (b']', Ctx::Array) | (b',', Ctx::Array) => true,
                    (b',', Ctx::Object) => self.key_follows(self.i + 1),
                    _ => false,
                };
                if ends {
                    break;
                }
            }
            match c {
                b'{' | b'[' => depth += 1,
                b'}' | b']' => depth = depth.saturating_sub(1),
                _ => {}
            }
            self.i += 1;
        }
        let text = String::from_utf8_lossy(&self.s[start..self.i]);
        let text = text.trim_end();
        if text == "null" {
            J::Null
        } else {
            J::Str(text.to_string())
        }
    }

    /// True if a `key=` starts at `at` (after spaces).
    fn key_follows(&self, mut at: usize) -> bool {
        while self.s.get(at) == Some(&b' ') {
            at += 1;
        }
        let start = at;
        while let Some(&c) = self.s.get(at) {
            if c == b'=' {
                return at > start;
            }
            if matches!(c, b',' | b'{' | b'}' | b'[' | b']' | b' ' | b'"') {
                return false;
            }
            at += 1;
        }
        false
    }
}

/// The length of the JSON value at the start of `s` (no leading whitespace), or `None` if it
/// is not valid JSON. Iterative, so deep nesting cannot overflow the stack.
pub(super) fn json_len(s: &[u8]) -> Option<usize> {
    let mut stack: Vec<u8> = Vec::new();
    let mut i = 0;
    // After a value: expect `,` or a closer (or the end at depth 0).
    loop {
        // A value.
        while i < s.len() && matches!(s[i], b' ' | b'\t' | b'\n' | b'\r') && !stack.is_empty() {
            i += 1;
        }
        match *s.get(i)? {
            b'{' => {
                stack.push(b'}');
                if stack.len() > 512 {
                    return None;
                }
                i += 1;
                i = skip_ws(s, i);
                if s.get(i) == Some(&b'}') {
                    stack.pop();
                    i += 1;
                } else {
                    i = json_string(s, i)?;
                    i = skip_ws(s, i);
                    if s.get(i) != Some(&b':') {
                        return None;
                    }
                    i += 1;
                    continue;
                }
            }
            b'[' => {
                stack.push(b']');
                if stack.len() > 512 {
                    return None;
                }
                i += 1;
                i = skip_ws(s, i);
                if s.get(i) == Some(&b']') {
                    stack.pop();
                    i += 1;
                } else {
                    continue;
                }
            }
            b'"' => i = json_string(s, i)?,
            b't' if s[i..].starts_with(b"true") => i += 4,
            b'f' if s[i..].starts_with(b"false") => i += 5,
            b'n' if s[i..].starts_with(b"null") => i += 4,
            b'-' | b'0'..=b'9' => i = json_number(s, i)?,
            _ => return None,
        }
        // After a value.
        loop {
            let Some(&close) = stack.last() else {
                return Some(i);
            };
            i = skip_ws(s, i);
            match *s.get(i)? {
                b',' => {
                    i = skip_ws(s, i + 1);
                    if close == b'}' {
                        i = json_string(s, i)?;
                        i = skip_ws(s, i);
                        if s.get(i) != Some(&b':') {
                            return None;
                        }
                        i += 1;
                    }
                    break;
                }
                c if c == close => {
                    stack.pop();
                    i += 1;
                }
                _ => return None,
            }
        }
    }
}

fn skip_ws(s: &[u8], mut i: usize) -> usize {
    while i < s.len() && matches!(s[i], b' ' | b'\t' | b'\n' | b'\r') {
        i += 1;
    }
    i
}

/// The end of the JSON string starting at `i` (which must be `"`).
fn json_string(s: &[u8], mut i: usize) -> Option<usize> {
    if s.get(i) != Some(&b'"') {
        return None;
    }
    i += 1;
    loop {
        match *s.get(i)? {
            b'"' => return Some(i + 1),
            b'\\' => match *s.get(i + 1)? {
                b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => i += 2,
                b'u' => {
                    let hex = s.get(i + 2..i + 6)?;
                    if !hex.iter().all(u8::is_ascii_hexdigit) {
                        return None;
                    }
                    i += 6;
                }
                _ => return None,
            },
            c if c < 0x20 => return None,
            _ => i += 1,
        }
    }
}

fn json_number(s: &[u8], mut i: usize) -> Option<usize> {
    let digits = |i: &mut usize| {
        let start = *i;
        while s.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i > start
    };
    if s.get(i) == Some(&b'-') {
        i += 1;
    }
    if s.get(i) == Some(&b'0') {
        i += 1;
    } else if !digits(&mut i) {
        return None;
    }
    if s.get(i) == Some(&b'.') {
        i += 1;
        if !digits(&mut i) {
            return None;
        }
    }
    if matches!(s.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(s.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if !digits(&mut i) {
            return None;
        }
    }
    Some(i)
}

/// Event times as exports write them, to nanoseconds since the epoch (UTC):
/// RFC 3339 / ISO 8601 (`2024-01-02T03:04:05Z`, with a fraction or offset), Lake's
/// `2023-05-04 12:34:56.000`, the same followed by ` UTC` / ` GMT`, the console's display form
/// `January 02, 2024, 03:04:05 (UTC-05:00)` (with or without `AM`/`PM`, month names
/// abbreviated or not), and Unix epoch seconds or milliseconds.
pub(super) fn parse_time(s: &str) -> Option<i64> {
    let s = s.trim();
    if let Some(ns) = parse_timestamp(s) {
        return Some(ns);
    }
    for suffix in [" UTC", " GMT", "UTC", " Z"] {
        if let Some(head) = s.strip_suffix(suffix) {
            if let Some(ns) = parse_timestamp(head) {
                return Some(ns);
            }
        }
    }
    if s.as_bytes().get(10) == Some(&b',') {
        // `2024-01-02, 03:04:05` (a spreadsheet's rendering).
        let joined = format!("{} {}", &s[..10], s[11..].trim_start());
        return parse_time(&joined);
    }
    if !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit()) {
        let v: i64 = s.parse().ok()?;
        return match s.len() {
            9 | 10 => v.checked_mul(NS_PER_SEC),
            12 | 13 => v.checked_mul(1_000_000),
            _ => None,
        };
    }
    parse_display_time(s)
}

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// `January 02, 2024, 03:04:05 (UTC-05:00)`, `Jan 2, 2024, 3:04:05 PM UTC`.
fn parse_display_time(s: &str) -> Option<i64> {
    let mut words = s.split([' ', ',']).filter(|w| !w.is_empty()).peekable();
    let month = words.next()?.to_ascii_lowercase();
    let month = MONTHS
        .iter()
        .position(|m| month.len() >= 3 && m.starts_with(month.trim_end_matches('.')))?
        as u32
        + 1;
    let day: u32 = words.next()?.parse().ok()?;
    let year: i64 = words.next()?.parse().ok()?;
    let time = words.next()?;
    let mut hms = time.split(':');
    let mut hour: i64 = hms.next()?.parse().ok()?;
    let minute: i64 = hms.next()?.parse().ok()?;
    let second: i64 = hms
        .next()
        .map_or(Some(0), |v| v.split('.').next()?.parse().ok())?;
    let mut offset_min: i64 = 0;
    for w in words {
        let w = w.trim_matches(|c| c == '(' || c == ')');
        match w.to_ascii_uppercase().as_str() {
            "AM" if (1..=12).contains(&hour) => hour %= 12,
            "PM" if (1..=12).contains(&hour) => hour = hour % 12 + 12,
            "UTC" | "GMT" | "Z" => {}
            z if z.starts_with("UTC") || z.starts_with("GMT") => {
                let sign = match z.as_bytes().get(3)? {
                    b'+' => 1,
                    b'-' => -1,
                    _ => return None,
                };
                let mut parts = z[4..].split(':');
                let h: i64 = parts.next()?.parse().ok()?;
                let m: i64 = parts.next().map_or(Some(0), |m| m.parse().ok())?;
                offset_min = sign * (h * 60 + m);
            }
            _ => return None,
        }
    }
    if day == 0 || day > days_in_month(year, month) || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let secs = days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second
        - offset_min * 60;
    secs.checked_mul(NS_PER_SEC)
}

#[cfg(test)]
#[path = "map_tests.rs"]
mod tests;
