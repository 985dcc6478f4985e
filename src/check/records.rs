//! Record literals and instantiation: `{ a = 1 }`, `ecs.cluster { .. }`,
//! `on_demand { base = 1 }`, `Scaling { .. }`, and `stage` items.
//!
//! Input: a record literal and the shape it must fit (construct params,
//! settings, variant fields, a record type, a map or json). Output: the
//! literal's type; unknown (E0202), duplicate (E0203) and missing (E0210)
//! fields, and each field's value checked against its declared type.
//! Invariant: every missing field is listed in one diagnostic.

use std::collections::HashMap;
use std::sync::Arc;

use crate::check::checker::{Body, LayerEdge};
use crate::check::error::CheckError;
use crate::check::scope::DeclRef;
use crate::check::table::Def;
use crate::check::types::{FieldType, RecordType, Type};
use crate::check::Checker;
use crate::source::Span;
use crate::syntax::ast::{Expr, ExprKind, RecordLit, Stage};

/// Whether `expr` is a dotted path (`queue`, `ecs.cluster`), the only
/// expressions that name a declaration.
fn is_path(expr: &Expr) -> bool {
    match &expr.kind {
        ExprKind::Name(_) => true,
        ExprKind::Field { target, .. } | ExprKind::Paren(target) => is_path(target),
        _ => false,
    }
}

/// What a record literal fills, for messages and for what its field names refer to.
#[derive(Debug, Clone)]
pub enum Owner {
    /// The params of construct `1`, named `0`.
    Construct(String, DeclRef),
    Settings(String),
    Variant(String),
    Record(String),
}

impl Owner {
    /// "parameter of `fargate_service`", for unknown fields.
    fn field_noun(&self) -> String {
        match self {
            Owner::Construct(name, _) => format!("parameter of `{name}`"),
            Owner::Settings(project) => format!("setting of project `{project}`"),
            Owner::Variant(name) => format!("field of variant `{name}`"),
            Owner::Record(name) => format!("field of `{name}`"),
        }
    }

    /// "instance of `fargate_service`", for missing fields.
    fn whole(&self) -> String {
        match self {
            Owner::Construct(name, _) => format!("instance of `{name}`"),
            Owner::Settings(project) => format!("environment of project `{project}`"),
            Owner::Variant(name) => format!("variant `{name}`"),
            Owner::Record(name) => format!("record `{name}`"),
        }
    }
}

impl<'w> Checker<'w> {
    /// `target { body }`: a construct instance, a variant with fields, or a typed record.
    pub fn apply(
        &mut self,
        whole: &'w Expr,
        target: &'w Expr,
        body: &'w RecordLit,
        hint: Option<&Type>,
    ) -> Type {
        // Only declarations take `{ .. }`: a member or local of the same name
        // does not hide one (`queue = queue { .. }`).
        let saved = std::mem::replace(&mut self.ctx.declarations_only, is_path(target));
        let target_ty = self.raw(target, hint);
        self.ctx.declarations_only = saved;
        match target_ty {
            Type::ConstructName(decl) => self.instantiate(whole, target, decl, body),
            Type::Variant(decl, index) => {
                let sig = self.enum_sig(decl);
                let Some(variant) = sig.variants.get(index) else { return Type::Unknown };
                let owner = Owner::Variant(variant.name.clone());
                self.record_body(body, &variant.fields.clone(), &owner, target.span);
                Type::Enum(decl)
            }
            Type::TypeName(decl) => match self.alias(decl) {
                Type::Record(record) => {
                    let owner = Owner::Record(self.decl_name(decl));
                    self.record_body(body, &record, &owner, target.span);
                    Type::Record(record)
                }
                Type::Unknown => self.loose_record(body),
                other => self.not_instantiable(target, &other, body),
            },
            Type::Unknown => self.loose_record(body),
            other => self.not_instantiable(target, &other, body),
        }
    }

    fn instantiate(&mut self, whole: &'w Expr, target: &'w Expr, decl: DeclRef, body: &'w RecordLit) -> Type {
        let name = self.decl_name(decl);
        let named = self.ctx.instance_ok == Some(whole.span);
        if !named {
            self.report(CheckError::UnnamedInstance { construct: name.clone(), span: whole.span });
        }
        if let Body::Construct(current) = self.ctx.body {
            if current == decl {
                let declared = self.item(decl).span;
                self.report(CheckError::SelfReference { name: name.clone(), span: target.span, declared });
            } else {
                self.construct_edges.push(LayerEdge { from: current, to: decl, span: target.span });
            }
        }
        // Nested values are not bindings: an instance among them has no name.
        self.ctx.instance_ok = None;
        let params = self.construct_params(decl);
        self.record_body(body, &params, &Owner::Construct(name, decl), target.span);
        // An unnamed instance was reported; its uses are not reported again.
        if named {
            Type::Construct(decl)
        } else {
            Type::Unknown
        }
    }

    fn not_instantiable(&mut self, target: &Expr, ty: &Type, body: &'w RecordLit) -> Type {
        let what = self.show(ty);
        self.report(CheckError::Type {
            message: format!("`{}` cannot take fields: it is {what}", self.ws.sources.slice(target.span)),
            label: "not a construct, variant or record type".into(),
            span: target.span,
            help: Some("only constructs, enum variants and record types take `{ ... }`".into()),
        });
        self.loose_record(body);
        Type::Unknown
    }

    /// Type the fields of a body whose shape is unknown, to find their own errors.
    fn loose_record(&mut self, body: &'w RecordLit) -> Type {
        for field in &body.fields {
            self.infer(&field.value);
        }
        for stage in &body.stages {
            let holds = self.holds_where(stage.when.as_ref(), "a `stage ... when` condition");
            self.assuming(&holds, |checker| checker.infer(&stage.action));
        }
        Type::Unknown
    }

    /// Check a literal's fields against a record shape.
    pub fn record_body(&mut self, body: &'w RecordLit, record: &RecordType, owner: &Owner, at: Span) {
        let mut seen: HashMap<&str, Span> = HashMap::with_capacity(body.fields.len());
        for field in &body.fields {
            let name = field.name.text.as_str();
            if let Some(&first) = seen.get(name) {
                self.duplicate_field(name, first, field.name.span);
                continue;
            }
            seen.insert(name, field.name.span);
            match record.field(name) {
                Some(declared) => {
                    if let Some(def) = self.field_def(owner, declared) {
                        self.resolved(&field.name, def, declared.ty.clone());
                    }
                    self.check_expr(&field.value, &declared.ty, declared.span);
                }
                None => {
                    self.unknown_field(&field.name, owner.field_noun(), record.names().collect(), None);
                    self.infer(&field.value);
                }
            }
        }
        if !body.stages.is_empty() {
            self.stages(&body.stages, record, owner, seen.get("stages").copied());
            seen.insert("stages", body.span);
        }
        let missing: Vec<String> = record
            .fields
            .iter()
            .filter(|f| f.required && !seen.contains_key(f.name.as_str()))
            .map(|f| f.name.clone())
            .collect();
        if !missing.is_empty() {
            self.report(CheckError::MissingFields { owner: owner.whole(), missing, span: at });
        }
    }

    /// What a field set in a literal for `owner` refers to: a construct's
    /// param is a member of the construct, a setting is a setting.
    fn field_def(&mut self, owner: &Owner, declared: &FieldType) -> Option<Def> {
        match owner {
            Owner::Construct(_, construct) => {
                let index = *self.member_index(*construct).get(&declared.name)?;
                Some(Def::Member { body: *construct, index: index as u32 })
            }
            Owner::Settings(_) => Some(Def::Setting { declared: declared.span }),
            Owner::Variant(_) | Owner::Record(_) => Some(Def::Field { declared: declared.span? }),
        }
    }

    fn duplicate_field(&mut self, name: &str, first: Span, second: Span) {
        self.report(CheckError::Duplicate { name: name.to_string(), what: "field", first, second });
    }

    /// `stage NAME when COND = ACTION` items fill the `stages` param with
    /// `{ name, action }` records.
    fn stages(&mut self, stages: &'w [Stage], record: &RecordType, owner: &Owner, explicit: Option<Span>) {
        let action = match record.field("stages").map(|f| &f.ty) {
            Some(Type::List(element)) => match element.as_ref() {
                Type::Record(shape) => shape.field("action").map_or(Type::Unknown, |f| f.ty.clone()),
                _ => Type::Unknown,
            },
            Some(_) => Type::Unknown,
            None => {
                if let Some(first) = stages.first() {
                    let error = CheckError::UnknownField {
                        field: "stages".into(),
                        owner: owner.field_noun(),
                        span: first.span,
                        suggestion: None,
                        declared: None,
                    };
                    self.report(error);
                }
                Type::Unknown
            }
        };
        if let (Some(first), Some(stage)) = (explicit, stages.first()) {
            self.duplicate_field("stages", first, stage.span);
        }
        let mut names: HashMap<&str, Span> = HashMap::new();
        for stage in stages {
            if let Some(first) = names.insert(&stage.name.text, stage.name.span) {
                let error = CheckError::Duplicate {
                    name: stage.name.text.clone(),
                    what: "stage",
                    first,
                    second: stage.name.span,
                };
                self.report(error);
            }
            let holds = self.holds_where(stage.when.as_ref(), "a `stage ... when` condition");
            self.assuming(&holds, |checker| checker.check_expr(&stage.action, &action, None));
        }
    }

    /// `{ a = 1 }`: checked against the expected record, map or json, else
    /// typed as a record of its fields.
    pub fn record_literal(&mut self, lit: &'w RecordLit, hint: Option<&Type>) -> Type {
        match hint.map(Type::unwrapped) {
            Some(Type::Record(record)) => {
                let record = record.clone();
                let owner = Owner::Record(self.show(&Type::Record(record.clone())));
                self.record_body(lit, &record, &owner, lit.span);
                Type::Record(record)
            }
            Some(Type::Map(value)) => {
                let value = value.as_ref().clone();
                self.uniform_record(lit, &value);
                Type::Map(Box::new(value))
            }
            Some(Type::Json) => {
                self.uniform_record(lit, &Type::Json);
                Type::Json
            }
            _ => self.inferred_record(lit),
        }
    }

    /// Every field's value has type `value` (maps and json).
    fn uniform_record(&mut self, lit: &'w RecordLit, value: &Type) {
        let mut seen: HashMap<&str, Span> = HashMap::with_capacity(lit.fields.len());
        for field in &lit.fields {
            if let Some(first) = seen.insert(&field.name.text, field.name.span) {
                self.duplicate_field(&field.name.text, first, field.name.span);
            }
            self.check_expr(&field.value, value, None);
        }
        self.no_stages(lit);
    }

    fn inferred_record(&mut self, lit: &'w RecordLit) -> Type {
        let mut record = RecordType { name: None, fields: Vec::with_capacity(lit.fields.len()) };
        let mut seen: HashMap<&str, Span> = HashMap::with_capacity(lit.fields.len());
        for field in &lit.fields {
            let ty = self.infer(&field.value);
            if let Some(first) = seen.insert(&field.name.text, field.name.span) {
                self.duplicate_field(&field.name.text, first, field.name.span);
                continue;
            }
            let ty = self.resolved(&field.name, Def::Field { declared: field.name.span }, ty);
            record.fields.push(FieldType {
                name: field.name.text.clone(),
                ty,
                required: true,
                span: Some(field.name.span),
            });
        }
        self.no_stages(lit);
        Type::Record(Arc::new(record))
    }

    fn no_stages(&mut self, lit: &'w RecordLit) {
        if let Some(stage) = lit.stages.first() {
            self.report(CheckError::Type {
                message: "`stage` items belong in an instance of a construct with a `stages` parameter"
                    .into(),
                label: "not allowed here".into(),
                span: stage.span,
                help: None,
            });
            for stage in &lit.stages {
                self.infer(&stage.action);
            }
        }
    }
}
