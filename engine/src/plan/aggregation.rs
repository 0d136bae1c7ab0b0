//! Aggregation commands: `summarize` (one row per group) and `makeTimeseries` (one row per
//! group with an array per aggregation, one element per time bin).

use std::sync::Arc;

use super::{flatten, output_name, AggCall, Op, PExpr, Params, Planner, Schema, Timeseries};
use crate::diag::{did_you_mean, Code, Diagnostic};
use crate::functions::{self, FnRef, Param, ParamKind};
use crate::syntax::ast::{self, Arg, ArgValue, Expr, ExprKind};
use crate::value::Value;

impl Planner<'_> {
    /// An aggregation call: its declared parameters (per-record expressions, checked constants)
    /// and, in makeTimeseries (`in_series`), `default:`, `rate:` and `scalar:`.
    pub(super) fn agg_call(&mut self, e: &Expr, in_series: bool) -> Option<AggCall> {
        let ExprKind::Call(name, args) = &e.kind else {
            return None;
        };
        let f = functions::lookup(&name.name)?;
        let agg = f.aggregate()?;
        if agg.bin.is_some() && !in_series {
            self.err(
                Diagnostic::error(
                    Code::E323,
                    e.span,
                    format!(
                        "expected `{}()` only in makeTimeseries, found it in summarize",
                        f.name
                    ),
                )
                .with_label("the start or end of each bin of a series")
                .with_hint(
                    "summarize has no bins: use makeTimeseries, or min(timestamp) / max(timestamp)",
                ),
            );
            return None;
        }
        let mut default = None;
        let (mut rate, mut scalar) = (None, false);
        let mut positional = Vec::new();
        let mut named: Vec<(&str, &Arg)> = Vec::new();
        for arg in args {
            match &arg.param {
                Some(p) if f.named().any(|(n, _)| n == p.name) => named.push((&p.name, arg)),
                Some(p) if in_series && agg.bin.is_some() => {
                    self.err(Diagnostic::error(
                        Code::E320,
                        p.span,
                        format!(
                            "expected no parameters for `{}()`, found `{}:`",
                            f.name, p.name
                        ),
                    ));
                }
                Some(p) if p.name == "rate" && in_series => {
                    match arg.expr().and_then(|x| self.constant(x)) {
                        Some(Value::Duration(d)) if d > 0 => rate = Some(d),
                        _ => self.err(Diagnostic::error(
                            Code::E320,
                            arg.span,
                            "expected a positive duration for `rate:`, e.g. 1m",
                        )),
                    }
                }
                Some(p) if p.name == "scalar" && in_series => {
                    match arg.expr().and_then(|x| self.constant(x)) {
                        Some(Value::Bool(b)) => scalar = b,
                        _ => self.err(Diagnostic::error(
                            Code::E320,
                            arg.span,
                            "expected true or false for `scalar:`",
                        )),
                    }
                }
                Some(p) if p.name == "default" && in_series => {
                    default = arg.expr().and_then(|x| self.constant(x));
                    if !matches!(default, Some(Value::Long(_) | Value::Double(_))) {
                        self.err(Diagnostic::error(
                            Code::E320,
                            arg.span,
                            "expected a number for `default:`",
                        ));
                    }
                }
                Some(p) => {
                    let own: Vec<&str> = f.named().map(|(n, _)| n).collect();
                    let takes = if own.is_empty() {
                        format!("expected no named parameters for `{}`", f.name)
                    } else {
                        format!(
                            "expected a parameter of `{}` ({}:)",
                            f.name,
                            own.join(":, ")
                        )
                    };
                    let series = ["default", "rate", "scalar"];
                    let mut d = Diagnostic::error(
                        Code::E320,
                        p.span,
                        format!(
                            "{takes}{}, found `{}:`",
                            if in_series { "" } else { " here" },
                            p.name
                        ),
                    )
                    .with_label("not a parameter of this aggregation");
                    if let Some(s) = did_you_mean(&p.name, own.iter().copied()) {
                        d = d.with_hint(format!("did you mean `{s}:`?"));
                    } else if in_series {
                        d = d.with_hint(
                            "makeTimeseries aggregations take `default:`, `rate:` and `scalar:`",
                        );
                    } else if series.contains(&p.name.as_str()) {
                        d = d.with_hint(format!(
                            "`{}:` belongs to makeTimeseries aggregations",
                            p.name
                        ));
                    }
                    self.err(d);
                }
                None => positional.push(arg),
            }
        }
        let (min, max) = f.arity();
        if max == usize::MAX {
            positional = flatten(&positional);
        }
        if positional.len() < min || positional.len() > max {
            let mut d = super::expr::arity_error(f, positional.len(), e.span);
            if positional.len() > max && f.named().next().is_some() {
                d = d.with_hint(format!(
                    "optional parameters must be named: {}:",
                    f.named().map(|(n, _)| n).collect::<Vec<_>>().join(":, ")
                ));
            }
            self.err(d);
            return None;
        }
        // `sum(a[])`: the aggregation runs per array position (element-wise), for aggregations
        // of one per-record value in summarize.
        let iterative: Vec<&Expr> = positional
            .iter()
            .filter_map(|a| a.expr())
            .filter(|x| super::expr::has_free_iteration(x))
            .collect();
        let elementwise = !iterative.is_empty();
        if let Some(x) = iterative.first() {
            let per_record = f
                .params
                .iter()
                .filter(|p| !p.constant && !matches!(p.kind, ParamKind::Named(_)))
                .count();
            let why = if in_series {
                Some("makeTimeseries aggregates over time bins, not array positions")
            } else if per_record != 1 || named.iter().any(|(n, _)| *n == "weight") {
                Some("element-wise aggregation takes one per-record value")
            } else {
                None
            };
            if let Some(why) = why {
                self.err(
                    Diagnostic::error(
                        Code::E346,
                        x.span,
                        format!("expected a per-record value in `{}`, found an iterative expression ({why})", f.name),
                    )
                    .with_label("an iterative expression in this aggregation")
                    .with_hint("aggregate the elements: expand the array first, or use arraySum/arrayAvg per record"),
                );
                return None;
            }
        }
        // The arguments read the records, not other aggregations' results.
        let slots = self.slots.take();
        let mut planned = Vec::new();
        let mut ok = true;
        for (i, a) in positional.iter().enumerate() {
            match f.positional_param(i).and_then(|p| self.agg_arg(f, p, a)) {
                Some(x) => planned.push(x),
                None => ok = false,
            }
        }
        for p in f.params {
            let ParamKind::Named(def) = p.kind else {
                continue;
            };
            match named.iter().rev().find(|(n, _)| *n == p.name) {
                Some((_, a)) => match self.agg_arg(f, p, a) {
                    Some(x) => planned.push(x),
                    None => ok = false,
                },
                None => planned.push(PExpr::Const(def.value())),
            }
        }
        self.slots = slots;
        if !ok {
            return None;
        }
        if agg.condition {
            if let (Some(pe), Some(x)) =
                (planned.first(), positional.first().and_then(|p| p.expr()))
            {
                self.check_condition(pe, x.span);
            }
        }
        Some(AggCall {
            func: f,
            args: planned,
            default,
            rate,
            scalar,
            elementwise,
        })
    }

    /// One argument of an aggregation: a per-record expression, or a constant of the declared
    /// type and range.
    fn agg_arg(&mut self, f: FnRef, p: &Param, a: &Arg) -> Option<PExpr> {
        let Some(x) = a.expr() else {
            self.err(Diagnostic::error(
                Code::E333,
                a.span,
                format!(
                    "expected a value for `{}` of `{}`, found a `{{ }}` group",
                    p.name, f.name
                ),
            ));
            return None;
        };
        let pe = self.expr(x)?;
        if !p.constant {
            return Some(pe);
        }
        let PExpr::Const(v) = pe else {
            self.err(
                Diagnostic::error(
                    Code::E340,
                    x.span,
                    format!(
                        "expected a constant for `{}` of `{}`, found an expression that reads fields",
                        p.name, f.name
                    ),
                )
                .with_label("must be the same for every record"),
            );
            return None;
        };
        if !p.ty.accepts(&v) {
            self.err(
                Diagnostic::error(
                    Code::E347,
                    x.span,
                    format!(
                        "expected a {} for `{}` of `{}`, found a {}",
                        p.ty,
                        p.name,
                        f.name,
                        v.type_name()
                    ),
                )
                .with_label(format!("not a {}", p.ty)),
            );
            return None;
        }
        self.check_range(f, p, &v, x.span)?;
        Some(PExpr::Const(v))
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

    pub(super) fn summarize(&mut self, c: &ast::Command, p: &Params) -> Option<Op> {
        let mut outputs: Vec<(Arc<str>, PExpr)> = Vec::new();
        // Aggregation calls in the expressions become slots (see `Planner::expr`).
        self.slots = Some(Vec::new());
        for a in flatten(&p.positional) {
            let Some(e) = a.expr() else { continue };
            let name = output_name(a, e);
            if let Some(pe) = self.expr(e) {
                outputs.push((Arc::from(name.as_str()), pe));
            }
        }
        let aggs = self.slots.take().unwrap_or_default();
        let by = p
            .named
            .iter()
            .flat_map(|(_, a)| self.by_param(a))
            .collect::<Vec<_>>();
        if outputs.is_empty() && by.is_empty() && p.positional.is_empty() {
            self.err(Diagnostic::error(
                Code::E322,
                c.span,
                "expected an aggregation such as count() in `summarize`",
            ));
        }
        let mut fields: Vec<String> = by.iter().map(|(n, _)| n.to_string()).collect();
        fields.extend(outputs.iter().map(|(n, _)| n.to_string()));
        self.schema = Schema::closed(fields);
        Some(Op::Summarize { by, aggs, outputs })
    }

    pub(super) fn make_timeseries(&mut self, c: &ast::Command, p: &Params) -> Option<Op> {
        let mut aggs = Vec::new();
        for a in flatten(&p.positional) {
            let Some(e) = a.expr() else { continue };
            let name = output_name(a, e);
            match self.agg_call(e, true) {
                Some(call) if !call.func.aggregate().is_some_and(|a| a.in_timeseries) => {
                    let accepted: Vec<&str> = functions::all()
                        .filter(|f| f.aggregate().is_some_and(|a| a.in_timeseries))
                        .map(|f| f.name)
                        .collect();
                    self.err(
                        Diagnostic::error(
                            Code::E323,
                            e.span,
                            format!(
                                "expected a time-series aggregation ({}), found `{}`, which makeTimeseries does not support",
                                accepted.join(", "),
                                call.func.name
                            ),
                        )
                        .with_hint("use summarize for takeFirst, collectArray and similar"),
                    );
                }
                Some(call) => aggs.push((Arc::from(name.as_str()), call)),
                None => {
                    if !self
                        .diags
                        .iter()
                        .any(|d| d.is_error() && e.span.range().contains(&(d.span.start as usize)))
                    {
                        self.err(Diagnostic::error(
                            Code::E323,
                            e.span,
                            "expected an aggregation such as count() or sum(x) in `makeTimeseries`",
                        ));
                    }
                }
            }
        }
        if aggs.is_empty() && p.positional.is_empty() {
            self.err(Diagnostic::error(
                Code::E323,
                c.span,
                "expected an aggregation such as count() in `makeTimeseries`",
            ));
        }
        let is_bin = |c: &AggCall| c.func.aggregate().is_some_and(|a| a.bin.is_some());
        if !aggs.is_empty() && aggs.iter().all(|(_, c)| is_bin(c)) {
            self.err(
                Diagnostic::error(
                    Code::E323,
                    c.span,
                    "expected another aggregation beside `start()` and `end()`, found only them",
                )
                .with_hint("add the values to chart, e.g. makeTimeseries count(), start()"),
            );
        }
        let mut ts = Timeseries {
            by: Vec::new(),
            aggs,
            interval: None,
            bins: None,
            from: None,
            to: None,
            time: PExpr::Field(Arc::from("timestamp")),
            spread: None,
            nonempty: false,
        };
        for (n, a) in &p.named {
            match n.name.as_str() {
                "by" => ts.by = self.by_param(a),
                "interval" => match a.expr().and_then(|e| self.constant(e)) {
                    Some(Value::Duration(d)) if d > 0 => ts.interval = Some(d),
                    _ => self.err(Diagnostic::error(
                        Code::E324,
                        a.span,
                        "expected a positive duration for `interval:`, e.g. 5m",
                    )),
                },
                "bins" => match a.expr().and_then(|e| self.constant(e)) {
                    Some(Value::Long(b)) if (1..=1500).contains(&b) => ts.bins = Some(b),
                    _ => self.err(Diagnostic::error(
                        Code::E324,
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
                "spread" => {
                    if let Some(e) = a.expr().and_then(|e| self.expr(e)) {
                        ts.spread = Some(e);
                    }
                    if let Some(bad) = ts
                        .aggs
                        .iter()
                        .find(|(_, c)| !is_bin(c) && !matches!(c.func.name, "count" | "countIf"))
                    {
                        self.err(
                            Diagnostic::error(
                                Code::E324,
                                a.span,
                                format!(
                                    "expected only count() or countIf() with `spread:`, found `{}`",
                                    bad.1.func.name
                                ),
                            )
                            .with_label("spread counts records per bin they overlap"),
                        );
                    }
                    if p.has("time") {
                        self.err(Diagnostic::error(
                            Code::E324,
                            a.span,
                            "expected `time:` or `spread:`, found both",
                        ));
                    }
                }
                "scalar" => {
                    // `scalar:` of the command: every aggregation gives one value.
                    match a.expr().and_then(|e| self.constant(e)) {
                        Some(Value::Bool(b)) => {
                            for (_, c) in &mut ts.aggs {
                                // start() and end() stay series: they are the bins.
                                c.scalar |= b && !is_bin(c);
                            }
                        }
                        _ => self.err(Diagnostic::error(
                            Code::E324,
                            a.span,
                            "expected true or false for `scalar:`",
                        )),
                    }
                }
                _ => {}
            }
        }
        let no_time = !p.has("time") && !p.has("spread");
        if no_time
            && !self.schema.open
            && !self.schema.fields.iter().any(|f| f == "timestamp")
            && self.schema.fields.iter().any(|f| f == "start_time")
        {
            // Dynatrace's fallback (spans have `start_time`, no `timestamp`).
            ts.time = PExpr::Field(Arc::from("start_time"));
        } else if no_time
            && !self.schema.open
            && !self.schema.fields.iter().any(|f| f == "timestamp")
        {
            self.err(Diagnostic::error(Code::E337, c.span, "expected a `timestamp` (or `start_time`) field for makeTimeseries, found none in the previous result").with_hint("name the time with time: <expression>"));
        }
        if ts.interval.is_some() && ts.bins.is_some() {
            self.err(Diagnostic::error(
                Code::E324,
                c.span,
                "expected either `interval:` or `bins:`, found both",
            ));
        }
        let mut fields = vec!["timeframe".to_string(), "interval".to_string()];
        fields.extend(ts.by.iter().map(|(n, _)| n.to_string()));
        fields.extend(ts.aggs.iter().map(|(n, _)| n.to_string()));
        self.schema = Schema::closed(fields);
        Some(Op::MakeTimeseries(ts))
    }

    /// `fieldsSummary field, …, topValues:, extrapolateSamples:`: one row per field.
    pub(super) fn fields_summary(&mut self, c: &ast::Command, p: &Params) -> Option<Op> {
        if p.positional.is_empty() {
            self.err(Diagnostic::error(
                Code::E338,
                c.span,
                "expected at least one field after `fieldsSummary`, found nothing",
            ));
            return None;
        }
        let fields = self.named_exprs(&p.positional, "fieldsSummary")?;
        let mut top = 20;
        for (param, a) in &p.named {
            match param.name.as_str() {
                "topValues" => match a.expr().and_then(|e| self.constant(e)) {
                    Some(Value::Long(n)) if n >= 0 => {
                        top = usize::try_from(n).unwrap_or(usize::MAX)
                    }
                    _ => {
                        self.err(Diagnostic::error(
                            Code::E343,
                            a.span,
                            "expected a whole number of 0 or more for `topValues:`",
                        ));
                        return None;
                    }
                },
                // Loaded CloudTrail is never sampled: counts are exact either way.
                _ => match a.expr().and_then(|e| self.constant(e)) {
                    Some(Value::Bool(_)) => {}
                    _ => {
                        self.err(Diagnostic::error(
                            Code::E343,
                            a.span,
                            "expected true or false for `extrapolateSamples:`",
                        ));
                        return None;
                    }
                },
            }
        }
        self.schema = Schema::closed(
            ["field", "rawCount", "count", "values"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
        );
        Some(Op::FieldsSummary { fields, top })
    }
}
