//! Operators: comparison, Kleene logic, arithmetic and the search operator `~`. They are
//! declared like functions (the executor treats them alike) but are written as symbols; the
//! planner maps each operator of the syntax tree to its declaration with [`super::operator`].
//! Semantics: <https://docs.dynatrace.com/docs/platform/grail/dynatrace-query-language/operators>.

use std::cmp::Ordering;

use super::Imp::Scalar;
use super::{at, ex, long, req, Family, Function, Ty};
use crate::value::{dql_cmp, dql_eq, Value};

const OP: Function = Function {
    family: Family::Operator,
    see: "https://docs.dynatrace.com/docs/platform/grail/dynatrace-query-language/operators",
    ..Function::BASE
};

const AB: &[super::Param] = &[req("a", Ty::ANY), req("b", Ty::ANY)];
const AB_BOOL: &[super::Param] = &[req("a", Ty::BOOL), req("b", Ty::BOOL)];
const NUMERIC: Ty = Ty::NUMBER
    .or(Ty::TIMESTAMP)
    .or(Ty::DURATION)
    .or(Ty::TIMEFRAME)
    .or(Ty::IP);
const AB_NUM: &[super::Param] = &[req("a", NUMERIC), req("b", NUMERIC)];

pub(super) static FUNCTIONS: &[Function] = &[
    Function {
        name: "==",
        params: AB,
        returns: Ty::BOOL,
        doc: "Equality: null if either side is null; values of different types are not equal (a long equals a double of the same value).",
        examples: &[ex("1 == 1.0", "true"), ex("null == null", "null"), ex("5 == \"5\"", "false")],
        imp: Scalar(|a, _| dql_eq(at(a, 0), at(a, 1)).map_or(Value::Null, Value::Bool)),
        ..OP
    },
    Function {
        name: "!=",
        params: AB,
        returns: Ty::BOOL,
        doc: "Inequality (also written `<>`): the negation of `==`, null if either side is null.",
        examples: &[ex("\"a\" != \"A\"", "true")],
        imp: Scalar(|a, _| dql_eq(at(a, 0), at(a, 1)).map_or(Value::Null, |e| Value::Bool(!e))),
        ..OP
    },
    Function {
        name: "<",
        params: AB,
        returns: Ty::BOOL,
        doc: "Less than: numbers across long and double, strings, timestamps, durations, addresses of one family (IPv4 or IPv6); null otherwise.",
        examples: &[
            ex("2 < 10", "true"),
            ex("\"b\" < \"a\"", "false"),
            ex("false < true", "null"),
            ex("ip(\"10.0.0.9\") < ip(\"10.0.0.10\")", "true"),
            ex("ip(\"10.0.0.9\") < ip(\"::1\")", "null"),
        ],
        imp: Scalar(|a, _| cmp_with(at(a, 0), at(a, 1), |o| o == Ordering::Less)),
        ..OP
    },
    Function {
        name: "<=",
        params: AB,
        returns: Ty::BOOL,
        doc: "Less than or equal.",
        examples: &[ex("2 <= 2.0", "true")],
        imp: Scalar(|a, _| cmp_with(at(a, 0), at(a, 1), |o| o != Ordering::Greater)),
        ..OP
    },
    Function {
        name: ">",
        params: AB,
        returns: Ty::BOOL,
        doc: "Greater than.",
        examples: &[ex("3 > 2", "true")],
        imp: Scalar(|a, _| cmp_with(at(a, 0), at(a, 1), |o| o == Ordering::Greater)),
        ..OP
    },
    Function {
        name: ">=",
        params: AB,
        returns: Ty::BOOL,
        doc: "Greater than or equal.",
        examples: &[ex("1h >= 60m", "true")],
        imp: Scalar(|a, _| cmp_with(at(a, 0), at(a, 1), |o| o != Ordering::Less)),
        ..OP
    },
    Function {
        name: "and",
        params: AB_BOOL,
        returns: Ty::BOOL,
        doc: "Kleene and: false if either side is false, true if both are true, else null.",
        examples: &[ex("false and null", "false"), ex("true and null", "null")],
        imp: Scalar(|a, _| match (at(a, 0).as_bool(), at(a, 1).as_bool()) {
            (Some(false), _) | (_, Some(false)) => Value::Bool(false),
            (Some(true), Some(true)) => Value::Bool(true),
            _ => Value::Null,
        }),
        ..OP
    },
    Function {
        name: "or",
        params: AB_BOOL,
        returns: Ty::BOOL,
        doc: "Kleene or: true if either side is true, false if both are false, else null.",
        examples: &[ex("true or null", "true"), ex("false or null", "null")],
        imp: Scalar(|a, _| match (at(a, 0).as_bool(), at(a, 1).as_bool()) {
            (Some(true), _) | (_, Some(true)) => Value::Bool(true),
            (Some(false), Some(false)) => Value::Bool(false),
            _ => Value::Null,
        }),
        ..OP
    },
    Function {
        name: "xor",
        params: AB_BOOL,
        returns: Ty::BOOL,
        doc: "Exclusive or: null if either side is null.",
        examples: &[ex("true xor false", "true"), ex("true xor null", "null")],
        imp: Scalar(|a, _| match (at(a, 0).as_bool(), at(a, 1).as_bool()) {
            (Some(x), Some(y)) => Value::Bool(x != y),
            _ => Value::Null,
        }),
        ..OP
    },
    Function {
        name: "not",
        params: &[req("a", Ty::BOOL)],
        returns: Ty::BOOL,
        doc: "Negation: null stays null.",
        examples: &[ex("not false", "true")],
        imp: Scalar(|a, _| at(a, 0).as_bool().map_or(Value::Null, |x| Value::Bool(!x))),
        ..OP
    },
    Function {
        name: "neg",
        params: &[req("a", Ty::NUMBER.or(Ty::DURATION))],
        returns: Ty::NUMBER.or(Ty::DURATION),
        doc: "Unary minus (`-x`): null on overflow.",
        examples: &[ex("-(5m)", "-300000000000")],
        imp: Scalar(|a, _| match at(a, 0) {
            Value::Long(v) => long(v.checked_neg()),
            Value::Double(v) => Value::Double(-v),
            Value::Duration(v) => v.checked_neg().map_or(Value::Null, Value::Duration),
            _ => Value::Null,
        }),
        ..OP
    },
    Function {
        name: "+",
        params: AB_NUM,
        returns: NUMERIC,
        doc: "Addition of numbers (long + long is a long, null on overflow), timestamp or timeframe + duration, duration + duration, an address + a number or two addresses of one family (their numeric values; null past the last address).",
        examples: &[
            ex("1 + 2", "3"),
            ex("1 + 0.5", "1.5"),
            ex("9223372036854775807 + 1", "null"),
            ex("ip(\"127.0.0.10\") + ip(\"10.0.0.1\")", "\"137.0.0.11\""),
            ex("ip(\"127.0.0.10\") + 1", "\"127.0.0.11\""),
            ex("ip(\"255.255.255.255\") + 1", "null"),
        ],
        imp: Scalar(|a, _| arith(Arith::Add, at(a, 0), at(a, 1))),
        ..OP
    },
    Function {
        name: "-",
        params: AB_NUM,
        returns: NUMERIC,
        doc: "Subtraction; timestamp - timestamp is a duration; address - number and address - address (one family) are addresses, null below the first.",
        examples: &[
            ex("toTimestamp(\"2026-11-20T12:00:00Z\") - toTimestamp(\"2026-11-20T11:00:00Z\")", "3600000000000"),
            ex("ip(\"127.0.0.10\") - ip(\"10.0.0.1\")", "\"117.0.0.9\""),
            ex("ip(\"127.0.0.10\") - 1", "\"127.0.0.9\""),
            ex("ip(\"10.0.0.1\") - ip(\"127.0.0.10\")", "null"),
        ],
        imp: Scalar(|a, _| arith(Arith::Sub, at(a, 0), at(a, 1))),
        ..OP
    },
    Function {
        name: "+M",
        params: &[
            req("time", Ty::TIMESTAMP.or(Ty::TIMEFRAME)),
            req("months", Ty::LONG),
            req("fixed", Ty::DURATION),
        ],
        returns: Ty::TIMESTAMP.or(Ty::TIMEFRAME),
        doc: "`+` or `-` with a calendar duration (`timestamp + 1M`, `now() - 1y + 2w`; M months, q quarters, y years), which the planner writes as this operator: calendar months first, in UTC, a day past the end of the target month becoming its last day (January 31 + 1M is February 28 or 29, as Java's plusMonths does), then the fixed part; null out of the timestamp range.",
        examples: &[
            ex(r#"toTimestamp("2024-01-31T10:00:00Z") + 1M"#, r#""2024-02-29T10:00:00Z""#),
            ex(r#"toTimestamp("2026-03-31T10:00:00Z") - 1M"#, r#""2026-02-28T10:00:00Z""#),
            ex(r#"toTimestamp("2024-02-29T00:00:00Z") + 1y"#, r#""2025-02-28T00:00:00Z""#),
            ex(r#"toTimestamp("2026-11-20T00:00:00Z") - 1q"#, r#""2026-08-20T00:00:00Z""#),
            ex(r#"toTimestamp("2026-01-31T00:00:00Z") - 1M + 2w"#, r#""2026-01-14T00:00:00Z""#),
            ex(r#"toTimestamp("2262-01-01T00:00:00Z") + 1y"#, "null"),
        ],
        imp: Scalar(|a, _| {
            let (Value::Long(months), Value::Duration(fixed)) = (at(a, 1), at(a, 2)) else {
                return Value::Null;
            };
            let shift = |t: i64| crate::time::add_months(t, *months)?.checked_add(*fixed);
            match at(a, 0) {
                Value::Timestamp(t) => shift(*t).map_or(Value::Null, Value::Timestamp),
                Value::Timeframe(s, e) => match (shift(*s), shift(*e)) {
                    (Some(s), Some(e)) => Value::Timeframe(s, e),
                    _ => Value::Null,
                },
                _ => Value::Null,
            }
        }),
        ..OP
    },
    Function {
        name: "*",
        params: AB_NUM,
        returns: NUMERIC,
        doc: "Multiplication; a duration times a number is a duration.",
        examples: &[ex("3 * 2.5", "7.5")],
        imp: Scalar(|a, _| arith(Arith::Mul, at(a, 0), at(a, 1))),
        ..OP
    },
    Function {
        name: "/",
        params: AB_NUM,
        returns: NUMERIC,
        doc: "Division: long / long truncates; division by zero is null.",
        examples: &[ex("7 / 2", "3"), ex("7 / 0", "null"), ex("7.0 / 2", "3.5")],
        imp: Scalar(|a, _| arith(Arith::Div, at(a, 0), at(a, 1))),
        ..OP
    },
    Function {
        name: "%",
        params: AB_NUM,
        returns: NUMERIC,
        doc: "Remainder; by zero is null.",
        examples: &[ex("7 % 3", "1")],
        imp: Scalar(|a, _| arith(Arith::Mod, at(a, 0), at(a, 1))),
        ..OP
    },
    Function {
        name: "~",
        params: &[req("value", Ty::ANY), req("pattern", Ty::STRING)],
        returns: Ty::BOOL,
        doc: "Search: a case-insensitive token match in strings (any element of arrays, any name or value of records); numbers match their text exactly, addresses a term that is the same address.",
        examples: &[
            ex("\"Hello World\" ~ \"world\"", "true"),
            ex("\"HelloWorld\" ~ \"world\"", "false"),
            ex("ip(\"192.0.0.1\") ~ \"192\"", "false"),
            ex("ip(\"2001:db8::1\") ~ \"2001:0DB8::0001\"", "true"),
        ],
        imp: Scalar(|a, _| search(at(a, 0), at(a, 1))),
        ..OP
    },
];

fn cmp_with(a: &Value, b: &Value, f: impl Fn(Ordering) -> bool) -> Value {
    dql_cmp(a, b).map_or(Value::Null, |o| Value::Bool(f(o)))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Arith {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
}

fn arith(f: Arith, x: &Value, y: &Value) -> Value {
    use Value::*;
    match (x, y) {
        (Long(a), Long(b)) => long(match f {
            Arith::Add => a.checked_add(*b),
            Arith::Sub => a.checked_sub(*b),
            Arith::Mul => a.checked_mul(*b),
            Arith::Div => a.checked_div(*b),
            Arith::Mod => a.checked_rem(*b),
        }),
        (Long(_) | Double(_), Long(_) | Double(_)) => {
            let (a, b) = (x.as_f64().unwrap_or(0.0), y.as_f64().unwrap_or(0.0));
            let r = match f {
                Arith::Add => a + b,
                Arith::Sub => a - b,
                Arith::Mul => a * b,
                Arith::Div | Arith::Mod if b == 0.0 => return Null,
                Arith::Div => a / b,
                Arith::Mod => a % b,
            };
            Double(r)
        }
        (Timestamp(t), Duration(d)) => match f {
            Arith::Add => t.checked_add(*d).map_or(Null, Timestamp),
            Arith::Sub => t.checked_sub(*d).map_or(Null, Timestamp),
            _ => Null,
        },
        (Duration(d), Timestamp(t)) if f == Arith::Add => t.checked_add(*d).map_or(Null, Timestamp),
        (Timestamp(a), Timestamp(b)) if f == Arith::Sub => a.checked_sub(*b).map_or(Null, Duration),
        (Duration(a), Duration(b)) => match f {
            Arith::Add => a.checked_add(*b).map_or(Null, Duration),
            Arith::Sub => a.checked_sub(*b).map_or(Null, Duration),
            Arith::Div if *b != 0 => Double(*a as f64 / *b as f64),
            Arith::Mod if *b != 0 => Duration(a % b),
            _ => Null,
        },
        (Duration(d), Long(n)) | (Long(n), Duration(d)) if f == Arith::Mul => {
            d.checked_mul(*n).map_or(Null, Duration)
        }
        (Duration(d), Double(n)) | (Double(n), Duration(d)) if f == Arith::Mul => {
            Duration((*d as f64 * n).round() as i64)
        }
        (Duration(d), Long(n)) if f == Arith::Div && *n != 0 => Duration(d / n),
        (Duration(d), Double(n)) if f == Arith::Div && *n != 0.0 => {
            Duration((*d as f64 / n).round() as i64)
        }
        (Ip(a), Long(_) | Double(_)) | (Long(_) | Double(_), Ip(a)) => {
            let n = match (x, y) {
                (Long(n), _) | (_, Long(n)) => i128::from(*n),
                (Double(n), _) | (_, Double(n)) if n.is_finite() && n.abs() < 1e38 => {
                    n.trunc() as i128
                }
                _ => return Null,
            };
            let moved = match f {
                Arith::Add => crate::ip::add(a, n),
                Arith::Sub if matches!(x, Ip(_)) => crate::ip::add(a, -n),
                _ => None,
            };
            moved.map_or(Null, Ip)
        }
        (Ip(a), Ip(b)) => match f {
            Arith::Add | Arith::Sub => crate::ip::combine(a, b, f == Arith::Sub).map_or(Null, Ip),
            _ => Null,
        },
        (Timeframe(s, e), Duration(d)) => {
            let shift = |t: &i64| match f {
                Arith::Add => t.checked_add(*d),
                Arith::Sub => t.checked_sub(*d),
                _ => None,
            };
            match (shift(s), shift(e)) {
                (Some(s), Some(e)) => Timeframe(s, e),
                _ => Null,
            }
        }
        _ => Null,
    }
}

/// The `~` search operator.
fn search(v: &Value, pat: &Value) -> Value {
    let Some(p) = pat.as_str() else {
        return Value::Null;
    };
    Value::Bool(search_value(v, p))
}

/// Whether a search term matches a value, as `~` and the `search` command define it: text is
/// searched token-wise ([`term_matches`]); a long or double matches a term equal to its text
/// (never one with wildcards); an address matches a term that is the same address (however it
/// is written: `"2001:db8::1"` or `"2001:0db8::0001"`, never a part: `"192"`); an array if an
/// element does; a record if a member's name or value does. Booleans, timestamps and durations
/// never match.
pub fn search_value(v: &Value, term: &str) -> bool {
    match v {
        Value::Str(s) => term_matches(s, term),
        Value::Long(_) | Value::Double(_) => {
            !term.contains('*')
                && v.to_dql_string()
                    .is_some_and(|t| t.eq_ignore_ascii_case(term))
        }
        Value::Ip(ip) => crate::ip::parse(term).is_some_and(|t| t == *ip),
        Value::Uid(u) => !term.contains('*') && u.to_string().eq_ignore_ascii_case(term),
        Value::Array(xs) => xs.iter().any(|x| search_value(x, term)),
        Value::Record(r) => r
            .fields
            .iter()
            .any(|(k, x)| term_matches(k, term) || search_value(x, term)),
        _ => false,
    }
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// A search term against text, case-insensitively. Text is made of tokens (runs of letters,
/// digits and `_`) and the characters between them; a term matches where it starts and ends at
/// token boundaries (`"world"` is in `"Hello WORLD!"`, not in `"helloWorld"`), and each `*`
/// stands for any run of token characters, inside one token (`"*ow*"` is in `"helloWorld"`,
/// not in `"hello world"`). Runs in O(text × term): every start position advances a set of
/// term positions together, so no term makes it slower.
pub fn term_matches(text: &str, term: &str) -> bool {
    #[derive(Clone, Copy, PartialEq)]
    enum P {
        Char(char),
        Star,
    }
    let pat: Vec<P> = term
        .chars()
        .flat_map(char::to_lowercase)
        .map(|c| if c == '*' { P::Star } else { P::Char(c) })
        .collect();
    let m = pat.len();
    if m == 0 {
        return true;
    }
    // A term that begins (ends) with a token character must begin (end) at a token boundary.
    let bound_start = matches!(pat[0], P::Char(c) if is_word(c));
    let bound_end = matches!(pat[m - 1], P::Char(c) if is_word(c));
    // states[j]: the first j elements of the term match text ending here.
    let mut states = vec![false; m + 1];
    let mut next = vec![false; m + 1];
    let close = |st: &mut [bool]| {
        // A `*` may match nothing.
        for j in 0..m {
            if st[j] && pat[j] == P::Star {
                st[j + 1] = true;
            }
        }
    };
    let mut prev_word = false;
    let mut chars = text.chars();
    loop {
        // A match may start before the next character.
        if !bound_start || !prev_word {
            states[0] = true;
        }
        close(&mut states);
        let Some(c) = chars.next() else {
            return states[m];
        };
        let word = is_word(c);
        if states[m] && (!bound_end || !word) {
            return true;
        }
        // The lower-case form of one character may be several characters; they follow the
        // same rules.
        for lc in c.to_lowercase() {
            next.iter_mut().for_each(|x| *x = false);
            for j in 0..m {
                if !states[j] {
                    continue;
                }
                match pat[j] {
                    P::Char(pc) if pc == lc => next[j + 1] = true,
                    P::Star if word => next[j] = true,
                    _ => {}
                }
            }
            std::mem::swap(&mut states, &mut next);
            close(&mut states);
        }
        prev_word = word;
    }
}
