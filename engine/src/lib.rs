//! Trailscope's query engine: loads AWS CloudTrail exports and runs Dynatrace Query Language
//! (DQL) pipelines over them, natively or in WebAssembly.
//!
//! ```
//! use trailscope_engine::{load_bytes, run_query, LoadOptions, QueryOptions};
//! let export = br#"{"Records":[{"eventVersion":"1.08","eventTime":"2026-11-20T11:45:00Z",
//!   "eventSource":"kms.amazonaws.com","eventName":"CreateKey","awsRegion":"us-east-1",
//!   "eventID":"e1","recipientAccountId":"111122223333",
//!   "requestParameters":{"origin":"EXTERNAL"}}]}"#;
//! let (store, report) = load_bytes("export.json", export, LoadOptions::default());
//! assert_eq!(report.events(), 1);
//! let out = run_query(&store, r#"fetch logs
//! | parse content, "JSON:event"
//! | filterOut startsWith(event[requestParameters][origin], "AWS_")
//! | fields origin = event[requestParameters][origin]"#, &QueryOptions::default()).unwrap();
//! assert_eq!(out.table.cell_text(0, 0), "EXTERNAL");
//! ```

#![forbid(unsafe_code)]

pub mod complete;
pub mod detect;
pub mod diag;
pub mod dpl;
pub mod exec;
pub mod functions;
pub mod identity;
pub mod ingest;
pub mod ip;
pub mod plan;
pub mod sql;
pub mod storage;
pub mod syntax;
pub mod terminal;
pub mod time;
pub mod uid;
pub mod value;

pub use diag::{render as render_diagnostics_list, Diagnostic, Severity, Span};
pub use exec::{explain_query, run_query, QueryOptions, QueryOutput, Table};
pub use ingest::{load_bytes, FileReport, LoadOptions, LoadReport, Loader, Shape};
pub use storage::Store;
pub use value::Value;

/// Renders diagnostics with the query text and carets, as the CLI and the app show them.
pub fn render_diagnostics(query: &str, diags: &[Diagnostic]) -> String {
    diag::render(query, diags)
}
