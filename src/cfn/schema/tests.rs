//! The digest, its region table and its facts.

use super::*;

#[test]
fn every_type_of_the_digest_decodes() {
    let names: Vec<&str> = digest::type_names().collect();
    assert!(names.len() > 1800, "{}", names.len());
    assert!(names.windows(2).all(|w| w[0] < w[1]), "the index is sorted for binary search");
    for name in names {
        assert!(resource_type(name).is_some(), "{name} does not decode");
    }
}

#[test]
fn decoded_shapes_carry_the_constraints() {
    let queue = resource_type("AWS::SQS::Queue").expect("queue");
    let Some(Shape::Scalar(delay)) = queue.properties.get("DelaySeconds") else { panic!("scalar") };
    assert_eq!(delay.kind, Kind::Integer);
    let bounds = (
        delay.range.min.as_ref().map(|(n, x)| (n.to_string(), *x)),
        delay.range.max.as_ref().map(|(n, x)| (n.to_string(), *x)),
    );
    assert_eq!(bounds, (Some(("0".into(), false)), Some(("900".into(), false))));
    let repository = resource_type("AWS::ECR::Repository").expect("repository");
    let Some(Shape::Scalar(name)) = repository.properties.get("RepositoryName") else { panic!("scalar") };
    assert_eq!(name.length, CountRange { min: Some(2), max: Some(256) });
    let source = name.pattern.and_then(digest::pattern).expect("a pattern");
    assert!(source.contains("[a-z0-9]+"), "{source}");
    let function = resource_type("AWS::Lambda::Function").expect("function");
    let Some(Shape::List(architectures)) = function.properties.get("Architectures") else { panic!("list") };
    assert_eq!(architectures.count, CountRange { min: Some(1), max: Some(1) });
}

/// The region codes of the prelude's `enum Region`.
fn prelude_regions() -> Vec<String> {
    let prelude = crate::stdlib::module(crate::stdlib::PRELUDE).expect("prelude");
    let body =
        prelude.split("enum Region {").nth(1).and_then(|rest| rest.split('}').next()).expect("enum Region");
    body.lines().filter_map(|line| line.split('"').nth(1)).map(str::to_string).collect()
}

#[test]
fn every_region_mdl_knows_is_in_the_digest() {
    let known = prelude_regions();
    assert!(known.len() >= 30, "{known:?}");
    // cfn-lint ships no schemas for me-south-1 (`schemas/README.md`): there
    // availability is unknown, and nothing is reported.
    let missing: Vec<&str> = known.iter().map(String::as_str).filter(|r| !regions().contains(r)).collect();
    assert_eq!(missing, ["me-south-1"]);
    assert_eq!(available_in("AWS::SNS::Topic", "me-south-1"), None);
    for region in known.iter().filter(|r| r.as_str() != "me-south-1") {
        assert_eq!(available_in("AWS::SNS::Topic", region), Some(true), "{region}");
    }
}

#[test]
fn availability_is_known_for_every_region() {
    assert_eq!(available_in("AWS::AppRunner::Service", "us-east-1"), Some(true));
    assert_eq!(available_in("AWS::AppRunner::Service", "af-south-1"), Some(false));
    assert_eq!(available_in("AWS::AppRunner::Service", "sa-east-1"), Some(false));
    assert_eq!(available_in("AWS::AppRunner::Service", "eu-west-1"), Some(true));
    // Offered in one region only, and not in the first one of the old digest.
    assert_eq!(available_in("AWS::DeviceFarm::Project", "us-west-2"), Some(true));
    assert_eq!(available_in("AWS::DeviceFarm::Project", "us-east-1"), Some(false));
    assert_eq!(available_in("AWS::DeviceFarm::Project", "mars-north-1"), None);
    assert_eq!(available_in("AWS::Nope::Nope", "us-east-1"), None);
}

#[test]
fn facts_say_which_types_hold_data_and_what_replaces() {
    let bucket = resource_facts("AWS::S3::Bucket").expect("bucket");
    assert!(bucket.is_stateful() && bucket.delete_requires_empty());
    let key = resource_facts("AWS::KMS::Key").expect("key");
    assert!(key.is_stateful() && !key.delete_requires_empty());
    let topic = resource_facts("AWS::SNS::Topic").expect("topic");
    assert!(!topic.is_stateful());
    assert!(topic.create_only_properties().contains(&"TopicName"));
    assert!(resource_facts("AWS::Nope::Nope").is_none());

    let db = resource_facts("AWS::RDS::DBInstance").expect("db");
    assert!(db.is_stateful());
    assert!(db.change_replaces("DBInstanceIdentifier"));
    assert!(!db.change_replaces("BackupRetentionPeriod"));
    assert!(!db.change_replaces("DBInstanceIdentifierX"));
    let repository = resource_facts("AWS::ECR::Repository").expect("repository");
    assert!(repository.is_stateful(), "added to cfn-lint's list by refresh.py");
    assert!(repository.change_replaces("EncryptionConfiguration.KmsKey"), "a create-only leaf");
    assert!(repository.change_replaces("EncryptionConfiguration"), "a record holding one");
    assert!(!repository.change_replaces("ImageScanningConfiguration.ScanOnPush"));
}
