//! Calendar durations (`1M` months, `1q` quarters, `1y` years): lengths that depend on the date
//! they are added to, so they are not values. Dynatrace: they can be used "in calculations …
//! but not as field values". The planner reads them where time arithmetic takes them —
//! `timestamp + 1y`, `now() - 1M + 2w` (the `+M` operator), an offset from now in `from:`/`to:`
//! (`from: -1M`, `timeframe(from: -1q)`) and before `@` (`-2M@M`), both constant timestamps —
//! and reports them anywhere else (E326). `d` and `w` are calendar days and weeks in Dynatrace
//! too; in UTC, where Trailscope computes, they are exactly 24 h and 7 × 24 h.

use super::{PExpr, Planner};
use crate::diag::{Code, Diagnostic, Span};
use crate::functions;
use crate::syntax::ast::{BinOp, Expr, ExprKind, Literal, UnOp};
use crate::time::{self, Unit};
use crate::value::Value;

/// Months beyond any timestamp's reach (the nanosecond range spans under 600 years).
const MAX_MONTHS: i64 = 12 * 600;

/// A calendar duration: whole months, then a fixed part (Java's order: a `Period`, then a
/// `Duration`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Calendar {
    months: i64,
    nanos: i64,
}

/// What an expression is, as far as calendar durations go.
pub(super) enum Cal {
    /// Not a calendar duration (a plain value, a fixed duration).
    Not,
    Is(Calendar),
    /// A calendar duration too long to hold (reported).
    Invalid,
}

impl Calendar {
    fn neg(self) -> Option<Calendar> {
        Some(Calendar {
            months: self.months.checked_neg()?,
            nanos: self.nanos.checked_neg()?,
        })
    }

    fn plus(self, o: Calendar) -> Option<Calendar> {
        let months = self.months.checked_add(o.months)?;
        (months.abs() <= MAX_MONTHS).then_some(Calendar {
            months,
            nanos: self.nanos.checked_add(o.nanos)?,
        })
    }

    /// The timestamp this far from `t`; `None` out of the timestamp range.
    pub(super) fn shift(self, t: i64) -> Option<i64> {
        time::add_months(t, self.months)?.checked_add(self.nanos)
    }
}

impl Planner<'_> {
    /// `e` as a calendar duration: a duration literal in months, quarters or years, its
    /// negation, or a sum or difference of such and fixed duration literals (`-1M + 2w`).
    pub(super) fn calendar(&mut self, e: &Expr) -> Cal {
        let too_long = |p: &mut Self| {
            p.err(Diagnostic::error(
                Code::E326,
                e.span,
                "calendar duration too long: expected at most 600 years",
            ));
            Cal::Invalid
        };
        match &e.kind {
            ExprKind::Literal(Literal::Duration(n, u)) => match time::unit(u) {
                Some(Unit::Months(per)) => {
                    match n.checked_mul(per).filter(|m| m.abs() <= MAX_MONTHS) {
                        Some(months) => Cal::Is(Calendar { months, nanos: 0 }),
                        None => too_long(self),
                    }
                }
                _ => Cal::Not,
            },
            ExprKind::Unary(UnOp::Neg, x) => match self.calendar(x) {
                Cal::Is(c) => c.neg().map_or_else(|| too_long(self), Cal::Is),
                other => other,
            },
            ExprKind::Binary(op @ (BinOp::Add | BinOp::Sub), l, r) => {
                let left = match self.calendar(l) {
                    Cal::Is(c) => Some(c),
                    Cal::Invalid => return Cal::Invalid,
                    Cal::Not => None,
                };
                let right = match self.calendar(r) {
                    Cal::Is(c) => Some(c),
                    Cal::Invalid => return Cal::Invalid,
                    Cal::Not => None,
                };
                if left.is_none() && right.is_none() {
                    return Cal::Not;
                }
                let fixed = |x: &Expr| fixed(x).map(|nanos| Calendar { months: 0, nanos });
                let (Some(a), Some(b)) = (left.or_else(|| fixed(l)), right.or_else(|| fixed(r)))
                else {
                    return Cal::Not;
                };
                let b = if *op == BinOp::Sub { b.neg() } else { Some(b) };
                b.and_then(|b| a.plus(b))
                    .map_or_else(|| too_long(self), Cal::Is)
            }
            _ => Cal::Not,
        }
    }

    /// A calendar duration where a value is needed: E326.
    pub(super) fn calendar_as_value(&mut self, span: Span) {
        self.err(
            Diagnostic::error(
                Code::E326,
                span,
                "expected a value, found a calendar duration: months (M), quarters (q) and years (y) have no fixed length",
            )
            .with_label("not a value")
            .with_hint("use it in time arithmetic (timestamp + 1M, now() - 1y) or as from: -1M; for a fixed length use days or weeks, e.g. 30d"),
        );
    }

    /// `l + r` or `l - r` where one side is a calendar duration: the `+M` operator over the other
    /// side. `None` when neither side is one; `Some(None)` after an error.
    pub(super) fn calendar_arithmetic(
        &mut self,
        op: BinOp,
        l: &Expr,
        r: &Expr,
        span: Span,
    ) -> Option<Option<PExpr>> {
        let (base, by) = match (self.calendar(l), self.calendar(r)) {
            (Cal::Invalid, _) | (_, Cal::Invalid) => return Some(None),
            (_, Cal::Is(c)) => (l, if op == BinOp::Sub { c.neg() } else { Some(c) }),
            (Cal::Is(c), _) if op == BinOp::Add => (r, Some(c)),
            (Cal::Is(_), _) => {
                self.err(
                    Diagnostic::error(
                        Code::E328,
                        span,
                        "expected a timestamp on the left of `-` a calendar duration, found the calendar duration on the left",
                    )
                    .with_hint("subtract the calendar duration from a timestamp: now() - 1M"),
                );
                return Some(None);
            }
            _ => return None,
        };
        let Some(by) = by else {
            self.calendar_as_value(span);
            return Some(None);
        };
        let base = match self.expr(base) {
            Some(b) => b,
            None => return Some(None),
        };
        if let PExpr::Const(v) = &base {
            if !matches!(v, Value::Null | Value::Timestamp(_) | Value::Timeframe(..)) {
                self.err(
                    Diagnostic::error(
                        Code::E328,
                        span,
                        format!(
                            "expected a timestamp or a time frame with a calendar duration, found a {}",
                            v.type_name()
                        ),
                    )
                    .with_label("not applicable to these types"),
                );
                return Some(None);
            }
        }
        let args = vec![
            base,
            PExpr::Const(Value::Long(by.months)),
            PExpr::Const(Value::Duration(by.nanos)),
        ];
        Some(self.fold(functions::operator("+M"), args, span))
    }

    /// A calendar duration as an offset from now (`from: -1M`, `-2M@M`): the timestamp;
    /// `Some(None)` after an error, `None` when `e` is not a calendar duration.
    pub(super) fn calendar_from_now(&mut self, e: &Expr) -> Option<Option<i64>> {
        match self.calendar(e) {
            Cal::Not => None,
            Cal::Invalid => Some(None),
            Cal::Is(c) => Some(match c.shift(self.ctx.now) {
                Some(t) => Some(t),
                None => {
                    self.err(Diagnostic::error(
                        Code::E326,
                        e.span,
                        "calendar duration too long: the time it gives is outside 1677-09-21 to 2262-04-11",
                    ));
                    None
                }
            }),
        }
    }
}

/// A fixed duration written with literals (`2w`, `-1d`, `1h + 30m`).
fn fixed(e: &Expr) -> Option<i64> {
    match &e.kind {
        ExprKind::Literal(Literal::Duration(n, u)) => match time::unit(u)? {
            Unit::Fixed(len) => n.checked_mul(len),
            Unit::Months(_) => None,
        },
        ExprKind::Unary(UnOp::Neg, x) => fixed(x)?.checked_neg(),
        ExprKind::Binary(BinOp::Add, l, r) => fixed(l)?.checked_add(fixed(r)?),
        ExprKind::Binary(BinOp::Sub, l, r) => fixed(l)?.checked_sub(fixed(r)?),
        _ => None,
    }
}
