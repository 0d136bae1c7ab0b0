//! Addresses, calendar arithmetic, zones and date-time patterns on random inputs: the text of an
//! address reads back as the same address, month arithmetic keeps the time of day and clamps
//! the day as Java does, a zone's local time maps back to a moment with that local time, and
//! no pattern or zone name, however odd, panics.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use proptest::prelude::*;
use trailscope_engine::ip::{self, Range};
use trailscope_engine::time::pattern::Pattern;
use trailscope_engine::time::zone::Zone;
use trailscope_engine::time::{add_months, days_in_month, Civil};

use super::cases;

/// Any address, with runs of zero groups (where `::` goes) more likely than chance gives them.
fn address() -> impl Strategy<Value = IpAddr> {
    prop_oneof![
        any::<u32>().prop_map(|v| IpAddr::V4(Ipv4Addr::from(v))),
        any::<u128>().prop_map(|v| IpAddr::V6(Ipv6Addr::from(v))),
        prop::array::uniform8(prop_oneof![Just(0u16), any::<u16>()])
            .prop_map(|g| IpAddr::V6(Ipv6Addr::from(g))),
    ]
}

/// A timestamp inside the range, away from its very ends (where a month more overflows).
fn timestamp() -> impl Strategy<Value = i64> {
    -9_000_000_000_000_000_000i64..9_000_000_000_000_000_000
}

const ZONES: &[&str] = &[
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "Australia/Lord_Howe",
    "Asia/Kathmandu",
    "Pacific/Chatham",
    "-03:30",
];

proptest! {
    #![proptest_config(cases(256))]

    /// Dynatrace's text of an address reads back as the address; a mask keeps it in its range.
    #[test]
    fn address_text_round_trips(a in address(), bits in 0i64..=128) {
        let text = ip::format(&a);
        prop_assert_eq!(ip::parse(&text), Some(a), "{}", text);
        if let Some(m) = ip::mask(&a, bits) {
            let range = Range::parse(&format!("{}/{bits}", ip::format(&m))).unwrap();
            prop_assert!(range.contains(&a));
        }
    }

    /// Adding months keeps the time of day, moves the month index by exactly that much and
    /// keeps the day unless the month is shorter (then its last day).
    #[test]
    fn months_keep_the_clock_and_clamp_the_day(t in timestamp(), months in -1200i64..1200) {
        let Some(moved) = add_months(t, months) else { return Ok(()) };
        let (a, b) = (Civil::of(t), Civil::of(moved));
        prop_assert_eq!(a.nanos_of_day, b.nanos_of_day);
        prop_assert_eq!(b.year * 12 + i64::from(b.month) - (a.year * 12 + i64::from(a.month)), months);
        prop_assert_eq!(b.day, a.day.min(days_in_month(b.year, b.month)));
    }

    /// A moment's local time in a zone maps back to a moment with the same local time.
    #[test]
    fn local_times_map_back(t in timestamp(), z in 0..ZONES.len()) {
        let zone = Zone::parse(ZONES[z]).unwrap();
        let Some(local) = zone.local(t) else { return Ok(()) };
        let back = zone.from_local(local);
        prop_assert!(back.is_some());
        prop_assert_eq!(back.and_then(|b| zone.local(b)), Some(local));
    }

    /// Any text as a pattern or a zone name: an answer, never a panic; a pattern that reads
    /// formats any moment in any zone.
    #[test]
    fn odd_patterns_and_zones_do_not_panic(p in ".{0,24}", name in "[A-Za-z/_+:0-9.-]{0,20}", t in any::<i64>(), z in 0..ZONES.len()) {
        let _ = Zone::parse(&name);
        if let Ok(pattern) = Pattern::parse(&p) {
            let zone = Zone::parse(ZONES[z]).unwrap();
            let _ = pattern.format(t, &zone);
        }
    }

    /// The default pattern writes the same date and time as RFC 3339 text, in UTC.
    #[test]
    fn the_default_pattern_is_iso_8601(t in timestamp()) {
        let p = Pattern::parse("yyyy-MM-dd'T'HH:mm:ss.SSSSSSSSS").unwrap();
        let text = p.format(t, &Zone::UTC).unwrap();
        prop_assert_eq!(trailscope_engine::time::parse_timestamp(&format!("{text}Z")), Some(t));
    }
}
