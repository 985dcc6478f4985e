//! Tests of the checker: small sources, asserted codes, messages and spans.
//! Each rule has a failing case and a passing one.

use crate::check::{check, Checked};
use crate::diag::{Diagnostic, Severity};
use crate::stdlib;
use crate::syntax;
use crate::syntax::ast::{Import, ItemKind};
use crate::workspace::{Module, ModuleId, ModuleOrigin, Workspace};

/// A project with two environments and one valid environment, prepended to
/// most tests so they can use `env`, `project` and settings.
const PROJECT: &str = r#"
project shop {
  environments { dev, prod }
  settings { size: memory, approval: bool = false, tier: Tier }
  params = "/shop/infra"
}
enum Tier { small, large { replicas: int in 1..10 } }
environment prod { region = us_east_1, size = 2 GB, tier = large { replicas = 2 } }
"#;

/// A small construct library in the spec itself.
const LIB: &str = r#"
construct service {
  cpu: cpu in 0.25 vcpu..16 vcpu = 1 vcpu
  memory: memory
  port: int
  image: string
  secrets: map<secret> = {}
  env: map<deploy<string>> = {}
  resource "AWS::ECS::TaskDefinition" task { Cpu = units(cpu), Memory = units(memory) }
  output arn = task.ref
  output url = "http://${task.Endpoint.Address}:${port}"
}
"#;

struct Run {
    workspace: Workspace,
    checked: Checked,
}

impl Run {
    fn diagnostics(&self) -> &[Diagnostic] {
        &self.checked.diagnostics
    }

    fn codes(&self) -> Vec<&'static str> {
        self.diagnostics().iter().map(|d| d.code.as_str()).collect()
    }

    /// The one diagnostic with `code`; fails when there are others.
    fn only(&self, code: &str) -> &Diagnostic {
        assert_eq!(self.codes(), vec![code], "diagnostics: {:#?}", self.diagnostics());
        &self.diagnostics()[0]
    }

    /// The source text under a diagnostic's primary label.
    fn primary_text(&self, diagnostic: &Diagnostic) -> &str {
        self.workspace.sources.slice(diagnostic.primary.span)
    }

    fn secondary_texts(&self, diagnostic: &Diagnostic) -> Vec<(String, String)> {
        diagnostic
            .secondary
            .iter()
            .map(|l| (self.workspace.sources.slice(l.span).to_string(), l.message.clone()))
            .collect()
    }

    fn clean(&self) {
        assert!(self.diagnostics().is_empty(), "unexpected diagnostics: {:#?}", self.diagnostics());
    }
}

fn run(source: &str) -> Run {
    run_workspace(Workspace::from_memory(&[("a.mdl", source)]))
}

fn run_workspace(workspace: Workspace) -> Run {
    assert!(workspace.diagnostics.is_empty(), "load/parse errors: {:#?}", workspace.diagnostics);
    let checked = check(&workspace);
    Run { workspace, checked }
}

/// `PROJECT` + `LIB` + the test's own text.
fn run_spec(source: &str) -> Run {
    run(&format!("{PROJECT}{LIB}{source}"))
}

/// A workspace with extra stdlib modules (the real ones are written elsewhere).
fn with_std(source: &str, modules: &[(&str, &str)]) -> Run {
    let mut workspace = Workspace::default();
    let add = |workspace: &mut Workspace, name: &str, origin: ModuleOrigin, text: &str| {
        let file = workspace.sources.add(name.to_string(), None, text.to_string());
        let (ast, diagnostics) = syntax::parse(file, text);
        workspace.diagnostics.extend(diagnostics);
        workspace.modules.push(Module { file, origin, ast, includes: Vec::new(), namespaces: Vec::new() });
        ModuleId(workspace.modules.len() - 1)
    };
    let prelude = stdlib::module(stdlib::PRELUDE).unwrap_or_default();
    workspace.prelude =
        Some(add(&mut workspace, "std/prelude.mdl", ModuleOrigin::Std("std/prelude".into()), prelude));
    let mut std_ids = Vec::new();
    for (path, text) in modules {
        let id = add(&mut workspace, &format!("{path}.mdl"), ModuleOrigin::Std((*path).into()), text);
        std_ids.push((path.to_string(), id));
    }
    let entry = add(&mut workspace, "a.mdl", ModuleOrigin::Spec("a.mdl".into()), source);
    let mut namespaces = Vec::new();
    for item in &workspace.modules[entry.0].ast.items {
        if let ItemKind::Import(Import::Modules(paths)) = &item.kind {
            for path in paths {
                if let Some((_, id)) = std_ids.iter().find(|(p, _)| *p == path.joined()) {
                    namespaces.push((path.binding.clone(), *id));
                }
            }
        }
    }
    workspace.modules[entry.0].namespaces = namespaces;
    workspace.entries.push(entry);
    run_workspace(workspace)
}

#[test]
fn a_complete_spec_checks_clean() {
    run_spec(
        r#"
layer core {
  api = service { memory = 2 GB, port = 80, image = "nginx" }
  publish api_url = api.url
  secret stripe = "Stripe key"
  resource "AWS::SNS::Topic" alerts { TopicName = "${project.name}-alerts" }
  publish topic = alerts.TopicArn
}
layer web {
  size = env.size
  replicas = match env.tier { small => 1, large { replicas } => replicas }
  name = match env.name { dev => "d", prod => "p" }
  web = service {
    memory = if env.approval { 4 GB } else { size * 2 }
    cpu = 0.5 vcpu
    port = 8000 + replicas
    image = "web:${env.name}"
    secrets = { STRIPE = core.stripe }
    env = { API = core.api_url, REGION = aws.region }
  }
  ports = [p * 2 for p in [1, 2, 3] if p > 1]
  total = len(ports) + units(env.size)
  require total > 0 else "no ports"
}
"#,
    )
    .clean();
}

// ------------------------------------------------------------ E0201 names

#[test]
fn unknown_name_suggests_a_close_one() {
    let run = run_spec("layer core {\n  vpc = 1\n  x = vcp + 1\n}");
    let d = run.only("E0201");
    assert_eq!(d.message, "unknown name `vcp`");
    assert_eq!(run.primary_text(d), "vcp");
    assert_eq!(d.help.as_deref(), Some("did you mean `vpc`?"));
}

#[test]
fn namespace_member_suggests_the_namespace_declarations() {
    let ecs = "construct cluster { name: string }\nconstruct fargate_service { port: int }";
    let run = with_std(
        "import std/aws/{ecs}\nlayer core {\n  c = ecs.clustr { name = \"a\" }\n}",
        &[("std/aws/ecs", ecs)],
    );
    let d = run.only("E0201");
    assert_eq!(d.message, "`ecs` has no declaration `clustr`");
    assert_eq!(run.primary_text(d), "clustr");
    assert_eq!(d.help.as_deref(), Some("did you mean `cluster`?"));
    with_std(
        "import std/aws/{ecs}\nlayer core {\n  c = ecs.cluster { name = \"a\" }\n}",
        &[("std/aws/ecs", ecs)],
    )
    .clean();
}

#[test]
fn construct_bodies_do_not_see_env() {
    let run = run_spec("construct c { x = env.size }");
    let d = run.only("E0201");
    assert!(d.help.as_deref().is_some_and(|h| h.contains("pass what you need as a parameter")), "{d:#?}");
}

#[test]
fn ambiguous_bare_variant_needs_qualifying_unless_expected() {
    let source = "enum A { one, two }\nenum B { one, three }\nlayer l {\n  x = one\n  y: A = one\n}";
    let run = run_spec(&source.replace("  y: A = one\n", ""));
    let d = run.only("E0201");
    assert!(d.message.contains("several enums"), "{}", d.message);
    run_spec(
        "enum A { one, two }\nenum B { one, three }\nconstruct k { a: A }\nlayer l {\n  x = k { a = one }\n}",
    )
    .clean();
}

// ------------------------------------------------------------ E0202 fields

#[test]
fn unknown_param_suggests_the_closest_param() {
    let run =
        run_spec("layer l {\n  s = service { memroy = 1 GB, memory = 1 GB, port = 1, image = \"i\" }\n}");
    let d = run.only("E0202");
    assert_eq!(d.message, "unknown field `memroy`: not a parameter of `service`");
    assert_eq!(run.primary_text(d), "memroy");
    assert_eq!(d.help.as_deref(), Some("did you mean `memory`?"));
}

#[test]
fn field_access_reads_outputs_settings_and_pseudo_parameters() {
    let run = run_spec(
        "layer l {\n  s = service { memory = 1 GB, port = 1, image = \"i\" }\n  a = s.urll\n  b = env.sise\n  c = aws.regon\n}",
    );
    assert_eq!(run.codes(), vec!["E0202", "E0202", "E0202"]);
    let helps: Vec<_> = run.diagnostics().iter().map(|d| d.help.clone().unwrap_or_default()).collect();
    assert_eq!(helps, vec!["did you mean `url`?", "did you mean `size`?", "did you mean `region`?"]);
    assert!(run.diagnostics()[0].message.contains("output of `service`"));
}

#[test]
fn unknown_setting_in_an_environment() {
    let run = run(&PROJECT.replace("size = 2 GB", "size = 2 GB, aproval = true"));
    let d = run.only("E0202");
    assert_eq!(d.message, "unknown field `aproval`: not a setting of project `shop`");
    assert_eq!(d.help.as_deref(), Some("did you mean `approval`?"));
}

// ------------------------------------------------------------ E0203 duplicates

#[test]
fn duplicate_member_points_at_the_first() {
    let run = run_spec("layer l {\n  a = 1\n  a = 2\n}");
    let d = run.only("E0203");
    assert_eq!(d.message, "member `a` is defined twice");
    assert_eq!(run.secondary_texts(d), vec![("a".to_string(), "first defined here".to_string())]);
    assert_eq!(d.primary.span.start, run.diagnostics()[0].secondary[0].span.start + 8);
}

#[test]
fn duplicate_field_in_a_record_literal() {
    let run = run_spec("layer l {\n  r = { a = 1, a = 2 }\n}");
    let d = run.only("E0203");
    assert_eq!(d.message, "field `a` is defined twice");
}

// ------------------------------------------------------------ E0210 missing

#[test]
fn missing_params_are_listed_together() {
    let run = run_spec("layer l {\n  s = service { cpu = 1 vcpu }\n}");
    let d = run.only("E0210");
    assert_eq!(d.message, "missing fields `memory`, `port`, `image` in instance of `service`");
    assert_eq!(run.primary_text(d), "service");
    assert_eq!(d.help.as_deref(), Some("set them: `memory = ..., port = ..., image = ...`"));
}

#[test]
fn missing_setting_and_bare_variant_without_its_fields() {
    let first = run(&PROJECT.replace("tier = large { replicas = 2 }", "tier = large"));
    let d = first.only("E0210");
    assert_eq!(d.message, "missing field `replicas` in variant `large`");
    let second = run(&PROJECT.replace("environment prod", "environment dev").replace(", size = 2 GB", ""));
    let d = second.only("E0210");
    assert_eq!(d.message, "missing field `size` in environment of project `shop`");
    assert_eq!(second.primary_text(d), "dev");
}

// ------------------------------------------------------------ E0301 types

#[test]
fn type_mismatch_names_both_types_and_the_declaration() {
    let run = run_spec("layer l {\n  s = service { memory = 1 GB, port = \"80\", image = \"i\" }\n}");
    let d = run.only("E0301");
    assert_eq!(d.message, "expected `int`, found `string`");
    assert_eq!(run.primary_text(d), "\"80\"");
    assert_eq!(run.secondary_texts(d), vec![("port".to_string(), "declared here as `int`".to_string())]);
}

#[test]
fn deploy_time_values_do_not_fit_check_time_fields() {
    let run = run_spec("layer l {\n  s = service { memory = 1 GB, port = 1, image = aws.region }\n}");
    let d = run.only("E0301");
    assert_eq!(d.message, "expected `string`, found `deploy<string>`");
    assert!(d.help.as_deref().is_some_and(|h| h.contains("CloudFormation")));
}

#[test]
fn publish_needs_a_string() {
    let run = run_spec("layer l {\n  publish n = 3\n}");
    assert_eq!(run.only("E0301").message, "expected `deploy<string>`, found `int`");
    run_spec("layer l {\n  publish n = \"x\"\n  publish m = aws.account_id\n}").clean();
}

#[test]
fn if_branches_must_agree() {
    let run = run_spec("layer l {\n  x = if env.approval { 1 } else { \"a\" }\n}");
    let d = run.only("E0301");
    assert_eq!(d.message, "`if` branches have different types: `int` and `string`");
}

// ------------------------------------------------------------ E0302 units

#[test]
fn wrong_dimension_suggests_a_unit() {
    let run = run_spec("layer l {\n  s = service { memory = 2 vcpu, port = 1, image = \"i\" }\n}");
    let d = run.only("E0302");
    assert_eq!(d.message, "expected `memory`, found `cpu`");
    assert_eq!(run.primary_text(d), "2 vcpu");
    assert_eq!(d.help.as_deref(), Some("write the memory with a unit: `2 GB`"));
}

#[test]
fn bare_number_where_a_quantity_is_expected() {
    let run = run_spec("layer l {\n  s = service { memory = 2048, port = 1, image = \"i\" }\n}");
    let d = run.only("E0302");
    assert_eq!(d.message, "expected `memory`, found `int`");
    assert_eq!(d.help.as_deref(), Some("write `2048 MiB`"));
}

#[test]
fn arithmetic_keeps_dimensions_apart() {
    let run = run_spec("layer l {\n  x = 1 GB + 1 vcpu\n  y = 1 GB < 2\n}");
    assert_eq!(run.codes(), vec!["E0302", "E0302"]);
    assert_eq!(run.diagnostics()[0].message, "cannot apply `+` to `memory` and `cpu`");
    run_spec("layer l {\n  x = 1 GB + 512 MiB\n  y = 2 GB / 1 GB\n  z = 1 vcpu * 2\n  w = 1 GB < 2 GB\n}")
        .clean();
}

// ------------------------------------------------------------ E0303 deploy-time branching

#[test]
fn branching_on_deploy_time_values() {
    let run = run_spec(
        "layer l {\n  a = if aws.region == \"x\" { 1 } else { 2 }\n  b = [x for x in [1] if aws.region == \"y\"]\n}",
    );
    assert_eq!(run.codes(), vec!["E0303", "E0303"]);
    let d = &run.diagnostics()[0];
    assert_eq!(run.primary_text(d), "aws.region == \"x\"");
    assert_eq!(
        d.help.as_deref(),
        Some("this value is known only when CloudFormation runs; branch on a setting of `env` instead")
    );
}

#[test]
fn require_on_deploy_time_values() {
    let run = run_spec("layer l {\n  require aws.account_id == \"1\" else \"wrong account\"\n}");
    run.only("E0303");
    run_spec("layer l {\n  require env.approval else \"needs approval\"\n}").clean();
}

// ------------------------------------------------------------ E0304 secrets

#[test]
fn secrets_do_not_flow_into_strings() {
    let run = run_spec(
        "layer l {\n  secret key\n  a = \"k=${key}\"\n  s = service { memory = 1 GB, port = 1, image = key }\n}",
    );
    assert_eq!(run.codes(), vec!["E0304", "E0304"]);
    assert_eq!(run.diagnostics()[0].message, "a secret cannot flow into a plain string");
}

#[test]
fn secrets_flow_into_secret_fields_and_resource_properties() {
    run_spec(
        "layer l {\n  secret key\n  s = service { memory = 1 GB, port = 1, image = \"i\", secrets = { K = key } }\n  \
         resource \"AWS::Lambda::Function\" f { Environment = { Variables = { K = key } } }\n  p = key.parameter + \"x\"\n}",
    )
    .clean();
}

#[test]
fn cross_layer_secrets_keep_their_type() {
    let run = run_spec("layer a {\n  secret key\n}\nlayer b {\n  x = \"${a.key}\"\n}");
    run.only("E0304");
}

// ------------------------------------------------------------ E0305 / W0301 match

#[test]
fn non_exhaustive_match_lists_missing_variants() {
    let run =
        run_spec("enum Color { red, green, blue }\nconstruct k { c: Color\n  x = match c { red => 1 }\n}");
    let d = run.only("E0305");
    assert_eq!(d.message, "non-exhaustive match: `green`, `blue` not covered");
    assert_eq!(run.primary_text(d), "match c");
    assert!(d.help.as_deref().is_some_and(|h| h.contains("green => ...")));
}

#[test]
fn matching_environments_bools_and_literals() {
    let run = run_spec(
        "layer l {\n  a = match env.name { dev => 1 }\n  b = match env.approval { true => 1 }\n  c = match 3 { 1 => 1 }\n}",
    );
    assert_eq!(run.codes(), vec!["E0305", "E0305", "E0305"]);
    assert!(run.diagnostics()[0].message.contains("`prod`"));
    assert!(run.diagnostics()[1].message.contains("`false`"));
    assert!(run.diagnostics()[2].message.contains("`_`"));
    run_spec(
        "layer l {\n  a = match env.name { dev => 1, prod => 2 }\n  b = match env.approval { true => 1, false => 2 }\n  \
         c = match 3 { 1 => 1, _ => 2 }\n}",
    )
    .clean();
}

#[test]
fn arms_after_a_wildcard_or_repeated_are_unreachable() {
    let run = run_spec("layer l {\n  a = match env.name { _ => 1, dev => 2 }\n  b = match env.name { dev => 1, dev => 2, prod => 3 }\n}");
    assert_eq!(run.codes(), vec!["W0301", "W0301"]);
    assert_eq!(run.diagnostics()[0].severity, Severity::Warning);
    assert_eq!(run.secondary_texts(&run.diagnostics()[0])[0].0, "_");
}

#[test]
fn match_on_a_deploy_time_value() {
    let run = run_spec("layer l {\n  a = match aws.region { \"x\" => 1, _ => 2 }\n}");
    run.only("E0303");
}

#[test]
fn environment_pattern_not_in_the_project() {
    let run = run_spec("layer l {\n  a = match env.name { dev => 1, prd => 2, _ => 3 }\n}");
    let d = run.only("E0208");
    assert_eq!(d.help.as_deref(), Some("did you mean `prod`?"));
}

// ------------------------------------------------------------ E0306 instances

#[test]
fn instances_need_a_name() {
    let run = run_spec("layer l {\n  xs = [service { memory = 1 GB, port = 1, image = \"i\" }]\n}");
    let d = run.only("E0306");
    assert_eq!(d.message, "an instance of `service` must be the whole value of a named binding");
    run_spec("layer l {\n  service x = service { memory = 1 GB, port = 1, image = \"i\" }\n  xs = [x]\n}")
        .clean();
}

// ------------------------------------------------------------ E0307 built-ins

#[test]
fn builtins_check_arity_and_argument_types() {
    let run = run_spec("layer l {\n  a = len([1], [2])\n  b = units(\"x\")\n  c = upper(1)\n}");
    assert_eq!(run.codes(), vec!["E0307", "E0307", "E0301"]);
    assert_eq!(run.diagnostics()[0].message, "wrong arguments to `len`: takes 1 argument, got 2");
    assert_eq!(run.diagnostics()[0].help.as_deref(), Some("`len(list | string | map) -> int`"));
    run_spec(
        "layer l {\n  a = len([1])\n  b = units(2 GB)\n  c = upper(\"x\")\n  d = max(1 GB, 2 GB) + 1 GB\n  \
         e = join([\"a\"], \",\")\n  f = contains([1], 2)\n  g = keys({ a = 1 })\n}",
    )
    .clean();
}

#[test]
fn unknown_function_suggests_a_builtin() {
    let run = run_spec("layer l {\n  a = lenght([1])\n}");
    let d = run.only("E0201");
    assert_eq!(
        d.help.as_deref(),
        Some("did you mean `length`?").filter(|_| false).or(Some("did you mean `len`?"))
    );
}

// ------------------------------------------------------------ layers: E0207, E0206

#[test]
fn reading_an_unpublished_member_of_another_layer() {
    let run = run_spec("layer core {\n  vpc_id = \"v\"\n}\nlayer web {\n  x = core.vpc_id\n}");
    let d = run.only("E0207");
    assert_eq!(d.message, "`vpc_id` is not published by layer `core`");
    assert_eq!(d.help.as_deref(), Some("publish it: `publish vpc_id = ...`"));
    run_spec("layer core {\n  publish vpc_id = \"v\"\n}\nlayer web {\n  x = core.vpc_id\n}").clean();
}

#[test]
fn layer_cycles_label_every_reference() {
    let run = run_spec(
        "layer a {\n  publish x = b.y\n}\nlayer b {\n  publish y = c.z\n}\nlayer c {\n  publish z = a.x\n}",
    );
    let d = run.only("E0206");
    assert_eq!(d.message, "layers depend on each other: `a` → `b` → `c` → `a`");
    assert_eq!(run.primary_text(d), "b.y");
    let labels: Vec<String> = run.secondary_texts(d).into_iter().map(|(t, _)| t).collect();
    assert_eq!(labels, vec!["c.z", "a.x"]);
}

#[test]
fn a_layer_naming_itself_is_a_cycle() {
    let run = run_spec("layer a {\n  publish x = \"1\"\n  y = a.x\n}");
    run.only("E0206");
}

#[test]
fn deploy_order_is_topological_with_declaration_order_for_ties() {
    let run =
        run_spec("layer web {\n  x = core.id\n}\nlayer other {\n}\nlayer core {\n  publish id = \"1\"\n}");
    run.clean();
    let module = run.workspace.entries[0];
    let order: Vec<String> = run
        .checked
        .layer_order(module)
        .iter()
        .map(|(layer, deps)| {
            format!(
                "{}<{}",
                name_of(&run, *layer),
                deps.iter().map(|d| name_of(&run, *d)).collect::<Vec<_>>().join(",")
            )
        })
        .collect();
    assert_eq!(order, vec!["other<", "core<", "web<core"]);
}

fn name_of(run: &Run, decl: crate::check::DeclRef) -> String {
    crate::check::scope::declared_name(crate::check::scope::item(&run.workspace, decl))
        .map(|n| n.text.clone())
        .unwrap_or_default()
}

// ------------------------------------------------------------ E0208, E0209 environments

#[test]
fn environment_not_in_the_project_list() {
    let run = run(&PROJECT.replace("environment prod", "environment prd"));
    let d = run.only("E0208");
    assert_eq!(d.message, "environment `prd` is not declared by project `shop`");
    assert_eq!(d.help.as_deref(), Some("did you mean `prod`?"));
    assert_eq!(run.secondary_texts(d)[0].0, "dev, prod");
}

#[test]
fn environment_needs_exactly_one_project() {
    let run = run("environment prod { region = us_east_1 }");
    assert_eq!(run.only("E0209").message, "environment `prod` has no project in scope");
    let two = format!("{PROJECT}\nproject other {{ environments {{ prod }} }}");
    let run = super::tests::run(&two);
    let d = run.only("E0209");
    assert_eq!(d.secondary.len(), 2);
}

// ------------------------------------------------------------ E0105 members

#[test]
fn misplaced_members() {
    let run =
        run_spec("layer l {\n  p: int\n  output o = 1\n}\nconstruct c {\n  publish x = \"a\"\n  secret s\n}");
    assert_eq!(run.codes(), vec!["E0105", "E0105", "E0105", "E0105"]);
    assert_eq!(run.diagnostics()[0].message, "a parameter is not allowed in a layer");
    assert_eq!(run.diagnostics()[2].message, "`publish` is not allowed in a construct");
}

// ------------------------------------------------------------ W0201 imports

#[test]
fn unused_std_import_is_a_warning() {
    let ecs = "construct cluster { name: string }";
    let run = with_std(
        "import std/aws/{ecs, ecr}\nlayer l {\n  c = ecs.cluster { name = \"x\" }\n}",
        &[("std/aws/ecs", ecs), ("std/aws/ecr", ecs)],
    );
    let d = run.only("W0201");
    assert_eq!(d.message, "unused import `ecr`");
    assert_eq!(d.severity, Severity::Warning);
}

// ------------------------------------------------------------ recursion

#[test]
fn recursive_type_aliases_are_an_error_not_a_stack_overflow() {
    let run = run_spec("type A = B\ntype B = [A]\nconstruct k { a: A }");
    let d = run.only("E0309");
    assert!(d.message.contains("defined in terms of itself"));
    run_spec("type A = [B]\ntype B = { x: int }\nconstruct k { a: A = [{ x = 1 }] }").clean();
}

#[test]
fn binding_cycles_are_reported_once() {
    let run = run_spec("layer l {\n  a = b + 1\n  b = a + 1\n}");
    let d = run.only("E0211");
    assert!(d.message.contains("defined in terms of itself"));
    run_spec("layer l {\n  a = b + 1\n  b = 1\n}").clean();
}

// ------------------------------------------------------------ no cascades

#[test]
fn an_unknown_name_is_reported_once() {
    let run = run_spec(
        "layer l {\n  a = missing\n  b = a + 1 GB\n  s = service { memory = a, port = a, image = \"${a}\" }\n  c = a.field.x\n}",
    );
    run.only("E0201");
}

#[test]
fn independent_errors_are_all_reported() {
    let run = run_spec("layer l {\n  a = nope\n  b = 1 GB + 1\n  c = upper(1, 2)\n}");
    assert_eq!(run.codes(), vec!["E0201", "E0302", "E0307"]);
}

// ------------------------------------------------------------ scale

/// A generated spec: `count` constructs and `count` layers, each layer with
/// an instance, published values, a cross-layer read and a match.
fn generated_spec(count: usize) -> String {
    let mut out = String::from(PROJECT);
    for i in 0..count {
        out.push_str(&format!(
            "construct svc{i} {{\n  cpu: cpu in 0.25 vcpu..16 vcpu = 1 vcpu\n  memory: memory\n  port: int = 80\n  \
             tags: map<string> = {{}}\n  image: string\n  secrets: map<secret> = {{}}\n  \
             require cpu <= 4 vcpu || memory >= 8 GB else \"bad size ${{port}}\"\n  \
             resource \"AWS::ECS::TaskDefinition\" task {{\n    Cpu = units(cpu)\n    Memory = units(memory)\n    \
             Tags = [{{ Key = k, Value = tags.x }} for k in keys(tags)]\n  }}\n  \
             output arn = task.ref\n  output url = \"http://${{task.Endpoint.Address}}:${{port}}\"\n}}\n"
        ));
        let read = if i > 0 { format!("  upstream = l{}.url\n", i - 1) } else { String::new() };
        out.push_str(&format!(
            "layer l{i} {{\n{read}  service s = svc{i} {{\n    memory = match env.tier {{ small => 1 GB, large {{ replicas }} => 2 GB * replicas }}\n    \
             cpu = if env.approval {{ 1 vcpu }} else {{ 0.5 vcpu }}\n    image = \"app:${{env.name}}\"\n    \
             tags = {{ x = \"y\", z = \"${{project.name}}\" }}\n  }}\n  publish url = s.url\n  publish arn = s.arn\n}}\n"
        ));
    }
    out
}

#[test]
fn a_generated_spec_checks_clean_in_linear_time() {
    let source = generated_spec(300);
    let workspace = Workspace::from_memory(&[("big.mdl", &source)]);
    assert!(workspace.diagnostics.is_empty(), "{:#?}", workspace.diagnostics.first());
    let start = std::time::Instant::now();
    let checked = check(&workspace);
    let elapsed = start.elapsed();
    assert!(checked.diagnostics.is_empty(), "{:#?}", checked.diagnostics.first());
    // Generous for debug builds on a loaded machine; a quadratic checker takes seconds.
    assert!(elapsed.as_millis() < 2000, "checking {} lines took {elapsed:?}", source.lines().count());
    assert_eq!(checked.layer_order(workspace.entries[0]).len(), 300);
}

/// `cargo test --lib check::tests::timing -- --ignored --nocapture`
#[test]
#[ignore]
fn timing() {
    let source = generated_spec(3000);
    let start = std::time::Instant::now();
    let workspace = Workspace::from_memory(&[("big.mdl", &source)]);
    let parsed = start.elapsed();
    let checked = check(&workspace);
    println!(
        "{} lines: load+parse {parsed:?}, check {:?}, {} diagnostics",
        source.lines().count(),
        start.elapsed() - parsed,
        checked.diagnostics.len()
    );
}

// ------------------------------------------------------------ more rules

#[test]
fn constructs_instantiating_each_other() {
    let run = run_spec("construct a {\n  x = b {}\n}\nconstruct b {\n  y = a {}\n}");
    let d = run.only("E0211");
    assert_eq!(d.message, "constructs instantiate each other: `a` → `b` → `a`");
    assert_eq!(d.secondary.len(), 1);
    let run = run_spec("construct a {\n  x = a {}\n}");
    run.only("E0211");
}

#[test]
fn environment_names_compare_with_env_name() {
    run_spec("layer l {\n  x = if env.name == prod { 1 } else { 2 }\n}").clean();
    run_spec("layer l {\n  x = env.name == prd\n}").only("E0201");
}

#[test]
fn stage_items_fill_the_stages_param() {
    let lib = "enum Action { approve { who: string }, build }\n\
               construct pipe { stages: [{ name: string, action: Action }] }\n";
    run_spec(&format!(
        "{lib}layer l {{\n  pipeline p = pipe {{\n    stage a when env.approval = approve {{ who = \"me\" }}\n    stage b = build\n  }}\n}}"
    ))
    .clean();
    let run = run_spec(&format!(
        "{lib}layer l {{\n  pipeline p = pipe {{\n    stage a when aws.region == \"x\" = build\n    stage b = 3\n  }}\n}}"
    ));
    assert_eq!(run.codes(), vec!["E0303", "E0301"]);
    let run = run_spec(
        "layer l {\n  s = service { memory = 1 GB, port = 1, image = \"i\"\n    stage x = 1\n  }\n}",
    );
    run.only("E0202");
}

#[test]
fn type_requires_see_the_fields() {
    run_spec(
        "type Scaling = { min: int, max: int } where {\n  require min <= max else \"min ${min} > max\"\n}",
    )
    .clean();
    let run = run_spec("type Scaling = { min: int } where {\n  require min <= maxx else \"x\"\n}");
    run.only("E0201");
}

#[test]
fn defaults_and_ranges_match_the_field_type() {
    let run = run_spec("construct k {\n  a: int = \"x\"\n  b: string in 1..2\n  c: memory in 1..2 GB\n}");
    assert_eq!(run.codes(), vec!["E0301", "E0301", "E0302"]);
    assert_eq!(
        run.secondary_texts(&run.diagnostics()[0])[0],
        ("int".to_string(), "declared here as `int`".to_string())
    );
    run_spec("construct k {\n  a: int = 1\n  c: memory in 1 GB..2 GB = 1 GB\n  d: int = a + 1\n}").clean();
}

#[test]
fn project_params_is_an_ssm_path() {
    let run = run(&PROJECT.replace("\"/shop/infra\"", "\"shop\""));
    let d = run.only("E0301");
    assert_eq!(d.message, "`params` must be an SSM path starting with `/`");
}

#[test]
fn raw_resources_need_a_cloudformation_type_and_known_codes() {
    let run = run_spec("layer l {\n  resource \"SNS Topic\" t {}\n  require true else E9999 \"x\"\n}");
    assert_eq!(run.codes(), vec!["E0301", "E0301"]);
    run_spec("layer l {\n  resource \"AWS::SNS::Topic\" t {} with { DeletionPolicy = \"Retain\" }\n  require true else E0403 \"x\"\n}")
        .clean();
}

#[test]
fn outputs_are_deploy_time_when_built_from_attributes() {
    let run = run_spec(
        "layer l {\n  s = service { memory = 1 GB, port = 1, image = \"i\" }\n  t = service { memory = 1 GB, port = 1, image = s.url }\n}",
    );
    assert_eq!(run.only("E0301").message, "expected `string`, found `deploy<string>`");
}

#[test]
fn optional_values_need_a_default_before_use() {
    let run = run_spec("construct k {\n  a: int?\n  b = a + 1\n  c = default(a, 0) + 1\n  d: int? = none\n}");
    assert_eq!(run.codes(), vec!["E0301"]);
}

#[test]
fn names_that_are_not_values() {
    let ecs = "construct cluster { name: string }";
    let run =
        with_std("import std/aws/{ecs}\nlayer l {\n  a = ecs\n  b = ecs.cluster\n}", &[("std/aws/ecs", ecs)]);
    assert_eq!(run.codes(), vec!["E0301", "E0301"]);
    assert_eq!(run.diagnostics()[0].message, "module is not a value");
    assert_eq!(run.diagnostics()[1].help.as_deref(), Some("instantiate it: `name { params }`"));
}

#[test]
fn qualified_variants_and_types_from_namespaces() {
    let ecs = "enum Capacity { spot, on_demand { base: int = 0 } }\nconstruct cluster { capacity: Capacity }";
    with_std(
        "import std/aws/{ecs}\nconstruct k { c: ecs.Capacity }\nlayer l {\n  a = ecs.cluster { capacity = spot }\n  \
         b = ecs.cluster { capacity = ecs.Capacity.on_demand { base = 2 } }\n  c = ecs.cluster { capacity = on_demand }\n}",
        &[("std/aws/ecs", ecs)],
    )
    .clean();
    let run = with_std(
        "import std/aws/{ecs}\nlayer l {\n  a = ecs.cluster { capacity = spto }\n}",
        &[("std/aws/ecs", ecs)],
    );
    assert_eq!(run.only("E0201").help.as_deref(), Some("did you mean `spot`?"));
}

#[test]
fn outputs_are_their_own_namespace() {
    run_spec(
        "construct k {\n  name: string\n  output name = name\n}\nlayer l {\n  a = k { name = \"x\" }\n  b = upper(a.name)\n}",
    )
    .clean();
    let run = run_spec("construct k {\n  output o = 1\n  output o = 2\n}");
    run.only("E0203");
}

#[test]
fn resource_attributes_mix_in_lists_and_branches() {
    run_spec(
        "layer l {\n  resource \"AWS::EC2::Subnet\" a {}\n  resource \"AWS::EC2::Subnet\" b {}\n  \
         ids = if env.approval { [a.ref, b.ref] } else { [a.ref] }\n  \
         resource \"AWS::EC2::Route\" r { DependsOnThese = ids } with { DependsOn = [a] }\n}",
    )
    .clean();
}

#[test]
fn long_chains_of_forward_references_do_not_overflow_the_stack() {
    let mut layer = String::from("layer l {\n");
    for i in 0..5000 {
        layer.push_str(&format!("  a{i} = a{} + 1\n", i + 1));
    }
    layer.push_str("  a5000 = \"x\"\n}\n");
    let mut aliases = String::new();
    for i in 0..5000 {
        aliases.push_str(&format!("type T{i} = T{}\n", i + 1));
    }
    aliases.push_str("type T5000 = int\nconstruct k { t: T0 = 1 }\n");
    let run = std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(move || run_spec(&format!("{layer}{aliases}")).codes())
        .expect("thread")
        .join()
        .expect("no stack overflow");
    // `a4999 = a5000 + 1` is `string + int`: found, and nothing else invented.
    assert_eq!(run, vec!["E0301"]);
}

#[test]
fn declarations_shadow_the_prelude() {
    let prelude = stdlib::module(stdlib::PRELUDE).unwrap_or_default();
    let mut enums =
        prelude.lines().filter_map(|l| l.strip_prefix("enum ")).filter_map(|l| l.split_whitespace().next());
    // Not `Region`: the test project's environment names one.
    let Some(name) = enums.rfind(|n| *n != "Region") else { return };
    run_spec(&format!("enum {name} {{ mine }}\nconstruct k {{ x: {name} = mine }}")).clean();
    run_spec(&format!("enum {name} {{ mine }}\nenum {name} {{ other }}")).only("E0203");
}

#[test]
fn lists_concatenate_and_entries_iterate_maps() {
    run_spec(
        "construct k {\n  tags: map<string> = {}\n  xs = [1] + [2, 3]\n  \
         pairs = [{ Key = e.key, Value = upper(e.value) } for e in entries(tags)]\n  \
         resource \"AWS::SNS::Topic\" t {}\n  arns = join([t.ref, \"x\"], \",\")\n  \
         resource \"AWS::SNS::Topic\" u { TopicName = arns }\n}",
    )
    .clean();
    let run = run_spec("construct k {\n  xs = [1] + [\"a\"]\n  resource \"AWS::SNS::Topic\" t {}\n  n: string = join([t.ref], \",\")\n}");
    assert_eq!(run.codes(), vec!["E0301", "E0301"]);
}
