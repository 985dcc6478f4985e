//! Names and fields: E0201, E0202, E0203, E0208, E0209, E0210, E0105, W0201.

use super::{run, run_spec, with_std, PROJECT};
use crate::diag::{Diagnostic, Severity};
use crate::stdlib;

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
    let run = super::run(&two);
    let d = run.only("E0209");
    assert_eq!(d.secondary.len(), 2);
}

#[test]
fn misplaced_members() {
    let run =
        run_spec("layer l {\n  p: int\n  output o = 1\n}\nconstruct c {\n  publish x = \"a\"\n  secret s\n}");
    assert_eq!(run.codes(), vec!["E0105", "E0105", "E0105", "E0105"]);
    assert_eq!(run.diagnostics()[0].message, "a parameter is not allowed in a layer");
    assert_eq!(run.diagnostics()[2].message, "`publish` is not allowed in a construct");
}

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

#[test]
fn environment_names_compare_with_env_name() {
    run_spec("layer l {\n  x = if env.name == prod { 1 } else { 2 }\n}").clean();
    run_spec("layer l {\n  x = env.name == prd\n}").only("E0201");
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
fn an_import_used_only_in_a_type_is_used() {
    let ecs = "construct cluster { name: string }";
    with_std("import std/aws/{ecs}\nconstruct k { c: ecs.cluster }", &[("std/aws/ecs", ecs)]).clean();
}

#[test]
fn duplicate_variants_settings_and_stages() {
    let first = run_spec("enum E { a, a }\nconstruct k { r: { x: int, x: int } }");
    assert_eq!(first.codes(), vec!["E0203", "E0203"]);
    assert_eq!(first.diagnostics()[0].message, "variant `a` is defined twice");
    let run = run(&PROJECT.replace("approval: bool = false", "approval: bool = false, approval: bool"));
    assert_eq!(run.only("E0203").message, "field `approval` is defined twice");
}

#[test]
fn pattern_bindings_are_fields_of_the_variant() {
    let run = run_spec("layer l {\n  a = match env.tier { small => 1, large { replica } => replica }\n}");
    let d = run.only("E0202");
    assert_eq!(d.message, "unknown field `replica`: not a field of variant `large`");
    assert_eq!(d.help.as_deref(), Some("did you mean `replicas`?"));
}

#[test]
fn environment_names_are_values_in_layers() {
    run_spec("layer l {\n  target = prod\n  x = if env.name == target { 1 } else { 2 }\n}").clean();
    run_spec("construct k {\n  target = prod\n}").only("E0201");
}

#[test]
fn a_duplicate_field_after_another_duplicate_points_at_its_own_first_declaration() {
    // The second `a` is left out of the record; the first `b` must still be
    // found as `b`, not as whatever now sits at its position.
    let run = run_spec("type T = { a: int, a: int, b: string, b: string }");
    let diagnostics: Vec<&Diagnostic> =
        run.diagnostics().iter().filter(|d| d.code.as_str() == "E0203").collect();
    assert_eq!(diagnostics.len(), 2, "{diagnostics:#?}");
    let b = diagnostics[1];
    assert_eq!(b.message, "field `b` is defined twice");
    let first = &b.secondary[0];
    assert_eq!(first.message, "first defined here");
    let text = run.workspace.sources.get(first.span.file).map_or("", |f| f.text.as_str());
    assert!(text[first.span.start as usize..].starts_with("b: string, b"), "points at the second `a` or `b`");
}

#[test]
fn a_declaration_named_like_an_imported_module_is_one_error() {
    let network = "construct vpc { name: string }";
    let run = with_std(
        "import std/aws/{network}\nlayer network {\n  v = network.vpc { name = \"a\" }\n  publish id = \"x\"\n}\nlayer app {\n  y = network.id\n}",
        &[("std/aws/network", network)],
    );
    let d = run.only("E0240");
    assert_eq!(d.message, "layer `network` hides the imported module `std/aws/network`");
    assert_eq!(run.primary_text(d), "network");
    assert!(d.help.as_deref().is_some_and(|h| h.contains("{network as aws_network}")), "{d:#?}");
    assert_eq!(run.diagnostics().len(), 1, "no unused import, no self reference: {:#?}", run.diagnostics());
}

#[test]
fn a_renamed_module_and_a_layer_of_its_name_coexist() {
    let network = "construct vpc { name: string }";
    with_std(
        "import std/aws/{network as net}\nlayer network {\n  v = net.vpc { name = \"a\" }\n  publish id = \"x\"\n}\nlayer app {\n  y = network.id\n}",
        &[("std/aws/network", network)],
    )
    .clean();
}

#[test]
fn one_name_bound_to_two_modules_is_a_duplicate() {
    let run = with_std(
        "import std/aws/{network as net, ecs as net}\nlayer l {\n  v = net.vpc { name = \"a\" }\n}",
        &[
            ("std/aws/network", "construct vpc { name: string }"),
            ("std/aws/ecs", "construct cluster { name: string }"),
        ],
    );
    let d = run.only("E0203");
    assert_eq!(d.message, "`net` is defined twice");
}
