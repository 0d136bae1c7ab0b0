//! Network functions over IP addresses: `ip` values and text that holds an address
//! (CloudTrail's `sourceIPAddress` is text, and also holds service names such as
//! `ec2.amazonaws.com`, which are not addresses). Addresses themselves: `crate::ip`.
//! Reference: <https://docs.dynatrace.com/docs/platform/grail/dynatrace-query-language/functions/network-functions>.

use std::net::IpAddr;

use super::Imp::Scalar;
use super::{at, b, ex, many, named, req, Def, Family, Function, Ty};
use crate::ip::{self, Range};
use crate::value::Value;

const NETWORK: Function = Function {
    family: Family::Network,
    ..Function::BASE
};

/// An address: an `ip` value or text.
const ADDRESS: Ty = Ty::STRING.or(Ty::IP);
const AN_IP: &[super::Param] = &[req("expression", ADDRESS)];
/// `ipIn`'s needles and haystacks: addresses, CIDR text, or arrays of them.
const ADDRESSES: Ty = ADDRESS.or(Ty::ARRAY);

pub(super) static FUNCTIONS: &[Function] = &[
    Function {
        name: "ip",
        params: AN_IP,
        returns: Ty::IP,
        doc: "An `ip` value from text holding an IPv4 or IPv6 address (an `ip` value stays as it is); null for text that is not an address, such as a service name, and for other types.",
        examples: &[
            ex(r#"ip("127.0.0.1")"#, r#""127.0.0.1""#),
            ex(r#"ip("2001:0db8:0000:0000:0000:8a2e:0370:7334")"#, r#""2001:0db8::8a2e:0370:7334""#),
            ex(r#"ip("2001:db8::8a2e:370:7334")"#, r#""2001:0db8::8a2e:0370:7334""#),
            ex(r#"ip("::1")"#, r#""::0001""#),
            ex(r#"ip("317.0.0.1")"#, "null"),
            ex(r#"ip("ec2.amazonaws.com")"#, "null"),
            ex(r#"ip("10.0.0.0/8")"#, "null"),
            ex("ip(null)", "null"),
            ex("ip(167772161)", "null"),
        ],
        see: dynatrace_docs!("network-functions#ip"),
        imp: Scalar(|a, _| address(at(a, 0)).map_or(Value::Null, Value::Ip)),
        ..NETWORK
    },
    Function {
        name: "ipIn",
        params: &[req("needle", ADDRESSES), many("haystack", ADDRESSES, 1)],
        returns: Ty::BOOL,
        doc: "True if an address of the needle (an address, or an array of them) equals an address or lies in a CIDR range (`10.0.0.0/8`) of the haystacks (addresses, ranges or arrays of them); false otherwise, also for a needle that is null, a range or not an address.",
        examples: &[
            ex(r#"ipIn("127.0.0.1", "127.0.0.1")"#, "true"),
            ex(r#"ipIn("127.0.0.1", "127.0.0.1/8")"#, "true"),
            ex(r#"ipIn("127.0.0.1/8", "127.0.0.1")"#, "false"),
            ex(r#"ipIn("127.0.0.1/8", "127.0.0.1/16")"#, "false"),
            ex(r#"ipIn(array("127.0.0.1", "10.0.0.1"), "127.0.0.1")"#, "true"),
            ex(r#"ipIn(array("127.0.0.1", "10.0.0.1"), array("127.0.0.1/8", "10.0.0.2"))"#, "true"),
            ex(r#"ipIn(ip("127.0.0.1"), "127.0.0.1/8")"#, "true"),
            ex(r#"ipIn("172.31.4.20", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")"#, "true"),
            ex(r#"ipIn("2001:db8::1", "2001:db8::/32")"#, "true"),
            ex(r#"ipIn("ec2.amazonaws.com", "10.0.0.0/8")"#, "false"),
            ex(r#"ipIn(null, "10.0.0.0/8")"#, "false"),
            ex(r#"ipIn("10.0.0.1", "10.0.0.0/33", "not a range")"#, "false"),
        ],
        see: dynatrace_docs!("network-functions#ipIn"),
        imp: Scalar(|a, _| b(ip_in(at(a, 0), a.get(1..).unwrap_or(&[])))),
        ..NETWORK
    },
    Function {
        name: "ipIsLinkLocal",
        params: AN_IP,
        returns: Ty::BOOL,
        doc: "True for link-local addresses (169.254.0.0/16, fe80::/10); false for text that is not an address; null for null and other types.",
        examples: &[
            ex(r#"ipIsLinkLocal("169.254.0.0")"#, "true"),
            ex(r#"ipIsLinkLocal("169.254.255.255")"#, "true"),
            ex(r#"ipIsLinkLocal("169.255.0.0")"#, "false"),
            ex(r#"ipIsLinkLocal(ip("fe80::1"))"#, "true"),
            ex(r#"ipIsLinkLocal("ec2.amazonaws.com")"#, "false"),
            ex("ipIsLinkLocal(null)", "null"),
            ex("ipIsLinkLocal(5)", "null"),
        ],
        see: dynatrace_docs!("network-functions#ipIsLinkLocal"),
        imp: Scalar(|a, _| classify(at(a, 0), |c| c.link_local)),
        ..NETWORK
    },
    Function {
        name: "ipIsLoopback",
        params: AN_IP,
        returns: Ty::BOOL,
        doc: "True for loopback addresses (127.0.0.0/8, ::1); false for text that is not an address; null for null and other types.",
        examples: &[
            ex(r#"ipIsLoopback("127.0.0.1")"#, "true"),
            ex(r#"ipIsLoopback("10.0.0.1")"#, "false"),
            ex(r#"ipIsLoopback("::1")"#, "true"),
            ex(r#"ipIsLoopback(ip("127.8.9.10"))"#, "true"),
            ex(r#"ipIsLoopback("ec2.amazonaws.com")"#, "false"),
            ex("ipIsLoopback(null)", "null"),
        ],
        see: dynatrace_docs!("network-functions#ipIsLoopback"),
        imp: Scalar(|a, _| classify(at(a, 0), |c| c.loopback)),
        ..NETWORK
    },
    Function {
        name: "ipIsPrivate",
        params: AN_IP,
        returns: Ty::BOOL,
        doc: "True for private addresses (RFC 1918 for IPv4, unique local fc00::/7 for IPv6; loopback is not private); false for text that is not an address; null for null and other types.",
        examples: &[
            ex(r#"ipIsPrivate("127.0.0.1")"#, "false"),
            ex(r#"ipIsPrivate("10.0.0.1")"#, "true"),
            ex(r#"ipIsPrivate("::1")"#, "false"),
            ex(r#"ipIsPrivate("172.16.1.1")"#, "true"),
            ex(r#"ipIsPrivate("1.2.3.4")"#, "false"),
            ex(r#"ipIsPrivate(ip("192.168.7.1"))"#, "true"),
            ex(r#"ipIsPrivate("fd00::1")"#, "true"),
            ex(r#"ipIsPrivate("ec2.amazonaws.com")"#, "false"),
            ex("ipIsPrivate(null)", "null"),
        ],
        see: dynatrace_docs!("network-functions#ipIsPrivate"),
        imp: Scalar(|a, _| classify(at(a, 0), |c| c.private)),
        ..NETWORK
    },
    Function {
        name: "ipIsPublic",
        params: AN_IP,
        returns: Ty::BOOL,
        doc: "True for public addresses: not private, loopback, link-local, multicast, unspecified or broadcast (documentation ranges such as 203.0.113.0/24 count as public, as Dynatrace's example shows for 2001:db8::/32); false for text that is not an address; null for null and other types.",
        examples: &[
            ex(r#"ipIsPublic("1.2.3.4")"#, "true"),
            ex(r#"ipIsPublic("2001:0db8:0000:0000:0000:8a2e:0370:7334")"#, "true"),
            ex(r#"ipIsPublic("10.0.0.1")"#, "false"),
            ex(r#"ipIsPublic("::1")"#, "false"),
            ex(r#"ipIsPublic("203.0.113.9")"#, "true"),
            ex(r#"ipIsPublic("224.0.0.251")"#, "false"),
            ex(r#"ipIsPublic(ip("52.94.76.5"))"#, "true"),
            ex(r#"ipIsPublic("ec2.amazonaws.com")"#, "false"),
            ex("ipIsPublic(null)", "null"),
        ],
        see: dynatrace_docs!("network-functions#ipIsPublic"),
        imp: Scalar(|a, _| {
            classify(at(a, 0), |c| !c.private && !c.loopback && !c.link_local && !c.special)
        }),
        ..NETWORK
    },
    Function {
        name: "ipMask",
        params: &[
            req("expression", ADDRESS),
            req("maskBits", Ty::LONG),
            named("ipv6MaskBits", Ty::LONG, Def::Null),
        ],
        returns: Ty::IP,
        doc: "The address with all but its first `maskBits` bits cleared (`ipv6MaskBits:` for IPv6 addresses when given); null for text that is not an address and for a bit count outside 0–32 (IPv4) or 0–128 (IPv6).",
        examples: &[
            ex(r#"ipMask("127.1.2.3", 8)"#, r#""127.0.0.0""#),
            ex(r#"ipMask("127.1.2.3", 16, ipv6MaskBits: 32)"#, r#""127.1.0.0""#),
            ex(r#"ipMask("2001:0db8:0000:0000:0000:8a2e:0370:7334", 8)"#, r#""2000::0000""#),
            ex(
                r#"ipMask("2001:0db8:0000:0000:0000:8a2e:0370:7334", 16, ipv6MaskBits: 32)"#,
                r#""2001:0db8::0000""#,
            ),
            ex(r#"ipMask(ip("203.0.113.77"), 24)"#, r#""203.0.113.0""#),
            ex(r#"ipMask("10.1.2.3", 33)"#, "null"),
            ex(r#"ipMask("ec2.amazonaws.com", 8)"#, "null"),
            ex("ipMask(null, 8)", "null"),
        ],
        see: dynatrace_docs!("network-functions#ipMask"),
        imp: Scalar(|a, _| {
            let Some(addr) = address(at(a, 0)) else {
                return Value::Null;
            };
            let bits = match (addr, at(a, 2)) {
                (IpAddr::V6(_), Value::Long(v6)) => *v6,
                _ => match at(a, 1) {
                    Value::Long(n) => *n,
                    _ => return Value::Null,
                },
            };
            ip::mask(&addr, bits).map_or(Value::Null, Value::Ip)
        }),
        ..NETWORK
    },
    Function {
        name: "isIp",
        params: AN_IP,
        returns: Ty::BOOL,
        doc: "True for an `ip` value or text holding an IPv4 or IPv6 address; false for anything else (a service name, null).",
        examples: &[
            ex(r#"isIp("127.0.0.1")"#, "true"),
            ex(r#"isIp("127.0.0.")"#, "false"),
            ex(r#"isIp(toIp("127.0.0.1"))"#, "true"),
            ex(r#"isIp("2001:0db8:0000:0000:0000:8a2e:0370:7334")"#, "true"),
            ex(r#"isIp("2001:0db8:0000:0000:0000:8a2e:0370:")"#, "false"),
            ex(r#"isIp("ec2.amazonaws.com")"#, "false"),
            ex("isIp(null)", "false"),
        ],
        see: dynatrace_docs!("network-functions#isIp"),
        imp: Scalar(|a, _| b(address(at(a, 0)).is_some())),
        ..NETWORK
    },
    Function {
        name: "isIpV4",
        params: AN_IP,
        returns: Ty::BOOL,
        doc: "True for an IPv4 address (an `ip` value or text); false for anything else.",
        examples: &[
            ex(r#"isIpV4("127.0.0.1")"#, "true"),
            ex(r#"isIpV4("127.0.0.")"#, "false"),
            ex(r#"isIpV4(toIp("127.0.0.1"))"#, "true"),
            ex(r#"isIpV4("2001:0db8:0000:0000:0000:8a2e:0370:7334")"#, "false"),
            ex(r#"isIpV4("ec2.amazonaws.com")"#, "false"),
            ex("isIpV4(null)", "false"),
        ],
        see: dynatrace_docs!("network-functions#isIpV4"),
        imp: Scalar(|a, _| b(address(at(a, 0)).is_some_and(|ip| ip.is_ipv4()))),
        ..NETWORK
    },
    Function {
        name: "isIpV6",
        params: AN_IP,
        returns: Ty::BOOL,
        doc: "True for an IPv6 address (an `ip` value or text); false for anything else.",
        examples: &[
            ex(r#"isIpV6("127.0.0.1")"#, "false"),
            ex(r#"isIpV6("2001:0db8:0000:0000:0000:8a2e:0370:7334")"#, "true"),
            ex(r#"isIpV6(toIp("2001:0db8:0000:0000:0000:8a2e:0370:7334"))"#, "true"),
            ex(r#"isIpV6("2001:0db8:0000:0000:0000:8a2e:0370:")"#, "false"),
            ex(r#"isIpV6("ec2.amazonaws.com")"#, "false"),
            ex("isIpV6(null)", "false"),
        ],
        see: dynatrace_docs!("network-functions#isIpV6"),
        imp: Scalar(|a, _| b(address(at(a, 0)).is_some_and(|ip| ip.is_ipv6()))),
        ..NETWORK
    },
];

/// The address an `ip` value or a text holds.
pub(super) fn address(v: &Value) -> Option<IpAddr> {
    match v {
        Value::Ip(ip) => Some(*ip),
        Value::Str(s) => ip::parse(s),
        _ => None,
    }
}

/// Calls `f` on a value, or on each element of an array, until it returns true.
fn any_of(v: &Value, f: &mut impl FnMut(&Value) -> bool) -> bool {
    match v {
        Value::Array(xs) => xs.iter().any(f),
        v => f(v),
    }
}

/// `ipIn`: a needle address equal to a haystack address or in a haystack range.
fn ip_in(needle: &Value, haystacks: &[Value]) -> bool {
    any_of(needle, &mut |n| {
        let Some(addr) = address(n) else {
            return false;
        };
        haystacks.iter().any(|h| {
            any_of(h, &mut |r| {
                let range = match r {
                    Value::Ip(ip) => Some(Range::of(*ip)),
                    Value::Str(s) => Range::parse(s),
                    _ => None,
                };
                range.is_some_and(|r| r.contains(&addr))
            })
        })
    })
}

/// What kind of address a value is.
struct Class {
    private: bool,
    loopback: bool,
    link_local: bool,
    /// Multicast, unspecified, broadcast.
    special: bool,
}

/// Null for null and other types; false for text that is not an address; else the test on the
/// address's class.
fn classify(v: &Value, test: fn(&Class) -> bool) -> Value {
    if !matches!(v, Value::Str(_) | Value::Ip(_)) {
        return Value::Null;
    }
    let Some(ip) = address(v) else {
        return Value::Bool(false);
    };
    let class = match ip {
        IpAddr::V4(v) => Class {
            private: v.is_private(),
            loopback: v.is_loopback(),
            link_local: v.is_link_local(),
            special: v.is_multicast() || v.is_unspecified() || v.is_broadcast(),
        },
        IpAddr::V6(v) => Class {
            private: (v.segments()[0] & 0xfe00) == 0xfc00,
            loopback: v.is_loopback(),
            link_local: (v.segments()[0] & 0xffc0) == 0xfe80,
            special: v.is_multicast() || v.is_unspecified(),
        },
    };
    b(test(&class))
}
