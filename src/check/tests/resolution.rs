//! The resolution table: each kind of name resolves to its declaration with
//! the checker's type, across files and into the stdlib, and the queries the
//! editor asks (`lookup`, `after_dot`, `references`, `type_of`) answer from it.

use super::{run, run_workspace, Run, LIB, PROJECT};
use crate::check::{Def, Node, Pseudo, Type};
use crate::source::{FileId, Span};
use crate::syntax::ast::{ExprKind, ItemKind, MemberKind};
use crate::workspace::Workspace;

/// The file whose display name ends with `name`.
fn file(run: &Run, name: &str) -> FileId {
    let found = run.workspace.sources.iter().find(|(_, f)| f.name.ends_with(name));
    found.map(|(id, _)| id).unwrap_or_else(|| panic!("no file {name}"))
}

/// The `nth` occurrence of `needle` in `file`, as a span.
fn find(run: &Run, name: &str, needle: &str, nth: usize) -> Span {
    let id = file(run, name);
    let text = &run.workspace.sources.get(id).expect("file").text;
    let start = text.match_indices(needle).nth(nth).map(|(i, _)| i).unwrap_or_else(|| panic!("no {needle}"));
    Span::new(id, start, start + needle.len())
}

/// The name at the `nth` occurrence of `needle` in `file`.
fn node<'r>(run: &'r Run, name: &str, needle: &str, nth: usize) -> Node<'r> {
    let at = find(run, name, needle, nth);
    let node = run.checked.node_at(at.file, at.start);
    node.unwrap_or_else(|| panic!("nothing recorded at {needle} #{nth}"))
}

/// Where `def` is declared: the file's name and the text there.
fn declared(run: &Run, def: Def) -> (String, String) {
    let span =
        run.checked.declaration(&run.workspace, def).unwrap_or_else(|| panic!("{def:?} has no declaration"));
    let name = run.workspace.sources.get(span.file).map(|f| f.name.clone()).unwrap_or_default();
    (name, run.workspace.sources.slice(span).to_string())
}

fn show(run: &Run, ty: &Type) -> String {
    let module = run.workspace.entries[0];
    run.checked.show(&run.workspace, module, ty)
}

fn files(files: &[(&str, &str)]) -> Run {
    run_workspace(Workspace::from_memory(files))
}

const ENV: &str =
    "import \"./platform.mdl\"\nenvironment prod { region = us_east_1, size = 2 GB, tier = small }\n";

const PLATFORM: &str = r#"import "./lib.mdl"
import std/aws/{kms}

project shop {
  environments { dev, prod }
  settings { size: memory, tier: Tier }
  params = "/shop/infra"
}
enum Tier { small, large { replicas: int } }

layer core {
  key = kms.key { description = "k", name = "shop" }
  publish key_arn = key.arn
  secret token = "API token"
}

layer app {
  api = web { memory = env.size, image = "i", scaling = { max = 2 } }
  url = api.url
  from_core = core.key_arn
  ports = [p * 2 for p in [1, 2]]
  replicas = match env.tier { small => 1, large { replicas } => replicas }
  stage = match env.name { dev => "d", prod => "p" }
  where_ = "${aws.region}/${project.params}/${project.name}/${env.region}"
  count = len(ports) + 1
  tier = Tier.small
  resource "AWS::SSM::Parameter" p { Value = url }
}
"#;

const LIBRARY: &str = r#"type Autoscale = { min: int = 1, max: int = 4 }

/// A web service.
construct web {
  memory: memory
  image: string
  scaling: Autoscale = {}
  resource "AWS::ECS::TaskDefinition" task { Memory = units(memory), Min = scaling.min }
  output url = "http://${task.Endpoint.Address}"
}
"#;

fn platform() -> Run {
    files(&[("spec/platform.mdl", PLATFORM), ("spec/lib.mdl", LIBRARY), ("spec/prod.mdl", ENV)])
}

#[test]
fn the_platform_checks_clean() {
    platform().clean();
}

#[test]
fn a_construct_resolves_to_its_declaration_in_another_file() {
    let run = platform();
    let found = node(&run, "platform.mdl", "web {", 0);
    assert!(matches!(found.def, Def::Decl(_)), "{:?}", found.def);
    assert_eq!(declared(&run, found.def), ("spec/lib.mdl".to_string(), "web".to_string()));
}

#[test]
fn a_member_resolves_to_its_binding_with_the_bindings_type() {
    let run = platform();
    let used = node(&run, "platform.mdl", "api.url", 0);
    let Def::Member { index, .. } = used.def else { panic!("{:?}", used.def) };
    assert_eq!(index, 0);
    assert_eq!(declared(&run, used.def).1, "api");
    assert_eq!(show(&run, used.ty), "web");
    // The declaration is recorded too, with the same referent and type.
    let declaration = node(&run, "platform.mdl", "api =", 0);
    assert_eq!(declaration.def, used.def);
    assert_eq!(show(&run, declaration.ty), "web");
}

#[test]
fn a_param_is_one_referent_in_its_body_and_at_every_instance() {
    let run = platform();
    let in_body = node(&run, "lib.mdl", "memory)", 0);
    let at_instance = node(&run, "platform.mdl", "memory =", 0);
    assert_eq!(in_body.def, at_instance.def);
    assert!(matches!(in_body.def, Def::Member { .. }), "{:?}", in_body.def);
    assert_eq!(show(&run, at_instance.ty), "memory");
    let references = run.checked.references(in_body.def);
    let texts: Vec<&str> = references.iter().map(|s| run.workspace.sources.slice(*s)).collect();
    assert_eq!(texts, ["memory", "memory", "memory"], "declaration, use in the body, instance");
}

#[test]
fn locals_resolve_to_where_they_are_bound() {
    let run = platform();
    let element = node(&run, "platform.mdl", "p * 2", 0);
    assert_eq!(element.def, Def::Local { declared: find(&run, "platform.mdl", "p in", 0).with_len(1) });
    assert_eq!(show(&run, element.ty), "int");
    let bound = node(&run, "platform.mdl", "replicas }", 1);
    let Def::Local { declared } = bound.def else { panic!("{:?}", bound.def) };
    assert_eq!(declared, find(&run, "platform.mdl", "replicas }", 0).with_len(8));
    assert_eq!(show(&run, bound.ty), "int");
}

#[test]
fn env_fields_are_settings_of_the_project() {
    let run = platform();
    let size = node(&run, "platform.mdl", "size,", 0);
    assert_eq!(declared(&run, size.def), ("spec/platform.mdl".to_string(), "size".to_string()));
    assert!(matches!(size.def, Def::Setting { declared: Some(_) }));
    assert_eq!(show(&run, size.ty), "memory");
    // The same setting, set in the environment file.
    let set = node(&run, "prod.mdl", "size", 0);
    assert_eq!(set.def, size.def);
    assert_eq!(node(&run, "platform.mdl", "env.size", 0).def, Def::Env);
    assert_eq!(node(&run, "platform.mdl", "name {", 0).def, Def::EnvName);
    let region = node(&run, "platform.mdl", "region}\"", 0);
    // `region` is one of the prelude's `DeploySettings`, declared there.
    assert!(matches!(region.def, Def::Setting { declared: Some(_) }));
    assert_eq!(declared(&run, region.def).1, "region");
    assert_eq!(show(&run, region.ty), "Region");
}

#[test]
fn project_fields_resolve_to_the_project() {
    let run = platform();
    let params = node(&run, "platform.mdl", "params}", 0);
    assert!(matches!(params.def, Def::ProjectField { .. }), "{:?}", params.def);
    assert_eq!(declared(&run, params.def).1, "params");
    assert_eq!(show(&run, params.ty), "string");
    let name = node(&run, "platform.mdl", "name}/", 0);
    assert_eq!(declared(&run, name.def).1, "shop");
    assert!(matches!(node(&run, "platform.mdl", "project.params", 0).def, Def::Project(_)));
}

#[test]
fn aws_names_pseudo_parameters() {
    let run = platform();
    assert_eq!(node(&run, "platform.mdl", "aws.region", 0).def, Def::Aws);
    let region = node(&run, "platform.mdl", "region}/", 0);
    assert_eq!(region.def, Def::Pseudo(Pseudo::Region));
    assert_eq!(show(&run, region.ty), "deploy<string>");
    assert_eq!(run.checked.declaration(&run.workspace, region.def), None, "the language provides it");
    // Inside a stdlib construct too.
    let partition = node(&run, "kms.mdl", "partition", 0);
    assert_eq!(partition.def, Def::Pseudo(Pseudo::Partition));
}

#[test]
fn variants_resolve_bare_qualified_and_in_patterns() {
    let run = platform();
    let qualified = node(&run, "platform.mdl", "small\n", 0);
    let bare = node(&run, "prod.mdl", "small", 0);
    let pattern = node(&run, "platform.mdl", "small =>", 0);
    assert!(matches!(qualified.def, Def::Variant { index: 0, .. }), "{:?}", qualified.def);
    assert_eq!(bare.def, qualified.def);
    assert_eq!(pattern.def, qualified.def);
    assert_eq!(declared(&run, bare.def).1, "small");
    assert_eq!(show(&run, bare.ty), "Tier");
    assert!(matches!(node(&run, "platform.mdl", "Tier.small", 0).def, Def::Decl(_)));
    // Into the stdlib: the prelude's regions.
    let region = node(&run, "prod.mdl", "us_east_1", 0);
    assert_eq!(declared(&run, region.def), ("std/prelude.mdl".to_string(), "us_east_1".to_string()));
}

#[test]
fn environment_names_resolve_to_the_projects_list() {
    let run = platform();
    let pattern = node(&run, "platform.mdl", "dev =>", 0);
    assert!(matches!(pattern.def, Def::Environment { index: 0, .. }), "{:?}", pattern.def);
    assert_eq!(declared(&run, pattern.def).1, "dev");
    let environment = node(&run, "prod.mdl", "prod", 0);
    assert_eq!(declared(&run, environment.def), ("spec/platform.mdl".to_string(), "prod".to_string()));
}

#[test]
fn stdlib_namespaces_and_their_declarations() {
    let run = platform();
    let namespace = node(&run, "platform.mdl", "kms.key", 0);
    assert!(matches!(namespace.def, Def::Namespace(_)), "{:?}", namespace.def);
    assert_eq!(declared(&run, namespace.def).0, "std/aws/kms.mdl");
    let key = node(&run, "platform.mdl", "key {", 0);
    assert_eq!(declared(&run, key.def), ("std/aws/kms.mdl".to_string(), "key".to_string()));
    // A param of the stdlib construct, set in the spec.
    let description = node(&run, "platform.mdl", "description", 0);
    assert_eq!(declared(&run, description.def), ("std/aws/kms.mdl".to_string(), "description".to_string()));
}

#[test]
fn builtins_and_builtin_types() {
    let run = platform();
    let len = node(&run, "platform.mdl", "len(", 0);
    assert_eq!(
        len.def,
        Def::Builtin(crate::check::BUILTINS.iter().position(|(n, _)| *n == "len").unwrap_or(99) as u8)
    );
    let string = node(&run, "lib.mdl", "string", 0);
    assert!(matches!(string.def, Def::BuiltinType(_)), "{:?}", string.def);
}

#[test]
fn record_fields_of_a_known_record_type() {
    let run = platform();
    let min = node(&run, "lib.mdl", "min }", 0);
    assert!(matches!(min.def, Def::Field { .. }), "{:?}", min.def);
    assert_eq!(declared(&run, min.def), ("spec/lib.mdl".to_string(), "min".to_string()));
    assert_eq!(show(&run, min.ty), "int");
    // Set in a literal where the record type is expected.
    let max = node(&run, "platform.mdl", "max = 2", 0);
    assert_eq!(declared(&run, max.def).1, "max");
    assert_eq!(max.def, node(&run, "lib.mdl", "max: int", 0).def);
}

#[test]
fn another_layers_published_value_and_an_instances_output() {
    let run = platform();
    let shared = node(&run, "platform.mdl", "key_arn\n", 0);
    assert!(matches!(shared.def, Def::Shared { .. }), "{:?}", shared.def);
    assert_eq!(declared(&run, shared.def).1, "key_arn");
    assert_eq!(show(&run, shared.ty), "deploy<string>");
    let publish = node(&run, "platform.mdl", "key_arn =", 0);
    assert_eq!(publish.def.canonical(), shared.def.canonical());
    let output = node(&run, "platform.mdl", "url\n", 0);
    assert!(matches!(output.def, Def::Output { .. }), "{:?}", output.def);
    assert_eq!(declared(&run, output.def), ("spec/lib.mdl".to_string(), "url".to_string()));
    assert_eq!(show(&run, output.ty), "deploy<string>");
    // A stdlib construct's output, read in the spec.
    let arn = node(&run, "platform.mdl", "arn\n", 0);
    assert_eq!(declared(&run, arn.def), ("std/aws/kms.mdl".to_string(), "arn".to_string()));
}

#[test]
fn every_expression_has_a_type() {
    let run = platform();
    let module = file(&run, "platform.mdl");
    let ast = &run.workspace.module(run.workspace.module_of_file(module).expect("module")).ast;
    let app = ast.items.iter().find_map(|i| match &i.kind {
        ItemKind::Layer(l) if l.name.text == "app" => Some(l),
        _ => None,
    });
    let value = |name: &str| {
        app.and_then(|l| {
            l.members.iter().find_map(|m| match &m.kind {
                MemberKind::Binding(b) if b.name.text == name => Some(&b.value),
                _ => None,
            })
        })
        .unwrap_or_else(|| panic!("no binding {name}"))
    };
    let type_of = |name: &str| show(&run, run.checked.type_of(value(name)).expect("typed"));
    assert_eq!(type_of("count"), "int");
    assert_eq!(type_of("ports"), "[int]");
    assert_eq!(type_of("where_"), "deploy<string>");
    assert_eq!(type_of("replicas"), "int");
    assert_eq!(type_of("tier"), "Tier");
    let ExprKind::Binary { left, right, .. } = &value("count").kind else { panic!("binary") };
    assert_eq!(show(&run, run.checked.type_of(left).expect("call")), "int");
    assert_eq!(show(&run, run.checked.type_of(right).expect("literal")), "int");
    let module = run.workspace.module_of_file(module).expect("module");
    let item = ast.items.iter().position(|i| matches!(&i.kind, ItemKind::Layer(l) if l.name.text == "app"));
    let app_decl = crate::check::DeclRef { module, item: item.expect("app") };
    assert_eq!(
        run.checked.member_type(&run.workspace, app_decl, 1).map(|t| show(&run, t)).as_deref(),
        Some("deploy<string>")
    );
}

#[test]
fn the_expression_under_an_offset_and_its_type() {
    let run = platform();
    let expr_at = |needle: &str, shift: u32| {
        let at = find(&run, "platform.mdl", needle, 0);
        let (expr, ty) =
            run.checked.expr_at(&run.workspace, at.file, at.start + shift).expect("an expression");
        (run.workspace.sources.slice(expr.span).to_string(), ty.map(|t| show(&run, t)))
    };
    assert_eq!(expr_at("+ 1", 0), ("len(ports) + 1".to_string(), Some("int".to_string())));
    assert_eq!(expr_at("+ 1", 2), ("1".to_string(), Some("int".to_string())));
    assert_eq!(expr_at("ports) +", 1), ("ports".to_string(), Some("[int]".to_string())));
    assert_eq!(expr_at("\"${aws", 0).0, "\"${aws.region}/${project.params}/${project.name}/${env.region}\"");
    assert_eq!(expr_at("\"${aws", 0).1.as_deref(), Some("deploy<string>"));
}

#[test]
fn a_name_typed_by_hand_is_looked_up_as_the_checker_would() {
    let run = platform();
    let ws = &run.workspace;
    let module = ws.module_of_file(file(&run, "platform.mdl")).expect("module");
    let layer = |name: &str| {
        ws.module(module)
            .ast
            .items
            .iter()
            .position(|i| matches!(&i.kind, ItemKind::Layer(l) if l.name.text == name))
            .map(|item| crate::check::DeclRef { module, item })
    };
    let construct =
        crate::check::DeclRef { module: ws.module_of_file(file(&run, "lib.mdl")).expect("lib"), item: 1 };
    let checked = &run.checked;
    assert_eq!(checked.lookup(ws, module, layer("app"), "env"), Some(Def::Env));
    assert!(matches!(checked.lookup(ws, module, layer("app"), "project"), Some(Def::Project(_))));
    assert_eq!(checked.lookup(ws, module, layer("app"), "aws"), Some(Def::Aws));
    assert_eq!(
        checked.lookup(ws, construct.module, Some(construct), "env"),
        None,
        "constructs do not see env"
    );
    assert_eq!(checked.lookup(ws, construct.module, Some(construct), "aws"), Some(Def::Aws));
    assert_eq!(checked.lookup(ws, module, None, "aws"), None, "nor does module level see aws");
    let names = |def| checked.after_dot(ws, module, def).into_iter().map(|(n, _)| n).collect::<Vec<_>>();
    assert_eq!(
        names(Def::Env),
        [
            "name",
            "region",
            "account",
            "protect",
            "profile",
            "role",
            "service_role",
            "tags",
            "stack_sets",
            "size",
            "tier"
        ]
    );
    assert_eq!(
        names(Def::Aws),
        ["region", "account_id", "partition", "stack_name", "stack_id", "url_suffix"]
    );
    let project = checked.lookup(ws, module, layer("app"), "project").expect("project");
    assert_eq!(names(project), ["name", "params"]);
    let api = checked.lookup(ws, module, layer("app"), "api").expect("api");
    assert_eq!(names(api), ["url"], "an instance shows its outputs");
    let core = checked.lookup_path(ws, module, layer("app"), &["core", "token"]);
    assert!(matches!(core, Some(Def::Shared { .. })), "{core:?}");
    let key = checked.lookup_path(ws, module, layer("app"), &["kms", "key"]);
    assert_eq!(key, Some(node(&run, "platform.mdl", "key {", 0).def));
}

#[test]
fn a_member_named_like_its_construct_instantiates_the_construct() {
    let run = run(&format!(
        "{PROJECT}{LIB}\nconstruct queue {{ resource \"AWS::SQS::Queue\" q {{}}\n  output url = q.ref\n}}\nlayer l {{\n  queue = queue {{}}\n  url = queue.url\n}}\n"
    ));
    run.clean();
    let target = node(&run, "a.mdl", "queue {}", 0);
    assert!(matches!(target.def, Def::Decl(_)), "{:?}", target.def);
    let member = node(&run, "a.mdl", "queue.url", 0);
    assert!(matches!(member.def, Def::Member { .. }), "{:?}", member.def);
}

#[test]
fn aws_is_not_visible_at_module_level() {
    let run = run(&format!("{PROJECT}\ntype T = {{ r: string = aws.region }}\n"));
    let d = run.only("E0201");
    assert_eq!(run.primary_text(d), "aws");
    assert_eq!(
        d.help.as_deref(),
        Some("`aws` is visible inside layers and constructs, where a stack is described")
    );
}

trait WithLen {
    fn with_len(self, len: u32) -> Span;
}

impl WithLen for Span {
    fn with_len(self, len: u32) -> Span {
        Span { end: self.start + len, ..self }
    }
}

#[test]
fn project_fields_are_the_ones_declared() {
    let run = run(
        "project shop {\n  environments { dev }\n}\nlayer l {\n  x = project.params\n  y = project.name\n}\n",
    );
    let d = run.only("E0202");
    assert_eq!(run.primary_text(d), "params");
    assert_eq!(d.message, "unknown field `params`: not a field of project `shop`");
}
