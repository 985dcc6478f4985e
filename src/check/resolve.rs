//! Declaration signatures: type expressions, aliases, construct params, enum
//! variants and project settings, each resolved once.
//!
//! Input: AST type expressions and field declarations, resolved in the scope of
//! the module that declares them. Output: [`Type`]s and [`RecordType`]s cached
//! on the checker. Invariants: a recursive alias is reported once (E0309) and
//! becomes `Unknown`; field defaults and ranges are queued in `pending_fields`
//! and checked after every signature exists, so a default that names a variant
//! of the enum being resolved never sees a half-built enum.

use std::collections::HashMap;
use std::sync::Arc;

use crate::check::checker::{AliasState, Checker, EnumSig, VariantSig};
use crate::check::error::CheckError;
use crate::check::scope::{DeclRef, Entry};
use crate::check::table::Def;
use crate::check::types::{FieldType, RecordType, Type};
use crate::source::Span;
use crate::syntax::ast::{FieldDecl, ItemKind, MemberKind, Name, TypeExpr, TypeExprKind};
use crate::units::Dimension;
use crate::workspace::ModuleId;

/// Type names every module sees.
pub const BUILTIN_TYPES: &[&str] =
    &["bool", "int", "number", "string", "cpu", "memory", "duration", "percent", "secret", "json"];

/// The prelude type whose fields every environment has besides its project's settings.
pub const DEPLOY_SETTINGS: &str = "DeploySettings";

/// How many aliases may refer to one another in a chain.
const MAX_ALIAS_DEPTH: usize = 128;

fn builtin_type(name: &str) -> Option<Type> {
    Some(match name {
        "bool" => Type::Bool,
        "int" => Type::Int,
        "number" => Type::Number,
        "string" => Type::String,
        "cpu" => Type::Quantity(Dimension::Cpu),
        "memory" => Type::Quantity(Dimension::Memory),
        "duration" => Type::Quantity(Dimension::Duration),
        "percent" => Type::Quantity(Dimension::Percent),
        "secret" => Type::Secret,
        "json" => Type::Json,
        _ => return None,
    })
}

impl<'w> Checker<'w> {
    /// The type a type expression written in `module` means.
    pub fn resolve_type(&mut self, ty: &'w TypeExpr, module: ModuleId) -> Type {
        match &ty.kind {
            TypeExprKind::Named(path) => self.resolve_named_type(path, module),
            TypeExprKind::List(inner) => Type::List(Box::new(self.resolve_type(inner, module))),
            TypeExprKind::Map(inner) => Type::Map(Box::new(self.resolve_type(inner, module))),
            TypeExprKind::Deploy(inner) => Type::Deploy(Box::new(self.resolve_type(inner, module))),
            TypeExprKind::Optional(inner) => Type::Optional(Box::new(self.resolve_type(inner, module))),
            TypeExprKind::Record(fields) => {
                Type::Record(Arc::new(self.resolve_fields(fields, module, None, false)))
            }
        }
    }

    fn resolve_named_type(&mut self, path: &'w [Name], module: ModuleId) -> Type {
        match path {
            [name] => {
                if let Some(ty) = builtin_type(&name.text) {
                    let index = BUILTIN_TYPES.iter().position(|t| *t == name.text).unwrap_or_default();
                    return self.resolved(name, Def::BuiltinType(index as u8), ty);
                }
                let entry = self.scopes.of(module).get(&name.text).cloned();
                self.type_from_entry(entry, name, module)
            }
            [namespace, name] => match self.scopes.of(module).get(&namespace.text) {
                Some(Entry::Namespace(target)) => {
                    let target = *target;
                    self.used_namespaces.insert((module, namespace.text.clone()));
                    self.resolved(namespace, Def::Namespace(target), Type::Namespace(target));
                    match self.decl_in_namespace(target, &name.text) {
                        Some(decl) => self.type_from_entry(Some(Entry::Decl(decl)), name, module),
                        None => self.unknown_in_namespace(namespace, name, target),
                    }
                }
                Some(Entry::Hidden { .. }) => Type::Unknown,
                _ => self.unknown_type(namespace, module),
            },
            _ => {
                let span = match (path.first(), path.last()) {
                    (Some(first), Some(last)) => first.span.to(last.span),
                    _ => return Type::Unknown,
                };
                self.report(CheckError::Type {
                    message: "a type name has at most two parts".into(),
                    label: "not a type".into(),
                    span,
                    help: Some("write `name` or `module.name`".into()),
                });
                Type::Unknown
            }
        }
    }

    fn type_from_entry(&mut self, entry: Option<Entry>, name: &'w Name, module: ModuleId) -> Type {
        let decl = match entry {
            Some(Entry::Decl(decl)) => decl,
            Some(Entry::Namespace(_)) => return self.not_a_type(name, "a module"),
            Some(Entry::Variant { .. } | Entry::AmbiguousVariant(_)) => {
                return self.not_a_type(name, "an enum variant")
            }
            // Reported once where it is declared (E0240).
            Some(Entry::Hidden { .. }) => return Type::Unknown,
            None => return self.unknown_type(name, module),
        };
        let ty = match &self.item(decl).kind {
            ItemKind::Enum(_) => Type::Enum(decl),
            ItemKind::Construct(_) => Type::Construct(decl),
            ItemKind::Type(_) => self.alias(decl),
            ItemKind::Layer(_) => return self.not_a_type(name, "a layer"),
            ItemKind::Import(_) | ItemKind::Project(_) | ItemKind::Environment(_) => return Type::Unknown,
        };
        self.resolved(name, Def::Decl(decl), ty)
    }

    fn not_a_type(&mut self, name: &Name, what: &str) -> Type {
        self.report(CheckError::Type {
            message: format!("`{}` is {what}, not a type", name.text),
            label: "expected a type".into(),
            span: name.span,
            help: None,
        });
        Type::Unknown
    }

    fn unknown_type(&mut self, name: &Name, module: ModuleId) -> Type {
        let scope = self.scopes.of(module);
        let candidates = BUILTIN_TYPES
            .iter()
            .copied()
            .chain(scope.names.iter().filter(|(_, e)| matches!(e, Entry::Decl(_))).map(|(n, _)| n.as_str()));
        let suggestion = crate::check::checker::suggest(&name.text, candidates);
        self.report(CheckError::UnknownName {
            name: name.text.clone(),
            span: name.span,
            suggestion,
            help: Some(format!(
                "types: {}, or an enum, type or construct in scope",
                BUILTIN_TYPES.join(", ")
            )),
        });
        Type::Unknown
    }

    /// `ecs.clustr`: reported with the namespace's own declarations as suggestions.
    pub fn unknown_in_namespace(&mut self, namespace: &Name, name: &Name, target: ModuleId) -> Type {
        let scope = self.scopes.of(target);
        let own = scope.names.iter().filter_map(|(n, e)| match e {
            Entry::Decl(d) if d.module == target => Some(n.as_str()),
            _ => None,
        });
        let suggestion = crate::check::checker::suggest(&name.text, own);
        self.report(CheckError::UnknownInNamespace {
            namespace: namespace.text.clone(),
            name: name.text.clone(),
            span: name.span,
            suggestion,
        });
        Type::Unknown
    }

    /// A declaration of the stdlib module itself (not what it includes).
    pub fn decl_in_namespace(&self, module: ModuleId, name: &str) -> Option<DeclRef> {
        match self.scopes.of(module).get(name) {
            Some(Entry::Decl(decl)) if decl.module == module => Some(*decl),
            _ => None,
        }
    }

    /// What a type alias means; a recursive alias is E0309 and `Unknown`.
    pub fn alias(&mut self, decl: DeclRef) -> Type {
        match self.aliases.get(&decl) {
            Some(AliasState::Done(ty)) => return ty.clone(),
            Some(AliasState::InProgress) => {
                if let ItemKind::Type(alias) = &self.item(decl).kind {
                    let error =
                        CheckError::RecursiveType { name: alias.name.text.clone(), span: alias.name.span };
                    self.report(error);
                }
                self.aliases.insert(decl, AliasState::Done(Type::Unknown));
                return Type::Unknown;
            }
            None => {}
        }
        let ItemKind::Type(alias) = &self.item(decl).kind else { return Type::Unknown };
        if self.alias_depth >= MAX_ALIAS_DEPTH {
            // A chain of aliases this long would only overflow the stack.
            return Type::Unknown;
        }
        self.alias_depth += 1;
        self.aliases.insert(decl, AliasState::InProgress);
        let ty = match &alias.ty.kind {
            TypeExprKind::Record(fields) => {
                let name = Some(alias.name.text.clone());
                Type::Record(Arc::new(self.resolve_fields(fields, decl.module, name, false)))
            }
            _ => self.resolve_type(&alias.ty, decl.module),
        };
        self.alias_depth -= 1;
        // A recursive alias already stored `Unknown`; keep it so users see one error.
        if let Some(AliasState::InProgress) = self.aliases.get(&decl) {
            self.aliases.insert(decl, AliasState::Done(ty.clone()));
            return ty;
        }
        Type::Unknown
    }

    /// Fields of a record type, of a variant, or (`settings`) a project's settings.
    pub fn resolve_fields(
        &mut self,
        fields: &'w [FieldDecl],
        module: ModuleId,
        name: Option<String>,
        settings: bool,
    ) -> RecordType {
        let mut record = RecordType { name, fields: Vec::with_capacity(fields.len()) };
        // Where each name was first declared: a duplicate is left out of the
        // record, so record positions and declaration positions differ after one.
        let mut seen: HashMap<&str, Span> = HashMap::new();
        for field in fields {
            if let Some(&first) = seen.get(field.name.text.as_str()) {
                self.report(CheckError::Duplicate {
                    name: field.name.text.clone(),
                    what: "field",
                    first,
                    second: field.name.span,
                });
                continue;
            }
            seen.insert(&field.name.text, field.name.span);
            let def = match settings {
                true => Def::Setting { declared: Some(field.name.span) },
                false => Def::Field { declared: field.name.span },
            };
            record.fields.push(self.resolve_field(field, module, None, def));
        }
        record
    }

    /// One field's type; its name is recorded as declaring `def`.
    fn resolve_field(
        &mut self,
        field: &'w FieldDecl,
        module: ModuleId,
        construct: Option<DeclRef>,
        def: Def,
    ) -> FieldType {
        let ty = self.resolve_type(&field.ty, module);
        let ty = self.resolved(&field.name, def, ty);
        let required = field.default.is_none() && !matches!(ty, Type::Optional(_));
        self.pending_fields.push((field, ty.clone(), module, construct));
        FieldType { name: field.name.text.clone(), ty, required, span: Some(field.name.span) }
    }

    /// A construct's params as a record shape, resolved once.
    pub fn construct_params(&mut self, decl: DeclRef) -> Arc<RecordType> {
        if let Some(params) = self.params.get(&decl) {
            return params.clone();
        }
        let ItemKind::Construct(construct) = &self.item(decl).kind else { return Arc::default() };
        let mut record = RecordType { name: Some(construct.name.text.clone()), fields: Vec::new() };
        for (index, member) in construct.members.iter().enumerate() {
            if let MemberKind::Param(field) = &member.kind {
                // Duplicates among members are reported with the other members.
                if record.field(&field.name.text).is_none() {
                    let def = Def::Member { body: decl, index: index as u32 };
                    record.fields.push(self.resolve_field(field, decl.module, Some(decl), def));
                }
            }
        }
        let record = Arc::new(record);
        self.params.insert(decl, record.clone());
        record
    }

    /// An enum's variants with their fields; duplicates are E0203.
    pub fn resolve_enum(&mut self, decl: DeclRef) -> EnumSig {
        let mut sig = EnumSig::default();
        let ItemKind::Enum(declared) = &self.item(decl).kind else { return sig };
        for (declared_at, variant) in declared.variants.iter().enumerate() {
            if let Some(&first) = sig.index.get(&variant.name.text) {
                let first = sig.variants.get(first).map_or(variant.name.span, |v| v.span);
                self.report(CheckError::Duplicate {
                    name: variant.name.text.clone(),
                    what: "variant",
                    first,
                    second: variant.name.span,
                });
                continue;
            }
            let fields =
                self.resolve_fields(&variant.fields, decl.module, Some(variant.name.text.clone()), false);
            let def = Def::Variant { decl, index: declared_at as u32 };
            self.resolved(&variant.name, def, Type::Enum(decl));
            sig.index.insert(variant.name.text.clone(), sig.variants.len());
            sig.variants.push(VariantSig {
                declared: declared_at,
                name: variant.name.text.clone(),
                fields: Arc::new(fields),
                span: variant.name.span,
            });
        }
        sig
    }

    /// What every environment of a project sets: the prelude's
    /// `DeploySettings` (`region`, `account`, `protect`, ...) first, then the
    /// project's own settings (which may redeclare one of them).
    pub fn project_settings(&mut self, decl: DeclRef) -> Arc<RecordType> {
        if let Some(settings) = self.settings.get(&decl) {
            return settings.clone();
        }
        let ItemKind::Project(project) = &self.item(decl).kind else { return Arc::default() };
        let mut record = self.resolve_fields(&project.settings, decl.module, None, true);
        let implicit = match self.scopes.of(decl.module).get(DEPLOY_SETTINGS).cloned() {
            Some(Entry::Decl(base)) => match self.alias(base) {
                Type::Record(base) => base.fields.clone(),
                _ => Vec::new(),
            },
            _ => Vec::new(),
        };
        let implicit: Vec<FieldType> =
            implicit.into_iter().filter(|f| record.field(&f.name).is_none()).collect();
        record.fields.splice(0..0, implicit);
        let record = Arc::new(record);
        self.settings.insert(decl, record.clone());
        record
    }
}
