//! Fanned-out layers over the fake AWS API: plan, create, update, instances
//! added and removed, a failed operation, and their calls.

use serde_json::json;

use super::{by_account, targets, Instance, SetOperation};
use crate::deploy::api::StackSetOperationRequest;
use crate::deploy::errors::ApiError;
use crate::deploy::fake::{FakeCloudFormation, RecordingUi};
use crate::deploy::input::{FanOut, LayerInput};
use crate::deploy::report::LayerStatus;
use crate::deploy::run::tests::{codes, go, input, options, statuses, template};
use crate::deploy::{Answer, Mode};
use crate::diag::Code;

const ACCOUNT: &str = "123456789012";

fn fan_out() -> FanOut {
    FanOut {
        regions: vec!["eu-west-1".into(), "us-east-1".into()],
        accounts: vec![],
        max_concurrent: 2,
        failure_tolerance: 1,
        administration_role: None,
        execution_role: "AWSCloudFormationStackSetExecutionRole".into(),
    }
}

/// `core`, then `alerts` fanned out to eu-west-1 and us-east-1.
fn layers(alerts_topic: &str) -> Vec<LayerInput> {
    let mut alerts = input("alerts", &[], template(alerts_topic));
    alerts.fan_out = Some(fan_out());
    vec![input("core", &[], template("core")), alerts]
}

/// `core` deployed as it is, and the StackSet with `alerts` in `regions`.
fn deployed(body_topic: &str, regions: &[&str]) -> FakeCloudFormation {
    let core = serde_json::to_string(&template("core")).unwrap_or_default();
    let body = serde_json::to_string(&template(body_topic)).unwrap_or_default();
    FakeCloudFormation::default()
        .with_stack("shop-dev-core", "UPDATE_COMPLETE", &core, Default::default())
        .with_stack_set("shop-dev-alerts", &body, ACCOUNT, regions)
}

fn at(region: &str) -> Instance {
    Instance { account: ACCOUNT.into(), region: region.into() }
}

fn writes(api: &FakeCloudFormation) -> Vec<String> {
    let reads = ["Describe", "List", "Get"];
    api.calls().into_iter().filter(|c| !reads.iter().any(|r| c.starts_with(r))).collect()
}

#[test]
fn targets_are_every_account_in_every_region_in_deploy_order() {
    let mut out = fan_out();
    assert_eq!(targets(&out, ACCOUNT), [at("eu-west-1"), at("us-east-1")], "the caller's account by default");
    out.accounts = vec!["111111111111".into(), "222222222222".into()];
    let found: Vec<String> = targets(&out, ACCOUNT).iter().map(ToString::to_string).collect();
    assert_eq!(
        found,
        [
            "111111111111 eu-west-1",
            "222222222222 eu-west-1",
            "111111111111 us-east-1",
            "222222222222 us-east-1"
        ]
    );
    let grouped = by_account(&targets(&out, ACCOUNT));
    assert_eq!(grouped.len(), 2, "one call per account: {grouped:?}");
    assert_eq!(grouped[0], (vec!["111111111111".to_string()], vec!["eu-west-1".into(), "us-east-1".into()]));
}

#[test]
fn a_plan_of_a_new_stack_set_shows_it_created_with_every_instance_and_writes_nothing() {
    let api = deployed("unused", &[]);
    api.stack_sets.borrow_mut().clear();
    let mut ui = RecordingUi::default();
    let result = go(&api, &mut ui, &options(Mode::Plan { keep: false }), &layers("alerts"));
    assert_eq!(statuses(&result), [LayerStatus::Unchanged, LayerStatus::Create]);
    let report = result.layers[1].stack_set.clone().expect("a StackSet report");
    assert_eq!(report.operation, SetOperation::Create);
    assert_eq!(report.add, [at("eu-west-1"), at("us-east-1")]);
    assert!(report.remove.is_empty());
    assert_eq!(result.layers[1].changes.len(), 1, "the template's resources, all added");
    assert_eq!(result.layers[1].changes[0].action, "Add");
    assert!(writes(&api).is_empty(), "{:?}", api.calls());
    assert!(api.calls().contains(&"DescribeStackSet shop-dev-alerts".to_string()));
    assert!(!api.calls().iter().any(|c| c.starts_with("DescribeStacks shop-dev-alerts")), "no stack is read");
    let text = ui.lines.join("\n");
    assert!(text.contains("StackSet shop-dev-alerts: create"), "{text}");
    assert!(text.contains("instances to add: 123456789012 eu-west-1, 123456789012 us-east-1"), "{text}");
    assert!(result.has_changes());
}

#[test]
fn a_deploy_creates_the_stack_set_then_its_instances_in_region_order() {
    let api = deployed("unused", &[]);
    api.stack_sets.borrow_mut().clear();
    let mut ui = RecordingUi::default();
    let result = go(&api, &mut ui, &options(Mode::Deploy { yes: true }), &layers("alerts"));
    assert_eq!(statuses(&result), [LayerStatus::Unchanged, LayerStatus::Created]);
    assert_eq!(
        writes(&api),
        ["CreateStackSet shop-dev-alerts", "CreateStackInstances shop-dev-alerts eu-west-1,us-east-1"]
    );
    let operations = api.operations.borrow().clone();
    assert_eq!(operations.len(), 1);
    let StackSetOperationRequest { region_order, max_concurrent, failure_tolerance, operation_id } =
        &operations[0];
    assert_eq!(region_order, &["eu-west-1", "us-east-1"]);
    assert_eq!((*max_concurrent, *failure_tolerance), (2, 1));
    assert!(operation_id.starts_with("mdl-alerts-"), "{operation_id}");
    let set = api.stack_sets.borrow().get("shop-dev-alerts").cloned().expect("created");
    assert_eq!(set.execution_role_name.as_deref(), Some("AWSCloudFormationStackSetExecutionRole"));
    assert!(set.tags.contains(&("mdl:project".into(), "shop".into())));
    let report = result.layers[1].stack_set.clone().expect("a StackSet report");
    let instances: Vec<(String, String)> =
        report.instances.iter().map(|i| (i.region.clone(), i.status.clone())).collect();
    assert_eq!(instances, [("eu-west-1".into(), "CURRENT".into()), ("us-east-1".into(), "CURRENT".into())]);
    assert!(result.layers[1].applied);
    assert!(result.succeeded());
}

#[test]
fn an_unchanged_stack_set_costs_two_reads() {
    let api = deployed("alerts", &["eu-west-1", "us-east-1"]);
    let mut ui = RecordingUi::default();
    let result = go(&api, &mut ui, &options(Mode::Deploy { yes: true }), &layers("alerts"));
    assert_eq!(statuses(&result), [LayerStatus::Unchanged, LayerStatus::Unchanged]);
    let alerts: Vec<String> = api.calls().into_iter().filter(|c| c.contains("alerts")).collect();
    assert_eq!(alerts, ["DescribeStackSet shop-dev-alerts", "ListStackInstances shop-dev-alerts"]);
    assert!(ui.asked.is_empty());
    assert!(!result.has_changes());
}

#[test]
fn a_changed_template_updates_every_instance_then_adds_and_removes_instances() {
    let api = deployed("alerts", &["us-east-1", "ap-south-1"]);
    let mut ui = RecordingUi::default();
    let plan = go(&api, &mut ui, &options(Mode::Plan { keep: false }), &layers("alerts-v2"));
    let report = plan.layers[1].stack_set.clone().expect("a StackSet report");
    assert_eq!(plan.layers[1].status, LayerStatus::Update);
    assert_eq!((report.operation, report.template_changed), (SetOperation::Update, true));
    assert_eq!(report.add, [at("eu-west-1")]);
    assert_eq!(report.remove, [at("ap-south-1")]);
    let row = &plan.layers[1].changes[0];
    assert_eq!((row.action.as_str(), row.logical_id.as_str()), ("Modify", "Topic"));
    assert_eq!(row.properties[0].path, "TopicName");
    assert!(writes(&api).is_empty());

    let mut ui = RecordingUi::default();
    let result = go(&api, &mut ui, &options(Mode::Deploy { yes: true }), &layers("alerts-v2"));
    assert_eq!(result.layers[1].status, LayerStatus::Updated);
    assert_eq!(
        writes(&api),
        [
            "UpdateStackSet shop-dev-alerts",
            "CreateStackInstances shop-dev-alerts eu-west-1",
            "DeleteStackInstances shop-dev-alerts ap-south-1"
        ]
    );
    let regions: Vec<String> =
        api.instances.borrow()["shop-dev-alerts"].iter().map(|i| i.region.clone()).collect();
    assert_eq!(regions, ["us-east-1", "eu-west-1"]);
    assert!(api.stack_sets.borrow()["shop-dev-alerts"].template_body.contains("alerts-v2"));
    assert!(result.succeeded());
}

#[test]
fn a_failed_instance_stops_the_run_with_each_region_and_reason() {
    let api = deployed("unused", &[]);
    api.stack_sets.borrow_mut().clear();
    api.failing_regions.borrow_mut().insert(
        "us-east-1".into(),
        "Account 123456789012 should have 'AWSCloudFormationStackSetExecutionRole' role with trust relationship to Role 'AWSCloudFormationStackSetAdministrationRole'.".into(),
    );
    let mut inputs = layers("alerts");
    inputs.push(input("ops", &[], template("ops")));
    let mut ui = RecordingUi::default();
    let result = go(&api, &mut ui, &options(Mode::Deploy { yes: true }), &inputs);
    assert_eq!(statuses(&result), [LayerStatus::Unchanged, LayerStatus::Failed, LayerStatus::NotRun]);
    assert_eq!(codes(&result), [Code::StackSetOperationFailed]);
    let diagnostic = &result.diagnostics[0];
    assert!(diagnostic.notes.iter().any(|n| n.starts_with("123456789012 us-east-1 (FAILED): Account")));
    assert!(
        diagnostic.help.as_deref().is_some_and(|h| h.contains("execution role")),
        "{:?}",
        diagnostic.help
    );
    let reason = result.layers[1].reason.clone().unwrap_or_default();
    assert!(reason.contains("creating instances ended FAILED"), "{reason}");
    assert!(api.calls().contains(&"ListStackSetOperationResults shop-dev-alerts".to_string()));
    assert!(!result.succeeded());
}

#[test]
fn a_running_operation_is_polled_until_it_ends() {
    let api = deployed("alerts", &["eu-west-1"]);
    api.operation_statuses.borrow_mut().extend(["QUEUED".to_string(), "RUNNING".to_string()]);
    let mut ui = RecordingUi::default();
    let result = go(&api, &mut ui, &options(Mode::Deploy { yes: true }), &layers("alerts"));
    assert_eq!(result.layers[1].status, LayerStatus::Updated);
    let polls = api.calls().iter().filter(|c| c.starts_with("DescribeStackSetOperation")).count();
    assert_eq!(polls, 3);
    assert!(ui.lines.iter().any(|l| l.contains("creating instances (RUNNING)")), "{:?}", ui.lines);
}

#[test]
fn an_interrupt_while_following_leaves_the_operation_running_and_says_how_to_watch_it() {
    let api = deployed("alerts", &["eu-west-1"]);
    api.operation_statuses.borrow_mut().extend(["RUNNING".to_string(), "RUNNING".to_string()]);
    let opts = options(Mode::Deploy { yes: true });
    *api.interrupt_at.borrow_mut() =
        Some(("DescribeStackSetOperation shop-dev-alerts".into(), opts.interrupt.clone()));
    let mut ui = RecordingUi::default();
    let result = go(&api, &mut ui, &opts, &layers("alerts"));
    assert_eq!(result.layers[1].status, LayerStatus::Interrupted);
    let reason = result.layers[1].reason.clone().unwrap_or_default();
    assert!(reason.contains("describe-stack-set-operation --stack-set-name shop-dev-alerts"), "{reason}");
    assert_eq!(codes(&result), [Code::DeployInterrupted]);
    let diagnostic = &result.diagnostics[0];
    assert!(
        diagnostic
            .notes
            .iter()
            .any(|n| n.starts_with("CloudFormation keeps running the StackSet operation mdl-alerts-")),
        "{:?}",
        diagnostic.notes
    );
    assert!(diagnostic.notes.iter().any(|n| n.starts_with("still running in CloudFormation: alerts")));
    let help = diagnostic.help.clone().unwrap_or_default();
    assert!(help.contains("watch:  aws cloudformation describe-stack-set-operation"), "{help}");
}

#[test]
fn a_declined_prompt_changes_nothing() {
    let api = deployed("alerts", &["eu-west-1"]);
    let mut ui = RecordingUi { answers: [Answer::No].into(), ..RecordingUi::default() };
    let result = go(&api, &mut ui, &options(Mode::Deploy { yes: false }), &layers("alerts"));
    assert_eq!(result.layers[1].status, LayerStatus::Declined);
    assert_eq!(ui.asked, ["Apply this StackSet plan to shop-dev-alerts (account 123456789012, us-east-1)?"]);
    assert!(writes(&api).is_empty(), "{:?}", api.calls());
}

#[test]
fn removing_an_instance_that_holds_data_is_refused() {
    let bucket = json!({"Resources": {"Logs": {"Type": "AWS::S3::Bucket"}}});
    let api = FakeCloudFormation::default().with_stack_set(
        "shop-dev-alerts",
        &bucket.to_string(),
        ACCOUNT,
        &["eu-west-1", "us-east-1", "ap-south-1"],
    );
    let mut alerts = input("alerts", &[], bucket);
    alerts.fan_out = Some(fan_out());
    let alerts = [alerts];
    let mut ui = RecordingUi::default();
    let result = go(&api, &mut ui, &options(Mode::Deploy { yes: true }), &alerts);
    assert_eq!(result.layers[0].status, LayerStatus::Refused);
    // W0601 as for any layer whose bucket is not retained, then the refusal.
    assert_eq!(codes(&result), [Code::DataNotRetained, Code::StatefulChange]);
    let refusal = &result.layers[0].refused[0];
    assert_eq!((refusal.logical_id.as_str(), refusal.what), ("Logs", "removes"));
    assert!(writes(&api).is_empty(), "{:?}", api.calls());
    let mut allowed = options(Mode::Deploy { yes: true });
    allowed.allow_replace = vec!["Logs".into()];
    let result = go(&api, &mut RecordingUi::default(), &allowed, &alerts);
    assert_eq!(result.layers[0].status, LayerStatus::Updated, "--allow-replace accepts it");
    assert_eq!(writes(&api), ["DeleteStackInstances shop-dev-alerts ap-south-1"]);
}

#[test]
fn a_stack_set_the_api_refuses_to_create_is_a_located_failure() {
    let api = FakeCloudFormation::default();
    api.failures.borrow_mut().insert(
        "CreateStackSet shop-dev-alerts".into(),
        ApiError::service("ValidationError", "Administration role not found"),
    );
    let mut ui = RecordingUi::default();
    let result = go(&api, &mut ui, &options(Mode::Deploy { yes: true }), &layers("alerts")[1..]);
    assert_eq!(result.layers[0].status, LayerStatus::Failed);
    assert!(result.layers[0].reason.clone().unwrap_or_default().contains("creating the StackSet"));
    assert!(!api.calls().iter().any(|c| c.starts_with("CreateStackInstances")));
}

#[test]
fn the_plan_json_carries_the_stack_set_beside_the_usual_keys() {
    let api = deployed("alerts", &["us-east-1", "ap-south-1"]);
    let mut ui = RecordingUi::default();
    let result = go(&api, &mut ui, &options(Mode::Plan { keep: false }), &layers("alerts"));
    let text = crate::deploy::report::to_json(
        &crate::deploy::report::RunInfo::default(),
        &result.layers,
        Default::default(),
        &[],
        &[],
    );
    let json: serde_json::Value = serde_json::from_str(&text).expect("json");
    let layer = &json["layers"][1];
    assert_eq!(layer["status"], "update");
    assert_eq!(layer["stack_set"]["operation"], "none");
    assert_eq!(layer["stack_set"]["add"], json!([{"account": ACCOUNT, "region": "eu-west-1"}]));
    assert_eq!(layer["stack_set"]["remove"], json!([{"account": ACCOUNT, "region": "ap-south-1"}]));
    assert_eq!(layer["stack_set"]["instances"][0]["status"], "CURRENT");
    assert!(json["layers"][0].get("stack_set").is_none(), "ordinary layers have no stack_set key");
    assert_eq!(
        (json["totals"]["instances_to_add"].as_u64(), json["totals"]["instances_to_remove"].as_u64()),
        (Some(1), Some(1))
    );
    let totals = crate::deploy::report::Totals::of(&result.layers);
    assert_eq!(
        totals.line(),
        "0 to add, 0 to change, 0 to remove; StackSet instances: 1 to add, 1 to remove"
    );
}

#[test]
fn deploy_plan_applies_the_reviewed_stack_set_plan_and_refuses_one_that_moved_since() {
    let api = deployed("alerts", &["us-east-1", "ap-south-1"]);
    let inputs = layers("alerts");
    let mut ui = RecordingUi::default();
    let planned = go(&api, &mut ui, &options(Mode::Plan { keep: true }), &inputs);
    let file = crate::deploy::planfile::from_plan(
        &crate::deploy::run::tests::environment(&inputs),
        Some(ACCOUNT.into()),
        &[],
        &planned.layers,
        &planned.stacks,
    );
    assert_eq!(
        file.layers[1].changes,
        ["AddInstance 123456789012 eu-west-1", "RemoveInstance 123456789012 ap-south-1"]
    );
    let mut opts = options(Mode::Deploy { yes: true });
    opts.reviewed = Some(file);
    // Someone adds an instance in eu-west-1 and removes us-east-1 in between.
    api.instances.borrow_mut().insert(
        "shop-dev-alerts".into(),
        vec![
            crate::deploy::fake::instance(ACCOUNT, "eu-west-1", "CURRENT"),
            crate::deploy::fake::instance(ACCOUNT, "ap-south-1", "CURRENT"),
        ],
    );
    let result = go(&api, &mut ui, &opts, &inputs);
    assert_eq!(result.layers[1].status, LayerStatus::Refused);
    assert_eq!(codes(&result), [Code::PlanOutdated]);
    let message = &result.diagnostics[0].message;
    assert!(message.contains("not in the plan: AddInstance 123456789012 us-east-1"), "{message}");
    assert!(writes(&api).is_empty(), "{:?}", api.calls());
    // As reviewed: applied.
    api.instances.borrow_mut().insert(
        "shop-dev-alerts".into(),
        vec![
            crate::deploy::fake::instance(ACCOUNT, "us-east-1", "CURRENT"),
            crate::deploy::fake::instance(ACCOUNT, "ap-south-1", "CURRENT"),
        ],
    );
    let result = go(&api, &mut ui, &opts, &inputs);
    assert_eq!(result.layers[1].status, LayerStatus::Updated, "{:?}", result.diagnostics);
    assert_eq!(
        writes(&api),
        ["CreateStackInstances shop-dev-alerts eu-west-1", "DeleteStackInstances shop-dev-alerts ap-south-1"]
    );
}

#[test]
fn a_stack_set_busy_with_another_operation_blocks_the_layer() {
    let api = deployed("alerts", &["us-east-1"]);
    api.failures.borrow_mut().insert(
        "CreateStackInstances shop-dev-alerts eu-west-1".into(),
        ApiError::service("OperationInProgressException", "Another Operation on StackSet is in progress"),
    );
    let mut inputs = layers("alerts");
    inputs.push(input("ops", &[], template("ops")));
    let mut ui = RecordingUi::default();
    let result = go(&api, &mut ui, &options(Mode::Deploy { yes: true }), &inputs);
    assert_eq!(statuses(&result), [LayerStatus::Unchanged, LayerStatus::Blocked, LayerStatus::NotRun]);
    assert_eq!(codes(&result), [Code::StackSetBusy]);
    assert_eq!(result.layers[1].code.as_deref(), Some("E0674"));
    let help = result.diagnostics[0].help.clone().unwrap_or_default();
    assert!(
        help.contains("list-stack-set-operations --stack-set-name shop-dev-alerts --region us-east-1"),
        "{help}"
    );
}
