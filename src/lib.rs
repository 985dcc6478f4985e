//! mdl: a small typed language for AWS infrastructure, lowered to CloudFormation.
//!
//! The pipeline, one module per stage: [`workspace`] loads files and
//! [`syntax`] parses them, [`check`] resolves names and types, [`eval`]
//! evaluates one environment into a model, [`cfn`] lowers it to one
//! CloudFormation template per layer. [`diag`] holds the diagnostics
//! every stage reports and renders them.

pub mod cfn;
pub mod check;
pub mod deploy;
pub mod diag;
pub mod eval;
pub mod examples;
pub mod lsp;
pub mod source;
pub mod stdlib;
pub mod syntax;
pub mod units;
pub mod workspace;

use std::path::{Path, PathBuf};

use check::DeclRef;
use diag::Diagnostic;
use workspace::{FileSystem, Workspace};

/// What checking a set of spec files found.
#[derive(Debug)]
pub struct Report {
    pub workspace: Workspace,
    /// What the checker found: every name's referent and every expression's
    /// type (empty when a file could not be loaded; a file with syntax
    /// errors is checked with the items that parsed).
    pub checked: check::Checked,
    /// Every diagnostic, sorted by position, without repeats.
    pub diagnostics: Vec<Diagnostic>,
    /// The model of every environment that evaluated without errors.
    pub models: Vec<eval::Model>,
}

impl Report {
    /// Number of errors.
    pub fn errors(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    /// Number of warnings.
    pub fn warnings(&self) -> usize {
        self.diagnostics.len() - self.errors()
    }
}

/// Load, check, and evaluate every environment declared in the entry files,
/// keeping each environment's model (for `build`, `graph`, `deploy`, the editor).
///
/// Stages gate each other so one mistake does not cascade: loading errors
/// stop before checking; syntax and check errors stop before evaluation.
pub fn check_files(entries: &[PathBuf], fs: &dyn FileSystem) -> Report {
    run_pipeline(Workspace::load(entries, fs))
}

/// What the pipeline keeps of each environment it evaluates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Keep {
    /// Diagnostics only: each model is lowered, checked and dropped.
    Diagnostics,
    /// Every model, lowered and checked.
    Models,
    /// Every model, not lowered yet: the caller lowers each one
    /// ([`cfn::check`], or [`cfn::lower_each`] and [`cfn::check_environment`])
    /// and adds what that finds to the diagnostics.
    UnloweredModels,
}

/// [`check_files`] without keeping the models: only the diagnostics are
/// wanted (`mdl check`), so each environment's model and templates are
/// dropped as soon as they are checked, which bounds memory on large specs.
pub fn lint_files(entries: &[PathBuf], fs: &dyn FileSystem) -> Report {
    run_stages(Workspace::load(entries, fs), Keep::Diagnostics)
}

/// The files a command works on, and where their imports may lead.
#[derive(Debug, Clone, Copy)]
pub struct Inputs<'a> {
    /// The spec files the user named.
    pub entries: &'a [PathBuf],
    /// The project root every spec import stays in (`--root DIR`); found
    /// from each named file when `None` (see [`workspace::RootFinder`]).
    pub root: Option<&'a Path>,
}

impl Inputs<'_> {
    /// Load the named files and what they import.
    pub fn load(self, fs: &dyn FileSystem) -> Workspace {
        match self.root {
            Some(root) => Workspace::load_under(root, self.entries, fs),
            None => Workspace::load(self.entries, fs),
        }
    }

    /// [`check_files`] over these inputs.
    pub fn check(self, fs: &dyn FileSystem) -> Report {
        run_stages(self.load(fs), Keep::Models)
    }

    /// [`Inputs::check`] without lowering the models: `mdl build` lowers the
    /// environment it writes once, as it writes it, instead of once to check
    /// and once more to write. The report lacks what lowering finds until the
    /// caller adds it (see [`Keep::UnloweredModels`]).
    pub fn check_unlowered(self, fs: &dyn FileSystem) -> Report {
        run_stages(self.load(fs), Keep::UnloweredModels)
    }

    /// [`lint_files`] over these inputs.
    pub fn lint(self, fs: &dyn FileSystem) -> Report {
        run_stages(self.load(fs), Keep::Diagnostics)
    }
}

/// [`check_files`] over an already loaded workspace.
pub fn run_pipeline(workspace: Workspace) -> Report {
    run_stages(workspace, Keep::Models)
}

/// [`run_pipeline`] that gives up, with `None`, as soon as `cancelled` says
/// so: it is asked before the checker and before each environment (the
/// language server drops an analysis a newer edit made stale).
/// `cancelled` must stay true once it is.
pub fn run_pipeline_unless(workspace: Workspace, cancelled: &dyn Fn() -> bool) -> Option<Report> {
    let report = run_stages_unless(workspace, Keep::Models, cancelled);
    (!cancelled()).then_some(report)
}

fn run_stages(workspace: Workspace, keep: Keep) -> Report {
    run_stages_unless(workspace, keep, &|| false)
}

/// The stages, stopped early (the report then half done) once `cancelled`.
fn run_stages_unless(workspace: Workspace, keep: Keep, cancelled: &dyn Fn() -> bool) -> Report {
    let mut diagnostics = workspace.diagnostics.clone();
    let mut models = Vec::new();
    let mut checked = check::Checked::default();
    // A file with syntax errors still holds every item that parsed, so it is
    // checked; a file that could not be loaded at all is not there to check.
    let loaded = !diagnostics.iter().any(|d| d.is_error() && !syntax::reported_by_parser(d.code));
    if loaded {
        if cancelled() {
            return Report { workspace, checked, diagnostics, models };
        }
        checked = check::check(&workspace);
        diagnostics.extend(checked.diagnostics.iter().cloned());
        if !diagnostics.iter().any(Diagnostic::is_error) {
            let mut published = Vec::new();
            for environment in entry_environments(&workspace, &checked) {
                if cancelled() {
                    return Report { workspace, checked, diagnostics, models };
                }
                let (model, mut found) = eval::evaluate(&workspace, &checked, environment);
                diagnostics.append(&mut found);
                if let Some(model) = model {
                    if keep != Keep::UnloweredModels {
                        diagnostics.extend(cfn::check(&model));
                    }
                    published.push(cfn::names::EnvironmentNames::of(&model));
                    if keep != Keep::Diagnostics {
                        models.push(model);
                    }
                }
            }
            let collisions = cfn::names::collisions(&published);
            diagnostics.extend(collisions.iter().map(cfn::names::NameError::diagnostic));
        }
    }
    diag::sort_and_dedup(&mut diagnostics);
    Report { workspace, checked, diagnostics, models }
}

/// Environments declared in the files the user named (not in files they only import).
pub fn entry_environments(workspace: &Workspace, checked: &check::Checked) -> Vec<DeclRef> {
    let mut found = Vec::new();
    for &module in &workspace.entries {
        for decl in &checked.scopes.of(module).environments {
            if decl.module == module && !found.contains(decl) {
                found.push(*decl);
            }
        }
    }
    found
}
