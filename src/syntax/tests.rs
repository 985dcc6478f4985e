//! Parser tests: the shapes the grammar promises, and errors that say where.

use super::ast::*;
use super::parse;
use crate::diag::Code;
use crate::source::FileId;

fn parse_ok(text: &str) -> File {
    let parsed = parse(FileId(0), text);
    assert!(parsed.diagnostics.is_empty(), "unexpected diagnostics: {:#?}", parsed.diagnostics);
    parsed.file
}

fn first_error(text: &str) -> crate::diag::Diagnostic {
    parse(FileId(0), text).diagnostics.into_iter().next().expect("a diagnostic")
}

const SAMPLE: &str = r#"
/// The platform.
import std/aws/{network, ecs}
import "./other.mdl"

project megadolls {
  environments { dev, prod }
  settings {
    /// Where services run.
    capacity: Capacity
    approval: bool = false
  }
  params = "/megadolls/infra"
}

enum Rollout {
  all_at_once
  linear { step: percent in 1%..99%, every: duration = 5 min }
}

type Scaling = { min: int in 0.., max: int } where {
  require min <= max else "min ${min} > max"
}

construct service {
  cpu: cpu in 0.25 vcpu..16 vcpu = 1 vcpu
  memory: memory
  tags: map<string>?
  id: deploy<string>
  require cpu <= 4 vcpu || memory >= 8 GB else E0403 "bad size"
  resource "AWS::ECS::Service" svc { DesiredCount = 1, "aws:x" = [1, 2,] } with { DependsOn = ["A"] }
  output arn = svc.ref
}

layer core {
  vpc = network.vpc { cidr = "10.0.0.0/16", zones = 2 }
  publish vpc_id = vpc.id
  secret strip_key = "Stripe"
  service web = service { cpu = 0.5 vcpu, memory = 1 GB }
  pipeline release = p.codepipeline {
    stage approve when env.approval = manual { approvers = "SuperAdmin" }
    stage build = build {}
  }
  x = if env.approval { 1 } else if true { 2 } else { -3 * (4 + 5) % 2 }
  y = match env.capacity { spot => 1, on_demand { base } => base, _ => 0 }
  names = [s.name for s in list if !s.off]
  services = "${env.name}-${1 + 2}\n\u{41}"
}

environment dev { capacity = spot, approval = false }
"#;

#[test]
fn parses_every_declaration_kind() {
    let file = parse_ok(SAMPLE);
    let kinds: Vec<&str> = file
        .items
        .iter()
        .map(|i| match i.kind {
            ItemKind::Import(_) => "import",
            ItemKind::Project(_) => "project",
            ItemKind::Environment(_) => "environment",
            ItemKind::Layer(_) => "layer",
            ItemKind::Construct(_) => "construct",
            ItemKind::Type(_) => "type",
            ItemKind::Enum(_) => "enum",
        })
        .collect();
    assert_eq!(kinds, ["import", "import", "project", "enum", "type", "construct", "layer", "environment"]);
    assert_eq!(file.items[0].doc.as_deref(), Some("The platform."));
}

#[test]
fn module_groups_bind_each_module() {
    let file = parse_ok("import std/aws/{network, ecs}\nimport std/prelude");
    let ItemKind::Import(Import::Modules(group)) = &file.items[0].kind else { panic!("modules") };
    let joined: Vec<String> = group.iter().map(|m| m.joined()).collect();
    assert_eq!(joined, ["std/aws/network", "std/aws/ecs"]);
    assert_eq!(group[1].binding.text, "ecs");
    let ItemKind::Import(Import::Modules(single)) = &file.items[1].kind else { panic!("module") };
    assert_eq!(single[0].joined(), "std/prelude");
}

#[test]
fn a_module_in_a_group_may_be_bound_to_another_name() {
    let file = parse_ok("import std/aws/{ecs, network as net}");
    let ItemKind::Import(Import::Modules(group)) = &file.items[0].kind else { panic!("modules") };
    assert_eq!(group[1].joined(), "std/aws/network");
    assert_eq!(group[1].binding.text, "net");
    assert_eq!(group[1].renamed_from.as_ref().map(|n| n.text.as_str()), Some("network"));
    assert!(group[0].renamed_from.is_none());
    // `as` is contextual: a module may still be named `as`, and a rename needs a name.
    parse_ok("import std/{as}");
    assert!(parse(FileId(0), "import std/aws/{network as}")
        .diagnostics
        .iter()
        .any(|d| d.code == Code::SyntaxError));
}

#[test]
fn keywords_end_at_word_boundaries() {
    // `services = ..` is a binding named `services`, not `service s = ..`.
    let file = parse_ok("layer l { services = 1 }");
    let ItemKind::Layer(layer) = &file.items[0].kind else { panic!("layer") };
    let MemberKind::Binding(binding) = &layer.members[0].kind else { panic!("binding") };
    assert_eq!(binding.name.text, "services");
}

#[test]
fn quantities_keep_their_units() {
    let file = parse_ok("layer l { a = 2 GB, b = 0.5 vcpu, c = 10%, d = 5 min, e = 60 days }");
    let ItemKind::Layer(layer) = &file.items[0].kind else { panic!("layer") };
    let units: Vec<(f64, Unit)> = layer
        .members
        .iter()
        .map(|m| match &m.kind {
            MemberKind::Binding(Binding {
                value: Expr { kind: ExprKind::Quantity { amount, unit }, .. },
                ..
            }) => (*amount, *unit),
            other => panic!("not a quantity: {other:?}"),
        })
        .collect();
    assert_eq!(
        units,
        [(2.0, Unit::GB), (0.5, Unit::Vcpu), (10.0, Unit::Percent), (5.0, Unit::Minute), (60.0, Unit::Day)]
    );
}

#[test]
fn a_unit_on_the_next_line_is_not_attached() {
    // `max = 4` then `min = 2` on the next line: `min` is a field, not minutes.
    let file = parse_ok("layer l { s = { max = 4\n min = 2 } }");
    let ItemKind::Layer(layer) = &file.items[0].kind else { panic!("layer") };
    let MemberKind::Binding(binding) = &layer.members[0].kind else { panic!("binding") };
    let ExprKind::Record(record) = &binding.value.kind else { panic!("record") };
    assert_eq!(record.fields.len(), 2);
}

#[test]
fn precedence_binds_multiplication_tighter() {
    let file = parse_ok("layer l { x = 1 + 2 * 3 == 7 && true }");
    let ItemKind::Layer(layer) = &file.items[0].kind else { panic!("layer") };
    let MemberKind::Binding(binding) = &layer.members[0].kind else { panic!("binding") };
    let ExprKind::Binary { op: BinaryOp::And, left, .. } = &binding.value.kind else { panic!("and") };
    let ExprKind::Binary { op: BinaryOp::Eq, left, .. } = &left.kind else { panic!("eq") };
    let ExprKind::Binary { op: BinaryOp::Add, right, .. } = &left.kind else { panic!("add") };
    assert!(matches!(right.kind, ExprKind::Binary { op: BinaryOp::Mul, .. }));
}

#[test]
fn if_conditions_do_not_swallow_the_block() {
    let file = parse_ok("layer l { x = if ready { 1 } else { 2 } }");
    let ItemKind::Layer(layer) = &file.items[0].kind else { panic!("layer") };
    let MemberKind::Binding(binding) = &layer.members[0].kind else { panic!("binding") };
    let ExprKind::If { condition, .. } = &binding.value.kind else { panic!("if") };
    assert!(matches!(condition.kind, ExprKind::Name(_)));
}

#[test]
fn interpolation_and_escapes() {
    let file = parse_ok(r#"layer l { x = "a${b}c\n\u{41}\$" }"#);
    let ItemKind::Layer(layer) = &file.items[0].kind else { panic!("layer") };
    let MemberKind::Binding(binding) = &layer.members[0].kind else { panic!("binding") };
    let ExprKind::String(s) = &binding.value.kind else { panic!("string") };
    assert_eq!(s.parts.len(), 3);
    assert!(matches!(&s.parts[2], StringPart::Text(t) if t == "c\nA$"));
}

#[test]
fn syntax_errors_say_what_was_expected_and_where() {
    let error = first_error("layer core {\n  vpc = \n}");
    assert_eq!(error.code, Code::SyntaxError);
    assert!(error.message.starts_with("expected an expression"), "{}", error.message);
    // At the end of the line that lacks the value, not at the `}` below it.
    assert_eq!(error.primary.span.start, 21);
    assert!(error.message.ends_with("found end of line"), "{}", error.message);
}

#[test]
fn colon_instead_of_equals_gets_help() {
    let error = first_error("environment dev { region: us_east_1 }");
    assert_eq!(error.help.as_deref(), Some("fields are set with `=`: `name = value`"));
}

#[test]
fn deep_nesting_is_refused_before_parsing() {
    let text = "layer l { x = ".to_string() + &"[".repeat(100_000);
    assert_eq!(first_error(&text).code, Code::NestingTooDeep);
}

#[test]
fn long_operator_chains_are_refused() {
    let text = "layer l { x = 1".to_string() + &" + 1".repeat(200_000) + " }";
    assert_eq!(first_error(&text).code, Code::NestingTooDeep);
    let text = "layer l { x = ".to_string() + &"!".repeat(100_000) + "true }";
    assert_eq!(first_error(&text).code, Code::NestingTooDeep);
}

#[test]
fn huge_integers_are_invalid_literals() {
    assert_eq!(first_error("layer l { x = 99999999999999999999999 }").code, Code::InvalidLiteral);
}

#[test]
fn empty_and_comment_only_files_are_fine() {
    assert!(parse_ok("").items.is_empty());
    assert!(parse_ok("// nothing\n/* still /* nothing */ */\n").items.is_empty());
}

#[test]
fn a_range_ends_at_its_high_bound() {
    let text = "project p {\n  settings {\n    workers: int in 1..10\n    size: int = 1\n  }\n}";
    let file = parse_ok(text);
    let ItemKind::Project(project) = &file.items[0].kind else { panic!("project") };
    let range = project.settings[0].range.as_ref().expect("range");
    assert_eq!(&text[range.span.range()], "in 1..10");
}

#[test]
fn an_open_range_does_not_take_the_next_line() {
    let file = parse_ok("construct c {\n  min: int in 0..\n  max: int in ..10\n  mid: int in 1 .. 9 = 2\n}");
    let ItemKind::Construct(construct) = &file.items[0].kind else { panic!("construct") };
    let ranges: Vec<(bool, bool)> = construct
        .members
        .iter()
        .map(|m| match &m.kind {
            MemberKind::Param(f) => {
                f.range.as_ref().map(|r| (r.low.is_some(), r.high.is_some())).expect("range")
            }
            _ => panic!("param"),
        })
        .collect();
    assert_eq!(ranges, [(true, false), (false, true), (true, true)]);
}

#[test]
fn a_block_comment_after_an_open_range_is_space() {
    let text = "construct c {\n  a: int in 1.. /* open */\n  b: int in 1.. /* to */ 9\n  c: int\n}";
    let file = parse_ok(text);
    let ItemKind::Construct(construct) = &file.items[0].kind else { panic!("construct") };
    let highs: Vec<Option<bool>> = construct
        .members
        .iter()
        .map(|m| match &m.kind {
            MemberKind::Param(f) => f.range.as_ref().map(|r| r.high.is_some()),
            _ => panic!("param"),
        })
        .collect();
    assert_eq!(highs, [Some(false), Some(true), None], "`c` is a field of its own, not `a`'s bound");
}

#[test]
fn triple_slash_after_an_expression_is_a_doc_comment() {
    let file = parse_ok("layer l {\n  a = b\n  /// The count.\n  c = 1\n}");
    let ItemKind::Layer(layer) = &file.items[0].kind else { panic!("layer") };
    assert_eq!(layer.members.len(), 2);
    assert_eq!(layer.members[1].doc.as_deref(), Some("The count."));
    let file = parse_ok("layer l { a = 6 / 3 }");
    let ItemKind::Layer(layer) = &file.items[0].kind else { panic!("layer") };
    let MemberKind::Binding(binding) = &layer.members[0].kind else { panic!("binding") };
    assert!(matches!(binding.value.kind, ExprKind::Binary { op: BinaryOp::Div, .. }));
}

#[test]
fn an_index_follows_its_list() {
    let file = parse_ok("layer l {\n  x = core.subnets[0]\n  y = [a, b][i + 1].id\n}");
    let ItemKind::Layer(layer) = &file.items[0].kind else { panic!("layer") };
    let MemberKind::Binding(x) = &layer.members[0].kind else { panic!("binding") };
    let ExprKind::Index { target, index } = &x.value.kind else { panic!("index: {:?}", x.value.kind) };
    assert!(matches!(target.kind, ExprKind::Field { .. }));
    assert!(matches!(index.kind, ExprKind::Int(0)));
    let MemberKind::Binding(y) = &layer.members[1].kind else { panic!("binding") };
    let ExprKind::Field { target, .. } = &y.value.kind else { panic!("field") };
    assert!(matches!(target.kind, ExprKind::Index { .. }));
}

#[test]
fn a_member_may_end_in_a_when_clause() {
    let file =
        parse_ok("layer l {\n  db = rds.postgres { a = 1 } when env.standby\n  when = 2\n  x = when\n}");
    let ItemKind::Layer(layer) = &file.items[0].kind else { panic!("layer") };
    assert_eq!(layer.members.len(), 3);
    let when = layer.members[0].when.as_ref().expect("a condition");
    assert!(matches!(when.kind, ExprKind::Field { .. }));
    assert!(matches!(layer.members[0].kind, MemberKind::Binding(_)));
    assert!(layer.members[1].when.is_none() && layer.members[2].when.is_none());
}

/// `text` wrapped `levels` times in `open` … `close`.
fn wrapped(open: &str, text: &str, close: &str, levels: usize) -> String {
    format!("{}{text}{}", open.repeat(levels), close.repeat(levels))
}

/// The deepest nesting the guard accepts parses on a default-sized thread
/// stack (2 MiB) with room to spare: the guard alone bounds how deep the
/// parser recurses, with no stack probe per rule.
#[test]
fn the_deepest_accepted_nesting_fits_a_default_thread_stack() {
    let shapes: [(&str, &str, &str, &str, &str); 9] = [
        ("layer l { x = ", "[", "1", "]", " }"),
        ("layer l { x = ", "(", "1", ")", " }"),
        ("layer l { x = ", "a { b = ", "1", " }", " }"),
        ("layer l { x = ", "\"${", "1", "}\"", " }"),
        ("layer l { x = ", "if a { ", "1", " } else { 2 }", " }"),
        ("layer l { x = ", "match a { _ => ", "1", " }", " }"),
        ("layer l { x = if a { 1 }", " else if a { 1 }", " else { 2 }", "", " }"),
        ("type t = ", "map<deploy<", "int", ">>", ""),
        ("", "/* ", "x", " */", "layer l {}"),
    ];
    for (before, open, inner, close, after) in shapes {
        let text_at = |levels| format!("{before}{}{after}", wrapped(open, inner, close, levels));
        let deepest =
            (1..).take_while(|&levels| super::depth::too_deep_at(&text_at(levels)).is_none()).last();
        let text = text_at(deepest.expect("one level is accepted"));
        let parsed = std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(move || parse(FileId(0), &text))
            .expect("thread")
            .join()
            .expect("no stack overflow");
        assert!(parsed.diagnostics.is_empty(), "{open}: {:#?}", parsed.diagnostics);
    }
}
