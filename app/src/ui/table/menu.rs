//! The grid's row menu (right-click, the context-menu key or Shift+F10): field details, the
//! record, and the selected cell's value to the case's evidence list; arrow keys move through
//! it, Esc or Tab closes it and gives focus back to the grid.

use leptos::ev;
use leptos::html;
use leptos::prelude::*;

use super::Grid;

#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Menu {
    pub(super) row: usize,
    pub(super) x: f64,
    pub(super) y: f64,
}

pub(super) fn menu_view(g: Grid, menu: Menu) -> impl IntoView {
    let first: NodeRef<html::Button> = NodeRef::new();
    let second: NodeRef<html::Button> = NodeRef::new();
    let third: NodeRef<html::Button> = NodeRef::new();
    first.on_load(|el| {
        let _ = el.focus();
    });
    let items = if g.on_add_value.is_some() {
        vec![first, second, third]
    } else {
        vec![first, second]
    };
    let on_key = move |ev: ev::KeyboardEvent| {
        match ev.key().as_str() {
            "Escape" | "Tab" => g.close_menu(),
            key @ ("ArrowDown" | "ArrowUp" | "Home" | "End") => {
                let n = items.len();
                let at = items
                    .iter()
                    .position(|r| {
                        r.get_untracked()
                            .is_some_and(|f| document().active_element() == Some(f.into()))
                    })
                    .unwrap_or(0);
                let to = match key {
                    "Home" => 0,
                    "End" => n - 1,
                    "ArrowDown" => (at + 1) % n,
                    _ => (at + n - 1) % n,
                };
                if let Some(el) = items[to].get_untracked() {
                    let _ = el.focus();
                }
            }
            _ => return,
        }
        ev.prevent_default();
    };
    // The value of the cell the menu is for (the selected column of its row).
    let add_value = g.on_add_value.map(|add| {
        let col = g.active_col.get_untracked();
        let text = g.rows.with_untracked(|c| {
            c.rows
                .get(&menu.row)
                .and_then(|r| r.get(col))
                .map(|c| c.text.clone())
        });
        let column = g
            .columns
            .with_untracked(|c| c.get(col).cloned().unwrap_or_default());
        view! {
            <button type="button" role="menuitem" node_ref=third title=format!("Adds the {column} value of this row to the case's evidence list") on:click=move |_| {
                g.close_menu();
                if let Some(t) = text.clone() {
                    add.run(t);
                }
            }>
                "Add value to evidence list"
            </button>
        }
    });
    let details = move |_| {
        g.close_menu();
        g.on_details.run(menu.row);
    };
    let record = move |_| {
        g.close_menu();
        g.on_record.run(menu.row);
    };
    let close = move |ev: ev::MouseEvent| {
        ev.prevent_default();
        g.close_menu();
    };
    view! {
        <div class="grid-menu-backdrop" on:click=close on:contextmenu=close></div>
        <div
            class="grid-menu"
            role="menu"
            aria-label="Row actions"
            style:left=format!("{}px", menu.x)
            style:top=format!("{}px", menu.y)
            on:keydown=on_key
        >
            <button type="button" role="menuitem" node_ref=first on:click=details>
                "View field details"
                <span class="grid-menu-key" aria-hidden="true">"Shift+Enter"</span>
            </button>
            <button type="button" role="menuitem" node_ref=second on:click=record>
                "View record"
                <span class="grid-menu-key" aria-hidden="true">"Enter"</span>
            </button>
            {add_value}
        </div>
    }
}
