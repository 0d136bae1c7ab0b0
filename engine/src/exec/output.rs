//! What a query gives back besides its table: typed notices, the kind of result, and a
//! `makeTimeseries` result read as chart series. The UI asks these; it never matches message
//! text or guesses from column names.

use std::fmt;

use super::table::Table;
use crate::time::format_timestamp;
use crate::value::Value;

/// Something the user should know about a result that is not an error or a warning.
#[derive(Clone, Debug, PartialEq)]
pub enum Notice {
    /// The time frame `fetch` read holds none of the loaded events.
    EmptyTimeframe {
        from: i64,
        to: i64,
        loaded: usize,
        /// The loaded data's span as text ("2026-11-20T00:00:01Z to …").
        span: String,
        /// The "now" that would put the data inside relative time frames.
        suggested_now: Option<i64>,
    },
    /// `fetch logs, bucket: …` matched no loaded event (the time frame did).
    NoEventsInBucket {
        buckets: Vec<String>,
        loaded_buckets: Vec<String>,
    },
    /// `makeTimeseries … interval:` ran with another interval: snapped to a well-known one, or
    /// widened to stay within the bin limit.
    IntervalChanged {
        asked: i64,
        used: i64,
        /// True when the bin limit widened it (not only the snapping).
        widened: bool,
        max_bins: i64,
    },
    /// A DPL pattern took more than its step budget on some records (see [`crate::dpl`]):
    /// they got null, as if it had not matched.
    PatternGaveUp { records: u64 },
}

/// `1500` as `1,500`.
fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        out.insert(0, '-');
    }
    out
}

/// A notice's kind, for UIs that offer an action (e.g. "show all loaded data").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoticeKind {
    EmptyTimeframe,
    NoEventsInBucket,
    IntervalChanged,
    PatternGaveUp,
}

impl Notice {
    pub fn kind(&self) -> NoticeKind {
        match self {
            Notice::EmptyTimeframe { .. } => NoticeKind::EmptyTimeframe,
            Notice::NoEventsInBucket { .. } => NoticeKind::NoEventsInBucket,
            Notice::IntervalChanged { .. } => NoticeKind::IntervalChanged,
            Notice::PatternGaveUp { .. } => NoticeKind::PatternGaveUp,
        }
    }
}

impl fmt::Display for Notice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Notice::EmptyTimeframe {
                from,
                to,
                loaded,
                span,
                suggested_now,
            } => write!(
                f,
                "The time frame {} to {} contains none of the {loaded} loaded events, which span {span}. Widen the time frame (e.g. remove `from:`) or set \"now\" to the data (--now {}).",
                format_timestamp(*from),
                format_timestamp(*to),
                suggested_now.map(format_timestamp).unwrap_or_default()
            ),
            Notice::NoEventsInBucket {
                buckets,
                loaded_buckets,
            } => write!(
                f,
                "No loaded events are in bucket {}; loaded buckets: {}.",
                buckets.join(", "),
                loaded_buckets.join(", ")
            ),
            Notice::IntervalChanged {
                asked,
                used,
                widened: true,
                max_bins,
            } => write!(
                f,
                "makeTimeseries: interval widened from {} to {} ({}-bin limit).",
                crate::time::format_duration(*asked),
                crate::time::format_duration(*used),
                thousands(*max_bins)
            ),
            Notice::IntervalChanged { asked, used, .. } => write!(
                f,
                "makeTimeseries: interval {} snapped to {} (intervals are 1, 2, 3, 5, 10, 15 or 30 min, 1, 2, 3, 4, 6, 8, 12 or 24 h, or whole days).",
                crate::time::format_duration(*asked),
                crate::time::format_duration(*used)
            ),
            Notice::PatternGaveUp { records } => write!(
                f,
                "A DPL pattern gave up on {} record{} (more matching steps than {} length allows) and treated {} as not matching: the exports are null. Patterns with fewer LD/DATA inside repeated groups or look-behinds match in one pass.",
                thousands(*records as i64),
                if *records == 1 { "" } else { "s" },
                if *records == 1 { "its" } else { "their" },
                if *records == 1 { "it" } else { "them" }
            ),
        }
    }
}

/// What a result is, for choosing how to show it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ResultKind {
    /// Rows of records (a table).
    #[default]
    Records,
    /// A `makeTimeseries` result: `timeframe`, `interval`, the group fields and one array per
    /// aggregation, one element per time bin.
    Timeseries,
}

/// One line of a chart: a name and one value per bin (null bins are gaps).
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    pub name: String,
    pub points: Vec<Option<f64>>,
}

/// A time-series result as lines over a common grid of bins.
#[derive(Clone, Debug, PartialEq)]
pub struct SeriesSet {
    pub start_ns: i64,
    pub interval_ns: i64,
    pub series: Vec<Series>,
}

/// The kind of a finished result: a time series when the pipeline ran `makeTimeseries` and its
/// `timeframe` and `interval` columns are still there.
pub(crate) fn result_kind(made_series: bool, table: &Table) -> ResultKind {
    if made_series
        && table.column_index("timeframe").is_some()
        && table.column_index("interval").is_some()
    {
        ResultKind::Timeseries
    } else {
        ResultKind::Records
    }
}

/// The series of a time-series table: one per row and array column, named by the row's group
/// values (and the column, when there are several arrays). `None` for an empty table or one
/// whose first row has no timeframe and interval.
pub(crate) fn series(t: &Table) -> Option<SeriesSet> {
    let tf = t.column_index("timeframe")?;
    let iv = t.column_index("interval")?;
    if t.num_rows() == 0 {
        return None;
    }
    let (Value::Timeframe(start_ns, _), Value::Duration(interval_ns)) =
        (t.cell(tf, 0), t.cell(iv, 0))
    else {
        return None;
    };
    let arrays: Vec<usize> = (0..t.num_columns())
        .filter(|&c| matches!(t.cell(c, 0), Value::Array(_)))
        .collect();
    let keys: Vec<usize> = (0..t.num_columns())
        .filter(|&c| c != tf && c != iv && !arrays.contains(&c))
        .collect();
    let mut series = Vec::new();
    for r in 0..t.num_rows() {
        let key: Vec<String> = keys.iter().map(|&c| t.cell(c, r).display()).collect();
        for &c in &arrays {
            let Value::Array(items) = t.cell(c, r) else {
                continue;
            };
            let name = match (key.is_empty(), arrays.len() > 1) {
                (true, _) => t.columns[c].clone(),
                (false, false) => key.join(", "),
                (false, true) => format!("{} · {}", key.join(", "), t.columns[c]),
            };
            series.push(Series {
                name,
                points: items.iter().map(Value::as_f64).collect(),
            });
        }
    }
    Some(SeriesSet {
        start_ns,
        interval_ns,
        series,
    })
}
