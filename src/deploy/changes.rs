//! Decisions over what is deployed and what a change set says.
//!
//! Input: the deployed template and parameters, the new ones, and change set
//! pages. Output: whether a layer is unchanged, whether a change set is the
//! "no changes" one, and which changes must be refused. Invariants: templates
//! are compared as JSON values, never as bytes; a removal or a possible
//! replacement (True or Conditional) of a stateful resource is refused unless
//! the user named its logical id with `--allow-replace`.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::Value as Json;

use super::api::{ChangeSetPage, ResourceChange};

/// Resource types that hold data: removing or replacing one loses it.
pub const STATEFUL_TYPES: &[&str] = &[
    "AWS::RDS::DBInstance",
    "AWS::RDS::DBCluster",
    "AWS::ECR::Repository",
    "AWS::Route53::HostedZone",
    "AWS::SecretsManager::Secret",
    "AWS::Logs::LogGroup",
    "AWS::DynamoDB::Table",
    "AWS::S3::Bucket",
    "AWS::EFS::FileSystem",
];

/// Whether the deployed stack already has exactly this template and these parameters.
pub fn is_unchanged(
    deployed_body: &str,
    deployed_parameters: &BTreeMap<String, String>,
    template: &Json,
    parameters: &BTreeMap<String, String>,
) -> bool {
    let Ok(deployed) = serde_json::from_str::<Json>(deployed_body) else { return false };
    deployed == *template && deployed_parameters == parameters
}

/// CloudFormation's "nothing to do" answer to a change set.
pub fn is_empty_change_set(page: &ChangeSetPage) -> bool {
    let reason = page.status_reason.as_deref().unwrap_or("");
    page.status == "FAILED"
        && (reason.contains("didn't contain changes")
            || reason.contains("No updates are to be performed")
            || reason.contains("does not contain changes"))
}

/// Whether a change set has finished being computed (successfully or not).
pub fn is_computed(page: &ChangeSetPage) -> bool {
    matches!(page.status.as_str(), "CREATE_COMPLETE" | "FAILED" | "DELETE_COMPLETE" | "DELETE_FAILED")
}

/// The resource changes of every page, in order.
pub fn resource_changes(pages: &[ChangeSetPage]) -> Vec<ResourceChange> {
    pages.iter().flat_map(|p| p.changes.iter().filter_map(|c| c.resource_change.clone())).collect()
}

/// A change mdl will not execute.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Refusal {
    pub logical_id: String,
    pub resource_type: String,
    /// "removes", "replaces", "may replace".
    pub what: &'static str,
}

impl Refusal {
    /// One line for the terminal.
    pub fn describe(&self) -> String {
        format!(
            "{} {} ({}): its data would be lost; pass --allow-replace {} if that is intended",
            self.what, self.logical_id, self.resource_type, self.logical_id
        )
    }
}

/// Whether `change` touches a resource that holds data: a stateful type, or
/// a published SSM parameter that another layer reads (`published`).
pub fn is_stateful(change: &ResourceChange, published: &BTreeSet<String>) -> bool {
    STATEFUL_TYPES.contains(&change.resource_type.as_str())
        || (change.resource_type == "AWS::SSM::Parameter" && published.contains(&change.logical_resource_id))
}

/// What a change does to the resource's identity, if it destroys it.
pub fn destroys(change: &ResourceChange) -> Option<&'static str> {
    match (change.action.as_str(), change.replacement.as_deref()) {
        ("Remove", _) => Some("removes"),
        ("Modify", Some("True")) => Some("replaces"),
        ("Modify", Some("Conditional")) => Some("may replace"),
        _ => None,
    }
}

/// Every change to refuse: destroying a stateful resource not in `allowed`.
pub fn refusals(
    changes: &[ResourceChange],
    published: &BTreeSet<String>,
    allowed: &[String],
) -> Vec<Refusal> {
    changes
        .iter()
        .filter(|c| is_stateful(c, published) && !allowed.contains(&c.logical_resource_id))
        .filter_map(|c| {
            destroys(c).map(|what| Refusal {
                logical_id: c.logical_resource_id.clone(),
                resource_type: c.resource_type.clone(),
                what,
            })
        })
        .collect()
}

/// Stateful resources of a template whose `DeletionPolicy` or
/// `UpdateReplacePolicy` would not keep their data: `(logical id, type)`.
pub fn unretained(template: &Json) -> Vec<(String, String)> {
    let Some(resources) = template.get("Resources").and_then(Json::as_object) else { return Vec::new() };
    let keeps = |body: &Json, key: &str| {
        matches!(body.get(key).and_then(Json::as_str), Some("Retain" | "Snapshot" | "RetainExceptOnCreate"))
    };
    resources
        .iter()
        .filter_map(|(id, body)| {
            let ty = body.get("Type").and_then(Json::as_str)?;
            let stateful = STATEFUL_TYPES.contains(&ty);
            (stateful && !(keeps(body, "DeletionPolicy") && keeps(body, "UpdateReplacePolicy")))
                .then(|| (id.clone(), ty.to_string()))
        })
        .collect()
}

/// Every resource of a template as an `Add` change: the plan of a layer that
/// cannot get a real change set yet.
pub fn all_added(template: &Json) -> Vec<ResourceChange> {
    let Some(resources) = template.get("Resources").and_then(Json::as_object) else { return Vec::new() };
    resources
        .iter()
        .map(|(id, body)| ResourceChange {
            action: "Add".into(),
            logical_resource_id: id.clone(),
            resource_type: body.get("Type").and_then(Json::as_str).unwrap_or("").to_string(),
            ..ResourceChange::default()
        })
        .collect()
}

#[cfg(test)]
#[path = "changes_tests.rs"]
mod tests;
