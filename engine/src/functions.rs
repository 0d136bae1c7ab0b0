//! The function registry: every DQL function and operator with its signature, and the scalar
//! implementations over [`Value`]s. Operators are functions too (`==` is [`F::Eq`]), so the
//! executor treats them alike. Aggregations are listed here and computed in `exec::aggregate`.

use std::cmp::Ordering;
use std::sync::Arc;

use crate::time::{self, NS_PER_DAY};
use crate::value::{dql_cmp, dql_eq, format_double, same, sort_cmp, GroupKey, Record, Value};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum F {
    // operators
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    And,
    Or,
    Xor,
    Not,
    Neg,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Search,
    // strings
    StartsWith,
    EndsWith,
    Contains,
    MatchesPhrase,
    MatchesValue,
    Lower,
    Upper,
    Trim,
    Concat,
    StringLength,
    Substring,
    IndexOf,
    ReplaceString,
    SplitString,
    Like,
    // booleans, conditionals
    In,
    IsNull,
    IsNotNull,
    IsTrueOrNull,
    IsFalseOrNull,
    If,
    Coalesce,
    // conversion
    ToString,
    ToLong,
    ToDouble,
    ToBoolean,
    ToTimestamp,
    ToArray,
    Type,
    AsString,
    AsLong,
    AsDouble,
    AsBoolean,
    AsNumber,
    AsTimestamp,
    AsArray,
    AsRecord,
    // arrays
    ArrayAvg,
    ArraySum,
    ArrayMin,
    ArrayMax,
    ArraySize,
    ArrayFirst,
    ArrayLast,
    ArrayDistinct,
    ArraySort,
    ArrayElement,
    ArrayConcat,
    ArrayRemoveNulls,
    ArrayReverse,
    ArrayToString,
    Array,
    // numbers and time
    Bin,
    Abs,
    Round,
    Floor,
    Ceil,
    Now,
    Timestamp,
    TimestampFromUnixSeconds,
    TimestampFromUnixMillis,
    GetYear,
    GetMonth,
    GetDayOfMonth,
    GetHour,
    GetMinute,
    GetSecond,
    GetDayOfWeek,
    Duration,
    Timeframe,
    GetStart,
    GetEnd,
    // network
    IsIp,
    IpIsPrivate,
    IpIsPublic,
    IpIsLoopback,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum A {
    Count,
    CountIf,
    CountDistinct,
    CountDistinctExact,
    Sum,
    Avg,
    Min,
    Max,
    TakeFirst,
    TakeLast,
    TakeAny,
    TakeMin,
    TakeMax,
    CollectDistinct,
    CollectArray,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Func {
    Scalar(F),
    Agg(A),
    /// `record(name = value, …)`: built by the planner from its named members.
    Record,
}

/// Default of an optional (named) parameter.
#[derive(Clone, Copy, Debug)]
pub enum Def {
    Null,
    Bool(bool),
    Long(i64),
    Str(&'static str),
}

impl Def {
    pub fn value(self) -> Value {
        match self {
            Def::Null => Value::Null,
            Def::Bool(b) => Value::Bool(b),
            Def::Long(v) => Value::Long(v),
            Def::Str(s) => Value::str(s),
        }
    }
}

pub struct Sig {
    pub name: &'static str,
    pub func: Func,
    /// Positional parameters: at least `min`, at most `max` (`VAR` = any number).
    pub min: usize,
    pub max: usize,
    /// Optional parameters, passed by name only; the planner appends them in this order.
    pub named: &'static [(&'static str, Def)],
    pub doc: &'static str,
}

pub const VAR: usize = usize::MAX;
const CS_TRUE: &[(&str, Def)] = &[("caseSensitive", Def::Bool(true))];
const CS_FALSE: &[(&str, Def)] = &[("caseSensitive", Def::Bool(false))];

macro_rules! sig {
    ($name:literal, $f:expr, $min:expr, $max:expr, $named:expr, $doc:literal) => {
        Sig {
            name: $name,
            func: $f,
            min: $min,
            max: $max,
            named: $named,
            doc: $doc,
        }
    };
}

use Func::{Agg, Scalar};

pub static FUNCTIONS: &[Sig] = &[
    sig!(
        "in",
        Scalar(F::In),
        2,
        VAR,
        &[],
        "True if the first value equals any of the others (arrays and groups are searched)."
    ),
    sig!(
        "startsWith",
        Scalar(F::StartsWith),
        2,
        2,
        CS_TRUE,
        "True if the string starts with the prefix."
    ),
    sig!(
        "endsWith",
        Scalar(F::EndsWith),
        2,
        2,
        CS_TRUE,
        "True if the string ends with the suffix."
    ),
    sig!(
        "contains",
        Scalar(F::Contains),
        2,
        2,
        CS_TRUE,
        "True if the string contains the substring."
    ),
    sig!(
        "matchesPhrase",
        Scalar(F::MatchesPhrase),
        2,
        2,
        CS_FALSE,
        "Token-wise phrase match, case-insensitive by default."
    ),
    sig!(
        "matchesValue",
        Scalar(F::MatchesValue),
        2,
        2,
        CS_FALSE,
        "Whole-value match with * wildcards at the ends, case-insensitive by default."
    ),
    sig!("like", Scalar(F::Like), 2, 2, &[], "SQL LIKE with % and _."),
    sig!(
        "lower",
        Scalar(F::Lower),
        1,
        1,
        &[],
        "Lower-cases a string."
    ),
    sig!(
        "upper",
        Scalar(F::Upper),
        1,
        1,
        &[],
        "Upper-cases a string."
    ),
    sig!(
        "trim",
        Scalar(F::Trim),
        1,
        1,
        &[],
        "Removes leading and trailing whitespace."
    ),
    sig!(
        "concat",
        Scalar(F::Concat),
        1,
        VAR,
        &[("delimiter", Def::Str(""))],
        "Joins values as text."
    ),
    sig!(
        "stringLength",
        Scalar(F::StringLength),
        1,
        1,
        &[],
        "Length in UTF-16 code units."
    ),
    sig!(
        "substring",
        Scalar(F::Substring),
        1,
        1,
        &[("from", Def::Long(0)), ("to", Def::Null)],
        "Part of a string by UTF-16 positions."
    ),
    sig!(
        "indexOf",
        Scalar(F::IndexOf),
        2,
        2,
        &[("from", Def::Long(0))],
        "Position of a substring, or -1."
    ),
    sig!(
        "replaceString",
        Scalar(F::ReplaceString),
        3,
        3,
        &[],
        "Replaces every occurrence of a substring."
    ),
    sig!(
        "splitString",
        Scalar(F::SplitString),
        2,
        2,
        &[],
        "Splits a string at a separator."
    ),
    sig!(
        "isNull",
        Scalar(F::IsNull),
        1,
        1,
        &[],
        "True if the value is null or missing."
    ),
    sig!(
        "isNotNull",
        Scalar(F::IsNotNull),
        1,
        1,
        &[],
        "True if the value is present."
    ),
    sig!(
        "isTrueOrNull",
        Scalar(F::IsTrueOrNull),
        1,
        1,
        &[],
        "True if the value is true or null."
    ),
    sig!(
        "isFalseOrNull",
        Scalar(F::IsFalseOrNull),
        1,
        1,
        &[],
        "True if the value is false or null."
    ),
    sig!(
        "if",
        Scalar(F::If),
        2,
        2,
        &[("else", Def::Null)],
        "The second value if the condition is true, else the `else:` value."
    ),
    sig!(
        "coalesce",
        Scalar(F::Coalesce),
        1,
        VAR,
        &[],
        "The first value that is not null."
    ),
    sig!(
        "toString",
        Scalar(F::ToString),
        1,
        1,
        &[],
        "Converts to a string."
    ),
    sig!(
        "toLong",
        Scalar(F::ToLong),
        1,
        1,
        &[],
        "Converts to a long (null if impossible)."
    ),
    sig!(
        "toDouble",
        Scalar(F::ToDouble),
        1,
        1,
        &[],
        "Converts to a double (null if impossible)."
    ),
    sig!(
        "toBoolean",
        Scalar(F::ToBoolean),
        1,
        1,
        &[],
        "Converts to a boolean."
    ),
    sig!(
        "toTimestamp",
        Scalar(F::ToTimestamp),
        1,
        1,
        &[],
        "Converts text or epoch nanoseconds to a timestamp."
    ),
    sig!(
        "toArray",
        Scalar(F::ToArray),
        1,
        1,
        &[],
        "Wraps a value in an array (arrays stay)."
    ),
    sig!("type", Scalar(F::Type), 1, 1, &[], "The value's type name."),
    sig!(
        "asString",
        Scalar(F::AsString),
        1,
        1,
        &[],
        "The value if it is a string, else null."
    ),
    sig!(
        "asLong",
        Scalar(F::AsLong),
        1,
        1,
        &[],
        "The value if it is a long, else null."
    ),
    sig!(
        "asDouble",
        Scalar(F::AsDouble),
        1,
        1,
        &[],
        "The value if it is a double, else null."
    ),
    sig!(
        "asBoolean",
        Scalar(F::AsBoolean),
        1,
        1,
        &[],
        "The value if it is a boolean, else null."
    ),
    sig!(
        "asNumber",
        Scalar(F::AsNumber),
        1,
        1,
        &[],
        "The value if it is a long or double, else null."
    ),
    sig!(
        "asTimestamp",
        Scalar(F::AsTimestamp),
        1,
        1,
        &[],
        "The value if it is a timestamp, else null."
    ),
    sig!(
        "asArray",
        Scalar(F::AsArray),
        1,
        1,
        &[],
        "The value if it is an array, else null."
    ),
    sig!(
        "asRecord",
        Scalar(F::AsRecord),
        1,
        1,
        &[],
        "The value if it is a record, else null."
    ),
    sig!(
        "arrayAvg",
        Scalar(F::ArrayAvg),
        1,
        1,
        &[],
        "Mean of the numeric elements (0 if none)."
    ),
    sig!(
        "arraySum",
        Scalar(F::ArraySum),
        1,
        1,
        &[],
        "Sum of the numeric elements (0 if none)."
    ),
    sig!(
        "arrayMin",
        Scalar(F::ArrayMin),
        1,
        1,
        &[],
        "Smallest non-null element."
    ),
    sig!(
        "arrayMax",
        Scalar(F::ArrayMax),
        1,
        1,
        &[],
        "Largest non-null element."
    ),
    sig!(
        "arraySize",
        Scalar(F::ArraySize),
        1,
        1,
        &[],
        "Number of elements."
    ),
    sig!(
        "arrayFirst",
        Scalar(F::ArrayFirst),
        1,
        1,
        &[],
        "First non-null element."
    ),
    sig!(
        "arrayLast",
        Scalar(F::ArrayLast),
        1,
        1,
        &[],
        "Last non-null element."
    ),
    sig!(
        "arrayDistinct",
        Scalar(F::ArrayDistinct),
        1,
        1,
        &[],
        "Distinct elements, sorted."
    ),
    sig!(
        "arraySort",
        Scalar(F::ArraySort),
        1,
        1,
        &[("direction", Def::Str("ascending"))],
        "Sorted elements."
    ),
    sig!(
        "arrayElement",
        Scalar(F::ArrayElement),
        2,
        2,
        &[],
        "Element by index; negative counts from the end."
    ),
    sig!(
        "arrayConcat",
        Scalar(F::ArrayConcat),
        1,
        VAR,
        &[],
        "Joins arrays."
    ),
    sig!(
        "arrayRemoveNulls",
        Scalar(F::ArrayRemoveNulls),
        1,
        1,
        &[],
        "The array without nulls."
    ),
    sig!(
        "arrayReverse",
        Scalar(F::ArrayReverse),
        1,
        1,
        &[],
        "The array reversed."
    ),
    sig!(
        "arrayToString",
        Scalar(F::ArrayToString),
        1,
        1,
        &[("delimiter", Def::Str(""))],
        "Elements joined as text."
    ),
    sig!("array", Scalar(F::Array), 0, VAR, &[], "Builds an array."),
    sig!(
        "record",
        Func::Record,
        0,
        VAR,
        &[],
        "Builds a record from name = value pairs."
    ),
    sig!(
        "bin",
        Scalar(F::Bin),
        2,
        2,
        &[],
        "Rounds a number or timestamp down to a multiple of the interval."
    ),
    sig!("abs", Scalar(F::Abs), 1, 1, &[], "Absolute value."),
    sig!(
        "round",
        Scalar(F::Round),
        1,
        1,
        &[("decimals", Def::Long(0))],
        "Rounds to the given decimals."
    ),
    sig!("floor", Scalar(F::Floor), 1, 1, &[], "Rounds down."),
    sig!("ceil", Scalar(F::Ceil), 1, 1, &[], "Rounds up."),
    sig!(
        "now",
        Scalar(F::Now),
        0,
        0,
        &[],
        "The query's start time (the same in every row)."
    ),
    sig!(
        "timestamp",
        Scalar(F::Timestamp),
        6,
        6,
        &[
            ("millis", Def::Long(0)),
            ("micros", Def::Long(0)),
            ("nanos", Def::Long(0))
        ],
        "Builds a UTC timestamp from year, month, day, hour, minute, second."
    ),
    sig!(
        "timestampFromUnixSeconds",
        Scalar(F::TimestampFromUnixSeconds),
        1,
        1,
        &[],
        "Timestamp from epoch seconds."
    ),
    sig!(
        "timestampFromUnixMillis",
        Scalar(F::TimestampFromUnixMillis),
        1,
        1,
        &[],
        "Timestamp from epoch milliseconds."
    ),
    sig!("getYear", Scalar(F::GetYear), 1, 1, &[], "Year (UTC)."),
    sig!(
        "getMonth",
        Scalar(F::GetMonth),
        1,
        1,
        &[],
        "Month 1-12 (UTC)."
    ),
    sig!(
        "getDayOfMonth",
        Scalar(F::GetDayOfMonth),
        1,
        1,
        &[],
        "Day of the month (UTC)."
    ),
    sig!("getHour", Scalar(F::GetHour), 1, 1, &[], "Hour 0-23 (UTC)."),
    sig!("getMinute", Scalar(F::GetMinute), 1, 1, &[], "Minute 0-59."),
    sig!("getSecond", Scalar(F::GetSecond), 1, 1, &[], "Second 0-59."),
    sig!(
        "getDayOfWeek",
        Scalar(F::GetDayOfWeek),
        1,
        1,
        &[],
        "1 = Monday … 7 = Sunday (UTC)."
    ),
    sig!(
        "duration",
        Scalar(F::Duration),
        2,
        2,
        &[],
        "A duration from an amount and a unit (\"ns\" … \"d\")."
    ),
    sig!(
        "timeframe",
        Scalar(F::Timeframe),
        0,
        0,
        &[("from", Def::Null), ("to", Def::Null)],
        "A timeframe from two timestamps."
    ),
    sig!(
        "getStart",
        Scalar(F::GetStart),
        1,
        1,
        &[],
        "Start of a timeframe."
    ),
    sig!(
        "getEnd",
        Scalar(F::GetEnd),
        1,
        1,
        &[],
        "End of a timeframe."
    ),
    sig!(
        "isIp",
        Scalar(F::IsIp),
        1,
        1,
        &[],
        "True if the string is an IPv4 or IPv6 address."
    ),
    sig!(
        "ipIsPrivate",
        Scalar(F::IpIsPrivate),
        1,
        1,
        &[],
        "True for private (RFC 1918 / ULA) addresses."
    ),
    sig!(
        "ipIsPublic",
        Scalar(F::IpIsPublic),
        1,
        1,
        &[],
        "True for public addresses."
    ),
    sig!(
        "ipIsLoopback",
        Scalar(F::IpIsLoopback),
        1,
        1,
        &[],
        "True for loopback addresses."
    ),
    sig!("count", Agg(A::Count), 0, 0, &[], "Number of records."),
    sig!(
        "countIf",
        Agg(A::CountIf),
        1,
        1,
        &[],
        "Number of records where the condition is true."
    ),
    sig!(
        "countDistinct",
        Agg(A::CountDistinct),
        1,
        1,
        &[],
        "Number of distinct non-null values (exact here)."
    ),
    sig!(
        "countDistinctExact",
        Agg(A::CountDistinctExact),
        1,
        1,
        &[],
        "Number of distinct non-null values."
    ),
    sig!(
        "countDistinctApprox",
        Agg(A::CountDistinct),
        1,
        1,
        &[],
        "Number of distinct non-null values (exact here)."
    ),
    sig!(
        "sum",
        Agg(A::Sum),
        1,
        1,
        &[],
        "Sum of numbers (a double) or durations."
    ),
    sig!(
        "avg",
        Agg(A::Avg),
        1,
        1,
        &[],
        "Mean of numbers (a double) or durations."
    ),
    sig!("min", Agg(A::Min), 1, 1, &[], "Smallest value."),
    sig!("max", Agg(A::Max), 1, 1, &[], "Largest value."),
    sig!(
        "takeFirst",
        Agg(A::TakeFirst),
        1,
        1,
        &[],
        "First non-null value in the current order."
    ),
    sig!(
        "takeLast",
        Agg(A::TakeLast),
        1,
        1,
        &[],
        "Last non-null value in the current order."
    ),
    sig!("takeAny", Agg(A::TakeAny), 1, 1, &[], "Any non-null value."),
    sig!(
        "takeMin",
        Agg(A::TakeMin),
        1,
        1,
        &[],
        "Smallest value in sort order."
    ),
    sig!(
        "takeMax",
        Agg(A::TakeMax),
        1,
        1,
        &[],
        "Largest value in sort order."
    ),
    sig!(
        "collectDistinct",
        Agg(A::CollectDistinct),
        1,
        1,
        &[],
        "Distinct non-null values as an array."
    ),
    sig!(
        "collectArray",
        Agg(A::CollectArray),
        1,
        1,
        &[],
        "Non-null values as an array."
    ),
];

pub fn lookup(name: &str) -> Option<&'static Sig> {
    FUNCTIONS.iter().find(|s| s.name.eq_ignore_ascii_case(name))
}

/// The catalogue spelling of a function name (`COUNT` → `count`), for column names.
pub fn canonical_name(name: &str) -> Option<&'static str> {
    lookup(name).map(|s| s.name)
}

/// What a scalar function needs besides its arguments.
#[derive(Clone, Copy, Debug)]
pub struct Ctx {
    pub now: i64,
}

fn b(v: bool) -> Value {
    Value::Bool(v)
}

fn long(v: Option<i64>) -> Value {
    v.map_or(Value::Null, Value::Long)
}

/// Applies a scalar function to one row's arguments. Never panics; bad input gives null.
pub fn apply(f: F, a: &[Value], ctx: &Ctx) -> Value {
    use Value::*;
    let arg = |i: usize| a.get(i).unwrap_or(&Null);
    match f {
        F::Eq => dql_eq(arg(0), arg(1)).map_or(Null, Bool),
        F::Ne => dql_eq(arg(0), arg(1)).map_or(Null, |e| Bool(!e)),
        F::Lt => cmp_with(arg(0), arg(1), |o| o == Ordering::Less),
        F::Le => cmp_with(arg(0), arg(1), |o| o != Ordering::Greater),
        F::Gt => cmp_with(arg(0), arg(1), |o| o == Ordering::Greater),
        F::Ge => cmp_with(arg(0), arg(1), |o| o != Ordering::Less),
        F::And => match (arg(0).as_bool(), arg(1).as_bool()) {
            (Some(false), _) | (_, Some(false)) => Bool(false),
            (Some(true), Some(true)) => Bool(true),
            _ => Null,
        },
        F::Or => match (arg(0).as_bool(), arg(1).as_bool()) {
            (Some(true), _) | (_, Some(true)) => Bool(true),
            (Some(false), Some(false)) => Bool(false),
            _ => Null,
        },
        F::Xor => match (arg(0).as_bool(), arg(1).as_bool()) {
            (Some(x), Some(y)) => Bool(x != y),
            _ => Null,
        },
        F::Not => arg(0).as_bool().map_or(Null, |x| Bool(!x)),
        F::Neg => match arg(0) {
            Long(v) => long(v.checked_neg()),
            Double(v) => Double(-v),
            Duration(v) => v.checked_neg().map_or(Null, Duration),
            _ => Null,
        },
        F::Add | F::Sub | F::Mul | F::Div | F::Mod => arith(f, arg(0), arg(1)),
        F::Search => search(arg(0), arg(1)),
        F::In => {
            let needle = arg(0);
            if needle.is_null() {
                return Bool(false);
            }
            let hit = |h: &Value| -> bool {
                match (needle, h) {
                    (Array(n), Array(hs)) => n
                        .iter()
                        .any(|x| hs.iter().any(|y| dql_eq(x, y) == Some(true))),
                    (Array(n), y) => n.iter().any(|x| dql_eq(x, y) == Some(true)),
                    (x, Array(hs)) => hs.iter().any(|y| dql_eq(x, y) == Some(true)),
                    (x, y) => dql_eq(x, y) == Some(true),
                }
            };
            Bool(a[1..].iter().any(hit))
        }
        F::StartsWith | F::EndsWith | F::Contains => {
            let (Some(s), Some(p)) = (arg(0).as_str(), arg(1).as_str()) else {
                return Null;
            };
            let cs = arg(2).as_bool().unwrap_or(true);
            let (s, p) = if cs {
                (s.to_string(), p.to_string())
            } else {
                (s.to_lowercase(), p.to_lowercase())
            };
            Bool(match f {
                F::StartsWith => s.starts_with(&p),
                F::EndsWith => s.ends_with(&p),
                _ => s.contains(&p),
            })
        }
        F::MatchesPhrase => {
            let cs = arg(2).as_bool().unwrap_or(false);
            let Some(p) = arg(1).as_str() else {
                return Null;
            };
            any_string(arg(0), |s| matches_phrase(s, p, cs))
        }
        F::MatchesValue => {
            let cs = arg(2).as_bool().unwrap_or(false);
            let pats: Vec<&str> = match arg(1) {
                Str(s) => vec![s],
                Array(xs) => xs.iter().filter_map(Value::as_str).collect(),
                _ => return Null,
            };
            any_string(arg(0), |s| pats.iter().any(|p| matches_value(s, p, cs)))
        }
        F::Like => {
            let (Some(s), Some(p)) = (arg(0).as_str(), arg(1).as_str()) else {
                return Null;
            };
            Bool(like(
                &s.chars().collect::<Vec<_>>(),
                &p.chars().collect::<Vec<_>>(),
            ))
        }
        F::Lower => arg(0)
            .as_str()
            .map_or(Null, |s| Value::str(&s.to_lowercase())),
        F::Upper => arg(0)
            .as_str()
            .map_or(Null, |s| Value::str(&s.to_uppercase())),
        F::Trim => arg(0).as_str().map_or(Null, |s| {
            Value::str(s.trim_matches(|c: char| (c as u32) <= 32))
        }),
        F::Concat => {
            let (parts, delim) = a.split_at(a.len().saturating_sub(1));
            let delim = delim.first().and_then(Value::as_str).unwrap_or("");
            let texts: Vec<String> = parts.iter().filter_map(Value::to_dql_string).collect();
            Value::str(&texts.join(delim))
        }
        F::StringLength => arg(0)
            .as_str()
            .map_or(Null, |s| Long(s.encode_utf16().count() as i64)),
        F::Substring => {
            let Some(s) = arg(0).as_str() else {
                return Null;
            };
            let u: Vec<u16> = s.encode_utf16().collect();
            let n = u.len() as i64;
            let clamp = |v: i64| if v < 0 { (n + v).max(0) } else { v.min(n) };
            let from = clamp(match arg(1) {
                Long(v) => *v,
                _ => 0,
            });
            let to = clamp(match arg(2) {
                Long(v) => *v,
                _ => n,
            });
            if from >= to {
                return Value::str("");
            }
            Value::str(&String::from_utf16_lossy(&u[from as usize..to as usize]))
        }
        F::IndexOf => {
            let (Some(s), Some(p)) = (arg(0).as_str(), arg(1).as_str()) else {
                return Null;
            };
            let u: Vec<u16> = s.encode_utf16().collect();
            let pu: Vec<u16> = p.encode_utf16().collect();
            let n = u.len() as i64;
            let from = match arg(2) {
                Long(v) if *v < 0 => (n + v).max(0),
                Long(v) => *v,
                _ => 0,
            } as usize;
            if pu.is_empty() {
                return Long(from.min(u.len()) as i64);
            }
            Long(
                (from..u.len().saturating_sub(pu.len() - 1))
                    .find(|&i| u[i..].starts_with(&pu))
                    .map_or(-1, |i| i as i64),
            )
        }
        F::ReplaceString => {
            let (Some(s), Some(p), Some(r)) = (arg(0).as_str(), arg(1).as_str(), arg(2).as_str())
            else {
                return Null;
            };
            if p.is_empty() {
                return Value::str(s);
            }
            Value::str(&s.replace(p, r))
        }
        F::SplitString => {
            let (Some(s), Some(p)) = (arg(0).as_str(), arg(1).as_str()) else {
                return Null;
            };
            let parts: Vec<Value> = if p.is_empty() {
                s.chars().map(|c| Value::str(&c.to_string())).collect()
            } else {
                s.split(p).map(Value::str).collect()
            };
            Array(parts.into())
        }
        F::IsNull => b(arg(0).is_null()),
        F::IsNotNull => b(!arg(0).is_null()),
        F::IsTrueOrNull => b(arg(0).as_bool() != Some(false)),
        F::IsFalseOrNull => b(arg(0).as_bool() != Some(true)),
        F::If => {
            if arg(0).as_bool() == Some(true) {
                arg(1).clone()
            } else {
                arg(2).clone()
            }
        }
        F::Coalesce => a.iter().find(|v| !v.is_null()).cloned().unwrap_or(Null),
        F::ToString => arg(0).to_dql_string().map_or(Null, |s| Value::str(&s)),
        F::ToLong => match arg(0) {
            Long(v) => Long(*v),
            Double(v) if v.is_finite() && v.abs() < 9.2e18 => Long(v.trunc() as i64),
            Str(s) => {
                let t = s.trim();
                t.parse::<i64>()
                    .ok()
                    .or_else(|| {
                        t.parse::<f64>()
                            .ok()
                            .filter(|f| f.is_finite() && f.abs() < 9.2e18)
                            .map(|f| f.trunc() as i64)
                    })
                    .map_or(Null, Long)
            }
            Bool(x) => Long(i64::from(*x)),
            Timestamp(v) | Duration(v) => Long(*v),
            Array(xs) => apply(F::ToLong, &[xs.first().cloned().unwrap_or(Null)], ctx),
            _ => Null,
        },
        F::ToDouble => match arg(0) {
            Long(v) => Double(*v as f64),
            Double(v) => Double(*v),
            Str(s) => s.trim().parse::<f64>().map_or(Null, Double),
            Bool(x) => Double(if *x { 1.0 } else { 0.0 }),
            Timestamp(v) | Duration(v) => Double(*v as f64),
            Array(xs) => apply(F::ToDouble, &[xs.first().cloned().unwrap_or(Null)], ctx),
            _ => Null,
        },
        F::ToBoolean => match arg(0) {
            Bool(x) => Bool(*x),
            Str(s) => Bool(s.eq_ignore_ascii_case("true")),
            Long(v) => Bool(*v != 0),
            Double(v) => Bool(*v != 0.0),
            _ => Null,
        },
        F::ToTimestamp => match arg(0) {
            Timestamp(v) => Timestamp(*v),
            Str(s) => time::parse_timestamp(s).map_or(Null, Timestamp),
            Long(v) => Timestamp(*v),
            Double(v) if v.is_finite() => Timestamp(*v as i64),
            _ => Null,
        },
        F::ToArray => match arg(0) {
            Null => Null,
            Array(xs) => Array(xs.clone()),
            v => Array(vec![v.clone()].into()),
        },
        F::Type => Value::str(arg(0).type_name()),
        F::AsString => keep_if(arg(0), |v| matches!(v, Str(_))),
        F::AsLong => keep_if(arg(0), |v| matches!(v, Long(_))),
        F::AsDouble => keep_if(arg(0), |v| matches!(v, Double(_))),
        F::AsBoolean => keep_if(arg(0), |v| matches!(v, Bool(_))),
        F::AsNumber => keep_if(arg(0), |v| matches!(v, Long(_) | Double(_))),
        F::AsTimestamp => keep_if(arg(0), |v| matches!(v, Timestamp(_))),
        F::AsArray => keep_if(arg(0), |v| matches!(v, Array(_))),
        F::AsRecord => keep_if(arg(0), |v| matches!(v, Record(_))),
        F::ArrayAvg | F::ArraySum => {
            let Array(xs) = arg(0) else { return Null };
            let nums: Vec<f64> = xs.iter().filter_map(Value::as_f64).collect();
            let sum: f64 = nums.iter().fold(0.0, |a, b| a + b);
            if f == F::ArraySum {
                Double(sum)
            } else if nums.is_empty() {
                Double(0.0)
            } else {
                Double(sum / nums.len() as f64)
            }
        }
        F::ArrayMin | F::ArrayMax => {
            let Array(xs) = arg(0) else { return Null };
            let it = xs.iter().filter(|v| !v.is_null());
            let pick = if f == F::ArrayMin {
                it.min_by(|x, y| sort_cmp(x, y))
            } else {
                it.max_by(|x, y| sort_cmp(x, y))
            };
            pick.cloned().unwrap_or(Null)
        }
        F::ArraySize => match arg(0) {
            Array(xs) => Long(xs.len() as i64),
            _ => Null,
        },
        F::ArrayFirst => match arg(0) {
            Array(xs) => xs.iter().find(|v| !v.is_null()).cloned().unwrap_or(Null),
            _ => Null,
        },
        F::ArrayLast => match arg(0) {
            Array(xs) => xs
                .iter()
                .rev()
                .find(|v| !v.is_null())
                .cloned()
                .unwrap_or(Null),
            _ => Null,
        },
        F::ArrayDistinct => match arg(0) {
            Array(xs) => {
                let mut v: Vec<Value> = xs.to_vec();
                v.sort_by(sort_cmp);
                v.dedup_by(|x, y| same(x, y));
                Array(v.into())
            }
            _ => Null,
        },
        F::ArraySort => match arg(0) {
            Array(xs) => {
                let mut v: Vec<Value> = xs.to_vec();
                v.sort_by(sort_cmp);
                if arg(1).as_str() == Some("descending") {
                    // Nulls stay last.
                    let nulls = v.iter().filter(|x| x.is_null()).count();
                    let k = v.len() - nulls;
                    v[..k].reverse();
                }
                Array(v.into())
            }
            _ => Null,
        },
        F::ArrayElement => match (arg(0), arg(1)) {
            (Array(xs), Long(i)) => {
                let idx = if *i < 0 { xs.len() as i64 + i } else { *i };
                if idx < 0 {
                    Null
                } else {
                    xs.get(idx as usize).cloned().unwrap_or(Null)
                }
            }
            _ => Null,
        },
        F::ArrayConcat => {
            let mut out = Vec::new();
            for v in a {
                if let Array(xs) = v {
                    out.extend(xs.iter().cloned());
                }
            }
            Array(out.into())
        }
        F::ArrayRemoveNulls => match arg(0) {
            Array(xs) => Array(
                xs.iter()
                    .filter(|v| !v.is_null())
                    .cloned()
                    .collect::<Vec<_>>()
                    .into(),
            ),
            _ => Null,
        },
        F::ArrayReverse => match arg(0) {
            Array(xs) => Array(xs.iter().rev().cloned().collect::<Vec<_>>().into()),
            _ => Null,
        },
        F::ArrayToString => match arg(0) {
            Array(xs) => {
                let d = arg(1).as_str().unwrap_or("");
                let parts: Vec<String> = xs
                    .iter()
                    .map(|v| v.to_dql_string().unwrap_or_else(|| "null".into()))
                    .collect();
                Value::str(&parts.join(d))
            }
            _ => Null,
        },
        F::Array => Array(a.to_vec().into()),
        F::Bin => match (arg(0), arg(1)) {
            (Timestamp(t), Duration(d)) if *d > 0 => Timestamp(t.div_euclid(*d) * d),
            (Duration(t), Duration(d)) if *d > 0 => Duration(t.div_euclid(*d) * d),
            (Long(x), Long(d)) if *d > 0 => Long(x.div_euclid(*d) * d),
            (x, d) => match (x.as_f64(), d.as_f64()) {
                (Some(x), Some(d)) if d > 0.0 => Double((x / d).floor() * d),
                _ => Null,
            },
        },
        F::Abs => match arg(0) {
            Long(v) => long(v.checked_abs()),
            Double(v) => Double(v.abs()),
            Duration(v) => v.checked_abs().map_or(Null, Duration),
            _ => Null,
        },
        F::Round => match (arg(0), arg(1)) {
            (Long(v), _) => Long(*v),
            (Double(v), Long(d)) => {
                if *d == 0 {
                    Long(v.round() as i64)
                } else {
                    let m = 10f64.powi(*d as i32);
                    Double((v * m).round() / m)
                }
            }
            _ => Null,
        },
        F::Floor => match arg(0) {
            Long(v) => Long(*v),
            Double(v) => Long(v.floor() as i64),
            _ => Null,
        },
        F::Ceil => match arg(0) {
            Long(v) => Long(*v),
            Double(v) => Long(v.ceil() as i64),
            _ => Null,
        },
        F::Now => Timestamp(ctx.now),
        F::Timestamp => {
            let n: Option<Vec<i64>> = a
                .iter()
                .map(|v| if let Long(x) = v { Some(*x) } else { None })
                .collect();
            let Some(n) = n else { return Null };
            if !(1..=12).contains(&n[1])
                || n[2] < 1
                || n[2] > i64::from(time::days_in_month(n[0], n[1] as u32))
            {
                return Null;
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
            ns.map_or(Null, Timestamp)
        }
        F::TimestampFromUnixSeconds => match arg(0) {
            Long(v) => v.checked_mul(1_000_000_000).map_or(Null, Timestamp),
            _ => Null,
        },
        F::TimestampFromUnixMillis => match arg(0) {
            Long(v) => v.checked_mul(1_000_000).map_or(Null, Timestamp),
            _ => Null,
        },
        F::GetYear
        | F::GetMonth
        | F::GetDayOfMonth
        | F::GetHour
        | F::GetMinute
        | F::GetSecond
        | F::GetDayOfWeek => {
            let Timestamp(t) = arg(0) else { return Null };
            let days = t.div_euclid(NS_PER_DAY);
            let sod = t.rem_euclid(NS_PER_DAY) / 1_000_000_000;
            let (y, m, d) = time::civil_from_days(days);
            Long(match f {
                F::GetYear => y,
                F::GetMonth => m as i64,
                F::GetDayOfMonth => d as i64,
                F::GetHour => sod / 3600,
                F::GetMinute => sod / 60 % 60,
                F::GetSecond => sod % 60,
                _ => (days + 3).rem_euclid(7) + 1,
            })
        }
        F::Duration => {
            let unit = match arg(1).as_str() {
                Some("ns") => 1.0,
                Some("us") => 1e3,
                Some("ms") => 1e6,
                Some("s") => 1e9,
                Some("m") => 60e9,
                Some("h") => 3600e9,
                Some("d") => 86400e9,
                _ => return Null,
            };
            arg(0)
                .as_f64()
                .map_or(Null, |v| Duration((v * unit).round() as i64))
        }
        F::Timeframe => {
            let end = match arg(1) {
                Null => ctx.now,
                v => match as_time(v, ctx) {
                    Some(t) => t,
                    None => return Null,
                },
            };
            match as_time(arg(0), ctx) {
                Some(s) => Timeframe(s, end),
                None => Null,
            }
        }
        F::GetStart => match arg(0) {
            Timeframe(s, _) => Timestamp(*s),
            _ => Null,
        },
        F::GetEnd => match arg(0) {
            Timeframe(_, e) => Timestamp(*e),
            _ => Null,
        },
        F::IsIp => b(arg(0)
            .as_str()
            .is_some_and(|s| s.parse::<std::net::IpAddr>().is_ok())),
        F::IpIsPrivate | F::IpIsPublic | F::IpIsLoopback => {
            let Some(text) = arg(0).as_str() else {
                return Null;
            };
            // Service names such as "ec2.amazonaws.com" in sourceIPAddress are not addresses.
            let Ok(ip) = text.parse::<std::net::IpAddr>() else {
                return Bool(false);
            };
            let private = match ip {
                std::net::IpAddr::V4(v) => v.is_private(),
                std::net::IpAddr::V6(v) => (v.segments()[0] & 0xfe00) == 0xfc00,
            };
            let loopback = ip.is_loopback();
            let special = match ip {
                std::net::IpAddr::V4(v) => {
                    v.is_link_local()
                        || v.is_unspecified()
                        || v.is_broadcast()
                        || v.is_documentation()
                }
                std::net::IpAddr::V6(v) => {
                    v.is_unspecified() || (v.segments()[0] & 0xffc0) == 0xfe80
                }
            };
            b(match f {
                F::IpIsPrivate => private,
                F::IpIsLoopback => loopback,
                _ => !private && !loopback && !special,
            })
        }
    }
}

fn as_time(v: &Value, ctx: &Ctx) -> Option<i64> {
    match v {
        Value::Timestamp(t) => Some(*t),
        Value::Duration(d) => ctx.now.checked_add(*d),
        Value::Str(s) => time::parse_timestamp(s),
        _ => None,
    }
}

fn keep_if(v: &Value, p: impl Fn(&Value) -> bool) -> Value {
    if p(v) {
        v.clone()
    } else {
        Value::Null
    }
}

fn cmp_with(a: &Value, b: &Value, f: impl Fn(Ordering) -> bool) -> Value {
    dql_cmp(a, b).map_or(Value::Null, |o| Value::Bool(f(o)))
}

fn any_string(v: &Value, f: impl Fn(&str) -> bool) -> Value {
    match v {
        Value::Str(s) => Value::Bool(f(s)),
        Value::Array(xs) => Value::Bool(xs.iter().filter_map(Value::as_str).any(f)),
        Value::Null => Value::Null,
        _ => Value::Bool(false),
    }
}

fn arith(f: F, x: &Value, y: &Value) -> Value {
    use Value::*;
    match (x, y) {
        (Long(a), Long(b)) => long(match f {
            F::Add => a.checked_add(*b),
            F::Sub => a.checked_sub(*b),
            F::Mul => a.checked_mul(*b),
            F::Div => a.checked_div(*b),
            _ => a.checked_rem(*b),
        }),
        (Long(_) | Double(_), Long(_) | Double(_)) => {
            let (a, b) = (x.as_f64().unwrap_or(0.0), y.as_f64().unwrap_or(0.0));
            let r = match f {
                F::Add => a + b,
                F::Sub => a - b,
                F::Mul => a * b,
                F::Div if b == 0.0 => return Null,
                F::Div => a / b,
                _ if b == 0.0 => return Null,
                _ => a % b,
            };
            Double(r)
        }
        (Timestamp(t), Duration(d)) => match f {
            F::Add => t.checked_add(*d).map_or(Null, Timestamp),
            F::Sub => t.checked_sub(*d).map_or(Null, Timestamp),
            _ => Null,
        },
        (Duration(d), Timestamp(t)) if f == F::Add => t.checked_add(*d).map_or(Null, Timestamp),
        (Timestamp(a), Timestamp(b)) if f == F::Sub => a.checked_sub(*b).map_or(Null, Duration),
        (Duration(a), Duration(b)) => match f {
            F::Add => a.checked_add(*b).map_or(Null, Duration),
            F::Sub => a.checked_sub(*b).map_or(Null, Duration),
            F::Div if *b != 0 => Double(*a as f64 / *b as f64),
            F::Mod if *b != 0 => Duration(a % b),
            _ => Null,
        },
        (Duration(d), Long(n)) | (Long(n), Duration(d)) if f == F::Mul => {
            d.checked_mul(*n).map_or(Null, Duration)
        }
        (Duration(d), Double(n)) | (Double(n), Duration(d)) if f == F::Mul => {
            Duration((*d as f64 * n).round() as i64)
        }
        (Duration(d), Long(n)) if f == F::Div && *n != 0 => Duration(d / n),
        (Duration(d), Double(n)) if f == F::Div && *n != 0.0 => {
            Duration((*d as f64 / n).round() as i64)
        }
        (Timeframe(s, e), Duration(d)) => match f {
            F::Add => Timeframe(s + d, e + d),
            F::Sub => Timeframe(s - d, e - d),
            _ => Null,
        },
        _ => Null,
    }
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// `matchesPhrase`: the phrase occurs with word boundaries at its ends; `*` at an end lifts that
/// end's boundary check.
pub fn matches_phrase(s: &str, phrase: &str, case_sensitive: bool) -> bool {
    let (open_start, p) = match phrase.strip_prefix('*') {
        Some(p) => (true, p),
        None => (false, phrase),
    };
    let (open_end, p) = match p.strip_suffix('*') {
        Some(p) => (true, p),
        None => (false, p),
    };
    let (hay, p) = if case_sensitive {
        (s.to_string(), p.to_string())
    } else {
        (s.to_ascii_lowercase(), p.to_ascii_lowercase())
    };
    if p.is_empty() {
        return true;
    }
    let mut from = 0;
    while let Some(i) = hay[from..].find(&p) {
        let start = from + i;
        let end = start + p.len();
        let before_ok = open_start
            || !p.starts_with(is_word)
            || !hay[..start].chars().next_back().is_some_and(is_word);
        let after_ok =
            open_end || !p.ends_with(is_word) || !hay[end..].chars().next().is_some_and(is_word);
        if before_ok && after_ok {
            return true;
        }
        from = start + hay[start..].chars().next().map_or(1, char::len_utf8);
    }
    false
}

/// `matchesValue`: the whole value matches; `*` at the start or end is a wildcard.
pub fn matches_value(s: &str, pat: &str, case_sensitive: bool) -> bool {
    let (s, pat) = if case_sensitive {
        (s.to_string(), pat.to_string())
    } else {
        (s.to_ascii_lowercase(), pat.to_ascii_lowercase())
    };
    match (pat.strip_prefix('*'), pat.strip_suffix('*')) {
        (Some(rest), _) if rest.ends_with('*') && !rest.is_empty() => {
            s.contains(&rest[..rest.len() - 1])
        }
        (Some(rest), _) => s.ends_with(rest),
        (None, Some(rest)) => s.starts_with(rest),
        (None, None) => s == pat,
    }
}

/// The `~` search operator: case-insensitive token match on strings (any element of arrays, any
/// name or value of records); numbers match their text exactly.
fn search(v: &Value, pat: &Value) -> Value {
    let Some(p) = pat.as_str() else {
        return Value::Null;
    };
    Value::Bool(search_in(v, p))
}

fn search_in(v: &Value, p: &str) -> bool {
    match v {
        Value::Str(s) => matches_phrase(s, p, false),
        Value::Long(_) | Value::Double(_) => v.to_dql_string().is_some_and(|t| t == p),
        Value::Array(xs) => xs.iter().any(|x| search_in(x, p)),
        Value::Record(r) => r
            .fields
            .iter()
            .any(|(k, x)| matches_phrase(k, p, false) || search_in(x, p)),
        _ => false,
    }
}

fn like(s: &[char], p: &[char]) -> bool {
    match p.first() {
        None => s.is_empty(),
        Some('%') => (0..=s.len()).any(|i| like(&s[i..], &p[1..])),
        Some('_') => !s.is_empty() && like(&s[1..], &p[1..]),
        Some(c) => s.first() == Some(c) && like(&s[1..], &p[1..]),
    }
}

/// Distinct values in first-seen order.
pub fn distinct(values: impl IntoIterator<Item = Value>) -> Vec<Value> {
    let mut seen = std::collections::HashSet::new();
    values
        .into_iter()
        .filter(|v| seen.insert(GroupKey(v.clone())))
        .collect()
}

pub fn record(fields: Vec<(Arc<str>, Value)>) -> Value {
    Value::Record(Arc::new(Record { fields }))
}

pub fn describe_double(f: f64) -> String {
    format_double(f)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Value::*;

    fn s(x: &str) -> Value {
        Value::str(x)
    }

    #[test]
    fn table() {
        let ctx = Ctx { now: 0 };
        let arr = |v: Vec<Value>| Array(v.into());
        let cases: Vec<(F, Vec<Value>, Value)> = vec![
            (F::And, vec![Bool(true), Null], Null),
            (F::And, vec![Bool(false), Null], Bool(false)),
            (F::Or, vec![Bool(true), Null], Bool(true)),
            (F::Or, vec![Bool(false), Null], Null),
            (F::Xor, vec![Bool(true), Null], Null),
            (F::Not, vec![Null], Null),
            (F::Ne, vec![Long(5), s("5")], Bool(true)),
            (F::Lt, vec![Bool(false), Bool(true)], Null),
            (F::Div, vec![Long(7), Long(2)], Long(3)),
            (F::Div, vec![Long(7), Long(0)], Null),
            (F::Div, vec![Double(7.0), Long(2)], Double(3.5)),
            (F::Add, vec![Long(i64::MAX), Long(1)], Null),
            (F::Sub, vec![Timestamp(10), Timestamp(4)], Duration(6)),
            (
                F::In,
                vec![
                    s("AccessDenied"),
                    s("AccessDenied"),
                    s("UnauthorizedOperation"),
                ],
                Bool(true),
            ),
            (F::In, vec![s("x"), arr(vec![s("a"), s("x")])], Bool(true)),
            (
                F::In,
                vec![
                    arr(vec![s("Java"), s("Spring")]),
                    arr(vec![s("Spring"), s("Flask")]),
                ],
                Bool(true),
            ),
            (F::In, vec![Null, s("a")], Bool(false)),
            (F::StartsWith, vec![Null, s("AWS_"), Bool(true)], Null),
            (
                F::StartsWith,
                vec![s("AWS_KMS"), s("AWS_"), Bool(true)],
                Bool(true),
            ),
            (
                F::StartsWith,
                vec![s("aws_kms"), s("AWS_"), Bool(true)],
                Bool(false),
            ),
            (
                F::StartsWith,
                vec![s("aws_kms"), s("AWS_"), Bool(false)],
                Bool(true),
            ),
            (
                F::MatchesPhrase,
                vec![
                    s("Failed authentication attempt"),
                    s("AUTHENTICATION"),
                    Bool(false),
                ],
                Bool(true),
            ),
            (
                F::MatchesPhrase,
                vec![s("from 192.168.0.123"), s("192.168.0.1"), Bool(false)],
                Bool(false),
            ),
            (
                F::MatchesPhrase,
                vec![s("from 192.168.0.123"), s("192.168.0.1*"), Bool(false)],
                Bool(true),
            ),
            (
                F::MatchesValue,
                vec![s("UserA"), s("user*"), Bool(false)],
                Bool(true),
            ),
            (
                F::Concat,
                vec![s("a"), Long(1), Null, s("b"), s("")],
                s("a1b"),
            ),
            (
                F::Substring,
                vec![s("Dynatrace"), Long(-5), Null],
                s("trace"),
            ),
            (
                F::IndexOf,
                vec![s("Dynatrace Query Language"), s("a"), Long(10)],
                Long(17),
            ),
            (
                F::SplitString,
                vec![s("abbc"), s("b")],
                arr(vec![s("a"), s(""), s("c")]),
            ),
            (F::If, vec![Null, s("yes"), s("no")], s("no")),
            (F::If, vec![Bool(true), s("yes"), Null], s("yes")),
            (F::Coalesce, vec![Null, Null, Long(3)], Long(3)),
            (F::ToLong, vec![s("42")], Long(42)),
            (F::ToLong, vec![Double(3.9)], Long(3)),
            (F::ToLong, vec![s("x")], Null),
            (F::ToDouble, vec![s("1234.5")], Double(1234.5)),
            (F::ToString, vec![Double(2.0)], s("2")),
            (
                F::ArrayAvg,
                vec![arr(vec![Long(1), Null, Long(4)])],
                Double(2.5),
            ),
            (F::ArrayAvg, vec![arr(vec![Null, Null])], Double(0.0)),
            (
                F::ArraySum,
                vec![arr(vec![Long(1), Null, Double(0.5)])],
                Double(1.5),
            ),
            (
                F::ArrayMax,
                vec![arr(vec![Long(1), Null, Long(7)])],
                Long(7),
            ),
            (F::ArrayMin, vec![arr(vec![Null])], Null),
            (F::ArraySize, vec![arr(vec![Null, Long(2)])], Long(2)),
            (
                F::ArrayDistinct,
                vec![arr(vec![Long(2), Long(3), Long(7), Long(7), Long(1)])],
                arr(vec![Long(1), Long(2), Long(3), Long(7)]),
            ),
            (
                F::Bin,
                vec![
                    Timestamp(7 * 60_000_000_000 + 5),
                    Duration(5 * 60_000_000_000),
                ],
                Timestamp(5 * 60_000_000_000),
            ),
            (F::Bin, vec![Long(17), Long(5)], Long(15)),
            (F::IpIsPrivate, vec![s("10.1.2.3")], Bool(true)),
            (F::IpIsPublic, vec![s("203.0.113.9")], Bool(false)),
            (F::IpIsPublic, vec![s("8.8.8.8")], Bool(true)),
            (F::Search, vec![s("Hello World"), s("world")], Bool(true)),
            (F::Search, vec![s("HelloWorld"), s("world")], Bool(false)),
        ];
        for (f, args, want) in cases {
            assert_eq!(apply(f, &args, &ctx), want, "{f:?}({args:?})");
        }
    }

    #[test]
    fn registry_names_are_unique() {
        let mut names: Vec<String> = FUNCTIONS.iter().map(|s| s.name.to_lowercase()).collect();
        names.sort();
        let n = names.len();
        names.dedup();
        assert_eq!(n, names.len());
    }
}
