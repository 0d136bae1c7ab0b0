//! The active case: its query editor, "Run" with the time frame picker, the results, and the
//! case's notes, evidence and sharing buttons.

use leptos::prelude::*;

use crate::store::Ui;
use crate::ui::editor::QueryEditor;
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
    view! {
        <div class="case" role="tabpanel" aria-label="Active case">
            <QueryEditor text=text diagnostics=diagnostics on_run=run />
            <div class="toolbar">
                <button type="button" class="primary" on:click=move |_| run.run(())>"Run"</button>
                <TimeFrame />
            </div>
            <ResultsView />
            <CaseShare />
        </div>
    }
}
