//! The run logic over a scripted CloudFormation (fake.rs) and recorded AWS
//! response shapes: which calls each situation makes, and what it reports.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{json, Value as Json};

use super::run;
use crate::deploy::api::{ChangeSetPage, StackEvent};
use crate::deploy::errors::Target;
use crate::deploy::fake::{FakeCloudFormation, NoStore, RecordingUi};
use crate::deploy::input::LayerInput;
use crate::deploy::report::LayerStatus;
use crate::deploy::{Engine, Mode, Options, Poll, RunResult};

fn template(topic: &str) -> Json {
    json!({"Resources": {"Topic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": topic}}}})
}

fn input(layer: &str, depends_on: &[&str], template: Json) -> LayerInput {
    LayerInput {
        layer: layer.into(),
        stack_name: format!("shop-dev-{layer}"),
        body: serde_json::to_string_pretty(&template).unwrap_or_default(),
        template,
        parameters: BTreeMap::new(),
        depends_on: depends_on.iter().map(|d| d.to_string()).collect(),
        sources: BTreeMap::new(),
        published: Default::default(),
        tags: vec![("project".into(), "shop".into())],
    }
}

fn three() -> Vec<LayerInput> {
    vec![
        input("core", &[], template("core")),
        input("app", &["core"], template("app")),
        input("ops", &["app"], template("ops")),
    ]
}

fn options(mode: Mode) -> Options {
    Options {
        mode,
        layers: vec![],
        allow_replace: vec![],
        template_bucket: None,
        termination_protection: false,
        target: Target { region: "us-east-1".into(), endpoint: None, profile: None },
        poll: Poll { first: Duration::from_millis(1), max: Duration::from_millis(2) },
    }
}

fn go(api: &FakeCloudFormation, ui: &mut RecordingUi, options: &Options, inputs: &[LayerInput]) -> RunResult {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let mut engine = Engine::new(api, Some(&NoStore), ui, options);
    runtime.block_on(run(&mut engine, inputs))
}

fn deployed(inputs: &[LayerInput]) -> FakeCloudFormation {
    inputs.iter().fold(FakeCloudFormation::default(), |api, i| {
        let reordered = serde_json::to_string(&i.template).unwrap_or_default();
        api.with_stack(&i.stack_name, "UPDATE_COMPLETE", &reordered, BTreeMap::new())
    })
}

fn statuses(result: &RunResult) -> Vec<LayerStatus> {
    result.layers.iter().map(|l| l.status).collect()
}

fn page(text: &str) -> ChangeSetPage {
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
    assert_eq!(ui.asked, 1);
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
}

#[test]
fn a_template_over_the_inline_limit_without_a_bucket_fails_before_any_call() {
    let mut inputs = three();
    inputs[1].body = "x".repeat(51_201);
    let api = FakeCloudFormation::default();
    let mut ui = RecordingUi::default();
    let result = go(&api, &mut ui, &options(Mode::Plan { keep: false }), &inputs);
    assert!(result.error.as_deref().is_some_and(|e| e.contains("--template-bucket")), "{:?}", result.error);
    assert!(api.calls().is_empty());
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
    let body = api.stacks.borrow().get("shop-dev-core").map(|s| s.1.clone()).unwrap_or_default();
    assert!(body.starts_with("https://bucket.s3.amazonaws.com/mdl/shop-dev-core/"), "{body}");
}

#[test]
fn layer_needs_its_dependencies_deployed() {
    let api = FakeCloudFormation::default();
    let mut opts = options(Mode::Deploy { yes: true });
    opts.layers = vec!["app".into()];
    let mut ui = RecordingUi::default();
    let result = go(&api, &mut ui, &opts, &three());
    assert!(
        result.error.as_deref().is_some_and(|e| e.contains("layer `core` is needed")),
        "{:?}",
        result.error
    );
    opts.layers = vec!["nope".into()];
    let result = go(&api, &mut ui, &opts, &three());
    assert!(result.error.as_deref().is_some_and(|e| e.contains("no layer `nope`")));
}

#[test]
fn production_stacks_get_termination_protection_after_creation() {
    let api = FakeCloudFormation::default();
    let mut opts = options(Mode::Deploy { yes: true });
    opts.termination_protection = true;
    let mut ui = RecordingUi::default();
    let result = go(&api, &mut ui, &opts, &three()[..1]);
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
    assert!(!api.calls().contains(&"GetTemplate shop-dev-app".to_string()));
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
    assert_eq!(ui.asked, 2, "once to delete, once to execute");
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
fn an_unchanged_production_stack_without_protection_gets_it() {
    let inputs = three();
    let api = deployed(&inputs);
    let mut opts = options(Mode::Deploy { yes: true });
    opts.termination_protection = true;
    let mut ui = RecordingUi::default();
    let result = go(&api, &mut ui, &opts, &inputs[..1]);
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
