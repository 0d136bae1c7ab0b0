//! DQL → SQL: a planned pipeline written as one SQL statement for Spark SQL, Amazon Athena
//! (Trino) or DuckDB, over the tables each of them reads CloudTrail exports as (see
//! `docs/sql.md`). The planner has already resolved commands, functions, fields and constants;
//! this module only chooses SQL for each [`Op`] and [`PExpr`].
//!
//! Every construct either translates with Trailscope's semantics (three-valued logic, null
//! handling, result column names, the order of rows: `fetch` newest first, stable `sort`,
//! `summarize` groups in order of first appearance, `makeTimeseries` bins on Trailscope's grid)
//! or is refused with a diagnostic naming it (`E5xx`); never translated to something that
//! answers differently. [`CONSTRUCTS`] is the table of what each dialect takes.
//!
//! The statement is a chain of common table expressions, one per command. Each keeps every
//! column of the one before (a projection only changes which columns the final `SELECT`
//! names), so the members of the parsed event stay readable until `summarize`. The order of
//! rows travels as a column `__o` (a sortable row value), and the final `SELECT` orders by it.
//!
//! ```
//! use trailscope_engine::sql::{transpile, Dialect, SqlOptions};
//! let sql = transpile(
//!     "fetch logs | parse content, \"JSON:event\" | summarize count(), by: {e = event[eventName]}",
//!     Dialect::DuckDb,
//!     &SqlOptions::default(),
//! )
//! .unwrap();
//! assert!(sql.contains("count(*)"));
//! ```

pub mod constructs;
mod dialect;
mod expr;
mod funcs;
mod pipeline;
mod timeseries;

use std::fmt;

use crate::diag::{Code, Diagnostic, Span};
use crate::plan::{self, PlanCtx};
pub use constructs::{Construct, CONSTRUCTS};

/// The SQL dialects Trailscope writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    /// Spark SQL (3.4 and later) over a view of one row per event, as `spark.read.json`
    /// infers it, with `_content`, `_source` and `_index` beside the members.
    Spark,
    /// Amazon Athena (Trino) over the CloudTrail table AWS documents, partitioned by region and
    /// day.
    Athena,
    /// DuckDB over a table of one row per event: `_content` (the event's JSON), `_source`,
    /// `_index`.
    DuckDb,
}

impl Dialect {
    pub const ALL: [Dialect; 3] = [Dialect::Spark, Dialect::Athena, Dialect::DuckDb];

    pub fn name(self) -> &'static str {
        match self {
            Dialect::Spark => "spark",
            Dialect::Athena => "athena",
            Dialect::DuckDb => "duckdb",
        }
    }

    /// How the dialect is named in messages.
    pub fn title(self) -> &'static str {
        match self {
            Dialect::Spark => "Spark SQL",
            Dialect::Athena => "Athena SQL",
            Dialect::DuckDb => "DuckDB SQL",
        }
    }

    pub fn from_name(name: &str) -> Option<Dialect> {
        Dialect::ALL
            .into_iter()
            .find(|d| d.name().eq_ignore_ascii_case(name))
    }

    /// The table the statement reads when the caller names none.
    pub fn default_table(self) -> &'static str {
        match self {
            Dialect::Athena => "cloudtrail_logs",
            _ => "cloudtrail",
        }
    }
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What the statement is written for.
#[derive(Clone, Debug)]
pub struct SqlOptions {
    /// The table (or view) of events; the dialect's default when `None`.
    pub table: Option<String>,
    /// "Now" for relative time frames, ns since the epoch (the CLI passes the wall clock).
    pub now_ns: Option<i64>,
    /// The global time frame, for a `fetch` without one (`None`: all the table's events).
    pub from_ns: Option<i64>,
    pub to_ns: Option<i64>,
    /// The bucket every event of the table is in (`dt.system.bucket`).
    pub bucket: String,
}

impl Default for SqlOptions {
    fn default() -> SqlOptions {
        SqlOptions {
            table: None,
            now_ns: None,
            from_ns: None,
            to_ns: None,
            bucket: "default_logs".into(),
        }
    }
}

/// How a result column's SQL values read back as Trailscope's values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutKind {
    /// A string, number, boolean or null as it is.
    Plain,
    /// A SQL timestamp (printed RFC 3339, UTC).
    Timestamp,
    /// Nanoseconds as an integer.
    Duration,
    /// A row of two timestamps, `start` and `end`.
    Timeframe,
    /// JSON text (an event, a member on DuckDB and Athena, an array on DuckDB and Athena).
    Json,
    /// The dialect's own nested value (Spark: a member as inferred, structs with their null
    /// members left out; arrays).
    Nested,
}

impl OutKind {
    pub fn name(self) -> &'static str {
        match self {
            OutKind::Plain => "plain",
            OutKind::Timestamp => "timestamp",
            OutKind::Duration => "duration",
            OutKind::Timeframe => "timeframe",
            OutKind::Json => "json",
            OutKind::Nested => "nested",
        }
    }
}

/// A result column: its DQL name and how to read its values.
#[derive(Clone, Debug)]
pub struct OutColumn {
    pub name: String,
    pub kind: OutKind,
}

/// A translated query: the statement, its result columns, and the event member paths it reads
/// (a Spark schema inferred from data lacks the members no event has: the driver adds them).
#[derive(Clone, Debug)]
pub struct Translation {
    pub sql: String,
    pub columns: Vec<OutColumn>,
    pub paths: Vec<Vec<String>>,
}

/// The query as one SQL statement of `dialect`, or the diagnostics saying why it cannot be
/// (the planner's errors, or an `E5xx` naming the construct). Never panics.
pub fn transpile(
    query: &str,
    dialect: Dialect,
    options: &SqlOptions,
) -> Result<String, Vec<Diagnostic>> {
    translate(query, dialect, options).map(|t| t.sql)
}

/// [`transpile`] with the result columns and the member paths read.
pub fn translate(
    query: &str,
    dialect: Dialect,
    options: &SqlOptions,
) -> Result<Translation, Vec<Diagnostic>> {
    let run = std::panic::catch_unwind(|| translate_inner(query, dialect, options));
    run.unwrap_or_else(|_| {
        Err(vec![Diagnostic::error(
            Code::E902,
            Span::new(0, query.len()),
            "internal error while writing the query as SQL; please report it with the query",
        )])
    })
}

fn translate_inner(
    query: &str,
    dialect: Dialect,
    options: &SqlOptions,
) -> Result<Translation, Vec<Diagnostic>> {
    let now = options.now_ns.unwrap_or(0);
    let (ast, mut diags) = crate::syntax::parse(query);
    let (plan, plan_diags) = plan::plan(
        &ast,
        &PlanCtx {
            now,
            event_keys: &[],
        },
    );
    diags.extend(plan_diags);
    diags.retain(Diagnostic::is_error);
    let Some(plan) = plan.filter(|_| diags.is_empty()) else {
        if diags.is_empty() {
            diags.push(Diagnostic::error(
                Code::E900,
                Span::new(0, query.len()),
                "internal error: no plan and no error",
            ));
        }
        return Err(diags);
    };
    pipeline::write(&plan, dialect, options, now, query.len())
}

/// A refusal: `what` cannot be written in `dialect`, and why.
pub(crate) fn refuse(
    code: Code,
    span: Span,
    dialect: Dialect,
    what: &str,
    why: &str,
) -> Diagnostic {
    Diagnostic::error(
        code,
        span,
        format!("{what} has no {} translation: {why}", dialect.title()),
    )
    .with_label(format!("not translatable to {}", dialect.title()))
    .with_hint(format!(
        "run it in Trailscope (`trailscope query`), or see docs/sql.md for what {} takes",
        dialect.title()
    ))
}

#[cfg(test)]
mod tests;
