//! The function catalogue. Every DQL function and operator is ONE [`Function`] declaration,
//! in the file of its family: its name, signature (positional, repeated and named parameters
//! with their types and defaults), a one-line doc, documented examples with their results, how
//! an un-aliased call names its result column, and its implementation. The planner resolves
//! names and checks arity and constant types from the declaration, the executor calls its
//! implementation, `docs/functions.md` is generated from it ([`docs::reference`]) and a test
//! runs every example (`engine/tests/function_docs.rs`).
//!
//! To add a function: add one declaration (with an example and its result) to its family's
//! `FUNCTIONS` list. Nothing else names it.

/// A function's section of Dynatrace's function reference:
/// `dynatrace_docs!("string-functions#lower")`.
macro_rules! dynatrace_docs {
    ($($anchor:tt)+) => {
        concat!(
            "https://docs.dynatrace.com/docs/platform/grail/dynatrace-query-language/functions/",
            $($anchor)+
        )
    };
}

pub mod aggregation;
mod array;
mod array_stats;
mod bitwise;
mod conversion;
pub mod docs;
mod encoding;
mod general;
mod hash;
mod html_entities;
mod iterative;
mod json;
mod math;
mod network;
mod operators;
mod pattern;
mod string;
mod time;
mod uid;
mod vector;

use std::any::Any;
use std::fmt;
use std::sync::Arc;

use crate::value::{Record, Value};
pub use aggregation::{Aggregate, BinEdge, State};
pub use operators::{search_value, term_matches};
pub use string::{matches_phrase, matches_value};

/// A documentation family, one file each (as Dynatrace's function reference groups them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    Operator,
    String,
    General,
    Conversion,
    Array,
    Math,
    Time,
    Network,
    Iterative,
    Aggregation,
    Bitwise,
    Hash,
    Vector,
}

impl Family {
    pub fn title(self) -> &'static str {
        match self {
            Family::Operator => "Operators",
            Family::String => "String functions",
            Family::General => "Boolean, conditional and general functions",
            Family::Conversion => "Conversion and casting functions",
            Family::Array => "Array and creation functions",
            Family::Math => "Mathematical functions",
            Family::Time => "Time functions",
            Family::Network => "Network functions",
            Family::Iterative => "Iterative expressions",
            Family::Aggregation => "Aggregation functions",
            Family::Bitwise => "Bitwise functions",
            Family::Hash => "Hash functions",
            Family::Vector => "Vector distance functions",
        }
    }
}

/// A set of value types: what a parameter accepts or a function returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ty(u16);

impl Ty {
    pub const BOOL: Ty = Ty(1);
    pub const LONG: Ty = Ty(1 << 1);
    pub const DOUBLE: Ty = Ty(1 << 2);
    pub const STRING: Ty = Ty(1 << 3);
    pub const TIMESTAMP: Ty = Ty(1 << 4);
    pub const DURATION: Ty = Ty(1 << 5);
    pub const TIMEFRAME: Ty = Ty(1 << 6);
    pub const ARRAY: Ty = Ty(1 << 7);
    pub const RECORD: Ty = Ty(1 << 8);
    pub const IP: Ty = Ty(1 << 9);
    pub const UID: Ty = Ty(1 << 10);
    pub const BINARY: Ty = Ty(1 << 11);
    pub const NUMBER: Ty = Ty::LONG.or(Ty::DOUBLE);
    pub const ANY: Ty = Ty((1 << 12) - 1);

    pub const fn or(self, other: Ty) -> Ty {
        Ty(self.0 | other.0)
    }

    const NAMES: [(Ty, &'static str); 12] = [
        (Ty::BOOL, "boolean"),
        (Ty::LONG, "long"),
        (Ty::DOUBLE, "double"),
        (Ty::STRING, "string"),
        (Ty::TIMESTAMP, "timestamp"),
        (Ty::DURATION, "duration"),
        (Ty::TIMEFRAME, "timeframe"),
        (Ty::IP, "ip"),
        (Ty::UID, "uid"),
        (Ty::BINARY, "binary"),
        (Ty::ARRAY, "array"),
        (Ty::RECORD, "record"),
    ];

    /// True when a (non-null) value is of one of these types.
    pub fn accepts(self, v: &Value) -> bool {
        let t = match v {
            Value::Null => return true,
            Value::Bool(_) => Ty::BOOL,
            Value::Long(_) => Ty::LONG,
            Value::Double(_) => Ty::DOUBLE,
            Value::Str(_) => Ty::STRING,
            Value::Timestamp(_) => Ty::TIMESTAMP,
            Value::Duration(_) => Ty::DURATION,
            Value::Timeframe(..) => Ty::TIMEFRAME,
            Value::Ip(_) => Ty::IP,
            Value::Uid(_) => Ty::UID,
            Value::Binary(_) => Ty::BINARY,
            Value::Array(_) => Ty::ARRAY,
            Value::Record(_) => Ty::RECORD,
        };
        self.0 & t.0 != 0
    }
}

impl fmt::Display for Ty {
    /// `string`, `long or double`, `any`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if *self == Ty::ANY {
            return f.write_str("any");
        }
        let names: Vec<&str> = Ty::NAMES
            .iter()
            .filter(|(t, _)| self.0 & t.0 != 0)
            .map(|(_, n)| *n)
            .collect();
        match names.split_last() {
            Some((last, [])) => f.write_str(last),
            Some((last, rest)) => write!(f, "{} or {last}", rest.join(", ")),
            None => f.write_str("nothing"),
        }
    }
}

/// Default of a named (optional) parameter.
#[derive(Clone, Copy, Debug)]
pub enum Def {
    Null,
    Bool(bool),
    Long(i64),
    Str(&'static str),
}

impl Def {
    pub fn value(self) -> Value {
        match self {
            Def::Null => Value::Null,
            Def::Bool(b) => Value::Bool(b),
            Def::Long(v) => Value::Long(v),
            Def::Str(s) => Value::str(s),
        }
    }
}

impl fmt::Display for Def {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Def::Null => f.write_str("null"),
            Def::Bool(b) => f.write_str(if *b { "true" } else { "false" }),
            Def::Long(v) => write!(f, "{v}"),
            Def::Str(s) => f.write_str(&crate::syntax::quote::string(s)),
        }
    }
}

/// How a parameter is passed.
#[derive(Clone, Copy, Debug)]
pub enum ParamKind {
    /// Positional and required.
    Required,
    /// Positional, repeated: at least `min` values (a `{ … }` group is spread into them).
    Repeated { min: usize },
    /// Optional, passed by name only (`caseSensitive: false`); the default when absent.
    Named(Def),
}

#[derive(Clone, Copy, Debug)]
pub struct Param {
    pub name: &'static str,
    pub ty: Ty,
    pub kind: ParamKind,
    /// The value must be a constant (`bin(t, 5m)`, not `bin(t, field)`): the planner refuses
    /// an argument that reads fields.
    pub constant: bool,
    /// A constant value must lie in this range (inclusive); the planner refuses another.
    pub range: Option<(f64, f64)>,
}

impl Param {
    /// The same parameter, whose constant values must lie from `lo` to `hi`.
    pub const fn within(self, lo: f64, hi: f64) -> Param {
        Param {
            range: Some((lo, hi)),
            ..self
        }
    }

    /// Whether a constant value is in the declared range: a number's value, a string's length
    /// in characters (anything is, without a range; null too).
    pub fn in_range(&self, v: &Value) -> bool {
        let x = match v {
            Value::Str(s) => Some(s.chars().count() as f64),
            Value::Null => None,
            v => v.as_f64(),
        };
        match (self.range, x) {
            (Some((lo, hi)), Some(x)) => (lo..=hi).contains(&x),
            _ => true,
        }
    }
}

/// A required positional parameter.
pub const fn req(name: &'static str, ty: Ty) -> Param {
    Param {
        name,
        ty,
        kind: ParamKind::Required,
        constant: false,
        range: None,
    }
}

/// A required positional parameter whose value must be a constant.
pub const fn req_const(name: &'static str, ty: Ty) -> Param {
    Param {
        constant: true,
        ..req(name, ty)
    }
}

/// A repeated positional parameter (at least `min` values).
pub const fn many(name: &'static str, ty: Ty, min: usize) -> Param {
    Param {
        name,
        ty,
        kind: ParamKind::Repeated { min },
        constant: false,
        range: None,
    }
}

/// A repeated positional parameter whose values must be constants.
pub const fn many_const(name: &'static str, ty: Ty, min: usize) -> Param {
    Param {
        constant: true,
        ..many(name, ty, min)
    }
}

/// An optional parameter passed by name.
pub const fn named(name: &'static str, ty: Ty, default: Def) -> Param {
    Param {
        name,
        ty,
        kind: ParamKind::Named(default),
        constant: false,
        range: None,
    }
}

/// An optional parameter passed by name whose value must be a constant.
pub const fn named_const(name: &'static str, ty: Ty, default: Def) -> Param {
    Param {
        constant: true,
        ..named(name, ty, default)
    }
}

/// A function's check of its constant arguments when the query is planned ([`Function::check`]):
/// the arguments in the order the implementation receives them, `None` where not constant.
pub type Check = fn(&[Option<&Value>]) -> Result<(), Problem>;

/// What a function's [`Function::check`] finds wrong with a constant argument.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The argument, in the order the implementation receives them.
    pub arg: usize,
    /// *expected X, found Y*.
    pub message: String,
    pub hint: Option<String>,
}

/// A documented example. An expression (`lower("A")`) has the JSON of its value as result; a
/// whole query (starting with `data` or `fetch`) has its rows, one JSON object per line.
#[derive(Clone, Copy, Debug)]
pub struct Example {
    pub query: &'static str,
    pub result: &'static str,
}

pub const fn ex(query: &'static str, result: &'static str) -> Example {
    Example { query, result }
}

impl Example {
    pub fn is_query(&self) -> bool {
        let q = self.query.trim_start();
        q.starts_with("data ") || q.starts_with("fetch ")
    }
}

/// How an un-aliased call names its result column.
#[derive(Clone, Copy, Debug)]
pub enum Naming {
    /// The canonical call text: `lower(a)`, `contains(s, "x", caseSensitive:FALSE)`.
    Call,
    /// Parameters after the first are shown as one group: `in(a, {"x", "y"})`.
    GroupTail,
    /// Named from its constant string arguments (`parse(s, "LONG:result")` is `result`), or
    /// like [`Naming::Call`] when the function gives no name.
    FromConstants(fn(&[Option<&str>]) -> Option<String>),
}

/// What runs a function.
#[derive(Clone, Copy)]
pub enum Imp {
    /// A scalar function of one row's arguments: positional values (repeated ones spread), then
    /// the named parameters in declaration order, defaults filled in. Never panics.
    Scalar(fn(&[Value], &Ctx) -> Value),
    /// An aggregation (`summarize`, `makeTimeseries`).
    Aggregate(Aggregate),
    /// `record(…)`: built by the planner from its named members.
    Record,
    /// `iAny`, `iCollectArray`, `iIndex`: planned with the iterative expression around them.
    Iterative(Iterative),
    /// `lookup([sub-query], …)`: planned with its sub-query.
    Lookup,
    /// `exists(field)`: planned as a test of the field's (or member's) presence.
    Exists,
    /// A scalar function with constant parameters prepared once, when the query is planned
    /// (a pattern compiled): `constant` lists the positional parameters that must be
    /// constants; `prepare` turns their values into a state, or diagnostics whose spans are
    /// byte offsets in the first constant's text; `run` gets the state and one row's arguments
    /// (all of them, constants included). Never panics.
    Prepared {
        constant: &'static [usize],
        prepare: fn(&[Value]) -> Result<Prepared, Vec<crate::diag::Diagnostic>>,
        run: fn(&Prepared, &[Value], &Ctx) -> Value,
    },
}

/// The functions of iterative expressions (`a[]`); see `functions/iterative.rs`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Iterative {
    Any,
    Collect,
    Index,
}

/// What [`Imp::Prepared`] made of a function's constant parameters, kept in the plan with the
/// constant it came from.
#[derive(Clone)]
pub struct Prepared {
    /// The constant's value (what the query wrote).
    pub value: Value,
    pub state: Arc<dyn Any + Send + Sync>,
}

impl Prepared {
    pub fn new(value: Value, state: impl Any + Send + Sync) -> Prepared {
        Prepared {
            value,
            state: Arc::new(state),
        }
    }

    pub fn get<T: Any>(&self) -> Option<&T> {
        self.state.downcast_ref()
    }
}

impl fmt::Debug for Prepared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Prepared({:?})", self.value)
    }
}

/// One DQL function or operator; see the module documentation.
pub struct Function {
    pub name: &'static str,
    pub family: Family,
    pub params: &'static [Param],
    pub returns: Ty,
    /// One line: what it does.
    pub doc: &'static str,
    pub examples: &'static [Example],
    pub naming: Naming,
    /// The section of Dynatrace's documentation this declaration follows: the function's own
    /// anchor (empty for operators, which share a page).
    pub see: &'static str,
    pub imp: Imp,
    /// False for a function whose value changes from call to call with the same arguments
    /// (`random()`): such a call must not be folded into a constant when the query is planned.
    pub deterministic: bool,
    /// Checks the arguments that are constants (the others are `None`) when the query is
    /// planned, so that an unknown time zone or a pattern that cannot be read is an error
    /// (E348) rather than nulls.
    pub check: Option<Check>,
}

impl fmt::Debug for Function {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}

impl PartialEq for Function {
    fn eq(&self, other: &Function) -> bool {
        std::ptr::eq(self, other)
    }
}

/// A function's reference in a plan.
pub type FnRef = &'static Function;

fn null_fn(_: &[Value], _: &Ctx) -> Value {
    Value::Null
}

impl Function {
    /// The base every declaration overrides (`..Function::BASE`).
    pub const BASE: Function = Function {
        name: "",
        family: Family::General,
        params: &[],
        returns: Ty::ANY,
        doc: "",
        examples: &[],
        naming: Naming::Call,
        see: "",
        imp: Imp::Scalar(null_fn),
        deterministic: true,
        check: None,
    };

    /// Positional parameters: (at least, at most); `usize::MAX` when repeated.
    pub fn arity(&self) -> (usize, usize) {
        let mut min = 0;
        let mut max = 0usize;
        for p in self.params {
            match p.kind {
                ParamKind::Required => {
                    min += 1;
                    max = max.saturating_add(1);
                }
                ParamKind::Repeated { min: m } => {
                    min += m;
                    max = usize::MAX;
                }
                ParamKind::Named(_) => {}
            }
        }
        (min, max)
    }

    pub fn positional(&self) -> impl Iterator<Item = &Param> {
        self.params
            .iter()
            .filter(|p| !matches!(p.kind, ParamKind::Named(_)))
    }

    /// Named parameters with their defaults, in the order the implementation receives them.
    pub fn named(&self) -> impl Iterator<Item = (&'static str, Def)> + '_ {
        self.params.iter().filter_map(|p| match p.kind {
            ParamKind::Named(d) => Some((p.name, d)),
            _ => None,
        })
    }

    /// The declaration of the i-th positional argument (repeated parameters cover the rest).
    pub fn positional_param(&self, i: usize) -> Option<&Param> {
        for (k, p) in self.positional().enumerate() {
            if matches!(p.kind, ParamKind::Repeated { .. }) || k == i {
                return Some(p);
            }
        }
        None
    }

    /// The declaration of each of `n` planned arguments (positional ones spread, then every
    /// named parameter in declaration order, as a plan holds them).
    pub fn arg_params(&self, n: usize) -> Vec<&Param> {
        let named: Vec<&Param> = self
            .params
            .iter()
            .filter(|p| matches!(p.kind, ParamKind::Named(_)))
            .collect();
        let positional = n.saturating_sub(named.len());
        (0..positional)
            .filter_map(|i| self.positional_param(i))
            .chain(named)
            .collect()
    }

    pub fn aggregate(&self) -> Option<&Aggregate> {
        match &self.imp {
            Imp::Aggregate(a) => Some(a),
            _ => None,
        }
    }

    pub fn is_aggregation(&self) -> bool {
        matches!(self.imp, Imp::Aggregate(_))
    }

    /// Operators are declared like functions but are not called by name.
    pub fn is_operator(&self) -> bool {
        self.family == Family::Operator
    }

    /// Applies a scalar function to one row's arguments; null for anything else. A prepared
    /// function prepares its constants first (the planner does that once: [`Function::call`]).
    pub fn apply(&self, args: &[Value], ctx: &Ctx) -> Value {
        match self.imp {
            Imp::Scalar(f) => f(args, ctx),
            Imp::Prepared {
                constant,
                prepare,
                run,
            } => {
                let consts: Vec<Value> = constant.iter().map(|&i| at(args, i).clone()).collect();
                match prepare(&consts) {
                    Ok(p) => run(&p, args, ctx),
                    Err(_) => Value::Null,
                }
            }
            _ => Value::Null,
        }
    }

    /// Applies a function with what the planner prepared for it, if anything.
    pub fn call(&self, prepared: Option<&Prepared>, args: &[Value], ctx: &Ctx) -> Value {
        match (self.imp, prepared) {
            (Imp::Prepared { run, .. }, Some(p)) => run(p, args, ctx),
            _ => self.apply(args, ctx),
        }
    }

    /// The signature as the reference shows it: `substring(expression, from:, to:)`.
    pub fn signature(&self) -> String {
        let parts: Vec<String> = self
            .params
            .iter()
            .map(|p| match p.kind {
                ParamKind::Required => p.name.to_string(),
                ParamKind::Repeated { .. } => format!("{}, …", p.name),
                ParamKind::Named(_) => format!("{}:", p.name),
            })
            .collect();
        format!("{}({})", self.name, parts.join(", "))
    }
}

/// Every declaration, family by family.
static FAMILIES: &[&[Function]] = &[
    operators::FUNCTIONS,
    string::FUNCTIONS,
    json::FUNCTIONS,
    general::FUNCTIONS,
    conversion::FUNCTIONS,
    encoding::FUNCTIONS,
    array::FUNCTIONS,
    array_stats::FUNCTIONS,
    vector::FUNCTIONS,
    math::FUNCTIONS,
    time::FUNCTIONS,
    network::FUNCTIONS,
    iterative::FUNCTIONS,
    pattern::FUNCTIONS,
    aggregation::FUNCTIONS,
    aggregation::STATS,
    bitwise::FUNCTIONS,
    hash::FUNCTIONS,
    uid::FUNCTIONS,
];

/// Every function and operator.
pub fn all() -> impl Iterator<Item = &'static Function> {
    FAMILIES.iter().flat_map(|f| f.iter())
}

/// A function by its name, in any case (operators are not found by name).
pub fn lookup(name: &str) -> Option<FnRef> {
    all().find(|f| !f.is_operator() && f.name.eq_ignore_ascii_case(name))
}

/// Names of every function a query can call.
pub fn names() -> impl Iterator<Item = &'static str> {
    all().filter(|f| !f.is_operator()).map(|f| f.name)
}

/// An operator by its symbol (`==`, `and`, `-` for subtraction, `neg` for unary minus).
pub fn operator(symbol: &str) -> FnRef {
    all()
        .find(|f| f.is_operator() && f.name == symbol)
        .unwrap_or_else(|| panic!("no operator {symbol:?} is declared"))
}

/// The catalogue spelling of a function name (`COUNT` → `count`), for column names.
pub fn canonical_name(name: &str) -> Option<&'static str> {
    lookup(name).map(|s| s.name)
}

/// What a scalar function needs besides its arguments.
#[derive(Clone, Copy, Debug)]
pub struct Ctx {
    pub now: i64,
}

/// A new string of about `len` bytes, made only when the run's memory budget has room for it
/// (else null, and the run stops: see `exec::budget`).
fn new_str(len: usize, make: impl FnOnce() -> String) -> Value {
    if crate::exec::budget::charge(len + 16) {
        Value::str(&make())
    } else {
        Value::Null
    }
}

/// A new array of `n` values, made only when the run's memory budget has room for it.
fn new_array(n: usize, make: impl FnOnce() -> Vec<Value>) -> Value {
    if crate::exec::budget::charge(16 + n * std::mem::size_of::<Value>()) {
        Value::Array(make().into())
    } else {
        Value::Null
    }
}

/// The i-th argument, null when absent.
fn at(a: &[Value], i: usize) -> &Value {
    a.get(i).unwrap_or(&Value::Null)
}

fn b(v: bool) -> Value {
    Value::Bool(v)
}

fn long(v: Option<i64>) -> Value {
    v.map_or(Value::Null, Value::Long)
}

pub fn record(fields: Vec<(Arc<str>, Value)>) -> Value {
    Value::Record(Arc::new(Record { fields }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_declarations_complete() {
        let mut seen = std::collections::HashSet::new();
        for f in all() {
            let key = (f.is_operator(), f.name.to_lowercase());
            assert!(seen.insert(key), "{} is declared twice", f.name);
            assert!(!f.doc.is_empty(), "{} has no doc line", f.name);
            assert!(
                f.doc.ends_with('.') && !f.doc.contains('\n'),
                "{}: the doc is one sentence",
                f.name
            );
            if !f.is_operator() {
                assert!(!f.examples.is_empty(), "{} has no example", f.name);
                // The function's own anchor, or that of the section it shares with its
                // siblings (`#encode` for encodeBase16 and encodeBase64).
                let anchor = f.see.rsplit_once('#').map_or("", |(_, a)| a);
                assert!(
                    f.see.starts_with("https://docs.dynatrace.com/")
                        && !anchor.is_empty()
                        && f.name.starts_with(anchor),
                    "{}: `see` is the function's own anchor in Dynatrace's reference",
                    f.name
                );
            }
            // Named parameters come after positional ones; a repeated one is the last positional.
            let kinds: Vec<u8> = f
                .params
                .iter()
                .map(|p| match p.kind {
                    ParamKind::Required => 0,
                    ParamKind::Repeated { .. } => 1,
                    ParamKind::Named(_) => 2,
                })
                .collect();
            assert!(kinds.windows(2).all(|w| w[0] <= w[1]), "{}", f.name);
            assert!(kinds.iter().filter(|&&k| k == 1).count() <= 1, "{}", f.name);
        }
    }

    #[test]
    fn types_print_as_the_docs_write_them() {
        assert_eq!(Ty::STRING.to_string(), "string");
        assert_eq!(Ty::NUMBER.to_string(), "long or double");
        assert_eq!(
            Ty::STRING.or(Ty::ARRAY).or(Ty::LONG).to_string(),
            "long, string or array"
        );
        assert_eq!(Ty::ANY.to_string(), "any");
        assert!(Ty::STRING.accepts(&Value::Null));
        assert!(!Ty::STRING.accepts(&Value::Long(1)));
    }
}
