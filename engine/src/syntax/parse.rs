//! Parser: tokens → [`Query`]. Recursive descent for commands and parameters, Pratt parsing for
//! expressions. It recovers at the next `|` after an error and reports every error it finds.
//!
//! Precedence, loosest first: `or`, `xor`, `and`, `not`, comparisons, `~`, `@` (postfix; binds
//! looser than `+`/`-` so `now()-1h@h` aligns the difference, as Dynatrace's examples need),
//! `+ -`, `* / %`, unary `-`, then `[…]` access and calls.

use super::ast::*;
use super::lex::{describe, lex, Tok, Token};
use crate::diag::{Code, Diagnostic, Span};

/// The deepest expression tree (and the deepest nesting of the parser) a query may have. Every
/// later stage walks expressions recursively (planning, naming, evaluation, filters, `EXPLAIN`),
/// so this one budget bounds the stack they use, natively and in wasm, whatever the query:
/// `1 + 1 + … + 1` with 10,000 terms is refused here, not overflowed later.
pub const MAX_DEPTH: usize = 200;

pub fn parse(src: &str) -> (Query, Vec<Diagnostic>) {
    let (tokens, mut diags) = lex(src);
    let mut p = Parser {
        toks: tokens,
        pos: 0,
        diags: Vec::new(),
        depth: 0,
        last_depth: 0,
        nested: 0,
    };
    let q = p.query();
    diags.append(&mut p.diags);
    diags.sort_by_key(|d| d.span.start);
    (q, diags)
}

struct Parser {
    toks: Vec<Token>,
    pos: usize,
    diags: Vec<Diagnostic>,
    /// How deep the parser's recursion is.
    depth: usize,
    /// The tree depth of the expression (or argument) parsed last: a chain `a + b + c` is
    /// parsed in a loop, not by recursion, but its tree is as deep as it is long.
    last_depth: usize,
    /// How many sub-queries `[ … ]` we are inside: there `]` ends the pipeline.
    nested: usize,
}

struct Abort;

type PResult<T> = Result<T, Abort>;

fn kw(t: &Tok, word: &str) -> bool {
    matches!(t, Tok::Ident(s) if s.eq_ignore_ascii_case(word))
}

impl Parser {
    fn peek(&self) -> &Tok {
        &self.toks[self.pos].tok
    }
    fn peek_at(&self, n: usize) -> &Tok {
        &self.toks[(self.pos + n).min(self.toks.len() - 1)].tok
    }
    fn span(&self) -> Span {
        self.toks[self.pos].span
    }
    fn prev_span(&self) -> Span {
        self.toks[self.pos.saturating_sub(1)].span
    }
    fn bump(&mut self) -> Token {
        let t = self.toks[self.pos].clone();
        if self.pos < self.toks.len() - 1 {
            self.pos += 1;
        }
        t
    }
    fn eat(&mut self, t: &Tok) -> bool {
        if self.peek() == t {
            self.bump();
            true
        } else {
            false
        }
    }
    fn error(&mut self, code: Code, expected: &str) -> Abort {
        let found = describe(self.peek());
        // At the end of the query, point just after the last token rather than at a blank line.
        let span = if *self.peek() == Tok::Eof && self.pos > 0 {
            let end = self.prev_span().end as usize;
            Span::new(end, end)
        } else {
            self.span()
        };
        // One error per position: lexer errors already explain `Error` tokens.
        if *self.peek() != Tok::Error {
            self.diags.push(
                Diagnostic::error(code, span, format!("expected {expected}, found {found}"))
                    .with_label(format!("expected {expected}")),
            );
        }
        Abort
    }
    /// `=` where a comparison belongs: says so and gives up on the command.
    fn single_equals(&mut self) -> Abort {
        let d = Diagnostic::error(
            Code::E205,
            self.span(),
            "expected `==` to compare, found `=`",
        )
        .with_label("`=` names a result; comparison is `==`")
        .with_hint("write `a == b` to compare, or `name = expr` to name a field");
        self.diags.push(d);
        Abort
    }

    fn expect(&mut self, t: Tok, what: &str) -> PResult<Span> {
        if self.peek() == &t {
            Ok(self.bump().span)
        } else {
            Err(self.error(Code::E201, what))
        }
    }

    /// True at the end of the pipeline being read: the end of the text, or the `]` of a
    /// sub-query.
    fn at_end(&self) -> bool {
        match self.peek() {
            Tok::Eof => true,
            Tok::RBracket => self.nested > 0,
            _ => false,
        }
    }

    fn query(&mut self) -> Query {
        let mut commands = Vec::new();
        self.eat(&Tok::Pipe);
        if self.at_end() {
            self.diags.push(
                Diagnostic::error(
                    Code::E202,
                    self.span(),
                    "expected a command such as `fetch logs`, found an empty query",
                )
                .with_label("empty query"),
            );
        }
        while !self.at_end() {
            let start = self.pos;
            match self.command() {
                Ok(c) => commands.push(c),
                Err(Abort) => {
                    // Keep the command's name so the planner can still say "unknown command".
                    if let (Tok::Ident(n), span) = (&self.toks[start].tok, self.toks[start].span) {
                        commands.push(Command {
                            name: Ident {
                                name: n.clone(),
                                span,
                            },
                            args: Vec::new(),
                            span,
                            broken: true,
                        });
                    }
                    self.recover();
                }
            }
            if self.at_end() {
                break;
            }
            if !self.eat(&Tok::Pipe) {
                let _ = self.error(Code::E203, "`|` or `,` between parameters");
                self.recover();
                self.eat(&Tok::Pipe);
            } else if self.at_end() {
                let at = self.prev_span();
                self.diags.push(
                    Diagnostic::error(
                        Code::E212,
                        at,
                        "expected a command after `|`, found the end of the query",
                    )
                    .with_label("nothing follows this `|`")
                    .with_hint("remove the trailing `|` or add a command"),
                );
            }
        }
        Query { commands }
    }

    /// Skips to the next `|` outside brackets.
    fn recover(&mut self) {
        let mut depth = 0i32;
        loop {
            match self.peek() {
                Tok::Eof => return,
                Tok::Pipe if depth <= 0 => return,
                Tok::RBracket if depth <= 0 && self.nested > 0 => return,
                Tok::LParen | Tok::LBrace | Tok::LBracket => depth += 1,
                Tok::RParen | Tok::RBrace | Tok::RBracket => depth -= 1,
                _ => {}
            }
            self.bump();
        }
    }

    fn command(&mut self) -> PResult<Command> {
        let start = self.span();
        let name = match self.peek().clone() {
            Tok::Ident(n) => {
                let s = self.bump().span;
                Ident { name: n, span: s }
            }
            _ => return Err(self.error(Code::E204, "a command name such as `filter`")),
        };
        let mut args = Vec::new();
        if !(self.at_end() || *self.peek() == Tok::Pipe) {
            loop {
                args.push(self.arg()?);
                if !self.eat(&Tok::Comma) {
                    break;
                }
            }
        }
        if !(self.at_end() || *self.peek() == Tok::Pipe) {
            return Err(self.error(Code::E203, "`,` or `|`"));
        }
        Ok(Command {
            name,
            args,
            span: start.to(self.prev_span()),
            broken: false,
        })
    }

    fn arg(&mut self) -> PResult<Arg> {
        let start = self.span();
        let mut param = None;
        if let Tok::Ident(n) = self.peek().clone() {
            if *self.peek_at(1) == Tok::Colon {
                let s = self.bump().span;
                self.bump();
                param = Some(Ident { name: n, span: s });
            }
        }
        if *self.peek() == Tok::LBrace {
            self.bump();
            let mut items = Vec::new();
            let mut deepest = 0;
            if *self.peek() != Tok::RBrace {
                loop {
                    self.enter()?;
                    let a = self.arg();
                    self.depth -= 1;
                    items.push(a?);
                    deepest = deepest.max(self.last_depth);
                    if !self.eat(&Tok::Comma) {
                        break;
                    }
                }
            }
            self.expect(Tok::RBrace, "`}` or `,`")?;
            self.tree_depth(deepest + 1, start)?;
            return Ok(Arg {
                param,
                alias: None,
                value: ArgValue::Group(items),
                descending: None,
                span: start.to(self.prev_span()),
            });
        }
        let mut alias = None;
        if let Tok::Ident(n) | Tok::Quoted(n) = self.peek().clone() {
            if *self.peek_at(1) == Tok::Assign {
                let s = self.bump().span;
                self.bump();
                alias = Some(Ident { name: n, span: s });
            }
        }
        let expr = self.expr(0)?;
        let mut descending = None;
        let at_end = matches!(
            self.peek_at(1),
            Tok::Comma | Tok::Pipe | Tok::Eof | Tok::RBrace | Tok::RParen
        );
        if (kw(self.peek(), "asc") || kw(self.peek(), "desc")) && at_end {
            descending = Some(kw(self.peek(), "desc"));
            self.bump();
        }
        if *self.peek() == Tok::Assign {
            return Err(self.single_equals());
        }
        Ok(Arg {
            param,
            alias,
            value: ArgValue::Expr(expr),
            descending,
            span: start.to(self.prev_span()),
        })
    }

    /// Records the depth of the tree just built; past [`MAX_DEPTH`], an error.
    fn tree_depth(&mut self, depth: usize, at: Span) -> PResult<()> {
        self.last_depth = depth;
        if depth > MAX_DEPTH {
            self.diags.push(
                Diagnostic::error(
                    Code::E206,
                    at,
                    format!("expression nested too deeply: expected at most {MAX_DEPTH} levels"),
                )
                .with_label("this expression is too deep")
                .with_hint("for long lists of alternatives use in(x, {…}); split long conditions over several `| filter` commands"),
            );
            return Err(Abort);
        }
        Ok(())
    }

    fn enter(&mut self) -> PResult<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            let span = self.span();
            self.diags.push(Diagnostic::error(
                Code::E206,
                span,
                format!("expression nested too deeply: expected at most {MAX_DEPTH} levels"),
            ));
            self.depth -= 1;
            return Err(Abort);
        }
        Ok(())
    }

    fn expr(&mut self, min_prec: u8) -> PResult<Expr> {
        self.enter()?;
        let r = self.expr_inner(min_prec);
        self.depth -= 1;
        r
    }

    fn expr_inner(&mut self, min_prec: u8) -> PResult<Expr> {
        let mut lhs = self.prefix()?;
        let mut depth = self.last_depth;
        loop {
            let t = self.peek().clone();
            if t == Tok::LBracket {
                lhs = self.index(lhs)?;
                depth += 1;
                self.tree_depth(depth, lhs.span)?;
                continue;
            }
            if t == Tok::At {
                if 65 < min_prec {
                    break;
                }
                self.bump();
                let unit = self.align_unit()?;
                let span = lhs.span.to(unit.span);
                lhs = Expr {
                    kind: ExprKind::Align(Some(Box::new(lhs)), unit),
                    span,
                };
                depth += 1;
                self.tree_depth(depth, span)?;
                continue;
            }
            let op = match &t {
                Tok::Ident(s) if s.eq_ignore_ascii_case("or") => BinOp::Or,
                Tok::Ident(s) if s.eq_ignore_ascii_case("xor") => BinOp::Xor,
                Tok::Ident(s) if s.eq_ignore_ascii_case("and") => BinOp::And,
                Tok::EqEq => BinOp::Eq,
                Tok::NotEq => BinOp::Ne,
                Tok::Lt => BinOp::Lt,
                Tok::Le => BinOp::Le,
                Tok::Gt => BinOp::Gt,
                Tok::Ge => BinOp::Ge,
                Tok::Tilde => BinOp::Search,
                Tok::Plus => BinOp::Add,
                Tok::Minus => BinOp::Sub,
                Tok::Star => BinOp::Mul,
                Tok::Slash => BinOp::Div,
                Tok::Percent => BinOp::Mod,
                Tok::Assign => return Err(self.single_equals()),
                Tok::Ident(s) if s.eq_ignore_ascii_case("in") => BinOp::In,
                _ => break,
            };
            let prec = binop_prec(op);
            if prec < min_prec {
                break;
            }
            let op_span = self.bump().span;
            let rhs = self.expr(prec + 1)?;
            depth = depth.max(self.last_depth) + 1;
            self.tree_depth(depth, op_span)?;
            let span = lhs.span.to(rhs.span);
            lhs = Expr {
                kind: ExprKind::Binary(op, Box::new(lhs), Box::new(rhs)),
                span,
            };
        }
        self.last_depth = depth;
        Ok(lhs)
    }

    fn align_unit(&mut self) -> PResult<Ident> {
        match self.peek().clone() {
            Tok::Ident(u) => {
                let s = self.bump().span;
                Ok(Ident { name: u, span: s })
            }
            Tok::Duration(n, u) => {
                let s = self.bump().span;
                Ok(Ident {
                    name: format!("{n}{u}"),
                    span: s,
                })
            }
            _ => Err(self.error(Code::E208, "a time unit after `@` such as `h` or `d`")),
        }
    }

    fn index(&mut self, base: Expr) -> PResult<Expr> {
        self.bump();
        let key = match self.peek().clone() {
            Tok::Ident(n) | Tok::Quoted(n) | Tok::Str(n) => {
                self.bump();
                Key::Name(n)
            }
            Tok::Long(i) => {
                self.bump();
                Key::Index(i)
            }
            Tok::Minus if matches!(self.peek_at(1), Tok::Long(_)) => {
                self.bump();
                let Tok::Long(i) = self.bump().tok else {
                    unreachable!()
                };
                Key::Index(-i)
            }
            Tok::RBracket => {
                // `a[]`: an iterative expression.
                let end = self.bump().span;
                let span = base.span.to(end);
                return Ok(Expr {
                    kind: ExprKind::Iterate(Box::new(base)),
                    span,
                });
            }
            _ => return Err(self.error(Code::E209, "a field name or array index inside `[ ]`")),
        };
        let end = self.expect(Tok::RBracket, "`]`")?;
        let span = base.span.to(end);
        Ok(Expr {
            kind: ExprKind::Index(Box::new(base), key),
            span,
        })
    }

    fn prefix(&mut self) -> PResult<Expr> {
        let start = self.span();
        let t = self.peek().clone();
        // A leaf; branches that build deeper trees set their own depth.
        self.last_depth = 1;
        let lit = |k: Literal, s: Span| {
            Ok(Expr {
                kind: ExprKind::Literal(k),
                span: s,
            })
        };
        match t {
            Tok::Ident(ref s) if s.eq_ignore_ascii_case("not") => {
                self.bump();
                let e = self.expr(41)?;
                let span = start.to(e.span);
                self.tree_depth(self.last_depth + 1, span)?;
                Ok(Expr {
                    kind: ExprKind::Unary(UnOp::Not, Box::new(e)),
                    span,
                })
            }
            Tok::Minus => {
                self.bump();
                // Fold -<literal> so that -9223372036854775808 and -30min are single literals.
                let indexed = *self.peek_at(1) == Tok::LBracket;
                match self.peek().clone() {
                    Tok::Long(v) if !indexed => {
                        let s = start.to(self.bump().span);
                        lit(Literal::Long(v.wrapping_neg()), s)
                    }
                    Tok::LongMinAbs => {
                        let s = start.to(self.bump().span);
                        lit(Literal::Long(i64::MIN), s)
                    }
                    _ => {
                        let e = self.expr(90)?;
                        let span = start.to(e.span);
                        self.tree_depth(self.last_depth + 1, span)?;
                        Ok(Expr {
                            kind: ExprKind::Unary(UnOp::Neg, Box::new(e)),
                            span,
                        })
                    }
                }
            }
            Tok::At => {
                self.bump();
                let unit = self.align_unit()?;
                let span = start.to(unit.span);
                Ok(Expr {
                    kind: ExprKind::Align(None, unit),
                    span,
                })
            }
            Tok::LParen => {
                self.bump();
                let mut e = self.expr(0)?;
                let end = self.expect(Tok::RParen, "`)`")?;
                e.span = start.to(end);
                Ok(e)
            }
            Tok::Str(s) => lit(Literal::Str(s), self.bump().span),
            Tok::Long(v) => lit(Literal::Long(v), self.bump().span),
            Tok::Double(v) => lit(Literal::Double(v), self.bump().span),
            Tok::Duration(n, u) => lit(Literal::Duration(n, u), self.bump().span),
            Tok::Quoted(n) => Ok(Expr {
                kind: ExprKind::Field(n),
                span: self.bump().span,
            }),
            Tok::Ident(n) => {
                let span = self.bump().span;
                if *self.peek() == Tok::LParen {
                    return self.call(Ident { name: n, span });
                }
                match n.to_ascii_lowercase().as_str() {
                    "true" => lit(Literal::Bool(true), span),
                    "false" => lit(Literal::Bool(false), span),
                    "null" => lit(Literal::Null, span),
                    "and" | "or" | "xor" | "mod" => {
                        self.diags.push(
                            Diagnostic::error(
                                Code::E211,
                                span,
                                format!("expected an expression, found the reserved word `{n}`"),
                            )
                            .with_label("reserved word")
                            .with_hint(format!(
                                "a field with this name must be written in backticks: `{n}`"
                            )),
                        );
                        Err(Abort)
                    }
                    _ => Ok(Expr {
                        kind: ExprKind::Field(n),
                        span,
                    }),
                }
            }
            Tok::LBracket => {
                // An execution block: a pipeline of its own, up to the matching `]`.
                self.bump();
                self.enter()?;
                self.nested += 1;
                let q = self.query();
                self.nested -= 1;
                self.depth -= 1;
                let end = self.expect(Tok::RBracket, "`]` to close the sub-query")?;
                Ok(Expr {
                    kind: ExprKind::Subquery(Box::new(q)),
                    span: start.to(end),
                })
            }
            Tok::LBrace => {
                let span = self.span();
                self.diags.push(
                    Diagnostic::error(Code::E210, span, "expected an expression, found `{`")
                        .with_label("a `{ }` group is only allowed as a parameter")
                        .with_hint("build records with record(a = 1) and arrays with array(1, 2)"),
                );
                Err(Abort)
            }
            _ => Err(self.error(Code::E210, "an expression")),
        }
    }

    fn call(&mut self, name: Ident) -> PResult<Expr> {
        self.bump(); // (
        let mut args = Vec::new();
        let mut deepest = 0;
        if *self.peek() != Tok::RParen {
            loop {
                args.push(self.arg()?);
                deepest = deepest.max(self.last_depth);
                if !self.eat(&Tok::Comma) {
                    break;
                }
            }
        }
        let end = self.expect(Tok::RParen, "`)` or `,`")?;
        let span = name.span.to(end);
        self.tree_depth(deepest + 1, span)?;
        Ok(Expr {
            kind: ExprKind::Call(name, args),
            span,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one_expr(src: &str) -> Expr {
        let (q, d) = parse(&format!("filter {src}"));
        assert!(d.is_empty(), "{src}: {d:?}");
        q.commands[0].args[0].expr().unwrap().clone()
    }

    #[test]
    fn precedence_matches_dql() {
        for (src, canon) in [
            ("a == 1 or b == 2 and c == 3", "a == 1 or b == 2 and c == 3"),
            ("(a or b) and c", "(a or b) and c"),
            ("not a == b", "not a == b"),
            ("1 + 2 * 3", "1 + 2 * 3"),
            ("(1 + 2) * 3", "(1 + 2) * 3"),
            ("a - b - c", "a - b - c"),
            ("a - (b - c)", "a - (b - c)"),
            ("now()-1h@h", "now() - 1h@h"),
            ("event[userIdentity][arn]", "event[userIdentity][arn]"),
            (
                "contains(content, \"dql\", caseSensitive: false)",
                "contains(content, \"dql\", caseSensitive:FALSE)",
            ),
            ("in(x, \"a\", \"b\")", "in(x, {\"a\", \"b\"})"),
            (
                "in(event[errorCode], { \"AccessDenied\", \"UnauthorizedOperation\" })",
                "in(event[errorCode], {\"AccessDenied\", \"UnauthorizedOperation\"})",
            ),
            ("COUNT()", "count()"),
            ("countIf(a>2)", "countIf(a > 2)"),
        ] {
            assert_eq!(one_expr(src).canonical(), canon, "{src}");
        }
        match one_expr("not a == b").kind {
            ExprKind::Unary(UnOp::Not, inner) => {
                assert!(matches!(inner.kind, ExprKind::Binary(BinOp::Eq, ..)))
            }
            k => panic!("{k:?}"),
        }
    }

    #[test]
    fn parses_seed_query() {
        let q = "fetch logs, from: -30min\n| filter dt.system.bucket == \"my_aws_bucket\"\n| parse content, \"JSON:event\"\n| summarize count(), by: {\nipAddr  = event[sourceIPAddress],\nMFAUsed = event[additionalEventData][MFAUsed]\n}\n| sort arrayAvg(event_count) desc\n| limit 10";
        let (q, d) = parse(q);
        assert!(d.is_empty(), "{d:?}");
        let names: Vec<&str> = q.commands.iter().map(|c| c.name.name.as_str()).collect();
        assert_eq!(
            names,
            ["fetch", "filter", "parse", "summarize", "sort", "limit"]
        );
        let by = &q.commands[3].args[1];
        assert_eq!(by.param.as_ref().unwrap().name, "by");
        let ArgValue::Group(items) = &by.value else {
            panic!()
        };
        assert_eq!(items[0].alias.as_ref().unwrap().name, "ipAddr");
        assert_eq!(q.commands[4].args[0].descending, Some(true));
    }

    #[test]
    fn recovers_and_reports_every_error() {
        let (q, d) = parse("fetch logs | filter a == | fields x, | filter (b = 2) | limit 3");
        assert_eq!(d.len(), 3, "{d:?}");
        assert_eq!(q.commands.last().unwrap().name.name, "limit");
        assert!(d[2].message.contains("`==`"), "{:?}", d[2]);
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let src = format!("filter {}1{}", "(".repeat(5000), ")".repeat(5000));
        let (_, d) = parse(&src);
        assert!(d.iter().any(|d| d.code == "E206"));
    }
}
