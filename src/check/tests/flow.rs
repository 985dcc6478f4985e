//! Control flow: E0303 deploy-time branching, E0305/W0301 matches, E0306 instances, stages.

use super::run_spec;
use crate::diag::Severity;

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

#[test]
fn instances_need_a_name() {
    let run = run_spec("layer l {\n  xs = [service { memory = 1 GB, port = 1, image = \"i\" }]\n}");
    let d = run.only("E0306");
    assert_eq!(d.message, "an instance of `service` must be the whole value of a named binding");
    run_spec("layer l {\n  service x = service { memory = 1 GB, port = 1, image = \"i\" }\n  xs = [x]\n}")
        .clean();
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
fn an_unnamed_instance_is_reported_once() {
    let run = run_spec("layer l {\n  publish x = service { memory = 1 GB, port = 1, image = \"i\" }\n}");
    run.only("E0306");
}

#[test]
fn a_wildcard_after_every_case_is_unreachable() {
    let run = run_spec("layer l {\n  a = match env.name { dev => 1, prod => 2, _ => 3 }\n}");
    let d = run.only("W0301");
    assert_eq!(d.primary.message, "every case is already matched above");
    run_spec("layer l {\n  a = match env.name { dev => 1, _ => 3 }\n}").clean();
}

#[test]
fn patterns_must_match_the_scrutinee_type() {
    let run = run_spec("layer l {\n  a = match 3 { \"x\" => 1, 2 GB => 2, _ => 3 }\n}");
    assert_eq!(run.codes(), vec!["E0301", "E0301"]);
    assert_eq!(run.diagnostics()[0].message, "expected `int`, found `string`");
    let run = run_spec("layer l {\n  a = match 1 GB { 1 vcpu => 1, 1 GB => 2, _ => 3 }\n}");
    assert_eq!(run.only("E0302").message, "expected `memory`, found `cpu`");
}

#[test]
fn check_time_text_cannot_be_deploy_time() {
    let run = run_spec("layer l {\n  require env.approval else \"in ${aws.region}\"\n  resource \"AWS::${aws.region}::X\" r {}\n}");
    assert_eq!(run.codes(), vec!["E0308", "E0308"]);
    assert_eq!(run.diagnostics()[0].message, "a `require` message must be known at check time");
}
