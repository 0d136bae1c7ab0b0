//! Field details: one record of a result as pretty-printed, coloured JSON in a dialog, with
//! previous/next record. Also the "Pin as evidence" toggle both record dialogs show. All log
//! text becomes text nodes.

use leptos::ev;
use leptos::prelude::*;

use crate::ui::dialog::Dialog;
use crate::ui::json::{tokens, Json};

/// `1204` → `1,204`.
pub fn group_digits(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// The "View field details" dialog. Mount it while it is open (e.g. inside `<Show>`): it takes
/// focus on mount and gives it back when unmounted. `json` is `None` while the row loads.
#[component]
pub fn FieldDetails(
    /// The row as a JSON object (`Response::Record`), `None` while it is on its way.
    #[prop(into)]
    json: Signal<Option<String>>,
    /// The row shown (0-based).
    #[prop(into)]
    row: Signal<Option<usize>>,
    /// Rows in the result.
    #[prop(into)]
    row_count: Signal<usize>,
    /// Step to the previous (-1) or next (+1) row; only called when there is one.
    on_move: Callback<i64>,
    on_close: Callback<()>,
    /// "Pin as evidence" (toggles); no button without it.
    #[prop(optional)]
    on_pin: Option<Callback<()>>,
    /// Whether the record shown is pinned.
    #[prop(optional, into)]
    pinned: Signal<bool>,
) -> impl IntoView {
    let printed = Memo::new(move |_| {
        json.with(|j| {
            j.as_deref()
                .map(|text| Json::parse(text).map(|v| tokens(&v, true)))
        })
    });
    let can_prev = move || row.get().is_some_and(|r| r > 0);
    let can_next = move || row.get().is_some_and(|r| r + 1 < row_count.get());
    let prev = move || {
        if untrack(can_prev) {
            on_move.run(-1);
        }
    };
    let next = move || {
        if untrack(can_next) {
            on_move.run(1);
        }
    };
    let position = move || {
        row.get().map_or_else(String::new, |r| {
            format!(
                "Record {} of {}",
                group_digits(r + 1),
                group_digits(row_count.get())
            )
        })
    };

    // Arrow keys step through the rows; with a modifier, a key is left to the browser (and
    // Escape and Tab to the dialog).
    let on_key = Callback::new(move |ev: ev::KeyboardEvent| {
        if ev.ctrl_key() || ev.alt_key() || ev.meta_key() {
            return true;
        }
        match ev.key().as_str() {
            "ArrowUp" | "ArrowLeft" => prev(),
            "ArrowDown" | "ArrowRight" => next(),
            _ => return false,
        }
        ev.prevent_default();
        true
    });

    let body = move || match printed.get() {
        None => view! { <p class="details-status">"Loading…"</p> }.into_any(),
        Some(Err(err)) => view! {
            <p class="details-status" role="alert">
                "This record could not be shown: "
                {err}
            </p>
        }
        .into_any(),
        Some(Ok(pieces)) => {
            let spans = pieces
                .into_iter()
                .map(|(kind, text)| view! { <span class=kind.class()>{text}</span> })
                .collect_view();
            view! {
                <pre class="details-json" role="region" aria-label="Record as JSON" tabindex="0">
                    {spans}
                </pre>
            }
            .into_any()
        }
    };

    view! {
        <Dialog class="details" label="Field details" on_close=on_close on_key=on_key>
            <div class="details-header">
                <h2 class="details-title">"Field details"</h2>
                <span class="details-position" aria-live="polite">{position}</span>
                <div class="details-nav">
                    <button
                        type="button"
                        aria-disabled=move || if can_prev() { "false" } else { "true" }
                        aria-keyshortcuts="ArrowUp ArrowLeft"
                        on:click=move |_| prev()
                    >
                        "Previous record"
                    </button>
                    <button
                        type="button"
                        aria-disabled=move || if can_next() { "false" } else { "true" }
                        aria-keyshortcuts="ArrowDown ArrowRight"
                        on:click=move |_| next()
                    >
                        "Next record"
                    </button>
                    {pin_button(on_pin, pinned)}
                    <button
                        type="button"
                        aria-keyshortcuts="Escape"
                        on:click=move |_| on_close.run(())
                    >
                        "Close"
                    </button>
                </div>
            </div>
            {body}
        </Dialog>
    }
}

/// The "Pin as evidence" toggle both record dialogs show when given `on_pin`.
pub fn pin_button(on_pin: Option<Callback<()>>, pinned: Signal<bool>) -> impl IntoView {
    on_pin.map(|pin| {
        view! {
            <button
                type="button"
                class="pin"
                aria-pressed=move || pinned.get().to_string()
                title="Keep this record with the case as evidence (press again to unpin)"
                on:click=move |_| pin.run(())
            >
                "Pin as evidence"
            </button>
            <span class="pin-status" role="status" aria-label="Evidence status">
                {move || if pinned.get() { "Pinned: kept with the case under Evidence." } else { "" }}
            </span>
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_are_grouped_in_thousands() {
        for (n, s) in [
            (0, "0"),
            (999, "999"),
            (1_204, "1,204"),
            (1_000_000, "1,000,000"),
        ] {
            assert_eq!(group_digits(n), s);
        }
    }
}
