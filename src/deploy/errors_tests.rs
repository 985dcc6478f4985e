use super::*;

fn aws(region: &str) -> Target {
    Target { region: region.into(), ..Target::default() }
}

#[test]
fn missing_credentials_name_the_chain_and_the_profile() {
    let target = Target { profile: Some("ci".into()), ..aws("us-east-1") };
    let error = ApiError::other(Failure::Credentials(CredentialCause::NoCredentials), "no providers");
    let explained = explain(&error, &target, "sts", "reading stacks");
    assert_eq!(explained.code, Code::DeployCredentials);
    assert!(explained.help.contains("No AWS credentials were found"));
    assert!(explained.help.contains("aws sso login --profile ci"), "{explained}");
    assert!(!explained.help.contains("no providers"), "no SDK dump: {explained}");
}

#[test]
fn a_missing_profile_lists_the_profiles_there_are_and_the_near_one() {
    let cause = CredentialCause::MissingProfile {
        profile: "shop-prd".into(),
        known: vec!["default".into(), "shop-prod".into()],
    };
    let error = ApiError::other(Failure::Credentials(cause), "");
    let help = explain(&error, &aws("us-east-1"), "sts", "x").help;
    assert!(help.contains("The profile `shop-prd` is in neither"), "{help}");
    assert!(help.contains("did you mean `shop-prod`?"), "{help}");
}

#[test]
fn a_bad_token_in_an_opt_in_region_means_the_region_is_not_enabled() {
    let error =
        ApiError::service("InvalidClientTokenId", "The security token included in the request is invalid.");
    let explained = explain(&error, &aws("af-south-1"), "sts", "reading stacks");
    assert!(explained.help.contains("af-south-1 is an opt-in region"), "{explained}");
    assert!(explained.help.contains("aws account enable-region --region-name af-south-1"));
    let elsewhere = explain(&error, &aws("us-east-1"), "sts", "reading stacks");
    assert!(elsewhere.help.contains("does not recognise the credentials"), "{elsewhere}");
}

#[test]
fn access_denied_says_what_permissions_deploying_needs() {
    let error = ApiError::service(
        "AccessDenied",
        "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: cloudformation:CreateChangeSet",
    );
    let explained = explain(&error, &aws("us-east-1"), "cloudformation", "creating a change set");
    assert_eq!(explained.code, Code::DeployRefused);
    assert!(explained.help.contains("not allowed to do this in us-east-1"));
    assert!(explained.help.contains("aws sts get-caller-identity"));
    assert_eq!(explained.message, "AWS refused creating a change set");
}

#[test]
fn timeouts_name_the_endpoint_and_the_limits() {
    let target = Target {
        timeouts: Timeouts {
            connect: Duration::from_secs(2),
            read: Duration::from_secs(3),
            operation: Duration::from_secs(9),
            attempts: 4,
        },
        ..aws("eu-west-1")
    };
    let explained = explain(
        &ApiError::other(Failure::Timeout, "timed out"),
        &target,
        "cloudformation",
        "reading the stack",
    );
    assert_eq!(explained.code, Code::DeployNetwork);
    assert_eq!(
        explained.message,
        "no answer from https://cloudformation.eu-west-1.amazonaws.com while reading the stack"
    );
    assert!(
        explained.help.contains("4 attempts; each may take 2 s to connect and 3 s to answer, 9 s in all"),
        "{explained}"
    );
}

#[test]
fn throttling_expired_and_unreachable_each_get_their_own_paragraph() {
    let t =
        explain(&ApiError::service("Throttling", "Rate exceeded"), &aws("us-east-1"), "cloudformation", "x");
    assert!(t.help.contains("after the SDK's retries"));
    let e = explain(&ApiError::service("ExpiredToken", "expired"), &aws("us-east-1"), "cloudformation", "x");
    assert!(e.help.contains("have expired"));
    let emulator = Target { endpoint: Some("http://127.0.0.1:45123".into()), ..aws("us-east-1") };
    let u = explain(
        &ApiError::other(Failure::Unreachable, "connection refused"),
        &emulator,
        "cloudformation",
        "x",
    );
    assert!(u.help.contains("Nothing answered at http://127.0.0.1:45123"), "{u}");
    assert!(u.help.contains("emulator.sh start"));
}

#[test]
fn other_service_errors_quote_the_service_once() {
    let error =
        ApiError::service("ValidationError", "Template format error: Unresolved resource dependencies [X]");
    let explained = explain(&error, &aws("us-east-1"), "cloudformation", "x");
    assert_eq!(explained.help.matches("Unresolved resource dependencies").count(), 1);
}
