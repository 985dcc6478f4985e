//! Document symbols: the outline of a file (project, environments, layers
//! with their services, pipelines and stages, constructs, types, enums).

use lsp_types::{
    DocumentSymbol, DocumentSymbolParams, DocumentSymbolResponse, FoldingRange, FoldingRangeKind,
    FoldingRangeParams, SymbolInformation, SymbolKind, WorkspaceSymbolParams,
};

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
    let (name, kind) = item_name_kind(item)?;
    let children = match &item.kind {
        ItemKind::Layer(Layer { members, .. }) | ItemKind::Construct(Construct { members, .. }) => {
            members.iter().filter_map(|m| member_symbol(place, m)).collect()
        }
        ItemKind::Enum(e) => e
            .variants
            .iter()
            .filter_map(|v| symbol(place, &v.name, SymbolKind::ENUM_MEMBER, v.span, Vec::new()))
            .collect(),
        _ => Vec::new(),
    };
    symbol(place, name, kind, item.span, children)
}

fn member_symbol(place: &Place, member: &Member) -> Option<DocumentSymbol> {
    let (name, kind) = member_name_kind(member)?;
    let children = match &member.kind {
        MemberKind::Pipeline(b) => stages(place, &b.value),
        _ => Vec::new(),
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

/// Folding ranges: every declaration and member written over several lines.
pub fn folding_ranges(state: &State, params: FoldingRangeParams) -> Option<Vec<FoldingRange>> {
    let view = state.view(&params.text_document.uri)?;
    let module = view.workspace().module(view.module?);
    let place = Place { view: &view, lines: LineIndex::new(view.text) };
    let mut ranges = Vec::new();
    for item in &module.ast.items {
        push_fold(&place, item.span, &mut ranges);
        let members = match &item.kind {
            ItemKind::Layer(l) => &l.members[..],
            ItemKind::Construct(c) => &c.members[..],
            _ => &[],
        };
        for member in members {
            push_fold(&place, member.span, &mut ranges);
        }
    }
    Some(ranges)
}

fn push_fold(place: &Place, span: Span, ranges: &mut Vec<FoldingRange>) {
    let Some(range) = place.range(span) else { return };
    if range.end.line > range.start.line {
        ranges.push(FoldingRange {
            start_line: range.start.line,
            end_line: range.end.line,
            kind: Some(FoldingRangeKind::Region),
            ..FoldingRange::default()
        });
    }
}

/// Workspace symbols: the declarations and members of every spec file
/// analysed whose name contains the query's letters in order (case ignored).
#[allow(deprecated)] // `deprecated` is a required field of the struct, itself deprecated.
pub fn workspace_symbols(state: &State, params: WorkspaceSymbolParams) -> Option<Vec<SymbolInformation>> {
    let query = params.query.to_lowercase();
    let mut found: Vec<SymbolInformation> = Vec::new();
    for analysis in state.analyses() {
        let ws = analysis.workspace();
        for (_, module) in ws.iter_modules() {
            let Some(file) = ws.sources.get(module.file).filter(|f| f.path.is_some()) else { continue };
            let Some(path) = &file.path else { continue };
            let Some(uri) = state.documents.url_of(path) else { continue };
            let lines = LineIndex::new(&file.text);
            let mut add = |name: &Name, kind: SymbolKind, container: Option<&Name>| {
                if !matches_query(&name.text, &query) {
                    return;
                }
                let range = lines.range(name.span.start as usize, name.span.end as usize);
                let location = lsp_types::Location { uri: uri.clone(), range };
                if found.iter().any(|s| s.location == location) {
                    return;
                }
                found.push(SymbolInformation {
                    name: name.text.clone(),
                    kind,
                    tags: None,
                    deprecated: None,
                    location,
                    container_name: container.map(|c| c.text.clone()),
                });
            };
            for item in &module.ast.items {
                let Some((name, kind)) = item_name_kind(item) else { continue };
                add(name, kind, None);
                let members = match &item.kind {
                    ItemKind::Layer(l) => &l.members[..],
                    ItemKind::Construct(c) => &c.members[..],
                    _ => &[],
                };
                for member in members {
                    if let Some((member_name, member_kind)) = member_name_kind(member) {
                        add(member_name, member_kind, Some(name));
                    }
                }
            }
        }
    }
    Some(found)
}

/// The query's characters appear in `name` in order.
fn matches_query(name: &str, query: &str) -> bool {
    let mut wanted = query.chars().peekable();
    for c in name.to_lowercase().chars() {
        if wanted.peek() == Some(&c) {
            wanted.next();
        }
    }
    wanted.peek().is_none()
}

fn item_name_kind(item: &Item) -> Option<(&Name, SymbolKind)> {
    Some(match &item.kind {
        ItemKind::Import(_) => return None,
        ItemKind::Project(p) => (&p.name, SymbolKind::PACKAGE),
        ItemKind::Environment(e) => (&e.name, SymbolKind::NAMESPACE),
        ItemKind::Layer(l) => (&l.name, SymbolKind::MODULE),
        ItemKind::Construct(c) => (&c.name, SymbolKind::CLASS),
        ItemKind::Type(t) => (&t.name, SymbolKind::STRUCT),
        ItemKind::Enum(e) => (&e.name, SymbolKind::ENUM),
    })
}

fn member_name_kind(member: &Member) -> Option<(&Name, SymbolKind)> {
    Some(match &member.kind {
        MemberKind::Service(b) => (&b.name, SymbolKind::OBJECT),
        MemberKind::Pipeline(b) => (&b.name, SymbolKind::EVENT),
        MemberKind::Binding(b) => (&b.name, SymbolKind::VARIABLE),
        MemberKind::Publish(b) => (&b.name, SymbolKind::PROPERTY),
        MemberKind::Output(b) => (&b.name, SymbolKind::PROPERTY),
        MemberKind::Secret { name, .. } => (name, SymbolKind::KEY),
        MemberKind::Resource(r) => (&r.name, SymbolKind::OBJECT),
        MemberKind::Param(f) => (&f.name, SymbolKind::FIELD),
        MemberKind::Require(_) => return None,
    })
}
