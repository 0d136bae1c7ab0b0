//! Text encodings: URLs, backslash escapes and HTML entities (string functions), Base16 and
//! Base64 (documented with the conversion functions). Text is encoded as its UTF-8 bytes, and
//! decoded bytes must be UTF-8 again, else the result is null; the `…ToBinary` decoders give the
//! bytes as a `binary` value, which the encoders also take.
//! Reference: <https://docs.dynatrace.com/docs/platform/grail/dynatrace-query-language/functions/string-functions>,
//! `…/conversion-and-casting-functions#encode` and `#decode`.

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::{DecodePaddingMode, Engine as _};

use super::html_entities::ENTITIES;
use super::Imp::Scalar;
use super::{at, ex, req, Family, Function, Ty};
use crate::value::Value;
use std::sync::Arc;

const STRING: Function = Function {
    family: Family::String,
    params: &[req("expression", Ty::STRING)],
    returns: Ty::STRING,
    ..Function::BASE
};

const CONVERSION: Function = Function {
    family: Family::Conversion,
    params: &[req("expression", Ty::STRING.or(Ty::BINARY))],
    ..STRING
};

/// Standard Base64 with `=` padding when encoding; decoding takes text with or without it.
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

pub(super) static FUNCTIONS: &[Function] = &[
    Function {
        name: "encodeUrl",
        doc: "URL-encodes text as an HTML form does: letters, digits and `.-*_` stay, a space becomes `+`, every other character its UTF-8 bytes as `%XX`.",
        examples: &[
            ex(
                r#"encodeUrl("https://www.dynatrace.com/platform/grail")"#,
                r#""https%3A%2F%2Fwww.dynatrace.com%2Fplatform%2Fgrail""#,
            ),
            ex(r#"encodeUrl("a b&c=ö")"#, r#""a+b%26c%3D%C3%B6""#),
            ex("data record(x = 5) | fields e = encodeUrl(x)", r#"{"e":null}"#),
        ],
        see: dynatrace_docs!("string-functions#encodeUrl"),
        imp: Scalar(|a, _| text(a, 3, encode_url)),
        ..STRING
    },
    Function {
        name: "decodeUrl",
        doc: "Decodes URL-encoded text: `%XX` sequences are UTF-8 bytes and `+` is a space; null when a `%` is not followed by two hexadecimal digits or the bytes are not UTF-8.",
        examples: &[
            ex(
                r#"decodeUrl("https%3A%2F%2Fwww.dynatrace.com%2Fplatform%2Fgrail")"#,
                r#""https://www.dynatrace.com/platform/grail""#,
            ),
            ex(
                r#"decodeUrl("https://www.dynatrace.com/platform/grail")"#,
                r#""https://www.dynatrace.com/platform/grail""#,
            ),
            ex(r#"decodeUrl("a+b%26c%3D%C3%B6")"#, r#""a b&c=ö""#),
            ex(r#"decodeUrl("100%")"#, "null"),
            ex(r#"decodeUrl("%FF")"#, "null"),
        ],
        see: dynatrace_docs!("string-functions#decodeUrl"),
        imp: Scalar(|a, _| text(a, 1, decode_url)),
        ..STRING
    },
    Function {
        name: "escape",
        doc: "Escapes text with backslashes: quotes, backslash, `\\b \\f \\n \\r \\t`, other control characters as `\\xhh` and every non-ASCII character as `\\uhhhh` (UTF-16 units); backticks and printable ASCII stay.",
        examples: &[
            ex(r#"escape("\"foo@bar.com")"#, r#""\\\"foo@bar.com""#),
            ex("escape(\"it's\\tö\")", r#""it\\'s\\t\\u00f6""#),
            ex("escape(\"\u{b}`\\\\\")", r#""\\x0b`\\\\""#),
            ex("escape(\"\u{1F600}\")", r#""\\ud83d\\ude00""#),
        ],
        see: dynatrace_docs!("string-functions#escape"),
        imp: Scalar(|a, _| text(a, 12, escape)),
        ..STRING
    },
    Function {
        name: "unescape",
        doc: "Undoes backslash escapes: a backslash before a quote, backtick or backslash, `\\a \\b \\f \\n \\r \\t \\v`, `\\xhh` (a byte above 7f is that Latin-1 character) and `\\uhhhh` (UTF-16 units, pairs joined); other backslashes stay as written.",
        examples: &[
            ex(r#"unescape("\"foo\\x40bar\\u002ecom")"#, r#""\"foo@bar.com""#),
            ex(r#"unescape("\\xff \\u0064 \\q")"#, r#""ÿ d \\q""#),
            ex(r#"unescape("\\ud83d\\ude00!")"#, "\"\u{1F600}!\""),
            ex(r#"unescape(escape("a\"b'c\\d"))"#, r#""a\"b'c\\d""#),
        ],
        see: dynatrace_docs!("string-functions#unescape"),
        imp: Scalar(|a, _| text(a, 1, unescape)),
        ..STRING
    },
    Function {
        name: "unescapeHtml",
        doc: "Replaces HTML character references: the named ones of HTML 4 (`&lt;`, `&eacute;`, …) and `&apos;`, and numeric ones (`&#39;`, `&#x27;`); anything else stays as written.",
        examples: &[
            ex(
                r#"unescapeHtml("DQL is &lt;bold&gt;awesome&lt;/bold&gt;!")"#,
                r#""DQL is <bold>awesome</bold>!""#,
            ),
            ex(
                r#"unescapeHtml("&lt;a href=&quot;https://www.dynatrace.com/platform/grail&quot;&gt;Dynatrace Query Language&lt;/a&gt;")"#,
                r#""<a href=\"https://www.dynatrace.com/platform/grail\">Dynatrace Query Language</a>""#,
            ),
            ex(r#"unescapeHtml("caf&eacute; &#233;&#xE9; &amp;amp; &bogus; &#xD800;")"#, r#""café éé &amp; &bogus; &#xD800;""#),
        ],
        see: dynatrace_docs!("string-functions#unescapeHtml"),
        imp: Scalar(|a, _| text(a, 1, unescape_html)),
        ..STRING
    },
    Function {
        name: "encodeBase16",
        doc: "The text's UTF-8 bytes (or a binary value's bytes) as lower-case hexadecimal digits.",
        examples: &[
            ex(r#"encodeBase16("DQL is awesome!")"#, r#""44514c20697320617765736f6d6521""#),
            ex(r#"encodeBase16(decodeBase64ToBinary("/wA="))"#, r#""ff00""#),
            ex(r#"encodeBase16("ö")"#, r#""c3b6""#),
            ex(r#"encodeBase16("")"#, r#""""#),
        ],
        see: dynatrace_docs!("conversion-and-casting-functions#encode"),
        imp: Scalar(|a, _| bytes(a, 2, |b| Some(Value::str(&super::hash::hex(b))))),
        ..CONVERSION
    },
    Function {
        name: "encodeBase64",
        doc: "The text's UTF-8 bytes (or a binary value's bytes) in standard Base64, padded with `=`.",
        examples: &[
            ex(r#"encodeBase64(decodeBase16ToBinary("ff00"))"#, r#""/wA=""#),
            ex(r#"encodeBase64("DQL is awesome!")"#, r#""RFFMIGlzIGF3ZXNvbWUh""#),
            ex(r#"encodeBase64("DQL")"#, r#""RFFM""#),
            ex(r#"encodeBase64("ö")"#, r#""w7Y=""#),
        ],
        see: dynatrace_docs!("conversion-and-casting-functions#encode"),
        imp: Scalar(|a, _| bytes(a, 2, |b| Some(Value::str(&BASE64.encode(b))))),
        ..CONVERSION
    },
    Function {
        name: "decodeBase16ToString",
        doc: "Decodes hexadecimal digits (either case) to bytes read as UTF-8 text; null for an odd number of digits, other characters or bytes that are not UTF-8.",
        examples: &[
            ex(r#"decodeBase16ToString("44514c20697320617765736f6d6521")"#, r#""DQL is awesome!""#),
            ex(r#"decodeBase16ToString("C3B6")"#, r#""ö""#),
            ex(r#"decodeBase16ToString("445")"#, "null"),
            ex(r#"decodeBase16ToString("ff")"#, "null"),
        ],
        see: dynatrace_docs!("conversion-and-casting-functions#decode"),
        imp: Scalar(|a, _| bytes(a, 1, |b| utf8(decode_hex(b)?).map(|t| Value::str(&t)))),
        ..CONVERSION
    },
    Function {
        name: "decodeBase64ToString",
        doc: "Decodes standard Base64 (padding optional) to bytes read as UTF-8 text; null for other text or bytes that are not UTF-8.",
        examples: &[
            ex(r#"decodeBase64ToString("RFFMIGlzIGF3ZXNvbWUh")"#, r#""DQL is awesome!""#),
            ex(r#"decodeBase64ToString("w7Y=")"#, r#""ö""#),
            ex(r#"decodeBase64ToString("w7Y")"#, r#""ö""#),
            ex(r#"decodeBase64ToString("not base64!")"#, "null"),
            ex(r#"decodeBase64ToString("/w==")"#, "null"),
        ],
        see: dynatrace_docs!("conversion-and-casting-functions#decode"),
        imp: Scalar(|a, _| bytes(a, 1, |b| utf8(BASE64.decode(b).ok()?).map(|t| Value::str(&t)))),
        ..CONVERSION
    },
    Function {
        name: "decodeBase16ToBinary",
        returns: Ty::BINARY,
        doc: "Decodes hexadecimal digits (either case) to a binary value (written as Base64); null for an odd number of digits or other characters.",
        examples: &[
            ex(r#"decodeBase16ToBinary("ff00")"#, r#""/wA=""#),
            ex(r#"type(decodeBase16ToBinary("64716c"))"#, r#""binary""#),
            ex(r#"decodeBase16ToBinary("xyz")"#, "null"),
        ],
        see: dynatrace_docs!("conversion-and-casting-functions#decode"),
        imp: Scalar(|a, _| bytes(a, 1, |b| Some(Value::Binary(Arc::from(decode_hex(b)?))))),
        ..CONVERSION
    },
    Function {
        name: "decodeBase64ToBinary",
        returns: Ty::BINARY,
        doc: "Decodes standard Base64 (padding optional) to a binary value, whatever the bytes are (written as Base64 again); null for other text.",
        examples: &[
            ex(
                "data record(a = 3.14),\n     record(a = \"dynatrace\"),\n     record(a = true),\n     record(a = decodeBase64ToBinary(\"ZHluYXRyYWNl\"))\n| fieldsAdd type(a), asBinary(a)",
                "{\"a\":3.14,\"type(a)\":\"double\",\"asBinary(a)\":null}\n{\"a\":\"dynatrace\",\"type(a)\":\"string\",\"asBinary(a)\":null}\n{\"a\":true,\"type(a)\":\"boolean\",\"asBinary(a)\":null}\n{\"a\":\"ZHluYXRyYWNl\",\"type(a)\":\"binary\",\"asBinary(a)\":\"ZHluYXRyYWNl\"}",
            ),
            ex(r#"decodeBase64ToBinary("not base64!")"#, "null"),
        ],
        see: dynatrace_docs!("conversion-and-casting-functions#decode"),
        imp: Scalar(|a, _| bytes(a, 1, |b| Some(Value::Binary(Arc::from(BASE64.decode(b).ok()?))))),
        ..CONVERSION
    },
];

/// Applies a transformation to the bytes of a string (its UTF-8) or of a binary value: null for
/// anything else or when the transformation fails. The result is at most `growth` times the
/// input's length: the memory budget is asked for that first.
fn bytes(a: &[Value], growth: usize, f: impl Fn(&[u8]) -> Option<Value>) -> Value {
    let b: &[u8] = match at(a, 0) {
        Value::Str(s) => s.as_bytes(),
        Value::Binary(b) => b,
        _ => return Value::Null,
    };
    if !crate::exec::budget::charge(b.len().saturating_mul(growth).saturating_add(16)) {
        return Value::Null;
    }
    f(b).unwrap_or(Value::Null)
}

/// Applies a text transformation to a string argument: null for anything else or when the
/// transformation fails. The result is at most `growth` times the input's length: the memory
/// budget is asked for that first (as `new_str` does).
fn text(a: &[Value], growth: usize, f: fn(&str) -> Option<String>) -> Value {
    let Some(s) = at(a, 0).as_str() else {
        return Value::Null;
    };
    if !crate::exec::budget::charge(s.len().saturating_mul(growth).saturating_add(16)) {
        return Value::Null;
    }
    f(s).map_or(Value::Null, |t| Value::str(&t))
}

fn utf8(bytes: Vec<u8>) -> Option<String> {
    String::from_utf8(bytes).ok()
}

fn hex_digit(c: u8) -> Option<u8> {
    (c as char).to_digit(16).map(|d| d as u8)
}

fn decode_hex(b: &[u8]) -> Option<Vec<u8>> {
    if !b.len().is_multiple_of(2) {
        return None;
    }
    b.chunks(2)
        .map(|p| Some(hex_digit(p[0])? << 4 | hex_digit(p[1])?))
        .collect()
}

fn encode_url(s: &str) -> Option<String> {
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'.' | b'-' | b'*' | b'_' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => {
                out.push('%');
                out.push_str(&format!("{b:02X}"));
            }
        }
    }
    Some(out)
}

fn decode_url(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                let hi = hex_digit(*b.get(i + 1)?)?;
                let lo = hex_digit(*b.get(i + 2)?)?;
                out.push(hi << 4 | lo);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    utf8(out)
}

fn escape(s: &str) -> Option<String> {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\'' => out.push_str("\\'"),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            ' '..='~' => out.push(c),
            '\0'..='\u{7f}' => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            _ => {
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{u:04x}");
                }
            }
        }
    }
    Some(out)
}

fn unescape(s: &str) -> Option<String> {
    let mut units: Vec<u16> = Vec::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    let hex = |chars: &mut std::iter::Peekable<std::str::Chars>, n: usize| -> Option<u16> {
        let digits: String = chars.clone().take(n).collect();
        if digits.len() != n || !digits.bytes().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        chars.nth(n - 1);
        u16::from_str_radix(&digits, 16).ok()
    };
    let push = |units: &mut Vec<u16>, c: char| {
        let mut buf = [0u16; 2];
        units.extend_from_slice(c.encode_utf16(&mut buf));
    };
    while let Some(c) = chars.next() {
        if c != '\\' {
            push(&mut units, c);
            continue;
        }
        let simple = match chars.peek() {
            Some('"') => Some('"'),
            Some('\'') => Some('\''),
            Some('`') => Some('`'),
            Some('\\') => Some('\\'),
            Some('a') => Some('\u{7}'),
            Some('b') => Some('\u{8}'),
            Some('f') => Some('\u{c}'),
            Some('n') => Some('\n'),
            Some('r') => Some('\r'),
            Some('t') => Some('\t'),
            Some('v') => Some('\u{b}'),
            _ => None,
        };
        if let Some(e) = simple {
            chars.next();
            push(&mut units, e);
            continue;
        }
        let mut ahead = chars.clone();
        let unit = match ahead.next() {
            Some('x') => hex(&mut ahead, 2),
            Some('u') => hex(&mut ahead, 4),
            _ => None,
        };
        match unit {
            Some(u) => {
                units.push(u);
                chars = ahead;
            }
            // Not an escape: the backslash stays.
            None => push(&mut units, '\\'),
        }
    }
    // A lone surrogate becomes U+FFFD.
    Some(String::from_utf16_lossy(&units))
}

fn unescape_html(s: &str) -> Option<String> {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let reference = rest[1..]
            .find(';')
            .filter(|&k| k <= 32)
            .and_then(|k| Some((character(&rest[1..1 + k])?, k + 2)));
        match reference {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    Some(out)
}

/// The character of an HTML reference's name (`lt`, `#60`, `#x3C`), if it is one.
fn character(name: &str) -> Option<char> {
    if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(h) if !h.is_empty() && h.bytes().all(|c| c.is_ascii_hexdigit()) => {
                u32::from_str_radix(h, 16).ok()?
            }
            Some(_) => return None,
            None if !num.is_empty() && num.bytes().all(|c| c.is_ascii_digit()) => {
                num.parse().ok()?
            }
            None => return None,
        };
        return char::from_u32(code);
    }
    if name == "apos" {
        return Some('\'');
    }
    ENTITIES
        .binary_search_by(|(n, _)| (*n).cmp(name))
        .ok()
        .map(|i| ENTITIES[i].1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entities_are_sorted_for_binary_search() {
        assert!(ENTITIES.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(character("lt"), Some('<'));
        assert_eq!(character("zwnj"), Some('\u{200c}'));
        assert_eq!(character("AElig"), Some('Æ'));
    }

    #[test]
    fn escape_and_unescape_round_trip() {
        for s in [
            "",
            "plain",
            "a\"b'c\\d`e",
            "\u{0}\u{7}\u{b}\u{1f}\u{7f}",
            "äöü €",
            "\u{1F415}\u{200D}\u{1F9BA}",
            "\u{80}\u{ff}",
        ] {
            assert_eq!(unescape(&escape(s).unwrap()).as_deref(), Some(s), "{s:?}");
        }
    }

    #[test]
    fn url_encoding_round_trips() {
        for s in ["", "a b+c", "100% ö/€?&=#", "\u{1F600}"] {
            assert_eq!(
                decode_url(&encode_url(s).unwrap()).as_deref(),
                Some(s),
                "{s:?}"
            );
        }
    }
}
