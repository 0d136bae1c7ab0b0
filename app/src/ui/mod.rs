//! View components, one module per component (or component family with its pure model in a
//! submodule). None holds query semantics; they read `crate::store::Ui` from the context and
//! change it through `crate::state`'s operations. Every value from a log is rendered as text
//! (never `inner_html`).

pub mod case_tabs;
pub mod case_view;
pub mod chart;
pub mod compare;
pub mod data_panel;
pub mod details;
pub mod detections;
pub mod dialog;
pub mod editor;
pub mod fields;
pub mod history;
pub mod json;
pub mod lists;
pub mod query_tree;
pub mod record_dialogs;
pub mod reference;
pub mod results;
pub mod share;
pub mod table;
pub mod time_frame;
pub mod tree;
