//! AWS failures as data, and what a user reads about each.
//!
//! Input: an [`ApiError`] (built from an SDK error in `aws/`, or by hand in
//! tests) and where the call went ([`Target`]). Output: an [`Explained`]
//! failure: its diagnostic code, one line saying what happened and a paragraph
//! saying what to do. Invariant: no raw SDK dump ever reaches the user; the
//! service's own message is quoted at most once.

use std::fmt;
use std::time::Duration;

use crate::diag::Code;

/// How a call failed, before interpretation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The service answered with an error code.
    Service,
    /// Credentials could not be found or loaded, for this reason.
    Credentials(CredentialCause),
    /// The endpoint could not be reached (DNS, connection refused, TLS).
    Unreachable,
    /// No answer in time, after the SDK's retries.
    Timeout,
    /// Something answered, but not as AWS does (an HTML page, an HTTP 500
    /// without an AWS error body): usually a wrong `--endpoint-url` or a proxy.
    BadResponse { status: Option<u16> },
    /// Anything else the SDK reports.
    Other,
}

/// Why no credentials could be had. Each cause has its own advice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CredentialCause {
    /// The named profile is in neither ~/.aws/config nor ~/.aws/credentials.
    MissingProfile { profile: String, known: Vec<String> },
    /// The profile signs in with SSO and its session expired or never started.
    SsoSession { profile: String },
    /// Assuming a role (a profile's `role_arn`, or the environment's `role`) was refused.
    RoleRefused { role: String, message: String },
    /// The profile's `credential_process` command failed.
    ProcessFailed { profile: String, message: String },
    /// The profile's configuration cannot be used as written.
    InvalidProfile { profile: String, message: String },
    /// Nothing in the standard chain had credentials.
    NoCredentials,
    /// A credentials service (SSO portal, STS, instance metadata) did not answer.
    Network { message: String },
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

/// Limits on every AWS call. The SDK's standard retries run within them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// To open a connection.
    pub connect: Duration,
    /// From sending a request to the first byte of its answer.
    pub read: Duration,
    /// One whole call, every retry included.
    pub operation: Duration,
    /// Attempts per call (the SDK's standard retry mode, with backoff).
    pub attempts: u32,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(10),
            read: Duration::from_secs(60),
            operation: Duration::from_secs(300),
            attempts: 6,
        }
    }
}

/// Where calls go: the region, the endpoint for an emulator, the credentials.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Target {
    pub region: String,
    pub endpoint: Option<String>,
    pub profile: Option<String>,
    /// A role to assume with the profile's credentials.
    pub role: Option<String>,
    pub timeouts: Timeouts,
}

impl Target {
    /// The URL calls to `service` (`cloudformation`, `sts`) go to.
    pub fn endpoint_of(&self, service: &str) -> String {
        match &self.endpoint {
            Some(url) => url.clone(),
            None => format!("https://{service}.{}.amazonaws.com", self.region),
        }
    }
}

/// A failure explained: its code, what happened, what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explained {
    pub code: Code,
    /// One line: what went wrong.
    pub message: String,
    /// One paragraph: why, and how to fix it.
    pub help: String,
}

impl fmt::Display for Explained {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}\n{}", self.message, self.help)
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

/// Explain a failed call to `service` made while doing `doing` (e.g. "reading stack megadolls-dev-core").
pub fn explain(error: &ApiError, target: &Target, service: &str, doing: &str) -> Explained {
    let endpoint = target.endpoint_of(service);
    let (code, help) = match &error.failure {
        Failure::Credentials(cause) => (Code::DeployCredentials, credentials(cause, target)),
        Failure::Unreachable => (Code::DeployNetwork, unreachable(target, &endpoint, &error.message)),
        Failure::Timeout => (Code::DeployNetwork, timed_out(target, &endpoint)),
        Failure::BadResponse { status } => (Code::DeployBadResponse, bad_response(&endpoint, *status)),
        Failure::Service => (Code::DeployRefused, service_error(error, target)),
        Failure::Other => (Code::DeployRefused, format!("The AWS SDK reported: {}.", error.message)),
    };
    let message = match &error.failure {
        Failure::Credentials(_) => format!("no usable AWS credentials while {doing}"),
        Failure::Unreachable | Failure::Timeout => format!("no answer from {endpoint} while {doing}"),
        Failure::BadResponse { .. } => format!("{endpoint} did not answer as AWS does while {doing}"),
        Failure::Service | Failure::Other => format!("AWS refused {doing}"),
    };
    Explained { code, message, help }
}

fn profile_name(target: &Target) -> String {
    target.profile.clone().unwrap_or_else(|| "NAME".into())
}

fn credentials(cause: &CredentialCause, target: &Target) -> String {
    match cause {
        CredentialCause::MissingProfile { profile, known } => {
            let near = crate::diag::suggestion(profile, known.iter().map(String::as_str))
                .map(|s| format!(" ({s})"))
                .unwrap_or_default();
            let known = if known.is_empty() { "none".to_string() } else { known.join(", ") };
            format!("The profile `{profile}` is in neither ~/.aws/config nor ~/.aws/credentials (profiles there: {known}){near}. Fix the name in `--profile`, AWS_PROFILE or the environment's `profile` setting, or create it with `aws configure sso --profile {profile}` or `aws configure --profile {profile}`.")
        }
        CredentialCause::SsoSession { profile } => format!(
            "The profile `{profile}` signs in with AWS IAM Identity Center (SSO), and its session has expired or was never started on this machine. Sign in again with `aws sso login --profile {profile}`, then run the command again."
        ),
        CredentialCause::RoleRefused { role, message } => format!(
            "Assuming the role {role} was refused: {message}. The role's trust policy must allow the identity that assumes it (check it with `aws sts get-caller-identity`), and that identity needs sts:AssumeRole on the role."
        ),
        CredentialCause::ProcessFailed { profile, message } => format!(
            "The `credential_process` command of the profile `{profile}` failed: {message}. Run that command by hand (it is in ~/.aws/config) to see why; it must print credentials as JSON with \"Version\": 1."
        ),
        CredentialCause::InvalidProfile { profile, message } => format!(
            "The profile `{profile}` cannot be used as written in ~/.aws/config: {message}."
        ),
        CredentialCause::NoCredentials => format!(
            "No AWS credentials were found. mdl uses the standard AWS chain: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, a profile (`--profile NAME`, AWS_PROFILE or the environment's `profile` setting) from ~/.aws/config — for SSO run `aws sso login --profile {}` first —, or a container or instance role.",
            profile_name(target)
        ),
        CredentialCause::Network { message } => format!(
            "A credentials service did not answer ({message}). Check the network or proxy (HTTPS_PROXY) and run the command again; nothing was changed."
        ),
    }
}

fn timed_out(target: &Target, endpoint: &str) -> String {
    let t = target.timeouts;
    format!(
        "Nothing came back from {endpoint} in time ({} attempts; each may take {} s to connect and {} s to answer, {} s in all). Check the network, a proxy (HTTPS_PROXY) or the emulator, then run the command again; the limits are --connect-timeout, --read-timeout and --operation-timeout.",
        t.attempts,
        t.connect.as_secs(),
        t.read.as_secs(),
        t.operation.as_secs()
    )
}

fn unreachable(target: &Target, endpoint: &str, detail: &str) -> String {
    match &target.endpoint {
        Some(_) => format!(
            "Nothing answered at {endpoint}. Is the emulator running? Start it with `eval \"$(tests/emulator/emulator.sh start)\"` and pass the URL it prints as `--endpoint-url`. ({detail})"
        ),
        None => format!(
            "{endpoint} could not be reached ({detail}). Check the network, a proxy (HTTPS_PROXY), or whether the region name is right."
        ),
    }
}

fn bad_response(endpoint: &str, status: Option<u16>) -> String {
    let status = status.map(|s| format!("HTTP {s} with ")).unwrap_or_default();
    format!(
        "{endpoint} answered with {status}something that is not an AWS API answer. Check `--endpoint-url` (it must be the AWS API or an emulator of it, not a web page) and any proxy in between; an HTTP 5xx from AWS itself is retried by the SDK and is usually brief: run the command again."
    )
}

fn service_error(error: &ApiError, target: &Target) -> String {
    let region = &target.region;
    let quoted = format!("(AWS said: {error})");
    if error.has_code(OPT_IN) || (error.has_code(BAD_TOKEN) && OPT_IN_REGIONS.contains(&region.as_str())) {
        return format!(
            "The region {region} is an opt-in region and it looks not enabled for this account: AWS rejects credentials there until it is. An account administrator enables it in the console (Account → AWS Regions) or with `aws account enable-region --region-name {region}`; enabling takes a few minutes. {quoted}"
        );
    }
    if error.has_code(ACCESS_DENIED) || error.message.contains("not authorized to perform") {
        return format!(
            "The credentials in use are not allowed to do this in {region}. Deploying needs cloudformation:* on the project's stacks, plus the permissions of every resource the templates create (or a CloudFormation service role: `service_role` or --role-arn). Check which identity is used with `aws sts get-caller-identity`. {quoted}"
        );
    }
    if error.has_code(EXPIRED) {
        return format!(
            "The credentials have expired. Refresh them (`aws sso login --profile {}`, or new temporary keys) and run the command again. {quoted}",
            profile_name(target)
        );
    }
    if error.has_code(BAD_TOKEN) {
        return format!(
            "AWS does not recognise the credentials (wrong or deleted access key, or a secret key that does not match). Check AWS_ACCESS_KEY_ID / AWS_PROFILE and `aws sts get-caller-identity`. {quoted}"
        );
    }
    if error.has_code(THROTTLED) {
        return format!(
            "AWS kept throttling the requests even after the SDK's retries with backoff. Another tool may be polling the same account; wait a minute and run the command again. {quoted}"
        );
    }
    format!("CloudFormation refused the request. {quoted}")
}

#[cfg(test)]
#[path = "errors_tests.rs"]
mod tests;
