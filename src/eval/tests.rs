//! Evaluation tests: small programs from source to model and diagnostics.

use super::model::{DeployExpr, Model, Value, ValueKind};
use crate::check::{self, scope::item};
use crate::diag::{Code, Diagnostic};
use crate::syntax::ast::ItemKind;
use crate::workspace::Workspace;

/// Evaluate environment `env` of the given files; loading and checking must succeed.
fn run(files: &[(&str, &str)], env: &str) -> (Workspace, Option<Model>, Vec<Diagnostic>) {
    let workspace = Workspace::from_memory(files);
    let load_errors: Vec<_> = workspace.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert!(load_errors.is_empty(), "load errors: {load_errors:#?}");
    let checked = check::check(&workspace);
    let check_errors: Vec<_> = checked.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert!(check_errors.is_empty(), "check errors: {check_errors:#?}");
    let decl = crate::entry_environments(&workspace, &checked)
        .into_iter()
        .find(|d| matches!(&item(&workspace, *d).kind, ItemKind::Environment(e) if e.name.text == env))
        .unwrap_or_else(|| panic!("no environment `{env}`"));
    let (model, diagnostics) = super::evaluate(&workspace, &checked, decl);
    (workspace, model, diagnostics)
}

/// One spec file plus an environment file.
fn spec(body: &str, env: &str) -> (Workspace, Option<Model>, Vec<Diagnostic>) {
    run(&[("spec/platform.mdl", body), ("spec/env.mdl", env)], "prod")
}

/// The model, failing the test with the diagnostics when there is none.
fn model_of(body: &str, env: &str) -> Model {
    let (_, model, diagnostics) = spec(body, env);
    assert!(diagnostics.is_empty(), "unexpected diagnostics: {diagnostics:#?}");
    match model {
        Some(model) => model,
        None => panic!("no model"),
    }
}

fn field<'v>(value: &'v Value, path: &str) -> &'v Value {
    path.split('.').fold(value, |v, name| match v.field(name) {
        Some(inner) => inner,
        None => panic!("no field `{name}` in {v:#?}"),
    })
}

fn json(value: &Value) -> String {
    serde_json::to_string(&value.kind).unwrap_or_default()
}

const PROJECT: &str = r#"
project shop {
  environments { dev, prod }
  settings {
    cpu: cpu in 0.25 vcpu..16 vcpu
    tag: string
    approval: bool = false
  }
  params = "/shop/infra"
}
"#;

const PROD: &str = r#"
import "./platform.mdl"
environment prod { region = us_east_1, cpu = 1 vcpu, tag = "latest" }
"#;

#[test]
fn a_layer_resource_gets_the_camel_case_of_its_name() {
    let body = format!(
        "{PROJECT}\nlayer core {{\n  resource \"AWS::SNS::Topic\" alert_topic {{ TopicName = \"alerts-${{env.tag}}\" }}\n}}\n"
    );
    let model = model_of(&body, PROD);
    assert_eq!(model.project, "shop");
    assert_eq!(model.environment, "prod");
    assert_eq!(model.region, "us-east-1");
    assert_eq!(model.params_prefix, "/shop/infra");
    let core = model.layer("core").expect("layer core");
    let topic = core.resource("AlertTopic").expect("resource AlertTopic");
    assert_eq!(topic.type_name, "AWS::SNS::Topic");
    assert_eq!(field(&topic.properties, "TopicName").as_str(), Some("alerts-latest"));
    assert!(topic.instance_span.is_none());
}

/// Evaluate without requiring the checker to accept the program: the evaluator's
/// own fallbacks (cycles, recursion) must hold even when it runs regardless.
fn spec_unchecked(body: &str, env: &str) -> (Workspace, Option<Model>, Vec<Diagnostic>) {
    let workspace = Workspace::from_memory(&[("spec/platform.mdl", body), ("spec/env.mdl", env)]);
    let checked = check::check(&workspace);
    let decl = crate::entry_environments(&workspace, &checked)
        .into_iter()
        .find(|d| matches!(&item(&workspace, *d).kind, ItemKind::Environment(e) if e.name.text == "prod"))
        .unwrap_or_else(|| panic!("no environment `prod`: {:#?}", workspace.diagnostics));
    let (model, diagnostics) = super::evaluate(&workspace, &checked, decl);
    (workspace, model, diagnostics)
}

/// The one diagnostic with `code`, failing the test otherwise.
fn only<'d>(diagnostics: &'d [Diagnostic], code: Code) -> &'d Diagnostic {
    let found: Vec<_> = diagnostics.iter().filter(|d| d.code == code).collect();
    assert_eq!(found.len(), 1, "expected one {code}, got {diagnostics:#?}");
    found[0]
}

const SERVICE: &str = r#"
construct log_group {
  days: int in 1..3653 = 30
  resource "AWS::Logs::LogGroup" group { RetentionInDays = days }
  output name = group.ref
}

construct service {
  cpu: cpu in 0.25 vcpu..16 vcpu
  memory: memory = 2 GB
  port: int in 1..65535 = 80
  logs = log_group { days = 7 }
  resource "AWS::IAM::Role" task_role { RoleName = "task" }
  resource "AWS::ECS::TaskDefinition" task {
    Cpu = units(cpu)
    Memory = units(memory)
    TaskRoleArn = task_role.Arn
    LogGroup = logs.name
    Family = "svc-${port}"
  }
  resource "AWS::RDS::DBInstance" db { Engine = "postgres" }
  output task_arn = task.ref
  output url = "postgres://${db.Endpoint.Address}:${port}/app"
}
"#;

#[test]
fn instances_prefix_logical_ids_with_their_binding_path() {
    let body = format!(
        "{PROJECT}{SERVICE}\nlayer app {{\n  service django = service {{ cpu = env.cpu, port = 8000 }}\n  arn = django.task_arn\n  resource \"AWS::SNS::Topic\" alerts {{ Owner = arn }}\n}}\n"
    );
    let model = model_of(&body, PROD);
    let app = model.layer("app").expect("layer app");
    let ids: Vec<&str> = app.resources.iter().map(|r| r.logical_id.as_str()).collect();
    assert_eq!(ids, ["DjangoLogsGroup", "DjangoTaskRole", "DjangoTask", "DjangoDb", "Alerts"]);
    let task = app.resource("DjangoTask").expect("task");
    assert_eq!(json(field(&task.properties, "Cpu")), r#"{"type":"int","value":1024}"#);
    assert_eq!(json(field(&task.properties, "Memory")), r#"{"type":"int","value":2048}"#);
    assert!(matches!(&field(&task.properties, "TaskRoleArn").kind,
        ValueKind::Deploy(DeployExpr::GetAtt(id, attr)) if id == "DjangoTaskRole" && attr == "Arn"));
    assert!(matches!(&field(&task.properties, "LogGroup").kind,
        ValueKind::Deploy(DeployExpr::Ref(id)) if id == "DjangoLogsGroup"));
    assert_eq!(field(&task.properties, "Family").as_str(), Some("svc-8000"));
    assert!(task.instance_span.is_some());
    let logs = app.resource("DjangoLogsGroup").expect("log group");
    assert_eq!(json(field(&logs.properties, "RetentionInDays")), r#"{"type":"int","value":7}"#);
    let alerts = app.resource("Alerts").expect("alerts");
    assert!(matches!(&field(&alerts.properties, "Owner").kind,
        ValueKind::Deploy(DeployExpr::Ref(id)) if id == "DjangoTask"));
}

#[test]
fn interpolating_a_deploy_value_gives_a_join_and_plain_strings_stay_plain() {
    let body = format!(
        "{PROJECT}{SERVICE}\nlayer app {{\n  web = service {{ cpu = 1 vcpu }}\n  resource \"AWS::SSM::Parameter\" url {{ Value = web.url, Name = \"plain-${{env.tag}}-${{2 + 3}}\" }}\n}}\n"
    );
    let model = model_of(&body, PROD);
    let url = model.layer("app").and_then(|l| l.resource("Url")).expect("resource Url");
    assert_eq!(field(&url.properties, "Name").as_str(), Some("plain-latest-5"));
    let ValueKind::Deploy(DeployExpr::Join(parts)) = &field(&url.properties, "Value").kind else {
        panic!("expected a join: {:#?}", url.properties);
    };
    assert_eq!(parts.len(), 3);
    assert_eq!(parts[0].as_str(), Some("postgres://"));
    assert!(matches!(&parts[1].kind,
        ValueKind::Deploy(DeployExpr::GetAtt(id, attr)) if id == "WebDb" && attr == "Endpoint.Address"));
    assert_eq!(parts[2].as_str(), Some(":80/app"));
}

const LAYERS: &str = r#"
layer app {
  resource "AWS::ECS::Cluster" cluster {
    Vpc = core.vpc_id
    Again = core.vpc_id
    Key = core.stripe_key
    Region = aws.region
  }
}

layer core {
  resource "AWS::EC2::VPC" vpc { CidrBlock = "10.0.0.0/16" }
  publish vpc_id = vpc.ref
  publish name = "core-${env.name}"
  secret stripe_key = "Stripe API key, set by hand"
}

layer edge {
  resource "AWS::SNS::Topic" topic { Name = core.name }
}
"#;

#[test]
fn cross_layer_references_read_ssm_and_order_the_layers() {
    let model = model_of(&format!("{PROJECT}{LAYERS}"), PROD);
    let order: Vec<&str> = model.layers.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(order, ["core", "app", "edge"], "core first, then declaration order");
    let core = model.layer("core").expect("core");
    let published: Vec<(&str, &str)> =
        core.publishes.iter().map(|p| (p.name.as_str(), p.parameter.as_str())).collect();
    assert_eq!(published, [("vpc_id", "/shop/infra/vpc_id"), ("name", "/shop/infra/name")]);
    assert!(matches!(&core.publishes[0].value.kind, ValueKind::Deploy(DeployExpr::Ref(id)) if id == "Vpc"));
    assert_eq!(core.publishes[1].value.as_str(), Some("core-prod"));
    assert_eq!(core.secrets.len(), 1);
    assert_eq!(core.secrets[0].parameter, "/shop/infra/stripe_key");
    assert_eq!(core.secrets[0].description, "Stripe API key, set by hand");

    let app = model.layer("app").expect("app");
    assert_eq!(app.depends_on, ["core"]);
    let imports: Vec<(&str, &str, &str)> =
        app.imports.iter().map(|i| (i.layer.as_str(), i.name.as_str(), i.parameter.as_str())).collect();
    assert_eq!(
        imports,
        [("core", "vpc_id", "/shop/infra/vpc_id")],
        "one import per value, secrets are not imports"
    );
    let cluster = app.resource("Cluster").expect("cluster");
    assert!(matches!(&field(&cluster.properties, "Vpc").kind,
        ValueKind::Deploy(DeployExpr::Ssm(p)) if p == "/shop/infra/vpc_id"));
    assert!(matches!(&field(&cluster.properties, "Key").kind,
        ValueKind::Secret { parameter } if parameter == "/shop/infra/stripe_key"));
    assert!(matches!(&field(&cluster.properties, "Region").kind,
        ValueKind::Deploy(DeployExpr::Pseudo(p)) if p == "AWS::Region"));
    assert_eq!(model.layer("edge").map(|l| l.depends_on.clone()), Some(vec!["core".to_string()]));
}

#[test]
fn a_setting_out_of_range_points_at_the_environment_file() {
    let env =
        "import \"./platform.mdl\"\nenvironment prod { region = us_east_1, cpu = 32 vcpu, tag = \"x\" }\n";
    let (workspace, model, diagnostics) = spec(PROJECT, env);
    assert!(model.is_none());
    let d = only(&diagnostics, Code::OutOfRange);
    assert_eq!(d.message, "`cpu` must be between 0.25 vcpu and 16 vcpu, got 32 vcpu");
    assert_eq!(workspace.sources.slice(d.primary.span), "32 vcpu");
    assert_eq!(workspace.sources.get(d.primary.span.file).map(|f| f.name.as_str()), Some("spec/env.mdl"));
    assert!(d.secondary.iter().any(|l| workspace.sources.slice(l.span).contains("0.25 vcpu..16 vcpu")));
    assert_eq!(d.notes, ["while evaluating environment `prod`"]);
}

#[test]
fn a_param_out_of_range_points_at_the_value_and_the_range() {
    let body =
        format!("{PROJECT}{SERVICE}\nlayer app {{\n  web = service {{ cpu = 1 vcpu, port = 70000 }}\n}}\n");
    let (workspace, model, diagnostics) = spec(&body, PROD);
    assert!(model.is_none());
    let d = only(&diagnostics, Code::OutOfRange);
    assert_eq!(d.message, "`port` must be between 1 and 65535, got 70000");
    assert_eq!(workspace.sources.slice(d.primary.span), "70000");
    assert!(d.secondary.iter().any(|l| workspace.sources.slice(l.span).contains("1..65535")));
}

#[test]
fn a_value_passed_from_env_labels_both_the_setting_and_the_use() {
    let settings = PROJECT.replace("cpu: cpu in 0.25 vcpu..16 vcpu", "cpu: cpu");
    let body = format!("{settings}{SERVICE}\nlayer app {{\n  web = service {{ cpu = env.cpu }}\n}}\n");
    let env =
        "import \"./platform.mdl\"\nenvironment prod { region = us_east_1, cpu = 20 vcpu, tag = \"x\" }\n";
    let (workspace, _, diagnostics) = spec(&body, env);
    let d = only(&diagnostics, Code::OutOfRange);
    assert_eq!(workspace.sources.slice(d.primary.span), "20 vcpu");
    assert_eq!(workspace.sources.get(d.primary.span.file).map(|f| f.name.as_str()), Some("spec/env.mdl"));
    let labels: Vec<&str> = d.secondary.iter().map(|l| workspace.sources.slice(l.span)).collect();
    assert!(labels.contains(&"env.cpu"), "the use site is labelled: {labels:?}");
}

const FARGATE: &str = r#"
construct task {
  cpu: cpu
  memory: memory
  require (cpu == 0.25 vcpu && memory <= 2 GB) || (cpu == 1 vcpu && memory >= 2 GB && memory <= 8 GB)
    else E0403 "Fargate does not offer ${memory} with ${cpu}"
  resource "AWS::ECS::TaskDefinition" definition { Cpu = units(cpu), Memory = units(memory) }
}
"#;

#[test]
fn a_fargate_require_reports_its_own_code_at_the_instantiation() {
    let body = format!("{PROJECT}{FARGATE}\nlayer app {{\n  ok = task {{ cpu = 1 vcpu, memory = 4 GB }}\n  web = task {{ cpu = 1 vcpu, memory = 16 GB }}\n}}\n");
    let (workspace, model, diagnostics) = spec(&body, PROD);
    assert!(model.is_none());
    let d = only(&diagnostics, Code::InvalidFargateSize);
    assert_eq!(d.code.as_str(), "E0403");
    assert_eq!(d.message, "Fargate does not offer 16 GiB with 1 vcpu");
    assert_eq!(workspace.sources.slice(d.primary.span), "task");
    let labels: Vec<(&str, &str)> =
        d.secondary.iter().map(|l| (workspace.sources.slice(l.span), l.message.as_str())).collect();
    assert!(
        labels.iter().any(|(text, message)| text.starts_with("require") && *message == "required here"),
        "{labels:?}"
    );
    assert!(labels.contains(&("16 GB", "`memory` is 16 GiB")), "{labels:?}");
    assert!(labels.contains(&("1 vcpu", "`cpu` is 1 vcpu")), "{labels:?}");
}

#[test]
fn a_layer_require_without_a_code_is_e0402_with_its_message_interpolated() {
    let body = format!(
        "{PROJECT}\nlayer app {{\n  count = 3\n  require count < 2 else \"too many: ${{count}}\"\n}}\n"
    );
    let (workspace, _, diagnostics) = spec(&body, PROD);
    let d = only(&diagnostics, Code::RequirementFailed);
    assert_eq!(d.message, "too many: 3");
    assert_eq!(workspace.sources.slice(d.primary.span), "count < 2");
}

#[test]
fn division_by_zero_is_e0404() {
    let body = format!("{PROJECT}\nlayer app {{\n  zero = 0\n  ratio = 10 / zero\n}}\n");
    let (workspace, model, diagnostics) = spec(&body, PROD);
    assert!(model.is_none());
    let d = only(&diagnostics, Code::ArithmeticError);
    assert_eq!(d.message, "division by zero");
    assert_eq!(workspace.sources.slice(d.primary.span), "zero");
}
