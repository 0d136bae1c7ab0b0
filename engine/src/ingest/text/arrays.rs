//! Events arrays, element by element: commas and brackets checked with recovery, a broken event
//! skipped to the next one that parses, the members of a wrapper after its array.

use super::scan::{string_end, Skipper};
use super::{Expect, Kind, Mark, Mode, Step, Text, MAX_VALUE, RESYNC_LIMIT};
use crate::ingest::{FileReport, Loader, Position};
use crate::storage::tape::{self, Doc, JsonError};

impl Loader {
    pub(super) fn elements(
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

    /// One element of an events array.
    pub(super) fn element(
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

    /// Reports malformed text at `at` and goes looking for the next event from there.
    pub(super) fn resync_from(
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
    pub(super) fn broken_value(
        t: &mut Text,
        file: &mut FileReport,
        e: JsonError,
        kind: Kind,
        wrapped: bool,
    ) {
        let kept = if file.events > 0 {
            format!("; the {} events before it were read", file.events)
        } else {
            String::new()
        };
        let message = format!("malformed JSON: {}{kept}", e.message);
        Self::resync_from(t, file, e.offset, message, kind, wrapped);
        t.cur = (t.cur + 1).min(t.buf.bytes().len());
    }

    pub(super) fn close_array(&mut self, t: &mut Text, wrapped: bool) {
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
    pub(super) fn wrapper_tail(&mut self, t: &mut Text, file: &mut FileReport) -> bool {
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
    pub(super) fn resync(
        &mut self,
        t: &mut Text,
        file: &mut FileReport,
        kind: Kind,
        wrapped: bool,
    ) -> bool {
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
}
