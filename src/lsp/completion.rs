//! Completion: the fields of the record being written that are not set yet
//! (a construct's params, a variant's or record type's fields, the
//! project's settings in an environment, nested records of those), the
//! variants of an enum-typed field after `field =`, what may follow `x.`
//! (`module.`, `Enum.`, `layer.`, `env.`, `project.`, `aws.`, an instance's
//! outputs), and names in scope otherwise. Nothing in comments, in a
//! string's text or after a number.
//!
//! The cursor's place is read from the text ([`context`]); what the names
//! there mean is the checker's answer (`Checked::lookup_path`, `after_dot`),
//! from the latest analysis that checked (the one before the edit while the
//! document does not parse).

use lsp_types::{
    CompletionItem, CompletionItemKind, CompletionParams, CompletionResponse, Documentation, MarkupContent,
    MarkupKind,
};

use super::analysis::{Analysis, View};
use super::context::{self, Base, Context, Target};
use super::documents::path_of;
use super::position;
use super::resolve::{field_decl_at, target};
use super::state::State;
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
pub fn complete(state: &State, params: CompletionParams) -> Option<CompletionResponse> {
    let url = params.text_document_position.text_document.uri;
    let text = state.documents.text(&url)?;
    let offset = position::offset(text, params.text_document_position.position);
    let context = context::context(text, offset);
    if context == Context::Silent {
        return Some(CompletionResponse::Array(Vec::new()));
    }
    let view = state.view(&url)?;
    let items = if view.analysis.checked {
        complete_in(&view, offset, &context)
    } else {
        // Nothing checked yet: analyse the document without the cursor's line.
        let fallback = without_cursor_line(state, &url, text, offset)?;
        let view = View::new(&fallback, &path_of(&url)?, text)?;
        complete_in(&view, offset, &context)
    };
    Some(CompletionResponse::Array(items))
}

fn complete_in(view: &View, offset: usize, context: &Context) -> Vec<CompletionItem> {
    let Some(module) = view.module else { return Vec::new() };
    let ws = view.workspace();
    let at = view.analysed_offset_near(offset);
    let place = Place { ws, checked: view.checked(), module, body: enclosing_body(ws, module, at) };
    match context {
        Context::Silent => Vec::new(),
        Context::AfterDot(base) => after_dot(&place, base),
        Context::FieldName { target, set } => field_names(&place, target, set),
        Context::FieldValue { target, field } => field_values(&place, target, field),
        Context::Anywhere => names_in_scope(&place),
    }
}

/// The document analysed with the cursor's line blanked, so the rest of the
/// file still provides names.
fn without_cursor_line(
    state: &State,
    url: &lsp_types::Url,
    text: &str,
    offset: usize,
) -> Option<std::sync::Arc<Analysis>> {
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    let mut patched = state.documents.clone();
    patched.set(url, format!("{}{}", &text[..line_start], &text[line_end..]));
    let path = path_of(url)?;
    Some(std::sync::Arc::new(Analysis::new(crate::check_files(&[path], &patched))))
}

/// The layer or construct whose body contains `offset`.
fn enclosing_body(ws: &Workspace, module: ModuleId, offset: usize) -> Option<DeclRef> {
    let offset = u32::try_from(offset).ok()?;
    let items = ws.module(module).ast.items.iter().enumerate();
    let found = items.filter(|(_, i)| matches!(i.kind, ItemKind::Layer(_) | ItemKind::Construct(_)));
    let (item, _) = found.into_iter().find(|(_, i)| i.span.start <= offset && offset <= i.span.end)?;
    Some(DeclRef { module, item })
}

/// What a dotted path written at the cursor would refer to.
fn path_def(place: &Place, path: &str) -> Option<Def> {
    let segments: Vec<&str> = path.split('.').collect();
    place.checked.lookup_path(place.ws, place.module, place.body, &segments)
}

/// The fields that may be written in the record `target` describes.
fn fields_of<'w>(place: &Place<'w>, target: &Target) -> Vec<&'w FieldDecl> {
    let mut fields = base_fields(place, &target.base);
    for name in &target.fields {
        let Some(field) = fields.iter().find(|f| f.name.text == *name) else { return Vec::new() };
        fields = record_fields(place, &field.ty);
    }
    fields
}

/// The fields of a record of type `ty`: written inline, through a type
/// alias, or as the element of a list or an optional value.
fn record_fields<'w>(place: &Place<'w>, ty: &'w TypeExpr) -> Vec<&'w FieldDecl> {
    match &ty.kind {
        TypeExprKind::Record(fields) => fields.iter().collect(),
        TypeExprKind::List(inner) | TypeExprKind::Optional(inner) | TypeExprKind::Deploy(inner) => {
            record_fields(place, inner)
        }
        TypeExprKind::Map(_) => Vec::new(),
        TypeExprKind::Named(_) => match named_type(place, ty) {
            Some(ItemKind::Type(alias)) => record_fields(place, &alias.ty),
            _ => Vec::new(),
        },
    }
}

/// The declaration a named type refers to, as the checker resolved it
/// where the type is written (aliases followed one step at a time by callers).
fn named_type<'w>(place: &Place<'w>, ty: &TypeExpr) -> Option<&'w ItemKind> {
    let TypeExprKind::Named(path) = &ty.kind else { return None };
    match place.checked.def_at(path.last()?.span)? {
        Def::Decl(decl) => Some(&scope::item(place.ws, decl).kind),
        _ => None,
    }
}

/// The fields that may be written in `base { .. }`: a construct's params, a
/// variant's fields, a record type's fields, or (in an environment) the settings.
fn base_fields<'w>(place: &Place<'w>, base: &Base) -> Vec<&'w FieldDecl> {
    let ws = place.ws;
    let path = match base {
        Base::Path(path) => path,
        Base::Settings => {
            let settings = place.checked.after_dot(ws, place.module, Def::Env).into_iter();
            return settings
                .filter_map(|(_, def)| match def {
                    Def::Setting { declared: Some(declared) } => field_decl_at(ws, declared),
                    _ => None,
                })
                .collect();
        }
    };
    match path_def(place, path) {
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

/// After `base.`: what the checker says may follow it; for a setting or a
/// field of a record type (`env.database.`), the record's fields.
fn after_dot(place: &Place, base: &str) -> Vec<CompletionItem> {
    let Some(def) = path_def(place, base) else { return Vec::new() };
    if let Def::Setting { declared: Some(declared) } | Def::Field { declared } = def {
        let fields =
            field_decl_at(place.ws, declared).map(|f| record_fields(place, &f.ty)).unwrap_or_default();
        return fields
            .into_iter()
            .map(|f| def_item(place.ws, &f.name.text, Def::Field { declared: f.name.span }))
            .collect();
    }
    let members = place.checked.after_dot(place.ws, place.module, def);
    members.into_iter().map(|(name, def)| def_item(place.ws, &name, def)).collect()
}

/// The fields of the record being written that are not set yet.
fn field_names(place: &Place, target: &Target, set: &[String]) -> Vec<CompletionItem> {
    let fields = fields_of(place, target).into_iter();
    let unset = fields.filter(|f| !set.contains(&f.name.text));
    let mut items: Vec<CompletionItem> = Vec::new();
    for field in unset {
        if !items.iter().any(|i| i.label == field.name.text) {
            items.push(field_item(field));
        }
    }
    items
}

/// After `field =`: the variants of an enum, `true` and `false`, or names in scope.
fn field_values(place: &Place, target: &Target, field: &str) -> Vec<CompletionItem> {
    let fields = fields_of(place, target);
    match fields.into_iter().find(|f| f.name.text == field) {
        Some(field) => values_of_type(place, &field.ty).unwrap_or_else(|| names_in_scope(place)),
        None => names_in_scope(place),
    }
}

/// The values a field of type `ty` takes when they can be listed.
fn values_of_type(place: &Place, ty: &TypeExpr) -> Option<Vec<CompletionItem>> {
    match &ty.kind {
        TypeExprKind::Optional(inner) | TypeExprKind::Deploy(inner) => values_of_type(place, inner),
        TypeExprKind::Named(path) if path.len() == 1 && path[0].text == "bool" => Some(vec![
            simple("true", CompletionItemKind::KEYWORD),
            simple("false", CompletionItemKind::KEYWORD),
        ]),
        TypeExprKind::Named(path) => {
            let Def::Decl(decl) = place.checked.def_at(path.last()?.span)? else { return None };
            match &scope::item(place.ws, decl).kind {
                ItemKind::Enum(e) => Some(
                    e.variants
                        .iter()
                        .enumerate()
                        .map(|(i, v)| {
                            def_item(place.ws, &v.name.text, Def::Variant { decl, index: i as u32 })
                        })
                        .collect(),
                ),
                ItemKind::Type(alias) => values_of_type(place, &alias.ty),
                _ => None,
            }
        }
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

/// The fields of the record `target` at `offset` of the document (for
/// signature help): the same answer completion gives.
pub fn fields_for<'a>(view: &View<'a>, offset: usize, target: &Target) -> Vec<&'a FieldDecl> {
    let Some(module) = view.module else { return Vec::new() };
    let ws = view.workspace();
    let at = view.analysed_offset_near(offset);
    let place = Place { ws, checked: view.checked(), module, body: enclosing_body(ws, module, at) };
    fields_of(&place, target)
}
