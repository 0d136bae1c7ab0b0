//! Planner: syntax tree → [`Plan`]. Resolves commands, parameters, functions and field names,
//! folds constants (time frames, `limit`), and reports every problem with "did you mean" hints.
//! The plan says *what* to compute; `exec` decides how.

use std::collections::HashSet;
use std::sync::Arc;

use crate::diag::{did_you_mean, Diagnostic, Span};
use crate::functions::{self, Ctx, Func, Sig, A, F, FUNCTIONS, VAR};
use crate::storage::BaseField;
use crate::syntax::ast::{self, Arg, ArgValue, BinOp, Expr, ExprKind, Key, Literal, UnOp};
use crate::time::{self, Unit};
use crate::value::Value;

#[derive(Clone, Debug)]
pub enum PExpr {
    Const(Value),
    Field(Arc<str>),
    Member(Box<PExpr>, PKey),
    Call(F, Vec<PExpr>),
    Record(Vec<(Arc<str>, PExpr)>),
    /// `base@unit`; no base means `now()`.
    Align(Option<Box<PExpr>>, Unit, i64, Option<u32>),
    /// The result of aggregation number N (inside `summarize` expressions).
    Agg(usize),
}

#[derive(Clone, Debug, PartialEq)]
pub enum PKey {
    Name(Arc<str>),
    Index(i64),
}

#[derive(Clone, Debug)]
pub struct AggCall {
    pub func: A,
    pub arg: Option<PExpr>,
    /// makeTimeseries `default:` for empty bins.
    pub default: Option<Value>,
}

#[derive(Clone, Debug)]
pub struct SortKey {
    pub expr: PExpr,
    pub descending: bool,
}

#[derive(Clone, Debug)]
pub enum Dpl {
    /// `JSON:name`: the whole input parsed as a JSON object.
    Json(Arc<str>),
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
    },
    Summarize {
        by: Vec<(Arc<str>, PExpr)>,
        aggs: Vec<AggCall>,
        outputs: Vec<(Arc<str>, PExpr)>,
    },
    MakeTimeseries(Timeseries),
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
    pub nonempty: bool,
}

#[derive(Clone, Debug)]
pub struct Plan {
    pub source: Source,
    pub ops: Vec<Op>,
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

pub fn plan(query: &ast::Query, ctx: &PlanCtx) -> (Option<Plan>, Vec<Diagnostic>) {
    let mut p = Planner {
        ctx,
        diags: Vec::new(),
        schema: Schema {
            fields: Vec::new(),
            open: false,
            events: HashSet::new(),
        },
    };
    let plan = p.query(query);
    let ok = !p.diags.iter().any(Diagnostic::is_error);
    (plan.filter(|_| ok), p.diags)
}

struct Planner<'a> {
    ctx: &'a PlanCtx<'a>,
    diags: Vec<Diagnostic>,
    schema: Schema,
}

const COMMANDS: &[&str] = &[
    "fetch",
    "data",
    "filter",
    "filterOut",
    "fields",
    "fieldsAdd",
    "fieldsKeep",
    "fieldsRemove",
    "fieldsRename",
    "sort",
    "limit",
    "dedup",
    "parse",
    "summarize",
    "makeTimeseries",
];

/// Commands Dynatrace has that Trailscope does not run yet: named, not "unknown".
const NOT_YET: &[&str] = &[
    "append",
    "lookup",
    "join",
    "joinNested",
    "expand",
    "fieldsFlatten",
    "fieldsSummary",
    "search",
    "timeseries",
    "describe",
    "load",
    "parseAll",
];

struct Params<'a> {
    positional: Vec<&'a Arg>,
    named: Vec<(&'a ast::Ident, &'a Arg)>,
}

impl<'a> Planner<'a> {
    fn err(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    fn query(&mut self, q: &ast::Query) -> Option<Plan> {
        let first = q.commands.first()?;
        let source = match first.name.name.to_ascii_lowercase().as_str() {
            "fetch" | "data" if first.broken => None,
            "fetch" => self.fetch(first),
            "data" => self.data(first),
            _ => {
                let known = COMMANDS
                    .iter()
                    .any(|c| c.eq_ignore_ascii_case(&first.name.name));
                let d = if known {
                    Diagnostic::error(
                        "E301",
                        first.name.span,
                        format!(
                            "expected a starting command such as `fetch logs`, found `{}`",
                            first.name.name
                        ),
                    )
                    .with_label("a query starts with `fetch` or `data`")
                    .with_hint("start with: fetch logs")
                } else {
                    self.unknown_command(&first.name)
                };
                self.err(d);
                None
            }
        };
        let mut ops = Vec::new();
        for c in &q.commands[1..] {
            if let Some(op) = self.command(c) {
                ops.push(op);
            }
        }
        Some(Plan {
            source: source?,
            ops,
        })
    }

    fn unknown_command(&self, name: &ast::Ident) -> Diagnostic {
        if let Some(n) = NOT_YET.iter().find(|c| c.eq_ignore_ascii_case(&name.name)) {
            return Diagnostic::error(
                "E302",
                name.span,
                format!("the DQL command `{n}` is not supported by Trailscope yet"),
            )
            .with_label("not supported yet")
            .with_hint(format!("supported commands: {}", COMMANDS.join(", ")));
        }
        let mut d = Diagnostic::error(
            "E302",
            name.span,
            format!("expected a command, found unknown command `{}`", name.name),
        )
        .with_label("unknown command");
        if let Some(s) = did_you_mean(&name.name, COMMANDS.iter().copied()) {
            d = d.with_hint(format!("did you mean `{s}`?"));
        }
        d
    }

    /// Splits a command's arguments into positional and named, flattening `{ }` groups of
    /// positional arguments when `flatten` is set.
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
                            "E303",
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

    fn fetch(&mut self, c: &ast::Command) -> Option<Source> {
        let p = self.params(
            &c.args,
            &[
                "from",
                "to",
                "timeframe",
                "bucket",
                "samplingRatio",
                "scanLimitGBytes",
            ],
            "fetch",
        );
        let obj = p.positional.first().and_then(|a| a.expr());
        match obj.map(|e| &e.kind) {
            Some(ExprKind::Field(n)) if n == "logs" => {}
            Some(ExprKind::Field(n)) => {
                let span = obj.map_or(c.span, |e| e.span);
                self.err(
                    Diagnostic::error(
                        "E304",
                        span,
                        format!("expected `logs`, found data object `{n}`"),
                    )
                    .with_label("Trailscope holds CloudTrail events as logs")
                    .with_hint("write: fetch logs"),
                );
            }
            _ => self.err(
                Diagnostic::error(
                    "E304",
                    c.name.span.to(c.span),
                    "expected a data object after `fetch`, found nothing",
                )
                .with_hint("write: fetch logs"),
            ),
        }
        for extra in p.positional.iter().skip(1) {
            self.err(Diagnostic::error("E305", extra.span, "expected a named parameter such as `from:`, found a second positional parameter").with_hint("optional parameters must be named: fetch logs, from: -30min"));
        }
        let mut from = None;
        let mut to = None;
        let mut buckets = Vec::new();
        for (name, arg) in &p.named {
            match name.name.as_str() {
                "from" => from = self.time_param(arg),
                "to" => to = self.time_param(arg),
                "timeframe" => {
                    if let Some((a, b)) = self.timeframe_param(arg) {
                        from = Some(a);
                        to = Some(b);
                    }
                }
                "bucket" => {
                    let items: Vec<&Arg> = match &arg.value {
                        ArgValue::Group(g) => g.iter().collect(),
                        ArgValue::Expr(_) => vec![arg],
                    };
                    for it in items {
                        match it.expr().map(|e| &e.kind) {
                            Some(ExprKind::Literal(Literal::Str(s))) => buckets.push(s.clone()),
                            Some(ExprKind::Field(s)) => buckets.push(s.clone()),
                            _ => self.err(Diagnostic::error(
                                "E306",
                                it.span,
                                "expected a bucket name in quotes",
                            )),
                        }
                    }
                }
                _ => {}
            }
        }
        let has = |n: &str| p.named.iter().any(|(i, _)| i.name == n);
        if has("timeframe") && (has("from") || has("to")) {
            self.err(
                Diagnostic::error(
                    "E307",
                    c.span,
                    "expected either `timeframe:` or `from:`/`to:`, found both",
                )
                .with_label("conflicting time frames"),
            );
        }
        if let (Some(a), Some(b)) = (from, to) {
            if a > b {
                self.err(Diagnostic::error(
                    "E307",
                    c.span,
                    format!(
                        "expected `from:` before `to:`, found a time frame from {} to {}",
                        time::format_timestamp(a),
                        time::format_timestamp(b)
                    ),
                ));
            }
        }
        self.schema = Schema {
            fields: BaseField::ALL
                .iter()
                .map(|f| f.name().to_string())
                .collect(),
            open: true,
            events: HashSet::new(),
        };
        Some(Source::Logs { from, to, buckets })
    }

    /// A constant `from:`/`to:`: a duration is an offset from now, a string a timestamp.
    fn time_param(&mut self, arg: &Arg) -> Option<i64> {
        let e = arg.expr()?;
        let v = self.constant(e)?;
        match v {
            Value::Timestamp(t) => Some(t),
            Value::Duration(d) => Some(self.ctx.now.saturating_add(d)),
            Value::Long(n) => Some(n),
            Value::Str(s) => match time::parse_timestamp(&s) {
                Some(t) => Some(t),
                None => {
                    self.err(Diagnostic::error("E308", e.span, format!("expected an ISO 8601 timestamp such as \"2026-11-20T08:00:00Z\", found {s:?}")));
                    None
                }
            },
            other => {
                self.err(Diagnostic::error(
                    "E308",
                    e.span,
                    format!(
                        "expected a timestamp or a duration such as -30min, found a {}",
                        other.type_name()
                    ),
                ));
                None
            }
        }
    }

    fn timeframe_param(&mut self, arg: &Arg) -> Option<(i64, i64)> {
        let e = arg.expr()?;
        match self.constant(e)? {
            Value::Timeframe(a, b) => Some((a, b)),
            Value::Str(s) => {
                let parsed = s.split_once('/').and_then(|(a, b)| {
                    Some((time::parse_timestamp(a)?, time::parse_timestamp(b)?))
                });
                if parsed.is_none() {
                    self.err(Diagnostic::error("E308", e.span, format!("expected a time frame \"<start>/<end>\" of ISO 8601 timestamps, found {s:?}")));
                }
                parsed
            }
            other => {
                self.err(Diagnostic::error(
                    "E308",
                    e.span,
                    format!("expected a time frame, found a {}", other.type_name()),
                ));
                None
            }
        }
    }

    fn constant(&mut self, e: &Expr) -> Option<Value> {
        let pe = self.expr(e)?;
        match eval_const(&pe, &Ctx { now: self.ctx.now }) {
            Some(v) => Some(v),
            None => {
                self.err(
                    Diagnostic::error(
                        "E309",
                        e.span,
                        "expected a constant value, found an expression that reads fields",
                    )
                    .with_label("must not depend on a record"),
                );
                None
            }
        }
    }

    fn data(&mut self, c: &ast::Command) -> Option<Source> {
        let p = self.params(&c.args, &["json"], "data");
        let mut rows: Vec<Vec<(Arc<str>, Value)>> = Vec::new();
        for (_, arg) in &p.named {
            let Some(e) = arg.expr() else { continue };
            match self.constant(e) {
                Some(Value::Str(s)) => match crate::storage::tape::parse_value(&s) {
                    Ok(Value::Record(r)) => rows.push(r.fields.clone()),
                    Ok(Value::Array(items)) => {
                        if items.iter().any(|it| !matches!(it, Value::Record(_))) {
                            self.err(Diagnostic::error(
                                "E310",
                                e.span,
                                "expected an array of JSON objects in `json:`",
                            ));
                        }
                        rows.extend(items.iter().filter_map(|it| {
                            if let Value::Record(r) = it {
                                Some(r.fields.clone())
                            } else {
                                None
                            }
                        }));
                    }
                    Ok(_) => self.err(Diagnostic::error(
                        "E310",
                        e.span,
                        "expected a JSON object or array of objects in `json:`",
                    )),
                    Err(je) => self.err(Diagnostic::error(
                        "E310",
                        e.span,
                        format!(
                            "invalid JSON in `json:` at byte {}: {}",
                            je.offset, je.message
                        ),
                    )),
                },
                Some(_) => self.err(Diagnostic::error(
                    "E310",
                    e.span,
                    "expected a JSON string in `json:`",
                )),
                None => {}
            }
        }
        for a in &p.positional {
            let Some(e) = a.expr() else { continue };
            match self.constant(e) {
                Some(Value::Record(r)) => rows.push(r.fields.clone()),
                Some(other) => self.err(Diagnostic::error(
                    "E310",
                    e.span,
                    format!(
                        "expected a record such as record(a = 1), found a {}",
                        other.type_name()
                    ),
                )),
                None => {}
            }
        }
        let mut fields: Vec<String> = Vec::new();
        for r in &rows {
            for (k, _) in r {
                if !fields.iter().any(|f| f == &**k) {
                    fields.push(k.to_string());
                }
            }
        }
        self.schema = Schema {
            fields,
            open: false,
            events: HashSet::new(),
        };
        Some(Source::Data(rows))
    }

    fn command(&mut self, c: &ast::Command) -> Option<Op> {
        let name = COMMANDS
            .iter()
            .find(|n| n.eq_ignore_ascii_case(&c.name.name))
            .copied();
        let Some(name) = name else {
            let d = self.unknown_command(&c.name);
            self.err(d);
            return None;
        };
        if c.broken {
            return None;
        }
        match name {
            "fetch" | "data" => {
                self.err(Diagnostic::error("E301", c.name.span, format!("expected a processing command such as `filter`, found the starting command `{name}`")).with_label("only the first command may load data"));
                None
            }
            "filter" | "filterOut" => {
                let p = self.params(&c.args, &[], name);
                let cond = self.single_expr(&p, c, "a condition")?;
                let e = self.expr(cond)?;
                self.check_condition(&e, cond.span);
                Some(if name == "filter" {
                    Op::Filter(e)
                } else {
                    Op::FilterOut(e)
                })
            }
            "fields" | "fieldsAdd" => {
                let p = self.params(&c.args, &[], name);
                if p.positional.is_empty() {
                    self.err(Diagnostic::error("E338", c.span, format!("expected at least one field or expression after `{name}`, found nothing")));
                    return None;
                }
                let items = self.named_exprs(&p.positional, name)?;
                let mut fields = if name == "fields" {
                    Vec::new()
                } else {
                    self.schema.fields.clone()
                };
                for (n, _) in &items {
                    if !fields.iter().any(|f| f == &**n) {
                        fields.push(n.to_string());
                    }
                }
                let keep_events: HashSet<String> = self
                    .schema
                    .events
                    .iter()
                    .filter(|e| {
                        items.iter().any(|(n, x)| {
                            &**n == e.as_str() && matches!(x, PExpr::Field(f) if &**f == e.as_str())
                        })
                    })
                    .cloned()
                    .collect();
                if name == "fields" {
                    self.schema = Schema {
                        fields,
                        open: false,
                        events: keep_events,
                    };
                } else {
                    for (n, _) in &items {
                        self.schema.events.remove(&**n);
                    }
                    self.schema.fields = fields;
                }
                Some(if name == "fields" {
                    Op::Fields(items)
                } else {
                    Op::FieldsAdd(items)
                })
            }
            "fieldsKeep" | "fieldsRemove" => {
                let p = self.params(&c.args, &[], name);
                if p.positional.is_empty() {
                    self.err(Diagnostic::error(
                        "E338",
                        c.span,
                        format!("expected at least one field name after `{name}`, found nothing"),
                    ));
                    return None;
                }
                let mut pats = Vec::new();
                for a in flatten(&p.positional) {
                    if let Some(al) = &a.alias {
                        self.err(
                            Diagnostic::error(
                                "E311",
                                al.span.to(a.span),
                                format!("expected a field name in `{name}`, found an assignment"),
                            )
                            .with_hint(
                                "to rename, use fieldsRename new = old; to compute, use fieldsAdd",
                            ),
                        );
                        continue;
                    }
                    match a.expr().map(|e| &e.kind) {
                        Some(ExprKind::Field(n)) => pats.push(n.clone()),
                        _ => self.err(Diagnostic::error(
                            "E311",
                            a.span,
                            format!("expected a field name or pattern such as `dt.*` in `{name}`"),
                        )),
                    }
                }
                let keep = name == "fieldsKeep";
                self.schema
                    .fields
                    .retain(|f| pats.iter().any(|p| field_matches(p, f)) == keep);
                if keep {
                    self.schema.open = false;
                }
                Some(if keep {
                    Op::FieldsKeep(pats)
                } else {
                    Op::FieldsRemove(pats)
                })
            }
            "fieldsRename" => {
                let p = self.params(&c.args, &[], name);
                let mut pairs = Vec::new();
                for a in flatten(&p.positional) {
                    match (&a.alias, a.expr().map(|e| &e.kind)) {
                        (Some(new), Some(ExprKind::Field(old))) => {
                            self.check_field(old, a.expr().map_or(a.span, |e| e.span));
                            if let Some(f) = self.schema.fields.iter_mut().find(|f| *f == old) {
                                *f = new.name.clone();
                            }
                            pairs.push((Arc::from(new.name.as_str()), Arc::from(old.as_str())));
                        }
                        _ => self.err(Diagnostic::error(
                            "E311",
                            a.span,
                            "expected `newName = oldField` in fieldsRename",
                        )),
                    }
                }
                Some(Op::FieldsRename(pairs))
            }
            "sort" => {
                let p = self.params(&c.args, &["direction"], name);
                let mut keys = self.sort_keys(&p.positional);
                if let Some((_, d)) = p.named.last() {
                    let desc = self.direction(d);
                    if let Some(k) = keys.last_mut() {
                        k.descending = desc;
                    }
                }
                if keys.is_empty() && p.positional.is_empty() {
                    self.err(Diagnostic::error(
                        "E312",
                        c.span,
                        "expected at least one sort expression",
                    ));
                }
                Some(Op::Sort(keys))
            }
            "limit" => {
                let p = self.params(&c.args, &[], name);
                let e = self.single_expr(&p, c, "a number of records")?;
                match self.constant(e)? {
                    Value::Long(n) if n >= 0 => Some(Op::Limit(n as usize)),
                    _ => {
                        self.err(Diagnostic::error(
                            "E313",
                            e.span,
                            "expected a whole number of records (0 or more) after `limit`",
                        ));
                        None
                    }
                }
            }
            "dedup" => {
                let p = self.params(&c.args, &["sort"], name);
                let mut keys = Vec::new();
                for a in flatten(&p.positional) {
                    if let Some(e) = a.expr().and_then(|e| self.expr(e)) {
                        keys.push(e);
                    }
                }
                let mut sort = Vec::new();
                for (_, a) in &p.named {
                    sort.extend(self.sort_keys(&[*a]));
                }
                if keys.is_empty() {
                    self.err(Diagnostic::error(
                        "E314",
                        c.span,
                        "expected at least one expression to deduplicate by",
                    ));
                }
                Some(Op::Dedup { keys, sort })
            }
            "parse" => self.parse_cmd(c),
            "summarize" => self.summarize(c),
            "makeTimeseries" => self.make_timeseries(c),
            _ => None,
        }
    }

    fn single_expr<'b>(
        &mut self,
        p: &Params<'b>,
        c: &ast::Command,
        what: &str,
    ) -> Option<&'b Expr> {
        if p.positional.len() > 1 {
            self.err(Diagnostic::error(
                "E315",
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
                            "E205",
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
                        "E315",
                        a.span,
                        format!("expected {what}, found a named or grouped parameter"),
                    ));
                    None
                }
            },
            None => {
                self.err(Diagnostic::error(
                    "E315",
                    c.span,
                    format!("expected {what} after `{}`, found nothing", c.name.name),
                ));
                None
            }
        }
    }

    fn direction(&mut self, a: &Arg) -> bool {
        match a.expr().map(|e| &e.kind) {
            Some(ExprKind::Literal(Literal::Str(s))) if s == "descending" => true,
            Some(ExprKind::Literal(Literal::Str(s))) if s == "ascending" => false,
            _ => {
                self.err(Diagnostic::error(
                    "E316",
                    a.span,
                    "expected direction: \"ascending\" or \"descending\"",
                ));
                false
            }
        }
    }

    fn sort_keys(&mut self, args: &[&Arg]) -> Vec<SortKey> {
        let mut keys = Vec::new();
        for a in args {
            match &a.value {
                ArgValue::Group(items) => {
                    // {expr, direction:"descending"} or a group of keys.
                    let mut group_keys = Vec::new();
                    for it in items {
                        if it.param.as_ref().is_some_and(|p| p.name == "direction") {
                            let d = self.direction(it);
                            if let Some(k) = group_keys.last_mut() {
                                let k: &mut SortKey = k;
                                k.descending = d;
                            }
                        } else if let Some(e) = it.expr().and_then(|e| self.expr(e)) {
                            group_keys.push(SortKey {
                                expr: e,
                                descending: it.descending.unwrap_or(false),
                            });
                        }
                    }
                    keys.extend(group_keys);
                }
                ArgValue::Expr(e) => {
                    if let Some(pe) = self.expr(e) {
                        keys.push(SortKey {
                            expr: pe,
                            descending: a.descending.unwrap_or(false),
                        });
                    }
                }
            }
        }
        keys
    }

    /// `name = expr` items (groups flattened) with their output names.
    fn named_exprs(&mut self, args: &[&Arg], cmd: &str) -> Option<Vec<(Arc<str>, PExpr)>> {
        let mut out: Vec<(Arc<str>, PExpr)> = Vec::new();
        for a in flatten(args) {
            let Some(e) = a.expr() else { continue };
            let name = output_name(a, e);
            let Some(pe) = self.expr(e) else { continue };
            if let Some(i) = out.iter().position(|(n, _)| **n == *name) {
                self.diags.push(Diagnostic::warning(
                    "W303",
                    a.span,
                    format!("`{name}` is named twice in `{cmd}`; the last one is kept"),
                ));
                out.remove(i);
            }
            out.push((Arc::from(name.as_str()), pe));
        }
        Some(out)
    }

    fn parse_cmd(&mut self, c: &ast::Command) -> Option<Op> {
        let p = self.params(
            &c.args,
            &["preserveFieldsOnFailure", "parsingPrerequisite"],
            "parse",
        );
        if p.positional.len() != 2 {
            self.err(Diagnostic::error(
                "E317",
                c.span,
                format!(
                    "expected `parse <field>, \"<pattern>\"`, found {} positional parameters",
                    p.positional.len()
                ),
            ));
            return None;
        }
        let input = self.expr(p.positional[0].expr()?)?;
        let pat_expr = p.positional[1].expr()?;
        let ExprKind::Literal(Literal::Str(pattern)) = &pat_expr.kind else {
            self.err(Diagnostic::error(
                "E317",
                pat_expr.span,
                "expected a pattern string such as \"JSON:event\"",
            ));
            return None;
        };
        let mut preserve = false;
        for (n, a) in &p.named {
            match n.name.as_str() {
                "preserveFieldsOnFailure" => {
                    preserve = matches!(
                        a.expr().and_then(|e| self.constant(e)),
                        Some(Value::Bool(true))
                    )
                }
                _ => {
                    self.err(Diagnostic::error(
                        "E318",
                        n.span,
                        "`parsingPrerequisite:` is not supported yet",
                    ));
                }
            }
        }
        let dpl = self.dpl(pattern, pat_expr.span)?;
        let Dpl::Json(name) = &dpl;
        let from_content = matches!(&input, PExpr::Field(f) if &**f == "content");
        if self.schema.fields.iter().any(|f| **f == **name) {
            self.diags.push(
                Diagnostic::warning(
                    "W305",
                    pat_expr.span,
                    format!("the field `{name}` overrides an existing field"),
                )
                .with_label("replaces the field of that name"),
            );
        } else {
            self.schema.fields.push(name.to_string());
        }
        if from_content {
            self.schema.events.insert(name.to_string());
        } else {
            self.schema.events.remove(&**name);
        }
        Some(Op::Parse {
            input,
            pattern: dpl,
            preserve,
        })
    }

    /// DPL patterns. Trailscope reads the JSON matcher (`JSON:name`, `json:name`,
    /// `JSON_OBJECT:name`); other matchers are named as not supported yet.
    fn dpl(&mut self, pattern: &str, span: Span) -> Option<Dpl> {
        let t = pattern.trim();
        if let Some((m, name)) = t.split_once(':') {
            let (m, name) = (m.trim(), name.trim());
            let valid_name = !name.is_empty()
                && name
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if (m.eq_ignore_ascii_case("json") || m.eq_ignore_ascii_case("json_object"))
                && valid_name
            {
                return Some(Dpl::Json(Arc::from(name)));
            }
            if m.eq_ignore_ascii_case("json") || m.eq_ignore_ascii_case("json_object") {
                self.err(Diagnostic::error("E319", span, format!("expected an export name after `JSON:` (letters, digits, _), found {name:?}")));
                return None;
            }
        }
        self.err(
            Diagnostic::error(
                "E319",
                span,
                format!(
                    "this DPL pattern is not supported yet: expected \"JSON:<name>\", found {t:?}"
                ),
            )
            .with_label("only the JSON matcher is implemented so far")
            .with_hint("parse content, \"JSON:event\" then read members with event[name]"),
        );
        None
    }

    fn agg_call(&mut self, e: &Expr, allow_default: bool) -> Option<AggCall> {
        let ExprKind::Call(name, args) = &e.kind else {
            return None;
        };
        let sig = functions::lookup(&name.name)?;
        let Func::Agg(a) = sig.func else { return None };
        let mut default = None;
        let mut positional = Vec::new();
        for arg in args {
            match &arg.param {
                Some(p) if p.name == "default" && allow_default => {
                    default = arg.expr().and_then(|x| self.constant(x));
                    if !matches!(default, Some(Value::Long(_) | Value::Double(_))) {
                        self.err(Diagnostic::error(
                            "E320",
                            arg.span,
                            "expected a number for `default:`",
                        ));
                    }
                }
                Some(p) => {
                    self.err(
                        Diagnostic::error(
                            "E320",
                            p.span,
                            format!(
                                "expected no named parameters for `{}` here, found `{}:`",
                                sig.name, p.name
                            ),
                        )
                        .with_hint(if allow_default {
                            "makeTimeseries aggregations take `default:`"
                        } else {
                            ""
                        }),
                    );
                }
                None => positional.push(arg),
            }
        }
        if positional.len() < sig.min || positional.len() > sig.max {
            self.err(arity_error(sig, positional.len(), e.span));
            return None;
        }
        let arg = match positional.first() {
            Some(a) => Some(self.expr(a.expr()?)?),
            None => None,
        };
        if a == A::CountIf {
            if let (Some(pe), Some(x)) = (&arg, positional.first().and_then(|p| p.expr())) {
                self.check_condition(pe, x.span);
            }
        }
        Some(AggCall {
            func: a,
            arg,
            default,
        })
    }

    /// Replaces aggregation calls in `e` by slots; fields outside aggregations are errors.
    fn agg_expr(&mut self, e: &Expr, aggs: &mut Vec<AggCall>) -> Option<PExpr> {
        match &e.kind {
            ExprKind::Call(name, _)
                if matches!(
                    functions::lookup(&name.name).map(|s| s.func),
                    Some(Func::Agg(_))
                ) =>
            {
                let call = self.agg_call(e, false)?;
                aggs.push(call);
                Some(PExpr::Agg(aggs.len() - 1))
            }
            ExprKind::Call(name, args) => {
                let sig = match functions::lookup(&name.name) {
                    Some(s) => s,
                    None => return self.expr(e),
                };
                let Func::Scalar(f) = sig.func else {
                    return self.expr(e);
                };
                let mut out = Vec::new();
                for a in args.iter().filter(|a| a.param.is_none()) {
                    out.push(self.agg_expr(a.expr()?, aggs)?);
                }
                for (pname, def) in sig.named {
                    let given = args
                        .iter()
                        .find(|a| a.param.as_ref().is_some_and(|p| p.name == *pname));
                    out.push(match given {
                        Some(a) => self.agg_expr(a.expr()?, aggs)?,
                        None => PExpr::Const(def.value()),
                    });
                }
                Some(PExpr::Call(f, out))
            }
            ExprKind::Binary(op, l, r) => {
                let l = self.agg_expr(l, aggs)?;
                let r = self.agg_expr(r, aggs)?;
                Some(PExpr::Call(binop_fn(*op), vec![l, r]))
            }
            ExprKind::Unary(op, x) => {
                let x = self.agg_expr(x, aggs)?;
                Some(PExpr::Call(
                    if *op == UnOp::Not { F::Not } else { F::Neg },
                    vec![x],
                ))
            }
            ExprKind::Literal(_) => self.expr(e),
            _ => {
                self.err(Diagnostic::error("E321", e.span, "expected an aggregation such as count() or sum(x), found a field outside an aggregation").with_hint("group by it with by: { … } or wrap it, e.g. takeFirst(x)"));
                None
            }
        }
    }

    fn by_param(&mut self, arg: &Arg) -> Vec<(Arc<str>, PExpr)> {
        let items: Vec<&Arg> = match &arg.value {
            ArgValue::Group(g) => g.iter().collect(),
            ArgValue::Expr(_) => vec![arg],
        };
        let mut out = Vec::new();
        for it in items {
            let Some(e) = it.expr() else { continue };
            let name = output_name(it, e);
            if let Some(pe) = self.expr(e) {
                out.push((Arc::from(name.as_str()), pe));
            }
        }
        out
    }

    fn summarize(&mut self, c: &ast::Command) -> Option<Op> {
        let p = self.params(&c.args, &["by"], "summarize");
        let mut aggs = Vec::new();
        let mut outputs: Vec<(Arc<str>, PExpr)> = Vec::new();
        for a in flatten(&p.positional) {
            let Some(e) = a.expr() else { continue };
            let name = output_name(a, e);
            if let Some(pe) = self.agg_expr(e, &mut aggs) {
                outputs.push((Arc::from(name.as_str()), pe));
            }
        }
        let by = p
            .named
            .iter()
            .flat_map(|(_, a)| self.by_param(a))
            .collect::<Vec<_>>();
        if outputs.is_empty() && by.is_empty() && p.positional.is_empty() {
            self.err(Diagnostic::error(
                "E322",
                c.span,
                "expected an aggregation such as count() in `summarize`",
            ));
        }
        let mut fields: Vec<String> = by.iter().map(|(n, _)| n.to_string()).collect();
        fields.extend(outputs.iter().map(|(n, _)| n.to_string()));
        self.schema = Schema {
            fields,
            open: false,
            events: HashSet::new(),
        };
        Some(Op::Summarize { by, aggs, outputs })
    }

    fn make_timeseries(&mut self, c: &ast::Command) -> Option<Op> {
        let p = self.params(
            &c.args,
            &[
                "by",
                "interval",
                "bins",
                "from",
                "to",
                "timeframe",
                "time",
                "nonempty",
                "spread",
            ],
            "makeTimeseries",
        );
        let mut aggs = Vec::new();
        for a in flatten(&p.positional) {
            let Some(e) = a.expr() else { continue };
            let name = output_name(a, e);
            match self.agg_call(e, true) {
                Some(call)
                    if !matches!(
                        call.func,
                        A::Count
                            | A::CountIf
                            | A::Sum
                            | A::Avg
                            | A::Min
                            | A::Max
                            | A::CountDistinct
                            | A::CountDistinctExact
                    ) =>
                {
                    self.err(Diagnostic::error("E323", e.span, "expected a time-series aggregation (count, countIf, sum, avg, min, max, countDistinct), found one that makeTimeseries does not support").with_hint("use summarize for takeFirst, collectArray and similar"));
                }
                Some(call) => aggs.push((Arc::from(name.as_str()), call)),
                None => {
                    if !self
                        .diags
                        .iter()
                        .any(|d| d.is_error() && e.span.range().contains(&(d.span.start as usize)))
                    {
                        self.err(Diagnostic::error(
                            "E323",
                            e.span,
                            "expected an aggregation such as count() or sum(x) in `makeTimeseries`",
                        ));
                    }
                }
            }
        }
        if aggs.is_empty() && p.positional.is_empty() {
            self.err(Diagnostic::error(
                "E323",
                c.span,
                "expected an aggregation such as count() in `makeTimeseries`",
            ));
        }
        let mut ts = Timeseries {
            by: Vec::new(),
            aggs,
            interval: None,
            bins: None,
            from: None,
            to: None,
            time: PExpr::Field(Arc::from("timestamp")),
            nonempty: false,
        };
        for (n, a) in &p.named {
            match n.name.as_str() {
                "by" => ts.by = self.by_param(a),
                "interval" => match a.expr().and_then(|e| self.constant(e)) {
                    Some(Value::Duration(d)) if d > 0 => ts.interval = Some(d),
                    _ => self.err(Diagnostic::error(
                        "E324",
                        a.span,
                        "expected a positive duration for `interval:`, e.g. 5m",
                    )),
                },
                "bins" => match a.expr().and_then(|e| self.constant(e)) {
                    Some(Value::Long(b)) if (1..=1500).contains(&b) => ts.bins = Some(b),
                    _ => self.err(Diagnostic::error(
                        "E324",
                        a.span,
                        "expected a number of bins from 1 to 1500",
                    )),
                },
                "from" => ts.from = self.time_param(a),
                "to" => ts.to = self.time_param(a),
                "timeframe" => {
                    if let Some((x, y)) = self.timeframe_param(a) {
                        ts.from = Some(x);
                        ts.to = Some(y);
                    }
                }
                "time" => {
                    if let Some(e) = a.expr().and_then(|e| self.expr(e)) {
                        ts.time = e;
                    }
                }
                "nonempty" => {
                    ts.nonempty = matches!(
                        a.expr().and_then(|e| self.constant(e)),
                        Some(Value::Bool(true))
                    )
                }
                _ => self.err(Diagnostic::error(
                    "E324",
                    n.span,
                    "`spread:` is not supported yet",
                )),
            }
        }
        if !p
            .named
            .iter()
            .any(|(n, _)| n.name == "time" || n.name == "spread")
            && !self.schema.open
            && !self.schema.fields.iter().any(|f| f == "timestamp")
        {
            self.err(Diagnostic::error("E337", c.span, "expected a `timestamp` field for makeTimeseries, found none in the previous result").with_hint("name the time with time: <expression>"));
        }
        if ts.interval.is_some() && ts.bins.is_some() {
            self.err(Diagnostic::error(
                "E324",
                c.span,
                "expected either `interval:` or `bins:`, found both",
            ));
        }
        let mut fields = vec!["timeframe".to_string(), "interval".to_string()];
        fields.extend(ts.by.iter().map(|(n, _)| n.to_string()));
        fields.extend(ts.aggs.iter().map(|(n, _)| n.to_string()));
        self.schema = Schema {
            fields,
            open: false,
            events: HashSet::new(),
        };
        Some(Op::MakeTimeseries(ts))
    }

    /// A constant condition that is not a boolean (`filter 42`) is a mistake, not "no rows".
    fn check_condition(&mut self, e: &PExpr, span: Span) {
        if let PExpr::Const(v) = e {
            if !v.is_null() && v.as_bool().is_none() {
                self.err(
                    Diagnostic::error(
                        "E336",
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
                "W301",
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
                "W304",
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

    fn expr(&mut self, e: &Expr) -> Option<PExpr> {
        Some(match &e.kind {
            ExprKind::Literal(l) => {
                PExpr::Const(match l {
                    Literal::Null => Value::Null,
                    Literal::Bool(b) => Value::Bool(*b),
                    Literal::Long(v) => Value::Long(*v),
                    Literal::Double(v) => Value::Double(*v),
                    Literal::Str(s) => Value::str(s),
                    Literal::Duration(n, u) => {
                        match time::unit(u) {
                            Some(Unit::Fixed(len)) => match n.checked_mul(len) {
                                Some(ns) => Value::Duration(ns),
                                None => {
                                    self.err(Diagnostic::error(
                                        "E326",
                                        e.span,
                                        "duration too long: expected at most about 292 years",
                                    ));
                                    return None;
                                }
                            },
                            Some(Unit::Months(_)) => {
                                self.err(Diagnostic::error("E326", e.span, format!("calendar durations (months `M`, quarters `q`, years `y`) are not supported yet: expected a fixed unit such as d or w, found `{u}`")).with_hint("use days, e.g. -30d"));
                                return None;
                            }
                            None => {
                                let mut d = Diagnostic::error("E326", e.span, format!("expected a duration unit such as s, m, h or d, found `{u}`")).with_label("unknown unit");
                                if let Some(s) = did_you_mean(u, time::UNIT_NAMES.iter().copied()) {
                                    d = d.with_hint(format!("did you mean `{n}{s}`?"));
                                }
                                self.err(d);
                                return None;
                            }
                        }
                    }
                })
            }
            ExprKind::Field(name) => {
                self.check_field(name, e.span);
                PExpr::Field(Arc::from(name.as_str()))
            }
            ExprKind::Index(base, key) => {
                let b = self.expr(base)?;
                if let (PExpr::Field(f), Key::Name(k)) = (&b, key) {
                    if self.schema.events.contains(&**f)
                        && !self.ctx.event_keys.is_empty()
                        && !self.ctx.event_keys.iter().any(|x| x == k)
                    {
                        let mut d = Diagnostic::warning(
                            "W302",
                            e.span,
                            format!("no loaded event has a member `{k}`; `{f}[{k}]` reads as null"),
                        )
                        .with_label("unknown member");
                        if let Some(s) =
                            did_you_mean(k, self.ctx.event_keys.iter().map(String::as_str))
                        {
                            d = d.with_hint(format!("did you mean `{f}[{s}]`?"));
                        }
                        self.diags.push(d);
                    }
                }
                PExpr::Member(
                    Box::new(b),
                    match key {
                        Key::Name(n) => PKey::Name(Arc::from(n.as_str())),
                        Key::Index(i) => PKey::Index(*i),
                    },
                )
            }
            ExprKind::Call(name, args) => return self.call(name, args, e.span),
            ExprKind::Unary(op, x) => {
                let x = self.expr(x)?;
                self.fold(
                    if *op == UnOp::Not { F::Not } else { F::Neg },
                    vec![x],
                    e.span,
                )?
            }
            ExprKind::Binary(op, l, r) => {
                if *op == BinOp::Search && !matches!(r.kind, ExprKind::Literal(Literal::Str(_))) {
                    self.err(Diagnostic::error(
                        "E327",
                        r.span,
                        "expected a string literal on the right of `~`",
                    ));
                    return None;
                }
                let l = self.expr(l)?;
                let r = self.expr(r)?;
                self.fold(binop_fn(*op), vec![l, r], e.span)?
            }
            ExprKind::Align(base, unit) => {
                let b = match base {
                    Some(b) => Some(Box::new(self.expr(b)?)),
                    None => None,
                };
                let (u, count, week) = self.align_unit(unit)?;
                PExpr::Align(b, u, count, week)
            }
            ExprKind::Subquery => {
                self.err(
                    Diagnostic::error(
                        "E335",
                        e.span,
                        "expected a value, found a sub-query `[ … ]`",
                    )
                    .with_label("sub-queries are not supported yet"),
                );
                return None;
            }
            ExprKind::Error => return None,
        })
    }

    /// Folds operators over constants, so that `22 * "a"` is reported before running.
    fn fold(&mut self, f: F, args: Vec<PExpr>, span: Span) -> Option<PExpr> {
        let consts: Option<Vec<&Value>> = args
            .iter()
            .map(|a| {
                if let PExpr::Const(v) = a {
                    Some(v)
                } else {
                    None
                }
            })
            .collect();
        if let Some(c) = consts {
            let v = functions::apply(
                f,
                &c.iter().map(|v| (*v).clone()).collect::<Vec<_>>(),
                &Ctx { now: self.ctx.now },
            );
            let logical = matches!(f, F::And | F::Or | F::Xor | F::Not);
            if logical {
                if let Some(bad) = c.iter().find(|v| !v.is_null() && v.as_bool().is_none()) {
                    self.err(
                        Diagnostic::error(
                            "E328",
                            span,
                            format!(
                                "expected boolean operands for a logical operator, found a {}",
                                bad.type_name()
                            ),
                        )
                        .with_label("not true or false"),
                    );
                    return None;
                }
            }
            let arith = matches!(f, F::Add | F::Sub | F::Mul | F::Div | F::Mod | F::Neg);
            let numeric = c
                .iter()
                .all(|v| matches!(v, Value::Long(_) | Value::Double(_)));
            if arith && v.is_null() && c.iter().all(|v| !v.is_null()) && !numeric {
                let types: Vec<&str> = c.iter().map(|v| v.type_name()).collect();
                self.err(
                    Diagnostic::error(
                        "E328",
                        span,
                        format!(
                            "expected operands this operator applies to, found {}",
                            types.join(" and ")
                        ),
                    )
                    .with_label("not applicable to these types"),
                );
                return None;
            }
            return Some(PExpr::Const(v));
        }
        Some(PExpr::Call(f, args))
    }

    fn align_unit(&mut self, unit: &ast::Ident) -> Option<(Unit, i64, Option<u32>)> {
        let s = unit.name.as_str();
        let digits: String = s.chars().take_while(char::is_ascii_digit).collect();
        let rest = &s[digits.len()..];
        let count = if digits.is_empty() {
            1
        } else {
            digits.parse().unwrap_or(1)
        };
        let (name, week) = match rest.strip_prefix('w') {
            Some(d) if !d.is_empty() && d.chars().all(|c| c.is_ascii_digit()) => {
                ("w", d.parse::<u32>().ok())
            }
            _ => (rest, None),
        };
        match time::unit(name) {
            Some(u) => Some((u, count, week)),
            None => {
                self.err(Diagnostic::error(
                    "E329",
                    unit.span,
                    format!("expected a time unit after `@` (s, m, h, d, w, M, q, y), found `{s}`"),
                ));
                None
            }
        }
    }

    fn call(&mut self, name: &ast::Ident, args: &[Arg], span: Span) -> Option<PExpr> {
        let Some(sig) = functions::lookup(&name.name) else {
            let mut d = Diagnostic::error(
                "E330",
                name.span,
                format!(
                    "expected a function, found unknown function `{}`",
                    name.name
                ),
            )
            .with_label("unknown function");
            if let Some(s) = did_you_mean(&name.name, FUNCTIONS.iter().map(|s| s.name)) {
                d = d.with_hint(format!("did you mean `{s}`?"));
            }
            self.err(d);
            return None;
        };
        let f = match sig.func {
            Func::Agg(_) => {
                self.err(Diagnostic::error("E331", span, format!("expected a value, found the aggregation `{}()`", sig.name)).with_label("aggregations belong in summarize or makeTimeseries").with_hint(format!("e.g. | summarize {}(…), by: {{ … }}; to use a result column named `{}()`, write it in backticks", sig.name, sig.name)));
                return None;
            }
            Func::Record => return self.record(args),
            Func::Scalar(f) => f,
        };
        let mut positional: Vec<&Arg> = Vec::new();
        let mut named: Vec<(&str, &Arg)> = Vec::new();
        for a in args {
            match &a.param {
                Some(p) if sig.named.iter().any(|(n, _)| *n == p.name) => {
                    named.push((p.name.as_str(), a))
                }
                Some(p) => {
                    let mut d = Diagnostic::error(
                        "E332",
                        p.span,
                        format!(
                            "expected a parameter of `{}`, found unknown parameter `{}:`",
                            sig.name, p.name
                        ),
                    )
                    .with_label("unknown parameter");
                    if let Some(s) = did_you_mean(&p.name, sig.named.iter().map(|(n, _)| *n)) {
                        d = d.with_hint(format!("did you mean `{s}:`?"));
                    }
                    self.err(d);
                    return None;
                }
                None => positional.push(a),
            }
        }
        if sig.max == VAR {
            positional = flatten(&positional);
        }
        if positional.len() < sig.min || positional.len() > sig.max {
            let mut d = arity_error(sig, positional.len(), span);
            if positional.len() > sig.max && !sig.named.is_empty() {
                d = d.with_hint(format!(
                    "optional parameters must be named: {}",
                    sig.named
                        .iter()
                        .map(|(n, _)| format!("{n}:"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            self.err(d);
            return None;
        }
        let mut out = Vec::new();
        for a in positional {
            match &a.value {
                ArgValue::Expr(e) => out.push(self.expr(e)?),
                ArgValue::Group(items) => {
                    // `matchesValue(s, {"a*", "b*"})`: a group of values is passed as an array.
                    let mut vals = Vec::new();
                    for it in items {
                        match it.expr() {
                            Some(e) if it.param.is_none() && it.alias.is_none() => {
                                vals.push(self.expr(e)?)
                            }
                            _ => {
                                self.err(Diagnostic::error(
                                    "E333",
                                    it.span,
                                    format!(
                                        "expected a value in the `{{ }}` group of `{}`",
                                        sig.name
                                    ),
                                ));
                                return None;
                            }
                        }
                    }
                    out.push(self.fold(F::Array, vals, a.span)?);
                }
            }
        }
        for (pname, def) in sig.named {
            match named.iter().find(|(n, _)| n == pname) {
                Some((_, a)) => out.push(self.expr(a.expr()?)?),
                None => out.push(PExpr::Const(def.value())),
            }
        }
        if f == F::Now {
            return Some(PExpr::Const(Value::Timestamp(self.ctx.now)));
        }
        // Functions over text reject constants of other types, as Dynatrace's type checker does.
        let text_fn = matches!(
            f,
            F::StartsWith
                | F::EndsWith
                | F::Contains
                | F::Lower
                | F::Upper
                | F::Trim
                | F::StringLength
                | F::Substring
                | F::IndexOf
                | F::ReplaceString
                | F::SplitString
                | F::Like
        );
        if text_fn {
            if let Some(PExpr::Const(v)) = out.first() {
                if !v.is_null() && v.as_str().is_none() {
                    self.err(
                        Diagnostic::error(
                            "E339",
                            span,
                            format!(
                                "expected a string as the first parameter of `{}`, found a {}",
                                sig.name,
                                v.type_name()
                            ),
                        )
                        .with_label("not a string")
                        .with_hint("convert it with toString(…)"),
                    );
                    return None;
                }
            }
        }
        self.fold(f, out, span)
    }

    fn record(&mut self, args: &[Arg]) -> Option<PExpr> {
        let refs: Vec<&Arg> = args.iter().collect();
        let mut fields: Vec<(Arc<str>, PExpr)> = Vec::new();
        for a in flatten(&refs) {
            let e = a.expr()?;
            let name = match (&a.alias, &e.kind) {
                (Some(al), _) => al.name.clone(),
                (None, ExprKind::Field(f)) => f.clone(),
                _ => e.canonical(),
            };
            fields.push((Arc::from(name.as_str()), self.expr(e)?));
        }
        let consts: Option<Vec<(Arc<str>, Value)>> = fields
            .iter()
            .map(|(k, v)| {
                if let PExpr::Const(c) = v {
                    Some((k.clone(), c.clone()))
                } else {
                    None
                }
            })
            .collect();
        Some(match consts {
            Some(c) => PExpr::Const(functions::record(c)),
            None => PExpr::Record(fields),
        })
    }
}

fn arity_error(sig: &Sig, n: usize, span: Span) -> Diagnostic {
    let want = if sig.max == VAR {
        format!("at least {}", sig.min)
    } else if sig.min == sig.max {
        sig.min.to_string()
    } else {
        format!("{} to {}", sig.min, sig.max)
    };
    Diagnostic::error(
        "E334",
        span,
        format!(
            "expected {want} positional parameter{} for `{}`, found {n}",
            if want == "1" { "" } else { "s" },
            sig.name
        ),
    )
    .with_label(sig.doc)
}

fn binop_fn(op: BinOp) -> F {
    match op {
        BinOp::Or => F::Or,
        BinOp::Xor => F::Xor,
        BinOp::And => F::And,
        BinOp::Eq => F::Eq,
        BinOp::Ne => F::Ne,
        BinOp::Lt => F::Lt,
        BinOp::Le => F::Le,
        BinOp::Gt => F::Gt,
        BinOp::Ge => F::Ge,
        BinOp::Search => F::Search,
        BinOp::Add => F::Add,
        BinOp::Sub => F::Sub,
        BinOp::Mul => F::Mul,
        BinOp::Div => F::Div,
        BinOp::Mod => F::Mod,
    }
}

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
        (None, ExprKind::Field(f)) => f.clone(),
        _ => e.canonical(),
    }
}

/// `dt.*` style patterns: `*` matches any run of characters.
pub fn field_matches(pattern: &str, name: &str) -> bool {
    if !pattern.contains('*') {
        return pattern == name;
    }
    let parts: Vec<&str> = pattern.split('*').collect();
    let mut rest = name;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            match rest.strip_prefix(part) {
                Some(r) => rest = r,
                None => return false,
            }
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            match rest.find(part) {
                Some(k) => rest = &rest[k + part.len()..],
                None => return false,
            }
        }
    }
    rest.is_empty()
}

/// Evaluates an expression that reads no fields; `None` if it does.
pub fn eval_const(e: &PExpr, ctx: &Ctx) -> Option<Value> {
    Some(match e {
        PExpr::Const(v) => v.clone(),
        PExpr::Field(_) | PExpr::Agg(_) => return None,
        PExpr::Member(b, k) => {
            let v = eval_const(b, ctx)?;
            match k {
                PKey::Name(n) => v.member(n),
                PKey::Index(i) => v.element(*i),
            }
        }
        PExpr::Call(f, args) => {
            let vals: Option<Vec<Value>> = args.iter().map(|a| eval_const(a, ctx)).collect();
            functions::apply(*f, &vals?, ctx)
        }
        PExpr::Record(fields) => {
            let vals: Option<Vec<(Arc<str>, Value)>> = fields
                .iter()
                .map(|(k, v)| Some((k.clone(), eval_const(v, ctx)?)))
                .collect();
            functions::record(vals?)
        }
        PExpr::Align(b, unit, count, week) => {
            let base = match b {
                Some(b) => eval_const(b, ctx)?,
                None => Value::Timestamp(ctx.now),
            };
            align_value(&base, *unit, *count, *week, ctx)
        }
    })
}

/// `x@unit`: timestamps round down; a duration is first taken as an offset from now.
pub fn align_value(v: &Value, unit: Unit, count: i64, week: Option<u32>, ctx: &Ctx) -> Value {
    match v {
        Value::Timestamp(t) => Value::Timestamp(time::align(*t, unit, count, week)),
        Value::Duration(d) => {
            Value::Timestamp(time::align(ctx.now.saturating_add(*d), unit, count, week))
        }
        _ => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diags(q: &str) -> Vec<Diagnostic> {
        let (ast, mut d) = crate::syntax::parse(q);
        let keys = vec!["eventName".to_string(), "eventSource".to_string()];
        let (_, d2) = plan(
            &ast,
            &PlanCtx {
                now: 0,
                event_keys: &keys,
            },
        );
        d.extend(d2);
        d
    }

    #[test]
    fn did_you_mean_everywhere() {
        for (q, code, hint) in [
            ("fetch logs | filtr x", "E302", "did you mean `filter`?"),
            (
                "fetch logs | filter startWith(content, \"a\")",
                "E330",
                "did you mean `startsWith`?",
            ),
            (
                "fetch logs | parse content, \"JSON:event\" | filter event[eventNmae] == \"x\"",
                "W302",
                "did you mean `event[eventName]`?",
            ),
            (
                "fetch logs | filter aws.regon == \"x\"",
                "W301",
                "did you mean `aws.region`?",
            ),
            (
                "fetch logs | summarize c = count() | filter cc > 1",
                "W304",
                "did you mean `c`? fields here: c",
            ),
            ("fetch logs, form: -1h", "E303", "did you mean `from:`?"),
            (
                "fetch logs | filter contains(content, \"a\", caseSensitiv: false)",
                "E332",
                "did you mean `caseSensitive:`?",
            ),
            ("fetch logs | filter x == 1h + 2q", "E326", ""),
        ] {
            let d = diags(q);
            let hit = d
                .iter()
                .find(|d| d.code == code)
                .unwrap_or_else(|| panic!("{q}: {d:?}"));
            assert!(
                hint.is_empty() || hit.hints.iter().any(|h| h == hint),
                "{q}: {hit:?}"
            );
        }
    }

    #[test]
    fn errors_for_misplaced_things() {
        for (q, code) in [
            ("filter x", "E301"),
            ("fetch logs | fetch logs", "E301"),
            ("fetch events", "E304"),
            ("fetch logs | filter count() > 1", "E331"),
            ("fetch logs | summarize content", "E321"),
            ("fetch logs | limit -1", "E313"),
            ("fetch logs | filter 22 * \"a\" == 1", "E328"),
            ("fetch logs | parse content, \"LD:x\"", "E319"),
            (
                "fetch logs | lookup [fetch logs], sourceField:a, lookupField:b",
                "E302",
            ),
            ("fetch logs | filter substring(content, 1, 2)", "E334"),
            ("fetch logs | filter aws.region = \"x\"", "E205"),
        ] {
            let d = diags(q);
            assert!(d.iter().any(|d| d.code == code), "{q}: {d:?}");
        }
    }

    #[test]
    fn patterns() {
        for (p, n, want) in [
            ("dt.*", "dt.system.bucket", true),
            ("dt.*", "aws.region", false),
            ("*.id", "aws.account.id", true),
            ("a", "a", true),
        ] {
            assert_eq!(field_matches(p, n), want, "{p} {n}");
        }
    }
}
