//! Records compared side by side (issue 14): 2 to 5 records picked with "Add to compare" in a
//! record's details, every leaf path in a row with each record's value, the paths where they
//! differ marked (in words, not only in colour). Values are log text: text only.

use leptos::prelude::*;

use crate::state::compare;
use crate::store::Ui;

#[component]
pub fn CompareRecords() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let picked = Memo::new(move |_| ui.compare.get());
    let only_diff = RwSignal::new(true);
    let table = move || {
        let records = picked.get();
        if records.len() < 2 {
            return view! { <p class="panel-hint">"Add another record (Add to compare in its details) to compare them."</p> }.into_any();
        }
        let (rows, cut) = compare(&records.iter().map(|(_, j)| j.clone()).collect::<Vec<_>>());
        let differing = rows.iter().filter(|r| r.differs).count();
        let shown: Vec<_> = rows
            .into_iter()
            .filter(|r| r.differs || !only_diff.get())
            .collect();
        let heads = (1..=records.len())
            .map(|i| view! { <th scope="col">{format!("Record {i}")}</th> })
            .collect_view();
        let body = shown
            .into_iter()
            .map(|r| {
                let cells = r
                    .values
                    .into_iter()
                    .map(|v| match v {
                        Some(v) => view! { <td><code>{v}</code></td> }.into_any(),
                        None => view! { <td class="compare-missing">"(none)"</td> }.into_any(),
                    })
                    .collect_view();
                view! {
                    <tr class:compare-differs=r.differs>
                        <th scope="row"><code>{r.path}</code>{r.differs.then(|| view! { <strong class="compare-mark">" differs"</strong> })}</th>
                        {cells}
                    </tr>
                }
            })
            .collect_view();
        view! {
            <p role="status" aria-label="Comparison summary">{format!("{differing} path{} differ{}.{}", if differing == 1 { "" } else { "s" }, if differing == 1 { "s" } else { "" }, if cut { " (The first 2,000 paths only.)" } else { "" })}</p>
            <div class="compare-scroll">
                <table class="compare" aria-label="Records side by side">
                    <thead><tr><th scope="col">"Path"</th>{heads}</tr></thead>
                    <tbody>{body}</tbody>
                </table>
            </div>
        }
        .into_any()
    };
    move || {
        (!picked.with(Vec::is_empty)).then(|| view! {
            <section class="compare-records" aria-label="Compare records">
                <h3>{move || format!("Compare records ({})", picked.with(Vec::len))}</h3>
                <ol class="compare-picked" aria-label="Records compared">
                    {move || picked.get().into_iter().enumerate().map(|(i, (label, _))| view! {
                        <li>
                            {label.clone()}
                            <button type="button" class="small" aria-label=format!("Remove record {} from the comparison", i + 1) on:click=move |_| ui.compare.update(|c| { if i < c.len() { c.remove(i); } })>"×"</button>
                        </li>
                    }).collect_view()}
                </ol>
                <label>
                    <input type="checkbox" prop:checked=only_diff on:change=move |ev| only_diff.set(event_target_checked(&ev)) />
                    " Only the paths that differ"
                </label>
                <button type="button" on:click=move |_| ui.compare.set(Vec::new())>"Clear comparison"</button>
                {table}
            </section>
        })
    }
}
