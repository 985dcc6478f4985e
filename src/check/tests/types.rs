//! Types and units: E0301, E0302, E0304, E0307, defaults, ranges, resources.

use super::{run, run_spec, PROJECT};

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
fn publish_takes_a_list_of_strings_which_later_layers_read_as_a_list() {
    let run = run_spec("layer l {\n  publish n = [1, 2]\n}");
    assert_eq!(run.only("E0301").message, "expected `[deploy<string>]`, found `[int]`");
    let text = "layer a {\n  publish xs = [\"x\", aws.region]\n}\nlayer b {\n  n: int = 1\n}";
    run_spec(text.replace("  n: int = 1\n", "  first = a.xs[0]\n  n = len(a.xs)\n").as_str()).clean();
    let run = run_spec("layer a {\n  publish xs = [\"x\"]\n}\nlayer b {\n  y = a.xs + 1\n}");
    assert!(
        run.diagnostics().iter().any(|d| d.message.contains("[deploy<string>]")),
        "{:?}",
        run.diagnostics()
    );
}

#[test]
fn only_lists_are_indexed_and_only_by_an_int() {
    let run = run_spec("layer l {\n  m = { a = 1 }\n  x = m[0]\n}");
    let d = run.only("E0301");
    assert_eq!(d.message, "only a list can be indexed, found `{ a: int }`");
    assert_eq!(d.help.as_deref(), Some("read a field by name: `x.field`"));
    let run = run_spec("layer l {\n  xs = [1]\n  x = xs[\"0\"]\n}");
    assert_eq!(run.only("E0301").message, "expected `int`, found `string`");
    run_spec("layer l {\n  xs = [1, 2]\n  x = xs[1] + 1\n}").clean();
}

#[test]
fn if_branches_must_agree() {
    let run = run_spec("layer l {\n  x = if env.approval { 1 } else { \"a\" }\n}");
    let d = run.only("E0301");
    assert_eq!(d.message, "`if` branches have different types: `int` and `string`");
}

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
fn resource_attributes_mix_in_lists_and_branches() {
    run_spec(
        "layer l {\n  resource \"AWS::EC2::Subnet\" a {}\n  resource \"AWS::EC2::Subnet\" b {}\n  \
         ids = if env.approval { [a.ref, b.ref] } else { [a.ref] }\n  \
         resource \"AWS::EC2::Route\" r { DependsOnThese = ids } with { DependsOn = [a] }\n}",
    )
    .clean();
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

#[test]
fn a_quoted_variant_suggests_the_variant() {
    let run = run_spec("construct k { t: Tier }\nlayer l {\n  a = k { t = \"small\" }\n}");
    let d = run.only("E0301");
    assert_eq!(d.message, "expected `Tier`, found `string`");
    assert_eq!(d.help.as_deref(), Some("write the variant without quotes: `small`"));
    let run = run_spec("construct r { region: Region = \"us-east-1\" }");
    assert_eq!(run.only("E0301").help.as_deref(), Some("write the variant without quotes: `us_east_1`"));
}

#[test]
fn environment_names_are_not_strings() {
    let run = run_spec("layer l {\n  x = env.name == \"prod\"\n}");
    let d = run.only("E0301");
    assert_eq!(d.message, "cannot apply `==` to `environment name` and `string`");
    assert_eq!(
        d.help.as_deref(),
        Some("environment names are not strings: compare without quotes, `env.name == prod`")
    );
    run_spec("layer l {\n  x = \"${env.name}\" == \"prod\"\n}").clean();
}

#[test]
fn records_of_different_shapes_join_unless_a_field_has_two_types() {
    let ok = "layer l {\n  rules = [{ port = 1, cidr = \"c\" }, { port = 2, group = aws.region }]\n  c = [r.cidr for r in rules]\n  n: [string?] = c\n}";
    run_spec(ok).clean();
    let run = run_spec("layer l {\n  rules = [{ port = 1 }, { port = \"2\" }]\n}");
    let d = run.only("E0301");
    assert_eq!(
        d.message,
        "list elements give field `port` different types: `{ port: int }` and `{ port: string }`"
    );
    assert!(d.help.as_deref().is_some_and(|h| h.contains("rules: json = [..]")), "{:?}", d.help);
    // A field some elements lack is absent from them: it cannot fill a required field.
    let run = run_spec(
        "type R = { a: int, b: int }\nlayer l {\n  xs = [{ a = 1 }, { a = 2, b = 3 }]\n  ys: [R] = xs\n}",
    );
    assert_eq!(run.only("E0301").message, "expected `[R]`, found `[{ a: int, b: int? }]`");
    run_spec(
        "type R = { a: int, b: int = 0 }\nlayer l {\n  xs = [{ a = 1 }, { a = 2, b = 3 }]\n  ys: [R] = xs\n}",
    )
    .clean();
}

#[test]
fn a_typed_layer_binding_checks_its_value_and_has_its_type() {
    run_spec("layer l {\n  rules: json = [{ a = 1 }, { a = \"x\" }]\n}").clean();
    let run = run_spec("layer l {\n  n: int = \"x\"\n}");
    assert_eq!(run.only("E0301").message, "expected `int`, found `string`");
    let run = run_spec("layer l {\n  n: json = 1\n  m: int = n\n}");
    assert_eq!(run.only("E0301").message, "expected `int`, found `json`");
    let run = run_spec("layer l {\n  n: int\n}");
    assert!(run.only("E0105").help.as_deref().is_some_and(|h| h.contains("typed binding")));
    let run = run_spec("layer l {\n  n: int in 1..3 = 2\n}");
    assert_eq!(run.only("E0105").message, "a range on a binding is not allowed in a layer");
}

#[test]
fn an_instance_switched_off_by_when_has_optional_outputs() {
    let instance = "s = service { memory = 1 GB, port = 1, image = \"i\" } when env.approval";
    let run = run_spec(&format!("layer l {{\n  {instance}\n  x: deploy<string> = s.url\n}}"));
    let d = run.only("E0301");
    assert_eq!(d.message, "expected `deploy<string>`, found `deploy<string>?`");
    assert_eq!(d.help.as_deref(), Some("this may be `none`: use `default(x, value)`"));
    run_spec(&format!(
        "layer l {{\n  {instance}\n  x: deploy<string> = default(s.url, \"-\")\n  y: service? = s\n}}"
    ))
    .clean();
    let run = run_spec("layer l {\n  x = 1 when aws.region == \"x\"\n}");
    assert_eq!(run.codes(), ["E0303"]);
    let run =
        run_spec("layer l {\n  publish p = \"x\" when env.approval\n  require true else \"m\" when true\n}");
    assert_eq!(run.codes(), ["E0310", "E0310"]);
    assert_eq!(run.diagnostics()[0].message, "`publish` cannot be switched off with `when`");
}
