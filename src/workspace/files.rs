//! Where file contents come from, and the rules every read obeys.
//!
//! mdl reads only what a spec can be: a regular file of at most
//! [`MAX_FILE_BYTES`]. A FIFO, a device (`/dev/zero`, `/dev/stdin` on a
//! terminal), a socket or a directory is refused before it is opened for
//! reading, and again after (the path may have changed in between), so a read
//! never blocks and never allocates without bound. The trait keeps the
//! library free of I/O: the CLI passes [`DiskFileSystem`], tests a
//! [`MemoryFileSystem`], the language server its open documents.

use std::collections::HashMap;
use std::fmt;
use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use super::normalize;

/// The largest spec file mdl reads: far above any real spec (the megadolls
/// specs are 30 KB), far below what would hurt a CI machine.
pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// Why a file was not read.
#[derive(Debug)]
pub enum ReadError {
    /// The operating system refused (no such file, permission denied, ...).
    Io(io::Error),
    /// Not a regular file: what it is instead ("a directory", "a FIFO", ...).
    NotAFile(&'static str),
    /// Larger than [`MAX_FILE_BYTES`].
    TooLarge,
}

impl From<io::Error> for ReadError {
    fn from(error: io::Error) -> Self {
        ReadError::Io(error)
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Io(error) => match error.kind() {
                io::ErrorKind::NotFound => f.write_str("no such file"),
                io::ErrorKind::PermissionDenied => f.write_str("permission denied"),
                _ => write!(f, "{error}"),
            },
            ReadError::NotAFile(what) => write!(f, "it is {what}, not a regular file"),
            ReadError::TooLarge => {
                write!(f, "it is larger than {} MiB, the limit for a spec file", MAX_FILE_BYTES >> 20)
            }
        }
    }
}

/// Where file contents come from.
pub trait FileSystem {
    /// The bytes of the spec file at `path`: a regular file of at most
    /// [`MAX_FILE_BYTES`], read without blocking on anything else.
    fn read(&self, path: &Path) -> Result<Vec<u8>, ReadError>;

    /// `path` with every symbolic link and `..` resolved, as the imports'
    /// confinement to the project root compares it.
    fn canonicalize(&self, path: &Path) -> io::Result<PathBuf>;

    /// The `.mdl` files directly inside `dir`, sorted: where the project root
    /// is looked for. Nothing, by default.
    fn mdl_files(&self, _dir: &Path) -> Vec<PathBuf> {
        Vec::new()
    }

    /// Whether `dir` is the top of a repository (it holds `.git`): the search
    /// for the project root goes no higher. No, by default.
    fn is_repository_top(&self, _dir: &Path) -> bool {
        false
    }
}

/// The real file system.
pub struct DiskFileSystem;

impl FileSystem for DiskFileSystem {
    fn read(&self, path: &Path) -> Result<Vec<u8>, ReadError> {
        read_spec_file(path)
    }

    fn canonicalize(&self, path: &Path) -> io::Result<PathBuf> {
        fs::canonicalize(if path.as_os_str().is_empty() { Path::new(".") } else { path })
    }

    fn mdl_files(&self, dir: &Path) -> Vec<PathBuf> {
        let Ok(entries) = fs::read_dir(dir) else { return Vec::new() };
        let mut found: Vec<PathBuf> = entries
            .flatten()
            .map(|entry| entry.path())
            .filter(|path| path.extension().is_some_and(|e| e == "mdl"))
            .collect();
        found.sort();
        found
    }

    fn is_repository_top(&self, dir: &Path) -> bool {
        dir.join(".git").exists()
    }
}

/// Read a spec file from disk: a regular file of at most [`MAX_FILE_BYTES`].
///
/// The file's type is checked before it is opened (opening a FIFO for
/// reading blocks until a writer comes), then the file is opened without
/// blocking and checked again, and read with a cap (`/proc` files say they
/// are empty whatever they hold).
pub fn read_spec_file(path: &Path) -> Result<Vec<u8>, ReadError> {
    check_file(&fs::metadata(path)?)?;
    let file = open_without_blocking(path)?;
    let metadata = file.metadata()?;
    check_file(&metadata)?;
    let mut bytes = Vec::with_capacity(usize::try_from(metadata.len()).unwrap_or(0));
    file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(ReadError::TooLarge);
    }
    Ok(bytes)
}

/// A regular file within the size limit, or why not.
fn check_file(metadata: &fs::Metadata) -> Result<(), ReadError> {
    let kind = metadata.file_type();
    if !kind.is_file() {
        return Err(ReadError::NotAFile(describe_kind(&kind)));
    }
    if metadata.len() > MAX_FILE_BYTES {
        return Err(ReadError::TooLarge);
    }
    Ok(())
}

#[cfg(unix)]
fn describe_kind(kind: &fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if kind.is_dir() {
        "a directory"
    } else if kind.is_fifo() {
        "a FIFO"
    } else if kind.is_char_device() || kind.is_block_device() {
        "a device"
    } else if kind.is_socket() {
        "a socket"
    } else {
        "not a file"
    }
}

#[cfg(not(unix))]
fn describe_kind(kind: &fs::FileType) -> &'static str {
    if kind.is_dir() {
        "a directory"
    } else {
        "not a file"
    }
}

#[cfg(unix)]
fn open_without_blocking(path: &Path) -> io::Result<fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    // Reads of a regular file ignore O_NONBLOCK; it only keeps `open` from
    // waiting for a writer if the path became a FIFO since it was checked.
    fs::OpenOptions::new().read(true).custom_flags(libc::O_NONBLOCK).open(path)
}

#[cfg(not(unix))]
fn open_without_blocking(path: &Path) -> io::Result<fs::File> {
    fs::File::open(path)
}

/// Files held in memory, for tests: paths are taken as written (normalized),
/// with no symbolic links.
#[derive(Default)]
pub struct MemoryFileSystem {
    pub files: HashMap<PathBuf, String>,
}

impl FileSystem for MemoryFileSystem {
    fn read(&self, path: &Path) -> Result<Vec<u8>, ReadError> {
        let text = self
            .files
            .get(&normalize(path))
            .ok_or_else(|| ReadError::Io(io::Error::new(io::ErrorKind::NotFound, "no such file")))?;
        if text.len() as u64 > MAX_FILE_BYTES {
            return Err(ReadError::TooLarge);
        }
        Ok(text.clone().into_bytes())
    }

    fn canonicalize(&self, path: &Path) -> io::Result<PathBuf> {
        let path = normalize(path);
        let is_folder = self.files.keys().any(|file| file.starts_with(&path));
        if self.files.contains_key(&path) || is_folder {
            Ok(path)
        } else {
            Err(io::Error::new(io::ErrorKind::NotFound, "no such file"))
        }
    }

    fn mdl_files(&self, dir: &Path) -> Vec<PathBuf> {
        let dir = normalize(dir);
        let mut found: Vec<PathBuf> = self
            .files
            .keys()
            .filter(|file| file.parent() == Some(dir.as_path()))
            .filter(|file| file.extension().is_some_and(|e| e == "mdl"))
            .cloned()
            .collect();
        found.sort();
        found
    }
}
