//! Executor: runs a [`Plan`] over a [`Store`] and returns a [`Table`].
//!
//! `fetch logs` selects rows by time frame (a binary search: rows are stored newest first) and
//! exposes the stored fields lazily; each command then maps a [`Batch`] to a new one.

pub mod aggregate;
pub mod budget;
pub mod column;
mod correlate;
pub mod eval;
mod extract;
mod filter;
mod output;
mod source;
mod structure;
mod table;

use std::cmp::Ordering;
use std::sync::Arc;

use crate::diag::{Code, Diagnostic};
use crate::functions::Ctx;
use crate::plan::{self, field_matches, Op, PlanCtx, SortKey};
use crate::storage::Store;
use crate::syntax;
use crate::value::{sort_cmp, Value};
use column::{group_ids, Batch, Column};
use eval::{eval, Env};
pub use output::{Notice, NoticeKind, ResultKind, Series, SeriesSet};
pub use table::{FieldStat, Table};

/// Per-run inputs: the reference time and the global time frame (the time frame selector).
#[derive(Clone, Debug, Default)]
pub struct QueryOptions {
    /// "Now" for relative time frames, ns since the epoch. `None`: just after the newest event.
    pub now_ns: Option<i64>,
    /// Global time frame used when the query's `fetch` gives none. `None`: all loaded data.
    pub from_ns: Option<i64>,
    pub to_ns: Option<i64>,
    /// Memory for the values the run builds, and a way to stop it (see [`budget`]).
    pub limits: budget::Limits,
}

#[derive(Clone, Debug)]
pub struct QueryOutput {
    pub table: Table,
    /// Things the user should know about the result (e.g. an empty time frame).
    pub notices: Vec<Notice>,
    pub warnings: Vec<Diagnostic>,
    /// The time frame `fetch` read, if any.
    pub timeframe: Option<(i64, i64)>,
    pub now_ns: i64,
    /// A table of records, or a time series to chart.
    pub kind: ResultKind,
    /// The command the run's budget stopped it in (see [`budget`]), if it was.
    pub stopped_at: Option<usize>,
}

impl QueryOutput {
    /// A `makeTimeseries` result as chart lines; `None` for other results.
    pub fn series(&self) -> Option<SeriesSet> {
        match self.kind {
            ResultKind::Timeseries => output::series(&self.table),
            ResultKind::Records => None,
        }
    }
}

/// Parses, plans and runs a query. Errors come back as diagnostics (never a panic).
pub fn run_query(
    store: &Arc<Store>,
    query: &str,
    opts: &QueryOptions,
) -> Result<QueryOutput, Vec<Diagnostic>> {
    // From planning on: constant folding builds values too (`concat("…", "…")` nested).
    let guard = budget::start(&opts.limits);
    let (plan, now, diags) = match prepare(store, query, opts) {
        Ok(p) if budget::stopped().is_none() => p,
        Ok(_) => return Err(vec![stopped_diagnostic(budget::stopped(), query)]),
        Err(d) => return Err(d),
    };
    let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        execute(store, &plan, now, opts)
    }));
    let stop = budget::stopped();
    drop(guard);
    match run {
        Ok(out) if stop.is_some() => {
            // Where it stopped: the command that was running.
            let at = plan
                .spans
                .get(out.stopped_at.unwrap_or(0))
                .copied()
                .unwrap_or_default();
            let mut d = stopped_diagnostic(stop, query);
            d.span = at;
            Err(vec![d])
        }
        Ok(mut out) => {
            out.warnings = diags;
            Ok(out)
        }
        Err(_) => Err(vec![Diagnostic::error(
            Code::E901,
            crate::diag::Span::new(0, query.len()),
            "internal error while running the query; please report it with the query",
        )]),
    }
}

/// The plan a query would run, printed (`EXPLAIN`), with the warnings planning gave.
pub fn explain_query(
    store: &Arc<Store>,
    query: &str,
    opts: &QueryOptions,
) -> Result<(String, Vec<Diagnostic>), Vec<Diagnostic>> {
    let _guard = budget::start(&opts.limits);
    let (plan, now, diags) = prepare(store, query, opts)?;
    if budget::stopped().is_some() {
        return Err(vec![stopped_diagnostic(budget::stopped(), query)]);
    }
    Ok((plan.explain(now), diags))
}

/// Lexes, parses and plans: the plan, "now", and the warnings; or every error.
fn prepare(
    store: &Arc<Store>,
    query: &str,
    opts: &QueryOptions,
) -> Result<(plan::Plan, i64, Vec<Diagnostic>), Vec<Diagnostic>> {
    let now = opts.now_ns.unwrap_or_else(|| {
        store
            .time_span()
            .map_or(0, |(_, newest)| default_now(newest))
    });
    let (ast, mut diags) = syntax::parse(query);
    let (plan, plan_diags) = plan::plan(
        &ast,
        &PlanCtx {
            now,
            event_keys: store.event_keys(),
        },
    );
    diags.extend(plan_diags);
    diags.sort_by_key(|d| (d.span.start, d.span.end));
    match plan {
        Some(p) if !diags.iter().any(Diagnostic::is_error) => Ok((p, now, diags)),
        _ => {
            if !diags.iter().any(Diagnostic::is_error) {
                diags.push(Diagnostic::error(
                    Code::E900,
                    crate::diag::Span::new(0, query.len()),
                    "internal error: no plan and no error",
                ));
            }
            Err(diags)
        }
    }
}

/// The error of a run its budget stopped.
fn stopped_diagnostic(stop: Option<budget::Stop>, query: &str) -> Diagnostic {
    let span = crate::diag::Span::new(0, query.len());
    match stop {
        Some(budget::Stop::Memory { limit }) => Diagnostic::error(
            crate::diag::Code::E401,
            span,
            format!(
                "the query builds more than {} of values (strings, arrays, records) and was stopped",
                crate::ingest::archive::show_size(limit)
            ),
        )
        .with_hint("filter first, keep fewer or shorter fields, or avoid functions that grow values (concat, replaceString, collectArray) over many records"),
        _ => Diagnostic::error(crate::diag::Code::E402, span, "the query was stopped (cancelled, or over its time limit); the loaded data is unchanged")
            .with_hint("narrow it down with a time frame or filters and run it again"),
    }
}

/// "Now" when the caller gives none: the first whole second after the newest event, so that
/// `from: -30min` means the export's last half hour (an export is read after the fact).
pub fn default_now(newest: i64) -> i64 {
    (newest.div_euclid(crate::time::NS_PER_SEC) + 1) * crate::time::NS_PER_SEC
}

fn execute(store: &Arc<Store>, plan: &plan::Plan, now: i64, opts: &QueryOptions) -> QueryOutput {
    let env = Env {
        store: Some(store),
        ctx: Ctx { now },
        notices: Default::default(),
        global: (opts.from_ns, opts.to_ns),
        sets: Default::default(),
        lookups: Default::default(),
    };
    // Records patterns give up on are counted per thread; start from zero.
    crate::dpl::take_gave_up();
    let (batch, tf, stopped_at) = run_plan(plan, &env);
    let mut notices = env.notices.take();
    let gave_up = crate::dpl::take_gave_up();
    if gave_up > 0 {
        notices.push(Notice::PatternGaveUp { records: gave_up });
    }
    let table = Table::new(batch, Some(store.clone()));
    let made_series = plan
        .ops
        .iter()
        .any(|op| matches!(op, Op::MakeTimeseries(_)));
    QueryOutput {
        kind: output::result_kind(made_series, &table),
        stopped_at,
        table,
        notices,
        warnings: Vec::new(),
        timeframe: tf,
        now_ns: now,
    }
}

/// Runs a plan (the query, or a sub-query of `lookup`, `join`, `append`, `in`): its batch, the
/// time frame `fetch` read, and the command its budget stopped it in, if it did.
pub(crate) fn run_plan(plan: &plan::Plan, env: &Env) -> (Batch, Option<(i64, i64)>, Option<usize>) {
    let now = env.ctx.now;
    let (mut batch, tf) = source::source_batch(&plan.source, env);
    let query_tf = tf.unwrap_or((now - 2 * crate::time::NS_PER_HOUR, now));
    let mut stopped_at = None;
    for (i, op) in plan.ops.iter().enumerate() {
        if budget::check_interrupt().is_some() {
            stopped_at = Some(i);
            break;
        }
        let before: Vec<*const Value> = batch
            .fields
            .iter()
            .filter_map(|(_, c)| match c {
                Column::Values(v) => Some(v.as_ptr()),
                _ => None,
            })
            .collect();
        batch = run_op(op, batch, env, query_tf);
        // The vectors of values this command made count too (their contents were counted as
        // they were built).
        for (_, c) in &batch.fields {
            if let Column::Values(v) = c {
                if !before.contains(&v.as_ptr()) {
                    budget::charge(v.len() * std::mem::size_of::<Value>());
                }
            }
        }
        if budget::stopped().is_some() {
            stopped_at = Some(i);
            break;
        }
    }
    (batch, tf, stopped_at)
}

fn run_op(op: &Op, b: Batch, env: &Env, query_tf: (i64, i64)) -> Batch {
    match op {
        Op::Filter(e) => filter::filter(e, b, env),
        Op::FilterOut(e) => filter::filter_out(e, b, env),
        Op::Fields(items) => {
            let fields = items
                .iter()
                .map(|(n, e)| (n.clone(), eval(e, &b, env)))
                .collect();
            Batch {
                len: b.len,
                fields,
                source: b.source,
            }
        }
        Op::FieldsAdd(items) => {
            // Every expression sees the input record, then all are assigned.
            let cols: Vec<Column> = items.iter().map(|(_, e)| eval(e, &b, env)).collect();
            let mut out = b;
            for ((n, _), c) in items.iter().zip(cols) {
                out.set(n.clone(), c);
            }
            out
        }
        Op::FieldsKeep(pats) => {
            let mut out = b;
            out.fields
                .retain(|(n, _)| pats.iter().any(|p| field_matches(p, n)));
            out
        }
        Op::FieldsRemove(pats) => {
            let mut out = b;
            out.fields
                .retain(|(n, _)| !pats.iter().any(|p| field_matches(p, n)));
            out
        }
        Op::FieldsRename(pairs) => {
            let mut out = b;
            for (new, old) in pairs {
                if let Some(i) = out.fields.iter().position(|(n, _)| n == old) {
                    out.fields.retain(|(n, _)| n != new || n == old);
                    let i = out.fields.iter().position(|(n, _)| n == old).unwrap_or(i);
                    out.fields[i].0 = new.clone();
                }
            }
            out
        }
        Op::Sort(keys) => {
            let order = sort_order(&b, keys, env);
            b.take(&order)
        }
        Op::Limit(n) => {
            if b.len <= *n {
                b
            } else {
                b.take(&(0..*n as u32).collect::<Vec<_>>())
            }
        }
        Op::Dedup { keys, sort } => {
            let b = if sort.is_empty() {
                b
            } else {
                b.take(&sort_order(&b, sort, env))
            };
            let ids: Vec<Vec<u32>> = keys
                .iter()
                .map(|k| group_ids(&eval(k, &b, env), b.len, env.store).0)
                .collect();
            let (_, first_rows) = column::combine_groups(&ids, b.len);
            let keep: Vec<u32> = first_rows.iter().map(|&r| r as u32).collect();
            b.take(&keep)
        }
        Op::Parse {
            input,
            pattern,
            preserve,
            prerequisite,
        } => extract::parse(input, pattern, *preserve, prerequisite.as_ref(), b, env),
        Op::Search(e) => filter::filter(e, b, env),
        Op::Expand { name, array, limit } => structure::expand(name, array, *limit, b, env),
        Op::FieldsFlatten {
            record,
            prefix,
            depth,
            fields,
        } => structure::flatten(record, prefix, *depth, fields, b, env),
        Op::FieldsSummary { fields, top } => structure::fields_summary(fields, *top, b, env),
        Op::Append(plan) => correlate::append(plan, b, env),
        Op::Lookup {
            table,
            source,
            key,
            prefix,
            fields,
        } => correlate::lookup(table, source, key, prefix, fields, b, env),
        Op::Join {
            table,
            kind,
            on,
            prefix,
            fields,
        } => correlate::join(table, *kind, on, prefix, fields, b, env),
        Op::JoinNested {
            table,
            name,
            on,
            fields,
        } => correlate::join_nested(table, name, on, fields, b, env),
        Op::Summarize { by, aggs, outputs } => aggregate::summarize(&b, by, aggs, outputs, env),
        Op::MakeTimeseries(ts) => aggregate::make_timeseries(&b, ts, query_tf, env),
    }
}

/// The JSON matcher: an object at the start of the text (leading whitespace allowed, trailing
/// text ignored); anything else fails and gives null.
fn parse_json_object(s: &str) -> Option<Value> {
    let t = s.trim_start();
    if !t.starts_with('{') {
        return None;
    }
    let mut tape = crate::storage::tape::Tape::default();
    let mut interner = crate::storage::intern::Interner::default();
    let mut p = crate::storage::tape::Parser::new(&mut tape, &mut interner, t.as_bytes());
    p.value().ok()?;
    drop(p);
    Some(
        crate::storage::tape::Doc {
            tape: &tape,
            interner: &interner,
        }
        .value(0),
    )
}

/// A stable ordering of the rows by the sort keys; nulls last in both directions.
fn sort_order(b: &Batch, keys: &[SortKey], env: &Env) -> Vec<u32> {
    enum K {
        Rank(Vec<u32>),
        Vals(Vec<Value>),
    }
    let cols: Vec<(K, bool)> = keys
        .iter()
        .map(|k| {
            let col = eval(&k.expr, b, env);
            let key = match col.dict_form(env.store) {
                Some((codes, dict)) if dict.len() <= b.len.max(64) => {
                    // Sort the dictionary once; rows compare ranks. Null ranks after everything.
                    let mut idx: Vec<usize> = (0..dict.len()).collect();
                    idx.sort_by(|&x, &y| sort_cmp(&dict[x], &dict[y]));
                    let mut rank = vec![0u32; dict.len()];
                    let mut r = 0;
                    for (pos, &i) in idx.iter().enumerate() {
                        if pos > 0 && sort_cmp(&dict[idx[pos - 1]], &dict[i]) != Ordering::Equal {
                            r += 1;
                        }
                        rank[i] = if dict[i].is_null() { u32::MAX } else { r };
                    }
                    K::Rank(codes.iter().map(|&c| rank[c as usize]).collect())
                }
                _ => K::Vals(col.materialize(b.len, env.store).to_vec()),
            };
            (key, k.descending)
        })
        .collect();
    let mut order: Vec<u32> = (0..b.len as u32).collect();
    order.sort_by(|&x, &y| {
        for (k, desc) in &cols {
            let (x, y) = (x as usize, y as usize);
            let o = match k {
                K::Rank(r) => {
                    let (a, c) = (r[x], r[y]);
                    match (a == u32::MAX, c == u32::MAX) {
                        (true, true) => Ordering::Equal,
                        (true, false) => return Ordering::Greater,
                        (false, true) => return Ordering::Less,
                        _ => a.cmp(&c),
                    }
                }
                K::Vals(v) => match (v[x].is_null(), v[y].is_null()) {
                    (true, true) => Ordering::Equal,
                    (true, false) => return Ordering::Greater,
                    (false, true) => return Ordering::Less,
                    _ => sort_cmp(&v[x], &v[y]),
                },
            };
            let o = if *desc { o.reverse() } else { o };
            if o != Ordering::Equal {
                return o;
            }
        }
        Ordering::Equal
    });
    order
}
