//! The code registry, the docs and the ui cases stay in sync: every code in
//! `Code::ALL` has a `## E0201 — title` entry in `docs/diagnostics.md` (with
//! the registry's title) and at least one ui case that expects it (internal
//! errors excepted); the docs list no code the registry lacks.
//! Every such code also needs a reviewed snapshot of one of its cases: a
//! case alone may be pending (see `tests/ui.rs`), a code may not.
//! Deploy codes (E06xx, W06xx) come from AWS's answers, not from a spec
//! alone: their cases run over the fake AWS API (`src/deploy/diagnostics_tests.rs`)
//! and each needs a reviewed snapshot `tests/deploy/snapshots/<CODE>_*.snap`
//! that shows the code.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use mdl::diag::Code;

const DOCS: &str = "docs/diagnostics.md";

/// Codes no spec that passes the checker should produce: the evaluator's
/// safety nets (E0405 and E0406 are cycles the checker reports first as
/// E0211) and its internal error (E0407). Documented, but no ui case can
/// expect them: a case that produced one would be an mdl bug. And E0411,
/// which only a spec of tens of thousands of lines reaches: too large for a
/// readable snapshot, it is covered through the binary by tests/bad_input.rs.
const NO_CASE_BY_DESIGN: &[&str] = &["E0405", "E0406", "E0407", "E0411"];
const UI_ROOT: &str = "tests/ui";
const DEPLOY_SNAPSHOTS: &str = "tests/deploy/snapshots";

/// Deploy codes that `mdl check` reports (the environment's `stack_sets`):
/// their cases are in `tests/ui` like any check's.
const CHECKED_DEPLOY_CODES: &[&str] = &["E0670", "E0671", "E0672", "E0675"];

/// Deploy codes: their cases come from the fake AWS API.
fn is_deploy_code(code: &str) -> bool {
    (code.starts_with("E06") || code.starts_with("W06")) && !CHECKED_DEPLOY_CODES.contains(&code)
}

/// `## E0201 — unknown name` headings: code → title.
fn documented_codes() -> BTreeMap<String, String> {
    let text = fs::read_to_string(DOCS).expect("docs/diagnostics.md exists");
    text.lines()
        .filter_map(|line| line.strip_prefix("## "))
        .filter_map(|heading| heading.split_once(" — "))
        .map(|(code, title)| (code.trim().to_string(), title.trim().to_string()))
        .collect()
}

/// Every `.mdl` file under `tests/ui`, with the codes its `// expect:` lines name.
fn expected_codes() -> Vec<(PathBuf, BTreeSet<String>)> {
    let mut found = Vec::new();
    for entry in walkdir::WalkDir::new(UI_ROOT).sort_by_file_name() {
        let entry = entry.expect("readable tests/ui");
        let path = entry.path();
        if !path.extension().is_some_and(|e| e == "mdl") {
            continue;
        }
        let text = String::from_utf8_lossy(&fs::read(path).expect("readable case")).into_owned();
        let codes = text
            .lines()
            .map_while(|l| l.strip_prefix("//"))
            .filter_map(|l| l.trim().strip_prefix("expect:"))
            .flat_map(|codes| codes.split(',').map(|c| c.trim().to_string()))
            .collect();
        found.push((path.to_path_buf(), codes));
    }
    found
}

/// The snapshot of the case at `path` (a file case, or a folder case's main.mdl).
fn snapshot_of(path: &Path) -> PathBuf {
    let (stage_dir, name) = if path.file_name().is_some_and(|n| n == "main.mdl") {
        let case_dir = path.parent().expect("case folder");
        (case_dir.parent().expect("stage folder"), case_dir.file_name().expect("name").to_os_string())
    } else {
        (path.parent().expect("stage folder"), path.file_stem().expect("name").to_os_string())
    };
    let mut file = name;
    file.push(".snap");
    stage_dir.join("snapshots").join(file)
}

#[test]
fn every_code_is_documented_with_its_title() {
    let documented = documented_codes();
    let mut problems = Vec::new();
    for code in Code::ALL {
        match documented.get(code.as_str()) {
            None => problems.push(format!("{code} has no `## {code} — {}` entry in {DOCS}", code.title())),
            Some(title) if title != code.title() => {
                problems.push(format!("{code}: {DOCS} says `{title}`, codes.rs says `{}`", code.title()))
            }
            Some(_) => {}
        }
    }
    for code in documented.keys() {
        if Code::from_str_code(code).is_none() {
            problems.push(format!("{DOCS} documents {code}, which codes.rs does not have"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_code_has_a_ui_case() {
    let cases = expected_codes();
    let missing: Vec<&str> = Code::ALL
        .iter()
        .map(|c| c.as_str())
        .filter(|code| !NO_CASE_BY_DESIGN.contains(code) && !is_deploy_code(code))
        .filter(|code| !cases.iter().any(|(_, codes)| codes.contains(*code)))
        .collect();
    assert!(missing.is_empty(), "codes without a ui case in tests/ui/: {}", missing.join(", "));
}

#[test]
fn every_code_has_a_reviewed_snapshot() {
    let cases = expected_codes();
    let pending: Vec<&str> = Code::ALL
        .iter()
        .map(|c| c.as_str())
        .filter(|code| !NO_CASE_BY_DESIGN.contains(code) && !is_deploy_code(code))
        .filter(|code| !cases.iter().any(|(path, codes)| codes.contains(*code) && snapshot_of(path).exists()))
        .collect();
    assert!(
        pending.is_empty(),
        "codes whose ui cases have no reviewed snapshot in tests/ui/*/snapshots/: {} \
         (see tests/ui/README.md to create and review them)",
        pending.join(", ")
    );
}

#[test]
fn every_deploy_code_has_a_reviewed_snapshot_from_the_fake_aws_api() {
    let names: Vec<String> = fs::read_dir(DEPLOY_SNAPSHOTS)
        .expect("tests/deploy/snapshots exists")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        !names.iter().any(|name| name.ends_with(".snap.new")),
        "unreviewed .snap.new files in {DEPLOY_SNAPSHOTS}"
    );
    let snapshots: Vec<(String, String)> = names
        .into_iter()
        .filter(|name| name.ends_with(".snap"))
        .map(|name| {
            let text =
                fs::read_to_string(Path::new(DEPLOY_SNAPSHOTS).join(&name)).expect("readable snapshot");
            (name, text)
        })
        .collect();
    let missing: Vec<&str> = Code::ALL
        .iter()
        .map(|c| c.as_str())
        .filter(|code| is_deploy_code(code))
        .filter(|code| {
            !snapshots.iter().any(|(name, text)| {
                name.starts_with(&format!("{code}_")) && text.contains(&format!("[{code}]"))
            })
        })
        .collect();
    assert!(
        missing.is_empty(),
        "deploy codes without a reviewed snapshot {DEPLOY_SNAPSHOTS}/<CODE>_*.snap showing them \
         (add a case to src/deploy/diagnostics_tests.rs): {}",
        missing.join(", ")
    );
}
