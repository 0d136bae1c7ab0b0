//! The active case's query tree (issue 14): every run is a node; a run from the selected node
//! becomes its child, so the branches show the paths tried. A flat ARIA tree (`role=tree`,
//! `treeitem`s with `aria-level`), drawn from `Case::tree_rows` without recursion. Click or
//! Enter opens a node (its query in the editor, its result at once when the worker still
//! holds it, else it runs again); arrow keys move (Left: parent, Right: first child), F2
//! renames, Delete deletes. The selected node's name, colour and note are edited below the
//! tree. Queries and names are text only.

use leptos::ev;
use leptos::html;
use leptos::prelude::*;
use leptos::tachys::html::attribute::custom::custom_attribute;
use trailscope_share::investigation::NODE_COLORS;

use crate::state::{node_title, TreeRow};
use crate::store::Ui;

#[component]
pub fn QueryTree() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let rows = Memo::new(move |_| {
        let id = ui.active.get();
        ui.cases
            .with(|c| c.get(id).map(|x| x.tree_rows()).unwrap_or_default())
    });
    let current = Memo::new(move |_| {
        let id = ui.active.get();
        ui.cases.with(|c| c.get(id).and_then(|x| x.current))
    });
    // The node with the roving tab stop (keyboard focus), by id.
    let focused = RwSignal::new(None::<u64>);
    let name_input: NodeRef<html::Input> = NodeRef::new();
    let tab_stop = move || {
        let rows = rows.get();
        focused
            .get()
            .filter(|f| rows.iter().any(|r| r.node.id == *f))
            .or_else(|| current.get())
            .or_else(|| rows.first().map(|r| r.node.id))
    };
    let focus_node = move |id: u64| {
        focused.set(Some(id));
        if let Some(el) = document()
            .get_element_by_id(&format!("qnode-{id}"))
            .and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok())
        {
            let _ = el.focus();
        }
    };
    let open = move |id: u64| {
        focused.set(Some(id));
        ui.open_node(id);
    };
    let delete = move |id: u64| {
        let case = ui.active.get_untracked();
        ui.cases.update(|c| c.delete_node(case, id));
    };
    let on_key = move |ev: ev::KeyboardEvent| {
        let rows = rows.get_untracked();
        let Some(at) = untrack(tab_stop) else {
            return;
        };
        let Some(i) = rows.iter().position(|r| r.node.id == at) else {
            return;
        };
        let row = &rows[i];
        let target = match ev.key().as_str() {
            "ArrowDown" => rows.get(i + 1).map(|r| r.node.id),
            "ArrowUp" => i.checked_sub(1).map(|j| rows[j].node.id),
            "Home" => rows.first().map(|r| r.node.id),
            "End" => rows.last().map(|r| r.node.id),
            "ArrowLeft" => row.node.parent,
            "ArrowRight" => (row.children > 0)
                .then(|| rows.get(i + 1).map(|r| r.node.id))
                .flatten(),
            "Enter" | " " => {
                ev.prevent_default();
                open(at);
                return;
            }
            "F2" => {
                ev.prevent_default();
                open(at);
                if let Some(el) = name_input.get_untracked() {
                    let _ = el.focus();
                }
                return;
            }
            "Delete" => {
                ev.prevent_default();
                let next = rows
                    .get(i + 1)
                    .or_else(|| i.checked_sub(1).map(|j| &rows[j]))
                    .map(|r| r.node.id);
                delete(at);
                if let Some(n) = next {
                    focus_node(n);
                }
                return;
            }
            _ => return,
        };
        ev.prevent_default();
        if let Some(t) = target {
            focus_node(t);
        }
    };
    let count = move || rows.with(Vec::len);
    let item = move |r: TreeRow| {
        let id = r.node.id;
        let title = node_title(&r.node);
        let rows_text = match r.node.rows {
            Some(1) => "1 row".to_string(),
            Some(n) => format!("{n} rows"),
            None => "not run".to_string(),
        };
        let color = r.node.color.clone().unwrap_or_default();
        let label = format!(
            "{title}, {rows_text}{}{}",
            if color.is_empty() {
                String::new()
            } else {
                format!(", {color}")
            },
            if r.node.note.is_empty() {
                ""
            } else {
                ", annotated"
            }
        );
        let has_note = !r.node.note.is_empty();
        let query = r.node.query.clone();
        view! {
            <li
                role="treeitem"
                id=format!("qnode-{id}")
                class="qnode"
                class:is-current=move || current.get() == Some(id)
                aria-selected=move || (current.get() == Some(id)).to_string()
                aria-expanded=(r.children > 0).then_some("true")
                aria-label=label
                tabindex=move || if tab_stop() == Some(id) { "0" } else { "-1" }
                title=query
                style:padding-left=format!("{}em", (r.level - 1).min(30) as f64 * 1.2 + 0.3)
                on:click=move |_| open(id)
                on:focus=move |_| focused.set(Some(id))
                // tachys has no typed `aria-level`; a custom attribute sets it.
                {..custom_attribute("aria-level", r.level)}
            >
                <span class=format!("qnode-color qnode-color-{color}") aria-hidden="true"></span>
                <span class="qnode-title">{title}</span>
                <span class="qnode-rows">{rows_text}</span>
                {has_note.then(|| view! { <span class="qnode-note" aria-hidden="true">"✎"</span> })}
            </li>
        }
    };
    // Made afresh when another node is selected, not when this one's fields change (typing a
    // note must keep its focus).
    let selected = move || {
        let case = ui.active.get();
        let id = current.get()?;
        untrack(|| {
            ui.cases
                .with(|c| c.get(case).and_then(|x| x.node(id).cloned()))
        })
    };
    let editor = move || {
        selected().map(|n| {
            let id = n.id;
            let case = ui.active.get_untracked();
            view! {
                <div class="qnode-edit" role="group" aria-label="Selected query node">
                    <label>
                        "Name "
                        <input type="text" node_ref=name_input aria-label="Node name" maxlength="200" placeholder=node_title(&n) prop:value=n.name.clone()
                            on:change=move |ev| {
                                let v = event_target_value(&ev);
                                ui.cases.update(|c| c.rename_node(case, id, &v));
                            } />
                    </label>
                    <label>
                        "Colour "
                        <select aria-label="Node colour" prop:value=n.color.clone().unwrap_or_default()
                            on:change=move |ev| {
                                let v = event_target_value(&ev);
                                ui.cases.update(|c| c.color_node(case, id, &v));
                            }>
                            <option value="">"none"</option>
                            {NODE_COLORS.iter().map(|c| view! { <option value=*c>{*c}</option> }).collect_view()}
                        </select>
                    </label>
                    <label class="qnode-note-field">
                        "Note "
                        <textarea aria-label="Node note" rows="2" prop:value=n.note.clone()
                            on:input=move |ev| {
                                let v = event_target_value(&ev);
                                ui.cases.type_text(|c| c.annotate_node(case, id, &v));
                            }></textarea>
                    </label>
                    <button type="button" aria-label="Delete node" aria-keyshortcuts="Delete" on:click=move |_| delete(id)>"Delete node"</button>
                </div>
            }
        })
    };
    view! {
        <details class="query-tree" open=true>
            <summary>{move || format!("Query tree ({})", count())}</summary>
            <p class="panel-hint">"Each run is a node; a run from the selected node becomes its child. Click or Enter opens a node; arrows move, F2 renames, Delete deletes."</p>
            <ul role="tree" aria-label="Query tree" class="qtree" on:keydown=on_key>
                <For each=move || rows.get() key=|r| (r.node.id, r.level, r.node.rows, r.node.name.clone(), r.node.color.clone(), r.node.note.is_empty(), r.children) children=item />
            </ul>
            {editor}
        </details>
    }
}
