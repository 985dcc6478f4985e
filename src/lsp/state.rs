//! What the server knows between messages: the open documents, one analysis
//! per group of files (see [`project`](super::project)), and what was last
//! published for each file.
//!
//! Notifications only record what changed and mark the groups it touches
//! stale. [`State::plan`] makes a [`Job`] of the stale groups (once however
//! many edits arrived meanwhile: the server plans when its queue is empty),
//! which runs without the state, on the server's analysis thread; a change
//! meanwhile cancels it. [`State::install`] takes in a job that was not
//! cancelled and says which diagnostics to publish; a cancelled one never
//! publishes. [`State::refresh`] does all three at once. A file's
//! diagnostics are the union over the groups that loaded it, published
//! under one URI ([`Documents::url_of`]); a file that had diagnostics and
//! has none now, or that no group loads any more, gets an empty list.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use lsp_types::Url;

use super::analysis::{Analysis, View};
use super::diagnostics;
use super::documents::{path_of, Documents};
use super::project::{self, GroupKey, Projects};
use crate::workspace::{ParseCache, Workspace};

/// Files analysed together, and their latest analyses.
struct Group {
    entries: Vec<PathBuf>,
    /// The latest analysis.
    current: Arc<Analysis>,
    /// The latest analysis whose checker ran (the current one, when it did).
    good: Option<Arc<Analysis>>,
    stale: bool,
}

/// Diagnostics to send: a complete list per file.
pub type Publish = Vec<(Url, Vec<lsp_types::Diagnostic>)>;

/// The server's state.
#[derive(Default)]
pub struct State {
    pub documents: Documents,
    projects: Projects,
    groups: HashMap<GroupKey, Group>,
    /// Each group's parses, kept across edits: only the edited file (and
    /// a file whose place in the load order moved) is parsed again, not the
    /// stdlib or the files the edit did not touch.
    parses: HashMap<GroupKey, ParseCache>,
    /// What each file's published list was, by path.
    published: HashMap<PathBuf, (Url, Vec<lsp_types::Diagnostic>)>,
    /// Files to publish for even when their list did not change (the editor
    /// expects an answer to opening or changing a document).
    touched: Vec<PathBuf>,
    /// Groups that evaluated no environment, already said in the log.
    unevaluated: Vec<GroupKey>,
    /// The cancel flag of the job planned and not yet installed.
    running: Option<Arc<AtomicBool>>,
}

/// A group to analyse, with its parses.
struct Pending {
    key: GroupKey,
    entries: Vec<PathBuf>,
    cache: ParseCache,
}

/// Analyses to run ([`State::plan`]), on any thread.
pub struct Job {
    documents: Documents,
    groups: Vec<Pending>,
    cancel: Arc<AtomicBool>,
}

/// A job's analyses, to give back to [`State::install`].
pub struct Finished {
    /// Each group with its analysis; `None` when cancelled before it was done.
    groups: Vec<(Pending, Option<Analysis>)>,
    cancel: Arc<AtomicBool>,
}

impl Job {
    /// Whether a change after the job was planned cancelled it.
    pub fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::SeqCst)
    }

    /// Analyse each group, stopping between groups and between the
    /// pipeline's stages once the job is cancelled.
    pub fn run(self) -> Finished {
        let Job { documents, groups, cancel } = self;
        let cancelled = || cancel.load(Ordering::SeqCst);
        let mut done = Vec::new();
        for mut pending in groups {
            let analysis = if cancelled() {
                None
            } else {
                let workspace = Workspace::load_cached(&pending.entries, &documents, &mut pending.cache);
                crate::run_pipeline_unless(workspace, &cancelled).map(Analysis::new)
            };
            done.push((pending, analysis));
        }
        Finished { groups: done, cancel }
    }
}

impl State {
    /// The editor opened or changed a document.
    pub fn set(&mut self, url: &Url, text: String) {
        if let Some(path) = path_of(url) {
            if project::declarations_differ(self.documents.text_at(&path), &text) {
                self.projects.declarations_changed();
            }
            self.documents.set(url, text);
            self.changed(&path);
        }
    }

    /// The editor closed a document: the disk's text counts again.
    pub fn close(&mut self, url: &Url) {
        self.documents.close(url);
        self.projects.declarations_changed();
        if let Some(path) = path_of(url) {
            self.changed(&path);
        }
    }

    /// Files changed on disk (`workspace/didChangeWatchedFiles`): a pull, a
    /// checkout, a file written by another program.
    pub fn disk_changed(&mut self, urls: &[Url]) {
        self.projects.disk_changed();
        for path in urls.iter().filter_map(path_of) {
            self.changed(&path);
        }
    }

    /// Mark stale every group that loaded `path` or whose root holds it,
    /// and cancel the job running: it analyses texts that are not current.
    fn changed(&mut self, path: &Path) {
        if let Some(running) = &self.running {
            running.store(true, Ordering::SeqCst);
        }
        self.touched.push(path.to_path_buf());
        for (key, group) in &mut self.groups {
            let under = matches!(key, GroupKey::Project(root) if path.starts_with(root));
            if under || group.current.file_of(path).is_some() || group.entries.iter().any(|e| e == path) {
                group.stale = true;
            }
        }
    }

    /// Whether a group must be analysed before a request is answered.
    pub fn needs_refresh(&self) -> bool {
        !self.touched.is_empty() || self.groups.values().any(|g| g.stale)
    }

    /// Re-analyse what changed, here and now; the diagnostics to publish
    /// and lines to log. The server runs the same [`Job`] on another thread.
    pub fn refresh(&mut self) -> (Publish, Vec<String>) {
        let finished = self.plan().run();
        self.install(finished).unwrap_or_default()
    }

    /// The analyses to bring the state up to date: the groups an open
    /// document needs that are stale or new, with their parse caches and a
    /// copy of the open documents, so the job runs without the state. Until
    /// the job is installed, requests are answered from the analyses there.
    pub fn plan(&mut self) -> Job {
        let wanted = self.wanted_groups();
        self.groups.retain(|key, _| wanted.contains_key(key));
        self.parses.retain(|key, _| wanted.contains_key(key));
        let mut groups = Vec::new();
        for (key, entries) in wanted {
            let fresh = self.groups.get(&key).is_some_and(|g| !g.stale && g.entries == entries);
            if !fresh {
                let cache = self.parses.remove(&key).unwrap_or_default();
                groups.push(Pending { key, entries, cache });
            }
        }
        let cancel = Arc::new(AtomicBool::new(false));
        self.running = Some(Arc::clone(&cancel));
        Job { documents: self.documents.clone(), groups, cancel }
    }

    /// Take in a finished job: its analyses and the diagnostics to publish,
    /// or `None` when a change after [`State::plan`] cancelled it (its
    /// analyses are of texts that are no longer current; the groups stay
    /// stale and the next job analyses them).
    pub fn install(&mut self, finished: Finished) -> Option<(Publish, Vec<String>)> {
        let cancelled = finished.cancel.load(Ordering::SeqCst);
        if self.running.as_ref().is_some_and(|running| Arc::ptr_eq(running, &finished.cancel)) {
            self.running = None;
        }
        let mut logs = Vec::new();
        for (pending, analysis) in finished.groups {
            let Pending { key, entries, cache } = pending;
            self.parses.insert(key.clone(), cache);
            let Some(analysis) = analysis.filter(|_| !cancelled) else { continue };
            self.install_group(key.clone(), entries, analysis);
            if let Some(line) = self.unevaluated_note(&key) {
                logs.push(line);
            }
        }
        (!cancelled).then(|| (self.diagnostics_to_publish(), logs))
    }

    /// Whether a job planned here is still out (neither installed nor dropped).
    pub fn is_running(&self) -> bool {
        self.running.is_some()
    }

    /// Whether a finished analysis of the document at `url` is there to
    /// answer a request (a document just opened has none until its first
    /// analysis is installed).
    pub fn has_analysis(&self, url: &Url) -> bool {
        path_of(url).is_some_and(|path| self.analysis_of(&path).is_some())
    }

    /// Whether a finished analysis saw the document at `url` as the editor
    /// has it now.
    pub fn has_current_analysis(&self, url: &Url) -> bool {
        self.view(url).is_some_and(|view| !view.stale)
    }

    /// Every group an open document needs, with its entry files.
    fn wanted_groups(&mut self) -> BTreeMap<GroupKey, Vec<PathBuf>> {
        let mut wanted: BTreeMap<GroupKey, Vec<PathBuf>> = BTreeMap::new();
        for path in self.documents.paths() {
            let (key, root) = self.projects.group_of(&path, &self.documents);
            let entries = wanted.entry(key).or_default();
            if entries.is_empty() {
                if let Some(root) = root {
                    entries.extend(self.projects.environment_files(&root, &self.documents));
                }
            }
            if !entries.contains(&path) {
                entries.push(path);
            }
        }
        wanted
    }

    fn install_group(&mut self, key: GroupKey, entries: Vec<PathBuf>, analysis: Analysis) {
        let current = Arc::new(analysis);
        let previous = self.groups.remove(&key).and_then(|g| g.good);
        let good = if current.checked { Some(Arc::clone(&current)) } else { previous };
        self.groups.insert(key, Group { entries, current, good, stale: false });
    }

    /// A log line when a project group evaluated no environment (its
    /// settings and ranges were not checked against any), said once until
    /// one is evaluated again.
    fn unevaluated_note(&mut self, key: &GroupKey) -> Option<String> {
        let group = self.groups.get(key)?;
        let report = &group.current.report;
        let evaluated = !crate::entry_environments(&report.workspace, &report.checked).is_empty();
        if evaluated || !group.current.checked || report.errors() > 0 {
            self.unevaluated.retain(|k| k != key);
            return None;
        }
        if self.unevaluated.contains(key) {
            return None;
        }
        self.unevaluated.push(key.clone());
        let folder = match key {
            GroupKey::Project(root) => format!("under {}", root.display()),
            GroupKey::Alone(path) => format!("for {}", path.display()),
        };
        Some(format!(
            "no environment was evaluated {folder}: no file declares one, so settings and ranges \
             were checked only as declared"
        ))
    }

    /// The lists that changed, the touched files' lists, and empty lists
    /// for files that had diagnostics and are no longer analysed.
    fn diagnostics_to_publish(&mut self) -> Publish {
        let mut lists: BTreeMap<PathBuf, Vec<lsp_types::Diagnostic>> = BTreeMap::new();
        for group in self.groups.values() {
            for (path, found) in diagnostics::of_analysis(&group.current, &self.documents) {
                let list = lists.entry(path).or_default();
                for diagnostic in found {
                    if !list.contains(&diagnostic) {
                        list.push(diagnostic);
                    }
                }
            }
        }
        for path in self.published.keys() {
            lists.entry(path.clone()).or_default();
        }
        // A touched file is answered even when its list did not change:
        // opened, changed, or closed (then cleared unless a group still loads it).
        let touched = std::mem::take(&mut self.touched);
        for path in &touched {
            lists.entry(path.clone()).or_default();
        }
        let mut publish = Vec::new();
        for (path, list) in lists {
            let Some(url) = self.documents.url_of(&path) else { continue };
            let before = self.published.get(&path);
            let unchanged = match before {
                Some((u, l)) => *u == url && *l == list,
                None => list.is_empty(),
            };
            if unchanged && !touched.contains(&path) {
                continue;
            }
            if let Some((old_url, _)) = before.filter(|(u, _)| *u != url) {
                publish.push((old_url.clone(), Vec::new()));
            }
            if list.is_empty() {
                self.published.remove(&path);
            } else {
                self.published.insert(path.clone(), (url.clone(), list.clone()));
            }
            publish.push((url, list));
        }
        publish
    }

    /// The document at `url` as the latest analysis that checked it sees it.
    pub fn view(&self, url: &Url) -> Option<View<'_>> {
        let path = path_of(url)?;
        let text = self.documents.text_at(&path)?;
        let analysis = self.analysis_of(&path)?;
        View::new(analysis, &path, text)
    }

    /// The document at `url` as the latest analysis sees it, whether or not
    /// the file parsed: what parsed is resolved, the broken item is not.
    pub fn current_view(&self, url: &Url) -> Option<View<'_>> {
        let path = path_of(url)?;
        let text = self.documents.text_at(&path)?;
        let group = self.groups.values().find(|g| g.current.file_of(&path).is_some())?;
        View::new(&group.current, &path, text)
    }

    /// The latest analysis of `path` that checked, else the latest one.
    fn analysis_of(&self, path: &Path) -> Option<&Arc<Analysis>> {
        let mut groups = self.groups.values().filter(|g| g.current.file_of(path).is_some());
        let group = groups.next()?;
        Some(group.good.as_ref().filter(|good| good.file_of(path).is_some()).unwrap_or(&group.current))
    }

    /// Every latest analysis, for requests about the whole workspace.
    pub fn analyses(&self) -> impl Iterator<Item = &Arc<Analysis>> {
        self.groups.values().map(|g| g.good.as_ref().unwrap_or(&g.current))
    }
}
