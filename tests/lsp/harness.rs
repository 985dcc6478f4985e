//! Language-server cases driven in-process: the server's state with the
//! megadolls specs open (every environment file, as an editor with the
//! project open has them), one request, and its answer rendered as text for
//! a reviewed snapshot. The snapshot shows where the cursor was and what the
//! server answered, like the request and answer of a session.

use std::path::{Path, PathBuf};

use lsp_types::Url;
use mdl::lsp::state::State;
use serde_json::{json, Value};

/// The cursor in a needle: `cpu = ¦1 vcpu`.
pub const CURSOR: char = '¦';

/// The folder of the specs the cases read.
pub fn specs() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("specs")
}

pub fn url(path: &Path) -> Url {
    Url::from_file_path(path).expect("an absolute path")
}

/// The specs open in a fresh state and analysed, then `file` edited as an
/// editor does (`from` → `to`, first occurrence) and analysed again; the
/// text of `file` as open, and the diagnostics published last.
pub fn open_specs(
    file: &str,
    edit: Option<(&str, &str)>,
) -> (State, String, Vec<(Url, Vec<lsp_types::Diagnostic>)>) {
    let mut state = State::default();
    for name in ["platform.mdl", "dev.mdl", "prod.mdl"] {
        let path = specs().join(name);
        state.set(&url(&path), std::fs::read_to_string(&path).expect("spec file"));
    }
    let (mut published, _) = state.refresh();
    let path = specs().join(file);
    let mut text = std::fs::read_to_string(&path).expect("spec file");
    if let Some((from, to)) = edit {
        assert!(text.contains(from), "`{from}` is in {file}");
        text = text.replacen(from, to, 1);
        state.set(&url(&path), text.clone());
        published = state.refresh().0;
    }
    (state, text, published)
}

/// The byte offset and the LSP position of the cursor in `needle`, found in `text`.
pub fn cursor(text: &str, needle: &str) -> (usize, Value) {
    let shift = needle.find(CURSOR).expect("the needle marks the cursor with ¦");
    let plain = needle.replace(CURSOR, "");
    let found = text.find(&plain).unwrap_or_else(|| panic!("`{plain}` is in the text"));
    let offset = found + shift;
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let character = before[before.rfind('\n').map_or(0, |i| i + 1)..].encode_utf16().count();
    (offset, json!({ "line": line, "character": character }))
}

/// The line of the cursor with a caret under it.
pub fn show_cursor(file: &str, text: &str, offset: usize) -> String {
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    let line = text[..offset].matches('\n').count() + 1;
    let column = text[start..offset].chars().count();
    format!("{file}:{line}\n  | {}\n  | {}^\n", &text[start..end], " ".repeat(column))
}

/// A location as `file:line:column: text of the line`, machine paths left out.
pub fn show_location(location: &Value) -> String {
    let uri = location["uri"].as_str().unwrap_or("");
    let line = location["range"]["start"]["line"].as_u64().unwrap_or(0) as usize;
    let column = location["range"]["start"]["character"].as_u64().unwrap_or(0) as usize;
    let path = Url::parse(uri).ok().and_then(|u| u.to_file_path().ok());
    let text = path.as_ref().and_then(|p| std::fs::read_to_string(p).ok()).unwrap_or_default();
    let shown = text.lines().nth(line).unwrap_or("").trim();
    format!("{}:{}:{}: {shown}", short(uri), line + 1, column + 1)
}

/// A URI without the machine's folders: `specs/dev.mdl`, `std/prelude.mdl`.
pub fn short(uri: &str) -> String {
    let specs = url(&specs()).to_string();
    if let Some(rest) = uri.strip_prefix(&specs) {
        return format!("specs{rest}");
    }
    match uri.find("/std/") {
        Some(at) if uri.contains("/mdl/stdlib-") => uri[at + 1..].to_string(),
        _ => uri.to_string(),
    }
}

/// One request answered by the state.
pub fn ask(state: &State, method: &str, params: Value) -> Value {
    mdl::lsp::answer(state, method, params)
        .unwrap_or_else(|(code, message)| json!({ "error": format!("{code:?}: {message}") }))
}
