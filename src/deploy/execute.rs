//! Executing one change set and following the stack to a settled state.
//!
//! Input: a planned layer with a change set. Output: its report's final
//! status (created, updated, failed, interrupted) with the failing resources
//! and CloudFormation's reasons. Invariants: events are printed oldest first,
//! each once; the rollback of a failed change set is followed to its end;
//! Ctrl-C leaves CloudFormation running and says how to watch.

use std::collections::HashSet;
use std::time::Duration;

use super::api::{ChangeSetKind, CloudFormationApi, StackEvent, TemplateStore};
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
        let seen: HashSet<String> = self.events(stack).await?.into_iter().map(|e| e.event_id).collect();
        self.api
            .execute_change_set(stack, &name)
            .await
            .map_err(|e| self.api_stop(e, "executing the change set"))?;
        let (status, failures) = self.follow(input, seen).await?;
        planned.report.status = if is_success(&status) {
            self.protect(stack).await?;
            match planned.kind {
                ChangeSetKind::Create => LayerStatus::Created,
                ChangeSetKind::Update => LayerStatus::Updated,
            }
        } else {
            planned.report.reason =
                Some(failure_reason(stack, &status, &failures, &self.options.target.region));
            LayerStatus::Failed
        };
        Ok(())
    }

    async fn events(&self, stack: &str) -> Result<Vec<StackEvent>, Stop> {
        self.api.describe_stack_events(stack).await.map_err(|e| self.api_stop(e, "reading stack events"))
    }

    /// Poll events and status with backoff until the stack settles; returns
    /// the final status and the failure events seen.
    async fn follow(
        &mut self,
        input: &LayerInput,
        mut seen: HashSet<String>,
    ) -> Result<(String, Vec<StackEvent>), Stop> {
        let stack = &input.stack_name;
        let mut failures = Vec::new();
        let mut delay = Duration::ZERO;
        loop {
            if let Err(stop) = self.interrupts.pause(delay).await {
                self.ui.say(&interrupted(stack, &self.options.target.region));
                return Err(stop);
            }
            let mut fresh: Vec<StackEvent> =
                self.events(stack).await?.into_iter().filter(|e| seen.insert(e.event_id.clone())).collect();
            fresh.reverse();
            for event in &fresh {
                self.ui.progress(&input.layer, &event_line(event));
            }
            failures.extend(fresh.into_iter().filter(|e| is_failure_event(&e.resource_status)));
            let status =
                self.api.describe_stack(stack).await.map_err(|e| self.api_stop(e, "reading the stack"))?;
            let status = status.map_or_else(|| "DELETE_COMPLETE".to_string(), |s| s.status);
            if is_settled(&status) && status != "REVIEW_IN_PROGRESS" {
                return Ok((status, failures));
            }
            delay = self.options.poll.next(delay);
        }
    }

    async fn protect(&mut self, stack: &str) -> Result<(), Stop> {
        if !self.options.termination_protection {
            return Ok(());
        }
        self.api
            .set_termination_protection(stack, true)
            .await
            .map_err(|e| self.api_stop(e, "enabling termination protection"))?;
        self.ui.say(&format!("{stack}: termination protection enabled (production environment)"));
        Ok(())
    }
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

/// What the user reads when a change set failed: each failing resource with
/// CloudFormation's reason, the final state, and how to recover from it.
pub fn failure_reason(stack: &str, status: &str, failures: &[StackEvent], region: &str) -> String {
    let mut lines = vec![format!("{stack} ended in {status}.")];
    for event in failures {
        let reason = event.resource_status_reason.as_deref().unwrap_or("no reason given");
        lines.push(format!("  {} ({}): {}", event.logical_resource_id, event.resource_type, reason));
    }
    if let super::status::StackState::Blocked(b) = super::status::classify(Some(status), stack, region) {
        lines.push(b.explanation);
        lines.push(format!("  {}", b.command));
    } else {
        lines.push(
            "CloudFormation rolled the stack back to its previous state; fix the cause and deploy again."
                .into(),
        );
    }
    lines.join("\n")
}

fn interrupted(stack: &str, region: &str) -> String {
    format!(
        "interrupted: CloudFormation keeps working on {stack}; mdl only stopped watching.\n  watch:  aws cloudformation describe-stack-events --stack-name {stack} --region {region}\n  wait:   aws cloudformation wait stack-update-complete --stack-name {stack} --region {region}\n  resume: run the same mdl deploy again once the stack has settled (finished layers report unchanged)"
    )
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
        let text = failure_reason("megadolls-dev-core", "UPDATE_ROLLBACK_COMPLETE", &failures, "us-east-1");
        assert!(text.starts_with("megadolls-dev-core ended in UPDATE_ROLLBACK_COMPLETE."));
        assert!(text.contains(
            "Logs (AWS::Logs::LogGroup): Resource handler returned message: \"Invalid retention value 8\""
        ));
        assert!(text.contains("rolled the stack back"));
    }

    #[test]
    fn a_failed_first_deploy_says_to_delete_the_stack() {
        let text = failure_reason("shop-dev-core", "ROLLBACK_COMPLETE", &[], "us-east-1");
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
    fn interrupting_says_how_to_watch_and_resume() {
        let text = interrupted("shop-prod-app", "af-south-1");
        assert!(text.contains("keeps working on shop-prod-app"));
        assert!(text.contains("describe-stack-events --stack-name shop-prod-app --region af-south-1"));
    }
}
