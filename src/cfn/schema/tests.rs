//! The digest, its region table and facts, pattern translation, and the value
//! checks through whole small specs.

use super::pattern::{self, Untranslatable};
use super::*;
use crate::diag::{Code, Diagnostic};
use crate::{run_pipeline, workspace::Workspace};

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

#[test]
fn facts_say_which_property_is_the_physical_name() {
    let name = |type_name: &str| resource_facts(type_name).and_then(|f| f.physical_name_property());
    assert_eq!(name("AWS::S3::Bucket"), Some("BucketName"));
    assert_eq!(name("AWS::IAM::Role"), Some("RoleName"));
    assert_eq!(name("AWS::KMS::Alias"), Some("AliasName"));
    assert_eq!(name("AWS::ECS::Cluster"), Some("ClusterName"));
    assert_eq!(name("AWS::Logs::LogGroup"), Some("LogGroupName"));
    assert_eq!(name("AWS::SNS::Topic"), None, "identified by its generated ARN");
    assert_eq!(name("AWS::ECS::Service"), None, "identified by two properties");
    assert_eq!(name("AWS::Nope::Nope"), None);
}

#[test]
fn patterns_translate_to_the_lite_dialect() {
    let cases = [
        (r"^[a-z]+$", r"^[a-z]+(?:\n?\z)"),
        (r"^[.\-_/#A-Za-z0-9]{1,512}\Z", r"^[.\-_/#A-Za-z0-9]+(?:\n?\z)"),
        (r"^\d{12}$", r"^[\x{30}-\x{39}]{12}(?:\n?\z)"),
        (r"^(?=.{2,256}$)[a-z0-9]+$", r"^[a-z0-9]+(?:\n?\z)"),
        (r"^(\/(?!\.)+[^$#]+)$", r"^(\/[^$#]+)(?:\n?\z)"),
        (r"^[a,[\]]*$", r"^[a,\[\]]*(?:\n?\z)"),
        (r"^{%\w", r"^\{%[\x{30}-\x{39}\x{41}-\x{5A}\x{5F}\x{61}-\x{7A}]"),
    ];
    for (ecma, lite) in cases {
        assert_eq!(pattern::translate(ecma).as_deref(), Ok(lite), "{ecma}");
    }
    assert_eq!(pattern::translate(r"^[\u0020-\uD7FF\uE000-\uFFFD\uD800]*$"), Err(Untranslatable::Surrogate));
    assert_eq!(pattern::translate(r"^(a)\1$"), Err(Untranslatable::BackReference));
    assert_eq!(pattern::translate(r"^[\p{Print}&&[^|]]+$"), Err(Untranslatable::ClassOperator));
    assert_eq!(pattern::translate(r"^\p{Greek}+$"), Err(Untranslatable::UnknownClass));
}

#[test]
fn translated_patterns_never_reject_what_the_schema_accepts() {
    let accepts = |ecma: &str, text: &str| pattern::compile(ecma).expect(ecma).is_match(text);
    // A dropped look-ahead only widens the pattern; the rest still holds.
    assert!(accepts(r"^(?=.{2,256}$)[a-z0-9]+$", "a"));
    assert!(!accepts(r"^(?=.{2,256}$)[a-z0-9]+$", "MyRepo"));
    // Java and Python let `$` and `\Z` match before a final newline.
    assert!(accepts(r"^[a-z]+$", "abc\n"));
    assert!(!accepts(r"^[a-z]+$", "abc\nd"));
    // Long counts are relaxed; short ones kept.
    assert!(accepts(r"^[a-z]{1,255}$", &"a".repeat(300)));
    assert!(!accepts(r"^[a-z]{1,64}$", &"a".repeat(65)));
    assert!(!accepts(r"^[0-9]{12}$", "1234"));
    // `[\w-.]`: the `-` is a character in ECMA-262, not a range.
    assert!(accepts(r"^[\w-.]+$", "a-b.c"));
    assert!(!accepts(r"^[\w-.]+$", "a b"));
    // ECMA-262 `\s` is Unicode's spaces, `\w` and `\d` are ASCII.
    assert!(accepts(r"^a\sb$", "a\u{a0}b"));
    assert!(!accepts(r"^\S+$", "a b"));
    assert!(!accepts(r"^\w+$", "é"));
    assert!(accepts(r"^[^\W]+$", "abc_1"));
    // Unicode categories keep their ASCII members and take any other character.
    assert!(accepts(r"^[\p{L}\p{N} ]+$", "Crème 9"));
    assert!(!accepts(r"^[\p{L}\p{N} ]+$", "a;b"));
    assert!(accepts(r"^[^\p{C}]*$", "tab-free é"));
    assert!(!accepts(r"^[^\p{C}]*$", "tab\there"));
    assert!(accepts(r"^\p{Print}+$", "printable é"));
    assert!(!accepts(r"^\p{Print}+$", "bell\u{7}"));
    assert!(!accepts(r"^\P{N}+$", "a1"));
    // Searched, not anchored, as JSON schema patterns are.
    assert!(accepts(r"[A-Z]", "abC"));
}

#[test]
fn the_ascii_members_of_unicode_categories_are_unicodes() {
    for name in ["L", "Lu", "Ll", "N", "Nd", "Z", "Zs", "P", "S", "C", "Cc", "M", "Cf", "ASCII"] {
        let unicode = regex::Regex::new(&format!(r"^\p{{{name}}}$")).expect(name);
        // (`\u0100` keeps the class from being empty for a category with no ASCII member.)
        let translated = pattern::compile(&format!(r"^[^\p{{{name}}}\u0100]$")).expect(name);
        for c in (0u8..0x80).map(char::from) {
            // In a negated class a category keeps exactly its ASCII members.
            let text = c.to_string();
            assert_eq!(unicode.is_match(&text), !translated.is_match(&text), "{name} {c:?}");
        }
    }
}

#[test]
fn almost_every_pattern_of_the_digest_is_checked() {
    // `schemas/README.md` gives these counts; refresh it with them.
    let mut skipped = std::collections::BTreeMap::new();
    for index in 0..digest::PATTERN_COUNT {
        let source = digest::pattern(index).expect("pattern text");
        if let Err(why) = pattern::compile(&source) {
            *skipped.entry(format!("{why:?}")).or_insert(0) += 1;
        }
    }
    let readme = include_str!("../schemas/README.md");
    for (why, count) in &skipped {
        let line = format!("| `{why}` | {count} |");
        assert!(readme.contains(&line), "README.md lacks `{line}`: {skipped:?}");
    }
    assert!(skipped.values().sum::<usize>() < digest::PATTERN_COUNT / 100, "{skipped:?}");
}

const PROJECT: &str = r#"
project shop {
  environments { dev }
  settings { retention: int, repository: string }
  params = "/shop/infra"
}
environment dev { region = us_east_1, retention = 1000, repository = "Shop/Images" }
"#;

fn diagnostics(layers: &str) -> (crate::Report, Vec<Diagnostic>) {
    let text = format!("{PROJECT}\n{layers}");
    let report = run_pipeline(Workspace::from_memory(&[("spec.mdl", &text)]));
    let found = report.diagnostics.clone();
    (report, found)
}

fn only(found: &[Diagnostic], code: Code) -> &Diagnostic {
    let matching: Vec<&Diagnostic> = found.iter().filter(|d| d.code == code).collect();
    assert_eq!(matching.len(), 1, "one {code}: {found:#?}");
    matching[0]
}

#[test]
fn numbers_outside_the_schema_range_are_located() {
    let (report, found) = diagnostics(
        r#"layer core {
  resource "AWS::SQS::Queue" a { DelaySeconds = 901 }
  resource "AWS::SQS::Queue" b { DelaySeconds = 900, MaximumMessageSize = "1023" }
  resource "AWS::SQS::Queue" c { DelaySeconds = env.retention }
}"#,
    );
    let codes: Vec<Code> = found.iter().map(|d| d.code).collect();
    assert_eq!(codes, [Code::PropertyOutOfRange; 3], "{found:#?}");
    let by_value =
        |value: &str| found.iter().find(|d| d.message.ends_with(&format!("found {value}"))).expect(value);
    let literal = by_value("901");
    assert_eq!(literal.message, "`DelaySeconds` of `AWS::SQS::Queue` must be between 0 and 900, found 901");
    assert_eq!(report.workspace.sources.slice(literal.primary.span), "901");
    assert!(literal.secondary.is_empty(), "the value is inside its resource");
    let numeric_string = by_value("1023");
    assert!(numeric_string.message.contains("between 1024 and 1048576"), "{}", numeric_string.message);
    // The setting's own line, and the resource it reached.
    let setting = by_value("1000");
    assert_eq!(report.workspace.sources.slice(setting.primary.span), "1000");
    assert_eq!(setting.secondary.len(), 1, "{setting:#?}");
}

#[test]
fn string_lengths_and_patterns_are_checked() {
    let (report, found) = diagnostics(&format!(
        r#"layer core {{
  resource "AWS::ECR::Repository" images {{ RepositoryName = env.repository }}
  resource "AWS::SNS::Topic" alerts {{ TopicName = "{}" }}
}}"#,
        "t".repeat(257)
    ));
    let pattern = only(&found, Code::PropertyPattern);
    assert_eq!(report.workspace.sources.slice(pattern.primary.span), "\"Shop/Images\"");
    let help = pattern.help.as_deref().unwrap_or_default();
    assert!(help.ends_with("`shop/images` would match"), "{help}");
    let length = only(&found, Code::PropertyLength);
    assert_eq!(
        length.message,
        "`TopicName` of `AWS::SNS::Topic` must be at most 256 characters long, found 257 characters"
    );
    assert_eq!(found.len(), 2, "{found:#?}");
}

#[test]
fn item_counts_are_checked() {
    let (_, found) = diagnostics(
        r#"layer core {
  resource "AWS::Lambda::Function" f {
    Role = "arn:aws:iam::123456789012:role/x", Code = { ZipFile = "x" }, Handler = "a.b", Runtime = "python3.12"
    Architectures = ["x86_64", "arm64"]
  }
}"#,
    );
    let count = only(&found, Code::PropertyItemCount);
    assert_eq!(count.message, "`Architectures` of `AWS::Lambda::Function` must have exactly 1 item, found 2");
}

#[test]
fn deploy_time_values_are_never_checked() {
    let (_, found) = diagnostics(
        r#"layer core {
  resource "AWS::SNS::Topic" alerts {}
  resource "AWS::ECR::Repository" images { RepositoryName = "Images-${alerts.TopicName}" }
  resource "AWS::SQS::Queue" q { QueueName = alerts.TopicName, DelaySeconds = 5 }
}"#,
    );
    assert!(found.is_empty(), "{found:#?}");
}
