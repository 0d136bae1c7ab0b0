//! Query text to syntax tree: [`lex`] then [`parse`].

pub mod ast;
pub mod lex;
pub mod parse;

pub use parse::parse;
