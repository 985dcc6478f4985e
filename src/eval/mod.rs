//! Evaluation: one environment of a checked program → a fully resolved [`Model`].

pub mod model;

pub use model::Model;

use crate::check::{Checked, DeclRef};
use crate::diag::Diagnostic;
use crate::workspace::Workspace;

/// Evaluate the program for the environment declared at `environment`.
/// The model is `None` when a constraint failed.
pub fn evaluate(
    _workspace: &Workspace,
    _checked: &Checked,
    _environment: DeclRef,
) -> (Option<Model>, Vec<Diagnostic>) {
    (None, Vec::new())
}
