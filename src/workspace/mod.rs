//! Loading: from the paths a user names to every parsed module they reach.
//!
//! A [`Workspace`] holds the source of every file, its AST, and how its imports
//! resolved. Reading goes through [`FileSystem`], so the library does no I/O of
//! its own and tests run in memory. Problems found while loading (unreadable
//! files, syntax errors, missing imports, import cycles) are diagnostics, never
//! panics; a file that fails to parse still takes part with what could be read.
//!
//! What may be read (`files`, `root`): only regular `.mdl` files within a size
//! limit, and a spec import only inside the named file's project root. An
//! import refused for either reason is a diagnostic at the import that says
//! nothing of the file it names.

mod files;
mod root;

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

pub use files::{read_spec_file, DiskFileSystem, FileSystem, MemoryFileSystem, ReadError, MAX_FILE_BYTES};
pub use root::{Containment, Root, RootFinder};

use crate::diag::{self, Code, Diagnostic};
use crate::source::{FileId, Sources, Span};
use crate::stdlib;
use crate::syntax::{self, ast};

/// Index of a module in [`Workspace::modules`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ModuleId(pub usize);

/// Where a module came from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ModuleOrigin {
    /// A spec file on disk (normalized path).
    Spec(PathBuf),
    /// A stdlib module by import path (`std/aws/ecs`).
    Std(String),
}

/// One parsed file and how its imports resolved.
#[derive(Debug, Clone)]
pub struct Module {
    pub file: FileId,
    pub origin: ModuleOrigin,
    pub ast: ast::File,
    /// Spec files this one imports, each with the span of its import.
    pub includes: Vec<(ModuleId, Span)>,
    /// Stdlib modules this one binds by name (`ecs` → `std/aws/ecs`).
    pub namespaces: Vec<(ast::Name, ModuleId)>,
}

/// Every module reachable from the entry files, parsed.
#[derive(Debug, Default)]
pub struct Workspace {
    pub sources: Sources,
    pub modules: Vec<Module>,
    /// The files the user named, in order.
    pub entries: Vec<ModuleId>,
    /// The prelude, visible everywhere.
    pub prelude: Option<ModuleId>,
    /// The project root of each named file, in the order named.
    pub roots: Vec<Root>,
    /// Problems found while loading and parsing.
    pub diagnostics: Vec<Diagnostic>,
}

impl Workspace {
    /// Load `entries` and everything they import. Each named file's spec
    /// imports stay inside its project root, found as [`root`] describes.
    pub fn load(entries: &[PathBuf], fs: &dyn FileSystem) -> Workspace {
        Workspace::load_with_root(entries, fs, None, None)
    }

    /// [`Workspace::load`], taking the parse of a file from `cache` when it
    /// was parsed before with the same id and text (the language server
    /// re-loads the same files on every edit; only the edited one changed).
    pub fn load_cached(entries: &[PathBuf], fs: &dyn FileSystem, cache: &mut ParseCache) -> Workspace {
        Workspace::load_with_root(entries, fs, None, Some(cache))
    }

    /// [`Workspace::load`] with every spec import confined to `root` instead
    /// (`--root DIR`).
    pub fn load_under(root: &Path, entries: &[PathBuf], fs: &dyn FileSystem) -> Workspace {
        Workspace::load_with_root(entries, fs, Some(root), None)
    }

    fn load_with_root(
        entries: &[PathBuf],
        fs: &dyn FileSystem,
        root: Option<&Path>,
        cache: Option<&mut ParseCache>,
    ) -> Workspace {
        let given = root.map(|dir| Root::given(dir, fs));
        let mut cache = cache;
        let (roots, root_trees) = {
            let mut finder = match cache.as_deref_mut() {
                Some(cache) => RootFinder::with_parses(fs, &mut cache.roots),
                None => RootFinder::new(fs),
            };
            let roots: Vec<Root> =
                entries.iter().map(|entry| given.clone().unwrap_or_else(|| finder.root_of(entry))).collect();
            (roots, finder.into_trees())
        };
        let mut loader = Loader {
            fs,
            workspace: Workspace::default(),
            by_origin: HashMap::new(),
            loading: Vec::new(),
            root: None,
            cache,
            root_trees,
        };
        loader.workspace.prelude = loader.load_std(stdlib::PRELUDE, None);
        for (entry, root) in entries.iter().zip(roots) {
            loader.workspace.roots.push(root.clone());
            loader.root = Some(root);
            let origin = ModuleOrigin::Spec(normalize(entry));
            if let Some(id) = loader.load(origin, entry.display().to_string(), None) {
                if !loader.workspace.entries.contains(&id) {
                    loader.workspace.entries.push(id);
                }
            }
        }
        loader.workspace
    }

    /// Load in-memory files as spec entries: `(path, text)` pairs.
    pub fn from_memory(files: &[(&str, &str)]) -> Workspace {
        let fs = MemoryFileSystem {
            files: files.iter().map(|(p, t)| (normalize(Path::new(p)), (*t).to_string())).collect(),
        };
        let entries: Vec<PathBuf> = files.iter().map(|(p, _)| PathBuf::from(p)).collect();
        Workspace::load(&entries, &fs)
    }

    /// The module behind an id.
    pub fn module(&self, id: ModuleId) -> &Module {
        &self.modules[id.0]
    }

    /// All modules with their ids.
    pub fn iter_modules(&self) -> impl Iterator<Item = (ModuleId, &Module)> {
        self.modules.iter().enumerate().map(|(i, m)| (ModuleId(i), m))
    }

    /// The module parsed from `file`.
    pub fn module_of_file(&self, file: FileId) -> Option<ModuleId> {
        self.modules.iter().position(|m| m.file == file).map(ModuleId)
    }
}

/// What a module's imports resolved to: included spec files, bound stdlib modules.
type Imports = (Vec<(ModuleId, Span)>, Vec<(ast::Name, ModuleId)>);

/// Parses kept between loads, by file id and text: the spans of a parse
/// name its file id, so a parse is reused only under the same id. A file
/// whose text changed is re-parsed item by item ([`syntax::ItemParses`]):
/// only the items the edit touched are parsed again.
#[derive(Default)]
pub struct ParseCache {
    parsed: HashMap<FileId, (String, syntax::Parsed)>,
    items: HashMap<FileId, syntax::ItemParses>,
    /// The parses that find each named file's root, by path.
    roots: HashMap<PathBuf, syntax::ItemParses>,
}

impl ParseCache {
    /// The parse of `text` as file `file`, from the cache or fresh.
    fn parse(&mut self, file: FileId, text: &str) -> syntax::Parsed {
        if let Some((cached, parsed)) = self.parsed.get(&file) {
            if cached == text {
                return parsed.clone();
            }
        }
        let parsed = self.items.entry(file).or_default().parse(file, text);
        self.parsed.insert(file, (text.to_string(), parsed.clone()));
        parsed
    }
}

struct Loader<'fs> {
    cache: Option<&'fs mut ParseCache>,
    fs: &'fs dyn FileSystem,
    workspace: Workspace,
    by_origin: HashMap<ModuleOrigin, ModuleId>,
    /// Modules being loaded, innermost last: an import of one of these is a cycle.
    loading: Vec<(ModuleOrigin, Option<Span>)>,
    /// The root of the named file being loaded: its spec imports stay inside.
    root: Option<Root>,
    /// The trees the root search parsed, by text ([`RootFinder::into_trees`]).
    root_trees: HashMap<String, ast::File>,
}

impl Loader<'_> {
    /// Load a module once; `import_span` is where it was imported from.
    fn load(
        &mut self,
        origin: ModuleOrigin,
        display_name: String,
        import_span: Option<Span>,
    ) -> Option<ModuleId> {
        if let Some(&id) = self.by_origin.get(&origin) {
            return Some(id);
        }
        if let Some(position) = self.loading.iter().position(|(o, _)| *o == origin) {
            self.report_cycle(position, import_span);
            return None;
        }
        let text = self.read(&origin, &display_name, import_span)?;
        let path = match &origin {
            ModuleOrigin::Spec(path) => Some(path.clone()),
            ModuleOrigin::Std(_) => None,
        };
        let file = self.workspace.sources.add(display_name, path, text);
        let ast = self.parse(&origin, file);

        self.loading.push((origin.clone(), import_span));
        let (includes, namespaces) = self.load_imports(&origin, &ast);
        self.loading.pop();

        let id = ModuleId(self.workspace.modules.len());
        self.workspace.modules.push(Module { file, origin: origin.clone(), ast, includes, namespaces });
        self.by_origin.insert(origin, id);
        Some(id)
    }

    /// The tree of `file`: a stdlib module's from the embedded parse when it
    /// was made from this text ([`stdlib::cache`]), a spec's from the root
    /// search when it parsed this text, else parsed, through the cache when
    /// there is one. The parse's diagnostics join the workspace's.
    fn parse(&mut self, origin: &ModuleOrigin, file: FileId) -> ast::File {
        if let ModuleOrigin::Std(path) = origin {
            if let Some(tree) = stdlib::cache::parsed(path, file) {
                return tree;
            }
        }
        let text = self.workspace.sources.get(file).map_or("", |f| f.text.as_str());
        if let Some(mut tree) = self.root_trees.remove(text) {
            syntax::move_to_file(&mut tree, file);
            return tree;
        }
        let syntax::Parsed { file: ast, mut diagnostics } = match self.cache.as_deref_mut() {
            Some(cache) => cache.parse(file, text),
            None => syntax::parse(file, text),
        };
        self.workspace.diagnostics.append(&mut diagnostics);
        ast
    }

    fn load_std(&mut self, path: &str, import_span: Option<Span>) -> Option<ModuleId> {
        self.load(ModuleOrigin::Std(path.to_string()), format!("{path}.mdl"), import_span)
    }

    fn load_imports(&mut self, origin: &ModuleOrigin, file: &ast::File) -> Imports {
        let mut includes = Vec::new();
        let mut namespaces = Vec::new();
        for item in &file.items {
            let ast::ItemKind::Import(import) = &item.kind else { continue };
            match import {
                ast::Import::File { path, span } => {
                    if let Some(id) = self.load_spec_import(origin, path, *span) {
                        includes.push((id, *span));
                    }
                }
                ast::Import::Modules(paths) => {
                    for module in paths {
                        if let Some(id) = self.load_std(&module.joined(), Some(module.span)) {
                            namespaces.push((module.binding.clone(), id));
                        }
                    }
                }
            }
        }
        (includes, namespaces)
    }

    fn load_spec_import(&mut self, origin: &ModuleOrigin, path: &str, span: Span) -> Option<ModuleId> {
        let ModuleOrigin::Spec(importer) = origin else {
            self.workspace.diagnostics.push(
                Diagnostic::new(
                    Code::ImportNotFound,
                    "the stdlib imports only stdlib modules",
                    span,
                    "a file import inside the stdlib",
                )
                .with_help("write `import std/...`"),
            );
            return None;
        };
        let base = importer.parent().unwrap_or(Path::new(""));
        let target = normalize(&base.join(path));
        let display = display_path(&target);
        if !target.extension().is_some_and(|e| e == "mdl") {
            let message = format!("cannot import `{display}`: only `.mdl` spec files can be imported");
            self.refuse(
                Code::ImportNotSpec,
                message,
                span,
                "import `.mdl` files of the project, or `std/...` modules",
            );
            return None;
        }
        let root = self.root.clone()?;
        if root.contains(&target, self.fs) == Containment::Outside {
            let message =
                format!("cannot import `{display}`: it is outside the project root `{}`", root.display());
            let help = "imports stay inside the project root (the folder of the file that declares `project`) \
                        and the stdlib: move the file into the project, or name another root with `--root DIR`";
            self.refuse(Code::ImportOutsideRoot, message, span, help);
            return None;
        }
        self.load(ModuleOrigin::Spec(target), display, Some(span))
    }

    /// An import mdl will not follow: located at the import, saying nothing of the file.
    fn refuse(&mut self, code: Code, message: String, span: Span, help: &str) {
        self.workspace
            .diagnostics
            .push(Diagnostic::new(code, message, span, "imported here").with_help(help));
    }

    fn read(
        &mut self,
        origin: &ModuleOrigin,
        display_name: &str,
        import_span: Option<Span>,
    ) -> Option<String> {
        let bytes = match origin {
            ModuleOrigin::Std(path) => match stdlib::module(path) {
                Some(text) => return Some(text.to_string()),
                None => {
                    self.report_missing_std(path, import_span);
                    return None;
                }
            },
            ModuleOrigin::Spec(path) => self.fs.read(path),
        };
        match bytes {
            Ok(bytes) => self.decode(bytes, display_name, import_span),
            Err(error) => {
                self.report_unreadable(display_name, &error, import_span);
                None
            }
        }
    }

    /// UTF-8 text, or a diagnostic pointing at the first bad byte.
    fn decode(&mut self, bytes: Vec<u8>, display_name: &str, import_span: Option<Span>) -> Option<String> {
        match String::from_utf8(bytes) {
            Ok(text) if !text.contains('\0') => Some(text),
            Ok(text) => {
                let offset = text.find('\0').unwrap_or(0);
                self.report_binary(
                    display_name,
                    offset,
                    "contains a NUL byte: it looks like a binary file",
                    import_span,
                );
                None
            }
            Err(error) => {
                let offset = error.utf8_error().valid_up_to();
                self.report_binary(display_name, offset, "is not valid UTF-8", import_span);
                None
            }
        }
    }

    fn report_binary(&mut self, display_name: &str, offset: usize, what: &str, import_span: Option<Span>) {
        let message = format!("`{display_name}` {what} (byte {offset})");
        let diagnostic = match import_span {
            Some(span) => Diagnostic::new(Code::UnreadableFile, message, span, "imported here"),
            None => self.file_level(Code::UnreadableFile, message, display_name),
        };
        self.workspace
            .diagnostics
            .push(diagnostic.with_help("mdl reads UTF-8 text files; save the file as UTF-8"));
    }

    fn report_unreadable(&mut self, display_name: &str, error: &ReadError, import_span: Option<Span>) {
        let diagnostic = match (import_span, error) {
            (Some(span), ReadError::Io(_)) => {
                let message = format!("cannot import `{display_name}`: {error}");
                Diagnostic::new(Code::ImportNotFound, message, span, "imported here")
                    .with_help("import paths are relative to the importing file")
            }
            (Some(span), ReadError::NotAFile(_) | ReadError::TooLarge) => {
                let message = format!("cannot import `{display_name}`: {error}");
                Diagnostic::new(Code::ImportNotSpec, message, span, "imported here")
                    .with_help("import `.mdl` files of the project, or `std/...` modules")
            }
            (None, _) => {
                let message = format!("cannot read `{display_name}`: {error}");
                self.file_level(Code::UnreadableFile, message, display_name)
            }
        };
        self.workspace.diagnostics.push(diagnostic);
    }

    fn report_missing_std(&mut self, path: &str, import_span: Option<Span>) {
        let message = format!("there is no stdlib module `{path}`");
        let help = diag::did_you_mean(path, stdlib::module_paths())
            .map(|c| format!("did you mean `{c}`?"))
            .unwrap_or_else(|| {
                format!("stdlib modules: {}", stdlib::module_paths().collect::<Vec<_>>().join(", "))
            });
        let span = import_span.unwrap_or_default();
        self.workspace
            .diagnostics
            .push(Diagnostic::new(Code::ImportNotFound, message, span, "imported here").with_help(help));
    }

    fn report_cycle(&mut self, position: usize, import_span: Option<Span>) {
        let chain: Vec<String> = self.loading[position..].iter().map(|(o, _)| origin_name(o)).collect();
        let message = format!("import cycle: {} → {}", chain.join(" → "), chain[0]);
        let mut diagnostic = Diagnostic::new(
            Code::ImportCycle,
            message,
            import_span.unwrap_or_default(),
            "this import closes the cycle",
        )
        .with_help("move what both files need into a third file that both import");
        for (_, span) in self.loading[position + 1..].iter() {
            if let Some(span) = span {
                diagnostic = diagnostic.with_label(*span, "imported here");
            }
        }
        self.workspace.diagnostics.push(diagnostic);
    }

    /// A diagnostic about a whole file that could not be loaded: it gets an
    /// empty source entry so the diagnostic has somewhere to point.
    fn file_level(&mut self, code: Code, message: String, display_name: &str) -> Diagnostic {
        let file = self.workspace.sources.add(display_name.to_string(), None, String::new());
        Diagnostic::new(code, message, Span::new(file, 0, 0), "")
    }
}

fn origin_name(origin: &ModuleOrigin) -> String {
    match origin {
        ModuleOrigin::Spec(path) => display_path(path),
        ModuleOrigin::Std(path) => path.clone(),
    }
}

/// Resolve `.` and `..` without touching the disk, so one file imported by two
/// paths is loaded once.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                let at_root_or_above =
                    matches!(out.components().next_back(), None | Some(Component::ParentDir));
                if at_root_or_above || !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

fn display_path(path: &Path) -> String {
    path.display().to_string()
}
