//! The AWS SDK behind [`CloudFormationApi`] and [`TemplateStore`].
//!
//! Input: a [`Target`] (region, endpoint, profile, role, timeouts). Output:
//! clients whose answers are plain data and whose failures are [`ApiError`]s
//! classified from the SDK's typed errors (`classify.rs`). Invariants: this
//! folder alone names SDK types; every call has connect, read and operation
//! timeouts, and retries with backoff (throttling included) in the SDK's
//! standard mode.

mod classify;
mod convert;
mod profile;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_cloudformation as cfn;
use aws_sdk_cloudformation::types::{Capability, ChangeSetType, Parameter, Tag, TemplateStage};

use super::api::{
    Caller, Change, ChangeSetKind, ChangeSetPage, ChangeSetRequest, CloudFormationApi, DriftDetection,
    ExecuteOptions, ResourceDrift, ResourceIdentifierSummary, StackEvent, StackInfo, StackInstanceSummary,
    StackResource, StackSetInfo, StackSetOperation, StackSetOperationRequest, StackSetOperationResult,
    StackSetRequest, TemplateSource, TemplateStore,
};
use super::errors::{ApiError, CredentialCause, Failure, Target};
use super::interrupt::Interrupt;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
pub use classify::concise;
use classify::{api_error, is_missing_stack};
pub use profile::ProfileInfo;

/// CloudFormation (and STS, and SSM) through the SDK.
pub struct SdkCloudFormation {
    client: cfn::Client,
    sts: aws_sdk_sts::Client,
    ssm: aws_sdk_ssm::Client,
    profile: ProfileInfo,
}

/// S3 through the SDK, for templates over the inline limit.
pub struct SdkTemplateStore {
    client: aws_sdk_s3::Client,
    target: Target,
    profile: ProfileInfo,
}

/// Load the AWS configuration for `target` and build the clients. A profile
/// named but not defined is an error before any call.
/// Credentials are resolved here, once, so a failure is reported as the
/// credentials' (an expired SSO session, a portal that does not answer)
/// rather than as the first call's; `interrupt` ends the wait.
pub async fn connect(
    target: &Target,
    interrupt: &Interrupt,
) -> Result<(SdkCloudFormation, SdkTemplateStore), ApiError> {
    let profile = ProfileInfo::load(target.profile.as_deref()).await?;
    let mut config = base_config(target).await;
    resolve(&config, &profile, None, target, interrupt).await?;
    if let Some(role) = &target.role {
        config = assume_role(&config, role, &profile, target, interrupt).await?;
    }
    let s3_config =
        aws_sdk_s3::config::Builder::from(&config).force_path_style(target.endpoint.is_some()).build();
    let clients = (
        SdkCloudFormation {
            client: cfn::Client::new(&config),
            sts: aws_sdk_sts::Client::new(&config),
            ssm: aws_sdk_ssm::Client::new(&config),
            profile: profile.clone(),
        },
        SdkTemplateStore {
            client: aws_sdk_s3::Client::from_conf(s3_config),
            target: target.clone(),
            profile,
        },
    );
    Ok(clients)
}

async fn base_config(target: &Target) -> SdkConfig {
    let t = target.timeouts;
    let timeouts = TimeoutConfig::builder()
        .connect_timeout(t.connect)
        .read_timeout(t.read)
        .operation_attempt_timeout(t.read + t.connect)
        .operation_timeout(t.operation)
        .build();
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(target.region.clone()))
        .retry_config(RetryConfig::standard().with_max_attempts(t.attempts.max(1)))
        .timeout_config(timeouts);
    if let Some(profile) = &target.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(url) = &target.endpoint {
        loader = loader.endpoint_url(url);
    }
    loader.load().await
}

/// Resolve the credentials of `config` once, within the operation timeout.
async fn resolve(
    config: &SdkConfig,
    profile: &ProfileInfo,
    role: Option<&str>,
    target: &Target,
    interrupt: &Interrupt,
) -> Result<(), ApiError> {
    let Some(provider) = config.credentials_provider() else { return Ok(()) };
    let limit = target.timeouts.operation;
    let resolving = tokio::time::timeout(limit, provider.provide_credentials());
    match interrupt.race(resolving).await {
        Err(_) => Err(ApiError::other(Failure::Other, "interrupted while resolving credentials")),
        Ok(Err(_)) => {
            let message = format!("no credentials within {} s", limit.as_secs());
            Err(ApiError::other(
                Failure::Credentials(CredentialCause::Network { message: message.clone() }),
                message,
            ))
        }
        Ok(Ok(Err(error))) => Err(classify::credentials_error(&error, profile, role)),
        Ok(Ok(Ok(_))) => Ok(()),
    }
}

/// Credentials of `role`, assumed with those of `config` (checked once here,
/// so a refusal is reported as such rather than on the first CloudFormation call).
async fn assume_role(
    config: &SdkConfig,
    role: &str,
    profile: &ProfileInfo,
    target: &Target,
    interrupt: &Interrupt,
) -> Result<SdkConfig, ApiError> {
    let session = format!("mdl-{}", std::process::id());
    let provider = aws_config::sts::AssumeRoleProvider::builder(role)
        .session_name(session)
        .configure(config)
        .build()
        .await;
    let assumed = config.to_builder().credentials_provider(SharedCredentialsProvider::new(provider)).build();
    resolve(&assumed, profile, Some(role), target, interrupt).await?;
    Ok(assumed)
}

impl CloudFormationApi for SdkCloudFormation {
    async fn caller_identity(&self) -> Result<Caller, ApiError> {
        let out = self.sts.get_caller_identity().send().await.map_err(|e| api_error(e, &self.profile))?;
        Ok(Caller {
            account: out.account().unwrap_or("").to_string(),
            arn: out.arn().unwrap_or("").to_string(),
        })
    }

    async fn describe_stack(&self, name: &str) -> Result<Option<StackInfo>, ApiError> {
        match self
            .client
            .describe_stacks()
            .stack_name(name)
            .send()
            .await
            .map_err(|e| api_error(e, &self.profile))
        {
            Ok(out) => Ok(out.stacks().first().map(convert::stack_info)),
            Err(e) if is_missing_stack(&e) => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn get_template(&self, name: &str) -> Result<String, ApiError> {
        let out =
            self.client.get_template().stack_name(name).template_stage(TemplateStage::Original).send().await;
        Ok(out.map_err(|e| api_error(e, &self.profile))?.template_body().unwrap_or("").to_string())
    }

    async fn create_change_set(&self, request: &ChangeSetRequest) -> Result<String, ApiError> {
        let kind = match request.kind {
            ChangeSetKind::Create => ChangeSetType::Create,
            ChangeSetKind::Update => ChangeSetType::Update,
            ChangeSetKind::Import => ChangeSetType::Import,
        };
        let mut call = self
            .client
            .create_change_set()
            .stack_name(&request.stack_name)
            .change_set_name(&request.change_set_name)
            .change_set_type(kind)
            .description(&request.description)
            .set_role_arn(request.role_arn.clone())
            .capabilities(Capability::CapabilityIam)
            .capabilities(Capability::CapabilityNamedIam)
            .capabilities(Capability::CapabilityAutoExpand);
        call = match &request.template {
            TemplateSource::Body(body) => call.template_body(body),
            TemplateSource::Url(url) => call.template_url(url),
        };
        for (key, value) in &request.parameters {
            call = call.parameters(Parameter::builder().parameter_key(key).parameter_value(value).build());
        }
        for (key, value) in &request.tags {
            call = call.tags(Tag::builder().key(key).value(value).build());
        }
        for resource in &request.resources_to_import {
            call = call.resources_to_import(convert::resource_to_import(resource));
        }
        Ok(call.send().await.map_err(|e| api_error(e, &self.profile))?.id().unwrap_or("").to_string())
    }

    async fn describe_change_set(
        &self,
        stack: &str,
        change_set: &str,
        next_token: Option<&str>,
    ) -> Result<ChangeSetPage, ApiError> {
        let call = self
            .client
            .describe_change_set()
            .stack_name(stack)
            .change_set_name(change_set)
            .include_property_values(true)
            .set_next_token(next_token.map(str::to_string));
        let out = call.send().await.map_err(|e| api_error(e, &self.profile))?;
        Ok(ChangeSetPage {
            status: out.status().map_or("", |s| s.as_str()).to_string(),
            status_reason: out.status_reason().map(str::to_string),
            execution_status: out.execution_status().map(|s| s.as_str().to_string()),
            changes: out
                .changes()
                .iter()
                .map(|c| Change { resource_change: c.resource_change().map(convert::resource_change) })
                .collect(),
            next_token: out.next_token().map(str::to_string),
        })
    }

    async fn execute_change_set(
        &self,
        stack: &str,
        change_set: &str,
        options: &ExecuteOptions,
    ) -> Result<(), ApiError> {
        let mut call = self.client.execute_change_set().stack_name(stack).change_set_name(change_set);
        if options.disable_rollback {
            call = call.disable_rollback(true);
        }
        if !options.client_request_token.is_empty() {
            call = call.client_request_token(&options.client_request_token);
        }
        call.send().await.map_err(|e| api_error(e, &self.profile))?;
        Ok(())
    }

    async fn delete_change_set(&self, stack: &str, change_set: &str) -> Result<(), ApiError> {
        let call = self.client.delete_change_set().stack_name(stack).change_set_name(change_set);
        call.send().await.map_err(|e| api_error(e, &self.profile))?;
        Ok(())
    }

    async fn describe_stack_events(&self, stack: &str) -> Result<Vec<StackEvent>, ApiError> {
        let out = self
            .client
            .describe_stack_events()
            .stack_name(stack)
            .send()
            .await
            .map_err(|e| api_error(e, &self.profile))?;
        Ok(out.stack_events().iter().map(convert::stack_event).collect())
    }

    async fn set_termination_protection(&self, stack: &str, enabled: bool) -> Result<(), ApiError> {
        let call = self
            .client
            .update_termination_protection()
            .stack_name(stack)
            .enable_termination_protection(enabled);
        call.send().await.map_err(|e| api_error(e, &self.profile))?;
        Ok(())
    }

    async fn delete_stack(&self, stack: &str) -> Result<(), ApiError> {
        self.client.delete_stack().stack_name(stack).send().await.map_err(|e| api_error(e, &self.profile))?;
        Ok(())
    }

    async fn list_stacks(&self) -> Result<Vec<StackInfo>, ApiError> {
        let mut stacks = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let call = self.client.describe_stacks().set_next_token(token.take());
            let out = call.send().await.map_err(|e| api_error(e, &self.profile))?;
            stacks.extend(out.stacks().iter().map(convert::stack_info));
            match out.next_token() {
                Some(next) => token = Some(next.to_string()),
                None => return Ok(stacks),
            }
        }
    }

    async fn list_stack_resources(&self, stack: &str) -> Result<Vec<StackResource>, ApiError> {
        let call = self.client.describe_stack_resources().stack_name(stack);
        let out = call.send().await.map_err(|e| api_error(e, &self.profile))?;
        Ok(out.stack_resources().iter().map(convert::stack_resource).collect())
    }

    async fn detect_stack_drift(&self, stack: &str) -> Result<String, ApiError> {
        let out = self.client.detect_stack_drift().stack_name(stack).send().await;
        Ok(out.map_err(|e| api_error(e, &self.profile))?.stack_drift_detection_id().unwrap_or("").to_string())
    }

    async fn describe_drift_detection(&self, detection_id: &str) -> Result<DriftDetection, ApiError> {
        let call = self.client.describe_stack_drift_detection_status().stack_drift_detection_id(detection_id);
        let out = call.send().await.map_err(|e| api_error(e, &self.profile))?;
        Ok(DriftDetection {
            detection_status: out.detection_status().map_or("", |s| s.as_str()).to_string(),
            stack_drift_status: out.stack_drift_status().map(|s| s.as_str().to_string()),
            detection_status_reason: out.detection_status_reason().map(str::to_string),
        })
    }

    async fn describe_resource_drifts(&self, stack: &str) -> Result<Vec<ResourceDrift>, ApiError> {
        use cfn::types::StackResourceDriftStatus as Status;
        let mut drifts = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let call = self
                .client
                .describe_stack_resource_drifts()
                .stack_name(stack)
                .stack_resource_drift_status_filters(Status::Modified)
                .stack_resource_drift_status_filters(Status::Deleted)
                .set_next_token(token.take());
            let out = call.send().await.map_err(|e| api_error(e, &self.profile))?;
            drifts.extend(out.stack_resource_drifts().iter().map(convert::resource_drift));
            match out.next_token() {
                Some(next) => token = Some(next.to_string()),
                None => return Ok(drifts),
            }
        }
    }

    async fn resource_identifiers(
        &self,
        template: &TemplateSource,
    ) -> Result<Vec<ResourceIdentifierSummary>, ApiError> {
        let call = match template {
            TemplateSource::Body(body) => self.client.get_template_summary().template_body(body),
            TemplateSource::Url(url) => self.client.get_template_summary().template_url(url),
        };
        let out = call.send().await.map_err(|e| api_error(e, &self.profile))?;
        Ok(out.resource_identifier_summaries().iter().map(convert::identifier_summary).collect())
    }

    async fn get_parameter(&self, name: &str) -> Result<Option<String>, ApiError> {
        let call = self.ssm.get_parameter().name(name).with_decryption(true);
        match call.send().await {
            Ok(out) => Ok(out.parameter().and_then(|p| p.value()).map(str::to_string)),
            Err(error) if error.as_service_error().is_some_and(|e| e.is_parameter_not_found()) => Ok(None),
            Err(error) => Err(api_error(error, &self.profile)),
        }
    }

    async fn describe_stack_set(&self, name: &str) -> Result<Option<StackSetInfo>, ApiError> {
        match self.client.describe_stack_set().stack_set_name(name).send().await {
            Ok(out) => Ok(out.stack_set().map(convert::stack_set_info).filter(|s| s.status != "DELETED")),
            Err(error) if error.as_service_error().is_some_and(|e| e.is_stack_set_not_found_exception()) => {
                Ok(None)
            }
            Err(error) => Err(api_error(error, &self.profile)),
        }
    }

    async fn list_stack_instances(&self, name: &str) -> Result<Vec<StackInstanceSummary>, ApiError> {
        let mut instances = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let call = self.client.list_stack_instances().stack_set_name(name).set_next_token(token.take());
            let out = call.send().await.map_err(|e| api_error(e, &self.profile))?;
            instances.extend(out.summaries().iter().map(convert::stack_instance));
            match out.next_token() {
                Some(next) => token = Some(next.to_string()),
                None => return Ok(instances),
            }
        }
    }

    async fn create_stack_set(&self, request: &StackSetRequest) -> Result<(), ApiError> {
        let mut call = self
            .client
            .create_stack_set()
            .stack_set_name(&request.name)
            .description(&request.description)
            .permission_model(cfn::types::PermissionModels::SelfManaged)
            .set_administration_role_arn(request.administration_role_arn.clone())
            .execution_role_name(&request.execution_role_name)
            .capabilities(Capability::CapabilityIam)
            .capabilities(Capability::CapabilityNamedIam)
            .capabilities(Capability::CapabilityAutoExpand);
        call = match &request.template {
            TemplateSource::Body(body) => call.template_body(body),
            TemplateSource::Url(url) => call.template_url(url),
        };
        for (key, value) in &request.parameters {
            call = call.parameters(Parameter::builder().parameter_key(key).parameter_value(value).build());
        }
        for (key, value) in &request.tags {
            call = call.tags(Tag::builder().key(key).value(value).build());
        }
        call.send().await.map_err(|e| api_error(e, &self.profile))?;
        Ok(())
    }

    async fn update_stack_set(
        &self,
        request: &StackSetRequest,
        operation: &StackSetOperationRequest,
    ) -> Result<String, ApiError> {
        let mut call = self
            .client
            .update_stack_set()
            .stack_set_name(&request.name)
            .description(&request.description)
            .set_administration_role_arn(request.administration_role_arn.clone())
            .execution_role_name(&request.execution_role_name)
            .operation_id(&operation.operation_id)
            .operation_preferences(convert::preferences(operation))
            .capabilities(Capability::CapabilityIam)
            .capabilities(Capability::CapabilityNamedIam)
            .capabilities(Capability::CapabilityAutoExpand);
        call = match &request.template {
            TemplateSource::Body(body) => call.template_body(body),
            TemplateSource::Url(url) => call.template_url(url),
        };
        for (key, value) in &request.parameters {
            call = call.parameters(Parameter::builder().parameter_key(key).parameter_value(value).build());
        }
        for (key, value) in &request.tags {
            call = call.tags(Tag::builder().key(key).value(value).build());
        }
        let out = call.send().await.map_err(|e| api_error(e, &self.profile))?;
        Ok(out.operation_id().unwrap_or(&operation.operation_id).to_string())
    }

    async fn create_stack_instances(
        &self,
        name: &str,
        accounts: &[String],
        regions: &[String],
        operation: &StackSetOperationRequest,
    ) -> Result<String, ApiError> {
        let call = self
            .client
            .create_stack_instances()
            .stack_set_name(name)
            .set_accounts(Some(accounts.to_vec()))
            .set_regions(Some(regions.to_vec()))
            .operation_id(&operation.operation_id)
            .operation_preferences(convert::preferences(operation));
        let out = call.send().await.map_err(|e| api_error(e, &self.profile))?;
        Ok(out.operation_id().unwrap_or(&operation.operation_id).to_string())
    }

    async fn delete_stack_instances(
        &self,
        name: &str,
        accounts: &[String],
        regions: &[String],
        operation: &StackSetOperationRequest,
    ) -> Result<String, ApiError> {
        let call = self
            .client
            .delete_stack_instances()
            .stack_set_name(name)
            .set_accounts(Some(accounts.to_vec()))
            .set_regions(Some(regions.to_vec()))
            .retain_stacks(false)
            .operation_id(&operation.operation_id)
            .operation_preferences(convert::preferences(operation));
        let out = call.send().await.map_err(|e| api_error(e, &self.profile))?;
        Ok(out.operation_id().unwrap_or(&operation.operation_id).to_string())
    }

    async fn describe_stack_set_operation(
        &self,
        name: &str,
        operation_id: &str,
    ) -> Result<StackSetOperation, ApiError> {
        let call = self.client.describe_stack_set_operation().stack_set_name(name).operation_id(operation_id);
        let out = call.send().await.map_err(|e| api_error(e, &self.profile))?;
        let operation = out.stack_set_operation();
        Ok(StackSetOperation {
            status: operation.and_then(|o| o.status()).map_or("", |s| s.as_str()).to_string(),
            status_reason: operation.and_then(|o| o.status_reason()).map(str::to_string),
        })
    }

    async fn list_stack_set_operation_results(
        &self,
        name: &str,
        operation_id: &str,
    ) -> Result<Vec<StackSetOperationResult>, ApiError> {
        let mut results = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let call = self
                .client
                .list_stack_set_operation_results()
                .stack_set_name(name)
                .operation_id(operation_id)
                .set_next_token(token.take());
            let out = call.send().await.map_err(|e| api_error(e, &self.profile))?;
            results.extend(out.summaries().iter().map(convert::operation_result));
            match out.next_token() {
                Some(next) => token = Some(next.to_string()),
                None => return Ok(results),
            }
        }
    }

    async fn delete_stack_set(&self, name: &str) -> Result<(), ApiError> {
        let call = self.client.delete_stack_set().stack_set_name(name);
        call.send().await.map_err(|e| api_error(e, &self.profile))?;
        Ok(())
    }
}

impl TemplateStore for SdkTemplateStore {
    async fn put(&self, bucket: &str, key: &str, body: &str) -> Result<String, ApiError> {
        let data = aws_sdk_s3::primitives::ByteStream::from(body.as_bytes().to_vec());
        let call =
            self.client.put_object().bucket(bucket).key(key).body(data).content_type("application/json");
        call.send().await.map_err(|e| api_error(e, &self.profile))?;
        // The AWS form even with an emulator: CloudFormation (and moto) read the
        // bucket from the host name.
        Ok(format!("https://{bucket}.s3.{}.amazonaws.com/{key}", self.target.region))
    }
}
