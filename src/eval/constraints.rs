//! Constraints: declared types give values their defaults, ranges and `require`s.
//!
//! Input: a value flowing into a typed place (a construct param, a record type,
//! a variant's fields, an environment's settings) and the declaration. Output:
//! the value with defaults filled in; E0401 for a broken range and E0402 (or
//! the require's own code) for a broken `require`, reported without stopping
//! evaluation so every independent problem is found. Invariant: the primary
//! label is the user's line: where the value was written, or, when that is in
//! the stdlib, the innermost instantiation written in a spec file.

use std::cmp::Ordering;
use std::sync::Arc;

use super::error::{EvalError, EvalResult, RangeFailure, RequireFailure};
use super::model::{display_text, FieldName, Value, ValueKind};
use super::names::item_of;
use super::ops::compare;
use super::scope::{Ctx, SlotSource};
use super::Evaluator;
use crate::check::{DeclRef, Def};
use crate::diag::Code;
use crate::source::Span;
use crate::syntax::ast::{self, ExprKind, ItemKind, TypeExprKind};
use crate::workspace::ModuleId;

/// At most this many names are followed behind a failed require's condition.
const MAX_NAMES_BEHIND: usize = 32;

/// At most this many "`x` is .." labels on a failed require.
const MAX_VALUE_LABELS: usize = 4;

impl<'a> Evaluator<'a> {
    /// `value` as a value of type `ty` (declared in `module`): defaults filled, ranges and requires checked.
    pub(crate) fn conform(
        &mut self,
        value: Value,
        ty: &'a ast::TypeExpr,
        module: ModuleId,
    ) -> EvalResult<Value> {
        self.enter(ty.span)?;
        let result = self.conform_inner(value, ty, module);
        self.leave();
        result
    }

    fn conform_inner(&mut self, value: Value, ty: &'a ast::TypeExpr, module: ModuleId) -> EvalResult<Value> {
        let origin = value.origin;
        match (&ty.kind, value.kind) {
            (TypeExprKind::Optional(_), ValueKind::Null) => Ok(Value::new(ValueKind::Null, origin)),
            (TypeExprKind::Optional(inner) | TypeExprKind::Deploy(inner), kind) => {
                if matches!(kind, ValueKind::Deploy(_)) {
                    return Ok(Value::new(kind, origin));
                }
                self.conform(Value::new(kind, origin), inner, module)
            }
            (TypeExprKind::List(inner), ValueKind::List(items)) => {
                let items = Arc::unwrap_or_clone(items)
                    .into_iter()
                    .map(|v| self.conform(v, inner, module))
                    .collect::<EvalResult<_>>()?;
                Ok(Value::new(ValueKind::List(Arc::new(items)), origin))
            }
            (TypeExprKind::Map(inner), ValueKind::Record(fields)) => {
                let mut out = Vec::with_capacity(fields.len());
                for (key, v) in fields.iter().cloned() {
                    out.push((key, self.conform(v, inner, module)?));
                }
                Ok(Value::new(ValueKind::Record(out.into()), origin))
            }
            (TypeExprKind::Record(decls), kind @ ValueKind::Record(_)) => {
                let fields = self.conform_fields(Value::new(kind, origin), decls, module, origin)?;
                Ok(Value::new(ValueKind::Record(fields.into()), origin))
            }
            (TypeExprKind::Named(path), kind) => {
                let value = Value::new(kind, origin);
                match self.type_decl(path) {
                    Some(decl) => self.conform_to_decl(value, decl),
                    None => Ok(value),
                }
            }
            (_, kind) => Ok(Value::new(kind, origin)),
        }
    }

    /// The `type` declaration a type path names (as the checker resolved it), if it names one.
    fn type_decl(&self, path: &[ast::Name]) -> Option<DeclRef> {
        match self.checked.def_at(path.last()?.span)? {
            Def::Decl(decl) => matches!(item_of(self, decl)?.kind, ItemKind::Type(_)).then_some(decl),
            _ => None,
        }
    }

    /// `value` conformed to the type alias `decl`, then its `where { require .. }` checked
    /// with the record's fields visible by name.
    pub(crate) fn conform_to_decl(&mut self, value: Value, decl: DeclRef) -> EvalResult<Value> {
        let Some(ItemKind::Type(type_decl)) = item_of(self, decl).map(|i| &i.kind) else {
            return Ok(value);
        };
        let value = self.conform(value, &type_decl.ty, decl.module)?;
        if type_decl.requires.is_empty() {
            return Ok(value);
        }
        let mut ctx = Ctx::module(decl.module);
        if let ValueKind::Record(fields) = &value.kind {
            for (name, field) in fields.iter() {
                ctx = ctx.with_local(name.clone(), field.clone());
            }
        }
        let site = if self.in_stdlib(value.origin) {
            self.user_site().unwrap_or(value.origin)
        } else {
            value.origin
        };
        for require in &type_decl.requires {
            self.check_require(require, &ctx, site);
        }
        Ok(value)
    }

    /// The fields of a record given for `decls`: each conformed and range-checked,
    /// missing ones defaulted (evaluated in `module`), in the order written, defaults after.
    pub(crate) fn conform_fields(
        &mut self,
        given: Value,
        decls: &'a [ast::FieldDecl],
        module: ModuleId,
        span: Span,
    ) -> EvalResult<Vec<(FieldName, Value)>> {
        let ValueKind::Record(fields) = given.kind else {
            return Err(EvalError::internal(
                format!("expected a record, found a {}", given.kind.describe()),
                span,
            ));
        };
        let mut out = Vec::with_capacity(decls.len().max(fields.len()));
        for (name, value) in fields.iter().cloned() {
            let value = match decls.iter().find(|d| *d.name.text == *name) {
                Some(decl) => {
                    let value = self.conform(value, &decl.ty, module)?;
                    self.check_range(&name, &value, decl.range.as_ref(), module, None);
                    value
                }
                None => value,
            };
            out.push((name, value));
        }
        for decl in decls {
            if out.iter().any(|(name, _)| **name == *decl.name.text) {
                continue;
            }
            let value = self.default_field(decl, module, span)?;
            out.push((self.field_name(&decl.name.text), value));
        }
        Ok(out)
    }

    pub(crate) fn default_field(
        &mut self,
        decl: &'a ast::FieldDecl,
        module: ModuleId,
        span: Span,
    ) -> EvalResult<Value> {
        let Some(default) = &decl.default else {
            if matches!(decl.ty.kind, TypeExprKind::Optional(_)) {
                return Ok(Value::new(ValueKind::Null, span));
            }
            return Err(EvalError::internal(format!("missing field `{}`", decl.name.text), span));
        };
        let value = self.eval(default, &Ctx::module(module))?;
        let value = self.conform(value, &decl.ty, module)?;
        self.check_range(&decl.name.text, &value, decl.range.as_ref(), module, None);
        Ok(value)
    }

    /// Report E0401 when `value` is outside `range` (bounds evaluated in `module`).
    pub(crate) fn check_range(
        &mut self,
        field: &str,
        value: &Value,
        range: Option<&'a ast::Range>,
        module: ModuleId,
        passed_at: Option<Span>,
    ) {
        let Some(range) = range else { return };
        if matches!(value.kind, ValueKind::Null | ValueKind::Deploy(_)) {
            return;
        }
        let ctx = Ctx::module(module);
        let Ok(low) = range.low.as_ref().map(|e| self.eval(e, &ctx)).transpose() else { return };
        let Ok(high) = range.high.as_ref().map(|e| self.eval(e, &ctx)).transpose() else { return };
        let below = low.as_ref().is_some_and(|l| compare(value, l) == Some(Ordering::Less));
        let above = high.as_ref().is_some_and(|h| compare(value, h) == Some(Ordering::Greater));
        if !below && !above {
            return;
        }
        let shown = |v: &Value| display_text(v).unwrap_or_else(|| v.kind.describe().to_string());
        let (value_span, written_at) = self.primary_for(value.origin);
        let failure = RangeFailure {
            field: field.to_string(),
            value: shown(value),
            low: low.as_ref().map(shown),
            high: high.as_ref().map(shown),
            value_span,
            range_span: range.span,
            passed_at,
            written_at,
        };
        self.range_failures += 1;
        self.report(EvalError::OutOfRange(Box::new(failure)));
    }

    /// Where to point for a value written at `origin`: there, unless that is in
    /// the stdlib; then at the user's instantiation, with the origin as a second label.
    fn primary_for(&self, origin: Span) -> (Span, Option<Span>) {
        if !self.in_stdlib(origin) {
            return (origin, None);
        }
        match self.user_site() {
            Some(site) => (site, Some(origin)),
            None => (origin, None),
        }
    }

    /// Report the require's code when its condition is false.
    pub(crate) fn check_require(&mut self, require: &'a ast::Require, ctx: &Ctx, site: Span) {
        if self.quiet_requires > 0 {
            return;
        }
        match self.condition(&require.condition, ctx) {
            Ok(true) => return,
            Ok(false) => {}
            Err(error) => return self.report(error),
        }
        let message = match self.eval_string(&require.message, ctx) {
            Ok(value) => display_text(&value).unwrap_or_else(|| "requirement not met".to_string()),
            Err(_) => require.message.as_plain().unwrap_or_else(|| "requirement not met".to_string()),
        };
        let code = require
            .code
            .as_ref()
            .and_then(|c| Code::from_str_code(&c.text))
            .unwrap_or(Code::RequirementFailed);
        let values = self.require_values(&require.condition, ctx);
        let failure = RequireFailure { code, message, site, require_span: require.span, values };
        self.report(EvalError::RequirementFailed(Box::new(failure)));
    }

    /// "`cpu` is 4 vcpu" labels for the names a condition reads, where their values were written.
    fn require_values(&mut self, condition: &'a ast::Expr, ctx: &Ctx) -> Vec<(String, Span)> {
        let names = self.names_behind(condition, ctx);
        let mut labels: Vec<(String, Span)> = Vec::new();
        for name in names {
            if labels.len() >= MAX_VALUE_LABELS {
                break;
            }
            let value = match self.checked.def_at(name.span) {
                Some(Def::Local { .. } | Def::Field { .. }) => ctx.local(&name.text).cloned(),
                Some(Def::Member { index, .. }) => ctx.body.and_then(|b| self.force(b, index as usize).ok()),
                _ => None,
            };
            let Some(value) = value else { continue };
            let Some(shown) = display_text(&value) else { continue };
            if self.in_stdlib(value.origin) || labels.iter().any(|(_, s)| *s == value.origin) {
                continue;
            }
            labels.push((format!("`{}` is {shown}", name.text), value.origin));
        }
        labels
    }
}

impl<'a> Evaluator<'a> {
    /// The names a condition reads, and the names the bindings it reads read
    /// (`fargate_memory != ""` reads `cpu` through `fargate_memory`).
    fn names_behind(&self, condition: &'a ast::Expr, ctx: &Ctx) -> Vec<&'a ast::Name> {
        let mut names = Vec::new();
        collect_names(condition, &mut names);
        let mut next = 0;
        while next < names.len() && names.len() < MAX_NAMES_BEHIND {
            let name = names[next];
            next += 1;
            let Some(Def::Member { index, .. }) = self.checked.def_at(name.span) else { continue };
            let body = ctx.body.and_then(|b| self.bodies.get(b));
            let slot = body.and_then(|b| b.slots.get(index as usize)?.as_ref());
            if let Some(SlotSource::Expr(expr)) = slot.map(|s| s.source) {
                collect_names(expr, &mut names);
            }
        }
        names
    }
}

/// The plain names an expression reads, first use first.
fn collect_names<'e>(expr: &'e ast::Expr, out: &mut Vec<&'e ast::Name>) {
    match &expr.kind {
        ExprKind::Name(name) if !out.iter().any(|n| n.text == name.text) => out.push(name),
        ExprKind::Field { target, .. } => collect_names(target, out),
        ExprKind::Call { args, .. } => args.iter().for_each(|a| collect_names(a, out)),
        ExprKind::List(items) => items.iter().for_each(|a| collect_names(a, out)),
        ExprKind::Unary { operand, .. } | ExprKind::Paren(operand) => collect_names(operand, out),
        ExprKind::Binary { left, right, .. } | ExprKind::Index { target: left, index: right } => {
            collect_names(left, out);
            collect_names(right, out);
        }
        ExprKind::If { condition, then, otherwise } => {
            collect_names(condition, out);
            collect_names(then, out);
            collect_names(otherwise, out);
        }
        ExprKind::Match { scrutinee, arms } => {
            collect_names(scrutinee, out);
            arms.iter().for_each(|arm| collect_names(&arm.body, out));
        }
        _ => {}
    }
}
