//! String functions. Positions and lengths count UTF-16 code units, as Dynatrace does.
//! Reference: <https://docs.dynatrace.com/docs/platform/grail/dynatrace-query-language/functions/string-functions>.
//!
//! About 850 lines on purpose: one file per function family (the reference is grouped the same
//! way); most of the length is the declarations' documented examples.

use super::Imp::Scalar;
use super::{at, b, ex, many, named, new_array, new_str, req, Def, Family, Function, Ty};
use crate::value::Value;

const STRING: Function = Function {
    family: Family::String,
    ..Function::BASE
};

const CASE_SENSITIVE: super::Param = named("caseSensitive", Ty::BOOL, Def::Bool(true));
const CASE_INSENSITIVE: super::Param = named("caseSensitive", Ty::BOOL, Def::Bool(false));

/// `wildcard:` of `matchesPhrase` and `matchesValue`: the one character that matches any run.
const WILDCARD: super::Param = named("wildcard", Ty::STRING, Def::Str("*")).within(1.0, 1.0);

/// Dynatrace's most wildcards in a `matchesPhrase`/`matchesValue` pattern; a pattern with more
/// gives null.
const MAX_WILDCARDS: usize = 64;

/// The wildcard character of a call (null or not one character: none matches).
fn wildcard(v: &Value) -> Option<char> {
    let s = v.as_str()?;
    let mut cs = s.chars();
    match (cs.next(), cs.next()) {
        (Some(c), None) => Some(c),
        _ => None,
    }
}

pub(super) static FUNCTIONS: &[Function] = &[
    Function {
        name: "startsWith",
        params: &[req("expression", Ty::STRING), req("prefix", Ty::STRING), CASE_SENSITIVE],
        returns: Ty::BOOL,
        doc: "True if the string starts with the prefix (case-sensitive unless `caseSensitive: false`).",
        examples: &[
            ex(r#"startsWith("Dynatrace Query Language", "D")"#, "true"),
            ex(r#"startsWith("DQL is awesome!", "dql", caseSensitive: false)"#, "true"),
            ex(r#"startsWith("Dynatrace Query Language", "dql", caseSensitive: false)"#, "false"),
        ],
        see: dynatrace_docs!("string-functions#startsWith"),
        imp: Scalar(|a, _| affix(a, |s, p| s.starts_with(p))),
        ..STRING
    },
    Function {
        name: "endsWith",
        params: &[req("expression", Ty::STRING), req("suffix", Ty::STRING), CASE_SENSITIVE],
        returns: Ty::BOOL,
        doc: "True if the string ends with the suffix.",
        examples: &[
            ex(r#"endsWith("DQL is awesome!", "awesome!")"#, "true"),
            ex(r#"endsWith("DQL is awesome!", "AWESOME!", caseSensitive: false)"#, "true"),
            ex(r#"endsWith("Dynatrace Query Language", "awesome!")"#, "false"),
        ],
        see: dynatrace_docs!("string-functions#endsWith"),
        imp: Scalar(|a, _| affix(a, |s, p| s.ends_with(p))),
        ..STRING
    },
    Function {
        name: "contains",
        params: &[req("expression", Ty::STRING), req("substring", Ty::STRING), CASE_SENSITIVE],
        returns: Ty::BOOL,
        doc: "True if the string contains the substring.",
        examples: &[
            ex(r#"contains("Dynatrace Query Language", "Query")"#, "true"),
            ex(r#"contains("DQL is awesome!", "dql", caseSensitive: false)"#, "true"),
            ex(r#"contains("Dynatrace Query Language", "DQL")"#, "false"),
            ex(r#"contains(null, "x")"#, "null"),
        ],
        see: dynatrace_docs!("string-functions#contains"),
        imp: Scalar(|a, _| affix(a, |s, p| s.contains(p))),
        ..STRING
    },
    Function {
        name: "matchesPhrase",
        params: &[
            req("expression", Ty::STRING.or(Ty::ARRAY)),
            req("phrase", Ty::STRING),
            CASE_INSENSITIVE,
            WILDCARD,
        ],
        returns: Ty::BOOL,
        doc: "Token-wise phrase match with word boundaries at both ends, case-insensitive by default; any element of an array. The `wildcard:` character (default `*`, one character) at an end lifts that boundary; inside the phrase it matches any run of characters within a token (no white space); another wildcard makes `*` literal; more than 64 wildcards give null.",
        examples: &[
            ex(r#"matchesPhrase("Dynatrace Query Language", "query")"#, "true"),
            ex(r#"matchesPhrase("Dynatrace Query Language", "Dyna")"#, "false"),
            ex(r#"matchesPhrase("Dynatrace Query Language", "query", caseSensitive: true)"#, "false"),
            ex(r#"matchesPhrase(array("DQL", "is", "awesome", "!"), "DQL")"#, "true"),
            ex(r#"matchesPhrase("from 192.168.0.123", "192.168.0.1")"#, "false"),
            ex(r#"matchesPhrase("from 192.168.0.123", "192.168.0.1*")"#, "true"),
            ex(r#"matchesPhrase("DQL is awesome!", "D*L")"#, "true"),
            ex(r#"matchesPhrase("Dynatrace Query Language", "D*L")"#, "false"),
            ex(r#"matchesPhrase("D*L", "D*L", wildcard: "%")"#, "true"),
            ex(r#"matchesPhrase("DQL", "D*L", wildcard: "%")"#, "false"),
            ex(r#"matchesPhrase("arn:aws:iam::111122223333:role/Admin", "iam::*:role/admin")"#, "true"),
            ex(r#"matchesPhrase("eu-west-1 us-east-1", "us-*-1")"#, "true"),
            ex(r#"matchesPhrase("DQL", null)"#, "null"),
            ex(r#"matchesPhrase("aaaa", concat("a", "*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a"))"#, "null"),
        ],
        see: dynatrace_docs!("string-functions#matchesPhrase"),
        imp: Scalar(|a, _| {
            let cs = at(a, 2).as_bool().unwrap_or(false);
            let (Some(p), Some(w)) = (at(a, 1).as_str(), wildcard(at(a, 3))) else {
                return Value::Null;
            };
            if p.matches(w).count() > MAX_WILDCARDS {
                return Value::Null;
            }
            any_string(at(a, 0), |s| matches_phrase(s, p, cs, w))
        }),
        ..STRING
    },
    Function {
        name: "matchesValue",
        params: &[
            req("expression", Ty::STRING.or(Ty::ARRAY)),
            req("value", Ty::STRING.or(Ty::ARRAY)),
            CASE_INSENSITIVE,
            WILDCARD,
        ],
        returns: Ty::BOOL,
        doc: "Whole-value match, case-insensitive by default; the `wildcard:` character (default `*`, one character) anywhere in the pattern matches any run of characters (another wildcard makes `*` literal; more than 64 give null); a `{ … }` group or array of values matches any of them.",
        examples: &[
            ex(r#"matchesValue("User 'käärmanü' failed to login from 192.168.0.1", "user*")"#, "true"),
            ex(r#"matchesValue("User 'käärmanü' failed to login from 192.168.0.1", "192.168.0.1")"#, "false"),
            ex(r#"matchesValue("User 'käärmanü' failed to login from 192.168.0.1", "*failed to log*")"#, "true"),
            ex(r#"matchesValue("Österreich", "österreich")"#, "false"),
            ex(r#"matchesValue(array("Java11", "java17"), "java")"#, "false"),
            ex(r#"matchesValue(array("DQL", "is", "awesome", "!"), {"Grail", "dq*"})"#, "true"),
            ex(r#"matchesValue("arn:aws:iam::111122223333:user/alice", "arn:aws:iam::*:user/*")"#, "true"),
            ex(r#"matchesValue("50%", "5%", wildcard: "%")"#, "true"),
            ex(r#"matchesValue("a*c", "a*c", wildcard: "%")"#, "true"),
            ex(r#"matchesValue("abc", "a*c", wildcard: "%")"#, "false"),
        ],
        see: dynatrace_docs!("string-functions#matchesValue"),
        imp: Scalar(|a, _| {
            let cs = at(a, 2).as_bool().unwrap_or(false);
            let Some(w) = wildcard(at(a, 3)) else {
                return Value::Null;
            };
            let pats: Vec<&str> = match at(a, 1) {
                Value::Str(s) => vec![s],
                Value::Array(xs) => xs.iter().filter_map(Value::as_str).collect(),
                _ => return Value::Null,
            };
            if pats.iter().any(|p| p.matches(w).count() > MAX_WILDCARDS) {
                return Value::Null;
            }
            any_string(at(a, 0), |s| pats.iter().any(|p| matches_value(s, p, cs, w)))
        }),
        ..STRING
    },
    Function {
        name: "like",
        params: &[req("expression", Ty::STRING), req("pattern", Ty::STRING)],
        returns: Ty::BOOL,
        doc: "SQL LIKE: `%` matches any run of characters, `_` one character; the whole string must match.",
        examples: &[
            ex(r#"like("DQL is awesome!", "D_L%")"#, "true"),
            ex(r#"like("Dynatrace Query Language", "D_L%")"#, "false"),
            ex(r#"like("Dynatrace Query Language", "D%L%")"#, "true"),
            ex(r#"like("abc", "a_")"#, "false"),
        ],
        see: dynatrace_docs!("string-functions#like"),
        imp: Scalar(|a, _| {
            let (Some(s), Some(p)) = (at(a, 0).as_str(), at(a, 1).as_str()) else {
                return Value::Null;
            };
            b(like(&s.chars().collect::<Vec<_>>(), &p.chars().collect::<Vec<_>>()))
        }),
        ..STRING
    },
    Function {
        name: "lower",
        params: &[req("expression", Ty::STRING)],
        returns: Ty::STRING,
        doc: "Converts a string to lower case.",
        examples: &[ex(r#"lower("Dynatrace Query Language")"#, r#""dynatrace query language""#)],
        see: dynatrace_docs!("string-functions#lower"),
        imp: Scalar(|a, _| {
            at(a, 0)
                .as_str()
                .map_or(Value::Null, |s| new_str(s.len(), || s.to_lowercase()))
        }),
        ..STRING
    },
    Function {
        name: "upper",
        params: &[req("expression", Ty::STRING)],
        returns: Ty::STRING,
        doc: "Converts a string to upper case.",
        examples: &[ex(r#"upper("DQL is awesome!")"#, r#""DQL IS AWESOME!""#)],
        see: dynatrace_docs!("string-functions#upper"),
        imp: Scalar(|a, _| {
            at(a, 0)
                .as_str()
                .map_or(Value::Null, |s| new_str(s.len(), || s.to_uppercase()))
        }),
        ..STRING
    },
    Function {
        name: "trim",
        params: &[req("expression", Ty::STRING)],
        returns: Ty::STRING,
        doc: "Removes leading and trailing whitespace (characters up to U+0020).",
        examples: &[
            ex(r#"trim(" Dynatrace Query Language ")"#, r#""Dynatrace Query Language""#),
            ex("trim(\"  a b \\t\")", r#""a b""#),
        ],
        see: dynatrace_docs!("string-functions#trim"),
        imp: Scalar(|a, _| {
            at(a, 0).as_str().map_or(Value::Null, |s| {
                let t = s.trim_matches(|c: char| (c as u32) <= 32);
                new_str(t.len(), || t.to_string())
            })
        }),
        ..STRING
    },
    Function {
        name: "concat",
        params: &[
            many("expression", Ty::ANY, 1),
            named("delimiter", Ty::STRING, Def::Str("")),
        ],
        returns: Ty::STRING,
        doc: "Joins the values as text, with `delimiter:` between them; null values are skipped.",
        examples: &[
            ex(r#"concat("DQL", "is", "awesome!", delimiter: " ")"#, r#""DQL is awesome!""#),
            ex(r#"concat("a", 1, null, "b")"#, r#""a1b""#),
        ],
        see: dynatrace_docs!("string-functions#concat"),
        imp: Scalar(|a, _| {
            let (parts, delim) = a.split_at(a.len().saturating_sub(1));
            let delim = delim.first().and_then(Value::as_str).unwrap_or("");
            // The length first: the budget is asked before a doubling string is built.
            let texts: Vec<std::borrow::Cow<str>> = parts
                .iter()
                .filter_map(|v| match v {
                    Value::Str(s) => Some(std::borrow::Cow::Borrowed(&**s)),
                    v => v.to_dql_string().map(std::borrow::Cow::Owned),
                })
                .collect();
            let len = texts.iter().map(|t| t.len()).sum::<usize>()
                + delim.len() * texts.len().saturating_sub(1);
            new_str(len, || texts.join(delim))
        }),
        ..STRING
    },
    Function {
        name: "stringLength",
        params: &[req("expression", Ty::STRING)],
        returns: Ty::LONG,
        doc: "Length in UTF-16 code units.",
        examples: &[
            ex(r#"stringLength("DQL is awesome!")"#, "15"),
            // The service-dog emoji: U+1F415, a zero-width joiner, U+1F9BA.
            ex("stringLength(\"\u{1F415}\u{200D}\u{1F9BA}\")", "5"),
        ],
        see: dynatrace_docs!("string-functions#stringLength"),
        imp: Scalar(|a, _| {
            at(a, 0)
                .as_str()
                .map_or(Value::Null, |s| Value::Long(s.encode_utf16().count() as i64))
        }),
        ..STRING
    },
    Function {
        name: "substring",
        params: &[
            req("expression", Ty::STRING),
            named("from", Ty::LONG, Def::Long(0)),
            named("to", Ty::LONG, Def::Null),
        ],
        returns: Ty::STRING,
        doc: "The part of a string from `from:` (inclusive) to `to:` (exclusive), in UTF-16 positions; negative positions count from the end.",
        examples: &[
            ex(r#"substring("Dynatrace Query Language", from: 4, to: 9)"#, r#""trace""#),
            ex(r#"substring("DQL is awesome!", from: -2)"#, r#""e!""#),
            ex(r#"substring("DQL is awesome!", from: -42, to: 42)"#, r#""DQL is awesome!""#),
        ],
        see: dynatrace_docs!("string-functions#substring"),
        imp: Scalar(substring),
        ..STRING
    },
    Function {
        name: "indexOf",
        params: &[
            req("expression", Ty::STRING),
            req("substring", Ty::STRING),
            named("from", Ty::LONG, Def::Long(0)),
        ],
        returns: Ty::LONG,
        doc: "The UTF-16 position of the first occurrence of the substring at or after `from:`, or -1.",
        examples: &[
            ex(r#"indexOf("Dynatrace Query Language", "a", from: 10)"#, "17"),
            ex(r#"indexOf("DQL is awesome!", "a", from: 10)"#, "-1"),
            ex(r#"indexOf("Dynatrace Query Language", "Query")"#, "10"),
        ],
        see: dynatrace_docs!("string-functions#indexOf"),
        imp: Scalar(index_of),
        ..STRING
    },
    Function {
        name: "lastIndexOf",
        params: &[
            req("expression", Ty::STRING),
            req("substring", Ty::STRING),
            named("from", Ty::LONG, Def::Long(i64::MAX)),
        ],
        returns: Ty::LONG,
        doc: "The UTF-16 position of the last occurrence of the substring starting at or before `from:` (a negative position counts from the end), or -1.",
        examples: &[
            ex(r#"lastIndexOf("Dynatrace Query Language", "a")"#, "21"),
            ex(r#"lastIndexOf("Dynatrace Query Language", "a", from: 10)"#, "6"),
            ex(r#"lastIndexOf("DQL is awesome!", "Query")"#, "-1"),
            ex(r#"lastIndexOf("Dynatrace Query Language", "a", from: -4)"#, "17"),
            ex(r#"lastIndexOf("abc", "")"#, "3"),
            ex(r#"lastIndexOf("abc", "a", from: -4)"#, "-1"),
        ],
        see: dynatrace_docs!("string-functions#lastIndexOf"),
        imp: Scalar(last_index_of),
        ..STRING
    },
    Function {
        name: "getCharacter",
        params: &[req("expression", Ty::STRING), req("position", Ty::LONG)],
        returns: Ty::STRING,
        doc: "The character at a UTF-16 position (a negative position counts from the end), null outside the string; at the first half of a surrogate pair the whole character, at the second half U+FFFD.",
        examples: &[
            ex(r#"getCharacter("DQL is awesome!", 1)"#, r#""Q""#),
            ex(r#"getCharacter("DQL is awesome!", 17)"#, "null"),
            ex(r#"getCharacter("Dynatrace Query Language", -1)"#, r#""e""#),
            ex(r#"getCharacter("abc", -4)"#, "null"),
            ex("getCharacter(\"a\u{1F415}\", 1)", "\"\u{1F415}\""),
        ],
        see: dynatrace_docs!("string-functions#getCharacter"),
        imp: Scalar(get_character),
        ..STRING
    },
    Function {
        name: "levenshteinDistance",
        params: &[req("firstExpression", Ty::STRING), req("secondExpression", Ty::STRING)],
        returns: Ty::LONG,
        doc: "The Levenshtein distance: the fewest insertions, deletions and substitutions of UTF-16 units that turn one string into the other (case-sensitive).",
        examples: &[
            ex(r#"levenshteinDistance("DQL is awesome!", "Grail is awesome!")"#, "5"),
            ex(r#"levenshteinDistance("Dynatrace Query Language", "DQL")"#, "21"),
            ex(r#"levenshteinDistance("Dynatrace Query Language", "dynatrace query language")"#, "3"),
            ex(r#"levenshteinDistance("", "abc")"#, "3"),
            ex(r#"levenshteinDistance("abc", null)"#, "null"),
        ],
        see: dynatrace_docs!("string-functions#levenshteinDistance"),
        imp: Scalar(levenshtein),
        ..STRING
    },
    Function {
        name: "punctuation",
        params: &[
            req("expression", Ty::STRING),
            named("count", Ty::LONG, Def::Long(32)),
            named("withSpace", Ty::BOOL, Def::Bool(false)),
        ],
        returns: Ty::STRING,
        doc: "The first `count:` punctuation characters of a string (every character but letters, digits and white space); with `withSpace: true` white space counts too, written as `_` as the page shows it.",
        examples: &[
            ex(r#"punctuation("DQL is awesome!")"#, r#""!""#),
            ex(r#"punctuation("Dynatrace Query Language", count: 2)"#, r#""""#),
            ex(r#"punctuation("DQL is awesome!", count: 2, withSpace: true)"#, r#""__""#),
            ex(r#"punctuation("${placeholder}")"#, r#""${}""#),
            ex(r#"punctuation("${placeholder}", count: 2, withSpace: true)"#, r#""${""#),
            ex(r#"punctuation("a-b", count: -1)"#, r#""""#),
        ],
        see: dynatrace_docs!("string-functions#punctuation"),
        imp: Scalar(|a, _| {
            let Some(s) = at(a, 0).as_str() else {
                return Value::Null;
            };
            let count = match at(a, 1) {
                Value::Long(n) => usize::try_from(*n).unwrap_or(0),
                _ => return Value::Null,
            };
            let spaces = at(a, 2).as_bool().unwrap_or(false);
            new_str(s.len().min(count.saturating_mul(4)), || {
                s.chars()
                    .filter_map(|c| match c {
                        c if c.is_whitespace() => spaces.then_some('_'),
                        c if c.is_alphanumeric() => None,
                        c => Some(c),
                    })
                    .take(count)
                    .collect()
            })
        }),
        ..STRING
    },
    Function {
        name: "replaceString",
        params: &[
            req("expression", Ty::STRING),
            req("substring", Ty::STRING),
            req("replacement", Ty::STRING),
        ],
        returns: Ty::STRING,
        doc: "Replaces every occurrence of a substring (an empty substring replaces nothing).",
        examples: &[
            ex(r#"replaceString("DQL is awesome!", "awesome", "simple")"#, r#""DQL is simple!""#),
            ex(r#"replaceString("abcabca", "abca", "xyz")"#, r#""xyzbca""#),
        ],
        see: dynatrace_docs!("string-functions#replaceString"),
        imp: Scalar(|a, _| {
            let (Some(s), Some(p), Some(r)) = (at(a, 0).as_str(), at(a, 1).as_str(), at(a, 2).as_str())
            else {
                return Value::Null;
            };
            if p.is_empty() {
                return Value::str(s);
            }
            let hits = s.matches(p).count();
            let len = (s.len() - hits * p.len()).saturating_add(hits.saturating_mul(r.len()));
            new_str(len, || s.replace(p, r))
        }),
        ..STRING
    },
    Function {
        name: "splitString",
        params: &[req("expression", Ty::STRING), req("pattern", Ty::STRING)],
        returns: Ty::ARRAY,
        doc: "Splits a string at each occurrence of a separator (an empty separator splits into characters).",
        examples: &[
            ex(r#"splitString("DQL is awesome!", "is")"#, r#"["DQL "," awesome!"]"#),
            ex(r#"splitString("DQL is awesome!", "XYZ")"#, r#"["DQL is awesome!"]"#),
            ex(r#"splitString("abbc", "b")"#, r#"["a","","c"]"#),
        ],
        see: dynatrace_docs!("string-functions#splitString"),
        imp: Scalar(|a, _| {
            let (Some(s), Some(p)) = (at(a, 0).as_str(), at(a, 1).as_str()) else {
                return Value::Null;
            };
            let n = if p.is_empty() {
                s.chars().count()
            } else {
                s.matches(p).count() + 1
            };
            if !crate::exec::budget::charge(s.len() + 16 * n) {
                return Value::Null;
            }
            new_array(n, || {
                if p.is_empty() {
                    s.chars().map(|c| Value::str(&c.to_string())).collect()
                } else {
                    s.split(p).map(Value::str).collect()
                }
            })
        }),
        ..STRING
    },
];

/// `startsWith`, `endsWith`, `contains`: null if either is not a string.
fn affix(a: &[Value], test: fn(&str, &str) -> bool) -> Value {
    let (Some(s), Some(p)) = (at(a, 0).as_str(), at(a, 1).as_str()) else {
        return Value::Null;
    };
    if at(a, 2).as_bool().unwrap_or(true) {
        b(test(s, p))
    } else {
        b(test(&s.to_lowercase(), &p.to_lowercase()))
    }
}

fn substring(a: &[Value], _: &super::Ctx) -> Value {
    let Some(s) = at(a, 0).as_str() else {
        return Value::Null;
    };
    let u: Vec<u16> = s.encode_utf16().collect();
    let n = u.len() as i64;
    let clamp = |v: i64| if v < 0 { (n + v).max(0) } else { v.min(n) };
    let from = clamp(match at(a, 1) {
        Value::Long(v) => *v,
        _ => 0,
    });
    let to = clamp(match at(a, 2) {
        Value::Long(v) => *v,
        _ => n,
    });
    if from >= to {
        return Value::str("");
    }
    let part = &u[from as usize..to as usize];
    new_str(part.len() * 3, || String::from_utf16_lossy(part))
}

fn index_of(a: &[Value], _: &super::Ctx) -> Value {
    let (Some(s), Some(p)) = (at(a, 0).as_str(), at(a, 1).as_str()) else {
        return Value::Null;
    };
    let u: Vec<u16> = s.encode_utf16().collect();
    let pu: Vec<u16> = p.encode_utf16().collect();
    let n = u.len() as i64;
    let from = match at(a, 2) {
        Value::Long(v) if *v < 0 => (n + v).max(0),
        Value::Long(v) => *v,
        _ => 0,
    } as usize;
    if pu.is_empty() {
        return Value::Long(from.min(u.len()) as i64);
    }
    Value::Long(
        (from..u.len().saturating_sub(pu.len() - 1))
            .find(|&i| u[i..].starts_with(&pu))
            .map_or(-1, |i| i as i64),
    )
}

fn last_index_of(a: &[Value], _: &super::Ctx) -> Value {
    let (Some(s), Some(p)) = (at(a, 0).as_str(), at(a, 1).as_str()) else {
        return Value::Null;
    };
    let u: Vec<u16> = s.encode_utf16().collect();
    let pu: Vec<u16> = p.encode_utf16().collect();
    let n = u.len() as i64;
    let from = match at(a, 2) {
        Value::Long(v) if *v < 0 => n + v,
        Value::Long(v) => *v,
        _ => n,
    };
    // The last start at or before `from` where the substring fits.
    let last = from.min(n - pu.len() as i64);
    if last < 0 {
        return Value::Long(-1);
    }
    Value::Long(
        (0..=last as usize)
            .rev()
            .find(|&i| u[i..].starts_with(&pu))
            .map_or(-1, |i| i as i64),
    )
}

fn get_character(a: &[Value], _: &super::Ctx) -> Value {
    let (Some(s), Value::Long(pos)) = (at(a, 0).as_str(), at(a, 1)) else {
        return Value::Null;
    };
    let u: Vec<u16> = s.encode_utf16().collect();
    let i = if *pos < 0 { u.len() as i64 + pos } else { *pos };
    if i < 0 || i >= u.len() as i64 {
        return Value::Null;
    }
    let i = i as usize;
    // The whole character when it starts here (two units for a surrogate pair).
    let end = (i + 2).min(u.len());
    let c = char::decode_utf16(u[i..end].iter().copied())
        .next()
        .map_or('\u{FFFD}', |r| r.unwrap_or('\u{FFFD}'));
    new_str(c.len_utf8(), || c.to_string())
}

/// Levenshtein distance over UTF-16 units, one row of the table at a time. Each row is a
/// step of the run's budget, so a huge pair of strings can be cancelled (the work is the
/// product of the lengths; strsim's version cannot be interrupted).
fn levenshtein(a: &[Value], _: &super::Ctx) -> Value {
    let (Some(x), Some(y)) = (at(a, 0).as_str(), at(a, 1).as_str()) else {
        return Value::Null;
    };
    let x: Vec<u16> = x.encode_utf16().collect();
    let y: Vec<u16> = y.encode_utf16().collect();
    let mut row: Vec<usize> = (0..=y.len()).collect();
    for (i, cx) in x.iter().enumerate() {
        if !crate::exec::budget::tick() {
            return Value::Null;
        }
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cy) in y.iter().enumerate() {
            let substitute = diagonal + usize::from(cx != cy);
            diagonal = row[j + 1];
            row[j + 1] = substitute.min(row[j] + 1).min(diagonal + 1);
        }
    }
    Value::Long(row[y.len()] as i64)
}

/// A string test over a string or any string element of an array; null for null.
fn any_string(v: &Value, f: impl Fn(&str) -> bool) -> Value {
    match v {
        Value::Str(s) => Value::Bool(f(s)),
        Value::Array(xs) => Value::Bool(xs.iter().filter_map(Value::as_str).any(f)),
        Value::Null => Value::Null,
        _ => Value::Bool(false),
    }
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// `matchesPhrase`: the phrase occurs with word boundaries at its ends; a `wildcard` at an end
/// lifts that end's boundary check, one inside the phrase matches any run of characters other
/// than white space (so it stays inside a token: `D*L` matches `DQL`, not `Dynatrace Query
/// Language`). Consecutive wildcards count as one.
pub fn matches_phrase(s: &str, phrase: &str, case_sensitive: bool, wildcard: char) -> bool {
    let (hay, p) = if case_sensitive {
        (s.to_string(), phrase.to_string())
    } else {
        (s.to_ascii_lowercase(), phrase.to_ascii_lowercase())
    };
    let parts: Vec<&str> = p.split(wildcard).collect();
    if parts.len() > MAX_WILDCARDS + 1 {
        return false;
    }
    let open_start = parts.len() > 1 && parts[0].is_empty();
    let open_end = parts.len() > 1 && parts[parts.len() - 1].is_empty();
    let segs: Vec<&str> = parts.into_iter().filter(|x| !x.is_empty()).collect();
    let Some(first) = segs.first() else {
        return true;
    };
    let mut failed = std::collections::HashSet::new();
    let mut from = 0;
    while let Some(i) = hay[from..].find(first) {
        let start = from + i;
        let before_ok = open_start
            || !first.starts_with(is_word)
            || !hay[..start].chars().next_back().is_some_and(is_word);
        if before_ok && phrase_rest(&hay, &segs, 1, start + first.len(), open_end, &mut failed) {
            return true;
        }
        from = start + hay[start..].chars().next().map_or(1, char::len_utf8);
    }
    false
}

/// The phrase's segments from `k` on, the first of them after a wildcard that ends at `pos`
/// (for `k` = 0: the phrase matched up to `pos`). `failed` remembers (k, pos) that cannot match,
/// so the work stays polynomial whatever the pattern.
fn phrase_rest(
    hay: &str,
    segs: &[&str],
    k: usize,
    pos: usize,
    open_end: bool,
    failed: &mut std::collections::HashSet<(usize, usize)>,
) -> bool {
    let Some(seg) = segs.get(k) else {
        let last = segs.last().copied().unwrap_or("");
        return open_end
            || !last.ends_with(is_word)
            || !hay[pos..].chars().next().is_some_and(is_word);
    };
    if failed.contains(&(k, pos)) {
        return false;
    }
    // The wildcard takes a run of non-white-space characters, then the segment follows.
    let mut q = pos;
    loop {
        if hay[q..].starts_with(seg)
            && phrase_rest(hay, segs, k + 1, q + seg.len(), open_end, failed)
        {
            return true;
        }
        match hay[q..].chars().next() {
            Some(c) if !c.is_whitespace() => q += c.len_utf8(),
            _ => break,
        }
    }
    failed.insert((k, pos));
    false
}

/// `matchesValue`: the whole value matches; `wildcard` anywhere in the pattern matches any run
/// of characters.
pub fn matches_value(s: &str, pat: &str, case_sensitive: bool, wildcard: char) -> bool {
    let (s, pat) = if case_sensitive {
        (s.to_string(), pat.to_string())
    } else {
        (s.to_ascii_lowercase(), pat.to_ascii_lowercase())
    };
    if !pat.contains(wildcard) {
        return s == pat;
    }
    let (s, p): (Vec<char>, Vec<char>) = (s.chars().collect(), pat.chars().collect());
    wildcard_match(&s, &p, wildcard, None)
}

/// SQL LIKE: `%` any run of characters, `_` one character, the whole string. See
/// [`wildcard_match`].
fn like(s: &[char], p: &[char]) -> bool {
    wildcard_match(s, p, '%', Some('_'))
}

/// Whole-string match of `p` against `s`, where `many` matches any run of characters and `one`
/// (if any) exactly one. Greedy with backtracking to the last `many` only, so the work is at
/// most `s.len() × p.len()` steps whatever the pattern: a pattern from a query or a share link
/// (`%e%e%e%zzz`) cannot make it exponential.
pub(crate) fn wildcard_match(s: &[char], p: &[char], many: char, one: Option<char>) -> bool {
    let (mut i, mut j) = (0, 0);
    // The last `many` seen, and where in `s` its run currently ends.
    let mut star: Option<(usize, usize)> = None;
    while i < s.len() {
        if j < p.len() && p[j] == many {
            star = Some((j, i));
            j += 1;
        } else if j < p.len() && (Some(p[j]) == one || p[j] == s[i]) {
            i += 1;
            j += 1;
        } else if let Some((sj, si)) = star {
            // Let the last `many` take one more character and try again after it.
            star = Some((sj, si + 1));
            i = si + 1;
            j = sj + 1;
        } else {
            return false;
        }
    }
    p[j..].iter().all(|&c| c == many)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `s` whole matches `p`, `*` taking any run of characters other than white space.
    fn phrase_core(s: &[char], p: &[char]) -> bool {
        match p.first() {
            None => s.is_empty(),
            Some('*') => (0..=s.len())
                .take_while(|&i| i == 0 || !s[i - 1].is_whitespace())
                .any(|i| phrase_core(&s[i..], &p[1..])),
            Some(c) => s.first() == Some(c) && phrase_core(&s[1..], &p[1..]),
        }
    }

    /// matchesPhrase by its definition: some slice of the text matches the phrase between its
    /// end wildcards, with a word boundary at each end that has no wildcard.
    fn phrase_reference(s: &[char], p: &[char]) -> bool {
        let open_start = p.first() == Some(&'*');
        let open_end = p.len() > 1 && p.last() == Some(&'*');
        let core: Vec<char> = {
            let t: &[char] = if open_start { &p[1..] } else { p };
            let t = if open_end && !t.is_empty() {
                &t[..t.len() - 1]
            } else {
                t
            };
            t.to_vec()
        };
        if core.iter().all(|&c| c == '*') {
            return true;
        }
        let word = |c: &char| is_word(*c);
        for i in 0..=s.len() {
            for j in i..=s.len() {
                let before =
                    open_start || !core.first().is_some_and(word) || i == 0 || !word(&s[i - 1]);
                let after =
                    open_end || !core.last().is_some_and(word) || j == s.len() || !word(&s[j]);
                if before && after && phrase_core(&s[i..j], &core) {
                    return true;
                }
            }
        }
        false
    }

    #[test]
    fn matches_phrase_agrees_with_its_definition_on_every_small_case() {
        fn all(alphabet: &[char], max: usize) -> Vec<Vec<char>> {
            let mut out = vec![vec![]];
            let mut last = vec![vec![]];
            for _ in 0..max {
                let next: Vec<Vec<char>> = last
                    .iter()
                    .flat_map(|w: &Vec<char>| {
                        alphabet.iter().map(move |&c| {
                            let mut v = w.clone();
                            v.push(c);
                            v
                        })
                    })
                    .collect();
                out.extend(next.iter().cloned());
                last = next;
            }
            out
        }
        for text in all(&['a', 'b', ' ', '-'], 5) {
            for phrase in all(&['a', 'b', ' ', '*'], 4) {
                // Consecutive wildcards are not a pattern Dynatrace takes.
                if phrase.windows(2).any(|w| w == ['*', '*']) {
                    continue;
                }
                let (t, p): (String, String) = (text.iter().collect(), phrase.iter().collect());
                assert_eq!(
                    matches_phrase(&t, &p, true, '*'),
                    phrase_reference(&text, &phrase),
                    "matchesPhrase({t:?}, {p:?})"
                );
            }
        }
    }

    /// The definition, exponential: the reference the fast matcher is checked against.
    fn like_reference(s: &[char], p: &[char]) -> bool {
        match p.first() {
            None => s.is_empty(),
            Some('%') => (0..=s.len()).any(|i| like_reference(&s[i..], &p[1..])),
            Some('_') => !s.is_empty() && like_reference(&s[1..], &p[1..]),
            Some(c) => s.first() == Some(c) && like_reference(&s[1..], &p[1..]),
        }
    }

    #[test]
    fn like_agrees_with_its_definition_on_every_small_case() {
        // Every string of up to 5 characters over {a, b} and every pattern of up to 5 over
        // {a, b, %, _}.
        fn all(alphabet: &[char], max: usize) -> Vec<Vec<char>> {
            let mut out = vec![vec![]];
            let mut last = vec![vec![]];
            for _ in 0..max {
                let next: Vec<Vec<char>> = last
                    .iter()
                    .flat_map(|w: &Vec<char>| {
                        alphabet.iter().map(move |&c| {
                            let mut w = w.clone();
                            w.push(c);
                            w
                        })
                    })
                    .collect();
                out.extend(next.iter().cloned());
                last = next;
            }
            out
        }
        let strings = all(&['a', 'b'], 5);
        let patterns = all(&['a', 'b', '%', '_'], 5);
        for s in &strings {
            for p in &patterns {
                assert_eq!(like(s, p), like_reference(s, p), "{s:?} {p:?}");
            }
        }
    }

    #[test]
    fn like_is_not_exponential() {
        // The reference would take longer than the age of the universe; this is a few
        // thousand steps. (A regression would hang the test rather than slow it.)
        let s: Vec<char> = "e".repeat(2_000).chars().collect();
        let p: Vec<char> = "%e".repeat(40).chars().chain("zzz".chars()).collect();
        assert!(!like(&s, &p));
    }
}
