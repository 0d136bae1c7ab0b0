//! `docs/sql.md` is generated from `engine/src/sql/doc.md` and the construct table
//! (`engine/src/sql/constructs.rs`): this fails when it is stale (`BLESS=1` rewrites it).

mod support;

#[test]
fn the_sql_page_is_generated_from_the_construct_table() {
    support::check_generated(
        "docs/sql.md",
        &trailscope_engine::sql::constructs::document(),
        "BLESS=1 cargo test -p trailscope-engine --test sql_docs",
    );
}
