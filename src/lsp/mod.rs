//! The language server (`mdl lsp`): the same diagnostics as `mdl check`, plus
//! hover, go to definition, completion, formatting and document symbols.
//!
//! Input: JSON-RPC over stdio from an editor, read by `transport` (which
//! survives malformed input and caps message sizes). Every request re-runs the
//! library pipeline over the document and what it imports, with unsaved
//! editor text taking the place of the files on disk; the pipeline takes
//! milliseconds, so there is no incremental state to keep consistent. A
//! message the server cannot use (params of the wrong shape, a document over
//! the size limit) is logged and answered as the protocol says, never fatal.
//! Requests read the checker's result (`Report::checked`): what a name refers
//! to, its type and declaration are the checker's answers, never re-derived.

mod analysis;
mod completion;
mod diagnostics;
mod documents;
mod navigate;
mod position;
mod resolve;
mod symbols;
#[cfg(test)]
mod tests;
pub mod transport;

use std::error::Error;

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, DidSaveTextDocument, Notification as _,
    PublishDiagnostics, ShowMessage,
};
use lsp_types::request::{
    Completion, DocumentSymbolRequest, Formatting, GotoDefinition, HoverRequest, Request as _,
};
use lsp_types::{
    CompletionOptions, HoverProviderCapability, MessageType, OneOf, PublishDiagnosticsParams,
    ServerCapabilities, ShowMessageParams, TextDocumentSyncCapability, TextDocumentSyncKind, Url,
};

use documents::Documents;

/// The largest document analysed: the size limit of a spec file on disk.
pub const MAX_DOCUMENT_BYTES: usize = crate::workspace::MAX_FILE_BYTES as usize;

/// Serve one editor over stdin/stdout until it says `exit` or its input ends.
pub fn run_stdio() -> Result<(), Box<dyn Error + Send + Sync>> {
    let (connection, io_threads) = transport::stdio()?;
    let capabilities = serde_json::to_value(capabilities())?;
    if transport::initialize(&connection, capabilities) {
        Server { connection: &connection, documents: Documents::default() }.serve()?;
    }
    drop(connection);
    io_threads.join();
    Ok(())
}

fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::FULL)),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec![".".into(), "{".into(), " ".into()]),
            ..CompletionOptions::default()
        }),
        document_symbol_provider: Some(OneOf::Left(true)),
        document_formatting_provider: Some(OneOf::Left(true)),
        ..ServerCapabilities::default()
    }
}

struct Server<'c> {
    connection: &'c Connection,
    documents: Documents,
}

type Outcome = Result<(), Box<dyn Error + Send + Sync>>;

impl Server<'_> {
    fn serve(&mut self) -> Outcome {
        for message in &self.connection.receiver {
            match message {
                Message::Request(request) => {
                    if self.connection.handle_shutdown(&request)? {
                        return Ok(());
                    }
                    self.request(request)?;
                }
                Message::Notification(notification) => self.notification(notification)?,
                Message::Response(_) => {}
            }
        }
        Ok(())
    }

    fn request(&mut self, request: Request) -> Outcome {
        let Request { id, method, params } = request;
        let result = match method.as_str() {
            HoverRequest::METHOD => self.answer(params, navigate::hover),
            GotoDefinition::METHOD => self.answer(params, navigate::definition),
            Completion::METHOD => self.answer(params, completion::complete),
            DocumentSymbolRequest::METHOD => self.answer(params, symbols::document_symbols),
            Formatting::METHOD => self.answer(params, navigate::format),
            _ => Err((ErrorCode::MethodNotFound, format!("unsupported request {method}"))),
        };
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

    /// Decode the params, run the handler, encode the answer.
    fn answer<P, R>(
        &self,
        params: serde_json::Value,
        handler: fn(&Documents, P) -> R,
    ) -> Result<serde_json::Value, (ErrorCode, String)>
    where
        P: serde::de::DeserializeOwned,
        R: serde::Serialize,
    {
        let params: P = serde_json::from_value(params)
            .map_err(|e| (ErrorCode::InvalidParams, format!("invalid params: {e}")))?;
        serde_json::to_value(handler(&self.documents, params))
            .map_err(|e| (ErrorCode::InternalError, e.to_string()))
    }

    /// A notification whose params do not decode is logged and dropped: the
    /// protocol has no way to answer it.
    fn notification(&mut self, notification: Notification) -> Outcome {
        let method = notification.method.clone();
        match self.apply(notification) {
            Ok(Some(url)) => self.publish_all(url),
            Ok(None) => Ok(()),
            Err(error) => {
                transport::log(&format!("ignored {method}: invalid params: {error}"));
                Ok(())
            }
        }
    }

    /// Record what a notification changes; the document to publish for, if any.
    fn apply(&mut self, notification: Notification) -> Result<Option<Url>, serde_json::Error> {
        let params = notification.params;
        Ok(Some(match notification.method.as_str() {
            DidOpenTextDocument::METHOD => {
                let params: lsp_types::DidOpenTextDocumentParams = serde_json::from_value(params)?;
                self.set_document(&params.text_document.uri, params.text_document.text);
                params.text_document.uri
            }
            DidChangeTextDocument::METHOD => {
                let params: lsp_types::DidChangeTextDocumentParams = serde_json::from_value(params)?;
                // Full sync: the last change holds the whole text.
                if let Some(change) = params.content_changes.into_iter().last() {
                    self.set_document(&params.text_document.uri, change.text);
                }
                params.text_document.uri
            }
            DidSaveTextDocument::METHOD => {
                let params: lsp_types::DidSaveTextDocumentParams = serde_json::from_value(params)?;
                params.text_document.uri
            }
            DidCloseTextDocument::METHOD => {
                let params: lsp_types::DidCloseTextDocumentParams = serde_json::from_value(params)?;
                self.documents.close(&params.text_document.uri);
                let _ = self.publish(params.text_document.uri, Vec::new());
                return Ok(None);
            }
            _ => return Ok(None),
        }))
    }

    /// Keep the editor's text, unless it is over [`MAX_DOCUMENT_BYTES`]: such a
    /// document is not analysed (its diagnostics are cleared) and the editor
    /// is told why.
    fn set_document(&mut self, url: &Url, text: String) {
        if text.len() <= MAX_DOCUMENT_BYTES {
            self.documents.set(url, text);
            return;
        }
        self.documents.close(url);
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

    /// Publish the diagnostics of every open document, and of `url` (cleared when it is not open).
    fn publish_all(&self, url: Url) -> Outcome {
        let mut published = diagnostics::for_open_documents(&self.documents);
        if !published.iter().any(|(u, _)| *u == url) {
            published.push((url, Vec::new()));
        }
        for (file_url, diagnostics) in published {
            self.publish(file_url, diagnostics)?;
        }
        Ok(())
    }

    fn publish(&self, uri: Url, diagnostics: Vec<lsp_types::Diagnostic>) -> Outcome {
        let params = PublishDiagnosticsParams { uri, diagnostics, version: None };
        let notification = Notification::new(PublishDiagnostics::METHOD.to_string(), params);
        self.connection.sender.send(Message::Notification(notification))?;
        Ok(())
    }
}
