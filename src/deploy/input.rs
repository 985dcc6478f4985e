//! From the lowered model to what each layer's deploy needs.
//!
//! Input: the model, its lowered stacks and the loaded sources. Output: an
//! [`EnvironmentInput`] with one [`LayerInput`] per layer, in deploy order:
//! template, parameters, tags, the spec line of every logical id and of every
//! property value, and the published SSM parameters another layer reads
//! (stateful for the safety rules). Invariants: mdl's own stack tags carry the
//! `mdl:` prefix (the unprefixed tags of earlier versions are still read); user
//! tags can never take a reserved prefix.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value as Json;

use super::report::SourceLine;
use crate::cfn::{published_logical_id, Stack};
use crate::eval::{Model, Setting, Tag};
use crate::source::{Sources, Span};

/// Everything deploy needs about the environment.
#[derive(Debug, Clone, Default)]
pub struct EnvironmentInput {
    pub project: String,
    pub environment: String,
    pub region: String,
    /// The account the spec pins, and where.
    pub account: Option<Setting>,
    /// Termination protection, and refusing to destroy data unasked.
    pub protect: bool,
    /// The environment's name in its declaration: where environment-wide
    /// problems (credentials, network) are reported.
    pub span: Span,
    /// User tags on every stack, with where they were written.
    pub user_tags: Vec<Tag>,
    pub layers: Vec<LayerInput>,
    /// The spec file as the user named it (for the commands mdl suggests).
    pub spec_path: String,
    /// The SSM names of the secrets each layer declares (set outside mdl), by layer.
    pub secrets: BTreeMap<String, Vec<String>>,
}

/// Everything deploy needs about one layer.
#[derive(Debug, Clone, Default)]
pub struct LayerInput {
    pub layer: String,
    pub stack_name: String,
    pub template: Json,
    /// The body sent to CloudFormation.
    pub body: String,
    /// Template parameter → the SSM parameter it reads.
    pub parameters: BTreeMap<String, String>,
    pub depends_on: Vec<String>,
    /// The layer's declaration.
    pub span: Span,
    /// Logical id → where the specs declare it (the construct call for a construct's resources).
    pub sources: BTreeMap<String, SourceLine>,
    /// Logical id → the same place, as a span (for diagnostics).
    pub spans: BTreeMap<String, Span>,
    /// Logical id → property path → the line that wrote the value.
    pub property_sources: BTreeMap<String, BTreeMap<String, SourceLine>>,
    /// Logical ids of published SSM parameters that another layer reads.
    pub published: BTreeSet<String>,
    /// Logical id → SSM name, for every value this layer publishes.
    pub publishes: BTreeMap<String, String>,
    /// mdl's own tags, then the user's.
    pub tags: Vec<(String, String)>,
    /// Set when the layer is fanned out as a StackSet (`stack_sets`).
    pub fan_out: Option<FanOut>,
}

/// How a layer is fanned out as a StackSet: the environment's `stack_sets` entry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FanOut {
    /// The regions that get an instance, in deploy order (`region_order` first).
    pub regions: Vec<String>,
    /// The accounts that get an instance in every region; empty: the caller's own.
    pub accounts: Vec<String>,
    /// Accounts deployed at once, per region.
    pub max_concurrent: i64,
    /// Accounts that may fail, per region, before an operation stops.
    pub failure_tolerance: i64,
    /// None: `AWSCloudFormationStackSetAdministrationRole` in the caller's account.
    pub administration_role: Option<String>,
    /// The role name CloudFormation assumes in each target account.
    pub execution_role: String,
}

/// The mdl version written into the `mdl:version` tag.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The prefix of mdl's own stack tags; user tags may not use it.
pub const TAG_PREFIX: &str = "mdl:";

/// The environment's input: one layer input per stack, in deploy order.
pub fn environment_input(model: &Model, stacks: &[Stack], sources: &Sources) -> EnvironmentInput {
    let read: BTreeSet<&str> =
        model.layers.iter().flat_map(|l| l.imports.iter().map(|i| i.parameter.as_str())).collect();
    let deployment = &model.deployment;
    let layers = stacks.iter().map(|stack| layer_input(model, stack, sources, &read)).collect();
    EnvironmentInput {
        project: model.project.clone(),
        environment: model.environment.clone(),
        region: model.region.clone(),
        account: deployment.account.clone(),
        protect: deployment.protect,
        span: model.environment_span,
        user_tags: deployment.tags.clone(),
        layers,
        spec_path: String::new(),
        secrets: model
            .layers
            .iter()
            .map(|l| (l.name.clone(), l.secrets.iter().map(|s| s.parameter.clone()).collect()))
            .collect(),
    }
}

fn layer_input(model: &Model, stack: &Stack, sources: &Sources, read: &BTreeSet<&str>) -> LayerInput {
    let spans = resource_spans(model, &stack.layer);
    let property_sources = stack
        .property_spans
        .iter()
        .map(|(id, paths)| {
            let lines =
                paths.iter().filter_map(|(path, span)| Some((path.clone(), line_of(sources, *span)?)));
            (id.clone(), lines.collect())
        })
        .collect();
    let mut tags = own_tags(model, &stack.layer);
    tags.extend(model.deployment.tags.iter().map(|t| (t.key.clone(), t.value.clone())));
    LayerInput {
        layer: stack.layer.clone(),
        stack_name: stack.stack_name.clone(),
        template: stack.template.clone(),
        body: stack.deploy_body(),
        parameters: stack.parameters.clone(),
        depends_on: stack.depends_on.clone(),
        span: model.layer(&stack.layer).map(|l| l.span).unwrap_or_default(),
        sources: spans.iter().filter_map(|(id, span)| Some((id.clone(), line_of(sources, *span)?))).collect(),
        spans,
        property_sources,
        published: published_and_read(model, &stack.layer, read),
        publishes: publishes(model, &stack.layer),
        tags,
        fan_out: model.deployment.stack_set(&stack.layer).map(|set| FanOut {
            regions: set.ordered_regions(),
            accounts: set.accounts.iter().map(|a| a.value.clone()).collect(),
            max_concurrent: set.max_concurrent,
            failure_tolerance: set.failure_tolerance,
            administration_role: set.administration_role.as_ref().map(|r| r.value.clone()),
            execution_role: set.execution_role.clone(),
        }),
    }
}

/// mdl's own tags of a layer's stack.
fn own_tags(model: &Model, layer: &str) -> Vec<(String, String)> {
    vec![
        (format!("{TAG_PREFIX}project"), model.project.clone()),
        (format!("{TAG_PREFIX}environment"), model.environment.clone()),
        (format!("{TAG_PREFIX}layer"), layer.to_string()),
        (format!("{TAG_PREFIX}version"), VERSION.to_string()),
    ]
}

/// Which project, environment and layer a stack's tags say it belongs to:
/// mdl's `mdl:` tags, or the unprefixed ones earlier versions wrote.
pub fn owner(tags: &[(String, String)]) -> Option<(String, String, String)> {
    let get = |key: &str| {
        let prefixed = format!("{TAG_PREFIX}{key}");
        let find = |k: &str| tags.iter().find(|(t, _)| t == k).map(|(_, v)| v.clone());
        find(&prefixed).or_else(|| find(key))
    };
    Some((get("project")?, get("environment")?, get("layer")?))
}

fn resource_spans(model: &Model, layer: &str) -> BTreeMap<String, Span> {
    let Some(layer) = model.layer(layer) else { return BTreeMap::new() };
    let resources = layer.resources.iter().map(|r| (r.logical_id.clone(), r.instance_span.unwrap_or(r.span)));
    let published = layer.publishes.iter().map(|p| (published_logical_id(&p.name), p.span));
    resources.chain(published).collect()
}

/// The line of `span`.
pub fn line_of(sources: &Sources, span: Span) -> Option<SourceLine> {
    let file = sources.get(span.file)?;
    let (line, _) = file.line_column(span.start as usize);
    Some(SourceLine { file: file.name.clone(), line })
}

fn published_and_read(model: &Model, layer: &str, read: &BTreeSet<&str>) -> BTreeSet<String> {
    let Some(layer) = model.layer(layer) else { return BTreeSet::new() };
    layer
        .publishes
        .iter()
        .filter(|p| read.contains(p.parameter.as_str()))
        .map(|p| published_logical_id(&p.name))
        .collect()
}

fn publishes(model: &Model, layer: &str) -> BTreeMap<String, String> {
    let Some(layer) = model.layer(layer) else { return BTreeMap::new() };
    layer.publishes.iter().map(|p| (published_logical_id(&p.name), p.parameter.clone())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn stacks_are_recognised_by_mdl_tags_and_by_the_old_unprefixed_ones() {
        let new = tags(&[("mdl:project", "shop"), ("mdl:environment", "dev"), ("mdl:layer", "core")]);
        let old =
            tags(&[("project", "shop"), ("environment", "dev"), ("layer", "core"), ("mdl-version", "0.1.0")]);
        let expected = Some(("shop".to_string(), "dev".to_string(), "core".to_string()));
        assert_eq!(owner(&new), expected);
        assert_eq!(owner(&old), expected);
        assert_eq!(owner(&tags(&[("team", "web")])), None);
    }
}
