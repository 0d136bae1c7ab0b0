//! Arbitrary UTF-8 → lex + parse. Asserts the invariants the editor relies on: token spans are
//! in bounds, on character boundaries and increasing; every diagnostic span is in bounds; every
//! syntax node lies inside its parent; rendering the diagnostics never panics.

#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "common/budget.rs"]
mod budget;
use trailscope_engine::syntax::ast::{Arg, ArgValue, Expr, ExprKind};
use trailscope_engine::syntax::lex::{lex, Tok};
use trailscope_engine::syntax::parse;
use trailscope_engine::{render_diagnostics, Span};

fn check(data: &[u8]) {
    let Ok(src) = std::str::from_utf8(data) else {
        return;
    };
    let (toks, diags) = lex(src);
    assert_eq!(
        toks.last().map(|t| &t.tok),
        Some(&Tok::Eof),
        "token list must end with Eof"
    );
    let mut prev_end = 0;
    for t in &toks {
        check_span(src, t.span);
        assert!(
            t.span.start >= prev_end,
            "token {t:?} overlaps the one before"
        );
        prev_end = t.span.end;
    }
    for d in &diags {
        check_span(src, d.span);
    }

    let (q, diags) = parse(src);
    for d in &diags {
        check_span(src, d.span);
    }
    for c in &q.commands {
        check_span(src, c.span);
        check_inside(c.span, c.name.span);
        for a in &c.args {
            check_arg(src, c.span, a);
        }
    }
    let _ = render_diagnostics(src, &diags);
}

fuzz_target!(|data: &[u8]| budget::within_budget(data, || check(data)));

fn check_span(src: &str, s: Span) {
    let (a, b) = (s.start as usize, s.end as usize);
    assert!(
        a <= b && b <= src.len(),
        "span {s:?} out of bounds (text is {} bytes)",
        src.len()
    );
    assert!(
        src.is_char_boundary(a) && src.is_char_boundary(b),
        "span {s:?} splits a character"
    );
}

fn check_inside(outer: Span, inner: Span) {
    assert!(
        outer.start <= inner.start && inner.end <= outer.end,
        "{inner:?} is not inside {outer:?}"
    );
}

fn check_arg(src: &str, parent: Span, a: &Arg) {
    check_span(src, a.span);
    check_inside(parent, a.span);
    match &a.value {
        ArgValue::Expr(e) => check_expr(src, a.span, e),
        ArgValue::Group(items) => items.iter().for_each(|i| check_arg(src, a.span, i)),
    }
}

fn check_expr(src: &str, parent: Span, e: &Expr) {
    check_span(src, e.span);
    check_inside(parent, e.span);
    match &e.kind {
        ExprKind::Index(x, _) | ExprKind::Unary(_, x) | ExprKind::Align(Some(x), _) => {
            check_expr(src, e.span, x)
        }
        ExprKind::Binary(_, l, r) => {
            check_expr(src, e.span, l);
            check_expr(src, e.span, r);
        }
        ExprKind::Call(name, args) => {
            check_inside(e.span, name.span);
            args.iter().for_each(|a| check_arg(src, e.span, a));
        }
        _ => {}
    }
}
