//! A naive row-by-row reference evaluator, written from the DQL reference (§2.2–2.5), and the
//! property that the engine's `fields r = <expr>` agrees with it on random tables.

use proptest::prelude::*;
use proptest::sample::select;
use trailscope_engine::Value;

use crate::cases;
use crate::tables::{identical, lit, num, source, table, value, Row, Src, COLS};

#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    And,
    Or,
    Xor,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
}

impl Op {
    pub(crate) fn text(self) -> &'static str {
        match self {
            Op::Eq => "==",
            Op::Ne => "!=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::And => "and",
            Op::Or => "or",
            Op::Xor => "xor",
            Op::Add => "+",
            Op::Sub => "-",
            Op::Mul => "*",
            Op::Div => "/",
            Op::Mod => "%",
        }
    }
}

#[derive(Clone, Debug)]
pub(crate) enum E {
    Field(usize),
    Lit(Value),
    Bin(Op, Box<E>, Box<E>),
    Not(Box<E>),
    Neg(Box<E>),
    IsNull(Box<E>),
}

pub(crate) fn eval_expr() -> impl Strategy<Value = E> {
    let leaf = prop_oneof![3 => (0usize..3).prop_map(E::Field), 2 => value().prop_map(E::Lit)];
    let ops = vec![
        Op::Eq,
        Op::Ne,
        Op::Lt,
        Op::Le,
        Op::Gt,
        Op::Ge,
        Op::And,
        Op::Or,
        Op::Xor,
        Op::Add,
        Op::Sub,
        Op::Mul,
        Op::Div,
        Op::Mod,
    ];
    leaf.prop_recursive(4, 24, 2, move |inner| {
        prop_oneof![
            5 => (select(ops.clone()), inner.clone(), inner.clone()).prop_map(|(op, l, r)| E::Bin(op, Box::new(l), Box::new(r))),
            1 => inner.clone().prop_map(|x| E::Not(Box::new(x))),
            1 => inner.clone().prop_map(|x| E::Neg(Box::new(x))),
            1 => inner.prop_map(|x| E::IsNull(Box::new(x))),
        ]
    })
}

impl E {
    /// Fully parenthesised, so the parser's precedence cannot change the tree.
    pub(crate) fn text(&self) -> String {
        match self {
            E::Field(c) => COLS[*c].to_string(),
            E::Lit(v) => lit(v),
            E::Bin(op, l, r) => format!("({} {} {})", l.text(), op.text(), r.text()),
            E::Not(x) => format!("(not {})", x.text()),
            E::Neg(x) => format!("(-{})", x.text()),
            E::IsNull(x) => format!("isNull({})", x.text()),
        }
    }

    pub(crate) fn reads_fields(&self) -> bool {
        match self {
            E::Field(_) => true,
            E::Lit(_) => false,
            E::Bin(_, l, r) => l.reads_fields() || r.reads_fields(),
            E::Not(x) | E::Neg(x) | E::IsNull(x) => x.reads_fields(),
        }
    }

    /// True when the planner rejects the expression (E328) instead of running it: a constant
    /// arithmetic part whose operand types do not apply (`1 + "x"`; `-(-9223372036854775808)` is
    /// a numeric overflow and gives null),
    /// or a constant logical part with an operand that is neither null nor a boolean (`not 0`).
    pub(crate) fn constant_type_error(&self) -> bool {
        let no_row: Row = [Value::Null, Value::Null, Value::Null];
        let not_bool = |x: &E| {
            let v = x.eval(&no_row);
            !v.is_null() && !matches!(v, Value::Bool(_))
        };
        let bad_here = !self.reads_fields()
            && match self {
                // Numbers whose result is null (division by zero, overflow) are null, not an
                // error; only operand types that the operator does not apply to are rejected.
                E::Bin(Op::Add | Op::Sub | Op::Mul | Op::Div | Op::Mod, l, r) => {
                    let (x, y) = (l.eval(&no_row), r.eval(&no_row));
                    let numeric = |v: &Value| matches!(v, Value::Long(_) | Value::Double(_));
                    !x.is_null()
                        && !y.is_null()
                        && (!numeric(&x) || !numeric(&y))
                        && self.eval(&no_row).is_null()
                }
                E::Neg(x) => {
                    let v = x.eval(&no_row);
                    !v.is_null()
                        && !matches!(v, Value::Long(_) | Value::Double(_))
                        && self.eval(&no_row).is_null()
                }
                E::Bin(Op::And | Op::Or | Op::Xor, l, r) => not_bool(l) || not_bool(r),
                E::Not(x) => not_bool(x),
                _ => false,
            };
        bad_here
            || match self {
                E::Bin(_, l, r) => l.constant_type_error() || r.constant_type_error(),
                E::Not(x) | E::Neg(x) | E::IsNull(x) => x.constant_type_error(),
                _ => false,
            }
    }

    /// DQL semantics, one row at a time (reference §2.2–2.5).
    pub(crate) fn eval(&self, row: &Row) -> Value {
        use Value::{Bool, Double, Long, Null};
        let truth = |v: &Value| if let Bool(b) = v { Some(*b) } else { None };
        match self {
            E::Field(c) => row[*c].clone(),
            E::Lit(v) => v.clone(),
            E::IsNull(x) => Bool(x.eval(row).is_null()),
            E::Not(x) => truth(&x.eval(row)).map_or(Null, |b| Bool(!b)),
            E::Neg(x) => match x.eval(row) {
                Long(v) => v.checked_neg().map_or(Null, Long),
                Double(f) => Double(-f),
                _ => Null,
            },
            E::Bin(op, l, r) => {
                let (x, y) = (l.eval(row), r.eval(row));
                let (p, q) = (truth(&x), truth(&y));
                match op {
                    Op::Eq => ref_eq(&x, &y).map_or(Null, Bool),
                    Op::Ne => ref_eq(&x, &y).map_or(Null, |e| Bool(!e)),
                    Op::Lt => ref_cmp(&x, &y).map_or(Null, |o| Bool(o.is_lt())),
                    Op::Le => ref_cmp(&x, &y).map_or(Null, |o| Bool(o.is_le())),
                    Op::Gt => ref_cmp(&x, &y).map_or(Null, |o| Bool(o.is_gt())),
                    Op::Ge => ref_cmp(&x, &y).map_or(Null, |o| Bool(o.is_ge())),
                    // Kleene logic; a non-boolean operand counts as unknown.
                    Op::And if p == Some(false) || q == Some(false) => Bool(false),
                    Op::And if p.is_some() && q.is_some() => Bool(true),
                    Op::Or if p == Some(true) || q == Some(true) => Bool(true),
                    Op::Or if p.is_some() && q.is_some() => Bool(false),
                    Op::Xor => p.zip(q).map_or(Null, |(p, q)| Bool(p != q)),
                    Op::And | Op::Or => Null,
                    // long op long stays long (`/` drops the fraction); overflow and division
                    // by zero give null (reference §2.2); a double on either side gives a double.
                    Op::Add | Op::Sub | Op::Mul | Op::Div | Op::Mod => match (&x, &y) {
                        (Long(a), Long(b)) => match op {
                            Op::Add => a.checked_add(*b),
                            Op::Sub => a.checked_sub(*b),
                            Op::Mul => a.checked_mul(*b),
                            Op::Div => a.checked_div(*b),
                            _ => a.checked_rem(*b),
                        }
                        .map_or(Null, Long),
                        _ => match (num(&x), num(&y)) {
                            (Some(_), Some(b)) if b == 0.0 && matches!(op, Op::Div | Op::Mod) => {
                                Null
                            }
                            (Some(a), Some(b)) => Double(match op {
                                Op::Add => a + b,
                                Op::Sub => a - b,
                                Op::Mul => a * b,
                                Op::Div => a / b,
                                _ => a % b,
                            }),
                            _ => Null,
                        },
                    },
                }
            }
        }
    }
}

/// `==`: null when either side is null; numbers by value across long and double; values of
/// different types are not equal.
pub(crate) fn ref_eq(x: &Value, y: &Value) -> Option<bool> {
    match (x, y) {
        (Value::Null, _) | (_, Value::Null) => None,
        (Value::Long(p), Value::Long(q)) => Some(p == q),
        (Value::Bool(p), Value::Bool(q)) => Some(p == q),
        (Value::Str(p), Value::Str(q)) => Some(p == q),
        _ => match (num(x), num(y)) {
            (Some(p), Some(q)) => Some(p == q),
            _ => Some(false),
        },
    }
}

/// `<` and friends: numbers with numbers, strings with strings (UTF-16 code units); anything
/// else (booleans included) is null.
pub(crate) fn ref_cmp(x: &Value, y: &Value) -> Option<std::cmp::Ordering> {
    match (x, y) {
        (Value::Long(p), Value::Long(q)) => Some(p.cmp(q)),
        (Value::Str(p), Value::Str(q)) => Some(p.encode_utf16().cmp(q.encode_utf16())),
        _ => num(x)?.partial_cmp(&num(y)?),
    }
}

pub(crate) fn check_against_reference(rows: &[Row], e: &E, src: &Src) -> Result<(), TestCaseError> {
    let tail = format!("fields i, r = {}", e.text());
    let q = src.query(&tail);
    match src.try_run(&tail) {
        Err(diags) => {
            prop_assert!(e.constant_type_error(), "{}\nfailed: {:?}", q, diags);
            prop_assert!(
                diags.iter().all(|d| d.code == "E328"),
                "{}\nfailed: {:?}",
                q,
                diags
            );
        }
        Ok(out) => {
            prop_assert!(!e.constant_type_error(), "{}\nshould fail with E328", q);
            prop_assert_eq!(out.rows.len(), rows.len());
            for (i, got) in out.ids().into_iter().zip(out.col("r")) {
                let want = e.eval(&rows[i]);
                prop_assert!(
                    identical(&got, &want),
                    "{}\nrow {} {:?}: engine {:?}, reference {:?}",
                    q,
                    i,
                    rows[i],
                    got,
                    want
                );
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(cases(256))]

    #[test]
    fn engine_agrees_with_reference_evaluator(rows in table(), e in eval_expr(), events in any::<bool>()) {
        check_against_reference(&rows, &e, &source(&rows, events))?;
    }
}
