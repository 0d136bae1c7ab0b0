//! Sharing investigations without a server (issue 6), the page's side: case files (export,
//! import by button or by drop), share links (`#case=…`), result exports (download or
//! clipboard), the chart as PNG, and pinned evidence. The formats and their checks live in the
//! `trailscope-share` crate; the bytes are made and checked in the worker (`worker/share.rs`),
//! which sends them here as a `Blob` next to its JSON message.
//!
//! Everything that arrives from a file or a link is untrusted: the worker has checked it
//! against the format's limits before it gets here, and the views show it as text only.

use std::cell::RefCell;

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, File, HtmlAnchorElement, HtmlCanvasElement};

use trailscope_engine::time::{format_timestamp, parse_timestamp};
use trailscope_share::case::{MAX_EVIDENCE, MAX_RECORD_BYTES};
use trailscope_share::casefile::{self, looks_like_case_file};
use trailscope_share::link::{self, SharedCase};
use trailscope_share::{CaseData, Evidence, TimeFrame};

use crate::bridge::PickedFile;
use crate::cases::Case;
use crate::protocol::{Request, Response};
use crate::{Frame, NowMode, Ui};

thread_local! {
    /// The Blob that came with the message being handled (see [`unwrap_message`]).
    static INCOMING: RefCell<Option<Blob>> = const { RefCell::new(None) };
    /// The sharing state, also for code that runs outside the view tree (worker answers).
    static SHARE: std::cell::Cell<Option<Share>> = const { std::cell::Cell::new(None) };
}

/// The sharing state set up by [`start`].
pub(crate) fn share() -> Option<Share> {
    SHARE.get()
}

/// A worker message of the form `{ response, blob }`: keeps the blob for [`take_blob`] and
/// returns the response's JSON text. The bridge calls this for every non-string message and
/// hands the response on at once, so the blob always belongs to the response being handled.
pub fn unwrap_message(data: &JsValue) -> Option<String> {
    let response = js_sys::Reflect::get(data, &"response".into())
        .ok()?
        .as_string()?;
    let blob = js_sys::Reflect::get(data, &"blob".into())
        .ok()
        .and_then(|b| b.dyn_into::<Blob>().ok());
    INCOMING.with_borrow_mut(|slot| *slot = blob);
    Some(response)
}

fn take_blob() -> Option<Blob> {
    INCOMING.with_borrow_mut(Option::take)
}

/// A message for the user about a share action.
#[derive(Clone, Debug, PartialEq)]
pub struct Notice {
    pub error: bool,
    pub text: String,
}

impl Notice {
    fn ok(text: impl Into<String>) -> Option<Notice> {
        Some(Notice {
            error: false,
            text: text.into(),
        })
    }
    fn err(text: impl Into<String>) -> Option<Notice> {
        Some(Notice {
            error: true,
            text: text.into(),
        })
    }
}

/// The sharing state the views read (see [`share`]).
#[derive(Clone, Copy)]
pub struct Share {
    /// Case file and share link messages (shown under the case).
    pub case_notice: RwSignal<Option<Notice>>,
    /// Result export messages (shown in the export bar).
    pub result_notice: RwSignal<Option<Notice>>,
    /// A case opened from a file or a link, to run once data is loaded.
    pub pending_run: RwSignal<Option<u64>>,
    /// The last share link made, shown so it can be copied by hand too.
    pub link: RwSignal<Option<String>>,
}

/// Sets up sharing: the context the views read, a case from a share link in the address (now
/// and whenever the fragment changes), and running an opened case once its data is there.
pub(crate) fn start(ui: Ui) {
    let share = Share {
        case_notice: RwSignal::new(None),
        result_notice: RwSignal::new(None),
        pending_run: RwSignal::new(None),
        link: RwSignal::new(None),
    };
    SHARE.set(Some(share));
    open_link_in_address(ui, share);
    if let Some(w) = web_sys::window() {
        let on_hash = Closure::<dyn FnMut()>::new(move || open_link_in_address(ui, share));
        let _ = w.add_event_listener_with_callback("hashchange", on_hash.as_ref().unchecked_ref());
        on_hash.forget();
    }
    Effect::new(move |_| {
        let Some(id) = share.pending_run.get() else {
            return;
        };
        let ready = ui.data.with(|d| d.events > 0) && ui.progress.with(Option::is_none);
        if ready {
            share.pending_run.set(None);
            if ui
                .cases
                .with_untracked(|c| c.cases.iter().any(|x| x.id == id))
            {
                ui.run(id);
            }
        }
    });
}

fn now_text() -> String {
    format_timestamp((js_sys::Date::now() * 1e6) as i64)
}

// ---------------------------------------------------------------------------------------------
// Time frame and cases

/// The page's time frame picker as a portable time frame.
fn current_timeframe(ui: Ui) -> TimeFrame {
    let mut tf = TimeFrame {
        now_clock: ui.now_mode.get_untracked() == NowMode::WallClock,
        ..TimeFrame::default()
    };
    match ui.frame.get_untracked() {
        Frame::All => {}
        Frame::Last(d) => tf.last_ns = Some(d),
        Frame::Absolute(a, b) => {
            tf.from = a.map(format_timestamp);
            tf.to = b.map(format_timestamp);
        }
    }
    tf
}

fn apply_timeframe(ui: Ui, tf: &TimeFrame) {
    let from = tf.from.as_deref().and_then(parse_timestamp);
    let to = tf.to.as_deref().and_then(parse_timestamp);
    ui.frame.set(match (tf.last_ns, from, to) {
        (Some(d), _, _) => Frame::Last(d),
        (None, None, None) => Frame::All,
        (None, a, b) => Frame::Absolute(a, b),
    });
    ui.now_mode.set(if tf.now_clock {
        NowMode::WallClock
    } else {
        NowMode::NewestEvent
    });
}

fn case_data(case: &Case, timeframe: TimeFrame) -> CaseData {
    CaseData {
        name: case.name.clone(),
        query: case.query.clone(),
        history: case.history.clone(),
        notes: case.notes.clone(),
        evidence: case.evidence.clone(),
        timeframe: Some(timeframe),
    }
}

/// Opens `data` in a new case tab (the name gets " (imported)" when it is taken) and returns
/// its id. The time frame picker follows the case's time frame when it has one.
fn open_case(ui: Ui, data: CaseData) -> Option<u64> {
    if let Some(tf) = &data.timeframe {
        apply_timeframe(ui, tf);
    }
    ui.cases.try_update(|c| {
        let taken = c.cases.iter().any(|x| x.name == data.name);
        let name = if taken {
            format!("{} (imported)", data.name)
        } else {
            data.name.clone()
        };
        let id = c.add(Some(&name), &data.query);
        if let Some(x) = c.get_mut(id) {
            x.history = data.history;
            x.notes = data.notes;
            x.evidence = data.evidence;
        }
        c.save();
        id
    })
}

fn active_case(ui: Ui) -> Option<Case> {
    ui.cases.with_untracked(|c| c.active_case().cloned())
}

// ---------------------------------------------------------------------------------------------
// Share links

fn location() -> Option<web_sys::Location> {
    web_sys::window().map(|w| w.location())
}

/// Opens the case in the address's `#case=…` fragment, if any, and takes the fragment away (a
/// reload should not open it twice).
fn open_link_in_address(ui: Ui, share: Share) {
    let Some(hash) = location().and_then(|l| l.hash().ok()) else {
        return;
    };
    match link::decode(&hash) {
        Ok(None) => return,
        Ok(Some(shared)) => {
            let name = shared.name.clone();
            let data = CaseData {
                name: shared.name,
                query: shared.query,
                timeframe: shared.timeframe,
                ..CaseData::default()
            };
            if let Some(id) = open_case(ui, data) {
                share.pending_run.set(Some(id));
            }
            share.case_notice.set(Notice::ok(format!(
                "Opened the shared case “{name}”. A share link holds the query and the time frame, not the data: load the logs it refers to and the query runs."
            )));
        }
        Err(message) => share.case_notice.set(Notice::err(message)),
    }
    clear_fragment();
}

fn clear_fragment() {
    let Some(w) = web_sys::window() else {
        return;
    };
    let l = w.location();
    let bare = format!(
        "{}{}",
        l.pathname().unwrap_or_default(),
        l.search().unwrap_or_default()
    );
    let replaced = w
        .history()
        .and_then(|h| h.replace_state_with_url(&JsValue::NULL, "", Some(&bare)));
    if replaced.is_err() {
        let _ = l.set_hash("");
    }
}

/// Makes a share link for the active case and copies it to the clipboard.
pub(crate) fn copy_share_link(ui: Ui, share: Share) {
    let Some(case) = active_case(ui) else {
        return;
    };
    let shared = SharedCase {
        name: case.name.clone(),
        query: case.query.clone(),
        timeframe: Some(current_timeframe(ui)),
    };
    let fragment = match link::encode(&shared) {
        Ok(f) => f,
        Err(e) => {
            share.link.set(None);
            share.case_notice.set(Notice::err(e));
            return;
        }
    };
    let Some(l) = location() else {
        return;
    };
    let href = l.href().unwrap_or_default();
    let base = href.split('#').next().unwrap_or_default();
    let url = format!("{base}{fragment}");
    share.link.set(Some(url.clone()));
    let len = url.chars().count();
    spawn_local(async move {
        let copied = match web_sys::window().map(|w| w.navigator().clipboard()) {
            Some(c) => JsFuture::from(c.write_text(&url)).await.is_ok(),
            None => false,
        };
        let how = if copied {
            "Share link copied"
        } else {
            "Share link ready (copy it from the box below)"
        };
        share.case_notice.set(Notice::ok(format!(
            "{how}: {len} characters. It holds the query and the time frame, not the data or the notes; nothing is sent anywhere."
        )));
    });
}

// ---------------------------------------------------------------------------------------------
// Case files

/// Asks the worker for a case file of the active case (with every loaded event when
/// `with_events`).
pub(crate) fn export_case(ui: Ui, share: Share, with_events: bool) {
    let Some(case) = active_case(ui) else {
        return;
    };
    let data = case_data(&case, current_timeframe(ui));
    let Ok(json) = serde_json::to_string(&data) else {
        return;
    };
    share.case_notice.set(Notice::ok(if with_events {
        "Writing the case file with the loaded events…"
    } else {
        "Writing the case file…"
    }));
    ui.send(Request::ExportCase {
        case: json,
        include_events: with_events,
        created: now_text(),
    });
}

/// Files from a drop or a file dialog: case files are opened as cases, the rest is loaded as
/// CloudTrail data. A file is a case file by its name (`*.trailscope.json`) or, for other
/// `.json` files, by its first 512 bytes.
pub(crate) fn load_files(ui: Ui, files: Vec<PickedFile>) {
    spawn_local(async move {
        let mut data = Vec::new();
        for f in files {
            if is_case_file(&f).await {
                import_case_file(ui, &f.path, f.file);
            } else {
                data.push(f);
            }
        }
        ui.load(data);
    });
}

async fn is_case_file(f: &PickedFile) -> bool {
    let name = f.path.to_ascii_lowercase();
    if looks_like_case_file(&name, b"") {
        return true;
    }
    // Only plain `.json` files are looked into: S3 objects (`.json.gz`) never are case files,
    // and a folder of thousands of them should not wait for a read each.
    if !name.ends_with(".json") {
        return false;
    }
    let Ok(head) = f.file.slice_with_i32_and_i32(0, 512) else {
        return false;
    };
    match JsFuture::from(head.array_buffer()).await {
        Ok(buf) => looks_like_case_file(&name, &js_sys::Uint8Array::new(&buf).to_vec()),
        Err(_) => false,
    }
}

/// Hands a case file to the worker to be checked; the answer is `CaseImported` or
/// `CaseRejected`.
pub(crate) fn import_case_file(ui: Ui, name: &str, file: File) {
    if let Some(share) = share() {
        share
            .case_notice
            .set(Notice::ok(format!("Checking the case file {name}…")));
    }
    ui.bridge.with_value(|b| {
        if let Some(b) = b {
            b.send_with_files(&Request::ImportCase { name: name.into() }, &[file]);
        }
    });
}

// ---------------------------------------------------------------------------------------------
// Pinned evidence

/// Whether `record` (a row as JSON) is pinned in the active case.
pub(crate) fn is_pinned(ui: Ui, record: &str) -> bool {
    ui.cases.with(|c| {
        c.active_case()
            .is_some_and(|x| x.evidence.iter().any(|e| e.record == record))
    })
}

/// Pins `record` to the active case as evidence, with the query that produced it (the last
/// query run in the case), or unpins it when it is pinned already.
pub(crate) fn toggle_pin(ui: Ui, record: &str) {
    let id = ui.cases.with_untracked(|c| c.active);
    let mut refused = None;
    ui.cases.update(|c| {
        let Some(x) = c.get_mut(id) else {
            return;
        };
        if let Some(i) = x.evidence.iter().position(|e| e.record == record) {
            x.evidence.remove(i);
        } else if x.evidence.len() >= MAX_EVIDENCE {
            refused = Some(format!(
                "A case holds at most {MAX_EVIDENCE} evidence records."
            ));
        } else if record.len() > MAX_RECORD_BYTES {
            refused = Some(format!(
                "This record is larger than {} KB and cannot be pinned; narrow it with `fields`.",
                MAX_RECORD_BYTES / 1000
            ));
        } else {
            x.evidence.push(Evidence {
                query: x.history.last().cloned().unwrap_or_else(|| x.query.clone()),
                record: record.to_string(),
                pinned: now_text(),
            });
        }
        c.save();
    });
    if let (Some(msg), Some(share)) = (refused, share()) {
        share.case_notice.set(Notice::err(msg));
    }
}

pub(crate) fn unpin(ui: Ui, index: usize) {
    let id = ui.cases.with_untracked(|c| c.active);
    ui.cases.update(|c| {
        if let Some(x) = c.get_mut(id) {
            if index < x.evidence.len() {
                x.evidence.remove(index);
            }
        }
        c.save();
    });
}

// ---------------------------------------------------------------------------------------------
// Result exports

/// Asks the worker for the active result as `format` (`csv`, `json`, `markdown`).
pub(crate) fn export_result(ui: Ui, share: Share, format: &str, copy: bool) {
    let Some(r) = ui.active_result() else {
        return;
    };
    share.result_notice.set(Notice::ok("Exporting…"));
    ui.send(Request::ExportResult {
        id: r.id,
        format: format.into(),
        copy,
    });
}

/// A file name stem from the active case's name.
fn case_stem(ui: Ui) -> String {
    let name = active_case(ui).map(|c| c.name).unwrap_or_default();
    casefile::file_name(&name)
        .trim_end_matches(casefile::EXTENSION)
        .to_string()
}

/// The chart on the page as a PNG on the page's background colour (the canvas itself is
/// transparent), downloaded as `<case>-chart.png`.
pub(crate) fn export_chart_png(ui: Ui, share: Share) {
    let result = (|| -> Result<(), String> {
        let doc = web_sys::window()
            .and_then(|w| w.document())
            .ok_or("no document")?;
        let src: HtmlCanvasElement = doc
            .query_selector(".results-area canvas.chart-canvas")
            .ok()
            .flatten()
            .and_then(|e| e.dyn_into().ok())
            .ok_or("there is no chart on the page: switch to the chart view first")?;
        let out: HtmlCanvasElement = doc
            .create_element("canvas")
            .map_err(|e| format!("{e:?}"))?
            .dyn_into()
            .map_err(|_| "no canvas")?;
        out.set_width(src.width());
        out.set_height(src.height());
        let ctx: web_sys::CanvasRenderingContext2d = out
            .get_context("2d")
            .ok()
            .flatten()
            .and_then(|c| c.dyn_into().ok())
            .ok_or("no 2d context")?;
        let bg = web_sys::window()
            .and_then(|w| {
                doc.body()
                    .and_then(|b| w.get_computed_style(&b).ok().flatten())
            })
            .and_then(|s| s.get_property_value("background-color").ok())
            .filter(|c| !c.is_empty() && c != "rgba(0, 0, 0, 0)")
            .unwrap_or_else(|| "#ffffff".into());
        ctx.set_fill_style_str(&bg);
        ctx.fill_rect(0.0, 0.0, f64::from(out.width()), f64::from(out.height()));
        ctx.draw_image_with_html_canvas_element(&src, 0.0, 0.0)
            .map_err(|e| format!("{e:?}"))?;
        let name = format!("{}-chart.png", case_stem(ui));
        let done = Closure::once_into_js(move |blob: JsValue| match blob.dyn_into::<Blob>() {
            Ok(blob) => match download(&blob, &name) {
                Ok(()) => share
                    .result_notice
                    .set(Notice::ok(format!("Downloaded {name}."))),
                Err(e) => share.result_notice.set(Notice::err(e)),
            },
            Err(_) => share
                .result_notice
                .set(Notice::err("The chart could not be turned into a PNG.")),
        });
        out.to_blob(done.unchecked_ref())
            .map_err(|e| format!("{e:?}"))?;
        Ok(())
    })();
    if let Err(e) = result {
        share.result_notice.set(Notice::err(e));
    }
}

/// Saves `blob` as a download named `name` (object URL + a temporary `<a download>`).
pub fn download(blob: &Blob, name: &str) -> Result<(), String> {
    let err = |e: JsValue| format!("the download could not start: {e:?}");
    let doc = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let url = web_sys::Url::create_object_url_with_blob(blob).map_err(err)?;
    let a: HtmlAnchorElement = doc
        .create_element("a")
        .map_err(err)?
        .dyn_into()
        .map_err(|_| "no anchor element")?;
    a.set_href(&url);
    a.set_download(name);
    a.set_rel("noopener");
    let body = doc.body().ok_or("no body")?;
    body.append_child(&a).map_err(err)?;
    a.click();
    let _ = body.remove_child(&a);
    // The browser has the blob by the time this runs; revoking frees it.
    let revoke = Closure::once_into_js(move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    });
    if let Some(w) = web_sys::window() {
        let _ =
            w.set_timeout_with_callback_and_timeout_and_arguments_0(revoke.unchecked_ref(), 60_000);
    }
    Ok(())
}

fn size_text(bytes: f64) -> String {
    if bytes >= 1_048_576.0 {
        format!("{:.1} MB", bytes / 1_048_576.0)
    } else {
        format!("{:.0} KB", (bytes / 1024.0).max(1.0))
    }
}

// ---------------------------------------------------------------------------------------------
// Worker answers

/// Handles the worker's sharing answers (`Exported`, `ExportFailed`, `CaseImported`,
/// `CaseRejected`).
pub(crate) fn on_response(ui: Ui, r: Response) {
    let blob = take_blob();
    let Some(share) = share() else {
        return;
    };
    match r {
        Response::Exported {
            what,
            file_name,
            rows,
            copy,
        } => {
            let Some(blob) = blob else {
                return;
            };
            if what == "case" {
                let size = size_text(blob.size());
                share.case_notice.set(match download(&blob, &file_name) {
                    Ok(()) => Notice::ok(format!("Exported the case as {file_name} ({size}).")),
                    Err(e) => Notice::err(e),
                });
                return;
            }
            let rows_text = format!("{rows} row{}", if rows == 1 { "" } else { "s" });
            if copy {
                spawn_local(async move {
                    let text = JsFuture::from(blob.text())
                        .await
                        .ok()
                        .and_then(|t| t.as_string())
                        .unwrap_or_default();
                    let copied = match web_sys::window().map(|w| w.navigator().clipboard()) {
                        Some(c) => JsFuture::from(c.write_text(&text)).await.is_ok(),
                        None => false,
                    };
                    share.result_notice.set(if copied {
                        Notice::ok(format!("Copied a Markdown table of {rows_text}."))
                    } else {
                        Notice::err("The clipboard refused the table; use Markdown to download it.")
                    });
                });
                return;
            }
            let ext = file_name.rsplit('.').next().unwrap_or("txt");
            let name = format!("{}-result.{ext}", case_stem(ui));
            share.result_notice.set(match download(&blob, &name) {
                Ok(()) => Notice::ok(format!("Downloaded {name} ({rows_text}).")),
                Err(e) => Notice::err(e),
            });
        }
        Response::ExportFailed { what, message } => {
            let text = format!("Export failed: {message}.");
            if what == "case" {
                share.case_notice.set(Notice::err(text));
            } else {
                share.result_notice.set(Notice::err(text));
            }
        }
        Response::CaseImported {
            file_name,
            case,
            events,
        } => {
            // Checked by the worker already; checked again, as it costs nothing.
            let data = match serde_json::from_str::<CaseData>(&case) {
                Ok(d) if d.validate().is_ok() => d,
                _ => {
                    share.case_notice.set(Notice::err(format!(
                        "{file_name} was not opened: the case in it is invalid."
                    )));
                    return;
                }
            };
            let name = data.name.clone();
            let Some(id) = open_case(ui, data) else {
                return;
            };
            share.pending_run.set(Some(id));
            match (events, blob) {
                (Some(n), Some(blob)) => {
                    let parts = js_sys::Array::of1(&blob);
                    match File::new_with_blob_sequence(&parts, &file_name) {
                        Ok(file) => {
                            ui.load(vec![PickedFile {
                                path: file_name.clone(),
                                file,
                            }]);
                            share.case_notice.set(Notice::ok(format!(
                                "Opened the case “{name}” from {file_name}; loading its {n} events."
                            )));
                        }
                        Err(e) => share.case_notice.set(Notice::err(format!(
                            "The events of {file_name} could not be loaded: {e:?}"
                        ))),
                    }
                }
                _ => share.case_notice.set(Notice::ok(format!(
                    "Opened the case “{name}” from {file_name}. It holds no events: load the data it refers to and its query runs."
                ))),
            }
        }
        Response::CaseRejected { file_name, message } => {
            share.case_notice.set(Notice::err(format!(
                "{file_name} was not opened: {message}."
            )));
        }
        _ => {}
    }
}
