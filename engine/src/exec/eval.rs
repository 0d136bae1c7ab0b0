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
use crate::plan::{align_value, PExpr, PKey, Plan};
use crate::storage::{BaseField, Store};
use crate::value::{GroupKey, Value};

pub struct Env<'a> {
    pub store: Option<&'a Store>,
    pub ctx: Ctx,
    /// What commands have to tell the user about the result (e.g. a widened interval).
    pub notices: std::cell::RefCell<Vec<super::Notice>>,
    /// The global time frame (`fetch` without `from:`/`to:` reads it; `None`: all loaded data).
    pub global: (Option<i64>, Option<i64>),
    /// The value sets of `in [sub-query]`, by the sub-query's address: each runs once per run,
    /// however often its expression is evaluated (per element of an iteration, say).
    pub sets: std::cell::RefCell<Vec<(usize, Arc<InSet>)>>,
    /// The tables of `lookup(…)` functions, likewise.
    pub lookups: std::cell::RefCell<Vec<(usize, Arc<LookupTable>)>>,
}

/// A `lookup(…)` sub-query: each key's first record.
pub type LookupTable = std::collections::HashMap<GroupKey, Value>;

/// The values of an `in` sub-query's field.
pub type InSet = std::collections::HashSet<GroupKey>;

pub fn eval(e: &PExpr, b: &Batch, env: &Env) -> Column {
    match e {
        PExpr::Const(v) => Column::Const(v.clone()),
        PExpr::Compiled(p) => Column::Const(p.value.clone()),
        PExpr::Field(name) => b.field(name).cloned().unwrap_or(Column::Const(Value::Null)),
        PExpr::Agg(_) => Column::Const(Value::Null),
        PExpr::SearchAll(term) => search_all(term, b, env),
        PExpr::InSet(x, plan) => {
            let set = sub_query_set(plan, env);
            let col = eval(x, b, env);
            let member = |v: &Value| match v {
                Value::Null => false,
                Value::Array(xs) => xs.iter().any(|x| set.contains(&GroupKey(x.clone()))),
                v => set.contains(&GroupKey(v.clone())),
            };
            map_one(col, b.len, env, |v| Value::Bool(member(v)))
        }
        PExpr::Iterate { any, arrays, body } => iterate(*any, arrays, body, b, env),
        PExpr::Lookup { table, source, key } => {
            let found = lookup_table(table, key, env);
            let col = eval(source, b, env);
            map_one(col, b.len, env, |v| match v {
                Value::Null => Value::Null,
                v => found
                    .get(&GroupKey(v.clone()))
                    .cloned()
                    .unwrap_or(Value::Null),
            })
        }
        PExpr::Element(k, _) => b
            .field(&element_name(*k))
            .cloned()
            .unwrap_or(Column::Const(Value::Null)),
        PExpr::IterIndex => b
            .field(INDEX_NAME)
            .cloned()
            .unwrap_or(Column::Const(Value::Null)),
        PExpr::Member(base, key) => {
            let base = eval(base, b, env);
            member(base, key, b.len, env)
        }
        PExpr::Exists(path) => exists(path, b, env),
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

/// `exists(path)`: a field exists where the batch has it (results are tables); a member where
/// its parent has a member of that name (an element at that index): stored events are asked
/// directly, as their values read JSON null and a missing member alike.
fn exists(path: &PExpr, b: &Batch, env: &Env) -> Column {
    let (base, key) = match path {
        PExpr::Field(name) => return Column::Const(Value::Bool(b.field(name).is_some())),
        PExpr::Member(base, key) => (base, key),
        _ => return Column::Const(Value::Bool(false)),
    };
    if let PExpr::Field(name) = &**base {
        if b.field(name).is_none() {
            return Column::Const(Value::Bool(false));
        }
    }
    let parent = eval(base, b, env);
    if let (
        Column::Stored {
            rows,
            what: Stored::Event(p),
        },
        Some(store),
    ) = (&parent, env.store)
    {
        let mut full: Vec<String> = p.to_vec();
        full.push(match key {
            PKey::Name(n) => n.to_string(),
            PKey::Index(i) if *i >= 0 => format!("\u{0}{i}"),
            PKey::Index(_) => return Column::Const(Value::Bool(false)),
        });
        let found = store.has_path(rows, &full);
        return Column::Values(found.into_iter().map(Value::Bool).collect());
    }
    map_one(parent, b.len, env, |v| {
        Value::Bool(match (v, key) {
            (Value::Record(r), PKey::Name(n)) => r.fields.iter().any(|(k, _)| **k == **n),
            (Value::Array(a), PKey::Index(i)) => usize::try_from(*i).is_ok_and(|i| i < a.len()),
            _ => false,
        })
    })
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
        // `random()` gives each record its own value.
        0 if !f.deterministic => {
            let args: Vec<Value> = cols.iter().map(|c| c.get(0, None)).collect();
            Column::Values((0..len).map(|_| f.apply(&args, &env.ctx)).collect())
        }
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

/// Inside an iterative body: the field holding the current element of array `k`, and the one
/// holding the position (names no query can write).
fn element_name(k: usize) -> String {
    format!("\u{0}element {k}")
}

const INDEX_NAME: &str = "\u{0}index";

/// `iCollectArray(body)` / `iAny(body)` per row: `body` runs over a batch of the row's elements
/// (one row per element, the fields it reads constant). Arrays of unequal length, or a value
/// that is not an array, make the row null.
fn iterate(any: bool, arrays: &[PExpr], body: &PExpr, b: &Batch, env: &Env) -> Column {
    let cols: Vec<Column> = arrays.iter().map(|a| eval(a, b, env)).collect();
    let mut reads = Vec::new();
    fields_read(body, &mut reads);
    let names: Vec<Arc<str>> = (0..arrays.len())
        .map(|k| Arc::from(element_name(k).as_str()))
        .collect();
    let rows: Arc<[Value]> = (0..b.len)
        .map(|i| {
            if !budget::tick() {
                return Value::Null;
            }
            let mut len = None;
            let mut elements = Vec::with_capacity(cols.len());
            for c in &cols {
                match c.get(i, env.store) {
                    Value::Array(xs) if len.is_none_or(|n| n == xs.len()) => {
                        len = Some(xs.len());
                        elements.push(xs);
                    }
                    _ => return Value::Null,
                }
            }
            let n = len.unwrap_or(0);
            if !budget::charge(16 * n) {
                return Value::Null;
            }
            let mut fields: Vec<(Arc<str>, Column)> = reads
                .iter()
                .map(|f: &Arc<str>| {
                    let v = b.field(f).map_or(Value::Null, |c| c.get(i, env.store));
                    (f.clone(), Column::Const(v))
                })
                .collect();
            for (name, xs) in names.iter().zip(elements) {
                fields.push((name.clone(), Column::Values(xs)));
            }
            fields.push((
                Arc::from(INDEX_NAME),
                Column::Values((0..n).map(|j| Value::Long(j as i64)).collect()),
            ));
            let each = Batch {
                len: n,
                fields,
                source: None,
            };
            let out = eval(body, &each, env).materialize(n, env.store);
            if any {
                if out.iter().any(|v| v.as_bool() == Some(true)) {
                    Value::Bool(true)
                } else if n > 0 && out.iter().all(Value::is_null) {
                    Value::Null
                } else {
                    Value::Bool(false)
                }
            } else {
                Value::Array(out)
            }
        })
        .collect();
    Column::Values(rows)
}

/// The record fields an expression reads.
fn fields_read(e: &PExpr, out: &mut Vec<Arc<str>>) {
    match e {
        PExpr::Field(f) => {
            if !out.contains(f) {
                out.push(f.clone())
            }
        }
        PExpr::Member(x, _) | PExpr::Align(Some(x), ..) | PExpr::InSet(x, _) | PExpr::Exists(x) => {
            fields_read(x, out)
        }
        PExpr::Lookup { source, .. } => fields_read(source, out),
        PExpr::Call(_, args) => args.iter().for_each(|a| fields_read(a, out)),
        PExpr::Record(fs) => fs.iter().for_each(|(_, x)| fields_read(x, out)),
        PExpr::Iterate { arrays, body, .. } => {
            arrays.iter().for_each(|a| fields_read(a, out));
            fields_read(body, out);
        }
        PExpr::Const(_)
        | PExpr::Compiled(_)
        | PExpr::Align(None, ..)
        | PExpr::Agg(_)
        | PExpr::SearchAll(_)
        | PExpr::Element(..)
        | PExpr::IterIndex => {}
    }
}

/// The values of a sub-query's one field (elements of arrays count one by one), for `in`; run
/// once per run and plan.
fn sub_query_set(plan: &Plan, env: &Env) -> Arc<InSet> {
    let key = plan as *const Plan as usize;
    if let Some((_, set)) = env.sets.borrow().iter().find(|(k, _)| *k == key) {
        return set.clone();
    }
    let set = Arc::new(run_set(plan, env));
    env.sets.borrow_mut().push((key, set.clone()));
    set
}

/// A `lookup(…)` function's table: each key's first record, every field of the sub-query in
/// it; run once per run and plan.
fn lookup_table(plan: &Plan, key: &PExpr, env: &Env) -> Arc<LookupTable> {
    let id = plan as *const Plan as usize;
    if let Some((_, t)) = env.lookups.borrow().iter().find(|(k, _)| *k == id) {
        return t.clone();
    }
    let (batch, _, _) = super::run_plan(plan, env);
    let keys = eval(key, &batch, env).materialize(batch.len, env.store);
    let cols: Vec<(Arc<str>, Arc<[Value]>)> = batch
        .fields
        .iter()
        .map(|(n, c)| (n.clone(), c.materialize(batch.len, env.store)))
        .collect();
    let mut table = LookupTable::new();
    for (r, k) in keys.iter().enumerate() {
        if k.is_null() || table.contains_key(&GroupKey(k.clone())) {
            continue;
        }
        if !budget::tick() || !budget::charge(64 + 40 * cols.len()) {
            break;
        }
        let rec = functions::record(
            cols.iter()
                .map(|(n, v)| (n.clone(), v[r].clone()))
                .collect(),
        );
        table.insert(GroupKey(k.clone()), rec);
    }
    let table = Arc::new(table);
    env.lookups.borrow_mut().push((id, table.clone()));
    table
}

fn run_set(plan: &Plan, env: &Env) -> InSet {
    let (batch, _, _) = super::run_plan(plan, env);
    let mut set = InSet::new();
    if let Some((_, col)) = batch.fields.first() {
        for v in col.materialize(batch.len, env.store).iter() {
            match v {
                Value::Null => {}
                Value::Array(xs) => set.extend(xs.iter().map(|x| GroupKey(x.clone()))),
                v => {
                    set.insert(GroupKey(v.clone()));
                }
            }
        }
    }
    // The set's table: a key and a hash per value.
    budget::charge(set.len() * (std::mem::size_of::<GroupKey>() + 16));
    set
}

/// `search "term"`: per row, whether any field's value matches (names of top-level fields are
/// not searched; names inside records are). A column is searched once per distinct value when
/// it is dictionary-encoded; the raw event (`content`) is searched as the parsed event, member
/// names and values, without rebuilding its text.
fn search_all(term: &str, b: &Batch, env: &Env) -> Column {
    let mut hit = vec![false; b.len];
    for (_, col) in &b.fields {
        match col {
            Column::Const(v) => {
                if functions::search_value(v, term) {
                    return Column::Const(Value::Bool(true));
                }
            }
            Column::Stored {
                rows,
                what: Stored::Base(BaseField::Content),
            } => {
                let Some(store) = env.store else { continue };
                for (h, &r) in hit.iter_mut().zip(rows.iter()) {
                    if !*h && budget::tick() {
                        *h = functions::search_value(&store.event_value(r, &[]), term);
                    }
                }
            }
            _ => match cheap_dict(col, b.len, env) {
                Some((codes, dict)) => {
                    let m: Vec<bool> = dict
                        .iter()
                        .map(|v| functions::search_value(v, term))
                        .collect();
                    for (h, &c) in hit.iter_mut().zip(codes.iter()) {
                        *h |= m[c as usize];
                    }
                }
                None => {
                    for (i, h) in hit.iter_mut().enumerate() {
                        if !*h && budget::tick() {
                            *h = functions::search_value(&col.get(i, env.store), term);
                        }
                    }
                }
            },
        }
    }
    Column::Values(hit.into_iter().map(Value::Bool).collect())
}
