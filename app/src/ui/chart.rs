//! The time-series chart for `makeTimeseries` results: plotters lines on a `<canvas>`, an HTML
//! legend that toggles series, and a value readout at the hovered (or keyboard-chosen) bin.
//!
//! Drawing is one plain function ([`draw`]); bin, tick and number maths are pure functions tested
//! below. Series names come from logs, so they are only ever DOM text (legend, readout).
//! Positions go through the CSSOM (`style().set_property`), which the page's `style-src 'self'`
//! allows; `style="…"` attributes in markup it blocks.

use std::ops::Range;

use leptos::{ev, html, prelude::*};
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use wasm_bindgen::{closure::Closure, JsCast};
use web_sys::HtmlCanvasElement;

use crate::protocol::Chart;

mod model;
mod view;

use model::{
    bin_x, compact, is_hidden, nearest_bin, parse_css_rgb, readout_rows, readout_side, runs,
    step_bin, tick_label, tick_step, ticks, x_desc, y_range, Layout,
};

/// Series colours, cycled. Keep in step with `.chart-swatch-N` in public/style.css: the legend
/// and readout swatches use those classes (the CSP forbids a per-element style attribute).
const PALETTE: [u32; 10] = [
    0x4e79a7, 0xf28e2b, 0xe15759, 0x76b7b2, 0x59a14f, 0xd4a72c, 0xb07aa1, 0xff9da7, 0x9c755f,
    0x8c8c8c,
];

/// The line chart of a time series result, its legend and its value readout.
#[component]
pub fn TimeseriesChart(
    /// The whole result's series (`chart` below is the part on show).
    #[prop(name = "chart")]
    full: Signal<Option<Chart>>,
) -> impl IntoView {
    // Values that fill a sliver of the time frame are zoomed to (the button shows it all).
    let zoomable = Memo::new(move |_| full.with(|c| c.as_ref().and_then(view::zoom)));
    let zoomed = RwSignal::new(true);
    Effect::new(move |_| {
        full.track();
        zoomed.set(true);
    });
    let shown = Memo::new(move |_| {
        let range = zoomable.get().filter(|_| zoomed.get());
        full.with(|c| {
            c.as_ref()
                .map(|c| range.map_or_else(|| c.clone(), |r| view::slice(c, r)))
        })
    });
    let chart: Signal<Option<Chart>> = shown.into();
    let caption = move || {
        full.with(|c| {
            c.as_ref().map(|c| {
                let note = view::change_note(c).map(
                    |n| view! { <strong class="chart-interval-note">{format!(" · {n}")}</strong> },
                );
                view! { <span>{view::interval_caption(c)}</span>{note} }
            })
        })
    };
    // The zoomed span (start, end), when zoomed.
    let zoom_span = move || {
        let on = zoomed.get() && zoomable.with(Option::is_some);
        chart.with(|c| {
            c.as_ref().filter(|_| on).map(|c| {
                let n = view::bins(c) as i64;
                (
                    c.start_ns,
                    c.start_ns.saturating_add(c.interval_ns.saturating_mul(n)),
                )
            })
        })
    };
    let zoom_text = move || {
        zoom_span()
            .map(|(a, b)| format!("Zoomed to where the values are: {}", view::span_text(a, b)))
    };
    // Running the query over the zoomed span gives it finer bins.
    let ui = expect_context::<crate::store::Ui>();
    let run_over_span = move |_| {
        if let Some((a, b)) = zoom_span() {
            ui.set_time(|t| t.frame = crate::state::Frame::Absolute(Some(a), Some(b)));
            ui.run_active();
        }
    };
    let canvas_ref = NodeRef::<html::Canvas>::new();
    let plot_ref = NodeRef::<html::Div>::new();
    let cursor_ref = NodeRef::<html::Div>::new();
    let readout_ref = NodeRef::<html::Div>::new();
    // One flag per series; a new chart shows every series again.
    let hidden = RwSignal::new(Vec::<bool>::new());
    let hover = RwSignal::new(None::<usize>);
    let layout = RwSignal::new(None::<Layout>);
    // Bumped by the ResizeObserver: a redraw at the new size.
    let size_tick = RwSignal::new(0u32);

    Effect::new(move |_| {
        let n = chart.with(|c| c.as_ref().map_or(0, |c| c.series.len()));
        // Only a real change notifies, so a new result is drawn once, not twice.
        if hidden.with_untracked(|h| h.len() != n || h.contains(&true)) {
            hidden.set(vec![false; n]);
        }
        hover.set(None);
    });

    Effect::new(move |_| {
        size_tick.track();
        let Some(canvas) = canvas_ref.get() else {
            return;
        };
        let drawn = hidden.with(|h| {
            chart.with(|c| match c {
                // Flags of the previous chart: the effect above is about to reset them.
                Some(c) if c.series.len() != h.len() => Err(()),
                Some(c) => Ok(draw(&canvas, c, h)),
                None => Ok(None),
            })
        });
        if let Ok(drawn) = drawn {
            layout.set(drawn);
        }
    });

    // Redraw whenever the plot box changes size (window resize, panel resize, first layout).
    let observer = StoredValue::new_local(None::<(web_sys::ResizeObserver, Closure<dyn FnMut()>)>);
    Effect::new(move |_| {
        let Some(el) = plot_ref
            .get()
            .filter(|_| observer.with_value(Option::is_none))
        else {
            return;
        };
        let cb = Closure::<dyn FnMut()>::new(move || {
            size_tick.try_update(|t| *t = t.wrapping_add(1));
        });
        if let Ok(ro) = web_sys::ResizeObserver::new(cb.as_ref().unchecked_ref()) {
            ro.observe(&el);
            observer.set_value(Some((ro, cb)));
        }
    });
    on_cleanup(move || {
        observer.try_with_value(|o| o.as_ref().map(|(ro, _)| ro.disconnect()));
    });

    // Place the cursor line and the readout box next to the selected bin.
    Effect::new(move |_| {
        let (Some(l), Some(bin)) = (layout.get(), hover.get()) else {
            return;
        };
        let x = bin_x(&l, bin);
        if let Some(c) = cursor_ref.get() {
            let h = (l.bottom - l.top).max(0.0);
            let place = [("left", Some(x)), ("top", Some(l.top)), ("height", Some(h))];
            set_px(&c, &place);
        }
        if let Some(r) = readout_ref.get() {
            let (left, right) = readout_side(x, l.width);
            let place = [("top", Some(l.top + 4.0)), ("left", left), ("right", right)];
            set_px(&r, &place);
        }
    });

    let on_move = move |e: ev::MouseEvent| {
        let (Some(canvas), Some(l)) = (canvas_ref.get_untracked(), layout.get_untracked()) else {
            return;
        };
        let x = f64::from(e.client_x()) - canvas.get_bounding_client_rect().left();
        let bin = nearest_bin(&l, x);
        if hover.get_untracked() != bin {
            hover.set(bin);
        }
    };
    let on_key = move |e: ev::KeyboardEvent| {
        let bins = layout.get_untracked().map_or(0, |l| l.bins);
        let current = hover.get_untracked();
        let next = match e.key().as_str() {
            "ArrowLeft" => step_bin(current, if e.shift_key() { -10 } else { -1 }, bins),
            "ArrowRight" => step_bin(current, if e.shift_key() { 10 } else { 1 }, bins),
            "Home" => bins.checked_sub(1).map(|_| 0),
            "End" => bins.checked_sub(1),
            "Escape" => None,
            _ => return,
        };
        e.prevent_default();
        hover.set(next);
    };
    let on_focus = move |_| {
        if hover.get_untracked().is_none() {
            hover.set(layout.get_untracked().and_then(|l| l.bins.checked_sub(1)));
        }
    };

    let legend_items = move || chart.with(series_names);
    let set_all = move |value: bool| hidden.update(|h| h.iter_mut().for_each(|x| *x = value));
    let readout = move || {
        let bin = hover.get()?;
        let r = hidden.with(|h| chart.with(|c| c.as_ref().map(|c| readout_rows(c, h, bin))))?;
        let rows = r
            .rows
            .into_iter()
            .map(|(i, name, value)| {
                view! {
                    <li>
                        <span class=swatch_class(i) aria-hidden="true"></span>
                        <span class="chart-readout-name">{name}</span>
                        ": "
                        <span class="chart-readout-value">{value}</span>
                    </li>
                }
            })
            .collect_view();
        let more = (r.more > 0).then(|| {
            let text = format!("and {} more (largest values shown)", r.more);
            view! { <p class="chart-readout-more">{text}</p> }
        });
        Some(view! {
            <p class="chart-readout-time">{r.time}</p>
            <ul class="chart-readout-rows">{rows}</ul>
            {more}
        })
    };

    view! {
        <div class="chart" hidden=move || chart.with(Option::is_none)>
            <div class="chart-head">
                <p class="chart-caption" aria-label="Chart interval">{caption}</p>
                {move || zoomable.with(Option::is_some).then(|| view! {
                    <span class="chart-zoom-text">{zoom_text}</span>
                    <button type="button" aria-pressed=move || zoomed.get().to_string() on:click=move |_| zoomed.update(|z| *z = !*z)>
                        "Zoom to the values"
                    </button>
                    {move || zoom_span().is_some().then(|| view! {
                        <button type="button" title="Set the time frame to this span and run the query again: finer bins" on:click=run_over_span>
                            "Run over this span"
                        </button>
                    })}
                })}
            </div>
            <div
                class="chart-plot"
                node_ref=plot_ref
                tabindex="0"
                role="group"
                aria-label="Chart values: arrow keys move between time bins"
                on:keydown=on_key
                on:focus=on_focus
                on:blur=move |_| hover.set(None)
            >
                <canvas
                    class="chart-canvas"
                    node_ref=canvas_ref
                    role="img"
                    aria-label="Time series chart"
                    on:mousemove=on_move
                    on:mouseleave=move |_| hover.set(None)
                ></canvas>
                <div
                    class="chart-cursor"
                    node_ref=cursor_ref
                    aria-hidden="true"
                    hidden=move || hover.get().is_none()
                ></div>
                <div
                    class="chart-readout"
                    node_ref=readout_ref
                    aria-live="polite"
                    hidden=move || hover.get().is_none()
                >
                    {readout}
                </div>
            </div>
            <div class="chart-legend-tools">
                <button type="button" on:click=move |_| set_all(false)>"Show all"</button>
                <button type="button" on:click=move |_| set_all(true)>"Hide all"</button>
            </div>
            <ul class="chart-legend" aria-label="Legend">
                <For each=legend_items key=|item| item.clone() let((i, name))>
                    {legend_item(i, name, hidden)}
                </For>
            </ul>
        </div>
    }
}

/// One legend entry: a toggle button named by the series (as text: names come from logs).
fn legend_item(i: usize, name: String, hidden: RwSignal<Vec<bool>>) -> impl IntoView {
    let title = name.clone();
    let toggle = move |_| hidden.update(|h| h.get_mut(i).into_iter().for_each(|x| *x = !*x));
    view! {
        <li>
            <button
                type="button"
                class="chart-legend-item"
                title=title
                aria-pressed=move || (!hidden.with(|h| is_hidden(h, i))).to_string()
                on:click=toggle
            >
                <span class=swatch_class(i) aria-hidden="true"></span>
                <span class="chart-legend-name">{name}</span>
            </button>
        </li>
    }
}

/// Sets CSS pixel properties through the CSSOM, which the CSP allows (a `style` attribute in
/// markup it blocks); `None` removes the property.
fn set_px(el: &web_sys::HtmlElement, props: &[(&str, Option<f64>)]) {
    let style = el.style();
    for (name, value) in props {
        let _ = match value {
            Some(v) => style.set_property(name, &format!("{v:.1}px")),
            None => style.remove_property(name).map(drop),
        };
    }
}

/// The legend's rows: (series index, name).
fn series_names(chart: &Option<Chart>) -> Vec<(usize, String)> {
    let names = chart.iter().flat_map(|c| &c.series).map(|s| s.name.clone());
    names.enumerate().collect()
}

fn swatch_class(series: usize) -> String {
    format!("chart-swatch chart-swatch-{}", series % PALETTE.len())
}

fn series_color(series: usize) -> RGBColor {
    let [_, r, g, b] = PALETTE[series % PALETTE.len()].to_be_bytes();
    RGBColor(r, g, b)
}

/// Draws `chart` on `canvas` at its CSS size × devicePixelRatio (crisp lines on HiDPI screens)
/// and says where the plotting area went. `None`: nothing drawn (the canvas is not laid out).
/// Series `i` is left out when `hidden[i]`. Each unbroken run of values is one canvas path, so
/// 100 series × 1,500 bins is a few hundred paths, not thousands of DOM nodes.
fn draw(canvas: &HtmlCanvasElement, chart: &Chart, hidden: &[bool]) -> Option<Layout> {
    let window = web_sys::window()?;
    let dpr = window.device_pixel_ratio().max(1.0);
    let css_w = f64::from(canvas.client_width());
    let css_h = f64::from(canvas.client_height());
    if css_w < 40.0 || css_h < 40.0 {
        return None;
    }
    // Setting the size also clears the canvas.
    canvas.set_width((css_w * dpr).round() as u32);
    canvas.set_height((css_h * dpr).round() as u32);
    let fg = window
        .get_computed_style(canvas)
        .ok()
        .flatten()
        .and_then(|s| s.get_property_value("color").ok())
        .and_then(|c| parse_css_rgb(&c))
        .map_or(RGBColor(95, 99, 104), |(r, g, b)| RGBColor(r, g, b));
    let px = |v: f64| (v * dpr).round().max(1.0) as u32;

    let bins = chart
        .series
        .iter()
        .map(|s| s.points.len())
        .max()
        .unwrap_or(0);
    let interval = chart.interval_ns.max(1);
    let span = interval.saturating_mul(bins.saturating_sub(1) as i64);
    let end_ns = chart.start_ns.saturating_add(span);
    // Half a bin of room at each end, so values in the first and last bins are not drawn on
    // the axes (see `model::bin_x`).
    let x_range = -0.5..(bins.max(1) as f64 - 0.5);
    let max_ticks = ((css_w - 80.0) / 110.0).max(2.0) as usize;
    let step = tick_step(span.max(interval), max_ticks);
    let ticks = ticks(chart.start_ns, end_ns, step).into_iter();
    let ticks = ticks
        .map(|t| (t - chart.start_ns) as f64 / interval as f64)
        .collect();
    let x_axis = BinAxis {
        range: x_range,
        ticks,
    };
    let y = y_range(chart, hidden);
    let y_label_chars = compact(y.start).len().max(compact(y.end).len());

    let root = CanvasBackend::with_canvas_object(canvas.clone())?.into_drawing_area();
    let font = |size: f64| ("sans-serif", size * dpr).into_font().color(&fg);
    let mut cc = ChartBuilder::on(&root)
        .margin_top(px(10.0))
        .margin_right(px(18.0))
        .margin_left(px(4.0))
        .margin_bottom(px(4.0))
        .x_label_area_size(px(40.0))
        .y_label_area_size(px(30.0 + 7.5 * y_label_chars as f64))
        .build_cartesian_2d(x_axis, y)
        .ok()?;
    let x_fmt = |x: &f64| {
        let ns = chart.start_ns + (x * interval as f64).round() as i64;
        tick_label(ns, span, step)
    };
    let y_fmt = |v: &f64| compact(*v);
    cc.configure_mesh()
        .bold_line_style(fg.mix(0.12))
        .light_line_style(TRANSPARENT)
        .axis_style(fg.mix(0.55))
        .label_style(font(12.0))
        .axis_desc_style(font(12.0))
        .x_desc(x_desc(chart.start_ns, end_ns))
        .y_desc("Value")
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .y_labels(((css_h / 45.0) as usize).max(2))
        .set_all_tick_mark_size(px(4.0))
        .draw()
        .ok()?;

    // Thin lines when many series overlap: they read better and stroke several times faster.
    let visible = (0..chart.series.len())
        .filter(|i| !is_hidden(hidden, *i))
        .count();
    let line_width = px(if visible <= 10 { 1.5 } else { 1.0 });
    // Few values: each one gets a marker, so a lone value or a short run is seen as data.
    let marked = view::markers(chart);
    for (i, s) in chart.series.iter().enumerate() {
        if is_hidden(hidden, i) {
            continue;
        }
        let color = series_color(i);
        if marked {
            let at = |k: usize, v: f64| Circle::new((k as f64, v), px(3.0), color.filled());
            let points = s.points.iter().enumerate();
            let dots = points.filter_map(|(k, p)| p.filter(|v| v.is_finite()).map(|v| at(k, v)));
            cc.draw_series(dots).ok()?;
        }
        for run in runs(&s.points) {
            // With one bin the x range is -0.5..0.5, so x = k works for any bin count.
            let at = |k: usize| (k as f64, s.points[k].unwrap_or(0.0));
            // A value between two gaps has no neighbour to join: a dot keeps it visible.
            let drawn = if run.len() == 1 {
                let dot = Circle::new(at(run.start), px(2.5), color.filled());
                cc.draw_series(std::iter::once(dot))
            } else {
                cc.draw_series(LineSeries::new(run.map(at), color.stroke_width(line_width)))
            };
            drawn.ok()?;
        }
    }
    let (xs, ys) = cc.plotting_area().get_pixel_range();
    Some(Layout {
        left: f64::from(xs.start) / dpr,
        right: f64::from(xs.end) / dpr,
        top: f64::from(ys.start) / dpr,
        bottom: f64::from(ys.end) / dpr,
        width: css_w,
        bins,
    })
}

/// The x axis in bin numbers, with ticks at round times (fractional bins) that plotters' own
/// numeric axis would not choose. (`with_key_points` on an f64 range loses the label formatter.)
struct BinAxis {
    range: Range<f64>,
    ticks: Vec<f64>,
}

impl Ranged for BinAxis {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, v: &f64, limit: (i32, i32)) -> i32 {
        let t = (v - self.range.start) / (self.range.end - self.range.start);
        limit.0 + (f64::from(limit.1 - limit.0) * t).round() as i32
    }

    fn key_points<H: KeyPointHint>(&self, hint: H) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> Range<f64> {
        self.range.clone()
    }
}
