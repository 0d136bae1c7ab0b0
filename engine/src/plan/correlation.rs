//! Correlation and join commands: `append`, `lookup`, `join` and `joinNested`. Each takes a
//! sub-query `[ … ]`, planned as a pipeline of its own: its fields are not the outer ones, and
//! `on:`, `lookupField:` and `fields:` read the sub-query's records.
//! Reference: <https://docs.dynatrace.com/docs/platform/grail/dynatrace-query-language/commands/correlation-and-join-commands>.

use std::sync::Arc;

use super::{JoinKind, NamedExprs, Op, PExpr, Params, Plan, Planner, Schema};
use crate::diag::{Code, Diagnostic, Span};
use crate::syntax::ast::{self, Arg, ArgValue, BinOp, Expr, ExprKind, Key, Literal};

/// Which side of a join a `left[…]` / `right[…]` reference reads.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Left,
    Right,
}

const EXECUTION_ORDERS: &[&str] = &["auto", "leftFirst", "rightFirst"];

impl Planner<'_> {
    /// Plans a sub-query as a pipeline of its own: the plan and the fields it ends with.
    pub(super) fn subquery(&mut self, q: &ast::Query, span: Span) -> Option<(Plan, Schema)> {
        let outer_schema = std::mem::replace(&mut self.schema, Schema::closed(Vec::new()));
        let outer_slots = self.slots.take();
        let outer_iter = self.iter.take();
        let errors = self.error_count();
        let plan = self.query(q);
        let schema = std::mem::replace(&mut self.schema, outer_schema);
        self.slots = outer_slots;
        self.iter = outer_iter;
        if plan.is_none() && self.error_count() == errors {
            self.err(Diagnostic::error(
                Code::E341,
                span,
                "expected a sub-query that starts with `fetch` or `data`, found an empty one",
            ));
        }
        Some((plan?, schema))
    }

    fn error_count(&self) -> usize {
        self.diags.iter().filter(|d| d.is_error()).count()
    }

    /// Runs `f` with the fields of `schema` in scope (the sub-query's, for `on:` and `fields:`).
    fn with_schema<T>(&mut self, schema: &Schema, f: impl FnOnce(&mut Self) -> T) -> T {
        let outer = std::mem::replace(&mut self.schema, schema.clone());
        let r = f(self);
        self.schema = outer;
        r
    }

    /// The sub-query every command of this family takes first, and the name given to it
    /// (`joinNested name = [ … ]`).
    fn table(
        &mut self,
        c: &ast::Command,
        p: &Params,
    ) -> Option<(Plan, Schema, Option<ast::Ident>)> {
        let name = &c.name.name;
        let Some(a) = p.positional.first() else {
            self.err(
                Diagnostic::error(
                    Code::E341,
                    c.span,
                    format!("expected a sub-query `[ … ]` after `{name}`, found nothing"),
                )
                .with_hint(format!("e.g. {name} [fetch logs | filter …]")),
            );
            return None;
        };
        if let Some(extra) = p.positional.get(1) {
            self.err(
                Diagnostic::error(
                    Code::E315,
                    extra.span,
                    format!(
                        "expected one sub-query for `{name}`, found another positional parameter"
                    ),
                )
                .with_hint("other parameters are named, e.g. on: {key}"),
            );
        }
        let Some(ExprKind::Subquery(q)) = a.expr().map(|e| &e.kind) else {
            self.err(
                Diagnostic::error(
                    Code::E341,
                    a.span,
                    format!("expected a sub-query `[ … ]` as the first parameter of `{name}`"),
                )
                .with_label("not a sub-query")
                .with_hint(format!("e.g. {name} [fetch logs | filter …]")),
            );
            return None;
        };
        let (plan, schema) = self.subquery(q, a.span)?;
        Some((plan, schema, a.alias.clone()))
    }

    /// A parameter written as one of `choices` (`kind: leftOuter`, or as a string).
    fn choice(&mut self, a: &Arg, param: &str, choices: &[&str]) -> Option<usize> {
        let word = match a.expr().map(|e| &e.kind) {
            Some(ExprKind::Field(w)) | Some(ExprKind::Literal(Literal::Str(w))) => Some(w),
            _ => None,
        };
        let found = word.and_then(|w| choices.iter().position(|c| c.eq_ignore_ascii_case(w)));
        if found.is_none() {
            self.err(
                Diagnostic::error(
                    Code::E343,
                    a.span,
                    format!(
                        "expected `{param}:` to be one of {}, found `{}`",
                        choices.join(", "),
                        a.expr().map_or_else(String::new, Expr::canonical)
                    ),
                )
                .with_label("not one of the choices"),
            );
        }
        found
    }

    /// A constant text parameter (`prefix:`).
    pub(super) fn const_text(&mut self, a: &Arg, param: &str) -> Option<String> {
        let v = self.constant(a.expr()?)?;
        match v.as_str() {
            Some(s) => Some(s.to_string()),
            None => {
                self.err(Diagnostic::error(
                    Code::E343,
                    a.span,
                    format!(
                        "expected a string for `{param}:`, found a {}",
                        v.type_name()
                    ),
                ));
                None
            }
        }
    }

    /// `fields: { a, name = b }` over the sub-query's records.
    fn right_fields(&mut self, a: &Arg, right: &Schema) -> Option<Vec<(Arc<str>, PExpr)>> {
        let items: Vec<&Arg> = match &a.value {
            ArgValue::Group(g) => g.iter().collect(),
            ArgValue::Expr(_) => vec![a],
        };
        self.with_schema(right, |p| p.named_exprs(&items, "fields"))
    }

    /// The `fields:` parameter, if given (`Some(None)`: not given; `None`: an error).
    fn fields_param(&mut self, p: &Params, right: &Schema) -> Option<Option<NamedExprs>> {
        match named(p, "fields") {
            Some(a) => Some(Some(self.right_fields(a, right)?)),
            None => Some(None),
        }
    }

    /// `on:` conditions: `key` (the same name on both sides) or `left[a] == right[b]`.
    fn join_on(&mut self, a: &Arg, right: &Schema) -> Vec<(PExpr, PExpr)> {
        let items: Vec<&Arg> = match &a.value {
            ArgValue::Group(g) => g.iter().collect(),
            ArgValue::Expr(_) => vec![a],
        };
        let mut out = Vec::new();
        for it in items {
            let Some(e) = it.expr() else { continue };
            let pair = match &e.kind {
                ExprKind::Field(_) => Some((e.clone(), e.clone())),
                ExprKind::Binary(BinOp::Eq, x, y) => match (side_of(x), side_of(y)) {
                    (Some((Side::Left, l)), Some((Side::Right, r)))
                    | (Some((Side::Right, r)), Some((Side::Left, l))) => Some((l, r)),
                    _ => None,
                },
                _ => None,
            };
            let Some((l, r)) = pair else {
                self.err(
                    Diagnostic::error(
                        Code::E342,
                        e.span,
                        format!(
                            "expected a field name or `left[a] == right[b]` as a join condition, found `{}`",
                            e.canonical()
                        ),
                    )
                    .with_label("not a join condition")
                    .with_hint("on: {key} joins on a field of the same name; on: {left[a] == right[b]} on two names; filter afterwards for other conditions"),
                );
                continue;
            };
            let l = self.expr(&l);
            let r = self.with_schema(right, |p| p.expr(&r));
            if let (Some(l), Some(r)) = (l, r) {
                out.push((l, r));
            }
        }
        out
    }

    fn execution_order(&mut self, p: &Params) {
        if let Some(a) = named(p, "executionOrder") {
            // Both sides are read in full either way; the choice changes no result here.
            self.choice(a, "executionOrder", EXECUTION_ORDERS);
        }
    }

    /// The fields after adding `prefix` + the sub-query's fields (or the chosen ones).
    fn add_fields(&mut self, right: &Schema, prefix: &str, chosen: Option<&[(Arc<str>, PExpr)]>) {
        let names: Vec<String> = match chosen {
            Some(items) => items.iter().map(|(n, _)| format!("{prefix}{n}")).collect(),
            None => {
                self.schema.open |= right.open;
                right
                    .fields
                    .iter()
                    .map(|n| format!("{prefix}{n}"))
                    .collect()
            }
        };
        for n in names {
            self.schema.events.remove(&n);
            if !self.schema.fields.contains(&n) {
                self.schema.fields.push(n);
            }
        }
    }

    /// `append [ … ]`: the sub-query's records after the current ones.
    pub(super) fn append(&mut self, c: &ast::Command, p: &Params) -> Option<Op> {
        let (plan, right, _) = self.table(c, p)?;
        self.add_fields(&right, "", None);
        Some(Op::Append(Box::new(plan)))
    }

    /// `lookup [ … ], sourceField:, lookupField:, prefix:, fields:`.
    pub(super) fn lookup(&mut self, c: &ast::Command, p: &Params) -> Option<Op> {
        let (plan, right, _) = self.table(c, p)?;
        self.execution_order(p);
        let Some(key_arg) = named(p, "lookupField") else {
            self.err(
                Diagnostic::error(
                    Code::E341,
                    c.span,
                    "expected `lookupField:`, the sub-query field to match, found nothing",
                )
                .with_hint("e.g. lookup [ … ], sourceField: ip, lookupField: address"),
            );
            return None;
        };
        let key_expr = key_arg.expr()?;
        let key = self.with_schema(&right, |p| p.expr(key_expr))?;
        // Without `sourceField:`, the field of the same name.
        let source_expr = match named(p, "sourceField") {
            Some(a) => a.expr()?,
            None => key_expr,
        };
        let source = self.expr(source_expr)?;
        let prefix = match named(p, "prefix") {
            Some(a) => self.const_text(a, "prefix")?,
            None => "lookup.".to_string(),
        };
        let fields = self.fields_param(p, &right)?;
        self.add_fields(&right, &prefix, fields.as_deref());
        Some(Op::Lookup {
            table: Box::new(plan),
            source,
            key,
            prefix: Arc::from(prefix.as_str()),
            fields,
        })
    }

    /// `join [ … ], on:, kind:, prefix:, fields:`.
    pub(super) fn join(&mut self, c: &ast::Command, p: &Params) -> Option<Op> {
        let (plan, right, _) = self.table(c, p)?;
        self.execution_order(p);
        let kind = match named(p, "kind") {
            Some(a) => match self.choice(a, "kind", &["inner", "leftOuter", "outer"])? {
                0 => JoinKind::Inner,
                1 => JoinKind::LeftOuter,
                _ => JoinKind::Outer,
            },
            None => JoinKind::Inner,
        };
        let on = self.required_on(c, p, &right)?;
        let fields = self.fields_param(p, &right)?;
        // Fields chosen with `fields:` keep their names unless a prefix is asked for.
        let prefix = match (named(p, "prefix"), &fields) {
            (Some(a), _) => self.const_text(a, "prefix")?,
            (None, Some(_)) => String::new(),
            (None, None) => "right.".to_string(),
        };
        self.add_fields(&right, &prefix, fields.as_deref());
        Some(Op::Join {
            table: Box::new(plan),
            kind,
            on,
            prefix: Arc::from(prefix.as_str()),
            fields,
        })
    }

    /// `joinNested name = [ … ], on:, fields:`.
    pub(super) fn join_nested(&mut self, c: &ast::Command, p: &Params) -> Option<Op> {
        let (plan, right, alias) = self.table(c, p)?;
        self.execution_order(p);
        let Some(name) = alias else {
            self.err(
                Diagnostic::error(
                    Code::E341,
                    p.positional.first().map_or(c.span, |a| a.span),
                    "expected a name for the nested records: `joinNested name = [ … ]`",
                )
                .with_label("no name"),
            );
            return None;
        };
        let on = self.required_on(c, p, &right)?;
        let fields = self.fields_param(p, &right)?;
        self.schema.events.remove(&name.name);
        if !self.schema.fields.contains(&name.name) {
            self.schema.fields.push(name.name.clone());
        }
        Some(Op::JoinNested {
            table: Box::new(plan),
            name: Arc::from(name.name.as_str()),
            on,
            fields,
        })
    }

    /// The function `lookup([ … ], sourceField:, lookupField:, executionOrder:)`.
    pub(super) fn lookup_function(&mut self, args: &[Arg], e: &Expr) -> Option<PExpr> {
        let mut table = None;
        let (mut source, mut key) = (None, None);
        for a in args {
            match a.param.as_ref().map(|p| p.name.as_str()) {
                None if table.is_none() => table = Some(a),
                Some("sourceField") => source = a.expr(),
                Some("lookupField") => key = a.expr(),
                Some("executionOrder") => {
                    self.choice(a, "executionOrder", EXECUTION_ORDERS)?;
                }
                _ => {
                    self.err(
                        Diagnostic::error(
                            Code::E332,
                            a.span,
                            "expected `sourceField:`, `lookupField:` or `executionOrder:` in `lookup(…)`",
                        )
                        .with_label("not a parameter of lookup"),
                    );
                    return None;
                }
            }
        }
        let Some(ExprKind::Subquery(q)) = table.and_then(|a| a.expr()).map(|x| &x.kind) else {
            self.err(
                Diagnostic::error(
                    Code::E341,
                    e.span,
                    "expected a sub-query `[ … ]` as the first parameter of `lookup(…)`",
                )
                .with_hint("e.g. lookup([data record(ip = \"1.2.3.4\", owner = \"vpn\")], sourceField: ip, lookupField: ip)"),
            );
            return None;
        };
        let Some(key_expr) = key else {
            self.err(Diagnostic::error(
                Code::E341,
                e.span,
                "expected `lookupField:`, the sub-query field to match, found nothing",
            ));
            return None;
        };
        let (plan, right) = self.subquery(q, e.span)?;
        let key = self.with_schema(&right, |p| p.expr(key_expr))?;
        let source = self.expr(source.unwrap_or(key_expr))?;
        Some(PExpr::Lookup {
            table: Box::new(plan),
            source: Box::new(source),
            key: Box::new(key),
        })
    }

    fn required_on(
        &mut self,
        c: &ast::Command,
        p: &Params,
        right: &Schema,
    ) -> Option<Vec<(PExpr, PExpr)>> {
        let Some(a) = named(p, "on") else {
            self.err(
                Diagnostic::error(
                    Code::E341,
                    c.span,
                    format!(
                        "expected `on:`, the condition records of `{}` match by, found nothing",
                        c.name.name
                    ),
                )
                .with_hint("e.g. on: {key} or on: {left[a] == right[b]}"),
            );
            return None;
        };
        let on = self.join_on(a, right);
        (!on.is_empty()).then_some(on)
    }
}

/// A named parameter's argument.
pub(super) fn named<'b>(p: &Params<'b>, name: &str) -> Option<&'b Arg> {
    p.named
        .iter()
        .find(|(i, _)| i.name == name)
        .map(|(_, a)| *a)
}

/// `left[a][b]` → (Left, `a[b]`): the side a join-condition operand reads and its expression
/// there.
fn side_of(e: &Expr) -> Option<(Side, Expr)> {
    let ExprKind::Index(base, key) = &e.kind else {
        return None;
    };
    if let ExprKind::Field(root) = &base.kind {
        let side = match root.as_str() {
            "left" => Side::Left,
            "right" => Side::Right,
            _ => return None,
        };
        let Key::Name(n) = key else { return None };
        return Some((
            side,
            Expr {
                kind: ExprKind::Field(n.clone()),
                span: e.span,
            },
        ));
    }
    let (side, inner) = side_of(base)?;
    Some((
        side,
        Expr {
            kind: ExprKind::Index(Box::new(inner), key.clone()),
            span: e.span,
        },
    ))
}
