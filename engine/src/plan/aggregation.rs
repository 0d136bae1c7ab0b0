//! Aggregation commands: `summarize` (one row per group) and `makeTimeseries` (one row per
//! group with an array per aggregation, one element per time bin).

use std::sync::Arc;

use super::{flatten, output_name, AggCall, Op, PExpr, Params, Planner, Schema, Timeseries};
use crate::diag::{Code, Diagnostic};
use crate::functions;
use crate::syntax::ast::{self, Arg, ArgValue, Expr, ExprKind};
use crate::value::Value;

impl Planner<'_> {
    pub(super) fn agg_call(&mut self, e: &Expr, allow_default: bool) -> Option<AggCall> {
        let ExprKind::Call(name, args) = &e.kind else {
            return None;
        };
        let f = functions::lookup(&name.name)?;
        let agg = f.aggregate()?;
        let mut default = None;
        let (mut rate, mut scalar) = (None, false);
        let mut positional = Vec::new();
        for arg in args {
            match &arg.param {
                Some(p) if p.name == "rate" && allow_default => {
                    match arg.expr().and_then(|x| self.constant(x)) {
                        Some(Value::Duration(d)) if d > 0 => rate = Some(d),
                        _ => self.err(Diagnostic::error(
                            Code::E320,
                            arg.span,
                            "expected a positive duration for `rate:`, e.g. 1m",
                        )),
                    }
                }
                Some(p) if p.name == "scalar" && allow_default => {
                    match arg.expr().and_then(|x| self.constant(x)) {
                        Some(Value::Bool(b)) => scalar = b,
                        _ => self.err(Diagnostic::error(
                            Code::E320,
                            arg.span,
                            "expected true or false for `scalar:`",
                        )),
                    }
                }
                Some(p) if p.name == "default" && allow_default => {
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
                    self.err(
                        Diagnostic::error(
                            Code::E320,
                            p.span,
                            format!(
                                "expected no named parameters for `{}` here, found `{}:`",
                                f.name, p.name
                            ),
                        )
                        .with_hint(if allow_default {
                            "makeTimeseries aggregations take `default:`, `rate:` and `scalar:`"
                        } else {
                            ""
                        }),
                    );
                }
                None => positional.push(arg),
            }
        }
        let (min, max) = f.arity();
        if positional.len() < min || positional.len() > max {
            self.err(super::expr::arity_error(f, positional.len(), e.span));
            return None;
        }
        if let Some(x) = positional.first().and_then(|a| a.expr()) {
            if super::expr::has_free_iteration(x) {
                self.err(
                    Diagnostic::error(
                        Code::E346,
                        x.span,
                        format!("element-wise aggregation of arrays (`{}(a[])`) is not supported yet", f.name),
                    )
                    .with_label("an iterative expression in an aggregation")
                    .with_hint("aggregate the elements: expand the array first, or use arraySum/arrayAvg per record"),
                );
                return None;
            }
        }
        // The argument reads the records, not other aggregations' results.
        let slots = self.slots.take();
        let arg = match positional.first() {
            Some(a) => a.expr().and_then(|x| self.expr(x)),
            None => None,
        };
        self.slots = slots;
        if !positional.is_empty() && arg.is_none() {
            return None;
        }
        if agg.condition {
            if let (Some(pe), Some(x)) = (&arg, positional.first().and_then(|p| p.expr())) {
                self.check_condition(pe, x.span);
            }
        }
        Some(AggCall {
            func: f,
            arg,
            default,
            rate,
            scalar,
        })
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
                    self.err(Diagnostic::error(Code::E323, e.span, "expected a time-series aggregation (count, countIf, sum, avg, min, max, median, countDistinct), found one that makeTimeseries does not support").with_hint("use summarize for takeFirst, collectArray and similar"));
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
                        .find(|(_, c)| !matches!(c.func.name, "count" | "countIf"))
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
                                c.scalar |= b;
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
