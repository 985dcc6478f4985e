//! Decisions over recorded real-AWS response shapes (tests/deploy/fixtures):
//! the emulator never reports `Replacement`, `Details` or `Scope`.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::json;

use super::*;
use crate::deploy::api::ChangeSetPage;

fn page(text: &str) -> ChangeSetPage {
    serde_json::from_str(text).expect("fixture parses as a DescribeChangeSet page")
}

fn replacements() -> Vec<ResourceChange> {
    resource_changes(&[page(include_str!("../../tests/deploy/fixtures/update_replacements.json"))])
}

#[test]
fn recorded_change_sets_keep_replacement_scope_and_details() {
    let changes = replacements();
    assert_eq!(changes.len(), 6);
    assert_eq!(changes[0].replacement.as_deref(), Some("True"));
    assert_eq!(changes[0].scope, ["Properties"]);
    let target = changes[0].details[0].target.as_ref().expect("target");
    assert_eq!(target.name.as_deref(), Some("DBInstanceIdentifier"));
    assert_eq!(target.requires_recreation.as_deref(), Some("Always"));
    assert_eq!(changes[1].replacement.as_deref(), Some("Conditional"));
    assert_eq!(changes[4].replacement, None, "Remove has no Replacement");
}

#[test]
fn replacing_or_removing_stateful_resources_is_refused() {
    let published: BTreeSet<String> = ["PublishedVpcId".to_string()].into();
    let refused = refusals(&replacements(), &published, &[]);
    let ids: Vec<(&str, &str)> = refused.iter().map(|r| (r.logical_id.as_str(), r.what)).collect();
    assert_eq!(
        ids,
        [("CoreDbInstance", "replaces"), ("ImagesRepository", "may replace"), ("PublishedVpcId", "removes")],
        "the log group is modified in place (False), the ECS service is stateless, the topic is added"
    );
    assert!(refused[0].describe().contains("--allow-replace CoreDbInstance"));
}

#[test]
fn allow_replace_lets_exactly_the_named_resources_through() {
    let published: BTreeSet<String> = ["PublishedVpcId".to_string()].into();
    let allowed = vec!["CoreDbInstance".to_string(), "PublishedVpcId".to_string()];
    let refused = refusals(&replacements(), &published, &allowed);
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0].logical_id, "ImagesRepository");
}

#[test]
fn an_ssm_parameter_nobody_reads_may_go() {
    let refused = refusals(&replacements(), &BTreeSet::new(), &[]);
    assert!(refused.iter().all(|r| r.logical_id != "PublishedVpcId"));
}

#[test]
fn the_no_changes_answer_is_not_a_failure() {
    assert!(is_empty_change_set(&page(include_str!("../../tests/deploy/fixtures/empty_change_set.json"))));
    let failed = page(include_str!("../../tests/deploy/fixtures/failed_change_set.json"));
    assert!(!is_empty_change_set(&failed));
    assert!(is_computed(&failed));
    assert!(!is_computed(&page(include_str!("../../tests/deploy/fixtures/pending_page.json"))));
}

#[test]
fn templates_compare_as_json_not_bytes() {
    let template =
        json!({"Resources": {"A": {"Type": "AWS::SNS::Topic"}}, "AWSTemplateFormatVersion": "2010-09-09"});
    let reordered = r#"{ "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": { "A": { "Type": "AWS::SNS::Topic" } } }"#;
    let params: BTreeMap<String, String> = [("CoreVpcId".to_string(), "/x/vpc_id".to_string())].into();
    assert!(is_unchanged(reordered, &params, &template, &params));
    assert!(!is_unchanged(reordered, &BTreeMap::new(), &template, &params), "parameters differ");
    assert!(!is_unchanged("Resources: {}", &params, &template, &params), "YAML or garbage is never equal");
}

#[test]
fn a_template_only_plan_adds_every_resource() {
    let template =
        json!({"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}, "P": {"Type": "AWS::SSM::Parameter"}}});
    let added = all_added(&template);
    assert_eq!(added.len(), 2);
    assert!(added.iter().all(|c| c.action == "Add"));
}

#[test]
fn stateful_resources_without_retain_policies_are_found() {
    let template = json!({"Resources": {
        "Kept": {"Type": "AWS::Logs::LogGroup", "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain"},
        "Db": {"Type": "AWS::RDS::DBInstance", "DeletionPolicy": "Snapshot", "UpdateReplacePolicy": "Snapshot"},
        "Lost": {"Type": "AWS::Logs::LogGroup"},
        "Half": {"Type": "AWS::S3::Bucket", "DeletionPolicy": "Retain"},
        "Topic": {"Type": "AWS::SNS::Topic"}
    }});
    let found: Vec<String> = unretained(&template).into_iter().map(|(id, _)| id).collect();
    assert_eq!(found, ["Lost", "Half"]);
}
