//! Record details: one record as an expandable JSON tree (WAI-ARIA tree pattern) with search and
//! per-value actions: copy the value or its DQL path, or add a `filter`/`filterOut` line for it.
//!
//! The tree is flattened into pre-order nodes; what is shown is a pure function of the nodes,
//! the expanded set and the search, so the keyboard walks the same list the screen draws.

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use leptos::either::Either;
use leptos::ev;
use leptos::prelude::*;
use leptos::tachys::html::attribute::custom::custom_attribute;
use leptos::task::spawn_local;
use serde_json::Value;
use wasm_bindgen::JsCast;

use gloo_timers::callback::Timeout;

use crate::ui::details::pin_button;
use crate::ui::dialog::Dialog;
use crate::ui::json::Json;

pub mod model;

pub use model::filter_line;
use model::{path_text, split_matches, NodeKind, RecordTree, Search};

/// `text` with each match of `query` in a `<mark>`; every piece is a text node.
fn highlighted(text: &str, query: &str) -> impl IntoView {
    split_matches(text, query)
        .into_iter()
        .map(|(hit, piece)| {
            if hit {
                Either::Left(view! { <mark class="tree-mark">{piece}</mark> })
            } else {
                Either::Right(piece)
            }
        })
        .collect_view()
}

/// Longest value text drawn on a line (the copy buttons give the whole value).
const MAX_LINE_CHARS: usize = 300;
/// How long "Copied the value." stays.
const STATUS_MS: u32 = 3_000;

static TREE_IDS: AtomicUsize = AtomicUsize::new(0);

/// Copies `text` and says so in `status` for a few seconds; without a clipboard (an insecure
/// context, a refused permission) nothing happens.
fn copy_text(text: String, status: RwSignal<String>, what: &'static str) {
    let copied = crate::transfer::copy_text(&text);
    spawn_local(async move {
        if copied.await {
            status.try_set(format!("Copied the {what}."));
            Timeout::new(STATUS_MS, move || {
                status.try_set(String::new());
            })
            .forget();
        }
    });
}

/// The per-record state of the tree; all handles, so it is `Copy` into every closure.
#[derive(Clone, Copy)]
struct TreeCtx {
    uid: usize,
    tree: StoredValue<Arc<RecordTree>>,
    query: RwSignal<String>,
    status: RwSignal<String>,
    expanded: RwSignal<HashSet<usize>>,
    focused: RwSignal<Option<usize>>,
    hovered: RwSignal<Option<usize>>,
    /// Focus is on one of the focused node's action buttons.
    in_actions: RwSignal<bool>,
    visible: Memo<Vec<usize>>,
    search: Memo<Search>,
    /// No filter buttons without it (the full event: its paths are not the result's fields).
    on_filter: Option<Callback<String>>,
}

impl TreeCtx {
    fn node_id(self, id: usize) -> String {
        format!("tree{}-n{id}", self.uid)
    }

    /// The node that gets Tab: the focused one if it is on screen, else the first.
    fn tab_stop(self) -> Option<usize> {
        let visible = self.visible.get();
        self.focused
            .get()
            .filter(|f| visible.contains(f))
            .or_else(|| visible.first().copied())
    }

    /// The node whose action buttons are shown: while a button has keyboard focus, its node;
    /// otherwise the node under the pointer, else the focused one.
    fn active(self) -> Option<usize> {
        if self.in_actions.get() {
            self.focused.get()
        } else {
            self.hovered.get().or_else(|| self.tab_stop())
        }
    }

    fn focus(self, id: usize) {
        self.focused.set(Some(id));
        let el = document().get_element_by_id(&self.node_id(id));
        if let Some(el) = el.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
            let _ = el.focus();
        }
    }

    fn is_open(self, id: usize) -> bool {
        self.expanded.with(|e| e.contains(&id))
    }

    fn set_open(self, id: usize, open: bool) {
        self.expanded.update(|e| {
            if open {
                e.insert(id);
            } else {
                e.remove(&id);
            }
        });
    }

    /// Arrow keys, Home/End, Enter/Space and `*` on a focused node (WAI-ARIA tree pattern).
    fn key(self, id: usize, ev: &ev::KeyboardEvent) -> bool {
        let tree = self.tree.get_value();
        let node = &tree.nodes[id];
        let visible = self.visible.get_untracked();
        let pos = visible.iter().position(|&v| v == id);
        let open = untrack(|| self.is_open(id));
        match ev.key().as_str() {
            "ArrowDown" => {
                if let Some(&n) = pos.and_then(|p| visible.get(p + 1)) {
                    self.focus(n);
                }
            }
            "ArrowUp" => {
                if let Some(&n) = pos
                    .and_then(|p| p.checked_sub(1))
                    .and_then(|p| visible.get(p))
                {
                    self.focus(n);
                }
            }
            "Home" => {
                if let Some(&n) = visible.first() {
                    self.focus(n);
                }
            }
            "End" => {
                if let Some(&n) = visible.last() {
                    self.focus(n);
                }
            }
            "ArrowRight" if node.is_container() => {
                if !open {
                    self.set_open(id, true);
                } else if let Some(&c) = node.children.iter().find(|c| visible.contains(c)) {
                    self.focus(c);
                }
            }
            "ArrowLeft" => {
                if node.is_container() && open {
                    self.set_open(id, false);
                } else if let Some(p) = node.parent {
                    self.focus(p);
                }
            }
            "Enter" | " " if node.is_container() => self.set_open(id, !open),
            "*" => {
                let siblings = match node.parent {
                    Some(p) => tree.nodes[p].children.clone(),
                    None => (0..tree.nodes.len())
                        .filter(|&i| tree.nodes[i].level == 1)
                        .collect(),
                };
                self.expanded.update(|e| {
                    e.extend(
                        siblings
                            .into_iter()
                            .filter(|&s| tree.nodes[s].is_container()),
                    )
                });
            }
            "ArrowRight" | "Enter" | " " => {}
            _ => return false,
        }
        true
    }
}

/// The record-details dialog. Mount it while it is open (e.g. inside `<Show>`): it takes focus
/// on mount and gives it back when unmounted. `json` is `None` while the record loads.
#[component]
pub fn RecordDetails(
    /// The row as a JSON object (`Response::Record`), `None` while it is on its way.
    #[prop(into)]
    json: Signal<Option<String>>,
    /// Receives one DQL line such as `| filter event[eventName] == "AssumeRole"`.
    on_filter: Callback<String>,
    on_close: Callback<()>,
    /// "Pin as evidence" (toggles); no button without it.
    #[prop(optional)]
    on_pin: Option<Callback<()>>,
    /// Whether the record shown is pinned.
    #[prop(optional, into)]
    pinned: Signal<bool>,
    /// The whole event the row came from, when it came from one (offered beside the row's
    /// projected values).
    #[prop(optional, into)]
    source: Signal<Option<String>>,
) -> impl IntoView {
    // Outlives a record, so a search carries over to the next record opened.
    let query = RwSignal::new(String::new());
    let status = RwSignal::new(String::new());
    // The row's values (as projected by the query) or the whole event it came from.
    let full = RwSignal::new(false);
    let showing_full = move || full.get() && source.with(Option::is_some);
    let tree = Memo::new(move |_| {
        let text = if showing_full() {
            source.get()
        } else {
            json.get()
        };
        text.map(|text| {
            Json::parse(&text)
                .and_then(|v| RecordTree::build(&v))
                .map(Arc::new)
        })
    });

    let body = move || match tree.get() {
        None => view! { <p class="tree-status">"Loading…"</p> }.into_any(),
        Some(Err(err)) => view! {
            <p class="tree-status" role="alert">
                "This record could not be shown: "
                {err}
            </p>
        }
        .into_any(),
        Some(Ok(tree)) => {
            let filter = (!untrack(showing_full)).then_some(on_filter);
            tree_body(tree, query, status, filter).into_any()
        }
    };
    let switch = move || {
        source.with(Option::is_some).then(|| view! {
            <div class="view-switch" role="group" aria-label="Record view">
                <button type="button" aria-pressed=move || (!full.get()).to_string() on:click=move |_| full.set(false)>"Result row"</button>
                <button type="button" aria-pressed=move || full.get().to_string() title="The whole CloudTrail event this row came from" on:click=move |_| full.set(true)>"Full event"</button>
            </div>
        })
    };

    view! {
        <Dialog class="tree" label="Record details" on_close=on_close>
            <div class="tree-header">
                <h2 class="tree-title">"Record details"</h2>
                {switch}
                <p class="tree-status" role="status">{move || status.get()}</p>
                {pin_button(on_pin, pinned)}
                <button type="button" aria-keyshortcuts="Escape" on:click=move |_| on_close.run(())>
                    "Close"
                </button>
            </div>
            {body}
        </Dialog>
    }
}

/// Toolbar and tree for one record; its state starts afresh with each record.
fn tree_body(
    tree: Arc<RecordTree>,
    query: RwSignal<String>,
    status: RwSignal<String>,
    on_filter: Option<Callback<String>>,
) -> impl IntoView {
    let mut open = tree.default_expanded();
    open.extend(tree.search(&query.get_untracked()).ancestors);
    let expanded = RwSignal::new(open);
    let tree = StoredValue::new(tree);
    let search = Memo::new(move |_| query.with(|q| tree.with_value(|t| t.search(q))));
    let visible = Memo::new(move |_| {
        let searching = query.with(|q| !q.is_empty());
        expanded.with(|e| {
            search.with(|s| tree.with_value(|t| t.visible(e, searching.then_some(&s.shown))))
        })
    });
    let ctx = TreeCtx {
        uid: TREE_IDS.fetch_add(1, Ordering::Relaxed),
        tree,
        query,
        status,
        expanded,
        focused: RwSignal::new(None),
        hovered: RwSignal::new(None),
        in_actions: RwSignal::new(false),
        visible,
        search,
        on_filter,
    };

    let on_search = move |ev: ev::Event| {
        let text = event_target_value(&ev);
        let ancestors = tree.with_value(|t| t.search(&text).ancestors);
        expanded.update(|e| e.extend(ancestors));
        query.set(text);
    };
    let on_search_key = move |ev: ev::KeyboardEvent| {
        // Escape clears a search before it closes the dialog.
        if ev.key() == "Escape" && !query.with_untracked(String::is_empty) {
            ev.prevent_default();
            ev.stop_propagation();
            query.set(String::new());
        }
    };
    let match_count = move || {
        let q = query.get();
        if q.is_empty() {
            return String::new();
        }
        match search.with(|s| s.matches.len()) {
            0 => "No matches".to_string(),
            1 => "1 match".to_string(),
            n => format!("{n} matches"),
        }
    };

    view! {
        <div class="tree-toolbar">
            <input
                type="search"
                class="tree-search"
                aria-label="Search in record"
                placeholder="Search keys and values"
                spellcheck="false"
                autocomplete="off"
                prop:value=move || query.get()
                on:input=on_search
                on:keydown=on_search_key
            />
            <span class="tree-count" aria-live="polite">{match_count}</span>
            <button type="button" on:click=move |_| expanded.set(tree.with_value(|t| t.containers()))>
                "Expand all"
            </button>
            <button type="button" on:click=move |_| expanded.set(HashSet::new())>
                "Collapse all"
            </button>
        </div>
        <div
            class="tree"
            role="tree"
            aria-label="Record fields"
            on:mouseleave=move |_| ctx.hovered.set(None)
        >
            <For each=move || visible.get() key=|id| *id children=move |id| tree_item(ctx, id) />
        </div>
    }
}

fn tree_item(ctx: TreeCtx, id: usize) -> impl IntoView {
    let node = ctx.tree.with_value(|t| t.nodes[id].clone());
    let container = node.is_container();
    let key = node.key_text();
    let value = crate::ui::table::rows::clip(&node.value_text(), MAX_LINE_CHARS);
    let label = format!("{key}: {}", crate::ui::table::rows::clip(&value, 120));
    let value_class = match &node.kind {
        NodeKind::Leaf(Value::String(_)) => "tree-value tree-string",
        NodeKind::Leaf(Value::Number(_)) => "tree-value tree-number",
        NodeKind::Leaf(Value::Bool(_)) => "tree-value tree-bool",
        NodeKind::Leaf(Value::Null) => "tree-value tree-null",
        _ => "tree-value tree-meta",
    };
    let is_match = move || ctx.search.with(|s| s.matches.contains(&id));
    let expanded = move || container.then(|| if ctx.is_open(id) { "true" } else { "false" });
    let twisty = move || match (container, ctx.is_open(id)) {
        (false, _) => "",
        (true, true) => "▾",
        (true, false) => "▸",
    };
    let on_key = move |ev: ev::KeyboardEvent| {
        // Keys on an action button belong to the button.
        if ev.target() != ev.current_target() || ev.ctrl_key() || ev.alt_key() || ev.meta_key() {
            return;
        }
        if ctx.key(id, &ev) {
            ev.prevent_default();
            // The keyboard has taken over: the action buttons go with the focused node.
            ctx.hovered.set(None);
        }
    };
    let on_click = move |_| {
        ctx.focus(id);
        if container {
            ctx.set_open(id, !untrack(|| ctx.is_open(id)));
        }
    };
    let key_view = {
        let key = key.clone();
        move || ctx.query.with(|q| highlighted(&key, q))
    };
    let value_view = {
        let value = value.clone();
        move || {
            ctx.query
                .with(|q| highlighted(&value, if container { "" } else { q }))
        }
    };
    view! {
        <div
            role="treeitem"
            id=ctx.node_id(id)
            class="tree-item"
            class:tree-match=is_match
            class:tree-focused=move || ctx.focused.get() == Some(id)
            aria-setsize=node.setsize
            aria-posinset=node.posinset
            aria-expanded=expanded
            aria-label=label
            tabindex=move || if ctx.tab_stop() == Some(id) { 0 } else { -1 }
            style:padding-left=format!("{:.2}rem", 0.25 + 1.1 * (node.level - 1) as f64)
            on:keydown=on_key
            on:click=on_click
            on:focus=move |_| ctx.focused.set(Some(id))
            on:mouseenter=move |_| ctx.hovered.set(Some(id))
            // tachys has no typed `aria-level`; a custom attribute sets it.
            {..custom_attribute("aria-level", node.level)}
        >
            <span class="tree-twisty" aria-hidden="true">{twisty}</span>
            <span class="tree-key">{key_view}</span>
            <span class="tree-colon">": "</span>
            <span class=value_class>{value_view}</span>
            {move || (ctx.active() == Some(id)).then(|| tree_actions(ctx, id))}
        </div>
    }
}

fn tree_actions(ctx: TreeCtx, id: usize) -> impl IntoView {
    // Focus on a button makes its node the focused one, so the buttons stay where they are
    // (and a click that focuses a button does not move them away from under the pointer).
    let entered = move |_: ev::FocusEvent| {
        ctx.focused.set(Some(id));
        ctx.in_actions.set(true);
    };
    // A mouse click gives focus back to the node, so the buttons follow the pointer again; a
    // key press on a button (`detail() == 0`) leaves focus where it is.
    let clicked = move |ev: &ev::MouseEvent| {
        ev.stop_propagation();
        if ev.detail() > 0 {
            ctx.focus(id);
        }
    };
    let (path, json, leaf) = ctx.tree.with_value(|t| {
        let leaf = match &t.nodes[id].kind {
            NodeKind::Leaf(v) => Some(v.clone()),
            _ => None,
        };
        (t.path(id), t.value(id), leaf)
    });
    let copy_value = {
        let text = match &json {
            Json::String(s) => s.clone(),
            Json::Array(_) | Json::Object(_) => json.pretty(),
            other => other.compact(),
        };
        move |ev: ev::MouseEvent| {
            clicked(&ev);
            copy_text(text.clone(), ctx.status, "value");
        }
    };
    let copy_path = {
        let text = path_text(&path);
        move |ev: ev::MouseEvent| {
            clicked(&ev);
            copy_text(text.clone(), ctx.status, "path");
        }
    };
    let filters = leaf.zip(ctx.on_filter).map(|(value, on_filter)| {
        let keep = filter_line(&path, &value, false);
        let drop = filter_line(&path, &value, true);
        view! {
            <button
                type="button"
                class="tree-action"
                aria-label="Filter for value"
                title=keep.clone()
                on:click=move |ev| {
                    clicked(&ev);
                    on_filter.run(keep.clone());
                }
                on:focus=entered
                on:blur=move |_| ctx.in_actions.set(false)
            >
                "Filter"
            </button>
            <button
                type="button"
                class="tree-action"
                aria-label="Filter out value"
                title=drop.clone()
                on:click=move |ev| {
                    clicked(&ev);
                    on_filter.run(drop.clone());
                }
                on:focus=entered
                on:blur=move |_| ctx.in_actions.set(false)
            >
                "Filter out"
            </button>
        }
    });
    view! {
        <span class="tree-actions">
            <button
                type="button"
                class="tree-action"
                aria-label="Copy value"
                on:click=copy_value
                on:focus=entered
                on:blur=move |_| ctx.in_actions.set(false)
            >
                "Copy"
            </button>
            <button
                type="button"
                class="tree-action"
                aria-label="Copy path"
                on:click=copy_path
                on:focus=entered
                on:blur=move |_| ctx.in_actions.set(false)
            >
                "Copy path"
            </button>
            {filters}
        </span>
    }
}
