//! One layer → one template: parameters for the SSM values it reads, its
//! resources, and an SSM parameter resource for each value it publishes.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::{json, Map, Value as Json};

use super::error::LowerError;
use super::value::Lowering;
use crate::eval::{camel_case, DeployExpr, LayerModel, Model, ResourceModel, Value, ValueKind};
use crate::source::Span;

/// One layer's stack: its name, its template, what it needs first.
#[derive(Debug, Clone)]
pub struct Stack {
    pub layer: String,
    /// `<project>-<environment>-<layer>`
    pub stack_name: String,
    pub template: Json,
    /// Layers deployed before this one.
    pub depends_on: Vec<String>,
    /// Template parameter → the SSM parameter name it reads (its default).
    pub parameters: BTreeMap<String, String>,
    /// Logical id → property path (`Properties` keys as `A.B[0]`, resource
    /// attributes by name) → where the spec wrote that value: a plan points
    /// at the line that changed, often an environment file's.
    pub property_spans: BTreeMap<String, BTreeMap<String, Span>>,
}

impl Stack {
    /// The template as written to disk for people to read: pretty, keys in a
    /// fixed order, so the same model always gives the same bytes.
    pub fn template_body(&self) -> String {
        let mut body = serde_json::to_string_pretty(&self.template).unwrap_or_default();
        body.push('\n');
        body
    }

    /// The template as sent to CloudFormation and measured against its size
    /// limits: the same JSON without indentation, which is a third smaller,
    /// so a layer of a few services stays under the 51,200 bytes sent inline.
    pub fn deploy_body(&self) -> String {
        serde_json::to_string(&self.template).unwrap_or_default()
    }
}

/// The logical id of the SSM parameter resource that publishes the value
/// `name` (`vpc_id` → `PublishedVpcId`). The one place this scheme is
/// written: the graph and the deploy engine's plans name the same resource.
pub fn published_logical_id(name: &str) -> String {
    format!("Published{}", camel_case(name))
}

/// CloudFormation stack names allow letters, digits and hyphens.
pub fn stack_name(model: &Model, layer: &str) -> String {
    format!("{}-{}-{}", model.project, model.environment, layer).replace('_', "-")
}

pub(super) fn lower_layer(model: &Model, layer: &LayerModel, errors: &mut Vec<LowerError>) -> Stack {
    let mut parameters = ssm_parameters(layer);
    let by_parameter: HashMap<String, String> =
        parameters.iter().map(|(k, v)| (v.clone(), k.clone())).collect();
    let mut lowering =
        Lowering { ssm_parameters: &by_parameter, used: BTreeSet::new(), errors, spans: BTreeMap::new() };
    let mut resources = Map::new();
    let mut property_spans = BTreeMap::new();
    // The evaluator has refused duplicate logical ids already.
    for resource in &layer.resources {
        resources.insert(resource.logical_id.clone(), lower_resource(&mut lowering, resource));
        property_spans.insert(resource.logical_id.clone(), std::mem::take(&mut lowering.spans));
    }
    for published in &layer.publishes {
        let value =
            lowering.json(&published.value, &format!("publish {}", published.name)).unwrap_or(Json::Null);
        let logical_id = published_logical_id(&published.name);
        lowering.spans.clear();
        property_spans
            .insert(logical_id.clone(), BTreeMap::from([("Value".to_string(), published.value.origin)]));
        resources
            .insert(logical_id, publish_parameter(&published.parameter, &published.name, value, &layer.name));
    }
    // A value read only where nothing reaches the template (an output no
    // resource uses) needs no parameter.
    parameters.retain(|name, _| lowering.used.contains(name));
    let template = template(model, layer, &parameters, resources);
    Stack {
        layer: layer.name.clone(),
        stack_name: stack_name(model, &layer.name),
        template,
        depends_on: layer.depends_on.clone(),
        parameters,
        property_spans,
    }
}

/// One template parameter per SSM value read, named after its layer and value.
fn ssm_parameters(layer: &LayerModel) -> BTreeMap<String, String> {
    layer
        .imports
        .iter()
        .map(|import| {
            (format!("{}{}", camel_case(&import.layer), camel_case(&import.name)), import.parameter.clone())
        })
        .collect()
}

fn lower_resource(lowering: &mut Lowering, resource: &ResourceModel) -> Json {
    let mut body = Map::new();
    body.insert("Type".into(), Json::String(resource.type_name.clone()));
    if let ValueKind::Record(options) = &resource.options.kind {
        for (key, option) in options {
            let json = match key.as_str() {
                "DependsOn" => depends_on(option),
                _ => lowering.json(option, key),
            };
            body.extend(json.map(|json| (key.clone(), json)));
        }
    }
    if let ValueKind::Record(properties) = &resource.properties.kind {
        let properties = lowering.record(properties, "");
        if properties.as_object().is_some_and(|p| !p.is_empty()) {
            body.insert("Properties".into(), properties);
        }
    }
    Json::Object(body)
}

/// `DependsOn = [role, listener]` names resources; CloudFormation wants their
/// logical ids, not `Ref`s. `none` or an empty list (a dependency on a
/// resource another environment does not have) leaves `DependsOn` out.
fn depends_on(value: &Value) -> Option<Json> {
    let id = |v: &Value| match &v.kind {
        ValueKind::Deploy(DeployExpr::Ref(id)) => Json::String(id.clone()),
        ValueKind::String(s) => Json::String(s.clone()),
        _ => Json::Null,
    };
    match &value.kind {
        ValueKind::Null => None,
        ValueKind::List(items) if items.is_empty() => None,
        ValueKind::List(items) => Some(Json::Array(items.iter().map(id).collect())),
        _ => Some(id(value)),
    }
}

fn publish_parameter(parameter: &str, name: &str, value: Json, layer: &str) -> Json {
    json!({
        "Type": "AWS::SSM::Parameter",
        "Properties": {
            "Name": parameter,
            "Type": "String",
            "Value": value,
            "Description": format!("`{name}`, published by layer {layer} for the layers after it"),
        }
    })
}

fn template(
    model: &Model,
    layer: &LayerModel,
    parameters: &BTreeMap<String, String>,
    resources: Map<String, Json>,
) -> Json {
    let mut template = Map::new();
    template.insert("AWSTemplateFormatVersion".into(), json!("2010-09-09"));
    template.insert(
        "Description".into(),
        json!(format!(
            "{} {}: layer {} (generated by mdl; edit the .mdl specs, not this file)",
            model.project, model.environment, layer.name
        )),
    );
    if !parameters.is_empty() {
        let parameters: Map<String, Json> = parameters
            .iter()
            .map(|(name, ssm)| {
                let description = format!("SSM parameter {ssm}, published by an earlier layer");
                (name.clone(), json!({ "Type": "AWS::SSM::Parameter::Value<String>", "Default": ssm, "Description": description }))
            })
            .collect();
        template.insert("Parameters".into(), Json::Object(parameters));
    }
    template.insert("Resources".into(), Json::Object(resources));
    Json::Object(template)
}
