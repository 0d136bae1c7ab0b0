//! Time functions: the query's "now", building timestamps, durations and time frames, reading
//! their parts (all in UTC: CloudTrail is UTC, see ARCHITECTURE.md).
//! Reference: <https://docs.dynatrace.com/docs/platform/grail/dynatrace-query-language/functions/time-functions>.

use super::Imp::Scalar;
use super::{at, ex, named, req, Ctx, Def, Family, Function, Ty};
use crate::time::{self, NS_PER_DAY};
use crate::value::Value;

const TIME: Function = Function {
    family: Family::Time,
    ..Function::BASE
};

const A_TIMESTAMP: &[super::Param] = &[req("timestamp", Ty::TIMESTAMP)];

/// `getYear` and friends: one part of a timestamp, in UTC. The examples: Dynatrace's (a
/// timestamp written with a -04:00 offset), then one with every part different.
macro_rules! part {
    ($name:literal, $doc:literal, $documented:literal, $result:literal, $part:expr) => {
        Function {
            name: $name,
            params: A_TIMESTAMP,
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
            ],
            see: dynatrace_docs!(concat!("time-functions#", $name)),
            imp: Scalar(|a, _| match at(a, 0) {
                Value::Timestamp(t) => Value::Long($part(Parts::of(*t))),
                _ => Value::Null,
            }),
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
        ],
        returns: Ty::TIMESTAMP,
        doc: "A UTC timestamp from year, month, day, hour, minute and second (null for an impossible date).",
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
        ],
        see: dynatrace_docs!("time-functions#timestamp"),
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
    part!("getYear", "The year of a timestamp (UTC).", "2019", "2026", |p: Parts| p.year),
    part!("getMonth", "The month of a timestamp, 1 to 12 (UTC).", "8", "11", |p: Parts| p.month),
    part!("getDayOfMonth", "The day of the month of a timestamp (UTC).", "1", "22", |p: Parts| p.day),
    part!("getHour", "The hour of a timestamp, 0 to 23 (UTC).", "13", "14", |p: Parts| p.second_of_day / 3600),
    part!("getMinute", "The minute of a timestamp, 0 to 59.", "30", "5", |p: Parts| p.second_of_day / 60 % 60),
    part!("getSecond", "The second of a timestamp, 0 to 59.", "0", "9", |p: Parts| p.second_of_day % 60),
    part!(
        "getDayOfWeek",
        "The day of the week of a timestamp: 1 = Monday … 7 = Sunday (UTC).",
        "4",
        "7",
        |p: Parts| (p.days + 3).rem_euclid(7) + 1
    ),
    part!(
        "getDayOfYear",
        "The day of the year of a timestamp, 1 to 366 (UTC).",
        "213",
        "326",
        |p: Parts| p.days - time::days_from_civil(p.year, 1, 1) + 1
    ),
    part!(
        "getWeekOfYear",
        "The ISO 8601 week of a timestamp, 1 to 53: weeks start on Monday and week 1 holds the year's first Thursday (UTC).",
        "31",
        "47",
        iso_week
    ),
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

/// A timestamp's calendar parts in UTC.
#[derive(Clone, Copy)]
struct Parts {
    days: i64,
    second_of_day: i64,
    year: i64,
    month: i64,
    day: i64,
}

impl Parts {
    fn of(t: i64) -> Parts {
        let days = t.div_euclid(NS_PER_DAY);
        let (year, month, day) = time::civil_from_days(days);
        Parts {
            days,
            second_of_day: t.rem_euclid(NS_PER_DAY) / 1_000_000_000,
            year,
            month: month as i64,
            day: day as i64,
        }
    }
}

/// The ISO 8601 week number: the week (Monday to Sunday) of the timestamp's Thursday, counted
/// from the week holding that year's first Thursday.
fn iso_week(p: Parts) -> i64 {
    // 1 = Monday … 7 = Sunday; 1970-01-01 was a Thursday.
    let weekday = (p.days + 3).rem_euclid(7) + 1;
    let thursday = p.days - weekday + 4;
    let (year, _, _) = time::civil_from_days(thursday);
    (thursday - time::days_from_civil(year, 1, 1)) / 7 + 1
}

/// A timestamp in whole units since the epoch, rounded down.
fn since_epoch(a: &[Value], unit: i64) -> Value {
    match at(a, 0) {
        Value::Timestamp(t) => Value::Long(t.div_euclid(unit)),
        _ => Value::Null,
    }
}

fn timestamp(a: &[Value], _: &Ctx) -> Value {
    let n: Option<Vec<i64>> = a
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_weeks_at_the_turn_of_the_year() {
        for (date, week) in [
            ("2019-08-01", 31),
            ("2021-01-01", 53), // a Friday: still in 2020's last week
            ("2021-01-04", 1),
            ("2024-12-30", 1), // a Monday: already in 2025's first week
            ("2026-01-01", 1), // a Thursday
            ("2026-12-31", 53),
            ("1969-12-31", 1),
        ] {
            let t = time::parse_timestamp(date).unwrap();
            assert_eq!(iso_week(Parts::of(t)), week, "{date}");
        }
    }
}
