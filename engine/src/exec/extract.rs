//! `parse`: a DPL pattern over a string column; each export becomes a field.
//!
//! - `parse content, "JSON:event"` on the stored `content` parses nothing: `event` becomes the
//!   stored event (a lazy column), as before patterns existed.
//! - A dictionary-encoded input (`parse event[userIdentity][arn], …`) is parsed once per
//!   distinct value, and the exports share its codes.
//! - The stored `content` is rebuilt into one reused buffer per row, not into a new string.
//!
//! Failure (no match, null or non-string input, a pattern over its step budget, or a record
//! `parsingPrerequisite:` does not hold for) sets every export to null, or with
//! `preserveFieldsOnFailure: true` keeps the values the fields had.

use std::sync::Arc;

use super::budget;
use super::column::{Batch, Column, Stored};
use super::eval::{eval, true_rows, Env};
use crate::plan::{Dpl, PExpr};
use crate::storage::BaseField;
use crate::value::Value;

pub fn parse(
    input: &PExpr,
    pattern: &Dpl,
    preserve: bool,
    prerequisite: Option<&PExpr>,
    b: Batch,
    env: &Env,
) -> Batch {
    let col = eval(input, &b, env);
    let content_rows = match &col {
        Column::Stored {
            rows,
            what: Stored::Base(BaseField::Content),
        } => Some(rows.clone()),
        _ => None,
    };
    if let (Dpl::Json(name), None, Some(rows)) = (pattern, prerequisite, &content_rows) {
        // The raw event text: the parsed record is the stored event itself.
        let mut out = b;
        out.set(
            name.clone(),
            Column::Stored {
                rows: rows.clone(),
                what: Stored::Event(Arc::from(Vec::new())),
            },
        );
        return out;
    }
    let names = pattern.exports();
    let one = |text: &str| -> Option<Vec<Value>> {
        let vals = match pattern {
            Dpl::Json(_) => super::parse_json_object(text).map(|v| vec![v]),
            Dpl::Pattern(p) => p.parse(text),
        }?;
        let size: usize = vals.iter().map(budget::size_of).sum();
        budget::charge(size).then_some(vals)
    };
    let allowed: Option<Vec<bool>> = prerequisite.map(|e| {
        let c = eval(e, &b, env);
        let mut ok = vec![false; b.len];
        for r in true_rows(&c, b.len, env) {
            ok[r as usize] = true;
        }
        ok
    });
    let dict = match (&content_rows, col.dict_form(env.store)) {
        (None, Some((codes, dict))) if dict.len() <= b.len.max(64) * 2 => Some((codes, dict)),
        _ => None,
    };

    // Per distinct value: parse each dictionary entry once.
    if let Some((codes, dict)) = &dict {
        let parsed: Vec<Option<Vec<Value>>> = dict
            .iter()
            .map(|v| match (budget::tick(), v) {
                (true, Value::Str(s)) => one(s),
                _ => None,
            })
            .collect();
        if allowed.is_none() && !preserve {
            let mut out = b;
            for (k, name) in names.iter().enumerate() {
                let d: Arc<[Value]> = parsed
                    .iter()
                    .map(|p| p.as_ref().map_or(Value::Null, |v| v[k].clone()))
                    .collect();
                out.set(
                    name.clone(),
                    Column::Dict {
                        codes: codes.clone(),
                        dict: d,
                    },
                );
            }
            return out;
        }
        let rows = (0..b.len).map(|i| {
            let ok = allowed.as_ref().is_none_or(|a| a[i]);
            ok.then(|| parsed[codes[i] as usize].as_ref())
                .flatten()
                .cloned()
        });
        return assemble(b, &names, preserve, rows.collect(), env);
    }

    // Row by row. Over `content`, an event whose text cannot hold the literal every match
    // needs is not rebuilt: it fails as it would have.
    let mut filter = match (pattern, &content_rows, env.store) {
        (Dpl::Pattern(p), Some(_), Some(store)) => {
            // The longest literal that can only stand inside strings: the most selective.
            let mut lits = p.required_literals();
            lits.sort_by_key(|l| std::cmp::Reverse(l.len()));
            lits.into_iter()
                .find_map(|lit| crate::storage::TextFilter::new(store, lit))
        }
        _ => None,
    };
    let mut buf = String::new();
    let results: Vec<Option<Vec<Value>>> = (0..b.len)
        .map(|i| {
            if !budget::tick() || allowed.as_ref().is_some_and(|a| !a[i]) {
                return None;
            }
            match (&content_rows, env.store) {
                (Some(rows), Some(store)) => {
                    if filter
                        .as_mut()
                        .is_some_and(|f| !f.may_contain(store, rows[i]))
                    {
                        return None;
                    }
                    buf.clear();
                    store.write_content(rows[i], &mut buf);
                    one(&buf)
                }
                _ => match col.get(i, env.store) {
                    Value::Str(s) => one(&s),
                    _ => None,
                },
            }
        })
        .collect();
    assemble(b, &names, preserve, results, env)
}

/// Sets one column per export from per-row results (`None`: the row failed).
fn assemble(
    b: Batch,
    names: &[Arc<str>],
    preserve: bool,
    results: Vec<Option<Vec<Value>>>,
    env: &Env,
) -> Batch {
    let mut out = b;
    for (k, name) in names.iter().enumerate() {
        let old = if preserve {
            out.field(name).cloned()
        } else {
            None
        };
        let vals: Arc<[Value]> = results
            .iter()
            .enumerate()
            .map(|(i, r)| match (r, &old) {
                (Some(v), _) => v[k].clone(),
                (None, Some(o)) => o.get(i, env.store),
                (None, None) => Value::Null,
            })
            .collect();
        out.set(name.clone(), Column::Values(vals));
    }
    out
}
