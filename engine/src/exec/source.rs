//! Where a pipeline's records come from: `fetch logs` (the stored events in a time frame, of
//! some buckets, in the store's newest-first order) or `data` (records written in the query).

use std::sync::Arc;

use super::column::{Batch, Column, Stored};
use super::eval::Env;
use super::{default_now, Notice};
use crate::plan::{field_matches, Source};
use crate::storage::BaseField;
use crate::value::Value;

/// The first batch of a pipeline, and the time frame `fetch` read.
pub(super) fn source_batch(source: &Source, env: &Env) -> (Batch, Option<(i64, i64)>) {
    let now = env.ctx.now;
    let Some(store) = env.store else {
        return (Batch::default(), None);
    };
    let opts_from = env.global.0;
    let opts_to = env.global.1;
    let mut notices = env.notices.borrow_mut();
    match source {
        Source::Logs { from, to, buckets } => {
            let span = store.time_span();
            let global_from = opts_from.or(span.map(|s| s.0)).unwrap_or(now);
            let global_to = opts_to.or(span.map(|s| s.1 + 1)).unwrap_or(now);
            let (f, t) = match (from, to) {
                (Some(f), Some(t)) => (*f, *t),
                (Some(f), None) => (*f, now),
                (None, Some(t)) => (global_from.min(*t), *t),
                (None, None) => (global_from, global_to),
            };
            let range = store.rows_in(f, t);
            let in_frame = range.len();
            let rows: Arc<[u32]> = if buckets.is_empty() {
                // All data: the store's own row order, shared.
                store.rows_in_shared(f, t)
            } else {
                // The bucket names that match, once; then rows compare codes.
                let (codes, dict) = store.base_codes(BaseField::Bucket).unwrap_or((&[], &[]));
                let wanted: Vec<bool> = dict
                    .iter()
                    .map(|v| {
                        v.as_str()
                            .is_some_and(|name| buckets.iter().any(|p| field_matches(p, name)))
                    })
                    .collect();
                range
                    .iter()
                    .copied()
                    .filter(|&r| wanted[codes[r as usize] as usize])
                    .collect()
            };
            if in_frame == 0 && !store.is_empty() {
                notices.push(Notice::EmptyTimeframe {
                    from: f,
                    to: t,
                    loaded: store.len(),
                    span: store.describe_span(),
                    suggested_now: store.time_span().map(|(_, b)| default_now(b)),
                });
            } else if rows.is_empty() && in_frame > 0 {
                notices.push(Notice::NoEventsInBucket {
                    buckets: buckets.clone(),
                    loaded_buckets: store
                        .buckets
                        .values
                        .iter()
                        .filter_map(Value::as_str)
                        .map(str::to_string)
                        .collect(),
                });
            }
            let fields = BaseField::ALL
                .iter()
                .map(|f| {
                    let col = match f {
                        // The same for every stored event; a constant folds in filters.
                        BaseField::Service => Column::Const(Value::str("cloudtrail")),
                        _ => Column::Stored {
                            rows: rows.clone(),
                            what: Stored::Base(*f),
                        },
                    };
                    (Arc::from(f.name()), col)
                })
                .collect();
            (
                Batch {
                    len: rows.len(),
                    fields,
                    source: Some(rows),
                },
                Some((f, t)),
            )
        }
        Source::Data(records) => {
            let mut names: Vec<Arc<str>> = Vec::new();
            for r in records {
                for (k, _) in r {
                    if !names.contains(k) {
                        names.push(k.clone());
                    }
                }
            }
            let fields = names
                .iter()
                .map(|n| {
                    let vals: Arc<[Value]> = records
                        .iter()
                        .map(|r| {
                            r.iter()
                                .find(|(k, _)| k == n)
                                .map_or(Value::Null, |(_, v)| v.clone())
                        })
                        .collect();
                    (n.clone(), Column::Values(vals))
                })
                .collect();
            (
                Batch {
                    len: records.len(),
                    fields,
                    source: None,
                },
                None,
            )
        }
    }
}
