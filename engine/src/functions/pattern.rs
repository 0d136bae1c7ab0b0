//! Pattern functions: a DPL pattern (see [`crate::dpl`]) over one string. The pattern is a
//! constant, compiled once when the query is planned ([`Imp::Prepared`]); its errors point
//! into the pattern text. A record a pattern gives up on (over its step budget) gets null, and
//! the query a notice.
//! Reference: <https://docs.dynatrace.com/docs/platform/grail/dynatrace-query-language/functions/string-functions>.

use super::Imp::Prepared as Prep;
use super::{at, b, ex, new_array, new_str, req, Ctx, Family, Function, Naming, Prepared, Ty};
use crate::diag::{Code, Diagnostic, Span};
use crate::dpl::Pattern;
use crate::value::Value;

const PATTERN_FN: Function = Function {
    family: Family::String,
    ..Function::BASE
};

/// The pattern is the second positional parameter of every pattern function.
const PATTERN: &[usize] = &[1];

pub(super) static FUNCTIONS: &[Function] = &[
    Function {
        name: "matchesPattern",
        params: &[req("expression", Ty::STRING), req("pattern", Ty::STRING)],
        returns: Ty::BOOL,
        doc: "True if the whole string matches the DPL pattern.",
        examples: &[
            ex(r#"matchesPattern("2023-11-01 12:52:12 : 766", "TIME ' : ' LONG")"#, "true"),
            ex(r#"matchesPattern("2023-11-01 12:55:59 : 192.168.0.1", "TIME ' : ' LONG")"#, "false"),
            ex(r#"matchesPattern("2023-11-01 12:55:59 : 192.168.0.1", "TIME ' : ' IP")"#, "true"),
        ],
        see: dynatrace_docs!("string-functions#matchesPattern"),
        imp: Prep {
            constant: PATTERN,
            prepare: compile_any,
            run: |p, a, _| match (pattern(p), at(a, 0)) {
                (Some(p), Value::Str(s)) => p.matches(s).map_or(Value::Null, b),
                _ => Value::Null,
            },
        },
        ..PATTERN_FN
    },
    Function {
        name: "replacePattern",
        params: &[
            req("expression", Ty::STRING),
            req("pattern", Ty::STRING),
            req("replacement", Ty::STRING),
        ],
        returns: Ty::STRING,
        doc: "Replaces every match of the DPL pattern in the string with the replacement text.",
        examples: &[
            ex(r#"replacePattern("DQL 2019-08-01 09:30:00", "TIME", "is awesome!")"#, r#""DQL is awesome!""#),
            ex(r#"replacePattern("DQL 2019-08-01 09:30:00", "LONG", "a")"#, r#""DQL aaa a:a:a""#),
            ex(r#"replacePattern("Dynatrace Query L4nguage", "LONG", "a")"#, r#""Dynatrace Query Language""#),
        ],
        see: dynatrace_docs!("string-functions#replacePattern"),
        imp: Prep {
            constant: PATTERN,
            prepare: compile_any,
            run: replace,
        },
        ..PATTERN_FN
    },
    Function {
        name: "splitByPattern",
        params: &[req("expression", Ty::STRING), req("pattern", Ty::STRING)],
        returns: Ty::ARRAY,
        doc: "Splits the string at every match of the DPL pattern (an empty string gives an empty array).",
        examples: &[
            ex(r#"splitByPattern("one $1 two $4 three", " ' $' LONG ' ' ")"#, r#"["one","two","three"]"#),
            ex(r#"splitByPattern("no separator", " ' $' LONG ' ' ")"#, r#"["no separator"]"#),
            ex(r#"splitByPattern("", " ' $' LONG ' ' ")"#, "[]"),
        ],
        see: dynatrace_docs!("string-functions#splitByPattern"),
        imp: Prep {
            constant: PATTERN,
            prepare: compile_any,
            run: split,
        },
        ..PATTERN_FN
    },
    Function {
        name: "parse",
        params: &[req("expression", Ty::STRING), req("pattern", Ty::STRING)],
        returns: Ty::ANY,
        doc: "The DPL pattern's export matched at the start of the string: a value for one export, a record for several, null without a match.",
        examples: &[
            ex(r#"parse("1 2", "LONG:result")"#, "1"),
            ex(r#"parse("45 46 47 48", "LONG:field1 ' ' LONG:field2")"#, r#"{"field1":45,"field2":46}"#),
            ex(r#"parse("abc", "LONG:result")"#, "null"),
        ],
        naming: Naming::FromConstants(|c| name_after_exports(c, "parsed_record")),
        see: dynatrace_docs!("string-functions#parse"),
        imp: Prep {
            constant: PATTERN,
            prepare: compile_exporting,
            run: |p, a, _| match (pattern(p), at(a, 0)) {
                (Some(p), Value::Str(s)) => p.parse(s).map_or(Value::Null, |v| shape(p, v)),
                _ => Value::Null,
            },
        },
        ..PATTERN_FN
    },
    Function {
        name: "parseAll",
        params: &[req("expression", Ty::STRING), req("pattern", Ty::STRING)],
        returns: Ty::ARRAY,
        doc: "Every match of the DPL pattern in the string, left to right: an array of values (one export) or records (several).",
        examples: &[
            ex(r#"parseAll("45 46 47 48", "LONG:result")"#, "[45,46,47,48]"),
            ex(r#"parseAll("1 2", "LONG:field1 ' ' LONG:field2")"#, r#"[{"field1":1,"field2":2}]"#),
            ex(r#"parseAll("none", "LONG:result")"#, "[]"),
        ],
        naming: Naming::FromConstants(|c| name_after_exports(c, "parsed_records")),
        see: dynatrace_docs!("string-functions#parseAll"),
        imp: Prep {
            constant: PATTERN,
            prepare: compile_exporting,
            run: parse_all,
        },
        ..PATTERN_FN
    },
];

fn pattern(p: &Prepared) -> Option<&Pattern> {
    p.get::<Pattern>()
}

/// Compiles the pattern argument; errors have spans in its text.
fn compile_any(consts: &[Value]) -> Result<Prepared, Vec<Diagnostic>> {
    match consts.first() {
        Some(v @ Value::Str(s)) => Pattern::compile(s).map(|p| Prepared::new(v.clone(), p)),
        Some(other) => Err(vec![Diagnostic::error(
            Code::E319,
            Span::new(0, 0),
            format!(
                "expected a DPL pattern such as \"LD ':' INT:port\", found {}",
                other.type_name()
            ),
        )]),
        None => Err(vec![Diagnostic::error(
            Code::E319,
            Span::new(0, 0),
            "expected a DPL pattern, found nothing",
        )]),
    }
}

/// Like [`compile_any`], for functions that return the exports: there must be one.
fn compile_exporting(consts: &[Value]) -> Result<Prepared, Vec<Diagnostic>> {
    let p = compile_any(consts)?;
    if pattern(&p).is_some_and(|x| x.exports().is_empty()) {
        let len = consts.first().and_then(Value::as_str).map_or(0, str::len);
        return Err(vec![Diagnostic::error(
            Code::E319,
            Span::new(0, len),
            "expected a pattern that exports a value, such as \"LONG:count\", found none",
        )
        .with_label("nothing named with `:name`")
        .with_hint("name what to extract: LD ':' INT:port")]);
    }
    Ok(p)
}

/// One export as itself, several as a record.
fn shape(p: &Pattern, mut vals: Vec<Value>) -> Value {
    if vals.len() == 1 {
        return vals.pop().unwrap_or(Value::Null);
    }
    super::record(p.exports().iter().cloned().zip(vals).collect())
}

fn name_after_exports(consts: &[Option<&str>], several: &str) -> Option<String> {
    let p = Pattern::compile(consts.get(1).copied().flatten()?).ok()?;
    match p.exports() {
        [one] => Some(one.to_string()),
        _ => Some(several.to_string()),
    }
}

fn replace(p: &Prepared, a: &[Value], _: &Ctx) -> Value {
    let (Some(p), Value::Str(s), Value::Str(r)) = (pattern(p), at(a, 0), at(a, 2)) else {
        return Value::Null;
    };
    let mut out = String::new();
    let mut last = 0;
    let done = p.find_spans(s, |start, end| {
        out.push_str(&s[last..start]);
        out.push_str(r);
        last = end;
    });
    if !done {
        return Value::Null;
    }
    out.push_str(&s[last..]);
    new_str(out.len(), || out)
}

fn split(p: &Prepared, a: &[Value], _: &Ctx) -> Value {
    let (Some(p), Value::Str(s)) = (pattern(p), at(a, 0)) else {
        return Value::Null;
    };
    if s.is_empty() {
        return Value::Array(Vec::new().into());
    }
    let mut parts = Vec::new();
    let mut last = 0;
    let done = p.find_spans(s, |start, end| {
        parts.push(Value::str(&s[last..start]));
        last = end;
    });
    if !done {
        return Value::Null;
    }
    parts.push(Value::str(&s[last..]));
    let bytes = s.len() + 16 * parts.len();
    if crate::exec::budget::charge(bytes) {
        Value::Array(parts.into())
    } else {
        Value::Null
    }
}

fn parse_all(p: &Prepared, a: &[Value], _: &Ctx) -> Value {
    let (Some(p), Value::Str(s)) = (pattern(p), at(a, 0)) else {
        return Value::Null;
    };
    let mut found = Vec::new();
    let done = p.find_all(s, |_, _, vals| found.push(shape(p, vals)));
    if !done {
        return Value::Null;
    }
    new_array(found.len(), || found)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::value::Record;

    fn call(name: &str, args: &[Value]) -> Value {
        let f = super::super::lookup(name).unwrap();
        f.apply(args, &Ctx { now: 0 })
    }

    #[test]
    fn nulls_and_wrong_types_give_null() {
        let s = |x: &str| Value::str(x);
        assert_eq!(call("matchesPattern", &[Value::Null, s("LD")]), Value::Null);
        assert_eq!(
            call("matchesPattern", &[Value::Long(5), s("INT")]),
            Value::Null
        );
        assert_eq!(call("parse", &[Value::Null, s("INT:i")]), Value::Null);
        assert_eq!(
            call("replacePattern", &[s("a1"), s("INT"), Value::Null]),
            Value::Null
        );
        assert_eq!(
            call("splitByPattern", &[s("a1b"), s("INT")]),
            Value::Array(vec![s("a"), s("b")].into())
        );
        assert_eq!(call("parseAll", &[s("x"), Value::Null]), Value::Null);
    }

    #[test]
    fn parse_shapes_records_in_export_order() {
        let v = call("parse", &[Value::str("a=1"), Value::str("LD:k '=' INT:v")]);
        let Value::Record(r) = v else { panic!("{v:?}") };
        let Record { fields } = &*r;
        assert_eq!(
            fields.iter().map(|(k, _)| &**k).collect::<Vec<_>>(),
            ["k", "v"]
        );
    }
}
