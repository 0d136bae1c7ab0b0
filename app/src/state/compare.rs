//! Comparing 2–5 records side by side (issue 14): every leaf path of the records (DQL paths
//! such as `event[userIdentity][arn]`, array elements by index), each record's value at it, and
//! whether they differ. Pure, so it is tested on the host; the view shows values as text.

use serde_json::Value;

/// Most records compared at once.
pub const MAX_COMPARED: usize = 5;
/// Most paths listed (a record of thousands of leaves is cut, and says so).
pub const MAX_PATHS: usize = 2_000;

/// One path of the comparison.
#[derive(Clone, Debug, PartialEq)]
pub struct CompareRow {
    pub path: String,
    /// Each record's value there (compact JSON for non-strings), `None` when it has none.
    pub values: Vec<Option<String>>,
    pub differs: bool,
}

fn leaves(v: &Value, path: &mut String, out: &mut Vec<(String, String)>) {
    // Iterative over an explicit stack: a hostile record cannot overflow ours.
    let mut stack: Vec<(String, &Value)> = vec![(std::mem::take(path), v)];
    while let Some((p, v)) = stack.pop() {
        match v {
            Value::Object(m) if !m.is_empty() => {
                for (k, c) in m.iter().rev() {
                    let step = if p.is_empty() {
                        trailscope_engine::syntax::quote::field(k)
                    } else {
                        format!("{p}[{}]", trailscope_engine::syntax::quote::key(k))
                    };
                    stack.push((step, c));
                }
            }
            Value::Array(a) if !a.is_empty() => {
                for (i, c) in a.iter().enumerate().rev() {
                    stack.push((format!("{p}[{i}]"), c));
                }
            }
            Value::String(s) => out.push((p, s.clone())),
            other => out.push((p, other.to_string())),
        }
        if out.len() > MAX_PATHS * 4 {
            break;
        }
    }
}

/// The comparison of `records` (JSON objects as text): paths in the order they first appear
/// (members by name, as serde_json's map orders them),
/// and whether the records differ at each. Records that are not JSON compare as empty.
pub fn compare(records: &[String]) -> (Vec<CompareRow>, bool) {
    let per: Vec<Vec<(String, String)>> = records
        .iter()
        .map(|r| {
            let mut out = Vec::new();
            if let Ok(v) = serde_json::from_str::<Value>(r) {
                leaves(&v, &mut String::new(), &mut out);
            }
            out
        })
        .collect();
    let mut order: Vec<String> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for leaves in &per {
        for (p, _) in leaves {
            if seen.insert(p.clone()) {
                order.push(p.clone());
            }
        }
    }
    let cut = order.len() > MAX_PATHS;
    order.truncate(MAX_PATHS);
    let maps: Vec<std::collections::HashMap<&str, &str>> = per
        .iter()
        .map(|l| l.iter().map(|(p, v)| (p.as_str(), v.as_str())).collect())
        .collect();
    let rows = order
        .into_iter()
        .map(|path| {
            let values: Vec<Option<String>> = maps
                .iter()
                .map(|m| m.get(path.as_str()).map(|v| v.to_string()))
                .collect();
            let differs = values.windows(2).any(|w| w[0] != w[1]);
            CompareRow {
                path,
                values,
                differs,
            }
        })
        .collect();
    (rows, cut)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn differing_paths_are_marked() {
        let a = r#"{"event":{"eventName":"A","userIdentity":{"arn":"x"},"tags":[1,2]},"n":1}"#;
        let b = r#"{"event":{"eventName":"B","userIdentity":{"arn":"x"},"tags":[1]},"m":true}"#;
        let (rows, cut) = compare(&[a.into(), b.into()]);
        assert!(!cut);
        let got: Vec<(&str, bool)> = rows.iter().map(|r| (r.path.as_str(), r.differs)).collect();
        assert_eq!(
            got,
            [
                ("event[eventName]", true),
                ("event[tags][0]", false),
                ("event[tags][1]", true),
                ("event[userIdentity][arn]", false),
                ("n", true),
                ("m", true),
            ]
        );
        assert_eq!(rows[4].values, [Some("1".into()), None]);
    }

    #[test]
    fn deep_or_broken_records_are_safe() {
        let deep = format!("{}1{}", "[".repeat(100), "]".repeat(100));
        let (rows, _) = compare(&[deep, "not json".into()]);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].values[1], None);
    }
}
