//! Hostile input through the real binary: every case exits 0, 1 or 2 with a
//! diagnostic or a clear error, never panics, never crashes, never hangs (a
//! run still going after 30 s fails the test), and finishes within seconds.
//!
//! Each test works in its own directory under the system temp dir and removes
//! it afterwards. Malformed files, and below: imports that try to leave the
//! project or read what is not a spec file, and specs that ask evaluation for
//! unbounded work. `tests/fmt_files.rs` has what `mdl fmt` must not do to
//! files, `tests/lsp.rs` the language server's malformed messages.

mod common;

use common::{head, mdl, run, Run, TempDir};
use std::fs;
use std::process::Command;

/// Check one file whose content is `text`; return the run.
fn check_text(name: &str, text: impl AsRef<[u8]>) -> Run {
    let dir = TempDir::new(name);
    dir.write("spec.mdl", text);
    mdl(&dir.0, &["check", "spec.mdl"])
}

fn assert_error(run: &Run, code: &str) {
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains(&format!("error[{code}]")), "expected {code}:\n{}", head(&run.stderr));
    assert!(
        run.stderr.lines().last().is_some_and(|l| l.starts_with("error: ")),
        "summary line:\n{}",
        run.stderr
    );
}

#[test]
fn empty_file_is_fine() {
    let run = check_text("empty", "");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.starts_with("ok: checked 1 file"), "{}", run.stderr);
}

#[test]
fn binary_data_is_e0102() {
    let bytes: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
    assert_error(&check_text("binary", bytes), "E0102");
}

#[test]
fn nul_byte_in_valid_utf8_is_e0102() {
    assert_error(&check_text("nul", "layer core {}\0\n"), "E0102");
}

#[test]
fn invalid_utf8_is_e0102() {
    let run = check_text("latin1", b"// caf\xe9\nlayer core {}\n");
    assert_error(&run, "E0102");
    assert!(run.stderr.contains("not valid UTF-8"), "{}", run.stderr);
}

#[test]
fn malformed_import_renamings_are_syntax_errors() {
    for (name, text) in [
        ("as-nothing", "import std/aws/{network as}\n"),
        ("as-first", "import std/aws/{as net}\n"),
        ("as-twice", "import std/aws/{network as net as n}\n"),
        ("as-outside-braces", "import std/aws/network as net\n"),
        ("as-keyword", "import std/aws/{network as if}\n"),
    ] {
        assert_error(&check_text(name, text), "E0101");
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    const DEPTH: usize = 100_000;
    for (name, open, close) in [("brackets", "[", "]"), ("braces", "{", "}"), ("parens", "(", ")")] {
        let text = format!("layer l {{\n  x = {}1{}\n}}\n", open.repeat(DEPTH), close.repeat(DEPTH));
        let run = check_text(name, text);
        assert_eq!(run.code, 1, "{name}: {}", head(&run.stderr));
        assert!(run.stderr.contains("error[E01"), "{name}: {}", head(&run.stderr));
    }
}

#[test]
fn unclosed_deep_nesting_is_an_error() {
    let run = check_text("unclosed", format!("layer l {{ x = {}", "[".repeat(100_000)));
    assert_eq!(run.code, 1, "{}", head(&run.stderr));
}

#[test]
fn many_broken_pieces_are_reported_without_hanging() {
    // Each shape makes the recovering parser cut, scan or report a lot: the
    // check must end with located errors, not hang (the harness times out).
    let shapes = [
        ("unclosed-comments", format!("layer ok {{ x = 1 }}\n{}", "/* open\n".repeat(100_000))),
        ("open-quotes", format!("layer l {{\n{}}}\n", "  \"a = 1\n".repeat(100_000))),
        ("broken-items", (0..5_000).map(|i| format!("layer l{i} {{ x = }}\n")).collect()),
        ("broken-members", format!("layer l {{\n{}}}\n", "  x = )\n".repeat(20_000))),
        ("unclosed-brackets", format!("layer l {{\n{}}}\n", "  x = [(\n".repeat(20_000))),
        ("deep-types", format!("type t = {}int", "map<".repeat(100_000))),
        (
            "else-if-chain",
            format!(
                "layer l {{\n  x = if a {{ 1 }}{} else {{ 2 }}\n}}\n",
                " else if a { 1 }".repeat(100_000)
            ),
        ),
    ];
    for (name, text) in shapes {
        let run = check_text(name, text);
        assert_eq!(run.code, 1, "{name}: {}", head(&run.stderr));
        assert!(run.stderr.contains("error[E01"), "{name}: {}", head(&run.stderr));
    }
}

#[test]
fn long_operator_chains_do_not_crash() {
    let sum = format!("layer l {{\n  a = 1\n  x = a{}\n}}\n", " + a".repeat(200_000));
    check_text("sum", sum);
    let nots = format!("layer l {{\n  a = true\n  x = {}a\n}}\n", "!".repeat(100_000));
    check_text("nots", nots);
    let negations = format!("layer l {{\n  x = {}1\n}}\n", "-".repeat(100_000));
    check_text("negations", negations);
}

#[test]
fn one_megabyte_line() {
    let value = "a".repeat(1 << 20);
    let run = check_text("long-string", format!("layer l {{ x = \"{value}\" }}\n"));
    assert!(run.code <= 1, "{}", head(&run.stderr));
    // A syntax error on a 1 MB line: reported with its location, not a 1 MB snippet.
    let run = check_text("long-garbage", format!("layer l {{ x = {} }}\n", "a ".repeat(1 << 19)));
    assert_error(&run, "E0101");
    assert!(run.stderr.len() < 10_000, "the long line was printed: {} bytes", run.stderr.len());
}

#[test]
fn directory_named_like_a_spec() {
    let dir = TempDir::new("dir-named-mdl");
    fs::create_dir(dir.0.join("x.mdl")).expect("mkdir x.mdl");
    let run = mdl(&dir.0, &["check", "x.mdl"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("no .mdl files found under `x.mdl`"), "{}", run.stderr);
    // Inside a directory being walked, a directory named `*.mdl` is not a spec file.
    dir.write("real.mdl", "layer core {}\n");
    let run = mdl(&dir.0, &["check", "."]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
#[cfg(unix)]
fn unreadable_file() {
    use std::os::unix::fs::PermissionsExt;
    let dir = TempDir::new("unreadable");
    let path = dir.write("secret.mdl", "layer core {}\n");
    fs::set_permissions(&path, fs::Permissions::from_mode(0o000)).expect("chmod 000");
    let run = if fs::read(&path).is_ok() {
        // Root (as in CI) reads a mode-000 file anyway: run a copy of mdl as
        // `nobody`, for whom the file is unreadable as for any user.
        run(common::mdl_as_nobody(&dir.0), &dir.0, &["check", "secret.mdl"])
    } else {
        mdl(&dir.0, &["check", "secret.mdl"])
    };
    assert_error(&run, "E0102");
    assert!(run.stderr.contains("permission denied"), "{}", run.stderr);
}

/// Root reads mode-000 files, but nobody reads `/proc/self/mem` at offset 0
/// (nothing is mapped there): a named file whose read fails, on any Linux.
#[test]
#[cfg(target_os = "linux")]
fn file_whose_read_fails() {
    let dir = TempDir::new("read-fails");
    let run = mdl(&dir.0, &["check", "/proc/self/mem"]);
    assert_error(&run, "E0102");
    assert!(run.stderr.contains("cannot read `/proc/self/mem`"), "{}", run.stderr);
}

#[test]
fn nonexistent_path_is_usage_error() {
    let dir = TempDir::new("nonexistent");
    let run = mdl(&dir.0, &["check", "nope.mdl"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(run.stderr, "error: `nope.mdl` does not exist\n");
    assert!(run.stdout.is_empty());
}

#[test]
fn default_path_missing_is_usage_error() {
    let dir = TempDir::new("no-specs");
    let run = mdl(&dir.0, &["check"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("`specs/` does not exist"), "{}", run.stderr);
}

#[test]
fn bad_flag_is_usage_error() {
    let dir = TempDir::new("bad-flag");
    let run = mdl(&dir.0, &["check", "--format", "xml"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
}

#[test]
fn json_output_is_one_object_on_stdout() {
    let dir = TempDir::new("json");
    dir.write("bad.mdl", "layer core {\n  x = \n}\n");
    let run = mdl(&dir.0, &["check", "--format", "json", "bad.mdl"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.is_empty(), "human output leaked to stderr: {}", run.stderr);
    let value: serde_json::Value = serde_json::from_str(&run.stdout).expect("stdout is JSON");
    assert_eq!(value["errors"], 1);
    assert_eq!(value["diagnostics"][0]["code"], "E0101");
    assert_eq!(value["diagnostics"][0]["file"], "bad.mdl");
}

#[test]
fn colors_follow_the_flag() {
    let dir = TempDir::new("colors");
    dir.write("bad.mdl", "layer core {\n  x = \n}\n");
    let never = mdl(&dir.0, &["check", "bad.mdl"]);
    assert!(!never.stderr.contains('\x1b'), "NO_COLOR and a pipe mean no escapes");
    let always = mdl(&dir.0, &["check", "--color", "always", "bad.mdl"]);
    assert!(always.stderr.contains("\x1b["), "--color always colors:\n{}", always.stderr);
}

// ---- Imports: only `.mdl` regular files inside the project root -----------

/// A file outside the project whose every line must stay off the output.
const SECRET: &str =
    "AWS_SECRET_ACCESS_KEY=never-print-this-line\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n";

/// A project folder with `spec.mdl` declaring the project and importing
/// `import`, and `../outside/` holding the secret as `secret.mdl` and `passwd`.
fn project_importing(name: &str, import: &str) -> TempDir {
    let dir = TempDir::new(name);
    dir.write("outside/secret.mdl", SECRET);
    dir.write("outside/passwd", SECRET);
    let spec = format!("import \"{import}\"\n\nproject shop {{\n  environments {{ dev }}\n}}\n");
    dir.write("project/spec.mdl", spec);
    dir
}

/// Check `project/spec.mdl` (human and JSON output): the code is reported,
/// and nothing of the secret file appears anywhere.
fn assert_refused_silently(dir: &TempDir, code: &str, extra: &[&str]) -> Run {
    let mut args = vec!["check", "project/spec.mdl"];
    args.extend_from_slice(extra);
    let human = mdl(&dir.0, &args);
    assert_error(&human, code);
    args.extend_from_slice(&["--format", "json"]);
    let json = mdl(&dir.0, &args);
    for output in [&human.stdout, &human.stderr, &json.stdout, &json.stderr] {
        for line in SECRET.lines() {
            assert!(!output.contains(line), "the output shows the file's text:\n{output}");
        }
        assert!(!output.contains("never-print"), "the output shows the file's text:\n{output}");
    }
    human
}

#[test]
fn an_import_outside_the_project_root_is_refused_unread() {
    let dir = project_importing("outside-root", "../outside/secret.mdl");
    let run = assert_refused_silently(&dir, "E0220", &[]);
    assert!(run.stderr.contains("outside the project root `project`"), "{}", run.stderr);
    // A file that does not exist out there is refused the same way: nothing is learnt.
    let missing = project_importing("outside-root-missing", "../outside/none.mdl");
    assert_refused_silently(&missing, "E0220", &[]);
    let absolute = project_importing("outside-absolute", "/etc/hostname.mdl");
    assert_refused_silently(&absolute, "E0220", &[]);
}

#[test]
fn an_import_of_a_file_that_is_not_a_spec_is_refused_unread() {
    let dir = project_importing("passwd", "../outside/passwd");
    let run = assert_refused_silently(&dir, "E0221", &["--root", "."]);
    assert!(run.stderr.contains("only `.mdl` spec files can be imported"), "{}", run.stderr);
    let etc = project_importing("etc-passwd", "/etc/passwd");
    assert_refused_silently(&etc, "E0221", &[]);
}

#[test]
fn a_wider_root_allows_what_the_default_refuses() {
    let dir = TempDir::new("wider-root");
    dir.write("shared/lib.mdl", "layer lib {}\n");
    dir.write(
        "project/spec.mdl",
        "import \"../shared/lib.mdl\"\n\nproject shop {\n  environments { dev }\n}\n",
    );
    assert_error(&mdl(&dir.0, &["check", "project/spec.mdl"]), "E0220");
    let run = mdl(&dir.0, &["check", "project/spec.mdl", "--root", "."]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = mdl(&dir.0, &["check", "project/spec.mdl", "--root", "nowhere"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("--root `nowhere` does not exist"), "{}", run.stderr);
}

#[test]
fn the_root_is_found_above_the_named_file_but_not_above_the_repository() {
    let dir = TempDir::new("root-search");
    dir.write("repo/infra/project.mdl", "project shop {\n  environments { dev }\n}\n");
    dir.write(
        "repo/infra/envs/dev.mdl",
        "import \"../project.mdl\"\n\nenvironment dev {\n  region = us_east_1\n}\n",
    );
    let run = mdl(&dir.0, &["check", "repo/infra/envs/dev.mdl"]);
    assert_eq!(run.code, 0, "the project file one folder up is the root:\n{}", run.stderr);
    // A project declared above the repository's top is not this spec's root.
    fs::create_dir_all(dir.path("repo/.git")).expect("mkdir .git");
    dir.write("outer.mdl", "project outer {\n  environments { dev }\n}\n");
    dir.write("repo/app/dev.mdl", "import \"../../outer.mdl\"\n");
    assert_error(&mdl(&dir.0, &["check", "repo/app/dev.mdl"]), "E0220");
}

#[test]
#[cfg(unix)]
fn a_symbolic_link_out_of_the_project_is_outside_it() {
    let dir = project_importing("symlink-out", "./link.mdl");
    std::os::unix::fs::symlink("../outside/secret.mdl", dir.path("project/link.mdl")).expect("symlink");
    let run = assert_refused_silently(&dir, "E0220", &[]);
    assert!(run.stderr.contains("cannot import `project/link.mdl`"), "{}", run.stderr);
}

#[test]
#[cfg(unix)]
fn devices_and_fifos_are_never_read() {
    let dir = project_importing("devices", "./zero.mdl");
    std::os::unix::fs::symlink("/dev/zero", dir.path("project/zero.mdl")).expect("symlink");
    // The link leads out of the project; with the whole disk as the root, it is a device.
    assert_refused_silently(&dir, "E0220", &[]);
    let run = assert_refused_silently(&dir, "E0221", &["--root", "/"]);
    assert!(run.stderr.contains("it is a device, not a regular file"), "{}", run.stderr);

    let fifo = project_importing("fifo", "./pipe.mdl");
    let status = Command::new("mkfifo").arg(fifo.path("project/pipe.mdl")).status().expect("mkfifo");
    assert!(status.success());
    let run = assert_refused_silently(&fifo, "E0221", &[]);
    assert!(run.stderr.contains("it is a FIFO, not a regular file"), "{}", run.stderr);
    // Named on the command line, it is refused too, without waiting for a writer.
    let run = mdl(&fifo.0, &["check", "project/pipe.mdl"]);
    assert_error(&run, "E0102");
    assert!(run.stderr.contains("it is a FIFO"), "{}", run.stderr);
    let run = mdl(&fifo.0, &["check", "/dev/zero"]);
    assert_error(&run, "E0102");
    assert!(run.stderr.contains("it is a device"), "{}", run.stderr);
    let run = mdl(&fifo.0, &["build", "project/pipe.mdl"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("is not a regular file"), "{}", run.stderr);
}

/// `/dev/stdin` is whatever stdin is: here a pipe that stays open, as in CI
/// jobs that never close it. Opening it must not wait for its end.
#[test]
#[cfg(unix)]
fn dev_stdin_as_the_named_file_does_not_wait_on_the_pipe() {
    use std::process::Stdio;
    use std::time::{Duration, Instant};
    let dir = TempDir::new("dev-stdin");
    let mut child = Command::new(env!("CARGO_BIN_EXE_mdl"))
        .args(["check", "/dev/stdin"])
        .current_dir(&dir.0)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn mdl");
    let _open_stdin = child.stdin.take();
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > common::TIME_LIMIT {
            let _ = child.kill();
            panic!("mdl check /dev/stdin hung on an open pipe");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let stderr = common::read_all(&mut child.stderr.take().expect("stderr"));
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("error[E0102]") && stderr.contains("it is a FIFO"), "{stderr}");
}

#[test]
fn files_over_four_mebibytes_are_not_read() {
    let big = format!("// {}\nlayer l {{}}\n", "x".repeat(4 << 20));
    let dir = project_importing("too-large", "./big.mdl");
    dir.write("project/big.mdl", &big);
    let run = assert_refused_silently(&dir, "E0221", &[]);
    assert!(run.stderr.contains("larger than 4 MiB"), "{}", run.stderr);
    let run = mdl(&dir.0, &["check", "project/big.mdl"]);
    assert_error(&run, "E0102");
}

// ---- Evaluation: limits, not exhausted memory or a stack overflow ---------

const PROJECT: &str =
    "project shop {\n  environments { dev }\n}\n\nenvironment dev {\n  region = us_east_1\n}\n\n";

/// A project and one layer of generated bindings.
fn check_layer(name: &str, bindings: impl Iterator<Item = String>) -> Run {
    let mut text = format!("{PROJECT}layer app {{\n");
    bindings.for_each(|line| text.push_str(&line));
    text.push_str("}\n");
    check_text(name, text)
}

#[test]
fn string_doubling_stops_at_the_string_limit() {
    let lines = std::iter::once("  s0 = \"ab\"\n".to_string())
        .chain((1..=60).map(|n| format!("  s{n} = s{} + s{}\n", n - 1, n - 1)));
    let run = check_layer("doubling", lines);
    assert_error(&run, "E0408");
    assert!(run.stderr.contains("s20 = s19 + s19"), "{}", head(&run.stderr));
}

#[test]
fn a_comprehension_product_stops_at_the_step_limit() {
    let lines = std::iter::once("  l0 = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\n".to_string())
        .chain((1..=12).map(|n| format!("  l{n} = [l{} for x in l{}]\n", n - 1, n - 1)));
    let run = check_layer("product", lines);
    assert_error(&run, "E0410");
    assert_eq!(run.stderr.matches("error[").count(), 1, "one diagnostic stands for the rest");
}

/// A chain of `count` bindings, each using the next, written first to last.
fn binding_chain(count: usize) -> impl Iterator<Item = String> {
    (0..count)
        .map(|n| format!("  b{n} = b{} + 1\n", n + 1))
        .chain(std::iter::once(format!("  b{count} = 0\n")))
}

#[test]
fn a_chain_of_ten_thousand_bindings_evaluates() {
    let run = check_layer("chain", binding_chain(10_000));
    assert_eq!(run.code, 0, "{}", head(&run.stderr));
}

#[test]
fn a_chain_too_deep_to_evaluate_is_a_diagnostic_not_a_crash() {
    let run = check_layer("deep-chain", binding_chain(25_000));
    assert_error(&run, "E0411");
    assert!(!run.stderr.contains("E0407"), "{}", head(&run.stderr));
}

#[test]
fn ten_thousand_unknown_names_are_all_reported() {
    let run = check_layer("unknown-names", (0..10_000).map(|n| format!("  x{n} = y{n}\n")));
    assert_error(&run, "E0201");
    assert!(
        run.stderr.ends_with("error: 10000 errors in 1 file\n"),
        "{}",
        &run.stderr[run.stderr.len() - 200..]
    );
}

/// A folder named on the command line is walked; a link in it that leads out
/// of it is not followed, so `mdl check specs/` never reads (nor `mdl fmt
/// specs/` writes) a file elsewhere that a pull request linked in.
#[test]
#[cfg(unix)]
fn a_link_out_of_a_checked_folder_is_not_followed() {
    let dir = TempDir::new("walk-link-out");
    dir.write("outside/secret.mdl", SECRET);
    dir.write("specs/real.mdl", "layer core {}\n");
    dir.write("specs/shared/lib.mdl", "layer lib {}\n");
    std::os::unix::fs::symlink("shared/lib.mdl", dir.path("specs/inside.mdl")).expect("symlink");
    let run = mdl(&dir.0, &["check", "specs"]);
    assert_eq!(run.code, 0, "a link inside the folder is followed:\n{}", run.stderr);
    std::os::unix::fs::symlink("../outside/secret.mdl", dir.path("specs/leak.mdl")).expect("symlink");
    for command in ["check", "fmt"] {
        let run = mdl(&dir.0, &[command, "specs"]);
        assert_eq!(run.code, 2, "{command}: {}", run.stderr);
        assert!(
            run.stderr.contains("`specs/leak.mdl` is a link that leads out of `specs`"),
            "{}",
            run.stderr
        );
        assert!(!run.stderr.contains("never-print") && !run.stdout.contains("never-print"), "{}", run.stderr);
    }
    assert_eq!(fs::read_to_string(dir.path("outside/secret.mdl")).expect("read"), SECRET);
}
