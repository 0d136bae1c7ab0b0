//! Trailscope's browser page: drop CloudTrail exports, investigate them with DQL in case tabs,
//! read results as a table, field details, a record tree or a chart.
//!
//! The page only shows things. The data and the engine live in a Web Worker (`worker`), reached
//! through `bridge`; the same wasm binary runs in both places. Every value from a log is
//! attacker-controlled, so it is only ever rendered as text: Leptos turns string children into
//! DOM text nodes, and nothing here uses `inner_html`.

mod bridge;
mod cases;
mod fetch;
mod protocol;
mod share;
mod ui;
mod worker;

use std::collections::HashMap;

use leptos::ev;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use bridge::{Bridge, PickedFile};
use cases::{Cases, PRESETS};
use protocol::{DataInfo, DiagnosticInfo, Request, Response, ResultInfo};
use trailscope_engine::time::{
    format_timestamp, parse_timestamp, NS_PER_DAY, NS_PER_HOUR, NS_PER_MIN,
};
use ui::table::RowCache;

/// The bundled sample export, relative to the page (public/sample/ is copied into dist/).
const SAMPLE_URL: &str = "sample/cloudtrail-sample.json.gz";
const SAMPLE_NAME: &str = "sample/cloudtrail-sample.json.gz";

fn main() {
    // The worker runs the same binary: there is no window there, and `worker_main` takes over.
    if web_sys::window().is_none() {
        return;
    }
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}

/// What a case shows below its editor.
#[derive(Clone, Debug, PartialEq)]
enum Outcome {
    Idle,
    Running,
    Done(ResultInfo),
    Failed(Vec<DiagnosticInfo>, String),
}

#[derive(Clone, Debug, PartialEq)]
struct Progress {
    file: String,
    files_done: usize,
    files_total: usize,
    bytes_done: u64,
    bytes_total: u64,
    events: usize,
    memory: u64,
}

/// The time frame picker: presets relative to "now", or absolute times.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Frame {
    All,
    Last(i64),
    Absolute(Option<i64>, Option<i64>),
}

/// Where "now" comes from for relative time frames.
#[derive(Clone, Copy, Debug, PartialEq)]
enum NowMode {
    NewestEvent,
    WallClock,
}

#[derive(Clone, Copy)]
struct Ui {
    cases: RwSignal<Cases>,
    outcomes: RwSignal<HashMap<u64, Outcome>>,
    /// Result id → case id.
    owners: RwSignal<HashMap<u64, u64>>,
    rows: RwSignal<HashMap<u64, RowCache>>,
    /// Result id → the column it is sorted by (descending?), as the worker holds it; kept
    /// here, not in the grid, so the header shows it after the grid is rebuilt.
    sorts: RwSignal<HashMap<u64, (usize, bool)>>,
    data: RwSignal<DataInfo>,
    report: RwSignal<String>,
    progress: RwSignal<Option<Progress>>,
    error: RwSignal<Option<String>>,
    frame: RwSignal<Frame>,
    now_mode: RwSignal<NowMode>,
    next_result: StoredValue<u64>,
    bridge: StoredValue<Option<Bridge>, LocalStorage>,
    details: RwSignal<Option<(u64, usize)>>,
    record: RwSignal<Option<(u64, usize)>>,
    record_json: RwSignal<Option<String>>,
    view_chart: RwSignal<bool>,
    ready: RwSignal<bool>,
}

impl Ui {
    fn send(&self, r: Request) {
        self.bridge.with_value(|b| {
            if let Some(b) = b {
                b.send(&r);
            }
        });
    }

    fn now_ns(&self) -> Option<i64> {
        match self.now_mode.get_untracked() {
            NowMode::NewestEvent => None,
            NowMode::WallClock => Some((js_sys::Date::now() * 1e6) as i64),
        }
    }

    /// The effective "now" as the page shows it.
    fn now_display(&self) -> i64 {
        self.now_ns().unwrap_or_else(|| {
            self.data.with_untracked(|d| {
                d.span
                    .map_or(0, |(_, b)| trailscope_engine::exec::default_now(b))
            })
        })
    }

    fn run(&self, case_id: u64) {
        let Some(text) = self.cases.with_untracked(|c| {
            c.cases
                .iter()
                .find(|x| x.id == case_id)
                .map(|x| x.query.clone())
        }) else {
            return;
        };
        let id = self.next_result.get_value() + 1;
        self.next_result.set_value(id);
        self.owners.update(|o| {
            o.insert(id, case_id);
        });
        self.outcomes.update(|o| {
            o.insert(case_id, Outcome::Running);
        });
        self.cases.update(|c| {
            c.record_run(case_id, &text);
            c.save();
        });
        let now = self.now_ns();
        let (from_ns, to_ns) = match self.frame.get_untracked() {
            Frame::All => (None, None),
            Frame::Last(d) => {
                let n = self.now_display();
                (Some(n - d), Some(n))
            }
            Frame::Absolute(a, b) => (a, b),
        };
        self.send(Request::Query {
            id,
            text,
            now_ns: now,
            from_ns,
            to_ns,
        });
    }

    fn active_result(&self) -> Option<ResultInfo> {
        let case = self.cases.with(|c| c.active);
        self.outcomes.with(|o| match o.get(&case) {
            Some(Outcome::Done(r)) => Some(r.clone()),
            _ => None,
        })
    }

    fn on_response(&self, r: Response) {
        match r {
            Response::Ready => self.ready.set(true),
            Response::Progress {
                file,
                files_done,
                files_total,
                bytes_done,
                bytes_total,
                events,
                memory,
                ..
            } => {
                self.progress.set(Some(Progress {
                    file,
                    files_done,
                    files_total,
                    bytes_done,
                    bytes_total,
                    events,
                    memory,
                }));
            }
            Response::Loaded {
                data,
                report,
                cancelled: _,
            } => {
                self.progress.set(None);
                self.data.set(data);
                self.report.set(report);
                // Old results point at data that changed: run the active case again.
                self.rows.update(HashMap::clear);
                let active = self.cases.with_untracked(|c| c.active);
                let ran = self.outcomes.with_untracked(|o| {
                    matches!(
                        o.get(&active),
                        Some(Outcome::Done(_) | Outcome::Failed(..) | Outcome::Running)
                    )
                });
                self.outcomes
                    .update(|o| o.retain(|_, v| matches!(v, Outcome::Idle)));
                if ran {
                    self.run(active);
                }
            }
            Response::Result(info) => {
                let Some(case) = self.owners.with_untracked(|o| o.get(&info.id).copied()) else {
                    return;
                };
                let cache = RowCache::from_result(&info);
                self.rows.update(|r| {
                    r.insert(info.id, cache);
                });
                self.view_chart.set(info.chart.is_some());
                self.outcomes.update(|o| {
                    o.insert(case, Outcome::Done(info));
                });
            }
            Response::Failed {
                id,
                diagnostics,
                rendered,
            } => {
                let Some(case) = self.owners.with_untracked(|o| o.get(&id).copied()) else {
                    return;
                };
                self.outcomes.update(|o| {
                    o.insert(case, Outcome::Failed(diagnostics, rendered));
                });
            }
            Response::Rows { id, start, rows } => {
                self.rows.update(|r| {
                    if let Some(c) = r.get_mut(&id) {
                        c.insert(start, rows);
                    }
                });
            }
            Response::Record { id, row, json } => {
                let wanted = self.details.get_untracked() == Some((id, row))
                    || self.record.get_untracked() == Some((id, row));
                if wanted {
                    self.record_json.set(Some(json));
                }
            }
            Response::Error { message } => self.error.set(Some(message)),
            r @ (Response::Exported { .. }
            | Response::ExportFailed { .. }
            | Response::CaseImported { .. }
            | Response::CaseRejected { .. }) => share::on_response(*self, r),
        }
    }

    fn load(&self, files: Vec<PickedFile>) {
        if files.is_empty() {
            return;
        }
        let total = files.len();
        self.progress.set(Some(Progress {
            file: String::new(),
            files_done: 0,
            files_total: total,
            bytes_done: 0,
            bytes_total: 0,
            events: 0,
            memory: 0,
        }));
        self.bridge.with_value(|b| {
            if let Some(b) = b {
                b.load(files, "default_logs");
            }
        });
    }
}

#[component]
fn App() -> impl IntoView {
    let ui = Ui {
        cases: RwSignal::new(Cases::load()),
        outcomes: RwSignal::new(HashMap::new()),
        owners: RwSignal::new(HashMap::new()),
        rows: RwSignal::new(HashMap::new()),
        sorts: RwSignal::new(HashMap::new()),
        data: RwSignal::new(DataInfo::default()),
        report: RwSignal::new(String::new()),
        progress: RwSignal::new(None),
        error: RwSignal::new(None),
        frame: RwSignal::new(Frame::All),
        now_mode: RwSignal::new(NowMode::NewestEvent),
        next_result: StoredValue::new(0),
        bridge: StoredValue::new_local(None),
        details: RwSignal::new(None),
        record: RwSignal::new(None),
        record_json: RwSignal::new(None),
        view_chart: RwSignal::new(false),
        ready: RwSignal::new(false),
    };
    match Bridge::start(move |r| ui.on_response(r)) {
        Ok(b) => ui.bridge.set_value(Some(b)),
        Err(e) => ui.error.set(Some(e)),
    }
    provide_context(ui);
    share::start(ui);

    view! {
        <header class="app-header">
            <h1>"Trailscope"</h1>
            <span class="tagline">"DQL over AWS CloudTrail, in your browser — nothing is uploaded"</span>
        </header>
        <main class="layout">
            <DataPanel />
            <section class="workspace" aria-label="Investigation">
                <CaseTabs />
                <CaseView />
            </section>
        </main>
        <Dialogs />
    }
}

fn fmt_bytes(b: u64) -> String {
    if b >= 1 << 30 {
        format!("{:.1} GB", b as f64 / (1u64 << 30) as f64)
    } else if b >= 1 << 20 {
        format!("{:.1} MB", b as f64 / (1u64 << 20) as f64)
    } else {
        format!("{:.0} KB", b as f64 / 1024.0)
    }
}

fn fmt_span(span: Option<(i64, i64)>) -> String {
    span.map(|(a, b)| format!("{} – {}", format_timestamp(a), format_timestamp(b)))
        .unwrap_or_else(|| "no events".into())
}

#[component]
fn DataPanel() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let dragging = RwSignal::new(false);
    let file_input = NodeRef::<leptos::html::Input>::new();
    let folder_input = NodeRef::<leptos::html::Input>::new();

    let load_sample = move |_| {
        spawn_local(async move {
            match fetch::fetch_bytes(SAMPLE_URL).await {
                Ok(bytes) => {
                    let arr = js_sys::Uint8Array::from(bytes.as_slice());
                    let parts = js_sys::Array::of1(&arr);
                    match web_sys::File::new_with_u8_array_sequence(
                        &parts,
                        "cloudtrail-sample.json.gz",
                    ) {
                        Ok(file) => ui.load(vec![PickedFile {
                            path: SAMPLE_NAME.into(),
                            file,
                        }]),
                        Err(e) => ui.error.set(Some(format!("{e:?}"))),
                    }
                }
                Err(e) => ui.error.set(Some(e)),
            }
        });
    };
    let on_drop = move |ev: ev::DragEvent| {
        ev.prevent_default();
        dragging.set(false);
        if let Some(dt) = ev.data_transfer() {
            spawn_local(async move {
                let files = bridge::dropped_files(&dt).await;
                // Case files among them are opened as cases (share.rs), the rest is loaded.
                share::load_files(ui, files);
            });
        }
    };
    // `webkitdirectory` makes the dialog pick a folder (files keep their relative paths).
    Effect::new(move |_| {
        if let Some(el) = folder_input.get() {
            let _ = el.set_attribute("webkitdirectory", "");
        }
    });
    let picked = move |input: NodeRef<leptos::html::Input>| {
        if let Some(el) = input.get() {
            let files = bridge::input_files(&el);
            el.set_value("");
            share::load_files(ui, files);
        }
    };

    view! {
        <aside class="panel data-panel" aria-labelledby="data-heading">
            <h2 id="data-heading">"Data"</h2>
            <div
                class="dropzone"
                class:dragging=move || dragging.get()
                role="region"
                aria-label="Drop CloudTrail files here"
                on:dragenter=move |ev: ev::DragEvent| { ev.prevent_default(); dragging.set(true); }
                on:dragover=move |ev: ev::DragEvent| ev.prevent_default()
                on:dragleave=move |_| dragging.set(false)
                on:drop=on_drop
            >
                <p>"Drop CloudTrail exports here: .json.gz objects, folders, .zip and .tar.gz archives, JSON, NDJSON, console or Lake CSV, CloudWatch exports, case files."</p>
                <div class="toolbar">
                    <button type="button" on:click=move |_| { if let Some(i) = file_input.get() { i.click(); } }>"Open files…"</button>
                    <button type="button" on:click=move |_| { if let Some(i) = folder_input.get() { i.click(); } }>"Open folder…"</button>
                    <button type="button" on:click=load_sample>"Load sample"</button>
                </div>
                <input type="file" multiple class="hidden-input" aria-label="Open files" node_ref=file_input on:change=move |_| picked(file_input) />
                <input type="file" multiple class="hidden-input" aria-label="Open folder" node_ref=folder_input on:change=move |_| picked(folder_input) />
            </div>
            {move || ui.progress.get().map(|p| {
                let pct = (p.bytes_done * 100).checked_div(p.bytes_total).map(|x| x as f64).or_else(|| (p.files_done * 100).checked_div(p.files_total).map(|x| x as f64)).unwrap_or(0.0);
                view! {
                    <div class="progress-box">
                        <progress max="100" prop:value=pct aria-label="Loading progress"></progress>
                        <p class="status">{format!("{} of {} files, {} of {}, {} events, engine memory {} {}", p.files_done, p.files_total, fmt_bytes(p.bytes_done), fmt_bytes(p.bytes_total), p.events, fmt_bytes(p.memory), p.file)}</p>
                        <button type="button" on:click=move |_| ui.send(Request::Cancel)>"Cancel loading"</button>
                    </div>
                }
            })}
            <p class="status" role="status" aria-label="Load report">
                {move || {
                    let r = ui.report.get();
                    if r.is_empty() { "No data loaded yet.".to_string() } else { r }
                }}
            </p>
            {move || ui.error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            <h3>"Start from a use case"</h3>
            <div class="presets">
                {PRESETS.iter().map(|(name, query)| {
                    let (name, query) = (*name, *query);
                    view! {
                        <button type="button" on:click=move |_| {
                            let id = ui.cases.try_update(|c| { let id = c.add(Some(name), query); c.save(); id });
                            if let Some(id) = id { ui.run(id); }
                            // The result appears at the top of the workspace: bring it into view.
                            if let Some(el) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.query_selector(".workspace").ok().flatten()) {
                                el.scroll_into_view();
                            }
                        }>{name}</button>
                    }
                }).collect_view()}
            </div>
            <h3>"Sources"</h3>
            <ul class="sources" aria-label="Loaded sources">
                <For each=move || ui.data.get().sources key=|s| s.name.clone() let:src>
                    <SourceRow src=src />
                </For>
            </ul>
        </aside>
    }
}

#[component]
fn SourceRow(src: protocol::SourceInfo) -> impl IntoView {
    let ui = expect_context::<Ui>();
    let bucket = RwSignal::new(src.bucket.clone());
    let name = src.name.clone();
    let label = format!("Bucket of {}", src.name);
    let save = move || {
        let b = bucket.get_untracked();
        if !b.trim().is_empty() {
            ui.send(Request::SetBucket {
                source: name.clone(),
                bucket: b.trim().to_string(),
            });
        }
    };
    let problems = src.problems.clone();
    let notices = src.notices.clone();
    view! {
        <li class="source">
            <span class="source-name" title=src.name.clone()>{src.name.clone()}</span>
            <span class="source-meta">{format!("{} events · {} · {}", src.events, src.shape, fmt_span(src.span))}</span>
            {(src.events > 0).then(|| view! {
                <label class="bucket">
                    "bucket "
                    <input
                        type="text"
                        aria-label=label.clone()
                        prop:value=move || bucket.get()
                        on:input=move |ev| bucket.set(event_target_value(&ev))
                        on:change={ let save = save.clone(); move |_| save() }
                    />
                </label>
            })}
            {(!problems.is_empty()).then(|| view! {
                <ul class="problems">{problems.into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}</ul>
            })}
            {(!notices.is_empty()).then(|| view! {
                <ul class="source-notices">{notices.into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}</ul>
            })}
        </li>
    }
}

#[component]
fn CaseTabs() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let renaming = RwSignal::new(None::<u64>);
    // The tab being dragged to a new place (tabs also move with Alt+Left/Right).
    let dragged = RwSignal::new(None::<u64>);
    view! {
        <div class="tabs-bar">
            <div role="tablist" aria-label="Cases" class="tabs">
                <For each=move || ui.cases.get().cases key=|c| (c.id, c.name.clone()) let:case>
                    {
                        let id = case.id;
                        let name = case.name.clone();
                        let selected = move || ui.cases.with(|c| c.active == id);
                        let on_key = move |ev: ev::KeyboardEvent| {
                            match ev.key().as_str() {
                                "ArrowRight" if ev.alt_key() => ui.cases.update(|c| { c.shift(id, 1); c.save(); }),
                                "ArrowLeft" if ev.alt_key() => ui.cases.update(|c| { c.shift(id, -1); c.save(); }),
                                "F2" => renaming.set(Some(id)),
                                "Delete" => ui.cases.update(|c| { c.close(id); c.save(); }),
                                _ => {}
                            }
                        };
                        let on_drop = move |ev: ev::DragEvent| {
                            ev.prevent_default();
                            ev.stop_propagation();
                            if let Some(from) = dragged.get_untracked() {
                                ui.cases.update(|c| { c.move_to(from, id); c.save(); });
                            }
                            dragged.set(None);
                        };
                        view! {
                            <div
                                class="tab"
                                class:active=selected
                                class:drop-target=move || dragged.get().is_some_and(|d| d != id)
                                draggable="true"
                                on:dragstart=move |ev: ev::DragEvent| {
                                    dragged.set(Some(id));
                                    if let Some(dt) = ev.data_transfer() {
                                        dt.set_effect_allowed("move");
                                        let _ = dt.set_data("text/x-trailscope-case", &id.to_string());
                                    }
                                }
                                on:dragend=move |_| dragged.set(None)
                                on:dragover=move |ev: ev::DragEvent| if dragged.get_untracked().is_some() { ev.prevent_default(); }
                                on:drop=on_drop
                            >
                                {move || if renaming.get() == Some(id) {
                                    let current = ui.cases.with_untracked(|c| c.cases.iter().find(|x| x.id == id).map(|x| x.name.clone()).unwrap_or_default());
                                    view! {
                                        <input
                                            class="tab-rename"
                                            aria-label="Case name"
                                            prop:value=current
                                            autofocus
                                            on:keydown=move |ev: ev::KeyboardEvent| {
                                                if ev.key() == "Enter" || ev.key() == "Escape" {
                                                    if ev.key() == "Enter" {
                                                        let v = event_target_value(&ev);
                                                        ui.cases.update(|c| { if let Some(x) = c.get_mut(id) { if !v.trim().is_empty() { x.name = v.trim().to_string(); } } c.save(); });
                                                    }
                                                    renaming.set(None);
                                                }
                                            }
                                            on:blur=move |ev| {
                                                let v = event_target_value(&ev);
                                                ui.cases.update(|c| { if let Some(x) = c.get_mut(id) { if !v.trim().is_empty() { x.name = v.trim().to_string(); } } c.save(); });
                                                renaming.set(None);
                                            }
                                        />
                                    }.into_any()
                                } else {
                                    let name = name.clone();
                                    view! {
                                        <button
                                            type="button"
                                            role="tab"
                                            aria-selected=move || selected().to_string()
                                            tabindex=move || if selected() { "0" } else { "-1" }
                                            on:click=move |_| ui.cases.update(|c| { c.active = id; c.save(); })
                                            on:dblclick=move |_| renaming.set(Some(id))
                                            on:keydown=on_key
                                        >{name}</button>
                                    }.into_any()
                                }}
                                <button type="button" class="tab-action" aria-label=format!("Rename case {}", case.name) title="Rename (F2)" on:click=move |_| renaming.set(Some(id))>"✎"</button>
                                <button type="button" class="tab-action" aria-label=format!("Close case {}", case.name) title="Close" on:click=move |_| ui.cases.update(|c| { c.close(id); c.save(); })>"×"</button>
                            </div>
                        }
                    }
                </For>
            </div>
            <button type="button" class="add-case" on:click=move |_| ui.cases.update(|c| { c.add(None, cases::DEFAULT_QUERY); c.save(); })>"Add case"</button>
        </div>
    }
}

#[component]
fn TimeFrame() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let choice = move || match ui.frame.get() {
        Frame::All => "all".to_string(),
        Frame::Last(d) => format!("{d}"),
        Frame::Absolute(..) => "custom".to_string(),
    };
    let presets = [
        ("All loaded data", "all".to_string()),
        ("Last 30 minutes", (30 * NS_PER_MIN).to_string()),
        ("Last 2 hours", (2 * NS_PER_HOUR).to_string()),
        ("Last 24 hours", NS_PER_DAY.to_string()),
        ("Last 7 days", (7 * NS_PER_DAY).to_string()),
        ("Custom…", "custom".to_string()),
    ];
    let abs = move |which: usize, text: String| {
        let t = parse_timestamp(&text);
        ui.frame.update(|f| {
            let (mut a, mut b) = match *f {
                Frame::Absolute(a, b) => (a, b),
                _ => (None, None),
            };
            if which == 0 {
                a = t
            } else {
                b = t
            }
            *f = Frame::Absolute(a, b);
        });
    };
    // The inputs are made afresh whenever the frame changes, so they start from its values
    // (which a shared case may have set).
    let abs_text = move |which: usize| match ui.frame.get_untracked() {
        Frame::Absolute(a, b) => (if which == 0 { a } else { b })
            .map(format_timestamp)
            .unwrap_or_default(),
        _ => String::new(),
    };
    view! {
        <div class="timeframe">
            <label>
                "Time frame "
                <select aria-label="Time frame" prop:value=choice on:change=move |ev| {
                    let v = event_target_value(&ev);
                    ui.frame.set(match v.as_str() { "all" => Frame::All, "custom" => Frame::Absolute(None, None), d => Frame::Last(d.parse().unwrap_or(2 * NS_PER_HOUR)) });
                }>
                    {presets.into_iter().map(|(label, value)| view! { <option value=value>{label}</option> }).collect_view()}
                </select>
            </label>
            {move || matches!(ui.frame.get(), Frame::Absolute(..)).then(|| view! {
                <input type="text" aria-label="From (UTC)" placeholder="2026-11-20T00:00:00Z" value=abs_text(0) on:change=move |ev| abs(0, event_target_value(&ev)) />
                <input type="text" aria-label="To (UTC)" placeholder="2026-11-21T00:00:00Z" value=abs_text(1) on:change=move |ev| abs(1, event_target_value(&ev)) />
            })}
            <label>
                "Now "
                <select aria-label="Now" prop:value=move || if ui.now_mode.get() == NowMode::WallClock { "clock" } else { "newest" } on:change=move |ev| ui.now_mode.set(if event_target_value(&ev) == "clock" { NowMode::WallClock } else { NowMode::NewestEvent })>
                    <option value="newest">"Newest loaded event"</option>
                    <option value="clock">"Wall clock"</option>
                </select>
            </label>
            <span class="now" aria-label="Current now">{move || {
                ui.data.track();
                ui.now_mode.track();
                let no_data = ui.data.with(|d| d.span.is_none());
                if no_data && ui.now_mode.get() == NowMode::NewestEvent { "no data loaded".to_string() } else { format_timestamp(ui.now_display()) }
            }}</span>
        </div>
    }
}

#[component]
fn CaseView() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let active = move || ui.cases.with(|c| c.active);
    let text = RwSignal::new(
        ui.cases
            .with_untracked(|c| c.active_case().map(|x| x.query.clone()).unwrap_or_default()),
    );
    // Switching tabs (or a filter added from the record tree) shows that case's query; typing
    // writes it back to the case.
    Effect::new(move |_| {
        let id = active();
        let q = ui.cases.with(|c| {
            c.cases
                .iter()
                .find(|x| x.id == id)
                .map(|x| x.query.clone())
                .unwrap_or_default()
        });
        if text.get_untracked() != q {
            text.set(q);
        }
    });
    Effect::new(move |_| {
        let t = text.get();
        let id = ui.cases.with_untracked(|c| c.active);
        let changed = ui.cases.with_untracked(|c| {
            c.cases
                .iter()
                .find(|x| x.id == id)
                .is_some_and(|x| x.query != t)
        });
        if changed {
            ui.cases.update(|c| {
                if let Some(x) = c.get_mut(id) {
                    x.query = t;
                }
                c.save();
            });
        }
    });
    let outcome = move || {
        ui.outcomes
            .with(|o| o.get(&active()).cloned().unwrap_or(Outcome::Idle))
    };
    let diagnostics = Signal::derive(move || match outcome() {
        Outcome::Failed(d, _) => d,
        _ => Vec::new(),
    });
    let run = Callback::new(move |_: ()| ui.run(ui.cases.with_untracked(|c| c.active)));
    view! {
        <div class="case" role="tabpanel" aria-label="Active case">
            <ui::editor::QueryEditor text=text diagnostics=diagnostics on_run=run />
            <div class="toolbar">
                <button type="button" class="primary" on:click=move |_| run.run(())>"Run"</button>
                <TimeFrame />
            </div>
            <ResultsView />
            <ui::share::CaseShare />
        </div>
    }
}

#[component]
fn ResultsView() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let active = move || ui.cases.with(|c| c.active);
    let outcome = move || {
        ui.outcomes
            .with(|o| o.get(&active()).cloned().unwrap_or(Outcome::Idle))
    };
    let result = Signal::derive(move || ui.active_result());
    // A memo: the grid reads the cache many times per update; it is cloned once per change.
    let rows = Memo::new(move |_| {
        let id = result.with(|r| r.as_ref().map(|r| r.id));
        ui.rows.with(|m| {
            id.and_then(|id| m.get(&id).cloned())
                .unwrap_or_else(|| RowCache::new(0))
        })
    });
    let request_rows = Callback::new(move |(start, count): (usize, usize)| {
        if let Some(id) = result.with_untracked(|r| r.as_ref().map(|r| r.id)) {
            ui.send(Request::Rows { id, start, count });
        }
    });
    let selected = RwSignal::new(None::<usize>);
    // A new result starts with nothing selected.
    Effect::new(move |_| {
        result.with(|r| r.as_ref().map(|r| r.id));
        selected.set(None);
    });
    let on_details = Callback::new(move |row: usize| {
        if let Some(id) = result.with_untracked(|r| r.as_ref().map(|r| r.id)) {
            ui.record.set(None);
            ui.record_json.set(None);
            ui.details.set(Some((id, row)));
            ui.send(Request::Record { id, row });
        }
    });
    let on_record = Callback::new(move |row: usize| {
        if let Some(id) = result.with_untracked(|r| r.as_ref().map(|r| r.id)) {
            ui.details.set(None);
            ui.record_json.set(None);
            ui.record.set(Some((id, row)));
            ui.send(Request::Record { id, row });
        }
    });
    let on_sort = Callback::new(move |(column, descending): (Option<usize>, bool)| {
        if let Some(id) = result.with_untracked(|r| r.as_ref().map(|r| r.id)) {
            ui.rows.update(|m| {
                m.insert(id, RowCache::new(id));
            });
            ui.sorts.update(|m| match column {
                Some(c) => {
                    m.insert(id, (c, descending));
                }
                None => {
                    m.remove(&id);
                }
            });
            ui.send(Request::Sort {
                id,
                column,
                descending,
            });
        }
    });
    let sorted = Signal::derive(move || {
        let id = result.with(|r| r.as_ref().map(|r| r.id))?;
        ui.sorts.with(|m| m.get(&id).copied())
    });
    let chart = Signal::derive(move || result.with(|r| r.as_ref().and_then(|r| r.chart.clone())));
    view! {
        <section class="results-area" aria-label="Results area">
            {move || match outcome() {
                Outcome::Idle => view! { <p class="status">"Load data, then run the query (Ctrl+Enter)."</p> }.into_any(),
                Outcome::Running => view! { <p class="status" role="status">"Running…"</p> }.into_any(),
                Outcome::Failed(_, rendered) => view! { <pre class="diagnostics" role="alert" aria-label="Query error">{rendered}</pre> }.into_any(),
                Outcome::Done(r) => {
                    let empty_frame = r.row_count == 0 && r.empty_timeframe;
                    view! {
                        <div class="result-head">
                            <p class="status" role="status" aria-label="Result summary">{format!("{} row{} in {:.1} ms", r.row_count, if r.row_count == 1 { "" } else { "s" }, r.elapsed_ms)}</p>
                            {r.chart.is_some().then(|| view! {
                                <div class="view-switch" role="group" aria-label="Result view">
                                    <button type="button" aria-pressed=move || ui.view_chart.get().to_string() on:click=move |_| ui.view_chart.set(true)>"Chart"</button>
                                    <button type="button" aria-pressed=move || (!ui.view_chart.get()).to_string() on:click=move |_| ui.view_chart.set(false)>"Table"</button>
                                </div>
                            })}
                            <ui::share::ExportBar has_chart=r.chart.is_some() />
                        </div>
                        {(!r.warnings.is_empty()).then(|| view! { <pre class="diagnostics warnings">{r.warnings.clone()}</pre> })}
                        {(!r.notices.is_empty()).then(|| view! { <ul class="notices" aria-label="Notices">{r.notices.iter().map(|n| view! { <li>{n.clone()}</li> }).collect_view()}</ul> })}
                        {empty_frame.then(|| view! {
                            <button type="button" on:click=move |_| { ui.now_mode.set(NowMode::NewestEvent); ui.frame.set(Frame::All); ui.run(ui.cases.with_untracked(|c| c.active)); }>
                                "Show all loaded data (now = newest event)"
                            </button>
                        })}
                    }.into_any()
                }
            }}
            <Show when=move || result.with(|r| r.is_some())>
                <Show when=move || ui.view_chart.get() && chart.with(|c| c.is_some()) fallback=move || view! {
                    <ui::table::ResultsGrid result=result rows=rows request_rows=request_rows selected=selected on_details=on_details on_record=on_record on_sort=on_sort sorted=sorted />
                }>
                    <ui::chart::TimeseriesChart chart=chart />
                </Show>
            </Show>
        </section>
    }
}

#[component]
fn Dialogs() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let row_count = Signal::derive(move || ui.active_result().map_or(0, |r| r.row_count));
    let details_row = Signal::derive(move || ui.details.get().map(|(_, r)| r));
    let json = Signal::derive(move || ui.record_json.get());
    let on_move = Callback::new(move |by: i64| {
        if let Some((id, row)) = ui.details.get_untracked() {
            let n = row_count.get_untracked() as i64;
            let next = (row as i64 + by).clamp(0, (n - 1).max(0)) as usize;
            ui.details.set(Some((id, next)));
            ui.send(Request::Record { id, row: next });
        }
    });
    let close_details = Callback::new(move |_: ()| ui.details.set(None));
    let close_record = Callback::new(move |_: ()| ui.record.set(None));
    // "Pin as evidence" in both record dialogs (share.rs keeps the evidence in the case).
    let pinned = Signal::derive(move || {
        ui.record_json
            .with(|j| j.as_deref().is_some_and(|j| share::is_pinned(ui, j)))
    });
    let on_pin = Callback::new(move |_: ()| {
        if let Some(j) = ui.record_json.get_untracked() {
            share::toggle_pin(ui, &j);
        }
    });
    let on_filter = Callback::new(move |line: String| {
        let id = ui.cases.with_untracked(|c| c.active);
        ui.cases.update(|c| {
            if let Some(x) = c.get_mut(id) {
                x.query = format!("{}\n{}", x.query.trim_end(), line);
            }
            c.save();
        });
        ui.record.set(None);
        ui.run(id);
    });
    view! {
        <Show when=move || ui.details.get().is_some()>
            <ui::details::FieldDetails json=json row=details_row row_count=row_count on_move=on_move on_close=close_details on_pin=on_pin pinned=pinned />
        </Show>
        <Show when=move || ui.record.get().is_some()>
            <ui::tree::RecordDetails json=json on_filter=on_filter on_close=close_record on_pin=on_pin pinned=pinned />
        </Show>
    }
}

#[allow(dead_code)]
fn focus(el: &web_sys::Element) {
    if let Some(h) = el.dyn_ref::<web_sys::HtmlElement>() {
        let _ = h.focus();
    }
}
