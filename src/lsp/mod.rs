//! The language server (`mdl lsp`): the same diagnostics as `mdl check`, plus
//! hover, go to definition, completion, formatting and document symbols.
//!
//! Input: JSON-RPC over stdio from an editor, read by `transport` (which
//! survives malformed input and caps message sizes). Notifications update the
//! [`State`](state::State): open documents, unsaved text taking the place of
//! the files on disk, and the groups of files analysed together (a project's
//! environments with the documents under its root, see `project`). Edits that
//! arrive together are analysed once, on an analysis thread, when the queue
//! is empty; a newer edit cancels the analysis under way, and a cancelled
//! analysis never publishes. Requests are answered at once from the latest
//! finished analysis (a document just opened waits for its first). Requests
//! read the checker's result (`Report::checked`) of the latest
//! analysis that checked: what a name refers to, its type and declaration
//! are the checker's answers, never re-derived. A message the server cannot
//! use (params of the wrong shape, a document over the size limit) is logged
//! and answered as the protocol says, never fatal.

mod actions;
mod analysis;
mod completion;
mod context;
mod diagnostics;
mod documents;
mod inlay;
mod navigate;
mod position;
mod project;
mod references;
mod resolve;
mod signature;
pub mod state;
mod symbols;
#[cfg(test)]
mod tests;
mod tokens;
pub mod transport;

use std::error::Error;

use crossbeam_channel::{select, Receiver, RecvError};
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidChangeWatchedFiles, DidCloseTextDocument, DidOpenTextDocument,
    DidSaveTextDocument, Initialized, LogMessage, Notification as _, PublishDiagnostics, ShowMessage,
};
use lsp_types::request::{
    CodeActionRequest, Completion, DocumentSymbolRequest, FoldingRangeRequest, Formatting, GotoDefinition,
    HoverRequest, InlayHintRequest, References, RegisterCapability, Rename, Request as _,
    SemanticTokensFullRequest, SignatureHelpRequest, WorkspaceSymbolRequest,
};
use lsp_types::{
    CodeActionProviderCapability, CompletionOptions, DidChangeWatchedFilesRegistrationOptions,
    FileSystemWatcher, FoldingRangeProviderCapability, GlobPattern, HoverProviderCapability,
    LogMessageParams, MessageType, OneOf, PublishDiagnosticsParams, Registration, RegistrationParams,
    SemanticTokensFullOptions, SemanticTokensOptions, SemanticTokensServerCapabilities, ServerCapabilities,
    ShowMessageParams, SignatureHelpOptions, TextDocumentSyncCapability, TextDocumentSyncKind, Url,
};

use state::State;

/// The largest document analysed: the size limit of a spec file on disk.
pub const MAX_DOCUMENT_BYTES: usize = crate::workspace::MAX_FILE_BYTES as usize;

/// Serve one editor over stdin/stdout until it says `exit` or its input ends.
pub fn run_stdio() -> Result<(), Box<dyn Error + Send + Sync>> {
    let (connection, io_threads) = transport::stdio()?;
    let capabilities = serde_json::to_value(capabilities())?;
    if let Some(params) = transport::initialize(&connection, capabilities) {
        let watch = can_register_watchers(&params);
        Server {
            connection: &connection,
            state: State::default(),
            watch,
            analysing: None,
            waiting: Vec::new(),
        }
        .serve()?;
    }
    drop(connection);
    io_threads.join();
    Ok(())
}

/// The capabilities the server announces.
pub fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::FULL)),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        completion_provider: Some(CompletionOptions {
            // Clients ask on identifier characters themselves; a space or a
            // brace would pop up names in comments and after numbers.
            trigger_characters: Some(vec![".".into(), "=".into()]),
            ..CompletionOptions::default()
        }),
        document_symbol_provider: Some(OneOf::Left(true)),
        document_formatting_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        rename_provider: Some(OneOf::Left(true)),
        code_action_provider: Some(CodeActionProviderCapability::Simple(true)),
        signature_help_provider: Some(SignatureHelpOptions {
            trigger_characters: Some(vec!["{".into(), ",".into()]),
            ..SignatureHelpOptions::default()
        }),
        semantic_tokens_provider: Some(SemanticTokensServerCapabilities::SemanticTokensOptions(
            SemanticTokensOptions {
                legend: tokens::legend(),
                full: Some(SemanticTokensFullOptions::Bool(true)),
                ..SemanticTokensOptions::default()
            },
        )),
        folding_range_provider: Some(FoldingRangeProviderCapability::Simple(true)),
        workspace_symbol_provider: Some(OneOf::Left(true)),
        inlay_hint_provider: Some(OneOf::Left(true)),
        ..ServerCapabilities::default()
    }
}

/// Whether the client lets the server register a file watcher.
fn can_register_watchers(params: &serde_json::Value) -> bool {
    params
        .pointer("/capabilities/workspace/didChangeWatchedFiles/dynamicRegistration")
        .and_then(serde_json::Value::as_bool)
        .unwrap_or(false)
}

/// The watcher the server registers: every spec file, so a `git pull` is seen.
fn watcher_registration() -> RegistrationParams {
    let options = DidChangeWatchedFilesRegistrationOptions {
        watchers: vec![FileSystemWatcher {
            glob_pattern: GlobPattern::String("**/*.mdl".into()),
            kind: None,
        }],
    };
    RegistrationParams {
        registrations: vec![Registration {
            id: "mdl-watch-specs".into(),
            method: DidChangeWatchedFiles::METHOD.into(),
            register_options: serde_json::to_value(options).ok(),
        }],
    }
}

/// Answer a request from the state as it is (its latest finished
/// analyses): the result as JSON, or the protocol's error.
pub fn answer(
    state: &State,
    method: &str,
    params: serde_json::Value,
) -> Result<serde_json::Value, (ErrorCode, String)> {
    match method {
        HoverRequest::METHOD => run(state, params, navigate::hover),
        GotoDefinition::METHOD => run(state, params, navigate::definition),
        Completion::METHOD => run(state, params, completion::complete),
        DocumentSymbolRequest::METHOD => run(state, params, symbols::document_symbols),
        Formatting::METHOD => run(state, params, navigate::format),
        References::METHOD => run(state, params, references::references),
        Rename::METHOD => run(state, params, references::rename),
        CodeActionRequest::METHOD => run(state, params, actions::code_actions),
        SignatureHelpRequest::METHOD => run(state, params, signature::signature_help),
        SemanticTokensFullRequest::METHOD => run(state, params, tokens::full),
        FoldingRangeRequest::METHOD => run(state, params, symbols::folding_ranges),
        WorkspaceSymbolRequest::METHOD => run(state, params, symbols::workspace_symbols),
        InlayHintRequest::METHOD => run(state, params, inlay::hints),
        _ => Err((ErrorCode::MethodNotFound, format!("unsupported request {method}"))),
    }
}

/// Decode the params, run the handler, encode the answer.
fn run<P, R>(
    state: &State,
    params: serde_json::Value,
    handler: Handler<P, R>,
) -> Result<serde_json::Value, (ErrorCode, String)>
where
    P: serde::de::DeserializeOwned,
    R: serde::Serialize,
{
    let params: P = serde_json::from_value(params)
        .map_err(|e| (ErrorCode::InvalidParams, format!("invalid params: {e}")))?;
    serde_json::to_value(handler(state, params)).map_err(|e| (ErrorCode::InternalError, e.to_string()))
}

struct Server<'c> {
    connection: &'c Connection,
    state: State,
    /// Whether to register a file watcher once initialized.
    watch: bool,
    /// Where the analysis under way sends its result.
    analysing: Option<Receiver<state::Finished>>,
    /// Requests that wait for the analysis under way (see [`Server::serve`]).
    waiting: Vec<Request>,
}

type Outcome = Result<(), Box<dyn Error + Send + Sync>>;

/// What the server waits for between steps.
enum Next {
    /// A message from the editor.
    Message(Message),
    /// The analysis under way ended (or its thread stopped).
    Finished(Result<state::Finished, RecvError>),
    /// The editor closed the connection.
    Closed,
}

/// A request handler: reads the state, answers from it.
type Handler<P, R> = fn(&State, P) -> R;

impl Server<'_> {
    /// Handle messages. Whenever no message is waiting and something
    /// changed, analyse on the analysis thread (so a burst of edits is
    /// analysed once); a change meanwhile cancels that analysis, and the
    /// next one starts when it has stopped. Requests are answered at once
    /// from the latest finished analysis, except about a document none has
    /// seen yet (just opened): those wait for the analysis under way.
    fn serve(&mut self) -> Outcome {
        loop {
            if self.analysing.is_none() && self.connection.receiver.is_empty() {
                self.start()?;
            }
            let message = match self.next() {
                Next::Message(message) => message,
                Next::Finished(finished) => {
                    self.collect(finished)?;
                    continue;
                }
                Next::Closed => return Ok(()),
            };
            match message {
                Message::Request(request) => {
                    if self.connection.handle_shutdown(&request)? {
                        return Ok(());
                    }
                    if self.must_wait(&request) {
                        self.waiting.push(request);
                    } else {
                        self.request(request)?;
                    }
                }
                Message::Notification(notification) => self.notification(notification)?,
                Message::Response(_) => {}
            }
        }
    }

    /// Start an analysis of what changed, if anything did.
    fn start(&mut self) -> Outcome {
        if !self.state.needs_refresh() {
            return Ok(());
        }
        let job = self.state.plan();
        let (sender, receiver) = crossbeam_channel::bounded(1);
        std::thread::Builder::new().name("mdl-lsp-analysis".into()).spawn(move || {
            let _ = sender.send(job.run());
        })?;
        self.analysing = Some(receiver);
        Ok(())
    }

    /// Wait for whichever comes first: the editor's next message or the end
    /// of the analysis under way (woken by either, never polling).
    fn next(&self) -> Next {
        let message = |received: Result<Message, RecvError>| received.map_or(Next::Closed, Next::Message);
        match &self.analysing {
            Some(analysis) => select! {
                recv(self.connection.receiver) -> received => message(received),
                recv(analysis) -> finished => Next::Finished(finished),
            },
            None => message(self.connection.receiver.recv()),
        }
    }

    /// Take in the analysis that ended: publish and log what it found
    /// (unless a change cancelled it), answer the requests waiting.
    fn collect(&mut self, finished: Result<state::Finished, RecvError>) -> Outcome {
        self.analysing = None;
        let Ok(finished) = finished else { return Err("the analysis thread stopped".into()) };
        if let Some((publish, logs)) = self.state.install(finished) {
            for line in logs {
                self.log(line)?;
            }
            for (uri, diagnostics) in publish {
                self.publish(uri, diagnostics)?;
            }
        }
        for request in std::mem::take(&mut self.waiting) {
            if self.must_wait(&request) {
                self.waiting.push(request);
            } else {
                self.request(request)?;
            }
        }
        Ok(())
    }

    /// Whether a request is about a document no finished analysis has seen
    /// while one that will is pending. References and rename answer only
    /// from an analysis of the editor's text (edits computed from an older
    /// one would land in the wrong place), so they also wait for that.
    fn must_wait(&self, request: &Request) -> bool {
        let pending = self.analysing.is_some() || self.state.needs_refresh();
        let current = matches!(request.method.as_str(), References::METHOD | Rename::METHOD);
        let document = request.params.pointer("/textDocument/uri").and_then(serde_json::Value::as_str);
        let unseen = document.and_then(|uri| Url::parse(uri).ok()).is_some_and(|url| match current {
            true => !self.state.has_current_analysis(&url),
            false => !self.state.has_analysis(&url),
        });
        pending && unseen
    }

    fn request(&mut self, request: Request) -> Outcome {
        let Request { id, method, params } = request;
        let result = answer(&self.state, &method, params);
        let response = match result {
            Ok(value) => Response::new_ok(id, value),
            Err((code, message)) => {
                transport::log(&format!("{method}: {message}"));
                Response::new_err(id, code as i32, message)
            }
        };
        self.connection.sender.send(Message::Response(response))?;
        Ok(())
    }

    /// A notification whose params do not decode is logged and dropped: the
    /// protocol has no way to answer it.
    fn notification(&mut self, notification: Notification) -> Outcome {
        let method = notification.method.clone();
        if method == Initialized::METHOD && self.watch {
            let request = Request::new(
                RequestId::from("mdl-register-watcher".to_string()),
                RegisterCapability::METHOD.into(),
                watcher_registration(),
            );
            self.connection.sender.send(Message::Request(request))?;
            return Ok(());
        }
        if let Err(error) = self.apply(notification) {
            transport::log(&format!("ignored {method}: invalid params: {error}"));
        }
        Ok(())
    }

    /// Record what a notification changes.
    fn apply(&mut self, notification: Notification) -> Result<(), serde_json::Error> {
        let params = notification.params;
        match notification.method.as_str() {
            DidOpenTextDocument::METHOD => {
                let params: lsp_types::DidOpenTextDocumentParams = serde_json::from_value(params)?;
                let document = params.text_document;
                self.set_document(&document.uri, document.text, document.version);
            }
            DidChangeTextDocument::METHOD => {
                let params: lsp_types::DidChangeTextDocumentParams = serde_json::from_value(params)?;
                // Full sync: the last change holds the whole text.
                if let Some(change) = params.content_changes.into_iter().last() {
                    self.set_document(&params.text_document.uri, change.text, params.text_document.version);
                }
            }
            DidSaveTextDocument::METHOD => {
                let _: lsp_types::DidSaveTextDocumentParams = serde_json::from_value(params)?;
            }
            DidCloseTextDocument::METHOD => {
                let params: lsp_types::DidCloseTextDocumentParams = serde_json::from_value(params)?;
                self.state.close(&params.text_document.uri);
            }
            DidChangeWatchedFiles::METHOD => {
                let params: lsp_types::DidChangeWatchedFilesParams = serde_json::from_value(params)?;
                let urls: Vec<Url> = params.changes.into_iter().map(|change| change.uri).collect();
                self.state.disk_changed(&urls);
            }
            _ => {}
        }
        Ok(())
    }

    /// Keep the editor's text, unless it is over [`MAX_DOCUMENT_BYTES`]: such a
    /// document is not analysed (its diagnostics are cleared) and the editor
    /// is told why.
    fn set_document(&mut self, url: &Url, text: String, version: i32) {
        if text.len() <= MAX_DOCUMENT_BYTES {
            self.state.set(url, text);
            self.state.documents.set_version(url, version);
            return;
        }
        self.state.close(url);
        let message = format!(
            "{url} is {} bytes, over the {} MiB limit for a spec file: mdl does not analyse it",
            text.len(),
            MAX_DOCUMENT_BYTES >> 20
        );
        transport::log(&message);
        let params = ShowMessageParams { typ: MessageType::WARNING, message };
        let _ = self
            .connection
            .sender
            .send(Message::Notification(Notification::new(ShowMessage::METHOD.to_string(), params)));
    }

    /// A line in the editor's log of the server (`window/logMessage`).
    fn log(&self, message: String) -> Outcome {
        let params = LogMessageParams { typ: MessageType::INFO, message };
        let notification = Notification::new(LogMessage::METHOD.to_string(), params);
        self.connection.sender.send(Message::Notification(notification))?;
        Ok(())
    }

    /// Publish `diagnostics` for `uri`, with the version of the text they were
    /// found in: an analysis is installed only when no change came after it
    /// was planned, so the open document's version now is the one it read.
    fn publish(&self, uri: Url, diagnostics: Vec<lsp_types::Diagnostic>) -> Outcome {
        let version = self.state.documents.version(&uri);
        let params = PublishDiagnosticsParams { uri, diagnostics, version };
        let notification = Notification::new(PublishDiagnostics::METHOD.to_string(), params);
        self.connection.sender.send(Message::Notification(notification))?;
        Ok(())
    }
}
