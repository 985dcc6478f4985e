//! A scripted CloudFormation for unit tests of the run logic: stacks with
//! templates, and a queue of DescribeChangeSet pages (recorded AWS shapes)
//! handed out one per change set.

use std::cell::RefCell;
use std::collections::{BTreeMap, VecDeque};

use super::api::{
    Caller, ChangeSetPage, ChangeSetRequest, CloudFormationApi, DriftDetection, ExecuteOptions,
    ResourceDrift, ResourceIdentifierSummary, StackEvent, StackInfo, StackInstanceSummary, StackResource,
    StackSetInfo, StackSetOperation, StackSetOperationRequest, StackSetOperationResult, StackSetRequest,
    TemplateSource, TemplateStore,
};
use super::errors::ApiError;
use super::interrupt::Interrupt;
use super::{Answer, Ui};

/// A change set's template body and parameters, until it is executed.
pub type Pending = (String, BTreeMap<String, String>);

/// A fake account: stacks by name, change set answers in order, a call log.
#[derive(Default)]
pub struct FakeCloudFormation {
    pub stacks: RefCell<BTreeMap<String, (StackInfo, String)>>,
    pub pages: RefCell<VecDeque<ChangeSetPage>>,
    pub log: RefCell<Vec<String>>,
    pub events: RefCell<Vec<StackEvent>>,
    /// Status a stack ends in after ExecuteChangeSet.
    pub execute_ends_in: RefCell<Option<String>>,
    /// Statuses DescribeStacks reports first, one per call, before the stored one.
    pub statuses: RefCell<VecDeque<String>>,
    /// The account STS answers for (default 123456789012), or its error.
    pub identity: RefCell<Option<Result<Caller, ApiError>>>,
    /// Set this flag when the call `Operation stack` is made (an injected SIGINT).
    pub interrupt_at: RefCell<Option<(String, Interrupt)>>,
    /// The options each ExecuteChangeSet got.
    pub executions: RefCell<Vec<ExecuteOptions>>,
    /// Errors answered by calls, by `Operation stack`.
    pub failures: RefCell<BTreeMap<String, ApiError>>,
    /// Every CreateChangeSet request.
    pub requests: RefCell<Vec<ChangeSetRequest>>,
    /// Events that appear once ExecuteChangeSet is called.
    pub events_on_execute: RefCell<Vec<StackEvent>>,
    /// Template bodies of change sets not executed yet, by stack.
    pub pending: RefCell<BTreeMap<String, Pending>>,
    /// Each stack's resources (DescribeStackResources), by stack.
    pub resources: RefCell<BTreeMap<String, Vec<StackResource>>>,
    /// SSM parameters by name.
    pub parameters: RefCell<BTreeMap<String, String>>,
    /// Status DeleteStack leaves a stack in (default: the stack is gone).
    pub delete_ends_in: RefCell<Option<String>>,
    /// Events that appear once DeleteStack is called.
    pub events_on_delete: RefCell<Vec<StackEvent>>,
    /// Drift detection answers, one per DescribeStackDriftDetectionStatus call.
    pub detections: RefCell<VecDeque<DriftDetection>>,
    /// Drifted resources by stack.
    pub drifts: RefCell<BTreeMap<String, Vec<ResourceDrift>>>,
    /// GetTemplateSummary's ResourceIdentifierSummaries.
    pub identifiers: RefCell<Vec<ResourceIdentifierSummary>>,
    /// How many DescribeStacks calls see a stack still in progress after
    /// ExecuteChangeSet, by stack (default none: it settles at once).
    pub busy_after_execute: RefCell<BTreeMap<String, usize>>,
    busy: RefCell<BTreeMap<String, usize>>,
    /// StackSets by name.
    pub stack_sets: RefCell<BTreeMap<String, StackSetInfo>>,
    /// Each StackSet's instances, by StackSet.
    pub instances: RefCell<BTreeMap<String, Vec<StackInstanceSummary>>>,
    /// Statuses DescribeStackSetOperation answers first, one per call, before the end.
    pub operation_statuses: RefCell<VecDeque<String>>,
    /// Regions where instance operations fail, with CloudFormation's reason.
    pub failing_regions: RefCell<BTreeMap<String, String>>,
    /// Every StackSet operation's request (OperationPreferences), in order.
    pub operations: RefCell<Vec<StackSetOperationRequest>>,
    /// Each operation's per-instance results, by operation id.
    results: RefCell<BTreeMap<String, Vec<StackSetOperationResult>>>,
}

impl FakeCloudFormation {
    /// Add a deployed stack with this template body and parameters.
    pub fn with_stack(
        self,
        name: &str,
        status: &str,
        body: &str,
        parameters: BTreeMap<String, String>,
    ) -> Self {
        let info = StackInfo { name: name.into(), status: status.into(), parameters, ..StackInfo::default() };
        self.stacks.borrow_mut().insert(name.into(), (info, body.into()));
        self
    }

    /// A StackSet with this template and instances in `account` × `regions`.
    pub fn with_stack_set(self, name: &str, body: &str, account: &str, regions: &[&str]) -> Self {
        let info = StackSetInfo {
            name: name.into(),
            stack_set_id: format!("{name}:1"),
            status: "ACTIVE".into(),
            template_body: body.into(),
            ..StackSetInfo::default()
        };
        self.stack_sets.borrow_mut().insert(name.into(), info);
        let instances = regions.iter().map(|r| instance(account, r, "CURRENT")).collect();
        self.instances.borrow_mut().insert(name.into(), instances);
        self
    }

    /// One operation over `accounts` × `regions`: its results, failed where
    /// `failing_regions` says; the instances that succeeded are passed to `apply`.
    fn operate(
        &self,
        operation: &StackSetOperationRequest,
        accounts: &[String],
        regions: &[String],
        mut apply: impl FnMut(&str, &str),
    ) -> String {
        self.operations.borrow_mut().push(operation.clone());
        let failing = self.failing_regions.borrow();
        let mut results = Vec::new();
        for region in regions {
            for account in accounts {
                let reason = failing.get(region).cloned();
                if reason.is_none() {
                    apply(account, region);
                }
                results.push(StackSetOperationResult {
                    account: account.clone(),
                    region: region.clone(),
                    status: if reason.is_some() { "FAILED" } else { "SUCCEEDED" }.into(),
                    status_reason: reason,
                });
            }
        }
        self.results.borrow_mut().insert(operation.operation_id.clone(), results);
        operation.operation_id.clone()
    }

    /// The CloudFormation calls made, as `Operation stack` (STS's aside).
    pub fn calls(&self) -> Vec<String> {
        self.log.borrow().iter().filter(|c| !c.starts_with("GetCallerIdentity")).cloned().collect()
    }

    /// Every call made, STS's included.
    pub fn all_calls(&self) -> Vec<String> {
        self.log.borrow().clone()
    }

    fn record(&self, op: &str, stack: &str) -> Result<(), ApiError> {
        let call = format!("{op} {stack}");
        self.log.borrow_mut().push(call.clone());
        if let Some((at, flag)) = self.interrupt_at.borrow().as_ref() {
            if *at == call {
                flag.set();
            }
        }
        match self.failures.borrow().get(&call) {
            Some(error) => Err(error.clone()),
            None => Ok(()),
        }
    }
}

impl CloudFormationApi for FakeCloudFormation {
    async fn caller_identity(&self) -> Result<Caller, ApiError> {
        self.record("GetCallerIdentity", "")?;
        let default =
            Caller { account: "123456789012".into(), arn: "arn:aws:iam::123456789012:user/ci".into() };
        self.identity.borrow().clone().unwrap_or(Ok(default))
    }
    async fn describe_stack(&self, name: &str) -> Result<Option<StackInfo>, ApiError> {
        self.record("DescribeStacks", name)?;
        let mut info = self.stacks.borrow().get(name).map(|(i, _)| i.clone());
        if let (Some(info), Some(status)) = (info.as_mut(), self.statuses.borrow_mut().pop_front()) {
            info.status = status;
        }
        if let (Some(info), Some(left)) = (info.as_mut(), self.busy.borrow_mut().get_mut(name)) {
            if *left > 0 {
                *left -= 1;
                info.status = "UPDATE_IN_PROGRESS".into();
            }
        }
        Ok(info)
    }
    async fn get_template(&self, name: &str) -> Result<String, ApiError> {
        self.record("GetTemplate", name)?;
        Ok(self.stacks.borrow().get(name).map(|(_, b)| b.clone()).unwrap_or_default())
    }
    async fn create_change_set(&self, request: &ChangeSetRequest) -> Result<String, ApiError> {
        self.record("CreateChangeSet", &request.stack_name)?;
        self.requests.borrow_mut().push(request.clone());
        let body = match &request.template {
            TemplateSource::Body(b) => b.clone(),
            TemplateSource::Url(u) => u.clone(),
        };
        let mut stacks = self.stacks.borrow_mut();
        stacks.entry(request.stack_name.clone()).or_insert_with(|| {
            (
                StackInfo {
                    name: request.stack_name.clone(),
                    status: "REVIEW_IN_PROGRESS".into(),
                    ..StackInfo::default()
                },
                String::new(),
            )
        });
        drop(stacks);
        self.pending.borrow_mut().insert(request.stack_name.clone(), (body, request.parameters.clone()));
        Ok(format!("arn:{}", request.change_set_name))
    }
    async fn describe_change_set(
        &self,
        stack: &str,
        _: &str,
        _: Option<&str>,
    ) -> Result<ChangeSetPage, ApiError> {
        self.record("DescribeChangeSet", stack)?;
        let computed = ChangeSetPage { status: "CREATE_COMPLETE".into(), ..ChangeSetPage::default() };
        Ok(self.pages.borrow_mut().pop_front().unwrap_or(computed))
    }
    async fn execute_change_set(
        &self,
        stack: &str,
        _: &str,
        options: &ExecuteOptions,
    ) -> Result<(), ApiError> {
        self.record("ExecuteChangeSet", stack)?;
        self.executions.borrow_mut().push(options.clone());
        if let Some(polls) = self.busy_after_execute.borrow().get(stack) {
            self.busy.borrow_mut().insert(stack.to_string(), *polls);
        }
        let fresh: Vec<StackEvent> = self.events_on_execute.borrow_mut().drain(..).collect();
        self.events.borrow_mut().splice(0..0, fresh);
        let end = self.execute_ends_in.borrow().clone().unwrap_or_else(|| "CREATE_COMPLETE".into());
        let pending = self.pending.borrow_mut().remove(stack);
        if let Some((info, body)) = self.stacks.borrow_mut().get_mut(stack) {
            info.status = end;
            if let Some((new_body, parameters)) = pending {
                *body = new_body;
                info.parameters = parameters;
            }
        }
        Ok(())
    }
    async fn delete_change_set(&self, stack: &str, _: &str) -> Result<(), ApiError> {
        self.record("DeleteChangeSet", stack)?;
        Ok(())
    }
    async fn describe_stack_events(&self, stack: &str) -> Result<Vec<StackEvent>, ApiError> {
        self.record("DescribeStackEvents", stack)?;
        Ok(self.events.borrow().clone())
    }
    async fn set_termination_protection(&self, stack: &str, _: bool) -> Result<(), ApiError> {
        self.record("UpdateTerminationProtection", stack)?;
        Ok(())
    }
    async fn delete_stack(&self, stack: &str) -> Result<(), ApiError> {
        self.record("DeleteStack", stack)?;
        let fresh: Vec<StackEvent> = self.events_on_delete.borrow_mut().drain(..).collect();
        self.events.borrow_mut().splice(0..0, fresh);
        match self.delete_ends_in.borrow().clone() {
            Some(status) => {
                if let Some((info, _)) = self.stacks.borrow_mut().get_mut(stack) {
                    info.status = status;
                }
            }
            None => {
                self.stacks.borrow_mut().remove(stack);
                let gone = self.resources.borrow_mut().remove(stack).unwrap_or_default();
                let mut parameters = self.parameters.borrow_mut();
                for resource in gone.iter().filter(|r| r.resource_type == "AWS::SSM::Parameter") {
                    parameters.remove(resource.physical_resource_id.as_deref().unwrap_or_default());
                }
            }
        }
        Ok(())
    }
    async fn list_stacks(&self) -> Result<Vec<StackInfo>, ApiError> {
        self.record("DescribeStacks", "*")?;
        Ok(self.stacks.borrow().values().map(|(info, _)| info.clone()).collect())
    }
    async fn list_stack_resources(&self, stack: &str) -> Result<Vec<StackResource>, ApiError> {
        self.record("DescribeStackResources", stack)?;
        Ok(self.resources.borrow().get(stack).cloned().unwrap_or_default())
    }
    async fn detect_stack_drift(&self, stack: &str) -> Result<String, ApiError> {
        self.record("DetectStackDrift", stack)?;
        Ok(format!("detection-{stack}"))
    }
    async fn describe_drift_detection(&self, detection_id: &str) -> Result<DriftDetection, ApiError> {
        self.record("DescribeStackDriftDetectionStatus", detection_id)?;
        let done = DriftDetection {
            detection_status: "DETECTION_COMPLETE".into(),
            stack_drift_status: Some("IN_SYNC".into()),
            detection_status_reason: None,
        };
        Ok(self.detections.borrow_mut().pop_front().unwrap_or(done))
    }
    async fn describe_resource_drifts(&self, stack: &str) -> Result<Vec<ResourceDrift>, ApiError> {
        self.record("DescribeStackResourceDrifts", stack)?;
        Ok(self.drifts.borrow().get(stack).cloned().unwrap_or_default())
    }
    async fn resource_identifiers(
        &self,
        _: &TemplateSource,
    ) -> Result<Vec<ResourceIdentifierSummary>, ApiError> {
        self.record("GetTemplateSummary", "")?;
        Ok(self.identifiers.borrow().clone())
    }
    async fn get_parameter(&self, name: &str) -> Result<Option<String>, ApiError> {
        self.record("GetParameter", name)?;
        Ok(self.parameters.borrow().get(name).cloned())
    }
    async fn describe_stack_set(&self, name: &str) -> Result<Option<StackSetInfo>, ApiError> {
        self.record("DescribeStackSet", name)?;
        Ok(self.stack_sets.borrow().get(name).cloned())
    }
    async fn list_stack_instances(&self, name: &str) -> Result<Vec<StackInstanceSummary>, ApiError> {
        self.record("ListStackInstances", name)?;
        Ok(self.instances.borrow().get(name).cloned().unwrap_or_default())
    }
    async fn create_stack_set(&self, request: &StackSetRequest) -> Result<(), ApiError> {
        self.record("CreateStackSet", &request.name)?;
        let info = StackSetInfo {
            name: request.name.clone(),
            stack_set_id: format!("{}:1", request.name),
            status: "ACTIVE".into(),
            template_body: body_of(&request.template),
            parameters: request.parameters.clone(),
            tags: request.tags.clone(),
            administration_role_arn: request.administration_role_arn.clone(),
            execution_role_name: Some(request.execution_role_name.clone()),
        };
        self.stack_sets.borrow_mut().insert(request.name.clone(), info);
        Ok(())
    }
    async fn update_stack_set(
        &self,
        request: &StackSetRequest,
        operation: &StackSetOperationRequest,
    ) -> Result<String, ApiError> {
        self.record("UpdateStackSet", &request.name)?;
        if let Some(info) = self.stack_sets.borrow_mut().get_mut(&request.name) {
            info.template_body = body_of(&request.template);
            info.parameters.clone_from(&request.parameters);
        }
        let deployed = self.instances.borrow().get(&request.name).cloned().unwrap_or_default();
        let accounts: Vec<String> = deployed.iter().map(|i| i.account.clone()).collect();
        let regions: Vec<String> = deployed.iter().map(|i| i.region.clone()).collect();
        let accounts = unique(accounts);
        let regions = unique(regions);
        Ok(self.operate(operation, &accounts, &regions, |_, _| {}))
    }
    async fn create_stack_instances(
        &self,
        name: &str,
        accounts: &[String],
        regions: &[String],
        operation: &StackSetOperationRequest,
    ) -> Result<String, ApiError> {
        self.record("CreateStackInstances", &format!("{name} {}", regions.join(",")))?;
        let mut created = Vec::new();
        let id = self.operate(operation, accounts, regions, |a, r| created.push(instance(a, r, "CURRENT")));
        self.instances.borrow_mut().entry(name.to_string()).or_default().extend(created);
        Ok(id)
    }
    async fn delete_stack_instances(
        &self,
        name: &str,
        accounts: &[String],
        regions: &[String],
        operation: &StackSetOperationRequest,
    ) -> Result<String, ApiError> {
        self.record("DeleteStackInstances", &format!("{name} {}", regions.join(",")))?;
        let mut gone = Vec::new();
        let id = self.operate(operation, accounts, regions, |a, r| gone.push((a.to_string(), r.to_string())));
        if let Some(list) = self.instances.borrow_mut().get_mut(name) {
            list.retain(|i| !gone.contains(&(i.account.clone(), i.region.clone())));
        }
        Ok(id)
    }
    async fn describe_stack_set_operation(
        &self,
        name: &str,
        operation_id: &str,
    ) -> Result<StackSetOperation, ApiError> {
        self.record("DescribeStackSetOperation", name)?;
        if let Some(status) = self.operation_statuses.borrow_mut().pop_front() {
            return Ok(StackSetOperation { status, status_reason: None });
        }
        let results = self.results.borrow().get(operation_id).cloned().unwrap_or_default();
        let failed = results.iter().any(|r| r.status == "FAILED");
        let status = if failed { "FAILED" } else { "SUCCEEDED" };
        Ok(StackSetOperation { status: status.into(), status_reason: None })
    }
    async fn list_stack_set_operation_results(
        &self,
        name: &str,
        operation_id: &str,
    ) -> Result<Vec<StackSetOperationResult>, ApiError> {
        self.record("ListStackSetOperationResults", name)?;
        Ok(self.results.borrow().get(operation_id).cloned().unwrap_or_default())
    }
    async fn delete_stack_set(&self, name: &str) -> Result<(), ApiError> {
        self.record("DeleteStackSet", name)?;
        if self.instances.borrow().get(name).is_some_and(|i| !i.is_empty()) {
            return Err(ApiError::service("StackSetNotEmptyException", "StackSet is not empty"));
        }
        self.stack_sets.borrow_mut().remove(name);
        Ok(())
    }
}

fn body_of(template: &TemplateSource) -> String {
    match template {
        TemplateSource::Body(b) | TemplateSource::Url(b) => b.clone(),
    }
}

fn unique(mut items: Vec<String>) -> Vec<String> {
    let mut seen = std::collections::BTreeSet::new();
    items.retain(|i| seen.insert(i.clone()));
    items
}

/// A stack instance as ListStackInstances shows it.
pub fn instance(account: &str, region: &str, status: &str) -> StackInstanceSummary {
    StackInstanceSummary {
        account: account.into(),
        region: region.into(),
        status: status.into(),
        detailed_status: Some("SUCCEEDED".into()),
        ..StackInstanceSummary::default()
    }
}

/// No S3 in unit tests.
pub struct NoStore;

impl TemplateStore for NoStore {
    async fn put(&self, _: &str, key: &str, _: &str) -> Result<String, ApiError> {
        Ok(format!("https://bucket.s3.amazonaws.com/{key}"))
    }
}

/// Collects what deploy prints; answers prompts with `answers` in turn
/// (then `answer`); an `Answer::Interrupted` also sets the flag, as a Ctrl-C
/// at the prompt does.
#[derive(Default)]
pub struct RecordingUi {
    pub lines: Vec<String>,
    pub answer: bool,
    pub answers: VecDeque<Answer>,
    pub asked: Vec<String>,
    pub diagnostics: Vec<crate::diag::Diagnostic>,
}

impl Ui for RecordingUi {
    fn say(&mut self, text: &str) {
        self.lines.push(text.to_string());
    }
    fn progress(&mut self, layer: &str, text: &str) {
        self.lines.push(format!("[{layer}] {text}"));
    }
    fn confirm(&mut self, question: &str, interrupt: &Interrupt) -> Answer {
        self.asked.push(question.to_string());
        let answer = self.answers.pop_front().unwrap_or(if self.answer { Answer::Yes } else { Answer::No });
        if answer == Answer::Interrupted {
            interrupt.set();
        }
        answer
    }
    fn diagnostic(&mut self, diagnostic: &crate::diag::Diagnostic) {
        self.lines.push(format!("{}: {}", diagnostic.code, diagnostic.message));
        self.diagnostics.push(diagnostic.clone());
    }
}
