use super::cache::{self, COMMITTED, PATH};
use super::*;
use crate::source::FileId;
use crate::syntax;
use crate::workspace::{ModuleOrigin, Workspace};

/// The command that rewrites the committed parse of the stdlib.
const BLESS: &str = "MDL_BLESS_STDLIB=1 cargo test --lib stdlib::";

#[test]
fn the_committed_parse_of_the_stdlib_is_current() {
    let fresh = cache::generate().expect("the stdlib's trees encode");
    if fresh == COMMITTED {
        return;
    }
    if std::env::var_os("MDL_BLESS_STDLIB").is_some() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(PATH);
        std::fs::write(&path, &fresh).expect("write the stdlib's parse");
        eprintln!("rewrote {PATH} ({} bytes)", fresh.len());
        return;
    }
    panic!(
        "{PATH} is not the parse of this stdlib by this parser (a stdlib module or the parser \
         changed): mdl parses such modules from their text, correctly but slower. Rewrite it with\n\n    {BLESS}\n"
    );
}

/// With the test above, this proves the committed file decodes to what
/// parsing the text would give (it decodes a fresh file, so that it passes
/// while the committed one is rewritten).
#[test]
fn every_module_decodes_to_its_fresh_parse_in_the_file_it_is_loaded_as() {
    let bytes = cache::generate().expect("the stdlib's trees encode");
    for file in [FileId(0), FileId(7)] {
        for module in FILES {
            let Some(path) = module.path.strip_suffix(".mdl") else { continue };
            let fresh = syntax::parse(file, module.text);
            assert!(fresh.diagnostics.is_empty(), "{path}: {:?}", fresh.diagnostics);
            let decoded = cache::lookup(&bytes, PARSER_DIGEST, path, module.digest, file)
                .unwrap_or_else(|| panic!("{path} is not in the stdlib's parse"));
            assert_eq!(format!("{decoded:?}"), format!("{:?}", fresh.file), "{path} as {file:?}");
        }
    }
}

#[test]
fn the_build_digests_each_file_as_the_crate_does() {
    for file in FILES {
        assert_eq!(file.digest, digest::of(file.text.as_bytes()), "{}", file.path);
    }
}

#[test]
fn a_tree_is_used_only_for_the_text_and_the_parser_it_was_made_from() {
    let bytes = cache::generate().expect("the stdlib's trees encode");
    let ecs = embedded_module("std/aws/ecs").expect("std/aws/ecs").digest;
    let tree =
        |bytes: &[u8], parser: u64, text: u64| cache::lookup(bytes, parser, "std/aws/ecs", text, FileId(0));
    assert!(tree(&bytes, PARSER_DIGEST, ecs).is_some());
    assert!(tree(&bytes, PARSER_DIGEST, ecs ^ 1).is_none(), "an edited text is parsed");
    assert!(tree(&bytes, PARSER_DIGEST ^ 1, ecs).is_none(), "another parser's trees are not used");
    assert!(tree(&bytes[..bytes.len() / 2], PARSER_DIGEST, ecs).is_none(), "a cut file is not used");
    assert!(tree(b"", PARSER_DIGEST, ecs).is_none(), "an empty file is not used");
}

#[test]
fn a_loaded_stdlib_module_points_into_its_own_text() {
    let workspace = Workspace::from_memory(&[
        ("a.mdl", "import \"./b.mdl\"\nlayer a { }\n"),
        ("b.mdl", "import std/aws/sqs\nimport std/aws/{ecs, s3}\nlayer b { }\n"),
    ]);
    let mut stdlib = 0;
    for (_, module) in workspace.iter_modules() {
        let ModuleOrigin::Std(path) = &module.origin else { continue };
        stdlib += 1;
        let source = workspace.sources.get(module.file).expect("the module's source");
        assert_eq!(source.text, module_text(path));
        let fresh = syntax::parse(module.file, &source.text);
        assert_eq!(format!("{:?}", module.ast), format!("{:?}", fresh.file), "{path}");
        for item in &module.ast.items {
            assert_eq!(item.span.file, module.file, "{path}");
            assert!(!workspace.sources.slice(item.span).is_empty(), "{path}");
        }
    }
    assert!(stdlib >= 4, "the prelude, sqs, ecs and s3 (and what they import)");
}

fn module_text(path: &str) -> &'static str {
    module(path).expect("a stdlib module")
}
