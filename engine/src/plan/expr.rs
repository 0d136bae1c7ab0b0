//! Expressions: literals, fields, member access, function and operator calls (checked against
//! their declarations in `functions/`), time alignment; constant folding.
//!
//! About 950 lines on purpose: planning an expression is one recursive walk (calls, operators,
//! iteration, constants) whose cases call each other; split, each part would import the rest.

use std::sync::Arc;

use super::calendar::Cal;
use super::{default_name, flatten, PExpr, PKey, Planner};
use crate::diag::{did_you_mean, Code, Diagnostic, Span};
use crate::functions::{self, Ctx, FnRef, Imp, Iterative, Param, ParamKind, Ty};
use crate::syntax::ast::{self, Arg, ArgValue, BinOp, Expr, ExprKind, Key, Literal, UnOp};
use crate::time::{self, Unit};
use crate::value::Value;

impl Planner<'_> {
    /// A constant expression's value; an error if it reads fields.
    pub(super) fn constant(&mut self, e: &Expr) -> Option<Value> {
        let pe = self.expr(e)?;
        match eval_const(&pe, &Ctx { now: self.ctx.now }) {
            Some(v) => Some(v),
            None => {
                self.err(
                    Diagnostic::error(
                        Code::E309,
                        e.span,
                        "expected a constant value, found an expression that reads fields",
                    )
                    .with_label("must not depend on a record"),
                );
                None
            }
        }
    }

    /// Plans an expression. Inside `summarize` (when `self.slots` is set) an aggregation call
    /// becomes a slot and a field outside an aggregation is an error. An iterative expression
    /// (`a[] * 2`) that no `iAny`/`iCollectArray` encloses is wrapped in `iCollectArray` whole,
    /// as Dynatrace does.
    pub(super) fn expr(&mut self, e: &Expr) -> Option<PExpr> {
        // In summarize, an aggregation's own iterative argument is element-wise (`sum(a[])`).
        if self.iter.is_none() && free_iteration(e, self.slots.is_some()) {
            self.iter = Some(Vec::new());
            let body = self.expr_node(e);
            let arrays = self.iter.take().unwrap_or_default();
            return Some(PExpr::Iterate {
                any: false,
                arrays,
                body: Box::new(body?),
            });
        }
        self.expr_node(e)
    }

    fn expr_node(&mut self, e: &Expr) -> Option<PExpr> {
        if self.slots.is_some()
            && matches!(
                e.kind,
                ExprKind::Field(_)
                    | ExprKind::Index(..)
                    | ExprKind::Align(..)
                    | ExprKind::Subquery(_)
            )
        {
            self.err(Diagnostic::error(Code::E321, e.span, "expected an aggregation such as count() or sum(x), found a field outside an aggregation").with_hint("group by it with by: { … } or wrap it, e.g. takeFirst(x)"));
            return None;
        }
        // A calendar duration on its own (not added to a time) is not a value.
        if matches!(
            e.kind,
            ExprKind::Literal(Literal::Duration(..))
                | ExprKind::Unary(UnOp::Neg, _)
                | ExprKind::Binary(BinOp::Add | BinOp::Sub, ..)
        ) {
            match self.calendar(e) {
                Cal::Not => {}
                Cal::Invalid => return None,
                Cal::Is(_) => {
                    self.calendar_as_value(e.span);
                    return None;
                }
            }
        }
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
                                        Code::E326,
                                        e.span,
                                        "duration too long: expected at most about 292 years",
                                    ));
                                    return None;
                                }
                            },
                            Some(Unit::Months(_)) => {
                                self.calendar_as_value(e.span);
                                return None;
                            }
                            None => {
                                let mut d = Diagnostic::error(Code::E326, e.span, format!("expected a duration unit such as s, m, h or d, found `{u}`")).with_label("unknown unit");
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
                            Code::W302,
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
            ExprKind::Call(name, args) => return self.call(name, args, e),
            ExprKind::Unary(op, x) => {
                let x = self.expr(x)?;
                let f = functions::operator(if *op == UnOp::Not { "not" } else { "neg" });
                self.fold(f, vec![x], e.span)?
            }
            ExprKind::Binary(BinOp::In, l, r) => {
                let l = self.expr(l)?;
                let ExprKind::Subquery(q) = &r.kind else {
                    self.err(
                        Diagnostic::error(
                            Code::E207,
                            r.span,
                            "expected a sub-query `[ … ]` on the right of `in`",
                        )
                        .with_label("not a sub-query")
                        .with_hint("for a list of values use the function form: in(x, array(\"a\", \"b\"))"),
                    );
                    return None;
                };
                let (plan, schema) = self.subquery(q, r.span)?;
                if schema.open || schema.fields.len() != 1 {
                    let found = if schema.open {
                        "the fields of log records".to_string()
                    } else {
                        format!(
                            "{} fields ({})",
                            schema.fields.len(),
                            schema.fields.join(", ")
                        )
                    };
                    self.err(
                        Diagnostic::error(
                            Code::E344,
                            r.span,
                            format!("expected a sub-query that returns one field, found {found}"),
                        )
                        .with_label("`in` compares with the values of one field")
                        .with_hint("end the sub-query with `| fields <one field>`"),
                    );
                    return None;
                }
                PExpr::InSet(Box::new(l), Box::new(plan))
            }
            ExprKind::Iterate(base) => {
                // The array is read per record, outside the iteration.
                let outer = self.iter.take();
                let array = self.expr(base);
                self.iter = outer;
                let array = array?;
                let Some(arrays) = self.iter.as_mut() else {
                    self.err(Diagnostic::error(
                        Code::E346,
                        e.span,
                        "expected an iterative expression here, found `[]` outside one",
                    ));
                    return None;
                };
                arrays.push(array.clone());
                PExpr::Element(arrays.len() - 1, Box::new(array))
            }
            ExprKind::Binary(op, l, r) => {
                if *op == BinOp::Search
                    && self.slots.is_none()
                    && !matches!(r.kind, ExprKind::Literal(Literal::Str(_)))
                {
                    self.err(Diagnostic::error(
                        Code::E327,
                        r.span,
                        "expected a string literal on the right of `~`",
                    ));
                    return None;
                }
                if let (BinOp::Search, ExprKind::Literal(Literal::Str(t))) = (op, &r.kind) {
                    self.check_search_term(t, r.span)?;
                }
                if matches!(op, BinOp::Add | BinOp::Sub) {
                    if let Some(planned) = self.calendar_arithmetic(*op, l, r, e.span) {
                        return planned;
                    }
                }
                let l = self.expr(l)?;
                let r = self.expr(r)?;
                self.fold(functions::operator(op.text()), vec![l, r], e.span)?
            }
            ExprKind::Align(base, unit) => {
                let b = match base {
                    // `-2M@M`: two months before now, aligned.
                    Some(b) => match self.calendar_from_now(b) {
                        Some(t) => Some(Box::new(PExpr::Const(Value::Timestamp(t?)))),
                        None => Some(Box::new(self.expr(b)?)),
                    },
                    None => None,
                };
                let (u, count, week) = self.align_unit(unit)?;
                PExpr::Align(b, u, count, week)
            }
            ExprKind::Subquery(_) => {
                self.err(
                    Diagnostic::error(
                        Code::E335,
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

    /// Folds calls over constants, so that `22 * "a"` is reported before running.
    pub(super) fn fold(&mut self, f: FnRef, args: Vec<PExpr>, span: Span) -> Option<PExpr> {
        let consts: Option<Vec<&Value>> = args
            .iter()
            .map(|a| match a {
                PExpr::Const(v) => Some(v),
                PExpr::Compiled(p) => Some(&p.value),
                _ => None,
            })
            .collect();
        // A function whose result changes per call (`random()`) runs per record.
        if let Some(c) = consts.filter(|_| f.deterministic) {
            let v = f.apply(
                &c.iter().map(|v| (*v).clone()).collect::<Vec<_>>(),
                &Ctx { now: self.ctx.now },
            );
            let logical = f.is_operator() && matches!(f.name, "and" | "or" | "xor" | "not");
            if logical {
                if let Some(bad) = c.iter().find(|v| !v.is_null() && v.as_bool().is_none()) {
                    self.err(
                        Diagnostic::error(
                            Code::E328,
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
            let arith = f.is_operator() && matches!(f.name, "+" | "-" | "*" | "/" | "%" | "neg");
            let number = |v: &&Value| matches!(v, Value::Long(_) | Value::Double(_));
            // Past the last address is null, as an overflowing long is.
            let address = |v: &&Value| matches!(v, Value::Ip(_));
            let numeric = c.iter().all(number)
                || (matches!(f.name, "+" | "-")
                    && c.iter().any(address)
                    && c.iter().all(|v| number(v) || address(v)));
            if arith && v.is_null() && c.iter().all(|v| !v.is_null()) && !numeric {
                let types: Vec<&str> = c.iter().map(|v| v.type_name()).collect();
                self.err(
                    Diagnostic::error(
                        Code::E328,
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
                    Code::E329,
                    unit.span,
                    format!("expected a time unit after `@` (s, m, h, d, w, M, q, y), found `{s}`"),
                ));
                None
            }
        }
    }

    fn call(&mut self, name: &ast::Ident, args: &[Arg], e: &Expr) -> Option<PExpr> {
        let span = e.span;
        let Some(f) = functions::lookup(&name.name) else {
            let mut d = Diagnostic::error(
                Code::E330,
                name.span,
                format!(
                    "expected a function, found unknown function `{}`",
                    name.name
                ),
            )
            .with_label("unknown function");
            if let Some(s) = did_you_mean(&name.name, functions::names()) {
                d = d.with_hint(format!("did you mean `{s}`?"));
            }
            self.err(d);
            return None;
        };
        match f.imp {
            Imp::Aggregate(_) if self.slots.is_some() => {
                // Inside `summarize`: the aggregation runs per group; the expression reads its
                // result from a slot.
                let call = self.agg_call(e, false)?;
                let slots = self.slots.as_mut()?;
                slots.push(call);
                return Some(PExpr::Agg(slots.len() - 1));
            }
            Imp::Aggregate(_) => {
                self.err(Diagnostic::error(Code::E331, span, format!("expected a value, found the aggregation `{}()`", f.name)).with_label("aggregations belong in summarize or makeTimeseries").with_hint(format!("e.g. | summarize {}(…), by: {{ … }}; to use a result column named `{}()`, write it in backticks", f.name, f.name)));
                return None;
            }
            Imp::Record => return self.record(args),
            Imp::Iterative(kind) => return self.iterative(f, kind, args, e),
            Imp::Lookup => return self.lookup_function(args, e),
            Imp::Exists => return self.exists(f, args, e),
            Imp::Scalar(_) | Imp::Prepared { .. } => {}
        }
        let mut positional: Vec<&Arg> = Vec::new();
        let mut named: Vec<(&str, &Arg)> = Vec::new();
        // Required parameters may be passed by name (`timestamp(year: 2019, …)`), when no
        // parameter repeats.
        let by_name = |n: &str| {
            f.arity().1 != usize::MAX
                && f.params
                    .iter()
                    .any(|p| p.name == n && matches!(p.kind, ParamKind::Required))
        };
        let mut required_named: Vec<&Arg> = Vec::new();
        for a in args {
            match &a.param {
                Some(p) if f.named().any(|(n, _)| n == p.name) => named.push((p.name.as_str(), a)),
                Some(p) if by_name(&p.name) => required_named.push(a),
                Some(p) => {
                    let mut d = Diagnostic::error(
                        Code::E332,
                        p.span,
                        format!(
                            "expected a parameter of `{}`, found unknown parameter `{}:`",
                            f.name, p.name
                        ),
                    )
                    .with_label("unknown parameter");
                    if let Some(s) = did_you_mean(&p.name, f.named().map(|(n, _)| n)) {
                        d = d.with_hint(format!("did you mean `{s}:`?"));
                    }
                    self.err(d);
                    return None;
                }
                None => positional.push(a),
            }
        }
        let (min, max) = f.arity();
        if max == usize::MAX {
            positional = flatten(&positional);
        }
        if !required_named.is_empty() {
            positional = self.place_by_name(f, positional, &required_named)?;
        }
        if positional.len() < min || positional.len() > max {
            let mut d = arity_error(f, positional.len(), span);
            if positional.len() > max && f.named().next().is_some() {
                d = d.with_hint(format!(
                    "optional parameters must be named: {}",
                    f.named()
                        .map(|(n, _)| format!("{n}:"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            self.err(d);
            return None;
        }
        let mut out = Vec::new();
        for a in &positional {
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
                                    Code::E333,
                                    it.span,
                                    format!(
                                        "expected a value in the `{{ }}` group of `{}`",
                                        f.name
                                    ),
                                ));
                                return None;
                            }
                        }
                    }
                    let array = functions::lookup("array")?;
                    out.push(self.fold(array, vals, a.span)?);
                }
            }
        }
        // Parameters declared as text reject constants of other types, as Dynatrace's type
        // checker does (`lower(5)`); other mismatches give null at run time. Parameters declared
        // constant refuse arguments that read fields.
        for (i, arg) in out.iter().enumerate() {
            let Some(param) = f.positional_param(i) else {
                continue;
            };
            if param.constant && !matches!(arg, PExpr::Const(_)) {
                self.err(
                    Diagnostic::error(
                        Code::E340,
                        positional[i].span,
                        format!(
                            "expected a constant for `{}` of `{}`, found an expression that reads fields",
                            param.name, f.name
                        ),
                    )
                    .with_label("must be the same for every record"),
                );
                return None;
            }
            if let PExpr::Const(v) = arg {
                self.check_range(f, param, v, positional[i].span)?;
                if param.ty == Ty::STRING && !param.ty.accepts(v) {
                    let which = if i == 0 {
                        "the first parameter".to_string()
                    } else {
                        format!("parameter `{}`", param.name)
                    };
                    self.err(
                        Diagnostic::error(
                            Code::E339,
                            span,
                            format!(
                                "expected a string as {which} of `{}`, found a {}",
                                f.name,
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
        let mut spans: Vec<Span> = positional.iter().map(|a| a.span).collect();
        for p in f.params {
            let ParamKind::Named(def) = p.kind else {
                continue;
            };
            match named.iter().find(|(n, _)| *n == p.name) {
                // `timeframe(from: -1M)`: a calendar duration as an offset from now.
                Some((_, a)) if matches!(p.name, "from" | "to") => {
                    let x = a.expr()?;
                    match self.calendar_from_now(x) {
                        Some(t) => out.push(PExpr::Const(Value::Timestamp(t?))),
                        None => out.push(self.expr(x)?),
                    }
                    spans.push(a.span);
                }
                Some((_, a)) => {
                    let x = self.expr(a.expr()?)?;
                    if let PExpr::Const(v) = &x {
                        self.check_range(f, p, v, a.span)?;
                    }
                    if p.constant && !matches!(x, PExpr::Const(_)) {
                        self.err(Diagnostic::error(Code::E340, a.span, format!("expected a constant for `{}:` of `{}`, found an expression that reads fields", p.name, f.name)).with_label("must be the same for every record"));
                        return None;
                    }
                    out.push(x);
                    spans.push(a.span);
                }
                None => {
                    out.push(PExpr::Const(def.value()));
                    spans.push(span);
                }
            }
        }
        if let Some(check) = f.check {
            let consts: Vec<Option<&Value>> = out
                .iter()
                .map(|a| match a {
                    PExpr::Const(v) => Some(v),
                    _ => None,
                })
                .collect();
            if let Err(p) = check(&consts) {
                let mut d = Diagnostic::error(
                    Code::E348,
                    spans.get(p.arg).copied().unwrap_or(span),
                    p.message,
                );
                if let Some(h) = p.hint {
                    d = d.with_hint(h);
                }
                self.err(d);
                return None;
            }
        }
        if let Imp::Prepared {
            constant, prepare, ..
        } = f.imp
        {
            self.prepare(f, constant, prepare, &mut out, &positional)?;
        }
        self.fold(f, out, span)
    }

    /// A constant outside its parameter's declared range is an error (E347).
    pub(super) fn check_range(&mut self, f: FnRef, p: &Param, v: &Value, span: Span) -> Option<()> {
        let Some((lo, hi)) = p.range.filter(|_| !p.in_range(v)) else {
            return Some(());
        };
        let want = match v {
            Value::Str(_) if lo == hi => {
                format!("{lo} character{} long", if lo == 1.0 { "" } else { "s" })
            }
            Value::Str(_) => format!("{lo} to {hi} characters long"),
            _ => format!("from {lo} to {hi}"),
        };
        let mut found = String::new();
        v.write_json(&mut found);
        self.err(
            Diagnostic::error(
                Code::E347,
                span,
                format!(
                    "expected `{}` of `{}` {want}, found {found}",
                    p.name, f.name
                ),
            )
            .with_label("out of range"),
        );
        None
    }

    /// Positional arguments with the required parameters passed by name put in their places;
    /// `None` (after an error) when a place is taken twice or left empty.
    fn place_by_name<'b>(
        &mut self,
        f: FnRef,
        positional: Vec<&'b Arg>,
        by_name: &[&'b Arg],
    ) -> Option<Vec<&'b Arg>> {
        let required: Vec<&str> = f.positional().map(|p| p.name).collect();
        let mut slots: Vec<Option<&Arg>> = vec![None; required.len().max(positional.len())];
        for (i, a) in positional.into_iter().enumerate() {
            slots[i] = Some(a);
        }
        for a in by_name {
            let name = a.param.as_ref().map_or("", |p| p.name.as_str());
            let i = required.iter().position(|n| *n == name)?;
            if slots[i].is_some() {
                self.err(
                    Diagnostic::error(
                        Code::E334,
                        a.span,
                        format!("expected `{name}` of `{}` once, found it given twice (by position and by name)", f.name),
                    )
                    .with_label(format!("takes {}", f.signature())),
                );
                return None;
            }
            slots[i] = Some(a);
        }
        if let Some(i) = slots.iter().position(Option::is_none) {
            self.err(
                Diagnostic::error(
                    Code::E334,
                    by_name[0].span,
                    format!(
                        "expected `{}` of `{}`, found it missing",
                        required[i], f.name
                    ),
                )
                .with_label(format!("takes {}", f.signature())),
            );
            return None;
        }
        Some(slots.into_iter().flatten().collect())
    }

    /// `iAny(…)`, `iCollectArray(…)` (an iteration of their own) and `iIndex()`.
    fn iterative(&mut self, f: FnRef, kind: Iterative, args: &[Arg], e: &Expr) -> Option<PExpr> {
        let positional: Vec<&Arg> = args.iter().filter(|a| a.param.is_none()).collect();
        if positional.len() != args.len() {
            self.err(Diagnostic::error(
                Code::E332,
                e.span,
                format!("expected no named parameters for `{}`", f.name),
            ));
            return None;
        }
        let (min, max) = f.arity();
        if positional.len() < min || positional.len() > max {
            self.err(arity_error(f, positional.len(), e.span));
            return None;
        }
        if kind == Iterative::Index {
            if self.iter.is_none() {
                self.err(
                    Diagnostic::error(
                        Code::E346,
                        e.span,
                        "expected `iIndex()` inside an iterative expression, found it outside one",
                    )
                    .with_label("no `a[]` around it")
                    .with_hint(
                        "use it beside an array's elements: record(value = a[], index = iIndex())",
                    ),
                );
                return None;
            }
            return Some(PExpr::IterIndex);
        }
        let body = positional[0].expr()?;
        let outer = self.iter.replace(Vec::new());
        let planned = self.expr_node(body);
        let arrays = std::mem::replace(&mut self.iter, outer).unwrap_or_default();
        let planned = planned?;
        if arrays.is_empty() {
            self.err(
                Diagnostic::error(
                    Code::E346,
                    body.span,
                    format!(
                        "expected an iterative expression such as `a[] > 1` in `{}`, found none",
                        f.name
                    ),
                )
                .with_label("no `[]` here"),
            );
            return None;
        }
        Some(PExpr::Iterate {
            any: kind == Iterative::Any,
            arrays,
            body: Box::new(planned),
        })
    }

    /// `exists(field)`: the field (or member path) as written, without the warnings for unknown
    /// fields and members: asking is the point.
    fn exists(&mut self, f: FnRef, args: &[Arg], e: &Expr) -> Option<PExpr> {
        let [arg] = args else {
            self.err(arity_error(f, args.len(), e.span));
            return None;
        };
        let Some(x) = arg.expr().filter(|_| arg.param.is_none()) else {
            self.err(Diagnostic::error(
                Code::E347,
                arg.span,
                "expected a field name in `exists`, e.g. exists(event[errorCode])",
            ));
            return None;
        };
        if self.slots.is_some() {
            // In summarize, a field outside an aggregation: the usual error.
            return self.expr(x);
        }
        fn path(x: &Expr) -> Option<PExpr> {
            match &x.kind {
                ExprKind::Field(name) => Some(PExpr::Field(Arc::from(name.as_str()))),
                ExprKind::Index(base, key) => Some(PExpr::Member(
                    Box::new(path(base)?),
                    match key {
                        Key::Name(n) => PKey::Name(Arc::from(n.as_str())),
                        Key::Index(i) => PKey::Index(*i),
                    },
                )),
                _ => None,
            }
        }
        match path(x) {
            Some(p) => Some(PExpr::Exists(Box::new(p))),
            None => {
                self.err(
                    Diagnostic::error(
                        Code::E347,
                        x.span,
                        format!(
                            "expected a field name in `exists`, found `{}`",
                            x.canonical()
                        ),
                    )
                    .with_label("not a field or member path")
                    .with_hint(
                        "exists tells whether a record has a field; for a value use isNotNull(…)",
                    ),
                );
                None
            }
        }
    }

    /// Prepares a function's constant parameters once (compiles a pattern): the first becomes
    /// a [`PExpr::Compiled`]; errors point into its text.
    fn prepare(
        &mut self,
        f: FnRef,
        constant: &[usize],
        prepare: fn(&[Value]) -> Result<functions::Prepared, Vec<Diagnostic>>,
        out: &mut [PExpr],
        positional: &[&Arg],
    ) -> Option<()> {
        let mut values = Vec::new();
        for &i in constant {
            match out.get(i) {
                Some(PExpr::Const(v)) => values.push(v.clone()),
                _ => {
                    let span = positional.get(i).map_or(Span::default(), |a| a.span);
                    let name = f.positional_param(i).map_or("pattern", |p| p.name);
                    self.err(
                        Diagnostic::error(
                            Code::E309,
                            span,
                            format!("expected a constant `{name}` for `{}`, found an expression that reads fields", f.name),
                        )
                        .with_label("must be written in the query")
                        .with_hint(format!("`{}` compiles its {name} once, when the query is planned", f.name)),
                    );
                    return None;
                }
            }
        }
        let first = *constant.first()?;
        match prepare(&values) {
            Ok(p) => {
                out[first] = PExpr::Compiled(p);
                Some(())
            }
            Err(diags) => {
                let arg = positional.get(first).and_then(|a| a.expr());
                for mut d in diags {
                    d.span = match arg.map(|e| (&e.kind, e.span)) {
                        Some((ExprKind::Literal(Literal::Str(s)), lit)) => {
                            super::extraction::literal_span(s, lit, d.span)
                        }
                        Some((_, sp)) => sp,
                        None => d.span,
                    };
                    self.err(d);
                }
                None
            }
        }
    }

    fn record(&mut self, args: &[Arg]) -> Option<PExpr> {
        let refs: Vec<&Arg> = args.iter().collect();
        let mut fields: Vec<(Arc<str>, PExpr)> = Vec::new();
        for a in flatten(&refs) {
            let e = a.expr()?;
            let name = match (&a.alias, &e.kind) {
                (Some(al), _) => al.name.clone(),
                (None, ExprKind::Field(f)) => f.clone(),
                _ => default_name(e),
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

pub(super) fn arity_error(f: FnRef, n: usize, span: Span) -> Diagnostic {
    let (min, max) = f.arity();
    let want = if max == usize::MAX {
        format!("at least {min}")
    } else if min == max {
        min.to_string()
    } else {
        format!("{min} to {max}")
    };
    Diagnostic::error(
        Code::E334,
        span,
        format!(
            "expected {want} positional parameter{} for `{}`, found {n}",
            if want == "1" { "" } else { "s" },
            f.name
        ),
    )
    .with_label(format!("takes {}", f.signature()))
}

/// Evaluates an expression that reads no fields; `None` if it does.
pub fn eval_const(e: &PExpr, ctx: &Ctx) -> Option<Value> {
    Some(match e {
        PExpr::Const(v) => v.clone(),
        PExpr::Compiled(p) => p.value.clone(),
        PExpr::Field(_)
        | PExpr::Agg(_)
        | PExpr::Lookup { .. }
        | PExpr::SearchAll(_)
        | PExpr::InSet(..)
        | PExpr::Iterate { .. }
        | PExpr::Element(..)
        | PExpr::Exists(_)
        | PExpr::IterIndex => return None,
        PExpr::Member(b, k) => {
            let v = eval_const(b, ctx)?;
            match k {
                PKey::Name(n) => v.member(n),
                PKey::Index(i) => v.element(*i),
            }
        }
        PExpr::Call(f, args) => {
            let vals: Option<Vec<Value>> = args.iter().map(|a| eval_const(a, ctx)).collect();
            f.apply(&vals?, ctx)
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

/// True if `e` has an `a[]` that no `iAny`/`iCollectArray` encloses (sub-queries are their own).
pub(super) fn has_free_iteration(e: &Expr) -> bool {
    free_iteration(e, false)
}

/// As [`has_free_iteration`]; with `aggregations_own`, an aggregation call's arguments are its
/// own too (summarize's element-wise `sum(a[])`).
fn free_iteration(e: &Expr, aggregations_own: bool) -> bool {
    let free = |x: &Expr| free_iteration(x, aggregations_own);
    match &e.kind {
        ExprKind::Iterate(_) => true,
        ExprKind::Index(b, _) => free(b),
        ExprKind::Call(name, args) => {
            let own = functions::lookup(&name.name).is_some_and(|f| {
                matches!(f.imp, Imp::Iterative(Iterative::Any | Iterative::Collect))
                    || (aggregations_own && f.aggregate().is_some())
            });
            !own && args.iter().any(|a| arg_free_iteration(a, aggregations_own))
        }
        ExprKind::Unary(_, x) => free(x),
        ExprKind::Binary(_, l, r) => free(l) || free(r),
        ExprKind::Align(Some(b), _) => free(b),
        ExprKind::Align(None, _)
        | ExprKind::Literal(_)
        | ExprKind::Field(_)
        | ExprKind::Subquery(_)
        | ExprKind::Error => false,
    }
}

fn arg_free_iteration(a: &Arg, aggregations_own: bool) -> bool {
    match &a.value {
        ArgValue::Expr(e) => free_iteration(e, aggregations_own),
        ArgValue::Group(g) => g.iter().any(|a| arg_free_iteration(a, aggregations_own)),
    }
}
