//! Mathematical functions and constants. Functions of real numbers take longs and doubles and
//! return a double; a result that is not a finite number is null, as Dynatrace documents for
//! `sqrt(-14)` and `log(0)` (so `asin(2)` and `exp(1000)` are null too).
//! Reference: <https://docs.dynatrace.com/docs/platform/grail/dynatrace-query-language/functions/mathematical-functions>.

use super::Imp::Scalar;
use super::{at, ex, long, named, record, req, req_const, Def, Family, Function, Ty};
use crate::value::Value;

const MATH: Function = Function {
    family: Family::Math,
    ..Function::BASE
};

/// A function of one real number: a long or double in, a double out, null when the result is
/// not a finite number.
macro_rules! real {
    ($name:literal, $doc:literal, $examples:expr, $f:expr) => {
        Function {
            name: $name,
            params: &[req("expression", Ty::NUMBER)],
            returns: Ty::DOUBLE,
            doc: $doc,
            examples: &$examples,
            see: dynatrace_docs!(concat!("mathematical-functions#", $name)),
            imp: Scalar(|a, _| at(a, 0).as_f64().map_or(Value::Null, |x| finite($f(x)))),
            ..MATH
        }
    };
}

pub(super) static FUNCTIONS: &[Function] = &[
    Function {
        name: "bin",
        params: &[
            req("expression", Ty::NUMBER.or(Ty::DURATION).or(Ty::TIMESTAMP)),
            req_const("interval", Ty::NUMBER.or(Ty::DURATION)),
            named("at", Ty::NUMBER.or(Ty::DURATION).or(Ty::TIMESTAMP), Def::Null),
        ],
        returns: Ty::NUMBER.or(Ty::DURATION).or(Ty::TIMESTAMP),
        doc: "Rounds a number, duration or timestamp down to a multiple of the interval, counted from 0 (timestamps: the Unix epoch) or from `at:` (for timestamps a timestamp, or a duration after the epoch).",
        examples: &[
            ex("bin(-42.13, 10)", "-50.0"),
            ex("bin(27, 10)", "20"),
            ex("bin(27, 10, at: 5)", "25"),
            ex("bin(0, 10, at: 5)", "-5"),
            ex(
                r#"bin(toTimestamp("2022-12-24T18:13:23.672-0400"), 1m)"#,
                r#""2022-12-24T22:13:00Z""#,
            ),
            ex(
                r#"bin(toTimestamp("2022-12-24T18:13:23.672-0400"), 1d)"#,
                r#""2022-12-24T00:00:00Z""#,
            ),
            ex(
                r#"bin(toTimestamp("2019-08-01T09:30:00.000-0400"), 1d, at: 12h)"#,
                r#""2019-08-01T12:00:00Z""#,
            ),
            ex("bin(5, 0)", "null"),
        ],
        see: dynatrace_docs!("mathematical-functions#bin"),
        imp: Scalar(|a, _| align(at(a, 0), at(a, 1), at(a, 2)).map_or(Value::Null, |(s, _)| s)),
        ..MATH
    },
    Function {
        name: "range",
        params: &[
            req("expression", Ty::NUMBER.or(Ty::DURATION).or(Ty::TIMESTAMP)),
            req("interval", Ty::NUMBER.or(Ty::DURATION)),
            named("at", Ty::NUMBER.or(Ty::DURATION).or(Ty::TIMESTAMP), Def::Null),
        ],
        returns: Ty::RECORD,
        doc: "The bin of `bin` with its end: a record of `start` and `end` (start plus the interval).",
        examples: &[
            ex("range(-42.13, 10)", r#"{"start":-50.0,"end":-40.0}"#),
            ex("range(27, 10, at: 5)", r#"{"start":25,"end":35}"#),
            ex(
                r#"range(toTimestamp("2022-12-24T18:13:23.672-0400"), 1d)"#,
                r#"{"start":"2022-12-24T00:00:00Z","end":"2022-12-25T00:00:00Z"}"#,
            ),
            ex(r#"range("7", 10)"#, "null"),
        ],
        see: dynatrace_docs!("mathematical-functions#range"),
        imp: Scalar(|a, _| match align(at(a, 0), at(a, 1), at(a, 2)) {
            Some((s, e)) => record(vec![("start".into(), s), ("end".into(), e)]),
            None => Value::Null,
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
    real!("sqrt", "The positive square root; null for a negative number.", [
        ex("sqrt(81)", "9.0"),
        ex("sqrt(-14)", "null"),
        ex("sqrt(2)", "1.4142135623730951"),
        ex(r#"sqrt("4")"#, "null"),
    ], f64::sqrt),
    real!("cbrt", "The real cube root.", [
        ex("cbrt(-8)", "-2.0"),
        ex("cbrt(-42.13)", "-3.4796093277033586"),
        ex("cbrt(0)", "0.0"),
    ], f64::cbrt),
    real!("exp", "e raised to the power of the number; null when that is too large for a double.", [
        ex("exp(1)", "2.718281828459045"),
        ex("exp(4)", "54.598150033144236"),
        ex("exp(1000)", "null"),
    ], f64::exp),
    real!("log", "The natural logarithm (base e); null for zero and negative numbers.", [
        ex("log(e())", "1.0"),
        ex("log(0)", "null"),
        ex("log(1)", "0.0"),
        ex("log(6.8545)", "1.924905370893818"),
        ex("log(-1)", "null"),
    ], f64::ln),
    real!("log1p", "The natural logarithm of 1 plus the number (precise near 0); null at -1 and below.", [
        ex("log1p(0)", "0.0"),
        ex("log1p(6.8545)", "2.0610866159578576"),
        ex("log1p(-1)", "null"),
    ], f64::ln_1p),
    real!("log10", "The decimal logarithm; null for zero and negative numbers.", [
        ex("log10(6.8545)", "0.8359757807651175"),
        ex("log10(100)", "2.0"),
        ex("log10(0)", "null"),
    ], f64::log10),
    Function {
        name: "power",
        params: &[req("base", Ty::NUMBER), req("exponent", Ty::NUMBER)],
        returns: Ty::DOUBLE,
        doc: "The base raised to the exponent, a double (null when the result is not a finite number).",
        examples: &[
            ex("power(2, 4)", "16.0"),
            ex("power(3, 5)", "243.0"),
            ex("power(4, 0.5)", "2.0"),
            ex("power(-8, 1.0 / 3)", "null"),
            ex("power(0, -1)", "null"),
        ],
        see: dynatrace_docs!("mathematical-functions#power"),
        imp: Scalar(|a, _| binary(a, f64::powf)),
        ..MATH
    },
    Function {
        name: "hypotenuse",
        params: &[req("x", Ty::NUMBER), req("y", Ty::NUMBER)],
        returns: Ty::DOUBLE,
        doc: "The square root of x² + y², without overflow in between.",
        examples: &[
            ex("hypotenuse(1, 2)", "2.23606797749979"),
            ex("hypotenuse(3, 4)", "5.0"),
            ex("hypotenuse(5, 6)", "7.810249675906654"),
            ex("hypotenuse(3, null)", "null"),
        ],
        see: dynatrace_docs!("mathematical-functions#hypotenuse"),
        imp: Scalar(|a, _| binary(a, f64::hypot)),
        ..MATH
    },
    Function {
        name: "signum",
        params: &[req("expression", Ty::NUMBER)],
        returns: Ty::NUMBER,
        doc: "-1, 0 or 1 by the sign of the number, of the number's type (a long stays a long).",
        examples: &[
            ex("signum(-42.13)", "-1.0"),
            ex("signum(0)", "0"),
            ex("signum(6.8545)", "1.0"),
            ex("signum(-7)", "-1"),
            ex("signum(-0.0)", "0.0"),
        ],
        see: dynatrace_docs!("mathematical-functions#signum"),
        imp: Scalar(|a, _| match at(a, 0) {
            Value::Long(v) => Value::Long(v.signum()),
            Value::Double(v) if *v == 0.0 => Value::Double(0.0),
            Value::Double(v) if v.is_nan() => Value::Null,
            Value::Double(v) => Value::Double(v.signum()),
            _ => Value::Null,
        }),
        ..MATH
    },
    real!("sin", "The sine of an angle in radians.", [
        ex("sin(pi() / 2)", "1.0"),
        ex("sin(0)", "0.0"),
        ex("sin(-pi() / 2)", "-1.0"),
    ], f64::sin),
    real!("cos", "The cosine of an angle in radians.", [
        ex("cos(-pi())", "-1.0"),
        ex("cos(0)", "1.0"),
        ex("cos(pi())", "-1.0"),
    ], f64::cos),
    real!("tan", "The tangent of an angle in radians.", [
        ex("tan(-pi() / 4)", "-0.9999999999999999"),
        ex("tan(0)", "0.0"),
        ex("tan(pi() / 4)", "0.9999999999999999"),
    ], f64::tan),
    real!("asin", "The arc sine in radians, from -π/2 to π/2; null outside -1 to 1.", [
        ex("asin(-1)", "-1.5707963267948966"),
        ex("asin(0)", "0.0"),
        ex("asin(1)", "1.5707963267948966"),
        ex("asin(2)", "null"),
    ], f64::asin),
    real!("acos", "The arc cosine in radians, from 0 to π; null outside -1 to 1.", [
        ex("acos(-1)", "3.141592653589793"),
        ex("acos(0)", "1.5707963267948966"),
        ex("acos(1)", "0.0"),
        ex("acos(1.5)", "null"),
    ], f64::acos),
    real!("atan", "The arc tangent in radians, from -π/2 to π/2.", [
        ex("atan(-1)", "-0.7853981633974483"),
        ex("atan(0)", "0.0"),
        ex("atan(1)", "0.7853981633974483"),
    ], f64::atan),
    Function {
        name: "atan2",
        params: &[req("ordinate", Ty::NUMBER), req("abscissa", Ty::NUMBER)],
        returns: Ty::DOUBLE,
        doc: "The angle in radians of the point (abscissa, ordinate) from the x axis, from -π to π.",
        examples: &[
            ex("atan2(1, 1)", "0.7853981633974483"),
            ex("atan2(2, 3)", "0.5880026035475675"),
            ex("atan2(4, 5)", "0.6747409422235526"),
            ex("atan2(1, -1)", "2.356194490192345"),
            ex("atan2(null, 1)", "null"),
        ],
        see: dynatrace_docs!("mathematical-functions#atan2"),
        imp: Scalar(|a, _| binary(a, f64::atan2)),
        ..MATH
    },
    real!("sinh", "The hyperbolic sine.", [
        ex("sinh(-1)", "-1.1752011936438014"),
        ex("sinh(0)", "0.0"),
        ex("sinh(1)", "1.1752011936438014"),
    ], f64::sinh),
    real!("cosh", "The hyperbolic cosine.", [
        ex("cosh(-1)", "1.5430806348152437"),
        ex("cosh(0)", "1.0"),
        ex("cosh(1)", "1.5430806348152437"),
    ], f64::cosh),
    real!("tanh", "The hyperbolic tangent.", [
        ex("tanh(-1)", "-0.7615941559557649"),
        ex("tanh(0)", "0.0"),
        ex("tanh(1)", "0.7615941559557649"),
    ], f64::tanh),
    real!("degreeToRadian", "An angle in degrees converted to radians.", [
        ex("degreeToRadian(90)", "1.5707963267948966"),
        ex("degreeToRadian(180)", "3.141592653589793"),
    ], f64::to_radians),
    real!("radianToDegree", "An angle in radians converted to degrees.", [
        ex("radianToDegree(pi() / 2)", "90.0"),
        ex("radianToDegree(pi())", "180.0"),
    ], f64::to_degrees),
    Function {
        name: "pi",
        returns: Ty::DOUBLE,
        doc: "The constant π.",
        examples: &[ex("pi()", "3.141592653589793")],
        see: dynatrace_docs!("mathematical-functions#pi"),
        imp: Scalar(|_, _| Value::Double(std::f64::consts::PI)),
        ..MATH
    },
    Function {
        name: "e",
        returns: Ty::DOUBLE,
        doc: "Euler's number e.",
        examples: &[ex("e()", "2.718281828459045")],
        see: dynatrace_docs!("mathematical-functions#e"),
        imp: Scalar(|_, _| Value::Double(std::f64::consts::E)),
        ..MATH
    },
    Function {
        name: "random",
        returns: Ty::DOUBLE,
        doc: "A pseudo-random double from 0 (inclusive) to 1 (exclusive), not for secrets; for now one value per call in the query text, the same in every record, because the planner folds calls without arguments (Dynatrace draws one per record).",
        examples: &[
            ex("data record() | fields r = random() | fields ok = r >= 0 and r < 1", r#"{"ok":true}"#),
            ex("data record() | fields same = random() == random()", r#"{"same":false}"#),
        ],
        see: dynatrace_docs!("mathematical-functions#random"),
        imp: Scalar(|_, ctx| Value::Double(random(ctx.now))),
        deterministic: false,
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

/// A double, or null when it is NaN or infinite.
fn finite(v: f64) -> Value {
    if v.is_finite() {
        Value::Double(v)
    } else {
        Value::Null
    }
}

/// A function of two real numbers.
fn binary(a: &[Value], f: fn(f64, f64) -> f64) -> Value {
    match (at(a, 0).as_f64(), at(a, 1).as_f64()) {
        (Some(x), Some(y)) => finite(f(x, y)),
        _ => Value::Null,
    }
}

/// `bin` and `range`: the bin of `x` of width `interval` counted from `origin` (0 or the epoch
/// when null), as its start and end; None when the types do not fit, the interval is not
/// positive or the bin lies outside the range of the type.
fn align(x: &Value, interval: &Value, origin: &Value) -> Option<(Value, Value)> {
    /// Start and end of an integer bin, overflow checked.
    fn ints(x: i64, d: i64, o: i64) -> Option<(i64, i64)> {
        let start = o.checked_add(x.checked_sub(o)?.div_euclid(d).checked_mul(d)?)?;
        Some((start, start.checked_add(d)?))
    }
    match (x, interval, origin) {
        (Value::Timestamp(t), Value::Duration(d), Value::Null) if *d > 0 => {
            let (s, e) = ints(*t, *d, 0)?;
            Some((Value::Timestamp(s), Value::Timestamp(e)))
        }
        (Value::Timestamp(t), Value::Duration(d), Value::Timestamp(o) | Value::Duration(o))
            if *d > 0 =>
        {
            let (s, e) = ints(*t, *d, *o)?;
            Some((Value::Timestamp(s), Value::Timestamp(e)))
        }
        (Value::Duration(t), Value::Duration(d), Value::Null | Value::Duration(_)) if *d > 0 => {
            let o = if let Value::Duration(o) = origin {
                *o
            } else {
                0
            };
            let (s, e) = ints(*t, *d, o)?;
            Some((Value::Duration(s), Value::Duration(e)))
        }
        (Value::Long(v), Value::Long(d), Value::Null | Value::Long(_)) if *d > 0 => {
            let o = if let Value::Long(o) = origin { *o } else { 0 };
            let (s, e) = ints(*v, *d, o)?;
            Some((Value::Long(s), Value::Long(e)))
        }
        (Value::Long(_) | Value::Double(_), Value::Long(_) | Value::Double(_), _) => {
            let (v, d) = (x.as_f64()?, interval.as_f64()?);
            let o = match origin {
                Value::Null => 0.0,
                o => o.as_f64()?,
            };
            if d.is_nan() || d <= 0.0 {
                return None;
            }
            let start = o + ((v - o) / d).floor() * d + 0.0;
            Some((finite(start), finite(start + d)))
        }
        _ => None,
    }
}

/// A pseudo-random double in [0, 1): xorshift64* on a per-thread state, seeded at the first
/// call from the process's hash keys (random where the platform has randomness; fixed in wasm32,
/// which has none) and the query's `now` (the wall clock in the app), so that two page loads
/// do not draw the same numbers. Enough for sampling rows; not cryptographic.
fn random(now: i64) -> f64 {
    use std::cell::Cell;
    use std::hash::{BuildHasher, Hasher};
    thread_local! {
        static STATE: Cell<u64> = const { Cell::new(0) };
    }
    STATE.with(|s| {
        let mut x = s.get();
        if x == 0 {
            let mut h = std::collections::hash_map::RandomState::new().build_hasher();
            h.write_i64(now);
            x = h.finish() | 1;
        }
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        s.set(x);
        // The top 53 bits of the scrambled state, as a fraction.
        (x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_draws_spread_over_zero_to_one() {
        let draws: Vec<f64> = (0..10_000).map(|_| random(0)).collect();
        assert!(draws.iter().all(|x| (0.0..1.0).contains(x)));
        // The mean of 10,000 uniform draws is 0.5 ± 0.003 (one standard deviation).
        let mean = draws.iter().sum::<f64>() / draws.len() as f64;
        assert!((0.45..0.55).contains(&mean), "{mean}");
        let mut sorted = draws.clone();
        sorted.sort_by(f64::total_cmp);
        sorted.dedup();
        assert!(sorted.len() > 9_990);
    }

    #[test]
    fn bins_hold_their_value_and_overflow_to_null() {
        for (x, d, o) in [
            (-7i64, 5i64, 0i64),
            (7, 5, 3),
            (0, 10, 5),
            (i64::MAX - 1, 7, 0),
        ] {
            if let Some((Value::Long(s), Value::Long(e))) =
                align(&Value::Long(x), &Value::Long(d), &Value::Long(o))
            {
                assert!(
                    s <= x && x < e && e - s == d && (s - o).rem_euclid(d) == 0,
                    "{x} {d} {o}"
                );
            }
        }
        assert!(align(&Value::Long(i64::MAX), &Value::Long(2), &Value::Null).is_none());
        assert!(align(&Value::Long(5), &Value::Long(-2), &Value::Null).is_none());
    }
}
