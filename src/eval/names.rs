//! Names and field access: what `vpc`, `env.capacity`, `Capacity.spot`,
//! `ecs.cluster`, `core.vpc_id` and `role.Arn` evaluate to.
//!
//! Input: a name or a field access and its [`Ctx`]. Output: a value, or a
//! static target (a construct, type, enum, layer) for instantiation. Lookup
//! order: locals, members of the body, `env`/`project` (layers only), `aws`,
//! then the module scope. Invariant: a name shadowed by a local or a member is
//! never read as a declaration.

use super::error::{EvalError, EvalResult};
use super::model::{DeployExpr, Value, ValueKind};
use super::scope::{BodyKind, Ctx};
use super::Evaluator;
use crate::check::{DeclRef, Entry, Scope};
use crate::source::Span;
use crate::syntax::ast::{self, ExprKind, ItemKind};
use crate::workspace::ModuleId;

/// A name that means a declaration rather than a value.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Static {
    Namespace(ModuleId),
    Construct(DeclRef),
    Type(DeclRef),
    Enum(DeclRef),
    Layer(DeclRef),
    Variant(DeclRef, usize),
}

/// CamelCase of a snake_case name, letters and digits only: `task_role` → `TaskRole`.
pub fn camel_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = true;
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            if upper {
                out.push(c.to_ascii_uppercase());
            } else {
                out.push(c);
            }
            upper = false;
        } else {
            upper = true;
        }
    }
    out
}

/// The resource name that takes its instance's logical id unchanged.
///
/// A construct that wraps one main AWS resource (a log group, a role, a
/// bucket) names it `main`, so that wrapping a resource in a construct keeps
/// the logical id the resource had when written raw: the binding `logs`
/// holding a `logs.log_group` gives `Logs`, not `LogsMain`, and moving a
/// resource into a construct does not replace it (CDK's `Resource` child).
pub const MAIN_RESOURCE: &str = "main";

/// The logical id of the resource `name` declared in a body whose instances
/// are prefixed `prefix`: the prefix and the CamelCase of the name, or the
/// prefix alone for the [`MAIN_RESOURCE`] of an instance.
pub fn resource_logical_id(prefix: &str, name: &str) -> String {
    if name == MAIN_RESOURCE && !prefix.is_empty() {
        return prefix.to_string();
    }
    format!("{prefix}{}", camel_case(name))
}

/// The pseudo parameters `aws.x` names.
fn pseudo(field: &str) -> Option<&'static str> {
    Some(match field {
        "region" => "AWS::Region",
        "account_id" => "AWS::AccountId",
        "partition" => "AWS::Partition",
        "stack_name" => "AWS::StackName",
        "url_suffix" => "AWS::URLSuffix",
        "stack_id" => "AWS::StackId",
        _ => return None,
    })
}

impl<'a> Evaluator<'a> {
    /// Whether `ctx` is inside a layer (which sees `env`, `project` and other layers).
    fn in_layer(&self, ctx: &Ctx) -> Option<DeclRef> {
        match self.bodies.get(ctx.body?)?.kind {
            BodyKind::Layer(decl) => Some(decl),
            BodyKind::Instance => None,
        }
    }

    /// Whether `name` is a value name here (local, member, or special), shadowing declarations.
    fn is_value_name(&self, name: &str, ctx: &Ctx) -> bool {
        if ctx.local(name).is_some() || name == "aws" {
            return true;
        }
        if let Some(body) = ctx.body.and_then(|b| self.bodies.get(b)) {
            if body.index.contains_key(name) {
                return true;
            }
        }
        self.in_layer(ctx).is_some() && (name == "env" || name == "project")
    }

    /// The value of a plain name.
    pub(crate) fn eval_name(&mut self, name: &ast::Name, ctx: &Ctx) -> EvalResult<Value> {
        if let Some(value) = ctx.local(&name.text) {
            return Ok(value.clone());
        }
        if let Some(body) = ctx.body {
            if let Some(result) = self.member(body, &name.text) {
                return result;
            }
        }
        if self.in_layer(ctx).is_some() {
            let special = match name.text.as_str() {
                "env" => Some(&self.env_value),
                "project" => Some(&self.project_value),
                _ => None,
            };
            if let Some(value) = special {
                // Unset only when evaluating it failed, which is already reported.
                return value.clone().ok_or(EvalError::Reported);
            }
        }
        if name.text == "aws" {
            return Ok(self.aws_value(name.span));
        }
        match self.lookup_static(&name.text, ctx.module) {
            Some(target) => self.static_value(target, name.span),
            None => self.environment_variant(&name.text, name.span),
        }
    }

    /// `aws`: a record of deploy-time pseudo parameters.
    fn aws_value(&self, span: Span) -> Value {
        let fields = ["region", "account_id", "partition", "stack_name", "url_suffix", "stack_id"]
            .iter()
            .filter_map(|f| {
                let pseudo = pseudo(f)?;
                Some((f.to_string(), Value::deploy(DeployExpr::Pseudo(pseudo.to_string()), span)))
            })
            .collect();
        Value::new(ValueKind::Record(fields), span)
    }

    /// `dev`, `prod`: the project's environments are an implicit enum.
    fn environment_variant(&self, name: &str, span: Span) -> EvalResult<Value> {
        let Some(env) = &self.env_value else {
            return Err(EvalError::internal(format!("unknown name `{name}`"), span));
        };
        if !self.environments.iter().any(|n| n == name) {
            return Err(EvalError::internal(format!("unknown name `{name}`"), span));
        }
        let enum_name = match env.field("name").map(|v| &v.kind) {
            Some(ValueKind::Variant { enum_name, .. }) => enum_name.clone(),
            _ => "environment".to_string(),
        };
        let kind = ValueKind::Variant {
            enum_name,
            variant: name.to_string(),
            text: Some(name.to_string()),
            fields: Vec::new(),
        };
        Ok(Value::new(kind, span))
    }

    /// The checker's scope of `module` (bounds-checked: `Scopes::of` indexes).
    pub(crate) fn scope_of(&self, module: ModuleId) -> Option<&'a Scope> {
        if module.0 < self.workspace.modules.len() {
            Some(self.checked.scopes.of(module))
        } else {
            None
        }
    }

    /// What a top-level name means in `module`.
    pub(crate) fn lookup_static(&self, name: &str, module: ModuleId) -> Option<Static> {
        let entry = self.scope_of(module)?.get(name)?;
        self.entry_static(entry)
    }

    fn entry_static(&self, entry: &Entry) -> Option<Static> {
        match entry {
            Entry::Decl(decl) => Some(match &item_of(self, *decl)?.kind {
                ItemKind::Construct(_) => Static::Construct(*decl),
                ItemKind::Type(_) => Static::Type(*decl),
                ItemKind::Enum(_) => Static::Enum(*decl),
                ItemKind::Layer(_) => Static::Layer(*decl),
                ItemKind::Import(_) | ItemKind::Project(_) | ItemKind::Environment(_) => return None,
            }),
            Entry::Namespace(module) => Some(Static::Namespace(*module)),
            Entry::Variant { decl, variant } => Some(Static::Variant(*decl, *variant)),
            Entry::AmbiguousVariant(_) => None,
        }
    }

    /// The declaration a path expression (`ecs.cluster`, `Capacity.spot`) names, if it names one.
    pub(crate) fn resolve_static(&self, expr: &ast::Expr, ctx: &Ctx) -> Option<Static> {
        match &expr.kind {
            ExprKind::Name(name) if !self.is_value_name(&name.text, ctx) => {
                self.lookup_static(&name.text, ctx.module)
            }
            ExprKind::Field { target, field } => {
                let outer = self.resolve_static(target, ctx)?;
                self.static_member(outer, &field.text)
            }
            ExprKind::Paren(inner) => self.resolve_static(inner, ctx),
            _ => None,
        }
    }

    /// `namespace.decl`, `Enum.variant`.
    fn static_member(&self, outer: Static, field: &str) -> Option<Static> {
        match outer {
            Static::Namespace(module) => {
                let entry = self.scope_of(module)?.get(field)?;
                // A namespace shows only its module's own declarations.
                let own = match entry {
                    Entry::Decl(decl) | Entry::Variant { decl, .. } => decl.module == module,
                    Entry::Namespace(_) | Entry::AmbiguousVariant(_) => false,
                };
                if own {
                    self.entry_static(entry)
                } else {
                    None
                }
            }
            Static::Enum(decl) => {
                let ItemKind::Enum(e) = &item_of(self, decl)?.kind else { return None };
                let index = e.variants.iter().position(|v| v.name.text == field)?;
                Some(Static::Variant(decl, index))
            }
            Static::Construct(_) | Static::Type(_) | Static::Layer(_) | Static::Variant(..) => None,
        }
    }

    /// A declaration used as a value: only a variant is one.
    fn static_value(&mut self, target: Static, span: Span) -> EvalResult<Value> {
        match target {
            Static::Variant(decl, index) => {
                self.variant_value(decl, index, None, &Ctx::module(decl.module), span)
            }
            Static::Layer(_) => {
                Err(EvalError::internal("a layer is not a value; name one of its published members", span))
            }
            Static::Namespace(_) | Static::Construct(_) | Static::Type(_) | Static::Enum(_) => {
                Err(EvalError::internal("a declaration is not a value", span))
            }
        }
    }

    /// `target.field`.
    pub(crate) fn eval_field(
        &mut self,
        expr: &ast::Expr,
        target: &'a ast::Expr,
        field: &ast::Name,
        ctx: &Ctx,
    ) -> EvalResult<Value> {
        if let Some(outer) = self.resolve_static(target, ctx) {
            if let Static::Layer(layer) = outer {
                return self.cross_layer(layer, field, expr.span, ctx);
            }
            return match self.static_member(outer, &field.text) {
                Some(inner) => self.static_value(inner, expr.span),
                None => Err(EvalError::internal(format!("no `{}` here", field.text), field.span)),
            };
        }
        let value = self.eval(target, ctx)?;
        self.field_of(value, field, expr.span)
    }

    /// A field of an evaluated value.
    pub(crate) fn field_of(&mut self, value: Value, field: &ast::Name, span: Span) -> EvalResult<Value> {
        let name = field.text.as_str();
        match value.kind {
            ValueKind::Deploy(DeployExpr::Ref(id)) => Ok(Value::deploy(resource_attribute(id, name), span)),
            ValueKind::Deploy(DeployExpr::GetAtt(id, path)) => {
                Ok(Value::deploy(DeployExpr::GetAtt(id, format!("{path}.{name}")), span))
            }
            ValueKind::Secret { parameter } if name == "parameter" => Ok(Value::string(parameter, span)),
            ValueKind::Record(fields)
            | ValueKind::Instance { outputs: fields, .. }
            | ValueKind::Variant { fields, .. } => {
                fields.into_iter().find(|(k, _)| k == name).map(|(_, v)| v).ok_or_else(|| {
                    EvalError::internal(format!("there is no field `{name}` here"), field.span)
                })
            }
            other => {
                Err(EvalError::internal(format!("a {} has no field `{name}`", other.describe()), field.span))
            }
        }
    }

    /// `core.vpc_id` inside another layer: an SSM read, or a secret.
    fn cross_layer(&mut self, layer: DeclRef, field: &ast::Name, span: Span, ctx: &Ctx) -> EvalResult<Value> {
        let Some(current) = self.in_layer(ctx) else {
            return Err(EvalError::internal("layers are visible only inside layers", span));
        };
        if current == layer {
            return Err(EvalError::internal(
                "a layer cannot refer to itself by name; use the member directly",
                span,
            ));
        }
        let Some(ItemKind::Layer(decl)) = item_of(self, layer).map(|i| &i.kind) else {
            return Err(EvalError::internal("not a layer", span));
        };
        let parameter = format!("{}/{}", self.params_prefix, field.text);
        let member = decl.members.iter().find_map(|m| match &m.kind {
            ast::MemberKind::Publish(b) if b.name.text == field.text => Some(false),
            ast::MemberKind::Secret { name, .. } if name.text == field.text => Some(true),
            _ => None,
        });
        let layer_name = decl.name.text.clone();
        match member {
            Some(true) => {
                self.record_dependency(layer);
                Ok(Value::new(ValueKind::Secret { parameter }, span))
            }
            Some(false) => {
                self.record_import(layer, &layer_name, &field.text, &parameter, span);
                Ok(Value::deploy(DeployExpr::Ssm(parameter), span))
            }
            None => Err(EvalError::internal(
                format!("`{}` is not published by layer `{layer_name}`", field.text),
                span,
            )),
        }
    }
}

/// `r.ref` is the resource's `Ref`; any other field is a `Fn::GetAtt` attribute.
fn resource_attribute(id: String, field: &str) -> DeployExpr {
    if field == "ref" {
        DeployExpr::Ref(id)
    } else {
        DeployExpr::GetAtt(id, field.to_string())
    }
}

/// The declaration behind a reference, if the reference is valid.
pub(crate) fn item_of<'a>(evaluator: &Evaluator<'a>, decl: DeclRef) -> Option<&'a ast::Item> {
    let module = evaluator.workspace.modules.get(decl.module.0)?;
    module.ast.items.get(decl.item)
}
