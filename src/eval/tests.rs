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
fn only(diagnostics: &[Diagnostic], code: Code) -> &Diagnostic {
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

#[test]
fn stages_fill_the_stages_param_and_skip_false_whens() {
    let body = format!(
        r#"{PROJECT}
construct pipe {{
  stages: [{{ name: string, action: string }}]
  resource "AWS::CodePipeline::Pipeline" pipeline {{ Stages = [s.name for s in stages], Actions = [s.action for s in stages] }}
}}
layer deploy {{
  pipeline release = pipe {{
    stage approve when env.approval = "manual"
    stage build = "codebuild"
    stage ship when !env.approval = "ecs"
  }}
}}
"#
    );
    let model = model_of(&body, PROD);
    let pipeline = model.layer("deploy").and_then(|l| l.resource("ReleasePipeline")).expect("pipeline");
    let names: Vec<String> = match &field(&pipeline.properties, "Stages").kind {
        ValueKind::List(items) => items.iter().filter_map(|v| v.as_str().map(str::to_string)).collect(),
        other => panic!("not a list: {other:?}"),
    };
    assert_eq!(names, ["build", "ship"]);
    assert_eq!(json(field(&pipeline.properties, "Actions")).matches("codebuild").count(), 1);
}

const ROLLOUT: &str = r#"
project shop {
  environments { dev, prod }
  settings { rollout: Rollout, capacity: Capacity }
  params = "/shop/infra/"
}
enum Rollout { all_at_once, linear { step: percent in 1%..99% = 10%, every: duration } }
enum Capacity { spot = "FARGATE_SPOT", on_demand = "FARGATE" { base: int in 0..10 = 0 } }
layer app {
  describe = match env.rollout {
    all_at_once => "all at once",
    linear { step, every } => "${step} every ${every}",
  }
  provider = "${env.capacity}"
  base = match env.capacity { Capacity.on_demand { base } => base, spot => 0 }
  stage = match env.name { dev => "d", prod => "p" }
  resource "AWS::SSM::Parameter" p { Describe = describe, Provider = provider, Base = base, Stage = stage }
}
"#;

#[test]
fn variants_carry_text_and_defaulted_fields_and_match_binds_them() {
    let env = "import \"./platform.mdl\"\nenvironment prod { region = us_east_1, rollout = linear { every = 5 min }, capacity = on_demand { base = 1 } }\n";
    let model = model_of(ROLLOUT, env);
    assert_eq!(model.params_prefix, "/shop/infra", "a trailing slash is dropped");
    let p = model.layer("app").and_then(|l| l.resource("P")).expect("resource P");
    assert_eq!(field(&p.properties, "Describe").as_str(), Some("10% every 5 min"));
    assert_eq!(field(&p.properties, "Provider").as_str(), Some("FARGATE"));
    assert_eq!(json(field(&p.properties, "Base")), r#"{"type":"int","value":1}"#);
    assert_eq!(field(&p.properties, "Stage").as_str(), Some("p"));
}

#[test]
fn a_variant_field_out_of_range_is_e0401_in_the_environment_file() {
    let env = "import \"./platform.mdl\"\nenvironment prod { region = us_east_1, rollout = linear { step = 100%, every = 1 min }, capacity = spot }\n";
    let (workspace, _, diagnostics) = spec(ROLLOUT, env);
    let d = only(&diagnostics, Code::OutOfRange);
    assert_eq!(d.message, "`step` must be between 1% and 99%, got 100%");
    assert_eq!(workspace.sources.slice(d.primary.span), "100%");
}

#[test]
fn comprehensions_ifs_optionals_maps_and_builtins() {
    let body = format!(
        r#"{PROJECT}
layer app {{
  names = ["web", "worker", "cron"]
  long = [upper(n) for n in names if len(n) > 3]
  tags = {{ team = "core", "aws:cost" = "shop" }}
  missing = none
  resource "AWS::SSM::Parameter" p {{
    Long = join(long, ",")
    Keys = keys(tags)
    Size = if env.approval {{ "big" }} else {{ "small" }}
    Fallback = default(missing, "dflt")
    Present = default(env.tag, "dflt")
    Has = contains(names, "cron")
    Id = logical_id("my_web-app")
    Low = lower(replace("A-B", "-", "_"))
    Min = units(min(2 GB, 1536 MiB))
    Max = max(3, 7)
    Ratio = 3 GB / 1024 MiB
    Tags = tags
  }}
}}
"#
    );
    let model = model_of(&body, PROD);
    let p = model.layer("app").and_then(|l| l.resource("P")).expect("resource P");
    assert_eq!(field(&p.properties, "Long").as_str(), Some("WORKER,CRON"));
    assert_eq!(json(field(&p.properties, "Keys")).matches("\"string\"").count(), 2);
    assert_eq!(field(&p.properties, "Size").as_str(), Some("small"));
    assert_eq!(field(&p.properties, "Fallback").as_str(), Some("dflt"));
    assert_eq!(field(&p.properties, "Present").as_str(), Some("latest"));
    assert!(matches!(field(&p.properties, "Has").kind, ValueKind::Bool(true)));
    assert_eq!(field(&p.properties, "Id").as_str(), Some("MyWebApp"));
    assert_eq!(field(&p.properties, "Low").as_str(), Some("a_b"));
    assert_eq!(json(field(&p.properties, "Min")), r#"{"type":"int","value":1536}"#);
    assert_eq!(json(field(&p.properties, "Max")), r#"{"type":"int","value":7}"#);
    assert_eq!(json(field(&p.properties, "Ratio")), r#"{"type":"number","value":3.0}"#);
    let ValueKind::Record(tags) = &field(&p.properties, "Tags").kind else { panic!("tags") };
    let keys: Vec<&str> = tags.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, ["team", "aws:cost"], "record fields keep the order written");
}

#[test]
fn bindings_may_be_used_before_they_are_written() {
    let body = format!("{PROJECT}\nlayer app {{\n  resource \"AWS::SNS::Topic\" t {{ Name = full }}\n  full = \"${{prefix}}-topic\"\n  prefix = \"shop\"\n}}\n");
    let model = model_of(&body, PROD);
    let topic = model.layer("app").and_then(|l| l.resource("T")).expect("resource T");
    assert_eq!(field(&topic.properties, "Name").as_str(), Some("shop-topic"));
}

#[test]
fn a_binding_cycle_is_reported_once_not_a_stack_overflow() {
    let body = format!("{PROJECT}\nlayer app {{\n  a = b + 1\n  b = c + 1\n  c = a + 1\n}}\n");
    let (_, model, diagnostics) = spec_unchecked(&body, PROD);
    assert!(model.is_none());
    let d = only(&diagnostics, Code::BindingCycle);
    assert_eq!(d.message, "`a` depends on its own value");
}

#[test]
fn a_construct_instantiating_itself_is_an_error_not_a_stack_overflow() {
    let body = format!(
        "{PROJECT}\nconstruct nest {{\n  depth: int = 0\n  inner = nest {{ depth = depth + 1 }}\n}}\nconstruct a {{ x = b {{}} }}\nconstruct b {{ y = a {{}} }}\nlayer app {{\n  n = nest {{}}\n  m = a {{}}\n}}\n"
    );
    let (workspace, model, diagnostics) = spec_unchecked(&body, PROD);
    assert!(model.is_none());
    let deep: Vec<_> = diagnostics.iter().filter(|d| d.code == Code::RecursiveInstance).collect();
    assert_eq!(deep.len(), 2, "{diagnostics:#?}");
    assert!(deep[0].message.contains("instantiates itself"));
    assert!(["nest", "a", "b"].contains(&workspace.sources.slice(deep[0].primary.span)));
}

#[test]
fn two_resources_with_one_logical_id_are_refused() {
    let body = format!(
        "{PROJECT}\nconstruct svc {{ resource \"AWS::IAM::Role\" role {{}} }}\nlayer app {{\n  django = svc {{}}\n  resource \"AWS::IAM::Role\" django_role {{}}\n}}\n"
    );
    let (workspace, model, diagnostics) = spec(&body, PROD);
    assert!(model.is_none());
    let d = only(&diagnostics, Code::DuplicateLogicalId);
    assert_eq!(d.message, "two resources of this layer have the logical id `DjangoRole`");
    assert!(workspace.sources.slice(d.primary.span).starts_with("resource \"AWS::IAM::Role\" django_role"));
    assert_eq!(workspace.sources.slice(d.secondary[0].span), "svc {}");
}

#[test]
fn logical_ids_depend_on_names_not_on_order() {
    let first = format!("{PROJECT}{SERVICE}\nlayer app {{\n  a = service {{ cpu = 1 vcpu }}\n  b = service {{ cpu = 1 vcpu }}\n}}\n");
    let second = format!("{PROJECT}{SERVICE}\nlayer app {{\n  b = service {{ cpu = 1 vcpu }}\n  a = service {{ cpu = 1 vcpu }}\n}}\n");
    let ids = |model: Model| {
        let mut ids: Vec<String> = model.layers[0].resources.iter().map(|r| r.logical_id.clone()).collect();
        ids.sort();
        ids
    };
    assert_eq!(ids(model_of(&first, PROD)), ids(model_of(&second, PROD)));
}

#[test]
fn record_types_fill_defaults_and_check_their_requires() {
    let body = format!(
        r#"{PROJECT}
type Scaling = {{ min: int = 1, max: int = 4, target: percent in 1%..100% = 60% }} where {{
  require min <= max else "min (${{min}}) must not exceed max (${{max}})"
}}
construct svc {{
  scaling: Scaling
  resource "AWS::ApplicationAutoScaling::ScalableTarget" t {{ Min = scaling.min, Max = scaling.max, Target = units(scaling.target) }}
}}
layer app {{
  ok = svc {{ scaling = {{ max = 2 }} }}
  bad = svc {{ scaling = {{ min = 5, max = 2 }} }}
}}
"#
    );
    let (workspace, model, diagnostics) = spec(&body, PROD);
    assert!(model.is_none());
    let d = only(&diagnostics, Code::RequirementFailed);
    assert_eq!(d.message, "min (5) must not exceed max (2)");
    assert_eq!(workspace.sources.slice(d.primary.span), "{ min = 5, max = 2 }");

    let fixed = body.replace("bad = svc { scaling = { min = 5, max = 2 } }", "");
    let model = model_of(&fixed, PROD);
    let t = model.layer("app").and_then(|l| l.resource("OkT")).expect("resource OkT");
    assert_eq!(json(field(&t.properties, "Min")), r#"{"type":"int","value":1}"#);
    assert_eq!(json(field(&t.properties, "Max")), r#"{"type":"int","value":2}"#);
    assert_eq!(json(field(&t.properties, "Target")), r#"{"type":"int","value":60}"#);
}

#[test]
fn branching_on_a_deploy_time_value_is_refused_even_if_unchecked() {
    let body =
        format!("{PROJECT}\nlayer app {{\n  x = if aws.region == \"us-east-1\" {{ 1 }} else {{ 2 }}\n}}\n");
    let (_, model, diagnostics) = spec_unchecked(&body, PROD);
    assert!(model.is_none());
    only(&diagnostics, Code::DeployTimeBranch);
}

#[test]
fn file_reads_only_the_stdlib() {
    let body = format!("{PROJECT}\nlayer app {{\n  code = file(\"../lambda/image_cleanup.py\")\n}}\n");
    let (_, model, diagnostics) = spec(&body, PROD);
    assert!(model.is_none());
    let d = only(&diagnostics, Code::WrongArguments);
    assert!(d.message.contains("stdlib"), "{}", d.message);
}

#[test]
fn the_model_serializes_to_json() {
    let model = model_of(&format!("{PROJECT}{LAYERS}"), PROD);
    let text = serde_json::to_string(&model).unwrap_or_default();
    assert!(text.contains(r#""logical_id":"Cluster""#), "{text}");
    assert!(text.contains(r#""fn":"ssm","args":"/shop/infra/vpc_id""#), "{text}");
}

#[test]
fn a_hundred_thousand_line_spec_evaluates_quickly() {
    let mut body = format!("{PROJECT}{SERVICE}\nlayer core {{\n  resource \"AWS::EC2::VPC\" vpc {{}}\n  publish vpc_id = vpc.ref\n}}\nlayer app {{\n");
    for n in 0..1000 {
        body.push_str(&format!(
            "  service svc_{n} = service {{\n    cpu = env.cpu\n    port = {n} + 1\n  }}\n"
        ));
        body.push_str(&format!(
            "  resource \"AWS::SSM::Parameter\" p_{n} {{\n    Vpc = core.vpc_id\n    Url = svc_{n}.url\n"
        ));
        for k in 0..92 {
            body.push_str(&format!("    K{k} = \"v{k}-${{svc_{n}.task_arn}}\"\n"));
        }
        body.push_str("  }\n");
    }
    body.push_str("}\n");
    assert!(body.lines().count() > 100_000);
    let workspace = Workspace::from_memory(&[("spec/platform.mdl", &body), ("spec/env.mdl", PROD)]);
    let checked = check::check(&workspace);
    let decl = crate::entry_environments(&workspace, &checked)[0];
    let start = std::time::Instant::now();
    let (model, diagnostics) = super::evaluate(&workspace, &checked, decl);
    let elapsed = start.elapsed();
    assert!(diagnostics.is_empty(), "{:#?}", &diagnostics[..diagnostics.len().min(3)]);
    let app = model.as_ref().and_then(|m| m.layer("app")).expect("layer app");
    assert_eq!(app.resources.len(), 5000);
    assert_eq!(app.imports.len(), 1);
    // Unoptimized test builds are ~10x slower than release; this still catches quadratic behaviour.
    assert!(elapsed.as_secs_f64() < 5.0, "evaluation took {elapsed:?}");
    eprintln!("evaluated {} lines in {elapsed:?}", body.lines().count());
}
