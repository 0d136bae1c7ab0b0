//! The two record dialogs of the active result, wired to the state: field details (with
//! previous/next) and record details (the tree, whose filter buttons add a line to the query
//! and run it). Both can pin the record shown as evidence.

use leptos::prelude::*;

use crate::protocol::Request;
use crate::share;
use crate::store::Ui;
use crate::ui::details::FieldDetails;
use crate::ui::tree::RecordDetails;

#[component]
pub fn RecordDialogs() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let row_count = Signal::derive(move || ui.active_result().map_or(0, |r| r.row_count));
    let details_open = Memo::new(move |_| ui.inspect.with(|i| i.details.is_some()));
    let record_open = Memo::new(move |_| ui.inspect.with(|i| i.record.is_some()));
    let details_row = Memo::new(move |_| ui.inspect.with(|i| i.details.map(|(_, r)| r)));
    let json = Memo::new(move |_| ui.inspect.with(|i| i.json.clone()));
    let source = Memo::new(move |_| ui.inspect.with(|i| i.source.clone()));
    let on_move = Callback::new(move |by: i64| {
        let n = row_count.get_untracked();
        if let Some(Some((id, row))) = ui.inspect.try_update(|i| i.step(by, n)) {
            ui.send(Request::Record { id, row });
        }
    });
    let close_details = Callback::new(move |_: ()| ui.inspect.update(|i| i.details = None));
    let close_record = Callback::new(move |_: ()| ui.inspect.update(|i| i.record = None));
    // "Pin as evidence" in both dialogs (share.rs keeps the evidence in the case).
    let pinned = Signal::derive(move || {
        json.with(|j| j.as_deref().is_some_and(|j| share::is_pinned(ui, j)))
    });
    let on_pin = Callback::new(move |_: ()| {
        if let Some(j) = json.get_untracked() {
            share::toggle_pin(ui, &j);
        }
    });
    let on_filter = Callback::new(move |line: String| {
        let id = ui.active.get_untracked();
        ui.cases.update(|c| c.append_line(id, &line));
        ui.inspect.update(|i| i.record = None);
        ui.run(id);
    });
    view! {
        <Show when=move || details_open.get()>
            <FieldDetails json=json row=details_row row_count=row_count on_move=on_move on_close=close_details on_pin=on_pin pinned=pinned />
        </Show>
        <Show when=move || record_open.get()>
            <RecordDetails json=json on_filter=on_filter on_close=close_record on_pin=on_pin pinned=pinned source=source />
        </Show>
    }
}
