//! The active case's result area: the run's status (rows and time, "Running…", the error), the
//! Chart/Table switch and export bar, warnings and notices, and the grid or the chart.

use leptos::prelude::*;

use crate::protocol::{Cell, Request};
use crate::state::{
    offers_show_all, reference_ns, result_summary, rows_with_delta, timestamp_column, with_delta,
    Outcome,
};
use crate::store::Ui;
use crate::ui::chart::TimeseriesChart;
use crate::ui::fields::FieldSidebar;
use crate::ui::share::ExportBar;
use crate::ui::table::ResultsGrid;

/// The cells of `row` at `idx`.
fn pick(row: &[Cell], idx: &[usize]) -> Vec<Cell> {
    idx.iter().filter_map(|&i| row.get(i).cloned()).collect()
}

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
    // With a reference event, a timed result shows each row's distance to it: a column the
    // page adds at the end (computed from the row's timestamp text; sorting by it sorts by
    // `timestamp`).
    let reference = Memo::new(move |_| {
        let id = ui.active.get();
        ui.cases.with(|c| {
            c.get(id)
                .and_then(|x| x.reference.as_ref().and_then(reference_ns))
        })
    });
    let ts_col = Memo::new(move |_| result.with(|r| r.as_ref().and_then(timestamp_column)));
    let shown = Memo::new(move |_| {
        let r = result.get()?;
        Some(match reference.get() {
            Some(t) => with_delta(&r, t).unwrap_or(r),
            None => r,
        })
    });
    let shown_rows = Memo::new(move |_| match (reference.get(), ts_col.get()) {
        (Some(t), Some(c)) => rows.with(|cache| rows_with_delta(cache, c, t)),
        _ => rows.get(),
    });
    let columns_len =
        Memo::new(move |_| result.with(|r| r.as_ref().map_or(0, |r| r.columns.len())));
    // Columns hidden from the field sidebar leave the grid (not the result or its exports).
    let visible = Memo::new(move |_| {
        let cols = shown.with(|r| r.as_ref().map(|r| r.columns.clone()).unwrap_or_default());
        ui.hidden_columns.with(|h| {
            (0..cols.len())
                .filter(|&i| !h.contains(&cols[i]))
                .collect::<Vec<_>>()
        })
    });
    let grid_result = Memo::new(move |_| {
        let mut r = shown.get()?;
        let idx = visible.get();
        if idx.len() < r.columns.len() {
            r.columns = idx.iter().map(|&i| r.columns[i].clone()).collect();
            r.first_rows = r.first_rows.iter().map(|row| pick(row, &idx)).collect();
        }
        Some(r)
    });
    let grid_rows = Memo::new(move |_| {
        let mut c = shown_rows.get();
        let idx = visible.get();
        if shown.with(|r| r.as_ref().is_some_and(|r| idx.len() < r.columns.len())) {
            for row in c.rows.values_mut() {
                *row = pick(row, &idx);
            }
        }
        c
    });
    let grid_sorted = Signal::derive(move || {
        let (c, d) = sorted.get()?;
        visible
            .with(|v| v.iter().position(|&i| i == c))
            .map(|p| (p, d))
    });
    let grid_sort = Callback::new(move |(column, descending): (Option<usize>, bool)| {
        let column = column.and_then(|c| visible.with_untracked(|v| v.get(c).copied()));
        let column = match column {
            Some(c) if c >= columns_len.get_untracked() => ts_col.get_untracked(),
            c => c,
        };
        on_sort.run((column, descending));
    });
    let add_value = Callback::new(move |value: String| ui.add_to_list(&value));
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
                    <ResultsGrid result=grid_result rows=grid_rows request_rows=request_rows selected=selected on_details=on_details on_record=on_record on_sort=grid_sort sorted=grid_sorted on_add_value=add_value />
                }>
                    <TimeseriesChart chart=chart.into() />
                </Show>
                <FieldSidebar result_id=result_id />
            </Show>
        </section>
    }
}
