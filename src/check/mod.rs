//! Checking: names, types, units, deploy-time values and secrets, before any
//! environment is evaluated.
//!
//! Input: a loaded [`Workspace`]. Output: the [`Scopes`] the evaluator resolves
//! names with, and every independent problem found, sorted by position. An
//! unknown name is reported once and typed as "unknown" afterwards, so it does
//! not cascade into type errors.

pub mod scope;

pub use scope::{DeclRef, Entry, Scope, Scopes};

use crate::diag::Diagnostic;
use crate::workspace::Workspace;

/// The checked program: name tables plus what the checker found.
#[derive(Debug, Default)]
pub struct Checked {
    pub scopes: Scopes,
    pub diagnostics: Vec<Diagnostic>,
}

/// Check every module of the workspace.
pub fn check(workspace: &Workspace) -> Checked {
    let (scopes, diagnostics) = scope::build(workspace);
    Checked { scopes, diagnostics }
}
