//! One case per deploy diagnostic code (E06xx, W06xx), each produced by a run
//! over the fake AWS API (recorded response shapes), rendered as a user sees
//! it and kept as a reviewed snapshot in tests/deploy/snapshots/ (named after
//! its code: `tests/diagnostics_registry.rs` checks every deploy code has one).

use std::collections::BTreeMap;

use serde_json::json;

use super::api::{Caller, StackEvent};
use super::errors::{ApiError, CredentialCause, Failure};
use super::fake::{FakeCloudFormation, RecordingUi};
use super::input::{EnvironmentInput, LayerInput};
use super::run::tests::{deployed, environment, go_env, options, page, template, three};
use super::{Answer, Mode, Options, RunResult};
use crate::diag::render::render_human;
use crate::eval::{Setting, Tag};
use crate::source::{FileId, Sources, Span};

const SPEC: &str = r#"environment dev {
  region  = us_east_1
  account = "123456789012"
  tags    = { "mdl:team" = "shop" }
}

layer core {
  resource "AWS::Logs::LogGroup" logs { LogGroupName = "/shop/dev/logs" }
  resource "AWS::SNS::Topic" topic { TopicName = "shop-dev" }
}

layer app {
  resource "AWS::SNS::Topic" alerts { TopicName = "shop-dev-alerts" }
}

layer ops {
}
"#;

/// The spec above, and the environment input whose spans point into it.
pub(crate) fn spec(inputs: Vec<LayerInput>) -> (Sources, EnvironmentInput) {
    let mut sources = Sources::default();
    let file = sources.add("dev.mdl".into(), None, SPEC.into());
    let span = |needle: &str| {
        let start = SPEC.find(needle).expect("needle");
        Span::new(file, start, start + needle.len())
    };
    let layers = inputs
        .into_iter()
        .map(|mut layer| {
            let name = layer.layer.clone();
            layer.span = span(&format!("layer {name} {{"));
            layer.spans = BTreeMap::from([
                ("Logs".to_string(), span("resource \"AWS::Logs::LogGroup\" logs")),
                ("Topic".to_string(), span("resource \"AWS::SNS::Topic\" topic")),
                ("Alerts".to_string(), span("resource \"AWS::SNS::Topic\" alerts")),
            ]);
            layer
        })
        .collect::<Vec<_>>();
    let environment = EnvironmentInput {
        span: span("dev"),
        account: Some(Setting { value: "123456789012".into(), span: span("\"123456789012\"") }),
        ..environment(&layers)
    };
    (sources, environment)
}

fn rendered(result: &RunResult, sources: &Sources, code: &str) -> String {
    rendered_list(&result.diagnostics, sources, code)
}

/// The diagnostics `code` among `diagnostics`, rendered as a user sees them.
pub(crate) fn rendered_list(
    diagnostics: &[crate::diag::Diagnostic],
    sources: &Sources,
    code: &str,
) -> String {
    let found: Vec<String> = diagnostics
        .iter()
        .filter(|d| d.code.as_str() == code)
        .map(|d| render_human(d, sources, false))
        .collect();
    assert!(
        !found.is_empty(),
        "no {code} among {:?}",
        diagnostics.iter().map(|d| d.code).collect::<Vec<_>>()
    );
    found.join("\n")
}

pub(crate) fn snapshot(code: &str, what: &str, text: &str) {
    insta::with_settings!({
        snapshot_path => "../../tests/deploy/snapshots",
        prepend_module_to_snapshot => false,
        description => what,
    }, {
        insta::assert_snapshot!(format!("{code}_{}", what.replace(' ', "_")), text);
    });
}

/// Run `inputs` (deployed as `api` says) and snapshot the diagnostic `code`.
fn case(
    code: &str,
    what: &str,
    api: &FakeCloudFormation,
    opts: &Options,
    inputs: Vec<LayerInput>,
    ui: &mut RecordingUi,
) {
    let (sources, environment) = spec(inputs);
    let result = go_env(api, ui, opts, &environment);
    snapshot(code, what, &rendered(&result, &sources, code));
}

fn changed() -> (Vec<LayerInput>, FakeCloudFormation) {
    let mut inputs = three();
    let api = deployed(&inputs);
    inputs[0].template = template("core-v2");
    (inputs, api)
}

fn identity_fails(failure: Failure) -> FakeCloudFormation {
    let api = FakeCloudFormation::default();
    *api.identity.borrow_mut() = Some(Err(ApiError::other(failure, "failed")));
    api
}

#[test]
fn e0601_credentials_of_another_account() {
    let api = FakeCloudFormation::default();
    *api.identity.borrow_mut() =
        Some(Ok(Caller { account: "111122223333".into(), arn: "arn:aws:iam::111122223333:user/dev".into() }));
    case(
        "E0601",
        "account mismatch",
        &api,
        &options(Mode::Deploy { yes: true }),
        three(),
        &mut RecordingUi::default(),
    );
}

#[test]
fn e0602_an_expired_sso_session() {
    let api =
        identity_fails(Failure::Credentials(CredentialCause::SsoSession { profile: "shop-dev".into() }));
    case(
        "E0602",
        "sso session",
        &api,
        &options(Mode::Plan { keep: false }),
        three(),
        &mut RecordingUi::default(),
    );
}

#[test]
fn e0603_an_endpoint_that_does_not_answer() {
    let api = identity_fails(Failure::Timeout);
    case(
        "E0603",
        "timeout",
        &api,
        &options(Mode::Plan { keep: false }),
        three(),
        &mut RecordingUi::default(),
    );
}

#[test]
fn e0604_access_denied() {
    let api = FakeCloudFormation::default();
    let denied = ApiError::service(
        "AccessDenied",
        "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: cloudformation:DescribeStacks",
    );
    api.failures.borrow_mut().insert("DescribeStacks shop-dev-core".into(), denied);
    case(
        "E0604",
        "access denied",
        &api,
        &options(Mode::Plan { keep: false }),
        three(),
        &mut RecordingUi::default(),
    );
}

#[test]
fn e0605_an_html_page_instead_of_an_aws_answer() {
    let api = identity_fails(Failure::BadResponse { status: Some(502) });
    case(
        "E0605",
        "bad response",
        &api,
        &options(Mode::Plan { keep: false }),
        three(),
        &mut RecordingUi::default(),
    );
}

#[test]
fn e0606_a_change_that_deletes_data() {
    let (mut inputs, api) = changed();
    inputs[0].spans.clear();
    let removal = json!({"Status": "CREATE_COMPLETE", "Changes": [{"ResourceChange": {"Action": "Remove", "LogicalResourceId": "Logs", "ResourceType": "AWS::Logs::LogGroup"}}]});
    api.pages.borrow_mut().push_back(serde_json::from_value(removal).expect("page"));
    case(
        "E0606",
        "stateful removal",
        &api,
        &options(Mode::Deploy { yes: true }),
        inputs,
        &mut RecordingUi::default(),
    );
}

#[test]
fn e0607_a_stack_whose_rollback_failed() {
    let api = FakeCloudFormation::default().with_stack(
        "shop-dev-core",
        "UPDATE_ROLLBACK_FAILED",
        "{}",
        BTreeMap::new(),
    );
    case(
        "E0607",
        "update rollback failed",
        &api,
        &options(Mode::Deploy { yes: true }),
        three(),
        &mut RecordingUi::default(),
    );
}

#[test]
fn e0608_a_change_set_cloudformation_could_not_make() {
    let (inputs, api) = changed();
    api.pages
        .borrow_mut()
        .push_back(page(include_str!("../../tests/deploy/fixtures/failed_change_set.json")));
    case(
        "E0608",
        "change set failed",
        &api,
        &options(Mode::Deploy { yes: true }),
        inputs,
        &mut RecordingUi::default(),
    );
}

#[test]
fn e0609_a_failed_update_rolled_back() {
    let (inputs, api) = changed();
    *api.execute_ends_in.borrow_mut() = Some("UPDATE_ROLLBACK_COMPLETE".into());
    *api.events_on_execute.borrow_mut() = vec![StackEvent {
        event_id: "e1".into(),
        logical_resource_id: "Logs".into(),
        resource_type: "AWS::Logs::LogGroup".into(),
        resource_status: "UPDATE_FAILED".into(),
        resource_status_reason: Some(
            "Resource handler returned message: \"Invalid retention value 8\"".into(),
        ),
        ..StackEvent::default()
    }];
    api.pages.borrow_mut().push_back(page(include_str!("../../tests/deploy/fixtures/pending_page.json")));
    case(
        "E0609",
        "update rolled back",
        &api,
        &options(Mode::Deploy { yes: true }),
        inputs,
        &mut RecordingUi::default(),
    );
}

#[test]
fn e0610_an_interrupt_at_the_second_prompt() {
    let (mut inputs, api) = changed();
    inputs[1].template = template("app-v2");
    *api.execute_ends_in.borrow_mut() = Some("UPDATE_COMPLETE".into());
    let mut ui = RecordingUi { answers: [Answer::Yes, Answer::Interrupted].into(), ..RecordingUi::default() };
    case("E0610", "interrupted", &api, &options(Mode::Deploy { yes: false }), inputs, &mut ui);
}

#[test]
fn e0611_a_plan_whose_stack_changed_since() {
    let (inputs, api) = changed();
    let (_, environment) = spec(inputs.clone());
    let planned =
        go_env(&api, &mut RecordingUi::default(), &options(Mode::Plan { keep: true }), &environment);
    let file = super::planfile::from_plan(
        &environment,
        Some("123456789012".into()),
        &[],
        &planned.layers,
        &planned.stacks,
    );
    let mut opts = options(Mode::Deploy { yes: true });
    opts.reviewed = Some(file);
    if let Some((info, _)) = api.stacks.borrow_mut().get_mut("shop-dev-core") {
        info.status = "UPDATE_COMPLETE".into();
        info.changed_at = Some("2030-01-01T00:00:00Z".into());
    }
    case("E0611", "stale plan", &api, &opts, inputs, &mut RecordingUi::default());
}

#[test]
fn e0612_a_template_too_large_without_a_bucket() {
    let mut inputs = three();
    inputs[1].body = "x".repeat(51_201);
    let api = FakeCloudFormation::default();
    case(
        "E0612",
        "template needs bucket",
        &api,
        &options(Mode::Plan { keep: false }),
        inputs,
        &mut RecordingUi::default(),
    );
}

#[test]
fn e0613_a_layer_whose_dependency_is_not_deployed() {
    let mut opts = options(Mode::Deploy { yes: true });
    opts.layers = vec!["app".into()];
    let api = FakeCloudFormation::default();
    case("E0613", "dependency not deployed", &api, &opts, three(), &mut RecordingUi::default());
}

#[test]
fn e0614_a_tag_with_mdls_prefix() {
    let (sources, mut environment) = spec(three());
    let start = SPEC.find("\"mdl:team\" = \"shop\"").expect("tag");
    environment.user_tags = vec![Tag {
        key: "mdl:team".into(),
        value: "shop".into(),
        span: Span::new(FileId(0), start, start + 19),
    }];
    let result = go_env(
        &FakeCloudFormation::default(),
        &mut RecordingUi::default(),
        &options(Mode::Plan { keep: false }),
        &environment,
    );
    snapshot("E0614", "reserved tag", &rendered(&result, &sources, "E0614"));
}

#[test]
fn w0601_a_log_group_that_keeps_no_data() {
    let mut inputs = three();
    inputs[0].template = json!({"Resources": {"Logs": {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": "/shop/dev/logs"}}}});
    let api = FakeCloudFormation::default();
    case(
        "W0601",
        "unretained",
        &api,
        &options(Mode::Plan { keep: false }),
        inputs[..1].to_vec(),
        &mut RecordingUi::default(),
    );
}

#[test]
fn w0602_a_deferred_layer_that_differs_from_the_review() {
    let (inputs, api) = changed();
    let (_, environment) = spec(inputs.clone());
    let planned =
        go_env(&api, &mut RecordingUi::default(), &options(Mode::Plan { keep: true }), &environment);
    let mut file = super::planfile::from_plan(
        &environment,
        Some("123456789012".into()),
        &[],
        &planned.layers,
        &planned.stacks,
    );
    file.layers[0].deferred = true;
    file.layers[0].changes = vec!["Modify Topic".into()];
    let mut opts = options(Mode::Deploy { yes: true });
    opts.reviewed = Some(file);
    let removal = json!({"Status": "CREATE_COMPLETE", "Changes": [{"ResourceChange": {"Action": "Add", "LogicalResourceId": "Queue", "ResourceType": "AWS::SQS::Queue"}}]});
    api.pages.borrow_mut().push_back(serde_json::from_value(removal).expect("page"));
    case("W0602", "deferred differs", &api, &opts, inputs, &mut RecordingUi::default());
}

#[test]
fn e0673_a_stack_instance_without_its_execution_role() {
    let mut inputs = three();
    inputs[1].fan_out = Some(crate::deploy::input::FanOut {
        regions: vec!["us-east-1".into(), "eu-west-1".into()],
        max_concurrent: 1,
        execution_role: "AWSCloudFormationStackSetExecutionRole".into(),
        ..Default::default()
    });
    let api = deployed(&inputs);
    api.failing_regions.borrow_mut().insert(
        "eu-west-1".into(),
        "Account 123456789012 should have 'AWSCloudFormationStackSetExecutionRole' role with trust relationship to Role 'AWSCloudFormationStackSetAdministrationRole'.".into(),
    );
    case(
        "E0673",
        "stack set operation failed",
        &api,
        &options(Mode::Deploy { yes: true }),
        inputs,
        &mut RecordingUi::default(),
    );
}

#[test]
fn e0674_a_stack_set_busy_with_another_operation() {
    let mut inputs = three();
    inputs[1].fan_out = Some(crate::deploy::input::FanOut {
        regions: vec!["us-east-1".into()],
        max_concurrent: 1,
        execution_role: "AWSCloudFormationStackSetExecutionRole".into(),
        ..Default::default()
    });
    let api = deployed(&inputs);
    api.failures.borrow_mut().insert(
        "CreateStackInstances shop-dev-app us-east-1".into(),
        ApiError::service(
            "OperationInProgressException",
            "Another Operation on StackSet arn:aws:cloudformation:us-east-1:123456789012:stackset/shop-dev-app:1b2c is in progress",
        ),
    );
    case(
        "E0674",
        "stack set busy",
        &api,
        &options(Mode::Deploy { yes: true }),
        inputs,
        &mut RecordingUi::default(),
    );
}
