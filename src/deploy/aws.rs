//! The AWS SDK behind [`CloudFormationApi`] and [`TemplateStore`].
//!
//! Input: a [`Target`] (region, profile, endpoint). Output: clients whose
//! answers are plain data and whose failures are [`ApiError`]s. Invariants:
//! this is the only file that names SDK types; retries with backoff
//! (throttling included) are the SDK's standard retry mode, 6 attempts.

use std::collections::BTreeMap;

use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, Region};
use aws_sdk_cloudformation as cfn;
use aws_sdk_cloudformation::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_cloudformation::types::{Capability, ChangeSetType, Parameter, Tag, TemplateStage};

use super::api::{
    Change, ChangeDetail, ChangeSetKind, ChangeSetPage, ChangeSetRequest, ChangeTarget, CloudFormationApi,
    ResourceChange, StackEvent, StackInfo, TemplateSource, TemplateStore,
};
use super::errors::{ApiError, Failure, Target};

/// CloudFormation through the SDK.
pub struct SdkCloudFormation {
    client: cfn::Client,
}

/// S3 through the SDK, for templates over the inline limit.
pub struct SdkTemplateStore {
    client: aws_sdk_s3::Client,
    target: Target,
}

/// Load the standard AWS configuration for `target` and build both clients.
pub async fn connect(target: &Target) -> (SdkCloudFormation, SdkTemplateStore) {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(target.region.clone()))
        .retry_config(RetryConfig::standard().with_max_attempts(6));
    if let Some(profile) = &target.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(url) = &target.endpoint {
        loader = loader.endpoint_url(url);
    }
    let config = loader.load().await;
    let s3_config =
        aws_sdk_s3::config::Builder::from(&config).force_path_style(target.endpoint.is_some()).build();
    (
        SdkCloudFormation { client: cfn::Client::new(&config) },
        SdkTemplateStore { client: aws_sdk_s3::Client::from_conf(s3_config), target: target.clone() },
    )
}

/// An SDK error as an [`ApiError`]: the service's code and message, or the
/// kind of transport failure with the error chain in one line.
fn api_error<E, R>(error: SdkError<E, R>) -> ApiError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug,
{
    let chain = concise(&DisplayErrorContext(&error).to_string());
    match &error {
        SdkError::ServiceError(service) => {
            let e = service.err();
            match e.code() {
                Some(code) => ApiError::service(code, e.message().unwrap_or("").to_string()),
                None => ApiError::other(Failure::Other, chain),
            }
        }
        SdkError::TimeoutError(_) => ApiError::other(Failure::Timeout, chain),
        SdkError::DispatchFailure(d) if d.is_timeout() => ApiError::other(Failure::Timeout, chain),
        SdkError::DispatchFailure(d) if d.is_io() => ApiError::other(classify_transport(&chain), chain),
        _ => ApiError::other(classify_transport(&chain), chain),
    }
}

/// The readable part of an SDK error chain: the `: `-joined messages, without
/// the `(DispatchFailure(DispatchFailure { .. }))` debug dump that follows them.
pub fn concise(chain: &str) -> String {
    let dump = chain.char_indices().find(|&(i, c)| {
        c == '(' && chain[i + 1..].chars().next().is_some_and(|n| n.is_ascii_uppercase()) && {
            let word: String = chain[i + 1..].chars().take_while(char::is_ascii_alphanumeric).collect();
            chain[i + 1 + word.len()..].starts_with('(')
        }
    });
    let cut = dump.map_or(chain, |(i, _)| &chain[..i]);
    cut.trim_end().to_string()
}

/// Tell missing credentials from an unreachable endpoint by the SDK's error chain.
pub fn classify_transport(chain: &str) -> Failure {
    let lower = chain.to_lowercase();
    if lower.contains("credential") || lower.contains("auth scheme") {
        Failure::Credentials
    } else if ["connection refused", "dns error", "connect", "tcp", "io error", "failed to lookup"]
        .iter()
        .any(|w| lower.contains(w))
    {
        Failure::Unreachable
    } else {
        Failure::Other
    }
}

fn is_missing_stack(error: &ApiError) -> bool {
    error.has_code(&["ValidationError"]) && error.message.contains("does not exist")
}

fn stack_info(stack: &cfn::types::Stack) -> StackInfo {
    let parameters: BTreeMap<String, String> = stack
        .parameters()
        .iter()
        .filter_map(|p| Some((p.parameter_key()?.to_string(), p.parameter_value().unwrap_or("").to_string())))
        .collect();
    StackInfo {
        name: stack.stack_name().unwrap_or("").to_string(),
        status: stack.stack_status().map_or("", |s| s.as_str()).to_string(),
        status_reason: stack.stack_status_reason().map(str::to_string),
        parameters,
        termination_protection: stack.enable_termination_protection().unwrap_or(false),
    }
}

fn resource_change(rc: &cfn::types::ResourceChange) -> ResourceChange {
    ResourceChange {
        action: rc.action().map_or("", |a| a.as_str()).to_string(),
        logical_resource_id: rc.logical_resource_id().unwrap_or("").to_string(),
        resource_type: rc.resource_type().unwrap_or("").to_string(),
        replacement: rc.replacement().map(|r| r.as_str().to_string()),
        scope: rc.scope().iter().map(|s| s.as_str().to_string()).collect(),
        details: rc.details().iter().map(detail).collect(),
    }
}

fn detail(d: &cfn::types::ResourceChangeDetail) -> ChangeDetail {
    ChangeDetail {
        target: d.target().map(|t| ChangeTarget {
            attribute: t.attribute().map(|a| a.as_str().to_string()),
            name: t.name().map(str::to_string),
            requires_recreation: t.requires_recreation().map(|r| r.as_str().to_string()),
        }),
        evaluation: d.evaluation().map(|e| e.as_str().to_string()),
        change_source: d.change_source().map(|c| c.as_str().to_string()),
        causing_entity: d.causing_entity().map(str::to_string),
    }
}

fn stack_event(e: &cfn::types::StackEvent) -> StackEvent {
    StackEvent {
        event_id: e.event_id().unwrap_or("").to_string(),
        logical_resource_id: e.logical_resource_id().unwrap_or("").to_string(),
        resource_type: e.resource_type().unwrap_or("").to_string(),
        resource_status: e.resource_status().map_or("", |s| s.as_str()).to_string(),
        resource_status_reason: e.resource_status_reason().map(str::to_string),
        timestamp: e.timestamp().map(ToString::to_string).unwrap_or_default(),
    }
}

impl CloudFormationApi for SdkCloudFormation {
    async fn describe_stack(&self, name: &str) -> Result<Option<StackInfo>, ApiError> {
        match self.client.describe_stacks().stack_name(name).send().await.map_err(api_error) {
            Ok(out) => Ok(out.stacks().first().map(stack_info)),
            Err(e) if is_missing_stack(&e) => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn get_template(&self, name: &str) -> Result<String, ApiError> {
        let out =
            self.client.get_template().stack_name(name).template_stage(TemplateStage::Original).send().await;
        Ok(out.map_err(api_error)?.template_body().unwrap_or("").to_string())
    }

    async fn create_change_set(&self, request: &ChangeSetRequest) -> Result<String, ApiError> {
        let kind = match request.kind {
            ChangeSetKind::Create => ChangeSetType::Create,
            ChangeSetKind::Update => ChangeSetType::Update,
        };
        let mut call = self
            .client
            .create_change_set()
            .stack_name(&request.stack_name)
            .change_set_name(&request.change_set_name)
            .change_set_type(kind)
            .description(&request.description)
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
        Ok(call.send().await.map_err(api_error)?.id().unwrap_or("").to_string())
    }

    async fn describe_change_set(
        &self,
        stack: &str,
        change_set: &str,
        next_token: Option<&str>,
    ) -> Result<ChangeSetPage, ApiError> {
        let mut call = self.client.describe_change_set().stack_name(stack).change_set_name(change_set);
        if let Some(token) = next_token {
            call = call.next_token(token);
        }
        let out = call.send().await.map_err(api_error)?;
        Ok(ChangeSetPage {
            status: out.status().map_or("", |s| s.as_str()).to_string(),
            status_reason: out.status_reason().map(str::to_string),
            execution_status: out.execution_status().map(|s| s.as_str().to_string()),
            changes: out
                .changes()
                .iter()
                .map(|c| Change { resource_change: c.resource_change().map(resource_change) })
                .collect(),
            next_token: out.next_token().map(str::to_string),
        })
    }

    async fn execute_change_set(&self, stack: &str, change_set: &str) -> Result<(), ApiError> {
        self.client
            .execute_change_set()
            .stack_name(stack)
            .change_set_name(change_set)
            .send()
            .await
            .map_err(api_error)?;
        Ok(())
    }

    async fn delete_change_set(&self, stack: &str, change_set: &str) -> Result<(), ApiError> {
        self.client
            .delete_change_set()
            .stack_name(stack)
            .change_set_name(change_set)
            .send()
            .await
            .map_err(api_error)?;
        Ok(())
    }

    async fn describe_stack_events(&self, stack: &str) -> Result<Vec<StackEvent>, ApiError> {
        let out = self.client.describe_stack_events().stack_name(stack).send().await.map_err(api_error)?;
        Ok(out.stack_events().iter().map(stack_event).collect())
    }

    async fn set_termination_protection(&self, stack: &str, enabled: bool) -> Result<(), ApiError> {
        let call = self
            .client
            .update_termination_protection()
            .stack_name(stack)
            .enable_termination_protection(enabled);
        call.send().await.map_err(api_error)?;
        Ok(())
    }

    async fn delete_stack(&self, stack: &str) -> Result<(), ApiError> {
        self.client.delete_stack().stack_name(stack).send().await.map_err(api_error)?;
        Ok(())
    }
}

impl TemplateStore for SdkTemplateStore {
    async fn put(&self, bucket: &str, key: &str, body: &str) -> Result<String, ApiError> {
        let data = aws_sdk_s3::primitives::ByteStream::from(body.as_bytes().to_vec());
        let call =
            self.client.put_object().bucket(bucket).key(key).body(data).content_type("application/json");
        call.send().await.map_err(|e| {
            let chain = concise(&aws_sdk_s3::error::DisplayErrorContext(&e).to_string());
            match aws_sdk_s3::error::ProvideErrorMetadata::code(&e) {
                Some(code) => ApiError::service(
                    code,
                    aws_sdk_s3::error::ProvideErrorMetadata::message(&e).unwrap_or(""),
                ),
                None => ApiError::other(classify_transport(&chain), chain),
            }
        })?;
        // The AWS form even with an emulator: CloudFormation (and moto) read the
        // bucket from the host name.
        Ok(format!("https://{bucket}.s3.{}.amazonaws.com/{key}", self.target.region))
    }
}

#[cfg(test)]
mod tests {
    use aws_sdk_cloudformation::config::http::HttpResponse;
    use aws_sdk_cloudformation::error::{ConnectorError, ErrorMetadata};
    use aws_sdk_cloudformation::operation::describe_stacks::DescribeStacksError;

    use super::*;
    use crate::deploy::errors::explain;

    type Error = SdkError<DescribeStacksError, HttpResponse>;

    fn service(status: u16, code: &str, message: &str) -> Error {
        let meta = ErrorMetadata::builder().code(code).message(message).build();
        let raw = HttpResponse::new(status.try_into().expect("status"), "".into());
        SdkError::service_error(DescribeStacksError::generic(meta), raw)
    }

    fn target(region: &str) -> Target {
        Target { region: region.into(), endpoint: None, profile: None }
    }

    #[test]
    fn sdk_service_errors_become_code_and_message_then_a_paragraph() {
        let error = api_error(service(
            403,
            "AccessDenied",
            "User: arn:aws:iam::1:user/ci is not authorized to perform: cloudformation:DescribeStacks",
        ));
        assert_eq!(error.failure, Failure::Service);
        assert_eq!(error.code.as_deref(), Some("AccessDenied"));
        let text = explain(&error, &target("us-east-1"), "reading the stack").to_string();
        assert!(text.contains("not allowed to do this in us-east-1"), "{text}");
        assert!(!text.contains("ServiceError"), "no SDK dump: {text}");
    }

    #[test]
    fn a_disabled_opt_in_region_is_explained_from_the_sdk_error() {
        let error = api_error(service(
            403,
            "InvalidClientTokenId",
            "The security token included in the request is invalid.",
        ));
        let text = explain(&error, &target("af-south-1"), "reading the stack").to_string();
        assert!(text.contains("af-south-1 is an opt-in region"), "{text}");
    }

    #[test]
    fn sdk_transport_errors_become_unreachable_or_timeout() {
        let refused: Error =
            SdkError::dispatch_failure(ConnectorError::io("tcp connect error: Connection refused".into()));
        let error = api_error(refused);
        assert_eq!(error.failure, Failure::Unreachable);
        assert!(!error.message.contains("DispatchFailure"), "{}", error.message);
        let slow: Error =
            SdkError::timeout_error("operation timeout (all attempts including retries) occurred after 30s");
        assert_eq!(api_error(slow).failure, Failure::Timeout);
        let throttled = api_error(service(400, "Throttling", "Rate exceeded"));
        let text = explain(&throttled, &target("us-east-1"), "x").to_string();
        assert!(text.contains("after the SDK's retries"), "{text}");
    }

    #[test]
    fn transport_failures_are_told_apart_by_the_error_chain() {
        let no_creds = "dispatch failure: other: failed to select an auth scheme to sign the request with. \"aws.auth#sigv4\" wasn't a valid option because there was no identity resolver: the credential provider was not enabled";
        assert_eq!(classify_transport(no_creds), Failure::Credentials);
        let refused = "dispatch failure: io error: error trying to connect: tcp connect error: Connection refused (os error 111)";
        assert_eq!(classify_transport(refused), Failure::Unreachable);
        assert_eq!(classify_transport("something odd"), Failure::Other);
    }

    #[test]
    fn the_debug_dump_is_cut_from_sdk_error_chains() {
        let chain = "dispatch failure: io error: client error (Connect): tcp connect error: Connection refused (os error 111) (DispatchFailure(DispatchFailure { source: ConnectorError { kind: Io } }))";
        assert_eq!(
            concise(chain),
            "dispatch failure: io error: client error (Connect): tcp connect error: Connection refused (os error 111)"
        );
        assert_eq!(concise("plain message"), "plain message");
    }

    #[test]
    fn only_a_missing_stack_reads_as_none() {
        assert!(is_missing_stack(&ApiError::service(
            "ValidationError",
            "Stack with id shop-dev-core does not exist"
        )));
        assert!(!is_missing_stack(&ApiError::service("ValidationError", "Template format error")));
    }
}
