//! The bytes between the editor and the server: JSON-RPC messages framed by
//! `Content-Length` headers, read by mdl itself in front of lsp-server's
//! channels.
//!
//! lsp-server's own reader allocates whatever length a header claims and
//! stops at the first framing error, which ends the server. This one never
//! stops before the input ends: a message over [`MAX_MESSAGE_BYTES`] is
//! skipped without being held in memory; bytes that are not a message are
//! skipped up to the next `Content-Length` header; a body that is not JSON,
//! or not a JSON-RPC message, is answered with the JSON-RPC error the
//! protocol names (with the request's id when it has a usable one, `null`
//! otherwise). Every such problem is logged on stderr, which editors show in
//! the server's output. Whatever is well formed goes on to the server
//! unchanged; the server decodes each method's params itself.
//!
//! Resynchronizing relies on one fact: a raw line break cannot occur inside a
//! JSON string, so `Content-Length: <digits>` followed by a line break is a
//! header wherever it appears, never part of a message's text.

use std::io::{self, Read, Write};
use std::thread::{self, JoinHandle};

use lsp_server::{Connection, Message, Notification, Request, RequestId, Response};
use serde_json::{json, Value};

/// The largest message read: room for a document at the size limit of a
/// spec file, JSON-escaped, many times over.
pub const MAX_MESSAGE_BYTES: usize = 32 * 1024 * 1024;

/// Longest header line kept; longer ones are skipped.
const MAX_HEADER_LINE: usize = 4 * 1024;

/// How much is read from the input at a time.
const CHUNK: usize = 64 * 1024;

/// JSON-RPC error codes for messages that never reach the server.
const PARSE_ERROR: i32 = -32700;
const INVALID_REQUEST: i32 = -32600;

/// The threads moving messages between stdio and the server.
pub struct IoThreads {
    reader: JoinHandle<()>,
    writer: JoinHandle<()>,
}

impl IoThreads {
    /// Wait for both threads: the reader ends at `exit` or the end of input,
    /// the writer when the server has dropped its connection.
    pub fn join(self) {
        let _ = self.writer.join();
        let _ = self.reader.join();
    }
}

/// A connection over stdin and stdout, read by [`Framer`].
pub fn stdio() -> io::Result<(Connection, IoThreads)> {
    let (server, client) = Connection::memory();
    let Connection { sender: to_server, receiver: from_server } = client;
    let writer = thread::Builder::new().name("mdl-lsp-writer".into()).spawn(move || {
        for message in from_server {
            let mut out = io::stdout().lock();
            if message.write(&mut out).and_then(|()| out.flush()).is_err() {
                break;
            }
        }
    })?;
    let reader = thread::Builder::new().name("mdl-lsp-reader".into()).spawn(move || {
        let mut framer = Framer::new(io::stdin().lock());
        let reply = |text: &str| {
            let mut out = io::stdout().lock();
            let _ = write!(out, "Content-Length: {}\r\n\r\n{text}", text.len()).and_then(|()| out.flush());
        };
        while let Some(message) = framer.next_message(&reply, &log) {
            let is_exit = matches!(&message, Message::Notification(n) if n.method == "exit");
            if to_server.send(message).is_err() || is_exit {
                break;
            }
        }
    })?;
    Ok((server, IoThreads { reader, writer }))
}

/// Log a problem with the input where the editor shows the server's output.
pub fn log(message: &str) {
    eprintln!("mdl lsp: {message}");
}

/// What one framed body turned out to be.
enum Decoded {
    Message(Message),
    /// Not usable: the error response to send, if any (JSON text).
    Refused {
        reply: Option<String>,
        why: String,
    },
}

/// Reads framed messages from a byte stream, resynchronizing after anything
/// malformed.
pub struct Framer<R> {
    input: R,
    /// What one read brings.
    chunk: Vec<u8>,
    buffer: Vec<u8>,
    /// Start of the unread bytes in `buffer`.
    position: usize,
    ended: bool,
}

impl<R: Read> Framer<R> {
    /// A framer over `input`.
    pub fn new(input: R) -> Self {
        Framer { input, chunk: vec![0; CHUNK], buffer: Vec::new(), position: 0, ended: false }
    }

    /// The next well-formed message, `None` at the end of input. Problems on
    /// the way are logged with `log`, and answered with `reply` (a JSON-RPC
    /// response body) when the protocol asks for an answer.
    pub fn next_message(&mut self, reply: &dyn Fn(&str), log: &dyn Fn(&str)) -> Option<Message> {
        loop {
            let length = self.next_header(log)?;
            if length > MAX_MESSAGE_BYTES {
                log(&format!(
                    "skipped a message of {length} bytes: over the limit of {} MiB",
                    MAX_MESSAGE_BYTES >> 20
                ));
                self.skip_body(length, log);
                continue;
            }
            match self.body(length, log)? {
                Decoded::Message(message) => return Some(message),
                Decoded::Refused { reply: answer, why } => {
                    log(&why);
                    if let Some(answer) = answer {
                        reply(&answer);
                    }
                }
            }
        }
    }

    /// The unread bytes, at least `wanted` of them unless the input ends first.
    fn fill(&mut self, wanted: usize) -> &[u8] {
        while self.buffer.len() - self.position < wanted && !self.ended {
            if self.position > 0 {
                self.buffer.drain(..self.position);
                self.position = 0;
            }
            let read = loop {
                match self.input.read(&mut self.chunk) {
                    Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                    result => break result.unwrap_or(0),
                }
            };
            self.buffer.extend_from_slice(&self.chunk[..read]);
            self.ended = read == 0;
        }
        &self.buffer[self.position..]
    }

    fn consume(&mut self, count: usize) {
        self.position = (self.position + count).min(self.buffer.len());
    }

    /// The length announced by the next header block; what comes before a
    /// `Content-Length` header is skipped (and logged). `None` at the end.
    fn next_header(&mut self, log: &dyn Fn(&str)) -> Option<usize> {
        let mut skipped = 0;
        loop {
            match self.find_length_header() {
                Found::Header { at, length, end } => {
                    skipped += at;
                    report_skipped(skipped, log);
                    self.consume(end);
                    self.skip_other_headers(log);
                    match length {
                        Some(length) => return Some(length),
                        None => log("skipped a message whose Content-Length is not a number"),
                    }
                    skipped = 0;
                }
                Found::Nothing { scanned } => {
                    skipped += scanned;
                    self.consume(scanned);
                    if self.fill(1).is_empty() {
                        report_skipped(skipped, log);
                        return None;
                    }
                }
            }
        }
    }

    /// Look for `Content-Length: N` and its line break in the unread bytes,
    /// reading more while a header may be cut off at their end.
    fn find_length_header(&mut self) -> Found {
        let mut wanted = 1;
        loop {
            let (scan, total) = {
                let unread = self.fill(wanted);
                (scan_header(unread), unread.len())
            };
            match scan {
                Scan::Header { at, length, end } => return Found::Header { at, length, end },
                Scan::None => return Found::Nothing { scanned: total },
                // What is before it is not a header either way.
                Scan::Partial { at } if at > 0 => return Found::Nothing { scanned: at },
                Scan::Partial { .. } if self.ended => return Found::Nothing { scanned: total },
                Scan::Partial { .. } => wanted = total + 1,
            }
        }
    }

    /// Skip the header lines after `Content-Length`, up to the empty line.
    /// Reads no further than that line: the editor may be waiting for an answer.
    fn skip_other_headers(&mut self, log: &dyn Fn(&str)) {
        let mut wanted = 1;
        loop {
            let unread = self.fill(wanted);
            let available = unread.len();
            match unread.iter().position(|&b| b == b'\n') {
                Some(end) => {
                    let blank = unread[..end].iter().all(|b| *b == b'\r');
                    self.consume(end + 1);
                    if blank {
                        return;
                    }
                    wanted = 1;
                }
                None if available < wanted => return,
                None if available > MAX_HEADER_LINE => {
                    log("skipped a header line longer than 4 KiB");
                    self.consume(available);
                    wanted = 1;
                }
                None => wanted = available + 1,
            }
        }
    }

    /// Read a body of `length` bytes and decode it. A header among the bytes
    /// read means the body was shorter than announced: what comes before the
    /// header is dropped, and reading goes on from it, rather than waiting for
    /// bytes the editor will never send while it waits for an answer.
    fn body(&mut self, length: usize, log: &dyn Fn(&str)) -> Option<Decoded> {
        let mut scanned = 0;
        loop {
            let (have, header) = {
                let unread = self.fill((scanned + 1).min(length));
                let from = scanned.saturating_sub(HEADER_NAME.len() + MAX_VALUE);
                (unread.len(), numbered_header(&unread[from..]).map(|at| from + at))
            };
            if let Some(at) = header.filter(|at| *at < length) {
                self.consume(at);
                let why = format!("a message was shorter than its Content-Length ({length}): skipped");
                return Some(Decoded::Refused { reply: None, why });
            }
            if have >= length {
                break;
            }
            if self.ended {
                log(&format!("the input ended inside a message ({have} of {length} bytes)"));
                self.consume(have);
                return None;
            }
            scanned = have;
        }
        let parsed = serde_json::from_slice::<Value>(&self.fill(length)[..length]);
        self.consume(length);
        Some(match parsed {
            Ok(value) => decode(value),
            Err(error) => Decoded::Refused {
                reply: Some(error_response(None, PARSE_ERROR, &format!("not JSON: {error}"))),
                why: format!("a message is not JSON ({error})"),
            },
        })
    }

    /// Drop `length` bytes without keeping more than a read's worth, unless
    /// a header shows up first (the announced length was a lie).
    fn skip_body(&mut self, mut length: usize, log: &dyn Fn(&str)) {
        // Bytes kept from the last round: a header may start in them.
        let mut kept = 0;
        while length > 0 {
            let (have, header) = {
                let unread = self.fill(kept + 1);
                (unread.len(), numbered_header(unread))
            };
            if let Some(at) = header.filter(|at| *at < length) {
                self.consume(at);
                log("found a header inside the skipped message: reading on from it");
                return;
            }
            if have <= kept || length <= have {
                // The input ended, or the rest of the message is here.
                self.consume(length.min(have));
                return;
            }
            let count = have.saturating_sub(HEADER_NAME.len() + MAX_VALUE);
            self.consume(count);
            length -= count;
            kept = have - count;
        }
    }
}

fn report_skipped(count: usize, log: &dyn Fn(&str)) {
    let stray = count > 0;
    if stray {
        log(&format!("skipped {count} bytes that are not a framed message (no Content-Length header)"));
    }
}

/// Where the next `Content-Length` header is in the unread bytes.
enum Found {
    /// At byte `at`, announcing `length` (`None` when it is not a number),
    /// its line ending before byte `end`.
    Header { at: usize, length: Option<usize>, end: usize },
    /// No header in the first `scanned` bytes.
    Nothing { scanned: usize },
}

/// What [`scan_header`] saw.
#[derive(Debug, PartialEq)]
enum Scan {
    Header {
        at: usize,
        length: Option<usize>,
        end: usize,
    },
    /// Something at `at` that may be a header cut off by the end of `bytes`.
    Partial {
        at: usize,
    },
    None,
}

const HEADER_NAME: &[u8] = b"content-length:";

/// Longest header value read after `Content-Length:` (a number, spaces).
const MAX_VALUE: usize = 64;

/// The first `Content-Length: <value>` line in `bytes`, case-insensitive,
/// with its line break.
fn scan_header(bytes: &[u8]) -> Scan {
    let mut start = 0;
    while let Some(offset) = memchr::memchr2(b'c', b'C', &bytes[start..]) {
        let at = start + offset;
        let rest = &bytes[at..];
        let name = rest.len().min(HEADER_NAME.len());
        if !rest[..name].eq_ignore_ascii_case(&HEADER_NAME[..name]) {
            start = at + 1;
            continue;
        }
        if name < HEADER_NAME.len() {
            return Scan::Partial { at };
        }
        let value = &rest[HEADER_NAME.len()..];
        match value.iter().take(MAX_VALUE).position(|&b| b == b'\n') {
            // Another header on the same line: this one was the tail of something else.
            Some(end) if value[..end].contains(&b':') => start = at + 1,
            Some(end) => {
                let text = std::str::from_utf8(&value[..end]).ok();
                let length = text.and_then(|t| t.trim().parse::<usize>().ok());
                return Scan::Header { at, length, end: at + HEADER_NAME.len() + end + 1 };
            }
            None if value.len() < MAX_VALUE => return Scan::Partial { at },
            None => start = at + 1,
        }
    }
    Scan::None
}

/// Where the first header with a number in it starts: such a line cannot
/// occur inside a JSON message, so it starts the next one.
fn numbered_header(bytes: &[u8]) -> Option<usize> {
    let mut from = 0;
    loop {
        match scan_header(&bytes[from..]) {
            Scan::Header { at, length: Some(_), .. } => return Some(from + at),
            Scan::Header { at, length: None, .. } => from += at + 1,
            Scan::Partial { .. } | Scan::None => return None,
        }
    }
}

/// A JSON value to a message for the server, or the error it gets.
fn decode(value: Value) -> Decoded {
    let Value::Object(object) = &value else {
        return invalid(None, "a message that is not a JSON object");
    };
    let id = object.get("id");
    let method = object.get("method");
    match (method, id) {
        (Some(Value::String(method)), Some(id)) => match request_id(id) {
            Some(id) => {
                let params = object.get("params").cloned().unwrap_or(Value::Null);
                Decoded::Message(Message::Request(Request { id, method: method.clone(), params }))
            }
            None => {
                invalid(None, &format!("request `{method}` has an id that is not an integer or a string"))
            }
        },
        (Some(Value::String(method)), None) => {
            let params = object.get("params").cloned().unwrap_or(Value::Null);
            Decoded::Message(Message::Notification(Notification { method: method.clone(), params }))
        }
        (Some(_), id) => invalid(id.and_then(request_id), "a message whose method is not a string"),
        (None, Some(_)) => match serde_json::from_value::<Response>(value.clone()) {
            // The server decides whether it asked for it.
            Ok(response) => Decoded::Message(Message::Response(response)),
            Err(_) => invalid(None, "a message with an id but no method, result or error"),
        },
        (None, None) => invalid(None, "a message with neither a method nor an id"),
    }
}

fn invalid(id: Option<RequestId>, why: &str) -> Decoded {
    Decoded::Refused {
        reply: Some(error_response(id.as_ref(), INVALID_REQUEST, why)),
        why: format!("invalid message: {why}"),
    }
}

/// The ids lsp-server can answer: integers (LSP's are 32-bit) and strings.
fn request_id(id: &Value) -> Option<RequestId> {
    match id {
        Value::Number(n) => n.as_i64().and_then(|n| i32::try_from(n).ok()).map(RequestId::from),
        Value::String(s) => Some(RequestId::from(s.clone())),
        _ => None,
    }
}

/// A JSON-RPC error response body; `id` is `null` when the request's id is unknown.
fn error_response(id: Option<&RequestId>, code: i32, message: &str) -> String {
    let id = id.map_or(Value::Null, |id| serde_json::to_value(id).unwrap_or(Value::Null));
    json!({ "jsonrpc": "2.0", "id": id, "error": { "code": code, "message": message } }).to_string()
}

/// Wait for `initialize` and answer it with `capabilities`. Requests before it
/// get the protocol's "not initialized" error, notifications are dropped;
/// `initialized` and anything after it go to the main loop. The client's
/// `initialize` params; `None` when the editor left first.
pub fn initialize(connection: &Connection, capabilities: Value) -> Option<Value> {
    for message in &connection.receiver {
        match message {
            Message::Request(request) if request.method == "initialize" => {
                let result = json!({ "capabilities": capabilities, "serverInfo": { "name": "mdl", "version": env!("CARGO_PKG_VERSION") } });
                connection.sender.send(Response::new_ok(request.id, result).into()).ok()?;
                return Some(request.params);
            }
            Message::Request(request) => {
                let code = lsp_server::ErrorCode::ServerNotInitialized as i32;
                let response =
                    Response::new_err(request.id, code, "the server is not initialized yet".into());
                connection.sender.send(response.into()).ok()?;
            }
            Message::Notification(notification) if notification.method == "exit" => return None,
            Message::Notification(_) | Message::Response(_) => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    fn frame(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    /// Every message read from `input`, with the replies and log lines on the way.
    fn read_all(input: &[u8]) -> (Vec<Message>, Vec<String>, Vec<String>) {
        let replies = RefCell::new(Vec::new());
        let logs = RefCell::new(Vec::new());
        let mut framer = Framer::new(input);
        let mut messages = Vec::new();
        while let Some(message) = framer.next_message(&|r| replies.borrow_mut().push(r.to_string()), &|l| {
            logs.borrow_mut().push(l.to_string())
        }) {
            messages.push(message);
        }
        (messages, replies.into_inner(), logs.into_inner())
    }

    fn methods(messages: &[Message]) -> Vec<String> {
        messages
            .iter()
            .map(|m| match m {
                Message::Request(r) => r.method.clone(),
                Message::Notification(n) => n.method.clone(),
                Message::Response(_) => "response".into(),
            })
            .collect()
    }

    const PING: &str = r#"{"jsonrpc":"2.0","id":7,"method":"ping"}"#;

    #[test]
    fn well_formed_messages_pass_through() {
        let input = format!("{}{}", frame(PING), frame(r#"{"jsonrpc":"2.0","method":"note","params":{}}"#));
        let (messages, replies, logs) = read_all(input.as_bytes());
        assert_eq!(methods(&messages), ["ping", "note"]);
        assert!(replies.is_empty() && logs.is_empty(), "{replies:?} {logs:?}");
    }

    #[test]
    fn a_lying_length_is_skipped_up_to_the_next_header() {
        let input = format!("Content-Length: 99999999999\r\n\r\n{{}}{}", frame(PING));
        let (messages, _, logs) = read_all(input.as_bytes());
        assert_eq!(methods(&messages), ["ping"]);
        assert!(logs[0].contains("over the limit"), "{logs:?}");
    }

    #[test]
    fn a_large_message_is_skipped_without_losing_the_next() {
        let text = format!("{}Content-Length: 5 ", "x".repeat(1000)).repeat(MAX_MESSAGE_BYTES / 1000);
        let big = format!(r#"{{"text":"{text}"}}"#);
        let input = format!("{}{}", frame(&big), frame(PING));
        let (messages, _, logs) = read_all(input.as_bytes());
        assert_eq!(methods(&messages), ["ping"], "{logs:?}");
        assert_eq!(logs.len(), 1, "{logs:?}");
    }

    #[test]
    fn garbage_and_headers_without_length_are_skipped() {
        let input = format!("hello\r\nContent-Type: x\r\n\r\n{{\"a\":1}}{}", frame(PING));
        let (messages, _, logs) = read_all(input.as_bytes());
        assert_eq!(methods(&messages), ["ping"]);
        assert!(logs[0].contains("not a framed message"), "{logs:?}");
    }

    #[test]
    fn a_length_that_is_not_a_number_is_skipped() {
        for bad in ["abc", "-5", "1e3", ""] {
            let input = format!("Content-Length: {bad}\r\n\r\n{PING}{}", frame(PING));
            let (messages, _, logs) = read_all(input.as_bytes());
            assert_eq!(methods(&messages), ["ping"], "{bad}: {logs:?}");
        }
    }

    #[test]
    fn a_short_body_resynchronizes_at_the_next_header() {
        let input = format!("Content-Length: 60\r\n\r\n{{}}{}", frame(PING));
        let (messages, _, _) = read_all(input.as_bytes());
        assert_eq!(methods(&messages), ["ping"]);
    }

    #[test]
    fn bodies_that_are_not_messages_get_json_rpc_errors() {
        let cases = [
            ("{not json", PARSE_ERROR, Value::Null),
            ("[1, 2]", INVALID_REQUEST, Value::Null),
            (r#"{"jsonrpc":"2.0"}"#, INVALID_REQUEST, Value::Null),
            (r#"{"jsonrpc":"2.0","id":{},"method":"x"}"#, INVALID_REQUEST, Value::Null),
            (r#"{"jsonrpc":"2.0","id":3,"method":5}"#, INVALID_REQUEST, json!(3)),
        ];
        for (body, code, id) in cases {
            let input = format!("{}{}", frame(body), frame(PING));
            let (messages, replies, logs) = read_all(input.as_bytes());
            assert_eq!(methods(&messages), ["ping"], "{body}");
            assert_eq!(replies.len(), 1, "{body}: {logs:?}");
            let reply: Value = serde_json::from_str(&replies[0]).expect("a JSON reply");
            assert_eq!(reply["error"]["code"], code, "{body}");
            assert_eq!(reply["id"], id, "{body}");
        }
    }

    #[test]
    fn a_long_header_line_is_skipped() {
        let input = format!("Content-Length: 2\r\nX-Junk: {}\r\n\r\n{{}}{}", "x".repeat(10_000), frame(PING));
        let (messages, _, _) = read_all(input.as_bytes());
        assert!(methods(&messages).contains(&"ping".to_string()));
    }

    #[test]
    fn lowercase_headers_and_a_header_cut_by_the_end_are_fine() {
        let input = format!("content-length: {}\r\n\r\n{PING}Content-Len", PING.len());
        let (messages, _, _) = read_all(input.as_bytes());
        assert_eq!(methods(&messages), ["ping"]);
    }
}
