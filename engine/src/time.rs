//! Timestamps (nanoseconds since the Unix epoch, UTC) and durations: parsing RFC 3339 text,
//! formatting, calendar arithmetic and DQL duration units. Time zones (`timezone:`) in
//! [`zone`], Java date-time patterns (`formatTimestamp(format:)`) in [`pattern`].

pub mod pattern;
pub mod zone;

pub const NS_PER_SEC: i64 = 1_000_000_000;
pub const NS_PER_MIN: i64 = 60 * NS_PER_SEC;
pub const NS_PER_HOUR: i64 = 60 * NS_PER_MIN;
pub const NS_PER_DAY: i64 = 24 * NS_PER_HOUR;

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

/// The date of a day number (inverse of [`days_from_civil`]).
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719468;
    let era = if z >= 0 { z } else { z - 146096 } / 146097;
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// A moment's calendar date and time of day, read from nanoseconds since the epoch: of UTC, or
/// of a local time (UTC plus a zone's offset, see [`zone::Zone::local`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Civil {
    /// Days since 1970-01-01.
    pub days: i64,
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub nanos_of_day: i64,
}

impl Civil {
    pub fn of(ns: i64) -> Civil {
        let days = ns.div_euclid(NS_PER_DAY);
        let (year, month, day) = civil_from_days(days);
        Civil {
            days,
            year,
            month,
            day,
            nanos_of_day: ns.rem_euclid(NS_PER_DAY),
        }
    }

    pub fn hour(&self) -> i64 {
        self.nanos_of_day / NS_PER_HOUR
    }

    pub fn minute(&self) -> i64 {
        self.nanos_of_day / NS_PER_MIN % 60
    }

    pub fn second(&self) -> i64 {
        self.nanos_of_day / NS_PER_SEC % 60
    }

    pub fn nano(&self) -> i64 {
        self.nanos_of_day % NS_PER_SEC
    }

    /// 1 = Monday … 7 = Sunday (1970-01-01 was a Thursday).
    pub fn weekday(&self) -> i64 {
        (self.days + 3).rem_euclid(7) + 1
    }

    /// 1 to 366.
    pub fn day_of_year(&self) -> i64 {
        self.days - days_from_civil(self.year, 1, 1) + 1
    }

    /// The ISO 8601 week and its year: weeks start on Monday and week 1 holds the year's first
    /// Thursday, so a week's year is that of its Thursday (2021-01-01 is in week 53 of 2020).
    pub fn iso_week(&self) -> (i64, i64) {
        let thursday = self.days - self.weekday() + 4;
        let (year, _, _) = civil_from_days(thursday);
        (year, (thursday - days_from_civil(year, 1, 1)) / 7 + 1)
    }

    /// The week of the month under ISO rules (Java's `WeekFields.ISO`, pattern letter `W`):
    /// weeks start on Monday, and the days before the first Monday are week 1 when there are at
    /// least four of them, else week 0.
    pub fn iso_week_of_month(&self) -> i64 {
        let day = i64::from(self.day);
        let week_start = (day - self.weekday()).rem_euclid(7);
        let offset = if week_start + 1 > 4 {
            7 - week_start
        } else {
            -week_start
        };
        (7 + offset + (day - 1)) / 7
    }
}

/// Parses RFC 3339 / ISO 8601 timestamps as CloudTrail and DQL write them:
/// `2026-11-20T11:30:00Z`, `2026-11-20T11:30:00.123+01:00`, `2019-08-01T09:30:00.000-0400`,
/// `2026-11-20 11:30:00` (UTC assumed), `2026-11-20` (midnight UTC).
/// Why `text` is not a timestamp Trailscope can hold: a valid date outside the nanosecond range
/// (1677-09-21 to 2262-04-11) is said so, not called "not RFC 3339".
pub fn timestamp_problem(what: &str, text: &str) -> String {
    let shown: String = text.chars().take(60).collect();
    let t = text.trim();
    let in_range_year = t
        .get(4..)
        .filter(|_| {
            t.get(..4)
                .is_some_and(|y| y.bytes().all(|b| b.is_ascii_digit()))
        })
        .map(|rest| format!("2000{rest}"));
    if in_range_year.is_some_and(|x| parse_timestamp(&x).is_some()) {
        format!("{what} {shown:?} is a valid time outside the range Trailscope holds (1677-09-21 to 2262-04-11, nanoseconds in 64 bits)")
    } else {
        format!("{what} {shown:?} is not an RFC 3339 timestamp such as \"2026-11-20T11:40:00Z\"")
    }
}

pub fn parse_timestamp(s: &str) -> Option<i64> {
    let b = s.trim().as_bytes();
    let num = |from: usize, len: usize| -> Option<i64> {
        let part = b.get(from..from + len)?;
        part.iter().try_fold(0i64, |acc, c| {
            c.is_ascii_digit().then(|| acc * 10 + i64::from(c - b'0'))
        })
    };
    let year = num(0, 4)?;
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    let month = num(5, 2)? as u32;
    let day = num(8, 2)? as u32;
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    let days = days_from_civil(year, month, day);
    if b.len() == 10 {
        return days.checked_mul(NS_PER_DAY);
    }
    if !matches!(b.get(10), Some(b'T' | b't' | b' ')) || b.get(13) != Some(&b':') {
        return None;
    }
    let hour = num(11, 2)?;
    let minute = num(14, 2)?;
    let (second, mut i) = if b.get(16) == Some(&b':') {
        (num(17, 2)?, 19)
    } else {
        (0, 16)
    };
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut frac_ns = 0i64;
    if matches!(b.get(i), Some(b'.' | b',')) {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            if i - start < 9 {
                frac_ns = frac_ns * 10 + i64::from(b[i] - b'0');
            }
            i += 1;
        }
        if i == start {
            return None;
        }
        for _ in (i - start).min(9)..9 {
            frac_ns *= 10;
        }
    }
    let offset_sec = match b.get(i) {
        None => 0,
        Some(b'Z' | b'z') if i + 1 == b.len() => 0,
        Some(&sign @ (b'+' | b'-')) => {
            let oh = num(i + 1, 2)?;
            let (om, end) = if b.get(i + 3) == Some(&b':') {
                (num(i + 4, 2)?, i + 6)
            } else if b.len() > i + 3 {
                (num(i + 3, 2)?, i + 5)
            } else {
                (0, i + 3)
            };
            if end != b.len() || oh > 23 || om > 59 {
                return None;
            }
            let off = oh * 3600 + om * 60;
            if sign == b'+' {
                off
            } else {
                -off
            }
        }
        _ => return None,
    };
    let secs = days.checked_mul(86400)? + hour * 3600 + minute * 60 + second - offset_sec;
    secs.checked_mul(NS_PER_SEC)?.checked_add(frac_ns)
}

pub fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

pub fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_leap(y) => 29,
        _ => 28,
    }
}

/// RFC 3339 in UTC ending in `Z`; the fraction is left out when zero, else 3, 6 or 9 digits.
pub fn format_timestamp(ns: i64) -> String {
    let secs = ns.div_euclid(NS_PER_SEC);
    let frac = ns.rem_euclid(NS_PER_SEC);
    let days = secs.div_euclid(86400);
    let sod = secs.rem_euclid(86400);
    let (y, m, d) = civil_from_days(days);
    let mut s = format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
        sod / 3600,
        sod / 60 % 60,
        sod % 60
    );
    if frac != 0 {
        if frac % 1_000_000 == 0 {
            s.push_str(&format!(".{:03}", frac / 1_000_000));
        } else if frac % 1000 == 0 {
            s.push_str(&format!(".{:06}", frac / 1000));
        } else {
            s.push_str(&format!(".{frac:09}"));
        }
    }
    s.push('Z');
    s
}

/// A DQL duration unit. Calendar units (`M`, `q`, `y`) have no fixed length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    Fixed(i64),
    Months(i64),
}

/// Resolves a duration unit as DQL writes it; case matters (`m` minutes, `M` months).
pub fn unit(name: &str) -> Option<Unit> {
    Some(match name {
        "ns" => Unit::Fixed(1),
        "us" | "µs" => Unit::Fixed(1_000),
        "ms" => Unit::Fixed(1_000_000),
        "s" | "sec" | "secs" | "second" | "seconds" => Unit::Fixed(NS_PER_SEC),
        "m" | "min" | "mins" | "minute" | "minutes" => Unit::Fixed(NS_PER_MIN),
        "h" | "hr" | "hrs" | "hour" | "hours" => Unit::Fixed(NS_PER_HOUR),
        "d" | "day" | "days" => Unit::Fixed(NS_PER_DAY),
        "w" | "week" | "weeks" => Unit::Fixed(7 * NS_PER_DAY),
        "M" | "month" | "months" => Unit::Months(1),
        "q" | "quarter" | "quarters" => Unit::Months(3),
        "y" | "year" | "years" => Unit::Months(12),
        _ => return None,
    })
}

pub const UNIT_NAMES: &[&str] = &[
    "ns", "us", "ms", "s", "sec", "m", "min", "h", "hr", "d", "day", "w", "M", "q", "y",
];

/// Adds calendar months to a timestamp (UTC), keeping the time of day; a day past the end of the
/// target month becomes its last day (January 31 + 1 month is February 28 or 29), as Java's
/// `plusMonths` does. `None` outside the range of a timestamp.
pub fn add_months(ns: i64, months: i64) -> Option<i64> {
    let days = ns.div_euclid(NS_PER_DAY);
    let rest = ns.rem_euclid(NS_PER_DAY);
    let (y, m, d) = civil_from_days(days);
    let total = y
        .checked_mul(12)?
        .checked_add(i64::from(m) - 1)?
        .checked_add(months)?;
    // Far outside the nanosecond range anyway; keeps the day arithmetic small.
    if !(-12 * 10_000..=12 * 10_000).contains(&total) {
        return None;
    }
    let (ny, nm) = (total.div_euclid(12), (total.rem_euclid(12) + 1) as u32);
    let nd = d.min(days_in_month(ny, nm));
    days_from_civil(ny, nm, nd)
        .checked_mul(NS_PER_DAY)?
        .checked_add(rest)
}

/// Rounds a timestamp down to the start of `count` units (the `@` operator), in UTC.
pub fn align(ns: i64, unit: Unit, count: i64, week_start: Option<u32>) -> i64 {
    match unit {
        Unit::Fixed(len) if len == 7 * NS_PER_DAY => {
            // Weeks start on Monday unless a day (0/7 Sunday, 1 Monday ... 6) is given.
            let days = ns.div_euclid(NS_PER_DAY);
            let weekday = (days + 3).rem_euclid(7); // 0 = Monday (1970-01-01 was a Thursday)
            let start = i64::from(week_start.unwrap_or(1) % 7);
            let start_monday_based = (start + 6) % 7;
            let back = (weekday - start_monday_based).rem_euclid(7);
            (days - back) * NS_PER_DAY
        }
        Unit::Fixed(len) => {
            let step = len * count.max(1);
            if len >= NS_PER_DAY {
                // Days align to midnight; multi-day counts to the epoch grid.
                ns.div_euclid(step) * step
            } else {
                ns.div_euclid(step) * step
            }
        }
        Unit::Months(per) => {
            let days = ns.div_euclid(NS_PER_DAY);
            let (y, m, _) = civil_from_days(days);
            let months = per * count.max(1);
            let idx = (m as i64 - 1) / months * months;
            days_from_civil(y, (idx + 1) as u32, 1) * NS_PER_DAY
        }
    }
}

/// How DQL shows a duration in a table: the largest whole unit (`30 min`, `1 h`, `250 ms`).
pub fn format_duration(ns: i64) -> String {
    let units = [
        (NS_PER_DAY, "d"),
        (NS_PER_HOUR, "h"),
        (NS_PER_MIN, "min"),
        (NS_PER_SEC, "s"),
        (1_000_000, "ms"),
        (1_000, "µs"),
    ];
    if ns != 0 {
        for (len, name) in units {
            if ns % len == 0 {
                return format!("{} {name}", ns / len);
            }
        }
    }
    format!("{ns} ns")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_weeks_at_the_turn_of_the_year() {
        for (date, year, week) in [
            ("2019-08-01", 2019, 31),
            ("2021-01-01", 2020, 53), // a Friday: still in 2020's last week
            ("2021-01-04", 2021, 1),
            ("2024-12-30", 2025, 1), // a Monday: already in 2025's first week
            ("2026-01-01", 2026, 1), // a Thursday
            ("2026-12-31", 2026, 53),
            ("1969-12-31", 1970, 1),
        ] {
            let c = Civil::of(parse_timestamp(date).unwrap());
            assert_eq!(c.iso_week(), (year, week), "{date}");
        }
        // August 2019 began on a Thursday: 1–4 are week 1 (four days), the 5th starts week 2.
        for (date, week) in [("2019-08-01", 1), ("2019-08-04", 1), ("2019-08-05", 2)] {
            assert_eq!(
                Civil::of(parse_timestamp(date).unwrap()).iso_week_of_month(),
                week
            );
        }
        // June 2019 began on a Saturday: the 1st and 2nd are week 0.
        assert_eq!(
            Civil::of(parse_timestamp("2019-06-02").unwrap()).iso_week_of_month(),
            0
        );
    }

    #[test]
    fn parses_and_formats() {
        for (text, want) in [
            ("1970-01-01T00:00:00Z", Some("1970-01-01T00:00:00Z")),
            ("2026-11-20T11:30:00Z", Some("2026-11-20T11:30:00Z")),
            ("2026-11-20T11:30:00.5Z", Some("2026-11-20T11:30:00.500Z")),
            ("2019-08-01T09:30:00.000-0400", Some("2019-08-01T13:30:00Z")),
            ("2019-08-01T09:30:00+01:00", Some("2019-08-01T08:30:00Z")),
            (
                "2024-02-29T23:59:59.123456789Z",
                Some("2024-02-29T23:59:59.123456789Z"),
            ),
            ("2024-02-30T00:00:00Z", None),
            ("2026-11-20", Some("2026-11-20T00:00:00Z")),
            ("2026-11-20 01:02:03", Some("2026-11-20T01:02:03Z")),
            ("1969-12-31T23:59:59.999Z", Some("1969-12-31T23:59:59.999Z")),
            ("not a time", None),
            ("2026-11-20T11:30:00Zjunk", None),
        ] {
            assert_eq!(
                parse_timestamp(text).map(format_timestamp).as_deref(),
                want,
                "{text}"
            );
        }
    }

    #[test]
    fn calendar() {
        let t = parse_timestamp("2026-01-31T10:00:00Z").unwrap();
        assert_eq!(
            format_timestamp(add_months(t, 1).unwrap()),
            "2026-02-28T10:00:00Z"
        );
        let leap = parse_timestamp("2024-01-31T10:00:00Z").unwrap();
        assert_eq!(
            format_timestamp(add_months(leap, 1).unwrap()),
            "2024-02-29T10:00:00Z"
        );
        assert_eq!(
            format_timestamp(add_months(leap, -2).unwrap()),
            "2023-11-30T10:00:00Z"
        );
        let feb29 = parse_timestamp("2024-02-29T00:00:00Z").unwrap();
        assert_eq!(
            format_timestamp(add_months(feb29, 12).unwrap()),
            "2025-02-28T00:00:00Z"
        );
        assert_eq!(
            format_timestamp(add_months(feb29, -48).unwrap()),
            "2020-02-29T00:00:00Z"
        );
        assert_eq!(add_months(t, 12 * 300), None);
        assert_eq!(add_months(i64::MAX, 1), None);
        assert_eq!(add_months(i64::MIN, -1), None);
        assert_eq!(add_months(0, i64::MAX), None);
        assert_eq!(
            format_timestamp(align(t, Unit::Months(1), 1, None)),
            "2026-01-01T00:00:00Z"
        );
        // 2026-11-26 is a Thursday; the week (Monday start) began on the 23rd.
        let t = parse_timestamp("2026-11-26T15:00:00Z").unwrap();
        assert_eq!(
            format_timestamp(align(t, Unit::Fixed(7 * NS_PER_DAY), 1, None)),
            "2026-11-23T00:00:00Z"
        );
        assert_eq!(
            format_timestamp(align(t, Unit::Fixed(NS_PER_HOUR), 6, None)),
            "2026-11-26T12:00:00Z"
        );
        assert_eq!(format_duration(30 * NS_PER_MIN), "30 min");
    }
}
