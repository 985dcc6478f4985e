//! Semantic tokens: every name the checker resolved, coloured by what it
//! refers to (a layer, a construct, a variant, a setting, a built-in). The
//! TextMate grammar colours keywords, strings, numbers and comments; these
//! tokens add what only the checker knows.

use lsp_types::{
    SemanticToken, SemanticTokenModifier, SemanticTokenType, SemanticTokens, SemanticTokensLegend,
    SemanticTokensParams, SemanticTokensResult,
};

use super::position::LineIndex;
use super::state::State;
use crate::check::scope;
use crate::check::Def;
use crate::syntax::ast::ItemKind;

/// Token types, in legend order.
const TYPES: [SemanticTokenType; 9] = [
    SemanticTokenType::NAMESPACE,
    SemanticTokenType::CLASS,
    SemanticTokenType::TYPE,
    SemanticTokenType::ENUM,
    SemanticTokenType::ENUM_MEMBER,
    SemanticTokenType::PROPERTY,
    SemanticTokenType::VARIABLE,
    SemanticTokenType::FUNCTION,
    SemanticTokenType::PARAMETER,
];

/// Modifiers, in legend order: what the language itself provides.
const MODIFIERS: [SemanticTokenModifier; 1] = [SemanticTokenModifier::DEFAULT_LIBRARY];

/// The legend announced in the capabilities.
pub fn legend() -> SemanticTokensLegend {
    SemanticTokensLegend { token_types: TYPES.to_vec(), token_modifiers: MODIFIERS.to_vec() }
}

/// The tokens of a whole document, from the latest analysis that checked
/// (names inside the edit left out while the document does not parse).
pub fn full(state: &State, params: SemanticTokensParams) -> Option<SemanticTokensResult> {
    let view = state.view(&params.text_document.uri)?;
    let ws = view.workspace();
    let lines = LineIndex::new(view.text);
    let mut data = Vec::new();
    let (mut line, mut column) = (0, 0);
    for node in view.checked().table.nodes(view.file) {
        let Some((kind, builtin)) = token_kind(ws, node.def) else { continue };
        let (Some(start), Some(end)) =
            (view.current_offset(node.span.start as usize), view.current_offset(node.span.end as usize))
        else {
            continue;
        };
        let at = lines.position(start);
        let length = view.text.get(start..end).map_or(0, |t| t.encode_utf16().count());
        let delta_line = at.line - line;
        let delta_start = if delta_line == 0 { at.character - column } else { at.character };
        data.push(SemanticToken {
            delta_line,
            delta_start,
            length: u32::try_from(length).unwrap_or(u32::MAX),
            token_type: kind,
            token_modifiers_bitset: u32::from(builtin),
        });
        (line, column) = (at.line, at.character);
    }
    Some(SemanticTokensResult::Tokens(SemanticTokens { result_id: None, data }))
}

/// The token type (index in [`TYPES`]) of a name referring to `def`, and
/// whether the language provides it.
fn token_kind(ws: &crate::workspace::Workspace, def: Def) -> Option<(u32, bool)> {
    Some(match def {
        Def::Decl(decl) => match &scope::item(ws, decl).kind {
            ItemKind::Layer(_) => (0, false),
            ItemKind::Construct(_) => (1, false),
            ItemKind::Type(_) => (2, false),
            ItemKind::Enum(_) => (3, false),
            ItemKind::Import(_) | ItemKind::Project(_) | ItemKind::Environment(_) => return None,
        },
        Def::Namespace(_) => (0, true),
        Def::Variant { .. } | Def::Environment { .. } => (4, false),
        Def::Setting { .. }
        | Def::Field { .. }
        | Def::ProjectField { .. }
        | Def::Shared { .. }
        | Def::Output { .. } => (5, false),
        Def::Pseudo(_) | Def::EnvName => (5, true),
        Def::Member { .. } => (6, false),
        Def::Env | Def::Aws | Def::Project(_) => (6, true),
        Def::Builtin(_) => (7, true),
        Def::BuiltinType(_) => (2, true),
        Def::Local { .. } => (8, false),
    })
}
