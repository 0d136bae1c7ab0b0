//! Aggregation functions (`summarize`, `makeTimeseries`): each is a running [`State`] per group
//! (or per time bin) with `init`, `update` and `finish`. A record whose expression is null does
//! not count. Counting, summing, taking and collecting here; quantiles, moments and
//! correlation in [`stats`].
//! Reference: <https://docs.dynatrace.com/docs/platform/grail/dynatrace-query-language/functions/aggregation-functions>.

use std::collections::HashSet;

use super::Imp::Aggregate as Agg;
use super::{ex, named_const, req, Def, Family, Function, Param, Ty};
use crate::value::{dql_cmp, sort_cmp, GroupKey, Value};

/// How an aggregation runs. Its parameters are of two kinds: *per-record* arguments (the
/// expression, `correlation`'s second one, `weight:`), evaluated for every record, and
/// *constant* ones (declared constant: `percentile`'s percentile, `maxLength:`), evaluated once
/// when the query is planned and handed to `init` and `finish`, each kind in declaration order.
#[derive(Clone, Copy)]
pub struct Aggregate {
    /// A new state, from the constant parameters.
    pub init: fn(&[Value]) -> State,
    /// Adds one record's per-record arguments. The first is never null (a record whose
    /// expression is null does not count); the others may be.
    pub update: fn(&mut State, &[Value]),
    /// The result, from the state and the constant parameters.
    pub finish: fn(State, &[Value]) -> Value,
    /// The parameter is a condition: only rows where it is true count (`countIf`).
    pub condition: bool,
    /// `makeTimeseries` accepts it.
    pub in_timeseries: bool,
    /// `start()`/`end()`: no aggregation of values but each bin's start or end timestamp
    /// (makeTimeseries only, beside another aggregation).
    pub bin: Option<BinEdge>,
}

/// Which timestamp of a bin `start()` and `end()` give.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinEdge {
    Start,
    End,
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
    /// `countDistinct…`, `collectDistinct`: the values seen, and for `collectDistinct` the
    /// result so far (at most `max` values; arrays spread when `expand`).
    Distinct {
        set: HashSet<GroupKey>,
        vals: Vec<Value>,
        max: usize,
        expand: bool,
    },
    /// `collectArray`: at most `max` values (arrays spread when `expand`).
    Collect {
        vals: Vec<Value>,
        max: usize,
        expand: bool,
    },
    /// Values with their weights (`median`, `percentile`, `percentiles`,
    /// `percentileFromSamples`).
    Weighted(Vec<(Value, f64)>),
    /// `percentRank`: how many values are below `value`, of how many; `other` once a value
    /// does not compare with it.
    Rank {
        value: Value,
        below: u64,
        n: u64,
        other: bool,
    },
    /// Welford's running count, mean and sum of squared deviations (`variance`, `stddev`);
    /// `other` once a value is not a number.
    Moments {
        n: f64,
        mean: f64,
        m2: f64,
        other: bool,
    },
    /// Running means, co-moment and squared deviations of pairs (`correlation`).
    Comoments {
        n: f64,
        mean_x: f64,
        mean_y: f64,
        c: f64,
        m2x: f64,
        m2y: f64,
        other: bool,
    },
}

/// The first per-record argument (null if there is none).
pub(super) fn first(vals: &[Value]) -> &Value {
    vals.first().unwrap_or(&Value::Null)
}

const AGGREGATION: Function = Function {
    family: Family::Aggregation,
    ..Function::BASE
};

const ANY: &[Param] = &[req("expression", Ty::ANY)];
const ADDABLE: &[Param] = &[req("expression", Ty::NUMBER.or(Ty::DURATION))];
const ORDERED: &[Param] = &[req(
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

/// Data for more aggregation examples: three records, one without `x`.
macro_rules! three {
    ($agg:literal) => {
        concat!(
            "data record(x = 3, s = \"b\"), record(x = 1, s = \"a\"), record(s = \"c\")\n| summarize ",
            $agg
        )
    };
}

/// Dynatrace's data for the `expand:` examples: a long, arrays and a nested array.
macro_rules! arrays {
    ($agg:literal) => {
        concat!(
            "data record(a = 2), record(a = array(3, 7)), record(a = array(7)), record(a = array(array(1)))\n| summarize ",
            $agg
        )
    };
}

// After the example macros, which it uses.
mod stats;
pub(super) use stats::FUNCTIONS as STATS;

/// The sketch precision of `countDistinct`/`countDistinctApprox`: checked, then not needed
/// (Trailscope counts exactly).
const PRECISION: Param = named_const("precision", Ty::LONG, Def::Long(14)).within(3.0, 16.0);

/// `collectArray`/`collectDistinct`: the longest result, and whether arrays are spread.
const COLLECT: &[Param] = &[
    req("expression", Ty::ANY),
    named_const("maxLength", Ty::LONG, Def::Long(MAX_LENGTH as i64)).within(1.0, MAX_LENGTH as f64),
    named_const("expand", Ty::BOOL, Def::Bool(false)),
];

/// Dynatrace's longest `collectArray`/`collectDistinct` result (and default `maxLength:`).
const MAX_LENGTH: usize = 131_072;

const COUNTING: Aggregate = Aggregate {
    init: |_| State::Count(0),
    update: |s, _| {
        if let State::Count(n) = s {
            *n += 1
        }
    },
    finish: |s, _| match s {
        State::Count(n) => Value::Long(n),
        _ => Value::Null,
    },
    condition: false,
    in_timeseries: true,
    bin: None,
};

const DISTINCT_COUNT: Aggregate = Aggregate {
    init: |_| State::Distinct {
        set: HashSet::new(),
        vals: Vec::new(),
        max: usize::MAX,
        expand: false,
    },
    update: |s, v| {
        if let State::Distinct { set, .. } = s {
            set.insert(GroupKey(first(v).clone()));
        }
    },
    finish: |s, _| match s {
        State::Distinct { set, .. } => Value::Long(set.len() as i64),
        _ => Value::Null,
    },
    condition: false,
    in_timeseries: true,
    bin: None,
};

const SUM_STATE: fn(&[Value]) -> State = |_| State::Sum {
    num: 0.0,
    dur: 0,
    n: 0,
    durations: false,
    mixed: false,
};

const BEST_STATE: fn(&[Value]) -> State = |_| State::Best {
    v: None,
    mixed: false,
    doubles: false,
};

const TAKE: Aggregate = Aggregate {
    init: |_| State::Take(None),
    update: |s, v| {
        if let State::Take(t @ None) = s {
            *t = Some(first(v).clone());
        }
    },
    finish: |s, _| match s {
        State::Take(v) => v.unwrap_or(Value::Null),
        _ => Value::Null,
    },
    condition: false,
    in_timeseries: false,
    bin: None,
};

/// `start()`/`end()`: the executor writes the bins' timestamps; nothing is aggregated.
const BIN: Aggregate = Aggregate {
    init: |_| State::Count(0),
    update: |_, _| {},
    finish: |_, _| Value::Null,
    condition: false,
    in_timeseries: true,
    bin: Some(BinEdge::Start),
};

/// A bin-edge example: two records in the first of two hours.
macro_rules! bins {
    ($agg:literal) => {
        concat!(
            "data record(timestamp = toTimestamp(\"2026-11-20T10:10:00Z\")), record(timestamp = toTimestamp(\"2026-11-20T10:20:00Z\"))\n| makeTimeseries ",
            $agg,
            ", interval: 1h, from: \"2026-11-20T10:00:00Z\", to: \"2026-11-20T12:00:00Z\""
        )
    };
}

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
        params: &[req("expression", Ty::ANY), PRECISION],
        returns: Ty::LONG,
        doc: "The number of distinct non-null values: `countDistinctApprox` (exact here; Dynatrace estimates it; `precision:` 3 to 16 is accepted and not needed).",
        examples: &[
            ex(three!("countDistinct(s)"), r#"{"countDistinct(s)":3}"#),
            ex(three!("n = countDistinct(s, precision: 3)"), r#"{"n":3}"#),
        ],
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
        params: &[req("expression", Ty::ANY), PRECISION],
        returns: Ty::LONG,
        doc: "The number of distinct non-null values: exact here at every `precision:` (3 to 16, default 14), where Dynatrace estimates it with that sketch precision.",
        examples: &[
            ex(
                five!("countDistinctApprox(a), countDistinctApprox(a, precision: 4)"),
                r#"{"countDistinctApprox(a)":4,"countDistinctApprox(a, precision:4)":4}"#,
            ),
            ex(three!("n = countDistinctApprox(s)"), r#"{"n":3}"#),
            ex(three!("n = countDistinctApprox(x, precision: 16)"), r#"{"n":2}"#),
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
            update: |s, v| add(s, first(v)),
            finish: |s, _| mean_or_sum(s, true),
            condition: false,
            in_timeseries: true,
            bin: None,
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
            update: |s, v| add(s, first(v)),
            finish: |s, _| mean_or_sum(s, false),
            condition: false,
            in_timeseries: true,
            bin: None,
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
            update: |s, v| best(s, first(v), false),
            finish: |s, _| best_finish(s),
            condition: false,
            in_timeseries: true,
            bin: None,
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
            update: |s, v| best(s, first(v), true),
            finish: |s, _| best_finish(s),
            condition: false,
            in_timeseries: true,
            bin: None,
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
            update: |s, v| *s = State::Take(Some(first(v).clone())),
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
            update: |s, v| take_if(s, first(v), std::cmp::Ordering::Less),
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
            update: |s, v| take_if(s, first(v), std::cmp::Ordering::Greater),
            ..TAKE
        }),
        ..AGGREGATION
    },
    Function {
        name: "collectDistinct",
        params: COLLECT,
        returns: Ty::ARRAY,
        doc: "The distinct non-null values as an array, in first-seen order, at most `maxLength:` (1 to 131072, the default) of them; `expand: true` collects the elements of arrays (nested ones too) instead of the arrays; null if there are none.",
        examples: &[
            ex(
                five!("collectDistinct(a), collectDistinct(a, maxLength: 3)"),
                r#"{"collectDistinct(a)":[2,3,7,1],"collectDistinct(a, maxLength:3)":[2,3,7]}"#,
            ),
            ex(
                arrays!("collectDistinct(a, expand: false), collectDistinct(a, expand: true)"),
                r#"{"collectDistinct(a, expand:FALSE)":[2,[3,7],[7],[[1]]],"collectDistinct(a, expand:TRUE)":[2,3,7,1]}"#,
            ),
            ex(three!("collectDistinct(x)"), r#"{"collectDistinct(x)":[3,1]}"#),
            ex(
                "data record(a = null), record(a = array())\n| summarize collectDistinct(a, expand: true)",
                r#"{"collectDistinct(a, expand:TRUE)":null}"#,
            ),
        ],
        see: dynatrace_docs!("aggregation-functions#collectDistinct"),
        imp: Agg(Aggregate {
            init: |c| State::Distinct {
                set: HashSet::new(),
                vals: Vec::new(),
                max: max_length(c),
                expand: matches!(c.get(1), Some(Value::Bool(true))),
            },
            update: |s, v| {
                if let State::Distinct {
                    set,
                    vals,
                    max,
                    expand,
                } = s
                {
                    each_value(first(v), *expand, 0, &mut |x| {
                        if vals.len() < *max
                            && crate::exec::budget::charge(2 * std::mem::size_of::<Value>())
                            && set.insert(GroupKey(x.clone()))
                        {
                            vals.push(x.clone());
                        }
                    });
                }
            },
            finish: |s, _| match s {
                State::Distinct { vals, .. } if !vals.is_empty() => Value::Array(vals.into()),
                _ => Value::Null,
            },
            condition: false,
            in_timeseries: false,
            bin: None,
        }),
        ..AGGREGATION
    },
    Function {
        name: "collectArray",
        params: COLLECT,
        returns: Ty::ARRAY,
        doc: "The non-null values as an array, in the current order, at most `maxLength:` (1 to 131072, the default) of them; `expand: true` collects the elements of arrays (nested ones too) instead of the arrays; null if there are none.",
        examples: &[
            ex(
                five!("collectArray(a), collectArray(a, maxLength: 3)"),
                r#"{"collectArray(a)":[2,3,7,7,1],"collectArray(a, maxLength:3)":[2,3,7]}"#,
            ),
            ex(
                arrays!("collectArray(a, expand: false), collectArray(a, expand: true)"),
                r#"{"collectArray(a, expand:FALSE)":[2,[3,7],[7],[[1]]],"collectArray(a, expand:TRUE)":[2,3,7,7,1]}"#,
            ),
            ex(three!("collectArray(s)"), r#"{"collectArray(s)":["b","a","c"]}"#),
            ex(
                "data record(a = array(1, null)), record(a = \"x\")\n| summarize collectArray(a, expand: true)",
                r#"{"collectArray(a, expand:TRUE)":[1,"x"]}"#,
            ),
        ],
        see: dynatrace_docs!("aggregation-functions#collectArray"),
        imp: Agg(Aggregate {
            init: |c| State::Collect {
                vals: Vec::new(),
                max: max_length(c),
                expand: matches!(c.get(1), Some(Value::Bool(true))),
            },
            update: |s, v| {
                if let State::Collect { vals, max, expand } = s {
                    each_value(first(v), *expand, 0, &mut |x| {
                        if vals.len() < *max
                            && crate::exec::budget::charge(std::mem::size_of::<Value>())
                        {
                            vals.push(x.clone())
                        }
                    });
                }
            },
            finish: |s, _| match s {
                State::Collect { vals, .. } if !vals.is_empty() => Value::Array(vals.into()),
                _ => Value::Null,
            },
            condition: false,
            in_timeseries: false,
            bin: None,
        }),
        ..AGGREGATION
    },
    Function {
        name: "start",
        returns: Ty::ARRAY,
        doc: "makeTimeseries only, beside another aggregation: each bin's start timestamp, the same array for every group (it takes no parameters; with the command's `scalar: true` it stays a series).",
        examples: &[ex(
            bins!("count(), start()"),
            r#"{"timeframe":{"start":"2026-11-20T10:00:00Z","end":"2026-11-20T12:00:00Z"},"interval":3600000000000,"count()":[2,null],"start()":["2026-11-20T10:00:00Z","2026-11-20T11:00:00Z"]}"#,
        )],
        see: dynatrace_docs!("aggregation-functions#start"),
        imp: Agg(BIN),
        ..AGGREGATION
    },
    Function {
        name: "end",
        returns: Ty::ARRAY,
        doc: "makeTimeseries only, beside another aggregation: each bin's end timestamp (the next bin's start), as `start()` gives the starts.",
        examples: &[ex(
            bins!("n = count(default: 0), e = end()"),
            r#"{"timeframe":{"start":"2026-11-20T10:00:00Z","end":"2026-11-20T12:00:00Z"},"interval":3600000000000,"n":[2,0],"e":["2026-11-20T11:00:00Z","2026-11-20T12:00:00Z"]}"#,
        )],
        see: dynatrace_docs!("aggregation-functions#end"),
        imp: Agg(Aggregate {
            bin: Some(BinEdge::End),
            ..BIN
        }),
        ..AGGREGATION
    },
];

/// `maxLength:` of `collectArray`/`collectDistinct` (the first constant parameter).
fn max_length(consts: &[Value]) -> usize {
    match consts.first() {
        Some(Value::Long(n)) => usize::try_from(*n).unwrap_or(0).min(MAX_LENGTH),
        _ => MAX_LENGTH,
    }
}

/// Calls `f` with a value, or with the elements of an array when `expand` (and of the arrays
/// in it, and so on); nulls are left out. Past a depth of 64 an array is taken whole.
fn each_value(v: &Value, expand: bool, depth: usize, f: &mut dyn FnMut(&Value)) {
    match v {
        Value::Null => {}
        Value::Array(xs) if expand && depth < 64 => {
            for x in xs.iter() {
                each_value(x, expand, depth + 1, f);
            }
        }
        v => f(v),
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
