//! Hover, go to definition and formatting.

use lsp_types::{
    DocumentFormattingParams, GotoDefinitionParams, GotoDefinitionResponse, Hover, HoverContents,
    HoverParams, MarkupContent, MarkupKind, TextEdit,
};

use super::analysis::View;
use super::diagnostics::location;
use super::position;
use super::resolve::target;
use super::state::State;
use crate::check::{Node, Type};
use crate::units::Unit;

/// What the name under the cursor refers to: its signature, the type the
/// checker gave it, its doc comment.
pub fn hover(state: &State, params: HoverParams) -> Option<Hover> {
    let at = params.text_document_position_params;
    let view = state.view(&at.text_document.uri)?;
    let Some(node) = node_at(&view, at.position) else {
        return unit_hover(view.text, position::offset(view.text, at.position));
    };
    let workspace = view.workspace();
    let target = target(workspace, node.def)?;
    let mut value = format!("```mdl\n{}\n```", target.signature);
    if worth_showing(node.ty) {
        let shown = view.checked().show(workspace, view.module?, node.ty);
        value.push_str(&format!("\n\nType: `{shown}`"));
    }
    if let Some(doc) = &target.doc {
        value.push_str("\n\n");
        value.push_str(doc);
    }
    Some(markdown(value))
}

/// The unit after a number under the cursor (`2 GB`): what it measures and
/// what it is worth in the dimension's smallest unit.
fn unit_hover(text: &str, offset: usize) -> Option<Hover> {
    let is_unit_char = |c: char| c.is_ascii_alphabetic() || c == '%';
    let start = text[..offset].trim_end_matches(is_unit_char).len();
    let end = offset + text[offset..].find(|c: char| !is_unit_char(c)).unwrap_or(text.len() - offset);
    let unit = Unit::parse(&text[start..end])?;
    let number = text[..start].trim_end_matches([' ', '\t']);
    if !number.ends_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let dimension = unit.dimension();
    let smallest = dimension.units()[0];
    let mut value = format!("```mdl\n{}\n```\n\nA unit of `{}`", unit.symbol(), dimension.type_name());
    if smallest != unit {
        let worth = unit.scale() / smallest.scale();
        value.push_str(&format!(": `{}` = `{}`", unit.write(1.0), smallest.write(worth)));
    }
    value.push_str(&format!(". Units of `{}`: ", dimension.type_name()));
    let all: Vec<String> = dimension.units().iter().map(|u| format!("`{}`", u.symbol())).collect();
    value.push_str(&all.join(", "));
    value.push('.');
    Some(markdown(value))
}

/// A hover of Markdown text.
pub fn markdown(value: String) -> Hover {
    Hover {
        contents: HoverContents::Markup(MarkupContent { kind: MarkupKind::Markdown, value }),
        range: None,
    }
}

/// A type that says more than the signature: not a name's kind, not an error.
fn worth_showing(ty: &Type) -> bool {
    !(ty.is_kind() || matches!(ty, Type::Unknown | Type::Resource))
}

/// Where the name under the cursor is declared, across files and into the stdlib.
pub fn definition(state: &State, params: GotoDefinitionParams) -> Option<GotoDefinitionResponse> {
    let at = params.text_document_position_params;
    let view = state.view(&at.text_document.uri)?;
    let node = node_at(&view, at.position)?;
    let declared = view.checked().declaration(view.workspace(), node.def)?;
    let location = location(&view.workspace().sources, &state.documents, declared)?;
    Some(GotoDefinitionResponse::Scalar(location))
}

/// The name at the cursor, as the checker resolved it.
pub fn node_at<'a>(view: &View<'a>, at: lsp_types::Position) -> Option<Node<'a>> {
    let offset = view.analysed_offset(position::offset(view.text, at))?;
    view.checked().node_at(view.file, u32::try_from(offset).ok()?)
}

/// The whole document in canonical layout; no edit when it has syntax errors
/// (the diagnostics already say where).
pub fn format(state: &State, params: DocumentFormattingParams) -> Option<Vec<TextEdit>> {
    let text = state.documents.text(&params.text_document.uri)?;
    let formatted = crate::syntax::format::format_source(crate::source::FileId(0), text).ok()?;
    if formatted == text {
        return Some(Vec::new());
    }
    let range =
        lsp_types::Range { start: lsp_types::Position::new(0, 0), end: position::position(text, text.len()) };
    Some(vec![TextEdit { range, new_text: formatted }])
}
