//! From the lowered model to what each layer's deploy needs.
//!
//! Input: the model, its lowered stacks and the loaded sources. Output: one
//! [`LayerInput`] per layer, in deploy order: template, parameters, tags, the
//! spec line of every logical id, and the published SSM parameters another
//! layer reads (stateful for the safety rules).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value as Json;

use super::report::SourceLine;
use crate::cfn::Stack;
use crate::eval::{camel_case, Model};
use crate::source::{Sources, Span};

/// Everything deploy needs about one layer.
#[derive(Debug, Clone)]
pub struct LayerInput {
    pub layer: String,
    pub stack_name: String,
    pub template: Json,
    /// The body sent to CloudFormation.
    pub body: String,
    pub parameters: BTreeMap<String, String>,
    pub depends_on: Vec<String>,
    /// Logical id → where the specs declare it.
    pub sources: BTreeMap<String, SourceLine>,
    /// Logical ids of published SSM parameters that another layer reads.
    pub published: BTreeSet<String>,
    pub tags: Vec<(String, String)>,
}

/// The mdl version written into the `mdl-version` tag.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// One input per stack, in the stacks' (deploy) order.
pub fn layer_inputs(model: &Model, stacks: &[Stack], sources: &Sources) -> Vec<LayerInput> {
    let read: BTreeSet<&str> =
        model.layers.iter().flat_map(|l| l.imports.iter().map(|i| i.parameter.as_str())).collect();
    stacks
        .iter()
        .map(|stack| LayerInput {
            layer: stack.layer.clone(),
            stack_name: stack.stack_name.clone(),
            template: stack.template.clone(),
            body: stack.deploy_body(),
            parameters: stack.parameters.clone(),
            depends_on: stack.depends_on.clone(),
            sources: source_lines(model, &stack.layer, sources),
            published: published_and_read(model, &stack.layer, &read),
            tags: tags(model, &stack.layer),
        })
        .collect()
}

fn tags(model: &Model, layer: &str) -> Vec<(String, String)> {
    vec![
        ("project".into(), model.project.clone()),
        ("environment".into(), model.environment.clone()),
        ("layer".into(), layer.to_string()),
        ("mdl-version".into(), VERSION.to_string()),
    ]
}

fn source_lines(model: &Model, layer: &str, sources: &Sources) -> BTreeMap<String, SourceLine> {
    let Some(layer) = model.layer(layer) else { return BTreeMap::new() };
    let resources = layer.resources.iter().map(|r| (r.logical_id.clone(), r.instance_span.unwrap_or(r.span)));
    let published = layer.publishes.iter().map(|p| (published_id(&p.name), p.span));
    resources
        .chain(published)
        .filter_map(|(id, span)| line_of(sources, span).map(|line| (id, line)))
        .collect()
}

fn line_of(sources: &Sources, span: Span) -> Option<SourceLine> {
    let file = sources.get(span.file)?;
    let (line, _) = file.line_column(span.start as usize);
    Some(SourceLine { file: file.name.clone(), line })
}

/// The logical id lowering gives a published value.
fn published_id(name: &str) -> String {
    format!("Published{}", camel_case(name))
}

fn published_and_read(model: &Model, layer: &str, read: &BTreeSet<&str>) -> BTreeSet<String> {
    let Some(layer) = model.layer(layer) else { return BTreeSet::new() };
    layer
        .publishes
        .iter()
        .filter(|p| read.contains(p.parameter.as_str()))
        .map(|p| published_id(&p.name))
        .collect()
}
