//! Names and field access: what `vpc`, `env.capacity`, `Capacity.spot`,
//! `ecs.cluster`, `core.vpc_id` and `role.Arn` evaluate to.
//!
//! Input: a name or a field access and its [`Ctx`]. Output: a value. What a
//! name refers to is the checker's answer, read from its resolution table
//! ([`Checked::def_at`](crate::check::Checked::def_at)); this file only finds
//! the value: a local by name in the context, a member in the slot of the body
//! being evaluated (one instance of the construct the checker named), `env`
//! and `project` of the environment, a variant, another layer's published
//! value. A name the table does not know was reported by the checker; reaching
//! it is an internal error, never a guess.

use std::sync::Arc;

use super::error::{EvalError, EvalResult};
use super::model::{DeployExpr, Text, Value, ValueKind, Variant};
use super::scope::{BodyKind, Ctx};
use super::Evaluator;
use crate::check::{DeclRef, Def, Scope, Type};
use crate::source::Span;
use crate::syntax::ast::{self, ExprKind, ItemKind};
use crate::workspace::ModuleId;

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

/// The member name that adds nothing to logical ids.
///
/// A construct that wraps one main AWS resource (a log group, a role, a
/// bucket) names it `main`, so that wrapping a resource in a construct keeps
/// the logical id the resource had when written raw: the binding `logs`
/// holding a `logs.log_group` gives `Logs`, not `LogsMain`, and moving a
/// resource into a construct does not replace it (CDK's `Resource` child).
/// An instance bound as `main` inside another construct likewise gives its
/// resources the enclosing instance's prefix, so a group of resources moved
/// into a construct of its own (a service's load balancer) keeps its ids.
pub const MAIN: &str = "main";

/// The logical id of the resource `name`, or the prefix of the instance bound
/// as `name`, declared in a body whose ids are prefixed `prefix`: the prefix
/// and the CamelCase of the name, or the prefix alone for [`MAIN`].
pub fn member_logical_id(prefix: &str, name: &str) -> String {
    if name == MAIN && !prefix.is_empty() {
        return prefix.to_string();
    }
    format!("{prefix}{}", camel_case(name))
}

/// The logical id prefix a construct instance takes where it is written (in
/// tail position of a member or a stage), spelled out only when an instance
/// is there: most values a member holds are not instances.
#[derive(Clone, Copy)]
pub(crate) enum InstanceName<'n> {
    /// The value of member `name` of a body whose ids are prefixed `prefix`.
    Member { prefix: &'n str, name: &'n str },
    /// The action of stage `name` of the instance prefixed `prefix`.
    Stage { prefix: &'n str, name: &'n str },
}

impl InstanceName<'_> {
    /// The prefix: `Django` for `django = ecs.service { .. }`.
    pub(crate) fn logical_id(self) -> String {
        match self {
            InstanceName::Member { prefix, name } => member_logical_id(prefix, name),
            InstanceName::Stage { prefix, name } => format!("{prefix}{}", camel_case(name)),
        }
    }
}

impl<'a> Evaluator<'a> {
    /// The layer `ctx` is inside, if any.
    fn in_layer(&self, ctx: &Ctx) -> Option<DeclRef> {
        match self.bodies.get(ctx.body?)?.kind {
            BodyKind::Layer(decl) => Some(decl),
            BodyKind::Instance(_) => None,
        }
    }

    /// What the checker resolved the last name of a path (`queue`,
    /// `ecs.cluster`, `(Capacity.spot)`) to.
    pub(crate) fn path_def(&self, expr: &ast::Expr) -> Option<Def> {
        match &expr.kind {
            ExprKind::Name(name) => self.checked.def_at(name.span),
            ExprKind::Field { field, .. } => self.checked.def_at(field.span),
            ExprKind::Paren(inner) => self.path_def(inner),
            _ => None,
        }
    }

    /// The value of a plain name.
    pub(crate) fn eval_name(&mut self, name: &ast::Name, ctx: &Ctx) -> EvalResult<Value> {
        let Some(def) = self.checked.def_at(name.span) else {
            return Err(EvalError::internal(format!("unknown name `{}`", name.text), name.span));
        };
        match def {
            // A comprehension variable, a match binding, a record field in a type's `where`.
            Def::Local { .. } | Def::Field { .. } => ctx
                .local(&name.text)
                .cloned()
                .ok_or_else(|| EvalError::internal(format!("`{}` has no value here", name.text), name.span)),
            Def::Member { body, index } => self.member_value(ctx, body, index as usize, name.span),
            // Unset only when evaluating it failed, which is already reported.
            Def::Env => self.env_value.clone().ok_or(EvalError::Reported),
            Def::Project(_) => self.project_value.clone().ok_or(EvalError::Reported),
            Def::Variant { decl, index } => {
                self.variant_value(decl, index as usize, None, &Ctx::module(decl.module), name.span)
            }
            Def::Environment { .. } => Ok(self.environment_value(&name.text, name.span)),
            Def::Decl(decl) if matches!(item_of(self, decl).map(|i| &i.kind), Some(ItemKind::Layer(_))) => {
                Err(EvalError::internal(
                    "a layer is not a value; name one of its published members",
                    name.span,
                ))
            }
            Def::Decl(_)
            | Def::Namespace(_)
            | Def::Aws
            | Def::Builtin(_)
            | Def::BuiltinType(_)
            | Def::EnvName
            | Def::Setting { .. }
            | Def::ProjectField { .. }
            | Def::Pseudo(_)
            | Def::Shared { .. }
            | Def::Output { .. } => {
                Err(EvalError::internal(format!("`{}` is not a value", name.text), name.span))
            }
        }
    }

    /// Member `index` of `decl`, from the body being evaluated (a layer, or an
    /// instance of the construct).
    fn member_value(&mut self, ctx: &Ctx, decl: DeclRef, index: usize, span: Span) -> EvalResult<Value> {
        match ctx.body.and_then(|b| Some((b, self.bodies.get(b)?.kind.decl()))) {
            Some((body, of)) if of == decl => self.force(body, index),
            _ => Err(EvalError::internal("a member of another body is not visible here", span)),
        }
    }

    /// `dev`, `prod`: a value of the project's implicit environments enum.
    fn environment_value(&self, name: &str, span: Span) -> Value {
        let enum_name = match self.env_value.as_ref().and_then(|env| env.field("name")).map(|v| &v.kind) {
            Some(ValueKind::Variant(variant)) => variant.enum_name.clone(),
            _ => Text::from("environment"),
        };
        let name = Text::from(name);
        let variant =
            Variant { enum_name, variant: name.clone(), text: Some(name), fields: Default::default() };
        Value::new(ValueKind::Variant(Arc::new(variant)), span)
    }

    /// The checker's scope of `module` (bounds-checked: `Scopes::of` indexes).
    pub(crate) fn scope_of(&self, module: ModuleId) -> Option<&'a Scope> {
        if module.0 < self.workspace.modules.len() {
            Some(self.checked.scopes.of(module))
        } else {
            None
        }
    }

    /// `target.field`.
    pub(crate) fn eval_field(
        &mut self,
        expr: &ast::Expr,
        target: &'a ast::Expr,
        field: &'a ast::Name,
        ctx: &Ctx,
    ) -> EvalResult<Value> {
        let checked = self.checked;
        let node = checked.table.node_starting(field.span);
        match node.map(|n| n.def) {
            Some(Def::Variant { decl, index }) => {
                self.variant_value(decl, index as usize, None, &Ctx::module(decl.module), expr.span)
            }
            Some(Def::Shared { layer, index }) => {
                self.cross_layer(layer, index as usize, field, expr.span, ctx)
            }
            Some(Def::Pseudo(pseudo)) => {
                Ok(Value::deploy(DeployExpr::Pseudo(pseudo.cloudformation()), expr.span))
            }
            Some(Def::Decl(_)) => Err(EvalError::internal("a declaration is not a value", field.span)),
            // Settings, project fields, outputs, record and variant fields,
            // resource attributes: read from the target's value.
            _ => {
                let value = self.eval(target, ctx)?;
                // A record of a list whose elements differ in shape lacks the
                // fields the others have: the checker typed them optional.
                let ty = match node {
                    Some(node) => Some(node.ty),
                    None => checked.type_of(expr),
                };
                let may_lack = matches!(ty, Some(Type::Optional(_)));
                match value.kind {
                    ValueKind::Record(ref fields)
                        if may_lack && !fields.iter().any(|(k, _)| **k == *field.text) =>
                    {
                        Ok(Value::new(ValueKind::Null, expr.span))
                    }
                    // An output of an instance switched off by `when`.
                    ValueKind::Null if may_lack => Ok(Value::new(ValueKind::Null, expr.span)),
                    _ => self.field_of(value, field, expr.span),
                }
            }
        }
    }

    /// A field of an evaluated value.
    pub(crate) fn field_of(&mut self, value: Value, field: &'a ast::Name, span: Span) -> EvalResult<Value> {
        let name = field.text.as_str();
        if let ValueKind::Deploy(expr) = &value.kind {
            match &**expr {
                DeployExpr::Ref(id) => {
                    let attribute = self.resource_attribute(id.clone(), name);
                    return Ok(Value::deploy(attribute, span));
                }
                DeployExpr::GetAtt(id, path) => {
                    let path = Text::from(format!("{path}.{name}"));
                    return Ok(Value::deploy(DeployExpr::GetAtt(id.clone(), path), span));
                }
                _ => {}
            }
        }
        match &value.kind {
            ValueKind::Secret { parameter } if name == "parameter" => {
                Ok(Value::string(parameter.clone(), span))
            }
            kind => match kind.fields() {
                Some(fields) => {
                    fields.iter().find(|(k, _)| &**k == name).map(|(_, v)| v.clone()).ok_or_else(|| {
                        EvalError::internal(format!("there is no field `{name}` here"), field.span)
                    })
                }
                None => Err(EvalError::internal(
                    format!("a {} has no field `{name}`", kind.describe()),
                    field.span,
                )),
            },
        }
    }

    /// `r.ref` is the resource's `Ref`; any other field is a `Fn::GetAtt` attribute.
    fn resource_attribute(&mut self, id: Text, field: &'a str) -> DeployExpr {
        if field == "ref" {
            DeployExpr::Ref(id)
        } else {
            DeployExpr::GetAtt(id, self.field_name(field))
        }
    }

    /// `core.vpc_id` inside another layer: an SSM read, or a secret.
    fn cross_layer(
        &mut self,
        layer: DeclRef,
        index: usize,
        field: &ast::Name,
        span: Span,
        ctx: &Ctx,
    ) -> EvalResult<Value> {
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
        let layer_name = decl.name.text.clone();
        match decl.members.get(index).map(|m| &m.kind) {
            Some(ast::MemberKind::Secret { .. }) => {
                self.record_dependency(layer);
                Ok(Value::new(ValueKind::Secret { parameter: parameter.into() }, span))
            }
            Some(ast::MemberKind::Publish(_)) => {
                // Layers are evaluated producers first, so what this
                // environment publishes under the name is known here.
                let Some(&published) = self.published.get(&parameter) else {
                    return Err(EvalError::Reported);
                };
                self.record_import(layer, &layer_name, &field.text, &parameter, published.is_some(), span);
                Ok(match published {
                    None => Value::deploy(DeployExpr::Ssm(parameter), span),
                    Some(length) => imported_list(parameter, length, span),
                })
            }
            _ => Err(EvalError::internal(
                format!("`{}` is not published by layer `{layer_name}`", field.text),
                span,
            )),
        }
    }
}

/// A list another layer published, read element by element: its length is
/// known at check time, its elements only when CloudFormation runs.
fn imported_list(parameter: String, length: usize, span: Span) -> Value {
    let item = |index| {
        let expr = DeployExpr::SsmItem { parameter: parameter.clone(), index, length };
        Value::deploy(expr, span)
    };
    Value::new(ValueKind::List(Arc::new((0..length).map(item).collect())), span)
}

/// The declaration behind a reference, if the reference is valid.
pub(crate) fn item_of<'a>(evaluator: &Evaluator<'a>, decl: DeclRef) -> Option<&'a ast::Item> {
    let module = evaluator.workspace.modules.get(decl.module.0)?;
    module.ast.items.get(decl.item)
}
