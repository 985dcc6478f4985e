//! `mdl lsp`: the language server over stdio, for editors.

use super::Outcome;

/// Serve until the editor exits.
pub fn run() -> Outcome {
    match mdl::lsp::run_stdio() {
        Ok(()) => Outcome::Ok,
        Err(error) => {
            eprintln!("error: language server stopped: {error}");
            Outcome::Usage
        }
    }
}
