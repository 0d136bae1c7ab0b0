//! Which events' JSON text (`content`) can contain a piece of text, found without rebuilding the
//! text: a pattern over `content` that must match a literal (`LD ':secret:' STRING:id`) only
//! needs the text of the events that hold it. Exact, not a guess: a literal with no `"`, `\` or
//! control character, and with a character that JSON only writes inside strings (a letter
//! other than those of `true`/`false`/`null`/exponents, `/`, `:`… see [`TextFilter::new`]),
//! occurs in the text exactly where it occurs in a string's escaped form (a member name or a
//! value), so each distinct string is checked once.

use super::intern::Sym;
use super::tape::{payload, tag, OBJ, SHAPED, STR};
use super::Store;
use crate::value::write_json_string_bytes;

/// The characters compact JSON writes outside strings.
const OUTSIDE: &str = "{}[]:,0123456789+-.eEtrufalsn";

/// A literal to look for, and what is known of each string and shape so far.
pub struct TextFilter {
    literal: Vec<u8>,
    /// Per symbol: 0 not looked at, 1 no, 2 yes.
    syms: Vec<u8>,
    /// Per shape (its member names): the same.
    shapes: Vec<u8>,
    scratch: Vec<u8>,
}

impl TextFilter {
    /// A filter for `literal`, or `None` when the literal could also occur outside strings
    /// (then every event must be read).
    pub fn new(store: &Store, literal: &str) -> Option<TextFilter> {
        let inside_only = !literal.is_empty()
            && !literal
                .chars()
                .any(|c| c == '"' || c == '\\' || c.is_control())
            && literal.chars().any(|c| !OUTSIDE.contains(c));
        inside_only.then(|| TextFilter {
            literal: literal.as_bytes().to_vec(),
            syms: vec![0; store.interner.len()],
            shapes: vec![0; store.tape.shapes.len()],
            scratch: Vec::new(),
        })
    }

    fn sym(&mut self, store: &Store, s: Sym) -> bool {
        let i = s.0 as usize;
        match self.syms.get(i) {
            Some(1) => false,
            Some(2) => true,
            Some(_) => {
                self.scratch.clear();
                write_json_string_bytes(&mut self.scratch, store.interner.bytes(s));
                let yes = contains(&self.scratch, &self.literal);
                self.syms[i] = if yes { 2 } else { 1 };
                yes
            }
            // A symbol made after the filter (none are): look.
            None => true,
        }
    }

    /// Whether the event of `row`, written as JSON text, can contain the literal (exact for
    /// events whose objects all have shapes; otherwise true).
    pub fn may_contain(&mut self, store: &Store, row: u32) -> bool {
        self.check(store, row) != Some(false)
    }

    /// Whether the event of `row`, written as JSON text, contains the literal: `None` when an
    /// object without a shape keeps it from telling (then read the text).
    pub fn check(&mut self, store: &Store, row: u32) -> Option<bool> {
        let words = &store.tape.words;
        let start = store.doc[row as usize] as usize;
        let end = store.doc().skip(start);
        // Word by word, into every object and array (a shaped object's second word is its
        // body length, not a value).
        let mut p = start;
        let mut unknown = false;
        while p < end {
            let w = words[p];
            let (found, step) = match tag(w) {
                STR => (self.sym(store, Sym(payload(w))), 1),
                SHAPED => {
                    let id = payload(w) as usize;
                    let yes = match self.shapes.get(id).copied() {
                        Some(1) => false,
                        Some(2) => true,
                        Some(_) => {
                            let keys = &store.tape.shapes[id];
                            let yes = keys.iter().any(|&k| self.sym(store, k));
                            self.shapes[id] = if yes { 2 } else { 1 };
                            yes
                        }
                        None => true,
                    };
                    (yes, 2)
                }
                // Objects without a shape (keys between the values): cannot tell, read it.
                OBJ => {
                    unknown |= payload(w) > 0;
                    (false, 1)
                }
                _ => (false, 1),
            };
            if found {
                return Some(true);
            }
            p += step;
        }
        (!unknown).then_some(false)
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || hay.windows(needle.len()).any(|w| w == needle)
}
