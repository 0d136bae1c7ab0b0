//! Trailscope's browser page: load CloudTrail data, write a DQL query, run it, read the table.
//!
//! The page only shows things; loading and querying live in [`model`] and the engine. Every
//! value that comes from a log is attacker-controlled, so it is only ever rendered as text:
//! Leptos turns string children into DOM text nodes, and nothing here uses `inner_html`.

mod fetch;
mod model;

use leptos::ev;
use leptos::prelude::*;
use leptos::task::spawn_local;

use model::{Dataset, LoadState, ResultTable, RunState};

/// The query the page opens with: events per API call in the loaded trail.
const DEFAULT_QUERY: &str = "fetch logs\n\
| filter aws.service == \"cloudtrail\"\n\
| parse content, \"JSON:event\"\n\
| summarize count(), by: { eventName = event[eventName] }";

/// The bundled sample export, relative to the page (public/sample/ is copied into dist/).
const SAMPLE_URL: &str = "sample/cloudtrail-sample.json.gz";
const SAMPLE_NAME: &str = "cloudtrail-sample.json.gz";

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}

#[component]
fn App() -> impl IntoView {
    // The dataset never leaves the main thread: local storage asks no `Send + Sync` of it.
    let dataset = StoredValue::new_local(Dataset::empty());
    let query = RwSignal::new(DEFAULT_QUERY.to_string());
    let load = RwSignal::new(LoadState::Empty);
    let run = RwSignal::new(RunState::Idle);

    let load_sample = move |_| {
        load.set(LoadState::Loading);
        spawn_local(async move {
            match fetch::fetch_bytes(SAMPLE_URL).await {
                Ok(bytes) => {
                    let loaded = Dataset::load(SAMPLE_NAME, &bytes);
                    load.set(LoadState::Loaded(loaded.summary().to_string()));
                    dataset.set_value(loaded);
                }
                Err(err) => load.set(LoadState::Failed(err)),
            }
        });
    };

    let run_query = move || {
        let text = query.get_untracked();
        let outcome = dataset.with_value(|d| d.run(&text));
        run.set(outcome);
    };

    // Ctrl+Enter (Cmd+Enter on a Mac) runs the query from the editor.
    let on_editor_key = move |ev: ev::KeyboardEvent| {
        if ev.key() == "Enter" && (ev.ctrl_key() || ev.meta_key()) {
            ev.prevent_default();
            run_query();
        }
    };

    view! {
        <header class="app-header">
            <h1>"Trailscope"</h1>
            <span class="tagline">"DQL over AWS CloudTrail, in your browser"</span>
        </header>
        <main>
            <section class="panel" aria-labelledby="data-heading">
                <h2 id="data-heading">"Data"</h2>
                <div class="toolbar">
                    <button
                        type="button"
                        on:click=load_sample
                        disabled=move || load.with(|l| matches!(l, LoadState::Loading))
                    >
                        "Load sample"
                    </button>
                </div>
                <p class="status" role="status">
                    {move || load.with(|l| l.describe())}
                </p>
            </section>
            <section class="panel" aria-labelledby="query-heading">
                <h2 id="query-heading">"Query"</h2>
                <textarea
                    class="query"
                    aria-label="DQL query"
                    spellcheck="false"
                    autocomplete="off"
                    prop:value=move || query.get()
                    on:input=move |ev| query.set(event_target_value(&ev))
                    on:keydown=on_editor_key
                ></textarea>
                <div class="toolbar">
                    <button type="button" class="primary" on:click=move |_| run_query()>
                        "Run"
                    </button>
                    <span class="status">"or Ctrl+Enter"</span>
                </div>
            </section>
            <section class="panel" aria-labelledby="results-heading">
                <h2 id="results-heading">"Results"</h2>
                {move || run.with(results_view)}
            </section>
        </main>
    }
}

fn results_view(state: &RunState) -> AnyView {
    match state {
        RunState::Idle => view! {
            <p class="status">"Load the sample, then press Run."</p>
        }
        .into_any(),
        RunState::Failed(text) => view! {
            <pre class="diagnostics" role="alert">{text.clone()}</pre>
        }
        .into_any(),
        RunState::Done(table) => table_view(table),
    }
}

fn table_view(table: &ResultTable) -> AnyView {
    let notices = (!table.notices.is_empty()).then(|| {
        let items = table
            .notices
            .iter()
            .map(|n| view! { <li>{n.clone()}</li> })
            .collect_view();
        view! { <ul class="notices">{items}</ul> }
    });
    let header = table
        .columns
        .iter()
        .map(|c| view! { <th scope="col">{c.clone()}</th> })
        .collect_view();
    // Cells are plain strings: rendered as text nodes, so markup in a log value stays text.
    let body = table
        .rows
        .iter()
        .map(|row| {
            let cells = row
                .iter()
                .map(|cell| view! { <td>{cell.clone()}</td> })
                .collect_view();
            view! { <tr>{cells}</tr> }
        })
        .collect_view();
    let warnings = (!table.warnings.is_empty()).then(|| {
        view! { <pre class="diagnostics warnings">{table.warnings.clone()}</pre> }
    });
    view! {
        {warnings}
        {notices}
        <p class="status" role="status">{table.row_count_text()}</p>
        <div class="table-wrap">
            <table class="results">
                <thead>
                    <tr>{header}</tr>
                </thead>
                <tbody>{body}</tbody>
            </table>
        </div>
    }
    .into_any()
}
