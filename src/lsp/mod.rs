//! The language server (`mdl lsp`): the same diagnostics as `mdl check`, plus
//! hover, go to definition, completion, formatting and document symbols.
//!
//! Input: JSON-RPC over stdio from an editor. Every request re-runs the
//! library pipeline over the document and what it imports, with unsaved
//! editor text taking the place of the files on disk; the pipeline takes
//! milliseconds, so there is no incremental state to keep consistent.
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

use std::error::Error;

use lsp_server::{Connection, Message, Notification, Request, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, DidSaveTextDocument, Notification as _,
    PublishDiagnostics,
};
use lsp_types::request::{
    Completion, DocumentSymbolRequest, Formatting, GotoDefinition, HoverRequest, Request as _,
};
use lsp_types::{
    CompletionOptions, HoverProviderCapability, OneOf, PublishDiagnosticsParams, ServerCapabilities,
    TextDocumentSyncCapability, TextDocumentSyncKind, Url,
};

use documents::Documents;

/// Serve one editor over stdin/stdout until it says `exit`.
pub fn run_stdio() -> Result<(), Box<dyn Error + Send + Sync>> {
    let (connection, io_threads) = Connection::stdio();
    let capabilities = serde_json::to_value(capabilities())?;
    connection.initialize(capabilities)?;
    Server { connection: &connection, documents: Documents::default() }.serve()?;
    drop(connection);
    io_threads.join()?;
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
        let id = request.id.clone();
        let result = match request.method.as_str() {
            HoverRequest::METHOD => self.answer(request, navigate::hover),
            GotoDefinition::METHOD => self.answer(request, navigate::definition),
            Completion::METHOD => self.answer(request, completion::complete),
            DocumentSymbolRequest::METHOD => self.answer(request, symbols::document_symbols),
            Formatting::METHOD => self.answer(request, navigate::format),
            _ => Err(format!("unsupported request {}", request.method)),
        };
        let response = match result {
            Ok(value) => Response::new_ok(id, value),
            Err(message) => Response::new_err(id, lsp_server::ErrorCode::MethodNotFound as i32, message),
        };
        self.connection.sender.send(Message::Response(response))?;
        Ok(())
    }

    /// Decode the params, run the handler, encode the answer.
    fn answer<P, R>(
        &self,
        request: Request,
        handler: fn(&Documents, P) -> R,
    ) -> Result<serde_json::Value, String>
    where
        P: serde::de::DeserializeOwned,
        R: serde::Serialize,
    {
        let params: P = serde_json::from_value(request.params).map_err(|e| e.to_string())?;
        serde_json::to_value(handler(&self.documents, params)).map_err(|e| e.to_string())
    }

    fn notification(&mut self, notification: Notification) -> Outcome {
        let url = match notification.method.as_str() {
            DidOpenTextDocument::METHOD => {
                let params: lsp_types::DidOpenTextDocumentParams =
                    serde_json::from_value(notification.params)?;
                self.documents.set(&params.text_document.uri, params.text_document.text);
                params.text_document.uri
            }
            DidChangeTextDocument::METHOD => {
                let params: lsp_types::DidChangeTextDocumentParams =
                    serde_json::from_value(notification.params)?;
                // Full sync: the last change holds the whole text.
                if let Some(change) = params.content_changes.into_iter().last() {
                    self.documents.set(&params.text_document.uri, change.text);
                }
                params.text_document.uri
            }
            DidSaveTextDocument::METHOD => {
                let params: lsp_types::DidSaveTextDocumentParams =
                    serde_json::from_value(notification.params)?;
                params.text_document.uri
            }
            DidCloseTextDocument::METHOD => {
                let params: lsp_types::DidCloseTextDocumentParams =
                    serde_json::from_value(notification.params)?;
                self.documents.close(&params.text_document.uri);
                return self.publish(params.text_document.uri, Vec::new());
            }
            _ => return Ok(()),
        };
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
