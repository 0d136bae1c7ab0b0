//! The syntax tree. Every node carries the span of the text it came from. The tree is untyped:
//! names are resolved by the planner. `canonical` prints an expression the way Dynatrace names
//! an un-aliased result column (`count()`, `in(a, {"x", "y"})`, `contains(s, "x", caseSensitive:FALSE)`).

use super::quote;
use crate::diag::Span;
use std::borrow::Cow;

#[derive(Clone, Debug, PartialEq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Query {
    pub commands: Vec<Command>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Command {
    pub name: Ident,
    pub args: Vec<Arg>,
    pub span: Span,
    /// The parser gave up inside this command (and said why); only its name is checked further.
    pub broken: bool,
}

/// One parameter of a command or function: `expr`, `alias = expr`, `name: expr`, `expr desc`,
/// or a group `{ arg, arg }`.
#[derive(Clone, Debug, PartialEq)]
pub struct Arg {
    /// `name:` of a named parameter.
    pub param: Option<Ident>,
    /// `alias =` in front of the value.
    pub alias: Option<Ident>,
    pub value: ArgValue,
    /// `asc` / `desc` after the value (sort, dedup).
    pub descending: Option<bool>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ArgValue {
    Expr(Expr),
    Group(Vec<Arg>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    Null,
    Bool(bool),
    Long(i64),
    Double(f64),
    Str(String),
    Duration(i64, String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Or,
    Xor,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Search,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    /// `x in [sub-query]`.
    In,
}

impl BinOp {
    pub fn text(self) -> &'static str {
        match self {
            BinOp::Or => "or",
            BinOp::Xor => "xor",
            BinOp::And => "and",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Search => "~",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Mod => "%",
            BinOp::In => "in",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnOp {
    Neg,
    Not,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Key {
    Name(String),
    Index(i64),
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    Literal(Literal),
    /// A top-level field (`aws.service`, `` `count()` ``).
    Field(String),
    /// `base[key]`.
    Index(Box<Expr>, Key),
    Call(Ident, Vec<Arg>),
    Unary(UnOp, Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// `expr@unit` or `@unit` (time alignment); the unit is `h`, `d`, `15m`, `w1`, ...
    Align(Option<Box<Expr>>, Ident),
    /// `[ … ]`: an execution block (a sub-query with a pipeline of its own).
    Subquery(Box<Query>),
    /// `base[]`: each element of an array, in an iterative expression.
    Iterate(Box<Expr>),
    /// Placeholder where the parser recovered from an error.
    Error,
}

impl Expr {
    /// Canonical text, used as the default column name (see module docs).
    pub fn canonical(&self) -> String {
        self.canon(0)
    }

    fn canon(&self, parent_prec: u8) -> String {
        match &self.kind {
            ExprKind::Literal(l) => match l {
                Literal::Null => "null".into(),
                Literal::Bool(b) => if *b { "TRUE" } else { "FALSE" }.into(),
                // A negative literal is a unary minus: parenthesised where `-` binds too loosely.
                Literal::Long(v) if *v < 0 => wrap(v.to_string(), 90, parent_prec),
                Literal::Long(v) => v.to_string(),
                Literal::Double(v) if v.is_sign_negative() => {
                    wrap(format!("{v:?}"), 90, parent_prec)
                }
                // Debug keeps `.0` and exponents, so the text reads back as the same double.
                Literal::Double(v) => format!("{v:?}"),
                Literal::Str(s) => quote::string(s),
                Literal::Duration(n, u) => format!("{n}{u}"),
            },
            ExprKind::Field(name) => quote::field(name),
            ExprKind::Index(base, key) => {
                let k = match key {
                    Key::Name(n) => quote::field(n),
                    Key::Index(i) => i.to_string(),
                };
                format!("{}[{k}]", base.canon(100))
            }
            ExprKind::Call(name, args) => {
                let decl = crate::functions::lookup(&name.name);
                let canonical_name = decl.map_or(name.name.as_str(), |f| f.name).to_string();
                let group_tail =
                    decl.is_some_and(|f| matches!(f.naming, crate::functions::Naming::GroupTail));
                let args = decl.map_or_else(
                    || args.iter().map(Cow::Borrowed).collect(),
                    |f| by_position(f, args),
                );
                let parts: Vec<String> = if group_tail && args.len() > 2 {
                    // in(a, "x", "y") is named as in(a, {"x", "y"}).
                    let rest: Vec<String> = args[1..].iter().map(|a| a.canonical()).collect();
                    vec![args[0].canonical(), format!("{{{}}}", rest.join(", "))]
                } else {
                    args.iter().map(|a| a.canonical()).collect()
                };
                format!("{canonical_name}({})", parts.join(", "))
            }
            ExprKind::Unary(UnOp::Neg, e) => wrap(format!("-{}", e.canon(91)), 90, parent_prec),
            ExprKind::Unary(UnOp::Not, e) => wrap(format!("not {}", e.canon(40)), 40, parent_prec),
            ExprKind::Binary(op, l, r) => {
                let p = binop_prec(*op);
                wrap(
                    format!("{} {} {}", l.canon(p), op.text(), r.canon(p + 1)),
                    p,
                    parent_prec,
                )
            }
            ExprKind::Align(e, unit) => match e {
                Some(e) => wrap(format!("{}@{}", e.canon(65), unit.name), 65, parent_prec),
                None => format!("@{}", unit.name),
            },
            ExprKind::Subquery(_) => "[…]".into(),
            ExprKind::Iterate(base) => format!("{}[]", base.canon(100)),
            ExprKind::Error => "<error>".into(),
        }
    }
}

fn wrap(s: String, prec: u8, parent: u8) -> String {
    if prec < parent {
        format!("({s})")
    } else {
        s
    }
}

/// Binding strength (higher binds tighter), shared with the parser.
pub fn binop_prec(op: BinOp) -> u8 {
    match op {
        BinOp::Or => 10,
        BinOp::Xor => 20,
        BinOp::And => 30,
        BinOp::In => 45,
        BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => 50,
        BinOp::Search => 55,
        BinOp::Add | BinOp::Sub => 70,
        BinOp::Mul | BinOp::Div | BinOp::Mod => 80,
    }
}

impl Arg {
    pub fn canonical(&self) -> String {
        let value = match &self.value {
            ArgValue::Expr(e) => e.canonical(),
            ArgValue::Group(args) => {
                let parts: Vec<String> = args.iter().map(Arg::canonical).collect();
                format!("{{{}}}", parts.join(", "))
            }
        };
        let value = match &self.alias {
            Some(a) => format!("{} = {value}", quote::field(&a.name)),
            None => value,
        };
        match &self.param {
            Some(p) => format!("{}:{value}", p.name),
            None => value,
        }
    }

    pub fn expr(&self) -> Option<&Expr> {
        match &self.value {
            ArgValue::Expr(e) => Some(e),
            ArgValue::Group(_) => None,
        }
    }
}

/// A call's arguments with required parameters passed by name shown as positional ones, in
/// their places (`timestamp(year:2019, month:8, …)` is named `timestamp(2019, 8, …)`, as
/// Dynatrace names it).
fn by_position<'a>(f: &crate::functions::Function, args: &'a [Arg]) -> Vec<Cow<'a, Arg>> {
    use crate::functions::ParamKind;
    let required: Vec<&str> = f
        .params
        .iter()
        .filter(|p| matches!(p.kind, ParamKind::Required))
        .map(|p| p.name)
        .collect();
    let place = |a: &Arg| {
        a.param
            .as_ref()
            .and_then(|p| required.iter().position(|n| *n == p.name))
    };
    if f.arity().1 == usize::MAX || !args.iter().any(|a| place(a).is_some()) {
        return args.iter().map(Cow::Borrowed).collect();
    }
    let mut slots: Vec<Option<Cow<'a, Arg>>> = vec![None; required.len()];
    let mut rest = Vec::new();
    let mut next = 0;
    for a in args {
        match place(a) {
            Some(i) if slots[i].is_none() => {
                slots[i] = Some(Cow::Owned(Arg {
                    param: None,
                    ..a.clone()
                }))
            }
            None if a.param.is_none() && next < slots.len() && slots[next].is_none() => {
                slots[next] = Some(Cow::Borrowed(a));
                next += 1;
            }
            _ => rest.push(Cow::Borrowed(a)),
        }
    }
    slots.into_iter().flatten().chain(rest).collect()
}
