//! The spelling of each dialect: quoting, literals, time values, and how a value read from an
//! event (a *dynamic* value: a JSON string, number, boolean, object or array) is tested for
//! its type and read as one. Spark reads members from the structs `spark.read.json` inferred,
//! DuckDB from the event's JSON with its JSON functions, Athena from the documented columns and,
//! inside `requestparameters`/`responseelements`/`additionaleventdata`, with Trino's JSON
//! functions.

use super::Dialect;
use crate::time;

impl Dialect {
    /// A quoted identifier.
    pub(super) fn ident(self, name: &str) -> String {
        match self {
            Dialect::Spark => format!("`{}`", name.replace('`', "``")),
            _ => format!("\"{}\"", name.replace('"', "\"\"")),
        }
    }

    /// A string literal. Spark reads backslash escapes in literals; the others do not.
    pub(super) fn string(self, s: &str) -> String {
        match self {
            Dialect::Spark => {
                let mut out = String::with_capacity(s.len() + 2);
                out.push('\'');
                for c in s.chars() {
                    match c {
                        '\\' => out.push_str("\\\\"),
                        '\'' => out.push_str("\\'"),
                        '\n' => out.push_str("\\n"),
                        '\r' => out.push_str("\\r"),
                        '\t' => out.push_str("\\t"),
                        c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
                        c => out.push(c),
                    }
                }
                out.push('\'');
                out
            }
            _ => format!("'{}'", s.replace('\'', "''")),
        }
    }

    /// A 64-bit integer literal.
    pub(super) fn long(self, v: i64) -> String {
        match self {
            Dialect::Spark => format!("{v}L"),
            Dialect::DuckDb => format!("CAST({v} AS BIGINT)"),
            Dialect::Athena => format!("BIGINT '{v}'"),
        }
    }

    /// A double literal (finite): exponent notation is a double in all three.
    pub(super) fn double(self, v: f64) -> String {
        let s = format!("{v:e}");
        if v.is_sign_negative() {
            format!("({s})")
        } else {
            s
        }
    }

    /// The SQL type name of a type, for typed nulls and casts.
    pub(super) fn type_name(self, t: SqlType) -> &'static str {
        match (self, t) {
            (Dialect::Spark, SqlType::Str) => "STRING",
            (_, SqlType::Str) => "VARCHAR",
            (_, SqlType::Long) => "BIGINT",
            (_, SqlType::Double) => "DOUBLE",
            (_, SqlType::Bool) => "BOOLEAN",
            (Dialect::Athena, SqlType::Ts) => "TIMESTAMP(3) WITH TIME ZONE",
            (_, SqlType::Ts) => "TIMESTAMP",
        }
    }

    /// A timestamp constant (ns since the epoch; SQL keeps microseconds, Athena milliseconds).
    pub(super) fn timestamp(self, ns: i64) -> String {
        let text = time::format_timestamp(ns);
        match self {
            Dialect::Spark => format!("TIMESTAMP '{text}'"),
            Dialect::DuckDb => {
                let naive = text.trim_end_matches('Z').replace('T', " ");
                format!("TIMESTAMP '{naive}'")
            }
            Dialect::Athena => format!("from_iso8601_timestamp('{text}')"),
        }
    }

    /// Microseconds since the epoch of a timestamp expression.
    pub(super) fn micros(self, ts: &str) -> String {
        match self {
            Dialect::Spark => format!("unix_micros({ts})"),
            Dialect::DuckDb => format!("epoch_us({ts})"),
            Dialect::Athena => format!("CAST(round(to_unixtime({ts}) * 1e6) AS BIGINT)"),
        }
    }

    /// A timestamp from microseconds since the epoch.
    pub(super) fn ts_of_micros(self, us: &str) -> String {
        match self {
            Dialect::Spark => format!("timestamp_micros({us})"),
            Dialect::DuckDb => format!("make_timestamp({us})"),
            Dialect::Athena => format!("from_unixtime(({us}) / 1e6, 'UTC')"),
        }
    }

    /// An event's `eventTime` text as a timestamp (null when it does not read as one).
    pub(super) fn parse_event_time(self, text: &str) -> String {
        match self {
            Dialect::Spark => format!("try_to_timestamp({text})"),
            Dialect::DuckDb => {
                format!("try_strptime({text}, ['%Y-%m-%dT%H:%M:%SZ', '%Y-%m-%dT%H:%M:%S.%fZ'])")
            }
            Dialect::Athena => format!("try(from_iso8601_timestamp({text}))"),
        }
    }

    /// A row value with named fields (orderable: rows compare field by field).
    pub(super) fn row(self, fields: &[(&str, String)]) -> String {
        match self {
            Dialect::Spark => {
                let parts: Vec<String> = fields
                    .iter()
                    .map(|(n, e)| format!("{}, {e}", self.string(n)))
                    .collect();
                format!("named_struct({})", parts.join(", "))
            }
            Dialect::DuckDb => {
                let parts: Vec<String> = fields
                    .iter()
                    .map(|(n, e)| format!("{}: {e}", self.string(n)))
                    .collect();
                format!("{{{}}}", parts.join(", "))
            }
            Dialect::Athena => {
                let vals: Vec<&str> = fields.iter().map(|(_, e)| e.as_str()).collect();
                format!("ROW({})", vals.join(", "))
            }
        }
    }

    /// A time frame result value: a row of `start` and `end`.
    pub(super) fn timeframe(self, start: &str, end: &str) -> String {
        match self {
            Dialect::Athena => format!(
                "CAST(ROW({start}, {end}) AS ROW(\"start\" TIMESTAMP(3) WITH TIME ZONE, \"end\" TIMESTAMP(3) WITH TIME ZONE))"
            ),
            _ => self.row(&[("start", start.to_string()), ("end", end.to_string())]),
        }
    }

    /// `a op b` on BIGINTs, null where it overflows (`+`, `-`, `*`). DuckDB and Trino work it
    /// out in a wider type and `TRY_CAST` it back (their `TRY(…)` may not hold an aggregation).
    pub(super) fn checked(self, op: &str, a: &str, b: &str) -> String {
        match (self, op) {
            (Dialect::Spark, "+") => format!("try_add({a}, {b})"),
            (Dialect::Spark, "-") => format!("try_subtract({a}, {b})"),
            (Dialect::Spark, "*") => format!("try_multiply({a}, {b})"),
            (Dialect::DuckDb, _) => format!("TRY_CAST(CAST({a} AS HUGEINT) {op} {b} AS BIGINT)"),
            _ => format!("TRY_CAST(CAST({a} AS DECIMAL(38, 0)) {op} {b} AS BIGINT)"),
        }
    }

    /// Integer division that truncates toward zero, as Trailscope's long division does
    /// (the divisor is known not to be zero).
    pub(super) fn int_div(self, a: &str, b: &str) -> String {
        match self {
            Dialect::Spark => format!("({a} div {b})"),
            Dialect::DuckDb => format!("({a} // {b})"),
            Dialect::Athena => format!("(CAST({a} AS BIGINT) / CAST({b} AS BIGINT))"),
        }
    }
}

/// The scalar SQL types a typed null or cast names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum SqlType {
    Str,
    Long,
    Double,
    Bool,
    Ts,
}

/// The JSON type a dynamic value is tested for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum JsonType {
    Str,
    Num,
    Bool,
}

impl Dialect {
    /// True when the dynamic value `d` is missing or null.
    pub(super) fn dyn_is_null(self, d: &str) -> String {
        match self {
            Dialect::Athena => format!("({d} IS NULL OR json_format({d}) = 'null')"),
            _ => format!("({d} IS NULL)"),
        }
    }

    /// True when `d` is of JSON type `t` (null when `d` is null).
    pub(super) fn dyn_is(self, d: &str, t: JsonType) -> String {
        match (self, t) {
            (Dialect::Spark, JsonType::Str) => format!("(typeof({d}) = 'string')"),
            (Dialect::Spark, JsonType::Num) => {
                format!(
                    "(typeof({d}) IN ('bigint', 'int', 'double') OR typeof({d}) LIKE 'decimal%')"
                )
            }
            (Dialect::Spark, JsonType::Bool) => format!("(typeof({d}) = 'boolean')"),
            (Dialect::DuckDb, JsonType::Str) => format!("(json_type({d}) = 'VARCHAR')"),
            (Dialect::DuckDb, JsonType::Num) => {
                format!("(json_type({d}) IN ('BIGINT', 'UBIGINT', 'DOUBLE'))")
            }
            (Dialect::DuckDb, JsonType::Bool) => format!("(json_type({d}) = 'BOOLEAN')"),
            (Dialect::Athena, JsonType::Str) => format!("(substr(json_format({d}), 1, 1) = '\"')"),
            (Dialect::Athena, JsonType::Num) => {
                format!("regexp_like(json_format({d}), '^-?[0-9]')")
            }
            (Dialect::Athena, JsonType::Bool) => {
                format!("(json_format({d}) IN ('true', 'false'))")
            }
        }
    }

    /// `d` read as a value of JSON type `t` (a string, a double, a boolean), null when it is
    /// of another type.
    pub(super) fn dyn_as(self, d: &str, t: JsonType) -> String {
        format!(
            "(CASE WHEN {} THEN {} END)",
            self.dyn_is(d, t),
            self.dyn_read(d, t)
        )
    }

    /// `d` read as JSON type `t`, where it is known to be of that type.
    pub(super) fn dyn_read(self, d: &str, t: JsonType) -> String {
        match (self, t) {
            (Dialect::Spark, JsonType::Str) => format!("CAST({d} AS STRING)"),
            (Dialect::Spark, JsonType::Num) => format!("try_cast(CAST({d} AS STRING) AS DOUBLE)"),
            (Dialect::Spark, JsonType::Bool) => {
                format!("try_cast(CAST({d} AS STRING) AS BOOLEAN)")
            }
            (Dialect::DuckDb, JsonType::Str) => format!("({d} ->> '$')"),
            (Dialect::DuckDb, JsonType::Num) => format!("CAST({d} AS DOUBLE)"),
            (Dialect::DuckDb, JsonType::Bool) => format!("CAST({d} AS BOOLEAN)"),
            (Dialect::Athena, JsonType::Str) => format!("json_extract_scalar({d}, '$')"),
            (Dialect::Athena, JsonType::Num) => format!("CAST({d} AS DOUBLE)"),
            (Dialect::Athena, JsonType::Bool) => format!("CAST({d} AS BOOLEAN)"),
        }
    }

    /// A dynamic value as a result cell (see [`super::OutKind::Json`]).
    pub(super) fn dyn_out(self, d: &str) -> String {
        match self {
            Dialect::Athena => format!("json_format({d})"),
            Dialect::DuckDb => format!("CAST({d} AS VARCHAR)"),
            Dialect::Spark => d.to_string(),
        }
    }

    /// A JSON path (`$.a.b[0]`) for the JSON functions, member names quoted where needed.
    pub(super) fn json_path(self, path: &[PathKey]) -> String {
        let mut out = String::from("$");
        for k in path {
            match k {
                PathKey::Index(i) => out.push_str(&format!("[{i}]")),
                PathKey::Name(n) => {
                    let plain = !n.is_empty()
                        && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                        && !n.starts_with(|c: char| c.is_ascii_digit());
                    if plain {
                        out.push('.');
                        out.push_str(n);
                    } else {
                        let escaped = n.replace('\\', "\\\\").replace('"', "\\\"");
                        out.push_str(&format!("[\"{escaped}\"]"));
                    }
                }
            }
        }
        out
    }
}

/// One step of a member path inside an event.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum PathKey {
    Name(String),
    Index(i64),
}
