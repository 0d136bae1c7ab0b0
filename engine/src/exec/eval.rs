//! Expression evaluation over a batch, column at a time.
//!
//! The key trick: when an expression reads exactly one non-constant column and that column is
//! dictionary-encoded (a JSON path such as `event[eventName]`), the function runs once per
//! distinct value and the row codes are reused unchanged. `event[errorCode] == "AccessDenied"`
//! over a million events is then a handful of string comparisons plus one table lookup per row.

use std::sync::Arc;

use super::budget;
use super::column::{Batch, Column, DictForm, Stored};
use crate::functions::{self, Ctx, FnRef, Prepared};
use crate::plan::{align_value, PExpr, PKey};
use crate::storage::Store;
use crate::value::Value;

pub struct Env<'a> {
    pub store: Option<&'a Store>,
    pub ctx: Ctx,
    /// What commands have to tell the user about the result (e.g. a widened interval).
    pub notices: std::cell::RefCell<Vec<super::Notice>>,
}

pub fn eval(e: &PExpr, b: &Batch, env: &Env) -> Column {
    match e {
        PExpr::Const(v) => Column::Const(v.clone()),
        PExpr::Compiled(p) => Column::Const(p.value.clone()),
        PExpr::Field(name) => b.field(name).cloned().unwrap_or(Column::Const(Value::Null)),
        PExpr::Agg(_) => Column::Const(Value::Null),
        PExpr::Member(base, key) => {
            let base = eval(base, b, env);
            member(base, key, b.len, env)
        }
        PExpr::Call(f, args) => {
            let cols: Vec<Column> = args.iter().map(|a| eval(a, b, env)).collect();
            // What the planner prepared for the call (a compiled pattern), if anything.
            let prepared = args.iter().find_map(|a| match a {
                PExpr::Compiled(p) => Some(p),
                _ => None,
            });
            apply(f, prepared, cols, b.len, env)
        }
        PExpr::Record(fields) => {
            let cols: Vec<Column> = fields.iter().map(|(_, x)| eval(x, b, env)).collect();
            let rows: Arc<[Value]> = (0..b.len)
                .map(|i| {
                    if !budget::tick() || !budget::charge(16 + 40 * fields.len()) {
                        return Value::Null;
                    }
                    functions::record(
                        fields
                            .iter()
                            .zip(&cols)
                            .map(|((k, _), c)| (k.clone(), c.get(i, env.store)))
                            .collect(),
                    )
                })
                .collect();
            Column::Values(rows)
        }
        PExpr::Align(base, unit, count, week) => {
            let col = match base {
                Some(x) => eval(x, b, env),
                None => Column::Const(Value::Timestamp(env.ctx.now)),
            };
            map_one(col, b.len, env, |v| {
                align_value(v, *unit, *count, *week, &env.ctx)
            })
        }
    }
}

fn member(base: Column, key: &PKey, len: usize, env: &Env) -> Column {
    if let Column::Stored {
        rows,
        what: Stored::Event(path),
    } = &base
    {
        let mut p: Vec<String> = path.to_vec();
        p.push(match key {
            PKey::Name(n) => n.to_string(),
            PKey::Index(i) if *i >= 0 => format!("\u{0}{i}"),
            PKey::Index(_) => return Column::Const(Value::Null),
        });
        return Column::Stored {
            rows: rows.clone(),
            what: Stored::Event(p.into()),
        };
    }
    map_one(base, len, env, |v| match key {
        PKey::Name(n) => v.member(n),
        PKey::Index(i) => v.element(*i),
    })
}

/// Applies `f` to one column, once per distinct value when it is dictionary-encoded.
fn map_one(col: Column, len: usize, env: &Env, f: impl Fn(&Value) -> Value) -> Column {
    if let Column::Const(v) = &col {
        return Column::Const(f(v));
    }
    if let Some((codes, dict)) = cheap_dict(&col, len, env) {
        let mapped: Arc<[Value]> = dict.iter().map(&f).collect();
        return Column::Dict {
            codes,
            dict: mapped,
        };
    }
    Column::Values(
        (0..len)
            .map(|i| match budget::tick() {
                true => f(&col.get(i, env.store)),
                false => Value::Null,
            })
            .collect(),
    )
}

/// Dictionary form when evaluating per dictionary entry is not more work than per row.
fn cheap_dict(col: &Column, len: usize, env: &Env) -> Option<DictForm> {
    let (codes, dict) = col.dict_form(env.store)?;
    (dict.len() <= len.max(64) * 2).then_some((codes, dict))
}

pub fn apply(
    f: FnRef,
    prepared: Option<&Prepared>,
    cols: Vec<Column>,
    len: usize,
    env: &Env,
) -> Column {
    let non_const: Vec<usize> = cols
        .iter()
        .enumerate()
        .filter(|(_, c)| !matches!(c, Column::Const(_)))
        .map(|(i, _)| i)
        .collect();
    match non_const.len() {
        0 => {
            let args: Vec<Value> = cols.iter().map(|c| c.get(0, None)).collect();
            Column::Const(f.call(prepared, &args, &env.ctx))
        }
        1 => {
            let k = non_const[0];
            let consts: Vec<Value> = const_args(&cols);
            map_one(cols[k].clone(), len, env, |v| {
                let mut a = consts.clone();
                a[k] = v.clone();
                f.call(prepared, &a, &env.ctx)
            })
        }
        _ if f.is_operator() && matches!(f.name, "and" | "or" | "xor") => {
            // Kleene logic on tri-state codes (0 null, 1 false, 2 true), no values built.
            let a = tri(&cols[0], len, env);
            let b = tri(&cols[1], len, env);
            let codes: Arc<[u32]> = a
                .iter()
                .zip(b.iter())
                .map(|(&x, &y)| match f.name {
                    "and" => match (x, y) {
                        (1, _) | (_, 1) => 1,
                        (2, 2) => 2,
                        _ => 0,
                    },
                    "or" => match (x, y) {
                        (2, _) | (_, 2) => 2,
                        (1, 1) => 1,
                        _ => 0,
                    },
                    _ => match (x, y) {
                        (0, _) | (_, 0) => 0,
                        _ if x == y => 1,
                        _ => 2,
                    },
                })
                .collect();
            Column::Dict {
                codes,
                dict: tri_dict(),
            }
        }
        _ if non_const
            .iter()
            .all(|&k| cheap_dict(&cols[k], len, env).is_some()) =>
        {
            // Several dictionary columns: evaluate once per distinct combination of codes.
            let dicts: Vec<Option<DictForm>> = cols
                .iter()
                .map(|c| {
                    if matches!(c, Column::Const(_)) {
                        None
                    } else {
                        cheap_dict(c, len, env)
                    }
                })
                .collect();
            let mut memo: hashbrown::HashMap<Vec<u32>, u32> = hashbrown::HashMap::new();
            let mut out_dict: Vec<Value> = Vec::new();
            let mut key = vec![0u32; non_const.len()];
            let mut args: Vec<Value> = const_args(&cols);
            let codes: Arc<[u32]> = (0..len)
                .map(|i| {
                    for (slot, &k) in non_const.iter().enumerate() {
                        key[slot] = dicts[k].as_ref().map_or(0, |(c, _)| c[i]);
                    }
                    if let Some(&c) = memo.get(&key) {
                        return c;
                    }
                    if !budget::tick() {
                        // Stopped: every new combination is null (code 0 is made here).
                        if out_dict.is_empty() {
                            out_dict.push(Value::Null);
                        }
                        return 0;
                    }
                    for (slot, &k) in non_const.iter().enumerate() {
                        if let Some((_, d)) = &dicts[k] {
                            args[k] = d[key[slot] as usize].clone();
                        }
                    }
                    out_dict.push(f.call(prepared, &args, &env.ctx));
                    let c = out_dict.len() as u32 - 1;
                    memo.insert(key.clone(), c);
                    c
                })
                .collect();
            Column::Dict {
                codes,
                dict: out_dict.into(),
            }
        }
        _ => {
            let mats: Vec<Option<Arc<[Value]>>> = cols
                .iter()
                .map(|c| {
                    if matches!(c, Column::Const(_)) {
                        None
                    } else {
                        Some(c.materialize(len, env.store))
                    }
                })
                .collect();
            let mut args: Vec<Value> = vec![Value::Null; cols.len()];
            let out: Arc<[Value]> = (0..len)
                .map(|i| {
                    if !budget::tick() {
                        return Value::Null;
                    }
                    for (j, c) in cols.iter().enumerate() {
                        args[j] = match (&mats[j], c) {
                            (Some(m), _) => m[i].clone(),
                            (None, Column::Const(v)) => v.clone(),
                            _ => Value::Null,
                        };
                    }
                    f.call(prepared, &args, &env.ctx)
                })
                .collect();
            Column::Values(out)
        }
    }
}

/// The constant arguments in place, null where a column is not constant.
fn const_args(cols: &[Column]) -> Vec<Value> {
    cols.iter()
        .map(|c| match c {
            Column::Const(v) => v.clone(),
            _ => Value::Null,
        })
        .collect()
}

fn tri_dict() -> Arc<[Value]> {
    Arc::from(vec![Value::Null, Value::Bool(false), Value::Bool(true)])
}

/// A column as tri-state truth codes: 0 null (or not a boolean), 1 false, 2 true.
fn tri(col: &Column, len: usize, env: &Env) -> Arc<[u32]> {
    let code = |v: &Value| match v.as_bool() {
        Some(true) => 2,
        Some(false) => 1,
        None => 0,
    };
    match col {
        Column::Const(v) => vec![code(v); len].into(),
        Column::Dict { codes, dict }
            if dict.len() == 3
                && dict[1] == Value::Bool(false)
                && dict[2] == Value::Bool(true)
                && dict[0].is_null() =>
        {
            codes.clone()
        }
        _ => match col.dict_form(env.store) {
            Some((codes, dict)) => {
                let t: Vec<u32> = dict.iter().map(code).collect();
                codes.iter().map(|&c| t[c as usize]).collect()
            }
            None => (0..len).map(|i| code(&col.get(i, env.store))).collect(),
        },
    }
}

/// Which rows a condition is `true` for (null and non-booleans are not true).
pub fn true_rows(col: &Column, len: usize, env: &Env) -> Vec<u32> {
    match col {
        Column::Const(v) => {
            if v.as_bool() == Some(true) {
                (0..len as u32).collect()
            } else {
                Vec::new()
            }
        }
        _ => {
            if let Some((codes, dict)) = col.dict_form(env.store) {
                let truth: Vec<bool> = dict.iter().map(|v| v.as_bool() == Some(true)).collect();
                return codes
                    .iter()
                    .enumerate()
                    .filter(|(_, &c)| truth[c as usize])
                    .map(|(i, _)| i as u32)
                    .collect();
            }
            (0..len)
                .filter(|&i| col.get(i, env.store).as_bool() == Some(true))
                .map(|i| i as u32)
                .collect()
        }
    }
}
