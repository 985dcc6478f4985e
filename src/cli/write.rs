//! Giving a spec file new contents the way its owner expects (`mdl fmt`).
//!
//! The file the user sees changes, and nothing else about it: a symbolic link
//! is written through to its target (the link stays a link); a file with
//! other hard links is written in place, so every name still shows the same
//! inode; permissions and owner stay as they were; a read-only file is
//! refused, even for root, who could write it. Where it can be, the change is
//! atomic: the new text goes to a temporary file beside the target, created
//! exclusively under a unique name (never an existing file, whatever its
//! name), then renamed over it, so an interrupted run leaves the old text or
//! the new, never half. Where the rename would change something (other hard
//! links, an owner mdl cannot give the new file, a folder it may not create
//! files in), the file is written in place instead.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Seek, Write};
use std::path::Path;

/// Replace the contents of the spec file at `path` with `text`; the error
/// says why the file was left as it was.
pub fn replace_contents(path: &Path, text: &str) -> Result<(), String> {
    // Through every link to the file itself: the link stays, its target changes.
    let target = fs::canonicalize(path).map_err(|e| format!("cannot be resolved: {}", describe(&e)))?;
    let metadata = fs::metadata(&target).map_err(|e| format!("cannot be read: {}", describe(&e)))?;
    if !metadata.is_file() {
        return Err("is not a regular file; left as it is".into());
    }
    if metadata.permissions().readonly() {
        return Err(format!(
            "is read-only ({}); mdl fmt leaves it as it is (make it writable to format it)",
            mode_text(&metadata)
        ));
    }
    // Opening it for writing asks the system whether this user may write it.
    let mut file = open_for_writing(&target).map_err(|e| format!("cannot be written: {}", describe(&e)))?;
    if renaming_keeps_the_file(&metadata) {
        if let Some(dir) = target.parent() {
            if replace_atomically(&target, dir, &file, text).is_ok() {
                return Ok(());
            }
        }
    }
    write_in_place(&mut file, text).map_err(|e| format!("cannot be written: {}", describe(&e)))
}

/// Write the new text to a fresh temporary file with the old one's
/// permissions and owner, then rename it over `target`.
fn replace_atomically(target: &Path, dir: &Path, old: &File, text: &str) -> io::Result<()> {
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let mut temporary =
        tempfile::Builder::new().prefix(&format!(".{name}.")).suffix(".mdl-fmt").tempfile_in(dir)?;
    temporary.write_all(text.as_bytes())?;
    let metadata = old.metadata()?;
    // Owner first: a change of owner clears set-id bits the mode may carry.
    same_owner(temporary.as_file(), &metadata)?;
    temporary.as_file().set_permissions(metadata.permissions())?;
    temporary.as_file().sync_all()?;
    // On failure the temporary file is removed when dropped.
    temporary.persist(target).map(drop).map_err(|error| error.error)
}

/// Overwrite from the start and cut what is left of the old text.
fn write_in_place(file: &mut File, text: &str) -> io::Result<()> {
    file.rewind()?;
    file.write_all(text.as_bytes())?;
    file.set_len(text.len() as u64)?;
    file.sync_all()
}

#[cfg(unix)]
fn open_for_writing(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    // Never waits on a FIFO put in place of the file since it was checked.
    let file = OpenOptions::new().write(true).custom_flags(libc::O_NONBLOCK).open(path)?;
    if file.metadata()?.is_file() {
        Ok(file)
    } else {
        Err(io::Error::other("it is no longer a regular file"))
    }
}

#[cfg(not(unix))]
fn open_for_writing(path: &Path) -> io::Result<File> {
    OpenOptions::new().write(true).open(path)
}

/// A rename puts a new inode in place: only right when no other name shares the old one.
#[cfg(unix)]
fn renaming_keeps_the_file(metadata: &fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    metadata.nlink() == 1
}

#[cfg(not(unix))]
fn renaming_keeps_the_file(_metadata: &fs::Metadata) -> bool {
    true
}

/// Give `file` the owner and group of the file it replaces; an error when
/// this user may not (then the file is written in place instead).
#[cfg(unix)]
fn same_owner(file: &File, old: &fs::Metadata) -> io::Result<()> {
    use std::os::unix::fs::MetadataExt;
    let new = file.metadata()?;
    if (new.uid(), new.gid()) == (old.uid(), old.gid()) {
        return Ok(());
    }
    std::os::unix::fs::fchown(file, Some(old.uid()), Some(old.gid()))
}

#[cfg(not(unix))]
fn same_owner(_file: &File, _old: &fs::Metadata) -> io::Result<()> {
    Ok(())
}

#[cfg(unix)]
fn mode_text(metadata: &fs::Metadata) -> String {
    use std::os::unix::fs::PermissionsExt;
    format!("mode {:o}", metadata.permissions().mode() & 0o7777)
}

#[cfg(not(unix))]
fn mode_text(_metadata: &fs::Metadata) -> String {
    "read-only attribute".to_string()
}

fn describe(error: &io::Error) -> String {
    match error.kind() {
        io::ErrorKind::NotFound => "no such file".into(),
        io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => error.to_string(),
    }
}
