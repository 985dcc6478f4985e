//! From a name under the cursor to the declaration it means: where it is,
//! what it is, and its doc comment. Shared by hover, go to definition and
//! completion.

use super::locate::{Context, Hit};
use crate::check::scope::{self, Entry, Scope};
use crate::check::DeclRef;
use crate::source::Span;
use crate::syntax::ast::*;
use crate::workspace::{ModuleId, Workspace};

/// A declaration found for a reference.
pub struct Target {
    /// The declaring name (or the start of a module's file).
    pub span: Span,
    /// One line of mdl saying what it is: `cpu: cpu in 0.25 vcpu..16 vcpu = 1 vcpu`.
    pub signature: String,
    pub doc: Option<String>,
    /// The layer or construct member it is, whose type the checker can tell.
    pub member: Option<(DeclRef, usize)>,
}

/// What the hit refers to, if it can be told without evaluating.
pub fn resolve(ws: &Workspace, scope: &Scope, module: ModuleId, hit: &Hit) -> Option<Target> {
    match hit {
        Hit::Declaration { name, context } | Hit::Name { name, context } => {
            local(ws, module, context, &name.text).or_else(|| global(ws, scope, &name.text))
        }
        Hit::Field { target, field, context } => field_of(ws, scope, module, context, target, &field.text),
        Hit::RecordField { target: Some(target), field, .. } => {
            let decl = expr_decl(ws, scope, target)?;
            fields_of_decl(ws, decl, target)
                .into_iter()
                .find(|f| f.name.text == field.text)
                .map(|f| field_target(ws, f))
        }
        Hit::RecordField { target: None, field, context } => match &context.item.kind {
            ItemKind::Environment(_) => {
                settings(ws, scope)?.iter().find(|f| f.name.text == field.text).map(|f| field_target(ws, f))
            }
            _ => None,
        },
        Hit::TypePath { path, index, .. } => path_target(ws, scope, &path[..=*index]),
    }
}

/// The declaration behind `name` or `module.name` written as an expression.
pub fn expr_decl(ws: &Workspace, scope: &Scope, expr: &Expr) -> Option<DeclRef> {
    match &expr.kind {
        ExprKind::Name(name) => match scope.get(&name.text)? {
            Entry::Decl(d) => Some(*d),
            Entry::Variant { decl, .. } => Some(*decl),
            Entry::Namespace(_) | Entry::AmbiguousVariant(_) => None,
        },
        ExprKind::Field { target, field } => {
            let ExprKind::Name(module) = &target.kind else { return None };
            match scope.get(&module.text)? {
                Entry::Namespace(m) => decl_in_module(ws, *m, &field.text),
                Entry::Decl(d) => Some(*d), // `Enum.variant`
                _ => None,
            }
        }
        _ => None,
    }
}

/// The fields that may be written in `decl { .. }`: a construct's params, a
/// variant's fields (for `variant_expr` naming the variant), a record type's fields.
pub fn fields_of_decl<'w>(ws: &'w Workspace, decl: DeclRef, variant_expr: &Expr) -> Vec<&'w FieldDecl> {
    match &scope::item(ws, decl).kind {
        ItemKind::Construct(c) => c
            .members
            .iter()
            .filter_map(|m| match &m.kind {
                MemberKind::Param(f) => Some(f),
                _ => None,
            })
            .collect(),
        ItemKind::Enum(e) => {
            let variant_name = match &variant_expr.kind {
                ExprKind::Name(n) => &n.text,
                ExprKind::Field { field, .. } => &field.text,
                _ => return Vec::new(),
            };
            e.variants
                .iter()
                .find(|v| &v.name.text == variant_name)
                .map(|v| v.fields.iter().collect())
                .unwrap_or_default()
        }
        ItemKind::Type(TypeDecl { ty: TypeExpr { kind: TypeExprKind::Record(fields), .. }, .. }) => {
            fields.iter().collect()
        }
        _ => Vec::new(),
    }
}

/// The settings every environment sets, from the project in scope.
pub fn settings<'w>(ws: &'w Workspace, scope: &Scope) -> Option<&'w [FieldDecl]> {
    scope.projects.iter().find_map(|p| match &scope::item(ws, *p).kind {
        ItemKind::Project(project) => Some(project.settings.as_slice()),
        _ => None,
    })
}

/// A member of the enclosing layer or construct named `name`.
fn local(ws: &Workspace, module: ModuleId, context: &Context, name: &str) -> Option<Target> {
    let members = match &context.item.kind {
        ItemKind::Layer(l) => &l.members,
        ItemKind::Construct(c) => &c.members,
        _ => return None,
    };
    let item = ws.module(module).ast.items.iter().position(|i| std::ptr::eq(i, context.item));
    let decl = item.map(|item| DeclRef { module, item });
    members.iter().enumerate().find_map(|(i, m)| member_target(ws, m, name, decl.map(|d| (d, i))))
}

fn member_target(
    ws: &Workspace,
    member: &Member,
    name: &str,
    at: Option<(DeclRef, usize)>,
) -> Option<Target> {
    let (declared, keyword) = match &member.kind {
        MemberKind::Param(f) if f.name.text == name => return Some(field_target(ws, f)),
        MemberKind::Binding(b) => (&b.name, ""),
        MemberKind::Service(b) => (&b.name, "service "),
        MemberKind::Pipeline(b) => (&b.name, "pipeline "),
        MemberKind::Publish(b) => (&b.name, "publish "),
        MemberKind::Output(b) => (&b.name, "output "),
        MemberKind::Secret { name, .. } => (name, "secret "),
        MemberKind::Resource(r) => (&r.name, "resource "),
        MemberKind::Param(_) | MemberKind::Require(_) => return None,
    };
    (declared.text == name).then(|| Target {
        span: declared.span,
        signature: format!("{keyword}{}", first_line(ws.sources.slice(member_text_span(member)))),
        doc: member.doc.clone(),
        member: at,
    })
}

fn member_text_span(member: &Member) -> Span {
    match &member.kind {
        MemberKind::Binding(b)
        | MemberKind::Service(b)
        | MemberKind::Pipeline(b)
        | MemberKind::Publish(b)
        | MemberKind::Output(b) => b.name.span.to(b.value.span),
        MemberKind::Secret { name, .. } => name.span,
        MemberKind::Resource(r) => r.type_name.span.to(r.name.span),
        MemberKind::Param(f) => f.span,
        MemberKind::Require(r) => r.span,
    }
}

fn global(ws: &Workspace, scope: &Scope, name: &str) -> Option<Target> {
    match scope.get(name)? {
        Entry::Decl(decl) => Some(decl_target(ws, *decl)),
        Entry::Namespace(module) => Some(module_target(ws, *module)),
        Entry::Variant { decl, variant } => variant_target(ws, *decl, *variant),
        Entry::AmbiguousVariant(_) => None,
    }
}

fn field_of(
    ws: &Workspace,
    scope: &Scope,
    module: ModuleId,
    context: &Context,
    target: &Expr,
    field: &str,
) -> Option<Target> {
    let ExprKind::Name(base) = &target.kind else { return None };
    if base.text == "env" && local(ws, module, context, "env").is_none() {
        return settings(ws, scope)?.iter().find(|f| f.name.text == field).map(|f| field_target(ws, f));
    }
    if let Some(Entry::Namespace(module)) = scope.get(&base.text) {
        return decl_in_module(ws, *module, field).map(|d| decl_target(ws, d));
    }
    if let Some(Entry::Decl(decl)) = scope.get(&base.text) {
        return match &scope::item(ws, *decl).kind {
            ItemKind::Layer(layer) => layer
                .members
                .iter()
                .enumerate()
                .find_map(|(i, m)| member_target(ws, m, field, Some((*decl, i)))),
            ItemKind::Enum(e) => e
                .variants
                .iter()
                .position(|v| v.name.text == field)
                .and_then(|i| variant_target(ws, *decl, i)),
            _ => None,
        };
    }
    output_of_local_instance(ws, scope, context, &base.text, field)
}

/// `vpc.id` where `vpc = network.vpc { .. }`: the construct's `output id`.
fn output_of_local_instance(
    ws: &Workspace,
    scope: &Scope,
    context: &Context,
    base: &str,
    field: &str,
) -> Option<Target> {
    let members = match &context.item.kind {
        ItemKind::Layer(l) => &l.members,
        ItemKind::Construct(c) => &c.members,
        _ => return None,
    };
    let value = members.iter().find_map(|m| match &m.kind {
        MemberKind::Binding(b) | MemberKind::Service(b) | MemberKind::Pipeline(b) if b.name.text == base => {
            Some(&b.value)
        }
        _ => None,
    })?;
    let ExprKind::Apply { target, .. } = &value.kind else { return None };
    let ItemKind::Construct(construct) = &scope::item(ws, expr_decl(ws, scope, target)?).kind else {
        return None;
    };
    construct.members.iter().find_map(|m| match &m.kind {
        MemberKind::Output(b) if b.name.text == field => member_target(ws, m, field, None),
        _ => None,
    })
}

fn path_target(ws: &Workspace, scope: &Scope, path: &[Name]) -> Option<Target> {
    match path {
        [single] => global(ws, scope, &single.text),
        [module, name] => match scope.get(&module.text)? {
            Entry::Namespace(m) => decl_in_module(ws, *m, &name.text).map(|d| decl_target(ws, d)),
            _ => None,
        },
        _ => None,
    }
}

/// A declaration of the module itself (not of what it imports).
pub fn decl_in_module(ws: &Workspace, module: ModuleId, name: &str) -> Option<DeclRef> {
    ws.module(module)
        .ast
        .items
        .iter()
        .position(|i| scope::declared_name(i).is_some_and(|n| n.text == name))
        .map(|item| DeclRef { module, item })
}

pub fn decl_target(ws: &Workspace, decl: DeclRef) -> Target {
    let item = scope::item(ws, decl);
    let name = scope::declared_name(item);
    let keyword = match &item.kind {
        ItemKind::Layer(_) => "layer",
        ItemKind::Construct(_) => "construct",
        ItemKind::Type(_) => "type",
        ItemKind::Enum(_) => "enum",
        ItemKind::Import(_) | ItemKind::Project(_) | ItemKind::Environment(_) => "",
    };
    let signature = match &item.kind {
        ItemKind::Type(t) => format!("type {} = {}", t.name.text, ws.sources.slice(t.ty.span)),
        ItemKind::Enum(e) => {
            let variants: Vec<&str> = e.variants.iter().map(|v| v.name.text.as_str()).collect();
            format!("enum {} {{ {} }}", e.name.text, variants.join(", "))
        }
        _ => format!("{keyword} {}", name.map_or("", |n| n.text.as_str())),
    };
    Target { span: name.map_or(item.span, |n| n.span), signature, doc: item.doc.clone(), member: None }
}

fn module_target(ws: &Workspace, module: ModuleId) -> Target {
    let file = ws.module(module).file;
    let name = ws.sources.get(file).map(|f| f.name.clone()).unwrap_or_default();
    Target {
        span: Span::new(file, 0, 0),
        signature: format!("module {}", name.trim_end_matches(".mdl")),
        doc: None,
        member: None,
    }
}

fn variant_target(ws: &Workspace, decl: DeclRef, index: usize) -> Option<Target> {
    let ItemKind::Enum(e) = &scope::item(ws, decl).kind else { return None };
    let variant = e.variants.get(index)?;
    Some(Target {
        span: variant.name.span,
        signature: format!(
            "{}.{}",
            e.name.text,
            first_line(ws.sources.slice(from_name(&variant.name, variant.span)))
        ),
        doc: variant.doc.clone(),
        member: None,
    })
}

pub fn field_target(ws: &Workspace, field: &FieldDecl) -> Target {
    let text = ws.sources.slice(from_name(&field.name, field.span));
    Target {
        span: field.name.span,
        signature: first_line(text).to_string(),
        doc: field.doc.clone(),
        member: None,
    }
}

/// The text from a declared name to the end of its declaration, leaving out
/// the doc comment that the declaration's span starts with.
fn from_name(name: &Name, whole: Span) -> Span {
    Span { start: name.span.start, ..whole }
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or("").trim_end_matches(['{', ' '])
}
