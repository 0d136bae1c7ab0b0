//! `EXPLAIN`: a plan printed as the pipeline the planner decided on, one command per line, in
//! DQL syntax: names resolved to their catalogue spelling, every optional parameter written
//! with its value (defaults included), constants folded, relative time frames made absolute,
//! and the column each expression becomes named (`name = expr`).

use std::fmt::{self, Display, Write as _};

use super::{AggCall, Dpl, JoinKind, Op, PExpr, PKey, Plan, SortKey, Source};
use crate::functions::{FnRef, ParamKind};
use crate::syntax::quote;
use crate::time::{self, Unit, NS_PER_DAY, NS_PER_HOUR, NS_PER_MIN, NS_PER_SEC};
use crate::value::Value;

impl Plan {
    /// The plan as `EXPLAIN` prints it: the "now" relative times counted from, then the
    /// pipeline. The text is DQL (the notes are comments).
    pub fn explain(&self, now: i64) -> String {
        format!("// now: {}\n{self}", time::format_timestamp(now))
    }
}

impl Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.source {
            Source::Logs { from, to, buckets } => {
                f.write_str("fetch logs")?;
                if let Some(t) = from {
                    write!(f, ", from: {}", timestamp(*t))?;
                }
                if let Some(t) = to {
                    write!(f, ", to: {}", timestamp(*t))?;
                }
                if !buckets.is_empty() {
                    let names: Vec<String> = buckets.iter().map(|b| quote::string(b)).collect();
                    write!(f, ", bucket: {{{}}}", names.join(", "))?;
                }
                match (from, to) {
                    (None, None) => {
                        f.write_str(" // the global time frame (default: all loaded data)")?
                    }
                    (Some(_), None) => f.write_str(" // to now")?,
                    _ => {}
                }
            }
            Source::Data(rows) => {
                let recs: Vec<String> = rows
                    .iter()
                    .map(|r| {
                        let members: Vec<String> = r
                            .iter()
                            .map(|(k, v)| format!("{} = {}", quote::field(k), value(v)))
                            .collect();
                        format!("record({})", members.join(", "))
                    })
                    .collect();
                write!(f, "data {}", recs.join(", "))?;
            }
        }
        for op in &self.ops {
            f.write_str("\n| ")?;
            op.fmt(f)?;
        }
        Ok(())
    }
}

impl Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Op::Filter(e) => write!(f, "filter {}", expr(e, &[])),
            Op::Search(e) => write!(f, "search {}", expr(e, &[])),
            Op::Expand { name, array, limit } => {
                write!(
                    f,
                    "expand {}",
                    assignments(&[(name.clone(), array.clone())], &[])
                )?;
                if let Some(n) = limit {
                    write!(f, ", limit: {n}")?;
                }
                Ok(())
            }
            Op::FieldsFlatten {
                record,
                prefix,
                depth,
                fields,
            } => {
                write!(f, "fieldsFlatten {}", expr(record, &[]))?;
                match fields {
                    Some(items) => {
                        let items: Vec<String> = items
                            .iter()
                            .map(|(n, path)| {
                                let mut p = quote::field(&path[0]);
                                for k in &path[1..] {
                                    let _ = write!(p, "[{}]", quote::key(k));
                                }
                                if path.len() == 1 && path[0] == *n {
                                    p
                                } else {
                                    format!("{} = {p}", quote::field(n))
                                }
                            })
                            .collect();
                        write!(f, ", fields: {{{}}}", items.join(", "))?;
                    }
                    None => write!(f, ", prefix: {}", quote::string(prefix))?,
                }
                write!(f, ", depth: {depth}")
            }
            Op::FieldsSummary { fields, top } => {
                write!(
                    f,
                    "fieldsSummary {}, topValues: {top}",
                    assignments(fields, &[])
                )
            }
            Op::Append(plan) => write!(f, "append {}", subplan(plan)),
            Op::Lookup {
                table,
                source,
                key,
                prefix,
                fields,
            } => {
                write!(
                    f,
                    "lookup {}, sourceField: {}, lookupField: {}, prefix: {}",
                    subplan(table),
                    expr(source, &[]),
                    expr(key, &[]),
                    quote::string(prefix)
                )?;
                if let Some(items) = fields {
                    write!(f, ", fields: {{{}}}", assignments(items, &[]))?;
                }
                Ok(())
            }
            Op::Join {
                table,
                kind,
                on,
                prefix,
                fields,
            } => {
                let kind = match kind {
                    JoinKind::Inner => "inner",
                    JoinKind::LeftOuter => "leftOuter",
                    JoinKind::Outer => "outer",
                };
                write!(
                    f,
                    "join {}, kind: {kind}, on: {{{}}}, prefix: {}",
                    subplan(table),
                    conditions(on),
                    quote::string(prefix)
                )?;
                if let Some(items) = fields {
                    write!(f, ", fields: {{{}}}", assignments(items, &[]))?;
                }
                Ok(())
            }
            Op::JoinNested {
                table,
                name,
                on,
                fields,
            } => {
                write!(
                    f,
                    "joinNested {} = {}, on: {{{}}}",
                    quote::field(name),
                    subplan(table),
                    conditions(on)
                )?;
                if let Some(items) = fields {
                    write!(f, ", fields: {{{}}}", assignments(items, &[]))?;
                }
                Ok(())
            }
            Op::FilterOut(e) => write!(f, "filterOut {}", expr(e, &[])),
            Op::Fields(items) => write!(f, "fields {}", assignments(items, &[])),
            Op::FieldsAdd(items) => write!(f, "fieldsAdd {}", assignments(items, &[])),
            Op::FieldsKeep(pats) => write!(f, "fieldsKeep {}", patterns(pats)),
            Op::FieldsRemove(pats) => write!(f, "fieldsRemove {}", patterns(pats)),
            Op::FieldsRename(pairs) => {
                let p: Vec<String> = pairs
                    .iter()
                    .map(|(new, old)| format!("{} = {}", quote::field(new), quote::field(old)))
                    .collect();
                write!(f, "fieldsRename {}", p.join(", "))
            }
            Op::Sort(keys) => write!(f, "sort {}", sort_keys(keys)),
            Op::Limit(n) => write!(f, "limit {n}"),
            Op::Dedup { keys, sort } => {
                let k: Vec<String> = keys.iter().map(|e| expr(e, &[])).collect();
                write!(f, "dedup {}", k.join(", "))?;
                if !sort.is_empty() {
                    write!(f, ", sort: {{{}}}", sort_keys(sort))?;
                }
                Ok(())
            }
            Op::Parse {
                input,
                pattern,
                preserve,
                prerequisite,
            } => {
                let text = match pattern {
                    Dpl::Json(name) => format!("JSON:{name}"),
                    Dpl::Pattern(p) => p.source().to_string(),
                };
                write!(
                    f,
                    "parse {}, {}, preserveFieldsOnFailure: {preserve}",
                    expr(input, &[]),
                    quote::string(&text)
                )?;
                if let Some(c) = prerequisite {
                    write!(f, ", parsingPrerequisite: {}", expr(c, &[]))?;
                }
                Ok(())
            }
            Op::Summarize { by, aggs, outputs } => {
                let slots: Vec<String> = aggs.iter().map(agg_call).collect();
                write!(f, "summarize {}", assignments(outputs, &slots))?;
                if !by.is_empty() {
                    write!(f, ", by: {{{}}}", assignments(by, &[]))?;
                }
                Ok(())
            }
            Op::MakeTimeseries(ts) => {
                let aggs: Vec<String> = ts
                    .aggs
                    .iter()
                    .map(|(n, c)| format!("{} = {}", quote::field(n), agg_call(c)))
                    .collect();
                write!(f, "makeTimeseries {}", aggs.join(", "))?;
                if !ts.by.is_empty() {
                    write!(f, ", by: {{{}}}", assignments(&ts.by, &[]))?;
                }
                if let Some(iv) = ts.interval {
                    write!(f, ", interval: {}", duration(iv))?;
                }
                if let Some(b) = ts.bins {
                    write!(f, ", bins: {b}")?;
                }
                if let Some(t) = ts.from {
                    write!(f, ", from: {}", timestamp(t))?;
                }
                if let Some(t) = ts.to {
                    write!(f, ", to: {}", timestamp(t))?;
                }
                match &ts.spread {
                    Some(sp) => write!(f, ", spread: {}", expr(sp, &[]))?,
                    None => write!(f, ", time: {}", expr(&ts.time, &[]))?,
                }
                if ts.nonempty {
                    f.write_str(", nonempty: true")?;
                }
                Ok(())
            }
        }
    }
}

fn timestamp(t: i64) -> String {
    format!("toTimestamp({})", quote::string(&time::format_timestamp(t)))
}

/// A duration literal in the largest unit that divides it.
fn duration(ns: i64) -> String {
    for (len, unit) in [
        (7 * NS_PER_DAY, "w"),
        (NS_PER_DAY, "d"),
        (NS_PER_HOUR, "h"),
        (NS_PER_MIN, "m"),
        (NS_PER_SEC, "s"),
        (1_000_000, "ms"),
        (1_000, "us"),
    ] {
        if ns != 0 && ns % len == 0 {
            return format!("{}{unit}", ns / len);
        }
    }
    format!("{ns}ns")
}

/// A constant as DQL text that reads back as the same value.
fn value(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Long(n) => n.to_string(),
        // Debug keeps `.0` and exponents, so the text reads back as a double.
        Value::Double(d) => format!("{d:?}"),
        Value::Str(s) => quote::string(s),
        Value::Timestamp(t) => timestamp(*t),
        Value::Duration(d) => duration(*d),
        Value::Timeframe(s, e) => format!(
            "timeframe(from: {}, to: {})",
            quote::string(&time::format_timestamp(*s)),
            quote::string(&time::format_timestamp(*e))
        ),
        Value::Ip(ip) => format!("ip({})", quote::string(&crate::ip::format(ip))),
        Value::Uid(u) => format!("toUid({})", quote::string(&u.to_string())),
        Value::Binary(b) => format!(
            "decodeBase64ToBinary({})",
            quote::string(&crate::value::base64(b))
        ),
        Value::Array(xs) => {
            let items: Vec<String> = xs.iter().map(value).collect();
            format!("array({})", items.join(", "))
        }
        Value::Record(r) => {
            let items: Vec<String> = r
                .fields
                .iter()
                .map(|(k, v)| format!("{} = {}", quote::field(k), value(v)))
                .collect();
            format!("record({})", items.join(", "))
        }
    }
}

fn assignments(items: &[(std::sync::Arc<str>, PExpr)], slots: &[String]) -> String {
    items
        .iter()
        .map(|(name, e)| match e {
            PExpr::Field(f) if f == name => quote::field(name),
            _ => format!("{} = {}", quote::field(name), expr(e, slots)),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn patterns(pats: &[String]) -> String {
    // Patterns such as `dt.*` are written as the lexer reads them.
    pats.iter()
        .map(|p| {
            if p.contains('*') {
                p.clone()
            } else {
                quote::field(p)
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn sort_keys(keys: &[SortKey]) -> String {
    keys.iter()
        .map(|k| {
            let dir = if k.descending { "desc" } else { "asc" };
            format!("{} {dir}", expr(&k.expr, &[]))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn agg_call(c: &AggCall) -> String {
    // Named parameters are shown where they differ from their defaults.
    let mut parts = Vec::new();
    for (p, a) in c.func.arg_params(c.args.len()).iter().zip(&c.args) {
        let text = expr(a, &[]);
        match p.kind {
            ParamKind::Named(d) if text == value(&d.value()) => {}
            ParamKind::Named(_) => parts.push(format!("{}: {text}", p.name)),
            _ => parts.push(text),
        }
    }
    if let Some(d) = &c.default {
        parts.push(format!("default: {}", value(d)));
    }
    if let Some(r) = c.rate {
        parts.push(format!("rate: {}", duration(r)));
    }
    if c.scalar {
        parts.push("scalar: true".into());
    }
    format!("{}({})", c.func.name, parts.join(", "))
}

/// An operand: operators and alignments get parentheses so that precedence never matters.
fn operand(e: &PExpr, slots: &[String]) -> String {
    match e {
        PExpr::Call(f, _) if f.is_operator() => format!("({})", expr(e, slots)),
        PExpr::Align(..) => format!("({})", expr(e, slots)),
        _ => expr(e, slots),
    }
}

fn call(f: FnRef, args: &[PExpr], slots: &[String]) -> String {
    if f.is_operator() {
        return match (f.name, args) {
            ("neg", [x]) => format!("-{}", operand(x, slots)),
            ("+M", [x, PExpr::Const(Value::Long(m)), PExpr::Const(Value::Duration(ns))]) => {
                calendar(&operand(x, slots), *m, *ns)
            }
            ("not", [x]) => format!("not {}", operand(x, slots)),
            (op, [x, y]) => format!("{} {op} {}", operand(x, slots), operand(y, slots)),
            (op, _) => format!("{op}(…)"),
        };
    }
    let named: Vec<&str> = f
        .params
        .iter()
        .filter_map(|p| match p.kind {
            ParamKind::Named(_) => Some(p.name),
            _ => None,
        })
        .collect();
    let positional = args.len().saturating_sub(named.len());
    let mut parts: Vec<String> = args[..positional].iter().map(|a| expr(a, slots)).collect();
    parts.extend(
        named
            .iter()
            .zip(&args[positional..])
            .map(|(n, a)| format!("{n}: {}", expr(a, slots))),
    );
    format!("{}({})", f.name, parts.join(", "))
}

/// `t + 1M`, `t - 1y + 2w`: the calendar shift as the query wrote it (months first).
fn calendar(time: &str, months: i64, ns: i64) -> String {
    let (sign, m) = if months < 0 {
        ("-", months.unsigned_abs())
    } else {
        ("+", months.unsigned_abs())
    };
    let months = match m {
        m if m % 12 == 0 && m > 0 => format!("{}y", m / 12),
        m if m % 3 == 0 && m > 0 => format!("{}q", m / 3),
        m => format!("{m}M"),
    };
    let mut s = format!("{time} {sign} {months}");
    if ns != 0 {
        let (sign, d) = if ns < 0 {
            ("-", ns.checked_neg())
        } else {
            ("+", Some(ns))
        };
        match d {
            Some(d) => s.push_str(&format!(" {sign} {}", duration(d))),
            None => s.push_str(&format!(" - {}", duration(ns))),
        }
    }
    s
}

fn align_unit(unit: Unit, count: i64, week: Option<u32>) -> String {
    let name = match unit {
        Unit::Fixed(len) => {
            let d = duration(len);
            d.trim_start_matches(|c: char| c.is_ascii_digit())
                .to_string()
        }
        Unit::Months(1) => "M".into(),
        Unit::Months(3) => "q".into(),
        Unit::Months(_) => "y".into(),
    };
    let count = if count == 1 {
        String::new()
    } else {
        count.to_string()
    };
    match week {
        Some(d) => format!("{count}w{d}"),
        None => format!("{count}{name}"),
    }
}

/// An expression as DQL text; `slots` are the aggregation calls `PExpr::Agg` stands for.
pub(super) fn expr(e: &PExpr, slots: &[String]) -> String {
    match e {
        PExpr::Const(v) => value(v),
        PExpr::Compiled(p) => value(&p.value),
        PExpr::Field(n) => quote::field(n),
        PExpr::Member(b, PKey::Name(k)) => format!("{}[{}]", operand(b, slots), quote::key(k)),
        PExpr::Member(b, PKey::Index(i)) => format!("{}[{i}]", operand(b, slots)),
        PExpr::Call(f, args) => call(f, args, slots),
        PExpr::Record(fields) => {
            let items: Vec<String> = fields
                .iter()
                .map(|(k, v)| format!("{} = {}", quote::field(k), expr(v, slots)))
                .collect();
            format!("record({})", items.join(", "))
        }
        PExpr::Align(base, unit, count, week) => {
            let base = base.as_ref().map_or(String::new(), |b| operand(b, slots));
            format!("{base}@{}", align_unit(*unit, *count, *week))
        }
        PExpr::SearchAll(term) => quote::string(term),
        PExpr::Lookup { table, source, key } => format!(
            "lookup({}, sourceField: {}, lookupField: {})",
            subplan(table),
            expr(source, slots),
            expr(key, slots)
        ),
        PExpr::InSet(x, plan) => format!("{} in {}", operand(x, slots), subplan(plan)),
        PExpr::Iterate { any, body, .. } => format!(
            "{}({})",
            if *any { "iAny" } else { "iCollectArray" },
            expr(body, slots)
        ),
        PExpr::Element(_, array) => format!("{}[]", operand(array, slots)),
        PExpr::IterIndex => "iIndex()".into(),
        PExpr::Exists(path) => format!("exists({})", expr(path, slots)),
        PExpr::Agg(i) => slots
            .get(*i)
            .cloned()
            .unwrap_or_else(|| format!("<aggregation {i}>")),
    }
}

/// A sub-query as `EXPLAIN` prints it: its plan, indented, in brackets.
fn subplan(plan: &Plan) -> String {
    let lines: Vec<String> = plan
        .to_string()
        .lines()
        .map(|l| format!("    {l}"))
        .collect();
    format!("[\n{}\n  ]", lines.join("\n"))
}

/// Join conditions as `left[a] == right[b]`.
fn conditions(on: &[(PExpr, PExpr)]) -> String {
    on.iter()
        .map(|(l, r)| format!("{} == {}", side("left", l), side("right", r)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// An expression over one side of a join, written `left[…]` / `right[…]`.
fn side(which: &str, e: &PExpr) -> String {
    match e {
        PExpr::Field(n) => format!("{which}[{}]", quote::key(n)),
        PExpr::Member(b, PKey::Name(k)) => format!("{}[{}]", side(which, b), quote::key(k)),
        PExpr::Member(b, PKey::Index(i)) => format!("{}[{i}]", side(which, b)),
        other => expr(other, &[]),
    }
}
