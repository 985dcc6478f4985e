//! The project root: the one folder a named spec file's imports may read from.
//!
//! A spec from a pull request must not make `mdl check` read, let alone print,
//! files elsewhere on the machine (`import "../../../home/.aws/credentials"`).
//! So a spec import resolves only inside the project root, found before any
//! import is followed:
//!
//! 1. `--root DIR` when given;
//! 2. otherwise, from the named file's folder upward, the nearest folder
//!    holding a `.mdl` file that declares `project`. The search reads only
//!    the `.mdl` files of each folder it passes (regular files within the size
//!    limit, through the same [`FileSystem`]) and prints nothing of them; it
//!    stops at the top of a repository (a folder holding `.git`) or of the
//!    file system;
//! 3. otherwise the named file's own folder.
//!
//! Whether an import is inside is decided on real paths (symbolic links
//! resolved), so a link inside the root to a file outside it is outside.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

use super::files::FileSystem;
use super::normalize;
use crate::source::FileId;
use crate::syntax::{self, ast, ast::ItemKind};

/// The folder a spec's imports stay in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Root {
    /// As the user would write it: relative to where the named path is
    /// relative to (`specs`, `.`), for messages.
    pub shown: PathBuf,
    /// On disk, every link resolved: what imports are compared with.
    pub real: PathBuf,
}

impl Root {
    /// The root a user named (`--root DIR`).
    pub fn given(dir: &Path, fs: &dyn FileSystem) -> Root {
        let shown = normalize(dir);
        let real = fs.canonicalize(&shown).unwrap_or_else(|_| shown.clone());
        Root { shown, real }
    }

    /// `shown`, as a user reads it (`.` for the current folder).
    pub fn display(&self) -> String {
        if self.shown.as_os_str().is_empty() {
            ".".to_string()
        } else {
            self.shown.display().to_string()
        }
    }

    /// Whether `path` (normalized, as the loader names files) lies inside the
    /// root: on disk when it exists, otherwise by how it is written.
    pub fn contains(&self, path: &Path, fs: &dyn FileSystem) -> Containment {
        match fs.canonicalize(path) {
            Ok(real) if real.starts_with(&self.real) => Containment::Inside,
            Ok(_) => Containment::Outside,
            // A missing file inside the root is "not found"; outside, it is
            // refused whether or not it exists, so a refusal tells nothing of
            // what is on the machine.
            Err(_) if lexically_within(path, &self.shown) => Containment::Missing,
            Err(_) => Containment::Outside,
        }
    }
}

/// Where an import's target is, relative to the root.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Containment {
    Inside,
    Outside,
    /// Written inside the root, but not there.
    Missing,
}

/// `path` written under `folder`, without climbing out of it with `..`.
fn lexically_within(path: &Path, folder: &Path) -> bool {
    path.strip_prefix(folder).is_ok_and(|rest| !rest.components().any(|c| c == Component::ParentDir))
}

/// Finds the root of each named file, remembering what it learnt of each folder.
pub struct RootFinder<'fs> {
    fs: &'fs dyn FileSystem,
    /// Real folder → whether one of its `.mdl` files declares `project`.
    declares: HashMap<PathBuf, bool>,
    /// Item parses kept between loads, by path (see [`RootFinder::with_parses`]).
    parses: Option<&'fs mut HashMap<PathBuf, syntax::ItemParses>>,
    /// Without kept parses: the trees of the files parsed whole with no
    /// diagnostic, by text ([`RootFinder::into_trees`]).
    trees: HashMap<String, ast::File>,
}

impl<'fs> RootFinder<'fs> {
    /// A finder reading through `fs`.
    pub fn new(fs: &'fs dyn FileSystem) -> Self {
        RootFinder { fs, declares: HashMap::new(), parses: None, trees: HashMap::new() }
    }

    /// A finder that parses a file through `parses`, kept between loads:
    /// the file that declares `project` is often the one being edited, and
    /// only its items the edit touched are parsed again.
    pub fn with_parses(
        fs: &'fs dyn FileSystem,
        parses: &'fs mut HashMap<PathBuf, syntax::ItemParses>,
    ) -> Self {
        RootFinder { fs, declares: HashMap::new(), parses: Some(parses), trees: HashMap::new() }
    }

    /// The root of the named spec file `entry` (rules 2 and 3 of the module doc).
    pub fn root_of(&mut self, entry: &Path) -> Root {
        let folder = normalize(entry).parent().map(Path::to_path_buf).unwrap_or_default();
        let real = self.fs.canonicalize(&folder).unwrap_or_else(|_| folder.clone());
        let (mut shown, mut candidate) = (folder.clone(), real.clone());
        loop {
            if self.declares_project(&candidate) {
                return Root { shown, real: candidate };
            }
            if self.fs.is_repository_top(&candidate) {
                break;
            }
            match candidate.parent() {
                Some(parent) => {
                    candidate = parent.to_path_buf();
                    shown = normalize(&shown.join(".."));
                }
                None => break,
            }
        }
        Root { shown: folder, real }
    }

    /// The trees of the files the search parsed whole with no diagnostic, by
    /// text, with their spans in file 0: the file that declares `project` is
    /// usually loaded next, and its text need not be parsed twice.
    pub fn into_trees(self) -> HashMap<String, ast::File> {
        self.trees
    }

    fn declares_project(&mut self, dir: &Path) -> bool {
        if let Some(&known) = self.declares.get(dir) {
            return known;
        }
        let found = self.fs.mdl_files(dir).iter().any(|file| self.file_declares_project(file));
        self.declares.insert(dir.to_path_buf(), found);
        found
    }

    /// Whether the file parses to a `project` declaration; only files with a
    /// line starting with `project` are parsed.
    fn file_declares_project(&mut self, file: &Path) -> bool {
        let Ok(bytes) = self.fs.read(file) else { return false };
        let Ok(text) = String::from_utf8(bytes) else { return false };
        let mentions = text.lines().any(|line| {
            line.trim_start().strip_prefix("project").is_some_and(|rest| rest.starts_with([' ', '\t']))
        });
        let is_project = |item: &syntax::ast::Item| matches!(item.kind, ItemKind::Project(_));
        mentions
            && match self.parses.as_deref_mut() {
                Some(parses) => {
                    parses.entry(file.to_path_buf()).or_default().any_item(FileId(0), &text, is_project)
                }
                None => {
                    let parsed = syntax::parse(FileId(0), &text);
                    let declares = parsed.file.items.iter().any(is_project);
                    if parsed.diagnostics.is_empty() {
                        self.trees.insert(text, parsed.file);
                    }
                    declares
                }
            }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspace::MemoryFileSystem;

    fn fs(files: &[&str]) -> MemoryFileSystem {
        let project = "project p {\n  environments { dev }\n}\n";
        MemoryFileSystem {
            files: files
                .iter()
                .map(|f| {
                    let text = if f.ends_with("project.mdl") { project } else { "layer l {}\n" };
                    (PathBuf::from(f), text.to_string())
                })
                .collect(),
        }
    }

    #[test]
    fn kept_parses_find_the_same_root_as_the_text_changes() {
        let mut fs = fs(&["infra/project.mdl", "infra/envs/dev.mdl"]);
        let mut parses = HashMap::new();
        let dev = Path::new("infra/envs/dev.mdl");
        let root_of = |fs: &MemoryFileSystem, parses: &mut HashMap<PathBuf, syntax::ItemParses>| {
            RootFinder::with_parses(fs, parses).root_of(dev).shown
        };
        assert_eq!(root_of(&fs, &mut parses), PathBuf::from("infra"));
        let project = PathBuf::from("infra/project.mdl");
        // The project declaration broken, then gone, then back: the kept
        // parses answer as a fresh parse does.
        let texts = [
            "project p {\n  environments { dev \n",
            "layer l {}\n",
            "project q {\n  environments { dev }\n}\n",
        ];
        for (text, expected) in texts.iter().zip(["infra/envs", "infra/envs", "infra"]) {
            fs.files.insert(project.clone(), (*text).to_string());
            assert_eq!(root_of(&fs, &mut parses), PathBuf::from(expected), "{text}");
            assert_eq!(RootFinder::new(&fs).root_of(dev).shown, PathBuf::from(expected));
        }
    }

    #[test]
    fn a_file_the_root_search_parsed_is_loaded_as_a_fresh_parse_would_be() {
        let mut fs = fs(&["infra/project.mdl"]);
        fs.files
            .insert(PathBuf::from("infra/envs/dev.mdl"), "import \"../project.mdl\"\nlayer l {}\n".into());
        let workspace = crate::workspace::Workspace::load(&[PathBuf::from("infra/envs/dev.mdl")], &fs);
        assert!(workspace.diagnostics.is_empty(), "{:?}", workspace.diagnostics);
        let project = workspace.sources.find_name("infra/project.mdl").expect("project.mdl loaded");
        assert_ne!(project, FileId(0), "the root search parsed it as file 0");
        for (_, module) in workspace.iter_modules() {
            let text = &workspace.sources.get(module.file).expect("the module's source").text;
            let fresh = syntax::parse(module.file, text).file;
            assert_eq!(format!("{:?}", module.ast), format!("{fresh:?}"));
        }
    }

    #[test]
    fn the_root_is_the_nearest_folder_declaring_the_project() {
        let fs = fs(&["infra/project.mdl", "infra/envs/dev.mdl", "infra/envs/prod.mdl"]);
        let root = RootFinder::new(&fs).root_of(Path::new("infra/envs/dev.mdl"));
        assert_eq!(root.shown, PathBuf::from("infra"));
        assert_eq!(root.display(), "infra");
        let root = RootFinder::new(&fs).root_of(Path::new("infra/project.mdl"));
        assert_eq!(root.shown, PathBuf::from("infra"));
    }

    #[test]
    fn without_a_project_the_root_is_the_named_files_folder() {
        let fs = fs(&["a/b/dev.mdl", "a/other.mdl"]);
        let root = RootFinder::new(&fs).root_of(Path::new("a/b/dev.mdl"));
        assert_eq!(root.shown, PathBuf::from("a/b"));
        let root = RootFinder::new(&fs).root_of(Path::new("dev.mdl"));
        assert_eq!(root.display(), ".");
    }

    #[test]
    fn a_commented_out_project_does_not_count() {
        let mut fs = fs(&["a/b/dev.mdl"]);
        fs.files.insert(PathBuf::from("a/x.mdl"), "// project p {\n/* project q { } */\n".into());
        assert_eq!(RootFinder::new(&fs).root_of(Path::new("a/b/dev.mdl")).shown, PathBuf::from("a/b"));
    }

    #[test]
    fn containment_is_decided_on_the_written_path_when_the_file_is_missing() {
        let fs = fs(&["infra/project.mdl", "infra/envs/dev.mdl", "secrets/key.mdl"]);
        let root = RootFinder::new(&fs).root_of(Path::new("infra/envs/dev.mdl"));
        assert_eq!(root.contains(Path::new("infra/envs/prod.mdl"), &fs), Containment::Missing);
        assert_eq!(root.contains(Path::new("infra/project.mdl"), &fs), Containment::Inside);
        assert_eq!(root.contains(Path::new("secrets/key.mdl"), &fs), Containment::Outside);
        assert_eq!(root.contains(Path::new("secrets/none.mdl"), &fs), Containment::Outside);
        assert_eq!(root.contains(Path::new("../x.mdl"), &fs), Containment::Outside);
    }
}
