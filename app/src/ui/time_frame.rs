//! The time frame picker next to "Run": a preset or a custom range, where "now" comes from (the
//! newest loaded event or the wall clock), and the effective "now". Its state and rules are
//! `crate::state::TimeFrame`.

use leptos::prelude::*;

use crate::state::{time_choices, Bound, Frame, NowMode};
use crate::store::{wall_ns, Ui};

#[component]
pub fn TimeFrame() -> impl IntoView {
    let ui = expect_context::<Ui>();
    // Memos: the custom range's inputs are made afresh only when the frame changes (so they
    // start from its values, which a shared case may have set), not when "now" does.
    let frame = Memo::new(move |_| ui.time.with(|t| t.frame));
    let now_mode = Memo::new(move |_| ui.time.with(|t| t.now));
    let choice = Memo::new(move |_| ui.time.with(|t| t.choice()));
    let set_bound = move |which: Bound, text: String| ui.time.update(|t| t.set_bound(which, &text));
    let bound_text = move |which: Bound| ui.time.with_untracked(|t| t.bound_text(which));
    let custom = move || {
        matches!(frame.get(), Frame::Absolute(..)).then(|| view! {
            <input type="text" aria-label="From (UTC)" placeholder="2026-11-20T00:00:00Z" value=bound_text(Bound::From) on:change=move |ev| set_bound(Bound::From, event_target_value(&ev)) />
            <input type="text" aria-label="To (UTC)" placeholder="2026-11-21T00:00:00Z" value=bound_text(Bound::To) on:change=move |ev| set_bound(Bound::To, event_target_value(&ev)) />
        })
    };
    let now_text = move || {
        let span = ui.data.with(|d| d.info.span);
        ui.time.with(|t| t.now_text(wall_ns(), span))
    };
    view! {
        <div class="timeframe">
            <label>
                "Time frame "
                <select aria-label="Time frame" prop:value=choice on:change=move |ev| {
                    let v = event_target_value(&ev);
                    ui.time.update(|t| t.choose(&v));
                }>
                    {time_choices().into_iter().map(|(label, value)| view! { <option value=value>{label}</option> }).collect_view()}
                </select>
            </label>
            {custom}
            <label>
                "Now "
                <select aria-label="Now" prop:value=move || if now_mode.get() == NowMode::WallClock { "clock" } else { "newest" } on:change=move |ev| {
                    let clock = event_target_value(&ev) == "clock";
                    ui.time.update(|t| t.now = if clock { NowMode::WallClock } else { NowMode::NewestEvent });
                }>
                    <option value="newest">"Newest loaded event"</option>
                    <option value="clock">"Wall clock"</option>
                </select>
            </label>
            <span class="now" aria-label="Current now">{now_text}</span>
        </div>
    }
}
