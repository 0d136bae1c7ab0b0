//! The JSON of one record as the record dialogs and the evidence list show it: [`Json`] keeps the
//! record's key order (unlike `serde_json::Value` without `preserve_order`), prints itself
//! indented or on one line, and splits its printed text into coloured pieces ([`tokens`]).
//! Pure code, tested on the host; the views turn each piece into a text node.

use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

/// A JSON value with object keys in document order (the record's column order matters).
#[derive(Clone, Debug, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl Json {
    /// Parses JSON text (serde_json's parser, so nesting is capped at 128 levels).
    pub fn parse(text: &str) -> Result<Json, String> {
        serde_json::from_str(text).map_err(|e| e.to_string())
    }

    /// The value as `serde_json::Value` when it is a scalar (arrays and objects give `None`).
    pub fn scalar(&self) -> Option<serde_json::Value> {
        Some(match self {
            Json::Null => serde_json::Value::Null,
            Json::Bool(b) => serde_json::Value::Bool(*b),
            Json::Number(n) => serde_json::Value::Number(n.clone()),
            Json::String(s) => serde_json::Value::String(s.clone()),
            Json::Array(_) | Json::Object(_) => return None,
        })
    }

    /// Indented JSON text (two spaces), keys in order.
    pub fn pretty(&self) -> String {
        tokens(self, true).into_iter().map(|(_, t)| t).collect()
    }

    /// JSON text on one line.
    pub fn compact(&self) -> String {
        tokens(self, false).into_iter().map(|(_, t)| t).collect()
    }
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        de.deserialize_any(JsonVisitor)
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_none<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, de: D) -> Result<Json, D::Error> {
        Json::deserialize(de)
    }

    fn visit_bool<E>(self, b: bool) -> Result<Json, E> {
        Ok(Json::Bool(b))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Json, E> {
        Ok(Json::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Json, E> {
        Ok(Json::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Json, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Json::Null, Json::Number))
    }

    fn visit_str<E>(self, s: &str) -> Result<Json, E> {
        Ok(Json::String(s.to_owned()))
    }

    fn visit_string<E>(self, s: String) -> Result<Json, E> {
        Ok(Json::String(s))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut fields = Vec::new();
        while let Some(entry) = map.next_entry::<String, Json>()? {
            fields.push(entry);
        }
        Ok(Json::Object(fields))
    }
}

/// What a piece of printed JSON is, for colouring.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    /// Brackets, commas, colons and whitespace.
    Punct,
    Key,
    Str,
    Num,
    Bool,
    Null,
}

impl TokenKind {
    pub fn class(self) -> &'static str {
        match self {
            TokenKind::Punct => "details-punct",
            TokenKind::Key => "details-key",
            TokenKind::Str => "details-string",
            TokenKind::Num => "details-number",
            TokenKind::Bool => "details-bool",
            TokenKind::Null => "details-null",
        }
    }
}

/// `json` printed as JSON text in coloured pieces (adjacent pieces of one kind are merged).
pub fn tokens(json: &Json, pretty: bool) -> Vec<(TokenKind, String)> {
    let mut out = Vec::new();
    write_tokens(json, if pretty { Some(0) } else { None }, &mut out);
    out
}

fn push(out: &mut Vec<(TokenKind, String)>, kind: TokenKind, text: &str) {
    match out.last_mut() {
        Some((k, t)) if *k == kind => t.push_str(text),
        _ => out.push((kind, text.to_string())),
    }
}

fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

/// `indent`: the current depth when pretty-printing, `None` for one line.
fn write_tokens(json: &Json, indent: Option<usize>, out: &mut Vec<(TokenKind, String)>) {
    let newline = |out: &mut Vec<(TokenKind, String)>, depth: usize| {
        if indent.is_some() {
            push(out, TokenKind::Punct, &format!("\n{}", "  ".repeat(depth)));
        }
    };
    let depth = indent.unwrap_or(0);
    let inner = indent.map(|d| d + 1);
    match json {
        Json::Null => push(out, TokenKind::Null, "null"),
        Json::Bool(b) => push(out, TokenKind::Bool, if *b { "true" } else { "false" }),
        Json::Number(n) => push(out, TokenKind::Num, &n.to_string()),
        Json::String(s) => push(out, TokenKind::Str, &quote(s)),
        Json::Array(items) if items.is_empty() => push(out, TokenKind::Punct, "[]"),
        Json::Object(fields) if fields.is_empty() => push(out, TokenKind::Punct, "{}"),
        Json::Array(items) => {
            push(out, TokenKind::Punct, "[");
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    push(out, TokenKind::Punct, ",");
                }
                newline(out, depth + 1);
                write_tokens(item, inner, out);
            }
            newline(out, depth);
            push(out, TokenKind::Punct, "]");
        }
        Json::Object(fields) => {
            push(out, TokenKind::Punct, "{");
            for (i, (key, value)) in fields.iter().enumerate() {
                if i > 0 {
                    push(out, TokenKind::Punct, ",");
                }
                newline(out, depth + 1);
                push(out, TokenKind::Key, &quote(key));
                push(
                    out,
                    TokenKind::Punct,
                    if indent.is_some() { ": " } else { ":" },
                );
                write_tokens(value, inner, out);
            }
            newline(out, depth);
            push(out, TokenKind::Punct, "}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_keep_their_order() {
        let j = Json::parse(r#"{"b":1,"a":[true,null,"x"],"c":{}}"#).unwrap();
        assert_eq!(j.compact(), r#"{"b":1,"a":[true,null,"x"],"c":{}}"#);
    }

    #[test]
    fn pretty_printing_indents_two_spaces() {
        let j = Json::parse(r#"{"a":[1,2.5],"b":{"c":"<img src=x>"},"d":[]}"#).unwrap();
        assert_eq!(
            j.pretty(),
            "{\n  \"a\": [\n    1,\n    2.5\n  ],\n  \"b\": {\n    \"c\": \"<img src=x>\"\n  },\n  \"d\": []\n}"
        );
    }

    #[test]
    fn tokens_are_coloured_by_kind() {
        let j = Json::parse(r#"{"k":"v","n":-3,"t":false,"z":null}"#).unwrap();
        let kinds: Vec<TokenKind> = tokens(&j, false).into_iter().map(|(k, _)| k).collect();
        use TokenKind::*;
        assert_eq!(
            kinds,
            [
                Punct, Key, Punct, Str, Punct, Key, Punct, Num, Punct, Key, Punct, Bool, Punct,
                Key, Punct, Null, Punct
            ]
        );
    }

    #[test]
    fn strings_are_escaped_when_printed() {
        let j = Json::parse(r#"["a\"b\\c\nd"]"#).unwrap();
        assert_eq!(j.compact(), r#"["a\"b\\c\nd"]"#);
    }
}
