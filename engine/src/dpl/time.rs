//! Time and date matchers: `TIMESTAMP('format')` with Java-style format letters, and the fixed
//! forms `ISO8601`, `JSONTIMESTAMP`, `HTTPDATE`. A format is compiled once into a list of
//! fields; matching reads each field from the text, then converts to nanoseconds UTC.
//!
//! Differences from Dynatrace, by design: English month and day names only (no `locale`), and
//! time zones as offsets (`+0200`, `-05:00`, `Z`) or the common abbreviations (`UTC`, `CET`,
//! `PST`, …): there is no time zone database in the engine, so `Europe/Vienna` is refused
//! when the pattern is compiled.

use crate::time::{days_from_civil, days_in_month, NS_PER_SEC};

/// A compiled format.
#[derive(Clone, Debug)]
pub struct TimeFormat {
    items: Vec<Field>,
    /// Offset of the time zone to use when the text gives none, in seconds east of UTC.
    default_offset: i64,
}

#[derive(Clone, Debug)]
enum Field {
    /// `y`: width (2 = two-digit year in 1932–2031, 4 = four digits, else any length).
    Year(usize),
    Month(usize),
    Day(usize),
    /// `H` (0–23); `k` (1–24) is read the same way.
    Hour(usize),
    /// `h` (1–12) or `K` (0–11): with `a`.
    Hour12(usize),
    Minute(usize),
    Second(usize),
    /// `S`: milliseconds (1–3 letters: a count of milliseconds; 4 or more: a fraction).
    Millis(usize),
    /// `f`: a fraction of a second (up to 9 digits, millisecond precision).
    Fraction,
    AmPm,
    /// `E`: a day name, read and ignored.
    DayName,
    /// `G`: AD/BC, read and ignored.
    Era,
    /// `z`, `Z`, `X`.
    Zone {
        optional: bool,
    },
    /// `u`, `D`, `w`, `W`, `F`: numbers read and ignored.
    Skip(usize),
    /// `.123`: an optional fraction (ISO 8601).
    OptFraction,
    Lit(String),
    /// `s` alone: seconds since the epoch (with `s.S…`, a fraction after the dot).
    EpochSeconds,
    /// `S` alone: milliseconds since the epoch.
    EpochMillis,
}

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];
const DAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// Zone abbreviations and their offsets in minutes.
const ZONES: &[(&str, i64)] = &[
    ("UTC", 0),
    ("GMT", 0),
    ("UT", 0),
    ("Z", 0),
    ("WET", 0),
    ("WEST", 60),
    ("BST", 60),
    ("CET", 60),
    ("CEST", 120),
    ("MET", 60),
    ("MEST", 120),
    ("EET", 120),
    ("EEST", 180),
    ("MSK", 180),
    ("IST", 330),
    ("JST", 540),
    ("KST", 540),
    ("HKT", 480),
    ("AWST", 480),
    ("ACST", 570),
    ("AEST", 600),
    ("AEDT", 660),
    ("NZST", 720),
    ("NZDT", 780),
    ("HST", -600),
    ("AKST", -540),
    ("AKDT", -480),
    ("PST", -480),
    ("PDT", -420),
    ("MST", -420),
    ("MDT", -360),
    ("CST", -360),
    ("CDT", -300),
    ("EST", -300),
    ("EDT", -240),
    ("AST", -240),
    ("ADT", -180),
    ("NST", -210),
];

impl TimeFormat {
    /// `TIMESTAMP`'s default: `yyyy-MM-dd HH:mm:ss`.
    pub fn default_format() -> TimeFormat {
        TimeFormat::compile("yyyy-MM-dd HH:mm:ss", 0).unwrap_or_else(|_| TimeFormat {
            items: Vec::new(),
            default_offset: 0,
        })
    }

    /// `yyyy-MM-ddTHH:mm:ss`, an optional fraction and an optional zone (`Z`, `+01:00`).
    pub fn iso8601() -> TimeFormat {
        let mut f =
            TimeFormat::compile("yyyy-MM-dd'T'HH:mm:ss", 0).unwrap_or_else(|_| TimeFormat {
                items: Vec::new(),
                default_offset: 0,
            });
        f.items.push(Field::OptFraction);
        f.items.push(Field::Zone { optional: true });
        f
    }

    /// `yyyy-MM-ddTHH:mm:ss.SSS` and a zone (`Z`, `+0100`, `PST`).
    pub fn json_timestamp() -> TimeFormat {
        let mut f =
            TimeFormat::compile("yyyy-MM-dd'T'HH:mm:ss.SSS", 0).unwrap_or_else(|_| TimeFormat {
                items: Vec::new(),
                default_offset: 0,
            });
        f.items.push(Field::Zone { optional: true });
        f
    }

    /// `dd/MMM/yyyy:HH:mm:ss Z` (`26/Dec/2018:02:59:40 +0100`).
    pub fn http_date() -> TimeFormat {
        TimeFormat::compile("dd/MMM/yyyy:HH:mm:ss Z", 0).unwrap_or_else(|_| TimeFormat {
            items: Vec::new(),
            default_offset: 0,
        })
    }

    /// Compiles a Java-style format; the error names the offending letter (byte offset in the
    /// format) and what is wrong.
    pub fn compile(format: &str, default_offset: i64) -> Result<TimeFormat, (usize, String)> {
        let t = format.trim();
        if t == "s" || t.starts_with("s.") && t[2..].chars().all(|c| c == 'S') && t.len() > 2 {
            let mut items = vec![Field::EpochSeconds];
            if t.len() > 2 {
                items.push(Field::Lit(".".into()));
                items.push(Field::Fraction);
            }
            return Ok(TimeFormat {
                items,
                default_offset: 0,
            });
        }
        if t == "S" {
            return Ok(TimeFormat {
                items: vec![Field::EpochMillis],
                default_offset: 0,
            });
        }
        let b = format.as_bytes();
        let mut items = Vec::new();
        let mut i = 0;
        while i < b.len() {
            let c = b[i];
            if c == b'\'' {
                // 'text' is literal; '' is a quote.
                if b.get(i + 1) == Some(&b'\'') {
                    push_lit(&mut items, "'");
                    i += 2;
                    continue;
                }
                match format[i + 1..].find('\'') {
                    Some(k) => {
                        push_lit(&mut items, &format[i + 1..i + 1 + k]);
                        i += k + 2;
                    }
                    None => return Err((i, "a quote in the time format is not closed".into())),
                }
                continue;
            }
            if !c.is_ascii_alphabetic() {
                let ch = format[i..].chars().next().unwrap_or('?');
                let mut buf = [0u8; 4];
                push_lit(&mut items, ch.encode_utf8(&mut buf));
                i += ch.len_utf8();
                continue;
            }
            let n = b[i..].iter().take_while(|&&x| x == c).count();
            let field = match c {
                b'y' | b'Y' => Field::Year(n),
                b'M' | b'L' => Field::Month(n),
                b'd' => Field::Day(n),
                b'H' | b'k' => Field::Hour(n),
                b'h' | b'K' => Field::Hour12(n),
                b'm' => Field::Minute(n),
                b's' => Field::Second(n),
                b'S' => Field::Millis(n),
                b'f' => Field::Fraction,
                b'a' => Field::AmPm,
                b'E' => Field::DayName,
                b'G' => Field::Era,
                b'z' | b'Z' | b'X' => Field::Zone { optional: false },
                b'u' | b'D' | b'w' | b'W' | b'F' => Field::Skip(n),
                _ => {
                    return Err((
                        i,
                        format!(
                            "expected a time format letter (y M d H h k K m s S f a E z Z X), found `{}`",
                            c as char
                        ),
                    ))
                }
            };
            items.push(field);
            i += n;
        }
        if items.is_empty() {
            return Err((
                0,
                "expected a time format such as 'yyyy-MM-dd HH:mm:ss', found nothing".into(),
            ));
        }
        Ok(TimeFormat {
            items,
            default_offset,
        })
    }

    /// Reads a timestamp at `pos` (not past `end`): its end and nanoseconds since the epoch.
    pub fn parse(&self, text: &str, pos: usize, end: usize) -> Option<(usize, i64)> {
        let b = &text.as_bytes()[..end];
        let mut i = pos;
        let (mut year, mut month, mut day) = (1970i64, 1u32, 1u32);
        let (mut hour, mut minute, mut second, mut nanos) = (0i64, 0i64, 0i64, 0i64);
        let mut offset: Option<i64> = None;
        let mut pm: Option<bool> = None;
        let mut hour12: Option<i64> = None;
        for f in &self.items {
            match f {
                Field::Lit(s) => {
                    if b.get(i..i + s.len())? != s.as_bytes() {
                        return None;
                    }
                    i += s.len();
                }
                Field::Year(n) => {
                    let (e, v, digits) = number(b, i, *n, 9)?;
                    year = if (*n == 2 || *n == 1) && digits <= 2 {
                        if v < 32 {
                            2000 + v
                        } else {
                            1900 + v
                        }
                    } else {
                        v
                    };
                    i = e;
                }
                Field::Month(n) if *n >= 3 => {
                    let (e, m) = name(b, i, &MONTHS)?;
                    month = m as u32 + 1;
                    i = e;
                }
                Field::Month(n) => {
                    let (e, v, _) = number(b, i, *n, 2)?;
                    month = u32::try_from(v).ok()?;
                    i = e;
                }
                Field::Day(n) => {
                    let (e, v, _) = number(b, i, *n, 2)?;
                    day = u32::try_from(v).ok()?;
                    i = e;
                }
                Field::Hour(n) => {
                    let (e, v, _) = number(b, i, *n, 2)?;
                    hour = if v == 24 { 0 } else { v };
                    i = e;
                }
                Field::Hour12(n) => {
                    let (e, v, _) = number(b, i, *n, 2)?;
                    hour12 = Some(v % 12);
                    i = e;
                }
                Field::Minute(n) => {
                    let (e, v, _) = number(b, i, *n, 2)?;
                    minute = v;
                    i = e;
                }
                Field::Second(n) => {
                    let (e, v, _) = number(b, i, *n, 2)?;
                    second = v;
                    i = e;
                }
                Field::Millis(n) if *n <= 3 => {
                    // A count of milliseconds: `.1000` is one second (as Dynatrace documents).
                    let (e, v, _) = number(b, i, *n, 9)?;
                    nanos = v * 1_000_000;
                    i = e;
                }
                Field::Millis(n) => {
                    let (e, ns) = fraction(b, i, *n)?;
                    nanos = ns;
                    i = e;
                }
                Field::Fraction => {
                    let (e, ns) = fraction(b, i, 9)?;
                    nanos = ns;
                    i = e;
                }
                Field::OptFraction => {
                    if b.get(i) == Some(&b'.') || b.get(i) == Some(&b',') {
                        let (e, ns) = fraction(b, i + 1, 9)?;
                        nanos = ns;
                        i = e;
                    }
                }
                Field::AmPm => {
                    let rest = b.get(i..i + 2)?;
                    pm = Some(if rest.eq_ignore_ascii_case(b"pm") {
                        true
                    } else if rest.eq_ignore_ascii_case(b"am") {
                        false
                    } else {
                        return None;
                    });
                    i += 2;
                }
                Field::DayName => {
                    i = name(b, i, &DAYS)?.0;
                }
                Field::Era => {
                    let rest = b.get(i..i + 2)?;
                    if !rest.eq_ignore_ascii_case(b"AD") && !rest.eq_ignore_ascii_case(b"BC") {
                        return None;
                    }
                    i += 2;
                }
                Field::Zone { optional } => match zone(b, i) {
                    Some((e, off)) => {
                        offset = Some(off);
                        i = e;
                    }
                    None if *optional => {}
                    None => return None,
                },
                Field::Skip(n) => {
                    i = number(b, i, *n, 9)?.0;
                }
                Field::EpochSeconds => {
                    let (e, v, _) = number(b, i, 1, 12)?;
                    let neg = v < 0;
                    i = e;
                    let mut ns = v.checked_mul(NS_PER_SEC)?;
                    if let [_, Field::Lit(_), Field::Fraction] = &self.items[..] {
                        if b.get(i) == Some(&b'.') {
                            let (e, f) = fraction(b, i + 1, 9)?;
                            ns += if neg { -f } else { f };
                            i = e;
                        }
                    }
                    return Some((i, ns));
                }
                Field::EpochMillis => {
                    let (e, v, _) = number(b, i, 1, 15)?;
                    return Some((e, v.checked_mul(1_000_000)?));
                }
            }
        }
        if let Some(h) = hour12 {
            hour = h + if pm == Some(true) { 12 } else { 0 };
        } else if pm == Some(true) && hour < 12 {
            hour += 12;
        }
        if !(1..=12).contains(&month)
            || day < 1
            || day > days_in_month(year, month)
            || !(0..24).contains(&hour)
            || !(0..60).contains(&minute)
            || !(0..61).contains(&second)
        {
            return None;
        }
        let days = days_from_civil(year, month, day);
        let secs = days
            .checked_mul(86_400)?
            .checked_add(hour * 3600 + minute * 60 + second)?
            .checked_sub(offset.unwrap_or(self.default_offset))?;
        let ns = secs.checked_mul(NS_PER_SEC)?.checked_add(nanos)?;
        Some((i, ns))
    }
}

fn push_lit(items: &mut Vec<Field>, s: &str) {
    if let Some(Field::Lit(prev)) = items.last_mut() {
        prev.push_str(s);
    } else {
        items.push(Field::Lit(s.to_string()));
    }
}

/// Digits for a field of `n` letters: 2–4 letters read exactly that many, others up to
/// `max` (an optional sign for the epoch forms). The end, the value and the digit count.
fn number(b: &[u8], pos: usize, n: usize, max: usize) -> Option<(usize, i64, usize)> {
    let mut i = pos;
    let neg = max > 9 && b.get(i) == Some(&b'-');
    if neg {
        i += 1;
    }
    let start = i;
    let want = if (2..=4).contains(&n) { n } else { max };
    let mut v: i64 = 0;
    while i < b.len() && i - start < want && b[i].is_ascii_digit() {
        v = v * 10 + (b[i] - b'0') as i64;
        i += 1;
    }
    let digits = i - start;
    if digits == 0 || ((2..=4).contains(&n) && digits != n) {
        return None;
    }
    Some((i, if neg { -v } else { v }, digits))
}

/// Up to `max` digits as a fraction of a second, in nanoseconds at millisecond precision.
fn fraction(b: &[u8], pos: usize, max: usize) -> Option<(usize, i64)> {
    let mut i = pos;
    let mut ns: i64 = 0;
    let mut scale: i64 = 100_000_000;
    while i < b.len() && i - pos < max && b[i].is_ascii_digit() {
        ns += (b[i] - b'0') as i64 * scale;
        scale /= 10;
        i += 1;
    }
    if i == pos {
        return None;
    }
    // Further digits are read and dropped.
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    Some((i, ns - ns % 1_000_000))
}

/// A month or day name, full or its first three letters, any case: the end and the index.
fn name(b: &[u8], pos: usize, names: &[&str]) -> Option<(usize, usize)> {
    let rest = &b[pos.min(b.len())..];
    for (k, n) in names.iter().enumerate() {
        if rest.len() >= n.len() && rest[..n.len()].eq_ignore_ascii_case(n.as_bytes()) {
            return Some((pos + n.len(), k));
        }
    }
    for (k, n) in names.iter().enumerate() {
        if rest.len() >= 3 && rest[..3].eq_ignore_ascii_case(&n.as_bytes()[..3]) {
            return Some((pos + 3, k));
        }
    }
    None
}

/// A time zone: `Z`, `+02`, `+0200`, `+02:00`, `UTC+2`, `GMT-05:00`, or an abbreviation.
/// The end and the offset in seconds east of UTC.
pub fn zone(b: &[u8], pos: usize) -> Option<(usize, i64)> {
    let rest = &b[pos.min(b.len())..];
    if let Some(r) = offset(b, pos) {
        return Some(r);
    }
    let letters = rest.iter().take_while(|c| c.is_ascii_alphabetic()).count();
    let word = std::str::from_utf8(&rest[..letters]).ok()?;
    let &(_, minutes) = ZONES.iter().find(|(z, _)| z.eq_ignore_ascii_case(word))?;
    let e = pos + letters;
    if minutes == 0 {
        // `GMT+02:00`, `UTC-5`.
        if let Some((e2, off)) = offset(b, e) {
            return Some((e2, off));
        }
    }
    Some((e, minutes * 60))
}

fn offset(b: &[u8], pos: usize) -> Option<(usize, i64)> {
    let sign = match b.get(pos)? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let two = |i: usize| -> Option<i64> {
        let d = b.get(i..i + 2)?;
        d.iter()
            .all(u8::is_ascii_digit)
            .then(|| ((d[0] - b'0') * 10 + (d[1] - b'0')) as i64)
    };
    let one = |i: usize| {
        b.get(i)
            .filter(|c| c.is_ascii_digit())
            .map(|c| (c - b'0') as i64)
    };
    let (h, mut i) = match two(pos + 1) {
        Some(h) => (h, pos + 3),
        None => (one(pos + 1)?, pos + 2),
    };
    let mut m = 0;
    if b.get(i) == Some(&b':') {
        if let Some(v) = two(i + 1) {
            m = v;
            i += 3;
        }
    } else if let Some(v) = two(i) {
        m = v;
        i += 2;
    }
    if h > 18 || m > 59 {
        return None;
    }
    Some((i, sign * (h * 3600 + m * 60)))
}

/// A `timezone=`/`tz=` configuration value: its offset in seconds, or why it is refused.
pub fn zone_config(name: &str) -> Result<i64, String> {
    let t = name.trim();
    match zone(t.as_bytes(), 0) {
        Some((e, off)) if e == t.len() => Ok(off),
        _ => Err(format!(
            "expected a time zone offset such as '+01:00' or an abbreviation such as 'UTC' or 'CET', found {t:?}: Trailscope carries no time zone database"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::format_timestamp;

    fn ts(format: &str, text: &str) -> Option<String> {
        let f = TimeFormat::compile(format, 0).unwrap();
        f.parse(text, 0, text.len())
            .map(|(_, ns)| format_timestamp(ns))
    }

    #[test]
    fn documented_examples() {
        // https://docs.dynatrace.com/docs/platform/grail/dynatrace-pattern-language/log-processing-time-date
        let cases = [
            (
                "yyyy M d H:m:s Z",
                "2019 1 23 1:35:47 +0200",
                "2019-01-22T23:35:47Z",
            ),
            (
                "yyyy-MM-dd HH:mm:ss",
                "2019-01-23 01:35:47",
                "2019-01-23T01:35:47Z",
            ),
            (
                "EEE, MMM d yyyy H:m:s.SSS Z",
                "Wed, Jan 1 2019 1:35:47.236 CET",
                "2019-01-01T00:35:47.236Z",
            ),
            (
                "MMMM d'th' yyyy, HH:mm:ss.S",
                "January 16th 2020, 23:56:10.933",
                "2020-01-16T23:56:10.933Z",
            ),
            (
                "M/d/yy H:m:s a Z",
                "1/23/19 1:13:47 PM EST",
                "2019-01-23T18:13:47Z",
            ),
            ("s", "1576590440", "2019-12-17T13:47:20Z"),
            ("S", "1576590440679", "2019-12-17T13:47:20.679Z"),
            ("s.S", "1576590440.679", "2019-12-17T13:47:20.679Z"),
            ("s.SSSSSS", "1576590440.678599", "2019-12-17T13:47:20.678Z"),
            (
                "yyyy-MM-dd HH:mm:ss.S",
                "2019-01-01 00:00:00.1000",
                "2019-01-01T00:00:01Z",
            ),
            (
                "yyyy-MM-dd HH:mm:ss.f",
                "2019-01-01 00:00:00.44456789",
                "2019-01-01T00:00:00.444Z",
            ),
        ];
        for (f, text, want) in cases {
            assert_eq!(ts(f, text).as_deref(), Some(want), "{f} on {text}");
        }
        let h = TimeFormat::http_date();
        let text = "26/Dec/2018:02:59:40 +0100";
        assert_eq!(
            h.parse(text, 0, text.len())
                .map(|(e, ns)| (e, format_timestamp(ns))),
            Some((26, "2018-12-26T01:59:40Z".to_string()))
        );
        let j = TimeFormat::json_timestamp();
        let text = "2019-01-01T01:01:01.123PST";
        assert_eq!(
            j.parse(text, 0, text.len())
                .map(|(_, ns)| format_timestamp(ns)),
            Some("2019-01-01T09:01:01.123Z".to_string())
        );
    }

    #[test]
    fn refusals() {
        assert_eq!(ts("yyyy-MM-dd", "2019-13-01"), None);
        assert_eq!(ts("yyyy-MM-dd", "2019-02-30"), None);
        assert_eq!(ts("yyyy-MM-dd", "19-02-03"), None);
        assert!(TimeFormat::compile("yyyy-QQ", 0).is_err());
        assert!(zone_config("Europe/Vienna").is_err());
        assert_eq!(zone_config("PST"), Ok(-8 * 3600));
        assert_eq!(zone_config("+05:30"), Ok(5 * 3600 + 1800));
    }
}
