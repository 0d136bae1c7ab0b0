//! Planner: syntax tree → [`Plan`]. Resolves commands, parameters, functions and field names,
//! folds constants (time frames, `limit`), and reports every problem with "did you mean" hints.
//! The plan says *what* to compute; `exec` decides how. [`Plan`] prints itself (`EXPLAIN`,
//! `trailscope query --explain`), so golden files can show what the planner decided.
//!
//! One module per command family, as Dynatrace's reference groups them: [`source`] (`fetch`,
//! `data`), [`filtering`] (`filter`, `filterOut`, `dedup`, `search`), [`selection`] (`fields…`),
//! [`ordering`] (`sort`, `limit`), [`extraction`] (`parse`), [`aggregation`] (`summarize`,
//! `makeTimeseries`, `fieldsSummary`), [`structuring`] (`expand`, `fieldsFlatten`),
//! [`correlation`] (`append`, `lookup`, `join`, `joinNested`: commands with a sub-query);
//! expressions in [`expr`] (calendar durations in [`calendar`]); the command catalogue in
//! [`commands`].

mod aggregation;
mod calendar;
pub mod commands;
mod correlation;
mod explain;
mod expr;
mod extraction;
mod filtering;
mod ordering;
mod selection;
mod source;
mod structuring;

use std::collections::HashSet;
use std::sync::Arc;

use crate::diag::{did_you_mean, Code, Diagnostic, Span};
use crate::functions::{self, FnRef, Naming};
use crate::syntax::ast::{self, Arg, ArgValue, Expr};
use crate::time::Unit;
use crate::value::Value;
use commands::{Cmd, COMMANDS, NOT_YET};
pub use expr::{align_value, eval_const};
pub use selection::field_matches;

/// An expression with names resolved.
#[derive(Clone, Debug)]
pub enum PExpr {
    Const(Value),
    Field(Arc<str>),
    Member(Box<PExpr>, PKey),
    /// A scalar function or operator and its arguments (positional, then named in declaration
    /// order with defaults filled in).
    Call(FnRef, Vec<PExpr>),
    Record(Vec<(Arc<str>, PExpr)>),
    /// `base@unit`; no base means `now()`.
    Align(Option<Box<PExpr>>, Unit, i64, Option<u32>),
    /// The result of aggregation number N (inside `summarize` expressions).
    Agg(usize),
    /// `search "term"`: true if the term matches a value in any field (or a member name
    /// inside a record), as `~` matches one value.
    SearchAll(Arc<str>),
    /// `lookup([sub-query], sourceField:, lookupField:)`: the first sub-query record whose `key`
    /// equals `source`, as a record (null if none).
    Lookup {
        table: Box<Plan>,
        source: Box<PExpr>,
        key: Box<PExpr>,
    },
    /// `value in [sub-query]`: the sub-query runs once; its one field's values are the set.
    InSet(Box<PExpr>, Box<Plan>),
    /// An iterative expression: `body` runs once per element of the `arrays` (which must be
    /// equally long), reading element k as [`PExpr::Element`] and its position as
    /// [`PExpr::IterIndex`]; `any` makes it `iAny`, else `iCollectArray`.
    Iterate {
        any: bool,
        arrays: Vec<PExpr>,
        body: Box<PExpr>,
    },
    /// Inside an iterative body: the current element of array k (the array, for `EXPLAIN`).
    Element(usize, Box<PExpr>),
    IterIndex,
    /// `exists(path)`: true where the record has the field (`PExpr::Field`) or the member path
    /// (`PExpr::Member`s over a field), even when the value there is null.
    Exists(Box<PExpr>),
    /// A constant argument prepared once for its function (a compiled pattern): evaluates to
    /// the constant; the call that holds it runs with what was prepared.
    Compiled(functions::Prepared),
}

#[derive(Clone, Debug, PartialEq)]
pub enum PKey {
    Name(Arc<str>),
    Index(i64),
}

#[derive(Clone, Debug)]
pub struct AggCall {
    /// An aggregation function (its declaration holds an `Imp::Aggregate`).
    pub func: FnRef,
    /// Every parameter in declaration order, as for a scalar call: positional ones (repeated
    /// ones spread), then each named one (its default when absent). Parameters declared
    /// constant are `PExpr::Const`; see [`AggCall::split`].
    pub args: Vec<PExpr>,
    /// makeTimeseries `default:` for empty bins.
    pub default: Option<Value>,
    /// makeTimeseries `rate:`: each bin's value is scaled to this duration (value / interval ×
    /// rate).
    pub rate: Option<i64>,
    /// makeTimeseries `scalar: true`: one value over the whole time frame instead of a series.
    pub scalar: bool,
    /// `sum(a[])`: the per-record argument is an array (the iteration collected) and the
    /// aggregation runs once per array position; the result is the array of those results.
    pub elementwise: bool,
}

impl AggCall {
    /// The per-record arguments and the constant parameters' values, each in declaration
    /// order (what `Aggregate::update` and `init`/`finish` receive).
    pub fn split(&self) -> (Vec<&PExpr>, Vec<Value>) {
        let mut inputs = Vec::new();
        let mut consts = Vec::new();
        for (p, a) in self.func.arg_params(self.args.len()).iter().zip(&self.args) {
            match a {
                PExpr::Const(v) if p.constant => consts.push(v.clone()),
                a => inputs.push(a),
            }
        }
        (inputs, consts)
    }
}

#[derive(Clone, Debug)]
pub struct SortKey {
    pub expr: PExpr,
    pub descending: bool,
}

/// The pattern of a `parse` command.
#[derive(Clone, Debug)]
pub enum Dpl {
    /// `JSON:name`: the whole input parsed as a JSON object (the stored `content` is not parsed
    /// at all: `name` becomes the stored event).
    Json(Arc<str>),
    /// Any other pattern, compiled.
    Pattern(Arc<crate::dpl::Pattern>),
}

impl Dpl {
    /// The fields `parse` sets, in order.
    pub fn exports(&self) -> Vec<Arc<str>> {
        match self {
            Dpl::Json(name) => vec![name.clone()],
            Dpl::Pattern(p) => p.exports().to_vec(),
        }
    }
}

#[derive(Clone, Debug)]
pub enum Source {
    Logs {
        from: Option<i64>,
        to: Option<i64>,
        buckets: Vec<String>,
    },
    Data(Vec<Vec<(Arc<str>, Value)>>),
}

#[derive(Clone, Debug)]
pub enum Op {
    Filter(PExpr),
    /// `search`: a filter whose bare strings are [`PExpr::SearchAll`].
    Search(PExpr),
    FilterOut(PExpr),
    Fields(Vec<(Arc<str>, PExpr)>),
    FieldsAdd(Vec<(Arc<str>, PExpr)>),
    FieldsKeep(Vec<String>),
    FieldsRemove(Vec<String>),
    FieldsRename(Vec<(Arc<str>, Arc<str>)>),
    Sort(Vec<SortKey>),
    Limit(usize),
    Dedup {
        keys: Vec<PExpr>,
        sort: Vec<SortKey>,
    },
    Parse {
        input: PExpr,
        pattern: Dpl,
        preserve: bool,
        /// `parsingPrerequisite:`: records where it is not true are not parsed.
        prerequisite: Option<PExpr>,
    },
    Summarize {
        by: Vec<(Arc<str>, PExpr)>,
        aggs: Vec<AggCall>,
        outputs: Vec<(Arc<str>, PExpr)>,
    },
    MakeTimeseries(Timeseries),
    /// `expand [name =] array, limit:` (the field `name` gets each element).
    Expand {
        name: Arc<str>,
        array: PExpr,
        limit: Option<usize>,
    },
    /// `fieldsFlatten record` adds `(name, path)` per member to flatten, found per record:
    /// `prefix` + member path joined with `.`, down to `depth`; or the `fields:` chosen.
    FieldsFlatten {
        record: PExpr,
        prefix: Arc<str>,
        depth: usize,
        fields: Option<Vec<MemberPath>>,
    },
    FieldsSummary {
        fields: Vec<(Arc<str>, PExpr)>,
        top: usize,
    },
    Append(Box<Plan>),
    /// `lookup`: per record, the first sub-query record whose `key` equals `source`.
    Lookup {
        table: Box<Plan>,
        source: PExpr,
        /// Evaluated over the sub-query's records.
        key: PExpr,
        prefix: Arc<str>,
        /// The sub-query fields to add (output name, expression over the sub-query's records);
        /// `None`: all of them.
        fields: Option<Vec<(Arc<str>, PExpr)>>,
    },
    Join {
        table: Box<Plan>,
        kind: JoinKind,
        /// Left and right key expressions of each `on:` equality.
        on: Vec<(PExpr, PExpr)>,
        /// Put before every added field's name (`right.` unless `fields:` chooses them).
        prefix: Arc<str>,
        fields: Option<Vec<(Arc<str>, PExpr)>>,
    },
    JoinNested {
        table: Box<Plan>,
        name: Arc<str>,
        on: Vec<(PExpr, PExpr)>,
        /// The members of each nested record; `None`: all fields of the sub-query.
        fields: Option<Vec<(Arc<str>, PExpr)>>,
    },
}

/// Expressions with the names of the fields they become.
pub type NamedExprs = Vec<(Arc<str>, PExpr)>;

/// A member of a record to take out (`fieldsFlatten …, fields: { name = a[b] }`): the output
/// name and the member names leading to it.
pub type MemberPath = (Arc<str>, Vec<Arc<str>>);

/// How `join` combines records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JoinKind {
    Inner,
    LeftOuter,
    Outer,
}

#[derive(Clone, Debug)]
pub struct Timeseries {
    pub by: Vec<(Arc<str>, PExpr)>,
    pub aggs: Vec<(Arc<str>, AggCall)>,
    pub interval: Option<i64>,
    pub bins: Option<i64>,
    pub from: Option<i64>,
    pub to: Option<i64>,
    pub time: PExpr,
    /// `spread:`: a timeframe per record; the record counts in every bin it overlaps.
    pub spread: Option<PExpr>,
    pub nonempty: bool,
}

#[derive(Clone, Debug)]
pub struct Plan {
    pub source: Source,
    pub ops: Vec<Op>,
    /// The query text of each op's command, for errors that happen while running it.
    pub spans: Vec<Span>,
}

/// What the planner knows about the data, for names and hints.
pub struct PlanCtx<'a> {
    pub now: i64,
    /// Top-level members seen in loaded events (`eventName`, …).
    pub event_keys: &'a [String],
}

/// The fields a pipeline stage has. `open` means more fields may exist (log records).
#[derive(Clone)]
struct Schema {
    fields: Vec<String>,
    open: bool,
    /// Fields that hold parsed CloudTrail events (for member-name hints).
    events: HashSet<String>,
}

impl Schema {
    fn closed(fields: Vec<String>) -> Schema {
        Schema {
            fields,
            open: false,
            events: HashSet::new(),
        }
    }
}

pub fn plan(query: &ast::Query, ctx: &PlanCtx) -> (Option<Plan>, Vec<Diagnostic>) {
    let mut p = Planner {
        ctx,
        diags: Vec::new(),
        schema: Schema::closed(Vec::new()),
        slots: None,
        iter: None,
    };
    let plan = p.query(query);
    let ok = !p.diags.iter().any(Diagnostic::is_error);
    (plan.filter(|_| ok), p.diags)
}

/// The fields a pipeline ends with, as far as the planner can tell (errors are ignored): for
/// completing field names at the next command. `open` when log records may hold more; `events`
/// are the fields that hold parsed CloudTrail events (whose members complete from the data).
pub struct Fields {
    pub names: Vec<String>,
    pub open: bool,
    pub events: Vec<String>,
}

pub fn fields_after(query: &ast::Query, ctx: &PlanCtx) -> Fields {
    let mut p = Planner {
        ctx,
        diags: Vec::new(),
        schema: Schema::closed(Vec::new()),
        slots: None,
        iter: None,
    };
    let _ = p.query(query);
    let mut events: Vec<String> = p.schema.events.into_iter().collect();
    events.sort();
    Fields {
        names: p.schema.fields,
        open: p.schema.open,
        events,
    }
}

struct Planner<'a> {
    ctx: &'a PlanCtx<'a>,
    diags: Vec<Diagnostic>,
    schema: Schema,
    /// Inside `summarize`: the aggregation calls met so far (an expression reads slot N).
    slots: Option<Vec<AggCall>>,
    /// Inside an iterative expression: the arrays its `[]` iterate over so far.
    iter: Option<Vec<PExpr>>,
}

/// A command's arguments, split into positional and named.
struct Params<'a> {
    positional: Vec<&'a Arg>,
    named: Vec<(&'a ast::Ident, &'a Arg)>,
}

impl Params<'_> {
    fn has(&self, name: &str) -> bool {
        self.named.iter().any(|(i, _)| i.name == name)
    }
}

impl<'a> Planner<'a> {
    fn err(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    fn query(&mut self, q: &ast::Query) -> Option<Plan> {
        let first = q.commands.first()?;
        let decl = commands::lookup(&first.name.name);
        let source = match decl.map(|d| d.cmd) {
            Some(Cmd::Fetch | Cmd::Data) if first.broken => None,
            Some(Cmd::Fetch) => self.fetch(first),
            Some(Cmd::Data) => self.data(first),
            Some(_) => {
                self.err(
                    Diagnostic::error(
                        Code::E301,
                        first.name.span,
                        format!(
                            "expected a starting command such as `fetch logs`, found `{}`",
                            first.name.name
                        ),
                    )
                    .with_label("a query starts with `fetch` or `data`")
                    .with_hint("start with: fetch logs"),
                );
                None
            }
            None => {
                let d = unknown_command(&first.name);
                self.err(d);
                None
            }
        };
        let mut ops = Vec::new();
        let mut spans = Vec::new();
        for c in &q.commands[1..] {
            if let Some(op) = self.command(c) {
                ops.push(op);
                spans.push(c.span);
            }
        }
        Some(Plan {
            source: source?,
            ops,
            spans,
        })
    }

    fn command(&mut self, c: &ast::Command) -> Option<Op> {
        let Some(decl) = commands::lookup(&c.name.name) else {
            let d = unknown_command(&c.name);
            self.err(d);
            return None;
        };
        if c.broken {
            return None;
        }
        if decl.cmd.is_source() {
            self.err(Diagnostic::error(Code::E301, c.name.span, format!("expected a processing command such as `filter`, found the starting command `{}`", decl.name)).with_label("only the first command may load data"));
            return None;
        }
        let p = self.params(&c.args, decl.params, decl.name);
        match decl.cmd {
            Cmd::Fetch | Cmd::Data => None,
            Cmd::Filter => self.filter(c, &p, false),
            Cmd::FilterOut => self.filter(c, &p, true),
            Cmd::Dedup => self.dedup(c, &p),
            Cmd::Fields => self.fields(c, &p, false),
            Cmd::FieldsAdd => self.fields(c, &p, true),
            Cmd::FieldsKeep => self.fields_keep(c, &p, true),
            Cmd::FieldsRemove => self.fields_keep(c, &p, false),
            Cmd::FieldsRename => self.fields_rename(&p),
            Cmd::Sort => self.sort(c, &p),
            Cmd::Limit => self.limit(c, &p),
            Cmd::Parse => self.parse_cmd(c, &p),
            Cmd::Summarize => self.summarize(c, &p),
            Cmd::MakeTimeseries => self.make_timeseries(c, &p),
            Cmd::Search => self.search(c, &p),
            Cmd::Expand => self.expand(c, &p),
            Cmd::FieldsFlatten => self.fields_flatten(c, &p),
            Cmd::FieldsSummary => self.fields_summary(c, &p),
            Cmd::Append => self.append(c, &p),
            Cmd::Lookup => self.lookup(c, &p),
            Cmd::Join => self.join(c, &p),
            Cmd::JoinNested => self.join_nested(c, &p),
        }
    }

    /// Splits a command's arguments into positional and named; unknown names are errors.
    fn params<'b>(&mut self, args: &'b [Arg], allowed: &[&str], cmd: &str) -> Params<'b> {
        let mut out = Params {
            positional: Vec::new(),
            named: Vec::new(),
        };
        for a in args {
            match &a.param {
                Some(p) => {
                    if allowed.contains(&p.name.as_str()) {
                        out.named.push((p, a));
                    } else {
                        let mut d = Diagnostic::error(
                            Code::E303,
                            p.span,
                            format!(
                                "expected a parameter of `{cmd}`, found unknown parameter `{}`",
                                p.name
                            ),
                        )
                        .with_label("unknown parameter");
                        if let Some(s) = did_you_mean(&p.name, allowed.iter().copied()) {
                            d = d.with_hint(format!("did you mean `{s}:`?"));
                        } else if !allowed.is_empty() {
                            d = d.with_hint(format!(
                                "`{cmd}` takes: {}",
                                allowed
                                    .iter()
                                    .map(|a| format!("{a}:"))
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ));
                        }
                        self.err(d);
                    }
                }
                None => out.positional.push(a),
            }
        }
        out
    }

    /// The one positional expression a command takes (`filter`, `limit`).
    fn single_expr<'b>(
        &mut self,
        p: &Params<'b>,
        c: &ast::Command,
        what: &str,
    ) -> Option<&'b Expr> {
        if p.positional.len() > 1 {
            self.err(Diagnostic::error(
                Code::E315,
                p.positional[1].span,
                format!(
                    "expected one parameter for `{}`, found {}",
                    c.name.name,
                    p.positional.len()
                ),
            ));
        }
        match p.positional.first() {
            Some(a) => match (&a.value, &a.alias) {
                (ArgValue::Expr(e), None) => Some(e),
                (ArgValue::Expr(_), Some(al)) if what == "a condition" => {
                    self.err(
                        Diagnostic::error(
                            Code::E205,
                            al.span.to(a.span),
                            "expected `==` to compare, found `=`",
                        )
                        .with_label("`=` names a result; comparison is `==`")
                        .with_hint(format!("write `{} == …`", al.name)),
                    );
                    None
                }
                _ => {
                    self.err(Diagnostic::error(
                        Code::E315,
                        a.span,
                        format!("expected {what}, found a named or grouped parameter"),
                    ));
                    None
                }
            },
            None => {
                self.err(Diagnostic::error(
                    Code::E315,
                    c.span,
                    format!("expected {what} after `{}`, found nothing", c.name.name),
                ));
                None
            }
        }
    }

    /// A constant condition that is not a boolean (`filter 42`) is a mistake, not "no rows".
    fn check_condition(&mut self, e: &PExpr, span: Span) {
        if let PExpr::Const(v) = e {
            if !v.is_null() && v.as_bool().is_none() {
                self.err(
                    Diagnostic::error(
                        Code::E336,
                        span,
                        format!("expected a boolean condition, found a {}", v.type_name()),
                    )
                    .with_label("not true or false"),
                );
            }
        }
    }

    fn check_field(&mut self, name: &str, span: Span) {
        if self.schema.fields.iter().any(|f| f == name) {
            return;
        }
        let suggestion =
            did_you_mean(name, self.schema.fields.iter().map(String::as_str)).map(str::to_string);
        let suggestion = suggestion.or_else(|| {
            // `eventName` at the top level is usually meant as event[eventName].
            let ev = self.schema.events.iter().next()?;
            self.ctx
                .event_keys
                .iter()
                .any(|k| k == name)
                .then(|| format!("{ev}[{name}]"))
        });
        if self.schema.open {
            let mut d = Diagnostic::warning(
                Code::W301,
                span,
                format!("no loaded record has a field `{name}`; it reads as null"),
            )
            .with_label("unknown field");
            if let Some(s) = suggestion {
                d = d.with_hint(format!("did you mean `{s}`?"));
            }
            self.diags.push(d);
        } else {
            // Dynatrace creates a missing field as null (e.g. `fields a, missing`); say so loudly.
            let mut d = Diagnostic::warning(
                Code::W304,
                span,
                format!("the previous command's result has no field `{name}`; it reads as null"),
            )
            .with_label("not in the result here");
            d = d.with_hint(match suggestion {
                Some(s) => format!(
                    "did you mean `{s}`? fields here: {}",
                    self.schema.fields.join(", ")
                ),
                None => format!("fields here: {}", self.schema.fields.join(", ")),
            });
            self.diags.push(d);
        }
    }
}

fn unknown_command(name: &ast::Ident) -> Diagnostic {
    if let Some(n) = NOT_YET.iter().find(|c| c.eq_ignore_ascii_case(&name.name)) {
        return Diagnostic::error(
            Code::E302,
            name.span,
            format!("the DQL command `{n}` is not supported by Trailscope yet"),
        )
        .with_label("not supported yet")
        .with_hint(format!(
            "supported commands: {}",
            commands::names().collect::<Vec<_>>().join(", ")
        ));
    }
    let mut d = Diagnostic::error(
        Code::E302,
        name.span,
        format!("expected a command, found unknown command `{}`", name.name),
    )
    .with_label("unknown command");
    if let Some(s) = did_you_mean(&name.name, COMMANDS.iter().map(|c| c.name)) {
        d = d.with_hint(format!("did you mean `{s}`?"));
    }
    d
}

/// Positional arguments with `{ }` groups spread.
fn flatten<'b>(args: &[&'b Arg]) -> Vec<&'b Arg> {
    let mut out = Vec::new();
    for a in args {
        match &a.value {
            ArgValue::Group(g) if a.param.is_none() => {
                out.extend(flatten(&g.iter().collect::<Vec<_>>()))
            }
            _ => out.push(*a),
        }
    }
    out
}

/// A result column's name: the alias, a plain field's name, or the canonical expression text.
fn output_name(a: &Arg, e: &Expr) -> String {
    match (&a.alias, &e.kind) {
        (Some(al), _) => al.name.clone(),
        (None, ast::ExprKind::Field(f)) => f.clone(),
        _ => default_name(e),
    }
}

/// An un-aliased expression's name: its canonical text, unless it calls a function named
/// after its constants ([`Naming::FromConstants`]: `parse(s, "LONG:n")` is `n`).
fn default_name(e: &Expr) -> String {
    if let ast::ExprKind::Call(name, args) = &e.kind {
        if let Some(Naming::FromConstants(name_of)) =
            functions::lookup(&name.name).map(|f| f.naming)
        {
            let consts: Vec<Option<&str>> = args
                .iter()
                .filter(|a| a.param.is_none())
                .map(|a| match a.expr().map(|x| &x.kind) {
                    Some(ast::ExprKind::Literal(ast::Literal::Str(s))) => Some(s.as_str()),
                    _ => None,
                })
                .collect();
            if let Some(n) = name_of(&consts) {
                return n;
            }
        }
    }
    e.canonical()
}

#[cfg(test)]
mod tests;
