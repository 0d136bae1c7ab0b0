//! `filter` and `filterOut`.
//!
//! When a condition reads one column and that column is dictionary-encoded (a JSON path such as
//! `event[eventSource]`, a small stored column such as `dt.system.bucket`, or a dictionary built
//! by an earlier command), the condition is evaluated once per dictionary entry and the rows are
//! then selected in one pass over their codes: no per-row values, no gathered code vector, and
//! when every row passes, the batch is returned as it is. `filter a and b` runs as `filter a`
//! then `filter b`, so that `b` is only looked at for the rows `a` kept.

use std::sync::Arc;

use super::column::{Batch, Column, Stored};
use super::eval::{eval, Env};
use crate::plan::{PExpr, PKey};
use crate::storage::codes::{Code, CodesRef};
use crate::storage::{BaseField, PathCodes, Store};
use crate::value::Value;

/// `filter e`: keeps the rows for which `e` is `true` (not null, not false, not a non-boolean).
pub fn filter(e: &PExpr, b: Batch, env: &Env) -> Batch {
    // Kleene `and` is true exactly when both sides are, so the rows `a and b` keeps are the rows
    // `a` keeps of which `b` keeps. Rows are evaluated independently, so `b` gives each row the
    // same value on the smaller batch.
    if let PExpr::Call(f, args) = e {
        if let (true, [x, y]) = (f.is_operator() && f.name == "and", args.as_slice()) {
            // Both sides on one column (`x > 1 and x < 5`): one pass over its dictionary.
            if b.len > 0 {
                if let Some(keep) = select_by_codes(e, &b, env, true) {
                    return apply(b, keep);
                }
            }
            let b = filter(x, b, env);
            if b.len == 0 {
                return b;
            }
            return filter(y, b, env);
        }
    }
    select(e, b, env, true)
}

/// `filterOut e`: drops the rows for which `e` is `true` (null and non-booleans stay).
pub fn filter_out(e: &PExpr, b: Batch, env: &Env) -> Batch {
    select(e, b, env, false)
}

/// Keeps the rows where "`e` is true" equals `when_true`.
fn select(e: &PExpr, b: Batch, env: &Env, when_true: bool) -> Batch {
    if b.len == 0 {
        return b;
    }
    if let Some(keep) = select_by_codes(e, &b, env, when_true) {
        return apply(b, keep);
    }
    if let Some(keep) = select_content_contains(e, &b, env, when_true) {
        return apply(b, keep);
    }
    let col = eval(e, &b, env);
    let is_true = |v: &Value| v.as_bool() == Some(true);
    let keep = match &col {
        Column::Const(v) => {
            if is_true(v) == when_true {
                None
            } else {
                Some(Vec::new())
            }
        }
        _ => match col.dict_form(env.store) {
            Some((codes, dict)) => {
                let truth: Vec<bool> = dict.iter().map(|v| is_true(v) == when_true).collect();
                select_rows(codes.iter().copied(), &truth)
            }
            None => {
                let store = env.store;
                select_flags(
                    (0..b.len)
                        .map(|i| super::budget::tick() && is_true(&col.get(i, store)) == when_true),
                )
            }
        },
    };
    apply(b, keep)
}

/// `contains(content, "literal")` (case-sensitive, as by default) over stored events: each
/// event's text is not rebuilt when the strings it holds already tell (see
/// [`crate::storage::TextFilter`]); only events with an object of no fixed shape are written
/// out and searched. `None` when `e` is not that or the literal can stand outside strings.
fn select_content_contains(
    e: &PExpr,
    b: &Batch,
    env: &Env,
    when_true: bool,
) -> Option<Option<Vec<u32>>> {
    let PExpr::Call(f, args) = e else {
        return None;
    };
    let [source, PExpr::Const(Value::Str(lit)), rest @ ..] = args.as_slice() else {
        return None;
    };
    if f.name != "contains" || !matches!(rest, [] | [PExpr::Const(Value::Bool(true))]) {
        return None;
    }
    let store = env.store?;
    let Column::Stored {
        rows,
        what: Stored::Base(BaseField::Content),
    } = eval(source, b, env)
    else {
        return None;
    };
    let mut text_filter = crate::storage::TextFilter::new(store, lit)?;
    let mut buf = String::new();
    Some(select_flags(rows.iter().map(|&row| {
        let found = text_filter.check(store, row).unwrap_or_else(|| {
            buf.clear();
            store.write_content(row, &mut buf);
            buf.contains(&**lit)
        });
        super::budget::tick() && found == when_true
    })))
}

/// The batch with only the rows in `keep`; `None` keeps all.
fn apply(b: Batch, keep: Option<Vec<u32>>) -> Batch {
    match keep {
        None => b,
        Some(k) => b.take(&k),
    }
}

/// The rows whose code's `truth` is set; `None` when that is all of them.
fn select_rows(codes: impl Iterator<Item = u32>, truth: &[bool]) -> Option<Vec<u32>> {
    select_flags(codes.map(|c| truth[c as usize]))
}

/// The positions of the set flags; `None` when all are set.
fn select_flags(mut flags: impl Iterator<Item = bool>) -> Option<Vec<u32>> {
    let first_unset = flags.position(|f| !f)?;
    let mut keep: Vec<u32> = (0..first_unset as u32).collect();
    for (i, f) in (first_unset as u32 + 1..).zip(flags) {
        if f {
            keep.push(i);
        }
    }
    Some(keep)
}

/// A column's codes: `codes[i]` for row `i` of the batch, or through the batch's stored rows,
/// `codes[rows[i]]`.
struct CodeView<'a> {
    rows: Option<&'a Arc<[u32]>>,
    codes: CodesRef<'a>,
}

/// The name the single column of a condition gets while the condition runs over its dictionary.
const ENTRY: &str = "\u{0}entry";

/// Selection through the dictionary of the one column `e` reads, if it reads one and that
/// column has a dictionary no larger than the batch warrants. `Some(None)`: all rows pass.
fn select_by_codes(e: &PExpr, b: &Batch, env: &Env, when_true: bool) -> Option<Option<Vec<u32>>> {
    let store = env.store;
    let mut found: Option<(&PExpr, SourceKey)> = None;
    if !single_source(e, b, &mut found) {
        return None;
    }
    let (source, _) = found?;
    let col = eval(source, b, env);
    let whole;
    let local;
    let (view, dict) = match &col {
        Column::Dict { codes, dict } => (
            CodeView {
                rows: None,
                codes: (&codes[..]).into(),
            },
            dict.clone(),
        ),
        Column::Stored { rows, what } => match what {
            Stored::Base(BaseField::Timestamp | BaseField::Content | BaseField::Service) => {
                return None
            }
            Stored::Base(f) => {
                let (codes, dict) = store?.base_codes(*f)?;
                let rows = Some(rows);
                let codes = codes.into();
                (CodeView { rows, codes }, Arc::from(dict))
            }
            Stored::Event(path) if path.is_empty() => return None,
            Stored::Event(path) => match store?.path_codes(path, rows) {
                PathCodes::Whole(c) => {
                    whole = c;
                    let (rows, codes) = (Some(rows), whole.codes.as_ref());
                    (CodeView { rows, codes }, whole.dict.clone())
                }
                PathCodes::Rows(c) => {
                    local = c;
                    let codes = (&local.codes[..]).into();
                    (CodeView { rows: None, codes }, local.dict.clone())
                }
            },
        },
        Column::Const(_) | Column::Values(_) => return None,
    };
    // Evaluating per entry must not be more work than per row.
    if dict.len() > b.len.max(64) * 2 {
        return None;
    }
    let entries = Batch {
        len: dict.len(),
        fields: vec![(Arc::from(ENTRY), Column::Values(dict))],
        source: None,
    };
    let per_entry = eval(&replace_source(e, b), &entries, env);
    let truth: Vec<bool> = (0..entries.len)
        .map(|k| (per_entry.get(k, None).as_bool() == Some(true)) == when_true)
        .collect();
    if truth.iter().all(|&t| t) {
        return Some(None);
    }
    if !truth.iter().any(|&t| t) {
        return Some(Some(Vec::new()));
    }
    let (rows, t) = (view.rows, &truth[..]);
    Some(match view.codes {
        CodesRef::U8(c) => select_coded(c, rows, t, store),
        CodesRef::U16(c) => select_coded(c, rows, t, store),
        CodesRef::U32(c) => select_coded(c, rows, t, store),
    })
}

/// The rows whose code's `truth` is set: `codes[i]`, or through the stored rows `codes[rows[i]]`.
fn select_coded<C: Code>(
    codes: &[C],
    rows: Option<&Arc<[u32]>>,
    truth: &[bool],
    store: Option<&Store>,
) -> Option<Vec<u32>> {
    match rows {
        None => select_rows(codes.iter().map(|&c| c.code()), truth),
        Some(rows) => {
            // The batch holds every stored row once: whether all pass needs no gather.
            if store.is_some_and(|s| s.is_all_rows(rows)) && all_pass(codes, truth) {
                return None;
            }
            select_rows(rows.iter().map(|&r| codes[r as usize].code()), truth)
        }
    }
}

/// Whether the truth of every code in `codes` is set. Branch-free over blocks of codes: for one
/// passing code, a comparison (which vectorises); for small dictionaries, a bit mask.
fn all_pass<C: Code>(codes: &[C], truth: &[bool]) -> bool {
    const BLOCK: usize = 1024;
    let mut passing = (0..truth.len() as u32).filter(|&k| truth[k as usize]);
    if let (Some(p), None) = (passing.next(), passing.next()) {
        return codes
            .chunks(BLOCK)
            .all(|b| b.iter().fold(true, |all, &c| all & (c.code() == p)));
    }
    if truth.len() <= 64 {
        let failing: u64 = (0..truth.len())
            .filter(|&k| !truth[k])
            .fold(0, |m, k| m | (1 << k));
        return codes.chunks(BLOCK).all(|b| {
            b.iter()
                .fold(0, |any, &c| any | (failing >> (c.code() & 63)))
                & 1
                == 0
        });
    }
    codes.iter().all(|&c| truth[c.code() as usize])
}

/// What identifies a column a condition reads: a field, and below a stored event, the member
/// path into it.
#[derive(PartialEq)]
struct SourceKey<'e> {
    field: &'e Arc<str>,
    path: Vec<&'e PKey>,
}

/// A member chain `field[k1][k2]…` below a stored event (which the executor reads as one stored
/// column), or a plain field: the column that node reads.
fn source_key<'e>(e: &'e PExpr, b: &Batch) -> Option<SourceKey<'e>> {
    match e {
        PExpr::Field(name) => Some(SourceKey {
            field: name,
            path: Vec::new(),
        }),
        PExpr::Member(base, key) => {
            let mut k = source_key(base, b)?;
            if !matches!(
                b.field(k.field),
                Some(Column::Stored {
                    what: Stored::Event(_),
                    ..
                })
            ) {
                return None;
            }
            k.path.push(key);
            Some(k)
        }
        _ => None,
    }
}

/// Walks `e`, recording in `found` the one column it reads; false if it reads two or more.
fn single_source<'e>(
    e: &'e PExpr,
    b: &Batch,
    found: &mut Option<(&'e PExpr, SourceKey<'e>)>,
) -> bool {
    if let Some(k) = source_key(e, b) {
        return match found {
            Some((_, seen)) => *seen == k,
            None => {
                *found = Some((e, k));
                true
            }
        };
    }
    match e {
        PExpr::Const(_) | PExpr::Compiled(_) | PExpr::Agg(_) | PExpr::Align(None, ..) => true,
        PExpr::Field(_) => true,
        PExpr::Member(base, _) => single_source(base, b, found),
        PExpr::Call(_, args) => args.iter().all(|a| single_source(a, b, found)),
        PExpr::Record(fields) => fields.iter().all(|(_, x)| single_source(x, b, found)),
        PExpr::Align(Some(x), ..) => single_source(x, b, found),
        // The sub-query's values are the same for every row.
        PExpr::InSet(x, _) => single_source(x, b, found),
        PExpr::Lookup { source, .. } => single_source(source, b, found),
        PExpr::Element(..) | PExpr::IterIndex => true,
        // Presence is not a function of the value (null and missing read alike).
        PExpr::SearchAll(_) | PExpr::Iterate { .. } | PExpr::Exists(_) => false,
    }
}

/// `e` with its one column (see [`single_source`]) read from the field [`ENTRY`].
fn replace_source(e: &PExpr, b: &Batch) -> PExpr {
    if source_key(e, b).is_some() {
        return PExpr::Field(Arc::from(ENTRY));
    }
    match e {
        PExpr::Member(base, key) => PExpr::Member(Box::new(replace_source(base, b)), key.clone()),
        PExpr::Call(f, args) => PExpr::Call(f, args.iter().map(|a| replace_source(a, b)).collect()),
        PExpr::Record(fields) => PExpr::Record(
            fields
                .iter()
                .map(|(k, x)| (k.clone(), replace_source(x, b)))
                .collect(),
        ),
        PExpr::Align(Some(x), unit, count, week) => {
            PExpr::Align(Some(Box::new(replace_source(x, b))), *unit, *count, *week)
        }
        PExpr::InSet(x, plan) => PExpr::InSet(Box::new(replace_source(x, b)), plan.clone()),
        PExpr::Lookup { table, source, key } => PExpr::Lookup {
            table: table.clone(),
            source: Box::new(replace_source(source, b)),
            key: key.clone(),
        },
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use crate::exec::{run_query, QueryOptions};
    use crate::ingest::{load_bytes, LoadOptions};
    use crate::storage::Store;
    use crate::value::Value;

    /// Events `{"i": n, …fields}` one second apart (i = 0 oldest), in the load order given.
    fn store_of(fields: &[String]) -> Arc<Store> {
        let events: Vec<String> = fields
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let sep = if f.is_empty() { "" } else { "," };
                format!(
                    "{{\"eventTime\":\"2026-11-20T{:02}:{:02}:{:02}Z\",\"eventID\":\"e{i}\",\"i\":{i}{sep}{f}}}",
                    i / 3600,
                    i / 60 % 60,
                    i % 60
                )
            })
            .collect();
        let json = format!("{{\"Records\":[{}]}}", events.join(","));
        let (store, report) = load_bytes("t.json", json.as_bytes(), LoadOptions::default());
        assert_eq!(report.events(), fields.len());
        store
    }

    /// The `i` of each result row, in order.
    fn ids(store: &Arc<Store>, q: &str) -> Vec<i64> {
        let out =
            run_query(store, q, &QueryOptions::default()).unwrap_or_else(|d| panic!("{q}: {d:?}"));
        let t = &out.table;
        let c = t.column_index("i").expect("an i column");
        (0..t.num_rows())
            .map(|r| match t.cell(c, r) {
                Value::Long(i) => i,
                other => panic!("{q}: i is {other:?}"),
            })
            .collect()
    }

    const BASE: &str = "fetch logs | parse content, \"JSON:event\" | fieldsAdd i = event[i]";

    /// Values of `x`: true, false, null, absent, a string, a number, an object.
    fn mixed() -> Arc<Store> {
        let xs = [
            "\"x\":true",
            "\"x\":false",
            "\"x\":null",
            "",
            "\"x\":\"true\"",
            "\"x\":1",
            "\"x\":{\"y\":true}",
            "\"x\":true",
        ];
        store_of(&xs.map(String::from))
    }

    #[test]
    fn filter_keeps_only_true_and_filter_out_drops_only_true() {
        let s = mixed();
        // Newest first: i = 7 … 0.
        assert_eq!(ids(&s, &format!("{BASE} | filter event[x]")), [7, 0]);
        assert_eq!(
            ids(&s, &format!("{BASE} | filterOut event[x]")),
            [6, 5, 4, 3, 2, 1]
        );
        assert_eq!(ids(&s, &format!("{BASE} | filter not event[x]")), [1]);
        assert_eq!(
            ids(&s, &format!("{BASE} | filterOut isNull(event[x])")),
            [7, 6, 5, 4, 1, 0]
        );
        assert_eq!(ids(&s, &format!("{BASE} | filter event[x][y]")), [6]);
        // A condition that is never or always true.
        assert_eq!(
            ids(&s, &format!("{BASE} | filter event[x] == 42")),
            [0i64; 0]
        );
        assert_eq!(
            ids(&s, &format!("{BASE} | filterOut event[x] == 42")).len(),
            8
        );
        assert_eq!(
            ids(&s, &format!("{BASE} | filter isNotNull(event[i])")).len(),
            8
        );
    }

    #[test]
    fn and_keeps_rows_where_both_sides_are_true() {
        // (x, y) over {true, false, null}²; i = 3·x + y.
        let v = ["true", "false", "null"];
        let fields: Vec<String> = (0..9)
            .map(|k| format!("\"x\":{},\"y\":{}", v[k / 3], v[k % 3]))
            .collect();
        let s = store_of(&fields);
        assert_eq!(
            ids(&s, &format!("{BASE} | filter event[x] and event[y]")),
            [0]
        );
        assert_eq!(
            ids(&s, &format!("{BASE} | filterOut event[x] and event[y]")),
            [8, 7, 6, 5, 4, 3, 2, 1]
        );
        assert_eq!(
            ids(&s, &format!("{BASE} | filter event[x] or event[y]")),
            [6, 3, 2, 1, 0]
        );
        // Nested both ways, with a constant and a condition on two columns.
        assert_eq!(
            ids(
                &s,
                &format!("{BASE} | filter event[i] > 2 and event[i] < 6")
            ),
            [5, 4, 3]
        );
        for q in [
            "filter event[x] and (event[y] and event[i] < 5)",
            "filter (event[x] and event[y]) and event[i] < 5",
            "filter event[x] and true and event[y] == event[x]",
        ] {
            assert_eq!(ids(&s, &format!("{BASE} | {q}")), [0], "{q}");
        }
        assert_eq!(
            ids(
                &s,
                &format!("{BASE} | filter event[i] >= 3 and not event[y]")
            ),
            [7, 4]
        );
        assert_eq!(
            ids(&s, &format!("{BASE} | filter event[x] and null")),
            [0i64; 0]
        );
    }

    #[test]
    fn filters_after_sort_limit_and_on_a_part_of_the_time() {
        let fields: Vec<String> = (0..20)
            .map(|i| format!("\"k\":{},\"x\":{}", (i * 7) % 20, i % 3 == 0))
            .collect();
        let s = store_of(&fields);
        // x is true for i = 0, 3, …, 18; k = 7i mod 20.
        assert_eq!(
            ids(&s, &format!("{BASE} | sort event[k] | filter event[x]")),
            [0, 3, 6, 9, 12, 15, 18]
                .map(|i: i64| ((i * 7) % 20, i))
                .into_iter()
                .collect::<std::collections::BTreeMap<_, _>>()
                .into_values()
                .collect::<Vec<_>>()
        );
        assert_eq!(
            ids(&s, &format!("{BASE} | limit 8 | filter event[x]")),
            [18, 15, 12]
        );
        assert_eq!(
            ids(&s, &format!("{BASE} | limit 8 | filterOut event[x]")),
            [19, 17, 16, 14, 13]
        );
        // Events 5 … 9 only.
        let frame = "fetch logs, from: \"2026-11-20T00:00:05Z\", to: \"2026-11-20T00:00:10Z\" | parse content, \"JSON:event\" | fieldsAdd i = event[i]";
        assert_eq!(ids(&s, &format!("{frame} | filter event[x]")), [9, 6]);
        assert_eq!(ids(&s, &format!("{frame} | filterOut event[x]")), [8, 7, 5]);
        assert_eq!(
            ids(
                &s,
                &format!("{frame} | filter dt.system.bucket == \"default_logs\"")
            ),
            [9, 8, 7, 6, 5]
        );
        assert_eq!(
            ids(
                &s,
                &format!("{BASE} | filter dt.system.bucket == \"default_logs\"")
            )
            .len(),
            20
        );
        assert_eq!(
            ids(
                &s,
                &format!("{BASE} | filter aws.service == \"cloudtrail\"")
            )
            .len(),
            20
        );
        assert_eq!(
            ids(
                &s,
                &format!("{BASE} | filterOut aws.service == \"cloudtrail\"")
            ),
            [0i64; 0]
        );
    }

    /// A few rows of a larger store: paths are looked up for those rows only, remembered, and
    /// the dictionary handed out is cut down to the entries the rows use.
    #[test]
    fn paths_read_for_a_few_rows_of_a_large_store() {
        let n = 2000;
        let fields: Vec<String> = (0..n)
            .map(|i| {
                let v = if i % 10 == 9 {
                    format!("{{\"o\":{i}}}")
                } else {
                    format!("\"v{}\"", i % 500)
                };
                format!("\"k\":{i},\"v\":{v},\"t\":{}", i % 4 == 0)
            })
            .collect();
        let s = store_of(&fields);
        let q = |cond: &str, tail: &str| format!("{BASE} | filter event[k] < {cond} | {tail}");
        let want = |below: i64, keep: &dyn Fn(i64) -> bool| -> Vec<i64> {
            (0..below).rev().filter(|&i| keep(i)).collect()
        };
        // Twice each: looked up, then remembered; 200 rows of 2000 (1/10) then 10 rows.
        for _ in 0..2 {
            for below in [200i64, 10, 150] {
                assert_eq!(
                    ids(&s, &q(&below.to_string(), "filter event[t]")),
                    want(below, &|i| i % 4 == 0)
                );
                assert_eq!(
                    ids(
                        &s,
                        &q(&below.to_string(), "filterOut startsWith(event[v], \"v1\")")
                    ),
                    want(below, &|i| i % 10 == 9
                        || !format!("v{}", i % 500).starts_with("v1"))
                );
                assert_eq!(
                    ids(&s, &q(&below.to_string(), "filter isNotNull(event[v][o])")),
                    want(below, &|i| i % 10 == 9)
                );
                let out = run_query(
                    &s,
                    &q(
                        &below.to_string(),
                        "summarize n = count(), by: {v = event[v]}",
                    ),
                    &QueryOptions::default(),
                )
                .unwrap();
                assert_eq!(out.table.num_rows(), below as usize);
            }
        }
        // Then all rows: the whole column is built and agrees.
        assert_eq!(
            ids(&s, &format!("{BASE} | filter event[t] and event[k] < 9")),
            [8, 4, 0]
        );
    }
}
