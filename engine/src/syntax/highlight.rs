//! Token classes for colouring query text (the browser editor's overlay), from the engine's own
//! lexer, so that colours never disagree with the parser. Pure text logic, tested here.

use std::ops::Range;

use super::lex::{lex, Tok};
use super::quote::is_keyword;

/// What a piece of query text is, for colouring.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenClass {
    /// The first name of a pipeline stage (`fetch`, `filter`), also inside `[ … ]` sub-queries.
    Command,
    /// A name followed by `(`.
    Function,
    /// `and or xor not true false null asc desc`, in any case.
    Keyword,
    /// A parameter name before `:` (`from:`, `by:`).
    Param,
    /// A field name, plain or in backticks.
    Field,
    /// The key in `event[userIdentity]`.
    BracketKey,
    String,
    /// Numbers and durations.
    Number,
    Operator,
    Pipe,
    /// `, : ( ) { } [ ]`
    Punct,
    Comment,
    /// Text the lexer rejected (`'single quotes'`, stray characters).
    Invalid,
}

/// Token classes for `text`, for colouring: byte ranges in increasing order, not overlapping, on char boundaries.
/// Whitespace is left out; every other byte is covered.
pub fn highlight(text: &str) -> Vec<(Range<usize>, TokenClass)> {
    let (toks, _) = lex(text);
    let mut out = Vec::with_capacity(toks.len() + 4);
    let mut pos = 0;
    // One entry per open `[`: true when it indexes (`a[b]`), false for a sub-query or list.
    let mut brackets: Vec<bool> = Vec::new();
    let mut prev: Option<(&Tok, TokenClass)> = None;
    for (i, t) in toks.iter().enumerate() {
        let r = t.span.range();
        // The lexer skips comments: whatever is between two tokens is whitespace or comment.
        comments(text, pos..r.start, &mut out);
        pos = r.end;
        let next = toks.get(i + 1).map(|t| &t.tok);
        let prev_tok = prev.map(|(t, _)| t);
        let in_index = brackets.last() == Some(&true);
        // `x[key]`: a lone name or string between index brackets.
        let is_key = in_index
            && prev_tok == Some(&Tok::LBracket)
            && next == Some(&Tok::RBracket)
            && matches!(t.tok, Tok::Ident(_) | Tok::Quoted(_) | Tok::Str(_));
        let kind = match &t.tok {
            Tok::Eof => break,
            _ if is_key => TokenClass::BracketKey,
            Tok::Ident(s) if is_keyword(s) => TokenClass::Keyword,
            // `x in [ … ]`: after a value, `in` is the operator (before `(` the function).
            Tok::Ident(s)
                if s.eq_ignore_ascii_case("in")
                    && next != Some(&Tok::LParen)
                    && ends_value(prev) =>
            {
                TokenClass::Operator
            }
            Tok::Ident(_) => {
                let starts_stage = match prev_tok {
                    None | Some(Tok::Pipe) => true,
                    Some(Tok::LBracket) => brackets.last() == Some(&false),
                    _ => false,
                };
                match next {
                    _ if starts_stage => TokenClass::Command,
                    Some(Tok::LParen) => TokenClass::Function,
                    Some(Tok::Colon) => TokenClass::Param,
                    _ => TokenClass::Field,
                }
            }
            Tok::Quoted(_) => TokenClass::Field,
            Tok::Str(_) => TokenClass::String,
            Tok::Long(_) | Tok::Double(_) | Tok::Duration(..) | Tok::LongMinAbs => {
                TokenClass::Number
            }
            Tok::Pipe => TokenClass::Pipe,
            Tok::Comma
            | Tok::Colon
            | Tok::LParen
            | Tok::RParen
            | Tok::LBrace
            | Tok::RBrace
            | Tok::LBracket
            | Tok::RBracket => TokenClass::Punct,
            Tok::Assign
            | Tok::EqEq
            | Tok::NotEq
            | Tok::Lt
            | Tok::Le
            | Tok::Gt
            | Tok::Ge
            | Tok::Plus
            | Tok::Minus
            | Tok::Star
            | Tok::Slash
            | Tok::Percent
            | Tok::At
            | Tok::Tilde => TokenClass::Operator,
            Tok::Error => TokenClass::Invalid,
        };
        match t.tok {
            Tok::LBracket => {
                let indexes = matches!(prev, Some((Tok::RBracket | Tok::RParen, _)))
                    || matches!(prev, Some((_, TokenClass::Field | TokenClass::BracketKey)));
                brackets.push(indexes);
            }
            Tok::RBracket => {
                brackets.pop();
            }
            _ => {}
        }
        if !r.is_empty() {
            out.push((r, kind));
        }
        prev = Some((&t.tok, kind));
    }
    out
}

/// True when the previous token ends a value (so a name after it is an infix operator).
fn ends_value(prev: Option<(&Tok, TokenClass)>) -> bool {
    match prev {
        Some((Tok::RParen | Tok::RBracket, _)) => true,
        Some((_, c)) => matches!(
            c,
            TokenClass::Field | TokenClass::BracketKey | TokenClass::String | TokenClass::Number
        ),
        None => false,
    }
}

/// Finds `//` and `/* */` comments in `gap` (text the lexer skipped) the way the lexer does.
fn comments(text: &str, gap: Range<usize>, out: &mut Vec<(Range<usize>, TokenClass)>) {
    let mut i = gap.start;
    while i < gap.end {
        if text[i..gap.end].starts_with("//") {
            let end = text[i..gap.end].find('\n').map_or(gap.end, |k| i + k);
            out.push((i..end, TokenClass::Comment));
            i = end;
        } else if text[i..gap.end].starts_with("/*") {
            let end = text[i + 2..gap.end]
                .find("*/")
                .map_or(gap.end, |k| i + 2 + k + 2);
            out.push((i..end, TokenClass::Comment));
            i = end;
        } else {
            // Only ASCII whitespace reaches here (the lexer makes a token of anything else).
            i += text[i..].chars().next().map_or(1, char::len_utf8);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use TokenClass::*;

    /// (text, class) pairs, whitespace left out.
    fn pieces(src: &str) -> Vec<(&str, TokenClass)> {
        highlight(src)
            .into_iter()
            .map(|(r, k)| (&src[r], k))
            .collect()
    }

    #[test]
    fn colours_a_pipeline() {
        assert_eq!(
            pieces("fetch logs, from: -30min | filter x == \"a\" and not y"),
            [
                ("fetch", Command),
                ("logs", Field),
                (",", Punct),
                ("from", Param),
                (":", Punct),
                ("-", Operator),
                ("30min", Number),
                ("|", Pipe),
                ("filter", Command),
                ("x", Field),
                ("==", Operator),
                ("\"a\"", String),
                ("and", Keyword),
                ("not", Keyword),
                ("y", Field),
            ]
        );
    }

    #[test]
    fn functions_keys_and_sub_queries() {
        assert_eq!(
            pieces("summarize count(), by: { e = event[userIdentity][\"arn\"] }"),
            [
                ("summarize", Command),
                ("count", Function),
                ("(", Punct),
                (")", Punct),
                (",", Punct),
                ("by", Param),
                (":", Punct),
                ("{", Punct),
                ("e", Field),
                ("=", Operator),
                ("event", Field),
                ("[", Punct),
                ("userIdentity", BracketKey),
                ("]", Punct),
                ("[", Punct),
                ("\"arn\"", BracketKey),
                ("]", Punct),
                ("}", Punct),
            ]
        );
        assert_eq!(
            pieces("lookup [fetch logs], sourceField: `a b`"),
            [
                ("lookup", Command),
                ("[", Punct),
                ("fetch", Command),
                ("logs", Field),
                ("]", Punct),
                (",", Punct),
                ("sourceField", Param),
                (":", Punct),
                ("`a b`", Field),
            ]
        );
        assert_eq!(
            pieces("sort TRUE desc, 1.5e3 @h"),
            [
                ("sort", Command),
                ("TRUE", Keyword),
                ("desc", Keyword),
                (",", Punct),
                ("1.5e3", Number),
                ("@", Operator),
                ("h", Field)
            ]
        );
    }

    #[test]
    fn in_sub_queries_and_iterations() {
        assert_eq!(
            pieces("filter a in [fetch logs | fields x] and iAny(b[] == 1) and in(c, 1)"),
            [
                ("filter", Command),
                ("a", Field),
                ("in", Operator),
                ("[", Punct),
                ("fetch", Command),
                ("logs", Field),
                ("|", Pipe),
                ("fields", Command),
                ("x", Field),
                ("]", Punct),
                ("and", Keyword),
                ("iAny", Function),
                ("(", Punct),
                ("b", Field),
                ("[", Punct),
                ("]", Punct),
                ("==", Operator),
                ("1", Number),
                (")", Punct),
                ("and", Keyword),
                ("in", Function),
                ("(", Punct),
                ("c", Field),
                (",", Punct),
                ("1", Number),
                (")", Punct),
            ]
        );
    }

    #[test]
    fn comments_fill_the_gaps() {
        assert_eq!(
            pieces("fetch logs // all of it\n/* one */ /* two */| limit 5 /* open"),
            [
                ("fetch", Command),
                ("logs", Field),
                ("// all of it", Comment),
                ("/* one */", Comment),
                ("/* two */", Comment),
                ("|", Pipe),
                ("limit", Command),
                ("5", Number),
                ("/* open", Comment),
            ]
        );
        assert_eq!(pieces("// ü only"), [("// ü only", Comment)]);
    }

    #[test]
    fn bad_input_is_still_covered() {
        assert_eq!(
            pieces("filter a == 'x' ^ \"open é"),
            [
                ("filter", Command),
                ("a", Field),
                ("==", Operator),
                ("'x'", Invalid),
                ("^", Invalid),
                ("\"open é", String),
            ]
        );
    }

    #[test]
    fn ranges_increase_and_cover_everything_but_whitespace() {
        let inputs = [
            "fetch logs | filter a[b] == 1 and c ~ \"x\" // end",
            "  \n\t",
            "/* é */ x'y' `q",
            "makeTimeseries count(), interval: 5m, by: { eventName }\n| limit 3\n",
            "a.b.c* ..,:@~%<>!=<=>=",
        ];
        for src in inputs {
            let h = highlight(src);
            let mut covered = vec![false; src.len()];
            let mut last = 0;
            for (r, _) in &h {
                assert!(r.start >= last && r.start < r.end, "{src:?} {h:?}");
                assert!(src.is_char_boundary(r.start) && src.is_char_boundary(r.end));
                covered[r.clone()].iter_mut().for_each(|c| *c = true);
                last = r.end;
            }
            for (i, c) in src.char_indices() {
                assert!(
                    c.is_whitespace() || covered[i],
                    "{src:?}: byte {i} ({c:?}) uncovered"
                );
            }
        }
    }
}
