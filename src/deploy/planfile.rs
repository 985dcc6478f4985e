//! Exact apply: what `mdl plan --out FILE` reviewed, and the checks `mdl
//! deploy --plan FILE` makes before executing exactly those change sets.
//!
//! Input: a plan run's reports and the environment's input; later, the file
//! and what AWS says now. Output: a [`PlanFile`] (JSON, schema
//! `mdl.planfile/1`), or the reasons it no longer holds. Invariants: every
//! check runs before any write; a layer's template is identified by the
//! SHA-256 of its body and parameters; a deferred layer (its inputs change
//! through SSM) has no change set in the file, only what was expected of it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::api::StackInfo;
use super::input::{EnvironmentInput, LayerInput};
use super::report::{LayerReport, LayerStatus};

/// The schema of plan files this version writes and reads.
pub const SCHEMA: &str = "mdl.planfile/1";

/// What was reviewed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanFile {
    pub schema: String,
    pub project: String,
    pub environment: String,
    pub region: String,
    /// The account the plan was made in.
    pub account: Option<String>,
    /// `--allow-replace` at plan time: deploy honours exactly these.
    pub allow_replace: Vec<String>,
    pub layers: Vec<ReviewedLayer>,
}

/// One layer as reviewed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewedLayer {
    pub layer: String,
    pub stack_name: String,
    pub status: LayerStatus,
    /// The stack as it was (none: it did not exist, or only the plan's own
    /// CREATE change set made it).
    pub stack: Option<StackState>,
    /// The kept change set (none when nothing changes, or when deferred).
    pub change_set: Option<String>,
    /// Its change set is made at deploy time, once the layers it reads are deployed.
    pub deferred: bool,
    /// SHA-256 of the template body and parameters.
    pub template: String,
    /// `Action LogicalId` of every reviewed change, and of the resources
    /// expected to change through SSM (deferred layers).
    pub changes: Vec<String>,
}

/// A stack's identity and last change, to tell whether it changed since.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StackState {
    pub stack_id: String,
    pub status: String,
    pub changed_at: Option<String>,
    /// SHA-256 of the deployed template and parameters, when read: a stack
    /// updated since differs here even where its times do not say so.
    pub template: Option<String>,
}

impl StackState {
    /// From `DescribeStacks`; none for a stack that does not exist or that
    /// only a change set created (REVIEW_IN_PROGRESS).
    pub fn of(info: Option<&StackInfo>) -> Option<StackState> {
        let info = info.filter(|i| i.status != "REVIEW_IN_PROGRESS")?;
        Some(StackState {
            stack_id: info.stack_id.clone(),
            status: info.status.clone(),
            changed_at: info.changed_at.clone(),
            template: None,
        })
    }

    /// The same state, with the deployed template it had.
    pub fn with_template(mut self, deployed: &serde_json::Value, info: &StackInfo) -> StackState {
        let mut hasher = Sha256::new();
        hasher.update(deployed.to_string().as_bytes());
        for (key, value) in &info.parameters {
            hasher.update(format!("\n{key}={value}").as_bytes());
        }
        self.template = Some(hex::encode(hasher.finalize()));
        self
    }
}

/// The SHA-256 of what CloudFormation receives for `layer`.
pub fn template_hash(layer: &LayerInput) -> String {
    let mut hasher = Sha256::new();
    hasher.update(layer.body.as_bytes());
    for (key, value) in &layer.parameters {
        hasher.update(format!("\n{key}={value}").as_bytes());
    }
    hex::encode(hasher.finalize())
}

/// `Modify DbInstance`, as kept in the file.
fn change_key(action: &str, id: &str) -> String {
    format!("{action} {id}")
}

/// The plan file of a plan run.
pub fn from_plan(
    environment: &EnvironmentInput,
    account: Option<String>,
    allow_replace: &[String],
    reports: &[LayerReport],
    stacks: &BTreeMap<String, Option<StackState>>,
) -> PlanFile {
    let layers = environment
        .layers
        .iter()
        .zip(reports)
        .map(|(input, report)| {
            let mut changes: Vec<String> =
                report.changes.iter().map(|c| change_key(&c.action, &c.logical_id)).collect();
            // A StackSet has no change set: its operation and instances are what was reviewed.
            let stack_set = report.stack_set.iter().flat_map(|s| s.review_keys());
            changes.extend(stack_set.map(|(action, what)| change_key(&action, &what)));
            for reader in report.inputs_change.iter().flat_map(|c| &c.readers) {
                let key = change_key("Modify", reader);
                if !changes.contains(&key) && !report.changes.iter().any(|c| &c.logical_id == reader) {
                    changes.push(key);
                }
            }
            ReviewedLayer {
                layer: input.layer.clone(),
                stack_name: input.stack_name.clone(),
                status: report.status,
                stack: stacks.get(&input.layer).cloned().flatten(),
                change_set: report.change_set.clone().filter(|_| report.change_set_kept),
                deferred: report.deferred,
                template: template_hash(input),
                changes,
            }
        })
        .collect();
    PlanFile {
        schema: SCHEMA.into(),
        project: environment.project.clone(),
        environment: environment.environment.clone(),
        region: environment.region.clone(),
        account,
        allow_replace: allow_replace.to_vec(),
        layers,
    }
}

impl PlanFile {
    /// Why this file cannot be applied to `environment` as the spec stands now.
    pub fn mismatch(&self, environment: &EnvironmentInput) -> Option<String> {
        if self.schema != SCHEMA {
            return Some(format!("the plan file has schema `{}`; this mdl reads `{SCHEMA}`", self.schema));
        }
        let ours = (&environment.project, &environment.environment, &environment.region);
        if (&self.project, &self.environment, &self.region) != ours {
            return Some(format!(
                "the plan file is for {} {} in {}, the spec is {} {} in {}",
                self.project, self.environment, self.region, ours.0, ours.1, ours.2
            ));
        }
        let names: Vec<&str> = self.layers.iter().map(|l| l.layer.as_str()).collect();
        let now: Vec<&str> = environment.layers.iter().map(|l| l.layer.as_str()).collect();
        if names != now {
            return Some(format!(
                "the plan has layers {}, the spec now {}",
                names.join(", "),
                now.join(", ")
            ));
        }
        None
    }

    /// The reviewed layer `name`.
    pub fn layer(&self, name: &str) -> Option<&ReviewedLayer> {
        self.layers.iter().find(|l| l.layer == name)
    }
}

impl ReviewedLayer {
    /// Why this layer no longer matches: its template, or its stack (with
    /// the deployed template now, when the plan read one).
    pub fn outdated(
        &self,
        input: &LayerInput,
        now: Option<&StackInfo>,
        deployed: Option<&serde_json::Value>,
    ) -> Option<String> {
        if template_hash(input) != self.template {
            return Some(format!(
                "the template of layer `{}` changed since the plan was made (the spec was edited)",
                self.layer
            ));
        }
        let mut now_state = StackState::of(now);
        if let (Some(state), Some(deployed), Some(info)) = (now_state.clone(), deployed, now) {
            now_state = Some(state.with_template(deployed, info));
        }
        if now_state != self.stack {
            let describe = |s: &Option<StackState>| {
                s.as_ref().map_or("no stack".to_string(), |s| {
                    format!(
                        "{} (changed at {})",
                        s.status,
                        s.changed_at.as_deref().unwrap_or("an unknown time")
                    )
                })
            };
            let template = match (&self.stack, &now_state) {
                (Some(was), Some(is)) if was.template != is.template => ", with another template",
                _ => "",
            };
            return Some(format!(
                "{} changed since the plan was made: it was {}, it is {}{template}",
                self.stack_name,
                describe(&self.stack),
                describe(&now_state)
            ));
        }
        None
    }

    /// What a deferred layer's new change set does that was not reviewed, and
    /// what was reviewed that it no longer does.
    pub fn differences(&self, now: &[(String, String)]) -> Vec<String> {
        let now: Vec<String> = now.iter().map(|(action, id)| change_key(action, id)).collect();
        let added = now.iter().filter(|c| !self.changes.contains(c)).map(|c| format!("not in the plan: {c}"));
        let gone = self
            .changes
            .iter()
            .filter(|c| !now.contains(c))
            .map(|c| format!("planned, no longer there: {c}"));
        added.chain(gone).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layer() -> LayerInput {
        LayerInput {
            layer: "core".into(),
            stack_name: "shop-dev-core".into(),
            body: "{}\n".into(),
            ..LayerInput::default()
        }
    }

    fn reviewed(input: &LayerInput, stack: Option<StackState>) -> ReviewedLayer {
        ReviewedLayer {
            layer: "core".into(),
            stack_name: "shop-dev-core".into(),
            status: LayerStatus::Update,
            stack,
            change_set: Some("mdl-core-1".into()),
            deferred: false,
            template: template_hash(input),
            changes: vec!["Modify Topic".into()],
        }
    }

    fn info(status: &str, changed_at: &str) -> StackInfo {
        StackInfo {
            stack_id: "arn:stack/1".into(),
            status: status.into(),
            changed_at: Some(changed_at.into()),
            ..StackInfo::default()
        }
    }

    #[test]
    fn a_stack_updated_since_the_plan_is_refused_with_both_states() {
        let input = layer();
        let then = StackState::of(Some(&info("CREATE_COMPLETE", "2026-01-01T00:00:00Z")));
        let review = reviewed(&input, then);
        assert_eq!(
            review.outdated(&input, Some(&info("CREATE_COMPLETE", "2026-01-01T00:00:00Z")), None),
            None
        );
        let reason = review
            .outdated(&input, Some(&info("UPDATE_COMPLETE", "2026-01-02T00:00:00Z")), None)
            .expect("outdated");
        assert!(reason.contains("shop-dev-core changed since the plan was made"), "{reason}");
        assert!(reason.contains("it is UPDATE_COMPLETE (changed at 2026-01-02T00:00:00Z)"), "{reason}");
    }

    #[test]
    fn an_edited_template_is_refused() {
        let input = layer();
        let review = reviewed(&input, None);
        let edited = LayerInput { body: "{\"Resources\": {}}\n".into(), ..layer() };
        assert!(review
            .outdated(&edited, None, None)
            .is_some_and(|r| r.contains("template of layer `core` changed")));
        let reviewing_create = StackInfo { status: "REVIEW_IN_PROGRESS".into(), ..StackInfo::default() };
        assert_eq!(
            review.outdated(&input, Some(&reviewing_create), None),
            None,
            "the plan's own CREATE change set made it"
        );
    }

    #[test]
    fn a_stack_whose_deployed_template_changed_is_refused_even_with_the_same_times() {
        let input = layer();
        let now = info("UPDATE_COMPLETE", "2026-01-01T00:00:00Z");
        let then = StackState::of(Some(&now))
            .map(|s| s.with_template(&serde_json::json!({"Resources": {"A": 1}}), &now));
        let review = reviewed(&input, then);
        assert_eq!(
            review.outdated(&input, Some(&now), Some(&serde_json::json!({"Resources": {"A": 1}}))),
            None
        );
        let reason = review
            .outdated(&input, Some(&now), Some(&serde_json::json!({"Resources": {"A": 2}})))
            .expect("outdated");
        assert!(reason.ends_with("with another template"), "{reason}");
    }

    #[test]
    fn a_deferred_layer_lists_what_differs_from_the_review() {
        let review = reviewed(&layer(), None);
        let now =
            vec![("Modify".to_string(), "Topic".to_string()), ("Remove".to_string(), "Queue".to_string())];
        assert_eq!(review.differences(&now), ["not in the plan: Remove Queue"]);
        assert_eq!(review.differences(&[]), ["planned, no longer there: Modify Topic"]);
    }
}
