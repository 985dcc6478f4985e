//! Planning one layer: is it unchanged, and if not, what its change set does,
//! value by value.
//!
//! Input: a [`LayerInput`] and what earlier layers of this run did. Output:
//! a [`LayerReport`] (status, change rows with their property changes,
//! refusals) and, when a change set exists, its name. Invariants: an
//! unchanged layer costs two read calls (DescribeStacks, GetTemplate) and
//! creates no change set; every write is preceded by an interrupt check.

use std::time::Duration;

use serde_json::Value as Json;

use super::api::{
    ChangeSetKind, ChangeSetPage, ChangeSetRequest, CloudFormationApi, ResourceChange, StackInfo,
    TemplateSource, TemplateStore,
};
use super::changes::{self, is_computed, is_empty_change_set, Candidate, Fate, Replacement};
use super::diagnose;
use super::errors::Failure;
use super::input::LayerInput;
use super::planfile::StackState;
use super::props::property_changes;
use super::report::{InputChange, LayerReport, LayerStatus, PlannedChange, PropertyRow};
use super::status::{classify, StackState as State};
use super::{Engine, Mode, Stop};
use crate::cfn::schema::resource_facts;

/// What earlier layers of this run mean for this one.
#[derive(Debug, Clone, Default)]
pub struct Upstream {
    /// A dependency changed in this run (deploy): its published values may
    /// differ, so an equal template does not prove the layer unchanged.
    pub changed: bool,
    /// Dependencies not deployed yet (plan only): no real change set possible.
    pub missing: Vec<String>,
    /// Values it reads that earlier layers of this plan change (plan only).
    pub inputs_change: Vec<InputChange>,
}

/// A planned layer and the change set behind it, if one was kept.
pub struct Planned {
    pub report: LayerReport,
    pub change_set: Option<String>,
    pub kind: ChangeSetKind,
    /// The stack existed only because of our CREATE change set.
    pub created_empty_stack: bool,
    /// The stack as read before planning (for `plan --out`).
    pub stack: Option<StackState>,
    /// The deployed template, when read.
    pub deployed: Option<Json>,
    /// Its change set was executed (CloudFormation may still be running it).
    pub executed: bool,
}

impl Planned {
    pub(super) fn new(input: &LayerInput, upstream: &Upstream) -> Planned {
        let mut report = LayerReport::new(&input.layer, &input.stack_name);
        report.inputs_change = upstream.inputs_change.clone();
        Planned {
            report,
            change_set: None,
            kind: ChangeSetKind::Update,
            created_empty_stack: false,
            stack: None,
            deployed: None,
            executed: false,
        }
    }

    /// The layer stops here, with this status, code and reason.
    fn stopped(mut self, status: LayerStatus, code: &str, reason: String) -> Planned {
        self.report.status = status;
        self.report.code = Some(code.to_string());
        self.report.reason = Some(reason);
        self
    }
}

impl<A: CloudFormationApi, S: TemplateStore> Engine<'_, A, S> {
    /// Plan `input`: unchanged, from the template, or a change set (a fresh
    /// one, or with `deploy --plan` the reviewed one).
    pub async fn plan_layer(&mut self, input: &LayerInput, upstream: Upstream) -> Result<Planned, Stop> {
        let mut planned = Planned::new(input, &upstream);
        if let Some(status) = self.reviewed_without_change_set(input) {
            // Reviewed as unchanged, and checked since: nothing to do.
            planned.report.status = status;
            return Ok(planned);
        }
        let info = self.read_stack(&input.stack_name).await?;
        if let Some(other) = foreign_owner(input, info.as_ref()) {
            self.report(diagnose::foreign_stack(input, &other));
            let reason = format!("{} belongs to {other}; mdl does not touch it", input.stack_name);
            return Ok(planned.stopped(LayerStatus::Blocked, "E0607", reason));
        }
        planned.stack = StackState::of(info.as_ref());
        let region = &self.options.target.region;
        let state = classify(info.as_ref().map(|i| i.status.as_str()), &input.stack_name, region);
        match self.offer_recovery(input, state).await? {
            State::Blocked(blocked) => {
                self.report(diagnose::blocked(input, &blocked));
                let reason = format!("{}\n  {}", blocked.explanation, blocked.command);
                return Ok(planned.stopped(LayerStatus::Blocked, "E0607", reason));
            }
            State::Stable => {
                if self.unchanged(input, &mut planned, info.as_ref(), &upstream).await? {
                    return Ok(planned);
                }
            }
            state @ (State::Missing | State::NeverExecuted) => self.plan_creation(input, &mut planned, state),
        }
        if !upstream.missing.is_empty() {
            return Ok(self.planned_from_template(input, planned, &upstream.missing));
        }
        planned.report.deferred = !upstream.inputs_change.is_empty();
        match self.reviewed_change_set(input) {
            Some(name) => {
                planned.change_set = Some(name.clone());
                let pages = self.wait_for_change_set(&input.stack_name, &name).await?;
                self.read_change_set(input, planned, &pages).await
            }
            None => self.change_set(input, planned).await,
        }
    }

    /// Read the deployed template; `true` (with the report filled) when the
    /// layer is unchanged, or changes only through its inputs.
    async fn unchanged(
        &mut self,
        input: &LayerInput,
        planned: &mut Planned,
        info: Option<&StackInfo>,
        upstream: &Upstream,
    ) -> Result<bool, Stop> {
        let deployed = self.deployed_template(input).await?;
        if let (Some(stack), Some(info)) = (planned.stack.take(), info) {
            planned.stack = Some(stack.with_template(&deployed, info));
        }
        let unchanged = changes::is_unchanged_json(Some(&deployed), info, input);
        planned.deployed = Some(deployed);
        if upstream.changed || !unchanged || self.reviewed_change_set(input).is_some() {
            return Ok(false);
        }
        self.keep_protected(input, info).await?;
        let later = !upstream.inputs_change.is_empty();
        planned.report.status = if later { LayerStatus::WillChange } else { LayerStatus::Unchanged };
        planned.report.deferred = later;
        Ok(true)
    }

    fn plan_creation(&mut self, input: &LayerInput, planned: &mut Planned, state: State) {
        planned.kind = ChangeSetKind::Create;
        planned.created_empty_stack = true;
        if state == State::NeverExecuted && self.reviewed_change_set(input).is_none() {
            self.ui.say(&format!("{}: the stack exists in REVIEW_IN_PROGRESS (created by a change set that never ran); a new CREATE change set replaces it", input.stack_name));
        }
    }

    /// With `deploy --plan`, the status of a layer reviewed without a change set.
    fn reviewed_without_change_set(&self, input: &LayerInput) -> Option<LayerStatus> {
        let reviewed = self.options.reviewed.as_ref()?.layer(&input.layer)?;
        (!reviewed.deferred && reviewed.change_set.is_none()).then_some(reviewed.status)
    }

    /// With `deploy --plan`, the change set reviewed for `input`.
    fn reviewed_change_set(&self, input: &LayerInput) -> Option<String> {
        let reviewed = self.options.reviewed.as_ref()?.layer(&input.layer)?;
        reviewed.change_set.clone().filter(|_| !reviewed.deferred)
    }

    async fn read_stack(&self, stack: &str) -> Result<Option<StackInfo>, Stop> {
        self.read(self.api.describe_stack(stack), "reading the stack").await
    }

    async fn deployed_template(&self, input: &LayerInput) -> Result<Json, Stop> {
        let body =
            self.read(self.api.get_template(&input.stack_name), "reading the deployed template").await?;
        Ok(serde_json::from_str(&body).unwrap_or(Json::Null))
    }

    /// Recover what is safe to recover, in deploy mode: a busy stack is
    /// waited for (with `--yes`, or when the user agrees); a ROLLBACK_COMPLETE
    /// stack is deleted and created again only when the user agrees on a terminal.
    async fn offer_recovery(&mut self, input: &LayerInput, state: State) -> Result<State, Stop> {
        let State::Blocked(blocked) = &state else { return Ok(state) };
        let Mode::Deploy { yes } = self.options.mode else { return Ok(state) };
        let stack = &input.stack_name;
        if blocked.status.ends_with("_IN_PROGRESS") && blocked.status != "REVIEW_IN_PROGRESS" {
            self.ui.say(&format!("{stack} is busy ({}): another operation is running", blocked.status));
            if yes || self.ask(&format!("Wait for {stack} ({}) to finish?", self.where_to()))? {
                return self.wait_settled(input).await;
            }
        } else if blocked.status == "ROLLBACK_COMPLETE" && !yes {
            self.ui.say(&blocked.explanation);
            if self.ask(&format!("Delete {stack} now and create it again ({})?", self.where_to()))? {
                self.before_write()?;
                self.api.delete_stack(stack).await.map_err(|e| self.api_stop(e, "deleting the stack"))?;
                return self.wait_settled(input).await;
            }
        }
        Ok(state)
    }

    /// Poll the stack until nothing is in progress; its state then.
    async fn wait_settled(&mut self, input: &LayerInput) -> Result<State, Stop> {
        let mut delay = Duration::ZERO;
        loop {
            self.options.interrupt.pause(delay).await?;
            let status = self.read_stack(&input.stack_name).await?.map(|i| i.status);
            match status.as_deref() {
                None | Some("DELETE_COMPLETE") => return Ok(State::Missing),
                Some(s) if !super::status::is_settled(s) => {
                    self.ui.progress(&input.layer, &format!("{}: {s}", input.stack_name));
                    delay = self.options.poll.next(delay);
                }
                Some(s) => return Ok(classify(Some(s), &input.stack_name, &self.options.target.region)),
            }
        }
    }

    /// Protected stacks deployed before protection was on get it now.
    async fn keep_protected(&mut self, input: &LayerInput, info: Option<&StackInfo>) -> Result<(), Stop> {
        let wanted = self.protect && matches!(self.options.mode, Mode::Deploy { .. });
        if !wanted || !info.is_some_and(|i| !i.termination_protection) {
            return Ok(());
        }
        self.before_write()?;
        self.api
            .set_termination_protection(&input.stack_name, true)
            .await
            .map_err(|e| self.api_stop(e, "enabling termination protection"))?;
        self.ui.say(&format!("{}: termination protection enabled (protect = true)", input.stack_name));
        Ok(())
    }

    fn planned_from_template(&self, input: &LayerInput, mut planned: Planned, missing: &[String]) -> Planned {
        planned.report.status = LayerStatus::FromTemplate;
        planned.report.deferred = true;
        // Every resource is added anyway: what its inputs will be adds nothing.
        planned.report.inputs_change.clear();
        planned.report.reason = Some(format!(
            "{} depends on {}, not deployed yet: the SSM parameters it reads do not exist, so CloudFormation cannot make a change set. Shown from the template (every resource added); deploy makes its change set once its dependencies are done.",
            input.layer,
            missing.join(", ")
        ));
        planned.report.changes = changes::all_added(&input.template)
            .iter()
            .map(|c| PlannedChange::new(c, input.sources.get(&c.logical_resource_id).cloned(), None))
            .collect();
        planned
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
            role_arn: self.options.service_role.clone(),
            resources_to_import: Vec::new(),
        };
        self.before_write()?;
        match self.api.create_change_set(&request).await {
            Ok(_) => {}
            // CloudFormation rejects a template it cannot use when asked to make its change set.
            Err(error) if error.failure == Failure::Service && error.has_code(&["ValidationError"]) => {
                self.report(diagnose::change_set_failed(input, &error.message));
                planned.report.status = LayerStatus::Failed;
                planned.report.code = Some("E0608".into());
                planned.report.reason =
                    Some(format!("CloudFormation could not make the change set: {}", error.message));
                return Ok(planned);
            }
            Err(error) => return Err(self.api_stop(error, "creating the change set")),
        }
        planned.change_set = Some(name.clone());
        match self.wait_for_change_set(&input.stack_name, &name).await {
            Ok(pages) => self.read_change_set(input, planned, &pages).await,
            Err(stop) => {
                self.discard(input, &mut planned).await;
                Err(stop)
            }
        }
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
            planned.report.status = if planned.report.inputs_change.is_empty() {
                LayerStatus::NoChanges
            } else {
                LayerStatus::WillChange
            };
            return Ok(planned);
        }
        if first.status == "FAILED" {
            self.discard(input, &mut planned).await;
            let reason = first.status_reason.unwrap_or_default();
            self.report(diagnose::change_set_failed(input, &reason));
            planned.report.status = LayerStatus::Failed;
            planned.report.code = Some("E0608".into());
            planned.report.reason = Some(format!("CloudFormation could not make the change set: {reason}"));
            return Ok(planned);
        }
        let all = changes::resource_changes(pages);
        planned.report.changes = all.iter().map(|c| self.row(input, c, planned.deployed.as_ref())).collect();
        planned.report.refused = self.refusals(input, &all, &planned);
        for row in &mut planned.report.changes {
            row.refused = planned.report.refused.iter().any(|r| r.logical_id == row.logical_id);
        }
        planned.report.change_set.clone_from(&planned.change_set);
        planned.report.status = match planned.kind {
            ChangeSetKind::Create => LayerStatus::Create,
            ChangeSetKind::Update | ChangeSetKind::Import => LayerStatus::Update,
        };
        Ok(planned)
    }

    /// One row: the change, its property changes, its replacement and, for a
    /// resource that holds data, what becomes of it.
    pub(super) fn row(
        &self,
        input: &LayerInput,
        change: &ResourceChange,
        deployed: Option<&Json>,
    ) -> PlannedChange {
        let id = &change.logical_resource_id;
        let before = changes::resource(deployed, id);
        let after = changes::resource(Some(&input.template), id);
        let empty = Default::default();
        let sources = input.property_sources.get(id).unwrap_or(&empty);
        let facts = resource_facts(&change.resource_type);
        let properties = if change.action == "Modify" {
            property_changes(change, before, after, sources, facts)
        } else {
            Vec::new()
        };
        let replacement = Replacement::of(change, &properties);
        let mut row = PlannedChange::new(change, input.sources.get(id).cloned(), replacement);
        row.properties = properties.iter().map(|p| PropertyRow::new(p, &input.parameters)).collect();
        if changes::type_holds_data(&change.resource_type)
            && changes::destroys(&change.action, replacement).is_some()
        {
            row.data = Some(Fate::of(before, change.action == "Remove"));
        }
        row
    }

    pub(super) fn refusals(
        &self,
        input: &LayerInput,
        all: &[ResourceChange],
        planned: &Planned,
    ) -> Vec<changes::Refusal> {
        let allowed = self.allowed_replacements();
        all.iter()
            .zip(&planned.report.changes)
            .filter_map(|(change, row)| {
                let replacement = match row.replacement.as_deref() {
                    Some("True") => Some(Replacement::True),
                    Some("Conditional") => Some(Replacement::Conditional),
                    Some("False") => Some(Replacement::False),
                    Some(_) => Some(Replacement::Unknown),
                    None => None,
                };
                let deployed = changes::resource(planned.deployed.as_ref(), &change.logical_resource_id);
                let candidate = Candidate { change, replacement, deployed };
                changes::refusal(&candidate, &input.published, allowed, self.protect)
            })
            .collect()
    }

    /// The logical ids whose removal or replacement the user accepted: the
    /// reviewed plan's with `deploy --plan`, else `--allow-replace`.
    pub(super) fn allowed_replacements(&self) -> &[String] {
        match &self.options.reviewed {
            Some(file) => &file.allow_replace,
            None => &self.options.allow_replace,
        }
    }

    /// Delete the change set (and the empty stack a CREATE change set made).
    /// Cleaning up what mdl itself made and never executed is done even after
    /// an interrupt, so no REVIEW_IN_PROGRESS stack is left behind.
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
        planned.report.change_set = None;
    }

    pub(super) async fn wait_for_change_set(
        &mut self,
        stack: &str,
        name: &str,
    ) -> Result<Vec<ChangeSetPage>, Stop> {
        let mut delay = Duration::ZERO;
        loop {
            self.options.interrupt.pause(delay).await?;
            let page =
                self.read(self.api.describe_change_set(stack, name, None), "reading the change set").await?;
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
                .read(self.api.describe_change_set(stack, name, Some(&t)), "reading the change set")
                .await?;
            token = page.next_token.clone();
            pages.push(page);
        }
        Ok(pages)
    }

    pub(super) async fn template_source(
        &self,
        input: &LayerInput,
        name: &str,
    ) -> Result<TemplateSource, Stop> {
        if input.body.len() <= crate::cfn::limits::INLINE_BODY_BYTES {
            return Ok(TemplateSource::Body(input.body.clone()));
        }
        let (Some(bucket), Some(store)) = (&self.options.template_bucket, self.store) else {
            return Err(Stop::Reported);
        };
        let key = format!("mdl/{}/{name}.json", input.stack_name);
        self.before_write()?;
        let url = store.put(bucket, &key, &input.body).await.map_err(|e| Stop::Api {
            error: Box::new(e),
            service: "s3",
            doing: "uploading the template to S3".into(),
        })?;
        Ok(TemplateSource::Url(url))
    }
}

/// Who else a stack of this name belongs to, by its tags (mdl's, or the
/// unprefixed ones of earlier versions): another project, environment or layer.
pub(super) fn foreign_owner(input: &LayerInput, info: Option<&StackInfo>) -> Option<String> {
    let theirs = super::input::owner(&info?.tags)?;
    let ours = super::input::owner(&input.tags)?;
    (theirs != ours).then(|| format!("project {}, environment {}, layer {}", theirs.0, theirs.1, theirs.2))
}
