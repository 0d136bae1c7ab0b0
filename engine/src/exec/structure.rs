//! `expand`, `fieldsFlatten` and `fieldsSummary`: commands that reshape records.

use std::sync::Arc;

use super::budget;
use super::column::{group_ids, Batch, Column};
use super::eval::{eval, Env};
use crate::functions;
use crate::plan::{MemberPath, PExpr};
use crate::value::Value;

/// `expand`: a record per element (up to `limit`), the element in field `name`; an empty
/// array or null gives no record, any other value one record with the value itself.
pub fn expand(name: &Arc<str>, array: &PExpr, limit: Option<usize>, b: Batch, env: &Env) -> Batch {
    let col = eval(array, &b, env);
    let limit = limit.unwrap_or(usize::MAX);
    let mut rows: Vec<u32> = Vec::new();
    let mut elements: Vec<Value> = Vec::new();
    for i in 0..b.len {
        if !budget::tick() {
            break;
        }
        match col.get(i, env.store) {
            Value::Null => {}
            Value::Array(xs) => {
                let n = xs.len().min(limit);
                if !budget::charge(n * (4 + std::mem::size_of::<Value>())) {
                    break;
                }
                rows.extend(std::iter::repeat_n(i as u32, n));
                elements.extend(xs.iter().take(n).cloned());
            }
            v => {
                rows.push(i as u32);
                elements.push(v);
            }
        }
    }
    let mut out = b.take(&rows);
    out.set(name.clone(), Column::Values(elements.into()));
    out
}

/// `fieldsFlatten`: the members of a record as fields `prefix` + path (nested records down to
/// `depth` levels, path parts joined with `.`), in order of first appearance; or the chosen
/// members under their own names.
pub fn flatten(
    record: &PExpr,
    prefix: &str,
    depth: usize,
    fields: &Option<Vec<MemberPath>>,
    b: Batch,
    env: &Env,
) -> Batch {
    let col = eval(record, &b, env);
    let values = col.materialize(b.len, env.store);
    let mut out = b;
    if let Some(items) = fields {
        for (name, path) in items {
            let vals: Arc<[Value]> = values
                .iter()
                .map(|v| path.iter().fold(v.clone(), |v, k| v.member(k)))
                .collect();
            out.set(name.clone(), Column::Values(vals));
        }
        return out;
    }
    let mut columns: Vec<(String, Vec<Value>)> = Vec::new();
    let mut position: std::collections::HashMap<String, usize> = Default::default();
    for (i, v) in values.iter().enumerate() {
        if !budget::tick() {
            break;
        }
        let mut put = |name: String, x: &Value| -> bool {
            let k = match position.get(&name) {
                Some(&k) => k,
                None => {
                    // A new column costs a value per record.
                    if !budget::charge(values.len() * std::mem::size_of::<Value>()) {
                        return false;
                    }
                    position.insert(name.clone(), columns.len());
                    columns.push((name, vec![Value::Null; values.len()]));
                    columns.len() - 1
                }
            };
            columns[k].1[i] = x.clone();
            true
        };
        walk(v, prefix, depth, &mut put);
    }
    for (name, vals) in columns {
        out.set(Arc::from(name.as_str()), Column::Values(vals.into()));
    }
    out
}

/// Calls `put(name, value)` for every member of a record, descending into records `depth`
/// levels deep. Stops when `put` refuses (the budget is spent).
fn walk(
    v: &Value,
    prefix: &str,
    depth: usize,
    put: &mut impl FnMut(String, &Value) -> bool,
) -> bool {
    let Value::Record(r) = v else { return true };
    for (k, x) in &r.fields {
        let name = format!("{prefix}{k}");
        let go_on = match x {
            Value::Record(_) if depth > 1 => walk(x, &format!("{name}."), depth - 1, put),
            _ => put(name, x),
        };
        if !go_on {
            return false;
        }
    }
    true
}

/// `fieldsSummary`: per field, how many records have a value (`rawCount`, and `count`: the
/// same, as loaded data is never sampled) and its `top` most frequent values with their counts
/// (most frequent first; ties in order of first appearance).
pub fn fields_summary(fields: &[(Arc<str>, PExpr)], top: usize, b: Batch, env: &Env) -> Batch {
    let mut names = Vec::new();
    let mut raw = Vec::new();
    let mut tops = Vec::new();
    for (name, e) in fields {
        let col = eval(e, &b, env);
        let (ids, reps) = group_ids(&col, b.len, env.store);
        let mut counts = vec![0i64; reps.len()];
        for &id in &ids {
            counts[id as usize] += 1;
        }
        let mut order: Vec<usize> = (0..reps.len()).filter(|&g| !reps[g].is_null()).collect();
        order.sort_by(|&x, &y| counts[y].cmp(&counts[x]));
        let present: i64 = order.iter().map(|&g| counts[g]).sum();
        let values: Arc<[Value]> = order
            .iter()
            .take(top)
            .map(|&g| {
                functions::record(vec![
                    (Arc::from("value"), reps[g].clone()),
                    (Arc::from("count"), Value::Long(counts[g])),
                ])
            })
            .collect();
        names.push(Value::str(name));
        raw.push(Value::Long(present));
        tops.push(Value::Array(values));
    }
    let n = names.len();
    Batch {
        len: n,
        source: None,
        fields: vec![
            (Arc::from("field"), Column::Values(names.into())),
            (Arc::from("rawCount"), Column::Values(raw.clone().into())),
            (Arc::from("count"), Column::Values(raw.into())),
            (Arc::from("values"), Column::Values(tops.into())),
        ],
    }
}
