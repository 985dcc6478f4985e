//! What the tests that run the real `mdl` binary share: a scratch directory,
//! a run that fails the test on a crash, a panic or a hang, and running mdl as
//! another user (for permission cases when the tests run as root).

#![allow(dead_code)] // Each test file uses its own part of this.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Generous for a debug build on a slow CI machine; a release build takes milliseconds.
pub const TIME_LIMIT: Duration = Duration::from_secs(30);

/// A directory under the system temp dir, removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    /// A fresh directory whose name says which test made it.
    pub fn new(name: &str) -> TempDir {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let unique =
            format!("mdl-test-{}-{}-{name}", std::process::id(), COUNTER.fetch_add(1, Ordering::SeqCst));
        let path = std::env::temp_dir().join(unique);
        fs::create_dir_all(&path).expect("create temp dir");
        TempDir(path)
    }

    /// Write `name` (relative to the directory); its path.
    pub fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let path = self.0.join(name);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).expect("create parent folders");
        }
        fs::write(&path, bytes).expect("write test file");
        path
    }

    /// The path of `name` in the directory.
    pub fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        // Restore permissions first so a chmod 000 file or folder does not block removal.
        make_writable(&self.0);
        let _ = fs::remove_dir_all(&self.0);
    }
}

#[cfg(unix)]
fn make_writable(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    for entry in walkdir::WalkDir::new(dir).follow_links(false).into_iter().flatten() {
        if !entry.path_is_symlink() {
            let _ = fs::set_permissions(entry.path(), fs::Permissions::from_mode(0o755));
        }
    }
}

#[cfg(not(unix))]
fn make_writable(_dir: &Path) {}

/// What a run of `mdl` did.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Run `mdl ARGS` in `dir`, failing the test on a crash, a panic or a timeout.
pub fn mdl(dir: &Path, args: &[&str]) -> Run {
    run(Command::new(env!("CARGO_BIN_EXE_mdl")), dir, args)
}

/// Run `command ARGS` (mdl, or mdl behind a privilege drop) like [`mdl`]:
/// stdin is empty, and the run must end by itself within [`TIME_LIMIT`].
pub fn run(mut command: Command, dir: &Path, args: &[&str]) -> Run {
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
            let _ = child.wait();
            panic!("mdl {args:?} hung: still running after {TIME_LIMIT:?}");
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

pub fn read_all(pipe: &mut impl Read) -> String {
    let mut bytes = Vec::new();
    let _ = pipe.read_to_end(&mut bytes);
    String::from_utf8_lossy(&bytes).into_owned()
}

/// The start of a long output, for failure messages.
pub fn head(text: &str) -> &str {
    let end = text.char_indices().nth(2000).map_or(text.len(), |(i, _)| i);
    &text[..end]
}

/// Whether the tests run as root (as in CI containers): root reads and
/// writes files whatever their mode, so permission cases run mdl as `nobody`.
#[cfg(unix)]
pub fn is_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    let probe = TempDir::new("whoami");
    let file = probe.write("probe", "");
    fs::metadata(file).map(|m| m.uid() == 0).unwrap_or(false)
}

/// The uid and gid of `nobody`.
pub const NOBODY: u32 = 65534;

/// A command running a copy of mdl as `nobody` (the copy sits in `dir`, which
/// `nobody` can reach whatever the permissions of the build folder).
#[cfg(unix)]
pub fn mdl_as_nobody(dir: &Path) -> Command {
    use std::os::unix::fs::PermissionsExt;
    let copy = dir.join(".mdl-as-nobody");
    fs::copy(env!("CARGO_BIN_EXE_mdl"), &copy).expect("copy mdl");
    fs::set_permissions(&copy, fs::Permissions::from_mode(0o755)).expect("chmod mdl");
    fs::set_permissions(dir, fs::Permissions::from_mode(0o755)).expect("chmod dir");
    let mut setpriv = Command::new("setpriv");
    setpriv.args(["--reuid=65534", "--regid=65534", "--clear-groups"]).arg(copy);
    setpriv
}
