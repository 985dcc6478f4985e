//! Evaluation of a spec of 100,000 lines and 1,000 services: complete and
//! correct. How fast it is is measured by `cargo bench --bench check`.

use super::*;

#[test]
fn a_hundred_thousand_line_spec_evaluates_completely() {
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
    let (model, diagnostics) = crate::eval::evaluate(&workspace, &checked, decl);
    assert!(diagnostics.is_empty(), "{:#?}", &diagnostics[..diagnostics.len().min(3)]);
    let app = model.as_ref().and_then(|m| m.layer("app")).expect("layer app");
    assert_eq!(app.resources.len(), 5000);
    assert_eq!(app.imports.len(), 1);
}

#[test]
fn a_long_chain_of_bindings_used_before_written_does_not_overflow() {
    let mut body = format!("{PROJECT}\nlayer app {{\n");
    for n in 0..10_000 {
        body.push_str(&format!("  b{n} = b{} + 1\n", n + 1));
    }
    body.push_str("  b10000 = 0\n  resource \"AWS::SSM::Parameter\" p { Value = b0 }\n}\n");
    let workspace = Workspace::from_memory(&[("spec/platform.mdl", &body), ("spec/env.mdl", PROD)]);
    // The checker recurses along the chain too; give it room, so this test is about evaluation.
    let checked = std::thread::scope(|scope| {
        let handle = std::thread::Builder::new()
            .stack_size(256 << 20)
            .spawn_scoped(scope, || check::check(&workspace));
        handle.ok().and_then(|h| h.join().ok())
    });
    let Some(checked) = checked else { panic!("the checker failed") };
    let decl = crate::entry_environments(&workspace, &checked)[0];
    // Evaluation runs on its own large stack whatever the caller's thread.
    let (model, diagnostics) = crate::eval::evaluate(&workspace, &checked, decl);
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
    let p = model.as_ref().and_then(|m| m.layer("app")).and_then(|l| l.resource("P")).expect("resource P");
    assert_eq!(json(field(&p.properties, "Value")), r#"{"type":"int","value":10000}"#);
}
