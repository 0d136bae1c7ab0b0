//! Statistical aggregations: quantiles (`median`, `percentile`, `percentiles`,
//! `percentileFromSamples`, `percentRank`), moments (`variance`, `stddev`) and `correlation`.
//!
//! Dynatrace estimates quantiles from a histogram; Trailscope keeps the values (they count
//! against the run's memory budget) and answers exactly, by weighted nearest rank: the
//! smallest value whose cumulative weight reaches p% of the total weight. With every weight 1
//! that is the classic nearest rank, the lower middle value of an even count for the median.

use super::super::array_stats::quantiles;
use super::super::{ex, many_const, named, req, req_const, Def, Function, Param, Ty};
use super::{first, Agg, Aggregate, State, AGGREGATION};
use crate::value::{sort_cmp, Value};

/// Values that order and have quantiles.
const QUANTILE_TY: Ty = Ty::BOOL.or(Ty::NUMBER).or(Ty::DURATION).or(Ty::TIMESTAMP);

/// `weight:` of a value: how many records it stands for (per record; see [`weight`]).
const WEIGHT: Param = named("weight", Ty::NUMBER, Def::Long(1));

/// The percentile asked for: a constant from 0 to 100.
const PERCENTILE: Param = req_const("percentile", Ty::NUMBER).within(0.0, 100.0);

/// A record's weight: a null or non-numeric weight counts as the default 1; `None` (the value
/// is left out) for a weight of 0 or less, or one that is not finite.
fn weight(w: Option<&Value>) -> Option<f64> {
    match w.and_then(|w| if w.is_null() { None } else { w.as_f64() }) {
        None => Some(1.0),
        Some(x) if x > 0.0 && x.is_finite() => Some(x),
        Some(_) => None,
    }
}

/// Keeps one weighted value, if the budget has room for it.
fn keep(vals: &mut Vec<(Value, f64)>, v: &Value, w: f64) {
    if crate::exec::budget::charge(std::mem::size_of::<(Value, f64)>()) {
        vals.push((v.clone(), w));
    }
}

/// Values with their weights (`median`, `percentile`, `percentiles`).
const WEIGHTED: Aggregate = Aggregate {
    init: |_| State::Weighted(Vec::new()),
    update: |s, v| {
        if let (State::Weighted(vals), Some(w)) = (s, weight(v.get(1))) {
            keep(vals, first(v), w);
        }
    },
    finish: |s, c| quantile(s, c.first().and_then(Value::as_f64).unwrap_or(50.0)),
    condition: false,
    in_timeseries: true,
    bin: None,
};

/// The value at percentile `p` of a `State::Weighted`.
fn quantile(s: State, p: f64) -> Value {
    match s {
        State::Weighted(vals) => quantiles(vals, &[p])
            .and_then(|mut q| q.pop())
            .unwrap_or(Value::Null),
        _ => Value::Null,
    }
}

const MOMENTS: Aggregate = Aggregate {
    init: |_| State::Moments {
        n: 0.0,
        mean: 0.0,
        m2: 0.0,
        other: false,
    },
    update: |s, v| {
        if let State::Moments { n, mean, m2, other } = s {
            match first(v).as_f64() {
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
    finish: |s, _| variance(s).map_or(Value::Null, Value::Double),
    condition: false,
    // Dynatrace's makeTimeseries does not take stddev or variance.
    in_timeseries: false,
    bin: None,
};

/// Data for the weighted examples: 5 stands for three records, 9 for five.
macro_rules! weighted {
    ($agg:literal) => {
        concat!(
            "data record(a = 1, w = 1), record(a = 5, w = 3), record(a = 9, w = 5)\n| summarize ",
            $agg
        )
    };
}

/// One record per hour for the makeTimeseries examples.
macro_rules! hourly {
    ($agg:literal) => {
        concat!(
            "data record(timestamp = toTimestamp(\"2026-11-20T10:10:00Z\"), v = 1), record(timestamp = toTimestamp(\"2026-11-20T10:20:00Z\"), v = 9), record(timestamp = toTimestamp(\"2026-11-20T11:30:00Z\"), v = 4)\n| makeTimeseries ",
            $agg,
            ", interval: 1h, from: \"2026-11-20T10:00:00Z\", to: \"2026-11-20T12:00:00Z\""
        )
    };
}

pub(in crate::functions) static FUNCTIONS: &[Function] = &[
    Function {
        name: "median",
        params: &[req("expression", QUANTILE_TY), WEIGHT],
        returns: Ty::BOOL.or(Ty::DOUBLE).or(Ty::DURATION).or(Ty::TIMESTAMP),
        doc: "The median of the values, by (weighted) nearest rank: the lower middle value of an even count, exact where Dynatrace estimates from a histogram; `weight:` (per record, default 1; null counts as 1, 0 or less leaves the value out) makes a value count as that many; numbers give a double, durations, timestamps and booleans their type; null for mixed types.",
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
                weighted!("median(a), m = median(a, weight: w)"),
                r#"{"median(a)":5.0,"m":9.0}"#,
            ),
            ex(
                "data record(a = 1), record(a = 5, w = 2)\n| summarize median(a), m = median(a, weight: w)",
                r#"{"median(a)":1.0,"m":5.0}"#,
            ),
            ex(
                "data record(a = 1, w = 3), record(a = 5, w = 0), record(a = 9, w = -1)\n| summarize median(a, weight: w)",
                r#"{"median(a, weight:w)":1.0}"#,
            ),
            ex(
                hourly!("m = median(v)"),
                r#"{"timeframe":{"start":"2026-11-20T10:00:00Z","end":"2026-11-20T12:00:00Z"},"interval":3600000000000,"m":[1.0,4.0]}"#,
            ),
        ],
        see: dynatrace_docs!("aggregation-functions#median"),
        imp: Agg(WEIGHTED),
        ..AGGREGATION
    },
    Function {
        name: "percentile",
        params: &[req("expression", QUANTILE_TY), PERCENTILE, WEIGHT],
        returns: Ty::BOOL.or(Ty::DOUBLE).or(Ty::DURATION).or(Ty::TIMESTAMP),
        doc: "The value at a percentile (a constant from 0 to 100; `percentile(x, 50)` is `median(x)`), by (weighted) nearest rank: the smallest value with at least that share of the values (of the weight) at or below it, exact where Dynatrace estimates; `weight:` as for `median`.",
        examples: &[
            ex(five!("percentile(a, 90)"), r#"{"percentile(a, 90)":7.0}"#),
            ex(
                five!("p0 = percentile(a, 0), p40 = percentile(a, 40), p100 = percentile(a, 100.0)"),
                r#"{"p0":1.0,"p40":2.0,"p100":7.0}"#,
            ),
            ex(
                weighted!("p = percentile(a, 25), pw = percentile(a, 25, weight: w)"),
                r#"{"p":1.0,"pw":5.0}"#,
            ),
            ex(
                "data record(d = 1s), record(d = 3s), record(d = null)\n| summarize percentile(d, 90)",
                r#"{"percentile(d, 90)":3000000000}"#,
            ),
            ex(
                hourly!("p90 = percentile(v, 90)"),
                r#"{"timeframe":{"start":"2026-11-20T10:00:00Z","end":"2026-11-20T12:00:00Z"},"interval":3600000000000,"p90":[9.0,4.0]}"#,
            ),
        ],
        see: dynatrace_docs!("aggregation-functions#percentile"),
        imp: Agg(WEIGHTED),
        ..AGGREGATION
    },
    Function {
        name: "percentiles",
        params: &[
            req("expression", QUANTILE_TY),
            many_const("percentile", Ty::NUMBER, 1).within(0.0, 100.0),
            WEIGHT,
        ],
        returns: Ty::ARRAY,
        doc: "The values at several percentiles (constants from 0 to 100), as an array in the order asked, each as `percentile` gives it; null if there are no values.",
        examples: &[
            ex(
                five!("percentiles(a, 25, 50, 90)"),
                r#"{"percentiles(a, 25, 50, 90)":[2.0,3.0,7.0]}"#,
            ),
            ex(
                weighted!("p = percentiles(a, 50, 0, weight: w)"),
                r#"{"p":[9.0,1.0]}"#,
            ),
            ex(
                "data record(a = null)\n| summarize p = percentiles(a, 50, 99)",
                r#"{"p":null}"#,
            ),
        ],
        see: dynatrace_docs!("aggregation-functions#percentiles"),
        imp: Agg(Aggregate {
            finish: |s, c| match s {
                State::Weighted(vals) => {
                    let ps: Vec<f64> = c.iter().filter_map(Value::as_f64).collect();
                    quantiles(vals, &ps).map_or(Value::Null, |q| Value::Array(q.into()))
                }
                _ => Value::Null,
            },
            // Not in Dynatrace's list of makeTimeseries aggregations (a series of arrays).
            in_timeseries: false,
            ..WEIGHTED
        }),
        ..AGGREGATION
    },
    Function {
        name: "percentRank",
        params: &[
            req("expression", QUANTILE_TY),
            req_const("value", QUANTILE_TY),
        ],
        returns: Ty::DOUBLE,
        doc: "The share (0.0 to 1.0) of the values that are strictly below the given constant value; null if there are none or one does not compare with it (numbers compare with numbers, durations with durations, and so on).",
        examples: &[
            ex(five!("percentRank(a, 5)"), r#"{"percentRank(a, 5)":0.6}"#),
            ex(
                five!("low = percentRank(a, 1), high = percentRank(a, 7.5)"),
                r#"{"low":0.0,"high":1.0}"#,
            ),
            ex(
                "data record(d = 1s), record(d = 2s), record(d = \"3s\")\n| summarize percentRank(d, 2s)",
                r#"{"percentRank(d, 2s)":null}"#,
            ),
            ex(
                hourly!("r = percentRank(v, 5)"),
                r#"{"timeframe":{"start":"2026-11-20T10:00:00Z","end":"2026-11-20T12:00:00Z"},"interval":3600000000000,"r":[0.5,1.0]}"#,
            ),
        ],
        see: dynatrace_docs!("aggregation-functions#percentRank"),
        imp: Agg(Aggregate {
            init: |c| State::Rank {
                value: c.first().cloned().unwrap_or(Value::Null),
                below: 0,
                n: 0,
                other: false,
            },
            update: |s, v| {
                if let State::Rank {
                    value,
                    below,
                    n,
                    other,
                } = s
                {
                    let x = first(v);
                    if rank_class(x) == 0 || rank_class(x) != rank_class(value) {
                        *other = true;
                        return;
                    }
                    *n += 1;
                    if sort_cmp(x, value).is_lt() {
                        *below += 1;
                    }
                }
            },
            finish: |s, _| match s {
                State::Rank {
                    below,
                    n,
                    other: false,
                    ..
                } if n > 0 => Value::Double(below as f64 / n as f64),
                _ => Value::Null,
            },
            condition: false,
            in_timeseries: true,
            bin: None,
        }),
        ..AGGREGATION
    },
    Function {
        name: "percentileFromSamples",
        params: &[
            req("expression", Ty::ARRAY),
            PERCENTILE,
            named("originalCount", Ty::NUMBER, Def::Null),
        ],
        returns: Ty::BOOL.or(Ty::DOUBLE).or(Ty::DURATION).or(Ty::TIMESTAMP),
        doc: "The value at a percentile of the elements of arrays of samples, as `percentile` gives it; with `originalCount:` (per record) a record's samples stand for that many values, each weighing originalCount / number of samples (null: each weighs 1; 0 or less: the record is left out); a value that is not an array is left out.",
        examples: &[
            ex(
                "data record(samples = array(1, 2, 3, 4)), record(samples = array(10, 20), n = 6)\n| summarize p = percentileFromSamples(samples, 50), pw = percentileFromSamples(samples, 50, originalCount: n)",
                r#"{"p":3.0,"pw":10.0}"#,
            ),
            ex(
                "data record(samples = array(1s, null, 5s)), record(samples = 7s)\n| summarize percentileFromSamples(samples, 100)",
                r#"{"percentileFromSamples(samples, 100)":5000000000}"#,
            ),
        ],
        see: dynatrace_docs!("aggregation-functions#percentileFromSamples"),
        imp: Agg(Aggregate {
            update: |s, v| {
                let (State::Weighted(vals), Value::Array(xs)) = (s, first(v)) else {
                    return;
                };
                let k = xs.iter().filter(|x| !x.is_null()).count();
                let w = match v.get(1).filter(|c| !c.is_null()) {
                    None => Some(1.0),
                    Some(c) => weight(Some(c)).map(|c| c / k.max(1) as f64),
                };
                if let Some(w) = w {
                    for x in xs.iter().filter(|x| !x.is_null()) {
                        keep(vals, x, w);
                    }
                }
            },
            ..WEIGHTED
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
            finish: |s, _| variance(s).map_or(Value::Null, |v| Value::Double(v.sqrt())),
            ..MOMENTS
        }),
        ..AGGREGATION
    },
    Function {
        name: "correlation",
        params: &[
            req("expression1", Ty::NUMBER),
            req("expression2", Ty::NUMBER),
        ],
        returns: Ty::DOUBLE,
        doc: "The Pearson correlation coefficient (-1.0 to 1.0) of two numeric expressions over the records where both are not null; null with fewer than two such records, when either is constant, or when a value is not a number.",
        examples: &[
            ex(
                "data record(a = 2, b = 14.55), record(a = 3, b = -6.13), record(a = 7, b = -77.2), record(a = 7, b = 99.99), record(a = 1, b = -6.13)\n| summarize correlation(a, b)",
                r#"{"correlation(a, b)":0.0888198383111404}"#,
            ),
            ex(
                "data record(x = 1, y = 2), record(x = 2, y = 4), record(x = 3), record(y = 5), record(x = 4, y = 8)\n| summarize r = correlation(x, y), inverse = correlation(x, -y)",
                r#"{"r":1.0,"inverse":-1.0}"#,
            ),
            ex(
                "data record(a = 1, b = 2), record(a = 1, b = 3)\n| summarize correlation(a, b)",
                r#"{"correlation(a, b)":null}"#,
            ),
        ],
        see: dynatrace_docs!("aggregation-functions#correlation"),
        imp: Agg(Aggregate {
            init: |_| State::Comoments {
                n: 0.0,
                mean_x: 0.0,
                mean_y: 0.0,
                c: 0.0,
                m2x: 0.0,
                m2y: 0.0,
                other: false,
            },
            update: |s, v| {
                let State::Comoments {
                    n,
                    mean_x,
                    mean_y,
                    c,
                    m2x,
                    m2y,
                    other,
                } = s
                else {
                    return;
                };
                let y = v.get(1).unwrap_or(&Value::Null);
                if y.is_null() {
                    return;
                }
                let (Some(x), Some(y)) = (first(v).as_f64(), y.as_f64()) else {
                    *other = true;
                    return;
                };
                *n += 1.0;
                let dx = x - *mean_x;
                let dy = y - *mean_y;
                *mean_x += dx / *n;
                *mean_y += dy / *n;
                *c += dx * (y - *mean_y);
                *m2x += dx * (x - *mean_x);
                *m2y += dy * (y - *mean_y);
            },
            finish: |s, _| match s {
                State::Comoments {
                    n,
                    c,
                    m2x,
                    m2y,
                    other: false,
                    ..
                } if n >= 2.0 && m2x > 0.0 && m2y > 0.0 => {
                    Value::Double((c / (m2x * m2y).sqrt()).clamp(-1.0, 1.0))
                }
                _ => Value::Null,
            },
            condition: false,
            in_timeseries: false,
            bin: None,
        }),
        ..AGGREGATION
    },
];

/// What `percentRank` compares: numbers with numbers, durations with durations, timestamps
/// with timestamps, booleans with booleans (0: nothing).
fn rank_class(v: &Value) -> u8 {
    match v {
        Value::Long(_) | Value::Double(_) => 1,
        Value::Duration(_) => 2,
        Value::Timestamp(_) => 3,
        Value::Bool(_) => 4,
        _ => 0,
    }
}

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
