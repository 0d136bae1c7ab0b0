//! Share links: a case's name, query and time frame in a URL fragment,
//! `#case=<base64url(deflate(JSON))>`. The fragment never goes to a server (browsers do not send
//! it), and the recipient loads the data themselves. Opening the link is untrusted input like a
//! case file: length-limited before and after inflating, every field checked.

use std::io::{Read, Write};

use base64::Engine as _;
use flate2::read::DeflateDecoder;
use flate2::write::DeflateEncoder;
use flate2::Compression;
use serde::{Deserialize, Serialize};

use crate::case::{CaseData, TimeFrame};

/// What a share link's fragment starts with.
pub const PREFIX: &str = "#case=";
/// Longest fragment made or read (characters). Mail clients and chat tools cut longer links.
pub const MAX_LINK_CHARS: usize = 16_000;
/// Longest JSON a fragment may inflate to.
const MAX_JSON_BYTES: u64 = 128_000;
const LINK_VERSION: u32 = 1;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Payload {
    v: u32,
    name: String,
    query: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    timeframe: Option<TimeFrame>,
}

/// The part of a case a link carries.
#[derive(Clone, Debug, PartialEq)]
pub struct SharedCase {
    pub name: String,
    pub query: String,
    pub timeframe: Option<TimeFrame>,
}

/// Makes the fragment (`#case=…`) for a case, or says why it cannot.
pub fn encode(case: &SharedCase) -> Result<String, String> {
    let data = CaseData {
        name: case.name.clone(),
        query: case.query.clone(),
        timeframe: case.timeframe.clone(),
        ..CaseData::default()
    };
    data.validate()
        .map_err(|e| format!("the case cannot be shared: {e}"))?;
    let json = serde_json::to_vec(&Payload {
        v: LINK_VERSION,
        name: case.name.clone(),
        query: case.query.clone(),
        timeframe: case.timeframe.clone(),
    })
    .map_err(|e| e.to_string())?;
    let mut z = DeflateEncoder::new(Vec::new(), Compression::best());
    z.write_all(&json).map_err(|e| e.to_string())?;
    let packed = z.finish().map_err(|e| e.to_string())?;
    let link = format!(
        "{PREFIX}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(packed)
    );
    if link.len() > MAX_LINK_CHARS {
        return Err(format!(
            "the query is too long for a share link ({} characters, at most {MAX_LINK_CHARS}); export the case as a file instead",
            link.len()
        ));
    }
    Ok(link)
}

/// Reads a fragment made by [`encode`] (with or without the leading `#`). `Ok(None)`: the
/// fragment is not a share link at all.
pub fn decode(fragment: &str) -> Result<Option<SharedCase>, String> {
    let fragment = fragment.strip_prefix('#').unwrap_or(fragment);
    let Some(data) = fragment.strip_prefix(&PREFIX[1..]) else {
        return Ok(None);
    };
    let bad = |why: &str| format!("This share link is damaged or incomplete ({why}).");
    if fragment.len() > MAX_LINK_CHARS {
        return Err(bad("longer than a share link can be"));
    }
    let packed = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(data.trim_end_matches('='))
        .map_err(|_| bad("not base64url"))?;
    let mut json = Vec::new();
    DeflateDecoder::new(packed.as_slice())
        .take(MAX_JSON_BYTES + 1)
        .read_to_end(&mut json)
        .map_err(|_| bad("not compressed data"))?;
    if json.len() as u64 > MAX_JSON_BYTES {
        return Err(bad("too large"));
    }
    let p: Payload = serde_json::from_slice(&json).map_err(|e| bad(&e.to_string()))?;
    if p.v != LINK_VERSION {
        return Err(format!(
            "This share link was made by a newer Trailscope (link version {}); this one reads version {LINK_VERSION}.",
            p.v
        ));
    }
    let data = CaseData {
        name: p.name.clone(),
        query: p.query.clone(),
        timeframe: p.timeframe.clone(),
        ..CaseData::default()
    };
    data.validate()
        .map_err(|e| format!("This share link holds an invalid value: {e}."))?;
    Ok(Some(SharedCase {
        name: p.name,
        query: p.query,
        timeframe: p.timeframe,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shared() -> SharedCase {
        SharedCase {
            name: "Sign-in failures".into(),
            query: "fetch logs\n| filter aws.service == \"cloudtrail\"\n| limit 5".into(),
            timeframe: Some(TimeFrame {
                from: Some("2026-11-20T00:00:00Z".into()),
                to: Some("2026-11-21T00:00:00Z".into()),
                now_clock: true,
                ..TimeFrame::default()
            }),
        }
    }

    #[test]
    fn a_link_round_trips() {
        let link = encode(&shared()).unwrap();
        assert!(link.starts_with("#case="));
        assert!(link[6..]
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        assert_eq!(decode(&link).unwrap(), Some(shared()));
        assert_eq!(decode(&link[1..]).unwrap(), Some(shared()));
    }

    #[test]
    fn other_fragments_are_not_links() {
        assert_eq!(decode("").unwrap(), None);
        assert_eq!(decode("#results").unwrap(), None);
    }

    #[test]
    fn damaged_links_say_so() {
        let link = encode(&shared()).unwrap();
        let json = |s: &str| {
            let mut z = DeflateEncoder::new(Vec::new(), Compression::default());
            z.write_all(s.as_bytes()).unwrap();
            format!(
                "#case={}",
                base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(z.finish().unwrap())
            )
        };
        let bomb = {
            let mut z = DeflateEncoder::new(Vec::new(), Compression::best());
            z.write_all(&vec![b' '; 10 << 20]).unwrap();
            format!(
                "#case={}",
                base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(z.finish().unwrap())
            )
        };
        for (what, frag, needle) in [
            ("cut short", link[..link.len() / 2].to_string(), "damaged"),
            ("not base64", "#case=%%%".to_string(), "not base64url"),
            ("not deflate", "#case=aGVsbG8".to_string(), "damaged"),
            (
                "too long",
                format!("#case={}", "A".repeat(MAX_LINK_CHARS)),
                "longer",
            ),
            ("bomb", bomb, "damaged"),
            (
                "extra field",
                json(r#"{"v":1,"name":"a","query":"q","run":"x"}"#),
                "unknown field",
            ),
            (
                "newer",
                json(r#"{"v":2,"name":"a","query":"q"}"#),
                "newer Trailscope",
            ),
            (
                "bad name",
                json(r#"{"v":1,"name":"","query":"q"}"#),
                "case name: is empty",
            ),
            (
                "bad frame",
                json(r#"{"v":1,"name":"a","query":"q","timeframe":{"last_ns":0}}"#),
                "time frame",
            ),
        ] {
            let err = decode(&frag).expect_err(what);
            assert!(err.contains(needle), "{what}: {err}");
        }
    }

    /// A link carries a name and a query: an invisible character in either is refused when the
    /// link is opened (and when it is made), naming the field and the character.
    #[test]
    fn invisible_characters_are_refused_in_links() {
        let payload = |name: &str, query: &str| {
            let json = serde_json::to_vec(&Payload {
                v: LINK_VERSION,
                name: name.into(),
                query: query.into(),
                timeframe: None,
            })
            .unwrap();
            let mut z = DeflateEncoder::new(Vec::new(), Compression::default());
            z.write_all(&json).unwrap();
            format!(
                "#case={}",
                base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(z.finish().unwrap())
            )
        };
        let chars = ('\u{200b}'..='\u{200f}')
            .chain('\u{202a}'..='\u{202e}')
            .chain('\u{2060}'..='\u{2064}')
            .chain('\u{2066}'..='\u{2069}')
            .chain(['\u{feff}']);
        for ch in chars {
            let bad = format!("admin{ch}x");
            let code = format!("U+{:04X} (", ch as u32);
            for (field, name, query) in [
                ("case name", bad.as_str(), "fetch logs"),
                ("query", "Shared", bad.as_str()),
            ] {
                let err = decode(&payload(name, query)).expect_err(field);
                assert!(
                    err.starts_with(&format!(
                        "This share link holds an invalid value: {field}: contains {code}"
                    )),
                    "{err}"
                );
                let made = encode(&SharedCase {
                    name: name.into(),
                    query: query.into(),
                    timeframe: None,
                })
                .expect_err(field);
                assert!(made.contains(&code), "{made}");
            }
        }
    }

    #[test]
    fn long_queries_are_refused_when_sharing() {
        // Text that does not compress: a link for it would be too long.
        let mut x: u64 = 1;
        let noise: String = (0..40_000)
            .map(|_| {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                char::from(b'a' + (x >> 59) as u8 % 26)
            })
            .collect();
        let err = encode(&SharedCase {
            query: noise,
            ..shared()
        })
        .unwrap_err();
        assert!(err.contains("export the case"), "{err}");
    }
}
