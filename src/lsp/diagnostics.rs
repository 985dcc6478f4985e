//! `mdl check`'s diagnostics in the editor: same codes, messages and labels.

use std::path::PathBuf;

use lsp_types::{DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString};

use super::analysis::{map_offset, Analysis};
use super::documents::Documents;
use super::position;
use crate::diag::{Diagnostic, Fix, Severity};
use crate::source::{FileId, Sources, Span};

/// The diagnostics of every file an analysis loaded from a path (an empty
/// list for a file without any), by path.
pub fn of_analysis(analysis: &Analysis, documents: &Documents) -> Vec<(PathBuf, Vec<lsp_types::Diagnostic>)> {
    let sources = &analysis.report.workspace.sources;
    let mut by_file: Vec<(FileId, PathBuf, Vec<lsp_types::Diagnostic>)> =
        sources.iter().filter_map(|(id, file)| Some((id, file.path.clone()?, Vec::new()))).collect();
    for diagnostic in &analysis.report.diagnostics {
        let span = diagnostic.primary.span;
        let Some((_, _, list)) = by_file.iter_mut().find(|(id, _, _)| *id == span.file) else { continue };
        let Some(file) = sources.get(span.file) else { continue };
        let range = position::range(file, span.start as usize, span.end as usize);
        list.push(convert(sources, documents, diagnostic, range));
    }
    by_file.into_iter().map(|(_, path, list)| (path, list)).collect()
}

fn convert(
    sources: &Sources,
    documents: &Documents,
    diagnostic: &Diagnostic,
    range: lsp_types::Range,
) -> lsp_types::Diagnostic {
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
                location: location(sources, documents, label.span)?,
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
        data: diagnostic.fix.as_ref().map(fix_data),
        ..lsp_types::Diagnostic::default()
    }
}

/// A fix's facts in the diagnostic's `data`, which the editor sends back
/// with a code action request ([`super::actions`] reads them).
fn fix_data(fix: &Fix) -> serde_json::Value {
    match fix {
        Fix::AddArms { cases } => serde_json::json!({ "add_arms": cases }),
        Fix::Replace { with } => serde_json::json!({ "replace_with": with }),
    }
}

/// Where a span is, under the file's one URI ([`Documents::url_of`]). Stdlib
/// files live inside the binary; they are written once to a cache folder so
/// the editor can open them. A span of an analysis older than the editor's
/// text (an edit is being analysed, or did not parse) is moved to where its
/// text is now; one inside the edit has no place, and no location.
pub fn location(sources: &Sources, documents: &Documents, span: Span) -> Option<Location> {
    let file = sources.get(span.file)?;
    let path = match &file.path {
        Some(path) => path.clone(),
        None => stdlib_copy(&file.name, &file.text)?,
    };
    let uri = documents.url_of(&path)?;
    let (start, end) = (span.start as usize, span.end as usize);
    let range = match documents.text_at(&path) {
        Some(current) if *current != file.text => {
            let moved = |offset| map_offset(&file.text, current, offset);
            let (start, end) = (moved(start)?, moved(end)?);
            lsp_types::Range {
                start: position::position(current, start),
                end: position::position(current, end),
            }
        }
        _ => position::range(file, start, end),
    };
    Some(Location { uri, range })
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
