//! The active case's result area: the run's status (rows and time, "Running…", the error), the
//! Chart/Table switch and export bar, warnings and notices, and the grid or the chart.

use leptos::prelude::*;

use crate::protocol::Request;
use crate::state::{offers_show_all, result_summary, Outcome};
use crate::store::Ui;
use crate::ui::chart::TimeseriesChart;
use crate::ui::share::ExportBar;
use crate::ui::table::ResultsGrid;

#[component]
pub fn ResultsView() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let outcome = Memo::new(move |_| {
        let case = ui.active.get();
        ui.runs.with(|r| r.outcome(case))
    });
    // Memos: a result is read by several parts of the grid; typing a query changes the cases
    // but not the result.
    let result = Memo::new(move |_| ui.active_result());
    let result_id = Memo::new(move |_| result.with(|r| r.as_ref().map(|r| r.id)));
    // A memo: the grid reads the cache many times per update; it is cloned once per change.
    let rows = Memo::new(move |_| {
        let id = result_id.get();
        ui.rows.with(|m| m.cache(id))
    });
    let request_rows = Callback::new(move |(start, count): (usize, usize)| {
        if let Some(id) = result_id.get_untracked() {
            ui.send(Request::Rows { id, start, count });
        }
    });
    let selected = RwSignal::new(None::<usize>);
    // A new result starts with nothing selected.
    Effect::new(move |_| {
        result_id.track();
        selected.set(None);
    });
    let on_details = Callback::new(move |row: usize| {
        if let Some(id) = result_id.get_untracked() {
            ui.inspect.update(|i| i.open_details(id, row));
            ui.send(Request::Record { id, row });
        }
    });
    let on_record = Callback::new(move |row: usize| {
        if let Some(id) = result_id.get_untracked() {
            ui.inspect.update(|i| i.open_record(id, row));
            ui.send(Request::Record { id, row });
        }
    });
    let on_sort = Callback::new(move |(column, descending): (Option<usize>, bool)| {
        if let Some(id) = result_id.get_untracked() {
            ui.rows.update(|m| m.sort(id, column, descending));
            ui.send(Request::Sort {
                id,
                column,
                descending,
            });
        }
    });
    let sorted = Memo::new(move |_| {
        let id = result_id.get();
        ui.rows.with(|m| m.sorted(id))
    });
    let chart = Memo::new(move |_| result.with(|r| r.as_ref().and_then(|r| r.chart.clone())));
    let show_all = move |_| {
        ui.set_time(|t| t.show_all());
        ui.run_active();
    };
    let stale = move || {
        let case = ui.active.get();
        ui.runs.with(|r| r.stale(case).map(str::to_string))
    };
    let has_data = move || ui.data.with(|d| d.has_events());
    view! {
        <section class="results-area" class:is-stale=move || stale().is_some() aria-label="Results area">
            {move || match outcome.get() {
                Outcome::Idle => view! {
                    <p class="status">{move || if has_data() { "Run the query (Run or Ctrl+Enter) to see its result." } else { "Load data, then run the query (Ctrl+Enter)." }}</p>
                }.into_any(),
                Outcome::Running(_) => view! { <p class="status" role="status">"Running…"</p> }.into_any(),
                Outcome::Cancelled(text) => view! { <p class="status" role="status" aria-label="Query status">{text}</p> }.into_any(),
                Outcome::Failed(_, rendered) => view! { <pre class="diagnostics" role="alert" aria-label="Query error">{rendered}</pre> }.into_any(),
                Outcome::Done(r) => {
                    let empty_frame = offers_show_all(&r);
                    view! {
                        {move || stale().map(|why| view! {
                            <div class="stale" role="status" aria-label="Result out of date">
                                <strong>"Out of date: "</strong>
                                {format!("{why}. The result below is what the query gave before.")}
                                <button type="button" class="primary" on:click=move |_| ui.run_active()>"Run again"</button>
                            </div>
                        })}
                        <div class="result-head">
                            <p class="status" role="status" aria-label="Result summary">{result_summary(&r)}</p>
                            {r.chart.is_some().then(|| view! {
                                <div class="view-switch" role="group" aria-label="Result view">
                                    <button type="button" aria-pressed=move || ui.view_chart.get().to_string() on:click=move |_| ui.view_chart.set(true)>"Chart"</button>
                                    <button type="button" aria-pressed=move || (!ui.view_chart.get()).to_string() on:click=move |_| ui.view_chart.set(false)>"Table"</button>
                                </div>
                            })}
                            <ExportBar has_chart=r.chart.is_some() />
                        </div>
                        {(!r.warnings.is_empty()).then(|| view! { <pre class="diagnostics warnings">{r.warnings.clone()}</pre> })}
                        {(!r.notices.is_empty()).then(|| view! { <ul class="notices" aria-label="Notices">{r.notices.iter().map(|n| view! { <li>{n.clone()}</li> }).collect_view()}</ul> })}
                        {empty_frame.then(|| view! {
                            <button type="button" on:click=show_all>
                                "Show all loaded data (now = newest event)"
                            </button>
                        })}
                    }.into_any()
                }
            }}
            {move || result.with(|r| r.as_ref().is_some_and(|r| r.row_count > 0) && !(ui.view_chart.get() && chart.with(Option::is_some))).then(|| {
                let none = move || selected.get().is_none();
                let open = move |f: Callback<usize>| move |_| {
                    if let Some(row) = selected.get_untracked() {
                        f.run(row);
                    }
                };
                view! {
                    <div class="row-actions" role="group" aria-label="Selected row">
                        <button type="button" aria-disabled=move || none().to_string() aria-keyshortcuts="Enter" on:click=open(on_record)>"Open record"</button>
                        <button type="button" aria-disabled=move || none().to_string() aria-keyshortcuts="Shift+Enter" on:click=open(on_details)>"Field details"</button>
                        <span class="grid-hint">"Double-click a row (or select it and press Enter) to open its record; Shift+Enter or right-click for field details."</span>
                    </div>
                }
            })}
            {move || ui.identity.get().map(|(subject, text)| view! {
                <section class="identity-lens" role="region" aria-label="Identity lens">
                    <h3>{format!("Identity lens: {subject}")}</h3>
                    <button type="button" on:click=move |_| ui.identity.set(None)>"Close identity lens"</button>
                    <pre class="identity-text">{text.unwrap_or_else(|| "Working out what it did and where its credentials came from…".into())}</pre>
                </section>
            })}
            <Show when=move || result.with(|r| r.is_some())>
                <Show when=move || ui.view_chart.get() && chart.with(|c| c.is_some()) fallback=move || view! {
                    <ResultsGrid result=result rows=rows request_rows=request_rows selected=selected on_details=on_details on_record=on_record on_sort=on_sort sorted=sorted />
                }>
                    <TimeseriesChart chart=chart.into() />
                </Show>
            </Show>
        </section>
    }
}
