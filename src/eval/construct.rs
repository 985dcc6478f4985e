//! Instantiation: `path { field = expr, .. }` on a construct, an enum variant
//! or a record type.
//!
//! Input: the target and the body as written, evaluated in the caller's
//! [`Ctx`]. Output: an `Instance` value (its outputs) whose resources have been
//! added to the current layer; a `Variant`; or a `Record` conformed to its type.
//! Invariants: given params are evaluated in the caller's context, defaults in
//! the construct's; every member of an instance is evaluated exactly once;
//! logical ids are the instance's prefix + CamelCase of the resource name, so
//! they depend only on names; more than `MAX_INSTANCE_DEPTH` nested instances
//! is a diagnostic, not a stack overflow.

use std::sync::Arc;

use super::error::{EvalError, EvalResult};
use super::model::{DeployExpr, FieldName, Instance, ResourceModel, Text, Value, ValueKind, Variant};
use super::names::{item_of, member_logical_id, InstanceName};
use super::scope::{binding_source, Body, BodyId, BodyKind, Ctx, SlotSource, SlotState};
use super::{Evaluator, MAX_INSTANCE_DEPTH};
use crate::check::{DeclRef, Def};
use crate::source::Span;
use crate::syntax::ast::{self, ItemKind, MemberKind};

/// A param value given at the instantiation site, with the span of its expression.
struct Given<'a> {
    name: &'a str,
    value: Value,
    span: Span,
}

impl<'a> Evaluator<'a> {
    /// `target { body }`.
    pub(crate) fn apply(
        &mut self,
        expr: &'a ast::Expr,
        target: &'a ast::Expr,
        body: &'a ast::RecordLit,
        ctx: &Ctx,
        instance: Option<InstanceName<'_>>,
    ) -> EvalResult<Value> {
        // What the target names is the checker's answer: only declarations
        // take `{ .. }`, so a member named like the construct (`vpc = vpc { .. }`)
        // does not hide it.
        let kind = match self.path_def(target) {
            Some(Def::Decl(decl)) => item_of(self, decl).map(|i| (decl, &i.kind)),
            Some(Def::Variant { decl, index }) => {
                return self.variant_value(decl, index as usize, Some(body), ctx, expr.span)
            }
            _ => None,
        };
        match kind {
            Some((decl, ItemKind::Construct(_))) => {
                let Some(name) = instance else {
                    return Err(EvalError::UnnamedInstance { span: expr.span });
                };
                self.instantiate(decl, body, ctx, &name.logical_id(), expr.span, target.span)
            }
            Some((decl, ItemKind::Type(_))) => {
                let value = self.eval_record(body, ctx)?;
                self.conform_to_decl(value, decl)
            }
            _ => Err(EvalError::internal(
                "only constructs, variants and record types take `{ .. }`",
                target.span,
            )),
        }
    }

    /// An enum variant value, its fields given (evaluated in `ctx`) or defaulted.
    pub(crate) fn variant_value(
        &mut self,
        decl: DeclRef,
        index: usize,
        body: Option<&'a ast::RecordLit>,
        ctx: &Ctx,
        span: Span,
    ) -> EvalResult<Value> {
        let Some(ItemKind::Enum(enum_decl)) = item_of(self, decl).map(|i| &i.kind) else {
            return Err(EvalError::internal("not an enum", span));
        };
        let Some(variant) = enum_decl.variants.get(index) else {
            return Err(EvalError::internal("no such variant", span));
        };
        // A variant without fields is the same value wherever it is written:
        // built once, shared by every use.
        let plain = body.is_none() && variant.fields.is_empty();
        if plain {
            if let Some(shared) = self.plain_variants.get(&(decl, index)) {
                return Ok(Value::new(ValueKind::Variant(shared.clone()), span));
            }
        }
        let given = match body {
            Some(lit) => self.eval_record(lit, ctx)?,
            None => Value::new(ValueKind::Record(Default::default()), span),
        };
        let fields = self.conform_fields(given, &variant.fields, decl.module, span)?;
        let value = Arc::new(Variant {
            enum_name: enum_decl.name.text.as_str().into(),
            variant: variant.name.text.as_str().into(),
            text: variant.value.as_ref().and_then(ast::StringLit::as_plain).map(Text::from),
            fields: fields.into(),
        });
        if plain {
            self.plain_variants.insert((decl, index), value.clone());
        }
        Ok(Value::new(ValueKind::Variant(value), span))
    }

    /// Instantiate a construct under the logical id prefix `prefix`.
    fn instantiate(
        &mut self,
        decl: DeclRef,
        lit: &'a ast::RecordLit,
        ctx: &Ctx,
        prefix: &str,
        span: Span,
        target_span: Span,
    ) -> EvalResult<Value> {
        let Some(ItemKind::Construct(construct)) = item_of(self, decl).map(|i| &i.kind) else {
            return Err(EvalError::internal("not a construct", target_span));
        };
        if self.sites.len() >= MAX_INSTANCE_DEPTH {
            let construct = construct.name.text.clone();
            return Err(EvalError::TooDeep { construct, span: target_span, limit: MAX_INSTANCE_DEPTH });
        }
        let given = self.given_params(lit, ctx, prefix)?;
        let failures_before = self.range_failures;
        let body = self.instance_body(decl, construct, given, prefix)?;
        // A param out of range is the root cause of whatever its requires (and
        // those of the instances inside) would say next: report it alone.
        let quiet = self.range_failures > failures_before;
        self.quiet_requires += usize::from(quiet);
        self.sites.push(target_span);
        self.force_all(body);
        let body_ctx = Ctx::body(decl.module, body);
        for member in &construct.members {
            match &member.kind {
                MemberKind::Resource(resource) => {
                    self.add_resource(resource, member.span, &body_ctx, Some(span))
                }
                MemberKind::Require(require) => {
                    let site = self.user_site().unwrap_or(target_span);
                    self.check_require(require, &body_ctx, site);
                }
                _ => {}
            }
        }
        self.sites.pop();
        self.quiet_requires -= usize::from(quiet);
        let outputs = self.outputs(construct, body);
        // Nothing evaluates in the finished instance again (its values are
        // in its outputs and resources): free what only its members held.
        self.pop_body(body);
        let outputs = outputs?;
        let instance = Instance { construct: construct.name.text.as_str().into(), outputs: outputs.into() };
        Ok(Value::new(ValueKind::Instance(Arc::new(instance)), span))
    }

    /// The given fields, plus `stages` from `stage` items, evaluated in the caller's context.
    fn given_params(
        &mut self,
        lit: &'a ast::RecordLit,
        ctx: &Ctx,
        prefix: &str,
    ) -> EvalResult<Vec<Given<'a>>> {
        let mut given = Vec::with_capacity(lit.fields.len() + 1);
        for field in &lit.fields {
            let value = self.eval(&field.value, ctx)?;
            given.push(Given { name: field.name.text.as_str(), value, span: field.value.span });
        }
        if !lit.stages.is_empty() {
            let stages = self.stages(&lit.stages, ctx, prefix, lit.span)?;
            given.push(Given { name: "stages", value: stages, span: lit.span });
        }
        Ok(given)
    }

    /// `stage NAME when COND = EXPR` items → a list of `{ name, action }`, skipping false `when`s.
    /// A stage is a named item, so an instance as its action is named `<prefix><Stage>`.
    fn stages(&mut self, stages: &'a [ast::Stage], ctx: &Ctx, prefix: &str, span: Span) -> EvalResult<Value> {
        let mut list = Vec::with_capacity(stages.len());
        for stage in stages {
            if let Some(when) = &stage.when {
                if !self.condition(when, ctx)? {
                    continue;
                }
            }
            let instance = InstanceName::Stage { prefix, name: &stage.name.text };
            let action = self.eval_named(&stage.action, ctx, Some(instance))?;
            let name = Value::string(stage.name.text.as_str(), stage.name.span);
            let record = vec![("name".into(), name), ("action".into(), action)];
            list.push(Value::new(ValueKind::Record(record.into()), stage.span));
        }
        Ok(Value::new(ValueKind::List(Arc::new(list)), span))
    }

    /// The body of a new instance: given params fixed (conformed, range-checked),
    /// everything else pending.
    fn instance_body(
        &mut self,
        decl: DeclRef,
        construct: &'a ast::Construct,
        given: Vec<Given<'a>>,
        prefix: &str,
    ) -> EvalResult<BodyId> {
        let members = construct.members.len();
        let mut body = Body::new(BodyKind::Instance(decl), decl.module, prefix.into(), members);
        let mut given: Vec<Option<Given<'a>>> = given.into_iter().map(Some).collect();
        for (index, member) in construct.members.iter().enumerate() {
            match &member.kind {
                MemberKind::Param(field) => {
                    let found =
                        given.iter_mut().find(|g| g.as_ref().is_some_and(|g| g.name == field.name.text));
                    self.add_param(&mut body, index, field, found.and_then(Option::take), decl.module)?;
                }
                MemberKind::Binding(b)
                | MemberKind::Service(b)
                | MemberKind::Pipeline(b)
                | MemberKind::Output(b)
                | MemberKind::Publish(b) => {
                    body.set(index, &b.name, binding_source(member, &b.value), SlotState::Pending)
                }
                MemberKind::Resource(r) => {
                    let id = member_logical_id(prefix, &r.name.text);
                    let value = Value::deploy(DeployExpr::Ref(id.into()), r.name.span);
                    body.set(index, &r.name, SlotSource::Fixed, SlotState::Done(value));
                }
                MemberKind::Secret { .. } | MemberKind::Require(_) => {}
            }
        }
        if let Some(extra) = given.into_iter().flatten().next() {
            let message = format!("`{}` is not a param of `{}`", extra.name, construct.name.text);
            return Err(EvalError::internal(message, extra.span));
        }
        Ok(self.push_body(body))
    }

    /// A param: its given value (conformed, range-checked) or its default, evaluated on first use.
    fn add_param(
        &mut self,
        body: &mut Body<'a>,
        index: usize,
        field: &'a ast::FieldDecl,
        given: Option<Given<'a>>,
        module: crate::workspace::ModuleId,
    ) -> EvalResult<()> {
        match given {
            Some(given) => {
                let value = self.given_param(field, given, module)?;
                body.set(index, &field.name, SlotSource::Fixed, SlotState::Done(value));
            }
            None => body.set(index, &field.name, SlotSource::Default(field), SlotState::Pending),
        }
        Ok(())
    }

    /// A given param conformed to its type and checked against its range.
    fn given_param(
        &mut self,
        field: &'a ast::FieldDecl,
        given: Given<'a>,
        module: crate::workspace::ModuleId,
    ) -> EvalResult<Value> {
        let value = self.conform(given.value, &field.ty, module)?;
        let passed_at = (value.origin != given.span).then_some(given.span);
        self.check_range(&field.name.text, &value, field.range.as_ref(), module, passed_at);
        Ok(value)
    }

    /// The outputs of a finished instance, in declaration order.
    fn outputs(
        &mut self,
        construct: &'a ast::Construct,
        body: BodyId,
    ) -> EvalResult<Vec<(FieldName, Value)>> {
        let mut outputs = Vec::new();
        let mut failed = false;
        for (index, member) in construct.members.iter().enumerate() {
            let MemberKind::Output(binding) = &member.kind else { continue };
            // An output has its own slot: `output vpc_id = vpc_id` re-exports a
            // param, which keeps its meaning inside the body.
            match self.force(body, index) {
                Ok(value) => outputs.push((self.field_name(&binding.name.text), value)),
                Err(error) => {
                    self.report(error);
                    failed = true;
                }
            }
        }
        if failed {
            return Err(EvalError::Reported);
        }
        Ok(outputs)
    }

    /// Evaluate a `resource` and add it to the current layer.
    pub(crate) fn add_resource(
        &mut self,
        resource: &'a ast::ResourceDecl,
        span: Span,
        ctx: &Ctx,
        instance_span: Option<Span>,
    ) {
        let result = self.resource_model(resource, span, ctx, instance_span);
        match result {
            Ok(Some(model)) => {
                // The stdlib's constructs check their sizes themselves (`ecs.task_size`).
                if !self.in_stdlib(model.span) {
                    self.check_raw_task_size(&model);
                }
                self.push_resource(model)
            }
            Ok(None) => {}
            Err(error) => self.report(error),
        }
    }

    fn resource_model(
        &mut self,
        resource: &'a ast::ResourceDecl,
        span: Span,
        ctx: &Ctx,
        instance_span: Option<Span>,
    ) -> EvalResult<Option<ResourceModel>> {
        let prefix = ctx.body.and_then(|b| self.bodies.get(b)).map_or("", |b| &*b.prefix);
        let logical_id = member_logical_id(prefix, &resource.name.text);
        let type_value = self.eval_string(&resource.type_name, ctx)?;
        let Some(type_name) = type_value.as_str().map(str::to_string) else {
            return Err(EvalError::internal(
                "a resource type must be a plain string",
                resource.type_name.span,
            ));
        };
        let mut options = match &resource.options {
            Some(lit) => self.eval_record(lit, ctx)?,
            None => Value::new(ValueKind::Record(Default::default()), span),
        };
        if !take_condition(&mut options) {
            return Ok(None);
        }
        let properties = self.eval_record(&resource.properties, ctx)?;
        let user_span = self.user_site();
        Ok(Some(ResourceModel { logical_id, type_name, properties, options, span, instance_span, user_span }))
    }
}

/// `with { Condition = flag }`: a check-time bool decides whether the resource
/// exists in this environment at all (its properties are then not evaluated).
/// The option is consumed; a deploy-time condition is left for lowering.
fn take_condition(options: &mut Value) -> bool {
    let ValueKind::Record(fields) = &mut options.kind else { return true };
    let Some(index) = fields.iter().position(|(k, _)| &**k == "Condition") else { return true };
    match fields[index].1.kind {
        ValueKind::Bool(include) => {
            *fields =
                fields.iter().enumerate().filter(|&(i, _)| i != index).map(|(_, f)| f.clone()).collect();
            include
        }
        _ => true,
    }
}
