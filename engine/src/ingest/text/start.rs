//! The start of a text file: its shape from the first value (a wrapper object streamed as an
//! events array, an array, a single event, NDJSON, a sequence, CSV, CloudWatch lines), and where
//! reading goes on when the file does not start with JSON.

use super::scan::{cloudwatch_prefix, string_end, Skipper};
use super::{Expect, Kind, Mark, Mode, Resume, Text, MAX_VALUE, RECOVER_LIMIT, SNIFF_LINE};
use crate::ingest::csv::CsvKind;
use crate::ingest::{FileReport, Loader, Position, Shape};
use crate::storage::tape::{self, Doc};

impl Loader {
    pub(super) fn start(&mut self, t: &mut Text, file: &mut FileReport) -> bool {
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
                if let Some(kind) = crate::ingest::csv::detect_csv(line) {
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
    pub(super) fn find_first_event(&mut self, t: &mut Text) -> Resume {
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
    pub(super) fn is_event_at(&mut self, t: &Text, off: usize) -> bool {
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
    pub(super) fn sniff(&mut self, t: &mut Text, file: &mut FileReport) -> bool {
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
                    value = Some(Skipper::at(p));
                }
                _ => {
                    t.mode = Mode::Document;
                    return true;
                }
            }
        }
    }

    /// A complete top-level value that is not a wrapper.
    pub(super) fn document(&mut self, t: &mut Text, file: &mut FileReport, mark: Mark, end: usize) {
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
    pub(super) fn single_document(&mut self, file: &mut FileReport, pos: usize, t: &Text) {
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
}
