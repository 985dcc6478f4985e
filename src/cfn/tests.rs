//! Lowering tests: small specs in, template JSON and diagnostics out.

use serde_json::json;

use super::lower;
use crate::diag::Code;
use crate::{run_pipeline, workspace::Workspace};

const PROJECT: &str = r#"
project shop {
  environments { dev }
  settings { size: int }
  params = "/shop/infra"
}
environment dev { region = us_east_1, size = 2 }
"#;

fn lowered(layers: &str) -> (crate::Report, super::Lowered) {
    let text = format!("{PROJECT}\n{layers}");
    let report = run_pipeline(Workspace::from_memory(&[("spec.mdl", &text)]));
    let model = report.models.first().cloned().unwrap_or_default();
    let lowered = lower(&model);
    (report, lowered)
}

fn codes(report: &crate::Report) -> Vec<Code> {
    report.diagnostics.iter().map(|d| d.code).collect()
}

#[test]
fn published_values_become_ssm_parameters_and_template_parameters() {
    let (report, lowered) = lowered(
        r#"
layer core {
  resource "AWS::SNS::Topic" alerts { TopicName = "alerts" }
  publish topic_arn = alerts.ref
}
layer app {
  resource "AWS::SQS::Queue" jobs { QueueName = "jobs-${core.topic_arn}" }
}
"#,
    );
    assert!(report.diagnostics.is_empty(), "{:#?}", report.diagnostics);
    let [core, app] = lowered.stacks.as_slice() else { panic!("two stacks: {:?}", lowered.stacks) };
    assert_eq!(core.stack_name, "shop-dev-core");
    assert_eq!(
        core.template["Resources"]["PublishedTopicArn"],
        json!({
            "Type": "AWS::SSM::Parameter",
            "Properties": {
                "Name": "/shop/infra/topic_arn",
                "Type": "String",
                "Value": { "Ref": "Alerts" },
                "Description": "`topic_arn`, published by layer core for the layers after it"
            }
        })
    );
    assert_eq!(app.depends_on, ["core"]);
    assert_eq!(app.parameters.get("CoreTopicArn").map(String::as_str), Some("/shop/infra/topic_arn"));
    assert_eq!(app.template["Parameters"]["CoreTopicArn"]["Type"], "AWS::SSM::Parameter::Value<String>");
    assert_eq!(
        app.template["Resources"]["Jobs"]["Properties"]["QueueName"],
        json!({ "Fn::Sub": "jobs-${CoreTopicArn}" })
    );
    assert!(!app.template_body().contains("ImportValue"));
}

#[test]
fn a_value_read_but_used_by_no_resource_declares_no_parameter() {
    let (report, lowered) = lowered(
        r#"
construct pair {
  a: deploy<string>
  b: deploy<string>
  resource "AWS::SQS::Queue" q { QueueName = a }
  output unused = b
}
layer core {
  publish first = "one"
  publish second = "two"
}
layer app {
  p = pair { a = core.first, b = core.second }
}
"#,
    );
    assert!(report.diagnostics.is_empty(), "{:#?}", report.diagnostics);
    let app = &lowered.stacks[1];
    let declared: Vec<&String> = app.parameters.keys().collect();
    assert_eq!(declared, ["CoreFirst"]);
    assert!(app.template["Parameters"].get("CoreSecond").is_none(), "{}", app.template);
    // The layer still deploys after the one it reads from.
    assert_eq!(app.depends_on, ["core"]);
}

#[test]
fn unknown_properties_get_a_suggestion_at_the_value() {
    let (report, _) = lowered(r#"layer core { resource "AWS::SNS::Topic" alerts { TopicNme = "alerts" } }"#);
    let diagnostic = report.diagnostics.iter().find(|d| d.code == Code::UnknownProperty).expect("E0505");
    assert_eq!(diagnostic.help.as_deref(), Some("did you mean `TopicName`?"));
    assert_eq!(report.workspace.sources.slice(diagnostic.primary.span), "\"alerts\"");
}

#[test]
fn missing_required_properties_and_wrong_types_and_enums() {
    let (report, _) = lowered(
        r#"layer core {
  resource "AWS::SSM::Parameter" p { Name = "/x", Value = "v" }
  resource "AWS::SQS::Queue" q { DelaySeconds = "soon" }
  resource "AWS::ECS::Service" s { LaunchType = "FARGTE" }
}"#,
    );
    let found = codes(&report);
    assert!(found.contains(&Code::MissingProperty), "{found:?}");
    assert!(found.contains(&Code::WrongPropertyType), "{found:?}");
    let not_in_enum = report.diagnostics.iter().find(|d| d.code == Code::NotInEnum).expect("E0508");
    assert_eq!(not_in_enum.help.as_deref(), Some("did you mean `FARGATE`?"));
}

#[test]
fn unknown_types_and_attributes_are_reported() {
    let (report, _) = lowered(
        r#"layer core {
  resource "AWS::SNS::Topik" t {}
  resource "AWS::SNS::Topic" alerts {}
  resource "AWS::SQS::Queue" q { QueueName = alerts.TopicArnn }
}"#,
    );
    let unknown_type =
        report.diagnostics.iter().find(|d| d.code == Code::UnknownResourceType).expect("E0503");
    assert_eq!(unknown_type.help.as_deref(), Some("did you mean `AWS::SNS::Topic`?"));
    let attribute = report.diagnostics.iter().find(|d| d.code == Code::UnknownAttribute).expect("E0509");
    assert_eq!(attribute.help.as_deref(), Some("did you mean `TopicArn`?"));
}

#[test]
fn quantities_must_be_converted() {
    let (report, _) = lowered(r#"layer core { resource "AWS::SQS::Queue" q { DelaySeconds = 5 min } }"#);
    let diagnostic = report.diagnostics.iter().find(|d| d.code == Code::QuantityInTemplate).expect("E0501");
    assert_eq!(report.workspace.sources.slice(diagnostic.primary.span), "5 min");
    let (report, lowered) =
        lowered(r#"layer core { resource "AWS::SQS::Queue" q { DelaySeconds = units(5 min) } }"#);
    assert!(report.diagnostics.is_empty(), "{:#?}", report.diagnostics);
    assert_eq!(lowered.stacks[0].template["Resources"]["Q"]["Properties"]["DelaySeconds"], json!(300));
}

#[test]
fn types_missing_from_the_region_are_refused() {
    let text = PROJECT.replace("us_east_1", "af_south_1");
    let spec = format!("{text}\nlayer core {{ resource \"AWS::AppRunner::Service\" web {{}} }}");
    let report = run_pipeline(Workspace::from_memory(&[("spec.mdl", &spec)]));
    assert!(codes(&report).contains(&Code::TypeNotInRegion), "{:#?}", report.diagnostics);
}

#[test]
fn depends_on_names_logical_ids_and_output_is_deterministic() {
    let layers = r#"layer core {
  resource "AWS::SNS::Topic" alerts {}
  resource "AWS::SQS::Queue" q {} with { DependsOn = [alerts.ref], DeletionPolicy = "Retain" }
}"#;
    let (_, first) = lowered(layers);
    let (_, second) = lowered(layers);
    let queue = &first.stacks[0].template["Resources"]["Q"];
    assert_eq!(queue["DependsOn"], json!(["Alerts"]));
    assert_eq!(queue["DeletionPolicy"], "Retain");
    assert_eq!(first.stacks[0].template_body(), second.stacks[0].template_body());
}

#[test]
fn depends_on_nothing_leaves_depends_on_out() {
    let layers = r#"layer core {
  resource "AWS::SNS::Topic" alerts {} with { Condition = false }
  resource "AWS::SQS::Queue" q {} with { DependsOn = if false { [alerts.ref] } else { none } }
  resource "AWS::SQS::Queue" r {} with { DependsOn = [] }
}"#;
    let (_, lowered) = lowered(layers);
    let resources = &lowered.stacks[0].template["Resources"];
    assert!(resources["Q"].get("DependsOn").is_none(), "{resources}");
    assert!(resources["R"].get("DependsOn").is_none(), "{resources}");
}

#[test]
fn a_template_over_the_inline_limit_warns_with_the_s3_route() {
    let topics: String = (0..400)
        .map(|i| {
            format!("resource \"AWS::SNS::Topic\" topic_{i} {{ TopicName = \"{}-{i}\" }}\n", "t".repeat(100))
        })
        .collect();
    let (report, _) = lowered(&format!("layer core {{\n{topics}}}"));
    let warning = report.diagnostics.iter().find(|d| d.code == Code::TemplateNeedsS3).expect("W0501");
    assert!(warning.help.as_deref().is_some_and(|h| h.contains("S3")));
}

#[test]
fn the_graph_draws_references_and_ssm_reads_between_layers() {
    let (report, _) = lowered(
        r#"
layer core {
  resource "AWS::SNS::Topic" alerts { TopicName = "alerts" }
  resource "AWS::SQS::Queue" dead {} with { DependsOn = [alerts.ref] }
  publish topic_arn = alerts.ref
}
layer app {
  resource "AWS::SQS::Queue" jobs { QueueName = "jobs-${core.topic_arn}" }
}
"#,
    );
    let model = &report.models[0];
    let edges: Vec<(String, String, Option<String>)> =
        super::graph::edges(model).into_iter().map(|e| (e.from, e.to, e.label)).collect();
    assert_eq!(
        edges,
        [
            (
                "app/Jobs".to_string(),
                "core/PublishedTopicArn".to_string(),
                Some("/shop/infra/topic_arn".to_string())
            ),
            ("core/Dead".to_string(), "core/Alerts".to_string(), None),
            ("core/PublishedTopicArn".to_string(), "core/Alerts".to_string(), None),
        ]
    );
    assert_eq!(
        super::graph::layer_edges(model),
        [("app".to_string(), "core".to_string(), vec!["/shop/infra/topic_arn".to_string()])]
    );
    let dot = super::graph::dot(model);
    assert!(dot.contains(
        "\"app/Jobs\" -> \"core/PublishedTopicArn\" [label=\"/shop/infra/topic_arn\", style=dashed];"
    ));
    let mermaid = super::graph::layers_mermaid(model);
    assert!(mermaid.contains("app -- \"/shop/infra/topic_arn\" --> core"), "{mermaid}");
}

#[test]
fn a_published_list_is_a_string_list_read_whole_or_by_element() {
    let (report, lowered) = lowered(
        r#"
layer core {
  resource "AWS::SNS::Topic" a { TopicName = "a" }
  resource "AWS::SNS::Topic" b { TopicName = "b" }
  publish topics = [a.ref, b.ref]
  publish names = ["a", "b"]
}
layer app {
  resource "AWS::SSM::Parameter" every {
    Type = "StringList"
    Value = "x"
    AllowedPattern = core.topics[1]
    Tags = { count = "${len(core.topics)}", names = join(core.names, "+") }
  }
  resource "AWS::EC2::SecurityGroup" group {
    GroupDescription = "g"
    Tags = [{ Key = "k", Value = t } for t in core.topics]
  }
  resource "AWS::ElastiCache::SubnetGroup" subnets {
    Description = "s"
    SubnetIds = core.topics
  }
}
"#,
    );
    assert!(report.diagnostics.is_empty(), "{:#?}", report.diagnostics);
    let [core, app] = lowered.stacks.as_slice() else { panic!("two stacks: {:?}", lowered.stacks) };
    let topics = &core.template["Resources"]["PublishedTopics"]["Properties"];
    assert_eq!(topics["Type"], "StringList");
    assert_eq!(topics["Value"], json!({ "Fn::Join": [",", [{ "Ref": "A" }, { "Ref": "B" }]] }));
    assert_eq!(core.template["Resources"]["PublishedNames"]["Properties"]["Value"], "a,b");
    let parameter = &app.template["Parameters"]["CoreTopics"];
    assert_eq!(parameter["Type"], "AWS::SSM::Parameter::Value<List<String>>");
    assert_eq!(parameter["Default"], "/shop/infra/topics");
    let resources = &app.template["Resources"];
    let select = |i: usize| json!({ "Fn::Select": [i, { "Ref": "CoreTopics" }] });
    assert_eq!(resources["Every"]["Properties"]["AllowedPattern"], select(1));
    assert_eq!(resources["Every"]["Properties"]["Tags"]["count"], "2");
    let names = json!({ "Fn::Sub": ["${Part0}+${Part1}", { "Part0": { "Fn::Select": [0, { "Ref": "CoreNames" }] }, "Part1": { "Fn::Select": [1, { "Ref": "CoreNames" }] } }] });
    assert_eq!(resources["Every"]["Properties"]["Tags"]["names"], names);
    let tags = &resources["Group"]["Properties"]["Tags"];
    assert_eq!(tags[1], json!({ "Key": "k", "Value": select(1) }));
    assert_eq!(resources["Subnets"]["Properties"]["SubnetIds"], json!({ "Ref": "CoreTopics" }));
}

#[test]
fn a_list_index_past_the_end_is_reported_where_it_is_written() {
    let (report, _) = lowered(
        r#"
layer core {
  publish names = ["a", "b"]
}
layer app {
  third = core.names[2]
}
"#,
    );
    assert_eq!(codes(&report), [Code::IndexOutOfRange]);
    assert_eq!(report.diagnostics[0].message, "index 2 is out of range for a list of 2");
}

#[test]
fn the_measured_body_is_the_body_sent() {
    let stack = super::Stack {
        layer: "core".into(),
        stack_name: "shop-dev-core".into(),
        template: json!({
            "Resources": {
                "{{resolve:ssm:/in/a/key}}": { "Type": "AWS::SNS::Topic" },
                "Q": { "Properties": {
                    "A": "{{resolve:ssm:/a}}",
                    "B": "line\n\"quoted\" {{resolve:ssm:/b}}{{resolve:ssm:/c}} ünïcode \u{1}",
                    "C": "{{resolve:\n{{resolve\"{{{resolve:",
                    "D": [0, 1, 9, 10, 99, 100, -1, -9, -10, 1000000, 2.0, 2.5, true, false, null, -3, u64::MAX, i64::MIN, 1e300, -0.0, 0.1],
                    "E": [[], {}, [{}], { "": "" }],
                    "F": (0u8..=0x7f).map(char::from).collect::<String>(),
                    "G": ["plain text, sixteen", "abcdefgh\"ijk", "abcdefghijklmno\u{1f}", "0123456\\", "abcdefgh\\x", "1234567{{resolve:x"],
                }},
            }
        }),
        depends_on: Vec::new(),
        parameters: Default::default(),
        property_spans: Default::default(),
    };
    let body = stack.deploy_body();
    let expected =
        super::BodySize { bytes: body.len(), dynamic_references: body.matches("{{resolve:").count() };
    assert_eq!(expected.dynamic_references, 7);
    assert_eq!(stack.deploy_body_size(), expected);
}

#[test]
fn property_spans_are_recorded_only_for_deploy_plans() {
    let text = format!(
        "{PROJECT}\n{}",
        r#"
layer core {
  resource "AWS::SNS::Topic" alerts {
    TopicName = "alerts"
    Tags = [{ Key = "team", Value = "shop" }]
  }
  publish topic_arn = alerts.ref
}
"#
    );
    let report = run_pipeline(Workspace::from_memory(&[("spec.mdl", &text)]));
    assert!(report.diagnostics.is_empty(), "{:#?}", report.diagnostics);
    let model = &report.models[0];
    let plain = lower(model);
    let planned = super::lower_for_deploy(model);
    assert_eq!(plain.stacks[0].template, planned.stacks[0].template);
    assert!(plain.stacks[0].property_spans.is_empty());
    let spans = &planned.stacks[0].property_spans;
    let paths: Vec<&str> = spans["Alerts"].keys().map(String::as_str).collect();
    assert_eq!(paths, ["Tags", "Tags[0]", "Tags[0].Key", "Tags[0].Value", "TopicName"]);
    assert_eq!(spans["PublishedTopicArn"].keys().collect::<Vec<_>>(), ["Value"]);
}
