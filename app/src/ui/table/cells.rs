//! The grid's rows and cells (text nodes only: a log value is attacker-controlled), and the
//! selected cell's whole value under the grid.

use leptos::prelude::*;

use super::rows::clip;
use super::{Grid, MAX_CELL_CHARS, MAX_TITLE_CHARS};
use crate::protocol::Cell;

/// The selected cell's whole value under the grid, wrapped: a cell cut by its column's width
/// (a long ARN) is read here without resizing anything. Text only, like every cell.
pub(super) fn cell_preview(g: Grid) -> Option<impl IntoView> {
    let row = g.selected_row()?;
    let col = g.active_col.get();
    let name = g.columns.with(|c| c.get(col).cloned())?;
    let text = g.rows.with(|cache| {
        let id = g.result_id.get();
        (Some(cache.id) == id)
            .then(|| {
                cache
                    .get(row)
                    .and_then(|r| r.get(col))
                    .map(|c| clip(&c.text, MAX_CELL_CHARS))
            })
            .flatten()
    })?;
    let subject = trailscope_engine::identity::is_subject(&text).then(|| text.trim().to_string());
    Some(view! {
        <p class="cell-preview" role="region" aria-label="Selected cell" aria-live="polite">
            <span class="cell-preview-name">{format!("{name} (row {}): ", row + 1)}</span>
            {text}
            {subject.map(|s| {
                let ui = expect_context::<crate::store::Ui>();
                view! {
                    " "
                    <button type="button" class="identity-open" title="What this principal or key did, and the chain of roles and credentials that led to it" on:click=move |_| ui.show_identity(s.clone())>"Identity lens"</button>
                }
            })}
        </p>
    })
}

pub(super) fn row_view(g: Grid, row: usize) -> impl IntoView {
    let data = Memo::new(move |_| {
        let id = g.result_id.get();
        g.rows.with(|cache| {
            (Some(cache.id) == id)
                .then(|| cache.get(row).map(<[Cell]>::to_vec))
                .flatten()
        })
    });
    let is_selected = move || g.selected_row() == Some(row);
    view! {
        <div
            role="row"
            class="grid-row"
            class:grid-selected=is_selected
            class:grid-pending=move || data.with(Option::is_none)
            aria-rowindex=row + 2
            aria-selected=move || if is_selected() { "true" } else { "false" }
            aria-busy=move || data.with(Option::is_none).then_some("true")
            data-row=row
        >
            {move || {
                (0..g.columns.with(Vec::len))
                    .map(|col| cell_view(g, data, row, col))
                    .collect_view()
            }}
        </div>
    }
}

fn cell_view(g: Grid, data: Memo<Option<Vec<Cell>>>, row: usize, col: usize) -> impl IntoView {
    let with_cell = move |f: &dyn Fn(Option<&Cell>) -> String| {
        data.with(|d| f(d.as_ref().and_then(|r| r.get(col))))
    };
    let text = move || {
        with_cell(&|cell| match cell {
            Some(c) if c.kind == "null" => "null".to_string(),
            Some(c) => clip(&c.text, MAX_CELL_CHARS),
            None => String::new(),
        })
    };
    let title = move || {
        with_cell(&|cell| cell.map_or_else(String::new, |c| clip(&c.text, MAX_TITLE_CHARS)))
    };
    let class = move || {
        with_cell(&|cell| {
            let kind = match cell.map(|c| c.kind.as_str()) {
                Some("null") => " grid-null",
                Some("array" | "record") => " grid-nested",
                Some("long" | "double" | "duration") => " grid-number",
                _ => "",
            };
            format!("grid-cell{kind}")
        })
    };
    let active = move || g.selected_row() == Some(row) && g.active_col.get() == col;
    view! {
        <div
            role="gridcell"
            id=g.cell_id(row, col)
            class=class
            class:grid-active=active
            title=title
            data-col=col
        >
            {text}
        </div>
    }
}
