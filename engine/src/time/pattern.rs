//! Java `DateTimeFormatter` patterns, which Dynatrace's `formatTimestamp(format:)` takes
//! (<https://docs.oracle.com/javase/8/docs/api/java/time/format/DateTimeFormatter.html>): the
//! pattern letters and counts of `DateTimeFormatterBuilder.appendPattern`, `'quoted'` text, `''`
//! for a quote, `[optional]` sections (everything is available when formatting, so their
//! contents print), `p` padding; letters A–Z and a–z are reserved, other characters print as
//! they are, `{ } #` are refused. Names are English whatever the locale, and the week-based
//! fields (`Y w W e c`) follow ISO 8601 (weeks from Monday, week 1 with four days or more), as
//! `getWeekOfYear` does.

use std::cell::RefCell;
use std::rc::Rc;

use super::zone::Zone;
use super::{Civil, NS_PER_SEC};

/// A parsed pattern.
#[derive(Debug, PartialEq, Eq)]
pub struct Pattern {
    items: Vec<Item>,
}

#[derive(Debug, PartialEq, Eq)]
enum Item {
    Text(String),
    /// A pattern letter repeated `count` times, padded with spaces to `pad` (`p`).
    Field {
        letter: char,
        count: usize,
        pad: usize,
    },
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// The most letters each pattern letter takes (Java's limits); `None` for letters Trailscope
/// does not format.
fn max_count(letter: char) -> Option<usize> {
    Some(match letter {
        'y' | 'u' | 'Y' | 'n' | 'N' | 'A' => 19,
        'G' | 'M' | 'L' | 'Q' | 'q' | 'E' | 'e' | 'c' | 'X' | 'x' | 'Z' => 5,
        'z' | 'O' | 'v' => 4,
        'D' => 3,
        'd' | 'h' | 'H' | 'k' | 'K' | 'm' | 's' | 'w' | 'V' => 2,
        'W' | 'F' | 'a' => 1,
        'S' => 9,
        _ => return None,
    })
}

impl Pattern {
    /// Reads a pattern; the error says what is wrong, as Java would refuse it.
    pub fn parse(pattern: &str) -> Result<Pattern, String> {
        let chars: Vec<char> = pattern.chars().collect();
        let mut items: Vec<Item> = Vec::new();
        let mut text = String::new();
        let mut optional = 0usize;
        let mut i = 0;
        let flush = |text: &mut String, items: &mut Vec<Item>| {
            if !text.is_empty() {
                items.push(Item::Text(std::mem::take(text)));
            }
        };
        while i < chars.len() {
            let c = chars[i];
            if c.is_ascii_alphabetic() {
                let run = |from: usize| {
                    chars[from..]
                        .iter()
                        .take_while(|&&x| x == chars[from])
                        .count()
                };
                let mut count = run(i);
                let mut letter = c;
                let mut pad = 0;
                i += count;
                if c == 'p' {
                    match chars.get(i) {
                        Some(&n) if n.is_ascii_alphabetic() && n != 'p' => {
                            pad = count;
                            letter = n;
                            count = run(i);
                            i += count;
                        }
                        _ => {
                            return Err(
                                "the pad letter `p` must come before a pattern letter, as in `ppH`"
                                    .into(),
                            )
                        }
                    }
                }
                let Some(max) = max_count(letter) else {
                    return Err(format!("unknown pattern letter `{letter}`"));
                };
                let bad_count = count > max
                    || (letter == 'V' && count != 2)
                    || (letter == 'c' && count == 2)
                    || (matches!(letter, 'O' | 'v') && count != 1 && count != 4);
                if bad_count {
                    return Err(format!(
                        "`{}` is not a pattern: `{letter}` takes {}",
                        letter.to_string().repeat(count),
                        match letter {
                            'V' => "exactly 2 letters (VV, the zone's ID)".to_string(),
                            'c' => "1, 3, 4 or 5 letters".to_string(),
                            'O' | 'v' => "1 or 4 letters".to_string(),
                            _ if max == 1 => "1 letter".to_string(),
                            _ => format!("at most {max} letters"),
                        }
                    ));
                }
                flush(&mut text, &mut items);
                items.push(Item::Field { letter, count, pad });
                continue;
            }
            match c {
                '\'' => {
                    // `''` is a quote; otherwise text up to the closing quote, `''` inside it
                    // being a quote too.
                    if chars.get(i + 1) == Some(&'\'') {
                        text.push('\'');
                        i += 2;
                        continue;
                    }
                    i += 1;
                    loop {
                        match chars.get(i) {
                            None => return Err("a quoted text `'…` is not closed".into()),
                            Some('\'') if chars.get(i + 1) == Some(&'\'') => {
                                text.push('\'');
                                i += 2;
                            }
                            Some('\'') => {
                                i += 1;
                                break;
                            }
                            Some(&x) => {
                                text.push(x);
                                i += 1;
                            }
                        }
                    }
                }
                '[' => {
                    optional += 1;
                    i += 1;
                }
                ']' => {
                    if optional == 0 {
                        return Err("`]` closes no optional section `[`".into());
                    }
                    optional -= 1;
                    i += 1;
                }
                '{' | '}' | '#' => {
                    return Err(format!("`{c}` is reserved in patterns; quote it: '{c}'"))
                }
                _ => {
                    text.push(c);
                    i += 1;
                }
            }
        }
        flush(&mut text, &mut items);
        Ok(Pattern { items })
    }

    /// The pattern, parsed once per thread while the same one comes again (every row).
    pub fn cached(pattern: &str) -> Option<Rc<Pattern>> {
        thread_local! {
            static LAST: RefCell<Option<(String, Option<Rc<Pattern>>)>> = const { RefCell::new(None) };
        }
        LAST.with(|last| {
            let mut last = last.borrow_mut();
            match &*last {
                Some((p, compiled)) if p == pattern => compiled.clone(),
                _ => {
                    let compiled = Pattern::parse(pattern).ok().map(Rc::new);
                    *last = Some((pattern.to_string(), compiled.clone()));
                    compiled
                }
            }
        })
    }

    /// The moment `t` in `zone`, as the pattern writes it; `None` at the very ends of the range.
    pub fn format(&self, t: i64, zone: &Zone) -> Option<String> {
        let offset = zone.offset_seconds(t);
        let local = t.checked_add(i64::from(offset) * NS_PER_SEC)?;
        let c = Civil::of(local);
        let mut out = String::new();
        for it in &self.items {
            match it {
                Item::Text(s) => out.push_str(s),
                Item::Field { letter, count, pad } => {
                    let field = field(*letter, *count, &c, t, offset, zone);
                    let width = field.chars().count();
                    out.extend(std::iter::repeat_n(' ', pad.saturating_sub(width)));
                    out.push_str(&field);
                }
            }
        }
        Some(out)
    }
}

/// A number padded with zeros to `width` digits (a minus sign before them).
fn num(v: i64, width: usize) -> String {
    if v < 0 {
        format!("-{:0width$}", v.unsigned_abs())
    } else {
        format!("{v:0width$}")
    }
}

/// A year under Java's rules: `yy` the last two digits, four letters or more zero-padded.
fn year(v: i64, count: usize) -> String {
    match count {
        2 => num(v.rem_euclid(100), 2),
        1..=3 => v.to_string(),
        _ => num(v, count),
    }
}

/// A name: 3 letters or fewer short, 4 full, 5 narrow.
fn name(full: &str, count: usize) -> String {
    match count {
        4 => full.to_string(),
        5 => full.chars().take(1).collect(),
        _ => full.chars().take(3).collect(),
    }
}

/// `+02`, `+0200`, `+02:00`, with seconds when there are some (Java's `appendOffset` shapes):
/// `colon` puts `:` between parts; `minutes` always writes minutes (else only when non-zero).
fn offset_text(seconds: i32, minutes: bool, colon: bool) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let a = seconds.unsigned_abs();
    let (h, m, s) = (a / 3600, a / 60 % 60, a % 60);
    let sep = if colon { ":" } else { "" };
    let mut out = format!("{sign}{h:02}");
    if minutes || m != 0 || s != 0 {
        out.push_str(&format!("{sep}{m:02}"));
    }
    if s != 0 {
        out.push_str(&format!("{sep}{s:02}"));
    }
    out
}

/// `GMT`, `GMT+2`, `GMT+05:30` (Java's localized offset, `O` and `OOOO`).
fn gmt(seconds: i32, full: bool) -> String {
    if seconds == 0 {
        return "GMT".into();
    }
    let sign = if seconds < 0 { '-' } else { '+' };
    let a = seconds.unsigned_abs();
    let (h, m, s) = (a / 3600, a / 60 % 60, a % 60);
    let mut out = if full {
        format!("GMT{sign}{h:02}:{m:02}")
    } else if m != 0 || s != 0 {
        format!("GMT{sign}{h}:{m:02}")
    } else {
        format!("GMT{sign}{h}")
    };
    if s != 0 {
        out.push_str(&format!(":{s:02}"));
    }
    out
}

fn field(letter: char, count: usize, c: &Civil, t: i64, offset: i32, zone: &Zone) -> String {
    let pad = |v: i64| num(v, count);
    match letter {
        'G' => match (c.year > 0, count) {
            (true, 4) => "Anno Domini".into(),
            (false, 4) => "Before Christ".into(),
            (true, 5) => "A".into(),
            (false, 5) => "B".into(),
            (true, _) => "AD".into(),
            (false, _) => "BC".into(),
        },
        'u' => year(c.year, count),
        'y' => year(if c.year > 0 { c.year } else { 1 - c.year }, count),
        'Y' => year(c.iso_week().0, count),
        'M' | 'L' => match count {
            1 | 2 => pad(i64::from(c.month)),
            _ => name(MONTHS[(c.month as usize - 1) % 12], count),
        },
        'Q' | 'q' => {
            let q = i64::from((c.month - 1) / 3 + 1);
            match count {
                2 => pad(q),
                3 => format!("Q{q}"),
                4 => format!(
                    "{q}{} quarter",
                    ["st", "nd", "rd", "th"][(q as usize - 1) % 4]
                ),
                _ => q.to_string(),
            }
        }
        'D' => pad(c.day_of_year()),
        'd' => pad(i64::from(c.day)),
        'w' => pad(c.iso_week().1),
        'W' => pad(c.iso_week_of_month()),
        'F' => pad((i64::from(c.day) - 1) / 7 + 1),
        'E' => name(DAYS[(c.weekday() as usize - 1) % 7], count),
        'e' | 'c' => match count {
            1 | 2 => pad(c.weekday()),
            _ => name(DAYS[(c.weekday() as usize - 1) % 7], count),
        },
        'a' => if c.hour() < 12 { "AM" } else { "PM" }.into(),
        'H' => pad(c.hour()),
        'k' => pad(if c.hour() == 0 { 24 } else { c.hour() }),
        'K' => pad(c.hour() % 12),
        'h' => pad(if c.hour() % 12 == 0 {
            12
        } else {
            c.hour() % 12
        }),
        'm' => pad(c.minute()),
        's' => pad(c.second()),
        'S' => format!("{:09}", c.nano()).chars().take(count).collect(),
        'n' => pad(c.nano()),
        'N' => pad(c.nanos_of_day),
        'A' => pad(c.nanos_of_day / 1_000_000),
        'V' => zone.name().to_string(),
        // Zone names beyond the abbreviation need locale data: the zone's ID stands in.
        'z' if count < 4 => zone.abbreviation(t),
        'z' | 'v' => zone.name().to_string(),
        'O' => gmt(offset, count == 4),
        'X' if offset == 0 => "Z".into(),
        'X' | 'x' => match count {
            1 => offset_text(offset, false, false),
            2 | 4 => offset_text(offset, true, false),
            _ => offset_text(offset, true, true),
        },
        'Z' => match count {
            4 => gmt(offset, true),
            5 if offset == 0 => "Z".into(),
            5 => offset_text(offset, true, true),
            _ => offset_text(offset, true, false),
        },
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::parse_timestamp;

    fn fmt(pattern: &str, t: &str, zone: &str) -> String {
        let t = parse_timestamp(t).unwrap();
        Pattern::parse(pattern)
            .unwrap()
            .format(t, &Zone::parse(zone).unwrap())
            .unwrap()
    }

    #[test]
    fn formats_like_java() {
        let t = "2019-08-01T13:30:00.123456789Z";
        for (pattern, zone, want) in [
            // Dynatrace's formatTimestamp example (their session zone was Europe/Berlin).
            ("MM-dd-yyyy", "UTC", "08-01-2019"),
            ("y", "UTC", "2019"),
            ("M", "UTC", "8"),
            ("w", "UTC", "31"),
            ("E", "UTC", "Thu"),
            ("H", "Europe/Berlin", "15"),
            ("HH:mm, VV", "Europe/Berlin", "15:30, Europe/Berlin"),
            ("HH:mm, VV", "US/Eastern", "09:30, US/Eastern"),
            // The default format.
            (
                "yyyy-MM-dd'T'HH:mm:ss.SSSSSSSSS",
                "UTC",
                "2019-08-01T13:30:00.123456789",
            ),
            ("yy yyyyy uuuu", "UTC", "19 02019 2019"),
            ("MMM MMMM MMMMM LLL", "UTC", "Aug August A Aug"),
            ("EEEE EEEEE e ee c", "UTC", "Thursday T 4 04 4"),
            ("Q QQ QQQ QQQQ", "UTC", "3 03 Q3 3rd quarter"),
            ("D DD DDD d", "UTC", "213 213 213 1"),
            ("h:mm a", "US/Eastern", "9:30 AM"),
            ("hh K k", "UTC", "01 1 13"),
            ("S SSS n", "UTC", "1 123 123456789"),
            ("A", "UTC", "48600123"),
            ("G GGGG GGGGG", "UTC", "AD Anno Domini A"),
            ("Y-'W'ww-e", "UTC", "2019-W31-4"),
            ("W F", "UTC", "1 1"),
            ("z zzzz", "Europe/Berlin", "CEST Europe/Berlin"),
            ("O OOOO", "Asia/Kolkata", "GMT+5:30 GMT+05:30"),
            ("O OOOO", "UTC", "GMT GMT"),
            ("X XX XXX x xx xxx", "UTC", "Z Z Z +00 +0000 +00:00"),
            ("X XX XXX", "Asia/Kolkata", "+0530 +0530 +05:30"),
            ("x", "US/Eastern", "-04"),
            ("Z ZZZZ ZZZZZ", "US/Eastern", "-0400 GMT-04:00 -04:00"),
            ("ZZZZZ", "UTC", "Z"),
            ("'It''s' h 'o''clock'", "UTC", "It's 1 o'clock"),
            ("''", "UTC", "'"),
            ("yyyy[-MM[-dd]]", "UTC", "2019-08-01"),
            ("ppH|pppm", "UTC", "13| 30"),
            ("dd/MM/yyyy HH:mm:ss", "UTC", "01/08/2019 13:30:00"),
            ("'Uhr:' H, à", "UTC", "Uhr: 13, à"),
        ] {
            assert_eq!(fmt(pattern, t, zone), want, "{pattern} in {zone}");
        }
        // Midnight and noon on 12- and 24-hour clocks.
        assert_eq!(
            fmt("h a k H K", "2019-08-01T00:05:00Z", "UTC"),
            "12 AM 24 0 0"
        );
        assert_eq!(
            fmt("h a k H K", "2019-08-01T12:05:00Z", "UTC"),
            "12 PM 12 12 0"
        );
    }

    #[test]
    fn refuses_what_java_refuses() {
        for bad in [
            "t",
            "yyyy-MM-dd b",
            "HHH",
            "ddd",
            "V",
            "VVV",
            "cc",
            "aa",
            "SSSSSSSSSS",
            "{",
            "#",
            "'open",
            "]",
            "p",
            "pp",
            "OO",
            "EEEEEE",
            "MMMMMM",
        ] {
            assert!(Pattern::parse(bad).is_err(), "{bad}");
        }
        assert!(Pattern::parse("").is_ok());
        assert!(Pattern::parse("[yyyy").is_ok());
    }
}
