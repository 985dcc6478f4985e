//! What programs evaluate to: logical ids, deploy values, SSM wiring, layer order.

use super::*;

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
    assert!(matches!(field(&task.properties, "TaskRoleArn").deploy_expr(),
        Some(DeployExpr::GetAtt(id, attr)) if &**id == "DjangoTaskRole" && &**attr == "Arn"));
    assert!(matches!(field(&task.properties, "LogGroup").deploy_expr(),
        Some(DeployExpr::Ref(id)) if &**id == "DjangoLogsGroup"));
    assert_eq!(field(&task.properties, "Family").as_str(), Some("svc-8000"));
    assert!(task.instance_span.is_some());
    let logs = app.resource("DjangoLogsGroup").expect("log group");
    assert_eq!(json(field(&logs.properties, "RetentionInDays")), r#"{"type":"int","value":7}"#);
    let alerts = app.resource("Alerts").expect("alerts");
    assert!(matches!(field(&alerts.properties, "Owner").deploy_expr(),
        Some(DeployExpr::Ref(id)) if &**id == "DjangoTask"));
}

#[test]
fn a_member_named_main_adds_nothing_to_logical_ids() {
    // `part`'s resource `main` takes its instance's id; `whole` binds a
    // `part` as `main`, whose resources then sit directly under `whole`'s ids.
    let body = format!(
        r#"{PROJECT}
construct part {{
  resource "AWS::SNS::Topic" main {{ TopicName = "a" }}
  resource "AWS::SNS::Topic" extra {{ TopicName = "b" }}
  output arn = main.ref
}}
construct whole {{
  main = part {{}}
  other = part {{}}
  resource "AWS::SNS::Topic" own {{ TopicName = main.arn }}
}}
layer app {{
  web = whole {{}}
  main = part {{}}
}}
"#
    );
    let model = model_of(&body, PROD);
    let app = model.layer("app").expect("layer app");
    let ids: Vec<&str> = app.resources.iter().map(|r| r.logical_id.as_str()).collect();
    // A layer has no prefix to keep: its `main` is named like any binding.
    assert_eq!(ids, ["Web", "WebExtra", "WebOther", "WebOtherExtra", "WebOwn", "Main", "MainExtra"]);
    let own = app.resource("WebOwn").expect("own");
    assert!(matches!(field(&own.properties, "TopicName").deploy_expr(),
        Some(DeployExpr::Ref(id)) if &**id == "Web"));
}

#[test]
fn interpolating_a_deploy_value_gives_a_join_and_plain_strings_stay_plain() {
    let body = format!(
        "{PROJECT}{SERVICE}\nlayer app {{\n  web = service {{ cpu = 1 vcpu }}\n  resource \"AWS::SSM::Parameter\" url {{ Value = web.url, Name = \"plain-${{env.tag}}-${{2 + 3}}\" }}\n}}\n"
    );
    let model = model_of(&body, PROD);
    let url = model.layer("app").and_then(|l| l.resource("Url")).expect("resource Url");
    assert_eq!(field(&url.properties, "Name").as_str(), Some("plain-latest-5"));
    let Some(DeployExpr::Join(parts)) = field(&url.properties, "Value").deploy_expr() else {
        panic!("expected a join: {:#?}", url.properties);
    };
    assert_eq!(parts.len(), 3);
    assert_eq!(parts[0].as_str(), Some("postgres://"));
    assert!(matches!(parts[1].deploy_expr(),
        Some(DeployExpr::GetAtt(id, attr)) if &**id == "WebDb" && &**attr == "Endpoint.Address"));
    assert_eq!(parts[2].as_str(), Some(":80/app"));
}

#[test]
fn cross_layer_references_read_ssm_and_order_the_layers() {
    let model = model_of(&format!("{PROJECT}{LAYERS}"), PROD);
    let order: Vec<&str> = model.layers.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(order, ["core", "app", "edge"], "core first, then declaration order");
    let core = model.layer("core").expect("core");
    let published: Vec<(&str, &str)> =
        core.publishes.iter().map(|p| (p.name.as_str(), p.parameter.as_str())).collect();
    assert_eq!(published, [("vpc_id", "/shop/infra/vpc_id"), ("name", "/shop/infra/name")]);
    assert!(matches!(core.publishes[0].value.deploy_expr(), Some(DeployExpr::Ref(id)) if &**id == "Vpc"));
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
    assert!(matches!(field(&cluster.properties, "Vpc").deploy_expr(),
        Some(DeployExpr::Ssm(p)) if &**p == "/shop/infra/vpc_id"));
    assert!(matches!(&field(&cluster.properties, "Key").kind,
        ValueKind::Secret { parameter } if &**parameter == "/shop/infra/stripe_key"));
    assert!(matches!(field(&cluster.properties, "Region").deploy_expr(),
        Some(DeployExpr::Pseudo(p)) if &**p == "AWS::Region"));
    assert_eq!(model.layer("edge").map(|l| l.depends_on.clone()), Some(vec!["core".to_string()]));
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

#[test]
fn variants_carry_text_and_defaulted_fields_and_match_binds_them() {
    let env = "import \"./platform.mdl\"\nenvironment prod { region = us_east_1, rollout = stepwise { every = 5 min }, capacity = plain { base = 1 } }\n";
    let model = model_of(ROLLOUT, env);
    assert_eq!(model.params_prefix, "/shop/infra", "a trailing slash is dropped");
    let p = model.layer("app").and_then(|l| l.resource("P")).expect("resource P");
    assert_eq!(field(&p.properties, "Describe").as_str(), Some("10% every 5 min"));
    assert_eq!(field(&p.properties, "Provider").as_str(), Some("FARGATE"));
    assert_eq!(json(field(&p.properties, "Base")), r#"{"type":"int","value":1}"#);
    assert_eq!(field(&p.properties, "Stage").as_str(), Some("p"));
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
    assert!(matches!(field(&p.properties, "Has").kind, ValueKind::Bool(true)));
    assert_eq!(field(&p.properties, "Id").as_str(), Some("MyWebApp"));
    assert_eq!(field(&p.properties, "Low").as_str(), Some("a_b"));
    assert_eq!(json(field(&p.properties, "Min")), r#"{"type":"int","value":1536}"#);
    assert_eq!(json(field(&p.properties, "Max")), r#"{"type":"int","value":7}"#);
    assert_eq!(json(field(&p.properties, "Ratio")), r#"{"type":"number","value":3.0}"#);
    let ValueKind::Record(tags) = &field(&p.properties, "Tags").kind else { panic!("tags") };
    let keys: Vec<&str> = tags.iter().map(|(k, _)| &**k).collect();
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
fn the_model_serializes_to_json() {
    let model = model_of(&format!("{PROJECT}{LAYERS}"), PROD);
    let text = serde_json::to_string(&model).unwrap_or_default();
    assert!(text.contains(r#""logical_id":"Cluster""#), "{text}");
    assert!(text.contains(r#""fn":"ssm","args":"/shop/infra/vpc_id""#), "{text}");
}

/// The stdlib writes `output name = name` (ecs.cluster): inside the body the
/// name keeps meaning the param.
#[test]
fn an_output_may_re_export_a_param_of_the_same_name() {
    let body = format!(
        r#"{PROJECT}
construct named {{
  name: string
  env_vars: map<string> = {{ A = "1", B = "2" }}
  output name = "${{name}}!"
  output pairs = [e.key + "=" + e.value for e in entries(env_vars)]
  output all = [name] + [name]
}}
layer app {{
  n = named {{ name = "x" }}
  resource "AWS::SSM::Parameter" p {{ Name = n.name, Pairs = join(n.pairs, ","), All = join(n.all, "") }}
}}
"#
    );
    let model = model_of(&body, PROD);
    let p = model.layer("app").and_then(|l| l.resource("P")).expect("resource P");
    assert_eq!(field(&p.properties, "Name").as_str(), Some("x!"));
    assert_eq!(field(&p.properties, "Pairs").as_str(), Some("A=1,B=2"));
    assert_eq!(field(&p.properties, "All").as_str(), Some("xx"));
}

#[test]
fn a_check_time_condition_keeps_or_drops_a_resource() {
    let body = format!(
        r#"{PROJECT}
construct svc {{
  public: bool = false
  zero: int = 0
  resource "AWS::ElasticLoadBalancingV2::LoadBalancer" balancer {{ Size = 10 / zero }} with {{ Condition = public }}
  resource "AWS::ECS::Service" service {{ Name = "s" }} with {{ Condition = true, DependsOn = [] }}
}}
layer app {{
  web = svc {{}}
}}
"#
    );
    let model = model_of(&body, PROD);
    let app = model.layer("app").expect("layer app");
    let ids: Vec<&str> = app.resources.iter().map(|r| r.logical_id.as_str()).collect();
    assert_eq!(ids, ["WebService"], "a false condition drops the resource without evaluating it");
    let options = &app.resources[0].options;
    assert!(options.field("Condition").is_none(), "the condition is consumed");
    assert!(options.field("DependsOn").is_some());
}

/// The checker refuses this today (E0306); evaluation still names the instance
/// stably, should stage actions become named items.
#[test]
fn an_instance_as_a_stage_action_is_named_after_the_stage() {
    let body = format!(
        r#"{PROJECT}
construct build {{
  resource "AWS::CodeBuild::Project" project {{ Name = "b" }}
  output name = project.ref
}}
construct pipe {{
  stages: [{{ name: string, action: json }}]
  resource "AWS::CodePipeline::Pipeline" pipeline {{ Stages = [s.action for s in stages] }}
}}
layer deploy {{
  pipeline release = pipe {{ stage build = build {{}} }}
}}
"#
    );
    let (_, model, diagnostics) = spec_unchecked(&body, PROD);
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
    let model = model.expect("a model");
    let ids: Vec<&str> = model.layers[0].resources.iter().map(|r| r.logical_id.as_str()).collect();
    assert_eq!(ids, ["ReleaseBuildProject", "ReleasePipeline"]);
}

#[test]
fn a_reference_in_a_branch_not_taken_still_orders_the_layers() {
    let body = format!(
        "{PROJECT}\nlayer app {{\n  x = if env.approval {{ core.name }} else {{ \"local\" }}\n  resource \"AWS::SNS::Topic\" t {{ Name = x }}\n}}\nlayer core {{\n  publish name = \"core\"\n}}\n"
    );
    let model = model_of(&body, PROD);
    let order: Vec<&str> = model.layers.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(order, ["core", "app"]);
    let app = model.layer("app").expect("app");
    assert!(app.depends_on.is_empty() && app.imports.is_empty(), "nothing is read from core in prod");
}

#[test]
fn join_of_deploy_values_is_a_deploy_time_join() {
    let body = format!(
        "{PROJECT}\nlayer app {{\n  resource \"AWS::EC2::Subnet\" a {{}}\n  resource \"AWS::EC2::Subnet\" b {{}}\n  resource \"AWS::SSM::Parameter\" p {{ Value = join([a.ref, \"x\", b.ref], \",\") }}\n}}\n"
    );
    let model = model_of(&body, PROD);
    let p = model.layer("app").and_then(|l| l.resource("P")).expect("resource P");
    let Some(DeployExpr::Join(parts)) = field(&p.properties, "Value").deploy_expr() else {
        panic!("expected a join: {:#?}", p.properties);
    };
    let shown: Vec<String> = parts
        .iter()
        .map(|v| match v.deploy_expr() {
            Some(DeployExpr::Ref(id)) => format!("Ref {id}"),
            _ => super::super::display_text(v).unwrap_or_default(),
        })
        .collect();
    assert_eq!(shown, ["Ref A", ",x,", "Ref B"]);
}

#[test]
fn file_paths_are_relative_to_the_calling_stdlib_module() {
    use crate::eval::builtins::stdlib_relative;
    assert_eq!(stdlib_relative("std/aws/lambda", "../../lambda/image_cleanup.py"), "lambda/image_cleanup.py");
    assert_eq!(stdlib_relative("std/prelude", "./x.txt"), "std/x.txt");
    assert!(
        crate::stdlib::file(&stdlib_relative("std/aws/lambda", "../../lambda/image_cleanup.py")).is_some()
    );
}

#[test]
fn the_region_is_the_variants_text() {
    let body = format!("{PROJECT}\nlayer app {{\n  resource \"AWS::SSM::Parameter\" p {{ Value = \"${{env.region}}/${{env.name}}\" }}\n}}\n");
    let env =
        "import \"./platform.mdl\"\nenvironment prod { region = af_south_1, cpu = 1 vcpu, tag = \"x\" }\n";
    let model = model_of(&body, env);
    assert_eq!(model.region, "af-south-1");
    let p = model.layer("app").and_then(|l| l.resource("P")).expect("resource P");
    assert_eq!(field(&p.properties, "Value").as_str(), Some("af-south-1/prod"));
}

#[test]
fn records_serialize_as_ordered_json_objects() {
    let body = format!(
        "{PROJECT}\nlayer app {{\n  resource \"AWS::SNS::Topic\" t {{ Zeta = 1, Alpha = \"a\" }}\n}}\n"
    );
    let model = model_of(&body, PROD);
    let t = model.layer("app").and_then(|l| l.resource("T")).expect("resource T");
    let text = json(&t.properties);
    assert!(
        text.starts_with(r#"{"type":"record","value":{"Zeta":{"kind":{"type":"int","value":1}"#),
        "{text}"
    );
    assert!(text.find("Zeta") < text.find("Alpha"), "{text}");
}

/// Only declarations take `{ .. }`: the checker resolves the target past a
/// member of the same name, and the evaluator instantiates what it resolved.
#[test]
fn a_member_named_like_its_construct_still_instantiates_it() {
    let body = format!(
        "{PROJECT}\nconstruct queue {{\n  resource \"AWS::SQS::Queue\" q {{}}\n  output url = q.ref\n}}\nlayer app {{\n  queue = queue {{}}\n  resource \"AWS::SSM::Parameter\" p {{ Value = queue.url }}\n}}\n"
    );
    let model = model_of(&body, PROD);
    let ids: Vec<&str> = model.layers[0].resources.iter().map(|r| r.logical_id.as_str()).collect();
    assert_eq!(ids, ["QueueQ", "P"]);
}

/// A bare variant that two enums in scope have is the expected enum's: the
/// checker decides, and the evaluator reads its answer.
#[test]
fn a_bare_variant_of_two_enums_is_the_expected_ones() {
    let body = format!(
        "{PROJECT}\nenum A {{ one, two }}\nenum B {{ one, three }}\nconstruct k {{\n  a: A\n  resource \"AWS::SNS::Topic\" t {{ TopicName = \"${{a}}\" }}\n}}\nlayer app {{\n  x = k {{ a = one }}\n}}\n"
    );
    let model = model_of(&body, PROD);
    let topic = model.layer("app").and_then(|l| l.resource("XT")).expect("resource XT");
    assert_eq!(json(field(&topic.properties, "TopicName")), r#"{"type":"string","value":"one"}"#);
}

/// An output named like a param, written before it, re-exports the param: a
/// name inside the body means the member the checker resolved, not the output.
#[test]
fn an_output_written_before_the_param_it_re_exports_reads_the_param() {
    let body = format!(
        "{PROJECT}\nconstruct c {{\n  output id = id\n  id: string\n  resource \"AWS::SNS::Topic\" t {{ TopicName = id }}\n}}\nlayer app {{\n  x = c {{ id = \"a\" }}\n  resource \"AWS::SNS::Topic\" u {{ TopicName = x.id }}\n}}\n"
    );
    let model = model_of(&body, PROD);
    let topic = model.layer("app").and_then(|l| l.resource("U")).expect("resource U");
    assert_eq!(json(field(&topic.properties, "TopicName")), r#"{"type":"string","value":"a"}"#);
}

/// The megadolls specs of this repository: both environments evaluate, in the
/// layer order and regions the platform requires.
#[test]
fn the_repository_specs_evaluate_in_both_environments() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("specs");
    let entries = [root.join("dev.mdl"), root.join("prod.mdl")];
    let report = crate::check_files(&entries, &crate::workspace::DiskFileSystem);
    let errors: Vec<_> = report.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let mut found: Vec<(String, String, Vec<String>)> = report
        .models
        .iter()
        .map(|m| (m.environment.clone(), m.region.clone(), m.layers.iter().map(|l| l.name.clone()).collect()))
        .collect();
    found.sort();
    let layers = ["core", "microservices", "deployment"].map(String::from).to_vec();
    assert_eq!(
        found,
        [
            ("dev".to_string(), "us-east-1".to_string(), layers.clone()),
            ("prod".to_string(), "af-south-1".to_string(), layers)
        ]
    );
    for model in &report.models {
        let services = model.layer("microservices").expect("microservices");
        assert!(
            services.imports.iter().any(|i| i.parameter == "/megadolls/infra/vpc_id"),
            "{:?}",
            services.imports
        );
        assert_eq!(services.depends_on, ["core"]);
    }
}

#[test]
fn records_of_a_list_lack_the_fields_others_have_and_read_them_as_none() {
    let body = format!(
        "{PROJECT}\nlayer core {{\n  rules = [{{ port = 443, cidr = \"0.0.0.0/0\" }}, {{ port = 80, group = \"sg\" }}]\n  cidrs = [default(r.cidr, \"-\") for r in rules]\n  resource \"AWS::SNS::Topic\" t {{ Tags = rules, TopicName = join(cidrs, \",\") }}\n}}\n"
    );
    let model = model_of(&body, PROD);
    let topic = model.layer("core").and_then(|l| l.resource("T")).expect("resource T");
    assert_eq!(field(&topic.properties, "TopicName").as_str(), Some("0.0.0.0/0,-"));
    let ValueKind::List(tags) = &field(&topic.properties, "Tags").kind else { panic!("a list") };
    let keys = |v: &Value| match &v.kind {
        ValueKind::Record(fields) => fields.iter().map(|(k, _)| k.clone()).collect::<Vec<_>>().join(","),
        _ => String::new(),
    };
    assert_eq!(tags.iter().map(keys).collect::<Vec<_>>(), ["port,cidr", "port,group"]);
}

#[test]
fn a_typed_layer_binding_holds_its_value() {
    let body = format!(
        "{PROJECT}\nlayer core {{\n  rules: json = [{{ a = 1 }}, {{ a = \"x\", b = [] }}]\n  names: [string?] = [\"a\", none]\n  count: int = len(names)\n  resource \"AWS::SNS::Topic\" t {{ Tags = rules, TopicName = \"${{count}}\" }}\n}}\n"
    );
    let model = model_of(&body, PROD);
    let topic = model.layer("core").and_then(|l| l.resource("T")).expect("resource T");
    assert_eq!(field(&topic.properties, "TopicName").as_str(), Some("2"));
    let ValueKind::List(tags) = &field(&topic.properties, "Tags").kind else { panic!("a list") };
    assert_eq!(tags.len(), 2);
    assert!(matches!(field(&tags[1], "a").kind, ValueKind::String(ref s) if &**s == "x"));
}

#[test]
fn an_instance_switched_off_by_when_has_no_resources_and_reads_as_none() {
    let body = format!(
        "{PROJECT}{SERVICE}\nlayer app {{\n  service django = service {{ cpu = env.cpu, port = 8000 }} when env.approval\n  resource \"AWS::SNS::Topic\" alerts {{ Owner = django.task_arn }}\n}}\n"
    );
    let approving = PROD.replace("tag = \"latest\"", "tag = \"latest\", approval = true");
    let on = model_of(&body, &approving);
    let app = on.layer("app").expect("layer app");
    assert!(app.resource("DjangoTask").is_some());
    assert!(matches!(
        field(&app.resource("Alerts").expect("alerts").properties, "Owner").kind,
        ValueKind::Deploy(_)
    ));
    let off = model_of(&body, PROD);
    let app = off.layer("app").expect("layer app");
    let ids: Vec<&str> = app.resources.iter().map(|r| r.logical_id.as_str()).collect();
    assert_eq!(ids, ["Alerts"]);
    assert!(matches!(
        field(&app.resource("Alerts").expect("alerts").properties, "Owner").kind,
        ValueKind::Null
    ));
}
