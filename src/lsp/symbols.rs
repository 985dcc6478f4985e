//! Document symbols: the outline of a file (project, environments, layers
//! with their services, pipelines and stages, constructs, types, enums).

use lsp_types::{DocumentSymbol, DocumentSymbolParams, DocumentSymbolResponse, SymbolKind};

use super::analysis::View;
use super::position::LineIndex;
use super::state::State;
use crate::source::Span;
use crate::syntax::ast::*;

/// The outline of the document.
///
/// One pass over the items, with positions from a line index: linear in the
/// size of the file. While the file does not parse, the outline is the last
/// good one, without what the edit touched.
pub fn document_symbols(state: &State, params: DocumentSymbolParams) -> Option<DocumentSymbolResponse> {
    let view = state.view(&params.text_document.uri)?;
    let module = view.workspace().module(view.module?);
    let place = Place { view: &view, lines: LineIndex::new(view.text) };
    let symbols = module.ast.items.iter().filter_map(|item| item_symbol(&place, item)).collect();
    Some(DocumentSymbolResponse::Nested(symbols))
}

/// Where symbols go: the editor's text, through the analysed text's offsets.
struct Place<'v> {
    view: &'v View<'v>,
    lines: LineIndex<'v>,
}

impl Place<'_> {
    /// The range in the editor's text of a span of the analysed text.
    fn range(&self, span: Span) -> Option<lsp_types::Range> {
        let (start, end) = if self.view.stale {
            (self.view.current_offset(span.start as usize)?, self.view.current_offset(span.end as usize)?)
        } else {
            (span.start as usize, span.end as usize)
        };
        Some(self.lines.range(start, end))
    }
}

fn item_symbol(place: &Place, item: &Item) -> Option<DocumentSymbol> {
    let (name, kind, children) = match &item.kind {
        ItemKind::Import(_) => return None,
        ItemKind::Project(p) => (&p.name, SymbolKind::PACKAGE, Vec::new()),
        ItemKind::Environment(e) => (&e.name, SymbolKind::NAMESPACE, Vec::new()),
        ItemKind::Layer(l) => {
            (&l.name, SymbolKind::MODULE, l.members.iter().filter_map(|m| member_symbol(place, m)).collect())
        }
        ItemKind::Construct(c) => {
            (&c.name, SymbolKind::CLASS, c.members.iter().filter_map(|m| member_symbol(place, m)).collect())
        }
        ItemKind::Type(t) => (&t.name, SymbolKind::STRUCT, Vec::new()),
        ItemKind::Enum(e) => {
            let variants = e
                .variants
                .iter()
                .filter_map(|v| symbol(place, &v.name, SymbolKind::ENUM_MEMBER, v.span, Vec::new()))
                .collect();
            (&e.name, SymbolKind::ENUM, variants)
        }
    };
    symbol(place, name, kind, item.span, children)
}

fn member_symbol(place: &Place, member: &Member) -> Option<DocumentSymbol> {
    let (name, kind, children) = match &member.kind {
        MemberKind::Service(b) => (&b.name, SymbolKind::OBJECT, Vec::new()),
        MemberKind::Pipeline(b) => (&b.name, SymbolKind::EVENT, stages(place, &b.value)),
        MemberKind::Binding(b) => (&b.name, SymbolKind::VARIABLE, Vec::new()),
        MemberKind::Publish(b) => (&b.name, SymbolKind::PROPERTY, Vec::new()),
        MemberKind::Output(b) => (&b.name, SymbolKind::PROPERTY, Vec::new()),
        MemberKind::Secret { name, .. } => (name, SymbolKind::KEY, Vec::new()),
        MemberKind::Resource(r) => (&r.name, SymbolKind::OBJECT, Vec::new()),
        MemberKind::Param(f) => (&f.name, SymbolKind::FIELD, Vec::new()),
        MemberKind::Require(_) => return None,
    };
    symbol(place, name, kind, member.span, children)
}

fn stages(place: &Place, value: &Expr) -> Vec<DocumentSymbol> {
    let ExprKind::Apply { body, .. } = &value.kind else { return Vec::new() };
    body.stages
        .iter()
        .filter_map(|s| symbol(place, &s.name, SymbolKind::FUNCTION, s.span, Vec::new()))
        .collect()
}

#[allow(deprecated)] // `deprecated` is a required field of the struct, itself deprecated.
fn symbol(
    place: &Place,
    name: &Name,
    kind: SymbolKind,
    whole: Span,
    children: Vec<DocumentSymbol>,
) -> Option<DocumentSymbol> {
    Some(DocumentSymbol {
        name: name.text.clone(),
        detail: None,
        kind,
        tags: None,
        deprecated: None,
        range: place.range(whole)?,
        selection_range: place.range(name.span)?,
        children: (!children.is_empty()).then_some(children),
    })
}
