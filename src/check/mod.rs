//! Checking: names, types, units, deploy-time values and secrets, before any
//! environment is evaluated.
//!
//! Input: a loaded [`Workspace`]. Output: the [`Scopes`], the resolution
//! [`Table`] (what every name written refers to, the type of every expression
//! and member: the evaluator and the language server read it instead of
//! resolving names again), the [`LayerGraph`] (deploy order), and every
//! independent problem found, sorted by position. An unknown name is reported
//! once and typed as "unknown" afterwards, so it does not cascade into type
//! errors.
//!
//! Files: `scope` (name tables), `lookup` (what a plain name means), `table`
//! (the resolution table), `query` and `find` (questions about a checked
//! program),
//! `checker` (state and caches), `types` (the type language), `resolve`
//! (declaration signatures), `expr`/`access`/`records`/`ops`/`flow`/`matches`
//! (expressions), `builtins`, `members` and `decls` (declarations), `narrow` (a
//! reference guarded by its member's `when` condition is not optional), `layers`
//! (layer graph and deploy order), `secret_literals` (strings that look
//! like secrets), `error` (the one conversion to diagnostics), `broken`
//! (errors that only follow from a syntax error), `tests/` (one file per
//! topic).

mod access;
mod broken;
mod builtins;
mod checker;
mod decls;
mod error;
mod expr;
mod find;
mod flow;
pub mod layers;
pub mod lookup;
mod matches;
mod members;
mod narrow;
mod ops;
mod query;
mod records;
pub(crate) mod resolve;
pub mod scope;
mod secret_literals;
pub mod table;
pub mod types;

#[cfg(test)]
mod tests;

pub use builtins::BUILTINS;
pub use find::each_expr;
pub use layers::LayerGraph;
pub use query::body_members;
pub use resolve::BUILTIN_TYPES;
pub use resolve::DEPLOY_SETTINGS;
pub use scope::{DeclRef, Entry, Scope, Scopes};
pub use table::{Def, Node, Pseudo, Table};
pub use types::Type;

use checker::Checker;

use crate::diag::Diagnostic;
use crate::workspace::{ModuleId, Workspace};

/// The checked program: name tables, what every name refers to and every
/// expression's type, the layer graph, and what the checker found.
#[derive(Debug, Default)]
pub struct Checked {
    pub scopes: Scopes,
    /// What each name written refers to, each expression's and member's type
    /// (queried through the methods of `Checked` in `query`).
    pub table: Table,
    /// Which layer reads from which (cross-layer references).
    pub layers: LayerGraph,
    pub diagnostics: Vec<Diagnostic>,
}

impl Checked {
    /// The layers visible from `module`, in deploy order, each with the layers
    /// it depends on. Ties keep declaration order; layers in a cycle (an error
    /// already reported) come last.
    pub fn layer_order(&self, module: ModuleId) -> Vec<(DeclRef, Vec<DeclRef>)> {
        self.layers.order(self.scopes.of(module))
    }
}

/// Check every module of the workspace. Modules with syntax errors are
/// checked too: what their broken pieces declared is not reported missing.
pub fn check(workspace: &Workspace) -> Checked {
    let (scopes, mut diagnostics) = scope::build(workspace);
    let (layers, errors, table) = {
        let mut checker = Checker::new(workspace, &scopes);
        checker.check_all();
        let layers = LayerGraph::new(&checker.layer_edges);
        let mut errors = std::mem::take(&mut checker.errors);
        errors.extend(layers.cycles(&|decl| checker.decl_name(decl)));
        for path in layers::cycles(&layers::edges(&checker.construct_edges)) {
            let references = path
                .iter()
                .map(|(from, to, span)| (*span, checker.decl_name(*from), checker.decl_name(*to)))
                .collect();
            errors.push(error::CheckError::ConstructCycle { references });
        }
        let table = std::mem::take(&mut checker.table).finish();
        let broken = broken::Broken::of(workspace);
        errors.retain(|error| !broken.explains(error));
        (layers, errors, table)
    };
    diagnostics.extend(errors.into_iter().map(error::CheckError::into_diagnostic));
    diagnostics.extend(secret_literals::check(workspace));
    crate::diag::sort_and_dedup(&mut diagnostics);
    Checked { scopes, table, layers, diagnostics }
}
