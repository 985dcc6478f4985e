//! The handful of CloudFormation and S3 calls deploy makes, behind traits.
//!
//! Input: requests in plain data. Output: plain data shaped like the AWS
//! responses (field names follow the API, so recorded real responses
//! deserialize straight into [`ChangeSetPage`] in tests). Invariants: no type
//! here belongs to the AWS SDK; `aws.rs` alone converts.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde::{Deserialize, Serialize};

use super::errors::ApiError;

/// What `DescribeStacks` says about one stack.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StackInfo {
    pub name: String,
    /// The stack's ARN: stays the same until the stack is deleted.
    pub stack_id: String,
    /// When the stack last changed (LastUpdatedTime, else CreationTime), ISO 8601.
    pub changed_at: Option<String>,
    /// `CREATE_COMPLETE`, `ROLLBACK_COMPLETE`, ...
    pub status: String,
    pub status_reason: Option<String>,
    /// ParameterKey → ParameterValue, as submitted.
    pub parameters: BTreeMap<String, String>,
    pub termination_protection: bool,
    /// The stack's tags, as key and value.
    pub tags: Vec<(String, String)>,
    /// The template's `Outputs` as CloudFormation resolved them.
    pub outputs: Vec<StackOutput>,
}

/// One entry of a stack's `Outputs` (`DescribeStacks`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct StackOutput {
    pub output_key: String,
    pub output_value: String,
    pub description: Option<String>,
}

/// One resource of a stack (`DescribeStackResources`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct StackResource {
    pub logical_resource_id: String,
    /// The live resource's name or id (an SSM parameter's name, a bucket's name).
    pub physical_resource_id: Option<String>,
    pub resource_type: String,
    pub resource_status: String,
}

/// Where a drift detection is (`DescribeStackDriftDetectionStatus`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DriftDetection {
    /// `DETECTION_IN_PROGRESS`, `DETECTION_COMPLETE`, `DETECTION_FAILED`.
    pub detection_status: String,
    /// `DRIFTED`, `IN_SYNC`, `UNKNOWN`, `NOT_CHECKED`.
    pub stack_drift_status: Option<String>,
    pub detection_status_reason: Option<String>,
}

/// One resource's drift (`DescribeStackResourceDrifts`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ResourceDrift {
    pub logical_resource_id: String,
    pub physical_resource_id: Option<String>,
    pub resource_type: String,
    /// `IN_SYNC`, `MODIFIED`, `DELETED`, `NOT_CHECKED`.
    pub stack_resource_drift_status: String,
    pub property_differences: Vec<PropertyDifference>,
}

/// One property that differs from the template.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct PropertyDifference {
    /// A JSON pointer: `/LogGroupName`, `/Tags/0/Value`.
    pub property_path: String,
    pub expected_value: String,
    pub actual_value: String,
    /// `ADD`, `REMOVE`, `NOT_EQUAL`.
    pub difference_type: String,
}

/// Which properties identify the live resources of a type
/// (`GetTemplateSummary`'s `ResourceIdentifierSummaries`): only types that
/// CloudFormation can import are listed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ResourceIdentifierSummary {
    pub resource_type: String,
    pub logical_resource_ids: Vec<String>,
    /// The identifier properties (`RepositoryName`; two for some types).
    pub resource_identifiers: Vec<String>,
}

/// One live resource to adopt (`ResourcesToImport`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ResourceToImport {
    pub resource_type: String,
    pub logical_resource_id: String,
    /// Identifier property → the live resource's value.
    pub resource_identifier: BTreeMap<String, String>,
}

/// CREATE for a new stack, UPDATE for an existing one, IMPORT to adopt live resources.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum ChangeSetKind {
    Create,
    Update,
    Import,
}

/// Where CloudFormation reads the template from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplateSource {
    /// Sent inline (at most 51,200 bytes).
    Body(String),
    /// Uploaded to S3 first (at most 1 MB).
    Url(String),
}

/// Everything `CreateChangeSet` needs.
#[derive(Debug, Clone)]
pub struct ChangeSetRequest {
    pub stack_name: String,
    pub change_set_name: String,
    pub kind: ChangeSetKind,
    pub template: TemplateSource,
    pub parameters: BTreeMap<String, String>,
    pub tags: Vec<(String, String)>,
    pub description: String,
    /// The CloudFormation service role the stack operates with.
    pub role_arn: Option<String>,
    /// With [`ChangeSetKind::Import`]: the live resources to adopt.
    pub resources_to_import: Vec<ResourceToImport>,
}

/// How `ExecuteChangeSet` runs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExecuteOptions {
    /// Keep what was created when something fails (`--no-rollback`).
    pub disable_rollback: bool,
    /// Stamped on every event of this execution, so mdl follows its own events only.
    pub client_request_token: String,
}

/// Who the credentials belong to (`GetCallerIdentity`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Caller {
    pub account: String,
    pub arn: String,
}

/// One page of `DescribeChangeSet`, in the API's own field names.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ChangeSetPage {
    /// `CREATE_PENDING`, `CREATE_IN_PROGRESS`, `CREATE_COMPLETE`, `FAILED`, ...
    pub status: String,
    pub status_reason: Option<String>,
    /// `AVAILABLE`, `UNAVAILABLE`, `EXECUTE_FAILED`, ...
    pub execution_status: Option<String>,
    pub changes: Vec<Change>,
    pub next_token: Option<String>,
}

/// One entry of `Changes`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Change {
    pub resource_change: Option<ResourceChange>,
}

/// What a change set will do to one resource.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ResourceChange {
    /// `Add`, `Modify`, `Remove`, `Import`, `Dynamic`.
    pub action: String,
    pub logical_resource_id: String,
    pub resource_type: String,
    /// `True`, `Conditional`, `False`; only for `Modify`.
    pub replacement: Option<String>,
    /// `Properties`, `Metadata`, `Tags`, ...
    pub scope: Vec<String>,
    pub details: Vec<ChangeDetail>,
    /// The resource's properties before and after, as JSON text
    /// (`IncludePropertyValues`; absent on emulators).
    pub before_context: Option<String>,
    pub after_context: Option<String>,
}

/// Why a resource changes (one entry of `Details`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ChangeDetail {
    pub target: Option<ChangeTarget>,
    pub evaluation: Option<String>,
    pub change_source: Option<String>,
    pub causing_entity: Option<String>,
}

/// The attribute a detail is about.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ChangeTarget {
    pub attribute: Option<String>,
    pub name: Option<String>,
    /// `Never`, `Conditionally`, `Always`.
    pub requires_recreation: Option<String>,
    /// JSON pointer of the changed value (`/Properties/BackupRetentionPeriod`).
    pub path: Option<String>,
    /// The value before and after, as text (`IncludePropertyValues`).
    pub before_value: Option<String>,
    pub after_value: Option<String>,
    /// `Add`, `Remove`, `Modify`, `SyncWithActual`.
    pub attribute_change_type: Option<String>,
}

/// One stack event.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct StackEvent {
    pub event_id: String,
    pub logical_resource_id: String,
    pub resource_type: String,
    pub resource_status: String,
    pub resource_status_reason: Option<String>,
    /// ISO 8601, UTC.
    pub timestamp: String,
    /// The token of the operation that caused it (ours, or another deploy's).
    pub client_request_token: Option<String>,
}

/// What `DescribeStackSet` says about a StackSet.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StackSetInfo {
    pub name: String,
    pub stack_set_id: String,
    /// `ACTIVE` or `DELETED`.
    pub status: String,
    /// The template as submitted (`TemplateBody`).
    pub template_body: String,
    /// ParameterKey → ParameterValue, as submitted.
    pub parameters: BTreeMap<String, String>,
    pub tags: Vec<(String, String)>,
    pub administration_role_arn: Option<String>,
    pub execution_role_name: Option<String>,
}

/// One stack instance of a StackSet (`ListStackInstances`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct StackInstanceSummary {
    pub account: String,
    pub region: String,
    /// `CURRENT`, `OUTDATED`, `INOPERABLE`.
    pub status: String,
    pub status_reason: Option<String>,
    /// `StackInstanceStatus.DetailedStatus`: `SUCCEEDED`, `FAILED`, `PENDING`, ...
    pub detailed_status: Option<String>,
    /// The instance's own stack, once created.
    pub stack_id: Option<String>,
}

/// Everything `CreateStackSet` and `UpdateStackSet` need (self-managed permissions).
#[derive(Debug, Clone)]
pub struct StackSetRequest {
    pub name: String,
    pub template: TemplateSource,
    pub parameters: BTreeMap<String, String>,
    pub tags: Vec<(String, String)>,
    pub description: String,
    /// None: `AWSCloudFormationStackSetAdministrationRole` in the caller's account.
    pub administration_role_arn: Option<String>,
    pub execution_role_name: String,
}

/// How CloudFormation runs one StackSet operation (`OperationPreferences`), and its id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StackSetOperationRequest {
    /// Chosen by mdl, so a retried call is not run twice.
    pub operation_id: String,
    /// Regions in the order they are deployed.
    pub region_order: Vec<String>,
    /// `MaxConcurrentCount`: accounts deployed at once, per region.
    pub max_concurrent: i64,
    /// `FailureToleranceCount`: accounts that may fail, per region.
    pub failure_tolerance: i64,
}

/// Where a StackSet operation is (`DescribeStackSetOperation`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct StackSetOperation {
    /// `QUEUED`, `RUNNING`, `SUCCEEDED`, `FAILED`, `STOPPING`, `STOPPED`.
    pub status: String,
    pub status_reason: Option<String>,
}

/// What one operation did to one instance (`ListStackSetOperationResults`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct StackSetOperationResult {
    pub account: String,
    pub region: String,
    /// `PENDING`, `RUNNING`, `SUCCEEDED`, `FAILED`, `CANCELLED`.
    pub status: String,
    pub status_reason: Option<String>,
}

/// The AWS calls deploy makes (CloudFormation, STS for the caller's
/// identity, SSM for published values). Reads are
/// `describe_*`/`get_*`/`list_*`/`caller_identity`.
#[allow(async_fn_in_trait)]
pub trait CloudFormationApi {
    /// STS `GetCallerIdentity`: the account and ARN of the credentials in use.
    async fn caller_identity(&self) -> Result<Caller, ApiError>;
    /// `DescribeStacks` for one name; `None` when there is no such stack.
    async fn describe_stack(&self, name: &str) -> Result<Option<StackInfo>, ApiError>;
    /// `GetTemplate` (stage Original): the body as submitted.
    async fn get_template(&self, name: &str) -> Result<String, ApiError>;
    /// `CreateChangeSet`; returns the change set's id.
    async fn create_change_set(&self, request: &ChangeSetRequest) -> Result<String, ApiError>;
    /// One page of `DescribeChangeSet`.
    async fn describe_change_set(
        &self,
        stack: &str,
        change_set: &str,
        next_token: Option<&str>,
    ) -> Result<ChangeSetPage, ApiError>;
    /// `ExecuteChangeSet`.
    async fn execute_change_set(
        &self,
        stack: &str,
        change_set: &str,
        options: &ExecuteOptions,
    ) -> Result<(), ApiError>;
    /// `DeleteChangeSet`.
    async fn delete_change_set(&self, stack: &str, change_set: &str) -> Result<(), ApiError>;
    /// The newest page of `DescribeStackEvents` (newest first).
    async fn describe_stack_events(&self, stack: &str) -> Result<Vec<StackEvent>, ApiError>;
    /// `UpdateTerminationProtection`.
    async fn set_termination_protection(&self, stack: &str, enabled: bool) -> Result<(), ApiError>;
    /// `DeleteStack`: the empty stack a plan's CREATE change set left, or a
    /// stack `mdl destroy` removes.
    async fn delete_stack(&self, stack: &str) -> Result<(), ApiError>;
    /// `DescribeStacks` without a name, every page: the region's live stacks.
    async fn list_stacks(&self) -> Result<Vec<StackInfo>, ApiError>;
    /// `DescribeStackResources`: the stack's resources and their physical ids.
    async fn list_stack_resources(&self, stack: &str) -> Result<Vec<StackResource>, ApiError>;
    /// `DetectStackDrift`; returns the detection's id.
    async fn detect_stack_drift(&self, stack: &str) -> Result<String, ApiError>;
    /// `DescribeStackDriftDetectionStatus`.
    async fn describe_drift_detection(&self, detection_id: &str) -> Result<DriftDetection, ApiError>;
    /// `DescribeStackResourceDrifts`, every page, drifted resources only.
    async fn describe_resource_drifts(&self, stack: &str) -> Result<Vec<ResourceDrift>, ApiError>;
    /// `GetTemplateSummary`: the identifier properties of the importable resources.
    async fn resource_identifiers(
        &self,
        template: &TemplateSource,
    ) -> Result<Vec<ResourceIdentifierSummary>, ApiError>;
    /// SSM `GetParameter` (decrypted); `None` when there is no such parameter.
    async fn get_parameter(&self, name: &str) -> Result<Option<String>, ApiError>;
    /// `DescribeStackSet`; `None` when there is no such StackSet (or it was deleted).
    async fn describe_stack_set(&self, name: &str) -> Result<Option<StackSetInfo>, ApiError>;
    /// `ListStackInstances`, every page.
    async fn list_stack_instances(&self, name: &str) -> Result<Vec<StackInstanceSummary>, ApiError>;
    /// `CreateStackSet` (self-managed permissions); no instance yet.
    async fn create_stack_set(&self, request: &StackSetRequest) -> Result<(), ApiError>;
    /// `UpdateStackSet`: every instance gets the new template; returns the operation's id.
    async fn update_stack_set(
        &self,
        request: &StackSetRequest,
        operation: &StackSetOperationRequest,
    ) -> Result<String, ApiError>;
    /// `CreateStackInstances` in every account × region given; returns the operation's id.
    async fn create_stack_instances(
        &self,
        name: &str,
        accounts: &[String],
        regions: &[String],
        operation: &StackSetOperationRequest,
    ) -> Result<String, ApiError>;
    /// `DeleteStackInstances` (RetainStacks false: the instances' stacks go too).
    async fn delete_stack_instances(
        &self,
        name: &str,
        accounts: &[String],
        regions: &[String],
        operation: &StackSetOperationRequest,
    ) -> Result<String, ApiError>;
    /// `DescribeStackSetOperation`.
    async fn describe_stack_set_operation(
        &self,
        name: &str,
        operation_id: &str,
    ) -> Result<StackSetOperation, ApiError>;
    /// `ListStackSetOperationResults`, every page.
    async fn list_stack_set_operation_results(
        &self,
        name: &str,
        operation_id: &str,
    ) -> Result<Vec<StackSetOperationResult>, ApiError>;
    /// `DeleteStackSet` (it must have no instance left).
    async fn delete_stack_set(&self, name: &str) -> Result<(), ApiError>;
}

/// Uploads templates too large to send inline.
#[allow(async_fn_in_trait)]
pub trait TemplateStore {
    /// Put `body` at `bucket/key`; returns the URL CloudFormation reads.
    async fn put(&self, bucket: &str, key: &str, body: &str) -> Result<String, ApiError>;
}

/// How many calls of each kind went through a [`Counting`] client.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CallCounts {
    /// `describe_*` and `get_*` calls.
    pub reads: usize,
    /// Everything else.
    pub writes: usize,
    /// Of the writes, `CreateChangeSet` calls.
    pub change_sets_created: usize,
}

/// A client that counts the calls made through it.
pub struct Counting<A> {
    inner: A,
    reads: AtomicUsize,
    writes: AtomicUsize,
    creates: AtomicUsize,
}

impl<A> Counting<A> {
    /// Wrap `inner`.
    pub fn new(inner: A) -> Self {
        Counting {
            inner,
            reads: AtomicUsize::new(0),
            writes: AtomicUsize::new(0),
            creates: AtomicUsize::new(0),
        }
    }

    /// The counts so far.
    pub fn counts(&self) -> CallCounts {
        CallCounts {
            reads: self.reads.load(Ordering::Relaxed),
            writes: self.writes.load(Ordering::Relaxed),
            change_sets_created: self.creates.load(Ordering::Relaxed),
        }
    }

    /// The wrapped client.
    pub fn inner(&self) -> &A {
        &self.inner
    }

    fn read(&self) {
        self.reads.fetch_add(1, Ordering::Relaxed);
    }

    fn write(&self) {
        self.writes.fetch_add(1, Ordering::Relaxed);
    }
}

impl<A: CloudFormationApi> CloudFormationApi for Counting<A> {
    async fn caller_identity(&self) -> Result<Caller, ApiError> {
        self.read();
        self.inner.caller_identity().await
    }
    async fn describe_stack(&self, name: &str) -> Result<Option<StackInfo>, ApiError> {
        self.read();
        self.inner.describe_stack(name).await
    }
    async fn get_template(&self, name: &str) -> Result<String, ApiError> {
        self.read();
        self.inner.get_template(name).await
    }
    async fn create_change_set(&self, request: &ChangeSetRequest) -> Result<String, ApiError> {
        self.write();
        self.creates.fetch_add(1, Ordering::Relaxed);
        self.inner.create_change_set(request).await
    }
    async fn describe_change_set(
        &self,
        stack: &str,
        change_set: &str,
        next_token: Option<&str>,
    ) -> Result<ChangeSetPage, ApiError> {
        self.read();
        self.inner.describe_change_set(stack, change_set, next_token).await
    }
    async fn execute_change_set(
        &self,
        stack: &str,
        change_set: &str,
        options: &ExecuteOptions,
    ) -> Result<(), ApiError> {
        self.write();
        self.inner.execute_change_set(stack, change_set, options).await
    }
    async fn delete_change_set(&self, stack: &str, change_set: &str) -> Result<(), ApiError> {
        self.write();
        self.inner.delete_change_set(stack, change_set).await
    }
    async fn describe_stack_events(&self, stack: &str) -> Result<Vec<StackEvent>, ApiError> {
        self.read();
        self.inner.describe_stack_events(stack).await
    }
    async fn set_termination_protection(&self, stack: &str, enabled: bool) -> Result<(), ApiError> {
        self.write();
        self.inner.set_termination_protection(stack, enabled).await
    }
    async fn delete_stack(&self, stack: &str) -> Result<(), ApiError> {
        self.write();
        self.inner.delete_stack(stack).await
    }
    async fn list_stacks(&self) -> Result<Vec<StackInfo>, ApiError> {
        self.read();
        self.inner.list_stacks().await
    }
    async fn list_stack_resources(&self, stack: &str) -> Result<Vec<StackResource>, ApiError> {
        self.read();
        self.inner.list_stack_resources(stack).await
    }
    async fn detect_stack_drift(&self, stack: &str) -> Result<String, ApiError> {
        // Starts work on AWS's side, but changes nothing: counted as a read.
        self.read();
        self.inner.detect_stack_drift(stack).await
    }
    async fn describe_drift_detection(&self, detection_id: &str) -> Result<DriftDetection, ApiError> {
        self.read();
        self.inner.describe_drift_detection(detection_id).await
    }
    async fn describe_resource_drifts(&self, stack: &str) -> Result<Vec<ResourceDrift>, ApiError> {
        self.read();
        self.inner.describe_resource_drifts(stack).await
    }
    async fn resource_identifiers(
        &self,
        template: &TemplateSource,
    ) -> Result<Vec<ResourceIdentifierSummary>, ApiError> {
        self.read();
        self.inner.resource_identifiers(template).await
    }
    async fn get_parameter(&self, name: &str) -> Result<Option<String>, ApiError> {
        self.read();
        self.inner.get_parameter(name).await
    }
    async fn describe_stack_set(&self, name: &str) -> Result<Option<StackSetInfo>, ApiError> {
        self.read();
        self.inner.describe_stack_set(name).await
    }
    async fn list_stack_instances(&self, name: &str) -> Result<Vec<StackInstanceSummary>, ApiError> {
        self.read();
        self.inner.list_stack_instances(name).await
    }
    async fn create_stack_set(&self, request: &StackSetRequest) -> Result<(), ApiError> {
        self.write();
        self.inner.create_stack_set(request).await
    }
    async fn update_stack_set(
        &self,
        request: &StackSetRequest,
        operation: &StackSetOperationRequest,
    ) -> Result<String, ApiError> {
        self.write();
        self.inner.update_stack_set(request, operation).await
    }
    async fn create_stack_instances(
        &self,
        name: &str,
        accounts: &[String],
        regions: &[String],
        operation: &StackSetOperationRequest,
    ) -> Result<String, ApiError> {
        self.write();
        self.inner.create_stack_instances(name, accounts, regions, operation).await
    }
    async fn delete_stack_instances(
        &self,
        name: &str,
        accounts: &[String],
        regions: &[String],
        operation: &StackSetOperationRequest,
    ) -> Result<String, ApiError> {
        self.write();
        self.inner.delete_stack_instances(name, accounts, regions, operation).await
    }
    async fn describe_stack_set_operation(
        &self,
        name: &str,
        operation_id: &str,
    ) -> Result<StackSetOperation, ApiError> {
        self.read();
        self.inner.describe_stack_set_operation(name, operation_id).await
    }
    async fn list_stack_set_operation_results(
        &self,
        name: &str,
        operation_id: &str,
    ) -> Result<Vec<StackSetOperationResult>, ApiError> {
        self.read();
        self.inner.list_stack_set_operation_results(name, operation_id).await
    }
    async fn delete_stack_set(&self, name: &str) -> Result<(), ApiError> {
        self.write();
        self.inner.delete_stack_set(name).await
    }
}
