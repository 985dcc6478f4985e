//! Scripted JSON-RPC sessions against the real `mdl lsp` binary: what an
//! editor does when it opens `tests/lsp/dev.mdl` and the file it imports, and
//! what a broken or hostile client sends. In-process: a hundred request
//! cases on the megadolls specs (`lsp/cases.rs`, reviewed snapshots) and
//! sessions of open, change, close and watched-file events (`lsp/session.rs`).

#[path = "lsp/harness.rs"]
mod harness;

#[path = "lsp/cases.rs"]
mod cases;

#[path = "lsp/session.rs"]
mod session;

use std::io::{BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};

struct Session {
    child: Child,
    stdin: ChildStdin,
    messages: Receiver<Value>,
    next_id: i64,
    /// What the server logged on stderr so far.
    log: Arc<Mutex<String>>,
}

impl Session {
    fn start() -> Session {
        let mut child = Command::new(env!("CARGO_BIN_EXE_mdl"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start mdl lsp");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let mut stderr = child.stderr.take().expect("stderr");
        let (sender, messages) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(message) = read_message(&mut reader) {
                if sender.send(message).is_err() {
                    break;
                }
            }
        });
        let log = Arc::new(Mutex::new(String::new()));
        let written = Arc::clone(&log);
        std::thread::spawn(move || {
            let mut chunk = [0; 4096];
            while let Ok(count @ 1..) = stderr.read(&mut chunk) {
                let text = String::from_utf8_lossy(&chunk[..count]);
                eprint!("{text}");
                written.lock().expect("log").push_str(&text);
            }
        });
        Session { child, stdin, messages, next_id: 1, log }
    }

    fn send(&mut self, message: Value) {
        let body = message.to_string();
        self.raw(format!("Content-Length: {}\r\n\r\n{body}", body.len()).as_bytes());
    }

    /// Bytes as they are, framed or not.
    fn raw(&mut self, bytes: &[u8]) {
        self.stdin.write_all(bytes).expect("write");
        self.stdin.flush().expect("flush");
    }

    /// The next message whose id is `id` (`null` for errors about messages without a usable id).
    fn answer_to(&self, id: Value) -> Value {
        loop {
            let message = self.receive();
            if message.get("id") == Some(&id) && message.get("method").is_none() {
                return message;
            }
        }
    }

    /// The outline of the open document `uri`, to prove the server still
    /// reads and answers: everything sent before has been handled.
    fn still_answers(&mut self, uri: &str) {
        let symbols = self.request("textDocument/documentSymbol", json!({ "textDocument": { "uri": uri } }));
        assert!(symbols.as_array().is_some_and(|s| !s.is_empty()), "{symbols}");
    }

    /// Whether the server logged `text` (stderr is read on its own thread:
    /// wait a little for it to catch up with the answers).
    fn logged(&self, text: &str) -> bool {
        for _ in 0..1000 {
            if self.log.lock().expect("log").contains(text) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        false
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
        let params = self.published_for(uri);
        params["diagnostics"].as_array().cloned().unwrap_or_default()
    }

    /// The diagnostics published for `uri` at `version` of its text or later:
    /// lists an earlier analysis published late (a busy machine) are skipped.
    fn diagnostics_for_version(&self, uri: &str, version: i64) -> Vec<Value> {
        loop {
            let params = self.published_for(uri);
            if params["version"].as_i64().is_some_and(|v| v >= version) {
                return params["diagnostics"].as_array().cloned().unwrap_or_default();
            }
        }
    }

    /// The parameters of the next `publishDiagnostics` for `uri`.
    fn published_for(&self, uri: &str) -> Value {
        loop {
            let message = self.receive();
            if message["method"] == "textDocument/publishDiagnostics" && message["params"]["uri"] == uri {
                return message["params"].clone();
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
    let published = session.published_for(&dev_uri);
    assert_eq!(published["version"], 2, "the version of the text the list is for");
    let diagnostics = published["diagnostics"].as_array().cloned().unwrap_or_default();
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
    assert_eq!(labels, ["delay"], "`name` is set already");

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
    // Its analysis publishes for dev.mdl, with the text's version; taken
    // here, so that the list read after the next edit is that edit's and
    // not this one's (nor the completion edit's), late on a busy machine.
    assert_eq!(session.diagnostics_for_version(&dev_uri, 5), Vec::<Value>::new(), "unformatted, not invalid");
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

/// A framed didOpen of a document of `lines` lines of 11 bytes, built
/// as bytes: serializing 100 MB of JSON would take longer than the test.
fn did_open(uri: &str, lines: usize) -> Vec<u8> {
    let head = format!(
        r#"{{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{{"textDocument":{{"uri":"{uri}","languageId":"mdl","version":1,"text":""#
    );
    let line = br"layer l {}\n";
    let tail = r#""}}}"#;
    let mut bytes = format!("Content-Length: {}\r\n\r\n{head}", head.len() + line.len() * lines + tail.len())
        .into_bytes();
    bytes.reserve(line.len() * lines + tail.len());
    for _ in 0..lines {
        bytes.extend_from_slice(line);
    }
    bytes.extend_from_slice(tail.as_bytes());
    bytes
}

/// `Content-Length: N` and a body.
fn framed(body: &str) -> Vec<u8> {
    format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
}

#[test]
fn malformed_messages_are_logged_and_answered_and_the_server_keeps_serving() {
    let mut session = Session::start();
    session.request("initialize", json!({ "processId": null, "rootUri": null, "capabilities": {} }));
    session.notify("initialized", json!({}));
    let (dev_uri, dev_text) = fixture("dev.mdl");
    open(&mut session, &dev_uri, &dev_text);
    assert_eq!(session.diagnostics_for(&dev_uri), Vec::<Value>::new());
    session.still_answers(&dev_uri);

    // Bodies that are not JSON-RPC requests: an error response with a null id.
    let not_messages: [(&[u8], i64); 5] = [
        (b"{not json", -32700),
        (b"\xff\xfe{}", -32700),
        (b"[1, 2]", -32600),
        (br#"{"jsonrpc":"2.0"}"#, -32600),
        (br#"{"jsonrpc":"2.0","id":{"a":1},"method":"textDocument/hover"}"#, -32600),
    ];
    for (body, code) in not_messages {
        let mut bytes = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
        bytes.extend_from_slice(body);
        session.raw(&bytes);
        let answer = session.answer_to(Value::Null);
        assert_eq!(answer["error"]["code"], code, "{}: {answer}", String::from_utf8_lossy(body));
    }

    // Requests the server cannot serve: an error response with their id.
    let requests = [
        (json!({ "jsonrpc": "2.0", "id": 901, "method": "mdl/nothing" }), -32601),
        (
            json!({ "jsonrpc": "2.0", "id": 902, "method": "textDocument/hover", "params": { "textDocument": 5 } }),
            -32602,
        ),
        (json!({ "jsonrpc": "2.0", "id": 903, "method": "textDocument/hover" }), -32602),
        (json!({ "jsonrpc": "2.0", "id": 904, "method": "textDocument/completion", "params": [] }), -32602),
    ];
    for (request, code) in requests {
        let id = request["id"].clone();
        session.send(request);
        let answer = session.answer_to(id);
        assert_eq!(answer["error"]["code"], code, "{answer}");
    }

    // Notifications without their required fields: logged, never answered.
    for (method, params) in [
        ("textDocument/didOpen", json!({})),
        ("textDocument/didChange", json!({ "textDocument": { "uri": 7 }, "contentChanges": "x" })),
        ("textDocument/didClose", Value::Null),
    ] {
        session.notify(method, params);
        session.still_answers(&dev_uri);
        assert!(session.logged(&format!("ignored {method}: invalid params")), "{method}");
    }

    // Framing errors: skipped up to the next header.
    let framing: [(&[u8], &str); 7] = [
        (
            b"Content-Type: application/json\r\n\r\n{\"jsonrpc\":\"2.0\",\"id\":950,\"method\":\"x\"}",
            "not a framed message",
        ),
        (b"Content-Length: abc\r\n\r\n{}", "Content-Length is not a number"),
        (b"Content-Length: -5\r\n\r\n{}", "Content-Length is not a number"),
        (b"Content-Length: 99999999999\r\n\r\n", "over the limit"),
        (b"Content-Length: 99999999999\r\n\r\n{}", "over the limit"),
        (b"hello there\r\n", "not a framed message"),
        (
            b"Content-Length: 500\r\n\r\n{\"jsonrpc\":\"2.0\",\"method\":\"x\"}",
            "shorter than its Content-Length",
        ),
    ];
    for (bytes, logged) in framing {
        session.raw(bytes);
        session.still_answers(&dev_uri);
        assert!(session.logged(logged), "{}: expected `{logged}` in the log", String::from_utf8_lossy(bytes));
    }
    let mut long_header = b"Content-Length: 2\r\nX-Padding: ".to_vec();
    long_header.extend(std::iter::repeat_n(b'x', 100_000));
    long_header.extend_from_slice(b"\r\n\r\n{}");
    session.raw(&long_header);
    session.still_answers(&dev_uri);
    assert!(session.logged("header line longer than 4 KiB"));

    // A response to nothing the server asked.
    session.raw(&framed(r#"{"jsonrpc":"2.0","id":5,"result":null}"#));
    session.still_answers(&dev_uri);

    // A 100 MB document is skipped unread; a 5 MB one is refused, not analysed.
    session.raw(&did_open("file:///huge.mdl", 10_000_000));
    session.still_answers(&dev_uri);
    assert!(session.logged("over the limit of 32 MiB"));
    session.raw(&did_open("file:///large.mdl", 500_000));
    let warning = loop {
        let message = session.receive();
        if message["method"] == "window/showMessage" {
            break message;
        }
    };
    assert!(
        warning["params"]["message"].as_str().is_some_and(|m| m.contains("over the 4 MiB limit")),
        "{warning}"
    );
    assert_eq!(session.diagnostics_for("file:///large.mdl"), Vec::<Value>::new());

    // After all that, the server still serves the valid document.
    let hover = session.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": dev_uri }, "position": position_of(&dev_text, "workers", 0) }),
    );
    assert!(
        hover["contents"]["value"].as_str().is_some_and(|v| v.contains("workers: int in 1..10")),
        "{hover}"
    );
    let _ = session.request("shutdown", Value::Null);
    session.notify("exit", Value::Null);
    assert!(session.child.wait().expect("the server exits").success());
}

#[test]
fn a_client_that_allows_it_gets_a_watcher_for_spec_files() {
    let mut session = Session::start();
    let capabilities = json!({ "workspace": { "didChangeWatchedFiles": { "dynamicRegistration": true } } });
    let answer = session
        .request("initialize", json!({ "processId": null, "rootUri": null, "capabilities": capabilities }));
    let triggers = &answer["capabilities"]["completionProvider"]["triggerCharacters"];
    assert_eq!(triggers, &json!([".", "="]), "no space, no brace");
    session.notify("initialized", json!({}));
    let registration = loop {
        let message = session.receive();
        if message["method"] == "client/registerCapability" {
            break message;
        }
    };
    let registered = &registration["params"]["registrations"][0];
    assert_eq!(registered["method"], "workspace/didChangeWatchedFiles");
    assert_eq!(registered["registerOptions"]["watchers"][0]["globPattern"], "**/*.mdl");
    // The client's answer to the registration is not an error for the server.
    session.send(json!({ "jsonrpc": "2.0", "id": registration["id"], "result": null }));
    let (dev_uri, dev_text) = fixture("dev.mdl");
    open(&mut session, &dev_uri, &dev_text);
    assert_eq!(session.diagnostics_for(&dev_uri), Vec::<Value>::new());
    let _ = session.request("shutdown", Value::Null);
    session.notify("exit", Value::Null);
    assert!(session.child.wait().expect("the server exits").success());
}

/// A started, initialized session with the `dev.mdl` fixture open and its
/// (empty) diagnostics received: its URI and text.
fn session_with_valid_dev_open() -> (Session, String, String) {
    let mut session = Session::start();
    let _ = session.request("initialize", json!({ "processId": null, "rootUri": null, "capabilities": {} }));
    session.notify("initialized", json!({}));
    let (dev_uri, dev_text) = fixture("dev.mdl");
    open(&mut session, &dev_uri, &dev_text);
    assert_eq!(session.diagnostics_for(&dev_uri), Vec::<Value>::new(), "the fixture is valid");
    (session, dev_uri, dev_text)
}

#[test]
fn requests_during_a_burst_of_edits_are_answered_and_only_the_last_text_is_published() {
    let (mut session, dev_uri, dev_text) = session_with_valid_dev_open();

    // Each edit puts `workers` out of its range, and arrives while the
    // previous one may still be analysed; a hover right after each is
    // answered from the latest finished analysis, never an error or empty.
    let change = |session: &mut Session, version: usize, text: &str| {
        let document = json!({ "uri": dev_uri, "version": version });
        session.notify(
            "textDocument/didChange",
            json!({ "textDocument": document, "contentChanges": [{ "text": text }] }),
        );
    };
    for version in 2..22 {
        let text = dev_text.replace("workers = 2", &format!("workers = {}", 9 + version));
        change(&mut session, version, &text);
        let hover = session.request(
            "textDocument/hover",
            json!({ "textDocument": { "uri": dev_uri }, "position": position_of(&text, "workers", 0) }),
        );
        let value = hover["contents"]["value"].as_str().unwrap_or_default();
        assert!(value.contains("workers: int in 1..10"), "answered during the burst: {hover}");
    }
    change(&mut session, 22, &dev_text.replace("workers = 2", "workers = 3"));
    // The last text is valid: its empty list comes, after any lists of
    // edits analysed before it; nothing older is published after it.
    while !session.diagnostics_for(&dev_uri).is_empty() {}
    session.send(json!({ "jsonrpc": "2.0", "id": 99, "method": "shutdown", "params": null }));
    loop {
        let message = session.receive();
        if message["id"] == json!(99) {
            break;
        }
        let late =
            message["method"] == "textDocument/publishDiagnostics" && message["params"]["uri"] == dev_uri;
        assert!(!late || message["params"]["diagnostics"] == json!([]), "stale diagnostics: {message}");
    }
    session.notify("exit", Value::Null);
    assert!(session.child.wait().expect("the server exits").success());
}

#[test]
fn references_right_after_an_edit_answer_from_the_edited_text() {
    let (mut session, dev_uri, dev_text) = session_with_valid_dev_open();
    // Two lines typed at the top move `workers` down; references are asked
    // at once, before the edit can have been analysed.
    let edited = format!("// two lines\n// typed\n{dev_text}");
    let document = json!({ "uri": dev_uri, "version": 2 });
    session.notify(
        "textDocument/didChange",
        json!({ "textDocument": document, "contentChanges": [{ "text": edited }] }),
    );
    let at = position_of(&edited, "workers", 0);
    let references = session.request(
        "textDocument/references",
        json!({ "textDocument": { "uri": dev_uri }, "position": at, "context": { "includeDeclaration": false } }),
    );
    let in_dev: Vec<&Value> = references
        .as_array()
        .map(|list| list.iter().filter(|l| l["uri"] == dev_uri).collect())
        .unwrap_or_default();
    assert_eq!(in_dev.len(), 1, "{references}");
    assert_eq!(in_dev[0]["range"]["start"]["line"], at["line"], "{references}");
    let _ = session.request("shutdown", Value::Null);
    session.notify("exit", Value::Null);
    assert!(session.child.wait().expect("the server exits").success());
}
