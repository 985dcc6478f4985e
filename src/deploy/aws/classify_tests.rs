use aws_sdk_cloudformation::config::http::HttpResponse;
use aws_sdk_cloudformation::error::{ConnectorError, ErrorMetadata};
use aws_sdk_cloudformation::operation::describe_stacks::DescribeStacksError;

use super::*;
use crate::deploy::errors::{explain, Target};

type Error = SdkError<DescribeStacksError, HttpResponse>;

fn service(status: u16, code: &str, message: &str) -> Error {
    let meta = ErrorMetadata::builder().code(code).message(message).build();
    let raw = HttpResponse::new(status.try_into().expect("status"), "".into());
    SdkError::service_error(DescribeStacksError::generic(meta), raw)
}

fn target(region: &str) -> Target {
    Target { region: region.into(), ..Target::default() }
}

fn none() -> ProfileInfo {
    ProfileInfo::default()
}

/// What the SDK's orchestrator returns when the identity resolver fails.
fn identity_failure(error: CredentialsError) -> Error {
    SdkError::dispatch_failure(ConnectorError::other(Box::new(error), None))
}

fn cause(error: ApiError) -> CredentialCause {
    match error.failure {
        Failure::Credentials(cause) => cause,
        other => panic!("expected a credentials failure, got {other:?}"),
    }
}

#[test]
fn sdk_service_errors_keep_code_and_message() {
    let error = api_error(
        service(
            403,
            "AccessDenied",
            "User: arn:aws:iam::1:user/ci is not authorized to perform: cloudformation:DescribeStacks",
        ),
        &none(),
    );
    assert_eq!(error.failure, Failure::Service);
    assert_eq!(error.code.as_deref(), Some("AccessDenied"));
    let text = explain(&error, &target("us-east-1"), "cloudformation", "reading the stack").to_string();
    assert!(text.contains("not allowed to do this in us-east-1"), "{text}");
    assert!(!text.contains("ServiceError"), "no SDK dump: {text}");
}

#[test]
fn an_answer_without_an_aws_error_code_is_a_bad_response_naming_its_status() {
    let meta = ErrorMetadata::builder().build();
    let raw = HttpResponse::new(500.try_into().expect("status"), "<html>oops</html>".into());
    let error = api_error(SdkError::service_error(DescribeStacksError::generic(meta), raw), &none());
    assert_eq!(error.failure, Failure::BadResponse { status: Some(500) });
    let emulator = Target { endpoint: Some("http://127.0.0.1:9999".into()), ..target("us-east-1") };
    let text = explain(&error, &emulator, "cloudformation", "reading the stack").to_string();
    assert!(text.contains("http://127.0.0.1:9999 answered with HTTP 500"), "{text}");
    assert!(!text.contains("ServiceError") && !text.contains("Unhandled"), "{text}");
}

#[test]
fn transport_errors_become_unreachable_or_timeout_by_kind() {
    let refused: Error =
        SdkError::dispatch_failure(ConnectorError::io("tcp connect error: Connection refused".into()));
    let error = api_error(refused, &none());
    assert_eq!(error.failure, Failure::Unreachable);
    assert!(!error.message.contains("DispatchFailure"), "{}", error.message);
    let slow: Error =
        SdkError::timeout_error("operation timeout (all attempts including retries) occurred after 30s");
    assert_eq!(api_error(slow, &none()).failure, Failure::Timeout);
    let stalled: Error = SdkError::dispatch_failure(ConnectorError::timeout("read timed out".into()));
    assert_eq!(api_error(stalled, &none()).failure, Failure::Timeout);
}

#[test]
fn no_credentials_anywhere_is_its_own_cause() {
    let error = api_error(identity_failure(CredentialsError::not_loaded("no providers in chain")), &none());
    assert_eq!(cause(error), CredentialCause::NoCredentials);
}

#[test]
fn an_sso_profile_whose_token_failed_is_an_sso_session_to_renew() {
    let sso = ProfileInfo { name: Some("shop".into()), source: Source::Sso };
    let error = api_error(identity_failure(CredentialsError::provider_error("token expired")), &sso);
    assert_eq!(cause(error.clone()), CredentialCause::SsoSession { profile: "shop".into() });
    let text = explain(&error, &target("us-east-1"), "sts", "asking STS who the credentials belong to").help;
    assert!(text.contains("aws sso login --profile shop"), "{text}");
}

#[test]
fn a_refused_role_assumption_names_the_role_and_aws_reason() {
    let meta = ErrorMetadata::builder()
        .code("AccessDenied")
        .message("not authorized to perform sts:AssumeRole")
        .build();
    let raw = HttpResponse::new(403.try_into().expect("status"), "".into());
    let sts =
        SdkError::service_error(aws_sdk_sts::operation::assume_role::AssumeRoleError::generic(meta), raw);
    let profile = ProfileInfo {
        name: Some("ci".into()),
        source: Source::AssumeRole("arn:aws:iam::1:role/deploy".into()),
    };
    let error = api_error(identity_failure(CredentialsError::provider_error(sts)), &profile);
    assert_eq!(
        cause(error),
        CredentialCause::RoleRefused {
            role: "arn:aws:iam::1:role/deploy".into(),
            message: "not authorized to perform sts:AssumeRole".into()
        }
    );
}

#[test]
fn a_credentials_service_that_does_not_answer_is_a_network_cause() {
    let unreachable: SdkError<aws_sdk_sts::operation::assume_role::AssumeRoleError, HttpResponse> =
        SdkError::dispatch_failure(ConnectorError::io("connection refused".into()));
    let error = api_error(identity_failure(CredentialsError::provider_error(unreachable)), &none());
    assert!(matches!(cause(error), CredentialCause::Network { .. }));
}

#[test]
fn a_failed_credential_process_quotes_its_message() {
    let profile = ProfileInfo { name: Some("helper".into()), source: Source::Process };
    let error = api_error(
        identity_failure(CredentialsError::provider_error("exit status 3: vault sealed")),
        &profile,
    );
    assert_eq!(
        cause(error),
        CredentialCause::ProcessFailed {
            profile: "helper".into(),
            message: "exit status 3: vault sealed".into()
        }
    );
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
