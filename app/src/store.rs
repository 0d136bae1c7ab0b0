//! The page's reactive state: each part of [`crate::state`] in a signal of its own, the sharing
//! messages, and the engine worker. Views get it with `expect_context::<Ui>()` and read the
//! parts they show; the operations that touch several parts or the worker (run a case, load
//! files) are methods here.

use leptos::prelude::*;

use crate::bridge::Bridge;
use crate::persist::CaseStore;
use crate::protocol::{Request, ResultInfo};
use crate::state::{Data, Inspect, Notice, Progress, Rows, Runs, TimeFrame};
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
    pub progress: RwSignal<Option<Progress>>,
    pub time: RwSignal<TimeFrame>,
    pub inspect: RwSignal<Inspect>,
    /// The chart (rather than the table) is shown for a time series result.
    pub view_chart: RwSignal<bool>,
    pub share: Sharing,
    bridge: StoredValue<Option<Bridge>, LocalStorage>,
}

/// What the sharing views show (`crate::share` fills it); a signal each, as they change apart.
#[derive(Clone, Copy)]
pub struct Sharing {
    /// Case file and share link messages (shown under the case).
    pub case_notice: RwSignal<Option<Notice>>,
    /// Result export messages (shown in the export bar).
    pub result_notice: RwSignal<Option<Notice>>,
    /// A case opened from a file or a link, to run once data is loaded.
    pub pending_run: RwSignal<Option<u64>>,
    /// The last share link made, shown so it can be copied by hand too.
    pub link: RwSignal<Option<String>>,
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
            progress: RwSignal::new(None),
            time: RwSignal::new(TimeFrame::default()),
            inspect: RwSignal::new(Inspect::default()),
            view_chart: RwSignal::new(false),
            share: Sharing {
                case_notice: RwSignal::new(None),
                result_notice: RwSignal::new(None),
                pending_run: RwSignal::new(None),
                link: RwSignal::new(None),
            },
            bridge: StoredValue::new_local(None),
        }
    }

    /// Keeps the worker, or shows why it could not start.
    pub fn connect(self, bridge: Result<Bridge, String>) {
        match bridge {
            Ok(b) => self.bridge.set_value(Some(b)),
            Err(e) => self.show_error(e),
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
        self.progress.set(Some(Progress::starting(files.len())));
        let paths = files.iter().map(|f| f.path.clone()).collect();
        let files: Vec<web_sys::File> = files.into_iter().map(|f| f.file).collect();
        let request = Request::Load {
            paths,
            bucket: "default_logs".into(),
        };
        self.send_with_files(request, &files);
    }

    /// Runs case `case_id`'s query over the picker's time frame.
    pub fn run(self, case_id: u64) {
        let Some(text) = self
            .cases
            .with_untracked(|c| c.get(case_id).map(|x| x.query.clone()))
        else {
            return;
        };
        let id = self.runs.try_update(|r| r.start(case_id)).unwrap_or(0);
        self.cases.update(|c| c.record_run(case_id, &text));
        let (wall, span) = (wall_ns(), self.data.with_untracked(|d| d.info.span));
        let time = self.time.get_untracked();
        let (from_ns, to_ns) = time.range(wall, span);
        self.send(Request::Query {
            id,
            text,
            now_ns: time.now_ns(wall),
            from_ns,
            to_ns,
        });
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
