//! The matcher engine: runs a [`Program`] over one text. See the module documentation of
//! [`super`] for the algorithm and its bound; in short, ordered choice without backtracking
//! into a matcher that succeeded, LD/DATA/STRING stopping at the first place their follow chain
//! matches (remembered per node, so a later scan never re-reads what an earlier one read), and
//! every unit of work counted against a step budget.

use std::sync::Arc;

use super::matchers::{self, CharSet};
use super::parse::Look;
use super::program::{Kind, LazyKind, NodeId, Program};
use crate::value::{Record, Value};

mod composite;

/// Look-behind looks at most this many bytes back (as Dynatrace documents).
const LOOK_BEHIND: usize = 64;

/// An export made while matching: its slot, where its text is, and its value when the matcher
/// built one (JSON, STRUCTURE, …); other values are made from the text only for the final
/// match.
#[derive(Clone, Debug)]
pub struct Cap {
    pub slot: u32,
    pub node: NodeId,
    pub start: u32,
    pub end: u32,
    /// Where the value of a repeated matcher starts (its last repetition).
    pub value_start: u32,
    pub value: Option<Value>,
}

/// What one LD/DATA/STRING scan found: from `lo` to `hi` no position ended it; at `hi` it
/// `found` its follow chain, or was `blocked` (line end, text end, whitespace for STRING).
#[derive(Clone, Copy, Debug, Default)]
struct Memo {
    valid: bool,
    end: usize,
    lo: usize,
    hi: usize,
    found: bool,
    blocked: bool,
}

/// A run of characters of one set: `lo..hi` are members, `hi` is not (or is the logical end
/// `end`); `ascii` when every member in it is one byte.
#[derive(Clone, Copy, Debug)]
struct Run1 {
    lo: usize,
    hi: usize,
    end: usize,
    ascii: bool,
}

/// One match attempt (or a series of them over one text, for the search functions).
pub struct Run<'p, 't> {
    prog: &'p Program,
    text: &'t str,
    b: &'t [u8],
    /// The logical end of the text (shorter while looking behind).
    end: usize,
    pub steps: u64,
    pub limit: u64,
    pub gave_up: bool,
    pub caps: Vec<Cap>,
    memo: Vec<Memo>,
    /// Per character set: `lo..hi` are members and `hi` is not (at logical end `end`).
    runs: Vec<Run1>,
    /// Nesting of `item` calls: a chain of LDs probing each other recurses; past
    /// [`MAX_DEPTH`] the match gives up instead of risking the stack.
    depth: u32,
}

/// How deep matching may recurse (groups, follow chains); the pattern parser refuses deeper
/// groups, so only long chains of LD/DATA probing each other reach it.
const MAX_DEPTH: u32 = 400;

impl<'p, 't> Run<'p, 't> {
    pub fn new(prog: &'p Program, text: &'t str, limit: u64) -> Self {
        Run {
            prog,
            text,
            b: text.as_bytes(),
            end: text.len(),
            steps: 0,
            limit,
            gave_up: false,
            caps: Vec::new(),
            memo: vec![Memo::default(); prog.lazy_slots],
            runs: vec![
                Run1 {
                    lo: usize::MAX,
                    hi: 0,
                    end: 0,
                    ascii: true
                };
                prog.run_slots
            ],
            depth: 0,
        }
    }

    /// Counts `n` units of work; false (and from then on always false) past the budget.
    #[inline]
    fn step(&mut self, n: u64) -> bool {
        self.steps += n;
        if self.steps > self.limit {
            self.gave_up = true;
        }
        !self.gave_up
    }

    /// Matches the whole program at `pos`; the end of the match.
    pub fn root(&mut self, pos: usize) -> Option<usize> {
        self.caps.clear();
        self.item(self.prog.root, pos)
    }

    /// One matcher expression: lookaround, repetition, optional, export.
    fn item(&mut self, id: NodeId, pos: usize) -> Option<usize> {
        if !self.step(1) {
            return None;
        }
        if self.depth >= MAX_DEPTH {
            self.gave_up = true;
            return None;
        }
        self.depth += 1;
        let r = self.item_at(id, pos);
        self.depth -= 1;
        r
    }

    fn item_at(&mut self, id: NodeId, pos: usize) -> Option<usize> {
        let prog = self.prog;
        let n = &prog.nodes[id as usize];
        if let Some(look) = n.look {
            return self.look(id, look, pos);
        }
        let mark = self.caps.len();
        match self.inner(id, pos) {
            Some((end, value_start)) => {
                if let Some(slot) = n.export {
                    if !n.kind.builds_value() {
                        self.caps.push(Cap {
                            slot,
                            node: id,
                            start: pos as u32,
                            end: end as u32,
                            value_start: value_start as u32,
                            value: None,
                        });
                    }
                }
                Some(end)
            }
            None => {
                self.caps.truncate(mark);
                (n.optional && !self.gave_up).then_some(pos)
            }
        }
    }

    /// The matcher with its repetitions: the end, and where the last repetition started.
    fn inner(&mut self, id: NodeId, pos: usize) -> Option<(usize, usize)> {
        let prog = self.prog;
        let n = &prog.nodes[id as usize];
        if n.kind.sized() {
            return self.once(id, pos).map(|e| (e, pos));
        }
        if let Kind::Set(set, slot) = &n.kind {
            return self.set_run(set, *slot as usize, n.min, n.max, pos);
        }
        let (mut p, mut last, mut count) = (pos, pos, 0u32);
        while count < n.max {
            match self.once(id, p) {
                Some(e) if e > p => {
                    last = p;
                    p = e;
                    count += 1;
                }
                Some(_) => {
                    // An empty match satisfies the rest: repeating it changes nothing.
                    last = p;
                    count = count.max(n.min);
                    break;
                }
                None => break,
            }
        }
        (count >= n.min && !self.gave_up).then_some((p, last))
    }

    fn look(&mut self, id: NodeId, look: Look, pos: usize) -> Option<usize> {
        let mark = self.caps.len();
        let ok = match look {
            Look::Ahead | Look::NotAhead => self.inner(id, pos).is_some(),
            Look::Behind | Look::NotBehind => {
                let saved = self.end;
                self.end = pos;
                let mut ok = false;
                let mut k = 1;
                while k <= LOOK_BEHIND.min(pos) {
                    let start = pos - k;
                    if self.text.is_char_boundary(start)
                        && self.inner(id, start).is_some_and(|(e, _)| e == pos)
                    {
                        ok = true;
                        break;
                    }
                    if self.gave_up {
                        break;
                    }
                    k += 1;
                }
                self.end = saved;
                ok
            }
        };
        self.caps.truncate(mark);
        if self.gave_up {
            return None;
        }
        let want = matches!(look, Look::Ahead | Look::Behind);
        (ok == want).then_some(pos)
    }

    /// One occurrence of the matcher at `pos`.
    fn once(&mut self, id: NodeId, pos: usize) -> Option<usize> {
        let prog = self.prog;
        let n = &prog.nodes[id as usize];
        let (b, end) = (self.b, self.end);
        match &n.kind {
            Kind::Seq(children) => {
                let mut p = pos;
                for &c in children {
                    p = self.item(c, p)?;
                }
                Some(p)
            }
            Kind::Alt(alts) => {
                for &a in alts {
                    let mark = self.caps.len();
                    if let Some(e) = self.item(a, pos) {
                        return Some(e);
                    }
                    self.caps.truncate(mark);
                    if self.gave_up {
                        return None;
                    }
                }
                None
            }
            Kind::Lit(s) => {
                let e = pos + s.len();
                (e <= end && &b[pos..e] == s.as_bytes()).then_some(e)
            }
            Kind::Set(set, _) => self.one_char(set, pos),
            Kind::Lazy(_) => self.lazy(id, pos),
            Kind::Quoted { quote, csv } => {
                let e = matchers::quoted(b, pos, end, *quote, *csv)?;
                self.step((e - pos) as u64);
                let len = (e - pos - 2) as u32;
                (len >= n.min && len <= n.max).then_some(e)
            }
            Kind::Int { hex, min, max, .. } => {
                let (e, v) = matchers::integer(b, pos, end, *hex)?;
                self.step((e - pos) as u64);
                (min.is_none_or(|m| v >= m) && max.is_none_or(|m| v <= m)).then_some(e)
            }
            Kind::Float { comma, min, max } => {
                let (e, v) = matchers::double(b, pos, end, *comma)?;
                self.step((e - pos) as u64);
                (min.is_none_or(|m| v >= m) && max.is_none_or(|m| v <= m)).then_some(e)
            }
            Kind::Bool => matchers::boolean(b, pos, end).map(|(e, _)| e),
            Kind::Ip { v4, v6 } => {
                let (e, _) = matchers::ip(self.text, pos, end, *v4, *v6)?;
                self.step(45);
                Some(e)
            }
            Kind::Time(f) => {
                let (e, _) = f.parse(self.text, pos, end)?;
                self.step((e - pos) as u64);
                Some(e)
            }
            Kind::Uuid => matchers::uuid(b, pos, end),
            Kind::Bos => (pos == 0).then_some(pos),
            Kind::Eos => (pos == end).then_some(pos),
            Kind::Mos => (pos > 0).then_some(pos),
            Kind::Enum { entries, cis } => {
                let rest = b.get(pos..end).unwrap_or(&[]);
                self.step(entries.len() as u64);
                entries
                    .iter()
                    .filter(|(s, _)| {
                        rest.len() >= s.len()
                            && if *cis {
                                rest[..s.len()].eq_ignore_ascii_case(s.as_bytes())
                            } else {
                                &rest[..s.len()] == s.as_bytes()
                            }
                    })
                    .map(|(s, _)| pos + s.len())
                    .max()
            }
            Kind::Json(_)
            | Kind::JsonArray { .. }
            | Kind::JsonValue { .. }
            | Kind::Struct { .. }
            | Kind::Array { .. }
            | Kind::Kvp { .. } => {
                let (e, v) = self.composite(id, pos)?;
                self.push_built(id, pos, e, v);
                Some(e)
            }
        }
    }

    /// Records the value a composite built: as the node's export, or (flat JSON) as one export
    /// per field.
    fn push_built(&mut self, id: NodeId, pos: usize, end: usize, v: Value) {
        let prog = self.prog;
        let n = &prog.nodes[id as usize];
        if let Kind::Json(spec) = &n.kind {
            if spec.flat {
                if let Value::Record(r) = &v {
                    for (slot, (_, val)) in spec.flat_slots.iter().zip(&r.fields) {
                        self.caps.push(Cap {
                            slot: *slot,
                            node: id,
                            start: pos as u32,
                            end: end as u32,
                            value_start: pos as u32,
                            value: Some(val.clone()),
                        });
                    }
                }
                return;
            }
        }
        if let Some(slot) = n.export {
            self.caps.push(Cap {
                slot,
                node: id,
                start: pos as u32,
                end: end as u32,
                value_start: pos as u32,
                value: Some(v),
            });
        }
    }

    /// `[a-z]{min,max}`: the run of members from `pos`. Runs are remembered, so a search that
    /// starts again inside a run it has read does not read it again.
    fn set_run(
        &mut self,
        set: &CharSet,
        slot: usize,
        min: u32,
        max: u32,
        pos: usize,
    ) -> Option<(usize, usize)> {
        let end = self.end;
        let r = self.runs[slot];
        let (hi, ascii) = if r.lo <= pos && pos <= r.hi && r.end == end {
            (r.hi, r.ascii)
        } else {
            let mut p = pos;
            let mut ascii = true;
            while let Some(c) = self.text.get(p..end).and_then(|t| t.chars().next()) {
                if !set.contains(c) {
                    break;
                }
                ascii &= c.is_ascii();
                p += c.len_utf8();
            }
            if !self.step((p - pos) as u64) {
                return None;
            }
            self.runs[slot] = Run1 {
                lo: pos,
                hi: p,
                end,
                ascii,
            };
            (p, ascii)
        };
        let (min, max) = (min as usize, max as usize);
        if ascii {
            // One byte a character: the counts are lengths.
            let e = hi.min(pos.saturating_add(max));
            return (e - pos >= min).then_some((e, pos));
        }
        let mut p = pos;
        let mut count = 0;
        while count < max && p < hi {
            p += utf8_len(self.b[p]);
            count += 1;
        }
        self.step(count as u64);
        (count >= min && !self.gave_up).then_some((p, pos))
    }

    fn one_char(&mut self, set: &CharSet, pos: usize) -> Option<usize> {
        let c = self.text.get(pos..self.end)?.chars().next()?;
        set.contains(c).then_some(pos + c.len_utf8())
    }

    // -----------------------------------------------------------------------------------------
    // LD, DATA, STRING.

    /// Whether the follow chain matches at `p` (its exports are dropped: the sequence matches
    /// it again for real).
    fn probe(&mut self, follow: &[NodeId], required: bool, p: usize) -> bool {
        let mark = self.caps.len();
        let mut q = p;
        let mut ok = true;
        for &f in follow {
            match self.item(f, q) {
                Some(e) => q = e,
                None => {
                    ok = false;
                    break;
                }
            }
        }
        self.caps.truncate(mark);
        ok && (required || q > p)
    }

    fn lazy(&mut self, id: NodeId, pos: usize) -> Option<usize> {
        let prog = self.prog;
        let n = &prog.nodes[id as usize];
        let Kind::Lazy(lz) = &n.kind else {
            return None;
        };
        let (b, end) = (self.b, self.end);
        if lz.what == LazyKind::Token && pos < end && matches!(b[pos], b'"' | b'\'') {
            if let Some(e) = matchers::quoted(b, pos, end, b[pos], false) {
                self.step((e - pos) as u64);
                let len = (e - pos - 2) as u32;
                return (len >= n.min && len <= n.max).then_some(e);
            }
        }
        // The first `min` bytes are taken whatever they are (within the line or token).
        let mut p = pos;
        while p - pos < n.min as usize {
            if p >= end || stops(lz.what, b[p]) {
                return None;
            }
            p += utf8_len(b[p]);
        }
        let p0 = p;
        let mut limit = pos.saturating_add(n.max as usize).min(end);
        while !self.text.is_char_boundary(limit) {
            limit -= 1;
        }
        if p0 > limit {
            return None;
        }
        if lz.follow.is_empty() {
            // Last in the pattern: up to the line end (LD), whitespace (STRING) or the maximum.
            let stop = self.find_stop(lz.what, p0, limit);
            self.step((stop - p0) as u64 + 1);
            return (!self.gave_up).then_some(stop);
        }
        let slot = lz.slot as usize;
        let m = self.memo[slot];
        let (mut p, lo) = if m.valid && m.end == end && m.lo <= p0 && p0 <= m.hi {
            // An earlier scan already tried every position from p0 to hi.
            if m.found || m.blocked {
                return self.lazy_done(lz.what, m.found, m.hi, limit);
            }
            (m.hi, m.lo)
        } else {
            (p0, p0)
        };
        loop {
            if p > limit {
                self.remember(slot, lo, p, false, false);
                return None;
            }
            if let Some(lit) = &lz.first_lit {
                // The chain starts with a literal: jump to its next occurrence, unless the line
                // (LD) or the token (STRING) ends before it.
                let mut search_end = (limit + lit.len()).min(end);
                while !self.text.is_char_boundary(search_end) {
                    search_end -= 1;
                }
                let next = self.text[p..search_end.max(p)].find(&**lit).map(|k| p + k);
                let until = next.unwrap_or(limit);
                let stop = self.find_stop(lz.what, p, until);
                if !self.step((stop - p) as u64 + 1) {
                    return None;
                }
                match next {
                    Some(q) if stop == q => p = q,
                    _ => {
                        let blocked = stop < until || stop >= end || stops(lz.what, b[stop]);
                        self.remember(slot, lo, stop, false, blocked);
                        return if blocked {
                            self.lazy_done(lz.what, false, stop, limit)
                        } else {
                            None
                        };
                    }
                }
            } else if !self.step(1) {
                return None;
            }
            if self.probe(&lz.follow, lz.required, p) {
                self.remember(slot, lo, p, true, false);
                return Some(p);
            }
            if self.gave_up {
                return None;
            }
            if p >= end || stops(lz.what, b[p]) {
                self.remember(slot, lo, p, false, true);
                return self.lazy_done(lz.what, false, p, limit);
            }
            if p >= limit {
                self.remember(slot, lo, p, false, false);
                return None;
            }
            p += utf8_len(b[p]);
        }
    }

    fn remember(&mut self, slot: usize, lo: usize, hi: usize, found: bool, blocked: bool) {
        self.memo[slot] = Memo {
            valid: true,
            end: self.end,
            lo,
            hi,
            found,
            blocked,
        };
    }

    /// The first position in `from..to` where the matcher must stop (`to` if none).
    fn find_stop(&self, what: LazyKind, from: usize, to: usize) -> usize {
        let to = to.max(from);
        let k = match what {
            LazyKind::Line => self.text.get(from..to).and_then(|t| t.find('\n')),
            LazyKind::Data => None,
            LazyKind::Token => self.b[from..to].iter().position(|&c| c <= b' '),
        };
        k.map_or(to, |k| from + k)
    }

    /// The outcome of a scan that ended at `hi`: found the chain there, or was blocked (line
    /// end, text end, whitespace for STRING). Blocked, only STRING ends there (a token ends at
    /// whitespace); LD and DATA need their follow chain.
    fn lazy_done(&mut self, what: LazyKind, found: bool, hi: usize, limit: usize) -> Option<usize> {
        if hi > limit {
            return None;
        }
        (found || what == LazyKind::Token).then_some(hi)
    }
}

fn stops(what: LazyKind, c: u8) -> bool {
    match what {
        LazyKind::Line => c == b'\n',
        LazyKind::Data => false,
        LazyKind::Token => c <= b' ',
    }
}

fn utf8_len(first: u8) -> usize {
    match first {
        0xf0..=0xff => 4,
        0xe0..=0xef => 3,
        0xc0..=0xdf => 2,
        _ => 1,
    }
}

pub(super) fn record(fields: Vec<(Arc<str>, Value)>) -> Value {
    Value::Record(Arc::new(Record { fields }))
}

/// The DQL value of an export made from matched text: numbers as long or double, times as
/// timestamps, booleans, IP addresses (see [`matchers::ip_value`]), quoted strings without
/// their quotes; everything else as the text itself.
pub fn text_value(
    prog: &Program,
    node: NodeId,
    text: &str,
    start: usize,
    value_start: usize,
    end: usize,
) -> Value {
    let n = &prog.nodes[node as usize];
    let whole = &text[start..end];
    let b = text.as_bytes();
    match &n.kind {
        Kind::Int { hex, .. } => matchers::integer(b, value_start, end, *hex)
            .map_or(Value::Null, |(_, v)| Value::Long(v)),
        Kind::Float { comma, .. } => matchers::double(b, value_start, end, *comma)
            .map_or(Value::Null, |(_, v)| Value::Double(v)),
        Kind::Bool => {
            matchers::boolean(b, value_start, end).map_or(Value::Null, |(_, v)| Value::Bool(v))
        }
        Kind::Ip { v4, v6 } => matchers::ip(text, value_start, end, *v4, *v6)
            .map_or(Value::Null, |(_, a)| matchers::ip_value(a)),
        Kind::Time(f) => f
            .parse(text, value_start, end)
            .map_or(Value::Null, |(_, ns)| Value::Timestamp(ns)),
        Kind::Quoted { csv, .. } => Value::str(&matchers::unquote(whole, *csv)),
        Kind::Lazy(l)
            if l.what == LazyKind::Token
                && whole.starts_with(['"', '\''])
                && whole.len() >= 2
                && whole.ends_with(&whole[..1]) =>
        {
            Value::str(&matchers::unquote(whole, false))
        }
        Kind::Enum { entries, cis } => {
            let part = &text[value_start..end];
            entries
                .iter()
                .filter(|(s, _)| {
                    if *cis {
                        s.eq_ignore_ascii_case(part)
                    } else {
                        &**s == part
                    }
                })
                .map(|(_, v)| Value::Long(*v))
                .next()
                .unwrap_or(Value::Null)
        }
        Kind::Set(set, _) if set.number => whole
            .parse::<i64>()
            .map_or_else(|_| Value::str(whole), Value::Long),
        Kind::Bos | Kind::Eos | Kind::Mos => Value::str(""),
        _ => Value::str(whole),
    }
}
