//! Field statistics over stored events, for the field sidebar: every path inside the events of
//! some rows (members, and array elements as `[]`), how many of the rows have it, and its most
//! frequent values with their counts. One walk over each event's tape words: no values are
//! built except the top ones returned.

use std::collections::HashMap;

use super::intern::Sym;
use super::tape::{payload, tag, ARR, INT, LIT, NUM, OBJ, SHAPED, STR};
use super::Store;
use crate::exec::budget;
use crate::value::Value;

/// Paths deeper than this are not looked into.
pub const MAX_DEPTH: usize = 8;
/// At most this many distinct paths are counted (events with more get the first ones).
pub const MAX_PATHS: usize = 4000;
/// Values counted per path; past it, new values are no longer told apart (`capped`).
pub const MAX_DISTINCT: usize = 100_000;

/// One step of a path found in the events.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PathPart {
    Key(String),
    /// Every element of an array (an iterative `[]`).
    Each,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PathStat {
    pub path: Vec<PathPart>,
    /// Rows with a value here (JSON null included).
    pub present: usize,
    /// Distinct values seen (scalars only; at most [`MAX_DISTINCT`] are told apart).
    pub distinct: usize,
    pub capped: bool,
    /// The most frequent scalar values, most frequent first (ties: first seen first).
    pub top: Vec<(Value, usize)>,
}

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Part {
    Key(Sym),
    Each,
}

/// A scalar's identity: its tape word (strings by symbol, small ints, literals), or a
/// number's value bits.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum ValueKey {
    Word(u32),
    Num(u64),
}

struct Node {
    parent: u32,
    part: Part,
    /// The last row counted, so that a row counts once per path.
    last_row: u32,
    present: usize,
    /// Count and the first word of each value, in order of first appearance.
    values: HashMap<ValueKey, (usize, u32, u32)>,
    capped: bool,
}

struct Walk<'a> {
    store: &'a Store,
    nodes: Vec<Node>,
    index: HashMap<(u32, Part), u32>,
    row: u32,
}

impl Walk<'_> {
    fn child(&mut self, parent: u32, part: Part) -> Option<u32> {
        if let Some(&c) = self.index.get(&(parent, part)) {
            return Some(c);
        }
        if self.nodes.len() >= MAX_PATHS || !budget::charge(128) {
            return None;
        }
        let id = self.nodes.len() as u32;
        self.nodes.push(Node {
            parent,
            part,
            last_row: u32::MAX,
            present: 0,
            values: HashMap::new(),
            capped: false,
        });
        self.index.insert((parent, part), id);
        Some(id)
    }

    fn seen(&mut self, node: u32) {
        let n = &mut self.nodes[node as usize];
        if n.last_row != self.row {
            n.last_row = self.row;
            n.present += 1;
        }
    }

    fn walk(&mut self, pos: usize, node: u32, depth: usize) {
        let d = self.store.doc();
        let words = &self.store.tape.words;
        let w = words[pos];
        match tag(w) {
            SHAPED | OBJ if depth < MAX_DEPTH => {
                let members: Vec<(Sym, usize)> = if tag(w) == SHAPED {
                    let keys = d.key_slice(pos);
                    let mut p = pos + 2;
                    let mut out = Vec::with_capacity(keys.len());
                    for &k in keys {
                        out.push((k, p));
                        p = d.skip(p);
                    }
                    out
                } else {
                    let end = pos + 1 + payload(w) as usize;
                    let mut p = pos + 1;
                    let mut out = Vec::new();
                    while p < end {
                        out.push((Sym(payload(words[p])), p + 1));
                        p = d.skip(p + 1);
                    }
                    out
                };
                for (k, vpos) in members {
                    if let Some(c) = self.child(node, Part::Key(k)) {
                        self.seen(c);
                        self.walk(vpos, c, depth + 1);
                    }
                }
            }
            ARR if depth < MAX_DEPTH => {
                let end = pos + 1 + payload(w) as usize;
                let Some(c) = self.child(node, Part::Each) else {
                    return;
                };
                let mut p = pos + 1;
                while p < end {
                    self.seen(c);
                    self.walk(p, c, depth + 1);
                    p = d.skip(p);
                }
            }
            SHAPED | OBJ | ARR => {}
            t => {
                let key = match t {
                    NUM => ValueKey::Num(match d.scalar(w) {
                        Value::Long(v) => (v as f64).to_bits(),
                        Value::Double(v) => v.to_bits(),
                        _ => 0,
                    }),
                    STR | INT | LIT => ValueKey::Word(w),
                    _ => return,
                };
                let n = &mut self.nodes[node as usize];
                let len = n.values.len();
                if let Some(v) = n.values.get_mut(&key) {
                    v.0 += 1;
                } else if len < MAX_DISTINCT && budget::charge(48) {
                    n.values.insert(key, (1, w, len as u32));
                } else {
                    n.capped = true;
                }
            }
        }
    }
}

impl Store {
    /// Statistics of every path inside the events of `rows`, below `base` (a path into the
    /// event; `[]` for the whole event), in order of first appearance; `top` values per path.
    /// Stops early (with what it has) when the run's budget says so.
    pub fn path_stats(&self, rows: &[u32], base: &[String], top: usize) -> Vec<PathStat> {
        let steps = self.resolve_path(base);
        let mut walk = Walk {
            store: self,
            nodes: vec![Node {
                parent: u32::MAX,
                part: Part::Each,
                last_row: u32::MAX,
                present: 0,
                values: HashMap::new(),
                capped: false,
            }],
            index: HashMap::new(),
            row: 0,
        };
        for (i, &r) in rows.iter().enumerate() {
            if !budget::tick() {
                break;
            }
            walk.row = i as u32;
            if let Some(p) = self.locate(r, &steps) {
                walk.walk(p, 0, 0);
            }
        }
        let d = self.doc();
        let parts = |mut id: u32, nodes: &[Node]| -> Vec<PathPart> {
            let mut out = Vec::new();
            while id != 0 {
                let n = &nodes[id as usize];
                out.push(match n.part {
                    Part::Key(k) => PathPart::Key(self.interner.get(k).to_string()),
                    Part::Each => PathPart::Each,
                });
                id = n.parent;
            }
            out.reverse();
            out
        };
        (1..walk.nodes.len())
            .map(|id| {
                let n = &walk.nodes[id];
                let mut vals: Vec<(usize, u32, u32)> = n.values.values().copied().collect();
                vals.sort_by(|a, b| b.0.cmp(&a.0).then(a.2.cmp(&b.2)));
                PathStat {
                    path: parts(id as u32, &walk.nodes),
                    present: n.present,
                    distinct: n.values.len(),
                    capped: n.capped,
                    top: vals
                        .into_iter()
                        .take(top)
                        .map(|(c, w, _)| (d.scalar(w), c))
                        .collect(),
                }
            })
            .collect()
    }
}
