//! `if`, comprehensions and indexing: check-time conditions and branch types.
//!
//! Input: the condition, branches or list and the expected type, if any.
//! Output: the expression's type. Invariants: conditions, filters and iterated
//! lists must be known at check time (E0303 otherwise); the comprehension
//! variable is visible only in its element and filter; `xs[i]` indexes a
//! check-time list (its elements may be deploy-time) with a check-time `int`,
//! the bounds checked per environment by the evaluator (E0420).

use crate::check::error::CheckError;
use crate::check::table::Def;
use crate::check::types::{self, Type};
use crate::check::Checker;
use crate::syntax::ast::{Expr, Name};

impl<'w> Checker<'w> {
    /// `if c { a } else { b }`.
    pub fn if_expr(
        &mut self,
        condition: &'w Expr,
        then: &'w Expr,
        otherwise: &'w Expr,
        hint: Option<&Type>,
    ) -> Type {
        let guard = self.guard(condition, "an `if` condition");
        let a = self.assuming(&guard.holds, |checker| checker.expr(then, hint));
        let b = self.assuming(&guard.fails(), |checker| checker.expr(otherwise, hint.or(Some(&a))));
        self.join_branches(&a, &b, otherwise, "`if` branches")
    }

    /// The common type of two branches, or E0301 on the later one.
    pub fn join_branches(&mut self, a: &Type, b: &Type, later: &Expr, what: &str) -> Type {
        match types::join(a, b) {
            Some(joined) => joined,
            None => {
                let (first, this) = (self.show(a), self.show(b));
                self.report(CheckError::Type {
                    message: format!("{what} have different types: `{first}` and `{this}`"),
                    label: format!("this is `{this}`"),
                    span: later.span,
                    help: Some(format!("make every branch a `{first}`")),
                });
                Type::Unknown
            }
        }
    }

    /// `[element for var in iterable if filter]`.
    pub fn comprehension(
        &mut self,
        element: &'w Expr,
        var: &'w Name,
        iterable: &'w Expr,
        filter: Option<&'w Expr>,
        hint: Option<&Type>,
    ) -> Type {
        let item = self.iterated(iterable);
        let def = Def::Local { declared: var.span };
        let item = self.resolved(var, def, item);
        self.ctx.locals.push((var.text.clone(), item, def));
        let holds = self.holds_where(filter, "a comprehension filter");
        let element_hint = match hint.map(Type::unwrapped) {
            Some(Type::List(inner)) => Some(inner.as_ref().clone()),
            _ => None,
        };
        let ty = self.assuming(&holds, |checker| checker.expr(element, element_hint.as_ref()));
        self.ctx.locals.pop();
        Type::List(Box::new(ty))
    }

    /// The element type of the list a comprehension iterates over.
    fn iterated(&mut self, iterable: &'w Expr) -> Type {
        match self.infer(iterable) {
            Type::List(item) => *item,
            Type::Unknown | Type::Json => Type::Unknown,
            Type::Deploy(_) | Type::Attribute => {
                let what = "iterating over a deploy-time list";
                self.report(CheckError::DeployBranch { what, span: iterable.span });
                Type::Unknown
            }
            other => {
                let found = self.show(&other);
                self.report(CheckError::Type {
                    message: format!("a comprehension iterates over a list, found `{found}`"),
                    label: format!("this is `{found}`"),
                    span: iterable.span,
                    help: matches!(other, Type::Map(_) | Type::Record(_)).then(|| {
                        "iterate over its entries: `entries(x)`, or its keys: `keys(x)`".to_string()
                    }),
                });
                Type::Unknown
            }
        }
    }

    /// `list[index]`: the element type.
    pub fn index(&mut self, target: &'w Expr, index: &'w Expr) -> Type {
        self.check_expr(index, &Type::Int, None);
        match self.infer(target) {
            Type::List(item) => *item,
            Type::Unknown => Type::Unknown,
            Type::Json => Type::Json,
            Type::Deploy(_) | Type::Attribute => {
                let what = "indexing a deploy-time list";
                self.report(CheckError::DeployBranch { what, span: target.span });
                Type::Unknown
            }
            other => {
                let found = self.show(&other);
                self.report(CheckError::Type {
                    message: format!("only a list can be indexed, found `{found}`"),
                    label: format!("this is `{found}`"),
                    span: target.span,
                    help: matches!(other, Type::Map(_) | Type::Record(_))
                        .then(|| "read a field by name: `x.field`".to_string()),
                });
                Type::Unknown
            }
        }
    }
}
