//! Extraction and parsing commands: `parse` with a DPL pattern (the JSON matcher for now).

use std::sync::Arc;

use super::{Dpl, Op, PExpr, Params, Planner};
use crate::diag::{Code, Diagnostic, Span};
use crate::syntax::ast::{self, ExprKind, Literal};
use crate::value::Value;

impl Planner<'_> {
    pub(super) fn parse_cmd(&mut self, c: &ast::Command, p: &Params) -> Option<Op> {
        if p.positional.len() != 2 {
            self.err(Diagnostic::error(
                Code::E317,
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
                Code::E317,
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
                        Code::E318,
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
                    Code::W305,
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
                self.err(Diagnostic::error(Code::E319, span, format!("expected an export name after `JSON:` (letters, digits, _), found {name:?}")));
                return None;
            }
        }
        self.err(
            Diagnostic::error(
                Code::E319,
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
}
