//! Filtering commands: `filter`, `filterOut`, `dedup` and `search`.

use std::sync::Arc;

use super::{flatten, Op, PExpr, Params, Planner};
use crate::diag::{Code, Diagnostic, Span};
use crate::functions;
use crate::syntax::ast::{self, BinOp, Expr, ExprKind, Literal, UnOp};

/// At most this many `*` in a search term (Dynatrace's limit).
pub const MAX_WILDCARDS: usize = 64;

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

    /// `search "term"`, `search field ~ "term"`, and and/or/not combinations of them with
    /// other conditions: a bare string searches every field.
    pub(super) fn search(&mut self, c: &ast::Command, p: &Params) -> Option<Op> {
        let cond = self.single_expr(p, c, "a search term such as \"error\"")?;
        let e = self.search_condition(cond)?;
        self.check_condition(&e, cond.span);
        Some(Op::Search(e))
    }

    fn search_condition(&mut self, e: &Expr) -> Option<PExpr> {
        match &e.kind {
            ExprKind::Literal(Literal::Str(term)) => {
                self.check_search_term(term, e.span)?;
                Some(PExpr::SearchAll(Arc::from(term.as_str())))
            }
            ExprKind::Binary(op @ (BinOp::And | BinOp::Or | BinOp::Xor), l, r) => {
                let l = self.search_condition(l)?;
                let r = self.search_condition(r)?;
                Some(PExpr::Call(functions::operator(op.text()), vec![l, r]))
            }
            ExprKind::Unary(UnOp::Not, x) => {
                let x = self.search_condition(x)?;
                Some(PExpr::Call(functions::operator("not"), vec![x]))
            }
            ExprKind::Binary(BinOp::Search, l, _) if !matches!(l.kind, ExprKind::Field(_)) => {
                self.err(
                    Diagnostic::error(
                        Code::E327,
                        l.span,
                        "expected a top-level field on the left of `~` in `search`",
                    )
                    .with_label("not a field name")
                    .with_hint("search the field that holds it (nested names and values are searched too), or use filter"),
                );
                None
            }
            _ => self.expr(e),
        }
    }

    /// A search term: at most 64 wildcards, never two in a row.
    pub(super) fn check_search_term(&mut self, term: &str, span: Span) -> Option<()> {
        let stars = term.matches('*').count();
        if term.contains("**") || stars > MAX_WILDCARDS {
            self.err(
                Diagnostic::error(
                    Code::E345,
                    span,
                    format!(
                        "expected a search term with single wildcards, at most {MAX_WILDCARDS}, found {}",
                        if term.contains("**") {
                            "`**`".to_string()
                        } else {
                            format!("{stars} wildcards")
                        }
                    ),
                )
                .with_label("wildcards not supported like this"),
            );
            return None;
        }
        Some(())
    }
}
