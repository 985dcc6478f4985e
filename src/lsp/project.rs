//! Which files are analysed together with an open document.
//!
//! An environment file imports the platform; the platform imports nothing
//! that says which environments exist. So an edit to `platform.mdl` is
//! analysed with every environment of its project, open or not: the files
//! under the project root (the folder of the file that declares `project`,
//! the root imports are confined to, see [`RootFinder`]) that declare an
//! `environment`. That is the same set `mdl check <root>` evaluates, so the
//! editor shows what the command line would. A document outside any project
//! is analysed on its own.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::workspace::{FileSystem, RootFinder};

/// Folders never searched for environment files: tools' caches and outputs.
const SKIPPED_FOLDERS: [&str; 3] = ["node_modules", "target", "cdk.out"];

/// The most files looked at under one root: a root that is a home folder
/// must not make every keystroke walk the disk.
const MAX_FILES: usize = 2_000;

/// What is analysed with a document.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum GroupKey {
    /// A project root (its real path): its environments and open documents.
    Project(PathBuf),
    /// A document outside any project.
    Alone(PathBuf),
}

/// A document's group, and the root to search when it belongs to a project.
type Placed = (GroupKey, Option<PathBuf>);

/// Finds groups, remembering what it found until the disk changes
/// (`didChangeWatchedFiles`) or an edit adds or removes a `project` or an
/// `environment` ([`Projects::declarations_changed`]): finding a root reads
/// and parses files, which must not happen on every keystroke.
#[derive(Default)]
pub struct Projects {
    /// Root (as written) → the `.mdl` files under it.
    files: HashMap<PathBuf, Vec<PathBuf>>,
    /// Root (as written) → those of its files that declare an environment.
    environments: HashMap<PathBuf, Vec<PathBuf>>,
    /// Document → its group.
    placed: HashMap<PathBuf, Placed>,
}

impl Projects {
    /// Forget what was read from the disk.
    pub fn disk_changed(&mut self) {
        self.files.clear();
        self.declarations_changed();
    }

    /// Forget which files declare a project or an environment.
    pub fn declarations_changed(&mut self) {
        self.environments.clear();
        self.placed.clear();
    }

    /// The group of the document at `path`, with the root to search when it
    /// belongs to a project.
    pub fn group_of(&mut self, path: &Path, fs: &dyn FileSystem) -> Placed {
        if let Some(placed) = self.placed.get(path) {
            return placed.clone();
        }
        let placed = place(path, fs);
        self.placed.insert(path.to_path_buf(), placed.clone());
        placed
    }

    /// The files under `root` that declare an environment, read through `fs`
    /// (the editor's text where a file is open).
    pub fn environment_files(&mut self, root: &Path, fs: &dyn FileSystem) -> Vec<PathBuf> {
        if let Some(found) = self.environments.get(root) {
            return found.clone();
        }
        let files = self.files.entry(root.to_path_buf()).or_insert_with(|| walk(root));
        let found: Vec<PathBuf> =
            files.iter().filter(|file| declares(fs, file, "environment")).cloned().collect();
        self.environments.insert(root.to_path_buf(), found.clone());
        found
    }
}

/// Whether an edit from `before` to `after` may move a document to another
/// group or change a project's environments.
pub fn declarations_differ(before: Option<&str>, after: &str) -> bool {
    let declared = |text: &str| (mentions(text, "project"), mentions(text, "environment"));
    before.map_or(true, |before| declared(before) != declared(after))
}

fn place(path: &Path, fs: &dyn FileSystem) -> Placed {
    if !path.is_absolute() {
        return (GroupKey::Alone(path.to_path_buf()), None);
    }
    let root = RootFinder::new(fs).root_of(path);
    if declares_project(fs, &root.shown) {
        (GroupKey::Project(root.real), Some(root.shown))
    } else {
        (GroupKey::Alone(path.to_path_buf()), None)
    }
}

/// Whether a `.mdl` file directly in `folder` declares `project` (the rule
/// that made it the root).
fn declares_project(fs: &dyn FileSystem, folder: &Path) -> bool {
    fs.mdl_files(folder).iter().any(|file| declares(fs, file, "project"))
}

/// Whether a line of the file starts with the `keyword` of a declaration. A
/// text test, not a parse: it runs over every file of the project on each
/// change, and a file that only mentions the word in a block comment is
/// merely analysed for nothing.
fn declares(fs: &dyn FileSystem, file: &Path, keyword: &str) -> bool {
    let Ok(bytes) = fs.read(file) else { return false };
    mentions(&String::from_utf8_lossy(&bytes), keyword)
}

/// Whether a line of `text` starts with `keyword` and a space.
fn mentions(text: &str, keyword: &str) -> bool {
    text.lines()
        .any(|line| line.trim_start().strip_prefix(keyword).is_some_and(|rest| rest.starts_with([' ', '\t'])))
}

/// The `.mdl` files under `root`, hidden folders and tool outputs left out,
/// links not followed (a link out of the project must not be read).
fn walk(root: &Path) -> Vec<PathBuf> {
    let keep = |entry: &walkdir::DirEntry| {
        let name = entry.file_name().to_string_lossy();
        entry.depth() == 0 || !(name.starts_with('.') || SKIPPED_FOLDERS.contains(&name.as_ref()))
    };
    let walker = walkdir::WalkDir::new(root).max_depth(8).sort_by_file_name().into_iter();
    walker
        .filter_entry(keep)
        .flatten()
        .filter(|entry| entry.file_type().is_file() && entry.path().extension().is_some_and(|e| e == "mdl"))
        .map(|entry| crate::workspace::normalize(entry.path()))
        .take(MAX_FILES)
        .collect()
}
