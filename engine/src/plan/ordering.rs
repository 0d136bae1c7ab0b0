//! Ordering commands: `sort` and `limit`.

use super::{Op, Params, Planner, SortKey};
use crate::diag::{Code, Diagnostic};
use crate::syntax::ast::{self, Arg, ArgValue, ExprKind, Literal};
use crate::value::Value;

impl Planner<'_> {
    /// `sort keys…` with `asc`/`desc` per key, or `direction:` for the last one.
    pub(super) fn sort(&mut self, c: &ast::Command, p: &Params) -> Option<Op> {
        let mut keys = self.sort_keys(&p.positional);
        if let Some((_, d)) = p.named.last() {
            let desc = self.direction(d);
            if let Some(k) = keys.last_mut() {
                k.descending = desc;
            }
        }
        if keys.is_empty() && p.positional.is_empty() {
            self.err(Diagnostic::error(
                Code::E312,
                c.span,
                "expected at least one sort expression",
            ));
        }
        Some(Op::Sort(keys))
    }

    /// `limit n`: a constant whole number.
    pub(super) fn limit(&mut self, c: &ast::Command, p: &Params) -> Option<Op> {
        let e = self.single_expr(p, c, "a number of records")?;
        match self.constant(e)? {
            // Past usize (wasm32: 4,294,967,295) a limit cuts nothing anyway.
            Value::Long(n) if n >= 0 => Some(Op::Limit(usize::try_from(n).unwrap_or(usize::MAX))),
            _ => {
                self.err(Diagnostic::error(
                    Code::E313,
                    e.span,
                    "expected a whole number of records (0 or more) after `limit`",
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
                    Code::E316,
                    a.span,
                    "expected direction: \"ascending\" or \"descending\"",
                ));
                false
            }
        }
    }

    pub(super) fn sort_keys(&mut self, args: &[&Arg]) -> Vec<SortKey> {
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
}
