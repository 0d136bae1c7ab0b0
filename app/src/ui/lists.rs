//! The active case's evidence lists (issue 14): named lists of values, CIDR ranges and ARNs
//! ("Suspicious IPs", "Compromised principals"). Values come from a table cell (its context
//! menu) or a record tree leaf ("Add to list"), or are pasted as text or CSV; the chosen list
//! ("Values go to") receives them. A list is used in a query as one plain DQL line
//! (`| filter ipIn(event[sourceIPAddress], "…")` for addresses and ranges, `| filter
//! in(field, "…")` otherwise: `trailscope_share::investigation::list_filter`), added to the
//! query and run. Lists download as text or CSV. Items are log values: text only.

use leptos::prelude::*;
use trailscope_share::investigation::{
    default_field, item_kind, list_csv, list_filter, list_text, EvidenceList,
};

use crate::state::{Notice, DEFAULT_LIST};
use crate::store::Ui;
use crate::transfer;

fn download_text(ui: Ui, text: String, name: String, mime: &str) {
    let blob = gloo_file::Blob::new_with_options(text.as_str(), Some(mime));
    let notice = match transfer::download(blob.into(), &name) {
        Ok(()) => Notice::ok(format!("Downloaded {name}.")),
        Err(e) => Notice::err(e),
    };
    ui.share.case_notice.set(notice);
}

fn file_stem(name: &str) -> String {
    let stem: String = name
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { '-' })
        .take(60)
        .collect();
    let stem = stem.trim_matches('-').to_string();
    if stem.is_empty() {
        "list".into()
    } else {
        stem
    }
}

#[component]
pub fn EvidenceLists() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let lists = Memo::new(move |_| {
        let id = ui.active.get();
        ui.cases
            .with(|c| c.get(id).map(|x| x.lists.clone()).unwrap_or_default())
    });
    let target = Memo::new(move |_| {
        let id = ui.active.get();
        let wanted = ui.list_target.get();
        ui.cases.with(|c| c.target_list(id, &wanted))
    });
    let new_name = RwSignal::new(String::new());
    let add_list = move || {
        let name = new_name.get_untracked();
        let case = ui.active.get_untracked();
        match ui.cases.update(|c| c.add_list(case, &name)) {
            Some(Ok(())) => {
                ui.list_target.set(name.trim().to_string());
                new_name.set(String::new());
                ui.share
                    .case_notice
                    .set(Notice::ok(format!("Added the list “{}”.", name.trim())));
            }
            Some(Err(e)) => ui.share.case_notice.set(Notice::err(e)),
            None => {}
        }
    };
    let list_view = move |l: EvidenceList| {
        let name = l.name.clone();
        let field = RwSignal::new(default_field(&l).to_string());
        let paste = RwSignal::new(String::new());
        let use_list = {
            let l = l.clone();
            move |exclude: bool| {
                let case = ui.active.get_untracked();
                match list_filter(&l, &field.get_untracked(), exclude) {
                    Ok(line) => {
                        ui.cases.update(|c| c.append_line(case, &line));
                        ui.run(case);
                    }
                    Err(e) => ui.share.case_notice.set(Notice::err(format!("{e}."))),
                }
            }
        };
        let use_keep = use_list.clone();
        let add_pasted = {
            let name = name.clone();
            move |_| {
                let case = ui.active.get_untracked();
                let text = paste.get_untracked();
                match ui.cases.update(|c| c.add_items(case, &name, &text)) {
                    Some(Ok(n)) => {
                        paste.set(String::new());
                        ui.share.case_notice.set(Notice::ok(format!(
                            "Added {n} item{} to “{name}”.",
                            if n == 1 { "" } else { "s" }
                        )));
                    }
                    Some(Err(e)) => ui
                        .share
                        .case_notice
                        .set(Notice::err(format!("Nothing added to “{name}”: {e}"))),
                    None => {}
                }
            }
        };
        let export_text = {
            let l = l.clone();
            move |_| {
                download_text(
                    ui,
                    list_text(&l),
                    format!("{}.txt", file_stem(&l.name)),
                    "text/plain",
                )
            }
        };
        let export_csv = {
            let l = l.clone();
            move |_| {
                download_text(
                    ui,
                    list_csv(&l),
                    format!("{}.csv", file_stem(&l.name)),
                    "text/csv",
                )
            }
        };
        let delete = {
            let name = name.clone();
            move |_| {
                let case = ui.active.get_untracked();
                ui.cases.update(|c| c.delete_list(case, &name));
            }
        };
        let items = l
            .items
            .iter()
            .map(|item| {
                let remove = {
                    let (name, item) = (name.clone(), item.clone());
                    move |_| {
                        let case = ui.active.get_untracked();
                        ui.cases.update(|c| c.remove_item(case, &name, &item));
                    }
                };
                view! {
                    <li>
                        <code>{item.clone()}</code>
                        <span class="list-kind">{item_kind(item).name()}</span>
                        <button type="button" class="small" aria-label=format!("Remove {item} from {name}") on:click=remove>"×"</button>
                    </li>
                }
            })
            .collect_view();
        let n = l.items.len();
        view! {
            <div class="evidence-list" role="group" aria-label=format!("List {name}")>
                <h4>{format!("{name} ({n})")}</h4>
                <ul aria-label=format!("Items of {name}")>{items}</ul>
                <div class="toolbar">
                    <label>
                        "Field "
                        <input type="text" aria-label=format!("Field to match {name} against") prop:value=field on:change=move |ev| field.set(event_target_value(&ev)) />
                    </label>
                    <button type="button" aria-label=format!("Filter to {name}") title="Adds a `| filter` line with this list to the query and runs it" on:click=move |_| use_keep(false)>"Filter to list"</button>
                    <button type="button" aria-label=format!("Filter out {name}") title="Adds a `| filterOut` line with this list to the query and runs it" on:click=move |_| use_list(true)>"Filter out list"</button>
                </div>
                <div class="toolbar">
                    <textarea rows="2" aria-label=format!("Items to add to {name}") placeholder="One value per line, or CSV with a `value` header" prop:value=paste on:input=move |ev| paste.set(event_target_value(&ev))></textarea>
                    <button type="button" aria-label=format!("Add items to {name}") on:click=add_pasted>"Add items"</button>
                    <button type="button" aria-label=format!("Export {name} as text") on:click=export_text>"Export text"</button>
                    <button type="button" aria-label=format!("Export {name} as CSV") on:click=export_csv>"Export CSV"</button>
                    <button type="button" aria-label=format!("Delete list {name}") on:click=delete>"Delete list"</button>
                </div>
            </div>
        }
    };
    view! {
        <section class="evidence-lists" aria-label="Evidence lists">
            <h3>{move || format!("Evidence lists ({})", lists.with(Vec::len))}</h3>
            <div class="toolbar">
                <input type="text" aria-label="New list name" placeholder="Suspicious IPs" maxlength="100" prop:value=new_name
                    on:input=move |ev| new_name.set(event_target_value(&ev))
                    on:keydown=move |ev| if ev.key() == "Enter" { ev.prevent_default(); add_list(); } />
                <button type="button" on:click=move |_| add_list()>"Add list"</button>
                <label>
                    "Values go to "
                    <select aria-label="List for added values" prop:value=target on:change=move |ev| ui.list_target.set(event_target_value(&ev))>
                        {move || {
                            let mut names: Vec<String> = lists.get().into_iter().map(|l| l.name).collect();
                            if names.is_empty() {
                                names.push(DEFAULT_LIST.to_string());
                            }
                            names.into_iter().map(|n| view! { <option value=n.clone()>{n.clone()}</option> }).collect_view()
                        }}
                    </select>
                </label>
            </div>
            <p class="panel-hint">"Add a value from a table cell (right-click, or Shift+F10 on the selected cell) or a record's tree (Add to list)."</p>
            {move || lists.get().into_iter().map(list_view).collect_view()}
        </section>
    }
}
