//! JSON documents as a flat "tape" of 32-bit words, with strings interned. One pass parses JSON
//! text straight into the tape (no intermediate tree); reading walks it without allocating.
//!
//! A word is a 3-bit tag and a 29-bit payload:
//! `STR` symbol · `INT` small signed integer · `NUM` index into `nums` · `LIT` null/false/true ·
//! `OBJ`/`ARR` number of words in the body that follows (so a subtree is skipped in O(1)).
//! An empty object is `OBJ 0`. A non-empty object is stored by *shape*: `SHAPED shape-id`, then a
//! word with the body length, then only the member values; the shape (its key symbols in order) is
//! kept once in `Tape::shapes`, because CloudTrail repeats the same few dozen key lists millions of
//! times. That removes one word per member and makes member lookup a scan of a short key list.
//!
//! One file of about 800 lines on purpose: the encoding, the parser that writes it and the reader
//! that walks it share its invariants (tags, shapes, body lengths, number slots); split apart,
//! each part would have to expose them.
//!
//! About 840 lines on purpose: the tape's layout, its one-pass parser and its readers must agree
//! word for word, so they live together.

use super::intern::{Interner, Sym};
use crate::value::{write_json_string_bytes, Record, Value};
use std::sync::Arc;

const SHIFT: u32 = 29;
const PAYLOAD: u32 = (1 << SHIFT) - 1;
pub const STR: u32 = 0;
pub const INT: u32 = 1;
pub const NUM: u32 = 2;
pub const LIT: u32 = 3;
pub const OBJ: u32 = 4;
pub const ARR: u32 = 5;
pub const SHAPED: u32 = 6;
pub const NULL_WORD: u32 = LIT << SHIFT;
const SMALL_MIN: i64 = -(1 << 28);
const SMALL_MAX: i64 = (1 << 28) - 1;

/// Nesting deeper than this is rejected (a JSON bomb must not overflow the stack).
pub const MAX_DEPTH: usize = 256;

pub fn tag(w: u32) -> u32 {
    w >> SHIFT
}
pub fn payload(w: u32) -> u32 {
    w & PAYLOAD
}
fn word(tag: u32, payload: u32) -> u32 {
    (tag << SHIFT) | payload
}

#[derive(Clone, Copy, Debug)]
pub enum Num {
    Long(i64),
    /// The value and its original text, so `content` shows the number as it was written.
    Double(f64, Sym),
}

#[derive(Default)]
pub struct Tape {
    pub words: Vec<u32>,
    pub nums: Vec<Num>,
    /// Key lists of objects, by shape id.
    pub shapes: Vec<Box<[Sym]>>,
    /// Per shape, a key it has twice (`{"a":1,"a":2}`), if any.
    shape_dups: Vec<Option<Sym>>,
    /// Set when the parser closes an object with a key twice; the loader reads and clears it
    /// for each event (a duplicate key is what a tampered event can look like).
    pub dup_key: Option<Sym>,
    shape_index: hashbrown::HashMap<Box<[Sym]>, u32>,
    /// The keys of the objects being parsed, innermost last (scratch space of the parser: keys
    /// never go on the tape, so closing an object needs no compaction).
    key_stack: Vec<Sym>,
}

impl Tape {
    /// The shape id of the keys on the key stack from `from` on (which are then popped).
    fn pop_shape(&mut self, from: usize) -> u32 {
        let keys = &self.key_stack[from..];
        let id = match self.shape_index.get(keys) {
            Some(&id) => id,
            None => {
                let id = self.shapes.len() as u32;
                let dup = keys
                    .iter()
                    .enumerate()
                    .find(|(i, k)| keys[..*i].contains(k))
                    .map(|(_, k)| *k);
                self.shape_dups.push(dup);
                self.shapes.push(keys.into());
                self.shape_index.insert(keys.into(), id);
                id
            }
        };
        self.key_stack.truncate(from);
        if let Some(k) = self.shape_dups[id as usize] {
            self.dup_key = Some(k);
        }
        id
    }

    /// True when the shape has a key twice.
    pub fn shape_has_dup(&self, shape: u32) -> bool {
        self.shape_dups
            .get(shape as usize)
            .is_some_and(Option::is_some)
    }

    pub fn heap_bytes(&self) -> usize {
        self.words.capacity() * 4
            + self.nums.capacity() * 16
            + self.shapes.iter().map(|s| s.len() * 8 + 16).sum::<usize>()
    }
}

/// True for both object encodings.
pub fn is_obj(w: u32) -> bool {
    matches!(tag(w), OBJ | SHAPED)
}

/// Objects and arrays (values that are not scalars).
pub fn is_complex(w: u32) -> bool {
    matches!(tag(w), OBJ | SHAPED | ARR)
}

#[derive(Clone, Debug, PartialEq)]
pub struct JsonError {
    /// Byte offset in the parsed text.
    pub offset: usize,
    pub message: String,
}

fn err<T>(offset: usize, message: impl Into<String>) -> Result<T, JsonError> {
    Err(JsonError {
        offset,
        message: message.into(),
    })
}

/// Parses JSON text into a [`Tape`].
pub struct Parser<'a> {
    pub tape: &'a mut Tape,
    pub interner: &'a mut Interner,
    pub text: &'a [u8],
    /// The same text when it is known to be valid UTF-8 (checked once for a whole file), so
    /// strings are sliced without validating each one again.
    pub text_str: Option<&'a str>,
    pub pos: usize,
    /// Accept raw control characters inside strings (CloudTrail's lookup-events output has them).
    pub lenient_strings: bool,
    scratch: String,
}

impl<'a> Parser<'a> {
    pub fn new(tape: &'a mut Tape, interner: &'a mut Interner, text: &'a [u8]) -> Self {
        Parser {
            tape,
            interner,
            text,
            text_str: None,
            pos: 0,
            lenient_strings: false,
            scratch: String::new(),
        }
    }

    pub fn skip_ws(&mut self) {
        while let Some(c) = self.text.get(self.pos) {
            if matches!(c, b' ' | b'\t' | b'\n' | b'\r') {
                self.pos += 1;
            } else {
                break;
            }
        }
    }

    pub fn peek(&self) -> Option<u8> {
        self.text.get(self.pos).copied()
    }

    /// Parses one value at the current position onto the tape.
    pub fn value(&mut self) -> Result<(), JsonError> {
        self.tape.key_stack.clear();
        self.value_at(0)
    }

    fn value_at(&mut self, depth: usize) -> Result<(), JsonError> {
        self.skip_ws();
        if depth > MAX_DEPTH {
            return err(
                self.pos,
                format!("JSON nested deeper than {MAX_DEPTH} levels"),
            );
        }
        match self.peek() {
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => {
                let sym = self.string()?;
                self.tape.words.push(word(STR, sym.0));
                Ok(())
            }
            Some(b't') => self.literal(b"true", 2),
            Some(b'f') => self.literal(b"false", 1),
            Some(b'n') => self.literal(b"null", 0),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(c) => err(
                self.pos,
                format!("expected a JSON value, found {}", show_byte(c)),
            ),
            None => err(
                self.pos,
                "expected a JSON value, found the end of the input",
            ),
        }
    }

    fn literal(&mut self, text: &[u8], code: u32) -> Result<(), JsonError> {
        if self.text[self.pos..].starts_with(text) {
            self.pos += text.len();
            self.tape.words.push(word(LIT, code));
            Ok(())
        } else {
            err(self.pos, "expected a JSON value (true, false, null, a number, a string, an object or an array)")
        }
    }

    fn open(&mut self, t: u32) -> usize {
        self.pos += 1;
        self.tape.words.push(word(t, 0));
        self.tape.words.len() - 1
    }

    fn close(&mut self, at: usize) -> Result<(), JsonError> {
        let len = self.tape.words.len() - at - 1;
        if len > PAYLOAD as usize {
            return err(
                self.pos,
                "JSON value too large (more than 536 million words)",
            );
        }
        self.tape.words[at] |= len as u32;
        Ok(())
    }

    /// An object goes on the tape as `SHAPED shape len value …` (or `OBJ 0` when empty); its
    /// keys wait on the key stack until the closing brace names the shape.
    fn object(&mut self, depth: usize) -> Result<(), JsonError> {
        let at = self.open(OBJ);
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return self.close(at);
        }
        self.tape.words.push(0);
        let keys_from = self.tape.key_stack.len();
        loop {
            self.skip_ws();
            if self.peek() != Some(b'"') {
                return err(
                    self.pos,
                    format!(
                        "expected a member name in double quotes, found {}",
                        self.found()
                    ),
                );
            }
            let key = self.string()?;
            self.tape.key_stack.push(key);
            self.skip_ws();
            if self.peek() != Some(b':') {
                return err(
                    self.pos,
                    format!("expected `:` after a member name, found {}", self.found()),
                );
            }
            self.pos += 1;
            self.value_at(depth + 1)?;
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    let body = self.tape.words.len() - at - 2;
                    if body > u32::MAX as usize {
                        return err(self.pos, "JSON value too large");
                    }
                    let shape = self.tape.pop_shape(keys_from);
                    if shape > PAYLOAD {
                        return err(self.pos, "too many distinct object shapes");
                    }
                    self.tape.words[at] = word(SHAPED, shape);
                    self.tape.words[at + 1] = body as u32;
                    return Ok(());
                }
                _ => {
                    return err(
                        self.pos,
                        format!("expected `,` or `}}` in an object, found {}", self.found()),
                    )
                }
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<(), JsonError> {
        let at = self.open(ARR);
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return self.close(at);
        }
        loop {
            self.value_at(depth + 1)?;
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return self.close(at);
                }
                _ => {
                    return err(
                        self.pos,
                        format!("expected `,` or `]` in an array, found {}", self.found()),
                    )
                }
            }
        }
    }

    fn found(&self) -> String {
        match self.peek() {
            Some(c) => show_byte(c),
            None => "the end of the input".into(),
        }
    }

    /// Parses a string literal and interns it.
    pub fn string(&mut self) -> Result<Sym, JsonError> {
        let start = self.pos + 1;
        let mut i = start;
        let t = self.text;
        // Fast path: no escapes.
        i = plain_end(t, i, self.lenient_strings);
        if i < t.len() && t[i] == b'"' {
            let s = match self.text_str {
                Some(ts) => &ts[start..i],
                None => std::str::from_utf8(&t[start..i]).map_err(|e| JsonError {
                    offset: start + e.valid_up_to(),
                    message: "invalid UTF-8 in a string".into(),
                })?,
            };
            self.pos = i + 1;
            return self.interner.intern(s).map_err(|_| JsonError {
                offset: start,
                message: "string storage full (4 GiB of distinct text)".into(),
            });
        }
        let mut buf = std::mem::take(&mut self.scratch);
        buf.clear();
        let mut seg = start;
        loop {
            if i >= t.len() {
                self.scratch = buf;
                return err(self.pos, "unterminated string: expected a closing `\"`");
            }
            match t[i] {
                b'"' => break,
                b'\\' => {
                    push_utf8(&mut buf, &t[seg..i], seg)?;
                    let esc = t.get(i + 1).copied();
                    i += 2;
                    match esc {
                        Some(b'"') => buf.push('"'),
                        Some(b'\\') => buf.push('\\'),
                        Some(b'/') => buf.push('/'),
                        Some(b'b') => buf.push('\u{8}'),
                        Some(b'f') => buf.push('\u{c}'),
                        Some(b'n') => buf.push('\n'),
                        Some(b'r') => buf.push('\r'),
                        Some(b't') => buf.push('\t'),
                        Some(b'u') => {
                            let cp = hex4(t, i).ok_or(JsonError {
                                offset: i - 2,
                                message: "invalid \\u escape: expected four hex digits".into(),
                            })?;
                            i += 4;
                            let ch = if (0xD800..0xDC00).contains(&cp) {
                                // A surrogate pair, or a lone surrogate (replaced).
                                if t.get(i) == Some(&b'\\') && t.get(i + 1) == Some(&b'u') {
                                    match hex4(t, i + 2) {
                                        Some(lo) if (0xDC00..0xE000).contains(&lo) => {
                                            i += 6;
                                            char::from_u32(
                                                0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00),
                                            )
                                        }
                                        _ => None,
                                    }
                                } else {
                                    None
                                }
                            } else {
                                char::from_u32(cp)
                            };
                            buf.push(ch.unwrap_or('\u{FFFD}'));
                        }
                        _ => {
                            self.scratch = buf;
                            return err(i - 2, "invalid escape in a string: expected one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u");
                        }
                    }
                    seg = i;
                }
                c if c < 0x20 && !self.lenient_strings => {
                    self.scratch = buf;
                    return err(
                        i,
                        "control character inside a string: expected it escaped (e.g. \\n)",
                    );
                }
                _ => i += 1,
            }
        }
        push_utf8(&mut buf, &t[seg..i], seg)?;
        self.pos = i + 1;
        let sym = self.interner.intern(&buf).map_err(|_| JsonError {
            offset: start,
            message: "string storage full".into(),
        });
        self.scratch = buf;
        sym
    }

    fn number(&mut self) -> Result<(), JsonError> {
        let t = self.text;
        let start = self.pos;
        let mut i = start;
        if t.get(i) == Some(&b'-') {
            i += 1;
        }
        let int_start = i;
        while i < t.len() && t[i].is_ascii_digit() {
            i += 1;
        }
        if i == int_start {
            return err(start, "invalid number: expected a digit");
        }
        if t[int_start] == b'0' && i - int_start > 1 {
            return err(start, "invalid number: leading zeros are not allowed");
        }
        let mut integral = true;
        if t.get(i) == Some(&b'.') {
            integral = false;
            i += 1;
            let f = i;
            while i < t.len() && t[i].is_ascii_digit() {
                i += 1;
            }
            if i == f {
                return err(i, "invalid number: expected a digit after `.`");
            }
        }
        if matches!(t.get(i), Some(b'e' | b'E')) {
            integral = false;
            i += 1;
            if matches!(t.get(i), Some(b'+' | b'-')) {
                i += 1;
            }
            let f = i;
            while i < t.len() && t[i].is_ascii_digit() {
                i += 1;
            }
            if i == f {
                return err(i, "invalid number: expected a digit in the exponent");
            }
        }
        self.pos = i;
        let text = std::str::from_utf8(&t[start..i]).unwrap_or("0");
        if integral {
            if let Ok(v) = text.parse::<i64>() {
                if (SMALL_MIN..=SMALL_MAX).contains(&v) {
                    self.tape.words.push(word(INT, (v as u32) & PAYLOAD));
                } else {
                    self.push_num(Num::Long(v));
                }
                return Ok(());
            }
        }
        let v: f64 = text.parse().unwrap_or(f64::NAN);
        let sym = self.interner.intern(text).map_err(|_| JsonError {
            offset: start,
            message: "string storage full".into(),
        })?;
        self.push_num(Num::Double(v, sym));
        Ok(())
    }

    fn push_num(&mut self, n: Num) {
        let idx = self.tape.nums.len() as u32;
        self.tape.nums.push(n);
        self.tape.words.push(word(NUM, idx & PAYLOAD));
    }
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// Marks (high bit) the bytes of `w` below `n` (`n` ≤ 128). Marks above the lowest true one
/// may be false, so only the lowest mark is to be used.
fn bytes_below(w: u64, n: u8) -> u64 {
    w.wrapping_sub(ONES * u64::from(n)) & !w & HIGHS
}

/// Marks the bytes of `w` equal to `b` (the lowest mark is exact, as for [`bytes_below`]).
fn bytes_equal(w: u64, b: u8) -> u64 {
    bytes_below(w ^ (ONES * u64::from(b)), 1)
}

/// The first position from `i` on that holds `"`, `\\` or (unless `lenient`) a control
/// character: where a string's plain run ends. Eight bytes at a time.
fn plain_end(t: &[u8], mut i: usize, lenient: bool) -> usize {
    let controls = if lenient { 0 } else { 0x20 };
    while let Some(chunk) = t.get(i..i + 8) {
        let w = u64::from_le_bytes(chunk.try_into().unwrap_or_default());
        let m = bytes_equal(w, b'"') | bytes_equal(w, b'\\') | bytes_below(w, controls);
        if m != 0 {
            return i + (m.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while i < t.len() && t[i] != b'"' && t[i] != b'\\' && t[i] >= controls {
        i += 1;
    }
    i
}

fn hex4(t: &[u8], i: usize) -> Option<u32> {
    let s = std::str::from_utf8(t.get(i..i + 4)?).ok()?;
    u32::from_str_radix(s, 16).ok()
}

fn push_utf8(buf: &mut String, bytes: &[u8], offset: usize) -> Result<(), JsonError> {
    let s = std::str::from_utf8(bytes).map_err(|e| JsonError {
        offset: offset + e.valid_up_to(),
        message: "invalid UTF-8 in a string".into(),
    })?;
    buf.push_str(s);
    Ok(())
}

pub fn show_byte(c: u8) -> String {
    if c.is_ascii_graphic() {
        format!("`{}`", c as char)
    } else {
        format!("byte 0x{c:02x}")
    }
}

/// JSON equality: records as sets of members (any order), arrays in order, numbers by value.
fn same_json(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Record(x), Value::Record(y)) => {
            x.fields.len() == y.fields.len()
                && x.fields.iter().all(|(k, v)| {
                    y.fields
                        .iter()
                        .find(|(k2, _)| k2 == k)
                        .is_some_and(|(_, w)| same_json(v, w))
                })
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| same_json(p, q))
        }
        _ => crate::value::same(a, b),
    }
}

/// Read access to documents on a tape.
#[derive(Clone, Copy)]
pub struct Doc<'a> {
    pub tape: &'a Tape,
    pub interner: &'a Interner,
}

impl<'a> Doc<'a> {
    /// Position just after the value at `pos`.
    pub fn skip(&self, pos: usize) -> usize {
        let w = self.tape.words[pos];
        match tag(w) {
            OBJ | ARR => pos + 1 + payload(w) as usize,
            SHAPED => pos + 2 + self.tape.words[pos + 1] as usize,
            _ => pos + 1,
        }
    }

    /// Keys and the position of the first value of a shaped object.
    fn shaped(&self, pos: usize) -> Option<(&'a [Sym], usize)> {
        let w = self.tape.words[pos];
        (tag(w) == SHAPED).then(|| (&*self.tape.shapes[payload(w) as usize], pos + 2))
    }

    /// The position of member `key` in the object at `pos`.
    pub fn member(&self, pos: usize, key: Sym) -> Option<usize> {
        if let Some((keys, first)) = self.shaped(pos) {
            // A key given twice reads as its last value, as jq, Python and browsers read it.
            let j = keys.iter().rposition(|&k| k == key)?;
            let mut p = first;
            for _ in 0..j {
                p = self.skip(p);
            }
            return Some(p);
        }
        let w = self.tape.words[pos];
        if tag(w) != OBJ {
            return None;
        }
        let end = pos + 1 + payload(w) as usize;
        let mut p = pos + 1;
        let mut found = None;
        while p < end {
            if payload(self.tape.words[p]) == key.0 {
                found = Some(p + 1);
            }
            p = self.skip(p + 1);
        }
        found
    }

    /// The element `i` of the array at `pos`.
    pub fn element(&self, pos: usize, i: usize) -> Option<usize> {
        let w = self.tape.words[pos];
        if tag(w) != ARR {
            return None;
        }
        let end = pos + 1 + payload(w) as usize;
        let mut p = pos + 1;
        let mut k = 0;
        while p < end {
            if k == i {
                return Some(p);
            }
            p = self.skip(p);
            k += 1;
        }
        None
    }

    /// Keys of the object at `pos` without copying them (none for an empty object or a
    /// non-object).
    pub fn key_slice(&self, pos: usize) -> &'a [Sym] {
        self.shaped(pos).map_or(&[], |(keys, _)| keys)
    }

    /// Keys of the object at `pos`, in order.
    pub fn keys(&self, pos: usize) -> Vec<Sym> {
        if let Some((keys, _)) = self.shaped(pos) {
            return keys.to_vec();
        }
        let mut out = Vec::new();
        let w = self.tape.words[pos];
        if tag(w) != OBJ {
            return out;
        }
        let end = pos + 1 + payload(w) as usize;
        let mut p = pos + 1;
        while p < end {
            out.push(Sym(payload(self.tape.words[p])));
            p = self.skip(p + 1);
        }
        out
    }

    pub fn str_at(&self, pos: usize) -> Option<&'a str> {
        let w = self.tape.words[pos];
        (tag(w) == STR).then(|| self.interner.get(Sym(payload(w))))
    }

    /// A scalar word as a value (objects and arrays are built by [`Doc::value`]).
    pub fn scalar(&self, w: u32) -> Value {
        match tag(w) {
            STR => Value::str(self.interner.get(Sym(payload(w)))),
            INT => Value::Long(((payload(w) << 3) as i32 >> 3) as i64),
            NUM => match self.tape.nums[payload(w) as usize] {
                Num::Long(v) => Value::Long(v),
                Num::Double(v, _) => Value::Double(v),
            },
            LIT => match payload(w) {
                1 => Value::Bool(false),
                2 => Value::Bool(true),
                _ => Value::Null,
            },
            _ => Value::Null,
        }
    }

    /// True when the values at `a` and `b` are the same JSON: objects with the same members
    /// in any order (a key given twice counts by its last value), arrays element by element,
    /// numbers by value (`1` and `1.0` alike). Words that are equal one by one (the same event
    /// written the same way) are recognised without building anything.
    pub fn same_value(&self, a: usize, b: usize) -> bool {
        let (ea, eb) = (self.skip(a), self.skip(b));
        let words = &self.tape.words;
        let plain = |w: u32| tag(w) != NUM;
        if ea - a == eb - b
            && words[a..ea]
                .iter()
                .zip(&words[b..eb])
                .all(|(&x, &y)| x == y && plain(x))
        {
            return true;
        }
        same_json(&self.value(a), &self.value(b))
    }

    /// The value at `pos`, building records and arrays.
    pub fn value(&self, pos: usize) -> Value {
        let w = self.tape.words[pos];
        if let Some((keys, first)) = self.shaped(pos) {
            let mut fields = Vec::with_capacity(keys.len());
            let mut p = first;
            let dups = self.tape.shape_has_dup(payload(w));
            for (i, &k) in keys.iter().enumerate() {
                // A key given twice keeps its last value, in the last place it stands.
                if dups && keys[i + 1..].contains(&k) {
                    p = self.skip(p);
                    continue;
                }
                fields.push((Arc::from(self.interner.get(k)), self.value(p)));
                p = self.skip(p);
            }
            return Value::Record(Arc::new(Record { fields }));
        }
        match tag(w) {
            OBJ => {
                let end = pos + 1 + payload(w) as usize;
                let mut fields = Vec::new();
                let mut p = pos + 1;
                while p < end {
                    let k: Arc<str> =
                        Arc::from(self.interner.get(Sym(payload(self.tape.words[p]))));
                    fields.push((k, self.value(p + 1)));
                    p = self.skip(p + 1);
                }
                Value::Record(Arc::new(Record { fields }))
            }
            ARR => {
                let end = pos + 1 + payload(w) as usize;
                let mut items = Vec::new();
                let mut p = pos + 1;
                while p < end {
                    items.push(self.value(p));
                    p = self.skip(p);
                }
                Value::Array(items.into())
            }
            _ => self.scalar(w),
        }
    }

    /// The value at `pos` as compact JSON text, numbers as originally written.
    pub fn write_json(&self, pos: usize, out: &mut String) {
        // Written as bytes, so that the interner's strings are not checked as UTF-8 one by one
        // (rebuilding `content` spent a fifth of its time there), then checked once.
        let mut bytes = std::mem::take(out).into_bytes();
        self.write_json_bytes(pos, &mut bytes);
        *out = String::from_utf8(bytes)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    }

    fn write_json_bytes(&self, pos: usize, out: &mut Vec<u8>) {
        use std::io::Write as _;
        let w = self.tape.words[pos];
        if let Some((keys, first)) = self.shaped(pos) {
            out.push(b'{');
            let mut p = first;
            for (i, &k) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_json_string_bytes(out, self.interner.bytes(k));
                out.push(b':');
                self.write_json_bytes(p, out);
                p = self.skip(p);
            }
            out.push(b'}');
            return;
        }
        match tag(w) {
            OBJ | ARR => {
                let obj = tag(w) == OBJ;
                out.push(if obj { b'{' } else { b'[' });
                let end = pos + 1 + payload(w) as usize;
                let mut p = pos + 1;
                let mut first = true;
                while p < end {
                    if !first {
                        out.push(b',');
                    }
                    first = false;
                    if obj {
                        let key = Sym(payload(self.tape.words[p]));
                        write_json_string_bytes(out, self.interner.bytes(key));
                        out.push(b':');
                        p += 1;
                    }
                    self.write_json_bytes(p, out);
                    p = self.skip(p);
                }
                out.push(if obj { b'}' } else { b']' });
            }
            STR => write_json_string_bytes(out, self.interner.bytes(Sym(payload(w)))),
            NUM => match self.tape.nums[payload(w) as usize] {
                Num::Long(v) => {
                    let _ = write!(out, "{v}");
                }
                Num::Double(_, text) => out.extend_from_slice(self.interner.bytes(text)),
            },
            INT => {
                let _ = write!(out, "{}", ((payload(w) << 3) as i32 >> 3));
            }
            LIT => out.extend_from_slice(match payload(w) {
                1 => b"false",
                2 => b"true",
                _ => b"null",
            }),
            _ => out.extend_from_slice(b"null"),
        }
    }
}

/// Parses a standalone JSON text into a value (the `JSON` matcher on computed strings).
pub fn parse_value(text: &str) -> Result<Value, JsonError> {
    let mut tape = Tape::default();
    let mut interner = Interner::default();
    let mut p = Parser::new(&mut tape, &mut interner, text.as_bytes());
    p.value()?;
    let end = p.pos;
    drop(p);
    let _ = end;
    Ok(Doc {
        tape: &tape,
        interner: &interner,
    }
    .value(0))
}

#[cfg(test)]
mod tests;
