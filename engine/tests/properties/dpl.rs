//! DPL matching is bounded: on random patterns (built from the grammar's pieces, nested
//! quantifiers and alternatives over ambiguous matchers included) and random texts, compiling
//! never panics, and a match or a search never takes more steps than the record's budget
//! (`dpl::step_limit`), whatever the pattern: a scan is counted when it ends, so the last one
//! may pass the budget by at most the text's length. Steps are counted, not time. Plus the
//! laws that tie the entry points together.

use proptest::prelude::*;
use proptest::sample::select;
use trailscope_engine::dpl::{search_cost, step_limit, Pattern};

use crate::cases;

/// One matcher expression; `depth` bounds nesting.
fn expr(depth: u32) -> BoxedStrategy<String> {
    let atom = select(vec![
        "LD",
        "DATA",
        "STRING",
        "INT",
        "LONG",
        "DOUBLE",
        "HEXINT",
        "BOOLEAN",
        "IPADDR",
        "WORD",
        "ALPHA",
        "DIGIT",
        "SPACE",
        "NSPACE",
        "DQS",
        "SQS",
        "EOL",
        "EOS",
        "BOS",
        "JSON",
        "JSON_ARRAY",
        "TIMESTAMP",
        "ISO8601",
        "'a'",
        "'ab'",
        "','",
        "' '",
        "'\"'",
        "[a-c]",
        "[^,]",
        "[!:space:]",
        "''",
        "UUIDSTRING",
    ])
    .prop_map(str::to_string);
    let quant = select(vec![
        "", "", "", "*", "+", "?", "{0,3}", "{2}", "{1,}", "{,5}",
    ]);
    let leaf = (atom, quant.clone(), any::<bool>()).prop_map(|(a, q, named)| {
        let q = if a.starts_with("JSON") || a == "EOS" || a == "BOS" {
            ""
        } else {
            q
        };
        format!("{a}{q}{}", if named { ":x" } else { "" })
    });
    if depth == 0 {
        return leaf.boxed();
    }
    let inner = expr(depth - 1);
    prop_oneof![
        3 => leaf,
        1 => (prop::collection::vec(inner.clone(), 1..4), quant.clone())
            .prop_map(|(xs, q)| format!("({}){q}", xs.join(" "))),
        1 => (prop::collection::vec(inner.clone(), 2..4), select(vec!["", "?"]))
            .prop_map(|(xs, q)| format!("({}){q}", xs.join(" | "))),
        1 => (select(vec![">>", "!>>", "<<", "!<<"]), inner.clone()).prop_map(|(l, x)| format!("{l}({x})")),
        1 => (prop::collection::vec(inner.clone(), 1..3), select(vec!["{0,4}", "{1,8}"]))
            .prop_map(|(xs, q)| format!("ARRAY{{{}}}{q}:arr", xs.join(" "))),
        1 => prop::collection::vec(inner, 1..3).prop_map(|xs| format!("STRUCTURE{{{}}}:st", xs.join(" "))),
    ]
    .boxed()
}

fn pattern() -> impl Strategy<Value = String> {
    prop::collection::vec(expr(3), 1..6).prop_map(|xs| xs.join(" "))
}

/// Texts over a small alphabet (so that matchers often almost match), and some unicode.
fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        select(vec![
            "a",
            "b",
            "c",
            "ab",
            ",",
            " ",
            "\n",
            "1",
            "23",
            "-",
            ".",
            "\"",
            "'",
            "{",
            "}",
            "[",
            "]",
            ":",
            "é",
            "😀",
            "192.168.0.1",
            "2026-11-20 11:30:00",
            "true",
            "{\"k\":1}",
        ]),
        0..200,
    )
    .prop_map(|xs| xs.concat())
}

proptest! {
    #![proptest_config(cases(300))]

    #[test]
    fn matching_is_bounded_by_the_step_budget(p in pattern(), t in text()) {
        let Ok(pat) = Pattern::compile(&p) else {
            return Ok(());
        };
        let limit = step_limit(t.len());
        let (out, cost) = pat.parse_counted(&t);
        // The scan that crosses the budget is finished first: at most one text length over.
        let bound = limit + t.len() as u64 + 64;
        prop_assert!(cost.steps <= bound, "{p:?} on {t:?}: {cost:?}");
        prop_assert_eq!(cost.limit, limit);
        if let Some(v) = &out {
            prop_assert_eq!(v.len(), pat.exports().len());
        }
        if cost.gave_up {
            prop_assert!(out.is_none());
        }
        let cost = search_cost(&pat, &t);
        prop_assert!(cost.steps <= bound, "{p:?} searched over {t:?}: {cost:?}");
    }

    #[test]
    fn entry_points_agree(p in pattern(), t in text()) {
        let Ok(pat) = Pattern::compile(&p) else {
            return Ok(());
        };
        let (parsed, cost) = pat.parse_counted(&t);
        // A whole-text match is a match at the start.
        if pat.matches(&t) == Some(true) && !cost.gave_up {
            prop_assert!(parsed.is_some(), "{p:?} matches all of {t:?} but parse found nothing");
        }
        // Search matches are in order, inside the text, on character boundaries.
        let mut last = 0;
        pat.find_spans(&t, |s, e| {
            assert!(last <= s && s < e && e <= t.len(), "{p:?} on {t:?}: {s}..{e} after {last}");
            assert!(t.is_char_boundary(s) && t.is_char_boundary(e));
            last = e;
        });
    }

    /// Arbitrary text as a pattern: compiling never panics, and errors point inside it.
    #[test]
    fn compiling_anything_is_safe(src in "[ -~\\n\\t'\"\\[\\](){}|:?*+,;$!<>é😀]{0,60}") {
        if let Err(diags) = Pattern::compile(&src) {
            prop_assert!(!diags.is_empty());
            for d in diags {
                prop_assert!(d.span.start <= d.span.end && d.span.end as usize <= src.len(), "{src:?}: {d:?}");
                prop_assert!(src.is_char_boundary(d.span.start as usize) && src.is_char_boundary(d.span.end as usize));
            }
        }
    }
}
