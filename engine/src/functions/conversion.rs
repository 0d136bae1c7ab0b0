//! Conversion (`toLong`, …: convert when the value allows it, else null) and casting (`asLong`,
//! …: the value when it already has the type, else null).
//! Reference: <https://docs.dynatrace.com/docs/platform/grail/dynatrace-query-language/functions/conversion-and-casting-functions>.

use super::Imp::Scalar;
use super::{at, ex, named, new_str, req, Ctx, Def, Family, Function, Ty};
use crate::time;
use crate::value::Value;

const CONVERSION: Function = Function {
    family: Family::Conversion,
    ..Function::BASE
};

/// The types `toLong` and `toDouble` read.
const NUMERIC_SOURCES: Ty = Ty::ARRAY
    .or(Ty::BOOL)
    .or(Ty::NUMBER)
    .or(Ty::DURATION)
    .or(Ty::IP)
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
            see: dynatrace_docs!(concat!("conversion-and-casting-functions#", $name)),
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
        doc: "The value as text (timestamps ISO 8601, durations, addresses and records as Dynatrace prints them); null stays null.",
        examples: &[
            ex("toString(3.14)", r#""3.14""#),
            ex("toString(array(1, 2, 3))", r#""[1, 2, 3]""#),
            ex(
                r#"toString(record(content = "A nested record"))"#,
                r#""{\"content\":\"A nested record\"}""#,
            ),
            ex("toString(5m)", r#""05:00.000000000""#),
            ex(
                r#"toString(toTimestamp("2019-08-01T09:30:00.000-0400"))"#,
                r#""2019-08-01T13:30:00.000000000 +0000""#,
            ),
            ex("toString(2.0)", r#""2""#),
            ex("toString(array(1, \"a\"))", r#""[1, \"a\"]""#),
            ex(r#"toString(toIp("127.0.0.1"))"#, r#""127.0.0.1""#),
            ex(r#"toString(ip("2001:db8::1"))"#, r#""2001:0db8::0001""#),
        ],
        see: dynatrace_docs!("conversion-and-casting-functions#toString"),
        imp: Scalar(|a, _| match at(a, 0) {
            Value::Null => Value::Null,
            // A record or array's text is about twice its size in memory at most.
            v => new_str(2 * crate::exec::budget::size_of(v), || {
                v.to_dql_string().unwrap_or_default()
            }),
        }),
        ..CONVERSION
    },
    Function {
        name: "toLong",
        params: &[req("value", NUMERIC_SOURCES)],
        returns: Ty::LONG,
        doc: "Converts to a long (doubles and numeric text are truncated; an address is its numeric value, null if over the long range; an array converts its first element); null if impossible.",
        examples: &[
            ex("toLong(3.14)", "3"),
            ex(r#"toLong("3")"#, "3"),
            ex("toLong(true)", "1"),
            ex("toLong(15s)", "15000000000"),
            ex(r#"toLong(toTimestamp("2019-08-01T09:30:00.000-0400"))"#, "1564666200000000000"),
            ex("toLong(3.9)", "3"),
            ex(r#"toLong("x")"#, "null"),
            ex(r#"toLong(ip("10.0.0.1"))"#, "167772161"),
            ex(r#"toLong(ip("255.255.255.255"))"#, "4294967295"),
            ex(r#"toLong(ip("::1"))"#, "1"),
            ex(r#"toLong(ip("2001:db8::1"))"#, "null"),
        ],
        see: dynatrace_docs!("conversion-and-casting-functions#toLong"),
        imp: Scalar(to_long),
        ..CONVERSION
    },
    Function {
        name: "toDouble",
        params: &[req("value", NUMERIC_SOURCES)],
        returns: Ty::DOUBLE,
        doc: "Converts to a double; null if impossible.",
        examples: &[
            ex(r#"toDouble("3.14")"#, "3.14"),
            ex("toDouble(3)", "3.0"),
            ex("toDouble(true)", "1.0"),
            ex(r#"toDouble("0.85")"#, "0.85"),
            ex(r#"toDouble("1A3")"#, "null"),
            ex(r#"toDouble("true")"#, "null"),
            ex("toDouble(15s)", "15000000000.0"),
            ex(r#"toDouble(ip("10.0.0.1"))"#, "167772161.0"),
        ],
        see: dynatrace_docs!("conversion-and-casting-functions#toDouble"),
        imp: Scalar(to_double),
        ..CONVERSION
    },
    Function {
        name: "toBoolean",
        params: &[req("value", Ty::ARRAY.or(Ty::BOOL).or(Ty::NUMBER).or(Ty::STRING))],
        returns: Ty::BOOL,
        doc: "Converts to a boolean: the text \"true\" or \"false\" in any case, other text null; numbers are true unless zero once truncated (-0.5 is false).",
        examples: &[
            ex(r#"toBoolean("true")"#, "true"),
            ex(r#"toBoolean("yes")"#, "null"),
            ex("toBoolean(0)", "false"),
            ex("toBoolean(2)", "true"),
            ex(r#"toBoolean("false")"#, "false"),
            ex("toBoolean(-0.5)", "false"),
            ex("toBoolean(-1)", "true"),
            ex(r#"toBoolean("TRUE")"#, "true"),
        ],
        see: dynatrace_docs!("conversion-and-casting-functions#toBoolean"),
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
            ex(r#"toTimestamp("2019-08-01T09:30:00.000-0400")"#, r#""2019-08-01T13:30:00Z""#),
            ex("toTimestamp(1564666200000000000)", r#""2019-08-01T13:30:00Z""#),
            ex("toTimestamp(0)", r#""1970-01-01T00:00:00Z""#),
        ],
        see: dynatrace_docs!("conversion-and-casting-functions#toTimestamp"),
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
        examples: &[
            ex("toArray(array(2, 3, 7, 7, 1))", "[2,3,7,7,1]"),
            ex(r#"toArray("DQL is awesome!")"#, r#"["DQL is awesome!"]"#),
            ex("toArray(3.14)", "[3.14]"),
        ],
        see: dynatrace_docs!("conversion-and-casting-functions#toArray"),
        imp: Scalar(|a, _| match at(a, 0) {
            Value::Null => Value::Null,
            Value::Array(xs) => Value::Array(xs.clone()),
            v => Value::Array(vec![v.clone()].into()),
        }),
        ..CONVERSION
    },
    Function {
        name: "toDuration",
        params: &[req(
            "value",
            Ty::ARRAY.or(Ty::NUMBER).or(Ty::DURATION).or(Ty::STRING).or(Ty::TIMEFRAME),
        )],
        returns: Ty::DURATION,
        doc: "Converts to a duration: numbers and numeric text are nanoseconds (truncated), a time frame gives its length, an array converts its first element; null if impossible (text with a unit such as \"42s\" too).",
        examples: &[
            ex("toDuration(15s)", "15000000000"),
            ex("toDuration(3.14)", "3"),
            ex(
                r#"toDuration(timeframe(from: "2019-08-01T09:30:00.000-0400", to: "2019-08-01T16:00:00.000-0400"))"#,
                "23400000000000",
            ),
            ex(r#"toDuration("42")"#, "42"),
            ex(r#"toDuration("42s")"#, "null"),
            ex(r#"toDuration(array("42", 15s))"#, "42"),
            ex("toDuration(true)", "null"),
        ],
        see: dynatrace_docs!("conversion-and-casting-functions#toDuration"),
        imp: Scalar(to_duration),
        ..CONVERSION
    },
    Function {
        name: "toTimeframe",
        params: &[req("value", Ty::ARRAY.or(Ty::STRING).or(Ty::TIMEFRAME))],
        returns: Ty::TIMEFRAME,
        doc: "Converts to a time frame: text `start/end` of two ISO 8601 timestamps, a time frame as it is, an array its first element; null if impossible.",
        examples: &[
            ex(
                r#"toTimeframe("2019-08-01T09:30:00.000-0400/2019-08-01T16:00:00.000-0400")"#,
                r#"{"start":"2019-08-01T13:30:00Z","end":"2019-08-01T20:00:00Z"}"#,
            ),
            ex(
                r#"toTimeframe(timeframe(from: "2019-08-01T09:30:00.000-0400", to: "2019-08-01T16:00:00.000-0400"))"#,
                r#"{"start":"2019-08-01T13:30:00Z","end":"2019-08-01T20:00:00Z"}"#,
            ),
            ex(r#"toTimeframe("2019-08-01T09:30:00Z")"#, "null"),
            ex(r#"toTimeframe("2019-08-01T09:30:00Z/soon")"#, "null"),
        ],
        see: dynatrace_docs!("conversion-and-casting-functions#toTimeframe"),
        imp: Scalar(to_timeframe),
        ..CONVERSION
    },
    Function {
        name: "toIp",
        params: &[req("value", Ty::ARRAY.or(Ty::NUMBER).or(Ty::IP).or(Ty::STRING))],
        returns: Ty::IP,
        doc: "Converts to an `ip`: text holding an address, a whole number from 0 to 4294967295 as an IPv4 address, an array its first element; null if impossible (text that is not an address, such as a service name).",
        examples: &[
            ex(r#"toIp(ip("127.0.0.1"))"#, r#""127.0.0.1""#),
            ex(r#"toIp("10.0.0.1")"#, r#""10.0.0.1""#),
            ex(r#"toIp("300.0.0.1")"#, "null"),
            ex("toIp(1234567890)", r#""73.150.2.210""#),
            ex(r#"toIp(array("127.0.0.1", "10.0.0.1"))"#, r#""127.0.0.1""#),
            ex("toIp(4294967296)", "null"),
            ex("toIp(-1)", "null"),
            ex(r#"toIp("ec2.amazonaws.com")"#, "null"),
            ex("toIp(true)", "null"),
        ],
        see: dynatrace_docs!("conversion-and-casting-functions#toIp"),
        imp: Scalar(to_ip),
        ..CONVERSION
    },
    Function {
        name: "getHighBits",
        params: &[req("expression", Ty::IP.or(Ty::UID))],
        returns: Ty::LONG,
        doc: "The most significant 64 bits of a uid or an IPv6 address as a long (0 for a uid64 or an IPv4 address); null for other values.",
        examples: &[
            ex(
                "data record(a = uid64(123)),\n     record(a = uid128(123, 456)),\n     record(a = uuid(123, 456))\n| fieldsAdd getHighBits(a)",
                "{\"a\":\"000000000000007b\",\"getHighBits(a)\":0}\n{\"a\":\"000000000000007b00000000000001c8\",\"getHighBits(a)\":123}\n{\"a\":\"00000000-0000-007b-0000-0000000001c8\",\"getHighBits(a)\":123}",
            ),
            ex(r#"getHighBits(ip("2001:0db8:0000:0000:0000:8a2e:0370:7334"))"#, "2306139568115548160"),
            ex(r#"getHighBits(ip("127.0.0.1"))"#, "0"),
            ex(r#"getHighBits(ip("::1"))"#, "0"),
            ex(r#"getHighBits("foo")"#, "null"),
        ],
        see: dynatrace_docs!("conversion-and-casting-functions#getHighBits"),
        imp: Scalar(|a, _| match at(a, 0) {
            Value::Ip(std::net::IpAddr::V6(v)) => Value::Long((u128::from(*v) >> 64) as u64 as i64),
            Value::Ip(_) => Value::Long(0),
            Value::Uid(u) => Value::Long(u.high()),
            _ => Value::Null,
        }),
        ..CONVERSION
    },
    Function {
        name: "getLowBits",
        params: &[req("expression", Ty::IP.or(Ty::UID))],
        returns: Ty::LONG,
        doc: "The least significant 64 bits of a uid or an IPv6 address as a long, or an IPv4 address's 32 bits read as a signed 32-bit number (192.168.0.1 is -1062731775); null for other values.",
        examples: &[
            ex(
                "data record(a = uid64(123)),\n     record(a = uid128(123, 456)),\n     record(a = uuid(123, 456))\n| fieldsAdd getLowBits(a)",
                "{\"a\":\"000000000000007b\",\"getLowBits(a)\":123}\n{\"a\":\"000000000000007b00000000000001c8\",\"getLowBits(a)\":456}\n{\"a\":\"00000000-0000-007b-0000-0000000001c8\",\"getLowBits(a)\":456}",
            ),
            ex(r#"getLowBits(ip("127.0.0.1"))"#, "2130706433"),
            ex(r#"getLowBits(ip("192.168.0.1"))"#, "-1062731775"),
            ex(r#"getLowBits(ip("2001:0db8:0000:0000:0000:8a2e:0370:7334"))"#, "151930230829876"),
            ex(r#"getLowBits(ip("::1"))"#, "1"),
            ex("getLowBits(1)", "null"),
        ],
        see: dynatrace_docs!("conversion-and-casting-functions#getLowBits"),
        imp: Scalar(|a, _| match at(a, 0) {
            Value::Ip(std::net::IpAddr::V6(v)) => Value::Long(u128::from(*v) as u64 as i64),
            Value::Ip(std::net::IpAddr::V4(v)) => Value::Long(i64::from(u32::from(*v) as i32)),
            Value::Uid(u) => Value::Long(u.low()),
            _ => Value::Null,
        }),
        ..CONVERSION
    },
    Function {
        name: "hexStringToNumber",
        params: &[req("expression", Ty::STRING)],
        returns: Ty::LONG,
        doc: "Reads hexadecimal text, with or without a `0x` prefix, as a long: up to 16 digits, read as 64-bit two's complement so that it undoes numberToHexString (ffffffffffffffff is -1); null for other text.",
        examples: &[
            ex(r#"hexStringToNumber("0x7f")"#, "127"),
            ex(r#"hexStringToNumber("100")"#, "256"),
            ex(r#"hexStringToNumber("0X80000000")"#, "2147483648"),
            ex(r#"hexStringToNumber("ffffffffffffffff")"#, "-1"),
            ex(r#"hexStringToNumber("1ffffffffffffffff")"#, "null"),
            ex(r#"hexStringToNumber("0xg")"#, "null"),
            ex(r#"hexStringToNumber("")"#, "null"),
        ],
        see: dynatrace_docs!("conversion-and-casting-functions#hexStringToNumber"),
        imp: Scalar(|a, _| {
            let Some(s) = at(a, 0).as_str() else {
                return Value::Null;
            };
            let digits = s
                .strip_prefix("0x")
                .or_else(|| s.strip_prefix("0X"))
                .unwrap_or(s);
            if digits.is_empty() || digits.len() > 16 || !digits.bytes().all(|c| c.is_ascii_hexdigit()) {
                return Value::Null;
            }
            u64::from_str_radix(digits, 16).map_or(Value::Null, |v| Value::Long(v as i64))
        }),
        ..CONVERSION
    },
    Function {
        name: "numberToHexString",
        params: &[req("expression", Ty::LONG), named("minLength", Ty::LONG, Def::Null)],
        returns: Ty::STRING,
        doc: "A long as lower-case hexadecimal text (a negative long as its 64-bit two's complement), padded with zeros to `minLength:` digits.",
        examples: &[
            ex("numberToHexString(127)", r#""7f""#),
            ex("numberToHexString(256)", r#""100""#),
            ex("numberToHexString(2147483648)", r#""80000000""#),
            ex("numberToHexString(-1)", r#""ffffffffffffffff""#),
            ex("numberToHexString(255, minLength: 4)", r#""00ff""#),
            ex("numberToHexString(1.5)", "null"),
        ],
        see: dynatrace_docs!("conversion-and-casting-functions#numberToHexString"),
        imp: Scalar(|a, _| {
            let Value::Long(v) = at(a, 0) else {
                return Value::Null;
            };
            let digits = format!("{:x}", *v as u64);
            let width = match at(a, 1) {
                Value::Long(w) => usize::try_from(*w).unwrap_or(0),
                _ => 0,
            };
            new_str(width.max(digits.len()), || format!("{digits:0>width$}"))
        }),
        ..CONVERSION
    },
    cast!(
        "asString",
        Ty::STRING,
        "The value if it is a string, else null.",
        [
            ex(r#"asString("DQL is awesome!")"#, r#""DQL is awesome!""#),
            ex("asString(3.14)", "null"),
        ],
        Value::Str(_)
    ),
    cast!(
        "asLong",
        Ty::LONG,
        "The value if it is a long, else null.",
        [ex("asLong(3)", "3"), ex("asLong(3.14)", "null"), ex(r#"asLong("3")"#, "null")],
        Value::Long(_)
    ),
    cast!(
        "asDouble",
        Ty::DOUBLE,
        "The value if it is a double, else null.",
        [
            ex("asDouble(3.14)", "3.14"),
            ex("asDouble(3)", "null"),
            ex(r#"asDouble("3.14")"#, "null"),
        ],
        Value::Double(_)
    ),
    cast!(
        "asBoolean",
        Ty::BOOL,
        "The value if it is a boolean, else null.",
        [
            ex("asBoolean(true)", "true"),
            ex(r#"asBoolean("true")"#, "null"),
            ex("asBoolean(1)", "null"),
        ],
        Value::Bool(_)
    ),
    cast!(
        "asNumber",
        Ty::NUMBER,
        "The value if it is a long or a double, else null.",
        [ex("asNumber(3)", "3"), ex("asNumber(3.14)", "3.14"), ex(r#"asNumber("3.14")"#, "null")],
        Value::Long(_) | Value::Double(_)
    ),
    cast!(
        "asTimestamp",
        Ty::TIMESTAMP,
        "The value if it is a timestamp, else null.",
        [
            ex("asTimestamp(timestamp(2019, 8, 1, 13, 30, 0))", r#""2019-08-01T13:30:00Z""#),
            ex("asTimestamp(1564666200000000000)", "null"),
            ex(r#"asTimestamp("2019-08-01T09:30:00.000-0400")"#, "null"),
        ],
        Value::Timestamp(_)
    ),
    cast!(
        "asDuration",
        Ty::DURATION,
        "The value if it is a duration, else null.",
        [
            ex("asDuration(15s)", "15000000000"),
            ex("asDuration(3.14)", "null"),
            ex(r#"asDuration("42")"#, "null"),
        ],
        Value::Duration(_)
    ),
    cast!(
        "asTimeframe",
        Ty::TIMEFRAME,
        "The value if it is a time frame, else null.",
        [
            ex(
                r#"asTimeframe(timeframe(from: "2019-08-01T09:30:00.000-0400", to: "2019-08-01T16:00:00.000-0400"))"#,
                r#"{"start":"2019-08-01T13:30:00Z","end":"2019-08-01T20:00:00Z"}"#,
            ),
            ex(r#"asTimeframe("2019-08-01T15:30:00.000-0400/2019-08-01T22:00:00.000-0400")"#, "null"),
        ],
        Value::Timeframe(..)
    ),
    cast!(
        "asIp",
        Ty::IP,
        "The value if it is an `ip`, else null (text holding an address too: convert it with toIp).",
        [
            ex(r#"asIp(ip("127.0.0.1"))"#, r#""127.0.0.1""#),
            ex(r#"asIp("10.0.0.1")"#, "null"),
        ],
        Value::Ip(_)
    ),
    cast!(
        "asBinary",
        Ty::BINARY,
        "The value if it is binary (bytes, written as Base64), else null (Base64 text too: convert it with decodeBase64ToBinary).",
        [
            ex(r#"asBinary(decodeBase64ToBinary("ZHluYXRyYWNl"))"#, r#""ZHluYXRyYWNl""#),
            ex(r#"asBinary("ZHluYXRyYWNl")"#, "null"),
        ],
        Value::Binary(_)
    ),
    cast!(
        "asArray",
        Ty::ARRAY,
        "The value if it is an array, else null.",
        [
            ex("asArray(array(2, 3, 7, 7, 1))", "[2,3,7,7,1]"),
            ex(r#"asArray("DQL is awesome!")"#, "null"),
        ],
        Value::Array(_)
    ),
    cast!(
        "asRecord",
        Ty::RECORD,
        "The value if it is a record, else null.",
        [ex("asRecord(record(b = 3))", r#"{"b":3}"#), ex("asRecord(array(2, 3, 7, 7, 1))", "null")],
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
        Value::Ip(ip) => i64::try_from(crate::ip::number(ip)).map_or(Value::Null, Value::Long),
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
        Value::Ip(ip) => Value::Double(crate::ip::number(ip) as f64),
        Value::Array(xs) => to_double(&first(xs), &Ctx { now: 0 }),
        _ => Value::Null,
    }
}

fn to_duration(a: &[Value], _: &Ctx) -> Value {
    match at(a, 0) {
        Value::Duration(v) => Value::Duration(*v),
        Value::Long(v) => Value::Duration(*v),
        Value::Double(v) if in_long_range(*v) => Value::Duration(v.trunc() as i64),
        Value::Str(_) => match to_long(a, &Ctx { now: 0 }) {
            Value::Long(v) => Value::Duration(v),
            _ => Value::Null,
        },
        Value::Timeframe(s, e) => e.checked_sub(*s).map_or(Value::Null, Value::Duration),
        Value::Array(xs) => to_duration(&xs[..xs.len().min(1)], &Ctx { now: 0 }),
        _ => Value::Null,
    }
}

fn to_ip(a: &[Value], _: &Ctx) -> Value {
    let v4 = |n: i64| {
        u32::try_from(n).map_or(Value::Null, |n| Value::Ip(std::net::IpAddr::V4(n.into())))
    };
    match at(a, 0) {
        Value::Long(n) => v4(*n),
        Value::Double(f) if f.fract() == 0.0 && in_long_range(*f) => v4(*f as i64),
        Value::Array(xs) => to_ip(&xs[..xs.len().min(1)], &Ctx { now: 0 }),
        v => super::network::address(v).map_or(Value::Null, Value::Ip),
    }
}

fn to_timeframe(a: &[Value], _: &Ctx) -> Value {
    match at(a, 0) {
        Value::Timeframe(s, e) => Value::Timeframe(*s, *e),
        Value::Str(s) => {
            let parsed = s.split_once('/').and_then(|(from, to)| {
                Some((
                    time::parse_timestamp(from.trim())?,
                    time::parse_timestamp(to.trim())?,
                ))
            });
            parsed.map_or(Value::Null, |(s, e)| Value::Timeframe(s, e))
        }
        Value::Array(xs) => to_timeframe(&xs[..xs.len().min(1)], &Ctx { now: 0 }),
        _ => Value::Null,
    }
}
