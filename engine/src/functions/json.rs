//! JSON held in strings: `jsonField` and `jsonPath` parse the text (with the engine's own JSON
//! parser, the one that reads events) and pick one value out of it.
//! Reference: <https://docs.dynatrace.com/docs/platform/grail/dynatrace-query-language/functions/string-functions#jsonField>.

use super::Imp::Scalar;
use super::{at, ex, named, req, Def, Family, Function, Ty};
use crate::storage::tape::parse_value;
use crate::value::Value;

const JSON: Function = Function {
    family: Family::String,
    returns: Ty::BOOL
        .or(Ty::NUMBER)
        .or(Ty::STRING)
        .or(Ty::ARRAY)
        .or(Ty::RECORD),
    ..Function::BASE
};

/// Dynatrace's documented JSON text, on one line.
macro_rules! john {
    () => {
        r#"{"name":"John", "children":["Mallory", "Mary"], "address":{"city":"Boston", "zip":"02210"}}"#
    };
}

pub(super) static FUNCTIONS: &[Function] = &[
    Function {
        name: "jsonField",
        params: &[
            req("expression", Ty::STRING),
            req("fieldName", Ty::STRING),
            named("seek", Ty::BOOL, Def::Bool(false)),
        ],
        doc: "The member of that name of the JSON object a string holds (null if the text is not a JSON object or has no such member); with `seek: true` the first JSON object in the text is used.",
        examples: &[
            ex(concat!("jsonField(\"\"\"", john!(), "\"\"\", \"name\")"), r#""John""#),
            ex(r#"jsonField("""JSON: {"name": "John"} ...""", "name")"#, "null"),
            ex(r#"jsonField("""JSON: {"name": "John"} ...""", "name", seek: true)"#, r#""John""#),
            ex(
                concat!("jsonField(\"\"\"", john!(), "\"\"\", \"address\")"),
                r#"{"city":"Boston","zip":"02210"}"#,
            ),
            ex(r#"jsonField("""{"n": 1.5e3, "b": true, "x": null}""", "n")"#, "1500.0"),
            ex(r#"jsonField("""{"a": 1} {"a": 2}""", "a")"#, "null"),
            ex(r#"jsonField("""["name"]""", "name")"#, "null"),
        ],
        see: dynatrace_docs!("string-functions#jsonField"),
        imp: Scalar(|a, _| {
            let Some(name) = at(a, 1).as_str() else {
                return Value::Null;
            };
            match parse(at(a, 0), at(a, 2)) {
                Some(Value::Record(r)) => r.get(name).cloned().unwrap_or(Value::Null),
                _ => Value::Null,
            }
        }),
        ..JSON
    },
    Function {
        name: "jsonPath",
        params: &[
            req("expression", Ty::STRING),
            req("jsonPath", Ty::STRING),
            named("seek", Ty::BOOL, Def::Bool(false)),
        ],
        doc: "The value a JSONPath selects in the JSON a string holds: `$` followed by `.name`, `['name']` and `[index]` steps (a negative index counts from the end); null when nothing is there, and for paths with wildcards, filters or `..`, which select several values.",
        examples: &[
            ex(concat!("jsonPath(\"\"\"", john!(), "\"\"\", \"$.children[0]\")"), r#""Mallory""#),
            ex(concat!("jsonPath(\"\"\"", john!(), "\"\"\", \"$.address.city\")"), r#""Boston""#),
            ex(concat!("jsonPath(\"\"\"", john!(), "\"\"\", \"$['address']['zip']\")"), r#""02210""#),
            ex(r#"jsonPath("""JSON: {"name": "John"} ...""", "$.name")"#, "null"),
            ex(r#"jsonPath("""JSON: {"name": "John"} ...""", "$.name", seek: true)"#, r#""John""#),
            ex(concat!("jsonPath(\"\"\"", john!(), "\"\"\", \"$.children[-1]\")"), r#""Mary""#),
            ex(r#"jsonPath("""[[1, 2], [3]]""", "$[1][0]")"#, "3"),
            ex(concat!("jsonPath(\"\"\"", john!(), "\"\"\", \"$.children[*]\")"), "null"),
            ex(concat!("jsonPath(\"\"\"", john!(), "\"\"\", \"$.children[5]\")"), "null"),
        ],
        see: dynatrace_docs!("string-functions#jsonPath"),
        imp: Scalar(|a, _| {
            let Some(path) = at(a, 1).as_str() else {
                return Value::Null;
            };
            let Some(steps) = path_steps(path) else {
                return Value::Null;
            };
            let Some(mut v) = parse(at(a, 0), at(a, 2)) else {
                return Value::Null;
            };
            for step in steps {
                v = match (step, &v) {
                    (Step::Member(k), Value::Record(r)) => r.get(&k).cloned().unwrap_or(Value::Null),
                    (Step::Index(i), Value::Array(xs)) => {
                        let i = if i < 0 { xs.len() as i64 + i } else { i };
                        usize::try_from(i)
                            .ok()
                            .and_then(|i| xs.get(i))
                            .cloned()
                            .unwrap_or(Value::Null)
                    }
                    _ => return Value::Null,
                };
            }
            v
        }),
        ..JSON
    },
];

/// The JSON value a string holds: the whole text (surrounding white space aside), or with
/// `seek` the first JSON object in it. The parsed value is charged to the run's memory budget
/// (about twice the text).
fn parse(text: &Value, seek: &Value) -> Option<Value> {
    let s = text.as_str()?;
    if !crate::exec::budget::charge(2 * s.len() + 16) {
        return None;
    }
    if seek.as_bool() != Some(true) {
        let v = parse_value(s).ok()?;
        let end = value_end(s.as_bytes())?;
        return s[end..].trim().is_empty().then_some(v);
    }
    // The parser reads one value and leaves what follows, so each `{` can be tried in turn.
    for (i, _) in s.match_indices('{') {
        if !crate::exec::budget::tick() {
            return None;
        }
        if let Ok(v @ Value::Record(_)) = parse_value(&s[i..]) {
            return Some(v);
        }
    }
    None
}

/// Where the JSON value at the start of `b` (after white space) ends, for text the parser has
/// accepted: the parser itself stops after one value without saying where.
fn value_end(b: &[u8]) -> Option<usize> {
    let mut i = b.iter().position(|c| !c.is_ascii_whitespace())?;
    let mut depth = 0usize;
    loop {
        match *b.get(i)? {
            b'"' => {
                i += 1;
                while *b.get(i)? != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => depth -= 1,
            _ if depth == 0 => {
                // A number or literal: up to the next delimiter.
                while i < b.len() && !b" \t\r\n,]}".contains(&b[i]) {
                    i += 1;
                }
                return Some(i);
            }
            _ => {}
        }
        i += 1;
        if depth == 0 {
            return Some(i);
        }
    }
}

enum Step {
    Member(String),
    Index(i64),
}

/// The steps of a definite JSONPath (`$.a['b'][0]`); None for anything else.
fn path_steps(path: &str) -> Option<Vec<Step>> {
    let mut rest = path.trim().strip_prefix('$')?;
    let mut steps = Vec::new();
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('.') {
            let end = r.find(['.', '[']).unwrap_or(r.len());
            let name = &r[..end];
            if name.is_empty() || name == "*" {
                return None;
            }
            steps.push(Step::Member(name.to_string()));
            rest = &r[end..];
        } else if let Some(r) = rest.strip_prefix('[') {
            let close = r.find(']')?;
            let inner = r[..close].trim();
            let quoted = inner
                .strip_prefix('\'')
                .and_then(|x| x.strip_suffix('\''))
                .or_else(|| inner.strip_prefix('"').and_then(|x| x.strip_suffix('"')));
            match quoted {
                Some(name) => steps.push(Step::Member(name.to_string())),
                None => steps.push(Step::Index(inner.parse().ok()?)),
            }
            rest = &r[close + 1..];
        } else {
            return None;
        }
    }
    Some(steps)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_ends_where_the_parser_stops() {
        for (text, end) in [
            (r#"{"a":"}\"]"} x"#, 12),
            ("  [1, [2, {}]]", 14),
            ("12.5e3 ", 6),
            (r#""a\\" b"#, 5),
            ("true", 4),
        ] {
            assert!(parse_value(text).is_ok(), "{text}");
            assert_eq!(value_end(text.as_bytes()), Some(end), "{text}");
        }
    }
}
