//! Portable Trailscope investigations: everything a case needs to leave one browser and arrive
//! in another without a server, as pure Rust that runs on the host (tests) and in wasm32 (the
//! page and its worker).
//!
//! - [`casefile`]: a case (name, query, history, notes, pinned evidence, optionally the loaded
//!   events) as one JSON file with a version and SHA-256 integrity hashes, and its checked
//!   reading.
//! - [`link`]: a case's query and time frame in a URL fragment (`#case=…`).
//! - [`export`]: a result as CSV (formula-safe), JSON or a Markdown table.
//! - [`case`]: the portable case itself and the limits every field is checked against.
//! - [`investigation`]: the query tree, evidence lists and reference event a case carries (case
//!   file version 2), with their limits.
//!
//! ```
//! use trailscope_share::{casefile, CaseData};
//! let case = CaseData { name: "Sign-in failures".into(), query: "fetch logs".into(), ..Default::default() };
//! let file = casefile::encode(&case, "2026-11-20T12:00:00Z", None).unwrap();
//! assert_eq!(casefile::decode(&file).unwrap().case, case);
//! let mut tampered = String::from_utf8(file).unwrap().replace("Sign-in", "Sign-up");
//! assert_eq!(casefile::decode(tampered.as_bytes()).unwrap_err(), casefile::CaseFileError::HashMismatch);
//! ```

#![forbid(unsafe_code)]

pub mod case;
pub mod casefile;
pub mod export;
pub mod investigation;
pub mod link;

pub use case::{CaseData, Evidence, TimeFrame};
pub use investigation::{EvidenceList, QueryNode, Reference};
