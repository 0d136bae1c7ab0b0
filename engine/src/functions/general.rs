//! Boolean, conditional and general functions: `in`, the null tests, `if`, `coalesce`, `type`.
//! Reference: <https://docs.dynatrace.com/docs/platform/grail/dynatrace-query-language/functions/boolean-functions>,
//! `…/conditional-functions`, `…/general-functions` (`type`: `…/conversion-and-casting-functions`).

use super::Imp::Scalar;
use super::{at, b, ex, many, named, req, Def, Family, Function, Naming, Ty};
use crate::value::{dql_eq, Value};

const GENERAL: Function = Function {
    family: Family::General,
    ..Function::BASE
};

pub(super) static FUNCTIONS: &[Function] = &[
    Function {
        name: "lookup",
        params: &[
            req("lookupTable", Ty::ANY),
            named("lookupField", Ty::ANY, Def::Null),
            named("sourceField", Ty::ANY, Def::Null),
            named("executionOrder", Ty::STRING, Def::Str("auto")),
        ],
        returns: Ty::RECORD,
        doc: "The first record of a sub-query whose `lookupField:` equals this record's `sourceField:` (all its fields, as a record), or null; null keys never match.",
        examples: &[ex(
            "data record(location = \"Vienna\", bookings = 1337),\n     record(location = \"London\", bookings = 2431)\n| fieldsAdd result = lookup([\n    data record(city = \"Vienna\", country = \"Austria\"),\n         record(city = \"Barcelona\", country = \"Spain\")\n    ],\n    sourceField:location,\n    lookupField:city)",
            "{\"location\":\"Vienna\",\"bookings\":1337,\"result\":{\"city\":\"Vienna\",\"country\":\"Austria\"}}\n{\"location\":\"London\",\"bookings\":2431,\"result\":null}",
        )],
        see: "https://docs.dynatrace.com/docs/platform/grail/dynatrace-query-language/functions/join-functions#lookup",
        imp: super::Imp::Lookup,
        ..GENERAL
    },
    Function {
        name: "exists",
        params: &[req("field", Ty::ANY)],
        returns: Ty::BOOL,
        doc: "True if the record has the field, even when its value is null; a member path (`event[requestParameters]`, `r[a][0]`) exists when each step does: a parsed CloudTrail event tells a member that is JSON null (exists) from a missing one (does not). Results are tables: a field that some records of `data` lack is in every record, null where it was missing.",
        examples: &[
            ex(
                "data record(a = 1, b = null)\n| fields exists(a), exists(b), exists(c)",
                r#"{"exists(a)":true,"exists(b)":true,"exists(c)":false}"#,
            ),
            ex(
                "data record(r = record(x = null, list = array(1)))\n| fields exists(r[x]), exists(r[y]), exists(r[list][0]), exists(r[list][1]), exists(r[x][z])",
                r#"{"exists(r[x])":true,"exists(r[y])":false,"exists(r[list][0])":true,"exists(r[list][1])":false,"exists(r[x][z])":false}"#,
            ),
            ex(
                "data record(a = 1)\n| fieldsRemove a\n| fieldsAdd gone = exists(a), added = exists(b)\n| fieldsAdd b = null\n| fieldsAdd now = exists(b)",
                r#"{"gone":false,"added":false,"b":null,"now":true}"#,
            ),
        ],
        see: dynatrace_docs!("general-functions#exists"),
        imp: super::Imp::Exists,
        ..GENERAL
    },
    Function {
        name: "in",
        params: &[req("needle", Ty::ANY), many("haystack", Ty::ANY, 1)],
        returns: Ty::BOOL,
        doc: "True if the value equals any of the others (array values are searched element by element); a null value is never in anything.",
        examples: &[
            ex(r#"in("rust", {"java", "go", "rust"})"#, "true"),
            ex(r#"in(array("Java", "Spring", "Jetty"), "Python", "Hibernate")"#, "false"),
            ex(r#"in(array("Python", "Flask"), array("Spring", "Flask"))"#, "true"),
            ex(r#"in(null, "a")"#, "false"),
        ],
        see: dynatrace_docs!("general-functions#in"),
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
        ..GENERAL
    },
    Function {
        name: "isNull",
        params: &[req("expression", Ty::ANY)],
        returns: Ty::BOOL,
        doc: "True if the value is null or missing.",
        examples: &[
            ex("isNull(null)", "true"),
            ex(r#"isNull("DQL is awesome!")"#, "false"),
            ex(r#"isNull("")"#, "false"),
        ],
        see: dynatrace_docs!("boolean-functions#isNull"),
        imp: Scalar(|a, _| b(at(a, 0).is_null())),
        ..GENERAL
    },
    Function {
        name: "isNotNull",
        params: &[req("expression", Ty::ANY)],
        returns: Ty::BOOL,
        doc: "True if the value is present.",
        examples: &[
            ex(r#"isNotNull("DQL is awesome!")"#, "true"),
            ex("isNotNull(null)", "false"),
            ex("isNotNull(0)", "true"),
        ],
        see: dynatrace_docs!("boolean-functions#isNotNull"),
        imp: Scalar(|a, _| b(!at(a, 0).is_null())),
        ..GENERAL
    },
    Function {
        name: "isTrueOrNull",
        params: &[req("expression", Ty::BOOL)],
        returns: Ty::BOOL,
        doc: "True if the value is true or null.",
        examples: &[
            ex("isTrueOrNull(true)", "true"),
            ex("isTrueOrNull(false)", "false"),
            ex("isTrueOrNull(null)", "true"),
        ],
        see: dynatrace_docs!("boolean-functions#isTrueOrNull"),
        imp: Scalar(|a, _| b(at(a, 0).as_bool() != Some(false))),
        ..GENERAL
    },
    Function {
        name: "isFalseOrNull",
        params: &[req("expression", Ty::BOOL)],
        returns: Ty::BOOL,
        doc: "True if the value is false or null.",
        examples: &[
            ex("isFalseOrNull(true)", "false"),
            ex("isFalseOrNull(false)", "true"),
            ex("isFalseOrNull(null)", "true"),
        ],
        see: dynatrace_docs!("boolean-functions#isFalseOrNull"),
        imp: Scalar(|a, _| b(at(a, 0).as_bool() != Some(true))),
        ..GENERAL
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
            ex(r#"if(10 < 15, "a is smaller than 15")"#, r#""a is smaller than 15""#),
            ex(r#"if(20 < 15, "a is smaller than 15")"#, "null"),
            ex(
                r#"if(20 < 15, "a is smaller than 15", else: "a is not smaller than 15")"#,
                r#""a is not smaller than 15""#,
            ),
            ex(r#"if(null, "yes", else: "no")"#, r#""no""#),
        ],
        see: dynatrace_docs!("conditional-functions#if"),
        imp: Scalar(|a, _| {
            if at(a, 0).as_bool() == Some(true) {
                at(a, 1).clone()
            } else {
                at(a, 2).clone()
            }
        }),
        ..GENERAL
    },
    Function {
        name: "coalesce",
        params: &[many("expression", Ty::ANY, 1)],
        returns: Ty::ANY,
        doc: "The first value that is not null.",
        examples: &[
            ex(r#"coalesce(null, "b", "c")"#, r#""b""#),
            ex("coalesce(null, null, null)", "null"),
        ],
        see: dynatrace_docs!("conditional-functions#coalesce"),
        imp: Scalar(|a, _| a.iter().find(|v| !v.is_null()).cloned().unwrap_or(Value::Null)),
        ..GENERAL
    },
    Function {
        name: "type",
        params: &[
            req("expression", Ty::ANY),
            named("withSubtype", Ty::BOOL, Def::Bool(false)),
        ],
        returns: Ty::STRING,
        doc: "The value's type name: `null`, `boolean`, `long`, `double`, `string`, `timestamp`, `duration`, `timeframe`, `ip`, `uid`, `binary`, `array` or `record`; `withSubtype: true` adds the subtype of an ip (`ip/ipv4`, `ip/ipv6`) or a uid (`uid/uid64`, `uid/uid128`, `uid/uuid`).",
        examples: &[
            ex(r#"type(toIp("127.0.0.1"), withSubtype: true)"#, r#""ip/ipv4""#),
            ex(r#"type(toIp("::1"), withSubtype: true)"#, r#""ip/ipv6""#),
            ex("type(uuid(123, 456), withSubtype: true)", r#""uid/uuid""#),
            ex("type(uuid(123, 456))", r#""uid""#),
            ex("type(array(1, 2, 3))", r#""array""#),
            ex("type(3.14)", r#""double""#),
            ex("type(5m)", r#""duration""#),
            ex("type(3, withSubtype: true)", r#""long""#),
            ex("type(record(a = 1), withSubtype: true)", r#""record""#),
        ],
        see: dynatrace_docs!("conversion-and-casting-functions#type"),
        imp: Scalar(|a, _| {
            let v = at(a, 0);
            match (v, at(a, 1)) {
                (Value::Ip(ip), Value::Bool(true)) => {
                    Value::str(if ip.is_ipv4() { "ip/ipv4" } else { "ip/ipv6" })
                }
                (Value::Uid(u), Value::Bool(true)) => Value::str(u.subtype()),
                _ => Value::str(v.type_name()),
            }
        }),
        ..GENERAL
    },
];
