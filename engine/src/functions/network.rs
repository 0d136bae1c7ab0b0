//! Network functions over IP addresses written as text (CloudTrail's `sourceIPAddress` also holds
//! service names such as `ec2.amazonaws.com`, which are not addresses).
//! Reference: <https://docs.dynatrace.com/docs/platform/grail/dynatrace-query-language/functions/network-functions>.

use std::net::IpAddr;

use super::Imp::Scalar;
use super::{at, b, ex, req, Family, Function, Ty};
use crate::value::Value;

const NETWORK: Function = Function {
    family: Family::Network,
    ..Function::BASE
};

const AN_IP: &[super::Param] = &[req("expression", Ty::STRING)];

pub(super) static FUNCTIONS: &[Function] = &[
    Function {
        name: "isIp",
        params: AN_IP,
        returns: Ty::BOOL,
        doc: "True if the text is an IPv4 or IPv6 address.",
        examples: &[
            ex(r#"isIp("127.0.0.1")"#, "true"),
            ex(r#"isIp("127.0.0.")"#, "false"),
            ex(r#"isIp("2001:0db8:0000:0000:0000:8a2e:0370:7334")"#, "true"),
            ex(r#"isIp("2001:0db8:0000:0000:0000:8a2e:0370:")"#, "false"),
            ex(r#"isIp("ec2.amazonaws.com")"#, "false"),
        ],
        see: dynatrace_docs!("network-functions#isIp"),
        imp: Scalar(|a, _| b(at(a, 0).as_str().is_some_and(|s| s.parse::<IpAddr>().is_ok()))),
        ..NETWORK
    },
    Function {
        name: "ipIsPrivate",
        params: AN_IP,
        returns: Ty::BOOL,
        doc: "True for private addresses (RFC 1918 for IPv4, unique local fc00::/7 for IPv6); false for text that is not an address.",
        examples: &[
            ex(r#"ipIsPrivate("172.16.1.1")"#, "true"),
            ex(r#"ipIsPrivate("127.0.0.1")"#, "false"),
            ex(r#"ipIsPrivate("1.2.3.4")"#, "false"),
        ],
        see: dynatrace_docs!("network-functions#ipIsPrivate"),
        imp: Scalar(|a, _| classify(at(a, 0), |c| c.private)),
        ..NETWORK
    },
    Function {
        name: "ipIsPublic",
        params: AN_IP,
        returns: Ty::BOOL,
        doc: "True for public addresses: not private, loopback, link-local, unspecified, broadcast or (IPv4 only) documentation ranges.",
        examples: &[
            ex(r#"ipIsPublic("1.2.3.4")"#, "true"),
            ex(r#"ipIsPublic("2001:0db8:0000:0000:0000:8a2e:0370:7334")"#, "true"),
            ex(r#"ipIsPublic("10.0.0.1")"#, "false"),
            ex(r#"ipIsPublic("203.0.113.9")"#, "false"),
        ],
        see: dynatrace_docs!("network-functions#ipIsPublic"),
        imp: Scalar(|a, _| classify(at(a, 0), |c| !c.private && !c.loopback && !c.special)),
        ..NETWORK
    },
    Function {
        name: "ipIsLoopback",
        params: AN_IP,
        returns: Ty::BOOL,
        doc: "True for loopback addresses (127.0.0.0/8, ::1).",
        examples: &[
            ex(r#"ipIsLoopback("127.0.0.1")"#, "true"),
            ex(r#"ipIsLoopback("::1")"#, "true"),
            ex(r#"ipIsLoopback("10.0.0.1")"#, "false"),
        ],
        see: dynatrace_docs!("network-functions#ipIsLoopback"),
        imp: Scalar(|a, _| classify(at(a, 0), |c| c.loopback)),
        ..NETWORK
    },
];

/// What kind of address a text is.
struct Class {
    private: bool,
    loopback: bool,
    /// Link-local, unspecified, broadcast, documentation.
    special: bool,
}

/// Null for null; false for text that is not an address; else the test on its class.
fn classify(v: &Value, test: fn(&Class) -> bool) -> Value {
    let Some(text) = v.as_str() else {
        return Value::Null;
    };
    let Ok(ip) = text.parse::<IpAddr>() else {
        return Value::Bool(false);
    };
    let class = match ip {
        IpAddr::V4(v) => Class {
            private: v.is_private(),
            loopback: v.is_loopback(),
            special: v.is_link_local()
                || v.is_unspecified()
                || v.is_broadcast()
                || v.is_documentation(),
        },
        IpAddr::V6(v) => Class {
            private: (v.segments()[0] & 0xfe00) == 0xfc00,
            loopback: v.is_loopback(),
            special: v.is_unspecified() || (v.segments()[0] & 0xffc0) == 0xfe80,
        },
    };
    b(test(&class))
}
