//! Sessions of open, change, close and watched-file events, in-process: after
//! each step, what the editor shows (the last list published per URI) is
//! exactly what the files say, never a stale list, and one file is never
//! shown under two URIs.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use lsp_types::Url;
use mdl::lsp::state::State;

const PLATFORM: &str = "project shop {
  environments { dev }
  settings {
    workers: int
  }
}

construct pool {
  size: int in 1..5
  resource \"AWS::SQS::Queue\" q { DelaySeconds = size }
}

layer app {
  jobs = pool { size = env.workers }
}
";

const DEV: &str = "import \"./platform.mdl\"\nenvironment dev { region = us_east_1, workers = 3 }\n";

/// An editor: what it was last told for each URI.
struct Editor {
    state: State,
    shown: BTreeMap<Url, Vec<lsp_types::Diagnostic>>,
    logs: Vec<String>,
}

impl Editor {
    fn new() -> Editor {
        Editor { state: State::default(), shown: BTreeMap::new(), logs: Vec::new() }
    }

    fn sync(&mut self) {
        let (published, logs) = self.state.refresh();
        for (url, list) in published {
            self.shown.insert(url, list);
        }
        self.logs.extend(logs);
    }

    fn open(&mut self, url: &Url, text: &str) {
        self.state.set(url, text.to_string());
        self.sync();
    }

    fn close(&mut self, url: &Url) {
        self.state.close(url);
        self.sync();
    }

    fn watched(&mut self, urls: &[Url]) {
        self.state.disk_changed(urls);
        self.sync();
    }

    /// The codes shown for each URI that shows any.
    fn showing(&self) -> Vec<(String, Vec<String>)> {
        self.shown
            .iter()
            .filter(|(_, list)| !list.is_empty())
            .map(|(url, list)| {
                let name = url.path().rsplit('/').next().unwrap_or("").to_string();
                let codes = list
                    .iter()
                    .map(|d| match &d.code {
                        Some(lsp_types::NumberOrString::String(code)) => code.clone(),
                        _ => String::new(),
                    })
                    .collect();
                (name, codes)
            })
            .collect()
    }
}

/// A project folder whose name needs percent-encoding.
fn project(name: &str) -> PathBuf {
    let dir = std::env::temp_dir()
        .join(format!("mdl-lsp-session-{}-{name}", std::process::id()))
        .join("my specs@1");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::write(dir.join("platform.mdl"), PLATFORM).expect("write");
    std::fs::write(dir.join("dev.mdl"), DEV).expect("write");
    dir
}

fn url(path: &Path) -> Url {
    Url::from_file_path(path).expect("absolute")
}

/// The URL an editor that encodes `@` would send for the same file.
fn encoded(path: &Path) -> Url {
    Url::parse(&url(path).as_str().replace('@', "%40")).expect("url")
}

fn shown(entries: &[(&str, &[&str])]) -> Vec<(String, Vec<String>)> {
    entries.iter().map(|(n, codes)| (n.to_string(), codes.iter().map(|c| c.to_string()).collect())).collect()
}

#[test]
fn the_platform_alone_is_evaluated_with_the_environments_of_its_project() {
    let dir = project("alone");
    let mut editor = Editor::new();
    let platform = encoded(&dir.join("platform.mdl"));
    editor.open(&platform, PLATFORM);
    assert_eq!(editor.showing(), shown(&[]), "dev sets 3 workers: in range");

    // Only platform.mdl is open: dev.mdl, found under the project root, is evaluated with it.
    editor.open(&platform, &PLATFORM.replace("in 1..5", "in 1..2"));
    assert_eq!(editor.showing(), shown(&[("dev.mdl", &["E0401"])]));
    // dev.mdl's diagnostics are under its file URL; platform.mdl's under the editor's.
    assert!(editor.shown.keys().all(|u| u.path().contains("%40") || u.as_str().contains('@')));

    editor.open(&platform, PLATFORM);
    assert_eq!(editor.showing(), shown(&[]), "fixed: the environment's error is cleared");
    let _ = std::fs::remove_dir_all(dir.parent().expect("parent"));
}

#[test]
fn a_project_without_environments_says_so_in_the_log() {
    let dir = project("noenv");
    std::fs::remove_file(dir.join("dev.mdl")).expect("remove");
    let mut editor = Editor::new();
    editor.open(&url(&dir.join("platform.mdl")), PLATFORM);
    assert_eq!(editor.showing(), shown(&[]));
    assert_eq!(editor.logs.len(), 1, "{:?}", editor.logs);
    assert!(editor.logs[0].contains("no environment was evaluated"), "{:?}", editor.logs);
    let _ = std::fs::remove_dir_all(dir.parent().expect("parent"));
}

#[test]
fn closing_clears_unless_an_open_document_still_analyses_the_file() {
    let dir = project("close");
    let mut editor = Editor::new();
    let (platform, dev) = (url(&dir.join("platform.mdl")), url(&dir.join("dev.mdl")));
    editor.open(&dev, DEV);
    editor.open(&platform, &PLATFORM.replace("size = env.workers", "size = env.wrkers"));
    assert_eq!(editor.showing(), shown(&[("platform.mdl", &["E0202"])]));

    // dev.mdl still imports the unsaved platform? No: closed, the disk's text counts again.
    editor.close(&platform);
    assert_eq!(editor.showing(), shown(&[]), "the disk's platform.mdl is valid");

    // An error on disk in a closed imported file shows while dev.mdl is open...
    std::fs::write(dir.join("platform.mdl"), PLATFORM.replace("size = env.workers", "size = env.wrkers"))
        .expect("write");
    editor.watched(std::slice::from_ref(&platform));
    assert_eq!(editor.showing(), shown(&[("platform.mdl", &["E0202"])]));
    // ... is cleared once fixed on disk (a `git pull`)...
    std::fs::write(dir.join("platform.mdl"), PLATFORM).expect("write");
    editor.watched(std::slice::from_ref(&platform));
    assert_eq!(editor.showing(), shown(&[]));

    // ... and when the last document of the project closes, nothing is left.
    std::fs::write(dir.join("platform.mdl"), PLATFORM.replace("size = env.workers", "size = env.wrkers"))
        .expect("write");
    editor.watched(std::slice::from_ref(&platform));
    assert_eq!(editor.showing(), shown(&[("platform.mdl", &["E0202"])]));
    editor.close(&dev);
    assert_eq!(editor.showing(), shown(&[]));
    let _ = std::fs::remove_dir_all(dir.parent().expect("parent"));
}

#[test]
fn a_file_is_published_under_one_uri_whatever_the_editor_encodes() {
    let dir = project("uri");
    let mut editor = Editor::new();
    let dev = encoded(&dir.join("dev.mdl"));
    editor.open(&dev, DEV);
    std::fs::write(dir.join("platform.mdl"), PLATFORM.replace("size = env.workers", "size = env.wrkers"))
        .expect("write");
    editor.watched(&[url(&dir.join("platform.mdl"))]);
    let file_url = url(&dir.join("platform.mdl"));
    assert!(editor.shown.get(&file_url).is_some_and(|l| !l.is_empty()), "{:?}", editor.shown.keys());

    // Opened under the editor's spelling: the file URL is cleared, one URI shows it.
    let platform = encoded(&dir.join("platform.mdl"));
    assert_ne!(platform, file_url);
    editor.open(&platform, &PLATFORM.replace("size = env.workers", "size = env.wrkers"));
    assert_eq!(editor.shown.get(&file_url).map(Vec::len), Some(0));
    assert_eq!(editor.showing(), shown(&[("platform.mdl", &["E0202"])]));
    let _ = std::fs::remove_dir_all(dir.parent().expect("parent"));
}

#[test]
fn a_burst_of_edits_is_analysed_once_and_the_last_one_wins() {
    let dir = project("burst");
    let mut editor = Editor::new();
    let platform = url(&dir.join("platform.mdl"));
    editor.open(&platform, PLATFORM);
    for typed in ["size = env.w", "size = env.wo", "size = env.wor"] {
        editor.state.set(&platform, PLATFORM.replace("size = env.workers", typed));
    }
    editor.state.set(&platform, PLATFORM.to_string());
    assert!(editor.state.needs_refresh());
    editor.sync();
    assert!(!editor.state.needs_refresh());
    assert_eq!(editor.showing(), shown(&[]));
    let _ = std::fs::remove_dir_all(dir.parent().expect("parent"));
}
