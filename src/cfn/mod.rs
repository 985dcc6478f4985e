//! Lowering: one environment's [`Model`] → one CloudFormation template per layer.
//!
//! Input: an evaluated model. Output: a [`Stack`] per layer, in deploy order,
//! each with its template as JSON, plus diagnostics that point at the spec
//! line a problem came from (a quantity left unconverted, an unknown
//! property, a template over CloudFormation's limits). This stage knows
//! CloudFormation's template model, intrinsics and resource schemas, and
//! nothing about ECS, RDS or pipelines: that knowledge lives in the stdlib.
//!
//! Invariants: the same model always lowers to the same bytes; a resource's
//! logical id depends only on its name, never on what else the layer holds.

mod error;
mod exposure;
pub mod graph;
pub mod limits;
pub mod names;
pub mod output;
mod property_path;
pub mod schema;
mod stack_sets;
mod template;
mod value;

pub use error::LowerError;
pub use template::{published_logical_id, stack_name, BodySize, Stack};

use crate::diag::Diagnostic;
use crate::eval::Model;

/// Every layer's stack, and what lowering found.
#[derive(Debug, Default)]
pub struct Lowered {
    pub stacks: Vec<Stack>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Lower every layer of `model`, checking resources against CloudFormation's
/// schemas for the model's region and templates against its limits.
pub fn lower(model: &Model) -> Lowered {
    lower_all(model, false)
}

/// [`lower`], each stack with its [`Stack::property_spans`] too: what a
/// deploy plan needs to point at the line a changed property came from.
pub fn lower_for_deploy(model: &Model) -> Lowered {
    lower_all(model, true)
}

fn lower_all(model: &Model, record_spans: bool) -> Lowered {
    let mut lowered = Lowered::default();
    each_layer(model, record_spans, |stack, mut diagnostics| {
        lowered.diagnostics.append(&mut diagnostics);
        lowered.stacks.push(stack);
    });
    lowered.diagnostics.extend(check_environment(model));
    lowered
}

/// [`lower`], handing each layer's stack and diagnostics to `each` before
/// the next layer is lowered: `mdl build` writes each template and lets it
/// go, so a platform of hundreds of layers never holds all its templates.
pub fn lower_each(model: &Model, each: impl FnMut(Stack, Vec<Diagnostic>)) {
    each_layer(model, false, each);
}

/// Lower and check each layer in deploy order, handing each stack on as it is done.
fn each_layer(model: &Model, record_spans: bool, mut each: impl FnMut(Stack, Vec<Diagnostic>)) {
    for layer in &model.layers {
        let (stack, diagnostics) = lower_and_check(model, layer, record_spans);
        each(stack, diagnostics);
    }
}

/// What lowering `model` would report, keeping one template at a time.
pub fn check(model: &Model) -> Vec<Diagnostic> {
    let templates = model.layers.iter().flat_map(|layer| lower_and_check(model, layer, false).1);
    templates.chain(check_environment(model)).collect()
}

/// What lowering reports of the environment as a whole, beyond each layer's
/// stack ([`lower_each`]): stack names, logical ids and SSM names AWS would
/// refuse ([`names`]), plain HTTP served publicly by a protected environment
/// ([`exposure`]), and the environment's StackSets ([`stack_sets`]).
pub fn check_environment(model: &Model) -> Vec<Diagnostic> {
    let note = format!("while lowering environment `{}` ({})", model.environment, model.region);
    let names = names::check(model).into_iter().map(|e| e.diagnostic().with_note(note.clone()));
    names.chain(exposure::check(model)).chain(stack_sets::check(model)).collect()
}

fn lower_and_check(
    model: &Model,
    layer: &crate::eval::LayerModel,
    record_spans: bool,
) -> (Stack, Vec<Diagnostic>) {
    let mut errors = Vec::new();
    let stack = template::lower_layer(model, layer, record_spans, &mut errors);
    schema::check_layer(layer, &model.region, &mut errors);
    limits::check(&stack, layer, &mut errors);
    (stack, errors.iter().map(|e| e.to_diagnostic(model)).collect())
}

#[cfg(test)]
mod names_tests;
#[cfg(test)]
mod stack_sets_tests;
#[cfg(test)]
mod tests;
