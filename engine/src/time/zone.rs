//! Time zones, as Dynatrace's `timezone:` parameters name them (Java's `ZoneId`): an IANA zone
//! (`Europe/Berlin`, `US/Eastern`; any case), `UTC`/`GMT`/`UT`, a fixed offset (`Z`,
//! `+02:00`, `-0530`, `+2`) or one of those prefixes with an offset (`UTC+2`, `GMT-05:00`).
//! The IANA database is jiff's bundled copy, the same in wasm32 as natively (no system files).
//! Timestamps stay `i64` nanoseconds; a zone only gives the offset at a moment.

use std::borrow::Cow;
use std::cell::RefCell;

use jiff::tz::{Offset, TimeZone};
use jiff::Timestamp;

use super::NS_PER_SEC;

/// A time zone and the name it is shown by (the `VV` pattern letter).
#[derive(Clone, Debug)]
pub struct Zone {
    name: Cow<'static, str>,
    tz: TimeZone,
}

impl Zone {
    pub const UTC: Zone = Zone {
        name: Cow::Borrowed("UTC"),
        tz: TimeZone::UTC,
    };

    /// A zone by its name; `None` if there is no such zone.
    pub fn parse(text: &str) -> Option<Zone> {
        if text.is_empty() || text.len() > 64 {
            return None;
        }
        if let Some(seconds) = offset(text) {
            let name = if seconds == 0 && text == "Z" {
                "Z".to_string()
            } else {
                offset_id(seconds)
            };
            return fixed(name, seconds);
        }
        for prefix in ["UTC", "GMT", "UT"] {
            if let Some(rest) = text.strip_prefix(prefix) {
                if rest.is_empty() {
                    return fixed(prefix.to_string(), 0);
                }
                // `UTC+2`, but not `UTC+Z` or `UTC2`.
                if rest.starts_with(['+', '-']) {
                    let seconds = offset(rest)?;
                    let id = if seconds == 0 {
                        prefix.to_string()
                    } else {
                        format!("{prefix}{}", offset_id(seconds))
                    };
                    return fixed(id, seconds);
                }
            }
        }
        // Region names: letters, digits and `/ _ - + .` (so no path tricks reach the lookup).
        let region = text.starts_with(|c: char| c.is_ascii_alphabetic())
            && text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"/_-+.".contains(&b))
            && !text.contains("..");
        if !region {
            return None;
        }
        let tz = TimeZone::get(text).ok()?;
        let name = tz.iana_name().unwrap_or(text).to_string();
        Some(Zone {
            name: name.into(),
            tz,
        })
    }

    /// The zone a `timezone:` argument names, remembered per thread: every row names the same
    /// zone, and the lookup parses the zone's rules.
    pub fn named(text: &str) -> Option<Zone> {
        thread_local! {
            static LAST: RefCell<Option<(String, Option<Zone>)>> = const { RefCell::new(None) };
        }
        LAST.with(|last| {
            let mut last = last.borrow_mut();
            match &*last {
                Some((t, z)) if t == text => z.clone(),
                _ => {
                    let z = Zone::parse(text);
                    *last = Some((text.to_string(), z.clone()));
                    z
                }
            }
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The zone's offset from UTC at a moment, in seconds.
    pub fn offset_seconds(&self, t: i64) -> i32 {
        self.tz.to_offset(timestamp(t)).seconds()
    }

    /// The moment's local time, as nanoseconds since 1970-01-01 of that clock (what
    /// [`super::Civil::of`] reads); `None` at the very ends of the range.
    pub fn local(&self, t: i64) -> Option<i64> {
        t.checked_add(i64::from(self.offset_seconds(t)) * NS_PER_SEC)
    }

    /// The moment a local time of this zone names (nanoseconds since 1970-01-01 of its clock,
    /// as [`Zone::local`] gives them), as Java's `ZonedDateTime.of` resolves it: a time in a
    /// daylight-saving gap moves forward by the gap, one of an overlap takes the earlier
    /// offset. `None` outside the timestamp range. (For `timestamp(…, timezone:)`.)
    pub fn from_local(&self, local: i64) -> Option<i64> {
        let civil = TimeZone::UTC.to_datetime(timestamp(local));
        let t = self.tz.to_ambiguous_timestamp(civil).compatible().ok()?;
        i64::try_from(t.as_nanosecond()).ok()
    }

    /// The zone's abbreviation at a moment (`CEST`, `EDT`, `UTC`; some zones have numeric ones
    /// such as `+03`).
    pub fn abbreviation(&self, t: i64) -> String {
        self.tz
            .to_offset_info(timestamp(t))
            .abbreviation()
            .to_string()
    }
}

fn fixed(name: String, seconds: i32) -> Option<Zone> {
    let off = Offset::from_seconds(seconds).ok()?;
    Some(Zone {
        name: name.into(),
        tz: TimeZone::fixed(off),
    })
}

fn timestamp(t: i64) -> Timestamp {
    // Every i64 of nanoseconds is inside jiff's range (years -9999 to 9999).
    Timestamp::from_nanosecond(i128::from(t)).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// `Z`, `+h`, `+hh`, `+hh:mm`, `+hhmm`, `+hh:mm:ss`, `+hhmmss` (Java's `ZoneOffset.of`), up to
/// ±18:00; seconds east of UTC.
fn offset(text: &str) -> Option<i32> {
    if text == "Z" {
        return Some(0);
    }
    let sign = match text.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let rest = &text[1..];
    let digits = |s: &str| -> Option<i32> {
        (s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let (h, m, s) = match rest.len() {
        1 if rest.bytes().all(|b| b.is_ascii_digit()) => (rest.parse().ok()?, 0, 0),
        2 => (digits(rest)?, 0, 0),
        4 => (digits(&rest[..2])?, digits(&rest[2..])?, 0),
        5 if &rest[2..3] == ":" => (digits(&rest[..2])?, digits(&rest[3..])?, 0),
        6 => (
            digits(&rest[..2])?,
            digits(&rest[2..4])?,
            digits(&rest[4..])?,
        ),
        8 if &rest[2..3] == ":" && &rest[5..6] == ":" => (
            digits(&rest[..2])?,
            digits(&rest[3..5])?,
            digits(&rest[6..])?,
        ),
        _ => return None,
    };
    if h > 18 || m > 59 || s > 59 || (h == 18 && (m > 0 || s > 0)) {
        return None;
    }
    Some(sign * (h * 3600 + m * 60 + s))
}

/// An offset as Java's `ZoneOffset` names it: `Z`, `+02:00`, `-05:30:15`.
fn offset_id(seconds: i32) -> String {
    if seconds == 0 {
        return "Z".into();
    }
    let sign = if seconds < 0 { '-' } else { '+' };
    let a = seconds.unsigned_abs();
    let (h, m, s) = (a / 3600, a / 60 % 60, a % 60);
    if s == 0 {
        format!("{sign}{h:02}:{m:02}")
    } else {
        format!("{sign}{h:02}:{m:02}:{s:02}")
    }
}

/// The zone name closest to an unknown one, for a "did you mean" hint.
pub fn closest(text: &str) -> Option<String> {
    let names: Vec<String> = jiff::tz::db()
        .available()
        .map(|n| n.as_str().to_string())
        .collect();
    crate::diag::did_you_mean(text, names.iter().map(String::as_str)).map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::parse_timestamp;

    #[test]
    fn names_and_offsets() {
        let summer = parse_timestamp("2019-08-01T13:30:00Z").unwrap();
        let winter = parse_timestamp("2019-01-15T13:30:00Z").unwrap();
        for (name, shown, summer_off, winter_off) in [
            ("Europe/Berlin", "Europe/Berlin", 7200, 3600),
            ("europe/berlin", "Europe/Berlin", 7200, 3600),
            ("US/Eastern", "US/Eastern", -14400, -18000),
            ("America/New_York", "America/New_York", -14400, -18000),
            ("Asia/Kolkata", "Asia/Kolkata", 19800, 19800),
            ("UTC", "UTC", 0, 0),
            ("GMT", "GMT", 0, 0),
            ("Z", "Z", 0, 0),
            ("+02:00", "+02:00", 7200, 7200),
            ("-0530", "-05:30", -19800, -19800),
            ("+2", "+02:00", 7200, 7200),
            ("UTC+2", "UTC+02:00", 7200, 7200),
            ("GMT-05:00", "GMT-05:00", -18000, -18000),
        ] {
            let z = Zone::parse(name).unwrap_or_else(|| panic!("{name}"));
            assert_eq!(z.name(), shown, "{name}");
            assert_eq!(z.offset_seconds(summer), summer_off, "{name}");
            assert_eq!(z.offset_seconds(winter), winter_off, "{name}");
        }
        for bad in [
            "Mars/Olympus",
            "",
            "+19:00",
            "UTC2",
            "+2:00",
            "../../etc/passwd",
            "Europe/../Berlin",
            "/etc/localtime",
        ] {
            assert!(Zone::parse(bad).is_none(), "{bad}");
        }
        let berlin = Zone::parse("Europe/Berlin").unwrap();
        // Local times back to moments: plain, in the spring gap (02:30 does not exist on
        // 2026-03-29: it is read as 03:30 CEST) and in the autumn overlap (the earlier, CEST).
        for (local, moment) in [
            ("2019-08-01T15:30:00Z", "2019-08-01T13:30:00Z"),
            ("2026-03-29T02:30:00Z", "2026-03-29T01:30:00Z"),
            ("2026-10-25T02:30:00Z", "2026-10-25T00:30:00Z"),
        ] {
            let l = parse_timestamp(local).unwrap();
            assert_eq!(berlin.from_local(l), parse_timestamp(moment), "{local}");
        }
        assert_eq!(berlin.abbreviation(summer), "CEST");
        assert_eq!(berlin.abbreviation(winter), "CET");
        assert_eq!(closest("Europe/Berln").as_deref(), Some("Europe/Berlin"));
        // The very ends of the range do not panic.
        assert!(berlin.local(i64::MAX).is_none());
        assert_eq!(berlin.offset_seconds(i64::MIN), 3208);
    }
}
