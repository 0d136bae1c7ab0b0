//! Array functions, and the creation of arrays and records.
//! Reference: <https://docs.dynatrace.com/docs/platform/grail/dynatrace-query-language/functions/array-functions>.

use super::Imp::{Record, Scalar};
use super::{at, ex, many, named, new_array, new_str, req, Def, Family, Function, Ty};
use crate::value::{same, sort_cmp, Value};

const ARRAY: Function = Function {
    family: Family::Array,
    ..Function::BASE
};

const ONE_ARRAY: &[super::Param] = &[req("array", Ty::ARRAY)];

pub(super) static FUNCTIONS: &[Function] = &[
    Function {
        name: "arrayAvg",
        params: ONE_ARRAY,
        returns: Ty::DOUBLE,
        doc: "The mean of the numeric elements (0 if there are none).",
        examples: &[
            ex("arrayAvg(array(2, 3, 7, 7, 1))", "4.0"),
            ex("arrayAvg(array(1, null, 4))", "2.5"),
            ex("arrayAvg(array(null))", "0.0"),
        ],
        see: dynatrace_docs!("array-functions#arrayAvg"),
        imp: Scalar(|a, _| sum_avg(at(a, 0), false)),
        ..ARRAY
    },
    Function {
        name: "arraySum",
        params: ONE_ARRAY,
        returns: Ty::DOUBLE,
        doc: "The sum of the numeric elements (0 if there are none).",
        examples: &[
            ex("arraySum(array(2, 3, 7, 7, 1))", "20.0"),
            ex("arraySum(array(1, null, 0.5))", "1.5"),
        ],
        see: dynatrace_docs!("array-functions#arraySum"),
        imp: Scalar(|a, _| sum_avg(at(a, 0), true)),
        ..ARRAY
    },
    Function {
        name: "arrayMin",
        params: ONE_ARRAY,
        returns: Ty::ANY,
        doc: "The smallest non-null element (null if there is none).",
        examples: &[
            ex("arrayMin(array(2, 3, 7, 7, 1))", "1"),
            ex("arrayMin(array(3, null, 1))", "1"),
            ex("arrayMin(array(null))", "null"),
        ],
        see: dynatrace_docs!("array-functions#arrayMin"),
        imp: Scalar(|a, _| extreme(at(a, 0), false)),
        ..ARRAY
    },
    Function {
        name: "arrayMax",
        params: ONE_ARRAY,
        returns: Ty::ANY,
        doc: "The largest non-null element (null if there is none).",
        examples: &[
            ex("arrayMax(array(2, 3, 7, 7, 1))", "7"),
            ex("arrayMax(array(1, null, 7))", "7"),
        ],
        see: dynatrace_docs!("array-functions#arrayMax"),
        imp: Scalar(|a, _| extreme(at(a, 0), true)),
        ..ARRAY
    },
    Function {
        name: "arraySize",
        params: ONE_ARRAY,
        returns: Ty::LONG,
        doc: "The number of elements, nulls included.",
        examples: &[
            ex("arraySize(array(2, 3, 7, 7, 1))", "5"),
            ex("arraySize(array(null, 2))", "2"),
        ],
        see: dynatrace_docs!("array-functions#arraySize"),
        imp: Scalar(|a, _| match at(a, 0) {
            Value::Array(xs) => Value::Long(xs.len() as i64),
            _ => Value::Null,
        }),
        ..ARRAY
    },
    Function {
        name: "arrayFirst",
        params: ONE_ARRAY,
        returns: Ty::ANY,
        doc: "The first non-null element (`a[0]` gives the first element, null or not).",
        examples: &[
            ex("arrayFirst(array(2, 3, 7, 7, 1))", "2"),
            ex("arrayFirst(array(null, 2, 3))", "2"),
        ],
        see: dynatrace_docs!("array-functions#arrayFirst"),
        imp: Scalar(|a, _| match at(a, 0) {
            Value::Array(xs) => xs.iter().find(|v| !v.is_null()).cloned().unwrap_or(Value::Null),
            _ => Value::Null,
        }),
        ..ARRAY
    },
    Function {
        name: "arrayLast",
        params: ONE_ARRAY,
        returns: Ty::ANY,
        doc: "The last non-null element.",
        examples: &[
            ex("arrayLast(array(2, 3, 7, 7, 1))", "1"),
            ex("arrayLast(array(1, 2, null))", "2"),
        ],
        see: dynatrace_docs!("array-functions#arrayLast"),
        imp: Scalar(|a, _| match at(a, 0) {
            Value::Array(xs) => xs
                .iter()
                .rev()
                .find(|v| !v.is_null())
                .cloned()
                .unwrap_or(Value::Null),
            _ => Value::Null,
        }),
        ..ARRAY
    },
    Function {
        name: "arrayDistinct",
        params: ONE_ARRAY,
        returns: Ty::ARRAY,
        doc: "The distinct elements, sorted.",
        examples: &[ex("arrayDistinct(array(2, 3, 7, 7, 1))", "[1,2,3,7]")],
        see: dynatrace_docs!("array-functions#arrayDistinct"),
        imp: Scalar(|a, _| match at(a, 0) {
            Value::Array(xs) => new_array(xs.len(), || {
                let mut v: Vec<Value> = xs.to_vec();
                v.sort_by(sort_cmp);
                v.dedup_by(|x, y| same(x, y));
                v
            }),
            _ => Value::Null,
        }),
        ..ARRAY
    },
    Function {
        name: "arraySort",
        params: &[
            req("array", Ty::ARRAY),
            named("direction", Ty::STRING, Def::Str("ascending")),
        ],
        returns: Ty::ARRAY,
        doc: "The elements sorted (`direction: \"descending\"` reverses), nulls last.",
        examples: &[
            ex("arraySort(array(2, 3, 7, 7, 1))", "[1,2,3,7,7]"),
            ex(r#"arraySort(array(2, 3, 7, 7, 1), direction: "descending")"#, "[7,7,3,2,1]"),
            ex(r#"arraySort(array(3, null, 1), direction: "descending")"#, "[3,1,null]"),
        ],
        see: dynatrace_docs!("array-functions#arraySort"),
        imp: Scalar(|a, _| match at(a, 0) {
            Value::Array(xs) => new_array(xs.len(), || {
                let mut v: Vec<Value> = xs.to_vec();
                v.sort_by(sort_cmp);
                if at(a, 1).as_str() == Some("descending") {
                    // Nulls stay last.
                    let nulls = v.iter().filter(|x| x.is_null()).count();
                    let k = v.len() - nulls;
                    v[..k].reverse();
                }
                v
            }),
            _ => Value::Null,
        }),
        ..ARRAY
    },
    Function {
        name: "arrayElement",
        params: &[req("expression", Ty::ARRAY), req("index", Ty::LONG)],
        returns: Ty::ANY,
        doc: "The element at an index; a negative index counts from the end; null outside the array.",
        examples: &[
            ex("arrayElement(array(0, 1, 2, 3, 4, 5, 6), 2)", "2"),
            ex(r#"arrayElement(array("foo", "bar"), 2)"#, "null"),
            ex(r#"arrayElement(array("foo", "bar"), -1)"#, r#""bar""#),
            ex(r#"arrayElement(expression: array("foo", "bar"), index: 0)"#, r#""foo""#),
        ],
        see: dynatrace_docs!("array-functions#arrayElement"),
        imp: Scalar(|a, _| match (at(a, 0), at(a, 1)) {
            (Value::Array(xs), Value::Long(i)) => {
                let idx = if *i < 0 { xs.len() as i64 + i } else { *i };
                if idx < 0 {
                    Value::Null
                } else {
                    xs.get(idx as usize).cloned().unwrap_or(Value::Null)
                }
            }
            _ => Value::Null,
        }),
        ..ARRAY
    },
    Function {
        name: "arrayConcat",
        params: &[many("array", Ty::ARRAY, 1)],
        returns: Ty::ARRAY,
        doc: "The arrays joined into one; values that are not arrays are skipped (null if none is an array).",
        examples: &[
            ex(
                r#"arrayConcat(array(2, 3, 7, 7, 1), array("hello", "world"), array(null, 13))"#,
                r#"[2,3,7,7,1,"hello","world",null,13]"#,
            ),
            ex("arrayConcat(null, 5)", "null"),
        ],
        see: dynatrace_docs!("array-functions#arrayConcat"),
        imp: Scalar(|a, _| {
            let arrays: Vec<&[Value]> = a
                .iter()
                .filter_map(|v| match v {
                    Value::Array(xs) => Some(&xs[..]),
                    _ => None,
                })
                .collect();
            if arrays.is_empty() {
                return Value::Null;
            }
            new_array(arrays.iter().map(|x| x.len()).sum(), || arrays.concat())
        }),
        ..ARRAY
    },
    Function {
        name: "arrayRemoveNulls",
        params: ONE_ARRAY,
        returns: Ty::ARRAY,
        doc: "The array without its null elements.",
        examples: &[ex("arrayRemoveNulls(array(2, 3, null, 7, 7, 1))", "[2,3,7,7,1]")],
        see: dynatrace_docs!("array-functions#arrayRemoveNulls"),
        imp: Scalar(|a, _| match at(a, 0) {
            Value::Array(xs) => new_array(xs.len(), || {
                xs.iter().filter(|v| !v.is_null()).cloned().collect()
            }),
            _ => Value::Null,
        }),
        ..ARRAY
    },
    Function {
        name: "arrayReverse",
        params: ONE_ARRAY,
        returns: Ty::ARRAY,
        doc: "The array in reverse order.",
        examples: &[ex("arrayReverse(array(2, 3, 7, 7, 1))", "[1,7,7,3,2]")],
        see: dynatrace_docs!("array-functions#arrayReverse"),
        imp: Scalar(|a, _| match at(a, 0) {
            Value::Array(xs) => new_array(xs.len(), || xs.iter().rev().cloned().collect()),
            _ => Value::Null,
        }),
        ..ARRAY
    },
    Function {
        name: "arrayToString",
        params: &[
            req("array", Ty::ARRAY),
            named("delimiter", Ty::STRING, Def::Str("")),
        ],
        returns: Ty::STRING,
        doc: "The elements as text joined with `delimiter:` (nulls written as `null`).",
        examples: &[
            ex("arrayToString(array(1, 2, 3))", r#""123""#),
            ex(r#"arrayToString(array("D", "Q", "L"), delimiter: ", ")"#, r#""D, Q, L""#),
            ex(r#"arrayToString(array("a", null, 1), delimiter: ",")"#, r#""a,null,1""#),
        ],
        see: dynatrace_docs!("array-functions#arrayToString"),
        imp: Scalar(|a, _| match at(a, 0) {
            Value::Array(xs) => {
                let d = at(a, 1).as_str().unwrap_or("");
                let len = xs.iter().map(crate::exec::budget::size_of).sum::<usize>()
                    + d.len() * xs.len();
                new_str(len, || {
                    let parts: Vec<String> = xs
                        .iter()
                        .map(|v| v.to_dql_string().unwrap_or_else(|| "null".into()))
                        .collect();
                    parts.join(d)
                })
            }
            _ => Value::Null,
        }),
        ..ARRAY
    },
    Function {
        name: "arrayFlatten",
        params: ONE_ARRAY,
        returns: Ty::ARRAY,
        doc: "The elements of nested arrays in place of those arrays, one level deep; other elements, nulls included, stay.",
        examples: &[
            ex("arrayFlatten(array(array(2, 3), array(7, 7, 1)))", "[2,3,7,7,1]"),
            ex("arrayFlatten(array(2, 3, 7, 7, 1))", "[2,3,7,7,1]"),
            ex(
                r#"arrayFlatten(array(array(2, 3, null), array(record(a = 7), "7", 1)))"#,
                r#"[2,3,null,{"a":7},"7",1]"#,
            ),
            ex("arrayFlatten(array(array(array(1)), 2))", "[[1],2]"),
            ex("arrayFlatten(array())", "[]"),
        ],
        see: dynatrace_docs!("array-functions#arrayFlatten"),
        imp: Scalar(|a, _| match at(a, 0) {
            Value::Array(xs) => {
                let n = xs
                    .iter()
                    .map(|x| match x {
                        Value::Array(inner) => inner.len(),
                        _ => 1,
                    })
                    .sum();
                new_array(n, || {
                    let mut out = Vec::with_capacity(n);
                    for x in xs.iter() {
                        match x {
                            Value::Array(inner) => out.extend(inner.iter().cloned()),
                            x => out.push(x.clone()),
                        }
                    }
                    out
                })
            }
            _ => Value::Null,
        }),
        ..ARRAY
    },
    Function {
        name: "arrayIndexOf",
        params: &[req("array", Ty::ARRAY), req("value", Ty::ANY)],
        returns: Ty::LONG,
        doc: "The index of the first element equal to the value (1 equals 1.0), or -1; a null value is never found, as with `in`.",
        examples: &[
            ex("arrayIndexOf(array(2, 3, 7, 7, 1), 2)", "0"),
            ex("arrayIndexOf(array(2, 3, 7, 7, 1), 7)", "2"),
            ex("arrayIndexOf(array(2, 3, 7, 7, 1), 11)", "-1"),
            ex("arrayIndexOf(array(1.0, null), 1)", "0"),
            ex("arrayIndexOf(array(1, null), null)", "-1"),
        ],
        see: dynatrace_docs!("array-functions#arrayIndexOf"),
        imp: Scalar(|a, _| index_of(a, false)),
        ..ARRAY
    },
    Function {
        name: "arrayLastIndexOf",
        params: &[req("array", Ty::ARRAY), req("value", Ty::ANY)],
        returns: Ty::LONG,
        doc: "The index of the last element equal to the value, or -1.",
        examples: &[
            ex("arrayLastIndexOf(array(2, 3, 7, 7, 1), 2)", "0"),
            ex("arrayLastIndexOf(array(2, 3, 7, 7, 1), 7)", "3"),
            ex("arrayLastIndexOf(array(2, 3, 7, 7, 1), 11)", "-1"),
            ex(r#"arrayLastIndexOf(array("a", "b", "a"), "a")"#, "2"),
        ],
        see: dynatrace_docs!("array-functions#arrayLastIndexOf"),
        imp: Scalar(|a, _| index_of(a, true)),
        ..ARRAY
    },
    Function {
        name: "arraySlice",
        params: &[
            req("array", Ty::ARRAY),
            named("from", Ty::LONG, Def::Long(0)),
            named("to", Ty::LONG, Def::Long(i64::MAX)),
        ],
        returns: Ty::ARRAY,
        doc: "The elements from index `from:` (inclusive) to `to:` (exclusive); negative indexes count from the end, indexes outside the array are clamped to it, and `from:` at or after `to:` gives an empty array.",
        examples: &[
            ex("arraySlice(array(0, 1, 2, 3, 4))", "[0,1,2,3,4]"),
            ex("arraySlice(array(0, 1, 2, 3, 4), from: 2)", "[2,3,4]"),
            ex("arraySlice(array(0, 1, 2, 3, 4), from: -2)", "[3,4]"),
            ex("arraySlice(array(0, 1, 2, 3, 4), to: -1)", "[0,1,2,3]"),
            ex("arraySlice(array(0, 1, 2, 3, 4), from: -100, to: 100)", "[0,1,2,3,4]"),
            ex("arraySlice(array(0, 1, 2, 3, 4), from: -1, to: 1)", "[]"),
            ex("arraySlice(array(0, 1, 2, 3, 4), from: 100, to: 101)", "[]"),
        ],
        see: dynatrace_docs!("array-functions#arraySlice"),
        imp: Scalar(|a, _| match at(a, 0) {
            Value::Array(xs) => {
                let n = xs.len() as i64;
                let clamp = |v: &Value, default: i64| {
                    let v = if let Value::Long(v) = v { *v } else { default };
                    if v < 0 {
                        (n + v).max(0)
                    } else {
                        v.min(n)
                    }
                };
                let (from, to) = (clamp(at(a, 1), 0), clamp(at(a, 2), n));
                let part = if from < to {
                    &xs[from as usize..to as usize]
                } else {
                    &[]
                };
                new_array(part.len(), || part.to_vec())
            }
            _ => Value::Null,
        }),
        ..ARRAY
    },
    Function {
        name: "array",
        params: &[many("expression", Ty::ANY, 0)],
        returns: Ty::ARRAY,
        doc: "Builds an array of the values.",
        examples: &[
            ex("array(2, 3, 7, 7, 1)", "[2,3,7,7,1]"),
            ex(r#"array(1, "a", null)"#, r#"[1,"a",null]"#),
        ],
        see: dynatrace_docs!("array-functions#array"),
        imp: Scalar(|a, _| new_array(a.len(), || a.to_vec())),
        ..ARRAY
    },
    Function {
        name: "record",
        params: &[many("expression", Ty::ANY, 0)],
        returns: Ty::RECORD,
        doc: "Builds a record from `name = value` members (a plain field keeps its name).",
        examples: &[ex(
            r#"record(executable = "java", technologies = array("Java", "Spring", "Jetty"))"#,
            r#"{"executable":"java","technologies":["Java","Spring","Jetty"]}"#,
        )],
        see: dynatrace_docs!("general-functions#record"),
        imp: Record,
        ..ARRAY
    },
];

fn sum_avg(v: &Value, sum: bool) -> Value {
    let Value::Array(xs) = v else {
        return Value::Null;
    };
    let nums: Vec<f64> = xs.iter().filter_map(Value::as_f64).collect();
    let total: f64 = nums.iter().fold(0.0, |a, b| a + b);
    if sum {
        Value::Double(total)
    } else if nums.is_empty() {
        Value::Double(0.0)
    } else {
        Value::Double(total / nums.len() as f64)
    }
}

fn extreme(v: &Value, max: bool) -> Value {
    let Value::Array(xs) = v else {
        return Value::Null;
    };
    let it = xs.iter().filter(|v| !v.is_null());
    let pick = if max {
        it.max_by(|x, y| sort_cmp(x, y))
    } else {
        it.min_by(|x, y| sort_cmp(x, y))
    };
    pick.cloned().unwrap_or(Value::Null)
}

/// `arrayIndexOf`, `arrayLastIndexOf`.
fn index_of(a: &[Value], last: bool) -> Value {
    let Value::Array(xs) = at(a, 0) else {
        return Value::Null;
    };
    let v = at(a, 1);
    if v.is_null() {
        return Value::Long(-1);
    }
    let hit = |x: &&Value| same(x, v);
    let found = if last {
        xs.iter().rposition(|x| hit(&x))
    } else {
        xs.iter().position(|x| hit(&x))
    };
    Value::Long(found.map_or(-1, |i| i as i64))
}
