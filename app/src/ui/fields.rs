//! The field sidebar under a result (issue 14): every field of the result, paths inside parsed
//! events included (`event[userIdentity][arn]`), with how often it is present and its top
//! values with counts, computed by the engine over the whole result (`Table::field_stats`,
//! asked for after the result is on screen, so it never delays it). A value's "+" adds
//! `| filter <condition>` to the query and "−" `| filterOut <condition>`, and the case runs; a
//! result column can be hidden from the grid and shown again. Values are log text: text only.

use leptos::prelude::*;

use crate::protocol::{FieldInfo, Request};
use crate::store::Ui;

/// Top values asked for per field.
const TOP: usize = 5;
/// Fields listed before "Show all fields".
const FIRST_FIELDS: usize = 40;

#[component]
pub fn FieldSidebar(#[prop(into)] result_id: Signal<Option<u64>>) -> impl IntoView {
    let ui = expect_context::<Ui>();
    // Asked for once the result is on the page (an effect runs after it is drawn), and again
    // for a node's kept result.
    Effect::new(move |_| {
        let Some(id) = result_id.get() else {
            return;
        };
        if ui.fields.with_untracked(|f| f.as_ref().map(|f| f.0)) != Some(id) {
            ui.send(Request::Fields { id, top: TOP });
        }
    });
    let fields = Memo::new(move |_| {
        let id = result_id.get();
        ui.fields.with(|f| {
            f.as_ref()
                .filter(|f| Some(f.0) == id)
                .map(|f| (f.1, f.2.clone()))
        })
    });
    let find = RwSignal::new(String::new());
    let all = RwSignal::new(false);
    let add_line = move |line: String| {
        let case = ui.active.get_untracked();
        ui.cases.update(|c| c.append_line(case, &line));
        ui.run(case);
    };
    let field_view = move |rows: usize, f: FieldInfo| {
        let pct = if rows == 0 {
            0.0
        } else {
            f.present as f64 * 100.0 / rows as f64
        };
        let name = f.name.clone();
        let toggle = f.column.clone().map(|col| {
            let shown = {
                let col = col.clone();
                move || ui.hidden_columns.with(|h| !h.contains(&col))
            };
            view! {
                <label class="field-column">
                    <input type="checkbox" aria-label=format!("Show column {name}") prop:checked=shown
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            let col = col.clone();
                            ui.hidden_columns.update(|h| {
                                if on {
                                    h.remove(&col);
                                } else {
                                    h.insert(col);
                                }
                            });
                        } />
                    "column"
                </label>
            }
        });
        let values = f
            .top
            .iter()
            .map(|(text, n, cond)| {
                let shown: String = text.chars().take(120).collect();
                let buttons = cond.clone().map(|c| {
                    let keep = format!("| filter {c}");
                    let drop = format!("| filterOut {c}");
                    view! {
                        <button type="button" class="small" aria-label=format!("Filter for {shown} in {}", f.name) title=keep.clone() on:click=move |_| add_line(keep.clone())>"+"</button>
                        <button type="button" class="small" aria-label=format!("Filter out {shown} in {}", f.name) title=drop.clone() on:click=move |_| add_line(drop.clone())>"−"</button>
                    }
                });
                view! {
                    <li>
                        <code class="field-value">{shown.clone()}</code>
                        <span class="field-count">{n.to_string()}</span>
                        {buttons}
                    </li>
                }
            })
            .collect_view();
        let distinct = if f.capped {
            "many values".to_string()
        } else {
            format!("{} distinct", f.distinct)
        };
        view! {
            <li class="field" aria-label=f.name.clone()>
                <div class="field-head">
                    <code class="field-name">{f.name.clone()}</code>
                    <span class="field-presence" aria-label=format!("Present in {pct:.1}% of rows")>{format!("{pct:.1}%")}</span>
                    <span class="field-distinct">{distinct}</span>
                    {toggle}
                </div>
                <ul class="field-values" aria-label=format!("Top values of {}", f.name)>{values}</ul>
            </li>
        }
    };
    let body = move || match fields.get() {
        None => view! { <p class="panel-hint" role="status">"Counting fields…"</p> }.into_any(),
        Some((rows, list)) => {
            let q = find.get().to_lowercase();
            let matching: Vec<FieldInfo> = list
                .into_iter()
                .filter(|f| q.is_empty() || f.name.to_lowercase().contains(&q))
                .collect();
            let n = matching.len();
            let cut = !all.get() && n > FIRST_FIELDS;
            let shown: Vec<FieldInfo> = matching
                .into_iter()
                .take(if cut { FIRST_FIELDS } else { n })
                .collect();
            view! {
                <ul class="field-list" aria-label="Fields of the result">
                    {shown.into_iter().map(|f| field_view(rows, f)).collect_view()}
                </ul>
                {cut.then(|| view! {
                    <button type="button" on:click=move |_| all.set(true)>{format!("Show all {n} fields")}</button>
                })}
            }
            .into_any()
        }
    };
    view! {
        <details class="field-sidebar" open=true>
            <summary>{move || format!("Fields ({})", fields.with(|f| f.as_ref().map_or(0, |f| f.1.len())))}</summary>
            <input type="search" aria-label="Find field" placeholder="Find field" prop:value=find on:input=move |ev| find.set(event_target_value(&ev)) />
            {body}
        </details>
    }
}
