//! Document symbols: the outline of a file (project, environments, layers
//! with their services, pipelines and stages, constructs, types, enums).

use lsp_types::{DocumentSymbol, DocumentSymbolParams, DocumentSymbolResponse, SymbolKind};

use super::analysis::Analysis;
use super::documents::Documents;
use super::position;
use crate::source::{SourceFile, Span};
use crate::syntax::ast::*;

/// The outline of the document.
pub fn document_symbols(
    documents: &Documents,
    params: DocumentSymbolParams,
) -> Option<DocumentSymbolResponse> {
    let analysis = Analysis::of(documents, &params.text_document.uri)?;
    let ws = &analysis.report.workspace;
    let module = ws.module(analysis.module?);
    let file = ws.sources.get(module.file)?;
    let symbols = module.ast.items.iter().filter_map(|item| item_symbol(file, item)).collect();
    Some(DocumentSymbolResponse::Nested(symbols))
}

fn item_symbol(file: &SourceFile, item: &Item) -> Option<DocumentSymbol> {
    let (name, kind, children) = match &item.kind {
        ItemKind::Import(_) => return None,
        ItemKind::Project(p) => (&p.name, SymbolKind::PACKAGE, Vec::new()),
        ItemKind::Environment(e) => (&e.name, SymbolKind::NAMESPACE, Vec::new()),
        ItemKind::Layer(l) => {
            (&l.name, SymbolKind::MODULE, l.members.iter().filter_map(|m| member_symbol(file, m)).collect())
        }
        ItemKind::Construct(c) => {
            (&c.name, SymbolKind::CLASS, c.members.iter().filter_map(|m| member_symbol(file, m)).collect())
        }
        ItemKind::Type(t) => (&t.name, SymbolKind::STRUCT, Vec::new()),
        ItemKind::Enum(e) => {
            let variants = e
                .variants
                .iter()
                .map(|v| symbol(file, &v.name, SymbolKind::ENUM_MEMBER, v.span, Vec::new()))
                .collect();
            (&e.name, SymbolKind::ENUM, variants)
        }
    };
    Some(symbol(file, name, kind, item.span, children))
}

fn member_symbol(file: &SourceFile, member: &Member) -> Option<DocumentSymbol> {
    let (name, kind, children) = match &member.kind {
        MemberKind::Service(b) => (&b.name, SymbolKind::OBJECT, Vec::new()),
        MemberKind::Pipeline(b) => (&b.name, SymbolKind::EVENT, stages(file, &b.value)),
        MemberKind::Binding(b) => (&b.name, SymbolKind::VARIABLE, Vec::new()),
        MemberKind::Publish(b) => (&b.name, SymbolKind::PROPERTY, Vec::new()),
        MemberKind::Output(b) => (&b.name, SymbolKind::PROPERTY, Vec::new()),
        MemberKind::Secret { name, .. } => (name, SymbolKind::KEY, Vec::new()),
        MemberKind::Resource(r) => (&r.name, SymbolKind::OBJECT, Vec::new()),
        MemberKind::Param(f) => (&f.name, SymbolKind::FIELD, Vec::new()),
        MemberKind::Require(_) => return None,
    };
    Some(symbol(file, name, kind, member.span, children))
}

fn stages(file: &SourceFile, value: &Expr) -> Vec<DocumentSymbol> {
    let ExprKind::Apply { body, .. } = &value.kind else { return Vec::new() };
    body.stages.iter().map(|s| symbol(file, &s.name, SymbolKind::FUNCTION, s.span, Vec::new())).collect()
}

#[allow(deprecated)] // `deprecated` is a required field of the struct, itself deprecated.
fn symbol(
    file: &SourceFile,
    name: &Name,
    kind: SymbolKind,
    whole: Span,
    children: Vec<DocumentSymbol>,
) -> DocumentSymbol {
    DocumentSymbol {
        name: name.text.clone(),
        detail: None,
        kind,
        tags: None,
        deprecated: None,
        range: position::range(file, whole.start as usize, whole.end as usize),
        selection_range: position::range(file, name.span.start as usize, name.span.end as usize),
        children: (!children.is_empty()).then_some(children),
    }
}
