//! Expressions → values.
//!
//! Input: an AST expression and its [`Ctx`]. Output: a [`Value`] whose origin is
//! the expression's span (or, for a name, the span where the named value was
//! written). Invariants: interpolation with a deploy-time part gives a
//! `Deploy(Join)`, a plain string otherwise; branching on a deploy-time value is
//! an error, not a guess; a construct instance gets a name only in tail
//! position of a binding (`x = c { .. }`, also through `if`/`match`/parens);
//! every expression is one step, every value a name or field copies is charged
//! by its size, and every result is held to the size limits (`limits.rs`).

use std::sync::Arc;

use super::error::{EvalError, EvalResult};
use super::limits::{check_count, check_size, check_string_length};
use super::model::{display_text, DeployExpr, Value, ValueKind};
use super::names::InstanceName;
use super::scope::Ctx;
use super::Evaluator;
use crate::source::Span;
use crate::syntax::ast::{self, ExprKind, PatternKind, StringPart};
use crate::units::Quantity;

impl<'a> Evaluator<'a> {
    /// Evaluate an expression that is not the whole value of a binding.
    pub(crate) fn eval(&mut self, expr: &'a ast::Expr, ctx: &Ctx) -> EvalResult<Value> {
        self.eval_named(expr, ctx, None)
    }

    /// Evaluate an expression; `instance` is the logical id prefix a construct
    /// instance in tail position takes (`Django` for `django = ecs.service { .. }`).
    pub(crate) fn eval_named(
        &mut self,
        expr: &'a ast::Expr,
        ctx: &Ctx,
        instance: Option<InstanceName<'_>>,
    ) -> EvalResult<Value> {
        self.enter(expr.span)?;
        let result = self.eval_kind(expr, ctx, instance);
        self.leave();
        let value = result?;
        check_size(&value, expr.span)?;
        Ok(value)
    }

    fn eval_kind(
        &mut self,
        expr: &'a ast::Expr,
        ctx: &Ctx,
        instance: Option<InstanceName<'_>>,
    ) -> EvalResult<Value> {
        let span = expr.span;
        let kind = match &expr.kind {
            ExprKind::Bool(b) => ValueKind::Bool(*b),
            ExprKind::Int(n) => ValueKind::Int(*n),
            ExprKind::Decimal(n) => ValueKind::Number(*n),
            ExprKind::Quantity { amount, unit } => ValueKind::Quantity(Quantity::new(*amount, *unit)),
            ExprKind::None => ValueKind::Null,
            ExprKind::String(lit) => return self.eval_string(lit, ctx),
            ExprKind::Name(name) => {
                let value = self.eval_name(name, ctx)?;
                self.charge_copy(&value, span)?;
                return Ok(value);
            }
            ExprKind::Field { target, field } => {
                let value = self.eval_field(expr, target, field, ctx)?;
                self.charge_copy(&value, span)?;
                return Ok(value);
            }
            ExprKind::Call { callee, args } => return self.call(callee, args, ctx, span),
            ExprKind::Index { target, index } => return self.eval_index(target, index, ctx),
            ExprKind::Apply { target, body } => return self.apply(expr, target, body, ctx, instance),
            ExprKind::List(items) => ValueKind::List(Arc::new(self.eval_list(items, ctx)?)),
            ExprKind::Record(lit) => return self.eval_record(lit, ctx),
            ExprKind::Unary { op, operand } => {
                let value = self.eval(operand, ctx)?;
                return self.unary(*op, value, span);
            }
            ExprKind::Binary { op, left, right } => return self.binary(*op, left, right, ctx, span),
            ExprKind::If { condition, then, otherwise } => {
                let branch = if self.condition(condition, ctx)? { then } else { otherwise };
                return self.eval_named(branch, ctx, instance);
            }
            ExprKind::Match { scrutinee, arms } => {
                return self.eval_match(scrutinee, arms, ctx, instance, span)
            }
            ExprKind::Comprehension { element, var, iterable, filter } => ValueKind::List(Arc::new(
                self.comprehension(element, var, iterable, filter.as_deref(), ctx)?,
            )),
            ExprKind::Paren(inner) => return self.eval_named(inner, ctx, instance),
        };
        Ok(Value::new(kind, span))
    }

    /// `xs[i]`: the element, keeping where it was written.
    fn eval_index(&mut self, target: &'a ast::Expr, index: &'a ast::Expr, ctx: &Ctx) -> EvalResult<Value> {
        let list = self.eval(target, ctx)?;
        let position = self.eval(index, ctx)?;
        let (ValueKind::List(items), ValueKind::Int(i)) = (list.kind, &position.kind) else {
            return Err(EvalError::internal("only a list can be indexed, by an int", index.span));
        };
        let length = items.len();
        let found = usize::try_from(*i).ok().and_then(|i| items.get(i).cloned());
        found.ok_or(EvalError::IndexOutOfRange { index: *i, length, span: index.span, list: list.origin })
    }

    fn eval_list(&mut self, items: &'a [ast::Expr], ctx: &Ctx) -> EvalResult<Vec<Value>> {
        items.iter().map(|item| self.eval(item, ctx)).collect()
    }

    /// A record literal, fields in the order written.
    pub(crate) fn eval_record(&mut self, lit: &'a ast::RecordLit, ctx: &Ctx) -> EvalResult<Value> {
        if let Some(stage) = lit.stages.first() {
            return Err(EvalError::internal("`stage` belongs in a construct instance", stage.span));
        }
        let mut fields = Vec::with_capacity(lit.fields.len());
        for field in &lit.fields {
            let value = self.eval(&field.value, ctx)?;
            fields.push((self.field_name(&field.name.text), value));
        }
        Ok(Value::new(ValueKind::Record(fields.into()), lit.span))
    }

    /// A check-time bool: the condition of `if`, a comprehension filter, `when`, `require`.
    pub(crate) fn condition(&mut self, expr: &'a ast::Expr, ctx: &Ctx) -> EvalResult<bool> {
        let value = self.eval(expr, ctx)?;
        match value.kind {
            ValueKind::Bool(b) => Ok(b),
            ValueKind::Deploy(_) => Err(EvalError::DeployTimeBranch { span: expr.span }),
            other => {
                Err(EvalError::internal(format!("expected a bool, found a {}", other.describe()), expr.span))
            }
        }
    }

    /// `"a ${x} b"`: plain text, or a deploy-time join when a part is deploy-time.
    pub(crate) fn eval_string(&mut self, lit: &'a ast::StringLit, ctx: &Ctx) -> EvalResult<Value> {
        if let [StringPart::Text(text)] = lit.parts.as_slice() {
            check_string_length(text.len(), lit.span)?;
            return Ok(Value::string(self.shared_text(text), lit.span));
        }
        let mut parts: Vec<Value> = Vec::new();
        let mut text = String::new();
        for part in &lit.parts {
            match part {
                StringPart::Text(t) => text.push_str(t),
                StringPart::Interpolation(expr) => {
                    let value = self.eval(expr, ctx)?;
                    self.interpolate(value, expr.span, lit.span, &mut text, &mut parts)?;
                }
            }
            // Each part is within the limits; many of them together need not be.
            check_string_length(text.len(), lit.span)?;
            check_count("deploy-time string", parts.len(), lit.span)?;
        }
        if parts.is_empty() {
            return Ok(Value::string(text, lit.span));
        }
        if !text.is_empty() {
            parts.push(Value::string(text, lit.span));
        }
        Ok(Value::deploy(DeployExpr::Join(parts), lit.span))
    }

    /// Append one interpolated value: text joins `text`, deploy parts flush it into `parts`.
    fn interpolate(
        &mut self,
        value: Value,
        span: Span,
        lit_span: Span,
        text: &mut String,
        parts: &mut Vec<Value>,
    ) -> EvalResult<()> {
        let deploy_parts = match value.kind {
            ValueKind::Secret { .. } => return Err(EvalError::SecretInString { span }),
            ValueKind::Deploy(expr) => match Arc::try_unwrap(expr) {
                Ok(DeployExpr::Join(inner)) => inner,
                Ok(expr) => vec![Value::deploy(expr, value.origin)],
                Err(shared) => match &*shared {
                    DeployExpr::Join(inner) => inner.clone(),
                    _ => vec![Value::new(ValueKind::Deploy(shared), value.origin)],
                },
            },
            _ => match display_text(&value) {
                Some(shown) => {
                    text.push_str(&shown);
                    return Ok(());
                }
                None => {
                    let what = value.kind.describe();
                    return Err(EvalError::internal(
                        format!("a {what} cannot be interpolated into a string"),
                        span,
                    ));
                }
            },
        };
        for part in deploy_parts {
            match part.kind {
                ValueKind::String(s) => text.push_str(&s),
                _ => {
                    if !text.is_empty() {
                        parts.push(Value::string(std::mem::take(text), lit_span));
                    }
                    parts.push(part);
                }
            }
        }
        Ok(())
    }

    fn eval_match(
        &mut self,
        scrutinee: &'a ast::Expr,
        arms: &'a [ast::MatchArm],
        ctx: &Ctx,
        instance: Option<InstanceName<'_>>,
        span: Span,
    ) -> EvalResult<Value> {
        let value = self.eval(scrutinee, ctx)?;
        if matches!(value.kind, ValueKind::Deploy(_)) {
            return Err(EvalError::DeployTimeBranch { span: scrutinee.span });
        }
        for arm in arms {
            if let Some(bindings) = pattern_matches(&arm.pattern, &value) {
                let mut arm_ctx = ctx.clone();
                for (name, bound) in bindings {
                    arm_ctx = arm_ctx.with_local(self.shared_text(name), bound);
                }
                return self.eval_named(&arm.body, &arm_ctx, instance);
            }
        }
        let shown = display_text(&value).unwrap_or_else(|| value.kind.describe().to_string());
        Err(EvalError::internal(format!("no arm of this match covers `{shown}`"), span))
    }

    fn comprehension(
        &mut self,
        element: &'a ast::Expr,
        var: &'a ast::Name,
        iterable: &'a ast::Expr,
        filter: Option<&'a ast::Expr>,
        ctx: &Ctx,
    ) -> EvalResult<Vec<Value>> {
        let list = self.eval(iterable, ctx)?;
        let items = match list.kind {
            ValueKind::List(items) => Arc::unwrap_or_clone(items),
            ValueKind::Deploy(_) => return Err(EvalError::DeployTimeBranch { span: iterable.span }),
            other => {
                return Err(EvalError::internal(
                    format!("cannot iterate over a {}", other.describe()),
                    iterable.span,
                ))
            }
        };
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            let inner = ctx.with_local(self.shared_text(&var.text), item);
            if let Some(filter) = filter {
                if !self.condition(filter, &inner)? {
                    continue;
                }
            }
            out.push(self.eval(element, &inner)?);
        }
        Ok(out)
    }
}

/// The bindings a pattern makes when it matches `value`, `None` when it does not match.
fn pattern_matches<'p>(pattern: &'p ast::Pattern, value: &Value) -> Option<Vec<(&'p str, Value)>> {
    let matched = match (&pattern.kind, &value.kind) {
        (PatternKind::Wildcard, _) => true,
        (PatternKind::Bool(p), ValueKind::Bool(v)) => p == v,
        (PatternKind::Int(p), ValueKind::Int(v)) => p == v,
        (PatternKind::Int(p), ValueKind::Number(v)) => (*p as f64) == *v,
        (PatternKind::String(p), ValueKind::String(v)) => **p == **v,
        (PatternKind::Quantity { amount, unit }, ValueKind::Quantity(q)) => {
            let p = Quantity::new(*amount, *unit);
            p.dimension == q.dimension && p.base == q.base
        }
        (PatternKind::Variant { path, bindings }, ValueKind::Variant(variant)) => {
            let last = path.last()?;
            if *last.text != *variant.variant {
                return None;
            }
            let bound = bindings
                .iter()
                .filter_map(|b| {
                    let found = variant.fields.iter().find(|(k, _)| **k == *b.text)?;
                    Some((b.text.as_str(), found.1.clone()))
                })
                .collect();
            return Some(bound);
        }
        // `match flag { true => .., false => .. }` written with bare names.
        (PatternKind::Variant { path, bindings }, ValueKind::Bool(v))
            if bindings.is_empty() && path.len() == 1 =>
        {
            path[0].text == if *v { "true" } else { "false" }
        }
        _ => false,
    };
    matched.then(Vec::new)
}
