//! Narrowing: a reference guarded by its member's `when` condition is not optional.

use super::run_spec;

/// An instance switched off where `env.approval` is false; `s.url` is `deploy<string>?`.
const SWITCHED: &str = "s = service { memory = 1 GB, port = 1, image = \"i\" } when env.approval";

fn layer(members: &str) -> String {
    format!("layer l {{\n  {SWITCHED}\n{members}\n}}")
}

#[test]
fn the_same_condition_narrows_an_if_branch() {
    run_spec(&layer("  x: deploy<string> = if env.approval { s.url } else { \"\" }")).clean();
    run_spec(&layer("  x: deploy<string> = if (env.approval) { s.arn } else { \"\" }")).clean();
    run_spec(&layer("  x: deploy<string> = if !env.approval { \"\" } else { s.url }")).clean();
}

#[test]
fn a_members_own_when_narrows_its_value() {
    run_spec(&layer(
        "  u = s.url when env.approval\n  x: deploy<string> = if env.approval { u } else { \"\" }",
    ))
    .clean();
    let run = run_spec(&layer("  u = s.url when env.approval\n  x: deploy<string> = u"));
    assert_eq!(run.only("E0301").message, "expected `deploy<string>`, found `deploy<string>?`");
}

#[test]
fn a_stage_when_narrows_its_action() {
    let lib = "enum Action { approve { who: deploy<string> }, build }\n\
               construct pipe { stages: [{ name: string, action: Action }] }\n";
    let stage = |when: &str| {
        format!(
            "{lib}layer l {{\n  {SWITCHED}\n  pipeline p = pipe {{\n    \
             stage a when {when} = approve {{ who = s.url }}\n    stage b = build\n  }}\n}}"
        )
    };
    run_spec(&stage("env.approval")).clean();
    let run = run_spec(&stage("env.size > 1 GB"));
    assert_eq!(run.only("E0301").message, "expected `deploy<string>`, found `deploy<string>?`");
}

#[test]
fn conjunctions_narrow_by_each_conjunct() {
    run_spec(&layer("  x: deploy<string> = if env.size > 1 GB && env.approval { s.url } else { \"\" }"))
        .clean();
    run_spec(&layer("  x = [s.url for n in [1, 2] if env.approval && n > 1]")).clean();
    run_spec(&layer("  x = env.approval && s.url == \"u\"")).clean();
    run_spec(&layer("  x = !env.approval || s.url == \"u\"")).clean();
    // A member switched by a conjunction narrows where every conjunct holds.
    let both = "t = service { memory = 1 GB, port = 1, image = \"i\" } when env.approval && env.size > 1 GB";
    run_spec(&layer(&format!(
        "  {both}\n  x: deploy<string> = if env.size > 1 GB {{ if env.approval {{ t.url }} else {{ \"\" }} }} else {{ \"\" }}"
    )))
    .clean();
    let run = run_spec(&layer(&format!(
        "  {both}\n  x: deploy<string> = if env.approval {{ t.url }} else {{ \"\" }}"
    )));
    run.only("E0301");
}

#[test]
fn another_condition_does_not_narrow() {
    let optional = "expected `deploy<string>`, found `deploy<string>?`";
    for guarded in [
        "if env.size > 1 GB { s.url } else { \"\" }",
        "if env.approval { \"\" } else { s.url }",
        "if env.approval || env.size > 1 GB { s.url } else { \"\" }",
        "if env.name == prod { s.url } else { \"\" }",
    ] {
        let run = run_spec(&layer(&format!("  x: deploy<string> = {guarded}")));
        assert_eq!(run.only("E0301").message, optional, "{guarded}");
    }
    let run = run_spec(&layer("  x = env.approval || s.url == \"u\""));
    assert!(run.codes().iter().all(|code| *code == "E0301"), "{:?}", run.codes());
}

#[test]
fn only_the_optionality_when_added_is_removed() {
    let run = run_spec(
        "layer l {\n  o = (if env.size > 1 GB { \"a\" } else { none }) when env.approval\n  \
         x: string = if env.approval { o } else { \"\" }\n}",
    );
    assert_eq!(run.only("E0301").message, "expected `string`, found `string?`");
}
