//! Executing one change set and following the stack to a settled state.
//!
//! Input: a planned layer with a change set. Output: its report's final
//! status (created, updated, failed, interrupted) with the failing resources
//! and CloudFormation's reasons. Invariants: nothing is executed after an
//! interrupt; events are printed oldest first, each once, and only those of
//! this execution (its client request token: a concurrent deploy's events are
//! not ours); the rollback of a failed change set is followed to its end; an
//! interrupt while following leaves CloudFormation running.

use std::collections::HashSet;
use std::time::Duration;

use super::api::{ChangeSetKind, CloudFormationApi, ExecuteOptions, StackEvent, TemplateStore};
use super::diagnose;
use super::input::LayerInput;
use super::layer::Planned;
use super::report::LayerStatus;
use super::status::{is_failure_event, is_settled, is_success};
use super::{Engine, Stop};

impl<A: CloudFormationApi, S: TemplateStore> Engine<'_, A, S> {
    /// Execute the planned change set and follow it; fills the report.
    pub async fn execute(&mut self, input: &LayerInput, planned: &mut Planned) -> Result<(), Stop> {
        let Some(name) = planned.change_set.clone() else { return Ok(()) };
        let stack = &input.stack_name;
        let seen: HashSet<String> = self
            .read(self.api.describe_stack_events(stack), "reading stack events")
            .await?
            .into_iter()
            .map(|e| e.event_id)
            .collect();
        let options =
            ExecuteOptions { disable_rollback: self.options.no_rollback, client_request_token: name.clone() };
        self.before_write()?;
        self.api
            .execute_change_set(stack, &name, &options)
            .await
            .map_err(|e| self.api_stop(e, "executing the change set"))?;
        planned.executed = true;
        let (status, failures) = self.follow(&input.layer, stack, seen, &name).await?;
        planned.report.change_set = None;
        planned.change_set = None;
        if is_success(&status) {
            planned.report.applied = true;
            planned.report.status = match planned.kind {
                ChangeSetKind::Create => LayerStatus::Created,
                ChangeSetKind::Update | ChangeSetKind::Import => LayerStatus::Updated,
            };
            self.protect_stack(stack).await?;
        } else {
            let recovery = recovery(stack, &status, &self.options.target.region);
            self.report(diagnose::deploy_failed(input, &status, &failures, &recovery));
            planned.report.reason = Some(failure_reason(stack, &status, &failures, &recovery));
            planned.report.code = Some("E0609".into());
            planned.report.status = LayerStatus::Failed;
        }
        Ok(())
    }

    /// Poll events and status with backoff until the stack settles; returns
    /// the final status (`DELETE_COMPLETE` once the stack is gone) and the
    /// failure events seen. Progress lines carry `label` (the layer).
    pub(super) async fn follow(
        &mut self,
        label: &str,
        stack: &str,
        mut seen: HashSet<String>,
        token: &str,
    ) -> Result<(String, Vec<StackEvent>), Stop> {
        let mut failures = Vec::new();
        let mut delay = Duration::ZERO;
        loop {
            self.options.interrupt.pause(delay).await?;
            let events = self.read(self.api.describe_stack_events(stack), "reading stack events").await?;
            let mut fresh: Vec<StackEvent> =
                events.into_iter().filter(|e| seen.insert(e.event_id.clone()) && is_ours(e, token)).collect();
            fresh.reverse();
            for event in &fresh {
                self.ui.progress(label, &event_line(event));
            }
            failures.extend(fresh.into_iter().filter(|e| is_failure_event(&e.resource_status)));
            let status = self.read(self.api.describe_stack(stack), "reading the stack").await?;
            let status = status.map_or_else(|| "DELETE_COMPLETE".to_string(), |s| s.status);
            if is_settled(&status) && status != "REVIEW_IN_PROGRESS" {
                return Ok((status, failures));
            }
            delay = self.options.poll.next(delay);
        }
    }

    async fn protect_stack(&mut self, stack: &str) -> Result<(), Stop> {
        if !self.protect {
            return Ok(());
        }
        self.api
            .set_termination_protection(stack, true)
            .await
            .map_err(|e| self.api_stop(e, "enabling termination protection"))?;
        self.ui.say(&format!("{stack}: termination protection enabled (protect = true)"));
        Ok(())
    }
}

/// An event of this execution: it carries our token, or no token at all
/// (emulators do not stamp one).
fn is_ours(event: &StackEvent, token: &str) -> bool {
    event.client_request_token.as_deref().map_or(true, |t| t.is_empty() || t == token)
}

/// `Logs  AWS::Logs::LogGroup  UPDATE_FAILED  Invalid retention value 8`
pub fn event_line(event: &StackEvent) -> String {
    let mut line =
        format!("{}  {}  {}", event.logical_resource_id, event.resource_type, event.resource_status);
    if let Some(reason) = event.resource_status_reason.as_deref().filter(|r| !r.is_empty()) {
        line.push_str("  ");
        line.push_str(reason);
    }
    line
}

/// How to go on from `status` after a failed change set.
pub fn recovery(stack: &str, status: &str, region: &str) -> String {
    match super::status::classify(Some(status), stack, region) {
        super::status::StackState::Blocked(b) => format!("{}\n  {}", b.explanation, b.command),
        _ => "CloudFormation rolled the stack back to its previous state; fix the cause and deploy again."
            .into(),
    }
}

/// What the user reads when a change set failed: each failing resource with
/// CloudFormation's reason, the final state, and how to recover from it.
pub fn failure_reason(stack: &str, status: &str, failures: &[StackEvent], recovery: &str) -> String {
    let mut lines = vec![format!("{stack} ended in {status}.")];
    for event in failures {
        let reason = event.resource_status_reason.as_deref().unwrap_or("no reason given");
        lines.push(format!("  {} ({}): {}", event.logical_resource_id, event.resource_type, reason));
    }
    lines.push(recovery.to_string());
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recorded() -> Vec<StackEvent> {
        #[derive(serde::Deserialize)]
        #[serde(rename_all = "PascalCase")]
        struct Page {
            stack_events: Vec<StackEvent>,
        }
        let page: Page =
            serde_json::from_str(include_str!("../../tests/deploy/fixtures/events_update_failed.json"))
                .expect("fixture parses");
        page.stack_events
    }

    #[test]
    fn failures_name_each_resource_with_cloudformations_reason() {
        let failures: Vec<StackEvent> =
            recorded().into_iter().filter(|e| is_failure_event(&e.resource_status)).collect();
        assert_eq!(failures.len(), 1);
        let stack = "megadolls-dev-core";
        let text = failure_reason(
            stack,
            "UPDATE_ROLLBACK_COMPLETE",
            &failures,
            &recovery(stack, "UPDATE_ROLLBACK_COMPLETE", "us-east-1"),
        );
        assert!(text.starts_with("megadolls-dev-core ended in UPDATE_ROLLBACK_COMPLETE."));
        assert!(text.contains(
            "Logs (AWS::Logs::LogGroup): Resource handler returned message: \"Invalid retention value 8\""
        ));
        assert!(text.contains("rolled the stack back"));
    }

    #[test]
    fn a_failed_first_deploy_says_to_delete_the_stack() {
        let text = recovery("shop-dev-core", "ROLLBACK_COMPLETE", "us-east-1");
        assert!(
            text.contains("aws cloudformation delete-stack --stack-name shop-dev-core --region us-east-1")
        );
    }

    #[test]
    fn event_lines_show_resource_status_and_reason() {
        let events = recorded();
        assert_eq!(
            event_line(&events[5]),
            "megadolls-dev-core  AWS::CloudFormation::Stack  UPDATE_IN_PROGRESS  User Initiated"
        );
        assert_eq!(event_line(&events[4]), "Assets  AWS::S3::Bucket  UPDATE_IN_PROGRESS");
    }

    #[test]
    fn another_deploys_events_are_not_ours() {
        let mine = StackEvent { client_request_token: Some("mdl-app-1".into()), ..StackEvent::default() };
        let theirs = StackEvent { client_request_token: Some("mdl-app-9".into()), ..StackEvent::default() };
        let unstamped = StackEvent::default();
        assert!(is_ours(&mine, "mdl-app-1"));
        assert!(!is_ours(&theirs, "mdl-app-1"));
        assert!(is_ours(&unstamped, "mdl-app-1"));
    }
}
