//! One layer → one template: parameters for the SSM values it reads, its
//! resources, an SSM parameter resource for each value it publishes, and
//! `Outputs` for what a person wants to read once it is deployed (each
//! published value, each service's address). Outputs carry no `Export`:
//! layers read each other through SSM only.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::{self, Write as _};
use std::io;

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

    /// What CloudFormation measures of [`Stack::deploy_body`], counted
    /// without writing it (a test holds the count to the body).
    pub fn deploy_body_size(&self) -> BodySize {
        let mut size = BodySize::default();
        size.add(&self.template);
        size
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

impl BodySize {
    /// Add `json` as `serde_json::to_string` writes it: no whitespace, `,`
    /// between items, `:` after keys, numbers as their `Display`, strings
    /// quoted with their escapes. Serialising the template only to measure
    /// it cost as much as lowering it.
    fn add(&mut self, json: &Json) {
        match json {
            Json::Null | Json::Bool(true) => self.bytes += 4,
            Json::Bool(false) => self.bytes += 5,
            Json::Number(n) => self.bytes += number_length(n),
            Json::String(text) => self.add_string(text),
            Json::Array(items) => {
                self.bytes += 2 + items.len().saturating_sub(1);
                items.iter().for_each(|item| self.add(item));
            }
            Json::Object(entries) => {
                self.bytes += 2 + entries.len().saturating_sub(1) + entries.len();
                for (key, value) in entries {
                    self.add_string(key);
                    self.add(value);
                }
            }
        }
    }

    /// A string, quoted, with its escapes. A dynamic reference can only
    /// stand inside one string (`{{` is no JSON syntax) and holds nothing
    /// escaped, so counting per string counts what searching the body would.
    fn add_string(&mut self, text: &str) {
        let bytes = text.as_bytes();
        self.bytes += bytes.len() + 2;
        if is_plain(bytes) {
            return;
        }
        self.bytes += bytes.iter().map(|&b| escape_length(b) - 1).sum::<usize>();
        self.dynamic_references += memchr::memchr_iter(b'{', bytes)
            .filter(|&at| bytes[at..].starts_with(DYNAMIC_REFERENCE.as_bytes()))
            .count();
    }
}

/// Whether `bytes` hold nothing escaped and no `{`: most of a template's
/// strings, told eight bytes at a time.
fn is_plain(bytes: &[u8]) -> bool {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    // A byte of `word` below `n` (n ≤ 0x80), or equal to `byte`: the classic
    // zero-byte test, which never misses and never errs on a word.
    let below = |word: u64, n: u8| word.wrapping_sub(ONES * u64::from(n)) & !word & HIGHS != 0;
    let has = |word: u64, byte: u8| below(word ^ (ONES * u64::from(byte)), 1);
    let special = |b: u8| b < 0x20 || b == b'"' || b == b'\\' || b == b'{';
    let mut words = bytes.chunks_exact(8);
    for chunk in &mut words {
        let word = u64::from_ne_bytes(chunk.try_into().unwrap_or_default());
        if below(word, 0x20) || has(word, b'"') || has(word, b'\\') || has(word, b'{') {
            return false;
        }
    }
    !words.remainder().iter().any(|&b| special(b))
}

/// How many bytes `byte` takes inside a JSON string as `serde_json` writes
/// it: `\"`, `\\` and the short escapes of control characters take two,
/// the other control characters six (`\u001f`).
fn escape_length(byte: u8) -> usize {
    match byte {
        b'"' | b'\\' | 0x08 | 0x09 | 0x0A | 0x0C | 0x0D => 2,
        0x00..=0x1F => 6,
        _ => 1,
    }
}

/// How many bytes `serde_json` writes for `n`: its digits (and sign) for a
/// whole number, its `Display` for the rest.
fn number_length(n: &serde_json::Number) -> usize {
    let digits = |n: u64| n.checked_ilog10().map_or(1, |log| log as usize + 1);
    match (n.as_u64(), n.as_i64()) {
        (Some(n), _) => digits(n),
        (None, Some(n)) => 1 + digits(n.unsigned_abs()),
        (None, None) => {
            let mut count = CharCount(0);
            let _ = write!(count, "{n}");
            count.0
        }
    }
}

/// A `fmt::Write` that keeps only how many bytes were written to it.
struct CharCount(usize);

impl fmt::Write for CharCount {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        self.0 += text.len();
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
        ValueKind::Deploy(expr) => match &**expr {
            DeployExpr::Ref(id) => Json::String(id.to_string()),
            _ => Json::Null,
        },
        ValueKind::String(s) => Json::String(s.to_string()),
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
