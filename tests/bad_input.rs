//! Hostile input through the real binary: every case exits 0, 1 or 2 with a
//! diagnostic or a clear error, never panics, never crashes, and finishes
//! within seconds.
//!
//! Each test works in its own directory under the system temp dir and removes
//! it afterwards.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Generous for a debug build on a slow CI machine; a release build takes milliseconds.
const TIME_LIMIT: Duration = Duration::from_secs(30);

/// A directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let unique =
            format!("mdl-bad-input-{}-{}-{name}", std::process::id(), COUNTER.fetch_add(1, Ordering::SeqCst));
        let path = std::env::temp_dir().join(unique);
        fs::create_dir_all(&path).expect("create temp dir");
        TempDir(path)
    }

    fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let path = self.0.join(name);
        fs::write(&path, bytes).expect("write test file");
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        // Restore permissions first so a chmod 000 file does not block removal.
        make_readable(&self.0);
        let _ = fs::remove_dir_all(&self.0);
    }
}

#[cfg(unix)]
fn make_readable(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
        let _ = fs::set_permissions(entry.path(), fs::Permissions::from_mode(0o755));
    }
}

#[cfg(not(unix))]
fn make_readable(_dir: &Path) {}

/// What a run of `mdl` did.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Run `mdl ARGS` in `dir`, failing the test on a crash, a panic or a timeout.
fn mdl(dir: &Path, args: &[&str]) -> Run {
    run(Command::new(env!("CARGO_BIN_EXE_mdl")), dir, args)
}

/// Run `command ARGS` (mdl, or mdl behind a privilege drop) like [`mdl`].
fn run(mut command: Command, dir: &Path, args: &[&str]) -> Run {
    let started = Instant::now();
    let mut child = command
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn mdl");
    // Read both pipes on threads so a large output cannot block the child.
    let mut stdout = child.stdout.take().expect("stdout");
    let mut stderr = child.stderr.take().expect("stderr");
    let out = std::thread::spawn(move || read_all(&mut stdout));
    let err = std::thread::spawn(move || read_all(&mut stderr));
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for mdl") {
            break status;
        }
        if started.elapsed() > TIME_LIMIT {
            let _ = child.kill();
            panic!("mdl {args:?} took longer than {TIME_LIMIT:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let run = Run {
        code: status.code().unwrap_or(-1),
        stdout: out.join().expect("stdout thread"),
        stderr: err.join().expect("stderr thread"),
    };
    assert!(status.code().is_some(), "mdl {args:?} was killed by a signal (a crash): {status}");
    assert!(!run.stderr.contains("panicked"), "mdl {args:?} panicked:\n{}", run.stderr);
    assert!([0, 1, 2].contains(&run.code), "mdl {args:?} exited {}:\n{}", run.code, run.stderr);
    run
}

fn read_all(pipe: &mut impl Read) -> String {
    let mut bytes = Vec::new();
    let _ = pipe.read_to_end(&mut bytes);
    String::from_utf8_lossy(&bytes).into_owned()
}

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

/// The start of a long output, for failure messages.
fn head(text: &str) -> &str {
    let end = text.char_indices().nth(2000).map_or(text.len(), |(i, _)| i);
    &text[..end]
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
        let copy = dir.0.join("mdl");
        fs::copy(env!("CARGO_BIN_EXE_mdl"), &copy).expect("copy mdl");
        let mut setpriv = Command::new("setpriv");
        setpriv.args(["--reuid=65534", "--regid=65534", "--clear-groups"]).arg(&copy);
        run(setpriv, &dir.0, &["check", "secret.mdl"])
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
