//! Syntax: source text → AST with spans, and syntax diagnostics.
//!
//! pest stays inside this folder: nothing outside it sees a `Pair`.

pub mod ast;
mod depth;
mod errors;
pub mod format;
pub(crate) mod lexical;
mod parse;
mod trivia;

pub use parse::parse;

#[cfg(test)]
mod tests;
