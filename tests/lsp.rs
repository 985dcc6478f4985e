//! A scripted JSON-RPC session against the real `mdl lsp` binary: what an
//! editor does when it opens `tests/lsp/dev.mdl` and the file it imports.

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

use serde_json::{json, Value};

struct Session {
    child: Child,
    stdin: ChildStdin,
    messages: Receiver<Value>,
    next_id: i64,
}

impl Session {
    fn start() -> Session {
        let mut child = Command::new(env!("CARGO_BIN_EXE_mdl"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start mdl lsp");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let (sender, messages) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(message) = read_message(&mut reader) {
                if sender.send(message).is_err() {
                    break;
                }
            }
        });
        Session { child, stdin, messages, next_id: 1 }
    }

    fn send(&mut self, message: Value) {
        let body = message.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).expect("write");
        self.stdin.flush().expect("flush");
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        loop {
            let message = self.receive();
            if message["id"] == json!(id) {
                assert!(message.get("error").is_none(), "{method} failed: {message}");
                return message["result"].clone();
            }
        }
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// The next message; a silent server fails the test instead of hanging it.
    fn receive(&self) -> Value {
        self.messages.recv_timeout(Duration::from_secs(30)).expect("the server answered within 30 s")
    }

    /// The next diagnostics published for `uri`.
    fn diagnostics_for(&self, uri: &str) -> Vec<Value> {
        loop {
            let message = self.receive();
            if message["method"] == "textDocument/publishDiagnostics" && message["params"]["uri"] == uri {
                return message["params"]["diagnostics"].as_array().cloned().unwrap_or_default();
            }
        }
    }
}

fn read_message(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = 0;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(value) = line.strip_prefix("Content-Length: ") {
            length = value.parse().ok()?;
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

fn fixture(name: &str) -> (String, String) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/lsp").join(name);
    let path = path.canonicalize().expect("fixture exists");
    let uri = format!("file://{}", path.display());
    (uri, std::fs::read_to_string(path).expect("read fixture"))
}

fn position_of(text: &str, needle: &str, nth: usize) -> Value {
    let offset = text.match_indices(needle).nth(nth).map(|(i, _)| i).expect("needle in text");
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let character = offset - before.rfind('\n').map_or(0, |i| i + 1);
    json!({ "line": line, "character": character + 1 })
}

trait Shift {
    /// The position `columns` characters further on the same line.
    fn right(self, columns: u64) -> Value;
}

impl Shift for Value {
    fn right(self, columns: u64) -> Value {
        let character = self["character"].as_u64().unwrap_or(0) + columns;
        json!({ "line": self["line"], "character": character })
    }
}

fn open(session: &mut Session, uri: &str, text: &str) {
    let document = json!({ "uri": uri, "languageId": "mdl", "version": 1, "text": text });
    session.notify("textDocument/didOpen", json!({ "textDocument": document }));
}

#[test]
fn an_editor_session_gets_diagnostics_hover_definition_completion_and_symbols() {
    let mut session = Session::start();
    let capabilities =
        session.request("initialize", json!({ "processId": null, "rootUri": null, "capabilities": {} }));
    assert_eq!(capabilities["capabilities"]["hoverProvider"], true);
    session.notify("initialized", json!({}));

    let (dev_uri, dev_text) = fixture("dev.mdl");
    let (platform_uri, platform_text) = fixture("platform.mdl");
    open(&mut session, &dev_uri, &dev_text);
    assert_eq!(session.diagnostics_for(&dev_uri), Vec::<Value>::new(), "the fixture is valid");

    // An edit that breaks a range: the same code and message as `mdl check`.
    let broken = dev_text.replace("workers = 2", "workers = 20");
    session.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": dev_uri, "version": 2 }, "contentChanges": [{ "text": broken }] }),
    );
    let diagnostics = session.diagnostics_for(&dev_uri);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
    assert_eq!(diagnostics[0]["code"], "E0401");
    assert_eq!(diagnostics[0]["range"]["start"], json!({ "line": 4, "character": 12 }));
    session.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": dev_uri, "version": 3 }, "contentChanges": [{ "text": dev_text }] }),
    );
    assert_eq!(session.diagnostics_for(&dev_uri), Vec::<Value>::new());

    // Hover: a setting's type and doc comment.
    let hover = session.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": dev_uri }, "position": position_of(&dev_text, "workers", 0) }),
    );
    let value = hover["contents"]["value"].as_str().expect("markdown");
    assert!(value.contains("workers: int in 1..10"), "{value}");
    assert!(value.contains("How many workers run."), "{value}");

    // Go to definition across files, and into the stdlib.
    let definition = session.request(
        "textDocument/definition",
        json!({ "textDocument": { "uri": dev_uri }, "position": position_of(&dev_text, "workers", 0) }),
    );
    assert_eq!(definition["uri"], platform_uri);
    let declared = position_of(&platform_text, "workers:", 0);
    assert_eq!(definition["range"]["start"], json!({ "line": declared["line"], "character": 4 }));
    let into_stdlib = session.request(
        "textDocument/definition",
        json!({ "textDocument": { "uri": dev_uri }, "position": position_of(&dev_text, "us_east_1", 0) }),
    );
    let stdlib_uri = into_stdlib["uri"].as_str().expect("a location");
    assert!(stdlib_uri.ends_with("std/prelude.mdl"), "{stdlib_uri}");
    let stdlib_text = std::fs::read_to_string(stdlib_uri.trim_start_matches("file://")).expect("stdlib copy");
    assert!(stdlib_text.contains("us_east_1"));

    // Completion: the fields of the construct being written, and enum variants.
    open(&mut session, &platform_uri, &platform_text);
    let _ = session.diagnostics_for(&platform_uri);
    let typing =
        platform_text.replace("queue { name = core.jobs_arn }", "queue { name = core.jobs_arn,\n    \n  }");
    session.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": platform_uri, "version": 2 }, "contentChanges": [{ "text": typing }] }),
    );
    let line = typing.lines().position(|l| l.contains("core.jobs_arn,")).expect("line") + 1;
    let items = session.request(
        "textDocument/completion",
        json!({ "textDocument": { "uri": platform_uri }, "position": { "line": line, "character": 4 } }),
    );
    let labels: Vec<&str> =
        items.as_array().expect("items").iter().filter_map(|i| i["label"].as_str()).collect();
    assert_eq!(labels, ["name", "delay"]);

    // Hover on a binding: its declaration and the type the checker gives it.
    session.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": platform_uri, "version": 3 }, "contentChanges": [{ "text": platform_text }] }),
    );
    let hover = session.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": platform_uri }, "position": position_of(&platform_text, "jobs.arn", 0) }),
    );
    let value = hover["contents"]["value"].as_str().expect("markdown");
    assert!(value.contains("jobs = queue"), "{value}");
    assert!(value.contains("Type: `queue`"), "{value}");
    let hover = session.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": platform_uri }, "position": position_of(&platform_text, "core.jobs_arn", 0).right(5) }),
    );
    let value = hover["contents"]["value"].as_str().expect("markdown");
    assert!(value.contains("publish jobs_arn"), "{value}");
    assert!(value.contains("Type: `deploy<string>`"), "{value}");

    // In an environment: the project's settings, then the variants of an enum setting.
    let typing = dev_text.replace("workers = 2\n", "workers = 2\n  size = \n");
    session.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": dev_uri, "version": 4 }, "contentChanges": [{ "text": typing }] }),
    );
    let at = position_of(&typing, "size = ", 0);
    let at = json!({ "line": at["line"], "character": 9 });
    let items = session
        .request("textDocument/completion", json!({ "textDocument": { "uri": dev_uri }, "position": at }));
    let labels: Vec<&str> =
        items.as_array().expect("items").iter().filter_map(|i| i["label"].as_str()).collect();
    assert_eq!(labels, ["small", "large"]);

    // Document symbols: layers with their services.
    let symbols =
        session.request("textDocument/documentSymbol", json!({ "textDocument": { "uri": platform_uri } }));
    let names: Vec<&str> =
        symbols.as_array().expect("symbols").iter().filter_map(|s| s["name"].as_str()).collect();
    assert_eq!(names, ["shop", "Size", "queue", "core", "app"]);
    let app = &symbols.as_array().expect("symbols")[4];
    let children: Vec<&str> =
        app["children"].as_array().expect("children").iter().filter_map(|s| s["name"].as_str()).collect();
    assert_eq!(children, ["alerts", "worker"]);

    // Formatting: one edit with the canonical layout, none once it is applied.
    let messy = "environment dev {\n region = us_east_1\n    workers=2\n}\n";
    let formatted = "environment dev {\n  region  = us_east_1\n  workers = 2\n}\n";
    let whole = json!({ "textDocument": { "uri": dev_uri, "version": 5 }, "contentChanges": [{ "text": format!("import \"./platform.mdl\"\n\n{messy}") }] });
    session.notify("textDocument/didChange", whole);
    let options = json!({ "tabSize": 2, "insertSpaces": true });
    let edits = session.request(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": dev_uri }, "options": options }),
    );
    let new_text = edits[0]["newText"].as_str().expect("one edit");
    assert_eq!(new_text, format!("import \"./platform.mdl\"\n\n{formatted}"));

    // Narrowing a range in platform.mdl breaks the environment in dev.mdl, open beside it.
    let narrowed = platform_text.replace("workers: int in 1..10", "workers: int in 5..10");
    session.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": platform_uri, "version": 4 }, "contentChanges": [{ "text": narrowed }] }),
    );
    let diagnostics = session.diagnostics_for(&dev_uri);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
    assert_eq!(diagnostics[0]["code"], "E0401");

    // A document that is not a file yet is checked as typed.
    let untitled = "untitled:Untitled-1";
    open(&mut session, untitled, "layer l {\n  x = nope\n}\n");
    let diagnostics = session.diagnostics_for(untitled);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
    assert_eq!(diagnostics[0]["code"], "E0201");

    let _ = session.request("shutdown", Value::Null);
    session.notify("exit", Value::Null);
    let status = session.child.wait().expect("the server exits");
    assert!(status.success());
}
