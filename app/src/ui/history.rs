//! The active case's query history: every query run in the case (newest first), each with
//! "Use" to put it back into the editor. Queries are text the user typed or a case file
//! brought: shown as text only.

use leptos::prelude::*;

use crate::store::Ui;

/// Characters of a query shown on its line (the whole query goes into the editor).
const LINE_CHARS: usize = 160;

#[component]
pub fn QueryHistory() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let history = Memo::new(move |_| {
        let id = ui.active.get();
        ui.cases
            .with(|c| c.get(id).map(|x| x.history.clone()).unwrap_or_default())
    });
    let recall = move |query: String| {
        let id = ui.active.get_untracked();
        ui.cases.update(|c| c.set_query(id, &query));
    };
    view! {
        <details class="history">
            <summary>{move || format!("Query history ({})", history.with(Vec::len))}</summary>
            <ol class="history-list" aria-label="Query history, newest first">
                {move || history.get().into_iter().rev().enumerate().map(|(i, q)| {
                    let line: String = q.split_whitespace().collect::<Vec<_>>().join(" ");
                    let short = crate::ui::table::rows::clip(&line, LINE_CHARS);
                    let label = format!("Use query {} of the history", i + 1);
                    let full = q.clone();
                    view! {
                        <li>
                            <button type="button" aria-label=label title="Put this query into the editor (Run runs it)" on:click=move |_| recall(full.clone())>"Use"</button>
                            <code title=q>{short}</code>
                        </li>
                    }
                }).collect_view()}
            </ol>
        </details>
    }
}
