//! Aggregation: `summarize` (one row per group) and `makeTimeseries` (one row per group with an
//! array per aggregation, one element per time bin).

use std::sync::Arc;

use super::budget;
use super::column::{combine_groups, group_ids, Batch, Column, Stored};
use super::eval::{eval, true_rows, Env};
use crate::functions::{Aggregate, BinEdge, State};
use crate::plan::{AggCall, PExpr, Timeseries};
use crate::storage::BaseField;
use crate::time::{NS_PER_DAY, NS_PER_HOUR, NS_PER_MIN};
use crate::value::Value;

/// Per-row inputs of one aggregation: none (`count()`), one argument column, several
/// (`correlation`, `weight:`), or for `countIf` a truth mask.
enum Input {
    None,
    Col(Column),
    Cols(Vec<Column>),
    Mask(Vec<bool>),
}

/// The aggregation a call runs (the planner only makes calls of aggregation functions).
fn agg(call: &AggCall) -> Aggregate {
    call.func.aggregate().copied().unwrap_or(NO_AGGREGATE)
}

/// Never used: stands in if a plan ever held a call of a scalar function here.
const NO_AGGREGATE: Aggregate = Aggregate {
    init: |_| State::Count(0),
    update: |_, _| {},
    finish: |_, _| Value::Null,
    condition: false,
    in_timeseries: false,
    bin: None,
};

/// The call's per-record inputs over a batch, and its constant parameters.
fn input(call: &AggCall, b: &Batch, env: &Env) -> (Input, Vec<Value>) {
    let (inputs, consts) = call.split();
    let inp = match inputs.as_slice() {
        [] => Input::None,
        [e] if agg(call).condition => {
            let col = eval(e, b, env);
            let mut mask = vec![false; b.len];
            for i in true_rows(&col, b.len, env) {
                mask[i as usize] = true;
            }
            Input::Mask(mask)
        }
        [e] => Input::Col(eval(e, b, env)),
        es => Input::Cols(es.iter().map(|e| eval(e, b, env)).collect()),
    };
    (inp, consts)
}

/// Feeds one row to a state: a row whose first argument is null does not count.
fn feed(a: &Aggregate, inp: &Input, row: usize, state: &mut State, env: &Env) {
    match inp {
        Input::None => (a.update)(state, &[Value::Bool(true)]),
        Input::Mask(m) => {
            if m[row] {
                (a.update)(state, &[Value::Bool(true)]);
            }
        }
        Input::Col(c) => {
            let v = c.get(row, env.store);
            if !v.is_null() {
                (a.update)(state, std::slice::from_ref(&v));
            }
        }
        Input::Cols(cs) => {
            let first = cs.first().map_or(Value::Null, |c| c.get(row, env.store));
            if !first.is_null() {
                let mut vals = Vec::with_capacity(cs.len());
                vals.push(first);
                vals.extend(cs[1..].iter().map(|c| c.get(row, env.store)));
                (a.update)(state, &vals);
            }
        }
    }
}

/// Group keys of a batch: per group its key values, and each row's group.
fn groups(by: &[(Arc<str>, PExpr)], b: &Batch, env: &Env) -> (Vec<u32>, Vec<Vec<Value>>) {
    let mut ids = Vec::new();
    let mut reps = Vec::new();
    for (_, e) in by {
        let col = eval(e, b, env);
        let (i, r) = group_ids(&col, b.len, env.store);
        ids.push(i);
        reps.push(r);
    }
    let (gids, first_rows) = combine_groups(&ids, b.len);
    let keys = first_rows
        .iter()
        .map(|&row| {
            ids.iter()
                .zip(&reps)
                .map(|(i, r)| r[i[row] as usize].clone())
                .collect()
        })
        .collect();
    (gids, keys)
}

fn rewrite_slots(e: &PExpr) -> PExpr {
    match e {
        PExpr::Agg(i) => PExpr::Field(Arc::from(format!("\u{0}agg{i}").as_str())),
        PExpr::Call(f, args) => PExpr::Call(f, args.iter().map(rewrite_slots).collect()),
        PExpr::Member(b, k) => PExpr::Member(Box::new(rewrite_slots(b)), k.clone()),
        PExpr::Record(fs) => PExpr::Record(
            fs.iter()
                .map(|(k, v)| (k.clone(), rewrite_slots(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

pub fn summarize(
    b: &Batch,
    by: &[(Arc<str>, PExpr)],
    aggs: &[AggCall],
    outputs: &[(Arc<str>, PExpr)],
    env: &Env,
) -> Batch {
    let (gids, keys) = groups(by, b, env);
    // Without `by` there is exactly one group, even for empty input.
    let ngroups = if by.is_empty() { 1 } else { keys.len() };
    let mut out = Batch {
        len: ngroups,
        fields: Vec::new(),
        source: None,
    };
    for (k, (name, _)) in by.iter().enumerate() {
        out.fields.push((
            name.clone(),
            Column::Values(keys.iter().map(|g| g[k].clone()).collect()),
        ));
    }
    let mut slots = Batch {
        len: ngroups,
        fields: Vec::new(),
        source: None,
    };
    for (i, call) in aggs.iter().enumerate() {
        if call.elementwise {
            let vals = elementwise(call, &gids, ngroups, b, env);
            slots.fields.push((
                Arc::from(format!("\u{0}agg{i}").as_str()),
                Column::Values(vals),
            ));
            continue;
        }
        let (inp, consts) = input(call, b, env);
        let a = agg(call);
        let mut states: Vec<State> = (0..ngroups).map(|_| (a.init)(&consts)).collect();
        if matches!(inp, Input::None) {
            // No parameter: the aggregation counts rows (`count()`).
            let mut counts = vec![0i64; ngroups];
            for &g in &gids {
                counts[g as usize] += 1;
            }
            states = counts.into_iter().map(State::Count).collect();
        } else {
            for (row, &g) in gids.iter().enumerate() {
                if !budget::tick() {
                    break;
                }
                feed(&a, &inp, row, &mut states[g as usize], env);
            }
        }
        let vals: Arc<[Value]> = states.into_iter().map(|s| (a.finish)(s, &consts)).collect();
        slots.fields.push((
            Arc::from(format!("\u{0}agg{i}").as_str()),
            Column::Values(vals),
        ));
    }
    for (name, e) in outputs {
        let col = eval(&rewrite_slots(e), &slots, env);
        out.fields.push((
            name.clone(),
            Column::Values(col.materialize(ngroups, env.store)),
        ));
    }
    out
}

/// `sum(a[])` in summarize: per group, one state per array position; each record's array
/// feeds its element k to state k (a null element does not count, as a null value does not).
/// A group's result is the array of the states' results, as long as its longest array; null
/// when no record of the group had an array. For `countIf(a[] > 2)`, an element counts when it
/// is true.
fn elementwise(call: &AggCall, gids: &[u32], ngroups: usize, b: &Batch, env: &Env) -> Arc<[Value]> {
    let (inputs, consts) = call.split();
    let a = agg(call);
    let col = inputs.first().map(|e| eval(e, b, env));
    let mut states: Vec<Option<Vec<State>>> = (0..ngroups).map(|_| None).collect();
    if let Some(col) = &col {
        for (row, &g) in gids.iter().enumerate() {
            if !budget::tick() {
                break;
            }
            let Value::Array(items) = col.get(row, env.store) else {
                continue;
            };
            let st = states[g as usize].get_or_insert_with(Vec::new);
            if st.len() < items.len() {
                if !budget::charge((items.len() - st.len()) * std::mem::size_of::<State>()) {
                    break;
                }
                st.resize_with(items.len(), || (a.init)(&consts));
            }
            for (k, v) in items.iter().enumerate() {
                if a.condition {
                    if matches!(v, Value::Bool(true)) {
                        (a.update)(&mut st[k], &[Value::Bool(true)]);
                    }
                } else if !v.is_null() {
                    (a.update)(&mut st[k], std::slice::from_ref(v));
                }
            }
        }
    }
    states
        .into_iter()
        .map(|st| match st {
            None => Value::Null,
            Some(st) => Value::Array(
                st.into_iter()
                    .map(|s| (a.finish)(s, &consts))
                    .collect::<Vec<_>>()
                    .into(),
            ),
        })
        .collect()
}

const MINUTE_STEPS: [i64; 7] = [1, 2, 3, 5, 10, 15, 30];
const HOUR_STEPS: [i64; 8] = [1, 2, 3, 4, 6, 8, 12, 24];
const MAX_BINS: i64 = 1500;

/// The smallest well-known interval ≥ `raw`: 1, 2, 3, 5, 10, 15, 30 min; 1, 2, 3, 4, 6, 8, 12,
/// 24 h; then whole days.
pub fn snap_interval(raw: i64) -> i64 {
    for m in MINUTE_STEPS {
        if m * NS_PER_MIN >= raw {
            return m * NS_PER_MIN;
        }
    }
    for h in HOUR_STEPS {
        if h * NS_PER_HOUR >= raw {
            return h * NS_PER_HOUR;
        }
    }
    (raw + NS_PER_DAY - 1) / NS_PER_DAY * NS_PER_DAY
}

/// The series grid for a requested time frame: (start, end, interval). The grid is anchored at
/// midnight UTC, so the returned frame can be wider than the one asked for.
pub fn grid(from: i64, to: i64, interval: Option<i64>, bins: Option<i64>) -> (i64, i64, i64) {
    let span = (to - from).max(1);
    let mut iv = match interval {
        // Explicit sub-minute intervals are kept as given (an extension; see ARCHITECTURE.md).
        Some(i) if i < NS_PER_MIN => i,
        Some(i) => snap_interval(i),
        None => {
            snap_interval(((span + bins.unwrap_or(120) - 1) / bins.unwrap_or(120)).max(NS_PER_MIN))
        }
    };
    while (span + iv - 1) / iv > MAX_BINS {
        iv = snap_interval(iv + 1);
    }
    let (start, end) = if NS_PER_DAY % iv == 0 {
        (from.div_euclid(iv) * iv, (to + iv - 1).div_euclid(iv) * iv)
    } else {
        // Multi-day bins: the grid ends at a point reachable from the next midnight.
        let anchor = (to + NS_PER_DAY - 1).div_euclid(NS_PER_DAY) * NS_PER_DAY;
        let end = anchor - (anchor - to) / iv * iv;
        let n = (end - from + iv - 1) / iv;
        (end - n * iv, end)
    };
    (start, end.max(start + iv), iv)
}

pub fn make_timeseries(b: &Batch, ts: &Timeseries, query_tf: (i64, i64), env: &Env) -> Batch {
    let from = ts.from.unwrap_or(query_tf.0);
    let to = ts.to.unwrap_or(query_tf.1);
    let (start, end, iv) = grid(from, to, ts.interval, ts.bins);
    if let Some(asked) = ts.interval.filter(|&asked| asked != iv) {
        // Said, not done silently: the chart shows other bins than the query asked for.
        let snapped = if asked < NS_PER_MIN {
            asked
        } else {
            snap_interval(asked)
        };
        env.notices
            .borrow_mut()
            .push(super::Notice::IntervalChanged {
                asked,
                used: iv,
                widened: iv != snapped,
                max_bins: MAX_BINS,
            });
    }
    let nbins = ((end - start) / iv) as usize;
    // Only records inside the series time frame count (and form groups); each kept record has
    // the bins it counts in: one for its time, every bin its time frame overlaps for `spread:`.
    let mut keep: Vec<u32> = Vec::new();
    let mut spans: Vec<(u32, u32)> = Vec::new();
    let bin_of = |t: i64| ((t - start) / iv) as u32;
    match &ts.spread {
        Some(spread) => {
            let col = eval(spread, b, env);
            for i in 0..b.len {
                if !budget::tick() {
                    break;
                }
                let Value::Timeframe(s, e) = col.get(i, env.store) else {
                    continue;
                };
                let overlaps = if e > s {
                    s < end && e > start
                } else {
                    // An empty time frame is a point in time.
                    e == s && (start..end).contains(&s)
                };
                if overlaps {
                    let (s, e) = (s.max(start), e.min(end));
                    let b0 = bin_of(s);
                    // A bin counts when the time frame overlaps it (its end is exclusive).
                    let b1 = (((e - start) + iv - 1) / iv).max(i64::from(b0) + 1) as u32;
                    keep.push(i as u32);
                    spans.push((b0, b1.min(nbins as u32)));
                }
            }
        }
        None => {
            let tcol = eval(&ts.time, b, env);
            let mut add = |i: usize, t: i64| {
                if (start..end).contains(&t) {
                    keep.push(i as u32);
                    let bin = bin_of(t);
                    spans.push((bin, bin + 1));
                }
            };
            match (&tcol, env.store) {
                // The stored timestamps, read directly.
                (
                    Column::Stored {
                        rows,
                        what: Stored::Base(BaseField::Timestamp),
                    },
                    Some(store),
                ) => {
                    // Gathered first: independent loads overlap their cache misses.
                    let ts: Vec<i64> = rows.iter().map(|&r| store.timestamp(r)).collect();
                    for (i, t) in ts.into_iter().enumerate() {
                        add(i, t);
                    }
                }
                _ => {
                    for i in 0..b.len {
                        if !budget::tick() {
                            break;
                        }
                        if let Value::Timestamp(t) = tcol.get(i, env.store) {
                            add(i, t);
                        }
                    }
                }
            }
        }
    }
    let inside = if keep.len() == b.len {
        b.clone()
    } else {
        b.take(&keep)
    };
    let (gids, mut keys) = groups(&ts.by, &inside, env);
    if inside.len == 0 {
        if !ts.nonempty {
            return Batch {
                len: 0,
                fields: empty_fields(ts),
                source: None,
            };
        }
        keys = vec![vec![Value::Null; ts.by.len()]];
    }
    let ngroups = keys.len();
    let mut out = Batch {
        len: ngroups,
        fields: Vec::new(),
        source: None,
    };
    out.fields.push((
        Arc::from("timeframe"),
        Column::Const(Value::Timeframe(start, end)),
    ));
    out.fields
        .push((Arc::from("interval"), Column::Const(Value::Duration(iv))));
    for (k, (name, _)) in ts.by.iter().enumerate() {
        out.fields.push((
            name.clone(),
            Column::Values(keys.iter().map(|g| g[k].clone()).collect()),
        ));
    }
    for (name, call) in &ts.aggs {
        // A series has a cell per bin; a scalar one cell over the whole time frame.
        let (nb, width) = if call.scalar {
            (1, end - start)
        } else {
            (nbins, iv)
        };
        // One value per group and cell: asked for before the cells are made (a group per event
        // times 1,500 bins is gigabytes).
        let cells = ngroups.saturating_mul(nb);
        if !budget::charge(cells.saturating_mul(std::mem::size_of::<Value>() + 8)) {
            out.fields.push((name.clone(), Column::Const(Value::Null)));
            continue;
        }
        // The cells a record feeds.
        let cells_of = |r: usize| {
            let g = gids.get(r).copied().unwrap_or(0) as usize * nb;
            let (b0, b1) = if call.scalar { (0, 1) } else { spans[r] };
            (b0..b1).map(move |bin| g + bin as usize)
        };
        // `rate:` scales a cell's value to the rate's duration.
        let scale = |v: Value| match (call.rate, v.as_f64()) {
            (Some(rate), Some(x)) if !v.is_null() => Value::Double(x / width as f64 * rate as f64),
            _ => v,
        };
        let (inp, consts) = input(call, &inside, env);
        let a = agg(call);
        let default = call.default.clone().unwrap_or(Value::Null);
        let values: Vec<Value> = if let Some(edge) = a.bin {
            // start()/end(): the bins' timestamps, the same in every group.
            let first = start + if edge == BinEdge::End { iv } else { 0 };
            (0..cells)
                .map(|c| Value::Timestamp(first + (c % nb) as i64 * iv))
                .collect()
        } else if matches!(inp, Input::None) {
            // `count()`: a cell with rows counts them (never null), one without is the default.
            let mut counts = vec![0i64; cells];
            for r in 0..inside.len {
                for c in cells_of(r) {
                    counts[c] += 1;
                }
            }
            counts
                .iter()
                .map(|&n| match n {
                    0 => default.clone(),
                    n => scale(Value::Long(n)),
                })
                .collect()
        } else {
            // States only for the cells that have rows.
            let mut slot = vec![u32::MAX; cells];
            let mut states: Vec<State> = Vec::new();
            for r in 0..inside.len {
                if !budget::tick() {
                    break;
                }
                for c in cells_of(r) {
                    let s = &mut slot[c];
                    if *s == u32::MAX {
                        *s = states.len() as u32;
                        states.push((a.init)(&consts));
                    }
                    feed(&a, &inp, r, &mut states[*s as usize], env);
                }
            }
            slot.iter()
                .map(|&s| match s {
                    u32::MAX => default.clone(),
                    s => {
                        let st = std::mem::replace(&mut states[s as usize], State::Count(0));
                        match (a.finish)(st, &consts) {
                            Value::Null => default.clone(),
                            v => scale(v),
                        }
                    }
                })
                .collect()
        };
        let rows: Arc<[Value]> = if call.scalar {
            values.into()
        } else {
            series(ngroups, nbins, |c| values[c].clone())
        };
        out.fields.push((name.clone(), Column::Values(rows)));
    }
    out
}

/// One array of `nbins` values per group, from the cells in group-major order.
fn series(ngroups: usize, nbins: usize, mut cell: impl FnMut(usize) -> Value) -> Arc<[Value]> {
    (0..ngroups)
        .map(|g| Value::Array((0..nbins).map(|bin| cell(g * nbins + bin)).collect()))
        .collect()
}

fn empty_fields(ts: &Timeseries) -> Vec<(Arc<str>, Column)> {
    let mut f = vec![
        (
            Arc::from("timeframe"),
            Column::Values(Arc::from(Vec::new())),
        ),
        (Arc::from("interval"), Column::Values(Arc::from(Vec::new()))),
    ];
    f.extend(
        ts.by
            .iter()
            .map(|(n, _)| (n.clone(), Column::Values(Arc::from(Vec::new())))),
    );
    f.extend(
        ts.aggs
            .iter()
            .map(|(n, _)| (n.clone(), Column::Values(Arc::from(Vec::new())))),
    );
    f
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::{format_timestamp, parse_timestamp};

    #[test]
    fn grid_follows_the_documented_example() {
        // July 14 10:00 – July 16 10:00 with interval 5h → 6h bins from 06:00 to 12:00.
        let f = parse_timestamp("2024-07-14T10:00:00Z").unwrap();
        let t = parse_timestamp("2024-07-16T10:00:00Z").unwrap();
        let (s, e, iv) = grid(f, t, Some(5 * NS_PER_HOUR), None);
        assert_eq!(iv, 6 * NS_PER_HOUR);
        assert_eq!(format_timestamp(s), "2024-07-14T06:00:00Z");
        assert_eq!(format_timestamp(e), "2024-07-16T12:00:00Z");
    }

    #[test]
    fn default_bins() {
        let t = parse_timestamp("2026-11-20T12:00:00Z").unwrap();
        for (span, want) in [
            (30 * NS_PER_MIN, NS_PER_MIN),
            (2 * NS_PER_HOUR, NS_PER_MIN),
            (24 * NS_PER_HOUR, 15 * NS_PER_MIN),
            (7 * NS_PER_DAY, 2 * NS_PER_HOUR),
            (365 * NS_PER_DAY, 4 * NS_PER_DAY),
        ] {
            let (_, _, iv) = grid(t - span, t, None, None);
            assert_eq!(iv, want, "span {span}");
        }
        let (s, e, _) = grid(t - 30 * NS_PER_MIN + 30 * 1_000_000_000, t + 1, None, None);
        assert_eq!(
            (format_timestamp(s), format_timestamp(e)),
            ("2026-11-20T11:30:00Z".into(), "2026-11-20T12:01:00Z".into())
        );
    }
}
