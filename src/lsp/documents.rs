//! Open documents: the editor's unsaved text wins over the disk.

use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};

use lsp_types::Url;

use crate::workspace::{normalize, DiskFileSystem, FileSystem, ReadError};

/// The text of every open document, by normalized path.
#[derive(Default, Clone)]
pub struct Documents {
    open: HashMap<PathBuf, String>,
    urls: HashMap<PathBuf, Url>,
    /// The editor's version of each open document's text, when it gave one.
    versions: HashMap<PathBuf, i32>,
}

impl Documents {
    /// Record the editor's text for `url`.
    pub fn set(&mut self, url: &Url, text: String) {
        if let Some(path) = path_of(url) {
            self.urls.insert(path.clone(), url.clone());
            self.open.insert(path, text);
        }
    }

    /// Record the editor's version of the text just set for `url`.
    pub fn set_version(&mut self, url: &Url, version: i32) {
        if let Some(path) = path_of(url) {
            self.versions.insert(path, version);
        }
    }

    /// Forget a closed document.
    pub fn close(&mut self, url: &Url) {
        if let Some(path) = path_of(url) {
            self.urls.remove(&path);
            self.open.remove(&path);
            self.versions.remove(&path);
        }
    }

    /// The editor's version of the open document at `url`: diagnostics are
    /// published with it, so an editor can drop a list for an older text.
    pub fn version(&self, url: &Url) -> Option<i32> {
        self.versions.get(&path_of(url)?).copied()
    }

    /// Every open document's path, in a stable order.
    pub fn paths(&self) -> Vec<PathBuf> {
        let mut paths: Vec<PathBuf> = self.open.keys().cloned().collect();
        paths.sort();
        paths
    }

    /// The text of an open document.
    pub fn text(&self, url: &Url) -> Option<&str> {
        self.open.get(&path_of(url)?).map(String::as_str)
    }

    /// The text of the open document at `path`.
    pub fn text_at(&self, path: &Path) -> Option<&str> {
        self.open.get(path).map(String::as_str)
    }

    /// The one URI a file is published under: the editor's, while it is
    /// open (editors encode paths in their own way, `%3A` or `:`), otherwise
    /// the file URL of its path. Diagnostics and locations of one file thus
    /// never go out under two URIs.
    pub fn url_of(&self, path: &Path) -> Option<Url> {
        match self.urls.get(path) {
            Some(url) => Some(url.clone()),
            None => Url::from_file_path(path).ok(),
        }
    }
}

/// Open documents over the disk, with the disk's rules for what may be read.
impl FileSystem for Documents {
    fn read(&self, path: &Path) -> Result<Vec<u8>, ReadError> {
        match self.open.get(&normalize(path)) {
            Some(text) => Ok(text.clone().into_bytes()),
            None => DiskFileSystem.read(path),
        }
    }

    fn canonicalize(&self, path: &Path) -> io::Result<PathBuf> {
        match DiskFileSystem.canonicalize(path) {
            Err(_) if self.open.contains_key(&normalize(path)) => Ok(normalize(path)),
            found => found,
        }
    }

    fn mdl_files(&self, dir: &Path) -> Vec<PathBuf> {
        let mut files = DiskFileSystem.mdl_files(dir);
        let unsaved = self.open.keys().filter(|p| p.parent() == Some(dir) && !files.contains(p));
        files.extend(
            unsaved.filter(|p| p.extension().is_some_and(|e| e == "mdl")).cloned().collect::<Vec<_>>(),
        );
        files.sort();
        files
    }

    fn is_repository_top(&self, dir: &Path) -> bool {
        DiskFileSystem.is_repository_top(dir)
    }
}

/// The file path behind a `file:` URL, normalized like the loader's paths. A
/// document that is not a file yet (`untitled:Untitled-1`) gets a path of its
/// own that no file on disk has, so it is still checked as typed.
pub fn path_of(url: &Url) -> Option<PathBuf> {
    match url.to_file_path() {
        Ok(path) => Some(normalize(&path)),
        Err(()) if url.scheme() != "file" => {
            Some(PathBuf::from(format!("/{}:/{}", url.scheme(), url.path().trim_start_matches('/'))))
        }
        Err(()) => None,
    }
}
