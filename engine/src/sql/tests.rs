//! Unit tests of the SQL writer: every construct of the table translates or is refused as it
//! says, refusals carry an E5xx code, and nothing panics.

use super::*;

fn opts() -> SqlOptions {
    SqlOptions {
        now_ns: crate::time::parse_timestamp("2026-11-20T12:00:00Z"),
        ..SqlOptions::default()
    }
}

#[test]
fn constructs_translate_or_refuse_as_the_table_says() {
    for c in CONSTRUCTS {
        for (d, want) in [
            (Dialect::Spark, c.spark),
            (Dialect::Athena, c.athena),
            (Dialect::DuckDb, c.duckdb),
        ] {
            let got = transpile(c.example, d, &opts());
            match (want, got) {
                (Some(_), Ok(_)) => {}
                (None, Err(diags)) => assert!(
                    diags.iter().any(|x| x.code.as_str().starts_with("E5")),
                    "{d}: `{}` refused without an E5xx code: {diags:?}",
                    c.example
                ),
                (Some(_), Err(diags)) => panic!("{d}: `{}` was refused: {diags:?}", c.example),
                (None, Ok(sql)) => panic!("{d}: `{}` translated:\n{sql}", c.example),
            }
        }
    }
}

#[test]
fn planner_errors_come_back_as_they_are() {
    let err = transpile("fetch logs | filtr x", Dialect::Spark, &opts()).unwrap_err();
    assert_eq!(err[0].code, crate::diag::Code::E302);
}

#[test]
fn names_and_order_survive() {
    let t = translate(
        "fetch logs, from: -30min | parse content, \"JSON:event\" | summarize n = count(), by: {user = event[userIdentity][arn]} | sort n desc",
        Dialect::DuckDb,
        &opts(),
    )
    .unwrap();
    let names: Vec<&str> = t.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["user", "n"]);
    assert!(t.sql.contains("\"user\""), "{}", t.sql);
    assert!(
        t.sql.ends_with("ORDER BY __o2") || t.sql.contains("ORDER BY __"),
        "{}",
        t.sql
    );
    assert!(t
        .paths
        .contains(&vec!["userIdentity".to_string(), "arn".to_string()]));
}

#[test]
fn athena_refuses_members_it_has_no_column_for() {
    let err = transpile(
        "fetch logs | parse content, \"JSON:event\" | fields m = event[managementEvent]",
        Dialect::Athena,
        &opts(),
    )
    .unwrap_err();
    assert_eq!(err[0].code, crate::diag::Code::E504);
    let ok = transpile(
        "fetch logs | parse content, \"JSON:event\" | fields o = event[requestParameters][origin], u = event[userIdentity][sessionContext][sessionIssuer][userName]",
        Dialect::Athena,
        &opts(),
    )
    .unwrap();
    assert!(
        ok.contains("json_extract(\"requestparameters\", '$.origin')"),
        "{ok}"
    );
    assert!(
        ok.contains("\"useridentity\".\"sessioncontext\".\"sessionissuer\".\"username\""),
        "{ok}"
    );
}
