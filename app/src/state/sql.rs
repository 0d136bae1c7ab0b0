//! "Copy as Athena SQL" / "Copy as Spark SQL" (issue 16): a case's query written as one SQL
//! statement by the engine's transpiler (`trailscope_engine::sql`), over the picker's time
//! frame, or the engine's refusal rendered as text. The page only shows and copies it; what
//! translates and what is refused is the engine's, the same as `trailscope sql`.

use trailscope_engine::render_diagnostics;
use trailscope_engine::sql::{transpile, Dialect, SqlOptions};
use trailscope_engine::time::format_timestamp;

use super::TimeFrame;

/// The statement for `query` in `dialect`, with a comment saying what it was written from, or
/// the diagnostics (`E5xx` naming the construct SQL cannot express) as text.
pub fn case_sql(
    query: &str,
    dialect: Dialect,
    time: &TimeFrame,
    wall_ns: i64,
    span: Option<(i64, i64)>,
) -> Result<String, String> {
    let now = time.effective_now(wall_ns, span);
    let (from_ns, to_ns) = time.range(wall_ns, span);
    let opts = SqlOptions {
        now_ns: Some(now),
        from_ns,
        to_ns,
        ..SqlOptions::default()
    };
    let sql = transpile(query, dialect, &opts).map_err(|d| render_diagnostics(query, &d))?;
    let table = opts
        .table
        .clone()
        .unwrap_or_else(|| dialect.default_table().to_string());
    Ok(format!(
        "-- {} of a Trailscope query (docs/sql.md), over the table {table}; relative times from {}\n{sql};\n",
        dialect.title(),
        format_timestamp(now)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_795_176_000_000_000_000; // 2026-11-20T12:00:00Z

    #[test]
    fn a_query_becomes_sql_and_a_refusal_says_why() {
        let tf = TimeFrame::default();
        let q = "fetch logs, from: -30min | parse content, \"JSON:event\" | summarize n = count(), by: {e = event[eventName]}";
        for d in [Dialect::Athena, Dialect::Spark] {
            let sql = case_sql(q, d, &tf, NOW, Some((0, NOW))).unwrap();
            assert!(sql.starts_with("-- "), "{sql}");
            assert!(sql.contains("count(*)"), "{sql}");
        }
        let athena = case_sql(q, Dialect::Athena, &tf, NOW, Some((0, NOW))).unwrap();
        assert!(athena.contains("cloudtrail_logs"), "{athena}");
        let err = case_sql(
            "fetch logs | fieldsSummary aws.region",
            Dialect::Spark,
            &tf,
            NOW,
            None,
        )
        .unwrap_err();
        assert!(
            err.contains("E501") && err.contains("fieldsSummary"),
            "{err}"
        );
    }
}
