//! `mdl destroy` over the fake CloudFormation: the order of deletes, the
//! prompt, protection, layers still read, failures and their recovery, orphans
//! and interrupts.

use std::collections::BTreeMap;

use serde_json::json;

use super::*;
use crate::deploy::api::{StackEvent, StackResource};
use crate::deploy::diagnostics_tests::{rendered_list, snapshot, spec};
use crate::deploy::fake::{FakeCloudFormation, NoStore, RecordingUi};
use crate::deploy::interrupt::Interrupt;
use crate::deploy::run::tests::{input, options, three};
use crate::deploy::{Answer, Mode};
use crate::diag::Code;

fn core_template() -> Json {
    json!({"Resources": {
        "Logs": {"Type": "AWS::Logs::LogGroup", "DeletionPolicy": "Retain", "Properties": {"LogGroupName": "/shop/dev/logs"}},
        "Assets": {"Type": "AWS::S3::Bucket"},
        "Db": {"Type": "AWS::RDS::DBInstance", "DeletionPolicy": "Snapshot"},
        "Topic": {"Type": "AWS::SNS::Topic"},
        "PublishedTopicArn": {"Type": "AWS::SSM::Parameter", "Properties": {"Name": "/shop/core/topic_arn", "Type": "String", "Value": {"Ref": "Topic"}}}
    }})
}

fn layers() -> Vec<LayerInput> {
    let mut inputs = three();
    inputs[0] = input("core", &[], core_template());
    inputs
}

fn resource(id: &str, ty: &str, physical: &str) -> StackResource {
    StackResource {
        logical_resource_id: id.into(),
        physical_resource_id: Some(physical.into()),
        resource_type: ty.into(),
        resource_status: "CREATE_COMPLETE".into(),
    }
}

/// The three layers deployed; core's resources and its published value live.
fn deployed_account(inputs: &[LayerInput]) -> FakeCloudFormation {
    let api = inputs.iter().fold(FakeCloudFormation::default(), |api, i| {
        let body = serde_json::to_string(&i.template).unwrap_or_default();
        api.with_stack(&i.stack_name, "CREATE_COMPLETE", &body, BTreeMap::new())
    });
    for i in inputs {
        if let Some((info, _)) = api.stacks.borrow_mut().get_mut(&i.stack_name) {
            info.tags = vec![
                ("mdl:project".into(), "shop".into()),
                ("mdl:environment".into(), "dev".into()),
                ("mdl:layer".into(), i.layer.clone()),
            ];
        }
    }
    api.resources.borrow_mut().insert(
        "shop-dev-core".into(),
        vec![
            resource("Logs", "AWS::Logs::LogGroup", "/shop/dev/logs"),
            resource("Assets", "AWS::S3::Bucket", "shop-dev-assets-1a2b"),
            resource("Db", "AWS::RDS::DBInstance", "shop-dev-db"),
            resource("PublishedTopicArn", "AWS::SSM::Parameter", "/shop/core/topic_arn"),
        ],
    );
    api.parameters.borrow_mut().insert("/shop/core/topic_arn".into(), "arn:aws:sns:topic".into());
    api
}

fn go(
    api: &FakeCloudFormation,
    ui: &mut RecordingUi,
    environment: &EnvironmentInput,
    request: &DestroyRequest,
    interrupt: Option<Interrupt>,
) -> DestroyResult {
    let mut opts = options(Mode::Deploy { yes: request.yes });
    if let Some(flag) = interrupt {
        opts.interrupt = flag;
    }
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let mut engine = Engine::new(api, Some(&NoStore), ui, &opts);
    runtime.block_on(destroy(&mut engine, environment, request))
}

fn deletes(api: &FakeCloudFormation) -> Vec<String> {
    api.calls().into_iter().filter(|c| c.starts_with("DeleteStack")).collect()
}

fn statuses(result: &DestroyResult) -> Vec<(String, DestroyStatus)> {
    result.stacks.iter().map(|s| (s.stack_name.clone(), s.status)).collect()
}

#[test]
fn stacks_go_last_layer_first_after_a_prompt_that_names_everything() {
    let (_, environment) = spec(layers());
    let api = deployed_account(&environment.layers);
    let mut ui = RecordingUi { answer: true, ..RecordingUi::default() };
    let result = go(&api, &mut ui, &environment, &DestroyRequest::default(), None);
    assert!(result.succeeded(), "{:?}", result.diagnostics);
    assert_eq!(
        deletes(&api),
        ["DeleteStack shop-dev-ops", "DeleteStack shop-dev-app", "DeleteStack shop-dev-core"]
    );
    assert_eq!(
        ui.asked,
        ["Delete 3 stacks of project shop, environment dev (account 123456789012, us-east-1)?"]
    );
    let shown = ui.lines.join("\n");
    for expected in [
        "destroy: project shop, environment dev (account 123456789012, us-east-1)",
        "  shop-dev-ops (layer ops)",
        "    data: Logs (AWS::Logs::LogGroup /shop/dev/logs): it is retained in the account and orphaned",
        "    data: Assets (AWS::S3::Bucket shop-dev-assets-1a2b): its data is deleted with it",
        "    data: Db (AWS::RDS::DBInstance shop-dev-db): a final snapshot is taken, then it is deleted",
        "    published values deleted with it: /shop/core/topic_arn",
    ] {
        assert!(shown.contains(expected), "`{expected}` in:\n{shown}");
    }
    assert!(api.stacks.borrow().is_empty());
    assert!(api.parameters.borrow().is_empty(), "the published value went with its stack");
    assert!(statuses(&result).iter().all(|(_, s)| *s == DestroyStatus::Deleted));
}

#[test]
fn no_at_the_prompt_deletes_nothing() {
    let (_, environment) = spec(layers());
    let api = deployed_account(&environment.layers);
    let mut ui = RecordingUi::default();
    let result = go(&api, &mut ui, &environment, &DestroyRequest::default(), None);
    assert!(deletes(&api).is_empty());
    assert!(statuses(&result).iter().all(|(_, s)| *s == DestroyStatus::Declined));
    assert!(!result.succeeded());
}

#[test]
fn a_protected_environment_is_refused_unless_forced_and_then_protection_goes_first() {
    let (sources, mut environment) = spec(layers());
    environment.protect = true;
    let api = deployed_account(&environment.layers);
    api.stacks.borrow_mut().get_mut("shop-dev-core").expect("core").0.termination_protection = true;
    let mut ui = RecordingUi::default();
    let yes = DestroyRequest { yes: true, ..DestroyRequest::default() };
    let refused = go(&api, &mut ui, &environment, &yes, None);
    assert_eq!(refused.diagnostics.iter().map(|d| d.code).collect::<Vec<_>>(), [Code::DestroyRefused]);
    assert!(deletes(&api).is_empty());
    snapshot("E0650", "protected environment", &rendered_list(&refused.diagnostics, &sources, "E0650"));

    let forced = DestroyRequest { force_protected: true, ..yes };
    let result = go(&api, &mut ui, &environment, &forced, None);
    assert!(result.succeeded(), "{:?}", result.diagnostics);
    let calls = api.calls();
    let off =
        calls.iter().position(|c| c == "UpdateTerminationProtection shop-dev-core").expect("turned off");
    let delete = calls.iter().position(|c| c == "DeleteStack shop-dev-core").expect("deleted");
    assert!(off < delete, "{calls:?}");
    assert!(ui
        .lines
        .iter()
        .any(|l| l == "shop-dev-core: termination protection turned off (--force-protected)"));
}

#[test]
fn a_layer_that_a_remaining_layer_reads_is_refused() {
    let (_, environment) = spec(layers());
    let api = deployed_account(&environment.layers);
    let mut ui = RecordingUi::default();
    let request = DestroyRequest { yes: true, layers: vec!["core".into()], ..DestroyRequest::default() };
    let result = go(&api, &mut ui, &environment, &request, None);
    assert_eq!(result.diagnostics[0].code, Code::DestroyRefused);
    assert!(
        result.diagnostics[0].message.contains("layer `core` is read by app"),
        "{:?}",
        result.diagnostics
    );
    assert!(deletes(&api).is_empty());
    let by_stack =
        DestroyRequest { yes: true, stacks: vec!["shop-dev-core".into()], ..DestroyRequest::default() };
    let result = go(&api, &mut ui, &environment, &by_stack, None);
    assert_eq!(
        result.diagnostics[0].code,
        Code::DestroyRefused,
        "a layer's stack named by --stack is that layer"
    );
    assert!(deletes(&api).is_empty());
    let last = DestroyRequest { yes: true, layers: vec!["ops".into()], ..DestroyRequest::default() };
    let result = go(&api, &mut ui, &environment, &last, None);
    assert!(result.succeeded());
    assert_eq!(deletes(&api), ["DeleteStack shop-dev-ops"]);
}

fn failed_event(id: &str, ty: &str, reason: &str) -> StackEvent {
    StackEvent {
        event_id: format!("e-{id}"),
        logical_resource_id: id.into(),
        resource_type: ty.into(),
        resource_status: "DELETE_FAILED".into(),
        resource_status_reason: Some(reason.into()),
        ..StackEvent::default()
    }
}

#[test]
fn a_bucket_that_is_not_empty_stops_the_destroy_with_how_to_recover() {
    let (sources, mut environment) = spec(layers());
    environment.spec_path = "dev.mdl".into();
    let api = deployed_account(&environment.layers);
    // The layers that read core are gone already.
    api.stacks.borrow_mut().retain(|name, _| name == "shop-dev-core");
    let mut ui = RecordingUi::default();
    let core =
        DestroyRequest { yes: true, stacks: vec!["shop-dev-core".into()], ..DestroyRequest::default() };
    *api.delete_ends_in.borrow_mut() = Some("DELETE_FAILED".into());
    *api.events_on_delete.borrow_mut() = vec![failed_event(
        "Assets",
        "AWS::S3::Bucket",
        "The bucket you tried to delete is not empty (Service: S3, Status Code: 409)",
    )];
    let result = go(&api, &mut ui, &environment, &core, None);
    assert_eq!(statuses(&result), [("shop-dev-core".to_string(), DestroyStatus::Failed)]);
    let help = result.diagnostics[0].help.clone().unwrap_or_default();
    assert!(help.contains("aws s3 rm s3://shop-dev-assets-1a2b --recursive"), "{help}");
    assert!(help.contains("--retain-resources Assets"), "{help}");
    snapshot("E0651", "bucket not empty", &rendered_list(&result.diagnostics, &sources, "E0651"));
}

#[test]
fn a_failure_stops_the_stacks_after_it_and_a_resource_deleted_by_hand_is_retained() {
    let (_, environment) = spec(layers());
    let api = deployed_account(&environment.layers);
    let mut ui = RecordingUi::default();
    *api.delete_ends_in.borrow_mut() = Some("DELETE_FAILED".into());
    *api.events_on_delete.borrow_mut() =
        vec![failed_event("Topic", "AWS::SNS::Topic", "Topic does not exist (Service: Sns, NotFound)")];
    let result =
        go(&api, &mut ui, &environment, &DestroyRequest { yes: true, ..DestroyRequest::default() }, None);
    assert_eq!(
        statuses(&result).iter().map(|(_, s)| *s).collect::<Vec<_>>(),
        [DestroyStatus::Failed, DestroyStatus::NotRun, DestroyStatus::NotRun]
    );
    assert_eq!(deletes(&api), ["DeleteStack shop-dev-ops"]);
    let help = result.diagnostics[0].help.clone().unwrap_or_default();
    assert!(help.contains("already gone (deleted by hand): finish with aws cloudformation delete-stack --stack-name shop-dev-ops --region us-east-1 --retain-resources Topic"), "{help}");
}

#[test]
fn orphans_are_deleted_only_when_asked_for() {
    let (_, environment) = spec(layers());
    let api = deployed_account(&environment.layers);
    let old = StackInfo {
        name: "shop-dev-cache".into(),
        status: "CREATE_COMPLETE".into(),
        tags: vec![
            ("mdl:project".into(), "shop".into()),
            ("mdl:environment".into(), "dev".into()),
            ("mdl:layer".into(), "cache".into()),
        ],
        ..StackInfo::default()
    };
    api.stacks.borrow_mut().insert(old.name.clone(), (old, "{}".into()));
    let mut ui = RecordingUi::default();
    let request = DestroyRequest { yes: true, orphans: true, ..DestroyRequest::default() };
    let result = go(&api, &mut ui, &environment, &request, None);
    assert!(result.succeeded(), "{:?}", result.diagnostics);
    assert_eq!(deletes(&api), ["DeleteStack shop-dev-cache"]);
    let foreign = DestroyRequest { yes: true, stacks: vec!["hand-made".into()], ..DestroyRequest::default() };
    let refused = go(&api, &mut ui, &environment, &foreign, None);
    assert_eq!(refused.diagnostics[0].code, Code::DestroyRefused);
    assert_eq!(deletes(&api).len(), 1, "nothing more deleted");
}

#[test]
fn an_interrupt_while_a_stack_is_deleted_deletes_nothing_more() {
    let (_, environment) = spec(layers());
    let api = deployed_account(&environment.layers);
    let flag = Interrupt::manual();
    *api.interrupt_at.borrow_mut() = Some(("DeleteStack shop-dev-ops".into(), flag.clone()));
    let mut ui = RecordingUi::default();
    let request = DestroyRequest { yes: true, ..DestroyRequest::default() };
    let result = go(&api, &mut ui, &environment, &request, Some(flag));
    assert_eq!(deletes(&api), ["DeleteStack shop-dev-ops"]);
    assert_eq!(
        statuses(&result).iter().map(|(_, s)| *s).collect::<Vec<_>>(),
        [DestroyStatus::Interrupted, DestroyStatus::NotRun, DestroyStatus::NotRun]
    );
    let interrupted = result.diagnostics.iter().find(|d| d.code == Code::DeployInterrupted).expect("E0610");
    assert!(interrupted.notes.iter().any(|n| n.contains("CloudFormation keeps deleting shop-dev-ops")));
}

#[test]
fn ctrl_c_at_the_prompt_deletes_nothing() {
    let (_, environment) = spec(layers());
    let api = deployed_account(&environment.layers);
    let mut ui = RecordingUi { answers: [Answer::Interrupted].into(), ..RecordingUi::default() };
    let result = go(&api, &mut ui, &environment, &DestroyRequest::default(), None);
    assert!(deletes(&api).is_empty());
    assert!(result.diagnostics.iter().any(|d| d.code == Code::DeployInterrupted));
}

/// The three layers deployed, `app` fanned out to eu-west-1 and us-east-1.
fn fanned_out_app() -> (EnvironmentInput, FakeCloudFormation) {
    let mut inputs = layers();
    inputs[1].fan_out = Some(crate::deploy::input::FanOut {
        regions: vec!["eu-west-1".into(), "us-east-1".into()],
        max_concurrent: 1,
        ..Default::default()
    });
    let (_, environment) = spec(inputs);
    let api = deployed_account(&environment.layers);
    api.stacks.borrow_mut().remove("shop-dev-app");
    let bucket = json!({"Resources": {"Reports": {"Type": "AWS::S3::Bucket"}}}).to_string();
    let api = api.with_stack_set("shop-dev-app", &bucket, "123456789012", &["eu-west-1", "us-east-1"]);
    (environment, api)
}

#[test]
fn a_fanned_out_layer_loses_its_instances_then_its_stack_set_in_its_place_of_the_order() {
    let (environment, api) = fanned_out_app();
    let mut ui = RecordingUi { answer: true, ..RecordingUi::default() };
    let result = go(&api, &mut ui, &environment, &DestroyRequest::default(), None);
    assert!(result.succeeded(), "{:?}", result.diagnostics);
    assert_eq!(
        deletes(&api),
        [
            "DeleteStack shop-dev-ops",
            "DeleteStackInstances shop-dev-app eu-west-1,us-east-1",
            "DeleteStackSet shop-dev-app",
            "DeleteStack shop-dev-core"
        ]
    );
    assert!(api.stack_sets.borrow().is_empty());
    assert_eq!(api.operations.borrow()[0].region_order, ["eu-west-1", "us-east-1"]);
    let shown = ui.lines.join("\n");
    for expected in [
        "  shop-dev-app (layer app)",
        "    StackSet: its instances (and their stacks) first, then the StackSet: 123456789012 eu-west-1, 123456789012 us-east-1",
        "    data: Reports (AWS::S3::Bucket): its data is deleted with it",
    ] {
        assert!(shown.contains(expected), "`{expected}` in:\n{shown}");
    }
    assert_eq!(statuses(&result)[1], ("shop-dev-app".to_string(), DestroyStatus::Deleted));
    let json = serde_json::to_value(&result.stacks[1]).expect("json");
    assert_eq!(json["stack_set_instances"][1]["region"], "us-east-1");
}

#[test]
fn an_instance_that_cannot_be_deleted_keeps_the_stack_set_and_stops_the_destroy() {
    let (environment, api) = fanned_out_app();
    api.failing_regions.borrow_mut().insert("us-east-1".into(), "Bucket is not empty".into());
    let mut ui = RecordingUi { answer: true, ..RecordingUi::default() };
    let result = go(&api, &mut ui, &environment, &DestroyRequest::default(), None);
    assert!(!result.succeeded());
    assert_eq!(
        statuses(&result),
        [
            ("shop-dev-ops".to_string(), DestroyStatus::Deleted),
            ("shop-dev-app".to_string(), DestroyStatus::Failed),
            ("shop-dev-core".to_string(), DestroyStatus::NotRun),
        ]
    );
    let codes: Vec<Code> = result.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, [Code::StackSetOperationFailed]);
    assert!(result.diagnostics[0]
        .notes
        .iter()
        .any(|n| n.contains("us-east-1 (FAILED): Bucket is not empty")));
    assert!(!api.calls().contains(&"DeleteStackSet shop-dev-app".to_string()));
    let left: Vec<String> = api.instances.borrow()["shop-dev-app"].iter().map(|i| i.region.clone()).collect();
    assert_eq!(left, ["us-east-1"], "eu-west-1 went, us-east-1 stays");
}

#[test]
fn a_stack_set_that_is_not_deployed_is_skipped() {
    let (environment, api) = fanned_out_app();
    api.stack_sets.borrow_mut().clear();
    let mut ui = RecordingUi { answer: true, ..RecordingUi::default() };
    let result = go(&api, &mut ui, &environment, &DestroyRequest::default(), None);
    assert!(result.succeeded(), "{:?}", result.diagnostics);
    assert_eq!(statuses(&result)[1], ("shop-dev-app".to_string(), DestroyStatus::NotDeployed));
    assert!(!api.calls().iter().any(|c| c.contains("StackInstances")), "{:?}", api.calls());
}
