//! The active case: its query editor, "Run" (and "Cancel query" while it runs) with the time
//! frame picker, the results, and the case's notes, evidence and sharing buttons. A query that
//! came from a share link or a case file and has not run yet says so above the editor.

use leptos::prelude::*;

use crate::store::Ui;
use crate::ui::editor::QueryEditor;
use crate::ui::history::QueryHistory;
use crate::ui::results::ResultsView;
use crate::ui::share::CaseShare;
use crate::ui::time_frame::TimeFrame;

#[component]
pub fn CaseView() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let text = RwSignal::new(ui.cases.with_untracked(|c| c.query(c.active)));
    // Switching tabs (or a filter added from the record tree) shows that case's query; typing
    // writes it back to the case.
    Effect::new(move |_| {
        let id = ui.active.get();
        let q = ui.cases.with(|c| c.query(id));
        if text.get_untracked() != q {
            text.set(q);
        }
    });
    Effect::new(move |_| {
        let t = text.get();
        let id = ui.active.get_untracked();
        ui.cases.type_text(|c| c.set_query(id, &t));
    });
    let diagnostics = Signal::derive(move || {
        let case = ui.active.get();
        ui.runs.with(|r| r.diagnostics(case))
    });
    let run = Callback::new(move |_: ()| ui.run_active());
    // Esc asks the query to stop; the button does too, and restarts the engine when pressed
    // again for the same run (a command that never reaches the engine's next check).
    let cancel = Callback::new(move |_: ()| ui.cancel_query(false));
    let cancel_button = move |_| ui.cancel_query(true);
    let running = move || {
        let case = ui.active.get();
        ui.runs.with(|r| r.running(case).is_some())
    };
    let arrived = move || {
        let case = ui.active.get();
        ui.share
            .arrivals
            .with(|a| a.origin(case).map(str::to_string))
    };
    view! {
        <div class="case" role="tabpanel" aria-label="Active case">
            {move || arrived().map(|from| view! {
                <div class="arrived-query" role="note" aria-label="Query not run yet">
                    <strong>{format!("This query came from {from}: read it, then Run.")}</strong>
                    " Nothing runs until you press Run (or Ctrl+Enter). A query written by someone else can be slow or ask for a lot of memory; Cancel query stops it."
                </div>
            })}
            <QueryEditor text=text diagnostics=diagnostics on_run=run on_cancel=cancel />
            <div class="toolbar">
                <button type="button" class="primary" on:click=move |_| run.run(())>"Run"</button>
                {move || running().then(|| {
                    let title = if ui.cancel_keeps_data() {
                        "Stop the query (Esc in the editor); the data stays loaded. Pressed again, it restarts the engine and loads the same files again"
                    } else {
                        "Stop the query (Esc in the editor): the engine restarts and loads the same files again"
                    };
                    view! {
                        <button type="button" class="cancel-query" title=title on:click=cancel_button>"Cancel query"</button>
                    }
                })}
                <TimeFrame />
            </div>
            <QueryHistory />
            <ResultsView />
            <CaseShare />
        </div>
    }
}
