//! The case tabs: one tab per investigation case (WAI-ARIA tabs), with rename (double-click or
//! F2), close (× or Delete; "Undo close" brings the case back with its notes and evidence),
//! reordering by drag or Alt+Left/Right, and "Add case".

use leptos::ev;
use leptos::html;
use leptos::prelude::*;

use crate::state::{Closed, DEFAULT_QUERY};
use crate::store::Ui;

/// Drag data type of a tab being moved (other drags, such as files, are not tabs).
const TAB_DRAG_TYPE: &str = "text/x-trailscope-case";

#[component]
pub fn CaseTabs() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let renaming = RwSignal::new(None::<u64>);
    // The case closed last, until it is reopened or another one is closed.
    let closed = RwSignal::new(None::<Closed>);
    let undo = move |_| {
        if let Some(c) = closed.get_untracked() {
            ui.cases.update(|cases| cases.reopen(c));
            closed.set(None);
        }
    };
    // The tab being dragged to a new place (tabs also move with Alt+Left/Right).
    let dragged = RwSignal::new(None::<u64>);
    let tabs = move || {
        ui.cases.with(|c| {
            c.cases
                .iter()
                .map(|x| (x.id, x.name.clone()))
                .collect::<Vec<_>>()
        })
    };
    view! {
        <div class="tabs-bar">
            <div role="tablist" aria-label="Cases" class="tabs">
                <For each=tabs key=|tab| tab.clone() let((id, name))>
                    {tab(ui, id, name, renaming, dragged, closed)}
                </For>
            </div>
            <button type="button" class="add-case" on:click=move |_| { ui.cases.update(|c| c.add(None, DEFAULT_QUERY)); }>"Add case"</button>
        </div>
        {move || closed.get().map(|c| view! {
            <div class="closed-case" role="status" aria-label="Closed case">
                {c.message()}
                <button type="button" on:click=undo>"Undo close"</button>
                <button type="button" class="tab-action" aria-label="Dismiss" on:click=move |_| closed.set(None)>"×"</button>
            </div>
        })}
    }
}

fn tab(
    ui: Ui,
    id: u64,
    name: String,
    renaming: RwSignal<Option<u64>>,
    dragged: RwSignal<Option<u64>>,
    closed: RwSignal<Option<Closed>>,
) -> impl IntoView {
    let close = move || {
        if let Some(Some(c)) = ui.cases.update(|cases| cases.close(id)) {
            closed.set(Some(c));
        }
    };
    let selected = move || ui.active.get() == id;
    let on_key = move |ev: ev::KeyboardEvent| match ev.key().as_str() {
        "ArrowRight" if ev.alt_key() => {
            ui.cases.update(|c| c.shift(id, 1));
        }
        "ArrowLeft" if ev.alt_key() => {
            ui.cases.update(|c| c.shift(id, -1));
        }
        "F2" => renaming.set(Some(id)),
        "Delete" => close(),
        _ => {}
    };
    let on_drop = move |ev: ev::DragEvent| {
        ev.prevent_default();
        ev.stop_propagation();
        if let Some(from) = dragged.get_untracked() {
            ui.cases.update(|c| c.move_to(from, id));
        }
        dragged.set(None);
    };
    let rename = move |v: String| {
        ui.cases.update(|c| c.rename(id, &v));
    };
    let label = name.clone();
    view! {
        <div
            class="tab"
            class:active=selected
            class:drop-target=move || dragged.get().is_some_and(|d| d != id)
            draggable="true"
            on:dragstart=move |ev: ev::DragEvent| {
                dragged.set(Some(id));
                if let Some(dt) = ev.data_transfer() {
                    dt.set_effect_allowed("move");
                    let _ = dt.set_data(TAB_DRAG_TYPE, &id.to_string());
                }
            }
            on:dragend=move |_| dragged.set(None)
            on:dragover=move |ev: ev::DragEvent| if dragged.get_untracked().is_some() { ev.prevent_default(); }
            on:drop=on_drop
        >
            {move || if renaming.get() == Some(id) {
                let current = ui.cases.with_untracked(|c| c.get(id).map(|x| x.name.clone()).unwrap_or_default());
                // `autofocus` does nothing on an element added later: focus it when it is there.
                let field = NodeRef::<html::Input>::new();
                let start = current.clone();
                field.on_load(move |el| {
                    // The value first, so that selecting it selects the name (typing replaces it).
                    el.set_value(&start);
                    let _ = el.focus();
                    el.select();
                });
                view! {
                    <input
                        class="tab-rename"
                        aria-label="Case name"
                        prop:value=current
                        node_ref=field
                        on:keydown=move |ev: ev::KeyboardEvent| {
                            if ev.key() == "Enter" || ev.key() == "Escape" {
                                if ev.key() == "Enter" {
                                    rename(event_target_value(&ev));
                                }
                                renaming.set(None);
                            }
                        }
                        on:blur=move |ev| {
                            rename(event_target_value(&ev));
                            renaming.set(None);
                        }
                    />
                }.into_any()
            } else {
                let name = name.clone();
                view! {
                    <button
                        type="button"
                        role="tab"
                        aria-selected=move || selected().to_string()
                        tabindex=move || if selected() { "0" } else { "-1" }
                        on:click=move |_| { ui.cases.update(|c| c.select(id)); }
                        on:dblclick=move |_| renaming.set(Some(id))
                        on:keydown=on_key
                    >{name}</button>
                }.into_any()
            }}
            <button type="button" class="tab-action" aria-label=format!("Rename case {label}") title="Rename (F2)" on:click=move |_| renaming.set(Some(id))>"✎"</button>
            <button type="button" class="tab-action" aria-label=format!("Close case {label}") title="Close (Delete); Undo close brings it back" on:click=move |_| close()>"×"</button>
        </div>
    }
}
