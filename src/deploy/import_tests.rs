//! `mdl import` over the fake API, with GetTemplateSummary's answer written
//! from the API reference (tests/deploy/fixtures/template_summary.json): the
//! local emulator has no resource import.

use serde_json::json;

use super::*;
use crate::deploy::api::{ResourceIdentifierSummary, TemplateSource};
use crate::deploy::diagnostics_tests::{rendered_list, snapshot, spec};
use crate::deploy::fake::{FakeCloudFormation, NoStore, RecordingUi};
use crate::deploy::run::tests::{input, options};
use crate::deploy::Mode;
use crate::diag::Code;

fn recorded_summary() -> Vec<ResourceIdentifierSummary> {
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct Summary {
        resource_identifier_summaries: Vec<ResourceIdentifierSummary>,
    }
    let summary: Summary =
        serde_json::from_str(include_str!("../../tests/deploy/fixtures/template_summary.json"))
            .expect("fixture parses");
    summary.resource_identifier_summaries
}

/// Core: a topic (deployed), a repository and a service made by hand before.
fn core(repository_policy: Option<&str>) -> LayerInput {
    let mut repository =
        json!({"Type": "AWS::ECR::Repository", "Properties": {"RepositoryName": "megadolls/web"}});
    if let Some(policy) = repository_policy {
        repository["DeletionPolicy"] = json!(policy);
    }
    let template = json!({"Resources": {
        "Topic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "shop-dev"}},
        "ImagesRepository": repository,
        "WebService": {"Type": "AWS::ECS::Service", "DeletionPolicy": "Retain", "Properties": {"Cluster": {"Ref": "Cluster"}, "ServiceName": "web"}},
        "Logs": {"Type": "AWS::Logs::LogGroup", "DeletionPolicy": "Retain", "Properties": {"LogGroupName": {"Fn::Sub": "/shop/${Topic.TopicName}"}}}
    }});
    input("core", &[], template)
}

fn account() -> FakeCloudFormation {
    let deployed =
        json!({"Resources": {"Topic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "shop-dev"}}}});
    let api = FakeCloudFormation::default().with_stack(
        "shop-dev-core",
        "UPDATE_COMPLETE",
        &deployed.to_string(),
        Default::default(),
    );
    *api.identifiers.borrow_mut() = recorded_summary();
    *api.execute_ends_in.borrow_mut() = Some("IMPORT_COMPLETE".into());
    api
}

fn go(api: &FakeCloudFormation, environment: &EnvironmentInput, resources: &[(&str, &str)]) -> ImportResult {
    let opts = options(Mode::Deploy { yes: true });
    let mut ui = RecordingUi::default();
    let request = ImportRequest {
        yes: true,
        resources: resources.iter().map(|(id, value)| (id.to_string(), value.to_string())).collect(),
    };
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let mut engine = Engine::new(api, Some(&NoStore), &mut ui, &opts);
    runtime.block_on(import(&mut engine, environment, &request))
}

#[test]
fn an_existing_repository_is_adopted_through_an_import_change_set() {
    let (_, environment) = spec(vec![core(Some("Retain"))]);
    let api = account();
    let result = go(&api, &environment, &[("ImagesRepository", "megadolls/web")]);
    assert_eq!(result.status, Some(ImportStatus::Imported), "{:?}", result.diagnostics);
    let requests = api.requests.borrow();
    let request = &requests[0];
    assert_eq!(request.kind, ChangeSetKind::Import);
    assert_eq!(
        request.resources_to_import,
        [ResourceToImport {
            resource_type: "AWS::ECR::Repository".into(),
            logical_resource_id: "ImagesRepository".into(),
            resource_identifier: BTreeMap::from([(
                "RepositoryName".to_string(),
                "megadolls/web".to_string()
            )]),
        }]
    );
    let TemplateSource::Body(body) = &request.template else { panic!("inline") };
    let sent: Json = serde_json::from_str(body).expect("json");
    let ids: Vec<&String> = sent["Resources"].as_object().expect("resources").keys().collect();
    assert_eq!(ids, ["Topic", "ImagesRepository"], "the deployed template plus the import, nothing else");
    let calls = api.calls();
    assert!(calls.contains(&"ExecuteChangeSet shop-dev-core".to_string()), "{calls:?}");
}

#[test]
fn a_fanned_out_layer_takes_no_import() {
    let mut fanned = core(Some("Retain"));
    fanned.fan_out = Some(crate::deploy::input::FanOut::default());
    let (_, environment) = spec(vec![fanned]);
    let api = account();
    let result = go(&api, &environment, &[("ImagesRepository", "megadolls/web")]);
    let usage = result.usage.unwrap_or_default();
    assert!(usage.contains("fanned out as a StackSet"), "{usage}");
    assert!(api.all_calls().is_empty(), "{:?}", api.all_calls());
}

#[test]
fn a_resource_without_deletion_policy_retain_is_refused_before_any_call() {
    let (sources, environment) = spec(vec![core(None)]);
    let api = account();
    let result = go(&api, &environment, &[("ImagesRepository", "megadolls/web")]);
    assert_eq!(result.status, Some(ImportStatus::Refused));
    assert!(api.all_calls().is_empty(), "{:?}", api.all_calls());
    snapshot("E0652", "no retain policy", &rendered_list(&result.diagnostics, &sources, "E0652"));
}

#[test]
fn a_type_cloudformation_cannot_import_is_refused_with_a_reason() {
    let (_, environment) = spec(vec![core(Some("Retain"))]);
    let api = account();
    api.identifiers.borrow_mut().retain(|s| s.resource_type != "AWS::ECR::Repository");
    let result = go(&api, &environment, &[("ImagesRepository", "megadolls/web")]);
    assert_eq!(result.status, Some(ImportStatus::Refused));
    assert!(result.diagnostics[0].message.contains("CloudFormation cannot import AWS::ECR::Repository"));
    assert!(!api.calls().iter().any(|c| c.starts_with("CreateChangeSet")));
}

#[test]
fn a_resource_that_reads_one_neither_deployed_nor_imported_is_refused() {
    let (_, environment) = spec(vec![core(Some("Retain"))]);
    let api = account();
    let result = go(&api, &environment, &[("WebService", "ServiceArn=arn:aws:ecs:svc,Cluster=shop")]);
    assert_eq!(result.status, Some(ImportStatus::Refused));
    assert_eq!(result.diagnostics[0].code, Code::ImportRefused);
    assert!(result.diagnostics[0].message.contains("it reads Cluster"), "{:?}", result.diagnostics);
    let reads_deployed = go(&api, &environment, &[("Logs", "/shop/shop-dev")]);
    assert_eq!(
        reads_deployed.status,
        Some(ImportStatus::Refused),
        "a log group has no identifier in the summary"
    );
}

#[test]
fn identifiers_are_a_bare_value_or_each_property_named() {
    let one = ["RepositoryName".to_string()];
    assert_eq!(
        identifier("megadolls/web", &one),
        Ok(BTreeMap::from([(one[0].clone(), "megadolls/web".to_string())]))
    );
    let two = ["ServiceArn".to_string(), "Cluster".to_string()];
    let both = identifier("ServiceArn=arn:aws:ecs:x,Cluster=shop", &two).expect("both named");
    assert_eq!(both.get("Cluster").map(String::as_str), Some("shop"));
    assert!(identifier("arn:aws:ecs:x", &two).is_err());
    assert_eq!(parse_resource("Db=shop-db"), Ok(("Db".to_string(), "shop-db".to_string())));
    assert!(parse_resource("Db").is_err());
}

#[test]
fn references_are_found_in_ref_getatt_and_sub() {
    let body = json!({"A": {"Ref": "X"}, "B": {"Fn::GetAtt": ["Y", "Arn"]}, "C": {"Fn::Sub": "${Z.Name}-${AWS::Region}-${!Literal}"}});
    let found: Vec<String> = references(&body).into_iter().collect();
    assert_eq!(found, ["AWS::Region", "X", "Y", "Z"]);
}
