//! Messages between the page (UI thread) and the engine worker. The worker owns the loaded
//! data and every result; the page asks for what it shows (a page of rows, one record), so a
//! million-row result never crosses the thread boundary whole.
//!
//! Transport: each message is JSON text in `postMessage`; files travel as `File` objects next to
//! a `Load` request (the worker reads them; no file becomes a JavaScript string).

use serde::{Deserialize, Serialize};

/// Page → worker.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Request {
    /// Load the `File`s sent with this message, in this order. `paths` are their relative
    /// paths (folder drops keep `AWSLogs/...`), used as `log.source`.
    /// `buckets`, when given, puts each path's events into its own bucket (a case file's
    /// events going back to where they were exported from).
    Load {
        paths: Vec<String>,
        bucket: String,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        buckets: Vec<String>,
    },
    /// Stop loading (between chunks of a file); what was read so far stays loaded.
    Cancel,
    /// The page's cancel flag, an `Int32Array` over a `SharedArrayBuffer`, comes next to this
    /// message (`{ request, flag }`; only on a cross-origin isolated page). The page stores
    /// [`cancel_tag`] of a running query's id in it to stop that query; the worker's interrupt
    /// reads it while the query runs (see `crate::worker`).
    CancelFlag,
    /// Drop all loaded data.
    Clear,
    /// Rename the bucket of one loaded source (a file name as in `SourceInfo::name`).
    SetBucket { source: String, bucket: String },
    /// Run a query. `now_ns`: "now" for relative time frames (`None`: just after the newest
    /// event). `from_ns`/`to_ns`: the time frame picker (`None`: all loaded data).
    Query {
        id: u64,
        text: String,
        now_ns: Option<i64>,
        from_ns: Option<i64>,
        to_ns: Option<i64>,
    },
    /// Rows `[start, start + count)` of result `id`, in the current view order.
    Rows { id: u64, start: usize, count: usize },
    /// The field sidebar of result `id`: every field (paths inside parsed events too) with its
    /// presence and `top` most frequent values, over all rows (`Table::field_stats`).
    Fields { id: u64, top: usize },
    /// What may come at byte `cursor` of `text` (the editor's completions, with member names
    /// of the loaded events) and the signature of the call the cursor is in.
    Complete {
        seq: u64,
        text: String,
        cursor: usize,
    },
    /// One whole row of result `id` as a JSON object (for field details and the record tree).
    Record { id: u64, row: usize },
    /// Order result `id` by a column (header click); `None` restores the query's order.
    Sort {
        id: u64,
        column: Option<usize>,
        descending: bool,
    },
    /// Export result `id`, in the current view order, as `format` (`csv`, `json`, `markdown`).
    /// `copy`: the page copies the text to the clipboard instead of downloading it.
    ExportResult { id: u64, format: String, copy: bool },
    /// Write a case file for `case` (a `trailscope_share::CaseData` as JSON), with every loaded
    /// event when `include_events`. `created`: RFC 3339.
    ExportCase {
        case: String,
        include_events: bool,
        created: String,
    },
    /// Check the case file sent with this message (one `File`, as with `Load`).
    ImportCase { name: String },
    /// Run the engine's detection pack over the loaded data, except the detections whose lists
    /// are examples to configure and the ids in `off`; answered by `Detections`.
    Detect { off: Vec<String> },
    /// The identity lens on `subject` (an ARN or an access key id); answered by `Identity`.
    Identity { subject: String },
}

/// Worker → page.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Response {
    /// The worker has started and can take requests.
    Ready,
    Progress {
        file: String,
        files_done: usize,
        files_total: usize,
        bytes_done: u64,
        bytes_total: u64,
        events: usize,
        /// The engine's wasm memory and what its store holds, in bytes.
        #[serde(default)]
        memory: u64,
        #[serde(default)]
        store: u64,
    },
    /// Loading finished (or was cancelled): the new state of the data.
    Loaded {
        data: DataInfo,
        report: String,
        cancelled: bool,
    },
    Result(ResultInfo),
    /// The query did not run; `diagnostics` say why.
    Failed {
        id: u64,
        diagnostics: Vec<DiagnosticInfo>,
        rendered: String,
    },
    Rows {
        id: u64,
        start: usize,
        rows: Vec<Vec<Cell>>,
    },
    Record {
        id: u64,
        row: usize,
        json: String,
        /// The whole event the row came from (its compact JSON), when it came from one (not
        /// after `summarize` and the like): shown beside the projected values.
        #[serde(default)]
        source: Option<String>,
    },
    /// The field sidebar of result `id` (`rows`: the result's row count).
    Fields {
        id: u64,
        rows: usize,
        fields: Vec<FieldInfo>,
    },
    /// The answer to `Request::Complete`.
    Completions(CompletionsInfo),
    /// Something went wrong outside a query (e.g. a file could not be read).
    Error {
        message: String,
    },
    /// An export is ready; its bytes come in a `Blob` next to this message (see `share.rs`).
    /// `what`: the format, or `case` for a case file.
    Exported {
        what: String,
        file_name: String,
        rows: usize,
        copy: bool,
    },
    /// An export could not be made.
    ExportFailed {
        what: String,
        message: String,
    },
    /// A case file passed every check: `case` is a `trailscope_share::CaseData` as JSON; when
    /// `events` is set, the gzip-compressed NDJSON comes in a `Blob` next to this message.
    /// With `sources` (case file version 2), the events come as one NDJSON `Blob` per source
    /// (`{ response, blobs }`, in this order), each to load under its `log.source` and bucket.
    CaseImported {
        file_name: String,
        case: String,
        events: Option<u64>,
        #[serde(default)]
        sources: Vec<(String, String)>,
    },
    /// A case file was refused; `message` says why.
    CaseRejected {
        file_name: String,
        message: String,
    },
    /// The detections ran: hits per detection id (every detection run, with or without hits),
    /// and the ones whose query failed with the reason.
    Detections {
        hits: Vec<(String, usize)>,
        failed: Vec<(String, String)>,
        elapsed_ms: f64,
    },
    /// The identity lens on `subject` as text (what `trailscope identity` prints).
    Identity {
        subject: String,
        text: String,
    },
}

/// Completions at a cursor (`engine::complete`), for the editor's list.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct CompletionsInfo {
    pub seq: u64,
    /// The query text they are for, and the byte range the chosen item replaces.
    pub text: String,
    pub start: usize,
    pub end: usize,
    pub items: Vec<CompletionItem>,
    /// The call the cursor is in: its signature and one-line doc.
    pub signature: Option<(String, String)>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct CompletionItem {
    pub label: String,
    pub insert: String,
    /// `command`, `function`, `parameter`, `field`, `member`, `keyword`.
    pub kind: String,
    pub detail: String,
    pub doc: String,
}

/// One field of a result as the sidebar shows it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct FieldInfo {
    /// The field as a DQL expression (`event[userIdentity][arn]`).
    pub name: String,
    /// Rows with a value.
    pub present: usize,
    pub distinct: usize,
    /// Not every value was told apart (`content`, very many values).
    pub capped: bool,
    /// The result column it is (shown or hidden in the grid), when it is not a path inside one.
    pub column: Option<String>,
    /// The most frequent values: text, count, and the DQL condition that matches it (`None`
    /// when there is no simple one).
    pub top: Vec<(String, usize, Option<String>)>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct DataInfo {
    pub events: usize,
    pub duplicates: usize,
    pub skipped: usize,
    /// Oldest and newest event time (ns), if any event is loaded.
    pub span: Option<(i64, i64)>,
    pub sources: Vec<SourceInfo>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct SourceInfo {
    pub name: String,
    pub bucket: String,
    pub shape: String,
    pub events: usize,
    pub duplicates: usize,
    pub skipped: usize,
    pub span: Option<(i64, i64)>,
    /// Problems (errors, skipped events) with their position, one line each.
    pub problems: Vec<String>,
    /// Notices: nothing was lost (a digest file skipped, raw control characters accepted).
    #[serde(default)]
    pub notices: Vec<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ResultInfo {
    pub id: u64,
    pub columns: Vec<String>,
    pub row_count: usize,
    pub elapsed_ms: f64,
    pub notices: Vec<String>,
    /// The time frame held none of the loaded events (the engine's typed notice), so the page
    /// offers to show all loaded data.
    #[serde(default)]
    pub empty_timeframe: bool,
    /// Rendered warnings (may be empty).
    pub warnings: String,
    /// The time frame `fetch` read and the "now" used.
    pub timeframe: Option<(i64, i64)>,
    pub now_ns: i64,
    /// Set when the result is a time series (`makeTimeseries` output).
    pub chart: Option<Chart>,
    /// The first rows, so the table can draw at once.
    pub first_rows: Vec<Vec<Cell>>,
}

/// One table cell: display text plus what a filter on it needs.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Cell {
    /// Compact text for the table (strings bare, nested values as compact JSON).
    pub text: String,
    /// `null`, `string`, `long`, `double`, `boolean`, `timestamp`, `duration`, `timeframe`,
    /// `array` or `record`.
    pub kind: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Chart {
    pub start_ns: i64,
    pub interval_ns: i64,
    pub series: Vec<Series>,
    /// The query asked for another interval than the one used (the engine's typed notice).
    #[serde(default)]
    pub changed: Option<IntervalChange>,
}

/// `makeTimeseries … interval:` ran with another interval: snapped to a well-known one, or
/// `widened` to stay within `max_bins` bins.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq)]
pub struct IntervalChange {
    pub asked: i64,
    pub used: i64,
    pub widened: bool,
    pub max_bins: i64,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Series {
    /// The row's `by` values joined with ", " (or the aggregation's name when there is no `by`),
    /// plus the aggregation's name when a row has several.
    pub name: String,
    /// One value per bin; `None` for an empty bin.
    pub points: Vec<Option<f64>>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct DiagnosticInfo {
    pub code: String,
    pub error: bool,
    pub message: String,
    /// Span in UTF-16 code units of the query text (what a textarea's selection uses).
    pub start: usize,
    pub end: usize,
    pub label: String,
    pub hints: Vec<String>,
}

/// What the cancel flag holds to stop query `id` (0 means "stop nothing"). Ids only grow, so a
/// flag left over from an older query never stops a newer one.
pub fn cancel_tag(id: u64) -> i32 {
    (id % i32::MAX as u64) as i32 + 1
}

impl Request {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
    pub fn from_json(s: &str) -> Option<Request> {
        serde_json::from_str(s).ok()
    }
}

impl Response {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
    pub fn from_json(s: &str) -> Option<Response> {
        serde_json::from_str(s).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cancel_tags_are_never_zero_and_follow_the_ids() {
        assert_eq!(cancel_tag(1), 2);
        assert_ne!(cancel_tag(1), cancel_tag(2));
        for id in [0, 1, i32::MAX as u64 - 1, i32::MAX as u64, u64::MAX] {
            assert!(cancel_tag(id) > 0, "{id}");
        }
    }
}
