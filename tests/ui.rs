//! UI snapshot tests: every case under `tests/ui/<stage>/` runs through the
//! library pipeline and its diagnostics are snapshotted, as terminal text
//! (colors off) and as JSON.
//!
//! A case is a file `<case>.mdl`, or a folder `<case>/` whose `main.mdl`
//! imports the rest. It starts with `//` comments: what it shows, then
//! `// expect: E0201` (one or more codes, comma-separated). Snapshots live in
//! `tests/ui/<stage>/snapshots/`. The test fails when a snapshot differs or an
//! expected code is missing.
//!
//! A case without a snapshot yet is *pending* (its stage is still being
//! written): it must still run without panicking, and it is listed in the
//! output, but it does not fail the run. To create its snapshots, run
//! `MDL_UI_BLESS=1 cargo test --test ui` (or `MDL_UI_BLESS=names/` for the
//! cases whose id contains `names/`), read every `.snap.new`, and accept
//! only the ones that are right (`cargo insta review`, or rename them).

use std::collections::BTreeSet;
use std::fs;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use mdl::diag::{render, Code};
use mdl::workspace::DiskFileSystem;

/// Relative to the package root, the working directory of integration tests,
/// so file names in diagnostics never show a machine path.
const UI_ROOT: &str = "tests/ui";

/// One case: its name, the file to check, every file it consists of, and what it expects.
struct Case {
    stage: String,
    name: String,
    entry: PathBuf,
    files: Vec<PathBuf>,
    description: String,
    expected: Vec<Code>,
}

impl Case {
    fn id(&self) -> String {
        format!("{}/{}", self.stage, self.name)
    }

    fn snapshot_dir(&self) -> PathBuf {
        Path::new(UI_ROOT).join(&self.stage).join("snapshots")
    }

    fn has_snapshot(&self) -> bool {
        self.snapshot_dir().join(format!("{}.snap", self.name)).exists()
    }
}

/// Every case, sorted by stage and name.
fn cases() -> Vec<Case> {
    let mut cases = Vec::new();
    for stage in sorted_entries(Path::new(UI_ROOT)).into_iter().filter(|p| p.is_dir()) {
        let stage_name = file_name(&stage);
        for entry in sorted_entries(&stage) {
            let case = if entry.is_dir() && file_name(&entry) != "snapshots" {
                let files = sorted_entries(&entry).into_iter().filter(|p| is_mdl(p)).collect();
                load_case(&stage_name, file_name(&entry), entry.join("main.mdl"), files)
            } else if is_mdl(&entry) {
                let name = file_name(&entry).trim_end_matches(".mdl").to_string();
                load_case(&stage_name, name, entry.clone(), vec![entry.clone()])
            } else {
                continue;
            };
            cases.push(case);
        }
    }
    cases
}

fn load_case(stage: &str, name: String, entry: PathBuf, files: Vec<PathBuf>) -> Case {
    let text = fs::read_to_string(&entry).unwrap_or_else(|e| panic!("{}: {e}", entry.display()));
    let (description, expected) = parse_header(&text).unwrap_or_else(|e| panic!("{}: {e}", entry.display()));
    Case { stage: stage.to_string(), name, entry, files, description, expected }
}

/// The leading `//` comment block: a description and one or more `expect:` lines.
pub fn parse_header(text: &str) -> Result<(String, Vec<Code>), String> {
    let mut description = Vec::new();
    let mut expected = Vec::new();
    for line in text.lines().map_while(|l| l.strip_prefix("//")) {
        let line = line.trim();
        match line.strip_prefix("expect:") {
            Some(codes) => {
                for code in codes.split(',').map(str::trim) {
                    expected
                        .push(Code::from_str_code(code).ok_or(format!("unknown code `{code}` in expect:"))?);
                }
            }
            None => description.push(line),
        }
    }
    if description.is_empty() {
        return Err("a case starts with a `//` comment saying what it shows".into());
    }
    if expected.is_empty() {
        return Err("a case needs an `// expect: E0201` line".into());
    }
    Ok((description.join(" "), expected))
}

fn sorted_entries(dir: &Path) -> Vec<PathBuf> {
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .collect();
    entries.sort();
    entries
}

fn file_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

fn is_mdl(path: &Path) -> bool {
    path.is_file() && path.extension().is_some_and(|e| e == "mdl")
}

/// What a case produced.
struct Outcome {
    human: String,
    json: String,
    codes: BTreeSet<Code>,
}

fn run_case(case: &Case) -> Outcome {
    let report = mdl::check_files(std::slice::from_ref(&case.entry), &DiskFileSystem);
    let sources = &report.workspace.sources;
    Outcome {
        human: filter_paths(&render::render_human_all(&report.diagnostics, sources, false)),
        json: filter_paths(&render::render_json(&report.diagnostics, sources)),
        codes: report.diagnostics.iter().map(|d| d.code).collect(),
    }
}

/// Machine paths never reach a snapshot, even if a diagnostic leaks one.
fn filter_paths(text: &str) -> String {
    text.replace(env!("CARGO_MANIFEST_DIR"), "[ROOT]")
}

/// The snapshot body: each file of the case (lossy, for the deliberately
/// broken ones), then the rendered diagnostics.
fn source_and_human(case: &Case, outcome: &Outcome) -> String {
    let mut text = String::new();
    for file in &case.files {
        let bytes = fs::read(file).unwrap_or_default();
        text.push_str(&format!("// ---- {}\n{}", file.display(), String::from_utf8_lossy(&bytes)));
        if !text.ends_with('\n') {
            text.push('\n');
        }
    }
    text.push_str("// ---- diagnostics\n");
    text.push_str(if outcome.human.is_empty() { "(none)\n" } else { &outcome.human });
    text
}

fn assert_case(case: &Case, outcome: &Outcome) {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(Path::new("ui").join(&case.stage).join("snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings.set_description(case.description.clone());
    settings.set_omit_expression(true);
    settings.bind(|| {
        insta::assert_snapshot!(case.name.clone(), source_and_human(case, outcome));
        insta::assert_snapshot!(format!("{}.json", case.name), outcome.json.clone());
    });
    let missing: Vec<&str> =
        case.expected.iter().filter(|c| !outcome.codes.contains(c)).map(|c| c.as_str()).collect();
    assert!(missing.is_empty(), "{}: expected {} but got {:?}", case.id(), missing.join(", "), outcome.codes);
}

#[test]
fn ui_cases() {
    let bless = std::env::var("MDL_UI_BLESS").ok();
    let (mut failures, mut pending, mut checked) = (Vec::new(), Vec::new(), 0);
    for case in cases() {
        let result = panic::catch_unwind(AssertUnwindSafe(|| {
            let outcome = run_case(&case);
            if case.has_snapshot() || bless.as_deref().is_some_and(|filter| blesses(filter, &case)) {
                assert_case(&case, &outcome);
                None
            } else {
                Some(outcome.codes)
            }
        }));
        match result {
            Ok(None) => checked += 1,
            Ok(Some(codes)) => pending.push(pending_line(&case, &codes)),
            Err(_) => failures.push(case.id()),
        }
    }
    for line in &pending {
        eprintln!("pending: {line}");
    }
    eprintln!(
        "ui: {checked} cases checked, {} pending (no snapshot yet), {} failed",
        pending.len(),
        failures.len()
    );
    assert!(failures.is_empty(), "failing ui cases: {failures:#?}");
}

/// `MDL_UI_BLESS=1` blesses every case; any other value only the cases whose
/// id (`names/unknown_name`) contains it.
fn blesses(filter: &str, case: &Case) -> bool {
    filter == "1" || case.id().contains(filter)
}

/// `names/unknown_name (expects E0201; produces nothing yet)`
fn pending_line(case: &Case, codes: &BTreeSet<Code>) -> String {
    let expected: Vec<&str> = case.expected.iter().map(|c| c.as_str()).collect();
    let produced: Vec<&str> = codes.iter().map(|c| c.as_str()).collect();
    let produced = if produced.is_empty() { "nothing yet".to_string() } else { produced.join(", ") };
    let ready = if case.expected.iter().all(|c| codes.contains(c)) { " — ready to review" } else { "" };
    format!("{} (expects {}; produces {produced}){ready}", case.id(), expected.join(", "))
}

#[test]
fn headers_are_parsed() {
    let (description, codes) =
        parse_header("// Shows a thing.\n// expect: E0201, W0301\nlayer x {}\n").expect("valid");
    assert_eq!(description, "Shows a thing.");
    assert_eq!(codes, [Code::UnknownName, Code::UnreachableArm]);
    assert!(parse_header("// expect: E0201\n").is_err(), "a description is required");
    assert!(parse_header("// Shows.\n").is_err(), "an expect line is required");
    assert!(parse_header("// Shows.\n// expect: E9999\n").is_err(), "codes must exist");
}
