//! Layers: E0207 unpublished reads, E0206 cycles, deploy order.

use super::{run_spec, Run};

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

#[test]
fn reading_an_instance_of_another_layer_suggests_publishing_an_output() {
    let run = run_spec(
        "layer core {\n  api = service { memory = 1 GB, port = 1, image = \"i\" }\n}\nlayer web {\n  x = core.api\n}",
    );
    let d = run.only("E0207");
    assert_eq!(
        d.help.as_deref(),
        Some("publish one of its outputs, which are strings: `publish api_url = api.url`")
    );
}
