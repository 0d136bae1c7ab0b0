//! `makeTimeseries` as SQL: the bins are Trailscope's (`exec::aggregate::grid`: the interval
//! snapped to the well-known list, the grid anchored at midnight UTC), worked out when the
//! statement is written, so the time frame must be known then (`fetch from:`/`to:`, the
//! command's own, or the CLI's `--from`/`--to`). Each group's series is built from one row per
//! (group, bin): a map from bin to value, read for every bin, empty bins null or `default:`.

use std::sync::Arc;

use super::expr::{Col, Res, Ty};
use super::pipeline::{Stage, W};
use super::{funcs, refuse, Dialect};
use crate::diag::{Code, Span};
use crate::exec::aggregate::grid;
use crate::plan::Timeseries;

pub(super) fn write(w: &mut W, stage: Stage, ts: &Timeseries, span: Span) -> Res<Stage> {
    let d = w.d;
    let no = |what: &str, why: &str| Box::new(refuse(Code::E503, span, d, what, why));
    if ts.spread.is_some() {
        return Err(no("`makeTimeseries … spread:`", "not written as SQL yet"));
    }
    if ts.nonempty {
        return Err(no(
            "`makeTimeseries … nonempty: true`",
            "not written as SQL yet",
        ));
    }
    let frame = match (ts.from, ts.to, w.fetch_frame) {
        (Some(f), Some(t), _) => (f, t),
        (f, t, Some((ff, ft))) => (f.unwrap_or(ff), t.unwrap_or(ft)),
        _ => {
            return Err(no(
                "`makeTimeseries` over all the table's events",
                "its bins depend on the time frame; give `fetch` a `from:` (or `trailscope sql --from/--to`)",
            ))
        }
    };
    let (start, end, iv) = grid(frame.0, frame.1, ts.interval, ts.bins);
    if iv % 1000 != 0 {
        return Err(no(
            "an interval below a microsecond",
            "SQL timestamps hold microseconds",
        ));
    }
    let nbins = (end - start) / iv;
    let (start_us, iv_us) = (start / 1000, iv / 1000);

    // Rows inside the series time frame, with their bin and group keys.
    let mut cx = w.cx(&stage, span);
    let t = cx.expr(&ts.time)?;
    if t.ty != Ty::Ts {
        return Err(no(
            &format!("`makeTimeseries` over {}", t.ty.describe()),
            "its time must be a timestamp",
        ));
    }
    let mut keys = Vec::new();
    let mut key_cols = Vec::new();
    for (name, e) in &ts.by {
        let x = w.cx(&stage, span).expr(e)?;
        let key = w.group_key(&x, span)?;
        let ty = match x.ty {
            Ty::Dyn if d == Dialect::Athena => Ty::JsonText,
            Ty::Null => Ty::Str,
            t => t,
        };
        let c = w.fresh("__c");
        keys.push((key, c.clone()));
        key_cols.push(Col {
            name: name.clone(),
            sql: c,
            ty,
        });
    }
    let mut cells = Vec::new();
    let mut outs = Vec::new();
    for (name, call) in &ts.aggs {
        if call.scalar
            || call.rate.is_some()
            || call.func.aggregate().is_some_and(|a| a.bin.is_some())
        {
            return Err(no(
                &format!("`{}` with scalar:, rate: or bin edges", call.func.name),
                "not written as SQL yet",
            ));
        }
        let mut cx = w.cx(&stage, span);
        let v = funcs::aggregate(&mut cx, call)?;
        if !(v.ty.is_num() || v.ty == Ty::Null) {
            return Err(no(
                &format!("a series of {}", v.ty.describe()),
                "only numeric series are written as SQL",
            ));
        }
        let default = match &call.default {
            Some(dv) => Some(w.cx(&stage, span).constant(dv)?),
            None => None,
        };
        let elem = match (&v.ty, default.as_ref().map(|x| &x.ty)) {
            (Ty::Long, Some(Ty::Double)) => Ty::Double,
            (t, _) => t.clone(),
        };
        let c = w.fresh("__v");
        cells.push(format!("{} AS {c}", v.sql));
        outs.push((name.clone(), c, elem, default));
    }
    let bin = d.int_div(
        &format!("({} - {})", d.micros(&t.sql), d.long(start_us)),
        &d.long(iv_us),
    );
    let mut sel: Vec<String> = keys.iter().map(|(k, c)| format!("{k} AS {c}")).collect();
    sel.push(format!("{bin} AS __bin"));
    sel.push(format!("{} AS __ord", stage.ord));
    let rows = w.cte(format!(
        "SELECT {}.*, {} FROM {} WHERE {} >= {} AND {} < {}",
        stage.rel,
        sel.join(", "),
        stage.rel,
        t.sql,
        d.timestamp(start),
        t.sql,
        d.timestamp(end)
    ));
    // One row per group and bin; the aggregations read the rows' own columns.
    let key_names: Vec<String> = keys.iter().map(|(_, c)| c.clone()).collect();
    let mut group = key_names.clone();
    group.push("__bin".into());
    let mut sel2: Vec<String> = group.clone();
    sel2.extend(cells);
    sel2.push("min(__ord) AS __o".into());
    let per_bin = w.cte(format!(
        "SELECT {} FROM {rows} GROUP BY {}",
        sel2.join(", "),
        group.join(", ")
    ));
    // One row per group: a map from bin to value per aggregation.
    let mut sel3: Vec<String> = key_names.clone();
    sel3.push("min(__o) AS __o".into());
    for (_, v, _, _) in &outs {
        sel3.push(match d {
            Dialect::Spark => {
                format!("map_from_entries(collect_list(named_struct('k', __bin, 'v', {v}))) AS {v}")
            }
            Dialect::DuckDb => format!("map_from_entries(list({{'k': __bin, 'v': {v}}})) AS {v}"),
            Dialect::Athena => format!("map_from_entries(array_agg(ROW(__bin, {v}))) AS {v}"),
        });
    }
    // Without groups: no row at all when no record is inside the time frame.
    let group_by = if key_names.is_empty() {
        " HAVING count(*) > 0".to_string()
    } else {
        format!(" GROUP BY {}", key_names.join(", "))
    };
    let maps = w.cte(format!(
        "SELECT {} FROM {per_bin}{group_by}",
        sel3.join(", ")
    ));
    let tf = w.fresh("__c");
    let ivc = w.fresh("__c");
    let mut sel4 = vec![
        format!(
            "{} AS {tf}",
            d.timeframe(&d.timestamp(start), &d.timestamp(end))
        ),
        format!("{} AS {ivc}", d.long(iv)),
    ];
    let mut cols = vec![
        Col {
            name: Arc::from("timeframe"),
            sql: tf,
            ty: Ty::Tf,
        },
        Col {
            name: Arc::from("interval"),
            sql: ivc,
            ty: Ty::Dur,
        },
    ];
    cols.extend(key_cols);
    for (name, v, elem, default) in outs {
        let read = match d {
            Dialect::Spark => format!("try_element_at({v}, i)"),
            Dialect::DuckDb => format!("{v}[i]"),
            Dialect::Athena => format!("element_at({v}, i)"),
        };
        let cell = match &default {
            Some(x) if x.ty != Ty::Null => {
                let dv = if elem == Ty::Double && x.ty == Ty::Long {
                    format!("CAST({} AS DOUBLE)", x.sql)
                } else {
                    x.sql.clone()
                };
                let read = if elem == Ty::Double {
                    format!("CAST({read} AS DOUBLE)")
                } else {
                    read
                };
                format!("coalesce({read}, {dv})")
            }
            _ => read,
        };
        let series = match d {
            Dialect::Spark => format!(
                "transform(sequence(0L, {}), i -> {cell})",
                d.long(nbins - 1)
            ),
            Dialect::DuckDb => format!(
                "list_transform(range(0, {}), lambda i: {cell})",
                d.long(nbins)
            ),
            Dialect::Athena => {
                format!("transform(sequence(0, {}), i -> {cell})", d.long(nbins - 1))
            }
        };
        let c = w.fresh("__c");
        sel4.push(format!("{series} AS {c}"));
        cols.push(Col {
            name,
            sql: c,
            ty: Ty::Arr {
                elem: Box::new(elem),
                unordered: false,
            },
        });
    }
    let rel = w.cte(format!("SELECT {maps}.*, {} FROM {maps}", sel4.join(", ")));
    Ok(Stage {
        rel,
        cols,
        ord: "__o".into(),
    })
}
