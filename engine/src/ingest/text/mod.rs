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

mod arrays;
mod lines;
mod scan;
mod start;

use super::csv::CsvEvents;
use super::{FileReport, Loader, Position, Shape};
use crate::storage::tape::{self, JsonError, Parser};
use scan::{count_chars, count_newlines, Skipper};

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
