//! Behaviour of stdlib constructs that the megadolls snapshots do not show:
//! grants reaching a role's policy, a worker without a port, the rules on
//! schedules and on exposing a service, checked on small programs.

use serde_json::Value as Json;

const HEAD: &str = r#"
import std/aws/{network, ecs, sqs, s3}
project t {
  environments { dev }
  params = "/t"
}
environment dev { region = us_east_1 }
layer app {
  vpc  = network.vpc { name = "t" }
  apps = network.security_group { vpc_id = vpc.id, description = "tasks" }
  cluster = ecs.cluster {
    name     = "t"
    capacity = spot
    network  = { vpc_id = vpc.id, subnets = vpc.private_subnets, public_subnets = vpc.public_subnets, security_group = apps.id }
  }
  jobs = sqs.queue {}
"#;

/// The program `HEAD` + `members` + `}`: its diagnostics' codes, and its
/// resources by logical id when it has no error.
fn run(members: &str) -> (Vec<String>, serde_json::Map<String, Json>) {
    let source = format!("{HEAD}{members}\n}}\n");
    let report = mdl::run_pipeline(mdl::workspace::Workspace::from_memory(&[("t.mdl", source.as_str())]));
    // The header imports every module some test uses, so an unused import is expected.
    let codes: Vec<String> = report
        .diagnostics
        .iter()
        .map(|d| d.code.as_str().to_string())
        .filter(|code| code != "W0201")
        .collect();
    let mut resources = serde_json::Map::new();
    for model in &report.models {
        let lowered = mdl::cfn::lower(model);
        assert!(lowered.diagnostics.is_empty(), "{:#?}", lowered.diagnostics);
        for stack in &lowered.stacks {
            let template: Json = serde_json::from_str(&stack.template_body()).expect("JSON");
            if let Some(all) = template["Resources"].as_object() {
                resources.extend(all.clone());
            }
        }
    }
    (codes, resources)
}

#[test]
fn a_worker_has_no_port_no_load_balancer_and_no_inbound_rule() {
    let (codes, resources) = run(r#"
  worker = ecs.fargate_service { cluster = cluster, name = "worker", image = "busybox", grants = [jobs.consume] }
"#);
    assert!(codes.is_empty(), "{codes:?}");
    let ids: Vec<&String> = resources.keys().filter(|id| id.starts_with("Worker")).collect();
    assert!(!ids.iter().any(|id| id.contains("Balancer") || id.contains("DnsName")), "{ids:?}");
    let ingress = &resources["WorkerFirewall"]["Properties"]["SecurityGroupIngress"];
    assert_eq!(ingress, &Json::Array(vec![]));
    let container = &resources["WorkerTask"]["Properties"]["ContainerDefinitions"][0];
    assert!(container.get("PortMappings").is_none(), "{container}");
    // The grant is the task role's policy, on the queue alone.
    let statement =
        &resources["WorkerTaskRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"][0];
    assert!(statement["Action"].as_array().is_some_and(|a| a.contains(&Json::from("sqs:ReceiveMessage"))));
    assert_eq!(statement["Resource"][0]["Fn::GetAtt"], serde_json::json!(["JobsQueue", "Arn"]));
}

#[test]
fn a_public_service_needs_a_port() {
    let (codes, _) = run(r#"
  web = ecs.fargate_service { cluster = cluster, name = "web", image = "nginx", expose = public_http {} }
"#);
    assert_eq!(codes, ["E0402"]);
}

#[test]
fn a_cron_names_exactly_one_of_day_and_weekday() {
    let task = |schedule: &str| {
        run(&format!(
            "  job = ecs.scheduled_task {{ cluster = cluster, name = \"job\", image = \"busybox\", schedule = {schedule} }}\n"
        ))
    };
    let (codes, resources) = task(r#"cron { minute = "30", hour = "2" }"#);
    assert!(codes.is_empty(), "{codes:?}");
    assert_eq!(resources["JobScheduleRule"]["Properties"]["ScheduleExpression"], "cron(30 2 * * ? *)");
    assert_eq!(task(r#"cron { day = "1", weekday = "MON" }"#).0, ["E0402"]);
    assert_eq!(task("rate { every = 90 s }").0, ["E0402"]);
    let (_, resources) = task("rate { every = 1 day }");
    assert_eq!(resources["JobScheduleRule"]["Properties"]["ScheduleExpression"], "rate(1 day)");
}

#[test]
fn an_unlogged_bucket_is_reported_unless_the_spec_says_why() {
    let skips = |members: &str| {
        let (codes, resources) = run(members);
        assert!(codes.is_empty(), "{codes:?}");
        resources["DataBucket"]["Metadata"]["checkov"]["skip"].clone()
    };
    assert_eq!(skips("  data = s3.bucket {}\n"), Json::Null);
    let given = skips("  data = s3.bucket { unlogged_because = \"scratch data, rebuilt nightly\" }\n");
    assert_eq!(given[0]["id"], "CKV_AWS_18");
    assert_eq!(given[0]["comment"], "scratch data, rebuilt nightly");
}
