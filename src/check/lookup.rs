//! The rule for what a plain name means, once locals, members and the
//! expected type have had their say: `env`, `project`, `aws`, then the module
//! scope, then the project's environment names.
//!
//! Input: the module's scope, the body kind, the project in view. Output: a
//! [`Global`]. The checker (which reports what is wrong) and the
//! [`Checked`](super::Checked) queries (which answer the editor) both call
//! [`global`], so the rule is written once.

use crate::check::checker::Body;
use crate::check::scope::{self, DeclRef, Entry, Scope, Scopes};
use crate::syntax::ast::{self, ItemKind};
use crate::workspace::{ModuleId, Workspace};

/// What a name means outside locals and members.
#[derive(Debug, Clone, Copy)]
pub enum Global<'s> {
    /// `env` in a layer.
    Env,
    /// `project` in a layer (`None`: no single project is in view).
    Project(Option<DeclRef>),
    /// `aws` in a layer or construct.
    Aws,
    /// A name of the module scope.
    Entry(&'s Entry),
    /// `dev`, `prod` in a layer: environment `index` of `project`.
    Environment(DeclRef, usize),
    /// Nothing of that name here.
    Unknown,
}

/// What `text` means in `body` of a module with `scope`, where `project` is the
/// project environments and layers of that module belong to.
pub fn global<'s>(
    ws: &Workspace,
    scope: &'s Scope,
    project: Option<DeclRef>,
    body: Body,
    text: &str,
) -> Global<'s> {
    match (text, body) {
        ("env", Body::Layer(_)) => return Global::Env,
        ("project", Body::Layer(_)) => return Global::Project(project),
        ("aws", Body::Layer(_) | Body::Construct(_)) => return Global::Aws,
        _ => {}
    }
    if let Some(entry) = scope.get(text) {
        return Global::Entry(entry);
    }
    match (body, project) {
        (Body::Layer(_), Some(project)) => environment_index(ws, project, text)
            .map_or(Global::Unknown, |index| Global::Environment(project, index)),
        _ => Global::Unknown,
    }
}

/// The position of `name` among the environments `project` lists.
pub fn environment_index(ws: &Workspace, project: DeclRef, name: &str) -> Option<usize> {
    environment_names(ws, project).iter().position(|n| n.text == name)
}

/// The names a project lists in `environments { .. }`.
pub fn environment_names(ws: &Workspace, project: DeclRef) -> &[ast::Name] {
    match &scope::item(ws, project).kind {
        ItemKind::Project(p) => &p.environments,
        _ => &[],
    }
}

/// The one project environments and layers of `module` belong to: the one in
/// its scope, else (a layer's file need not import the project) the
/// workspace's only project.
pub fn project_of(scopes: &Scopes, module: ModuleId, sole: Option<DeclRef>) -> Option<DeclRef> {
    match scopes.of(module).projects.as_slice() {
        [one] => Some(*one),
        [] => sole,
        _ => None,
    }
}

/// The project, when the workspace has exactly one.
pub fn only_project_in_workspace(ws: &Workspace) -> Option<DeclRef> {
    let mut found = None;
    for (id, module) in ws.iter_modules() {
        for (item, decl) in module.ast.items.iter().enumerate() {
            if matches!(decl.kind, ItemKind::Project(_)) {
                if found.is_some() {
                    return None;
                }
                found = Some(DeclRef { module: id, item });
            }
        }
    }
    found
}

/// The name a member binds inside its body. Outputs bind none there: they name
/// what an instance shows outside (`output vpc_id = vpc_id` re-exports a param).
pub fn inner_name(member: &ast::Member) -> Option<&ast::Name> {
    match member.kind {
        ast::MemberKind::Output(_) => None,
        _ => crate::check::checker::member_name(member),
    }
}

/// The member of `body` that `name` means inside it (the first of that name).
pub fn member_named(members: &[ast::Member], name: &str) -> Option<usize> {
    members.iter().position(|m| inner_name(m).is_some_and(|n| n.text == name))
}
