//! The page's state as plain data, with every operation on it: the cases, each case's query run
//! and its outcome, fetched rows, the time frame, the loaded data, loading progress, the record
//! being inspected. Nothing here touches the DOM or a signal, so all of it is tested on the host
//! (`cargo test -p trailscope-app`).
//!
//! `crate::store` keeps each part in a signal of its own, split by how often it changes: loading
//! progress and fetched rows change many times a second and must not redraw the case tabs or
//! the data panel.

use std::collections::HashMap;

use trailscope_engine::time::format_timestamp;

use crate::protocol::{DataInfo, DiagnosticInfo, ResultInfo};

mod cases;
mod compare;
mod detections;
mod investigation;
mod presets;
mod rows;
mod sql;
mod time;

pub use cases::{Case, Cases, Closed, Evidence, DEFAULT_QUERY};
pub use compare::{compare, CompareRow, MAX_COMPARED};
pub use detections::{case_name as detection_case_name, Detections};
pub use investigation::{
    fmt_delta, node_title, reference_ns, rows_with_delta, surrounding_query, timestamp_column,
    with_delta, TreeRow, DEFAULT_LIST, DELTA_COLUMN,
};
pub use presets::{guide_case_name, Preset, PRESETS};
pub use rows::{missing_pages, RowCache, Rows, PAGE_SIZE};
pub use sql::case_sql;
pub use time::{choices as time_choices, Bound, Frame, NowMode, TimeFrame};

/// What a case shows below its editor.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    Idle,
    /// Query run `id` is on its way (it can be cancelled by that id).
    Running(u64),
    Done(ResultInfo),
    /// The diagnostics (underlined in the editor) and their rendering.
    Failed(Vec<DiagnosticInfo>, String),
    /// The query was stopped by ending the engine worker (where it cannot be interrupted):
    /// what happened and what happens next, for the status line.
    Cancelled(String),
}

/// Query runs: each run gets a result id; the worker answers by that id.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Runs {
    /// Case id → what it shows.
    outcomes: HashMap<u64, Outcome>,
    /// Result id → case id.
    owners: HashMap<u64, u64>,
    last_id: u64,
    /// Case id → why its result no longer matches what a run would give now ("the time frame
    /// changed"); gone when the case runs again.
    stale: HashMap<u64, String>,
    /// Result id → (case id, query tree node) of the run that asked for it.
    nodes: HashMap<u64, (u64, u64)>,
    /// (case id, node) → its last result, while the worker keeps it ([`KEPT_RESULTS`]).
    node_results: HashMap<(u64, u64), ResultInfo>,
    /// Result ids in the order they arrived, the newest [`KEPT_RESULTS`] of them.
    kept: Vec<u64>,
}

/// How many results the worker keeps (its `KEEP_RESULTS`): older ones cannot page rows, so a
/// node whose result is older runs again when it is opened.
pub const KEPT_RESULTS: usize = 16;

impl Runs {
    /// Starts a run of case `case`: returns the result id to ask the worker for.
    pub fn start(&mut self, case: u64) -> u64 {
        self.stale.remove(&case);
        self.last_id += 1;
        self.owners.insert(self.last_id, case);
        self.outcomes.insert(case, Outcome::Running(self.last_id));
        self.last_id
    }

    /// Result `id` is the run of node `node` of case `case`.
    pub fn bind_node(&mut self, id: u64, case: u64, node: u64) {
        self.nodes.insert(id, (case, node));
    }

    /// The (case, node) whose run result `id` is.
    pub fn node_of(&self, id: u64) -> Option<(u64, u64)> {
        self.nodes.get(&id).copied()
    }

    /// Node `node`'s last result, when the worker still holds it: shown at once when the node
    /// is opened, without running it again.
    pub fn node_result(&self, case: u64, node: u64) -> Option<&ResultInfo> {
        self.node_results
            .get(&(case, node))
            .filter(|r| self.kept.contains(&r.id))
    }

    /// Case `case` shows `info` (a node's kept result) as its outcome.
    pub fn show(&mut self, case: u64, info: ResultInfo) {
        self.stale.remove(&case);
        self.outcomes.insert(case, Outcome::Done(info));
    }

    /// The id of case `case`'s run in progress, if one is.
    pub fn running(&self, case: u64) -> Option<u64> {
        match self.outcomes.get(&case) {
            Some(Outcome::Running(id)) => Some(*id),
            _ => None,
        }
    }

    /// The engine worker was ended: every run in progress is lost. Case `case` (whose Cancel
    /// did it) says `why`; the others say they were stopped too.
    pub fn cancel_running(&mut self, case: u64, why: &str) {
        for (c, o) in self.outcomes.iter_mut() {
            if matches!(o, Outcome::Running(_)) {
                *o = Outcome::Cancelled(if *c == case {
                    why.to_string()
                } else {
                    "Stopped: the query engine was restarted to cancel another query. Run it again when the data is loaded.".to_string()
                });
            }
        }
    }

    /// Case `case` shows `text` about its cancelled query.
    pub fn set_cancelled(&mut self, case: u64, text: &str) {
        self.outcomes
            .insert(case, Outcome::Cancelled(text.to_string()));
    }

    /// Every result on show is out of date: `why` says what changed since it ran. A result that
    /// was already out of date keeps its first reason.
    pub fn mark_stale(&mut self, why: &str) {
        for (case, o) in &self.outcomes {
            if matches!(o, Outcome::Done(_)) {
                self.stale.entry(*case).or_insert_with(|| why.to_string());
            }
        }
    }

    /// Why case `case`'s result is out of date, if it is.
    pub fn stale(&self, case: u64) -> Option<&str> {
        self.stale.get(&case).map(String::as_str)
    }

    /// Whether result `id` is one a run asked for.
    pub fn owns(&self, id: u64) -> bool {
        self.owners.contains_key(&id)
    }

    pub fn outcome(&self, case: u64) -> Outcome {
        self.outcomes.get(&case).cloned().unwrap_or(Outcome::Idle)
    }

    /// What the editor underlines for case `case`: its last run's diagnostics, if it failed.
    pub fn diagnostics(&self, case: u64) -> Vec<DiagnosticInfo> {
        match self.outcomes.get(&case) {
            Some(Outcome::Failed(d, _)) => d.clone(),
            _ => Vec::new(),
        }
    }

    /// Case `case`'s result, when its last run succeeded.
    pub fn result(&self, case: u64) -> Option<&ResultInfo> {
        match self.outcomes.get(&case) {
            Some(Outcome::Done(r)) => Some(r),
            _ => None,
        }
    }

    /// A result arrived; `false` when no run asked for it.
    pub fn finish(&mut self, info: ResultInfo) -> bool {
        let Some(&case) = self.owners.get(&info.id) else {
            return false;
        };
        self.kept.push(info.id);
        if self.kept.len() > KEPT_RESULTS {
            let old = self.kept.remove(0);
            self.node_results.retain(|_, r| r.id != old);
        }
        if let Some(key) = self.nodes.get(&info.id) {
            self.node_results.insert(*key, info.clone());
        }
        self.outcomes.insert(case, Outcome::Done(info));
        true
    }

    /// A run failed; `false` when no run asked for it.
    pub fn fail(&mut self, id: u64, diagnostics: Vec<DiagnosticInfo>, rendered: String) -> bool {
        let Some(&case) = self.owners.get(&id) else {
            return false;
        };
        self.outcomes
            .insert(case, Outcome::Failed(diagnostics, rendered));
        true
    }

    /// The loaded data changed: every outcome is out of date and goes (a cancelled query's
    /// note stays). Returns whether the active case had run (or was running), so that it runs
    /// again on the new data; a cancelled query does not.
    pub fn data_changed(&mut self, active: u64) -> bool {
        let ran = !matches!(self.outcome(active), Outcome::Idle | Outcome::Cancelled(_));
        self.outcomes
            .retain(|_, v| matches!(v, Outcome::Idle | Outcome::Cancelled(_)));
        self.stale.clear();
        self.node_results.clear();
        self.kept.clear();
        ran
    }
}

/// A result's status line: "1 row in 0.4 ms", "12 rows in 3.0 ms".
pub fn result_summary(r: &ResultInfo) -> String {
    let s = if r.row_count == 1 { "" } else { "s" };
    format!("{} row{s} in {:.1} ms", r.row_count, r.elapsed_ms)
}

/// Whether to offer "Show all loaded data": nothing came back because the time frame held none
/// of the loaded events (the engine's typed notice, not its text).
pub fn offers_show_all(r: &ResultInfo) -> bool {
    r.row_count == 0 && r.empty_timeframe
}

/// The loaded data as the worker last described it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Data {
    pub info: DataInfo,
    /// The last load's summary ("Loaded 1,234 events from 3 files …").
    pub report: String,
    /// The last thing that went wrong outside a query.
    pub error: Option<String>,
}

impl Data {
    pub fn has_events(&self) -> bool {
        self.info.events > 0
    }

    pub fn report_text(&self) -> String {
        if self.report.is_empty() {
            "No data loaded yet.".to_string()
        } else {
            self.report.clone()
        }
    }
}

/// A load in progress, as the worker reports it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Progress {
    pub file: String,
    pub files_done: usize,
    pub files_total: usize,
    pub bytes_done: u64,
    pub bytes_total: u64,
    pub events: usize,
    pub memory: u64,
}

impl Progress {
    /// The moment `files` files are handed to the worker, before it says anything.
    pub fn starting(files: usize) -> Progress {
        Progress {
            files_total: files,
            ..Progress::default()
        }
    }

    /// Done so far, in percent: by bytes, or by files while sizes are unknown.
    pub fn percent(&self) -> f64 {
        (self.bytes_done * 100)
            .checked_div(self.bytes_total)
            .map(|x| x as f64)
            .or_else(|| {
                (self.files_done * 100)
                    .checked_div(self.files_total)
                    .map(|x| x as f64)
            })
            .unwrap_or(0.0)
    }

    pub fn status(&self) -> String {
        format!(
            "{} of {} files, {} of {}, {} events, engine memory {} {}",
            self.files_done,
            self.files_total,
            fmt_bytes(self.bytes_done),
            fmt_bytes(self.bytes_total),
            self.events,
            fmt_bytes(self.memory),
            self.file
        )
    }
}

/// `512 KB`, `3.2 MB`, `1.1 GB`.
pub fn fmt_bytes(b: u64) -> String {
    if b >= 1 << 30 {
        format!("{:.1} GB", b as f64 / (1u64 << 30) as f64)
    } else if b >= 1 << 20 {
        format!("{:.1} MB", b as f64 / (1u64 << 20) as f64)
    } else {
        format!("{:.0} KB", b as f64 / 1024.0)
    }
}

/// A source's time span, oldest – newest.
pub fn fmt_span(span: Option<(i64, i64)>) -> String {
    span.map(|(a, b)| format!("{} – {}", format_timestamp(a), format_timestamp(b)))
        .unwrap_or_else(|| "no events".into())
}

/// The record dialogs: which row of which result each shows, and that row as JSON once the
/// worker has sent it. At most one dialog is open.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Inspect {
    /// Field details: (result id, row).
    pub details: Option<(u64, usize)>,
    /// Record details (the tree): (result id, row).
    pub record: Option<(u64, usize)>,
    /// The row shown, `None` while it is on its way.
    pub json: Option<String>,
    /// The whole event the row came from, when it came from one.
    pub source: Option<String>,
}

impl Inspect {
    pub fn open_details(&mut self, id: u64, row: usize) {
        *self = Inspect {
            details: Some((id, row)),
            ..Inspect::default()
        };
    }

    pub fn open_record(&mut self, id: u64, row: usize) {
        *self = Inspect {
            record: Some((id, row)),
            ..Inspect::default()
        };
    }

    /// Field details moves `by` rows, staying within `row_count`; returns the row to fetch. The
    /// row on show stays until the new one arrives.
    pub fn step(&mut self, by: i64, row_count: usize) -> Option<(u64, usize)> {
        let (id, row) = self.details?;
        let next = (row as i64 + by).clamp(0, (row_count as i64 - 1).max(0)) as usize;
        self.details = Some((id, next));
        self.details
    }

    /// A record arrived: kept when a dialog is waiting for exactly that row.
    pub fn accept(&mut self, id: u64, row: usize, json: String, source: Option<String>) -> bool {
        let wanted = self.details == Some((id, row)) || self.record == Some((id, row));
        if wanted {
            self.json = Some(json);
            self.source = source;
        }
        wanted
    }
}

/// Cases whose query came from outside (a share link, a case file) and has not run here yet.
/// Such a query is shown, never run by itself: it may have been written to be slow or to ask
/// for a lot of memory, so the user reads it and presses Run.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Arrivals {
    /// Case id → where its query came from ("a shared link", "the case file x.json").
    from: HashMap<u64, String>,
}

impl Arrivals {
    /// Case `case`'s query came from `origin` and waits for the user's Run.
    pub fn mark(&mut self, case: u64, origin: impl Into<String>) {
        self.from.insert(case, origin.into());
    }

    /// Where case `case`'s query came from, while it has not run.
    pub fn origin(&self, case: u64) -> Option<&str> {
        self.from.get(&case).map(String::as_str)
    }

    /// Case `case` is about to run (by the user's hand); returns whether it was waiting.
    pub fn ran(&mut self, case: u64) -> bool {
        self.from.remove(&case).is_some()
    }
}

/// A message for the user about a share action (under the case or in the export bar).
#[derive(Clone, Debug, PartialEq)]
pub struct Notice {
    pub error: bool,
    pub text: String,
}

impl Notice {
    pub fn ok(text: impl Into<String>) -> Option<Notice> {
        Some(Notice {
            error: false,
            text: text.into(),
        })
    }

    pub fn err(text: impl Into<String>) -> Option<Notice> {
        Some(Notice {
            error: true,
            text: text.into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(id: u64) -> ResultInfo {
        ResultInfo {
            id,
            columns: vec!["a".into()],
            row_count: 0,
            elapsed_ms: 1.0,
            notices: vec![],
            empty_timeframe: false,
            warnings: String::new(),
            timeframe: None,
            now_ns: 0,
            chart: None,
            first_rows: vec![],
        }
    }

    #[test]
    fn a_run_goes_from_running_to_done_or_failed() {
        let mut runs = Runs::default();
        assert_eq!(runs.outcome(1), Outcome::Idle);
        let a = runs.start(1);
        let b = runs.start(2);
        assert_ne!(a, b);
        assert_eq!(runs.outcome(1), Outcome::Running(a));
        assert_eq!((runs.running(1), runs.running(3)), (Some(a), None));
        assert!(runs.finish(result(a)));
        assert_eq!(runs.result(1).map(|r| r.id), Some(a));
        assert!(runs.fail(b, vec![], "E201".into()));
        assert!(runs.diagnostics(2).is_empty() && runs.diagnostics(1).is_empty());
        assert_eq!(runs.outcome(2), Outcome::Failed(vec![], "E201".into()));
        assert!(runs.result(2).is_none());
        assert!(runs.owns(a) && !runs.owns(99));
        assert!(!runs.finish(result(99)), "nobody asked for result 99");
        assert!(!runs.fail(99, vec![], String::new()));
    }

    #[test]
    fn a_nodes_result_is_kept_while_the_worker_keeps_it() {
        let mut runs = Runs::default();
        let a = runs.start(1);
        runs.bind_node(a, 1, 7);
        assert_eq!(runs.node_of(a), Some((1, 7)));
        runs.finish(result(a));
        assert_eq!(runs.node_result(1, 7).map(|r| r.id), Some(a));
        runs.show(2, result(a));
        assert_eq!(runs.result(2).map(|r| r.id), Some(a));
        for _ in 0..KEPT_RESULTS {
            let b = runs.start(1);
            runs.finish(result(b));
        }
        assert!(runs.node_result(1, 7).is_none(), "the worker dropped it");
        let c = runs.start(1);
        runs.bind_node(c, 1, 8);
        runs.finish(result(c));
        runs.data_changed(1);
        assert!(runs.node_result(1, 8).is_none());
    }

    #[test]
    fn new_data_clears_outcomes_and_reruns_the_active_case_if_it_ran() {
        let mut runs = Runs::default();
        let a = runs.start(1);
        runs.finish(result(a));
        runs.start(2);
        assert!(runs.data_changed(1));
        assert_eq!(
            (runs.outcome(1), runs.outcome(2)),
            (Outcome::Idle, Outcome::Idle)
        );
        assert!(!runs.data_changed(1));
        runs.start(2);
        assert!(runs.data_changed(2), "a running case runs again too");
    }

    #[test]
    fn a_changed_time_frame_marks_results_stale_until_they_run_again() {
        let mut runs = Runs::default();
        let a = runs.start(1);
        runs.finish(result(a));
        runs.start(2);
        runs.mark_stale("the time frame changed");
        assert_eq!(runs.stale(1), Some("the time frame changed"));
        assert_eq!(runs.stale(2), None, "a running query reads the new frame");
        runs.mark_stale("a bucket changed");
        assert_eq!(runs.stale(1), Some("the time frame changed"));
        let b = runs.start(1);
        assert_eq!(runs.stale(1), None);
        runs.finish(result(b));
        runs.mark_stale("x");
        runs.data_changed(1);
        assert_eq!(runs.stale(1), None);
    }

    #[test]
    fn cancelling_by_restart_stops_every_run_and_does_not_rerun() {
        let mut runs = Runs::default();
        let a = runs.start(1);
        runs.start(2);
        let c = runs.start(3);
        runs.finish(result(c));
        assert_eq!(runs.running(1), Some(a));
        runs.cancel_running(1, "Query cancelled; reloading the data (2 files)…");
        assert_eq!(
            runs.outcome(1),
            Outcome::Cancelled("Query cancelled; reloading the data (2 files)…".into())
        );
        assert!(matches!(runs.outcome(2), Outcome::Cancelled(t) if t.starts_with("Stopped")));
        assert_eq!(
            runs.result(3).map(|r| r.id),
            Some(c),
            "a finished run stays"
        );
        assert_eq!(runs.running(1), None);
        assert!(
            !runs.data_changed(1),
            "the cancelled query does not run again"
        );
        runs.set_cancelled(1, "Query cancelled; the data is loaded again.");
        assert!(matches!(runs.outcome(1), Outcome::Cancelled(t) if t.ends_with("again.")));
        assert_eq!(runs.outcome(3), Outcome::Idle);
        assert!(runs.owns(a), "a late answer is still recognised");
    }

    #[test]
    fn arrived_queries_wait_for_their_first_run() {
        let mut a = Arrivals::default();
        a.mark(4, "a shared link");
        assert_eq!(a.origin(4), Some("a shared link"));
        assert_eq!(a.origin(5), None);
        assert!(a.ran(4));
        assert_eq!(a.origin(4), None);
        assert!(!a.ran(4), "only the first run was waited for");
    }

    #[test]
    fn result_lines() {
        let mut r = result(1);
        assert_eq!(result_summary(&r), "0 rows in 1.0 ms");
        assert!(!offers_show_all(&r));
        r.empty_timeframe = true;
        assert!(offers_show_all(&r));
        r.row_count = 1;
        r.elapsed_ms = 0.44;
        assert_eq!(result_summary(&r), "1 row in 0.4 ms");
        assert!(!offers_show_all(&r));
    }

    #[test]
    fn progress_counts_bytes_then_files() {
        let mut p = Progress::starting(4);
        assert_eq!(p.percent(), 0.0);
        p.files_done = 1;
        assert_eq!(p.percent(), 25.0);
        p.bytes_total = 200;
        p.bytes_done = 150;
        assert_eq!(p.percent(), 75.0);
        p.memory = 3 << 20;
        assert_eq!(
            p.status(),
            "1 of 4 files, 0 KB of 0 KB, 0 events, engine memory 3.0 MB "
        );
    }

    #[test]
    fn sizes_and_spans_read_as_text() {
        assert_eq!(fmt_bytes(2048), "2 KB");
        assert_eq!(fmt_bytes(5 << 20), "5.0 MB");
        assert_eq!(fmt_bytes(3 << 30), "3.0 GB");
        assert_eq!(fmt_span(None), "no events");
        assert_eq!(Data::default().report_text(), "No data loaded yet.");
    }

    #[test]
    fn record_dialogs_take_only_the_row_they_wait_for() {
        let mut i = Inspect::default();
        i.open_details(5, 0);
        assert!(!i.accept(5, 1, "{}".into(), None));
        assert!(i.accept(5, 0, "{\"a\":1}".into(), Some("{\"a\":1,\"b\":2}".into())));
        assert_eq!(i.source.as_deref(), Some("{\"a\":1,\"b\":2}"));
        assert_eq!(i.step(-1, 10), Some((5, 0)), "the first row stays first");
        assert_eq!(i.step(1, 10), Some((5, 1)));
        assert_eq!(
            i.json.as_deref(),
            Some("{\"a\":1}"),
            "shown until the next row arrives"
        );
        assert_eq!(i.step(50, 10), Some((5, 9)));
        i.open_record(5, 3);
        assert_eq!(
            (i.details, i.record, i.json.clone()),
            (None, Some((5, 3)), None)
        );
        assert_eq!(i.step(1, 10), None, "only field details steps");
    }
}
