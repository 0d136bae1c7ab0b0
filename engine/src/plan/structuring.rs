//! Structuring commands: `expand` (one record per array element) and `fieldsFlatten` (a
//! record's members as fields of their own).
//! Reference: <https://docs.dynatrace.com/docs/platform/grail/dynatrace-query-language/commands/structuring-commands>.

use std::sync::Arc;

use super::correlation::named;
use super::{output_name, MemberPath, Op, Params, Planner};
use crate::diag::{Code, Diagnostic};
use crate::syntax::ast::{self, Arg, ArgValue, ExprKind, Key};
use crate::value::Value;

/// `fieldsFlatten` goes at most this deep (Dynatrace: `depth` between 1 and 10).
pub const MAX_FLATTEN_DEPTH: i64 = 10;

impl Planner<'_> {
    /// The one positional parameter of `expand`/`fieldsFlatten`, with its alias if allowed.
    fn one_positional<'b>(&mut self, c: &ast::Command, p: &Params<'b>) -> Option<&'b Arg> {
        if let Some(extra) = p.positional.get(1) {
            self.err(Diagnostic::error(
                Code::E315,
                extra.span,
                format!(
                    "expected one field or expression for `{}`, found more",
                    c.name.name
                ),
            ));
        }
        let a = p.positional.first().copied();
        if a.is_none() {
            self.err(Diagnostic::error(
                Code::E315,
                c.span,
                format!("expected a field after `{}`, found nothing", c.name.name),
            ));
        }
        a
    }

    /// A constant whole number in `lo..=hi` for a command parameter.
    fn const_count(&mut self, a: &Arg, param: &str, lo: i64, hi: i64) -> Option<i64> {
        match self.constant(a.expr()?)? {
            Value::Long(n) if (lo..=hi).contains(&n) => Some(n),
            v => {
                let range = if hi == i64::MAX {
                    format!("{lo} or more")
                } else {
                    format!("from {lo} to {hi}")
                };
                self.err(
                    Diagnostic::error(
                        Code::E343,
                        a.span,
                        format!(
                            "expected a whole number {range} for `{param}:`, found {}",
                            v.display()
                        ),
                    )
                    .with_label("out of range"),
                );
                None
            }
        }
    }

    /// `expand [name =] array, limit:`.
    pub(super) fn expand(&mut self, c: &ast::Command, p: &Params) -> Option<Op> {
        let a = self.one_positional(c, p)?;
        let e = a.expr()?;
        let name = output_name(a, e);
        let array = self.expr(e)?;
        let limit = match named(p, "limit") {
            Some(l) => Some(self.const_count(l, "limit", 1, i64::MAX)?),
            None => None,
        };
        self.schema.events.remove(&name);
        if !self.schema.fields.contains(&name) {
            self.schema.fields.push(name.clone());
        }
        Some(Op::Expand {
            name: Arc::from(name.as_str()),
            array,
            limit: limit.map(|n| usize::try_from(n).unwrap_or(usize::MAX)),
        })
    }

    /// `fieldsFlatten record, prefix: | fields: {…}, depth:`.
    pub(super) fn fields_flatten(&mut self, c: &ast::Command, p: &Params) -> Option<Op> {
        let a = self.one_positional(c, p)?;
        let e = a.expr()?;
        let record = self.expr(e)?;
        let (prefix_arg, fields_arg) = (named(p, "prefix"), named(p, "fields"));
        if let (Some(pa), Some(_)) = (prefix_arg, fields_arg) {
            self.err(
                Diagnostic::error(
                    Code::E343,
                    pa.span,
                    "expected `prefix:` or `fields:`, found both",
                )
                .with_hint("fields chosen with `fields:` keep their own names; rename them with fieldsRename"),
            );
            return None;
        }
        let prefix = match prefix_arg {
            Some(pa) => self.const_text(pa, "prefix")?,
            None => format!("{}.", output_name(a, e)),
        };
        let depth = match named(p, "depth") {
            Some(d) => self.const_count(d, "depth", 1, MAX_FLATTEN_DEPTH)?,
            None => 1,
        };
        let fields = match fields_arg {
            Some(fa) => Some(self.flatten_fields(fa)?),
            None => None,
        };
        match &fields {
            Some(items) => {
                for (n, _) in items {
                    self.schema.events.remove(&**n);
                    if !self.schema.fields.iter().any(|f| f == &**n) {
                        self.schema.fields.push(n.to_string());
                    }
                }
            }
            // Which members there are is only known from the data.
            None => self.schema.open = true,
        }
        Some(Op::FieldsFlatten {
            record,
            prefix: Arc::from(prefix.as_str()),
            depth: depth as usize,
            fields,
        })
    }

    /// `fields: { a, b, name = c[d] }`: member paths inside the record.
    fn flatten_fields(&mut self, a: &Arg) -> Option<Vec<MemberPath>> {
        let items: Vec<&Arg> = match &a.value {
            ArgValue::Group(g) => g.iter().collect(),
            ArgValue::Expr(_) => vec![a],
        };
        let mut out = Vec::new();
        for it in items {
            let e = it.expr()?;
            let Some(path) = member_path(&e.kind) else {
                self.err(Diagnostic::error(
                    Code::E311,
                    it.span,
                    "expected a member name of the record in `fields:`, such as `a` or `a[b]`",
                ));
                return None;
            };
            let name = match &it.alias {
                Some(al) => al.name.clone(),
                None => path.last().map(|s| s.to_string()).unwrap_or_default(),
            };
            out.push((Arc::from(name.as_str()), path));
        }
        Some(out)
    }
}

/// `a[b][c]` → `[a, b, c]`.
fn member_path(e: &ExprKind) -> Option<Vec<Arc<str>>> {
    match e {
        ExprKind::Field(n) => Some(vec![Arc::from(n.as_str())]),
        ExprKind::Index(base, Key::Name(k)) => {
            let mut p = member_path(&base.kind)?;
            p.push(Arc::from(k.as_str()));
            Some(p)
        }
        _ => None,
    }
}
