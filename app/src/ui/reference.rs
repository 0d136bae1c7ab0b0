//! The active case's reference event (issue 14): marked from a record ("Mark as reference" in
//! the record dialogs), shown above the results with what it is and when; every result with a
//! `timestamp` then gets a "Δ reference" column (`state::with_delta`), and the time frame can
//! be set to ±N minutes around it (a custom frame the picker shows; the case runs again).

use leptos::prelude::*;

use crate::state::reference_ns;
use crate::store::Ui;

#[component]
pub fn ReferenceBar() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let reference = Memo::new(move |_| {
        let id = ui.active.get();
        ui.cases
            .with(|c| c.get(id).and_then(|x| x.reference.clone()))
    });
    let minutes = RwSignal::new(15i64);
    let around = move || {
        let Some(t) = reference.get_untracked().as_ref().and_then(reference_ns) else {
            return;
        };
        let n = minutes.get_untracked().clamp(1, 60 * 24 * 366);
        ui.set_time(|tf| tf.around(t, n));
        ui.run_active();
    };
    let clear = move |_| {
        let id = ui.active.get_untracked();
        ui.cases.update(|c| c.set_reference(id, None));
    };
    move || {
        reference.get().map(|r| {
            let label = if r.label.is_empty() {
                "event".to_string()
            } else {
                r.label.clone()
            };
            view! {
                <div class="reference" role="group" aria-label="Reference event">
                    <span class="reference-text" aria-label="Reference">
                        <strong>"Reference: "</strong>
                        {label}
                        " at "
                        <time>{r.time.clone()}</time>
                    </span>
                    <label>
                        "±"
                        <input type="number" min="1" max="527040" aria-label="Minutes around the reference" prop:value=move || minutes.get().to_string()
                            on:change=move |ev| minutes.set(event_target_value(&ev).parse().unwrap_or(15))
                            on:keydown=move |ev| if ev.key() == "Enter" { ev.prevent_default(); minutes.set(event_target_value(&ev).parse().unwrap_or(15)); around(); } />
                        " min"
                    </label>
                    <button type="button" on:click=move |_| around()>"Time frame around reference"</button>
                    <button type="button" on:click=clear>"Clear reference"</button>
                </div>
            }
        })
    }
}
