//! IP addresses, DQL's `ip` type: reading text (addresses and CIDR ranges), the text Dynatrace
//! shows, the order `sort` and comparisons use, and address arithmetic.
//! Reference: <https://docs.dynatrace.com/docs/platform/grail/dynatrace-query-language/functions/network-functions>.

use std::cmp::Ordering;
use std::fmt::Write as _;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// An address written as text: dotted IPv4 (`10.0.0.1`) or IPv6 in any standard form
/// (`2001:db8::1`, `::ffff:1.2.3.4`). No surrounding space, no zone (`%eth0`), no prefix length;
/// octets with leading zeros (`010.0.0.1`, octal to some readers) are refused.
pub fn parse(text: &str) -> Option<IpAddr> {
    text.parse().ok()
}

/// A CIDR range `address/bits` (`10.0.0.0/8`; host bits may be set: `127.0.0.1/8` is
/// 127.0.0.0/8), or a single address (a range of one).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Range {
    net: IpAddr,
    bits: u32,
}

impl Range {
    pub fn parse(text: &str) -> Option<Range> {
        match text.split_once('/') {
            None => parse(text).map(Range::of),
            Some((addr, bits)) => {
                let net = parse(addr)?;
                if bits.is_empty() || bits.len() > 3 || !bits.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                let bits: u32 = bits.parse().ok()?;
                (bits <= width(&net)).then_some(Range { net, bits })
            }
        }
    }

    pub fn of(ip: IpAddr) -> Range {
        Range {
            net: ip,
            bits: width(&ip),
        }
    }

    /// True if the address is in the range (an IPv4 address is never in an IPv6 range).
    pub fn contains(&self, ip: &IpAddr) -> bool {
        match (self.net, ip) {
            (IpAddr::V4(n), IpAddr::V4(a)) => {
                let m = mask32(self.bits);
                u32::from(n) & m == u32::from(*a) & m
            }
            (IpAddr::V6(n), IpAddr::V6(a)) => {
                let m = mask128(self.bits);
                u128::from(n) & m == u128::from(*a) & m
            }
            _ => false,
        }
    }
}

/// Bits in an address of this family.
fn width(ip: &IpAddr) -> u32 {
    if ip.is_ipv4() {
        32
    } else {
        128
    }
}

fn mask32(bits: u32) -> u32 {
    u32::MAX.checked_shl(32 - bits.min(32)).unwrap_or(0)
}

fn mask128(bits: u32) -> u128 {
    u128::MAX.checked_shl(128 - bits.min(128)).unwrap_or(0)
}

/// The address with all but its first `bits` bits cleared; `None` when `bits` is negative or
/// longer than the address.
pub fn mask(ip: &IpAddr, bits: i64) -> Option<IpAddr> {
    let bits = u32::try_from(bits).ok().filter(|b| *b <= width(ip))?;
    Some(match ip {
        IpAddr::V4(a) => IpAddr::V4(Ipv4Addr::from(u32::from(*a) & mask32(bits))),
        IpAddr::V6(a) => IpAddr::V6(Ipv6Addr::from(u128::from(*a) & mask128(bits))),
    })
}

/// The text Dynatrace shows: dotted IPv4; IPv6 as eight zero-padded lower-case groups with the
/// longest run of two or more zero groups (the first of equal runs) written `::`, the last group
/// never part of the run, as the network-functions page prints them: `2001:0db8::8a2e:0370:7334`,
/// `::0001`, `2000::0000`.
pub fn format(ip: &IpAddr) -> String {
    let v6 = match ip {
        IpAddr::V4(a) => return a.to_string(),
        IpAddr::V6(a) => a.segments(),
    };
    // The longest run of zero groups among the first seven.
    let (mut best, mut run) = ((0, 0), (0, 0));
    for (i, g) in v6.iter().enumerate().take(7) {
        if *g == 0 {
            if run.1 == 0 {
                run.0 = i;
            }
            run.1 += 1;
            if run.1 > best.1 {
                best = run;
            }
        } else {
            run.1 = 0;
        }
    }
    let mut s = String::with_capacity(39);
    let group = |s: &mut String, gs: &[u16]| {
        for (k, g) in gs.iter().enumerate() {
            if k > 0 {
                s.push(':');
            }
            let _ = write!(s, "{g:04x}");
        }
    };
    if best.1 >= 2 {
        group(&mut s, &v6[..best.0]);
        s.push_str("::");
        group(&mut s, &v6[best.0 + best.1..]);
    } else {
        group(&mut s, &v6);
    }
    s
}

/// The order of `sort`: IPv4 before IPv6, each by numeric value.
pub fn order(a: &IpAddr, b: &IpAddr) -> Ordering {
    match (a, b) {
        (IpAddr::V4(x), IpAddr::V4(y)) => x.cmp(y),
        (IpAddr::V6(x), IpAddr::V6(y)) => x.cmp(y),
        (IpAddr::V4(_), IpAddr::V6(_)) => Ordering::Less,
        (IpAddr::V6(_), IpAddr::V4(_)) => Ordering::Greater,
    }
}

/// The address as a number (IPv4 in 32 bits, IPv6 in 128).
pub fn number(ip: &IpAddr) -> u128 {
    match ip {
        IpAddr::V4(a) => u128::from(u32::from(*a)),
        IpAddr::V6(a) => u128::from(*a),
    }
}

/// The address of the same family with this numeric value; `None` outside the family's range.
fn from_number(like: &IpAddr, n: i128) -> Option<IpAddr> {
    match like {
        IpAddr::V4(_) => u32::try_from(n).ok().map(|v| IpAddr::V4(v.into())),
        IpAddr::V6(_) => u128::try_from(n).ok().map(|v| IpAddr::V6(v.into())),
    }
}

/// `ip + n`, `ip - n`: the address `n` further on; `None` past either end of the family's range.
pub fn add(ip: &IpAddr, n: i128) -> Option<IpAddr> {
    // An IPv6 address above i128::MAX cannot go through i128.
    let base = i128::try_from(number(ip)).ok()?;
    from_number(ip, base.checked_add(n)?)
}

/// `a + b`, `a - b` of two addresses of one family (their numeric values); `None` for mixed
/// families or out of range.
pub fn combine(a: &IpAddr, b: &IpAddr, subtract: bool) -> Option<IpAddr> {
    if a.is_ipv4() != b.is_ipv4() {
        return None;
    }
    let (x, y) = (number(a), number(b));
    let n = if subtract {
        x.checked_sub(y)?
    } else {
        x.checked_add(y)?
    };
    match a {
        IpAddr::V4(_) => u32::try_from(n).ok().map(|v| IpAddr::V4(v.into())),
        IpAddr::V6(_) => Some(IpAddr::V6(n.into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        parse(s).unwrap()
    }

    #[test]
    fn formats_as_the_docs_show() {
        for (text, shown) in [
            ("127.0.0.1", "127.0.0.1"),
            (
                "2001:0db8:0000:0000:0000:8a2e:0370:7334",
                "2001:0db8::8a2e:0370:7334",
            ),
            ("2001:db8::8a2e:370:7334", "2001:0db8::8a2e:0370:7334"),
            ("::1", "::0001"),
            ("2000::", "2000::0000"),
            ("2001:db8::", "2001:0db8::0000"),
            ("::", "::0000"),
            ("1:0:2:3:4:5:6:7", "0001:0000:0002:0003:0004:0005:0006:0007"),
            ("1:0:0:2:0:0:0:3", "0001:0000:0000:0002::0003"),
            ("1:0:0:2:3:0:0:4", "0001::0002:0003:0000:0000:0004"),
        ] {
            assert_eq!(format(&ip(text)), shown, "{text}");
        }
        for bad in [
            "317.0.0.1",
            "127.0.0.",
            "2001:0db8:0000:0000:0000:8a2e:0370:",
            "ec2.amazonaws.com",
            " 1.2.3.4",
            "010.0.0.1",
            "",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn ranges_masks_and_arithmetic() {
        let r = Range::parse("127.0.0.1/8").unwrap();
        assert!(r.contains(&ip("127.255.0.1")));
        assert!(!r.contains(&ip("128.0.0.1")));
        assert!(!r.contains(&ip("::1")));
        assert!(Range::parse("10.0.0.0/0").unwrap().contains(&ip("1.2.3.4")));
        assert!(Range::parse("2001:db8::/32")
            .unwrap()
            .contains(&ip("2001:db8:1::1")));
        for bad in [
            "10.0.0.0/33",
            "10.0.0.0/",
            "10.0.0.0/-1",
            "10.0.0.0/8/8",
            "x/8",
            "::/129",
        ] {
            assert_eq!(Range::parse(bad), None, "{bad}");
        }
        assert_eq!(mask(&ip("127.1.2.3"), 8), Some(ip("127.0.0.0")));
        assert_eq!(mask(&ip("127.1.2.3"), 0), Some(ip("0.0.0.0")));
        assert_eq!(mask(&ip("127.1.2.3"), 33), None);
        assert_eq!(mask(&ip("2001:db8::1"), 16), Some(ip("2001::")));
        assert_eq!(add(&ip("127.0.0.10"), 1), Some(ip("127.0.0.11")));
        assert_eq!(add(&ip("255.255.255.255"), 1), None);
        assert_eq!(add(&ip("0.0.0.0"), -1), None);
        assert_eq!(add(&ip("ffff::"), 1), None);
        assert_eq!(
            combine(&ip("127.0.0.10"), &ip("10.0.0.1"), false),
            Some(ip("137.0.0.11"))
        );
        assert_eq!(
            combine(&ip("127.0.0.10"), &ip("10.0.0.1"), true),
            Some(ip("117.0.0.9"))
        );
        assert_eq!(combine(&ip("10.0.0.1"), &ip("127.0.0.10"), true), None);
        assert_eq!(combine(&ip("10.0.0.1"), &ip("::1"), false), None);
        assert_eq!(order(&ip("255.0.0.0"), &ip("::1")), Ordering::Less);
    }
}
