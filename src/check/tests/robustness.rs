//! No cascades, no stack overflows, linear time: E0211, E0309 and scale.

use super::{run_spec, PROJECT};
use crate::check::check;
use crate::workspace::Workspace;

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

/// Speed is measured by `cargo bench --bench check`, not here.
#[test]
fn a_generated_spec_of_300_layers_checks_clean_in_order() {
    let source = generated_spec(300);
    let workspace = Workspace::from_memory(&[("big.mdl", &source)]);
    assert!(workspace.diagnostics.is_empty(), "{:#?}", workspace.diagnostics.first());
    let checked = check(&workspace);
    assert!(checked.diagnostics.is_empty(), "{:#?}", checked.diagnostics.first());
    assert_eq!(checked.layer_order(workspace.entries[0]).len(), 300);
}

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

/// Every program obtained by deleting one line, or one token, of a valid spec
/// is checked without a panic (the AST of a broken file is partial).
#[test]
fn mutilated_programs_never_panic() {
    let source = format!("{PROJECT}{}{}", super::LIB, generated_spec(2).replace(PROJECT, ""));
    let lines: Vec<&str> = source.lines().collect();
    for skip in 0..lines.len() {
        let text: Vec<&str> = lines.iter().enumerate().filter(|(i, _)| *i != skip).map(|(_, l)| *l).collect();
        check(&Workspace::from_memory(&[("a.mdl", &text.join("\n"))]));
    }
    let words: Vec<&str> = source.split(' ').collect();
    for skip in (0..words.len()).step_by(3) {
        let text: Vec<&str> = words.iter().enumerate().filter(|(i, _)| *i != skip).map(|(_, w)| *w).collect();
        check(&Workspace::from_memory(&[("a.mdl", &text.join(" "))]));
    }
}

#[test]
fn many_unknown_names_get_suggestions_while_the_budget_lasts() {
    // Each unknown name is compared with every name in scope: for all 1,500 of
    // them that would be 1,500 × 1,500 comparisons. Suggestions stop once the
    // check's budget is spent; every unknown name is still reported.
    let mut body = String::from("layer l {\n");
    for n in 0..1500 {
        body.push_str(&format!("  value_{n} = valeu_{n}\n"));
    }
    body.push_str("}\n");
    let run = run_spec(&body);
    let diagnostics = run.diagnostics();
    assert_eq!(diagnostics.iter().filter(|d| d.code.as_str() == "E0201").count(), 1500);
    let helped = diagnostics.iter().filter(|d| d.help.is_some()).count();
    assert!(helped > 100 && helped < 1500, "{helped} suggestions");
    assert!(diagnostics[0].help.as_deref().is_some_and(|h| h.starts_with("did you mean `value_")));
}
