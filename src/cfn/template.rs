//! One layer → one template: parameters for the SSM values it reads, its
//! resources, an SSM parameter resource for each value it publishes, and
//! `Outputs` for what a person wants to read once it is deployed (each
//! published value, each service's address). Outputs carry no `Export`:
//! layers read each other through SSM only.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io;

use serde::Serialize;

use serde_json::{json, Map, Value as Json};

use super::error::LowerError;
use super::property_path::PropertyPath;
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
    /// at the line that changed, often an environment file's. Empty unless
    /// asked for ([`super::lower_for_deploy`]): nothing else reads it.
    pub property_spans: BTreeMap<String, BTreeMap<String, Span>>,
}

impl Stack {
    /// The template as written to disk for people to read: pretty, keys in a
    /// fixed order, so the same model always gives the same bytes.
    pub fn template_body(&self) -> String {
        let mut body = Vec::new();
        let _ = self.write_template_body(&mut body);
        String::from_utf8(body).unwrap_or_default()
    }

    /// [`Stack::template_body`], written to `out` as it is serialised.
    pub fn write_template_body(&self, mut out: impl io::Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut out, &self.template)?;
        out.write_all(b"\n")
    }

    /// The template as sent to CloudFormation and measured against its size
    /// limits: the same JSON without indentation, which is a third smaller,
    /// so a layer of a few services stays under the 51,200 bytes sent inline.
    pub fn deploy_body(&self) -> String {
        serde_json::to_string(&self.template).unwrap_or_default()
    }

    /// What CloudFormation measures of [`Stack::deploy_body`], counted as it
    /// is serialised, without keeping the text.
    pub fn deploy_body_size(&self) -> BodySize {
        let mut bytes = ByteCount(0);
        let mut dynamic_references = 0;
        let formatter = CountReferences(&mut dynamic_references);
        let mut serializer = serde_json::Serializer::with_formatter(&mut bytes, formatter);
        // Writing to a counter never fails, and a `Json` always serialises.
        let _ = self.template.serialize(&mut serializer);
        BodySize { bytes: bytes.0, dynamic_references }
    }
}

/// The size of a template body, in what CloudFormation limits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BodySize {
    pub bytes: usize,
    /// `{{resolve:...}}` dynamic references (SSM and Secrets Manager reads).
    pub dynamic_references: usize,
}

/// The dynamic reference syntax CloudFormation counts.
const DYNAMIC_REFERENCE: &str = "{{resolve:";

/// Compact JSON, as `serde_json::to_string` writes it (the trait's default
/// methods), counting dynamic references in the text of strings as they
/// pass. A reference can only stand inside one string (`{{` is no JSON
/// syntax), and `serde_json` splits a string's text only around characters
/// it escapes, none of which a reference holds: counting per fragment
/// counts what searching the whole body would.
struct CountReferences<'a>(&'a mut usize);

impl serde_json::ser::Formatter for CountReferences<'_> {
    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        *self.0 += count_dynamic_references(fragment);
        writer.write_all(fragment.as_bytes())
    }
}

/// How many times [`DYNAMIC_REFERENCE`] occurs in `text`: looked for only at
/// each `{` (a `str` search would set itself up anew for every one of the
/// template's many short strings).
fn count_dynamic_references(text: &str) -> usize {
    let mut rest = text.as_bytes();
    let mut count = 0;
    while let Some(at) = rest.iter().position(|&b| b == b'{') {
        rest = &rest[at..];
        if rest.starts_with(DYNAMIC_REFERENCE.as_bytes()) {
            count += 1;
            rest = &rest[DYNAMIC_REFERENCE.len()..];
        } else {
            rest = &rest[1..];
        }
    }
    count
}

/// A writer that keeps only how many bytes went through it.
struct ByteCount(usize);

impl io::Write for ByteCount {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
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

/// Lower one layer's resources, published values and outputs; with
/// `record_spans`, also where each property's value was written.
pub(super) fn lower_layer(
    model: &Model,
    layer: &LayerModel,
    record_spans: bool,
    errors: &mut Vec<LowerError>,
) -> Stack {
    let mut parameters = ssm_parameters(layer);
    let by_parameter: HashMap<String, String> =
        parameters.iter().map(|(k, v)| (v.clone(), k.clone())).collect();
    let spans = record_spans.then(BTreeMap::new);
    let mut lowering = Lowering { ssm_parameters: &by_parameter, used: BTreeSet::new(), errors, spans };
    let mut resources = Map::with_capacity(layer.resources.len() + layer.publishes.len());
    let mut property_spans = BTreeMap::new();
    // The evaluator has refused duplicate logical ids already.
    for resource in &layer.resources {
        resources.insert(resource.logical_id.clone(), lower_resource(&mut lowering, resource));
        if let Some(spans) = lowering.spans.as_mut() {
            property_spans.insert(resource.logical_id.clone(), std::mem::take(spans));
        }
    }
    let mut outputs = address_outputs(layer);
    for published in &layer.publishes {
        let path = format!("publish {}", published.name);
        let value = lowering.json(&published.value, &PropertyPath::Named(&path)).unwrap_or(Json::Null);
        let (kind, value) = match &published.value.kind {
            ValueKind::List(_) => ("StringList", string_list(value)),
            _ => ("String", value),
        };
        let logical_id = published_logical_id(&published.name);
        let description = format!("`{}`, published as {}", published.name, published.parameter);
        outputs.insert(logical_id.clone(), json!({ "Description": description, "Value": value.clone() }));
        if let Some(spans) = lowering.spans.as_mut() {
            spans.clear();
            property_spans
                .insert(logical_id.clone(), BTreeMap::from([("Value".to_string(), published.value.origin)]));
        }
        resources.insert(
            logical_id,
            publish_parameter(&published.parameter, &published.name, kind, value, &layer.name),
        );
    }
    // A value read only where nothing reaches the template (an output no
    // resource uses) needs no parameter.
    parameters.retain(|name, _| lowering.used.contains(name));
    let lists: BTreeSet<String> =
        layer.imports.iter().filter(|i| i.list).map(|i| parameter_name(&i.layer, &i.name)).collect();
    let template = template(model, layer, &parameters, &lists, resources, outputs);
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
        .map(|import| (parameter_name(&import.layer, &import.name), import.parameter.clone()))
        .collect()
}

/// The template parameter that reads `layer`'s published `name`: `CoreDbUrl`.
fn parameter_name(layer: &str, name: &str) -> String {
    format!("{}{}", camel_case(layer), camel_case(name))
}

fn lower_resource(lowering: &mut Lowering, resource: &ResourceModel) -> Json {
    let options = match &resource.options.kind {
        ValueKind::Record(options) => options.len(),
        _ => 0,
    };
    // `Type`, the resource attributes, `Properties`.
    let mut body = Map::with_capacity(options + 2);
    body.insert("Type".into(), Json::String(resource.type_name.clone()));
    if let ValueKind::Record(options) = &resource.options.kind {
        for (key, option) in options.iter() {
            let json = match &**key {
                "DependsOn" => depends_on(option),
                _ => lowering.json(option, &PropertyPath::Named(key)),
            };
            body.extend(json.map(|json| (String::from(&**key), json)));
        }
    }
    if let ValueKind::Record(properties) = &resource.properties.kind {
        let properties = lowering.record(properties, &PropertyPath::Root);
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

/// A `StringList` parameter's value: its elements joined by commas, as text
/// when they are all known, else with `Fn::Join`.
fn string_list(items: Json) -> Json {
    let texts: Option<Vec<&str>> = match &items {
        Json::Array(items) => items.iter().map(Json::as_str).collect(),
        _ => None,
    };
    match texts {
        Some(texts) => Json::String(texts.join(",")),
        None => json!({ "Fn::Join": [",", items] }),
    }
}

fn publish_parameter(parameter: &str, name: &str, kind: &str, value: Json, layer: &str) -> Json {
    json!({
        "Type": "AWS::SSM::Parameter",
        "Properties": {
            "Name": parameter,
            "Type": kind,
            "Value": value,
            "Description": format!("`{name}`, published by layer {layer} for the layers after it"),
        }
    })
}

fn template(
    model: &Model,
    layer: &LayerModel,
    parameters: &BTreeMap<String, String>,
    lists: &BTreeSet<String>,
    resources: Map<String, Json>,
    outputs: Map<String, Json>,
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
                let kind = if lists.contains(name) {
                    "AWS::SSM::Parameter::Value<List<String>>"
                } else {
                    "AWS::SSM::Parameter::Value<String>"
                };
                (name.clone(), json!({ "Type": kind, "Default": ssm, "Description": description }))
            })
            .collect();
        template.insert("Parameters".into(), Json::Object(parameters));
    }
    template.insert("Resources".into(), Json::Object(resources));
    if !outputs.is_empty() {
        template.insert("Outputs".into(), Json::Object(outputs));
    }
    Json::Object(template)
}

/// Resource types whose address or name a person wants after a deploy: the
/// attribute that holds it, and what it is.
const ADDRESSES: &[(&str, &str, &str)] = &[
    ("AWS::ElasticLoadBalancingV2::LoadBalancer", "DNSName", "the load balancer's DNS name"),
    ("AWS::CloudFront::Distribution", "DomainName", "the distribution's domain name"),
    ("AWS::ECR::Repository", "RepositoryUri", "the repository's URI, where images are pushed"),
    ("AWS::ECS::Service", "Name", "the ECS service's name"),
];

/// One output per resource that has an address or a name to read:
/// `<LogicalId><Attribute>`.
fn address_outputs(layer: &LayerModel) -> Map<String, Json> {
    layer
        .resources
        .iter()
        .filter_map(|resource| {
            let (_, attribute, what) = ADDRESSES.iter().find(|(ty, _, _)| *ty == resource.type_name)?;
            let output = json!({
                "Description": format!("{}: {what}", resource.logical_id),
                "Value": { "Fn::GetAtt": [resource.logical_id, attribute] },
            });
            Some((format!("{}{attribute}", resource.logical_id), output))
        })
        .collect()
}
