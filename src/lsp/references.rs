//! References and rename, across every file of the analysis: the names the
//! checker's resolution table says refer to the declaration under the cursor
//! (`Checked::references`), its declaration included.
//!
//! Both answer only from an analysis of the editor's current text: edits
//! computed from an older text would land in the wrong place. While a file
//! does not parse, references list what the rest of it names; rename waits
//! (a use inside the broken item would be left behind). Rename refuses
//! (answers nothing) what the language or the stdlib declares, and a new
//! name that is not a name.

use std::collections::HashMap;

use lsp_types::{Location, ReferenceParams, RenameParams, TextEdit, Url, WorkspaceEdit};

use super::analysis::View;
use super::diagnostics::location;
use super::navigate::node_at;
use super::state::State;
use crate::check::Def;
use crate::source::Span;

/// Every place that names what the cursor names. While the file does not
/// parse, the places in what parsed (the analysis of the current text).
pub fn references(state: &State, params: ReferenceParams) -> Option<Vec<Location>> {
    let at = params.text_document_position;
    let view = state.current_view(&at.text_document.uri).filter(|v| !v.stale)?;
    let def = node_at(&view, at.position)?.def;
    let mut spans = spans_of(&view, def);
    if !params.context.include_declaration {
        let declared = view.checked().declaration(view.workspace(), def);
        spans.retain(|span| Some(*span) != declared);
    }
    let sources = &view.workspace().sources;
    Some(spans.into_iter().filter_map(|span| location(sources, &state.documents, span)).collect())
}

/// The declaration and every use of `def`, in file and offset order.
fn spans_of(view: &View, def: Def) -> Vec<Span> {
    let mut spans = view.checked().references(def);
    if let Some(declared) = view.checked().declaration(view.workspace(), def) {
        if !spans.contains(&declared) && declared.start < declared.end {
            spans.push(declared);
        }
    }
    spans.sort_by_key(|s| (s.file, s.start));
    spans.dedup();
    spans
}

/// The edits that rename what the cursor names, in every file that names it.
pub fn rename(state: &State, params: RenameParams) -> Option<WorkspaceEdit> {
    let at = params.text_document_position;
    let new_name = params.new_name;
    if !is_name(&new_name) {
        return None;
    }
    let view = state.view(&at.text_document.uri).filter(|v| !v.stale)?;
    let def = node_at(&view, at.position)?.def;
    if !renamable(def) {
        return None;
    }
    let spans = spans_of(&view, def);
    let sources = &view.workspace().sources;
    // Only the user's files: the stdlib is part of mdl.
    if spans.iter().any(|span| sources.get(span.file).map_or(true, |file| file.path.is_none())) {
        return None;
    }
    let mut changes: HashMap<Url, Vec<TextEdit>> = HashMap::new();
    for span in spans {
        let Some(place) = location(sources, &state.documents, span) else { continue };
        changes
            .entry(place.uri)
            .or_default()
            .push(TextEdit { range: place.range, new_text: new_name.clone() });
    }
    Some(WorkspaceEdit { changes: Some(changes), ..WorkspaceEdit::default() })
}

/// Whether the user declared `def` (what the language provides keeps its name).
fn renamable(def: Def) -> bool {
    match def {
        Def::Decl(_)
        | Def::Member { .. }
        | Def::Local { .. }
        | Def::Variant { .. }
        | Def::Setting { declared: Some(_) }
        | Def::ProjectField { .. }
        | Def::Environment { .. }
        | Def::Field { .. }
        | Def::Shared { .. }
        | Def::Output { .. } => true,
        Def::Namespace(_)
        | Def::Builtin(_)
        | Def::BuiltinType(_)
        | Def::Env
        | Def::EnvName
        | Def::Setting { declared: None }
        | Def::Project(_)
        | Def::Aws
        | Def::Pseudo(_) => false,
    }
}

/// A name as the grammar reads one: a letter or `_`, then letters, digits, `_`.
fn is_name(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}
