//! A layer fanned out as a CloudFormation StackSet (`stack_sets`): one
//! instance of its template per account and region, administered from the
//! environment's account and region with self-managed permissions.
//!
//! Input: a [`LayerInput`] with a [`FanOut`], and the account STS named.
//! Output: the same [`LayerReport`] as an ordinary layer (status, change
//! rows, refusals), with a [`StackSetReport`]: whether the StackSet is
//! created or updated, whether its template changes (against
//! DescribeStackSet's `TemplateBody`), the instances to add and to remove
//! (ListStackInstances against the spec's accounts × regions) and, after a
//! deploy, each instance's status.
//!
//! Invariants: a plan only reads (DescribeStackSet, ListStackInstances);
//! a deploy asks once (unless `--yes`), then creates or updates the StackSet,
//! adds instances and removes instances (RetainStacks false), each operation
//! followed with DescribeStackSetOperation to its end; every write is
//! preceded by an interrupt check; the first failed operation stops the
//! layer with E0673, naming each account and region that failed and why.

use serde::Serialize;
use serde_json::Value as Json;

use super::api::{
    CloudFormationApi, StackInfo, StackInstanceSummary, StackSetInfo, StackSetOperationRequest,
    StackSetOperationResult, StackSetRequest, TemplateStore,
};
use super::changes::{self, Candidate, Refusal};
use super::diagnose;
use super::input::{FanOut, LayerInput};
use super::layer::{Planned, Upstream};
use super::report::{LayerReport, LayerStatus};
use super::{Engine, Mode, Stop};

/// One stack instance: an account and a region.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Instance {
    pub account: String,
    pub region: String,
}

impl std::fmt::Display for Instance {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.account, self.region)
    }
}

/// What happens to the StackSet itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SetOperation {
    /// There is no StackSet of this name: CreateStackSet.
    Create,
    /// Its template or parameters change: UpdateStackSet (every instance follows).
    Update,
    /// The template is the deployed one.
    None,
}

/// One instance as CloudFormation lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InstanceState {
    pub account: String,
    pub region: String,
    /// `CURRENT`, `OUTDATED`, `INOPERABLE`.
    pub status: String,
    /// `SUCCEEDED`, `FAILED`, `PENDING`, ... when CloudFormation gives it.
    pub detailed_status: Option<String>,
    pub reason: Option<String>,
}

impl InstanceState {
    pub fn of(summary: &StackInstanceSummary) -> InstanceState {
        InstanceState {
            account: summary.account.clone(),
            region: summary.region.clone(),
            status: summary.status.clone(),
            detailed_status: summary.detailed_status.clone(),
            reason: summary.status_reason.clone().filter(|r| !r.is_empty()),
        }
    }

    /// `123456789012 eu-west-1  CURRENT`
    pub fn describe(&self) -> String {
        let mut text = format!("{} {}  {}", self.account, self.region, self.status);
        if let Some(detail) = self.detailed_status.as_deref().filter(|d| *d != "SUCCEEDED") {
            text.push_str(&format!(" ({detail})"));
        }
        if let Some(reason) = &self.reason {
            text.push_str(&format!("  {reason}"));
        }
        text
    }
}

/// A fanned-out layer's plan, and after a deploy its instances.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StackSetReport {
    /// The StackSet's name (the layer's stack name).
    pub name: String,
    pub operation: SetOperation,
    /// The template or its parameters differ from the StackSet's.
    pub template_changed: bool,
    /// Instances the spec names that do not exist: CreateStackInstances.
    pub add: Vec<Instance>,
    /// Instances that exist and the spec no longer names: DeleteStackInstances.
    pub remove: Vec<Instance>,
    /// Every instance as read (plan) or as left (deploy).
    pub instances: Vec<InstanceState>,
    /// The operation mdl was following when it stopped (an interrupt):
    /// CloudFormation keeps running it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub running_operation: Option<String>,
}

impl StackSetReport {
    /// Whether a deploy has something to do.
    pub fn has_work(&self) -> bool {
        self.operation != SetOperation::None || !self.add.is_empty() || !self.remove.is_empty()
    }

    /// What a plan file keeps of it, as `(action, what)`: the StackSet's
    /// operation and each instance added or removed.
    pub fn review_keys(&self) -> Vec<(String, String)> {
        let mut keys = Vec::new();
        match self.operation {
            SetOperation::Create => keys.push(("StackSet".to_string(), format!("create {}", self.name))),
            SetOperation::Update => keys.push(("StackSet".to_string(), format!("update {}", self.name))),
            SetOperation::None => {}
        }
        keys.extend(self.add.iter().map(|i| ("AddInstance".to_string(), i.to_string())));
        keys.extend(self.remove.iter().map(|i| ("RemoveInstance".to_string(), i.to_string())));
        keys
    }

    /// The lines shown under the layer's status.
    pub fn describe(&self) -> Vec<String> {
        let what = match self.operation {
            SetOperation::Create => format!("StackSet {}: create", self.name),
            SetOperation::Update => format!("StackSet {}: update (template changed)", self.name),
            SetOperation::None => format!("StackSet {}: template unchanged", self.name),
        };
        let mut lines = vec![what];
        let list = |items: &[Instance]| items.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ");
        if !self.add.is_empty() {
            lines.push(format!("instances to add: {}", list(&self.add)));
        }
        if !self.remove.is_empty() {
            lines.push(format!("instances to remove (their stacks are deleted): {}", list(&self.remove)));
        }
        lines.extend(self.instances.iter().map(|i| format!("instance {}", i.describe())));
        lines
    }
}

/// The instances the spec names: every account in every region, regions in deploy order.
pub fn targets(fan_out: &FanOut, caller_account: &str) -> Vec<Instance> {
    let accounts =
        if fan_out.accounts.is_empty() { vec![caller_account.to_string()] } else { fan_out.accounts.clone() };
    fan_out
        .regions
        .iter()
        .flat_map(|region| {
            accounts.iter().map(move |account| Instance { account: account.clone(), region: region.clone() })
        })
        .collect()
}

/// Instances to add (wanted, not deployed) and to remove (deployed, not wanted).
pub fn instance_changes(
    wanted: &[Instance],
    deployed: &[StackInstanceSummary],
) -> (Vec<Instance>, Vec<Instance>) {
    let live: Vec<Instance> =
        deployed.iter().map(|d| Instance { account: d.account.clone(), region: d.region.clone() }).collect();
    let add = wanted.iter().filter(|w| !live.contains(w)).cloned().collect();
    let remove = live.iter().filter(|l| !wanted.contains(l)).cloned().collect();
    (add, remove)
}

/// `(accounts, regions)` groups that cover `instances` exactly, one per
/// account (CreateStackInstances and DeleteStackInstances take accounts ×
/// regions), regions in the order given.
pub fn by_account(instances: &[Instance]) -> Vec<(Vec<String>, Vec<String>)> {
    let mut groups: Vec<(Vec<String>, Vec<String>)> = Vec::new();
    for instance in instances {
        match groups.iter_mut().find(|(accounts, _)| accounts[0] == instance.account) {
            Some((_, regions)) => regions.push(instance.region.clone()),
            None => groups.push((vec![instance.account.clone()], vec![instance.region.clone()])),
        }
    }
    groups
}

/// The StackSet as a stack, for the checks ordinary layers share (parameters).
fn as_stack(info: &StackSetInfo) -> StackInfo {
    StackInfo {
        name: info.name.clone(),
        parameters: info.parameters.clone(),
        tags: info.tags.clone(),
        status: info.status.clone(),
        ..StackInfo::default()
    }
}

/// Plan a fanned-out layer, then do what the mode asks (the counterpart of
/// `apply::finish` for StackSets).
pub(super) async fn plan_and_apply<A: CloudFormationApi, S: TemplateStore>(
    engine: &mut Engine<'_, A, S>,
    input: &LayerInput,
    fan_out: &FanOut,
    upstream: Upstream,
) -> LayerReport {
    let mut planned = match engine.plan_stack_set(input, fan_out, upstream).await {
        Ok(planned) => planned,
        Err(stop) => return super::run::stopped(engine, input, stop),
    };
    super::apply::announce(engine, input, &planned.report);
    let Mode::Deploy { yes } = engine.options.mode else {
        for refusal in planned.report.refused.clone() {
            engine.report(diagnose::refused(input, &refusal));
        }
        return planned.report;
    };
    if let Err(stop) = engine.deploy_stack_set(input, fan_out, &mut planned, yes).await {
        let applied = planned.report.applied;
        let stopped = super::run::stopped(engine, input, stop);
        planned.report.status = stopped.status;
        planned.report.code = stopped.code;
        planned.report.reason = match (stopped.reason, planned.report.reason.take()) {
            (Some(why), Some(running)) => Some(format!("{why}; {running}")),
            (why, running) => why.or(running),
        };
        planned.report.applied = applied;
    }
    planned.report
}

impl<A: CloudFormationApi, S: TemplateStore> Engine<'_, A, S> {
    /// Read the StackSet and its instances; what a deploy would do.
    pub(super) async fn plan_stack_set(
        &mut self,
        input: &LayerInput,
        fan_out: &FanOut,
        upstream: Upstream,
    ) -> Result<Planned, Stop> {
        let mut planned = Planned::new(input, &upstream);
        let name = &input.stack_name;
        let info = self.read(self.api.describe_stack_set(name), "reading the StackSet").await?;
        if let Some(other) =
            info.as_ref().and_then(|i| super::layer::foreign_owner(input, Some(&as_stack(i))))
        {
            self.report(diagnose::foreign_stack(input, &other));
            let reason = format!("StackSet {name} belongs to {other}; mdl does not touch it");
            planned.report.status = LayerStatus::Blocked;
            planned.report.code = Some("E0607".into());
            planned.report.reason = Some(reason);
            return Ok(planned);
        }
        let deployed_instances = match &info {
            Some(_) => {
                self.read(self.api.list_stack_instances(name), "listing the StackSet's instances").await?
            }
            None => Vec::new(),
        };
        let account = self.caller.as_ref().map(|c| c.account.clone()).unwrap_or_default();
        let (add, remove) = instance_changes(&targets(fan_out, &account), &deployed_instances);
        let deployed: Option<Json> =
            info.as_ref().map(|i| serde_json::from_str(&i.template_body).unwrap_or(Json::Null));
        let same = changes::is_unchanged_json(deployed.as_ref(), info.as_ref().map(as_stack).as_ref(), input);
        let operation = match &info {
            None => SetOperation::Create,
            Some(_) if !same || upstream.changed => SetOperation::Update,
            Some(_) => SetOperation::None,
        };
        let all = match (&operation, &deployed) {
            (SetOperation::Create, _) => changes::all_added(&input.template),
            (SetOperation::Update, Some(deployed)) => changes::template_changes(deployed, &input.template),
            _ => Vec::new(),
        };
        planned.deployed.clone_from(&deployed);
        planned.report.changes = all.iter().map(|c| self.row(input, c, deployed.as_ref())).collect();
        planned.report.refused = self.refusals(input, &all, &planned);
        for row in &mut planned.report.changes {
            row.refused = planned.report.refused.iter().any(|r| r.logical_id == row.logical_id);
        }
        if !remove.is_empty() {
            let lost = self.instance_refusals(input, deployed.as_ref());
            planned.report.refused.extend(lost);
        }
        let report = StackSetReport {
            name: name.clone(),
            operation,
            template_changed: info.is_some() && !same,
            add,
            remove,
            instances: deployed_instances.iter().map(InstanceState::of).collect(),
            running_operation: None,
        };
        planned.report.status = match operation {
            SetOperation::Create => LayerStatus::Create,
            _ if report.has_work() => LayerStatus::Update,
            _ => LayerStatus::Unchanged,
        };
        planned.report.stack_set = Some(report);
        Ok(planned)
    }

    /// Removing an instance deletes its stack: every resource that holds
    /// data goes, under the same rule as a `Remove` in a change set.
    fn instance_refusals(&self, input: &LayerInput, deployed: Option<&Json>) -> Vec<Refusal> {
        let allowed = self.allowed_replacements();
        changes::all_added(deployed.unwrap_or(&Json::Null))
            .into_iter()
            .filter_map(|mut change| {
                change.action = "Remove".into();
                let resource = changes::resource(deployed, &change.logical_resource_id);
                let candidate = Candidate { change: &change, replacement: None, deployed: resource };
                changes::refusal(&candidate, &input.published, allowed, self.protect)
            })
            .collect()
    }

    /// Refuse, ask, then create or update the StackSet and add and remove instances.
    async fn deploy_stack_set(
        &mut self,
        input: &LayerInput,
        fan_out: &FanOut,
        planned: &mut Planned,
        yes: bool,
    ) -> Result<(), Stop> {
        let Some(plan) = planned.report.stack_set.clone() else { return Ok(()) };
        if !plan.has_work() || planned.report.status.stops_the_run() {
            return Ok(());
        }
        if !planned.report.refused.is_empty() {
            for refusal in planned.report.refused.clone() {
                self.report(diagnose::refused(input, &refusal));
            }
            planned.report.status = LayerStatus::Refused;
            planned.report.code = Some("E0606".into());
            planned.report.reason =
                Some("the StackSet plan destroys resources that hold data; nothing was changed".into());
            return Ok(());
        }
        if let Some(reason) = self.differs_from_review(input, &planned.report, &plan) {
            self.report(diagnose::plan_outdated(input.span, reason.clone()));
            planned.report.status = LayerStatus::Refused;
            planned.report.code = Some("E0611".into());
            planned.report.reason = Some(reason);
            return Ok(());
        }
        let question = format!("Apply this StackSet plan to {} ({})?", plan.name, self.where_to());
        if !yes && !self.ask(&question)? {
            planned.report.status = LayerStatus::Declined;
            planned.report.reason = Some(format!(
                "not confirmed: nothing was changed on StackSet {}; later layers were not touched",
                plan.name
            ));
            return Ok(());
        }
        if !self.apply_stack_set(input, fan_out, &plan, &mut planned.report).await? {
            return Ok(());
        }
        let name = &plan.name;
        let now = self.read(self.api.list_stack_instances(name), "listing the StackSet's instances").await?;
        if let Some(report) = planned.report.stack_set.as_mut() {
            report.instances = now.iter().map(InstanceState::of).collect();
        }
        planned.report.applied = true;
        planned.report.status = match plan.operation {
            SetOperation::Create => LayerStatus::Created,
            _ => LayerStatus::Updated,
        };
        for instance in now.iter().map(InstanceState::of) {
            self.ui.progress(&input.layer, &format!("{name}: instance {}", instance.describe()));
        }
        Ok(())
    }

    /// With `deploy --plan`: why what the StackSet would do now is not what
    /// was reviewed (its rows, its operation, its instances), if it is not.
    fn differs_from_review(
        &self,
        input: &LayerInput,
        report: &LayerReport,
        plan: &StackSetReport,
    ) -> Option<String> {
        let reviewed = self.options.reviewed.as_ref()?.layer(&input.layer)?;
        let mut now: Vec<(String, String)> =
            report.changes.iter().map(|c| (c.action.clone(), c.logical_id.clone())).collect();
        now.extend(plan.review_keys());
        let differences = reviewed.differences(&now);
        (!differences.is_empty()).then(|| {
            format!("StackSet {} would not do what was reviewed: {}", plan.name, differences.join("; "))
        })
    }

    /// The writes, in order; `false` when an operation failed (reported).
    async fn apply_stack_set(
        &mut self,
        input: &LayerInput,
        fan_out: &FanOut,
        plan: &StackSetReport,
        report: &mut LayerReport,
    ) -> Result<bool, Stop> {
        let name = plan.name.clone();
        let upload = self.change_set_name(&input.layer);
        let request = StackSetRequest {
            name: name.clone(),
            template: self.template_source(input, &upload).await?,
            parameters: input.parameters.clone(),
            tags: input.tags.clone(),
            description: format!("mdl layer {}", input.layer),
            administration_role_arn: fan_out.administration_role.clone(),
            execution_role_name: fan_out.execution_role.clone(),
        };
        match plan.operation {
            SetOperation::Create => {
                self.before_write()?;
                if let Err(error) = self.api.create_stack_set(&request).await {
                    return self.write_failed(input, &name, error, "creating the StackSet", report);
                }
                self.ui.progress(&input.layer, &format!("{name}: StackSet created"));
            }
            SetOperation::Update => {
                let operation = self.operation_request(input, fan_out);
                self.before_write()?;
                let id = match self.api.update_stack_set(&request, &operation).await {
                    Ok(id) => id,
                    Err(error) => {
                        return self.write_failed(input, &name, error, "updating the StackSet", report)
                    }
                };
                if !self.follow_operation(input, &name, &id, "updating the instances", report).await? {
                    return Ok(false);
                }
            }
            SetOperation::None => {}
        }
        for (accounts, regions) in by_account(&plan.add) {
            let operation = self.operation_request(input, fan_out);
            self.before_write()?;
            let id = match self.api.create_stack_instances(&name, &accounts, &regions, &operation).await {
                Ok(id) => id,
                Err(error) => {
                    return self.write_failed(input, &name, error, "creating stack instances", report)
                }
            };
            if !self.follow_operation(input, &name, &id, "creating instances", report).await? {
                return Ok(false);
            }
        }
        if !self.remove_instances(input, fan_out, &name, &plan.remove, report).await? {
            return Ok(false);
        }
        Ok(true)
    }

    /// DeleteStackInstances (their stacks go too) for `instances`; `false` when it failed (reported).
    pub(super) async fn remove_instances(
        &mut self,
        input: &LayerInput,
        fan_out: &FanOut,
        name: &str,
        instances: &[Instance],
        report: &mut LayerReport,
    ) -> Result<bool, Stop> {
        for (accounts, regions) in by_account(instances) {
            let operation = self.operation_request(input, fan_out);
            self.before_write()?;
            let id = match self.api.delete_stack_instances(name, &accounts, &regions, &operation).await {
                Ok(id) => id,
                Err(error) => {
                    return self.write_failed(input, name, error, "deleting stack instances", report)
                }
            };
            if !self.follow_operation(input, name, &id, "deleting instances", report).await? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// A write AWS refused: a busy StackSet blocks the layer (E0674, `Ok(false)`);
    /// anything else stops it as any AWS failure does.
    fn write_failed(
        &mut self,
        input: &LayerInput,
        name: &str,
        error: super::errors::ApiError,
        doing: &str,
        report: &mut LayerReport,
    ) -> Result<bool, Stop> {
        if !error.has_code(&["OperationInProgressException"]) {
            return Err(self.api_stop(error, doing));
        }
        let region = self.options.target.region.clone();
        let diagnostic = diagnose::stack_set_busy(input, name, doing, &error.message, &region);
        report.status = LayerStatus::Blocked;
        report.code = Some(diagnostic.code.as_str().to_string());
        report.reason = Some(format!(
            "StackSet {name} is busy with another operation; {}",
            diagnostic.help.clone().unwrap_or_default()
        ));
        self.report(diagnostic);
        Ok(false)
    }

    /// A fresh operation id and the layer's OperationPreferences.
    fn operation_request(&mut self, input: &LayerInput, fan_out: &FanOut) -> StackSetOperationRequest {
        StackSetOperationRequest {
            operation_id: self.change_set_name(&input.layer),
            region_order: fan_out.regions.clone(),
            max_concurrent: fan_out.max_concurrent,
            failure_tolerance: fan_out.failure_tolerance,
        }
    }

    /// Poll the operation until it ends; `false` (with E0673 reported and
    /// the report failed) when it did not succeed. While it runs, the
    /// report's reason says how to watch it, for an interrupt.
    pub(super) async fn follow_operation(
        &mut self,
        input: &LayerInput,
        name: &str,
        operation_id: &str,
        doing: &str,
        report: &mut LayerReport,
    ) -> Result<bool, Stop> {
        let region = self.options.target.region.clone();
        report.reason = Some(format!(
            "CloudFormation keeps running the StackSet operation {operation_id}; watch: {}",
            watch_operation(name, operation_id, &region)
        ));
        if let Some(set) = report.stack_set.as_mut() {
            set.running_operation = Some(operation_id.to_string());
        }
        let mut delay = std::time::Duration::ZERO;
        let status = loop {
            self.options.interrupt.pause(delay).await?;
            let operation = self
                .read(
                    self.api.describe_stack_set_operation(name, operation_id),
                    "reading the StackSet operation",
                )
                .await?;
            match operation.status.as_str() {
                "SUCCEEDED" | "FAILED" | "STOPPED" => break operation,
                status => self.ui.progress(&input.layer, &format!("{name}: {doing} ({status})")),
            }
            delay = self.options.poll.next(delay);
        };
        report.reason = None;
        if let Some(set) = report.stack_set.as_mut() {
            set.running_operation = None;
        }
        if status.status == "SUCCEEDED" {
            self.ui.progress(&input.layer, &format!("{name}: {doing}: done"));
            return Ok(true);
        }
        let results = self
            .read(
                self.api.list_stack_set_operation_results(name, operation_id),
                "reading the operation's results",
            )
            .await?;
        let failed: Vec<StackSetOperationResult> =
            results.into_iter().filter(|r| r.status != "SUCCEEDED").collect();
        let diagnostic = diagnose::stack_set_failed(input, name, doing, &status, &failed, &region);
        report.status = LayerStatus::Failed;
        report.code = Some(diagnostic.code.as_str().to_string());
        report.reason = Some(failure_reason(name, doing, &status.status, &failed));
        self.report(diagnostic);
        Ok(false)
    }
}

/// The command that shows a StackSet operation's progress.
pub fn watch_operation(name: &str, operation_id: &str, region: &str) -> String {
    format!(
        "aws cloudformation describe-stack-set-operation --stack-set-name {name} --operation-id {operation_id} --region {region}"
    )
}

/// The report's reason for a failed operation: each instance that failed, and why.
fn failure_reason(name: &str, doing: &str, status: &str, failed: &[StackSetOperationResult]) -> String {
    let mut lines = vec![format!("StackSet {name}: {doing} ended {status}.")];
    for result in failed {
        let reason = result.status_reason.as_deref().unwrap_or("no reason given");
        lines.push(format!("  {} {} ({}): {reason}", result.account, result.region, result.status));
    }
    lines.join("\n")
}

#[cfg(test)]
#[path = "stack_set_tests.rs"]
mod tests;
