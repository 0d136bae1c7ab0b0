//! Laws of the commands with sub-queries and of the structuring commands, on random tables (from
//! `data` and from loaded events, as in [`crate::tables`]): every result is checked against a
//! nested-loop reference written from the Dynatrace pages (correlation-and-join-commands,
//! structuring-commands, operators#in). A sub-query reads the same table as the query.

use proptest::prelude::*;
use trailscope_engine::Value;

use crate::cases;
use crate::tables::{identical, same_group, source, table};

/// Keys match when both are non-null and group-equal (a null key never matches).
fn key_match(x: &Value, y: &Value) -> bool {
    !x.is_null() && !y.is_null() && same_group(x, y)
}

fn id(v: &Value) -> Option<usize> {
    match v {
        Value::Long(i) => Some(*i as usize),
        _ => None,
    }
}

proptest! {
    #![proptest_config(cases(96))]

    /// `join` (inner, leftOuter, outer) on `a`: exactly the pairs a nested loop finds, in left
    /// order then right order; leftOuter adds each unmatched left row once with null right
    /// fields; outer also adds each unmatched right row, last, with null left fields.
    #[test]
    fn join_gives_the_nested_loop_pairs(rows in table(), kind in 0usize..3, events in any::<bool>()) {
        let src = source(&rows, events);
        let kinds = ["inner", "leftOuter", "outer"];
        let tail = format!("join [{}], on: {{a}}, kind: {}", src.query(""), kinds[kind]);
        let out = src.run(&tail)?;
        let mut want: Vec<(Option<usize>, Option<usize>)> = Vec::new();
        let mut matched = vec![false; rows.len()];
        for (l, lr) in rows.iter().enumerate() {
            let mut any = false;
            for (r, rr) in rows.iter().enumerate() {
                if key_match(&lr[0], &rr[0]) {
                    want.push((Some(l), Some(r)));
                    matched[r] = true;
                    any = true;
                }
            }
            if !any && kind > 0 {
                want.push((Some(l), None));
            }
        }
        if kind == 2 {
            want.extend((0..rows.len()).filter(|&r| !matched[r]).map(|r| (None, Some(r))));
        }
        let got: Vec<(Option<usize>, Option<usize>)> = out
            .col("i")
            .iter()
            .zip(out.col("right.i"))
            .map(|(l, r)| (id(l), id(&r)))
            .collect();
        prop_assert_eq!(&got, &want, "{}", src.query(&tail));
        // The right fields are the right row's values.
        for (row, (_, r)) in out.col("right.b").iter().zip(&want) {
            match r {
                Some(r) => prop_assert!(identical(row, &rows[*r][1])),
                None => prop_assert!(row.is_null()),
            }
        }
    }

    /// `lookup`: one row per input row, unchanged, with the first matching row's fields.
    #[test]
    fn lookup_takes_the_first_match(rows in table(), events in any::<bool>()) {
        let src = source(&rows, events);
        let tail = format!("lookup [{}], sourceField: a, lookupField: b", src.query(""));
        let out = src.run(&tail)?;
        prop_assert_eq!(out.ids(), (0..rows.len()).collect::<Vec<_>>());
        for (l, got) in out.col("lookup.i").iter().enumerate() {
            let want = rows.iter().position(|r| key_match(&rows[l][0], &r[1]));
            prop_assert_eq!(id(got), want, "row {}: {}", l, src.query(&tail));
        }
    }

    /// `joinNested`: one row per input row; the nested records are the matching rows in order,
    /// null when none.
    #[test]
    fn join_nested_collects_the_matches(rows in table(), events in any::<bool>()) {
        let src = source(&rows, events);
        let tail = format!("joinNested m = [{}], on: {{left[a] == right[c]}}, fields: {{i}}", src.query(""));
        let out = src.run(&tail)?;
        prop_assert_eq!(out.ids(), (0..rows.len()).collect::<Vec<_>>());
        for (l, got) in out.col("m").iter().enumerate() {
            let want: Vec<usize> = (0..rows.len()).filter(|&r| key_match(&rows[l][0], &rows[r][2])).collect();
            let got: Option<Vec<usize>> = match got {
                Value::Null => None,
                Value::Array(xs) => Some(xs.iter().map(|x| id(&x.member("i")).unwrap_or(usize::MAX)).collect()),
                other => return Err(TestCaseError::fail(format!("m is {other:?}"))),
            };
            prop_assert_eq!(got, (!want.is_empty()).then_some(want));
        }
    }

    /// `append` of the same table: the rows twice, unchanged.
    #[test]
    fn append_concatenates(rows in table(), events in any::<bool>()) {
        let src = source(&rows, events);
        let out = src.run(&format!("append [{}]", src.query("")))?;
        let n = rows.len();
        prop_assert_eq!(out.ids(), (0..n).chain(0..n).collect::<Vec<_>>());
        for (k, v) in out.col("a").iter().enumerate() {
            prop_assert!(identical(v, &rows[k % n.max(1)][0]));
        }
    }

    /// `a in [sub-query | fields b]`: true exactly when some row's `b` matches `a` (null never).
    #[test]
    fn in_subquery_is_membership(rows in table(), events in any::<bool>()) {
        let src = source(&rows, events);
        let tail = format!("fieldsAdd hit = a in [{}]", src.query("fields b"));
        let out = src.run(&tail)?;
        for (l, got) in out.col("hit").iter().enumerate() {
            let want = rows.iter().any(|r| key_match(&rows[l][0], &r[1]));
            prop_assert!(identical(got, &Value::Bool(want)), "row {}: {:?} in {}", l, rows[l][0], src.query(&tail));
        }
    }

    /// `expand` of `array(a, b, c)`: three rows per input row, the elements in order; `limit: 2`
    /// two. An iterative expression over the same array gives it back element for element, and
    /// `iIndex()` the positions.
    #[test]
    fn expand_and_iterate_walk_the_elements(rows in table(), events in any::<bool>()) {
        let src = source(&rows, events);
        let out = src.run("fieldsAdd x = array(a, b, c) | expand x, limit: 2")?;
        let want: Vec<usize> = (0..rows.len()).flat_map(|i| [i, i]).collect();
        prop_assert_eq!(out.ids(), want);
        for (k, v) in out.col("x").iter().enumerate() {
            prop_assert!(identical(v, &rows[k / 2][k % 2]));
        }
        let out = src.run("fieldsAdd same = array(a, b, c)[], at = iCollectArray(array(a, b, c)[] == array(a, b, c)[] or iIndex() >= 0)")?;
        for (k, v) in out.col("same").iter().enumerate() {
            let Value::Array(xs) = v else { return Err(TestCaseError::fail(format!("same is {v:?}"))) };
            prop_assert!(xs.len() == 3 && xs.iter().zip(&rows[k]).all(|(x, y)| identical(x, y)));
        }
        for v in out.col("at") {
            prop_assert!(identical(&v, &Value::Array(vec![Value::Bool(true); 3].into())), "{:?}", v);
        }
    }

    /// `fieldsSummary a`: rawCount is the number of non-null values; the values' counts are the
    /// groups of the non-null values, most frequent first.
    #[test]
    fn fields_summary_counts_the_groups(rows in table(), events in any::<bool>()) {
        let src = source(&rows, events);
        let out = src.run("fieldsSummary a, topValues: 100")?;
        let present: Vec<Value> = rows.iter().map(|r| r[0].clone()).filter(|v| !v.is_null()).collect();
        prop_assert!(identical(&out.col("rawCount")[0], &Value::Long(present.len() as i64)));
        let groups = crate::tables::groups(&present);
        let Value::Array(vals) = &out.col("values")[0] else { return Err(TestCaseError::fail("values")) };
        prop_assert_eq!(vals.len(), groups.len());
        let counts: Vec<i64> = vals.iter().map(|r| if let Value::Long(n) = r.member("count") { n } else { -1 }).collect();
        prop_assert!(counts.windows(2).all(|w| w[0] >= w[1]), "{:?}", counts);
        for r in vals.iter() {
            let v = r.member("value");
            let n = groups.iter().find(|(g, _)| same_group(g, &v)).map(|(_, n)| *n as i64);
            prop_assert_eq!(Some(r.member("count")), n.map(Value::Long));
        }
    }
}

/// `term_matches` against its definition, by brute force: some substring starts at a token
/// edge (if the term starts with a token character), ends at one (likewise), and matches the
/// term with each `*` standing for a run of token characters.
mod search {
    use proptest::prelude::*;
    use trailscope_engine::functions::term_matches;

    fn word(c: char) -> bool {
        c.is_alphanumeric() || c == '_'
    }

    fn whole(s: &[char], p: &[char]) -> bool {
        match p.split_first() {
            None => s.is_empty(),
            Some(('*', rest)) => {
                (0..=s.len()).any(|k| s[..k].iter().all(|&c| word(c)) && whole(&s[k..], rest))
            }
            Some((c, rest)) => s.first() == Some(c) && whole(&s[1..], rest),
        }
    }

    fn naive(text: &str, term: &str) -> bool {
        let t: Vec<char> = text.to_lowercase().chars().collect();
        let orig: Vec<char> = text.chars().collect();
        let p: Vec<char> = term.to_lowercase().chars().collect();
        if p.is_empty() {
            return true;
        }
        let bound_start = word(p[0]) && p[0] != '*';
        let bound_end = word(p[p.len() - 1]) && p[p.len() - 1] != '*';
        (0..=t.len()).any(|i| {
            (i..=t.len()).any(|j| {
                (!bound_start || i == 0 || !word(orig[i - 1]))
                    && (!bound_end || j == t.len() || !word(orig[j]))
                    && whole(&t[i..j], &p)
            })
        })
    }

    proptest! {
        #![proptest_config(crate::cases(2000))]
        #[test]
        fn term_matching_agrees_with_brute_force(text in "[ab_ .-]{0,8}", term in "[ab*. -]{0,5}") {
            prop_assume!(!term.contains("**"));
            prop_assert_eq!(term_matches(&text, &term), naive(&text, &term), "{:?} ~ {:?}", text, term);
        }
    }
}
