//! Pattern text → tokens with byte spans. Whitespace, newlines and comments (`// …`, `/* … */`)
//! separate tokens and are dropped; literals (`'…'`, `"…"`) and character groups (`[…]`) are
//! read whole here, escapes resolved, so that the parser sees one token for each.

use crate::diag::{Code, Diagnostic, Span};

#[derive(Clone, Debug, PartialEq)]
pub enum Tok {
    /// A matcher name, configuration key or export name (`LD`, `min`, `ip`).
    Ident(String),
    /// A literal: `'text'` or `"text"`, escapes resolved.
    Str(String),
    /// A character group `[…]`.
    Class(ClassSpec),
    /// `[]` pairs after a matcher name in a JSON member list: `INT[]`, `LONG[][]`.
    Dims(u8),
    /// A number (`12`, `-3`, `2.5`, `1e3`), as written.
    Num(String),
    /// A macro name `$name` (without the `$`).
    Var(String),
    LParen,
    RParen,
    LBrace,
    RBrace,
    Comma,
    Colon,
    Semi,
    Eq,
    Pipe,
    Question,
    Star,
    Plus,
    Dot,
    /// `>>` (look ahead) or `!>>`.
    Ahead(bool),
    /// `<<` (look behind) or `!<<`.
    Behind(bool),
    Eof,
}

/// A character group: its members, and whether it is negated (`[^…]`, `[!…]`).
#[derive(Clone, Debug, PartialEq)]
pub struct ClassSpec {
    pub negated: bool,
    pub items: Vec<ClassItem>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ClassItem {
    Char(char),
    Range(char, char),
    /// A POSIX class by name (`[:alpha:]`), with the span of the name for errors.
    Posix(String, Span),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Token {
    pub tok: Tok,
    pub span: Span,
}

/// What a token is, for "expected X, found Y" messages.
pub fn describe(t: &Tok) -> String {
    match t {
        Tok::Ident(s) => format!("`{s}`"),
        Tok::Str(_) => "a literal".into(),
        Tok::Class(_) => "a character group".into(),
        Tok::Dims(_) => "`[]`".into(),
        Tok::Num(n) => format!("the number {n}"),
        Tok::Var(v) => format!("`${v}`"),
        Tok::LParen => "`(`".into(),
        Tok::RParen => "`)`".into(),
        Tok::LBrace => "`{`".into(),
        Tok::RBrace => "`}`".into(),
        Tok::Comma => "`,`".into(),
        Tok::Colon => "`:`".into(),
        Tok::Semi => "`;`".into(),
        Tok::Eq => "`=`".into(),
        Tok::Pipe => "`|`".into(),
        Tok::Question => "`?`".into(),
        Tok::Star => "`*`".into(),
        Tok::Plus => "`+`".into(),
        Tok::Dot => "`.`".into(),
        Tok::Ahead(neg) => if *neg { "`!>>`" } else { "`>>`" }.into(),
        Tok::Behind(neg) => if *neg { "`!<<`" } else { "`<<`" }.into(),
        Tok::Eof => "the end of the pattern".into(),
    }
}

fn error(span: Span, message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::E319, span, message)
}

/// Tokenizes a pattern; never fails: problems become diagnostics and the rest is still read.
pub fn lex(src: &str) -> (Vec<Token>, Vec<Diagnostic>) {
    let b = src.as_bytes();
    let mut toks = Vec::new();
    let mut diags = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let start = i;
        let one = |t: Tok| (t, start + 1);
        let (tok, next) = match c {
            b' ' | b'\t' | b'\n' | b'\r' | b'\x0b' | b'\x0c' => {
                i += 1;
                continue;
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                i = src[i..].find('\n').map_or(b.len(), |k| i + k);
                continue;
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                match src[i + 2..].find("*/") {
                    Some(k) => i = i + 2 + k + 2,
                    None => {
                        diags.push(
                            error(
                                Span::new(i, b.len()),
                                "unterminated comment: expected `*/`, found the end of the pattern",
                            )
                            .with_label("comment starts here"),
                        );
                        i = b.len();
                    }
                }
                continue;
            }
            b'(' => one(Tok::LParen),
            b')' => one(Tok::RParen),
            b'{' => one(Tok::LBrace),
            b'}' => one(Tok::RBrace),
            b',' => one(Tok::Comma),
            b':' => one(Tok::Colon),
            b';' => one(Tok::Semi),
            b'=' => one(Tok::Eq),
            b'|' => one(Tok::Pipe),
            b'?' => one(Tok::Question),
            b'*' => one(Tok::Star),
            b'+' => one(Tok::Plus),
            b'.' => one(Tok::Dot),
            b'>' if b.get(i + 1) == Some(&b'>') => (Tok::Ahead(false), i + 2),
            b'<' if b.get(i + 1) == Some(&b'<') => (Tok::Behind(false), i + 2),
            b'!' if src[i..].starts_with("!>>") => (Tok::Ahead(true), i + 3),
            b'!' if src[i..].starts_with("!<<") => (Tok::Behind(true), i + 3),
            b'\'' | b'"' => lex_literal(src, i, &mut diags),
            // `INT[]` (right after a name): array dimensions; elsewhere `[]…]` is a group.
            b'[' if b.get(i + 1) == Some(&b']')
                && i > 0
                && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_') =>
            {
                let mut n = 0u8;
                let mut j = i;
                while src[j..].starts_with("[]") {
                    n = n.saturating_add(1);
                    j += 2;
                }
                (Tok::Dims(n), j)
            }
            b'[' => lex_class(src, i, &mut diags),
            b'$' => {
                let len = ident_len(&b[i + 1..]);
                if len == 0 {
                    diags.push(error(
                        Span::new(i, i + 1),
                        "expected a macro name after `$`, such as $user",
                    ));
                    i += 1;
                    continue;
                }
                (Tok::Var(src[i + 1..i + 1 + len].to_string()), i + 1 + len)
            }
            b'-' | b'0'..=b'9' => {
                let len = number_len(&b[i..]);
                if len == 0 {
                    diags.push(error(
                        Span::new(i, i + 1),
                        "expected a number after `-`, found something else",
                    ));
                    i += 1;
                    continue;
                }
                (Tok::Num(src[i..i + len].to_string()), i + len)
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                let len = ident_len(&b[i..]);
                (Tok::Ident(src[i..i + len].to_string()), i + len)
            }
            _ => {
                let ch = src[i..].chars().next().unwrap_or('?');
                diags.push(
                    error(
                        Span::new(i, i + ch.len_utf8()),
                        format!("expected a matcher, a literal in quotes or a character group, found {ch:?}"),
                    )
                    .with_label("not part of the pattern language")
                    .with_hint("text to match goes in quotes: ' ' or '\"'"),
                );
                i += ch.len_utf8();
                continue;
            }
        };
        toks.push(Token {
            tok,
            span: Span::new(start, next),
        });
        i = next;
    }
    toks.push(Token {
        tok: Tok::Eof,
        span: Span::new(b.len(), b.len()),
    });
    (toks, diags)
}

fn ident_len(b: &[u8]) -> usize {
    match b.first() {
        Some(c) if c.is_ascii_alphabetic() || *c == b'_' => b
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
            .count(),
        _ => 0,
    }
}

/// `-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?`; 0 when there is none.
fn number_len(b: &[u8]) -> usize {
    let mut i = usize::from(b.first() == Some(&b'-'));
    let digits = |from: usize| b[from..].iter().take_while(|c| c.is_ascii_digit()).count();
    let d = digits(i);
    if d == 0 {
        return 0;
    }
    i += d;
    if b.get(i) == Some(&b'.') && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
        i += 1 + digits(i + 1);
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        let sign = usize::from(matches!(b.get(i + 1), Some(b'+' | b'-')));
        let d = digits(i + 1 + sign);
        if d > 0 {
            i += 1 + sign + d;
        }
    }
    i
}

/// One escaped character after a backslash at `i` (which is the backslash): the character and
/// the index after the escape.
fn escape(src: &str, i: usize, diags: &mut Vec<Diagnostic>) -> (char, usize) {
    let Some(c) = src[i + 1..].chars().next() else {
        return ('\\', i + 1);
    };
    let hex = |from: usize, len: usize| {
        src.get(from..from + len)
            .filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()))
            .and_then(|h| u32::from_str_radix(h, 16).ok())
            .and_then(char::from_u32)
    };
    match c {
        'n' => ('\n', i + 2),
        't' => ('\t', i + 2),
        'r' => ('\r', i + 2),
        'f' => ('\x0c', i + 2),
        'v' => ('\x0b', i + 2),
        '0' => ('\0', i + 2),
        'x' => match hex(i + 2, 2) {
            Some(ch) => (ch, i + 4),
            None => {
                diags.push(error(
                    Span::new(i, i + 2),
                    "invalid escape: expected `\\x` and two hex digits",
                ));
                ('x', i + 2)
            }
        },
        'u' => match hex(i + 2, 4) {
            Some(ch) => (ch, i + 6),
            None => {
                diags.push(error(
                    Span::new(i, i + 2),
                    "invalid escape: expected `\\u` and four hex digits",
                ));
                ('u', i + 2)
            }
        },
        other => (other, i + 1 + other.len_utf8()),
    }
}

fn lex_literal(src: &str, start: usize, diags: &mut Vec<Diagnostic>) -> (Tok, usize) {
    let quote = src.as_bytes()[start];
    let mut s = String::new();
    let mut i = start + 1;
    while i < src.len() {
        match src.as_bytes()[i] {
            q if q == quote => return (Tok::Str(s), i + 1),
            b'\\' => {
                let (c, next) = escape(src, i, diags);
                s.push(c);
                i = next;
            }
            _ => {
                let ch = src[i..].chars().next().unwrap_or('?');
                s.push(ch);
                i += ch.len_utf8();
            }
        }
    }
    diags.push(
        error(
            Span::new(start, src.len()),
            format!(
                "unterminated literal: expected a closing `{}`, found the end of the pattern",
                quote as char
            ),
        )
        .with_label("literal starts here"),
    );
    (Tok::Str(s), src.len())
}

/// `[…]`: members, ranges `a-z`, POSIX names `[:alpha:]`, negation `^`/`!`, escapes.
fn lex_class(src: &str, start: usize, diags: &mut Vec<Diagnostic>) -> (Tok, usize) {
    let b = src.as_bytes();
    let mut i = start + 1;
    let negated = matches!(b.get(i), Some(b'^' | b'!'));
    if negated {
        i += 1;
    }
    let mut items = Vec::new();
    // `[:alpha:]` and `[!:space:]`: the whole group is one POSIX class.
    if b.get(i) == Some(&b':') {
        if let Some(k) = src[i + 1..].find(":]") {
            let name = &src[i + 1..i + 1 + k];
            if !name.is_empty() && name.bytes().all(|c| c.is_ascii_alphabetic()) {
                let span = Span::new(i + 1, i + 1 + k);
                items.push(ClassItem::Posix(name.to_string(), span));
                return (Tok::Class(ClassSpec { negated, items }), i + k + 3);
            }
        }
    }
    let mut first = true;
    while i < b.len() {
        let c = b[i];
        if c == b']' && !first {
            return (Tok::Class(ClassSpec { negated, items }), i + 1);
        }
        first = false;
        if src[i..].starts_with("[:") {
            if let Some(k) = src[i + 2..].find(":]") {
                let name = &src[i + 2..i + 2 + k];
                items.push(ClassItem::Posix(
                    name.to_string(),
                    Span::new(i + 2, i + 2 + k),
                ));
                i += k + 4;
                continue;
            }
        }
        let (ch, next) = if c == b'\\' {
            escape(src, i, diags)
        } else {
            let ch = src[i..].chars().next().unwrap_or('?');
            (ch, i + ch.len_utf8())
        };
        i = next;
        // `a-z`: a range unless the `-` is last (`[a-]`).
        if b.get(i) == Some(&b'-') && b.get(i + 1).is_some_and(|&n| n != b']') {
            let (hi, after) = if b[i + 1] == b'\\' {
                escape(src, i + 1, diags)
            } else {
                let h = src[i + 1..].chars().next().unwrap_or('?');
                (h, i + 1 + h.len_utf8())
            };
            if hi < ch {
                diags.push(error(
                    Span::new(i - ch.len_utf8(), after),
                    format!("expected a range from low to high, found {ch:?}-{hi:?}"),
                ));
            }
            items.push(ClassItem::Range(ch, hi));
            i = after;
            continue;
        }
        items.push(ClassItem::Char(ch));
    }
    diags.push(
        error(
            Span::new(start, src.len()),
            "unterminated character group: expected `]`, found the end of the pattern",
        )
        .with_label("group starts here")
        .with_hint("a `]` inside the group is written `\\]`"),
    );
    (Tok::Class(ClassSpec { negated, items }), src.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<Tok> {
        let (t, d) = lex(s);
        assert!(d.is_empty(), "{s}: {d:?}");
        t.into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn tokens() {
        use Tok::*;
        assert_eq!(
            toks("LD:x ' ' INT{2,} // c\n[a-z]+ /* d */ $m"),
            [
                Ident("LD".into()),
                Colon,
                Ident("x".into()),
                Str(" ".into()),
                Ident("INT".into()),
                LBrace,
                Num("2".into()),
                Comma,
                RBrace,
                Class(ClassSpec {
                    negated: false,
                    items: vec![ClassItem::Range('a', 'z')]
                }),
                Plus,
                Var("m".into()),
                Eof
            ]
        );
        assert_eq!(
            toks(r#"'\"' "it's""#),
            [Str("\"".into()), Str("it's".into()), Eof]
        );
        assert_eq!(
            toks("!>> << INT[][]"),
            [
                Ahead(true),
                Behind(false),
                Ident("INT".into()),
                Dims(2),
                Eof
            ]
        );
        assert_eq!(
            toks("-3 2.5 1e3"),
            [Num("-3".into()), Num("2.5".into()), Num("1e3".into()), Eof]
        );
    }

    #[test]
    fn classes() {
        let class = |s: &str| match toks(s).remove(0) {
            Tok::Class(c) => c,
            t => panic!("{t:?}"),
        };
        assert!(class("[!:space:]").negated);
        assert!(matches!(&class("[:alpha:]").items[..], [ClassItem::Posix(n, _)] if n == "alpha"));
        assert_eq!(
            class(r"[^\]\n-]").items,
            [
                ClassItem::Char(']'),
                ClassItem::Char('\n'),
                ClassItem::Char('-')
            ]
        );
        assert_eq!(
            class("[]a]").items,
            [ClassItem::Char(']'), ClassItem::Char('a')]
        );
    }

    #[test]
    fn errors_have_spans_inside_the_pattern() {
        for src in ["'abc", "[abc", "/* x", "LD #", "$", "- 3", r"'\x4'"] {
            let (_, d) = lex(src);
            assert!(!d.is_empty(), "{src}");
            for e in d {
                assert!(
                    e.span.end as usize <= src.len() && e.span.start <= e.span.end,
                    "{src}"
                );
            }
        }
    }
}
