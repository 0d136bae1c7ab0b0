//! Data source commands: `fetch` (log records in a time frame, of some buckets) and `data`
//! (records written in the query).

use std::sync::Arc;

use super::{Planner, Schema, Source};
use crate::diag::{Code, Diagnostic};
use crate::storage::BaseField;
use crate::syntax::ast::{self, Arg, ArgValue, ExprKind, Literal};
use crate::time;
use crate::value::Value;

impl Planner<'_> {
    pub(super) fn fetch(&mut self, c: &ast::Command) -> Option<Source> {
        let decl = super::commands::lookup("fetch")?;
        let p = self.params(&c.args, decl.params, decl.name);
        let obj = p.positional.first().and_then(|a| a.expr());
        match obj.map(|e| &e.kind) {
            Some(ExprKind::Field(n)) if n == "logs" => {}
            Some(ExprKind::Field(n)) => {
                let span = obj.map_or(c.span, |e| e.span);
                self.err(
                    Diagnostic::error(
                        Code::E304,
                        span,
                        format!("expected `logs`, found data object `{n}`"),
                    )
                    .with_label("Trailscope holds CloudTrail events as logs")
                    .with_hint("write: fetch logs"),
                );
            }
            _ => self.err(
                Diagnostic::error(
                    Code::E304,
                    c.name.span.to(c.span),
                    "expected a data object after `fetch`, found nothing",
                )
                .with_hint("write: fetch logs"),
            ),
        }
        for extra in p.positional.iter().skip(1) {
            self.err(Diagnostic::error(Code::E305, extra.span, "expected a named parameter such as `from:`, found a second positional parameter").with_hint("optional parameters must be named: fetch logs, from: -30min"));
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
                                Code::E306,
                                it.span,
                                "expected a bucket name in quotes",
                            )),
                        }
                    }
                }
                _ => {}
            }
        }
        if p.has("timeframe") && (p.has("from") || p.has("to")) {
            self.err(
                Diagnostic::error(
                    Code::E307,
                    c.span,
                    "expected either `timeframe:` or `from:`/`to:`, found both",
                )
                .with_label("conflicting time frames"),
            );
        }
        if let (Some(a), Some(b)) = (from, to) {
            if a > b {
                self.err(Diagnostic::error(
                    Code::E307,
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
            events: Default::default(),
        };
        Some(Source::Logs { from, to, buckets })
    }

    /// A constant `from:`/`to:`: a duration is an offset from now (a calendar one too:
    /// `from: -1M`), a string a timestamp.
    pub(super) fn time_param(&mut self, arg: &Arg) -> Option<i64> {
        let e = arg.expr()?;
        if let Some(t) = self.calendar_from_now(e) {
            return t;
        }
        let v = self.constant(e)?;
        match v {
            Value::Timestamp(t) => Some(t),
            Value::Duration(d) => Some(self.ctx.now.saturating_add(d)),
            Value::Long(n) => Some(n),
            Value::Str(s) => match time::parse_timestamp(&s) {
                Some(t) => Some(t),
                None => {
                    self.err(Diagnostic::error(Code::E308, e.span, format!("expected an ISO 8601 timestamp such as \"2026-11-20T08:00:00Z\", found {s:?}")));
                    None
                }
            },
            other => {
                self.err(Diagnostic::error(
                    Code::E308,
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

    pub(super) fn timeframe_param(&mut self, arg: &Arg) -> Option<(i64, i64)> {
        let e = arg.expr()?;
        match self.constant(e)? {
            Value::Timeframe(a, b) => Some((a, b)),
            Value::Str(s) => {
                let parsed = s.split_once('/').and_then(|(a, b)| {
                    Some((time::parse_timestamp(a)?, time::parse_timestamp(b)?))
                });
                if parsed.is_none() {
                    self.err(Diagnostic::error(Code::E308, e.span, format!("expected a time frame \"<start>/<end>\" of ISO 8601 timestamps, found {s:?}")));
                }
                parsed
            }
            other => {
                self.err(Diagnostic::error(
                    Code::E308,
                    e.span,
                    format!("expected a time frame, found a {}", other.type_name()),
                ));
                None
            }
        }
    }

    pub(super) fn data(&mut self, c: &ast::Command) -> Option<Source> {
        let decl = super::commands::lookup("data")?;
        let p = self.params(&c.args, decl.params, decl.name);
        let mut rows: Vec<Vec<(Arc<str>, Value)>> = Vec::new();
        for (_, arg) in &p.named {
            let Some(e) = arg.expr() else { continue };
            match self.constant(e) {
                Some(Value::Str(s)) => match crate::storage::tape::parse_value(&s) {
                    Ok(Value::Record(r)) => rows.push(r.fields.clone()),
                    Ok(Value::Array(items)) => {
                        if items.iter().any(|it| !matches!(it, Value::Record(_))) {
                            self.err(Diagnostic::error(
                                Code::E310,
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
                        Code::E310,
                        e.span,
                        "expected a JSON object or array of objects in `json:`",
                    )),
                    Err(je) => self.err(Diagnostic::error(
                        Code::E310,
                        e.span,
                        format!(
                            "invalid JSON in `json:` at byte {}: {}",
                            je.offset, je.message
                        ),
                    )),
                },
                Some(_) => self.err(Diagnostic::error(
                    Code::E310,
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
                    Code::E310,
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
        self.schema = Schema::closed(fields);
        Some(Source::Data(rows))
    }
}
