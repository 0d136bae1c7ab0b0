//! The page's reactive state: each part of [`crate::state`] in a signal of its own, the sharing
//! messages, and the engine worker. Views get it with `expect_context::<Ui>()` and read the
//! parts they show; the operations that touch several parts or the worker (run a case, load
//! files) are methods here.

use leptos::prelude::*;
use trailscope_engine::time::format_timestamp;

use crate::bridge::Bridge;
use crate::persist::CaseStore;
use crate::protocol::{CompletionsInfo, FieldInfo, Request, ResultInfo};
use crate::state::{Arrivals, Data, Detections, Inspect, Notice, Progress, Rows, Runs, TimeFrame};
use crate::transfer::PickedFile;

/// The page's state; all handles, so it is `Copy` into every closure.
#[derive(Clone, Copy)]
pub struct Ui {
    pub cases: CaseStore,
    /// The active case's id (a memo: typing in a case changes the cases, not which is active).
    pub active: Memo<u64>,
    pub runs: RwSignal<Runs>,
    pub rows: RwSignal<Rows>,
    pub data: RwSignal<Data>,
    /// The Detections panel: hits per detection on the loaded data, detections switched off.
    pub detections: RwSignal<Detections>,
    /// The identity lens shown under the results: its subject, and its text once the worker
    /// has answered.
    pub identity: RwSignal<Option<(String, Option<String>)>>,
    pub progress: RwSignal<Option<Progress>>,
    pub time: RwSignal<TimeFrame>,
    pub inspect: RwSignal<Inspect>,
    /// The chart (rather than the table) is shown for a time series result.
    pub view_chart: RwSignal<bool>,
    /// The evidence list that values from a cell or a record go to (see
    /// `Cases::target_list`).
    pub list_target: RwSignal<String>,
    /// The field sidebar of a result, as the worker sent it: (result id, rows, fields).
    pub fields: RwSignal<Option<(u64, usize, Vec<FieldInfo>)>>,
    /// Columns hidden in the grid (by name; they stay in the result and its exports).
    pub hidden_columns: RwSignal<std::collections::HashSet<String>>,
    /// Records picked for comparing side by side: (label, JSON).
    pub compare: RwSignal<Vec<(String, String)>>,
    /// The editor's last completions from the worker.
    pub completions: RwSignal<Option<CompletionsInfo>>,
    pub share: Sharing,
    /// A reload after a query was cancelled by restarting the worker: the case whose query
    /// was cancelled and how many files are coming back.
    pub reloading: RwSignal<Option<(u64, usize)>>,
    bridge: StoredValue<Option<Bridge>, LocalStorage>,
    /// Every file handed to the worker, in order, and every bucket renamed since: what a new
    /// worker needs to hold the same data ([`Ui::cancel_query`] where a query cannot be
    /// interrupted). `File`s are handles, not copies of the bytes.
    loaded: StoredValue<Vec<PickedFile>, LocalStorage>,
    renamed: StoredValue<Vec<(String, String)>>,
    /// The run the last Cancel was for.
    cancelled: StoredValue<Option<u64>>,
}

/// What the sharing views show (`crate::share` fills it); a signal each, as they change apart.
#[derive(Clone, Copy)]
pub struct Sharing {
    /// Case file and share link messages (shown under the case).
    pub case_notice: RwSignal<Option<Notice>>,
    /// Result export messages (shown in the export bar).
    pub result_notice: RwSignal<Option<Notice>>,
    /// Cases opened from a file or a link whose query waits for the user's Run.
    pub arrivals: RwSignal<Arrivals>,
    /// The last share link made, shown so it can be copied by hand too.
    pub link: RwSignal<Option<String>>,
    /// The last "Copy as … SQL": the dialect's title and the statement, shown to copy by hand.
    pub sql: RwSignal<Option<(&'static str, String)>>,
    /// A case file's events being loaded: its name, how many events it holds, and how many
    /// events were loaded before (so the report can say when they were all loaded already).
    pub importing: RwSignal<Option<(String, u64, usize)>>,
}

/// The wall clock in ns (for "now" = wall clock).
pub fn wall_ns() -> i64 {
    (js_sys::Date::now() * 1e6) as i64
}

impl Ui {
    /// The state of a page that has just opened: the saved cases, nothing loaded, no worker yet
    /// (see [`Ui::connect`]).
    pub fn init() -> Ui {
        let cases = CaseStore::load();
        Ui {
            cases,
            active: Memo::new(move |_| cases.with(|c| c.active)),
            runs: RwSignal::new(Runs::default()),
            rows: RwSignal::new(Rows::default()),
            data: RwSignal::new(Data::default()),
            identity: RwSignal::new(None),
            detections: RwSignal::new(Detections::with_off(crate::persist::load_detections_off())),
            progress: RwSignal::new(None),
            time: RwSignal::new(TimeFrame::default()),
            inspect: RwSignal::new(Inspect::default()),
            view_chart: RwSignal::new(false),
            list_target: RwSignal::new(String::new()),
            fields: RwSignal::new(None),
            hidden_columns: RwSignal::new(Default::default()),
            completions: RwSignal::new(None),
            compare: RwSignal::new(Vec::new()),
            share: Sharing {
                case_notice: RwSignal::new(None),
                result_notice: RwSignal::new(None),
                arrivals: RwSignal::new(Arrivals::default()),
                link: RwSignal::new(None),
                sql: RwSignal::new(None),
                importing: RwSignal::new(None),
            },
            reloading: RwSignal::new(None),
            bridge: StoredValue::new_local(None),
            loaded: StoredValue::new_local(Vec::new()),
            renamed: StoredValue::new(Vec::new()),
            cancelled: StoredValue::new(None),
        }
    }

    /// Keeps the worker, or shows why it could not start.
    pub fn connect(self, bridge: Result<Bridge, String>) {
        match bridge {
            Ok(b) => self.bridge.set_value(Some(b)),
            Err(e) => self.show_error(e),
        }
    }

    /// Runs the detection pack over the loaded data (the ones switched off left out).
    pub fn detect(self) {
        let off = self.detections.with_untracked(|d| d.off_list());
        self.detections.update(|d| d.start());
        self.send(Request::Detect { off });
    }

    /// Switches a detection off or back on (kept between visits); one switched back on runs
    /// again at once.
    pub fn toggle_detection(self, id: &str) {
        self.detections.update(|d| d.toggle(id));
        self.detections
            .with_untracked(|d| crate::persist::save_detections_off(&d.off));
        let back_on = self.detections.with_untracked(|d| !d.off.contains(id));
        if back_on && self.data.with_untracked(|d| d.has_events()) {
            self.detect();
        }
    }

    /// Shows the identity lens of an ARN or access key (the worker works it out).
    pub fn show_identity(self, subject: String) {
        self.identity.set(Some((subject.clone(), None)));
        self.send(Request::Identity { subject });
    }

    /// Opens a detection as a new case and runs it: its query, whose rows are its hits.
    pub fn open_detection(self, id: &str) {
        if let Some(d) = trailscope_engine::detect::get(id) {
            let name = crate::state::detection_case_name(d);
            if let Some(case) = self.cases.update(|c| c.add(Some(&name), &d.query)) {
                self.run(case);
            }
        }
    }

    pub fn show_error(self, message: String) {
        self.data.update(|d| d.error = Some(message));
    }

    pub fn send(self, r: Request) {
        self.bridge.with_value(|b| {
            if let Some(b) = b {
                b.send(&r);
            }
        });
    }

    /// Sends `r` with files the worker reads (`Load`, `ImportCase`).
    pub fn send_with_files(self, r: Request, files: &[web_sys::File]) {
        self.bridge.with_value(|b| {
            if let Some(b) = b {
                b.send_with_files(&r, files);
            }
        });
    }

    /// Loads CloudTrail files (added to what is loaded).
    pub fn load(self, files: Vec<PickedFile>) {
        if files.is_empty() {
            return;
        }
        self.send_load(&files);
        self.loaded.update_value(|l| l.extend(files));
    }

    /// Loads files, each into its bucket (`buckets[i]` for `files[i]`; empty: the default).
    pub fn load_into(self, files: Vec<PickedFile>, buckets: Vec<String>) {
        if files.is_empty() {
            return;
        }
        self.progress.set(Some(Progress::starting(files.len())));
        let paths: Vec<String> = files.iter().map(|f| f.path.clone()).collect();
        // A restarted engine loads the same files and makes the same bucket changes.
        for (path, bucket) in paths.iter().zip(&buckets) {
            if !bucket.is_empty() && bucket != "default_logs" {
                let change = (path.clone(), bucket.clone());
                self.renamed.update_value(|r| r.push(change));
            }
        }
        let handles: Vec<web_sys::File> = files.iter().map(|f| f.file.clone()).collect();
        let request = Request::Load {
            paths,
            bucket: "default_logs".into(),
            buckets,
        };
        self.send_with_files(request, &handles);
        self.loaded.update_value(|l| l.extend(files));
    }

    fn send_load(self, files: &[PickedFile]) {
        self.progress.set(Some(Progress::starting(files.len())));
        let paths = files.iter().map(|f| f.path.clone()).collect();
        let files: Vec<web_sys::File> = files.iter().map(|f| f.file.clone()).collect();
        let request = Request::Load {
            paths,
            bucket: "default_logs".into(),
            buckets: Vec::new(),
        };
        self.send_with_files(request, &files);
    }

    /// Puts loaded source `source` into bucket `bucket`.
    pub fn set_bucket(self, source: String, bucket: String) {
        self.renamed
            .update_value(|r| r.push((source.clone(), bucket.clone())));
        self.send(Request::SetBucket { source, bucket });
    }

    /// Whether "Cancel query" keeps the data loaded (the page shares a flag with the worker),
    /// rather than restarting the engine and loading the files again.
    pub fn cancel_keeps_data(self) -> bool {
        self.bridge
            .with_value(|b| b.as_ref().is_some_and(Bridge::can_interrupt))
    }

    /// Stops the active case's query. Where the page shares a flag with the worker, the worker
    /// stops the query and answers with the engine's E402 error: the data stays loaded. Where it
    /// cannot (no `SharedArrayBuffer`: the single-file build on file://), the worker is ended
    /// and a new one loads the same files again (ARCHITECTURE.md, "Cancelling a query").
    ///
    /// The engine looks at the flag between commands and every 16K rows, so one command can
    /// keep it waiting; `escalate` (the button, not Esc) makes a second Cancel of the same run
    /// restart the worker as well.
    pub fn cancel_query(self, escalate: bool) {
        let case = self.active.get_untracked();
        let Some(id) = self.runs.with_untracked(|r| r.running(case)) else {
            return;
        };
        let again = self.cancelled.get_value() == Some(id);
        self.cancelled.set_value(Some(id));
        let interrupted = self
            .bridge
            .with_value(|b| b.as_ref().map(|b| b.interrupt(id)));
        if interrupted == Some(false) || (escalate && again) {
            self.restart_engine(case);
        }
    }

    fn restart_engine(self, case: u64) {
        let Some(restarted) = self.bridge.with_value(|b| b.as_ref().map(Bridge::restart)) else {
            return;
        };
        match restarted {
            Ok(b) => self.bridge.set_value(Some(b)),
            Err(e) => {
                self.bridge.set_value(None);
                self.runs
                    .update(|r| r.cancel_running(case, "Query cancelled."));
                return self.show_error(e);
            }
        }
        let files = self.loaded.with_value(|l| {
            l.iter()
                .map(|f| PickedFile {
                    path: f.path.clone(),
                    file: f.file.clone(),
                })
                .collect::<Vec<_>>()
        });
        let n = files.len();
        let why = if n == 0 {
            "Query cancelled.".to_string()
        } else {
            format!(
                "Query cancelled; reloading the data ({n} file{})…",
                plural(n)
            )
        };
        self.runs.update(|r| r.cancel_running(case, &why));
        self.rows.update(|r| r.clear());
        self.inspect.set(Inspect::default());
        self.data.update(|d| {
            *d = Data {
                report: why.clone(),
                ..Data::default()
            }
        });
        if n > 0 {
            self.reloading.set(Some((case, n)));
            self.send_load(&files);
        }
    }

    /// The data is back after [`Ui::restart_engine`]: bucket renames are made again, and the
    /// cancelled case says it can run again.
    pub fn reloaded(self, case: u64, files: usize) {
        for (source, bucket) in self.renamed.get_value() {
            self.send(Request::SetBucket { source, bucket });
        }
        self.runs.update(|r| {
            r.set_cancelled(
                case,
                &format!(
                    "Query cancelled. The data is loaded again ({files} file{}): run a query when you are ready.",
                    plural(files)
                ),
            )
        });
    }

    /// Runs case `case_id`'s query over the picker's time frame.
    pub fn run(self, case_id: u64) {
        let Some(text) = self
            .cases
            .with_untracked(|c| c.get(case_id).map(|x| x.query.clone()))
        else {
            return;
        };
        // A query that came from a link or a case file runs only by the user's hand: this is
        // it, so its notice goes.
        self.share.arrivals.maybe_update(|a| a.ran(case_id));
        let id = self.runs.try_update(|r| r.start(case_id)).unwrap_or(0);
        let time = self.time.get_untracked();
        let (portable, now) = (time.to_portable(), format_timestamp(wall_ns()));
        let node = self
            .cases
            .update(|c| {
                c.record_run(case_id, &text);
                c.record_node(case_id, &text, portable, &now)
            })
            .flatten();
        if let Some(node) = node {
            self.runs.update(|r| r.bind_node(id, case_id, node));
        }
        let (wall, span) = (wall_ns(), self.data.with_untracked(|d| d.info.span));
        let (from_ns, to_ns) = time.range(wall, span);
        self.send(Request::Query {
            id,
            text,
            now_ns: time.now_ns(wall),
            from_ns,
            to_ns,
        });
    }

    /// Changes the time frame picker; results on show were read with the old frame, so they
    /// say they are out of date (one click runs the case again).
    pub fn set_time(self, change: impl FnOnce(&mut TimeFrame)) {
        let before = self.time.get_untracked();
        self.time.update(change);
        if self.time.get_untracked() != before {
            self.runs
                .update(|r| r.mark_stale("the time frame changed since it ran"));
        }
    }

    /// Opens node `node` of the active case: the editor shows its query and the picker its time
    /// frame; its result shows at once when the worker still holds it, else it runs again.
    pub fn open_node(self, node: u64) {
        let case = self.active.get_untracked();
        let Some(n) = self.cases.update(|c| c.select_node(case, node)).flatten() else {
            return;
        };
        if let Some(tf) = &n.timeframe {
            self.time.set(TimeFrame::from_portable(tf));
        }
        let kept = self
            .runs
            .with_untracked(|r| r.node_result(case, node).cloned());
        match kept {
            Some(info) => {
                self.view_chart.set(info.chart.is_some());
                self.runs.update(|r| r.show(case, info));
            }
            None => self.run(case),
        }
    }

    /// Adds `value` to the active case's chosen evidence list and says so under the case.
    pub fn add_to_list(self, value: &str) {
        let case = self.active.get_untracked();
        let wanted = self.list_target.get_untracked();
        let list = self.cases.with_untracked(|c| c.target_list(case, &wanted));
        let shown: String = value.trim().chars().take(80).collect();
        let notice = match self.cases.update(|c| c.add_value(case, &list, value)) {
            Some(Ok(true)) => Notice::ok(format!("Added “{shown}” to the list “{list}”.")),
            Some(Ok(false)) => Notice::ok(format!("“{shown}” is on the list “{list}” already.")),
            Some(Err(e)) => Notice::err(format!("Not added to “{list}”: {e}")),
            None => None,
        };
        self.share.case_notice.set(notice);
    }

    /// Marks the record `json` (with the whole event `source` it came from) as the active
    /// case's reference event.
    pub fn mark_reference(self, json: &str, source: Option<&str>) {
        let case = self.active.get_untracked();
        let Some(time) = trailscope_share::investigation::record_time(json, source) else {
            self.share.case_notice.set(Notice::err(
                "This record has no event time (no timestamp or eventTime), so it cannot be the reference.",
            ));
            return;
        };
        let label = trailscope_share::Evidence {
            record: source.unwrap_or(json).to_string(),
            ..Default::default()
        }
        .label();
        let reference = trailscope_share::Reference { time, label };
        self.cases
            .update(|c| c.set_reference(case, Some(reference)));
    }

    pub fn run_active(self) {
        self.run(self.active.get_untracked());
    }

    /// The active case's result, when its last run succeeded (tracked).
    pub fn active_result(self) -> Option<ResultInfo> {
        let case = self.active.get();
        self.runs.with(|r| r.result(case).cloned())
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
