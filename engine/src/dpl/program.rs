//! The compiled form of a pattern, what [`super::compile`] makes and [`super::engine`] runs:
//! nodes in an arena (one per matcher expression, group or conversion), export names per scope,
//! and the memo slots the engine keeps per LD/DATA/STRING and per character set.

use std::sync::Arc;

use super::matchers::CharSet;
use super::parse::Look;
use super::time::TimeFormat;
use crate::diag::Span;

pub type NodeId = u32;

/// Patterns compiling to more nodes than this (macros can multiply) are refused.
pub const MAX_NODES: usize = 10_000;
/// The largest quantifier maximum accepted.
pub const MAX_REPEAT: u32 = 1 << 20;
/// JSON text longer than this is not matched (Dynatrace's default `maxlen`).
pub const JSON_MAXLEN: usize = 128_000;

/// A compiled pattern: nodes in an arena, the root a sequence.
#[derive(Debug)]
pub struct Program {
    pub nodes: Vec<Node>,
    pub root: NodeId,
    /// Export names per scope: scope 0 is the pattern's own; STRUCTURE, ARRAY and KVP bodies
    /// have their own.
    pub scopes: Vec<Vec<Arc<str>>>,
    /// LD/DATA/STRING nodes, each with a slot for the engine's scan memo.
    pub lazy_slots: usize,
    /// Character sets, each with a slot for the engine's run memo.
    pub run_slots: usize,
}

#[derive(Debug)]
pub struct Node {
    pub kind: Kind,
    /// Repetitions, or (for LD, DATA, quoted strings) bytes, or (ARRAY, KVP) elements.
    pub min: u32,
    pub max: u32,
    pub optional: bool,
    pub look: Option<Look>,
    /// Slot in the enclosing scope's export names.
    pub export: Option<u32>,
    pub span: Span,
}

#[derive(Debug)]
pub enum Kind {
    Seq(Vec<NodeId>),
    Alt(Vec<NodeId>),
    Lit(Box<str>),
    /// A character group or POSIX class; `slot` is its run memo in the engine.
    Set(Box<CharSet>, u32),
    Lazy(Box<Lazy>),
    Quoted {
        quote: u8,
        csv: bool,
    },
    /// Within `min..=max` (INT: 32-bit by default, LONG: 64-bit).
    Int {
        hex: bool,
        min: Option<i64>,
        max: Option<i64>,
    },
    Float {
        comma: bool,
        min: Option<f64>,
        max: Option<f64>,
    },
    Bool,
    Ip {
        v4: bool,
        v6: bool,
    },
    Time(Box<TimeFormat>),
    Uuid,
    Bos,
    Eos,
    Mos,
    Enum {
        entries: Vec<(Box<str>, i64)>,
        cis: bool,
    },
    Json(Box<JsonSpec>),
    JsonArray {
        elem: Option<Conv>,
        maxlen: usize,
    },
    JsonValue {
        conv: Option<Conv>,
        maxlen: usize,
    },
    Struct {
        body: NodeId,
        scope: u32,
    },
    Array {
        body: NodeId,
        scope: u32,
    },
    Kvp {
        body: NodeId,
        scope: u32,
    },
}

impl Kind {
    /// Kinds that read min/max themselves (bytes or elements) instead of being repeated.
    pub fn sized(&self) -> bool {
        matches!(
            self,
            Kind::Lazy(_) | Kind::Quoted { .. } | Kind::Array { .. } | Kind::Kvp { .. }
        )
    }

    /// Kinds whose export is a value they build while matching (not the matched text).
    pub fn builds_value(&self) -> bool {
        matches!(
            self,
            Kind::Json(_)
                | Kind::JsonArray { .. }
                | Kind::JsonValue { .. }
                | Kind::Struct { .. }
                | Kind::Array { .. }
                | Kind::Kvp { .. }
        )
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LazyKind {
    /// LD: stops at a line feed.
    Line,
    /// DATA: crosses lines.
    Data,
    /// STRING: a quoted string, or characters up to whitespace.
    Token,
}

#[derive(Debug)]
pub struct Lazy {
    pub what: LazyKind,
    /// The matchers after it, up to and including the first that cannot match empty text.
    pub follow: Vec<NodeId>,
    /// The chain ends in a matcher that cannot match empty text (else: stop where the chain
    /// matches something).
    pub required: bool,
    /// The chain starts with a literal: candidates are found by searching for it.
    pub first_lit: Option<Box<str>>,
    pub slot: u32,
}

/// A conversion of a JSON value by a matcher (JSON members, typed arrays and values).
#[derive(Clone, Copy, Debug)]
pub struct Conv {
    pub node: NodeId,
    /// `INT[]`, `LONG[][]`: array levels around the element type.
    pub dims: u8,
}

#[derive(Debug)]
pub struct JsonSpec {
    /// `JSON{ … }`; none: the whole object as it is.
    pub members: Option<Vec<Member>>,
    pub greedy: Option<Arc<str>>,
    pub flat: bool,
    pub maxlen: usize,
    /// Output field names, in order (flat members expanded, the greedy record last).
    pub fields: Vec<Arc<str>>,
    /// With `flat=true`: each field's slot in the enclosing scope.
    pub flat_slots: Vec<u32>,
}

#[derive(Debug)]
pub struct Member {
    pub name: Arc<str>,
    /// Exported under this name; `None` with the alias `null` (left out).
    pub out: Option<Arc<str>>,
    /// `STRING+:name`: the JSON matcher fails without it.
    pub mandatory: bool,
    pub conv: Conv,
    /// A nested `JSON{…}(flat=true)`: its fields join this object's.
    pub flat: bool,
}
