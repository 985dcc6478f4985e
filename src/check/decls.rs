//! Per-declaration checks: projects, environments, layers, constructs, type
//! aliases and enums, plus field defaults and ranges and unused imports.
//!
//! Input: every item of every module. Output: errors on the checker.
//! Invariants: projects are checked before anything that reads `project.x`;
//! each declaration is visited once; members are typed through `type_member`
//! so a member reached earlier by a reference is not checked twice.

use std::collections::HashMap;

use crate::check::checker::{member_name, Body, Ctx};
use crate::check::error::CheckError;
use crate::check::lookup;
use crate::check::records::Owner;
use crate::check::scope::{DeclRef, Entry};
use crate::check::table::Def;
use crate::check::types::Type;
use crate::check::Checker;
use crate::source::Span;
use crate::syntax::ast::{Environment, ItemKind, Member, MemberKind, Project, TypeDecl};
use crate::workspace::{ModuleId, ModuleOrigin};

impl<'w> Checker<'w> {
    /// Check every declaration of the workspace.
    pub fn check_all(&mut self) {
        let ws = self.ws;
        let decls: Vec<(DeclRef, &'w ItemKind)> = ws
            .iter_modules()
            .flat_map(|(module, m)| {
                m.ast.items.iter().enumerate().map(move |(item, i)| (DeclRef { module, item }, &i.kind))
            })
            .collect();
        self.declared_names();
        for &(decl, kind) in &decls {
            self.ctx = Ctx::module(decl.module);
            match kind {
                ItemKind::Project(project) => self.check_project(decl, project),
                ItemKind::Enum(_) => self.check_enum(decl),
                ItemKind::Type(alias) => self.check_type_decl(decl, alias),
                _ => {}
            }
        }
        for &(decl, kind) in &decls {
            self.ctx = Ctx::module(decl.module);
            match kind {
                ItemKind::Environment(environment) => self.check_environment(decl, environment),
                ItemKind::Layer(layer) => self.check_body(decl, &layer.members, true),
                ItemKind::Construct(construct) => {
                    self.construct_params(decl);
                    self.check_body(decl, &construct.members, false)
                }
                ItemKind::Import(_) | ItemKind::Project(_) | ItemKind::Enum(_) | ItemKind::Type(_) => {}
            }
        }
        self.check_pending_fields();
        self.duplicate_environments();
        self.unused_imports();
    }

    fn check_project(&mut self, decl: DeclRef, project: &'w Project) {
        self.project_names(decl, project);
        let mut seen: HashMap<&str, Span> = HashMap::new();
        for name in &project.environments {
            if let Some(first) = seen.insert(&name.text, name.span) {
                self.report(CheckError::Duplicate {
                    name: name.text.clone(),
                    what: "environment",
                    first,
                    second: name.span,
                });
            }
        }
        self.project_settings(decl);
        let mut fields = HashMap::new();
        let mut seen: HashMap<&str, Span> = HashMap::new();
        for field in &project.fields {
            if let Some(first) = seen.insert(&field.name.text, field.name.span) {
                let error = CheckError::Duplicate {
                    name: field.name.text.clone(),
                    what: "field",
                    first,
                    second: field.name.span,
                };
                self.report(error);
                continue;
            }
            let ty = if field.name.text == "params" {
                self.check_params_prefix(&field.value)
            } else if field.name.text == "tags" {
                // The project's tags go on every stack, like an environment's `tags`.
                self.check_expr(&field.value, &Type::Map(Box::new(Type::String)), None)
            } else {
                self.infer(&field.value)
            };
            let ty = self.resolved(&field.name, Def::ProjectField { declared: field.name.span }, ty);
            fields.insert(field.name.text.clone(), (ty, field.name.span));
        }
        self.project_fields.insert(decl, std::rc::Rc::new(fields));
    }

    /// The project's name and its environments, as declarations.
    fn project_names(&mut self, decl: DeclRef, project: &'w Project) {
        self.resolved(&project.name, Def::Project(decl), Type::Unknown);
        for (index, name) in project.environments.iter().enumerate() {
            self.resolved(name, Def::Environment { project: decl, index: index as u32 }, Type::Environment);
        }
    }

    /// `params = "/prefix"`: the SSM prefix of published values. It may
    /// name the environment being evaluated (`"/shop/${env.name}"`): `env`
    /// is visible there, as in a layer.
    fn check_params_prefix(&mut self, value: &'w crate::syntax::ast::Expr) -> Type {
        let mut ctx = self.ctx.clone();
        ctx.locals.push(("env".into(), Type::Env, Def::Env));
        let ty = self.with_ctx(ctx, |checker| checker.check_expr(value, &Type::String, None));
        if let crate::syntax::ast::ExprKind::String(lit) = &value.kind {
            let head = match lit.parts.first() {
                Some(crate::syntax::ast::StringPart::Text(text)) => Some(text.as_str()),
                _ => None,
            };
            if !head.is_some_and(|text| text.starts_with('/')) {
                self.report(CheckError::Type {
                    message: "`params` must be an SSM path starting with `/`".into(),
                    label: "does not start with `/`".into(),
                    span: value.span,
                    help: Some("write it like `\"/megadolls/infra\"`".into()),
                });
            }
        }
        ty
    }

    fn check_environment(&mut self, decl: DeclRef, environment: &'w Environment) {
        let scope = self.scopes.of(decl.module);
        let project = match scope.projects.as_slice() {
            [one] => *one,
            projects => {
                let spans = projects.iter().map(|p| self.project_name_span(*p)).collect();
                let error = CheckError::ProjectCount {
                    environment: environment.name.text.clone(),
                    span: environment.name.span,
                    projects: spans,
                };
                self.report(error);
                self.record_literal(&environment.fields, None);
                return;
            }
        };
        match lookup::environment_index(self.ws, project, &environment.name.text) {
            Some(index) => {
                let def = Def::Environment { project, index: index as u32 };
                self.resolved(&environment.name, def, Type::Environment);
            }
            None => self.unknown_environment(&environment.name, project),
        }
        let settings = self.project_settings(project);
        let owner = Owner::Settings(self.decl_name(project));
        self.record_body(&environment.fields, &settings, &owner, environment.name.span);
    }

    /// The names of layers, constructs, types and enums where they are
    /// declared, and the namespaces stdlib imports bind.
    fn declared_names(&mut self) {
        let ws = self.ws;
        for (module, m) in ws.iter_modules() {
            for (item, declared) in m.ast.items.iter().enumerate() {
                if let Some(name) = crate::check::scope::declared_name(declared) {
                    self.resolved(name, Def::Decl(DeclRef { module, item }), Type::Unknown);
                }
            }
            for (binding, target) in &m.namespaces {
                self.resolved(binding, Def::Namespace(*target), Type::Namespace(*target));
            }
        }
    }

    fn project_name_span(&self, project: DeclRef) -> Span {
        match &self.item(project).kind {
            ItemKind::Project(p) => p.name.span,
            _ => self.item(project).span,
        }
    }

    /// A layer or construct body: duplicates, misplaced members, every member typed.
    fn check_body(&mut self, decl: DeclRef, members: &'w [Member], is_layer: bool) {
        // Outputs are a namespace of their own: `output vpc_id = vpc_id` is fine.
        let (mut seen, mut outputs): (HashMap<&str, Span>, HashMap<&str, Span>) = Default::default();
        for (index, member) in members.iter().enumerate() {
            if let Some(name) = member_name(member) {
                let names =
                    if matches!(member.kind, MemberKind::Output(_)) { &mut outputs } else { &mut seen };
                if let Some(first) = names.insert(&name.text, name.span) {
                    self.report(CheckError::Duplicate {
                        name: name.text.clone(),
                        what: "member",
                        first,
                        second: name.span,
                    });
                }
            }
            if let Some(error) = misplaced(member, is_layer) {
                self.report(error);
            }
            self.when_allowed(member);
            let ty = self.type_member(decl, index);
            // A construct param's name is recorded with its signature; in a
            // layer, `name: T = value` is a typed binding.
            let param = matches!(member.kind, MemberKind::Param(_)) && !is_layer;
            if let (Some(name), false) = (member_name(member), param) {
                self.resolved(name, Def::Member { body: decl, index: index as u32 }, ty);
            }
        }
    }

    fn check_type_decl(&mut self, decl: DeclRef, alias: &'w TypeDecl) {
        let ty = self.alias(decl);
        if alias.requires.is_empty() {
            return;
        }
        let mut ctx = Ctx::module(decl.module);
        if let Type::Record(record) = &ty {
            let fields = record.fields.iter();
            ctx.locals = fields
                .filter_map(|f| Some((f.name.clone(), f.ty.clone(), Def::Field { declared: f.span? })))
                .collect();
        }
        self.with_ctx(ctx, |checker| {
            for require in &alias.requires {
                checker.require(require);
            }
        });
    }

    fn check_enum(&mut self, decl: DeclRef) {
        self.enum_sig(decl);
        let ItemKind::Enum(declared) = &self.item(decl).kind else { return };
        for variant in &declared.variants {
            if let Some(value) = &variant.value {
                if value.as_plain().is_none() {
                    self.report(CheckError::DeployTimeName { what: "a variant's text", span: value.span });
                }
            }
        }
    }

    /// Defaults and ranges of every resolved field, once every signature exists.
    fn check_pending_fields(&mut self) {
        while let Some((field, ty, module, construct)) = self.pending_fields.pop() {
            let ctx = match construct {
                Some(decl) => self.body_ctx(decl, Body::Construct(decl)),
                None => Ctx::module(module),
            };
            self.with_ctx(ctx, |checker| {
                if let Some(default) = &field.default {
                    checker.check_expr(default, &ty, Some(field.ty.span));
                }
                let Some(range) = &field.range else { return };
                let bound = match ty.unwrapped() {
                    Type::Int | Type::Number | Type::Quantity(_) | Type::Unknown => ty.unwrapped().clone(),
                    other => {
                        let found = checker.show(other);
                        checker.report(CheckError::Type {
                            message: format!(
                                "a range needs a number or a quantity, `{}` is `{found}`",
                                field.name.text
                            ),
                            label: "range on a non-numeric field".into(),
                            span: range.span,
                            help: Some("remove the range, or use a `require` rule".into()),
                        });
                        return;
                    }
                };
                for end in [&range.low, &range.high].into_iter().flatten() {
                    checker.check_expr(end, &bound, Some(field.ty.span));
                }
            });
        }
    }

    /// Two `environment` declarations of one name for one project, whether
    /// one file sees both or they sit in two files that each import the
    /// project (both would deploy the same stacks, each overwriting the other).
    fn duplicate_environments(&mut self) {
        let sole = lookup::only_project_in_workspace(self.ws);
        let mut first: HashMap<(DeclRef, &str), Span> = HashMap::new();
        let mut errors = Vec::new();
        for (module, m) in self.ws.iter_modules() {
            let Some(project) = lookup::project_of(self.scopes, module, sole) else { continue };
            for item in &m.ast.items {
                let ItemKind::Environment(environment) = &item.kind else { continue };
                let name = &environment.name;
                match first.get(&(project, name.text.as_str())) {
                    Some(&earlier) => errors.push(CheckError::Duplicate {
                        name: name.text.clone(),
                        what: "environment",
                        first: earlier,
                        second: name.span,
                    }),
                    None => {
                        first.insert((project, &name.text), name.span);
                    }
                }
            }
        }
        errors.into_iter().for_each(|error| self.report(error));
    }

    /// W0201: a stdlib import that neither its file nor a file including it uses.
    fn unused_imports(&mut self) {
        let mut users: HashMap<&str, Vec<ModuleId>> = HashMap::new();
        for (module, name) in &self.used_namespaces {
            users.entry(name.as_str()).or_default().push(*module);
        }
        let mut unused = Vec::new();
        for (id, module) in self.ws.iter_modules() {
            if matches!(module.origin, ModuleOrigin::Std(_)) {
                continue;
            }
            for (binding, _) in &module.namespaces {
                // A binding a declaration hides is reported as E0240 instead.
                let hidden = matches!(self.scopes.of(id).get(&binding.text), Some(Entry::Hidden { .. }));
                let used = hidden
                    || self.used_namespaces.contains(&(id, binding.text.clone()))
                    || users.get(binding.text.as_str()).is_some_and(|list| {
                        list.iter()
                            .any(|&user| user == id || self.scopes.of(user).visible_modules.contains(&id))
                    });
                if !used {
                    unused.push(CheckError::UnusedImport { name: binding.text.clone(), span: binding.span });
                }
            }
        }
        self.errors.extend(unused);
    }
}

/// E0105: members a layer or a construct does not allow.
fn misplaced(member: &Member, is_layer: bool) -> Option<CheckError> {
    let (what, help): (&'static str, &'static str) = match (&member.kind, is_layer) {
        (MemberKind::Param(field), true) if field.default.is_none() => (
            "a parameter",
            "declare parameters in a construct; a layer reads its settings from `env` (`name: T = value` is a typed binding)",
        ),
        (MemberKind::Param(field), true) if field.range.is_some() => {
            ("a range on a binding", "state the bounds with `require`: `require x <= 10 else \"..\"`")
        }
        (MemberKind::Output(_), true) => ("an `output`", "publish it for other layers: `publish name = ...`"),
        (MemberKind::Publish(_), false) => {
            ("`publish`", "use `output name = ...`; the layer that instantiates the construct can publish it")
        }
        (MemberKind::Secret { .. }, false) => {
            ("`secret`", "declare the secret in a layer and pass it in as a parameter of type `secret`")
        }
        (MemberKind::Service(_), false) => ("`service`", "write a plain binding: `name = ...`"),
        (MemberKind::Pipeline(_), false) => ("`pipeline`", "write a plain binding: `name = ...`"),
        _ => return None,
    };
    let container = if is_layer { "layer" } else { "construct" };
    Some(CheckError::Misplaced { member: what, container, span: member.span, help })
}
