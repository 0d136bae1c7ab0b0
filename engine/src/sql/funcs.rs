//! Operators, functions and aggregations as SQL, each with Trailscope's meaning: Kleene logic
//! (SQL's own), `==` false between values of different types, null for a function given a
//! value of another type, division by zero null, `in(null, …)` false. A function missing
//! here is refused (E502) by name.

use super::dialect::{JsonType, PathKey};
use super::expr::{Cx, Res, Sx, Ty};
use super::Dialect;
use crate::diag::Code;
use crate::functions::FnRef;
use crate::plan::{AggCall, PExpr};
use crate::value::Value;

/// A scalar function or operator call.
pub(super) fn call(cx: &mut Cx, f: FnRef, args: &[PExpr]) -> Res<Sx> {
    if f.is_aggregation() {
        return Err(cx.refuse(
            Code::E503,
            &format!("the aggregation `{}`", f.name),
            "it is not inside `summarize` or `makeTimeseries`",
        ));
    }
    let name = f.name;
    // Parameters whose value must be a constant, read before the others are translated.
    let const_bool = |i: usize, default: bool| match args.get(i) {
        Some(PExpr::Const(Value::Bool(b))) => Some(*b),
        Some(PExpr::Const(Value::Null)) | None => Some(default),
        _ => None,
    };
    if f.is_operator() {
        let xs = args.iter().map(|a| cx.expr(a)).collect::<Res<Vec<Sx>>>()?;
        return operator(cx, name, &xs);
    }
    let d = cx.d;
    match name {
        "in" => {
            let needle = cx.expr(&args[0])?;
            let hay = args[1..]
                .iter()
                .map(|a| cx.expr(a))
                .collect::<Res<Vec<Sx>>>()?;
            in_list(cx, &needle, &hay)
        }
        "isNull" | "isNotNull" => {
            let x = cx.expr(&args[0])?;
            let test = cx.is_null(&x);
            Ok(Sx::new(
                if name == "isNull" {
                    test
                } else {
                    format!("(NOT {test})")
                },
                Ty::Bool,
            ))
        }
        "isTrueOrNull" | "isFalseOrNull" => {
            let x = cx.expr(&args[0])?;
            let b = bool_of(cx, &x)?;
            let v = if name == "isTrueOrNull" {
                b
            } else {
                format!("(NOT {b})")
            };
            Ok(Sx::new(format!("coalesce({v}, TRUE)"), Ty::Bool))
        }
        "if" => {
            let c = cx.expr(&args[0])?;
            let c = bool_of(cx, &c)?;
            let a = cx.expr(&args[1])?;
            let b = match args.get(2) {
                Some(e) => cx.expr(e)?,
                None => Sx::null(),
            };
            let (ty, [a, b]) = unify(cx, "if", [a, b])?;
            Ok(Sx::new(
                format!("(CASE WHEN {c} THEN {a} ELSE {b} END)"),
                ty,
            ))
        }
        "coalesce" => {
            let xs = args.iter().map(|a| cx.expr(a)).collect::<Res<Vec<Sx>>>()?;
            let mut ty = Ty::Null;
            for x in &xs {
                ty = common(cx, "coalesce", &ty, &x.ty)?;
            }
            let parts: Vec<String> = xs.iter().map(|x| cast_to(cx, x, &ty)).collect();
            if parts.len() == 1 {
                return Ok(Sx::new(parts[0].clone(), ty));
            }
            Ok(Sx::new(format!("coalesce({})", parts.join(", ")), ty))
        }
        "startsWith" | "endsWith" | "contains" => {
            let Some(sensitive) = const_bool(2, true) else {
                return Err(cx.refuse(
                    Code::E503,
                    &format!("`{name}` with a computed `caseSensitive:`"),
                    "it must be a constant",
                ));
            };
            let s = cx.expr(&args[0])?;
            let p = cx.expr(&args[1])?;
            let (mut s, mut p) = (str_of(cx, &s, name)?, str_of(cx, &p, name)?);
            if !sensitive {
                s = format!("lower({s})");
                p = format!("lower({p})");
            }
            let sql = match (name, d) {
                ("startsWith", Dialect::Spark) => format!("startswith({s}, {p})"),
                ("startsWith", _) => format!("starts_with({s}, {p})"),
                ("endsWith", Dialect::Spark) => format!("endswith({s}, {p})"),
                ("endsWith", Dialect::DuckDb) => format!("ends_with({s}, {p})"),
                ("endsWith", Dialect::Athena) => format!(
                    "(CASE WHEN {s} IS NULL OR {p} IS NULL THEN NULL WHEN length({p}) = 0 THEN TRUE ELSE substr({s}, -length({p})) = {p} END)"
                ),
                ("contains", Dialect::Athena) => format!("(strpos({s}, {p}) > 0)"),
                (_, _) => format!("contains({s}, {p})"),
            };
            Ok(Sx::new(sql, Ty::Bool))
        }
        "lower" | "upper" => {
            let s = cx.expr(&args[0])?;
            let s = str_of(cx, &s, name)?;
            Ok(Sx::new(format!("{name}({s})"), Ty::Str))
        }
        "concat" => {
            let delim = match args.last() {
                Some(PExpr::Const(Value::Str(s))) => s.to_string(),
                _ => {
                    return Err(cx.refuse(
                        Code::E503,
                        "`concat` with a computed `delimiter:`",
                        "it must be a constant",
                    ))
                }
            };
            let mut parts = Vec::new();
            for a in &args[..args.len() - 1] {
                let x = cx.expr(a)?;
                parts.push(match x.ty {
                    Ty::Str | Ty::Null => x.sql,
                    Ty::Long => format!(
                        "CAST({} AS {})",
                        x.sql,
                        d.type_name(super::dialect::SqlType::Str)
                    ),
                    _ => {
                        return Err(cx.refuse(
                            Code::E503,
                            &format!("`concat` of {}", x.ty.describe()),
                            "SQL writes it as text differently; convert it first",
                        ))
                    }
                });
            }
            Ok(Sx::new(
                format!("concat_ws({}, {})", d.string(&delim), parts.join(", ")),
                Ty::Str,
            ))
        }
        "round" => {
            let x = cx.expr(&args[0])?;
            let decimals = match args.get(1) {
                Some(PExpr::Const(Value::Long(n))) => *n,
                None | Some(PExpr::Const(Value::Null)) => 0,
                _ => {
                    return Err(cx.refuse(
                        Code::E503,
                        "`round` with a computed `decimals:`",
                        "it must be a constant",
                    ))
                }
            };
            match x.ty {
                Ty::Long => Ok(x),
                Ty::Null => Ok(Sx::new(cx.typed_null(&Ty::Double), Ty::Double)),
                Ty::Double if (0..=15).contains(&decimals) => {
                    let m = d.double(10f64.powi(decimals as i32));
                    Ok(Sx::new(
                        format!("(CAST(floor({} * {m} + 5e-1) AS DOUBLE) / {m})", x.sql),
                        Ty::Double,
                    ))
                }
                _ => Err(cx.refuse(
                    Code::E503,
                    &format!("`round` of {} (decimals: {decimals})", x.ty.describe()),
                    "only longs and doubles with 0 to 15 decimals are written as SQL",
                )),
            }
        }
        // Floor to a multiple of the interval from 0 (timestamps: the epoch), also below 0.
        "bin" => {
            if !matches!(args.get(2), None | Some(PExpr::Const(Value::Null))) {
                return Err(cx.refuse(Code::E503, "`bin` with `at:`", "not written as SQL yet"));
            }
            let x = cx.expr(&args[0])?;
            let floor = |v: &str, n: &str| format!("({v} - ((({v} % {n}) + {n}) % {n}))");
            match (&x.ty, args.get(1)) {
                (Ty::Null, _) => Ok(Sx::null()),
                (Ty::Ts, Some(PExpr::Const(Value::Duration(n)))) if *n > 0 && n % 1000 == 0 => {
                    let m = d.micros(&x.sql);
                    Ok(Sx::new(d.ts_of_micros(&floor(&m, &d.long(n / 1000))), Ty::Ts))
                }
                (Ty::Long, Some(PExpr::Const(Value::Long(n)))) if *n > 0 => {
                    Ok(Sx::new(floor(&x.sql, &d.long(*n)), Ty::Long))
                }
                _ => Err(cx.refuse(
                    Code::E503,
                    &format!("`bin` of {}", x.ty.describe()),
                    "only timestamps by a positive duration (whole microseconds) and longs by a positive long are written as SQL",
                )),
            }
        }
        "arrayAvg" | "arraySum" => {
            let a = cx.expr(&args[0])?;
            num_array(cx, &a, name)?;
            Ok(Sx::new(
                array_mean(d, &a.sql, name == "arraySum"),
                Ty::Double,
            ))
        }
        "arraySize" => {
            let a = cx.expr(&args[0])?;
            if !matches!(a.ty, Ty::Arr { .. }) {
                return Err(cx.refuse(
                    Code::E503,
                    &format!("`arraySize` of {}", a.ty.describe()),
                    "only arrays the query made are written as SQL",
                ));
            }
            let size = match d {
                Dialect::Spark => format!("size({})", a.sql),
                Dialect::DuckDb => format!("len({})", a.sql),
                Dialect::Athena => format!("cardinality({})", a.sql),
            };
            Ok(Sx::new(
                format!("(CASE WHEN {} IS NULL THEN NULL ELSE {size} END)", a.sql),
                Ty::Long,
            ))
        }
        "arraySort" => {
            let a = cx.expr(&args[0])?;
            let descending = match args.get(1) {
                Some(PExpr::Const(Value::Str(s))) => &**s == "descending",
                _ => false,
            };
            let Ty::Arr { elem, .. } = &a.ty else {
                return Err(cx.refuse(
                    Code::E503,
                    &format!("`arraySort` of {}", a.ty.describe()),
                    "only arrays the query made are written as SQL",
                ));
            };
            let sortable = matches!(**elem, Ty::Str | Ty::Long | Ty::Double | Ty::Ts | Ty::Bool)
                || (**elem == Ty::Dyn && d == Dialect::Spark);
            if !sortable || descending {
                return Err(cx.refuse(Code::E503, "`arraySort` of event members (or descending)", "SQL would sort their JSON text, not their values; Spark sorts the types it inferred"));
            }
            let sql = match d {
                Dialect::DuckDb => format!("list_sort({}, 'ASC', 'NULLS LAST')", a.sql),
                _ => format!("array_sort({})", a.sql),
            };
            Ok(Sx::new(
                sql,
                Ty::Arr {
                    elem: elem.clone(),
                    unordered: false,
                },
            ))
        }
        _ => Err(cx.refuse(
            Code::E502,
            &format!("the function `{name}`"),
            "it is not in the SQL translation table (docs/sql.md)",
        )),
    }
}

/// An array of numbers made by the query (a `makeTimeseries` series).
fn num_array(cx: &Cx, a: &Sx, name: &str) -> Res<()> {
    match &a.ty {
        Ty::Arr { elem, .. } if elem.is_num() => Ok(()),
        Ty::Null => Ok(()),
        t => Err(cx.refuse(
            Code::E503,
            &format!("`{name}` of {}", t.describe()),
            "only arrays of numbers the query made are written as SQL",
        )),
    }
}

/// arrayAvg / arraySum: over the numeric elements, 0 when there are none, null for no array.
fn array_mean(d: Dialect, a: &str, sum: bool) -> String {
    match d {
        Dialect::Spark => {
            let fin = if sum {
                "acc.s"
            } else {
                "IF(acc.n = 0, 0e0, acc.s / acc.n)"
            };
            format!("aggregate(filter({a}, x -> x IS NOT NULL), named_struct('s', 0e0, 'n', 0L), (acc, x) -> named_struct('s', acc.s + x, 'n', acc.n + 1), acc -> {fin})")
        }
        Dialect::DuckDb => {
            let f = if sum { "list_sum" } else { "list_avg" };
            format!("(CASE WHEN {a} IS NULL THEN NULL ELSE coalesce(CAST({f}({a}) AS DOUBLE), 0e0) END)")
        }
        Dialect::Athena => {
            let f = if sum { "sum" } else { "avg" };
            format!("(CASE WHEN {a} IS NULL THEN NULL ELSE coalesce((SELECT {f}(CAST(x AS DOUBLE)) FROM UNNEST({a}) AS t(x)), 0e0) END)")
        }
    }
}

/// A value read as a string for a string function; refused for values that are not scalars.
fn str_of(cx: &Cx, x: &Sx, name: &str) -> Res<String> {
    cx.as_str(x).ok_or_else(|| {
        cx.refuse(
            Code::E503,
            &format!("`{name}` of {}", x.ty.describe()),
            "not written as SQL",
        )
    })
}

fn bool_of(cx: &Cx, x: &Sx) -> Res<String> {
    cx.as_bool(x).ok_or_else(|| {
        cx.refuse(
            Code::E503,
            &format!("{} as a condition", x.ty.describe()),
            "not written as SQL",
        )
    })
}

/// The type two values (branches, `coalesce` arguments) share in SQL: the same type, numbers
/// as doubles when longs and doubles mix.
fn common(cx: &Cx, what: &str, a: &Ty, b: &Ty) -> Res<Ty> {
    Ok(match (a, b) {
        (Ty::Null, t) | (t, Ty::Null) => t.clone(),
        (x, y) if x == y && !matches!(x, Ty::Event | Ty::Missing(_) | Ty::Arr { .. }) => x.clone(),
        (Ty::Long, Ty::Double) | (Ty::Double, Ty::Long) => Ty::Double,
        _ => {
            return Err(cx.refuse(
                Code::E503,
                &format!("`{what}` of {} and {}", a.describe(), b.describe()),
                "a SQL value has one type; Trailscope keeps each value's own",
            ))
        }
    })
}

fn cast_to(cx: &Cx, x: &Sx, ty: &Ty) -> String {
    match (&x.ty, ty) {
        (Ty::Null, t) => cx.typed_null(t),
        (Ty::Long, Ty::Double) => format!("CAST({} AS DOUBLE)", x.sql),
        _ => x.sql.clone(),
    }
}

fn unify(cx: &Cx, what: &str, [a, b]: [Sx; 2]) -> Res<(Ty, [String; 2])> {
    let ty = common(cx, what, &a.ty, &b.ty)?;
    let (a, b) = (cast_to(cx, &a, &ty), cast_to(cx, &b, &ty));
    Ok((ty, [a, b]))
}

/// `in(x, a, b, …)`: true when x equals one of them; never null (a null x is in nothing).
fn in_list(cx: &mut Cx, needle: &Sx, hay: &[Sx]) -> Res<Sx> {
    let mut tests = Vec::new();
    for h in hay {
        if matches!(h.ty, Ty::Null) {
            continue;
        }
        let eq = equal(cx, needle, h)?;
        tests.push(eq.sql);
    }
    if tests.is_empty() {
        return Ok(Sx::new("FALSE", Ty::Bool));
    }
    Ok(Sx::new(
        format!("coalesce({}, FALSE)", tests.join(" OR ")),
        Ty::Bool,
    ))
}

/// `a == b` with Trailscope's meaning: null if either is null, false between types.
fn equal(cx: &Cx, a: &Sx, b: &Sx) -> Res<Sx> {
    let nulls = match (a.konst, b.konst) {
        (true, _) => cx.is_null(b),
        (_, true) => cx.is_null(a),
        _ => format!("{} OR {}", cx.is_null(a), cx.is_null(b)),
    };
    let sql = match (&a.ty, &b.ty) {
        (Ty::Null, _) | (_, Ty::Null) => return Ok(Sx::new(cx.typed_null(&Ty::Bool), Ty::Bool)),
        (Ty::Dyn, Ty::Dyn) => {
            return Err(cx.refuse(
                Code::E503,
                "`==` between two event members",
                "SQL compares values of one type; their JSON types may differ per event",
            ))
        }
        (Ty::Dyn, t) | (t, Ty::Dyn) => {
            let (d, o) = if a.ty == Ty::Dyn { (a, b) } else { (b, a) };
            match t.json() {
                Some(jt) => format!(
                    "(CASE WHEN {nulls} THEN NULL WHEN {} THEN {} = {} ELSE FALSE END)",
                    cx.d.dyn_is(&d.sql, jt),
                    cx.d.dyn_read(&d.sql, jt),
                    o.sql
                ),
                None if t.class().is_some() => {
                    format!("(CASE WHEN {nulls} THEN NULL ELSE FALSE END)")
                }
                None => {
                    return Err(cx.refuse(
                        Code::E503,
                        &format!("`==` of an event member and {}", t.describe()),
                        "not written as SQL",
                    ))
                }
            }
        }
        (x, y) => match (x.class(), y.class()) {
            (Some(p), Some(q)) if p == q => format!("({} = {})", a.sql, b.sql),
            (Some(_), Some(_)) => format!("(CASE WHEN {nulls} THEN NULL ELSE FALSE END)"),
            _ => {
                return Err(cx.refuse(
                    Code::E503,
                    &format!("`==` of {} and {}", x.describe(), y.describe()),
                    "not written as SQL",
                ))
            }
        },
    };
    Ok(Sx::new(sql, Ty::Bool))
}

/// `<`, `<=`, `>`, `>=`: numbers, strings, timestamps, durations of one class; null otherwise.
fn order(cx: &Cx, op: &str, a: &Sx, b: &Sx) -> Res<Sx> {
    let pick = |x: &Sx, other: &Ty| -> Option<String> {
        match (&x.ty, other.json()) {
            (Ty::Dyn, Some(JsonType::Bool)) => None,
            (Ty::Dyn, Some(jt)) => Some(cx.d.dyn_as(&x.sql, jt)),
            _ => Some(x.sql.clone()),
        }
    };
    let null = || Ok(Sx::new(cx.typed_null(&Ty::Bool), Ty::Bool));
    match (&a.ty, &b.ty) {
        (Ty::Null, _) | (_, Ty::Null) => null(),
        (Ty::Dyn, Ty::Dyn) => Err(cx.refuse(
            Code::E503,
            &format!("`{op}` between two event members"),
            "their JSON types may differ per event",
        )),
        (Ty::Dyn, t) | (t, Ty::Dyn) => match t {
            Ty::Str | Ty::Long | Ty::Double => {
                let (x, y) = (pick(a, &b.ty), pick(b, &a.ty));
                match (x, y) {
                    (Some(x), Some(y)) => Ok(Sx::new(format!("({x} {op} {y})"), Ty::Bool)),
                    _ => null(),
                }
            }
            _ if t.class().is_some() => null(),
            _ => Err(cx.refuse(
                Code::E503,
                &format!("`{op}` of an event member and {}", t.describe()),
                "not written as SQL",
            )),
        },
        (x, y) => match (x.class(), y.class()) {
            (Some(0), Some(0)) => null(),
            (Some(p), Some(q)) if p == q => {
                Ok(Sx::new(format!("({} {op} {})", a.sql, b.sql), Ty::Bool))
            }
            (Some(_), Some(_)) => null(),
            _ => Err(cx.refuse(
                Code::E503,
                &format!("`{op}` of {} and {}", x.describe(), y.describe()),
                "not written as SQL",
            )),
        },
    }
}

fn operator(cx: &Cx, op: &str, xs: &[Sx]) -> Res<Sx> {
    let d = cx.d;
    match (op, xs) {
        ("==", [a, b]) => equal(cx, a, b),
        ("!=", [a, b]) => {
            let e = equal(cx, a, b)?;
            Ok(Sx::new(format!("(NOT {})", e.sql), Ty::Bool))
        }
        ("<" | "<=" | ">" | ">=", [a, b]) => order(cx, op, a, b),
        ("and" | "or", [a, b]) => Ok(Sx::new(
            format!(
                "({} {} {})",
                bool_of(cx, a)?,
                op.to_uppercase(),
                bool_of(cx, b)?
            ),
            Ty::Bool,
        )),
        ("xor", [a, b]) => Ok(Sx::new(
            format!("({} <> {})", bool_of(cx, a)?, bool_of(cx, b)?),
            Ty::Bool,
        )),
        ("not", [a]) => Ok(Sx::new(format!("(NOT {})", bool_of(cx, a)?), Ty::Bool)),
        ("neg", [a]) if matches!(a.ty, Ty::Long | Ty::Dur) => {
            Ok(Sx::new(d.checked("-", &d.long(0), &a.sql), a.ty.clone()))
        }
        ("neg", [a]) if a.ty == Ty::Double => Ok(Sx::new(format!("(- {})", a.sql), Ty::Double)),
        ("+" | "-" | "*" | "/" | "%", [a, b]) => arith(cx, op, a, b),
        _ => {
            let types: Vec<&str> = xs.iter().map(|x| x.ty.describe()).collect();
            Err(cx.refuse(
                Code::E503,
                &format!("the operator `{op}` on {}", types.join(" and ")),
                if xs.iter().any(|x| x.ty == Ty::Dyn) {
                    "arithmetic on an event member depends on its JSON type per event"
                } else {
                    "not written as SQL"
                },
            ))
        }
    }
}

fn arith(cx: &Cx, op: &str, a: &Sx, b: &Sx) -> Res<Sx> {
    let d = cx.d;
    let (x, y) = (&a.sql, &b.sql);
    let num = |ty: Ty| -> Res<Sx> {
        Ok(match op {
            "/" | "%" => {
                let div = if op == "%" {
                    format!("({x} % {y})")
                } else if ty == Ty::Long {
                    d.int_div(x, y)
                } else {
                    format!("(CAST({x} AS DOUBLE) / {y})")
                };
                Sx::new(format!("(CASE WHEN {y} = 0 THEN NULL ELSE {div} END)"), ty)
            }
            // Long arithmetic is null on overflow, as in Trailscope (SQL would stop).
            _ if ty == Ty::Long => Sx::new(d.checked(op, x, y), ty),
            _ => Sx::new(format!("({x} {op} {y})"), ty),
        })
    };
    match (&a.ty, &b.ty) {
        (Ty::Null, _) | (_, Ty::Null) => Ok(Sx::null()),
        (Ty::Long, Ty::Long) => num(Ty::Long),
        (Ty::Long | Ty::Double, Ty::Long | Ty::Double) => num(Ty::Double),
        (Ty::Ts, Ty::Dur) | (Ty::Dur, Ty::Ts) if op == "+" || (op == "-" && a.ty == Ty::Ts) => {
            let (t, n) = if a.ty == Ty::Ts { (x, y) } else { (y, x) };
            let sign = if op == "-" { "-" } else { "+" };
            Ok(Sx::new(
                d.ts_of_micros(&format!("{} {sign} {}", d.micros(t), d.int_div(n, "1000"))),
                Ty::Ts,
            ))
        }
        (Ty::Ts, Ty::Ts) if op == "-" => Ok(Sx::new(
            format!("(({} - {}) * 1000)", d.micros(x), d.micros(y)),
            Ty::Dur,
        )),
        (Ty::Dur, Ty::Dur) if op == "+" || op == "-" => Ok(Sx::new(d.checked(op, x, y), Ty::Dur)),
        _ => Err(cx.refuse(
            Code::E503,
            &format!("`{op}` of {} and {}", a.ty.describe(), b.ty.describe()),
            if a.ty == Ty::Dyn || b.ty == Ty::Dyn {
                "arithmetic on an event member depends on its JSON type per event"
            } else {
                "not written as SQL"
            },
        )),
    }
}

/// An aggregation over the rows of a group (`ord` orders them). Its per-record argument is
/// null for rows that do not count, as Trailscope skips them.
pub(super) fn aggregate(cx: &mut Cx, call: &AggCall) -> Res<Sx> {
    let name = call.func.name;
    let d = cx.d;
    let (inputs, consts) = call.split();
    if call.default.is_some() || call.rate.is_some() || call.scalar {
        // Only makeTimeseries takes these; it handles default: and refuses the others.
    }
    let arg = match inputs.first() {
        Some(e) => Some(cx.expr(e)?),
        None => None,
    };
    let ord = cx.ord.to_string();
    match (name, arg) {
        ("count", None) => Ok(Sx::new("count(*)", Ty::Long)),
        // count(CASE …) is 0, never null, over no rows or only null conditions.
        ("countIf", Some(c)) => Ok(Sx::new(
            format!("count(CASE WHEN {} THEN 1 END)", bool_of(cx, &c)?),
            Ty::Long,
        )),
        ("countDistinct" | "countDistinctExact" | "countDistinctApprox", Some(x)) => {
            if matches!(x.ty, Ty::Arr { .. } | Ty::Tf | Ty::Event) {
                return Err(cx.refuse(
                    Code::E503,
                    &format!("`{name}` of {}", x.ty.describe()),
                    "not written as SQL",
                ));
            }
            let v = if x.ty == Ty::Dyn && d == Dialect::Athena {
                d.dyn_out(&x.sql)
            } else {
                x.sql
            };
            Ok(Sx::new(format!("count(DISTINCT {v})"), Ty::Long))
        }
        ("sum" | "avg", Some(x)) => {
            let v = match x.ty {
                Ty::Long | Ty::Double => x.sql.clone(),
                Ty::Dyn => {
                    // Trailscope: null when a value of another type is among them.
                    let n = cx.as_num(&x).unwrap_or_default();
                    let other = format!(
                        "count(CASE WHEN NOT {} AND NOT {} THEN 1 END)",
                        cx.is_null(&x),
                        d.dyn_is(&x.sql, JsonType::Num)
                    );
                    return Ok(Sx::new(
                        format!("(CASE WHEN {other} > 0 THEN NULL ELSE {name}({n}) END)"),
                        Ty::Double,
                    ));
                }
                _ => {
                    return Err(cx.refuse(
                        Code::E503,
                        &format!("`{name}` of {}", x.ty.describe()),
                        "only numbers are written as SQL",
                    ))
                }
            };
            Ok(Sx::new(format!("CAST({name}({v}) AS DOUBLE)"), Ty::Double))
        }
        ("min" | "max", Some(x)) => match x.ty {
            Ty::Long | Ty::Double | Ty::Str | Ty::Ts | Ty::Dur => {
                Ok(Sx::new(format!("{name}({})", x.sql), x.ty))
            }
            _ => Err(cx.refuse(
                Code::E503,
                &format!("`{name}` of {}", x.ty.describe()),
                "values of several types order by type in Trailscope",
            )),
        },
        ("takeFirst" | "takeAny" | "takeLast", Some(x)) => {
            if matches!(x.ty, Ty::Event | Ty::Missing(_)) {
                return Err(cx.refuse(
                    Code::E503,
                    &format!("`{name}` of {}", x.ty.describe()),
                    "not written as SQL",
                ));
            }
            let key = format!("(CASE WHEN {} THEN NULL ELSE {ord} END)", cx.is_null(&x));
            let f = match (name, d) {
                ("takeLast", Dialect::DuckDb) => "arg_max",
                ("takeLast", _) => "max_by",
                (_, Dialect::DuckDb) => "arg_min",
                _ => "min_by",
            };
            Ok(Sx::new(format!("{f}({}, {key})", x.sql), x.ty))
        }
        ("collectDistinct" | "collectArray", Some(x)) => {
            let limited = !matches!(consts.first(), Some(Value::Long(131072)) | None);
            let expand = matches!(consts.get(1), Some(Value::Bool(true)));
            if limited
                || expand
                || matches!(x.ty, Ty::Arr { .. } | Ty::Event | Ty::Tf | Ty::Missing(_))
            {
                return Err(cx.refuse(
                    Code::E503,
                    &format!(
                        "`{name}` of {} (or with maxLength:/expand:)",
                        x.ty.describe()
                    ),
                    "not written as SQL",
                ));
            }
            let elem = Box::new(x.ty.clone());
            let skip = cx.is_null(&x);
            let v = &x.sql;
            if name == "collectDistinct" {
                let sql = match d {
                    Dialect::Spark => format!(
                        "IF(count(CASE WHEN NOT {skip} THEN 1 END) = 0, NULL, collect_set({v}))"
                    ),
                    Dialect::DuckDb => {
                        format!("list_distinct(list({v}) FILTER (WHERE NOT {skip}))")
                    }
                    Dialect::Athena => {
                        format!("array_distinct(array_agg({v}) FILTER (WHERE NOT {skip}))")
                    }
                };
                return Ok(Sx::new(
                    sql,
                    Ty::Arr {
                        elem,
                        unordered: true,
                    },
                ));
            }
            let sql = match d {
                Dialect::Spark => format!("IF(count(CASE WHEN NOT {skip} THEN 1 END) = 0, NULL, transform(array_sort(collect_list(IF({skip}, NULL, named_struct('o', {ord}, 'v', {v})))), s -> s.v))"),
                Dialect::DuckDb => format!("list({v} ORDER BY {ord}) FILTER (WHERE NOT {skip})"),
                Dialect::Athena => format!("array_agg({v} ORDER BY {ord}) FILTER (WHERE NOT {skip})"),
            };
            Ok(Sx::new(
                sql,
                Ty::Arr {
                    elem,
                    unordered: false,
                },
            ))
        }
        _ => Err(cx.refuse(
            Code::E502,
            &format!("the aggregation `{name}`"),
            "it is not in the SQL translation table (docs/sql.md)",
        )),
    }
}

/// Athena: the documented `cloudtrail_logs` columns, by CloudTrail's member names.
enum Shape {
    Str,
    /// `readonly`: a boolean CloudTrail writes, a STRING column.
    BoolText,
    /// A member the table keeps as JSON text (`requestparameters`, …).
    Json,
    Struct(&'static [(&'static str, Shape)]),
}

const SESSION_ISSUER: &[(&str, Shape)] = &[
    ("type", Shape::Str),
    ("principalId", Shape::Str),
    ("arn", Shape::Str),
    ("accountId", Shape::Str),
    ("userName", Shape::Str),
];
const SESSION_CONTEXT: &[(&str, Shape)] = &[
    (
        "attributes",
        Shape::Struct(&[
            ("mfaAuthenticated", Shape::Str),
            ("creationDate", Shape::Str),
        ]),
    ),
    ("sessionIssuer", Shape::Struct(SESSION_ISSUER)),
    ("ec2RoleDelivery", Shape::Str),
];
const USER_IDENTITY: &[(&str, Shape)] = &[
    ("type", Shape::Str),
    ("principalId", Shape::Str),
    ("arn", Shape::Str),
    ("accountId", Shape::Str),
    ("invokedBy", Shape::Str),
    ("accessKeyId", Shape::Str),
    ("userName", Shape::Str),
    (
        "onBehalfOf",
        Shape::Struct(&[("userId", Shape::Str), ("identityStoreArn", Shape::Str)]),
    ),
    ("sessionContext", Shape::Struct(SESSION_CONTEXT)),
];
/// The table's columns (AWS's `CREATE EXTERNAL TABLE cloudtrail_logs`; docs/sql.md).
const ATHENA_COLUMNS: &[(&str, Shape)] = &[
    ("eventVersion", Shape::Str),
    ("userIdentity", Shape::Struct(USER_IDENTITY)),
    ("eventTime", Shape::Str),
    ("eventSource", Shape::Str),
    ("eventName", Shape::Str),
    ("awsRegion", Shape::Str),
    ("sourceIPAddress", Shape::Str),
    ("userAgent", Shape::Str),
    ("errorCode", Shape::Str),
    ("errorMessage", Shape::Str),
    ("requestParameters", Shape::Json),
    ("responseElements", Shape::Json),
    ("additionalEventData", Shape::Json),
    ("requestID", Shape::Str),
    ("eventID", Shape::Str),
    ("readOnly", Shape::BoolText),
    ("eventType", Shape::Str),
    ("apiVersion", Shape::Str),
    ("recipientAccountId", Shape::Str),
    ("serviceEventDetails", Shape::Json),
    ("sharedEventID", Shape::Str),
    ("vpcEndpointId", Shape::Str),
    ("vpcEndpointAccountId", Shape::Str),
    ("eventCategory", Shape::Str),
    ("sessionCredentialFromConsole", Shape::Str),
    ("edgeDeviceDetails", Shape::Json),
    (
        "tlsDetails",
        Shape::Struct(&[
            ("tlsVersion", Shape::Str),
            ("cipherSuite", Shape::Str),
            ("clientProvidedHostHeader", Shape::Str),
        ]),
    ),
];

/// An event member read from Athena's table.
pub(super) fn athena_member(cx: &Cx, keys: &[PathKey]) -> Res<Sx> {
    let d = cx.d;
    let shown = keys
        .iter()
        .map(|k| match k {
            PathKey::Name(n) => format!("[{n}]"),
            PathKey::Index(i) => format!("[{i}]"),
        })
        .collect::<String>();
    let missing = || {
        cx.refuse(
            Code::E504,
            &format!("the member event{shown}"),
            "the Athena table AWS documents for CloudTrail has no column for it",
        )
    };
    let mut level = ATHENA_COLUMNS;
    let mut sql = String::new();
    for (i, k) in keys.iter().enumerate() {
        let PathKey::Name(n) = k else {
            return Err(missing());
        };
        let Some((_, shape)) = level.iter().find(|(name, _)| name == n) else {
            return Err(missing());
        };
        let col = d.ident(&n.to_lowercase());
        sql = if i == 0 { col } else { format!("{sql}.{col}") };
        match shape {
            Shape::Struct(members) if i + 1 < keys.len() => level = members,
            Shape::Struct(_) => {
                return Err(cx.refuse(
                    Code::E504,
                    &format!("the member event{shown} as a whole"),
                    "Athena holds it as a struct whose unset members read as null",
                ))
            }
            Shape::Str if i + 1 == keys.len() => return Ok(Sx::new(sql, Ty::Str)),
            Shape::BoolText if i + 1 == keys.len() => {
                return Ok(Sx::new(
                    format!("(CASE {sql} WHEN 'true' THEN TRUE WHEN 'false' THEN FALSE END)"),
                    Ty::Bool,
                ))
            }
            Shape::Json => {
                let rest = &keys[i + 1..];
                let j = if rest.is_empty() {
                    format!("json_parse({sql})")
                } else {
                    format!("json_extract({sql}, {})", d.string(&d.json_path(rest)))
                };
                return Ok(Sx::new(j, Ty::Dyn));
            }
            _ => return Err(missing()),
        }
    }
    Err(missing())
}
