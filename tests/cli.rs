//! `mdl check` as users run it: which files it finds, what it prints, how it
//! exits. Runs the real binary in temp dirs (removed afterwards).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A spec with a project and two environments, split like real specs.
const PLATFORM: &str = r#"project shop {
  environments { dev, prod }
  settings {
    replicas: int in 1..10
  }
}

layer core {
  resource "AWS::SNS::Topic" alerts { TopicName = "alerts-${env.name}" }
  publish alerts_arn = alerts.ref
}
"#;

fn environment(name: &str, replicas: i64) -> String {
    format!("import \"./platform.mdl\"\n\nenvironment {name} {{\n  region = us_east_1\n  replicas = {replicas}\n}}\n")
}

/// A directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let path = std::env::temp_dir().join(format!("mdl-cli-{}-{n}-{name}", std::process::id()));
        fs::create_dir_all(&path).expect("create temp dir");
        TempDir(path)
    }

    fn write(&self, name: &str, text: &str) {
        let path = self.0.join(name);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).expect("create parent");
        }
        fs::write(path, text).expect("write spec");
    }

    /// The megadolls-like layout: `specs/{platform,dev,prod}.mdl`.
    fn with_specs(name: &str, prod_replicas: i64) -> TempDir {
        let dir = TempDir::new(name);
        dir.write("specs/platform.mdl", PLATFORM);
        dir.write("specs/dev.mdl", &environment("dev", 1));
        dir.write("specs/prod.mdl", &environment("prod", prod_replicas));
        dir
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn mdl(dir: &Path, args: &[&str]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_mdl"))
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .output()
        .expect("run mdl");
    let run = Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    run
}

#[test]
fn checks_specs_by_default_and_names_environments() {
    let dir = TempDir::with_specs("default", 3);
    let run = mdl(&dir.0, &["check"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stderr, "ok: checked 3 files, 2 environments (dev, prod)\n");
    assert!(run.stdout.is_empty(), "human output goes to stderr");
}

#[test]
fn files_and_directories_are_found_once_in_order() {
    let dir = TempDir::with_specs("order", 3);
    // The same files through a directory, a file inside it, and another spelling.
    let run = mdl(&dir.0, &["check", "specs/prod.mdl", "specs", "./specs/dev.mdl"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stderr, "ok: checked 3 files, 2 environments (prod, dev)\n");
}

#[test]
fn one_environment_in_two_files_is_an_error_naming_both() {
    let dir = TempDir::with_specs("twice", 3);
    dir.write("specs/prod-copy.mdl", &environment("prod", 2));
    let run = mdl(&dir.0, &["check", "--color", "never"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("error[E0203]: environment `prod` is defined twice"), "{}", run.stderr);
    assert!(
        run.stderr.contains("prod.mdl:3:13") && run.stderr.contains("prod-copy.mdl:3:13"),
        "{}",
        run.stderr
    );
}

#[test]
fn environments_sharing_a_region_publish_under_their_own_names() {
    // Without `params`, dev and prod (both in us-east-1) publish
    // `/shop/dev/alerts_arn` and `/shop/prod/alerts_arn`: no clash.
    let dir = TempDir::with_specs("shared-region", 3);
    assert_eq!(mdl(&dir.0, &["check"]).code, 0);
    let run = mdl(&dir.0, &["build", "specs/prod.mdl", "-o", "out"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let template = fs::read_to_string(dir.0.join("out/shop-prod-core.template.json")).expect("template");
    assert!(template.contains("\"/shop/prod/alerts_arn\""), "{template}");
    // One prefix for the whole project: the second environment is the error.
    dir.write("specs/platform.mdl", &PLATFORM.replace("  }\n}", "  }\n  params = \"/shop/infra\"\n}"));
    let run = mdl(&dir.0, &["check", "--color", "never"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let expected = "error[E0530]: environments `dev` and `prod` would both write the SSM parameter `/shop/infra/alerts_arn` in us-east-1";
    assert!(run.stderr.contains(expected), "{}", run.stderr);
}

#[test]
fn hidden_directories_are_skipped() {
    let dir = TempDir::with_specs("hidden", 3);
    dir.write("specs/.trash/broken.mdl", "layer {");
    let run = mdl(&dir.0, &["check"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn an_error_in_one_environment_fails_with_a_summary() {
    let dir = TempDir::with_specs("range", 40);
    let run = mdl(&dir.0, &["check", "--color", "never"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.starts_with("error[E0401]: `replicas` must be between 1 and 10, got 40\n"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("specs/prod.mdl:5:14"), "{}", run.stderr);
    assert!(run.stderr.ends_with("\nerror: 1 error in 1 file\n"), "{}", run.stderr);
}

#[test]
fn warnings_pass_unless_denied() {
    let dir = TempDir::with_specs("warnings", 3);
    let unreachable = "\nlayer extra {\n  days = match env.name {\n    _ => 7,\n    dev => 1,\n  }\n}\n";
    dir.write("specs/platform.mdl", &format!("{PLATFORM}{unreachable}"));
    let run = mdl(&dir.0, &["check", "--color", "never"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.starts_with("warning[W0301]: unreachable match arm\n"), "{}", run.stderr);
    assert!(
        run.stderr.ends_with("\nok: checked 3 files, 2 environments (dev, prod), 1 warning\n"),
        "{}",
        run.stderr
    );
    let denied = mdl(&dir.0, &["check", "--color", "never", "--deny-warnings"]);
    assert_eq!(denied.code, 1, "{}", denied.stderr);
    assert!(
        denied.stderr.ends_with("\nerror: 1 warning in 1 file (denied by --deny-warnings)\n"),
        "{}",
        denied.stderr
    );
}

#[test]
fn json_goes_to_stdout_with_counts() {
    let dir = TempDir::with_specs("json", 40);
    let run = mdl(&dir.0, &["check", "--format", "json"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    let value: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON on stdout");
    assert_eq!(value["errors"], 1);
    assert_eq!(value["warnings"], 0);
    let diagnostic = &value["diagnostics"][0];
    assert_eq!(diagnostic["code"], "E0401");
    assert_eq!(diagnostic["file"], "specs/prod.mdl");
    assert_eq!((diagnostic["line"].as_u64(), diagnostic["column"].as_u64()), (Some(5), Some(14)));
    assert_eq!(diagnostic["labels"][0]["primary"], true);
}

#[test]
fn ok_json_is_empty_and_exits_zero() {
    let dir = TempDir::with_specs("json-ok", 3);
    let run = mdl(&dir.0, &["check", "--format", "json", "--deny-warnings"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let value: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON on stdout");
    assert_eq!(value, serde_json::json!({ "diagnostics": [], "errors": 0, "warnings": 0 }));
}

#[test]
fn github_annotations_and_sarif_go_to_stdout() {
    let dir = TempDir::with_specs("ci-formats", 40);
    let github = mdl(&dir.0, &["check", "--format", "github"]);
    assert_eq!(github.code, 1);
    assert!(github.stderr.is_empty(), "{}", github.stderr);
    assert!(
        github.stdout.starts_with("::error file=specs/prod.mdl,line=5,col=14,"),
        "one workflow command per diagnostic:\n{}",
        github.stdout
    );
    let sarif = mdl(&dir.0, &["check", "--format", "sarif"]);
    assert_eq!(sarif.code, 1);
    let log: serde_json::Value = serde_json::from_str(&sarif.stdout).expect("SARIF is JSON");
    assert_eq!(log["version"], "2.1.0");
    assert_eq!(log["runs"][0]["results"][0]["ruleId"], "E0401");
}

#[test]
fn help_lists_the_options() {
    let dir = TempDir::new("help");
    let run = mdl(&dir.0, &["check", "--help"]);
    assert_eq!(run.code, 0);
    for option in ["--format", "--deny-warnings", "--color", "[PATHS]..."] {
        assert!(run.stdout.contains(option), "{option} missing from:\n{}", run.stdout);
    }
}

#[test]
fn init_scaffolds_every_example_that_then_checks_and_builds() {
    for example in ["web-api", "internal-services"] {
        let dir = TempDir::new(&format!("init-{example}"));
        let run = mdl(&dir.0, &["init", "New-Shop", "--example", example]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(run.stderr.contains("created project `new_shop`"), "{}", run.stderr);
        let project = dir.0.join("New-Shop");
        let platform = fs::read_to_string(project.join("specs/platform.mdl")).expect("platform.mdl");
        assert!(platform.contains("project new_shop {"), "{platform}");
        let check = mdl(&project, &["check", "--deny-warnings"]);
        assert_eq!(check.code, 0, "{example}: {}", check.stderr);
        assert!(check.stderr.contains("3 environments (dev, prod, staging)"), "{}", check.stderr);
        let build = mdl(&project, &["build", "specs/prod.mdl", "-o", "out/prod"]);
        assert_eq!(build.code, 0, "{example}: {}", build.stderr);
        assert!(project.join("out/prod/manifest.json").exists());
        assert!(fs::read_dir(project.join("out/prod"))
            .expect("out")
            .flatten()
            .any(|f| f.file_name().to_string_lossy().starts_with("new-shop-prod-")));
    }
}

#[test]
fn init_overwrites_nothing_and_refuses_bad_names() {
    let dir = TempDir::new("init-refuses");
    dir.write("specs/dev.mdl", "// mine\n");
    let run = mdl(&dir.0, &["init", ".", "--name", "shop"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("writes no file over another") && run.stderr.contains("dev.mdl"),
        "{}",
        run.stderr
    );
    assert_eq!(fs::read_to_string(dir.0.join("specs/dev.mdl")).expect("kept"), "// mine\n");
    assert!(!dir.0.join("specs/platform.mdl").exists(), "nothing was written");
    let bad = mdl(&dir.0, &["init", "other", "--name", "Shop!"]);
    assert_eq!(bad.code, 2, "{}", bad.stderr);
    assert!(bad.stderr.contains("cannot name a project"), "{}", bad.stderr);
    assert!(!dir.0.join("other").exists());
    let unknown = mdl(&dir.0, &["init", "other", "--example", "nope"]);
    assert_eq!(unknown.code, 2);
    assert!(
        unknown.stderr.contains("web-api") && unknown.stderr.contains("internal-services"),
        "{}",
        unknown.stderr
    );
}

#[test]
fn build_writes_each_template_as_lowered_and_a_manifest_of_every_stack() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = TempDir::new("build-out");
    let run = mdl(repo, &["build", "specs/dev.mdl", "-o", &out.0.display().to_string()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report = mdl::check_files(&[repo.join("specs/dev.mdl")], &mdl::workspace::DiskFileSystem);
    let model = report.models.first().expect("dev evaluates");
    let stacks = mdl::cfn::lower(model).stacks;
    for stack in &stacks {
        let written = fs::read_to_string(out.0.join(mdl::cfn::output::template_file_name(stack)))
            .expect("a template per stack");
        assert_eq!(written, stack.template_body(), "{}", stack.stack_name);
    }
    let manifest = fs::read_to_string(out.0.join("manifest.json")).expect("manifest.json");
    assert_eq!(manifest, mdl::cfn::output::manifest(model, &stacks));
    let names: Vec<String> = fs::read_dir(&out.0)
        .expect("out")
        .flatten()
        .map(|f| f.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), stacks.len() + 1, "nothing else, no partial file: {names:?}");
}

#[test]
fn build_with_a_lowering_error_in_a_later_layer_leaves_nothing_behind() {
    // `core` lowers and is written first; `config` then fails lowering (E0506).
    let dir = TempDir::new("build-error");
    dir.write(
        "dev.mdl",
        r#"project shop {
  environments { dev }
}

environment dev {
  region = us_east_1
}

layer core {
  resource "AWS::SNS::Topic" alerts { TopicName = "alerts" }
  publish alerts_arn = alerts.ref
}

layer config {
  resource "AWS::SSM::Parameter" domain { Name = "/shop/domain", Value = core.alerts_arn }
}
"#,
    );
    let fresh = mdl(&dir.0, &["build", "dev.mdl", "-o", "out"]);
    assert_eq!(fresh.code, 1, "{}", fresh.stderr);
    assert!(fresh.stderr.contains("E0506") && fresh.stderr.contains("nothing was built"), "{}", fresh.stderr);
    assert!(!dir.0.join("out").exists(), "the folder the build made is removed again");

    dir.write("old/kept.json", "{}");
    let existing = mdl(&dir.0, &["build", "dev.mdl", "-o", "old"]);
    assert_eq!(existing.code, 1, "{}", existing.stderr);
    let names: Vec<String> = fs::read_dir(dir.0.join("old"))
        .expect("old")
        .flatten()
        .map(|f| f.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["kept.json"], "no template, no partial file, what was there kept");
}
