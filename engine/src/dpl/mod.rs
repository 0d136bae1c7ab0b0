//! DPL, the Dynatrace Pattern Language: patterns for `parse` and the pattern functions
//! (`matchesPattern`, `replacePattern`, `splitByPattern`, `parse()`, `parseAll()`). A pattern
//! is compiled once per query ([`Pattern::compile`]: `lex.rs` → `parse.rs` → `compile.rs`) and
//! matched per record (`engine.rs`, composite matchers and JSON in `engine/composite.rs`); the
//! matcher set is in `matchers.rs`, times in `time.rs`, the compiled form in `program.rs`.
//!
//! ```
//! use trailscope_engine::{dpl::Pattern, Value};
//! let p = Pattern::compile("LD ':secret:' STRING:secretId").unwrap();
//! let text = "… on resource: arn:aws:secretsmanager:eu-west-1:444455556666:secret:backup/restic because …";
//! assert_eq!(p.parse(text), Some(vec![Value::str("backup/restic")]));
//! ```
//!
//! # Matching algorithm
//!
//! Matching is ordered, committed choice (a parsing expression grammar), which is how
//! Dynatrace's documentation describes its engine: matchers apply left to right from the
//! current position; a quantified matcher repeats as often as it can and keeps what it took
//! (`[a-z]+` never gives a letter back); an alternatives group `(a | b)` takes its first
//! alternative that matches; a sequence that fails drops the exports made inside it, and the
//! enclosing optional `?` or alternatives group decides what happens next. LD, DATA and STRING
//! are lazy: from the fewest bytes they may take, they grow one character at a time until their
//! *follow chain* matches — the matchers after them in the pattern, up to and including the
//! first that cannot match empty text ("any characters until the next non-optional matcher") —
//! and then stop there for good: when what follows fails later, they are not re-extended
//! (Dynatrace's documented `DATA:record EOL EOL` behaviour). LD stops at a line feed, STRING
//! at whitespace, all three at their maximum (4096 bytes by default).
//!
//! `parse` matches from the start of the text and allows text after the match;
//! `matchesPattern` wants the whole text; the search functions try each start position in
//! turn and continue after each match.
//!
//! # Bound
//!
//! Committed choice cannot backtrack into an earlier success, but without more care it can
//! still re-read text many times: an LD retries its follow chain at every position, and a
//! search function starts a new attempt at every position. Three rules keep it linear:
//!
//! 1. **Every unit of work is a step**: each matcher call, each byte a scanner reads, each
//!    position an LD tries. One record (all attempts on one text together) may take at most
//!    [`STEP_BASE`] + [`STEP_PER_BYTE`] × its length in bytes; past that the attempt gives up
//!    (no match: the exports are null), and the query gets one notice saying how many records
//!    a pattern gave up on. No pattern can make one record cost more than that (plus the one
//!    scan that crossed it, at most the text's length), which the property tests check on
//!    random patterns and texts.
//! 2. **LD scans are remembered** per LD node for the whole text: the positions known not to
//!    end it, and where it ended. A later scan of the same LD from a position inside that range
//!    continues where the last one stopped, so over a whole search each LD looks at each
//!    position once. When its follow chain starts with a literal, the scan jumps to the next
//!    occurrence of that literal (substring search) instead of probing each position.
//! 3. **Recursion follows the pattern, not the text**: groups nest at most 32 deep, repetition
//!    is a loop, and a depth guard stops long LD-probes-LD chains.
//!
//! With these, a pattern of k matchers costs O(k × n) steps on n bytes for the patterns users
//! write (literals, numbers, LDs separated by literals, groups, JSON); `engine/src/dpl/tests.rs`
//! checks the documented patterns stay within a small multiple of n. A pathological pattern
//! (alternatives that fail late inside repeated groups, nested quantified LDs) reaches the
//! budget and gives up on that record instead of hanging the query.

mod compile;
mod engine;
mod lex;
mod matchers;
mod parse;
mod program;
mod time;

#[cfg(test)]
mod tests;

use std::cell::Cell;
use std::sync::Arc;

use crate::diag::{Diagnostic, Span};
use crate::value::Value;
use compile::Compiler;
use engine::Run;
use program::{Kind, Program};

/// Steps every record may take, whatever its length.
pub const STEP_BASE: u64 = 20_000;
/// Steps per byte of text a record may take on top of [`STEP_BASE`].
pub const STEP_PER_BYTE: u64 = 200;

/// The step budget of one record of `len` bytes.
pub fn step_limit(len: usize) -> u64 {
    STEP_BASE + STEP_PER_BYTE * len as u64
}

thread_local! {
    /// Records a pattern gave up on since the last [`take_gave_up`].
    static GAVE_UP: Cell<u64> = const { Cell::new(0) };
}

/// How many records patterns gave up on (over their step budget) since the last call; resets.
pub fn take_gave_up() -> u64 {
    GAVE_UP.with(|g| g.replace(0))
}

fn count_gave_up() {
    GAVE_UP.with(|g| g.set(g.get() + 1));
}

/// What one match cost.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Cost {
    pub steps: u64,
    pub limit: u64,
    pub gave_up: bool,
}

/// A compiled pattern.
#[derive(Debug)]
pub struct Pattern {
    source: String,
    prog: Program,
}

impl Pattern {
    /// Compiles pattern text. Errors (code E319) have spans in the pattern text.
    pub fn compile(src: &str) -> Result<Pattern, Vec<Diagnostic>> {
        let grammar = parse::Grammar {
            takes_unnamed: matchers::takes_unnamed,
            takes_body: matchers::takes_body,
        };
        let (ast, mut diags) = parse::parse(src, grammar);
        if !diags.is_empty() {
            return Err(diags);
        }
        let mut c = Compiler::new();
        for m in &ast.macros {
            c.define(&m.name, &m.items, m.span);
        }
        let (prog, mut more) = c.finish(&ast.items, Span::new(0, src.len()));
        diags.append(&mut more);
        match prog {
            Some(prog) if diags.is_empty() => Ok(Pattern {
                source: src.to_string(),
                prog,
            }),
            _ => {
                diags.sort_by_key(|d| (d.span.start, d.span.end));
                Err(diags)
            }
        }
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    /// The names the pattern exports, in order of first appearance: the fields `parse` adds.
    pub fn exports(&self) -> &[Arc<str>] {
        &self.prog.scopes[0]
    }

    /// Literals every match must contain: those of the pattern's top-level sequence (not
    /// optional, repeated at least once, no lookaround, not inside an alternative). A text
    /// without one of them cannot match, so `parse content, …` skips rebuilding such events.
    pub fn required_literals(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.required(self.prog.root, &mut out);
        out
    }

    fn required<'a>(&'a self, id: program::NodeId, out: &mut Vec<&'a str>) {
        let n = &self.prog.nodes[id as usize];
        if n.optional || n.min == 0 || n.look.is_some() {
            return;
        }
        match &n.kind {
            Kind::Lit(s) if !s.is_empty() => out.push(s),
            Kind::Seq(children) => {
                for &c in children {
                    self.required(c, out);
                }
            }
            _ => {}
        }
    }

    /// `JSON:name` alone (any case, `JSON_OBJECT` too, no members or configuration): the name.
    /// The executor reads stored events for it without parsing their text.
    pub fn single_json_export(&self) -> Option<&Arc<str>> {
        let Kind::Seq(items) = &self.prog.nodes[self.prog.root as usize].kind else {
            return None;
        };
        let [one] = items.as_slice() else {
            return None;
        };
        let n = &self.prog.nodes[*one as usize];
        match &n.kind {
            Kind::Json(spec)
                if spec.members.is_none()
                    && !spec.flat
                    && spec.maxlen == program::JSON_MAXLEN
                    && n.min == 1
                    && n.max == 1
                    && !n.optional
                    && n.look.is_none() =>
            {
                n.export.map(|s| &self.prog.scopes[0][s as usize])
            }
            _ => None,
        }
    }

    /// Matches at the start of `text` (text after the match is allowed): the exports' values
    /// in [`Pattern::exports`] order (null for those that did not take part), or `None`.
    pub fn parse(&self, text: &str) -> Option<Vec<Value>> {
        self.parse_counted(text).0
    }

    /// [`Pattern::parse`] with what it cost.
    pub fn parse_counted(&self, text: &str) -> (Option<Vec<Value>>, Cost) {
        let mut run = Run::new(&self.prog, text, step_limit(text.len()));
        let out = run.root(0).map(|_| run.values(0, self.exports().len()));
        (out, self.finish(&run))
    }

    /// Whether the pattern matches all of `text`; `None` when it gave up.
    pub fn matches(&self, text: &str) -> Option<bool> {
        let mut run = Run::new(&self.prog, text, step_limit(text.len()));
        let ok = run.root(0) == Some(text.len());
        (!self.finish(&run).gave_up).then_some(ok)
    }

    /// Every non-overlapping match, left to right: `f(start, end, exports)`. False when the
    /// search gave up (the matches found so far were reported).
    pub fn find_all(&self, text: &str, mut f: impl FnMut(usize, usize, Vec<Value>)) -> bool {
        let n = self.exports().len();
        !self
            .find_all_counted(text, |s, e, run: &Run| f(s, e, run.values(0, n)))
            .gave_up
    }

    /// Every non-overlapping match's span (exports are not converted).
    pub fn find_spans(&self, text: &str, mut f: impl FnMut(usize, usize)) -> bool {
        !self.find_all_counted(text, |s, e, _| f(s, e)).gave_up
    }

    fn find_all_counted(&self, text: &str, mut f: impl FnMut(usize, usize, &Run)) -> Cost {
        let mut run = Run::new(&self.prog, text, step_limit(text.len()));
        let mut p = 0;
        while p <= text.len() {
            match run.root(p) {
                Some(e) if e > p => {
                    f(p, e, &run);
                    p = e;
                }
                _ => {
                    if run.gave_up {
                        break;
                    }
                    match text[p..].chars().next() {
                        Some(c) => p += c.len_utf8(),
                        None => break,
                    }
                }
            }
        }
        self.finish(&run)
    }

    fn finish(&self, run: &Run) -> Cost {
        if run.gave_up {
            count_gave_up();
        }
        Cost {
            steps: run.steps,
            limit: run.limit,
            gave_up: run.gave_up,
        }
    }
}

/// Test hook: the cost of a search over `text` (all start positions), for the property tests.
#[doc(hidden)]
pub fn search_cost(p: &Pattern, text: &str) -> Cost {
    p.find_all_counted(text, |_, _, _| {})
}
