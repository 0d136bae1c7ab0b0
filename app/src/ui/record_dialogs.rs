//! The two record dialogs of the active result, wired to the state: field details (with
//! previous/next) and record details (the tree, whose filter buttons add a line to the query
//! and run it). Both can pin the record shown as evidence.

use leptos::prelude::*;

use crate::protocol::Request;
use crate::share;
use crate::state::{surrounding_query, Notice, MAX_COMPARED};
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
            share::toggle_pin(ui, &j, source.get_untracked().as_deref());
        }
    });
    let on_list = Callback::new(move |value: String| ui.add_to_list(&value));
    let on_reference = Callback::new(move |_: ()| {
        if let Some(j) = json.get_untracked() {
            ui.mark_reference(&j, source.get_untracked().as_deref());
        }
    });
    // The events around this one with its principal, session or source IP, as a new query
    // node (a child of the node on show) over ±N minutes around it.
    let on_surrounding = Callback::new(move |(by, minutes): (&'static str, i64)| {
        let Some(j) = json.get_untracked() else {
            return;
        };
        match surrounding_query(&j, source.get_untracked().as_deref(), by) {
            Ok((query, time)) => {
                let id = ui.active.get_untracked();
                ui.cases.update(|c| c.set_query(id, &query));
                ui.set_time(|t| t.around(time, minutes.clamp(1, 1440)));
                ui.inspect.update(|i| i.record = None);
                ui.run(id);
            }
            Err(e) => ui
                .share
                .case_notice
                .set(Notice::err(format!("No surrounding events: {e}."))),
        }
    });
    // The whole event when there is one (a projected row compares poorly), else the row.
    let on_compare = Callback::new(move |_: ()| {
        let Some(j) = source.get_untracked().or_else(|| json.get_untracked()) else {
            return;
        };
        let label = trailscope_share::Evidence {
            record: j.clone(),
            ..Default::default()
        }
        .label();
        let mut full = false;
        ui.compare.update(|c| {
            if c.iter().any(|(_, r)| *r == j) {
                return;
            }
            if c.len() >= MAX_COMPARED {
                full = true;
                return;
            }
            c.push((label, j));
        });
        let n = ui.compare.with_untracked(Vec::len);
        ui.share.case_notice.set(if full {
            Notice::err(format!(
                "At most {MAX_COMPARED} records are compared; remove one first."
            ))
        } else {
            Notice::ok(format!(
                "{n} record{} to compare.",
                if n == 1 { "" } else { "s" }
            ))
        });
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
            <RecordDetails json=json on_filter=on_filter on_close=close_record on_pin=on_pin pinned=pinned source=source on_list=on_list on_reference=on_reference on_surrounding=on_surrounding on_compare=on_compare />
        </Show>
    }
}
