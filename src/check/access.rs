//! Names and field access: what `vpc`, `ecs.cluster`, `Capacity.spot`,
//! `core.vpc_id`, `env.capacity`, `aws.region` and `service.url` mean.
//!
//! Input: a name or `target.field` in the current body context. Output: its
//! [`Type`] (possibly a non-value kind such as `Namespace`, resolved further by
//! the caller), and what the name refers to, recorded in the resolution table.
//! Invariants: lookup order is locals, body members (neither for the target
//! of `{ .. }`), a variant of the expected enum, then [`lookup::global`]
//! (`env`/`project`/`aws`, the module scope, environments); every cross-layer
//! reference is recorded as a layer edge.

use crate::check::checker::{Body, LayerEdge};
use crate::check::error::CheckError;
use crate::check::lookup::{self, Global};
use crate::check::scope::{DeclRef, Entry};
use crate::check::table::{Def, Pseudo};
use crate::check::types::{FieldType, RecordType, Type};
use crate::check::Checker;
use crate::source::Span;
use crate::syntax::ast::{Expr, ItemKind, MemberKind, Name};

impl<'w> Checker<'w> {
    /// What a plain name means here.
    pub fn name(&mut self, name: &'w Name, hint: Option<&Type>) -> Type {
        let text = name.text.as_str();
        if !self.ctx.declarations_only {
            if let Some((_, ty, def)) = self.ctx.locals.iter().rev().find(|(n, _, _)| n == text) {
                let (ty, def) = (ty.clone(), *def);
                return self.resolved(name, def, ty);
            }
            if let Some(index) = self.ctx.members.as_ref().and_then(|m| m.get(text).copied()) {
                if let Body::Layer(decl) | Body::Construct(decl) = self.ctx.body {
                    let ty = self.member_ref(decl, index, name.span);
                    let ty = self.narrowed(decl, index, ty);
                    return self.resolved(name, Def::Member { body: decl, index: index as u32 }, ty);
                }
            }
        }
        match hint.map(Type::unwrapped) {
            Some(Type::Enum(decl)) => {
                let sig = self.enum_sig(*decl);
                if let Some(&index) = sig.index.get(text) {
                    let def = Def::Variant { decl: *decl, index: sig.variants[index].declared as u32 };
                    return self.resolved(name, def, Type::Variant(*decl, index));
                }
            }
            // `env.name == prod`: environment names are values where one is expected.
            Some(Type::Environment) => {
                let project = self.project_of(self.ctx.module);
                let found = project.and_then(|p| Some((p, lookup::environment_index(self.ws, p, text)?)));
                if let Some((project, index)) = found {
                    let def = Def::Environment { project, index: index as u32 };
                    return self.resolved(name, def, Type::Environment);
                }
            }
            _ => {}
        }
        self.global_name(name, hint)
    }

    /// `env`, `project`, `aws`, the module scope, the environments.
    fn global_name(&mut self, name: &Name, hint: Option<&Type>) -> Type {
        let project = self.project_of(self.ctx.module);
        match lookup::global(self.ws, self.scope(), project, self.ctx.body, &name.text) {
            Global::Env => self.resolved(name, Def::Env, Type::Env),
            Global::Project(Some(project)) => {
                self.resolved(name, Def::Project(project), Type::Project(project))
            }
            Global::Project(None) => Type::Unknown,
            Global::Aws => self.resolved(name, Def::Aws, Type::Aws),
            Global::Entry(Entry::Decl(decl)) => self.decl_as_name(*decl, name),
            Global::Entry(Entry::Namespace(module)) => {
                self.used_namespaces.insert((self.ctx.module, name.text.clone()));
                self.resolved(name, Def::Namespace(*module), Type::Namespace(*module))
            }
            Global::Entry(Entry::Variant { decl, variant }) => {
                let def = Def::Variant { decl: *decl, index: *variant as u32 };
                self.resolved(name, def, Type::Variant(*decl, *variant))
            }
            Global::Entry(Entry::AmbiguousVariant(decls)) => {
                let enums = decls.iter().map(|d| self.decl_name(*d)).collect();
                self.report(CheckError::AmbiguousVariant { name: name.text.clone(), enums, span: name.span });
                Type::Unknown
            }
            Global::Environment(project, index) => {
                let def = Def::Environment { project, index: index as u32 };
                self.resolved(name, def, Type::Environment)
            }
            // Reported once where it is declared (E0240).
            Global::Entry(Entry::Hidden { .. }) => Type::Unknown,
            Global::Unknown => self.unknown_name(name, hint),
        }
    }

    fn decl_as_name(&mut self, decl: DeclRef, name: &Name) -> Type {
        let ty = match &self.item(decl).kind {
            ItemKind::Enum(_) => Type::EnumName(decl),
            ItemKind::Construct(_) => Type::ConstructName(decl),
            ItemKind::Type(_) => Type::TypeName(decl),
            ItemKind::Layer(_) if matches!(self.ctx.body, Body::Layer(_)) => Type::Layer(decl),
            ItemKind::Layer(_) => {
                self.report(CheckError::UnknownName {
                    name: name.text.clone(),
                    span: name.span,
                    suggestion: None,
                    help: Some("only layers can read other layers; pass the value as a parameter".into()),
                });
                return Type::Unknown;
            }
            ItemKind::Import(_) | ItemKind::Project(_) | ItemKind::Environment(_) => return Type::Unknown,
        };
        self.resolved(name, Def::Decl(decl), ty)
    }

    fn unknown_name(&mut self, name: &Name, hint: Option<&Type>) -> Type {
        // A misspelt variant of the expected enum is the likeliest meaning.
        let variants: Vec<String> = match hint.map(Type::unwrapped) {
            Some(Type::Enum(decl)) => self.enum_sig(*decl).variants.iter().map(|v| v.name.clone()).collect(),
            _ => Vec::new(),
        };
        let help = match (name.text.as_str(), self.ctx.body) {
            ("env" | "project", Body::Construct(_)) => Some(format!(
                "construct bodies do not see `{}`; pass what you need as a parameter",
                name.text
            )),
            ("env" | "project", Body::Module) => Some(format!("`{}` is visible inside layers", name.text)),
            ("aws", Body::Module) => {
                Some("`aws` is visible inside layers and constructs, where a stack is described".into())
            }
            _ => None,
        };
        let suggestion = {
            let locals = self.ctx.locals.iter().map(|(n, _, _)| n.as_str());
            let members = self.ctx.members.iter().flat_map(|m| m.keys().map(String::as_str));
            let specials: &[&str] = match self.ctx.body {
                Body::Layer(_) => &["env", "project", "aws"],
                Body::Construct(_) => &["aws"],
                Body::Module => &[],
            };
            let candidates = variants
                .iter()
                .map(String::as_str)
                .chain(locals)
                .chain(members)
                .chain(specials.iter().copied())
                .chain(self.scope().names());
            crate::check::checker::suggest(&name.text, candidates)
        };
        self.report(CheckError::UnknownName { name: name.text.clone(), span: name.span, suggestion, help });
        Type::Unknown
    }

    /// `target.field`.
    pub fn field(&mut self, target: &'w Expr, field: &'w Name) -> Type {
        let target_ty = self.raw(target, None);
        match target_ty {
            Type::Namespace(module) => self.namespace_member(target, module, field),
            Type::EnumName(decl) => self.variant_named(decl, field),
            Type::Layer(decl) => self.cross_layer(target, decl, field),
            Type::Env => self.env_field(field),
            Type::Aws => self.aws_field(field),
            Type::Project(decl) => self.project_field(decl, field),
            Type::Variant(decl, index) => {
                let sig = self.enum_sig(decl);
                let Some(variant) = sig.variants.get(index) else { return Type::Unknown };
                let owner = format!("field of variant `{}`", variant.name);
                let fields = variant.fields.clone();
                self.record_field(&fields, field, owner)
            }
            // An instance switched off by `when` in some environments: its
            // outputs are optional there too.
            Type::Optional(inner) if matches!(*inner, Type::Construct(_)) => {
                match self.field_of_value(*inner, field) {
                    ty @ (Type::Optional(_) | Type::Unknown) => ty,
                    ty => {
                        let ty = Type::Optional(Box::new(ty));
                        self.table.retype_last_name(field.span, &ty);
                        ty
                    }
                }
            }
            Type::Optional(_) | Type::None => {
                self.report(CheckError::Type {
                    message: format!("`{}` may be `none`", self.ws.sources.slice(target.span)),
                    label: "may be `none`".into(),
                    span: target.span,
                    help: Some("give a value for `none` first: `default(x, value)`".into()),
                });
                Type::Unknown
            }
            value => self.field_of_value(value, field),
        }
    }

    /// `Enum.variant`.
    fn variant_named(&mut self, decl: DeclRef, field: &Name) -> Type {
        let sig = self.enum_sig(decl);
        match sig.index.get(&field.text) {
            Some(&index) => {
                let def = Def::Variant { decl, index: sig.variants[index].declared as u32 };
                self.resolved(field, def, Type::Variant(decl, index))
            }
            None => {
                let owner = format!("variant of enum `{}`", self.decl_name(decl));
                let names: Vec<&str> = sig.variants.iter().map(|v| v.name.as_str()).collect();
                self.unknown_field(field, owner, names, None)
            }
        }
    }

    /// Field access on a value (not a name such as `ecs` or `env`).
    fn field_of_value(&mut self, ty: Type, field: &Name) -> Type {
        match ty {
            Type::Record(record) => {
                let owner = format!("field of `{}`", self.show(&Type::Record(record.clone())));
                self.record_field(&record, field, owner)
            }
            Type::Construct(decl) => self.output(decl, field),
            Type::Enum(decl) => self.enum_field(decl, field),
            Type::Map(value) => *value,
            Type::Json | Type::Unknown => ty,
            Type::Resource | Type::Attribute => Type::Attribute,
            Type::Secret if field.text == "parameter" => Type::String,
            Type::Deploy(inner) => match self.field_of_value(*inner, field) {
                Type::Unknown => Type::Unknown,
                ty if ty.is_deploy() => ty,
                ty => {
                    let ty = Type::Deploy(Box::new(ty));
                    self.table.retype_last_name(field.span, &ty);
                    ty
                }
            },
            Type::Bool
            | Type::Int
            | Type::Number
            | Type::String
            | Type::Quantity(_)
            | Type::Secret
            | Type::List(_)
            | Type::Optional(_)
            | Type::Environment
            | Type::None
            | Type::Namespace(_)
            | Type::EnumName(_)
            | Type::ConstructName(_)
            | Type::TypeName(_)
            | Type::Variant(..)
            | Type::Layer(_)
            | Type::Env
            | Type::Aws
            | Type::Project(_) => {
                let shown = self.show(&ty);
                let (owner, candidates) = match ty {
                    Type::Secret => (format!("field of `{shown}`"), vec!["parameter"]),
                    _ => (format!("field of `{shown}` (it has no fields)"), Vec::new()),
                };
                self.unknown_field(field, owner, candidates, None)
            }
        }
    }

    /// Report an unknown field with suggestions from `candidates`.
    pub fn unknown_field(
        &mut self,
        field: &Name,
        owner: String,
        candidates: Vec<&str>,
        declared: Option<Span>,
    ) -> Type {
        let suggestion = crate::check::checker::suggest(&field.text, candidates);
        self.report(CheckError::UnknownField {
            field: field.text.clone(),
            owner,
            span: field.span,
            suggestion,
            declared,
        });
        Type::Unknown
    }

    fn record_field(&mut self, record: &RecordType, field: &Name, owner: String) -> Type {
        match record.field(&field.text) {
            Some(declared) => self.field_found(field, declared),
            None => self.unknown_field(field, owner, record.names().collect(), None),
        }
    }

    /// A field of a record or variant shape, found: recorded with its declaration.
    fn field_found(&mut self, field: &Name, declared: &FieldType) -> Type {
        match declared.span {
            Some(at) => self.resolved(field, Def::Field { declared: at }, declared.ty.clone()),
            None => declared.ty.clone(),
        }
    }

    fn namespace_member(&mut self, target: &Expr, module: crate::workspace::ModuleId, field: &Name) -> Type {
        match self.decl_in_namespace(module, &field.text) {
            Some(decl) => {
                let ty = match &self.item(decl).kind {
                    ItemKind::Enum(_) => Type::EnumName(decl),
                    ItemKind::Construct(_) => Type::ConstructName(decl),
                    ItemKind::Type(_) => Type::TypeName(decl),
                    ItemKind::Layer(_)
                    | ItemKind::Import(_)
                    | ItemKind::Project(_)
                    | ItemKind::Environment(_) => return Type::Unknown,
                };
                self.resolved(field, Def::Decl(decl), ty)
            }
            None => {
                let namespace =
                    Name { text: self.ws.sources.slice(target.span).to_string(), span: target.span };
                self.unknown_in_namespace(&namespace, field, module)
            }
        }
    }

    /// A value of an enum: the field must exist in at least one variant (the
    /// evaluator reports a variant without it).
    fn enum_field(&mut self, decl: DeclRef, field: &Name) -> Type {
        let sig = self.enum_sig(decl);
        for variant in &sig.variants {
            if let Some(found) = variant.fields.field(&field.text) {
                return self.field_found(field, found);
            }
        }
        let owner = format!("field of any `{}` variant", self.decl_name(decl));
        let names: Vec<&str> = sig.variants.iter().flat_map(|v| v.fields.names()).collect();
        self.unknown_field(field, owner, names, None)
    }

    /// `core.vpc_id` from another layer: a published value or a secret.
    fn cross_layer(&mut self, target: &Expr, layer: DeclRef, field: &Name) -> Type {
        let span = target.span.to(field.span);
        let layer_name = self.decl_name(layer);
        if let Body::Layer(from) = self.ctx.body {
            if from == layer {
                self.report(CheckError::LayerSelfReference { layer: layer_name, span });
                return Type::Unknown;
            }
            self.layer_edges.push(LayerEdge { from, to: layer, span });
        }
        let index = self.member_index(layer);
        let members = self.body_members(layer);
        let Some(member) = index.get(&field.text).and_then(|&i| members.get(i)) else {
            let shared = members.iter().filter_map(|m| match &m.kind {
                MemberKind::Publish(b) => Some(b.name.text.as_str()),
                MemberKind::Secret { name, .. } => Some(name.text.as_str()),
                _ => None,
            });
            let owner = format!("published value or secret of layer `{layer_name}`");
            return self.unknown_field(field, owner, shared.collect(), None);
        };
        let position = index.get(&field.text).copied().unwrap_or_default();
        let def = Def::Shared { layer, index: position as u32 };
        match &member.kind {
            MemberKind::Publish(_) => {
                let ty = self.published_type(layer, position, field.span);
                self.resolved(field, def, ty)
            }
            MemberKind::Secret { .. } => self.resolved(field, def, Type::Secret),
            _ => {
                let declared = crate::check::checker::member_name(member).map_or(member.span, |n| n.span);
                self.report(CheckError::NotPublished {
                    layer: layer_name,
                    member: field.text.clone(),
                    span: field.span,
                    declared,
                    instance: is_instance(member),
                });
                Type::Unknown
            }
        }
    }

    fn env_field(&mut self, field: &Name) -> Type {
        if field.text == "name" {
            return self.resolved(field, Def::EnvName, Type::Environment);
        }
        let Some(project) = self.project_of(self.ctx.module) else { return Type::Unknown };
        let settings = self.project_settings(project);
        match settings.field(&field.text) {
            Some(setting) => {
                self.resolved(field, Def::Setting { declared: setting.span }, setting.ty.clone())
            }
            None => {
                let owner = format!("setting of project `{}`", self.decl_name(project));
                let names = settings.names().chain(["name"]).collect();
                self.unknown_field(field, owner, names, None)
            }
        }
    }

    fn aws_field(&mut self, field: &Name) -> Type {
        if let Some(pseudo) = Pseudo::named(&field.text) {
            return self.resolved(field, Def::Pseudo(pseudo), Type::Deploy(Box::new(Type::String)));
        }
        let names = Pseudo::ALL.iter().map(|p| p.name()).collect();
        self.unknown_field(field, "pseudo parameter of `aws`".into(), names, None)
    }

    fn project_field(&mut self, project: DeclRef, field: &Name) -> Type {
        let fields = self.project_fields.get(&project).cloned().unwrap_or_default();
        if field.text == "name" {
            let ItemKind::Project(declared) = &self.item(project).kind else { return Type::String };
            return self.resolved(field, Def::ProjectField { declared: declared.name.span }, Type::String);
        }
        match fields.get(&field.text) {
            Some((ty, declared)) => {
                self.resolved(field, Def::ProjectField { declared: *declared }, ty.clone())
            }
            None => {
                let owner = format!("field of project `{}`", self.decl_name(project));
                let names = fields.keys().map(String::as_str).chain(["name"]).collect();
                self.unknown_field(field, owner, names, None)
            }
        }
    }

    /// `instance.x`: the construct's output `x`.
    fn output(&mut self, construct: DeclRef, field: &Name) -> Type {
        let members = self.body_members(construct);
        let found = members
            .iter()
            .position(|m| matches!(&m.kind, MemberKind::Output(b) if b.name.text == field.text));
        match found {
            Some(i) => {
                let ty = self.member_ref(construct, i, field.span);
                self.resolved(field, Def::Output { construct, index: i as u32 }, ty)
            }
            None => {
                let outputs = members.iter().filter_map(|m| match &m.kind {
                    MemberKind::Output(b) => Some(b.name.text.as_str()),
                    _ => None,
                });
                let owner = format!("output of `{}`", self.decl_name(construct));
                self.unknown_field(field, owner, outputs.collect(), None)
            }
        }
    }
}

/// Whether a member looks like a construct instance, for help text only (its
/// type may not be known yet, and typing it here could report a false cycle).
fn is_instance(member: &crate::syntax::ast::Member) -> bool {
    match &member.kind {
        MemberKind::Service(_) | MemberKind::Pipeline(_) => true,
        MemberKind::Binding(binding) => {
            matches!(binding.value.kind, crate::syntax::ast::ExprKind::Apply { .. })
        }
        _ => false,
    }
}
