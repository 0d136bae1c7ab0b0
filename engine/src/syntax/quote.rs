//! Writing names and values back as DQL text, decided by the lexer itself, so that what the UI
//! writes into a query (the record tree's "filter for value", the field sidebar) always reads
//! back as the same name or value.

use super::lex::{lex, Tok};

/// Words the parser reads as literals or operators: a field of that name needs backticks.
pub const RESERVED: &[&str] = &["true", "false", "null", "and", "or", "xor", "not", "mod"];

/// Words an editor shows as keywords: the reserved words and the sort directions.
pub const KEYWORDS: &[&str] = &[
    "and", "or", "xor", "not", "true", "false", "null", "asc", "desc",
];

/// True when `word` (any case) is one of [`KEYWORDS`].
pub fn is_keyword(word: &str) -> bool {
    KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(word))
}

/// True when the lexer reads `name` as exactly one plain identifier with that text (so no
/// trailing `.`, no `*` pattern, no leading digit).
fn lexes_as_one_name(name: &str) -> bool {
    let (toks, diags) = lex(name);
    diags.is_empty()
        && !name.contains('*')
        && matches!(toks.as_slice(), [first, _eof] if first.tok == Tok::Ident(name.to_string()))
}

/// True when a top-level field name must be written in backticks to be read back as itself.
pub fn needs_backticks(name: &str) -> bool {
    !lexes_as_one_name(name) || RESERVED.contains(&name.to_ascii_lowercase().as_str())
}

fn backticked(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 2);
    out.push('`');
    for c in name.chars() {
        if c == '`' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('`');
    out
}

/// A top-level field name as DQL text: `eventName`, `` `count()` ``, `` `null` ``.
pub fn field(name: &str) -> String {
    if needs_backticks(name) {
        backticked(name)
    } else {
        name.to_string()
    }
}

/// A member name inside `[ ]`: plain when the lexer reads it as one name (reserved words are
/// names there), else in backticks (`` [`a b`] ``, `` [`123`] `` — a bare number is an index).
pub fn key(name: &str) -> String {
    if lexes_as_one_name(name) {
        name.to_string()
    } else {
        backticked(name)
    }
}

/// A DQL string literal: `"` and `\` escaped, control characters as escapes, so the text stays
/// on one line and the lexer reads it back unchanged.
pub fn string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            // Controls, bidi overrides and zero-width characters are written as escapes, so a
            // query built from a log value (Filter for value) shows them and can be shared.
            c if crate::terminal::is_unsafe(c) && (c as u32) < 0x10000 => {
                out.push_str(&format!("\\u{:04x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// One step of a path into a record: the top-level field and member names are `Key`, array
/// elements `Index`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PathStep {
    Key(String),
    Index(usize),
}

/// The DQL expression for a path: `event[userIdentity][arn]`, `` `my field`[0] ``.
pub fn path(steps: &[PathStep]) -> String {
    let mut out = String::new();
    for (i, step) in steps.iter().enumerate() {
        match step {
            PathStep::Key(name) if i == 0 => out.push_str(&field(name)),
            PathStep::Key(name) => {
                out.push('[');
                out.push_str(&key(name));
                out.push(']');
            }
            PathStep::Index(n) => out.push_str(&format!("[{n}]")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::ast::{ExprKind, Key};

    #[test]
    fn names() {
        for (name, want) in [
            ("eventName", "eventName"),
            ("dt.system.bucket", "dt.system.bucket"),
            ("_x1", "_x1"),
            ("a.", "`a.`"),
            ("a..b", "a..b"),
            ("dt.*", "`dt.*`"),
            ("count()", "`count()`"),
            ("a b", "`a b`"),
            ("1a", "`1a`"),
            ("", "``"),
            ("null", "`null`"),
            ("AND", "`AND`"),
            ("a`b\\", "`a\\`b\\\\`"),
            ("é", "`é`"),
        ] {
            assert_eq!(field(name), want, "{name:?}");
        }
        assert_eq!(key("null"), "null");
        assert_eq!(key("123"), "`123`");
        assert_eq!(key("a b"), "`a b`");
    }

    /// Whatever the name, the text reads back as that name (a field, or a member in `[ ]`).
    #[test]
    fn round_trips_through_the_parser() {
        let names = [
            "eventName",
            "a.",
            "a.b.",
            "null",
            "true",
            "x y",
            "123",
            "-1",
            "a`b",
            "a\\b",
            "é",
            "dt.*",
            "count()",
            "",
            "$x",
            "a\"b",
            "[x]",
            "a|b",
            "//c",
        ];
        for n in names {
            let text = path(&[
                PathStep::Key(n.into()),
                PathStep::Key(n.into()),
                PathStep::Index(2),
            ]);
            let (q, d) = crate::syntax::parse(&format!("data record() | fields {text}"));
            assert!(d.is_empty(), "{n:?} as {text}: {d:?}");
            let arg = &q.commands[1].args[0];
            let e = arg.expr().unwrap();
            let ExprKind::Index(inner, Key::Index(2)) = &e.kind else {
                panic!("{text}: {e:?}")
            };
            let ExprKind::Index(base, Key::Name(k)) = &inner.kind else {
                panic!("{text}: {inner:?}")
            };
            assert_eq!(k, n, "{text}");
            assert_eq!(base.kind, ExprKind::Field(n.to_string()), "{text}");
        }
    }

    #[test]
    fn strings_round_trip() {
        for s in [
            "",
            "a\"b",
            "\\",
            "line\nbreak\r\t",
            "\u{1}\u{7f}",
            "é😀",
            "\u{202e}",
            "\u{200d}\u{2066}\u{feff}\u{061c}",
        ] {
            let (toks, d) = lex(&string(s));
            assert!(d.is_empty(), "{s:?}");
            assert_eq!(toks[0].tok, Tok::Str(s.to_string()), "{s:?}");
            assert!(!string(s).contains('\n'));
            assert!(!string(s).chars().any(crate::terminal::is_unsafe), "{s:?}");
        }
        assert_eq!(string("a\u{202e}b\u{200b}"), "\"a\\u202eb\\u200b\"");
    }
}
