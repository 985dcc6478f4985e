//! Diagnostics found while evaluating, and the lines they point at.

use super::*;

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
fn a_variant_field_out_of_range_is_e0401_in_the_environment_file() {
    let env = "import \"./platform.mdl\"\nenvironment prod { region = us_east_1, rollout = stepwise { step = 100%, every = 1 min }, capacity = spot_only }\n";
    let (workspace, _, diagnostics) = spec(ROLLOUT, env);
    let d = only(&diagnostics, Code::OutOfRange);
    assert_eq!(d.message, "`step` must be between 1% and 99%, got 100%");
    assert_eq!(workspace.sources.slice(d.primary.span), "100%");
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
fn record_types_fill_defaults_and_check_their_requires() {
    let body = format!(
        r#"{PROJECT}
type Autoscale = {{ min: int = 1, max: int = 4, target: percent in 1%..100% = 60% }} where {{
  require min <= max else "min (${{min}}) must not exceed max (${{max}})"
}}
construct svc {{
  scaling: Autoscale
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
    let (_, model, diagnostics) = spec_unchecked(&body, PROD);
    assert!(model.is_none());
    let d = only(&diagnostics, Code::WrongArguments);
    assert!(d.message.contains("stdlib"), "{}", d.message);
}

#[test]
fn ill_typed_programs_give_diagnostics_never_panics() {
    let cases = [
        "x = 1 + \"a\"",
        "x = [1, 2].foo",
        "x = undefined_name",
        "x = len(1)",
        "x = nosuch(1, 2)",
        "x = match 3 { 1 => 2 }",
        "x = other",
        "x = Region",
        "x = 9223372036854775807 + 1",
        "x = -(0 - 9223372036854775807 - 1)",
        "x = 1 vcpu + 1 GB",
        "x = 5 % 0",
        "x = 1.5 / 0",
        "x = 2 GB / 0 GB",
        "x = [y for y in 3]",
        "x = if 1 { 2 } else { 3 }",
        "x = \"${[1]}\"",
        "x = env.nosuch",
        "x = other.nothing",
        "x = default(1)",
        "x = units(3)",
        "x = replace(\"a\", \"\", \"b\")",
        "publish p = [1]",
        "x = Region.nowhere",
        "x = log { }",
        "secret s = \"k\"\n  x = \"key=${s}\"",
    ];
    for case in cases {
        let body = format!("{PROJECT}\nconstruct log {{ n: int }}\nlayer other {{ publish p = \"p\" }}\nlayer app {{\n  {case}\n}}\n");
        let (_, model, diagnostics) = spec_unchecked(&body, PROD);
        assert!(model.is_none(), "`{case}` evaluated to a model");
        assert!(diagnostics.iter().any(Diagnostic::is_error), "`{case}` gave no error");
        assert!(
            diagnostics.iter().all(|d| d.notes.iter().any(|n| n.contains("`prod`"))),
            "`{case}`: {diagnostics:#?}"
        );
    }
}

/// The real stdlib's Fargate rule: found deep inside `std/aws/ecs`, reported at
/// the user's instantiation, with the user's values labelled where they were written.
#[test]
fn the_stdlib_fargate_rule_points_at_the_users_lines() {
    let body = r#"
import std/aws/{ecs}
project shop {
  environments { dev, prod }
  settings { memory: memory }
  params = "/shop/infra"
}
layer app {
  cluster = ecs.cluster {
    name = "c", capacity = spot,
    network = {
      vpc_id = "vpc-1", subnets = ["a", "b"], public_subnets = [],
      security_group = "sg-1", discovery = { namespace = "ns-1", domain = "shop.internal" }
    }
  }
  service web = ecs.fargate_service {
    cluster = cluster, name = "web", image = "nginx", cpu = 1 vcpu, memory = env.memory, port = 80
  }
}
"#;
    let env = "import \"./platform.mdl\"\nenvironment prod { region = us_east_1, memory = 16 GB }\n";
    let (workspace, model, diagnostics) = spec(body, env);
    assert!(model.is_none());
    let d = only(&diagnostics, Code::InvalidFargateSize);
    assert_eq!(workspace.sources.slice(d.primary.span), "ecs.fargate_service");
    let labels: Vec<&str> = d.secondary.iter().map(|l| workspace.sources.slice(l.span)).collect();
    assert!(labels.contains(&"16 GB"), "the environment's value is labelled: {labels:?}");
    assert!(labels.contains(&"1 vcpu"), "the spec's value is labelled: {labels:?}");
}

#[test]
fn a_param_out_of_range_is_reported_alone_not_with_the_requires_it_breaks() {
    let body = format!(
        "{PROJECT}\nconstruct small {{\n  cpu: cpu in 0.25 vcpu..16 vcpu\n  require cpu <= 4 vcpu else \"too big\"\n  inner = small_inner {{ cpu = cpu }}\n}}\nconstruct small_inner {{\n  cpu: cpu\n  require cpu <= 2 vcpu else \"inner too big\"\n}}\nlayer app {{\n  a = small {{ cpu = 32 vcpu }}\n  b = small {{ cpu = 8 vcpu }}\n}}\n"
    );
    let (workspace, _, diagnostics) = spec(&body, PROD);
    let mut codes: Vec<(&str, &str)> =
        diagnostics.iter().map(|d| (d.code.as_str(), workspace.sources.slice(d.primary.span))).collect();
    codes.sort();
    // `a`: only its range; `b` is in range, so both of its requires speak.
    assert_eq!(codes, [("E0401", "32 vcpu"), ("E0402", "small"), ("E0402", "small_inner")]);
}

#[test]
fn a_require_labels_the_values_behind_the_bindings_it_reads() {
    let body = format!(
        "{PROJECT}\nconstruct svc {{\n  cpu: cpu\n  big = cpu > 2 vcpu\n  require !big else \"too big\"\n}}\nlayer app {{\n  a = svc {{ cpu = 4 vcpu }}\n}}\n"
    );
    let (workspace, _, diagnostics) = spec(&body, PROD);
    let d = only(&diagnostics, Code::RequirementFailed);
    let labels: Vec<(&str, &str)> =
        d.secondary.iter().map(|l| (workspace.sources.slice(l.span), l.message.as_str())).collect();
    assert!(labels.contains(&("4 vcpu", "`cpu` is 4 vcpu")), "{labels:?}");
}
