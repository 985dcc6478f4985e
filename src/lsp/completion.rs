//! Completion: the fields of the construct (or variant) being written, enum
//! variants for a field of enum type, what may follow `x.` (`module.`,
//! `Enum.`, `layer.`, `env.`, `project.`, `aws.`, an instance's outputs), and
//! names in scope otherwise.
//!
//! While the user types, the document rarely parses. The context is therefore
//! read from the text around the cursor, and the path there is resolved with
//! the checker's rule (`Checked::lookup_path`, `after_dot`) on an analysis of
//! the document with the cursor's line blanked out when the whole text does
//! not parse.

use lsp_types::{
    CompletionItem, CompletionItemKind, CompletionParams, CompletionResponse, Documentation, MarkupContent,
    MarkupKind,
};

use super::analysis::Analysis;
use super::documents::Documents;
use super::position;
use super::resolve::{field_decl_at, target};
use crate::check::scope::{self, DeclRef, Entry};
use crate::check::{Checked, Def};
use crate::syntax::ast::*;
use crate::workspace::{ModuleId, Workspace};

/// Where completion was asked: the checked program, the document's module and
/// the layer or construct the cursor is in.
struct Place<'a> {
    ws: &'a Workspace,
    checked: &'a Checked,
    module: ModuleId,
    body: Option<DeclRef>,
}

/// Completions at the cursor.
pub fn complete(documents: &Documents, params: CompletionParams) -> Option<CompletionResponse> {
    let url = params.text_document_position.text_document.uri;
    let text = documents.text(&url)?.to_string();
    let offset = position::offset(&text, params.text_document_position.position);
    let (analysis, at) = parsable_analysis(documents, &url, &text, offset)?;
    let module = analysis.module?;
    let ws = &analysis.report.workspace;
    let place = Place { ws, checked: analysis.checked(), module, body: enclosing_body(ws, module, at) };
    let before = &text[..offset];
    let items = match context(before) {
        Context::AfterDot(base) => after_dot(&place, &base),
        Context::FieldName(target) => field_names(&place, &target),
        Context::FieldValue(target, field) => field_values(&place, &target, &field),
        Context::Anywhere => names_in_scope(&place),
    };
    Some(CompletionResponse::Array(items))
}

/// Analyse the document; if it does not parse, analyse it with the cursor's
/// line blanked so the rest of the file still provides names. Also returns
/// the cursor's offset in the text analysed.
fn parsable_analysis(
    documents: &Documents,
    url: &lsp_types::Url,
    text: &str,
    offset: usize,
) -> Option<(Analysis, usize)> {
    let analysis = Analysis::of(documents, url)?;
    let syntax_error = analysis.report.diagnostics.iter().any(|d| {
        Some(d.primary.span.file) == analysis.file
            && d.is_error()
            && crate::syntax::reported_by_parser(d.code)
    });
    let parsed = !syntax_error
        && analysis.module.is_some_and(|m| !analysis.report.workspace.module(m).ast.items.is_empty());
    if parsed {
        return Some((analysis, offset));
    }
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    let mut patched = documents.clone();
    patched.set(url, format!("{}{}", &text[..line_start], &text[line_end..]));
    Some((Analysis::of(&patched, url)?, line_start))
}

/// The layer or construct whose body contains `offset`.
fn enclosing_body(ws: &Workspace, module: ModuleId, offset: usize) -> Option<DeclRef> {
    let offset = u32::try_from(offset).ok()?;
    let items = ws.module(module).ast.items.iter().enumerate();
    let found = items.filter(|(_, i)| matches!(i.kind, ItemKind::Layer(_) | ItemKind::Construct(_)));
    let (item, _) = found.into_iter().find(|(_, i)| i.span.start <= offset && offset <= i.span.end)?;
    Some(DeclRef { module, item })
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

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// What a dotted path written at the cursor would refer to.
fn path_def(place: &Place, path: &str) -> Option<Def> {
    let segments: Vec<&str> = path.split('.').collect();
    place.checked.lookup_path(place.ws, place.module, place.body, &segments)
}

/// The fields that may be written in `target { .. }`: a construct's params, a
/// variant's fields, a record type's fields, or (in an environment) the settings.
fn fields_of<'w>(place: &Place<'w>, target: &str) -> Vec<&'w FieldDecl> {
    let ws = place.ws;
    if target == SETTINGS {
        let settings = place.checked.after_dot(ws, place.module, Def::Env).into_iter();
        return settings
            .filter_map(|(_, def)| match def {
                Def::Setting { declared: Some(declared) } => field_decl_at(ws, declared),
                _ => None,
            })
            .collect();
    }
    match path_def(place, target) {
        Some(Def::Decl(decl)) => match &scope::item(ws, decl).kind {
            ItemKind::Construct(c) => c
                .members
                .iter()
                .filter_map(|m| match &m.kind {
                    MemberKind::Param(f) => Some(f),
                    _ => None,
                })
                .collect(),
            ItemKind::Type(TypeDecl { ty: TypeExpr { kind: TypeExprKind::Record(fields), .. }, .. }) => {
                fields.iter().collect()
            }
            _ => Vec::new(),
        },
        Some(Def::Variant { decl, index }) => match &scope::item(ws, decl).kind {
            ItemKind::Enum(e) => {
                e.variants.get(index as usize).map(|v| v.fields.iter().collect()).unwrap_or_default()
            }
            _ => Vec::new(),
        },
        _ => Vec::new(),
    }
}

/// After `base.`: what the checker says may follow it.
fn after_dot(place: &Place, base: &str) -> Vec<CompletionItem> {
    let Some(def) = path_def(place, base) else { return Vec::new() };
    let members = place.checked.after_dot(place.ws, place.module, def);
    members.into_iter().map(|(name, def)| def_item(place.ws, &name, def)).collect()
}

fn field_names(place: &Place, target: &str) -> Vec<CompletionItem> {
    let mut items: Vec<CompletionItem> = fields_of(place, target).into_iter().map(field_item).collect();
    if target == SETTINGS {
        items.insert(0, simple("region", CompletionItemKind::FIELD));
    }
    items
}

fn field_values(place: &Place, target: &str, field: &str) -> Vec<CompletionItem> {
    let fields = fields_of(place, target);
    let Some(field) = fields.into_iter().find(|f| f.name.text == field) else {
        return names_in_scope(place);
    };
    let TypeExprKind::Named(path) = &field.ty.kind else { return names_in_scope(place) };
    // The type's name as the checker resolved it where the field is declared.
    let resolved = path.last().and_then(|name| place.checked.def_at(name.span));
    match resolved.map(|def| (def, def_kind(place.ws, def))) {
        Some((Def::BuiltinType(_), _)) if path.len() == 1 && path[0].text == "bool" => {
            vec![simple("true", CompletionItemKind::KEYWORD), simple("false", CompletionItemKind::KEYWORD)]
        }
        Some((Def::Decl(decl), Some(ItemKind::Enum(e)))) => e
            .variants
            .iter()
            .enumerate()
            .map(|(i, v)| def_item(place.ws, &v.name.text, Def::Variant { decl, index: i as u32 }))
            .collect(),
        _ => names_in_scope(place),
    }
}

fn def_kind(ws: &Workspace, def: Def) -> Option<&ItemKind> {
    match def {
        Def::Decl(decl) => Some(&scope::item(ws, decl).kind),
        _ => None,
    }
}

/// Names in scope at the cursor: the enclosing body's members, what the body
/// sees of `env`, `project` and `aws`, and the module's declarations.
fn names_in_scope(place: &Place) -> Vec<CompletionItem> {
    let ws = place.ws;
    let mut items: Vec<CompletionItem> = place
        .checked
        .scopes
        .of(place.module)
        .names
        .iter()
        .map(|(name, entry)| match entry {
            Entry::Decl(decl) | Entry::Hidden { decl, .. } => decl_item(ws, *decl),
            Entry::Namespace(_) => simple(name, CompletionItemKind::MODULE),
            Entry::Variant { .. } | Entry::AmbiguousVariant(_) => {
                simple(name, CompletionItemKind::ENUM_MEMBER)
            }
        })
        .collect();
    for special in ["env", "project", "aws"] {
        if let Some(def @ (Def::Env | Def::Project(_) | Def::Aws)) =
            place.checked.lookup(ws, place.module, place.body, special)
        {
            items.push(def_item(ws, special, def));
        }
    }
    if let Some(body) = place.body {
        let members = crate::check::body_members(ws, body).iter().enumerate();
        for (index, member) in members {
            if let Some(name) = crate::check::lookup::inner_name(member) {
                items.push(def_item(ws, &name.text, Def::Member { body, index: index as u32 }));
            }
        }
    }
    items.sort_by(|a, b| a.label.cmp(&b.label));
    items.dedup_by(|a, b| a.label == b.label);
    items
}

/// A completion for `name`, which refers to `def`.
fn def_item(ws: &Workspace, name: &str, def: Def) -> CompletionItem {
    if let Def::Decl(decl) = def {
        return decl_item(ws, decl);
    }
    let kind = match def {
        Def::Variant { .. } | Def::Environment { .. } => CompletionItemKind::ENUM_MEMBER,
        Def::Shared { .. } | Def::Output { .. } => CompletionItemKind::PROPERTY,
        Def::Namespace(_) => CompletionItemKind::MODULE,
        Def::Builtin(_) => CompletionItemKind::FUNCTION,
        Def::Env | Def::Project(_) | Def::Aws | Def::Local { .. } | Def::Member { .. } => {
            CompletionItemKind::VARIABLE
        }
        _ => CompletionItemKind::FIELD,
    };
    let item = simple(name, kind);
    match target(ws, def) {
        Some(shown) => documented(item, shown.signature, shown.doc.as_ref()),
        None => item,
    }
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

fn decl_item(ws: &Workspace, decl: DeclRef) -> CompletionItem {
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
