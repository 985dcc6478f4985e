//! A file with syntax errors is checked too, and what its broken pieces
//! declared is not reported missing (a follow-on of the syntax error).

use super::{Run, LIB, PROJECT};
use crate::check::check;
use crate::workspace::Workspace;

/// Check source that has syntax errors (which `run` refuses).
fn run_broken(source: &str) -> Run {
    let workspace = Workspace::from_memory(&[("a.mdl", &format!("{PROJECT}{LIB}{source}"))]);
    assert!(!workspace.diagnostics.is_empty(), "the source should have syntax errors");
    let checked = check(&workspace);
    Run { workspace, checked }
}

#[test]
fn names_of_broken_members_are_not_unknown() {
    let run = run_broken(
        "layer core {\n  db = )\n  publish port = 80\n  y = db\n}\nlayer app {\n  url = core.db\n  same = core.port\n  x = nope\n}\n",
    );
    let unknown: Vec<&str> = run.diagnostics().iter().map(|d| run.primary_text(d)).collect();
    assert_eq!(run.codes(), ["E0201"], "{:#?}", run.diagnostics());
    assert_eq!(unknown, ["nope"]);
}

#[test]
fn a_broken_construct_parameter_is_not_an_unknown_field() {
    let run = run_broken(
        "construct box {\n  size: int = \n  name: string\n}\nlayer l {\n  b = box { size = 1, name = \"b\", colour = 2 }\n}\n",
    );
    let d = run.only("E0202");
    assert_eq!(run.primary_text(d), "colour");
}

#[test]
fn a_file_with_a_broken_piece_has_no_unused_import_warning() {
    let workspace =
        Workspace::from_memory(&[("a.mdl", "import std/aws/{ecs}\nlayer l {\n  c = ecs.cluster {\n}\n")]);
    let checked = check(&workspace);
    assert!(checked.diagnostics.is_empty(), "{:#?}", checked.diagnostics);
}

#[test]
fn a_broken_spec_import_silences_unknown_names_in_its_file() {
    let workspace = Workspace::from_memory(&[
        ("lib.mdl", "construct box { size: int }\n"),
        ("a.mdl", "import \"./lib.mdl\nlayer l {\n  b = box { size = 1 }\n}\n"),
    ]);
    let codes: Vec<&str> = workspace.diagnostics.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(codes, ["E0106"]);
    let checked = check(&workspace);
    assert!(checked.diagnostics.is_empty(), "{:#?}", checked.diagnostics);
}
