//! Streaming framing of decompressed text into events: the shape is detected from the first
//! bytes, then each event is parsed straight onto the store's tape as soon as its last byte
//! has arrived. Only the unfinished event (and, for a top-level object that is not a
//! `Records`/`Events` wrapper, that object) is buffered, so memory per file stays bounded
//! however large the file is.
//!
//! Positions in problems are line/column of the decompressed text (1-based, columns in
//! characters), as if the whole file had been read at once.
//!
//! Shapes: `{"Records":[…]}` and `{"Events":[…]}` wrappers (their arrays streamed), top-level
//! arrays, single objects, NDJSON, JSON documents one after another (`jq` output), CloudWatch
//! Logs exports (`<time> <event>` lines).

use super::csv::{CsvEvents, CsvKind, CsvRecord};
use super::{FileReport, Loader, Position, Shape};
use crate::storage::tape::{self, Doc, JsonError, Parser};
use crate::time::parse_timestamp;

/// One value (an event, or a top-level object that is not a wrapper) may be at most this long.
/// CloudTrail events are at most 256 KB; the cap only bounds memory on broken input, where a
/// value never closes.
pub const MAX_VALUE: usize = 64 << 20;
/// In malformed text, a candidate event must close within this many bytes.
const RESYNC_LIMIT: usize = 1 << 20;
/// Bytes looked at to recognise a file that does not start with JSON.
const SNIFF_LINE: usize = 64 << 10;
/// A file that does not start with JSON (a comment line, a cut-off first event, a stray header)
/// is searched this far for the first event; only the text before it is lost.
const RECOVER_LIMIT: usize = 1 << 20;

pub(super) struct Text {
    buf: Buf,
    /// Everything before `cur` is done with; it is dropped before the next chunk is appended.
    cur: usize,
    /// Line (1-based), column (characters, 0-based) and byte offset of `buf[0]` in the file.
    base_line: usize,
    base_col: usize,
    base_byte: u64,
    mode: Mode,
    eof: bool,
    started: bool,
    /// Completeness scan of the value at `cur` after a parse attempt failed for want of input.
    skip: Option<Skipper>,
    /// Index of the next element of the events array.
    element: usize,
    /// Top-level documents finished.
    docs: usize,
    /// Lines mode: the line number of the line at `cur`.
    line_no: usize,
    lenient_noticed: bool,
    sequence_noticed: bool,
    /// Resync: where the malformed text being skipped started.
    broken_from: Option<Position>,
    named_ndjson: bool,
    source: u32,
    bucket: u32,
    /// The start of a character split by the chunk boundary, kept back until the next chunk.
    tail: Vec<u8>,
}

/// The unconsumed text. It is held as a `String` whenever it is valid UTF-8 (checked once per
/// chunk) so that the parser slices strings without validating each one again.
enum Buf {
    Bytes(Vec<u8>),
    Text(String),
}

impl Buf {
    fn bytes(&self) -> &[u8] {
        match self {
            Buf::Bytes(b) => b,
            Buf::Text(s) => s.as_bytes(),
        }
    }
    fn text(&self) -> Option<&str> {
        match self {
            Buf::Text(s) => Some(s),
            Buf::Bytes(_) => None,
        }
    }
    fn vec_mut(&mut self) -> &mut Vec<u8> {
        if let Buf::Text(s) = self {
            *self = Buf::Bytes(std::mem::take(s).into_bytes());
        }
        match self {
            Buf::Bytes(v) => v,
            Buf::Text(_) => unreachable!("just converted"),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    /// Elements are events.
    Event,
    /// Elements are lookup-events entries holding the event in `CloudTrailEvent`.
    Lookup,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Expect {
    First,
    Comma,
    Next,
}

enum Mode {
    Start,
    /// Inside a top-level object, looking at its members for a `Records`/`Events` array.
    /// `at` is relative to `cur` (the object's `{`).
    Sniff {
        at: usize,
        after_value: bool,
        value: Option<Skipper>,
    },
    /// A whole top-level value, handled once it is complete.
    Document,
    /// After a first document that is a plain object: one event, NDJSON, or a sequence?
    AfterFirst {
        pending: usize,
        one_line: bool,
        newline: bool,
    },
    Between,
    Elements {
        kind: Kind,
        wrapped: bool,
        expect: Expect,
    },
    /// After the events array of a wrapper: its other members up to the end of the object. A
    /// value being skipped is scanned from `cur`.
    WrapperTail(Option<Skipper>),
    /// After malformed text inside an events array: look for the next event.
    Resync {
        kind: Kind,
        wrapped: bool,
    },
    Lines {
        cloudwatch: bool,
        /// Inside a line too long to be an event: skip to its end.
        skipping: bool,
    },
    /// A CSV export: records become events as they complete. The number is the lines skipped
    /// before the header (CSV line numbers count from the header).
    Csv(Box<CsvEvents>, usize),
    /// Nothing more is read from this file.
    Stop,
}

/// Where reading can go on in a file that does not start with JSON.
enum Resume {
    NeedMore,
    /// At the start of this line.
    Line(usize),
    /// At this `{`, inside the events array of a file cut at its start.
    Inside(usize),
    Nothing,
}

enum Step {
    NeedMore,
    Parsed { mark: Mark, end: usize },
    Broken(JsonError),
}

#[derive(Clone, Copy)]
pub(super) struct Mark {
    pub(super) words: usize,
    nums: usize,
}

impl Text {
    pub(super) fn new(named_ndjson: bool, source: u32, bucket: u32) -> Self {
        Text {
            buf: Buf::Bytes(Vec::new()),
            cur: 0,
            base_line: 1,
            base_col: 0,
            base_byte: 0,
            mode: Mode::Start,
            eof: false,
            started: false,
            skip: None,
            element: 0,
            docs: 0,
            line_no: 1,
            lenient_noticed: false,
            sequence_noticed: false,
            broken_from: None,
            named_ndjson,
            source,
            bucket,
            tail: Vec::new(),
        }
    }

    /// True when the rest of the file will not be read (not CloudTrail, UTF-16, …).
    pub(super) fn stopped(&self) -> bool {
        matches!(self.mode, Mode::Stop)
    }

    pub(super) fn buffered(&self) -> usize {
        self.buf.bytes().len() + self.tail.len()
    }

    /// The position of `buf[off]` in the file.
    fn pos(&self, off: usize) -> Position {
        let off = off.min(self.buf.bytes().len());
        let before = &self.buf.bytes()[..off];
        let newlines = count_newlines(before);
        let col = match before.iter().rposition(|&c| c == b'\n') {
            Some(i) => count_chars(&before[i + 1..]),
            None => self.base_col + count_chars(before),
        };
        Position {
            line: Some(self.base_line + newlines),
            column: Some(col + 1),
            byte: Some(self.base_byte as usize + off),
            element: None,
        }
    }

    /// Drops the consumed bytes before `cur`, keeping positions right.
    fn compact(&mut self) {
        if self.cur == 0 {
            return;
        }
        let gone = &self.buf.bytes()[..self.cur];
        // Two vectorised counts; the backward search for the last newline only runs when
        // there is one (S3 objects are one line of many megabytes).
        let newlines = count_newlines(gone);
        self.base_col = match newlines {
            0 => self.base_col + count_chars(gone),
            _ => {
                let last = gone.iter().rposition(|&c| c == b'\n').unwrap_or(0);
                count_chars(&gone[last + 1..])
            }
        };
        self.base_line += newlines;
        self.base_byte += self.cur as u64;
        self.buf.vec_mut().drain(..self.cur);
        self.cur = 0;
    }

    /// Appends the next chunk and checks whether the text is valid UTF-8.
    fn append(&mut self, bytes: &[u8]) {
        let mut v = std::mem::take(self.buf.vec_mut());
        v.append(&mut self.tail);
        v.extend_from_slice(bytes);
        self.buf = match String::from_utf8(v) {
            Ok(s) => Buf::Text(s),
            Err(e) => {
                let bad = e.utf8_error();
                let mut v = e.into_bytes();
                if bad.error_len().is_none() && !self.eof {
                    self.tail = v.split_off(bad.valid_up_to());
                    match String::from_utf8(v) {
                        Ok(s) => Buf::Text(s),
                        Err(e) => Buf::Bytes(e.into_bytes()),
                    }
                } else {
                    Buf::Bytes(v)
                }
            }
        };
    }

    /// Skips whitespace at `cur`; the next byte, if there is one yet.
    fn skip_ws(&mut self) -> Option<u8> {
        while let Some(&c) = self.buf.bytes().get(self.cur) {
            if matches!(c, b' ' | b'\t' | b'\n' | b'\r') {
                self.cur += 1;
            } else {
                return Some(c);
            }
        }
        None
    }
}

impl Loader {
    pub(super) fn text_push(&mut self, t: &mut Text, file: &mut FileReport, bytes: &[u8]) {
        if t.stopped() {
            return;
        }
        t.compact();
        t.append(bytes);
        // Room for what this chunk will likely add (CloudTrail JSON makes a tape word per 28
        // bytes and a byte of new strings per 10, at most), so the big vectors grow by a
        // quarter here rather than double while parsing. Asking for the worst case (a word per
        // two bytes) made them outgrow an up-front reservation near its end and copy the tape.
        let words = &mut self.store.tape.words;
        crate::storage::grow_gently(words, t.buffered() / 16 + 1024);
        self.store.interner.reserve_bytes(t.buffered() / 4);
        self.run(t, file);
    }

    pub(super) fn text_finish(&mut self, t: &mut Text, file: &mut FileReport) {
        t.compact();
        t.eof = true;
        t.append(&[]);
        self.run(t, file);
        match t.mode {
            Mode::Elements { .. } => {
                let p = t.pos(t.buf.bytes().len());
                file.problem(
                    Some(p),
                    format!(
                        "malformed JSON: the file ends inside the events array (truncated?); the {} events before it were read",
                        file.events
                    ),
                );
            }
            Mode::WrapperTail(_) => {
                let p = t.pos(t.buf.bytes().len());
                file.problem(
                    Some(p),
                    "malformed JSON: the file ends before the top-level object is closed (truncated?)",
                );
            }
            _ => {}
        }
        if file.shape == Shape::Unknown {
            file.shape = if file.events > 0 {
                Shape::JsonSequence
            } else {
                Shape::Malformed
            };
        }
        t.buf = Buf::Bytes(Vec::new());
    }

    fn run(&mut self, t: &mut Text, file: &mut FileReport) {
        while self.step(t, file) {}
    }

    /// One step of the state machine; false when it needs more input (or is done).
    fn step(&mut self, t: &mut Text, file: &mut FileReport) -> bool {
        match t.mode {
            Mode::Start => self.start(t, file),
            Mode::Sniff { .. } => self.sniff(t, file),
            Mode::Document => match self.try_value(t, file, MAX_VALUE) {
                Step::NeedMore => false,
                Step::Parsed { mark, end } => {
                    self.document(t, file, mark, end);
                    true
                }
                Step::Broken(e) => {
                    if file.events == 0 && t.docs == 0 {
                        file.shape = Shape::Malformed;
                    }
                    // Other documents may follow; look for the next event.
                    Self::broken_value(t, file, e, Kind::Event, false);
                    t.docs += 1;
                    true
                }
            },
            Mode::AfterFirst {
                pending,
                one_line,
                mut newline,
            } => {
                while let Some(&c) = t.buf.bytes().get(t.cur) {
                    if !matches!(c, b' ' | b'\t' | b'\n' | b'\r') {
                        break;
                    }
                    // Old Mac line endings (CR alone) separate NDJSON lines too.
                    newline |= c == b'\n' || c == b'\r';
                    t.cur += 1;
                }
                let Some(&c) = t.buf.bytes().get(t.cur) else {
                    if t.eof {
                        self.single_document(file, pending, t);
                        t.docs = 1;
                        t.mode = Mode::Between;
                        return false;
                    }
                    t.mode = Mode::AfterFirst {
                        pending,
                        one_line,
                        newline,
                    };
                    return false;
                };
                if one_line && newline && c == b'{' {
                    file.shape = Shape::Ndjson;
                    self.add_event(file, pending, Some(Position::line(1)), t.source, t.bucket);
                    t.line_no = t.pos(t.cur).line.unwrap_or(2);
                    t.mode = Mode::Lines {
                        cloudwatch: false,
                        skipping: false,
                    };
                } else {
                    file.shape = Shape::JsonSequence;
                    self.add_event(file, pending, Some(Position::line(1)), t.source, t.bucket);
                    t.docs = 1;
                    t.mode = Mode::Between;
                }
                true
            }
            Mode::Between => {
                let Some(c) = t.skip_ws() else {
                    return false;
                };
                match c {
                    b'{' | b'[' => {
                        if !t.sequence_noticed {
                            t.sequence_noticed = true;
                            file.notice("several JSON documents one after another (e.g. jq output); all were read");
                        }
                        if c == b'[' {
                            t.cur += 1;
                            t.mode = Mode::Elements {
                                kind: Kind::Event,
                                wrapped: false,
                                expect: Expect::First,
                            };
                        } else {
                            t.mode = Mode::Sniff {
                                at: 1,
                                after_value: false,
                                value: None,
                            };
                        }
                    }
                    _ => {
                        let message = format!(
                            "malformed JSON: unexpected text after the end of the JSON value: {}",
                            tape::show_byte(c)
                        );
                        Self::resync_from(t, file, t.cur, message, Kind::Event, false);
                    }
                }
                true
            }
            Mode::Elements {
                kind,
                wrapped,
                expect,
            } => self.elements(t, file, kind, wrapped, expect),
            Mode::WrapperTail(_) => self.wrapper_tail(t, file),
            Mode::Resync { kind, wrapped } => self.resync(t, file, kind, wrapped),
            Mode::Lines {
                cloudwatch,
                skipping,
            } => self.lines(t, file, cloudwatch, skipping),
            Mode::Csv(ref mut csv, skipped) => {
                let mut records = Vec::new();
                csv.push(&t.buf.bytes()[t.cur..], &mut |r| records.push(r));
                t.cur = t.buf.bytes().len();
                if t.eof {
                    csv.finish(&mut |r| records.push(r));
                }
                for mut r in records {
                    r.line += skipped as u64;
                    self.csv_record(file, r, t.source, t.bucket);
                }
                false
            }
            Mode::Stop => false,
        }
    }

    fn csv_record(&mut self, file: &mut FileReport, r: CsvRecord, source: u32, bucket: u32) {
        let at = Position::line(r.line as usize);
        match r.result {
            Ok(json) => {
                let text = std::str::from_utf8(&json).ok();
                let (mark, parsed) = self.parse_at(&json, text, 0, false);
                match parsed {
                    Ok(_) => self.add_event(file, mark.words, Some(at), source, bucket),
                    Err(e) => {
                        self.truncate(mark);
                        file.skip(
                            at,
                            format!("CSV record does not make a valid event: {}", e.message),
                        );
                    }
                }
            }
            Err(why) => file.skip(at, why),
        }
    }

    fn start(&mut self, t: &mut Text, file: &mut FileReport) -> bool {
        if !t.started {
            if t.buf.bytes().len() < 3 && !t.eof {
                return false;
            }
            if t.buf.bytes().starts_with(&[0xEF, 0xBB, 0xBF]) {
                // Not counted in positions, as editors do not count it.
                t.buf.vec_mut().drain(..3);
            }
            if t.buf.bytes().starts_with(&[0xFF, 0xFE]) || t.buf.bytes().starts_with(&[0xFE, 0xFF])
            {
                file.shape = Shape::Unreadable;
                file.problem(
                    Some(t.pos(0)),
                    "text is UTF-16; expected UTF-8 JSON (re-save the file as UTF-8)",
                );
                t.mode = Mode::Stop;
                return false;
            }
            t.started = true;
        }
        let Some(c) = t.skip_ws() else {
            if t.eof {
                file.shape = Shape::Empty;
                file.notice("empty file");
                t.mode = Mode::Stop;
            }
            return false;
        };
        match c {
            b'{' if t.named_ndjson => {
                file.shape = Shape::Ndjson;
                t.mode = Mode::Lines {
                    cloudwatch: false,
                    skipping: false,
                };
            }
            b'{' => {
                t.mode = Mode::Sniff {
                    at: 1,
                    after_value: false,
                    value: None,
                }
            }
            b'[' => {
                file.shape = Shape::JsonArray;
                t.cur += 1;
                t.mode = Mode::Elements {
                    kind: Kind::Event,
                    wrapped: false,
                    expect: Expect::First,
                };
            }
            _ => {
                let rest = &t.buf.bytes()[t.cur..];
                let line_end = rest.iter().position(|&c| c == b'\n');
                if line_end.is_none() && !t.eof && rest.len() < SNIFF_LINE {
                    return false;
                }
                let line = &rest[..line_end.unwrap_or(rest.len()).min(SNIFF_LINE)];
                if let Some(kind) = super::csv::detect_csv(line) {
                    file.shape = match kind {
                        CsvKind::ConsoleEventHistory => Shape::ConsoleCsv,
                        CsvKind::LakeQueryResult => Shape::LakeCsv,
                    };
                    let skipped = t.pos(t.cur).line.unwrap_or(1) - 1;
                    t.mode = Mode::Csv(Box::default(), skipped);
                    return true;
                }
                if cloudwatch_prefix(line).is_some() {
                    file.shape = Shape::CloudWatch;
                    t.mode = Mode::Lines {
                        cloudwatch: true,
                        skipping: false,
                    };
                    return true;
                }
                // Damage at the very start costs only the damaged part: look for the first
                // event further on.
                match self.find_first_event(t) {
                    Resume::NeedMore => return false,
                    Resume::Line(at) => {
                        let (from, to) = (t.pos(t.cur), t.pos(at));
                        let last = to.line.unwrap_or(2) - 1;
                        let lines = match from.line {
                            Some(l) if l == last => format!("line {l}"),
                            Some(l) => format!("lines {l}–{last}"),
                            None => String::new(),
                        };
                        file.problem(
                            Some(from),
                            format!(
                                "the file does not start with CloudTrail JSON (found {}): {lines} skipped; reading from line {}",
                                tape::show_byte(c),
                                last + 1
                            ),
                        );
                        t.cur = at;
                        return true;
                    }
                    Resume::Inside(at) => {
                        let from = t.pos(t.cur);
                        let to = t.pos(at);
                        file.problem(
                            Some(from),
                            format!(
                                "the file does not start with CloudTrail JSON (found {}; cut off at the start?): the text up to line {}, column {} is skipped and reading goes on with the next event",
                                tape::show_byte(c),
                                to.line.unwrap_or(0),
                                to.column.unwrap_or(0)
                            ),
                        );
                        file.shape = Shape::S3Records;
                        t.cur = at;
                        t.mode = Mode::Resync {
                            kind: Kind::Event,
                            wrapped: true,
                        };
                        return true;
                    }
                    Resume::Nothing => {}
                }
                file.shape = Shape::NotCloudTrail;
                file.problem(
                    Some(t.pos(t.cur)),
                    format!(
                        "not a CloudTrail export: expected JSON (`{{` or `[`), found {}",
                        tape::show_byte(c)
                    ),
                );
                t.mode = Mode::Stop;
                return false;
            }
        }
        true
    }

    /// Where the first CloudTrail event is in a file that starts with something else: a line
    /// that starts with an event (or a CloudWatch line, or an array), else any `{` that starts
    /// an event (a file cut inside its events array). Looks at most [`RECOVER_LIMIT`] bytes.
    fn find_first_event(&mut self, t: &mut Text) -> Resume {
        let len = t.buf.bytes().len();
        let enough = t.eof || len - t.cur >= RECOVER_LIMIT;
        if !enough {
            return Resume::NeedMore;
        }
        let end = len.min(t.cur + RECOVER_LIMIT);
        // Lines that start with an event.
        let mut at = t.cur;
        while let Some(k) = t.buf.bytes()[at..end].iter().position(|&c| c == b'\n') {
            let line = at + k + 1;
            let first = line
                + t.buf.bytes()[line..end]
                    .iter()
                    .take_while(|c| matches!(c, b' ' | b'\t' | b'\r'))
                    .count();
            let line_end = t.buf.bytes()[first..end]
                .iter()
                .position(|&c| c == b'\n')
                .map_or(end, |n| first + n);
            match t.buf.bytes().get(first) {
                Some(b'{') if self.is_event_at(t, first) => return Resume::Line(line),
                Some(b'[') => return Resume::Line(line),
                Some(_) if cloudwatch_prefix(&t.buf.bytes()[first..line_end]).is_some() => {
                    return Resume::Line(line)
                }
                _ => {}
            }
            at = line;
        }
        // No line starts with one: an event anywhere (the file starts inside an event).
        let mut at = t.cur;
        while let Some(k) = t.buf.bytes()[at..end].iter().position(|&c| c == b'{') {
            if self.is_event_at(t, at + k) {
                return Resume::Inside(at + k);
            }
            at += k + 1;
        }
        Resume::Nothing
    }

    /// True when a complete JSON object that looks like an event starts at `off`.
    fn is_event_at(&mut self, t: &Text, off: usize) -> bool {
        let (mark, r) = self.parse_at(t.buf.bytes(), t.buf.text(), off, false);
        let is_event = r.is_ok() && {
            let d = Doc {
                tape: &self.store.tape,
                interner: &self.store.interner,
            };
            let keys = &self.keys;
            tape::is_obj(self.store.tape.words[mark.words])
                && [keys.event_time, keys.at_timestamp, keys.cloudtrail_event]
                    .iter()
                    .any(|&k| d.member(mark.words, k).is_some())
        };
        self.truncate(mark);
        is_event
    }

    /// Reads the members of a top-level object until an events array shows it is a wrapper,
    /// or the object ends (then it is one document).
    fn sniff(&mut self, t: &mut Text, file: &mut FileReport) -> bool {
        let Mode::Sniff {
            mut at,
            mut after_value,
            mut value,
        } = std::mem::replace(&mut t.mode, Mode::Stop)
        else {
            unreachable!()
        };
        let v = &t.buf.bytes()[t.cur..];
        macro_rules! need_more {
            () => {{
                if t.eof || v.len() > MAX_VALUE {
                    // Let the parser name what is wrong.
                    t.mode = Mode::Document;
                    return true;
                }
                t.mode = Mode::Sniff {
                    at,
                    after_value,
                    value,
                };
                return false;
            }};
        }
        loop {
            if let Some(sk) = &mut value {
                match sk.run(v) {
                    Some(end) => {
                        at = end;
                        value = None;
                        after_value = true;
                    }
                    None => need_more!(),
                }
            }
            while v.get(at).is_some_and(u8::is_ascii_whitespace) {
                at += 1;
            }
            let Some(&c) = v.get(at) else { need_more!() };
            match (after_value, c) {
                (_, b'}') => {
                    t.mode = Mode::Document;
                    return true;
                }
                (true, b',') => {
                    at += 1;
                    after_value = false;
                }
                (false, b'"') => {
                    let Some(key_end) = string_end(v, at) else {
                        need_more!()
                    };
                    let key = &v[at + 1..key_end - 1];
                    let mut p = key_end;
                    while v.get(p).is_some_and(u8::is_ascii_whitespace) {
                        p += 1;
                    }
                    match v.get(p) {
                        None => need_more!(),
                        Some(b':') => {}
                        Some(_) => {
                            t.mode = Mode::Document;
                            return true;
                        }
                    }
                    p += 1;
                    while v.get(p).is_some_and(u8::is_ascii_whitespace) {
                        p += 1;
                    }
                    let Some(&first) = v.get(p) else { need_more!() };
                    let kind = match key {
                        b"Records" => Some(Kind::Event),
                        b"Events" => Some(Kind::Lookup),
                        _ => None,
                    };
                    if let (Some(kind), b'[') = (kind, first) {
                        if t.docs == 0 {
                            file.shape = match kind {
                                Kind::Event => Shape::S3Records,
                                Kind::Lookup => Shape::LookupEvents,
                            };
                        }
                        t.cur += p + 1;
                        t.element = 0;
                        t.mode = Mode::Elements {
                            kind,
                            wrapped: true,
                            expect: Expect::First,
                        };
                        return true;
                    }
                    if let Some(kind) = kind {
                        let holds = match first {
                            b'{' => "an object",
                            b'"' => "a string",
                            b'n' => "null",
                            _ => "a value",
                        };
                        let key = if kind == Kind::Event {
                            "Records"
                        } else {
                            "Events"
                        };
                        file.problem(
                            Some(t.pos(t.cur + at)),
                            format!("`{key}` holds {holds}, not an array of events: the object is read as one event instead"),
                        );
                    }
                    value = Some(Skipper {
                        off: p,
                        ..Default::default()
                    });
                }
                _ => {
                    t.mode = Mode::Document;
                    return true;
                }
            }
        }
    }

    fn elements(
        &mut self,
        t: &mut Text,
        file: &mut FileReport,
        kind: Kind,
        wrapped: bool,
        expect: Expect,
    ) -> bool {
        let Some(c) = t.skip_ws() else {
            return false;
        };
        let set = |t: &mut Text, expect| {
            t.mode = Mode::Elements {
                kind,
                wrapped,
                expect,
            }
        };
        match (expect, c) {
            (Expect::First | Expect::Comma, b']') => {
                t.cur += 1;
                self.close_array(t, wrapped);
                return true;
            }
            (Expect::Next, b']') => {
                file.problem(
                    Some(t.pos(t.cur)),
                    "malformed JSON: expected an event after `,`, found `]`; read on as if the comma were not there",
                );
                t.cur += 1;
                self.close_array(t, wrapped);
                return true;
            }
            (Expect::Comma, b',') => {
                t.cur += 1;
                set(t, Expect::Next);
                return true;
            }
            (Expect::Comma, b'{') => {
                // Report once per gap, not again when more input arrives.
                file.problem(
                    Some(t.pos(t.cur)),
                    "malformed JSON: expected `,` between events, found `{`; read on as if the comma were there",
                );
                set(t, Expect::Next);
                return true;
            }
            (Expect::Comma, _) => {
                let message = format!(
                    "malformed JSON: expected `,` or `]` after an event, found {}",
                    tape::show_byte(c)
                );
                Self::resync_from(t, file, t.cur, message, kind, wrapped);
                return true;
            }
            (Expect::First | Expect::Next, _) => {}
        }
        match self.try_value(t, file, MAX_VALUE) {
            Step::NeedMore => false,
            Step::Parsed { mark, end } => {
                let at = Position::element(t.element);
                t.element += 1;
                self.element(file, kind, mark, at, t.source, t.bucket);
                t.cur = end;
                set(t, Expect::Comma);
                true
            }
            Step::Broken(e) => {
                t.element += 1;
                Self::broken_value(t, file, e, kind, wrapped);
                true
            }
        }
    }

    /// Reports malformed text at `at` and goes looking for the next event from there.
    fn resync_from(
        t: &mut Text,
        file: &mut FileReport,
        at: usize,
        message: String,
        kind: Kind,
        wrapped: bool,
    ) {
        let p = t.pos(at);
        file.problem(Some(p.clone()), message);
        t.broken_from = Some(p);
        t.mode = Mode::Resync { kind, wrapped };
    }

    /// A value that does not parse: reported where the parser stopped; the search for the
    /// next event starts just after the value's first byte, since a broken string can make
    /// the next event look like part of this one.
    fn broken_value(t: &mut Text, file: &mut FileReport, e: JsonError, kind: Kind, wrapped: bool) {
        let kept = if file.events > 0 {
            format!("; the {} events before it were read", file.events)
        } else {
            String::new()
        };
        let message = format!("malformed JSON: {}{kept}", e.message);
        Self::resync_from(t, file, e.offset, message, kind, wrapped);
        t.cur = (t.cur + 1).min(t.buf.bytes().len());
    }

    fn close_array(&mut self, t: &mut Text, wrapped: bool) {
        if wrapped {
            t.mode = Mode::WrapperTail(None);
        } else {
            t.docs += 1;
            t.mode = Mode::Between;
        }
    }

    /// The members of a wrapper object after its events array, to its end. A second `Records`
    /// (or `Events`) array is read too, with a notice: JSON readers disagree on repeated keys
    /// (most keep only the last), so its events must not be lost without a word.
    fn wrapper_tail(&mut self, t: &mut Text, file: &mut FileReport) -> bool {
        let Mode::WrapperTail(mut value) = std::mem::replace(&mut t.mode, Mode::Stop) else {
            unreachable!()
        };
        loop {
            if let Some(sk) = &mut value {
                match sk.run(&t.buf.bytes()[t.cur..]) {
                    Some(end) => {
                        t.cur += end;
                        value = None;
                    }
                    None => {
                        t.mode = Mode::WrapperTail(value);
                        return false;
                    }
                }
            }
            let Some(c) = t.skip_ws() else {
                t.mode = Mode::WrapperTail(None);
                return false;
            };
            match c {
                b',' => t.cur += 1,
                b'}' => {
                    t.cur += 1;
                    t.docs += 1;
                    t.mode = Mode::Between;
                    return true;
                }
                b'"' => {
                    let v = &t.buf.bytes()[t.cur..];
                    let Some(key_end) = string_end(v, 0) else {
                        t.mode = Mode::WrapperTail(None);
                        return false;
                    };
                    let kind = match &v[1..key_end - 1] {
                        b"Records" => Some(Kind::Event),
                        b"Events" => Some(Kind::Lookup),
                        _ => None,
                    };
                    let mut p = key_end;
                    while v.get(p).is_some_and(u8::is_ascii_whitespace) {
                        p += 1;
                    }
                    if v.get(p) == Some(&b':') {
                        p += 1;
                        while v.get(p).is_some_and(u8::is_ascii_whitespace) {
                            p += 1;
                        }
                    }
                    let Some(&first) = v.get(p) else {
                        t.mode = Mode::WrapperTail(None);
                        return false;
                    };
                    if let (Some(kind), b'[') = (kind, first) {
                        let name = if kind == Kind::Event {
                            "Records"
                        } else {
                            "Events"
                        };
                        file.problem(
                            Some(t.pos(t.cur)),
                            format!("a second `{name}` array in the same object: its events are read too (JSON readers disagree on a repeated key, most keep only the last one)"),
                        );
                        t.cur += p + 1;
                        t.element = 0;
                        t.mode = Mode::Elements {
                            kind,
                            wrapped: true,
                            expect: Expect::First,
                        };
                        return true;
                    }
                    t.cur += p;
                    value = Some(Skipper::default());
                }
                _ => {
                    let message = format!(
                        "malformed JSON: expected `,` or `}}` after the events array, found {}",
                        tape::show_byte(c)
                    );
                    Self::resync_from(t, file, t.cur, message, Kind::Event, false);
                    return true;
                }
            }
        }
    }

    /// After malformed text in an events array: the next object that parses and looks like
    /// an event is where reading goes on, so one broken event (or a missing comma) loses
    /// nothing else.
    fn resync(&mut self, t: &mut Text, file: &mut FileReport, kind: Kind, wrapped: bool) -> bool {
        let Some(k) = t.buf.bytes()[t.cur..].iter().position(|&c| c == b'{') else {
            t.cur = t.buf.bytes().len();
            return false;
        };
        t.cur += k;
        // Candidates are tried at every `{`: one that does not close soon is not an event
        // (this bounds the work on long stretches of broken text).
        match self.try_value(t, file, RESYNC_LIMIT) {
            Step::NeedMore => false,
            Step::Parsed { mark, end } => {
                let d = Doc {
                    tape: &self.store.tape,
                    interner: &self.store.interner,
                };
                let keys = &self.keys;
                let is_event = [keys.event_time, keys.at_timestamp, keys.cloudtrail_event]
                    .iter()
                    .any(|&k| d.member(mark.words, k).is_some());
                if is_event {
                    if let Some(b) = t.broken_from.take() {
                        let z = t.pos(t.cur);
                        file.notice(format!(
                            "resumed reading events at line {} after skipping the malformed text from line {}",
                            z.line.unwrap_or(0),
                            b.line.unwrap_or(0)
                        ));
                    }
                    let at = Position::element(t.element);
                    t.element += 1;
                    self.element(file, kind, mark, at, t.source, t.bucket);
                    t.cur = end;
                    t.mode = Mode::Elements {
                        kind,
                        wrapped,
                        expect: Expect::Comma,
                    };
                } else {
                    // A fragment of the broken event, not an event: drop it.
                    self.truncate(mark);
                    t.cur = end.max(t.cur + 1);
                }
                true
            }
            Step::Broken(_) => {
                t.cur = (t.cur + 1).min(t.buf.bytes().len());
                true
            }
        }
    }

    /// NDJSON and CloudWatch Logs exports: one event per line.
    fn lines(
        &mut self,
        t: &mut Text,
        file: &mut FileReport,
        cloudwatch: bool,
        skipping: bool,
    ) -> bool {
        let rest = &t.buf.bytes()[t.cur..];
        // A line ends at LF, CRLF, or a CR alone (old Mac line endings): a CR at the end of the
        // text so far waits for the next byte, which may be its LF.
        let newline = match rest.iter().position(|&c| c == b'\n' || c == b'\r') {
            Some(n) if rest[n] == b'\r' && n + 1 == rest.len() && !t.eof => None,
            other => other,
        };
        let break_len = |n: usize| match (rest[n], rest.get(n + 1)) {
            (b'\r', Some(b'\n')) => 2,
            _ => 1,
        };
        if skipping {
            let Some(n) = newline else {
                t.cur = t.buf.bytes().len();
                return false;
            };
            t.cur += n + break_len(n);
            t.line_no += 1;
            t.mode = Mode::Lines {
                cloudwatch,
                skipping: false,
            };
            return true;
        }
        let line_len = match newline {
            Some(n) => n,
            None if t.eof && !rest.is_empty() => rest.len(),
            None if rest.len() > MAX_VALUE => {
                file.skip(
                    Position::line(t.line_no),
                    format!("line longer than {} MiB; skipped", MAX_VALUE >> 20),
                );
                t.cur = t.buf.bytes().len();
                t.mode = Mode::Lines {
                    cloudwatch,
                    skipping: true,
                };
                return false;
            }
            None => return false,
        };
        let line_end = t.cur + line_len;
        let next = match newline {
            Some(n) => t.cur + n + break_len(n),
            None => line_end,
        };
        let line = &t.buf.bytes()[t.cur..line_end];
        let mut start = t.cur + line.iter().take_while(|c| c.is_ascii_whitespace()).count();
        if start < line_end {
            if cloudwatch && t.buf.bytes()[start] != b'{' {
                if let Some(k) = cloudwatch_prefix(&t.buf.bytes()[start..line_end]) {
                    start += k;
                }
            }
            let text = t.buf.text().map(|s| &s[..line_end]);
            let (mark, r) = self.parse_at(&t.buf.bytes()[..line_end], text, start, false);
            let r = r.and_then(|end| {
                match t.buf.bytes()[end..line_end]
                    .iter()
                    .position(|c| !c.is_ascii_whitespace())
                {
                    None => Ok(end),
                    Some(k) => Err(JsonError {
                        offset: end + k,
                        message: "unexpected text after the JSON value on this line".into(),
                    }),
                }
            });
            match r {
                Ok(_) => self.add_event(
                    file,
                    mark.words,
                    Some(Position::line(t.line_no)),
                    t.source,
                    t.bucket,
                ),
                Err(e) => {
                    self.truncate(mark);
                    file.skip(t.pos(e.offset), format!("malformed JSON: {}", e.message));
                }
            }
        }
        t.cur = next.min(t.buf.bytes().len());
        t.line_no += 1;
        true
    }

    /// A complete top-level value that is not a wrapper.
    fn document(&mut self, t: &mut Text, file: &mut FileReport, mark: Mark, end: usize) {
        if t.docs == 0 {
            let one_line = !t.buf.bytes()[t.cur..end].contains(&b'\n');
            t.cur = end;
            if tape::is_obj(self.store.tape.words[mark.words]) {
                t.mode = Mode::AfterFirst {
                    pending: mark.words,
                    one_line,
                    newline: false,
                };
                return;
            }
            self.single_document(file, mark.words, t);
            t.docs = 1;
            t.mode = Mode::Between;
            return;
        }
        let line = t.pos(t.cur).line.unwrap_or(0);
        t.cur = end;
        t.docs += 1;
        self.add_event(
            file,
            mark.words,
            Some(Position::line(line)),
            t.source,
            t.bucket,
        );
        t.mode = Mode::Between;
    }

    /// The file's only document: a digest, an event, or something else.
    fn single_document(&mut self, file: &mut FileReport, pos: usize, t: &Text) {
        let d = Doc {
            tape: &self.store.tape,
            interner: &self.store.interner,
        };
        let is_digest = tape::is_obj(self.store.tape.words[pos])
            && [
                "digestStartTime",
                "digestPublicKeyFingerprint",
                "digestSignatureAlgorithm",
            ]
            .iter()
            .any(|k| d.member(pos, self.sym(k)).is_some());
        if is_digest {
            file.shape = Shape::Digest;
            file.notice("CloudTrail digest file (log integrity data, no events): skipped");
            self.store.tape.words.truncate(pos);
            return;
        }
        file.shape = Shape::SingleEvent;
        self.add_event(file, pos, None, t.source, t.bucket);
    }

    /// One element of an events array.
    fn element(
        &mut self,
        file: &mut FileReport,
        kind: Kind,
        mark: Mark,
        at: Position,
        source: u32,
        bucket: u32,
    ) {
        match kind {
            Kind::Event => self.add_event(file, mark.words, Some(at), source, bucket),
            Kind::Lookup => self.lookup_event(file, mark.words, at, source, bucket),
        }
    }

    /// Parses the value at `cur` if all of it has arrived.
    fn try_value(&mut self, t: &mut Text, file: &mut FileReport, limit: usize) -> Step {
        let avail = t.buf.bytes().len() - t.cur;
        let mut complete = t.eof;
        if let Some(sk) = &mut t.skip {
            match sk.run(&t.buf.bytes()[t.cur..]) {
                Some(_) => complete = true,
                None if t.eof || avail > limit => complete = true,
                None => return Step::NeedMore,
            }
        }
        let (mark, r) = self.parse_at(t.buf.bytes(), t.buf.text(), t.cur, false);
        match r {
            Ok(end) => {
                let closed = matches!(t.buf.bytes()[end - 1], b'}' | b']' | b'"');
                if end == t.buf.bytes().len() && !complete && !closed {
                    // A number or literal may go on in the next chunk.
                    self.truncate(mark);
                    return Step::NeedMore;
                }
                t.skip = None;
                Step::Parsed { mark, end }
            }
            Err(e) => {
                self.truncate(mark);
                if !complete && avail <= limit {
                    let mut sk = Skipper::default();
                    if sk.run(&t.buf.bytes()[t.cur..]).is_none() {
                        t.skip = Some(sk);
                        return Step::NeedMore;
                    }
                }
                t.skip = None;
                if e.message.starts_with("control character") {
                    // CloudTrail's lookup-events output can hold raw newlines inside strings.
                    let (mark, r) = self.parse_at(t.buf.bytes(), t.buf.text(), t.cur, true);
                    let further = match &r {
                        Ok(_) => true,
                        Err(l) => l.offset > e.offset,
                    };
                    if further && !t.lenient_noticed {
                        t.lenient_noticed = true;
                        file.notice("raw control characters inside JSON strings (not valid JSON) were accepted");
                    }
                    match r {
                        Ok(end) => return Step::Parsed { mark, end },
                        Err(l) => {
                            self.truncate(mark);
                            if further {
                                return Step::Broken(l);
                            }
                        }
                    }
                }
                if avail > limit && e.offset >= t.buf.bytes().len() {
                    return Step::Broken(JsonError {
                        offset: e.offset,
                        message: format!(
                            "a value longer than {} MiB (not a CloudTrail event)",
                            limit >> 20
                        ),
                    });
                }
                if t.eof && Skipper::default().run(&t.buf.bytes()[t.cur..]).is_none() {
                    return Step::Broken(JsonError {
                        offset: e.offset,
                        message: format!(
                            "{}; the file ends inside this value (truncated?)",
                            e.message
                        ),
                    });
                }
                Step::Broken(e)
            }
        }
    }

    /// Parses one JSON value of `text` at `at` onto the tape: where it starts on the tape, and
    /// where it ends in `text`.
    pub(super) fn parse_at(
        &mut self,
        text: &[u8],
        text_str: Option<&str>,
        at: usize,
        lenient: bool,
    ) -> (Mark, Result<usize, JsonError>) {
        let mark = Mark {
            words: self.store.tape.words.len(),
            nums: self.store.tape.nums.len(),
        };
        // What this value says about duplicate keys, for the event it may become.
        self.store.tape.dup_key = None;
        let mut p = Parser::new(&mut self.store.tape, &mut self.store.interner, text);
        p.text_str = text_str;
        p.pos = at;
        p.lenient_strings = lenient;
        let r = p.value().map(|()| p.pos);
        (mark, r)
    }

    pub(super) fn truncate(&mut self, mark: Mark) {
        self.store.tape.words.truncate(mark.words);
        self.store.tape.nums.truncate(mark.nums);
    }
}

/// Finds where a JSON value ends by its brackets and strings alone (no validation), resuming
/// where it stopped when more input arrives.
#[derive(Clone, Debug, Default)]
struct Skipper {
    /// Bytes scanned, from the value's start.
    off: usize,
    depth: u32,
    in_str: bool,
    esc: bool,
    started: bool,
}

impl Skipper {
    /// The end (exclusive) of the value at the start of `v`, once it is there.
    fn run(&mut self, v: &[u8]) -> Option<usize> {
        while self.off < v.len() {
            let c = v[self.off];
            self.off += 1;
            if self.in_str {
                if self.esc {
                    self.esc = false;
                } else if c == b'\\' {
                    self.esc = true;
                } else if c == b'"' {
                    self.in_str = false;
                    if self.depth == 0 {
                        return Some(self.off);
                    }
                }
                continue;
            }
            match c {
                b' ' | b'\t' | b'\n' | b'\r' | b',' | b':' if self.depth == 0 && self.started => {
                    return Some(self.off - 1);
                }
                b' ' | b'\t' | b'\n' | b'\r' => continue,
                b'"' => self.in_str = true,
                b'{' | b'[' => self.depth += 1,
                b'}' | b']' => {
                    if self.depth == 0 {
                        return Some(self.off - 1);
                    }
                    self.depth -= 1;
                    if self.depth == 0 {
                        return Some(self.off);
                    }
                }
                _ => {}
            }
            self.started = true;
        }
        None
    }
}

/// The end (exclusive, after the closing quote) of the string starting at `v[at]`.
fn string_end(v: &[u8], at: usize) -> Option<usize> {
    let mut i = at + 1;
    while i < v.len() {
        match v[i] {
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

/// CloudWatch Logs exports to S3 write `<timestamp> <message>` lines: the offset of the
/// message when `line` starts with an RFC 3339 timestamp followed by a JSON object.
fn cloudwatch_prefix(line: &[u8]) -> Option<usize> {
    if !line.first()?.is_ascii_digit() {
        return None;
    }
    let space = line.iter().position(|&c| c == b' ')?;
    let ts = std::str::from_utf8(&line[..space]).ok()?;
    parse_timestamp(ts)?;
    let rest = space + line[space..].iter().take_while(|&&c| c == b' ').count();
    (line.get(rest) == Some(&b'{')).then_some(rest)
}

fn count_newlines(b: &[u8]) -> usize {
    if cfg!(target_arch = "wasm32") {
        return swar_count(b, b'\n', |w| zero_bytes(w ^ (ONES * u64::from(b'\n'))));
    }
    count_bytes(b, |c| c == b'\n')
}

/// Characters in UTF-8 text: bytes that do not continue a character.
fn count_chars(b: &[u8]) -> usize {
    let starts = |c: u8| (c as i8) >= -0x40;
    if cfg!(target_arch = "wasm32") {
        let continuations = swar_count(b, 0, |w| w & !(w << 1) & HIGHS);
        let tail = b.len() % 8;
        let tail_chars = b[b.len() - tail..].iter().filter(|&&c| starts(c)).count();
        return (b.len() - tail) - continuations + tail_chars;
    }
    count_bytes(b, starts)
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// The high bit of each byte of `w` that is zero, exactly.
fn zero_bytes(w: u64) -> u64 {
    let low7 = !HIGHS;
    !(((w & low7) + low7) | w | low7)
}

/// Counts, eight bytes at a time, the bytes that `marks` flags (one high bit per byte) in the
/// whole words of `b`; for `needle` != 0 the tail bytes equal to it are counted too. Wasm has no
/// vector compares unless built for SIMD, so the byte-block loop of [`count_bytes`] would run
/// one byte at a time there.
fn swar_count(b: &[u8], needle: u8, marks: impl Fn(u64) -> u64) -> usize {
    let mut words = b.chunks_exact(8);
    let mut total = 0usize;
    for w in &mut words {
        let w = u64::from_le_bytes(w.try_into().unwrap_or_default());
        total += marks(w).count_ones() as usize;
    }
    if needle != 0 {
        total += words.remainder().iter().filter(|&&c| c == needle).count();
    }
    total
}

/// How many bytes of `b` satisfy `f`. Counted in blocks of 128 into a `u8`, which the compiler
/// turns into byte-wide vector compares (a plain `filter().count()` widens every byte to a
/// 64-bit lane and runs several times slower); this runs over every byte of every file.
fn count_bytes(b: &[u8], f: impl Fn(u8) -> bool) -> usize {
    let mut blocks = b.chunks_exact(128);
    let mut total = 0;
    for block in &mut blocks {
        let mut n = 0u8;
        for &c in block {
            n += u8::from(f(c));
        }
        total += usize::from(n);
    }
    total + blocks.remainder().iter().filter(|&&c| f(c)).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swar_counts_match_byte_counts() {
        let text = "a\nbé\n\n€😀x\nyz\u{7f}\u{80}\n".repeat(7);
        for start in 0..text.len() {
            let b = &text.as_bytes()[start..];
            let newlines = swar_count(b, b'\n', |w| zero_bytes(w ^ (ONES * u64::from(b'\n'))));
            assert_eq!(newlines, b.iter().filter(|&&c| c == b'\n').count());
            let cont = swar_count(b, 0, |w| w & !(w << 1) & HIGHS);
            let whole = b.len() - b.len() % 8;
            let want = b[..whole].iter().filter(|&&c| c & 0xC0 == 0x80).count();
            assert_eq!(cont, want, "from {start}");
        }
    }
}
