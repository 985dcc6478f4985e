//! Name tables: which declaration each top-level name means in each module.
//!
//! A module sees its own declarations, those of the spec files it imports
//! (transitively: `import "x.mdl"` makes everything `x.mdl` sees visible), the
//! stdlib modules bound by those imports, the prelude, and the variants of every
//! enum it sees (by bare name, when only one enum has that variant). A module's
//! own declarations shadow the prelude's; any other clash is E0203.

use std::collections::{BTreeSet, HashMap};

use crate::diag::{Code, Diagnostic};
use crate::source::Span;
use crate::syntax::ast::{self, ItemKind};
use crate::workspace::{ModuleId, Workspace};

/// A top-level declaration: item `item` of module `module`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DeclRef {
    pub module: ModuleId,
    pub item: usize,
}

/// What a name in scope means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// A layer, construct, type or enum.
    Decl(DeclRef),
    /// A stdlib module bound by `import std/...`.
    Namespace(ModuleId),
    /// A bare enum variant (`spot`).
    Variant { decl: DeclRef, variant: usize },
    /// A bare variant name that more than one enum in scope has.
    AmbiguousVariant(Vec<DeclRef>),
    /// A declaration named like a module an import binds (`layer network`
    /// with `import std/aws/network`), reported once (E0240): every use of
    /// the name is left unresolved without a further error.
    Hidden { decl: DeclRef, module: ModuleId },
}

/// The names one module sees.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    pub names: HashMap<String, Entry>,
    /// Project declarations in scope (exactly one is expected where environments are evaluated).
    pub projects: Vec<DeclRef>,
    /// Environment declarations in scope.
    pub environments: Vec<DeclRef>,
    /// Layers in scope, in declaration order (the order of files as loaded).
    pub layers: Vec<DeclRef>,
    /// Modules whose declarations this scope includes.
    pub visible_modules: BTreeSet<ModuleId>,
}

impl Scope {
    /// What `name` means here.
    pub fn get(&self, name: &str) -> Option<&Entry> {
        self.names.get(name)
    }

    /// Every name in scope, for "did you mean".
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.names.keys().map(String::as_str)
    }
}

/// One [`Scope`] per module of a workspace.
#[derive(Debug, Clone, Default)]
pub struct Scopes {
    per_module: Vec<Scope>,
}

impl Scopes {
    /// The scope of a module.
    /// An id from another workspace (a stale editor buffer) sees an empty scope.
    pub fn of(&self, module: ModuleId) -> &Scope {
        static EMPTY: std::sync::OnceLock<Scope> = std::sync::OnceLock::new();
        self.per_module.get(module.0).unwrap_or_else(|| EMPTY.get_or_init(Scope::default))
    }
}

/// Build every module's scope; duplicates are reported once each.
pub fn build(workspace: &Workspace) -> (Scopes, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let mut reported = BTreeSet::new();
    let per_module = workspace
        .iter_modules()
        .map(|(id, _)| build_one(workspace, id, &mut diagnostics, &mut reported))
        .collect();
    (Scopes { per_module }, diagnostics)
}

/// The name a declaration binds, if it binds one in the value namespace.
pub fn declared_name(item: &ast::Item) -> Option<&ast::Name> {
    match &item.kind {
        ItemKind::Layer(l) => Some(&l.name),
        ItemKind::Construct(c) => Some(&c.name),
        ItemKind::Type(t) => Some(&t.name),
        ItemKind::Enum(e) => Some(&e.name),
        ItemKind::Import(_) | ItemKind::Project(_) | ItemKind::Environment(_) => None,
    }
}

/// The declaration a reference points at.
pub fn item(workspace: &Workspace, decl: DeclRef) -> &ast::Item {
    &workspace.module(decl.module).ast.items[decl.item]
}

fn build_one(
    workspace: &Workspace,
    id: ModuleId,
    diagnostics: &mut Vec<Diagnostic>,
    reported: &mut BTreeSet<(Span, Span)>,
) -> Scope {
    let mut scope = Scope::default();
    let visible = visible_modules(workspace, id);
    let namespaces = namespaces_in_view(workspace, id, &visible);
    rebound_names(workspace, id, diagnostics, reported);
    let mut declared_at: HashMap<String, Span> = HashMap::new();
    for &module_id in &visible {
        let module = workspace.module(module_id);
        for (index, item) in module.ast.items.iter().enumerate() {
            let decl = DeclRef { module: module_id, item: index };
            match &item.kind {
                ItemKind::Project(_) => scope.projects.push(decl),
                ItemKind::Environment(_) => scope.environments.push(decl),
                ItemKind::Layer(_) => scope.layers.push(decl),
                _ => {}
            }
            let Some(name) = declared_name(item) else { continue };
            // The prelude comes last and gives way: a spec or stdlib module may
            // declare its own `Capacity`, or bind a module to that name,
            // without clashing with the prelude's.
            let taken = declared_at.contains_key(&name.text) || namespaces.contains_key(&name.text);
            if Some(module_id) == workspace.prelude && module_id != id && taken {
                continue;
            }
            if let Some(first) = declared_at.get(&name.text) {
                if reported.insert((*first, name.span)) {
                    diagnostics.push(duplicate(&name.text, *first, name.span));
                }
                continue;
            }
            declared_at.insert(name.text.clone(), name.span);
            scope.names.insert(name.text.clone(), Entry::Decl(decl));
        }
    }
    for (name, (binding, target)) in namespaces {
        let entry = match scope.names.get(&name) {
            Some(Entry::Decl(decl)) => {
                let declared = declared_name(item(workspace, *decl)).map_or(binding.span, |n| n.span);
                if reported.insert((declared, binding.span)) {
                    diagnostics.push(hides_module(workspace, *decl, declared, binding, target));
                }
                Entry::Hidden { decl: *decl, module: target }
            }
            _ => Entry::Namespace(target),
        };
        scope.names.insert(name, entry);
    }
    add_variants(workspace, &mut scope);
    scope.visible_modules = visible.into_iter().collect();
    scope
}

/// The stdlib modules bound by the imports of the visible modules, by the
/// name they bind; the module's own imports first, then the first binding of
/// a name among the files it includes.
fn namespaces_in_view<'w>(
    workspace: &'w Workspace,
    id: ModuleId,
    visible: &[ModuleId],
) -> HashMap<String, (&'w ast::Name, ModuleId)> {
    let mut bound: HashMap<String, (&ast::Name, ModuleId)> = HashMap::new();
    for &module_id in visible {
        for (binding, target) in &workspace.module(module_id).namespaces {
            if module_id == id || !bound.contains_key(&binding.text) {
                bound.entry(binding.text.clone()).or_insert((binding, *target));
            }
        }
    }
    bound
}

/// E0203: one name bound to two modules by the imports of one file
/// (`import std/aws/{network as net, ecs as net}`).
fn rebound_names(
    workspace: &Workspace,
    id: ModuleId,
    diagnostics: &mut Vec<Diagnostic>,
    reported: &mut BTreeSet<(Span, Span)>,
) {
    let mut first: HashMap<&str, (Span, ModuleId)> = HashMap::new();
    for (binding, target) in &workspace.module(id).namespaces {
        match first.get(binding.text.as_str()) {
            Some(&(earlier, module)) if module != *target => {
                if reported.insert((earlier, binding.span)) {
                    diagnostics.push(duplicate(&binding.text, earlier, binding.span));
                }
            }
            Some(_) => {}
            None => {
                first.insert(&binding.text, (binding.span, *target));
            }
        }
    }
}

/// The module itself, what it includes (transitively), and the prelude.
fn visible_modules(workspace: &Workspace, id: ModuleId) -> Vec<ModuleId> {
    let mut seen = BTreeSet::new();
    let mut order = Vec::new();
    let mut stack = vec![id];
    while let Some(next) = stack.pop() {
        if !seen.insert(next) {
            continue;
        }
        order.push(next);
        for (included, _) in workspace.module(next).includes.iter().rev() {
            stack.push(*included);
        }
    }
    if let Some(prelude) = workspace.prelude {
        if seen.insert(prelude) {
            order.push(prelude);
        }
    }
    order
}

fn add_variants(workspace: &Workspace, scope: &mut Scope) {
    let mut variants: HashMap<String, Vec<(DeclRef, usize)>> = HashMap::new();
    for entry in scope.names.values() {
        let Entry::Decl(decl) = entry else { continue };
        let ItemKind::Enum(decl_enum) = &item(workspace, *decl).kind else { continue };
        for (index, variant) in decl_enum.variants.iter().enumerate() {
            variants.entry(variant.name.text.clone()).or_default().push((*decl, index));
        }
    }
    for (name, mut owners) in variants {
        if scope.names.contains_key(&name) {
            continue; // a declaration of that name wins; the variant stays reachable as `Enum.variant`
        }
        owners.sort();
        let entry = match owners.as_slice() {
            [(decl, variant)] => Entry::Variant { decl: *decl, variant: *variant },
            _ => Entry::AmbiguousVariant(owners.iter().map(|(d, _)| *d).collect()),
        };
        scope.names.insert(name, entry);
    }
}

/// E0240: `layer network` where an import binds `network` to a module.
fn hides_module(
    workspace: &Workspace,
    decl: DeclRef,
    declared: Span,
    binding: &ast::Name,
    target: ModuleId,
) -> Diagnostic {
    let kind = match item(workspace, decl).kind {
        ItemKind::Layer(_) => "layer",
        ItemKind::Construct(_) => "construct",
        ItemKind::Type(_) => "type",
        ItemKind::Enum(_) => "enum",
        ItemKind::Import(_) | ItemKind::Project(_) | ItemKind::Environment(_) => "declaration",
    };
    let name = &binding.text;
    let path = match &workspace.module(target).origin {
        crate::workspace::ModuleOrigin::Std(path) => path.clone(),
        _ => name.clone(),
    };
    Diagnostic::new(
        Code::HidesModule,
        format!("{kind} `{name}` hides the imported module `{path}`"),
        declared,
        "hides the module imported under the same name",
    )
    .with_label(binding.span, "the module is bound to this name")
    .with_help(rename_help(&path, name, kind))
}

/// "bind the module to another name: `import std/aws/{network as aws_network}` ..."
fn rename_help(path: &str, name: &str, kind: &str) -> String {
    let (folder, module) = path.rsplit_once('/').unwrap_or(("std", path));
    let parent = folder.rsplit('/').next().unwrap_or("std");
    let alias = format!("{parent}_{module}");
    format!(
        "bind the module to another name, `import {folder}/{{{module} as {alias}}}`, and write `{alias}.…` where the module is meant; or rename the {kind} `{name}`"
    )
}

fn duplicate(name: &str, first: Span, second: Span) -> Diagnostic {
    Diagnostic::new(
        Code::DuplicateDefinition,
        format!("`{name}` is defined twice"),
        second,
        "defined again here",
    )
    .with_label(first, "first defined here")
    .with_help(format!("rename one of them, or remove the second `{name}`"))
}
