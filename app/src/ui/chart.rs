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
use trailscope_engine::time::civil_from_days;
use wasm_bindgen::{closure::Closure, JsCast};
use web_sys::HtmlCanvasElement;

use crate::protocol::Chart;

/// Series colours, cycled. Keep in step with `.chart-swatch-N` in public/style.css: the legend
/// and readout swatches use those classes (the CSP forbids a per-element style attribute).
const PALETTE: [u32; 10] = [
    0x4e79a7, 0xf28e2b, 0xe15759, 0x76b7b2, 0x59a14f, 0xd4a72c, 0xb07aa1, 0xff9da7, 0x9c755f,
    0x8c8c8c,
];

/// The readout lists at most this many series; beyond it, the largest values and a count.
const READOUT_MAX_ROWS: usize = 12;

const NS_PER_SEC: i64 = 1_000_000_000;
const NS_PER_MIN: i64 = 60 * NS_PER_SEC;
const NS_PER_HOUR: i64 = 60 * NS_PER_MIN;
const NS_PER_DAY: i64 = 24 * NS_PER_HOUR;

/// Where the last draw put the plotting area, in CSS pixels from the canvas's top left corner.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Layout {
    left: f64,
    right: f64,
    top: f64,
    bottom: f64,
    /// The canvas's CSS width.
    width: f64,
    bins: usize,
}

/// The line chart of a time series result, its legend and its value readout.
#[component]
pub fn TimeseriesChart(chart: Signal<Option<Chart>>) -> impl IntoView {
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

fn is_hidden(hidden: &[bool], series: usize) -> bool {
    hidden.get(series).copied().unwrap_or(false)
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

/// Where the readout box goes, as (left, right) CSS offsets: right of the cursor in the left
/// half, hanging to its left in the right half, so it never leaves the chart.
fn readout_side(x: f64, width: f64) -> (Option<f64>, Option<f64>) {
    if x > width / 2.0 {
        (None, Some(width - x + 8.0))
    } else {
        (Some(x + 8.0), None)
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
    let x_range = if bins <= 1 {
        -0.5..0.5
    } else {
        0.0..(bins - 1) as f64
    };
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
    for (i, s) in chart.series.iter().enumerate() {
        if is_hidden(hidden, i) {
            continue;
        }
        let color = series_color(i);
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

/// The x pixel (CSS) of a bin's centre.
fn bin_x(l: &Layout, bin: usize) -> f64 {
    if l.bins <= 1 {
        (l.left + l.right) / 2.0
    } else {
        l.left + (l.right - l.left) * bin as f64 / (l.bins - 1) as f64
    }
}

/// The bin nearest to CSS pixel `x` (outside the plot: the first or last bin).
fn nearest_bin(l: &Layout, x: f64) -> Option<usize> {
    match l.bins {
        0 => None,
        1 => Some(0),
        n => {
            let width = (l.right - l.left).max(1.0);
            let t = ((x - l.left) / width * (n - 1) as f64).round();
            Some(t.clamp(0.0, (n - 1) as f64) as usize)
        }
    }
}

/// Moves the readout by `delta` bins, stopping at the ends; from nothing, Left starts at the
/// last bin and Right at the first.
fn step_bin(current: Option<usize>, delta: isize, bins: usize) -> Option<usize> {
    let last = bins.checked_sub(1)?;
    Some(match current {
        None if delta < 0 => last,
        None => 0,
        Some(b) => b.min(last).saturating_add_signed(delta).min(last),
    })
}

/// Index ranges of consecutive finite values: each becomes one line (or a dot when alone).
fn runs(points: &[Option<f64>]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = None;
    for (k, p) in points.iter().enumerate() {
        match (p.is_some_and(f64::is_finite), start) {
            (true, None) => start = Some(k),
            (false, Some(s)) => {
                out.push(s..k);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push(s..points.len());
    }
    out
}

/// The y axis: from 0 when nothing is negative (counts), with a little headroom.
fn y_range(chart: &Chart, hidden: &[bool]) -> Range<f64> {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for (i, s) in chart.series.iter().enumerate() {
        if is_hidden(hidden, i) {
            continue;
        }
        for v in s.points.iter().flatten().filter(|v| v.is_finite()) {
            lo = lo.min(*v);
            hi = hi.max(*v);
        }
    }
    if lo > hi {
        return 0.0..1.0;
    }
    if lo >= 0.0 {
        return 0.0..if hi > 0.0 { hi * 1.08 } else { 1.0 };
    }
    let pad = 0.08 * if hi > lo { hi - lo } else { lo.abs() };
    lo - pad..(hi + pad).max(0.0)
}

/// The tick spacing: the smallest calendar-friendly step giving at most `max_ticks` ticks.
fn tick_step(span_ns: i64, max_ticks: usize) -> i64 {
    // In seconds: 1s … 30s, 1min … 30min, 1h … 12h, 1d, 2d, then whole weeks.
    const STEPS: [i64; 26] = [
        1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200,
        86_400, 172_800, 604_800, 1_209_600, 2_419_200, 4_838_400, 7_862_400, 15_724_800,
        31_449_600,
    ];
    let max_ticks = max_ticks.max(1) as i64;
    STEPS
        .into_iter()
        .map(|s| s * NS_PER_SEC)
        .find(|s| span_ns / s <= max_ticks)
        .unwrap_or((span_ns / max_ticks).max(1))
}

/// Tick times in `[start, end]` on multiples of `step` (UTC); week steps start on Mondays.
fn ticks(start: i64, end: i64, step: i64) -> Vec<i64> {
    // 1970-01-05 was a Monday.
    let origin = 4 * NS_PER_DAY * i64::from(step % (7 * NS_PER_DAY) == 0);
    let mut t = (start - origin).div_euclid(step) * step + origin;
    if t < start {
        t += step;
    }
    let mut out = Vec::new();
    while t <= end && out.len() < 1000 {
        out.push(t);
        t += step;
    }
    out
}

/// (year, month, day, hour, minute, second) in UTC.
fn civil(ns: i64) -> (i64, u32, u32, i64, i64, i64) {
    let secs = ns.div_euclid(NS_PER_SEC);
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let sod = secs.rem_euclid(86_400);
    (y, m, d, sod / 3600, sod / 60 % 60, sod % 60)
}

/// An x tick: `HH:MM` (`HH:MM:SS` for sub-minute steps) when the chart spans less than two
/// days, `MM-DD` up to most of a year, `YYYY-MM-DD` beyond.
fn tick_label(ns: i64, span_ns: i64, step: i64) -> String {
    let (y, m, d, hh, mm, ss) = civil(ns);
    if span_ns < 2 * NS_PER_DAY {
        if step < NS_PER_MIN {
            format!("{hh:02}:{mm:02}:{ss:02}")
        } else {
            format!("{hh:02}:{mm:02}")
        }
    } else if span_ns < 300 * NS_PER_DAY {
        format!("{m:02}-{d:02}")
    } else {
        format!("{y:04}-{m:02}-{d:02}")
    }
}

/// The x axis title: says UTC, plus the dates that `HH:MM` ticks leave out.
fn x_desc(start: i64, end: i64) -> String {
    let (y0, m0, d0, ..) = civil(start);
    let (y1, m1, d1, ..) = civil(end);
    if end - start >= 2 * NS_PER_DAY {
        "Time (UTC)".to_string()
    } else if (y0, m0, d0) == (y1, m1, d1) {
        format!("Time (UTC), {y0:04}-{m0:02}-{d0:02}")
    } else {
        format!("Time (UTC), {y0:04}-{m0:02}-{d0:02} to {y1:04}-{m1:02}-{d1:02}")
    }
}

/// The readout's heading: `2026-11-20 11:42 UTC` (with seconds for sub-minute bins).
fn readout_time(ns: i64, interval_ns: i64) -> String {
    let (y, m, d, hh, mm, ss) = civil(ns);
    if interval_ns % NS_PER_MIN == 0 && ns % NS_PER_MIN == 0 {
        format!("{y:04}-{m:02}-{d:02} {hh:02}:{mm:02} UTC")
    } else {
        format!("{y:04}-{m:02}-{d:02} {hh:02}:{mm:02}:{ss:02} UTC")
    }
}

/// A value as the readout shows it: integers whole, others to four decimals at most.
fn format_value(v: f64) -> String {
    if !v.is_finite() {
        return v.to_string();
    }
    if v.fract() == 0.0 && v.abs() < 1e15 {
        return format!("{}", v as i64);
    }
    if v != 0.0 && (v.abs() >= 1e15 || v.abs() < 1e-4) {
        return format!("{v:.3e}");
    }
    trim_zeros(format!("{v:.4}"))
}

/// A y-axis label: 950, 1.5k, 20M.
fn compact(v: f64) -> String {
    let a = v.abs();
    let (div, suffix) = match a {
        a if a >= 1e12 => (1e12, "T"),
        a if a >= 1e9 => (1e9, "G"),
        a if a >= 1e6 => (1e6, "M"),
        a if a >= 1e4 => (1e3, "k"),
        _ => (1.0, ""),
    };
    let s = trim_zeros(format!("{:.2}", v / div));
    if s == "-0" {
        "0".to_string()
    } else {
        s + suffix
    }
}

fn trim_zeros(s: String) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// `rgb(29, 31, 33)`, `rgba(…)` or `rgb(29 31 33 / 50%)` as computed styles give colours.
fn parse_css_rgb(s: &str) -> Option<(u8, u8, u8)> {
    let inner = s.trim().strip_prefix("rgb")?.trim_start_matches('a');
    let inner = inner.strip_prefix('(')?.strip_suffix(')')?;
    let mut parts = inner
        .split([',', ' ', '/'])
        .filter(|p| !p.is_empty())
        .map(|p| Some(p.parse::<f64>().ok()?.round().clamp(0.0, 255.0) as u8));
    Some((parts.next()??, parts.next()??, parts.next()??))
}

/// What the readout shows at one bin.
#[derive(Debug, PartialEq)]
struct Readout {
    time: String,
    /// (series index, name, value text) per visible series.
    rows: Vec<(usize, String, String)>,
    /// Visible series left out for space.
    more: usize,
}

/// The readout for `bin`: every visible series in legend order, or, when there are more than
/// fit, the largest values first (empty bins last).
fn readout_rows(chart: &Chart, hidden: &[bool], bin: usize) -> Readout {
    let mut rows: Vec<(usize, Option<f64>)> = chart
        .series
        .iter()
        .enumerate()
        .filter(|(i, _)| !is_hidden(hidden, *i))
        .map(|(i, s)| (i, s.points.get(bin).copied().flatten()))
        .collect();
    let mut more = 0;
    if rows.len() > READOUT_MAX_ROWS {
        rows.sort_by(|a, b| {
            let key = |v: Option<f64>| v.unwrap_or(f64::NEG_INFINITY);
            key(b.1).total_cmp(&key(a.1)).then(a.0.cmp(&b.0))
        });
        more = rows.len() - READOUT_MAX_ROWS;
        rows.truncate(READOUT_MAX_ROWS);
    }
    let offset = chart.interval_ns.saturating_mul(bin as i64);
    let time_ns = chart.start_ns.saturating_add(offset);
    Readout {
        time: readout_time(time_ns, chart.interval_ns),
        rows: rows
            .into_iter()
            .map(|(i, v)| {
                let text = v.map_or_else(|| "no data".to_string(), format_value);
                (i, chart.series[i].name.clone(), text)
            })
            .collect(),
        more,
    }
}

// Pure maths only: these run on the host (`cargo test -p trailscope-app`) as well as in wasm.
#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::Series;

    const T0: i64 = 1_795_174_920 * NS_PER_SEC; // 2026-11-20 11:42:00 UTC

    fn chart(series: &[(&str, &[Option<f64>])]) -> Chart {
        Chart {
            start_ns: T0,
            interval_ns: NS_PER_MIN,
            series: series
                .iter()
                .map(|(n, p)| Series {
                    name: n.to_string(),
                    points: p.to_vec(),
                })
                .collect(),
        }
    }

    fn layout(bins: usize) -> Layout {
        Layout {
            left: 100.0,
            right: 200.0,
            top: 10.0,
            bottom: 90.0,
            width: 220.0,
            bins,
        }
    }

    #[test]
    fn nearest_bin_rounds_and_clamps() {
        let cases: &[(usize, f64, Option<usize>)] = &[
            (0, 150.0, None),
            (1, 10.0, Some(0)),
            (11, 100.0, Some(0)),
            (11, 104.9, Some(0)),
            (11, 105.1, Some(1)),
            (11, 150.0, Some(5)),
            (11, 200.0, Some(10)),
            (11, -50.0, Some(0)),
            (11, 999.0, Some(10)),
        ];
        for &(bins, x, want) in cases {
            assert_eq!(nearest_bin(&layout(bins), x), want, "bins {bins} x {x}");
        }
        assert_eq!(bin_x(&layout(11), 5), 150.0);
        assert_eq!(bin_x(&layout(1), 0), 150.0);
        for b in 0..11 {
            assert_eq!(nearest_bin(&layout(11), bin_x(&layout(11), b)), Some(b));
        }
        assert_eq!(readout_side(50.0, 220.0), (Some(58.0), None));
        assert_eq!(readout_side(200.0, 220.0), (None, Some(28.0)));
    }

    #[test]
    fn keyboard_steps_stop_at_the_ends() {
        let cases: &[(Option<usize>, isize, usize, Option<usize>)] = &[
            (None, 1, 5, Some(0)),
            (None, -1, 5, Some(4)),
            (Some(2), 1, 5, Some(3)),
            (Some(4), 1, 5, Some(4)),
            (Some(0), -1, 5, Some(0)),
            (Some(3), -10, 5, Some(0)),
            (Some(1), 10, 5, Some(4)),
            (Some(9), -1, 5, Some(3)),
            (None, 1, 0, None),
        ];
        for &(cur, d, bins, want) in cases {
            assert_eq!(step_bin(cur, d, bins), want, "{cur:?} {d} {bins}");
        }
    }

    #[test]
    fn runs_split_at_gaps() {
        let n = None;
        // (points, runs as (start, end))
        type Case<'a> = (&'a [Option<f64>], &'a [(usize, usize)]);
        let cases: &[Case] = &[
            (&[], &[]),
            (&[n, n], &[]),
            (&[Some(1.0), Some(2.0), Some(3.0)], &[(0, 3)]),
            (&[Some(1.0), n, Some(3.0), Some(4.0)], &[(0, 1), (2, 4)]),
            (&[n, Some(1.0), n], &[(1, 2)]),
            (&[Some(1.0), Some(f64::NAN), Some(2.0)], &[(0, 1), (2, 3)]),
        ];
        for (points, want) in cases {
            let got: Vec<(usize, usize)> =
                runs(points).into_iter().map(|r| (r.start, r.end)).collect();
            assert_eq!(got, *want, "{points:?}");
        }
    }

    #[test]
    fn y_range_covers_visible_values() {
        let c = chart(&[("a", &[Some(2.0), None, Some(10.0)]), ("b", &[Some(-5.0)])]);
        let r = y_range(&c, &[false, true]);
        assert_eq!(r.start, 0.0);
        assert!(r.end >= 10.0 && r.end < 11.0);
        let r = y_range(&c, &[false, false]);
        assert!(r.start < -5.0 && r.end > 10.0);
        assert_eq!(y_range(&c, &[true, true]), 0.0..1.0);
        assert_eq!(y_range(&chart(&[("z", &[Some(0.0)])]), &[]), 0.0..1.0);
    }

    #[test]
    fn ticks_and_time_texts() {
        let (sec, min, hour, day) = (NS_PER_SEC, NS_PER_MIN, NS_PER_HOUR, NS_PER_DAY);
        assert_eq!(tick_step(60 * min, 6), 10 * min);
        assert_eq!(tick_step(60 * min, 5), 15 * min);
        assert_eq!(tick_step(10 * day, 6), 2 * day);
        assert_eq!(tick_step(30 * sec, 8), 5 * sec);
        let t = ticks(T0, T0 + 60 * min, 15 * min);
        let labels: Vec<_> = t.iter().map(|&t| tick_label(t, hour, 15 * min)).collect();
        assert_eq!(labels, ["11:45", "12:00", "12:15", "12:30"]);
        // Week ticks fall on Mondays: 2026-11-23 is one.
        let monday = ticks(T0, T0 + 20 * day, 7 * day)[0];
        let cases = [
            (tick_label(monday, 20 * day, 7 * day), "11-23"),
            (tick_label(T0, 400 * day, 91 * day), "2026-11-20"),
            (tick_label(T0 + 5 * sec, min, 5 * sec), "11:42:05"),
            (readout_time(T0, min), "2026-11-20 11:42 UTC"),
            (
                readout_time(T0 + 30 * sec, 30 * sec),
                "2026-11-20 11:42:30 UTC",
            ),
            (readout_time(-min, min), "1969-12-31 23:59 UTC"),
            (x_desc(T0, T0 + hour), "Time (UTC), 2026-11-20"),
            (x_desc(T0, T0 + day), "Time (UTC), 2026-11-20 to 2026-11-21"),
            (x_desc(T0, T0 + 9 * day), "Time (UTC)"),
        ];
        for (got, want) in cases {
            assert_eq!(got, want);
        }
    }

    #[test]
    fn numbers() {
        let cases: &[(f64, &str, &str)] = &[
            (0.0, "0", "0"),
            (42.0, "42", "42"),
            (-3.0, "-3", "-3"),
            (2.5, "2.5", "2.5"),
            (1.0 / 3.0, "0.3333", "0.33"),
            (12_500.0, "12500", "12.5k"),
            (2_000_000.0, "2000000", "2M"),
            (3.0e9, "3000000000", "3G"),
            (0.00001, "1.000e-5", "0"),
        ];
        for &(v, value, axis) in cases {
            assert_eq!(format_value(v), value, "{v}");
            assert_eq!(compact(v), axis, "{v}");
        }
    }

    #[test]
    fn css_colours() {
        let cases = [
            ("rgb(29, 31, 33)", Some((29, 31, 33))),
            ("rgba(230, 230, 230, 0.5)", Some((230, 230, 230))),
            ("rgb(1 2 3 / 50%)", Some((1, 2, 3))),
            ("color(srgb 1 0 0)", None),
            ("rgb(1, 2)", None),
        ];
        for (css, want) in cases {
            assert_eq!(parse_css_rgb(css), want, "{css}");
        }
    }

    #[test]
    fn readout_lists_visible_series_as_given() {
        let name = "<img src=x onerror=alert(1)>";
        let c = chart(&[
            (name, &[Some(1.0), None]),
            ("b", &[Some(2.5), Some(3.0)]),
            ("c", &[]),
        ]);
        let r = readout_rows(&c, &[false, false, true], 1);
        assert_eq!(r.time, "2026-11-20 11:43 UTC");
        assert_eq!(
            r.rows,
            [
                (0, name.to_string(), "no data".to_string()),
                (1, "b".to_string(), "3".to_string())
            ]
        );
        assert_eq!(r.more, 0);
    }

    #[test]
    fn readout_of_many_series_shows_the_largest() {
        let mut c = chart(&[]);
        for i in 0..100 {
            let points = vec![(i % 7 != 0).then_some(f64::from(i))];
            c.series.push(Series {
                name: format!("s{i}"),
                points,
            });
        }
        let r = readout_rows(&c, &[], 0);
        assert_eq!(r.rows.len(), READOUT_MAX_ROWS);
        assert_eq!(r.more, 100 - READOUT_MAX_ROWS);
        assert_eq!(r.rows[0].1, "s99");
        assert_eq!(r.rows[1].1, "s97"); // s98 is an empty bin
    }
}
