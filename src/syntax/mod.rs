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
mod incremental;
pub(crate) mod lexical;
mod parse;
mod recover;
mod shift;
mod trivia;

pub use incremental::ItemParses;
pub use parse::{parse, Parsed, MAX_DIAGNOSTICS};
pub use shift::move_to_file;

/// Whether the parser reports `code`: a file with such errors still yields
/// the items that parsed, and can be checked.
pub fn reported_by_parser(code: crate::diag::Code) -> bool {
    use crate::diag::Code;
    matches!(
        code,
        Code::SyntaxError
            | Code::NestingTooDeep
            | Code::InvalidLiteral
            | Code::UnterminatedString
            | Code::UnclosedBracket
            | Code::UnterminatedComment
            | Code::BidiCharacter
            | Code::InvisibleCharacter
    )
}

#[cfg(test)]
mod tests;
