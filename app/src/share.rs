//! Sharing investigations without a server (issue 6), the page's side: case files (export,
//! import by button or by drop), share links (`#case=…`), result exports (download or
//! clipboard), the chart as PNG, and pinned evidence. The formats and their checks live in the
//! `trailscope-share` crate; the bytes are made and checked in the worker (`worker/share.rs`),
//! which sends them next to its JSON answer as a `Blob` ([`on_response`] gets both).
//!
//! Everything that arrives from a file or a link is untrusted: the worker has checked it
//! against the format's limits before it gets here, and the views show it as text only.

use gloo_events::EventListener;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Blob, File, HtmlCanvasElement};

use trailscope_engine::sql::Dialect;
use trailscope_engine::time::format_timestamp;
use trailscope_share::casefile::{self, looks_like_case_file};
use trailscope_share::link::{self, SharedCase};
use trailscope_share::CaseData;

use crate::protocol::{Request, Response};
use crate::state::{case_sql, Case, Notice, TimeFrame};
use crate::store::{wall_ns, Ui};
use crate::transfer::{self, PickedFile};

/// Sets up sharing: a case from a share link in the address (now and whenever the fragment
/// changes). An opened case's query is shown, never run by itself: the user reads it and
/// presses Run (`Sharing::arrivals` marks it until then).
pub fn start(ui: Ui) {
    open_link_in_address(ui);
    if let Some(w) = web_sys::window() {
        EventListener::new(&w, "hashchange", move |_| open_link_in_address(ui)).forget();
    }
}

fn now_text() -> String {
    format_timestamp(wall_ns())
}

/// Opens `data` in a new case tab and returns its id. The time frame picker follows the case's
/// time frame when it has one.
fn open_case(ui: Ui, data: CaseData) -> Option<u64> {
    if let Some(tf) = &data.timeframe {
        ui.time.set(TimeFrame::from_portable(tf));
    }
    ui.cases.update(|c| c.open(data))
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
fn open_link_in_address(ui: Ui) {
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
                ui.share.arrivals.update(|a| a.mark(id, "a shared link"));
            }
            ui.share.case_notice.set(Notice::ok(format!(
                "Opened the shared case “{name}”. A share link holds the query and the time frame, not the data: load the logs it refers to, read the query, then press Run."
            )));
        }
        Err(message) => ui.share.case_notice.set(Notice::err(message)),
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
pub fn copy_share_link(ui: Ui) {
    let Some(case) = active_case(ui) else {
        return;
    };
    let shared = SharedCase {
        name: case.name.clone(),
        query: case.query.clone(),
        timeframe: Some(ui.time.get_untracked().to_portable()),
    };
    let fragment = match link::encode(&shared) {
        Ok(f) => f,
        Err(e) => {
            ui.share.link.set(None);
            ui.share.case_notice.set(Notice::err(e));
            return;
        }
    };
    let Some(l) = location() else {
        return;
    };
    let href = l.href().unwrap_or_default();
    let base = href.split('#').next().unwrap_or_default();
    let url = format!("{base}{fragment}");
    ui.share.link.set(Some(url.clone()));
    let len = url.chars().count();
    let copied = transfer::copy_text(&url);
    spawn_local(async move {
        let how = if copied.await {
            "Share link copied"
        } else {
            "Share link ready (copy it from the box below)"
        };
        ui.share.case_notice.set(Notice::ok(format!(
            "{how}: {len} characters. It holds the query and the time frame, not the data or the notes; nothing is sent anywhere."
        )));
    });
}

/// "Copy as Athena SQL" / "Copy as Spark SQL": the active case's query as one statement of
/// `dialect` over the picker's time frame (the engine writes it, or says which construct SQL
/// cannot express), copied and shown below the buttons.
pub fn copy_sql(ui: Ui, dialect: Dialect) {
    let Some(case) = active_case(ui) else {
        return;
    };
    let span = ui.data.with_untracked(|d| d.info.span);
    let time = ui.time.get_untracked();
    match case_sql(&case.query, dialect, &time, wall_ns(), span) {
        Ok(sql) => {
            ui.share.sql.set(Some((dialect.title(), sql.clone())));
            let copied = transfer::copy_text(&sql);
            spawn_local(async move {
                let how = if copied.await {
                    "copied"
                } else {
                    "ready (copy it from the box below)"
                };
                ui.share.case_notice.set(Notice::ok(format!(
                    "{} {how}: run it where the events are (docs/sql.md says how the table is set up).",
                    dialect.title()
                )));
            });
        }
        Err(why) => {
            ui.share.sql.set(None);
            ui.share.case_notice.set(Notice::err(format!(
                "This query has no {}: {why}",
                dialect.title()
            )));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Case files

/// Asks the worker for a case file of the active case (with every loaded event when
/// `with_events`).
pub fn export_case(ui: Ui, with_events: bool) {
    let Some(case) = active_case(ui) else {
        return;
    };
    let data = case.to_data(ui.time.get_untracked().to_portable());
    let Ok(json) = serde_json::to_string(&data) else {
        return;
    };
    ui.share.case_notice.set(Notice::ok(if with_events {
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
pub fn load_files(ui: Ui, files: Vec<PickedFile>) {
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
    looks_like_case_file(&name, &transfer::head(&f.file, 512).await)
}

/// Hands a case file to the worker to be checked; the answer is `CaseImported` or
/// `CaseRejected`.
pub fn import_case_file(ui: Ui, name: &str, file: File) {
    ui.share
        .case_notice
        .set(Notice::ok(format!("Checking the case file {name}…")));
    ui.send_with_files(Request::ImportCase { name: name.into() }, &[file]);
}

// ---------------------------------------------------------------------------------------------
// Pinned evidence

/// Whether `record` (a row as JSON) is pinned in the active case (tracked).
pub fn is_pinned(ui: Ui, record: &str) -> bool {
    ui.cases.with(|c| c.is_pinned(record))
}

/// Pins `record` to the active case, or unpins it; says why when it cannot be pinned.
pub fn toggle_pin(ui: Ui, record: &str, source: Option<&str>) {
    let now = now_text();
    // The event's own time travels with the record (issue 17), so evidence sorts and reads
    // on a timeline.
    let time = trailscope_share::investigation::record_time(record, source);
    if let Some(Err(msg)) = ui.cases.update(|c| c.toggle_pin(record, &now, time)) {
        ui.share.case_notice.set(Notice::err(msg));
    }
}

pub fn unpin(ui: Ui, index: usize) {
    ui.cases.update(|c| c.unpin(index));
}

// ---------------------------------------------------------------------------------------------
// Result exports

/// Asks the worker for the active result as `format` (`csv`, `json`, `markdown`).
pub fn export_result(ui: Ui, format: &str, copy: bool) {
    let Some(r) = untrack(|| ui.active_result()) else {
        return;
    };
    ui.share.result_notice.set(Notice::ok("Exporting…"));
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
pub fn export_chart_png(ui: Ui) {
    let notice = ui.share.result_notice;
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
        // `toBlob` takes a callback; gloo has no wrapper for it.
        let done = Closure::once_into_js(move |blob: JsValue| match blob.dyn_into::<Blob>() {
            Ok(blob) => match transfer::download(blob, &name) {
                Ok(()) => notice.set(Notice::ok(format!("Downloaded {name}."))),
                Err(e) => notice.set(Notice::err(e)),
            },
            Err(_) => notice.set(Notice::err("The chart could not be turned into a PNG.")),
        });
        out.to_blob(done.unchecked_ref())
            .map_err(|e| format!("{e:?}"))?;
        Ok(())
    })();
    if let Err(e) = result {
        notice.set(Notice::err(e));
    }
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
/// `CaseRejected`); `blobs` is what came with the answer.
pub fn on_response(ui: Ui, r: Response, blobs: Vec<Blob>) {
    let share = ui.share;
    let blob = blobs.first().cloned();
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
                share
                    .case_notice
                    .set(match transfer::download(blob, &file_name) {
                        Ok(()) => Notice::ok(format!("Exported the case as {file_name} ({size}).")),
                        Err(e) => Notice::err(e),
                    });
                return;
            }
            let rows_text = format!("{rows} row{}", if rows == 1 { "" } else { "s" });
            if copy {
                spawn_local(async move {
                    let text = transfer::blob_text(blob).await;
                    share
                        .result_notice
                        .set(if transfer::copy_text(&text).await {
                            Notice::ok(format!("Copied a Markdown table of {rows_text}."))
                        } else {
                            Notice::err(
                                "The clipboard refused the table; use Markdown to download it.",
                            )
                        });
                });
                return;
            }
            let ext = file_name.rsplit('.').next().unwrap_or("txt");
            let name = format!("{}-result.{ext}", case_stem(ui));
            share
                .result_notice
                .set(match transfer::download(blob, &name) {
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
            sources,
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
            share
                .arrivals
                .update(|a| a.mark(id, format!("the case file {file_name}")));
            match (events, blob) {
                (Some(n), Some(blob)) => {
                    let before = ui.data.with_untracked(|d| d.info.events);
                    share.importing.set(Some((file_name.clone(), n, before)));
                    if sources.is_empty() || sources.len() != blobs.len() {
                        let file = transfer::file_from_blob(blob, &file_name);
                        ui.load(vec![PickedFile {
                            path: file_name.clone(),
                            file,
                        }]);
                    } else {
                        // Each event goes back under the source and bucket it was exported
                        // from (case file version 2).
                        let mut files = Vec::new();
                        let mut buckets = Vec::new();
                        for ((source, bucket), blob) in sources.into_iter().zip(blobs) {
                            let file = transfer::file_from_blob(blob, &source);
                            files.push(PickedFile { path: source, file });
                            buckets.push(bucket);
                        }
                        ui.load_into(files, buckets);
                    }
                    share.case_notice.set(Notice::ok(format!(
                        "Opened the case “{name}” from {file_name}; loading its {n} events. Read its query, then press Run."
                    )));
                }
                _ => share.case_notice.set(Notice::ok(format!(
                    "Opened the case “{name}” from {file_name}. It holds no events: load the data it refers to, read the query, then press Run."
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
