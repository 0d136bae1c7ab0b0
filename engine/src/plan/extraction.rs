//! Extraction and parsing commands: `parse` with a DPL pattern (compiled here, once per query;
//! see [`crate::dpl`]), `preserveFieldsOnFailure:` and `parsingPrerequisite:`.

use std::sync::Arc;

use super::{Dpl, Op, PExpr, Params, Planner};
use crate::diag::{Code, Diagnostic, Span};
use crate::dpl::Pattern;
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
        let input = self.expr(p.positional[0].expr()?);
        let pat_expr = p.positional[1].expr()?;
        let ExprKind::Literal(Literal::Str(text)) = &pat_expr.kind else {
            self.err(Diagnostic::error(
                Code::E317,
                pat_expr.span,
                "expected a pattern string such as \"JSON:event\"",
            ));
            return None;
        };
        let mut preserve = false;
        let mut prerequisite = None;
        for (n, a) in &p.named {
            let Some(e) = a.expr() else { continue };
            match n.name.as_str() {
                "preserveFieldsOnFailure" => match self.constant(e) {
                    Some(Value::Bool(b)) => preserve = b,
                    Some(v) => self.err(
                        Diagnostic::error(
                            Code::E318,
                            e.span,
                            format!(
                                "expected true or false for `preserveFieldsOnFailure:`, found a {}",
                                v.type_name()
                            ),
                        )
                        .with_label("not a boolean constant"),
                    ),
                    None => {}
                },
                _ => {
                    let Some(cond) = self.expr(e) else { continue };
                    if let PExpr::Const(v) = &cond {
                        if !v.is_null() && v.as_bool().is_none() {
                            self.err(
                                Diagnostic::error(
                                    Code::E318,
                                    e.span,
                                    format!("expected a condition for `parsingPrerequisite:`, found a {}", v.type_name()),
                                )
                                .with_label("not true or false"),
                            );
                            continue;
                        }
                    }
                    // Always true: nothing to check per record.
                    if !matches!(cond, PExpr::Const(Value::Bool(true))) {
                        prerequisite = Some(cond);
                    }
                }
            }
        }
        let pattern = match Pattern::compile(text) {
            Ok(p) => p,
            Err(diags) => {
                for mut d in diags {
                    d.span = literal_span(text, pat_expr.span, d.span);
                    self.err(d);
                }
                return None;
            }
        };
        if pattern.exports().is_empty() {
            self.err(
                Diagnostic::error(
                    Code::E319,
                    pat_expr.span,
                    "expected a pattern that exports at least one field, found none",
                )
                .with_label("nothing named with `:name`")
                .with_hint("name what to extract: \"LD ':' INT:port\" adds the field `port`"),
            );
            return None;
        }
        let input = input?;
        let dpl = match pattern.single_json_export() {
            Some(name) => Dpl::Json(name.clone()),
            None => Dpl::Pattern(Arc::new(pattern)),
        };
        let exports = dpl.exports();
        for name in &exports {
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
        }
        let from_content = matches!(&input, PExpr::Field(f) if &**f == "content");
        for name in &exports {
            if from_content && matches!(dpl, Dpl::Json(_)) {
                self.schema.events.insert(name.to_string());
            } else {
                self.schema.events.remove(&**name);
            }
        }
        Some(Op::Parse {
            input,
            pattern: dpl,
            preserve,
            prerequisite,
        })
    }
}

/// Where a span inside a string literal's *value* is in the query text. Exact when the
/// literal's only escapes are the ones it must have (`\"`, `\\`), or it has none, or it is
/// triple-quoted; otherwise (other escapes moved the characters) the whole literal.
pub(super) fn literal_span(value: &str, lit: Span, inner: Span) -> Span {
    let src_len = (lit.end - lit.start) as usize;
    let (a, b) = (
        (inner.start as usize).min(value.len()),
        (inner.end as usize).min(value.len()),
    );
    let must = |s: &str| s.bytes().filter(|&c| c == b'"' || c == b'\\').count();
    let start = lit.start as usize;
    if src_len == value.len() + 2 + must(value) {
        let at = |o: usize| start + 1 + o + must(&value[..o]);
        if value.is_char_boundary(a) && value.is_char_boundary(b) {
            return Span::new(at(a), at(b));
        }
    } else if src_len == value.len() + 6 {
        return Span::new(start + 3 + a, start + 3 + b);
    }
    lit
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_map_into_the_literal() {
        // "LD:x"      at 10: value offsets 3..4 are the query's 14..15.
        assert_eq!(
            literal_span("LD:x", Span::new(10, 16), Span::new(3, 4)),
            Span::new(14, 15)
        );
        // "a\"b:x"    value a"b:x; offset 4 (`x`) is after one escape.
        assert_eq!(
            literal_span("a\"b:x", Span::new(0, 8), Span::new(4, 5)),
            Span::new(6, 7)
        );
        // """LD:x"""
        assert_eq!(
            literal_span("LD:x", Span::new(0, 10), Span::new(0, 2)),
            Span::new(3, 5)
        );
        // "a\tb" (an escape the value cannot show): the whole literal.
        assert_eq!(
            literal_span("a\tb", Span::new(0, 6), Span::new(1, 2)),
            Span::new(0, 6)
        );
    }
}
