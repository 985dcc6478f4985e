//! `mdl fmt` through the real binary: what happens to the files it formats.
//! Only their text may change: links, hard links, permissions and owners
//! stay; read-only files and files of other users are refused with the
//! reason; no file but the spec is ever written or removed.

mod common;

use std::fs;
use std::path::Path;

use common::{mdl, TempDir};

/// A spec that `mdl fmt` rewrites, and what it becomes.
const MESSY: &str = "layer core {\n      x=1\n}\n";
const FORMATTED: &str = "layer core {\n  x = 1\n}\n";

fn read(path: &Path) -> String {
    fs::read_to_string(path).expect("read spec")
}

/// The names in `dir`, sorted (hidden ones included).
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .expect("list dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn a_plain_file_is_formatted_and_nothing_else_is_left_behind() {
    let dir = TempDir::new("fmt-plain");
    let spec = dir.write("spec.mdl", MESSY);
    let run = mdl(&dir.0, &["fmt", "spec.mdl"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(read(&spec), FORMATTED);
    assert_eq!(listing(&dir.0), ["spec.mdl"], "no temporary file is left");
}

#[test]
fn check_mode_writes_nothing() {
    let dir = TempDir::new("fmt-check");
    let spec = dir.write("spec.mdl", MESSY);
    let run = mdl(&dir.0, &["fmt", "--check", "spec.mdl"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stdout.contains("would reformat spec.mdl"), "{}", run.stdout);
    assert_eq!(read(&spec), MESSY);
}

#[test]
fn a_file_named_like_the_old_temporary_file_is_never_touched() {
    let dir = TempDir::new("fmt-temp-name");
    let spec = dir.write("spec.mdl", MESSY);
    let precious = dir.write(".spec.mdl.mdl-fmt", "precious\n");
    let run = mdl(&dir.0, &["fmt", "spec.mdl"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(read(&spec), FORMATTED);
    assert_eq!(read(&precious), "precious\n");
    assert_eq!(listing(&dir.0), [".spec.mdl.mdl-fmt", "spec.mdl"]);
}

#[test]
#[cfg(unix)]
fn a_symbolic_link_is_written_through_and_stays_a_link() {
    let dir = TempDir::new("fmt-symlink");
    let target = dir.write("real/target.mdl", MESSY);
    std::os::unix::fs::symlink("real/target.mdl", dir.path("link.mdl")).expect("symlink");
    let run = mdl(&dir.0, &["fmt", "link.mdl"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let link = fs::symlink_metadata(dir.path("link.mdl")).expect("link metadata");
    assert!(link.file_type().is_symlink(), "the link was replaced by a file");
    assert_eq!(read(&target), FORMATTED, "the target was not formatted");
    assert_eq!(listing(&dir.path("real")), ["target.mdl"]);
}

#[test]
#[cfg(unix)]
fn hard_links_keep_sharing_one_file() {
    use std::os::unix::fs::MetadataExt;
    let dir = TempDir::new("fmt-hardlink");
    let first = dir.write("a.mdl", MESSY);
    let second = dir.path("b.mdl");
    fs::hard_link(&first, &second).expect("hard link");
    let inode = fs::metadata(&first).expect("metadata").ino();
    let run = mdl(&dir.0, &["fmt", "a.mdl"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(read(&second), FORMATTED, "the other name still shows the old text");
    assert_eq!(fs::metadata(&first).expect("metadata").ino(), inode);
    assert_eq!(fs::metadata(&second).expect("metadata").nlink(), 2);
}

#[test]
#[cfg(unix)]
fn permissions_are_kept() {
    use std::os::unix::fs::PermissionsExt;
    let dir = TempDir::new("fmt-mode");
    let spec = dir.write("spec.mdl", MESSY);
    fs::set_permissions(&spec, fs::Permissions::from_mode(0o640)).expect("chmod");
    let run = mdl(&dir.0, &["fmt", "spec.mdl"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(read(&spec), FORMATTED);
    assert_eq!(fs::metadata(&spec).expect("metadata").permissions().mode() & 0o7777, 0o640);
}

/// Refused even when mdl runs as root, who could write it.
#[test]
#[cfg(unix)]
fn a_read_only_file_is_refused_with_the_reason() {
    use std::os::unix::fs::PermissionsExt;
    let dir = TempDir::new("fmt-readonly");
    let spec = dir.write("spec.mdl", MESSY);
    let other = dir.write("other.mdl", MESSY);
    fs::set_permissions(&spec, fs::Permissions::from_mode(0o444)).expect("chmod");
    let run = mdl(&dir.0, &["fmt", "spec.mdl", "other.mdl"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("spec.mdl is read-only (mode 444)"), "{}", run.stderr);
    assert_eq!(read(&spec), MESSY);
    assert_eq!(fs::metadata(&spec).expect("metadata").permissions().mode() & 0o7777, 0o444);
    assert_eq!(read(&other), FORMATTED, "the other file is still formatted");
}

#[test]
#[cfg(unix)]
fn a_fifo_is_refused_without_waiting() {
    let dir = TempDir::new("fmt-fifo");
    let status = std::process::Command::new("mkfifo").arg(dir.path("pipe.mdl")).status().expect("mkfifo");
    assert!(status.success());
    let run = mdl(&dir.0, &["fmt", "pipe.mdl"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("it is a FIFO, not a regular file"), "{}", run.stderr);
}

/// Permission cases need a user other than root: they run when the tests
/// run as root (CI) and say so when they cannot.
#[cfg(unix)]
mod other_users {
    use super::*;
    use common::{is_root, mdl_as_nobody, run, NOBODY};
    use std::os::unix::fs::{MetadataExt, PermissionsExt};

    fn chown(path: &Path, id: u32) {
        std::os::unix::fs::chown(path, Some(id), Some(id)).expect("chown");
    }

    #[test]
    fn the_owner_is_kept() {
        if !is_root() {
            eprintln!("not run: giving a file to another user needs root");
            return;
        }
        let dir = TempDir::new("fmt-owner");
        let spec = dir.write("spec.mdl", MESSY);
        chown(&spec, NOBODY);
        let run = mdl(&dir.0, &["fmt", "spec.mdl"]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert_eq!(read(&spec), FORMATTED);
        let metadata = fs::metadata(&spec).expect("metadata");
        assert_eq!((metadata.uid(), metadata.gid()), (NOBODY, NOBODY));
    }

    #[test]
    fn a_file_of_another_user_is_refused() {
        if !is_root() {
            eprintln!("not run: needs root to run mdl as another user");
            return;
        }
        let dir = TempDir::new("fmt-not-mine");
        let spec = dir.write("spec.mdl", MESSY);
        fs::set_permissions(&spec, fs::Permissions::from_mode(0o644)).expect("chmod");
        // The folder is writable by anyone, so only the file's own permissions stop the write.
        let command = mdl_as_nobody(&dir.0);
        fs::set_permissions(&dir.0, fs::Permissions::from_mode(0o777)).expect("chmod dir");
        let run = run(command, &dir.0, &["fmt", "spec.mdl"]);
        assert_eq!(run.code, 1, "{}", run.stderr);
        assert!(run.stderr.contains("spec.mdl cannot be written: permission denied"), "{}", run.stderr);
        assert_eq!(read(&spec), MESSY);
        assert_eq!(fs::metadata(&spec).expect("metadata").uid(), 0);
    }

    #[test]
    fn in_a_folder_it_may_not_write_the_file_is_written_in_place() {
        if !is_root() {
            eprintln!("not run: needs root to run mdl as another user");
            return;
        }
        let dir = TempDir::new("fmt-locked-folder");
        let spec = dir.write("spec.mdl", MESSY);
        chown(&spec, NOBODY);
        let inode = fs::metadata(&spec).expect("metadata").ino();
        let command = mdl_as_nobody(&dir.0);
        let run = run(command, &dir.0, &["fmt", "spec.mdl"]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert_eq!(read(&spec), FORMATTED);
        assert_eq!(fs::metadata(&spec).expect("metadata").ino(), inode);
    }
}
