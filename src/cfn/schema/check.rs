//! A layer's resources against their schemas: types, regions, property names
//! and value shapes. The constraints on a single value (range, length,
//! pattern, item count) are in `values`.

use std::borrow::Cow;
use std::collections::HashMap;

use super::digest::{self, Kind, Object, Properties, ResourceType, Scalar, Shape};
use super::values::{self, Site};
use crate::cfn::error::LowerError;
use crate::cfn::property_path::PropertyPath;
use crate::diag::did_you_mean;
use crate::eval::{DeployExpr, FieldName, LayerModel, ResourceModel, Value, ValueKind};
use crate::source::Span;

/// Check every resource of a layer: its type, its region, its properties and
/// the attributes other resources read from it.
pub fn check_layer(layer: &LayerModel, region: &str, errors: &mut Vec<LowerError>) {
    let mut types: HashMap<&str, &'static ResourceType<'static>> = HashMap::new();
    for resource in &layer.resources {
        let span = resource.instance_span.unwrap_or(resource.span);
        let Some(schema) = digest::resource_type(&resource.type_name) else {
            let suggestion = did_you_mean(&resource.type_name, digest::type_names()).map(str::to_string);
            errors.push(LowerError::UnknownResourceType {
                span,
                type_name: resource.type_name.clone(),
                suggestion,
            });
            continue;
        };
        if super::available_in(&resource.type_name, region) == Some(false) {
            errors.push(LowerError::TypeNotInRegion {
                span,
                type_name: resource.type_name.clone(),
                region: region.into(),
                offered_in: super::offered_in(&resource.type_name).map(str::to_string).collect(),
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

fn check_properties(resource: &ResourceModel, schema: &ResourceType<'static>, errors: &mut Vec<LowerError>) {
    let ValueKind::Record(fields) = &resource.properties.kind else { return };
    let owner = resource.instance_span.unwrap_or(resource.span);
    let top = ObjectRef { properties: &schema.properties, required: &schema.required, open: false };
    Checker { type_name: &resource.type_name, owner, errors }.check(fields, top);
}

/// An object shape's parts, for the resource's own properties and nested records alike.
#[derive(Clone, Copy)]
struct ObjectRef<'s> {
    properties: &'s Properties<'static>,
    required: &'s [&'static str],
    open: bool,
}

impl<'s> From<&'s Object<'static>> for ObjectRef<'s> {
    fn from(object: &'s Object<'static>) -> Self {
        ObjectRef { properties: &object.properties, required: &object.required, open: object.open }
    }
}

struct Checker<'a> {
    type_name: &'a str,
    /// The resource, or the construct instance that declares it.
    owner: Span,
    errors: &'a mut Vec<LowerError>,
}

impl Checker<'_> {
    fn check(mut self, fields: &[(FieldName, Value)], top: ObjectRef) {
        self.object(fields, top, &PropertyPath::Root, self.owner);
    }

    fn object(&mut self, fields: &[(FieldName, Value)], shape: ObjectRef, path: &PropertyPath, owner: Span) {
        for (key, value) in fields {
            let field_path = path.field(key);
            match shape.properties.get(key) {
                Some(inner) => self.value(value, inner, &field_path),
                None if shape.open => {}
                None => {
                    let suggestion = did_you_mean(key, shape.properties.names()).map(str::to_string);
                    self.errors.push(LowerError::UnknownProperty {
                        span: value.origin,
                        type_name: self.type_name.to_string(),
                        path: field_path.to_string(),
                        suggestion,
                    });
                }
            }
        }
        for required in shape.required {
            let present = fields.iter().any(|(k, v)| &**k == *required && !matches!(v.kind, ValueKind::Null));
            if !present {
                self.errors.push(LowerError::MissingProperty {
                    span: owner,
                    type_name: self.type_name.to_string(),
                    path: path.field(required).to_string(),
                });
            }
        }
    }

    fn value(&mut self, value: &Value, shape: &Shape<'static>, path: &PropertyPath) {
        // Intrinsics can stand in for any value; CloudFormation checks them at deploy time.
        if matches!(value.kind, ValueKind::Deploy(_) | ValueKind::Secret { .. } | ValueKind::Null) {
            return;
        }
        match (shape, &value.kind) {
            (Shape::Any, _) => {}
            // Reported by lowering, which has no CloudFormation form for them.
            (_, ValueKind::Quantity(_) | ValueKind::Instance { .. }) => {}
            (Shape::Kind(kind), _) => {
                if !fits(*kind, &value.kind) {
                    self.wrong_type(value, path, kind_name(*kind));
                }
            }
            (Shape::Scalar(scalar), _) => self.scalar(value, scalar, path),
            (Shape::Object(object), ValueKind::Record(fields)) => {
                self.object(fields, object.as_ref().into(), path, value.origin);
            }
            (Shape::List(list), ValueKind::List(items)) => {
                let site = Site { type_name: self.type_name, path, span: value.origin, owner: self.owner };
                values::check_count(items, list.count, &site, self.errors);
                for (i, item) in items.iter().enumerate() {
                    self.value(item, &list.items, &path.item(i));
                }
            }
            (Shape::Map(inner), ValueKind::Record(fields)) => {
                for (key, item) in fields.iter() {
                    self.value(item, inner, &path.field(key));
                }
            }
            (Shape::Object(_), _) => self.wrong_type(value, path, "a record"),
            (Shape::List(_), _) => self.wrong_type(value, path, "a list"),
            (Shape::Map(_), _) => self.wrong_type(value, path, "a map"),
        }
    }

    fn scalar(&mut self, value: &Value, scalar: &Scalar, path: &PropertyPath) {
        if let Some(allowed) = &scalar.allowed {
            return self.enumerated(value, allowed, scalar.case_insensitive, path);
        }
        if !fits(scalar.kind, &value.kind) {
            return self.wrong_type(value, path, kind_name(scalar.kind));
        }
        let site = Site { type_name: self.type_name, path, span: value.origin, owner: self.owner };
        values::check_scalar(value, scalar, &site, self.errors);
    }

    fn enumerated(&mut self, value: &Value, allowed: &[String], case_insensitive: bool, path: &PropertyPath) {
        if !is_scalar(&value.kind) {
            return self.wrong_type(value, path, "one of the allowed values");
        }
        let text = scalar_text(&value.kind);
        let matches = |a: &String| if case_insensitive { a.eq_ignore_ascii_case(&text) } else { *a == text };
        if !allowed.iter().any(matches) {
            self.errors.push(LowerError::NotInEnum {
                span: value.origin,
                path: path.to_string(),
                value: text.into_owned(),
                allowed: allowed.to_vec(),
            });
        }
    }

    fn wrong_type(&mut self, value: &Value, path: &PropertyPath, expected: &str) {
        self.errors.push(LowerError::WrongPropertyType {
            span: value.origin,
            path: path.to_string(),
            expected: expected.to_string(),
            found: value.kind.describe(),
        });
    }
}

/// Whether a value of `kind` can stand where the schema wants `expected`.
/// CloudFormation reads `"5"` and `"true"` as a number and a bool.
fn fits(expected: Kind, kind: &ValueKind) -> bool {
    match (expected, kind) {
        (Kind::String | Kind::Scalar, k) => is_scalar(k),
        (Kind::Integer, ValueKind::Int(_)) => true,
        (Kind::Integer, ValueKind::String(s)) => s.parse::<i64>().is_ok(),
        (Kind::Number, ValueKind::Int(_) | ValueKind::Number(_)) => true,
        (Kind::Number, ValueKind::String(s)) => s.parse::<f64>().is_ok(),
        (Kind::Boolean, ValueKind::Bool(_)) => true,
        (Kind::Boolean, ValueKind::String(s)) => &**s == "true" || &**s == "false",
        _ => false,
    }
}

fn check_attribute(
    types: &HashMap<&str, &'static ResourceType<'static>>,
    layer: &LayerModel,
    expr: &DeployExpr,
    origin: Span,
    errors: &mut Vec<LowerError>,
) {
    let DeployExpr::GetAtt(id, attribute) = expr else { return };
    let Some(schema) = types.get(&**id) else { return };
    if schema.attrs.iter().any(|a| *a == &**attribute) {
        return;
    }
    let type_name = layer.resource(id).map(|r| r.type_name.clone()).unwrap_or_default();
    let suggestion = did_you_mean(attribute, schema.attrs.iter().copied()).map(str::to_string);
    errors.push(LowerError::UnknownAttribute {
        span: origin,
        type_name,
        attribute: attribute.to_string(),
        suggestion,
    });
}

/// A string, number, bool or field-less variant: what lowers to a JSON scalar.
pub(super) fn is_scalar(kind: &ValueKind) -> bool {
    matches!(kind, ValueKind::String(_) | ValueKind::Int(_) | ValueKind::Number(_) | ValueKind::Bool(_))
        || matches!(kind, ValueKind::Variant(variant) if variant.fields.is_empty())
}

/// The text a scalar lowers to, borrowed where the value holds it.
pub(super) fn scalar_text(kind: &ValueKind) -> Cow<'_, str> {
    match kind {
        ValueKind::String(s) => Cow::Borrowed(s),
        ValueKind::Int(n) => Cow::Owned(n.to_string()),
        ValueKind::Number(n) => Cow::Owned(n.to_string()),
        ValueKind::Bool(b) => Cow::Owned(b.to_string()),
        ValueKind::Variant(variant) => Cow::Borrowed(variant.shown()),
        _ => Cow::Borrowed(""),
    }
}

fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::String => "a string",
        Kind::Integer => "an integer",
        Kind::Number => "a number",
        Kind::Boolean => "a bool",
        Kind::Scalar => "a string, number or bool",
    }
}
