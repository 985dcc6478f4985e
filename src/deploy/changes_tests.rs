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

/// The refusals over recorded changes; the deployed resources have no policies
/// except the log group's.
fn refusals(
    changes: &[ResourceChange],
    published: &BTreeSet<String>,
    allowed: &[String],
    protect: bool,
) -> Vec<Refusal> {
    let kept = json!({"DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain"});
    changes
        .iter()
        .filter_map(|change| {
            let replacement = Replacement::of(change, &[]);
            let deployed = (change.resource_type == "AWS::Logs::LogGroup").then_some(&kept);
            refusal(&Candidate { change, replacement, deployed }, published, allowed, protect)
        })
        .collect()
}

#[test]
fn replacing_or_removing_stateful_resources_is_refused() {
    let published: BTreeSet<String> = ["PublishedVpcId".to_string()].into();
    let refused = refusals(&replacements(), &published, &[], true);
    let ids: Vec<(&str, &str)> = refused.iter().map(|r| (r.logical_id.as_str(), r.what)).collect();
    assert_eq!(
        ids,
        [("CoreDbInstance", "replaces"), ("ImagesRepository", "may replace"), ("PublishedVpcId", "removes")],
        "the log group is modified in place (False), the ECS service is stateless, the topic is added"
    );
    assert!(refused[0].describe().contains("its data is deleted with it"));
    assert!(refused[0].describe().contains("--allow-replace CoreDbInstance"));
}

#[test]
fn allow_replace_lets_exactly_the_named_resources_through() {
    let published: BTreeSet<String> = ["PublishedVpcId".to_string()].into();
    let allowed = vec!["CoreDbInstance".to_string(), "PublishedVpcId".to_string()];
    let refused = refusals(&replacements(), &published, &allowed, true);
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0].logical_id, "ImagesRepository");
}

#[test]
fn an_ssm_parameter_nobody_reads_may_go() {
    let refused = refusals(&replacements(), &BTreeSet::new(), &[], true);
    assert!(refused.iter().all(|r| r.logical_id != "PublishedVpcId"));
}

#[test]
fn an_unknown_replacement_of_a_stateful_resource_is_refused_like_a_known_one() {
    let change = ResourceChange {
        action: "Modify".into(),
        logical_resource_id: "Key".into(),
        resource_type: "AWS::KMS::Key".into(),
        ..ResourceChange::default()
    };
    let replacement = Replacement::of(&change, &[]);
    assert_eq!(replacement, Some(Replacement::Unknown), "an emulator says nothing");
    let refused =
        refusal(&Candidate { change: &change, replacement, deployed: None }, &BTreeSet::new(), &[], false);
    assert_eq!(refused.map(|r| r.what), Some("may replace"));
}

#[test]
fn what_happens_to_the_data_follows_the_deployed_policies() {
    let retained = json!({"DeletionPolicy": "Retain", "UpdateReplacePolicy": "Snapshot"});
    assert_eq!(Fate::of(Some(&retained), true), Fate::Retained);
    assert_eq!(Fate::of(Some(&retained), false), Fate::Snapshotted);
    assert_eq!(Fate::of(None, true), Fate::Deleted);
    let bucket = ResourceChange {
        action: "Remove".into(),
        logical_resource_id: "Assets".into(),
        resource_type: "AWS::S3::Bucket".into(),
        ..ResourceChange::default()
    };
    let candidate = Candidate { change: &bucket, replacement: None, deployed: Some(&retained) };
    let in_prod = refusal(&candidate, &BTreeSet::new(), &[], true).expect("protected: refused");
    assert!(in_prod.describe().contains("retained in the account and orphaned"), "{}", in_prod.describe());
    assert_eq!(
        refusal(&candidate, &BTreeSet::new(), &[], false),
        None,
        "unprotected: retained data may be orphaned"
    );
    let lost = Candidate { change: &bucket, replacement: None, deployed: None };
    assert!(
        refusal(&lost, &BTreeSet::new(), &[], false).is_some(),
        "data that would be deleted is refused everywhere"
    );
}

#[test]
fn a_replacement_from_properties_when_cloudformation_says_none() {
    use crate::deploy::props::{PropertyChange, Recreation};
    let modify = ResourceChange { action: "Modify".into(), ..ResourceChange::default() };
    let property = |recreation| PropertyChange {
        path: "X".into(),
        before: None,
        after: None,
        recreation,
        cause: None,
        source: None,
    };
    assert_eq!(Replacement::of(&modify, &[property(Recreation::Never)]), Some(Replacement::False));
    assert_eq!(
        Replacement::of(&modify, &[property(Recreation::Never), property(Recreation::Always)]),
        Some(Replacement::True)
    );
    assert_eq!(Replacement::of(&modify, &[property(Recreation::Unknown)]), Some(Replacement::Unknown));
    let add = ResourceChange { action: "Add".into(), ..ResourceChange::default() };
    assert_eq!(Replacement::of(&add, &[]), None);
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
