//! Planning one layer: is it unchanged, and if not, what its change set does.
//!
//! Input: a [`LayerInput`] and what earlier layers of this run did. Output:
//! a [`LayerReport`] (status, change rows, refusals) and, when a change set
//! exists, its name. Invariant: an unchanged layer costs two read calls
//! (DescribeStacks, GetTemplate) and creates no change set.

use std::time::Duration;

use super::api::{
    ChangeSetKind, ChangeSetPage, ChangeSetRequest, CloudFormationApi, StackInfo, TemplateSource,
    TemplateStore,
};
use super::changes::{self, is_computed, is_empty_change_set};
use super::errors::ApiError;
use super::input::LayerInput;
use super::report::{LayerReport, LayerStatus, PlannedChange};
use super::status::{classify, StackState};
use super::{Engine, Mode, Stop};

/// What earlier layers of this run mean for this one.
#[derive(Debug, Clone, Default)]
pub struct Upstream {
    /// A dependency changed in this run: its published values may differ, so
    /// an equal template does not prove the layer unchanged.
    pub changed: bool,
    /// Dependencies not deployed yet (plan only): no real change set possible.
    pub missing: Vec<String>,
}

/// A planned layer and the change set behind it, if one was kept.
pub struct Planned {
    pub report: LayerReport,
    pub change_set: Option<String>,
    pub kind: ChangeSetKind,
    /// The stack existed only because of our CREATE change set.
    pub created_empty_stack: bool,
}

impl<A: CloudFormationApi, S: TemplateStore> Engine<'_, A, S> {
    /// Plan `input`: unchanged, from the template, or a change set.
    pub async fn plan_layer(&mut self, input: &LayerInput, upstream: Upstream) -> Result<Planned, Stop> {
        let mut planned = Planned {
            report: LayerReport::new(&input.layer, &input.stack_name),
            change_set: None,
            kind: ChangeSetKind::Update,
            created_empty_stack: false,
        };
        let info = self.read_stack(&input.stack_name).await?;
        let state = classify(
            info.as_ref().map(|i| i.status.as_str()),
            &input.stack_name,
            &self.options.target.region,
        );
        match self.offer_recovery(input, state).await? {
            StackState::Blocked(blocked) => {
                planned.report.status = LayerStatus::Blocked;
                planned.report.reason = Some(format!("{}\n  {}", blocked.explanation, blocked.command));
                return Ok(planned);
            }
            StackState::Stable => {
                if !upstream.changed && self.is_unchanged(input, info.as_ref()).await? {
                    self.keep_protected(input, info.as_ref()).await?;
                    planned.report.status = LayerStatus::Unchanged;
                    return Ok(planned);
                }
            }
            state @ (StackState::Missing | StackState::NeverExecuted) => {
                planned.kind = ChangeSetKind::Create;
                planned.created_empty_stack = true;
                if state == StackState::NeverExecuted {
                    self.ui.say(&format!("{}: the stack exists in REVIEW_IN_PROGRESS (created by a change set that never ran); a new CREATE change set replaces it", input.stack_name));
                }
            }
        }
        if !upstream.missing.is_empty() {
            return Ok(self.planned_from_template(input, planned, &upstream.missing));
        }
        self.change_set(input, planned).await
    }

    async fn read_stack(&self, stack: &str) -> Result<Option<StackInfo>, Stop> {
        self.api.describe_stack(stack).await.map_err(|e| self.api_stop(e, "reading the stack"))
    }

    /// Recover what is safe to recover, in deploy mode: a busy stack is
    /// waited for (with `--yes`, or when the user agrees); a ROLLBACK_COMPLETE
    /// stack is deleted and created again only when the user agrees on a terminal.
    async fn offer_recovery(&mut self, input: &LayerInput, state: StackState) -> Result<StackState, Stop> {
        let StackState::Blocked(blocked) = &state else { return Ok(state) };
        let Mode::Deploy { yes } = self.options.mode else { return Ok(state) };
        let stack = &input.stack_name;
        if blocked.status.ends_with("_IN_PROGRESS") && blocked.status != "REVIEW_IN_PROGRESS" {
            self.ui.say(&format!("{stack} is busy ({}): another operation is running", blocked.status));
            if yes || self.ui.confirm(&format!("Wait for {stack} to finish?")) {
                return self.wait_settled(input).await;
            }
        } else if blocked.status == "ROLLBACK_COMPLETE" && !yes {
            self.ui.say(&blocked.explanation);
            if self.ui.confirm(&format!("Delete {stack} now and create it again?")) {
                self.api.delete_stack(stack).await.map_err(|e| self.api_stop(e, "deleting the stack"))?;
                return self.wait_settled(input).await;
            }
        }
        Ok(state)
    }

    /// Poll the stack until nothing is in progress; its state then.
    async fn wait_settled(&mut self, input: &LayerInput) -> Result<StackState, Stop> {
        let mut delay = Duration::ZERO;
        loop {
            self.interrupts.pause(delay).await?;
            let status = self.read_stack(&input.stack_name).await?.map(|i| i.status);
            match status.as_deref() {
                None | Some("DELETE_COMPLETE") => return Ok(StackState::Missing),
                Some(s) if !super::status::is_settled(s) => {
                    self.ui.progress(&input.layer, &format!("{}: {s}", input.stack_name));
                    delay = self.options.poll.next(delay);
                }
                Some(s) => return Ok(classify(Some(s), &input.stack_name, &self.options.target.region)),
            }
        }
    }

    /// Production stacks deployed before protection was on get it now.
    async fn keep_protected(&mut self, input: &LayerInput, info: Option<&StackInfo>) -> Result<(), Stop> {
        let wanted = self.options.termination_protection && matches!(self.options.mode, Mode::Deploy { .. });
        if !wanted || !info.is_some_and(|i| !i.termination_protection) {
            return Ok(());
        }
        self.api
            .set_termination_protection(&input.stack_name, true)
            .await
            .map_err(|e| self.api_stop(e, "enabling termination protection"))?;
        self.ui
            .say(&format!("{}: termination protection enabled (production environment)", input.stack_name));
        Ok(())
    }

    async fn is_unchanged(&self, input: &LayerInput, info: Option<&StackInfo>) -> Result<bool, Stop> {
        let Some(info) = info else { return Ok(false) };
        let body = self
            .api
            .get_template(&input.stack_name)
            .await
            .map_err(|e| self.api_stop(e, "reading the deployed template"))?;
        Ok(changes::is_unchanged(&body, &info.parameters, &input.template, &input.parameters))
    }

    fn planned_from_template(&self, input: &LayerInput, mut planned: Planned, missing: &[String]) -> Planned {
        planned.report.status = LayerStatus::FromTemplate;
        planned.report.reason = Some(format!(
            "{} depends on {}, not deployed yet: the SSM parameters it reads do not exist, so CloudFormation cannot make a change set. Shown from the template (every resource added); deploy makes its change set once its dependencies are done.",
            input.layer,
            missing.join(", ")
        ));
        planned.report.changes =
            changes::all_added(&input.template).iter().map(|c| self.row(input, c, false)).collect();
        planned
    }

    fn row(&self, input: &LayerInput, change: &super::api::ResourceChange, refused: bool) -> PlannedChange {
        PlannedChange::new(change, input.sources.get(&change.logical_resource_id).cloned(), refused)
    }

    async fn change_set(&mut self, input: &LayerInput, mut planned: Planned) -> Result<Planned, Stop> {
        let name = self.change_set_name(&input.layer);
        let request = ChangeSetRequest {
            stack_name: input.stack_name.clone(),
            change_set_name: name.clone(),
            kind: planned.kind,
            template: self.template_source(input, &name).await?,
            parameters: input.parameters.clone(),
            tags: input.tags.clone(),
            description: format!("mdl {} of layer {}", self.options.command(), input.layer),
        };
        self.api
            .create_change_set(&request)
            .await
            .map_err(|e| self.api_stop(e, "creating the change set"))?;
        planned.change_set = Some(name.clone());
        let pages = self.wait_for_change_set(&input.stack_name, &name).await?;
        self.read_change_set(input, planned, &pages).await
    }

    async fn read_change_set(
        &mut self,
        input: &LayerInput,
        mut planned: Planned,
        pages: &[ChangeSetPage],
    ) -> Result<Planned, Stop> {
        let first = pages.first().cloned().unwrap_or_default();
        if is_empty_change_set(&first) {
            self.discard(input, &mut planned).await;
            planned.report.status = LayerStatus::NoChanges;
            return Ok(planned);
        }
        if first.status == "FAILED" {
            self.discard(input, &mut planned).await;
            planned.report.status = LayerStatus::Failed;
            planned.report.reason = Some(format!(
                "CloudFormation could not make the change set: {}",
                first.status_reason.unwrap_or_default()
            ));
            return Ok(planned);
        }
        let all = changes::resource_changes(pages);
        let refused = changes::refusals(&all, &input.published, &self.options.allow_replace);
        planned.report.changes = all
            .iter()
            .map(|c| self.row(input, c, refused.iter().any(|r| r.logical_id == c.logical_resource_id)))
            .collect();
        planned.report.refused = refused;
        planned.report.change_set.clone_from(&planned.change_set);
        planned.report.status = match planned.kind {
            ChangeSetKind::Create => LayerStatus::Create,
            ChangeSetKind::Update => LayerStatus::Update,
        };
        Ok(planned)
    }

    /// Delete the change set (and the empty stack a CREATE change set made).
    pub async fn discard(&mut self, input: &LayerInput, planned: &mut Planned) {
        let Some(name) = planned.change_set.take() else { return };
        let result = if planned.created_empty_stack {
            self.api.delete_stack(&input.stack_name).await
        } else {
            self.api.delete_change_set(&input.stack_name, &name).await
        };
        if let Err(e) = result {
            self.ui.say(&format!("warning: could not delete change set {name} of {}: {e}", input.stack_name));
        }
    }

    async fn wait_for_change_set(&mut self, stack: &str, name: &str) -> Result<Vec<ChangeSetPage>, Stop> {
        let mut delay = Duration::ZERO;
        loop {
            self.interrupts.pause(delay).await?;
            let page = self
                .api
                .describe_change_set(stack, name, None)
                .await
                .map_err(|e| self.api_stop(e, "reading the change set"))?;
            if is_computed(&page) {
                return self.remaining_pages(stack, name, page).await;
            }
            delay = self.options.poll.next(delay);
        }
    }

    async fn remaining_pages(
        &self,
        stack: &str,
        name: &str,
        first: ChangeSetPage,
    ) -> Result<Vec<ChangeSetPage>, Stop> {
        let mut token = first.next_token.clone();
        let mut pages = vec![first];
        while let Some(t) = token {
            let page = self
                .api
                .describe_change_set(stack, name, Some(&t))
                .await
                .map_err(|e| self.api_stop(e, "reading the change set"))?;
            token = page.next_token.clone();
            pages.push(page);
        }
        Ok(pages)
    }

    async fn template_source(&self, input: &LayerInput, name: &str) -> Result<TemplateSource, Stop> {
        if input.body.len() <= crate::cfn::limits::INLINE_BODY_BYTES {
            return Ok(TemplateSource::Body(input.body.clone()));
        }
        let (Some(bucket), Some(store)) = (&self.options.template_bucket, self.store) else {
            return Err(Stop::Message(too_large(input)));
        };
        let key = format!("mdl/{}/{name}.json", input.stack_name);
        let url = store
            .put(bucket, &key, &input.body)
            .await
            .map_err(|e| self.api_stop(e, "uploading the template to S3"))?;
        Ok(TemplateSource::Url(url))
    }
}

/// The error for a template over the inline limit with no bucket to upload it to.
pub fn too_large(input: &LayerInput) -> String {
    format!(
        "the template of {} is {} bytes, over the 51,200 bytes CloudFormation takes inline; pass --template-bucket NAME (an S3 bucket in the same region) and mdl uploads it there (up to 1 MB)",
        input.stack_name,
        input.body.len()
    )
}

impl From<ApiError> for Stop {
    fn from(error: ApiError) -> Self {
        Stop::Api { error, doing: "calling CloudFormation".into() }
    }
}
