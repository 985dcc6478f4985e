//! CloudFormation's own resource schemas, and checking resources against them.
//!
//! The schemas come from the registry copy that cfn-lint ships, reduced by
//! `tools/schemas/refresh.sh` to `schemas/cloudformation.json` (format in
//! `schemas/README.md`) and embedded in the binary. Only the types a spec uses
//! are decoded, so checking stays in milliseconds.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, OnceLock};

use serde::Deserialize;
use serde_json::value::RawValue;

use super::error::LowerError;
use crate::diag::did_you_mean;
use crate::eval::{DeployExpr, LayerModel, ResourceModel, Value, ValueKind};
use crate::source::Span;

const SCHEMAS: &str = include_str!("schemas/cloudformation.json");

/// One resource type's schema.
#[derive(Debug, Deserialize)]
pub struct ResourceType {
    /// Properties and their shapes.
    #[serde(rename = "p")]
    pub properties: BTreeMap<String, Shape>,
    /// Required property names.
    #[serde(rename = "r", default)]
    pub required: Vec<String>,
    /// Valid `Fn::GetAtt` names.
    #[serde(default)]
    pub attrs: Vec<String>,
    /// Properties whose change replaces the resource.
    #[serde(default)]
    pub create_only: Vec<String>,
    /// Regions (of those the digest covers) without this type.
    #[serde(default)]
    pub not_in: Vec<String>,
}

/// The shape of a property value.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum Shape {
    Primitive(Primitive),
    Node(Box<Node>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Primitive {
    String,
    Integer,
    Number,
    Boolean,
    Scalar,
    Json,
}

/// An object (`p`), list (`l`), map (`m`) or enum (`e`) shape.
#[derive(Debug, Deserialize)]
pub struct Node {
    p: Option<BTreeMap<String, Shape>>,
    #[serde(default)]
    r: Vec<String>,
    #[serde(default)]
    o: bool,
    l: Option<Shape>,
    m: Option<Shape>,
    e: Option<Vec<String>>,
    #[serde(default)]
    ci: bool,
}

#[derive(Deserialize)]
struct Digest<'a> {
    #[serde(borrow)]
    types: HashMap<&'a str, &'a RawValue>,
}

fn digest() -> &'static HashMap<&'static str, &'static RawValue> {
    static DIGEST: OnceLock<HashMap<&'static str, &'static RawValue>> = OnceLock::new();
    DIGEST
        .get_or_init(|| serde_json::from_str::<Digest<'static>>(SCHEMAS).map(|d| d.types).unwrap_or_default())
}

/// The schema of `type_name`, decoded on first use.
pub fn resource_type(type_name: &str) -> Option<&'static ResourceType> {
    static DECODED: OnceLock<Mutex<HashMap<String, &'static ResourceType>>> = OnceLock::new();
    let decoded = DECODED.get_or_init(Default::default);
    let mut decoded = decoded.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(found) = decoded.get(type_name) {
        return Some(found);
    }
    let raw = digest().get(type_name)?;
    let parsed: ResourceType = serde_json::from_str(raw.get()).ok()?;
    // Leaked once per type for the life of the process: a few hundred at most.
    let parsed: &'static ResourceType = Box::leak(Box::new(parsed));
    decoded.insert(type_name.to_string(), parsed);
    Some(parsed)
}

/// The closest known type name to a misspelled one.
fn suggest_type(type_name: &str) -> Option<String> {
    did_you_mean(type_name, digest().keys().copied()).map(str::to_string)
}

/// Check every resource of a layer: its type, properties and the attributes
/// other resources read from it.
pub fn check_layer(layer: &LayerModel, region: &str, errors: &mut Vec<LowerError>) {
    let mut types: HashMap<&str, &'static ResourceType> = HashMap::new();
    for resource in &layer.resources {
        let span = resource.instance_span.unwrap_or(resource.span);
        let Some(schema) = resource_type(&resource.type_name) else {
            let suggestion = suggest_type(&resource.type_name);
            errors.push(LowerError::UnknownResourceType {
                span,
                type_name: resource.type_name.clone(),
                suggestion,
            });
            continue;
        };
        if schema.not_in.iter().any(|r| r == region) {
            errors.push(LowerError::TypeNotInRegion {
                span,
                type_name: resource.type_name.clone(),
                region: region.into(),
            });
        }
        types.insert(&resource.logical_id, schema);
        check_properties(resource, schema, errors);
    }
    for resource in &layer.resources {
        resource
            .properties
            .for_each_deploy(&mut |expr, value| check_attribute(&types, layer, expr, value.origin, errors));
    }
}

fn check_properties(resource: &ResourceModel, schema: &ResourceType, errors: &mut Vec<LowerError>) {
    let ValueKind::Record(fields) = &resource.properties.kind else { return };
    let span = resource.instance_span.unwrap_or(resource.span);
    let object = ObjectShape { properties: &schema.properties, required: &schema.required, open: false };
    let checker = Checker { type_name: &resource.type_name };
    checker.object(fields, &object, "", span, errors);
}

struct ObjectShape<'s> {
    properties: &'s BTreeMap<String, Shape>,
    required: &'s [String],
    open: bool,
}

struct Checker<'t> {
    type_name: &'t str,
}

impl Checker<'_> {
    fn object(
        &self,
        fields: &[(String, Value)],
        shape: &ObjectShape,
        path: &str,
        owner: Span,
        errors: &mut Vec<LowerError>,
    ) {
        for (key, value) in fields {
            let field_path = join(path, key);
            match shape.properties.get(key) {
                Some(inner) => self.value(value, inner, &field_path, errors),
                None if shape.open => {}
                None => {
                    let suggestion =
                        did_you_mean(key, shape.properties.keys().map(String::as_str)).map(str::to_string);
                    let type_name = self.type_name.to_string();
                    errors.push(LowerError::UnknownProperty {
                        span: value.origin,
                        type_name,
                        path: field_path,
                        suggestion,
                    });
                }
            }
        }
        for required in shape.required {
            let present = fields.iter().any(|(k, v)| k == required && !matches!(v.kind, ValueKind::Null));
            if !present {
                let type_name = self.type_name.to_string();
                errors.push(LowerError::MissingProperty {
                    span: owner,
                    type_name,
                    path: join(path, required),
                });
            }
        }
    }

    fn value(&self, value: &Value, shape: &Shape, path: &str, errors: &mut Vec<LowerError>) {
        // Intrinsics can stand in for any value; CloudFormation checks them at deploy time.
        if matches!(value.kind, ValueKind::Deploy(_) | ValueKind::Secret { .. } | ValueKind::Null) {
            return;
        }
        match shape {
            Shape::Primitive(primitive) => self.primitive(value, *primitive, path, errors),
            Shape::Node(node) => self.node(value, node, path, errors),
        }
    }

    fn primitive(&self, value: &Value, primitive: Primitive, path: &str, errors: &mut Vec<LowerError>) {
        let fits = match (primitive, &value.kind) {
            (Primitive::Json, _) => true,
            (_, ValueKind::Quantity(_) | ValueKind::Instance { .. }) => true, // reported by lowering
            (Primitive::String, k) => is_scalar(k),
            (Primitive::Integer, ValueKind::Int(_)) => true,
            (Primitive::Integer, ValueKind::String(s)) => s.parse::<i64>().is_ok(),
            (Primitive::Number, ValueKind::Int(_) | ValueKind::Number(_)) => true,
            (Primitive::Number, ValueKind::String(s)) => s.parse::<f64>().is_ok(),
            (Primitive::Boolean, ValueKind::Bool(_)) => true,
            (Primitive::Boolean, ValueKind::String(s)) => s == "true" || s == "false",
            (Primitive::Scalar, k) => is_scalar(k),
            _ => false,
        };
        if !fits {
            let expected = primitive_name(primitive).to_string();
            errors.push(LowerError::WrongPropertyType {
                span: value.origin,
                path: path.into(),
                expected,
                found: value.kind.describe(),
            });
        }
    }

    fn node(&self, value: &Value, node: &Node, path: &str, errors: &mut Vec<LowerError>) {
        match (&value.kind, node) {
            (ValueKind::Record(fields), Node { p: Some(properties), r, o, .. }) => {
                let shape = ObjectShape { properties, required: r, open: *o };
                self.object(fields, &shape, path, value.origin, errors);
            }
            (ValueKind::List(items), Node { l: Some(inner), .. }) => {
                for (i, item) in items.iter().enumerate() {
                    self.value(item, inner, &format!("{path}[{i}]"), errors);
                }
            }
            (ValueKind::Record(fields), Node { m: Some(inner), .. }) => {
                for (key, item) in fields {
                    self.value(item, inner, &join(path, key), errors);
                }
            }
            (kind, Node { e: Some(allowed), ci, .. }) if is_scalar(kind) => {
                let text = scalar_text(kind);
                let matches = |a: &String| if *ci { a.eq_ignore_ascii_case(&text) } else { *a == text };
                if !allowed.iter().any(matches) {
                    errors.push(LowerError::NotInEnum {
                        span: value.origin,
                        path: path.into(),
                        value: text,
                        allowed: allowed.clone(),
                    });
                }
            }
            (kind, node) => {
                let expected = node_name(node).to_string();
                errors.push(LowerError::WrongPropertyType {
                    span: value.origin,
                    path: path.into(),
                    expected,
                    found: kind.describe(),
                });
            }
        }
    }
}

fn check_attribute(
    types: &HashMap<&str, &'static ResourceType>,
    layer: &LayerModel,
    expr: &DeployExpr,
    origin: Span,
    errors: &mut Vec<LowerError>,
) {
    let DeployExpr::GetAtt(id, attribute) = expr else { return };
    let Some(schema) = types.get(id.as_str()) else { return };
    if schema.attrs.iter().any(|a| a == attribute) {
        return;
    }
    let type_name = layer.resource(id).map(|r| r.type_name.clone()).unwrap_or_default();
    let suggestion = did_you_mean(attribute, schema.attrs.iter().map(String::as_str)).map(str::to_string);
    errors.push(LowerError::UnknownAttribute {
        span: origin,
        type_name,
        attribute: attribute.clone(),
        suggestion,
    });
}

fn is_scalar(kind: &ValueKind) -> bool {
    matches!(kind, ValueKind::String(_) | ValueKind::Int(_) | ValueKind::Number(_) | ValueKind::Bool(_))
        || matches!(kind, ValueKind::Variant { fields, .. } if fields.is_empty())
}

fn scalar_text(kind: &ValueKind) -> String {
    match kind {
        ValueKind::String(s) => s.clone(),
        ValueKind::Int(n) => n.to_string(),
        ValueKind::Number(n) => n.to_string(),
        ValueKind::Bool(b) => b.to_string(),
        ValueKind::Variant { text, variant, .. } => text.clone().unwrap_or_else(|| variant.clone()),
        _ => String::new(),
    }
}

fn primitive_name(primitive: Primitive) -> &'static str {
    match primitive {
        Primitive::String => "a string",
        Primitive::Integer => "an integer",
        Primitive::Number => "a number",
        Primitive::Boolean => "a bool",
        Primitive::Scalar => "a string, number or bool",
        Primitive::Json => "any value",
    }
}

fn node_name(node: &Node) -> &'static str {
    if node.p.is_some() {
        "a record"
    } else if node.l.is_some() {
        "a list"
    } else if node.m.is_some() {
        "a map"
    } else {
        "one of the allowed values"
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}
