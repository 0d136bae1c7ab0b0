//! Property tests (STYLE.md, Tests): lexer spans stay in bounds and increase; parser spans nest
//! and canonical text re-parses to itself; executor laws (`filter true`, `sort`, `limit`,
//! `summarize count()`, `filter`/`filterOut`, `dedup`) hold on random `data` tables; and the
//! engine agrees with a naive row-by-row reference evaluator written here from the DQL
//! reference (§2: three-valued logic, `==` and null, numeric comparison).
//!
//! Case counts are small so the file runs in seconds. For a longer hunt:
//! `PROPTEST_CASES=5000 cargo test -p trailscope-engine --test properties -- --include-ignored`.
//! A failing case is saved under `engine/proptest-regressions/` and replayed first next time.

use std::sync::{Arc, OnceLock};

use proptest::prelude::*;
use proptest::sample::select;
use trailscope_engine::syntax::ast::{Arg, ArgValue, Expr, ExprKind, Literal, Query, UnOp};
use trailscope_engine::syntax::lex::{lex, Tok};
use trailscope_engine::syntax::parse;
use trailscope_engine::value::write_json_string;
use trailscope_engine::{
    load_bytes, run_query, Diagnostic, LoadOptions, QueryOptions, Span, Store, Value,
};

/// `n` cases, unless `PROPTEST_CASES` asks for another number.
fn cases(n: u32) -> ProptestConfig {
    let n = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(n);
    ProptestConfig {
        cases: n,
        ..ProptestConfig::default()
    }
}

// ---------------------------------------------------------------------------------------------
// Lexer and parser on arbitrary text

/// Fragments that steer random text into the lexer's corners: unterminated strings, comments
/// and backticks, escapes, number edges, multi-byte characters.
const PIECES: &[&str] = &[
    "fetch logs",
    "|",
    " ",
    "\n",
    "\t",
    "\"",
    "\"\"\"",
    "`",
    "\\",
    "\\u12",
    "\\u00e9",
    "/*",
    "*/",
    "//",
    "0x",
    "0xfffffffffffffffff",
    "1e",
    "1e+",
    "2.5",
    "9223372036854775808",
    "99999999999999999999",
    "5",
    "30min",
    "7µs",
    ".",
    "-",
    "@",
    "µ",
    "é",
    "😀",
    "\u{0}",
    "'",
    "==",
    "=",
    "<>",
    "!=",
    "a.b.",
    "dt.*",
    "_x",
    "$v",
    "[",
    "]",
    "(",
    ")",
    "{",
    "}",
    ",",
    ":",
    "not",
    "and",
    "or",
    "in",
    "desc",
    "filter",
    "x",
    "record(",
    "~",
];

fn query_like_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => select(PIECES).prop_map(String::from),
        1 => "[a-z]{1,4}",
        1 => any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..32).prop_map(|v| v.concat())
}

fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![any::<String>(), query_like_text()]
}

fn in_bounds(src: &str, s: Span) -> bool {
    s.start <= s.end
        && s.end as usize <= src.len()
        && src.is_char_boundary(s.start as usize)
        && src.is_char_boundary(s.end as usize)
}

fn check_lex(src: &str) -> Result<(), TestCaseError> {
    let (toks, diags) = lex(src);
    let last = toks.last().expect("at least the Eof token");
    prop_assert_eq!(&last.tok, &Tok::Eof);
    prop_assert_eq!(last.span, Span::new(src.len(), src.len()));
    let mut prev_end = 0;
    for t in &toks {
        prop_assert!(
            in_bounds(src, t.span),
            "token {:?} out of bounds or inside a character",
            t
        );
        prop_assert!(
            t.span.start >= prev_end,
            "token {:?} overlaps the one before (ends at {})",
            t,
            prev_end
        );
        if t.tok != Tok::Eof {
            prop_assert!(t.span.start < t.span.end, "empty token {:?}", t);
        }
        if let Tok::Ident(name) = &t.tok {
            prop_assert_eq!(
                name.as_str(),
                &src[t.span.range()],
                "an identifier is its own text"
            );
        }
        prev_end = t.span.end;
    }
    for d in &diags {
        prop_assert!(in_bounds(src, d.span), "diagnostic {:?} out of bounds", d);
    }
    Ok(())
}

fn within(outer: Span, inner: Span) -> bool {
    outer.start <= inner.start && inner.end <= outer.end
}

/// Every span is in bounds, parents enclose children, and siblings come in text order.
fn check_query_spans(src: &str, q: &Query) -> Result<(), TestCaseError> {
    let mut prev_end = 0;
    for c in &q.commands {
        prop_assert!(in_bounds(src, c.span), "command span {:?}", c.span);
        prop_assert!(c.span.start >= prev_end, "commands overlap at {:?}", c.span);
        prop_assert!(
            within(c.span, c.name.span),
            "command {:?} does not enclose its name",
            c.name.name
        );
        check_args(src, c.span, c.name.span.end, &c.args)?;
        prev_end = c.span.end;
    }
    Ok(())
}

fn check_args(
    src: &str,
    parent: Span,
    mut prev_end: u32,
    args: &[Arg],
) -> Result<(), TestCaseError> {
    for a in args {
        prop_assert!(
            within(parent, a.span),
            "arg {:?} not inside its parent {:?}",
            a.span,
            parent
        );
        prop_assert!(
            a.span.start >= prev_end,
            "arg {:?} overlaps its left sibling (ends at {})",
            a.span,
            prev_end
        );
        let mut inner_end = a.span.start;
        for id in a.param.iter().chain(&a.alias) {
            prop_assert!(
                within(a.span, id.span) && id.span.start >= inner_end,
                "name {:?} misplaced in arg {:?}",
                id,
                a.span
            );
            inner_end = id.span.end;
        }
        match &a.value {
            ArgValue::Expr(e) => {
                prop_assert!(
                    within(a.span, e.span) && e.span.start >= inner_end,
                    "value {:?} misplaced in arg {:?}",
                    e.span,
                    a.span
                );
                check_expr(src, e)?;
            }
            ArgValue::Group(items) => check_args(src, a.span, inner_end, items)?,
        }
        prev_end = a.span.end;
    }
    Ok(())
}

fn check_expr(src: &str, e: &Expr) -> Result<(), TestCaseError> {
    prop_assert!(in_bounds(src, e.span), "expression span {:?}", e.span);
    // Children in text order; each must lie inside `e`.
    let mut kids: Vec<Span> = Vec::new();
    match &e.kind {
        ExprKind::Index(base, _) => kids.push(base.span),
        ExprKind::Call(name, args) => {
            prop_assert!(within(e.span, name.span), "call does not enclose its name");
            check_args(src, e.span, name.span.end, args)?;
        }
        ExprKind::Unary(_, x) => kids.push(x.span),
        ExprKind::Binary(_, l, r) => kids.extend([l.span, r.span]),
        ExprKind::Align(base, unit) => {
            kids.extend(base.iter().map(|b| b.span));
            kids.push(unit.span);
        }
        _ => {}
    }
    let mut prev_end = e.span.start;
    for k in kids {
        prop_assert!(
            within(e.span, k),
            "{:?} does not enclose child {:?} in {:?}",
            e.span,
            k,
            e.kind
        );
        prop_assert!(k.start >= prev_end, "children overlap in {:?}", e.kind);
        prev_end = k.end;
    }
    match &e.kind {
        ExprKind::Index(x, _) | ExprKind::Unary(_, x) | ExprKind::Align(Some(x), _) => {
            check_expr(src, x)
        }
        ExprKind::Binary(_, l, r) => {
            check_expr(src, l)?;
            check_expr(src, r)
        }
        _ => Ok(()),
    }
}

proptest! {
    #![proptest_config(cases(256))]

    #[test]
    fn lexer_spans_are_in_bounds_and_increase(src in any_text()) {
        check_lex(&src)?;
    }

    #[test]
    fn parser_never_panics_and_spans_nest(src in any_text()) {
        let (q, diags) = parse(&src);
        for d in &diags {
            prop_assert!(in_bounds(&src, d.span), "diagnostic {:?} out of bounds", d);
        }
        check_query_spans(&src, &q)?;
    }
}

// ---------------------------------------------------------------------------------------------
// Generated valid queries

/// A syntax tree to print as DQL text. The printer adds the parentheses precedence needs, and
/// `Paren` adds redundant ones, so the parser sees both styles.
#[derive(Clone, Debug)]
enum S {
    Field(&'static str),
    Lit(String),
    Bin(&'static str, u8, Box<S>, Box<S>),
    Not(Box<S>),
    Neg(Box<S>),
    Call(&'static str, Vec<SArg>),
    Index(Box<S>, &'static str),
    Align(Box<S>, &'static str),
    Paren(Box<S>),
}

#[derive(Clone, Debug)]
enum SArg {
    Plain(S),
    Named(&'static str, S),
    Alias(&'static str, S),
    Group(Vec<S>),
}

/// Binding strengths as the parser documents them (parse.rs), loosest first.
const BINOPS: &[(&str, u8)] = &[
    ("or", 10),
    ("OR", 10),
    ("xor", 20),
    ("and", 30),
    ("AND", 30),
    ("==", 50),
    ("!=", 50),
    ("<>", 50),
    ("<", 50),
    ("<=", 50),
    (">", 50),
    (">=", 50),
    ("~", 55),
    ("+", 70),
    ("-", 70),
    ("*", 80),
    ("/", 80),
    ("%", 80),
];

fn double_text() -> impl Strategy<Value = String> {
    prop_oneof![
        select(vec![
            "2.5",
            "0.5",
            "2.0",
            "1e3",
            "1.5e-7",
            "1E+2",
            "0.0",
            "1e300",
            "9223372036854775808.0"
        ])
        .prop_map(String::from),
        (-1.0e6..1.0e6f64).prop_map(|f| format!("{f:?}")),
    ]
}

fn lit_text() -> impl Strategy<Value = String> {
    prop_oneof![
        (-1000i64..1000).prop_map(|v| v.to_string()),
        select(vec!["9223372036854775807", "-9223372036854775808", "0xff"]).prop_map(String::from),
        double_text(),
        "[a-z é\"\\\\\n]{0,4}".prop_map(|s| quote(&s)),
        select(vec![
            "true",
            "FALSE",
            "null",
            "30min",
            "-30min",
            "5m",
            "2h",
            "1d",
            "\"\"\"a\"b\"\"\""
        ])
        .prop_map(String::from),
    ]
}

fn syntax_expr() -> impl Strategy<Value = S> {
    let leaf = prop_oneof![
        3 => select(vec!["a", "b", "c", "dt.system.bucket", "`count()`", "`a b`", "`true`", "event"]).prop_map(S::Field),
        2 => lit_text().prop_map(S::Lit),
    ];
    leaf.prop_recursive(5, 32, 3, |inner| {
        let arg = prop_oneof![
            3 => inner.clone().prop_map(SArg::Plain),
            1 => (select(vec!["caseSensitive", "default"]), inner.clone()).prop_map(|(n, e)| SArg::Named(n, e)),
            1 => (select(vec!["x", "y"]), inner.clone()).prop_map(|(n, e)| SArg::Alias(n, e)),
            1 => prop::collection::vec(inner.clone(), 1..3).prop_map(SArg::Group),
        ];
        prop_oneof![
            6 => (select(BINOPS), inner.clone(), inner.clone()).prop_map(|((op, p), l, r)| S::Bin(op, p, Box::new(l), Box::new(r))),
            1 => inner.clone().prop_map(|x| S::Not(Box::new(x))),
            1 => inner.clone().prop_map(|x| S::Neg(Box::new(x))),
            2 => (select(vec!["isNull", "ISNULL", "lower", "contains", "in", "startsWith", "coalesce", "record", "array"]), prop::collection::vec(arg, 0..3))
                .prop_map(|(f, args)| S::Call(f, args)),
            1 => (inner.clone(), select(vec!["userIdentity", "`a b`", "\"x y\"", "0", "-1", "start"])).prop_map(|(b, k)| S::Index(Box::new(b), k)),
            1 => (inner.clone(), select(vec!["h", "d", "15m", "w1"])).prop_map(|(b, u)| S::Align(Box::new(b), u)),
            1 => inner.prop_map(|x| S::Paren(Box::new(x))),
        ]
    })
}

/// A DQL string literal: only `"` and `\` need escaping.
fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

impl S {
    fn prec(&self) -> u8 {
        match self {
            S::Bin(_, p, ..) => *p,
            S::Not(_) => 40,
            S::Align(..) => 65,
            S::Neg(_) => 90,
            S::Lit(t) if t.starts_with('-') => 90,
            _ => 100,
        }
    }

    /// Text that parses back to this tree when it appears where binding strength `ctx` is needed.
    fn text(&self, ctx: u8) -> String {
        let body = match self {
            S::Field(f) => f.to_string(),
            S::Lit(t) => t.clone(),
            S::Bin(op, p, l, r) => format!("{} {op} {}", l.text(*p), r.text(p + 1)),
            S::Not(x) => format!("not {}", x.text(41)),
            S::Neg(x) => format!("-{}", x.text(90)),
            S::Call(f, args) => format!(
                "{f}({})",
                args.iter().map(SArg::text).collect::<Vec<_>>().join(", ")
            ),
            S::Index(b, k) => format!("{}[{k}]", b.text(100)),
            S::Align(b, u) => format!("{}@{u}", b.text(65)),
            S::Paren(x) => format!("({})", x.text(0)),
        };
        if self.prec() < ctx {
            format!("({body})")
        } else {
            body
        }
    }
}

impl SArg {
    fn text(&self) -> String {
        match self {
            SArg::Plain(e) => e.text(0),
            SArg::Named(n, e) => format!("{n}: {}", e.text(0)),
            SArg::Alias(n, e) => format!("{n} = {}", e.text(0)),
            SArg::Group(items) => format!(
                "{{{}}}",
                items
                    .iter()
                    .map(|e| e.text(0))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
}

/// A pipeline: a source command, then processing commands with generated expressions.
fn pipeline() -> impl Strategy<Value = (String, usize)> {
    let e = || syntax_expr().prop_map(|s| s.text(0));
    let source = select(vec![
        "fetch logs",
        "fetch logs, from: -30min",
        "fetch logs, from: \"2026-11-20T08:00:00Z\", to: now()",
        "data record(a = 1, b = \"x\"), record(a = 2.5, c = null)",
    ])
    .prop_map(String::from);
    let command = prop_oneof![
        e().prop_map(|x| format!("filter {x}")),
        e().prop_map(|x| format!("filterOut {x}")),
        (e(), e()).prop_map(|(x, y)| format!("fields r = {x}, {y}")),
        e().prop_map(|x| format!("fieldsAdd `new field` = {x}")),
        (e(), select(vec!["", " asc", " desc"]), e())
            .prop_map(|(x, d, y)| format!("sort {x}{d}, {y} desc")),
        (0u32..100).prop_map(|n| format!("limit {n}")),
        Just("summarize c = count(), by: {b}".to_string()),
        (e(), e())
            .prop_map(|(x, y)| format!("summarize count(), s = sum({x}), by: {{k = {y}, b}}")),
        e().prop_map(|x| format!("dedup {x}")),
        Just("dedup {a, b}, sort: {c desc}".to_string()),
        Just("parse content, \"JSON:event\"".to_string()),
        Just("makeTimeseries count(), interval: 5m".to_string()),
    ];
    let sep = select(vec![" | ", "\n| ", "|", "\n  | "]);
    (source, prop::collection::vec((sep, command), 0..5)).prop_map(|(s, cmds)| {
        let n = cmds.len() + 1;
        let text = cmds
            .into_iter()
            .fold(s, |acc, (sep, c)| format!("{acc}{sep}{c}"));
        (text, n)
    })
}

fn first_expr(q: &Query) -> &Expr {
    q.commands[0].args[0]
        .expr()
        .expect("an expression argument")
}

/// The tree without spans or parentheses, with the spellings `canonical` normalises (function
/// name case, whole doubles shown as integers, `in(a, b, c)` as `in(a, {b, c})`) made equal.
fn shape(e: &Expr) -> String {
    let num = |v: f64| {
        if v.fract() == 0.0 && v.abs() < 1e15 {
            format!("{}", v as i64)
        } else {
            format!("{v:?}")
        }
    };
    match &e.kind {
        // `-(5)` prints as `-5`, which reads back as one literal: negative literals are negations.
        ExprKind::Literal(Literal::Long(v)) if *v < 0 => format!("Neg({})", v.unsigned_abs()),
        ExprKind::Literal(Literal::Long(v)) => v.to_string(),
        ExprKind::Literal(Literal::Double(v)) => num(*v),
        ExprKind::Literal(l) => format!("{l:?}"),
        ExprKind::Field(f) => format!("Field({f:?})"),
        ExprKind::Index(b, k) => format!("Index({}, {k:?})", shape(b)),
        ExprKind::Call(name, args) => {
            let mut flat = Vec::new();
            for a in args {
                match (&a.value, &a.param, &a.alias) {
                    (ArgValue::Group(items), None, None)
                        if name.name.eq_ignore_ascii_case("in") =>
                    {
                        flat.extend(items.iter().map(arg_shape))
                    }
                    _ => flat.push(arg_shape(a)),
                }
            }
            format!("{}({})", name.name.to_ascii_lowercase(), flat.join(", "))
        }
        ExprKind::Unary(op, x) => format!("{op:?}({})", shape(x)),
        ExprKind::Binary(op, l, r) => format!("{op:?}({}, {})", shape(l), shape(r)),
        ExprKind::Align(b, u) => format!(
            "Align({}, {})",
            b.as_deref().map_or(String::new(), shape),
            u.name
        ),
        ExprKind::Subquery | ExprKind::Error => format!("{:?}", e.kind),
    }
}

fn arg_shape(a: &Arg) -> String {
    let v = match &a.value {
        ArgValue::Expr(e) => shape(e),
        ArgValue::Group(items) => format!(
            "{{{}}}",
            items.iter().map(arg_shape).collect::<Vec<_>>().join(", ")
        ),
    };
    format!(
        "{:?}:{:?}={v}",
        a.param.as_ref().map(|p| &p.name),
        a.alias.as_ref().map(|p| &p.name)
    )
}

/// Trees whose canonical text is known to be wrong (see the ignored tests at the end of this
/// file); the canonical properties skip them until those tests pass. `ctx` is the binding
/// strength the printer needs at this node, as in `Expr::canonical`.
fn known_canonical_bug(e: &Expr, ctx: u8) -> bool {
    use trailscope_engine::syntax::ast::binop_prec;
    let here = match &e.kind {
        // `@` never gets parentheses, so a looser context swallows it: `a + (b@h)` → `a + b@h`.
        ExprKind::Align(..) => ctx > 65,
        // `(-a)[b]` → `-a[b]`.
        ExprKind::Unary(UnOp::Neg, _) if ctx > 90 => true,
        // `-(0.0)` → `-0`; `-(2[b])` → `-2[b]`, which reads back as `(-2)[b]`.
        ExprKind::Unary(UnOp::Neg, x) => {
            matches!(x.kind, ExprKind::Literal(Literal::Double(v)) if v == 0.0)
                || (matches!(x.kind, ExprKind::Index(..))
                    && x.canonical().starts_with(|c: char| c.is_ascii_digit()))
        }
        // Whole doubles print as integers: `1e300` → a long too large to read back.
        ExprKind::Literal(Literal::Double(v)) => v.abs() >= 9.2e18,
        _ => false,
    };
    let kids: Vec<(&Expr, u8)> = match &e.kind {
        ExprKind::Index(b, _) => vec![(&**b, 100)],
        ExprKind::Unary(UnOp::Neg, x) => vec![(&**x, 90)],
        ExprKind::Unary(UnOp::Not, x) => vec![(&**x, 40)],
        ExprKind::Align(Some(b), _) => vec![(&**b, 65)],
        ExprKind::Binary(op, l, r) => vec![(&**l, binop_prec(*op)), (&**r, binop_prec(*op) + 1)],
        _ => children(e).into_iter().map(|c| (c, 0)).collect(),
    };
    here || kids.into_iter().any(|(k, c)| known_canonical_bug(k, c))
}

fn children(e: &Expr) -> Vec<&Expr> {
    fn arg_exprs<'a>(a: &'a Arg, out: &mut Vec<&'a Expr>) {
        match &a.value {
            ArgValue::Expr(e) => out.push(e),
            ArgValue::Group(items) => items.iter().for_each(|i| arg_exprs(i, out)),
        }
    }
    let mut out = Vec::new();
    match &e.kind {
        ExprKind::Index(x, _) | ExprKind::Unary(_, x) | ExprKind::Align(Some(x), _) => {
            out.push(&**x)
        }
        ExprKind::Binary(_, l, r) => out.extend([&**l, &**r]),
        ExprKind::Call(_, args) => args.iter().for_each(|a| arg_exprs(a, &mut out)),
        _ => {}
    }
    out
}

fn parse_clean(src: &str) -> Result<Query, TestCaseError> {
    let (q, diags) = parse(src);
    prop_assert!(
        diags.is_empty(),
        "{:?} should parse cleanly, got {:?}",
        src,
        diags
    );
    Ok(q)
}

proptest! {
    #![proptest_config(cases(256))]

    #[test]
    fn valid_pipelines_parse_cleanly_with_nested_spans((src, n) in pipeline()) {
        let q = parse_clean(&src)?;
        prop_assert_eq!(q.commands.len(), n);
        check_query_spans(&src, &q)?;
    }

    #[test]
    fn canonical_text_reparses_to_itself(e in syntax_expr()) {
        let src = format!("filter {}", e.text(0));
        let q1 = parse_clean(&src)?;
        prop_assume!(!known_canonical_bug(first_expr(&q1), 0));
        let c1 = first_expr(&q1).canonical();
        let q2 = parse_clean(&format!("filter {c1}"))?;
        let c2 = first_expr(&q2).canonical();
        prop_assert_eq!(&c1, &c2, "from {}", src);
    }

    #[test]
    fn canonical_text_keeps_the_tree(e in syntax_expr()) {
        let src = format!("filter {}", e.text(0));
        let q1 = parse_clean(&src)?;
        prop_assume!(!known_canonical_bug(first_expr(&q1), 0));
        let c1 = first_expr(&q1).canonical();
        let q2 = parse_clean(&format!("filter {c1}"))?;
        prop_assert_eq!(shape(first_expr(&q1)), shape(first_expr(&q2)), "{} became {}", src, c1);
    }
}

// ---------------------------------------------------------------------------------------------
// Random tables and the engine

const COLS: [&str; 3] = ["a", "b", "c"];

/// One row: a unique `i` (its input position) and values for `a`, `b`, `c`.
type Row = [Value; 3];

fn value() -> impl Strategy<Value = Value> {
    prop_oneof![
        2 => Just(Value::Null),
        3 => (-3i64..=3).prop_map(Value::Long),
        1 => prop_oneof![Just(i64::MAX), Just(i64::MIN), any::<i64>()].prop_map(Value::Long),
        2 => prop_oneof![
            // Add -9.223372036854775808e18 once `negative_double_literal_stays_double` passes.
            select(vec![0.5, -1.5, 2.0, 1.0, 0.0, -0.0, 1e300, -2.5e-8, 9.223372036854775808e18]),
            (-8000i32..8000).prop_map(|x| f64::from(x) / 8.0),
        ].prop_map(Value::Double),
        3 => select(vec!["", "x", "y", "X", "x y", "é", "\"q\\", "ab"]).prop_map(Value::str),
        1 => "[a-zA-Z é\u{3b1}\u{ff21}]{0,3}".prop_map(|s| Value::str(&s)),
        1 => any::<bool>().prop_map(Value::Bool),
    ]
}

fn table() -> impl Strategy<Value = Vec<Row>> {
    prop::collection::vec([value(), value(), value()], 0..12)
}

fn lit(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Long(x) => x.to_string(),
        Value::Double(f) => format!("{f:?}"),
        Value::Str(s) => quote(s),
        other => panic!("no literal for {other:?}"),
    }
}

/// `data record(i = 0, a = …, b = …, c = …), …`; an empty table is one record filtered away.
fn data_query(rows: &[Row]) -> String {
    let rec = |i: usize, r: &Row| {
        format!(
            "record(i = {i}, a = {}, b = {}, c = {})",
            lit(&r[0]),
            lit(&r[1]),
            lit(&r[2])
        )
    };
    if rows.is_empty() {
        return format!(
            "data {} | filter false",
            rec(0, &[Value::Null, Value::Null, Value::Null])
        );
    }
    let recs: Vec<String> = rows.iter().enumerate().map(|(i, r)| rec(i, r)).collect();
    format!("data {}", recs.join(", "))
}

fn store() -> &'static Arc<Store> {
    static STORE: OnceLock<Arc<Store>> = OnceLock::new();
    STORE.get_or_init(|| load_bytes("empty", b"", LoadOptions::default()).0)
}

struct Out {
    columns: Vec<String>,
    rows: Vec<Vec<Value>>,
}

impl Out {
    fn col(&self, name: &str) -> Vec<Value> {
        let c = self
            .columns
            .iter()
            .position(|n| n == name)
            .unwrap_or_else(|| panic!("no column {name} in {:?}", self.columns));
        self.rows.iter().map(|r| r[c].clone()).collect()
    }
    /// The `i` column: which input rows came out, in output order.
    fn ids(&self) -> Vec<usize> {
        self.col("i")
            .iter()
            .map(|v| match v {
                Value::Long(i) => *i as usize,
                other => panic!("i is {other:?}"),
            })
            .collect()
    }
}

fn run_on(store: &Arc<Store>, q: &str) -> Result<Out, Vec<Diagnostic>> {
    let out = run_query(store, q, &QueryOptions::default())?;
    let t = &out.table;
    let rows = (0..t.num_rows())
        .map(|r| (0..t.num_columns()).map(|c| t.cell(c, r)).collect())
        .collect();
    Ok(Out {
        columns: t.columns.clone(),
        rows,
    })
}

/// Identity of values: same type and value; doubles by bits (NaN equals NaN, -0.0 is not 0.0).
fn identical(x: &Value, y: &Value) -> bool {
    match (x, y) {
        (Value::Double(p), Value::Double(q)) => {
            p.to_bits() == q.to_bits() || (p.is_nan() && q.is_nan())
        }
        _ => x.type_name() == y.type_name() && x == y,
    }
}

fn identical_rows(x: &[Vec<Value>], y: &[Vec<Value>]) -> bool {
    x.len() == y.len()
        && x.iter()
            .zip(y)
            .all(|(p, q)| p.len() == q.len() && p.iter().zip(q).all(|(a, b)| identical(a, b)))
}

/// Grouping equality (`summarize by`, `dedup`): numbers by value across long and double, null
/// is a group of its own.
fn same_group(x: &Value, y: &Value) -> bool {
    match (x, y) {
        (Value::Null, Value::Null) => true,
        (Value::Long(p), Value::Long(q)) => p == q,
        _ => match (num(x), num(y)) {
            (Some(p), Some(q)) => p == q,
            (None, None) => x == y,
            _ => false,
        },
    }
}

fn num(v: &Value) -> Option<f64> {
    match v {
        Value::Long(x) => Some(*x as f64),
        Value::Double(f) => Some(*f),
        _ => None,
    }
}

/// DQL's sort order (reference §3.10): boolean < numbers < string, null last; numbers compare
/// by value across long and double; strings by UTF-16 code units.
fn sort_cmp(x: &Value, y: &Value) -> std::cmp::Ordering {
    use std::cmp::Ordering::*;
    let class = |v: &Value| match v {
        Value::Bool(_) => 0,
        Value::Long(_) | Value::Double(_) => 1,
        Value::Str(_) => 3,
        Value::Null => 255,
        _ => 100,
    };
    match (x, y) {
        (Value::Bool(p), Value::Bool(q)) => p.cmp(q),
        (Value::Long(p), Value::Long(q)) => p.cmp(q),
        (Value::Str(p), Value::Str(q)) => p.encode_utf16().cmp(q.encode_utf16()),
        _ if class(x) == 1 && class(y) == 1 => num(x).partial_cmp(&num(y)).unwrap_or(Equal),
        _ => class(x).cmp(&class(y)),
    }
}

/// Distinct values under grouping equality, in first-seen order, with their counts.
fn groups(values: &[Value]) -> Vec<(Value, usize)> {
    let mut out: Vec<(Value, usize)> = Vec::new();
    for v in values {
        match out.iter_mut().find(|(k, _)| same_group(k, v)) {
            Some((_, n)) => *n += 1,
            None => out.push((v.clone(), 1)),
        }
    }
    out
}

/// Where a random table comes from: the `data` command (plain value columns) or loaded
/// CloudTrail events read through `parse content, "JSON:event"` (stored, dictionary-encoded
/// columns, which take other paths through the executor).
struct Src {
    store: Arc<Store>,
    base: String,
}

const EVENTS_BASE: &str = "fetch logs | parse content, \"JSON:event\" | fields i = event[i], a = event[a], b = event[b], c = event[c]";

fn source(rows: &[Row], events: bool) -> Src {
    if events {
        Src {
            store: event_store(rows),
            base: EVENTS_BASE.to_string(),
        }
    } else {
        Src {
            store: store().clone(),
            base: data_query(rows),
        }
    }
}

impl Src {
    fn query(&self, tail: &str) -> String {
        if tail.is_empty() {
            self.base.clone()
        } else {
            format!("{} | {tail}", self.base)
        }
    }
    fn try_run(&self, tail: &str) -> Result<Out, Vec<Diagnostic>> {
        run_on(&self.store, &self.query(tail))
    }
    fn run(&self, tail: &str) -> Result<Out, TestCaseError> {
        self.try_run(tail)
            .map_err(|d| TestCaseError::fail(format!("{}\nfailed: {d:?}", self.query(tail))))
    }
}

proptest! {
    #![proptest_config(cases(128))]

    /// The source gives back exactly the values it was written with (types included), and
    /// `filter true` changes nothing.
    #[test]
    fn tables_round_trip_and_filter_true_is_identity(rows in table(), events in any::<bool>()) {
        let src = source(&rows, events);
        let out = src.run("")?;
        prop_assert_eq!(&out.columns, &["i", "a", "b", "c"]);
        let want: Vec<Vec<Value>> = rows.iter().enumerate().map(|(i, r)| {
            let mut v = vec![Value::Long(i as i64)];
            v.extend(r.iter().cloned());
            v
        }).collect();
        prop_assert!(identical_rows(&out.rows, &want), "{}\ngave {:?}", src.base, out.rows);
        let filtered = src.run("filter true")?;
        prop_assert!(identical_rows(&filtered.rows, &out.rows));
    }

    /// `sort a` / `sort a desc` return a permutation, in DQL order, nulls last, ties stable.
    #[test]
    fn sort_is_an_ordered_stable_permutation(rows in table(), desc in any::<bool>(), events in any::<bool>()) {
        // Known engine bug: see `sort_treats_negative_zero_as_zero`.
        prop_assume!(!rows.iter().any(|r| matches!(r[0], Value::Double(f) if f == 0.0 && f.is_sign_negative())));
        let src = source(&rows, events);
        let tail = format!("sort a{}", if desc { " desc" } else { "" });
        let out = src.run(&tail)?;
        let mut ids = out.ids();
        for (row, &i) in out.rows.iter().zip(&ids) {
            prop_assert!(identical(&row[1], &rows[i][0]), "row {} changed", i);
        }
        for w in ids.windows(2) {
            let (x, y) = (&rows[w[0]][0], &rows[w[1]][0]);
            let o = match (x.is_null(), y.is_null()) {
                (false, false) if desc => sort_cmp(y, x),
                _ => sort_cmp(x, y),
            };
            prop_assert!(o.is_lt() || (o.is_eq() && w[0] < w[1]), "{}\n{:?} (row {}) before {:?} (row {})", src.query(&tail), x, w[0], y, w[1]);
        }
        ids.sort_unstable();
        prop_assert_eq!(ids, (0..rows.len()).collect::<Vec<_>>());
    }

    #[test]
    fn limit_keeps_the_first_n_rows(rows in table(), n in 0usize..15, events in any::<bool>()) {
        let out = source(&rows, events).run(&format!("limit {n}"))?;
        prop_assert_eq!(out.ids(), (0..n.min(rows.len())).collect::<Vec<_>>());
    }

    /// Counts per group sum to the input size, one output row per distinct `b`.
    #[test]
    fn summarize_counts_sum_to_input_size(rows in table(), events in any::<bool>()) {
        let out = source(&rows, events).run("summarize c = count(), by: {b}")?;
        let (keys, counts) = (out.col("b"), out.col("c"));
        let total: i64 = counts.iter().map(|c| if let Value::Long(n) = c { *n } else { -1_000_000 }).sum();
        prop_assert_eq!(total, rows.len() as i64);
        let want = groups(&rows.iter().map(|r| r[1].clone()).collect::<Vec<_>>());
        prop_assert_eq!(keys.len(), want.len(), "groups {:?}, want {:?}", keys, want);
        for (k, c) in keys.iter().zip(&counts) {
            let n = want.iter().find(|(w, _)| same_group(w, k)).map(|(_, n)| Value::Long(*n as i64));
            prop_assert_eq!(Some(c), n.as_ref(), "count of group {:?}", k);
        }
    }

    /// `filter P` keeps the rows where P is true; `filterOut P` keeps all others, including
    /// those where P is null or not a boolean. Both keep the input order.
    #[test]
    fn filter_and_filter_out_partition_the_rows(rows in table(), p in eval_expr(), events in any::<bool>()) {
        let src = source(&rows, events);
        let pt = p.text();
        let Ok(truth) = src.try_run(&format!("fields i, p = {pt}")) else {
            return Ok(()); // a constant type error (E328); the evaluator test checks those
        };
        let is_true: Vec<bool> = truth.col("p").iter().map(|v| matches!(v, Value::Bool(true))).collect();
        if !p.reads_fields() && !matches!(p.eval(&[Value::Null, Value::Null, Value::Null]), Value::Null | Value::Bool(_)) {
            // `filter 42`: a constant condition that is not a boolean is an error (E336).
            for cmd in ["filter", "filterOut"] {
                let diags = src.try_run(&format!("{cmd} {pt}")).err().unwrap_or_default();
                prop_assert!(!diags.is_empty() && diags.iter().all(|d| d.code == "E336"), "{} {}: {:?}", cmd, pt, diags);
            }
            return Ok(());
        }
        let kept = src.run(&format!("filter {pt}"))?.ids();
        let dropped = src.run(&format!("filterOut {pt}"))?.ids();
        prop_assert_eq!(kept, (0..rows.len()).filter(|&i| is_true[i]).collect::<Vec<_>>());
        prop_assert_eq!(dropped, (0..rows.len()).filter(|&i| !is_true[i]).collect::<Vec<_>>());
    }

    /// One row per distinct `a` (grouping equality), each an unchanged input row.
    #[test]
    fn dedup_keeps_one_row_per_distinct_value(rows in table(), events in any::<bool>()) {
        let out = source(&rows, events).run("dedup a")?;
        let ids = out.ids();
        for (row, &i) in out.rows.iter().zip(&ids) {
            let mut want = vec![Value::Long(i as i64)];
            want.extend(rows[i].iter().cloned());
            prop_assert!(identical_rows(std::slice::from_ref(row), &[want]), "row {} changed", i);
        }
        let got: Vec<Value> = ids.iter().map(|&i| rows[i][0].clone()).collect();
        let want = groups(&rows.iter().map(|r| r[0].clone()).collect::<Vec<_>>());
        prop_assert_eq!(groups(&got).len(), got.len(), "a value came out twice: {:?}", got);
        prop_assert_eq!(got.len(), want.len(), "distinct values {:?}, want {:?}", got, want);
    }
}

// ---------------------------------------------------------------------------------------------
// Reference evaluator

#[derive(Clone, Copy, Debug, PartialEq)]
enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    And,
    Or,
    Xor,
    Add,
    Sub,
    Mul,
}

impl Op {
    fn text(self) -> &'static str {
        match self {
            Op::Eq => "==",
            Op::Ne => "!=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::And => "and",
            Op::Or => "or",
            Op::Xor => "xor",
            Op::Add => "+",
            Op::Sub => "-",
            Op::Mul => "*",
        }
    }
}

#[derive(Clone, Debug)]
enum E {
    Field(usize),
    Lit(Value),
    Bin(Op, Box<E>, Box<E>),
    Not(Box<E>),
    Neg(Box<E>),
    IsNull(Box<E>),
}

fn eval_expr() -> impl Strategy<Value = E> {
    let leaf = prop_oneof![3 => (0usize..3).prop_map(E::Field), 2 => value().prop_map(E::Lit)];
    let ops = vec![
        Op::Eq,
        Op::Ne,
        Op::Lt,
        Op::Le,
        Op::Gt,
        Op::Ge,
        Op::And,
        Op::Or,
        Op::Xor,
        Op::Add,
        Op::Sub,
        Op::Mul,
    ];
    leaf.prop_recursive(4, 24, 2, move |inner| {
        prop_oneof![
            5 => (select(ops.clone()), inner.clone(), inner.clone()).prop_map(|(op, l, r)| E::Bin(op, Box::new(l), Box::new(r))),
            1 => inner.clone().prop_map(|x| E::Not(Box::new(x))),
            1 => inner.clone().prop_map(|x| E::Neg(Box::new(x))),
            1 => inner.prop_map(|x| E::IsNull(Box::new(x))),
        ]
    })
}

impl E {
    /// Fully parenthesised, so the parser's precedence cannot change the tree.
    fn text(&self) -> String {
        match self {
            E::Field(c) => COLS[*c].to_string(),
            E::Lit(v) => lit(v),
            E::Bin(op, l, r) => format!("({} {} {})", l.text(), op.text(), r.text()),
            E::Not(x) => format!("(not {})", x.text()),
            // Known engine bug (`negative_double_literal_stays_double`): `-9.223372036854776e18`
            // becomes a long, so that one operand keeps its own parentheses.
            E::Neg(x) if matches!(**x, E::Lit(Value::Double(f)) if f == 9.223372036854775808e18) => {
                format!("(-({}))", x.text())
            }
            E::Neg(x) => format!("(-{})", x.text()),
            E::IsNull(x) => format!("isNull({})", x.text()),
        }
    }

    fn reads_fields(&self) -> bool {
        match self {
            E::Field(_) => true,
            E::Lit(_) => false,
            E::Bin(_, l, r) => l.reads_fields() || r.reads_fields(),
            E::Not(x) | E::Neg(x) | E::IsNull(x) => x.reads_fields(),
        }
    }

    /// True when the planner rejects the expression (E328) instead of running it: a constant
    /// arithmetic part with non-null operands but no result (`1 + "x"`, `-(-9223372036854775808)`),
    /// or a constant logical part with an operand that is neither null nor a boolean (`not 0`).
    fn constant_type_error(&self) -> bool {
        let no_row: Row = [Value::Null, Value::Null, Value::Null];
        let not_bool = |x: &E| {
            let v = x.eval(&no_row);
            !v.is_null() && !matches!(v, Value::Bool(_))
        };
        let bad_here = !self.reads_fields()
            && match self {
                E::Bin(Op::Add | Op::Sub | Op::Mul, l, r) => {
                    let (x, y) = (l.eval(&no_row), r.eval(&no_row));
                    !x.is_null() && !y.is_null() && self.eval(&no_row).is_null()
                }
                E::Neg(x) => !x.eval(&no_row).is_null() && self.eval(&no_row).is_null(),
                E::Bin(Op::And | Op::Or | Op::Xor, l, r) => not_bool(l) || not_bool(r),
                E::Not(x) => not_bool(x),
                _ => false,
            };
        bad_here
            || match self {
                E::Bin(_, l, r) => l.constant_type_error() || r.constant_type_error(),
                E::Not(x) | E::Neg(x) | E::IsNull(x) => x.constant_type_error(),
                _ => false,
            }
    }

    /// DQL semantics, one row at a time (reference §2.2–2.5).
    fn eval(&self, row: &Row) -> Value {
        use Value::{Bool, Double, Long, Null};
        let truth = |v: &Value| if let Bool(b) = v { Some(*b) } else { None };
        match self {
            E::Field(c) => row[*c].clone(),
            E::Lit(v) => v.clone(),
            E::IsNull(x) => Bool(x.eval(row).is_null()),
            E::Not(x) => truth(&x.eval(row)).map_or(Null, |b| Bool(!b)),
            E::Neg(x) => match x.eval(row) {
                Long(v) => v.checked_neg().map_or(Null, Long),
                Double(f) => Double(-f),
                _ => Null,
            },
            E::Bin(op, l, r) => {
                let (x, y) = (l.eval(row), r.eval(row));
                let (p, q) = (truth(&x), truth(&y));
                match op {
                    Op::Eq => ref_eq(&x, &y).map_or(Null, Bool),
                    Op::Ne => ref_eq(&x, &y).map_or(Null, |e| Bool(!e)),
                    Op::Lt => ref_cmp(&x, &y).map_or(Null, |o| Bool(o.is_lt())),
                    Op::Le => ref_cmp(&x, &y).map_or(Null, |o| Bool(o.is_le())),
                    Op::Gt => ref_cmp(&x, &y).map_or(Null, |o| Bool(o.is_gt())),
                    Op::Ge => ref_cmp(&x, &y).map_or(Null, |o| Bool(o.is_ge())),
                    // Kleene logic; a non-boolean operand counts as unknown.
                    Op::And if p == Some(false) || q == Some(false) => Bool(false),
                    Op::And if p.is_some() && q.is_some() => Bool(true),
                    Op::Or if p == Some(true) || q == Some(true) => Bool(true),
                    Op::Or if p.is_some() && q.is_some() => Bool(false),
                    Op::Xor => p.zip(q).map_or(Null, |(p, q)| Bool(p != q)),
                    Op::And | Op::Or => Null,
                    Op::Add | Op::Sub | Op::Mul => match (&x, &y) {
                        // long op long stays long; overflow gives null (reference §2.2).
                        (Long(a), Long(b)) => match op {
                            Op::Add => a.checked_add(*b),
                            Op::Sub => a.checked_sub(*b),
                            _ => a.checked_mul(*b),
                        }
                        .map_or(Null, Long),
                        _ => match (num(&x), num(&y)) {
                            (Some(a), Some(b)) => Double(match op {
                                Op::Add => a + b,
                                Op::Sub => a - b,
                                _ => a * b,
                            }),
                            _ => Null,
                        },
                    },
                }
            }
        }
    }
}

/// `==`: null when either side is null; numbers by value across long and double; values of
/// different types are not equal.
fn ref_eq(x: &Value, y: &Value) -> Option<bool> {
    match (x, y) {
        (Value::Null, _) | (_, Value::Null) => None,
        (Value::Long(p), Value::Long(q)) => Some(p == q),
        (Value::Bool(p), Value::Bool(q)) => Some(p == q),
        (Value::Str(p), Value::Str(q)) => Some(p == q),
        _ => match (num(x), num(y)) {
            (Some(p), Some(q)) => Some(p == q),
            _ => Some(false),
        },
    }
}

/// `<` and friends: numbers with numbers, strings with strings (UTF-16 code units); anything
/// else (booleans included) is null.
fn ref_cmp(x: &Value, y: &Value) -> Option<std::cmp::Ordering> {
    match (x, y) {
        (Value::Long(p), Value::Long(q)) => Some(p.cmp(q)),
        (Value::Str(p), Value::Str(q)) => Some(p.encode_utf16().cmp(q.encode_utf16())),
        _ => num(x)?.partial_cmp(&num(y)?),
    }
}

/// The same rows as CloudTrail events, read through `parse content, "JSON:event"`: the engine
/// then evaluates over stored, dictionary-encoded columns instead of plain values.
fn event_store(rows: &[Row]) -> Arc<Store> {
    let mut json = String::from("{\"Records\":[");
    for (i, r) in rows.iter().enumerate() {
        if i > 0 {
            json.push(',');
        }
        json.push_str(&format!(
            "{{\"eventTime\":\"2026-11-20T11:45:00Z\",\"eventID\":\"e{i}\",\"i\":{i}"
        ));
        for (c, v) in COLS.iter().zip(r) {
            json.push_str(&format!(",\"{c}\":"));
            match v {
                Value::Str(s) => write_json_string(&mut json, s),
                other => json.push_str(&lit(other)),
            }
        }
        json.push('}');
    }
    json.push_str("]}");
    let (store, report) = load_bytes("rows.json", json.as_bytes(), LoadOptions::default());
    assert_eq!(report.events(), rows.len(), "{}", report.summary());
    store
}

fn check_against_reference(rows: &[Row], e: &E, src: &Src) -> Result<(), TestCaseError> {
    let tail = format!("fields i, r = {}", e.text());
    let q = src.query(&tail);
    match src.try_run(&tail) {
        Err(diags) => {
            prop_assert!(e.constant_type_error(), "{}\nfailed: {:?}", q, diags);
            prop_assert!(
                diags.iter().all(|d| d.code == "E328"),
                "{}\nfailed: {:?}",
                q,
                diags
            );
        }
        Ok(out) => {
            prop_assert!(!e.constant_type_error(), "{}\nshould fail with E328", q);
            prop_assert_eq!(out.rows.len(), rows.len());
            for (i, got) in out.ids().into_iter().zip(out.col("r")) {
                let want = e.eval(&rows[i]);
                prop_assert!(
                    identical(&got, &want),
                    "{}\nrow {} {:?}: engine {:?}, reference {:?}",
                    q,
                    i,
                    rows[i],
                    got,
                    want
                );
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(cases(256))]

    #[test]
    fn engine_agrees_with_reference_evaluator(rows in table(), e in eval_expr(), events in any::<bool>()) {
        check_against_reference(&rows, &e, &source(&rows, events))?;
    }
}

// ---------------------------------------------------------------------------------------------
// Engine bugs the properties found, as minimal cases. The properties above leave these inputs
// out until the tests pass; then remove the `#[ignore]` and the matching exclusion.

fn canonical_of(expr: &str) -> String {
    let (q, d) = parse(&format!("filter {expr}"));
    assert!(d.is_empty(), "{expr}: {d:?}");
    first_expr(&q).canonical()
}

#[test]
#[ignore = "engine bug: canonical text drops parentheses that change the tree"]
fn canonical_keeps_needed_parentheses() {
    for (src, want) in [
        ("(-a)[b]", "(-a)[b]"),
        ("a + (b@h)", "a + (b@h)"),
        ("-(a@h)", "-(a@h)"),
        ("(a * (b@h))", "a * (b@h)"),
        ("-(2[b])", "-(2[b])"),
        ("a + (b@h) * c", "a + (b@h) * c"),
    ] {
        assert_eq!(canonical_of(src), want, "{src}");
    }
}

#[test]
#[ignore = "engine bug: canonical text of some doubles does not read back (1e300 lexes as a too-large long; -(0.0) prints as -0, which reads back as 0)"]
fn canonical_double_text_reads_back() {
    for src in ["1e300", "-(0.0)", "9223372036854775808.0"] {
        let c = canonical_of(src);
        assert_eq!(canonical_of(&c), c, "{src} → {c}");
    }
}

#[test]
#[ignore = "engine bug: `-9223372036854775808.0` (and `-9.223372036854776e18`) is folded to the long i64::MIN"]
fn negative_double_literal_stays_double() {
    let out = run_on(
        store(),
        "data record(a = -9223372036854775808.0, b = -9.223372036854776e18)",
    )
    .unwrap();
    assert!(
        identical(&out.rows[0][0], &Value::Double(-9.223372036854775808e18)),
        "{:?}",
        out.rows[0]
    );
    assert!(
        identical(&out.rows[0][1], &Value::Double(-9.223372036854775808e18)),
        "{:?}",
        out.rows[0]
    );
}

#[test]
#[ignore = "engine bug: sort orders -0.0 before 0 (f64::total_cmp) instead of keeping equal numbers in input order"]
fn sort_treats_negative_zero_as_zero() {
    let out = run_on(
        store(),
        "data record(i = 0, a = 0), record(i = 1, a = -0.0), record(i = 2, a = 0.0) | sort a",
    )
    .unwrap();
    assert_eq!(out.ids(), [0, 1, 2]);
}
