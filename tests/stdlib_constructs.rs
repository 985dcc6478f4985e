//! Behaviour of stdlib constructs that the megadolls snapshots do not show:
//! grants reaching a role's policy, a worker without a port, the rules on
//! schedules and on exposing a service, the load balancer on its own, Redis
//! and its token, checked on small programs.

use serde_json::Value as Json;

const HEAD: &str = r#"
import std/aws/{network, ecs, sqs, s3, kms, elb, elasticache, secrets, pipeline, lambda, events}
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
fn a_service_scales_to_at_most_five_thousand_tasks() {
    let service = |max: &str| {
        format!(
            r#"
  web = ecs.fargate_service {{ cluster = cluster, name = "web", image = "nginx", scaling = {{ min = 1, max = {max}, cpu_target = 50% }} }}
"#
        )
    };
    assert!(run(&service("5000")).0.is_empty(), "ECS's limit itself is allowed");
    assert_eq!(run(&service("99999999999")).0, ["E0401"]);
}

#[test]
fn a_cron_names_exactly_one_of_day_and_weekday() {
    let task = |schedule: &str| {
        run(&format!(
            "  job = events.scheduled_task {{ cluster = cluster, name = \"job\", image = \"busybox\", schedule = {schedule} }}\n"
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

#[test]
fn a_load_balancer_on_its_own_redirects_to_https_and_serves_one_target_group() {
    let (codes, resources) = run(r#"
  web = elb.load_balancer {
    name = "web", vpc_id = vpc.id, subnets = vpc.public_subnets, target_port = 8080
    certificate = "arn:aws:acm:us-east-1:123456789012:certificate/web"
    unlogged_because = "a test balancer"
  }
"#);
    assert!(codes.is_empty(), "{codes:?}");
    let redirect = &resources["WebListener"]["Properties"]["DefaultActions"][0];
    assert_eq!(redirect["Type"], "redirect");
    assert_eq!(redirect["RedirectConfig"]["Protocol"], "HTTPS");
    assert_eq!(resources["WebSecureListener"]["Properties"]["Protocol"], "HTTPS");
    assert!(resources.get("WebGreen").is_none(), "no second target group without blue_green");
    let forward = &resources["WebProduction"]["Properties"]["Actions"][0]["ForwardConfig"]["TargetGroups"];
    assert_eq!(forward.as_array().map(Vec::len), Some(1));
    assert_eq!(resources["WebProduction"]["Properties"]["ListenerArn"]["Ref"], "WebSecureListener");
    let skip = &resources["WebBalancer"]["Metadata"]["checkov"]["skip"][0];
    assert_eq!((&skip["id"], &skip["comment"]), (&Json::from("CKV_AWS_91"), &Json::from("a test balancer")));
    let ports: Vec<&Json> = resources["WebBalancerFirewall"]["Properties"]["SecurityGroupIngress"]
        .as_array()
        .map(|rules| rules.iter().map(|r| &r["FromPort"]).collect())
        .unwrap_or_default();
    assert_eq!(ports, [&Json::from(80), &Json::from(443)]);
}

#[test]
fn a_load_balancer_needs_two_subnets() {
    let (codes, _) = run(r#"
  web = elb.load_balancer { name = "web", vpc_id = vpc.id, subnets = [vpc.public_subnet_1], target_port = 80 }
"#);
    assert_eq!(codes, ["E0402"]);
}

#[test]
fn redis_takes_its_token_by_reference_and_opens_to_named_clients() {
    let (codes, resources) = run(r#"
  key = kms.key { description = "t", name = "t/cache" }
  cache = elasticache.redis {
    name = "sessions", vpc_id = vpc.id, subnets = vpc.private_subnets
    clients = { tasks = apps.id }, multi_az = true, replicas = 1, encryption = key.key_ref
  }
  worker = ecs.fargate_service {
    cluster = cluster, name = "worker", image = "busybox"
    secret_refs = { REDIS_TOKEN = cache.auth_token }
    grants = [cache.read_token]
  }
"#);
    assert!(codes.is_empty(), "{codes:?}");
    let group = &resources["Cache"]["Properties"];
    assert_eq!(resources["Cache"]["Type"], "AWS::ElastiCache::ReplicationGroup");
    assert_eq!(group["TransitEncryptionEnabled"], true);
    assert_eq!(group["AtRestEncryptionEnabled"], true);
    assert_eq!((&group["MultiAZEnabled"], &group["NumCacheClusters"]), (&Json::from(true), &Json::from(2)));
    // The template names the secret; CloudFormation resolves the value.
    assert_eq!(group["AuthToken"]["Fn::Sub"], "{{resolve:secretsmanager:${CacheToken}:SecretString:::}}");
    let generated = &resources["CacheToken"]["Properties"]["GenerateSecretString"];
    assert_eq!(generated["PasswordLength"], 64);
    assert_eq!(resources["CacheToken"]["DeletionPolicy"], "Retain");
    let rule = &resources["CacheFirewall"]["Properties"]["SecurityGroupIngress"][0];
    assert_eq!(
        (&rule["FromPort"], &rule["Description"]),
        (&Json::from(6379), &Json::from("Redis client tasks"))
    );
    // The execution role reads and decrypts the token for the container;
    // the task role got the grant to read it itself.
    let statements =
        |role: &str| resources[role]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"].clone();
    let execution = statements("WorkerExecutionRole");
    assert_eq!(execution[0]["Action"][0], "secretsmanager:GetSecretValue");
    assert_eq!(execution[1]["Action"][0], "kms:Decrypt");
    assert_eq!(execution[1]["Resource"][0]["Fn::GetAtt"], serde_json::json!(["KeyKey", "Arn"]));
    let task = statements("WorkerTaskRole");
    assert_eq!(task[0]["Resource"][0]["Ref"], "CacheToken");
}

#[test]
fn multi_az_redis_needs_a_replica() {
    let (codes, _) = run(r#"
  cache = elasticache.redis { name = "c", vpc_id = vpc.id, subnets = vpc.private_subnets, multi_az = true }
"#);
    assert_eq!(codes, ["E0402"]);
}

/// A release pipeline whose stages are `stages`, with a `commands` project
/// named `tests` and two services to deploy.
fn release(stages: &str) -> (Vec<String>, serde_json::Map<String, Json>) {
    run(&format!(
        r#"
  tests = pipeline.commands {{
    name = "t-tests"
    image = pipeline.BuildImage.ecr {{ repository = "t/app", tag = "dev" }}
    commands = ["pytest -q -k \"not slow\"", "echo C:\\temp"]
    environment = {{ STAGE = "dev" }}
  }}
  api = pipeline.Target {{ cluster = "t", service = "api", container = "api", roles = ["arn:aws:iam::1:role/a"] }}
  worker = pipeline.Target {{ cluster = "t", service = "worker", container = "worker", roles = ["arn:aws:iam::1:role/w"] }}
  pipeline release = pipeline.codepipeline {{
    name = "t-release"
    repository = "t/app"
    tag = "dev"
{stages}
  }}
"#
    ))
}

#[test]
fn a_commands_stage_runs_its_project_and_may_read_the_artifacts() {
    let (codes, resources) = release(
        r#"    stage test = tests.action
    stage approve = pipeline.Action.manual_approval { approvers = "t-admins" }
    stage build = pipeline.Action.image_definitions { services = [api, worker] }
    stage deploy = pipeline.Action.ecs_deploy { services = [api, worker], rollout = all_at_once }"#,
    );
    assert!(codes.is_empty(), "{codes:?}");
    let buildspec = resources["Tests"]["Properties"]["Source"]["BuildSpec"].as_str().unwrap_or_default();
    assert!(
        buildspec.ends_with("      - \"pytest -q -k \\\"not slow\\\"\"\n      - \"echo C:\\\\temp\"\n"),
        "{buildspec}"
    );
    let environment = &resources["Tests"]["Properties"]["Environment"];
    assert_eq!(environment["ImagePullCredentialsType"], "SERVICE_ROLE");
    assert_eq!(
        environment["Image"]["Fn::Sub"],
        "${AWS::AccountId}.dkr.ecr.${AWS::Region}.${AWS::URLSuffix}/t/app:dev"
    );
    let stages = resources["ReleasePipeline"]["Properties"]["Stages"].as_array().cloned().unwrap_or_default();
    let names: Vec<&Json> = stages.iter().map(|s| &s["Name"]).collect();
    assert_eq!(names, ["source", "test", "approve", "build", "deploy"]);
    assert_eq!(stages[1]["Actions"][0]["Configuration"]["ProjectName"]["Ref"], "Tests");
    // Several services in one deploy stage: one action each, in parallel.
    let deploys: Vec<&Json> =
        stages[4]["Actions"].as_array().map(|a| a.iter().map(|a| &a["Name"]).collect()).unwrap_or_default();
    assert_eq!(deploys, ["deploy-api", "deploy-worker"]);
    // The project's own role reads the stage's input; the pipeline waits for that.
    let access = &resources["ReleaseProjectAccess"]["Properties"];
    assert_eq!(access["Roles"][0]["Ref"], "TestsRole");
    assert_eq!(resources["ReleasePipeline"]["DependsOn"], serde_json::json!(["ReleaseProjectAccess"]));
    let release_policy =
        resources["ReleasePipelineRole"]["Properties"]["Policies"][0]["PolicyDocument"].to_string();
    assert!(release_policy.contains(":project/${Tests}"), "{release_policy}");
}

#[test]
fn a_pipeline_without_commands_stages_has_no_project_access() {
    let (codes, resources) =
        release(r#"    stage approve = pipeline.Action.manual_approval { approvers = "t-admins" }"#);
    assert!(codes.is_empty(), "{codes:?}");
    assert!(resources.get("ReleaseProjectAccess").is_none());
    assert!(resources["ReleasePipeline"].get("DependsOn").is_none());
}

#[test]
fn a_command_is_one_line() {
    let (codes, _) = run(r#"
  tests = pipeline.commands { name = "t", commands = ["echo a\necho b"] }
"#);
    assert_eq!(codes, ["E0402"]);
}

#[test]
fn the_image_push_trigger_starts_a_pipeline_written_by_hand() {
    let (codes, resources) = run(r#"
  resource "AWS::CodePipeline::Pipeline" own {
    RoleArn = "arn:aws:iam::123456789012:role/own"
    ArtifactStore = { Type = "S3", Location = "own-artifacts" }
    Stages = [
      {
        Name = "Source"
        Actions = [{
          Name = "Image", ActionTypeId = { Category = "Source", Owner = "AWS", Provider = "ECR", Version = "1" }
          Configuration = { RepositoryName = "t/app", ImageTag = "dev" }, OutputArtifacts = [{ Name = "image" }]
        }]
      },
      {
        Name = "Approve"
        Actions = [{
          Name = "Approve", ActionTypeId = { Category = "Approval", Owner = "AWS", Provider = "Manual", Version = "1" }
        }]
      },
    ]
  }
  trigger = lambda.on_image_push {
    repository = "t/app", tag = "dev", pipeline = own.ref, pass_digest = false
    encryption_key = "arn:aws:kms:us-east-1:123456789012:key/k"
  }
"#);
    assert!(codes.is_empty(), "{codes:?}");
    let variables = &resources["TriggerFunction"]["Properties"]["Environment"]["Variables"];
    assert_eq!(variables["PIPELINE_NAME"]["Ref"], "Own");
    assert_eq!(variables["PASS_DIGEST"], "false");
    let policy =
        resources["TriggerRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"][0].to_string();
    assert!(policy.contains("codepipeline:StartPipelineExecution") && policy.contains("${Own}"), "{policy}");
}
