//! `mdl check`'s diagnostics in the editor: same codes, messages and labels.

use lsp_types::{DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString, Url};

use super::analysis::Analysis;
use super::documents::Documents;
use super::position;
use crate::diag::{Diagnostic, Severity};
use crate::source::{Sources, Span};

/// Diagnostics for every open document and what it imports: a change to one
/// file can break an environment in another that imports it. Each file's
/// list is complete (an empty list clears what the editor showed), merged over
/// every analysis that saw it.
pub fn for_open_documents(documents: &Documents) -> Vec<(Url, Vec<lsp_types::Diagnostic>)> {
    let mut merged: Vec<(Url, Vec<lsp_types::Diagnostic>)> = Vec::new();
    for url in documents.urls() {
        for (file_url, diagnostics) in for_document(documents, &url) {
            let index = match merged.iter().position(|(u, _)| *u == file_url) {
                Some(index) => index,
                None => {
                    merged.push((file_url, Vec::new()));
                    merged.len() - 1
                }
            };
            let list = &mut merged[index].1;
            for diagnostic in diagnostics {
                if !list.contains(&diagnostic) {
                    list.push(diagnostic);
                }
            }
        }
    }
    merged
}

/// Diagnostics for the document and every spec file it imports.
fn for_document(documents: &Documents, url: &Url) -> Vec<(Url, Vec<lsp_types::Diagnostic>)> {
    let Some(analysis) = Analysis::of(documents, url) else { return Vec::new() };
    let sources = &analysis.report.workspace.sources;
    let mut by_file: Vec<(Url, Vec<lsp_types::Diagnostic>)> = sources
        .iter()
        .filter_map(|(_, file)| file.path.as_ref().and_then(|p| Url::from_file_path(p).ok()))
        .map(|u| (u, Vec::new()))
        .collect();
    if !by_file.iter().any(|(u, _)| u == url) {
        by_file.push((url.clone(), Vec::new()));
    }
    for diagnostic in &analysis.report.diagnostics {
        let span = diagnostic.primary.span;
        // The document itself is published under the editor's URL, whatever its scheme.
        let target = match analysis.file {
            Some(file) if file == span.file => sources.get(file).map(|f| Location {
                uri: url.clone(),
                range: position::range(f, span.start as usize, span.end as usize),
            }),
            _ => location(sources, span),
        };
        let Some(target) = target else { continue };
        if let Some((_, list)) = by_file.iter_mut().find(|(u, _)| *u == target.uri) {
            list.push(convert(sources, diagnostic, target.range));
        }
    }
    by_file
}

fn convert(sources: &Sources, diagnostic: &Diagnostic, range: lsp_types::Range) -> lsp_types::Diagnostic {
    let mut message = diagnostic.message.clone();
    if !diagnostic.primary.message.is_empty() {
        message = format!("{message}\n{}", diagnostic.primary.message);
    }
    if let Some(help) = &diagnostic.help {
        message.push_str(&format!("\nhelp: {help}"));
    }
    for note in &diagnostic.notes {
        message.push_str(&format!("\nnote: {note}"));
    }
    let related = diagnostic
        .secondary
        .iter()
        .filter_map(|label| {
            Some(DiagnosticRelatedInformation {
                location: location(sources, label.span)?,
                message: label.message.clone(),
            })
        })
        .collect::<Vec<_>>();
    lsp_types::Diagnostic {
        range,
        severity: Some(match diagnostic.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
        }),
        code: Some(NumberOrString::String(diagnostic.code.as_str().to_string())),
        source: Some("mdl".into()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        ..lsp_types::Diagnostic::default()
    }
}

/// Where a span is. Stdlib files live inside the binary; they are written
/// once to a cache folder so the editor can open them.
pub fn location(sources: &Sources, span: Span) -> Option<Location> {
    let file = sources.get(span.file)?;
    let path = match &file.path {
        Some(path) => path.clone(),
        None => stdlib_copy(&file.name, &file.text)?,
    };
    let uri = Url::from_file_path(path).ok()?;
    Some(Location { uri, range: position::range(file, span.start as usize, span.end as usize) })
}

/// A read-only copy of a stdlib file (`std/aws/ecs.mdl`) under the user's
/// cache folder, one folder per mdl version so an upgrade never shows stale text.
fn stdlib_copy(name: &str, text: &str) -> Option<std::path::PathBuf> {
    if !name.starts_with("std/") || name.contains("..") {
        return None;
    }
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| std::path::PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    let path = cache.join(format!("mdl/stdlib-{}", env!("CARGO_PKG_VERSION"))).join(name);
    if std::fs::read_to_string(&path).ok().as_deref() != Some(text) {
        std::fs::create_dir_all(path.parent()?).ok()?;
        std::fs::write(&path, text).ok()?;
    }
    Some(path)
}
