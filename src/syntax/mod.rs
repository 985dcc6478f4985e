//! Syntax: source text → AST with spans, and syntax diagnostics.
//!
//! pest stays inside this folder: nothing outside it sees a `Pair`. A file
//! with syntax errors still yields every item that parsed (`recover`), and
//! the names its broken pieces declared, so the checker and the language
//! server keep working on the rest of it.

pub mod ast;
mod depth;
mod errors;
pub mod format;
mod hidden;
pub(crate) mod lexical;
mod parse;
mod recover;
mod trivia;

pub use parse::{parse, Parsed, MAX_DIAGNOSTICS};

#[cfg(test)]
mod tests;
