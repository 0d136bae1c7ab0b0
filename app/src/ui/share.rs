//! The views of sharing (issue 6): under each case, its notes, pinned evidence and the case
//! file / share link buttons; above a result, the export buttons. The logic lives in
//! `crate::share`. Notes, evidence and everything from an imported case are shown as text.

use leptos::ev;
use leptos::prelude::*;

use trailscope_engine::sql::Dialect;

use crate::share;
use crate::state::Notice;
use crate::store::Ui;
use crate::transfer;
use crate::ui::json::Json;

fn notice_view(n: Option<Notice>, label: &'static str) -> impl IntoView {
    n.map(|n| {
        if n.error {
            view! { <p class="share-notice error" role="alert" aria-label=label>{n.text}</p> }
                .into_any()
        } else {
            view! { <p class="share-notice" role="status" aria-label=label>{n.text}</p> }.into_any()
        }
    })
}

/// Notes, pinned evidence and the case's share actions, below the active case's results.
#[component]
pub fn CaseShare() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let with_events = RwSignal::new(false);
    let file_input = NodeRef::<leptos::html::Input>::new();
    let notes = Memo::new(move |_| {
        ui.cases
            .with(|c| c.active_case().map(|x| x.notes.clone()).unwrap_or_default())
    });
    // Memos: typing notes changes the cases but not the evidence, so the list (and which of
    // its records are open) stays as it is.
    let evidence = Memo::new(move |_| {
        ui.cases.with(|c| {
            c.active_case()
                .map(|x| x.evidence.clone())
                .unwrap_or_default()
        })
    });
    let on_notes = move |ev: ev::Event| {
        let v = event_target_value(&ev);
        let id = ui.active.get_untracked();
        ui.cases.type_text(|c| c.set_notes(id, &v));
    };
    let picked = move |_| {
        if let Some(el) = file_input.get() {
            let files = transfer::input_files(&el);
            el.set_value("");
            for f in files {
                share::import_case_file(ui, &f.path, f.file);
            }
        }
    };
    view! {
        <section class="case-share" aria-label="Notes and evidence">
            <div class="toolbar" role="group" aria-label="Share this case">
                <button type="button" on:click=move |_| share::export_case(ui, with_events.get_untracked())>
                    "Export case"
                </button>
                <label class="check">
                    <input type="checkbox" prop:checked=move || with_events.get() on:change=move |ev| with_events.set(event_target_checked(&ev)) />
                    " with the loaded events"
                </label>
                <button type="button" on:click=move |_| { if let Some(i) = file_input.get() { i.click(); } }>"Import case…"</button>
                <input type="file" accept=".json,application/json" class="hidden-input" aria-label="Import case file" node_ref=file_input on:change=picked />
                <button type="button" on:click=move |_| share::copy_share_link(ui)>"Copy share link"</button>
                <button type="button" title="The query as one Athena (Trino) statement over the CloudTrail table AWS documents" on:click=move |_| share::copy_sql(ui, Dialect::Athena)>"Copy as Athena SQL"</button>
                <button type="button" title="The query as one Spark SQL statement over spark.read.json of the Records" on:click=move |_| share::copy_sql(ui, Dialect::Spark)>"Copy as Spark SQL"</button>
            </div>
            {move || notice_view(ui.share.case_notice.get(), "Case sharing status")}
            {move || ui.share.link.get().map(|l| view! {
                <input class="share-link" type="text" readonly aria-label="Share link" prop:value=l on:focus=move |ev| {
                    use wasm_bindgen::JsCast;
                    if let Some(el) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) { el.select(); }
                } />
            })}
            {move || ui.share.sql.get().map(|(title, sql)| view! {
                <textarea class="share-sql" readonly rows="8" spellcheck="false" aria-label=title prop:value=sql></textarea>
            })}
            <label class="notes">
                <span>"Notes"</span>
                <textarea aria-label="Case notes" rows="4" spellcheck="true" placeholder="What you found, what to check next…" prop:value=notes on:input=on_notes></textarea>
            </label>
            <h3 class="evidence-heading">{move || format!("Evidence ({})", evidence.with(Vec::len))}</h3>
            {move || {
                let items = evidence.get();
                if items.is_empty() {
                    return view! { <p class="status">"No evidence pinned yet: open a record (View field details or View record details) and press “Pin as evidence”."</p> }.into_any();
                }
                view! {
                    <ol class="evidence" aria-label="Pinned evidence">
                        {items.into_iter().enumerate().map(|(i, e)| {
                            let label = e.label();
                            let pretty = Json::parse(&e.record).map(|j| j.pretty()).unwrap_or_else(|_| e.record.clone());
                            let query = e.query.clone();
                            view! {
                                <li class="evidence-item">
                                    <details>
                                        <summary>{label.clone()}</summary>
                                        <p class="evidence-meta">{format!("Pinned {} from the query:", e.pinned)}</p>
                                        <pre class="evidence-query">{query}</pre>
                                        <pre class="evidence-record" aria-label=format!("Evidence {} as JSON", i + 1)>{pretty}</pre>
                                    </details>
                                    <button type="button" class="tab-action" aria-label=format!("Unpin evidence {}: {}", i + 1, label) on:click=move |_| share::unpin(ui, i)>"Unpin"</button>
                                </li>
                            }
                        }).collect_view()}
                    </ol>
                }.into_any()
            }}
        </section>
    }
}

/// Export buttons for the active result: CSV, JSON, Markdown (download or copy), and the chart
/// as PNG when the chart is shown.
#[component]
pub fn ExportBar(
    /// The result is a time series (its chart can be saved as PNG).
    has_chart: bool,
) -> impl IntoView {
    let ui = expect_context::<Ui>();
    let chart_shown = move || has_chart && ui.view_chart.get();
    view! {
        <div class="export-bar" role="group" aria-label="Export result">
            <span class="export-label">"Export"</span>
            <button type="button" title="All rows as CSV (formula-safe)" on:click=move |_| share::export_result(ui, "csv", false)>"CSV"</button>
            <button type="button" title="All rows as a JSON array of objects" on:click=move |_| share::export_result(ui, "json", false)>"JSON"</button>
            <button type="button" title="A Markdown table (first 1,000 rows)" on:click=move |_| share::export_result(ui, "markdown", false)>"Markdown"</button>
            <button type="button" title="Copy a Markdown table (first 1,000 rows)" on:click=move |_| share::export_result(ui, "markdown", true)>"Copy Markdown"</button>
            {move || chart_shown().then(|| view! {
                <button type="button" title="The chart as a PNG image" on:click=move |_| share::export_chart_png(ui)>"Chart PNG"</button>
            })}
            {move || notice_view(ui.share.result_notice.get(), "Export status")}
        </div>
    }
}
