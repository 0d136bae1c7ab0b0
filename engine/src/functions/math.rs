//! Mathematical functions.
//! Reference: <https://docs.dynatrace.com/docs/platform/grail/dynatrace-query-language/functions/mathematical-functions>.

use super::Imp::Scalar;
use super::{at, ex, long, named, req, req_const, Def, Family, Function, Ty};
use crate::value::Value;

const MATH: Function = Function {
    family: Family::Math,
    ..Function::BASE
};

pub(super) static FUNCTIONS: &[Function] = &[
    Function {
        name: "bin",
        params: &[
            req("expression", Ty::NUMBER.or(Ty::DURATION).or(Ty::TIMESTAMP)),
            req_const("interval", Ty::NUMBER.or(Ty::DURATION)),
        ],
        returns: Ty::NUMBER.or(Ty::DURATION).or(Ty::TIMESTAMP),
        doc: "Rounds a number, duration or timestamp down to a multiple of the interval (timestamps from the Unix epoch).",
        examples: &[
            ex("bin(-42.13, 10)", "-50.0"),
            ex("bin(27, 10)", "20"),
            ex(
                r#"bin(toTimestamp("2022-12-24T18:13:23.672-0400"), 1m)"#,
                r#""2022-12-24T22:13:00Z""#,
            ),
            ex(
                r#"bin(toTimestamp("2022-12-24T18:13:23.672-0400"), 1d)"#,
                r#""2022-12-24T00:00:00Z""#,
            ),
        ],
        see: dynatrace_docs!("mathematical-functions#bin"),
        imp: Scalar(|a, _| match (at(a, 0), at(a, 1)) {
            // Checked: near the ends of the range, the bin's start may not exist.
            (Value::Timestamp(t), Value::Duration(d)) if *d > 0 => t
                .div_euclid(*d)
                .checked_mul(*d)
                .map_or(Value::Null, Value::Timestamp),
            (Value::Duration(t), Value::Duration(d)) if *d > 0 => t
                .div_euclid(*d)
                .checked_mul(*d)
                .map_or(Value::Null, Value::Duration),
            (Value::Long(x), Value::Long(d)) if *d > 0 => long(x.div_euclid(*d).checked_mul(*d)),
            (x, d) => match (x.as_f64(), d.as_f64()) {
                (Some(x), Some(d)) if d > 0.0 => Value::Double((x / d).floor() * d),
                _ => Value::Null,
            },
        }),
        ..MATH
    },
    Function {
        name: "abs",
        params: &[req("expression", Ty::NUMBER.or(Ty::DURATION))],
        returns: Ty::NUMBER.or(Ty::DURATION),
        doc: "The absolute value of a number or duration (null on overflow).",
        examples: &[ex("abs(-42.13)", "42.13"), ex("abs(0)", "0"), ex("abs(-5m)", "300000000000")],
        see: dynatrace_docs!("mathematical-functions#abs"),
        imp: Scalar(|a, _| match at(a, 0) {
            Value::Long(v) => long(v.checked_abs()),
            Value::Double(v) => Value::Double(v.abs()),
            Value::Duration(v) => v.checked_abs().map_or(Value::Null, Value::Duration),
            _ => Value::Null,
        }),
        ..MATH
    },
    Function {
        name: "round",
        params: &[
            req("expression", Ty::NUMBER),
            named("decimals", Ty::LONG, Def::Long(0)),
        ],
        returns: Ty::NUMBER,
        doc: "Rounds to the nearest integer, or to `decimals:` places after the point, ties toward positive infinity (-0.5 gives 0); a double stays a double, a long stays as it is.",
        examples: &[
            ex("round(-0.5)", "0.0"),
            ex("round(0.5)", "1.0"),
            ex("round(0.55, decimals: 1)", "0.6"),
            ex("round(-0.5, decimals: 1)", "-0.5"),
            ex("round(7)", "7"),
        ],
        see: dynatrace_docs!("mathematical-functions#round"),
        imp: Scalar(|a, _| match (at(a, 0), at(a, 1)) {
            (Value::Long(v), _) => Value::Long(*v),
            (Value::Double(v), Value::Long(0)) => Value::Double(round_half_up(*v)),
            (Value::Double(v), Value::Long(d)) => {
                let m = 10f64.powi(*d as i32);
                Value::Double(round_half_up(v * m) / m)
            }
            _ => Value::Null,
        }),
        ..MATH
    },
    Function {
        name: "floor",
        params: &[req("expression", Ty::NUMBER)],
        returns: Ty::NUMBER,
        doc: "Rounds down to a mathematical integer; a double stays a double.",
        examples: &[ex("floor(-0.5)", "-1.0"), ex("floor(0.5)", "0.0"), ex("floor(7)", "7")],
        see: dynatrace_docs!("mathematical-functions#floor"),
        imp: Scalar(|a, _| match at(a, 0) {
            Value::Long(v) => Value::Long(*v),
            Value::Double(v) => Value::Double(v.floor() + 0.0),
            _ => Value::Null,
        }),
        ..MATH
    },
    Function {
        name: "ceil",
        params: &[req("expression", Ty::NUMBER)],
        returns: Ty::NUMBER,
        doc: "Rounds up to a mathematical integer; a double stays a double.",
        examples: &[ex("ceil(-0.5)", "0.0"), ex("ceil(0.5)", "1.0"), ex("ceil(7)", "7")],
        see: dynatrace_docs!("mathematical-functions#ceil"),
        imp: Scalar(|a, _| match at(a, 0) {
            Value::Long(v) => Value::Long(*v),
            // `+ 0.0` turns the -0.0 of ceil(-0.5) into 0.
            Value::Double(v) => Value::Double(v.ceil() + 0.0),
            _ => Value::Null,
        }),
        ..MATH
    },
];

/// Rounds to the nearest integer, ties toward positive infinity (as Dynatrace's round(-0.5) = 0
/// and round(0.5) = 1). `v - floor(v)` is exact, so 0.49999999999999994 does not round up.
fn round_half_up(v: f64) -> f64 {
    let down = v.floor();
    if v - down >= 0.5 {
        down + 1.0
    } else {
        down + 0.0
    }
}
