//! The `uid` type's functions: making uids from longs (`uid64`, `uid128`, `uuid`), converting
//! text to one (`toUid`: CloudTrail's eventID, requestID and sharedEventID are UUID text), the
//! cast `asUid` and the subtype tests. `getHighBits`/`getLowBits` (conversion.rs) read uids too.
//! Reference: <https://docs.dynatrace.com/docs/platform/grail/dynatrace-query-language/functions/conversion-and-casting-functions>,
//! `…/creation-functions` and `…/boolean-functions`.

use super::Imp::Scalar;
use super::{at, b, ex, req, Family, Function, Ty};
use crate::uid::{Kind, Uid};
use crate::value::Value;

const UID: Function = Function {
    family: Family::Conversion,
    params: &[req("expression", Ty::LONG)],
    returns: Ty::UID,
    ..Function::BASE
};

const HALVES: &[super::Param] = &[
    req("mostSignificantBits", Ty::LONG),
    req("leastSignificantBits", Ty::LONG),
];

const IS: Function = Function {
    family: Family::General,
    params: &[req("expression", Ty::ANY)],
    returns: Ty::BOOL,
    ..Function::BASE
};

/// The page's example: uids of each subtype made by each function, tested by `$test`.
macro_rules! subtypes {
    ($test:literal) => {
        concat!(
            "data record(a = uid64(123)),\n     record(a = toUid(\"000000000000007c\")),\n     record(a = uid128(123, 456)),\n     record(a = toUid(\"000000000000007c00000000000001c8\")),\n     record(a = uuid(123, 456)),\n     record(a = toUid(\"00000000-0000-007c-0000-0000000001c8\"))\n| fieldsAdd ",
            $test
        )
    };
}

fn halves(a: &[Value], kind: Kind) -> Value {
    match (at(a, 0), at(a, 1)) {
        (Value::Long(h), Value::Long(l)) => Value::Uid(Uid::from_halves(*h, *l, kind)),
        _ => Value::Null,
    }
}

fn kind_is(a: &[Value], kind: Kind) -> Value {
    b(matches!(at(a, 0), Value::Uid(u) if u.kind == kind))
}

/// `toUid`: a uid as it is; text in one of the three written forms; a long as a uid64 (a double
/// only when it is a whole number); an array its first element.
pub(super) fn to_uid(v: &Value) -> Value {
    match v {
        Value::Uid(_) => v.clone(),
        Value::Str(s) => Uid::parse(s.trim()).map_or(Value::Null, Value::Uid),
        Value::Long(n) => Value::Uid(Uid::uid64(*n)),
        Value::Double(d) if d.fract() == 0.0 && d.abs() < 9.2e18 => {
            Value::Uid(Uid::uid64(*d as i64))
        }
        Value::Array(xs) => xs.first().map_or(Value::Null, to_uid),
        _ => Value::Null,
    }
}

pub(super) static FUNCTIONS: &[Function] = &[
    Function {
        name: "uid64",
        doc: "A uid of subtype uid64 from a long (written as 16 hexadecimal digits).",
        examples: &[
            ex("data record(a = 123)\n| fields uid64(a)", r#"{"uid64(a)":"000000000000007b"}"#),
            ex("uid64(-1)", r#""ffffffffffffffff""#),
            ex("uid64(1.5)", "null"),
        ],
        see: dynatrace_docs!("creation-functions#uid64"),
        imp: Scalar(|a, _| match at(a, 0) {
            Value::Long(n) => Value::Uid(Uid::uid64(*n)),
            _ => Value::Null,
        }),
        ..UID
    },
    Function {
        name: "uid128",
        params: HALVES,
        doc: "A uid of subtype uid128 from its most and least significant 64 bits (written as 32 hexadecimal digits).",
        examples: &[ex(
            "data record(a = 123, b = 456)\n| fields uid128(a, b)",
            r#"{"uid128(a, b)":"000000000000007b00000000000001c8"}"#,
        )],
        see: dynatrace_docs!("creation-functions#uid128"),
        imp: Scalar(|a, _| halves(a, Kind::Uid128)),
        ..UID
    },
    Function {
        name: "uuid",
        params: HALVES,
        doc: "A uid of subtype uuid from its most and least significant 64 bits (written 8-4-4-4-12).",
        examples: &[ex(
            "data record(a = 123, b = 456)\n| fields uuid(a, b)",
            r#"{"uuid(a, b)":"00000000-0000-007b-0000-0000000001c8"}"#,
        )],
        see: dynatrace_docs!("creation-functions#uuid"),
        imp: Scalar(|a, _| halves(a, Kind::Uuid)),
        ..UID
    },
    Function {
        name: "toUid",
        params: &[req("value", Ty::ARRAY.or(Ty::NUMBER).or(Ty::STRING).or(Ty::UID))],
        doc: "Converts to a uid: text of 16 hexadecimal digits (uid64), 32 (uid128) or a UUID (8-4-4-4-12, either case), a long as a uid64, an array its first element; null if impossible. `toUid(eventID)` makes CloudTrail's event ids comparable as uids.",
        examples: &[
            ex(
                "data record(a = \"550e8400-e29b-41d4-a716-446655440000\", b = 123, c = uid64(456), d=array(123))\n| fields toUid(a), toUid(b), toUid(c), toUid(d)",
                r#"{"toUid(a)":"550e8400-e29b-41d4-a716-446655440000","toUid(b)":"000000000000007b","toUid(c)":"00000000000001c8","toUid(d)":"000000000000007b"}"#,
            ),
            ex(
                "data record(a = array(\"550e8400-e29b-41d4-a716-446655440000\", \"000000000000007c\"))\n| fieldsAdd toUid(a[])",
                r#"{"a":["550e8400-e29b-41d4-a716-446655440000","000000000000007c"],"toUid(a[])":["550e8400-e29b-41d4-a716-446655440000","000000000000007c"]}"#,
            ),
            ex(r#"type(toUid("3B5F5D1A-9E6C-4C21-B0E6-0F4A1B2C3D4E"), withSubtype: true)"#, r#""uid/uuid""#),
            ex(r#"toUid("not-a-uid")"#, "null"),
        ],
        see: dynatrace_docs!("conversion-and-casting-functions#toUid"),
        imp: Scalar(|a, _| to_uid(at(a, 0))),
        ..UID
    },
    Function {
        name: "asUid",
        params: &[req("value", Ty::ANY)],
        doc: "The value if it is a uid, else null (text holding one too: convert it with toUid).",
        examples: &[ex(
            "data record(a = uid64(123)), record(a = 123)\n| fields asUid(a)",
            "{\"asUid(a)\":\"000000000000007b\"}\n{\"asUid(a)\":null}",
        )],
        see: dynatrace_docs!("conversion-and-casting-functions#asUid"),
        imp: Scalar(|a, _| match at(a, 0) {
            v @ Value::Uid(_) => v.clone(),
            _ => Value::Null,
        }),
        ..UID
    },
    Function {
        name: "isUid64",
        doc: "True for a uid of subtype uid64; false for anything else.",
        examples: &[ex(
            subtypes!("isUid64(a)"),
            "{\"a\":\"000000000000007b\",\"isUid64(a)\":true}\n{\"a\":\"000000000000007c\",\"isUid64(a)\":true}\n{\"a\":\"000000000000007b00000000000001c8\",\"isUid64(a)\":false}\n{\"a\":\"000000000000007c00000000000001c8\",\"isUid64(a)\":false}\n{\"a\":\"00000000-0000-007b-0000-0000000001c8\",\"isUid64(a)\":false}\n{\"a\":\"00000000-0000-007c-0000-0000000001c8\",\"isUid64(a)\":false}",
        )],
        see: dynatrace_docs!("conversion-and-casting-functions#isUid64"),
        imp: Scalar(|a, _| kind_is(a, Kind::Uid64)),
        ..IS
    },
    Function {
        name: "isUid128",
        doc: "True for a uid of subtype uid128; false for anything else.",
        examples: &[ex(
            subtypes!("isUid128(a)"),
            "{\"a\":\"000000000000007b\",\"isUid128(a)\":false}\n{\"a\":\"000000000000007c\",\"isUid128(a)\":false}\n{\"a\":\"000000000000007b00000000000001c8\",\"isUid128(a)\":true}\n{\"a\":\"000000000000007c00000000000001c8\",\"isUid128(a)\":true}\n{\"a\":\"00000000-0000-007b-0000-0000000001c8\",\"isUid128(a)\":false}\n{\"a\":\"00000000-0000-007c-0000-0000000001c8\",\"isUid128(a)\":false}",
        )],
        see: dynatrace_docs!("conversion-and-casting-functions#isUid128"),
        imp: Scalar(|a, _| kind_is(a, Kind::Uid128)),
        ..IS
    },
    Function {
        name: "isUuid",
        doc: "True for a uid of subtype uuid; false for anything else (text too: convert it with toUid first).",
        examples: &[
            ex(
                subtypes!("isUuid(a)"),
                "{\"a\":\"000000000000007b\",\"isUuid(a)\":false}\n{\"a\":\"000000000000007c\",\"isUuid(a)\":false}\n{\"a\":\"000000000000007b00000000000001c8\",\"isUuid(a)\":false}\n{\"a\":\"000000000000007c00000000000001c8\",\"isUuid(a)\":false}\n{\"a\":\"00000000-0000-007b-0000-0000000001c8\",\"isUuid(a)\":true}\n{\"a\":\"00000000-0000-007c-0000-0000000001c8\",\"isUuid(a)\":true}",
            ),
            ex(r#"isUuid("550e8400-e29b-41d4-a716-446655440000")"#, "false"),
        ],
        see: dynatrace_docs!("conversion-and-casting-functions#isUuid"),
        imp: Scalar(|a, _| kind_is(a, Kind::Uuid)),
        ..IS
    },
];
