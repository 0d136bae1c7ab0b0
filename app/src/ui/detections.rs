//! The Detections panel: after a load, the engine's detections that fired, by severity with
//! their hit counts. A detection's button opens it as a case (its query, whose rows are its
//! hits); its switch turns it off (kept between visits) or back on. Titles are the pack's, hit
//! counts numbers: nothing from a log is shown here.

use leptos::prelude::*;

use crate::store::Ui;

#[component]
pub fn DetectionsPanel() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let groups = move || ui.detections.with(|d| d.groups());
    let off = move || ui.detections.with(|d| d.switched_off());
    view! {
        <section class="detections" aria-labelledby="detections-heading">
            <h3 id="detections-heading">"Detections"</h3>
            <p class="status" role="status" aria-label="Detections summary">
                {move || ui.detections.with(|d| d.summary())}
            </p>
            {move || groups().into_iter().map(|(sev, list)| {
                let label = format!("{} severity detections", capitalise(sev.as_str()));
                let count: usize = list.iter().map(|(_, n)| n).sum();
                view! {
                    <h4 class=format!("severity severity-{}", sev.as_str())>
                        {format!("{} · {} detection{}, {} hit{}", capitalise(sev.as_str()), list.len(), plural(list.len()), count, plural(count))}
                    </h4>
                    <ul class="detection-list" aria-label=label>
                        {list.into_iter().map(|(d, n)| {
                            let id = d.id.clone();
                            let id2 = d.id.clone();
                            let open_label = format!("{} ({} hit{})", d.title, n, plural(n));
                            let switch_label = format!("Switch off {}", d.title);
                            view! {
                                <li class="detection">
                                    <button type="button" class="detection-open" title=d.description.clone() on:click=move |_| ui.open_detection(&id)>
                                        {open_label}
                                    </button>
                                    <button type="button" class="detection-off" aria-label=switch_label title="Switch this detection off (it is not run until switched back on)" on:click=move |_| ui.toggle_detection(&id2)>
                                        "Off"
                                    </button>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }
            }).collect_view()}
            {move || {
                let list = off();
                (!list.is_empty()).then(|| view! {
                    <details class="detections-off">
                        <summary>{format!("Switched off ({})", list.len())}</summary>
                        <ul aria-label="Switched-off detections">
                            {list.into_iter().map(|d| {
                                let id = d.id.clone();
                                let label = format!("Switch on {}", d.title);
                                view! {
                                    <li>
                                        <span>{d.title.clone()}</span>
                                        " "
                                        <button type="button" aria-label=label on:click=move |_| ui.toggle_detection(&id)>"On"</button>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    </details>
                })
            }}
        </section>
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}
