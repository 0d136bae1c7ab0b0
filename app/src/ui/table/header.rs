//! A column header of the grid: click (or Enter) sorts by it, drag its edge or Alt+Left/Right
//! resizes it, double-click on the edge fits it again.

use leptos::ev;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::{Grid, RESIZE_STEP};

pub(super) fn header_cell(g: Grid, col: usize, name: String) -> impl IntoView {
    let aria_sort = move || match g.sort_of(col) {
        Some(false) => "ascending",
        Some(true) => "descending",
        None => "none",
    };
    let icon = move || match g.sort_of(col) {
        Some(false) => "▲",
        Some(true) => "▼",
        None => "",
    };
    let on_key = move |ev: ev::KeyboardEvent| {
        let step = match ev.key().as_str() {
            "ArrowLeft" if ev.alt_key() => -RESIZE_STEP,
            "ArrowRight" if ev.alt_key() => RESIZE_STEP,
            _ => return,
        };
        ev.prevent_default();
        g.set_width(col, g.width_untracked(col) + step);
    };
    let on_down = move |ev: ev::PointerEvent| {
        if ev.button() != 0 {
            return;
        }
        ev.prevent_default();
        ev.stop_propagation();
        if let Some(el) = ev
            .current_target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        {
            let _ = el.set_pointer_capture(ev.pointer_id());
        }
        g.drag.set_value(Some((
            col,
            f64::from(ev.client_x()),
            g.width_untracked(col),
        )));
    };
    let on_move = move |ev: ev::PointerEvent| {
        if let Some((c, x0, w0)) = g.drag.get_value() {
            if c == col {
                g.set_width(col, w0 + f64::from(ev.client_x()) - x0);
            }
        }
    };
    let on_up = move |_: ev::PointerEvent| g.drag.set_value(None);
    // Double-clicking the handle goes back to the guessed width.
    let on_reset = move |ev: ev::MouseEvent| {
        ev.stop_propagation();
        let id = g.result_id.get_untracked();
        g.resized.update(|r| {
            r.for_id(id).remove(&col);
        });
    };
    let title = format!("Sort by {name} (Alt+Left/Right changes the width)");
    view! {
        <div role="columnheader" class="grid-header-cell" aria-sort=aria_sort aria-colindex=col + 1>
            <button
                type="button"
                class="grid-sort"
                title=title
                on:click=move |_| g.click_sort(col)
                on:keydown=on_key
            >
                <span class="grid-header-name">{name}</span>
                <span class="grid-sort-icon" aria-hidden="true">{icon}</span>
            </button>
            <div
                class="grid-resize"
                aria-hidden="true"
                on:pointerdown=on_down
                on:pointermove=on_move
                on:pointerup=on_up
                on:pointercancel=on_up
                on:dblclick=on_reset
            ></div>
        </div>
    }
}
