//! Narrowing: a reference to a member switched off by `when COND` is
//! optional (`T?`), except where `COND` is known to hold, where it is `T`.
//!
//! Input: check-time conditions as the checker typed them (their names
//! already resolved in the table) and the guards that hold inside a body:
//! the `then` branch of an `if` (its `else` branch holds the negation), a
//! member's or a stage's own `when`, a comprehension's filter, the left side
//! of `&&` (of `||`, its negation). Output: [`Fact`]s, kept in the context
//! while the guarded expression is typed, and the narrowed type of a
//! reference to a switched member. Invariants: facts compare by meaning (each
//! name as what it refers to, so `env.approval` is one fact however it is
//! reached), a condition with anything else than names, fields, literals and
//! operators gives no fact (never narrowed, never wrong); a member narrows
//! only when every `&&`-conjunct of its `when` is held, and only the
//! optionality its `when` added is removed. The evaluator takes a branch, a
//! stage, a member or a filtered element only where its condition holds, and
//! evaluates the right side of `&&`/`||` only when the left one decides
//! nothing, so a narrowed reference is never read where it is `none`.

use std::collections::HashMap;

use crate::check::scope::DeclRef;
use crate::check::table::Def;
use crate::check::types::Type;
use crate::check::Checker;
use crate::syntax::ast::{BinaryOp, Expr, ExprKind, UnaryOp};
use crate::units::Unit;

/// A check-time condition, compared by meaning.
#[derive(Debug, Clone, PartialEq)]
pub enum Fact {
    /// A plain name, as what it refers to.
    Name(Def),
    /// `target.field`, the field as what it refers to.
    Field(Box<Fact>, Def),
    Bool(bool),
    Int(i64),
    /// A number or a quantity, by its bits and its unit as written.
    Number(u64, Option<Unit>),
    Text(String),
    /// `!x`.
    Not(Box<Fact>),
    Binary(BinaryOp, Box<Fact>, Box<Fact>),
}

impl Fact {
    /// The fact `expr` states, its names read from `defs` (start offset →
    /// what the name there refers to); `None` for anything not compared.
    pub fn of(expr: &Expr, defs: &HashMap<u32, Def>) -> Option<Fact> {
        Some(match &expr.kind {
            ExprKind::Bool(value) => Fact::Bool(*value),
            ExprKind::Int(value) => Fact::Int(*value),
            ExprKind::Decimal(value) => Fact::Number(value.to_bits(), None),
            ExprKind::Quantity { amount, unit } => Fact::Number(amount.to_bits(), Some(*unit)),
            ExprKind::String(lit) => Fact::Text(lit.as_plain()?),
            ExprKind::Name(name) => Fact::Name(*defs.get(&name.span.start)?),
            ExprKind::Field { target, field } => {
                Fact::Field(Box::new(Fact::of(target, defs)?), *defs.get(&field.span.start)?)
            }
            ExprKind::Paren(inner) => Fact::of(inner, defs)?,
            ExprKind::Unary { op: UnaryOp::Not, operand } => Fact::of(operand, defs)?.negated(),
            ExprKind::Binary { op, left, right } => {
                Fact::Binary(*op, Box::new(Fact::of(left, defs)?), Box::new(Fact::of(right, defs)?))
            }
            _ => return None,
        })
    }

    /// The fact that holds where this one does not: `!!x` is `x`, `!(a == b)`
    /// is `a != b`, `!(a || b)` is `!a && !b` (so its conjuncts are held).
    pub fn negated(self) -> Fact {
        match self {
            Fact::Not(inner) => *inner,
            Fact::Bool(value) => Fact::Bool(!value),
            Fact::Binary(BinaryOp::Eq, l, r) => Fact::Binary(BinaryOp::Ne, l, r),
            Fact::Binary(BinaryOp::Ne, l, r) => Fact::Binary(BinaryOp::Eq, l, r),
            Fact::Binary(BinaryOp::Or, l, r) => {
                Fact::Binary(BinaryOp::And, Box::new(l.negated()), Box::new(r.negated()))
            }
            other => Fact::Not(Box::new(other)),
        }
    }

    /// The facts that hold where this one does: `a && b` holds `a` and `b`.
    pub fn conjuncts(self) -> Vec<Fact> {
        match self {
            Fact::Binary(BinaryOp::And, l, r) => {
                let mut all = l.conjuncts();
                all.extend(r.conjuncts());
                all
            }
            other => vec![other],
        }
    }
}

/// What a guard tells about the code it guards.
#[derive(Debug, Default)]
pub struct Guard {
    /// The whole condition, when every part of it is compared.
    pub whole: Option<Fact>,
    /// What holds where it is true: each conjunct that is compared (one that
    /// is not, `env.size > min_size(..)`, is left out, the others still hold).
    pub holds: Vec<Fact>,
}

impl Guard {
    /// What holds where the condition is false.
    pub fn fails(&self) -> Vec<Fact> {
        self.whole.clone().map(|whole| whole.negated().conjuncts()).unwrap_or_default()
    }
}

/// The conjuncts of `expr` that are compared.
fn held(expr: &Expr, defs: &HashMap<u32, Def>) -> Vec<Fact> {
    match &expr.kind {
        ExprKind::Binary { op: BinaryOp::And, left, right } => {
            let mut all = held(left, defs);
            all.extend(held(right, defs));
            all
        }
        ExprKind::Paren(inner) => held(inner, defs),
        _ => Fact::of(expr, defs).map(Fact::conjuncts).unwrap_or_default(),
    }
}

impl<'w> Checker<'w> {
    /// Type `expr` with `type_it`, and read back what it guards.
    pub fn stating(&mut self, expr: &'w Expr, type_it: impl FnOnce(&mut Self)) -> Guard {
        let mark = self.table.mark(expr.span.file);
        type_it(self);
        let defs = self.table.defs_since(expr.span.file, mark);
        Guard { whole: Fact::of(expr, &defs), holds: held(expr, &defs) }
    }

    /// Check a condition (see [`Checker::condition`]) and read back what it guards.
    pub fn guard(&mut self, expr: &'w Expr, what: &'static str) -> Guard {
        self.stating(expr, |checker| checker.condition(expr, what))
    }

    /// Check an optional condition; what holds where it is true.
    pub fn holds_where(&mut self, condition: Option<&'w Expr>, what: &'static str) -> Vec<Fact> {
        condition.map(|condition| self.guard(condition, what).holds).unwrap_or_default()
    }

    /// Run `f` where each of `facts` is known to hold.
    pub fn assuming<T>(&mut self, facts: &[Fact], f: impl FnOnce(&mut Self) -> T) -> T {
        let before = self.ctx.facts.len();
        self.ctx.facts.extend_from_slice(facts);
        let result = f(self);
        self.ctx.facts.truncate(before);
        result
    }

    /// Remember that member `index` of `body` is optional only because of
    /// its `when`: narrowed where every conjunct of it holds (never, when a
    /// part of it is not compared).
    pub fn switched_by(&mut self, body: DeclRef, index: usize, when: &Guard) {
        if let Some(whole) = &when.whole {
            self.when_facts.insert((body, index), whole.clone().conjuncts());
        }
    }

    /// The type of a reference to member `index` of `body` (typed `ty`):
    /// `T` rather than `T?` where every conjunct of its `when` holds.
    pub fn narrowed(&self, body: DeclRef, index: usize, ty: Type) -> Type {
        let Type::Optional(inner) = ty else { return ty };
        let holds = |when: &Vec<Fact>| when.iter().all(|fact| self.ctx.facts.contains(fact));
        match self.when_facts.get(&(body, index)) {
            Some(when) if holds(when) => *inner,
            _ => Type::Optional(inner),
        }
    }
}
