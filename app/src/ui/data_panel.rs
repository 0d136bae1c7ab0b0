//! The data panel: where files come in (drop zone, file and folder dialogs, the bundled sample),
//! loading progress with a way to cancel, the load report, one-click use-case presets, and the
//! loaded sources with their buckets. Source names and problems come from files: text only.

use leptos::ev;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::protocol::{Request, SourceInfo};
use crate::share;
use crate::state::{fmt_span, guide_case_name, PRESETS};
use crate::store::Ui;
use crate::transfer;
use crate::ui::detections::DetectionsPanel;

#[component]
pub fn DataPanel() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let dragging = RwSignal::new(false);
    let file_input = NodeRef::<html::Input>::new();
    let folder_input = NodeRef::<html::Input>::new();

    let load_sample = move |_| {
        spawn_local(async move {
            match transfer::sample_file().await {
                Ok(file) => ui.load(vec![file]),
                Err(e) => ui.show_error(e),
            }
        });
    };
    let on_drop = move |ev: ev::DragEvent| {
        ev.prevent_default();
        dragging.set(false);
        if let Some(dt) = ev.data_transfer() {
            spawn_local(async move {
                let files = transfer::dropped_files(&dt).await;
                // Case files among them are opened as cases (share.rs), the rest is loaded.
                share::load_files(ui, files);
            });
        }
    };
    // `webkitdirectory` makes the dialog pick a folder (files keep their relative paths).
    folder_input.on_load(|el| {
        let _ = el.set_attribute("webkitdirectory", "");
    });
    let picked = move |input: NodeRef<html::Input>| {
        if let Some(el) = input.get() {
            let files = transfer::input_files(&el);
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
            {move || ui.progress.get().map(|p| view! {
                <div class="progress-box">
                    <progress max="100" prop:value=p.percent() aria-label="Loading progress"></progress>
                    <p class="status">{p.status()}</p>
                    <button type="button" on:click=move |_| ui.send(Request::Cancel)>"Cancel loading"</button>
                </div>
            })}
            <p class="status" role="status" aria-label="Load report">
                {move || ui.data.with(|d| d.report_text())}
            </p>
            {move || ui.data.with(|d| d.error.clone()).map(|e| view! { <p class="error" role="alert">{e}</p> })}
            {move || ui.data.with(|d| d.has_events()).then(|| view! { <DetectionsPanel /> })}
            <h3>"Start from a use case"</h3>
            <ul class="presets" aria-label="Use cases">
                {PRESETS.iter().enumerate().map(|(i, p)| {
                    let covers_id = format!("preset-covers-{i}");
                    let guide_name = guide_case_name(p);
                    let guide_label = format!("{} as in the guide", p.name);
                    view! {
                        <li class="preset">
                            <button type="button" aria-describedby=covers_id.clone() on:click=move |_| run_preset(ui, p.name, p.query)>{p.name}</button>
                            <button
                                type="button"
                                class="preset-guide"
                                aria-label=guide_label
                                title="Open the guide's own query, word for word (it catches fewer codes)"
                                on:click=move |_| run_preset(ui, &guide_name, p.guide)
                            >"as in the guide"</button>
                            <details class="preset-covers">
                                <summary>"What it catches"</summary>
                                <p id=covers_id>{p.covers}</p>
                            </details>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <h3>"Sources"</h3>
            <ul class="sources" aria-label="Loaded sources">
                <For each=move || ui.data.with(|d| d.info.sources.clone()) key=|s| s.name.clone() let:src>
                    <SourceRow src=src />
                </For>
            </ul>
        </aside>
    }
}

/// A preset opens as a new case and runs; its result appears at the top of the workspace,
/// which is scrolled into view.
fn run_preset(ui: Ui, name: &str, query: &str) {
    if let Some(id) = ui.cases.update(|c| c.add(Some(name), query)) {
        ui.run(id);
    }
    if let Some(el) = document().query_selector(".workspace").ok().flatten() {
        el.scroll_into_view();
    }
}

/// One loaded source: its name, events, shape and span, its bucket (editable), its problems
/// and notices.
#[component]
fn SourceRow(src: SourceInfo) -> impl IntoView {
    let ui = expect_context::<Ui>();
    let bucket = RwSignal::new(src.bucket.clone());
    let name = src.name.clone();
    let label = format!("Bucket of {}", src.name);
    let save = move || {
        let b = bucket.get_untracked();
        if !b.trim().is_empty() {
            ui.set_bucket(name.clone(), b.trim().to_string());
        }
    };
    let problems = src.problems.clone();
    let notices = src.notices.clone();
    view! {
        <li class="source">
            <span class="source-name" title=src.name.clone()>{src.name.clone()}</span>
            <span class="source-meta">{format!("{} event{} · {} · {}", src.events, if src.events == 1 { "" } else { "s" }, src.shape, fmt_span(src.span))}</span>
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
