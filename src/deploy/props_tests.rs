//! Property changes from recorded AWS shapes (IncludePropertyValues) and from
//! template differences (emulators, which send no details).

use serde_json::json;

use super::*;
use crate::cfn::schema::resource_facts;
use crate::deploy::api::ChangeSetPage;

fn line(file: &str, line: usize) -> SourceLine {
    SourceLine { file: file.into(), line }
}

fn recorded() -> Vec<ResourceChange> {
    let page: ChangeSetPage =
        serde_json::from_str(include_str!("../../tests/deploy/fixtures/property_values.json"))
            .expect("fixture");
    page.changes.into_iter().filter_map(|c| c.resource_change).collect()
}

#[test]
fn aws_details_give_paths_values_and_recreation_with_the_spec_line_that_wrote_them() {
    let changes = recorded();
    let db = &changes[0];
    let deployed =
        json!({"Type": "AWS::RDS::DBInstance", "Properties": {"BackupRetentionPeriod": 1, "DBName": "shop"}});
    let new =
        json!({"Type": "AWS::RDS::DBInstance", "Properties": {"BackupRetentionPeriod": 3, "DBName": "shop"}});
    let sources = BTreeMap::from([("BackupRetentionPeriod".to_string(), line("specs/dev.mdl", 16))]);
    let found = property_changes(db, Some(&deployed), Some(&new), &sources, None);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].path, "BackupRetentionPeriod");
    assert_eq!(found[0].before, Some(json!(1)));
    assert_eq!(found[0].after, Some(json!(3)));
    assert_eq!(found[0].recreation, Recreation::Never);
    assert_eq!(found[0].source, Some(line("specs/dev.mdl", 16)));
}

#[test]
fn a_value_read_from_ssm_is_shown_by_name_never_resolved() {
    let changes = recorded();
    let sg = &changes[1];
    let body = json!({"Type": "AWS::EC2::SecurityGroup", "Properties": {"VpcId": {"Ref": "CoreVpcId"}}});
    let found = property_changes(sg, Some(&body), Some(&body), &BTreeMap::new(), None);
    assert_eq!(found[0].path, "VpcId");
    assert_eq!(found[0].after, Some(json!({"Ref": "CoreVpcId"})), "not AWS's resolved vpc-0123");
    assert_eq!(found[0].recreation, Recreation::Always);
    assert_eq!(found[0].cause.as_deref(), Some("parameter CoreVpcId"));
    let parameters = BTreeMap::from([("CoreVpcId".to_string(), "/shop/vpc_id".to_string())]);
    assert_eq!(display(&json!({"Ref": "CoreVpcId"}), &parameters), "ssm:/shop/vpc_id");
    assert_eq!(
        display(&json!({"Fn::GetAtt": ["Db", "Endpoint.Address"]}), &parameters),
        "Db.Endpoint.Address"
    );
}

#[test]
fn without_details_the_templates_are_diffed_leaf_by_leaf() {
    let change = ResourceChange { action: "Modify".into(), ..ResourceChange::default() };
    let deployed = json!({"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "a", "Tags": [{"Key": "k", "Value": "1"}]}});
    let new = json!({"Type": "AWS::SNS::Topic", "DeletionPolicy": "Retain", "Properties": {"TopicName": "b", "Tags": [{"Key": "k", "Value": "2"}]}});
    let sources = BTreeMap::from([("Tags[0]".to_string(), line("platform.mdl", 9))]);
    let found = property_changes(&change, Some(&deployed), Some(&new), &sources, None);
    let paths: Vec<&str> = found.iter().map(|c| c.path.as_str()).collect();
    assert_eq!(paths, ["DeletionPolicy", "Tags[0].Value", "TopicName"]);
    assert!(found.iter().all(|c| c.recreation == Recreation::Unknown), "no schema knowledge: unknown");
    assert_eq!(found[1].source, Some(line("platform.mdl", 9)), "the nearest written ancestor");
    let facts = resource_facts("AWS::SNS::Topic");
    let known = property_changes(&change, Some(&deployed), Some(&new), &sources, facts);
    assert_eq!(known[0].recreation, Recreation::Never, "a policy never recreates");
    assert_eq!(known[1].recreation, Recreation::Never, "tags change in place");
    assert_eq!(known[2].recreation, Recreation::Always, "TopicName is create-only in the schema");
}

#[test]
fn the_resource_schema_says_which_changes_replace() {
    let change = ResourceChange { action: "Modify".into(), ..ResourceChange::default() };
    let recreation = |ty: &str, deployed: Json, new: Json| {
        let found =
            property_changes(&change, Some(&deployed), Some(&new), &BTreeMap::new(), resource_facts(ty));
        found.iter().map(|c| (c.path.clone(), c.recreation)).collect::<Vec<_>>()
    };
    assert_eq!(
        recreation(
            "AWS::RDS::DBInstance",
            json!({"Properties": {"BackupRetentionPeriod": 1}}),
            json!({"Properties": {"BackupRetentionPeriod": 3}}),
        ),
        [("BackupRetentionPeriod".to_string(), Recreation::Never)]
    );
    assert_eq!(
        recreation(
            "AWS::EC2::VPC",
            json!({"Properties": {"CidrBlock": "10.0.0.0/16"}}),
            json!({"Properties": {"CidrBlock": "10.1.0.0/16"}}),
        ),
        [("CidrBlock".to_string(), Recreation::Always)]
    );
    // A leaf inside a create-only list of records: `ContainerDefinitions.0.Image`.
    assert_eq!(
        recreation(
            "AWS::ECS::TaskDefinition",
            json!({"Properties": {"ContainerDefinitions": [{"Image": "web:1"}]}}),
            json!({"Properties": {"ContainerDefinitions": [{"Image": "web:2"}]}}),
        ),
        [("ContainerDefinitions[0].Image".to_string(), Recreation::Always)]
    );
    assert_eq!(
        recreation("Custom::Thing", json!({"Properties": {"A": 1}}), json!({"Properties": {"A": 2}})),
        [("A".to_string(), Recreation::Unknown)],
        "a type without a schema: nobody knows"
    );
}

#[test]
fn pointers_become_dotted_paths() {
    assert_eq!(dotted("/Properties/Tags/0/Value"), "Tags[0].Value");
    assert_eq!(dotted("/DeletionPolicy"), "DeletionPolicy");
    assert_eq!(dotted("/Properties/a~1b"), "a/b");
}

#[test]
fn a_path_inside_a_reference_shows_the_reference_not_awss_resolved_value() {
    let mut change = recorded()[1].clone();
    if let Some(target) = change.details[0].target.as_mut() {
        target.path = Some("/Properties/SubnetIds/0".into());
        target.after_value = Some("subnet-0resolved".into());
    }
    let body =
        json!({"Type": "AWS::EC2::SecurityGroup", "Properties": {"SubnetIds": {"Ref": "CoreSubnets"}}});
    let found = property_changes(&change, Some(&body), Some(&body), &BTreeMap::new(), None);
    assert_eq!(found[0].path, "SubnetIds[0]");
    assert_eq!(found[0].after, Some(json!({"Ref": "CoreSubnets"})));
    let text = format!("{:?}", found);
    assert!(!text.contains("subnet-0resolved"), "{text}");
}
