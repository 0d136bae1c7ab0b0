//! The table of diagnostic codes: one declaration per code with its meaning, a query that
//! raises it and a hint. Diagnostics can only carry a code of this table ([`Code`] is generated
//! from it), `docs/errors.md` is generated from it, and `engine/tests/error_codes.rs` checks
//! that every example raises its code.
//!
//! Families: `E1xx` reading the text (lexer), `E2xx` the shape of the query (parser), `E3xx`
//! names, parameters and types (planner), `E4xx` a run stopped by its budget (memory, time,
//! Cancel), `E5xx` a query with no SQL translation (`sql::transpile`), `E9xx` internal errors (a bug: no query should raise them); `W3xx` warnings, which
//! do not stop a query.

/// Declares the codes: `CODE => meaning, example, hint;`. An example `<N×s>` stands for the
/// text `s` repeated N times.
macro_rules! codes {
    ($($code:ident => $meaning:literal, $example:literal, $hint:literal;)*) => {
        /// A diagnostic code; see the module documentation.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $($code,)*
        }

        /// Every code with its documentation, in order.
        pub static CODES: &[CodeInfo] = &[
            $(CodeInfo {
                code: Code::$code,
                meaning: $meaning,
                example: $example,
                hint: $hint,
            },)*
        ];

        impl Code {
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$code => stringify!($code),)*
                }
            }
        }
    };
}

/// One row of the table.
#[derive(Debug)]
pub struct CodeInfo {
    pub code: Code,
    pub meaning: &'static str,
    /// A query that raises the code; empty for internal errors, which no query should raise.
    pub example: &'static str,
    pub hint: &'static str,
}

impl Code {
    pub fn info(self) -> &'static CodeInfo {
        &CODES[self as usize]
    }

    pub fn is_warning(self) -> bool {
        self.as_str().starts_with('W')
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<&str> for Code {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl CodeInfo {
    /// The example with `<N×s>` repetitions written out.
    pub fn example_text(&self) -> String {
        let mut out = String::new();
        let mut rest = self.example;
        while let Some(start) = rest.find('<') {
            let Some(len) = rest[start..].find('>') else {
                break;
            };
            let inner = &rest[start + 1..start + len];
            match inner.split_once('×') {
                Some((n, s)) if n.parse::<usize>().is_ok() => {
                    out.push_str(&rest[..start]);
                    out.push_str(&s.repeat(n.parse().unwrap_or(0)));
                }
                _ => out.push_str(&rest[..start + len + 1]),
            }
            rest = &rest[start + len + 1..];
        }
        out.push_str(rest);
        out
    }
}

codes! {
    E101 => "a character that starts no name, value or operator",
        "fetch logs | filter a == ^",
        "remove it, or put the text in double quotes";
    E102 => "a backtick name that is not closed",
        "fetch logs | fields `count()",
        "close the name with a backtick";
    E103 => "a `/* … */` comment that is not closed",
        "fetch logs /* note",
        "close the comment with `*/`";
    E104 => "a string that is not closed",
        "fetch logs | filter aws.region == \"us-east-1",
        "close the string with `\"` (or `\"\"\"` for a triple-quoted one)";
    E105 => "an invalid `\\u` escape in a string",
        "data record(s = \"\\u12\")",
        "write `\\u` followed by exactly four hex digits, e.g. `\\u00e9`";
    E106 => "a number that is too large or malformed",
        "data record(n = 99999999999999999999)",
        "longs hold at most 9223372036854775807; write large values as doubles (1e20)";
    E107 => "a string in single quotes",
        "fetch logs | filter aws.region == 'us-east-1'",
        "DQL strings use double quotes: \"us-east-1\"";
    E201 => "a token missing where the grammar needs it (a closing bracket, a comma)",
        "fetch logs | filter lower(aws.region",
        "add what the message says is expected";
    E202 => "an empty query",
        "// only a comment",
        "start with a command such as `fetch logs`";
    E203 => "two parameters or commands without `,` or `|` between them",
        "fetch logs | summarize count() by: {aws.region}",
        "separate parameters with `,` and commands with `|`";
    E204 => "something other than a command name after `|`",
        "fetch logs | 42",
        "every pipeline stage starts with a command such as `filter`";
    E205 => "`=` where a comparison needs `==`",
        "fetch logs | filter aws.region = \"us-east-1\"",
        "compare with `==`; `=` names a result (`n = count()`)";
    E206 => "an expression nested too deeply",
        "data record(a = <201×(>1<201×)>)",
        "split the expression; at most 200 levels of nesting are read";
    E207 => "`in` with something other than a sub-query `[ … ]` on its right",
        "data record(a = 1) | filter a in array(1, 2)",
        "for a list of values use the function: in(a, array(1, 2)); `in` takes a sub-query: a in [data record(x = 1) | fields x]";
    E208 => "`@` without a time unit",
        "fetch logs | fields t = timestamp@",
        "write a unit after `@`, e.g. `timestamp@h`";
    E209 => "`[` followed by something other than a member name, an index or `]`",
        "data record(a = array(1)) | fields b = a[+]",
        "write a member name, an index or nothing: event[eventName], a[0], a[]";
    E210 => "something other than an expression where a value is needed",
        "fetch logs | fields x = {aws.region}",
        "a `{ }` group is only allowed as a parameter; build records with record(…) and arrays with array(…)";
    E211 => "a reserved word where a value is needed",
        "fetch logs | fields and",
        "write a field of that name in backticks: `and`";
    E212 => "a `|` with no command after it",
        "fetch logs | limit 5 |",
        "remove the trailing `|` or add a command";
    E301 => "a query that does not start with `fetch` or `data`, or a starting command later in the pipeline",
        "filter aws.region == \"us-east-1\"",
        "start with `fetch logs`";
    E302 => "an unknown command, or one Trailscope does not run yet",
        "fetch logs | filtr aws.region == \"us-east-1\"",
        "see the hint for the closest command";
    E303 => "an unknown parameter of a command",
        "fetch logs, form: -1h",
        "see the hint for the parameters the command takes";
    E304 => "`fetch` of something other than `logs`",
        "fetch events",
        "Trailscope holds CloudTrail events as logs: fetch logs";
    E305 => "a second positional parameter of `fetch`",
        "fetch logs, -1h",
        "name it: fetch logs, from: -1h";
    E306 => "a bucket name that is not text",
        "fetch logs, bucket: 5",
        "write the bucket name in quotes";
    E307 => "a contradictory time frame",
        "fetch logs, timeframe: \"2026-11-20T00:00:00Z/2026-11-21T00:00:00Z\", from: -1h",
        "give either timeframe: or from:/to:, with from: before to:";
    E308 => "a time that cannot be read",
        "fetch logs, from: \"yesterday\"",
        "write an ISO 8601 timestamp (\"2026-11-20T08:00:00Z\") or a duration before now (-30min)";
    E309 => "a parameter that must be constant but reads fields",
        "fetch logs, from: timestamp",
        "use a literal or an expression of literals and now()";
    E310 => "`data` input that is not records",
        "data json: \"[1, 2]\"",
        "give record(…) values or JSON objects";
    E311 => "an item a field command cannot take",
        "fetch logs | fieldsKeep region = aws.region",
        "fieldsKeep/fieldsRemove take names or `*` patterns; rename with fieldsRename new = old";
    E312 => "`sort` without an expression",
        "fetch logs | sort",
        "name what to sort by: sort timestamp desc";
    E313 => "a `limit` that is not a whole number of 0 or more",
        "fetch logs | limit -1",
        "write a number such as limit 100";
    E314 => "`dedup` without an expression",
        "fetch logs | dedup",
        "name what makes records duplicates: dedup aws.region";
    E315 => "a command without its one parameter, or with more than one",
        "fetch logs | filter",
        "filter takes one condition; limit takes one number";
    E316 => "a sort direction other than \"ascending\" or \"descending\"",
        "fetch logs | sort timestamp, direction: \"up\"",
        "write direction: \"descending\" or put `desc` after the expression";
    E317 => "`parse` without its field and pattern",
        "fetch logs | parse content",
        "write parse content, \"JSON:event\"";
    E318 => "a `parse` parameter with a value of the wrong type",
        "fetch logs | parse content, \"JSON:event\", preserveFieldsOnFailure: \"yes\"",
        "preserveFieldsOnFailure: true or false; parsingPrerequisite: a condition";
    E319 => "a DPL pattern that does not compile (syntax, an unknown matcher or configuration, a matcher not supported yet) or exports nothing",
        "fetch logs | parse content, \"LD ':' INTEGR:port\"",
        "the caret points into the pattern; the hint names the closest matcher";
    E320 => "a named parameter an aggregation does not take here",
        "fetch logs | summarize count(default: 0)",
        "`default:` belongs to makeTimeseries aggregations";
    E321 => "a field outside an aggregation in `summarize`",
        "fetch logs | summarize aws.region",
        "group by it with by: { … } or wrap it, e.g. takeFirst(x)";
    E322 => "`summarize` without an aggregation",
        "fetch logs | summarize",
        "add one, e.g. summarize count(), by: {aws.region}";
    E323 => "a `makeTimeseries` without an aggregation, or with one it does not support; `start()`/`end()` alone or outside makeTimeseries",
        "fetch logs | makeTimeseries takeFirst(content)",
        "time series take count, countIf, sum, avg, min, max or countDistinct; use summarize for the others";
    E324 => "a `makeTimeseries` parameter with a bad value",
        "fetch logs | makeTimeseries count(), interval: -5m",
        "interval: a positive duration; bins: 1 to 1500; not both";
    E326 => "a duration with an unknown unit or too long, or a calendar duration (months `M`, quarters `q`, years `y`) used as a value rather than in time arithmetic",
        "data record(d = 5parsecs)",
        "use ns, us, ms, s, m, h, d or w; add calendar durations to a time: now() - 1M";
    E327 => "`~` with something other than a string literal on its right",
        "fetch logs | filter content ~ aws.region",
        "search for a literal: content ~ \"AccessDenied\"";
    E328 => "an operator on constants of types it does not apply to",
        "data record(a = 22 * \"a\")",
        "convert first, e.g. toLong(\"22\")";
    E329 => "an unknown time unit after `@`",
        "fetch logs | fields t = timestamp@fortnight",
        "use s, m, h, d, w, M, q or y (with a count: @15m)";
    E330 => "an unknown function",
        "fetch logs | filter startWith(content, \"a\")",
        "see the hint for the closest function (docs/functions.md lists them all)";
    E331 => "an aggregation where a value is needed",
        "fetch logs | filter count() > 1",
        "aggregate with summarize first; refer to its result by name";
    E332 => "an unknown parameter of a function",
        "fetch logs | filter contains(content, \"a\", caseSensitiv: false)",
        "see the hint for the closest parameter name";
    E333 => "a `{ }` group with something other than plain values",
        "data record(s = \"x\") | fields m = matchesValue(s, {a = \"x\"})",
        "list values only: {\"x\", \"y\"}";
    E334 => "a function called with too few or too many positional parameters",
        "data record(s = \"x\") | fields c = lower(s, \"x\")",
        "optional parameters are passed by name (substring(s, from: 2))";
    E335 => "a sub-query `[ … ]` where a value is needed",
        "fetch logs | fields x = [fetch logs]",
        "sub-queries are not supported yet";
    E336 => "a constant condition that is not a boolean",
        "fetch logs | filter 42",
        "write a comparison, e.g. filter n == 42";
    E337 => "`makeTimeseries` over records without a `timestamp` field",
        "data record(a = 1) | makeTimeseries count()",
        "name the time with time: <expression>";
    E338 => "a field command without any field",
        "fetch logs | fields",
        "name at least one field";
    E339 => "a constant of another type where a function takes text",
        "data record() | fields l = lower(5)",
        "convert it with toString(…)";
    E340 => "a function parameter that must be constant reads fields",
        "data record(t = now(), i = 5m) | fields b = bin(t, i)",
        "write the value itself, e.g. bin(timestamp, 5m)";
    E341 => "a command without its sub-query `[ … ]` or another parameter it needs (`on:`, `lookupField:`, a name)",
        "data record(a = 1) | lookup [data record(a = 1)]",
        "the message names what is missing; e.g. lookup [ … ], sourceField: a, lookupField: a";
    E342 => "a join condition other than a field name or `left[a] == right[b]`",
        "data record(a = 1) | join [data record(a = 1)], on: {a > 1}",
        "write on: {key} for the same name on both sides, or on: {left[a] == right[b]}";
    E343 => "a command parameter with a value outside its range or choices",
        "data record(a = 1) | join [data record(a = 1)], on: {a}, kind: sideways",
        "the message lists the values it takes";
    E344 => "a sub-query of `in` that does not return exactly one field",
        "data record(a = 1) | filter a in [data record(a = 1, b = 2)]",
        "end the sub-query with `| fields <one field>`";
    E345 => "a search term with `**` or more than 64 wildcards",
        "data record(a = \"x\") | search \"a**b\"",
        "use one `*` between characters; at most 64 in a term";
    E346 => "`iIndex()` outside an iterative expression, or an iterative expression `a[]` where one cannot be used",
        "data record(a = 1) | fields i = iIndex()",
        "use it beside an array's elements: record(value = a[], index = iIndex())";
    E347 => "a constant function or aggregation parameter of the wrong type or outside its range, or `exists` of something other than a field",
        "data record(a = 1) | summarize percentile(a, 150)",
        "the message names the range or type the parameter takes";
    E348 => "a function argument that must name something it cannot be: an unknown time zone, a date-time pattern that cannot be read, a malformed locale",
        "data record(t = now()) | fields h = getHour(t, timezone: \"Europe/Berln\")",
        "see the hint for the closest zone; patterns are Java's (yyyy-MM-dd HH:mm), text in quotes";
    E401 => "a run that builds more values than its memory budget allows (it is stopped, the loaded data stays)",
        "data record(s = \"0123456789abcdef\")<24×| fieldsAdd s = concat(s, s) >",
        "filter first, keep fewer or shorter fields; the CLI's --max-memory and the app's budget set the limit";
    E402 => "a run stopped before its end: cancelled by the user, or over its time limit (examples run with Cancel pressed)",
        "fetch logs | summarize count()",
        "narrow it down with a time frame or filters and run it again";
    E501 => "a command with no SQL translation in the dialect asked for (`trailscope sql`, `trailscope spark`; examples are written for every dialect)",
        "fetch logs | fieldsSummary aws.region",
        "docs/sql.md lists the commands each dialect takes; run the rest in Trailscope";
    E502 => "a function or aggregation with no SQL translation in the dialect asked for",
        "fetch logs | parse content, \"JSON:event\" | fields h = hashMd5(event[eventName])",
        "docs/sql.md lists the functions each dialect takes";
    E503 => "an expression or value SQL cannot hold with Trailscope's meaning (a record or array built in the query, a comparison of two event members, an iterative expression, a time frame without constants)",
        "fetch logs | fields r = record(region = aws.region)",
        "compare a member with a constant or a typed field; the message names the construct";
    E504 => "a field or member the dialect's table does not have (Athena's table has no event text and only the columns AWS documents), or a `parse` other than `parse content, \"JSON:event\"`",
        "fetch logs | parse content, \"LD:head\" | fields head",
        "read the member another way, or run the query in Trailscope or on Spark";
    E900 => "internal error: the planner gave neither a plan nor an error",
        "",
        "please report the query";
    E901 => "internal error while running a query",
        "",
        "please report the query";
    E902 => "internal error while writing a query as SQL",
        "",
        "please report the query";
    W301 => "a field no loaded record has (it reads as null)",
        "fetch logs | filter aws.regon == \"us-east-1\"",
        "see the hint for the closest field";
    W302 => "a member no loaded event has (it reads as null)",
        "fetch logs | parse content, \"JSON:event\" | filter event[eventNmae] == \"ConsoleLogin\"",
        "see the hint for the closest member";
    W303 => "a result name given twice in one command (the last is kept)",
        "data record(a = 1) | fields b = a, b = a",
        "give each result its own name";
    W304 => "a field the previous command's result does not have (it reads as null)",
        "data record(a = 1) | fields b",
        "the hint lists the fields there are";
    W305 => "`parse` writing over an existing field",
        "data record(content = \"{}\") | fieldsAdd event = 1 | parse content, \"JSON:event\"",
        "parse into another name if the field is still needed";
}

/// The reference page: one section per family, a row per code.
pub fn reference() -> String {
    let mut out = String::from(
        "# Diagnostic codes\n\n\
         Generated from the table in `engine/src/diag/codes.rs`; do not edit by hand: `BLESS=1 \
         cargo test -p trailscope-engine --test error_codes` rewrites it, and CI fails when it is \
         stale. Every example is run by that test and raises its code. Errors stop a query; \
         warnings (`W`) do not.\n",
    );
    let families = [
        ("E1", "Reading the text (lexer)"),
        ("E2", "The shape of the query (parser)"),
        ("E3", "Names, parameters and types (planner)"),
        ("E4", "Runs stopped by their budget"),
        ("E9", "Internal errors (a bug: please report the query)"),
        ("W3", "Warnings"),
    ];
    for (prefix, title) in families {
        out.push_str(&format!(
            "\n## {title}\n\n| code | meaning | example | hint |\n|---|---|---|---|\n"
        ));
        for info in CODES.iter().filter(|i| i.code.as_str().starts_with(prefix)) {
            let example = if info.example.is_empty() {
                "—".to_string()
            } else {
                format!("`` {} ``", info.example.replace('|', "\\|"))
            };
            out.push_str(&format!(
                "| {} | {} | {example} | {} |\n",
                info.code,
                info.meaning.replace('|', "\\|"),
                info.hint.replace('|', "\\|")
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_in_order_and_indexes_itself() {
        for (i, info) in CODES.iter().enumerate() {
            assert_eq!(info.code as usize, i);
            assert_eq!(info.code.info().code, info.code);
        }
        assert!(CODES
            .windows(2)
            .all(|w| w[0].code.as_str() < w[1].code.as_str()));
    }

    #[test]
    fn repetitions_in_examples() {
        let info = Code::E206.info();
        let text = info.example_text();
        assert_eq!(text.matches('(').count(), 202);
        assert!(text.starts_with("data record(a = ((("));
    }
}
