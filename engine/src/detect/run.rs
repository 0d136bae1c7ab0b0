//! Running detections over a store and reading their results as hits (one per result row,
//! named by the event it came from).

use std::sync::Arc;

use super::Detection;
use crate::diag::Diagnostic;
use crate::exec::{run_query, QueryOptions, Table};
use crate::storage::Store;
use crate::value::Value;

/// One hit: a row of a detection's result.
#[derive(Clone, Debug)]
pub struct Hit {
    /// The row of the result table.
    pub row: usize,
    /// The stored event the row came from (its row id in the store), if it is one event's.
    pub event: Option<u32>,
    pub event_id: Option<String>,
    /// Nanoseconds since the epoch: the event's time (or the row's `timestamp` column).
    pub timestamp: Option<i64>,
    /// Who acted: the row's `principal` column, else the event's identity (see
    /// [`principal_of`]).
    pub principal: Option<String>,
    /// The event's `eventName`, if the hit is an event's.
    pub event_name: Option<String>,
    /// The file the event was loaded from (`log.source`).
    pub source: Option<String>,
}

/// A detection's run: its result table and the hits read from it.
#[derive(Clone, Debug)]
pub struct DetectionRun {
    pub table: Table,
    pub hits: Vec<Hit>,
    pub warnings: Vec<Diagnostic>,
}

/// Runs one detection's query (`query`: the detection's own, or an edited one, e.g. with
/// another threshold) and reads every result row as a hit.
pub fn run(
    store: &Arc<Store>,
    query: &str,
    opts: &QueryOptions,
) -> Result<DetectionRun, Vec<Diagnostic>> {
    let out = run_query(store, query, opts)?;
    let table = out.table;
    let col = |name: &str| table.column_index(name);
    let (c_id, c_time, c_principal) = (col("eventID"), col("timestamp"), col("principal"));
    let text = |c: Option<usize>, r: usize| -> Option<String> {
        match table.cell(c?, r) {
            Value::Str(s) => Some(s.to_string()),
            Value::Null => None,
            v => Some(v.display()),
        }
    };
    let hits = (0..table.num_rows())
        .map(|r| {
            let event = table.source_row(r);
            let member = |name: &str| -> Option<String> {
                event.and_then(|e| {
                    store
                        .event_value(e, &[name.to_string()])
                        .as_str()
                        .map(String::from)
                })
            };
            let timestamp = event.map(|e| store.timestamp(e)).or_else(|| {
                match c_time.map(|c| table.cell(c, r)) {
                    Some(Value::Timestamp(t)) => Some(t),
                    Some(Value::Timeframe(start, _)) => Some(start),
                    _ => None,
                }
            });
            Hit {
                row: r,
                event,
                event_id: member("eventID").or_else(|| text(c_id, r)),
                timestamp,
                principal: text(c_principal, r)
                    .or_else(|| event.and_then(|e| principal_of(store, e))),
                event_name: member("eventName"),
                source: event.and_then(|e| store.source_name(e)).map(String::from),
            }
        })
        .collect();
    Ok(DetectionRun {
        table,
        hits,
        warnings: out.warnings,
    })
}

/// Runs every detection over the store, each its own query, in order.
pub fn run_pack(
    store: &Arc<Store>,
    detections: &[Detection],
    opts: &QueryOptions,
) -> Vec<Result<DetectionRun, Vec<Diagnostic>>> {
    detections
        .iter()
        .map(|d| run(store, &d.query, opts))
        .collect()
}

/// Who made a call, as one string: `userIdentity.arn`; for an AWS service its name
/// (`invokedBy`); else the principal id, the user name or the account, whichever the event
/// has (cross-account `AWSAccount` callers and failed sign-ins of unknown users have no ARN).
pub fn principal_of(store: &Store, row: u32) -> Option<String> {
    let ident = store.event_value(row, &["userIdentity".to_string()]);
    let s = |k: &str| {
        ident
            .member(k)
            .as_str()
            .filter(|s| !s.is_empty())
            .map(String::from)
    };
    if let Some(arn) = s("arn") {
        return Some(arn);
    }
    if s("type").as_deref() == Some("AWSService") {
        if let Some(service) = s("invokedBy") {
            return Some(service);
        }
    }
    s("principalId")
        .or_else(|| s("userName"))
        .or_else(|| s("accountId"))
}
