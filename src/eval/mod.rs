//! Evaluation: one environment of a checked program → a fully resolved [`Model`].
//!
//! Input: a [`Workspace`] the checker accepted, its [`Checked`] result (what
//! every name refers to: the evaluator never looks a name up itself), and the
//! environment to evaluate. Output: the model (layers in deploy order, their
//! resources with logical ids, SSM publishes, imports and secrets) and the
//! constraint diagnostics (ranges, `require`, arithmetic), each noting the
//! environment. Invariants: never panics on unexpected input (it becomes an
//! internal-error diagnostic); values keep the span they were written at; the
//! model is `None` as soon as any error was reported.
//!
//! Layout: `env` (settings and project), `scope` (evaluation contexts, bodies,
//! lazily forced bindings), `limits` (sizes, steps and depth, each a
//! diagnostic), `names`, `expr`, `ops`, `builtins`, `construct`
//! (instantiation), `layer` (layers, cross-layer references, deploy order),
//! `constraints` (types, ranges, requires), `error` (the one conversion to
//! diagnostics), `tests/` (programs from source: `model`, `constraints`, `perf`).
//!
//! Semantics decided here (see also docs/language.md): a resource's
//! `with { Condition = <check-time bool> }` keeps or drops it; an `output`
//! named like a param re-exports without shadowing it inside the body; a param
//! out of range silences the `require`s of its instance (the range is the root
//! cause); the layer order follows both what was read and what the checker saw
//! referenced.

pub(crate) mod builtins;
mod constraints;
mod construct;
mod env;
mod error;
mod expr;
mod fargate;
mod layer;
mod limits;
pub mod model;
mod names;
mod ops;
mod scope;
#[cfg(test)]
mod tests;

pub use model::{
    display_text, DeployExpr, Deployment, FieldName, Imported, LayerModel, Model, Published, ResourceModel,
    SecretModel, Setting, StackSetModel, Tag, Text, Value, ValueKind, Variant,
};
pub use names::camel_case;

use foldhash::{HashMap, HashSet};
use std::sync::Arc;

use crate::check::{Checked, DeclRef};
use crate::diag::Diagnostic;
use crate::source::{FileId, Span};
use crate::workspace::{ModuleOrigin, Workspace};
use error::{EvalError, EvalResult};
use layer::LayerState;
use scope::Body;

/// Deep but legal specs (long binding chains, nested expressions) recurse; the
/// evaluator runs on a thread with a large stack (reserved, not used, until
/// needed) so they never overflow, and [`limits::MAX_DEPTH`] turns deeper
/// recursion into a diagnostic long before that.
pub(crate) const EVAL_STACK_BYTES: usize = 512 * 1024 * 1024;

/// The depth limit when no thread could be started and evaluation runs on
/// the caller's stack, whose size is unknown.
const FALLBACK_MAX_DEPTH: usize = 1_000;

/// Nested construct instances before a construct is taken to instantiate itself.
const MAX_INSTANCE_DEPTH: usize = 64;

/// Evaluate the program for the environment declared at `environment`.
/// The model is `None` when an error was reported.
pub fn evaluate(
    workspace: &Workspace,
    checked: &Checked,
    environment: DeclRef,
) -> (Option<Model>, Vec<Diagnostic>) {
    std::thread::scope(|scope| {
        let spawned = std::thread::Builder::new()
            .name("mdl-eval".into())
            .stack_size(EVAL_STACK_BYTES)
            .spawn_scoped(scope, || evaluate_here(workspace, checked, environment));
        match spawned {
            Ok(handle) => handle.join().unwrap_or_else(|_| {
                let span = environment_span(workspace, environment);
                let error = EvalError::internal("the evaluator stopped unexpectedly", span);
                (None, error.into_diagnostic("?").into_iter().collect())
            }),
            // No thread available: evaluate here, on a stack of unknown size.
            Err(_) => {
                let mut evaluator = Evaluator::new(workspace, checked);
                evaluator.max_depth = FALLBACK_MAX_DEPTH;
                evaluator.evaluate(environment)
            }
        }
    })
}

fn environment_span(workspace: &Workspace, environment: DeclRef) -> Span {
    workspace
        .modules
        .get(environment.module.0)
        .and_then(|m| m.ast.items.get(environment.item))
        .map(|item| item.span)
        .unwrap_or_default()
}

fn evaluate_here(
    workspace: &Workspace,
    checked: &Checked,
    environment: DeclRef,
) -> (Option<Model>, Vec<Diagnostic>) {
    Evaluator::new(workspace, checked).evaluate(environment)
}

/// The interpreter's state for one environment.
pub(crate) struct Evaluator<'a> {
    pub(crate) workspace: &'a Workspace,
    pub(crate) checked: &'a Checked,
    /// The environment's name, for notes.
    pub(crate) env_name: String,
    /// `env`: a record of the settings, with `name` and `region`.
    pub(crate) env_value: Option<Value>,
    /// `project`: a record of the project's fields, with `name`.
    pub(crate) project_value: Option<Value>,
    /// `<project.params>` without a trailing slash.
    pub(crate) params_prefix: String,
    /// Where `params` was written (none: the per-environment default).
    pub(crate) params_span: Option<Span>,
    /// The layers and construct instances being evaluated, by [`scope::BodyId`],
    /// innermost last: a finished one is popped ([`Evaluator::pop_body`]).
    pub(crate) bodies: Vec<Body<'a>>,
    /// The layer being evaluated.
    pub(crate) layer: Option<LayerState>,
    /// Where the constructs being instantiated were instantiated, innermost last.
    pub(crate) sites: Vec<Span>,
    pub(crate) depth: usize,
    /// How deep evaluation may nest ([`limits::MAX_DEPTH`] on the evaluator's own thread).
    max_depth: usize,
    /// Steps taken so far (see [`limits::step_budget`]).
    pub(crate) steps: u64,
    /// The steps this environment may take.
    max_steps: u64,
    /// Range failures reported so far.
    pub(crate) range_failures: usize,
    /// Instances being evaluated whose params failed a range: their requires stay quiet.
    pub(crate) quiet_requires: usize,
    pub(crate) diagnostics: Vec<Diagnostic>,
    /// SSM parameter → what the layers evaluated so far publish there: a
    /// string (`None`) or a list of this length.
    pub(crate) published: HashMap<String, Option<usize>>,
    /// Files of the stdlib: a label there is not the user's line.
    std_files: HashSet<FileId>,
    /// Every field name and plain string written in the spec, shared by the values that hold it.
    texts: HashMap<&'a str, Text>,
    /// The value of each variant without fields used so far, by enum and variant.
    pub(crate) plain_variants: HashMap<(DeclRef, usize), Arc<Variant>>,
}

impl<'a> Evaluator<'a> {
    fn new(workspace: &'a Workspace, checked: &'a Checked) -> Self {
        let std_files: HashSet<FileId> = workspace
            .iter_modules()
            .filter(|(_, m)| matches!(m.origin, ModuleOrigin::Std(_)))
            .map(|(_, m)| m.file)
            .collect();
        let spec_bytes = workspace
            .sources
            .iter()
            .filter(|(id, _)| !std_files.contains(id))
            .map(|(_, file)| file.text.len())
            .sum();
        Evaluator {
            workspace,
            checked,
            env_name: String::new(),
            env_value: None,
            project_value: None,
            params_prefix: String::new(),
            params_span: None,
            bodies: Vec::new(),
            layer: None,
            sites: Vec::new(),
            depth: 0,
            max_depth: limits::MAX_DEPTH,
            steps: 0,
            max_steps: limits::step_budget(spec_bytes),
            range_failures: 0,
            quiet_requires: 0,
            diagnostics: Vec::new(),
            published: HashMap::default(),
            std_files,
            texts: HashMap::default(),
            plain_variants: HashMap::default(),
        }
    }

    /// The shared name of a field written as `text` in the spec: one
    /// allocation per distinct name, not one per record.
    pub(crate) fn field_name(&mut self, text: &'a str) -> FieldName {
        self.shared_text(text)
    }

    /// Text written in the spec (a field name, a plain string literal, an
    /// attribute name), shared by every value that holds it.
    pub(crate) fn shared_text(&mut self, text: &'a str) -> Text {
        self.texts.entry(text).or_insert_with(|| Text::from(text)).clone()
    }

    /// Evaluate one environment; the model is `None` when an error was reported.
    fn evaluate(mut self, environment: DeclRef) -> (Option<Model>, Vec<Diagnostic>) {
        let model = self.run(environment);
        let failed = self.diagnostics.iter().any(Diagnostic::is_error);
        (if failed { None } else { model }, self.diagnostics)
    }

    /// Report an error (with the environment note); `Reported` adds nothing.
    pub(crate) fn report(&mut self, error: EvalError) {
        if let Some(diagnostic) = error.into_diagnostic(&self.env_name) {
            self.diagnostics.push(diagnostic);
        }
    }

    /// Whether `span` lies in a stdlib file (so it is not the user's line).
    pub(crate) fn in_stdlib(&self, span: Span) -> bool {
        self.std_files.contains(&span.file)
    }

    /// The innermost instantiation site written in a spec file: the user's line
    /// for a problem found deep inside stdlib constructs.
    pub(crate) fn user_site(&self) -> Option<Span> {
        self.sites.iter().rev().copied().find(|s| !self.in_stdlib(*s))
    }

    /// Enter one level of recursion (one step), or fail when evaluation nests
    /// deeper than its limit or has spent its steps.
    pub(crate) fn enter(&mut self, span: Span) -> EvalResult<()> {
        if self.depth >= self.max_depth {
            return Err(EvalError::Limit { limit: limits::Limit::Depth(self.max_depth), span });
        }
        self.step(1, span)?;
        self.depth += 1;
        Ok(())
    }

    /// Leave a level entered with [`Evaluator::enter`].
    pub(crate) fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }
}
