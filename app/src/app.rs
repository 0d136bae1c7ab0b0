//! The page: [`App`] sets up the state, starts the engine worker and lays out the panels; and
//! [`on_response`], where every answer of the worker lands and goes to the state it changes.

use leptos::prelude::*;
use web_sys::Blob;

use crate::bridge::Bridge;
use crate::protocol::Response;
use crate::share;
use crate::state::Progress;
use crate::store::Ui;
use crate::ui::case_tabs::CaseTabs;
use crate::ui::case_view::CaseView;
use crate::ui::data_panel::DataPanel;
use crate::ui::record_dialogs::RecordDialogs;

/// The whole page: the data panel, the case tabs with the active case, and the record dialogs.
#[component]
pub fn App() -> impl IntoView {
    let ui = Ui::init();
    ui.connect(Bridge::start(move |r, blobs| on_response(ui, r, blobs)));
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
        <RecordDialogs />
    }
}

/// Applies one answer of the worker to the state (`blob`: bytes an export or a case file
/// brought along).
fn on_response(ui: Ui, r: Response, blobs: Vec<Blob>) {
    match r {
        // The bridge has sent what was waiting for it; nothing on the page changes.
        Response::Ready => {}
        Response::Progress {
            file,
            files_done,
            files_total,
            bytes_done,
            bytes_total,
            events,
            memory,
            ..
        } => ui.progress.set(Some(Progress {
            file,
            files_done,
            files_total,
            bytes_done,
            bytes_total,
            events,
            memory,
        })),
        Response::Loaded {
            data,
            report,
            cancelled: _,
        } => {
            ui.progress.set(None);
            // A case file whose events were all loaded already adds nothing: say that, rather
            // than "Loaded 0 events … duplicates dropped".
            let report = match ui.share.importing.get_untracked() {
                Some((name, n, before)) if data.events == before && n > 0 => format!(
                    "The events of the case file {name} are already loaded ({n} event{}, all with eventIDs already loaded): nothing new was added. Loaded events: {}.",
                    if n == 1 { "" } else { "s" },
                    data.events
                ),
                _ => report,
            };
            ui.share.importing.set(None);
            let has_events = data.events > 0;
            ui.data.update(|d| {
                d.info = data;
                d.report = report;
            });
            // The detections run on every load (after the rerun below, in the worker's order).
            ui.detections.update(|d| d.clear());
            // Old results point at data that changed: run the active case again (unless the
            // data is back after a cancelled query: that one waits for the user).
            ui.rows.update(|r| r.clear());
            let active = ui.active.get_untracked();
            let rerun = ui.runs.try_update(|r| r.data_changed(active)) == Some(true);
            if let Some((case, files)) = ui.reloading.get_untracked() {
                ui.reloading.set(None);
                ui.reloaded(case, files);
            } else if rerun {
                ui.run(active);
            }
            if has_events {
                ui.detect();
            }
        }
        Response::Result(info) => {
            if ui.runs.with_untracked(|r| r.owns(info.id)) {
                // "Downloaded …", "Copied …" were about the result before this one.
                ui.share.result_notice.set(None);
                ui.rows.update(|r| r.add_result(&info));
                ui.view_chart.set(info.chart.is_some());
                if let Some((case, node)) = ui.runs.with_untracked(|r| r.node_of(info.id)) {
                    let rows = info.row_count as u64;
                    ui.cases.update(|c| c.set_node_rows(case, node, rows));
                }
                ui.runs.update(|r| {
                    r.finish(info);
                });
            }
        }
        Response::Failed {
            id,
            diagnostics,
            rendered,
        } => {
            if ui.runs.with_untracked(|r| r.owns(id)) {
                ui.runs.update(|r| {
                    r.fail(id, diagnostics, rendered);
                });
            }
        }
        Response::Rows { id, start, rows } => ui.rows.update(|r| r.insert(id, start, rows)),
        Response::Record {
            id,
            row,
            json,
            source,
        } => {
            ui.inspect.maybe_update(|i| i.accept(id, row, json, source));
        }
        Response::Fields { id, rows, fields } => ui.fields.set(Some((id, rows, fields))),
        Response::Completions(c) => ui.completions.set(Some(c)),
        Response::Error { message } => ui.show_error(message),
        Response::Detections {
            hits,
            failed,
            elapsed_ms,
        } => ui.detections.update(|d| d.finish(hits, failed, elapsed_ms)),
        Response::Identity { subject, text } => ui.identity.update(|i| {
            // Only the answer for the subject still shown.
            if let Some((s, t)) = i {
                if *s == subject {
                    *t = Some(text);
                }
            }
        }),
        r @ (Response::Exported { .. }
        | Response::ExportFailed { .. }
        | Response::CaseImported { .. }
        | Response::CaseRejected { .. }) => share::on_response(ui, r, blobs),
    }
}
