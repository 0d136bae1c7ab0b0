//! View components. Each file is one component family; none holds query semantics.
//! Every value from a log is rendered as text (never `inner_html`).

pub mod chart;
pub mod details;
pub mod editor;
pub mod share;
pub mod table;
pub mod tree;
