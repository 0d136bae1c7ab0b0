//! Tokens → pattern syntax tree (spans on every node), by recursive descent. The order of a
//! matcher expression's parts is fixed, as Dynatrace's grammar has it:
//!
//! ```text
//! [lookaround] MATCHER ['(' configuration ')'] [quantifier] ['?'] [':' export_name [':' alias]]
//! ```
//!
//! A second name is only meaningful in a JSON member list (`TIMESTAMP:"client time":client_time`,
//! member name then export name). The parser recovers after an unexpected token and reports
//! every problem it finds.
//!
//! About 830 lines on purpose: one recursive-descent grammar, whose rules call each other.

use super::lex::{describe, lex, ClassSpec, Tok, Token};
use crate::diag::{Code, Diagnostic, Span};

/// Groups nested deeper than this are refused: matching recurses once per level.
pub const MAX_NESTING: usize = 32;

#[derive(Clone, Debug)]
pub struct PatternAst {
    pub macros: Vec<Macro>,
    pub items: Vec<Item>,
}

/// `$name = expressions ;`
#[derive(Clone, Debug)]
pub struct Macro {
    pub name: String,
    pub span: Span,
    pub items: Vec<Item>,
}

/// One matcher expression with its modifiers.
#[derive(Clone, Debug)]
pub struct Item {
    pub span: Span,
    pub look: Option<(Look, Span)>,
    pub prim: Prim,
    pub prim_span: Span,
    pub config: Option<(Vec<Param>, Span)>,
    pub quant: Option<(Quant, Span)>,
    pub optional: bool,
    /// Export name, then (in JSON member lists) the alias.
    pub names: Vec<(Name, Span)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Look {
    Ahead,
    NotAhead,
    Behind,
    NotBehind,
}

#[derive(Clone, Debug)]
pub enum Name {
    Name(String),
    /// `null` as a JSON member's export name: the member is left out.
    Null,
}

/// `{min,max}`, `*`, `+`; `max: None` means "the matcher's own maximum" (4096 by default).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Quant {
    pub min: u32,
    pub max: Option<u32>,
    /// Written `+` (in a JSON member list: the member is mandatory).
    pub plus: bool,
}

#[derive(Clone, Debug)]
pub enum Prim {
    /// A matcher by name (case-insensitive), with its `{ … }` body and `[]` dimensions.
    Matcher {
        name: String,
        body: Option<Body>,
        dims: u8,
    },
    Lit(String),
    Class(ClassSpec),
    /// `( a b | c )`: alternatives, each a sequence; one alternative is a sequence group.
    Group(Vec<Vec<Item>>),
    Var(String),
}

#[derive(Clone, Debug)]
pub enum Body {
    Items(Vec<Item>),
    /// `ENUM{'a'=1, …}`: string, value, span of the entry.
    Enum(Vec<(String, i64, Span)>),
}

/// One configuration entry: `key=value`, or a value alone (`TIMESTAMP('yyyy')`).
#[derive(Clone, Debug)]
pub struct Param {
    pub key: Option<(String, Span)>,
    pub value: PValue,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum PValue {
    Str(String),
    Num(String),
    Bool(bool),
    Null,
    /// `fs={ … }`: a matcher expression as the value.
    Items(Vec<Item>),
}

/// Parses pattern text; `None` when it had errors (all of them are in the diagnostics).
/// What the parser needs to know of the matcher set: which names take a value alone as their
/// configuration (`TIMESTAMP('yyyy')`), and which take a `{ … }` body (`JSON{…}`).
#[derive(Clone, Copy)]
pub struct Grammar {
    pub takes_unnamed: fn(&str) -> bool,
    pub takes_body: fn(&str) -> bool,
}

pub fn parse(src: &str, grammar: Grammar) -> (PatternAst, Vec<Diagnostic>) {
    let (toks, mut diags) = lex(src);
    let mut p = Parser {
        toks,
        pos: 0,
        diags: Vec::new(),
        depth: 0,
        takes_unnamed: grammar.takes_unnamed,
        takes_body: grammar.takes_body,
    };
    let ast = p.pattern();
    diags.append(&mut p.diags);
    diags.sort_by_key(|d| (d.span.start, d.span.end));
    (ast, diags)
}

struct Parser {
    toks: Vec<Token>,
    pos: usize,
    diags: Vec<Diagnostic>,
    depth: usize,
    takes_unnamed: fn(&str) -> bool,
    takes_body: fn(&str) -> bool,
}

fn err(span: Span, message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::E319, span, message)
}

impl Parser {
    fn peek(&self) -> &Tok {
        &self.toks[self.pos].tok
    }

    fn peek_at(&self, k: usize) -> &Tok {
        &self.toks[(self.pos + k).min(self.toks.len() - 1)].tok
    }

    fn span(&self) -> Span {
        self.toks[self.pos].span
    }

    fn bump(&mut self) -> Token {
        let t = self.toks[self.pos].clone();
        if self.pos + 1 < self.toks.len() {
            self.pos += 1;
        }
        t
    }

    fn prev_end(&self) -> usize {
        if self.pos == 0 {
            0
        } else {
            self.toks[self.pos - 1].span.end as usize
        }
    }

    fn expect(&mut self, want: &Tok, what: &str) -> bool {
        if self.peek() == want {
            self.bump();
            return true;
        }
        let found = describe(self.peek());
        let span = self.span();
        self.diags
            .push(err(span, format!("expected {what}, found {found}")));
        false
    }

    fn pattern(&mut self) -> PatternAst {
        let mut macros = Vec::new();
        while let (Tok::Var(name), Tok::Eq) = (self.peek().clone(), self.peek_at(1).clone()) {
            let start = self.span().start as usize;
            self.bump();
            self.bump();
            let items = self.items();
            if items.is_empty() {
                let span = self.span();
                self.diags.push(err(
                    span,
                    format!(
                        "expected the matchers of macro `${name}`, found {}",
                        describe(self.peek())
                    ),
                ));
            }
            self.expect(&Tok::Semi, "`;` after a macro definition");
            macros.push(Macro {
                name,
                span: Span::new(start, self.prev_end()),
                items,
            });
        }
        let mut items = Vec::new();
        loop {
            items.extend(self.items());
            match self.peek() {
                Tok::Eof => break,
                Tok::Semi if *self.peek_at(1) == Tok::Eof => {
                    self.bump();
                    break;
                }
                t => {
                    let found = describe(t);
                    let span = self.span();
                    let mut d = err(span, format!("expected a matcher, found {found}"));
                    if matches!(t, Tok::RParen | Tok::RBrace) {
                        d = d.with_label("nothing open to close here");
                    } else if *t == Tok::Pipe {
                        d = d.with_hint("alternatives go in parentheses: (INT | LD)");
                    }
                    self.diags.push(d);
                    self.bump();
                }
            }
        }
        if items.is_empty() && macros.is_empty() && self.diags.is_empty() {
            self.diags.push(err(
                Span::new(0, self.span().end as usize),
                "expected a pattern such as \"LD ':' INT:port\", found nothing",
            ));
        }
        PatternAst { macros, items }
    }

    /// Matcher expressions up to `)`, `|`, `}`, `;` or the end; commas between them are allowed.
    fn items(&mut self) -> Vec<Item> {
        let mut out = Vec::new();
        loop {
            match self.peek() {
                Tok::Comma => {
                    self.bump();
                }
                Tok::Eof | Tok::RParen | Tok::Pipe | Tok::RBrace | Tok::Semi => return out,
                _ => {
                    let before = self.pos;
                    if let Some(it) = self.item() {
                        out.push(it);
                    }
                    if self.pos == before {
                        // Not the start of an expression: report it and go on after it.
                        let found = describe(self.peek());
                        let span = self.span();
                        self.diags
                            .push(err(span, format!("expected a matcher, found {found}")));
                        self.bump();
                    }
                }
            }
        }
    }

    fn item(&mut self) -> Option<Item> {
        let start = self.span().start as usize;
        let look = match self.peek() {
            Tok::Ahead(neg) => {
                let l = if *neg { Look::NotAhead } else { Look::Ahead };
                Some((l, self.bump().span))
            }
            Tok::Behind(neg) => {
                let l = if *neg { Look::NotBehind } else { Look::Behind };
                Some((l, self.bump().span))
            }
            _ => None,
        };
        let prim_start = self.span().start as usize;
        let prim = match self.peek().clone() {
            Tok::Ident(name) => {
                self.bump();
                // `{` after a name: its body (JSON{…}, KVP{…}), or a quantifier (`LOWER{4,15}`).
                let body = if *self.peek() == Tok::LBrace
                    && ((self.takes_body)(&name)
                        || !matches!(self.peek_at(1), Tok::Num(_) | Tok::Comma | Tok::RBrace))
                {
                    Some(self.body(&name))
                } else {
                    None
                };
                let dims = match *self.peek() {
                    Tok::Dims(n) => {
                        self.bump();
                        n
                    }
                    _ => 0,
                };
                Prim::Matcher { name, body, dims }
            }
            Tok::Str(s) => {
                self.bump();
                Prim::Lit(s)
            }
            Tok::Class(c) => {
                self.bump();
                Prim::Class(c)
            }
            Tok::Var(v) => {
                self.bump();
                Prim::Var(v)
            }
            Tok::LParen => self.group()?,
            _ => {
                if look.is_some() {
                    let found = describe(self.peek());
                    let span = self.span();
                    self.diags.push(err(
                        span,
                        format!("expected a matcher after the lookaround, found {found}"),
                    ));
                }
                return None;
            }
        };
        let prim_span = Span::new(prim_start, self.prev_end());
        let config = if *self.peek() == Tok::LParen && self.is_config(&prim) {
            Some(self.config())
        } else {
            None
        };
        let quant = self.quantifier();
        let optional = if *self.peek() == Tok::Question {
            self.bump();
            true
        } else {
            false
        };
        let mut names = Vec::new();
        while *self.peek() == Tok::Colon && names.len() < 2 {
            self.bump();
            if let Some(n) = self.name() {
                names.push(n);
            }
        }
        Some(Item {
            span: Span::new(start, self.prev_end()),
            look,
            prim,
            prim_span,
            config,
            quant,
            optional,
            names,
        })
    }

    /// Whether `(` after a primary opens its configuration rather than a sequence group.
    fn is_config(&self, prim: &Prim) -> bool {
        let simple = |t: &Tok| {
            matches!(t, Tok::Str(_) | Tok::Num(_))
                || matches!(t, Tok::Ident(i) if ["true", "false", "null"].contains(&i.to_ascii_lowercase().as_str()))
        };
        match (self.peek_at(1), self.peek_at(2)) {
            (Tok::Ident(_), Tok::Eq) => true,
            (Tok::RParen, _) => matches!(prim, Prim::Matcher { .. }),
            (v, Tok::RParen | Tok::Comma) if simple(v) => {
                matches!(prim, Prim::Matcher { name, .. } if (self.takes_unnamed)(name))
            }
            _ => false,
        }
    }

    fn group(&mut self) -> Option<Prim> {
        let open = self.bump().span;
        self.depth += 1;
        if self.depth > MAX_NESTING {
            self.diags.push(err(
                open,
                format!("expected at most {MAX_NESTING} nested groups, found more"),
            ));
            self.skip_to_close(Tok::RParen);
            self.depth -= 1;
            return None;
        }
        let mut alts = vec![self.items()];
        while *self.peek() == Tok::Pipe {
            self.bump();
            alts.push(self.items());
        }
        self.depth -= 1;
        if *self.peek() == Tok::RParen {
            self.bump();
        } else {
            let found = describe(self.peek());
            let span = self.span();
            self.diags.push(
                err(
                    span,
                    format!("expected `)` to close the group, found {found}"),
                )
                .with_label("unclosed group")
                .with_hint(format!(
                    "the group opened at byte {} is not closed",
                    open.start
                )),
            );
            return None;
        }
        if alts.len() > 1 && alts.iter().any(Vec::is_empty) {
            let span = Span::new(open.start as usize, self.prev_end());
            self.diags.push(err(
                span,
                "expected a matcher in every alternative, found an empty one",
            ));
        }
        Some(Prim::Group(alts))
    }

    fn skip_to_close(&mut self, close: Tok) {
        let mut depth = 0usize;
        loop {
            match self.peek() {
                Tok::Eof => return,
                Tok::LParen | Tok::LBrace => depth += 1,
                t if *t == close && depth == 0 => {
                    self.bump();
                    return;
                }
                Tok::RParen | Tok::RBrace => depth = depth.saturating_sub(1),
                _ => {}
            }
            self.bump();
        }
    }

    /// `{ … }` after a matcher name: enum entries for ENUM, matcher expressions otherwise.
    fn body(&mut self, name: &str) -> Body {
        let open = self.bump().span;
        if name.eq_ignore_ascii_case("enum") {
            let mut entries = Vec::new();
            loop {
                match self.peek().clone() {
                    Tok::RBrace => break,
                    Tok::Comma => {
                        self.bump();
                    }
                    Tok::Str(s) => {
                        let start = self.bump().span.start as usize;
                        if !self.expect(&Tok::Eq, "`=` after an ENUM string") {
                            self.skip_to_close(Tok::RBrace);
                            return Body::Enum(entries);
                        }
                        match self.peek().clone() {
                            Tok::Num(n) => {
                                let sp = self.bump().span;
                                match n.parse::<i64>() {
                                    Ok(v) => {
                                        entries.push((s, v, Span::new(start, sp.end as usize)))
                                    }
                                    Err(_) => self.diags.push(err(
                                        sp,
                                        format!(
                                            "expected a whole number for an ENUM value, found {n}"
                                        ),
                                    )),
                                }
                            }
                            t => {
                                let found = describe(&t);
                                let span = self.span();
                                self.diags.push(err(
                                    span,
                                    format!("expected a whole number after `=`, found {found}"),
                                ));
                                self.bump();
                            }
                        }
                    }
                    t => {
                        let found = describe(&t);
                        let span = self.span();
                        self.diags.push(err(
                            span,
                            format!("expected an ENUM entry such as 'error'=1, found {found}"),
                        ));
                        if t == Tok::Eof {
                            return Body::Enum(entries);
                        }
                        self.bump();
                    }
                }
            }
            self.bump();
            return Body::Enum(entries);
        }
        self.depth += 1;
        let items = if self.depth > MAX_NESTING {
            self.diags.push(err(
                open,
                format!("expected at most {MAX_NESTING} nested groups, found more"),
            ));
            self.skip_to_close(Tok::RBrace);
            self.depth -= 1;
            return Body::Items(Vec::new());
        } else {
            self.items()
        };
        self.depth -= 1;
        if *self.peek() == Tok::RBrace {
            self.bump();
        } else {
            let found = describe(self.peek());
            let span = self.span();
            self.diags.push(
                err(
                    span,
                    format!("expected `}}` to close `{name}{{`, found {found}"),
                )
                .with_label("unclosed `{`"),
            );
            if *self.peek() == Tok::Pipe {
                self.skip_to_close(Tok::RBrace);
            }
        }
        Body::Items(items)
    }

    fn config(&mut self) -> (Vec<Param>, Span) {
        let open = self.bump().span;
        let mut params = Vec::new();
        loop {
            match self.peek().clone() {
                Tok::RParen => {
                    let close = self.bump().span;
                    return (params, Span::new(open.start as usize, close.end as usize));
                }
                Tok::Comma => {
                    self.bump();
                }
                Tok::Eof => {
                    let span = self.span();
                    self.diags.push(
                        err(
                            span,
                            "expected `)` to close the configuration, found the end of the pattern",
                        )
                        .with_label("unclosed `(`"),
                    );
                    return (params, Span::new(open.start as usize, span.end as usize));
                }
                Tok::Ident(k) if *self.peek_at(1) == Tok::Eq => {
                    let ks = self.bump().span;
                    self.bump();
                    let start = ks.start as usize;
                    if let Some(value) = self.param_value() {
                        params.push(Param {
                            key: Some((k, ks)),
                            value,
                            span: Span::new(start, self.prev_end()),
                        });
                    }
                }
                _ => {
                    let start = self.span().start as usize;
                    if let Some(value) = self.param_value() {
                        params.push(Param {
                            key: None,
                            value,
                            span: Span::new(start, self.prev_end()),
                        });
                    }
                }
            }
        }
    }

    fn param_value(&mut self) -> Option<PValue> {
        let v = match self.peek().clone() {
            Tok::Str(s) => PValue::Str(s),
            Tok::Num(n) => PValue::Num(n),
            Tok::Ident(i) if i.eq_ignore_ascii_case("true") => PValue::Bool(true),
            Tok::Ident(i) if i.eq_ignore_ascii_case("false") => PValue::Bool(false),
            Tok::Ident(i) if i.eq_ignore_ascii_case("null") => PValue::Null,
            Tok::LBrace => {
                self.bump();
                self.depth += 1;
                let items = self.items();
                self.depth -= 1;
                self.expect(&Tok::RBrace, "`}` after the matcher expression");
                return Some(PValue::Items(items));
            }
            t => {
                let found = describe(&t);
                let span = self.span();
                self.diags.push(err(
                    span,
                    format!("expected a configuration value (a quoted text, a number, true or false), found {found}"),
                ));
                if !matches!(t, Tok::RParen | Tok::Eof) {
                    self.bump();
                }
                return None;
            }
        };
        self.bump();
        Some(v)
    }

    fn quantifier(&mut self) -> Option<(Quant, Span)> {
        let start = self.span();
        let q = match self.peek() {
            Tok::Star => {
                self.bump();
                Quant {
                    min: 0,
                    max: None,
                    plus: false,
                }
            }
            Tok::Plus => {
                self.bump();
                Quant {
                    min: 1,
                    max: None,
                    plus: true,
                }
            }
            Tok::LBrace => {
                self.bump();
                let num = |p: &mut Parser| -> Option<u32> {
                    if let Tok::Num(n) = p.peek().clone() {
                        let sp = p.bump().span;
                        match n.parse::<u32>() {
                            Ok(v) => return Some(v),
                            Err(_) => p.diags.push(err(
                                sp,
                                format!("expected a count from 0 to 4294967295, found {n}"),
                            )),
                        }
                    }
                    None
                };
                let min = num(self);
                let (min, max) = if *self.peek() == Tok::Comma {
                    self.bump();
                    (min.unwrap_or(0), num(self))
                } else {
                    match min {
                        Some(m) => (m, Some(m)),
                        None => (1, None),
                    }
                };
                if *self.peek() == Tok::RBrace {
                    self.bump();
                } else {
                    let found = describe(self.peek());
                    let span = self.span();
                    self.diags.push(
                        err(
                            span,
                            format!("expected a quantifier such as {{1,5}}, found {found}"),
                        )
                        .with_hint("quantifiers: {n}, {min,max}, {min,}, {,max}, * or +"),
                    );
                    self.skip_to_close(Tok::RBrace);
                }
                Quant {
                    min,
                    max,
                    plus: false,
                }
            }
            _ => return None,
        };
        let span = Span::new(start.start as usize, self.prev_end());
        if let Some(max) = q.max {
            if max < q.min {
                self.diags.push(err(
                    span,
                    format!(
                        "expected a quantifier with min ≤ max, found {{{},{max}}}",
                        q.min
                    ),
                ));
            }
        }
        Some((q, span))
    }

    /// An export name: `name`, `a.b`, `'any text'`, or `null`.
    fn name(&mut self) -> Option<(Name, Span)> {
        match self.peek().clone() {
            Tok::Ident(first) => {
                let start = self.bump().span.start as usize;
                if first == "null" {
                    return Some((Name::Null, Span::new(start, self.prev_end())));
                }
                let mut name = first;
                while *self.peek() == Tok::Dot {
                    if let Tok::Ident(next) = self.peek_at(1).clone() {
                        self.bump();
                        self.bump();
                        name.push('.');
                        name.push_str(&next);
                    } else {
                        break;
                    }
                }
                Some((Name::Name(name), Span::new(start, self.prev_end())))
            }
            Tok::Str(s) => {
                let sp = self.bump().span;
                if s.is_empty() {
                    self.diags
                        .push(err(sp, "expected an export name, found empty quotes"));
                    return None;
                }
                Some((Name::Name(s), sp))
            }
            t => {
                let found = describe(&t);
                let span = self.span();
                self.diags.push(
                    err(span, format!("expected an export name after `:`, found {found}"))
                        .with_hint("names start with a letter: INT:port; names with dots are quoted: IPADDR:'client.ip'"),
                );
                if let Tok::Num(_) = t {
                    self.bump();
                }
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(src: &str) -> PatternAst {
        let grammar = Grammar {
            takes_unnamed: |n| n.eq_ignore_ascii_case("timestamp"),
            takes_body: |n| {
                ["json", "enum", "array", "kvp"].contains(&n.to_ascii_lowercase().as_str())
            },
        };
        let (ast, d) = parse(src, grammar);
        assert!(d.is_empty(), "{src}: {d:?}");
        ast
    }

    fn bad(src: &str) -> Vec<Diagnostic> {
        let grammar = Grammar {
            takes_unnamed: |_| false,
            takes_body: |_| false,
        };
        let (_, d) = parse(src, grammar);
        assert!(!d.is_empty(), "{src} should fail");
        d
    }

    #[test]
    fn shapes() {
        let a = ok("IPV4:ip LD HTTPDATE:time ']' LD:text");
        assert_eq!(a.items.len(), 5);
        let a = ok("( INT:sequence LD:username IPADDR:ip)(fs=',')");
        assert!(
            matches!(&a.items[0].prim, Prim::Group(alts) if alts.len() == 1 && alts[0].len() == 3)
        );
        assert!(a.items[0].config.is_some());
        let a = ok("TIMESTAMP ';'LD ( '(' IPADDR:server ')' )");
        assert_eq!(a.items.len(), 4);
        assert!(a.items[2].config.is_none());
        let a = ok("TIMESTAMP('yyyy-MM-dd HH:mm:ss'):ts LD JSON:settings");
        assert!(a.items[0].config.is_some());
        let a = ok(
            r#"JSON{ IPADDR:"ip", INT:"port", TIMESTAMP('yyyy-MM-dd HH:mm:ss Z'):"client time":client_time }(greedy='other members'):host"#,
        );
        let Prim::Matcher {
            body: Some(Body::Items(m)),
            ..
        } = &a.items[0].prim
        else {
            panic!()
        };
        assert_eq!(m.len(), 3);
        assert_eq!(m[2].names.len(), 2);
        let a = ok("ENUM{''=-3, 'success'=0}(cis=true):result ';' LD*:comment EOL;");
        assert!(
            matches!(&a.items[0].prim, Prim::Matcher { body: Some(Body::Enum(e)), .. } if e.len() == 2)
        );
        let a = ok("$num = INT ','; $num:a $num:b");
        assert_eq!(a.macros.len(), 1);
        let a = ok("ARRAY{ INT*:i '/'? }{3,5}:int_array EOL;");
        assert_eq!(
            a.items[0].quant.unwrap().0,
            Quant {
                min: 3,
                max: Some(5),
                plus: false
            }
        );
        let a = ok("IPADDR:'http.client_ip' LONG:http.status_code JSON{INT[][]:items}:d");
        assert!(matches!(&a.items[1].names[0].0, Name::Name(n) if n == "http.status_code"));
        ok("IPADDR:ip_addr <<INT(min=50) EOL");
        ok("('-' | (DATA{1,8096}:auth >>(' [' HTTPDATE)))");
    }

    #[test]
    fn errors() {
        bad("(LD | INT");
        bad("INT{3,1}");
        bad("LD:");
        bad("INT )");
        bad("a | b");
        bad("");
        bad("JSON{INT:a");
        bad(&"(".repeat(40));
    }
}
