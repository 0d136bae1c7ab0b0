//! Arbitrary bytes → a DPL pattern and a text (split at the first NUL byte; both UTF-8, lossy).
//! Asserts: compiling never panics and its errors point inside the pattern on character
//! boundaries; matching (at the start, the whole text, every match of a search) never panics
//! and stays within its step budget (`dpl::step_limit`, plus the one scan that crossed it);
//! exports come back one value per name; search matches are in order inside the text.

#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "common/budget.rs"]
mod budget;
use trailscope_engine::dpl::{search_cost, step_limit, Pattern};

fn check(data: &[u8]) {
    let (p, t) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &b""[..]),
    };
    let pattern = String::from_utf8_lossy(p);
    let text = String::from_utf8_lossy(t);
    let pat = match Pattern::compile(&pattern) {
        Ok(pat) => pat,
        Err(diags) => {
            assert!(!diags.is_empty(), "a failed compile says why");
            for d in diags {
                let (a, b) = (d.span.start as usize, d.span.end as usize);
                assert!(a <= b && b <= pattern.len(), "{d:?} outside {pattern:?}");
                assert!(pattern.is_char_boundary(a) && pattern.is_char_boundary(b), "{d:?}");
            }
            return;
        }
    };
    let bound = step_limit(text.len()) + text.len() as u64 + 64;
    let (out, cost) = pat.parse_counted(&text);
    assert!(cost.steps <= bound, "{pattern:?}: {cost:?}");
    if let Some(v) = out {
        assert_eq!(v.len(), pat.exports().len());
    }
    let _ = pat.matches(&text);
    let cost = search_cost(&pat, &text);
    assert!(cost.steps <= bound, "{pattern:?} searched: {cost:?}");
    let mut last = 0;
    pat.find_all(&text, |s, e, v| {
        assert!(last <= s && s < e && e <= text.len());
        assert!(text.is_char_boundary(s) && text.is_char_boundary(e));
        assert_eq!(v.len(), pat.exports().len());
        last = e;
    });
    trailscope_engine::dpl::take_gave_up();
}

fuzz_target!(|data: &[u8]| budget::within_budget(data, || check(data)));
