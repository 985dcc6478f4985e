//! Questions about a checked program, asked by the language server and by
//! later stages: what is written at an offset, what it refers to and its type,
//! where that is declared, what else refers to it, what a name typed by hand
//! would mean, what may follow `x.`, and how a type is written.
//!
//! Input: a [`Checked`] and the [`Workspace`] it was checked from. Output:
//! answers read from the resolution table; only names that are not in the
//! program yet (text being typed) are looked up, with the checker's own rule
//! ([`lookup::global`]).

use crate::check::checker::{self, Body};
use crate::check::find;
use crate::check::lookup::{self, Global};
use crate::check::scope::{self, DeclRef, Entry};
use crate::check::table::{Def, Node, Pseudo};
use crate::check::types::{self, Type};
use crate::check::{Checked, DEPLOY_SETTINGS};
use crate::source::{FileId, Span};
use crate::syntax::ast::{self, ItemKind, MemberKind};
use crate::workspace::{ModuleId, Workspace};

impl Checked {
    /// What the name written at `span` refers to.
    pub fn def_at(&self, span: Span) -> Option<Def> {
        self.table.def_at(span)
    }

    /// The name at byte `offset` of `file`, what it refers to and its type.
    pub fn node_at(&self, file: FileId, offset: u32) -> Option<Node<'_>> {
        self.table.node_at(file, offset)
    }

    /// The type the checker gave `expr` (any expression of the program).
    pub fn type_of(&self, expr: &ast::Expr) -> Option<&Type> {
        self.table.type_of(expr)
    }

    /// The innermost expression written at byte `offset` of `file`, with the
    /// type the checker gave it.
    pub fn expr_at<'w>(
        &self,
        ws: &'w Workspace,
        file: FileId,
        offset: u32,
    ) -> Option<(&'w ast::Expr, Option<&Type>)> {
        let module = ws.module_of_file(file)?;
        let expr = find::expr_at(&ws.module(module).ast, offset)?;
        Some((expr, self.type_of(expr)))
    }

    /// The type of member `index` of layer or construct `body`, as recorded
    /// at the name that declares it.
    pub fn member_type(&self, ws: &Workspace, body: DeclRef, index: usize) -> Option<&Type> {
        let name = body_members(ws, body).get(index).and_then(checker::member_name)?;
        self.table.node_starting(name.span).map(|node| node.ty)
    }

    /// Every name that refers to `def`, its declaration included.
    pub fn references(&self, def: Def) -> Vec<Span> {
        self.table.references(def)
    }

    /// A type as users write it in `module` (`ecs.Capacity` where the module
    /// reaches it through a namespace).
    pub fn show(&self, ws: &Workspace, module: ModuleId, ty: &Type) -> String {
        types::render(ty, &|decl| checker::qualified_name(ws, &self.scopes, module, decl))
    }

    /// Where `def` is declared: the name that declares it (the start of the
    /// module's file for a namespace); `None` for what the language provides
    /// (`env`, `aws.region`, built-ins, the implicit `region` setting).
    pub fn declaration(&self, ws: &Workspace, def: Def) -> Option<Span> {
        match def {
            Def::Decl(decl) | Def::Project(decl) => Some(decl_name_span(ws, decl)),
            Def::Member { body, index }
            | Def::Shared { layer: body, index }
            | Def::Output { construct: body, index } => {
                let member = body_members(ws, body).get(index as usize)?;
                Some(checker::member_name(member).map_or(member.span, |n| n.span))
            }
            Def::Variant { decl, index } => match &scope::item(ws, decl).kind {
                ItemKind::Enum(e) => e.variants.get(index as usize).map(|v| v.name.span),
                _ => None,
            },
            Def::Environment { project, index } => {
                lookup::environment_names(ws, project).get(index as usize).map(|n| n.span)
            }
            Def::Local { declared } | Def::Field { declared } | Def::ProjectField { declared } => {
                Some(declared)
            }
            Def::Setting { declared } => declared,
            Def::Namespace(module) => Some(Span::new(ws.module(module).file, 0, 0)),
            Def::Builtin(_) | Def::BuiltinType(_) | Def::Env | Def::EnvName | Def::Aws | Def::Pseudo(_) => {
                None
            }
        }
    }

    /// What `name` would mean if written in `body` (a layer or construct of
    /// `module`, or `None` at module level): a member, `env`, `project`,
    /// `aws`, a declaration, namespace or variant in scope, an environment.
    /// Locals are not known outside the program text; use the table there.
    pub fn lookup(&self, ws: &Workspace, module: ModuleId, body: Option<DeclRef>, name: &str) -> Option<Def> {
        let body = body_kind(ws, body);
        if let Body::Layer(decl) | Body::Construct(decl) = body {
            if let Some(index) = lookup::member_named(body_members(ws, decl), name) {
                return Some(Def::Member { body: decl, index: index as u32 });
            }
        }
        let project = lookup::project_of(&self.scopes, module, lookup::only_project_in_workspace(ws));
        match lookup::global(ws, self.scopes.of(module), project, body, name) {
            Global::Env => Some(Def::Env),
            Global::Project(project) => project.map(Def::Project),
            Global::Aws => Some(Def::Aws),
            Global::Entry(entry) => entry_def(ws, entry, body),
            Global::Environment(project, index) => Some(Def::Environment { project, index: index as u32 }),
            Global::Unknown => None,
        }
    }

    /// What a dotted path written in `body` would mean: `ecs.fargate_service`,
    /// `Capacity.spot`, `core.vpc_id`, `env.size`, `django.url`.
    pub fn lookup_path(
        &self,
        ws: &Workspace,
        module: ModuleId,
        body: Option<DeclRef>,
        path: &[&str],
    ) -> Option<Def> {
        let (first, rest) = path.split_first()?;
        let mut def = self.lookup(ws, module, body, first)?;
        for segment in rest {
            def = self.after_dot(ws, module, def).into_iter().find(|(name, _)| name == segment)?.1;
        }
        Some(def)
    }

    /// What may follow `x.` where `x`, written in `module`, refers to `def`,
    /// in declaration order.
    pub fn after_dot(&self, ws: &Workspace, module: ModuleId, def: Def) -> Vec<(String, Def)> {
        match def {
            Def::Namespace(module) => namespace_decls(ws, module),
            Def::Decl(decl) => match &scope::item(ws, decl).kind {
                ItemKind::Enum(e) => variants(decl, e),
                ItemKind::Layer(layer) => shared(decl, &layer.members),
                _ => Vec::new(),
            },
            Def::Env => {
                let project = lookup::project_of(&self.scopes, module, lookup::only_project_in_workspace(ws));
                let deploy_settings = match self.lookup(ws, module, None, DEPLOY_SETTINGS) {
                    Some(Def::Decl(decl)) => record_type_fields(ws, decl),
                    _ => &[],
                };
                env_fields(ws, project, deploy_settings)
            }
            Def::Project(project) => project_fields(ws, project),
            Def::Aws => Pseudo::ALL.iter().map(|p| (p.name().to_string(), Def::Pseudo(*p))).collect(),
            Def::Member { body, index } => match self.member_type(ws, body, index as usize) {
                Some(ty) => value_fields(ws, ty),
                None => Vec::new(),
            },
            _ => Vec::new(),
        }
    }
}

/// `env.` fields: `name`, the prelude's `DeploySettings` the project does
/// not redeclare (`region`, `account`, ...), then the project's settings.
fn env_fields<'w>(
    ws: &'w Workspace,
    project: Option<DeclRef>,
    deploy_settings: &'w [ast::FieldDecl],
) -> Vec<(String, Def)> {
    let mut fields = vec![("name".to_string(), Def::EnvName)];
    let settings = project.map_or(&[][..], |p| project_settings(ws, p));
    let declared = deploy_settings
        .iter()
        .filter(|d| !settings.iter().any(|f| f.name.text == d.name.text))
        .chain(settings)
        .map(|f| (f.name.text.clone(), Def::Setting { declared: Some(f.name.span) }));
    fields.extend(declared);
    fields
}

fn body_kind(ws: &Workspace, body: Option<DeclRef>) -> Body {
    match body.map(|decl| (decl, &scope::item(ws, decl).kind)) {
        Some((decl, ItemKind::Layer(_))) => Body::Layer(decl),
        Some((decl, ItemKind::Construct(_))) => Body::Construct(decl),
        _ => Body::Module,
    }
}

/// A scope entry as a referent; layers are visible only from layers.
fn entry_def(ws: &Workspace, entry: &Entry, body: Body) -> Option<Def> {
    match entry {
        Entry::Decl(decl) => {
            let layer = matches!(scope::item(ws, *decl).kind, ItemKind::Layer(_));
            (!layer || matches!(body, Body::Layer(_))).then_some(Def::Decl(*decl))
        }
        Entry::Namespace(module) => Some(Def::Namespace(*module)),
        Entry::Variant { decl, variant } => Some(Def::Variant { decl: *decl, index: *variant as u32 }),
        Entry::AmbiguousVariant(_) | Entry::Hidden { .. } => None,
    }
}

fn decl_name_span(ws: &Workspace, decl: DeclRef) -> Span {
    let item = scope::item(ws, decl);
    match &item.kind {
        ItemKind::Project(p) => p.name.span,
        ItemKind::Environment(e) => e.name.span,
        _ => scope::declared_name(item).map_or(item.span, |n| n.span),
    }
}

/// The members of a layer or construct (none for other declarations).
pub fn body_members(ws: &Workspace, decl: DeclRef) -> &[ast::Member] {
    match &scope::item(ws, decl).kind {
        ItemKind::Layer(layer) => &layer.members,
        ItemKind::Construct(construct) => &construct.members,
        _ => &[],
    }
}

fn project_settings(ws: &Workspace, project: DeclRef) -> &[ast::FieldDecl] {
    match &scope::item(ws, project).kind {
        ItemKind::Project(p) => &p.settings,
        _ => &[],
    }
}

/// The fields of a type declared as a record (`type X = { .. }`).
fn record_type_fields(ws: &Workspace, decl: DeclRef) -> &[ast::FieldDecl] {
    match &scope::item(ws, decl).kind {
        ItemKind::Type(alias) => match &alias.ty.kind {
            ast::TypeExprKind::Record(fields) => fields,
            _ => &[],
        },
        _ => &[],
    }
}

fn project_fields(ws: &Workspace, project: DeclRef) -> Vec<(String, Def)> {
    let ItemKind::Project(p) = &scope::item(ws, project).kind else { return Vec::new() };
    let mut fields = vec![("name".to_string(), Def::ProjectField { declared: p.name.span })];
    for field in &p.fields {
        if !fields.iter().any(|(name, _)| *name == field.name.text) {
            fields.push((field.name.text.clone(), Def::ProjectField { declared: field.name.span }));
        }
    }
    fields
}

/// The declarations of a stdlib module itself (not what it includes).
fn namespace_decls(ws: &Workspace, module: ModuleId) -> Vec<(String, Def)> {
    let items = ws.module(module).ast.items.iter().enumerate();
    items
        .filter_map(|(item, i)| {
            let name = scope::declared_name(i)?;
            (!matches!(i.kind, ItemKind::Layer(_)))
                .then(|| (name.text.clone(), Def::Decl(DeclRef { module, item })))
        })
        .collect()
}

fn variants(decl: DeclRef, e: &ast::EnumDecl) -> Vec<(String, Def)> {
    let all = e.variants.iter().enumerate();
    all.map(|(i, v)| (v.name.text.clone(), Def::Variant { decl, index: i as u32 })).collect()
}

/// A layer's `publish` and `secret` members, which other layers read.
fn shared(layer: DeclRef, members: &[ast::Member]) -> Vec<(String, Def)> {
    let all = members.iter().enumerate();
    all.filter_map(|(i, m)| match &m.kind {
        MemberKind::Publish(ast::Binding { name, .. }) | MemberKind::Secret { name, .. } => {
            Some((name.text.clone(), Def::Shared { layer, index: i as u32 }))
        }
        _ => None,
    })
    .collect()
}

/// Fields of a value of type `ty`: an instance's outputs, a record's fields.
fn value_fields(ws: &Workspace, ty: &Type) -> Vec<(String, Def)> {
    match ty.unwrapped() {
        Type::Construct(construct) => {
            let all = body_members(ws, *construct).iter().enumerate();
            all.filter_map(|(i, m)| match &m.kind {
                MemberKind::Output(b) => {
                    Some((b.name.text.clone(), Def::Output { construct: *construct, index: i as u32 }))
                }
                _ => None,
            })
            .collect()
        }
        Type::Record(record) => record
            .fields
            .iter()
            .filter_map(|f| Some((f.name.clone(), Def::Field { declared: f.span? })))
            .collect(),
        _ => Vec::new(),
    }
}
