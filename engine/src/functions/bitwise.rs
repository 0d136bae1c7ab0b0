//! Bitwise functions on longs, as 64-bit two's complement numbers. Any argument that is not a
//! long makes the result null.
//! Reference: <https://docs.dynatrace.com/docs/platform/grail/dynatrace-query-language/functions/bitwise-functions>.

use super::Imp::Scalar;
use super::{at, ex, named, req, Def, Family, Function, Ty};
use crate::value::Value;

const BITWISE: Function = Function {
    family: Family::Bitwise,
    returns: Ty::LONG,
    ..Function::BASE
};

const TWO: &[super::Param] = &[
    req("firstExpression", Ty::LONG),
    req("secondExpression", Ty::LONG),
];
const ONE: &[super::Param] = &[req("expression", Ty::LONG)];

pub(super) static FUNCTIONS: &[Function] = &[
    Function {
        name: "bitwiseAnd",
        params: TWO,
        doc: "The bits set in both longs.",
        examples: &[
            ex("bitwiseAnd(12, 10)", "8"),
            ex("bitwiseAnd(1, 1)", "1"),
            ex("bitwiseAnd(-1, 9223372036854775807)", "9223372036854775807"),
            ex("bitwiseAnd(12, 10.0)", "null"),
        ],
        see: dynatrace_docs!("bitwise-functions#bitwiseAnd"),
        imp: Scalar(|a, _| two(a, |x, y| x & y)),
        ..BITWISE
    },
    Function {
        name: "bitwiseOr",
        params: TWO,
        doc: "The bits set in either long.",
        examples: &[
            ex("bitwiseOr(12, 10)", "14"),
            ex("bitwiseOr(0, 0)", "0"),
            ex("bitwiseOr(null, 1)", "null"),
        ],
        see: dynatrace_docs!("bitwise-functions#bitwiseOr"),
        imp: Scalar(|a, _| two(a, |x, y| x | y)),
        ..BITWISE
    },
    Function {
        name: "bitwiseXor",
        params: TWO,
        doc: "The bits set in exactly one of the longs.",
        examples: &[
            ex("bitwiseXor(12, 10)", "6"),
            ex("bitwiseXor(1, 1)", "0"),
            ex("bitwiseXor(-1, 0)", "-1"),
        ],
        see: dynatrace_docs!("bitwise-functions#bitwiseXor"),
        imp: Scalar(|a, _| two(a, |x, y| x ^ y)),
        ..BITWISE
    },
    Function {
        name: "bitwiseNot",
        params: ONE,
        doc: "The long with every bit inverted (-x - 1).",
        examples: &[
            ex("bitwiseNot(0)", "-1"),
            ex("bitwiseNot(12)", "-13"),
            ex("bitwiseNot(9223372036854775807)", "-9223372036854775808"),
            ex("bitwiseNot(1.5)", "null"),
        ],
        see: dynatrace_docs!("bitwise-functions#bitwiseNot"),
        imp: Scalar(|a, _| match at(a, 0) {
            Value::Long(x) => Value::Long(!x),
            _ => Value::Null,
        }),
        ..BITWISE
    },
    Function {
        name: "bitwiseCountOnes",
        params: ONE,
        doc: "The number of bits set to one (64 for -1).",
        examples: &[
            ex("bitwiseCountOnes(12)", "2"),
            ex("bitwiseCountOnes(-1)", "64"),
            ex("bitwiseCountOnes(-9223372036854775807)", "2"),
            ex("bitwiseCountOnes(null)", "null"),
        ],
        see: dynatrace_docs!("bitwise-functions#bitwiseCountOnes"),
        imp: Scalar(|a, _| match at(a, 0) {
            Value::Long(x) => Value::Long(i64::from(x.count_ones())),
            _ => Value::Null,
        }),
        ..BITWISE
    },
    Function {
        name: "bitwiseShiftLeft",
        params: &[req("expression", Ty::LONG), req("numberOfBits", Ty::LONG)],
        doc: "The long shifted left by a number of bits, the bits shifted out of the 64 dropped (0 from 64 bits on; null for a negative number of bits).",
        examples: &[
            ex("bitwiseShiftLeft(1, 2)", "4"),
            ex("bitwiseShiftLeft(9223372036854775807, 1)", "-2"),
            ex("bitwiseShiftLeft(-9223372036854775808, 1)", "0"),
            ex("bitwiseShiftLeft(1, 64)", "0"),
            ex("bitwiseShiftLeft(1, -1)", "null"),
        ],
        see: dynatrace_docs!("bitwise-functions#bitwiseShiftLeft"),
        imp: Scalar(|a, _| shift(a, |x, n| x.checked_shl(n).unwrap_or(0))),
        ..BITWISE
    },
    Function {
        name: "bitwiseShiftRight",
        params: &[
            req("expression", Ty::LONG),
            req("numberOfBits", Ty::LONG),
            named("ignoreSign", Ty::BOOL, Def::Bool(false)),
        ],
        doc: "The long shifted right by a number of bits, copying the sign bit in, or zeros with `ignoreSign: true` (null for a negative number of bits).",
        examples: &[
            ex("bitwiseShiftRight(9223372036854775807, 1)", "4611686018427387903"),
            ex("bitwiseShiftRight(-9223372036854775808, 1)", "-4611686018427387904"),
            ex("bitwiseShiftRight(-9223372036854775808, 1, ignoreSign: true)", "4611686018427387904"),
            ex("bitwiseShiftRight(-1, 2)", "-1"),
            ex("bitwiseShiftRight(-1, 2, ignoreSign: true)", "4611686018427387903"),
            ex("bitwiseShiftRight(-1, 64)", "-1"),
            ex("bitwiseShiftRight(8, -1)", "null"),
        ],
        see: dynatrace_docs!("bitwise-functions#bitwiseShiftRight"),
        imp: Scalar(|a, _| {
            if at(a, 2).as_bool() == Some(true) {
                shift(a, |x, n| (x as u64).checked_shr(n).unwrap_or(0) as i64)
            } else {
                shift(a, |x, n| x >> n.min(63))
            }
        }),
        ..BITWISE
    },
];

fn two(a: &[Value], f: fn(i64, i64) -> i64) -> Value {
    match (at(a, 0), at(a, 1)) {
        (Value::Long(x), Value::Long(y)) => Value::Long(f(*x, *y)),
        _ => Value::Null,
    }
}

/// A shift by a non-negative number of bits (counts past 64 are clamped: the result is the same
/// from 64 on).
fn shift(a: &[Value], f: fn(i64, u32) -> i64) -> Value {
    match (at(a, 0), at(a, 1)) {
        (Value::Long(x), Value::Long(n)) if *n >= 0 => Value::Long(f(*x, (*n).min(64) as u32)),
        _ => Value::Null,
    }
}
