//! JSON text for the JSON, JSON_ARRAY and JSON_VALUE matchers: one value read from the start of
//! a text (RFC 8259, nested at most 256 levels), with the length it took. The store's JSON
//! parser does the reading, so numbers, escapes and duplicate keys behave as in loaded events.

use crate::storage::intern::Interner;
use crate::storage::tape::{Doc, Parser, Tape};
use crate::value::Value;

/// The JSON value at the start of `text` and its length in bytes; `None` if there is none.
pub fn parse_prefix(text: &str) -> Option<(usize, Value)> {
    let mut tape = Tape::default();
    let mut interner = Interner::default();
    let mut p = Parser::new(&mut tape, &mut interner, text.as_bytes());
    p.text_str = Some(text);
    p.value().ok()?;
    let len = p.pos;
    drop(p);
    let v = Doc {
        tape: &tape,
        interner: &interner,
    }
    .value(0);
    Some((len, v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes() {
        let (len, v) = parse_prefix(r#"{"a":[1,2.5,"x"],"b":null} tail"#).unwrap();
        assert_eq!(len, 26);
        assert_eq!(v.member("a").element(1), Value::Double(2.5));
        assert_eq!(parse_prefix("[1, 2]x").map(|(l, _)| l), Some(6));
        assert_eq!(parse_prefix("{\"a\":").map(|(l, _)| l), None);
        assert_eq!(parse_prefix("nope"), None);
    }
}
