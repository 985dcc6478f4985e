//! Recovery: every piece that parses is kept, every broken one costs one
//! diagnostic located where the mistake starts, and what it declared is named.

use crate::diag::{Code, Diagnostic};
use crate::source::{FileId, SourceFile};
use crate::syntax::ast::*;
use crate::syntax::{parse, Parsed, MAX_DIAGNOSTICS};

fn parsed(text: &str) -> Parsed {
    parse(FileId(0), text)
}

fn codes(diagnostics: &[Diagnostic]) -> Vec<&str> {
    diagnostics.iter().map(|d| d.code.as_str()).collect()
}

fn item_names(file: &File) -> Vec<&str> {
    file.items
        .iter()
        .filter_map(|i| match &i.kind {
            ItemKind::Layer(l) => Some(l.name.text.as_str()),
            ItemKind::Construct(c) => Some(c.name.text.as_str()),
            ItemKind::Environment(e) => Some(e.name.text.as_str()),
            ItemKind::Type(t) => Some(t.name.text.as_str()),
            ItemKind::Enum(e) => Some(e.name.text.as_str()),
            _ => None,
        })
        .collect()
}

fn broken(file: &File) -> Vec<&str> {
    file.broken.iter().map(|n| n.text.as_str()).collect()
}

fn members(file: &File, layer: &str) -> Vec<String> {
    let found = file.items.iter().find_map(|i| match &i.kind {
        ItemKind::Layer(l) if l.name.text == layer => Some(&l.members),
        _ => None,
    });
    let member_name = |m: &Member| match &m.kind {
        MemberKind::Binding(b)
        | MemberKind::Service(b)
        | MemberKind::Publish(b)
        | MemberKind::Output(b)
        | MemberKind::Pipeline(b) => b.name.text.clone(),
        other => format!("{other:?}"),
    };
    found.map(|m| m.iter().map(member_name).collect()).unwrap_or_default()
}

#[test]
fn two_broken_items_around_a_good_one() {
    let text = "layer a {\n  x = \n}\n\nlayer b {\n  y = 1\n}\n\ntype c = = int\n";
    let parsed = parsed(text);
    assert_eq!(codes(&parsed.diagnostics), ["E0101", "E0101"]);
    assert!(parsed.diagnostics[0].primary.span.start < parsed.diagnostics[1].primary.span.start);
    assert_eq!(parsed.diagnostics[0].primary.span.start as usize, text.find("= \n").expect("x =") + 2);
    assert_eq!(item_names(&parsed.file), ["a", "b"]);
    assert_eq!(members(&parsed.file, "a"), Vec::<String>::new());
    assert_eq!(members(&parsed.file, "b"), ["y"]);
    assert_eq!(broken(&parsed.file), ["x", "c"]);
}

#[test]
fn a_broken_member_of_a_layer_costs_only_that_member() {
    let text =
        "layer core {\n  a = 1\n  service web = ecs.service { cpu = }\n  b = a + 1\n  c = [1, 2,, 3]\n}\n";
    let parsed = parsed(text);
    assert_eq!(codes(&parsed.diagnostics), ["E0101", "E0101"]);
    assert_eq!(members(&parsed.file, "core"), ["a", "b"]);
    assert_eq!(broken(&parsed.file), ["web", "c"]);
    let cpu = text.find("cpu = }").expect("cpu") + 6;
    assert_eq!(parsed.diagnostics[0].primary.span.start as usize, cpu);
}

#[test]
fn broken_members_of_other_blocks() {
    let text = "enum size {\n  small\n  big = \n  huge\n}\nenvironment dev {\n  region = \n  approval = true\n}\nproject p {\n  environments { dev }\n  x = = 1\n}\n";
    let parsed = parsed(text);
    assert_eq!(codes(&parsed.diagnostics), ["E0101", "E0101", "E0101"]);
    assert_eq!(broken(&parsed.file), ["big", "region", "x"]);
    let ItemKind::Enum(size) = &parsed.file.items[0].kind else { panic!("enum") };
    let variants: Vec<&str> = size.variants.iter().map(|v| v.name.text.as_str()).collect();
    assert_eq!(variants, ["small", "huge"]);
    let ItemKind::Environment(dev) = &parsed.file.items[1].kind else { panic!("environment") };
    assert_eq!(dev.fields.fields.len(), 1);
    assert!(matches!(parsed.file.items[2].kind, ItemKind::Project(_)));
}

#[test]
fn a_broken_settings_block_names_every_setting() {
    let text =
        "project p {\n  environments { dev, prod\n  settings {\n    size: memory\n    tier: = 1\n  }\n}\n";
    let parsed = parsed(text);
    assert_eq!(broken(&parsed.file), ["dev", "prod", "size", "tier"]);
}

#[test]
fn an_unterminated_string_is_reported_at_its_opening_quote() {
    let text = "layer a {\n  x = \"abc\n  y = \"def\"\n}\n\nlayer b {\n  z = \"ok\"\n}\n";
    let parsed = parsed(text);
    assert_eq!(codes(&parsed.diagnostics), ["E0106"]);
    let error = &parsed.diagnostics[0];
    assert_eq!(error.primary.span.start as usize, text.find('"').expect("quote"));
    assert_eq!(error.primary.message, "this string is never closed");
    assert_eq!(members(&parsed.file, "a"), ["y"]);
    assert_eq!(members(&parsed.file, "b"), ["z"]);
}

#[test]
fn an_unclosed_bracket_is_reported_where_it_opens() {
    let text = "layer a {\n  x = [1, 2\n  y = 3\n}\nlayer b {\n  z = 1\n\nlayer c { w = 1 }\n";
    let parsed = parsed(text);
    assert_eq!(codes(&parsed.diagnostics), ["E0107", "E0107"]);
    let [list, block] = &parsed.diagnostics[..] else { panic!("two") };
    assert_eq!(list.primary.span.start as usize, text.find('[').expect("["));
    assert_eq!(block.primary.span.start as usize, text.find("b {").expect("b") + 2);
    assert_eq!(block.secondary[0].span.start as usize, text.find("layer c").expect("c"));
    assert_eq!(item_names(&parsed.file), ["a", "c"]);
    assert_eq!(members(&parsed.file, "a"), ["y"]);
    assert_eq!(broken(&parsed.file), ["x", "b"]);
}

#[test]
fn an_unterminated_block_comment_is_reported_where_it_opens() {
    let text = "layer a { x = 1 }\n/* note\nlayer b { y = 2 }\n";
    let parsed = parsed(text);
    assert_eq!(codes(&parsed.diagnostics), ["E0108"]);
    assert_eq!(parsed.diagnostics[0].primary.span.start as usize, text.find("/*").expect("/*"));
    assert_eq!(item_names(&parsed.file), ["b"]);
}

#[test]
fn errors_are_capped_with_a_count_of_the_rest() {
    let text: String = (0..60).map(|i| format!("layer l{i} {{ x = }}\n")).collect();
    let parsed = parsed(&text);
    assert_eq!(parsed.diagnostics.len(), MAX_DIAGNOSTICS);
    let last = parsed.diagnostics.last().expect("last");
    assert_eq!(last.notes, ["10 more syntax problems in this file are not shown"]);
    assert_eq!(parsed.file.items.len(), 60);
}

#[test]
fn a_broken_stdlib_import_names_what_it_binds() {
    let parsed = parsed("import std/aws/{ecs, ecr\nlayer a { x = 1 }\n");
    assert_eq!(codes(&parsed.diagnostics), ["E0107"]);
    assert_eq!(broken(&parsed.file), ["ecs", "ecr"]);
    assert_eq!(item_names(&parsed.file), ["a"]);
}

#[test]
fn a_lone_cr_ends_comments_and_lines() {
    let text = "layer a {\r  x = 1 // one\r  y = \r}\r";
    let parsed = parsed(text);
    assert_eq!(codes(&parsed.diagnostics), ["E0101"]);
    assert_eq!(members(&parsed.file, "a"), ["x"]);
    let source = SourceFile::new("a.mdl".into(), None, text.into());
    let at = parsed.diagnostics[0].primary.span.start as usize;
    assert_eq!(source.line_column(at), (3, 7));
    let ok = parse(FileId(0), "layer a { x = 1 // c\ry = 2 }");
    assert!(ok.diagnostics.is_empty(), "{:#?}", ok.diagnostics);
    assert_eq!(members(&ok.file, "a"), ["x", "y"]);
}

#[test]
fn deep_types_and_else_if_chains_are_located_errors() {
    let text = "layer ok { x = 1 }\ntype t = ".to_string() + &"map<".repeat(300_000) + "int";
    let parsed = parse(FileId(0), &text);
    assert_eq!(codes(&parsed.diagnostics), ["E0103"]);
    assert!(parsed.diagnostics[0].primary.span.start > 20);
    assert_eq!(item_names(&parsed.file), ["ok"]);
    assert_eq!(broken(&parsed.file), ["t"]);
    let text =
        "layer l {\n  x = if a { 1 }".to_string() + &" else if a { 1 }".repeat(300_000) + " else { 2 }\n}";
    let parsed = parse(FileId(0), &text);
    assert_eq!(codes(&parsed.diagnostics), ["E0103"]);
    assert!(parsed.diagnostics[0].primary.span.start > 20);
}

#[test]
fn a_bidi_character_in_code_is_one_error_not_two() {
    let parsed = parse(FileId(0), "layer a { x\u{202E} = 1 }\nlayer b { y = 1 }\n");
    assert_eq!(codes(&parsed.diagnostics), ["E0109"]);
    assert_eq!(parsed.diagnostics[0].code, Code::BidiCharacter);
    assert_eq!(item_names(&parsed.file), ["a", "b"]);
}

#[test]
fn a_member_error_names_the_end_of_the_member() {
    let parsed = parsed("layer l {\n  x = 1 2\n  y = 3\n}\n");
    assert_eq!(codes(&parsed.diagnostics), ["E0101"]);
    let message = &parsed.diagnostics[0].message;
    assert!(message.contains("the end of the member") && message.ends_with("found `2`"), "{message}");
    assert_eq!(members(&parsed.file, "l"), ["y"]);
}

#[test]
fn members_indented_like_their_fields_are_not_cut_apart() {
    let text = "layer l {\n  svc = box {\n  cpu = 1\n  }\n  bad = = 2\n}\n";
    let parsed = parsed(text);
    assert_eq!(codes(&parsed.diagnostics), ["E0101"]);
    assert_eq!(members(&parsed.file, "l"), ["svc"]);
}
