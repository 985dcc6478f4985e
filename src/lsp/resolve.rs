//! From what the checker says a name refers to ([`Def`]) to what the editor
//! shows: one line of mdl saying what it is, and its doc comment. Shared by
//! hover and completion; where a name is declared is the checker's answer
//! ([`Checked::declaration`](crate::check::Checked::declaration)).

use crate::check::scope::{self, DeclRef};
use crate::check::{Def, BUILTINS, BUILTIN_TYPES};
use crate::source::Span;
use crate::syntax::ast::*;
use crate::workspace::Workspace;

/// What a name refers to, as the editor shows it.
pub struct Target {
    /// One line of mdl saying what it is: `cpu: cpu in 0.25 vcpu..16 vcpu = 1 vcpu`.
    pub signature: String,
    pub doc: Option<String>,
}

/// How the editor shows `def`.
pub fn target(ws: &Workspace, def: Def) -> Option<Target> {
    Some(match def {
        Def::Decl(decl) => decl_target(ws, decl),
        Def::Member { body, index }
        | Def::Shared { layer: body, index }
        | Def::Output { construct: body, index } => member_target(ws, body, index as usize)?,
        Def::Variant { decl, index } => variant_target(ws, decl, index as usize)?,
        Def::Namespace(module) => {
            let file = ws.module(module).file;
            let name = ws.sources.get(file).map(|f| f.name.clone()).unwrap_or_default();
            plain(format!("module {}", name.trim_end_matches(".mdl")), None)
        }
        Def::Local { declared } => plain(ws.sources.slice(declared).to_string(), None),
        Def::Field { declared } | Def::Setting { declared: Some(declared) } => {
            field_target(ws, field_decl_at(ws, declared)?)
        }
        Def::Setting { declared: None } => {
            plain("region: Region".into(), Some("The environment's AWS region."))
        }
        Def::ProjectField { declared } => project_field_target(ws, declared),
        Def::Project(project) => decl_target(ws, project),
        Def::Environment { project, index } => {
            let name = crate::check::lookup::environment_names(ws, project).get(index as usize)?;
            plain(format!("environment {}", name.text), Some("One of the project's environments."))
        }
        Def::Env => plain(
            "env".into(),
            Some("The environment being evaluated: `env.name`, `env.region` and the project's settings."),
        ),
        Def::EnvName => plain("env.name".into(), Some("The name of the environment being evaluated.")),
        Def::Aws => {
            plain("aws".into(), Some("CloudFormation's pseudo parameters, known when the stack deploys."))
        }
        Def::Pseudo(pseudo) => plain(
            format!("aws.{}: deploy<string>", pseudo.name()),
            Some(&format!("CloudFormation's `{}`, known when the stack deploys.", pseudo.cloudformation())),
        ),
        Def::Builtin(index) => plain(BUILTINS.get(index as usize)?.1.to_string(), None),
        Def::BuiltinType(index) => plain(format!("type {}", BUILTIN_TYPES.get(index as usize)?), None),
    })
}

fn plain(signature: String, doc: Option<&str>) -> Target {
    Target { signature, doc: doc.map(str::to_string) }
}

/// A layer, construct, type or enum (or the project), by its declaration.
pub fn decl_target(ws: &Workspace, decl: DeclRef) -> Target {
    let item = scope::item(ws, decl);
    let signature = match &item.kind {
        ItemKind::Type(t) => format!("type {} = {}", t.name.text, ws.sources.slice(t.ty.span)),
        ItemKind::Enum(e) => {
            let variants: Vec<&str> = e.variants.iter().map(|v| v.name.text.as_str()).collect();
            format!("enum {} {{ {} }}", e.name.text, variants.join(", "))
        }
        ItemKind::Layer(l) => format!("layer {}", l.name.text),
        ItemKind::Construct(c) => format!("construct {}", c.name.text),
        ItemKind::Project(p) => format!("project {}", p.name.text),
        ItemKind::Environment(e) => format!("environment {}", e.name.text),
        ItemKind::Import(_) => String::new(),
    };
    Target { signature, doc: item.doc.clone() }
}

fn member_target(ws: &Workspace, body: DeclRef, index: usize) -> Option<Target> {
    let members = match &scope::item(ws, body).kind {
        ItemKind::Layer(l) => &l.members,
        ItemKind::Construct(c) => &c.members,
        _ => return None,
    };
    let member = members.get(index)?;
    let keyword = match &member.kind {
        MemberKind::Param(field) => return Some(field_target(ws, field)),
        MemberKind::Binding(_) => "",
        MemberKind::Service(_) => "service ",
        MemberKind::Pipeline(_) => "pipeline ",
        MemberKind::Publish(_) => "publish ",
        MemberKind::Output(_) => "output ",
        MemberKind::Secret { .. } => "secret ",
        MemberKind::Resource(_) => "resource ",
        MemberKind::Require(_) => return None,
    };
    let text = first_line(ws.sources.slice(member_text_span(member)));
    Some(Target { signature: format!("{keyword}{text}"), doc: member.doc.clone() })
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

fn variant_target(ws: &Workspace, decl: DeclRef, index: usize) -> Option<Target> {
    let ItemKind::Enum(e) = &scope::item(ws, decl).kind else { return None };
    let variant = e.variants.get(index)?;
    let text = first_line(ws.sources.slice(from_name(&variant.name, variant.span)));
    Some(Target { signature: format!("{}.{text}", e.name.text), doc: variant.doc.clone() })
}

/// A typed field: a param, a setting, a field of a record type or variant.
pub fn field_target(ws: &Workspace, field: &FieldDecl) -> Target {
    let text = ws.sources.slice(from_name(&field.name, field.span));
    Target { signature: first_line(text).to_string(), doc: field.doc.clone() }
}

/// `project.params`: the field's line; `project.name`: the project.
fn project_field_target(ws: &Workspace, declared: Span) -> Target {
    let project = ws.module_of_file(declared.file).and_then(|module| {
        ws.module(module).ast.items.iter().find_map(|item| match &item.kind {
            ItemKind::Project(p) => Some((item, p)),
            _ => None,
        })
    });
    match project {
        Some((item, p)) if p.name.span == declared => {
            Target { signature: format!("project {}", p.name.text), doc: item.doc.clone() }
        }
        Some((_, p)) => match p.fields.iter().find(|f| f.name.span == declared) {
            Some(field) => {
                plain(first_line(ws.sources.slice(field.name.span.to(field.value.span))).into(), None)
            }
            None => plain(ws.sources.slice(declared).to_string(), None),
        },
        None => plain(ws.sources.slice(declared).to_string(), None),
    }
}

/// The field declaration whose name is written at `name`.
pub fn field_decl_at(ws: &Workspace, name: Span) -> Option<&FieldDecl> {
    let module = ws.module_of_file(name.file)?;
    let items = &ws.module(module).ast.items;
    items.iter().find_map(|item| item_fields(item).find_map(|field| field_in(field, name)))
}

/// The field declarations written directly in an item.
fn item_fields(item: &Item) -> Box<dyn Iterator<Item = &FieldDecl> + '_> {
    fn params(members: &[Member]) -> impl Iterator<Item = &FieldDecl> {
        members.iter().filter_map(|m| match &m.kind {
            MemberKind::Param(field) => Some(field),
            _ => None,
        })
    }
    match &item.kind {
        ItemKind::Project(p) => Box::new(p.settings.iter()),
        ItemKind::Construct(c) => Box::new(params(&c.members)),
        ItemKind::Layer(l) => Box::new(params(&l.members)),
        ItemKind::Type(t) => Box::new(type_fields(&t.ty).iter()),
        ItemKind::Enum(e) => Box::new(e.variants.iter().flat_map(|v| v.fields.iter())),
        ItemKind::Import(_) | ItemKind::Environment(_) => Box::new(std::iter::empty()),
    }
}

/// `field` itself, or a field of a record type nested in its type.
fn field_in(field: &FieldDecl, name: Span) -> Option<&FieldDecl> {
    if field.name.span == name {
        return Some(field);
    }
    type_fields(&field.ty).iter().find_map(|inner| field_in(inner, name))
}

/// The fields of the record type inside `ty` (`[{ name: string }]`), if any.
fn type_fields(ty: &TypeExpr) -> &[FieldDecl] {
    match &ty.kind {
        TypeExprKind::Record(fields) => fields,
        TypeExprKind::List(inner)
        | TypeExprKind::Map(inner)
        | TypeExprKind::Deploy(inner)
        | TypeExprKind::Optional(inner) => type_fields(inner),
        TypeExprKind::Named(_) => &[],
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
