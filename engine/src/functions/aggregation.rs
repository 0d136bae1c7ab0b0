//! Aggregation functions (`summarize`, `makeTimeseries`): each is a running [`State`] per group
//! (or per time bin) with `init`, `update` and `finish`. Nulls never reach `update`.
//! Reference: <https://docs.dynatrace.com/docs/platform/grail/dynatrace-query-language/functions/aggregation-functions>.

use std::collections::HashSet;

use super::Imp::Aggregate as Agg;
use super::{ex, req, Family, Function, Ty};
use crate::value::{dql_cmp, sort_cmp, GroupKey, Value};

/// How an aggregation runs.
#[derive(Clone, Copy)]
pub struct Aggregate {
    pub init: fn() -> State,
    /// Adds one non-null value.
    pub update: fn(&mut State, &Value),
    pub finish: fn(State) -> Value,
    /// The parameter is a condition: only rows where it is true count (`countIf`).
    pub condition: bool,
    /// `makeTimeseries` accepts it.
    pub in_timeseries: bool,
}

/// Running state of one aggregation for one group (or bin). An aggregation without a parameter
/// (`count()`) counts rows: the executor may count them directly into `State::Count`.
#[derive(Clone, Debug)]
pub enum State {
    Count(i64),
    Sum {
        num: f64,
        dur: i64,
        n: usize,
        durations: bool,
        mixed: bool,
    },
    Best {
        v: Option<Value>,
        mixed: bool,
        doubles: bool,
    },
    Take(Option<Value>),
    Distinct(HashSet<GroupKey>, Vec<Value>),
    Collect(Vec<Value>),
    /// Welford's running count, mean and sum of squared deviations (`variance`, `stddev`);
    /// `other` once a value is not a number.
    Moments {
        n: f64,
        mean: f64,
        m2: f64,
        other: bool,
    },
}

const AGGREGATION: Function = Function {
    family: Family::Aggregation,
    ..Function::BASE
};

const ANY: &[super::Param] = &[req("expression", Ty::ANY)];
const ADDABLE: &[super::Param] = &[req("expression", Ty::NUMBER.or(Ty::DURATION))];
const ORDERED: &[super::Param] = &[req(
    "expression",
    Ty::BOOL
        .or(Ty::NUMBER)
        .or(Ty::DURATION)
        .or(Ty::STRING)
        .or(Ty::TIMESTAMP),
)];

/// Dynatrace's data for most aggregation examples: five longs.
macro_rules! five {
    ($agg:literal) => {
        concat!(
            "data record(a = 2), record(a = 3), record(a = 7), record(a = 7), record(a = 1)\n| summarize ",
            $agg
        )
    };
}

/// Dynatrace's data for `takeFirst`, `takeLast` and `takeAny`: nulls first and last.
macro_rules! with_nulls {
    ($agg:literal) => {
        concat!(
            "data record(a = null), record(a = 3), record(a = 7), record(a = 5), record(a = null)\n| summarize ",
            $agg
        )
    };
}

/// Dynatrace's data for `takeMin` and `takeMax`: `b` has values of five types.
macro_rules! mixed {
    ($agg:literal) => {
        concat!(
            "data record(a = 2, b = 2), record(a = 3, b = array(1, 2, 3)), record(a = 7, b = (\"2019-08-01T09:30:00.000-0400\")), record(a = 7, b = \"DQL is awesome!\"), record(a = 1, b = 5m)\n| summarize ",
            $agg
        )
    };
}

/// Values that order and have a median: what `median` takes.
const QUANTILE: &[super::Param] = &[req(
    "expression",
    Ty::BOOL.or(Ty::NUMBER).or(Ty::DURATION).or(Ty::TIMESTAMP),
)];

/// Data for more aggregation examples: three records, one without `x`.
macro_rules! three {
    ($agg:literal) => {
        concat!(
            "data record(x = 3, s = \"b\"), record(x = 1, s = \"a\"), record(s = \"c\")\n| summarize ",
            $agg
        )
    };
}

const COUNTING: Aggregate = Aggregate {
    init: || State::Count(0),
    update: |s, _| {
        if let State::Count(n) = s {
            *n += 1
        }
    },
    finish: |s| match s {
        State::Count(n) => Value::Long(n),
        _ => Value::Null,
    },
    condition: false,
    in_timeseries: true,
};

const DISTINCT_COUNT: Aggregate = Aggregate {
    init: || State::Distinct(HashSet::new(), Vec::new()),
    update: |s, v| {
        if let State::Distinct(set, _) = s {
            set.insert(GroupKey(v.clone()));
        }
    },
    finish: |s| match s {
        State::Distinct(set, _) => Value::Long(set.len() as i64),
        _ => Value::Null,
    },
    condition: false,
    in_timeseries: true,
};

const SUM_STATE: fn() -> State = || State::Sum {
    num: 0.0,
    dur: 0,
    n: 0,
    durations: false,
    mixed: false,
};

const BEST_STATE: fn() -> State = || State::Best {
    v: None,
    mixed: false,
    doubles: false,
};

const MOMENTS: Aggregate = Aggregate {
    init: || State::Moments {
        n: 0.0,
        mean: 0.0,
        m2: 0.0,
        other: false,
    },
    update: |s, v| {
        if let State::Moments { n, mean, m2, other } = s {
            match v.as_f64() {
                Some(x) => {
                    *n += 1.0;
                    let d = x - *mean;
                    *mean += d / *n;
                    *m2 += d * (x - *mean);
                }
                None => *other = true,
            }
        }
    },
    finish: |s| variance(s).map_or(Value::Null, Value::Double),
    condition: false,
    // Dynatrace's makeTimeseries does not take stddev or variance.
    in_timeseries: false,
};

const TAKE: Aggregate = Aggregate {
    init: || State::Take(None),
    update: |s, v| {
        if let State::Take(t @ None) = s {
            *t = Some(v.clone());
        }
    },
    finish: |s| match s {
        State::Take(v) => v.unwrap_or(Value::Null),
        _ => Value::Null,
    },
    condition: false,
    in_timeseries: false,
};

pub(super) static FUNCTIONS: &[Function] = &[
    Function {
        name: "count",
        returns: Ty::LONG,
        doc: "The number of records.",
        examples: &[
            ex(five!("count()"), r#"{"count()":5}"#),
            ex(three!("count()"), r#"{"count()":3}"#),
        ],
        see: dynatrace_docs!("aggregation-functions#count"),
        imp: Agg(COUNTING),
        ..AGGREGATION
    },
    Function {
        name: "countIf",
        params: &[req("condition", Ty::BOOL)],
        returns: Ty::LONG,
        doc: "The number of records where the condition is true (null and false do not count).",
        examples: &[
            ex(five!("countIf(a > 2)"), r#"{"countIf(a > 2)":3}"#),
            ex(three!("n = countIf(x > 2)"), r#"{"n":1}"#),
        ],
        see: dynatrace_docs!("aggregation-functions#countIf"),
        imp: Agg(Aggregate {
            condition: true,
            ..COUNTING
        }),
        ..AGGREGATION
    },
    Function {
        name: "countDistinct",
        params: ANY,
        returns: Ty::LONG,
        doc: "The number of distinct non-null values (exact here; Dynatrace estimates it).",
        examples: &[ex(three!("countDistinct(s)"), r#"{"countDistinct(s)":3}"#)],
        see: dynatrace_docs!("aggregation-functions#countDistinct"),
        imp: Agg(DISTINCT_COUNT),
        ..AGGREGATION
    },
    Function {
        name: "countDistinctExact",
        params: ANY,
        returns: Ty::LONG,
        doc: "The exact number of distinct non-null values.",
        examples: &[
            ex(five!("countDistinctExact(a)"), r#"{"countDistinctExact(a)":4}"#),
            ex(three!("n = countDistinctExact(x)"), r#"{"n":2}"#),
        ],
        see: dynatrace_docs!("aggregation-functions#countDistinctExact"),
        imp: Agg(DISTINCT_COUNT),
        ..AGGREGATION
    },
    Function {
        name: "countDistinctApprox",
        params: ANY,
        returns: Ty::LONG,
        doc: "The number of distinct non-null values (exact here; Dynatrace estimates it).",
        examples: &[
            ex(five!("countDistinctApprox(a)"), r#"{"countDistinctApprox(a)":4}"#),
            ex(three!("n = countDistinctApprox(s)"), r#"{"n":3}"#),
        ],
        see: dynatrace_docs!("aggregation-functions#countDistinctApprox"),
        imp: Agg(DISTINCT_COUNT),
        ..AGGREGATION
    },
    Function {
        name: "sum",
        params: ADDABLE,
        returns: Ty::DOUBLE.or(Ty::DURATION),
        doc: "The sum of numbers (a double) or of durations; null if there are none or the types are mixed.",
        examples: &[
            ex(five!("sum(a)"), r#"{"sum(a)":20.0}"#),
            ex(three!("sum(x)"), r#"{"sum(x)":4.0}"#),
        ],
        see: dynatrace_docs!("aggregation-functions#sum"),
        imp: Agg(Aggregate {
            init: SUM_STATE,
            update: add,
            finish: |s| mean_or_sum(s, true),
            condition: false,
            in_timeseries: true,
        }),
        ..AGGREGATION
    },
    Function {
        name: "avg",
        params: ADDABLE,
        returns: Ty::DOUBLE.or(Ty::DURATION),
        doc: "The mean of numbers (a double) or of durations.",
        examples: &[
            ex(five!("avg(a)"), r#"{"avg(a)":4.0}"#),
            ex(three!("avg(x)"), r#"{"avg(x)":2.0}"#),
        ],
        see: dynatrace_docs!("aggregation-functions#avg"),
        imp: Agg(Aggregate {
            init: SUM_STATE,
            update: add,
            finish: |s| mean_or_sum(s, false),
            condition: false,
            in_timeseries: true,
        }),
        ..AGGREGATION
    },
    Function {
        name: "min",
        params: ORDERED,
        returns: Ty::BOOL
            .or(Ty::NUMBER)
            .or(Ty::DURATION)
            .or(Ty::STRING)
            .or(Ty::TIMESTAMP),
        doc: "The smallest value (a double when longs and doubles mix; null when types cannot be compared).",
        examples: &[
            ex(five!("min(a)"), r#"{"min(a)":1}"#),
            ex(three!("min(x), min(s)"), r#"{"min(x)":1,"min(s)":"a"}"#),
        ],
        see: dynatrace_docs!("aggregation-functions#min"),
        imp: Agg(Aggregate {
            init: BEST_STATE,
            update: |s, v| best(s, v, false),
            finish: best_finish,
            condition: false,
            in_timeseries: true,
        }),
        ..AGGREGATION
    },
    Function {
        name: "max",
        params: ORDERED,
        returns: Ty::BOOL
            .or(Ty::NUMBER)
            .or(Ty::DURATION)
            .or(Ty::STRING)
            .or(Ty::TIMESTAMP),
        doc: "The largest value.",
        examples: &[
            ex(five!("max(a)"), r#"{"max(a)":7}"#),
            ex(three!("max(x)"), r#"{"max(x)":3}"#),
        ],
        see: dynatrace_docs!("aggregation-functions#max"),
        imp: Agg(Aggregate {
            init: BEST_STATE,
            update: |s, v| best(s, v, true),
            finish: best_finish,
            condition: false,
            in_timeseries: true,
        }),
        ..AGGREGATION
    },
    Function {
        name: "takeFirst",
        params: ANY,
        returns: Ty::ANY,
        doc: "The first non-null value in the current order.",
        examples: &[
            ex(with_nulls!("takeFirst(a)"), r#"{"takeFirst(a)":3}"#),
            ex(three!("takeFirst(s)"), r#"{"takeFirst(s)":"b"}"#),
        ],
        see: dynatrace_docs!("aggregation-functions#takeFirst"),
        imp: Agg(TAKE),
        ..AGGREGATION
    },
    Function {
        name: "takeLast",
        params: ANY,
        returns: Ty::ANY,
        doc: "The last non-null value in the current order.",
        examples: &[
            ex(with_nulls!("takeLast(a)"), r#"{"takeLast(a)":5}"#),
            ex(three!("takeLast(x)"), r#"{"takeLast(x)":1}"#),
        ],
        see: dynatrace_docs!("aggregation-functions#takeLast"),
        imp: Agg(Aggregate {
            update: |s, v| *s = State::Take(Some(v.clone())),
            ..TAKE
        }),
        ..AGGREGATION
    },
    Function {
        name: "takeAny",
        params: ANY,
        returns: Ty::ANY,
        doc: "Any non-null value (here: the first).",
        examples: &[
            ex(with_nulls!("takeAny(a)"), r#"{"takeAny(a)":3}"#),
            ex(three!("takeAny(s)"), r#"{"takeAny(s)":"b"}"#),
        ],
        see: dynatrace_docs!("aggregation-functions#takeAny"),
        imp: Agg(TAKE),
        ..AGGREGATION
    },
    Function {
        name: "takeMin",
        params: ANY,
        returns: Ty::ANY,
        doc: "The smallest value in sort order (types are ordered, so values of any types compare).",
        examples: &[
            ex(mixed!("takeMin(b), min(b)"), r#"{"takeMin(b)":2,"min(b)":null}"#),
            ex(three!("takeMin(s)"), r#"{"takeMin(s)":"a"}"#),
        ],
        see: dynatrace_docs!("aggregation-functions#takeMin"),
        imp: Agg(Aggregate {
            update: |s, v| take_if(s, v, std::cmp::Ordering::Less),
            ..TAKE
        }),
        ..AGGREGATION
    },
    Function {
        name: "takeMax",
        params: ANY,
        returns: Ty::ANY,
        doc: "The largest value in sort order.",
        examples: &[
            ex(mixed!("takeMax(b), max(b)"), r#"{"takeMax(b)":[1,2,3],"max(b)":null}"#),
            ex(three!("takeMax(s)"), r#"{"takeMax(s)":"c"}"#),
        ],
        see: dynatrace_docs!("aggregation-functions#takeMax"),
        imp: Agg(Aggregate {
            update: |s, v| take_if(s, v, std::cmp::Ordering::Greater),
            ..TAKE
        }),
        ..AGGREGATION
    },
    Function {
        name: "collectDistinct",
        params: ANY,
        returns: Ty::ARRAY,
        doc: "The distinct non-null values as an array, in first-seen order (null if there are none).",
        examples: &[
            ex(five!("collectDistinct(a)"), r#"{"collectDistinct(a)":[2,3,7,1]}"#),
            ex(three!("collectDistinct(x)"), r#"{"collectDistinct(x)":[3,1]}"#),
        ],
        see: dynatrace_docs!("aggregation-functions#collectDistinct"),
        imp: Agg(Aggregate {
            update: |s, v| {
                if let State::Distinct(set, vals) = s {
                    if crate::exec::budget::charge(2 * std::mem::size_of::<Value>())
                        && set.insert(GroupKey(v.clone()))
                    {
                        vals.push(v.clone());
                    }
                }
            },
            finish: |s| match s {
                State::Distinct(_, vals) if !vals.is_empty() => Value::Array(vals.into()),
                _ => Value::Null,
            },
            in_timeseries: false,
            ..DISTINCT_COUNT
        }),
        ..AGGREGATION
    },
    Function {
        name: "collectArray",
        params: ANY,
        returns: Ty::ARRAY,
        doc: "The non-null values as an array, in the current order (null if there are none).",
        examples: &[
            ex(five!("collectArray(a)"), r#"{"collectArray(a)":[2,3,7,7,1]}"#),
            ex(three!("collectArray(s)"), r#"{"collectArray(s)":["b","a","c"]}"#),
        ],
        see: dynatrace_docs!("aggregation-functions#collectArray"),
        imp: Agg(Aggregate {
            init: || State::Collect(Vec::new()),
            update: |s, v| {
                if let State::Collect(vals) = s {
                    if crate::exec::budget::charge(std::mem::size_of::<Value>()) {
                        vals.push(v.clone())
                    }
                }
            },
            finish: |s| match s {
                State::Collect(vals) if !vals.is_empty() => Value::Array(vals.into()),
                _ => Value::Null,
            },
            condition: false,
            in_timeseries: false,
        }),
        ..AGGREGATION
    },
    Function {
        name: "median",
        params: QUANTILE,
        returns: Ty::BOOL.or(Ty::DOUBLE).or(Ty::DURATION).or(Ty::TIMESTAMP),
        doc: "The median of the values, by nearest rank (the lower middle value of an even count): exact where Dynatrace estimates from a histogram; numbers give a double, durations, timestamps and booleans their type; null for mixed types.",
        examples: &[
            ex(five!("median(a)"), r#"{"median(a)":3.0}"#),
            ex(three!("median(x)"), r#"{"median(x)":1.0}"#),
            ex(
                "data record(d = 1m), record(d = 5m), record(d = 2m)\n| summarize median(d)",
                r#"{"median(d)":120000000000}"#,
            ),
            ex(
                "data record(v = 1), record(v = \"2\")\n| summarize median(v)",
                r#"{"median(v)":null}"#,
            ),
            ex(
                "data record(timestamp = toTimestamp(\"2026-11-20T10:10:00Z\"), v = 1), record(timestamp = toTimestamp(\"2026-11-20T10:20:00Z\"), v = 9), record(timestamp = toTimestamp(\"2026-11-20T11:30:00Z\"), v = 4)\n| makeTimeseries m = median(v), interval: 1h, from: \"2026-11-20T10:00:00Z\", to: \"2026-11-20T12:00:00Z\"",
                r#"{"timeframe":{"start":"2026-11-20T10:00:00Z","end":"2026-11-20T12:00:00Z"},"interval":3600000000000,"m":[1.0,4.0]}"#,
            ),
        ],
        see: dynatrace_docs!("aggregation-functions#median"),
        imp: Agg(Aggregate {
            init: || State::Collect(Vec::new()),
            update: |s, v| {
                if let State::Collect(vals) = s {
                    if crate::exec::budget::charge(std::mem::size_of::<Value>()) {
                        vals.push(v.clone())
                    }
                }
            },
            finish: |s| match s {
                State::Collect(vals) => super::array_stats::percentile(vals, 50.0),
                _ => Value::Null,
            },
            condition: false,
            in_timeseries: true,
        }),
        ..AGGREGATION
    },
    Function {
        name: "variance",
        params: &[req("expression", Ty::NUMBER)],
        returns: Ty::DOUBLE,
        doc: "The population variance of the numbers: the mean squared distance from their mean; null if there are none or a value is not a number.",
        examples: &[
            ex(five!("variance(a)"), r#"{"variance(a)":6.4}"#),
            ex(three!("variance(x)"), r#"{"variance(x)":1.0}"#),
            ex("data record(a = 2.5)\n| summarize variance(a)", r#"{"variance(a)":0.0}"#),
        ],
        see: dynatrace_docs!("aggregation-functions#variance"),
        imp: Agg(MOMENTS),
        ..AGGREGATION
    },
    Function {
        name: "stddev",
        params: &[req("expression", Ty::NUMBER)],
        returns: Ty::DOUBLE,
        doc: "The population standard deviation of the numbers: the square root of `variance`.",
        examples: &[
            ex(five!("stddev(a)"), r#"{"stddev(a)":2.5298221281347035}"#),
            ex(three!("stddev(x)"), r#"{"stddev(x)":1.0}"#),
            ex(three!("stddev(s)"), r#"{"stddev(s)":null}"#),
        ],
        see: dynatrace_docs!("aggregation-functions#stddev"),
        imp: Agg(Aggregate {
            finish: |s| variance(s).map_or(Value::Null, |v| Value::Double(v.sqrt())),
            ..MOMENTS
        }),
        ..AGGREGATION
    },
];

/// The population variance of a `State::Moments`, if it saw numbers only.
fn variance(s: State) -> Option<f64> {
    match s {
        State::Moments {
            n,
            m2,
            other: false,
            ..
        } if n > 0.0 => Some((m2 / n).max(0.0)),
        _ => None,
    }
}

/// `sum`/`avg`: numbers or durations, never both.
fn add(s: &mut State, v: &Value) {
    let State::Sum {
        num,
        dur,
        n,
        durations,
        mixed,
    } = s
    else {
        return;
    };
    match v {
        Value::Long(_) | Value::Double(_) if *n == 0 || !*durations => {
            *num += v.as_f64().unwrap_or(0.0);
            *n += 1;
        }
        Value::Duration(d) if *n == 0 || *durations => {
            *durations = true;
            *dur = dur.saturating_add(*d);
            *n += 1;
        }
        _ => *mixed = true,
    }
}

fn mean_or_sum(s: State, sum: bool) -> Value {
    match s {
        State::Sum {
            num,
            dur,
            n,
            durations,
            mixed: false,
        } if n > 0 => match (sum, durations) {
            (true, false) => Value::Double(num),
            (true, true) => Value::Duration(dur),
            (false, false) => Value::Double(num / n as f64),
            (false, true) => Value::Duration(dur / n as i64),
        },
        _ => Value::Null,
    }
}

/// `min`/`max` by DQL comparison; values that cannot be compared make the result null.
fn best(s: &mut State, v: &Value, max: bool) {
    let State::Best {
        v: best,
        mixed,
        doubles,
    } = s
    else {
        return;
    };
    *doubles |= matches!(v, Value::Double(_));
    match best {
        None => *best = Some(v.clone()),
        Some(b) => match dql_cmp(v, b) {
            Some(o) => {
                if (max && o.is_gt()) || (!max && o.is_lt()) {
                    *best = Some(v.clone());
                }
            }
            None if matches!((v, &*b), (Value::Bool(_), Value::Bool(_))) => {
                let (x, y) = (v.as_bool(), b.as_bool());
                if (max && x > y) || (!max && x < y) {
                    *best = Some(v.clone());
                }
            }
            None => *mixed = true,
        },
    }
}

fn best_finish(s: State) -> Value {
    match s {
        State::Best { mixed: true, .. } => Value::Null,
        // Longs and doubles mixed: the result is a double.
        State::Best {
            v: Some(Value::Long(n)),
            doubles: true,
            ..
        } => Value::Double(n as f64),
        State::Best { v, .. } => v.unwrap_or(Value::Null),
        _ => Value::Null,
    }
}

/// `takeMin`/`takeMax`: replaces the value when the new one sorts `wanted` of it.
fn take_if(s: &mut State, v: &Value, wanted: std::cmp::Ordering) {
    if let State::Take(t) = s {
        if t.as_ref().is_none_or(|b| sort_cmp(v, b) == wanted) {
            *t = Some(v.clone());
        }
    }
}
