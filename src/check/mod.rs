//! Checking: names, types, units, deploy-time values and secrets, before any
//! environment is evaluated.
//!
//! Input: a loaded [`Workspace`]. Output: the [`Scopes`] the evaluator resolves
//! names with, the [`LayerGraph`] (deploy order), and every independent problem
//! found, sorted by position. An unknown name is reported once and typed as
//! "unknown" afterwards, so it does not cascade into type errors.
//!
//! Files: `scope` (name tables), `checker` (state and caches), `types` (the
//! type language), `resolve` (declaration signatures), `expr`/`access`/
//! `records`/`ops`/`flow`/`matches` (expressions), `builtins`, `members` and
//! `decls` (declarations), `layers` (layer graph and deploy order), `error`
//! (the one conversion to diagnostics), `tests/` (one file per topic).

mod access;
mod builtins;
mod checker;
mod decls;
mod error;
mod expr;
mod flow;
pub mod layers;
mod matches;
mod members;
mod ops;
mod records;
pub(crate) mod resolve;
pub mod scope;
pub mod types;

#[cfg(test)]
mod tests;

pub use builtins::BUILTINS;
pub use layers::LayerGraph;
pub use resolve::DEPLOY_SETTINGS;
pub use scope::{DeclRef, Entry, Scope, Scopes};
pub use types::Type;

use checker::Checker;

use crate::diag::Diagnostic;
use crate::workspace::{ModuleId, Workspace};

/// The checked program: name tables, the layer graph, and what the checker found.
#[derive(Debug, Default)]
pub struct Checked {
    pub scopes: Scopes,
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

/// The type of member `index` of the layer or construct `body`, as users write
/// it (`deploy<string>`, `ecs.fargate_service`), for the editor's hover; `None`
/// when it has no type worth showing (a `require`, or an error).
pub fn member_type(workspace: &Workspace, scopes: &Scopes, body: DeclRef, index: usize) -> Option<String> {
    let mut checker = Checker::new(workspace, scopes);
    checker.ctx = checker::Ctx::module(body.module);
    let ty = checker.type_member(body, index);
    (!matches!(ty, Type::Unknown | Type::Resource)).then(|| checker.show(&ty))
}

/// Check every module of the workspace.
pub fn check(workspace: &Workspace) -> Checked {
    let (scopes, mut diagnostics) = scope::build(workspace);
    let (layers, errors) = {
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
        (layers, errors)
    };
    diagnostics.extend(errors.into_iter().map(error::CheckError::into_diagnostic));
    crate::diag::sort_and_dedup(&mut diagnostics);
    Checked { scopes, layers, diagnostics }
}
