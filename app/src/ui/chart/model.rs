//! The chart's maths, apart from drawing: where bins sit on the plot, axis ranges and ticks at
//! round UTC times, axis and readout texts, number formats, and what the readout lists at a bin.
//! Pure functions, tested on the host (`cargo test -p trailscope-app`) as well as in wasm.

use std::ops::Range;

use trailscope_engine::time::{civil_from_days, NS_PER_DAY, NS_PER_MIN, NS_PER_SEC};

use crate::protocol::Chart;

/// The readout lists at most this many series; beyond it, the largest values and a count.
const READOUT_MAX_ROWS: usize = 12;

/// Where the last draw put the plotting area, in CSS pixels from the canvas's top left corner.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Layout {
    pub left: f64,
    pub right: f64,
    pub top: f64,
    pub bottom: f64,
    /// The canvas's CSS width.
    pub width: f64,
    pub bins: usize,
}

pub fn is_hidden(hidden: &[bool], series: usize) -> bool {
    hidden.get(series).copied().unwrap_or(false)
}

/// Where the readout box goes, as (left, right) CSS offsets: right of the cursor in the left
/// half, hanging to its left in the right half, so it never leaves the chart.
pub fn readout_side(x: f64, width: f64) -> (Option<f64>, Option<f64>) {
    if x > width / 2.0 {
        (None, Some(width - x + 8.0))
    } else {
        (Some(x + 8.0), None)
    }
}

/// The x pixel (CSS) of a bin's centre. Each bin has a slot of equal width, so the first and
/// last values sit half a slot inside the axes, not on them.
pub fn bin_x(l: &Layout, bin: usize) -> f64 {
    let n = l.bins.max(1) as f64;
    l.left + (l.right - l.left) * (bin as f64 + 0.5) / n
}

/// The bin whose slot holds CSS pixel `x` (outside the plot: the first or last bin).
pub fn nearest_bin(l: &Layout, x: f64) -> Option<usize> {
    match l.bins {
        0 => None,
        n => {
            let width = (l.right - l.left).max(1.0);
            let t = ((x - l.left) / width * n as f64).floor();
            Some(t.clamp(0.0, (n - 1) as f64) as usize)
        }
    }
}

/// Moves the readout by `delta` bins, stopping at the ends; from nothing, Left starts at the
/// last bin and Right at the first.
pub fn step_bin(current: Option<usize>, delta: isize, bins: usize) -> Option<usize> {
    let last = bins.checked_sub(1)?;
    Some(match current {
        None if delta < 0 => last,
        None => 0,
        Some(b) => b.min(last).saturating_add_signed(delta).min(last),
    })
}

/// Index ranges of consecutive finite values: each becomes one line (or a dot when alone).
pub fn runs(points: &[Option<f64>]) -> Vec<Range<usize>> {
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
pub fn y_range(chart: &Chart, hidden: &[bool]) -> Range<f64> {
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
pub fn tick_step(span_ns: i64, max_ticks: usize) -> i64 {
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
pub fn ticks(start: i64, end: i64, step: i64) -> Vec<i64> {
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
pub fn tick_label(ns: i64, span_ns: i64, step: i64) -> String {
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
pub fn x_desc(start: i64, end: i64) -> String {
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
pub fn compact(v: f64) -> String {
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
pub fn parse_css_rgb(s: &str) -> Option<(u8, u8, u8)> {
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
pub struct Readout {
    pub time: String,
    /// (series index, name, value text) per visible series.
    pub rows: Vec<(usize, String, String)>,
    /// Visible series left out for space.
    pub more: usize,
}

/// The readout for `bin`: every visible series in legend order, or, when there are more than
/// fit, the largest values first (empty bins last).
pub fn readout_rows(chart: &Chart, hidden: &[bool], bin: usize) -> Readout {
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
    use trailscope_engine::time::NS_PER_HOUR;

    const T0: i64 = 1_795_174_920 * NS_PER_SEC; // 2026-11-20 11:42:00 UTC

    fn chart(series: &[(&str, &[Option<f64>])]) -> Chart {
        Chart {
            start_ns: T0,
            interval_ns: NS_PER_MIN,
            changed: None,
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
            (11, 109.0, Some(0)),
            (11, 109.2, Some(1)),
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
