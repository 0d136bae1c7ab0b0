//! Time functions: the query's "now", building timestamps, durations and time frames, reading
//! their parts and formatting them: in UTC (CloudTrail is UTC, see ARCHITECTURE.md) unless a
//! `timezone:` names another zone.
//! Reference: <https://docs.dynatrace.com/docs/platform/grail/dynatrace-query-language/functions/time-functions>.

use super::Imp::Scalar;
use super::{at, ex, named, named_const, new_str, req, Ctx, Def, Family, Function, Problem, Ty};
use crate::time::pattern::Pattern;
use crate::time::zone::{self, Zone};
use crate::time::{self, Civil};
use crate::value::Value;

const TIME: Function = Function {
    family: Family::Time,
    ..Function::BASE
};

const A_TIMESTAMP: &[super::Param] = &[req("timestamp", Ty::TIMESTAMP)];
const A_TIMESTAMP_IN_A_ZONE: &[super::Param] = &[
    req("timestamp", Ty::TIMESTAMP),
    named("timezone", Ty::STRING, Def::Null),
];

/// `formatTimestamp`'s default pattern.
const ISO_PATTERN: &str = "yyyy-MM-dd'T'HH:mm:ss.SSSSSSSSS";

/// `getYear` and friends: one part of a timestamp, in UTC or in `timezone:`. The examples:
/// Dynatrace's (a timestamp written with a -04:00 offset), then one with every part different,
/// then one in a zone half an hour off UTC where the new year has begun.
macro_rules! part {
    ($name:literal, $doc:literal, $documented:literal, $result:literal, $zoned:literal, $part:expr) => {
        Function {
            name: $name,
            params: A_TIMESTAMP_IN_A_ZONE,
            returns: Ty::LONG,
            doc: $doc,
            examples: &[
                ex(
                    concat!($name, "(toTimestamp(\"2019-08-01T09:30:00.000-0400\"))"),
                    $documented,
                ),
                ex(
                    concat!($name, "(toTimestamp(\"2026-11-22T14:05:09Z\"))"),
                    $result,
                ),
                ex(
                    concat!(
                        $name,
                        "(toTimestamp(\"2026-12-31T20:05:09Z\"), timezone: \"Asia/Kolkata\")"
                    ),
                    $zoned,
                ),
            ],
            see: dynatrace_docs!(concat!("time-functions#", $name)),
            imp: Scalar(|a, _| match at(a, 0) {
                Value::Timestamp(t) => {
                    local(*t, at(a, 1)).map_or(Value::Null, |l| Value::Long($part(Civil::of(l))))
                }
                _ => Value::Null,
            }),
            check: Some(|a| zone_problem(a, 1)),
            ..TIME
        }
    };
}

pub(super) static FUNCTIONS: &[Function] = &[
    Function {
        name: "now",
        returns: Ty::TIMESTAMP,
        doc: "The query's start time, the same in every row (`--now` in the CLI; by default the first second after the newest loaded event).",
        examples: &[ex(
            "data record() | fields later = now() > toTimestamp(\"2020-01-01T00:00:00Z\")",
            r#"{"later":true}"#,
        )],
        see: dynatrace_docs!("time-functions#now"),
        imp: Scalar(|_, ctx| Value::Timestamp(ctx.now)),
        ..TIME
    },
    Function {
        name: "timestamp",
        params: &[
            req("year", Ty::LONG),
            req("month", Ty::LONG),
            req("day", Ty::LONG),
            req("hour", Ty::LONG),
            req("minute", Ty::LONG),
            req("second", Ty::LONG),
            named("millis", Ty::LONG, Def::Long(0)),
            named("micros", Ty::LONG, Def::Long(0)),
            named("nanos", Ty::LONG, Def::Long(0)),
            named("timezone", Ty::STRING, Def::Null),
        ],
        returns: Ty::TIMESTAMP,
        doc: "A timestamp from year, month, day, hour, minute and second, read in UTC or in the zone `timezone:` names (null for an impossible date; a local time in a daylight-saving gap moves forward by the gap, one in an overlap takes the earlier offset, as Java's `ZonedDateTime.of` does).",
        examples: &[
            ex("timestamp(2019, 8, 1, 13, 30, 0)", r#""2019-08-01T13:30:00Z""#),
            ex("timestamp(2026, 11, 20, 11, 40, 5, millis: 250)", r#""2026-11-20T11:40:05.250Z""#),
            ex("timestamp(2026, 2, 30, 0, 0, 0)", "null"),
            ex(
                "data record()\n| fieldsAdd timestamp(year:2019, month:8, day:1, hour:13, minute:30, second:0)",
                r#"{"timestamp(2019, 8, 1, 13, 30, 0)":"2019-08-01T13:30:00Z"}"#,
            ),
            ex(
                "data record()\n| fieldsAdd t = timestamp(2026, 11, 20, hour: 11, minute: 40, second: 5, nanos: 7)",
                r#"{"t":"2026-11-20T11:40:05.000000007Z"}"#,
            ),
            ex(
                "data record()\n| fieldsAdd timestamp(year:2019, month:8, day:1, hour:13, minute:30, second:0, timezone:\"UTC\")",
                r#"{"timestamp(2019, 8, 1, 13, 30, 0, timezone:\"UTC\")":"2019-08-01T13:30:00Z"}"#,
            ),
            ex(r#"timestamp(2026, 7, 1, 9, 0, 0, timezone: "Europe/Vienna")"#, r#""2026-07-01T07:00:00Z""#),
            ex(r#"timestamp(2026, 12, 1, 9, 0, 0, timezone: "-05:00")"#, r#""2026-12-01T14:00:00Z""#),
            ex(r#"timestamp(2026, 3, 29, 2, 30, 0, timezone: "Europe/Berlin")"#, r#""2026-03-29T01:30:00Z""#),
        ],
        see: dynatrace_docs!("time-functions#timestamp"),
        check: Some(|a| zone_problem(a, 9)),
        imp: Scalar(timestamp),
        ..TIME
    },
    Function {
        name: "timestampFromUnixSeconds",
        params: &[req("seconds", Ty::LONG)],
        returns: Ty::TIMESTAMP,
        doc: "The timestamp this many seconds after the Unix epoch.",
        examples: &[ex("timestampFromUnixSeconds(1564666200)", r#""2019-08-01T13:30:00Z""#)],
        see: dynatrace_docs!("time-functions#timestampFromUnixSeconds"),
        imp: Scalar(|a, _| match at(a, 0) {
            Value::Long(v) => v.checked_mul(1_000_000_000).map_or(Value::Null, Value::Timestamp),
            _ => Value::Null,
        }),
        ..TIME
    },
    Function {
        name: "timestampFromUnixMillis",
        params: &[req("millis", Ty::LONG)],
        returns: Ty::TIMESTAMP,
        doc: "The timestamp this many milliseconds after the Unix epoch.",
        examples: &[
            ex("timestampFromUnixMillis(1564666200000)", r#""2019-08-01T13:30:00Z""#),
            ex("timestampFromUnixMillis(1763638800500)", r#""2025-11-20T11:40:00.500Z""#),
        ],
        see: dynatrace_docs!("time-functions#timestampFromUnixMillis"),
        imp: Scalar(|a, _| match at(a, 0) {
            Value::Long(v) => v.checked_mul(1_000_000).map_or(Value::Null, Value::Timestamp),
            _ => Value::Null,
        }),
        ..TIME
    },
    part!(
        "getYear",
        "The year of a timestamp, in UTC or in the zone `timezone:` names (`\"Europe/Berlin\"`, `\"+02:00\"`).",
        "2019",
        "2026",
        "2027",
        |c: Civil| c.year
    ),
    part!(
        "getMonth",
        "The month of a timestamp, 1 to 12, in UTC or in `timezone:`.",
        "8",
        "11",
        "1",
        |c: Civil| i64::from(c.month)
    ),
    part!(
        "getDayOfMonth",
        "The day of the month of a timestamp, in UTC or in `timezone:`.",
        "1",
        "22",
        "1",
        |c: Civil| i64::from(c.day)
    ),
    part!(
        "getHour",
        "The hour of a timestamp, 0 to 23, in UTC or in `timezone:`.",
        "13",
        "14",
        "1",
        |c: Civil| c.hour()
    ),
    part!(
        "getMinute",
        "The minute of a timestamp, 0 to 59, in UTC or in `timezone:` (zones such as Asia/Kolkata are half an hour off).",
        "30",
        "5",
        "35",
        |c: Civil| c.minute()
    ),
    part!(
        "getSecond",
        "The second of a timestamp, 0 to 59, in UTC or in `timezone:`.",
        "0",
        "9",
        "9",
        |c: Civil| c.second()
    ),
    part!(
        "getDayOfWeek",
        "The day of the week of a timestamp: 1 = Monday … 7 = Sunday, in UTC unless `timezone:` names a zone (Dynatrace's page says it always uses UTC, and lists the parameter).",
        "4",
        "7",
        "5",
        |c: Civil| c.weekday()
    ),
    part!(
        "getDayOfYear",
        "The day of the year of a timestamp, 1 to 366, in UTC or in `timezone:`.",
        "213",
        "326",
        "1",
        |c: Civil| c.day_of_year()
    ),
    part!(
        "getWeekOfYear",
        "The ISO 8601 week of a timestamp, 1 to 53: weeks start on Monday and week 1 holds the year's first Thursday (in UTC or in `timezone:`).",
        "31",
        "47",
        "53",
        |c: Civil| c.iso_week().1
    ),
    Function {
        name: "formatTimestamp",
        params: &[
            req("timestamp", Ty::TIMESTAMP),
            named_const("interval", Ty::DURATION, Def::Null),
            named_const("format", Ty::STRING, Def::Str(ISO_PATTERN)),
            named_const("timezone", Ty::STRING, Def::Null),
            named_const("locale", Ty::STRING, Def::Null),
        ],
        returns: Ty::STRING,
        doc: "A timestamp as text in a Java DateTimeFormatter pattern (`format:`, default `yyyy-MM-dd'T'HH:mm:ss.SSSSSSSSS`), in UTC or in `timezone:`, first rounded down to a multiple of `interval:` since the epoch (as bin does); names are English and weeks ISO 8601 whatever `locale:` says.",
        examples: &[
            ex(r#"formatTimestamp(toTimestamp("2019-08-01T09:30:00.000-0400"), format:"MM-dd-yyyy")"#, r#""08-01-2019""#),
            ex(r#"formatTimestamp(toTimestamp("2019-08-01T09:30:00.000-0400"), format:"y")"#, r#""2019""#),
            ex(r#"formatTimestamp(toTimestamp("2019-08-01T09:30:00.000-0400"), format:"M")"#, r#""8""#),
            ex(r#"formatTimestamp(toTimestamp("2019-08-01T09:30:00.000-0400"), format:"w")"#, r#""31""#),
            ex(r#"formatTimestamp(toTimestamp("2019-08-01T09:30:00.000-0400"), format:"E", locale:"en-US")"#, r#""Thu""#),
            ex(r#"formatTimestamp(toTimestamp("2019-08-01T09:30:00.000-0400"), format:"HH:mm, VV", timezone:"US/Eastern")"#, r#""09:30, US/Eastern""#),
            ex(r#"formatTimestamp(toTimestamp("2019-08-01T09:30:00.000-0400"), format:"HH:mm, VV")"#, r#""13:30, UTC""#),
            ex(r#"formatTimestamp(toTimestamp("2019-08-01T09:30:00.000-0400"))"#, r#""2019-08-01T13:30:00.000000000""#),
            ex(r#"formatTimestamp(toTimestamp("2026-11-20T11:47:30Z"), interval: 15m, format: "HH:mm")"#, r#""11:45""#),
            ex(r#"formatTimestamp(toTimestamp("2026-11-20T11:47:30Z"), format: "EEEE d MMMM yyyy, h:mm a z", timezone: "Europe/Berlin")"#, r#""Friday 20 November 2026, 12:47 PM CET""#),
            ex(r#"formatTimestamp(toTimestamp("2026-11-20T11:47:30Z"), format: "yyyy-MM-dd'T'HH:mmXXX", timezone: "-05:00")"#, r#""2026-11-20T06:47-05:00""#),
            ex(r#"formatTimestamp(null, format: "yyyy")"#, "null"),
            ex(r#"formatTimestamp(toTimestamp("2026-11-20T11:47:30Z"), format: "yyyy-MM-dd", timezone: "Pacific/Kiritimati")"#, r#""2026-11-21""#),
        ],
        see: dynatrace_docs!("time-functions#formatTimestamp"),
        imp: Scalar(format_timestamp),
        check: Some(check_format),
        ..TIME
    },
    Function {
        name: "timestampFromUnixNanos",
        params: &[req("nanos", Ty::LONG)],
        returns: Ty::TIMESTAMP,
        doc: "The timestamp this many nanoseconds after the Unix epoch.",
        examples: &[
            ex("timestampFromUnixNanos(1564666200000000000)", r#""2019-08-01T13:30:00Z""#),
            ex("timestampFromUnixNanos(-1)", r#""1969-12-31T23:59:59.999999999Z""#),
            ex("timestampFromUnixNanos(1.5)", "null"),
        ],
        see: dynatrace_docs!("time-functions#timestampFromUnixNanos"),
        imp: Scalar(|a, _| match at(a, 0) {
            Value::Long(v) => Value::Timestamp(*v),
            _ => Value::Null,
        }),
        ..TIME
    },
    Function {
        name: "unixSecondsFromTimestamp",
        params: A_TIMESTAMP,
        returns: Ty::LONG,
        doc: "The whole seconds from the Unix epoch to a timestamp, rounded down (so a moment before 1970 gives the second it falls in).",
        examples: &[
            ex(r#"unixSecondsFromTimestamp(toTimestamp("2019-08-01T09:30:00.000-0400"))"#, "1564666200"),
            ex(r#"unixSecondsFromTimestamp(toTimestamp("2019-08-01T13:30:00.999Z"))"#, "1564666200"),
            ex("unixSecondsFromTimestamp(timestampFromUnixNanos(-1))", "-1"),
            ex("unixSecondsFromTimestamp(1564666200)", "null"),
        ],
        see: dynatrace_docs!("time-functions#unixSecondsFromTimestamp"),
        imp: Scalar(|a, _| since_epoch(a, 1_000_000_000)),
        ..TIME
    },
    Function {
        name: "unixMillisFromTimestamp",
        params: A_TIMESTAMP,
        returns: Ty::LONG,
        doc: "The whole milliseconds from the Unix epoch to a timestamp, rounded down.",
        examples: &[
            ex(r#"unixMillisFromTimestamp(toTimestamp("2019-08-01T09:30:00.000-0400"))"#, "1564666200000"),
            ex("unixMillisFromTimestamp(timestampFromUnixNanos(1999999))", "1"),
            ex("unixMillisFromTimestamp(null)", "null"),
        ],
        see: dynatrace_docs!("time-functions#unixMillisFromTimestamp"),
        imp: Scalar(|a, _| since_epoch(a, 1_000_000)),
        ..TIME
    },
    Function {
        name: "unixNanosFromTimestamp",
        params: A_TIMESTAMP,
        returns: Ty::LONG,
        doc: "The nanoseconds from the Unix epoch to a timestamp.",
        examples: &[
            ex(r#"unixNanosFromTimestamp(toTimestamp("2019-08-01T09:30:00.000-0400"))"#, "1564666200000000000"),
            ex("unixNanosFromTimestamp(timestampFromUnixNanos(-1))", "-1"),
        ],
        see: dynatrace_docs!("time-functions#unixNanosFromTimestamp"),
        imp: Scalar(|a, _| since_epoch(a, 1)),
        ..TIME
    },
    Function {
        name: "duration",
        params: &[req("value", Ty::NUMBER), req("unit", Ty::STRING)],
        returns: Ty::DURATION,
        doc: "A duration from an amount and a unit: \"ns\", \"us\", \"ms\", \"s\", \"m\", \"h\" or \"d\" (null for another unit).",
        examples: &[
            ex(r#"duration(1000, "ns")"#, "1000"),
            ex(r#"duration(60, "s")"#, "60000000000"),
            ex(r#"duration(24, "h")"#, "86400000000000"),
            ex(r#"duration(1.5, "h")"#, "5400000000000"),
            ex(r#"duration(90, unit: "s")"#, "90000000000"),
            ex(r#"duration(value: 2, unit: "m")"#, "120000000000"),
            ex(r#"duration(2, "weeks")"#, "null"),
        ],
        see: dynatrace_docs!("time-functions#duration"),
        imp: Scalar(|a, _| {
            let unit = match at(a, 1).as_str() {
                Some("ns") => 1.0,
                Some("us") => 1e3,
                Some("ms") => 1e6,
                Some("s") => 1e9,
                Some("m") => 60e9,
                Some("h") => 3600e9,
                Some("d") => 86400e9,
                _ => return Value::Null,
            };
            at(a, 0)
                .as_f64()
                .map_or(Value::Null, |v| Value::Duration((v * unit).round() as i64))
        }),
        ..TIME
    },
    Function {
        name: "timeframe",
        params: &[
            named("from", Ty::TIMESTAMP.or(Ty::DURATION).or(Ty::STRING), Def::Null),
            named("to", Ty::TIMESTAMP.or(Ty::DURATION).or(Ty::STRING), Def::Null),
        ],
        returns: Ty::TIMEFRAME,
        doc: "A time frame from `from:` to `to:` (timestamps, ISO 8601 text, or durations counted from now; `to:` defaults to now).",
        examples: &[
            ex(
                "data record(timestamp = toTimestamp(\"2019-08-01T09:30:00.000-0400\")) | fieldsAdd timeframe(from:timestamp - 5m, to: timestamp)",
                r#"{"timestamp":"2019-08-01T13:30:00Z","timeframe(from:timestamp - 5m, to:timestamp)":{"start":"2019-08-01T13:25:00Z","end":"2019-08-01T13:30:00Z"}}"#,
            ),
            ex(
                r#"timeframe(from: "2019-08-01T09:30:00.000-0400", to: "2019-08-01T09:35:00.000-0400")"#,
                r#"{"start":"2019-08-01T13:30:00Z","end":"2019-08-01T13:35:00Z"}"#,
            ),
        ],
        see: dynatrace_docs!("time-functions#timeframe"),
        imp: Scalar(|a, ctx| {
            let end = match at(a, 1) {
                Value::Null => ctx.now,
                v => match as_time(v, ctx) {
                    Some(t) => t,
                    None => return Value::Null,
                },
            };
            match as_time(at(a, 0), ctx) {
                Some(s) => Value::Timeframe(s, end),
                None => Value::Null,
            }
        }),
        ..TIME
    },
    Function {
        name: "getStart",
        params: &[req("timeframe", Ty::TIMEFRAME)],
        returns: Ty::TIMESTAMP,
        doc: "The start of a time frame.",
        examples: &[ex(
            r#"getStart(timeframe(from:"2019-08-01T09:30:00.000-0400", to:"2019-08-01T09:35:00.000-0400"))"#,
            r#""2019-08-01T13:30:00Z""#,
        )],
        see: dynatrace_docs!("time-functions#getStart"),
        imp: Scalar(|a, _| match at(a, 0) {
            Value::Timeframe(s, _) => Value::Timestamp(*s),
            _ => Value::Null,
        }),
        ..TIME
    },
    Function {
        name: "getEnd",
        params: &[req("timeframe", Ty::TIMEFRAME)],
        returns: Ty::TIMESTAMP,
        doc: "The end of a time frame.",
        examples: &[ex(
            r#"getEnd(timeframe(from:"2019-08-01T09:30:00.000-0400", to:"2019-08-01T09:35:00.000-0400"))"#,
            r#""2019-08-01T13:35:00Z""#,
        )],
        see: dynatrace_docs!("time-functions#getEnd"),
        imp: Scalar(|a, _| match at(a, 0) {
            Value::Timeframe(_, e) => Value::Timestamp(*e),
            _ => Value::Null,
        }),
        ..TIME
    },
];

/// A timestamp in whole units since the epoch, rounded down.
fn since_epoch(a: &[Value], unit: i64) -> Value {
    match at(a, 0) {
        Value::Timestamp(t) => Value::Long(t.div_euclid(unit)),
        _ => Value::Null,
    }
}

fn timestamp(a: &[Value], _: &Ctx) -> Value {
    let zone = match a.get(9) {
        None | Some(Value::Null) => None,
        Some(Value::Str(name)) => match Zone::named(name) {
            Some(z) => Some(z),
            None => return Value::Null,
        },
        Some(_) => return Value::Null,
    };
    let n: Option<Vec<i64>> = a[..a.len().min(9)]
        .iter()
        .map(|v| {
            if let Value::Long(x) = v {
                Some(*x)
            } else {
                None
            }
        })
        .collect();
    let Some(n) = n.filter(|n| n.len() == 9) else {
        return Value::Null;
    };
    if !(1..=12).contains(&n[1])
        || n[2] < 1
        || n[2] > i64::from(time::days_in_month(n[0], n[1] as u32))
    {
        return Value::Null;
    }
    let days = time::days_from_civil(n[0], n[1] as u32, n[2] as u32);
    let ns = days
        .checked_mul(86400)
        .and_then(|d| {
            d.checked_add(n[3].checked_mul(3600)?)?
                .checked_add(n[4].checked_mul(60)?)?
                .checked_add(n[5])
        })
        .and_then(|secs| secs.checked_mul(1_000_000_000))
        .and_then(|t| {
            t.checked_add(n[6].checked_mul(1_000_000)?)?
                .checked_add(n[7].checked_mul(1_000)?)?
                .checked_add(n[8])
        });
    let ns = match zone {
        None => ns,
        Some(z) => ns.and_then(|local| z.from_local(local)),
    };
    ns.map_or(Value::Null, Value::Timestamp)
}

fn as_time(v: &Value, ctx: &Ctx) -> Option<i64> {
    match v {
        Value::Timestamp(t) => Some(*t),
        Value::Duration(d) => ctx.now.checked_add(*d),
        Value::Str(s) => time::parse_timestamp(s),
        _ => None,
    }
}

/// The local time of `t` in the zone a `timezone:` argument names (UTC when it is null); `None`
/// for a zone that does not exist.
fn local(t: i64, zone: &Value) -> Option<i64> {
    match zone {
        Value::Null => Some(t),
        Value::Str(name) => Zone::named(name)?.local(t),
        _ => None,
    }
}

/// E348 for a constant `timezone:` (argument `i`) that names no zone.
fn zone_problem(a: &[Option<&Value>], i: usize) -> Result<(), Problem> {
    match a.get(i).copied().flatten() {
        None | Some(Value::Null) => Ok(()),
        Some(Value::Str(name)) if Zone::parse(name).is_some() => Ok(()),
        Some(Value::Str(name)) => Err(Problem {
            arg: i,
            message: format!(
                "expected a time zone such as \"Europe/Berlin\", \"UTC\" or \"+02:00\", found {:?}",
                name.chars().take(60).collect::<String>()
            ),
            hint: zone::closest(name).map(|c| format!("did you mean \"{c}\"?")),
        }),
        Some(v) => Err(Problem {
            arg: i,
            message: format!(
                "expected a time zone name as text, found a {}",
                v.type_name()
            ),
            hint: None,
        }),
    }
}

/// `formatTimestamp`'s constant arguments: a positive interval, a pattern Java would read, a
/// zone that exists, a locale shaped `en` or `en-US`.
fn check_format(a: &[Option<&Value>]) -> Result<(), Problem> {
    let problem = |arg: usize, message: String| Problem {
        arg,
        message,
        hint: None,
    };
    if let Some(Value::Duration(d)) = a.get(1).copied().flatten() {
        if *d <= 0 {
            return Err(problem(
                1,
                "expected a positive `interval:`, found one of 0 or less".into(),
            ));
        }
    }
    if let Some(Value::Str(p)) = a.get(2).copied().flatten() {
        if let Err(why) = Pattern::parse(p) {
            return Err(Problem {
                arg: 2,
                message: format!("expected a date-time pattern such as \"yyyy-MM-dd HH:mm\", found {p:?}: {why}"),
                hint: Some("put text in single quotes: \"HH 'h'\"; patterns are Java's DateTimeFormatter's".into()),
            });
        }
    }
    zone_problem(a, 3)?;
    if let Some(Value::Str(l)) = a.get(4).copied().flatten() {
        let mut parts = l.split(['-', '_']);
        let language = parts.next().unwrap_or("");
        let ok = (2..=3).contains(&language.len())
            && language.bytes().all(|b| b.is_ascii_alphabetic())
            && parts.all(|p| {
                (2..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric())
            });
        if !ok {
            return Err(problem(
                4,
                format!("expected a locale such as \"en\" or \"en-US\", found {l:?}"),
            ));
        }
    }
    Ok(())
}

fn format_timestamp(a: &[Value], _: &Ctx) -> Value {
    let Value::Timestamp(mut t) = at(a, 0) else {
        return Value::Null;
    };
    if let Value::Duration(iv) = at(a, 1) {
        match t.div_euclid((*iv).max(1)).checked_mul(*iv) {
            Some(aligned) if *iv > 0 => t = aligned,
            _ => return Value::Null,
        }
    }
    let Some(pattern) = at(a, 2).as_str().and_then(Pattern::cached) else {
        return Value::Null;
    };
    let zone = match at(a, 3) {
        Value::Null => Zone::UTC,
        Value::Str(name) => match Zone::named(name) {
            Some(z) => z,
            None => return Value::Null,
        },
        _ => return Value::Null,
    };
    match pattern.format(t, &zone) {
        Some(text) => new_str(text.len(), || text),
        None => Value::Null,
    }
}
