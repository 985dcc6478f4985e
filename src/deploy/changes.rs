//! Decisions over what is deployed and what a change set says.
//!
//! Input: the deployed template and parameters, the new ones, and change set
//! pages. Output: whether a layer is unchanged, whether a change set is the
//! "no changes" one, each resource's replacement, and which changes must be
//! refused with what happens to their data. Invariants: templates are compared
//! as JSON values, never as bytes; a removal or a possible replacement (True,
//! Conditional, or unknown) of a resource that holds data is refused unless
//! `--allow-replace` names it — in a `protect`ed environment always, elsewhere
//! when its data would be deleted; which types hold data and which properties
//! replace a resource are asked of the resource-schema digest
//! ([`resource_facts`]) alone.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::Value as Json;

use super::api::{ChangeSetPage, ResourceChange};
use super::props::{PropertyChange, Recreation};
use crate::cfn::schema::resource_facts;

/// Whether resources of `resource_type` hold data (removing or replacing
/// one can lose it), as the resource-schema digest says: cfn-lint's list of
/// stateful types. A type the digest does not know holds none.
pub fn type_holds_data(resource_type: &str) -> bool {
    resource_facts(resource_type).is_some_and(|facts| facts.is_stateful())
}

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

/// Whether the deployed template (already parsed) and the stack's parameters
/// equal the layer's.
pub fn is_unchanged_json(
    deployed: Option<&Json>,
    info: Option<&super::api::StackInfo>,
    input: &super::input::LayerInput,
) -> bool {
    match (deployed, info) {
        (Some(deployed), Some(info)) => *deployed == input.template && info.parameters == input.parameters,
        _ => false,
    }
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

/// Whether a Modify replaces the resource: CloudFormation's answer, else
/// what the changed properties say, else unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Replacement {
    True,
    Conditional,
    False,
    #[serde(rename = "unknown")]
    Unknown,
}

impl Replacement {
    /// As shown: `True`, `Conditional`, `False`, `unknown`.
    pub fn word(self) -> &'static str {
        match self {
            Replacement::True => "True",
            Replacement::Conditional => "Conditional",
            Replacement::False => "False",
            Replacement::Unknown => "unknown",
        }
    }

    /// The replacement of a Modify (none for other actions).
    pub fn of(change: &ResourceChange, properties: &[PropertyChange]) -> Option<Replacement> {
        if change.action != "Modify" {
            return None;
        }
        Some(match change.replacement.as_deref() {
            Some("True") => Replacement::True,
            Some("Conditional") => Replacement::Conditional,
            Some("False") => Replacement::False,
            _ => {
                let worst = properties.iter().map(|p| p.recreation).reduce(Recreation::most_severe_known);
                match worst {
                    Some(Recreation::Always) => Replacement::True,
                    Some(Recreation::Conditionally) => Replacement::Conditional,
                    Some(Recreation::Never) => Replacement::False,
                    Some(Recreation::Unknown) | None => Replacement::Unknown,
                }
            }
        })
    }
}

/// What happens to a resource's data when CloudFormation removes or replaces it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Fate {
    /// Deleted with the resource.
    Deleted,
    /// A final snapshot is taken, then the resource is deleted.
    Snapshotted,
    /// The resource stays in the account, no longer managed by the stack.
    Retained,
}

impl Fate {
    /// The policy CloudFormation applies: `DeletionPolicy` on removal,
    /// `UpdateReplacePolicy` on replacement, of the deployed resource.
    pub fn of(deployed: Option<&Json>, removal: bool) -> Fate {
        let key = if removal { "DeletionPolicy" } else { "UpdateReplacePolicy" };
        match deployed.and_then(|r| r.get(key)).and_then(Json::as_str) {
            Some("Retain" | "RetainExceptOnCreate") => Fate::Retained,
            Some("Snapshot") => Fate::Snapshotted,
            _ => Fate::Deleted,
        }
    }

    /// What the user reads.
    pub fn describe(self) -> &'static str {
        match self {
            Fate::Deleted => "its data is deleted with it",
            Fate::Snapshotted => "a final snapshot is taken, then it is deleted",
            Fate::Retained => "it is retained in the account and orphaned: no stack manages it any more",
        }
    }
}

/// A change mdl will not execute.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Refusal {
    pub logical_id: String,
    pub resource_type: String,
    /// "removes", "replaces", "may replace".
    pub what: &'static str,
    pub fate: Fate,
}

impl Refusal {
    /// One line for the terminal.
    pub fn describe(&self) -> String {
        format!(
            "{} {} ({}): {}; pass --allow-replace {} if that is intended",
            self.what,
            self.logical_id,
            self.resource_type,
            self.fate.describe(),
            self.logical_id
        )
    }
}

/// Whether `change` touches a resource that holds data: a stateful type, or
/// a published SSM parameter that another layer reads (`published`).
pub fn is_stateful(change: &ResourceChange, published: &BTreeSet<String>) -> bool {
    type_holds_data(&change.resource_type)
        || (change.resource_type == "AWS::SSM::Parameter" && published.contains(&change.logical_resource_id))
}

/// What a change does to the resource's identity, if it may destroy it.
pub fn destroys(action: &str, replacement: Option<Replacement>) -> Option<&'static str> {
    match (action, replacement) {
        ("Remove", _) => Some("removes"),
        ("Modify", Some(Replacement::True)) => Some("replaces"),
        ("Modify", Some(Replacement::Conditional | Replacement::Unknown)) => Some("may replace"),
        _ => None,
    }
}

/// What the safety rules need about one change.
pub struct Candidate<'a> {
    pub change: &'a ResourceChange,
    pub replacement: Option<Replacement>,
    /// The resource as deployed (its policies).
    pub deployed: Option<&'a Json>,
}

/// The refusal for one change, if any: destroying a resource that holds
/// data, not named in `allowed`; unprotected environments let retained or
/// snapshotted data go.
pub fn refusal(
    candidate: &Candidate,
    published: &BTreeSet<String>,
    allowed: &[String],
    protect: bool,
) -> Option<Refusal> {
    let change = candidate.change;
    if !is_stateful(change, published) || allowed.contains(&change.logical_resource_id) {
        return None;
    }
    let what = destroys(&change.action, candidate.replacement)?;
    let fate = Fate::of(candidate.deployed, change.action == "Remove");
    let published_read = change.resource_type == "AWS::SSM::Parameter";
    (protect || fate == Fate::Deleted || published_read).then(|| Refusal {
        logical_id: change.logical_resource_id.clone(),
        resource_type: change.resource_type.clone(),
        what,
        fate,
    })
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
            let stateful = type_holds_data(ty);
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

/// The resource-level changes from one template to another, as a change set
/// would list them (no AWS details: property changes come from the two
/// bodies): what a StackSet update does to every instance.
pub fn template_changes(deployed: &Json, wanted: &Json) -> Vec<ResourceChange> {
    let resources = |t: &'_ Json| t.get("Resources").and_then(Json::as_object).cloned().unwrap_or_default();
    let (before, after) = (resources(deployed), resources(wanted));
    let change = |action: &str, id: &str, body: &Json| ResourceChange {
        action: action.into(),
        logical_resource_id: id.to_string(),
        resource_type: body.get("Type").and_then(Json::as_str).unwrap_or("").to_string(),
        ..ResourceChange::default()
    };
    let mut found = Vec::new();
    for (id, body) in &after {
        match before.get(id) {
            None => found.push(change("Add", id, body)),
            Some(old) if old != body => found.push(change("Modify", id, body)),
            Some(_) => {}
        }
    }
    found.extend(
        before.iter().filter(|(id, _)| !after.contains_key(*id)).map(|(id, body)| change("Remove", id, body)),
    );
    found
}

/// The resource `id` of a template.
pub fn resource<'t>(template: Option<&'t Json>, id: &str) -> Option<&'t Json> {
    template?.get("Resources")?.get(id)
}

#[cfg(test)]
#[path = "changes_tests.rs"]
mod tests;
