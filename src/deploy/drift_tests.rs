//! `mdl drift` over the fake API, with DescribeStackDriftDetectionStatus and
//! DescribeStackResourceDrifts answers written from the API reference
//! (tests/deploy/fixtures/drift_*.json): the local emulator has no drift
//! detection. The SSM half also runs for real against the emulator.

use std::collections::BTreeMap;

use serde_json::json;

use super::*;
use crate::deploy::api::{ResourceDrift, StackOutput};
use crate::deploy::diagnostics_tests::{rendered_list, snapshot, spec};
use crate::deploy::errors::ApiError;
use crate::deploy::fake::{FakeCloudFormation, NoStore, RecordingUi};
use crate::deploy::run::tests::{input, options};
use crate::deploy::{Engine, Mode};
use crate::diag::Code;

fn recorded_drifts() -> Vec<ResourceDrift> {
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct Page {
        stack_resource_drifts: Vec<ResourceDrift>,
    }
    let page: Page =
        serde_json::from_str(include_str!("../../tests/deploy/fixtures/drift_resource_drifts.json"))
            .expect("fixture parses");
    page.stack_resource_drifts
}

fn recorded_detection() -> Vec<DriftDetection> {
    serde_json::from_str(include_str!("../../tests/deploy/fixtures/drift_detection_status.json"))
        .expect("fixture parses")
}

/// Core, deployed: a log group, a topic, and a published label.
fn core() -> LayerInput {
    let template = json!({"Resources": {
        "Logs": {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": "/shop/dev/logs", "RetentionInDays": 7}},
        "Topic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "shop-dev"}},
        "PublishedLabel": {"Type": "AWS::SSM::Parameter", "Properties": {"Name": "/shop/infra/label", "Type": "String", "Value": "shop-blue"}}
    }});
    let mut core = input("core", &[], template);
    core.publishes = BTreeMap::from([("PublishedLabel".to_string(), "/shop/infra/label".to_string())]);
    let line = |line| SourceLine { file: "dev.mdl".into(), line };
    core.sources = BTreeMap::from([("Logs".to_string(), line(8)), ("PublishedLabel".to_string(), line(9))]);
    core.property_sources =
        BTreeMap::from([("Logs".to_string(), BTreeMap::from([("RetentionInDays".to_string(), line(8))]))]);
    core
}

fn account(core: &LayerInput, label: &str) -> FakeCloudFormation {
    let api =
        FakeCloudFormation::default().with_stack(&core.stack_name, "UPDATE_COMPLETE", "{}", BTreeMap::new());
    api.stacks.borrow_mut().get_mut(&core.stack_name).expect("core").0.outputs = vec![StackOutput {
        output_key: "PublishedLabel".into(),
        output_value: "shop-blue".into(),
        description: None,
    }];
    api.parameters.borrow_mut().insert("/shop/infra/label".into(), label.into());
    api
}

fn go(api: &FakeCloudFormation, environment: &EnvironmentInput) -> DriftResult {
    let opts = options(Mode::Plan { keep: false });
    let mut ui = RecordingUi::default();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let mut engine = Engine::new(api, Some(&NoStore), &mut ui, &opts);
    runtime.block_on(drift(&mut engine, environment))
}

#[test]
fn each_drifted_property_has_expected_actual_and_its_spec_line_and_a_changed_published_value_is_drift() {
    let (sources, environment) = spec(vec![core()]);
    let api = account(&environment.layers[0], "shop-red");
    *api.detections.borrow_mut() = recorded_detection().into();
    api.drifts.borrow_mut().insert("shop-dev-core".into(), recorded_drifts());
    let result = go(&api, &environment);
    assert!(result.drifted());
    assert!(!result.incomplete());
    let layer = &result.layers[0];
    assert_eq!(layer.status, "drifted");
    assert_eq!(layer.detection.as_deref(), Some("DETECTION_COMPLETE"));
    assert_eq!(
        to_text(&result.layers),
        "core (shop-dev-core): drifted\n  \
         Logs (AWS::Logs::LogGroup /shop/dev/logs): MODIFIED  dev.mdl:8\n    \
         RetentionInDays: expected 7, actual 14  dev.mdl:8\n  \
         Topic (AWS::SNS::Topic arn:aws:sns:us-east-1:123456789012:shop-dev): DELETED\n  \
         /shop/infra/label (published): expected \"shop-blue\", actual \"shop-red\"  dev.mdl:9"
    );
    let calls = api.calls();
    assert_eq!(
        calls.iter().filter(|c| c.starts_with("DescribeStackDriftDetectionStatus")).count(),
        2,
        "polled until complete: {calls:?}"
    );
    assert_eq!(result.diagnostics.iter().filter(|d| d.code == Code::Drifted).count(), 3);
    snapshot(
        "W0651",
        "drifted resource and published value",
        &rendered_list(&result.diagnostics, &sources, "W0651"),
    );
}

#[test]
fn without_drift_detection_the_published_values_are_still_compared() {
    let (_, environment) = spec(vec![core()]);
    let api = account(&environment.layers[0], "shop-blue");
    api.failures.borrow_mut().insert(
        "DetectStackDrift shop-dev-core".into(),
        ApiError::service("InvalidAction", "DetectStackDrift is not implemented"),
    );
    let result = go(&api, &environment);
    let layer = &result.layers[0];
    assert_eq!(layer.status, "in_sync", "the published value matches");
    assert_eq!(layer.detection.as_deref(), Some("unavailable"));
    assert!(layer.detection_reason.as_deref().is_some_and(|r| r.contains("AWS said: InvalidAction")));
    assert!(result.incomplete() && !result.drifted());
    let gone = account(&environment.layers[0], "x");
    gone.parameters.borrow_mut().clear();
    let result = go(&gone, &environment);
    assert_eq!(result.layers[0].published[0].actual, None, "a deleted parameter is drift");
    assert!(result.drifted());
}

#[test]
fn a_fanned_out_layer_is_said_unchecked_with_the_command_that_checks_it() {
    let mut fanned = core();
    fanned.fan_out = Some(crate::deploy::input::FanOut::default());
    let (_, environment) = spec(vec![fanned]);
    let api =
        FakeCloudFormation::default().with_stack_set("shop-dev-core", "{}", "123456789012", &["eu-west-1"]);
    let result = go(&api, &environment);
    assert_eq!(result.layers[0].status, "unknown");
    let reason = result.layers[0].detection_reason.clone().unwrap_or_default();
    assert!(reason.contains("detect-stack-set-drift --stack-set-name shop-dev-core"), "{reason}");
    assert!(result.incomplete(), "the check is incomplete: its exit code says so");
    assert!(!api.calls().iter().any(|c| c.starts_with("DetectStackDrift")), "{:?}", api.calls());
}

#[test]
fn a_layer_not_deployed_is_not_checked() {
    let (_, environment) = spec(vec![core()]);
    let result = go(&FakeCloudFormation::default(), &environment);
    assert_eq!(result.layers[0].status, "not_deployed");
    assert!(!result.drifted());
}

#[test]
fn property_paths_read_as_plans_show_them() {
    assert_eq!(dotted("/RetentionInDays"), "RetentionInDays");
    assert_eq!(dotted("/Tags/0/Value"), "Tags[0].Value");
    assert_eq!(dotted("/Policy/Statement/1/Action/0"), "Policy.Statement[1].Action[0]");
}
