//! Hover, go to definition and formatting.

use lsp_types::{
    DocumentFormattingParams, GotoDefinitionParams, GotoDefinitionResponse, Hover, HoverContents,
    HoverParams, MarkupContent, MarkupKind, TextEdit,
};

use super::analysis::Analysis;
use super::diagnostics::location;
use super::documents::Documents;
use super::locate::locate;
use super::position;
use super::resolve::{resolve, Target};
use crate::check;

/// The declaration under the cursor: its signature and doc comment.
pub fn hover(documents: &Documents, params: HoverParams) -> Option<Hover> {
    let at = params.text_document_position_params;
    let (analysis, target) = target_at(documents, &at.text_document.uri, at.position)?;
    let mut value = format!("```mdl\n{}\n```", target.signature);
    let workspace = &analysis.report.workspace;
    if let Some(ty) =
        target.member.and_then(|(body, i)| check::member_type(workspace, &analysis.scopes, body, i))
    {
        value.push_str(&format!("\n\nType: `{ty}`"));
    }
    if let Some(doc) = &target.doc {
        value.push_str("\n\n");
        value.push_str(doc);
    }
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent { kind: MarkupKind::Markdown, value }),
        range: None,
    })
}

/// Where the name under the cursor is declared, across files and into the stdlib.
pub fn definition(documents: &Documents, params: GotoDefinitionParams) -> Option<GotoDefinitionResponse> {
    let at = params.text_document_position_params;
    let (analysis, target) = target_at(documents, &at.text_document.uri, at.position)?;
    let location = location(&analysis.report.workspace.sources, target.span)?;
    Some(GotoDefinitionResponse::Scalar(location))
}

fn target_at(
    documents: &Documents,
    url: &lsp_types::Url,
    at: lsp_types::Position,
) -> Option<(Analysis, Target)> {
    let analysis = Analysis::of(documents, url)?;
    let module = analysis.module?;
    let offset = position::offset(analysis.text(), at);
    let workspace = &analysis.report.workspace;
    let hit = locate(&workspace.module(module).ast, u32::try_from(offset).ok()?)?;
    let target = resolve(workspace, analysis.scopes.of(module), module, &hit)?;
    Some((analysis, target))
}

/// The whole document in canonical layout; no edit when it has syntax errors
/// (the diagnostics already say where).
pub fn format(documents: &Documents, params: DocumentFormattingParams) -> Option<Vec<TextEdit>> {
    let text = documents.text(&params.text_document.uri)?;
    let formatted = crate::syntax::format::format_source(crate::source::FileId(0), text).ok()?;
    if formatted == text {
        return Some(Vec::new());
    }
    let range =
        lsp_types::Range { start: lsp_types::Position::new(0, 0), end: position::position(text, text.len()) };
    Some(vec![TextEdit { range, new_text: formatted }])
}
