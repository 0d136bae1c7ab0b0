//! Conversion (`toLong`, …: convert when the value allows it, else null) and casting (`asLong`,
//! …: the value when it already has the type, else null).
//! Reference: <https://docs.dynatrace.com/docs/platform/grail/dynatrace-query-language/functions/conversion-and-casting-functions>.

use super::Imp::Scalar;
use super::{at, ex, req, Ctx, Family, Function, Ty};
use crate::time;
use crate::value::Value;

const CONVERSION: Function = Function {
    family: Family::Conversion,
    see: "https://docs.dynatrace.com/docs/platform/grail/dynatrace-query-language/functions/conversion-and-casting-functions",
    ..Function::BASE
};

/// The types `toLong` and `toDouble` read.
const NUMERIC_SOURCES: Ty = Ty::ARRAY
    .or(Ty::BOOL)
    .or(Ty::NUMBER)
    .or(Ty::DURATION)
    .or(Ty::STRING)
    .or(Ty::TIMESTAMP);

/// `asX(value)`: the value if it has the type, else null.
macro_rules! cast {
    ($name:literal, $ty:expr, $doc:literal, $example:expr, $pat:pat) => {
        Function {
            name: $name,
            params: &[req("value", Ty::ANY)],
            returns: $ty,
            doc: $doc,
            examples: &$example,
            imp: Scalar(|a, _| match at(a, 0) {
                v @ $pat => v.clone(),
                _ => Value::Null,
            }),
            ..CONVERSION
        }
    };
}

pub(super) static FUNCTIONS: &[Function] = &[
    Function {
        name: "toString",
        params: &[req("value", Ty::ANY)],
        returns: Ty::STRING,
        doc: "The value as text (timestamps ISO 8601, durations and records as Dynatrace prints them); null stays null.",
        examples: &[ex("toString(2.0)", r#""2""#), ex("toString(array(1, \"a\"))", r#""[1, \"a\"]""#)],
        imp: Scalar(|a, _| at(a, 0).to_dql_string().map_or(Value::Null, |s| Value::str(&s))),
        ..CONVERSION
    },
    Function {
        name: "toLong",
        params: &[req("value", NUMERIC_SOURCES)],
        returns: Ty::LONG,
        doc: "Converts to a long (doubles and numeric text are truncated; an array converts its first element); null if impossible.",
        examples: &[ex(r#"toLong("42")"#, "42"), ex("toLong(3.9)", "3"), ex(r#"toLong("x")"#, "null")],
        imp: Scalar(to_long),
        ..CONVERSION
    },
    Function {
        name: "toDouble",
        params: &[req("value", NUMERIC_SOURCES)],
        returns: Ty::DOUBLE,
        doc: "Converts to a double; null if impossible.",
        examples: &[ex(r#"toDouble("1234.5")"#, "1234.5")],
        imp: Scalar(to_double),
        ..CONVERSION
    },
    Function {
        name: "toBoolean",
        params: &[req("value", Ty::ARRAY.or(Ty::BOOL).or(Ty::NUMBER).or(Ty::STRING))],
        returns: Ty::BOOL,
        doc: "Converts to a boolean: the text \"true\" or \"false\" in any case, other text null; numbers are true unless zero once truncated (-0.5 is false).",
        examples: &[
            ex(r#"toBoolean("TRUE")"#, "true"),
            ex("toBoolean(0)", "false"),
            ex(r#"toBoolean("yes")"#, "null"),
            ex(r#"toBoolean("false")"#, "false"),
            ex("toBoolean(-0.5)", "false"),
            ex("toBoolean(-1)", "true"),
        ],
        imp: Scalar(|a, _| match at(a, 0) {
            Value::Bool(x) => Value::Bool(*x),
            // Dynatrace's example table: "yes" is null, not false as the prose says.
            Value::Str(s) if s.eq_ignore_ascii_case("true") => Value::Bool(true),
            Value::Str(s) if s.eq_ignore_ascii_case("false") => Value::Bool(false),
            Value::Long(v) => Value::Bool(*v != 0),
            // Truncated like a long: the example table has -0.5 false and -1 true.
            Value::Double(v) => Value::Bool(v.trunc() != 0.0),
            _ => Value::Null,
        }),
        ..CONVERSION
    },
    Function {
        name: "toTimestamp",
        params: &[req("value", Ty::NUMBER.or(Ty::STRING).or(Ty::TIMESTAMP))],
        returns: Ty::TIMESTAMP,
        doc: "Converts ISO 8601 text or epoch nanoseconds to a timestamp; null if impossible.",
        examples: &[
            ex(r#"toTimestamp("2026-11-20T11:40:00Z")"#, r#""2026-11-20T11:40:00Z""#),
            ex("toTimestamp(0)", r#""1970-01-01T00:00:00Z""#),
        ],
        imp: Scalar(|a, _| match at(a, 0) {
            Value::Timestamp(v) => Value::Timestamp(*v),
            Value::Str(s) => time::parse_timestamp(s).map_or(Value::Null, Value::Timestamp),
            Value::Long(v) => Value::Timestamp(*v),
            Value::Double(v) if v.is_finite() => Value::Timestamp(*v as i64),
            _ => Value::Null,
        }),
        ..CONVERSION
    },
    Function {
        name: "toArray",
        params: &[req("value", Ty::ANY)],
        returns: Ty::ARRAY,
        doc: "An array stays as it is; any other value becomes a one-element array; null stays null.",
        examples: &[ex("toArray(5)", "[5]")],
        imp: Scalar(|a, _| match at(a, 0) {
            Value::Null => Value::Null,
            Value::Array(xs) => Value::Array(xs.clone()),
            v => Value::Array(vec![v.clone()].into()),
        }),
        ..CONVERSION
    },
    cast!(
        "asString",
        Ty::STRING,
        "The value if it is a string, else null.",
        [ex(r#"asString("a")"#, r#""a""#), ex("asString(1)", "null")],
        Value::Str(_)
    ),
    cast!(
        "asLong",
        Ty::LONG,
        "The value if it is a long, else null.",
        [ex("asLong(7)", "7"), ex("asLong(7.0)", "null")],
        Value::Long(_)
    ),
    cast!(
        "asDouble",
        Ty::DOUBLE,
        "The value if it is a double, else null.",
        [ex("asDouble(7.5)", "7.5"), ex("asDouble(7)", "null")],
        Value::Double(_)
    ),
    cast!(
        "asBoolean",
        Ty::BOOL,
        "The value if it is a boolean, else null.",
        [ex("asBoolean(true)", "true"), ex(r#"asBoolean("true")"#, "null")],
        Value::Bool(_)
    ),
    cast!(
        "asNumber",
        Ty::NUMBER,
        "The value if it is a long or a double, else null.",
        [ex("asNumber(2.5)", "2.5"), ex(r#"asNumber("2")"#, "null")],
        Value::Long(_) | Value::Double(_)
    ),
    cast!(
        "asTimestamp",
        Ty::TIMESTAMP,
        "The value if it is a timestamp, else null.",
        [ex(r#"asTimestamp("2026-11-20T11:40:00Z")"#, "null")],
        Value::Timestamp(_)
    ),
    cast!(
        "asArray",
        Ty::ARRAY,
        "The value if it is an array, else null.",
        [ex("asArray(array(1))", "[1]"), ex("asArray(1)", "null")],
        Value::Array(_)
    ),
    cast!(
        "asRecord",
        Ty::RECORD,
        "The value if it is a record, else null.",
        [ex("asRecord(record(a = 1))", r#"{"a":1}"#), ex("asRecord(1)", "null")],
        Value::Record(_)
    ),
];

/// Finite doubles inside the long range; others are out of it.
fn in_long_range(f: f64) -> bool {
    f.is_finite() && f.abs() < 9.2e18
}

fn to_long(a: &[Value], _: &Ctx) -> Value {
    let first = |xs: &[Value]| [xs.first().cloned().unwrap_or(Value::Null)];
    match at(a, 0) {
        Value::Long(v) => Value::Long(*v),
        Value::Double(v) if in_long_range(*v) => Value::Long(v.trunc() as i64),
        Value::Str(s) => {
            let t = s.trim();
            t.parse::<i64>()
                .ok()
                .or_else(|| {
                    t.parse::<f64>()
                        .ok()
                        .filter(|f| in_long_range(*f))
                        .map(|f| f.trunc() as i64)
                })
                .map_or(Value::Null, Value::Long)
        }
        Value::Bool(x) => Value::Long(i64::from(*x)),
        Value::Timestamp(v) | Value::Duration(v) => Value::Long(*v),
        Value::Array(xs) => to_long(&first(xs), &Ctx { now: 0 }),
        _ => Value::Null,
    }
}

fn to_double(a: &[Value], _: &Ctx) -> Value {
    let first = |xs: &[Value]| [xs.first().cloned().unwrap_or(Value::Null)];
    match at(a, 0) {
        Value::Long(v) => Value::Double(*v as f64),
        Value::Double(v) => Value::Double(*v),
        Value::Str(s) => s.trim().parse::<f64>().map_or(Value::Null, Value::Double),
        Value::Bool(x) => Value::Double(if *x { 1.0 } else { 0.0 }),
        Value::Timestamp(v) | Value::Duration(v) => Value::Double(*v as f64),
        Value::Array(xs) => to_double(&first(xs), &Ctx { now: 0 }),
        _ => Value::Null,
    }
}
