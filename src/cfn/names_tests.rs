//! Names AWS would refuse ([`super::names`]) and plain HTTP in protected
//! environments ([`super::exposure`]): small specs through the whole pipeline.

use crate::diag::Code;
use crate::{run_pipeline, workspace::Workspace};

fn report(text: &str) -> crate::Report {
    run_pipeline(Workspace::from_memory(&[("spec.mdl", text)]))
}

fn codes(report: &crate::Report) -> Vec<Code> {
    report.diagnostics.iter().map(|d| d.code).collect()
}

const TOPIC_LAYER: &str = r#"
layer alerts {
  resource "AWS::SNS::Topic" ops {}
  publish topic = ops.TopicArn
}
"#;

#[test]
fn without_params_each_environment_publishes_under_its_own_prefix() {
    let text = format!(
        "project shop {{ environments {{ dev, staging }} }}\nenvironment dev {{ region = us_east_1 }}\nenvironment staging {{ region = us_east_1 }}\n{TOPIC_LAYER}"
    );
    let report = report(&text);
    assert!(report.diagnostics.is_empty(), "{:#?}", report.diagnostics);
    let names: Vec<&str> =
        report.models.iter().map(|m| m.layers[0].publishes[0].parameter.as_str()).collect();
    assert_eq!(names, ["/shop/dev/topic", "/shop/staging/topic"]);
}

#[test]
fn one_prefix_collides_unless_the_accounts_differ() {
    let with_accounts = |dev: &str, staging: &str| {
        format!(
            "project shop {{ environments {{ dev, staging }}\n params = \"/shop\" }}\nenvironment dev {{ region = us_east_1{dev} }}\nenvironment staging {{ region = us_east_1{staging} }}\n{TOPIC_LAYER}"
        )
    };
    let one = r#", account = "111111111111""#;
    let other = r#", account = "222222222222""#;
    assert_eq!(codes(&report(&with_accounts("", ""))), [Code::ParameterCollision]);
    assert_eq!(
        codes(&report(&with_accounts(one, ""))),
        [Code::ParameterCollision],
        "an unnamed account may be the same"
    );
    assert_eq!(codes(&report(&with_accounts(one, one))), [Code::ParameterCollision]);
    assert!(codes(&report(&with_accounts(one, other))).is_empty());
    let regions =
        with_accounts("", "").replace("staging { region = us_east_1", "staging { region = us_east_2");
    assert!(codes(&report(&regions)).is_empty(), "different regions");
}

#[test]
fn a_secret_and_a_publish_of_one_name_in_two_layers_clash() {
    let text = "project shop { environments { dev } }\nenvironment dev { region = us_east_1 }\nlayer a { secret key = \"k\" }\nlayer b {\n  resource \"AWS::SNS::Topic\" t {}\n  publish key = t.TopicArn\n}";
    let report = report(text);
    assert_eq!(codes(&report), [Code::DuplicateParameter]);
    assert_eq!(report.diagnostics[0].message, "two members write the SSM parameter `/shop/dev/key`");
}

#[test]
fn a_bad_prefix_is_reported_once_not_per_name() {
    let text = format!(
        "project shop {{ environments {{ dev }}\n params = \"/my shop\" }}\nenvironment dev {{ region = us_east_1 }}\n{TOPIC_LAYER}\nlayer more {{ secret key = \"k\" }}"
    );
    let report = report(&text);
    assert_eq!(codes(&report), [Code::InvalidParameterName]);
    assert!(report.diagnostics[0].message.contains("a space"), "{:#?}", report.diagnostics);
}

/// A raw internet-facing balancer with an HTTP listener; `{protect}`,
/// `{actions}` and `{metadata}` vary.
fn listener(protect: bool, scheme: &str, actions: &str, metadata: &str) -> String {
    format!(
        r#"project shop {{ environments {{ prod }} }}
environment prod {{ region = us_east_1, protect = {protect} }}
layer web {{
  resource "AWS::ElasticLoadBalancingV2::LoadBalancer" balancer {{
    Scheme  = "{scheme}"
    Subnets = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
  }}
  resource "AWS::ElasticLoadBalancingV2::Listener" http {{
    LoadBalancerArn = balancer.ref
    Port            = 80
    Protocol        = "HTTP"
    DefaultActions  = [{actions}]
  }} with {{ {metadata} }}
}}
"#
    )
}

#[test]
fn a_protected_environment_serving_plain_http_is_warned_unless_it_says_why() {
    let serve = r#"{ Type = "fixed-response", FixedResponseConfig = { StatusCode = "404" } }"#;
    let redirect = r#"{ Type = "redirect", RedirectConfig = { Protocol = "HTTPS", Port = "443", StatusCode = "HTTP_301" } }"#;
    let reason = r#"Metadata = { checkov = { skip = [{ id = "CKV_AWS_2", comment = "no domain yet" }] } }"#;
    let no_reason = r#"Metadata = { checkov = { skip = [{ id = "CKV_AWS_2", comment = " " }] } }"#;
    let warned = report(&listener(true, "internet-facing", serve, ""));
    assert_eq!(codes(&warned), [Code::PlainHttpWhileProtected]);
    assert_eq!(warned.diagnostics[0].secondary.len(), 1, "the protect setting");
    assert_eq!(
        codes(&report(&listener(true, "internet-facing", serve, no_reason))),
        [Code::PlainHttpWhileProtected]
    );
    assert!(codes(&report(&listener(true, "internet-facing", serve, reason))).is_empty());
    assert!(codes(&report(&listener(true, "internet-facing", redirect, ""))).is_empty());
    assert!(codes(&report(&listener(true, "internal", serve, ""))).is_empty());
    assert!(codes(&report(&listener(false, "internet-facing", serve, ""))).is_empty());
}

#[test]
fn params_may_name_the_environment() {
    let text = format!(
        "project shop {{ environments {{ dev, staging }}\n params = \"/shop/${{env.name}}/infra\" }}\nenvironment dev {{ region = us_east_1 }}\nenvironment staging {{ region = us_east_1 }}\n{TOPIC_LAYER}"
    );
    let checked = report(&text);
    assert!(checked.diagnostics.is_empty(), "{:#?}", checked.diagnostics);
    let names: Vec<&str> =
        checked.models.iter().map(|m| m.layers[0].publishes[0].parameter.as_str()).collect();
    assert_eq!(names, ["/shop/dev/infra/topic", "/shop/staging/infra/topic"]);
    // Only `params` sees `env`: another project field does not.
    let tags = "project shop { environments { dev }\n tags = { stage = \"${env.name}\" } }\nenvironment dev { region = us_east_1 }";
    assert_eq!(codes(&report(tags)), [Code::UnknownName]);
}

/// Two environments, `dev` with `{dev}` and `staging` with `{staging}` as
/// their settings, and one resource of `{resource}`.
fn two_environments(dev: &str, staging: &str, resource: &str) -> String {
    format!(
        "project shop {{ environments {{ dev, staging }} }}\nenvironment dev {{ {dev} }}\nenvironment staging {{ {staging} }}\nlayer app {{\n  {resource}\n}}"
    )
}

const CLUSTER: &str = r#"resource "AWS::ECS::Cluster" cluster { ClusterName = "shop" }"#;
const ROLE: &str = r#"resource "AWS::IAM::Role" role {
    RoleName = "shop-deploy"
    AssumeRolePolicyDocument = { Version = "2012-10-17", Statement = [] }
  }"#;
const BUCKET: &str = r#"resource "AWS::S3::Bucket" assets { BucketName = "shop-assets" }"#;

#[test]
fn a_regional_name_clashes_in_one_region_of_one_account() {
    let east = "region = us_east_1";
    let west = "region = us_west_2";
    let one = r#"region = us_east_1, account = "111111111111""#;
    let other = r#"region = us_east_1, account = "222222222222""#;
    let clash = report(&two_environments(east, east, CLUSTER));
    assert_eq!(codes(&clash), [Code::ResourceNameCollision]);
    assert_eq!(
        clash.diagnostics[0].message,
        "environments `dev` and `staging` would both create the `AWS::ECS::Cluster` named `shop` in us-east-1"
    );
    assert_eq!(codes(&report(&two_environments(one, east, CLUSTER))), [Code::ResourceNameCollision]);
    assert!(codes(&report(&two_environments(one, other, CLUSTER))).is_empty(), "two accounts");
    assert!(codes(&report(&two_environments(east, west, CLUSTER))).is_empty(), "two regions");
}

#[test]
fn an_iam_name_clashes_across_regions_of_one_account() {
    let east = "region = us_east_1";
    let west = r#"region = us_west_2, account = "111111111111""#;
    let west_other = r#"region = us_west_2, account = "222222222222""#;
    let across = r#"region = us_east_1, account = "111111111111""#;
    let clash = report(&two_environments(east, west, ROLE));
    assert_eq!(codes(&clash), [Code::ResourceNameCollision]);
    assert!(clash.diagnostics[0].message.ends_with("named `shop-deploy` in one account"));
    assert!(codes(&report(&two_environments(across, west_other, ROLE))).is_empty(), "two accounts");
}

#[test]
fn a_bucket_name_clashes_whatever_the_region_and_account() {
    let dev = r#"region = us_east_1, account = "111111111111""#;
    let staging = r#"region = eu_west_1, account = "222222222222""#;
    let clash = report(&two_environments(dev, staging, BUCKET));
    assert_eq!(codes(&clash), [Code::ResourceNameCollision]);
    assert!(clash.diagnostics[0].help.as_deref().is_some_and(|h| h.contains("neither regions nor accounts")));
}

#[test]
fn names_with_the_environment_generated_or_known_at_deploy_time_do_not_clash() {
    let east = "region = us_east_1";
    let named = r#"resource "AWS::ECS::Cluster" cluster { ClusterName = "shop-${env.name}" }"#;
    let generated = r#"resource "AWS::ECS::Cluster" cluster {}"#;
    let deployed = r#"resource "AWS::SNS::Topic" t {}
  resource "AWS::ECS::Cluster" cluster { ClusterName = t.TopicName }"#;
    for resource in [named, generated, deployed] {
        let checked = report(&two_environments(east, east, resource));
        assert!(checked.diagnostics.is_empty(), "{resource}: {:#?}", checked.diagnostics);
    }
}

#[test]
fn a_name_clash_is_reported_once_per_resource_and_beside_an_ssm_clash() {
    let text = format!(
        "project shop {{ environments {{ dev, staging, test }}\n params = \"/shop\" }}\nenvironment dev {{ region = us_east_1 }}\nenvironment staging {{ region = us_east_1 }}\nenvironment test {{ region = us_east_1 }}\nlayer app {{\n  {CLUSTER}\n  publish cluster_name = cluster.ref\n}}"
    );
    let mut found = codes(&report(&text));
    found.sort_by_key(|c| c.as_str());
    assert_eq!(
        found,
        [
            Code::ParameterCollision,
            Code::ParameterCollision,
            Code::ParameterCollision,
            Code::ResourceNameCollision
        ],
        "one SSM clash per pair of environments, one name clash per resource"
    );
}

#[test]
fn a_name_a_construct_sets_is_reported_at_the_call_in_the_spec() {
    let east = "region = us_east_1";
    let key = r#"key = kms.key { description = "shop", name = "shop/platform" }"#;
    let text = format!("import std/aws/{{kms}}\n{}", two_environments(east, east, key));
    let checked = report(&text);
    assert_eq!(codes(&checked), [Code::ResourceNameCollision]);
    let found = &checked.diagnostics[0];
    assert!(found.message.contains("`AWS::KMS::Alias` named `alias/shop/platform`"), "{}", found.message);
    let spec = found.primary.span.file;
    let call = text.find("kms.key").expect("the call");
    assert_eq!(found.primary.span.start as usize, call, "at the construct call");
    assert!(found.secondary.iter().all(|l| l.span.file == spec), "no label inside the stdlib");
    assert!(found.help.as_deref().is_some_and(|h| !h.contains("alias/shop/platform-")), "{:?}", found.help);
}
