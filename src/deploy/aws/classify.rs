//! SDK errors → [`ApiError`], by the types the SDK returns, never by the words
//! of its messages: a service error keeps its code; a dispatch failure is a
//! credentials problem when a `CredentialsError` is in its chain (and which
//! one by the provider types found there and the profile's source), a
//! timeout or an unreachable endpoint by the connector's own kind; an answer
//! that is not AWS's (HTML, a bare HTTP 500) is a bad response.

use std::error::Error as StdError;

use aws_credential_types::provider::error::CredentialsError;
use aws_sdk_cloudformation::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_sso::operation::get_role_credentials::GetRoleCredentialsError;
use aws_sdk_sts::operation::assume_role::AssumeRoleError;
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::http::Response as HttpResponse;

use super::profile::{ProfileInfo, Source};
use crate::deploy::errors::{ApiError, CredentialCause, Failure};

/// An SDK error as an [`ApiError`].
pub(super) fn api_error<E>(error: SdkError<E, HttpResponse>, profile: &ProfileInfo) -> ApiError
where
    E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
{
    let chain = concise(&DisplayErrorContext(&error).to_string());
    if let Some(cause) = credential_cause(&error, profile, None) {
        return ApiError::other(Failure::Credentials(cause), chain);
    }
    match &error {
        SdkError::ServiceError(service) => match service.err().code() {
            Some(code) => ApiError::service(code, service.err().message().unwrap_or("").to_string()),
            None => bad_response(Some(service.raw().status().as_u16()), chain),
        },
        SdkError::ResponseError(response) => bad_response(Some(response.raw().status().as_u16()), chain),
        SdkError::TimeoutError(_) => ApiError::other(Failure::Timeout, chain),
        SdkError::DispatchFailure(d) if d.is_timeout() => ApiError::other(Failure::Timeout, chain),
        SdkError::DispatchFailure(d) if d.is_io() => ApiError::other(Failure::Unreachable, chain),
        _ => ApiError::other(Failure::Other, chain),
    }
}

fn bad_response(status: Option<u16>, chain: String) -> ApiError {
    ApiError::other(Failure::BadResponse { status }, chain)
}

/// A credentials failure from a provider called directly (assuming a role).
pub(super) fn credentials_error(
    error: &CredentialsError,
    profile: &ProfileInfo,
    role: Option<&str>,
) -> ApiError {
    let chain = concise(&DisplayErrorContext(error).to_string());
    let cause = credential_cause(error, profile, role).unwrap_or(CredentialCause::NoCredentials);
    ApiError::other(Failure::Credentials(cause), chain)
}

/// Every error of the chain, outermost first.
fn chain<'e>(error: &'e (dyn StdError + 'static)) -> impl Iterator<Item = &'e (dyn StdError + 'static)> {
    std::iter::successors(Some(error), |e: &&'e (dyn StdError + 'static)| (*e).source())
}

/// Why credentials failed, when the chain says they did.
fn credential_cause(
    error: &(dyn StdError + 'static),
    profile: &ProfileInfo,
    role: Option<&str>,
) -> Option<CredentialCause> {
    let credentials: Vec<&CredentialsError> = chain(error).filter_map(|e| e.downcast_ref()).collect();
    let outer = credentials.first()?;
    let innermost = chain(error).last().map(ToString::to_string).unwrap_or_default();
    // A credentials service's own call: its transport failures are the
    // network's, its service errors the cause.
    let sso = chain(error).find_map(|e| e.downcast_ref::<SdkError<GetRoleCredentialsError, HttpResponse>>());
    let sts = chain(error).find_map(|e| e.downcast_ref::<SdkError<AssumeRoleError, HttpResponse>>());
    let transport = |e: &(dyn StdError + 'static)| {
        e.downcast_ref::<SdkError<GetRoleCredentialsError, HttpResponse>>().is_some_and(is_transport)
            || e.downcast_ref::<SdkError<AssumeRoleError, HttpResponse>>().is_some_and(is_transport)
            || e.downcast_ref::<ConnectorError>().is_some_and(|c| c.is_io() || c.is_timeout())
    };
    // The orchestrator wraps every identity failure in a connector error of
    // kind "other"; that one is not the network's.
    let network = chain(error).any(transport)
        || credentials.iter().any(|c| matches!(c, CredentialsError::ProviderTimedOut(_)));
    if network {
        return Some(CredentialCause::Network { message: innermost });
    }
    if let Some(SdkError::ServiceError(refused)) = sts {
        let role = role.map(str::to_string).or(match &profile.source {
            Source::AssumeRole(role) => Some(role.clone()),
            _ => None,
        });
        let message = refused.err().message().map_or_else(|| refused.err().to_string(), str::to_string);
        return Some(CredentialCause::RoleRefused { role: role.unwrap_or_default(), message });
    }
    if sso.is_some() {
        return Some(CredentialCause::SsoSession { profile: profile.label() });
    }
    Some(match (outer, &profile.source) {
        (CredentialsError::CredentialsNotLoaded(_), _) => CredentialCause::NoCredentials,
        (CredentialsError::InvalidConfiguration(_), _) => {
            CredentialCause::InvalidProfile { profile: profile.label(), message: innermost }
        }
        (_, Source::Sso) => CredentialCause::SsoSession { profile: profile.label() },
        (_, Source::Process) => {
            CredentialCause::ProcessFailed { profile: profile.label(), message: innermost }
        }
        _ => CredentialCause::InvalidProfile { profile: profile.label(), message: innermost },
    })
}

fn is_transport<E, R>(error: &SdkError<E, R>) -> bool {
    matches!(error, SdkError::TimeoutError(_) | SdkError::DispatchFailure(_))
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

/// `DescribeStacks` on a stack that does not exist.
pub(super) fn is_missing_stack(error: &ApiError) -> bool {
    error.has_code(&["ValidationError"]) && error.message.contains("does not exist")
}

#[cfg(test)]
#[path = "classify_tests.rs"]
mod tests;
