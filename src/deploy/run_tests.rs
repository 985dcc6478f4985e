//! The run logic over a scripted CloudFormation (fake.rs) and recorded AWS
//! response shapes: which calls each situation makes, and what it reports.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{json, Value as Json};

use super::run;
use crate::deploy::api::{Caller, ChangeSetPage, StackEvent};
use crate::deploy::errors::{ApiError, CredentialCause, Failure, Target};
use crate::deploy::fake::{FakeCloudFormation, NoStore, RecordingUi};
use crate::deploy::input::{EnvironmentInput, LayerInput};
use crate::deploy::interrupt::Interrupt;
use crate::deploy::report::LayerStatus;
use crate::deploy::{Answer, Engine, Mode, Options, Poll, RunResult};
use crate::diag::Code;
use crate::eval::Setting;

pub(crate) fn template(topic: &str) -> Json {
    json!({"Resources": {"Topic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": topic}}}})
}

pub(crate) fn input(layer: &str, depends_on: &[&str], template: Json) -> LayerInput {
    LayerInput {
        layer: layer.into(),
        stack_name: format!("shop-dev-{layer}"),
        body: serde_json::to_string_pretty(&template).unwrap_or_default(),
        template,
        parameters: BTreeMap::new(),
        depends_on: depends_on.iter().map(|d| d.to_string()).collect(),
        tags: vec![("mdl:project".into(), "shop".into())],
        ..LayerInput::default()
    }
}

pub(crate) fn three() -> Vec<LayerInput> {
    vec![
        input("core", &[], template("core")),
        input("app", &["core"], template("app")),
        input("ops", &["app"], template("ops")),
    ]
}

pub(crate) fn options(mode: Mode) -> Options {
    Options {
        mode,
        layers: vec![],
        allow_replace: vec![],
        template_bucket: None,
        service_role: None,
        no_rollback: false,
        target: Target { region: "us-east-1".into(), ..Target::default() },
        poll: Poll { first: Duration::from_millis(1), max: Duration::from_millis(2) },
        interrupt: Interrupt::manual(),
        reviewed: None,
        look_for_orphans: false,
        concurrency: 1,
    }
}

pub(crate) fn environment(inputs: &[LayerInput]) -> EnvironmentInput {
    EnvironmentInput {
        project: "shop".into(),
        environment: "dev".into(),
        region: "us-east-1".into(),
        layers: inputs.to_vec(),
        ..EnvironmentInput::default()
    }
}

pub(crate) fn go(
    api: &FakeCloudFormation,
    ui: &mut RecordingUi,
    options: &Options,
    inputs: &[LayerInput],
) -> RunResult {
    go_env(api, ui, options, &environment(inputs))
}

pub(crate) fn go_env(
    api: &FakeCloudFormation,
    ui: &mut RecordingUi,
    options: &Options,
    environment: &EnvironmentInput,
) -> RunResult {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let mut engine = Engine::new(api, Some(&NoStore), ui, options);
    runtime.block_on(run(&mut engine, environment))
}

pub(crate) fn codes(result: &RunResult) -> Vec<Code> {
    result.diagnostics.iter().map(|d| d.code).collect()
}

pub(crate) fn deployed(inputs: &[LayerInput]) -> FakeCloudFormation {
    inputs.iter().fold(FakeCloudFormation::default(), |api, i| {
        let reordered = serde_json::to_string(&i.template).unwrap_or_default();
        api.with_stack(&i.stack_name, "UPDATE_COMPLETE", &reordered, BTreeMap::new())
    })
}

pub(crate) fn statuses(result: &RunResult) -> Vec<LayerStatus> {
    result.layers.iter().map(|l| l.status).collect()
}

pub(crate) fn page(text: &str) -> ChangeSetPage {
    serde_json::from_str(text).expect("fixture")
}

#[test]
fn a_no_op_deploy_makes_two_reads_per_layer_and_no_change_set() {
    let inputs = three();
    let api = deployed(&inputs);
    let mut ui = RecordingUi::default();
    let result = go(&api, &mut ui, &options(Mode::Deploy { yes: true }), &inputs);
    assert_eq!(statuses(&result), [LayerStatus::Unchanged; 3]);
    let calls = api.calls();
    assert_eq!(calls.len(), 6, "{calls:?}");
    assert!(calls.iter().all(|c| c.starts_with("DescribeStacks") || c.starts_with("GetTemplate")));
    assert_eq!(api.all_calls()[0], "GetCallerIdentity ", "STS first, once");
    assert!(result.succeeded());
}

#[test]
fn a_first_plan_makes_one_change_set_and_shows_the_rest_from_templates() {
    let api = FakeCloudFormation::default();
    let mut ui = RecordingUi::default();
    let result = go(&api, &mut ui, &options(Mode::Plan { keep: false }), &three());
    assert_eq!(
        statuses(&result),
        [LayerStatus::Create, LayerStatus::FromTemplate, LayerStatus::FromTemplate]
    );
    assert_eq!(
        api.calls(),
        [
            "DescribeStacks shop-dev-core",
            "CreateChangeSet shop-dev-core",
            "DescribeChangeSet shop-dev-core",
            "DeleteStack shop-dev-core",
            "DescribeStacks shop-dev-app",
            "DescribeStacks shop-dev-ops",
        ],
        "plan deletes the empty stack its CREATE change set made"
    );
    assert!(result.layers[2]
        .reason
        .as_deref()
        .is_some_and(|r| r.contains("depends on app, not deployed yet")));
    assert_eq!(result.layers[1].changes[0].action, "Add");
}

#[test]
fn a_stateful_replacement_is_refused_and_later_layers_are_not_run() {
    let mut inputs = three();
    let api = deployed(&inputs);
    inputs[0].template = template("core-v2");
    inputs[0].published.insert("PublishedVpcId".into());
    api.pages
        .borrow_mut()
        .push_back(page(include_str!("../../tests/deploy/fixtures/update_replacements.json")));
    let mut ui = RecordingUi::default();
    let result = go(&api, &mut ui, &options(Mode::Deploy { yes: true }), &inputs);
    assert_eq!(statuses(&result), [LayerStatus::Refused, LayerStatus::NotRun, LayerStatus::NotRun]);
    let refused: Vec<&str> = result.layers[0].refused.iter().map(|r| r.logical_id.as_str()).collect();
    assert_eq!(refused, ["CoreDbInstance", "ImagesRepository", "PublishedVpcId"]);
    let calls = api.calls();
    assert!(calls.contains(&"DeleteChangeSet shop-dev-core".to_string()), "{calls:?}");
    assert!(!calls.iter().any(|c| c.starts_with("ExecuteChangeSet")), "{calls:?}");
    assert_eq!(codes(&result), [Code::StatefulChange; 3]);
    assert!(!result.succeeded());
}

#[test]
fn allow_replace_for_every_refusal_lets_the_change_set_run() {
    let mut inputs = three();
    let api = deployed(&inputs);
    inputs[0].template = template("core-v2");
    api.pages
        .borrow_mut()
        .push_back(page(include_str!("../../tests/deploy/fixtures/update_replacements.json")));
    *api.execute_ends_in.borrow_mut() = Some("UPDATE_COMPLETE".into());
    let mut opts = options(Mode::Deploy { yes: true });
    opts.allow_replace = vec!["CoreDbInstance".into(), "ImagesRepository".into()];
    let mut ui = RecordingUi::default();
    let result = go(&api, &mut ui, &opts, &inputs);
    assert_eq!(result.layers[0].status, LayerStatus::Updated);
    assert_eq!(result.layers[0].changes.len(), 6);
    assert_eq!(result.layers[0].changes[0].replacement.as_deref(), Some("True"));
}

#[test]
fn an_empty_change_set_is_no_changes_and_deleted() {
    let mut inputs = three();
    let api = deployed(&inputs);
    inputs[0].template = template("core-v2");
    api.pages.borrow_mut().push_back(page(include_str!("../../tests/deploy/fixtures/empty_change_set.json")));
    let mut ui = RecordingUi::default();
    let result = go(&api, &mut ui, &options(Mode::Deploy { yes: true }), &inputs);
    assert_eq!(result.layers[0].status, LayerStatus::NoChanges);
    assert!(api.calls().contains(&"DeleteChangeSet shop-dev-core".to_string()));
    assert!(result.succeeded());
}

#[test]
fn a_failed_update_reports_the_failing_resource_and_stops() {
    let mut inputs = three();
    let api = deployed(&inputs);
    inputs[0].template = template("core-v2");
    *api.execute_ends_in.borrow_mut() = Some("UPDATE_ROLLBACK_COMPLETE".into());
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct Events {
        stack_events: Vec<StackEvent>,
    }
    let events: Events =
        serde_json::from_str(include_str!("../../tests/deploy/fixtures/events_update_failed.json"))
            .expect("events");
    *api.events.borrow_mut() = events.stack_events;
    api.pages.borrow_mut().push_back(page(include_str!("../../tests/deploy/fixtures/pending_page.json")));
    let mut ui = RecordingUi::default();
    let result = go(&api, &mut ui, &options(Mode::Deploy { yes: true }), &inputs);
    assert_eq!(statuses(&result), [LayerStatus::Failed, LayerStatus::NotRun, LayerStatus::NotRun]);
    let reason = result.layers[0].reason.clone().unwrap_or_default();
    assert!(reason.contains("ended in UPDATE_ROLLBACK_COMPLETE"), "{reason}");
}

#[test]
fn a_declined_prompt_executes_nothing() {
    let mut inputs = three();
    let api = deployed(&inputs);
    inputs[0].template = template("core-v2");
    let mut ui = RecordingUi { answer: false, ..RecordingUi::default() };
    let result = go(&api, &mut ui, &options(Mode::Deploy { yes: false }), &inputs);
    assert_eq!(ui.asked.len(), 1);
    assert!(ui.asked[0].contains("(account 123456789012, us-east-1)"), "{:?}", ui.asked);
    assert_eq!(result.layers[0].status, LayerStatus::Declined);
    assert!(!api.calls().iter().any(|c| c.starts_with("ExecuteChangeSet")));
}

#[test]
fn a_stack_in_update_rollback_failed_is_explained_without_a_change_set() {
    let inputs = three();
    let api = FakeCloudFormation::default().with_stack(
        "shop-dev-core",
        "UPDATE_ROLLBACK_FAILED",
        "{}",
        BTreeMap::new(),
    );
    let mut ui = RecordingUi::default();
    let result = go(&api, &mut ui, &options(Mode::Deploy { yes: true }), &inputs);
    assert_eq!(result.layers[0].status, LayerStatus::Blocked);
    assert!(result.layers[0].reason.as_deref().is_some_and(|r| r.contains("continue-update-rollback")));
    assert_eq!(api.calls(), ["DescribeStacks shop-dev-core"]);
    assert_eq!(codes(&result), [Code::StackBlocked]);
}

#[test]
fn a_template_over_the_inline_limit_without_a_bucket_fails_before_any_call() {
    let mut inputs = three();
    inputs[1].body = "x".repeat(51_201);
    let api = FakeCloudFormation::default();
    let mut ui = RecordingUi::default();
    let result = go(&api, &mut ui, &options(Mode::Plan { keep: false }), &inputs);
    assert_eq!(codes(&result), [Code::TemplateNeedsBucket]);
    assert!(result.diagnostics[0].help.as_deref().is_some_and(|h| h.contains("--template-bucket")));
    assert!(api.all_calls().is_empty(), "not even STS");
}

#[test]
fn a_large_template_goes_through_the_bucket() {
    let mut inputs = three();
    inputs[0].body = "x".repeat(51_201);
    let api = FakeCloudFormation::default();
    let mut opts = options(Mode::Plan { keep: true });
    opts.template_bucket = Some("shop-templates".into());
    let mut ui = RecordingUi::default();
    let result = go(&api, &mut ui, &opts, &inputs);
    assert_eq!(result.layers[0].status, LayerStatus::Create);
    assert!(result.layers[0].change_set_kept);
    let body = api.pending.borrow().get("shop-dev-core").map(|s| s.0.clone()).unwrap_or_default();
    assert!(body.starts_with("https://bucket.s3.amazonaws.com/mdl/shop-dev-core/"), "{body}");
}

#[test]
fn layer_needs_its_dependencies_deployed() {
    let api = FakeCloudFormation::default();
    let mut opts = options(Mode::Deploy { yes: true });
    opts.layers = vec!["app".into()];
    let mut ui = RecordingUi::default();
    let result = go(&api, &mut ui, &opts, &three());
    assert_eq!(codes(&result), [Code::DependencyNotDeployed]);
    assert!(result.diagnostics[0].message.contains("layer `core` is needed"));
    opts.layers = vec!["nope".into()];
    let result = go(&api, &mut ui, &opts, &three());
    assert!(result.usage.as_deref().is_some_and(|e| e.contains("no layer `nope`")));
}

#[test]
fn protected_stacks_get_termination_protection_after_creation() {
    let api = FakeCloudFormation::default();
    let opts = options(Mode::Deploy { yes: true });
    let mut ui = RecordingUi::default();
    let protected = EnvironmentInput { protect: true, ..environment(&three()[..1]) };
    let result = go_env(&api, &mut ui, &opts, &protected);
    assert_eq!(result.layers[0].status, LayerStatus::Created);
    assert!(api.calls().contains(&"UpdateTerminationProtection shop-dev-core".to_string()));
}

#[test]
fn a_changed_dependency_forces_a_change_set_even_for_an_equal_template() {
    let mut inputs = three();
    let api = deployed(&inputs);
    inputs[0].template = template("core-v2");
    *api.execute_ends_in.borrow_mut() = Some("UPDATE_COMPLETE".into());
    api.pages.borrow_mut().push_back(page(include_str!("../../tests/deploy/fixtures/pending_page.json")));
    let mut ui = RecordingUi::default();
    let result = go(&api, &mut ui, &options(Mode::Deploy { yes: true }), &inputs);
    assert_eq!(result.layers[0].status, LayerStatus::Updated);
    assert!(
        api.calls().contains(&"CreateChangeSet shop-dev-app".to_string()),
        "app reads what core published"
    );
}

#[test]
fn a_rolled_back_first_deploy_is_deleted_and_recreated_when_the_user_agrees() {
    let api =
        FakeCloudFormation::default().with_stack("shop-dev-core", "ROLLBACK_COMPLETE", "{}", BTreeMap::new());
    let mut ui = RecordingUi { answer: true, ..RecordingUi::default() };
    let result = go(&api, &mut ui, &options(Mode::Deploy { yes: false }), &three()[..1]);
    assert_eq!(result.layers[0].status, LayerStatus::Created);
    let calls = api.calls();
    assert_eq!(
        &calls[..3],
        ["DescribeStacks shop-dev-core", "DeleteStack shop-dev-core", "DescribeStacks shop-dev-core"]
    );
    assert!(calls.contains(&"CreateChangeSet shop-dev-core".to_string()));
    assert_eq!(ui.asked.len(), 2, "once to delete, once to execute");
}

#[test]
fn with_yes_a_rolled_back_stack_is_only_explained() {
    let api =
        FakeCloudFormation::default().with_stack("shop-dev-core", "ROLLBACK_COMPLETE", "{}", BTreeMap::new());
    let mut ui = RecordingUi::default();
    let result = go(&api, &mut ui, &options(Mode::Deploy { yes: true }), &three()[..1]);
    assert_eq!(result.layers[0].status, LayerStatus::Blocked);
    assert_eq!(api.calls(), ["DescribeStacks shop-dev-core"]);
}

#[test]
fn an_unchanged_protected_stack_without_protection_gets_it() {
    let inputs = three();
    let api = deployed(&inputs);
    let opts = options(Mode::Deploy { yes: true });
    let mut ui = RecordingUi::default();
    let protected = EnvironmentInput { protect: true, ..environment(&inputs[..1]) };
    let result = go_env(&api, &mut ui, &opts, &protected);
    assert_eq!(result.layers[0].status, LayerStatus::Unchanged);
    assert_eq!(
        api.calls(),
        [
            "DescribeStacks shop-dev-core",
            "GetTemplate shop-dev-core",
            "UpdateTerminationProtection shop-dev-core"
        ]
    );
}

#[test]
fn with_yes_a_busy_stack_is_waited_for_then_deployed() {
    let inputs = three();
    let api = deployed(&inputs);
    api.statuses
        .borrow_mut()
        .extend(["UPDATE_IN_PROGRESS".to_string(), "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS".to_string()]);
    let mut ui = RecordingUi::default();
    let result = go(&api, &mut ui, &options(Mode::Deploy { yes: true }), &inputs[..1]);
    assert_eq!(result.layers[0].status, LayerStatus::Unchanged);
    assert_eq!(api.calls().iter().filter(|c| c.starts_with("DescribeStacks")).count(), 3);
    assert!(ui.lines.iter().any(|l| l.contains("is busy (UPDATE_IN_PROGRESS)")));
}

#[test]
fn plan_only_explains_a_busy_stack() {
    let inputs = three();
    let api = deployed(&inputs);
    api.statuses.borrow_mut().push_back("UPDATE_ROLLBACK_IN_PROGRESS".to_string());
    let mut ui = RecordingUi::default();
    let result = go(&api, &mut ui, &options(Mode::Plan { keep: false }), &inputs[..1]);
    assert_eq!(result.layers[0].status, LayerStatus::Blocked);
    assert!(result.layers[0].reason.as_deref().is_some_and(|r| r.contains("describe-stack-events")));
}

#[test]
fn a_stack_that_never_ran_gets_a_create_change_set() {
    let api =
        FakeCloudFormation::default().with_stack("shop-dev-core", "REVIEW_IN_PROGRESS", "", BTreeMap::new());
    let mut ui = RecordingUi::default();
    let result = go(&api, &mut ui, &options(Mode::Deploy { yes: true }), &three()[..1]);
    assert_eq!(result.layers[0].status, LayerStatus::Created);
    assert!(ui
        .lines
        .iter()
        .any(|l| l.contains("REVIEW_IN_PROGRESS (created by a change set that never ran)")));
    assert!(!api.calls().contains(&"GetTemplate shop-dev-core".to_string()), "no template to compare");
}

#[test]
fn credentials_of_another_account_are_refused_before_any_write() {
    let inputs = three();
    let api = deployed(&inputs);
    *api.identity.borrow_mut() =
        Some(Ok(Caller { account: "111122223333".into(), arn: "arn:aws:iam::111122223333:user/dev".into() }));
    let pinned = EnvironmentInput {
        account: Some(Setting { value: "123456789012".into(), span: Default::default() }),
        ..environment(&inputs)
    };
    let mut ui = RecordingUi::default();
    let result = go_env(&api, &mut ui, &options(Mode::Deploy { yes: true }), &pinned);
    assert_eq!(codes(&result), [Code::AccountMismatch]);
    assert_eq!(
        result.diagnostics[0].message,
        "the credentials belong to account 111122223333, not 123456789012"
    );
    assert_eq!(api.all_calls(), ["GetCallerIdentity "], "nothing else was called");
    assert!(result.layers.is_empty());
}

#[test]
fn a_credentials_failure_is_one_diagnostic_with_its_own_advice() {
    let api = FakeCloudFormation::default();
    let cause = CredentialCause::SsoSession { profile: "shop".into() };
    *api.identity.borrow_mut() = Some(Err(ApiError::other(Failure::Credentials(cause), "token expired")));
    let mut ui = RecordingUi::default();
    let result = go(&api, &mut ui, &options(Mode::Plan { keep: false }), &three());
    assert_eq!(codes(&result), [Code::DeployCredentials]);
    assert!(result.diagnostics[0]
        .help
        .as_deref()
        .is_some_and(|h| h.contains("aws sso login --profile shop")));
    assert!(api.calls().is_empty());
}

#[test]
fn an_interrupt_while_a_change_set_is_made_executes_nothing_and_cleans_up() {
    let mut inputs = three();
    let api = deployed(&inputs);
    inputs[0].template = template("core-v2");
    let opts = options(Mode::Deploy { yes: true });
    *api.interrupt_at.borrow_mut() = Some(("CreateChangeSet shop-dev-core".into(), opts.interrupt.clone()));
    let mut ui = RecordingUi::default();
    let result = go(&api, &mut ui, &opts, &inputs);
    assert_eq!(statuses(&result), [LayerStatus::Interrupted, LayerStatus::NotRun, LayerStatus::NotRun]);
    let calls = api.calls();
    assert!(!calls.iter().any(|c| c.starts_with("ExecuteChangeSet")), "{calls:?}");
    assert_eq!(
        calls.last().map(String::as_str),
        Some("DeleteChangeSet shop-dev-core"),
        "its own change set is deleted"
    );
    assert_eq!(codes(&result), [Code::DeployInterrupted]);
    let notes = result.diagnostics[0].notes.join("\n");
    assert!(notes.contains("applied: nothing"), "{notes}");
    assert!(notes.contains("no change set was left executing"), "{notes}");
}

#[test]
fn an_interrupt_at_the_second_prompt_keeps_the_first_layer_and_says_so() {
    let mut inputs = three();
    let api = deployed(&inputs);
    inputs[0].template = template("core-v2");
    inputs[1].template = template("app-v2");
    *api.execute_ends_in.borrow_mut() = Some("UPDATE_COMPLETE".into());
    let mut ui = RecordingUi { answers: [Answer::Yes, Answer::Interrupted].into(), ..RecordingUi::default() };
    let result = go(&api, &mut ui, &options(Mode::Deploy { yes: false }), &inputs);
    assert_eq!(statuses(&result), [LayerStatus::Updated, LayerStatus::Interrupted, LayerStatus::NotRun]);
    let executed: Vec<String> =
        api.calls().into_iter().filter(|c| c.starts_with("ExecuteChangeSet")).collect();
    assert_eq!(executed, ["ExecuteChangeSet shop-dev-core"]);
    let notes = result.diagnostics.iter().flat_map(|d| d.notes.clone()).collect::<Vec<_>>().join("\n");
    assert!(notes.contains("applied: core (updated)"), "{notes}");
    assert!(notes.contains("not applied: app (interrupted), ops (not run)"), "{notes}");
}

#[test]
fn an_interrupt_while_following_leaves_cloudformation_running_and_says_how_to_watch() {
    let mut inputs = three();
    let api = deployed(&inputs);
    inputs[0].template = template("core-v2");
    *api.execute_ends_in.borrow_mut() = Some("UPDATE_IN_PROGRESS".into());
    let opts = options(Mode::Deploy { yes: true });
    *api.interrupt_at.borrow_mut() = Some(("ExecuteChangeSet shop-dev-core".into(), opts.interrupt.clone()));
    let mut ui = RecordingUi::default();
    let result = go(&api, &mut ui, &opts, &inputs);
    assert_eq!(result.layers[0].status, LayerStatus::Interrupted);
    assert!(
        !api.calls().contains(&"DeleteChangeSet shop-dev-core".to_string()),
        "an executing change set is not touched"
    );
    let diagnostic = &result.diagnostics[0];
    assert!(
        diagnostic.notes.iter().any(|n| n.contains("still running in CloudFormation: core (interrupted)")),
        "{diagnostic:?}"
    );
    let help = diagnostic.help.clone().unwrap_or_default();
    assert!(
        help.contains(
            "aws cloudformation describe-stack-events --stack-name shop-dev-core --region us-east-1"
        ),
        "{help}"
    );
}

#[test]
fn answering_no_at_the_second_layer_says_the_first_was_applied() {
    let mut inputs = three();
    let api = deployed(&inputs);
    inputs[0].template = template("core-v2");
    inputs[1].template = template("app-v2");
    *api.execute_ends_in.borrow_mut() = Some("UPDATE_COMPLETE".into());
    let mut ui = RecordingUi { answers: [Answer::Yes, Answer::No].into(), ..RecordingUi::default() };
    let result = go(&api, &mut ui, &options(Mode::Deploy { yes: false }), &inputs);
    assert_eq!(statuses(&result), [LayerStatus::Updated, LayerStatus::Declined, LayerStatus::NotRun]);
    assert!(result.layers[0].applied);
    let reason = result.layers[1].reason.clone().unwrap_or_default();
    assert!(
        reason.contains("change set of shop-dev-app was deleted and nothing was executed on it"),
        "{reason}"
    );
    assert_eq!(
        crate::deploy::report::outcome(&result.layers),
        ["applied: core (updated)", "not applied: app (declined), ops (not run)"]
    );
}

#[test]
fn events_of_another_deploy_of_the_same_stack_are_not_shown() {
    let mut inputs = three();
    let api = deployed(&inputs);
    inputs[0].template = template("core-v2");
    *api.execute_ends_in.borrow_mut() = Some("UPDATE_COMPLETE".into());
    let event = |id: &str, token: &str| StackEvent {
        event_id: id.into(),
        logical_resource_id: format!("Res{id}"),
        resource_status: "UPDATE_IN_PROGRESS".into(),
        client_request_token: Some(token.into()),
        ..StackEvent::default()
    };
    let mut ui = RecordingUi::default();
    // The first read (before executing) sees none; later ones see both deploys' events.
    *api.events.borrow_mut() = vec![event("2", "someone-else"), event("1", "mdl-core-PLACEHOLDER")];
    let result = go(&api, &mut ui, &options(Mode::Deploy { yes: true }), &inputs[..1]);
    assert_eq!(result.layers[0].status, LayerStatus::Updated);
    let token = api.executions.borrow()[0].client_request_token.clone();
    assert!(token.starts_with("mdl-core-"), "{token}");
    assert!(!ui.lines.iter().any(|l| l.contains("Res2")), "another deploy's event: {:?}", ui.lines);
}

#[test]
fn no_rollback_and_the_service_role_reach_cloudformation() {
    let mut inputs = three();
    let api = deployed(&inputs);
    inputs[0].template = template("core-v2");
    *api.execute_ends_in.borrow_mut() = Some("UPDATE_COMPLETE".into());
    let mut opts = options(Mode::Deploy { yes: true });
    opts.no_rollback = true;
    opts.service_role = Some("arn:aws:iam::123456789012:role/cfn".into());
    let mut ui = RecordingUi::default();
    go(&api, &mut ui, &opts, &inputs[..1]);
    assert!(api.executions.borrow()[0].disable_rollback);
    assert_eq!(api.requests.borrow()[0].role_arn.as_deref(), Some("arn:aws:iam::123456789012:role/cfn"));
    assert_eq!(api.requests.borrow()[0].tags[0], ("mdl:project".to_string(), "shop".to_string()));
}

#[test]
fn a_plan_follows_a_published_value_into_the_layer_that_reads_it() {
    let mut inputs = three();
    inputs[0].publishes.insert("PublishedVpcId".into(), "/shop/vpc_id".into());
    inputs[1].parameters.insert("CoreVpcId".into(), "/shop/vpc_id".into());
    inputs[1].template = json!({"Resources": {"Sg": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"VpcId": {"Ref": "CoreVpcId"}}}}});
    let api = deployed(&inputs);
    for input in &inputs {
        if let Some((info, _)) = api.stacks.borrow_mut().get_mut(&input.stack_name) {
            info.parameters = input.parameters.clone();
        }
    }
    inputs[0].template = json!({"Resources": {"PublishedVpcId": {"Type": "AWS::SSM::Parameter", "Properties": {"Value": "vpc-2"}}}});
    let core_page = ChangeSetPage {
        status: "CREATE_COMPLETE".into(),
        changes: vec![crate::deploy::api::Change {
            resource_change: Some(crate::deploy::api::ResourceChange {
                action: "Modify".into(),
                logical_resource_id: "PublishedVpcId".into(),
                resource_type: "AWS::SSM::Parameter".into(),
                ..Default::default()
            }),
        }],
        ..ChangeSetPage::default()
    };
    api.pages.borrow_mut().push_back(core_page);
    let mut ui = RecordingUi::default();
    let result = go(&api, &mut ui, &options(Mode::Plan { keep: false }), &inputs);
    assert_eq!(statuses(&result), [LayerStatus::Update, LayerStatus::WillChange, LayerStatus::Unchanged]);
    let app = &result.layers[1];
    assert_eq!(app.inputs_change[0].readers, ["Sg"]);
    assert!(app.deferred);
    assert_eq!(
        app.will_change_note().as_deref(),
        Some("will change once core is deployed: Sg read /shop/vpc_id")
    );
    assert!(
        !api.calls().contains(&"CreateChangeSet shop-dev-app".to_string()),
        "no change set could show it"
    );
    assert!(result.has_changes());
}

#[test]
fn deploy_plan_refuses_when_a_stack_changed_since_and_executes_nothing() {
    let mut inputs = three();
    let api = deployed(&inputs);
    inputs[0].template = template("core-v2");
    inputs[0].body = serde_json::to_string_pretty(&inputs[0].template).unwrap_or_default();
    let mut ui = RecordingUi::default();
    let planned = go(&api, &mut ui, &options(Mode::Plan { keep: true }), &inputs);
    assert!(planned.layers[0].change_set_kept);
    let file = crate::deploy::planfile::from_plan(
        &environment(&inputs),
        Some("123456789012".into()),
        &[],
        &planned.layers,
        &planned.stacks,
    );
    assert!(file.layers[0].change_set.is_some());
    let mut opts = options(Mode::Deploy { yes: true });
    opts.reviewed = Some(file.clone());
    // Someone deploys core in between.
    if let Some((info, _)) = api.stacks.borrow_mut().get_mut("shop-dev-core") {
        info.changed_at = Some("2030-01-01T00:00:00Z".into());
    }
    let result = go(&api, &mut ui, &opts, &inputs);
    assert_eq!(codes(&result), [Code::PlanOutdated]);
    assert!(result.diagnostics[0].message.contains("shop-dev-core changed since the plan was made"));
    assert!(!api.calls().iter().any(|c| c.starts_with("ExecuteChangeSet")));
    // As reviewed: the kept change set is executed, no new one is made.
    if let Some((info, _)) = api.stacks.borrow_mut().get_mut("shop-dev-core") {
        info.changed_at = None;
    }
    *api.execute_ends_in.borrow_mut() = Some("UPDATE_COMPLETE".into());
    api.log.borrow_mut().clear();
    let result = go(&api, &mut ui, &opts, &inputs);
    assert_eq!(statuses(&result), [LayerStatus::Updated, LayerStatus::Unchanged, LayerStatus::Unchanged]);
    assert!(!api.calls().iter().any(|c| c.starts_with("CreateChangeSet")), "{:?}", api.calls());
}

#[test]
fn invalid_settings_stop_before_any_call() {
    let tag = crate::eval::Tag { key: "mdl:layer".into(), value: "x".into(), span: Default::default() };
    let bad = EnvironmentInput {
        account: Some(Setting { value: "12345".into(), span: Default::default() }),
        user_tags: vec![tag],
        ..environment(&three())
    };
    let api = FakeCloudFormation::default();
    let mut ui = RecordingUi::default();
    let result = go_env(&api, &mut ui, &options(Mode::Plan { keep: false }), &bad);
    assert_eq!(codes(&result), [Code::InvalidDeploySetting; 2]);
    assert!(api.all_calls().is_empty());
}

#[test]
fn a_stack_tagged_for_another_environment_is_not_touched() {
    let inputs = three();
    let api =
        FakeCloudFormation::default().with_stack("shop-dev-core", "CREATE_COMPLETE", "{}", BTreeMap::new());
    let old_tags = [("project", "shop"), ("environment", "staging"), ("layer", "core")];
    if let Some((info, _)) = api.stacks.borrow_mut().get_mut("shop-dev-core") {
        info.tags = old_tags.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    }
    let mut with_tags = inputs.clone();
    with_tags[0].tags = [("mdl:project", "shop"), ("mdl:environment", "dev"), ("mdl:layer", "core")]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let mut ui = RecordingUi::default();
    let result = go(&api, &mut ui, &options(Mode::Deploy { yes: true }), &with_tags);
    assert_eq!(result.layers[0].status, LayerStatus::Blocked);
    assert_eq!(codes(&result), [Code::StackBlocked]);
    assert!(result.diagnostics[0]
        .message
        .contains("belongs to project shop, environment staging, layer core"));
    assert_eq!(
        api.calls(),
        ["DescribeStacks shop-dev-core"],
        "read by its old unprefixed tags, then left alone"
    );
}
