//! Property-level changes of one resource: which values change, from what to
//! what, whether that replaces the resource, and which spec line wrote them.
//!
//! Input: a change set entry (with `IncludePropertyValues` details on AWS, none
//! on emulators), the resource in the deployed and in the new template, and
//! where each new value was written. Output: [`PropertyChange`]s. Invariants:
//! values are shown as the templates write them — a value read from SSM, a
//! secret or a reference is shown by name (`ssm:/p/x`, `Db.Endpoint.Address`),
//! never resolved; AWS's resolved values are used only where the template
//! holds a plain literal.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value as Json;

use super::api::{ChangeDetail, ResourceChange};
use super::report::SourceLine;
use crate::cfn::schema::ResourceFacts;

/// Whether a change replaces the resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Recreation {
    /// The resource is updated in place.
    Never,
    /// CloudFormation decides when it runs.
    Conditionally,
    /// A new resource replaces it.
    Always,
    /// Nobody said (an emulator, and no schema knowledge).
    #[serde(rename = "unknown")]
    Unknown,
}

impl Recreation {
    fn from_aws(text: Option<&str>) -> Recreation {
        match text {
            Some("Never") => Recreation::Never,
            Some("Conditionally") => Recreation::Conditionally,
            Some("Always") => Recreation::Always,
            _ => Recreation::Unknown,
        }
    }
}

/// One changed value of a resource.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PropertyChange {
    /// `BackupRetentionPeriod`, `Tags[0].Value`, `DeletionPolicy`.
    pub path: String,
    /// As the deployed template writes it; `None` when added.
    pub before: Option<Json>,
    /// As the new template writes it; `None` when removed.
    pub after: Option<Json>,
    pub recreation: Recreation,
    /// Why it changes when the template does not say: a parameter (an SSM
    /// value published by another layer) or another resource.
    pub cause: Option<String>,
    /// The spec line that wrote the new value.
    pub source: Option<SourceLine>,
}

/// The property changes of `change`, from AWS's details when it gave paths,
/// else from the two templates' resource bodies.
pub fn property_changes(
    change: &ResourceChange,
    deployed: Option<&Json>,
    new: Option<&Json>,
    sources: &BTreeMap<String, SourceLine>,
    facts: Option<ResourceFacts>,
) -> Vec<PropertyChange> {
    let from_aws: Vec<&ChangeDetail> =
        change.details.iter().filter(|d| d.target.as_ref().is_some_and(|t| t.path.is_some())).collect();
    let mut changes = if from_aws.is_empty() {
        template_diff(deployed, new, facts)
    } else {
        aws_changes(&from_aws, deployed, new)
    };
    for c in &mut changes {
        c.source = source_of(&c.path, sources);
    }
    changes
}

fn aws_changes(
    details: &[&ChangeDetail],
    deployed: Option<&Json>,
    new: Option<&Json>,
) -> Vec<PropertyChange> {
    let mut by_path: BTreeMap<String, PropertyChange> = BTreeMap::new();
    for detail in details {
        let Some(target) = &detail.target else { continue };
        let Some(pointer) = target.path.as_deref() else { continue };
        let path = dotted(pointer);
        let before = side(deployed, pointer, target.before_value.as_deref());
        let after = side(new, pointer, target.after_value.as_deref());
        let cause = match (detail.change_source.as_deref(), detail.causing_entity.as_deref()) {
            (Some("ParameterReference"), Some(entity)) => Some(format!("parameter {entity}")),
            (Some("ResourceReference" | "ResourceAttribute"), Some(entity)) => {
                Some(format!("resource {entity}"))
            }
            _ => None,
        };
        let recreation = Recreation::from_aws(target.requires_recreation.as_deref());
        let entry = by_path.entry(path.clone()).or_insert(PropertyChange {
            path,
            before,
            after,
            recreation,
            cause: None,
            source: None,
        });
        entry.recreation = entry.recreation.most_severe_known(recreation);
        entry.cause = entry.cause.take().or(cause);
    }
    by_path.into_values().collect()
}

impl Recreation {
    /// The most severe known answer; unknown only when nothing is known.
    pub fn most_severe_known(self, other: Recreation) -> Recreation {
        match (self, other) {
            (Recreation::Unknown, x) | (x, Recreation::Unknown) => x,
            (a, b) => a.max(b),
        }
    }
}

/// One side of a change as the template writes it: the value at `pointer`,
/// or the nearest enclosing one when that is a reference (a list read from
/// SSM: AWS's path goes inside what the template names). AWS's own value
/// only when there is no template to read, and only if it is a literal.
fn side(resource: Option<&Json>, pointer: &str, aws: Option<&str>) -> Option<Json> {
    let Some(resource) = resource else {
        return parse(aws).filter(|j| !has_intrinsic(j));
    };
    let mut at = pointer;
    loop {
        if let Some(found) = resource.pointer(at) {
            return (at == pointer || has_intrinsic(found)).then(|| found.clone());
        }
        at = &at[..at.rfind('/')?];
    }
}

fn parse(text: Option<&str>) -> Option<Json> {
    let text = text?;
    Some(serde_json::from_str(text).unwrap_or_else(|_| Json::String(text.to_string())))
}

/// `/Properties/Tags/0/Value` → `Tags[0].Value`; `/DeletionPolicy` → `DeletionPolicy`.
pub fn dotted(pointer: &str) -> String {
    let mut out = String::new();
    let parts = pointer.trim_start_matches('/').split('/').map(|p| p.replace("~1", "/").replace("~0", "~"));
    for (i, part) in parts.enumerate() {
        if i == 0 && part == "Properties" {
            continue;
        }
        if part.chars().all(|c| c.is_ascii_digit()) && !part.is_empty() {
            out.push_str(&format!("[{part}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&part);
        }
    }
    out
}

/// Every leaf that differs between two resource bodies (`Type` aside).
fn template_diff(
    deployed: Option<&Json>,
    new: Option<&Json>,
    facts: Option<ResourceFacts>,
) -> Vec<PropertyChange> {
    let mut out = Vec::new();
    let empty = Json::Object(serde_json::Map::new());
    let deployed = deployed.unwrap_or(&empty);
    let new = new.unwrap_or(&empty);
    let mut keys: Vec<&String> =
        object_keys(deployed).chain(object_keys(new)).filter(|k| *k != "Type").collect();
    keys.sort();
    keys.dedup();
    for key in keys {
        let (before, after) = (deployed.get(key), new.get(key));
        if key == "Properties" {
            let first = out.len();
            diff_values(before.unwrap_or(&empty), after.unwrap_or(&empty), String::new(), &mut out);
            for change in &mut out[first..] {
                change.recreation = property_recreation(facts, &change.path);
            }
        } else if before != after {
            // `DependsOn`, `Metadata`, the policies: never recreate the resource.
            let mut change = leaf(key.clone(), before, after);
            change.recreation = if facts.is_some() { Recreation::Never } else { Recreation::Unknown };
            out.push(change);
        }
    }
    out
}

/// Whether changing the property at `path` recreates the resource: one inside
/// a create-only property does (the resource schema says which); without the
/// type's schema, nobody knows.
fn property_recreation(facts: Option<ResourceFacts>, path: &str) -> Recreation {
    match facts {
        Some(facts) if facts.change_replaces(&schema_path(path)) => Recreation::Always,
        Some(_) => Recreation::Never,
        None => Recreation::Unknown,
    }
}

/// A property path as the resource schema writes it: list indexes as
/// segments (`Tags[0].Value` → `Tags.0.Value`).
fn schema_path(path: &str) -> String {
    path.replace('[', ".").replace(']', "")
}

fn object_keys(json: &Json) -> impl Iterator<Item = &String> {
    json.as_object().into_iter().flat_map(|o| o.keys())
}

fn diff_values(before: &Json, after: &Json, path: String, out: &mut Vec<PropertyChange>) {
    if before == after {
        return;
    }
    let join = |key: &str| if path.is_empty() { key.to_string() } else { format!("{path}.{key}") };
    match (before, after) {
        (Json::Object(b), Json::Object(a)) if !is_intrinsic(before) && !is_intrinsic(after) => {
            let mut keys: Vec<&String> = b.keys().chain(a.keys()).collect();
            keys.sort();
            keys.dedup();
            for key in keys {
                match (b.get(key), a.get(key)) {
                    (Some(x), Some(y)) => diff_values(x, y, join(key), out),
                    (x, y) => out.push(leaf(join(key), x, y)),
                }
            }
        }
        (Json::Array(b), Json::Array(a)) if b.len() == a.len() => {
            for (i, (x, y)) in b.iter().zip(a).enumerate() {
                diff_values(x, y, format!("{path}[{i}]"), out);
            }
        }
        _ => out.push(leaf(path, Some(before), Some(after))),
    }
}

fn leaf(path: String, before: Option<&Json>, after: Option<&Json>) -> PropertyChange {
    PropertyChange {
        path,
        before: before.cloned(),
        after: after.cloned(),
        recreation: Recreation::Unknown,
        cause: None,
        source: None,
    }
}

/// `{"Ref": ..}`, `{"Fn::...": ..}`: one key naming an intrinsic function.
fn is_intrinsic(json: &Json) -> bool {
    json.as_object().is_some_and(|o| o.len() == 1 && o.keys().all(|k| k == "Ref" || k.starts_with("Fn::")))
}

fn has_intrinsic(json: &Json) -> bool {
    is_intrinsic(json)
        || match json {
            Json::Object(o) => o.values().any(has_intrinsic),
            Json::Array(a) => a.iter().any(has_intrinsic),
            _ => false,
        }
}

/// The spec line of `path`, or of its nearest ancestor the spec wrote.
fn source_of(path: &str, sources: &BTreeMap<String, SourceLine>) -> Option<SourceLine> {
    let mut at = path;
    loop {
        if let Some(found) = sources.get(at) {
            return Some(found.clone());
        }
        let cut = at.rfind(['.', '['])?;
        at = &at[..cut];
    }
}

/// A value as a reviewer reads it: literals as JSON, references by name.
/// `parameters` maps template parameters to the SSM names they read.
pub fn display(json: &Json, parameters: &BTreeMap<String, String>) -> String {
    if let Some((key, arg)) = json.as_object().filter(|o| o.len() == 1).and_then(|o| o.iter().next()) {
        match (key.as_str(), arg) {
            ("Ref", Json::String(name)) => {
                return match parameters.get(name) {
                    Some(ssm) => format!("ssm:{ssm}"),
                    None => format!("Ref({name})"),
                }
            }
            ("Fn::GetAtt", Json::Array(pair)) => {
                let parts: Vec<&str> = pair.iter().filter_map(Json::as_str).collect();
                return parts.join(".");
            }
            ("Fn::Sub", Json::String(text)) => return format!("\"{text}\""),
            _ => {}
        }
    }
    let text = json.to_string();
    if text.chars().count() > 80 {
        let cut: String = text.chars().take(77).collect();
        format!("{cut}...")
    } else {
        text
    }
}

#[cfg(test)]
#[path = "props_tests.rs"]
mod tests;
