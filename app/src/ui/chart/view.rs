//! What part of a time series the chart shows and what it says about its bins: the interval
//! ("1 bin = 5 min"), the engine's note when the query asked for another interval ("interval
//! widened from 1 s to 1 min (1,500-bin limit)"), a zoom onto the bins that hold values when
//! they fill only a sliver of the time frame (a few events over four months would otherwise be
//! dots at the edges), and markers on every value when values are few. Pure functions, tested
//! on the host.

use std::ops::Range;

use trailscope_engine::time::{format_timestamp, NS_PER_DAY, NS_PER_HOUR, NS_PER_MIN, NS_PER_SEC};

use crate::protocol::Chart;
use crate::ui::details::group_digits;

/// Values drawn with a marker each when a chart has at most this many (in view).
const MARKERS_UP_TO: usize = 400;

/// `1 s`, `90 s`, `1 min`, `2 h`, `1 day`, `7 days`: a bin's length as people say it.
pub fn human_duration(ns: i64) -> String {
    let units = [
        (NS_PER_DAY, "day"),
        (NS_PER_HOUR, "h"),
        (NS_PER_MIN, "min"),
        (NS_PER_SEC, "s"),
        (1_000_000, "ms"),
        (1, "ns"),
    ];
    for (unit, name) in units {
        if ns >= unit && ns % unit == 0 {
            let n = ns / unit;
            let plural = if name == "day" && n != 1 { "s" } else { "" };
            return format!("{n} {name}{plural}");
        }
    }
    format!("{ns} ns")
}

/// "1 bin = 5 min".
pub fn interval_caption(chart: &Chart) -> String {
    format!("1 bin = {}", human_duration(chart.interval_ns))
}

/// The engine's note when the query's `interval:` was not the one used.
pub fn change_note(chart: &Chart) -> Option<String> {
    let c = chart.changed?;
    Some(if c.widened {
        format!(
            "interval widened from {} to {} ({}-bin limit)",
            human_duration(c.asked),
            human_duration(c.used),
            group_digits(c.max_bins.max(0) as usize)
        )
    } else {
        format!(
            "interval {} snapped to {} (the nearest well-known interval)",
            human_duration(c.asked),
            human_duration(c.used)
        )
    })
}

/// The bins from the first to the last that hold a value in any series.
pub fn data_bins(chart: &Chart) -> Option<Range<usize>> {
    let mut first = usize::MAX;
    let mut last = 0;
    for s in &chart.series {
        for (k, p) in s.points.iter().enumerate() {
            if p.is_some_and(f64::is_finite) {
                first = first.min(k);
                last = last.max(k);
            }
        }
    }
    (first != usize::MAX).then(|| first..last + 1)
}

/// `2024-07-30 21:00 – 2024-08-05 00:00 UTC`.
pub fn span_text(start: i64, end: i64) -> String {
    let short = |t: i64| {
        let s = format_timestamp(t);
        s.get(..16).map_or(s.clone(), |x| x.replace('T', " "))
    };
    format!("{} – {} UTC", short(start), short(end))
}

/// Bins in the chart (the longest series).
pub fn bins(chart: &Chart) -> usize {
    chart
        .series
        .iter()
        .map(|s| s.points.len())
        .max()
        .unwrap_or(0)
}

/// Where to zoom when the values fill less than a third of the bins: their bins and a margin
/// of a tenth of their width (at least two bins) each side. `None`: show every bin.
pub fn zoom(chart: &Chart) -> Option<Range<usize>> {
    let n = bins(chart);
    let data = data_bins(chart)?;
    if data.len() * 3 >= n {
        return None;
    }
    let pad = (data.len() / 10).max(2);
    Some(data.start.saturating_sub(pad)..(data.end + pad).min(n))
}

/// The chart cut to `range` of its bins (the start moves with it).
pub fn slice(chart: &Chart, range: Range<usize>) -> Chart {
    let mut out = chart.clone();
    out.start_ns = chart
        .start_ns
        .saturating_add(chart.interval_ns.saturating_mul(range.start as i64));
    for s in &mut out.series {
        let end = range.end.min(s.points.len());
        let start = range.start.min(end);
        s.points = s.points[start..end].to_vec();
    }
    out
}

/// Whether to mark every value: few values, so each one matters (and lone ones show).
pub fn markers(chart: &Chart) -> bool {
    let values: usize = chart
        .series
        .iter()
        .map(|s| s.points.iter().filter(|p| p.is_some()).count())
        .sum();
    values <= MARKERS_UP_TO
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{IntervalChange, Series};

    fn chart(points: &[Option<f64>]) -> Chart {
        Chart {
            start_ns: 0,
            interval_ns: NS_PER_MIN,
            series: vec![Series {
                name: "a".into(),
                points: points.to_vec(),
            }],
            changed: None,
        }
    }

    #[test]
    fn durations_read_as_people_say_them() {
        for (ns, text) in [
            (NS_PER_SEC, "1 s"),
            (90 * NS_PER_SEC, "90 s"),
            (NS_PER_MIN, "1 min"),
            (2 * NS_PER_HOUR, "2 h"),
            (NS_PER_DAY, "1 day"),
            (7 * NS_PER_DAY, "7 days"),
            (1_500_000, "1500000 ns"),
        ] {
            assert_eq!(human_duration(ns), text);
        }
    }

    #[test]
    fn the_chart_says_when_the_interval_changed() {
        let mut c = chart(&[Some(1.0)]);
        assert_eq!(interval_caption(&c), "1 bin = 1 min");
        assert_eq!(change_note(&c), None);
        c.changed = Some(IntervalChange {
            asked: NS_PER_SEC,
            used: NS_PER_MIN,
            widened: true,
            max_bins: 1500,
        });
        assert_eq!(
            change_note(&c).unwrap(),
            "interval widened from 1 s to 1 min (1,500-bin limit)"
        );
        c.changed = Some(IntervalChange {
            asked: 7 * NS_PER_MIN,
            used: 5 * NS_PER_MIN,
            widened: false,
            max_bins: 1500,
        });
        assert!(change_note(&c)
            .unwrap()
            .starts_with("interval 7 min snapped to 5 min"));
    }

    #[test]
    fn sparse_values_are_zoomed_to_and_marked() {
        let mut points = vec![None; 100];
        points[40] = Some(1.0);
        points[49] = Some(3.0);
        let c = chart(&points);
        assert_eq!(data_bins(&c), Some(40..50));
        assert_eq!(zoom(&c), Some(38..52));
        let z = slice(&c, 38..52);
        assert_eq!(z.start_ns, 38 * NS_PER_MIN);
        assert_eq!(z.series[0].points.len(), 14);
        assert_eq!(z.series[0].points[2], Some(1.0));
        assert!(markers(&c));
        assert_eq!(
            span_text(0, 38 * NS_PER_MIN),
            "1970-01-01 00:00 – 1970-01-01 00:38 UTC"
        );
        let dense = chart(&vec![Some(1.0); 1000]);
        assert_eq!(zoom(&dense), None, "values everywhere: nothing to zoom to");
        assert!(!markers(&dense));
        assert_eq!(zoom(&chart(&[None, None])), None, "no values");
        let mut edge = vec![None; 100];
        edge[0] = Some(1.0);
        edge[1] = Some(1.0);
        assert_eq!(
            zoom(&chart(&edge)),
            Some(0..4),
            "the margin stops at the ends"
        );
    }
}
