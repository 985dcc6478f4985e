//! Evaluated values → template JSON: literals as they are, deploy-time values
//! as intrinsic functions, SSM reads as template parameters.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::{json, Map, Value as Json};

use super::error::LowerError;
use super::property_path::PropertyPath;
use crate::eval::{DeployExpr, FieldName, Value, ValueKind};
use crate::source::Span;

/// What lowering a value needs to know about its template.
pub struct Lowering<'a> {
    /// SSM parameter name → the template parameter that reads it.
    pub ssm_parameters: &'a HashMap<String, String>,
    /// The template parameters a lowered value referred to: only these are
    /// declared (CloudFormation's linter reports a parameter nobody uses).
    pub used: BTreeSet<String>,
    pub errors: &'a mut Vec<LowerError>,
    /// Property path → where its value was written, for the value lowered last
    /// (the caller takes it per resource); `None` when nobody asked, so no
    /// path is written out for them.
    pub spans: Option<BTreeMap<String, Span>>,
}

impl Lowering<'_> {
    /// The JSON of `value` at property path `path`; `None` for `none` (the
    /// property is left out, which is what an optional field means).
    pub fn json(&mut self, value: &Value, path: &PropertyPath) -> Option<Json> {
        if let Some(spans) = self.spans.as_mut().filter(|_| !matches!(value.kind, ValueKind::Null)) {
            // The outer value wins: an interpolation's parts share its path.
            spans.entry(path.to_string()).or_insert(value.origin);
        }
        Some(match &value.kind {
            ValueKind::Null => return None,
            ValueKind::Bool(b) => Json::Bool(*b),
            ValueKind::Int(n) => json!(n),
            ValueKind::Number(n) => json!(n),
            ValueKind::String(s) => Json::String(s.to_string()),
            ValueKind::Quantity(q) => {
                let property = path.to_string();
                self.errors.push(LowerError::QuantityInTemplate {
                    span: value.origin,
                    property,
                    display: q.to_string(),
                });
                Json::Null
            }
            ValueKind::List(items) if whole_imported_list(items).is_some() => {
                self.ssm_list(whole_imported_list(items).unwrap_or_default())
            }
            ValueKind::List(items) => {
                let mut array = Vec::with_capacity(items.len());
                array.extend(items.iter().enumerate().filter_map(|(i, v)| self.json(v, &path.item(i))));
                Json::Array(array)
            }
            ValueKind::Record(fields) => self.record(fields, path),
            ValueKind::Variant(variant) if variant.fields.is_empty() => {
                Json::String(variant.shown().to_string())
            }
            ValueKind::Variant(_) => self.not_a_value(value, path, "an enum variant with fields"),
            ValueKind::Instance(_) => self.not_a_value(value, path, "a construct instance"),
            ValueKind::Secret { parameter } => secret_arn(parameter),
            ValueKind::Deploy(expr) => self.deploy(expr, value, path)?,
        })
    }

    /// A record's fields in the order written, `none` fields left out.
    pub fn record(&mut self, fields: &[(FieldName, Value)], path: &PropertyPath) -> Json {
        // Sized once: a map grown entry by entry reallocates and rehashes.
        let mut map = Map::with_capacity(fields.len());
        for (key, field) in fields {
            if let Some(json) = self.json(field, &path.field(key)) {
                // `String::from`, not `to_string`: no trip through `Display` per field.
                map.insert(String::from(&**key), json);
            }
        }
        Json::Object(map)
    }

    fn deploy(&mut self, expr: &DeployExpr, value: &Value, path: &PropertyPath) -> Option<Json> {
        Some(match expr {
            DeployExpr::Ref(id) => json!({ "Ref": id }),
            DeployExpr::GetAtt(id, attribute) => json!({ "Fn::GetAtt": [id, attribute] }),
            DeployExpr::Pseudo(name) => json!({ "Ref": name }),
            DeployExpr::SsmItem { parameter, index, .. } => {
                json!({ "Fn::Select": [index, self.ssm_list(parameter)] })
            }
            DeployExpr::Ssm(parameter) => match self.ssm_parameters.get(parameter) {
                Some(name) => {
                    self.used.insert(name.clone());
                    json!({ "Ref": name })
                }
                // The model lists every SSM read; a miss means a published value
                // of this same layer, which is known here directly.
                None => json!(format!("{{{{resolve:ssm:{parameter}}}}}")),
            },
            DeployExpr::Join(parts) => self.sub(parts, path),
            DeployExpr::Equals { .. } => self.not_a_value(value, path, "a deploy-time condition"),
        })
    }

    /// A published list read from SSM: the `Ref` of its `List<String>`
    /// parameter (the model lists every list a layer reads).
    fn ssm_list(&mut self, parameter: &str) -> Json {
        match self.ssm_parameters.get(parameter) {
            Some(name) => {
                self.used.insert(name.clone());
                json!({ "Ref": name })
            }
            None => json!({ "Fn::Split": [",", format!("{{{{resolve:ssm:{parameter}}}}}")] }),
        }
    }

    /// An interpolated string as `Fn::Sub`, the form CloudFormation's linter
    /// prefers to `Fn::Join` of "": references are written in place
    /// (`${Vpc}`, `${Db.Endpoint.Address}`, `${AWS::Region}`); anything else
    /// becomes a named variable of the `Fn::Sub` map.
    fn sub(&mut self, parts: &[Value], path: &PropertyPath) -> Json {
        let mut template = String::new();
        let mut variables = Map::new();
        for part in parts {
            let Some(json) = self.json(part, path) else { continue };
            match in_place(&json) {
                Some(text) => template.push_str(&text),
                None => {
                    let name = format!("Part{}", variables.len());
                    template.push_str(&format!("${{{name}}}"));
                    variables.insert(name, json);
                }
            }
        }
        if variables.is_empty() {
            json!({ "Fn::Sub": template })
        } else {
            json!({ "Fn::Sub": [template, variables] })
        }
    }

    fn not_a_value(&mut self, value: &Value, path: &PropertyPath, what: &'static str) -> Json {
        self.errors.push(LowerError::NotATemplateValue {
            span: value.origin,
            property: path.to_string(),
            what,
        });
        Json::Null
    }
}

/// The SSM parameter of a published list when `items` are all its elements
/// in order: the list is then passed on whole, as one `Ref`.
fn whole_imported_list(items: &[Value]) -> Option<&str> {
    let mut whole = None;
    for (position, item) in items.iter().enumerate() {
        let ValueKind::Deploy(expr) = &item.kind else { return None };
        let DeployExpr::SsmItem { parameter, index, length } = &**expr else { return None };
        let same = whole.map_or(true, |p: &str| p == parameter);
        if !same || *index != position || *length != items.len() {
            return None;
        }
        whole = Some(parameter.as_str());
    }
    whole
}

/// How a lowered part is written inside an `Fn::Sub` template, when it can be:
/// text (with `${` escaped), `${Name}` for a `Ref`, `${Name.Attr}` for a `GetAtt`.
fn in_place(json: &Json) -> Option<String> {
    match json {
        Json::String(text) => Some(text.replace("${", "${!")),
        Json::Number(n) => Some(n.to_string()),
        Json::Bool(b) => Some(b.to_string()),
        Json::Object(object) if object.len() == 1 => match object.iter().next()? {
            (key, Json::String(name)) if key == "Ref" => Some(format!("${{{name}}}")),
            (key, Json::Array(pair)) if key == "Fn::GetAtt" => match pair.as_slice() {
                [Json::String(id), Json::String(attribute)] => Some(format!("${{{id}.{attribute}}}")),
                _ => None,
            },
            _ => None,
        },
        _ => None,
    }
}

/// A secret lowers to its parameter's ARN, never to its value: that is what
/// ECS container secrets and IAM policies take.
fn secret_arn(parameter: &str) -> Json {
    json!({ "Fn::Sub": format!("arn:${{AWS::Partition}}:ssm:${{AWS::Region}}:${{AWS::AccountId}}:parameter{parameter}") })
}
