//! Selection and modification commands: `fields`, `fieldsAdd`, `fieldsKeep`, `fieldsRemove`,
//! `fieldsRename`; and `*` field patterns.

use std::collections::HashSet;
use std::sync::Arc;

use super::{flatten, output_name, Op, PExpr, Params, Planner, Schema};
use crate::diag::{Code, Diagnostic};
use crate::syntax::ast::{self, Arg, ExprKind};

impl Planner<'_> {
    /// `fields` (or `fieldsAdd` when `add`).
    pub(super) fn fields(&mut self, c: &ast::Command, p: &Params, add: bool) -> Option<Op> {
        let name = if add { "fieldsAdd" } else { "fields" };
        if p.positional.is_empty() {
            self.err(Diagnostic::error(
                Code::E338,
                c.span,
                format!("expected at least one field or expression after `{name}`, found nothing"),
            ));
            return None;
        }
        let items = self.named_exprs(&p.positional, name)?;
        let mut fields = if add {
            self.schema.fields.clone()
        } else {
            Vec::new()
        };
        for (n, _) in &items {
            if !fields.iter().any(|f| f == &**n) {
                fields.push(n.to_string());
            }
        }
        if add {
            for (n, _) in &items {
                self.schema.events.remove(&**n);
            }
            self.schema.fields = fields;
            Some(Op::FieldsAdd(items))
        } else {
            // A parsed event kept under its own name is still an event (for member hints).
            let events: HashSet<String> = self
                .schema
                .events
                .iter()
                .filter(|e| {
                    items.iter().any(|(n, x)| {
                        &**n == e.as_str() && matches!(x, PExpr::Field(f) if &**f == e.as_str())
                    })
                })
                .cloned()
                .collect();
            self.schema = Schema {
                fields,
                open: false,
                events,
            };
            Some(Op::Fields(items))
        }
    }

    /// `fieldsKeep` (when `keep`) or `fieldsRemove`: names or `*` patterns.
    pub(super) fn fields_keep(&mut self, c: &ast::Command, p: &Params, keep: bool) -> Option<Op> {
        let name = if keep { "fieldsKeep" } else { "fieldsRemove" };
        if p.positional.is_empty() {
            self.err(Diagnostic::error(
                Code::E338,
                c.span,
                format!("expected at least one field name after `{name}`, found nothing"),
            ));
            return None;
        }
        let mut pats = Vec::new();
        for a in flatten(&p.positional) {
            if let Some(al) = &a.alias {
                self.err(
                    Diagnostic::error(
                        Code::E311,
                        al.span.to(a.span),
                        format!("expected a field name in `{name}`, found an assignment"),
                    )
                    .with_hint("to rename, use fieldsRename new = old; to compute, use fieldsAdd"),
                );
                continue;
            }
            match a.expr().map(|e| &e.kind) {
                Some(ExprKind::Field(n)) => pats.push(n.clone()),
                _ => self.err(Diagnostic::error(
                    Code::E311,
                    a.span,
                    format!("expected a field name or pattern such as `dt.*` in `{name}`"),
                )),
            }
        }
        self.schema
            .fields
            .retain(|f| pats.iter().any(|p| field_matches(p, f)) == keep);
        if keep {
            self.schema.open = false;
            Some(Op::FieldsKeep(pats))
        } else {
            Some(Op::FieldsRemove(pats))
        }
    }

    /// `fieldsRename new = old, …`.
    pub(super) fn fields_rename(&mut self, p: &Params) -> Option<Op> {
        let mut pairs = Vec::new();
        for a in flatten(&p.positional) {
            match (&a.alias, a.expr().map(|e| &e.kind)) {
                (Some(new), Some(ExprKind::Field(old))) => {
                    self.check_field(old, a.expr().map_or(a.span, |e| e.span));
                    if let Some(f) = self.schema.fields.iter_mut().find(|f| *f == old) {
                        *f = new.name.clone();
                    }
                    pairs.push((Arc::from(new.name.as_str()), Arc::from(old.as_str())));
                }
                _ => self.err(Diagnostic::error(
                    Code::E311,
                    a.span,
                    "expected `newName = oldField` in fieldsRename",
                )),
            }
        }
        Some(Op::FieldsRename(pairs))
    }

    /// `name = expr` items (groups flattened) with their output names.
    pub(super) fn named_exprs(
        &mut self,
        args: &[&Arg],
        cmd: &str,
    ) -> Option<Vec<(Arc<str>, PExpr)>> {
        let mut out: Vec<(Arc<str>, PExpr)> = Vec::new();
        for a in flatten(args) {
            let Some(e) = a.expr() else { continue };
            let name = output_name(a, e);
            let Some(pe) = self.expr(e) else { continue };
            if let Some(i) = out.iter().position(|(n, _)| **n == *name) {
                self.diags.push(Diagnostic::warning(
                    Code::W303,
                    a.span,
                    format!("`{name}` is named twice in `{cmd}`; the last one is kept"),
                ));
                out.remove(i);
            }
            out.push((Arc::from(name.as_str()), pe));
        }
        Some(out)
    }
}

/// `dt.*` style patterns: `*` matches any run of characters.
pub fn field_matches(pattern: &str, name: &str) -> bool {
    if !pattern.contains('*') {
        return pattern == name;
    }
    let parts: Vec<&str> = pattern.split('*').collect();
    let mut rest = name;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            match rest.strip_prefix(part) {
                Some(r) => rest = r,
                None => return false,
            }
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            match rest.find(part) {
                Some(k) => rest = &rest[k + part.len()..],
                None => return false,
            }
        }
    }
    rest.is_empty()
}
