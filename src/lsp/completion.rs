//! Completion: the fields of the construct (or variant) being written, enum
//! variants for a field of enum type, members after `module.`, `env.` or
//! `layer.`, and names in scope otherwise.
//!
//! While the user types, the document rarely parses. The context is therefore
//! read from the text around the cursor, and names are resolved with the
//! document's last line blanked out when the whole text does not parse.

use lsp_types::{
    CompletionItem, CompletionItemKind, CompletionParams, CompletionResponse, Documentation, MarkupContent,
    MarkupKind,
};

use super::analysis::Analysis;
use super::documents::Documents;
use super::position;
use super::resolve::{decl_in_module, expr_decl, fields_of_decl, settings};
use crate::check::scope::{self, Entry, Scope};
use crate::source::{FileId, Span};
use crate::syntax::ast::*;
use crate::workspace::Workspace;

/// Completions at the cursor.
pub fn complete(documents: &Documents, params: CompletionParams) -> Option<CompletionResponse> {
    let url = params.text_document_position.text_document.uri;
    let text = documents.text(&url)?.to_string();
    let offset = position::offset(&text, params.text_document_position.position);
    let analysis = parsable_analysis(documents, &url, &text, offset)?;
    let module = analysis.module?;
    let ws = &analysis.report.workspace;
    let scope = analysis.scopes.of(module);
    let before = &text[..offset];
    let items = match context(before) {
        Context::AfterDot(base) => after_dot(ws, scope, &base),
        Context::FieldName(target) => field_names(ws, scope, &target),
        Context::FieldValue(target, field) => field_values(ws, scope, &target, &field),
        Context::Anywhere => names_in_scope(ws, scope),
    };
    Some(CompletionResponse::Array(items))
}

/// Analyse the document; if it does not parse, analyse it with the cursor's
/// line blanked so the rest of the file still provides names.
fn parsable_analysis(
    documents: &Documents,
    url: &lsp_types::Url,
    text: &str,
    offset: usize,
) -> Option<Analysis> {
    let analysis = Analysis::of(documents, url)?;
    let parsed = analysis.module.is_some_and(|m| !analysis.report.workspace.module(m).ast.items.is_empty());
    if parsed {
        return Some(analysis);
    }
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    let mut patched = documents.clone();
    patched.set(url, format!("{}{}", &text[..line_start], &text[line_end..]));
    Analysis::of(&patched, url)
}

enum Context {
    /// `base.` then the cursor.
    AfterDot(String),
    /// At the start of a field inside `target {`.
    FieldName(String),
    /// After `field =` inside `target {`.
    FieldValue(String, String),
    Anywhere,
}

fn context(before: &str) -> Context {
    let word_start = before.trim_end_matches(is_word_char).len();
    let prefix = &before[..word_start];
    if let Some(base) = prefix.strip_suffix('.') {
        let base_start = base.trim_end_matches(|c: char| is_word_char(c) || c == '.').len();
        return Context::AfterDot(base[base_start..].to_string());
    }
    let Some(target) = enclosing_target(prefix) else { return Context::Anywhere };
    let line = prefix.rsplit(['\n', ',', '{']).next().unwrap_or("");
    match line.trim_end().strip_suffix('=') {
        Some(field) if !field.trim().is_empty() && field.trim().chars().all(is_word_char) => {
            Context::FieldValue(target, field.trim().to_string())
        }
        _ if line.trim().is_empty() => Context::FieldName(target),
        _ => Context::Anywhere,
    }
}

/// The path before the innermost unclosed `{`: `ecs.fargate_service`.
fn enclosing_target(before: &str) -> Option<String> {
    let mut depth = 0usize;
    for (i, c) in before.char_indices().rev() {
        match c {
            '}' => depth += 1,
            '{' if depth > 0 => depth -= 1,
            '{' => {
                let head = before[..i].trim_end();
                let start = head.trim_end_matches(|c: char| is_word_char(c) || c == '.').len();
                let path = &head[start..];
                if head[..start].trim_end().ends_with("environment") {
                    return Some(SETTINGS.to_string());
                }
                return (!path.is_empty()).then(|| path.to_string());
            }
            _ => {}
        }
    }
    None
}

/// The target of an `environment NAME { .. }` body: the project's settings.
const SETTINGS: &str = "@settings";

/// The fields that may be written in `target { .. }`.
fn fields_of<'w>(ws: &'w Workspace, scope: &Scope, target: &str) -> Vec<&'w FieldDecl> {
    if target == SETTINGS {
        return settings(ws, scope).map(|s| s.iter().collect()).unwrap_or_default();
    }
    let expr = path_expr(target);
    expr_decl(ws, scope, &expr).map(|decl| fields_of_decl(ws, decl, &expr)).unwrap_or_default()
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Parse `a.b` into an expression the resolver understands.
fn path_expr(path: &str) -> Expr {
    let name = |text: &str| Name { text: text.to_string(), span: Span::new(FileId(0), 0, 0) };
    let mut segments = path.split('.');
    let first = segments.next().unwrap_or("");
    let mut expr = Expr { kind: ExprKind::Name(name(first)), span: Span::default() };
    for segment in segments {
        expr = Expr {
            kind: ExprKind::Field { target: Box::new(expr), field: name(segment) },
            span: Span::default(),
        };
    }
    expr
}

fn after_dot(ws: &Workspace, scope: &Scope, base: &str) -> Vec<CompletionItem> {
    if base == "env" {
        let mut items =
            vec![simple("name", CompletionItemKind::FIELD), simple("region", CompletionItemKind::FIELD)];
        items.extend(settings(ws, scope).unwrap_or_default().iter().map(field_item));
        return items;
    }
    match scope.get(base) {
        Some(Entry::Namespace(module)) => ws
            .module(*module)
            .ast
            .items
            .iter()
            .filter_map(|item| {
                Some(decl_item(ws, decl_in_module(ws, *module, &scope::declared_name(item)?.text)?))
            })
            .collect(),
        Some(Entry::Decl(decl)) => match &scope::item(ws, *decl).kind {
            ItemKind::Layer(layer) => layer.members.iter().filter_map(published_item).collect(),
            ItemKind::Enum(e) => e.variants.iter().map(variant_item).collect(),
            _ => Vec::new(),
        },
        _ => Vec::new(),
    }
}

fn field_names(ws: &Workspace, scope: &Scope, target: &str) -> Vec<CompletionItem> {
    let mut items: Vec<CompletionItem> = fields_of(ws, scope, target).into_iter().map(field_item).collect();
    if target == SETTINGS {
        items.insert(0, simple("region", CompletionItemKind::FIELD));
    }
    items
}

fn field_values(ws: &Workspace, scope: &Scope, target: &str, field: &str) -> Vec<CompletionItem> {
    let fields = fields_of(ws, scope, target);
    let Some(field) = fields.into_iter().find(|f| f.name.text == field) else {
        return names_in_scope(ws, scope);
    };
    match &field.ty.kind {
        TypeExprKind::Named(path) if path.len() == 1 && path[0].text == "bool" => {
            vec![simple("true", CompletionItemKind::KEYWORD), simple("false", CompletionItemKind::KEYWORD)]
        }
        TypeExprKind::Named(path) => {
            let ty = path_expr(&path.iter().map(|n| n.text.as_str()).collect::<Vec<_>>().join("."));
            match expr_decl(ws, scope, &ty).map(|d| &scope::item(ws, d).kind) {
                Some(ItemKind::Enum(e)) => e.variants.iter().map(variant_item).collect(),
                _ => names_in_scope(ws, scope),
            }
        }
        _ => names_in_scope(ws, scope),
    }
}

fn names_in_scope(ws: &Workspace, scope: &Scope) -> Vec<CompletionItem> {
    let mut items: Vec<CompletionItem> = scope
        .names
        .iter()
        .map(|(name, entry)| match entry {
            Entry::Decl(decl) => decl_item(ws, *decl),
            Entry::Namespace(_) => simple(name, CompletionItemKind::MODULE),
            Entry::Variant { .. } | Entry::AmbiguousVariant(_) => {
                simple(name, CompletionItemKind::ENUM_MEMBER)
            }
        })
        .collect();
    for special in ["env", "project", "aws"] {
        items.push(simple(special, CompletionItemKind::VARIABLE));
    }
    items.sort_by(|a, b| a.label.cmp(&b.label));
    items
}

fn simple(label: &str, kind: CompletionItemKind) -> CompletionItem {
    CompletionItem { label: label.to_string(), kind: Some(kind), ..CompletionItem::default() }
}

fn documented(mut item: CompletionItem, detail: String, doc: Option<&String>) -> CompletionItem {
    item.detail = Some(detail);
    item.documentation = doc.map(|d| {
        Documentation::MarkupContent(MarkupContent { kind: MarkupKind::Markdown, value: d.clone() })
    });
    item
}

fn field_item(field: &FieldDecl) -> CompletionItem {
    let required = field.default.is_none() && !matches!(field.ty.kind, TypeExprKind::Optional(_));
    let kind = CompletionItemKind::FIELD;
    let mut item = simple(&field.name.text, kind);
    item.insert_text = Some(format!("{} = ", field.name.text));
    let detail = if required { "required" } else { "optional" };
    documented(item, detail.to_string(), field.doc.as_ref())
}

fn variant_item(variant: &Variant) -> CompletionItem {
    documented(
        simple(&variant.name.text, CompletionItemKind::ENUM_MEMBER),
        "variant".into(),
        variant.doc.as_ref(),
    )
}

fn decl_item(ws: &Workspace, decl: crate::check::DeclRef) -> CompletionItem {
    let item = scope::item(ws, decl);
    let (kind, what) = match &item.kind {
        ItemKind::Construct(_) => (CompletionItemKind::CLASS, "construct"),
        ItemKind::Type(_) => (CompletionItemKind::STRUCT, "type"),
        ItemKind::Enum(_) => (CompletionItemKind::ENUM, "enum"),
        ItemKind::Layer(_) => (CompletionItemKind::MODULE, "layer"),
        ItemKind::Import(_) | ItemKind::Project(_) | ItemKind::Environment(_) => {
            (CompletionItemKind::TEXT, "declaration")
        }
    };
    let label = scope::declared_name(item).map_or(String::new(), |n| n.text.clone());
    documented(simple(&label, kind), what.into(), item.doc.as_ref())
}

fn published_item(member: &Member) -> Option<CompletionItem> {
    let (name, what) = match &member.kind {
        MemberKind::Publish(b) => (&b.name, "published value"),
        MemberKind::Secret { name, .. } => (name, "secret"),
        _ => return None,
    };
    Some(documented(simple(&name.text, CompletionItemKind::PROPERTY), what.into(), member.doc.as_ref()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_context_from_the_text_before_the_cursor() {
        let text = "environment dev {\n  region = us_east_1\n  size = ";
        assert!(matches!(context(text), Context::FieldValue(t, f) if t == SETTINGS && f == "size"));
        assert!(
            matches!(context("x = ecs.service {\n  cpu = 1 vcpu\n  "), Context::FieldName(t) if t == "ecs.service")
        );
        assert!(matches!(context("x = ecs."), Context::AfterDot(b) if b == "ecs"));
        assert!(matches!(context("x = env.wor"), Context::AfterDot(b) if b == "env"));
    }
}
