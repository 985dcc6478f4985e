//! Formatter tests.
//!
//! - `tests/format/<case>.mdl` formats to `tests/format/<case>.expected.mdl`
//!   (set `UPDATE_EXPECT=1` to rewrite the expectations, then review the diff);
//! - every case, every `.mdl` under `specs/`, `stdlib/` and `tests/ui/`, and
//!   generated programs: formatting is idempotent, keeps the AST (spans
//!   aside) and every comment, and never needs the fallback;
//! - the fallback itself: a candidate that lost a comment is refused.

#[path = "format/generate.rs"]
mod generate;

use std::path::{Path, PathBuf};

use mdl::source::FileId;
use mdl::syntax::ast::File;
use mdl::syntax::format::{format_checked, format_source, guard, Fallback};
use mdl::syntax::parse;
use proptest::prelude::*;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The AST as text with every `Span { .. }` removed: equal shapes, same meaning.
fn without_spans(file: &File) -> String {
    let debug = format!("{:?}", file.items);
    let mut out = String::new();
    let mut chars = debug.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if debug[i..].starts_with("Span {") {
            for (_, c) in chars.by_ref() {
                if c == '}' {
                    break;
                }
            }
            continue;
        }
        out.push(c);
    }
    out
}

/// Every comment of a text, sorted, as the formatter must keep them.
fn comments(text: &str) -> Vec<String> {
    mdl::syntax::format::comments::comment_texts(text)
}

/// Format `text` and check every invariant; returns the formatted text.
fn check_invariants(name: &str, text: &str) -> String {
    let formatted =
        format_checked(FileId(0), text).unwrap_or_else(|d| panic!("{name}: syntax errors {d:#?}"));
    assert!(formatted.fallback.is_none(), "{name}: fell back: {:?}", formatted.fallback);
    let out = formatted.text;
    let again =
        format_source(FileId(0), &out).unwrap_or_else(|d| panic!("{name}: output does not parse {d:#?}"));
    assert_eq!(again, out, "{name}: not idempotent");
    let before = parse(FileId(0), text).file;
    let after = parse(FileId(0), &out).file;
    assert_eq!(without_spans(&before), without_spans(&after), "{name}: AST changed");
    assert_eq!(comments(text), comments(&out), "{name}: comments changed");
    // Trailing spaces survive only where the input had them on the same text
    // (inside multi-line strings and block comments).
    for (n, line) in out.lines().enumerate() {
        let kept = text.lines().any(|l| l.trim_start() == line.trim_start());
        assert!(!line.ends_with(' ') || kept, "{name}:{}: trailing space: {line:?}", n + 1);
    }
    out
}

/// `(input, expected)` paths of the cases.
fn cases() -> Vec<(PathBuf, PathBuf)> {
    let dir = root().join("tests/format");
    let mut cases: Vec<(PathBuf, PathBuf)> = std::fs::read_dir(&dir)
        .expect("tests/format exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension().is_some_and(|e| e == "mdl") && !p.to_string_lossy().ends_with(".expected.mdl")
        })
        .map(|p| {
            let expected = p.with_extension("expected.mdl");
            (p, expected)
        })
        .collect();
    cases.sort();
    cases
}

#[test]
fn cases_format_as_expected() {
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let cases = cases();
    assert!(cases.len() >= 10, "the formatter's own cases are missing");
    let mut failures = Vec::new();
    for (input, expected_path) in &cases {
        let name = input.file_name().unwrap_or_default().to_string_lossy().to_string();
        let text = std::fs::read_to_string(input).expect("readable case");
        let out = check_invariants(&name, &text);
        if update {
            std::fs::write(expected_path, &out).expect("writable expectation");
            continue;
        }
        let expected = std::fs::read_to_string(expected_path).unwrap_or_default();
        if out != expected {
            failures.push(format!("--- {name}: expected\n{expected}--- got\n{out}"));
        }
        // An expectation is itself formatted: it is a fixed point.
        assert_eq!(format_source(FileId(0), &expected).ok().as_deref(), Some(expected.as_str()), "{name}");
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Every `.mdl` file under `dir`, recursively.
fn mdl_files(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            mdl_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "mdl") {
            found.push(path);
        }
    }
}

#[test]
fn repository_specs_keep_their_invariants() {
    let mut files = Vec::new();
    for dir in ["specs", "stdlib", "tests/ui", "tests/format"] {
        mdl_files(&root().join(dir), &mut files);
    }
    let mut checked = 0;
    for path in &files {
        // Files that are not UTF-8 or do not parse (on purpose, in tests/ui) are skipped.
        let Ok(text) = std::fs::read_to_string(path) else { continue };
        if parse(FileId(0), &text).has_errors() {
            continue;
        }
        check_invariants(&path.display().to_string(), &text);
        checked += 1;
    }
    // At least the formatter's own cases ran.
    assert!(checked >= cases().len(), "only {checked} files checked");
}

#[test]
fn a_lost_comment_keeps_the_original() {
    let original = "layer core {\n  a = 1 // keep me\n}\n";
    let formatted = guard(FileId(0), original, "layer core {\n  a = 1\n}\n".to_string());
    assert_eq!(formatted.text, original);
    let Some(Fallback::Comments { missing, added }) = formatted.fallback else {
        panic!("expected a comment fallback, got {:?}", formatted.fallback)
    };
    assert_eq!(missing, ["// keep me"]);
    assert!(added.is_empty());
}

#[test]
fn a_changed_meaning_keeps_the_original() {
    let original = "layer core {\n  a = 1 + 2 * 3\n}\n";
    let formatted = guard(FileId(0), original, "layer core {\n  a = (1 + 2) * 3\n}\n".to_string());
    assert_eq!(formatted.text, original);
    assert!(matches!(formatted.fallback, Some(Fallback::Meaning)));
    let broken = guard(FileId(0), original, "layer core {\n  a = 1 +\n".to_string());
    assert!(matches!(broken.fallback, Some(Fallback::Syntax(_))));
}

#[test]
fn a_faithful_candidate_is_accepted() {
    let original = "layer core { a = 1 // c\n}";
    let formatted = guard(FileId(0), original, "layer core {\n  a = 1 // c\n}\n".to_string());
    assert!(formatted.fallback.is_none());
}

#[test]
fn syntax_errors_are_returned_not_formatted() {
    let errors = format_source(FileId(0), "layer core { a = }").expect_err("a syntax error");
    assert!(!errors.is_empty());
}

#[test]
fn empty_and_comment_only_files() {
    assert_eq!(format_source(FileId(0), "").ok().as_deref(), Some(""));
    assert_eq!(format_source(FileId(0), "  \n\n").ok().as_deref(), Some(""));
    assert_eq!(format_source(FileId(0), "// a\n\n\n// b").ok().as_deref(), Some("// a\n\n// b\n"));
}

#[test]
fn crlf_and_lone_cr_files_keep_their_line_ending() {
    for (input, expected_path) in &cases() {
        let name = input.file_name().unwrap_or_default().to_string_lossy().to_string();
        let text = std::fs::read_to_string(input).expect("readable case");
        let expected = std::fs::read_to_string(expected_path).unwrap_or_default();
        for ending in ["\r\n", "\r"] {
            let formatted = format_checked(FileId(0), &text.replace('\n', ending))
                .unwrap_or_else(|d| panic!("{name} {ending:?}: syntax errors {d:#?}"));
            assert!(formatted.fallback.is_none(), "{name} {ending:?}: fell back: {:?}", formatted.fallback);
            assert_eq!(formatted.text, expected.replace('\n', ending), "{name} {ending:?}");
        }
    }
    // Mixed endings: the most common one wins, and a string keeps its own.
    let mixed = "layer a {\r\n  x = \"one\ntwo\"\r\n  y = 1\n}\r\n";
    let out = format_source(FileId(0), mixed).expect("formats");
    assert_eq!(out, "layer a {\r\n  x = \"one\ntwo\"\r\n  y = 1\r\n}\r\n");
}

proptest! {
    #![proptest_config(ProptestConfig {
        max_global_rejects: 4096,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn generated_programs_keep_their_invariants(text in generate::program()) {
        // The generator aims at valid programs; the few it misses are skipped.
        prop_assume!(!parse(FileId(0), &text).has_errors());
        check_invariants("generated", &text);
    }
}
