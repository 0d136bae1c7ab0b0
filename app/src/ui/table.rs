//! The results grid: a virtualized, keyboard-driven table over a result held by the engine worker.
//!
//! Only the rows in view (plus an overscan) are in the DOM; a spacer as tall as the whole result
//! keeps the scrollbar honest, and rows that scroll into view are asked for a page at a time.
//! Sizes and offsets go through the CSSOM (`style:` directives call `style.setProperty`), never
//! through a `style` attribute, which the page's CSP (`style-src 'self'`) blocks. Cell text is
//! rendered as text nodes only: a log value is attacker-controlled.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};

use gloo_timers::callback::Timeout;
use leptos::ev;
use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

use crate::protocol::{Cell, ResultInfo};
use crate::state::{missing_pages, RowCache, PAGE_SIZE};

pub mod rows;

use rows::{clip, next_sort, Geometry, Window, ROW_HEIGHT};

/// A page asked for and still missing is asked again after this long (the worker may have been
/// busy with something else, or the cache evicted the page).
const RETRY_MS: f64 = 2_000.0;
/// Rows are asked for this long after the view last moved, so dragging the scrollbar across a
/// million rows does not ask for every page on the way.
const REQUEST_DELAY_MS: u32 = 40;
/// Cell text longer than this is cut for display (the whole value is in the record dialogs);
/// it keeps a row of raw `content` strings from putting megabytes of text into the DOM.
const MAX_CELL_CHARS: usize = 5_000;
/// Tooltips show at most this much of a cell.
const MAX_TITLE_CHARS: usize = 2_000;
const MIN_COL_WIDTH: f64 = 48.0;
const MAX_COL_WIDTH: f64 = 1_600.0;
/// Alt+Left/Right on a header changes its column's width by this much.
const RESIZE_STEP: f64 = 16.0;
/// Pixels per character for a first guess at a column's width (13px monospace).
const CHAR_PX: f64 = 7.9;
/// A column fits its first rows' text up to this many characters (a role ARN with its session
/// name, an event source and name), and this width.
const FIT_CHARS: usize = 110;
const FIT_MAX_PX: f64 = 900.0;

/// A first width for each column, from its name and the first rows' text.
fn guess_widths(result: &ResultInfo) -> Vec<f64> {
    (0..result.columns.len())
        .map(|c| {
            let sample = result
                .first_rows
                .iter()
                .take(50)
                .filter_map(|row| row.get(c))
                .map(|cell| cell.text.chars().count().min(FIT_CHARS))
                .max()
                .unwrap_or(0);
            let chars = sample.max(result.columns[c].chars().count() + 2).max(4);
            (chars as f64 * CHAR_PX + 20.0).clamp(64.0, FIT_MAX_PX)
        })
        .collect()
}

/// State that belongs to one result: read under another result's id, it is the default, so a
/// new result starts fresh without an effect resetting anything.
#[derive(Clone, Debug, Default, PartialEq)]
struct Tagged<T> {
    id: Option<u64>,
    value: T,
}

impl<T: Default> Tagged<T> {
    fn get(&self, id: Option<u64>) -> Option<&T> {
        (self.id == id).then_some(&self.value)
    }

    fn for_id(&mut self, id: Option<u64>) -> &mut T {
        if self.id != id {
            self.id = id;
            self.value = T::default();
        }
        &mut self.value
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
struct Menu {
    row: usize,
    x: f64,
    y: f64,
}

static GRID_IDS: AtomicUsize = AtomicUsize::new(0);

type Observer = (web_sys::ResizeObserver, Closure<dyn FnMut()>);

/// Everything the grid's pieces share; all handles, so it is `Copy` into every closure.
#[derive(Clone, Copy)]
struct Grid {
    uid: usize,
    result_id: Memo<Option<u64>>,
    columns: Memo<Vec<String>>,
    row_count: Memo<usize>,
    guessed: Memo<Vec<f64>>,
    rows: Signal<RowCache>,
    win: Memo<Window>,
    resized: RwSignal<Tagged<HashMap<usize, f64>>>,
    sorted: Signal<Option<(usize, bool)>>,
    selected: RwSignal<Option<usize>>,
    active_col: RwSignal<usize>,
    scroll_top: RwSignal<f64>,
    viewport: RwSignal<f64>,
    menu: RwSignal<Option<Menu>>,
    scroller: NodeRef<html::Div>,
    header: NodeRef<html::Div>,
    requested: StoredValue<Tagged<HashMap<usize, f64>>>,
    drag: StoredValue<Option<(usize, f64, f64)>>,
    request_rows: Callback<(usize, usize)>,
    on_details: Callback<usize>,
    on_record: Callback<usize>,
    on_sort: Callback<(Option<usize>, bool)>,
}

impl Grid {
    fn geometry_untracked(self) -> Geometry {
        Geometry {
            rows: self.row_count.get_untracked(),
            view: self.viewport.get_untracked(),
        }
    }

    fn cell_id(self, row: usize, col: usize) -> String {
        format!("grid{}-r{row}-c{col}", self.uid)
    }

    fn width(self, col: usize) -> f64 {
        let id = self.result_id.get();
        self.resized
            .with(|r| r.get(id).and_then(|m| m.get(&col)).copied())
            .unwrap_or_else(|| self.guessed.with(|g| g.get(col).copied().unwrap_or(120.0)))
    }

    fn width_untracked(self, col: usize) -> f64 {
        untrack(|| self.width(col))
    }

    fn set_width(self, col: usize, width: f64) {
        let id = self.result_id.get_untracked();
        self.resized.update(|r| {
            r.for_id(id)
                .insert(col, width.clamp(MIN_COL_WIDTH, MAX_COL_WIDTH));
        });
    }

    /// `grid-template-columns` for every row, header included.
    fn template(self) -> String {
        let n = self.columns.with(Vec::len);
        let widths: Vec<String> = (0..n)
            .map(|c| format!("{}px", self.width(c).round()))
            .collect();
        widths.join(" ")
    }

    /// `Some(descending)` when the grid is sorted by `col`.
    fn sort_of(self, col: usize) -> Option<bool> {
        self.sorted
            .get()
            .and_then(|(c, desc)| (c == col).then_some(desc))
    }

    fn click_sort(self, col: usize) {
        let id = self.result_id.get_untracked();
        let next = next_sort(self.sorted.get_untracked(), col);
        // The page reorders the rows: whatever was asked for before is stale.
        self.requested.update_value(|r| r.for_id(id).clear());
        self.on_sort
            .run((next.map(|(c, _)| c), next.is_some_and(|(_, d)| d)));
    }

    /// The selection, if it is a row of this result.
    fn selected_row(self) -> Option<usize> {
        let n = self.row_count.get();
        self.selected.get().filter(|&i| i < n)
    }

    fn selected_row_untracked(self) -> Option<usize> {
        untrack(|| self.selected_row())
    }

    fn select(self, row: usize) {
        let n = self.row_count.get_untracked();
        if n == 0 {
            return;
        }
        let row = row.min(n - 1);
        self.selected.set(Some(row));
        self.ensure_row_visible(row);
    }

    fn move_by(self, delta: isize) {
        let row = match self.selected_row_untracked() {
            Some(i) => i.saturating_add_signed(delta),
            None => self
                .geometry_untracked()
                .first_visible(self.scroll_top.get_untracked()),
        };
        self.select(row);
    }

    fn move_col(self, delta: isize) {
        let n = self.columns.with_untracked(Vec::len);
        if n == 0 {
            return;
        }
        let col = self
            .active_col
            .get_untracked()
            .saturating_add_signed(delta)
            .min(n - 1);
        self.active_col.set(col);
        self.ensure_col_visible(col);
    }

    fn ensure_row_visible(self, row: usize) {
        let geometry = self.geometry_untracked();
        if let Some(scroll) = geometry.scroll_to_show(self.scroll_top.get_untracked(), row) {
            if let Some(el) = self.scroller.get_untracked() {
                el.set_scroll_top(scroll as i32);
            }
            self.scroll_top.set(scroll);
        }
    }

    fn ensure_col_visible(self, col: usize) {
        let Some(el) = self.scroller.get_untracked() else {
            return;
        };
        let left: f64 = (0..col).map(|c| self.width_untracked(c)).sum();
        let right = left + self.width_untracked(col);
        let (scroll, view) = (el.scroll_left() as f64, el.client_width() as f64);
        if left < scroll {
            el.set_scroll_left(left as i32);
        } else if right > scroll + view {
            el.set_scroll_left((right - view).min(left) as i32);
        }
    }

    /// Reads the scroll position and viewport size from the DOM.
    fn measure(self) {
        let Some(el) = self.scroller.get_untracked() else {
            return;
        };
        let head = self
            .header
            .get_untracked()
            .map_or(ROW_HEIGHT, |h| f64::from(h.offset_height()));
        let view = (f64::from(el.client_height()) - head).max(ROW_HEIGHT);
        let top = f64::from(el.scroll_top());
        if self.viewport.get_untracked() != view {
            self.viewport.set(view);
        }
        if self.scroll_top.get_untracked() != top {
            self.scroll_top.set(top);
        }
    }

    /// Asks the page for the pages in view that are neither cached nor recently asked for.
    fn request_missing(self) {
        let Some(Some(id)) = self.result_id.try_get_untracked() else {
            return;
        };
        let n = self.row_count.get_untracked();
        let win = self.win.get_untracked();
        let missing = self
            .rows
            .with_untracked(|cache| missing_pages(cache, id, win.first, win.last));
        let now = js_sys::Date::now();
        let mut ask = Vec::new();
        self.requested.update_value(|r| {
            let asked = r.for_id(Some(id));
            let in_view = win.first / PAGE_SIZE..=win.last.saturating_sub(1) / PAGE_SIZE;
            asked.retain(|page, _| !in_view.contains(page) || missing.contains(page));
            for &page in &missing {
                if asked.get(&page).is_none_or(|&at| now - at > RETRY_MS) {
                    asked.insert(page, now);
                    ask.push(page);
                }
            }
        });
        for page in ask {
            let start = page * PAGE_SIZE;
            self.request_rows.run((start, PAGE_SIZE.min(n - start)));
        }
    }

    fn focus(self) {
        if let Some(el) = self.scroller.get_untracked() {
            let _ = el.focus();
        }
    }

    fn open_menu(self, row: usize, x: f64, y: f64) {
        let (w, h) = window_size();
        self.menu.set(Some(Menu {
            row,
            x: x.min(w - 240.0).max(0.0),
            y: y.min(h - 96.0).max(0.0),
        }));
    }

    fn close_menu(self) {
        self.menu.set(None);
        self.focus();
    }
}

fn window_size() -> (f64, f64) {
    let w = window();
    let px = |v: Result<wasm_bindgen::JsValue, _>| v.ok().and_then(|v| v.as_f64());
    (
        px(w.inner_width()).unwrap_or(f64::MAX),
        px(w.inner_height()).unwrap_or(f64::MAX),
    )
}

/// The row (and column) under an event's target, from the `data-row`/`data-col` attributes.
fn hit(ev: &web_sys::Event) -> Option<(usize, Option<usize>)> {
    let target: web_sys::Element = ev.target()?.dyn_into().ok()?;
    let index = |sel: &str, attr: &str| {
        target
            .closest(sel)
            .ok()
            .flatten()
            .and_then(|el| el.get_attribute(attr))
            .and_then(|v| v.parse::<usize>().ok())
    };
    Some((
        index("[data-row]", "data-row")?,
        index("[data-col]", "data-col"),
    ))
}

/// The virtualized results table. The page owns the data: it fills `rows` when
/// `request_rows((start, count))` asks, and reorders on `on_sort((column, descending))`.
#[component]
pub fn ResultsGrid(
    /// The result on show (`None` before the first run).
    #[prop(into)]
    result: Signal<Option<ResultInfo>>,
    /// Rows fetched so far for `result`.
    #[prop(into)]
    rows: Signal<RowCache>,
    /// Fetch rows `[start, start + count)` and insert them into `rows`.
    request_rows: Callback<(usize, usize)>,
    /// The selected row (arrow keys, click).
    selected: RwSignal<Option<usize>>,
    /// "View field details" (context menu, Shift+Enter).
    on_details: Callback<usize>,
    /// Record details tree (Enter, double-click).
    on_record: Callback<usize>,
    /// Header click: `(Some(column), descending)`, or `(None, false)` for the query's order.
    on_sort: Callback<(Option<usize>, bool)>,
    /// The order `result` is in (set by the page after `on_sort`), shown in the headers.
    #[prop(into)]
    sorted: Signal<Option<(usize, bool)>>,
) -> impl IntoView {
    let result_id = Memo::new(move |_| result.with(|r| r.as_ref().map(|r| r.id)));
    let columns = Memo::new(move |_| {
        result.with(|r| r.as_ref().map(|r| r.columns.clone()).unwrap_or_default())
    });
    let row_count = Memo::new(move |_| result.with(|r| r.as_ref().map_or(0, |r| r.row_count)));
    let guessed =
        Memo::new(move |_| result.with(|r| r.as_ref().map(guess_widths).unwrap_or_default()));
    let scroll_top = RwSignal::new(0.0);
    let viewport = RwSignal::new(20.0 * ROW_HEIGHT);
    let win = Memo::new(move |_| {
        Geometry {
            rows: row_count.get(),
            view: viewport.get(),
        }
        .window(scroll_top.get())
    });
    let g = Grid {
        uid: GRID_IDS.fetch_add(1, Ordering::Relaxed),
        result_id,
        columns,
        row_count,
        guessed,
        rows,
        win,
        resized: RwSignal::new(Tagged::default()),
        sorted,
        selected,
        active_col: RwSignal::new(0),
        scroll_top,
        viewport,
        menu: RwSignal::new(None),
        scroller: NodeRef::new(),
        header: NodeRef::new(),
        requested: StoredValue::new(Tagged::default()),
        drag: StoredValue::new(None),
        request_rows,
        on_details,
        on_record,
        on_sort,
    };

    // Follow the scroller's size (a hidden panel shown later, a window resize, a drag handle).
    let observer = StoredValue::new_local(None::<Observer>);
    g.scroller.on_load(move |el| {
        g.measure();
        let callback = Closure::<dyn FnMut()>::new(move || g.measure());
        if let Ok(obs) = web_sys::ResizeObserver::new(callback.as_ref().unchecked_ref()) {
            obs.observe(&el);
            observer.set_value(Some((obs, callback)));
        }
    });

    // A new result starts at the top.
    Effect::new(move |prev: Option<Option<u64>>| {
        let id = result_id.get();
        if prev.is_some_and(|p| p != id) {
            if let Some(el) = g.scroller.get_untracked() {
                el.set_scroll_top(0);
                el.set_scroll_left(0);
            }
            scroll_top.set(0.0);
            g.active_col.set(0);
            g.menu.set(None);
        }
        id
    });

    // Ask for missing rows once the view has settled.
    // Replacing (or dropping) the timeout cancels the one before.
    let timer = StoredValue::new_local(None::<Timeout>);
    Effect::new(move |_| {
        win.track();
        rows.track();
        result_id.track();
        let later = Timeout::new(REQUEST_DELAY_MS, move || g.request_missing());
        timer.set_value(Some(later));
    });
    on_cleanup(move || {
        timer.try_update_value(Option::take);
        observer.try_update_value(|o| {
            if let Some((obs, _)) = o.take() {
                obs.disconnect();
            }
        });
    });

    let on_key = move |ev: ev::KeyboardEvent| {
        // Keys on a header button are the header's (sorting, resizing).
        if ev.target() != ev.current_target() {
            return;
        }
        let n = row_count.get_untracked();
        let page = g.geometry_untracked().page_rows() as isize;
        match ev.key().as_str() {
            "ArrowDown" => g.move_by(1),
            "ArrowUp" => g.move_by(-1),
            "PageDown" => g.move_by(page),
            "PageUp" => g.move_by(-page),
            "Home" => g.select(0),
            "End" => g.select(n.saturating_sub(1)),
            "ArrowLeft" => g.move_col(-1),
            "ArrowRight" => g.move_col(1),
            "Enter" => match g.selected_row_untracked() {
                Some(i) if ev.shift_key() => on_details.run(i),
                Some(i) => on_record.run(i),
                None => return,
            },
            _ => return,
        }
        ev.prevent_default();
    };

    let on_click = move |ev: ev::MouseEvent| {
        if let Some((row, col)) = hit(&ev) {
            if let Some(c) = col {
                g.active_col.set(c);
            }
            selected.set(Some(row));
        }
    };

    let on_dblclick = move |ev: ev::MouseEvent| {
        if let Some((row, _)) = hit(&ev) {
            on_record.run(row);
        }
    };

    // Right-click on a row, or the context-menu key / Shift+F10 on the focused grid.
    let on_context = move |ev: ev::MouseEvent| {
        if let Some((row, col)) = hit(&ev) {
            if let Some(c) = col {
                g.active_col.set(c);
            }
            selected.set(Some(row));
            ev.prevent_default();
            g.open_menu(row, f64::from(ev.client_x()), f64::from(ev.client_y()));
        } else if let Some(row) = g.selected_row_untracked() {
            if ev.target() != ev.current_target() {
                return;
            }
            ev.prevent_default();
            let rect = document()
                .get_element_by_id(&g.cell_id(row, g.active_col.get_untracked()))
                .map(|el| el.get_bounding_client_rect());
            let (x, y) = rect.map_or((0.0, 0.0), |r| (r.left() + 8.0, r.bottom()));
            g.open_menu(row, x, y);
        }
    };

    let active_descendant = move || {
        let row = g.selected_row()?;
        let w = win.get();
        (w.first..w.last)
            .contains(&row)
            .then(|| g.cell_id(row, g.active_col.get()))
    };

    view! {
        <div class="grid">
            <div
                class="grid-scroll"
                role="grid"
                aria-label="Results"
                aria-rowcount=move || row_count.get() + 1
                aria-colcount=move || columns.with(Vec::len)
                aria-activedescendant=active_descendant
                tabindex="0"
                node_ref=g.scroller
                style:--grid-cols=move || g.template()
                on:scroll=move |_| g.measure()
                on:keydown=on_key
                on:click=on_click
                on:dblclick=on_dblclick
                on:contextmenu=on_context
            >
                <div class="grid-head" role="rowgroup">
                    <div class="grid-row grid-header-row" role="row" aria-rowindex="1" node_ref=g.header>
                        <For
                            each=move || columns.get().into_iter().enumerate()
                            key=|col| col.clone()
                            children=move |(c, name)| header_cell(g, c, name)
                        />
                    </div>
                </div>
                <div
                    class="grid-spacer"
                    role="presentation"
                    style:height=move || format!("{}px", win.with(|w| w.spacer))
                >
                    <div
                        class="grid-window"
                        role="rowgroup"
                        style:transform=move || format!("translateY({}px)", win.with(|w| w.top))
                    >
                        <For
                            each=move || win.with(|w| w.first..w.last)
                            key=|i| *i
                            children=move |i| row_view(g, i)
                        />
                    </div>
                </div>
            </div>
            {move || {
                (result.with(Option::is_some) && row_count.get() == 0)
                    .then(|| view! { <p class="grid-empty">"No records."</p> })
            }}
            {move || g.menu.get().map(|m| menu_view(g, m))}
            {move || cell_preview(g)}
        </div>
    }
}

/// The selected cell's whole value under the grid, wrapped: a cell cut by its column's width
/// (a long ARN) is read here without resizing anything. Text only, like every cell.
fn cell_preview(g: Grid) -> Option<impl IntoView> {
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

fn header_cell(g: Grid, col: usize, name: String) -> impl IntoView {
    let aria_sort = move || match g.sort_of(col) {
        Some(false) => "ascending",
        Some(true) => "descending",
        None => "none",
    };
    let icon = move || match g.sort_of(col) {
        Some(false) => "▲",
        Some(true) => "▼",
        None => "",
    };
    let on_key = move |ev: ev::KeyboardEvent| {
        let step = match ev.key().as_str() {
            "ArrowLeft" if ev.alt_key() => -RESIZE_STEP,
            "ArrowRight" if ev.alt_key() => RESIZE_STEP,
            _ => return,
        };
        ev.prevent_default();
        g.set_width(col, g.width_untracked(col) + step);
    };
    let on_down = move |ev: ev::PointerEvent| {
        if ev.button() != 0 {
            return;
        }
        ev.prevent_default();
        ev.stop_propagation();
        if let Some(el) = ev
            .current_target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        {
            let _ = el.set_pointer_capture(ev.pointer_id());
        }
        g.drag.set_value(Some((
            col,
            f64::from(ev.client_x()),
            g.width_untracked(col),
        )));
    };
    let on_move = move |ev: ev::PointerEvent| {
        if let Some((c, x0, w0)) = g.drag.get_value() {
            if c == col {
                g.set_width(col, w0 + f64::from(ev.client_x()) - x0);
            }
        }
    };
    let on_up = move |_: ev::PointerEvent| g.drag.set_value(None);
    // Double-clicking the handle goes back to the guessed width.
    let on_reset = move |ev: ev::MouseEvent| {
        ev.stop_propagation();
        let id = g.result_id.get_untracked();
        g.resized.update(|r| {
            r.for_id(id).remove(&col);
        });
    };
    let title = format!("Sort by {name} (Alt+Left/Right changes the width)");
    view! {
        <div role="columnheader" class="grid-header-cell" aria-sort=aria_sort aria-colindex=col + 1>
            <button
                type="button"
                class="grid-sort"
                title=title
                on:click=move |_| g.click_sort(col)
                on:keydown=on_key
            >
                <span class="grid-header-name">{name}</span>
                <span class="grid-sort-icon" aria-hidden="true">{icon}</span>
            </button>
            <div
                class="grid-resize"
                aria-hidden="true"
                on:pointerdown=on_down
                on:pointermove=on_move
                on:pointerup=on_up
                on:pointercancel=on_up
                on:dblclick=on_reset
            ></div>
        </div>
    }
}

fn row_view(g: Grid, row: usize) -> impl IntoView {
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

fn menu_view(g: Grid, menu: Menu) -> impl IntoView {
    let first: NodeRef<html::Button> = NodeRef::new();
    let second: NodeRef<html::Button> = NodeRef::new();
    first.on_load(|el| {
        let _ = el.focus();
    });
    let on_key = move |ev: ev::KeyboardEvent| {
        match ev.key().as_str() {
            "Escape" | "Tab" => g.close_menu(),
            "ArrowDown" | "ArrowUp" | "Home" | "End" => {
                let to_second = match ev.key().as_str() {
                    "Home" => false,
                    "End" => true,
                    // Two items: up and down both go to the other one.
                    _ => first
                        .get_untracked()
                        .is_some_and(|f| document().active_element() == Some(f.into())),
                };
                let target = if to_second { second } else { first };
                if let Some(el) = target.get_untracked() {
                    let _ = el.focus();
                }
            }
            _ => return,
        }
        ev.prevent_default();
    };
    let details = move |_| {
        g.close_menu();
        g.on_details.run(menu.row);
    };
    let record = move |_| {
        g.close_menu();
        g.on_record.run(menu.row);
    };
    let close = move |ev: ev::MouseEvent| {
        ev.prevent_default();
        g.close_menu();
    };
    view! {
        <div class="grid-menu-backdrop" on:click=close on:contextmenu=close></div>
        <div
            class="grid-menu"
            role="menu"
            aria-label="Row actions"
            style:left=format!("{}px", menu.x)
            style:top=format!("{}px", menu.y)
            on:keydown=on_key
        >
            <button type="button" role="menuitem" node_ref=first on:click=details>
                "View field details"
                <span class="grid-menu-key" aria-hidden="true">"Shift+Enter"</span>
            </button>
            <button type="button" role="menuitem" node_ref=second on:click=record>
                "View record"
                <span class="grid-menu-key" aria-hidden="true">"Enter"</span>
            </button>
        </div>
    }
}
