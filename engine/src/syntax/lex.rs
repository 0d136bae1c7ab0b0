//! Lexer: query text → tokens with byte spans. Never fails: bad input becomes an `Error` token
//! plus a diagnostic, so the parser can go on and report everything at once.

use crate::diag::{Code, Diagnostic, Span};

#[derive(Clone, Debug, PartialEq)]
pub enum Tok {
    /// Plain identifier; dots belong to it (`dt.system.bucket`).
    Ident(String),
    /// Backticked name (`` `count()` ``), escapes resolved.
    Quoted(String),
    Str(String),
    Long(i64),
    Double(f64),
    /// `30min`, `5m`: amount and unit as written.
    Duration(i64, String),
    /// 9223372036854775808: only valid after unary minus (`i64::MIN`).
    LongMinAbs,
    Pipe,
    Comma,
    Colon,
    LParen,
    RParen,
    LBrace,
    RBrace,
    LBracket,
    RBracket,
    Assign,
    EqEq,
    NotEq,
    Lt,
    Le,
    Gt,
    Ge,
    Plus,
    Minus,
    Star,
    Slash,
    Percent,
    At,
    Tilde,
    Error,
    Eof,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Token {
    pub tok: Tok,
    pub span: Span,
}

pub fn describe(t: &Tok) -> String {
    match t {
        Tok::Ident(s) => format!("`{s}`"),
        Tok::Quoted(s) => format!("`{s}`"),
        Tok::Str(_) => "a string".into(),
        Tok::Long(_) | Tok::Double(_) | Tok::LongMinAbs => "a number".into(),
        Tok::Duration(..) => "a duration".into(),
        Tok::Pipe => "`|`".into(),
        Tok::Comma => "`,`".into(),
        Tok::Colon => "`:`".into(),
        Tok::LParen => "`(`".into(),
        Tok::RParen => "`)`".into(),
        Tok::LBrace => "`{`".into(),
        Tok::RBrace => "`}`".into(),
        Tok::LBracket => "`[`".into(),
        Tok::RBracket => "`]`".into(),
        Tok::Assign => "`=`".into(),
        Tok::EqEq => "`==`".into(),
        Tok::NotEq => "`!=`".into(),
        Tok::Lt => "`<`".into(),
        Tok::Le => "`<=`".into(),
        Tok::Gt => "`>`".into(),
        Tok::Ge => "`>=`".into(),
        Tok::Plus => "`+`".into(),
        Tok::Minus => "`-`".into(),
        Tok::Star => "`*`".into(),
        Tok::Slash => "`/`".into(),
        Tok::Percent => "`%`".into(),
        Tok::At => "`@`".into(),
        Tok::Tilde => "`~`".into(),
        Tok::Error => "an invalid character".into(),
        Tok::Eof => "the end of the query".into(),
    }
}

pub fn lex(src: &str) -> (Vec<Token>, Vec<Diagnostic>) {
    let b = src.as_bytes();
    let mut toks = Vec::new();
    let mut diags = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let start = i;
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if c == b'/' && b.get(i + 1) == Some(&b'/') {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
            continue;
        }
        if c == b'/' && b.get(i + 1) == Some(&b'*') {
            match src[i + 2..].find("*/") {
                Some(k) => i += k + 4,
                None => {
                    diags.push(
                        Diagnostic::error(
                            Code::E103,
                            Span::new(i, b.len()),
                            "unterminated comment: expected `*/`, found the end of the query",
                        )
                        .with_label("comment starts here"),
                    );
                    i = b.len();
                }
            }
            continue;
        }
        let simple = match c {
            b'|' => Some(Tok::Pipe),
            b',' => Some(Tok::Comma),
            b':' => Some(Tok::Colon),
            b'(' => Some(Tok::LParen),
            b')' => Some(Tok::RParen),
            b'{' => Some(Tok::LBrace),
            b'}' => Some(Tok::RBrace),
            b'[' => Some(Tok::LBracket),
            b']' => Some(Tok::RBracket),
            b'+' => Some(Tok::Plus),
            b'-' => Some(Tok::Minus),
            b'*' => Some(Tok::Star),
            b'/' => Some(Tok::Slash),
            b'%' => Some(Tok::Percent),
            b'@' => Some(Tok::At),
            b'~' => Some(Tok::Tilde),
            _ => None,
        };
        if let Some(t) = simple {
            i += 1;
            toks.push(Token {
                tok: t,
                span: Span::new(start, i),
            });
            continue;
        }
        let two = |n: u8| b.get(i + 1) == Some(&n);
        let op = match c {
            b'=' if two(b'=') => Some((Tok::EqEq, 2)),
            b'=' => Some((Tok::Assign, 1)),
            b'!' if two(b'=') => Some((Tok::NotEq, 2)),
            b'<' if two(b'>') => Some((Tok::NotEq, 2)),
            b'<' if two(b'=') => Some((Tok::Le, 2)),
            b'<' => Some((Tok::Lt, 1)),
            b'>' if two(b'=') => Some((Tok::Ge, 2)),
            b'>' => Some((Tok::Gt, 1)),
            _ => None,
        };
        if let Some((t, n)) = op {
            i += n;
            toks.push(Token {
                tok: t,
                span: Span::new(start, i),
            });
            continue;
        }
        if c == b'"' {
            let (tok, end) = lex_string(src, i, &mut diags);
            i = end;
            toks.push(Token {
                tok,
                span: Span::new(start, i),
            });
            continue;
        }
        if c == b'`' {
            let mut s = String::new();
            i += 1;
            let mut closed = false;
            while i < b.len() {
                match b[i] {
                    b'`' => {
                        closed = true;
                        i += 1;
                        break;
                    }
                    b'\\' if i + 1 < b.len() => {
                        let ch = src[i + 1..].chars().next().unwrap_or('\\');
                        s.push(ch);
                        i += 1 + ch.len_utf8();
                    }
                    _ => {
                        let ch = src[i..].chars().next().unwrap_or('?');
                        s.push(ch);
                        i += ch.len_utf8();
                    }
                }
            }
            if !closed {
                diags.push(
                    Diagnostic::error(Code::E102, Span::new(start, i), "unterminated backtick name: expected a closing `` ` ``, found the end of the query")
                        .with_label("name starts here"),
                );
            }
            toks.push(Token {
                tok: Tok::Quoted(s),
                span: Span::new(start, i),
            });
            continue;
        }
        if c.is_ascii_digit() {
            let (tok, end) = lex_number(src, i, &mut diags);
            i = end;
            toks.push(Token {
                tok,
                span: Span::new(start, i),
            });
            continue;
        }
        if c.is_ascii_alphabetic() || c == b'_' || c == b'$' {
            i += 1;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'.') {
                i += 1;
            }
            // `dt.*` is a field pattern (fieldsKeep, fieldsRemove).
            if b[i - 1] == b'.' && b.get(i) == Some(&b'*') {
                i += 1;
            }
            // A trailing dot is punctuation, not part of the name.
            while b[i - 1] == b'.' && i - 1 > start {
                i -= 1;
            }
            toks.push(Token {
                tok: Tok::Ident(src[start..i].to_string()),
                span: Span::new(start, i),
            });
            continue;
        }
        if c == b'\'' {
            // 'text': one error for the whole literal, not one per quote.
            let end = src[i + 1..].find(['\'', '\n']).map_or(b.len(), |k| {
                i + 1 + k + usize::from(src[i + 1 + k..].starts_with('\''))
            });
            diags.push(
                Diagnostic::error(
                    Code::E107,
                    Span::new(start, end),
                    "expected a string in double quotes, found single quotes",
                )
                .with_label("single-quoted text")
                .with_hint(format!(
                    "write \"{}\"",
                    src[i + 1..end].trim_end_matches('\'')
                )),
            );
            i = end;
            toks.push(Token {
                tok: Tok::Error,
                span: Span::new(start, i),
            });
            continue;
        }
        let ch = src[i..].chars().next().unwrap_or('?');
        i += ch.len_utf8();
        let d = Diagnostic::error(
            Code::E101,
            Span::new(start, i),
            format!("unexpected character: expected a name, value or operator, found `{ch}`"),
        )
        .with_label("not valid here");
        diags.push(d);
        toks.push(Token {
            tok: Tok::Error,
            span: Span::new(start, i),
        });
    }
    toks.push(Token {
        tok: Tok::Eof,
        span: Span::new(b.len(), b.len()),
    });
    (toks, diags)
}

fn lex_string(src: &str, start: usize, diags: &mut Vec<Diagnostic>) -> (Tok, usize) {
    let b = src.as_bytes();
    if src[start..].starts_with("\"\"\"") {
        return match src[start + 3..].find("\"\"\"") {
            Some(k) => (
                Tok::Str(src[start + 3..start + 3 + k].to_string()),
                start + 6 + k,
            ),
            None => {
                diags.push(
                    Diagnostic::error(
                        Code::E104,
                        Span::new(start, src.len()),
                        "unterminated string: expected `\"\"\"`, found the end of the query",
                    )
                    .with_label("string starts here"),
                );
                (Tok::Str(src[start + 3..].to_string()), src.len())
            }
        };
    }
    let mut s = String::new();
    let mut i = start + 1;
    while i < b.len() {
        match b[i] {
            b'"' => return (Tok::Str(s), i + 1),
            b'\\' if i + 1 < b.len() => {
                let esc = src[i + 1..].chars().next().unwrap_or('\\');
                match esc {
                    'n' => s.push('\n'),
                    't' => s.push('\t'),
                    'r' => s.push('\r'),
                    'u' => {
                        let hex = src
                            .get(i + 2..i + 6)
                            .and_then(|h| u32::from_str_radix(h, 16).ok());
                        if let Some(ch) = hex.and_then(char::from_u32) {
                            s.push(ch);
                            i += 6;
                            continue;
                        }
                        diags.push(Diagnostic::error(
                            Code::E105,
                            Span::new(i, i + 2),
                            "invalid escape: expected `\\u` and four hex digits",
                        ));
                        s.push('u');
                    }
                    other => s.push(other),
                }
                i += 1 + esc.len_utf8();
            }
            _ => {
                let ch = src[i..].chars().next().unwrap_or('?');
                s.push(ch);
                i += ch.len_utf8();
            }
        }
    }
    diags.push(
        Diagnostic::error(
            Code::E104,
            Span::new(start, src.len()),
            "unterminated string: expected a closing `\"`, found the end of the query",
        )
        .with_label("string starts here"),
    );
    (Tok::Str(s), src.len())
}

fn lex_number(src: &str, start: usize, diags: &mut Vec<Diagnostic>) -> (Tok, usize) {
    let b = src.as_bytes();
    let mut i = start;
    if b[i] == b'0' && matches!(b.get(i + 1), Some(b'x' | b'X')) {
        i += 2;
        while i < b.len() && b[i].is_ascii_hexdigit() {
            i += 1;
        }
        let v = u64::from_str_radix(&src[start + 2..i], 16);
        return match v {
            Ok(v) => (Tok::Long(v as i64), i),
            Err(_) => {
                diags.push(Diagnostic::error(
                    Code::E106,
                    Span::new(start, i),
                    "invalid hex number: expected 1 to 16 hex digits",
                ));
                (Tok::Error, i)
            }
        };
    }
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let mut is_double = false;
    if b.get(i) == Some(&b'.') && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
        is_double = true;
        i += 1;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        let mut j = i + 1;
        if matches!(b.get(j), Some(b'-' | b'+')) {
            j += 1;
        }
        if b.get(j).is_some_and(u8::is_ascii_digit) {
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
            }
            is_double = true;
            i = j;
        }
    }
    let digits_end = i;
    if !is_double
        && i < b.len()
        && (b[i].is_ascii_alphabetic() || b[i] == b'_' || src[i..].starts_with('µ'))
    {
        let unit_start = i;
        while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || !b[i].is_ascii()) {
            i += 1;
        }
        let amount = src[start..digits_end].parse::<i64>();
        let unit = &src[unit_start..i];
        return match amount {
            Ok(a) => (Tok::Duration(a, unit.to_string()), i),
            Err(_) => {
                diags.push(Diagnostic::error(
                    Code::E106,
                    Span::new(start, i),
                    "number too large: expected at most 9223372036854775807",
                ));
                (Tok::Error, i)
            }
        };
    }
    let text = &src[start..i];
    if is_double {
        match text.parse::<f64>() {
            Ok(v) => (Tok::Double(v), i),
            Err(_) => {
                diags.push(Diagnostic::error(
                    Code::E106,
                    Span::new(start, i),
                    "invalid number",
                ));
                (Tok::Error, i)
            }
        }
    } else {
        match text.parse::<i64>() {
            Ok(v) => (Tok::Long(v), i),
            // 9223372036854775808 is only valid after unary minus; the parser folds that case.
            Err(_) if text == "9223372036854775808" => (Tok::LongMinAbs, i),
            Err(_) => {
                diags.push(Diagnostic::error(
                    Code::E106,
                    Span::new(start, i),
                    "number too large: expected at most 9223372036854775807",
                ));
                (Tok::Error, i)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<Tok> {
        let (t, d) = lex(s);
        assert!(d.is_empty(), "{d:?}");
        t.into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn lexes_seed_fragments() {
        use Tok::*;
        assert_eq!(
            toks("fetch logs, from: -30min"),
            [
                Ident("fetch".into()),
                Ident("logs".into()),
                Comma,
                Ident("from".into()),
                Colon,
                Minus,
                Duration(30, "min".into()),
                Eof
            ]
        );
        assert_eq!(
            toks("event[userIdentity][arn] == \"a\\\"b\""),
            [
                Ident("event".into()),
                LBracket,
                Ident("userIdentity".into()),
                RBracket,
                LBracket,
                Ident("arn".into()),
                RBracket,
                EqEq,
                Str("a\"b".into()),
                Eof
            ]
        );
        assert_eq!(
            toks("dt.system.bucket"),
            [Ident("dt.system.bucket".into()), Eof]
        );
        assert_eq!(
            toks("`count()` 2.5e2 0xff // c\n/* x */ 7"),
            [
                Quoted("count()".into()),
                Double(250.0),
                Long(255),
                Long(7),
                Eof
            ]
        );
        assert_eq!(toks("\"\"\"a\"b\"\"\""), [Str("a\"b".into()), Eof]);
        assert_eq!(
            toks("a<=b!=c<>d"),
            [
                Ident("a".into()),
                Le,
                Ident("b".into()),
                NotEq,
                Ident("c".into()),
                NotEq,
                Ident("d".into()),
                Eof
            ]
        );
    }

    #[test]
    fn errors_are_reported_and_lexing_goes_on() {
        let (t, d) = lex("filter x == 'a' and ^ \"open");
        assert_eq!(d.len(), 3, "{d:?}");
        assert_eq!(d[0].code, "E107");
        assert!(d.last().unwrap().code == "E104");
        assert_eq!(t.last().unwrap().tok, Tok::Eof);
    }

    #[test]
    fn spans_increase() {
        let (t, _) = lex("fetch logs | filter a[b] == 1 and c ~ \"x\"");
        for w in t.windows(2) {
            assert!(w[0].span.end <= w[1].span.start);
        }
    }
}
