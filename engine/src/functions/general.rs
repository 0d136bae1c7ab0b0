//! Boolean, conditional and general functions: `in`, the null tests, `if`, `coalesce`, `type`.
//! Reference: <https://docs.dynatrace.com/docs/platform/grail/dynatrace-query-language/functions/boolean-functions>,
//! `…/conditional-functions`, `…/general-functions`.

use super::Imp::Scalar;
use super::{at, b, ex, many, named, req, Def, Family, Function, Naming, Ty};
use crate::value::{dql_eq, Value};

const BOOLEAN: Function = Function {
    family: Family::General,
    see: "https://docs.dynatrace.com/docs/platform/grail/dynatrace-query-language/functions/boolean-functions",
    ..Function::BASE
};

const CONDITIONAL: Function = Function {
    family: Family::General,
    see: "https://docs.dynatrace.com/docs/platform/grail/dynatrace-query-language/functions/conditional-functions",
    ..Function::BASE
};

pub(super) static FUNCTIONS: &[Function] = &[
    Function {
        name: "in",
        params: &[req("needle", Ty::ANY), many("haystack", Ty::ANY, 1)],
        returns: Ty::BOOL,
        doc: "True if the value equals any of the others (array values are searched element by element); a null value is never in anything.",
        examples: &[
            ex(r#"in("AccessDenied", "AccessDenied", "UnauthorizedOperation")"#, "true"),
            ex(r#"in("x", array("a", "x"))"#, "true"),
            ex(r#"in(null, "a")"#, "false"),
        ],
        naming: Naming::GroupTail,
        imp: Scalar(|a, _| {
            let needle = at(a, 0);
            if needle.is_null() {
                return Value::Bool(false);
            }
            let eq = |x: &Value, y: &Value| dql_eq(x, y) == Some(true);
            let hit = |h: &Value| -> bool {
                match (needle, h) {
                    (Value::Array(n), Value::Array(hs)) => {
                        n.iter().any(|x| hs.iter().any(|y| eq(x, y)))
                    }
                    (Value::Array(n), y) => n.iter().any(|x| eq(x, y)),
                    (x, Value::Array(hs)) => hs.iter().any(|y| eq(x, y)),
                    (x, y) => eq(x, y),
                }
            };
            Value::Bool(a.get(1..).unwrap_or(&[]).iter().any(hit))
        }),
        ..BOOLEAN
    },
    Function {
        name: "isNull",
        params: &[req("expression", Ty::ANY)],
        returns: Ty::BOOL,
        doc: "True if the value is null or missing.",
        examples: &[ex("isNull(null)", "true"), ex(r#"isNull("")"#, "false")],
        imp: Scalar(|a, _| b(at(a, 0).is_null())),
        ..BOOLEAN
    },
    Function {
        name: "isNotNull",
        params: &[req("expression", Ty::ANY)],
        returns: Ty::BOOL,
        doc: "True if the value is present.",
        examples: &[ex("isNotNull(0)", "true")],
        imp: Scalar(|a, _| b(!at(a, 0).is_null())),
        ..BOOLEAN
    },
    Function {
        name: "isTrueOrNull",
        params: &[req("expression", Ty::BOOL)],
        returns: Ty::BOOL,
        doc: "True if the value is true or null.",
        examples: &[ex("isTrueOrNull(null)", "true"), ex("isTrueOrNull(false)", "false")],
        imp: Scalar(|a, _| b(at(a, 0).as_bool() != Some(false))),
        ..BOOLEAN
    },
    Function {
        name: "isFalseOrNull",
        params: &[req("expression", Ty::BOOL)],
        returns: Ty::BOOL,
        doc: "True if the value is false or null.",
        examples: &[ex("isFalseOrNull(null)", "true"), ex("isFalseOrNull(true)", "false")],
        imp: Scalar(|a, _| b(at(a, 0).as_bool() != Some(true))),
        ..BOOLEAN
    },
    Function {
        name: "if",
        params: &[
            req("condition", Ty::BOOL),
            req("then", Ty::ANY),
            named("else", Ty::ANY, Def::Null),
        ],
        returns: Ty::ANY,
        doc: "The second value if the condition is true, else the `else:` value (null if not given).",
        examples: &[
            ex(r#"if(1 < 2, "yes", else: "no")"#, r#""yes""#),
            ex(r#"if(null, "yes", else: "no")"#, r#""no""#),
        ],
        imp: Scalar(|a, _| {
            if at(a, 0).as_bool() == Some(true) {
                at(a, 1).clone()
            } else {
                at(a, 2).clone()
            }
        }),
        ..CONDITIONAL
    },
    Function {
        name: "coalesce",
        params: &[many("expression", Ty::ANY, 1)],
        returns: Ty::ANY,
        doc: "The first value that is not null.",
        examples: &[ex("coalesce(null, null, 3)", "3")],
        imp: Scalar(|a, _| a.iter().find(|v| !v.is_null()).cloned().unwrap_or(Value::Null)),
        ..CONDITIONAL
    },
    Function {
        name: "type",
        params: &[req("expression", Ty::ANY)],
        returns: Ty::STRING,
        doc: "The value's type name: `null`, `boolean`, `long`, `double`, `string`, `timestamp`, `duration`, `timeframe`, `array` or `record`.",
        examples: &[ex("type(1.5)", r#""double""#), ex("type(5m)", r#""duration""#)],
        see: "https://docs.dynatrace.com/docs/platform/grail/dynatrace-query-language/functions/general-functions",
        imp: Scalar(|a, _| Value::str(at(a, 0).type_name())),
        ..BOOLEAN
    },
];
