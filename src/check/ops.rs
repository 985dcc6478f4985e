//! Operators: `! -`, arithmetic, comparison, equality and boolean logic, with
//! units of measure.
//!
//! Input: operand expressions. Output: the result type. Invariants: `+ -` and
//! ordering need one dimension (E0302); a quantity scales by a plain number;
//! `+` also joins two strings or two lists of one type;
//! `==`/`!=` on deploy-time values give `deploy<bool>`, while arithmetic and
//! ordering on them are type errors (only CloudFormation knows the values).

use crate::check::error::CheckError;
use crate::check::types::{self, Type};
use crate::check::Checker;
use crate::source::Span;
use crate::syntax::ast::{BinaryOp, Expr, UnaryOp};

impl<'w> Checker<'w> {
    /// `!x`, `-x`.
    pub fn unary(&mut self, op: UnaryOp, operand: &'w Expr, span: Span) -> Type {
        let ty = self.infer(operand);
        match (op, &ty) {
            (_, Type::Unknown) => Type::Unknown,
            (UnaryOp::Not, Type::Bool) => Type::Bool,
            (UnaryOp::Not, Type::Deploy(inner)) if **inner == Type::Bool => ty,
            (UnaryOp::Negate, Type::Int | Type::Number | Type::Quantity(_)) => ty,
            _ => {
                let (symbol, wants) = match op {
                    UnaryOp::Not => ("!", "a `bool`"),
                    UnaryOp::Negate => ("-", "a number or a quantity"),
                };
                self.operator_error(
                    format!("`{symbol}` needs {wants}, found `{}`", self.show(&ty)),
                    span,
                    &ty,
                );
                Type::Unknown
            }
        }
    }

    /// `left op right`.
    pub fn binary(&mut self, op: BinaryOp, left: &'w Expr, right: &'w Expr, span: Span) -> Type {
        let (l, r) = self.operands(op, left, right);
        if l == Type::Unknown || r == Type::Unknown {
            return Type::Unknown;
        }
        if l == Type::Secret || r == Type::Secret {
            let at = if l == Type::Secret { left.span } else { right.span };
            let into = "value: operators do not apply to secrets".to_string();
            self.report(CheckError::SecretLeak { into, span: at, declared: None });
            return Type::Unknown;
        }
        match op {
            BinaryOp::Or | BinaryOp::And => self.logic(op, &l, &r, span),
            BinaryOp::Eq | BinaryOp::Ne => self.equality(op, &l, &r, span),
            BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => self.ordering(op, &l, &r, span),
            BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div | BinaryOp::Rem => {
                self.arithmetic(op, &l, &r, span)
            }
        }
    }

    /// The operands' types. The right side of `&&` is typed where the left
    /// holds, of `||` where it does not: only then is it evaluated.
    fn operands(&mut self, op: BinaryOp, left: &'w Expr, right: &'w Expr) -> (Type, Type) {
        let mut l = Type::Unknown;
        let holds = match op {
            BinaryOp::And => self.stating(left, |checker| l = checker.infer(left)).holds,
            BinaryOp::Or => self.stating(left, |checker| l = checker.infer(left)).fails(),
            _ => {
                l = self.infer(left);
                Vec::new()
            }
        };
        let r = self.assuming(&holds, |checker| checker.expr(right, Some(&l)));
        (l, r)
    }

    fn logic(&mut self, op: BinaryOp, l: &Type, r: &Type, span: Span) -> Type {
        let is_bool = |t: &Type| matches!(t.unwrapped(), Type::Bool) && !matches!(t, Type::Optional(_));
        if is_bool(l) && is_bool(r) {
            return if l.is_deploy() || r.is_deploy() {
                Type::Deploy(Box::new(Type::Bool))
            } else {
                Type::Bool
            };
        }
        self.mismatched(op, l, r, span, false);
        Type::Unknown
    }

    fn equality(&mut self, op: BinaryOp, l: &Type, r: &Type, span: Span) -> Type {
        let strip = |t: &Type| match t {
            Type::Deploy(inner) => inner.as_ref().clone(),
            Type::Attribute => Type::String,
            other => other.clone(),
        };
        let (ls, rs) = (strip(l), strip(r));
        if types::join(&ls, &rs).is_none() {
            let unit = matches!((&ls, &rs), (Type::Quantity(_), _) | (_, Type::Quantity(_)));
            self.mismatched(op, l, r, span, unit);
            return Type::Unknown;
        }
        if l.is_deploy() || r.is_deploy() {
            Type::Deploy(Box::new(Type::Bool))
        } else {
            Type::Bool
        }
    }

    fn ordering(&mut self, op: BinaryOp, l: &Type, r: &Type, span: Span) -> Type {
        match (l, r) {
            (a, b) if a.is_numeric() && b.is_numeric() => Type::Bool,
            (Type::Quantity(a), Type::Quantity(b)) if a == b => Type::Bool,
            // Strings order lexicographically (`version >= "1.2"`), as the evaluator does.
            (Type::String, Type::String) => Type::Bool,
            (Type::Quantity(_), _) | (_, Type::Quantity(_)) => {
                self.mismatched(op, l, r, span, true);
                Type::Unknown
            }
            _ => {
                self.mismatched(op, l, r, span, false);
                Type::Unknown
            }
        }
    }

    fn arithmetic(&mut self, op: BinaryOp, l: &Type, r: &Type, span: Span) -> Type {
        use Type as T;
        let result = match (op, l, r) {
            (_, T::Int, T::Int) => Some(T::Int),
            (_, a, b) if a.is_numeric() && b.is_numeric() => Some(T::Number),
            (BinaryOp::Add, T::String, T::String) => Some(T::String),
            (BinaryOp::Add, T::List(a), T::List(b)) => types::join(a, b).map(|item| T::List(Box::new(item))),
            (BinaryOp::Add | BinaryOp::Sub | BinaryOp::Rem, T::Quantity(a), T::Quantity(b)) if a == b => {
                Some(l.clone())
            }
            (BinaryOp::Div, T::Quantity(a), T::Quantity(b)) if a == b => Some(T::Number),
            (BinaryOp::Mul | BinaryOp::Div, T::Quantity(_), n) if n.is_numeric() => Some(l.clone()),
            (BinaryOp::Mul, n, T::Quantity(_)) if n.is_numeric() => Some(r.clone()),
            _ => None,
        };
        if let Some(result) = result {
            return result;
        }
        let unit = matches!((l, r), (T::Quantity(_), _) | (_, T::Quantity(_)));
        self.mismatched(op, l, r, span, unit);
        Type::Unknown
    }

    fn mismatched(&mut self, op: BinaryOp, l: &Type, r: &Type, span: Span, unit: bool) {
        let (left, right) = (self.show(l), self.show(r));
        let deploy = l.is_deploy() || r.is_deploy();
        if unit {
            let help = match (l, r) {
                (Type::Quantity(_), Type::Quantity(_)) => {
                    Some("both sides must measure the same thing".into())
                }
                _ => Some(
                    "give the number a unit, or use `units(x)` to turn the quantity into a number".into(),
                ),
            };
            self.report(CheckError::UnitOperator { op: op.symbol(), left, right, span, help });
            return;
        }
        let environment_and_string =
            matches!((l, r), (Type::Environment, Type::String) | (Type::String, Type::Environment));
        let help = if environment_and_string {
            Some("environment names are not strings: compare without quotes, `env.name == prod`".into())
        } else if deploy {
            Some("deploy-time values are known only when CloudFormation runs; use interpolation \"${..}\" to build strings".into())
        } else {
            None
        };
        self.report(CheckError::Type {
            message: format!("cannot apply `{}` to `{left}` and `{right}`", op.symbol()),
            label: format!("`{left}` {} `{right}`", op.symbol()),
            span,
            help,
        });
    }

    fn operator_error(&mut self, message: String, span: Span, ty: &Type) {
        let help = if ty.is_deploy() {
            Some("this value is known only when CloudFormation runs".into())
        } else {
            None
        };
        self.report(CheckError::Type { message, label: format!("this is `{}`", self.show(ty)), span, help });
    }
}
