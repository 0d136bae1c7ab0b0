//! Array functions that compute over the elements in order: running sums, differences, moving
//! windows, and the median and percentiles of an array (shared with the `median` aggregation).
//! Sums and windows take numbers only: any element of another type (the text "3") makes the
//! result null, as Dynatrace's examples show; null elements are skipped.
//! Reference: <https://docs.dynatrace.com/docs/platform/grail/dynatrace-query-language/functions/array-functions>.

use std::cmp::Ordering;
use std::sync::OnceLock;

use super::Imp::Scalar;
use super::{at, ex, new_array, operator, req, Ctx, Family, FnRef, Function, Ty};
use crate::value::{dql_cmp, Value};

const ARRAY: Function = Function {
    family: Family::Array,
    params: &[req("array", Ty::ARRAY)],
    returns: Ty::ARRAY,
    ..Function::BASE
};

const WINDOWED: &[super::Param] = &[req("array", Ty::ARRAY), req("windowSize", Ty::LONG)];

/// Dynatrace's three arrays for the running and moving functions.
macro_rules! three {
    ($call:literal) => {
        concat!(
            "data record(a = array(2, 3, 7, 7, 1)), record(a = array(2, null, 7, null, 1)), record(a = array(2, \"3\", 7, 7, 1))\n| fields r = ",
            $call
        )
    };
}

/// The widest moving window Dynatrace allows.
const MAX_WINDOW: i64 = 60;

/// The quantile types the median and percentiles are taken of.
const QUANTILE_TYPES: Ty = Ty::BOOL.or(Ty::DOUBLE).or(Ty::DURATION).or(Ty::TIMESTAMP);

pub(super) static FUNCTIONS: &[Function] = &[
    Function {
        name: "arrayCumulativeSum",
        doc: "The running totals of the numbers: each element is the sum of it and all before it (a null element repeats the total so far).",
        examples: &[
            ex(
                three!("arrayCumulativeSum(a)"),
                "{\"r\":[2,5,12,19,20]}\n{\"r\":[2,2,9,9,10]}\n{\"r\":null}",
            ),
            ex("arrayCumulativeSum(array(1, 2.5, null))", "[1,3.5,3.5]"),
            ex("arrayCumulativeSum(array(null, 1))", "[null,1]"),
            ex("arrayCumulativeSum(array())", "[]"),
        ],
        see: dynatrace_docs!("array-functions#arrayCumulativeSum"),
        imp: Scalar(|a, ctx| {
            let Some(xs) = numbers(at(a, 0)) else {
                return Value::Null;
            };
            let plus = op(&PLUS, "+");
            let mut total = Value::Null;
            new_array(xs.len(), || {
                xs.iter()
                    .map(|x| {
                        if !x.is_null() {
                            total = if total.is_null() {
                                x.clone()
                            } else {
                                plus.apply(&[total.clone(), x.clone()], ctx)
                            };
                        }
                        total.clone()
                    })
                    .collect()
            })
        }),
        ..ARRAY
    },
    Function {
        name: "arrayDelta",
        doc: "The increase of each number over the last non-null one before it, 0 where it decreased (a counter's reset); null first and at null elements.",
        examples: &[
            ex("arrayDelta(array(2, 3, 7, 7, 1))", "[null,1,4,0,0]"),
            ex("arrayDelta(array(2, null, 5, 1.5, 4))", "[null,null,3,0.0,2.5]"),
            ex(r#"arrayDelta(array(2, "3"))"#, "null"),
        ],
        see: dynatrace_docs!("array-functions#arrayDelta"),
        imp: Scalar(|a, ctx| {
            let Some(xs) = numbers(at(a, 0)) else {
                return Value::Null;
            };
            let minus = op(&MINUS, "-");
            let mut last: Option<&Value> = None;
            new_array(xs.len(), || {
                xs.iter()
                    .map(|x| {
                        if x.is_null() {
                            return Value::Null;
                        }
                        let d = match last {
                            Some(prev) => match minus.apply(&[x.clone(), prev.clone()], ctx) {
                                Value::Long(d) if d < 0 => Value::Long(0),
                                Value::Double(d) if d < 0.0 => Value::Double(0.0),
                                d => d,
                            },
                            None => Value::Null,
                        };
                        last = Some(x);
                        d
                    })
                    .collect()
            })
        }),
        ..ARRAY
    },
    Function {
        name: "arrayDiff",
        doc: "Each element minus the one before it, with the `-` operator (numbers, timestamps, durations): null first, where either is null and where the types do not subtract.",
        examples: &[
            ex("arrayDiff(array(2, 3, 7, 7, 1))", "[null,1,4,0,-6]"),
            ex("arrayDiff(array(5, null, 2, 4, -1))", "[null,null,null,2,-5]"),
            ex(
                r#"arrayDiff(array(toTimestamp("2026-11-20T12:00:00Z"), toTimestamp("2026-11-20T13:00:00Z")))"#,
                "[null,3600000000000]",
            ),
            ex(
                r#"arrayDiff(array(2, 1h, toTimestamp("2026-11-20T12:00:00Z"), "x"))"#,
                r#"[null,null,"2026-11-20T11:00:00Z",null]"#,
            ),
        ],
        see: dynatrace_docs!("array-functions#arrayDiff"),
        imp: Scalar(|a, ctx| {
            let Value::Array(xs) = at(a, 0) else {
                return Value::Null;
            };
            let minus = op(&MINUS, "-");
            new_array(xs.len(), || {
                (0..xs.len())
                    .map(|i| match i {
                        0 => Value::Null,
                        i => minus.apply(&[xs[i].clone(), xs[i - 1].clone()], ctx),
                    })
                    .collect()
            })
        }),
        ..ARRAY
    },
    Function {
        name: "arrayMovingAvg",
        params: WINDOWED,
        doc: "The mean of each element and those before it within the window (at most 60 elements, null for a larger or non-positive window), as doubles; nulls are skipped.",
        examples: &[
            ex(
                three!("arrayMovingAvg(a, 2)"),
                "{\"r\":[2.0,2.5,5.0,7.0,4.0]}\n{\"r\":[2.0,2.0,7.0,7.0,1.0]}\n{\"r\":null}",
            ),
            ex("arrayMovingAvg(array(2, null, 7, null, 1), 6)", "[2.0,2.0,4.5,4.5,3.3333333333333335]"),
            ex("arrayMovingAvg(array(null, 1), 1)", "[null,1.0]"),
            ex("arrayMovingAvg(array(1, 2), 61)", "null"),
        ],
        see: dynatrace_docs!("array-functions#arrayMovingAvg"),
        imp: Scalar(|a, ctx| moving(a, ctx, Window::Avg)),
        ..ARRAY
    },
    Function {
        name: "arrayMovingMax",
        params: WINDOWED,
        doc: "The largest of each element and those before it within the window (at most 60).",
        examples: &[
            ex(
                three!("arrayMovingMax(a, 2)"),
                "{\"r\":[2,3,7,7,7]}\n{\"r\":[2,2,7,7,1]}\n{\"r\":null}",
            ),
            ex("arrayMovingMax(array(2, null, 7, null, 1), 6)", "[2,2,7,7,7]"),
            ex("arrayMovingMax(array(1, 2.5), 2)", "[1,2.5]"),
        ],
        see: dynatrace_docs!("array-functions#arrayMovingMax"),
        imp: Scalar(|a, ctx| moving(a, ctx, Window::Max)),
        ..ARRAY
    },
    Function {
        name: "arrayMovingMin",
        params: WINDOWED,
        doc: "The smallest of each element and those before it within the window (at most 60).",
        examples: &[
            ex(
                three!("arrayMovingMin(a, 2)"),
                "{\"r\":[2,2,3,7,1]}\n{\"r\":[2,2,7,7,1]}\n{\"r\":null}",
            ),
            ex("arrayMovingMin(array(2, null, 7, null, 1), 6)", "[2,2,2,2,1]"),
            ex("arrayMovingMin(array(2, 3), 0)", "null"),
        ],
        see: dynatrace_docs!("array-functions#arrayMovingMin"),
        imp: Scalar(|a, ctx| moving(a, ctx, Window::Min)),
        ..ARRAY
    },
    Function {
        name: "arrayMovingSum",
        params: WINDOWED,
        doc: "The sum of each element and those before it within the window (at most 60).",
        examples: &[
            ex(
                three!("arrayMovingSum(a, 2)"),
                "{\"r\":[2,5,10,14,8]}\n{\"r\":[2,2,7,7,1]}\n{\"r\":null}",
            ),
            ex("arrayMovingSum(array(2, 3, 7, 7, 1), 6)", "[2,5,12,19,20]"),
            ex("arrayMovingSum(array(0.5, 1), 2)", "[0.5,1.5]"),
        ],
        see: dynatrace_docs!("array-functions#arrayMovingSum"),
        imp: Scalar(|a, ctx| moving(a, ctx, Window::Sum)),
        ..ARRAY
    },
    Function {
        name: "arrayMedian",
        params: &[req("expression", Ty::ARRAY)],
        returns: QUANTILE_TYPES,
        doc: "The median of the elements: as `arrayPercentile(a, 50)`.",
        examples: &[
            ex("arrayMedian(array(2, 3, 7, 7, 1))", "3.0"),
            ex("arrayMedian(array(4, 1, 3, 2))", "2.0"),
            ex("arrayMedian(array(5m, null, 1m, 2m))", "120000000000"),
            ex(r#"arrayMedian(array(1, "2"))"#, "null"),
            ex("arrayMedian(array(null))", "null"),
        ],
        see: dynatrace_docs!("array-functions#arrayMedian"),
        imp: Scalar(|a, _| match at(a, 0) {
            Value::Array(xs) => percentile(xs.iter().filter(|x| !x.is_null()).cloned().collect(), 50.0),
            _ => Value::Null,
        }),
        ..ARRAY
    },
    Function {
        name: "arrayPercentile",
        params: &[req("expression", Ty::ARRAY), req("percentile", Ty::NUMBER)],
        returns: QUANTILE_TYPES,
        doc: "The element at the percentile (0 to 100) of the non-null elements, by nearest rank: exact where Dynatrace estimates from a histogram; numbers give a double, durations, timestamps and booleans their type; null for mixed types.",
        examples: &[
            ex("arrayPercentile(array(2, 3, 7, 7, 1), 90)", "7.0"),
            ex("arrayPercentile(array(2, 3, 7, 7, 1), 0)", "1.0"),
            ex("arrayPercentile(array(2, 3, 7, 7, 1), 40)", "2.0"),
            ex("arrayPercentile(array(true, false, false), 50)", "false"),
            ex("arrayPercentile(array(1, 2), 101)", "null"),
        ],
        see: dynatrace_docs!("array-functions#arrayPercentile"),
        imp: Scalar(|a, _| match (at(a, 0), at(a, 1).as_f64()) {
            (Value::Array(xs), Some(p)) => {
                percentile(xs.iter().filter(|x| !x.is_null()).cloned().collect(), p)
            }
            _ => Value::Null,
        }),
        ..ARRAY
    },
];

static PLUS: OnceLock<FnRef> = OnceLock::new();
static MINUS: OnceLock<FnRef> = OnceLock::new();

/// An operator's declaration, looked up once: sums and differences are DQL's `+` and `-`
/// (long overflow is null, a long and a double give a double, timestamps and durations mix).
fn op(cell: &'static OnceLock<FnRef>, symbol: &str) -> FnRef {
    cell.get_or_init(|| operator(symbol))
}

/// The elements of an array of numbers (and nulls); None for anything else.
fn numbers(v: &Value) -> Option<&[Value]> {
    match v {
        Value::Array(xs)
            if xs
                .iter()
                .all(|x| matches!(x, Value::Null | Value::Long(_) | Value::Double(_))) =>
        {
            Some(xs)
        }
        _ => None,
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Window {
    Avg,
    Max,
    Min,
    Sum,
}

/// `arrayMovingX(a, n)`: element i from the non-null elements among i-n+1 … i.
fn moving(a: &[Value], ctx: &Ctx, kind: Window) -> Value {
    let (Some(xs), Value::Long(n)) = (numbers(at(a, 0)), at(a, 1)) else {
        return Value::Null;
    };
    if !(1..=MAX_WINDOW).contains(n) {
        return Value::Null;
    }
    let plus = op(&PLUS, "+");
    new_array(xs.len(), || {
        (0..xs.len())
            .map(|i| {
                let window = &xs[(i + 1).saturating_sub(*n as usize)..=i];
                let mut vals = window.iter().filter(|x| !x.is_null());
                let first = vals.next().cloned().unwrap_or(Value::Null);
                let mut count = 1;
                let r = vals.fold(first, |acc, x| {
                    count += 1;
                    match kind {
                        Window::Avg | Window::Sum => plus.apply(&[acc, x.clone()], ctx),
                        Window::Max if dql_cmp(x, &acc) == Some(Ordering::Greater) => x.clone(),
                        Window::Min if dql_cmp(x, &acc) == Some(Ordering::Less) => x.clone(),
                        _ => acc,
                    }
                });
                match (kind, r.as_f64()) {
                    (Window::Avg, Some(sum)) => Value::Double(sum / f64::from(count)),
                    (Window::Avg, None) => Value::Null,
                    _ => r,
                }
            })
            .collect()
    })
}

/// The value at percentile `p` (0 to 100) of non-null values by nearest rank: the smallest
/// value with at least p% of the values at or below it (the lowest value for 0). Numbers give
/// a double; durations, timestamps and booleans keep their type. Null when there are no
/// values, they are of several types or of another type, or `p` is outside 0 to 100.
pub(super) fn percentile(vals: Vec<Value>, p: f64) -> Value {
    let weighted = vals.into_iter().map(|v| (v, 1.0)).collect();
    quantiles(weighted, &[p]).map_or(Value::Null, |mut q| q.pop().unwrap_or(Value::Null))
}

/// The values at the percentiles `ps` of weighted values, by weighted nearest rank: for each
/// p the smallest value whose cumulative weight reaches p% of the total (with every weight 1
/// this is [`percentile`]). Weights are positive. `None` when there are no values or they are
/// not all of one quantile type; a `p` outside 0 to 100 gives null in its place.
pub(super) fn quantiles(mut vals: Vec<(Value, f64)>, ps: &[f64]) -> Option<Vec<Value>> {
    let class = |v: &Value| match v {
        Value::Long(_) | Value::Double(_) => 1,
        Value::Duration(_) => 2,
        Value::Timestamp(_) => 3,
        Value::Bool(_) => 4,
        _ => 0,
    };
    let c = class(&vals.first()?.0);
    if c == 0 || vals.iter().any(|(v, _)| class(v) != c) {
        return None;
    }
    vals.sort_by(|a, b| crate::value::sort_cmp(&a.0, &b.0));
    let total: f64 = vals.iter().map(|(_, w)| w).sum();
    let cumulative: Vec<f64> = vals
        .iter()
        .scan(0.0, |acc, (_, w)| {
            *acc += w;
            Some(*acc)
        })
        .collect();
    Some(
        ps.iter()
            .map(|&p| {
                if !(0.0..=100.0).contains(&p) {
                    return Value::Null;
                }
                // p × total / 100 first: exact for whole numbers (90 × 10 / 100 is 9, while
                // 0.9 × 10 is not).
                let target = p * total / 100.0 - total * 1e-12;
                let i = cumulative
                    .partition_point(|&c| c < target)
                    .min(vals.len() - 1);
                match &vals[i].0 {
                    v @ (Value::Long(_) | Value::Double(_)) => {
                        v.as_f64().map_or(Value::Null, Value::Double)
                    }
                    v => v.clone(),
                }
            })
            .collect(),
    )
}
