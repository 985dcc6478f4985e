//! Open documents: the editor's unsaved text wins over the disk.

use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};

use lsp_types::Url;

use crate::workspace::{normalize, DiskFileSystem, FileSystem};

/// The text of every open document, by normalized path.
#[derive(Default, Clone)]
pub struct Documents {
    open: HashMap<PathBuf, String>,
    urls: HashMap<PathBuf, Url>,
}

impl Documents {
    /// Record the editor's text for `url`.
    pub fn set(&mut self, url: &Url, text: String) {
        if let Some(path) = path_of(url) {
            self.urls.insert(path.clone(), url.clone());
            self.open.insert(path, text);
        }
    }

    /// Forget a closed document.
    pub fn close(&mut self, url: &Url) {
        if let Some(path) = path_of(url) {
            self.urls.remove(&path);
            self.open.remove(&path);
        }
    }

    /// Every open document, in a stable order.
    pub fn urls(&self) -> Vec<Url> {
        let mut urls: Vec<Url> = self.urls.values().cloned().collect();
        urls.sort();
        urls
    }

    /// The text of an open document.
    pub fn text(&self, url: &Url) -> Option<&str> {
        self.open.get(&path_of(url)?).map(String::as_str)
    }
}

impl FileSystem for Documents {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        match self.open.get(&normalize(path)) {
            Some(text) => Ok(text.clone().into_bytes()),
            None => DiskFileSystem.read(path),
        }
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
