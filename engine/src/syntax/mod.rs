//! Query text to syntax tree: [`lex`] then [`parse`]; and the language's surface facts the UI
//! needs (quoting in [`quote`], token classes for colouring in [`highlight`]), kept here so that
//! nothing outside the engine re-implements them.

pub mod ast;
pub mod highlight;
pub mod lex;
pub mod parse;
pub mod quote;

pub use parse::parse;
