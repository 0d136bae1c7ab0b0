//! The time frame picker next to "Run": a preset or a custom range, where "now" comes from (the
//! newest loaded event or the wall clock), and the effective "now". Its state and rules are
//! `crate::state::TimeFrame`.

use leptos::prelude::*;

use crate::state::{time_choices, Bound, Frame, NowMode, TimeFrame as TimeFrameState};
use crate::store::{wall_ns, Ui};

#[component]
pub fn TimeFrame() -> impl IntoView {
    let ui = expect_context::<Ui>();
    // Memos: the custom range's inputs are made afresh only when the frame changes (so they
    // start from its values, which a shared case may have set), not when "now" does.
    let frame = Memo::new(move |_| ui.time.with(|t| t.frame));
    let now_mode = Memo::new(move |_| ui.time.with(|t| t.now));
    let choice = Memo::new(move |_| ui.time.with(|t| t.choice()));
    let set_bound = move |which: Bound, text: String| ui.set_time(|t| t.set_bound(which, &text));
    let bound_text = move |which: Bound| ui.time.with_untracked(|t| t.bound_text(which));
    let span = move || ui.data.with(|d| d.info.span);
    // Enter applies the end typed and runs the case with it.
    let on_enter = move |which: Bound| {
        move |ev: leptos::ev::KeyboardEvent| {
            if ev.key() == "Enter" {
                ev.prevent_default();
                set_bound(which, event_target_value(&ev));
                ui.run_active();
            }
        }
    };
    let custom = move || {
        matches!(frame.get(), Frame::Absolute(..)).then(|| view! {
            <input type="text" aria-label="From (UTC)" placeholder=move || TimeFrameState::placeholder(Bound::From, span()) value=bound_text(Bound::From) on:change=move |ev| set_bound(Bound::From, event_target_value(&ev)) on:keydown=on_enter(Bound::From) title="A time in UTC (RFC 3339); Enter applies it and runs the query" />
            <input type="text" aria-label="To (UTC)" placeholder=move || TimeFrameState::placeholder(Bound::To, span()) value=bound_text(Bound::To) on:change=move |ev| set_bound(Bound::To, event_target_value(&ev)) on:keydown=on_enter(Bound::To) title="A time in UTC (RFC 3339), not included; Enter applies it and runs the query" />
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
                    let span = ui.data.with_untracked(|d| d.info.span);
                    ui.set_time(|t| t.choose(&v, span));
                }>
                    {time_choices().into_iter().map(|(label, value)| view! { <option value=value>{label}</option> }).collect_view()}
                </select>
            </label>
            {custom}
            <label>
                "Now "
                <select aria-label="Now" prop:value=move || if now_mode.get() == NowMode::WallClock { "clock" } else { "newest" } on:change=move |ev| {
                    let clock = event_target_value(&ev) == "clock";
                    ui.set_time(|t| t.now = if clock { NowMode::WallClock } else { NowMode::NewestEvent });
                }>
                    <option value="newest">"Newest loaded event"</option>
                    <option value="clock">"Wall clock"</option>
                </select>
            </label>
            <span class="now" aria-label="Current now">{now_text}</span>
        </div>
    }
}
