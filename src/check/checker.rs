//! The checker's state: caches of declaration signatures, the body being
//! checked, and the errors found so far.
//!
//! Input: the workspace and its scopes. Output: accumulated [`CheckError`]s,
//! cross-layer edges and import usage, collected by `mod.rs`. Invariants: each
//! declaration signature (alias, construct params, enum variants, settings) is
//! resolved once and cached, so its errors are reported once; each body member
//! is typed once (memoized in `members`), in whatever order references reach it.

use std::collections::{HashMap, HashSet};
use std::rc::Rc;
use std::sync::Arc;

use crate::check::error::CheckError;
use crate::check::lookup;
use crate::check::narrow::Fact;
use crate::check::scope::{self, DeclRef, Scope, Scopes};
use crate::check::table::{Builder, Def};
use crate::check::types::{self, RecordType, Type};
use crate::diag;
use crate::source::Span;
use crate::syntax::ast::{self, ItemKind, Name};
use crate::workspace::{ModuleId, Workspace};

/// Which kind of body names are resolved in; decides what is visible.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Body {
    /// Module level: types, enums, project fields, environment records.
    Module,
    /// A layer: its members, other layers, `env`, `project`, `aws`.
    Layer(DeclRef),
    /// A construct: its params and bindings, `aws`.
    Construct(DeclRef),
}

/// Where names are being resolved right now.
#[derive(Debug, Clone)]
pub struct Ctx {
    /// The module whose scope names resolve in.
    pub module: ModuleId,
    /// The body being checked, if any.
    pub body: Body,
    /// Member names of the body (layer or construct) → member index.
    pub members: Option<Rc<HashMap<String, usize>>>,
    /// Comprehension variables, match bindings, record-type fields, each with
    /// what it refers to: innermost last.
    pub locals: Vec<(String, Type, Def)>,
    /// Resolving the target of `target { .. }`: only declarations take fields,
    /// so locals and members do not hide them (`queue = queue { .. }`).
    pub declarations_only: bool,
    /// The one expression allowed to be a construct instance (a binding's whole value).
    pub instance_ok: Option<Span>,
    /// Inside raw resource properties, a secret becomes a dynamic reference.
    pub secrets_ok: bool,
    /// Check-time conditions known to hold here (see `narrow`).
    pub facts: Vec<Fact>,
}

impl Ctx {
    /// Module-level context: only the module scope is visible.
    pub fn module(module: ModuleId) -> Ctx {
        Ctx {
            module,
            body: Body::Module,
            members: None,
            locals: Vec::new(),
            declarations_only: false,
            instance_ok: None,
            secrets_ok: false,
            facts: Vec::new(),
        }
    }
}

/// Typing state of one body member.
#[derive(Debug, Clone)]
pub enum MemberState {
    /// Being typed: meeting it again is a cycle.
    InProgress,
    /// Typed.
    Done(Type),
}

/// Alias resolution state, for recursive aliases.
#[derive(Debug, Clone)]
pub enum AliasState {
    /// Being resolved: meeting it again is a recursive alias.
    InProgress,
    /// Resolved.
    Done(Type),
}

/// One variant of an enum, resolved.
#[derive(Debug, Clone)]
pub struct VariantSig {
    /// As declared.
    pub name: String,
    /// Its position among the enum's declared variants.
    pub declared: usize,
    /// Its fields as a record shape (empty for a plain variant).
    pub fields: Arc<RecordType>,
    /// Where its name is declared.
    pub span: Span,
}

/// An enum's variants, resolved once.
#[derive(Debug, Clone, Default)]
pub struct EnumSig {
    /// In declaration order (duplicates dropped).
    pub variants: Vec<VariantSig>,
    /// Variant name → position in `variants`.
    pub index: HashMap<String, usize>,
}

/// A reference from one declaration to another: `core.vpc_id` inside layer
/// `web`, or an instance of construct `b` inside construct `a`.
#[derive(Debug, Clone, Copy)]
pub struct LayerEdge {
    /// The declaration that refers.
    pub from: DeclRef,
    /// The declaration referred to.
    pub to: DeclRef,
    /// Where the reference is written.
    pub span: Span,
}

/// A project's fields by name: each one's type and where it is declared.
pub type ProjectFields = HashMap<String, (Type, Span)>;

/// The checker: one per `check` run.
pub struct Checker<'w> {
    /// What is being checked.
    pub ws: &'w Workspace,
    /// Name tables, one per module.
    pub scopes: &'w Scopes,
    /// Problems found so far, in no particular order.
    pub errors: Vec<CheckError>,
    /// Where names are resolved right now.
    pub ctx: Ctx,
    /// Typing state of each (layer or construct, member index).
    pub members: HashMap<(DeclRef, usize), MemberState>,
    /// Member name → index, per layer or construct.
    pub member_index: HashMap<DeclRef, Rc<HashMap<String, usize>>>,
    /// Resolved type aliases.
    pub aliases: HashMap<DeclRef, AliasState>,
    /// Resolved construct params.
    pub params: HashMap<DeclRef, Arc<RecordType>>,
    /// Resolved enum variants.
    pub enums: HashMap<DeclRef, Rc<EnumSig>>,
    /// Resolved project settings (with `region`).
    pub settings: HashMap<DeclRef, Arc<RecordType>>,
    /// Types of each project's fields (`params`, ...) with where each is
    /// declared, filled when the project is checked.
    pub project_fields: HashMap<DeclRef, Rc<ProjectFields>>,
    /// Cross-layer references, in the order met.
    pub layer_edges: Vec<LayerEdge>,
    /// Construct → construct instantiations inside construct bodies.
    pub construct_edges: Vec<LayerEdge>,
    /// `(module, binding)` of each namespace use, for W0201.
    pub used_namespaces: HashSet<(ModuleId, String)>,
    /// Member cycles already reported, so a cycle is reported once.
    pub reported_cycles: HashSet<(DeclRef, usize)>,
    /// Field declarations whose default and range are checked last, with the
    /// construct whose params they are (defaults see the other params).
    pub pending_fields: Vec<(&'w ast::FieldDecl, Type, ModuleId, Option<DeclRef>)>,
    /// How many members are being typed on demand, one inside another.
    pub member_depth: usize,
    /// How many aliases are being resolved, one inside another.
    pub alias_depth: usize,
    /// What each name refers to and each expression's type, so far.
    pub table: Builder,
    /// The `when` conjuncts of each member that is optional because of its
    /// `when` (see `narrow`).
    pub when_facts: HashMap<(DeclRef, usize), Vec<Fact>>,
    /// The workspace's only project, when there is exactly one.
    sole_project: Option<DeclRef>,
}

impl<'w> Checker<'w> {
    /// A checker with empty caches.
    pub fn new(ws: &'w Workspace, scopes: &'w Scopes) -> Checker<'w> {
        SUGGESTION_BUDGET.with(|budget| budget.set(SUGGESTION_CANDIDATES));
        Checker {
            ws,
            scopes,
            errors: Vec::new(),
            ctx: Ctx::module(ModuleId(0)),
            members: HashMap::new(),
            member_index: HashMap::new(),
            aliases: HashMap::new(),
            params: HashMap::new(),
            enums: HashMap::new(),
            settings: HashMap::new(),
            project_fields: HashMap::new(),
            layer_edges: Vec::new(),
            construct_edges: Vec::new(),
            used_namespaces: HashSet::new(),
            reported_cycles: HashSet::new(),
            pending_fields: Vec::new(),
            member_depth: 0,
            alias_depth: 0,
            table: Builder::default(),
            when_facts: HashMap::new(),
            sole_project: lookup::only_project_in_workspace(ws),
        }
    }

    /// Record a problem.
    pub fn report(&mut self, error: CheckError) {
        self.errors.push(error);
    }

    /// The scope of the module being checked.
    pub fn scope(&self) -> &'w Scope {
        self.scopes.of(self.ctx.module)
    }

    /// The declaration behind a reference.
    pub fn item(&self, decl: DeclRef) -> &'w ast::Item {
        scope::item(self.ws, decl)
    }

    /// Run `f` in another context, restoring the current one afterwards.
    pub fn with_ctx<T>(&mut self, ctx: Ctx, f: impl FnOnce(&mut Self) -> T) -> T {
        let saved = std::mem::replace(&mut self.ctx, ctx);
        let result = f(self);
        self.ctx = saved;
        result
    }

    /// The context of a layer or construct body.
    pub fn body_ctx(&mut self, decl: DeclRef, body: Body) -> Ctx {
        Ctx {
            module: decl.module,
            body,
            members: Some(self.member_index(decl)),
            locals: Vec::new(),
            declarations_only: false,
            instance_ok: None,
            secrets_ok: false,
            facts: Vec::new(),
        }
    }

    /// Member name → index for a layer or construct (first definition wins).
    /// Outputs are not in it: they name what an instance shows outside
    /// (`output vpc_id = vpc_id` re-exports a param), not values inside.
    pub fn member_index(&mut self, decl: DeclRef) -> Rc<HashMap<String, usize>> {
        if let Some(index) = self.member_index.get(&decl) {
            return index.clone();
        }
        let mut index = HashMap::new();
        for (i, member) in self.body_members(decl).iter().enumerate() {
            if let Some(name) = lookup::inner_name(member) {
                index.entry(name.text.clone()).or_insert(i);
            }
        }
        let index = Rc::new(index);
        self.member_index.insert(decl, index.clone());
        index
    }

    /// The members of a layer or construct (empty for other declarations).
    pub fn body_members(&self, decl: DeclRef) -> &'w [ast::Member] {
        match &self.item(decl).kind {
            ItemKind::Layer(layer) => &layer.members,
            ItemKind::Construct(construct) => &construct.members,
            _ => &[],
        }
    }

    /// The name a declaration binds, for messages.
    pub fn decl_name(&self, decl: DeclRef) -> String {
        decl_name(self.ws, decl)
    }

    /// A type as users write it.
    pub fn show(&self, ty: &Type) -> String {
        types::render(ty, &|decl| qualified_name(self.ws, self.scopes, self.ctx.module, decl))
    }

    /// The enum's variants, resolved once.
    pub fn enum_sig(&mut self, decl: DeclRef) -> Rc<EnumSig> {
        if let Some(sig) = self.enums.get(&decl) {
            return sig.clone();
        }
        // Insert a placeholder first: a variant field typed with its own enum
        // is legal and must not resolve the enum twice.
        self.enums.insert(decl, Rc::new(EnumSig::default()));
        let sig = Rc::new(self.resolve_enum(decl));
        self.enums.insert(decl, sig.clone());
        sig
    }

    /// The one project environments and layers in `module` belong to, if any.
    pub fn project_of(&self, module: ModuleId) -> Option<DeclRef> {
        lookup::project_of(self.scopes, module, self.sole_project)
    }

    /// Record what the name written at `name` refers to; returns its type.
    pub fn resolved(&mut self, name: &Name, def: Def, ty: Type) -> Type {
        self.table.name(name.span, def, &ty);
        ty
    }
}

/// The name a declaration binds, for messages.
pub fn decl_name(ws: &Workspace, decl: DeclRef) -> String {
    let item = scope::item(ws, decl);
    match &item.kind {
        ItemKind::Project(p) => p.name.text.clone(),
        ItemKind::Environment(e) => e.name.text.clone(),
        _ => scope::declared_name(item).map(|n| n.text.clone()).unwrap_or_default(),
    }
}

/// `Capacity`, or `ecs.Capacity` when the declaration lives in a stdlib module
/// that `module` reaches through a namespace.
pub fn qualified_name(ws: &Workspace, scopes: &Scopes, module: ModuleId, decl: DeclRef) -> String {
    let name = decl_name(ws, decl);
    if scopes.of(module).visible_modules.contains(&decl.module) {
        return name;
    }
    match ws.module(module).namespaces.iter().find(|(_, target)| *target == decl.module) {
        Some((binding, _)) => format!("{}.{name}", binding.text),
        None => name,
    }
}

/// The name a body member binds, if any.
pub fn member_name(member: &ast::Member) -> Option<&ast::Name> {
    use ast::MemberKind as M;
    match &member.kind {
        M::Param(field) => Some(&field.name),
        M::Binding(b) | M::Service(b) | M::Pipeline(b) | M::Publish(b) | M::Output(b) => Some(&b.name),
        M::Secret { name, .. } => Some(name),
        M::Resource(resource) => Some(&resource.name),
        M::Require(_) => None,
    }
}

/// Candidate names "did you mean" may compare in one check. Suggestions are a
/// courtesy: a file with thousands of unknown names among thousands of
/// declarations gets them for its first few hundred, and checking it stays
/// linear instead of comparing every unknown name with every name in scope.
const SUGGESTION_CANDIDATES: usize = 500_000;

thread_local! {
    /// What is left of [`SUGGESTION_CANDIDATES`] in the check running on this
    /// thread ([`Checker::new`] refills it).
    static SUGGESTION_BUDGET: std::cell::Cell<usize> = const { std::cell::Cell::new(SUGGESTION_CANDIDATES) };
}

/// The candidate a misspelt `name` most likely meant: a close match by
/// [`diag::did_you_mean`], else a single edit or swap away (`vcp` → `vpc`),
/// which Jaro-Winkler scores low on short names. `None` once this check's
/// budget of comparisons is spent.
pub fn suggest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    if SUGGESTION_BUDGET.with(|budget| budget.get()) == 0 {
        return None;
    }
    let candidates: Vec<&str> = candidates.into_iter().collect();
    SUGGESTION_BUDGET.with(|budget| budget.set(budget.get().saturating_sub(candidates.len())));
    if let Some(close) = diag::did_you_mean(name, candidates.iter().copied()) {
        return Some(close.to_string());
    }
    let length = name.chars().count();
    if length < 3 {
        return None;
    }
    candidates
        .into_iter()
        // One edit or swap changes the length by at most one.
        .filter(|c| c.len().abs_diff(name.len()) <= 4 && c.chars().count().abs_diff(length) <= 1)
        .filter(|c| *c != name && strsim::osa_distance(name, c) == 1)
        .min()
        .map(str::to_string)
}
