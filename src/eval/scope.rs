//! Evaluation contexts: where a name is looked up while evaluating.
//!
//! Input: the body being evaluated (a layer or a construct instance) and local
//! names (match bindings, comprehension variables, record fields in a type's
//! `where`). Output: values of names, which the checker's resolution table
//! says are locals or members. Invariants: a body has one slot per member of
//! its declaration, by member index, and each is evaluated at most once, on
//! first use (so bindings may be used before their textual position); a member
//! that needs itself is a cycle error, never a loop; bodies nest, and a
//! finished one is dropped (nothing evaluates in it again); locals are a shared
//! linked list, so entering a scope never copies an environment.

use std::rc::Rc;

use super::error::{EvalError, EvalResult};
use super::model::{Text, Value, ValueKind};
use super::names::InstanceName;
use super::Evaluator;
use crate::check::DeclRef;
use crate::source::Span;
use crate::syntax::ast;
use crate::workspace::ModuleId;

/// Index of a body in [`Evaluator::bodies`].
pub(crate) type BodyId = usize;

/// Local names, innermost first.
pub(crate) type Locals = Option<Rc<Local>>;

/// One local name.
pub(crate) struct Local {
    pub(crate) name: Text,
    pub(crate) value: Value,
    pub(crate) next: Locals,
}

/// Where an expression is evaluated.
#[derive(Clone)]
pub(crate) struct Ctx {
    /// The module whose scope resolves top-level names.
    pub(crate) module: ModuleId,
    /// The layer or instance whose members are visible, if any.
    pub(crate) body: Option<BodyId>,
    pub(crate) locals: Locals,
}

impl Ctx {
    /// Only the module scope (and `aws`): settings, defaults, ranges.
    pub(crate) fn module(module: ModuleId) -> Ctx {
        Ctx { module, body: None, locals: None }
    }

    /// The members of `body` and the module scope.
    pub(crate) fn body(module: ModuleId, body: BodyId) -> Ctx {
        Ctx { module, body: Some(body), locals: None }
    }

    /// This context with one more local name.
    pub(crate) fn with_local(&self, name: Text, value: Value) -> Ctx {
        let local = Local { name, value, next: self.locals.clone() };
        Ctx { module: self.module, body: self.body, locals: Some(Rc::new(local)) }
    }

    /// The innermost local called `name`.
    pub(crate) fn local(&self, name: &str) -> Option<&Value> {
        let mut next = self.locals.as_deref();
        while let Some(local) = next {
            if *local.name == *name {
                return Some(&local.value);
            }
            next = local.next.as_deref();
        }
        None
    }
}

/// A layer or a construct instance: members evaluated on demand.
pub(crate) struct Body<'a> {
    pub(crate) kind: BodyKind,
    pub(crate) module: ModuleId,
    /// Logical id prefix: "" for a layer, `Django` for the instance bound to `django`.
    pub(crate) prefix: Text,
    /// By member index of the declaration; `None` for a `require` (it has no value).
    pub(crate) slots: Vec<Option<Slot<'a>>>,
}

/// What a body is.
#[derive(Debug, Clone, Copy)]
pub(crate) enum BodyKind {
    Layer(DeclRef),
    /// An instance of the construct.
    Instance(DeclRef),
}

impl BodyKind {
    /// The layer or construct whose members the body holds.
    pub(crate) fn decl(self) -> DeclRef {
        match self {
            BodyKind::Layer(decl) | BodyKind::Instance(decl) => decl,
        }
    }
}

/// A named member of a body.
pub(crate) struct Slot<'a> {
    pub(crate) name: &'a ast::Name,
    pub(crate) source: SlotSource<'a>,
    pub(crate) state: SlotState,
}

/// How a member's value is computed.
#[derive(Clone, Copy)]
pub(crate) enum SlotSource<'a> {
    /// A binding, service, pipeline, publish or output.
    Expr(&'a ast::Expr),
    /// `value when condition`: `none` where the condition is false, and
    /// then nothing of the value (an instance's resources) is evaluated.
    When(&'a ast::Expr, &'a ast::Expr),
    /// A construct param that was not given: its default, conformed to its type.
    Default(&'a ast::FieldDecl),
    /// Known when the body was created (a given param, a resource, a secret).
    Fixed,
}

/// How a binding member is computed: its value, or its value `when` a condition holds.
pub(crate) fn binding_source<'a>(member: &'a ast::Member, value: &'a ast::Expr) -> SlotSource<'a> {
    match &member.when {
        Some(condition) => SlotSource::When(condition, value),
        None => SlotSource::Expr(value),
    }
}

/// Where a member is in its evaluation.
pub(crate) enum SlotState {
    Pending,
    /// Being evaluated: a use now is a cycle.
    Active,
    Done(Value),
    /// Failed and reported.
    Failed,
}

impl<'a> Body<'a> {
    /// A body for a declaration of `members` members, none of them set yet.
    pub(crate) fn new(kind: BodyKind, module: ModuleId, prefix: Text, members: usize) -> Self {
        Body { kind, module, prefix, slots: (0..members).map(|_| None).collect() }
    }

    /// Set member `index`.
    pub(crate) fn set(
        &mut self,
        index: usize,
        name: &'a ast::Name,
        source: SlotSource<'a>,
        state: SlotState,
    ) {
        if let Some(slot) = self.slots.get_mut(index) {
            *slot = Some(Slot { name, source, state });
        }
    }
}

impl<'a> Evaluator<'a> {
    /// Add a body and return its id.
    pub(crate) fn push_body(&mut self, body: Body<'a>) -> BodyId {
        self.bodies.push(body);
        self.bodies.len() - 1
    }

    /// Drop a finished body, and any pushed after it: bodies nest (an
    /// instance's are finished before it is), so they are a stack.
    pub(crate) fn pop_body(&mut self, body: BodyId) {
        self.bodies.truncate(body);
    }

    /// Evaluate a member once; later uses get the stored value.
    pub(crate) fn force(&mut self, body: BodyId, slot: usize) -> EvalResult<Value> {
        let (name, source) = {
            let Some(entry) = self.bodies.get(body).and_then(|b| b.slots.get(slot)).and_then(Option::as_ref)
            else {
                return Err(EvalError::internal("a member vanished", Span::default()));
            };
            match &entry.state {
                SlotState::Done(value) => return Ok(value.clone()),
                SlotState::Failed => return Err(EvalError::Reported),
                SlotState::Active => {
                    return Err(EvalError::BindingCycle {
                        name: entry.name.text.clone(),
                        span: entry.name.span,
                    })
                }
                SlotState::Pending => (entry.name, entry.source),
            }
        };
        self.set_state(body, slot, SlotState::Active);
        let result = self.compute(body, name, source);
        match result {
            Ok(value) => {
                self.set_state(body, slot, SlotState::Done(value.clone()));
                Ok(value)
            }
            Err(error) => {
                self.report(error);
                self.set_state(body, slot, SlotState::Failed);
                Err(EvalError::Reported)
            }
        }
    }

    fn set_state(&mut self, body: BodyId, slot: usize, state: SlotState) {
        if let Some(Some(entry)) = self.bodies.get_mut(body).and_then(|b| b.slots.get_mut(slot)) {
            entry.state = state;
        }
    }

    fn compute(&mut self, body: BodyId, name: &'a ast::Name, source: SlotSource<'a>) -> EvalResult<Value> {
        let (module, prefix) = match self.bodies.get(body) {
            Some(b) => (b.module, b.prefix.clone()),
            None => return Err(EvalError::internal("a body vanished", name.span)),
        };
        let ctx = Ctx::body(module, body);
        let instance = InstanceName::Member { prefix: &prefix, name: &name.text };
        self.enter(name.span)?;
        let result = match source {
            SlotSource::Expr(expr) => self.eval_named(expr, &ctx, Some(instance)),
            SlotSource::When(condition, expr) => match self.condition(condition, &ctx) {
                Ok(true) => self.eval_named(expr, &ctx, Some(instance)),
                Ok(false) => Ok(Value::new(ValueKind::Null, condition.span)),
                Err(error) => Err(error),
            },
            SlotSource::Default(decl) => self.default_param(decl, &ctx),
            SlotSource::Fixed => Err(EvalError::internal(format!("`{}` has no value", name.text), name.span)),
        };
        self.leave();
        result
    }

    /// Evaluate every member of a body that has not been used yet, in order.
    pub(crate) fn force_all(&mut self, body: BodyId) {
        let count = self.bodies.get(body).map_or(0, |b| b.slots.len());
        for slot in 0..count {
            if self.bodies.get(body).and_then(|b| b.slots.get(slot)).is_some_and(Option::is_some) {
                // Failures are reported by `force`; the other members still get evaluated.
                let _ = self.force(body, slot);
            }
        }
    }

    fn default_param(&mut self, decl: &'a ast::FieldDecl, ctx: &Ctx) -> EvalResult<Value> {
        let Some(default) = &decl.default else {
            return Err(EvalError::internal(
                format!("required param `{}` was not given", decl.name.text),
                decl.span,
            ));
        };
        let value = self.eval(default, ctx)?;
        let value = self.conform(value, &decl.ty, ctx.module)?;
        self.check_range(&decl.name.text, &value, decl.range.as_ref(), ctx.module, None);
        Ok(value)
    }
}
