//! The modal dialog that field details and record details share: a backdrop that closes it on
//! click, focus taken on open and given back on close, Escape to close, and Tab kept inside.
//! Mount it while it is open (e.g. inside `<Show>`).

use leptos::ev;
use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// A modal dialog around `children`. Its boxes are `{class}-backdrop` and `{class}-dialog`
/// (style.css styles each dialog by its own prefix).
#[component]
pub fn Dialog(
    /// Class prefix: `details` or `tree`.
    class: &'static str,
    /// The dialog's accessible name.
    label: &'static str,
    on_close: Callback<()>,
    /// Keys the content handles first; `true` when it took the key. Escape and Tab are the
    /// dialog's otherwise.
    #[prop(optional)]
    on_key: Option<Callback<ev::KeyboardEvent, bool>>,
    children: Children,
) -> impl IntoView {
    let dialog: NodeRef<html::Div> = NodeRef::new();
    restore_focus_on_cleanup();
    // The page behind is inert while the dialog is open: no focus, clicks or screen-reader
    // browsing reach it (the dialog is a sibling of the header and main).
    // (`restore_focus_on_cleanup` makes it live again before it gives focus back.)
    set_page_inert(true);
    dialog.on_load(|el| {
        let _ = el.focus();
    });
    let keydown = move |ev: ev::KeyboardEvent| {
        if on_key.is_some_and(|f| f.run(ev.clone())) {
            return;
        }
        match ev.key().as_str() {
            "Escape" => {
                ev.prevent_default();
                on_close.run(());
            }
            "Tab" => {
                if let Some(el) = dialog.get_untracked() {
                    trap_tab(&el, &ev);
                }
            }
            _ => {}
        }
    };
    let on_backdrop = move |ev: ev::MouseEvent| {
        if ev.target() == ev.current_target() {
            on_close.run(());
        }
    };
    view! {
        <div class=format!("{class}-backdrop") on:click=on_backdrop>
            <div
                class=format!("{class}-dialog")
                role="dialog"
                aria-modal="true"
                aria-label=label
                tabindex="-1"
                node_ref=dialog
                on:keydown=keydown
            >
                {children()}
            </div>
        </div>
    }
}

/// Makes the page's header and main content inert, or live again.
fn set_page_inert(inert: bool) {
    let Ok(list) = document().query_selector_all("body > header, body > main") else {
        return;
    };
    for el in (0..list.length()).filter_map(|i| list.item(i)) {
        if let Ok(el) = el.dyn_into::<web_sys::Element>() {
            let _ = if inert {
                el.set_attribute("inert", "")
            } else {
                el.remove_attribute("inert")
            };
        }
    }
}

/// Gives focus back to whatever had it when the calling component was created, once that
/// component goes away (a dialog closing returns the user to the row they came from).
fn restore_focus_on_cleanup() {
    let previous = StoredValue::new_local(document().active_element());
    on_cleanup(move || {
        set_page_inert(false);
        let element = previous.try_get_value().flatten();
        if let Some(el) = element.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
            let _ = el.focus();
        }
    });
}

/// Keeps Tab and Shift+Tab inside a modal dialog: past the last control focus wraps to the first.
fn trap_tab(dialog: &web_sys::Element, ev: &ev::KeyboardEvent) {
    let Ok(list) = dialog.query_selector_all(
        "button:not([disabled]), input:not([disabled]), [tabindex='0'], a[href]",
    ) else {
        return;
    };
    let focusable: Vec<web_sys::HtmlElement> = (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|n| n.dyn_into().ok())
        .collect();
    let (Some(first), Some(last)) = (focusable.first(), focusable.last()) else {
        return;
    };
    let active = document().active_element();
    let is = |el: &web_sys::HtmlElement| active.as_ref() == Some(el.unchecked_ref());
    let at_dialog = active.as_ref() == Some(dialog);
    let target = if ev.shift_key() && (is(first) || at_dialog) {
        last
    } else if !ev.shift_key() && is(last) {
        first
    } else {
        return;
    };
    ev.prevent_default();
    let _ = target.focus();
}
