//! Filtering commands: `filter`, `filterOut` and `dedup`.

use super::{flatten, Op, Params, Planner};
use crate::diag::{Code, Diagnostic};
use crate::syntax::ast;

impl Planner<'_> {
    /// `filter` (or `filterOut` when `out`): one condition.
    pub(super) fn filter(&mut self, c: &ast::Command, p: &Params, out: bool) -> Option<Op> {
        let cond = self.single_expr(p, c, "a condition")?;
        let e = self.expr(cond)?;
        self.check_condition(&e, cond.span);
        Some(if out { Op::FilterOut(e) } else { Op::Filter(e) })
    }

    /// `dedup keys…, sort: …`.
    pub(super) fn dedup(&mut self, c: &ast::Command, p: &Params) -> Option<Op> {
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
                Code::E314,
                c.span,
                "expected at least one expression to deduplicate by",
            ));
        }
        Some(Op::Dedup { keys, sort })
    }
}
