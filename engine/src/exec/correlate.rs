//! `append`, `lookup`, `join` and `joinNested`: the sub-query runs once (over the same loaded
//! data), its records are indexed by key, and each current record looks its key up. Keys
//! compare as `summarize` groups do (`1` equals `1.0`); a null key never matches, on either
//! side. Outputs keep the left records' order, matches in the sub-query's order; `outer`
//! adds the unmatched sub-query records last.

use std::collections::HashMap;
use std::sync::Arc;

use super::budget;
use super::column::{Batch, Column, Stored, NO_SOURCE};
use super::eval::{eval, Env};
use super::run_plan;
use crate::functions;
use crate::plan::{JoinKind, PExpr, Plan};
use crate::value::{GroupKey, Value};

/// Each row's key (one value per `on:` condition); `None` when one of them is null.
fn keys(exprs: &[&PExpr], b: &Batch, env: &Env) -> Vec<Option<Vec<GroupKey>>> {
    let cols: Vec<Arc<[Value]>> = exprs
        .iter()
        .map(|e| eval(e, b, env).materialize(b.len, env.store))
        .collect();
    (0..b.len)
        .map(|i| {
            cols.iter()
                .map(|c| match &c[i] {
                    Value::Null => None,
                    v => Some(GroupKey(v.clone())),
                })
                .collect()
        })
        .collect()
}

/// The sub-query's records by key, each key's rows in order.
fn index(keys: Vec<Option<Vec<GroupKey>>>) -> HashMap<Vec<GroupKey>, Vec<u32>> {
    let mut map: HashMap<Vec<GroupKey>, Vec<u32>> = HashMap::new();
    for (r, k) in keys.into_iter().enumerate() {
        if let Some(k) = k {
            map.entry(k).or_default().push(r as u32);
        }
    }
    map
}

/// A join's two sides: the sub-query's records, indexed by their key, and each current record's
/// key (`left` keys read the current records, `right` keys the sub-query's).
struct Sides {
    right: Batch,
    by_key: HashMap<Vec<GroupKey>, Vec<u32>>,
    left_keys: Vec<Option<Vec<GroupKey>>>,
}

fn sides(plan: &Plan, left_key: &[&PExpr], right_key: &[&PExpr], left: &Batch, env: &Env) -> Sides {
    let (right, _, _) = run_plan(plan, env);
    let by_key = index(keys(right_key, &right, env));
    Sides {
        left_keys: keys(left_key, left, env),
        right,
        by_key,
    }
}

/// The left and right key expressions of `on:` conditions.
fn split(on: &[(PExpr, PExpr)]) -> (Vec<&PExpr>, Vec<&PExpr>) {
    on.iter().map(|(l, r)| (l, r)).unzip()
}

/// Rows `idx` of a column, null where there is no row (`None`).
fn take_or_null(col: &Column, idx: &[Option<u32>], env: &Env) -> Column {
    if let Some(all) = idx.iter().copied().collect::<Option<Vec<u32>>>() {
        return col.take(&all, &mut Vec::new());
    }
    Column::Values(
        idx.iter()
            .map(|o| o.map_or(Value::Null, |i| col.get(i as usize, env.store)))
            .collect(),
    )
}

/// The sub-query's fields to add: all of them, or the chosen expressions, with the prefix.
fn right_columns(
    right: &Batch,
    prefix: &str,
    fields: &Option<Vec<(Arc<str>, PExpr)>>,
    env: &Env,
) -> Vec<(Arc<str>, Column)> {
    let named = |n: &str| -> Arc<str> { Arc::from(format!("{prefix}{n}").as_str()) };
    match fields {
        None => right
            .fields
            .iter()
            .map(|(n, c)| (named(n), c.clone()))
            .collect(),
        Some(items) => items
            .iter()
            .map(|(n, e)| (named(n), eval(e, right, env)))
            .collect(),
    }
}

/// `append`: the sub-query's records after these; fields of either side, null where a side
/// has none.
pub fn append(plan: &Plan, left: Batch, env: &Env) -> Batch {
    let (right, _, _) = run_plan(plan, env);
    let mut names: Vec<Arc<str>> = left.fields.iter().map(|(n, _)| n.clone()).collect();
    for (n, _) in &right.fields {
        if !names.contains(n) {
            names.push(n.clone());
        }
    }
    let null = Column::Const(Value::Null);
    let fields = names
        .into_iter()
        .map(|n| {
            let l = left.field(&n).unwrap_or(&null);
            let r = right.field(&n).unwrap_or(&null);
            let col = concat(l, left.len, r, right.len, env);
            (n, col)
        })
        .collect();
    // Rows keep their events, from either side.
    let source = match (&left.source, &right.source) {
        (None, None) => None,
        (l, r) => {
            let side = |s: &Option<Arc<[u32]>>, n: usize| -> Vec<u32> {
                s.as_ref()
                    .map_or_else(|| vec![NO_SOURCE; n], |s| s.to_vec())
            };
            let mut all = side(l, left.len);
            all.extend(side(r, right.len));
            Some(all.into())
        }
    };
    Batch {
        len: left.len + right.len,
        fields,
        source,
    }
}

/// Two columns one after the other; stored columns of the same field stay stored.
fn concat(l: &Column, llen: usize, r: &Column, rlen: usize, env: &Env) -> Column {
    match (l, r) {
        (Column::Const(a), Column::Const(b)) if GroupKey(a.clone()) == GroupKey(b.clone()) => {
            Column::Const(a.clone())
        }
        (Column::Stored { rows: a, what: wa }, Column::Stored { rows: b, what: wb })
            if same_stored(wa, wb) =>
        {
            Column::Stored {
                rows: a.iter().chain(b.iter()).copied().collect(),
                what: wa.clone(),
            }
        }
        _ => {
            let a = l.materialize(llen, env.store);
            let b = r.materialize(rlen, env.store);
            Column::Values(a.iter().chain(b.iter()).cloned().collect())
        }
    }
}

fn same_stored(a: &Stored, b: &Stored) -> bool {
    match (a, b) {
        (Stored::Base(x), Stored::Base(y)) => x == y,
        (Stored::Event(x), Stored::Event(y)) => x == y,
        _ => false,
    }
}

/// `lookup`: the fields of the first sub-query record whose key equals the source's, or null.
pub fn lookup(
    plan: &Plan,
    source: &PExpr,
    key: &PExpr,
    prefix: &str,
    fields: &Option<Vec<(Arc<str>, PExpr)>>,
    left: Batch,
    env: &Env,
) -> Batch {
    let Sides {
        right,
        by_key,
        left_keys,
    } = sides(plan, &[source], &[key], &left, env);
    let idx: Vec<Option<u32>> = left_keys
        .into_iter()
        .map(|k| k.and_then(|k| by_key.get(&k)).map(|rows| rows[0]))
        .collect();
    let mut out = left;
    for (n, c) in right_columns(&right, prefix, fields, env) {
        out.set(n, take_or_null(&c, &idx, env));
    }
    out
}

/// `join`: a record per matching pair (`inner`), plus the unmatched left records
/// (`leftOuter`), plus the unmatched sub-query records (`outer`).
pub fn join(
    plan: &Plan,
    kind: JoinKind,
    on: &[(PExpr, PExpr)],
    prefix: &str,
    fields: &Option<Vec<(Arc<str>, PExpr)>>,
    left: Batch,
    env: &Env,
) -> Batch {
    let (lk, rk) = split(on);
    let Sides {
        right,
        by_key,
        left_keys,
    } = sides(plan, &lk, &rk, &left, env);
    let mut li: Vec<Option<u32>> = Vec::new();
    let mut ri: Vec<Option<u32>> = Vec::new();
    let mut matched = vec![false; right.len];
    for (l, k) in left_keys.into_iter().enumerate() {
        if !budget::tick() {
            break;
        }
        match k.and_then(|k| by_key.get(&k)) {
            Some(rows) => {
                // Every output row costs its two row numbers (and more as columns fill).
                if !budget::charge(rows.len() * 16) {
                    break;
                }
                for &r in rows {
                    li.push(Some(l as u32));
                    ri.push(Some(r));
                    matched[r as usize] = true;
                }
            }
            None if kind != JoinKind::Inner => {
                li.push(Some(l as u32));
                ri.push(None);
            }
            None => {}
        }
    }
    if kind == JoinKind::Outer {
        for (r, m) in matched.iter().enumerate() {
            if !m {
                li.push(None);
                ri.push(Some(r as u32));
            }
        }
    }
    let mut out = Batch {
        len: li.len(),
        fields: left
            .fields
            .iter()
            .map(|(n, c)| (n.clone(), take_or_null(c, &li, env)))
            .collect(),
        // A pair's event is the current record's; an unmatched sub-query record's its own.
        source: match (&left.source, &right.source) {
            (None, None) => None,
            (l, r) => Some(
                li.iter()
                    .zip(&ri)
                    .map(|(a, b)| match (a, b) {
                        (Some(a), _) => l.as_ref().map_or(NO_SOURCE, |s| s[*a as usize]),
                        (None, Some(b)) => r.as_ref().map_or(NO_SOURCE, |s| s[*b as usize]),
                        (None, None) => NO_SOURCE,
                    })
                    .collect(),
            ),
        },
    };
    for (n, c) in right_columns(&right, prefix, fields, env) {
        out.set(n, take_or_null(&c, &ri, env));
    }
    out
}

/// `joinNested`: per record, the matching sub-query records as an array of records (null when
/// none match).
pub fn join_nested(
    plan: &Plan,
    name: &Arc<str>,
    on: &[(PExpr, PExpr)],
    fields: &Option<Vec<(Arc<str>, PExpr)>>,
    left: Batch,
    env: &Env,
) -> Batch {
    let (lk, rk) = split(on);
    let Sides {
        right,
        by_key,
        left_keys,
    } = sides(plan, &lk, &rk, &left, env);
    let members: Vec<(Arc<str>, Arc<[Value]>)> = right_columns(&right, "", fields, env)
        .into_iter()
        .map(|(n, c)| (n, c.materialize(right.len, env.store)))
        .collect();
    let nested: Arc<[Value]> = left_keys
        .into_iter()
        .map(|k| {
            let Some(rows) = k.and_then(|k| by_key.get(&k)) else {
                return Value::Null;
            };
            if !budget::tick() || !budget::charge(rows.len() * (32 + 40 * members.len())) {
                return Value::Null;
            }
            Value::Array(
                rows.iter()
                    .map(|&r| {
                        functions::record(
                            members
                                .iter()
                                .map(|(n, vals)| (n.clone(), vals[r as usize].clone()))
                                .collect(),
                        )
                    })
                    .collect(),
            )
        })
        .collect();
    let mut out = left;
    out.set(name.clone(), Column::Values(nested));
    out
}
