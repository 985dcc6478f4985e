//! The formatter: one canonical layout for `.mdl` files.
//!
//! Input: a file's text. Output: the same declarations printed canonically
//! (2-space indents, aligned `=` and types, one blank line between
//! declarations, short brackets on one line), or the file's syntax errors.
//!
//! Invariants, each checked before the text is handed back:
//! - every comment survives: the AST keeps only doc comments, so the others
//!   are recovered from the source between the spans of consecutive nodes
//!   ([`comments`]); if the comments of the output differ from the input's in
//!   any way, the original text is returned unchanged;
//! - the meaning is kept: the output parses to the same AST (spans aside),
//!   else the original is returned;
//! - literals are untouched: strings and numbers are sliced from the source,
//!   never re-escaped or re-printed.
//!
//! Line endings: LF, CRLF and a lone CR all end a line; the output uses the
//! file's dominant one ([`line_endings`]).
//!
//! Formatting is idempotent (`format(format(x)) == format(x)`): every layout
//! decision depends only on the AST, on whether a bracket was written on one
//! line, and on the comments — all of which the output reproduces.

mod block;
pub mod comments;
mod exprs;
mod items;
mod line_endings;
mod printer;
mod project;

use crate::diag::Diagnostic;
use crate::source::FileId;
use crate::syntax::ast::File;
use crate::syntax::parse;

/// What formatting produced, and whether the safety checks had to step in.
#[derive(Debug, Clone)]
pub struct Formatted {
    /// The text to write: formatted, or the original when `fallback` is set.
    pub text: String,
    /// Why the original was kept, if it was.
    pub fallback: Option<Fallback>,
}

/// Why the formatter kept a file as written instead of its own output.
#[derive(Debug, Clone)]
pub enum Fallback {
    /// The output's comments differ from the input's (a formatter bug).
    Comments { missing: Vec<String>, added: Vec<String> },
    /// The output (or, for [`guard`], the original) does not parse.
    Syntax(Vec<Diagnostic>),
    /// The output parses to a different AST (a formatter bug).
    Meaning,
}

/// Format one file. `Err` holds its syntax errors; the caller then leaves
/// the file untouched. A file the formatter cannot print faithfully comes
/// back unchanged.
pub fn format_source(file: FileId, text: &str) -> Result<String, Vec<Diagnostic>> {
    format_checked(file, text).map(|formatted| formatted.text)
}

/// [`format_source`], also saying whether the safety checks kept the original.
///
/// Line endings: the output ends its lines as most lines of the input do
/// (LF, CRLF or a lone CR; LF on a tie), outside string literals and block
/// comments, which are kept byte for byte. The printer itself works on LF text.
pub fn format_checked(file: FileId, text: &str) -> Result<Formatted, Vec<Diagnostic>> {
    let parsed = parse(file, text);
    if parsed.has_errors() {
        return Err(parsed.diagnostics);
    }
    if !text.contains('\r') {
        let printed = printer::Printer::new(text).file(&parsed.file);
        return Ok(check(file, text, &parsed.file, printed));
    }
    let ending = line_endings::dominant(text);
    let lf = line_endings::convert(text, "\n");
    let parsed = parse(file, &lf);
    if parsed.has_errors() {
        return Err(parsed.diagnostics);
    }
    let printed = printer::Printer::new(&lf).file(&parsed.file);
    let formatted = check(file, &lf, &parsed.file, printed);
    Ok(match formatted.fallback {
        Some(reason) => Formatted { text: text.to_string(), fallback: Some(reason) },
        None => Formatted { text: line_endings::convert(&formatted.text, ending), fallback: None },
    })
}

/// The printer's output without the safety checks (`None` on syntax
/// errors): for inspecting what a fallback would have written.
pub fn print_unchecked(file: FileId, text: &str) -> Option<String> {
    let parsed = parse(file, text);
    (!parsed.has_errors()).then(|| printer::Printer::new(text).file(&parsed.file))
}

/// The safety checks on their own: `candidate` is accepted as the formatting
/// of `original` only if it keeps every comment and the AST; otherwise the
/// original comes back with the reason. Public so the checks can be tested
/// (and reused by tools that rewrite files).
pub fn guard(file: FileId, original: &str, candidate: String) -> Formatted {
    let parsed = parse(file, original);
    if parsed.has_errors() {
        // Without the original's AST nothing says the candidate means the same.
        return Formatted {
            text: original.to_string(),
            fallback: Some(Fallback::Syntax(parsed.diagnostics)),
        };
    }
    check(file, original, &parsed.file, candidate)
}

fn check(file: FileId, original: &str, ast: &File, candidate: String) -> Formatted {
    let keep = |reason| Formatted { text: original.to_string(), fallback: Some(reason) };
    let before = comments::comment_texts(original);
    let after = comments::comment_texts(&candidate);
    if before != after {
        let (missing, added) = difference(&before, &after);
        return keep(Fallback::Comments { missing, added });
    }
    let reparsed = parse(file, &candidate);
    if reparsed.has_errors() {
        return keep(Fallback::Syntax(reparsed.diagnostics));
    }
    if shape(&reparsed.file) != shape(ast) {
        return keep(Fallback::Meaning);
    }
    Formatted { text: candidate, fallback: None }
}

/// The items of two sorted lists that the other lacks (as multisets).
fn difference(before: &[String], after: &[String]) -> (Vec<String>, Vec<String>) {
    let mut missing = Vec::new();
    let mut added = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < before.len() || j < after.len() {
        match (before.get(i), after.get(j)) {
            (Some(a), Some(b)) if a == b => {
                i += 1;
                j += 1;
            }
            (Some(a), Some(b)) if a < b => {
                missing.push(a.clone());
                i += 1;
            }
            (Some(a), None) => {
                missing.push(a.clone());
                i += 1;
            }
            (_, Some(b)) => {
                added.push(b.clone());
                j += 1;
            }
            (None, None) => break,
        }
    }
    (missing, added)
}

/// The AST with every span erased: two files with the same shape mean the
/// same thing. Used by the safety check and by tests.
pub fn shape(file: &File) -> String {
    let debug = format!("{:?}", file.items);
    let mut out = String::with_capacity(debug.len());
    let mut rest = debug.as_str();
    while let Some(at) = rest.find("Span {") {
        out.push_str(&rest[..at]);
        out.push('_');
        rest = rest[at..].find('}').map_or("", |close| &rest[at + close + 1..]);
    }
    out.push_str(rest);
    out
}
