//! AWS failures as data, and the one paragraph a user reads about each.
//!
//! Input: an [`ApiError`] (built from an SDK error in `aws.rs`, or by hand in
//! tests) and where the call went ([`Target`]). Output: a [`Problem`] with a
//! plain-language explanation and the next step. Invariant: no raw SDK dump
//! ever reaches the user; the service's own message is quoted at most once.

use std::fmt;

/// How a call failed, before interpretation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// The service answered with an error code.
    Service,
    /// No credentials could be found or loaded.
    Credentials,
    /// The endpoint could not be reached (DNS, connection refused, TLS).
    Unreachable,
    /// The call timed out.
    Timeout,
    /// Anything else the SDK reports.
    Other,
}

/// A failed AWS call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub failure: Failure,
    /// The service's error code (`ValidationError`, `AccessDenied`, ...).
    pub code: Option<String>,
    /// The service's message, or the SDK's error chain in one line.
    pub message: String,
}

impl ApiError {
    /// A service error with `code` and `message`.
    pub fn service(code: &str, message: impl Into<String>) -> Self {
        ApiError { failure: Failure::Service, code: Some(code.to_string()), message: message.into() }
    }

    /// A failure that is not a service answer.
    pub fn other(failure: Failure, message: impl Into<String>) -> Self {
        ApiError { failure, code: None, message: message.into() }
    }

    /// Whether the code is one of `codes`.
    pub fn has_code(&self, codes: &[&str]) -> bool {
        self.code.as_deref().is_some_and(|c| codes.contains(&c))
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.code {
            Some(code) => write!(f, "{code}: {}", self.message),
            None => write!(f, "{}", self.message),
        }
    }
}

/// Where calls go: the region and, for an emulator, the endpoint.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Target {
    pub region: String,
    pub endpoint: Option<String>,
    pub profile: Option<String>,
}

/// An explained failure: what happened and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// One line: what went wrong.
    pub summary: String,
    /// One paragraph: why, and how to fix it.
    pub explanation: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}\n{}", self.summary, self.explanation)
    }
}

/// Regions an account must enable before using them.
pub const OPT_IN_REGIONS: &[&str] = &[
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-south-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-west-1",
    "eu-central-2",
    "eu-south-1",
    "eu-south-2",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
];

const ACCESS_DENIED: &[&str] =
    &["AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError"];
const BAD_TOKEN: &[&str] =
    &["InvalidClientTokenId", "UnrecognizedClientException", "SignatureDoesNotMatch", "AuthFailure"];
const EXPIRED: &[&str] = &["ExpiredToken", "ExpiredTokenException", "RequestExpired"];
const THROTTLED: &[&str] =
    &["Throttling", "ThrottlingException", "TooManyRequestsException", "RequestLimitExceeded"];
const OPT_IN: &[&str] = &["OptInRequired", "SubscriptionRequiredException"];

/// Explain a failed call made while doing `doing` (e.g. "reading stack megadolls-dev-core").
pub fn explain(error: &ApiError, target: &Target, doing: &str) -> Problem {
    let summary = format!("AWS call failed while {doing}");
    let explanation = match error.failure {
        Failure::Credentials => no_credentials(target),
        Failure::Unreachable => unreachable(target, &error.message),
        Failure::Timeout => format!(
            "The call to {} timed out after the SDK's retries. Check the network (or the emulator), then run the command again; nothing was half-done by mdl.",
            where_to(target)
        ),
        Failure::Service => service(error, target),
        Failure::Other => format!("The AWS SDK reported: {}.", error.message),
    };
    Problem { summary, explanation }
}

fn where_to(target: &Target) -> String {
    match &target.endpoint {
        Some(url) => format!("the endpoint {url}"),
        None => format!("CloudFormation in {}", target.region),
    }
}

fn no_credentials(target: &Target) -> String {
    let profile = match &target.profile {
        Some(p) => format!(" (profile `{p}`)"),
        None => String::new(),
    };
    format!(
        "No AWS credentials were found{profile}. mdl uses the standard AWS chain: the environment variables AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, `--profile NAME` or AWS_PROFILE with ~/.aws/config (run `aws sso login --profile NAME` for SSO profiles), or an instance/container role."
    )
}

fn unreachable(target: &Target, detail: &str) -> String {
    match &target.endpoint {
        Some(url) => format!(
            "Nothing answered at {url}. Is the emulator running? Start it with `eval \"$(tests/emulator/emulator.sh start)\"` and pass the URL it prints as `--endpoint-url`. ({detail})"
        ),
        None => format!(
            "CloudFormation in {} could not be reached ({detail}). Check the network, a proxy (HTTPS_PROXY), or whether the region name is right.",
            target.region
        ),
    }
}

fn service(error: &ApiError, target: &Target) -> String {
    let region = &target.region;
    let quoted = format!("(AWS said: {error})");
    if error.has_code(OPT_IN) || (error.has_code(BAD_TOKEN) && OPT_IN_REGIONS.contains(&region.as_str())) {
        return format!(
            "The region {region} is an opt-in region and it looks not enabled for this account: AWS rejects credentials there until it is. An account administrator enables it in the console (Account → AWS Regions) or with `aws account enable-region --region-name {region}`; enabling takes a few minutes. {quoted}"
        );
    }
    if error.has_code(ACCESS_DENIED) || error.message.contains("not authorized to perform") {
        return format!(
            "The credentials in use are not allowed to do this in {region}. Deploying needs cloudformation:* on the project's stacks, plus the permissions of every resource the templates create (or a CloudFormation service role). Check which identity is used with `aws sts get-caller-identity`. {quoted}"
        );
    }
    if error.has_code(EXPIRED) {
        return format!(
            "The credentials have expired. Refresh them (`aws sso login`, or new temporary keys) and run the command again. {quoted}"
        );
    }
    if error.has_code(BAD_TOKEN) {
        return format!(
            "AWS does not recognise the credentials (wrong or deleted access key, or a secret key that does not match). Check AWS_ACCESS_KEY_ID / AWS_PROFILE and `aws sts get-caller-identity`. {quoted}"
        );
    }
    if error.has_code(THROTTLED) {
        return format!(
            "CloudFormation kept throttling the requests even after the SDK's retries with backoff. Another tool may be polling the same account; wait a minute and run the command again. {quoted}"
        );
    }
    format!("CloudFormation refused the request. {quoted}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn aws(region: &str) -> Target {
        Target { region: region.into(), endpoint: None, profile: None }
    }

    #[test]
    fn missing_credentials_name_the_chain_and_the_profile() {
        let target = Target { profile: Some("ci".into()), ..aws("us-east-1") };
        let problem =
            explain(&ApiError::other(Failure::Credentials, "no providers"), &target, "reading stacks");
        assert!(problem.explanation.contains("No AWS credentials were found (profile `ci`)"));
        assert!(problem.explanation.contains("AWS_ACCESS_KEY_ID"));
        assert!(!problem.explanation.contains("no providers"), "no SDK dump: {problem}");
    }

    #[test]
    fn a_bad_token_in_an_opt_in_region_means_the_region_is_not_enabled() {
        let error = ApiError::service(
            "InvalidClientTokenId",
            "The security token included in the request is invalid.",
        );
        let problem = explain(&error, &aws("af-south-1"), "reading stacks");
        assert!(problem.explanation.contains("af-south-1 is an opt-in region"), "{problem}");
        assert!(problem.explanation.contains("aws account enable-region --region-name af-south-1"));
        let elsewhere = explain(&error, &aws("us-east-1"), "reading stacks");
        assert!(elsewhere.explanation.contains("does not recognise the credentials"), "{elsewhere}");
    }

    #[test]
    fn access_denied_says_what_permissions_deploying_needs() {
        let error = ApiError::service(
            "AccessDenied",
            "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: cloudformation:CreateChangeSet",
        );
        let problem = explain(&error, &aws("us-east-1"), "creating a change set");
        assert!(problem.explanation.contains("not allowed to do this in us-east-1"));
        assert!(problem.explanation.contains("aws sts get-caller-identity"));
        assert_eq!(problem.summary, "AWS call failed while creating a change set");
    }

    #[test]
    fn throttling_expired_and_unreachable_each_get_their_own_paragraph() {
        let t = explain(&ApiError::service("Throttling", "Rate exceeded"), &aws("us-east-1"), "x");
        assert!(t.explanation.contains("after the SDK's retries"));
        let e = explain(&ApiError::service("ExpiredToken", "expired"), &aws("us-east-1"), "x");
        assert!(e.explanation.contains("have expired"));
        let emulator = Target { endpoint: Some("http://127.0.0.1:45123".into()), ..aws("us-east-1") };
        let u = explain(&ApiError::other(Failure::Unreachable, "connection refused"), &emulator, "x");
        assert!(u.explanation.contains("Nothing answered at http://127.0.0.1:45123"), "{u}");
        assert!(u.explanation.contains("emulator.sh start"));
    }

    #[test]
    fn other_service_errors_quote_the_service_once() {
        let error = ApiError::service(
            "ValidationError",
            "Template format error: Unresolved resource dependencies [X]",
        );
        let problem = explain(&error, &aws("us-east-1"), "x");
        assert_eq!(problem.explanation.matches("Unresolved resource dependencies").count(), 1);
    }
}
